//! The cost of a scanned page, side by side in one run: for every page of
//! the PDFs given, the CPU time the product spends on it (interpretation,
//! OCR chain, as `jx_ingest::ingest` reads it, timed between its page
//! steps) and the CPU time of a plain full-page Tesseract read of the same
//! page image (`chi_sim`, psm 6). Prints a line per page and the ratios of
//! form pages and of pages without a form (issue 7, item 7). Driven by
//! `scripts/bench`; run it on one core (`OMP_THREAD_LIMIT=1
//! RAYON_NUM_THREADS=1`) so CPU time is one core's work.
//!
//! ```text
//! scan_cost FILE.pdf...
//! ```
//!
//! `JX_OCR_ENGINE=tesseract|ppocr|both` picks the product's recogniser
//! (default: the product's default); `JX_SECOND_LOOK=always|ppocr-first|
//! tesseract-first` which cells the second engine of `both` reads.

use jx_ingest::{IngestOptions, Ocr, SourceFile, Step};
use jx_model::PageRole;
use jx_pdf::PdfFile;

/// CPU seconds this process has used (user + system), from
/// `/proc/self/stat`: clock ticks, 10 ms, fine against pages of 0.1–2 s.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in brackets and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // utime and stime are fields 14 and 15 of the line, 12 and 13 here.
    (ticks(11) + ticks(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = IngestOptions::default();
    if let Ok(name) = std::env::var("JX_OCR_ENGINE") {
        opts.ocr.engine = name.parse()?;
    }
    if let Ok(name) = std::env::var("JX_SECOND_LOOK") {
        opts.ocr.second_look = match name.as_str() {
            "always" => jx_ocr::SecondLook::Always,
            "ppocr-first" => jx_ocr::SecondLook::PpOcrFirst,
            "tesseract-first" => jx_ocr::SecondLook::TesseractFirst,
            other => return Err(format!("JX_SECOND_LOOK={other}?").into()),
        };
    }
    let engine = jx_ingest::recognizer(&opts)?;
    let tesseract = jx_ocr::OcrEngine::new(&opts.ocr)?;
    println!("file\tpage\trole\tproduct_s\ttesseract_psm6_s");
    let (mut form, mut other) = ((0.0, 0.0), (0.0, 0.0));
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path)?;
        let source = SourceFile {
            path: path.clone(),
            sha256: jx_ingest::sha256_hex(&bytes),
        };
        // CPU time at each step: a page costs until the next step starts.
        let mut marks: Vec<(Step, f64)> = Vec::new();
        let report = jx_ingest::ingest(
            bytes.clone(),
            &source,
            &opts,
            Ocr::Available(engine.as_ref()),
            &[],
            &mut |s| marks.push((s, cpu_seconds())),
        )?;
        marks.push((Step::Map, cpu_seconds()));
        let pdf = PdfFile::open(bytes, opts.pdf.clone())?;
        for w in marks.windows(2) {
            let Step::Page(n) = w[0].0 else { continue };
            let product = w[1].1 - w[0].1;
            let i = n as usize - 1;
            let extracted = pdf.page(i)?;
            if !extracted.needs_ocr() {
                continue;
            }
            let raster = pdf.page_raster(i, &extracted)?;
            let t0 = cpu_seconds();
            tesseract.read_whole_page(&raster)?;
            let plain = cpu_seconds() - t0;
            let role = report.page_roles.get(i).copied().unwrap_or(PageRole::Other);
            let sum = if role == PageRole::Form {
                &mut form
            } else {
                &mut other
            };
            sum.0 += product;
            sum.1 += plain;
            println!("{path}\t{n}\t{role:?}\t{product:.2}\t{plain:.2}");
        }
    }
    let ratio = |(p, t): (f64, f64)| if t > 0.0 { p / t } else { f64::NAN };
    println!(
        "form pages: {:.1} s against {:.1} s for full-page Tesseract: ratio {:.2} (aim ≤ 0.5)",
        form.0,
        form.1,
        ratio(form)
    );
    println!(
        "pages without a form: {:.1} s against {:.1} s: ratio {:.2} (aim ≤ 0.1)",
        other.0,
        other.1,
        ratio(other)
    );
    Ok(())
}
