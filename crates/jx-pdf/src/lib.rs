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
mod guard;
mod integrity;
pub mod overdraw;
mod raster;
pub mod rules;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod unicode;

pub use device::ImagePlacement;
pub use integrity::{XrefDamage, xref_damage};
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
    #[error(
        "a stream (at byte {offset}) inflates to more than {limit_mib} MiB: refused as a decompression bomb"
    )]
    StreamTooLarge { offset: usize, limit_mib: u64 },
    #[error("the file's streams inflate to more than {limit_mib} MiB in all: refused")]
    InflatesTooMuch { limit_mib: u64 },
    #[error(
        "page {page}: more than {limit} drawing operations (form XObjects drawn over and over?): refused"
    )]
    TooComplex { page: u32, limit: u64 },
    #[error("page {page}: its content stream {what}")]
    ContentUnreadable { page: u32, what: &'static str },
}

/// Tunables of the PDF layer.
#[derive(Debug, Clone, serde::Serialize)]
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
    /// Largest size (bytes) one stream may inflate to; checked on the raw
    /// bytes before anything is parsed (a decompression-bomb guard, see
    /// `guard.rs`). The default allows an image of `max_image_pixels` in
    /// CMYK.
    pub max_stream_bytes: u64,
    /// Largest size all of a file's measured streams may inflate to.
    pub max_inflated_bytes: u64,
    /// Most drawing operations (paths, glyph runs, images, clips — each
    /// form XObject drawn is one) a page may ask for; 0 for no limit. The
    /// samples' pages ask for 600 to 3000 (measured); hayro spends about
    /// 7 µs a call on nested form XObjects, so the default stops such a page
    /// within 2 s.
    pub max_draw_calls: u64,
}

impl Default for PdfOptions {
    fn default() -> Self {
        PdfOptions {
            overdraw: OverdrawOptions::default(),
            max_image_pixels: jx_model::MAX_PAGE_PIXELS,
            render_dpi: 300.0,
            max_undecodable_share: 0.05,
            max_stream_bytes: 512 << 20,
            max_inflated_bytes: 2 << 30,
            max_draw_calls: 250_000,
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
    /// What the interpreter worked around on this page (a font it could not
    /// load, an image it could not decode …), in the order met.
    pub warnings: Vec<ReaderWarning>,
}

/// A warning of the PDF interpreter (hayro's `InterpreterWarning`, as data
/// of our own so that no caller depends on hayro's types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReaderWarning {
    #[error("a font could not be loaded")]
    UnsupportedFont,
    #[error("an image could not be decoded")]
    ImageDecodeFailure,
    #[error("an annotation's appearance could not be loaded")]
    UnresolvedAnnotationAppearance,
    #[error("the interpreter worked around a problem")]
    Other,
}

impl From<hayro_interpret::InterpreterWarning> for ReaderWarning {
    fn from(w: hayro_interpret::InterpreterWarning) -> Self {
        use hayro_interpret::InterpreterWarning as W;
        match w {
            W::UnsupportedFont => ReaderWarning::UnsupportedFont,
            W::ImageDecodeFailure => ReaderWarning::ImageDecodeFailure,
            W::UnresolvedAnnotationAppearance => ReaderWarning::UnresolvedAnnotationAppearance,
            _ => ReaderWarning::Other,
        }
    }
}

impl ExtractedPage {
    /// Glyphs drawn visibly that carry text.
    fn visible_glyphs(&self) -> impl Iterator<Item = &jx_model::Glyph> {
        self.content
            .glyphs
            .iter()
            .filter(|g| !g.invisible && !g.text.trim().is_empty())
    }

    /// Visible glyphs that carry text.
    pub fn visible_glyph_count(&self) -> usize {
        self.visible_glyphs().count()
    }

    /// A page mostly covered by images whose visible text is none, a few
    /// glyphs, or a few short lines is a scan: its text must come from OCR.
    ///
    /// An invisible OCR layer written by scanner software is someone else's
    /// guess and does not make the page a text page. Nor does the line an
    /// archive system prints over a scan (`档案编号：JX-2024-0001  扫描件`,
    /// `- 3 -`): a page whose image covers most of it and whose visible text
    /// lies on at most [`MAX_STAMP_LINES`] lines is a scan however many
    /// glyphs those lines hold, while a form printed as text has dozens of
    /// lines.
    pub fn needs_ocr(&self) -> bool {
        let page_area = (self.content.width * self.content.height).max(1.0);
        let image_area: f32 = self.images.iter().map(|i| i.bbox.area()).sum();
        let coverage = image_area / page_area;
        if coverage <= 0.3 {
            return false;
        }
        let visible = self.visible_glyph_count();
        visible < 10 || (coverage >= 0.6 && self.visible_text_lines() <= MAX_STAMP_LINES)
    }

