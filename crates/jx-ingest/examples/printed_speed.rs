//! The reading of printed files alone, in one process and on one thread:
//! each file's bytes are read into memory once, then the pipeline
//! (`jx_ingest::ingest`: open, interpret, grids, forms) runs over them
//! `REPEAT` times, and the time per page is printed, with the cost of the
//! worker→parent hand-over (the report to JSON and back). No files are
//! written and no process is started, so the figure is the reading's own,
//! which the whole run's wall time (file creation, fsync, other load on a
//! shared disk) blurs. Driven by `scripts/bench`.
//!
//! ```text
//! printed_speed REPEAT FILE.pdf...
//! ```

use jx_ingest::{IngestOptions, Ocr, SourceFile};
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let repeat: usize = args
        .next()
        .ok_or("usage: printed_speed REPEAT FILE.pdf...")?
        .parse()?;
    let files: Vec<String> = args.collect();
    let bytes: Vec<Vec<u8>> = files.iter().map(std::fs::read).collect::<Result<_, _>>()?;
    let opts = IngestOptions::default();
    let (mut pages, mut reading, mut handover) = (0usize, 0.0f64, 0.0f64);
    for _ in 0..repeat {
        for (path, b) in files.iter().zip(&bytes) {
            let t = Instant::now();
            let source = SourceFile {
                path: path.clone(),
                sha256: jx_ingest::sha256_hex(b),
            };
            // Image pages are decoded, not recognised: this measures the
            // printed path.
            let report =
                jx_ingest::ingest(b.clone(), &source, &opts, Ocr::DecodeOnly, &[], &mut |_| {})?;
            reading += t.elapsed().as_secs_f64();
            let t = Instant::now();
            let json = serde_json::to_string(&report)?;
            let _: jx_ingest::FileReport = serde_json::from_str(&json)?;
            handover += t.elapsed().as_secs_f64();
            pages += report.pages;
        }
    }
    let per = |s: f64| s * 1000.0 / pages.max(1) as f64;
    println!(
        "printed, read in one process: {pages} pages, {:.3} ms a page ({:.0} pages/s a core), \
         hand-over to the parent {:.3} ms a page",
        per(reading),
        pages as f64 / reading.max(1e-9),
        per(handover)
    );
    Ok(())
}
