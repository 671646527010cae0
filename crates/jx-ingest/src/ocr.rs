//! The OCR page chain, the only copy of it: a page's pixels (jx-pdf) →
//! cleaned image and rules from pixels (jx-ocr `prepare`) → cell boxes from
//! those rules (jx-grid `frames`, the same lattice as printed pages) → the
//! recogniser cell by cell and on the lines outside the tables → page
//! content that goes on through the very same grid and form stages as a
//! printed page.
//!
//! A page that reads poorly may be a sheet fed sideways or upside down: the
//! chain then reads a sample of it turned by 180°, 90° and 270° and keeps
//! the turn the recogniser reads clearly better (see [`read_raster`]).

use jx_grid::{GridOptions, TableFrame};
use jx_model::{Glyph, PageContent, PageRaster, Rect};
use jx_ocr::{OcrError, OcrOptions, PreparedPage, Recognizer, Turn};

/// How many times more confident characters the sample must give turned
/// than as scanned for the turn to be taken. Confidence alone does not
/// tell: an upright form read sideways gives one or two characters a cell,
/// sometimes at 0.9, where upright it gives 140–240 characters at 0.7–0.87;
/// characters × confidence separates the two by a factor of 50 or more.
const TURN_FACTOR: f32 = 3.0;

/// Pages with fewer recognised characters than this are not tried turned
/// (a blank or nearly blank page reads the same every way).
const MIN_CHARS: usize = 8;

/// How many cells (those with the most ink) make the sample read each way.
const SAMPLE_CELLS: usize = 10;

/// How many cells, the first in reading order with ink, the cheap look
/// reads before deciding whether a page is a form.
const LOOK_CELLS: usize = 12;

/// A look whose cells read nothing, though they hold ink, for more than
/// one in this many tells nothing: its cells are more likely cut wrong
/// (rules found in text strokes) or read poorly than empty. The dense
/// budget tables the benchmark draws leave at most 1 of 12 look cells
/// unread at 100 dpi; a form's first page glanced at 100 dpi left 10.
const LOOK_UNREAD_SHARE: usize = 4;

/// A sample read: how many characters, and their mean confidence.
pub type SampleReading = (usize, f32);

/// One page image read.
#[derive(Debug)]
pub struct RasterRead {
    pub content: PageContent,
    /// The turn the page was read in, when it was not upright.
    pub turned: Option<TurnChoice>,
}

/// A page read turned, with the sample readings that chose the turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TurnChoice {
    pub turn: Turn,
    /// The sample read as scanned.
    pub upright: SampleReading,
    /// The same cells' sample read turned.
    pub turned: SampleReading,
}

/// How much of a page to read.
#[derive(Debug, Clone, Copy)]
pub enum Look {
    /// Every cell.
    Full,
    /// The first cells and the lines outside the tables; the other cells
    /// only when those are of the form's vocabulary (`is_form_text`),
    /// read poorly (the page may be turned), or when the page's first table
    /// may continue a form's table on the page before (`form_above`, its
    /// box; `may_continue`, the test) with no table title above it
    /// (`parts_tables`). A budget volume's scanned tables
    /// that are not forms cost a dozen cells a page.
    Cheap {
        is_form_text: fn(&[String]) -> bool,
        form_above: Option<Rect>,
        may_continue: fn(&Rect, &Rect) -> bool,
        /// Whether a line between two tables parts them (another table's
        /// title): a page whose first table stands where the form above
        /// ended continues nothing when such a line heads it.
        parts_tables: fn(&str) -> bool,
    },
}

/// A prepared page with the table frames of its rules, found once and used
/// by every reading of the page (the cheap look, the sample, the whole).
struct Framed {
    page: PreparedPage,
    frames: Vec<TableFrame>,
}

impl Framed {
    fn new(raster: &PageRaster, ocr: &OcrOptions, grid: &GridOptions) -> Result<Self, OcrError> {
        let page = jx_ocr::prepare(raster, ocr)?;
        let frames = jx_grid::frames(&page.rules, grid);
        Ok(Framed { page, frames })
    }

