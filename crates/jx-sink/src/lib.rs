//! The outputs of a run, behind one trait.
//!
//! The run pushes each finished file — its manifest row ([`FileRow`]) and
//! its form records — into [`Sink`]s, and never knows who writes what: the
//! JSON tree ([`JsonTree`], always on, the primary output the manifest's
//! `outputs` name), the SQLite database and JSONL (other modules, same
//! trait). `--resume` and `merge` feed the same sinks from rows and
//! documents read back, so no output grows a writer of its own.
//!
//! Where files go is [`layout`]'s business alone: a pure function of the
//! input's relative path, so every shard of a split run, a resumed run and
//! a merge name an input the same way. Every file is written atomically
//! ([`atomic`]).
//!
//! Out of scope: reading PDFs, deciding statuses, the manifest's journal.

pub mod atomic;
pub mod json_tree;
pub mod jsonl;
pub mod layout;
pub mod verdicts;

pub use json_tree::JsonTree;
pub use jsonl::Jsonl;
pub use verdicts::VerdictLog;

use jx_model::{FileRow, FormRecord, Manifest};
use std::path::PathBuf;

/// One finished file, as the sinks see it.
#[derive(Debug, Clone, Copy)]
pub struct FileOutput<'a> {
    /// Its manifest row, final (status, reason, outputs).
    pub row: &'a FileRow,
    /// Its forms, in the file's order (`row.forms` of them).
    pub forms: &'a [FormRecord],
    /// Carried over from an earlier run into the same output folder
    /// (`--resume`): the JSON tree already holds its documents, read back
    /// for the other sinks.
    pub carried: bool,
}

/// Where finished files go. Called from one thread: [`Sink::file`] once per
/// input file in the order files finish, then [`Sink::finish`] once with the
/// whole manifest (rows sorted by path). A sink that must write in manifest
/// order keeps what it needs until `finish`.
pub trait Sink {
    /// What and where, for messages (`SQLite database OUT/forms.sqlite`).
    fn describe(&self) -> String;

    /// One file is done.
    fn file(&mut self, file: &FileOutput<'_>) -> Result<(), SinkError>;

    /// Every file is done.
    fn finish(&mut self, manifest: &Manifest) -> Result<(), SinkError>;
}

/// Why a sink could not write.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// A file could not be written or read.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The output exists but cannot be used (another schema version, a
    /// symbolic link in the way …).
    #[error("{target}: {detail}")]
    Refused { target: String, detail: String },
    /// The output's own engine failed (a database error: locked, full,
    /// read-only …).
    #[error("{target}: {source}")]
    Backend {
        target: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl SinkError {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> SinkError {
        SinkError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Pretty JSON, UTF-8 with Chinese as characters, ending in a newline: the
/// bytes of every document and of the manifest.
pub fn to_json<T: serde::Serialize>(value: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(value).expect("records serialize");
    v.push(b'\n');
    v
}
