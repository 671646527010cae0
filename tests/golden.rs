//! Golden tests: the whole pipeline on every PDF of `samples/printed` and `samples/scans`, diffed
//! against the expected documents in `samples/expected/` (written by
//! `scripts/gen-samples` from the same source the PDFs were rendered from —
//! truth by construction, not a snapshot of this program's output).
//!
//! What is compared: every field of the contract except `repairs`,
//! `warnings` and `provenance` (compared separately or not at all), strings
//! by the contract's rule (NFKC, white space removed). Every document written
//! is validated against `schema/project.v1.schema.json`.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// One run of the CLI over samples/printed and samples/scans, shared by the
/// tests. The PDFs are copied to a folder of their own first, so that the
/// held-out scans (samples/heldout, measured by scripts/ocr-compare only)
/// are not read.
fn output() -> &'static Path {
    static OUT: OnceLock<std::path::PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let input = temp_dir("golden-in");
        for group in ["printed", "scans"] {
            std::fs::create_dir_all(input.join(group)).unwrap();
            for e in std::fs::read_dir(root().join("samples").join(group))
                .unwrap()
                .flatten()
            {
                if e.path().extension().is_some_and(|x| x == "pdf") {
                    std::fs::copy(e.path(), input.join(group).join(e.file_name())).unwrap();
                }
            }
        }
        let out = temp_dir("golden");
        run_cli(&input, &out);
        out
    })
}

fn form_files(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| {
                    n.len() == 7
                        && n.ends_with(".json")
                        && n[..2].chars().all(|c| c.is_ascii_digit())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The expected folders of a group (`printed`, `scans`), one per PDF: its
/// path relative to `samples/expected`, the expected folder, the output one.
fn sample_dirs(group: &str) -> Vec<(PathBuf, PathBuf, PathBuf)> {
    let expected = root().join("samples/expected");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(expected.join(group))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let rel = d.strip_prefix(&expected).unwrap().to_path_buf();
            let got = output().join(&rel);
            (rel, d, got)
        })
        .collect()
}

/// Compares one group of samples (`printed` or `scans`).
fn check_group(group: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut compared = 0;
    for (rel, want_dir, got_dir) in sample_dirs(group) {
        let (want, got) = (form_files(&want_dir), form_files(&got_dir));
        if want != got {
            problems.push(format!(
                "{}: forms written {got:?}, want {want:?}",
                rel.display()
            ));
        }
        for f in want.intersection(&got) {
            let (w, g) = (read_json(&want_dir.join(f)), read_json(&got_dir.join(f)));
            let mut d = Vec::new();
            diff(&w, &g, "", &["repairs", "warnings", "provenance"], &mut d);
            problems.extend(d.into_iter().map(|x| format!("{}/{f}: {x}", rel.display())));
            compared += 1;
        }
    }
    assert!(compared > 0, "no expected documents found for {group}");
    problems
}

