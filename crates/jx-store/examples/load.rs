//! Measures the database's own cost: writes a finished output folder's
//! manifest rows and documents into a new database through the sink, and
//! prints the time spent in the sink alone (reading the JSON excluded).
//!
//!   cargo run --release -p jx-store --example load -- OUT NEW.sqlite

use jx_model::{FileRow, FormRecord, Manifest};
use jx_sink::{FileOutput, Sink};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args_os().skip(1).map(PathBuf::from);
    let (Some(out), Some(db)) = (args.next(), args.next()) else {
        eprintln!("usage: load OUT NEW.sqlite");
        std::process::exit(2);
    };
    let manifest: Manifest =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
            .expect("a manifest");
    let files: Vec<(FileRow, Vec<FormRecord>)> = manifest
        .files
        .iter()
        .map(|row| {
            let forms = row
                .outputs
                .iter()
                .map(|o| serde_json::from_slice(&std::fs::read(out.join(o)).unwrap()).unwrap())
                .collect();
            (row.clone(), forms)
        })
        .collect();
    let _ = std::fs::remove_file(&db);
    let mut took = Duration::ZERO;
    let t = Instant::now();
    let mut store = jx_store::Store::open(&db).expect("the database opens");
    for (row, forms) in &files {
        store
            .file(&FileOutput {
                row,
                forms,
                carried: false,
            })
            .expect("written");
    }
    store.finish(&manifest).expect("finished");
    drop(store);
    took += t.elapsed();
    let n: usize = files.iter().map(|(_, f)| f.len()).sum();
    println!("{:.3} {} {}", took.as_secs_f64(), files.len(), n);
}
