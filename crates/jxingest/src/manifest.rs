//! `OUT/manifest.json`: one row per input file saying what happened to it,
//! and the journal (`OUT/manifest.journal.jsonl`) that makes a run
//! resumable: a row is appended as soon as a file's outputs are on disk, so a
//! run killed half way can be taken up with `--resume`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// The journal's file name under the output folder; removed when the run
/// completes and `manifest.json` is written.
pub const JOURNAL: &str = "manifest.journal.jsonl";
/// The manifest's file name under the output folder.
pub const MANIFEST: &str = "manifest.json";
/// Reasons of rows stopped by a limit (time, memory, a crash of the worker)
/// start with this: such rows are tried again by `--resume`, since the
/// outcome can depend on the machine and its load.
pub const STOPPED: &str = "stopped: ";

/// What became of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Forms found and written.
    Ok,
    /// Read fine, but no form in it.
    NoForms,
    /// Damaged, read in part: what could be read was, its forms are
    /// written, and `reason` says what was lost or repaired.
    Recovered,
    /// Pages without a text layer that could not be read (OCR unavailable).
    NeedsOcr,
    /// Could not be read at all; `reason` says why.
    Failed,
}

/// How the file's text was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Text,
    Ocr,
    Mixed,
    None,
}

/// One row of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub sha256: Option<String>,
    pub forms: usize,
    pub pages: usize,
    pub extraction: Mode,
    /// Output files written, relative to the output folder.
    pub outputs: Vec<String>,
    pub milliseconds: u64,
}

impl FileEntry {
    /// Whether the row was decided by a limit rather than by the file.
    pub fn was_stopped(&self) -> bool {
        self.reason.as_deref().is_some_and(|r| r.contains(STOPPED))
    }
}

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    /// Fingerprint of the version and options the rows were made with.
    #[serde(default)]
    pub options: String,
    /// Rows sorted by path.
    pub files: Vec<FileEntry>,
}

/// One line of the journal.
#[derive(Debug, Serialize, Deserialize)]
struct JournalLine {
    options: String,
    entry: FileEntry,
}

/// The rows of an earlier run into `out` made with the same options, by
/// path: the manifest's, then the journal's (later rows win). Unreadable
/// files and lines (a line cut by a kill) are ignored.
pub fn previous_rows(out: &Path, options: &str) -> BTreeMap<String, FileEntry> {
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
    pub fn start(out: &Path, options: &str, carried: &[FileEntry]) -> std::io::Result<Journal> {
        let path = out.join(JOURNAL);
        let mut text = Vec::new();
        for entry in carried {
            text.extend(line(options, entry));
        }
        crate::output::write_atomic(&path, &text)?;
        let file = std::fs::OpenOptions::new().append(true).open(&path)?;
        Ok(Journal {
            file: Mutex::new(file),
            options: options.to_string(),
        })
    }

    /// Appends a finished file's row (one `write`, so a kill leaves at most
    /// one cut line, which is ignored on reading).
    pub fn append(&self, entry: &FileEntry) -> std::io::Result<()> {
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

fn line(options: &str, entry: &FileEntry) -> Vec<u8> {
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

    fn row(path: &str, reason: Option<&str>) -> FileEntry {
        FileEntry {
            path: path.into(),
            status: Status::Ok,
            reason: reason.map(Into::into),
            sha256: Some("ab".into()),
            forms: 1,
            pages: 1,
            extraction: Mode::Text,
            outputs: vec![format!("{path}/01.json")],
            milliseconds: 3,
        }
    }

    #[test]
    fn journal_rows_survive_a_cut_line_and_other_options_are_ignored() {
        let out = std::env::temp_dir().join(format!("jx-journal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        let j = Journal::start(&out, "opt1", &[row("a.pdf", None)]).unwrap();
        j.append(&row("b.pdf", None)).unwrap();
        drop(j);
        // A line cut by a kill, and a line made with other options.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(out.join(JOURNAL))
            .unwrap();
        f.write_all(&line("opt2", &row("c.pdf", None))).unwrap();
        f.write_all(b"{\"options\":\"opt1\",\"entry\":{\"pa")
            .unwrap();
        let rows = previous_rows(&out, "opt1");
        assert_eq!(rows.keys().collect::<Vec<_>>(), vec!["a.pdf", "b.pdf"]);
        assert!(previous_rows(&out, "opt3").is_empty());
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn stopped_rows_are_recognised() {
        assert!(row("a", Some("stopped: timed out")).was_stopped());
        assert!(row("a", Some("page 2: skipped, stopped: timed out")).was_stopped());
        assert!(!row("a", Some("not a PDF file")).was_stopped());
    }
}
