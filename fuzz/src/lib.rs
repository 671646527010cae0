//! The path a fuzzer drives: bytes → [`jx_ingest::ingest`], the very
//! pipeline the CLI's workers run (integrity and resource checks, every
//! page's text layer, page images decoded, grids, forms), without
//! Tesseract (too slow for a fuzzer, and C++ outside this project:
//! [`jx_ingest::Ocr::DecodeOnly`]), with panics left to surface, and with
//! smaller limits so that one input stays fast: pages rendered at 36 dpi,
//! at most 8 pages, streams up to 64 MiB, 20 000 drawing operations a page.

use jx_ingest::{IngestOptions, Ocr, SourceFile};
use jx_pdf::PdfOptions;

/// Pages read, at most, per input.
pub const MAX_PAGES: usize = 8;

/// Runs one input through the whole path; returns the number of forms.
pub fn run(data: &[u8]) -> usize {
    let opts = IngestOptions {
        pdf: PdfOptions {
            render_dpi: 36.0,
            max_image_pixels: 4_000_000,
            max_stream_bytes: 64 << 20,
            max_inflated_bytes: 256 << 20,
            max_draw_calls: 20_000,
            ..PdfOptions::default()
        },
        max_pages: Some(MAX_PAGES),
        catch_panics: false,
        ..IngestOptions::default()
    };
    let source = SourceFile {
        path: "fuzz.pdf".into(),
        sha256: String::new(),
    };
    jx_ingest::ingest(data.to_vec(), &source, &opts, Ocr::DecodeOnly, &[], &mut |_| {})
        .map_or(0, |r| r.forms.len())
}
