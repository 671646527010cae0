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

/// A floor per sample scan, so one scan cannot collapse while the pooled
/// figure holds. Each is a little under what the file read when this was
/// written (the golden run on commit 14de2f8: the `scans: …` lines printed by the test
/// below: fields wrong of fields compared), leaving room for two or three
/// more wrong fields. A scan without a floor here fails the test.
const SCAN_FLOORS: [(&str, f64); 6] = [
    // 1 of 214 wrong (0.9953).
    ("edu-2023-scan150", 0.985),
    // 1 of 214 wrong (0.9953): the same pages, two budget tables appended.
    ("edu-2023-scan150-budget-tables", 0.985),
    // 0 of 166 wrong (1.0000).
    ("health-2025-scan300", 0.985),
    // 0 of 166 wrong (1.0000): the same pages turned and stamped.
    ("health-2025-scan300-turned-stamped", 0.985),
    // 9 of 318 wrong (0.9717): 1-bit G4 pages, the hardest scan here.
    ("nongye-2021-scan200-g4", 0.96),
    // 2 of 318 wrong (0.9937).
    ("nongye-2021-scan200-seal", 0.985),
];

#[test]
fn scanned_samples_reach_the_stated_field_accuracy() {
    let group = "scans";
    let (mut fields, mut wrong) = (0usize, 0usize);
    let mut below = Vec::new();
    for (rel, want_dir, got_dir) in sample_dirs(group) {
        let (want, got) = (form_files(&want_dir), form_files(&got_dir));
        assert_eq!(
            want,
            got,
            "{}: every scanned form must be found",
            rel.display()
        );
        let (mut file_fields, mut file_wrong) = (0usize, 0usize);
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
            file_fields += count_leaves(&w, &["repairs", "warnings", "provenance", "source"]);
            file_wrong += d.len();
        }
        let name = rel.file_name().unwrap().to_string_lossy().into_owned();
        let accuracy = 1.0 - file_wrong as f64 / file_fields.max(1) as f64;
        eprintln!(
            "scans: {name}: {file_wrong} of {file_fields} fields differ; accuracy {accuracy:.4}"
        );
        let floor = SCAN_FLOORS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .unwrap_or_else(|| panic!("{name}: no floor in SCAN_FLOORS"));
        if accuracy < floor {
            below.push(format!(
                "{name}: accuracy {accuracy:.4} < its floor {floor}"
            ));
        }
        fields += file_fields;
        wrong += file_wrong;
    }
    let accuracy = 1.0 - wrong as f64 / fields.max(1) as f64;
    eprintln!("scans: {wrong} of {fields} fields differ; accuracy {accuracy:.4}");
    assert!(fields > 100, "too few scanned fields compared: {fields}");
    assert!(below.is_empty(), "{}", below.join("\n"));
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

/// Expected diagnostics that the product does not give yet: real gaps, found
/// by the defects oracle below and left out of its assertions so that the
/// suite stays green. Each is (sample folder, `NN:path`, code, why it is
/// missing). The test fails when one of them is given after all: then the gap
/// is closed and its line must go.
const KNOWN_GAPS: &[(&str, &str, &str, &str)] = &[];

/// One diagnostic the output must hold because of an injected defect.
struct Expected {
    /// `NN`: the form.
    form: String,
    /// `repairs` or `warnings`.
    list: &'static str,
    code: &'static str,
    path: String,
    /// For a whole-page diagnostic (`page_turned`), its page.
    page: Option<u64>,
}

/// Codes whose every occurrence on a printed sample must come from a defect
/// that `defects.json` lists: a text layer gives no reason for any other.
/// (`duplicate_glyphs` is not among them: a merged cell is listed once, at
/// its first indicator, but repaired at every row it covers.)
const EXACT_ON_PRINTED: [&str; 5] = [
    "funds_do_not_add_up",
    "hierarchy_as_printed",
    "missing_field",
    "level_restored",
    "page_turned",
];

