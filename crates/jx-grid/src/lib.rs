//! The grid stage: page content (glyphs and ruling lines, from a text layer
//! or from OCR) → tables with merged cells, and the text lines outside them.
//!
//! The steps, each its own module: rules snapped and joined ([`snap`]);
//! connected rules → grid lines → cells, where a missing rule merges cells
//! ([`lattice`]); glyphs assigned to cells and assembled into text by the
//! contract's rules ([`text`]). Every tolerance is in [`GridOptions`].
//! Tables cut by page breaks are joined later, by the form layer, which
//! knows what a form's rows mean; this stage sees one page at a time.

pub mod blocks;
pub mod lattice;
pub mod options;
pub mod snap;
pub mod text;

pub use lattice::{FrameCell, TableFrame, frames};
pub use options::GridOptions;

use jx_model::{Cell, Extraction, Glyph, PageContent, PageLayout, Rect, Table, TextLine};

/// Rebuilds the tables of a page and assembles the text of every cell and
/// of every line outside the tables.
pub fn reconstruct(page: &PageContent, opts: &GridOptions) -> PageLayout {
    let frames = frames(&page.rules, opts);
    let visible: Vec<&Glyph> = page.glyphs.iter().filter(|g| !g.invisible).collect();
    // Which frame cell each glyph's centre falls in.
    let mut per_cell: Vec<Vec<Vec<&Glyph>>> = frames
        .iter()
        .map(|f| vec![Vec::new(); f.cells.len()])
        .collect();
    let mut outside: Vec<&Glyph> = Vec::new();
    let index: Vec<CellIndex> = frames.iter().map(CellIndex::new).collect();
    for g in visible {
        match cell_of(&frames, &index, g.bbox.center()) {
            Some((ti, ci)) => per_cell[ti][ci].push(g),
            None => outside.push(g),
        }
    }
    let ink = ink_per_cell(page, &frames, &index);
    // Text over-running its row is a text layer's habit (a spreadsheet's
    // wrapped cell); the OCR chain reads each cell's own pixels, so what it
    // read belongs to that cell, however its boxes stack.
    if page.extraction == Extraction::Text {
        for (f, cells) in frames.iter().zip(per_cell.iter_mut()) {
            blocks::regroup(f, cells, opts);
        }
    }
    let tables = frames
        .iter()
        .zip(per_cell)
        .zip(ink)
        .map(|((f, glyphs), ink)| Table {
            page: page.number,
            bbox: f.bbox,
            col_edges: f.col_edges.clone(),
            row_edges: f.row_edges.clone(),
            cells: f
                .cells
                .iter()
                .zip(glyphs)
                .zip(ink)
                .map(|((fc, gs), ink)| {
                    let a = text::assemble(&gs, opts);
                    Cell {
                        row: fc.row,
                        col: fc.col,
                        row_span: fc.row_span,
                        col_span: fc.col_span,
                        bbox: fc.bbox,
                        text: a.text,
                        runs: a.runs,
                        overdrawn: a.overdrawn,
                        confidence: a.confidence,
                        engine: a.engine,
                        rewrites: a.rewrites,
                        unsure: a.unsure,
                        head: a.head,
                        ink,
                    }
                })
                .collect(),
            cut_top: f.cut_top,
            cut_bottom: f.cut_bottom,
        })
        .collect();
    PageLayout {
        number: page.number,
        width: page.width,
        height: page.height,
        extraction: page.extraction,
        tables,
        lines: free_lines(page.number, &outside, opts),
    }
}

/// The page's ink extents ([`PageContent::ink`]) by frame and cell: each
/// in the cell its centre falls in.
fn ink_per_cell(
    page: &PageContent,
    frames: &[TableFrame],
    index: &[CellIndex],
) -> Vec<Vec<Option<jx_model::InkExtent>>> {
    let mut out: Vec<Vec<Option<jx_model::InkExtent>>> =
        frames.iter().map(|f| vec![None; f.cells.len()]).collect();
    for ink in &page.ink {
        if let Some((ti, ci)) = cell_of(frames, index, ink.bbox.center()) {
            out[ti][ci] = Some(*ink);
        }
    }
    out
}

/// The (frame, cell) holding point `p`, if any.
fn cell_of(
    frames: &[TableFrame],
    index: &[CellIndex],
    p: jx_model::Point,
) -> Option<(usize, usize)> {
    frames
        .iter()
        .zip(index)
        .enumerate()
        .find_map(|(ti, (f, ix))| ix.cell_at(f, p).map(|ci| (ti, ci)))
}

/// Which cell of a frame holds a point, found by binary search over the
/// frame's grid lines instead of trying every cell (a page has a thousand
/// glyphs and a hundred cells).
struct CellIndex {
    /// `slot[row * cols + col]`: the cell covering that grid cell.
    slot: Vec<Option<usize>>,
    cols: usize,
}

