//! A page image reduced for a glance: is this page a form at all?
//!
//! Most pages of a scanned budget volume hold no form. Deciding that on the
//! page at full resolution costs as much as preparing it (gray conversion,
//! skew, binarization and rules are most of the cost of such a page), so
//! the decision is taken on a copy at about [`GLANCE_DPI`] (issue 24 item
//! 2): a 300 dpi page shrinks to a ninth of its pixels. Rules, table frames
//! and a dozen header cells survive the reduction; only a page that may be
//! a form is then prepared at its full resolution.

use jx_model::PageRaster;

/// The resolution a glance works at: the "100 dpi or less". At
/// 100 dpi a 9–10.5 pt character is 12–15 px tall, which the recognisers
/// still read once a crop is scaled to their line height (`OcrOptions::
/// text_height_px`); a page whose glance reads poorly is looked at again at
/// full resolution, so the figure trades cost, never the decision.
pub const GLANCE_DPI: f32 = 100.0;

/// How far under a multiple of [`GLANCE_DPI`] a page may be and still
/// shrink by that multiple, in fractions of it: a scan's resolution is
/// rarely exact (a 300 dpi A4 scan, 2479 px over 595.3 pt, is 299.84 dpi).
const DPI_SLACK: f32 = 0.1;

/// `raster` shrunk by the largest whole factor that keeps it at (about) or
/// above [`GLANCE_DPI`], each output pixel the mean of a factor × factor block
/// (channel by channel, so a red seal stays red and is still removed).
/// `None` when the page is already below twice that resolution: shrinking
/// it would save little and cost text.
pub fn glance_raster(raster: &PageRaster) -> Option<PageRaster> {
    let factor = (raster.dpi() / GLANCE_DPI + DPI_SLACK).floor();
    // NaN (a raster without size) compares false and shrinks nothing.
    if factor.is_nan() || factor < 2.0 {
        return None;
    }
    let k = factor as usize;
    let (w, h, c) = (
        raster.width as usize,
        raster.height as usize,
        raster.channels as usize,
    );
    if raster.pixels.len() != w * h * c {
        return None;
    }
    let (nw, nh) = (w / k, h / k);
    if nw == 0 || nh == 0 {
        return None;
    }
    let mut pixels = vec![0u8; nw * nh * c];
    let mut sums = vec![0u32; nw * c];
    let area = (k * k) as u32;
    for oy in 0..nh {
        sums.iter_mut().for_each(|s| *s = 0);
        for row in raster.pixels[oy * k * w * c..(oy * k + k) * w * c].chunks_exact(w * c) {
            add_row(&row[..nw * k * c], k, c, &mut sums);
        }
        let out = &mut pixels[oy * nw * c..(oy + 1) * nw * c];
        for (o, s) in out.iter_mut().zip(&sums) {
            *o = ((s + area / 2) / area) as u8;
        }
    }
    // The pixels kept cover whole blocks only: the frame shrinks with them
    // so that a pixel's position in points stays where it was.
    let (ppx, ppy) = raster.points_per_pixel();
    let frame = jx_model::Rect::new(
        raster.frame.x0,
        raster.frame.y0,
        raster.frame.x0 + ppx * (nw * k) as f32,
        raster.frame.y0 + ppy * (nh * k) as f32,
    );
    Some(PageRaster {
        number: raster.number,
        page_width: raster.page_width,
        page_height: raster.page_height,
        width: nw as u32,
        height: nh as u32,
        channels: raster.channels,
        pixels,
        frame,
        hint_glyphs: Vec::new(),
    })
}

/// Adds one image row to the block sums of its output row: `sums[ox * c +
/// ch]` gathers channel `ch` of the `k` pixels of block `ox`.
fn add_row(row: &[u8], k: usize, c: usize, sums: &mut [u32]) {
    if c == 1 {
        for (sum, block) in sums.iter_mut().zip(row.chunks_exact(k)) {
            *sum += block.iter().map(|&v| u32::from(v)).sum::<u32>();
        }
        return;
    }
    for (sum, block) in sums.chunks_exact_mut(c).zip(row.chunks_exact(k * c)) {
        for pixel in block.chunks_exact(c) {
            for (s, &v) in sum.iter_mut().zip(pixel) {
                *s += u32::from(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::Rect;

    fn raster(dpi: f32, channels: u8) -> PageRaster {
        let (pw, ph) = (72.0, 36.0);
        let (w, h) = ((pw / 72.0 * dpi) as u32, (ph / 72.0 * dpi) as u32);
        let pixels = (0..w * h * u32::from(channels))
            .map(|i| (i % 251) as u8)
            .collect();
        PageRaster {
            number: 3,
            page_width: pw,
            page_height: ph,
            width: w,
            height: h,
            channels,
            pixels,
            frame: Rect::new(0.0, 0.0, pw, ph),
            hint_glyphs: Vec::new(),
        }
    }

    /// 300 dpi shrinks by 3 to 100 dpi, 250 dpi by 2 to 125 dpi; a
    /// 150 dpi page stays as it is (a factor under 2 saves little).
    #[test]
    fn shrinks_by_the_whole_factor_that_keeps_the_glance_resolution() {
        let small = glance_raster(&raster(300.0, 1)).unwrap();
        assert_eq!((small.width, small.height), (100, 50));
        let nearly = glance_raster(&raster(298.0, 1)).unwrap();
        assert_eq!(nearly.width, 99);
        assert!((small.dpi() - 100.0).abs() < 0.5, "{}", small.dpi());
        assert_eq!(small.number, 3);
        let mid = glance_raster(&raster(250.0, 3)).unwrap();
        assert_eq!((mid.width, mid.channels), (125, 3));
        assert_eq!(mid.pixels.len(), 125 * 62 * 3);
        assert!(glance_raster(&raster(150.0, 1)).is_none());
    }

    /// Each pixel is its block's mean, channel by channel: a red pixel
    /// block stays red, a black-and-white checker turns mid-gray.
    #[test]
    fn a_pixel_is_the_mean_of_its_block() {
        let mut r = raster(200.0, 3);
        let w = r.width as usize;
        for y in 0..2 {
            for x in 0..2 {
                let p = (y * w + x) * 3;
                r.pixels[p..p + 3].copy_from_slice(&[200, 10, 10]);
            }
        }
        for y in 0..2usize {
            for x in 2..4usize {
                let v = if (x + y) % 2 == 0 { 0 } else { 255 };
                let p = (y * w + x) * 3;
                r.pixels[p..p + 3].copy_from_slice(&[v, v, v]);
            }
        }
        let small = glance_raster(&r).unwrap();
        assert_eq!(&small.pixels[0..3], &[200, 10, 10]);
        assert_eq!(&small.pixels[3..6], &[128, 128, 128]);
    }

    /// Pixels left over at the right and bottom edges are dropped and the
    /// frame shrinks with them, so a pixel stays where it was in points.
    #[test]
    fn the_frame_covers_the_whole_blocks_kept() {
        let mut r = raster(300.0, 1);
        r.width += 2;
        r.height += 1;
        r.frame = Rect::new(
            0.0,
            0.0,
            72.0 * r.width as f32 / 300.0,
            72.0 * r.height as f32 / 300.0,
        );
        r.pixels = vec![255; (r.width * r.height) as usize];
        let small = glance_raster(&r).unwrap();
        assert_eq!((small.width, small.height), (100, 50));
        assert!((small.frame.x1 - 72.0).abs() < 1e-3, "{:?}", small.frame);
        assert!((small.frame.y1 - 36.0).abs() < 1e-3, "{:?}", small.frame);
    }
}
