//! The per-file pipeline of jxingest, as a library: one file's bytes in,
//! its form records, one outcome per page and every problem typed, out.
//!
//! ```text
//! bytes ─ jx-pdf ─┬─ text page ──────────────────────────┐
//!                 └─ image page ─ jx-ocr ─ jx-grid frames ┴─ jx-grid reconstruct ─ jx-form map ─ FileReport
//! ```
//!
//! The CLI, its worker processes, the fuzz target and the examples all call
//! [`ingest`]; none of them knows in which order the stages run. Process
//! policy (worker processes, limits, OpenMP threads, rayon pools) is the
//! caller's: this crate starts no thread and reads no environment.
//!
//! Damage is contained page by page: a page that cannot be read (content
//! lost, fonts without Unicode, an absurd size, a panic inside a
//! dependency) is a [`Problem`] and the other pages still count.

mod guard;
pub mod ocr;

pub use guard::install_panic_hook;
pub use jx_form::SourceFile;

use jx_form::FormOptions;
use jx_form::grammar::FieldGrammar;
use jx_grid::GridOptions;
use jx_model::{
    Code, Diagnostic, Extraction, FieldPath, FileRow, FormRecord, PageContent, PageLayout,
    PageRole, Problem, ProblemCode, Status, Unmapped,
};
use jx_ocr::{Arbiter, OcrError, OcrOptions, Recognizer};
use jx_pdf::{PdfError, PdfFile, PdfOptions};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Options of every stage: everything that changes the output.
#[derive(Debug, Clone, Serialize)]
pub struct IngestOptions {
    pub pdf: PdfOptions,
    pub ocr: OcrOptions,
    pub grid: GridOptions,
    pub form: FormOptions,
    /// Read at most this many pages (the rest are not looked at); `None`
    /// reads every page. For the fuzzer and quick looks.
    pub max_pages: Option<usize>,
    /// Turn a panic inside a stage into a problem (default). The fuzzer
    /// turns it off, to see the panic.
    pub catch_panics: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            pdf: PdfOptions::default(),
            ocr: OcrOptions::default(),
            grid: GridOptions::default(),
            form: FormOptions::default(),
            max_pages: None,
            catch_panics: true,
        }
    }
}

impl IngestOptions {
    /// A short fingerprint of every option, the program version and what
    /// the engines had installed (`installed`: each model, word list and
    /// package with its size and modification time): a file read with the
    /// same fingerprint and the same bytes gives the same output, which is
    /// what `--resume` relies on — it never mixes rows read with different
    /// models or without a word list. The options are serialized, not
    /// their `Debug` text (which changes with the code's formatting).
    pub fn fingerprint(&self, installed: &[jx_ocr::installed::InstalledPart]) -> String {
        let value = serde_json::json!({
            "tool": "jxingest",
            "version": env!("CARGO_PKG_VERSION"),
            "options": self,
            "installed": installed,
        });
        sha256_hex(value.to_string().as_bytes())[..16].to_string()
    }
}

/// The recogniser the options choose (`--ocr-engine`), with the form's
/// field grammar (field patterns, labels, indicator taxonomy) to arbitrate
/// between two engines.
pub fn recognizer(opts: &IngestOptions) -> Result<Box<dyn Recognizer>, OcrError> {
    jx_ocr::recognizer(&opts.ocr, Arc::new(FormArbiter(FieldGrammar::new())))
}

/// The form layer's grammar at the OCR layer's seam. An adapter here, where
/// the stages are wired: jx-form and jx-ocr depend only on the shared types,
/// not on each other.
struct FormArbiter(FieldGrammar);

impl Arbiter for FormArbiter {
    fn fits_field(&self, text: &str) -> bool {
        self.0.fits_field(text)
    }

    fn in_vocabulary(&self, text: &str) -> bool {
        self.0.in_vocabulary(text)
    }

    fn holds_label(&self, text: &str) -> bool {
        self.0.holds_label(text)
    }

