//! Ruling lines from vector paths.
//!
//! Producers draw table borders three ways: stroked lines (LibreOffice),
//! stroked rectangles per cell (ReportLab-style exporters) and thin filled
//! rectangles (Chromium). All become [`Rule`]s: axis-aligned segments with a
//! thickness. Curves, diagonal strokes and large filled areas (cell shading)
//! are not rules.

use hayro_interpret::kurbo::{BezPath, PathEl, Point};
use jx_model::Rule;

/// A filled shape is a rule when its short side is at most this thick (pt)…
const MAX_FILLED_RULE_THICKNESS: f64 = 3.0;
/// …and its long side is at least this many times longer.
const MIN_FILLED_RULE_ASPECT: f64 = 3.0;
/// How far a segment may lean (pt over its length) and still be axis-aligned.
const AXIS_TOLERANCE: f64 = 0.6;
/// Shorter strokes are dots or glyph pieces, not borders.
const MIN_RULE_LENGTH: f64 = 2.0;

/// Splits a path into its subpaths as point lists; `None` for a subpath that
/// holds a curve.
fn subpaths(path: &BezPath) -> Vec<Option<Vec<Point>>> {
    let mut out = Vec::new();
    let mut cur: Option<Vec<Point>> = None;
    let mut start = Point::ZERO;
    for el in path.elements() {
        match *el {
            PathEl::MoveTo(p) => {
                if let Some(c) = cur.take() {
                    out.push(Some(c));
                }
                start = p;
                cur = Some(vec![p]);
            }
            PathEl::LineTo(p) => cur.get_or_insert_with(Vec::new).push(p),
            PathEl::ClosePath => {
                if let Some(mut c) = cur.take() {
                    c.push(start);
                    out.push(Some(c));
                }
            }
            PathEl::QuadTo(..) | PathEl::CurveTo(..) => {
                cur = None;
                out.push(None);
            }
        }
    }
    if let Some(c) = cur {
        out.push(Some(c));
    }
    out
}

/// Rules from a stroked path (already in page space), `width` its line width.
pub fn rules_from_stroke(path: &BezPath, width: f32) -> Vec<Rule> {
    let mut rules = Vec::new();
    for points in subpaths(path).into_iter().flatten() {
        for w in points.windows(2) {
            if let Some(r) = segment_rule(w[0], w[1], width) {
                rules.push(r);
            }
        }
    }
    rules
}

fn segment_rule(a: Point, b: Point, width: f32) -> Option<Rule> {
    let (dx, dy) = ((b.x - a.x).abs(), (b.y - a.y).abs());
    if dy <= AXIS_TOLERANCE && dx >= MIN_RULE_LENGTH {
        Some(Rule::horizontal(
            ((a.y + b.y) / 2.0) as f32,
            a.x as f32,
            b.x as f32,
            width,
        ))
    } else if dx <= AXIS_TOLERANCE && dy >= MIN_RULE_LENGTH {
        Some(Rule::vertical(
            ((a.x + b.x) / 2.0) as f32,
            a.y as f32,
            b.y as f32,
            width,
        ))
    } else {
        None
    }
}

/// Rules from a filled path (already in page space): each thin rectangular
/// subpath is one rule along its long side.
pub fn rules_from_fill(path: &BezPath) -> Vec<Rule> {
    let mut rules = Vec::new();
    for points in subpaths(path).into_iter().flatten() {
        if points.len() < 3 || !is_axis_aligned_polygon(&points) {
            continue;
        }
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in &points {
            x0 = x0.min(p.x);
            y0 = y0.min(p.y);
            x1 = x1.max(p.x);
            y1 = y1.max(p.y);
        }
        let (w, h) = (x1 - x0, y1 - y0);
        if h <= MAX_FILLED_RULE_THICKNESS
            && w >= MIN_FILLED_RULE_ASPECT * h.max(0.1)
            && w >= MIN_RULE_LENGTH
        {
            rules.push(Rule::horizontal(
                ((y0 + y1) / 2.0) as f32,
                x0 as f32,
                x1 as f32,
                h.max(0.1) as f32,
            ));
        } else if w <= MAX_FILLED_RULE_THICKNESS
            && h >= MIN_FILLED_RULE_ASPECT * w.max(0.1)
            && h >= MIN_RULE_LENGTH
        {
            rules.push(Rule::vertical(
                ((x0 + x1) / 2.0) as f32,
                y0 as f32,
                y1 as f32,
                w.max(0.1) as f32,
            ));
        }
    }
    rules
}

/// Every edge of the polygon runs along x or y.
fn is_axis_aligned_polygon(points: &[Point]) -> bool {
    points.windows(2).all(|w| {
        (w[0].x - w[1].x).abs() <= AXIS_TOLERANCE || (w[0].y - w[1].y).abs() <= AXIS_TOLERANCE
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hayro_interpret::kurbo::{Rect, Shape};
    use jx_model::RuleAxis;

    #[test]
    fn thin_filled_rectangles_become_rules() {
        let mut p = Rect::new(10.0, 100.0, 300.0, 100.5).to_path(0.1);
        p.extend(Rect::new(50.0, 20.0, 50.75, 400.0).to_path(0.1));
        let rules = rules_from_fill(&p);
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].axis, RuleAxis::Horizontal);
        assert!((rules[0].position - 100.25).abs() < 1e-3);
        assert_eq!(rules[1].axis, RuleAxis::Vertical);
        assert!((rules[1].length() - 380.0).abs() < 1e-3);
    }

    #[test]
    fn large_fills_and_curves_are_not_rules() {
        let p = Rect::new(0.0, 0.0, 100.0, 40.0).to_path(0.1);
        assert!(rules_from_fill(&p).is_empty());
        let c = hayro_interpret::kurbo::Circle::new((50.0, 50.0), 20.0).to_path(0.1);
        assert!(rules_from_stroke(&c, 1.0).is_empty());
    }

    #[test]
    fn stroked_rectangle_gives_four_rules() {
        let p = Rect::new(10.0, 10.0, 110.0, 30.0).to_path(0.1);
        let rules = rules_from_stroke(&p, 0.5);
        assert_eq!(rules.len(), 4);
        assert_eq!(
            rules
                .iter()
                .filter(|r| r.axis == RuleAxis::Vertical)
                .count(),
            2
        );
    }
}
