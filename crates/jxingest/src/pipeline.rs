//! One file through every stage: PDF → page content (text layer, or OCR
//! for image pages) → page layouts → form records. Runs inside a worker
//! process (see `worker.rs`); reports each step so the parent can tell how
//! far a file got when it has to stop it.
//!
//! Damage is contained page by page: a page that cannot be read (content
//! lost, fonts without Unicode, an absurd size, a panic inside a dependency)
//! is listed with its reason and the other pages still count; the parent then
//! calls the file `recovered`.

use jx_form::{FormOptions, SourceFile};
use jx_grid::GridOptions;
use jx_model::{Extraction, FormRecord, PageLayout};
use jx_pdf::{PdfError, PdfFile, PdfOptions};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use crate::manifest::Mode;

/// Options of every stage.
#[derive(Debug, Clone, Default)]
pub struct PipelineOptions {
    pub pdf: PdfOptions,
    pub grid: GridOptions,
    pub form: FormOptions,
}

impl PipelineOptions {
    /// A short fingerprint of the options and the program version: a file
    /// read with the same fingerprint and the same bytes gives the same
    /// output, which is what `--resume` relies on.
    pub fn fingerprint(&self) -> String {
        let text = format!("jxingest {} {self:?}", env!("CARGO_PKG_VERSION"));
        sha256_hex(text.as_bytes())[..16].to_string()
    }
}

/// A step of the work on one file.
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

/// What one file gave.
#[derive(Debug)]
pub struct FileResult {
    pub pages: usize,
    pub forms: Vec<FormRecord>,
    pub mode: Mode,
    /// Pages that needed OCR and could not get it, 1-based.
    pub unread_pages: Vec<u32>,
    /// What went wrong, page by page (the rest of the file still counts).
    pub page_errors: Vec<String>,
    /// Pages that gave nothing (lost), a subset of those in `page_errors`.
    pub pages_lost: usize,
    /// Damage to the file's structure that the reader worked around.
    pub damage: Option<String>,
}

/// Why a whole file failed.
#[derive(Debug)]
pub struct FileError(pub String);

pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs the pipeline on one file's bytes. Pages listed in `skip` (number,
/// why) are not read: they stopped an earlier attempt (see `worker.rs`).
/// `progress` is told each step before it starts.
pub fn process(
    bytes: Vec<u8>,
    rel: &str,
    sha256: &str,
    opts: &PipelineOptions,
    skip: &[(u32, String)],
    progress: &mut dyn FnMut(Step),
) -> Result<FileResult, FileError> {
    progress(Step::Open);
    let damage = jx_pdf::xref_damage(&bytes);
    let pdf = guarded(|| PdfFile::open(bytes, opts.pdf.clone()))
        .map_err(|panic| FileError(format!("internal error while opening the file: {panic}")))?
        .map_err(|e| {
            FileError(match (&e, &damage) {
                // Say why the structure could not be read.
                (PdfError::Unreadable | PdfError::NoPages, Some(d)) => format!("{e} ({d})"),
                _ => e.to_string(),
            })
        })?;
    let mut layouts: Vec<PageLayout> = Vec::with_capacity(pdf.page_count());
    let mut unread_pages = Vec::new();
    let mut page_errors = Vec::new();
    let mut pages_lost = 0;
    for i in 0..pdf.page_count() {
        let number = i as u32 + 1;
        if let Some((_, why)) = skip.iter().find(|(p, _)| *p == number) {
            page_errors.push(format!("page {number}: skipped, {why}"));
            pages_lost += 1;
            continue;
        }
        progress(Step::Page(number));
        match guarded(|| read_page(&pdf, i, opts)) {
            Err(panic) => {
                page_errors.push(format!("page {number}: internal error: {panic}"));
                pages_lost += 1;
            }
            Ok(PageRead::Lost(e)) => {
                page_errors.push(e);
                pages_lost += 1;
            }
            Ok(PageRead::NeedsOcr(e)) => {
                unread_pages.push(number);
                page_errors.push(e);
            }
            Ok(PageRead::Read(layout, note)) => {
                layouts.push(*layout);
                page_errors.extend(note);
            }
        }
    }
    progress(Step::Map);
    let source = SourceFile {
        path: rel.to_string(),
        sha256: sha256.to_string(),
    };
    let forms = guarded(|| jx_form::map(&layouts, &source, &opts.form))
        .map_err(|panic| FileError(format!("internal error while mapping forms: {panic}")))?;
    let text = layouts.iter().any(|l| l.extraction == Extraction::Text);
    let ocr = layouts.iter().any(|l| l.extraction == Extraction::Ocr);
    let mode = match (text, ocr) {
        (true, false) => Mode::Text,
        (false, true) => Mode::Ocr,
        (true, true) => Mode::Mixed,
        (false, false) => Mode::None,
    };
    Ok(FileResult {
        pages: pdf.page_count(),
        forms,
        mode,
        unread_pages,
        page_errors,
        pages_lost,
        damage,
    })
}

