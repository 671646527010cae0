//! Hostile and broken input (issue 4): the CLI over `tests/hostile/` (made by
//! `scripts/gen-hostile`, which also writes `expect.json`, what each file's
//! manifest row must say) mixed with good samples. Every good sample's forms
//! must still be right, every bad file must have its status and a reason,
//! nothing may be written outside `--out`, and the run must end in bounded
//! time. Also: limits (time, memory) stop only the file that hits them, a
//! rerun gives identical bytes, and a run killed half way then resumed ends
//! with exactly the outputs of an uninterrupted run.

mod common;

use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Hang guard, not a speed limit: a run (or a wait for a run's progress)
/// that takes this long has hung. Measured on 2 shared cores, debug build
/// (commit 14de2f8): the hostile run 4.3 s, the stalled page 2.3 s, the
/// renderer that hangs 3.6 s, the wait for six journaled files 0.4 s; this
/// is well over 10× each. Speed is measured by scripts/bench, not here.
const HANG_GUARD: Duration = Duration::from_secs(300);

/// The good samples mixed in: small ones, one per producer.
const GOOD: [&str; 2] = ["minzheng-2024-libreoffice", "health-2025-chromium-bold"];
/// Keys not compared with the expected documents: the file's own path and
/// hash differ for damaged copies; repairs, warnings and provenance are
/// checked by the golden tests.
const SKIP: [&str; 5] = ["repairs", "warnings", "provenance", "path", "sha256"];

fn cli(args: &[&std::ffi::OsStr]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("jxingest runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Every file under `dir` (not following links) with its size and mtime,
/// skipping `except`.
fn snapshot(dir: &Path, except: &Path) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p == except {
                continue;
            }
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p.clone());
            }
            out.insert(p, (m.len(), m.modified().unwrap()));
        }
    }
    out
}

