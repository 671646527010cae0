//! A person's verdicts on a form: which fields may be settled, what each
//! may hold, how a verdict is applied, and how far the form is verified.
//!
//! This is the field grammar's other half: [`crate::grammar`] says what a
//! *reading* may be, this module what a *person's value* may be, with the
//! same normalizers ([`crate::normalize`]) the machine's values went
//! through, so a settled amount or date is written exactly as a read one.
//!
//! A verdict is applied only on the reading it was made on: where the
//! field no longer holds `before` (a rerun read it otherwise), the verdict
//! is not applied and the form gets a `verdict_stale` warning instead
//! ([`reapply`]). Repairs, warnings and provenance always describe the
//! machine's reading, rows numbered as the machine read them; verdicts
//! number rows as they were when each was made, and [`row_origins`] maps
//! one to the other.

use crate::normalize;
use jx_model::record::{Indicator, IndicatorValue};
use jx_model::{Code, Diagnostic, FieldPath, FormRecord, Step, Verdict, Verification};
use serde_json::{Value, json};

/// The longest value a person may set, in characters: far above the
/// longest field a form prints (a 年度总体目标 of a few hundred characters),
/// low enough that a stuck key or a pasted file is refused.
pub const MAX_VALUE_CHARS: usize = 4000;

/// What a field may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A text; a person may blank it (null).
    Text,
    /// A text that must not be blank (an indicator's level or name).
    RequiredText,
    /// An amount in yuan: typed as printed (`1,094,910,000.00`, `116822`),
    /// kept as the contract's exact decimal string.
    Money,
    /// A date: typed as printed (`2024年1月1日`), kept as ISO.
    Date,
    /// The form's year, a number.
    Year,
    /// An indicator's target value, its printed text (`≥85.00(%)`); its
    /// operator, number and unit are parsed from it.
    TargetValue,
    /// A whole indicator row: added (`before` null), removed (`after`
    /// null) or replaced.
    Row,
    /// A part of the form (the whole form `$`, `funds`, `indicators` …):
    /// only accepted, never set, so that a doubt about a part (a page
    /// lost, a table not found) can be settled.
    Part,
}

/// Why a verdict was refused: said to the person, nothing changed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}: no such field in this form")]
    NoSuchField(FieldPath),
    #[error("{path}: {why}")]
    WrongValue { path: FieldPath, why: String },
    #[error("{path}: the value is longer than {MAX_VALUE_CHARS} characters")]
    TooLong { path: FieldPath },
    #[error(
        "{}: the field now holds {}, not {} (the verdict was made on another reading)",
        .0.path, .0.now, .0.before
    )]
    Stale(Box<StaleReading>),
}

/// A field that no longer holds the reading a verdict was made on.
#[derive(Debug, Clone, PartialEq)]
pub struct StaleReading {
    pub path: FieldPath,
    pub before: Value,
    pub now: Value,
}

/// What `path` names in `record`, and what it may hold.
pub fn kind_of(record: &FormRecord, path: &FieldPath) -> Result<FieldKind, Refusal> {
    let missing = || Refusal::NoSuchField(path.clone());
    let keys: Vec<&str> = path
        .steps()
        .iter()
        .map(|s| match s {
            Step::Key(k) => k.as_str(),
            Step::Index(_) => "[]",
        })
        .collect();
    let kind = match keys.as_slice() {
        []
        | ["project"]
        | ["funds"]
        | ["funds", "project_total" | "annual"]
        | ["goals"]
        | ["indicators"] => FieldKind::Part,
        ["document_title" | "form_title"] => FieldKind::Text,
        ["year"] => FieldKind::Year,
        [
            "project",
            "name" | "nature" | "category" | "department" | "implementer",
        ] => FieldKind::Text,
        ["project", "start_date" | "end_date"] => FieldKind::Date,
        ["funds", "project_total", "total" | "fiscal" | "other"]
        | [
            "funds",
            "annual",
            "total" | "appropriation" | "carryover" | "other",
        ] => FieldKind::Money,
        ["goals", "overall" | "annual"] => FieldKind::Text,
        ["indicators", "[]"] => FieldKind::Row,
        ["indicators", "[]", "level1" | "level2" | "name"] => FieldKind::RequiredText,
        ["indicators", "[]", "value"] => FieldKind::TargetValue,
        _ => return Err(missing()),
    };
    if let Some((row, rest)) = path.indicator_row() {
        // A row may be added just past the last one; a field only of a row
        // that exists.
        let rows = record.indicators.len();
        if row > rows || (row == rows && !rest.is_empty()) {
            return Err(missing());
        }
    }
    Ok(kind)
}

