//! Process isolation: every file is read by a worker process, a copy of this
//! program started as `jxingest --worker` (a hidden flag), so that whatever a
//! hostile file does to the reader — loop for ever, exhaust memory, overflow
//! the stack, abort inside a library — ends only that worker.
//!
//! Why processes, measured: a thread cannot be stopped in Rust, so a
//! cooperative deadline checked between pages cannot stop a page that never
//! ends (`tests/hostile/xobject-fanout.pdf` keeps hayro busy for longer than
//! a minute on one page, measured), a stack overflow or an allocation
//! failure aborts the whole process, and there is no per-thread memory
//! limit. A process can be killed, and given its own memory limit. Starting
//! one costs about 19 ms (this binary links Tesseract and 57 libraries;
//! measured with `--version`), as much as a printed file's whole work
//! (11–53 ms on the samples), so workers are kept: each reads file after file
//! until it is stopped, and a new one replaces it. Measured against the
//! former in-process design (same machine, quiet): 35 printed files in
//! 0.48–0.62 s either way at `--jobs 2` (0.82–0.94 s at `--jobs 1`); the 3
//! scans in 5.9–6.3 s either way.
//!
//! The protocol: the parent writes one JSON [`Request`] per line on the
//! worker's stdin; the worker answers on stdout with lines `JXW1 <json>`
//! ([`Reply`]): a [`Step`] before each step of the file (opening it, each
//! page, mapping), then [`Done`] with the result — the file's typed report
//! (form records, page roles, problems), which the parent hands to the
//! sinks (serde_json's `float_roundtrip` keeps every number exact across
//! the pipe, so the bytes written are those of an in-process run). Other lines
//! on stdout (a library printing) are ignored; stderr is kept (its first
//! and last 4 kB) to tell why a worker died.
//!
//! The limits, enforced by the parent:
//! * `--timeout SECS`: a file that makes no step for SECS seconds is stopped
//!   (its worker killed), and any file after 30 × SECS in all. A step is one
//!   page, so a long scanned volume is not cut short while it progresses;
//!   a printed page takes ~10 ms, a scanned one ~1 s of CPU.
//! * `--max-memory MIB`: the worker's address space is capped (`ulimit -v`
//!   through `/bin/sh`, the only way to set a limit from safe Rust without a
//!   new dependency); an allocation beyond it fails and the worker aborts.
//!
//! When a worker is stopped or dies while reading page N, the file is tried
//! again with page N skipped (at most [`MAX_SKIPS`] pages): the other pages
//! are kept and the file is `recovered`, its reason naming the lost page.
//! Stopped while opening the file or mapping its forms, it is `failed`.
//!
//! The review site's page images are drawn by the same worker program under
//! the same limits ([`render`]): no byte of an input is parsed in the parent.

mod render;

pub use render::WorkerRenderer;

use crate::settings::Settings;
use jx_ingest::{FileReport, Ocr, SkipPage, SourceFile, Step};
use jx_model::{Problem, ProblemCode};
use jx_ocr::Recognizer;
use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The prefix of the worker's protocol lines on stdout.
const PREFIX: &str = "JXW1 ";
/// Pages skipped, at most, before a file that keeps stopping its worker is
/// given up.
pub const MAX_SKIPS: usize = 3;
/// A file gets this many times `--timeout` in all.
pub const TOTAL_FACTOR: u32 = 30;
/// Largest input file read (bytes).
pub const MAX_FILE_BYTES: u64 = 1 << 30;
/// Bytes of a worker's stderr kept, at its start and at its end, to explain
/// its death.
const STDERR_TAIL: usize = 4096;

/// Parent → worker: one line of the protocol.
#[derive(Debug, Serialize, Deserialize)]
pub enum Order {
    /// Read a file (answered by steps and [`Reply::Done`]).
    Read(Request),
    /// Draw pages of a file for the review site (see [`render`]).
    Render(render::RenderRequest),
}

/// Parent → worker: read this file, with these settings.
#[derive(Debug, Serialize, Deserialize)]
pub struct Request {
    pub path: PathBuf,
    pub rel: String,
    /// The run's settings: the worker builds no options of its own.
    pub settings: Settings,
    /// Pages not to read, with why (they stopped an earlier attempt).
    pub skip: Vec<SkipPage>,
}

/// Worker → parent.
#[derive(Debug, Serialize, Deserialize)]
pub enum Reply {
    Step(Step),
    Done(Done),
    /// A page drawn for the review site, or why not.
    Drawn(render::Drawn),
    /// Every page of a [`Order::Render`] answered.
    Rendered,
}

