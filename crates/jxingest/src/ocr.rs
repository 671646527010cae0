//! The OCR path for pages without a usable text layer.

use jx_grid::GridOptions;
use jx_model::PageContent;
use jx_pdf::{ExtractedPage, PdfFile};

/// Reads an image page into page content. Until the OCR stage is wired in,
/// every such page is reported as needing OCR.
pub fn read_page(
    _pdf: &PdfFile,
    index: usize,
    _page: &ExtractedPage,
    _grid: &GridOptions,
) -> Result<PageContent, String> {
    Err(format!(
        "page {}: image only, needs OCR (not available in this build)",
        index + 1
    ))
}
