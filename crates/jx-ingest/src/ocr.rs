//! The OCR page chain, the only copy of it: a page's pixels (jx-pdf) →
//! cleaned image and rules from pixels (jx-ocr `prepare`) → cell boxes from
//! those rules (jx-grid `frames`, the same lattice as printed pages) → the
//! recogniser cell by cell and on the lines outside the tables → page
//! content that goes on through the very same grid and form stages as a
//! printed page.

use jx_grid::GridOptions;
use jx_model::{PageContent, PageRaster, Rect};
use jx_ocr::{OcrError, OcrOptions, Recognizer};

/// Reads one page image into page content.
pub fn read_raster(
    raster: &PageRaster,
    engine: &dyn Recognizer,
    ocr: &OcrOptions,
    grid: &GridOptions,
) -> Result<PageContent, OcrError> {
    let prepared = jx_ocr::prepare(raster, ocr)?;
    let frames = jx_grid::frames(&prepared.rules, grid);
    let cells: Vec<Rect> = frames
        .iter()
        .flat_map(|f| f.cells.iter().map(|c| c.bbox))
        .collect();
    let tables: Vec<Rect> = frames.iter().map(|f| f.bbox).collect();
    let mut glyphs: Vec<_> = engine
        .read_cells(&prepared, &cells)?
        .into_iter()
        .flatten()
        .collect();
    glyphs.extend(engine.read_outside(&prepared, &tables)?);
    Ok(prepared.to_page_content(glyphs))
}