fn rows(manifest: &Value) -> BTreeMap<String, Value> {
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

/// Compares the forms written in `got` with the expected documents of the
/// printed sample `name`.
fn compare_forms(name: &str, got: &Path, problems: &mut Vec<String>) {
    let want = root().join("samples/expected/printed").join(name);
    let forms = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.len() == 7 && n.ends_with(".json"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let (w, g) = (forms(&want), forms(got));
    if w != g {
        problems.push(format!("{}: forms {g:?}, want {w:?}", got.display()));
    }
    for f in w.iter().filter(|f| g.contains(f)) {
        let mut d = Vec::new();
        diff(
            &read_json(&want.join(f)),
            &read_json(&got.join(f)),
            "",
            &SKIP,
            &mut d,
        );
        problems.extend(d.into_iter().map(|x| format!("{}/{f}: {x}", got.display())));
    }
}

#[test]
fn hostile_files_mixed_with_good_ones_each_get_a_row_and_the_good_ones_stay_right() {
    let hostile = root().join("tests/hostile");
    let expect = read_json(&hostile.join("expect.json"));
    let expect = expect.as_object().unwrap();
    // root/in: the inputs; root/a/out: the output, two levels down, so that
    // a title like ../../etc/x used as a path would land in root/etc/x.
    let base = temp_dir("hostile");
    let input = base.join("in");
    let out = base.join("a/out");
    std::fs::create_dir_all(input.join("hostile")).unwrap();
    std::fs::create_dir_all(input.join("good")).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    for name in expect.keys() {
        std::fs::copy(hostile.join(name), input.join("hostile").join(name)).unwrap();
    }
    for g in GOOD {
        std::fs::copy(
            root().join("samples/printed").join(format!("{g}.pdf")),
            input.join("good").join(format!("{g}.pdf")),
        )
        .unwrap();
    }
    let before = snapshot(&base, &out);

    let t = Instant::now();
    let (code, stderr) = cli(&[
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
        "--jobs".as_ref(),
        "2".as_ref(),
        "--timeout".as_ref(),
        "20".as_ref(),
    ]);
    let elapsed = t.elapsed();
    assert_eq!(
        code, 1,
        "some files failed: exit status 1; stderr: {stderr}"
    );
    assert!(elapsed < HANG_GUARD, "hung: the run took {elapsed:?}");

    // Nothing written outside --out, and no path taken from a PDF's text.
    assert_eq!(before, snapshot(&base, &out), "files changed outside --out");
    assert!(!base.join("etc").exists() && !base.join("a/etc").exists());

    let manifest = read_json(&out.join("manifest.json"));
    let rows = rows(&manifest);
    assert_eq!(rows.len(), expect.len() + GOOD.len(), "one row per input");
    let paths: Vec<&String> = rows.keys().collect();
    let listed: Vec<String> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        paths,
        listed.iter().collect::<Vec<_>>(),
        "rows sorted by path"
    );

    let mut problems = Vec::new();
    for (name, e) in expect {
        let row = &rows[&format!("hostile/{name}")];
        let status = row["status"].as_str().unwrap();
        let reason = row["reason"].as_str().unwrap_or("");
        let allowed: Vec<&str> = e["status"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap())
            .collect();
        if !allowed.contains(&status) {
            problems.push(format!(
                "{name}: status {status} ({reason}), want {allowed:?}"
            ));
        }
        if !["ok", "no_forms"].contains(&status) && reason.trim().is_empty() {
            problems.push(format!("{name}: status {status} without a reason"));
        }
        if reason.contains('\n') {
            problems.push(format!("{name}: reason on several lines"));
        }
        if let Some(want) = e["reason"].as_str()
            && !reason.to_lowercase().contains(want)
        {
            problems.push(format!("{name}: reason {reason:?} does not say {want:?}"));
        }
        if let Some(not) = e.get("not_reason").and_then(Value::as_str)
            && reason.contains(not)
        {
            problems.push(format!("{name}: reason {reason:?} says {not:?}"));
        }
        if let Some(like) = e["forms_like"].as_str() {
            let got = out.join("hostile").join(name.trim_end_matches(".pdf"));
            compare_forms(like, &got, &mut problems);
        }
    }
    for g in GOOD {
        let row = &rows[&format!("good/{g}.pdf")];
        assert_eq!(row["status"], "ok", "{g}: {row}");
        compare_forms(g, &out.join("good").join(g), &mut problems);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // The traversal titles are only data, in the file's own folder.
    let doc = read_json(&out.join("hostile/traversal-title/01.json"));
    assert_eq!(doc["project"]["name"], "../../etc/x");
    // Every document written is valid; no temporary file is left.
    let schema = schema_validator();
    for f in json_files(&out) {
        if f != Path::new("manifest.json") {
            let doc = read_json(&out.join(&f));
            assert!(schema.is_valid(&doc), "{}", f.display());
        }
    }
    assert!(snapshot(&out, Path::new("/")).keys().all(|p| {
        let n = p.file_name().unwrap().to_string_lossy();
        !n.ends_with(".tmp") && n != "manifest.journal.jsonl"
    }));
}

/// Uses the worker's test hook, which only debug builds have.
#[test]
#[cfg(debug_assertions)]
fn a_page_that_hangs_is_stopped_and_the_file_read_without_it() {
    let input = temp_dir("hostile-stall-in");
    let out = temp_dir("hostile-stall-out");
    for name in ["stall-me.pdf", "good.pdf"] {
        std::fs::copy(
            root().join("samples/printed/minzheng-2024-libreoffice.pdf"),
            input.join(name),
        )
        .unwrap();
    }
    let t = Instant::now();
    // The debug binary's test hook hangs stall-me.pdf on its first page.
    let out_cmd = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--timeout", "2"])
        .env("JXINGEST_TEST_STALL", "stall-me")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out_cmd.status.code(), Some(1));
    assert!(t.elapsed() < HANG_GUARD, "hung: {:?}", t.elapsed());
    let rows = rows(&read_json(&out.join("manifest.json")));
    assert_eq!(rows["good.pdf"]["status"], "ok");
    let stalled = &rows["stall-me.pdf"];
    assert_eq!(stalled["status"], "recovered", "{stalled}");
    // The rest of page 1's form, at the top of page 2, was read by no
    // form: the account says so too.
    assert_eq!(
        stalled["reason"],
        "page 1: skipped, stopped: timed out (no progress for 2 s); page(s) 2 show a form that \
         was not read in full (see unmapped)"
    );
    // Pages 2–4 were read: the forms that start on them are written.
    assert!(stalled["forms"].as_u64().unwrap() >= 2, "{stalled}");
}

/// A page whose content stream inflates to 400 MiB: under the stream guard's
/// limit, over a 256 MiB memory cap.
fn memory_hungry_pdf() -> Vec<u8> {
    use flate2::Compression;
    use flate2::write::ZlibEncoder;
    use std::io::Write;
    let mut e = ZlibEncoder::new(Vec::new(), Compression::fast());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..400 {
        e.write_all(&chunk).unwrap();
    }
    let data = e.finish().unwrap();
    let mut stream = format!(
        "<< /Length {} /Filter /FlateDecode >>\nstream\n",
        data.len()
    )
    .into_bytes();
    stream.extend_from_slice(&data);
    stream.extend_from_slice(b"\nendstream");
    let mut out = b"%PDF-1.7\n".to_vec();
    let objects: Vec<Vec<u8>> = vec![
        b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec(),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec(),
        stream,
    ];
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).bytes());
        out.extend_from_slice(o);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(b"xref\n0 5\n0000000000 65535 f \n");
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(format!("trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").bytes());
    out
}

