//! Ruling segments snapped to shared positions and joined into lines.

use crate::options::GridOptions;
use jx_model::{Rule, RuleAxis};

/// Snaps rules of one axis whose positions are within `opts.snap` to their
/// common (length-weighted) position, then joins collinear pieces whose gap is
/// at most `opts.join_gap`. Returns rules sorted by position, then start.
pub fn snap_and_join(rules: &[Rule], axis: RuleAxis, opts: &GridOptions) -> Vec<Rule> {
    let mut rs: Vec<Rule> = rules.iter().filter(|r| r.axis == axis).copied().collect();
    rs.sort_by(|a, b| a.position.total_cmp(&b.position));
    let mut out = Vec::new();
    let mut i = 0;
    while i < rs.len() {
        let mut j = i + 1;
        while j < rs.len() && rs[j].position - rs[j - 1].position <= opts.snap {
            j += 1;
        }
        let group = &mut rs[i..j];
        let weight: f32 = group.iter().map(|r| r.length().max(0.1)).sum();
        let pos = group
            .iter()
            .map(|r| r.position * r.length().max(0.1))
            .sum::<f32>()
            / weight;
        group.sort_by(|a, b| a.start.total_cmp(&b.start));
        let mut cur = group[0];
        cur.position = pos;
        for r in group.iter().skip(1) {
            if r.start <= cur.end + opts.join_gap {
                cur.end = cur.end.max(r.end);
                cur.thickness = cur.thickness.max(r.thickness);
            } else {
                out.push(cur);
                cur = Rule {
                    position: pos,
                    ..*r
                };
            }
        }
        out.push(cur);
        i = j;
    }
    out
}

/// Clusters sorted-or-not positions within `tol`, returning cluster means.
pub fn cluster_positions(mut values: Vec<f32>, tol: f32) -> Vec<f32> {
    values.sort_by(f32::total_cmp);
    let mut out: Vec<f32> = Vec::new();
    let mut group: Vec<f32> = Vec::new();
    for v in values {
        if let Some(last) = group.last()
            && v - last > tol
        {
            out.push(group.iter().sum::<f32>() / group.len() as f32);
            group.clear();
        }
        group.push(v);
    }
    if !group.is_empty() {
        out.push(group.iter().sum::<f32>() / group.len() as f32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_cell_borders_join_into_one_line() {
        let rules = vec![
            Rule::horizontal(100.0, 10.0, 50.0, 0.75),
            Rule::horizontal(100.4, 50.0, 90.0, 0.75),
            Rule::horizontal(100.2, 91.5, 120.0, 0.75),
            Rule::horizontal(200.0, 10.0, 120.0, 0.75),
        ];
        let out = snap_and_join(&rules, RuleAxis::Horizontal, &GridOptions::default());
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].start, out[0].end), (10.0, 120.0));
        assert!((out[0].position - 100.2).abs() < 0.2);
    }

    #[test]
    fn distant_pieces_stay_apart() {
        let rules = vec![
            Rule::vertical(5.0, 0.0, 10.0, 1.0),
            Rule::vertical(5.0, 30.0, 40.0, 1.0),
        ];
        assert_eq!(
            snap_and_join(&rules, RuleAxis::Vertical, &GridOptions::default()).len(),
            2
        );
    }

    #[test]
    fn clusters_close_values() {
        let c = cluster_positions(vec![10.0, 10.5, 30.0, 9.8], 1.0);
        assert_eq!(c.len(), 2);
        assert!((c[0] - 10.1).abs() < 1e-4 && c[1] == 30.0);
    }
}
