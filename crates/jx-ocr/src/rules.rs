//! Ruling lines found in the binarized, deskewed image.
//!
//! Equivalent to a morphological opening with long line elements, done on run
//! lengths: a horizontal rule is a bundle of adjacent rows each holding a long
//! run of ink. Steps, for each axis:
//!
//! 1. runs of ink along the axis, bridging gaps of up to `run_gap` pixels
//!    (scanner dropouts, JPEG blocks that broke a thin line);
//! 2. runs at least `min_len` long are kept — a Chinese character is at most
//!    one em long, so strokes never qualify;
//! 3. kept runs on neighbouring rows (columns) that overlap are bundled into a
//!    segment; its position is the ink-weighted centre and its thickness the
//!    ink area divided by its length;
//! 4. segments on the same line separated by up to `segment_gap` are joined
//!    (larger dropouts, a cell's text touching the rule), and segments thicker
//!    than `max_thickness` (filled bars, black borders of the scan) dropped;
//! 5. a segment shorter than `lone_len` that touches no rule of the other
//!    axis is dropped: table borders always meet a perpendicular border,
//!    while an isolated dash or underline in the text does not.

use crate::binarize::InkImage;

/// A rule in pixel units of the deskewed image.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PixelRule {
    pub horizontal: bool,
    /// y of a horizontal rule, x of a vertical one (stroke centre).
    pub position: f32,
    /// Extent along the rule, `[start, end)`.
    pub start: f32,
    pub end: f32,
    /// Stroke thickness.
    pub thickness: f32,
}

impl PixelRule {
    pub fn length(&self) -> f32 {
        self.end - self.start
    }
}

/// Thresholds of rule finding, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RuleParams {
    pub min_len_h: usize,
    pub min_len_v: usize,
    pub run_gap: usize,
    pub segment_gap: f32,
    pub max_thickness: f32,
    pub lone_len: f32,
    /// Rules this close to an image edge they run along are dropped — on the
    /// sides where the image reaches the page edge (see
    /// [`crate::PreparedPage::edge_margins_px`]): a form never prints a
    /// border there, but scans have platen edges and shadows. Left, top,
    /// right, bottom; 0 disables a side.
    pub edge_margins: [f32; 4],
}

impl RuleParams {
    /// Defaults for a page scanned at `dpi`. Lengths are in points converted
    /// to pixels: horizontal rules ≥ 24 pt (narrowest form column ≈ 40 pt,
    /// widest character ≈ 12 pt), vertical ≥ 14 pt (one table row is ≈ 18 pt;
    /// a character's vertical stroke at most ≈ 12 pt).
    pub fn for_dpi(dpi: f32) -> Self {
        let px = |pt: f32| (pt * dpi / 72.0).max(1.0);
        RuleParams {
            min_len_h: px(24.0) as usize,
            min_len_v: px(14.0) as usize,
            run_gap: (px(0.6).round() as usize).max(1),
            segment_gap: px(4.0),
            max_thickness: px(4.0),
            lone_len: px(60.0),
            edge_margins: [crate::prepare::EDGE_MARGIN_INCH * dpi; 4],
        }
    }
}

#[derive(Debug, Clone)]
struct Run {
    line: usize,
    a0: usize,
    a1: usize, // exclusive
}

#[derive(Debug, Clone)]
struct Seg {
    last_line: usize,
    a0: usize,
    a1: usize,
    ink: f64,
    weighted_line: f64,
    /// Extent of the most recent row, for matching the next row's runs.
    cur_a0: usize,
    cur_a1: usize,
}

