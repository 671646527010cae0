//! A form record as the list of values a person checks: each scalar field
//! by its JSON path (the key of `provenance` and of every diagnostic's
//! `path`), with the label the form prints for it.

use jx_model::{Diagnostic, FieldPath, FormRecord};
use serde_json::Value;

/// One value of the form, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// JSON path, e.g. `funds.annual.total`.
    pub path: FieldPath,
    /// The label the form prints (项目名称), or the path where none is known.
    pub label: String,
    /// As written in the JSON; `None` for null.
    pub value: Option<String>,
}

/// The form's labels for the fields of the contract.
const LABELS: [(&str, &str); 18] = [
    ("document_title", "文档标题"),
    ("form_title", "表名"),
    ("year", "年度"),
    ("project.name", "项目名称"),
    ("project.nature", "项目性质"),
    ("project.category", "项目类别"),
    ("project.department", "主管部门"),
    ("project.implementer", "实施单位"),
    ("project.start_date", "计划开始日期"),
    ("project.end_date", "计划完成日期"),
    ("funds.project_total.total", "项目资金总额"),
    ("funds.project_total.fiscal", "其中：财政资金"),
    ("funds.project_total.other", "其他资金"),
    ("funds.annual.total", "年度资金申请总额"),
    ("funds.annual.appropriation", "当年财政拨款"),
    ("funds.annual.carryover", "上年结转资金"),
    ("funds.annual.other", "其他资金（年度）"),
    ("goals.overall", "项目总目标"),
];

/// Sections of the record that are values of the form (the rest is
/// `source`, the diagnostics and provenance, shown otherwise).
const VALUE_SECTIONS: [&str; 6] = [
    "document_title",
    "form_title",
    "year",
    "project",
    "funds",
    "goals",
];

/// The form's scalar values outside the indicator table, in the record's
/// order.
pub fn scalar_fields(record: &FormRecord) -> Vec<Field> {
    let value = serde_json::to_value(record).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for key in VALUE_SECTIONS {
        if let Some(v) = value.get(key) {
            flatten(FieldPath::of(&[key]), v, &mut out);
        }
    }
    out
}

fn flatten(path: FieldPath, v: &Value, out: &mut Vec<Field>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                flatten(path.clone().key(k), child, out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                flatten(path.clone().index(i), child, out);
            }
        }
        leaf => out.push(Field {
            label: label(&path),
            value: scalar(leaf),
            path,
        }),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The printed label of `path`, or the path itself (the list is of the
/// paths' text, as the contract writes them).
pub fn label(path: &FieldPath) -> String {
    let text = path.to_string();
    if text == "goals.annual" {
        return "年度总体目标".into();
    }
    LABELS
        .iter()
        .find(|(p, _)| *p == text)
        .map_or(text, |(_, l)| (*l).to_string())
}

/// Whether diagnostic path `diag` concerns field `field`: the same path, or
/// one containing it (`funds.annual` concerns `funds.annual.total`), or one
/// inside it. The root is the whole form's, concerning no one field.
pub fn concerns(diag: &FieldPath, field: &FieldPath) -> bool {
    !diag.is_root() && (field.within(diag) || diag.within(field))
}

/// Diagnostics that concern `field`, with their index in `list`.
pub fn about<'a>(list: &'a [Diagnostic], field: &FieldPath) -> Vec<(usize, &'a Diagnostic)> {
    list.iter()
        .enumerate()
        .filter(|(_, d)| concerns(&d.path, field))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_concern_their_parts_and_wholes() {
        let annual = FieldPath::of(&["funds", "annual"]);
        let total = annual.clone().key("total");
        let row = FieldPath::indicator(3);
        assert!(concerns(&annual, &total));
        assert!(concerns(&total, &total));
        assert!(concerns(&row, &row.clone().key("value")));
        assert!(concerns(&row.clone().key("value"), &row));
        assert!(!concerns(&row, &FieldPath::indicator(30).key("value")));
        assert!(!concerns(&annual, &FieldPath::of(&["funds", "annual_x"])));
        assert!(!concerns(
            &FieldPath::root(),
            &FieldPath::of(&["project", "name"])
        ));
    }

    #[test]
    fn labels_are_the_printed_ones() {
        assert_eq!(label(&FieldPath::of(&["project", "name"])), "项目名称");
        assert_eq!(label(&FieldPath::of(&["goals", "annual"])), "年度总体目标");
        assert_eq!(
            label(&FieldPath::of(&["something", "new"])),
            "something.new"
        );
    }
}
