use jx_ingest::IngestOptions;
use jx_pdf::PdfFile;
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let opts = IngestOptions::default();
    let engine = jx_ingest::recognizer(&opts).unwrap();
    let pdf = PdfFile::open(std::fs::read(&a[1]).unwrap(), opts.pdf.clone()).unwrap();
    let i: usize = a[2].parse::<usize>().unwrap() - 1;
    let page = pdf.page(i).unwrap();
    let raster = pdf.page_raster(i, &page).unwrap();
    if std::env::var("DUMP").is_ok() {
        let p = jx_ocr::prepare(&raster, &opts.ocr).unwrap();
        dump(&p, "/tmp/page.pgm");
    }
    let r = jx_ingest::ocr::read_raster(&raster, engine.as_ref(), &opts.ocr, &opts.grid).unwrap();
    let mut gl = r.content.glyphs.clone();
    gl.sort_by(|a, b| a.bbox.y0.total_cmp(&b.bbox.y0));
    let layout = jx_grid::reconstruct(&r.content, &opts.grid);
    for t in &layout.tables {
        println!("TABLE cols {:?}", t.col_edges);
        for c in &t.cells {
            println!("  r{} c{} {:?} {:?}", c.row, c.col, c.bbox, c.text);
        }
    }
    if a.len() > 3 {
        for g in gl {
            println!("G {:?} {:?}", g.bbox, g.text);
        }
    }
}
#[allow(dead_code)]
fn dump(p: &jx_ocr::PreparedPage, path: &str) {
    use std::io::Write;
    let mut f = std::fs::File::create(path).unwrap();
    write!(f, "P5\n{} {}\n255\n", p.gray.width, p.gray.height).unwrap();
    f.write_all(&p.gray.data).unwrap();
    let mut f = std::fs::File::create(format!("{path}.ink.pgm")).unwrap();
    write!(f, "P5\n{} {}\n255\n", p.ink.width, p.ink.height).unwrap();
    let d: Vec<u8> = (0..p.ink.height)
        .flat_map(|y| (0..p.ink.width).map(move |x| (x, y)))
        .map(|(x, y)| if p.ink.is_ink(x, y) { 0 } else { 255 })
        .collect();
    f.write_all(&d).unwrap();
}
