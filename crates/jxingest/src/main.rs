//! `jxingest`: walks a tree of PDFs of 财政项目支出绩效目标申报表 and writes one
//! JSON document per form, in parallel across files. The only crate that
//! knows the file system, threads and the command line; the stages are
//! libraries (`jx-pdf` → `jx-ocr` for image pages → `jx-grid` → `jx-form`).

mod manifest;
mod ocr;
mod output;
mod pipeline;
mod walk;
mod worker;

use anyhow::{Context, Result};
use clap::Parser;
use manifest::{FileEntry, Journal, Manifest, Mode, Status};
use pipeline::PipelineOptions;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use worker::{Limits, Processed, Slot};

/// Turn PDFs of 财政项目支出绩效目标申报表 (budget-project performance-target
/// forms) into one JSON document per form.
///
/// Every PDF under INPUT is read (printed files from their text layer, scans
/// by OCR); every form found is written to OUT/<path of the PDF without
/// .pdf>/NN.json (NN = the form's order in its file), with each repair made
/// and each doubt listed in the document's `repairs` and `warnings`.
/// OUT/manifest.json says what happened to every input file.
///
/// Each file is read in a worker process of its own, within a time and a
/// memory limit, so a hostile or broken file stops only itself.
///
/// Exit status: 0 when every file was read (with or without forms); 1 when
/// some file failed, was only partly read (recovered) or had pages that could
/// not be read (see the manifest); 2 when the run itself could not start (bad
/// arguments, unwritable OUT).
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
    /// Seconds a file may go without progress (opening it, reading one page,
    /// mapping its forms) before it is stopped; a file gets 30 times this in
    /// all.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    timeout: u64,
    /// Memory (address space) a file may use, in MiB; 0 for no limit.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    max_memory: u64,
    /// Take up an earlier run into OUT: inputs whose sha256 and options
    /// match its manifest (or the journal of an interrupted run), and whose
    /// outputs are there, are not read again; their rows are carried over.
    #[arg(long)]
    resume: bool,
}

