//! Stage snapshots: the grids the table layer builds from each printed
//! sample's pages (jx-pdf → jx-grid), as text checked in under
//! `tests/snapshots/`. When a golden document goes wrong, this test says
//! whether the grid was already wrong (the PDF or grid layer) or the grid was
//! right and the form layer misread it.
//!
//! A snapshot that differs fails with the first differing lines; the grid as
//! built now is written to `target/snapshots/` to compare whole.
//! `JX_UPDATE_SNAPSHOTS=1 cargo test -p jxingest --test stages` rewrites the
//! checked-in snapshots (review the diff before committing it).
//!
//! Scans are left out: their grids depend on the Tesseract build's readings,
//! which the golden test measures by accuracy instead.

mod common;

use common::root;
use std::fmt::Write;
use std::path::Path;

/// The page's lines and tables as text: one line per text line outside the
/// tables and per cell, positions rounded to whole points.
fn snapshot(pdf: &Path) -> String {
    let bytes = std::fs::read(pdf).unwrap();
    let file = jx_pdf::PdfFile::open(bytes, jx_pdf::PdfOptions::default()).unwrap();
    let opts = jx_grid::GridOptions::default();
    let mut out = String::new();
    for i in 0..file.page_count() {
        let page = file.page(i).unwrap();
        let layout = jx_grid::reconstruct(&page.content, &opts);
        writeln!(out, "page {}", layout.number).unwrap();
        for l in &layout.lines {
            writeln!(out, "  line y={:.0} {:?}", l.bbox.y0, l.text).unwrap();
        }
        for t in &layout.tables {
            writeln!(
                out,
                "  table {}x{} at y={:.0}..{:.0}",
                t.rows(),
                t.cols(),
                t.bbox.y0,
                t.bbox.y1
            )
            .unwrap();
            for c in &t.cells {
                writeln!(
                    out,
                    "    r{} c{} {}x{} {:?}",
                    c.row, c.col, c.row_span, c.col_span, c.text
                )
                .unwrap();
            }
        }
    }
    out
}

#[test]
fn printed_samples_build_the_grids_of_their_snapshots() {
    let samples = root().join("samples/printed");
    let snapshots = root().join("tests/snapshots");
    let update = std::env::var_os("JX_UPDATE_SNAPSHOTS").is_some();
    let mut pdfs: Vec<_> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    assert!(!pdfs.is_empty(), "no printed samples");
    let mut failures = Vec::new();
    for pdf in &pdfs {
        let stem = pdf.file_stem().unwrap().to_string_lossy().into_owned();
        let now = snapshot(pdf);
        let path = snapshots.join(format!("{stem}.txt"));
        if update {
            std::fs::create_dir_all(&snapshots).unwrap();
            std::fs::write(&path, &now).unwrap();
            continue;
        }
        let Ok(expected) = std::fs::read_to_string(&path) else {
            failures.push(format!(
                "{stem}: no snapshot {} (JX_UPDATE_SNAPSHOTS=1 writes it)",
                path.display()
            ));
            continue;
        };
        if expected != now {
            let kept = root().join("target/snapshots");
            std::fs::create_dir_all(&kept).unwrap();
            std::fs::write(kept.join(format!("{stem}.txt")), &now).unwrap();
            let first = expected
                .lines()
                .zip(now.lines())
                .enumerate()
                .find(|(_, (a, b))| a != b)
                .map(|(n, (a, b))| format!("line {}: expected {a:?}, built {b:?}", n + 1))
                .unwrap_or_else(|| "one is a prefix of the other".into());
            failures.push(format!(
                "{stem}: the grid differs from its snapshot at {first} (whole grid in target/snapshots/{stem}.txt)"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
