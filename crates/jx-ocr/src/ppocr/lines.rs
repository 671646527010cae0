//! A crop's text lines, and a line as the model's input.

use crate::crops::{Rendered, text_bands};

/// One text line of a crop, in the crop's pixels: `[x0, x1) × [y0, y1)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub x0: usize,
    pub y0: usize,
    pub x1: usize,
    pub y1: usize,
}

/// The lines of a crop, top to bottom, from the row profile of its kept
/// ink: bands at least 40 % as tall as the tallest are lines; thinner bands
/// (a stroke of punctuation, an underline) join the nearest line. Each line
/// gets a margin of an eighth of its height above and below (the model was
/// trained on detector boxes with such a margin), clamped to the crop.
///
/// Lines a little askew overlap in the row profile and make one band of
/// two: a band more than 1.8 times `text_height` (the characters' own
/// height, [`crate::crops::TextBlob`]) is cut at the emptiest rows near
/// each multiple of its height. Read as one line, such a band gave the
/// model an image of two lines and it read the first alone (a 150 dpi
/// scan's `…保障局` / `(汇总)` came out as `…保障局`).
pub(crate) fn split(r: &Rendered, text_height: usize) -> Vec<Line> {
    let (w, h) = (r.img.width, r.img.height);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let prof: Vec<u32> = (0..h)
        .map(|y| {
            r.mask[y * w..(y + 1) * w]
                .iter()
                .map(|&v| u32::from(v))
                .sum()
        })
        .collect();
    let bands = text_bands(&prof);
    let tallest = bands.iter().map(|b| b.1 - b.0).max().unwrap_or(0);
    if tallest == 0 {
        return Vec::new();
    }
    let mut lines: Vec<(usize, usize)> = bands
        .iter()
        .copied()
        .filter(|b| (b.1 - b.0) * 5 >= tallest * 2)
        .collect();
    for b in bands.iter().filter(|b| (b.1 - b.0) * 5 < tallest * 2) {
        let mid = (b.0 + b.1) / 2;
        if let Some(l) = lines.iter_mut().min_by_key(|l| {
            let c = (l.0 + l.1) / 2;
            c.abs_diff(mid)
        }) {
            l.0 = l.0.min(b.0);
            l.1 = l.1.max(b.1);
        }
    }
    let lines: Vec<(usize, usize)> = lines
        .into_iter()
        .flat_map(|b| {
            let parts = cut_merged(b, &prof, text_height);
            join_unstacked(parts, |cut| stacked_at(&r.mask, w, b, cut, text_height))
        })
        .collect();
    lines
        .into_iter()
        .filter_map(|b| trim_faint(b, &prof))
        .filter_map(|(y0, y1)| {
            let m = ((y1 - y0) / 8).max(1);
            let (y0, y1) = (y0.saturating_sub(m), (y1 + m).min(h));
            let cols = (0..w).filter(|&x| (y0..y1).any(|y| r.mask[y * w + x] != 0));
            let (mut x0, mut x1) = (usize::MAX, 0);
            for x in cols {
                x0 = x0.min(x);
                x1 = x1.max(x + 1);
            }
            (x0 < x1).then(|| {
                let pad = ((y1 - y0) / 4).max(1);
                Line {
                    x0: x0.saturating_sub(pad),
                    y0,
                    x1: (x1 + pad).min(w),
                    y1,
                }
            })
        })
        .collect()
}

/// A line's rows without the faint ones at its ends (under a twentieth of
/// its inkiest row: a speck in the blank above or below it), so that the
/// margin added next reaches the line's own edge and not into its
/// neighbour's; `None` for a part holding no ink.
fn trim_faint((y0, y1): (usize, usize), prof: &[u32]) -> Option<(usize, usize)> {
    let peak = prof[y0..y1].iter().copied().max().unwrap_or(0);
    let strong = |y: &usize| prof[*y] * 20 > peak;
    let top = (y0..y1).find(strong)?;
    let bottom = (y0..y1).rev().find(strong)? + 1;
    Some((top, bottom))
}

/// A line scaled to the model's height (bilinear), gray levels 0..255.
pub(crate) struct LineImage {
    pub width: usize,
    pub pixels: Vec<u8>,
}

