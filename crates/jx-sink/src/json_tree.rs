//! The primary output: one pretty JSON document per form at the path
//! [`crate::layout`] gives, written atomically. The manifest's `outputs`
//! name these files.

use crate::atomic::{dir_under, remove_stale_forms, write_atomic};
use crate::{FileOutput, Sink, SinkError, to_json};
use jx_model::{Manifest, Status};
use std::path::{Path, PathBuf};

/// The JSON tree under an output folder.
pub struct JsonTree {
    out: PathBuf,
}

impl JsonTree {
    pub fn new(out: impl Into<PathBuf>) -> JsonTree {
        JsonTree { out: out.into() }
    }

    pub fn root(&self) -> &Path {
        &self.out
    }
}

impl Sink for JsonTree {
    fn describe(&self) -> String {
        format!("JSON documents under {}", self.out.display())
    }

    /// Writes the forms to `row.outputs` (one path per form, from
    /// [`crate::layout::form_files`]), and removes documents of an earlier
    /// run beyond them. A carried-over file is already there.
    fn file(&mut self, file: &FileOutput<'_>) -> Result<(), SinkError> {
        if file.carried {
            return Ok(());
        }
        let row = file.row;
        debug_assert_eq!(row.outputs.len(), file.forms.len());
        let dir = self.out.join(crate::layout::form_dir(&row.path));
        let exists = dir_under(&self.out, &dir, !file.forms.is_empty())
            .map_err(|e| SinkError::io(&dir, e))?;
        for (rel, form) in row.outputs.iter().zip(file.forms) {
            let path = self.out.join(rel);
            write_atomic(&path, &to_json(form)).map_err(|e| SinkError::io(&path, e))?;
        }
        // A file read again (not stopped by a limit) replaces what an earlier
        // run wrote of it; a failed read leaves it alone.
        if exists && row.status != Status::Failed {
            remove_stale_forms(&dir, file.forms.len()).map_err(|e| SinkError::io(&dir, e))?;
        }
        Ok(())
    }

    fn finish(&mut self, manifest: &Manifest) -> Result<(), SinkError> {
        let path = self.out.join(crate::layout::RESERVED[0]);
        write_atomic(&path, &to_json(manifest)).map_err(|e| SinkError::io(&path, e))
    }
}
