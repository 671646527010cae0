//! Tesseract, cell by cell.
//!
//! Whole-page OCR of a ruled form is slow and poor (the rules break
//! Tesseract's line finding); reading each cell on its own, with the rules
//! cut away and the page-segmentation mode chosen for the cell, is both more
//! accurate and, with empty cells skipped, faster. This module crops, cleans
//! and feeds each box, and maps Tesseract's word boxes back to page points.

use crate::binarize::InkImage;
use crate::components::{Component, InkRun, label};
use crate::prepare::PreparedPage;
use crate::raster::GrayImage;
use crate::{OcrError, OcrFeed, OcrOptions};
use jx_model::{Glyph, GlyphOrigin, Rect, RuleAxis};
use rayon::prelude::*;
use std::cell::RefCell;
use std::ffi::CString;
use tesseract::PageSegMode;
use tesseract::plumbing::TessBaseApi;

/// Which Tesseract instance: one per thread for each (data path, language).
#[derive(Debug, Clone, PartialEq, Eq)]
struct EngineKey {
    datapath: Option<String>,
    language: String,
}

thread_local! {
    /// Tesseract instances of this thread. `TessBaseAPI` is not thread-safe,
    /// and creating one costs ~50–100 ms (model load), so each worker thread
    /// keeps its own for the life of the thread: memory stays bounded by the
    /// number of threads, and no lock is taken per cell.
    static ENGINES: RefCell<Vec<(EngineKey, TessBaseApi)>> = const { RefCell::new(Vec::new()) };
}

fn init_api(key: &EngineKey) -> Result<TessBaseApi, OcrError> {
    let err = |why: &str| OcrError::EngineInit {
        language: key.language.clone(),
        datapath: key.datapath.clone(),
        detail: why.to_string(),
    };
    let lang =
        CString::new(key.language.as_str()).map_err(|_| err("language name holds a NUL byte"))?;
    let path = match &key.datapath {
        Some(p) => Some(CString::new(p.as_str()).map_err(|_| err("data path holds a NUL byte"))?),
        None => None,
    };
    if let Some(p) = &key.datapath {
        for l in key.language.split('+') {
            let f = std::path::Path::new(p).join(format!("{l}.traineddata"));
            if !f.is_file() {
                return Err(err(&format!("{} does not exist", f.display())));
            }
        }
    }
    let mut api = TessBaseApi::create();
    api.init_2(path.as_deref(), Some(&lang))
        .map_err(|_| err("Tesseract could not load the language data"))?;
    // Tesseract's diagnostics ("Empty page!!", resolution warnings) would go to
    // stderr for every odd cell; route them away.
    let set = |api: &mut TessBaseApi, k: &str, v: &str| {
        if let (Ok(k), Ok(v)) = (CString::new(k), CString::new(v)) {
            let _ = api.set_variable(&k, &v);
        }
    };
    if cfg!(unix) {
        set(&mut api, "debug_file", "/dev/null");
    }
    Ok(api)
}

fn with_api<R>(key: &EngineKey, f: impl FnOnce(&mut TessBaseApi) -> R) -> Result<R, OcrError> {
    ENGINES.with(|cell| {
        let mut engines = cell.borrow_mut();
        let idx = match engines.iter().position(|(k, _)| k == key) {
            Some(i) => i,
            None => {
                let api = init_api(key)?;
                engines.push((key.clone(), api));
                engines.len() - 1
            }
        };
        Ok(f(&mut engines[idx].1))
    })
}

/// The OCR engine: configuration plus per-thread Tesseract instances.
///
/// Cheap to share by reference across threads (`Sync`); the Tesseract
/// instances themselves live in thread-local storage.
#[derive(Debug, Clone)]
pub struct OcrEngine {
    key: EngineKey,
    text_height: usize,
    parallel: bool,
    feed: OcrFeed,
}

/// Page-segmentation mode chosen for a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One text line: `psm 7`.
    Line,
    /// Several lines: `psm 6` (a uniform block).
    Block,
}

