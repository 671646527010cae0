//! One run: walk the input, carry over what `--resume` may, read the rest
//! in worker processes (in parallel across files), and feed every finished
//! file — its manifest row and form records — to the sinks from this one
//! thread, in the order files finish; then the manifest.

use crate::Args;
use crate::manifest::{self, Journal};
use crate::outputs;
use crate::progress::Progress;
use crate::settings::Settings;
use crate::summary::{Places, Tally};
use crate::verdicts;
use crate::walk;
use crate::worker::{self, Limits, Slot, Stop};
use anyhow::{Context, Result};
use jx_model::{FileRow, FormRecord, Manifest, Problem, ProblemCode, Status};
use jx_ocr::EngineChoice;
use jx_sink::{FileOutput, JsonTree, Sink, layout};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

/// The environment variable naming ONNX Runtime's shared library.
pub const ORT_DYLIB_VAR: &str = "JXINGEST_ORT_DYLIB";

/// Runs the job; the exit status (0 or 1).
pub fn run(args: &Args) -> Result<i32> {
    let walked = walk_input(args)?;
    let out = prepare_out(args)?;
    let kept = verdicts::load(out, args.verdicts.as_deref())?;
    let settings = settings_for(args)?;
    let installed = settings.installed();
    say_missing_parts(&installed);
    let options = walk::options_with_shard(settings.fingerprint(&installed), args.shard);
    let inputs = &walked.inputs;
    let (carried, todo) = carry_over(args.resume, inputs, out, &options, &kept);
    let journal = Journal::start(out, &options, &carried)
        .with_context(|| format!("cannot write to output folder {}", out.display()))?;
    let (workers, limits) = workers_and_limits(args, todo.len());
    let started = Instant::now();
    let mut tree = JsonTree::new(out);
    let (mut sinks, open_errors) = outputs::sinks(&args.outputs, out);
    let review = review_site(args, &limits)?;
    let review_index = review.as_ref().map(|r| r.index_path());
    sinks.extend(review.map(|r| Box::new(r) as Box<dyn Sink>));
    let progress = Progress::new(inputs.len() + walked.unlisted.len(), args.quiet);
    let mut feed = Feed {
        journal: &journal,
        tree: &mut tree,
        sinks: &mut sinks,
        rows: Vec::with_capacity(inputs.len() + walked.unlisted.len()),
        errors: open_errors,
        quiet: args.quiet,
        progress: &progress,
        tally: Tally::default(),
        kept: &kept,
    };
    for row in &carried {
        feed.carried(row.clone(), out);
    }
    for u in &walked.unlisted {
        feed.file(unlisted_row(u), Vec::new());
    }
    read_all(&mut feed, inputs, &todo, workers, &limits, &settings);
    let Feed {
        rows,
        mut errors,
        tally,
        ..
    } = feed;
    let manifest = finish_outputs(&mut tree, &mut sinks, rows, options, &mut errors)?;
    journal.finish(out);
    progress.finish();
    for e in &errors {
        eprintln!("jxingest: error: {e}");
    }
    if !args.quiet {
        let review = review_index.as_deref();
        say_summary(args, &manifest, &tally, carried.len(), review, started);
    }
    let trouble = manifest.files.iter().any(|f| f.status.is_trouble()) || !errors.is_empty();
    Ok(i32::from(trouble))
}

/// The PDFs under the input, cut to this run's shard (`--shard K/N`):
/// the walk is the one thing read before the output folder is made.
fn walk_input(args: &Args) -> Result<walk::Walk> {
    let walked = walk::pdfs(&args.input)
        .with_context(|| format!("cannot read input {}", args.input.display()))?;
    Ok(match args.shard {
        Some(shard) => walked.shard(shard),
        None => walked,
    })
}

/// The output folder, created if missing and cleared of the temporary
/// files an interrupted run left there, before anything reads it.
fn prepare_out(args: &Args) -> Result<&Path> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create output folder {}", args.out.display()))?;
    let out = args.out.as_path();
    jx_sink::atomic::remove_leftover_temps(out);
    Ok(out)
}

