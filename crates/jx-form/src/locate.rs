//! Finding the forms in a file: a form is a ruled table whose cells carry
//! the form's labels (项目名称 …), introduced by the title lines above it.
//! A table on the next page, first on its page, with the same outer edges
//! and no title between, continues it. Other tables (budget summaries, a
//! volume's front matter) start nothing and end the current form.

use crate::grid::FormGrid;
use crate::labels::{Label, label_read};
use crate::title;
use jx_model::{PageLayout, Rect, Table, TextLine};
use std::borrow::Cow;

/// One form's pieces, in document order.
#[derive(Debug, Clone, Default)]
pub struct LocatedForm {
    pub grid: FormGrid,
    /// Text lines between the previous table and this form's first table.
    pub heading: Vec<TextLine>,
    pub extractions: Vec<jx_model::Extraction>,
}

/// All forms of a file and the lines before the first one.
#[derive(Debug, Clone, Default)]
pub struct Located {
    pub forms: Vec<LocatedForm>,
    pub front_lines: Vec<TextLine>,
}

/// How far the outer edges of a continuation may differ from the fragment
/// before (pt), on pages from a text layer. A judgment, not measured (set
/// with the first form layer).
const EDGE_TOLERANCE: f32 = 6.0;

/// The same on pages read by OCR: about 5 mm. Each sheet lies in the
/// feeder or on the glass a few millimetres from the last (±2 mm is a
/// feeder's usual registration) and a skew left over after deskewing
/// moves a table's edge by a few points more. Judgment from those figures;
/// the held-out pidu 180 dpi scan's last indicator row, alone on its page,
/// was left out at 6 pt and joins its form at 15.
const SCANNED_EDGE_TOLERANCE: f32 = 15.0;

/// A table of at most this many rows that is no part of a form may be the
/// next form's heading, boxed (a one-row title table, or title and year in
/// two or three rows). A judgment, not measured.
const MAX_HEADING_TABLE_ROWS: usize = 3;

/// A line that titles a form (…绩效目标…表), or one of its year lines.
fn is_heading(text: &str) -> bool {
    title::title_of(text, false).is_some() || title::is_year_line(text)
}

/// A line between two tables that parts them: a form's heading, or the
/// title of any other table (…支出决算表, …预算明细表), unless it says the
/// table goes on (续表). A budget volume prints its tables under titles of
/// their own, while a form carried over a page break goes on untitled; a
/// final-account table drawn after a form's last page may otherwise stand
/// within the scanned edge tolerance of the form and be read as its rest.
pub fn parts_tables(text: &str) -> bool {
    is_heading(text) || (title::title_of(text, true).is_some() && !text.contains('续'))
}

/// A table starts a form when it carries 项目名称 as a form does — a label
/// with its value to its right — and at least two more of the form's labels,
/// one of them a label only a form prints ([`Label::only_on_forms`]) unless
/// a form's title stands above it (`titled`). A budget list with 项目名称,
/// 项目类别 … as column heads does not, nor a budget table whose heads are
/// 项目名称 and the funds' lines (上年结转资金, 其他资金). On a page read by
/// OCR a label may be one character off (a stray `”` before 项目名称), as
/// the grid reads it too.
fn starts_form(t: &Table, by_ocr: bool, titled: bool) -> bool {
    let label = |text: &str| label_read(text, by_ocr);
    let labels: std::collections::HashSet<Label> =
        t.cells.iter().filter_map(|c| label(&c.text)).collect();
    let name_has_value = t
        .cells
        .iter()
        .filter(|c| label(&c.text) == Some(Label::ProjectName))
        .any(|c| {
            t.cells
                .iter()
                .find(|v| v.row == c.row && v.col == c.col + c.col_span)
                .is_some_and(|v| label(&v.text).is_none())
        });
    name_has_value && labels.len() >= 3 && (titled || labels.iter().any(|l| l.only_on_forms()))
}

/// Whether a table whose box is `next`, first on its page, may continue the
/// table `prev` that ended the page before: the same outer edges. The rest
/// of the test (no title between) needs the text; the cheap look at a
/// scanned page uses this part before reading it.
pub fn may_continue(prev: &Rect, next: &Rect) -> bool {
    edges_within(prev, next, EDGE_TOLERANCE)
}

/// [`may_continue`] for a table on a page read by OCR
/// ([`SCANNED_EDGE_TOLERANCE`]).
pub fn may_continue_scanned(prev: &Rect, next: &Rect) -> bool {
    edges_within(prev, next, SCANNED_EDGE_TOLERANCE)
}

fn edges_within(prev: &Rect, next: &Rect, tolerance: f32) -> bool {
    (next.x0 - prev.x0).abs() <= tolerance && (next.x1 - prev.x1).abs() <= tolerance
}

fn continues(
    prev: &Table,
    prev_last_on_page: bool,
    t: &Table,
    first_on_page: bool,
    between: &[TextLine],
) -> bool {
    first_on_page
        && prev_last_on_page
        && t.page == prev.page + 1
        && if t.cells.iter().any(|c| c.read_by_ocr()) {
            may_continue_scanned(&prev.bbox, &t.bbox)
        } else {
            may_continue(&prev.bbox, &t.bbox)
        }
        && !between.iter().any(|l| parts_tables(&l.text))
        && !t.cells.iter().any(|c| is_heading(&c.text))
}