/// The ink to read in one box, already separated from rules and noise.
struct TextBlob {
    /// Runs of the kept components (page pixel coordinates).
    runs: Vec<InkRun>,
    /// Pixel box to crop, `[x0, x1) × [y0, y1)`.
    bbox: (usize, usize, usize, usize),
    layout: Layout,
    /// Typical text line height in pixels.
    text_height: usize,
}

/// One recognised word from Tesseract's TSV output, in the OCR image's pixels.
#[derive(Debug, Clone, PartialEq)]
struct Word {
    line: (i32, i32, i32),
    left: f32,
    top: f32,
    width: f32,
    height: f32,
    conf: f32,
    text: String,
}

impl OcrEngine {
    /// Creates the engine and loads Tesseract once on this thread, so that a
    /// missing language pack is reported here, before any page is processed.
    pub fn new(opts: &OcrOptions) -> Result<Self, OcrError> {
        let key = EngineKey {
            datapath: opts
                .tessdata
                .as_ref()
                .map(|p| p.to_string_lossy().into_owned()),
            language: opts.language.clone(),
        };
        with_api(&key, |_| ())?;
        Ok(OcrEngine {
            key,
            text_height: opts.text_height_px.clamp(8, 200) as usize,
            parallel: opts.parallel,
            feed: opts.feed,
        })
    }

    /// Reads each cell box (page points, deskewed frame) and returns the
    /// glyphs of all cells: one glyph per recognised run of words on a text
    /// line, cell after cell in the order given, lines top to bottom.
    /// Empty cells yield nothing and cost only an ink count.
    pub fn read_cells(&self, page: &PreparedPage, cells: &[Rect]) -> Result<Vec<Glyph>, OcrError> {
        Ok(self
            .read_cells_grouped(page, cells)?
            .into_iter()
            .flatten()
            .collect())
    }

    /// As [`read_cells`](Self::read_cells), but one `Vec` per input box.
    pub fn read_cells_grouped(
        &self,
        page: &PreparedPage,
        cells: &[Rect],
    ) -> Result<Vec<Vec<Glyph>>, OcrError> {
        if self.parallel {
            cells.par_iter().map(|c| self.read_cell(page, c)).collect()
        } else {
            cells.iter().map(|c| self.read_cell(page, c)).collect()
        }
    }

    /// Reads one cell box.
    pub fn read_cell(&self, page: &PreparedPage, cell: &Rect) -> Result<Vec<Glyph>, OcrError> {
        match cell_blob(page, cell) {
            Some(blob) => self.read_blob(page, &blob),
            None => Ok(Vec::new()),
        }
    }

    /// Reads the text outside the given table boxes (titles, the year line,
    /// headers and footers) line by line: the ink outside the tables and off
    /// the rules is split into connected components, grouped into lines by
    /// their vertical extent, split where a horizontal gap exceeds two line
    /// heights, and each piece is read as a single line.
    pub fn read_outside(
        &self,
        page: &PreparedPage,
        tables: &[Rect],
    ) -> Result<Vec<Glyph>, OcrError> {
        let blobs = outside_blobs(page, tables);
        let groups: Result<Vec<Vec<Glyph>>, OcrError> = if self.parallel {
            blobs.par_iter().map(|b| self.read_blob(page, b)).collect()
        } else {
            blobs.iter().map(|b| self.read_blob(page, b)).collect()
        };
        Ok(groups?.into_iter().flatten().collect())
    }

    /// Crops and cleans the blob, scales it so its text lines are
    /// `text_height` pixels tall, runs Tesseract and maps the words back to
    /// page points.
    /// Reads a box at the configured text height; a box read with low
    /// confidence is read once more with its text larger, and the read with
    /// the better mean confidence is kept. Tesseract's line finder is
    /// brittle on some sizes (measured: the corpus's 16 pt cover title at
    /// 200 dpi read wrongly at 22 px, rightly at 33 px); a second look costs
    /// time only where the first was doubtful.
    fn read_blob(&self, page: &PreparedPage, blob: &TextBlob) -> Result<Vec<Glyph>, OcrError> {
        let first = self.read_blob_at(page, blob, self.text_height)?;
        let mean = |g: &[Glyph]| {
            let c: Vec<f32> = g
                .iter()
                .filter_map(|g| match g.origin {
                    jx_model::GlyphOrigin::Ocr { confidence } => Some(confidence),
                    jx_model::GlyphOrigin::TextLayer => None,
                })
                .collect();
            c.iter().sum::<f32>() / c.len().max(1) as f32
        };
        if first.is_empty() || mean(&first) >= RETRY_BELOW_CONFIDENCE {
            return Ok(first);
        }
        let second = self.read_blob_at(page, blob, self.text_height * 3 / 2)?;
        Ok(if mean(&second) > mean(&first) {
            second
        } else {
            first
        })
    }

