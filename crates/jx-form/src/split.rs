//! Two forms in one table: where two forms follow each other on a page with
//! little between them (a scan whose title line was read as a cell, rules
//! the lattice ran on), the grid may give one table that holds the first
//! form's indicator table and, below it, the second form's head (主管部门,
//! 计划开始日期, 项目资金总额 …). Read as it is, the second form's head
//! becomes indicator rows of the first and the second form is lost without
//! a word. A form never prints its head labels below its own indicator
//! table, so such a table is cut where the second head begins, and the part
//! below starts a form of its own ([`crate::locate`]), or, if it cannot be
//! read as one, is reported ([`crate::account`]).

use crate::labels::{Label, label_read, normalize_label};
use crate::taxonomy;
use jx_model::{PageLayout, Rect, Table};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// The fewest head labels, in as many rows, below an indicator header that
/// make a second form's head: two, as the page account asks of a form's
/// head ([`crate::account`]).
const MIN_SECOND_HEAD_LABELS: usize = 2;

/// The page with each table that holds a second form's head cut in two;
/// and the boxes of the lower parts (each a form's head, whether or not
/// its 项目名称 could be read). A page with no such table (nearly every
/// page) is handed back as it is, not copied.
pub fn split_merged_forms(page: &PageLayout) -> (Cow<'_, PageLayout>, Vec<Rect>) {
    let by_ocr = page.extraction == jx_model::Extraction::Ocr;
    let cuts: Vec<Option<usize>> = page
        .tables
        .iter()
        .map(|t| second_head_row(t, by_ocr))
        .collect();
    if cuts.iter().all(Option::is_none) {
        return (Cow::Borrowed(page), Vec::new());
    }
    let mut heads = Vec::new();
    let mut tables = Vec::new();
    for (t, cut_at) in page.tables.iter().zip(cuts) {
        match cut_at {
            Some(r) => {
                let (upper, lower) = cut(t, r);
                heads.push(lower.bbox);
                tables.push(upper);
                tables.push(lower);
            }
            None => tables.push(t.clone()),
        }
    }
    let out = PageLayout {
        tables,
        ..page.clone()
    };
    (Cow::Owned(out), heads)
}

/// Where a second form's head begins in `t`, below its indicator header.
fn second_head_row(t: &Table, by_ocr: bool) -> Option<usize> {
    let label = |text: &str| label_read(text, by_ocr);
    let header = t
        .cells
        .iter()
        .filter(|c| {
            matches!(
                label(&c.text),
                Some(Label::Level1Header | Label::Level2Header | Label::Level3Header)
            )
        })
        .map(|c| c.row)
        .min()?;
    let below: BTreeSet<(usize, Label)> = t
        .cells
        .iter()
        .filter(|c| c.row > header)
        .filter_map(|c| {
            label(&c.text)
                .filter(|l| crate::account::is_project_label(*l))
                .map(|l| (c.row, l))
        })
        .collect();
    let labels: BTreeSet<Label> = below.iter().map(|(_, l)| *l).collect();
    let rows: BTreeSet<usize> = below.iter().map(|(r, _)| *r).collect();
    if labels.len() < MIN_SECOND_HEAD_LABELS || rows.len() < MIN_SECOND_HEAD_LABELS {
        return None;
    }
    let (first_row, first_label) = *below.iter().next()?;
    // The rows a form prints above the first label found (项目名称 above
    // 主管部门, both above 计划开始日期) belong to the second head too, as
    // far up as the last indicator row of the first form.
    let last_indicator = last_indicator_row(t, header, first_row);
    let start = first_row
        .saturating_sub(rows_above(first_label))
        .max(last_indicator + 1);
    (start > header && start < t.rows()).then_some(start)
}

/// How many rows a form prints above the row of `label` in its head.
fn rows_above(label: Label) -> usize {
    match label {
        Label::Department | Label::Implementer => 1,
        Label::StartDate | Label::EndDate => 2,
        _ => 0,
    }
}

/// The last row above `before` whose cells name a level of the indicator
/// taxonomy (产出指标, 数量指标 …); the header row if none.
fn last_indicator_row(t: &Table, header: usize, before: usize) -> usize {
    t.cells
        .iter()
        .filter(|c| c.row > header && c.row < before)
        .filter(|c| {
            let n = normalize_label(&c.text);
            taxonomy::is_level1(&n) || taxonomy::is_level2(&n)
        })
        .map(|c| c.last_row())
        .max()
        .unwrap_or(header)
}

