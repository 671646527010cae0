//! One form's table, whole: the fragments a page break cut apart are put
//! back together into one grid of global rows, and a row the break split in
//! two (its top part at the foot of one page, the rest at the head of the
//! next) becomes one row again.

use crate::ink::{UnreadInk, unread_ink};
use crate::labels::{Label, label_of, nearest_label};
use crate::taxonomy;
use jx_model::{Cell, Extraction, HeadChevron, OcrEngineId, OcrRewrite, Rect, Table, UnsureChar};

/// Where on a page part of a cell was read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece {
    pub page: u32,
    pub bbox: Rect,
    /// OCR: the piece's text ink left unread ([`crate::ink`]).
    pub unread: Option<UnreadInk>,
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
    /// OCR: the engine that read the cell (its look-alike habits).
    pub engine: Option<OcrEngineId>,
    /// Rewrites the OCR stage made to the cell's glyphs (logged as repairs
    /// of the field the cell becomes).
    pub rewrites: Vec<OcrRewrite>,
    /// Characters the recogniser read with little margin (evidence the
    /// form layer weighs: [`crate::record::Recorder::read`]).
    pub unsure: Vec<UnsureChar>,
    /// What the pixels show at the head of the cell's text (a barred
    /// chevron), from the piece that begins it; pieces appended from the
    /// next page continue the text and bring none.
    pub head: Option<HeadChevron>,
    pub label: Option<Label>,
    /// For a label snapped from OCR text one or two characters off: the text
    /// as read (the repair to log).
    pub label_read_as: Option<String>,
    pub extraction: Extraction,
}

impl GridCell {
    /// The grid cell of table cell `c` of page `page`, over global rows
    /// `rows`.
    fn new(c: &Cell, page: u32, (row, row_end): (usize, usize), extraction: Extraction) -> Self {
        let (label, label_read_as) = classify(&c.text, c.read_by_ocr());
        GridCell {
            row,
            row_end,
            x0: c.bbox.x0,
            x1: c.bbox.x1,
            text: c.text.clone(),
            pieces: vec![Piece {
                page,
                bbox: c.bbox,
                unread: unread_ink(c),
            }],
            overdrawn: c.overdrawn,
            confidence: c.confidence,
            engine: c.engine,
            rewrites: c.rewrites.clone(),
            unsure: c.unsure.clone(),
            head: c.head,
            label,
            label_read_as,
            extraction,
        }
    }

    fn append(&mut self, text: &str, piece: Piece, from: &Cell) {
        self.text.push_str(text);
        self.pieces.push(piece);
        self.overdrawn += from.overdrawn;
        self.confidence = min_conf(self.confidence, from.confidence);
        self.engine = self.engine.or(from.engine);
        self.rewrites.extend(
            from.rewrites
                .iter()
                .filter(|w| text.contains(w.rewritten.as_str()))
                .cloned(),
        );
        self.unsure.extend(
            from.unsure
                .iter()
                .filter(|u| text.contains(u.read.as_str()))
                .cloned(),
        );
        (self.label, self.label_read_as) = classify(&self.text, self.read_by_ocr());
    }