    fn read_blob_at(
        &self,
        page: &PreparedPage,
        blob: &TextBlob,
        text_height: usize,
    ) -> Result<Vec<Glyph>, OcrError> {
        let (bx0, by0, bx1, by1) = blob.bbox;
        let (w, h) = (bx1 - bx0, by1 - by0);
        if w == 0 || h == 0 {
            return Ok(Vec::new());
        }
        // Mask of the kept ink, in crop coordinates.
        let mut mask = vec![0u8; w * h];
        for r in &blob.runs {
            let (y, x0, x1) = (r.y as usize, r.x0 as usize, r.x1 as usize);
            if y < by0 || y >= by1 {
                continue;
            }
            let (a, b) = (x0.max(bx0), x1.min(bx1));
            if a < b {
                mask[(y - by0) * w + a - bx0..(y - by0) * w + b - bx0].fill(1);
            }
        }
        let mut img = GrayImage::white(w, h);
        match self.feed {
            OcrFeed::Binary => {
                for (o, &m) in img.data.iter_mut().zip(&mask) {
                    if m != 0 {
                        *o = 0;
                    }
                }
            }
            OcrFeed::Gray => {
                // The page's gray levels where there is kept ink or next to it
                // (anti-aliased stroke edges); paper elsewhere. Rule remnants
                // and specks are thereby gone, without hard binary edges.
                let grown = dilate(&mask, w, h);
                for y in 0..h {
                    let src = &page.gray.data[(by0 + y) * page.gray.width + bx0..][..w];
                    for x in 0..w {
                        if grown[y * w + x] != 0 {
                            img.data[y * w + x] = src[x];
                        }
                    }
                }
            }
        }
        let mut factor = (text_height as f32 / blob.text_height.max(1) as f32).clamp(0.2, 4.0);
        // Keep what Tesseract gets bounded (a page-sized box of tiny print
        // must not become a gigapixel image).
        let area = (w * h) as f32 * factor * factor;
        if area > MAX_OCR_PIXELS {
            factor *= (MAX_OCR_PIXELS / area).sqrt();
        }
        let pad = 12usize;
        let img = img.resize(factor).padded(pad);
        let dpi = (page.dpi() * factor).round() as i32;
        let psm = match blob.layout {
            Layout::Line => PageSegMode::PsmSingleLine,
            Layout::Block => PageSegMode::PsmSingleBlock,
        };
        let tsv = with_api(&self.key, |api| -> Result<String, OcrError> {
            api.set_image(
                &img.data,
                img.width as i32,
                img.height as i32,
                1,
                img.width as i32,
            )
            .map_err(|e| OcrError::Recognition(format!("set image: {e:?}")))?;
            api.set_source_resolution(dpi.clamp(70, 2400));
            api.set_page_seg_mode(psm.as_tess_page_seg_mode());
            api.recognize()
                .map_err(|_| OcrError::Recognition("Tesseract failed to recognise a box".into()))?;
            let t = api
                .get_tsv_text(0)
                .map_err(|_| OcrError::Recognition("no TSV output".into()))?;
            Ok(t.as_ref().to_string_lossy().into_owned())
        })??;
        let mut words = parse_tsv(&tsv);
        // The operator at the head of a value, settled by its pixels.
        if let Some(first) = words.first_mut() {
            let fx = img_scale(w, img.width - 2 * pad);
            let fy = img_scale(h, img.height - 2 * pad);
            let to_crop = |u: f32, f: f32| ((u - pad as f32) / f).max(0.0) as usize;
            let (x0, y0) = (to_crop(first.left, fx), to_crop(first.top, fy));
            let y1 = to_crop(first.top + first.height, fy) + 1;
            let x1 = x0 + ((y1 - y0) as f32 * 0.75) as usize;
            let mask = crate::comparison::Mask { data: &mask, w, h };
            let seen = crate::comparison::comparison_with_bar(&mask, x0, x1, y0, y1);
            first.text = crate::comparison::mend_head(&first.text, seen);
        }
        // An operator read as a word of its own before the number.
        if words.len() >= 2
            && words[0].line == words[1].line
            && words[0].text.chars().count() <= 2
            && !words[0].text.chars().any(|c| c.is_ascii_alphanumeric())
            && words[1].text.starts_with(|c: char| c.is_ascii_digit())
        {
            let fx = img_scale(w, img.width - 2 * pad);
            let fy = img_scale(h, img.height - 2 * pad);
            let to_crop = |u: f32, f: f32| ((u - pad as f32) / f).max(0.0) as usize;
            let b = &words[0];
            let (x0, y0) = (to_crop(b.left, fx), to_crop(b.top.min(words[1].top), fy));
            let x1 = to_crop(b.left + b.width, fx) + 1;
            let y1 = to_crop((b.top + b.height).max(words[1].top + words[1].height), fy) + 1;
            let mask = crate::comparison::Mask { data: &mask, w, h };
            let seen = crate::comparison::comparison_with_bar(&mask, x0, x1, y0, y1);
            let joined =
                crate::comparison::mend_head(&format!("{}{}", words[0].text, words[1].text), seen);
            if let Some(op) = joined.chars().next().filter(|c| matches!(c, '≥' | '≤')) {
                words[0].text = op.to_string();
            }
        }
        // Word box in OCR-image pixels → page pixels → page points.
        let fx = img_scale(w, img.width - 2 * pad);
        let fy = img_scale(h, img.height - 2 * pad);
        let to_page = |u: f32, v: f32| {
            page.pixel_to_page(
                bx0 as f32 + (u - pad as f32) / fx,
                by0 as f32 + (v - pad as f32) / fy,
            )
        };
        Ok(words_to_glyphs(&words, &to_page))
    }
}

