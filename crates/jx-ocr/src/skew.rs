//! Skew estimation by projection profiles.
//!
//! A form page is dominated by long horizontal table rules and lines of text.
//! When the dark pixels are projected onto the y axis along the true text
//! direction, those rows pile up into tall narrow peaks; at any other angle the
//! peaks smear. The angle whose profile has the largest sum of squared bin
//! counts is the skew. This needs no line detection first (which itself would
//! need a deskewed image) and degrades gracefully on pages without rules,
//! where text lines alone give the peaks.

use crate::raster::GrayImage;

/// Estimates the skew of `img` in degrees within `±max_degrees`.
///
/// Positive means content falls to the right (y grows with x in image
/// coordinates, i.e. the page was turned clockwise); [`crate::raster::rotate_level`]
/// with the same value levels it. `step` is the pixel stride used to sample
/// dark pixels (≈ dpi/150 keeps it fast without losing precision). Returns 0
/// when the image has too few dark pixels to tell.
pub fn estimate_skew(img: &GrayImage, max_degrees: f32, step: usize) -> f32 {
    if img.is_empty() || max_degrees <= 0.0 {
        return 0.0;
    }
    let step = step.max(1);
    let threshold = dark_threshold(img);
    // Dark sample points, relative to the image centre.
    let cx = img.width as f32 / 2.0;
    let mut pts: Vec<(f32, f32)> = Vec::new();
    for y in (0..img.height).step_by(step) {
        let row = &img.data[y * img.width..(y + 1) * img.width];
        for x in (0..img.width).step_by(step) {
            if row[x] < threshold {
                pts.push((x as f32 - cx, y as f32));
            }
        }
    }
    let sampled = img.width.div_ceil(step) * img.height.div_ceil(step);
    // Too little ink to tell, or so much (a black page, a photo) that the
    // profile means nothing.
    if pts.len() < 50 || pts.len() * 2 > sampled {
        return 0.0;
    }
    // Samples only every `step` rows, so bin at that granularity.
    let bin = step as f32;
    let nbins = (img.height as f32 / bin) as usize + (img.width as f32 / bin) as usize + 4;
    let offset = (img.width as f32 / bin) as isize / 2 + 2;
    let mut hist = vec![0u32; nbins];
    let mut score = |deg: f32| -> f64 {
        hist.iter_mut().for_each(|h| *h = 0);
        let t = deg.to_radians().tan();
        for &(x, y) in &pts {
            let b = ((y - x * t) / bin).round() as isize + offset;
            if b >= 0 && (b as usize) < nbins {
                hist[b as usize] += 1;
            }
        }
        hist.iter().map(|&c| (c as f64) * (c as f64)).sum()
    };
    // Coarse search, then two refinements around the best angle.
    let mut best = 0.0f32;
    let mut best_score = score(0.0);
    let mut search = |lo: f32, hi: f32, d: f32, best: &mut f32, best_score: &mut f64| {
        let n = ((hi - lo) / d).round() as i32;
        for i in 0..=n {
            let a = lo + i as f32 * d;
            let s = score(a);
            if s > *best_score {
                *best_score = s;
                *best = a;
            }
        }
    };
    search(-max_degrees, max_degrees, 0.2, &mut best, &mut best_score);
    let c = best;
    search(c - 0.2, c + 0.2, 0.05, &mut best, &mut best_score);
    // Last step: within ±0.05° several angles can give the very same profile
    // (the bins do not move); take the middle of those that share the top
    // score rather than the first.
    let c = best;
    let fine: Vec<(f32, f64)> = (-5..=5)
        .map(|i| {
            let a = c + i as f32 * 0.01;
            (a, score(a))
        })
        .collect();
    let top = fine.iter().map(|f| f.1).fold(f64::MIN, f64::max);
    let tied: Vec<f32> = fine.iter().filter(|f| f.1 == top).map(|f| f.0).collect();
    if top >= best_score && !tied.is_empty() {
        best = tied.iter().sum::<f32>() / tied.len() as f32;
    }
    (best * 100.0).round() / 100.0
}

/// A gray level separating print from paper: Otsu's threshold on the
/// histogram, capped so that a blank page's noise is not called ink.
pub fn dark_threshold(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for &p in &img.data {
        hist[p as usize] += 1;
    }
    otsu(&hist).min(160)
}

/// Otsu's method: the threshold maximising between-class variance.
pub fn otsu(hist: &[u64; 256]) -> u8 {
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return 128;
    }
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w0, mut sum0) = (0f64, 0f64);
    let (mut best_t, mut best_v) = (128u8, -1f64);
    for (t, &c) in hist.iter().enumerate() {
        w0 += c as f64;
        if w0 == 0.0 {
            continue;
        }
        let w1 = total as f64 - w0;
        if w1 == 0.0 {
            break;
        }
        sum0 += t as f64 * c as f64;
        let m0 = sum0 / w0;
        let m1 = (sum_all - sum0) / w1;
        let v = w0 * w1 * (m0 - m1) * (m0 - m1);
        if v > best_v {
            best_v = v;
            best_t = t as u8;
        }
    }
    best_t.saturating_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::rotate_level;
    use crate::testimg::{grid_page, noise};

    #[test]
    fn finds_skew_of_rotated_grid() {
        let page = grid_page(1000, 1400, true);
        for &deg in &[-3.0f32, -1.3, -0.4, 0.0, 0.7, 1.5, 2.8] {
            // Rotating by −deg makes lines fall by +deg.
            let mut skewed = rotate_level(&page, -deg, 255);
            noise(&mut skewed, 7);
            let est = estimate_skew(&skewed, 5.0, 2);
            assert!((est - deg).abs() <= 0.2, "true {deg}, estimated {est}");
        }
    }

    #[test]
    fn blank_and_black_pages_give_zero() {
        assert_eq!(estimate_skew(&GrayImage::white(200, 300), 5.0, 1), 0.0);
        let black = GrayImage {
            width: 50,
            height: 60,
            data: vec![0; 3000],
        };
        assert_eq!(estimate_skew(&black, 5.0, 1), 0.0);
        assert_eq!(estimate_skew(&GrayImage::default(), 5.0, 1), 0.0);
    }
}
