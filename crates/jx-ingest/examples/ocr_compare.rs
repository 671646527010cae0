//! Measures OCR configurations on scanned samples against their expected
//! JSON: character error rate and exact-field rate per kind of field and per
//! resolution. Driven by `scripts/ocr-compare`.
//!
//! ```text
//! ocr_compare [SCANS_DIR EXPECTED_DIR]... [CONFIG...]
//! ```
//!
//! With no folders it measures, from the workspace root, the tuning set
//! (`samples/scans`, the scans the doubt rules were tuned on) and the
//! held-out set (`samples/heldout/scans`, which no rule may be tuned on),
//! and ends with a table that puts the sets side by side: per config, the
//! exact fields and how many of the fields read wrong and read right carry
//! a doubt.
//!
//! CONFIG: `tesseract` (the default options), `tesseract-h30` (text scaled
//! to 30 px instead of 22 before recognition), `tesseract-psm6` (a block
//! for every box, never a single line), `ppocr`, `both`. Every PDF in a
//! scans folder is read through the whole pipeline (`jx_ingest::ingest`), and
//! each form is compared with `EXPECTED_DIR/<pdf stem>/NN.json`, field by
//! field, strings by the contract's rule (NFKC, white space removed). The
//! resolution is taken from the file name (`scan300` → 300 dpi).
//!
//! `--list-wrong` (anywhere among the configs) also prints, per config and
//! set, every field read wrong, grouped by kind: file, form (`NN.json`),
//! path, expected, got, and whether it is flagged, with the kinds of the
//! repairs and warnings naming it.

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