/// The worker's answer for one file: its report, or the problem that kept
/// it from being read at all.
#[derive(Debug, Serialize, Deserialize)]
pub struct Done {
    pub sha256: Option<String>,
    pub result: Result<FileReport, Problem>,
}

/// Why the parent stopped a file (a limit, or its worker died): the
/// problem for its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stop(pub Problem);

/// Limits and settings of the workers.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Longest time without a step.
    pub timeout: Duration,
    /// Address-space cap of a worker, MiB (0: none).
    pub memory_mib: u64,
    /// Threads a worker's rayon pool may use (OCR reads cells in parallel):
    /// all of `--jobs` (at most 8, see `main.rs`), so that when fewer files
    /// than workers are left the busy workers use the idle cores. Measured on the 3 scans at
    /// `--jobs 2`: 5.9–6.3 s with this, 8.4–9.0 s with `jobs / workers`
    /// threads each, 5.9–6.3 s for the former in-process design.
    pub threads: usize,
}

// ------------------------------------------------------------ worker side

/// The worker's main loop: reads requests until stdin closes.
pub fn worker_main() -> i32 {
    jx_ingest::install_panic_hook();
    #[cfg(unix)]
    {
        // Exit when the parent is gone (its files are no longer wanted).
        let parent = std::os::unix::process::parent_id();
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                if std::os::unix::process::parent_id() != parent {
                    std::process::exit(3);
                }
            }
        });
    }
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        match serde_json::from_str::<Order>(&line) {
            Ok(Order::Read(req)) => {
                let done = read_file(&req, &mut |step| emit(&Reply::Step(step)));
                emit(&Reply::Done(done));
            }
            Ok(Order::Render(req)) => render::render_file(&req),
            Err(_) => {}
        }
    }
    0
}

fn emit(reply: &Reply) {
    let mut out = std::io::stdout().lock();
    let text = serde_json::to_string(reply).expect("replies serialize");
    if writeln!(out, "{PREFIX}{text}")
        .and_then(|()| out.flush())
        .is_err()
    {
        // The parent is gone.
        std::process::exit(3);
    }
}

/// Reads one input file: regular files only, at most [`MAX_FILE_BYTES`].
pub fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read file: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file (a device, a pipe or a folder named .pdf)".into());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than the {} MiB accepted",
            MAX_FILE_BYTES >> 20
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("cannot read file: {e}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than the {} MiB accepted",
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(bytes)
}

/// One engine for the worker's life (all requests of a run carry the same
/// settings); Tesseract instances behind it are per thread.
fn engine(settings: &Settings) -> &'static Result<Box<dyn Recognizer>, String> {
    static ENGINE: OnceLock<Result<Box<dyn Recognizer>, String>> = OnceLock::new();
    ENGINE.get_or_init(|| {
        jx_ingest::recognizer(&settings.ingest_options()).map_err(|e| e.to_string())
    })
}

