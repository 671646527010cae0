//! 8-bit gray images and the pixel operations the stage needs: conversion
//! from the decoded page (with coloured marks removed), rotation, scaling.
//!
//! Kept in-crate (no `image` dependency at run time) because the stage only
//! needs a handful of operations on one layout, and the PDF layer already
//! hands over decoded pixels.

/// A gray image, one byte a pixel, rows top to bottom; 0 = black, 255 = white.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GrayImage {
    pub width: usize,
    pub height: usize,
    pub data: Vec<u8>,
}

impl GrayImage {
    /// A white image.
    pub fn white(width: usize, height: usize) -> Self {
        GrayImage {
            width,
            height,
            data: vec![255; width * height],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.width == 0 || self.height == 0
    }

    #[inline]
    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.data[y * self.width + x]
    }

    #[inline]
    pub fn set(&mut self, x: usize, y: usize, v: u8) {
        self.data[y * self.width + x] = v;
    }

    /// The rectangle `[x0, x1) × [y0, y1)`, clamped to the image.
    pub fn crop(&self, x0: usize, y0: usize, x1: usize, y1: usize) -> GrayImage {
        let x1 = x1.min(self.width);
        let y1 = y1.min(self.height);
        let x0 = x0.min(x1);
        let y0 = y0.min(y1);
        let w = x1 - x0;
        let mut data = Vec::with_capacity(w * (y1 - y0));
        for y in y0..y1 {
            data.extend_from_slice(&self.data[y * self.width + x0..y * self.width + x1]);
        }
        GrayImage {
            width: w,
            height: y1 - y0,
            data,
        }
    }

    /// Resized by `scale`: bilinear when enlarging, area-averaging when
    /// shrinking. Tesseract's LSTM recogniser reads best, and fastest, when
    /// characters are about 30 px tall: a 200 dpi scan of 9 pt text is
    /// smaller than that, a 300 dpi scan of 12 pt text larger.
    pub fn resize(&self, scale: f32) -> GrayImage {
        if self.is_empty() || scale.is_nan() || scale <= 0.0 || (scale - 1.0).abs() < 1e-3 {
            return self.clone();
        }
        let w = ((self.width as f32 * scale).round() as usize).max(1);
        let h = ((self.height as f32 * scale).round() as usize).max(1);
        if scale > 1.0 {
            return self.bilinear(w, h);
        }
        // Separable box filter with fractional coverage.
        let rows = resample_axis(&self.data, self.width, self.height, w, true);
        let data = resample_axis(&rows, w, self.height, h, false);
        GrayImage {
            width: w,
            height: h,
            data,
        }
    }

    fn bilinear(&self, w: usize, h: usize) -> GrayImage {
        let mut out = vec![0u8; w * h];
        let fx_scale = self.width as f32 / w as f32;
        let fy_scale = self.height as f32 / h as f32;
        for y in 0..h {
            let sy = ((y as f32 + 0.5) * fy_scale - 0.5).clamp(0.0, (self.height - 1) as f32);
            let y0 = sy.floor() as usize;
            let y1 = (y0 + 1).min(self.height - 1);
            let fy = sy - y0 as f32;
            for x in 0..w {
                let sx = ((x as f32 + 0.5) * fx_scale - 0.5).clamp(0.0, (self.width - 1) as f32);
                let x0 = sx.floor() as usize;
                let x1 = (x0 + 1).min(self.width - 1);
                let fx = sx - x0 as f32;
                let a = self.get(x0, y0) as f32 * (1.0 - fx) + self.get(x1, y0) as f32 * fx;
                let b = self.get(x0, y1) as f32 * (1.0 - fx) + self.get(x1, y1) as f32 * fx;
                out[y * w + x] = (a * (1.0 - fy) + b * fy).round() as u8;
            }
        }
        GrayImage {
            width: w,
            height: h,
            data: out,
        }
    }

    /// A copy with a white border of `pad` pixels on every side (Tesseract
    /// misreads glyphs that touch the image edge).
    pub fn padded(&self, pad: usize) -> GrayImage {
        let w = self.width + 2 * pad;
        let h = self.height + 2 * pad;
        let mut out = GrayImage::white(w, h);
        for y in 0..self.height {
            let dst = (y + pad) * w + pad;
            out.data[dst..dst + self.width]
                .copy_from_slice(&self.data[y * self.width..(y + 1) * self.width]);
        }
        out
    }
}

/// How strongly coloured a pixel must be (max − min channel, 0–255) to count
/// as a coloured mark (seal, coloured ink) rather than black/gray print.
pub const DEFAULT_CHROMA_THRESHOLD: u8 = 30;

