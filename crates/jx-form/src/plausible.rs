//! Doubts from what a form can print, for values read by OCR.
//!
//! A value can fit its field's pattern and still be no value a form prints:
//! `≥1.850(户)` is a target value by the grammar, but a count of households
//! has no fraction — the grouping comma of `≥1,850(户)` was read as a point.
//! These checks look at the finished record, field by field and across the
//! forms of one file, and raise a warning naming the field; they never
//! change a value (what the page printed is for a person to settle). They
//! apply only to fields read by OCR: a text layer is what was printed.
//!
//! * [`check_form`]: counts with a fraction, percentages over 100, numbers
//!   with three decimals, dates outside the form's year, a start after the
//!   end, and every OCR-read amount of a funds sum that does not add up (the
//!   form's own arithmetic says one of them is wrong, not which), and a
//!   department or implementer whose place name is no place but one
//!   character from one ([`crate::places`]).
//! * [`check_volume`]: the same department or implementer read a character
//!   or two differently on other forms of the file.

use crate::labels::edit_distance;
use jx_model::{Code, Diagnostic, FieldPath, FormRecord};
use std::collections::BTreeMap;

/// Units that count whole things: a target in them has no fraction
/// (`=23000.00(人)` prints zeros after the point, never other digits).
const COUNT_UNITS: &[&str] = &[
    "户", "人", "个", "件", "次", "人次", "户次", "家", "所", "台", "辆", "套", "座", "处", "项",
    "份", "场", "期", "名", "篇", "本", "张", "条", "栋", "间", "册", "批", "只", "头", "棵", "株",
    "宗", "起", "例", "班", "校", "园", "村", "镇", "街道", "支", "部", "幅",
];

/// How far, in years, a project's start and end may lie from the form's
/// year, `(before, after)`. A form is filed for one budget year: a project
/// in it starts by that year (a year later at most, where the form's year
/// is the filing year) — recurring projects started up to a decade before —
/// and ends no earlier than the year before it, and multi-year projects run
/// up to five years on (the corpus's and the samples' longest span four).
const START_YEARS: (i32, i32) = (10, 1);
const END_YEARS: (i32, i32) = (1, 5);

/// Characters that tell two names apart when they differ in them alone:
/// numbers and directions (第一中学 / 第二中学, 城东 / 城西).
pub(crate) const DISTINGUISHING: &str =
    "〇零一二三四五六七八九十百0123456789东南西北中上下前后新老大小";

/// Largest edit distance, and share of a reading's characters, at which two
/// readings of a department on one file count as the same name read
/// differently rather than two names: one or two characters of a name of
/// six or more (`重庆市璧山区民政局` / `重庆市壁山区民政局`); names that
/// differ only in a number or a direction stay two names.
const MAX_VOLUME_EDITS: usize = 2;
const MIN_VOLUME_CHARS_PER_EDIT: usize = 6;

/// Whether the field at `path` was read by OCR.
pub(crate) fn by_ocr(f: &FormRecord, path: &FieldPath) -> bool {
    f.provenance.get(path).is_some_and(|p| p.read_by_ocr())
}

/// A warning of `code` on `path`, placed where the field was read.
pub(crate) fn doubt(f: &FormRecord, code: Code, path: &FieldPath, why: String) -> Diagnostic {
    let d = Diagnostic::new(code, path.clone(), why);
    match f.provenance.get(path) {
        Some(p) => d.at(p.page, p.bbox),
        None => d,
    }
}

/// Why a parsed target value cannot be what a form prints, or `None`.
pub fn implausible_target(number: &str, unit: Option<&str>) -> Option<String> {
    let (int, frac) = number.split_once('.').unwrap_or((number, ""));
    if frac.len() == 3 && !int.trim_start_matches('-').is_empty() {
        return Some(format!(
            "{number} has three decimals: a grouping comma read as a point? check against the page"
        ));
    }
    let unit = unit.map(str::trim).unwrap_or("");
    if COUNT_UNITS.contains(&unit) && frac.chars().any(|c| c != '0') {
        return Some(format!(
            "a count in {unit} with a fraction ({number}): check against the page"
        ));
    }
    let pct = unit == "%" || unit == "％";
    if pct && number.parse::<f64>().is_ok_and(|v| v > 100.0) {
        return Some(format!(
            "a percentage over 100 ({number}%): check against the page"
        ));
    }
    None
}

/// The year of an ISO date `YYYY-MM-DD`.
fn year_of(date: &str) -> Option<i32> {
    date.get(..4)?.parse().ok()
}

