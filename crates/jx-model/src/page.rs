//! What one page holds once its source is decoded: positioned text and ruling
//! lines (from a text layer or from OCR), or the pixels of a scanned page.

use crate::geometry::Rect;
use serde::{Deserialize, Serialize};

/// Where text came from: a page's (text or OCR), a form's (the contract's
/// `source.extraction`) and a file's (the manifest's `extraction`, `none`
/// where no page gave any: `Option<Extraction>`). A form or file read
/// partly each way is `Mixed` ([`Extraction::join`]); a page never is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::VariantArray,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum Extraction {
    /// The PDF's own text layer.
    Text,
    /// A recogniser (Tesseract, PP-OCR) reading the page image.
    Ocr,
    /// Some of it each way (a form or a file, never a page).
    Mixed,
}

impl Extraction {
    /// Every extraction, in the order of this file.
    pub const ALL: &'static [Extraction] = <Extraction as strum::VariantArray>::VARIANTS;

    /// The serialized name (`mixed`): strum's, held equal to serde's by a
    /// test.
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// Text read one way and text read another: the same way, or `Mixed`.
    pub fn join(self, other: Extraction) -> Extraction {
        if self == other {
            self
        } else {
            Extraction::Mixed
        }
    }

    /// All of `parts` joined: `None` when there are none.
    pub fn of_all(parts: impl IntoIterator<Item = Extraction>) -> Option<Extraction> {
        parts.into_iter().reduce(Extraction::join)
    }
}

/// Largest page image (pixels) decoded and prepared for OCR: one bomb guard
/// shared by the PDF reader (decoding) and the OCR stage (preparing), so a
/// page one accepts the other does not refuse. 120 M pixels is an A3 page at
/// 600 dpi (≈ 7000 × 9900) with room to spare; a page image costs about
/// 3 bytes a pixel while it is prepared.
pub const MAX_PAGE_PIXELS: u64 = 120_000_000;

/// Which recogniser read a glyph: each has its own look-alike habits and
/// its own confidence scale, which the form layer must know. The one
/// identity of an engine: the OCR stage's choice of engines
/// (`jx_ocr::EngineChoice`, `--ocr-engine`) is said in these names.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::VariantArray,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase")]
pub enum OcrEngineId {
    /// Tesseract's LSTM (`chi_sim`); confidence is its word confidence / 100.
    Tesseract,
    /// PP-OCRv5 recognition (ONNX); confidence is the mean of the per
    /// character maximum probabilities.
    PpOcr,
}

impl OcrEngineId {
    /// Every engine, in the order of this file.
    pub const ALL: &'static [OcrEngineId] = <OcrEngineId as strum::VariantArray>::VARIANTS;

    /// The engine's name, as serialized and as `--ocr-engine` takes it
    /// (`tesseract`, `ppocr`): strum's lowercase name, held equal to
    /// serde's by a test.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// A rewrite the OCR stage made to what the engine read, from evidence the
/// engine does not see (the pixels of an operator, a second engine): the
/// form layer logs it as a repair of the field the glyph lands in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrRewrite {
    /// The engine's text.
    pub raw: String,
    /// The glyph's text after the rewrite.
    pub rewritten: String,
    /// Why, in a sentence.
    pub why: String,
    /// The evidence is weak (two engines disagreed and neither reading fits
    /// the field better): the form layer warns instead of logging a repair.
    #[serde(default)]
    pub doubtful: bool,
}

/// A character a recogniser read with little margin over its next-best
/// reading: evidence for the form layer, which decides whether it is a
/// doubt (a rare character read as its common look-alike, `璧` as `壁`,
/// often is one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsureChar {
    /// The character as read.
    pub read: String,
    /// The runner-up reading; empty where it was "no character".
    pub runner_up: String,
    /// Best minus runner-up probability, 0..1.
    pub margin: f32,
}

/// Which way a chevron's point lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pointing {
    /// `>`-like: with a bar under it, `≥`.
    Right,
    /// `<`-like: with a bar under it, `≤`.
    Left,
}

/// Pixel evidence at the head of a reading: the ink of its first character
/// is a chevron with a separate bar (or second stroke) under it, whatever
/// the engine read there (`>`, `之`, `>>`, or nothing). A recogniser
/// reports what the pixels show; the form's field grammar decides what the
/// reading becomes (`jx_form::grammar::settle_operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadChevron {
    pub pointing: Pointing,
    /// The chevron lies before the first character the engine gave: it
    /// read nothing for it (`90.00(%)` for `≥90.00(%)`).
    #[serde(default)]
    pub unread: bool,
}

