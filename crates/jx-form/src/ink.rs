//! Ink left unread: a cell read by OCR whose text ink goes on past what was
//! read from it. A line dropped from a two-line name (`（2022—2023年）`
//! under the project's name), the tail of a department cut off
//! (`海市金农业` read from `上海市金山区农业农村委员会(本级)`): the
//! reading fits every pattern and the engines may be sure of it, but the
//! page holds more. The recognisers report the cell's text ink
//! ([`jx_model::InkExtent`]) and the boxes of what they read (the cell's
//! runs); this module judges, and [`crate::record::Recorder::read`] turns
//! the judgment into a doubt naming the field. It never changes a value.

use jx_model::text::wider_than_printed;
use jx_model::{Cell, Rect};

/// Ink this many line heights below the last line read, or above the
/// first, is a line left unread. A line is one line height tall and lines
/// are set at least that far apart; the recognisers' boxes may fall short
/// of the ink by a stroke. Judgment, then measured with
/// `scripts/ocr-compare` (README "Where a doubt comes from").
const UNREAD_LINE_SHARE: f32 = 0.6;

/// Ink this many line heights left or right of everything read is a
/// character or more left unread (a character is about one line height
/// wide; an unread `≥` of 0.6–0.75, settled from its pixels, stays under
/// it). Judgment, then measured as above.
const UNREAD_WIDTH_EM: f32 = 1.2;

/// A line read is taken as short of its ink when it is more than this
/// many times as wide as its characters print ([`wider_than_printed`]), plus one
/// line height for the margin of its box (print spaced out in a wide cell
/// reads at about 1.2–1.3 times). The OCR layer asks for a second reading
/// at the same figure (`jx_ocr` `UNREAD_INK_SLACK`).
const SPARSE_LINE_SLACK: f32 = 1.6;

/// Where a cell's ink goes on past its reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UnreadInk {
    /// Ink outside every box read: the unread part's box.
    Beyond(Rect),
    /// A line read with far fewer characters than its ink holds: the
    /// line's box and the characters read from it.
    Sparse { line: Rect, chars: usize },
}

impl UnreadInk {
    /// Why the field is in doubt, for a person.
    pub fn why(&self) -> String {
        match self {
            UnreadInk::Beyond(b) => format!(
                "the cell holds ink OCR read nothing from ({:.0}×{:.0} pt at {:.0},{:.0}): a line or characters may be missing; check against the page",
                b.width(),
                b.height(),
                b.x0,
                b.y0
            ),
            UnreadInk::Sparse { line, chars } => format!(
                "OCR read {chars} character(s) from a line of ink {:.0} pt wide, room for many more: characters may be missing; check against the page",
                line.width()
            ),
        }
    }
}

/// The ink of `cell` left unread, judged from its text ink and the boxes
/// of its runs against the page's line height; `None` for a text-layer
/// cell or a cell without text ink. A cell with text ink and nothing read
/// is all unread: a field the form prints but that some templates leave
/// blank (项目总目标) is null without a word when its cell is blank, and
/// must not be when it holds text.
pub fn unread_ink(cell: &Cell) -> Option<UnreadInk> {
    let evidence = cell.ink?;
    let Some(first) = cell.runs.first() else {
        return Some(UnreadInk::Beyond(evidence.bbox));
    };
    let read = cell.runs.iter().fold(first.0, |b, (r, _)| b.union(r));
    let (ink, lh) = (evidence.bbox, evidence.page_line_height.max(1.0));
    let beyond = [
        (ink.y1 - read.y1 > UNREAD_LINE_SHARE * lh)
            .then(|| Rect::new(ink.x0, read.y1, ink.x1, ink.y1)),
        (read.y0 - ink.y0 > UNREAD_LINE_SHARE * lh)
            .then(|| Rect::new(ink.x0, ink.y0, ink.x1, read.y0)),
        (ink.x1 - read.x1 > UNREAD_WIDTH_EM * lh)
            .then(|| Rect::new(read.x1, ink.y0, ink.x1, ink.y1)),
        (read.x0 - ink.x0 > UNREAD_WIDTH_EM * lh)
            .then(|| Rect::new(ink.x0, ink.y0, read.x0, ink.y1)),
    ];
    if let Some(b) = beyond.into_iter().flatten().next() {
        return Some(UnreadInk::Beyond(b));
    }
    let one_line = cell.runs.len() == 1;
    cell.runs
        .iter()
        .find_map(|(line, text)| short_line(line, text, lh, one_line))
}