/// Mean confidence under which a box is read a second time, larger.
/// Measured on the corpus's 300 dpi scan: 0.75 gave 99.44 % of fields right
/// at 1.8 s a page; 0.6 gives 99.02 % at 1.36 s a page (no retry: 99.02 %,
/// 1.26 s), and on the sample scans 96.9 % either way — 0.6 keeps a page
/// under the 1.5 s budget.
const RETRY_BELOW_CONFIDENCE: f32 = 0.6;

/// Largest image handed to Tesseract, in pixels.
const MAX_OCR_PIXELS: f32 = 24_000_000.0;

/// The scale actually applied (after rounding the size): new / old.
fn img_scale(old: usize, new: usize) -> f32 {
    new as f32 / old.max(1) as f32
}

/// 3×3 dilation of a 0/1 mask.
fn dilate(mask: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            if mask[y * w + x] == 0 {
                continue;
            }
            for yy in y.saturating_sub(1)..(y + 2).min(h) {
                for xx in x.saturating_sub(1)..(x + 2).min(w) {
                    out[yy * w + xx] = 1;
                }
            }
        }
    }
    out
}

/// Size thresholds in pixels for a page.
struct Sizes {
    /// Components smaller than this (pixels) are scanner noise.
    speck_area: u32,
    /// A component this tall or wide is real print (a stroke, a digit), not
    /// noise; a box needs one to be read at all.
    significant: u32,
}

fn sizes(page: &PreparedPage) -> Sizes {
    let dpi = page.dpi();
    let s = dpi / 300.0;
    Sizes {
        speck_area: ((s * s * 6.0).round() as u32).max(2),
        significant: ((2.5 * dpi / 72.0).round() as u32).max(3),
    }
}

