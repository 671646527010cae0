//! The run's database (`OUT/forms.sqlite` by default): every manifest row
//! and every form document as SQLite tables, for the archive's queries
//! (appropriations by department and year, indicators whose value is not a
//! number …). A [`jx_sink::Sink`] like the others, so a run, `--resume` and
//! `merge` all write it the same way.
//!
//! The tables are `schema/forms.sql`, the one source (included here); the
//! database's `PRAGMA user_version` is [`SCHEMA_VERSION`]. A database of
//! another version, or whose tables are not exactly ours, is refused and
//! left as it is.
//!
//! Safety: a file's rows are replaced in one transaction (delete by path,
//! cascading to its forms, indicators, repairs and warnings, then insert),
//! called after its JSON documents are on disk; the database is in WAL mode,
//! so a run killed at any moment leaves a database that opens, with whole
//! files only. At finish, rows of files no longer in the manifest are
//! removed, so the database holds exactly the manifest.
//!
//! Money stays the JSON's exact decimal strings (TEXT, never REAL).

use jx_model::{Diagnostic, FileRow, FormRecord, Manifest, Verdict, Verification};
use jx_sink::{FileOutput, Sink, SinkError};
use rusqlite::{Connection, OpenFlags, Transaction, params};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The DDL of the database, `schema/forms.sql`.
pub const SCHEMA: &str = include_str!("../../../schema/forms.sql");

/// The database's name under the output folder, by default (one of the
/// names [`jx_sink::layout::RESERVED`] keeps from input folders).
pub const FILE_NAME: &str = "forms.sqlite";

/// `PRAGMA user_version` of a database this crate writes.
pub const SCHEMA_VERSION: i32 = 2;

/// The line of `schema/forms.sql` that ends version 1's tables: what comes
/// after it brings a version-1 database to version 2.
const VERSION_2_MARK: &str = "\n-- Version 2:";

/// Version 1's tables (the schema up to [`VERSION_2_MARK`]) and the
/// statements that bring them to version 2.
fn schema_parts() -> (&'static str, &'static str) {
    let at = SCHEMA
        .find(VERSION_2_MARK)
        .expect("schema/forms.sql marks version 2");
    SCHEMA.split_at(at)
}

/// Why the database cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// SQLite failed (cannot open or create the file, read-only, locked,
    /// full, not a database …).
    #[error("SQLite database {}: {source}", path.display())]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// The file is a database, but not one of ours of this version: it is
    /// left untouched.
    #[error("SQLite database {}: refused, left untouched: {detail}", path.display())]
    Refused { path: PathBuf, detail: String },
}

/// The database sink.
pub struct Store {
    path: PathBuf,
    conn: Connection,
    /// Files not written since a write failed (a full disk, a lock that
    /// stays): after one error the sink stops trying, so a broken database
    /// costs one message and no waiting per file; `finish` says how many
    /// are missing (a `--resume` then completes the database).
    skipped: Option<usize>,
}