#[test]
fn printed_samples_match_their_expected_documents_exactly() {
    let problems = check_group("printed");
    assert!(
        problems.is_empty(),
        "{} difference(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// OCR truly varies (a `≥` read as `>`, a stray mark beside a number), so
/// scans are held to a stated share of fields, not to every one: every form
/// must be found, and at least this share of all compared fields (texts,
/// amounts, dates, levels, values; `source` aside) must equal the expected
/// document. Measured when this was written: 0.968 over the three sample
/// scans (150 dpi, 300 dpi, 200 dpi with seals). This is a floor against
/// regressions, below the product's target (issue 3 asks 0.97–0.99 per
/// scan); raise it as the OCR stage improves.
const SCAN_MIN_FIELD_ACCURACY: f64 = 0.93;

#[test]
fn scanned_samples_reach_the_stated_field_accuracy() {
    let group = "scans";
    let (mut fields, mut wrong) = (0usize, 0usize);
    for (rel, want_dir, got_dir) in sample_dirs(group) {
        let (want, got) = (form_files(&want_dir), form_files(&got_dir));
        assert_eq!(
            want,
            got,
            "{}: every scanned form must be found",
            rel.display()
        );
        for f in &want {
            let w = read_json(&want_dir.join(f));
            let g = read_json(&got_dir.join(f));
            assert_eq!(g["source"]["extraction"], "ocr", "{}/{f}", rel.display());
            let mut d = Vec::new();
            diff(
                &w,
                &g,
                "",
                &["repairs", "warnings", "provenance", "source"],
                &mut d,
            );
            fields += count_leaves(&w, &["repairs", "warnings", "provenance", "source"]);
            wrong += d.len();
        }
    }
    let accuracy = 1.0 - wrong as f64 / fields.max(1) as f64;
    eprintln!("scans: {wrong} of {fields} fields differ; accuracy {accuracy:.4}");
    assert!(fields > 100, "too few scanned fields compared: {fields}");
    assert!(
        accuracy >= SCAN_MIN_FIELD_ACCURACY,
        "scan field accuracy {accuracy:.4} < {SCAN_MIN_FIELD_ACCURACY}"
    );
}

fn count_leaves(v: &serde_json::Value, skip: &[&str]) -> usize {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .map(|(_, x)| count_leaves(x, skip))
            .sum(),
        serde_json::Value::Array(a) => a.iter().map(|x| count_leaves(x, skip)).sum(),
        _ => 1,
    }
}

#[test]
fn every_document_written_validates_against_the_schema() {
    let v = schema_validator();
    let mut n = 0;
    for rel in json_files(output()) {
        if rel == Path::new("manifest.json") {
            continue;
        }
        let doc = read_json(&output().join(&rel));
        let errors: Vec<String> = v
            .iter_errors(&doc)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {}",
            rel.display(),
            errors.join("; ")
        );
        n += 1;
    }
    assert!(n >= 20, "only {n} documents written");
}

