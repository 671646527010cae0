//! The 绩效指标 table: columns found by their header labels, one indicator
//! per row that starts a 三级指标 cell, merged 一级/二级 cells carried down,
//! and the national taxonomy mending what the layout lost.

use crate::grid::{FormGrid, GridCell};
use crate::labels::{Label, edit_distance};
use crate::normalize;
use crate::record::Recorder;
use crate::taxonomy;
use jx_model::Code;
use jx_model::record::{Indicator, IndicatorValue};
use jx_model::{Diagnostic, FieldPath};

/// The x-range of one column of the indicator table.
#[derive(Debug, Clone, Copy)]
struct Column {
    x0: f32,
    x1: f32,
}

/// Share of a column's width a cell must cover to be in that column: more
/// than half can be covered by one cell only, whatever the merging. A
/// judgment, not measured.
const MIN_COLUMN_SHARE: f32 = 0.5;

/// Picks, among cells covering `row`, the one that fills most of `col`
/// (at least [`MIN_COLUMN_SHARE`] of it).
fn cell_in(grid: &FormGrid, row: usize, col: Column) -> Option<&GridCell> {
    let width = col.x1 - col.x0;
    grid.covering(row)
        .filter(|c| c.x_overlap(col.x0, col.x1) >= MIN_COLUMN_SHARE * width)
        .max_by(|a, b| {
            a.x_overlap(col.x0, col.x1)
                .total_cmp(&b.x_overlap(col.x0, col.x1))
        })
}

/// The level heads every template prints, left to right.
const LEVEL_HEADS: [Label; 3] = [
    Label::Level1Header,
    Label::Level2Header,
    Label::Level3Header,
];

/// The indicator table's heads 一级/二级/三级指标, as read; or, where a scan
/// lost a stroke of one (`三级指标` read `级指标`, as near 一级指标 as
/// 三级指标) so that the row of the heads holds three level heads but not
/// one of each, those three taken in their order left to right, as every
/// template prints them, and the taking logged.
fn level_heads<'g>(grid: &'g FormGrid, rec: &mut Recorder) -> [Option<&'g GridCell>; 3] {
    let as_read = LEVEL_HEADS.map(|l| grid.find(l));
    let Some(row) = as_read.iter().flatten().map(|c| c.row).min() else {
        return as_read;
    };
    let mut in_row: Vec<&GridCell> = grid
        .cells
        .iter()
        .filter(|c| c.row == row && c.label.is_some_and(|l| LEVEL_HEADS.contains(&l)))
        .collect();
    let one_of_each = LEVEL_HEADS
        .iter()
        .all(|l| in_row.iter().filter(|c| c.label == Some(*l)).count() == 1);
    if in_row.len() != LEVEL_HEADS.len() || one_of_each {
        return as_read;
    }
    in_row.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    let read: Vec<&str> = in_row.iter().map(|c| c.text.as_str()).collect();
    rec.repair(Diagnostic::new(
        Code::LabelSnapped,
        FieldPath::of(&["indicators"]),
        format!(
            "the indicator table's level heads read {}: taken as 一级指标, 二级指标 and \
             三级指标 by their order",
            read.join("、")
        ),
    ));
    [Some(in_row[0]), Some(in_row[1]), Some(in_row[2])]
}

