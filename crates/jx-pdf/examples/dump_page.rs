//! Prints what the PDF layer reads from one page: `dump_page FILE PAGE`.
//! A development aid for looking at glyph boxes and rules.

use jx_pdf::{PdfFile, PdfOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (path, page) = match args.as_slice() {
        [_, p, n] => (p, n.parse::<usize>()?),
        _ => return Err("usage: dump_page FILE PAGE(1-based)".into()),
    };
    let pdf = PdfFile::open(std::fs::read(path)?, PdfOptions::default())?;
    let t = std::time::Instant::now();
    let p = pdf.page(page - 1)?;
    eprintln!("interpreted in {:?}", t.elapsed());
    let c = &p.content;
    for i in &p.images {
        println!("IMG {:?}", i);
    }
    println!(
        "page {} {}x{} glyphs {} rules {} images {} needs_ocr {}",
        c.number,
        c.width,
        c.height,
        c.glyphs.len(),
        c.rules.len(),
        p.images.len(),
        p.needs_ocr()
    );
    if p.needs_ocr() {
        let r = pdf.page_raster(page - 1, &p)?;
        let mean =
            r.pixels.iter().map(|&v| f64::from(v)).sum::<f64>() / r.pixels.len().max(1) as f64;
        println!(
            "RASTER {}x{} channels {} mean {:.1} frame {:?} dpi {:.1}",
            r.width,
            r.height,
            r.channels,
            mean,
            r.frame,
            r.dpi()
        );
    }
    for g in &c.glyphs {
        println!(
            "G {:?} [{:.1} {:.1} {:.1} {:.1}] size {:.1} inv {} over {}",
            g.text,
            g.bbox.x0,
            g.bbox.y0,
            g.bbox.x1,
            g.bbox.y1,
            g.font_size,
            g.invisible,
            g.overdrawn
        );
    }
    for r in &c.rules {
        println!(
            "R {:?} at {:.2} {:.2}..{:.2} w {:.2}",
            r.axis, r.position, r.start, r.end, r.thickness
        );
    }
    Ok(())
}
