//! The verdict desk's state: the finished run's manifest and documents,
//! and the one way a verdict changes them — checked by the form layer's
//! grammar ([`jx_form::verdict`]), appended and synced to
//! `OUT/verdicts.jsonl`, then written to the form's JSON document
//! (atomically) and to the database, in that order, so a crash at any
//! point leaves the decision in the log, from which the next run applies
//! it again.

use jx_form::verdict::{self, Refusal};
use jx_model::{FieldPath, FileRow, FormKey, FormRecord, LoggedVerdict, Manifest, Verdict};
use jx_sink::VerdictLog;
use jx_sink::atomic::write_atomic;
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// Why a request was not done: said to the person.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("{0}")]
    Refused(#[from] Refusal),
    #[error("no form {form} in file {file}")]
    NoSuchForm { file: String, form: u32 },
    #[error("{0}")]
    BadRequest(String),
    /// The database could not be written (the log and the document hold
    /// the verdict already).
    #[error("{0}")]
    Database(String),
    /// The database could not be opened, or is not ours.
    #[error("{0}")]
    Store(#[from] jx_store::StoreError),
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

/// A person's decision as the page sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The input's relative path (as the manifest names it).
    pub file: String,
    pub form: u32,
    pub path: String,
    pub before: Value,
    pub after: Value,
    /// Apply to every form of the file whose field holds the same reading.
    #[serde(default)]
    pub group: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// The finished run the desk works on.
pub struct Desk {
    out: PathBuf,
    db: Option<PathBuf>,
    manifest: Manifest,
    log: VerdictLog,
    /// Who decides (`--by`).
    by: String,
    /// Where the inputs are, and who draws a page the run did not.
    drawer: Option<(
        PathBuf,
        std::cell::RefCell<Box<dyn jx_review::PageRenderer>>,
    )>,
}

impl Desk {
    /// Opens the run in `out` (its manifest must be there).
    pub fn open(out: &Path, db: Option<PathBuf>, by: String) -> Result<Desk, DeskError> {
        let path = out.join(jx_sink::layout::RESERVED[0]);
        let bytes = std::fs::read(&path).map_err(|source| DeskError::Io {
            what: format!(
                "cannot read {} (is this a finished run's output?)",
                path.display()
            ),
            source,
        })?;
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            DeskError::BadRequest(format!("{} is not a manifest: {e}", path.display()))
        })?;
        Ok(Desk {
            out: out.to_path_buf(),
            db,
            manifest,
            log: VerdictLog::of_output(out),
            by,
            drawer: None,
        })
    }

    /// Pages the run did not draw are drawn from `input` by `renderer`
    /// when first shown.
    pub fn draw_missing_pages(
        &mut self,
        input: PathBuf,
        renderer: Box<dyn jx_review::PageRenderer>,
    ) {
        self.drawer = Some((input, std::cell::RefCell::new(renderer)));
    }

    pub fn row(&self, file: &str) -> Result<&FileRow, DeskError> {
        self.manifest
            .files
            .iter()
            .find(|r| r.path == file)
            .ok_or_else(|| DeskError::NoSuchForm {
                file: file.to_string(),
                form: 0,
            })
    }

    /// The documents of a file, in order.
    pub fn forms(&self, file: &str) -> Result<Vec<FormRecord>, DeskError> {
        let row = self.row(file)?;
        row.outputs
            .iter()
            .map(|o| {
                let p = self.out.join(o);
                let bytes = std::fs::read(&p).map_err(|source| DeskError::Io {
                    what: format!("cannot read {}", p.display()),
                    source,
                })?;
                serde_json::from_slice(&bytes).map_err(|e| {
                    DeskError::BadRequest(format!("{} does not read: {e}", p.display()))
                })
            })
            .collect()
    }

    /// Settles one field (and, with `group`, the same reading on the
    /// file's other forms); returns the form indexes changed.
    pub fn decide(&self, d: &Decision, at: &str) -> Result<Vec<u32>, DeskError> {
        let path: FieldPath = d
            .path
            .parse()
            .map_err(|e: jx_model::BadPath| DeskError::BadRequest(e.to_string()))?;
        let note = d.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        if note.is_some_and(|n| n.chars().count() > verdict::MAX_VALUE_CHARS) {
            return Err(DeskError::BadRequest("the note is too long".into()));
        }
        let mut forms = self.forms(&d.file)?;
        let targets = self.targets(&forms, d, &path)?;
        let mut lines = Vec::new();
        for &i in &targets {
            let form = &mut forms[i];
            let mut v = Verdict {
                path: path.clone(),
                before: d.before.clone(),
                after: d.after.clone(),
                by: self.by.clone(),
                at: at.to_string(),
                note: note.map(str::to_string),
            };
            verdict::apply(form, &mut v)?;
            lines.push(self.logged(form, v.clone()));
            form.verdicts.push(v);
            form.verification = verdict::verification(form);
        }
        self.commit(&d.file, &forms, &targets, &lines)?;
        Ok(targets
            .iter()
            .map(|&i| forms[i].source.form_index)
            .collect())
    }

    /// Takes back the form's last verdict.
    pub fn undo(&self, file: &str, form: u32, at: &str) -> Result<(), DeskError> {
        let mut forms = self.forms(file)?;
        let i = index_of(&forms, file, form)?;
        let undo = verdict::undo_of(&forms[i], &self.by, at)
            .ok_or_else(|| DeskError::BadRequest("nothing to undo on this form".into()))?;
        verdict::apply_undo(&mut forms[i], &undo)?;
        forms[i].verification = verdict::verification(&forms[i]);
        let line = self.logged(&forms[i], undo);
        self.commit(file, &forms, &[i], &[line])
    }

    /// The forms a decision applies to: its own, and with `group` every
    /// other form of the file whose field holds the same reading.
    fn targets(
        &self,
        forms: &[FormRecord],
        d: &Decision,
        path: &FieldPath,
    ) -> Result<Vec<usize>, DeskError> {
        let own = index_of(forms, &d.file, d.form)?;
        if !d.group {
            return Ok(vec![own]);
        }
        Ok((0..forms.len())
            .filter(|&i| i == own || same_reading(&forms[i], path, &d.before))
            .collect())
    }

    fn logged(&self, form: &FormRecord, verdict: Verdict) -> LoggedVerdict {
        LoggedVerdict {
            form: FormKey {
                sha256: form.source.sha256.clone(),
                form_index: form.source.form_index,
            },
            source: form.source.path.clone(),
            verdict,
        }
    }

    /// Log first (synced), then the documents that changed (`changed`:
    /// their positions in `forms`), then the database (the file's rows are
    /// replaced whole, so it is given every form).
    fn commit(
        &self,
        file: &str,
        forms: &[FormRecord],
        changed: &[usize],
        lines: &[LoggedVerdict],
    ) -> Result<(), DeskError> {
        self.log.append(lines).map_err(|source| DeskError::Io {
            what: format!("cannot write {}", self.log.path().display()),
            source,
        })?;
        let row = self.row(file)?;
        for &i in changed {
            let p = self.out.join(&row.outputs[i]);
            write_atomic(&p, &jx_sink::to_json(&forms[i])).map_err(|source| DeskError::Io {
                what: format!("cannot write {}", p.display()),
                source,
            })?;
        }
        if let Some(db) = self.db.as_ref().filter(|p| p.is_file()) {
            let mut store = jx_store::Store::open(db)?;
            store
                .write_file(row, forms)
                .map_err(|e| DeskError::Database(format!("cannot write {}: {e}", db.display())))?;
        }
        Ok(())
    }

    /// What the verdict page shows of one form: the document, its doubts
    /// (in the numbering of its rows now), the rows' origins, the page
    /// images, and which fields other forms of the file read the same.
    pub fn form_view(&self, file: &str, form: u32) -> Result<Value, DeskError> {
        let forms = self.forms(file)?;
        let i = index_of(&forms, file, form)?;
        let f = &forms[i];
        let origins = verdict::row_origins(f);
        let left = verdict::doubts_left(f);
        let doubts: Vec<Value> = f
            .warnings
            .iter()
            .filter_map(|w| {
                let machine = &w.path;
                let shown = now_path(machine, &origins)?;
                Some(json!({
                    "path": shown.to_string(),
                    "kind": w.kind,
                    "detail": w.detail,
                    "settled": !left.contains(machine),
                }))
            })
            .collect();
        let images: Vec<Value> = f
            .source
            .pages
            .iter()
            .map(|&p| {
                let drawn = self.image_path(file, p).is_file();
                json!({"page": p, "available": drawn || self.drawer.is_some()})
            })
            .collect();
        Ok(json!({
            "file": file,
            "form": form,
            "forms": forms.iter().map(|f| f.source.form_index).collect::<Vec<_>>(),
            "document": f,
            "doubts": doubts,
            "rows": origins,
            "images": images,
            "dpi": jx_review::DPI,
            "groups": groups(&forms, i),
        }))
    }

    /// Every file and form with its verification state and doubts left.
    pub fn index_view(&self) -> Value {
        let mut counts = crate::verdicts::Verified::default();
        let files: Vec<Value> = self
            .manifest
            .files
            .iter()
            .map(|row| {
                let forms = self.forms(&row.path).unwrap_or_default();
                counts.add(&forms);
                json!({
                    "file": row.path,
                    "status": row.status.as_str(),
                    "forms": forms.iter().map(|f| json!({
                        "form": f.source.form_index,
                        "project": f.project.name,
                        "verification": f.verification.unwrap_or(jx_model::Verification::Unverified).as_str(),
                        "doubts_left": verdict::doubts_left(f).len(),
                        "warnings": f.warnings.len(),
                        "verdicts": f.verdicts.len(),
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "files": files,
            "verified": counts.verified,
            "partly": counts.partly,
            "unverified": counts.unverified,
            "doubts_left": counts.doubts_left,
        })
    }

    /// Where the site keeps the image of `file`'s page `page`.
    fn image_path(&self, file: &str, page: u32) -> PathBuf {
        self.out
            .join(jx_review::DIR)
            .join(jx_review::page_image(file, page))
    }

    /// The page image file of `file`'s page `page`: the run's, or drawn
    /// now (with `--input`); why not, where there is none.
    pub fn image(&self, file: &str, page: u32) -> Result<PathBuf, DeskError> {
        let row = self.row(file)?;
        let path = self.image_path(file, page);
        if path.is_file() {
            return Ok(path);
        }
        let no_image = |why: String| {
            DeskError::BadRequest(format!("no image of page {page} of {file}: {why}"))
        };
        let Some((input, renderer)) = &self.drawer else {
            return Err(no_image(
                "run with --review all, or give jxingest review --input".into(),
            ));
        };
        if page == 0 || page as usize > row.pages {
            return Err(no_image("no such page".into()));
        }
        let source = input.join(file);
        let job = jx_review::RenderJob {
            path: &source,
            sha256: row.sha256.as_deref(),
            pages: &[page],
            dpi: jx_review::DPI,
        };
        let drawn = renderer.borrow_mut().render(&job).remove(&page);
        let image = match drawn {
            Some(Ok(image)) => image,
            Some(Err(why)) => return Err(no_image(why)),
            None => return Err(no_image("the renderer gave nothing".into())),
        };
        write_atomic(&path, &image.png).map_err(|source| DeskError::Io {
            what: format!("cannot write {}", path.display()),
            source,
        })?;
        Ok(path)
    }
}

fn index_of(forms: &[FormRecord], file: &str, form: u32) -> Result<usize, DeskError> {
    forms
        .iter()
        .position(|f| f.source.form_index == form)
        .ok_or_else(|| DeskError::NoSuchForm {
            file: file.to_string(),
            form,
        })
}

/// A machine path in the numbering of the rows now (`None`: its row was
/// removed).
fn now_path(machine: &FieldPath, origins: &[Option<usize>]) -> Option<FieldPath> {
    match machine.indicator_row() {
        Some((row, _)) => origins
            .iter()
            .position(|o| *o == Some(row))
            .map(|now| machine.with_indicator_row(now)),
        None => Some(machine.clone()),
    }
}

fn same_reading(form: &FormRecord, path: &FieldPath, before: &Value) -> bool {
    path.indicator_row().is_none()
        && !path.is_root()
        && verdict::reading(form, path).is_ok_and(|r| r == *before)
}

/// The fields (outside the indicator table) of form `i` whose reading other
/// forms of the file share: path → those forms' indexes.
fn groups(forms: &[FormRecord], i: usize) -> Value {
    let fields: [&[&str]; 8] = [
        &["document_title"],
        &["year"],
        &["project", "nature"],
        &["project", "category"],
        &["project", "department"],
        &["project", "implementer"],
        &["project", "start_date"],
        &["project", "end_date"],
    ];
    let mut out = serde_json::Map::new();
    for keys in fields {
        let path = FieldPath::of(keys);
        let Ok(mine) = verdict::reading(&forms[i], &path) else {
            continue;
        };
        if mine.is_null() {
            continue;
        }
        let others: Vec<u32> = forms
            .iter()
            .enumerate()
            .filter(|&(j, f)| j != i && same_reading(f, &path, &mine))
            .map(|(_, f)| f.source.form_index)
            .collect();
        if !others.is_empty() {
            out.insert(path.to_string(), json!(others));
        }
    }
    Value::Object(out)
}