/// The field's reading as a verdict names it: the JSON value, a target
/// value's text, a row as `{level1, level2, name, value}`, `null` for a
/// part or for a row not there.
pub fn reading(record: &FormRecord, path: &FieldPath) -> Result<Value, Refusal> {
    let kind = kind_of(record, path)?;
    if let Some((row, rest)) = path.indicator_row() {
        let Some(ind) = record.indicators.get(row) else {
            return Ok(Value::Null);
        };
        return Ok(match rest {
            [] => row_value(ind),
            [Step::Key(k)] => match k.as_str() {
                "level1" => json!(ind.level1),
                "level2" => json!(ind.level2),
                "name" => json!(ind.name),
                _ => json!(ind.value.text),
            },
            _ => return Err(Refusal::NoSuchField(path.clone())),
        });
    }
    if kind == FieldKind::Part {
        return Ok(Value::Null);
    }
    let doc = serde_json::to_value(record).expect("records serialize");
    Ok(lookup(&doc, path).cloned().unwrap_or(Value::Null))
}

fn row_value(ind: &Indicator) -> Value {
    json!({"level1": ind.level1, "level2": ind.level2, "name": ind.name, "value": ind.value.text})
}

fn lookup<'a>(doc: &'a Value, path: &FieldPath) -> Option<&'a Value> {
    path.steps().iter().try_fold(doc, |v, step| match step {
        Step::Key(k) => v.get(k),
        Step::Index(i) => v.get(i),
    })
}

/// A person's value for a field of `kind`, as the field will hold it:
/// trimmed, amounts and dates normalized; refused with the reason when the
/// field cannot hold it.
pub fn settle(path: &FieldPath, kind: FieldKind, value: &Value) -> Result<Value, Refusal> {
    let wrong = |why: &str| Refusal::WrongValue {
        path: path.clone(),
        why: why.to_string(),
    };
    if value.to_string().chars().count() > MAX_VALUE_CHARS {
        return Err(Refusal::TooLong { path: path.clone() });
    }
    let text = match value {
        Value::Null => None,
        Value::String(s) => {
            if s.chars().any(|c| c.is_control() && c != '\n') {
                return Err(wrong("a value holds no control characters"));
            }
            Some(s.trim()).filter(|t| !t.is_empty())
        }
        Value::Number(_) if kind == FieldKind::Year => None,
        Value::Object(_) if kind == FieldKind::Row => None,
        _ => return Err(wrong("expected a text or null")),
    };
    match kind {
        FieldKind::Part => match value {
            Value::Null => Ok(Value::Null),
            _ => Err(wrong("a part of the form can only be accepted, not set")),
        },
        FieldKind::Text => Ok(text.map_or(Value::Null, |t| json!(t))),
        FieldKind::RequiredText => text
            .map(|t| json!(t))
            .ok_or_else(|| wrong("an indicator's levels and name are never blank")),
        FieldKind::TargetValue => Ok(json!(text.unwrap_or(""))),
        FieldKind::Money => {
            let Some(t) = text else {
                return Ok(Value::Null);
            };
            match normalize::money(t, 0) {
                Ok(m) => Ok(m.map_or(Value::Null, |m| json!(m.to_string()))),
                Err(_) => Err(wrong(&format!(
                    "{t:?} is not an amount in yuan (digits, optionally grouped by commas, and \
                     a decimal point)"
                ))),
            }
        }
        FieldKind::Date => {
            let Some(t) = text else {
                return Ok(Value::Null);
            };
            match normalize::date(t) {
                Ok(d) => Ok(d.map_or(Value::Null, |d| json!(d))),
                Err(_) => Err(wrong(&format!(
                    "{t:?} is not a date (2024-01-01 or 2024年1月1日)"
                ))),
            }
        }
        FieldKind::Year => settle_year(value).ok_or_else(|| wrong("expected a year such as 2024")),
        FieldKind::Row => settle_row(path, value),
    }
}

/// The earliest and latest year a form may carry (the normalizer's own
/// bounds for dates).
const YEARS: std::ops::RangeInclusive<i64> = 1900..=2200;

fn settle_year(value: &Value) -> Option<Value> {
    let year = match value {
        Value::Null => return Some(Value::Null),
        Value::Number(n) => n.as_i64()?,
        Value::String(s) if s.trim().is_empty() => return Some(Value::Null),
        Value::String(s) => s.trim().trim_end_matches('年').parse().ok()?,
        _ => return None,
    };
    YEARS.contains(&year).then(|| json!(year))
}