/// Doubts on one form's OCR-read values (module doc).
pub fn check_form(f: &mut FormRecord) {
    let mut found = Vec::new();
    for (i, ind) in f.indicators.iter().enumerate() {
        let path = FieldPath::indicator(i).key("value");
        let Some(n) = ind.value.number.as_deref() else {
            continue;
        };
        if by_ocr(f, &path)
            && let Some(why) = implausible_target(n, ind.value.unit.as_deref())
        {
            found.push(doubt(f, Code::ImplausibleValue, &path, why));
        }
    }
    found.extend(date_doubts(f));
    found.extend(sum_doubts(f));
    found.extend(crate::places::place_doubts(f));
    f.warnings.extend(found);
}

fn date_doubts(f: &FormRecord) -> Vec<Diagnostic> {
    let p = &f.project;
    let mut out = Vec::new();
    let dates = [
        (
            FieldPath::of(&["project", "start_date"]),
            p.start_date.as_deref(),
        ),
        (
            FieldPath::of(&["project", "end_date"]),
            p.end_date.as_deref(),
        ),
    ];
    for ((path, date), (before, after)) in dates.iter().zip([START_YEARS, END_YEARS]) {
        let (Some(d), Some(y)) = (date.and_then(year_of), f.year) else {
            continue;
        };
        if by_ocr(f, path) && (d < y - before || d > y + after) {
            out.push(doubt(
                f,
                Code::ImplausibleValue,
                path,
                format!("the year {d} is far from the form's year {y}: check against the page"),
            ));
        }
    }
    if let (Some(s), Some(e)) = (p.start_date.as_deref(), p.end_date.as_deref())
        && s > e
    {
        for (path, _) in dates.iter().filter(|(path, _)| by_ocr(f, path)) {
            out.push(doubt(
                f,
                Code::ImplausibleValue,
                path,
                format!("the project starts ({s}) after it ends ({e}): check against the page"),
            ));
        }
    }
    out
}

/// Every OCR-read amount of a sum the form's arithmetic contradicts (a
/// `funds_do_not_add_up` warning on its total).
fn sum_doubts(f: &FormRecord) -> Vec<Diagnostic> {
    // Each column group of `funds` by its key: its parts, summed in `total`.
    const SUMS: &[(&str, &[&str])] = &[
        ("annual", &["appropriation", "carryover", "other"]),
        ("project_total", &["fiscal", "other"]),
    ];
    let mut out = Vec::new();
    for &(group, parts) in SUMS {
        let field = |key| FieldPath::of(&["funds", group, key]);
        let total = field("total");
        let contradicted = f
            .warnings
            .iter()
            .any(|w| w.kind == Code::FundsDoNotAddUp && w.path == total);
        if !contradicted {
            continue;
        }
        for path in std::iter::once(total.clone()).chain(parts.iter().map(|&k| field(k))) {
            if by_ocr(f, &path) {
                out.push(doubt(
                    f,
                    Code::ImplausibleValue,
                    &path,
                    format!("read by OCR in funds that do not add up ({total}): one of them is misread; check against the page"),
                ));
            }
        }
    }
    out
}

/// Doubts across the forms of one file: a department or implementer read
/// a character or two differently elsewhere in the file (module doc).
pub fn check_volume(forms: &mut [FormRecord]) {
    type Field = fn(&FormRecord) -> Option<&String>;
    let fields: [(FieldPath, Field); 2] = [
        (FieldPath::of(&["project", "department"]), |f| {
            f.project.department.as_ref()
        }),
        (FieldPath::of(&["project", "implementer"]), |f| {
            f.project.implementer.as_ref()
        }),
    ];
    for (path, field) in fields {
        let readings: Vec<Option<String>> = forms
            .iter()
            .map(|f| field(f).filter(|_| by_ocr(f, &path)).cloned())
            .collect();
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for r in readings.iter().flatten() {
            *counts.entry(r.as_str()).or_default() += 1;
        }
        for (f, r) in forms.iter_mut().zip(&readings) {
            let Some(r) = r else { continue };
            let others = near_readings(r, &counts);
            if others.is_empty() {
                continue;
            }
            let listed: Vec<String> = others
                .iter()
                .map(|(o, n)| format!("{o:?} on {n} form(s)"))
                .collect();
            let why = format!(
                "read {r:?} here and {} elsewhere in this file: one of them is misread; check against the page",
                listed.join(", ")
            );
            let d = doubt(f, Code::VolumeDisagreement, &path, why);
            f.warnings.push(d);
        }
    }
}

/// Other readings of the file a character or two away from `r`, with how
/// many forms hold each.
fn near_readings<'a>(r: &str, counts: &BTreeMap<&'a str, usize>) -> Vec<(&'a str, usize)> {
    let rc: Vec<char> = r.chars().collect();
    counts
        .iter()
        .filter(|(o, _)| **o != r)
        .filter(|(o, _)| {
            let oc: Vec<char> = o.chars().collect();
            let d = edit_distance(r, o);
            let shorter = rc.len().min(oc.len());
            d <= MAX_VOLUME_EDITS
                && d * MIN_VOLUME_CHARS_PER_EDIT <= shorter
                && !differ_in_distinguishing(&rc, &oc)
        })
        .map(|(o, n)| (*o, *n))
        .collect()
}