/// Shrinks one axis of a `w × h` image to `n` samples by area averaging
/// (`horizontal`: width `w` → `n`; else height `h` → `n`).
fn resample_axis(src: &[u8], w: usize, h: usize, n: usize, horizontal: bool) -> Vec<u8> {
    let len = if horizontal { w } else { h };
    let step = len as f32 / n as f32;
    // For each output sample: source range and edge weights.
    let spans: Vec<(usize, usize, f32, f32)> = (0..n)
        .map(|i| {
            let a = i as f32 * step;
            let b = ((i + 1) as f32 * step).min(len as f32);
            let ia = a.floor() as usize;
            let ib = (b.ceil() as usize).clamp(ia + 1, len);
            let wa = 1.0 - (a - ia as f32);
            let wb = 1.0 - (ib as f32 - b);
            (ia, ib, wa, wb)
        })
        .collect();
    let (ow, oh) = if horizontal { (n, h) } else { (w, n) };
    let mut out = vec![0u8; ow * oh];
    let at = |x: usize, y: usize| src[y * w + x] as f32;
    for (i, &(ia, ib, wa, wb)) in spans.iter().enumerate() {
        for j in 0..(if horizontal { h } else { w }) {
            let (mut acc, mut wsum) = (0.0f32, 0.0f32);
            for k in ia..ib {
                let wt = if ib - ia == 1 {
                    1.0
                } else if k == ia {
                    wa
                } else if k + 1 == ib {
                    wb
                } else {
                    1.0
                };
                let v = if horizontal { at(k, j) } else { at(j, k) };
                acc += v * wt;
                wsum += wt;
            }
            let v = (acc / wsum.max(1e-6)).round().clamp(0.0, 255.0) as u8;
            if horizontal {
                out[j * ow + i] = v;
            } else {
                out[i * ow + j] = v;
            }
        }
    }
    out
}

/// Converts 1- or 3-channel pixels to gray, whitening coloured marks.
///
/// Why this works for a red seal stamped over black text: the seal is
/// saturated (red channel high, green and blue low), the text under it stays
/// dark in *every* channel, and the paper is bright in every channel. So for a
/// strongly coloured pixel we take the brightest channel instead of the
/// luminance: seal-only pixels become near-white and disappear at
/// binarization, while text pixels (dark even in their brightest channel) keep
/// their darkness. Returns the image and the number of pixels treated as
/// coloured marks.
pub fn to_gray(
    pixels: &[u8],
    width: usize,
    height: usize,
    channels: u8,
    chroma_threshold: u8,
    fringe_radius: usize,
) -> (GrayImage, u64) {
    let n = width * height;
    if channels == 1 {
        return (
            GrayImage {
                width,
                height,
                data: pixels[..n].to_vec(),
            },
            0,
        );
    }
    let ch = channels as usize;
    let mut data = Vec::with_capacity(n);
    let mut mark = vec![0u8; n];
    let mut brightest = vec![0u8; n];
    let mut coloured = 0u64;
    for (i, px) in pixels[..n * ch].chunks_exact(ch).enumerate() {
        let (r, g, b) = (px[0] as i32, px[1] as i32, px[2] as i32);
        let max = r.max(g).max(b);
        let min = r.min(g).min(b);
        brightest[i] = max as u8;
        if max - min >= chroma_threshold as i32 {
            coloured += 1;
            mark[i] = 1;
            // Brightest channel, lifted in proportion to its own brightness:
            // a seal's body (bright in its own channel) goes to white, while
            // text under it — dark red where red ink multiplies black — stays
            // dark because its brightest channel is dark.
            let lifted = max + (max - min) * max / 255;
            data.push(lifted.min(255) as u8);
        } else {
            // ITU-R BT.601 luma in integer arithmetic.
            data.push(((r * 299 + g * 587 + b * 114 + 500) / 1000) as u8);
        }
    }
    if coloured > 0 {
        clean_mark_fringes(&mut data, &mark, &brightest, width, height, fringe_radius);
    }
    (
        GrayImage {
            width,
            height,
            data,
        },
        coloured,
    )
}

/// Brightest-channel level below which a pixel on or next to a coloured mark
/// is kept as print.
const FRINGE_KEEP_BELOW: u8 = 140;