/// How files are read in this run: the one place the environment is asked
/// for ONNX Runtime's library ([`ORT_DYLIB_VAR`]) and the engine is chosen,
/// so the workers and the options fingerprint see the same settings.
fn settings_for(args: &Args) -> Result<Settings> {
    let ort_dylib = std::env::var_os(ORT_DYLIB_VAR)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let ocr_engine = choose_engine(args, ort_dylib.as_deref())?;
    Ok(Settings {
        tessdata: args.tessdata.clone(),
        ocr_engine,
        ppocr_models: args.ppocr_models.clone(),
        read_every_cell: args.read_every_cell,
        ort_dylib,
    })
}

/// Splits the inputs into the rows carried over from an earlier run
/// (`--resume` only; see [`still_valid`], and no verdict pending for
/// them) and the indices of the inputs still to read, in input order.
fn carry_over(
    resume: bool,
    inputs: &[walk::Input],
    out: &Path,
    options: &str,
    kept: &jx_sink::verdicts::Kept,
) -> (Vec<FileRow>, Vec<usize>) {
    let previous = if resume {
        manifest::previous_rows(out, options)
    } else {
        Default::default()
    };
    let carried: Vec<Option<FileRow>> = inputs
        .par_iter()
        .map(|input| {
            previous
                .get(&input.rel)
                .filter(|prev| {
                    still_valid(prev, &input.path, out) && !verdicts::pending(kept, prev, out)
                })
                .cloned()
        })
        .collect();
    let todo: Vec<usize> = (0..inputs.len())
        .filter(|i| carried[*i].is_none())
        .collect();
    (carried.into_iter().flatten().collect(), todo)
}

/// How many workers read at once (`--jobs`, else one per core; never more
/// than there are files to read) and the limits each worker is held to.
fn workers_and_limits(args: &Args, todo: usize) -> (usize, Limits) {
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let workers = jobs.min(todo).max(1);
    let limits = Limits {
        timeout: Duration::from_secs(args.timeout.max(1)),
        memory_mib: args.max_memory,
        // Each thread of a worker reserves address space under its memory
        // cap (glibc gives each a 64 MiB malloc arena): at most 8.
        threads: jobs.min(8),
    };
    (workers, limits)
}

/// The row of a folder the walk could not list: its problem, and no forms.
fn unlisted_row(u: &walk::Unlisted) -> FileRow {
    let mut row = FileRow::new(&u.rel);
    row.problems
        .push(Problem::file(ProblemCode::InputUnreadable, &u.why));
    row.summarize_reason();
    row
}

