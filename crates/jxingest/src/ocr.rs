//! The OCR path for pages without a usable text layer: the page's pixels
//! (jx-pdf) → cleaned image and rules from pixels (jx-ocr) → cell boxes from
//! those rules (jx-grid, the same lattice as printed pages) → Tesseract cell
//! by cell and on the lines outside the tables (jx-ocr) → page content that
//! goes on through the very same grid and form stages as a printed page.

use jx_grid::GridOptions;
use jx_model::{PageContent, Rect};
use jx_ocr::{OcrEngine, OcrOptions};
use jx_pdf::{ExtractedPage, PdfFile};
use std::sync::OnceLock;

/// One engine description for the process; Tesseract instances behind it
/// are per thread (jx-ocr keeps them).
fn engine() -> Result<&'static OcrEngine, String> {
    static ENGINE: OnceLock<Result<OcrEngine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| OcrEngine::new(&OcrOptions::default()).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// Reads an image page into page content.
pub fn read_page(
    pdf: &PdfFile,
    index: usize,
    page: &ExtractedPage,
    grid: &GridOptions,
) -> Result<PageContent, String> {
    let number = index + 1;
    let engine = engine().map_err(|e| format!("page {number}: OCR unavailable: {e}"))?;
    let raster = pdf.page_raster(index, page).map_err(|e| e.to_string())?;
    let prepared = jx_ocr::prepare(&raster, &OcrOptions::default())
        .map_err(|e| format!("page {number}: {e}"))?;
    drop(raster);
    let frames = jx_grid::frames(&prepared.rules, grid);
    let cells: Vec<Rect> = frames
        .iter()
        .flat_map(|f| f.cells.iter().map(|c| c.bbox))
        .collect();
    let tables: Vec<Rect> = frames.iter().map(|f| f.bbox).collect();
    let mut glyphs = engine
        .read_cells(&prepared, &cells)
        .map_err(|e| format!("page {number}: {e}"))?;
    glyphs.extend(
        engine
            .read_outside(&prepared, &tables)
            .map_err(|e| format!("page {number}: {e}"))?,
    );
    Ok(prepared.to_page_content(glyphs))
}
