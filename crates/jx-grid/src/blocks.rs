//! Wrapped text that runs over its cell's borders.
//!
//! Spreadsheet exports (Excel, WPS Spreadsheets, LibreOffice Calc) centre a
//! wrapped cell's lines on its row; where the row is too short the lines run
//! over the row's borders into the rows above and below (`…综合整治（2019`
//! inside the name row, `—2020年）` over the department row). Each line's
//! centre then falls in a different cell, but the text belongs to the cell
//! whose box holds the centre of the *block* the lines form. A block is a
//! run of lines, one under the other in the same column, spaced like lines
//! of one paragraph (not overlapping, less than an em apart), at least one
//! of which crosses its cell's border; text that stays inside its cell is
//! never moved.

use crate::lattice::TableFrame;
use crate::options::GridOptions;
use crate::text;
use jx_model::{Glyph, Point, Rect};

/// How far (pt) a line's box may pass its cell's border and still count as
/// inside it (em boxes of ordinary text touch the padding).
const OVERRUN: f32 = 1.0;

/// Lines of one paragraph: the next line's top lies from this many em above
/// the previous line's bottom (boxes touching, up to rounding) …
const PARAGRAPH_OVERLAP_EM: f32 = 0.05;
/// … to this many em below it (less than a blank line), …
const PARAGRAPH_GAP_EM: f32 = 0.8;
/// … and their sizes differ by at most this many em (one type). These three
/// are a judgment, not measured.
const PARAGRAPH_SIZE_EM: f32 = 0.15;

/// How far (pt) a line may pass a cell's side and still lie within its
/// columns. A judgment, not measured.
const SIDE_SLACK: f32 = 2.0;

/// One line of one cell as first assigned (glyphs by their own centres).
struct CellLine {
    cell: usize,
    bbox: Rect,
    size: f32,
    /// Glyph indices into the cell's list.
    glyphs: Vec<usize>,
    crosses: bool,
}

/// Moves the glyphs of every over-running block to the cell holding the
/// block's centre. `per_cell[i]` are the glyphs first assigned to
/// `frame.cells[i]` (by each glyph's centre).
pub fn regroup(frame: &TableFrame, per_cell: &mut [Vec<&Glyph>], opts: &GridOptions) {
    let mut lines = cell_lines(frame, per_cell, opts);
    if !lines.iter().any(|l| l.crosses) {
        return;
    }
    lines.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
    let moves = block_moves(frame, &lines);
    if !moves.is_empty() {
        apply_moves(per_cell, moves);
    }
}

/// The lines of every cell, each marked whether it crosses its cell's
/// border.
fn cell_lines(frame: &TableFrame, per_cell: &[Vec<&Glyph>], opts: &GridOptions) -> Vec<CellLine> {
    let mut lines: Vec<CellLine> = Vec::new();
    for (ci, glyphs) in per_cell.iter().enumerate() {
        let cell = frame.cells[ci].bbox;
        for line in text::lines(glyphs, opts) {
            let bbox = line
                .iter()
                .skip(1)
                .fold(line[0].bbox, |b, g| b.union(&g.bbox));
            let idx = line
                .iter()
                .map(|g| {
                    glyphs
                        .iter()
                        .position(|h| std::ptr::eq(*h, *g))
                        .expect("the line's glyph is the cell's")
                })
                .collect();
            lines.push(CellLine {
                cell: ci,
                bbox,
                size: line.iter().map(|g| g.font_size).fold(0.0, f32::max),
                glyphs: idx,
                crosses: bbox.y0 < cell.y0 - OVERRUN || bbox.y1 > cell.y1 + OVERRUN,
            });
        }
    }
    lines
}

/// `next[a]`: the line that follows line `a` in its paragraph, below it
/// (`lines` sorted top to bottom); each line follows at most one.
fn chain_paragraphs(frame: &TableFrame, lines: &[CellLine]) -> Vec<Option<usize>> {
    let n = lines.len();
    let mut next: Vec<Option<usize>> = vec![None; n];
    let mut has_prev = vec![false; n];
    for a in 0..n {
        let la = &lines[a];
        let ca = frame.cells[la.cell].bbox;
        let found = (a + 1..n).find(|&b| {
            let lb = &lines[b];
            let cb = frame.cells[lb.cell].bbox;
            let gap = lb.bbox.y0 - la.bbox.y1;
            let em = la.size.max(lb.size).max(1.0);
            !has_prev[b]
                && gap >= -PARAGRAPH_OVERLAP_EM * em
                && gap <= PARAGRAPH_GAP_EM * em
                && (la.size - lb.size).abs() <= PARAGRAPH_SIZE_EM * em
                && la.bbox.x_overlap(&lb.bbox) > 0.0
                && (within(&la.bbox, &cb) || within(&lb.bbox, &ca))
        });
        if let Some(b) = found {
            next[a] = Some(b);
            has_prev[b] = true;
        }
    }
    next
}