/// What the output must say of each kind of defect a `defects.json` lists
/// (samples/README.md "defects.json"), as diagnostics. `forms_pages` gives
/// the pages of each form written (`NN` → pages). Kinds checked against the
/// manifest row, and kinds with no code to give, are named here too: a kind
/// this does not know fails the test, so that a new one gets its oracle.
fn expected_diagnostics(
    defects: &serde_json::Value,
    forms_pages: &[(String, Vec<u64>)],
) -> Vec<Expected> {
    let mut out = Vec::new();
    let items = |v: &serde_json::Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| {
                let (nn, path) = i.as_str().unwrap().split_once(':').unwrap();
                (nn.to_string(), path.to_string())
            })
            .collect()
    };
    let forms = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_string())
            .collect()
    };
    let mut at = |form: String, list, code, path: &str, page: Option<u64>| {
        out.push(Expected {
            form,
            list,
            code,
            path: path.to_string(),
            page,
        })
    };
    for (kind, v) in defects.as_object().unwrap() {
        match kind.as_str() {
            // Every cell drawn twice is counted once, at its field.
            "duplicate_glyphs" => {
                for (nn, path) in items(v) {
                    at(nn, "repairs", "duplicate_glyphs", &path, None);
                }
            }
            // A total that is not the sum of its printed parts.
            "sum_mismatch" => {
                for (nn, path) in items(v) {
                    at(nn, "warnings", "funds_do_not_add_up", &path, None);
                }
            }
            // 成本指标 printed as a 二级指标 under 产出指标 (an older template).
            "nonstandard_levels" => {
                for (nn, path) in items(v) {
                    at(nn, "warnings", "hierarchy_as_printed", &path, None);
                }
            }
            // Merged level cells cut by a page break are blank on the new
            // page unless the variant prints them again; blank, the level
            // was lost and must be restored, with a repair that says so.
            // Printed again, nothing was lost: no code (the new cell's
            // doubling is listed under duplicate_glyphs).
            "level_cells_cut_by_break" => {
                if defects["level_cells_repeated_after_break"] != true {
                    for (nn, path) in items(v) {
                        at(nn, "repairs", "level_restored", &path, None);
                    }
                }
            }
            // Blank 项目开始/结束时间: both dates null, each with a warning.
            "blank_dates" => {
                for nn in forms(v) {
                    for path in ["project.start_date", "project.end_date"] {
                        at(nn.clone(), "warnings", "missing_field", path, None);
                    }
                }
            }
            // No year line near the title: `year` null, with a warning.
            "no_year_line" => {
                for nn in forms(v) {
                    at(nn, "warnings", "missing_field", "year", None);
                }
            }
            // A page scanned turned: every form on it says it was read turned.
            "turned_pages" => {
                for t in v.as_array().unwrap() {
                    let page = t["page"].as_u64().unwrap();
                    for (nn, _) in forms_pages.iter().filter(|(_, p)| p.contains(&page)) {
                        at(nn.clone(), "repairs", "page_turned", "", Some(page));
                    }
                }
            }
            // Checked against the manifest row (see the test): the file's
            // page and form counts, the pages before the first form (budget
            // tables, never a form), pages appended that are not forms.
            "pages" | "forms" | "non_form_tables" | "first_form_page" | "appended_pages" => {}
            // Describe the defects above: the doubling's style, whether the
            // level cells are printed again and which, where the breaks fall
            // (`before` a row has its consequence in level_cells_cut_by_break;
            // `inside` a row, the row's halves are joined, which the golden
            // diff checks: no code names a joined row), which forms span pages.
            "duplicate_style"
            | "level_cells_repeated_after_break"
            | "repeated_level_cells"
            | "page_breaks_in_indicators"
            | "forms_across_pages"
            | "forced_page_breaks"
            | "titles_moved_to_new_page" => {}
            // Formats the contract normalizes without a diagnostic (money
            // grouped, plain or bare; dates iso, cn, slash or dot; the year
            // line's brackets; the form's title wording; a cover title):
            // the golden diff checks the values. No code: none is a defect.
            // (No sample prints its funds in 万元, so `unit_converted` has no
            // defect kind to come from yet.)
            "money_format" | "date_format" | "year_line" | "form_titles" | "cover_title" => {}
            // 项目总目标 filled in these forms; blank in the others, which is
            // the template's normal: no code (the field is optional and the
            // product gives no missing_field for it; the golden diff checks
            // the values).
            "goals_overall_filled" => {}
            // Scans: how they were made (resolution, JPEG quality, the
            // forms taken, each page's skew, seals over cells, stamp lines
            // printed on the margin, 1-bit pages, what it was derived from).
            // No code: their effect is OCR errors, which the accuracy floors
            // measure; a skew of under 2° is not a turned page.
            "pdf" | "producer" | "layout" | "dpi" | "jpeg_quality" | "source_forms"
            | "page_images" | "seal_pages" | "stamp_lines" | "bilevel" | "derived_from" => {}
            other => panic!("defects.json kind {other:?} has no oracle in tests/golden.rs"),
        }
    }
    out
}

