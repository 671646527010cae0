//! Stage snapshots: the grids the table layer builds from each printed
//! sample's pages (jx-pdf → jx-grid), as text checked in under
//! `tests/snapshots/`. When a golden document goes wrong, this test says
//! whether the grid was already wrong (the PDF or grid layer) or the grid was
//! right and the form layer misread it.
//!
//! The snapshots are insta's (`tests/snapshots/<sample>.snap`): a grid that
//! differs fails with insta's diff and leaves a `.snap.new` beside it;
//! `cargo insta review`, or `INSTA_UPDATE=always cargo test -p jxingest
//! --test stages`, takes the new grids (review the diff before committing).
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
    let mut pdfs: Vec<_> = std::fs::read_dir(&samples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    assert!(!pdfs.is_empty(), "no printed samples");
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(root().join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for pdf in &pdfs {
            let stem = pdf.file_stem().unwrap().to_string_lossy().into_owned();
            insta::assert_snapshot!(stem, snapshot(pdf));
        }
    });
}
