//! The site's index: every input file of the manifest, its forms by
//! project name, what was repaired and doubted, and a filter to only what
//! has doubts (a file not `ok`/`no_forms`, or a form with repairs,
//! warnings or low-confidence values).

use crate::html::{esc, fill};
use crate::{FormEntry, Selection};
use jx_model::Manifest;
use std::collections::BTreeMap;
use std::fmt::Write;

const TEMPLATE: &str = include_str!("../assets/index.html");

pub(crate) fn index_page(
    manifest: &Manifest,
    files: &BTreeMap<String, Vec<FormEntry>>,
    selection: Selection,
) -> String {
    let mut rows = String::new();
    let (mut forms, mut repairs, mut warnings, mut doubtful_files) = (0, 0, 0, 0);
    let empty = Vec::new();
    for f in &manifest.files {
        let entries = files.get(&f.path).unwrap_or(&empty);
        let r: usize = entries.iter().map(|e| e.repairs).sum();
        let w: usize = entries.iter().map(|e| e.warnings).sum();
        let low: usize = entries.iter().map(|e| e.low).sum();
        let doubt = f.status.is_trouble() || r + w + low > 0;
        forms += entries.len();
        repairs += r;
        warnings += w;
        doubtful_files += usize::from(doubt);
        let _ = write!(
            rows,
            "<tr class=\"file{}\"><td class=\"path\">{}</td><td><span class=\"status s-{}\">{}</span></td><td class=\"n\">{}</td><td class=\"n{}\">{r}</td><td class=\"n{}\">{w}</td><td class=\"n{}\">{low}</td><td class=\"reason\">{}</td></tr>",
            if doubt { " doubt" } else { "" },
            esc(&f.path),
            f.status.as_str(),
            f.status.as_str(),
            f.forms,
            if r > 0 { " has" } else { "" },
            if w > 0 { " has" } else { "" },
            if low > 0 { " has" } else { "" },
            esc(f.reason.as_deref().unwrap_or("")),
        );
        for e in entries {
            let doubt = e.repairs + e.warnings + e.low > 0;
            let name = esc(e.project.as_deref().unwrap_or("(no project name)"));
            let link = match &e.href {
                Some(h) => format!(
                    "<a class=\"form-link\" href=\"{}\">{:02} {name}</a>",
                    esc(h),
                    e.index
                ),
                None => format!(
                    "<span class=\"form-link absent\" title=\"no repairs or warnings: not in this review\">{:02} {name}</span>",
                    e.index
                ),
            };
            let _ = write!(
                rows,
                "<tr class=\"form{}\"><td class=\"project\">{link}</td><td></td><td></td><td class=\"n{}\">{}</td><td class=\"n{}\">{}</td><td class=\"n{}\">{}</td><td></td></tr>",
                if doubt { " doubt" } else { "" },
                if e.repairs > 0 { " has" } else { "" },
                e.repairs,
                if e.warnings > 0 { " has" } else { "" },
                e.warnings,
                if e.low > 0 { " has" } else { "" },
                e.low,
            );
        }
    }
    let summary = format!(
        "{} file(s), {doubtful_files} with doubts · {forms} form(s) · {repairs} repair(s) · {warnings} warning(s){}",
        manifest.files.len(),
        match selection {
            Selection::All => "",
            Selection::Doubtful => " · only forms with repairs or warnings have a page",
        }
    );
    fill(
        TEMPLATE,
        &[
            ("summary", &esc(&summary)),
            ("rows", &rows),
            ("version", &esc(&manifest.version)),
        ],
    )
}
