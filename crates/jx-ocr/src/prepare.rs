//! Page preparation: from decoded pixels to a deskewed, binarized page with
//! its ruling lines.

use crate::binarize::{InkImage, Sauvola, paper_level, sauvola};
use crate::raster::{GrayImage, rotate_level, to_gray};
use crate::rules::{PixelRule, RuleParams, find_rules};
use crate::skew::estimate_skew;
use crate::{OcrError, OcrOptions};
use jx_model::{PageContent, PageRaster, Point, Rect, Rule};

/// A scanned page ready for the grid layer and for cell-by-cell OCR.
///
/// Everything here is in the *deskewed* frame: the image was rotated about its
/// centre by the estimated skew, keeping its size, so the page's
/// pixel↔point mapping (`frame`) applies unchanged to the deskewed pixels, and
/// rules, cell boxes and glyph boxes all share it.
#[derive(Debug, Clone)]
pub struct PreparedPage {
    /// 1-based page number, from the raster.
    pub number: u32,
    /// Page size in points, as displayed.
    pub page_width: f32,
    pub page_height: f32,
    /// The part of the page, in points, that the pixels cover.
    pub frame: Rect,
    /// Deskewed gray image with coloured marks whitened (what Tesseract reads).
    pub gray: GrayImage,
    /// Binarized `gray`: 1 = ink (used for rules, empty-cell tests and line finding).
    pub ink: InkImage,
    /// Skew that was found and corrected, in degrees; positive = the scan's
    /// content fell to the right (was turned clockwise).
    pub skew_degrees: f32,
    /// Ruling lines in page points (deskewed frame), horizontal ones first,
    /// each group ordered by position.
    pub rules: Vec<Rule>,
    /// Pixels that were treated as coloured marks (seals, coloured ink) and
    /// whitened; 0 for a gray raster.
    pub coloured_pixels: u64,
}

impl PreparedPage {
    /// Pixel size of the images.
    pub fn size_px(&self) -> (usize, usize) {
        (self.gray.width, self.gray.height)
    }

    /// Points per pixel horizontally and vertically.
    pub fn points_per_pixel(&self) -> (f32, f32) {
        self.frame
            .points_per_pixel(self.gray.width, self.gray.height)
    }

    /// Horizontal resolution in dots per inch (72 for an empty page).
    pub fn dpi(&self) -> f32 {
        let (sx, _) = self.points_per_pixel();
        if sx > 0.0 { 72.0 / sx } else { 72.0 }
    }

    /// A pixel position (deskewed image) in page points.
    pub fn pixel_to_page(&self, px: f32, py: f32) -> Point {
        self.frame
            .pixel_to_page(self.gray.width, self.gray.height, px, py)
    }

    /// A pixel rectangle `[x0, x1) × [y0, y1)` in page points.
    pub fn pixel_rect_to_page(&self, x0: f32, y0: f32, x1: f32, y1: f32) -> Rect {
        let a = self.pixel_to_page(x0, y0);
        let b = self.pixel_to_page(x1, y1);
        Rect::new(a.x, a.y, b.x, b.y)
    }

    /// A rectangle in page points as pixel bounds `[x0, x1) × [y0, y1)`,
    /// clamped to the image (empty when outside it).
    pub fn page_rect_to_pixels(&self, r: &Rect) -> (usize, usize, usize, usize) {
        let (sx, sy) = self.points_per_pixel();
        let (w, h) = self.size_px();
        if sx <= 0.0
            || sy <= 0.0
            || !r.x0.is_finite()
            || !r.y0.is_finite()
            || !r.x1.is_finite()
            || !r.y1.is_finite()
        {
            return (0, 0, 0, 0);
        }
        let cx = |v: f32| (((v - self.frame.x0) / sx).round().max(0.0) as usize).min(w);
        let cy = |v: f32| (((v - self.frame.y0) / sy).round().max(0.0) as usize).min(h);
        let (x0, x1) = (cx(r.x0), cx(r.x1));
        let (y0, y1) = (cy(r.y0), cy(r.y1));
        (x0, y0, x1.max(x0), y1.max(y0))
    }

    /// Median rule thickness in pixels (≈ 1 pt when no rule was found).
    pub fn rule_thickness_px(&self) -> f32 {
        let (sx, _) = self.points_per_pixel();
        if sx <= 0.0 {
            return 1.0;
        }
        let mut t: Vec<f32> = self.rules.iter().map(|r| r.thickness / sx).collect();
        if t.is_empty() {
            return (1.0 / sx).max(1.0);
        }
        t.sort_by(f32::total_cmp);
        t[t.len() / 2]
    }

