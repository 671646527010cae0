//! The seam between finding text on a prepared page and reading it: a
//! [`Recognizer`] reads cell boxes and the lines outside the tables into
//! glyphs (text, box in page points, the engine's confidence), names itself,
//! and publishes its look-alike habits for the form layer. Tesseract
//! ([`crate::OcrEngine`]) is one; the PP-OCR recogniser another; a
//! combination of two is a third.

use crate::{EngineChoice, OcrEngine, OcrError, OcrOptions, PreparedPage};
use jx_model::{Glyph, HeadChevron, LookalikeProfile, OcrEngineId, Rect};
use std::sync::Arc;

/// Something that reads text from a prepared page.
///
/// `Sync`: one recogniser serves all of a process's threads (each
/// implementation keeps whatever per-thread state it needs).
pub trait Recognizer: Send + Sync {
    /// The engines that read: one, or both ([`EngineChoice::name`] for
    /// logs).
    fn engine(&self) -> EngineChoice;

    /// The look-alike profile of every engine whose glyphs this recogniser
    /// returns (one, or two for a combination).
    fn lookalikes(&self) -> Vec<LookalikeProfile>;

    /// Mean confidence per character of a page's reading from which the
    /// page is taken as upright, not tried turned. Engines grade their
    /// certainty differently: Tesseract reads a sheet scanned sideways or
    /// upside down at 0.06–0.18 and an upright one at 0.75–0.86, while
    /// PP-OCR reads turned pages at 0.50–0.73 (it is sure of what it
    /// invents) and upright ones at 0.97–0.99, even at 150 dpi (measured
    /// with `scripts/turn-scores`, README "Pages scanned turned").
    fn upright_confidence(&self) -> f32 {
        TESSERACT_UPRIGHT
    }

    /// The recogniser for a glance at a page (the cheap look: is this a
    /// form?), where one reading suffices: itself, or for a combination
    /// the cheaper of its two engines.
    fn glance(&self) -> &dyn Recognizer;

    /// Reads each cell box (page points, deskewed frame): one `Vec` per box,
    /// one glyph per run of text on a line, lines top to bottom. Empty
    /// cells give an empty `Vec`.
    fn read_cells(&self, page: &PreparedPage, cells: &[Rect]) -> Result<Vec<Vec<Glyph>>, OcrError>;

    /// Reads the text lines outside the given table boxes (titles, the year
    /// line, headers and footers).
    fn read_outside(&self, page: &PreparedPage, tables: &[Rect]) -> Result<Vec<Glyph>, OcrError>;
}

/// The form's grammar, asked by the OCR layer whether a cell needs a
/// second reading and which of two readings to keep (`--ocr-engine both`):
/// whether a reading has the shape of a field's value or is of the form's
/// vocabulary, what a reading becomes with its pixel evidence, and which of
/// two readings the form supports. The form layer owns every answer
/// (jx-form's `grammar`); this crate holds no field pattern, no vocabulary
/// and no rule between readings, and asks only through this trait. Texts
/// are passed with their spaces removed.
pub trait Arbiter: Send + Sync {
    /// Whether `text` has the shape of an amount, a date or a target value.
    fn fits_field(&self, text: &str) -> bool;

    /// Whether `text` is one of the form's words (labels, taxonomy entries).
    fn in_vocabulary(&self, text: &str) -> bool;

    /// Whether one of the form's printed labels stands inside `text`,
    /// which is not itself one (a cell read together with its neighbour's
    /// label). No form, no labels: `false`.
    fn holds_label(&self, _text: &str) -> bool {
        false
    }

    /// `text` as the form layer will take it, given what the pixels showed
    /// at its head (a barred chevron settles a value's operator). Two
    /// readings are compared as settled.
    fn settled(&self, text: &str, _head: Option<HeadChevron>) -> String {
        text.to_string()
    }

    /// Which of two disagreeing readings (settled) the form supports, and
    /// why in a few words; `None`: the form says nothing between them.
    fn prefer(&self, a: &str, b: &str) -> Option<(Keep, &'static str)>;
}

/// Which of two readings to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    First,
    Second,
}

/// [`Recognizer::upright_confidence`] of Tesseract, and of the combination
/// (whose confidence on a turned page is as low as Tesseract's: 0.17 on
/// the turned sample, measured).
pub const TESSERACT_UPRIGHT: f32 = 0.5;

/// What Tesseract's `chi_sim` model reads in place of `≥` at the head of a
/// target value (measured on the development scans): ideographs of a like
/// shape, or a doubled `>`.
const TESSERACT_GE: &[&str] = &["之", "过", "宇", "盖", "≧", ">>", "≥>", ">="];

/// What Tesseract's `chi_sim` model reads in place of `%` inside a unit's
/// brackets on 150 dpi scans (measured on the development scans: `(9)`
/// is its commonest misreading there); a unit is never a bare number.
const TESSERACT_PERCENT: &[&str] = &["9", "96", "99", "g"];

/// Tesseract's look-alike habits.
pub fn tesseract_lookalikes() -> LookalikeProfile {
    LookalikeProfile {
        engine: OcrEngineId::Tesseract,
        ge_operator: TESSERACT_GE.iter().map(|s| s.to_string()).collect(),
        percent_unit: TESSERACT_PERCENT.iter().map(|s| s.to_string()).collect(),
    }
}

impl Recognizer for crate::OcrEngine {
    fn engine(&self) -> EngineChoice {
        EngineChoice::Tesseract
    }

    fn lookalikes(&self) -> Vec<LookalikeProfile> {
        vec![tesseract_lookalikes()]
    }

    fn glance(&self) -> &dyn Recognizer {
        self
    }

    fn read_cells(&self, page: &PreparedPage, cells: &[Rect]) -> Result<Vec<Vec<Glyph>>, OcrError> {
        self.read_cells_grouped(page, cells)
    }

    fn read_outside(&self, page: &PreparedPage, tables: &[Rect]) -> Result<Vec<Glyph>, OcrError> {
        crate::OcrEngine::read_outside(self, page, tables)
    }
}

/// The recogniser the options choose, ready to read (its models loaded):
/// a missing engine is reported here, before any page is read. `arbiter`
/// (the form's field patterns and vocabulary) decides between two engines
/// that disagree.
pub fn recognizer(
    opts: &OcrOptions,
    arbiter: Arc<dyn Arbiter>,
) -> Result<Box<dyn Recognizer>, OcrError> {
    match opts.engine {
        EngineChoice::Tesseract => Ok(Box::new(OcrEngine::new(opts)?)),
        EngineChoice::PpOcr => Ok(Box::new(crate::ppocr::PpOcr::new(opts)?)),
        EngineChoice::Both => Ok(Box::new(
            crate::combined::Combined::new(
                OcrEngine::new(opts)?,
                crate::ppocr::PpOcr::new(opts)?,
                arbiter,
            )
            .with_words(
                crate::WordList::installed(opts.ppocr_models.as_deref()).unwrap_or_default(),
            )
            .with_second_look(opts.second_look),
        )),
    }
}
