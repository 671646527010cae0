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
//! repair and doubt is recorded ([`record`]).
//!
//! In: [`jx_model::PageLayout`]s of one file. Out: records. Out of scope:
//! reading PDFs or pixels, writing files.

pub mod checks;
pub mod fields;
pub mod grid;
pub mod indicators;
pub mod labels;
pub mod locate;
pub mod normalize;
pub mod record;
pub mod taxonomy;

use jx_model::Code;
use jx_model::record::{SCHEMA_VERSION, Source, SourceExtraction};
use jx_model::{Diagnostic, Extraction, FormRecord, PageLayout, TextLine};
use labels::normalize_label;
use locate::{is_form_title, is_year_line, year_of};
use record::Recorder;

/// What the caller knows of the file the pages come from.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the input root, `/`-separated.
    pub path: String,
    pub sha256: String,
}

/// Tunables of the form layer.
#[derive(Debug, Clone)]
pub struct FormOptions {
    /// OCR confidence (0..1) under which a field gets a warning.
    pub low_confidence: f32,
    /// The look-alike habits of the OCR engines that read the pages (each
    /// recogniser publishes its own; the caller passes them on). A cell read
    /// by an engine without a profile is mended by no look-alike table.
    pub lookalikes: Vec<jx_model::LookalikeProfile>,
}

impl Default for FormOptions {
    fn default() -> Self {
        FormOptions {
            low_confidence: 0.6,
            lookalikes: Vec::new(),
        }
    }
}

/// Maps the pages of one file to its forms, in order.
pub fn map(pages: &[PageLayout], source: &SourceFile, opts: &FormOptions) -> Vec<FormRecord> {
    let located = locate::locate(pages);
    let first_title_y = located
        .forms
        .first()
        .and_then(|f| title_line(&f.heading))
        .map(|l| (l.page, l.bbox.y0));
    let document_title = document_title(&located.front_lines, first_title_y);
    located
        .forms
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut rec = Recorder::new(opts.low_confidence).with_lookalikes(&opts.lookalikes);
            let title = title_line(&f.heading);
            let form_title = match title {
                Some(l) => {
                    if l.overdrawn > 0 {
                        rec.repair(
                            Diagnostic::new(
                                Code::DuplicateGlyphs,
                                "form_title",
                                format!(
                                    "{} glyph(s) drawn again at the same place counted once",
                                    l.overdrawn
                                ),
                            )
                            .at(l.page, l.bbox.rounded()),
                        );
                    }
                    Some(normalize_title(&l.text))
                }
                None => {
                    rec.warn(
                        Code::MissingField,
                        "form_title",
                        "no title line above the form; left null",
                    );
                    None
                }
            };
            let year = f
                .heading
                .iter()
                .filter(|l| is_year_line(&l.text) || is_form_title(&l.text))
                .find_map(|l| year_of(&normalize_label(&l.text)));
            for c in f.grid.cells.iter().filter(|c| c.label_read_as.is_some()) {
                let (read, label) = (c.label_read_as.clone().unwrap_or_default(), c.label.map(labels::spelling).unwrap_or_default());
                rec.repair(
                    Diagnostic::new(Code::LabelSnapped, "", format!("the form label {label:?} was read by OCR as {read:?}; the label is a closed vocabulary"))
                        .change(read, label)
                        .at(c.pieces[0].page, c.pieces[0].bbox.rounded()),
                );
            }
            let project = fields::project(&f.grid, &mut rec);
            let funds = fields::funds(&f.grid, &mut rec);
            let goals = fields::goals(&f.grid, &mut rec);
            let indicators = indicators::indicators(&f.grid, &mut rec);
            let extraction = match (
                f.extractions.iter().all(|e| *e == Extraction::Text),
                f.extractions.iter().all(|e| *e == Extraction::Ocr),
            ) {
                (true, _) => SourceExtraction::Text,
                (_, true) => SourceExtraction::Ocr,
                _ => SourceExtraction::Mixed,
            };
            FormRecord {
                schema_version: SCHEMA_VERSION,
                source: Source {
                    path: source.path.clone(),
                    sha256: source.sha256.clone(),
                    form_index: i as u32 + 1,
                    pages: f.grid.pages.clone(),
                    extraction,
                },
                document_title: document_title.clone(),
                form_title,
                year,
                project,
                funds,
                goals,
                indicators,
                repairs: rec.diagnostics.repairs,
                warnings: rec.diagnostics.warnings,
                provenance: rec.provenance,
            }
        })
        .collect()
}

/// The form's title: the last line above the table that reads like one, else
/// the last line that is not the year line.
fn title_line(heading: &[TextLine]) -> Option<&TextLine> {
    heading
        .iter()
        .rev()
        .find(|l| is_form_title(&l.text))
        .or_else(|| {
            heading
                .iter()
                .rev()
                .find(|l| !is_year_line(&l.text) && !l.text.trim().is_empty())
        })
}

/// The contract's `form_title`: as printed, white space removed.
fn normalize_title(t: &str) -> String {
    t.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The bound volume's cover title: of the lines before the first form's
/// title, the one in the largest type (the first of equals), unless it is a
/// year line. (A cover may read like a form title — 绩效目标表 — so only the
/// first form's own title line, by position, is left out.)
fn document_title(front: &[TextLine], first_title: Option<(u32, f32)>) -> Option<String> {
    front
        .iter()
        .filter(|l| first_title.is_none_or(|(p, y)| (l.page, l.bbox.y0) < (p, y - 0.5)))
        .filter(|l| !is_year_line(&l.text))
        .filter(|l| {
            l.text
                .chars()
                .filter(|c| !c.is_ascii_digit() && !c.is_whitespace())
                .count()
                >= 4
        })
        .fold(None::<&TextLine>, |best, l| match best {
            Some(b) if b.font_size >= l.font_size - 0.1 => Some(b),
            _ => Some(l),
        })
        .map(|l| normalize_title(&l.text))
}
