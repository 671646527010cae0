//! The PDF layer: PDF bytes → per page, positioned glyphs and ruling lines
//! ([`jx_model::PageContent`]), or the pixels of a scanned page
//! ([`jx_model::PageRaster`]) for the OCR stage.
//!
//! Built on hayro's interpreter (`hayro-interpret`), chosen by measurement
//! (see `STACK-NOTES` in the README): it decodes every font kind these forms
//! use — Type0 with Identity-H and ToUnicode, Type0 with a predefined CJK CMap
//! and no embedded font (`STSong-Light` + `UniGB-UCS2-H`, `GBK-EUC-H` …, via
//! the Adobe-GB1 UCS2 map it ships), simple TrueType/Type1, Type 3 — and it
//! reports problems as data instead of panicking.
//!
//! What this layer repairs, because only it can: Kangxi-radical code points
//! in ToUnicode maps ([`unicode`]), and glyphs drawn twice for fake bold
//! ([`overdraw`]). Out of scope: tables, text assembly, OCR.

mod device;
pub mod overdraw;
mod raster;
pub mod rules;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod unicode;

pub use device::ImagePlacement;
pub use overdraw::OverdrawOptions;

use device::CollectingDevice;
use hayro_interpret::TransformExt;
use hayro_interpret::hayro_syntax::Pdf;
use hayro_interpret::hayro_syntax::{DecryptionError, LoadPdfError};
use hayro_interpret::{Context, InterpreterCache, InterpreterSettings, interpret_page};
use jx_model::{Extraction, PageContent, PageRaster, Rect};
use std::sync::Arc;

/// Why a file or a page could not be read.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("not a PDF file (no %PDF header)")]
    NotPdf,
    #[error("encrypted: {0}")]
    Encrypted(String),
    #[error("damaged beyond repair: no readable page tree or cross-reference table")]
    Unreadable,
    #[error("the file has no pages")]
    NoPages,
    #[error(
        "page {page}: {count} of {total} glyphs have fonts that give no Unicode; text would be mojibake"
    )]
    UndecodableText {
        page: u32,
        count: usize,
        total: usize,
    },
    #[error("page {page}: image of {width}×{height} pixels exceeds the limit of {limit} pixels")]
    ImageTooLarge {
        page: u32,
        width: u32,
        height: u32,
        limit: u64,
    },
    #[error("page {page}: size {width}×{height} pt is not a plausible page")]
    AbsurdPageSize { page: u32, width: f32, height: f32 },
    #[error("page {page}: image could not be decoded")]
    ImageDecode { page: u32 },
}

/// Tunables of the PDF layer.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    pub overdraw: OverdrawOptions,
    /// Largest image (in pixels) decoded for OCR: a bomb guard.
    pub max_image_pixels: u64,
    /// Resolution at which a scanned page that is not one single image is
    /// rendered for OCR.
    pub render_dpi: f32,
    /// Share of a page's glyphs that may lack Unicode before the page is an
    /// error rather than silent mojibake.
    pub max_undecodable_share: f32,
}

impl Default for PdfOptions {
    fn default() -> Self {
        PdfOptions {
            overdraw: OverdrawOptions::default(),
            max_image_pixels: 120_000_000,
            render_dpi: 300.0,
            max_undecodable_share: 0.05,
        }
    }
}

/// One page as the text layer gives it.
#[derive(Debug, Clone)]
pub struct ExtractedPage {
    /// Glyphs (overdrawn copies collapsed) and rules. Invisible glyphs are
    /// kept, marked, so the caller can use them as a hint.
    pub content: PageContent,
    /// Images drawn on the page.
    pub images: Vec<ImagePlacement>,
}

impl ExtractedPage {
    /// Visible glyphs that carry text.
    pub fn visible_glyph_count(&self) -> usize {
        self.content
            .glyphs
            .iter()
            .filter(|g| !g.invisible && !g.text.trim().is_empty())
            .count()
    }

    /// A page whose only text is invisible (or none) and which is mostly
    /// covered by images is a scan: its text must come from OCR. An invisible
    /// OCR layer written by scanner software is someone else's guess and does
    /// not make the page a text page.
    pub fn needs_ocr(&self) -> bool {
        let page_area = (self.content.width * self.content.height).max(1.0);
        let image_area: f32 = self.images.iter().map(|i| i.bbox.area()).sum();
        self.visible_glyph_count() < 10 && image_area / page_area > 0.3
    }
}

/// An opened PDF file. Pages are read one at a time so that memory stays
/// bounded on long scans.
pub struct PdfFile {
    pdf: Pdf,
    opts: PdfOptions,
}

