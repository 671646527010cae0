-- The database of a jxingest run (OUT/forms.sqlite): the manifest's rows and
-- every form document, as tables. One source of truth: the jx-store crate
-- includes this file (include_str!) and runs it on a new database, then sets
-- PRAGMA user_version to the schema version (2). A database of version 1
-- (the tables above the line `-- Version 2`) is brought to version 2 by the
-- statements below that line; a database of another version, or without
-- these tables, is refused, never altered.
--
-- Money is TEXT: the same exact decimal strings (yuan) as the JSON, never
-- REAL. Lists are JSON arrays in TEXT columns. Rows of a file are written in
-- one transaction after its JSON documents are on disk, and replaced whole
-- when the file is read again; rows of files no longer in the manifest are
-- removed when the run finishes, so the database equals the manifest.

-- One row per manifest row (every input file, whatever became of it).
CREATE TABLE files (
    path         TEXT PRIMARY KEY,  -- input path relative to the input root, '/'-separated
    sha256       TEXT,              -- lower-case hex; NULL when the file could not be read
    status       TEXT NOT NULL,     -- ok | no_forms | recovered | incomplete | needs_ocr | ocr_failed | failed
    reason       TEXT,              -- one line: what went wrong
    pages        INTEGER NOT NULL,
    forms        INTEGER NOT NULL,  -- number of rows in forms for this path
    extraction   TEXT NOT NULL,     -- text | ocr | mixed | none
    milliseconds INTEGER NOT NULL,  -- time spent on the file (the one field that changes between runs)
    outputs      TEXT NOT NULL,     -- JSON array of the form files, relative to the output folder
    problems     TEXT NOT NULL,     -- JSON array of the row's typed problems
    manifest_row TEXT NOT NULL      -- the whole manifest row, compact JSON
) WITHOUT ROWID;

-- One row per form document.
CREATE TABLE forms (
    id                   INTEGER PRIMARY KEY,  -- surrogate key within this database (not stable across databases)
    path                 TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    form_index           INTEGER NOT NULL,     -- 1-based order of the form in its file (source.form_index)
    sha256               TEXT NOT NULL,        -- source.sha256
    pages                TEXT NOT NULL,        -- source.pages, JSON array of 1-based pages
    extraction           TEXT NOT NULL,        -- source.extraction: text | ocr | mixed
    document_title       TEXT,
    form_title           TEXT,
    year                 INTEGER,
    project_name         TEXT,
    nature               TEXT,
    category             TEXT,
    department           TEXT,
    implementer          TEXT,
    start_date           TEXT,
    end_date             TEXT,
    project_total        TEXT,  -- funds.project_total.total (decimal string, yuan)
    project_fiscal       TEXT,  -- funds.project_total.fiscal
    project_other        TEXT,  -- funds.project_total.other
    annual_total         TEXT,  -- funds.annual.total
    annual_appropriation TEXT,  -- funds.annual.appropriation
    annual_carryover     TEXT,  -- funds.annual.carryover
    annual_other         TEXT,  -- funds.annual.other
    goal_overall         TEXT,
    goal_annual          TEXT,
    document             TEXT NOT NULL,  -- the whole JSON document, compact
    UNIQUE (path, form_index)
);
CREATE INDEX forms_department_year ON forms (department, year);

-- One row per indicator, in the form's order.
CREATE TABLE indicators (
    form_id    INTEGER NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,  -- 0-based order in the form's indicators
    level1     TEXT NOT NULL,
    level2     TEXT NOT NULL,
    name       TEXT NOT NULL,
    value_text TEXT NOT NULL,     -- as printed
    op         TEXT,              -- parsed operator (≥, ≤, =, …) or NULL
    number     TEXT,              -- parsed number as an exact decimal string, or NULL
    unit       TEXT,
    PRIMARY KEY (form_id, position)
) WITHOUT ROWID;

-- One row per entry of a document's repairs (what the program changed).
CREATE TABLE repairs (
    form_id  INTEGER NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,  -- 0-based order in the document's repairs
    kind     TEXT NOT NULL,     -- stable code, e.g. duplicate_glyphs
    path     TEXT NOT NULL,     -- JSON path of the field concerned
    detail   TEXT NOT NULL,
    before   TEXT,
    after    TEXT,
    page     INTEGER,
    bbox     TEXT,              -- JSON array [x0, y0, x1, y1] or NULL
    PRIMARY KEY (form_id, position)
) WITHOUT ROWID;

-- One row per entry of a document's warnings (what the program doubts).
CREATE TABLE warnings (
    form_id  INTEGER NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,  -- 0-based order in the document's warnings
    kind     TEXT NOT NULL,
    path     TEXT NOT NULL,
    detail   TEXT NOT NULL,
    before   TEXT,
    after    TEXT,
    page     INTEGER,
    bbox     TEXT,
    PRIMARY KEY (form_id, position)
) WITHOUT ROWID;

-- The run that last finished writing the database: tool, version, options.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Version 2: what people decided (jxingest review, verdicts.jsonl).

-- How far a person settled the form's doubts: unverified (no verdict yet),
-- partly, verified (every doubt settled). The document's `verification`.
ALTER TABLE forms ADD COLUMN verification TEXT NOT NULL DEFAULT 'unverified';

-- One row per verdict of a document, in the order made: the field (`path`),
-- the machine's reading the person saw (`before`) and the settled value
-- (`after`), as JSON texts ('null' for none), who (`by`) and when (`at`).
-- `before = after` is an acceptance; a row added has before 'null', a row
-- removed after 'null'.
CREATE TABLE verdicts (
    form_id  INTEGER NOT NULL REFERENCES forms(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,  -- 0-based order in the document's verdicts
    path     TEXT NOT NULL,
    before   TEXT NOT NULL,
    after    TEXT NOT NULL,
    by       TEXT NOT NULL,
    at       TEXT NOT NULL,     -- RFC 3339, UTC
    note     TEXT,
    PRIMARY KEY (form_id, position)
) WITHOUT ROWID;