/// Reads the inputs `todo` names in `workers` threads, each driving its own
/// worker process ([`Slot`]) and taking the next file when one is done;
/// every finished file goes to `feed` on this thread, in the order files
/// finish, so only this thread writes outputs.
fn read_all(
    feed: &mut Feed<'_>,
    inputs: &[walk::Input],
    todo: &[usize],
    workers: usize,
    limits: &Limits,
    settings: &Settings,
) {
    let progress = feed.progress;
    let next = AtomicUsize::new(0);
    let (tx, rx) = channel::<(FileRow, Vec<FormRecord>)>();
    std::thread::scope(|s| {
        for _ in 0..workers {
            let tx = tx.clone();
            let next = &next;
            s.spawn(move || {
                let mut slot = Slot::new(limits.clone());
                loop {
                    let k = next.fetch_add(1, Ordering::SeqCst);
                    let Some(&i) = todo.get(k) else { break };
                    let rel = &inputs[i].rel;
                    progress.reading(rel);
                    let done = read_one(&mut slot, &inputs[i], settings, &mut |step| {
                        progress.step(rel, step)
                    });
                    if tx.send(done).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (row, forms) in rx {
            feed.file(row, forms);
        }
    });
}

/// The manifest of the run, rows sorted by path, written by the JSON tree
/// (an error there ends the run) and then given to the other sinks, whose
/// errors join `errors`: the manifest is written last, once every file is.
fn finish_outputs(
    tree: &mut JsonTree,
    sinks: &mut [Box<dyn Sink>],
    mut rows: Vec<FileRow>,
    options: String,
    errors: &mut Vec<String>,
) -> Result<Manifest> {
    rows.sort_by(|a, b| a.path.cmp(&b.path));
    let manifest = Manifest {
        tool: "jxingest".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        options,
        files: rows,
    };
    tree.finish(&manifest)
        .context("cannot write manifest.json")?;
    for s in sinks.iter_mut() {
        if let Err(e) = s.finish(&manifest) {
            errors.push(format!("{}: {e}", s.describe()));
        }
    }
    Ok(manifest)
}

/// The closing summary on stderr: what was read and how, and where the
/// outputs are (the folder, the review site, the database).
fn say_summary(
    args: &Args,
    manifest: &Manifest,
    tally: &Tally,
    carried: usize,
    review: Option<&Path>,
    started: Instant,
) {
    let out = args.out.as_path();
    let db = args.outputs.db_path(out);
    let places = Places {
        out,
        review,
        db: db.as_deref(),
    };
    eprintln!(
        "{}",
        crate::summary::summary(manifest, tally, carried, &places, started.elapsed())
    );
}

/// Feeds finished files to the journal and the sinks, from one thread.
struct Feed<'a> {
    journal: &'a Journal,
    tree: &'a mut JsonTree,
    sinks: &'a mut Vec<Box<dyn Sink>>,
    rows: Vec<FileRow>,
    /// Sink errors, reported at the end (the JSON output goes on).
    errors: Vec<String>,
    quiet: bool,
    progress: &'a Progress,
    /// Repairs and warnings by kind, for the summary.
    tally: Tally,
    /// People's verdicts, applied to every form read.
    kept: &'a jx_sink::verdicts::Kept,
}

impl Feed<'_> {
    /// A file read in this run: its documents are written (the JSON tree
    /// first, so the row's `outputs` are on disk before anything names
    /// them), then its row journaled, then the other sinks.
    fn file(&mut self, mut row: FileRow, mut forms: Vec<FormRecord>) {
        verdicts::reapply(self.kept, &mut forms);
        row.outputs = layout::form_files(&row.path, forms.len());
        let written = self.tree.file(&FileOutput {
            row: &row,
            forms: &forms,
            carried: false,
        });
        let forms = match written {
            Ok(()) => forms,
            Err(e) => {
                row.status = Status::Failed;
                row.outputs.clear();
                row.forms = 0;
                row.problems
                    .push(Problem::file(ProblemCode::WriteFailed, e.to_string()));
                row.summarize_reason();
                Vec::new()
            }
        };
        if let Err(e) = self.journal.append(&row) {
            self.errors
                .push(format!("cannot write {}: {e}", manifest::JOURNAL));
        }
        self.others(&row, &forms, false);
        self.tally.add(&forms);
        self.progress.done(&row, false);
        if !self.quiet && row.status.is_trouble() {
            self.progress.note(&format!(
                "jxingest: {}: {}: {}",
                row.path,
                row.status.as_str(),
                row.reason.as_deref().unwrap_or("")
            ));
        }
        self.rows.push(row);
    }

    /// A row carried over by `--resume`: its documents are read back for the
    /// sinks other than the JSON tree, which holds them already.
    fn carried(&mut self, row: FileRow, out: &Path) {
        // Read back for the summary's tally too; an error matters only to
        // the sinks.
        match read_back(out, &row) {
            Ok(forms) => {
                self.others(&row, &forms, true);
                self.tally.add(&forms);
            }
            Err(e) if !self.sinks.is_empty() => self.errors.push(e),
            Err(_) => {}
        }
        self.progress.done(&row, true);
        self.rows.push(row);
    }

    fn others(&mut self, row: &FileRow, forms: &[FormRecord], carried: bool) {
        let file = FileOutput {
            row,
            forms,
            carried,
        };
        for s in self.sinks.iter_mut() {
            if let Err(e) = s.file(&file) {
                self.errors.push(format!("{}: {e}", s.describe()));
            }
        }
    }
}

/// The documents of a carried-over row, read back from the JSON tree.
fn read_back(out: &Path, row: &FileRow) -> Result<Vec<FormRecord>, String> {
    row.outputs
        .iter()
        .map(|o| {
            let p = out.join(o);
            std::fs::read(&p)
                .map_err(|e| e.to_string())
                .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
                .map_err(|e| format!("cannot read back {}: {e}", p.display()))
        })
        .collect()
}

/// Reads one file in a worker: its row (without `outputs`) and its forms.
/// Never panics, whatever the file.
fn read_one(
    slot: &mut Slot,
    input: &walk::Input,
    settings: &Settings,
    on_step: &mut dyn FnMut(jx_ingest::Step),
) -> (FileRow, Vec<FormRecord>) {
    let t = Instant::now();
    let mut row = FileRow::new(&input.rel);
    let mut forms = Vec::new();
    match slot.read(&input.path, &input.rel, settings, on_step) {
        Err(Stop(p)) => row.problems.push(p),
        Ok(done) => {
            row.sha256 = done.sha256;
            match done.result {
                Err(p) => row.problems.push(p),
                Ok(report) => {
                    report.fill_row(&mut row);
                    forms = report.forms;
                }
            }
        }
    }
    row.summarize_reason();
    row.milliseconds = t.elapsed().as_millis() as u64;
    (row, forms)
}

/// Whether an earlier row can stand for `path` now: same bytes, every
/// output still there, and not decided by a limit (those are tried again).
fn still_valid(prev: &FileRow, path: &Path, out: &Path) -> bool {
    !prev.was_stopped()
        && prev.outputs.iter().all(|o| out.join(o).is_file())
        && prev.sha256.as_ref().is_some_and(|sha| {
            worker::read_input(path).is_ok_and(|b| jx_ingest::sha256_hex(&b) == *sha)
        })
}

/// The review site, when `--review` asks for one: the one place it is
/// built. Its pages are rendered from the inputs, found under the input
/// root (a file input's folder), by a worker process of its own under the
/// same limits as reading (a page that hangs or kills the renderer costs
/// only its image).
fn review_site(args: &Args, limits: &Limits) -> Result<Option<jx_review::ReviewSite>> {
    let Some(which) = &args.review else {
        return Ok(None);
    };
    let selection: jx_review::Selection = which.parse().map_err(anyhow::Error::msg)?;
    let input_root = if args.input.is_file() {
        args.input
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    } else {
        args.input.clone()
    };
    let renderer = worker::WorkerRenderer::new(Slot::new(limits.clone()));
    let site = jx_review::ReviewSite::create(&args.out, input_root, selection, Box::new(renderer))
        .context("cannot start the review site")?;
    Ok(Some(site))
}

/// Says once, at the start, which file the engine would read is missing.
/// None is fatal here (a missing engine was refused by [`choose_engine`]):
/// without the word list the two engines' disagreements are settled
/// without that evidence, and without Tesseract's language data scans are
/// `needs_ocr`. The fingerprint records the absence, so `--resume` never
/// mixes rows read with and without a part.
fn say_missing_parts(installed: &[jx_ocr::installed::InstalledPart]) {
    for p in installed.iter().filter(|p| p.is_missing()) {
        let what = match p.what.as_str() {
            "word list" => "no word list",
            _ => "missing",
        };
        eprintln!(
            "jxingest: {what}: {} ({}) — scripts/install-deps installs it (README \"OCR engine\")",
            p.what,
            p.path.display()
        );
    }
}

/// The recogniser of the run. One asked for by name must be there: said
/// before any file (the workers would only mark every scan `needs_ocr`).
/// The default, both engines, falls back to Tesseract alone where PP-OCR
/// is not installed, said on stderr (the options fingerprint, which
/// `--resume` compares, covers the engine used).
fn choose_engine(args: &Args, ort_dylib: Option<&Path>) -> Result<EngineChoice> {
    let located = || jx_ocr::ppocr::locate(ort_dylib, args.ppocr_models.as_deref());
    match args.ocr_engine {
        Some(EngineChoice::Tesseract) => Ok(EngineChoice::Tesseract),
        Some(asked) => {
            located().map_err(|e| anyhow::anyhow!("--ocr-engine {}: {e}", asked.name()))?;
            Ok(asked)
        }
        None => match located() {
            Ok(_) => Ok(EngineChoice::default()),
            Err(e) => {
                eprintln!(
                    "jxingest: PP-OCR is not installed ({e}); scans are read by Tesseract alone \
                     (scripts/install-deps installs PP-OCR; README \"OCR engine\")"
                );
                Ok(EngineChoice::Tesseract)
            }
        },
    }
}
