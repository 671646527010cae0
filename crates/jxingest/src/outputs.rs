//! The outputs beside the JSON tree, from the command line: the SQLite
//! database (on by default) and JSON Lines. The same for a run and for
//! `merge`, so both write them through the same sinks.

use jx_sink::jsonl::JsonlTarget;
use jx_sink::{Jsonl, Sink};
use std::path::{Path, PathBuf};

/// Options of the outputs other than the JSON tree.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct OutputArgs {
    /// SQLite database of the run [default: OUT/forms.sqlite]: every
    /// manifest row and form document as tables (see schema/forms.sql). A
    /// database of another schema version is refused, never altered.
    #[arg(long, value_name = "PATH", conflicts_with = "no_db")]
    pub db: Option<PathBuf>,
    /// Write no database.
    #[arg(long)]
    pub no_db: bool,
    /// Also write every document as one compact JSON line, in manifest
    /// order, to PATH (`-` for standard output).
    #[arg(long, value_name = "PATH")]
    pub jsonl: Option<PathBuf>,
}

impl OutputArgs {
    /// The database's path, unless `--no-db`.
    pub fn db_path(&self, out: &Path) -> Option<PathBuf> {
        if self.no_db {
            return None;
        }
        Some(
            self.db
                .clone()
                .unwrap_or_else(|| out.join(jx_store::FILE_NAME)),
        )
    }
}

/// The sinks the options ask for, after the JSON tree under `out`; and why
/// any could not be opened (reported with the run's other output errors:
/// the JSON tree is written all the same, and the run exits with 1).
pub fn sinks(args: &OutputArgs, out: &Path) -> (Vec<Box<dyn Sink>>, Vec<String>) {
    let mut sinks: Vec<Box<dyn Sink>> = Vec::new();
    let mut errors = Vec::new();
    if let Some(db) = args.db_path(out) {
        match jx_store::Store::open(db) {
            Ok(store) => sinks.push(Box::new(store)),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if let Some(path) = &args.jsonl {
        sinks.push(Box::new(Jsonl::new(JsonlTarget::parse(path), out)));
    }
    (sinks, errors)
}