/// An input folder holding the hostile file `(name, bytes)` and the printed
/// sample `good` as `good.pdf`, and an empty output folder, both named
/// after `test`.
fn beside_a_good_file(
    test: &str,
    (name, bytes): (&str, Vec<u8>),
    good: &str,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let input = temp_dir(&format!("{test}-in"));
    let out = temp_dir(&format!("{test}-out"));
    std::fs::write(input.join(name), bytes).unwrap();
    std::fs::copy(
        root().join("samples/printed").join(good),
        input.join("good.pdf"),
    )
    .unwrap();
    (input, out)
}

#[test]
fn a_file_over_the_memory_limit_is_stopped_and_the_others_are_read() {
    let (input, out) = beside_a_good_file(
        "hostile-mem",
        ("hungry.pdf", memory_hungry_pdf()),
        "minzheng-2024-libreoffice.pdf",
    );
    let (code, stderr) = cli(&[
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
        "--max-memory".as_ref(),
        "256".as_ref(),
    ]);
    assert_eq!(code, 1, "{stderr}");
    let rows = rows(&read_json(&out.join("manifest.json")));
    assert_eq!(rows["good.pdf"]["status"], "ok");
    let hungry = &rows["hungry.pdf"];
    assert_eq!(hungry["status"], "failed", "{hungry}");
    assert!(
        hungry["reason"]
            .as_str()
            .unwrap()
            .contains("out of memory (more than the 256 MiB allowed a file)"),
        "{hungry}"
    );
}

/// Page strokes of the slow page: read in ~0.15 s (white ink, which the
/// reader passes over), drawn for the review in ~35 s (measured on a debug
/// build), far over the 2 s `--timeout` of the test.
const SLOW_STROKES: usize = 100_000;
/// The byte offset of the sample's own cross-reference table (its
/// `startxref`), which the update below points back to.
const MINZHENG_XREF: usize = 101_044;

/// minzheng-2024-libreoffice.pdf (form 1 on page 1, forms 2–5 on pages 1–4)
/// with page 1 given, by an incremental update, a second content stream of
/// [`SLOW_STROKES`] white page-wide strokes: a page that hangs the renderer
/// and not the reader.
fn slow_to_draw_pdf() -> Vec<u8> {
    use flate2::Compression;
    use flate2::write::ZlibEncoder;
    use std::io::Write;
    let mut pdf =
        std::fs::read(root().join("samples/printed/minzheng-2024-libreoffice.pdf")).unwrap();
    assert!(pdf.ends_with(format!("startxref\n{MINZHENG_XREF}\n%%EOF\n").as_bytes()));
    let mut e = ZlibEncoder::new(Vec::new(), Compression::default());
    e.write_all(b"q 1 G 3 w\n").unwrap();
    for _ in 0..SLOW_STROKES {
        e.write_all(b"0 0 m 595 842 l 0 842 l 595 0 l S\n").unwrap();
    }
    e.write_all(b"Q\n").unwrap();
    let data = e.finish().unwrap();
    let page_at = pdf.len();
    pdf.extend_from_slice(
        b"1 0 obj\n<</Type/Page/Parent 13 0 R/Resources 30 0 R\
          /MediaBox[0 0 595.303937007874 841.889763779528]/Contents [2 0 R 33 0 R]>>\nendobj\n",
    );
    let stream_at = pdf.len();
    pdf.extend(
        format!(
            "33 0 obj\n<</Length {}/Filter/FlateDecode>>\nstream\n",
            data.len()
        )
        .bytes(),
    );
    pdf.extend_from_slice(&data);
    pdf.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = pdf.len();
    pdf.extend(
        format!(
            "xref\n1 1\n{page_at:010} 00000 n \n33 1\n{stream_at:010} 00000 n \n\
             trailer\n<</Size 34/Root 31 0 R/Prev {MINZHENG_XREF}>>\nstartxref\n{xref}\n%%EOF\n"
        )
        .bytes(),
    );
    pdf
}