    /// Widths in pixels (left, top, right, bottom) of the strips along the
    /// image edges whose marks are taken for scanner artefacts — platen
    /// borders, shadows, the dark wedge a skewed scan leaves — rather than
    /// print: [`EDGE_MARGIN_INCH`] on each side where the image reaches the
    /// page's edge, 0 where it does not (an image placed inside a page has no
    /// scanner edge there).
    pub fn edge_margins_px(&self) -> [f32; 4] {
        let m = EDGE_MARGIN_INCH * self.dpi();
        let near = |a: f32, b: f32| (a - b).abs() <= 1.0;
        [
            if near(self.frame.x0, 0.0) { m } else { 0.0 },
            if near(self.frame.y0, 0.0) { m } else { 0.0 },
            if near(self.frame.x1, self.page_width) {
                m
            } else {
                0.0
            },
            if near(self.frame.y1, self.page_height) {
                m
            } else {
                0.0
            },
        ]
    }

    /// The page as the grid layer takes it: these glyphs, the rules found
    /// here, extraction `Ocr`.
    pub fn to_page_content(&self, glyphs: Vec<jx_model::Glyph>) -> PageContent {
        PageContent {
            number: self.number,
            width: self.page_width,
            height: self.page_height,
            glyphs,
            rules: self.rules.clone(),
            extraction: jx_model::Extraction::Ocr,
            ink: Vec::new(),
        }
    }
}

/// A skew estimated under this many degrees is left uncorrected: over a
/// page 2500 px wide it moves a line end by under a pixel, and rotating
/// costs time and blurs the strokes. A judgment, not measured.
const MIN_SKEW_DEGREES: f32 = 0.02;

/// Width in inches of the strip along a page edge where marks are taken for
/// scanner artefacts (forms are printed with wider margins than this).
pub const EDGE_MARGIN_INCH: f32 = 0.15;

/// Largest raster accepted, in pixels: the one page-image limit of the
/// project ([`jx_model::MAX_PAGE_PIXELS`]), the same jx-pdf decodes up to.
pub const MAX_PIXELS: u64 = jx_model::MAX_PAGE_PIXELS;

/// Prepares a scanned page: gray conversion with coloured marks removed, skew
/// estimation and correction, Sauvola binarization and rule finding.
///
/// A zero-size raster gives an empty page (no rules), not an error: it simply
/// holds nothing to read. An inconsistent raster (pixel buffer shorter than
/// `width × height × channels`, 0 or 2 channels) or one larger than
/// [`MAX_PIXELS`] is an error.
pub fn prepare(raster: &PageRaster, opts: &OcrOptions) -> Result<PreparedPage, OcrError> {
    check_raster(raster)?;
    let (w, h) = (raster.width as usize, raster.height as usize);
    let frame = if raster.frame.width() > 0.0 && raster.frame.height() > 0.0 {
        raster.frame
    } else {
        Rect::new(0.0, 0.0, raster.page_width, raster.page_height)
    };
    let mut page = PreparedPage {
        number: raster.number,
        page_width: raster.page_width,
        page_height: raster.page_height,
        frame,
        gray: GrayImage::default(),
        ink: InkImage::default(),
        skew_degrees: 0.0,
        rules: Vec::new(),
        coloured_pixels: 0,
    };
    if w == 0 || h == 0 {
        return Ok(page);
    }
    // Fringe ≈ 1/50 inch: JPEG's colour blocks are 2 px at any resolution,
    // and scan blur spreads a seal's stroke by about as much again.
    let dpi = 72.0 * w as f32 / frame.width();
    let fringe = ((dpi / 50.0).round() as usize).clamp(1, 8);
    let (gray, coloured) = to_gray(
        &raster.pixels,
        w,
        h,
        raster.channels,
        opts.chroma_threshold,
        fringe,
    );
    page.coloured_pixels = coloured;
    page.gray = gray;
    let dpi = page.dpi();

    let skew = if opts.max_skew_degrees > 0.0 {
        let step = ((dpi / 150.0).round() as usize).max(1);
        estimate_skew(&page.gray, opts.max_skew_degrees, step)
    } else {
        0.0
    };
    if skew.abs() >= MIN_SKEW_DEGREES {
        let paper = paper_level(&page.gray);
        page.gray = rotate_level(&page.gray, skew, paper);
    }
    page.skew_degrees = skew;

    let paper = paper_level(&page.gray);
    let floor = paper.saturating_sub(opts.paper_margin);
    page.ink = sauvola(&page.gray, Sauvola::for_dpi(dpi), floor);

    let mut params = RuleParams::for_dpi(dpi);
    params.edge_margins = page.edge_margins_px();
    let px_rules = find_rules(&page.ink, &params);
    page.rules = to_page_rules(&page, &px_rules);
    Ok(page)
}