/// The moves `(from, to, glyphs)` that bring every over-running block's
/// lines to the cell holding the block's centre. A block stays where it
/// is when that cell is none of its lines' own, or the block does not fit
/// its columns.
fn block_moves(frame: &TableFrame, lines: &[CellLine]) -> Vec<(usize, usize, Vec<usize>)> {
    let next = chain_paragraphs(frame, lines);
    let mut has_prev = vec![false; lines.len()];
    for b in next.iter().flatten() {
        has_prev[*b] = true;
    }
    let mut moves: Vec<(usize, usize, Vec<usize>)> = Vec::new();
    for start in (0..lines.len()).filter(|&i| !has_prev[i]) {
        let mut block = vec![start];
        while let Some(b) = next[*block.last().unwrap()] {
            block.push(b);
        }
        if block.len() < 2 || !block.iter().any(|&i| lines[i].crosses) {
            continue;
        }
        let bbox = block
            .iter()
            .skip(1)
            .fold(lines[block[0]].bbox, |b, &i| b.union(&lines[i].bbox));
        let centre = Point {
            x: bbox.center().x,
            y: bbox.center().y,
        };
        let Some(home) = block
            .iter()
            .map(|&i| lines[i].cell)
            .find(|&c| frame.cells[c].bbox.contains(centre))
        else {
            continue;
        };
        let home_box = frame.cells[home].bbox;
        if !block.iter().all(|&i| within(&lines[i].bbox, &home_box)) {
            continue;
        }
        for &i in &block {
            if lines[i].cell != home {
                moves.push((lines[i].cell, home, lines[i].glyphs.clone()));
            }
        }
    }
    moves
}

/// Takes the moved glyphs out of their cells (keeping the others' order)
/// and appends them to their new cells, in the order of the moves.
fn apply_moves(per_cell: &mut [Vec<&Glyph>], moves: Vec<(usize, usize, Vec<usize>)>) {
    let mut taken: Vec<Vec<bool>> = per_cell.iter().map(|g| vec![false; g.len()]).collect();
    let mut arriving: Vec<(usize, &Glyph)> = Vec::new();
    for (from, to, idx) in moves {
        for i in idx {
            taken[from][i] = true;
            arriving.push((to, per_cell[from][i]));
        }
    }
    for (ci, glyphs) in per_cell.iter_mut().enumerate() {
        let mut k = 0;
        glyphs.retain(|_| {
            k += 1;
            !taken[ci][k - 1]
        });
    }
    for (to, g) in arriving {
        per_cell[to].push(g);
    }
}

/// Whether `line` lies within `cell`'s columns (the cells of a block may
/// be merged differently: a name cell narrower than the department's).
fn within(line: &Rect, cell: &Rect) -> bool {
    line.x0 >= cell.x0 - SIDE_SLACK && line.x1 <= cell.x1 + SIDE_SLACK
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::FrameCell;
    use jx_model::GlyphOrigin;

    fn glyph(t: &str, x: f32, y: f32) -> Glyph {
        Glyph {
            text: t.into(),
            bbox: Rect::new(x, y, x + 8.0, y + 8.0),
            font_size: 8.0,
            invisible: false,
            origin: GlyphOrigin::TextLayer,
            overdrawn: 0,
        }
    }

    fn frame() -> TableFrame {
        // Two rows 12 pt high, two columns.
        let cell = |row, col, x0, y0| FrameCell {
            row,
            col,
            row_span: 1,
            col_span: 1,
            bbox: Rect::new(x0, y0, x0 + 100.0, y0 + 12.0),
        };
        TableFrame {
            bbox: Rect::new(0.0, 0.0, 200.0, 24.0),
            col_edges: vec![0.0, 100.0, 200.0],
            row_edges: vec![0.0, 12.0, 24.0],
            cells: vec![
                cell(0, 0, 0.0, 0.0),
                cell(0, 1, 100.0, 0.0),
                cell(1, 0, 0.0, 12.0),
                cell(1, 1, 100.0, 12.0),
            ],
            cut_top: false,
            cut_bottom: false,
        }
    }

    fn texts(per_cell: &[Vec<&Glyph>]) -> Vec<String> {
        per_cell
            .iter()
            .map(|g| text::assemble(g, &GridOptions::default()).text)
            .collect()
    }

    #[test]
    fn a_wrapped_name_running_over_the_row_below_stays_in_its_row() {
        let f = frame();
        // Name in row 0, col 1, centred on the row: two lines at y -3 and 8.5,
        // the second's centre in row 1; row 1's own text at y 14.
        let glyphs = [
            glyph("名", 110.0, -3.0),
            glyph("称", 118.0, -3.0),
            glyph("（", 110.0, 8.5),
            glyph("续", 118.0, 8.5),
            glyph("部", 110.0, 15.0),
            glyph("门", 118.0, 15.0),
        ];
        let mut per_cell: Vec<Vec<&Glyph>> = vec![
            vec![],
            vec![&glyphs[0], &glyphs[1]],
            vec![],
            vec![&glyphs[2], &glyphs[3], &glyphs[4], &glyphs[5]],
        ];
        regroup(&f, &mut per_cell, &GridOptions::default());
        assert_eq!(texts(&per_cell), vec!["", "名称（续", "", "部门"]);
    }

    #[test]
    fn lines_inside_their_cells_are_not_moved() {
        let f = frame();
        let glyphs = [glyph("甲", 110.0, 2.0), glyph("乙", 110.0, 14.0)];
        let mut per_cell: Vec<Vec<&Glyph>> =
            vec![vec![], vec![&glyphs[0]], vec![], vec![&glyphs[1]]];
        regroup(&f, &mut per_cell, &GridOptions::default());
        assert_eq!(texts(&per_cell), vec!["", "甲", "", "乙"]);
    }
}