impl Store {
    /// Opens the database at `path`, creating it (and its tables) when the
    /// file is missing or empty. Refuses a database of another schema
    /// version or with other tables, before changing anything in it.
    pub fn open(path: impl Into<PathBuf>) -> Result<Store, StoreError> {
        let path = path.into();
        let sqlite = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sqlite)?;
        // Wait a while for another writer rather than failing at once.
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sqlite)?;
        let mut store = Store {
            path,
            conn,
            skipped: None,
        };
        store.check_or_create()?;
        let sqlite = |source| StoreError::Sqlite {
            path: store.path.clone(),
            source,
        };
        // Only now that the database is known to be ours: WAL (a kill leaves
        // the last committed file whole; readers do not block the run), and
        // `NORMAL` sync, which in WAL mode keeps the database consistent and
        // syncs at checkpoints instead of at every file.
        let mode: String = store
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(sqlite)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Refused {
                path: store.path.clone(),
                detail: format!("cannot use write-ahead logging (journal mode stays {mode})"),
            });
        }
        store
            .conn
            .execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(sqlite)?;
        Ok(store)
    }

    /// The database's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A new database gets the schema; an existing one must be exactly it.
    fn check_or_create(&mut self) -> Result<(), StoreError> {
        let sqlite = |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        };
        let version: i32 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sqlite)?;
        let found = schema_objects(&self.conn).map_err(sqlite)?;
        if found.is_empty() && version == 0 {
            let tx = self.conn.transaction().map_err(sqlite)?;
            tx.execute_batch(SCHEMA).map_err(sqlite)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sqlite)?;
            return tx.commit().map_err(sqlite);
        }
        if version == 1 && found == objects_of(schema_parts().0) {
            // Version 1, exactly: add what version 2 adds, in one transaction.
            let tx = self.conn.transaction().map_err(sqlite)?;
            tx.execute_batch(schema_parts().1).map_err(sqlite)?;
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                .map_err(sqlite)?;
            return tx.commit().map_err(sqlite);
        }
        if version != SCHEMA_VERSION {
            return Err(StoreError::Refused {
                path: self.path.clone(),
                detail: format!(
                    "its schema version (PRAGMA user_version) is {version}, this jxingest writes \
                     version {SCHEMA_VERSION}; use another --db, or move it away"
                ),
            });
        }
        let want = expected_objects();
        if found != want {
            let missing: Vec<&str> = want
                .difference(&found)
                .map(|(_, name, _)| name.as_str())
                .collect();
            let extra: Vec<&str> = found
                .difference(&want)
                .map(|(_, name, _)| name.as_str())
                .collect();
            return Err(StoreError::Refused {
                path: self.path.clone(),
                detail: format!(
                    "its tables are not jxingest's schema version {SCHEMA_VERSION} (differing or \
                     missing: {}; not ours: {}); use another --db, or move it away",
                    list_or_none(&missing),
                    list_or_none(&extra)
                ),
            });
        }
        Ok(())
    }

    /// Whether the database already holds `row` exactly (same manifest row,
    /// so the same documents): a carried-over file need not be written again.
    pub fn holds(&self, row: &FileRow) -> Result<bool, rusqlite::Error> {
        let stored: Option<String> = self
            .conn
            .prepare_cached("SELECT manifest_row FROM files WHERE path = ?1")?
            .query_row([&row.path], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        Ok(stored.is_some_and(|s| s == compact(row)))
    }

    /// Replaces the rows of `row.path` with `row` and `forms`, in one
    /// transaction.
    pub fn write_file(&mut self, row: &FileRow, forms: &[FormRecord]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        tx.prepare_cached("DELETE FROM files WHERE path = ?1")?
            .execute([&row.path])?;
        insert_file(&tx, row)?;
        for form in forms {
            insert_form(&tx, &row.path, form)?;
        }
        tx.commit()
    }

    /// Removes every file not in `manifest` and records the run in `meta`,
    /// in one transaction; then checkpoints the write-ahead log into the
    /// database file.
    pub fn finish_manifest(&mut self, manifest: &Manifest) -> rusqlite::Result<()> {
        let keep: HashSet<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
        let tx = self.conn.transaction()?;
        let stored: Vec<String> = tx
            .prepare("SELECT path FROM files")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        {
            let mut delete = tx.prepare_cached("DELETE FROM files WHERE path = ?1")?;
            for path in stored.iter().filter(|p| !keep.contains(p.as_str())) {
                delete.execute([path])?;
            }
            let mut meta =
                tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
            meta.execute(["tool", &manifest.tool])?;
            meta.execute(["version", &manifest.version])?;
            meta.execute(["options", &manifest.options])?;
        }
        tx.commit()?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
    }

    fn backend(&self, e: rusqlite::Error) -> SinkError {
        SinkError::Backend {
            target: self.describe(),
            source: Box::new(e),
        }
    }
}

impl Sink for Store {
    fn describe(&self) -> String {
        format!("SQLite database {}", self.path.display())
    }

    /// Replaces the file's rows; a carried-over file the database already
    /// holds as it is stays untouched.
    fn file(&mut self, file: &FileOutput<'_>) -> Result<(), SinkError> {
        if let Some(n) = &mut self.skipped {
            *n += 1;
            return Ok(());
        }
        let held = if file.carried {
            self.holds(file.row)
        } else {
            Ok(false)
        };
        let written = match held {
            Ok(true) => Ok(()),
            Ok(false) => self.write_file(file.row, file.forms),
            Err(e) => Err(e),
        };
        written.map_err(|e| {
            self.skipped = Some(0);
            self.backend(e)
        })
    }

    /// Drops files no longer in the manifest, unless a write failed: then
    /// the database is left as it is (whole files only) and the error says
    /// how many files it lacks.
    fn finish(&mut self, manifest: &Manifest) -> Result<(), SinkError> {
        if let Some(n) = self.skipped {
            return Err(SinkError::Refused {
                target: self.describe(),
                detail: format!(
                    "incomplete: after the error above, {n} more file(s) were not written; \
                     run again with --resume to complete it"
                ),
            });
        }
        self.finish_manifest(manifest).map_err(|e| self.backend(e))
    }
}