    fn settled(&self, text: &str, head: Option<jx_model::HeadChevron>) -> String {
        jx_form::grammar::settle_operator(text, head).unwrap_or_else(|| text.to_string())
    }

    fn prefer(&self, a: &str, b: &str) -> Option<(jx_ocr::Keep, &'static str)> {
        let (p, why) = self.0.prefer(a, b)?;
        let keep = match p {
            jx_form::grammar::Preferred::First => jx_ocr::Keep::First,
            jx_form::grammar::Preferred::Second => jx_ocr::Keep::Second,
        };
        Some((keep, why))
    }
}

/// The recogniser for image pages, or why there is none.
#[derive(Clone, Copy)]
pub enum Ocr<'a> {
    Available(&'a dyn Recognizer),
    /// Decode every page image but recognise nothing (the fuzzer: Tesseract
    /// is too slow for it); image pages then give no text and no problem.
    DecodeOnly,
    /// OCR cannot run (its language data is missing …): image pages are
    /// `needs_ocr`, with this reason.
    Unavailable(&'a str),
    /// The engine is made when the first image page needs it (starting
    /// Tesseract with chi_sim costs about 0.1 s of CPU, more than reading a
    /// whole printed file): `Ok` is [`Ocr::Available`], `Err` [`Ocr::Unavailable`].
    Lazy(&'a dyn Fn() -> Result<&'a dyn Recognizer, &'a str>),
}

/// A step of the work on one file, reported before it starts (the caller
/// uses it to tell how far a file got when it has to stop it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Step {
    /// Reading and opening the file.
    Open,
    /// Reading page N (1-based).
    Page(u32),
    /// Finding and mapping the forms.
    Map,
}

impl Step {
    pub fn describe(self) -> String {
        match self {
            Step::Open => "opening the file".into(),
            Step::Page(n) => format!("reading page {n}"),
            Step::Map => "mapping its forms".into(),
        }
    }
}

/// A page not to read, and why (it stopped an earlier attempt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkipPage {
    pub page: u32,
    pub why: String,
}

/// What one file gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileReport {
    pub pages: usize,
    pub forms: Vec<FormRecord>,
    /// How the pages were read; `None` where none gave text.
    pub mode: Option<Extraction>,
    /// One entry per page.
    pub page_roles: Vec<PageRole>,
    /// Pages that show a form that was not read in full.
    pub unmapped: Vec<Unmapped>,
    /// Every problem with the file or a page, in page order.
    pub problems: Vec<Problem>,
}

impl FileReport {
    /// The manifest status this report earns.
    pub fn status(&self) -> Status {
        let has = |c: ProblemCode| self.problems.iter().any(|p| p.code == c);
        let lost = self
            .page_roles
            .iter()
            .filter(|r| **r == PageRole::Unreadable)
            .count();
        if has(ProblemCode::OcrUnavailable) {
            Status::NeedsOcr
        } else if has(ProblemCode::OcrFailed) {
            Status::OcrFailed
        } else if self.pages > 0 && lost == self.pages {
            Status::Failed
        } else if self.problems.iter().any(|p| p.code.loses_content()) {
            Status::Recovered
        } else if !self.unmapped.is_empty() {
            Status::Incomplete
        } else if self.forms.is_empty() {
            Status::NoForms
        } else {
            Status::Ok
        }
    }

    /// Fills a manifest row with what this report says (not `outputs`,
    /// `sha256` or time, which are the caller's).
    pub fn fill_row(&self, row: &mut FileRow) {
        row.status = self.status();
        row.pages = self.pages;
        row.forms = self.forms.len();
        row.extraction = self.mode;
        row.page_roles = self.page_roles.clone();
        row.unmapped = self.unmapped.clone();
        row.problems = self.problems.clone();
        row.summarize_reason();
    }
}

/// Why a whole file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum FileError {
    /// Not a PDF, encrypted, no page tree, refused by a guard …
    #[error("{0}")]
    Unreadable(String),
    /// A panic inside the program or a dependency.
    #[error("internal error while {step}: {detail}")]
    Internal { step: String, detail: String },
}

