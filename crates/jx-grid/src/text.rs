//! Glyphs → text, by the contract's text rules: reading order (lines top to
//! bottom, glyphs left to right), line breaks joined, no white space between
//! Chinese characters, Latin words and numbers kept intact.

use crate::options::GridOptions;
use jx_model::{Glyph, GlyphOrigin, Rect};

/// Text assembled from a set of glyphs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Assembled {
    pub text: String,
    /// Box of every line, top to bottom, with its text.
    pub lines: Vec<(Rect, String)>,
    /// Runs of glyphs separated by gaps wider than `run_gap_em`, in reading order.
    pub runs: Vec<(Rect, String)>,
    /// Overdrawn copies removed from these glyphs.
    pub overdrawn: u32,
    /// Lowest OCR confidence among the glyphs, if any came from OCR.
    pub confidence: Option<f32>,
    /// The engine of the first OCR glyph.
    pub engine: Option<jx_model::OcrEngineId>,
    /// The OCR stage's rewrites of these glyphs, in reading order.
    pub rewrites: Vec<jx_model::OcrRewrite>,
    /// The recognisers' unsure characters of these glyphs, in reading order.
    pub unsure: Vec<jx_model::UnsureChar>,
    /// What the pixels show at the head of the first glyph in reading
    /// order (a barred chevron): the head of the text, nothing else's.
    pub head: Option<jx_model::HeadChevron>,
    /// Largest font size seen.
    pub font_size: f32,
}

/// Characters that are written without spaces around them: CJK ideographs,
/// CJK and full-width punctuation.
pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FDF}'
        | '\u{3000}'..='\u{303F}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// Groups glyphs into lines (by vertical centre), each sorted left to right.
pub fn lines<'g>(glyphs: &[&'g Glyph], opts: &GridOptions) -> Vec<Vec<&'g Glyph>> {
    let mut sorted: Vec<&Glyph> = glyphs
        .iter()
        .copied()
        .filter(|g| !g.text.trim().is_empty())
        .collect();
    sorted.sort_by(|a, b| a.bbox.center().y.total_cmp(&b.bbox.center().y));
    let mut out: Vec<Vec<&Glyph>> = Vec::new();
    let mut line_y = f32::NEG_INFINITY;
    for g in sorted {
        let cy = g.bbox.center().y;
        let tol = opts.line_tolerance_em * g.font_size.max(1.0);
        match out.last_mut() {
            Some(line) if cy - line_y <= tol => {
                line.push(g);
                line_y = line.iter().map(|g| g.bbox.center().y).sum::<f32>() / line.len() as f32;
            }
            _ => {
                out.push(vec![g]);
                line_y = cy;
            }
        }
    }
    for line in &mut out {
        line.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
    }
    out
}

/// Joins one line's glyphs, putting a space only where a visible gap
/// separates two non-CJK characters.
pub fn join_line(line: &[&Glyph], opts: &GridOptions) -> String {
    let mut s = String::new();
    let mut prev: Option<&Glyph> = None;
    for g in line {
        if let Some(p) = prev {
            let gap = g.bbox.x0 - p.bbox.x1;
            let size = p.font_size.max(g.font_size).max(1.0);
            let last = s.chars().last();
            let first = g.text.chars().next();
            if let (Some(a), Some(b)) = (last, first)
                && gap >= opts.space_gap_em * size
                && !is_cjk(a)
                && !is_cjk(b)
                && !a.is_whitespace()
            {
                s.push(' ');
            }
        }
        s.push_str(g.text.trim());
        prev = Some(g);
    }
    s
}

/// Joins lines of a wrapped cell: a line break is no character, so lines
/// are concatenated (a number or word cut by the wrap comes back whole).
pub fn assemble(glyphs: &[&Glyph], opts: &GridOptions) -> Assembled {
    let mut out = Assembled::default();
    let lines = lines(glyphs, opts);
    out.head = match lines.first().and_then(|l| l.first()).map(|g| &g.origin) {
        Some(GlyphOrigin::Ocr(r)) => r.head,
        _ => None,
    };
    for line in lines {
        // Rewrites in reading order.
        for g in &line {
            if let GlyphOrigin::Ocr(r) = &g.origin {
                out.rewrites.extend(r.rewrite.as_deref().cloned());
                out.unsure.extend(r.unsure.iter().cloned());
            }
        }
        let text = join_line(&line, opts);
        let bbox = line
            .iter()
            .skip(1)
            .fold(line[0].bbox, |b, g| b.union(&g.bbox));
        let mut start = 0;
        for i in 1..=line.len() {
            let wide = i < line.len()
                && line[i].bbox.x0 - line[i - 1].bbox.x1
                    > opts.run_gap_em * line[i].font_size.max(line[i - 1].font_size).max(1.0);
            if i == line.len() || wide {
                let part = &line[start..i];
                let b = part
                    .iter()
                    .skip(1)
                    .fold(part[0].bbox, |b, g| b.union(&g.bbox));
                out.runs.push((b, join_line(part, opts)));
                start = i;
            }
        }
        out.text.push_str(&text);
        out.lines.push((bbox, text));
    }
    for g in glyphs {
        out.overdrawn += g.overdrawn;
        out.font_size = out.font_size.max(g.font_size);
        if let GlyphOrigin::Ocr(r) = &g.origin {
            let confidence = r.confidence;
            out.confidence = Some(
                out.confidence
                    .map_or(confidence, |c: f32| c.min(confidence)),
            );
            out.engine.get_or_insert(r.engine);
        }
    }

    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(text: &str, x: f32, y: f32, w: f32) -> Glyph {
        Glyph {
            text: text.into(),
            bbox: Rect::new(x, y, x + w, y + 10.0),
            font_size: 10.0,
            invisible: false,
            origin: GlyphOrigin::TextLayer,
            overdrawn: 0,
        }
    }

    fn assemble_all(glyphs: &[Glyph]) -> String {
        let refs: Vec<&Glyph> = glyphs.iter().collect();
        assemble(&refs, &GridOptions::default()).text
    }

    #[test]
    fn wrapped_chinese_lines_join_without_spaces() {
        let glyphs = vec![
            g("服", 0.0, 0.0, 10.0),
            g("务", 10.0, 0.0, 10.0),
            g("对", 0.0, 12.0, 10.0),
            g("象", 10.0, 12.0, 10.0),
        ];
        assert_eq!(assemble_all(&glyphs), "服务对象");
    }

    #[test]
    fn reading_order_is_by_line_then_x() {
        let glyphs = vec![
            g("b", 5.0, 0.5, 5.0),
            g("c", 0.0, 12.0, 5.0),
            g("a", 0.0, 0.0, 5.0),
        ];
        assert_eq!(assemble_all(&glyphs), "abc");
    }

    #[test]
    fn gaps_between_latin_words_are_spaces_but_not_between_chinese() {
        let glyphs = vec![
            g("OK", 0.0, 0.0, 12.0),
            g("2024", 18.0, 0.0, 20.0),
            g("年", 45.0, 0.0, 10.0),
            g("度", 60.0, 0.0, 10.0),
        ];
        assert_eq!(assemble_all(&glyphs), "OK 2024年度");
    }

    #[test]
    fn cjk_ranges() {
        assert!(is_cjk('中') && is_cjk('，') && is_cjk('（') && is_cjk('。'));
        assert!(!is_cjk('a') && !is_cjk('5') && !is_cjk('%') && !is_cjk('≥'));
    }
}
