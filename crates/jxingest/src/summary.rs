//! The summary printed when a run ends: files by status, forms written,
//! repairs and warnings by kind, the slowest files, and where the outputs
//! are. Counted from what the run fed to its sinks ([`Tally`]) and from
//! the manifest.

use crate::verdicts::Verified;
use jx_model::{Code, FormRecord, Manifest, Status};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

/// How many of the slowest files are named.
const SLOWEST: usize = 3;

/// Repairs and warnings of the forms seen, by kind.
#[derive(Debug, Default)]
pub struct Tally {
    repairs: BTreeMap<Code, usize>,
    warnings: BTreeMap<Code, usize>,
    verified: Verified,
}

impl Tally {
    pub fn add(&mut self, forms: &[FormRecord]) {
        self.verified.add(forms);
        for f in forms {
            for r in &f.repairs {
                *self.repairs.entry(r.kind).or_default() += 1;
            }
            for w in &f.warnings {
                *self.warnings.entry(w.kind).or_default() += 1;
            }
        }
    }
}

/// Where the run wrote, for the summary's last lines.
pub struct Places<'a> {
    pub out: &'a Path,
    /// The review site's index, when one was written.
    pub review: Option<&'a Path>,
    /// The database, unless `--no-db` (named only if it exists at the end).
    pub db: Option<&'a Path>,
}

/// The summary: a first line as before (files, statuses, forms, time),
/// then one line each for repairs, warnings, the slowest files and the
/// outputs.
pub fn summary(
    m: &Manifest,
    tally: &Tally,
    carried: usize,
    places: &Places<'_>,
    took: Duration,
) -> String {
    let count = |s: Status| m.files.iter().filter(|f| f.status == s).count();
    let forms: usize = m.files.iter().map(|f| f.forms).sum();
    let resumed = if carried == 0 {
        String::new()
    } else {
        format!(" ({carried} carried over from the earlier run)")
    };
    let by_status: Vec<String> = Status::ALL
        .iter()
        .filter(|s| count(**s) > 0)
        .map(|s| format!("{} {}", count(*s), s.as_str()))
        .collect();
    let out = places.out;
    let mut lines = vec![format!(
        "jxingest: {} file(s){resumed}: {}; {} form(s) written to {} in {:.1} s",
        m.files.len(),
        if by_status.is_empty() {
            "none".to_string()
        } else {
            by_status.join(", ")
        },
        forms,
        out.display(),
        took.as_secs_f64()
    )];
    lines.push(format!("  repairs:  {}", by_kind(&tally.repairs)));
    lines.push(format!("  warnings: {}", by_kind(&tally.warnings)));
    let v = &tally.verified;
    lines.push(format!(
        "  verified: {} form(s) verified, {} partly, {} unverified; {} doubt(s) left to settle",
        v.verified, v.partly, v.unverified, v.doubts_left
    ));
    let mut slow: Vec<_> = m.files.iter().filter(|f| f.milliseconds > 0).collect();
    slow.sort_by(|a, b| {
        b.milliseconds
            .cmp(&a.milliseconds)
            .then(a.path.cmp(&b.path))
    });
    if !slow.is_empty() {
        let named: Vec<String> = slow
            .iter()
            .take(SLOWEST)
            .map(|f| format!("{} {:.1} s", f.path, f.milliseconds as f64 / 1000.0))
            .collect();
        lines.push(format!("  slowest:  {}", named.join(", ")));
    }
    lines.push(format!("  output:   {}", out.display()));
    lines.push(format!(
        "  manifest: {}",
        out.join(jx_sink::layout::RESERVED[0]).display()
    ));
    if let Some(db) = places.db.filter(|d| d.is_file()) {
        lines.push(format!("  database: {}", db.display()));
    }
    if let Some(r) = places.review {
        lines.push(format!("  review:   {}", r.display()));
    }
    lines.join("\n")
}

fn by_kind(counts: &BTreeMap<Code, usize>) -> String {
    let total: usize = counts.values().sum();
    if total == 0 {
        return "none".into();
    }
    let mut kinds: Vec<(&Code, &usize)> = counts.iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let parts: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    format!("{total} ({})", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::{Diagnostic, FileRow};

    #[test]
    fn kinds_are_counted_most_first() {
        let mut t = Tally::default();
        t.repairs.insert(Code::LevelRestored, 2);
        t.repairs.insert(Code::DuplicateGlyphs, 5);
        assert_eq!(
            by_kind(&t.repairs),
            "7 (duplicate_glyphs 5, level_restored 2)"
        );
        assert_eq!(by_kind(&t.warnings), "none");
    }

    #[test]
    fn the_summary_names_statuses_kinds_slowest_and_places() {
        let mut rows = Vec::new();
        for (p, ms, status) in [("a.pdf", 100, Status::Ok), ("b.pdf", 3000, Status::Failed)] {
            let mut r = FileRow::new(p);
            r.milliseconds = ms;
            r.status = status;
            rows.push(r);
        }
        let m = Manifest {
            tool: "jxingest".into(),
            version: "0".into(),
            options: Default::default(),
            files: rows,
        };
        let mut t = Tally::default();
        let mut d = jx_model::Diagnostics::default();
        d.push(Diagnostic::new(
            Code::MissingField,
            jx_model::FieldPath::of(&["project", "name"]),
            "x",
        ));
        t.warnings.insert(d.warnings[0].kind, 1);
        let out = Path::new("/nonexistent/out");
        let s = summary(
            &m,
            &t,
            0,
            &Places {
                out,
                review: Some(Path::new("/nonexistent/out/review/index.html")),
                db: Some(Path::new("/nonexistent/out/forms.sqlite")),
            },
            Duration::from_secs(2),
        );
        assert!(
            s.starts_with("jxingest: 2 file(s): 1 ok, 1 failed; 0 form(s) written"),
            "{s}"
        );
        assert!(s.contains("warnings: 1 (missing_field 1)"), "{s}");
        assert!(s.contains("slowest:  b.pdf 3.0 s, a.pdf 0.1 s"), "{s}");
        assert!(
            s.contains("manifest: /nonexistent/out/manifest.json"),
            "{s}"
        );
        assert!(!s.contains("database"), "{s}");
        assert!(
            s.contains("review:   /nonexistent/out/review/index.html"),
            "{s}"
        );
    }
}