    /// Lines of visible text: glyphs grouped by vertical overlap of their
    /// boxes, top to bottom.
    pub fn visible_text_lines(&self) -> usize {
        let mut spans: Vec<(f32, f32)> = self
            .visible_glyphs()
            .map(|g| (g.bbox.y0.min(g.bbox.y1), g.bbox.y0.max(g.bbox.y1)))
            .collect();
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut lines = 0;
        let mut bottom = f32::NEG_INFINITY;
        for (top, low) in spans {
            // A glyph starts a new line when it begins below the middle of
            // the line so far (sub- and superscripts stay on their line).
            if top >= bottom - 0.5 * (low - top).max(0.0) {
                lines += 1;
                bottom = low;
            } else {
                bottom = bottom.max(low);
            }
        }
        lines
    }
}

/// Most lines of visible text a page covered by a scan may carry and still be
/// read by OCR: an archive system's stamp and a page number.
pub const MAX_STAMP_LINES: usize = 3;

/// An opened PDF file. Pages are read one at a time so that memory stays
/// bounded on long scans.
/// Decoded fonts and objects of one [`PdfFile`], shared by its pages.
pub struct PageCache<'a>(InterpreterCache<'a>);

pub struct PdfFile {
    pdf: Pdf,
    opts: PdfOptions,
}

impl PdfFile {
    /// Opens a PDF from its bytes (encrypted files open when the user
    /// password is empty). Streams that would inflate beyond
    /// [`PdfOptions::max_stream_bytes`] are refused here, before anything is
    /// decoded.
    pub fn open(bytes: Vec<u8>, opts: PdfOptions) -> Result<Self, PdfError> {
        if !bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
            return Err(PdfError::NotPdf);
        }
        guard::check_streams(&bytes, opts.max_stream_bytes, opts.max_inflated_bytes)?;
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

    /// What is wrong with the page tree (a cycle, a kid that is no page,
    /// fewer pages than `/Count`), in words; `None` when it is intact.
    /// hayro skips such damage silently, so pages may be missing.
    pub fn page_tree_damage(&self) -> Option<String> {
        integrity::page_tree_damage(&self.pdf, self.page_count())
    }

