use super::*;
use jx_model::Status;

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("jx-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The forms of one printed sample's expected output (checked in).
fn sample_forms() -> Vec<FormRecord> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples/expected/printed/chengguan-2024-chromium");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| jx_sink::layout::is_form_file_name(&p.file_name().unwrap().to_string_lossy()))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap())
        .collect()
}

fn row_of(path: &str, forms: &[FormRecord]) -> FileRow {
    let mut row = FileRow::new(path);
    row.status = Status::Ok;
    row.sha256 = Some("ab".repeat(32));
    row.forms = forms.len();
    row.pages = 5;
    row.outputs = jx_sink::layout::form_files(path, forms.len());
    row
}

fn manifest(rows: Vec<FileRow>) -> Manifest {
    Manifest {
        tool: "jxingest".into(),
        version: "0".into(),
        options: "opt".into(),
        files: rows,
    }
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[test]
fn rows_read_back_equal_the_documents() {
    let dir = temp("roundtrip");
    let forms = sample_forms();
    assert!(forms.len() > 1);
    let row = row_of("2024/a.pdf", &forms);
    let mut store = Store::open(dir.join("forms.sqlite")).unwrap();
    store.write_file(&row, &forms).unwrap();
    let c = &store.conn;
    for f in &forms {
        let (id, doc, pages, department, annual_appropriation, year): (
            i64,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<i32>,
        ) = c
            .query_row(
                "SELECT id, document, pages, department, annual_appropriation, year FROM forms \
                 WHERE path = ?1 AND form_index = ?2",
                params!["2024/a.pdf", f.source.form_index],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                },
            )
            .unwrap();
        assert_eq!(serde_json::from_str::<FormRecord>(&doc).unwrap(), *f);
        assert_eq!(pages, compact(&f.source.pages));
        assert_eq!(department, f.project.department);
        assert_eq!(
            annual_appropriation,
            f.funds.annual.appropriation.map(|m| m.to_string())
        );
        assert_eq!(year, f.year);
        // Money is text, exactly as in the JSON.
        let kind: String = c
            .query_row(
                "SELECT typeof(annual_total) FROM forms WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert!(kind == "text" || kind == "null", "{kind}");
        let names: Vec<(i64, String, Option<String>)> = c
            .prepare("SELECT position, name, number FROM indicators WHERE form_id = ?1 ORDER BY position")
            .unwrap()
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let want: Vec<(i64, String, Option<String>)> = f
            .indicators
            .iter()
            .enumerate()
            .map(|(i, x)| (i as i64, x.name.clone(), x.value.number.clone()))
            .collect();
        assert_eq!(names, want);
        let warnings: i64 = c
            .query_row(
                "SELECT count(*) FROM warnings WHERE form_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(warnings as usize, f.warnings.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_written_again_replaces_its_rows_and_finish_drops_absent_files() {
    let dir = temp("replace");
    let forms = sample_forms();
    let a = row_of("a.pdf", &forms);
    let b = row_of("b.pdf", &forms[..1]);
    let mut store = Store::open(dir.join("forms.sqlite")).unwrap();
    store.write_file(&a, &forms).unwrap();
    store.write_file(&b, &forms[..1]).unwrap();
    let indicators = count(&store.conn, "indicators");
    store.write_file(&a, &forms).unwrap();
    assert_eq!(count(&store.conn, "forms") as usize, forms.len() + 1);
    assert_eq!(count(&store.conn, "indicators"), indicators);
    // The file now has one form fewer.
    let a2 = row_of("a.pdf", &forms[1..]);
    store.write_file(&a2, &forms[1..]).unwrap();
    assert_eq!(count(&store.conn, "forms") as usize, forms.len());
    assert!(store.holds(&a2).unwrap() && !store.holds(&a).unwrap());
    // b is gone from the input: finish removes it, children included.
    store.finish_manifest(&manifest(vec![a2.clone()])).unwrap();
    assert_eq!(count(&store.conn, "files"), 1);
    assert_eq!(count(&store.conn, "forms") as usize, forms.len() - 1);
    let orphans: i64 = store
        .conn
        .query_row(
            "SELECT count(*) FROM indicators WHERE form_id NOT IN (SELECT id FROM forms)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0);
    drop(store);
    // Reopened: the same database is accepted.
    let store = Store::open(dir.join("forms.sqlite")).unwrap();
    assert!(store.holds(&a2).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn another_schema_version_or_foreign_tables_are_refused_untouched() {
    let dir = temp("refuse");
    let other = dir.join("other.sqlite");
    {
        let c = Connection::open(&other).unwrap();
        c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep');")
            .unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let err = Store::open(&other).err().unwrap();
    assert!(matches!(err, StoreError::Refused { .. }), "{err}");
    assert!(err.to_string().contains("schema version"), "{err}");
    assert_eq!(std::fs::read(&other).unwrap(), before, "left untouched");

    let newer = dir.join("newer.sqlite");
    drop(Store::open(&newer).unwrap());
    Connection::open(&newer)
        .unwrap()
        .pragma_update(None, "user_version", 3)
        .unwrap();
    let err = Store::open(&newer).err().unwrap();
    assert!(err.to_string().contains("is 3"), "{err}");

    let altered = dir.join("altered.sqlite");
    drop(Store::open(&altered).unwrap());
    Connection::open(&altered)
        .unwrap()
        .execute_batch("ALTER TABLE forms ADD COLUMN x TEXT")
        .unwrap();
    let err = Store::open(&altered).err().unwrap();
    assert!(err.to_string().contains("forms"), "{err}");

    let text = dir.join("text.sqlite");
    std::fs::write(&text, b"this is not a database, and it is long enough to look like one ..........................................").unwrap();
    let err = Store::open(&text).err().unwrap();
    assert!(err.to_string().contains("text.sqlite"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_database_that_cannot_be_created_is_an_error_naming_it() {
    let dir = temp("missing");
    let path = dir.join("no/such/folder/forms.sqlite");
    let err = Store::open(&path).err().unwrap();
    assert!(
        err.to_string().contains("no/such/folder/forms.sqlite"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_shipped_schema_sets_its_version_and_pragmas() {
    let dir = temp("pragmas");
    let store = Store::open(dir.join("forms.sqlite")).unwrap();
    let c = &store.conn;
    let v: i32 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    let fk: i32 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!((v, fk, mode.as_str()), (SCHEMA_VERSION, 1, "wal"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_default_name_is_kept_from_input_folders() {
    assert!(jx_sink::layout::RESERVED.contains(&FILE_NAME));
}

/// A database of version 1 (before verdicts) is brought to version 2 in
/// place, its rows kept; the verdicts of a form land in their table.
#[test]
fn a_version_1_database_is_upgraded_and_keeps_its_rows() {
    let dir = temp("upgrade");
    let path = dir.join("forms.sqlite");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch(schema_parts().0).unwrap();
        c.execute_batch(
            "INSERT INTO files (path, status, pages, forms, extraction, milliseconds, outputs, \
             problems, manifest_row) VALUES ('a.pdf', 'ok', 1, 0, 'text', 1, '[]', '[]', '{}')",
        )
        .unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    let store = Store::open(&path).unwrap();
    let c = &store.conn;
    let v: i32 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    let kept: String = c
        .query_row("SELECT path FROM files", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, "a.pdf");
    drop(store);
    // Opened again, it is exactly the current schema.
    drop(Store::open(&path).unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_forms_verdicts_and_verification_are_rows() {
    let dir = temp("verdicts");
    let mut forms = sample_forms();
    let name = forms[0].project.name.clone();
    forms[0].verdicts.push(Verdict {
        path: "project.name".parse().unwrap(),
        before: serde_json::json!(name),
        after: serde_json::json!("改过的名称"),
        by: "archivist".into(),
        at: "2026-12-06T14:00:00Z".into(),
        note: None,
    });
    forms[0].verification = Some(Verification::Verified);
    let row = row_of("a.pdf", &forms);
    let mut store = Store::open(dir.join("forms.sqlite")).unwrap();
    store.write_file(&row, &forms).unwrap();
    let c = &store.conn;
    let states: Vec<String> = c
        .prepare("SELECT verification FROM forms ORDER BY form_index")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(states[0], "verified");
    assert!(states[1..].iter().all(|s| s == "unverified"), "{states:?}");
    let (path, before, after): (String, String, String) = c
        .query_row("SELECT path, before, after FROM verdicts", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(path, "project.name");
    assert_eq!(before, serde_json::to_string(&name).unwrap());
    assert_eq!(after, "\"改过的名称\"");
    std::fs::remove_dir_all(&dir).unwrap();
}
