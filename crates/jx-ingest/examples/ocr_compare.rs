//! Measures OCR configurations on scanned samples against their expected
//! JSON: character error rate and exact-field rate per kind of field and per
//! resolution. Driven by `scripts/ocr-compare`.
//!
//! ```text
//! ocr_compare SCANS_DIR EXPECTED_DIR [CONFIG...]
//! ```
//!
//! CONFIG: `tesseract` (the default options), `tesseract-h30` (text scaled
//! to 30 px instead of 22 before recognition), `tesseract-psm6` (a block
//! for every box, never a single line), `ppocr`, `both`. Every PDF under
//! SCANS_DIR is read through the whole pipeline (`jx_ingest::ingest`), and
//! each form is compared with `EXPECTED_DIR/<pdf stem>/NN.json`, field by
//! field, strings by the contract's rule (NFKC, white space removed). The
//! resolution is taken from the file name (`scan300` → 300 dpi).

use jx_form::labels::edit_distance;
use jx_ingest::{IngestOptions, Ocr, SourceFile};
use jx_ocr::EngineChoice;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The kind of a field, by its path in the record.
fn kind(path: &str) -> Option<&'static str> {
    let skip = [
        "source",
        "repairs",
        "warnings",
        "provenance",
        "schema_version",
    ];
    if skip.iter().any(|s| path.starts_with(&format!(".{s}"))) {
        return None;
    }
    // Parsed parts of a value: the text is what was read.
    if path.contains(".value.") && !path.ends_with(".value.text") {
        return None;
    }
    Some(if path.ends_with(".value.text") {
        "values"
    } else if path.starts_with(".funds") {
        "amounts"
    } else if path.ends_with("_date") || path == ".year" {
        "dates"
    } else if path.starts_with(".goals") {
        "free text"
    } else if path.ends_with(".level1")
        || path.ends_with(".level2")
        || path.ends_with("_title")
        || path.ends_with(".nature")
        || path.ends_with(".category")
    {
        "labels"
    } else {
        "names"
    })
}

fn flatten(v: &Value, path: String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                flatten(x, format!("{path}.{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                flatten(x, format!("{path}[{i}]"), out);
            }
        }
        Value::Null => out.push((path, String::new())),
        Value::String(s) => out.push((path, s.clone())),
        other => out.push((path, other.to_string())),
    }
}

/// Whether the document's repairs or warnings name the field (its path, or
/// a path that holds it: `indicators[3].value` holds `indicators[3].value.text`;
/// a whole block's path does not count).
fn flagged(doc: &Value, field: &str) -> bool {
    let field = field.trim_start_matches('.');
    ["repairs", "warnings"].iter().any(|list| {
        doc[*list].as_array().is_some_and(|ds| {
            // A block's path (`funds`, `indicators`: a label of the block
            // snapped) names no field; `form_title`, `year` are fields.
            ds.iter().filter_map(|d| d["path"].as_str()).any(|p| {
                !["project", "funds", "goals", "indicators", ""].contains(&p)
                    && (field == p
                        || field
                            .strip_prefix(p)
                            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('[')))
            })
        })
    })
}

/// How well the doubts find the mistakes: of the fields read wrong, how
/// many carry a repair or warning naming them; of those read right, how many.
#[derive(Default, Clone, Copy)]
struct Doubts {
    wrong: usize,
    wrong_flagged: usize,
    right: usize,
    right_flagged: usize,
}

impl Doubts {
    fn add(&mut self, right: bool, flagged: bool) {
        if right {
            self.right += 1;
            self.right_flagged += usize::from(flagged);
        } else {
            self.wrong += 1;
            self.wrong_flagged += usize::from(flagged);
        }
    }
}

#[derive(Default, Clone, Copy)]
struct Tally {
    fields: usize,
    exact: usize,
    chars: usize,
    errors: usize,
}

impl Tally {
    /// Compared by the contract's rule for strings: NFKC, white space removed.
    /// Adds one field; whether it was read right.
    fn add(&mut self, want: &str, got: &str) -> bool {
        use unicode_normalization::UnicodeNormalization;
        let norm = |s: &str| -> Vec<char> { s.nfkc().filter(|c| !c.is_whitespace()).collect() };
        let (w, g) = (norm(want), norm(got));
        self.fields += 1;
        self.exact += usize::from(w == g);
        self.chars += w.len().max(1);
        self.errors += edit_distance(&w, &g);
        w == g
    }

    fn cell(&self) -> String {
        if self.fields == 0 {
            return "-".into();
        }
        format!(
            "{:5.1}% {:5.2}%",
            100.0 * self.exact as f64 / self.fields as f64,
            100.0 * self.errors as f64 / self.chars as f64
        )
    }
}

