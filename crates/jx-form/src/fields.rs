//! The project, funds and goals blocks, read by their labels: a value is
//! the cell right of its label, or (for the goals, whose labels head a row)
//! the cell under it.

use crate::grid::{FormGrid, GridCell};
use crate::labels::{Label, normalize_label};
use crate::normalize;
use crate::record::Recorder;
use jx_model::Code;
use jx_model::record::{Annual, Funds, Goals, Project, ProjectTotal};
use jx_model::{Diagnostic, FieldPath, Money};

/// The value cell of a label: right of it unless that is another label or
/// absent, then under it (when `below_ok`).
fn value_cell<'g>(grid: &'g FormGrid, label: &GridCell, below_ok: bool) -> Option<&'g GridCell> {
    match grid.right_of(label) {
        Some(r) if r.label.is_none() => Some(r),
        _ if below_ok => grid.below(label).filter(|b| b.label.is_none()),
        _ => None,
    }
}

/// A value as read: its text, and whether OCR read it (then the form's
/// patterns may mend it; text-layer text is never mended).
struct Read {
    text: String,
    by_ocr: bool,
}

/// The value cell of `label` read as the label's field.
fn read_value(grid: &FormGrid, rec: &mut Recorder, label: Label, below_ok: bool) -> Option<Read> {
    let v = value_cell(grid, grid.find(label)?, below_ok)?;
    Some(Read {
        text: rec.read(&label.field_path(), v),
        by_ocr: v.read_by_ocr(),
    })
}

/// A name's value cell, read as a name (stray OCR marks at its ends removed).
fn read_name(grid: &FormGrid, rec: &mut Recorder, label: Label) -> Option<String> {
    let v = value_cell(grid, grid.find(label)?, false)?;
    Some(rec.read_name(&label.field_path(), v))
}

/// 项目名称 … 计划完成日期.
pub fn project(grid: &FormGrid, rec: &mut Recorder) -> Project {
    // Null, never "", where the form shows no such label or its cell is
    // blank (the contract allows null for these five), with a warning.
    let mut field = |label: Label| match read_name(grid, rec, label) {
        Some(t) if !t.trim().is_empty() => Some(t),
        found => {
            warn_missing(rec, &label.field_path(), found.is_some());
            None
        }
    };
    let name = field(Label::ProjectName);
    let nature = field(Label::Nature);
    let category = field(Label::Category);
    let department = field(Label::Department);
    let implementer = field(Label::Implementer);
    let start = read_value(grid, rec, Label::StartDate, false);
    let end = read_value(grid, rec, Label::EndDate, false);
    Project {
        name,
        nature,
        category,
        department,
        implementer,
        start_date: date_field(rec, &Label::StartDate.field_path(), start),
        end_date: date_field(rec, &Label::EndDate.field_path(), end),
    }
}

/// The `missing_field` warning of a field left null: its cell was `blank`,
/// or no label with a value cell was found.
fn warn_missing(rec: &mut Recorder, path: &FieldPath, blank: bool) {
    let why = if blank {
        format!("the {path} cell is blank; left null")
    } else {
        format!("no {path} label with a value cell was found; left null")
    };
    rec.warn(Code::MissingField, path, why);
}

/// A date, or null with a warning: no label, a blank cell, or text that is
/// no date even when mended.
fn date_field(rec: &mut Recorder, path: &FieldPath, read: Option<Read>) -> Option<String> {
    let Some(Read { text, by_ocr }) = read else {
        warn_missing(rec, path, false);
        return None;
    };
    // OCR that read only marks (a speck read as `\` or `.`) in a date cell
    // read a blank cell: no letter, digit or ideograph is no date to parse.
    if by_ocr && !text.chars().any(char::is_alphanumeric) {
        warn_missing(rec, path, true);
        return None;
    }
    match normalize::date(&text) {
        Ok(Some(d)) => return Some(d),
        Ok(None) => {
            warn_missing(rec, path, true);
            return None;
        }
        Err(_) => {}
    }
    mend_or_warn(rec, path, text, by_ocr, Pattern::Date, |m| {
        normalize::date(m).ok().flatten()
    })
}

/// An amount: exact, or mended where only the grouping is off (the digits
/// are all there) or OCR put look-alike letters for digits; else null with a
/// warning.
fn amount_field(rec: &mut Recorder, path: &FieldPath, read: Read, scale: u32) -> Option<Money> {
    let Read { text, by_ocr } = read;
    if let Ok(m) = normalize::money(&text, scale) {
        if let (true, Some(v)) = (scale > 0, &m) {
            rec.repair(
                Diagnostic::new(
                    Code::UnitConverted,
                    path.clone(),
                    "amount printed in 万元, written in yuan",
                )
                .change(text, v.to_string()),
            );
        }
        return m;
    }
    if let Some(m) = normalize::money_ignoring_grouping(&text, scale) {
        let d = Diagnostic::new(
            Code::AmountGroupingIgnored,
            path.clone(),
            format!(
                "{text:?} groups its digits irregularly; the commas are ignored, the digits kept"
            ),
        )
        .change(text, m.to_string());
        if by_ocr {
            rec.repair(d)
        } else {
            rec.warn_with(d)
        }
        return Some(m);
    }
    mend_or_warn(rec, path, text, by_ocr, Pattern::Amount, |m| {
        normalize::money(m, scale).ok().flatten()
    })
}

/// The pattern OCR text of an amount or a date is mended by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    Amount,
    Date,
}

impl Pattern {
    /// The repair and the warning of this pattern's fields.
    fn codes(self) -> (Code, Code) {
        match self {
            Pattern::Amount => (Code::AmountRepaired, Code::UnparsableAmount),
            Pattern::Date => (Code::DateRepaired, Code::UnparsableDate),
        }
    }

