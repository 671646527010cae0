//! Rules → table frames: connected rules form a table, their positions the
//! grid lines, and a missing rule between two grid cells merges them.

use crate::options::GridOptions;
use crate::snap::{cluster_positions, snap_and_join};
use jx_model::{Rect, Rule, RuleAxis};

/// The geometry of one table, before any text: grid lines and merged cells.
#[derive(Debug, Clone, PartialEq)]
pub struct TableFrame {
    pub bbox: Rect,
    /// Column boundaries, ascending.
    pub col_edges: Vec<f32>,
    /// Row boundaries, ascending.
    pub row_edges: Vec<f32>,
    /// Cells ordered by (row, col).
    pub cells: Vec<FrameCell>,
    /// The first row has no rule above it (see [`jx_model::Table::cut_top`]).
    pub cut_top: bool,
    /// The last row has no rule below it.
    pub cut_bottom: bool,
}

/// One (possibly merged) cell of a frame.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FrameCell {
    pub row: usize,
    pub col: usize,
    pub row_span: usize,
    pub col_span: usize,
    pub bbox: Rect,
}

/// Finds every ruled table among `rules`, top to bottom.
pub fn frames(rules: &[Rule], opts: &GridOptions) -> Vec<TableFrame> {
    let h = snap_and_join(rules, RuleAxis::Horizontal, opts);
    let v = snap_and_join(rules, RuleAxis::Vertical, opts);
    let mut tables: Vec<TableFrame> = components(&h, &v, opts)
        .into_iter()
        .filter_map(|(hs, vs)| frame_of(&hs, &vs, opts))
        .collect();
    tables.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
    tables
}

fn touches(h: &Rule, v: &Rule, tol: f32) -> bool {
    v.position >= h.start - tol
        && v.position <= h.end + tol
        && h.position >= v.start - tol
        && h.position <= v.end + tol
}

/// The root of `i` in a union-find forest (with path halving).
fn find(p: &mut [usize], mut i: usize) -> usize {
    while p[i] != i {
        p[i] = p[p[i]];
        i = p[i];
    }
    i
}