/// Reads every indicator row under the header.
pub fn indicators(grid: &FormGrid, rec: &mut Recorder) -> Vec<Indicator> {
    let [l1_head, l2_head, l3_head] = level_heads(grid, rec);
    let Some(name_header) = l3_head else {
        rec.warn(
            Code::MissingSection,
            &FieldPath::of(&["indicators"]),
            "no 三级指标 header: the indicator table was not found",
        );
        return Vec::new();
    };
    let column = |c: &GridCell| Column { x0: c.x0, x1: c.x1 };
    let name_col = column(name_header);
    let value_col = grid.find(Label::ValueHeader).map(column);
    let l1_col = l1_head.map(column);
    let l2_col = l2_head.map(column);
    let mut out: Vec<Indicator> = Vec::new();
    let mut prev: Option<(String, String)> = None;
    for row in name_header.row_end + 1..grid.rows {
        let Some(name_cell) = cell_in(grid, row, name_col).filter(|c| c.row == row) else {
            continue;
        };
        if name_cell.label.is_some() {
            continue;
        }
        let value_cell = value_col
            .and_then(|c| cell_in(grid, row, c))
            .filter(|c| c.row <= row);
        let i = out.len();
        let name = rec.read_name(&FieldPath::indicator(i).key("name"), name_cell);
        let text = value_cell.map_or_else(String::new, |v| read_value(rec, i, v));
        if name.is_empty() && text.is_empty() {
            continue;
        }
        let at = Place {
            grid,
            row,
            name_cell,
            i,
        };
        let l1 = read_level(&at, l1_col, rec, "level1");
        let l2 = read_level(&at, l2_col, rec, "level2");
        // A blank level cell is noted once, at the first row it covers.
        let blank_starts = |c: Option<Column>| {
            c.and_then(|c| cell_in(grid, row, c))
                .is_some_and(|cell| cell.row == row && cell.text.trim().is_empty())
        };
        let starts = (blank_starts(l1_col), blank_starts(l2_col));
        let (level1, level2) = resolve_levels(rec, i, (l1, l2), prev.as_ref(), starts);
        let parsed = normalize::value(&text);
        prev = Some((level1.clone(), level2.clone()));
        out.push(Indicator {
            level1,
            level2,
            name,
            value: IndicatorValue {
                text,
                op: parsed.op,
                number: parsed.number,
                unit: parsed.unit,
            },
        });
    }
    out
}

/// Indicator `i`'s value cell read: OCR text mended by the value pattern
/// (an operator or a unit read as a look-alike), the mending logged.
fn read_value(rec: &mut Recorder, i: usize, v: &GridCell) -> String {
    let path = FieldPath::indicator(i).key("value");
    let read = rec.read_name(&path, v);
    let profile = rec.lookalikes_of(v);
    let ge: &[String] = profile.map_or(&[], |p| &p.ge_operator);
    let percent: &[String] = profile.map_or(&[], |p| &p.percent_unit);
    let mended = v
        .read_by_ocr()
        .then(|| normalize::mend_ocr_value(&read, ge, percent))
        .flatten();
    match mended {
        Some((mended, what)) => {
            rec.repair(
                Diagnostic::new(
                    Code::ValueRepaired,
                    path,
                    format!("OCR text mended by the value pattern: {what}"),
                )
                .change(read, mended.clone()),
            );
            mended
        }
        None => read,
    }
}

/// Where indicator `i` is read: its row and name cell.
struct Place<'g> {
    grid: &'g FormGrid,
    row: usize,
    name_cell: &'g GridCell,
    i: usize,
}

/// The level (`which`: `level1` or `level2`) written in column `col` of
/// the indicator's row, snapped to the taxonomy; `None` when blank. A cell
/// merged down from an earlier row counts (it is carried down), the name
/// cell itself does not (a row whose name spans the level columns has no
/// level of its own).
fn read_level(
    at: &Place<'_>,
    col: Option<Column>,
    rec: &mut Recorder,
    which: &str,
) -> Option<String> {
    let (row, i) = (at.row, at.i);
    col.and_then(|c| cell_in(at.grid, row, c))
        .filter(|cell| cell.row <= row && !std::ptr::eq(*cell, at.name_cell))
        .map(|cell| {
            let path = FieldPath::indicator(i).key(which);
            let t = rec.read(&path, cell);
            snap_taxonomy(rec, path, t, cell.read_by_ocr())
        })
        .filter(|t| !t.is_empty())
}

/// At most this many edits, and fewer than a third of the label's
/// characters, make OCR text a taxonomy label (the labels are 4 to 9
/// characters long). A judgment, not measured.
const MAX_TAXONOMY_EDITS: usize = 2;