fn read_file(req: &Request, progress: &mut dyn FnMut(Step)) -> Done {
    let bytes = match read_input(&req.path) {
        Ok(b) => b,
        Err(e) => {
            return Done {
                sha256: None,
                result: Err(Problem::file(ProblemCode::InputUnreadable, e)),
            };
        }
    };
    let sha256 = jx_ingest::sha256_hex(&bytes);
    // Test hook, in debug builds only (the tests' binary): a file whose path
    // contains $JXINGEST_TEST_STALL hangs on its first page, as a
    // pathological page would, so the timeout can be tested.
    #[cfg(debug_assertions)]
    let stall = std::env::var("JXINGEST_TEST_STALL")
        .ok()
        .filter(|s| !s.is_empty() && req.rel.contains(s.as_str()));
    #[cfg(not(debug_assertions))]
    let stall: Option<String> = None;
    let progress = &mut |step: Step| {
        progress(step);
        if stall.is_some() && step == Step::Page(1) {
            loop {
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    };
    let opts = req.settings.ingest_options();
    // The recogniser starts only when a file has an image page.
    let make = || match engine(&req.settings) {
        Ok(e) => Ok(e.as_ref()),
        Err(why) => Err(why.as_str()),
    };
    let ocr = Ocr::Lazy(&make);
    let source = SourceFile {
        path: req.rel.clone(),
        sha256: sha256.clone(),
    };
    let result = jx_ingest::ingest(bytes, &source, &opts, ocr, &req.skip, progress)
        .map_err(|e| e.to_problem());
    Done {
        sha256: Some(sha256),
        result,
    }
}

// ------------------------------------------------------------ parent side

enum Line {
    Reply(Reply),
    Eof,
}

/// A running worker.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    replies: Receiver<Line>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl Worker {
    fn spawn(limits: &Limits) -> std::io::Result<Worker> {
        let exe = std::env::current_exe()?;
        let mut cmd = if limits.memory_mib > 0 && cfg!(unix) && Path::new("/bin/sh").exists() {
            let mut c = Command::new("/bin/sh");
            c.arg("-c")
                .arg("ulimit -v \"$1\" 2>/dev/null; exec \"$0\" --worker")
                .arg(&exe)
                .arg((limits.memory_mib * 1024).to_string());
            c
        } else {
            let mut c = Command::new(&exe);
            c.arg("--worker");
            c
        };
        // No backtraces: an allocation failure would print one and push the
        // line that names it out of the kept stderr.
        // Threads are the program's policy: rayon's pool as the run decided,
        // Tesseract's OpenMP capped (the user's own cap is passed on).
        let omp = std::env::var_os(crate::openmp::OMP_THREAD_LIMIT).unwrap_or_else(|| "1".into());
        cmd.env("RAYON_NUM_THREADS", limits.threads.max(1).to_string())
            .env(crate::openmp::OMP_THREAD_LIMIT, omp)
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn()?;
        let stdin = child.stdin.take().expect("piped");
        let stdout = child.stdout.take().expect("piped");
        let mut stderr = child.stderr.take().expect("piped");
        let (tx, replies) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            let mut line = String::new();
            loop {
                line.clear();
                match r.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        if let Some(json) = line.trim_end().strip_prefix(PREFIX)
                            && let Ok(reply) = serde_json::from_str::<Reply>(json)
                            && tx.send(Line::Reply(reply)).is_err()
                        {
                            return;
                        }
                    }
                }
            }
            let _ = tx.send(Line::Eof);
        });
        let tail = Arc::new(Mutex::new(Vec::new()));
        let sink = tail.clone();
        let stderr_reader = std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let mut t = sink.lock().unwrap_or_else(|e| e.into_inner());
                t.extend_from_slice(&buf[..n]);
                if t.len() > 2 * STDERR_TAIL {
                    // Keep the head (the first message) and the tail.
                    let end = t.len() - STDERR_TAIL;
                    t.drain(STDERR_TAIL..end);
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            replies,
            stderr: tail,
            stderr_reader: Some(stderr_reader),
        })
    }

    fn send(&mut self, req: &Order) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(req).expect("requests serialize");
        line.push(b'\n');
        self.stdin.write_all(&line)?;
        self.stdin.flush()
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Why the worker ended: waits for it and reads what it printed.
    fn death(mut self, limits: &Limits) -> String {
        let status = self.child.wait();
        if let Some(h) = self.stderr_reader.take() {
            let _ = h.join();
        }
        let tail = String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(|e| e.into_inner()))
            .into_owned();
        describe_death(status.ok(), &tail, limits.memory_mib)
    }
}

/// Words for a worker's death from its exit status and the end of its
/// stderr.
fn describe_death(
    status: Option<std::process::ExitStatus>,
    stderr: &str,
    memory_mib: u64,
) -> String {
    if stderr.contains("memory allocation of") || stderr.contains("bad_alloc") {
        return if memory_mib > 0 {
            format!("out of memory (more than the {memory_mib} MiB allowed a file)")
        } else {
            "out of memory".into()
        };
    }
    if stderr.contains("overflowed its stack") {
        return "the reader overflowed its stack (nesting too deep)".into();
    }
    let last = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.chars().take(200).collect::<String>());
    let how = match status {
        #[cfg(unix)]
        Some(s) if std::os::unix::process::ExitStatusExt::signal(&s).is_some() => {
            let sig = std::os::unix::process::ExitStatusExt::signal(&s).unwrap_or(0);
            let name = match sig {
                6 => " (abort)",
                9 => " (killed: the system may have run out of memory)",
                11 => " (segmentation fault)",
                _ => "",
            };
            format!("the reader crashed: signal {sig}{name}")
        }
        Some(s) => format!("the reader exited unexpectedly ({s})"),
        None => "the reader vanished".into(),
    };
    match last {
        Some(l) => format!("{how}: {l}"),
        None => how,
    }
}

/// One slot of the pool: a worker reused across files.
pub struct Slot {
    worker: Option<Worker>,
    limits: Limits,
}

impl Slot {
    pub fn new(limits: Limits) -> Slot {
        Slot {
            worker: None,
            limits,
        }
    }

