//! The manifest's rows: what became of each input file, typed.
//!
//! One [`FileRow`] per input file, whatever happened to it. Problems with a
//! file or a page (as opposed to doubts about a field, which are
//! [`crate::Diagnostic`]s inside the form documents) are [`Problem`]s: a
//! [`ProblemCode`], the page, a detail. They are formatted into the row's
//! one-line `reason` in one place, [`FileRow::summarize_reason`].

use crate::page::Extraction;
use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

/// What became of one input file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, VariantArray, IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Status {
    /// Forms found and written, every page accounted for.
    Ok,
    /// Read fine, but no form in it.
    NoForms,
    /// Damaged, read in part: what could be read was, its forms are
    /// written, and `reason` says what was lost or repaired.
    Recovered,
    /// Read, but some page shows form labels or a form's continuation and
    /// gave no form or only part of one (listed in `unmapped`); the forms
    /// found are written.
    Incomplete,
    /// Image pages that could not be read because OCR is not available.
    NeedsOcr,
    /// Image pages whose OCR failed (an image that cannot be decoded, an
    /// engine error); `reason` says which and why.
    OcrFailed,
    /// Could not be read at all; `reason` says why.
    Failed,
}

impl Status {
    /// Every status, in the order of this file (strum's `VARIANTS`).
    pub const ALL: &'static [Status] = <Status as VariantArray>::VARIANTS;

    /// The serialized name (`no_forms`), strum's, held equal to serde's by
    /// the test below.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Whether a run holding a file of this status exits with 1.
    pub fn is_trouble(self) -> bool {
        !matches!(self, Status::Ok | Status::NoForms)
    }
}

/// A row's `extraction`: how the file's text was obtained, `none` where
/// no page gave any. Serialized as its name (`#[serde(with)]` this module).
pub mod extraction {
    use crate::page::Extraction;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// The name written for `None`.
    pub const NONE: &str = "none";

    /// Every name, `Some` first (a test holds them equal to [`as_str`]'s).
    pub const NAMES: &[&str] = &["text", "ocr", "mixed", NONE];

    /// The serialized name: [`Extraction::as_str`], or `none`.
    pub fn as_str(e: Option<Extraction>) -> &'static str {
        e.map_or(NONE, Extraction::as_str)
    }

    pub fn serialize<S: Serializer>(e: &Option<Extraction>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(as_str(*e))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Extraction>, D::Error> {
        let name = String::deserialize(d)?;
        if name == NONE {
            return Ok(None);
        }
        match Extraction::ALL.iter().find(|e| e.as_str() == name) {
            Some(&e) => Ok(Some(e)),
            None => Err(D::Error::unknown_variant(&name, NAMES)),
        }
    }
}

/// What a page is, for the account of every page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PageRole {
    /// The volume's cover (its title, before the first form).
    Cover,
    /// Holds (part of) a form.
    Form,
    /// Has content, but no form (a budget table, a text page).
    Other,
    /// Nothing to read on it: no text and no table (a stray mark aside).
    Blank,
    /// Could not be read.
    Unreadable,
}

/// A page that shows form labels or a form's continuation but gave no form,
/// or only part of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unmapped {
    /// 1-based page.
    pub page: u32,
    /// Why it counts: which labels were seen, and what was missing.
    pub why: String,
}

/// The kind of a problem with a file or a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemCode {
    /// The file could not be opened as a PDF (not a PDF, empty, encrypted,
    /// no readable page, a guard refused it …).
    Unreadable,
    /// The file's input could not be read from disk.
    InputUnreadable,
    /// The cross-reference structure is damaged; objects were found by
    /// scanning the file.
    XrefDamaged,
    /// The page tree is damaged (a cycle, a missing node): pages may be
    /// missing.
    PageTreeDamaged,
    /// A page's content stream is damaged and was read only as far as it
    /// goes.
    ContentDamaged,
    /// Nothing could be read from a page.
    PageLost,
    /// A page was not read because it stopped the reader in an earlier
    /// attempt (time, memory, a crash).
    PageSkipped,
    /// An image page that needs OCR, which is not available.
    OcrUnavailable,
    /// OCR of an image page failed.
    OcrFailed,
    /// The reader stopped the file: a time or memory limit, or a crash of
    /// the worker process.
    Stopped,
    /// A panic inside the program or a dependency, caught.
    InternalError,
    /// The output could not be written.
    WriteFailed,
    /// A warning of the PDF reader (hayro): a malformed object it worked
    /// around. Listed, but the file's status does not depend on it.
    ReaderWarning,
}