impl CellIndex {
    fn new(f: &TableFrame) -> Self {
        let rows = f.row_edges.len().saturating_sub(1);
        let cols = f.col_edges.len().saturating_sub(1);
        let mut slot = vec![None; rows * cols];
        for (i, c) in f.cells.iter().enumerate() {
            for r in c.row..(c.row + c.row_span).min(rows) {
                for k in c.col..(c.col + c.col_span).min(cols) {
                    slot[r * cols + k].get_or_insert(i);
                }
            }
        }
        CellIndex { slot, cols }
    }

    /// The first cell (in the frame's order) whose box contains `p`.
    fn cell_at(&self, f: &TableFrame, p: jx_model::Point) -> Option<usize> {
        if !f.bbox.contains(p) {
            return None;
        }
        let find = |edges: &[f32], v: f32| {
            edges
                .partition_point(|&e| e <= v)
                .checked_sub(1)
                .map(|i| i.min(edges.len().saturating_sub(2)))
        };
        let hit = find(&f.row_edges, p.y)
            .zip(find(&f.col_edges, p.x))
            .and_then(|(r, k)| self.slot.get(r * self.cols + k).copied().flatten())
            .filter(|&i| f.cells[i].bbox.contains(p));
        // On a grid line two cells hold the point; the first in order wins,
        // as a plain scan would have it.
        let on_edge = f.row_edges.contains(&p.y) || f.col_edges.contains(&p.x);
        if hit.is_none() || on_edge {
            return f.cells.iter().position(|cell| cell.bbox.contains(p));
        }
        hit
    }
}

/// Text outside tables as lines; a wide horizontal gap splits a line (a
/// header on the left and a page number on the right are two lines).
fn free_lines(page: u32, glyphs: &[&Glyph], opts: &GridOptions) -> Vec<TextLine> {
    let mut out = Vec::new();
    for line in text::lines(glyphs, opts) {
        let mut start = 0;
        for i in 1..=line.len() {
            let split = i == line.len() || {
                let size = line[i].font_size.max(line[i - 1].font_size).max(1.0);
                line[i].bbox.x0 - line[i - 1].bbox.x1 > opts.line_split_gap_em * size
            };
            if split {
                let a = text::assemble(&line[start..i], opts);
                let bbox = line[start + 1..i]
                    .iter()
                    .fold(line[start].bbox, |b: Rect, g| b.union(&g.bbox));
                out.push(TextLine {
                    page,
                    bbox,
                    text: a.text,
                    font_size: a.font_size,
                    overdrawn: a.overdrawn,
                    confidence: a.confidence,
                });
                start = i;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::{GlyphOrigin, OcrEngineId, Rule};

    /// A 2×2 table, rows 12 pt high, with a two-line text in the top right
    /// cell whose second line lies in the row below (`（续`), and the lower
    /// cell's own text under it.
    fn page(extraction: Extraction) -> PageContent {
        let origin = match extraction {
            Extraction::Ocr => GlyphOrigin::ocr(OcrEngineId::Tesseract, 0.9),
            _ => GlyphOrigin::TextLayer,
        };
        let glyph = |t: &str, x: f32, y: f32| Glyph {
            text: t.into(),
            bbox: Rect::new(x, y, x + 8.0, y + 8.0),
            font_size: 8.0,
            invisible: false,
            origin: origin.clone(),
            overdrawn: 0,
        };
        PageContent {
            number: 1,
            width: 300.0,
            height: 100.0,
            glyphs: vec![
                glyph("名", 110.0, 17.0),
                glyph("称", 118.0, 17.0),
                glyph("（", 110.0, 28.5),
                glyph("续", 118.0, 28.5),
                glyph("部", 110.0, 35.0),
                glyph("门", 118.0, 35.0),
            ],
            rules: vec![
                Rule::horizontal(20.0, 0.0, 200.0, 0.5),
                Rule::horizontal(32.0, 0.0, 200.0, 0.5),
                Rule::horizontal(44.0, 0.0, 200.0, 0.5),
                Rule::vertical(0.0, 20.0, 44.0, 0.5),
                Rule::vertical(100.0, 20.0, 44.0, 0.5),
                Rule::vertical(200.0, 20.0, 44.0, 0.5),
            ],
            extraction,
            ink: Vec::new(),
        }
    }

    fn right_column(layout: &PageLayout) -> Vec<String> {
        layout.tables[0]
            .cells
            .iter()
            .filter(|c| c.col == 1)
            .map(|c| c.text.clone())
            .collect()
    }

    #[test]
    fn text_running_over_a_row_moves_only_on_a_text_layer() {
        let opts = GridOptions::default();
        let text = reconstruct(&page(Extraction::Text), &opts);
        assert_eq!(right_column(&text), vec!["名称（续", "部门"]);
        // Read by OCR cell by cell, what a cell's crop gave is that cell's.
        let ocr = reconstruct(&page(Extraction::Ocr), &opts);
        assert_eq!(right_column(&ocr), vec!["名称", "（续部门"]);
    }
}