/// Finds horizontal and vertical rules in `ink`.
pub fn find_rules(ink: &InkImage, p: &RuleParams) -> Vec<PixelRule> {
    if ink.width == 0 || ink.height == 0 {
        return Vec::new();
    }
    // Runs down to a sixteenth of the minimum length are collected so that the
    // tip of a rule cut off by a dropout can be rejoined to it; such pieces
    // only ever join a segment that is long by itself (text strokes, all
    // short, never chain up into a rule).
    let h_runs = horizontal_runs(ink, (p.min_len_h / 16).max(3), p.run_gap);
    let v_runs = vertical_runs(ink, (p.min_len_v / 16).max(3), p.run_gap);
    let mut hs = join_collinear(bundle(h_runs, true, p.min_len_h), p, p.min_len_h as f32);
    let mut vs = join_collinear(bundle(v_runs, false, p.min_len_v), p, p.min_len_v as f32);
    let (w, h) = (ink.width as f32, ink.height as f32);
    hs.retain(|r| {
        r.thickness <= p.max_thickness
            && r.length() >= p.min_len_h as f32
            && r.position > p.edge_margins[1]
            && r.position < h - p.edge_margins[3]
    });
    vs.retain(|r| {
        r.thickness <= p.max_thickness
            && r.length() >= p.min_len_v as f32
            && r.position > p.edge_margins[0]
            && r.position < w - p.edge_margins[2]
    });
    let reach = p.segment_gap;
    let touches = |a: &PixelRule, others: &[PixelRule]| {
        others.iter().any(|b| {
            b.position >= a.start - reach
                && b.position <= a.end + reach
                && a.position >= b.start - reach
                && a.position <= b.end + reach
        })
    };
    let hs_keep: Vec<PixelRule> = hs
        .iter()
        .filter(|r| r.length() >= p.lone_len || touches(r, &vs))
        .copied()
        .collect();
    let vs_keep: Vec<PixelRule> = vs
        .iter()
        .filter(|r| r.length() >= p.lone_len || touches(r, &hs))
        .copied()
        .collect();
    let mut all = hs_keep;
    all.extend(vs_keep);
    all
}

fn horizontal_runs(ink: &InkImage, min_len: usize, gap: usize) -> Vec<Run> {
    let mut runs = Vec::new();
    for y in 0..ink.height {
        let row = &ink.data[y * ink.width..(y + 1) * ink.width];
        let mut start: Option<usize> = None;
        let mut last_ink = 0usize;
        for (x, &v) in row.iter().enumerate() {
            if v == 0 {
                continue;
            }
            if let Some(s) = start {
                if x - last_ink - 1 > gap {
                    if last_ink + 1 - s >= min_len {
                        runs.push(Run {
                            line: y,
                            a0: s,
                            a1: last_ink + 1,
                        });
                    }
                    start = Some(x);
                }
            } else {
                start = Some(x);
            }
            last_ink = x;
        }
        if let Some(s) = start
            && last_ink + 1 - s >= min_len
        {
            runs.push(Run {
                line: y,
                a0: s,
                a1: last_ink + 1,
            });
        }
    }
    runs
}

/// Column runs, scanned row by row with per-column state (cache friendly).
fn vertical_runs(ink: &InkImage, min_len: usize, gap: usize) -> Vec<Run> {
    let w = ink.width;
    let mut start: Vec<usize> = vec![usize::MAX; w];
    let mut last: Vec<usize> = vec![0; w];
    let mut runs = Vec::new();
    for y in 0..ink.height {
        let row = &ink.data[y * w..(y + 1) * w];
        for x in 0..w {
            if row[x] == 0 {
                continue;
            }
            if start[x] != usize::MAX && y - last[x] - 1 > gap {
                if last[x] + 1 - start[x] >= min_len {
                    runs.push(Run {
                        line: x,
                        a0: start[x],
                        a1: last[x] + 1,
                    });
                }
                start[x] = y;
            } else if start[x] == usize::MAX {
                start[x] = y;
            }
            last[x] = y;
        }
    }
    for x in 0..w {
        if start[x] != usize::MAX && last[x] + 1 - start[x] >= min_len {
            runs.push(Run {
                line: x,
                a0: start[x],
                a1: last[x] + 1,
            });
        }
    }
    runs.sort_by_key(|r| (r.line, r.a0));
    runs
}