    /// OCR text mended by the pattern, or `None` where nothing was mended.
    fn mend(self, text: &str) -> Option<String> {
        match self {
            Pattern::Amount => {
                normalize::mend_ocr_amount(text).or_else(|| normalize::mend_ocr_number(text))
            }
            Pattern::Date => normalize::mend_ocr_date(text),
        }
    }

    /// The pattern's name with its article, as the details say it.
    fn a_name(self) -> &'static str {
        match self {
            Pattern::Amount => "an amount",
            Pattern::Date => "a date",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Pattern::Amount => "amount",
            Pattern::Date => "date",
        }
    }
}

/// The last resort for an amount or a date that does not parse: OCR text
/// mended by the number pattern (look-alike letters, stray marks) and parsed
/// again, logged as `<what>_repaired`; otherwise null with an
/// `unparsable_<what>` warning. Text-layer text is never mended. `T` is the
/// parsed value (a date string, or [`Money`]), logged by its `Display`.
fn mend_or_warn<T: ToString>(
    rec: &mut Recorder,
    path: &FieldPath,
    text: String,
    by_ocr: bool,
    what: Pattern,
    parse: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let (repaired, unparsable) = what.codes();
    let mended = by_ocr.then(|| what.mend(&text)).flatten();
    if let Some(v) = mended.as_deref().and_then(&parse) {
        rec.repair(
            Diagnostic::new(
                repaired,
                path.clone(),
                format!(
                    "OCR text mended by the {} pattern (look-alike or stray characters)",
                    what.name()
                ),
            )
            .change(text, v.to_string()),
        );
        return Some(v);
    }
    rec.warn(
        unparsable,
        path,
        format!("{text:?} is not {}; left null", what.a_name()),
    );
    None
}

/// Both fund column groups. A 万元 block is converted to yuan, logged.
pub fn funds(grid: &FormGrid, rec: &mut Recorder) -> Funds {
    let scale = match grid.find(Label::FundsBlock) {
        Some(b) if normalize_label(&b.text).contains("万元") => 4,
        _ => 0,
    };
    let annual_x = grid.find(Label::AnnualTotal).map(|c| c.x0);
    // A field's label cell (if found) and its path.
    let mut amount = |(label, path): (Option<&GridCell>, FieldPath)| -> Option<Money> {
        // A blank amount cell is common (a project total left empty) and
        // is null silently; a label not found, or without a value cell, is
        // warned about: the page may show the amount where it was not read.
        let Some(v) = label.and_then(|l| value_cell(grid, l, false)) else {
            warn_missing(rec, &path, false);
            return None;
        };
        let read = Read {
            text: rec.read(&path, v),
            by_ocr: v.read_by_ocr(),
        };
        amount_field(rec, &path, read, scale)
    };
    // 其他资金 appears once per column group: left of 年度资金申请总额 it is the
    // project total's, at or right of it the annual one.
    let others = grid.find_all(Label::OtherFunds);
    let (left_other, right_other) = match annual_x {
        Some(ax) => (
            others.iter().copied().find(|c| c.x0 < ax - 2.0),
            others.iter().copied().find(|c| c.x0 >= ax - 2.0),
        ),
        None => (others.first().copied(), None),
    };
    // 其他资金 names no one field (its label's path is the block's).
    let other = |group| FieldPath::of(&["funds", group, "other"]);
    let labelled = |label: Label| (grid.find(label), label.field_path());
    let funds = Funds {
        project_total: ProjectTotal {
            total: amount(labelled(Label::ProjectTotal)),
            fiscal: amount(labelled(Label::Fiscal)),
            other: amount((left_other, other("project_total"))),
        },
        annual: Annual {
            total: amount(labelled(Label::AnnualTotal)),
            appropriation: amount(labelled(Label::Appropriation)),
            carryover: amount(labelled(Label::Carryover)),
            other: amount((right_other, other("annual"))),
        },
    };
    crate::checks::check_sums(&funds, rec);
    funds
}

/// 项目总目标 and 年度总体目标.
pub fn goals(grid: &FormGrid, rec: &mut Recorder) -> Goals {
    let mut goal = |label| {
        read_value(grid, rec, label, true)
            .map(|r| r.text)
            .filter(|t| !t.is_empty())
    };
    let overall = goal(Label::OverallGoal);
    // Every template prints 年度总体目标 and fills it: null there is a loss
    // (a label or cell the reading missed), said as for the project's
    // fields. 项目总目标 is printed by some templates only, and left blank by
    // most that print it, so its null says nothing.
    let annual = goal(Label::AnnualGoal);
    if annual.is_none() {
        let blank = grid.find(Label::AnnualGoal).is_some();
        warn_missing(rec, &Label::AnnualGoal.field_path(), blank);
    }
    Goals { overall, annual }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_cell_where_ocr_read_only_a_mark_is_blank() {
        let mut rec = Recorder::new(0.6);
        let read = |text: &str, by_ocr| {
            Some(Read {
                text: text.into(),
                by_ocr,
            })
        };
        assert_eq!(
            date_field(&mut rec, &Label::EndDate.field_path(), read("\\", true)),
            None
        );
        let w = &rec.diagnostics.warnings;
        assert_eq!((w.len(), w[0].kind), (1, Code::MissingField), "{w:?}");
        // A text layer's mark is what was printed: not a date, said so.
        let mut rec = Recorder::new(0.6);
        assert_eq!(
            date_field(&mut rec, &Label::EndDate.field_path(), read("\\", false)),
            None
        );
        assert_eq!(rec.diagnostics.warnings[0].kind, Code::UnparsableDate);
    }
}