#[test]
fn every_injected_doubling_is_reported_as_a_repair() {
    let mut checked = 0;
    for rel in json_files(&root().join("samples/expected")) {
        if rel.file_name().is_none_or(|n| n != "defects.json") {
            continue;
        }
        let defects = read_json(&root().join("samples/expected").join(&rel));
        let dir = output().join(rel.parent().unwrap());
        for item in defects["duplicate_glyphs"].as_array().into_iter().flatten() {
            let (nn, path) = item.as_str().unwrap().split_once(':').unwrap();
            let doc = read_json(&dir.join(format!("{nn}.json")));
            let found = doc["repairs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["kind"] == "duplicate_glyphs" && r["path"] == path);
            assert!(
                found,
                "{}: no duplicate_glyphs repair for {nn}:{path}; repairs: {}",
                rel.display(),
                doc["repairs"]
            );
            checked += 1;
        }
    }
    assert!(
        checked > 0,
        "no injected doubling listed in samples/expected/**/defects.json"
    );
}

#[test]
fn the_manifest_lists_every_sample_pdf() {
    let m = read_json(&output().join("manifest.json"));
    let files = m["files"].as_array().unwrap();
    let pdfs = json_files(&root().join("samples")).len();
    assert!(pdfs > 0);
    for f in files {
        assert!(f["sha256"].as_str().is_some_and(|s| s.len() == 64), "{f}");
        assert!(
            ["ok", "no_forms", "needs_ocr", "failed"].contains(&f["status"].as_str().unwrap()),
            "{f}"
        );
    }
    let printed_ok = files
        .iter()
        .filter(|f| f["path"].as_str().unwrap().starts_with("printed/"))
        .all(|f| f["status"] == "ok" && f["extraction"] == "text");
    assert!(
        printed_ok,
        "a printed sample was not read from its text layer: {m}"
    );
}

/// Every page of every sample is accounted for: printed samples have no
/// page that shows a form no document covers, every page a form names is a
/// `form` page, and the pages before the first form hold the cover or other
/// tables — never a form.
#[test]
fn the_manifest_accounts_for_every_page() {
    let m = read_json(&output().join("manifest.json"));
    for f in m["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let roles: Vec<&str> = f["page_roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(
            roles.len() as u64,
            f["pages"].as_u64().unwrap(),
            "{path}: {f}"
        );
        let dir = output().join(path.trim_end_matches(".pdf"));
        let mut form_pages = BTreeSet::new();
        for nn in form_files(&dir) {
            let doc = read_json(&dir.join(&nn));
            for p in doc["source"]["pages"].as_array().unwrap() {
                form_pages.insert(p.as_u64().unwrap() as usize);
            }
        }
        for (i, role) in roles.iter().enumerate() {
            assert_eq!(
                *role == "form",
                form_pages.contains(&(i + 1)),
                "{path}: page {} is {role}; form pages {form_pages:?}",
                i + 1
            );
        }
        if path.starts_with("printed/") {
            assert_eq!(
                f["unmapped"].as_array().map_or(0, Vec::len),
                0,
                "{path}: {f}"
            );
            assert!(
                roles.iter().all(|r| *r != "unreadable"),
                "{path}: {roles:?}"
            );
        }
    }
}

/// Every repair and warning says where it is: its path names a field of the
/// document (or is empty for a whole-form diagnostic), its page is one of
/// the form's pages and its box lies on that page; every provenance entry
/// points to one of the form's pages too. On printed samples, the only
/// repairs are the layout's own defects (overdrawn text, levels lost to a
/// page break, comma groupings): text-layer text is never mended.
#[test]
fn every_repair_and_warning_is_located_on_the_forms_pages() {
    let mut seen = 0;
    for rel in json_files(output()) {
        if rel.file_name().is_some_and(|n| n == "manifest.json") {
            continue;
        }
        let doc = read_json(&output().join(&rel));
        let pages: BTreeSet<u64> = doc["source"]["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_u64().unwrap())
            .collect();
        let printed = rel.starts_with("printed");
        for (list, d) in ["repairs", "warnings"]
            .iter()
            .flat_map(|l| doc[*l].as_array().unwrap().iter().map(move |d| (*l, d)))
        {
            seen += 1;
            let path = d["path"].as_str().unwrap();
            if !path.is_empty() {
                let root = path.split(['.', '[']).next().unwrap();
                assert!(
                    doc.get(root).is_some(),
                    "{}: {list} entry with path {path:?} names no field: {d}",
                    rel.display()
                );
            }
            if let Some(p) = d.get("page").and_then(|p| p.as_u64()) {
                assert!(
                    pages.contains(&p),
                    "{}: {list} entry on page {p}, form pages {pages:?}: {d}",
                    rel.display()
                );
            }
            if let Some(b) = d.get("bbox").and_then(|b| b.as_array()) {
                let b: Vec<f64> = b.iter().map(|x| x.as_f64().unwrap()).collect();
                assert!(
                    b[0] <= b[2] && b[1] <= b[3] && b[0] >= -1.0 && b[1] >= -1.0,
                    "{}: bad box {d}",
                    rel.display()
                );
            }
            if printed && list == "repairs" {
                let kind = d["kind"].as_str().unwrap();
                assert!(
                    ["duplicate_glyphs", "level_restored", "unit_converted"].contains(&kind),
                    "{}: a printed form was mended by an OCR rule: {d}",
                    rel.display()
                );
            }
        }
        for (field, prov) in doc["provenance"].as_object().into_iter().flatten() {
            let p = prov["page"].as_u64().unwrap();
            assert!(
                pages.contains(&p),
                "{}: provenance of {field} on page {p}, form pages {pages:?}",
                rel.display()
            );
        }
    }
    assert!(seen > 0, "no repair or warning in any sample output");
}
