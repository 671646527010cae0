//! Sauvola binarization.
//!
//! A single global threshold fails on scans lit unevenly (a darker band along
//! the spine, a gradient from one edge): the dark side turns into solid ink or
//! the light side loses thin strokes. Sauvola compares each pixel with the mean
//! `m` and standard deviation `s` of its neighbourhood:
//! `T = m · (1 + k · (s / R − 1))`. On flat paper `s` is small and `T` sits
//! well below the local paper level whatever that level is; at strokes `s` is
//! large and `T` moves towards the mean. The window sums are kept as running
//! column sums, so memory is O(width), not an integral image of the page.

use crate::raster::GrayImage;

/// Binary image: 1 = ink, 0 = background, one byte a pixel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct InkImage {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

impl InkImage {
    pub fn empty(width: usize, height: usize) -> Self {
        InkImage {
            width,
            height,
            data: vec![0; width * height],
        }
    }

    #[inline]
    pub fn is_ink(&self, x: usize, y: usize) -> bool {
        self.data[y * self.width + x] != 0
    }

    pub fn ink_count(&self) -> usize {
        self.data.iter().filter(|&&v| v != 0).count()
    }
}

/// Sauvola parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sauvola {
    /// Half window size in pixels (window = 2·radius + 1).
    pub radius: usize,
    /// Sensitivity; 0.2–0.5. Lower keeps more of faint strokes.
    pub k: f32,
    /// Dynamic range of the standard deviation (128 for 8-bit images).
    pub r: f32,
}

impl Sauvola {
    /// Window ≈ 1/6 inch: larger than a stroke and about a character, so a
    /// character's inside is judged against nearby paper.
    pub fn for_dpi(dpi: f32) -> Self {
        let radius = ((dpi / 12.0).round() as usize).clamp(5, 60);
        Sauvola {
            radius,
            k: 0.2,
            r: 128.0,
        }
    }
}

/// Binarizes `img` with Sauvola's threshold; additionally nothing brighter
/// than `paper_floor` is ever ink (keeps JPEG ripples on white paper out).
pub fn sauvola(img: &GrayImage, p: Sauvola, paper_floor: u8) -> InkImage {
    let (w, h) = (img.width, img.height);
    let mut out = InkImage::empty(w, h);
    if w == 0 || h == 0 {
        return out;
    }
    let r = p.radius;
    let mut col_sum = vec![0u32; w];
    let mut col_sq = vec![0u64; w];
    // Rows [0, r] are in the window of row 0.
    let add_row = |y: usize, sign: i64, cs: &mut [u32], cq: &mut [u64]| {
        let row = &img.data[y * w..(y + 1) * w];
        for x in 0..w {
            let v = row[x] as u32;
            if sign > 0 {
                cs[x] += v;
                cq[x] += (v * v) as u64;
            } else {
                cs[x] -= v;
                cq[x] -= (v * v) as u64;
            }
        }
    };
    for y in 0..=r.min(h - 1) {
        add_row(y, 1, &mut col_sum, &mut col_sq);
    }
    let mut pre_s = vec![0u64; w + 1];
    let mut pre_q = vec![0u64; w + 1];
    let inv_r = 1.0 / p.r;
    for y in 0..h {
        if y > 0 {
            if y + r < h {
                add_row(y + r, 1, &mut col_sum, &mut col_sq);
            }
            if y > r {
                add_row(y - r - 1, -1, &mut col_sum, &mut col_sq);
            }
        }
        let rows = (y + r).min(h - 1) - y.saturating_sub(r) + 1;
        for x in 0..w {
            pre_s[x + 1] = pre_s[x] + col_sum[x] as u64;
            pre_q[x + 1] = pre_q[x] + col_sq[x];
        }
        let row = &img.data[y * w..(y + 1) * w];
        let orow = &mut out.data[y * w..(y + 1) * w];
        for x in 0..w {
            let v = row[x];
            if v >= paper_floor {
                continue;
            }
            let x0 = x.saturating_sub(r);
            let x1 = (x + r + 1).min(w);
            let n = ((x1 - x0) * rows) as f32;
            let s = (pre_s[x1] - pre_s[x0]) as f32;
            let q = (pre_q[x1] - pre_q[x0]) as f32;
            let mean = s / n;
            let var = (q / n - mean * mean).max(0.0);
            let t = mean * (1.0 + p.k * (var.sqrt() * inv_r - 1.0));
            if (v as f32) < t {
                orow[x] = 1;
            }
        }
    }
    out
}

/// The paper level: the brightest well-populated gray level (the 90th
/// percentile), so thresholds adapt to gray or yellowed scans.
pub fn paper_level(img: &GrayImage) -> u8 {
    if img.data.is_empty() {
        return 255;
    }
    let mut hist = [0usize; 256];
    for &v in &img.data {
        hist[v as usize] += 1;
    }
    let target = img.data.len() * 9 / 10;
    let mut acc = 0;
    for (v, &c) in hist.iter().enumerate() {
        acc += c;
        if acc >= target {
            return v as u8;
        }
    }
    255
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_background_with_text_blocks() {
        // Background from 250 (left) down to 110 (right); "text" squares 40
        // gray levels darker than the local background.
        let (w, h) = (600usize, 200usize);
        let mut img = GrayImage::white(w, h);
        for y in 0..h {
            for x in 0..w {
                let bg = 250.0 - 140.0 * x as f32 / w as f32;
                img.set(x, y, bg as u8);
            }
        }
        let mut ink_truth = vec![false; w * h];
        for bx in (20..w - 40).step_by(60) {
            for y in 80..110 {
                for x in bx..bx + 6 {
                    let bg = img.get(x, y) as i32;
                    img.set(x, y, (bg - 60).max(0) as u8);
                    ink_truth[y * w + x] = true;
                }
            }
        }
        let ink = sauvola(&img, Sauvola::for_dpi(300.0), 250);
        let mut false_ink = 0;
        let mut missed = 0;
        for (&got, &truth) in ink.data.iter().zip(&ink_truth) {
            match (got != 0, truth) {
                (true, false) => false_ink += 1,
                (false, true) => missed += 1,
                _ => {}
            }
        }
        let truth_n = ink_truth.iter().filter(|&&t| t).count();
        assert!(false_ink < w * h / 500, "false ink {false_ink}");
        assert!(missed < truth_n / 20, "missed {missed} of {truth_n}");
        // A global threshold at the middle level would have blackened the
        // right third of the page.
        let global = img.data.iter().filter(|&&v| v < 150).count();
        assert!(global > w * h / 5);
    }

    #[test]
    fn odd_sizes() {
        assert_eq!(
            sauvola(&GrayImage::default(), Sauvola::for_dpi(300.0), 250)
                .data
                .len(),
            0
        );
        let one = GrayImage {
            width: 1,
            height: 1,
            data: vec![0],
        };
        let b = sauvola(&one, Sauvola::for_dpi(300.0), 250);
        assert_eq!(b.data.len(), 1);
        let black = GrayImage {
            width: 40,
            height: 30,
            data: vec![0; 1200],
        };
        // A flat black page has no contrast: Sauvola's threshold is 0.8·0.
        let b = sauvola(&black, Sauvola::for_dpi(300.0), 250);
        assert_eq!(b.data.len(), 1200);
    }
}