    /// Reads one file in a worker, within the limits; `on_step` hears each
    /// step the worker reports. `Err` says why the file was stopped.
    pub fn read(
        &mut self,
        path: &Path,
        rel: &str,
        settings: &Settings,
        on_step: &mut dyn FnMut(Step),
    ) -> Result<Done, Stop> {
        let timeout = self.limits.timeout;
        let file_deadline = Instant::now() + timeout * TOTAL_FACTOR;
        let mut skip: Vec<SkipPage> = Vec::new();
        loop {
            let req = Order::Read(Request {
                path: path.to_path_buf(),
                rel: rel.to_string(),
                settings: settings.clone(),
                skip: skip.clone(),
            });
            let w = self.ready_worker(&req)?;
            let mut step = Step::Open;
            let mut step_deadline = Instant::now() + timeout;
            let why = loop {
                let deadline = step_deadline.min(file_deadline);
                match w
                    .replies
                    .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                {
                    Ok(Line::Reply(Reply::Step(s))) => {
                        on_step(s);
                        step = s;
                        step_deadline = Instant::now() + timeout;
                    }
                    Ok(Line::Reply(Reply::Done(done))) => {
                        self.worker = Some(w);
                        return Ok(done);
                    }
                    // Not an answer to a read.
                    Ok(Line::Reply(Reply::Drawn(_) | Reply::Rendered)) => {}
                    Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => {
                        break w.death(&self.limits);
                    }
                    Err(RecvTimeoutError::Timeout) => {
                        w.kill();
                        break if Instant::now() >= file_deadline {
                            format!(
                                "timed out ({} s in all)",
                                (timeout * TOTAL_FACTOR).as_secs()
                            )
                        } else {
                            format!("timed out (no progress for {} s)", timeout.as_secs())
                        };
                    }
                }
            };
            if let Step::Page(p) = step
                && skip.len() < MAX_SKIPS
                && Instant::now() < file_deadline
            {
                skip.push(SkipPage {
                    page: p,
                    why: format!("stopped: {why}"),
                });
                continue;
            }
            return Err(Stop(Problem::file(
                ProblemCode::Stopped,
                format!("{why} while {}", step.describe()),
            )));
        }
    }

    /// A worker that has accepted `req` (a worker found dead is replaced
    /// once).
    fn ready_worker(&mut self, req: &Order) -> Result<Worker, Stop> {
        let stop = |d: String| Stop(Problem::file(ProblemCode::Stopped, d));
        for _ in 0..2 {
            let mut w = match self.worker.take() {
                Some(w) => w,
                None => Worker::spawn(&self.limits)
                    .map_err(|e| stop(format!("cannot start a worker process: {e}")))?,
            };
            if w.send(req).is_ok() {
                return Ok(w);
            }
            w.kill();
        }
        Err(stop("the worker process does not accept work".into()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(w) = self.worker.take() {
            // Closing stdin ends an idle worker at once.
            drop(w.stdin);
            let mut child = w.child;
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deaths_are_put_in_words() {
        let oom = describe_death(None, "memory allocation of 4294967296 bytes failed\n", 4096);
        assert_eq!(oom, "out of memory (more than the 4096 MiB allowed a file)");
        let so = describe_death(
            None,
            "\nthread 'main' has overflowed its stack\nfatal runtime error: stack overflow",
            0,
        );
        assert!(so.contains("stack"));
        assert_eq!(describe_death(None, "", 0), "the reader vanished");
    }

    #[test]
    fn inputs_that_are_not_regular_files_are_refused() {
        assert!(
            read_input(Path::new("/dev/zero"))
                .unwrap_err()
                .contains("not a regular file")
        );
        assert!(
            read_input(Path::new("/nonexistent/x.pdf"))
                .unwrap_err()
                .contains("cannot read")
        );
    }

    #[test]
    fn requests_and_replies_round_trip() {
        let report = FileReport {
            pages: 2,
            forms: vec![],
            mode: Some(jx_model::Extraction::Text),
            page_roles: vec![jx_model::PageRole::Cover, jx_model::PageRole::Unreadable],
            unmapped: vec![],
            problems: vec![Problem::page(ProblemCode::PageLost, 2, "项目 x")],
        };
        let r = Reply::Done(Done {
            sha256: Some("ab".into()),
            result: Ok(report.clone()),
        });
        let text = serde_json::to_string(&r).unwrap();
        assert!(!text.contains('\n'));
        let back: Reply = serde_json::from_str(&text).unwrap();
        let Reply::Done(d) = back else { panic!() };
        assert_eq!(d.result.unwrap(), report);
    }
}