/// Finds the text inside a cell: the crop is shrunk past the cell's rules,
/// rows and columns along its edges that are mostly ink (remains of a rule)
/// are masked out, and components that are noise or thin slivers of rule are
/// dropped. `None` for an empty cell.
fn cell_blob(page: &PreparedPage, cell: &Rect) -> Option<TextBlob> {
    let (x0, y0, x1, y1) = page.page_rect_to_pixels(cell);
    let t = page.rule_thickness_px();
    let inset = (t / 2.0).ceil() as usize + 1;
    if x1 < x0 + 2 * inset + 3 || y1 < y0 + 2 * inset + 3 {
        return None;
    }
    let (rx0, ry0, rx1, ry1) = (x0 + inset, y0 + inset, x1 - inset, y1 - inset);
    let (rw, rh) = (rx1 - rx0, ry1 - ry0);
    let ink = &page.ink;
    let band = ((t * 2.0).ceil() as usize + 2).min(rw / 3).min(rh / 3);
    let mut row_ink = vec![0usize; rh];
    let mut col_ink = vec![0usize; rw];
    let mut total = 0usize;
    for y in ry0..ry1 {
        let row = &ink.data[y * ink.width + rx0..y * ink.width + rx1];
        for (x, &v) in row.iter().enumerate() {
            if v != 0 {
                row_ink[y - ry0] += 1;
                col_ink[x] += 1;
                total += 1;
            }
        }
    }
    let s = sizes(page);
    // Fast exit: fewer ink pixels than one small character stroke.
    if total < (s.significant * 2) as usize {
        return None;
    }
    let erased_row = |y: usize| {
        let i = y - ry0;
        (i < band || i >= rh - band) && row_ink[i] * 2 > rw
    };
    let erased_col = |x: usize| {
        let i = x - rx0;
        (i < band || i >= rw - band) && col_ink[i] * 2 > rh
    };
    let (runs, comps) = label(ink, (rx0, ry0, rx1, ry1), |x, y| {
        erased_row(y) || erased_col(x)
    });
    let keep: Vec<bool> = comps
        .iter()
        .map(|c| {
            if c.area < s.speck_area {
                return false;
            }
            // Slivers of a rule along the crop edge.
            let touches_tb = c.y0 as usize <= ry0 + 1 || c.y1 as usize + 1 >= ry1;
            let touches_lr = c.x0 as usize <= rx0 + 1 || c.x1 as usize + 1 >= rx1;
            let thin = (t * 2.5).max(3.0) as u32;
            !((touches_tb && c.height() <= thin && c.width() >= 4 * c.height())
                || (touches_lr && c.width() <= thin && c.height() >= 4 * c.width()))
        })
        .collect();
    blob_from(runs, &comps, &keep, &s, (rx0, ry0, rx1, ry1))
}

/// Builds a [`TextBlob`] from the kept components: their union box (padded,
/// clamped to `limit`), the number of text lines (row profile) and the line
/// height.
fn blob_from(
    runs: Vec<InkRun>,
    comps: &[Component],
    keep: &[bool],
    s: &Sizes,
    limit: (usize, usize, usize, usize),
) -> Option<TextBlob> {
    let kept: Vec<&Component> = comps
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(c, _)| c)
        .collect();
    if !kept
        .iter()
        .any(|c| c.width().max(c.height()) >= s.significant)
    {
        return None;
    }
    let x0 = kept.iter().map(|c| c.x0).min()? as usize;
    let x1 = kept.iter().map(|c| c.x1).max()? as usize;
    let y0 = kept.iter().map(|c| c.y0).min()? as usize;
    let y1 = kept.iter().map(|c| c.y1).max()? as usize;
    // Row profile of the kept ink → bands of text.
    let mut prof = vec![0u32; y1 - y0];
    let runs: Vec<InkRun> = runs.into_iter().filter(|r| keep[r.comp as usize]).collect();
    for r in &runs {
        prof[r.y as usize - y0] += r.x1 - r.x0;
    }
    let bands = text_bands(&prof);
    let tallest = bands.iter().map(|b| b.1 - b.0).max().unwrap_or(1);
    let lines: Vec<&(usize, usize)> = bands
        .iter()
        .filter(|b| (b.1 - b.0) * 5 >= tallest * 2)
        .collect();
    let mut heights: Vec<usize> = lines.iter().map(|b| b.1 - b.0).collect();
    heights.sort_unstable();
    let text_height = heights
        .get(heights.len() / 2)
        .copied()
        .unwrap_or(tallest)
        .max(1);
    let layout = if lines.len() <= 1 {
        Layout::Line
    } else {
        Layout::Block
    };
    let pad = (text_height / 4).max(2);
    let (lx0, ly0, lx1, ly1) = limit;
    let bbox = (
        x0.saturating_sub(pad).max(lx0),
        y0.saturating_sub(pad).max(ly0),
        (x1 + pad).min(lx1),
        (y1 + pad).min(ly1),
    );
    Some(TextBlob {
        runs,
        bbox,
        layout,
        text_height,
    })
}