/// Text read by OCR that is one or two characters off a taxonomy label is
/// that label (logged); text-layer text is never changed.
fn snap_taxonomy(rec: &mut Recorder, path: FieldPath, text: String, by_ocr: bool) -> String {
    if !by_ocr || text.is_empty() || taxonomy::all_labels().any(|l| l == text) {
        return text;
    }
    // Marks inside the text (`社会效益指,.标`) are no part of a label.
    let bare: String = text
        .chars()
        .filter(|c| !normalize::MARKS.contains(c))
        .collect();
    let best = taxonomy::all_labels()
        .map(|l| (l, edit_distance(&bare, l)))
        .min_by_key(|(_, d)| *d);
    match best {
        Some((label, d)) if d <= MAX_TAXONOMY_EDITS && d * 3 < label.chars().count() => {
            rec.repair(
                Diagnostic::new(
                    Code::LabelSnapped,
                    path,
                    format!("OCR text {text:?} is {d} edit(s) from the taxonomy label {label:?}"),
                )
                .change(text, label),
            );
            label.to_string()
        }
        _ => text,
    }
}

/// The levels of one row: printed, or carried down from the row above when
/// a merged cell covers it (or the page break left it blank); then checked
/// against the taxonomy. `blank_starts`: the row's level-1 / level-2 cell
/// is blank and begins at this row (a blank merged cell is noted once, at
/// its first row).
fn resolve_levels(
    rec: &mut Recorder,
    i: usize,
    (l1, l2): (Option<String>, Option<String>),
    prev: Option<&(String, String)>,
    blank_starts: (bool, bool),
) -> (String, String) {
    let path1 = FieldPath::indicator(i).key("level1");
    // A level 2 label in the 一级 column: the layout shifted the row.
    if let Some(t1) = l1.as_deref()
        && let Some(parent) = taxonomy::parent_of(t1)
        && l2.as_deref().is_none_or(|t2| t2 == t1)
    {
        rec.repair(
            Diagnostic::new(Code::LevelRestored, path1, format!("the 一级指标 cell holds the level-2 label {t1:?}; its level 1 is {parent:?} by the national taxonomy"))
                .change(t1, parent),
        );
        return (parent.to_string(), t1.to_string());
    }
    let blank1 = l1.is_none() && blank_starts.0;
    let blank2 = l2.is_none() && blank_starts.1;
    let got = restore_levels(rec, i, l1, l2, prev);
    if let Some((p1, p2)) = prev {
        // A blank level cell under a filled one: a merged cell cut by a
        // page break, left blank on the new page. The row above gives it
        // back (where the taxonomy did not: that repair is logged
        // already); logged, so that nothing is filled in silently.
        if blank1 && got.0 == *p1 {
            carry_note(rec, path1, "一级指标", p1);
        }
        if blank2 && got.1 == *p2 {
            carry_note(rec, FieldPath::indicator(i).key("level2"), "二级指标", p2);
        }
    }
    got
}