fn settle_row(path: &FieldPath, value: &Value) -> Result<Value, Refusal> {
    let Value::Object(map) = value else {
        return match value {
            Value::Null => Ok(Value::Null),
            _ => Err(Refusal::WrongValue {
                path: path.clone(),
                why: "a row is {level1, level2, name, value} or null".into(),
            }),
        };
    };
    let mut row = serde_json::Map::new();
    for key in ["level1", "level2", "name", "value"] {
        let kind = if key == "value" {
            FieldKind::TargetValue
        } else {
            FieldKind::RequiredText
        };
        let field = path.clone().key(key);
        let v = map.get(key).unwrap_or(&Value::Null);
        row.insert(key.into(), settle(&field, kind, v)?);
    }
    if let Some(extra) = map.keys().find(|k| !row.contains_key(*k)) {
        return Err(Refusal::WrongValue {
            path: path.clone(),
            why: format!("a row has no field {extra:?}"),
        });
    }
    Ok(Value::Object(row))
}

/// Checks `verdict` against `record` (the field exists, holds `before`,
/// may hold `after`) and sets the field; the verdict's `after` is the
/// settled value. The verdict is *not* appended to `record.verdicts`.
pub fn apply(record: &mut FormRecord, verdict: &mut Verdict) -> Result<(), Refusal> {
    let path = verdict.path.clone();
    let kind = kind_of(record, &path)?;
    // A row added (`before` null) goes in before the row now at its place;
    // it replaces nothing, so there is no reading to compare.
    let inserting = kind == FieldKind::Row && verdict.before.is_null();
    let now = if inserting {
        Value::Null
    } else {
        reading(record, &path)?
    };
    if now != verdict.before {
        return Err(Refusal::Stale(Box::new(StaleReading {
            path,
            before: verdict.before.clone(),
            now,
        })));
    }
    let after = settle(&path, kind, &verdict.after)?;
    if kind == FieldKind::Row {
        set_row(record, &path, &now, &after);
    } else if kind != FieldKind::Part {
        set_field(record, &path, &after);
    }
    verdict.after = after;
    Ok(())
}

fn set_row(record: &mut FormRecord, path: &FieldPath, now: &Value, after: &Value) {
    let (row, _) = path.indicator_row().expect("a row path");
    let new = (!after.is_null()).then(|| Indicator {
        level1: text_of(&after["level1"]),
        level2: text_of(&after["level2"]),
        name: text_of(&after["name"]),
        value: target_value(&text_of(&after["value"])),
    });
    match (now.is_null(), new) {
        (true, Some(ind)) => record.indicators.insert(row, ind),
        (false, Some(ind)) => record.indicators[row] = ind,
        (false, None) => {
            record.indicators.remove(row);
        }
        (true, None) => {}
    }
}

fn text_of(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// A target value's parts from its text, as the machine parses them.
fn target_value(text: &str) -> IndicatorValue {
    let parsed = normalize::value(text);
    IndicatorValue {
        text: text.to_string(),
        op: parsed.op,
        number: parsed.number,
        unit: parsed.unit,
    }
}

/// Sets a field (not a row, not a part) to an already settled value.
fn set_field(record: &mut FormRecord, path: &FieldPath, after: &Value) {
    if let Some((row, [Step::Key(k)])) = path.indicator_row() {
        let ind = &mut record.indicators[row];
        let text = text_of(after);
        match k.as_str() {
            "level1" => ind.level1 = text,
            "level2" => ind.level2 = text,
            "name" => ind.name = text,
            _ => ind.value = target_value(&text),
        }
        return;
    }
    let mut doc = serde_json::to_value(&*record).expect("records serialize");
    let mut slot = &mut doc;
    for step in path.steps() {
        slot = match step {
            Step::Key(k) => &mut slot[k.as_str()],
            Step::Index(i) => &mut slot[*i],
        };
    }
    *slot = after.clone();
    *record = serde_json::from_value(doc).expect("a settled value fits its field");
}

/// The `note` of a verdict that takes back the form's last verdict: the
/// log keeps both (the audit trail), the document neither.
pub const UNDO_NOTE: &str = "undo";

/// The verdict that takes back `record`'s last verdict (its reverse, noted
/// [`UNDO_NOTE`]), by `by` at `at`; `None` when there is none to take back.
pub fn undo_of(record: &FormRecord, by: &str, at: &str) -> Option<Verdict> {
    let last = record.verdicts.last()?;
    // Taking back a row added removes it (and the reverse): the reading
    // now is the row as it stands.
    Some(Verdict {
        path: last.path.clone(),
        before: last.after.clone(),
        after: last.before.clone(),
        by: by.to_string(),
        at: at.to_string(),
        note: Some(UNDO_NOTE.to_string()),
    })
}

/// Applies `undo` (from [`undo_of`]): the field gets its reading back and
/// the last verdict leaves the document's list.
pub fn apply_undo(record: &mut FormRecord, undo: &Verdict) -> Result<(), Refusal> {
    let expected = undo_of(record, &undo.by, &undo.at);
    if expected.as_ref() != Some(undo) {
        return Err(Refusal::WrongValue {
            path: undo.path.clone(),
            why: "an undo takes back the form's last verdict, and this is not its reverse".into(),
        });
    }
    let mut reverse = undo.clone();
    apply(record, &mut reverse)?;
    record.verdicts.pop();
    Ok(())
}

/// Applies the verdicts kept for a form to its fresh machine reading, in
/// the order they were made: each that still finds its `before` is applied
/// and listed in `verdicts`; each that does not gets a `verdict_stale`
/// warning (the verdict itself stays in the log). Then sets
/// `verification`.
pub fn reapply(record: &mut FormRecord, kept: &[Verdict]) {
    for v in kept {
        let mut verdict = v.clone();
        let applied = if v.note.as_deref() == Some(UNDO_NOTE) {
            apply_undo(record, v)
        } else {
            apply(record, &mut verdict).map(|()| record.verdicts.push(verdict))
        };
        if let Err(why) = applied {
            record.warnings.push(stale_warning(v, &why));
        }
    }
    record.verification = verification(record);
}

fn stale_warning(v: &Verdict, why: &Refusal) -> Diagnostic {
    let mut d = Diagnostic::new(
        Code::VerdictStale,
        v.path.clone(),
        format!(
            "a verdict by {} at {} was not applied: {why}; look again",
            v.by, v.at
        ),
    );
    d.before = Some(v.before.to_string());
    d.after = Some(v.after.to_string());
    d
}

/// What a verdict did to the indicator table's rows, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowChange {
    Added(usize),
    Removed(usize),
}

