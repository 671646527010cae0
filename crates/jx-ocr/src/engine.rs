//! Tesseract, cell by cell.
//!
//! Whole-page OCR of a ruled form is slow and poor (the rules break
//! Tesseract's line finding); reading each cell on its own, with the rules
//! cut away and the page-segmentation mode chosen for the cell, is both more
//! accurate and, with empty cells skipped, faster. This module crops, cleans
//! and feeds each box, and maps Tesseract's word boxes back to page points.

use crate::crops::{Layout, TextBlob, cell_blob, outside_blobs};
use crate::prepare::PreparedPage;
use crate::{OcrError, OcrFeed, OcrOptions};
use jx_model::{Glyph, GlyphOrigin, HeadChevron, OcrEngineId, OcrReading, Rect};
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
    single_line_psm: bool,
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
    /// What the pixels show at the head of the word (the first of a box).
    head: Option<HeadChevron>,
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
            single_line_psm: opts.single_line_psm,
        })
    }

    /// The whole page image read by Tesseract at once (page segmentation
    /// mode 6, one uniform block): the plain way to OCR a page, and the
    /// yardstick the product's cost is measured against (`scripts/bench`,
    /// `examples/scan_cost.rs`). Returns the text.
    pub fn read_whole_page(&self, raster: &jx_model::PageRaster) -> Result<String, OcrError> {
        // Luminance, seals kept (a chroma threshold of 255 takes only pure
        // primaries for colour): the page as a plain OCR run sees it.
        let (gray, _) = crate::raster::to_gray(
            &raster.pixels,
            raster.width as usize,
            raster.height as usize,
            raster.channels,
            u8::MAX,
            0,
        );
        let dpi = (raster.width as f32 * 72.0 / raster.page_width.max(1.0)).round() as i32;
        with_api(&self.key, |api| -> Result<String, OcrError> {
            api.set_image(
                &gray.data,
                raster.width as i32,
                raster.height as i32,
                1,
                raster.width as i32,
            )
            .map_err(|e| OcrError::Recognition(format!("set image: {e:?}")))?;
            api.set_source_resolution(dpi.clamp(TESSERACT_MIN_DPI, TESSERACT_MAX_DPI));
            api.set_page_seg_mode(PageSegMode::PsmSingleBlock.as_tess_page_seg_mode());
            let t = api
                .get_utf8_text()
                .map_err(|_| OcrError::Recognition("no text output".into()))?;
            Ok(t.as_ref().to_string_lossy().into_owned())
        })?
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
        if first.is_empty() || mean_confidence(&first) >= RETRY_BELOW_CONFIDENCE {
            return Ok(first);
        }
        let second = self.read_blob_at(page, blob, self.text_height * 3 / 2)?;
        Ok(if mean_confidence(&second) > mean_confidence(&first) {
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
        let crate::crops::Rendered { img, mask } = crate::crops::render(page, blob, self.feed);
        let mut factor = (text_height as f32 / blob.text_height.max(1) as f32)
            .clamp(MIN_BLOB_SCALE, MAX_BLOB_SCALE);
        // Keep what Tesseract gets bounded (a page-sized box of tiny print
        // must not become a gigapixel image).
        let area = (w * h) as f32 * factor * factor;
        if area > MAX_OCR_PIXELS {
            factor *= (MAX_OCR_PIXELS / area).sqrt();
        }
        let pad = BLOB_PAD;
        let img = img.resize(factor).padded(pad);
        let dpi = (page.dpi() * factor).round() as i32;
        let psm = match blob.layout {
            Layout::Line if self.single_line_psm => PageSegMode::PsmSingleLine,
            Layout::Line => PageSegMode::PsmSingleBlock,
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
            api.set_source_resolution(dpi.clamp(TESSERACT_MIN_DPI, TESSERACT_MAX_DPI));
            api.set_page_seg_mode(psm.as_tess_page_seg_mode());
            api.recognize()
                .map_err(|_| OcrError::Recognition("Tesseract failed to recognise a box".into()))?;
            let t = api
                .get_tsv_text(0)
                .map_err(|_| OcrError::Recognition("no TSV output".into()))?;
            Ok(t.as_ref().to_string_lossy().into_owned())
        })??;
        let mut words = parse_tsv(&tsv);
        let crop = Crop {
            mask: crate::comparison::Mask { data: &mask, w, h },
            fx: img_scale(w, img.width - 2 * pad),
            fy: img_scale(h, img.height - 2 * pad),
            pad,
        };
        if let Some(first) = words.first() {
            let head =
                operator_word_chevron(&words, &crop).unwrap_or_else(|| head_chevron(first, &crop));
            words[0].head = head;
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

/// How far a box is scaled at most, down and up, to bring its text to the
/// height read at: beyond these, a wrong text height from the row profile
/// (a box of dust, a merged band) would make a useless image. A judgment,
/// not measured.
const MIN_BLOB_SCALE: f32 = 0.2;
const MAX_BLOB_SCALE: f32 = 4.0;

/// White border (pixels) around the image handed to Tesseract, whose line
/// finder misses text touching the image edge. A judgment, not measured.
const BLOB_PAD: usize = 12;

/// The resolutions Tesseract accepts as credible (its own
/// `kMinCredibleResolution` and `kMaxCredibleResolution`); outside them it
/// warns and guesses.
const TESSERACT_MIN_DPI: i32 = 70;
const TESSERACT_MAX_DPI: i32 = 2400;

/// The kept ink of a box and how the image Tesseract read maps onto it.
struct Crop<'a> {
    mask: crate::comparison::Mask<'a>,
    /// Scale from crop to OCR image, per axis.
    fx: f32,
    fy: f32,
    /// The OCR image's white border.
    pad: usize,
}

impl Crop<'_> {
    /// An OCR-image coordinate `u` along an axis scaled by `f`, in crop
    /// pixels.
    fn to_crop(&self, u: f32, f: f32) -> usize {
        ((u - self.pad as f32) / f).max(0.0) as usize
    }
}

/// What the pixels show at the head of `first` (the box's first word): a
/// chevron with a bar under it, about a character wide from its left edge.
/// Tesseract reads `≥` as `>` or a look-alike ideograph; the pixels do not
/// lie, and the form's grammar decides what that makes of the reading.
fn head_chevron(first: &Word, crop: &Crop<'_>) -> Option<HeadChevron> {
    let (x0, y0) = (
        crop.to_crop(first.left, crop.fx),
        crop.to_crop(first.top, crop.fy),
    );
    let y1 = crop.to_crop(first.top + first.height, crop.fy) + 1;
    let x1 = x0 + ((y1 - y0) as f32 * crate::comparison::OPERATOR_SLOT_EM) as usize;
    read_chevron(crop, (x0, y0, x1, y1))
}

/// For an operator read as a word of its own before the number (one or two
/// marks, no letter or digit), what the pixels of that word show: the
/// outer `Option` says whether the box has such a word at all.
fn operator_word_chevron(words: &[Word], crop: &Crop<'_>) -> Option<Option<HeadChevron>> {
    if !(words.len() >= 2
        && words[0].line == words[1].line
        && words[0].text.chars().count() <= 2
        && !words[0].text.chars().any(|c| c.is_ascii_alphanumeric())
        && words[1].text.starts_with(|c: char| c.is_ascii_digit()))
    {
        return None;
    }
    let (b, n) = (&words[0], &words[1]);
    let x0 = crop.to_crop(b.left, crop.fx);
    let y0 = crop.to_crop(b.top.min(n.top), crop.fy);
    let x1 = crop.to_crop(b.left + b.width, crop.fx) + 1;
    let y1 = crop.to_crop((b.top + b.height).max(n.top + n.height), crop.fy) + 1;
    Some(read_chevron(crop, (x0, y0, x1, y1)))
}

/// A barred chevron in the crop's region `(x0, y0, x1, y1)`, as evidence
/// on a reading whose engine gave a character for it.
fn read_chevron(
    crop: &Crop<'_>,
    (x0, y0, x1, y1): (usize, usize, usize, usize),
) -> Option<HeadChevron> {
    crate::comparison::comparison_with_bar(&crop.mask, x0, x1, y0, y1).map(|pointing| HeadChevron {
        pointing,
        unread: false,
    })
}

/// Largest image handed to Tesseract, in pixels.
const MAX_OCR_PIXELS: f32 = 24_000_000.0;

/// The scale actually applied (after rounding the size): new / old.
fn img_scale(old: usize, new: usize) -> f32 {
    new as f32 / old.max(1) as f32
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
            head: None,
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
/// Mean confidence of the glyphs that have one, each glyph counting once
/// whatever its length (0 when none has one).
pub(crate) fn mean_confidence(glyphs: &[Glyph]) -> f32 {
    let c: Vec<f32> = glyphs
        .iter()
        .filter_map(|g| g.origin.confidence())
        .collect();
    c.iter().sum::<f32>() / c.len().max(1) as f32
}

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
            origin: GlyphOrigin::Ocr(OcrReading {
                confidence: conf,
                engine: OcrEngineId::Tesseract,
                rewrite: None,
                unsure: Vec::new(),
                head: run[0].head,
            }),
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
        assert_eq!(g[0].origin, GlyphOrigin::ocr(OcrEngineId::Tesseract, 0.8));
        assert!(g[2].bbox.y0 > g[0].bbox.y1);
    }
}