fn main() {
    // Tesseract's OpenMP threads must be capped before the library loads,
    // so this may re-execute the program once with OMP_THREAD_LIMIT=1.
    if let Err(e) = jx_ocr::ensure_openmp_single_thread() {
        eprintln!("jxingest: warning: could not limit OpenMP threads ({e}); OCR will be slower");
    }
    // The hidden worker mode (see worker.rs): `jxingest --worker`.
    if std::env::args_os().nth(1).is_some_and(|a| a == "--worker") {
        std::process::exit(worker::worker_main());
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
    let out = args.out.as_path();
    output::remove_leftover_temps(out);
    let opts = PipelineOptions::default();
    let options = opts.fingerprint();
    let rels: Vec<String> = inputs.iter().map(|i| i.rel.clone()).collect();
    let dirs = output::assign_dirs(out, &rels);

    // Rows carried over from an earlier run (--resume), and the rest to do.
    let previous = if args.resume {
        manifest::previous_rows(out, &options)
    } else {
        Default::default()
    };
    let carried: Vec<Option<FileEntry>> = inputs
        .par_iter()
        .map(|input| {
            previous
                .get(&input.rel)
                .filter(|prev| still_valid(prev, &input.path, out))
                .cloned()
        })
        .collect();
    let todo: Vec<usize> = (0..inputs.len())
        .filter(|i| carried[*i].is_none())
        .collect();
    let carried: Vec<FileEntry> = carried.into_iter().flatten().collect();
    let journal = Journal::start(out, &options, &carried)
        .with_context(|| format!("cannot write to output folder {}", out.display()))?;

    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let workers = jobs.min(todo.len()).max(1);
    let limits = Limits {
        timeout: Duration::from_secs(args.timeout.max(1)),
        memory_mib: args.max_memory,
        // Each thread of a worker reserves address space under its memory
        // cap (glibc gives each a 64 MiB malloc arena): at most 8.
        threads: jobs.min(8),
    };
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let rows = Mutex::new(carried.clone());
    let journal_error = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                let mut slot = Slot::new(limits.clone());
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&i) = todo.get(k) else { break };
                    let entry = handle_file(&mut slot, &inputs[i], &dirs[i], out);
                    if let Err(e) = journal.append(&entry) {
                        journal_error.lock().unwrap().get_or_insert(e);
                    }
                    if !args.quiet {
                        report(&entry);
                    }
                    rows.lock().unwrap().push(entry);
                }
            });
        }
    });
    if let Some(e) = journal_error.into_inner().unwrap() {
        eprintln!("jxingest: warning: cannot write {}: {e}", manifest::JOURNAL);
    }
    let mut files = rows.into_inner().unwrap();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        tool: "jxingest".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        options,
        files,
    };
    output::write_atomic(&out.join(manifest::MANIFEST), &output::to_json(&manifest))
        .context("cannot write manifest.json")?;
    journal.finish(out);
    let count = |s: Status| manifest.files.iter().filter(|f| f.status == s).count();
    let forms: usize = manifest.files.iter().map(|f| f.forms).sum();
    if !args.quiet {
        let resumed = if carried.is_empty() {
            String::new()
        } else {
            format!(" ({} carried over from the earlier run)", carried.len())
        };
        eprintln!(
            "jxingest: {} file(s){resumed}: {} ok, {} without forms, {} recovered, {} need OCR, {} failed; {} form(s) written to {} in {:.1} s",
            manifest.files.len(),
            count(Status::Ok),
            count(Status::NoForms),
            count(Status::Recovered),
            count(Status::NeedsOcr),
            count(Status::Failed),
            forms,
            out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(
        if count(Status::Failed) + count(Status::NeedsOcr) + count(Status::Recovered) > 0 {
            1
        } else {
            0
        },
    )
}

/// Whether an earlier row can stand for `path` now: same bytes, every
/// output still there, and not decided by a limit (those are tried again).
fn still_valid(prev: &FileEntry, path: &Path, out: &Path) -> bool {
    !prev.was_stopped()
        && prev.outputs.iter().all(|o| out.join(o).is_file())
        && prev.sha256.as_ref().is_some_and(|sha| {
            worker::read_input(path).is_ok_and(|b| pipeline::sha256_hex(&b) == *sha)
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

/// Reads one file in a worker and writes its forms; never panics, whatever
/// the file.
fn handle_file(slot: &mut Slot, input: &walk::Input, dir: &Path, out: &Path) -> FileEntry {
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
    match slot.read(&input.path, &input.rel) {
        Err(why) => entry.reason = Some(why),
        Ok(done) => {
            entry.sha256 = done.sha256;
            match done.result {
                Err(e) => entry.reason = Some(one_line(&e)),
                Ok(p) => write_file(&mut entry, p, dir, out),
            }
        }
    }
    entry.milliseconds = t.elapsed().as_millis() as u64;
    entry
}

/// Writes a read file's forms and sets its status and reason.
fn write_file(entry: &mut FileEntry, p: Processed, dir: &Path, out: &Path) {
    entry.pages = p.pages;
    entry.extraction = p.mode;
    let mut written = Vec::new();
    let dir_ok = output::dir_under(out, dir, !p.forms.is_empty());
    match dir_ok {
        Err(e) => {
            entry.reason = Some(one_line(&format!("cannot write {}: {e}", dir.display())));
            return;
        }
        Ok(exists) => {
            for (i, form) in p.forms.iter().enumerate() {
                let path = dir.join(format!("{:02}.json", i + 1));
                if let Err(e) = output::write_atomic(&path, form.as_bytes()) {
                    entry.reason = Some(one_line(&format!("cannot write {}: {e}", path.display())));
                    return;
                }
                written.push(
                    path.strip_prefix(out)
                        .unwrap_or(&path)
                        .to_string_lossy()
                        .replace('\\', "/"),
                );
            }
            if exists {
                let _ = output::remove_stale_forms(dir, p.forms.len());
            }
        }
    }
    entry.forms = p.forms.len();
    entry.outputs = written;
    let read = p.pages.saturating_sub(p.pages_lost);
    entry.status = if !p.unread_pages.is_empty() {
        Status::NeedsOcr
    } else if p.pages > 0 && read == 0 {
        Status::Failed
    } else if p.damage.is_some() || !p.page_errors.is_empty() {
        Status::Recovered
    } else if p.forms.is_empty() {
        Status::NoForms
    } else {
        Status::Ok
    };
    let mut notes: Vec<String> = Vec::new();
    if let Some(d) = &p.damage {
        notes.push(format!(
            "damaged cross-reference structure ({d}); objects found by scanning the file"
        ));
    }
    notes.extend(p.page_errors.iter().cloned());
    if !notes.is_empty() {
        entry.reason = Some(summarize(&notes));
    }
}

/// At most this many notes in a reason; the rest are counted.
const MAX_NOTES: usize = 12;

/// Notes joined into one line, the first [`MAX_NOTES`] of them.
fn summarize(notes: &[String]) -> String {
    let mut text = notes
        .iter()
        .take(MAX_NOTES)
        .map(|n| one_line(n))
        .collect::<Vec<_>>()
        .join("; ");
    if notes.len() > MAX_NOTES {
        text.push_str(&format!("; … and {} more", notes.len() - MAX_NOTES));
    }
    text
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_one_line_and_bounded() {
        let notes: Vec<String> = (1..=20).map(|i| format!("page {i}:\nlost")).collect();
        let r = summarize(&notes);
        assert!(!r.contains('\n'));
        assert!(r.starts_with("page 1: lost; page 2: lost"));
        assert!(r.ends_with("… and 8 more"));
    }
}