/// Whether a cut at row `cut` of the band `[y0, y1)` parts two lines, one
/// above the other: some columns (a third of a character's width,
/// `text_height`, in all: a second line may be one character and a `。`)
/// hold ink both well above the cut and well below it — more than one
/// character's height apart. One line a little askew fills a band as tall
/// as two, but each of its columns holds one character's ink; cut, both
/// halves read as the whole line (`鉴定对象满章度鉴定对象满意度`).
fn stacked_at(mask: &[u8], w: usize, (y0, y1): (usize, usize), cut: usize, t: usize) -> bool {
    let t = t.max(2);
    let (near, far) = (t * 6 / 10, t);
    let above = cut.saturating_sub(far).max(y0)..cut.saturating_sub(near).max(y0);
    let below = (cut + near).min(y1)..(cut + far).min(y1);
    if above.is_empty() || below.is_empty() {
        return false;
    }
    let ink = |rows: &std::ops::Range<usize>, x: usize| rows.clone().any(|y| mask[y * w + x] != 0);
    (0..w).filter(|&x| ink(&above, x) && ink(&below, x)).count() * 3 >= t
}

/// Joins again the neighbouring parts of a cut band whose cut parts no
/// stacked lines (`stacked(cut)` false).
fn join_unstacked(
    parts: Vec<(usize, usize)>,
    stacked: impl Fn(usize) -> bool,
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(parts.len());
    for p in parts {
        match out.last_mut() {
            Some(last) if last.1 == p.0 && !stacked(p.0) => last.1 = p.1,
            _ => out.push(p),
        }
    }
    out
}

/// A band `[y0, y1)` of the row profile `prof` cut into the lines it holds
/// when it is more than 1.8 times `text_height`.
///
/// How many lines it holds is not its height over `text_height`: lines
/// stand a line's pitch apart (text and leading, 1.2–1.6 times the
/// characters' height), and a band of four lines 21 px tall at a pitch of
/// 29 px divided into six cut two of them through their characters (a
/// 150 dpi scan's `…运维工作开` read twice, once from its lower half, as
/// `在/王地u风+之*`). So each count from two up to the height over
/// seven tenths of `text_height` is tried — cuts at the emptiest row within
/// a third of a character of each even division — and the count whose
/// inkiest cut holds least ink wins (the right count cuts only between
/// lines; a wrong one cuts through some line); on a tie the larger count.
fn cut_merged((y0, y1): (usize, usize), prof: &[u32], text_height: usize) -> Vec<(usize, usize)> {
    let t = text_height.max(1);
    let h = y1 - y0;
    if h * 10 <= t * 18 {
        return vec![(y0, y1)];
    }
    let most = (h * 10 / (t * 7)).max(2);
    let cuts_for = |n: usize| {
        let mut cuts = vec![y0];
        for k in 1..n {
            let at = y0 + h * k / n;
            let reach = t / 3;
            let lo = at.saturating_sub(reach).max(cuts[cuts.len() - 1] + 1);
            let hi = (at + reach).min(y1 - 1);
            let cut = (lo..=hi)
                .min_by_key(|&y| (prof[y], y.abs_diff(at)))
                .unwrap_or(at);
            cuts.push(cut);
        }
        cuts.push(y1);
        let worst = cuts[1..n].iter().map(|&c| prof[c]).max().unwrap_or(0);
        (worst, cuts)
    };
    let (_, cuts) = (2..=most)
        .map(cuts_for)
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.len().cmp(&a.1.len())))
        .unwrap_or_else(|| cuts_for(2));
    // A part under half a character tall is the blank between two lines
    // with a speck in it, or a sliver of one: it joins the part below (the
    // last, the part above) rather than going to the model as a line.
    let mut parts: Vec<(usize, usize)> = Vec::new();
    let mut pending: Option<usize> = None;
    for w in cuts.windows(2).filter(|w| w[1] > w[0]) {
        let start = pending.take().unwrap_or(w[0]);
        if (w[1] - w[0]) * 2 < t {
            pending = Some(start);
            continue;
        }
        parts.push((start, w[1]));
    }
    if let Some(start) = pending {
        match parts.last_mut() {
            Some(last) => last.1 = y1,
            None => parts.push((start, y1)),
        }
    }
    parts
}