/// Inside and around coloured marks (within `radius` of a coloured pixel),
/// judges each pixel by its brightest channel alone: at or above
/// [`FRINGE_KEEP_BELOW`] it is seal and goes white, below it is print and
/// keeps that (dark) value. JPEG stores colour at half resolution and blurs
/// it into the neighbours, and dense seal strokes come out as murky, weakly
/// coloured mid-grays that the chroma test misses; left alone they binarize
/// into specks that Tesseract reads as `、`, `-` or `四`. Black text under a
/// red seal (dark red where the inks mix) is dark in its brightest channel
/// too, so it stays.
fn clean_mark_fringes(
    data: &mut [u8],
    mark: &[u8],
    brightest: &[u8],
    w: usize,
    h: usize,
    radius: usize,
) {
    if radius == 0 {
        return;
    }
    // Separable dilation of the mark: rows, then columns.
    let mut rows = vec![0u8; w * h];
    for y in 0..h {
        let m = &mark[y * w..(y + 1) * w];
        let o = &mut rows[y * w..(y + 1) * w];
        // Distance-limited spread to the left and right.
        let mut last: Option<usize> = None;
        for x in 0..w {
            if m[x] != 0 {
                last = Some(x);
            }
            if last.is_some_and(|l| x - l <= radius) {
                o[x] = 1;
            }
        }
        let mut next: Option<usize> = None;
        for x in (0..w).rev() {
            if m[x] != 0 {
                next = Some(x);
            }
            if next.is_some_and(|n| n - x <= radius) {
                o[x] = 1;
            }
        }
    }
    let mut last: Vec<Option<usize>> = vec![None; w];
    let mut near = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            if rows[y * w + x] != 0 {
                last[x] = Some(y);
            }
            if last[x].is_some_and(|l| y - l <= radius) {
                near[y * w + x] = 1;
            }
        }
    }
    let mut next: Vec<Option<usize>> = vec![None; w];
    for y in (0..h).rev() {
        for x in 0..w {
            if rows[y * w + x] != 0 {
                next[x] = Some(y);
            }
            let i = y * w + x;
            let close = near[i] != 0 || next[x].is_some_and(|n| n - y <= radius);
            if close {
                data[i] = if brightest[i] >= FRINGE_KEEP_BELOW {
                    255
                } else {
                    brightest[i]
                };
            }
        }
    }
}

