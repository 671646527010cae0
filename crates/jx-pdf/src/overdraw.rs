//! Glyphs drawn more than once at (nearly) the same place count once.
//!
//! Producers fake bold or shadows by drawing the same text again with a small
//! offset (the corpus shows 1.3 pt), and some interpreters report a
//! fill-and-stroke run twice. Assembling text from such a page yields
//! `政策宣传政策宣传全覆盖。覆盖。`. The repair is made here, at glyph level,
//! before any text is assembled: two glyphs with the same text whose boxes
//! are offset by less than [`OverdrawOptions::max_offset_em`] of the font size
//! are one glyph. Text that really repeats a word is at least one advance
//! apart and so stays.

use jx_model::Glyph;

/// Tolerances of the overdraw repair.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct OverdrawOptions {
    /// Largest offset, in em of the glyph's font size, at which a second copy
    /// of the same character counts as overdrawn. A real neighbour is about
    /// one em away (half an em for Latin), so 0.4 separates them.
    pub max_offset_em: f32,
    /// Largest offset, in the glyph's own width (its advance), at which a
    /// second copy counts as overdrawn: the next glyph of a text stands one
    /// advance away, so 0.75 leaves a quarter of an advance between the two
    /// (the corpus's fake bold, 1.3 pt on 9–16 pt type, stays far inside
    /// it for every glyph at least 1.8 pt wide).
    pub max_offset_width: f32,
}

impl Default for OverdrawOptions {
    fn default() -> Self {
        OverdrawOptions {
            max_offset_em: 0.4,
            max_offset_width: 0.75,
        }
    }
}

/// Removes overdrawn copies, keeping the first-drawn glyph of each group and
/// counting the removed copies in its `overdrawn`. Order is preserved.
pub fn collapse_overdrawn(glyphs: Vec<Glyph>, opts: &OverdrawOptions) -> Vec<Glyph> {
    let cx = |i: usize| glyphs[i].bbox.center().x;
    // Copies can only be of the same text: glyphs grouped by (text,
    // visibility) with one sort, each group ordered by x — no hash map
    // and no list per distinct character (this runs on every page).
    let mut order: Vec<usize> = (0..glyphs.len())
        .filter(|&i| !glyphs[i].text.trim().is_empty())
        .collect();
    order.sort_unstable_by(|&a, &b| {
        let (ga, gb) = (&glyphs[a], &glyphs[b]);
        (ga.invisible, ga.text.as_str())
            .cmp(&(gb.invisible, gb.text.as_str()))
            .then(cx(a).total_cmp(&cx(b)))
            .then(a.cmp(&b))
    });
    let mut keeper: Vec<Option<usize>> = vec![None; glyphs.len()];
    let mut drawn: Vec<usize> = Vec::new();
    let mut xs: Vec<f32> = Vec::new();
    for by_x in order.chunk_by(|&a, &b| {
        glyphs[a].invisible == glyphs[b].invisible && glyphs[a].text == glyphs[b].text
    }) {
        if by_x.len() < 2 {
            continue;
        }
        // A common character (a digit, 的) occurs hundreds of times on a
        // page: compare each copy only with those whose centre lies within
        // the largest tolerance of the group horizontally, not with every
        // other.
        let widest = by_x
            .iter()
            .map(|&i| glyphs[i].font_size.max(1.0))
            .fold(1.0, f32::max)
            * opts.max_offset_em;
        xs.clear();
        xs.extend(by_x.iter().map(|&i| cx(i)));
        // In drawing order, so the first-drawn copy is the one kept.
        drawn.clear();
        drawn.extend_from_slice(by_x);
        drawn.sort_unstable();
        for &i in &drawn {
            if keeper[i].is_some() {
                continue;
            }
            let x = cx(i);
            let from = xs.partition_point(|&v| v < x - widest);
            let to = xs.partition_point(|&v| v <= x + widest);
            for &j in &by_x[from..to] {
                if j > i && keeper[j].is_none() && same_place(&glyphs[i], &glyphs[j], opts) {
                    keeper[j] = Some(i);
                }
            }
        }
    }
    let mut extra = vec![0u32; glyphs.len()];
    for k in keeper.iter().flatten() {
        extra[*k] += 1;
    }
    glyphs
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keeper[*i].is_none())
        .map(|(i, mut g)| {
            g.overdrawn += extra[i];
            g
        })
        .collect()
}