/// `t` cut above row `r`: the rows before it and the rows from it, each a
/// table of its own (a cell spanning the cut stays above, shortened).
fn cut(t: &Table, r: usize) -> (Table, Table) {
    let y = t.row_edges[r];
    let mut upper = Table {
        bbox: Rect::new(t.bbox.x0, t.bbox.y0, t.bbox.x1, y),
        row_edges: t.row_edges[..=r].to_vec(),
        cells: Vec::new(),
        cut_bottom: false,
        ..t.clone()
    };
    let mut lower = Table {
        bbox: Rect::new(t.bbox.x0, y, t.bbox.x1, t.bbox.y1),
        row_edges: t.row_edges[r..].to_vec(),
        cells: Vec::new(),
        cut_top: false,
        ..t.clone()
    };
    for c in &t.cells {
        if c.row < r {
            let mut c = c.clone();
            c.row_span = c.row_span.min(r - c.row);
            upper.cells.push(c);
        } else {
            let mut c = c.clone();
            c.row -= r;
            lower.cells.push(c);
        }
    }
    (upper, lower)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::{Cell, Extraction};

    /// A cell as OCR read it.
    fn cell(row: usize, col: usize, text: &str) -> Cell {
        Cell {
            confidence: Some(0.9),
            ..crate::account::tests::cell(row, col, text)
        }
    }

    fn table(rows: &[&[&str]]) -> Table {
        let cells = rows
            .iter()
            .enumerate()
            .flat_map(|(r, texts)| texts.iter().enumerate().map(move |(c, t)| cell(r, c, t)))
            .collect();
        Table {
            page: 1,
            bbox: Rect::new(0.0, 0.0, 400.0, rows.len() as f32 * 20.0),
            col_edges: vec![0.0, 100.0, 200.0, 300.0, 400.0],
            row_edges: (0..=rows.len()).map(|r| r as f32 * 20.0).collect(),
            cells,
            cut_top: false,
            cut_bottom: false,
        }
    }

    fn page(t: Table) -> PageLayout {
        PageLayout {
            number: 1,
            width: 600.0,
            height: 800.0,
            extraction: Extraction::Ocr,
            tables: vec![t],
            lines: Vec::new(),
        }
    }

    #[test]
    fn a_second_forms_head_below_an_indicator_table_is_cut_off() {
        let t = table(&[
            &["一级指标", "二级指标", "三级指标", "指标值"],
            &["产出指标", "数量指标", "送达文书数量", "=12000.00(份)"],
            &["满意度指标", "服务对象满意度指标", "满意度", "≥90.00(%)"],
            &["oo", "oo", "支出绩效目标申报表2I汉山", "（2024年度）"],
            &[
                "主管部门",
                "上海市闵行区人力资源和社会保障局",
                "实施单位",
                "上海市闵行区社会保障服务中心",
            ],
            &["计划开始日期", "2024-01-01", "计划完成日期", "2024-12-31"],
        ]);
        let p = page(t);
        let (split, heads) = split_merged_forms(&p);
        assert_eq!(split.tables.len(), 2);
        assert_eq!(
            split.tables[0].rows(),
            3,
            "the first form keeps its indicators"
        );
        let lower = &split.tables[1];
        assert_eq!(lower.rows(), 3, "the garbled name row goes with its head");
        assert_eq!(lower.cells[0].row, 0);
        assert!(
            lower
                .cells
                .iter()
                .any(|c| c.text == "主管部门" && c.row == 1)
        );
        assert_eq!(heads, vec![lower.bbox]);
    }

    #[test]
    fn a_form_whose_indicators_follow_its_head_is_left_whole() {
        let t = table(&[
            &["项目名称", "宣传费", "项目性质", "经常性项目"],
            &["主管部门", "某局", "实施单位", "某中心"],
            &["一级指标", "二级指标", "三级指标", "指标值"],
            &["产出指标", "数量指标", "宣传次数", "=12.00(次)"],
            // An indicator named like a label is one label, not a head.
            &["效益指标", "社会效益指标", "主管部门满意度", "≥90.00(%)"],
        ]);
        let p = page(t.clone());
        let (split, heads) = split_merged_forms(&p);
        assert_eq!(split.tables, vec![t]);
        assert!(heads.is_empty());
    }
}
