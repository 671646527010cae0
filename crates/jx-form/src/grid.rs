//! One form's table, whole: the fragments a page break cut apart are put
//! back together into one grid of global rows, and a row the break split in
//! two (its top part at the foot of one page, the rest at the head of the
//! next) becomes one row again.

use crate::labels::{Label, label_of};
use jx_model::{Extraction, Rect, Table};

/// Where on a page part of a cell was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub page: u32,
    pub bbox: Rect,
}

/// A cell of the joined grid.
#[derive(Debug, Clone, PartialEq)]
pub struct GridCell {
    /// First and last global row covered.
    pub row: usize,
    pub row_end: usize,
    /// Horizontal extent (x of the page), the same frame on every page.
    pub x0: f32,
    pub x1: f32,
    pub text: String,
    pub pieces: Vec<Piece>,
    pub overdrawn: u32,
    pub confidence: Option<f32>,
    pub label: Option<Label>,
    pub extraction: Extraction,
}

impl GridCell {
    pub fn width(&self) -> f32 {
        self.x1 - self.x0
    }

    /// Length of the overlap of the x-ranges.
    pub fn x_overlap(&self, x0: f32, x1: f32) -> f32 {
        self.x1.min(x1) - self.x0.max(x0)
    }

    pub fn covers_row(&self, row: usize) -> bool {
        self.row <= row && row <= self.row_end
    }
}

/// The joined grid of one form.
#[derive(Debug, Clone, Default)]
pub struct FormGrid {
    pub cells: Vec<GridCell>,
    pub rows: usize,
    /// Pages the fragments lie on, ascending.
    pub pages: Vec<u32>,
    /// The last fragment added.
    pub last: Option<Table>,
}

impl FormGrid {
    /// Appends a fragment. With `continues_row`, its first row is the rest of
    /// the grid's last row (the break split the row): cells in the same
    /// column are joined, texts concatenated in reading order.
    pub fn push(&mut self, table: &Table, extraction: Extraction, continues_row: bool) {
        let joining = continues_row && self.rows > 0;
        let offset = if joining { self.rows - 1 } else { self.rows };
        for c in &table.cells {
            let (row, row_end) = (offset + c.row, offset + c.last_row());
            let piece = Piece { page: table.page, bbox: c.bbox };
            let target = joining && c.row == 0;
            let existing = target
                .then(|| {
                    self.cells.iter().position(|g| {
                        g.row_end == offset
                            && g.x_overlap(c.bbox.x0, c.bbox.x1)
                                >= 0.5 * g.width().min(c.bbox.width())
                    })
                })
                .flatten();
            match existing {
                Some(i) => {
                    let g = &mut self.cells[i];
                    g.text.push_str(&c.text);
                    g.row_end = g.row_end.max(row_end);
                    g.pieces.push(piece);
                    g.overdrawn += c.overdrawn;
                    g.confidence = min_conf(g.confidence, c.confidence);
                    g.label = label_of(&g.text);
                }
                None => self.cells.push(GridCell {
                    row,
                    row_end,
                    x0: c.bbox.x0,
                    x1: c.bbox.x1,
                    text: c.text.clone(),
                    pieces: vec![piece],
                    overdrawn: c.overdrawn,
                    confidence: c.confidence,
                    label: label_of(&c.text),
                    extraction,
                }),
            }
        }
        self.rows = self.rows.max(offset + table.rows());
        if !self.pages.contains(&table.page) {
            self.pages.push(table.page);
            self.pages.sort_unstable();
        }
        self.last = Some(table.clone());
    }

    /// The first cell carrying `label`, in reading order.
    pub fn find(&self, label: Label) -> Option<&GridCell> {
        self.sorted().into_iter().find(|c| c.label == Some(label))
    }

    /// All cells carrying `label`, in reading order.
    pub fn find_all(&self, label: Label) -> Vec<&GridCell> {
        self.sorted().into_iter().filter(|c| c.label == Some(label)).collect()
    }

    fn sorted(&self) -> Vec<&GridCell> {
        let mut v: Vec<&GridCell> = self.cells.iter().collect();
        v.sort_by(|a, b| a.row.cmp(&b.row).then(a.x0.total_cmp(&b.x0)));
        v
    }

    /// The nearest cell to the right of `cell` sharing one of its rows.
    pub fn right_of(&self, cell: &GridCell) -> Option<&GridCell> {
        self.cells
            .iter()
            .filter(|c| c.row <= cell.row_end && c.row_end >= cell.row && c.x0 >= cell.x1 - 2.0)
            .min_by(|a, b| {
                a.x0.total_cmp(&b.x0).then((a.row != cell.row).cmp(&(b.row != cell.row)))
            })
    }

    /// The cell right under `cell` that shares most of its width.
    pub fn below(&self, cell: &GridCell) -> Option<&GridCell> {
        self.cells
            .iter()
            .filter(|c| c.row == cell.row_end + 1 && c.x_overlap(cell.x0, cell.x1) > 0.0)
            .max_by(|a, b| a.x_overlap(cell.x0, cell.x1).total_cmp(&b.x_overlap(cell.x0, cell.x1)))
    }

    /// Cells covering global row `row`.
    pub fn covering(&self, row: usize) -> impl Iterator<Item = &GridCell> {
        self.cells.iter().filter(move |c| c.covers_row(row))
    }
}

fn min_conf(a: Option<f32>, b: Option<f32>) -> Option<f32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::Cell;

    fn cell(row: usize, col: usize, rs: usize, x0: f32, x1: f32, text: &str) -> Cell {
        Cell {
            row,
            col,
            row_span: rs,
            col_span: 1,
            bbox: Rect::new(x0, 10.0 * row as f32, x1, 10.0 * (row + rs) as f32),
            text: text.into(),
            overdrawn: 0,
            confidence: None,
        }
    }

    fn table(page: u32, rows: usize, cells: Vec<Cell>) -> Table {
        Table {
            page,
            bbox: Rect::new(0.0, 0.0, 100.0, 10.0 * rows as f32),
            col_edges: vec![0.0, 50.0, 100.0],
            row_edges: (0..=rows).map(|r| 10.0 * r as f32).collect(),
            cells,
            cut_top: false,
            cut_bottom: false,
        }
    }

    #[test]
    fn a_row_split_by_the_break_is_joined() {
        let mut g = FormGrid::default();
        let a = table(1, 1, vec![cell(0, 0, 1, 0.0, 50.0, "年度总体目标"), cell(0, 1, 1, 50.0, 100.0, "人员到岗率达10")]);
        let b = table(2, 2, vec![cell(0, 1, 1, 50.0, 100.0, "0%，完成"), cell(1, 0, 1, 0.0, 50.0, "绩效指标")]);
        g.push(&a, Extraction::Text, false);
        g.push(&b, Extraction::Text, true);
        assert_eq!(g.rows, 2);
        let goal = g.find(Label::AnnualGoal).unwrap();
        assert_eq!(g.right_of(goal).unwrap().text, "人员到岗率达100%，完成");
        assert_eq!(g.pages, vec![1, 2]);
    }

    #[test]
    fn fragments_without_split_rows_stack() {
        let mut g = FormGrid::default();
        g.push(&table(1, 1, vec![cell(0, 0, 1, 0.0, 50.0, "项目总目标")]), Extraction::Text, false);
        g.push(&table(2, 1, vec![cell(0, 0, 1, 0.0, 50.0, "目标文字")]), Extraction::Text, false);
        let label = g.find(Label::OverallGoal).unwrap();
        assert_eq!(g.below(label).unwrap().text, "目标文字");
    }
}
