//! The account of every page: which pages hold a form, which are the cover,
//! blank or something else — and which *show* a form that no record covers.
//!
//! Mapping ([`crate::map`]) decides what a form is; this module checks it
//! from the other side, with a cheaper and looser test, so that a form the
//! mapping missed (a poor scan, a table cut where the lattice lost a rule)
//! is reported instead of disappearing. A page "shows a form" when its
//! tables carry the form's own vocabulary in the way only a form does:
//!
//! * two or more different project labels (项目名称, 主管部门, 项目资金总额 …)
//!   in two or more rows of one table, one of them a label only a form
//!   prints (年度总体目标, 绩效目标, 计划开始日期 …) or the page titled as a
//!   form is — a budget table prints 项目名称, 预算单位, 上年结转资金 and
//!   其他资金 as column heads, over two rows, and does not count;
//! * the indicator table's head (一级指标 with 二级指标 or 三级指标);
//! * two or more levels of the national indicator taxonomy (产出指标,
//!   数量指标 …) in two or more rows: an indicator table continued from the
//!   page before.
//!
//! A form that lost a page (unreadable, skipped, its OCR failed) gets a
//! `page_lost` warning: it may be cut short there.

use crate::labels::{Label, label_of, label_read, nearest_label, normalize_label};
use crate::taxonomy;
use jx_model::{
    Code, Diagnostic, Extraction, FieldPath, FormRecord, PageLayout, PageRole, Rect, Table,
    Unmapped,
};
use std::collections::BTreeSet;

/// Whether cells' texts, read by OCR, are of the form's own vocabulary:
/// one of them a label only a form prints ([`Label::only_on_forms`]), a
/// level of the indicator taxonomy or a text naming an indicator (…指标);
/// or two of them distinct labels naming the project (项目名称 and 主管部门),
/// read as such or one character off (`项目名杯`, `主管部们`). One is not
/// enough, nor are funds lines: a final-account table prints 项目名称,
/// 财政拨款 and 其他资金 as column heads, and its 科目名称 is one character
/// off 项目名称. The cheap look at a scanned page reads a few cells and the
/// rest only when they are.
pub fn is_form_text(texts: &[String]) -> bool {
    let mut project: Vec<Label> = Vec::new();
    for text in texts {
        let n = normalize_label(text);
        if n.is_empty() {
            continue;
        }
        let exact = label_of(text);
        if exact.is_some_and(Label::only_on_forms)
            || taxonomy::is_level1(&n)
            || taxonomy::is_level2(&n)
            || n.contains("指标")
        {
            return true;
        }
        let label = exact.or_else(|| nearest_label(text, 1).map(|(l, _, _)| l));
        if let Some(l) = label.filter(|l| l.names_project() || l.only_on_forms())
            && !project.contains(&l)
        {
            project.push(l);
        }
    }
    project.len() >= 2
}

/// Why a page counts as showing a form, or `None`.
pub fn form_evidence(page: &PageLayout) -> Option<String> {
    let by_ocr = page.extraction == Extraction::Ocr;
    let titled = page
        .lines
        .iter()
        .any(|l| crate::title::title_of(&l.text, false).is_some());
    page.tables
        .iter()
        .find_map(|t| table_evidence(t, by_ocr, titled))
}

