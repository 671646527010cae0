//! The journal (`OUT/manifest.journal.jsonl`) that makes a run resumable: a
//! file's manifest row ([`jx_model::FileRow`]) is appended as soon as its
//! outputs are on disk, so a run killed half way can be taken up with
//! `--resume`; and reading the rows of an earlier run back.

use jx_model::{FileRow, Manifest};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// The journal's file name under the output folder; removed when the run
/// completes and `manifest.json` is written.
pub const JOURNAL: &str = "manifest.journal.jsonl";
/// The manifest's file name under the output folder.
pub const MANIFEST: &str = jx_sink::layout::RESERVED[0];
/// One line of the journal.
#[derive(Debug, Serialize, Deserialize)]
struct JournalLine {
    options: String,
    entry: FileRow,
}

/// The rows of an earlier run into `out` made with the same options, by
/// path: the manifest's, then the journal's (later rows win). Unreadable
/// files and lines (a line cut by a kill) are ignored.
pub fn previous_rows(out: &Path, options: &str) -> BTreeMap<String, FileRow> {
    let mut rows = BTreeMap::new();
    if let Ok(text) = std::fs::read_to_string(out.join(MANIFEST))
        && let Ok(m) = serde_json::from_str::<Manifest>(&text)
        && m.options == options
    {
        rows.extend(m.files.into_iter().map(|f| (f.path.clone(), f)));
    }
    if let Ok(text) = std::fs::read_to_string(out.join(JOURNAL)) {
        for line in text.lines() {
            if let Ok(j) = serde_json::from_str::<JournalLine>(line)
                && j.options == options
            {
                rows.insert(j.entry.path.clone(), j.entry);
            }
        }
    }
    rows
}

/// The journal of the run in progress.
pub struct Journal {
    file: Mutex<std::fs::File>,
    options: String,
}

impl Journal {
    /// Starts the journal afresh with the rows carried over from an earlier
    /// run (written atomically, so a kill right now loses nothing).
    pub fn start(out: &Path, options: &str, carried: &[FileRow]) -> std::io::Result<Journal> {
        let path = out.join(JOURNAL);
        let mut text = Vec::new();
        for entry in carried {
            text.extend(line(options, entry));
        }
        jx_sink::atomic::write_atomic(&path, &text)?;
        let file = std::fs::OpenOptions::new().append(true).open(&path)?;
        Ok(Journal {
            file: Mutex::new(file),
            options: options.to_string(),
        })
    }

    /// Appends a finished file's row (one `write`, so a kill leaves at most
    /// one cut line, which is ignored on reading).
    pub fn append(&self, entry: &FileRow) -> std::io::Result<()> {
        let bytes = line(&self.options, entry);
        let mut f = self.file.lock().unwrap_or_else(|e| e.into_inner());
        f.write_all(&bytes)
    }

    /// Removes the journal once the manifest is written.
    pub fn finish(self, out: &Path) {
        drop(self.file);
        let _ = std::fs::remove_file(out.join(JOURNAL));
    }
}

fn line(options: &str, entry: &FileRow) -> Vec<u8> {
    let j = JournalLine {
        options: options.to_string(),
        entry: entry.clone(),
    };
    let mut v = serde_json::to_vec(&j).expect("rows serialize");
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(path: &str) -> FileRow {
        let mut r = FileRow::new(path);
        r.status = jx_model::Status::Ok;
        r.sha256 = Some("ab".into());
        r.forms = 1;
        r.outputs = vec![format!("{path}/01.json")];
        r
    }

    #[test]
    fn journal_rows_survive_a_cut_line_and_other_options_are_ignored() {
        let out = std::env::temp_dir().join(format!("jx-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        let j = Journal::start(&out, "opt1", &[row("a.pdf")]).unwrap();
        j.append(&row("b.pdf")).unwrap();
        drop(j);
        // A line cut by a kill, and a line made with other options.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(out.join(JOURNAL))
            .unwrap();
        f.write_all(&line("opt2", &row("c.pdf"))).unwrap();
        f.write_all(b"{\"options\":\"opt1\",\"entry\":{\"pa")
            .unwrap();
        let rows = previous_rows(&out, "opt1");
        assert_eq!(rows.keys().collect::<Vec<_>>(), vec!["a.pdf", "b.pdf"]);
        assert!(previous_rows(&out, "opt3").is_empty());
        std::fs::remove_dir_all(&out).unwrap();
    }
}