/// Rotates the image about its centre so that content skewed by
/// `skew_degrees` (lines falling to the right for positive values, y down)
/// becomes level. Bilinear; uncovered corners are filled with `fill`. The
/// output keeps the input size, so the pixel↔point mapping of the page is
/// unchanged: the deskewed frame *is* the page frame.
pub fn rotate_level(img: &GrayImage, skew_degrees: f32, fill: u8) -> GrayImage {
    if img.is_empty() || skew_degrees == 0.0 {
        return img.clone();
    }
    let (w, h) = (img.width, img.height);
    let t = (skew_degrees as f64).to_radians();
    let (s, c) = (t.sin(), t.cos());
    let cx = (w as f64 - 1.0) / 2.0;
    let cy = (h as f64 - 1.0) / 2.0;
    let mut out = vec![fill; w * h];
    // Source of destination (x, y): centre + R(θ)·(dest − centre).
    // Fixed point with 16 fractional bits keeps the inner loop integer-only.
    const ONE: i64 = 1 << 16;
    let dx_x = (c * ONE as f64).round() as i64;
    let dy_x = (s * ONE as f64).round() as i64;
    let max_x = (w as i64 - 1) * ONE;
    let max_y = (h as i64 - 1) * ONE;
    for y in 0..h {
        let ry = y as f64 - cy;
        let mut sx = ((cx + (0.0 - cx) * c - ry * s) * ONE as f64).round() as i64;
        let mut sy = ((cy + (0.0 - cx) * s + ry * c) * ONE as f64).round() as i64;
        let row = &mut out[y * w..(y + 1) * w];
        for o in row.iter_mut() {
            if sx >= 0 && sy >= 0 && sx <= max_x && sy <= max_y {
                let x0 = (sx >> 16) as usize;
                let y0 = (sy >> 16) as usize;
                let fx = sx & (ONE - 1);
                let fy = sy & (ONE - 1);
                let x1 = (x0 + 1).min(w - 1);
                let y1 = (y0 + 1).min(h - 1);
                let p00 = img.data[y0 * w + x0] as i64;
                let p01 = img.data[y0 * w + x1] as i64;
                let p10 = img.data[y1 * w + x0] as i64;
                let p11 = img.data[y1 * w + x1] as i64;
                let top = p00 * (ONE - fx) + p01 * fx;
                let bot = p10 * (ONE - fx) + p11 * fx;
                let v = (top * (ONE - fy) + bot * fy + (1 << 31)) >> 32;
                *o = v.clamp(0, 255) as u8;
            }
            sx += dx_x;
            sy += dy_x;
        }
    }
    GrayImage {
        width: w,
        height: h,
        data: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn red_seal_is_whitened_black_text_kept() {
        // paper, black text, red seal, black text under red seal (multiplied),
        // dark-red text-under-seal, pale pink seal edge, blue ink
        let px = [
            250, 250, 248, //
            20, 20, 20, //
            210, 40, 45, //
            18, 8, 8, //
            90, 12, 10, //
            238, 200, 198, //
            40, 60, 170,
        ];
        let (g, n) = to_gray(&px, 7, 1, 3, DEFAULT_CHROMA_THRESHOLD, 0);
        assert_eq!(n, 4);
        assert!(g.data[4] < 130, "dark red text {}", g.data[4]);
        assert!(g.data[5] > 245, "pink edge {}", g.data[5]);
        assert!(g.data[6] > 220, "blue ink {}", g.data[6]);
        assert!(g.data[0] > 240);
        assert!(g.data[1] < 40);
        assert!(g.data[2] > 240, "seal pixel {}", g.data[2]);
        assert!(g.data[3] < 40);
    }

    #[test]
    fn pale_fringe_of_a_seal_is_whitened_dark_text_beside_it_kept() {
        let gray = |px: &[u8]| {
            to_gray(px, px.len() / 3, 1, 3, DEFAULT_CHROMA_THRESHOLD, 2)
                .0
                .data
        };
        // Seal red, pale pink-gray fringe (low chroma), paper, paper, a pale
        // gray pixel far from the seal, dark text.
        let g = gray(&[
            200, 40, 40, 205, 190, 188, 255, 255, 255, 255, 255, 255, 205, 195, 195, 20, 20, 20,
        ]);
        assert_eq!(g[1], 255, "fringe next to the seal");
        assert!(g[4] < 210, "pale pixel far from the seal is untouched");
        assert!(g[5] < 40, "dark text");
        // A murky seal pixel (weakly coloured mid-gray) goes too.
        assert_eq!(
            gray(&[150, 110, 110, 250, 250, 250])[0],
            255,
            "murky seal pixel"
        );
        // Black text beside the seal, and text mixed with its red, stay dark.
        assert!(gray(&[200, 40, 40, 20, 20, 20])[1] < 40);
        assert!(gray(&[200, 40, 40, 110, 25, 25])[1] <= 110);
    }

    #[test]
    fn rotation_by_zero_is_identity_and_keeps_size() {
        let mut img = GrayImage::white(30, 20);
        img.set(3, 4, 0);
        assert_eq!(rotate_level(&img, 0.0, 255), img);
        let r = rotate_level(&img, 2.0, 255);
        assert_eq!((r.width, r.height), (30, 20));
    }

    #[test]
    fn rotation_levels_a_falling_line() {
        // A line falling to the right by 2°, drawn through the centre.
        let (w, h) = (400usize, 200usize);
        let mut img = GrayImage::white(w, h);
        let t = 2f64.to_radians().tan();
        for x in 0..w {
            let y = 100.0 + (x as f64 - 199.5) * t;
            for dy in 0..3 {
                img.set(x, (y.round() as usize) + dy, 0);
            }
        }
        let r = rotate_level(&img, 2.0, 255);
        // After levelling, the dark rows near the two ends agree.
        let dark_row = |x: usize| {
            (0..h).filter(|&y| r.get(x, y) < 128).sum::<usize>() as f64
                / (0..h).filter(|&y| r.get(x, y) < 128).count().max(1) as f64
        };
        assert!((dark_row(40) - dark_row(360)).abs() < 1.5);
    }

    #[test]
    fn resize_and_pad() {
        let img = GrayImage {
            width: 2,
            height: 1,
            data: vec![0, 255],
        };
        let u = img.resize(3.0);
        assert_eq!((u.width, u.height), (6, 3));
        assert_eq!(u.get(0, 0), 0);
        assert_eq!(u.get(5, 2), 255);
        let big = GrayImage {
            width: 4,
            height: 2,
            data: vec![0, 0, 255, 255, 0, 0, 255, 255],
        };
        let d = big.resize(0.5);
        assert_eq!((d.width, d.height, d.data.clone()), (2, 1, vec![0, 255]));
        let d = big.resize(0.75);
        assert_eq!((d.width, d.height), (3, 2));
        assert_eq!((d.get(0, 0), d.get(2, 1)), (0, 255));
        let p = img.padded(2);
        assert_eq!((p.width, p.height), (6, 5));
        assert_eq!(p.get(2, 2), 0);
        assert_eq!(p.get(0, 0), 255);
    }
}
