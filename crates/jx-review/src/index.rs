//! The site's index: every input file of the manifest, its forms by
//! project name, what was repaired and doubted, and a filter to only what
//! has doubts (a file not `ok`/`no_forms`, or a form with repairs,
//! warnings or low-confidence values).

use crate::{FormEntry, Selection};
use askama::Template;
use jx_model::{Manifest, Verification};
use std::collections::BTreeMap;

/// The index: `assets/index.html` with what it shows. Every text is printed
/// by the template, escaped there.
#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    summary: String,
    files: Vec<FileView<'a>>,
    version: &'a str,
}

/// One input file and its forms.
struct FileView<'a> {
    path: &'a str,
    status: &'static str,
    doubt: bool,
    forms: usize,
    repairs: usize,
    warnings: usize,
    low: usize,
    reason: &'a str,
    entries: Vec<EntryView<'a>>,
}

/// One form of a file.
struct EntryView<'a> {
    index: u32,
    project: &'a str,
    repairs: usize,
    warnings: usize,
    low: usize,
    href: Option<&'a str>,
}

pub(crate) fn index_page(
    manifest: &Manifest,
    files: &BTreeMap<String, Vec<FormEntry>>,
    selection: Selection,
) -> String {
    let (mut forms, mut repairs, mut warnings, mut doubtful_files) = (0, 0, 0, 0);
    let mut views = Vec::with_capacity(manifest.files.len());
    for f in &manifest.files {
        let entries = files.get(&f.path).map_or(&[][..], Vec::as_slice);
        let r: usize = entries.iter().map(|e| e.repairs).sum();
        let w: usize = entries.iter().map(|e| e.warnings).sum();
        let low: usize = entries.iter().map(|e| e.low).sum();
        let doubt = f.status.is_trouble() || r + w + low > 0;
        forms += entries.len();
        repairs += r;
        warnings += w;
        doubtful_files += usize::from(doubt);
        views.push(FileView {
            path: &f.path,
            status: f.status.as_str(),
            doubt,
            forms: f.forms,
            repairs: r,
            warnings: w,
            low,
            reason: f.reason.as_deref().unwrap_or(""),
            entries: entries
                .iter()
                .map(|e| EntryView {
                    index: e.index,
                    project: e.project.as_deref().unwrap_or("(no project name)"),
                    repairs: e.repairs,
                    warnings: e.warnings,
                    low: e.low,
                    href: e.href.as_deref(),
                })
                .collect(),
        });
    }
    let all = || files.values().flatten();
    let state = |v: Verification| all().filter(|e| e.verification == v).count();
    let summary = format!(
        "{} file(s), {doubtful_files} with doubts · {forms} form(s) · {repairs} repair(s) · \
         {warnings} warning(s) · {} verified, {} partly, {} unverified, {} doubt(s) left to \
         settle{}",
        manifest.files.len(),
        state(Verification::Verified),
        state(Verification::Partly),
        state(Verification::Unverified),
        all().map(|e| e.doubts_left).sum::<usize>(),
        match selection {
            Selection::All => "",
            Selection::Doubtful => " · only forms with repairs or warnings have a page",
        }
    );
    let page = IndexPage {
        summary,
        files: views,
        version: &manifest.version,
    };
    // Rendering writes into a String and calls only the `Display` of
    // strings and numbers: it cannot fail.
    page.render().expect("the index renders")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::FileRow;

    #[test]
    fn project_names_like_slots_or_markup_are_printed_once_and_escaped() {
        let hostile = "{{rows}}{{summary}} <b>&";
        let mut files = BTreeMap::new();
        files.insert(
            "x.pdf".to_string(),
            vec![FormEntry {
                index: 1,
                project: Some(hostile.into()),
                repairs: 0,
                warnings: 1,
                low: 0,
                verification: Verification::Partly,
                doubts_left: 1,
                href: Some("forms/k-01.html".into()),
            }],
        );
        let manifest = Manifest {
            tool: "jxingest".into(),
            version: "{{version}}".into(),
            options: String::new(),
            files: vec![FileRow::new("x.pdf")],
        };
        let html = index_page(&manifest, &files, Selection::All);
        assert!(html.contains(
            "<a class=\"form-link\" href=\"forms/k-01.html\">01 {{rows}}{{summary}} &lt;b&gt;&amp;</a>"
        ));
        assert!(html.contains("<footer>jxingest {{version}} ·"));
        assert_eq!(html.matches("{{rows}}").count(), 1);
        assert_eq!(html.matches("<tbody>").count(), 1);
        assert!(html.contains("<tr class=\"form doubt\"><td class=\"project\">"));
        assert!(html.contains("<td class=\"n has\">1</td>"));
        assert!(
            html.contains("0 verified, 1 partly, 0 unverified, 1 doubt(s) left to settle"),
            "{html}"
        );
    }
}