/// Refuses a raster larger than [`MAX_PIXELS`] or inconsistent with its
/// own size and channels, before any buffer is sized by it.
fn check_raster(raster: &PageRaster) -> Result<(), OcrError> {
    let (w, h) = (raster.width as usize, raster.height as usize);
    let pixels = w as u64 * h as u64;
    if pixels > MAX_PIXELS {
        return Err(OcrError::ImageTooLarge {
            width: raster.width,
            height: raster.height,
            max_pixels: MAX_PIXELS,
        });
    }
    if raster.channels != 1 && raster.channels != 3 && raster.channels != 4 {
        return Err(OcrError::BadRaster(format!(
            "{} channels (expected 1 or 3)",
            raster.channels
        )));
    }
    let need = pixels as usize * raster.channels as usize;
    if raster.pixels.len() < need {
        return Err(OcrError::BadRaster(format!(
            "{} bytes of pixels for {}×{}×{}",
            raster.pixels.len(),
            raster.width,
            raster.height,
            raster.channels
        )));
    }
    Ok(())
}

fn to_page_rules(page: &PreparedPage, px: &[PixelRule]) -> Vec<Rule> {
    let (sx, sy) = page.points_per_pixel();
    let mut hs = Vec::new();
    let mut vs = Vec::new();
    for r in px {
        if r.horizontal {
            let y = page.frame.y0 + r.position * sy;
            let x0 = page.frame.x0 + r.start * sx;
            let x1 = page.frame.x0 + r.end * sx;
            hs.push(Rule::horizontal(y, x0, x1, r.thickness * sy));
        } else {
            let x = page.frame.x0 + r.position * sx;
            let y0 = page.frame.y0 + r.start * sy;
            let y1 = page.frame.y0 + r.end * sy;
            vs.push(Rule::vertical(x, y0, y1, r.thickness * sx));
        }
    }
    let key = |a: &Rule, b: &Rule| {
        a.position
            .total_cmp(&b.position)
            .then(a.start.total_cmp(&b.start))
    };
    hs.sort_by(key);
    vs.sort_by(key);
    hs.extend(vs);
    hs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testimg::{GRID_COLS, GRID_ROWS, grid_page, noise};
    use jx_model::RuleAxis;

    fn raster_from(img: &GrayImage, dpi: f32) -> PageRaster {
        let pw = img.width as f32 * 72.0 / dpi;
        let ph = img.height as f32 * 72.0 / dpi;
        PageRaster {
            number: 1,
            page_width: pw,
            page_height: ph,
            width: img.width as u32,
            height: img.height as u32,
            channels: 1,
            pixels: img.data.clone(),
            frame: Rect::new(0.0, 0.0, pw, ph),
            hint_glyphs: vec![],
        }
    }

    #[test]
    fn prepares_a_skewed_grid() {
        let page = grid_page(1000, 1400, true);
        let mut skewed = rotate_level(&page, -1.2, 245);
        noise(&mut skewed, 8);
        let raster = raster_from(&skewed, 150.0);
        let p = prepare(&raster, &OcrOptions::default()).unwrap();
        assert!(
            (p.skew_degrees - 1.2).abs() <= 0.2,
            "skew {}",
            p.skew_degrees
        );
        let hs: Vec<_> = p
            .rules
            .iter()
            .filter(|r| r.axis == RuleAxis::Horizontal)
            .collect();
        let vs: Vec<_> = p
            .rules
            .iter()
            .filter(|r| r.axis == RuleAxis::Vertical)
            .collect();
        assert_eq!(hs.len(), GRID_ROWS.len(), "{hs:#?}");
        assert_eq!(vs.len(), GRID_COLS.len(), "{vs:#?}");
        // Positions in points: 150 dpi → 0.48 pt a pixel. Rotation about the
        // centre moves a rule near the centre little.
        let pt = 72.0 / 150.0;
        let mid = hs[3];
        assert!(
            (mid.position - (GRID_ROWS[3] as f32 + 1.5) * pt).abs() < 3.0 * pt,
            "{mid:?}"
        );
        assert!(hs.iter().all(|r| r.thickness < 3.0));
    }

    #[test]
    fn odd_rasters_do_not_panic() {
        let opts = OcrOptions::default();
        let mut r = raster_from(&GrayImage::white(0, 0), 300.0);
        r.page_width = 595.0;
        r.page_height = 842.0;
        let p = prepare(&r, &opts).unwrap();
        assert!(p.rules.is_empty());
        assert_eq!(p.size_px(), (0, 0));
        assert_eq!(
            p.page_rect_to_pixels(&Rect::new(0.0, 0.0, 10.0, 10.0)),
            (0, 0, 0, 0)
        );

        let white = prepare(&raster_from(&GrayImage::white(300, 400), 100.0), &opts).unwrap();
        assert!(white.rules.is_empty());
        assert_eq!(white.ink.ink_count(), 0);

        let black = GrayImage {
            width: 300,
            height: 400,
            data: vec![0; 120_000],
        };
        let p = prepare(&raster_from(&black, 100.0), &opts).unwrap();
        assert!(p.rules.is_empty());

        let mut short = raster_from(&GrayImage::white(30, 40), 100.0);
        short.pixels.truncate(10);
        assert!(matches!(
            prepare(&short, &opts),
            Err(OcrError::BadRaster(_))
        ));
        let mut huge = raster_from(&GrayImage::white(1, 1), 100.0);
        huge.width = 100_000;
        huge.height = 100_000;
        assert!(matches!(
            prepare(&huge, &opts),
            Err(OcrError::ImageTooLarge { .. })
        ));
    }

    #[test]
    fn red_seal_over_cell_keeps_text_and_rules() {
        // RGB page: grid + text in black, a red disc stamped (multiplied) over a cell.
        let gray = grid_page(1000, 1400, true);
        let (w, h) = (gray.width, gray.height);
        let mut rgb = Vec::with_capacity(w * h * 3);
        let (cx, cy, rad) = (400.0f32, 330.0f32, 110.0f32);
        let mut under_seal_text = 0;
        for y in 0..h {
            for x in 0..w {
                let v = gray.get(x, y) as f32 / 255.0;
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                // ring and star-ish fill: solid disc is the hardest case
                let (r, g, b) = if d < rad {
                    (0.86, 0.16, 0.18)
                } else {
                    (1.0, 1.0, 1.0)
                };
                if d < rad && v < 0.5 {
                    under_seal_text += 1;
                }
                rgb.push((255.0 * v * r) as u8);
                rgb.push((255.0 * v * g) as u8);
                rgb.push((255.0 * v * b) as u8);
            }
        }
        assert!(under_seal_text > 500);
        let mut raster = raster_from(&gray, 150.0);
        raster.channels = 3;
        raster.pixels = rgb;
        let p = prepare(&raster, &OcrOptions::default()).unwrap();
        assert!(p.coloured_pixels > 30_000);
        // The same page without the seal, for comparison.
        let plain = prepare(&raster_from(&gray, 150.0), &OcrOptions::default()).unwrap();
        // Every black pixel under the seal is still ink; the seal itself is not.
        let mut kept = 0;
        let mut plain_kept = 0;
        let mut seal_ink = 0;
        for y in 0..h {
            for x in 0..w {
                let d = ((x as f32 - cx).powi(2) + (y as f32 - cy).powi(2)).sqrt();
                if d < rad - 3.0 {
                    if gray.get(x, y) < 128 && p.ink.is_ink(x, y) {
                        kept += 1;
                    }
                    if gray.get(x, y) < 128 && plain.ink.is_ink(x, y) {
                        plain_kept += 1;
                    }
                    if gray.get(x, y) > 128 && p.ink.is_ink(x, y) {
                        seal_ink += 1;
                    }
                }
            }
        }
        assert!(
            plain_kept * 100 >= under_seal_text * 90,
            "{plain_kept} of {under_seal_text}"
        );
        assert!(
            kept * 100 >= plain_kept * 98,
            "kept {kept}, without seal {plain_kept}"
        );
        assert!(seal_ink < 200, "seal pixels binarized as ink: {seal_ink}");
        assert_eq!(p.rules.len(), GRID_ROWS.len() + GRID_COLS.len());
    }
}