/// Whether a character one name holds and the other does not is a number
/// or a direction ([`DISTINGUISHING`]).
fn differ_in_distinguishing(a: &[char], b: &[char]) -> bool {
    let only = |x: &[char], y: &[char]| {
        x.iter()
            .filter(|c| !y.contains(c))
            .copied()
            .collect::<Vec<_>>()
    };
    only(a, b)
        .into_iter()
        .chain(only(b, a))
        .any(|c| DISTINGUISHING.contains(c))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use jx_model::Extraction;
    use jx_model::record::{Indicator, SCHEMA_VERSION};
    use jx_model::record::{IndicatorValue, Provenance, Source};

    fn form(department: &str, read_by_ocr: bool) -> FormRecord {
        let mut provenance = BTreeMap::new();
        let prov = Provenance {
            page: 1,
            bbox: [0.0, 0.0, 1.0, 1.0],
            confidence: read_by_ocr.then_some(0.95),
        };
        for p in [
            "project.department",
            "project.start_date",
            "project.end_date",
            "indicators[0].value",
            "indicators[1].value",
            "indicators[2].value",
        ] {
            provenance.insert(p.parse().unwrap(), prov.clone());
        }
        let project = jx_model::record::Project {
            department: Some(department.into()),
            start_date: Some("2023-01-01".into()),
            end_date: Some("2023-12-31".into()),
            ..Default::default()
        };
        record(project, provenance, 1, Extraction::Ocr)
    }

    /// A form of 2023 on page `page` of `x.pdf` holding `project` and
    /// nothing else, read as `provenance` says (for the doubts' tests).
    pub(crate) fn record(
        project: jx_model::record::Project,
        provenance: BTreeMap<jx_model::FieldPath, Provenance>,
        page: u32,
        extraction: Extraction,
    ) -> FormRecord {
        FormRecord {
            schema_version: SCHEMA_VERSION,
            source: Source {
                path: "x.pdf".into(),
                sha256: "0".into(),
                form_index: 1,
                pages: vec![page],
                extraction,
            },
            document_title: None,
            form_title: None,
            year: Some(2023),
            project,
            funds: Default::default(),
            goals: Default::default(),
            indicators: Vec::new(),
            repairs: Vec::new(),
            warnings: Vec::new(),
            verdicts: Vec::new(),
            verification: None,
            provenance,
        }
    }

    fn value(number: &str, unit: &str) -> Indicator {
        Indicator {
            level1: "产出指标".into(),
            level2: "数量指标".into(),
            name: "x".into(),
            value: IndicatorValue {
                text: format!("≥{number}({unit})"),
                op: Some("≥".into()),
                number: Some(number.into()),
                unit: Some(unit.into()),
            },
        }
    }

    fn doubted(f: &FormRecord) -> Vec<String> {
        f.warnings.iter().map(|w| w.path.to_string()).collect()
    }

    #[test]
    fn values_no_form_prints_are_doubted() {
        assert!(implausible_target("1.850", Some("户")).is_some());
        assert!(implausible_target("12.5", Some("人")).is_some());
        assert!(implausible_target("185", Some("%")).is_some());
        assert!(implausible_target("23000.00", Some("人")).is_none());
        assert!(implausible_target("85.00", Some("%")).is_none());
        assert!(implausible_target("0.74", None).is_none());
        assert!(implausible_target("3.5", Some("万元")).is_none());
    }

    #[test]
    fn only_ocr_readings_are_doubted() {
        let mut f = form("某区财政局", true);
        f.indicators = vec![
            value("1.850", "户"),
            value("23000.00", "人"),
            value("120", "%"),
        ];
        f.project.start_date = Some("2032-01-01".into());
        check_form(&mut f);
        assert_eq!(
            doubted(&f),
            vec![
                "indicators[0].value",
                "indicators[2].value",
                "project.start_date",
                "project.start_date",
                "project.end_date"
            ]
        );
        let mut printed = form("某区财政局", false);
        printed.indicators = vec![value("1.850", "户")];
        check_form(&mut printed);
        assert!(printed.warnings.is_empty());
    }

    #[test]
    fn a_name_read_differently_in_one_volume_is_doubted_where_it_differs() {
        let mut forms = vec![
            form("重庆市璧山区民政局", true),
            form("重庆市璧山区民政局", true),
            form("重庆市壁山区民政局", true),
            form("某区第一中学", true),
            form("某区第二中学", true),
        ];
        check_volume(&mut forms);
        let n: Vec<usize> = forms.iter().map(|f| f.warnings.len()).collect();
        assert_eq!(n, vec![1, 1, 1, 0, 0]);
        assert!(forms[2].warnings[0].detail.contains("on 2 form(s)"));
        assert_eq!(forms[2].warnings[0].kind, Code::VolumeDisagreement);
    }
}