/// Bundles runs on adjacent lines (rows for horizontal rules) into segments.
///
/// A run joins a segment when they overlap by half the *longer* of the two,
/// or by at least `long` pixels (the rows of a slightly slanted rule step
/// along it). Overlap relative to the shorter would let the short runs of a
/// crossing perpendicular rule chain the two rules into one bundle.
fn bundle(runs: Vec<Run>, horizontal: bool, long: usize) -> Vec<PixelRule> {
    let mut open: Vec<Seg> = Vec::new();
    let mut done: Vec<Seg> = Vec::new();
    let mut i = 0;
    while i < runs.len() {
        let line = runs[i].line;
        // Close segments that did not continue onto the previous line.
        let (keep, closed): (Vec<Seg>, Vec<Seg>) =
            open.into_iter().partition(|s| s.last_line + 2 >= line);
        done.extend(closed);
        open = keep;
        let mut touched: Vec<bool> = vec![false; open.len()];
        let mut next_cur: Vec<(usize, usize)> = open.iter().map(|s| (s.cur_a0, s.cur_a1)).collect();
        while i < runs.len() && runs[i].line == line {
            let r = &runs[i];
            let len = r.a1 - r.a0;
            let found = open.iter().position(|s| {
                let ov = r.a1.min(s.cur_a1) as isize - r.a0.max(s.cur_a0) as isize;
                ov > 0 && (ov as usize * 2 >= len.max(s.cur_a1 - s.cur_a0) || ov as usize >= long)
            });
            match found {
                Some(k) => {
                    let s = &mut open[k];
                    s.last_line = line;
                    s.a0 = s.a0.min(r.a0);
                    s.a1 = s.a1.max(r.a1);
                    s.ink += len as f64;
                    s.weighted_line += len as f64 * line as f64;
                    if touched[k] {
                        next_cur[k] = (next_cur[k].0.min(r.a0), next_cur[k].1.max(r.a1));
                    } else {
                        next_cur[k] = (r.a0, r.a1);
                        touched[k] = true;
                    }
                }
                None => {
                    open.push(Seg {
                        last_line: line,
                        a0: r.a0,
                        a1: r.a1,
                        ink: len as f64,
                        weighted_line: len as f64 * line as f64,
                        cur_a0: r.a0,
                        cur_a1: r.a1,
                    });
                    touched.push(true);
                    next_cur.push((r.a0, r.a1));
                }
            }
            i += 1;
        }
        for (s, c) in open.iter_mut().zip(next_cur) {
            s.cur_a0 = c.0;
            s.cur_a1 = c.1;
        }
    }
    done.extend(open);
    done.into_iter()
        .map(|s| {
            let len = (s.a1 - s.a0) as f64;
            PixelRule {
                horizontal,
                position: (s.weighted_line / s.ink) as f32 + 0.5,
                start: s.a0 as f32,
                end: s.a1 as f32,
                thickness: (s.ink / len) as f32,
            }
        })
        .collect()
}

