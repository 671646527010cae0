//! Where a file's documents go under the output folder: a pure function of
//! the input's relative path, never of run order or of the other inputs, so
//! that shards of one run, a resumed run and `merge` agree.
//!
//! `2024/社保.pdf` → `2024/社保/01.json`, `02.json` … The folder is the path
//! without its `.pdf` — unless that could meet another input's folder or a
//! file of the run, then the full file name is kept:
//!
//! * only a lower-case `.pdf` is stripped (`a.PDF` → `a.PDF/`, so `a.pdf`
//!   and `a.PDF` stay apart);
//! * a stem that itself ends in `.pdf` keeps its name (`x.PDF.pdf` →
//!   `x.PDF.pdf/`, apart from `x.PDF`'s `x.PDF/`);
//! * a stem that is empty (`.pdf`), looks like a form file (`01.json`) or
//!   is a reserved name at the top (`manifest.json`, `forms.sqlite`,
//!   `review` …) keeps its name.
//!
//! Distinct inputs get distinct folders: a stripped stem never ends in
//! `.pdf` while a kept name always does.

/// Names at the top of the output folder that belong to the run.
pub const RESERVED: [&str; 8] = [
    "manifest.json",
    "verdicts.jsonl",
    "manifest.journal.jsonl",
    "forms.sqlite",
    "forms.sqlite-wal",
    "forms.sqlite-shm",
    "forms.sqlite-journal",
    "review",
];

/// The folder of `rel`'s documents, relative to the output folder,
/// `/`-separated, of plain components only.
pub fn form_dir(rel: &str) -> String {
    let parts: Vec<&str> = rel
        .split(['/', '\\'])
        .filter(|p| !p.is_empty() && *p != "." && *p != "..")
        .collect();
    let Some((last, parents)) = parts.split_last() else {
        return "_".into();
    };
    let stem = last.strip_suffix(".pdf").filter(|stem| {
        let reserved = parents.is_empty() && RESERVED.contains(stem);
        !stem.is_empty()
            && !stem.to_ascii_lowercase().ends_with(".pdf")
            && !is_form_file_name(stem)
            && !reserved
    });
    let mut out: Vec<&str> = parents.to_vec();
    out.push(stem.unwrap_or(last));
    out.join("/")
}

/// The file of form `index` (1-based) of `rel`.
pub fn form_file(rel: &str, index: usize) -> String {
    format!("{}/{:02}.json", form_dir(rel), index)
}

/// The files of `count` forms of `rel`.
pub fn form_files(rel: &str, count: usize) -> Vec<String> {
    (1..=count).map(|i| form_file(rel, i)).collect()
}

/// Whether `name` is what [`form_file`] names a document (`NN.json`).
pub fn is_form_file_name(name: &str) -> bool {
    name.strip_suffix(".json")
        .is_some_and(|s| s.len() >= 2 && s.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn folders_are_the_path_without_pdf() {
        assert_eq!(form_dir("2024/社保.pdf"), "2024/社保");
        assert_eq!(form_file("2024/社保.pdf", 3), "2024/社保/03.json");
        assert_eq!(form_dir("../../etc/x.pdf"), "etc/x");
        assert_eq!(form_dir("/abs/y.pdf"), "abs/y");
    }

    #[test]
    fn names_that_could_meet_keep_their_full_name() {
        let rels = [
            "a.pdf",
            "a.PDF",
            "a.Pdf",
            "x.PDF.pdf",
            "x.PDF",
            ".pdf",
            "manifest.json.pdf",
            "review.pdf",
            "sub/review.pdf",
            "b/01.json.pdf",
            "b.pdf",
        ];
        let dirs: Vec<String> = rels.iter().map(|r| form_dir(r)).collect();
        assert_eq!(
            dirs,
            [
                "a",
                "a.PDF",
                "a.Pdf",
                "x.PDF.pdf",
                "x.PDF",
                ".pdf",
                "manifest.json.pdf",
                "review.pdf",
                "sub/review",
                "b/01.json.pdf",
                "b",
            ]
        );
        assert_eq!(dirs.iter().collect::<HashSet<_>>().len(), dirs.len());
    }

    #[test]
    fn a_folder_does_not_depend_on_the_other_inputs() {
        // The same input alone or among colliding ones: the same folder.
        assert_eq!(form_dir("a.PDF"), "a.PDF");
        assert_eq!(form_dir("a.pdf"), "a");
    }
}
