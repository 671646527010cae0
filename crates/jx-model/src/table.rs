//! Tables reconstructed from ruling lines, with merged cells, and the text
//! lines of a page that lie outside any table.

use crate::geometry::Rect;
use crate::page::{Extraction, HeadChevron, InkExtent, OcrEngineId, OcrRewrite, UnsureChar};
use serde::{Deserialize, Serialize};

/// One cell of a table grid. A merged cell spans several grid rows or columns;
/// there is exactly one `Cell` for it (the others are simply covered).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub row: usize,
    pub col: usize,
    pub row_span: usize,
    pub col_span: usize,
    pub bbox: Rect,
    /// The cell's text assembled by the contract's text rules.
    pub text: String,
    /// The text as runs separated by wide gaps, each with its box, in
    /// reading order: lets a later stage re-divide a cell whose dividing
    /// rules the producer left out (a row continued on the next page).
    pub runs: Vec<(Rect, String)>,
    /// Number of glyphs drawn more than once in this cell and counted once.
    pub overdrawn: u32,
    /// Lowest OCR confidence of the cell's text (0..1), `None` for text-layer cells.
    pub confidence: Option<f32>,
    /// OCR: the engine that read the cell's text (the first glyph's).
    #[serde(default)]
    pub engine: Option<OcrEngineId>,
    /// Rewrites the OCR stage made to the cell's glyphs, in reading order.
    #[serde(default)]
    pub rewrites: Vec<OcrRewrite>,
    /// Characters of the cell's glyphs read with little margin over their
    /// runner-up, in reading order.
    #[serde(default)]
    pub unsure: Vec<UnsureChar>,
    /// OCR: what the pixels show at the head of the cell's first line (a
    /// barred chevron), for the form's grammar to settle the operator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<HeadChevron>,
    /// OCR: the text ink found in the cell ([`InkExtent`]), to weigh
    /// against the boxes of `runs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ink: Option<InkExtent>,
}

impl Cell {
    /// Whether OCR read the cell (it has a confidence), not the text layer.
    pub fn read_by_ocr(&self) -> bool {
        self.confidence.is_some()
    }

    /// Last grid row the cell covers.
    /// A cell of one row and one column holding `text` as a text layer
    /// gives it (no OCR readings), at `bbox`.
    pub fn new(row: usize, col: usize, bbox: Rect, text: impl Into<String>) -> Cell {
        Cell {
            row,
            col,
            row_span: 1,
            col_span: 1,
            bbox,
            text: text.into(),
            runs: Vec::new(),
            overdrawn: 0,
            confidence: None,
            engine: None,
            rewrites: Vec::new(),
            unsure: Vec::new(),
            head: None,
            ink: None,
        }
    }

    pub fn last_row(&self) -> usize {
        self.row + self.row_span - 1
    }

    /// Last grid column the cell covers.
    pub fn last_col(&self) -> usize {
        self.col + self.col_span - 1
    }
}

/// A ruled table on one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// 1-based page number.
    pub page: u32,
    pub bbox: Rect,
    /// x of each column boundary, ascending (`cols + 1` values).
    pub col_edges: Vec<f32>,
    /// y of each row boundary, ascending (`rows + 1` values).
    pub row_edges: Vec<f32>,
    /// Cells ordered by (row, col).
    pub cells: Vec<Cell>,
    /// The table's vertical rules run past its first horizontal rule up to
    /// the page's edge: a page break cut it there, and the first row may be
    /// the rest of a row begun on the previous page.
    pub cut_top: bool,
    /// Likewise at the bottom: the last row may go on on the next page.
    pub cut_bottom: bool,
}

impl Table {
    pub fn rows(&self) -> usize {
        self.row_edges.len().saturating_sub(1)
    }

    pub fn cols(&self) -> usize {
        self.col_edges.len().saturating_sub(1)
    }

    /// The cells whose top row is `row`, left to right.
    pub fn cells_starting_in_row(&self, row: usize) -> impl Iterator<Item = &Cell> {
        self.cells.iter().filter(move |c| c.row == row)
    }

    /// The cell covering grid position (`row`, `col`), if any.
    pub fn cell_at(&self, row: usize, col: usize) -> Option<&Cell> {
        self.cells
            .iter()
            .find(|c| c.row <= row && row <= c.last_row() && c.col <= col && col <= c.last_col())
    }
}

/// A line of text outside every table (titles, the year line, page headers).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextLine {
    pub page: u32,
    pub bbox: Rect,
    pub text: String,
    /// Typical font size of the line, points.
    pub font_size: f32,
    pub overdrawn: u32,
    /// Lowest OCR confidence of the line's text, `None` for the text layer.
    pub confidence: Option<f32>,
}

impl TextLine {
    /// Whether OCR read the line (it has a confidence), not the text layer.
    pub fn read_by_ocr(&self) -> bool {
        self.confidence.is_some()
    }
}

/// Everything the form layer needs from one page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageLayout {
    pub number: u32,
    pub width: f32,
    pub height: f32,
    pub extraction: Extraction,
    /// Tables top to bottom.
    pub tables: Vec<Table>,
    /// Text lines outside tables, top to bottom.
    pub lines: Vec<TextLine>,
}
