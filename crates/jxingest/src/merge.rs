//! `jxingest merge OUT1 OUT2 … --out OUT`: joins the outputs of a run split
//! with `--shard K/N` (or of any runs over disjoint inputs made with the
//! same options) into one output, equal to a single run's (rows'
//! `milliseconds` aside): the form files copied, the manifest's rows joined
//! and sorted by path, and the database and JSONL written through the same
//! sinks as a run (rows fed as carried over, documents read back).
//!
//! Refused, before anything is written: an input without a finished
//! manifest, inputs made with other options (fingerprints differ, the shard
//! aside), or the same path in two inputs with different rows.

use crate::manifest::{JOURNAL, MANIFEST};
use crate::outputs::{self, OutputArgs};
use crate::walk::{self, Shard};
use anyhow::{Context, Result, bail};
use clap::Parser;
use jx_model::{FileRow, FormRecord, Manifest, Status};
use jx_sink::atomic::{dir_under, remove_leftover_temps, remove_stale_forms, write_atomic};
use jx_sink::{FileOutput, JsonTree, Sink, layout};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Join the outputs of shards (`jxingest DIR --shard K/N --out OUT_K`) into
/// one output folder, manifest and database, as one run over DIR would
/// have written them.
///
/// Exit status: as a run's (0; 1 when a file's status is trouble or an
/// output could not be written); 2 when the inputs cannot be merged.
#[derive(Parser, Debug)]
#[command(
    name = "jxingest merge",
    bin_name = "jxingest merge",
    version,
    about,
    long_about
)]
pub struct MergeArgs {
    /// Output folders of the shards, each with its manifest.json.
    #[arg(required = true, value_name = "OUT_K")]
    pub inputs: Vec<PathBuf>,
    /// The merged output folder (created if missing; not one of the inputs).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub outputs: OutputArgs,
}

/// `jxingest merge …` as a program: the exit status.
pub fn merge_main() -> i32 {
    // "merge" stands where clap expects the program's name.
    let args = MergeArgs::parse_from(std::env::args_os().skip(1));
    match merge(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("jxingest merge: error: {e:#}");
            2
        }
    }
}

/// One input's manifest and where it is.
struct Part {
    dir: PathBuf,
    manifest: Manifest,
}

/// Merges; the exit status (0 or 1).
pub fn merge(args: &MergeArgs) -> Result<i32> {
    let parts: Vec<Part> = args
        .inputs
        .iter()
        .map(|d| read_part(d))
        .collect::<Result<_>>()?;
    let (tool, version, options) = common_options(&parts)?;
    let rows = join_rows(&parts)?;
    note_missing_shards(&parts, args.quiet);

    let out = prepare_out(args, &parts)?;
    let (mut sinks, mut errors) = outputs::sinks(&args.outputs, out);
    let mut files = Vec::with_capacity(rows.len());
    for (row, from) in rows.into_values() {
        files.push(merge_row(row, from, out, &mut sinks, &mut errors));
    }
    let manifest = Manifest {
        tool,
        version,
        options,
        files,
    };
    finish_outputs(out, &manifest, &mut sinks, &mut errors)?;
    for e in &errors {
        eprintln!("jxingest merge: error: {e}");
    }
    if !args.quiet {
        say_merged(&manifest, parts.len(), out);
    }
    let trouble = manifest.files.iter().any(|f| f.status.is_trouble()) || !errors.is_empty();
    Ok(i32::from(trouble))
}

/// The output folder, made ready before any row is copied: created if
/// missing, refused when it is one of the inputs, cleared of an
/// interrupted run's temporary files, and given every part's verdicts.
fn prepare_out<'a>(args: &'a MergeArgs, parts: &[Part]) -> Result<&'a Path> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create output folder {}", args.out.display()))?;
    let out = args.out.as_path();
    let out_real = out.canonicalize()?;
    for p in parts {
        if p.dir.canonicalize()? == out_real {
            bail!(
                "--out {} is one of the inputs: merge into a new folder",
                out.display()
            );
        }
    }
    remove_leftover_temps(out);
    // Every part's verdicts go into OUT's log (the documents copied hold
    // them applied already): nothing a person decided is left behind.
    for p in parts {
        crate::verdicts::load(out, Some(&p.dir.join(jx_sink::verdicts::FILE_NAME)))?;
    }
    Ok(out)
}

/// One row of the merged manifest: its form files copied from the part
/// that holds it and its documents fed to the sinks as carried over, as a
/// run feeds a resumed file. A copy that fails fails the row; the error
/// joins `errors`.
fn merge_row(
    row: &FileRow,
    from: &Part,
    out: &Path,
    sinks: &mut [Box<dyn Sink>],
    errors: &mut Vec<String>,
) -> FileRow {
    let mut row = row.clone();
    let forms = match copy_forms(&from.dir, out, &row) {
        Ok(forms) => forms,
        Err(e) => {
            // As a run does when it cannot write a file's documents.
            errors.push(format!("{}: {e:#}", row.path));
            row.status = Status::Failed;
            row.outputs.clear();
            row.forms = 0;
            row.problems.push(jx_model::Problem::file(
                jx_model::ProblemCode::WriteFailed,
                format!("{e:#}"),
            ));
            row.summarize_reason();
            Vec::new()
        }
    };
    let file = FileOutput {
        row: &row,
        forms: &forms,
        carried: true,
    };
    for s in sinks.iter_mut() {
        if let Err(e) = s.file(&file) {
            errors.push(format!("{}: {e}", s.describe()));
        }
    }
    row
}