/// Joins segments lying on one line with small gaps between them: first the
/// long segments (≥ `long`) among themselves, then each short piece to a long
/// segment it continues. Short pieces never join each other, so text strokes
/// cannot chain into a rule.
fn join_collinear(segs: Vec<PixelRule>, p: &RuleParams, long: f32) -> Vec<PixelRule> {
    let (mut longs, shorts): (Vec<PixelRule>, Vec<PixelRule>) =
        segs.into_iter().partition(|s| s.length() >= long);
    let tol_of = |s: &PixelRule| s.thickness.clamp(2.0, p.max_thickness.max(2.0));
    let merge = |o: &mut PixelRule, s: &PixelRule| {
        let (lo, ls) = (o.length().max(1.0), s.length().max(1.0));
        o.position = (o.position * lo + s.position * ls) / (lo + ls);
        o.thickness = (o.thickness * lo + s.thickness * ls) / (lo + ls);
        o.end = o.end.max(s.end);
        o.start = o.start.min(s.start);
    };
    // Long with long, in order along the line; repeat while anything merged
    // (a merge can bring two earlier entries within reach of each other).
    loop {
        longs.sort_by(|a, b| a.start.total_cmp(&b.start));
        let mut out: Vec<PixelRule> = Vec::with_capacity(longs.len());
        let mut merged = false;
        for s in longs {
            let tol = tol_of(&s);
            let best = out
                .iter()
                .enumerate()
                .filter(|(_, o)| {
                    (o.position - s.position).abs() <= tol && s.start - o.end <= p.segment_gap
                })
                .min_by(|a, b| {
                    (a.1.position - s.position)
                        .abs()
                        .total_cmp(&(b.1.position - s.position).abs())
                })
                .map(|(i, _)| i);
            match best {
                Some(i) => {
                    merge(&mut out[i], &s);
                    merged = true;
                }
                None => out.push(s),
            }
        }
        longs = out;
        if !merged {
            break;
        }
    }
    // Short pieces extending a long segment past a dropout at either end.
    longs.sort_by(|a, b| a.position.total_cmp(&b.position));
    let max_tol = p.max_thickness.max(2.0);
    let mut extended = longs.clone();
    for s in &shorts {
        let lo = longs.partition_point(|o| o.position < s.position - max_tol);
        for (i, o) in longs.iter().enumerate().skip(lo) {
            if o.position > s.position + max_tol {
                break;
            }
            let tol = tol_of(o);
            let reaches = s.start - o.end <= p.segment_gap && o.start - s.end <= p.segment_gap;
            if (o.position - s.position).abs() <= tol && reaches {
                let e = &mut extended[i];
                e.start = e.start.min(s.start);
                e.end = e.end.max(s.end);
                break;
            }
        }
    }
    extended.sort_by(|a, b| {
        a.position
            .total_cmp(&b.position)
            .then(a.start.total_cmp(&b.start))
    });
    extended
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testimg::{GRID_COLS, GRID_ROWS, grid_ink};

    #[test]
    fn finds_grid_rules_despite_gaps_and_ignores_text() {
        let ink = grid_ink(1000, 1400);
        let p = RuleParams::for_dpi(150.0);
        let rules = find_rules(&ink, &p);
        let hs: Vec<_> = rules.iter().filter(|r| r.horizontal).collect();
        let vs: Vec<_> = rules.iter().filter(|r| !r.horizontal).collect();
        assert_eq!(hs.len(), GRID_ROWS.len(), "{hs:#?}");
        assert_eq!(vs.len(), GRID_COLS.len(), "{vs:#?}");
        for (r, &y) in hs.iter().zip(GRID_ROWS.iter()) {
            assert!((r.position - (y as f32 + 1.5)).abs() < 1.0, "{r:?} vs {y}");
            assert!(r.start <= GRID_COLS[0] as f32 + 1.0, "{r:?}");
            assert!(r.end >= *GRID_COLS.last().unwrap() as f32 + 2.0);
            assert!((r.thickness - 3.0).abs() < 0.6, "{r:?}");
        }
        for (r, &x) in vs.iter().zip(GRID_COLS.iter()) {
            assert!((r.position - (x as f32 + 1.5)).abs() < 1.0, "{r:?} vs {x}");
        }
    }

    #[test]
    fn empty_and_black() {
        let p = RuleParams::for_dpi(300.0);
        assert!(find_rules(&InkImage::empty(0, 0), &p).is_empty());
        // A platen edge along the left border is not a rule.
        let mut edge = InkImage::empty(600, 800);
        for y in 0..800 {
            for x in 10..14 {
                edge.data[y * 600 + x] = 1;
            }
        }
        assert!(find_rules(&edge, &p).is_empty());
        assert!(find_rules(&InkImage::empty(100, 100), &p).is_empty());
        let black = InkImage {
            width: 400,
            height: 400,
            data: vec![1; 160_000],
        };
        // Solid ink is one very thick "rule": rejected by the thickness cap.
        assert!(find_rules(&black, &p).is_empty());
    }
}