/// Groups horizontal and vertical rules into sets that cross each other.
fn components(h: &[Rule], v: &[Rule], opts: &GridOptions) -> Vec<(Vec<Rule>, Vec<Rule>)> {
    let n = h.len() + v.len();
    let mut parent: Vec<usize> = (0..n).collect();
    for (i, hr) in h.iter().enumerate() {
        for (j, vr) in v.iter().enumerate() {
            if touches(hr, vr, opts.touch) {
                let (a, b) = (find(&mut parent, i), find(&mut parent, h.len() + j));
                parent[a] = b;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, (Vec<Rule>, Vec<Rule>)> = Default::default();
    for (i, r) in h.iter().enumerate() {
        groups.entry(find(&mut parent, i)).or_default().0.push(*r);
    }
    for (j, r) in v.iter().enumerate() {
        groups
            .entry(find(&mut parent, h.len() + j))
            .or_default()
            .1
            .push(*r);
    }
    groups.into_values().collect()
}

/// Share of the interval `[a, b]` covered by rules at `position` (± tol).
fn coverage(rules: &[Rule], position: f32, a: f32, b: f32, tol: f32) -> f32 {
    let len = (b - a).max(1e-3);
    let covered: f32 = rules
        .iter()
        .filter(|r| (r.position - position).abs() <= tol)
        .map(|r| (r.end.min(b) - r.start.max(a)).max(0.0))
        .sum();
    (covered / len).min(1.0)
}

/// The frame of one set of crossing rules: its grid lines (with a row
/// added where a page break cut the table open) and merged cells; `None`
/// when the rules make fewer rows or columns than a table has.
fn frame_of(h: &[Rule], v: &[Rule], opts: &GridOptions) -> Option<TableFrame> {
    let mut rows = cluster_positions(h.iter().map(|r| r.position).collect(), opts.snap);
    // The ends of the horizontal rules bound the table too: a producer may
    // leave out a side's vertical rule (LibreOffice does on a continued row).
    let h_ends = [
        h.iter().map(|r| r.start).fold(f32::MAX, f32::min),
        h.iter().map(|r| r.end).fold(f32::MIN, f32::max),
    ];
    let cols = cluster_positions(
        v.iter()
            .map(|r| r.position)
            .chain(h_ends.into_iter().filter(|x| x.is_finite()))
            .collect(),
        opts.snap,
    );
    if rows.is_empty() || cols.len() < opts.min_cols + 1 {
        return None;
    }
    // A table cut by a page break has no rule where it was cut: its vertical
    // rules run on past the last horizontal one. The open part is a row —
    // the only one where a form's last row runs alone onto the next page
    // under no rule (a browser draws a row's top border once, on the page
    // where the table began).
    let (cut_top, cut_bottom) = open_ends(v, &rows, opts);
    if let Some(top) = cut_top {
        rows.insert(0, top);
    }
    if let Some(bottom) = cut_bottom {
        rows.push(bottom);
    }
    if rows.len() < 2 || rows.len() < opts.min_rows + 1 {
        return None;
    }
    let (nr, nc) = (rows.len() - 1, cols.len() - 1);
    let cells = merged_cells(h, v, &rows, &cols, opts);
    Some(TableFrame {
        bbox: Rect::new(cols[0], rows[0], cols[nc], rows[nr]),
        col_edges: cols,
        row_edges: rows,
        cells,
        cut_top: cut_top.is_some(),
        cut_bottom: cut_bottom.is_some(),
    })
}

/// The cells of the grid `rows` × `cols`: grid cells with no rule (or too
/// little of one) between them are one merged cell, the bounding grid
/// rectangle of their region. Ordered by (row, col).
fn merged_cells(
    h: &[Rule],
    v: &[Rule],
    rows: &[f32],
    cols: &[f32],
    opts: &GridOptions,
) -> Vec<FrameCell> {
    let (nr, nc) = (rows.len() - 1, cols.len() - 1);
    let tol = opts.snap;
    // open_right[r][c]: no rule between grid cells (r, c) and (r, c + 1).
    let open_right = |r: usize, c: usize| {
        coverage(v, cols[c + 1], rows[r], rows[r + 1], tol) < opts.min_edge_coverage
    };
    let open_below = |r: usize, c: usize| {
        coverage(h, rows[r + 1], cols[c], cols[c + 1], tol) < opts.min_edge_coverage
    };
    // Union-find over grid cells joined through missing rules.
    let mut parent: Vec<usize> = (0..nr * nc).collect();
    for r in 0..nr {
        for c in 0..nc {
            if c + 1 < nc && open_right(r, c) {
                let (a, b) = (
                    find(&mut parent, r * nc + c),
                    find(&mut parent, r * nc + c + 1),
                );
                parent[a] = b;
            }
            if r + 1 < nr && open_below(r, c) {
                let (a, b) = (
                    find(&mut parent, r * nc + c),
                    find(&mut parent, (r + 1) * nc + c),
                );
                parent[a] = b;
            }
        }
    }
    // Each region's bounding grid rectangle is one cell.
    let mut spans: std::collections::BTreeMap<usize, (usize, usize, usize, usize)> =
        Default::default();
    for r in 0..nr {
        for c in 0..nc {
            let root = find(&mut parent, r * nc + c);
            let e = spans.entry(root).or_insert((r, c, r, c));
            e.0 = e.0.min(r);
            e.1 = e.1.min(c);
            e.2 = e.2.max(r);
            e.3 = e.3.max(c);
        }
    }
    let mut cells: Vec<FrameCell> = spans
        .into_values()
        .map(|(r0, c0, r1, c1)| FrameCell {
            row: r0,
            col: c0,
            row_span: r1 - r0 + 1,
            col_span: c1 - c0 + 1,
            bbox: Rect::new(cols[c0], rows[r0], cols[c1 + 1], rows[r1 + 1]),
        })
        .collect();
    cells.sort_by_key(|c| (c.row, c.col));
    cells
}

/// Where vertical rules (at two or more distinct positions, so at least both
/// sides of the table) run past the first or last horizontal rule by more
/// than `opts.open_end`, the furthest point they reach.
fn open_ends(v: &[Rule], rows: &[f32], opts: &GridOptions) -> (Option<f32>, Option<f32>) {
    let (first, last) = (rows[0], rows[rows.len() - 1]);
    let reach = |beyond: &dyn Fn(&Rule) -> Option<f32>, pick_min: bool| {
        let ends: Vec<(f32, f32)> = v
            .iter()
            .filter_map(|r| beyond(r).map(|e| (r.position, e)))
            .collect();
        let distinct = cluster_positions(ends.iter().map(|e| e.0).collect(), opts.snap).len();
        (distinct >= 2).then(|| {
            let it = ends.iter().map(|e| e.1);
            if pick_min {
                it.fold(f32::MAX, f32::min)
            } else {
                it.fold(f32::MIN, f32::max)
            }
        })
    };
    let top = reach(
        &|r: &Rule| (first - r.start > opts.open_end).then_some(r.start),
        true,
    );
    let bottom = reach(
        &|r: &Rule| (r.end - last > opts.open_end).then_some(r.end),
        false,
    );
    (top, bottom)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3×3 grid of 10 pt cells whose middle row has its first two cells
    /// merged (no rule between them).
    fn grid_with_merge() -> Vec<Rule> {
        let mut rules = Vec::new();
        for y in [0.0, 10.0, 20.0, 30.0] {
            rules.push(Rule::horizontal(y, 0.0, 30.0, 0.5));
        }
        rules.push(Rule::vertical(0.0, 0.0, 30.0, 0.5));
        rules.push(Rule::vertical(30.0, 0.0, 30.0, 0.5));
        rules.push(Rule::vertical(20.0, 0.0, 30.0, 0.5));
        rules.push(Rule::vertical(10.0, 0.0, 10.0, 0.5));
        rules.push(Rule::vertical(10.0, 20.0, 30.0, 0.5));
        rules
    }

    #[test]
    fn one_row_under_no_rule_is_a_table_cut_open_at_the_top() {
        let rules = vec![
            Rule::horizontal(20.0, 0.0, 30.0, 0.5),
            Rule::vertical(0.0, 0.0, 20.0, 0.5),
            Rule::vertical(10.0, 0.0, 20.0, 0.5),
            Rule::vertical(30.0, 0.0, 20.0, 0.5),
        ];
        let f = frames(&rules, &GridOptions::default());
        assert_eq!(f.len(), 1);
        assert!(f[0].cut_top && !f[0].cut_bottom);
        assert_eq!(f[0].row_edges, vec![0.0, 20.0]);
        assert_eq!(f[0].cells.len(), 2);
    }

    #[test]
    fn missing_rule_merges_cells() {
        let f = frames(&grid_with_merge(), &GridOptions::default());
        assert_eq!(f.len(), 1);
        let t = &f[0];
        assert_eq!((t.row_edges.len(), t.col_edges.len()), (4, 4));
        assert_eq!(t.cells.len(), 8);
        let merged = t.cells.iter().find(|c| c.row == 1 && c.col == 0).unwrap();
        assert_eq!((merged.row_span, merged.col_span), (1, 2));
    }

    #[test]
    fn vertical_merge_spans_rows() {
        // One column whose left cell spans both rows: no rule between them on the left.
        let rules = vec![
            Rule::horizontal(0.0, 0.0, 20.0, 0.5),
            Rule::horizontal(10.0, 10.0, 20.0, 0.5),
            Rule::horizontal(20.0, 0.0, 20.0, 0.5),
            Rule::vertical(0.0, 0.0, 20.0, 0.5),
            Rule::vertical(10.0, 0.0, 20.0, 0.5),
            Rule::vertical(20.0, 0.0, 20.0, 0.5),
        ];
        let t = &frames(&rules, &GridOptions::default())[0];
        let left = t.cells.iter().find(|c| c.col == 0).unwrap();
        assert_eq!(left.row_span, 2);
        assert_eq!(t.cells.len(), 3);
    }

    #[test]
    fn separate_tables_are_separate() {
        let mut rules = grid_with_merge();
        rules.extend(grid_with_merge().into_iter().map(|mut r| {
            if r.axis == RuleAxis::Horizontal {
                r.position += 100.0;
            } else {
                r.start += 100.0;
                r.end += 100.0;
            }
            r
        }));
        assert_eq!(frames(&rules, &GridOptions::default()).len(), 2);
    }

    #[test]
    fn rules_running_past_the_last_border_make_an_open_row() {
        // Two closed rows, then the side rules go on to y = 45 with no rule
        // under them: the page was cut there.
        let rules = vec![
            Rule::horizontal(0.0, 0.0, 20.0, 0.5),
            Rule::horizontal(10.0, 0.0, 20.0, 0.5),
            Rule::horizontal(20.0, 0.0, 20.0, 0.5),
            Rule::vertical(0.0, 0.0, 45.0, 0.5),
            Rule::vertical(10.0, 0.0, 45.0, 0.5),
            Rule::vertical(20.0, 0.0, 45.0, 0.5),
        ];
        let t = &frames(&rules, &GridOptions::default())[0];
        assert!(t.cut_bottom && !t.cut_top);
        assert_eq!(t.row_edges.last().copied(), Some(45.0));
        assert_eq!(t.cells.iter().filter(|c| c.row == 2).count(), 2);
    }

    #[test]
    fn a_lone_underline_is_no_table() {
        let rules = vec![Rule::horizontal(50.0, 0.0, 100.0, 0.5)];
        assert!(frames(&rules, &GridOptions::default()).is_empty());
    }
}