/// The line's pixels scaled to `height` rows, its width by the same factor
/// (at most `max_width`).
pub(crate) fn to_input(r: &Rendered, l: &Line, height: usize, max_width: usize) -> LineImage {
    let (sw, sh) = (l.x1 - l.x0, l.y1 - l.y0);
    let width =
        ((sw as f32 * height as f32 / sh.max(1) as f32).ceil() as usize).clamp(1, max_width);
    let mut pixels = vec![255u8; width * height];
    let (fx, fy) = (sw as f32 / width as f32, sh as f32 / height as f32);
    let src = |x: usize, y: usize| f32::from(r.img.data[(l.y0 + y) * r.img.width + l.x0 + x]);
    for y in 0..height {
        let v = ((y as f32 + 0.5) * fy - 0.5).clamp(0.0, (sh - 1) as f32);
        let (y0, ty) = (v.floor() as usize, v - v.floor());
        let y1 = (y0 + 1).min(sh - 1);
        for x in 0..width {
            let u = ((x as f32 + 0.5) * fx - 0.5).clamp(0.0, (sw - 1) as f32);
            let (x0, tx) = (u.floor() as usize, u - u.floor());
            let x1 = (x0 + 1).min(sw - 1);
            let top = src(x0, y0) * (1.0 - tx) + src(x1, y0) * tx;
            let bot = src(x0, y1) * (1.0 - tx) + src(x1, y1) * tx;
            pixels[y * width + x] = (top * (1.0 - ty) + bot * ty).round() as u8;
        }
    }
    LineImage { width, pixels }
}

#[cfg(test)]
mod tests {
    use super::{cut_merged, join_unstacked, stacked_at, trim_faint};

    #[test]
    fn a_line_loses_the_faint_rows_at_its_ends() {
        let prof = [0, 2, 0, 0, 60, 90, 80, 1, 0];
        assert_eq!(trim_faint((0, 9), &prof), Some((4, 7)));
        assert_eq!(trim_faint((0, 4), &prof), Some((1, 2)));
        assert_eq!(trim_faint((2, 4), &prof), None);
    }

    /// A mask `w` wide of `h` rows with ink where `ink(x, y)`.
    fn mask(w: usize, h: usize, ink: impl Fn(usize, usize) -> bool) -> Vec<u8> {
        (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| u8::from(ink(x, y)))
            .collect()
    }

    #[test]
    fn one_askew_line_as_tall_as_two_is_not_cut_and_two_stacked_lines_are() {
        let (w, h, t) = (120, 24, 10);
        // One line of characters 10 rows tall rising 10 rows across its
        // width: a band of 20 rows, each column with 10 rows of ink.
        let askew = mask(w, h, |x, y| {
            let top = 12 - x / 12;
            (top..top + 10).contains(&y) && x % 12 < 10
        });
        assert!(!stacked_at(&askew, w, (2, 22), 12, t));
        // Two level lines, the second short (`(汇总)` under `…保障局`).
        let two = mask(w, h, |x, y| {
            ((2..11).contains(&y) || ((13..22).contains(&y) && x < 40)) && x % 12 < 10
        });
        assert!(stacked_at(&two, w, (2, 22), 12, t));
        // The parts of a cut that parts nothing are joined again.
        assert_eq!(
            join_unstacked(vec![(2, 12), (12, 22)], |_| false),
            vec![(2, 22)]
        );
        assert_eq!(
            join_unstacked(vec![(2, 12), (12, 22)], |_| true),
            vec![(2, 12), (12, 22)]
        );
    }

    #[test]
    fn a_band_of_two_overlapping_lines_is_cut_at_its_emptiest_row() {
        // Two lines of 9–10 rows overlapping: one band of 18 rows.
        let mut prof = vec![0u32; 20];
        for (y, v) in prof.iter_mut().enumerate().take(19).skip(1) {
            *v = if (8..11).contains(&y) { 3 } else { 40 };
        }
        prof[9] = 1;
        assert_eq!(cut_merged((1, 19), &prof, 9), vec![(1, 9), (9, 19)]);
        // Four lines 21 rows tall at a pitch of 29 (8 empty rows between):
        // four lines, cut between them, not six (118 / 21).
        let mut four = vec![0u32; 120];
        for (y, v) in four.iter_mut().enumerate().take(116) {
            *v = if y % 29 < 21 {
                150 + (y as u32 * 7) % 40
            } else {
                0
            };
        }
        let parts = cut_merged((0, 116), &four, 21);
        assert_eq!(parts.len(), 4, "{parts:?}");
        assert!(parts.iter().all(|p| p.1 - p.0 >= 21), "{parts:?}");
        // Two lines with a wide blank between them: the blank is no line.
        let mut two = vec![0u32; 56];
        for (y, v) in two.iter_mut().enumerate() {
            *v = if (5..26).contains(&y) || (34..55).contains(&y) {
                90
            } else {
                0
            };
        }
        two[30] = 2;
        let parts = cut_merged((5, 55), &two, 21);
        assert_eq!(parts.len(), 2, "{parts:?}");
        assert!(parts.iter().all(|p| p.1 - p.0 >= 21), "{parts:?}");
        // A band of one line's height stays whole.
        assert_eq!(cut_merged((1, 12), &prof, 10), vec![(1, 12)]);
    }
}
