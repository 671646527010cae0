//! The grid stage: page content (glyphs and ruling lines, from a text layer
//! or from OCR) → tables with merged cells, and the text lines outside them.
//!
//! The steps, each its own module: rules snapped and joined ([`snap`]);
//! connected rules → grid lines → cells, where a missing rule merges cells
//! ([`lattice`]); glyphs assigned to cells and assembled into text by the
//! contract's rules ([`text`]). Every tolerance is in [`GridOptions`].
//! Tables cut by page breaks are joined later, by the form layer, which
//! knows what a form's rows mean; this stage sees one page at a time.

pub mod lattice;
pub mod options;
pub mod snap;
pub mod text;

pub use lattice::{FrameCell, TableFrame, frames};
pub use options::GridOptions;

use jx_model::{Cell, Glyph, PageContent, PageLayout, Rect, Table, TextLine};

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
    for g in visible {
        let c = g.bbox.center();
        let hit = frames.iter().enumerate().find_map(|(ti, f)| {
            f.cells
                .iter()
                .position(|cell| cell.bbox.contains(c))
                .map(|ci| (ti, ci))
        });
        match hit {
            Some((ti, ci)) => per_cell[ti][ci].push(g),
            None => outside.push(g),
        }
    }
    let tables = frames
        .iter()
        .zip(per_cell)
        .map(|(f, glyphs)| Table {
            page: page.number,
            bbox: f.bbox,
            col_edges: f.col_edges.clone(),
            row_edges: f.row_edges.clone(),
            cells: f
                .cells
                .iter()
                .zip(glyphs)
                .map(|(fc, gs)| {
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
