//! The form layer: the tables and lines of a file's pages → one
//! [`FormRecord`] per 财政项目支出绩效目标申报表, as the output contract says.
//!
//! Steps, each a module: [`locate`] groups tables into forms (a table whose
//! cells carry 项目名称 starts one; a compatible table heading the next page
//! continues it); [`grid`] joins a form's fragments into one grid of global
//! rows; [`fields`] and [`indicators`] read values by the form's own labels
//! ([`labels`]) rather than by position; [`normalize`] makes amounts, dates
//! and target values exact strings; [`taxonomy`] mends indicator levels the
//! layout lost; [`checks`] warns where the funds do not add up. Every
//! repair and doubt is recorded ([`record`]). [`grammar`] says what a field
//! may hold (its shape, the form's vocabulary), for the OCR layer's
//! arbitration between two engines.
//!
//! In: [`jx_model::PageLayout`]s of one file. Out: records. Out of scope:
//! reading PDFs or pixels, writing files.

pub mod account;
pub mod checks;
pub mod fields;
pub mod grammar;
pub mod grid;
pub mod indicators;
pub mod ink;
pub mod labels;
pub mod locate;
pub mod normalize;
pub mod places;
pub mod plausible;
pub mod record;
pub mod split;
pub mod taxonomy;
pub mod title;
pub mod verdict;

use jx_model::Code;
use jx_model::record::{SCHEMA_VERSION, Source};
use jx_model::{Diagnostic, Extraction, FieldPath, FormRecord, PageLayout, TextLine};
use record::Recorder;
use title::is_year_line;

/// What the caller knows of the file the pages come from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the input root, `/`-separated.
    pub path: String,
    pub sha256: String,
}

/// Tunables of the form layer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FormOptions {
    /// OCR confidence (0..1) under which a field gets a warning. Default
    /// 0.6: a judgment, not measured (set with the first form layer).
    pub low_confidence: f32,
    /// A character read with a margin over its runner-up under this (best
    /// minus second-best probability) makes its field a doubt.
    pub min_char_margin: f32,
    /// The look-alike habits of the OCR engines that read the pages (each
    /// recogniser publishes its own; the caller passes them on). A cell read
    /// by an engine without a profile is mended by no look-alike table.
    /// Not serialized: they follow from the engine, which the OCR options
    /// name.
    #[serde(skip)]
    pub lookalikes: Vec<jx_model::LookalikeProfile>,
}

impl Default for FormOptions {
    fn default() -> Self {
        FormOptions {
            low_confidence: 0.6,
            min_char_margin: record::MIN_CHAR_MARGIN,
            lookalikes: Vec::new(),
        }
    }
}

/// Maps the pages of one file to its forms, in order.
pub fn map(pages: &[PageLayout], source: &SourceFile, opts: &FormOptions) -> Vec<FormRecord> {
    let located = locate::locate(pages);
    let headings: Vec<title::Found> = located.forms.iter().map(heading_of).collect();
    let first_title_y = headings
        .first()
        .and_then(|h| h.line.as_ref())
        .map(|l| (l.page, l.bbox.y0));
    let document_title = document_title(&located.front_lines, first_title_y);
    let mut forms: Vec<FormRecord> = located
        .forms
        .iter()
        .zip(&headings)
        .enumerate()
        .map(|(i, (f, heading))| map_form(i, f, heading, document_title.as_ref(), source, opts))
        .collect();
    plausible::check_volume(&mut forms);
    forms
}

