//! `jxingest`: walks a tree of PDFs of 财政项目支出绩效目标申报表 and writes one
//! JSON document per form, in parallel across files. The only crate that
//! knows the command line, worker processes and threads; the per-file
//! pipeline is the `jx-ingest` library, the outputs are `jx-sink` sinks.

mod desk;
mod manifest;
mod merge;
mod openmp;
mod outputs;
mod progress;
mod run;
mod settings;
mod summary;
mod verdicts;
mod walk;
mod worker;

use clap::Parser;

/// mimalloc instead of glibc's malloc: reading a printed page allocates and
/// frees many small objects (hayro's parsed objects, glyph lists), and glibc's
/// allocator was a third of the time (README "Benchmarks").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::path::PathBuf;

/// Turn PDFs of 财政项目支出绩效目标申报表 (budget-project performance-target
/// forms) into one JSON document per form.
///
/// Every PDF under INPUT is read (printed files from their text layer, scans
/// by OCR); every form found is written to OUT/<path of the PDF without
/// .pdf>/NN.json (NN = the form's order in its file), with each repair made
/// and each doubt listed in the document's `repairs` and `warnings`.
/// OUT/manifest.json says what happened to every input file, and
/// OUT/forms.sqlite holds the rows and documents as tables (--db, --no-db).
///
/// `jxingest merge OUT1 OUT2 … --out OUT` joins the outputs of a run split
/// with --shard into one (see `jxingest merge --help`).
///
/// `jxingest review OUT` serves the verdict desk over a finished run: settle
/// every doubt on its page, from the keyboard (see `jxingest review --help`).
///
/// Each file is read in a worker process of its own, within a time and a
/// memory limit, so a hostile or broken file stops only itself.
///
/// Exit status: 0 when every file was read (with or without forms); 1 when
/// some file failed, was only partly read (recovered, incomplete, needs_ocr,
/// ocr_failed: see the manifest) or an output could not be written; 2 when
/// the run itself could not start (bad arguments, unwritable OUT).
#[derive(Parser, Debug)]
#[command(version, about, long_about)]
pub struct Args {
    /// A PDF file, or a folder searched recursively for *.pdf.
    pub input: PathBuf,
    /// Output folder (created if missing).
    #[arg(long, short)]
    pub out: PathBuf,
    /// Files processed at once [default: all cores].
    #[arg(long, short)]
    pub jobs: Option<usize>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Seconds a file may go without progress (opening it, reading one page,
    /// mapping its forms) before it is stopped; a file gets 30 times this in
    /// all.
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub timeout: u64,
    /// Memory (address space) a file may use, in MiB; 0 for no limit.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    pub max_memory: u64,
    /// Take up an earlier run into OUT: inputs whose sha256 and options
    /// match its manifest (or the journal of an interrupted run), and whose
    /// outputs are there, are not read again; their rows are carried over.
    #[arg(long)]
    pub resume: bool,
    /// Folder holding Tesseract's chi_sim.traineddata [default: Tesseract's
    /// own].
    #[arg(long, value_name = "DIR")]
    pub tessdata: Option<PathBuf>,
    /// Read only shard K of N (K is 0-based, 0 <= K < N): the inputs whose
    /// SHA-256 of their relative path, mod N, is K. Each shard writes its
    /// own OUT; `jxingest merge` joins them.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<walk::Shard>,
    #[command(flatten)]
    pub outputs: outputs::OutputArgs,
    /// Write a review site to OUT/review/ (open OUT/review/index.html in a
    /// browser, from disk): each form's page images with every value's box,
    /// repair and warning marked, beside the values as read. `doubtful`
    /// writes pages only for forms with repairs or warnings.
    #[arg(long, value_name = "WHICH", num_args = 0..=1, default_missing_value = "all",
          value_parser = ["all", "doubtful"])]
    pub review: Option<String>,
    /// The recogniser of scanned pages: Tesseract, PP-OCRv5 (ONNX Runtime),
    /// or both reconciled cell by cell (see the README for the measured
    /// choice). PP-OCR needs ONNX Runtime and its models, installed by
    /// scripts/install-deps; $JXINGEST_ORT_DYLIB names the runtime library.
    /// [default: both; tesseract, said on stderr, where PP-OCR is not
    /// installed]
    #[arg(long, value_enum)]
    pub ocr_engine: Option<jx_ocr::EngineChoice>,
    /// Folder holding PP-OCRv5's rec.onnx and ppocrv5_dict.txt [default: the
    /// install-deps location].
    #[arg(long, value_name = "DIR")]
    pub ppocr_models: Option<PathBuf>,
    /// Read every cell of every scanned page. By default a scanned page
    /// that does not follow a form's page is read a dozen cells first, and
    /// whole only when one of them is of the form's vocabulary.
    #[arg(long)]
    pub read_every_cell: bool,
    /// Bring in the verdicts of an earlier run (its OUT/verdicts.jsonl):
    /// they are added to OUT/verdicts.jsonl and applied to the forms read,
    /// like the verdicts already there (a verdict made on another reading
    /// than this run's is reported `verdict_stale`, not applied).
    #[arg(long, value_name = "FILE")]
    pub verdicts: Option<PathBuf>,
}

fn main() {
    // Process policy, decided here and nowhere else: Tesseract's OpenMP
    // threads must be capped before the library loads, so this may
    // re-execute the program once with OMP_THREAD_LIMIT=1.
    if let Err(e) = openmp::ensure_openmp_single_thread() {
        eprintln!("jxingest: warning: could not limit OpenMP threads ({e}); OCR will be slower");
    }
    // The hidden worker mode (see worker.rs): `jxingest --worker`.
    if std::env::args_os().nth(1).is_some_and(|a| a == "--worker") {
        std::process::exit(worker::worker_main());
    }
    // `jxingest review OUT`: the verdict desk (see desk/).
    if std::env::args_os().nth(1).is_some_and(|a| a == "review") {
        std::process::exit(desk::review_main());
    }
    // `jxingest merge OUT1 OUT2 … --out OUT` (see merge.rs).
    if std::env::args_os().nth(1).is_some_and(|a| a == "merge") {
        std::process::exit(merge::merge_main());
    }
    let args = Args::parse();
    match run::run(&args) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("jxingest: error: {e:#}");
            std::process::exit(2);
        }
    }
}
