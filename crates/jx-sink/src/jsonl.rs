//! JSON Lines (`--jsonl PATH`, `-` for standard output): every form
//! document once, one compact line each, in manifest order (rows sorted by
//! path, forms in their file's order), for tools that stream (`jq`,
//! `duckdb read_json`, a search index).
//!
//! Files finish in any order, so nothing is written before
//! [`Sink::finish`]: then the documents are read back from the JSON tree
//! (which holds every file's documents by then, carried-over ones
//! included), so the sink keeps no document in memory. A file is written to
//! a temporary file beside it and renamed, so a reader never sees half a
//! run; standard output is written as it goes.

use crate::{FileOutput, Sink, SinkError};
use jx_model::Manifest;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Where the lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonlTarget {
    Stdout,
    File(PathBuf),
}

impl JsonlTarget {
    /// `-` is standard output, anything else a file.
    pub fn parse(arg: &Path) -> JsonlTarget {
        if arg == Path::new("-") {
            JsonlTarget::Stdout
        } else {
            JsonlTarget::File(arg.to_path_buf())
        }
    }
}

/// The JSONL sink: reads the documents back from the JSON tree under
/// `tree` at finish.
pub struct Jsonl {
    target: JsonlTarget,
    tree: PathBuf,
}

impl Jsonl {
    pub fn new(target: JsonlTarget, tree: impl Into<PathBuf>) -> Jsonl {
        Jsonl {
            target,
            tree: tree.into(),
        }
    }

    /// Writes every document of `manifest` to `w`, one compact line each.
    fn write_all(&self, manifest: &Manifest, w: &mut dyn Write) -> Result<(), SinkError> {
        for row in &manifest.files {
            for rel in &row.outputs {
                let path = self.tree.join(rel);
                let bytes = std::fs::read(&path).map_err(|e| SinkError::io(&path, e))?;
                let doc: serde_json::Value =
                    serde_json::from_slice(&bytes).map_err(|e| SinkError::Refused {
                        target: path.display().to_string(),
                        detail: format!("not a JSON document: {e}"),
                    })?;
                let mut line = serde_json::to_vec(&doc).expect("a value serializes");
                line.push(b'\n');
                w.write_all(&line).map_err(|e| self.io_error(e))?;
            }
        }
        Ok(())
    }

    fn io_error(&self, e: std::io::Error) -> SinkError {
        match &self.target {
            JsonlTarget::Stdout => SinkError::io("standard output", e),
            JsonlTarget::File(p) => SinkError::io(p, e),
        }
    }
}

impl Sink for Jsonl {
    fn describe(&self) -> String {
        match &self.target {
            JsonlTarget::Stdout => "JSON Lines on standard output".into(),
            JsonlTarget::File(p) => format!("JSON Lines file {}", p.display()),
        }
    }

    /// Nothing yet: the lines are written in manifest order at finish.
    fn file(&mut self, _file: &FileOutput<'_>) -> Result<(), SinkError> {
        Ok(())
    }

    fn finish(&mut self, manifest: &Manifest) -> Result<(), SinkError> {
        match &self.target {
            JsonlTarget::Stdout => {
                let stdout = std::io::stdout();
                let mut w = std::io::BufWriter::new(stdout.lock());
                self.write_all(manifest, &mut w)?;
                w.flush().map_err(|e| self.io_error(e))
            }
            JsonlTarget::File(path) => {
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
                let result = (|| {
                    let f = std::fs::File::create(&tmp).map_err(|e| SinkError::io(&tmp, e))?;
                    let mut w = std::io::BufWriter::new(f);
                    self.write_all(manifest, &mut w)?;
                    let f = w
                        .into_inner()
                        .map_err(|e| SinkError::io(&tmp, e.into_error()))?;
                    f.sync_all().map_err(|e| SinkError::io(&tmp, e))?;
                    std::fs::rename(&tmp, path).map_err(|e| SinkError::io(path, e))
                })();
                if result.is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
                result
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{JsonTree, layout};
    use jx_model::{FileRow, Status};

    #[test]
    fn lines_follow_the_manifest_not_the_finishing_order() {
        let out = std::env::temp_dir().join(format!("jx-jsonl-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        std::fs::create_dir_all(&out).unwrap();
        // Two "files" whose documents are written by the JSON tree, b first.
        let mut tree = JsonTree::new(&out);
        let mut rows = Vec::new();
        for (name, n) in [("b.pdf", 1), ("a.pdf", 2)] {
            let mut row = FileRow::new(name);
            row.status = Status::Ok;
            row.forms = n;
            row.outputs = layout::form_files(name, n);
            for (i, rel) in row.outputs.iter().enumerate() {
                let doc = serde_json::json!({"path": name, "form_index": i + 1, "t": "税 \"x\""});
                crate::atomic::write_atomic(&out.join(rel), &crate::to_json(&doc)).unwrap();
            }
            rows.push(row);
        }
        rows.sort_by(|a, b| a.path.cmp(&b.path));
        let manifest = Manifest {
            tool: "jxingest".into(),
            version: "0".into(),
            options: "x".into(),
            files: rows,
        };
        tree.finish(&manifest).unwrap();
        let target = out.join("all.jsonl");
        let mut sink = Jsonl::new(JsonlTarget::File(target.clone()), &out);
        sink.finish(&manifest).unwrap();
        let text = std::fs::read_to_string(&target).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let order: Vec<(String, u64)> = lines
            .iter()
            .map(|v| {
                (
                    v["path"].as_str().unwrap().to_string(),
                    v["form_index"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            order,
            [
                ("a.pdf".into(), 1),
                ("a.pdf".into(), 2),
                ("b.pdf".into(), 1)
            ]
        );
        assert_eq!(lines[0]["t"], "税 \"x\"");
        // No temporary file is left beside the output.
        let names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "{names:?}");
        std::fs::remove_dir_all(&out).unwrap();
    }
}