/// One located form as its record. The diagnostics are logged in the
/// order the output has always had them (title, cover title, year, labels,
/// then the fields), which the golden files compare byte for byte.
fn map_form(
    i: usize,
    f: &locate::LocatedForm,
    heading: &title::Found,
    document_title: Option<&DocumentTitle>,
    source: &SourceFile,
    opts: &FormOptions,
) -> FormRecord {
    let mut rec = Recorder::new(opts.low_confidence)
        .with_lookalikes(&opts.lookalikes)
        .with_min_char_margin(opts.min_char_margin);
    let form_title = form_title(heading, opts, &mut rec);
    if let Some(d) = document_title {
        note_document_title(d, opts, &mut rec);
    }
    let year = heading.year;
    if year.is_none() {
        rec.warn(
            Code::MissingField,
            &FieldPath::of(&["year"]),
            "no year line (（2023年度）, 2023年度, 年度：2023) near the title; left null",
        );
    }
    note_snapped_labels(&f.grid, &mut rec);
    let project = fields::project(&f.grid, &mut rec);
    let funds = fields::funds(&f.grid, &mut rec);
    let goals = fields::goals(&f.grid, &mut rec);
    let indicators = indicators::indicators(&f.grid, &mut rec);
    let mut record = FormRecord {
        schema_version: SCHEMA_VERSION,
        source: Source {
            path: source.path.clone(),
            sha256: source.sha256.clone(),
            form_index: i as u32 + 1,
            pages: f.grid.pages.clone(),
            extraction: extraction_of(&f.extractions),
        },
        document_title: document_title.map(|d| d.text.clone()),
        form_title,
        year,
        project,
        funds,
        goals,
        indicators,
        repairs: rec.diagnostics.repairs,
        warnings: rec.diagnostics.warnings,
        verdicts: Vec::new(),
        verification: None,
        provenance: rec.provenance,
    };
    plausible::check_form(&mut record);
    record
}

/// The form's title, with what its reading needs said: glyphs drawn twice,
/// a title snapped to the standard titles, or OCR doubts; a warning when no
/// title was found.
fn form_title(heading: &title::Found, opts: &FormOptions, rec: &mut Recorder) -> Option<String> {
    let path = FieldPath::of(&["form_title"]);
    let (Some(l), Some(t)) = (&heading.line, &heading.title) else {
        rec.warn(
            Code::MissingField,
            &path,
            "no line above or atop the form reads as its title; left null",
        );
        return None;
    };
    if l.overdrawn > 0 {
        rec.repair(
            Diagnostic::new(
                Code::DuplicateGlyphs,
                path.clone(),
                format!(
                    "{} glyph(s) drawn again at the same place counted once",
                    l.overdrawn
                ),
            )
            .at(l.page, l.bbox.rounded()),
        );
    }
    if let Some(read) = &heading.snapped_from {
        rec.repair(
            Diagnostic::new(
                Code::LabelSnapped,
                path,
                format!("the title was read by OCR as {read:?}, {} character(s) off the standard title {t:?}; the standard titles are a closed vocabulary", labels::edit_distance(read, t)),
            )
            .change(read.clone(), t.clone())
            .at(l.page, l.bbox.rounded()),
        );
    } else {
        for why in record::ocr_doubts(t, l.confidence, opts.low_confidence) {
            rec.warn_with(
                Diagnostic::new(Code::LowOcrConfidence, path.clone(), why)
                    .at(l.page, l.bbox.rounded()),
            );
        }
    }
    Some(t.clone())
}

/// Logs on a form what the volume's cover title needed: the cover title is
/// one for the whole file, but each record carries it, so each record says
/// how it was read.
fn note_document_title(d: &DocumentTitle, opts: &FormOptions, rec: &mut Recorder) {
    let path = FieldPath::of(&["document_title"]);
    if let Some(read) = &d.snapped_from {
        rec.repair(
            Diagnostic::new(
                Code::LabelSnapped,
                path.clone(),
                "the cover title's ending was read by OCR a few characters off a cover title's standard ending; the endings are a closed vocabulary",
            )
            .change(read.clone(), d.text.clone())
            .at(d.page, d.bbox.rounded()),
        );
    }
    for why in record::ocr_doubts(&d.text, d.confidence, opts.low_confidence) {
        rec.warn_with(
            Diagnostic::new(Code::LowOcrConfidence, path.clone(), why).at(d.page, d.bbox.rounded()),
        );
    }
    if let Some(m) = d
        .by_ocr
        .then(|| places::misread_title_head(&d.text))
        .flatten()
    {
        rec.warn_with(
            Diagnostic::new(
                Code::LowOcrConfidence,
                path.clone(),
                places::named_places(&m),
            )
            .at(d.page, d.bbox.rounded()),
        );
    }
    let unknown = d
        .by_ocr
        .then(|| title::unknown_cover_ending(&d.text))
        .flatten();
    if let Some(ending) = unknown.filter(|_| d.snapped_from.is_none()) {
        rec.warn_with(
            Diagnostic::new(
                Code::LowOcrConfidence,
                path,
                format!("the cover title read by OCR ends in {ending:?}, none of the endings bound volumes print (and too far from each to be snapped): check against the page"),
            )
            .at(d.page, d.bbox.rounded()),
        );
    }
}

