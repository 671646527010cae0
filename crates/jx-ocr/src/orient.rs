//! Pages turned a quarter or a half turn in their pixels: a sheet fed into
//! the scanner sideways or upside down, with nothing in the PDF (no
//! `/Rotate`) saying so.
//!
//! Whether a page is turned is decided where its text is read (jx-ingest's
//! OCR chain compares the recogniser's confidence on a sample of the page
//! read each way); this module turns a raster, pixels and page frame
//! together, so that the turned page is read exactly like an upright one.

use jx_model::{Glyph, PageRaster, Rect};

/// A clockwise turn by a multiple of 90°.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Turn {
    Upright,
    Quarter,
    Half,
    ThreeQuarters,
}

impl Turn {
    /// The turns other than [`Turn::Upright`], in the order they are tried.
    pub const TURNED: [Turn; 3] = [Turn::Half, Turn::Quarter, Turn::ThreeQuarters];

    /// Degrees clockwise.
    pub fn degrees(self) -> u16 {
        match self {
            Turn::Upright => 0,
            Turn::Quarter => 90,
            Turn::Half => 180,
            Turn::ThreeQuarters => 270,
        }
    }

    /// Whether the page's width and height trade places.
    pub fn swaps_sides(self) -> bool {
        matches!(self, Turn::Quarter | Turn::ThreeQuarters)
    }

    /// A rectangle of a `width × height` page (y down) as it lies once the
    /// page is turned.
    pub fn rect(self, r: &Rect, width: f32, height: f32) -> Rect {
        match self {
            Turn::Upright => *r,
            Turn::Quarter => Rect::new(height - r.y1, r.x0, height - r.y0, r.x1),
            Turn::Half => Rect::new(width - r.x1, height - r.y1, width - r.x0, height - r.y0),
            Turn::ThreeQuarters => Rect::new(r.y0, width - r.x1, r.y1, width - r.x0),
        }
    }
}

/// The raster turned clockwise by `turn`: its pixels, its pixel and page
/// sizes, the frame the pixels cover and the hint glyphs of its invisible
/// text layer, all turned together.
pub fn turn_raster(r: &PageRaster, turn: Turn) -> PageRaster {
    if turn == Turn::Upright {
        return r.clone();
    }
    let (w, h) = (r.width as usize, r.height as usize);
    let ch = r.channels as usize;
    let (nw, nh) = if turn.swaps_sides() { (h, w) } else { (w, h) };
    let mut pixels = vec![0u8; nw * nh * ch];
    if w > 0 && h > 0 && r.pixels.len() >= w * h * ch {
        for y in 0..h {
            for x in 0..w {
                let (nx, ny) = match turn {
                    Turn::Upright => (x, y),
                    Turn::Quarter => (h - 1 - y, x),
                    Turn::Half => (w - 1 - x, h - 1 - y),
                    Turn::ThreeQuarters => (y, w - 1 - x),
                };
                let from = (y * w + x) * ch;
                let to = (ny * nw + nx) * ch;
                pixels[to..to + ch].copy_from_slice(&r.pixels[from..from + ch]);
            }
        }
    }
    let (pw, ph) = (r.page_width, r.page_height);
    let hint_glyphs = r
        .hint_glyphs
        .iter()
        .map(|g| Glyph {
            bbox: turn.rect(&g.bbox, pw, ph),
            ..g.clone()
        })
        .collect();
    let (page_width, page_height) = if turn.swaps_sides() {
        (ph, pw)
    } else {
        (pw, ph)
    };
    PageRaster {
        number: r.number,
        page_width,
        page_height,
        width: nw as u32,
        height: nh as u32,
        channels: r.channels,
        pixels,
        frame: turn.rect(&r.frame, pw, ph),
        hint_glyphs,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×2 gray raster on a 30×20 pt page, pixel values 0..6 row by row.
    fn raster() -> PageRaster {
        PageRaster {
            number: 1,
            page_width: 30.0,
            page_height: 20.0,
            width: 3,
            height: 2,
            channels: 1,
            pixels: vec![0, 1, 2, 3, 4, 5],
            frame: Rect::new(0.0, 0.0, 30.0, 20.0),
            hint_glyphs: Vec::new(),
        }
    }

    #[test]
    fn a_quarter_turn_moves_the_top_row_to_the_right_column() {
        let t = turn_raster(&raster(), Turn::Quarter);
        assert_eq!((t.width, t.height), (2, 3));
        assert_eq!((t.page_width, t.page_height), (20.0, 30.0));
        // 0 1 2 / 3 4 5 turned clockwise: 3 0 / 4 1 / 5 2
        assert_eq!(t.pixels, vec![3, 0, 4, 1, 5, 2]);
        assert_eq!(t.frame, Rect::new(0.0, 0.0, 20.0, 30.0));
    }

    #[test]
    fn half_and_three_quarter_turns() {
        let half = turn_raster(&raster(), Turn::Half);
        assert_eq!(half.pixels, vec![5, 4, 3, 2, 1, 0]);
        let back = turn_raster(&raster(), Turn::ThreeQuarters);
        // 2 5 / 1 4 / 0 3
        assert_eq!(back.pixels, vec![2, 5, 1, 4, 0, 3]);
        // Four quarter turns are the page itself.
        let mut r = raster();
        for _ in 0..4 {
            r = turn_raster(&r, Turn::Quarter);
        }
        assert_eq!(r.pixels, raster().pixels);
        assert_eq!((r.width, r.height), (3, 2));
    }

    #[test]
    fn rectangles_turn_with_the_page() {
        // A box at the page's top left ends at the top right after a quarter turn.
        let r = Rect::new(0.0, 0.0, 10.0, 5.0);
        assert_eq!(
            Turn::Quarter.rect(&r, 30.0, 20.0),
            Rect::new(15.0, 0.0, 20.0, 10.0)
        );
        assert_eq!(
            Turn::Half.rect(&r, 30.0, 20.0),
            Rect::new(20.0, 15.0, 30.0, 20.0)
        );
        assert_eq!(
            Turn::ThreeQuarters.rect(&r, 30.0, 20.0),
            Rect::new(0.0, 20.0, 5.0, 30.0)
        );
    }
}
