//! `OUT/manifest.json`: one row per input file saying what happened to it.

use serde::{Deserialize, Serialize};

/// What became of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Forms found and written.
    Ok,
    /// Read fine, but no form in it.
    NoForms,
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

/// The whole manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub tool: String,
    pub version: String,
    pub files: Vec<FileEntry>,
}