    /// A cache of the file's decoded fonts and objects, to share across its
    /// pages ([`PdfFile::page_with`]). hayro parses a font again for every
    /// page it is given a new cache for; a volume sets every page in the
    /// same few fonts, and parsing them was most of the time spent on a page
    /// (measured with `perf`, README "Benchmarks").
    pub fn cache(&self) -> PageCache<'_> {
        PageCache(InterpreterCache::new())
    }

    /// Interprets page `index` (0-based) and returns what its text layer
    /// holds.
    pub fn page(&self, index: usize) -> Result<ExtractedPage, PdfError> {
        self.page_with(index, &self.cache())
    }

    /// [`PdfFile::page`] with the file's shared cache.
    pub fn page_with<'a>(
        &'a self,
        index: usize,
        cache: &PageCache<'a>,
    ) -> Result<ExtractedPage, PdfError> {
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
        let mut device = CollectingDevice::with_budget(self.opts.max_draw_calls);
        let cache = &cache.0;
        let warnings = Arc::new(std::sync::Mutex::new(Vec::<ReaderWarning>::new()));
        let sink = warnings.clone();
        let settings = InterpreterSettings {
            warning_sink: Arc::new(move |w| {
                if let Ok(mut v) = sink.lock() {
                    v.push(w.into());
                }
            }),
            ..InterpreterSettings::default()
        };
        let transform = page.initial_transform(true).to_kurbo();
        let bbox = hayro_interpret::kurbo::Rect::new(0.0, 0.0, f64::from(width), f64::from(height));
        let mut ctx = Context::new(transform, bbox, cache, page.xref(), settings);
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            interpret_page(page, &mut ctx, &mut device)
        }));
        if let Err(payload) = run {
            if payload.is::<device::DrawBudgetExceeded>() {
                return Err(PdfError::TooComplex {
                    page: number,
                    limit: self.opts.max_draw_calls,
                });
            }
            std::panic::resume_unwind(payload);
        }

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
                ink: Vec::new(),
            },
            images: device.images,
            warnings: std::mem::take(&mut *warnings.lock().unwrap_or_else(|e| e.into_inner())),
        })
    }

    /// Whether page `index`'s content streams are intact: `Ok(None)` when
    /// they are, `Ok(Some(what))` when a Flate stream is damaged but was
    /// decoded in part (hayro reads what it can), `Err` when the page has
    /// content that cannot be read at all (the page then shows nothing).
    pub fn page_content_damage(&self, index: usize) -> Result<Option<&'static str>, PdfError> {
        integrity::page_content_damage(&self.pdf.pages()[index], index as u32 + 1)
    }

    /// Refuses, before any pixel is decoded, a page whose OCR raster would
    /// be larger than [`PdfOptions::max_image_pixels`]: its scan image, or
    /// when it is rendered, the rendering and every image drawn on it.
    /// [`PdfFile::page_raster`] runs the same check.
    pub fn check_raster(&self, index: usize, extracted: &ExtractedPage) -> Result<(), PdfError> {
        raster::check_raster(index as u32 + 1, extracted, &self.opts)
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
    /// Page `index` (0-based) rendered whole at `dpi`, RGB on white: what a
    /// person sees of it (the review site's page images), whatever the page
    /// holds. Refused like an OCR raster when it would exceed
    /// [`PdfOptions::max_image_pixels`].
    pub fn render_page(&self, index: usize, dpi: f32) -> Result<PageRaster, PdfError> {
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
        let opts = PdfOptions {
            render_dpi: dpi,
            ..self.opts.clone()
        };
        raster::render(page, number, width, height, Vec::new(), &opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{self, helvetica, hex, one_page, stsong_font};

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
    fn a_page_asking_for_too_many_draws_is_refused() {
        use crate::testing::{build, stream};
        // Three levels of form XObjects, each drawing the next ten times.
        let form = |next: Option<usize>| {
            let res = next.map_or(String::new(), |n| {
                format!("/Resources << /XObject << /N {n} 0 R >> >>")
            });
            let draws = if next.is_some() { 10 } else { 0 };
            let body = "/N Do ".repeat(draws) + "0 0 m 1 1 l S";
            let s = stream(&body);
            s.replacen(
                "<<",
                &format!("<< /Type /XObject /Subtype /Form /BBox [0 0 9 9] {res}"),
                1,
            )
        };
        let pdf = build(&[
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /N 5 0 R >> >> >>".into(),
            stream("/N Do"),
            form(Some(6)),
            form(Some(7)),
            form(None),
        ]);
        let opts = PdfOptions {
            max_draw_calls: 100,
            ..PdfOptions::default()
        };
        let f = PdfFile::open(pdf.clone(), opts).unwrap();
        let e = f.page(0).unwrap_err();
        assert!(
            matches!(
                e,
                PdfError::TooComplex {
                    page: 1,
                    limit: 100
                }
            ),
            "{e}"
        );
        // Within the default budget the same page is read.
        let f = PdfFile::open(pdf, PdfOptions::default()).unwrap();
        let p = f.page(0);
        assert!(p.is_ok(), "{:?}", p.err());
    }

    #[test]
    fn a_page_renders_at_the_asked_resolution() {
        let content = "0 0 0 rg 72 700 100 50 re f";
        let f = PdfFile::open(one_page(content, &helvetica(), ""), PdfOptions::default()).unwrap();
        let r = f.render_page(0, 96.0).unwrap();
        // A4 (595 x 842 pt) at 96 dpi.
        assert_eq!((r.width, r.height, r.channels), (793, 1122, 3));
        assert_eq!(r.pixels.len(), (r.width * r.height * 3) as usize);
        // The black box (x 72..172 pt, 92..142 pt from the top) is black, the rest white.
        let at = |x: f32, y: f32| {
            let (px, py) = ((x * 96.0 / 72.0) as u32, (y * 96.0 / 72.0) as u32);
            r.pixels[((py * r.width + px) * 3) as usize]
        };
        assert_eq!(at(120.0, 120.0), 0);
        assert_eq!(at(300.0, 400.0), 255);
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

    /// A page covered by a 2×2 gray image with `text` drawn over it, one
    /// Helvetica line per item.
    fn scan_with_text(lines: &[&str]) -> ExtractedPage {
        let mut content = String::from("q 595 0 0 842 0 0 cm /Im0 Do Q\n");
        for (k, line) in lines.iter().enumerate() {
            let y = 800.0 - 14.0 * k as f32;
            content.push_str(&format!("BT /F1 10 Tf 40 {y} Td ({line}) Tj ET\n"));
        }
        let pdf = testing::build(&[
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> /XObject << /Im0 6 0 R >> >> >>".into(),
            testing::stream(&content),
            helvetica(),
            "<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\u{80}\u{80}\u{80}\u{80}\nendstream".into(),
        ]);
        PdfFile::open(pdf, PdfOptions::default())
            .unwrap()
            .page(0)
            .unwrap()
    }

    #[test]
    fn a_scan_an_archive_system_stamped_with_text_is_still_a_scan() {
        let stamped = scan_with_text(&["File JX-2024-0001 scanned copy", "- 3 -"]);
        assert!(stamped.visible_glyph_count() >= 10);
        assert_eq!(stamped.visible_text_lines(), 2);
        assert!(stamped.needs_ocr());
        assert!(scan_with_text(&[]).needs_ocr());
        // Text printed over a background picture, line after line, is a text page.
        let rows: Vec<String> = (0..12).map(|k| format!("row {k} of the form")).collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let printed = scan_with_text(&rows);
        assert_eq!(printed.visible_text_lines(), 12);
        assert!(!printed.needs_ocr());
    }
}
