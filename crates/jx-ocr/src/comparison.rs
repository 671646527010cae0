//! A barred chevron seen in the pixels: the evidence for `≥` and `≤`.
//!
//! Tesseract's `chi_sim` model often reads `≥` as `>` (the bar under the
//! chevron lost) or as an ideograph of like shape (`之`, `入`, `私`) — and
//! in these forms the operator decides the meaning of a target value. The
//! glyph itself tells: `≥`/`≤` are a chevron with a separate flat bar
//! under it; `>`/`<` have no bar. The chevron's point (right or left, at
//! mid height) gives the direction. Only the first character of a reading
//! is examined, and what it shows travels with the reading as a
//! [`jx_model::HeadChevron`]; the form's grammar decides whether the
//! reading is a value whose operator that settles
//! (`jx_form::grammar::settle_operator`).

use jx_model::Pointing;

/// Width of the slot at a reading's head where its pixels are searched for
/// a comparison operator, as a share of the line's height: ≥ and ≤ are
/// about three quarters as wide as tall. A judgment, not measured; both
/// engines look with it.
pub(crate) const OPERATOR_SLOT_EM: f32 = 0.75;

/// A 0/1 ink mask of `w × h` pixels.
pub(crate) struct Mask<'a> {
    pub data: &'a [u8],
    pub w: usize,
    pub h: usize,
}

/// Looks at the region `[x0, x1) × [y0, y1)` of `mask` (the first character
/// of a value) for a chevron with a second stroke under it — flat in some
/// fonts, slanted parallel to the lower arm in others (`⩾`). `>` is one
/// connected stroke; `≥` is two, the second below the first.
pub(crate) fn comparison_with_bar(
    mask: &Mask<'_>,
    x0: usize,
    x1: usize,
    y0: usize,
    y1: usize,
) -> Option<Pointing> {
    let (x1, y1) = (x1.min(mask.w), y1.min(mask.h));
    if x1 <= x0 + 2 || y1 <= y0 + 4 {
        return None;
    }
    let comps = components8(mask, (x0, y0, x1, y1));
    let total: usize = comps.iter().map(Vec::len).sum();
    let mut big: Vec<&Vec<(usize, usize)>> = comps
        .iter()
        .filter(|c| c.len() * STROKE_SHARE_INVERSE >= total)
        .collect();
    if big.len() != 2 {
        return None;
    }
    let mean = |c: &Vec<(usize, usize)>| {
        let n = c.len() as f32;
        (
            c.iter().map(|p| p.0 as f32).sum::<f32>() / n,
            c.iter().map(|p| p.1 as f32).sum::<f32>() / n,
        )
    };
    big.sort_by(|a, b| mean(a).1.total_cmp(&mean(b).1));
    let (chevron, bar) = (big[0], big[1]);
    let span = |c: &Vec<(usize, usize)>, f: fn(&(usize, usize)) -> usize| {
        let v: Vec<usize> = c.iter().map(f).collect();
        v.iter().max().unwrap_or(&0) - v.iter().min().unwrap_or(&0) + 1
    };
    // The chevron is the larger stroke; the bar lies lower, wider
    // than half the chevron and at most three quarters of its height.
    let (ch_w, ch_h) = (span(chevron, |p| p.0), span(chevron, |p| p.1));
    let (bar_w, bar_h) = (span(bar, |p| p.0), span(bar, |p| p.1));
    if chevron.len() < bar.len() || bar_w * 2 < ch_w || bar_h * 4 > ch_h * 3 + 2 || ch_h < 4 {
        return None;
    }
    Some(pointing(chevron, ch_w, ch_h))
}

/// A region's ink that is a stroke of the operator, not a speck, holds at
/// least one part in this many of the region's ink. A judgment, not
/// measured.
const STROKE_SHARE_INVERSE: usize = 12;

