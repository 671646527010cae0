//! The database, JSON Lines, shards and merge, end to end on the printed
//! samples: every database row equals its JSON document, reruns do not
//! double rows, a run killed with SIGKILL leaves whole files and `--resume`
//! completes it to what an uninterrupted run writes, and three shards
//! merged equal one run.

mod common;

use common::*;
use rusqlite::Connection;
use serde_json::Value;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Hang guard, not a speed limit: a wait for a run's progress that takes
/// this long has hung. Measured on 2 shared cores, debug build (commit
/// 14de2f8): the first file is journaled after 0.3 s; this is far over 10×
/// that. Speed is measured by scripts/bench, not here.
const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(300);

/// Runs the program with `args`; its output.
fn jx<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("jxingest runs")
}

/// A folder with the printed samples (`copies` times, in sub-folders).
fn printed_input(name: &str, copies: usize) -> PathBuf {
    let input = temp_dir(name);
    let src = root().join("samples/printed");
    for c in 0..copies {
        let dir = if copies == 1 {
            input.clone()
        } else {
            input.join(format!("c{c}"))
        };
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(&src).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "pdf") {
                std::fs::copy(&p, dir.join(p.file_name().unwrap())).unwrap();
            }
        }
    }
    input
}

fn run_ok(args: &[&OsStr]) -> Output {
    let o = jx(args);
    assert_eq!(
        o.status.code(),
        Some(0),
        "jxingest {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn db(out: &Path) -> Connection {
    Connection::open(out.join("forms.sqlite")).unwrap()
}

fn strings(c: &Connection, sql: &str) -> Vec<String> {
    let mut st = c.prepare(sql).unwrap();
    let n = st.column_count();
    let rows = st
        .query_map([], |r| {
            let cells: Vec<String> = (0..n)
                .map(|i| match r.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => "NULL".to_string(),
                    rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                    rusqlite::types::ValueRef::Real(v) => format!("REAL {v}"),
                    rusqlite::types::ValueRef::Text(t) => {
                        format!("{:?}", String::from_utf8_lossy(t))
                    }
                    rusqlite::types::ValueRef::Blob(_) => "BLOB".to_string(),
                })
                .collect();
            Ok(cells.join("|"))
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

/// Every row of the database, in a canonical order, ids replaced by
/// (path, form_index) and times left out: what two runs over the same
/// input must agree on.
fn dump(out: &Path) -> Vec<String> {
    let c = db(out);
    let mut lines = Vec::new();
    for (table, sql) in [
        (
            "files",
            "SELECT path, sha256, status, reason, pages, forms, extraction, outputs, problems, \
             json_remove(manifest_row, '$.milliseconds') FROM files ORDER BY path",
        ),
        (
            "forms",
            "SELECT path, form_index, sha256, pages, extraction, document_title, form_title, \
             year, project_name, nature, category, department, implementer, start_date, \
             end_date, project_total, project_fiscal, project_other, annual_total, \
             annual_appropriation, annual_carryover, annual_other, goal_overall, goal_annual, \
             document FROM forms ORDER BY path, form_index",
        ),
        (
            "indicators",
            "SELECT f.path, f.form_index, i.position, i.level1, i.level2, i.name, i.value_text, \
             i.op, i.number, i.unit FROM indicators i JOIN forms f ON f.id = i.form_id \
             ORDER BY 1, 2, 3",
        ),
        (
            "repairs",
            "SELECT f.path, f.form_index, x.position, x.kind, x.path, x.detail, x.before, \
             x.after, x.page, x.bbox FROM repairs x JOIN forms f ON f.id = x.form_id \
             ORDER BY 1, 2, 3",
        ),
        (
            "warnings",
            "SELECT f.path, f.form_index, x.position, x.kind, x.path, x.detail, x.before, \
             x.after, x.page, x.bbox FROM warnings x JOIN forms f ON f.id = x.form_id \
             ORDER BY 1, 2, 3",
        ),
    ] {
        lines.extend(
            strings(&c, sql)
                .into_iter()
                .map(|l| format!("{table}: {l}")),
        );
    }
    lines
}

fn opt(v: &Value) -> Value {
    v.clone()
}

/// Checks that the database under `out` holds exactly the manifest and
/// the JSON documents: every column and `document` read back and compared
/// with the files.
fn assert_db_equals_json(out: &Path) {
    let manifest = read_json(&out.join("manifest.json"));
    let c = db(out);
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let files = manifest["files"].as_array().unwrap();
    let n_files: i64 = c
        .query_row("SELECT count(*) FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n_files as usize, files.len(), "one row per manifest row");
    let mut n_forms = 0;
    for row in files {
        let path = row["path"].as_str().unwrap();
        let (status, forms, pages, manifest_row): (String, i64, i64, String) = c
            .query_row(
                "SELECT status, forms, pages, manifest_row FROM files WHERE path = ?1",
                [path],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(Value::String(status), row["status"]);
        assert_eq!(Value::from(forms), row["forms"]);
        assert_eq!(Value::from(pages), row["pages"]);
        assert_eq!(serde_json::from_str::<Value>(&manifest_row).unwrap(), *row);
        for (i, rel) in row["outputs"].as_array().unwrap().iter().enumerate() {
            n_forms += 1;
            let doc = read_json(&out.join(rel.as_str().unwrap()));
            let mut st = c
                .prepare(
                    "SELECT id, document, pages, extraction, sha256, document_title, form_title, \
                     year, project_name, nature, category, department, implementer, start_date, \
                     end_date, project_total, project_fiscal, project_other, annual_total, \
                     annual_appropriation, annual_carryover, annual_other, goal_overall, \
                     goal_annual FROM forms WHERE path = ?1 AND form_index = ?2",
                )
                .unwrap();
            let (id, got): (i64, Vec<Value>) = st
                .query_row(rusqlite::params![path, i as i64 + 1], |r| {
                    let mut v = Vec::new();
                    for k in 1..24 {
                        v.push(match r.get_ref(k)? {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                            rusqlite::types::ValueRef::Text(t) => {
                                Value::String(String::from_utf8(t.to_vec()).unwrap())
                            }
                            other => panic!("{path}: column {k} is {other:?}"),
                        });
                    }
                    Ok((r.get(0)?, v))
                })
                .unwrap_or_else(|e| panic!("{path} form {}: {e}", i + 1));
            let document: Value = serde_json::from_str(got[0].as_str().unwrap()).unwrap();
            assert_eq!(document, doc, "{path} form {}: document", i + 1);
            let want = [
                Value::String(serde_json::to_string(&doc["source"]["pages"]).unwrap()),
                opt(&doc["source"]["extraction"]),
                opt(&doc["source"]["sha256"]),
                opt(&doc["document_title"]),
                opt(&doc["form_title"]),
                opt(&doc["year"]),
                opt(&doc["project"]["name"]),
                opt(&doc["project"]["nature"]),
                opt(&doc["project"]["category"]),
                opt(&doc["project"]["department"]),
                opt(&doc["project"]["implementer"]),
                opt(&doc["project"]["start_date"]),
                opt(&doc["project"]["end_date"]),
                opt(&doc["funds"]["project_total"]["total"]),
                opt(&doc["funds"]["project_total"]["fiscal"]),
                opt(&doc["funds"]["project_total"]["other"]),
                opt(&doc["funds"]["annual"]["total"]),
                opt(&doc["funds"]["annual"]["appropriation"]),
                opt(&doc["funds"]["annual"]["carryover"]),
                opt(&doc["funds"]["annual"]["other"]),
                opt(&doc["goals"]["overall"]),
                opt(&doc["goals"]["annual"]),
            ];
            assert_eq!(got[1..], want, "{path} form {}: columns", i + 1);
            // Indicators, repairs, warnings: one row each, in order.
            let inds: Vec<Value> = c
                .prepare(
                    "SELECT level1, level2, name, value_text, op, number, unit FROM indicators \
                     WHERE form_id = ?1 ORDER BY position",
                )
                .unwrap()
                .query_map([id], |r| {
                    Ok(serde_json::json!({
                        "level1": r.get::<_, String>(0)?, "level2": r.get::<_, String>(1)?,
                        "name": r.get::<_, String>(2)?,
                        "value": {"text": r.get::<_, String>(3)?, "op": r.get::<_, Option<String>>(4)?,
                                  "number": r.get::<_, Option<String>>(5)?, "unit": r.get::<_, Option<String>>(6)?}
                    }))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert_eq!(Value::Array(inds), doc["indicators"], "{path} indicators");
            for table in ["repairs", "warnings"] {
                let got: Vec<(String, String, String)> = c
                    .prepare(&format!(
                        "SELECT kind, path, detail FROM {table} WHERE form_id = ?1 ORDER BY position"
                    ))
                    .unwrap()
                    .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                let want: Vec<(String, String, String)> = doc[table]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|d| {
                        let s = |k: &str| d[k].as_str().unwrap().to_string();
                        (s("kind"), s("path"), s("detail"))
                    })
                    .collect();
                assert_eq!(got, want, "{path} {table}");
            }
        }
    }
    let stored: i64 = c
        .query_row("SELECT count(*) FROM forms", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored as usize, n_forms, "one row per document");
}

/// The manifest with times left out.
fn timeless_manifest(out: &Path) -> Value {
    let mut m = read_json(&out.join("manifest.json"));
    for f in m["files"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("milliseconds");
    }
    m
}

/// Every form file under `out`, relative path and bytes.
fn form_files(out: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    json_files(out)
        .into_iter()
        .filter(|p| p != Path::new("manifest.json"))
        .map(|p| (p.clone(), std::fs::read(out.join(&p)).unwrap()))
        .collect()
}

fn os(p: &Path) -> &OsStr {
    p.as_os_str()
}

#[test]
fn database_rows_equal_the_json_reruns_replace_them_and_jsonl_follows_the_manifest() {
    let input = printed_input("store-in", 1);
    let out = temp_dir("store-out");
    let jsonl = out.with_extension("jsonl");
    run_ok(&[
        os(&input),
        "--out".as_ref(),
        os(&out),
        "--quiet".as_ref(),
        "--jsonl".as_ref(),
        os(&jsonl),
    ]);
    assert_db_equals_json(&out);
    let first = dump(&out);
    assert!(first.iter().any(|l| l.starts_with("indicators: ")));

    // JSONL: every document once, compact, in manifest order.
    let manifest = read_json(&out.join("manifest.json"));
    let want: Vec<Value> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["outputs"].as_array().unwrap().clone())
        .map(|rel| read_json(&out.join(rel.as_str().unwrap())))
        .collect();
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let got: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(got.len(), want.len());
    assert!(
        got == want,
        "JSONL lines are the documents in manifest order"
    );

    // A rerun replaces the rows: nothing doubles. JSONL to standard output.
    let o = run_ok(&[
        os(&input),
        "--out".as_ref(),
        os(&out),
        "--quiet".as_ref(),
        "--jsonl".as_ref(),
        "-".as_ref(),
    ]);
    assert_eq!(dump(&out), first);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), text);

    // An input gone from the folder: its rows go from the database too.
    let gone = "wenlv-2024-chromium.pdf";
    std::fs::remove_file(input.join(gone)).unwrap();
    run_ok(&[os(&input), "--out".as_ref(), os(&out), "--quiet".as_ref()]);
    assert_db_equals_json(&out);
    let left: i64 = db(&out)
        .query_row("SELECT count(*) FROM forms WHERE path = ?1", [gone], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(left, 0);
    assert!(dump(&out).len() < first.len());

    // --no-db: no database.
    let bare = temp_dir("store-nodb");
    run_ok(&[os(&input), "--out".as_ref(), os(&bare), "--no-db".as_ref()]);
    assert!(!bare.join("forms.sqlite").exists());
    for d in [&input, &out, &bare] {
        std::fs::remove_dir_all(d).unwrap();
    }
    std::fs::remove_file(&jsonl).unwrap();
}

#[test]
fn a_run_killed_with_sigkill_leaves_whole_files_and_resume_completes_it() {
    let input = printed_input("kill-in", 4);
    let whole = temp_dir("kill-whole");
    run_ok(&[os(&input), "--out".as_ref(), os(&whole), "--quiet".as_ref()]);
    let out = temp_dir("kill-out");
    let mut child = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--jobs", "1"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first file is journaled (its JSON and rows written).
    let journal = out.join("manifest.journal.jsonl");
    let t = std::time::Instant::now();
    loop {
        let lines = std::fs::read_to_string(&journal).map_or(0, |t| t.lines().count());
        if lines >= 1 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the run ended before it was killed"
        );
        assert!(t.elapsed() < HANG_GUARD, "hung: no file journaled");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(
        !out.join("manifest.json").exists(),
        "killed before it finished"
    );

    // The database opens, is sound, and holds whole files only.
    {
        let c = db(&out);
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
        let files = strings(
            &c,
            "SELECT path, forms, (SELECT count(*) FROM forms f WHERE f.path = files.path) FROM files",
        );
        for f in &files {
            let parts: Vec<&str> = f.split('|').collect();
            assert_eq!(parts[1], parts[2], "a file's forms are all there: {f}");
        }
        let broken: i64 = c
            .query_row(
                "SELECT count(*) FROM forms WHERE json_array_length(document, '$.indicators') \
                 != (SELECT count(*) FROM indicators i WHERE i.form_id = forms.id)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(broken, 0, "a form's indicators are all there");
        let all: i64 = c
            .query_row("SELECT count(*) FROM files", [], |r| r.get(0))
            .unwrap();
        assert!(all < 28, "killed part way ({all} files)");
    }

    let o = run_ok(&[os(&input), "--out".as_ref(), os(&out), "--resume".as_ref()]);
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("carried over"), "{said}");
    assert_db_equals_json(&out);
    assert_eq!(dump(&out), dump(&whole), "resumed = uninterrupted");
    for d in [&input, &out, &whole] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn three_shards_merged_equal_one_run() {
    let input = printed_input("shard-in", 2);
    let whole = temp_dir("shard-whole");
    run_ok(&[os(&input), "--out".as_ref(), os(&whole), "--quiet".as_ref()]);
    let mut outs = Vec::new();
    let mut seen = 0;
    for k in 0..3 {
        let out = temp_dir(&format!("shard-{k}"));
        let shard = format!("{k}/3");
        run_ok(&[
            os(&input),
            "--out".as_ref(),
            os(&out),
            "--quiet".as_ref(),
            "--shard".as_ref(),
            shard.as_ref(),
        ]);
        let m = read_json(&out.join("manifest.json"));
        assert!(
            m["options"]
                .as_str()
                .unwrap()
                .ends_with(&format!("+shard={k}/3")),
            "{}",
            m["options"]
        );
        seen += m["files"].as_array().unwrap().len();
        outs.push(out);
    }
    assert_eq!(seen, 14, "every input in exactly one shard");

    let merged = temp_dir("shard-merged");
    let jsonl = merged.with_extension("jsonl");
    let mut args: Vec<&OsStr> = vec!["merge".as_ref()];
    args.extend(outs.iter().map(|o| os(o)));
    args.extend([
        "--out".as_ref(),
        os(&merged),
        "--quiet".as_ref(),
        "--jsonl".as_ref(),
        os(&jsonl),
    ]);
    run_ok(&args);
    assert_eq!(timeless_manifest(&merged), timeless_manifest(&whole));
    assert!(
        form_files(&merged) == form_files(&whole),
        "form files byte for byte"
    );
    assert_db_equals_json(&merged);
    assert_eq!(dump(&merged), dump(&whole));
    let lines = std::fs::read_to_string(&jsonl).unwrap().lines().count();
    assert_eq!(lines, form_files(&whole).len());
    // Merging again into the same folder changes nothing.
    run_ok(&args);
    assert_eq!(dump(&merged), dump(&whole));

    // Refused: other options, and the same path with another row.
    let m0 = outs[0].join("manifest.json");
    let original = std::fs::read_to_string(&m0).unwrap();
    let fp = read_json(&m0)["options"].as_str().unwrap().to_string();
    std::fs::write(&m0, original.replace(&fp, "0000000000000000+shard=0/3")).unwrap();
    let refused = temp_dir("shard-refused");
    let o = jx([
        "merge".as_ref(),
        os(&outs[0]),
        os(&outs[1]),
        "--out".as_ref(),
        os(&refused),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("different options"), "{said}");
    std::fs::write(&m0, &original).unwrap();
    // outs[1] claims a file of outs[0] with another status.
    let mut m1 = read_json(&outs[1].join("manifest.json"));
    let mut stolen = read_json(&m0)["files"][0].clone();
    stolen["status"] = "failed".into();
    m1["files"].as_array_mut().unwrap().push(stolen);
    std::fs::write(outs[1].join("manifest.json"), m1.to_string()).unwrap();
    let o = jx([
        "merge".as_ref(),
        os(&outs[0]),
        os(&outs[1]),
        "--out".as_ref(),
        os(&refused),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("with different rows"), "{said}");
    assert!(!refused.join("manifest.json").exists(), "nothing written");

    for d in outs.iter().chain([&input, &whole, &merged, &refused]) {
        std::fs::remove_dir_all(d).unwrap();
    }
    std::fs::remove_file(&jsonl).unwrap();
}

#[test]
fn a_database_that_cannot_be_written_or_is_not_ours_is_an_error_and_the_json_is_kept() {
    let input = temp_dir("baddb-in");
    std::fs::copy(
        root().join("samples/printed/minzheng-2024-libreoffice.pdf"),
        input.join("a.pdf"),
    )
    .unwrap();
    let out = temp_dir("baddb-out");
    // A folder that cannot exist (a file is in the way; read-only as root
    // would not stop the write).
    std::fs::write(out.join("blocker"), b"x").unwrap();
    let bad = out.join("blocker/forms.sqlite");
    let o = jx([
        os(&input),
        "--out".as_ref(),
        os(&out),
        "--db".as_ref(),
        os(&bad),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("blocker/forms.sqlite"), "{said}");
    assert!(!form_files(&out).is_empty(), "the JSON output is kept");
    assert!(out.join("manifest.json").exists());

    // A database of something else: refused, left as it was.
    let other = out.join("other.sqlite");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine')")
        .unwrap();
    let before = std::fs::read(&other).unwrap();
    let o = jx([
        os(&input),
        "--out".as_ref(),
        os(&out),
        "--db".as_ref(),
        os(&other),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(
        said.contains("refused") && said.contains("other.sqlite"),
        "{said}"
    );
    assert_eq!(std::fs::read(&other).unwrap(), before);
    for d in [&input, &out] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

/// One line of a verdict log, as `jxingest review` writes it.
fn verdict_line(doc: &Value, path: &str, before: Value, after: Value) -> String {
    serde_json::json!({
        "sha256": doc["source"]["sha256"],
        "form_index": doc["source"]["form_index"],
        "source": doc["source"]["path"],
        "path": path,
        "before": before,
        "after": after,
        "by": "archivist",
        "at": "2026-12-06T14:00:00Z",
    })
    .to_string()
}

/// Issue 23 item 4: verdicts kept in OUT/verdicts.jsonl are applied again
/// by a rerun (JSON and database); one made on another reading is kept in
/// the log, not applied, and reported `verdict_stale`; `--verdicts` brings
/// them into a new output folder; `--resume` reads again a file whose
/// documents lack a verdict of the log.
#[test]
fn verdicts_outlive_a_rerun_and_a_stale_one_is_reported() {
    let input = temp_dir("verdicts-in");
    let name = "chengguan-2024-chromium.pdf";
    std::fs::copy(root().join("samples/printed").join(name), input.join(name)).unwrap();
    let out = temp_dir("verdicts-out");
    let args = |out: &Path| -> Vec<std::ffi::OsString> {
        vec![
            input.clone().into(),
            "--out".into(),
            out.into(),
            "--quiet".into(),
        ]
    };
    let run = |extra: &[&str], out: &Path| {
        let mut a = args(out);
        a.extend(extra.iter().map(std::ffi::OsString::from));
        let o = jx(&a);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    run(&[], &out);
    let doc1_path = out.join("chengguan-2024-chromium/01.json");
    let doc2_path = out.join("chengguan-2024-chromium/02.json");
    let (doc1, doc2_before) = (read_json(&doc1_path), read_json(&doc2_path));
    let doc2 = &doc2_before;
    assert!(doc1.get("verdicts").is_none() && doc1.get("verification").is_none());
    let name1 = doc1["project"]["name"].clone();
    let total1 = doc1["funds"]["annual"]["total"].clone();
    let log = [
        verdict_line(
            &doc1,
            "project.name",
            name1.clone(),
            "改正的项目名称".into(),
        ),
        verdict_line(
            doc2,
            "project.department",
            "另一个读法".into(),
            "某部门".into(),
        ),
        verdict_line(&doc1, "funds.annual.total", total1.clone(), total1.clone()),
    ];
    std::fs::write(out.join("verdicts.jsonl"), log.join("\n") + "\n").unwrap();

    run(&[], &out);
    let doc1 = read_json(&doc1_path);
    assert_eq!(doc1["project"]["name"], "改正的项目名称");
    assert_eq!(doc1["verdicts"].as_array().unwrap().len(), 2);
    assert_eq!(doc1["verdicts"][0]["before"], name1);
    assert_eq!(
        doc1["verification"], "verified",
        "no doubt left on a printed form"
    );
    let doc2 = read_json(&doc2_path);
    let department2 = doc2_before["project"]["department"].clone();
    assert_eq!(doc2["project"]["department"], department2, "not applied");
    assert!(doc2.get("verdicts").is_none());
    let stale: Vec<&Value> = doc2["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["kind"] == "verdict_stale")
        .collect();
    assert_eq!(stale.len(), 1, "{doc2}");
    assert_eq!(stale[0]["path"], "project.department");
    assert!(stale[0]["detail"].as_str().unwrap().contains("另一个读法"));
    assert_db_equals_json(&out);
    let c = db(&out);
    let texts = |sql: &str| -> Vec<String> {
        let mut st = c.prepare(sql).unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        texts("SELECT verification FROM forms ORDER BY form_index")[..2],
        ["verified", "unverified"]
    );
    assert_eq!(
        texts("SELECT after FROM verdicts ORDER BY form_id, position"),
        ["\"改正的项目名称\"".to_string(), total1.to_string()]
    );
    let logged = std::fs::read_to_string(out.join("verdicts.jsonl")).unwrap();
    assert_eq!(logged.lines().count(), 3, "the log is never rewritten");
    validate_all(&out);

    // Into a new output folder with the old log: the same documents.
    let fresh = temp_dir("verdicts-fresh");
    let old_log = out.join("verdicts.jsonl");
    run(&["--verdicts", old_log.to_str().unwrap()], &fresh);
    assert_eq!(
        read_json(&fresh.join("chengguan-2024-chromium/01.json")),
        doc1
    );
    assert_eq!(
        std::fs::read_to_string(fresh.join("verdicts.jsonl")).unwrap(),
        logged
    );

    // A verdict added to the log after the run: --resume reads the file again.
    let mut more = std::fs::OpenOptions::new()
        .append(true)
        .open(fresh.join("verdicts.jsonl"))
        .unwrap();
    use std::io::Write;
    writeln!(
        more,
        "{}",
        verdict_line(&doc1, "year", doc1["year"].clone(), Value::Null)
    )
    .unwrap();
    drop(more);
    run(&["--resume"], &fresh);
    let again = read_json(&fresh.join("chengguan-2024-chromium/01.json"));
    assert_eq!(again["year"], Value::Null);
    assert_eq!(again["verdicts"].as_array().unwrap().len(), 3);
}

/// Every document under `out` is valid against the contract.
fn validate_all(out: &Path) {
    let v = schema_validator();
    for p in json_files(out) {
        let p = out.join(p);
        let doc = read_json(&p);
        if doc.get("schema_version").is_some() {
            let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{}: {errors:?}", p.display());
        }
    }
}