/// Bands `[start, end)` of rows holding ink; bands separated by gaps smaller
/// than a fifth of the taller neighbour are one band (the strokes of 三 or 二
/// leave blank rows inside a character).
fn text_bands(prof: &[u32]) -> Vec<(usize, usize)> {
    let mut raw: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, &v) in prof.iter().enumerate() {
        match (v > 0, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                raw.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        raw.push((s, prof.len()));
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    for b in raw {
        if let Some(last) = out.last_mut() {
            let gap = b.0 - last.1;
            let taller = (last.1 - last.0).max(b.1 - b.0);
            if gap * 5 < taller {
                last.1 = b.1;
                continue;
            }
        }
        out.push(b);
    }
    out
}

/// The text lines outside the tables, as blobs to read one by one.
fn outside_blobs(page: &PreparedPage, tables: &[Rect]) -> Vec<TextBlob> {
    let ink: &InkImage = &page.ink;
    let (w, h) = (ink.width, ink.height);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let t = page.rule_thickness_px();
    let grow = t.ceil() as usize + 2;
    let mut masked = vec![0u8; w * h];
    let mut fill = |x0: usize, y0: usize, x1: usize, y1: usize| {
        let (x1, y1) = (x1.min(w), y1.min(h));
        for y in y0.min(y1)..y1 {
            masked[y * w + x0.min(x1)..y * w + x1].fill(1);
        }
    };
    for r in tables {
        let (x0, y0, x1, y1) = page.page_rect_to_pixels(r);
        fill(
            x0.saturating_sub(grow),
            y0.saturating_sub(grow),
            x1 + grow,
            y1 + grow,
        );
    }
    for r in &page.rules {
        let half = r.thickness / 2.0;
        let rect = match r.axis {
            RuleAxis::Horizontal => Rect::new(r.start, r.position - half, r.end, r.position + half),
            RuleAxis::Vertical => Rect::new(r.position - half, r.start, r.position + half, r.end),
        };
        let (x0, y0, x1, y1) = page.page_rect_to_pixels(&rect);
        fill(x0.saturating_sub(2), y0.saturating_sub(2), x1 + 2, y1 + 2);
    }
    let (runs, comps) = label(ink, (0, 0, w, h), |x, y| masked[y * w + x] != 0);
    drop(masked);
    let s = sizes(page);
    // Real print: not noise, not a page-sized blot, not in the strip along
    // the image edge where scanners leave platen borders and shadows.
    let [el, et, er, eb] = page.edge_margins_px().map(|m| m as u32);
    let (wu, hu) = (w as u32, h as u32);
    let ok = |c: &Component| {
        c.area >= s.speck_area
            && (c.height() as usize) < h / 4
            && (c.width() as usize) < w * 3 / 4
            && c.x1 > el
            && c.y1 > et
            && c.x0 + er < wu
            && c.y0 + eb < hu
    };
    // Lines from the vertical extent of the significant components; tall
    // thin strokes (a border the rule finder missed) and anything taller than
    // a large title would chain lines together, so they do not count here.
    let max_text = (page.dpi() * 0.6) as u32;
    let mut cover = vec![0u16; h];
    for c in comps.iter().filter(|c| {
        ok(c)
            && c.width().max(c.height()) >= s.significant
            && c.height() <= max_text
            && c.height() < 6 * c.width().max(1)
    }) {
        for v in &mut cover[c.y0 as usize..c.y1 as usize] {
            *v = v.saturating_add(1);
        }
    }
    let bands = text_bands(&cover.iter().map(|&v| v as u32).collect::<Vec<_>>());
    drop(cover);
    // Component index per band; then split each band at wide gaps.
    let mut band_of: Vec<Option<usize>> = vec![None; comps.len()];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); bands.len()];
    for (i, c) in comps.iter().enumerate() {
        if !ok(c) {
            continue;
        }
        let cy = (c.y0 + c.y1) as usize / 2;
        let b = bands.partition_point(|b| b.1 <= cy);
        if b < bands.len() && bands[b].0 <= cy {
            band_of[i] = Some(b);
            members[b].push(i);
        }
    }
    let mut by_comp: Vec<Vec<InkRun>> = vec![Vec::new(); comps.len()];
    for r in runs {
        if band_of[r.comp as usize].is_some() {
            by_comp[r.comp as usize].push(r);
        }
    }
    let mut blobs = Vec::new();
    for (b, mem) in members.iter_mut().enumerate() {
        let bh = bands[b].1 - bands[b].0;
        mem.sort_by_key(|&i| comps[i].x0);
        let mut piece: Vec<usize> = Vec::new();
        let mut right = 0u32;
        let mut flush = |piece: &mut Vec<usize>, by_comp: &mut Vec<Vec<InkRun>>| {
            if piece.is_empty() {
                return;
            }
            let mut sub_comps = Vec::new();
            let mut sub_runs = Vec::new();
            for (k, &i) in piece.iter().enumerate() {
                sub_comps.push(comps[i]);
                for mut r in std::mem::take(&mut by_comp[i]) {
                    r.comp = k as u32;
                    sub_runs.push(r);
                }
            }
            let keep = vec![true; sub_comps.len()];
            if let Some(blob) = blob_from(sub_runs, &sub_comps, &keep, &s, (0, 0, w, h)) {
                blobs.push(blob);
            }
            piece.clear();
        };
        for &i in mem.iter() {
            let c = &comps[i];
            if !piece.is_empty() && c.x0 > right + 2 * bh as u32 {
                flush(&mut piece, &mut by_comp);
            }
            right = if piece.is_empty() {
                c.x1
            } else {
                right.max(c.x1)
            };
            piece.push(i);
        }
        flush(&mut piece, &mut by_comp);
    }
    blobs
}

