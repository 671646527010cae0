//! One file through every stage: PDF → page content (text layer, or OCR
//! for image pages) → page layouts → form records.

use jx_form::{FormOptions, SourceFile};
use jx_grid::GridOptions;
use jx_model::{Extraction, FormRecord, PageLayout};
use jx_pdf::{PdfFile, PdfOptions};
use sha2::{Digest, Sha256};

use crate::manifest::Mode;

/// Options of every stage.
#[derive(Debug, Clone, Default)]
pub struct PipelineOptions {
    pub pdf: PdfOptions,
    pub grid: GridOptions,
    pub form: FormOptions,
}

/// What one file gave.
#[derive(Debug)]
pub struct FileResult {
    pub pages: usize,
    pub forms: Vec<FormRecord>,
    pub mode: Mode,
    /// Pages that needed OCR and could not get it, 1-based.
    pub unread_pages: Vec<u32>,
    /// Pages that failed with a reason (the rest of the file still counts).
    pub page_errors: Vec<String>,
}

/// Why a whole file failed.
#[derive(Debug)]
pub struct FileError(pub String);

pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the pipeline on one file's bytes.
pub fn process(
    bytes: Vec<u8>,
    rel: &str,
    sha256: &str,
    opts: &PipelineOptions,
) -> Result<FileResult, FileError> {
    let pdf = PdfFile::open(bytes, opts.pdf.clone()).map_err(|e| FileError(e.to_string()))?;
    let mut layouts: Vec<PageLayout> = Vec::with_capacity(pdf.page_count());
    let mut unread_pages = Vec::new();
    let mut page_errors = Vec::new();
    for i in 0..pdf.page_count() {
        let page = match pdf.page(i) {
            Ok(p) => p,
            Err(e) => {
                page_errors.push(e.to_string());
                continue;
            }
        };
        if page.needs_ocr() {
            match crate::ocr::read_page(&pdf, i, &page, &opts.grid) {
                Ok(content) => layouts.push(jx_grid::reconstruct(&content, &opts.grid)),
                Err(e) => {
                    unread_pages.push(i as u32 + 1);
                    page_errors.push(e);
                }
            }
            continue;
        }
        layouts.push(jx_grid::reconstruct(&page.content, &opts.grid));
    }
    let source = SourceFile {
        path: rel.to_string(),
        sha256: sha256.to_string(),
    };
    let forms = jx_form::map(&layouts, &source, &opts.form);
    let text = layouts.iter().any(|l| l.extraction == Extraction::Text);
    let ocr = layouts.iter().any(|l| l.extraction == Extraction::Ocr);
    let mode = match (text, ocr) {
        (true, false) => Mode::Text,
        (false, true) => Mode::Ocr,
        (true, true) => Mode::Mixed,
        (false, false) => Mode::None,
    };
    Ok(FileResult {
        pages: pdf.page_count(),
        forms,
        mode,
        unread_pages,
        page_errors,
    })
}