/// What a recogniser says about a word it made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OcrReading {
    /// The engine's confidence in 0..1 (each engine its own scale).
    pub confidence: f32,
    pub engine: OcrEngineId,
    /// Set when the glyph's text is not what the engine read.
    pub rewrite: Option<Box<OcrRewrite>>,
    /// Characters read with little margin over the runner-up (engines that
    /// give per-character probabilities), in reading order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsure: Vec<UnsureChar>,
    /// What the pixels show at the head of the reading (engines that
    /// look; only the first line of a cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head: Option<HeadChevron>,
}

/// Who produced a glyph, and how sure it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GlyphOrigin {
    /// Decoded from a font in the text layer: certain.
    TextLayer,
    /// Recognised from pixels.
    Ocr(OcrReading),
}

impl GlyphOrigin {
    /// A glyph read by `engine` with `confidence`, as the engine read it.
    pub fn ocr(engine: OcrEngineId, confidence: f32) -> GlyphOrigin {
        GlyphOrigin::Ocr(OcrReading {
            confidence,
            engine,
            rewrite: None,
            unsure: Vec::new(),
            head: None,
        })
    }

    /// The OCR confidence, `None` for text-layer glyphs.
    pub fn confidence(&self) -> Option<f32> {
        match self {
            GlyphOrigin::Ocr(r) => Some(r.confidence),
            GlyphOrigin::TextLayer => None,
        }
    }
}

/// Characters an engine is known to read in place of others, by engine: the
/// form layer mends a field's text by its pattern only with the habits of
/// the engine that read it. Each recogniser publishes its own profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LookalikeProfile {
    pub engine: OcrEngineId,
    /// What the engine reads in place of `≥` at the head of a target value.
    pub ge_operator: Vec<String>,
    /// What the engine reads in place of `%` inside a value's unit brackets
    /// (`=100.00(9)`): never a unit of its own.
    pub percent_unit: Vec<String>,
}

/// One positioned piece of text: a character from a text layer, or a word
/// (or run of characters) recognised by OCR.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Glyph {
    /// Unicode text, usually a single character.
    pub text: String,
    /// The glyph's em box on the page.
    pub bbox: Rect,
    /// Font size in points (height of the em box).
    pub font_size: f32,
    /// Drawn with text render mode 3 (invisible) — e.g. an OCR layer written
    /// by scanner software. Invisible glyphs are never read as the answer.
    pub invisible: bool,
    pub origin: GlyphOrigin,
    /// How many further copies of this glyph were drawn at (nearly) the same
    /// place (fake bold, shadow) and removed; 0 for a glyph drawn once.
    pub overdrawn: u32,
}

/// Orientation of a ruling line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleAxis {
    Horizontal,
    Vertical,
}

/// A straight ruling line segment: a table border or cell divider.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub axis: RuleAxis,
    /// y of a horizontal rule, x of a vertical one (centre of the stroke).
    pub position: f32,
    /// Start and end along the rule's own axis (`start <= end`).
    pub start: f32,
    pub end: f32,
    /// Stroke thickness in points.
    pub thickness: f32,
}

impl Rule {
    pub fn horizontal(y: f32, x0: f32, x1: f32, thickness: f32) -> Self {
        Rule {
            axis: RuleAxis::Horizontal,
            position: y,
            start: x0.min(x1),
            end: x0.max(x1),
            thickness,
        }
    }

    pub fn vertical(x: f32, y0: f32, y1: f32, thickness: f32) -> Self {
        Rule {
            axis: RuleAxis::Vertical,
            position: x,
            start: y0.min(y1),
            end: y0.max(y1),
            thickness,
        }
    }

    pub fn length(&self) -> f32 {
        self.end - self.start
    }
}

/// Positioned text and rules of one page, whatever produced them. The grid
/// layer takes this and nothing else, so printed and scanned pages share every
/// stage after it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageContent {
    /// 1-based page number in the file.
    pub number: u32,
    /// Page size in points, as displayed.
    pub width: f32,
    pub height: f32,
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
    pub extraction: Extraction,
    /// Image pages: the text ink found in each table cell read (rules and
    /// specks removed), evidence the form layer weighs against what was
    /// read from it. Empty for a text layer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ink: Vec<InkExtent>,
}

