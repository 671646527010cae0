//! `jxingest review OUT`: the verdict desk. A local web server over a
//! finished run where an archivist walks the form's doubts with the
//! keyboard beside its page images, accepts or corrects each value (and
//! the same reading on the file's other forms at once), and every decision
//! is kept ([`state`]).
//!
//! Walls ([`http`]): bound to 127.0.0.1 only; a random token, printed in
//! the URL, must come with every request; the Host must be the server's
//! own and a cross-site request is refused, so neither another page in the
//! browser nor another user's process can read or write; only files the
//! run wrote under OUT are served, by names the server makes, never by a
//! path the request names. The desk reads no PDF itself: its page images
//! are those the run drew in its workers (`--review all`), or, with
//! `--input`, drawn when first shown by a worker process of its own under
//! the same limits as a run's.

mod http;
mod state;

use anyhow::{Context, Result};
use clap::Parser;
use std::path::PathBuf;

/// Serve the verdict desk over a finished run: walk each form's doubts on
/// its page images with the keyboard, accept or correct them, and keep
/// every decision (OUT/verdicts.jsonl, the form's JSON, the database).
///
/// The page images are those of the run's review site: run with
/// `--review all` to have every form's pages drawn.
#[derive(Parser, Debug)]
#[command(
    name = "jxingest review",
    bin_name = "jxingest review",
    version,
    about,
    long_about
)]
pub struct ReviewArgs {
    /// The output folder of a finished run (with its manifest.json).
    pub out: PathBuf,
    /// The run's database, updated with each verdict [default:
    /// OUT/forms.sqlite, when it exists].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Who decides, as recorded in each verdict [default: $USER].
    #[arg(long, value_name = "NAME")]
    pub by: Option<String>,
    /// Port on 127.0.0.1 [default: a free one].
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// The run's input folder (what the manifest's paths are relative to):
    /// a page image the run did not draw (no `--review all`) is drawn from
    /// it when first shown, by a worker process under the limits below,
    /// and kept under OUT/review/pages/.
    #[arg(long, value_name = "DIR")]
    pub input: Option<PathBuf>,
    /// Seconds a page may take to draw (as a run's --timeout).
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub timeout: u64,
    /// Memory (address space) the drawing worker may use, MiB; 0: no limit.
    #[arg(long, value_name = "MIB", default_value_t = 4096)]
    pub max_memory: u64,
}

/// `jxingest review …` as a program: the exit status.
pub fn review_main() -> i32 {
    // "review" stands where clap expects the program's name.
    let args = ReviewArgs::parse_from(std::env::args_os().skip(1));
    match serve(&args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("jxingest review: error: {e:#}");
            2
        }
    }
}

fn serve(args: &ReviewArgs) -> Result<()> {
    let by = args
        .by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|b| !b.trim().is_empty())
        .unwrap_or_else(|| "archivist".into());
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| args.out.join(jx_store::FILE_NAME));
    let mut desk = state::Desk::open(&args.out, Some(db), by)
        .with_context(|| format!("cannot open {}", args.out.display()))?;
    if let Some(input) = &args.input {
        let limits = crate::worker::Limits {
            timeout: std::time::Duration::from_secs(args.timeout.max(1)),
            memory_mib: args.max_memory,
            threads: 1,
        };
        let renderer = crate::worker::WorkerRenderer::new(crate::worker::Slot::new(limits));
        desk.draw_missing_pages(input.clone(), Box::new(renderer));
    }
    let server = http::Server::bind(desk, args.port)?;
    // The one line a script (or the browser test) waits for.
    println!("{}", server.url());
    eprintln!(
        "jxingest review: serving {} — open the URL above; Ctrl-C stops",
        args.out.display()
    );
    server.run();
    Ok(())
}