/// The 8-connected components of the ink in `[x0, x1) × [y0, y1)` of
/// `mask`, each as its pixels relative to `(x0, y0)`. Here, not
/// [`crate::components::label`]: the region is a character's box, and the
/// pixels themselves are needed.
fn components8(
    mask: &Mask<'_>,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
) -> Vec<Vec<(usize, usize)>> {
    let (w, h) = (x1 - x0, y1 - y0);
    let at = |x: usize, y: usize| mask.data[(y0 + y) * mask.w + x0 + x] != 0;
    let mut label = vec![usize::MAX; w * h];
    let mut comps: Vec<Vec<(usize, usize)>> = Vec::new();
    for sy in 0..h {
        for sx in 0..w {
            if !at(sx, sy) || label[sy * w + sx] != usize::MAX {
                continue;
            }
            let id = comps.len();
            let mut pixels = Vec::new();
            let mut stack = vec![(sx, sy)];
            label[sy * w + sx] = id;
            while let Some((x, y)) = stack.pop() {
                pixels.push((x, y));
                for (dx, dy) in [
                    (-1i32, -1i32),
                    (0, -1),
                    (1, -1),
                    (-1, 0),
                    (1, 0),
                    (-1, 1),
                    (0, 1),
                    (1, 1),
                ] {
                    let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                    if nx < 0 || ny < 0 || nx >= w as i32 || ny >= h as i32 {
                        continue;
                    }
                    let (nx, ny) = (nx as usize, ny as usize);
                    if at(nx, ny) && label[ny * w + nx] == usize::MAX {
                        label[ny * w + nx] = id;
                        stack.push((nx, ny));
                    }
                }
            }
            comps.push(pixels);
        }
    }
    comps
}

/// Which way a chevron `ch_w` × `ch_h` points: right when its pixels at mid
/// height lie right of its centre (the tip of `>`), left otherwise.
fn pointing(chevron: &[(usize, usize)], ch_w: usize, ch_h: usize) -> Pointing {
    // Its point: the chevron's pixels at mid height, against its centre.
    let (ys_min, xs_min) = (
        chevron.iter().map(|p| p.1).min().unwrap_or(0),
        chevron.iter().map(|p| p.0).min().unwrap_or(0),
    );
    let mid = ys_min + ch_h / 2;
    let row: Vec<usize> = chevron
        .iter()
        .filter(|p| p.1.abs_diff(mid) <= 1)
        .map(|p| p.0)
        .collect();
    let tip = row.iter().sum::<usize>() as f32 / row.len().max(1) as f32;
    let centre = xs_min as f32 + ch_w as f32 / 2.0;
    if tip > centre {
        Pointing::Right
    } else {
        Pointing::Left
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws `>` (or `<`) 12 px tall and 10 px wide, with a bar under it
    /// when `bar`.
    fn glyph(right: bool, bar: bool) -> (Vec<u8>, usize, usize) {
        let (w, h) = (12usize, 18usize);
        let mut m = vec![0u8; w * h];
        for y in 0..12 {
            let d = if y < 6 { y } else { 11 - y };
            let x = if right { 1 + d * 8 / 6 } else { 10 - d * 8 / 6 };
            m[y * w + x] = 1;
            m[y * w + x + 1] = 1;
        }
        if bar {
            for y in 15..17 {
                for x in 1..11 {
                    m[y * w + x] = 1;
                }
            }
        }
        (m, w, h)
    }

    #[test]
    fn a_barred_chevron_is_ge_or_le_and_a_bare_one_is_not() {
        for (right, want) in [(true, Pointing::Right), (false, Pointing::Left)] {
            let (m, w, h) = glyph(right, true);
            let mask = Mask { data: &m, w, h };
            assert_eq!(comparison_with_bar(&mask, 0, w, 0, h), Some(want));
            let (m, w, h) = glyph(right, false);
            let mask = Mask { data: &m, w, h };
            assert_eq!(comparison_with_bar(&mask, 0, w, 0, h), None);
        }
    }

    #[test]
    fn a_slanted_second_stroke_counts_as_the_bar() {
        // `⩾`-like: the bar runs parallel to the lower arm, below it.
        let (w, h) = (14usize, 20usize);
        let mut m = vec![0u8; w * h];
        for y in 0..12 {
            let d = if y < 6 { y } else { 11 - y };
            m[y * w + 1 + d * 8 / 6] = 1;
            m[y * w + 2 + d * 8 / 6] = 1;
        }
        for i in 0..8 {
            m[(18 - i) * w + 2 + i] = 1;
            m[(18 - i) * w + 3 + i] = 1;
        }
        let mask = Mask { data: &m, w, h };
        assert_eq!(
            comparison_with_bar(&mask, 0, w, 0, h),
            Some(Pointing::Right)
        );
    }
}