/// The kinds of the document's repairs and warnings that name the field
/// (its path, or a path that holds it: `indicators[3].value` holds
/// `indicators[3].value.text`). A whole block's path (`funds`,
/// `indicators`, the form `""`) counts only for the warnings that doubt
/// the block's content as a whole — its table not found
/// (`missing_section`), a page of it lost (`page_lost`) — not for a repair
/// of the block's label. The field is flagged when there is any.
fn naming(doc: &Value, field: &str) -> Vec<String> {
    let field = field.trim_start_matches('.');
    let mut kinds = Vec::new();
    for list in ["repairs", "warnings"] {
        for d in doc[list].as_array().into_iter().flatten() {
            let Some(p) = d["path"].as_str() else {
                continue;
            };
            // A block's path (`funds`, `indicators`: a label of the block
            // snapped) names no field; `form_title`, `year` are fields.
            let holds = field == p
                || p.is_empty()
                || field
                    .strip_prefix(p)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['));
            let block = ["project", "funds", "goals", "indicators", ""].contains(&p);
            let doubts_block = list == "warnings"
                && matches!(d["kind"].as_str(), Some("missing_section" | "page_lost"));
            let names = holds && (!block || doubts_block);
            if names {
                let k = d["kind"].as_str().unwrap_or("?");
                let k = if list == "repairs" {
                    format!("repair:{k}")
                } else {
                    k.to_string()
                };
                if !kinds.contains(&k) {
                    kinds.push(k);
                }
            }
        }
    }
    kinds
}

/// A field read wrong, for `--list-wrong`.
struct Wrong {
    file: String,
    form: usize,
    kind: &'static str,
    path: String,
    want: String,
    got: String,
    /// The kinds of the repairs and warnings naming it; empty: not flagged.
    flags: Vec<String>,
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
        let norm = jx_model::text::squeeze_nfkc;
        let (w, g) = (norm(want), norm(got));
        self.fields += 1;
        self.exact += usize::from(w == g);
        self.chars += w.chars().count().max(1);
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

/// A config's options: an engine setting, optionally followed by
/// `@margin=M`, the form layer's `min_char_margin` (`both@margin=0` turns
/// the per-character margin doubt off).
fn options(config: &str) -> Option<IngestOptions> {
    let mut o = IngestOptions::default();
    let (config, margin) = match config.split_once("@margin=") {
        Some((c, m)) => (c, Some(m.parse::<f32>().ok()?)),
        None => (config, None),
    };
    // `both-ppocr-first` / `both-tesseract-first`: the second engine reads
    // only the cells the first read in doubt; `both-always`: every cell.
    let config = match config {
        "both-ppocr-first" => {
            o.ocr.second_look = jx_ocr::SecondLook::PpOcrFirst;
            "both"
        }
        "both-tesseract-first" => {
            o.ocr.second_look = jx_ocr::SecondLook::TesseractFirst;
            "both"
        }
        "both-always" => {
            o.ocr.second_look = jx_ocr::SecondLook::Always;
            "both"
        }
        c => c,
    };
    if let Some(m) = margin {
        o.form.min_char_margin = m;
    }
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

/// A set of scans and the folder of their expected documents.
struct Set {
    label: String,
    scans: PathBuf,
    expected: PathBuf,
}

/// What one configuration did on one set.
#[derive(Default)]
struct Measured {
    by_res: BTreeMap<String, BTreeMap<&'static str, Tally>>,
    secs: f64,
    doubts: Doubts,
    files: usize,
    forms: usize,
    wrong: Vec<Wrong>,
}

const KINDS: [&str; 7] = [
    "labels",
    "names",
    "values",
    "amounts",
    "dates",
    "free text",
    "all",
];

const CONFIGS: [&str; 5] = [
    "tesseract",
    "tesseract-h30",
    "tesseract-psm6",
    "ppocr",
    "both",
];

/// Folders given first (SCANS_DIR EXPECTED_DIR, in pairs), then configs. No
/// folder: the tuning set and the held-out set, from the workspace root.
fn sets_and_configs(args: &[String]) -> (Vec<Set>, Vec<String>) {
    let ndirs = args.iter().take_while(|a| Path::new(a).is_dir()).count();
    if ndirs % 2 == 1 {
        eprintln!("usage: ocr_compare [SCANS_DIR EXPECTED_DIR]... [CONFIG...]");
        std::process::exit(2);
    }
    let mut sets: Vec<Set> = args[..ndirs]
        .chunks(2)
        .map(|p| Set {
            label: p[0].trim_end_matches('/').to_string(),
            scans: PathBuf::from(&p[0]),
            expected: PathBuf::from(&p[1]),
        })
        .collect();
    if sets.is_empty() {
        for (label, scans, expected) in [
            ("tuning", "samples/scans", "samples/expected/scans"),
            (
                "held-out",
                "samples/heldout/scans",
                "samples/heldout/expected",
            ),
        ] {
            if Path::new(scans).is_dir() {
                sets.push(Set {
                    label: format!("{label} ({scans})"),
                    scans: scans.into(),
                    expected: expected.into(),
                });
            } else {
                eprintln!(
                    "{scans}: missing (scripts/gen-samples --heldout makes the held-out set)"
                );
            }
        }
    }
    let configs: Vec<String> = if args.len() > ndirs {
        args[ndirs..].to_vec()
    } else {
        CONFIGS.map(String::from).to_vec()
    };
    (sets, configs)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let list_wrong = args.iter().any(|a| a == "--list-wrong");
    args.retain(|a| a != "--list-wrong");
    let (sets, configs) = sets_and_configs(&args);
    if sets.is_empty() {
        eprintln!("usage: ocr_compare [SCANS_DIR EXPECTED_DIR]... [CONFIG...]");
        std::process::exit(2);
    }
    // Short names for the rows; the summary names the folders.
    let short: Vec<String> = sets
        .iter()
        .map(|s| s.label.split(' ').next().unwrap_or("").to_string())
        .collect();
    let width = short
        .iter()
        .map(|s| s.chars().count())
        .max()
        .unwrap_or(0)
        .max(3);
    println!(
        "{:<16} {:<width$} {:<9} {}",
        "config",
        "set",
        "scan",
        KINDS.map(|k| format!("{k:>14}")).join("")
    );
    println!(
        "{:<w$} (each column: exact fields %, character error rate %)",
        "",
        w = 28 + width
    );
    let mut summary: Vec<(String, Vec<Measured>)> = Vec::new();
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
        let mut per_set = Vec::new();
        for (set, name) in sets.iter().zip(&short) {
            let m = measure(set, &opts, engine.as_ref());
            for (res, t) in &m.by_res {
                let cells: String = KINDS
                    .iter()
                    .map(|k| format!("{:>14}", t.get(k).map_or("-".into(), Tally::cell)))
                    .collect();
                println!("{config:<16} {name:<width$} {res:<9} {cells}");
            }
            println!(
                "{config:<16} {name:<width$} {:<9} {:.1} s for {} file(s)",
                "time", m.secs, m.files
            );
            let d = m.doubts;
            println!(
                "{config:<16} {name:<width$} {:<9} {:.1} % of the {} fields read wrong carry a repair or warning naming them; {:.1} % of the {} read right do",
                "doubts",
                pct(d.wrong_flagged, d.wrong),
                d.wrong,
                pct(d.right_flagged, d.right),
                d.right
            );
            per_set.push(m);
        }
        summary.push((config.clone(), per_set));
    }
    print_summary(&sets, &summary);
    if list_wrong {
        print_wrong(&short, &summary);
    }
}

/// Every field read wrong, per config and set, grouped by kind.
fn print_wrong(short: &[String], summary: &[(String, Vec<Measured>)]) {
    for (config, per_set) in summary {
        for (name, m) in short.iter().zip(per_set) {
            println!();
            println!(
                "fields read wrong: {config}, {name} ({} fields, {} flagged)",
                m.wrong.len(),
                m.wrong.iter().filter(|w| !w.flags.is_empty()).count()
            );
            for kind in KINDS.iter().filter(|k| **k != "all") {
                let of_kind: Vec<&Wrong> = m.wrong.iter().filter(|w| w.kind == *kind).collect();
                if of_kind.is_empty() {
                    continue;
                }
                let n_flagged = of_kind.iter().filter(|w| !w.flags.is_empty()).count();
                println!("  {kind}: {} wrong, {n_flagged} flagged", of_kind.len());
                for w in of_kind {
                    let flagged = if w.flags.is_empty() {
                        "no".to_string()
                    } else {
                        format!("yes ({})", w.flags.join(", "))
                    };
                    println!(
                        "    {} {:02} {}: expected {:?} got {:?} flagged {flagged}",
                        w.file,
                        w.form,
                        w.path.trim_start_matches('.'),
                        w.want,
                        w.got
                    );
                }
            }
        }
    }
}

fn pct(a: usize, b: usize) -> f64 {
    100.0 * a as f64 / b.max(1) as f64
}

/// Per config, each set's exact fields and doubts, the sets side by side.
fn print_summary(sets: &[Set], summary: &[(String, Vec<Measured>)]) {
    const COL: usize = 50;
    println!();
    println!(
        "side by side: exact = fields read exactly; wrong flagged / right flagged = fields read wrong / right that a repair or warning names"
    );
    let head: String = sets
        .iter()
        .zip(summary.first().map(|(_, m)| m.as_slice()).unwrap_or(&[]))
        .map(|(s, m)| {
            let t = format!("{}: {} files, {} forms", s.label, m.files, m.forms);
            format!(" | {t:<COL$}")
        })
        .collect();
    println!("{:<16}{head}", "");
    let sub: String = sets
        .iter()
        .map(|_| {
            format!(
                " | {:>7} {:>20} {:>20}",
                "exact", "wrong flagged", "right flagged"
            )
        })
        .collect();
    println!("{:<16}{sub}", "config");
    for (config, per_set) in summary {
        let cells: String = per_set
            .iter()
            .map(|m| {
                let all = m
                    .by_res
                    .get("all")
                    .and_then(|t| t.get("all"))
                    .copied()
                    .unwrap_or_default();
                let d = m.doubts;
                format!(
                    " | {:>5.1} % {:>20} {:>20}",
                    pct(all.exact, all.fields),
                    format!(
                        "{}/{} {:5.1} %",
                        d.wrong_flagged,
                        d.wrong,
                        pct(d.wrong_flagged, d.wrong)
                    ),
                    format!(
                        "{}/{} {:5.1} %",
                        d.right_flagged,
                        d.right,
                        pct(d.right_flagged, d.right)
                    ),
                )
            })
            .collect();
        println!("{config:<16}{cells}");
    }
}

/// Reads every PDF of the set and compares its forms with the expected ones.
fn measure(set: &Set, opts: &IngestOptions, engine: &dyn jx_ocr::Recognizer) -> Measured {
    let mut pdfs: Vec<PathBuf> = std::fs::read_dir(&set.scans)
        .expect("scans dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    let mut m = Measured {
        files: pdfs.len(),
        ..Measured::default()
    };
    for pdf in &pdfs {
        let t = Instant::now();
        let stem = pdf.file_stem().unwrap().to_string_lossy().to_string();
        let got = read(pdf, opts, engine);
        m.secs += t.elapsed().as_secs_f64();
        let res = resolution(&stem);
        let wanted = expected_forms(&set.expected.join(&stem));
        m.forms += wanted.len();
        for (i, want) in wanted.iter().enumerate() {
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
                    let t = m.by_res.entry(key).or_default();
                    t.entry(k).or_default().add(&want, got_text);
                    right = t.entry("all").or_default().add(&want, got_text);
                }
                let flags = got.get(i).map(|doc| naming(doc, &path)).unwrap_or_default();
                m.doubts.add(right, !flags.is_empty());
                if !right {
                    m.wrong.push(Wrong {
                        file: stem.clone(),
                        form: i + 1,
                        kind: k,
                        path: path.clone(),
                        want: want.clone(),
                        got: got_text.to_string(),
                        flags,
                    });
                }
            }
        }
    }
    m
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