/// Logs every form label that OCR read a little off and that was snapped to
/// its spelling (the grid did the snapping; the record says it).
fn note_snapped_labels(grid: &grid::FormGrid, rec: &mut Recorder) {
    for c in grid.cells.iter() {
        let (Some(read), Some(label)) = (&c.label_read_as, c.label) else {
            continue;
        };
        let spelled = labels::spelling(label);
        rec.repair(
            Diagnostic::new(
                Code::LabelSnapped,
                label.field_path(),
                format!("the form label {spelled:?} was read by OCR as {read:?}; the label is a closed vocabulary"),
            )
            .change(read.clone(), spelled)
            .at(c.pieces[0].page, c.pieces[0].bbox.rounded()),
        );
    }
}

/// How a form's pages were read, as the record's source says it (a form
/// of no page, which the locator never makes, as the text layer).
fn extraction_of(extractions: &[Extraction]) -> Extraction {
    Extraction::of_all(extractions.iter().copied()).unwrap_or(Extraction::Text)
}

/// The title and year of a form: from the lines above its table and the
/// table's own cells above its first label (a producer may print the
/// heading inside the table).
fn heading_of(f: &locate::LocatedForm) -> title::Found {
    let g = &f.grid;
    let first_label_row = g
        .cells
        .iter()
        .filter(|c| c.label.is_some())
        .map(|c| c.row)
        .min()
        .unwrap_or(0);
    let top = g
        .cells
        .iter()
        .filter(|c| c.row_end < first_label_row && !c.text.trim().is_empty())
        .map(|c| TextLine {
            page: c.pieces[0].page,
            bbox: c.pieces[0].bbox,
            text: c.text.clone(),
            font_size: 0.0,
            overdrawn: c.overdrawn,
            confidence: c.confidence,
        });
    let candidates: Vec<TextLine> = f.heading.iter().cloned().chain(top).collect();
    let x0 = g.cells.iter().map(|c| c.x0).fold(f32::INFINITY, f32::min);
    let x1 = g
        .cells
        .iter()
        .map(|c| c.x1)
        .fold(f32::NEG_INFINITY, f32::max);
    title::find(&candidates, (x0, x1))
}

/// Share of an OCR line's height by which the lines of one cover title may
/// differ: a box's height follows its characters' shapes. A judgment, not a
/// measurement: wider than the text layer's 0.1 pt, and narrower than the
/// step from a cover title (22 pt on the samples' covers) to the 12 pt date
/// or agency line under it.
const OCR_SIZE_TOLERANCE: f32 = 0.15;

/// Font sizes (pt) from a text layer that differ by at most this are one
/// type: a property of text layers, whose sizes are exact up to rounding in
/// the producer's number format.
const TEXT_SIZE_TOLERANCE: f32 = 0.1;

/// A cover title has at least this many characters that are neither digits
/// nor spaces (a page number or a lone date is not one). Judgment, not
/// measured.
const MIN_COVER_TITLE_CHARS: usize = 4;

/// How far (pt) above the first form's title line a front line must start
/// to lie before it: half a point absorbs the rounding of one line's
/// position. Judgment, not measured.
const BEFORE_TITLE_MARGIN: f32 = 0.5;

/// The lines of one cover title lie one under the other: the next starts at
/// most this many em above the previous one's bottom (boxes of one line
/// pitch touch or overlap slightly) and at most this many em below it (one
/// blank line pitch). Judgment, not measured.
const TITLE_LINE_OVERLAP_EM: f32 = 0.2;
const TITLE_LINE_GAP_EM: f32 = 1.0;