/// Levels 1 and 2 of a row whose level cells read `l1`, `l2` (`None`:
/// blank), the row above's being `prev`: carried down, or restored by the
/// national taxonomy.
fn restore_levels(
    rec: &mut Recorder,
    i: usize,
    l1: Option<String>,
    l2: Option<String>,
    prev: Option<&(String, String)>,
) -> (String, String) {
    let path1 = FieldPath::indicator(i).key("level1");
    let path2 = FieldPath::indicator(i).key("level2");
    let carried = l1.is_none();
    let level2 = l2.or_else(|| prev.map(|p| p.1.clone())).unwrap_or_default();
    let level1 = l1.or_else(|| prev.map(|p| p.0.clone())).unwrap_or_default();
    match taxonomy::parent_of(&level2) {
        // A national level-2 label fixes its level 1: a different or missing
        // level 1 here is the layout's doing (a merged cell cut or shifted).
        Some(parent)
            if parent != level1
                && (carried || level1.is_empty() || taxonomy::is_level1(&level1)) =>
        {
            let how = if carried {
                "was lost in the layout"
            } else {
                "is a merged cell that spans past its rows"
            };
            rec.repair(
                Diagnostic::new(Code::LevelRestored, path1, format!("the 一级指标 cell of this row {how}; {level2:?} belongs to {parent:?} by the national taxonomy"))
                    .change(level1, parent),
            );
            (parent.to_string(), level2)
        }
        Some(parent) if parent != level1 => {
            rec.warn(Code::HierarchyAsPrinted, &path1, format!("the form prints {level2:?} under {level1:?}; the national taxonomy puts it under {parent:?}; kept as printed"));
            (level1, level2)
        }
        None if taxonomy::is_level1(&level2) => {
            rec.warn(Code::HierarchyAsPrinted, &path2, format!("the form prints the level-1 label {level2:?} as a 二级指标 under {level1:?} (an older template); kept as printed"));
            (level1, level2)
        }
        _ => {
            if !level1.is_empty() && !taxonomy::is_level1(&level1) {
                rec.warn(Code::UnknownIndicatorLabel, &path1, format!("{level1:?} is not a level-1 label of the national taxonomy; kept as printed"));
            }
            if !level2.is_empty() && !taxonomy::is_level2(&level2) {
                rec.warn(Code::UnknownIndicatorLabel, &path2, format!("{level2:?} is not a level-2 label of the national taxonomy; kept as printed"));
            }
            (level1, level2)
        }
    }
}