/// `samples/expected/**/defects.json` is the oracle: every defect injected
/// into a sample must be reported in its output, with the code and at the
/// path the defect names (see [`expected_diagnostics`]), but for the
/// [`KNOWN_GAPS`]; on printed samples, the codes of [`EXACT_ON_PRINTED`]
/// occur nowhere else. The manifest row agrees with the kinds that describe
/// pages.
#[test]
fn every_injected_defect_is_reported_where_it_was_injected() {
    let m = read_json(&output().join("manifest.json"));
    let rows: std::collections::BTreeMap<&str, &serde_json::Value> = m["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f))
        .collect();
    let mut problems = Vec::new();
    let mut gaps_seen = BTreeSet::new();
    let mut checked = 0;
    for group in ["printed", "scans"] {
        for (rel, want_dir, got_dir) in sample_dirs(group) {
            let sample = rel.display().to_string();
            let defects = read_json(&want_dir.join("defects.json"));
            let docs: Vec<(String, serde_json::Value)> = form_files(&got_dir)
                .into_iter()
                .map(|f| (f[..2].to_string(), read_json(&got_dir.join(&f))))
                .collect();
            let forms_pages: Vec<(String, Vec<u64>)> = docs
                .iter()
                .map(|(nn, d)| {
                    let pages = d["source"]["pages"].as_array().unwrap();
                    (
                        nn.clone(),
                        pages.iter().map(|p| p.as_u64().unwrap()).collect(),
                    )
                })
                .collect();
            let expected = expected_diagnostics(&defects, &forms_pages);
            for e in &expected {
                let item = format!("{}:{}", e.form, e.path);
                let doc = docs.iter().find(|(nn, _)| *nn == e.form).map(|(_, d)| d);
                let found = doc.is_some_and(|d| {
                    d[e.list].as_array().unwrap().iter().any(|x| {
                        x["kind"] == e.code
                            && x["path"] == e.path.as_str()
                            && e.page.is_none_or(|p| x["page"] == p)
                    })
                });
                let gap = KNOWN_GAPS
                    .iter()
                    .find(|(s, i, c, _)| *s == sample && *i == item && *c == e.code);
                match (found, gap) {
                    (true, None) => checked += 1,
                    (false, Some(_)) => {
                        gaps_seen.insert((sample.clone(), item.clone(), e.code));
                    }
                    (true, Some(g)) => {
                        gaps_seen.insert((sample.clone(), item.clone(), e.code));
                        problems.push(format!(
                            "{sample} {item}: {} is given now; remove it from KNOWN_GAPS ({})",
                            e.code, g.3
                        ));
                    }
                    (false, None) => problems.push(format!(
                        "{sample} {item}: no {} {} at {:?}{}; {}: {}",
                        e.code,
                        e.list,
                        e.path,
                        e.page.map_or(String::new(), |p| format!(" on page {p}")),
                        e.list,
                        doc.map_or("no such form".to_string(), |d| d[e.list].to_string())
                    )),
                }
            }
            // On a text layer, these codes come from injected defects only.
            if group == "printed" {
                for (nn, d) in &docs {
                    for list in ["repairs", "warnings"] {
                        for x in d[list].as_array().unwrap() {
                            let kind = x["kind"].as_str().unwrap();
                            let path = x["path"].as_str().unwrap();
                            if EXACT_ON_PRINTED.contains(&kind)
                                && !expected
                                    .iter()
                                    .any(|e| e.form == *nn && e.code == kind && e.path == path)
                            {
                                problems.push(format!(
                                    "{sample} {nn}:{path}: {kind} where no defect was injected: {x}"
                                ));
                            }
                        }
                    }
                }
            }
            // The kinds that describe pages, against the manifest row.
            let pdf = format!("{sample}.pdf");
            let Some(row) = rows.get(pdf.as_str()) else {
                problems.push(format!("{pdf}: no manifest row"));
                continue;
            };
            let roles: Vec<&str> = row["page_roles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r.as_str().unwrap())
                .collect();
            for key in ["pages", "forms"] {
                if !defects[key].is_null() && row[key] != defects[key] {
                    problems.push(format!(
                        "{pdf}: {key} {}, defects.json says {}",
                        row[key], defects[key]
                    ));
                }
            }
            if let Some(first) = defects["first_form_page"].as_u64() {
                let first = first as usize;
                if roles.get(first - 1) != Some(&"form") || roles[..first - 1].contains(&"form") {
                    problems.push(format!(
                        "{pdf}: first form on page {first} (non-form tables {}), page roles {roles:?}",
                        defects["non_form_tables"]
                    ));
                }
            }
            for a in defects["appended_pages"].as_array().into_iter().flatten() {
                let p = a["page"].as_u64().unwrap() as usize;
                if roles.get(p - 1) != Some(&"other") {
                    problems.push(format!(
                        "{pdf}: page {p} ({}) is {:?}, want other",
                        a["kind"],
                        roles.get(p - 1)
                    ));
                }
            }
        }
    }
    for (s, i, c, why) in KNOWN_GAPS {
        if !gaps_seen.contains(&(s.to_string(), i.to_string(), *c)) {
            problems.push(format!(
                "KNOWN_GAPS lists {s} {i} {c} ({why}), which no defect expects"
            ));
        }
    }
    eprintln!(
        "defects oracle: {checked} diagnostics found, {} known gaps",
        gaps_seen.len()
    );
    assert!(checked > 0, "no injected defect checked");
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The sample PDFs the golden run reads, as manifest paths (`printed/x.pdf`).
fn sample_pdfs() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for group in ["printed", "scans"] {
        for e in std::fs::read_dir(root().join("samples").join(group))
            .unwrap()
            .flatten()
        {
            if e.path().extension().is_some_and(|x| x == "pdf") {
                out.insert(format!("{group}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    out
}

/// The manifest holds exactly one row per sample PDF, and each row's
/// `outputs` are exactly the JSON files written in that PDF's folder: each
/// parses, names the PDF as its source, and there are as many as the row's
/// `forms` and as the expected documents of that PDF.
#[test]
fn the_manifest_lists_every_sample_pdf() {
    let m = read_json(&output().join("manifest.json"));
    let files = m["files"].as_array().unwrap();
    let pdfs = sample_pdfs();
    assert!(!pdfs.is_empty());
    let paths: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for pdf in &pdfs {
        let n = paths.iter().filter(|p| **p == pdf).count();
        assert_eq!(n, 1, "{pdf}: {n} manifest rows, want exactly 1");
    }
    let listed: BTreeSet<String> = paths.iter().map(|p| p.to_string()).collect();
    assert_eq!(listed, pdfs, "manifest rows vs the sample PDFs");
    assert_eq!(paths.len(), pdfs.len(), "a PDF listed twice: {paths:?}");

    let mut written_by_rows = BTreeSet::new();
    for f in files {
        let path = f["path"].as_str().unwrap();
        assert!(f["sha256"].as_str().is_some_and(|s| s.len() == 64), "{f}");
        // Every sample is whole: no page lost, none stopped, none unread.
        assert_eq!(f["status"], "ok", "{path}: {f}");
        let want_mode = if path.starts_with("printed/") {
            "text"
        } else {
            "ocr"
        };
        assert_eq!(f["extraction"], want_mode, "{path}: {f}");

        // The outputs the row lists, and the JSON files in its folder.
        let outputs: BTreeSet<String> = f["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap().to_string())
            .collect();
        let stem = path.trim_end_matches(".pdf");
        let on_disk: BTreeSet<String> = json_files(&output().join(stem))
            .into_iter()
            .map(|p| format!("{stem}/{}", p.display()))
            .collect();
        assert_eq!(outputs, on_disk, "{path}: outputs listed vs files on disk");
        assert_eq!(
            outputs.len(),
            f["outputs"].as_array().unwrap().len(),
            "{path}: an output listed twice"
        );
        let forms = f["forms"].as_u64().unwrap() as usize;
        assert_eq!(
            outputs.len(),
            forms,
            "{path}: {forms} forms, outputs {outputs:?}"
        );
        let expected = form_files(&root().join("samples/expected").join(stem)).len();
        assert_eq!(
            forms, expected,
            "{path}: {forms} forms, {expected} expected"
        );
        for o in &outputs {
            let doc = read_json(&output().join(o));
            assert_eq!(doc["source"]["path"], path, "{o}");
        }
        written_by_rows.extend(outputs);
    }
    // And no JSON file written that no row lists.
    let all: BTreeSet<String> = json_files(output())
        .into_iter()
        .map(|p| p.display().to_string())
        .filter(|p| p != "manifest.json")
        .collect();
    assert_eq!(
        all, written_by_rows,
        "JSON files written vs the rows' outputs"
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
