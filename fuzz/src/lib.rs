//! The path a fuzzer drives: bytes → [`jx_pdf::PdfFile`] (with the
//! integrity and resource checks the CLI runs) → every page's text layer,
//! or for an image page its OCR raster → [`jx_grid::reconstruct`] →
//! [`jx_form::map`]. The same as `crates/jxingest/src/pipeline.rs` without
//! Tesseract (too slow for a fuzzer, and C++ outside this project), with
//! smaller limits so that one input stays fast: pages rendered at 36 dpi,
//! at most 8 pages, streams up to 64 MiB, 20 000 drawing operations a page.

use jx_form::{FormOptions, SourceFile};
use jx_grid::GridOptions;
use jx_pdf::{PdfFile, PdfOptions};

/// Pages read, at most, per input.
pub const MAX_PAGES: usize = 8;

/// Runs one input through the whole path; returns the number of forms.
pub fn run(data: &[u8]) -> usize {
    let opts = PdfOptions {
        render_dpi: 36.0,
        max_image_pixels: 4_000_000,
        max_stream_bytes: 64 << 20,
        max_inflated_bytes: 256 << 20,
        max_draw_calls: 20_000,
        ..PdfOptions::default()
    };
    let _ = jx_pdf::xref_damage(data);
    let Ok(pdf) = PdfFile::open(data.to_vec(), opts) else {
        return 0;
    };
    let grid = GridOptions::default();
    let mut layouts = Vec::new();
    for i in 0..pdf.page_count().min(MAX_PAGES) {
        let _ = pdf.page_content_damage(i);
        let Ok(page) = pdf.page(i) else { continue };
        if page.needs_ocr() {
            if pdf.check_raster(i, &page).is_ok() {
                let _ = pdf.page_raster(i, &page);
            }
            continue;
        }
        layouts.push(jx_grid::reconstruct(&page.content, &grid));
    }
    let source = SourceFile {
        path: "fuzz.pdf".into(),
        sha256: String::new(),
    };
    jx_form::map(&layouts, &source, &FormOptions::default()).len()
}
