//! Finding the forms in a file: a form is a ruled table whose cells carry
//! the form's labels (项目名称 …), introduced by the title lines above it.
//! A table on the next page, first on its page, with the same outer edges
//! and no title between, continues it. Other tables (budget summaries, a
//! volume's front matter) start nothing and end the current form.

use crate::grid::FormGrid;
use crate::labels::{Label, label_of, normalize_label};
use jx_model::{PageLayout, Table, TextLine};
use regex::Regex;
use std::sync::LazyLock;

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
/// before (pt).
const EDGE_TOLERANCE: f32 = 6.0;

/// `(2024年度)` and its variants.
pub fn year_of(text: &str) -> Option<i32> {
    static YEAR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(19[0-9]{2}|2[0-1][0-9]{2})\s*年度").unwrap());
    YEAR.captures(text).and_then(|c| c[1].parse().ok())
}

/// A line that is only the year line (`(2024年度)`).
pub fn is_year_line(text: &str) -> bool {
    static YEAR_LINE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[(（]?\s*(19|20|21)[0-9]{2}\s*年度?\s*[)）]?$").unwrap());
    YEAR_LINE.is_match(normalize_label(text).as_str())
}

/// A line that titles a form: …绩效目标…表.
pub fn is_form_title(text: &str) -> bool {
    let n = normalize_label(text);
    n.contains("绩效目标") && (n.ends_with("表") || n.ends_with("表)")) && !n.contains("汇总")
}

/// A table starts a form when it carries 项目名称 as a form does — a label
/// with its value to its right — and at least two more of the form's labels.
/// A budget list with 项目名称, 项目类别 … as column heads does not.
fn starts_form(t: &Table) -> bool {
    let labels: std::collections::HashSet<Label> =
        t.cells.iter().filter_map(|c| label_of(&c.text)).collect();
    let name_has_value = t
        .cells
        .iter()
        .filter(|c| label_of(&c.text) == Some(Label::ProjectName))
        .any(|c| {
            t.cells
                .iter()
                .find(|v| v.row == c.row && v.col == c.col + c.col_span)
                .is_some_and(|v| label_of(&v.text).is_none())
        });
    name_has_value && labels.len() >= 3
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
        && (t.bbox.x0 - prev.bbox.x0).abs() <= EDGE_TOLERANCE
        && (t.bbox.x1 - prev.bbox.x1).abs() <= EDGE_TOLERANCE
        && !between
            .iter()
            .any(|l| is_form_title(&l.text) || is_year_line(&l.text))
}

/// Walks the pages in order and groups tables into forms.
pub fn locate(pages: &[PageLayout]) -> Located {
    let mut out = Located::default();
    let mut current: Option<LocatedForm> = None;
    let mut pending: Vec<TextLine> = Vec::new();
    let mut seen_form = false;
    for page in pages {
        // Lines and tables of the page in reading order.
        let mut items: Vec<(f32, Option<&Table>, Option<&TextLine>)> = page
            .tables
            .iter()
            .map(|t| (t.bbox.y0, Some(t), None))
            .chain(page.lines.iter().map(|l| (l.bbox.y0, None, Some(l))))
            .collect();
        items.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut table_no = 0;
        for (_, table, line) in items {
            if let Some(l) = line {
                pending.push(l.clone());
                if !seen_form {
                    out.front_lines.push(l.clone());
                }
                continue;
            }
            let Some(t) = table else { continue };
            let first_on_page = table_no == 0;
            table_no += 1;
            if starts_form(t) {
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
                .and_then(|f| f.grid.last.as_ref())
                .is_some_and(|prev| {
                    let prev_last = pages
                        .iter()
                        .find(|p| p.number == prev.page)
                        .is_some_and(|p| p.tables.last().is_some_and(|l| l.bbox == prev.bbox));
                    continues(prev, prev_last, t, first_on_page, &pending)
                });
            if follows && let Some(f) = current.as_mut() {
                let split_row = (f.grid.last.as_ref().is_some_and(|p| p.cut_bottom) && t.cut_top)
                    || f.grid.first_row_is_remainder(t);
                f.grid.push(t, page.extraction, split_row);
                f.extractions.push(page.extraction);
            } else if let Some(f) = current.take() {
                out.forms.push(f);
            }
            pending.clear();
        }
    }
    if let Some(f) = current {
        out.forms.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_years() {
        assert!(is_form_title("财政项目支出绩效目标申报表"));
        assert!(is_form_title("项目支出绩效目标填报表"));
        assert!(!is_form_title(
            "上海市闵行区社会保障服务中心2024年度项目绩效目标汇总表"
        ));
        assert!(is_year_line("(2024年度)") && is_year_line("（2023 年度）"));
        assert!(!is_year_line("财政项目支出绩效目标申报表"));
        assert_eq!(year_of("(2024年度)"), Some(2024));
        assert_eq!(year_of("无"), None);
    }
}