    fn cells(&self) -> impl Iterator<Item = Rect> + '_ {
        self.frames
            .iter()
            .flat_map(|f| f.cells.iter().map(|c| c.bbox))
    }

    /// The box of the page's topmost table.
    fn first_table(&self) -> Option<Rect> {
        self.frames
            .iter()
            .map(|f| f.bbox)
            .min_by(|a, b| a.y0.total_cmp(&b.y0))
    }

    fn tables(&self) -> Vec<Rect> {
        self.frames.iter().map(|f| f.bbox).collect()
    }

    /// Ink pixels inside a box (page points).
    fn ink_in(&self, r: &Rect) -> usize {
        let (x0, y0, x1, y1) = self.page.page_rect_to_pixels(r);
        (y0..y1)
            .map(|y| (x0..x1).filter(|&x| self.page.ink.is_ink(x, y)).count())
            .sum()
    }
}

/// Reads one page image into page content, turned first when the page was
/// scanned sideways or upside down. With [`Look::Cheap`], the page is first
/// glanced at reduced (`jx_ocr::glance_raster`), then at full resolution
/// when the reduced glance could not tell; a page found to be no form is
/// never prepared at full resolution.
pub fn read_raster(
    raster: &PageRaster,
    engine: &dyn Recognizer,
    ocr: &OcrOptions,
    grid: &GridOptions,
    look: Look,
) -> Result<RasterRead, OcrError> {
    let read = |content| RasterRead {
        content,
        turned: None,
    };
    let mut glance = Glance::Unsure;
    if let Look::Cheap { .. } = look
        && let Some(small) = jx_ocr::glance_raster(raster)
    {
        glance = look_at_page(&Framed::new(&small, ocr, grid)?, engine, look, grid)?;
        if let Glance::NoForm(content) = glance {
            return Ok(read(content));
        }
    }
    let framed = Framed::new(raster, ocr, grid)?;
    if let Glance::Unsure = glance
        && let Glance::NoForm(content) = look_at_page(&framed, engine, look, grid)?
    {
        return Ok(read(content));
    }
    let upright = read_whole(&framed, engine)?;
    let (chars, confidence) = char_mean_confidence(&upright.glyphs);
    if !ocr.detect_turns || chars < MIN_CHARS || confidence >= engine.upright_confidence() {
        return Ok(read(upright));
    }
    read_turned(raster, engine, ocr, grid, &framed, upright)
}

/// What a glance at a page (a few cells) tells.
enum Glance {
    /// No form here: the page as far as it was read.
    NoForm(PageContent),
    /// A form, or a page that may continue one: read it whole.
    MayBeForm,
    /// Too little read, or read too poorly, to tell.
    Unsure,
}

/// The cheap look at a prepared page (reduced or whole): a page whose first
/// table may continue the form above may be a form; otherwise its first
/// cells tell ([`cheap_look`]).
fn look_at_page(
    framed: &Framed,
    engine: &dyn Recognizer,
    look: Look,
    grid: &GridOptions,
) -> Result<Glance, OcrError> {
    let Look::Cheap {
        is_form_text,
        form_above,
        may_continue,
        parts_tables,
    } = look
    else {
        return Ok(Glance::MayBeForm);
    };
    let engine = engine.glance();
    let mut outside = None;
    if let Some(above) = form_above
        && let Some(first) = framed.first_table()
        && may_continue(&above, &first)
    {
        let lines = engine.read_outside(&framed.page, &framed.tables())?;
        if !line_texts_above(&lines, first.y0, grid)
            .iter()
            .any(|t| parts_tables(t))
        {
            return Ok(Glance::MayBeForm);
        }
        outside = Some(lines);
    }
    cheap_look(framed, engine, is_form_text, outside)
}

/// The texts of the lines that end above `y` (page points), grouped and
/// joined as the grid layer makes a page's free lines
/// (`jx_grid::text::lines`, `join_line`), which the form layer parts tables
/// by.
fn line_texts_above(glyphs: &[Glyph], y: f32, grid: &GridOptions) -> Vec<String> {
    let above: Vec<&Glyph> = glyphs.iter().filter(|g| g.bbox.y1 <= y).collect();
    jx_grid::text::lines(&above, grid)
        .iter()
        .map(|line| jx_grid::text::join_line(line, grid))
        .collect()
}