/// A page that hangs the review's renderer costs only its image: drawn in a
/// worker under `--timeout`, it is stopped there, the form pages on it say
/// why, every JSON document is written and the exit status is that of the
/// reading.
#[test]
fn a_page_that_hangs_the_review_renderer_costs_only_its_image() {
    let (input, out) = beside_a_good_file(
        "hostile-slowdraw",
        ("slow.pdf", slow_to_draw_pdf()),
        "health-2025-chromium-bold.pdf",
    );
    let t = Instant::now();
    let (code, stderr) = cli(&[
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--quiet".as_ref(),
        "--timeout".as_ref(),
        "2".as_ref(),
        "--review".as_ref(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(t.elapsed() < HANG_GUARD, "hung: {:?}", t.elapsed());
    let rows = rows(&read_json(&out.join("manifest.json")));
    for name in ["slow.pdf", "good.pdf"] {
        assert_eq!(rows[name]["status"], "ok", "{name}: {}", rows[name]);
        for doc in rows[name]["outputs"].as_array().unwrap() {
            assert!(out.join(doc.as_str().unwrap()).is_file(), "{doc}");
        }
    }
    assert_eq!(rows["slow.pdf"]["forms"], 5);
    // The site's pages of slow.pdf: forms 1 and 2 are on page 1.
    let forms = out.join("review/forms");
    let pages_of = |n: u32| {
        let mut found: Vec<String> = std::fs::read_dir(&forms)
            .unwrap()
            .flatten()
            .map(|e| std::fs::read_to_string(e.path()).unwrap())
            .filter(|html| html.contains("slow.pdf") && html.contains(&format!("id=\"page-{n}\"")))
            .collect();
        found.sort();
        found
    };
    let undrawn = "Page 1 could not be drawn: stopped: timed out (no progress for 2 s)";
    let on_page_1 = pages_of(1);
    assert_eq!(on_page_1.len(), 2);
    assert!(on_page_1.iter().all(|html| html.contains(undrawn)));
    // The other pages of the file were drawn by a new worker.
    let on_page_4 = pages_of(4);
    assert!(!on_page_4.is_empty() && on_page_4.iter().all(|h| !h.contains("could not be drawn")));
}

/// Form documents under `out` (everything but the manifest), with bytes.
fn form_bytes(out: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    json_files(out)
        .into_iter()
        .filter(|p| p != Path::new("manifest.json"))
        .map(|p| (p.clone(), std::fs::read(out.join(&p)).unwrap()))
        .collect()
}

/// The manifest without the milliseconds (which vary from run to run).
fn manifest_without_times(out: &Path) -> Value {
    let mut m = read_json(&out.join("manifest.json"));
    for f in m["files"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("milliseconds");
    }
    m
}

/// A folder of copies of the printed samples and a few broken files.
fn batch(name: &str, copies: usize) -> PathBuf {
    let input = temp_dir(name);
    for i in 0..copies {
        let d = input.join(format!("{i:02}"));
        std::fs::create_dir_all(&d).unwrap();
        for e in std::fs::read_dir(root().join("samples/printed"))
            .unwrap()
            .flatten()
        {
            std::fs::copy(e.path(), d.join(e.file_name())).unwrap();
        }
    }
    for f in [
        "truncated-xref.pdf",
        "page-content-garbled.pdf",
        "empty.pdf",
    ] {
        std::fs::copy(root().join("tests/hostile").join(f), input.join(f)).unwrap();
    }
    input
}

#[test]
fn reruns_give_identical_bytes_and_resume_reads_nothing_twice() {
    let input = batch("hostile-rerun-in", 1);
    let out = temp_dir("hostile-rerun-out");
    let args = |resume: bool| {
        let mut a: Vec<&std::ffi::OsStr> =
            vec![input.as_os_str(), "--out".as_ref(), out.as_os_str()];
        if resume {
            a.push("--resume".as_ref());
        }
        a
    };
    let (code, _) = cli(&args(false));
    assert_eq!(code, 1);
    let (forms1, manifest1) = (form_bytes(&out), manifest_without_times(&out));
    let raw1 = std::fs::read(out.join("manifest.json")).unwrap();
    cli(&args(false));
    assert_eq!(forms1, form_bytes(&out), "a rerun writes identical forms");
    assert_eq!(manifest1, manifest_without_times(&out));
    // Resumed: every row is carried over (so even the times are the same):
    // same bytes, same options, same outcome; only rows stopped by a limit
    // would be tried again.
    let raw2 = std::fs::read(out.join("manifest.json")).unwrap();
    let (code, stderr) = cli(&args(true));
    assert_eq!(code, 1);
    assert!(
        stderr.contains("(10 carried over from the earlier run)"),
        "{stderr}"
    );
    assert_eq!(forms1, form_bytes(&out));
    let m3 = read_json(&out.join("manifest.json"));
    let m2: Value = serde_json::from_slice(&raw2).unwrap();
    assert_eq!(m2, m3, "every row carried over as it was");
    assert_ne!(raw1.len(), 0);
    // A changed input is read again.
    std::fs::copy(
        root().join("samples/printed/nongye-2021-libreoffice.pdf"),
        input.join("00/minzheng-2024-libreoffice.pdf"),
    )
    .unwrap();
    let (_, stderr) = cli(&args(true));
    assert!(
        stderr.contains("(9 carried over from the earlier run)"),
        "{stderr}"
    );
    let rows4 = rows(&read_json(&out.join("manifest.json")));
    assert_eq!(rows4["00/minzheng-2024-libreoffice.pdf"]["forms"], 4);
    assert!(
        !out.join("00/minzheng-2024-libreoffice/05.json").exists(),
        "stale form removed"
    );
}

#[test]
#[cfg(unix)]
fn a_run_killed_half_way_and_resumed_ends_with_the_outputs_of_an_uninterrupted_run() {
    let input = batch("hostile-kill-in", 4);
    let full = temp_dir("hostile-kill-full");
    let out = temp_dir("hostile-kill-out");
    let (code, _) = cli(&[
        input.as_os_str(),
        "--out".as_ref(),
        full.as_os_str(),
        "--quiet".as_ref(),
    ]);
    assert_eq!(code, 1);

    // Killed (SIGKILL) once a few files are done.
    let mut child = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--jobs", "1"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let journal = out.join("manifest.journal.jsonl");
    let t = Instant::now();
    while std::fs::read_to_string(&journal).map_or(0, |j| j.lines().count()) < 6 {
        assert!(t.elapsed() < HANG_GUARD, "hung: no progress");
        assert!(child.try_wait().unwrap().is_none(), "finished too early");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(!out.join("manifest.json").exists(), "killed before the end");
    let done_before = std::fs::read_to_string(&journal).unwrap().lines().count();

    let (code, stderr) = cli(&[
        input.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--resume".as_ref(),
    ]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("carried over from the earlier run"),
        "{stderr}"
    );
    assert!(done_before >= 6);
    assert_eq!(
        form_bytes(&full),
        form_bytes(&out),
        "same forms, same bytes"
    );
    assert_eq!(manifest_without_times(&full), manifest_without_times(&out));
    let leftovers: Vec<_> = snapshot(&out, Path::new("/"))
        .into_keys()
        .filter(|p| {
            let n = p.file_name().unwrap().to_string_lossy().into_owned();
            n.ends_with(".tmp") || n.ends_with(".jsonl")
        })
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