/// `titled`: the page prints a form's title (…绩效目标…表) above its tables.
fn table_evidence(t: &Table, by_ocr: bool, titled: bool) -> Option<String> {
    let mut project: BTreeSet<(&'static str, usize)> = BTreeSet::new();
    let mut levels: BTreeSet<(String, usize)> = BTreeSet::new();
    let (mut level1_head, mut lower_head, mut form_only) = (false, false, false);
    for c in &t.cells {
        match label_read(&c.text, by_ocr) {
            Some(Label::Level1Header) => level1_head = true,
            Some(Label::Level2Header | Label::Level3Header) => lower_head = true,
            Some(l) if is_project_label(l) => {
                form_only |= l.only_on_forms();
                project.insert((crate::labels::spelling(l), c.row));
            }
            _ => {
                let n = normalize_label(&c.text);
                if taxonomy::is_level1(&n) || taxonomy::is_level2(&n) {
                    levels.insert((n, c.row));
                }
            }
        }
    }
    let (labels, rows) = distinct(&project);
    let names: BTreeSet<&str> = project.iter().map(|(l, _)| *l).collect();
    if names.len() >= 2 && labels >= 2 && rows >= 2 && (form_only || titled) {
        let shown: Vec<&str> = names.into_iter().take(3).collect();
        return Some(format!("form labels {}", shown.join("、")));
    }
    if level1_head && lower_head {
        return Some("the indicator table's head (一级指标 …)".into());
    }
    let (_, rows) = distinct(&levels);
    let level_names: BTreeSet<&str> = levels.iter().map(|(l, _)| l.as_str()).collect();
    if level_names.len() >= 2 && rows >= 2 {
        let shown: Vec<&str> = level_names.into_iter().take(3).collect();
        return Some(format!("indicator levels {}", shown.join("、")));
    }
    None
}

/// How many (label, row) entries, and in how many rows.
fn distinct<T>(set: &BTreeSet<(T, usize)>) -> (usize, usize) {
    let rows: BTreeSet<usize> = set.iter().map(|(_, r)| *r).collect();
    (set.len(), rows.len())
}

/// Labels of the project, funds and goals blocks (not the indicator heads).
pub(crate) fn is_project_label(l: Label) -> bool {
    !matches!(
        l,
        Label::IndicatorsBlock
            | Label::Level1Header
            | Label::Level2Header
            | Label::Level3Header
            | Label::ValueHeader
    )
}

/// Gives every readable page its role and lists the pages that show a form
/// no record covers. `roles` has one entry per page of the file (pages not
/// read are `Unreadable` already and stay so); `pages` are the layouts read.
pub fn account(
    pages: &[PageLayout],
    forms: &[FormRecord],
    roles: &mut [PageRole],
) -> Vec<Unmapped> {
    let covered: BTreeSet<u32> = forms
        .iter()
        .flat_map(|f| f.source.pages.iter().copied())
        .collect();
    let first_form = covered.iter().next().copied();
    let title = forms
        .first()
        .and_then(|f| f.document_title.as_deref())
        .map(normalize_label);
    let mut unmapped = Vec::new();
    for page in pages {
        let Some(role) = roles.get_mut((page.number as usize).wrapping_sub(1)) else {
            continue;
        };
        if *role == PageRole::Unreadable {
            continue;
        }
        *role = if covered.contains(&page.number) {
            PageRole::Form
        } else if page.tables.is_empty() && page.lines.is_empty() {
            PageRole::Blank
        } else if first_form.is_some_and(|f| page.number < f)
            && title.as_ref().is_some_and(|t| holds_line(page, t))
        {
            PageRole::Cover
        } else {
            PageRole::Other
        };
        if *role == PageRole::Other
            && let Some(why) = form_evidence(page)
        {
            unmapped.push(Unmapped {
                page: page.number,
                why: format!("shows {why}, but no form was read from it"),
            });
        } else if *role == PageRole::Form
            && let Some(why) = unread_table(page, forms)
        {
            unmapped.push(Unmapped {
                page: page.number,
                why: format!("a table shows {why}, but no form was read from it"),
            });
        }
    }
    // A form read by OCR without its indicator table most likely lost it in
    // the reading (a printed form without one says so in its own
    // `missing_section` warning, and its file stays `ok`).
    for f in forms
        .iter()
        .filter(|f| f.source.extraction != Extraction::Text)
    {
        if let Some(w) = f.warnings.iter().find(|w| w.kind == Code::MissingSection) {
            let page = f.source.pages.last().copied().unwrap_or(0);
            unmapped.push(Unmapped {
                page,
                why: format!(
                    "form {} was read only in part: {}",
                    f.source.form_index, w.detail
                ),
            });
        }
    }
    unmapped.sort_by_key(|u| u.page);
    unmapped
}

/// On a page that holds a form: a table (after a table holding two forms
/// is cut, [`crate::split`]) that shows a form but from which no field of
/// any form was read — a second form on the page that was not found.
fn unread_table(page: &PageLayout, forms: &[FormRecord]) -> Option<String> {
    let (page, _) = crate::split::split_merged_forms(page);
    let by_ocr = page.extraction == Extraction::Ocr;
    let read: Vec<&jx_model::record::Provenance> = forms
        .iter()
        .flat_map(|f| f.provenance.values())
        .filter(|p| p.page == page.number)
        .collect();
    // Without any box read on the page there is nothing to tell a table
    // read from one not read by.
    if read.is_empty() {
        return None;
    }
    page.tables
        .iter()
        .filter(|t| {
            !read.iter().any(|p| {
                let [x0, y0, x1, y1] = p.bbox.map(|v| v as f32);
                t.bbox.contains(Rect::new(x0, y0, x1, y1).center())
            })
        })
        .find_map(|t| table_evidence(t, by_ocr, false))
}

fn holds_line(page: &PageLayout, title: &str) -> bool {
    // A cover title may run over two lines: the page holds it when its
    // lines, joined, contain it.
    let joined: String = page
        .lines
        .iter()
        .map(|l| normalize_label(&l.text))
        .collect();
    !title.is_empty() && joined.contains(title)
}

/// Warns each form next to a page that could not be read: the form may go
/// on there (or begin there), so it may be incomplete.
pub fn warn_lost_pages(forms: &mut [FormRecord], roles: &[PageRole]) {
    for (i, role) in roles.iter().enumerate() {
        if *role != PageRole::Unreadable {
            continue;
        }
        let lost = i as u32 + 1;
        for f in forms.iter_mut() {
            let (Some(&first), Some(&last)) = (f.source.pages.first(), f.source.pages.last())
            else {
                continue;
            };
            let detail = if last + 1 == lost {
                format!(
                    "page {lost}, right after this form, could not be read: the form may go on there and be incomplete"
                )
            } else if first == lost + 1 {
                format!(
                    "page {lost}, right before this form, could not be read: the form may begin there and be incomplete"
                )
            } else if first < lost && lost < last {
                format!("page {lost}, inside this form, could not be read: the form is incomplete")
            } else {
                continue;
            };
            f.warnings
                .push(Diagnostic::new(Code::PageLost, FieldPath::root(), detail));
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn form_text_is_the_forms_vocabulary() {
        let texts = |ts: &[&str]| ts.iter().map(|t| t.to_string()).collect::<Vec<_>>();
        for t in [
            "年度总体目标",
            "一级指标",
            "产出指标",
            "数量指标",
            "绩效指标",
        ] {
            assert!(is_form_text(&texts(&[t])), "{t}");
        }
        assert!(is_form_text(&texts(&["项目名称", "（名称）", "主管部门"])));
        assert!(is_form_text(&texts(&["项目名杯", "主管部们"])));
        assert!(is_form_text(&texts(&["项目名杯", "年度总体日标"])));
        assert!(!is_form_text(&texts(&["项目名杯"])));
        // A final-account table's heads: one project label, funds lines,
        // and 科目名称 one character off 项目名称.
        let heads = [
            "科目编码",
            "科目名称",
            "项目名称",
            "财政拨款",
            "其他资金",
            "上年结转",
        ];
        assert!(!is_form_text(&texts(&heads)));
        let budget = [
            "科目编码",
            "科目名称",
            "合计",
            "基本支出",
            "项目支出",
            "201",
            "92,700.00",
        ];
        assert!(!is_form_text(&texts(&budget)));
        assert!(!is_form_text(&texts(&["", "2024年部门预算收支总表"])));
    }
    use jx_model::{Cell, Rect, TextLine};

    /// A text-layer cell on a grid of 100 × 20 pt.
    pub(crate) fn cell(row: usize, col: usize, text: &str) -> Cell {
        let (x, y) = (col as f32 * 100.0, row as f32 * 20.0);
        Cell::new(row, col, Rect::new(x, y, x + 100.0, y + 20.0), text)
    }

    fn page(number: u32, cells: Vec<Cell>, lines: &[&str]) -> PageLayout {
        PageLayout {
            number,
            width: 595.0,
            height: 842.0,
            extraction: Extraction::Text,
            tables: if cells.is_empty() {
                Vec::new()
            } else {
                vec![Table {
                    page: number,
                    bbox: Rect::new(0.0, 0.0, 400.0, 400.0),
                    col_edges: Vec::new(),
                    row_edges: Vec::new(),
                    cells,
                    cut_top: false,
                    cut_bottom: false,
                }]
            },
            lines: lines
                .iter()
                .map(|t| TextLine {
                    page: number,
                    bbox: Rect::new(0.0, 0.0, 100.0, 10.0),
                    text: (*t).into(),
                    font_size: 12.0,
                    overdrawn: 0,
                    confidence: None,
                })
                .collect(),
        }
    }

    #[test]
    fn form_labels_in_two_rows_show_a_form() {
        let p = page(
            1,
            vec![
                cell(0, 0, "项目名称"),
                cell(0, 1, "某项目"),
                cell(1, 0, "年度总体目标"),
                cell(1, 1, "完成全年工作"),
            ],
            &[],
        );
        assert!(form_evidence(&p).unwrap().contains("项目名称"));
        // Labels a budget table prints too show a form only under a
        // form's title.
        let shared = vec![
            cell(0, 0, "项目名称"),
            cell(0, 1, "某项目"),
            cell(1, 0, "主管部门"),
            cell(1, 1, "某局"),
        ];
        assert_eq!(form_evidence(&page(1, shared.clone(), &[])), None);
        let titled = page(1, shared, &["财政项目支出绩效目标申报表"]);
        assert!(form_evidence(&titled).is_some());
    }

    #[test]
    fn budget_table_heads_over_two_rows_do_not() {
        let p = page(
            1,
            vec![
                cell(0, 0, "项目名称"),
                cell(0, 1, "财政拨款"),
                cell(0, 2, "上年结转资金"),
                cell(0, 3, "其他资金"),
                cell(1, 0, "项目类别"),
                cell(1, 1, "当年财政拨款"),
                cell(1, 2, "上年结转"),
            ],
            &["收支预算总表"],
        );
        assert_eq!(form_evidence(&p), None);
    }

    #[test]
    fn a_budget_list_with_label_column_heads_does_not() {
        let p = page(
            1,
            vec![
                cell(0, 0, "项目名称"),
                cell(0, 1, "项目类别"),
                cell(0, 2, "主管部门"),
                cell(1, 0, "某项目"),
                cell(1, 1, "专项"),
                cell(1, 2, "某局"),
            ],
            &[],
        );
        assert_eq!(form_evidence(&p), None);
    }

    #[test]
    fn an_indicator_continuation_shows_a_form() {
        let p = page(
            2,
            vec![
                cell(0, 0, "产出指标"),
                cell(0, 1, "数量指标"),
                cell(0, 2, "人数"),
                cell(1, 0, "效益指标"),
                cell(1, 1, "社会效益指标"),
            ],
            &[],
        );
        assert!(form_evidence(&p).unwrap().starts_with("indicator levels"));
        let head = page(
            2,
            vec![
                cell(0, 0, "一级指标"),
                cell(0, 1, "二级指标"),
                cell(0, 2, "三级指标"),
            ],
            &[],
        );
        assert!(form_evidence(&head).is_some());
    }

    #[test]
    fn ocr_misreads_still_count_but_text_must_match() {
        let mut p = page(
            1,
            vec![cell(0, 0, "项目名杯"), cell(1, 0, "年度总体目标")],
            &[],
        );
        assert_eq!(form_evidence(&p), None);
        p.extraction = Extraction::Ocr;
        assert!(form_evidence(&p).is_some());
    }

    fn record(pages: Vec<u32>, title: Option<&str>) -> FormRecord {
        let mut r: FormRecord = serde_json::from_str(include_str!(
            "../../../samples/expected/printed/chengguan-2024-chromium/01.json"
        ))
        .expect("a sample record");
        r.source.pages = pages;
        r.document_title = title.map(str::to_string);
        r.warnings.clear();
        r
    }

    #[test]
    fn roles_cover_form_blank_other_and_unmapped() {
        let form_page = |n| {
            page(
                n,
                vec![cell(0, 0, "项目名称"), cell(1, 0, "年度总体目标")],
                &[],
            )
        };
        let pages = vec![
            page(1, vec![], &["某中心2024年度项目绩效目标", "汇总表"]),
            form_page(2),
            page(3, vec![], &[]),
            page(4, vec![cell(0, 0, "收入"), cell(1, 0, "支出")], &["附表"]),
            form_page(5),
        ];
        let forms = vec![record(vec![2], Some("某中心2024年度项目绩效目标汇总表"))];
        let mut roles = vec![PageRole::Other; 5];
        let unmapped = account(&pages, &forms, &mut roles);
        assert_eq!(
            roles,
            [
                PageRole::Cover,
                PageRole::Form,
                PageRole::Blank,
                PageRole::Other,
                PageRole::Other
            ]
        );
        assert_eq!(unmapped.len(), 1);
        assert_eq!(unmapped[0].page, 5);
        assert!(
            unmapped[0].why.contains("no form was read"),
            "{}",
            unmapped[0].why
        );
    }

    #[test]
    fn a_second_form_on_a_page_that_was_not_read_is_reported() {
        let mut p = page(
            1,
            vec![cell(0, 0, "项目名称"), cell(1, 0, "年度总体目标")],
            &[],
        );
        let mut second = p.tables[0].clone();
        second.bbox = Rect::new(0.0, 400.0, 500.0, 500.0);
        second.cells = vec![cell(0, 0, "主管部门"), cell(1, 0, "计划开始日期")];
        for c in &mut second.cells {
            c.bbox = Rect::new(
                0.0,
                400.0 + c.row as f32 * 20.0,
                100.0,
                420.0 + c.row as f32 * 20.0,
            );
        }
        p.tables.push(second);
        let mut form = record(vec![1], None);
        form.provenance.insert(
            Label::ProjectName.field_path(),
            jx_model::record::Provenance {
                page: 1,
                bbox: p.tables[0].cells[0].bbox.rounded(),
                confidence: None,
            },
        );
        let mut roles = vec![PageRole::Other];
        let unmapped = account(std::slice::from_ref(&p), &[form.clone()], &mut roles);
        assert_eq!(roles, [PageRole::Form]);
        assert_eq!(unmapped.len(), 1, "{unmapped:?}");
        assert!(
            unmapped[0].why.starts_with("a table shows form labels"),
            "{}",
            unmapped[0].why
        );
        // The same page with its second table read: nothing to report.
        let mut both = form;
        both.provenance.insert(
            Label::Department.field_path(),
            jx_model::record::Provenance {
                page: 1,
                bbox: p.tables[1].cells[0].bbox.rounded(),
                confidence: None,
            },
        );
        assert!(account(&[p], &[both], &mut roles).is_empty());
    }

    #[test]
    fn a_lost_page_warns_its_neighbours_only() {
        let mut forms = vec![
            record(vec![1, 2], None),
            record(vec![4], None),
            record(vec![6], None),
        ];
        let roles = [
            PageRole::Form,
            PageRole::Form,
            PageRole::Unreadable,
            PageRole::Form,
            PageRole::Other,
            PageRole::Form,
        ];
        warn_lost_pages(&mut forms, &roles);
        let lost = |f: &FormRecord| {
            f.warnings
                .iter()
                .filter(|w| w.kind == Code::PageLost)
                .count()
        };
        assert_eq!(
            [lost(&forms[0]), lost(&forms[1]), lost(&forms[2])],
            [1, 1, 0]
        );
        assert!(forms[0].warnings[0].detail.contains("page 3"));
    }
}