impl ProblemCode {
    /// Whether the problem lost part of the file's content (and so makes it
    /// `recovered` when nothing worse happened).
    pub fn loses_content(self) -> bool {
        !matches!(self, ProblemCode::ReaderWarning)
    }

    /// Whether the outcome depends on the machine (a limit, a crash) rather
    /// than on the file, so `--resume` reads the file again.
    pub fn is_stop(self) -> bool {
        matches!(self, ProblemCode::Stopped | ProblemCode::PageSkipped)
    }
}

/// A problem with a file or one of its pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub code: ProblemCode,
    /// 1-based page, where the problem is a page's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    /// What happened, for a person (one line).
    pub detail: String,
}

impl Problem {
    pub fn file(code: ProblemCode, detail: impl Into<String>) -> Problem {
        Problem {
            code,
            page: None,
            detail: one_line(&detail.into()),
        }
    }

    pub fn page(code: ProblemCode, page: u32, detail: impl Into<String>) -> Problem {
        Problem {
            code,
            page: Some(page),
            detail: one_line(&detail.into()),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.code {
            ProblemCode::XrefDamaged => "damaged cross-reference structure (",
            ProblemCode::PageTreeDamaged => "damaged page tree (",
            ProblemCode::PageSkipped => "skipped, ",
            ProblemCode::OcrUnavailable => "OCR unavailable: ",
            ProblemCode::OcrFailed => "OCR failed: ",
            ProblemCode::Stopped => "stopped: ",
            ProblemCode::InternalError => "internal error: ",
            ProblemCode::WriteFailed => "cannot write ",
            ProblemCode::ReaderWarning => "reader warning: ",
            _ => "",
        };
        if let Some(p) = self.page {
            write!(f, "page {p}: ")?;
        }
        write!(f, "{what}{}", self.detail)?;
        match self.code {
            ProblemCode::XrefDamaged => f.write_str("); objects found by scanning the file"),
            ProblemCode::PageTreeDamaged => f.write_str(")"),
            _ => Ok(()),
        }
    }
}

/// One row of the manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileRow {
    /// Input path relative to the input root, `/`-separated.
    pub path: String,
    pub status: Status,
    /// One line saying what went wrong, formatted from `problems`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub sha256: Option<String>,
    pub forms: usize,
    pub pages: usize,
    /// How the file's text was obtained; `None` is written `none`.
    #[serde(with = "extraction")]
    pub extraction: Option<Extraction>,
    /// One entry per page: what it is.
    #[serde(default)]
    pub page_roles: Vec<PageRole>,
    /// Pages that show form labels or a continuation but gave no form, or
    /// only part of one.
    #[serde(default)]
    pub unmapped: Vec<Unmapped>,
    /// Every problem with the file or its pages, typed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<Problem>,
    /// Output files written, relative to the output folder.
    pub outputs: Vec<String>,
    /// Time spent on the file (the only field that changes between runs).
    pub milliseconds: u64,
}

/// At most this many problems in a reason; the rest are counted.
pub const MAX_REASON_PROBLEMS: usize = 12;

impl FileRow {
    /// A row for `path` before anything is known of it: `failed`.
    pub fn new(path: impl Into<String>) -> FileRow {
        FileRow {
            path: path.into(),
            status: Status::Failed,
            reason: None,
            sha256: None,
            forms: 0,
            pages: 0,
            extraction: None,
            page_roles: Vec::new(),
            unmapped: Vec::new(),
            problems: Vec::new(),
            outputs: Vec::new(),
            milliseconds: 0,
        }
    }