/// What became of one page.
enum PageRead {
    /// Read; with a note when its content was damaged but read in part.
    Read(Box<PageLayout>, Option<String>),
    /// Nothing could be read from it.
    Lost(String),
    /// An image page that needs OCR, which is not available.
    NeedsOcr(String),
}

fn read_page(pdf: &PdfFile, i: usize, opts: &PipelineOptions) -> PageRead {
    let note = match pdf.page_content_damage(i) {
        Err(e) => return PageRead::Lost(e.to_string()),
        Ok(Some(what)) => Some(format!("page {}: its content stream {what}", i + 1)),
        Ok(None) => None,
    };
    let page = match pdf.page(i) {
        Ok(p) => p,
        Err(e) => return PageRead::Lost(e.to_string()),
    };
    if page.needs_ocr() {
        // Too large to rasterize is the page's fault, not a missing OCR engine.
        if let Err(e) = pdf.check_raster(i, &page) {
            return PageRead::Lost(e.to_string());
        }
        return match crate::ocr::read_page(pdf, i, &page, &opts.grid) {
            Ok(content) => {
                PageRead::Read(Box::new(jx_grid::reconstruct(&content, &opts.grid)), note)
            }
            Err(e) => PageRead::NeedsOcr(e),
        };
    }
    PageRead::Read(
        Box::new(jx_grid::reconstruct(&page.content, &opts.grid)),
        note,
    )
}

/// Where the last panic happened, recorded by the hook that
/// [`install_panic_hook`] installs.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the default panic hook (which prints to stderr) by one that
/// records the panic's message and location for [`guarded`].
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = payload_text(info.payload());
        let text = match info.location() {
            Some(l) => format!("panic at {}:{}: {msg}", l.file(), l.line()),
            None => format!("panic: {msg}"),
        };
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(text);
        }
    }));
}

fn payload_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "unknown".into())
}

/// Runs `f`, turning a panic into its description.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|p| {
        LAST_PANIC
            .lock()
            .ok()
            .and_then(|mut l| l.take())
            .unwrap_or_else(|| format!("panic: {}", payload_text(&*p)))
            .replace('\n', " ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_pdf::testing;

    fn run(bytes: Vec<u8>, skip: &[(u32, String)]) -> (Result<FileResult, FileError>, Vec<Step>) {
        let mut steps = Vec::new();
        let r = process(
            bytes,
            "x.pdf",
            "0",
            &PipelineOptions::default(),
            skip,
            &mut |s| steps.push(s),
        );
        (r, steps)
    }

    fn two_pages(second: &str) -> Vec<u8> {
        testing::build(&[
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".into(),
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>".into(),
            format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {second} >>"),
            testing::stream("0 0 m 100 0 l S"),
            "<< /Length 10 /Filter /FlateDecode >>\nstream\nnot flate!\nendstream".into(),
        ])
    }

    #[test]
    fn every_step_is_reported_in_order() {
        let (r, steps) = run(two_pages("/Contents 5 0 R"), &[]);
        let r = r.unwrap();
        assert_eq!(r.pages, 2);
        assert_eq!(r.pages_lost, 0);
        assert!(r.damage.is_none() && r.page_errors.is_empty());
        assert_eq!(
            steps,
            vec![Step::Open, Step::Page(1), Step::Page(2), Step::Map]
        );
    }

    #[test]
    fn a_page_whose_content_is_lost_is_listed_and_the_others_count() {
        let (r, _) = run(two_pages("/Contents 9 0 R"), &[]);
        let r = r.unwrap();
        assert_eq!(r.pages_lost, 1);
        assert_eq!(r.page_errors, vec!["page 2: its content stream is missing"]);
    }

    #[test]
    fn a_damaged_content_stream_is_noted_and_the_page_kept() {
        let (r, _) = run(two_pages("/Contents 6 0 R"), &[]);
        let r = r.unwrap();
        assert_eq!(r.pages_lost, 0);
        assert_eq!(
            r.page_errors,
            vec!["page 2: its content stream is damaged and was read only as far as it goes"]
        );
    }

    #[test]
    fn skipped_pages_are_not_read_and_say_why() {
        let (r, steps) = run(
            two_pages("/Contents 5 0 R"),
            &[(1, "it stopped the reader".into())],
        );
        let r = r.unwrap();
        assert_eq!(steps, vec![Step::Open, Step::Page(2), Step::Map]);
        assert_eq!(r.pages_lost, 1);
        assert_eq!(
            r.page_errors,
            vec!["page 1: skipped, it stopped the reader"]
        );
    }

    #[test]
    fn broken_cross_references_are_reported_as_damage() {
        let mut bytes = two_pages("/Contents 5 0 R");
        let n = bytes.len();
        bytes.truncate(n - 6); // "%%EOF\n"
        let (r, _) = run(bytes, &[]);
        let r = r.unwrap();
        assert!(r.damage.unwrap().contains("cut short"));
    }

    #[test]
    fn panics_are_described_with_their_place() {
        install_panic_hook();
        let e = guarded(|| -> u32 { panic!("boom") }).unwrap_err();
        assert!(e.contains("pipeline.rs") && e.ends_with("boom"), "{e}");
    }
}