impl PdfFile {
    /// Opens a PDF from its bytes (encrypted files open when the user
    /// password is empty).
    pub fn open(bytes: Vec<u8>, opts: PdfOptions) -> Result<Self, PdfError> {
        if !bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
            return Err(PdfError::NotPdf);
        }
        let pdf = Pdf::new(Arc::new(bytes)).map_err(|e| match e {
            LoadPdfError::Decryption(DecryptionError::PasswordProtected) => {
                PdfError::Encrypted("a password is needed to open it".into())
            }
            LoadPdfError::Decryption(d) => PdfError::Encrypted(format!("{d:?}")),
            LoadPdfError::Invalid => PdfError::Unreadable,
        })?;
        if pdf.pages().is_empty() {
            return Err(PdfError::NoPages);
        }
        Ok(PdfFile { pdf, opts })
    }

    pub fn page_count(&self) -> usize {
        self.pdf.pages().len()
    }

    /// Interprets page `index` (0-based) and returns what its text layer
    /// holds.
    pub fn page(&self, index: usize) -> Result<ExtractedPage, PdfError> {
        let number = index as u32 + 1;
        let page = &self.pdf.pages()[index];
        let (width, height) = page.render_dimensions();
        if !(1.0..=20_000.0).contains(&width) || !(1.0..=20_000.0).contains(&height) {
            return Err(PdfError::AbsurdPageSize {
                page: number,
                width,
                height,
            });
        }
        let mut device = CollectingDevice::default();
        let cache = InterpreterCache::new();
        let settings = InterpreterSettings::default();
        let transform = page.initial_transform(true).to_kurbo();
        let bbox = hayro_interpret::kurbo::Rect::new(0.0, 0.0, f64::from(width), f64::from(height));
        let mut ctx = Context::new(transform, bbox, &cache, page.xref(), settings);
        interpret_page(page, &mut ctx, &mut device);

        let total = device.glyphs.len() + device.undecodable;
        if device.undecodable > 0
            && device.undecodable as f32 > self.opts.max_undecodable_share * total as f32
        {
            return Err(PdfError::UndecodableText {
                page: number,
                count: device.undecodable,
                total,
            });
        }
        let page_box = Rect::new(0.0, 0.0, width, height);
        let glyphs = device
            .glyphs
            .into_iter()
            .filter(|g| g.bbox.intersection_area(&page_box) > 0.0)
            .collect();
        let glyphs = overdraw::collapse_overdrawn(glyphs, &self.opts.overdraw);
        Ok(ExtractedPage {
            content: PageContent {
                number,
                width,
                height,
                glyphs,
                rules: device.rules,
                extraction: Extraction::Text,
            },
            images: device.images,
        })
    }

    /// The pixels of page `index` for OCR: the page's own scan image at its
    /// own resolution when the page is one upright image, otherwise the page
    /// rendered at [`PdfOptions::render_dpi`].
    pub fn page_raster(
        &self,
        index: usize,
        extracted: &ExtractedPage,
    ) -> Result<PageRaster, PdfError> {
        raster::page_raster(
            &self.pdf.pages()[index],
            index as u32 + 1,
            extracted,
            &self.opts,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{helvetica, hex, one_page, stsong_font};

    fn text_of(pdf: Vec<u8>) -> String {
        let f = PdfFile::open(pdf, PdfOptions::default()).unwrap();
        let p = f.page(0).unwrap();
        p.content.glyphs.iter().map(|g| g.text.as_str()).collect()
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
    }

    #[test]
    fn predefined_ucs2_and_utf16_cmaps_without_embedded_font_decode() {
        for cmap in ["UniGB-UCS2-H", "UniGB-UTF16-H"] {
            let content = format!("BT /F1 12 Tf 72 700 Td {} Tj ET", hex(&utf16("项目名称")));
            assert_eq!(
                text_of(one_page(&content, &stsong_font(cmap), "")),
                "项目名称",
                "{cmap}"
            );
        }
    }

    #[test]
    fn predefined_gbk_and_gb_euc_cmaps_decode() {
        // 项目 in GBK / GB2312: CF EE C4 BF.
        for cmap in ["GBK-EUC-H", "GB-EUC-H"] {
            let content = format!(
                "BT /F1 12 Tf 72 700 Td {} Tj ET",
                hex(&[0xCF, 0xEE, 0xC4, 0xBF])
            );
            assert_eq!(
                text_of(one_page(&content, &stsong_font(cmap), "")),
                "项目",
                "{cmap}"
            );
        }
    }

    #[test]
    fn rotated_page_gives_displayed_coordinates() {
        let content = "BT /F1 12 Tf 72 800 Td (AB) Tj ET";
        let f = PdfFile::open(
            one_page(content, &helvetica(), "/Rotate 90"),
            PdfOptions::default(),
        )
        .unwrap();
        let p = f.page(0).unwrap();
        // Displayed landscape: 842 wide, 595 high.
        assert!((p.content.width - 842.0).abs() < 1.0 && (p.content.height - 595.0).abs() < 1.0);
        let g = &p.content.glyphs[0];
        assert!(
            g.bbox.x0 >= 0.0 && g.bbox.x1 <= 842.0 && g.bbox.y0 >= 0.0 && g.bbox.y1 <= 595.0,
            "{:?}",
            g.bbox
        );
        assert_eq!(
            p.content
                .glyphs
                .iter()
                .map(|g| g.text.as_str())
                .collect::<String>(),
            "AB"
        );
    }

    #[test]
    fn crop_box_moves_the_origin() {
        let content = "BT /F1 12 Tf 100 700 Td (A) Tj ET";
        let f = PdfFile::open(
            one_page(content, &helvetica(), "/CropBox [50 50 545 792]"),
            PdfOptions::default(),
        )
        .unwrap();
        let p = f.page(0).unwrap();
        let g = &p.content.glyphs[0];
        // x 100 in user space is 50 from the crop box's left edge.
        assert!((g.bbox.x0 - 50.0).abs() < 1.0, "{:?}", g.bbox);
        assert!((p.content.height - 742.0).abs() < 1.0);
    }

    #[test]
    fn invisible_text_is_marked() {
        let content = "BT 3 Tr /F1 12 Tf 72 700 Td (Hidden) Tj ET";
        let f = PdfFile::open(one_page(content, &helvetica(), ""), PdfOptions::default()).unwrap();
        let p = f.page(0).unwrap();
        assert!(!p.content.glyphs.is_empty() && p.content.glyphs.iter().all(|g| g.invisible));
    }

    #[test]
    fn not_a_pdf_and_empty_files_are_typed_errors() {
        assert!(matches!(
            PdfFile::open(b"hello".to_vec(), PdfOptions::default()),
            Err(PdfError::NotPdf)
        ));
        assert!(matches!(
            PdfFile::open(Vec::new(), PdfOptions::default()),
            Err(PdfError::NotPdf)
        ));
    }
}
