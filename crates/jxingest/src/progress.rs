//! The live progress display: on a terminal (stderr), one line redrawn in
//! place at least once a second — files done of all, pages, forms found,
//! the files being read (and their page), the rate and an ETA. Off a
//! terminal, and with `--quiet`, nothing is drawn: a log gets only the
//! final summary.
//!
//! The run's threads share one [`Progress`]: the worker threads say what
//! they start reading and each page they reach, the feeding thread says
//! what is done. Lines meant for the person (a file in trouble) go through
//! [`Progress::note`], printed above the bar instead of through it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use jx_ingest::Step;
use jx_model::FileRow;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How often the line is redrawn even when no file finishes (the elapsed
/// time, the ETA and the spinner move).
const TICK: Duration = Duration::from_millis(250);

/// The progress of one run.
pub struct Progress {
    bar: Option<ProgressBar>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Files being read, with the page each is on.
    reading: Vec<(String, Option<u32>)>,
    pages: usize,
    forms: usize,
    /// Files done in this run (not carried over), for the rate.
    read: usize,
    started: Option<Instant>,
}

impl Progress {
    /// A display of `total` files, drawn only when stderr is a terminal
    /// and the run is not `--quiet`.
    pub fn new(total: usize, quiet: bool) -> Progress {
        let shown = !quiet && std::io::stderr().is_terminal();
        let bar = shown.then(|| {
            let bar = ProgressBar::with_draw_target(
                Some(total as u64),
                ProgressDrawTarget::stderr_with_hz(4),
            );
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} {elapsed} [{bar:20}] {pos}/{len} files · ETA {eta} · {wide_msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(TICK);
            bar
        });
        Progress {
            bar,
            state: Mutex::new(State {
                started: Some(Instant::now()),
                ..State::default()
            }),
        }
    }

    /// A worker starts reading `rel`.
    pub fn reading(&self, rel: &str) {
        self.update(|s| s.reading.push((rel.to_string(), None)));
    }

    /// A worker reading `rel` reached `step`.
    pub fn step(&self, rel: &str, step: Step) {
        self.update(|s| {
            if let Some(r) = s.reading.iter_mut().find(|(p, _)| p == rel) {
                r.1 = match step {
                    Step::Page(n) => Some(n),
                    _ => r.1,
                };
            }
        });
    }

    /// A file is done: read in this run, or carried over (`carried`).
    pub fn done(&self, row: &FileRow, carried: bool) {
        self.update(|s| {
            if let Some(i) = s.reading.iter().position(|(p, _)| *p == row.path) {
                s.reading.remove(i);
            }
            s.pages += row.pages;
            s.forms += row.forms;
            s.read += usize::from(!carried);
        });
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Prints a line for the person, above the bar when it is drawn.
    pub fn note(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Removes the bar (before the summary is printed).
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }

    fn update(&self, change: impl FnOnce(&mut State)) {
        let Ok(mut s) = self.state.lock() else { return };
        change(&mut s);
        if let Some(bar) = &self.bar {
            bar.set_message(s.message());
        }
    }
}

impl State {
    fn message(&self) -> String {
        let took = self.started.map_or(0.0, |t| t.elapsed().as_secs_f64());
        let rate = if self.read > 0 && took > 0.0 {
            format!("{:.1} files/min", self.read as f64 * 60.0 / took)
        } else {
            "– files/min".to_string()
        };
        let reading: Vec<String> = self
            .reading
            .iter()
            .map(|(p, page)| match page {
                Some(n) => format!("{p} (page {n})"),
                None => p.clone(),
            })
            .collect();
        let reading = if reading.is_empty() {
            String::new()
        } else {
            format!(" · reading {}", reading.join(", "))
        };
        format!(
            "{} pages · {} forms · {rate}{reading}",
            self.pages, self.forms
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_what_is_read_and_found() {
        let mut s = State {
            reading: vec![("a.pdf".into(), Some(3)), ("b.pdf".into(), None)],
            pages: 12,
            forms: 4,
            ..State::default()
        };
        assert_eq!(
            s.message(),
            "12 pages · 4 forms · – files/min · reading a.pdf (page 3), b.pdf"
        );
        s.reading.clear();
        s.read = 2;
        s.started = Some(Instant::now() - Duration::from_secs(60));
        assert!(
            s.message()
                .starts_with("12 pages · 4 forms · 2.0 files/min"),
            "{}",
            s.message()
        );
    }

    #[test]
    fn off_a_terminal_nothing_is_drawn() {
        // The test harness's stderr is captured (a pipe), or quiet.
        let p = Progress::new(3, true);
        assert!(p.bar.is_none());
        p.reading("a.pdf");
        p.step("a.pdf", Step::Page(2));
        assert_eq!(
            p.state.lock().unwrap().reading,
            vec![("a.pdf".to_string(), Some(2))]
        );
    }
}