impl FileError {
    pub fn to_problem(&self) -> Problem {
        match self {
            FileError::Unreadable(d) => Problem::file(ProblemCode::Unreadable, d.clone()),
            FileError::Internal { step, detail } => Problem::file(
                ProblemCode::InternalError,
                format!("while {step}: {detail}"),
            ),
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the pipeline on one file's bytes. Pages in `skip` are not read.
/// `progress` is told each step before it starts.
pub fn ingest(
    bytes: Vec<u8>,
    source: &SourceFile,
    opts: &IngestOptions,
    ocr: Ocr<'_>,
    skip: &[SkipPage],
    progress: &mut dyn FnMut(Step),
) -> Result<FileReport, FileError> {
    progress(Step::Open);
    let (pdf, mut problems) = open(bytes, opts)?;
    let cache = pdf.cache();
    let mut layouts: Vec<PageLayout> = Vec::with_capacity(pdf.page_count());
    let mut page_roles = Vec::with_capacity(pdf.page_count());
    let mut turned = Vec::new();
    let pages = opts
        .max_pages
        .map_or(pdf.page_count(), |m| m.min(pdf.page_count()));
    for i in 0..pages {
        let number = i as u32 + 1;
        if let Some(s) = skip.iter().find(|s| s.page == number) {
            problems.push(Problem::page(ProblemCode::PageSkipped, number, &s.why));
            page_roles.push(PageRole::Unreadable);
            continue;
        }
        progress(Step::Page(number));
        let previous = layouts.last();
        let read = guard::guarded_if(opts.catch_panics, || {
            read_page(&pdf, &cache, i, opts, ocr, previous)
        })
        .unwrap_or_else(|panic| {
            PageRead::lost(Problem::page(ProblemCode::InternalError, number, panic))
        });
        problems.extend(read.problems);
        if let Some(t) = read.turned {
            turned.push((number, t));
        }
        match read.layout {
            Some(layout) => {
                page_roles.push(PageRole::Other);
                layouts.push(*layout);
            }
            None => page_roles.push(PageRole::Unreadable),
        }
    }
    progress(Step::Map);
    let form_opts = form_options(opts, ocr, &layouts);
    let mut forms =
        guard::guarded(|| jx_form::map(&layouts, source, &form_opts)).map_err(|detail| {
            FileError::Internal {
                step: Step::Map.describe(),
                detail,
            }
        })?;
    let unmapped = jx_form::account::account(&layouts, &forms, &mut page_roles);
    jx_form::account::warn_lost_pages(&mut forms, &page_roles);
    note_turned_pages(&mut forms, &layouts, &turned);
    Ok(FileReport {
        pages: pdf.page_count(),
        forms,
        mode: mode_of(&layouts),
        page_roles,
        unmapped,
        problems,
    })
}

/// The file opened, with the damage found on the way as file problems
/// (a damaged cross-reference table or page tree is mended, not fatal).
/// Where the file cannot be opened, the damage says why.
fn open(bytes: Vec<u8>, opts: &IngestOptions) -> Result<(PdfFile, Vec<Problem>), FileError> {
    let damage = jx_pdf::xref_damage(&bytes);
    let pdf = guard::guarded_if(opts.catch_panics, || PdfFile::open(bytes, opts.pdf.clone()))
        .map_err(|detail| FileError::Internal {
            step: Step::Open.describe(),
            detail,
        })?
        .map_err(|e| {
            FileError::Unreadable(match (&e, &damage) {
                // Say why the structure could not be read.
                (PdfError::Unreadable | PdfError::NoPages, Some(d)) => format!("{e} ({d})"),
                _ => e.to_string(),
            })
        })?;
    let mut problems = Vec::new();
    if let Some(d) = damage {
        problems.push(Problem::file(ProblemCode::XrefDamaged, d.to_string()));
    }
    if let Some(d) = pdf.page_tree_damage() {
        problems.push(Problem::file(ProblemCode::PageTreeDamaged, d));
    }
    Ok((pdf, problems))
}

/// The form layer's options for this file: it mends OCR text with the
/// habits of the engine that read it (a lazy engine was made by then if any
/// page needed it).
fn form_options(opts: &IngestOptions, ocr: Ocr<'_>, layouts: &[PageLayout]) -> FormOptions {
    let mut form_opts = opts.form.clone();
    let used = match ocr {
        Ocr::Available(r) => Some(r),
        Ocr::Lazy(make) if layouts.iter().any(|l| l.extraction == Extraction::Ocr) => make().ok(),
        _ => None,
    };
    if let Some(r) = used {
        form_opts.lookalikes = r.lookalikes();
    }
    form_opts
}

/// How the file's pages were read, as the manifest says it.
fn mode_of(layouts: &[PageLayout]) -> Option<Extraction> {
    Extraction::of_all(layouts.iter().map(|l| l.extraction))
}

/// What became of one page: its layout when anything was read, and its
/// problems.
struct PageRead {
    layout: Option<Box<PageLayout>>,
    problems: Vec<Problem>,
    /// The turn a scanned page was read in, when it was not upright.
    turned: Option<ocr::TurnChoice>,
}

impl PageRead {
    fn lost(p: Problem) -> PageRead {
        PageRead {
            layout: None,
            problems: vec![p],
            turned: None,
        }
    }
}

fn read_page<'a>(
    pdf: &'a PdfFile,
    cache: &jx_pdf::PageCache<'a>,
    i: usize,
    opts: &IngestOptions,
    ocr: Ocr<'_>,
    previous: Option<&PageLayout>,
) -> PageRead {
    let number = i as u32 + 1;
    let mut problems = Vec::new();
    match pdf.page_content_damage(i) {
        Err(e) => return PageRead::lost(page_problem(ProblemCode::PageLost, number, &e)),
        Ok(Some(what)) => problems.push(Problem::page(
            ProblemCode::ContentDamaged,
            number,
            format!("its content stream {what}"),
        )),
        Ok(None) => {}
    }
    let page = match pdf.page_with(i, cache) {
        Ok(p) => p,
        Err(e) => return PageRead::lost(page_problem(ProblemCode::PageLost, number, &e)),
    };
    problems.extend(
        page.warnings
            .iter()
            .map(|w| Problem::page(ProblemCode::ReaderWarning, number, w.to_string())),
    );
    let content = if page.needs_ocr() {
        match read_scanned(pdf, i, &page, opts, ocr, previous) {
            Ok(r) => r,
            Err(p) => {
                problems.push(p);
                return PageRead {
                    layout: None,
                    problems,
                    turned: None,
                };
            }
        }
    } else {
        ocr::RasterRead {
            content: page.content,
            turned: None,
        }
    };
    PageRead {
        layout: Some(Box::new(jx_grid::reconstruct(&content.content, &opts.grid))),
        problems,
        turned: content.turned,
    }
}

/// Scanned page `i` read by OCR, or the one problem that stopped it: a page
/// too large to rasterize (the page's fault, not a missing engine), no
/// engine, or an engine that failed.
fn read_scanned(
    pdf: &PdfFile,
    i: usize,
    page: &jx_pdf::ExtractedPage,
    opts: &IngestOptions,
    ocr: Ocr<'_>,
    previous: Option<&PageLayout>,
) -> Result<ocr::RasterRead, Problem> {
    let number = i as u32 + 1;
    pdf.check_raster(i, page)
        .map_err(|e| page_problem(ProblemCode::PageLost, number, &e))?;
    let ocr = match ocr {
        Ocr::Lazy(make) => match make() {
            Ok(e) => Ocr::Available(e),
            Err(why) => Ocr::Unavailable(why),
        },
        other => other,
    };
    match ocr {
        Ocr::Lazy(_) => unreachable!("resolved above"),
        Ocr::Unavailable(why) => Err(Problem::page(ProblemCode::OcrUnavailable, number, why)),
        Ocr::DecodeOnly => pdf
            .page_raster(i, page)
            .map_err(|e| page_problem(ProblemCode::OcrFailed, number, &e))
            .map(|_| ocr::RasterRead {
                content: PageContent {
                    number,
                    width: page.content.width,
                    height: page.content.height,
                    glyphs: Vec::new(),
                    rules: Vec::new(),
                    extraction: Extraction::Ocr,
                    ink: Vec::new(),
                },
                turned: None,
            }),
        Ocr::Available(engine) => pdf
            .page_raster(i, page)
            .map_err(|e| page_problem(ProblemCode::OcrFailed, number, &e))
            .and_then(|raster| {
                let look = look_at(opts, number, previous);
                ocr::read_raster(&raster, engine, &opts.ocr, &opts.grid, look)
                    .map_err(|e| ocr_problem(number, &e))
            }),
    }
}

/// How much of scanned page `number` to read first. A page right after a
/// page that shows a form may continue it: its first table is read whole
/// when its outer edges are those of the form's last table (the test the
/// form layer joins tables by, [`jx_form::locate::may_continue`]), and
/// cheaply otherwise. A page after one that could not be read is read
/// whole (what came before it is unknown).
fn look_at(opts: &IngestOptions, number: u32, previous: Option<&PageLayout>) -> ocr::Look {
    let form_above = match previous {
        None if number == 1 => None,
        Some(l) if l.number + 1 == number => match jx_form::account::form_evidence(l) {
            None => None,
            Some(_) => match l.tables.last() {
                Some(t) => Some(t.bbox),
                None => return ocr::Look::Full,
            },
        },
        _ => return ocr::Look::Full,
    };
    if opts.ocr.cheap_look {
        ocr::Look::Cheap {
            is_form_text: jx_form::account::is_form_text,
            form_above,
            may_continue: jx_form::locate::may_continue_scanned,
            parts_tables: jx_form::locate::parts_tables,
        }
    } else {
        ocr::Look::Full
    }
}

/// Logs, on each form with a page that was read turned, the turn as a
/// repair: the page's boxes are in the upright page's frame, which is not
/// the PDF's for that page.
fn note_turned_pages(
    forms: &mut [FormRecord],
    layouts: &[PageLayout],
    turned: &[(u32, ocr::TurnChoice)],
) {
    for &(page, t) in turned {
        let Some(layout) = layouts.iter().find(|l| l.number == page) else {
            continue;
        };
        let bbox = [0.0, 0.0, f64::from(layout.width), f64::from(layout.height)];
        for f in forms.iter_mut().filter(|f| f.source.pages.contains(&page)) {
            f.repairs.push(
                Diagnostic::new(
                    Code::PageTurned,
                    FieldPath::root(),
                    format!(
                        "page {page} was scanned turned: it was read turned {}° clockwise \
                         (a sample of its cells gave {} characters at mean confidence {:.2} \
                         as scanned, {} at {:.2} turned); its boxes are in the upright \
                         page's frame",
                        t.turn.degrees(),
                        t.upright.0,
                        t.upright.1,
                        t.turned.0,
                        t.turned.1
                    ),
                )
                .at(page, bbox),
            );
        }
    }
}

/// A jx-pdf error as a page problem, without the `page N:` its message may
/// already carry (the problem says the page once).
fn page_problem(code: ProblemCode, page: u32, e: &PdfError) -> Problem {
    let text = e.to_string();
    let prefix = format!("page {page}: ");
    Problem::page(
        code,
        page,
        text.strip_prefix(&prefix).unwrap_or(&text).to_string(),
    )
}

fn ocr_problem(page: u32, e: &OcrError) -> Problem {
    let code = match e {
        OcrError::EngineInit { .. } => ProblemCode::OcrUnavailable,
        _ => ProblemCode::OcrFailed,
    };
    Problem::page(code, page, e.to_string())
}

#[cfg(test)]
mod layout_tests;
#[cfg(test)]
mod tests;