/// Whether `b` is a copy of `a` drawn again: offset by less than the
/// tolerance in em *and* by less than [`OverdrawOptions::max_offset_width`]
/// of the glyph's own width. The second test tells a narrow glyph's next
/// copy in the text (`..`, `--`, `{{`: the next one stands one advance,
/// its box's width, away — a third of an em for `.`, inside the em
/// tolerance) from a copy drawn again over it.
fn same_place(a: &Glyph, b: &Glyph, opts: &OverdrawOptions) -> bool {
    let size = a.font_size.max(b.font_size).max(1.0);
    let tol = opts.max_offset_em * size;
    let width = a.bbox.width().max(b.bbox.width());
    let (ca, cb) = (a.bbox.center(), b.bbox.center());
    let dx = (ca.x - cb.x).abs();
    dx <= tol
        && (width <= 0.0 || dx < opts.max_offset_width * width)
        && (ca.y - cb.y).abs() <= tol
        && (a.font_size - b.font_size).abs() <= 0.25 * size
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::{GlyphOrigin, Rect};

    fn line(text: &str, x: f32, y: f32) -> Vec<Glyph> {
        text.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                text: c.to_string(),
                bbox: Rect::new(x + 10.0 * i as f32, y, x + 10.0 * (i + 1) as f32, y + 10.0),
                font_size: 10.0,
                invisible: false,
                origin: GlyphOrigin::TextLayer,
                overdrawn: 0,
            })
            .collect()
    }

    /// Glyphs `advance` wide and apart, in 10 pt type.
    fn narrow(text: &str, x: f32, advance: f32) -> Vec<Glyph> {
        let mut glyphs = line(text, 0.0, 0.0);
        for (i, g) in glyphs.iter_mut().enumerate() {
            let x0 = x + advance * i as f32;
            g.bbox = Rect::new(x0, 0.0, x0 + advance, 10.0);
        }
        glyphs
    }

    #[test]
    fn narrow_characters_side_by_side_are_text_not_copies() {
        let glyphs = narrow("../..--{{", 0.0, 3.3);
        let out = collapse_overdrawn(glyphs, &OverdrawOptions::default());
        assert_eq!(text(&out), "../..--{{");
        // Drawn again a point to the right: each counted once.
        let mut glyphs = narrow("..", 0.0, 3.3);
        glyphs.extend(narrow("..", 1.0, 3.3));
        let out = collapse_overdrawn(glyphs, &OverdrawOptions::default());
        assert_eq!(text(&out), "..");
        assert!(out.iter().all(|g| g.overdrawn == 1));
    }

    fn text(glyphs: &[Glyph]) -> String {
        glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    #[test]
    fn fake_bold_copy_offset_by_a_point_counts_once() {
        let mut glyphs = line("政策宣传全覆盖。", 0.0, 0.0);
        glyphs.extend(line("政策宣传全覆盖。", 1.3, 1.3));
        let out = collapse_overdrawn(glyphs, &OverdrawOptions::default());
        assert_eq!(text(&out), "政策宣传全覆盖。");
        assert!(out.iter().all(|g| g.overdrawn == 1));
    }

    #[test]
    fn a_word_that_really_repeats_stays() {
        let glyphs = line("宣传宣传", 0.0, 0.0);
        let out = collapse_overdrawn(glyphs, &OverdrawOptions::default());
        assert_eq!(text(&out), "宣传宣传");
        assert!(out.iter().all(|g| g.overdrawn == 0));
    }

    #[test]
    fn three_copies_keep_one_and_count_two() {
        let mut glyphs = line("好", 0.0, 0.0);
        glyphs.extend(line("好", 0.5, 0.0));
        glyphs.extend(line("好", 1.0, 0.5));
        let out = collapse_overdrawn(glyphs, &OverdrawOptions::default());
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].overdrawn, 2);
    }
}
