//! The run's side of people's verdicts: the log of the output folder
//! (with `--verdicts OLD` brought in first) is read once at the start, and
//! each form read is given the verdicts made on it before it is written
//! ([`jx_form::verdict::reapply`]: applied where the field still holds the
//! reading the person saw, reported `verdict_stale` where not).

use anyhow::{Context, Result};
use jx_form::verdict;
use jx_model::{Code, FileRow, FormKey, FormRecord, Verdict, Verification};
use jx_sink::verdicts::{Kept, VerdictLog};
use std::path::Path;

/// Reads `out`'s log, after appending to it the lines of `import` it does
/// not hold. Lines that do not read are said on stderr (they stay in the
/// file).
pub fn load(out: &Path, import: Option<&Path>) -> Result<Kept> {
    let log = VerdictLog::of_output(out);
    if let Some(from) = import {
        let other = VerdictLog::at(from);
        let theirs = other
            .read()
            .with_context(|| format!("cannot read verdicts {}", from.display()))?;
        warn_unreadable(&theirs);
        let added = log
            .import(&theirs)
            .with_context(|| format!("cannot write verdicts {}", log.path().display()))?;
        if added > 0 {
            eprintln!(
                "jxingest: {added} verdict(s) brought in from {} into {}",
                from.display(),
                log.path().display()
            );
        }
    }
    let kept = log
        .read()
        .with_context(|| format!("cannot read verdicts {}", log.path().display()))?;
    warn_unreadable(&kept);
    Ok(kept)
}

fn warn_unreadable(kept: &Kept) {
    for line in &kept.unreadable {
        eprintln!(
            "jxingest: warning: a verdict does not read and is skipped (kept in the file): {line}"
        );
    }
}

fn key_of(form: &FormRecord) -> FormKey {
    FormKey {
        sha256: form.source.sha256.clone(),
        form_index: form.source.form_index,
    }
}

/// Applies the kept verdicts to forms just read (machine readings only).
pub fn reapply(kept: &Kept, forms: &mut [FormRecord]) {
    for form in forms.iter_mut() {
        let list = kept.of(&key_of(form));
        if !list.is_empty() && form.verdicts.is_empty() {
            verdict::reapply(form, list);
        }
    }
}

/// Whether a row carried over by `--resume` lacks verdicts the log holds
/// (brought in by `--verdicts`, or made while its documents were not
/// rewritten): then the file is read again rather than carried.
pub fn pending(kept: &Kept, row: &FileRow, out: &Path) -> bool {
    let Some(sha256) = &row.sha256 else {
        return false;
    };
    (1..=row.forms as u32).any(|form_index| {
        let list = kept.of(&FormKey {
            sha256: sha256.clone(),
            form_index,
        });
        if list.is_empty() {
            return false;
        }
        let doc = row
            .outputs
            .get(form_index as usize - 1)
            .and_then(|o| std::fs::read(out.join(o)).ok())
            .and_then(|b| serde_json::from_slice::<FormRecord>(&b).ok());
        doc.is_none_or(|doc| list.iter().any(|v| !accounted(&doc, v)))
    })
}

/// A verdict is in a document when it was applied (listed) or reported
/// stale (a warning with its path, before and after).
fn accounted(doc: &FormRecord, v: &Verdict) -> bool {
    doc.verdicts.contains(v)
        || doc.warnings.iter().any(|w| {
            w.kind == Code::VerdictStale
                && w.path == v.path
                && w.before.as_deref() == Some(v.before.to_string().as_str())
                && w.after.as_deref() == Some(v.after.to_string().as_str())
        })
}

/// Forms by verification state, and the doubts left, for the summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Verified {
    pub unverified: usize,
    pub partly: usize,
    pub verified: usize,
    pub doubts_left: usize,
}

impl Verified {
    pub fn add(&mut self, forms: &[FormRecord]) {
        for f in forms {
            match f.verification.unwrap_or(Verification::Unverified) {
                Verification::Unverified => self.unverified += 1,
                Verification::Partly => self.partly += 1,
                Verification::Verified => self.verified += 1,
            }
            self.doubts_left += verdict::doubts_left(f).len();
        }
    }
}
