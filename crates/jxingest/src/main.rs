//! `jxingest`: walks a tree of PDFs of 财政项目支出绩效目标申报表 and writes one
//! JSON document per form, in parallel across files. The only crate that
//! knows the file system, threads and the command line; the stages are
//! libraries (`jx-pdf` → `jx-ocr` for image pages → `jx-grid` → `jx-form`).

mod manifest;
mod ocr;
mod output;
mod pipeline;
mod walk;

use anyhow::{Context, Result};
use clap::Parser;
use manifest::{FileEntry, Manifest, Mode, Status};
use pipeline::{PipelineOptions, process};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Turn PDFs of 财政项目支出绩效目标申报表 (budget-project performance-target
/// forms) into one JSON document per form.
///
/// Every PDF under INPUT is read (printed files from their text layer, scans
/// by OCR); every form found is written to OUT/<path of the PDF without
/// .pdf>/NN.json (NN = the form's order in its file), with each repair made
/// and each doubt listed in the document's `repairs` and `warnings`.
/// OUT/manifest.json says what happened to every input file.
///
/// Exit status: 0 when every file was read (with or without forms); 1 when
/// some file failed or had pages that could not be read (see the manifest);
/// 2 when the run itself could not start (bad arguments, unwritable OUT).
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
struct Args {
    /// A PDF file, or a folder searched recursively for *.pdf.
    input: PathBuf,
    /// Output folder (created if missing).
    #[arg(long, short)]
    out: PathBuf,
    /// Files processed at once [default: all cores].
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
}

fn main() {
    // Tesseract's OpenMP threads must be capped before the library loads,
    // so this may re-execute the program once with OMP_THREAD_LIMIT=1.
    if let Err(e) = jx_ocr::ensure_openmp_single_thread() {
        eprintln!("jxingest: warning: could not limit OpenMP threads ({e}); OCR will be slower");
    }
    let args = Args::parse();
    match run(&args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("jxingest: error: {e:#}");
            std::process::exit(2);
        }
    }
}

fn run(args: &Args) -> Result<i32> {
    let inputs = walk::pdfs(&args.input)
        .with_context(|| format!("cannot read input {}", args.input.display()))?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create output folder {}", args.out.display()))?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()?;
    let opts = PipelineOptions::default();
    let started = Instant::now();
    let entries: Vec<FileEntry> = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let entry = handle_file(input, &args.out, &opts);
                if !args.quiet {
                    report(&entry);
                }
                entry
            })
            .collect()
    });
    let manifest = Manifest {
        tool: "jxingest".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        files: entries,
    };
    output::write_atomic(&args.out.join("manifest.json"), &output::to_json(&manifest))
        .context("cannot write manifest.json")?;
    let count = |s: Status| manifest.files.iter().filter(|f| f.status == s).count();
    let forms: usize = manifest.files.iter().map(|f| f.forms).sum();
    if !args.quiet {
        eprintln!(
            "jxingest: {} file(s): {} ok, {} without forms, {} need OCR, {} failed; {} form(s) written to {} in {:.1} s",
            manifest.files.len(),
            count(Status::Ok),
            count(Status::NoForms),
            count(Status::NeedsOcr),
            count(Status::Failed),
            forms,
            args.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(if count(Status::Failed) + count(Status::NeedsOcr) > 0 {
        1
    } else {
        0
    })
}

fn report(e: &FileEntry) {
    match e.status {
        Status::Ok | Status::NoForms => {}
        _ => eprintln!(
            "jxingest: {}: {:?}: {}",
            e.path,
            e.status,
            e.reason.as_deref().unwrap_or("")
        ),
    }
}

/// Reads, processes and writes one file; never panics, whatever the file.
fn handle_file(input: &walk::Input, out: &Path, opts: &PipelineOptions) -> FileEntry {
    let t = Instant::now();
    let mut entry = FileEntry {
        path: input.rel.clone(),
        status: Status::Failed,
        reason: None,
        sha256: None,
        forms: 0,
        pages: 0,
        extraction: Mode::None,
        outputs: Vec::new(),
        milliseconds: 0,
    };
    let bytes = match std::fs::read(&input.path) {
        Ok(b) => b,
        Err(e) => {
            entry.reason = Some(format!("cannot read file: {e}"));
            return entry;
        }
    };
    let sha256 = pipeline::sha256_hex(&bytes);
    entry.sha256 = Some(sha256.clone());
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        process(bytes, &input.rel, &sha256, opts)
    }));
    match result {
        Err(panic) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown".into());
            entry.reason = Some(format!("internal error (panic) while reading: {msg}"));
        }
        Ok(Err(e)) => entry.reason = Some(e.0),
        Ok(Ok(r)) => {
            entry.pages = r.pages;
            entry.extraction = r.mode;
            let dir = output::form_dir(out, &input.rel);
            let mut written = Vec::new();
            for (i, form) in r.forms.iter().enumerate() {
                let path = dir.join(format!("{:02}.json", i + 1));
                if let Err(e) = output::write_atomic(&path, &output::to_json(form)) {
                    entry.reason = Some(format!("cannot write {}: {e}", path.display()));
                    entry.milliseconds = t.elapsed().as_millis() as u64;
                    return entry;
                }
                written.push(
                    path.strip_prefix(out)
                        .unwrap_or(&path)
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
            let _ = output::remove_stale_forms(&dir, r.forms.len());
            entry.forms = r.forms.len();
            entry.outputs = written;
            entry.status = if !r.unread_pages.is_empty() {
                Status::NeedsOcr
            } else if r.forms.is_empty() {
                Status::NoForms
            } else {
                Status::Ok
            };
            if !r.page_errors.is_empty() {
                entry.reason = Some(r.page_errors.join("; "));
            }
        }
    }
    entry.milliseconds = t.elapsed().as_millis() as u64;
    entry
}