fn insert_file(tx: &Transaction<'_>, row: &FileRow) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO files (path, sha256, status, reason, pages, forms, extraction, \
         milliseconds, outputs, problems, manifest_row) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        row.path,
        row.sha256,
        row.status.as_str(),
        row.reason,
        row.pages as i64,
        row.forms as i64,
        jx_model::manifest::extraction::as_str(row.extraction),
        row.milliseconds as i64,
        compact(&row.outputs),
        compact(&row.problems),
        compact(row),
    ])?;
    Ok(())
}

fn insert_form(tx: &Transaction<'_>, path: &str, f: &FormRecord) -> rusqlite::Result<()> {
    let (p, pt, an) = (&f.project, &f.funds.project_total, &f.funds.annual);
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO forms (path, form_index, sha256, pages, extraction, document_title, \
             form_title, year, project_name, nature, category, department, implementer, \
             start_date, end_date, project_total, project_fiscal, project_other, annual_total, \
             annual_appropriation, annual_carryover, annual_other, goal_overall, goal_annual, \
             document, verification) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
             ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26) RETURNING id",
        )?
        .query_row(
            params![
                path,
                f.source.form_index,
                f.source.sha256,
                compact(&f.source.pages),
                name_of(&f.source.extraction),
                f.document_title,
                f.form_title,
                f.year,
                p.name,
                p.nature,
                p.category,
                p.department,
                p.implementer,
                p.start_date,
                p.end_date,
                pt.total.map(|m| m.to_string()),
                pt.fiscal.map(|m| m.to_string()),
                pt.other.map(|m| m.to_string()),
                an.total.map(|m| m.to_string()),
                an.appropriation.map(|m| m.to_string()),
                an.carryover.map(|m| m.to_string()),
                an.other.map(|m| m.to_string()),
                f.goals.overall,
                f.goals.annual,
                compact(f),
                f.verification.unwrap_or(Verification::Unverified).as_str(),
            ],
            |r| r.get(0),
        )?;
    let mut ind = tx.prepare_cached(
        "INSERT INTO indicators (form_id, position, level1, level2, name, value_text, op, \
         number, unit) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for (i, x) in f.indicators.iter().enumerate() {
        ind.execute(params![
            id,
            i as i64,
            x.level1,
            x.level2,
            x.name,
            x.value.text,
            x.value.op,
            x.value.number,
            x.value.unit,
        ])?;
    }
    for (table, list) in [("repairs", &f.repairs), ("warnings", &f.warnings)] {
        insert_diagnostics(tx, table, id, list)?;
    }
    insert_verdicts(tx, id, &f.verdicts)
}

fn insert_verdicts(tx: &Transaction<'_>, form_id: i64, list: &[Verdict]) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO verdicts (form_id, position, path, before, after, by, at, note) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, v) in list.iter().enumerate() {
        st.execute(params![
            form_id,
            i as i64,
            v.path.to_string(),
            compact(&v.before),
            compact(&v.after),
            v.by,
            v.at,
            v.note,
        ])?;
    }
    Ok(())
}

fn insert_diagnostics(
    tx: &Transaction<'_>,
    table: &str,
    form_id: i64,
    list: &[Diagnostic],
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(&format!(
        "INSERT INTO {table} (form_id, position, kind, path, detail, before, after, page, bbox) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    ))?;
    for (i, d) in list.iter().enumerate() {
        st.execute(params![
            form_id,
            i as i64,
            d.kind.as_str(),
            d.path_text(),
            d.detail,
            d.before,
            d.after,
            d.page,
            d.bbox.as_ref().map(compact),
        ])?;
    }
    Ok(())
}

/// Compact JSON of a value that always serializes.
fn compact<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).expect("records serialize")
}

/// The serialized name of a unit enum (`text`).
fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value).expect("enums serialize") {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

type Objects = std::collections::BTreeSet<(String, String, String)>;

/// The tables, indexes and their SQL in a database, SQLite's own left out.
fn schema_objects(conn: &Connection) -> rusqlite::Result<Objects> {
    conn.prepare(
        "SELECT type, name, coalesce(sql, '') FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'",
    )?
    .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
    .collect()
}

/// What [`SCHEMA`] makes, from a database in memory.
fn expected_objects() -> Objects {
    objects_of(SCHEMA)
}

/// What `ddl` makes, from a database in memory.
fn objects_of(ddl: &str) -> Objects {
    let conn = Connection::open_in_memory().expect("SQLite opens in memory");
    conn.execute_batch(ddl).expect("schema/forms.sql runs");
    schema_objects(&conn).expect("the schema lists")
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests;