/// The page read turned when a turn reads clearly better than the page as
/// scanned (`upright`, read whole), or `upright` itself.
fn read_turned(
    raster: &PageRaster,
    engine: &dyn Recognizer,
    ocr: &OcrOptions,
    grid: &GridOptions,
    framed: &Framed,
    upright: PageContent,
) -> Result<RasterRead, OcrError> {
    let base = sample_confidence(framed, engine)?;
    // One turned page kept at a time besides the best (pages are large).
    let mut best: Option<(Turn, SampleReading, Framed)> = None;
    for sample in turned_samples(raster, engine, ocr, grid) {
        let sample = sample?;
        if best
            .as_ref()
            .is_none_or(|b| confident_chars(sample.1) > confident_chars(b.1))
        {
            best = Some(sample);
        }
    }
    Ok(match best {
        Some((turn, c, page)) if confident_chars(c) >= TURN_FACTOR * confident_chars(base) => {
            RasterRead {
                content: read_whole(&page, engine)?,
                turned: Some(TurnChoice {
                    turn,
                    upright: base,
                    turned: c,
                }),
            }
        }
        _ => RasterRead {
            content: upright,
            turned: None,
        },
    })
}

/// The page turned each way of [`Turn::TURNED`], prepared, with its
/// sample read: one turn at a time, as they are asked for.
fn turned_samples<'a>(
    raster: &'a PageRaster,
    engine: &'a dyn Recognizer,
    ocr: &'a OcrOptions,
    grid: &'a GridOptions,
) -> impl Iterator<Item = Result<(Turn, SampleReading, Framed), OcrError>> + 'a {
    Turn::TURNED.iter().map(move |&turn| {
        let page = Framed::new(&jx_ocr::turn_raster(raster, turn), ocr, grid)?;
        Ok((turn, sample_confidence(&page, engine)?, page))
    })
}

/// The page read in part when its first cells, read confidently, hold none
/// of the form's vocabulary: those cells and the lines outside the tables
/// (a cover's title is a line; `outside`, when they were read already).
fn cheap_look(
    framed: &Framed,
    engine: &dyn Recognizer,
    is_form_text: fn(&[String]) -> bool,
    outside: Option<Vec<Glyph>>,
) -> Result<Glance, OcrError> {
    let mut cells: Vec<Rect> = framed.cells().filter(|c| framed.ink_in(c) > 0).collect();
    if cells.len() <= LOOK_CELLS {
        // Nothing to save: read it all.
        return Ok(Glance::Unsure);
    }
    cells.sort_by(|a, b| a.y0.total_cmp(&b.y0).then(a.x0.total_cmp(&b.x0)));
    cells.truncate(LOOK_CELLS);
    let read = engine.read_cells(&framed.page, &cells)?;
    let texts: Vec<String> = read
        .iter()
        .map(|g| g.iter().map(|g| g.text.as_str()).collect())
        .collect();
    if is_form_text(&texts) {
        return Ok(Glance::MayBeForm);
    }
    let unread = texts.iter().filter(|t| t.trim().is_empty()).count();
    let mut glyphs: Vec<Glyph> = read.into_iter().flatten().collect();
    let (chars, confidence) = char_mean_confidence(&glyphs);
    if chars < MIN_CHARS
        || confidence < engine.upright_confidence()
        || unread * LOOK_UNREAD_SHARE > cells.len()
    {
        return Ok(Glance::Unsure);
    }
    match outside {
        Some(lines) => glyphs.extend(lines),
        None => glyphs.extend(engine.read_outside(&framed.page, &framed.tables())?),
    }
    Ok(Glance::NoForm(framed.page.to_page_content(glyphs)))
}

/// Characters read, weighed by their confidence.
fn confident_chars((chars, mean): SampleReading) -> f32 {
    chars as f32 * mean
}

/// The measurement behind the thresholds above, for one page: the mean
/// confidence of the whole page read as scanned, then the sample's mean
/// confidence as scanned and at each turn (`examples/turn_scores.rs`).
pub fn turn_scores(
    raster: &PageRaster,
    engine: &dyn Recognizer,
    ocr: &OcrOptions,
    grid: &GridOptions,
) -> Result<(f32, Vec<(Turn, SampleReading)>), OcrError> {
    let framed = Framed::new(raster, ocr, grid)?;
    let whole = char_mean_confidence(&read_whole(&framed, engine)?.glyphs).1;
    let mut scores = vec![(Turn::Upright, sample_confidence(&framed, engine)?)];
    for sample in turned_samples(raster, engine, ocr, grid) {
        let (turn, c, _) = sample?;
        scores.push((turn, c));
    }
    Ok((whole, scores))
}

