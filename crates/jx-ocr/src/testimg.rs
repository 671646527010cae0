//! Synthetic page images for unit tests: a ruled grid with text-like blobs.

use crate::binarize::InkImage;
use crate::raster::GrayImage;

/// Top edges of the horizontal rules of [`grid_ink`] / [`grid_page`] (3 px thick).
pub const GRID_ROWS: [usize; 7] = [100, 180, 260, 400, 600, 700, 1000];
/// Left edges of the vertical rules.
pub const GRID_COLS: [usize; 4] = [80, 300, 520, 920];

/// Draws the grid (and, if `text`, character-like blobs in the cells) by
/// calling `put(x, y)` for every ink pixel. Rules have a few 5 px dropouts.
fn draw(w: usize, h: usize, text: bool, mut put: impl FnMut(usize, usize)) {
    let x_end = GRID_COLS[GRID_COLS.len() - 1] + 3;
    let y_end = GRID_ROWS[GRID_ROWS.len() - 1] + 3;
    for (i, &y) in GRID_ROWS.iter().enumerate() {
        for x in GRID_COLS[0]..x_end {
            // dropouts
            if (x + 37 * i) % 211 < 5 {
                continue;
            }
            for t in 0..3 {
                if x < w && y + t < h {
                    put(x, y + t);
                }
            }
        }
    }
    for (i, &x) in GRID_COLS.iter().enumerate() {
        for y in GRID_ROWS[0]..y_end {
            if (y + 53 * i) % 173 < 5 {
                continue;
            }
            for t in 0..3 {
                if x + t < w && y < h {
                    put(x + t, y);
                }
            }
        }
    }
    if !text {
        return;
    }
    // "Characters": 20×20 boxes of strokes, 4 px apart, one or two lines a
    // cell; plus a 40 px dash.
    for r in 0..GRID_ROWS.len() - 1 {
        for c in 0..GRID_COLS.len() - 1 {
            let (x0, x1) = (GRID_COLS[c] + 12, GRID_COLS[c + 1] - 12);
            let (y0, y1) = (GRID_ROWS[r] + 12, GRID_ROWS[r + 1] - 12);
            let mut ly = y0;
            while ly + 20 <= y1 && ly < y0 + 60 {
                let mut cx = x0;
                let mut k = 0;
                while cx + 20 <= x1 && k < 8 {
                    for d in 0..18 {
                        put(cx + d, ly + 2); // top stroke
                        put(cx + d, ly + 3);
                        put(cx + d, ly + 17); // bottom stroke
                        put(cx + 9, ly + 1 + d); // vertical stroke
                        put(cx + 10, ly + 1 + d);
                    }
                    cx += 22;
                    k += 1;
                }
                ly += 30;
            }
        }
    }
    for x in 560..600 {
        put(x, 650);
        put(x, 651);
    }
}

/// Binary grid with text-like blobs.
pub fn grid_ink(w: usize, h: usize) -> InkImage {
    let mut ink = InkImage::empty(w, h);
    draw(w, h, true, |x, y| ink.data[y * w + x] = 1);
    ink
}

/// Gray grid (ink 30 on paper 245), optionally with text-like blobs.
pub fn grid_page(w: usize, h: usize, text: bool) -> GrayImage {
    let mut img = GrayImage::white(w, h);
    img.data.iter_mut().for_each(|v| *v = 245);
    draw(w, h, text, |x, y| img.set(x, y, 30));
    img
}

/// Adds deterministic pseudo-random noise of ±`amp` gray levels.
pub fn noise(img: &mut GrayImage, amp: i32) {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    for v in img.data.iter_mut() {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let r = ((s >> 33) % (2 * amp as u64 + 1)) as i32 - amp;
        *v = (*v as i32 + r).clamp(0, 255) as u8;
    }
}