    /// Whether the row was decided by a limit rather than by the file.
    pub fn was_stopped(&self) -> bool {
        self.problems.iter().any(|p| p.code.is_stop())
    }

    /// Sets `reason` from `problems` (reader warnings left out): the first
    /// [`MAX_REASON_PROBLEMS`] joined by `; `, the rest counted; then the
    /// unmapped pages.
    pub fn summarize_reason(&mut self) {
        let mut notes: Vec<String> = self
            .problems
            .iter()
            .filter(|p| p.code.loses_content())
            .map(|p| p.to_string())
            .collect();
        let more = notes.len().saturating_sub(MAX_REASON_PROBLEMS);
        notes.truncate(MAX_REASON_PROBLEMS);
        if more > 0 {
            notes.push(format!("… and {more} more"));
        }
        if !self.unmapped.is_empty() {
            let pages: Vec<String> = self.unmapped.iter().map(|u| u.page.to_string()).collect();
            notes.push(format!(
                "page(s) {} show a form that was not read in full (see unmapped)",
                pages.join(", ")
            ));
        }
        self.reason = (!notes.is_empty()).then(|| notes.join("; "));
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
    pub files: Vec<FileRow>,
}

/// White space runs (newlines included) made one space.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// strum's names (`as_str`, the database and the summary) are serde's
    /// (the manifest), for every variant.
    #[test]
    fn every_status_and_mode_serializes_as_its_name() {
        for &s in Status::ALL {
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).unwrap(), s);
        }
        let mut row = FileRow::new("a.pdf");
        let modes: Vec<Option<Extraction>> = Extraction::ALL
            .iter()
            .copied()
            .map(Some)
            .chain([None])
            .collect();
        for m in modes {
            row.extraction = m;
            let json = serde_json::to_value(&row).unwrap();
            assert_eq!(json["extraction"], extraction::as_str(m));
            assert_eq!(serde_json::from_value::<FileRow>(json).unwrap(), row);
        }
        let names: Vec<&str> = Extraction::ALL
            .iter()
            .map(|&e| extraction::as_str(Some(e)))
            .chain([extraction::as_str(None)])
            .collect();
        assert_eq!(names, extraction::NAMES);
        let mut json = serde_json::to_value(&row).unwrap();
        json["extraction"] = "scanned".into();
        assert!(serde_json::from_value::<FileRow>(json).is_err());
        assert_eq!(Status::ALL.len(), 7);
    }

    #[test]
    fn reasons_are_one_line_and_bounded() {
        let mut row = FileRow::new("a.pdf");
        row.problems = (1..=20)
            .map(|i| Problem::page(ProblemCode::PageLost, i, "its content\nstream is missing"))
            .collect();
        row.problems
            .push(Problem::file(ProblemCode::ReaderWarning, "bad object 3"));
        row.summarize_reason();
        let r = row.reason.unwrap();
        assert!(!r.contains('\n'));
        assert!(
            r.starts_with("page 1: its content stream is missing; page 2:"),
            "{r}"
        );
        assert!(r.ends_with("… and 8 more"), "{r}");
        assert!(!r.contains("reader warning"));
    }

    #[test]
    fn stops_are_recognised_by_code() {
        let mut row = FileRow::new("a.pdf");
        assert!(!row.was_stopped());
        row.problems.push(Problem::page(
            ProblemCode::PageSkipped,
            2,
            "stopped: timed out",
        ));
        assert!(row.was_stopped());
    }

    #[test]
    fn problems_read_as_sentences() {
        let p = Problem::file(ProblemCode::XrefDamaged, "the file is cut short");
        assert_eq!(
            p.to_string(),
            "damaged cross-reference structure (the file is cut short); objects found by scanning the file"
        );
        let p = Problem::page(ProblemCode::OcrFailed, 3, "the image cannot be decoded");
        assert_eq!(
            p.to_string(),
            "page 3: OCR failed: the image cannot be decoded"
        );
    }
}