/// The whole page read: every cell of its tables and the lines outside,
/// with each cell's text ink beside what was read from it.
fn read_whole(framed: &Framed, engine: &dyn Recognizer) -> Result<PageContent, OcrError> {
    let cells: Vec<Rect> = framed.cells().collect();
    let mut glyphs: Vec<_> = engine
        .read_cells(&framed.page, &cells)?
        .into_iter()
        .flatten()
        .collect();
    glyphs.extend(engine.read_outside(&framed.page, &framed.tables())?);
    let mut content = framed.page.to_page_content(glyphs);
    content.ink = jx_ocr::cell_ink(&framed.page, &cells)
        .into_iter()
        .flatten()
        .collect();
    Ok(content)
}

/// The recogniser's mean confidence on a sample of the page: the cells
/// with the most ink, or the lines outside any table on a page without one.
fn sample_confidence(framed: &Framed, engine: &dyn Recognizer) -> Result<SampleReading, OcrError> {
    // The glance engine (Tesseract, for the combination): its confidence
    // drops on text read sideways, where PP-OCR stays sure of what it
    // invents; TURN_FACTOR was measured on its scale.
    let engine = engine.glance();
    let mut cells: Vec<(usize, Rect)> = framed
        .cells()
        .map(|c| (framed.ink_in(&c), c))
        .filter(|(ink, _)| *ink > 0)
        .collect();
    let glyphs: Vec<Glyph> = if cells.is_empty() {
        engine.read_outside(&framed.page, &[])?
    } else {
        cells.sort_by_key(|c| std::cmp::Reverse(c.0));
        let sample: Vec<Rect> = cells.iter().take(SAMPLE_CELLS).map(|c| c.1).collect();
        engine
            .read_cells(&framed.page, &sample)?
            .into_iter()
            .flatten()
            .collect()
    };
    Ok(char_mean_confidence(&glyphs))
}

/// Recognised characters (white space not counted) and their mean
/// confidence, each character counting once (0 when there are none). Not
/// jx-ocr's per-glyph mean: a glyph of four characters weighs four here.
fn char_mean_confidence(glyphs: &[Glyph]) -> (usize, f32) {
    let mut chars = 0usize;
    let mut sum = 0.0f32;
    for g in glyphs {
        if let Some(c) = g.origin.confidence() {
            let n = g.text.chars().filter(|c| !c.is_whitespace()).count();
            chars += n;
            sum += c * n as f32;
        }
    }
    (chars, if chars == 0 { 0.0 } else { sum / chars as f32 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::GlyphOrigin;
    use jx_model::OcrEngineId;

    fn glyph(text: &str, confidence: f32) -> Glyph {
        Glyph {
            text: text.into(),
            bbox: Rect::new(0.0, 0.0, 10.0, 10.0),
            font_size: 10.0,
            invisible: false,
            origin: GlyphOrigin::ocr(OcrEngineId::Tesseract, confidence),
            overdrawn: 0,
        }
    }

    fn at(text: &str, x0: f32, y0: f32, x1: f32, y1: f32) -> Glyph {
        Glyph {
            bbox: Rect::new(x0, y0, x1, y1),
            ..glyph(text, 0.9)
        }
    }

    /// Lines above a table: glyphs that overlap vertically make one line,
    /// left to right; a glyph reaching below the table's top is left out.
    #[test]
    fn lines_above_a_table_are_joined_left_to_right() {
        let glyphs = [
            at("决算表", 300.0, 50.0, 360.0, 66.0),
            at("一般公共预算财政拨款支出", 120.0, 51.0, 300.0, 67.0),
            at("单位：万元", 480.0, 72.0, 540.0, 80.0),
            at("公开05表", 500.0, 20.0, 550.0, 30.0),
            at("科目编码", 40.0, 84.0, 90.0, 96.0),
        ];
        assert_eq!(
            line_texts_above(&glyphs, 82.0, &GridOptions::default()),
            ["公开05表", "一般公共预算财政拨款支出决算表", "单位：万元"]
        );
    }

    #[test]
    fn confidence_is_weighed_by_characters() {
        let (n, c) = char_mean_confidence(&[glyph("项目名称", 0.9), glyph("x", 0.4)]);
        assert_eq!(n, 5);
        assert!((c - 0.8).abs() < 1e-6, "{c}");
        assert_eq!(char_mean_confidence(&[]), (0, 0.0));
    }
}