/// The bound volume's cover title: of the lines before the first form's
/// title, the one in the largest type (the first of equals), unless it is a
/// year line, together with the lines right above and below it in the same
/// type (a cover title set over two lines, `…绩效目标申报` / `表汇编`, is one
/// title). (A cover may read like a form title — 绩效目标表 — so only the
/// first form's own title line, by position, is left out.)
fn document_title(front: &[TextLine], first_title: Option<(u32, f32)>) -> Option<DocumentTitle> {
    let eligible: Vec<&TextLine> = front
        .iter()
        .filter(|l| {
            first_title.is_none_or(|(p, y)| (l.page, l.bbox.y0) < (p, y - BEFORE_TITLE_MARGIN))
        })
        .filter(|l| !is_year_line(&l.text))
        .collect();
    let wordy = |l: &TextLine| {
        l.text
            .chars()
            .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
            .count()
            >= MIN_COVER_TITLE_CHARS
    };
    let best = eligible.iter().enumerate().filter(|(_, l)| wordy(l)).fold(
        None::<(usize, &TextLine)>,
        |best, (i, l)| match best {
            Some((_, b)) if b.font_size >= l.font_size - TEXT_SIZE_TOLERANCE => best,
            _ => Some((i, l)),
        },
    )?;
    // Lines of the same title: same page and type, one line pitch apart.
    // An OCR line's size is its box's height, which the characters' shapes
    // move by a point or two (`表汇编` against `…绩效目标申报`).
    let size_tolerance = |a: &TextLine| {
        if a.read_by_ocr() {
            OCR_SIZE_TOLERANCE * a.font_size
        } else {
            TEXT_SIZE_TOLERANCE
        }
    };
    let same = |a: &TextLine, b: &TextLine| {
        a.page == b.page
            && (a.font_size - b.font_size).abs() <= size_tolerance(a)
            && b.bbox.y0 - a.bbox.y1 >= -TITLE_LINE_OVERLAP_EM * a.font_size
            && b.bbox.y0 - a.bbox.y1 <= TITLE_LINE_GAP_EM * a.font_size.max(1.0)
            && !is_year_line(&b.text)
    };
    let (mut lo, mut hi) = (best.0, best.0);
    while lo > 0 && same(eligible[lo - 1], eligible[lo]) {
        lo -= 1;
    }
    while hi + 1 < eligible.len() && same(eligible[hi], eligible[hi + 1]) {
        hi += 1;
    }
    let lines = &eligible[lo..=hi];
    // The contract's `form_title`: as printed, white space removed.
    let text: String = lines
        .iter()
        .map(|l| jx_model::text::squeeze(&l.text))
        .collect();
    let by_ocr = lines.iter().any(|l| l.read_by_ocr());
    let snapped = by_ocr.then(|| title::snap_cover_title(&text)).flatten();
    Some(DocumentTitle {
        text: snapped.as_ref().map_or(text.clone(), |s| s.0.clone()),
        snapped_from: snapped.map(|_| text),
        by_ocr,
        confidence: lines.iter().filter_map(|l| l.confidence).reduce(f32::min),
        page: lines[0].page,
        bbox: lines
            .iter()
            .skip(1)
            .fold(lines[0].bbox, |b, l| b.union(&l.bbox)),
    })
}

/// The cover title as read, with the least OCR confidence of its lines
/// (`None` from a text layer) and where it is.
struct DocumentTitle {
    text: String,
    /// The title as read, where its ending was snapped to the closed
    /// vocabulary of cover titles ([`title::snap_cover_title`]).
    snapped_from: Option<String>,
    /// Read (in part) by OCR.
    by_ocr: bool,
    confidence: Option<f32>,
    page: u32,
    bbox: jx_model::Rect,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::Rect;

    fn ocr_line(y: f32, height: f32, text: &str) -> TextLine {
        TextLine {
            page: 1,
            bbox: Rect::new(60.0, y, 500.0, y + height),
            text: text.into(),
            font_size: height,
            overdrawn: 0,
            confidence: Some(0.9),
        }
    }

    #[test]
    fn a_cover_title_read_by_ocr_over_two_lines_is_one_title() {
        let front = [
            ocr_line(300.0, 23.0, "上海市某区2019年度项目支出绩效目标申报"),
            ocr_line(330.0, 21.5, "表汇编"),
            ocr_line(400.0, 12.5, "二〇一九年三月"),
        ];
        let d = document_title(&front, None).expect("a title");
        assert_eq!(d.text, "上海市某区2019年度项目支出绩效目标申报表汇编");
        assert_eq!(d.snapped_from, None);
    }
}