fn row_change(v: &Verdict) -> Option<RowChange> {
    let Some((row, [])) = v.path.indicator_row() else {
        return None;
    };
    match (v.before.is_null(), v.after.is_null()) {
        (true, false) => Some(RowChange::Added(row)),
        (false, true) => Some(RowChange::Removed(row)),
        _ => None,
    }
}

/// For each indicator row of `record` now, the machine's row it is
/// (`None` for a row a person added): verdicts that added or removed rows,
/// replayed from the machine's numbering.
pub fn row_origins(record: &FormRecord) -> Vec<Option<usize>> {
    replay_rows(record, |_, _| {})
}

/// Replays the verdicts' row changes from the machine's numbering, calling
/// `each` with every verdict and the rows as they stood when it was made;
/// the rows after the last.
fn replay_rows(
    record: &FormRecord,
    mut each: impl FnMut(&Verdict, &[Option<usize>]),
) -> Vec<Option<usize>> {
    let changes = record.verdicts.iter().filter_map(row_change);
    let (added, removed) = changes.fold((0usize, 0usize), |(a, r), c| match c {
        RowChange::Added(_) => (a + 1, r),
        RowChange::Removed(_) => (a, r + 1),
    });
    let n = (record.indicators.len() + removed).saturating_sub(added);
    let mut rows: Vec<Option<usize>> = (0..n).map(Some).collect();
    for v in &record.verdicts {
        each(v, &rows);
        match row_change(v) {
            Some(RowChange::Added(row)) if row <= rows.len() => rows.insert(row, None),
            Some(RowChange::Removed(row)) if row < rows.len() => {
                rows.remove(row);
            }
            _ => {}
        }
    }
    rows
}

/// The machine's doubts (its warnings' paths) that no verdict settled: a
/// doubt is settled by a verdict on its field or on a part containing it.
pub fn doubts_left(record: &FormRecord) -> Vec<FieldPath> {
    let settled = settled_paths(record);
    let mut left: Vec<FieldPath> = record
        .warnings
        .iter()
        .map(|w| w.path.clone())
        .filter(|d| !settled.iter().any(|s| d.within(s)))
        .collect();
    left.dedup();
    left
}

/// The verdicts' paths in the machine's row numbering.
fn settled_paths(record: &FormRecord) -> Vec<FieldPath> {
    let mut out = Vec::new();
    replay_rows(record, |v, rows| match v.path.indicator_row() {
        // A row a person added has no doubt of the machine's to settle.
        Some(_) if matches!(row_change(v), Some(RowChange::Added(_))) => {}
        Some((row, _)) => {
            if let Some(Some(machine)) = rows.get(row) {
                out.push(v.path.with_indicator_row(*machine));
            }
        }
        None => out.push(v.path.clone()),
    });
    out
}

/// `None` before any verdict; then `verified` when no doubt is left,
/// `partly` otherwise.
pub fn verification(record: &FormRecord) -> Option<Verification> {
    if record.verdicts.is_empty() {
        return None;
    }
    Some(if doubts_left(record).is_empty() {
        Verification::Verified
    } else {
        Verification::Partly
    })
}

#[cfg(test)]
#[path = "verdict_tests.rs"]
mod tests;
