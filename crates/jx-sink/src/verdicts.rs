//! `OUT/verdicts.jsonl`: the record of what people decided, one
//! [`LoggedVerdict`] per line, in the order decided.
//!
//! Append-only: a line is added with one `write` on a file opened for
//! appending, then synced to the disk before the decision is reported
//! done, and no line is ever rewritten or removed (an undo is a new
//! verdict). A line that does not read back (a write cut by a crash) is
//! reported and skipped, never dropped from the file. Runs, `--resume` and
//! `merge` read it to apply the verdicts again to what they read.

use jx_model::{FormKey, LoggedVerdict, Verdict};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The log's name under the output folder (one of the names
/// [`crate::layout::RESERVED`] keeps from input folders).
pub const FILE_NAME: &str = "verdicts.jsonl";

/// The log of one output folder.
#[derive(Debug, Clone)]
pub struct VerdictLog {
    path: PathBuf,
}

/// The verdicts read from a log, by form, in the order made; and the
/// lines that did not read.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    pub by_form: BTreeMap<FormKey, Vec<Verdict>>,
    /// Every line read, in order (to copy a log into another).
    pub lines: Vec<LoggedVerdict>,
    /// `path:line: why` of each line that did not read.
    pub unreadable: Vec<String>,
}

impl Kept {
    /// The verdicts of one form, oldest first.
    pub fn of(&self, key: &FormKey) -> &[Verdict] {
        self.by_form.get(key).map_or(&[], Vec::as_slice)
    }

    fn push(&mut self, line: LoggedVerdict) {
        self.by_form
            .entry(line.form.clone())
            .or_default()
            .push(line.verdict.clone());
        self.lines.push(line);
    }
}

impl VerdictLog {
    /// The log of output folder `out` (the file need not exist yet).
    pub fn of_output(out: &Path) -> VerdictLog {
        VerdictLog {
            path: out.join(FILE_NAME),
        }
    }

    /// A log at any path (`--verdicts OLD/verdicts.jsonl`).
    pub fn at(path: impl Into<PathBuf>) -> VerdictLog {
        VerdictLog { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every verdict in the log; a missing file is an empty log.
    pub fn read(&self) -> std::io::Result<Kept> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Kept::default()),
            Err(e) => return Err(e),
        };
        let mut kept = Kept::default();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<LoggedVerdict>(line) {
                Ok(v) => kept.push(v),
                Err(e) => kept
                    .unreadable
                    .push(format!("{}:{}: {e}", self.path.display(), n + 1)),
            }
        }
        Ok(kept)
    }

    /// Appends `lines` and syncs them to the disk: when this returns `Ok`,
    /// the decisions survive a crash.
    pub fn append(&self, lines: &[LoggedVerdict]) -> std::io::Result<()> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut bytes = Vec::new();
        for line in lines {
            serde_json::to_writer(&mut bytes, line).expect("verdicts serialize");
            bytes.push(b'\n');
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        // A log whose last line was cut by a crash gets a fresh line first,
        // so the new verdicts are not glued to the torn one.
        if needs_newline(&self.path)? {
            bytes.insert(0, b'\n');
        }
        file.write_all(&bytes)?;
        file.sync_all()
    }

    /// Appends the lines of `other` that this log does not hold yet;
    /// returns how many.
    pub fn import(&self, other: &Kept) -> std::io::Result<usize> {
        let have = self.read()?;
        let seen: HashSet<String> = have.lines.iter().map(key_of).collect();
        let new: Vec<LoggedVerdict> = other
            .lines
            .iter()
            .filter(|l| !seen.contains(&key_of(l)))
            .cloned()
            .collect();
        self.append(&new)?;
        Ok(new.len())
    }
}

fn key_of(line: &LoggedVerdict) -> String {
    serde_json::to_string(line).expect("verdicts serialize")
}

fn needs_newline(path: &Path) -> std::io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    let len = f.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    f.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    f.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn line(form_index: u32, after: &str) -> LoggedVerdict {
        LoggedVerdict {
            form: FormKey {
                sha256: "ab".into(),
                form_index,
            },
            source: "a.pdf".into(),
            verdict: Verdict {
                path: "project.name".parse().unwrap(),
                before: json!("x"),
                after: json!(after),
                by: "archivist".into(),
                at: "2026-12-06T14:00:00Z".into(),
                note: None,
            },
        }
    }

    #[test]
    fn verdicts_append_read_back_by_form_and_survive_a_torn_line() {
        let dir = std::env::temp_dir().join(format!("jx-verdicts-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = VerdictLog::of_output(&dir);
        let _ = std::fs::remove_file(log.path());
        assert!(log.read().unwrap().lines.is_empty(), "no file, no verdicts");
        log.append(&[line(1, "a"), line(2, "b")]).unwrap();
        // A crash cut the next line in half.
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(log.path())
            .unwrap();
        f.write_all(b"{\"sha256\":\"ab\",\"form_in").unwrap();
        log.append(&[line(1, "c")]).unwrap();
        let kept = log.read().unwrap();
        assert_eq!(kept.lines.len(), 3);
        assert_eq!(kept.unreadable.len(), 1, "{:?}", kept.unreadable);
        assert!(kept.unreadable[0].contains(":3:"), "{:?}", kept.unreadable);
        let key = FormKey {
            sha256: "ab".into(),
            form_index: 1,
        };
        let afters: Vec<&str> = kept
            .of(&key)
            .iter()
            .map(|v| v.after.as_str().unwrap())
            .collect();
        assert_eq!(afters, ["a", "c"]);
        // Importing a log into itself adds nothing; into another, all.
        assert_eq!(log.import(&kept).unwrap(), 0);
        let other = VerdictLog::at(dir.join("other.jsonl"));
        let _ = std::fs::remove_file(other.path());
        assert_eq!(other.import(&kept).unwrap(), 3);
        assert_eq!(other.read().unwrap().lines, kept.lines);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