/// Writes the merged manifest (an error there ends the merge), removes a
/// journal an earlier run into OUT left, and finishes the other sinks,
/// whose errors join `errors`: the manifest is written once every row is.
fn finish_outputs(
    out: &Path,
    manifest: &Manifest,
    sinks: &mut [Box<dyn Sink>],
    errors: &mut Vec<String>,
) -> Result<()> {
    JsonTree::new(out)
        .finish(manifest)
        .with_context(|| format!("cannot write {}", out.join(MANIFEST).display()))?;
    // A journal left by an earlier run into OUT would speak for rows that
    // the manifest now holds.
    let _ = std::fs::remove_file(out.join(JOURNAL));
    for s in sinks.iter_mut() {
        if let Err(e) = s.finish(manifest) {
            errors.push(format!("{}: {e}", s.describe()));
        }
    }
    Ok(())
}

/// The merge's one line on stderr: how many outputs, files and forms went
/// into which folder.
fn say_merged(manifest: &Manifest, parts: usize, out: &Path) {
    let forms: usize = manifest.files.iter().map(|f| f.forms).sum();
    eprintln!(
        "jxingest merge: {} output(s): {} file(s), {} form(s) merged into {}",
        parts,
        manifest.files.len(),
        forms,
        out.display()
    );
}

/// One input's finished manifest, or why it has none (an unfinished run
/// is told apart from a folder that is no output).
fn read_part(dir: &Path) -> Result<Part> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).with_context(|| {
        if dir.join(JOURNAL).exists() {
            format!(
                "{} is missing: {} holds an unfinished run (finish it with --resume)",
                path.display(),
                dir.display()
            )
        } else {
            format!("cannot read {}", path.display())
        }
    })?;
    let manifest: Manifest = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a jxingest manifest", path.display()))?;
    Ok(Part {
        dir: dir.to_path_buf(),
        manifest,
    })
}

/// The tool, version and options fingerprint (shard left out) the inputs
/// share, or why they differ.
fn common_options(parts: &[Part]) -> Result<(String, String, String)> {
    let first = &parts[0];
    let (base, _) = walk::split_options(&first.manifest.options);
    for p in &parts[1..] {
        let (other, _) = walk::split_options(&p.manifest.options);
        if other != base || p.manifest.version != first.manifest.version {
            bail!(
                "{} and {} were made with different options or versions (fingerprint {base}, \
                 version {} vs fingerprint {other}, version {}): not merged; run both with the \
                 same jxingest and options",
                first.dir.display(),
                p.dir.display(),
                first.manifest.version,
                p.manifest.version
            );
        }
    }
    Ok((
        first.manifest.tool.clone(),
        first.manifest.version.clone(),
        base.to_string(),
    ))
}

/// Every row by path, with the input it comes from. A path in several
/// inputs must have the same row in each (time aside).
fn join_rows(parts: &[Part]) -> Result<BTreeMap<&str, (&FileRow, &Part)>> {
    let mut rows: BTreeMap<&str, (&FileRow, &Part)> = BTreeMap::new();
    for p in parts {
        for row in &p.manifest.files {
            if let Some((seen, from)) = rows.get(row.path.as_str()) {
                let timeless = |r: &FileRow| FileRow {
                    milliseconds: 0,
                    ..r.clone()
                };
                if timeless(seen) != timeless(row) {
                    bail!(
                        "{} is in both {} and {} with different rows (status {} vs {}, sha256 \
                         {:?} vs {:?}): not merged",
                        row.path,
                        from.dir.display(),
                        p.dir.display(),
                        seen.status.as_str(),
                        row.status.as_str(),
                        seen.sha256,
                        row.sha256
                    );
                }
                continue;
            }
            rows.insert(&row.path, (row, p));
        }
    }
    Ok(rows)
}

/// Says which shards of N are not among the inputs (a merge of some shards
/// is allowed, but is not the whole run).
fn note_missing_shards(parts: &[Part], quiet: bool) {
    let shards: Vec<Shard> = parts
        .iter()
        .filter_map(|p| walk::split_options(&p.manifest.options).1)
        .collect();
    let Some(n) = shards.first().map(|s| s.count) else {
        return;
    };
    let missing: Vec<String> = (0..n)
        .filter(|k| !shards.iter().any(|s| s.count == n && s.index == *k))
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() && !quiet {
        eprintln!(
            "jxingest merge: note: shard(s) {} not among the inputs: the merge covers only part \
             of the run",
            missing.join(", ")
        );
    }
}

/// Copies a row's form files from `from` into `out` (atomically, bytes as
/// they are), removes stale ones as a run would, and reads the documents
/// for the other sinks.
fn copy_forms(from: &Path, out: &Path, row: &FileRow) -> Result<Vec<FormRecord>> {
    let dir = out.join(layout::form_dir(&row.path));
    let exists = dir_under(out, &dir, !row.outputs.is_empty())
        .with_context(|| format!("cannot write under {}", dir.display()))?;
    let mut forms = Vec::with_capacity(row.outputs.len());
    for rel in &row.outputs {
        let src = from.join(rel);
        let bytes =
            std::fs::read(&src).with_context(|| format!("cannot read {}", src.display()))?;
        let form: FormRecord = serde_json::from_slice(&bytes)
            .with_context(|| format!("{} is not a form document", src.display()))?;
        let dst = out.join(rel);
        write_atomic(&dst, &bytes).with_context(|| format!("cannot write {}", dst.display()))?;
        forms.push(form);
    }
    if exists && row.status != Status::Failed {
        remove_stale_forms(&dir, row.outputs.len())
            .with_context(|| format!("cannot tidy {}", dir.display()))?;
    }
    Ok(forms)
}
