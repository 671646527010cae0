//! Prints the tables and free lines of a PDF's pages as text:
//! `dump_tables FILE [PAGE]`. A development aid for reviewing grids.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: dump_tables FILE [PAGE]")?;
    let only: Option<usize> = args.get(2).map(|s| s.parse()).transpose()?;
    let pdf = jx_pdf::PdfFile::open(std::fs::read(path)?, jx_pdf::PdfOptions::default())?;
    for i in 0..pdf.page_count() {
        if only.is_some_and(|p| p != i + 1) {
            continue;
        }
        let page = pdf.page(i)?;
        let layout = jx_grid::reconstruct(&page.content, &jx_grid::GridOptions::default());
        println!("=== page {}", layout.number);
        for l in &layout.lines {
            println!(
                "LINE y={:.1} size={:.1} {:?}",
                l.bbox.y0, l.font_size, l.text
            );
        }
        for t in &layout.tables {
            println!(
                "TABLE {}x{} y {:.1}..{:.1} cols {:?}",
                t.rows(),
                t.cols(),
                t.bbox.y0,
                t.bbox.y1,
                t.col_edges
                    .iter()
                    .map(|x| x.round() as i32)
                    .collect::<Vec<_>>()
            );
            for c in &t.cells {
                println!(
                    "  r{} c{} {}x{} {:?}{}",
                    c.row,
                    c.col,
                    c.row_span,
                    c.col_span,
                    c.text,
                    if c.overdrawn > 0 {
                        format!(" (overdrawn {})", c.overdrawn)
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    Ok(())
}