/// The text ink of one box of an image page: the box round its kept ink
/// (rules, specks and lone dust removed) and the height of its lines, in
/// page points. Ink beyond every line a recogniser read from the box is
/// ink left unread (a dropped line, a faint stretch).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InkExtent {
    pub bbox: Rect,
    /// Height of one line of the box's text (its characters' height), as
    /// the box's own ink shows it: two lines set close may look like one
    /// line twice as tall.
    pub line_height: f32,
    /// The height of a line of the page's print: a high percentile of its
    /// boxes' [`InkExtent::line_height`] (an ideograph's, not a digit's).
    pub page_line_height: f32,
}

/// The pixels of a page that has to be read by OCR.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRaster {
    /// 1-based page number in the file.
    pub number: u32,
    /// Page size in points, as displayed.
    pub page_width: f32,
    pub page_height: f32,
    /// Pixel size.
    pub width: u32,
    pub height: u32,
    /// 1 (gray) or 3 (RGB) bytes a pixel, rows top to bottom.
    pub channels: u8,
    pub pixels: Vec<u8>,
    /// The part of the page, in points, that the pixels cover (usually the
    /// whole page). Pixel `(px, py)` lies at
    /// `frame.x0 + px * frame.width() / width`, likewise for y.
    pub frame: Rect,
    /// Text from an invisible OCR layer already in the PDF (someone else's
    /// guess): a hint at most, never the answer.
    pub hint_glyphs: Vec<Glyph>,
}

impl PageRaster {
    /// Points per pixel horizontally and vertically.
    pub fn points_per_pixel(&self) -> (f32, f32) {
        self.frame
            .points_per_pixel(self.width as usize, self.height as usize)
    }

    /// Resolution in dots per inch (horizontal).
    pub fn dpi(&self) -> f32 {
        72.0 / self.points_per_pixel().0
    }

    /// A pixel rectangle `[px0, py0, px1, py1)` mapped to page points.
    pub fn pixel_rect_to_page(&self, px0: f32, py0: f32, px1: f32, py1: f32) -> Rect {
        let (w, h) = (self.width as usize, self.height as usize);
        let a = self.frame.pixel_to_page(w, h, px0, py0);
        let b = self.frame.pixel_to_page(w, h, px1, py1);
        Rect::new(a.x, a.y, b.x, b.y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extractions_join_to_mixed_where_they_differ() {
        use Extraction::{Mixed, Ocr, Text};
        for &a in Extraction::ALL {
            for &b in Extraction::ALL {
                let want = if a == b { a } else { Mixed };
                assert_eq!(a.join(b), want, "{a:?} {b:?}");
            }
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.as_str()));
            assert_eq!(serde_json::from_str::<Extraction>(&json).unwrap(), a);
        }
        assert_eq!(Extraction::of_all([]), None);
        assert_eq!(Extraction::of_all([Text, Text]), Some(Text));
        assert_eq!(Extraction::of_all([Ocr]), Some(Ocr));
        assert_eq!(Extraction::of_all([Ocr, Text, Ocr]), Some(Mixed));
    }

    /// An engine's name is its serialized name, for every engine.
    #[test]
    fn every_engine_serializes_as_its_name() {
        let names: Vec<&str> = OcrEngineId::ALL.iter().map(|e| e.name()).collect();
        assert_eq!(names, ["tesseract", "ppocr"]);
        for &e in OcrEngineId::ALL {
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(json, format!("\"{}\"", e.name()));
            assert_eq!(serde_json::from_str::<OcrEngineId>(&json).unwrap(), e);
        }
    }

    #[test]
    fn raster_maps_pixels_to_points() {
        let r = PageRaster {
            number: 1,
            page_width: 72.0,
            page_height: 144.0,
            width: 300,
            height: 600,
            channels: 1,
            pixels: vec![255; 300 * 600],
            frame: Rect::new(0.0, 0.0, 72.0, 144.0),
            hint_glyphs: vec![],
        };
        assert!((r.dpi() - 300.0).abs() < 1e-3);
        let b = r.pixel_rect_to_page(150.0, 300.0, 300.0, 600.0);
        assert_eq!(b, Rect::new(36.0, 72.0, 72.0, 144.0));
    }

    #[test]
    fn rules_order_their_ends() {
        let h = Rule::horizontal(5.0, 30.0, 10.0, 0.5);
        assert_eq!((h.start, h.end, h.length()), (10.0, 30.0, 20.0));
    }
}