/// A run read short of its box: in a cell read as one run (`one_line`),
/// far wider than its characters print at the page's line height `lh`.
/// In a cell of several lines a line's box may take in its neighbour's ink
/// on a skewed page (a `(汇总)` boxed 133 pt wide on the corpus's skewed
/// 150 dpi scan), so only a cell of one run is judged.
///
/// Tried and not kept: a run as tall as two of the page's lines taken for
/// two lines read as one. It named the tuning scans' `海市金农业` (1.8
/// lines), but one-line boxes of right readings on the corpus's 100 and
/// 150 dpi scans stand 1.6–1.8 lines tall too (15 right fields flagged).
fn short_line(line: &Rect, text: &str, lh: f32, one_line: bool) -> Option<UnreadInk> {
    let sparse = one_line && wider_than_printed(line.width(), lh, text, SPARSE_LINE_SLACK);
    sparse.then(|| UnreadInk::Sparse {
        line: *line,
        chars: text.chars().count(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::InkExtent;

    /// An OCR cell whose ink is `ink` (lines 10 pt) and whose reading is
    /// `runs`.
    fn cell(ink: Rect, runs: &[(Rect, &str)]) -> Cell {
        Cell {
            confidence: Some(0.99),
            runs: runs.iter().map(|(r, t)| (*r, t.to_string())).collect(),
            ink: Some(InkExtent {
                bbox: ink,
                line_height: 10.0,
                page_line_height: 10.0,
            }),
            ..Cell::new(0, 0, Rect::new(0.0, 0.0, 200.0, 40.0), "")
        }
    }

    #[test]
    fn a_second_line_of_ink_read_as_nothing_is_unread() {
        let name = (Rect::new(10.0, 5.0, 150.0, 16.0), "农业生产社会化服务项目");
        let c = cell(Rect::new(10.0, 5.0, 150.0, 30.0), &[name]);
        assert!(matches!(unread_ink(&c), Some(UnreadInk::Beyond(b)) if b.y0 == 16.0));
        // Both lines read: nothing left.
        let second = (Rect::new(10.0, 19.0, 110.0, 30.0), "（2022—2023年）");
        assert_eq!(
            unread_ink(&cell(Rect::new(10.0, 5.0, 150.0, 30.0), &[name, second])),
            None
        );
    }

    #[test]
    fn a_line_of_ink_far_wider_than_its_characters_is_unread() {
        // Five characters from a line 170 pt wide at 10 pt a line.
        let c = cell(
            Rect::new(0.0, 0.0, 170.0, 10.0),
            &[(Rect::new(0.0, 0.0, 170.0, 10.0), "海市金农业")],
        );
        assert!(matches!(
            unread_ink(&c),
            Some(UnreadInk::Sparse { chars: 5, .. })
        ));
        let whole = cell(
            Rect::new(0.0, 0.0, 170.0, 10.0),
            &[(
                Rect::new(0.0, 0.0, 170.0, 10.0),
                "上海市金山区农业农村委员会(本级)",
            )],
        );
        assert_eq!(unread_ink(&whole), None);
    }

    #[test]
    fn ink_within_a_stroke_of_the_reading_is_read_and_ink_read_as_nothing_is_not() {
        // The ink a few points past the boxes read (a stroke, a margin).
        let c = cell(
            Rect::new(8.0, 3.0, 62.0, 19.0),
            &[(Rect::new(10.0, 5.0, 60.0, 16.0), "≥90.00(%)")],
        );
        assert_eq!(unread_ink(&c), None);
        // A text layer: no judgment here.
        let mut printed = c.clone();
        printed.ink = None;
        assert_eq!(unread_ink(&printed), None);
        // Text ink and nothing read: all of it unread.
        let ink = Rect::new(0.0, 0.0, 50.0, 10.0);
        assert_eq!(unread_ink(&cell(ink, &[])), Some(UnreadInk::Beyond(ink)));
    }
}
