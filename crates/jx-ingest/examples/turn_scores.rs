//! Prints, for every scanned page of the PDFs given, the recogniser's mean
//! confidence on the whole page as scanned and on the sample of cells read
//! as scanned and turned by 180°, 90° and 270°: the figures behind the
//! turn detection's thresholds (`jx_ingest::ocr`). Driven by
//! `scripts/turn-scores`.
//!
//! ```text
//! turn_scores FILE.pdf...
//! ```
//!
//! `JX_OCR_ENGINE=tesseract|ppocr|both` picks the recogniser (default
//! tesseract).

use jx_ingest::IngestOptions;
use jx_pdf::PdfFile;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = IngestOptions::default();
    if let Ok(name) = std::env::var("JX_OCR_ENGINE") {
        opts.ocr.engine = name.parse()?;
    }
    let engine = jx_ingest::recognizer(&opts)?;
    println!("file\tpage\twhole\tupright\t180\t90\t270");
    for path in std::env::args().skip(1) {
        let pdf = PdfFile::open(std::fs::read(&path)?, opts.pdf.clone())?;
        for i in 0..pdf.page_count() {
            let page = pdf.page(i)?;
            if !page.needs_ocr() {
                continue;
            }
            let raster = pdf.page_raster(i, &page)?;
            let (whole, scores) =
                jx_ingest::ocr::turn_scores(&raster, engine.as_ref(), &opts.ocr, &opts.grid)?;
            let cols: Vec<String> = scores
                .iter()
                .map(|(_, (n, c))| format!("{c:.3}/{n}"))
                .collect();
            let name = std::path::Path::new(&path)
                .file_name()
                .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
            println!("{name}\t{}\t{whole:.3}\t{}", i + 1, cols.join("\t"));
        }
    }
    Ok(())
}