/// Walks the pages in order and groups tables into forms. A table that
/// holds a second form's head below an indicator table is cut first
/// ([`crate::split`]); its lower part starts a form even where its 项目名称
/// could not be read (the form then says so in a `missing_field`).
pub fn locate(pages: &[PageLayout]) -> Located {
    let (split, heads): (Vec<_>, Vec<Vec<Rect>>) =
        pages.iter().map(crate::split::split_merged_forms).unzip();
    locate_split(&split, &heads)
}

fn locate_split(pages: &[Cow<'_, PageLayout>], heads: &[Vec<Rect>]) -> Located {
    let mut out = Located::default();
    let mut current: Option<LocatedForm> = None;
    let mut pending: Vec<TextLine> = Vec::new();
    let mut seen_form = false;
    for (page, heads) in pages.iter().zip(heads) {
        let mut table_no = 0;
        for item in reading_order(page) {
            let t = match item {
                Item::Line(l) => {
                    pending.push(l.clone());
                    if !seen_form {
                        out.front_lines.push(l.clone());
                    }
                    continue;
                }
                Item::Table(t) => t,
            };
            let first_on_page = table_no == 0;
            table_no += 1;
            let titled = pending
                .iter()
                .any(|l| title::title_of(&l.text, false).is_some());
            let by_ocr = page.extraction == jx_model::Extraction::Ocr;
            if starts_form(t, by_ocr, titled) || heads.contains(&t.bbox) {
                if let Some(f) = current.take() {
                    out.forms.push(f);
                }
                seen_form = true;
                let mut f = LocatedForm {
                    heading: std::mem::take(&mut pending),
                    ..Default::default()
                };
                f.grid.push(t, page.extraction, false);
                f.extractions.push(page.extraction);
                current = Some(f);
                continue;
            }
            let follows = current
                .as_ref()
                .is_some_and(|f| follows(pages, f, t, first_on_page, &pending));
            if follows && let Some(f) = current.as_mut() {
                let split_row = (f.grid.last.as_ref().is_some_and(|p| p.cut_bottom) && t.cut_top)
                    || f.grid.first_row_is_remainder(t);
                f.grid.push(t, page.extraction, split_row);
                f.extractions.push(page.extraction);
            } else if let Some(f) = current.take() {
                out.forms.push(f);
            }
            pending.clear();
            if !follows && t.rows() <= MAX_HEADING_TABLE_ROWS {
                pending.extend(heading_lines(t));
            }
        }
    }
    if let Some(f) = current {
        out.forms.push(f);
    }
    out
}

/// A table or a line of a page.
enum Item<'p> {
    Table(&'p Table),
    Line(&'p TextLine),
}

/// The tables and lines of a page in reading order (by top edge; a table
/// before a line at the same height, as the sort is stable).
fn reading_order(page: &PageLayout) -> Vec<Item<'_>> {
    let mut items: Vec<(f32, Item<'_>)> = page
        .tables
        .iter()
        .map(|t| (t.bbox.y0, Item::Table(t)))
        .chain(page.lines.iter().map(|l| (l.bbox.y0, Item::Line(l))))
        .collect();
    items.sort_by(|a, b| a.0.total_cmp(&b.0));
    items.into_iter().map(|(_, item)| item).collect()
}

/// Whether table `t` continues form `f`: [`continues`] its last fragment,
/// which must have been the last table on its page.
fn follows(
    pages: &[Cow<'_, PageLayout>],
    f: &LocatedForm,
    t: &Table,
    first_on_page: bool,
    pending: &[TextLine],
) -> bool {
    f.grid.last.as_ref().is_some_and(|prev| {
        let prev_last = pages
            .iter()
            .find(|p| p.number == prev.page)
            .is_some_and(|p| p.tables.last().is_some_and(|l| l.bbox == prev.bbox));
        continues(prev, prev_last, t, first_on_page, pending)
    })
}

/// The cells of a small table that is no part of a form, as heading lines:
/// it may be the next form's heading, boxed (a one-row title table).
fn heading_lines(t: &Table) -> impl Iterator<Item = TextLine> + '_ {
    t.cells
        .iter()
        .filter(|c| !c.text.trim().is_empty())
        .map(|c| TextLine {
            page: t.page,
            bbox: c.bbox,
            text: c.text.clone(),
            font_size: 0.0,
            overdrawn: c.overdrawn,
            confidence: c.confidence,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings() {
        assert!(is_heading("财政项目支出绩效目标申报表"));
        assert!(is_heading("（2023年度）"));
        assert!(!is_heading(
            "上海市闵行区社会保障服务中心2024年度项目绩效目标汇总表"
        ));
    }

    /// Another table's title parts two tables; a page's number, a unit
    /// line or a 续表 does not.
    #[test]
    fn a_table_title_parts_tables() {
        assert!(parts_tables("2023年部门决算支出决算表"));
        assert!(parts_tables("一般公共预算财政拨款支出决算表"));
        assert!(parts_tables("（2023年度）"));
        for line in [
            "第18页",
            "编制单位：重庆市某区某局",
            "单位：万元",
            "支出决算明细表（续表）",
        ] {
            assert!(!parts_tables(line), "{line}");
        }
    }

    #[test]
    fn a_scanned_table_may_stand_millimetres_off_the_one_it_continues() {
        let form = Rect::new(50.0, 80.0, 545.0, 800.0);
        let shifted = Rect::new(60.0, 40.0, 556.0, 90.0);
        assert!(!may_continue(&form, &shifted), "a text layer is exact");
        assert!(may_continue_scanned(&form, &shifted), "a sheet 10 pt off");
        let other = Rect::new(30.0, 40.0, 565.0, 300.0);
        assert!(
            !may_continue_scanned(&form, &other),
            "another table, 20 pt off"
        );
    }
}