    /// Whether OCR read (some of) the cell: it has a confidence, which a
    /// text-layer cell never has. The one test of "read by OCR" of the form
    /// layer's cells.
    pub fn read_by_ocr(&self) -> bool {
        self.confidence.is_some()
    }

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
    /// the grid's last row (the break split the row): its text joins the
    /// last row's cells in the same column — cell by cell where the columns
    /// line up, run by run where the producer drew the rest of the row
    /// without its column rules.
    pub fn push(&mut self, table: &Table, extraction: Extraction, continues_row: bool) {
        let joining = continues_row && self.rows > 0;
        let offset = if joining { self.rows - 1 } else { self.rows };
        for c in &table.cells {
            let (row, row_end) = (offset + c.row, offset + c.last_row());
            let targets: Vec<usize> = if joining && c.row == 0 {
                (0..self.cells.len())
                    .filter(|&i| {
                        let g = &self.cells[i];
                        g.row_end == offset
                            && g.x_overlap(c.bbox.x0, c.bbox.x1)
                                > 0.25 * g.width().min(c.bbox.width())
                    })
                    .collect()
            } else {
                Vec::new()
            };
            match targets.as_slice() {
                [] => self
                    .cells
                    .push(GridCell::new(c, table.page, (row, row_end), extraction)),
                [one] => {
                    let g = &mut self.cells[*one];
                    g.append(
                        &c.text,
                        Piece {
                            page: table.page,
                            bbox: c.bbox,
                            unread: unread_ink(c),
                        },
                        c,
                    );
                    g.row_end = g.row_end.max(row_end);
                }
                many => {
                    for (bbox, text) in &c.runs {
                        let cx = bbox.center().x;
                        let best = many.iter().copied().min_by(|&a, &b| {
                            dist(&self.cells[a], cx).total_cmp(&dist(&self.cells[b], cx))
                        });
                        if let Some(i) = best {
                            self.cells[i].append(
                                text,
                                // A run of a cell shared out: which
                                // run its unread ink belongs to is
                                // not known.
                                Piece {
                                    page: table.page,
                                    bbox: *bbox,
                                    unread: None,
                                },
                                c,
                            );
                        }
                    }
                }
            }
        }
        self.rows = self.rows.max(offset + table.rows());
        if !self.pages.contains(&table.page) {
            self.pages.push(table.page);
            self.pages.sort_unstable();
        }
        self.last = Some(table.clone());
    }

    /// Whether `table`'s first row is the rest of this grid's last row even
    /// though rules close both, as LibreOffice draws a continued row: the row
    /// holds no label and no text in a cell reaching further down, and either divides fewer columns than the last row or,
    /// inside the indicator table, has text but an empty 三级指标 cell (every
    /// indicator row names its indicator, so such a row is no row of its own).
    pub fn first_row_is_remainder(&self, table: &Table) -> bool {
        let Some(last) = self.rows.checked_sub(1) else {
            return false;
        };
        let first: Vec<_> = table.cells.iter().filter(|c| c.row == 0).collect();
        if first.is_empty() || first.iter().any(|c| label_of(&c.text).is_some()) {
            return false;
        }
        // The cell of the last row above a first-row cell (same column).
        let above = |c: &jx_model::Cell| {
            self.cells.iter().find(|g| {
                g.covers_row(last)
                    && g.x_overlap(c.bbox.x0, c.bbox.x1) > 0.5 * g.width().min(c.bbox.width())
            })
        };
        // A level label cut by the break (`社会效益指` / `标`): the text above
        // and this one make a taxonomy label that neither is alone.
        let completes_label = first.iter().any(|c| {
            let t = c.text.trim();
            !t.is_empty()
                && !taxonomy::is_level1(t)
                && !taxonomy::is_level2(t)
                && above(c).is_some_and(|g| {
                    let joined = format!("{}{t}", g.text.trim());
                    !taxonomy::is_level1(g.text.trim())
                        && !taxonomy::is_level2(g.text.trim())
                        && (taxonomy::is_level1(&joined) || taxonomy::is_level2(&joined))
                })
        });
        if completes_label {
            return true;
        }
        if first.iter().any(|c| c.row_span != 1 && !c.text.is_empty()) {
            return false;
        }
        // An indicator name cut by the break (`…巡查（访）2` / `次完成率`): the
        // row gives no target value of its own while the row above has one
        // and a name (every indicator row has a value, so this is no row).
        let value_cut = self.find(Label::Level3Header).is_some()
            && self.find(Label::ValueHeader).is_some_and(|v| {
                let in_value_col = |c: &&&jx_model::Cell| {
                    c.bbox.x1.min(v.x1) - c.bbox.x0.max(v.x0) > 0.5 * (v.x1 - v.x0)
                };
                let above_value = self
                    .cells
                    .iter()
                    .find(|g| g.covers_row(last) && g.x_overlap(v.x0, v.x1) > 0.5 * (v.x1 - v.x0));
                first.iter().any(|c| !c.text.is_empty())
                    && first.iter().filter(in_value_col).all(|c| c.text.is_empty())
                    && above_value.is_some_and(|g| !g.text.trim().is_empty() && g.row_end == last)
            });
        if value_cut {
            return true;
        }
        let before = self.cells.iter().filter(|c| c.covers_row(last)).count();
        let nameless = self.find(Label::Level3Header).is_some_and(|h| {
            let in_name_col = |c: &&&jx_model::Cell| {
                c.bbox.x1.min(h.x1) - c.bbox.x0.max(h.x0) > 0.5 * (h.x1 - h.x0)
            };
            first.iter().any(|c| !c.text.is_empty())
                && first.iter().filter(in_name_col).all(|c| c.text.is_empty())
        });
        first.len() < before || nameless
    }