fn options(config: &str) -> Option<IngestOptions> {
    let mut o = IngestOptions::default();
    match config {
        "tesseract" => {}
        "tesseract-h30" => o.ocr.text_height_px = 30,
        "tesseract-psm6" => o.ocr.single_line_psm = false,
        "ppocr" => o.ocr.engine = EngineChoice::PpOcr,
        "both" => o.ocr.engine = EngineChoice::Both,
        _ => return None,
    }
    Some(o)
}

fn resolution(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(|w| w.strip_prefix("scan").filter(|d| d.parse::<u32>().is_ok()))
        .map_or("?".into(), |d| format!("{d} dpi"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 {
        eprintln!("usage: ocr_compare SCANS_DIR EXPECTED_DIR [CONFIG...]");
        std::process::exit(2);
    }
    let (scans, expected) = (PathBuf::from(&args[0]), PathBuf::from(&args[1]));
    let configs: Vec<String> = if args.len() > 2 {
        args[2..].to_vec()
    } else {
        [
            "tesseract",
            "tesseract-h30",
            "tesseract-psm6",
            "ppocr",
            "both",
        ]
        .map(String::from)
        .to_vec()
    };
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&scans)
        .expect("scans dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    let kinds = [
        "labels",
        "names",
        "values",
        "amounts",
        "dates",
        "free text",
        "all",
    ];
    println!(
        "{:<16} {:<9} {}",
        "config",
        "scan",
        kinds.map(|k| format!("{k:>14}")).join("")
    );
    println!(
        "{:<26} (each column: exact fields %, character error rate %)",
        ""
    );
    for config in &configs {
        let Some(opts) = options(config) else {
            eprintln!("unknown config {config}");
            std::process::exit(2);
        };
        let engine = match jx_ingest::recognizer(&opts) {
            Ok(e) => e,
            Err(e) => {
                println!("{config:<16} unavailable: {e}");
                continue;
            }
        };
        let mut by_res: BTreeMap<String, BTreeMap<&str, Tally>> = BTreeMap::new();
        let mut secs = 0.0;
        let mut doubts = Doubts::default();
        for pdf in &pdfs {
            let t = Instant::now();
            let stem = pdf.file_stem().unwrap().to_string_lossy().to_string();
            let got = read(pdf, &opts, engine.as_ref());
            secs += t.elapsed().as_secs_f64();
            let res = resolution(&stem);
            for (i, want) in expected_forms(&expected.join(&stem)).iter().enumerate() {
                let mut w = Vec::new();
                flatten(want, String::new(), &mut w);
                let mut g = Vec::new();
                if let Some(v) = got.get(i) {
                    flatten(v, String::new(), &mut g);
                }
                let g: BTreeMap<String, String> = g.into_iter().collect();
                for (path, want) in w {
                    let Some(k) = kind(&path) else { continue };
                    let got_text = g.get(&path).map_or("", String::as_str);
                    let mut right = false;
                    for key in [res.clone(), "all".to_string()] {
                        let t = by_res.entry(key).or_default();
                        t.entry(k).or_default().add(&want, got_text);
                        right = t.entry("all").or_default().add(&want, got_text);
                    }
                    let is_flagged = got.get(i).is_some_and(|doc| flagged(doc, &path));
                    doubts.add(right, is_flagged);
                }
            }
        }
        for (res, t) in &by_res {
            let cells: String = kinds
                .iter()
                .map(|k| format!("{:>14}", t.get(k).map_or("-".into(), Tally::cell)))
                .collect();
            println!("{config:<16} {res:<9} {cells}");
        }
        println!(
            "{config:<16} {:<9} {secs:.1} s for {} file(s)",
            "time",
            pdfs.len()
        );
        let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;
        println!(
            "{config:<16} {:<9} {:.1} % of the {} fields read wrong carry a repair or warning naming them; {:.1} % of the {} read right do",
            "doubts",
            pct(doubts.wrong_flagged, doubts.wrong),
            doubts.wrong,
            pct(doubts.right_flagged, doubts.right),
            doubts.right
        );
    }
}

fn expected_forms(dir: &Path) -> Vec<Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.file_stem()
            .is_some_and(|s| s.to_string_lossy().chars().all(|c| c.is_ascii_digit()))
    });
    files.sort();
    files
        .iter()
        .filter_map(|p| serde_json::from_str(&std::fs::read_to_string(p).ok()?).ok())
        .collect()
}

fn read(pdf: &Path, opts: &IngestOptions, engine: &dyn jx_ocr::Recognizer) -> Vec<Value> {
    let bytes = std::fs::read(pdf).expect("read pdf");
    let source = SourceFile {
        path: pdf.file_name().unwrap().to_string_lossy().into(),
        sha256: jx_ingest::sha256_hex(&bytes),
    };
    match jx_ingest::ingest(
        bytes,
        &source,
        opts,
        Ocr::Available(engine),
        &[],
        &mut |_| {},
    ) {
        Ok(r) => r
            .forms
            .iter()
            .map(|f| serde_json::to_value(f).expect("record"))
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", pdf.display());
            Vec::new()
        }
    }
}