/// The `level_restored` repair of a level cell left blank and given the
/// row above's `carried` label.
fn carry_note(rec: &mut Recorder, path: FieldPath, which: &str, carried: &str) {
    if carried.is_empty() {
        return;
    }
    rec.repair(
        Diagnostic::new(
            Code::LevelRestored,
            path,
            format!("the {which} cell of this row is blank (a merged cell cut by a page break); {carried:?} carried from the row above"),
        )
        .change("", carried),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    fn prev(l1: &str, l2: &str) -> (String, String) {
        (l1.to_string(), l2.to_string())
    }

    /// An OCR'd indicator table: its heads, then one indicator row.
    fn grid_with_heads(heads: [&str; 4]) -> FormGrid {
        use crate::account::tests::cell;
        let ocr = |row, col, text| jx_model::Cell {
            confidence: Some(0.9),
            engine: Some(jx_model::OcrEngineId::PpOcr),
            ..cell(row, col, text)
        };
        let mut cells: Vec<_> = heads
            .iter()
            .enumerate()
            .map(|(c, t)| ocr(0, c, t))
            .collect();
        for (c, t) in ["产出指标", "数量指标", "培训人数", "≥100人"]
            .iter()
            .enumerate()
        {
            cells.push(ocr(1, c, t));
        }
        let table = jx_model::Table {
            page: 1,
            bbox: jx_model::Rect::new(0.0, 0.0, 400.0, 40.0),
            col_edges: vec![0.0, 100.0, 200.0, 300.0, 400.0],
            row_edges: vec![0.0, 20.0, 40.0],
            cells,
            cut_top: false,
            cut_bottom: false,
        };
        let mut g = FormGrid::default();
        g.push(&table, jx_model::Extraction::Ocr, false);
        g
    }

    /// `三级指标` read `级指标` (as near 一级指标 as 三级指标): the three
    /// level heads are taken by their order, and the taking logged; heads
    /// read one of each are left as read.
    #[test]
    fn level_heads_that_read_alike_are_taken_by_their_order() {
        let mut rec = Recorder::new(0.6);
        let g = grid_with_heads(["一级指标", "二级指标", "级指标", "指标值"]);
        let got = indicators(&g, &mut rec);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].name, "培训人数");
        assert_eq!(
            (got[0].level1.as_str(), got[0].level2.as_str()),
            ("产出指标", "数量指标")
        );
        assert_eq!(rec.diagnostics.repairs[0].kind, "label_snapped");
        let mut rec = Recorder::new(0.6);
        let g = grid_with_heads(["一级指标", "二级指标", "三级指标", "指标值"]);
        assert_eq!(indicators(&g, &mut rec).len(), 1);
        assert!(rec.diagnostics.repairs.is_empty());
    }

    #[test]
    fn a_level2_label_in_the_level1_column_is_restored() {
        let mut rec = Recorder::new(0.6);
        let got = resolve_levels(
            &mut rec,
            0,
            (s("时效指标"), s("时效指标")),
            None,
            (false, false),
        );
        assert_eq!(got, prev("产出指标", "时效指标"));
        assert_eq!(rec.diagnostics.repairs[0].kind, "level_restored");
    }

    #[test]
    fn a_lost_level1_comes_from_the_taxonomy_not_the_row_above() {
        let mut rec = Recorder::new(0.6);
        let above = prev("产出指标", "时效指标");
        let got = resolve_levels(
            &mut rec,
            3,
            (None, s("经济效益指标")),
            Some(&above),
            (false, false),
        );
        assert_eq!(got, prev("效益指标", "经济效益指标"));
        assert_eq!(rec.diagnostics.repairs.len(), 1);
    }

    #[test]
    fn blank_level_cells_are_carried_down_and_logged() {
        let mut rec = Recorder::new(0.6);
        let above = prev("效益指标", "社会效益指标");
        let got = resolve_levels(&mut rec, 5, (None, None), Some(&above), (true, true));
        assert_eq!(got, above);
        let paths: Vec<String> = rec
            .diagnostics
            .repairs
            .iter()
            .map(|d| d.path.to_string())
            .collect();
        assert_eq!(paths, ["indicators[5].level1", "indicators[5].level2"]);
        assert!(
            rec.diagnostics
                .repairs
                .iter()
                .all(|d| d.kind == Code::LevelRestored)
        );
        assert!(rec.diagnostics.warnings.is_empty());
    }

    #[test]
    fn an_older_template_is_kept_as_printed_with_a_warning() {
        let mut rec = Recorder::new(0.6);
        let got = resolve_levels(
            &mut rec,
            0,
            (s("产出指标"), s("成本指标")),
            None,
            (false, false),
        );
        assert_eq!(got, prev("产出指标", "成本指标"));
        assert!(rec.diagnostics.repairs.is_empty());
        assert_eq!(rec.diagnostics.warnings[0].kind, "hierarchy_as_printed");
    }

    #[test]
    fn unknown_labels_are_kept_with_a_warning() {
        let mut rec = Recorder::new(0.6);
        let got = resolve_levels(
            &mut rec,
            0,
            (s("业务指标"), s("工作量指标")),
            None,
            (false, false),
        );
        assert_eq!(got, prev("业务指标", "工作量指标"));
        assert_eq!(rec.diagnostics.warnings.len(), 2);
    }

    #[test]
    fn ocr_taxonomy_misreads_snap_but_text_layer_never_does() {
        let mut rec = Recorder::new(0.6);
        assert_eq!(
            snap_taxonomy(
                &mut rec,
                FieldPath::indicator(0).key("level2"),
                "社会效益指杯".into(),
                true
            ),
            "社会效益指标"
        );
        assert_eq!(rec.diagnostics.repairs[0].kind, "label_snapped");
        // Marks read inside a label are no part of it.
        assert_eq!(
            snap_taxonomy(
                &mut rec,
                FieldPath::indicator(0).key("level2"),
                "社会效益指,.标".into(),
                true
            ),
            "社会效益指标"
        );
        assert_eq!(
            snap_taxonomy(
                &mut rec,
                FieldPath::indicator(0).key("level2"),
                "社会效益指杯".into(),
                false
            ),
            "社会效益指杯"
        );
    }
}