    /// The first cell carrying `label`, in reading order.
    pub fn find(&self, label: Label) -> Option<&GridCell> {
        self.sorted().into_iter().find(|c| c.label == Some(label))
    }

    /// All cells carrying `label`, in reading order.
    pub fn find_all(&self, label: Label) -> Vec<&GridCell> {
        self.sorted()
            .into_iter()
            .filter(|c| c.label == Some(label))
            .collect()
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
                a.x0.total_cmp(&b.x0)
                    .then((a.row != cell.row).cmp(&(b.row != cell.row)))
            })
    }

    /// The cell right under `cell` that shares most of its width.
    pub fn below(&self, cell: &GridCell) -> Option<&GridCell> {
        self.cells
            .iter()
            .filter(|c| c.row == cell.row_end + 1 && c.x_overlap(cell.x0, cell.x1) > 0.0)
            .max_by(|a, b| {
                a.x_overlap(cell.x0, cell.x1)
                    .total_cmp(&b.x_overlap(cell.x0, cell.x1))
            })
    }

    /// Cells covering global row `row`.
    pub fn covering(&self, row: usize) -> impl Iterator<Item = &GridCell> {
        self.cells.iter().filter(move |c| c.covers_row(row))
    }
}

/// The label a cell's text is. Text read by OCR may be one or two
/// characters off a label of the closed vocabulary; it is that label, and the
/// text as read is returned to be logged.
fn classify(text: &str, by_ocr: bool) -> (Option<Label>, Option<String>) {
    if let Some(l) = label_of(text) {
        return (Some(l), None);
    }
    match by_ocr.then(|| nearest_label(text, 2)).flatten() {
        Some((l, _, _)) => (Some(l), Some(text.to_string())),
        None => (None, None),
    }
}

/// Horizontal distance from `x` to the cell (0 inside it).
fn dist(c: &GridCell, x: f32) -> f32 {
    (c.x0 - x).max(x - c.x1).max(0.0)
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
        let bbox = Rect::new(x0, 10.0 * row as f32, x1, 10.0 * (row + rs) as f32);
        Cell {
            row_span: rs,
            runs: vec![(
                Rect::new(
                    x0 + 1.0,
                    10.0 * row as f32,
                    x1 - 1.0,
                    10.0 * (row + rs) as f32,
                ),
                text.into(),
            )],
            ..Cell::new(row, col, bbox, text)
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
        let a = table(
            1,
            1,
            vec![
                cell(0, 0, 1, 0.0, 50.0, "年度总体目标"),
                cell(0, 1, 1, 50.0, 100.0, "人员到岗率达10"),
            ],
        );
        let b = table(
            2,
            2,
            vec![
                cell(0, 1, 1, 50.0, 100.0, "0%，完成"),
                cell(1, 0, 1, 0.0, 50.0, "绩效指标"),
            ],
        );
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
        g.push(
            &table(1, 1, vec![cell(0, 0, 1, 0.0, 50.0, "项目总目标")]),
            Extraction::Text,
            false,
        );
        g.push(
            &table(2, 1, vec![cell(0, 0, 1, 0.0, 50.0, "目标文字")]),
            Extraction::Text,
            false,
        );
        let label = g.find(Label::OverallGoal).unwrap();
        assert_eq!(g.below(label).unwrap().text, "目标文字");
    }
}