/// Parses Tesseract's TSV output, keeping level-5 rows (words) with text.
fn parse_tsv(tsv: &str) -> Vec<Word> {
    let mut words = Vec::new();
    for line in tsv.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 12 || f[0] != "5" {
            continue;
        }
        let num = |i: usize| f[i].trim().parse::<f32>().unwrap_or(0.0);
        let text = f[11..].join("\t").trim().to_string();
        if text.is_empty() {
            continue;
        }
        words.push(Word {
            line: (num(2) as i32, num(3) as i32, num(4) as i32),
            left: num(6),
            top: num(7),
            width: num(8),
            height: num(9),
            conf: num(10).clamp(0.0, 100.0),
            text,
        });
    }
    words
}

/// Latin letters and digits: between two of these a word space is real;
/// anywhere else (around Chinese characters, full-width punctuation) the
/// spaces Tesseract's `chi_sim` puts between words are artefacts.
fn latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

/// Joins the words of one run: no space unless both neighbours are Latin.
pub(crate) fn join_words<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for w in words {
        if let (Some(a), Some(b)) = (out.chars().last(), w.chars().next())
            && latin(a)
            && latin(b)
        {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Groups words into runs — same Tesseract line, no gap wider than two line
/// heights — and makes one glyph per run. The glyph's confidence is the
/// lowest of its words' (0..1): a single doubtful character makes the whole
/// run doubtful, which is what a reviewer needs to see.
fn words_to_glyphs(words: &[Word], to_page: &impl Fn(f32, f32) -> jx_model::Point) -> Vec<Glyph> {
    let mut glyphs = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let mut j = i + 1;
        let line_h = words[i..]
            .iter()
            .take_while(|w| w.line == words[i].line)
            .map(|w| w.height)
            .fold(1.0f32, f32::max);
        while j < words.len()
            && words[j].line == words[i].line
            && words[j].left - (words[j - 1].left + words[j - 1].width) <= 2.0 * line_h
        {
            j += 1;
        }
        let run = &words[i..j];
        let text = join_words(run.iter().map(|w| w.text.as_str()));
        let u0 = run.iter().map(|w| w.left).fold(f32::MAX, f32::min);
        let v0 = run.iter().map(|w| w.top).fold(f32::MAX, f32::min);
        let u1 = run
            .iter()
            .map(|w| w.left + w.width)
            .fold(f32::MIN, f32::max);
        let v1 = run
            .iter()
            .map(|w| w.top + w.height)
            .fold(f32::MIN, f32::max);
        let conf = run.iter().map(|w| w.conf).fold(100.0f32, f32::min) / 100.0;
        let a = to_page(u0, v0);
        let b = to_page(u1, v1);
        let bbox = Rect::new(a.x, a.y, b.x, b.y);
        glyphs.push(Glyph {
            text,
            bbox,
            font_size: bbox.height(),
            invisible: false,
            origin: GlyphOrigin::Ocr { confidence: conf },
            overdrawn: 0,
        });
        i = j;
    }
    glyphs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_chinese_without_spaces_and_latin_with() {
        assert_eq!(join_words(["项目", "名", "称"]), "项目名称");
        assert_eq!(join_words(["2024", "年度"]), "2024年度");
        assert_eq!(join_words(["≥90.00", "(%)"]), "≥90.00(%)");
        assert_eq!(join_words(["Hello", "world", "2"]), "Hello world 2");
        assert_eq!(join_words(["其中", ":", "财政"]), "其中:财政");
    }

    #[test]
    fn tsv_to_line_glyphs() {
        let tsv = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n\
1\t1\t0\t0\t0\t0\t0\t0\t500\t100\t-1\t\n\
4\t1\t1\t1\t1\t0\t10\t10\t200\t40\t-1\t\n\
5\t1\t1\t1\t1\t1\t10\t10\t40\t40\t95.5\t项目\n\
5\t1\t1\t1\t1\t2\t52\t10\t40\t40\t80\t名称\n\
5\t1\t1\t1\t1\t3\t400\t10\t40\t40\t90\t远\n\
5\t1\t1\t1\t2\t1\t10\t60\t80\t40\t91\t2024\n\
5\t1\t1\t1\t2\t2\t100\t60\t80\t40\t92\tyear\n";
        let words = parse_tsv(tsv);
        assert_eq!(words.len(), 5);
        let g = words_to_glyphs(&words, &|u, v| jx_model::Point {
            x: u / 2.0,
            y: v / 2.0,
        });
        let texts: Vec<&str> = g.iter().map(|g| g.text.as_str()).collect();
        assert_eq!(texts, ["项目名称", "远", "2024 year"]);
        assert_eq!(g[0].bbox, Rect::new(5.0, 5.0, 46.0, 25.0));
        assert_eq!(g[0].origin, GlyphOrigin::Ocr { confidence: 0.8 });
        assert!(g[2].bbox.y0 > g[0].bbox.y1);
    }

    #[test]
    fn bands_merge_inside_characters() {
        // 二: two strokes with a blank gap inside the character
        let mut prof = vec![0u32; 100];
        prof[10..14].fill(5);
        prof[16..20].fill(5); // gap 2 < taller/5? taller = 4 → no merge
        prof[30..70].fill(3); // a 40 px line
        prof[72..74].fill(1); // gap 2 < 40/5 → merged
        let b = text_bands(&prof);
        assert_eq!(b, vec![(10, 14), (16, 20), (30, 74)]);
    }
}
