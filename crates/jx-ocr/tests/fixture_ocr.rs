//! End to end on a real scan crop: prepare (skew, binarization, rules), then
//! Tesseract cell by cell. Needs libtesseract with the `chi_sim` language data
//! (Debian: `tesseract-ocr-chi-sim`).

use jx_model::{GlyphOrigin, PageRaster, Rect, RuleAxis};
use jx_ocr::{EngineChoice, OcrEngine, OcrOptions, PreparedPage, Recognizer, prepare};

const DPI: f32 = 300.0;

/// Paper added around the crop: it is a row of a page, and the strips along a
/// page's edges are treated as scanner borders.
const MARGIN: usize = 60;

fn load_fixture() -> (u32, u32, Vec<u8>) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cell-row-300dpi.png"
    );
    let img = image::open(path)
        .unwrap_or_else(|e| {
            panic!("the fixture image {path} (in the repository) cannot be read: {e}")
        })
        .to_luma8();
    let (w, h) = (img.width() as usize, img.height() as usize);
    let px = img.into_raw();
    let (pw, ph) = (w + 2 * MARGIN, h + 2 * MARGIN);
    let mut page = vec![255u8; pw * ph];
    for y in 0..h {
        page[(y + MARGIN) * pw + MARGIN..(y + MARGIN) * pw + MARGIN + w]
            .copy_from_slice(&px[y * w..(y + 1) * w]);
    }
    (pw as u32, ph as u32, page)
}

fn raster(w: u32, h: u32, pixels: Vec<u8>) -> PageRaster {
    let pw = w as f32 * 72.0 / DPI;
    let ph = h as f32 * 72.0 / DPI;
    PageRaster {
        number: 1,
        page_width: pw,
        page_height: ph,
        width: w,
        height: h,
        channels: 1,
        pixels,
        frame: Rect::new(0.0, 0.0, pw, ph),
        hint_glyphs: vec![],
    }
}

/// The two cells of the row, from the rules `prepare` found.
fn cells(page: &PreparedPage) -> Vec<Rect> {
    let mut ys: Vec<f32> = page
        .rules
        .iter()
        .filter(|r| r.axis == RuleAxis::Horizontal && r.length() > 100.0)
        .map(|r| r.position)
        .collect();
    let mut xs: Vec<f32> = page
        .rules
        .iter()
        .filter(|r| r.axis == RuleAxis::Vertical)
        .map(|r| r.position)
        .collect();
    ys.sort_by(f32::total_cmp);
    xs.sort_by(f32::total_cmp);
    assert_eq!(
        ys.len(),
        2,
        "horizontal rules: {:?} skew {}",
        page.rules,
        page.skew_degrees
    );
    assert_eq!(xs.len(), 3, "vertical rules: {:?}", page.rules);
    vec![
        Rect::new(xs[0], ys[0], xs[1], ys[1]),
        Rect::new(xs[1], ys[0], xs[2], ys[1]),
    ]
}

fn engine() -> OcrEngine {
    OcrEngine::new(&OcrOptions::default())
        .unwrap_or_else(|e| panic!("this test needs Tesseract's chi_sim data: {e}"))
}

fn check_row(page: &PreparedPage, eng: &dyn Recognizer) {
    let boxes = cells(page);
    let got = eng.read_cells(page, &boxes).expect("ocr");
    let text = |i: usize| got[i].iter().map(|g| g.text.as_str()).collect::<String>();
    assert_eq!(text(0).replace('：', ":"), "其中:当年财政拨款", "{got:?}");
    assert_eq!(text(1), "300,000.00", "{got:?}");
    for (cell, glyphs) in boxes.iter().zip(&got) {
        for g in glyphs {
            // Glyph boxes are in page points, inside their cell.
            assert!(
                g.bbox.x0 >= cell.x0 - 1.0 && g.bbox.x1 <= cell.x1 + 1.0,
                "{g:?} in {cell:?}"
            );
            assert!(
                g.bbox.y0 >= cell.y0 - 1.0 && g.bbox.y1 <= cell.y1 + 1.0,
                "{g:?} in {cell:?}"
            );
            match &g.origin {
                GlyphOrigin::Ocr(r) => assert!(r.confidence > 0.5, "{g:?}"),
                GlyphOrigin::TextLayer => panic!("OCR glyph marked as text layer"),
            }
        }
    }
    // Nothing outside the table.
    let table = boxes[0].union(&boxes[1]);
    let outside = eng.read_outside(page, &[table]).expect("ocr outside");
    assert!(outside.is_empty(), "{outside:?}");
}

/// PP-OCRv5 through ONNX Runtime, installed by scripts/install-deps.
#[test]
fn ppocr_reads_the_cells_of_a_scanned_row() {
    let opts = OcrOptions {
        engine: EngineChoice::PpOcr,
        ..OcrOptions::default()
    };
    let eng = jx_ocr::ppocr::PpOcr::new(&opts).unwrap_or_else(|e| {
        panic!("this test needs ONNX Runtime and PP-OCRv5 (scripts/install-deps): {e}")
    });
    let (w, h, px) = load_fixture();
    let page = prepare(&raster(w, h, px), &opts).expect("prepare");
    check_row(&page, &eng);
}

#[test]
fn reads_the_cells_of_a_scanned_row() {
    let (w, h, px) = load_fixture();
    let page = prepare(&raster(w, h, px), &OcrOptions::default()).expect("prepare");
    // The crop comes from a page skewed by about −0.5°.
    assert!(page.skew_degrees.abs() < 1.0, "skew {}", page.skew_degrees);
    check_row(&page, &engine());
}

#[test]
fn reads_the_row_after_a_further_rotation() {
    let (w, h, px) = load_fixture();
    let base = prepare(&raster(w, h, px.clone()), &OcrOptions::default()).expect("prepare");
    // Pad with paper so the rotated row stays in the image, then turn it so
    // that its lines fall 1.5° more to the right.
    let pad = 60usize;
    let (pw, ph) = (w as usize + 2 * pad, h as usize + 2 * pad);
    let mut padded = vec![255u8; pw * ph];
    for y in 0..h as usize {
        padded[(y + pad) * pw + pad..(y + pad) * pw + pad + w as usize]
            .copy_from_slice(&px[y * w as usize..(y + 1) * w as usize]);
    }
    let rotated = rotate(&padded, pw, ph, 1.5);
    let page = prepare(
        &raster(pw as u32, ph as u32, rotated),
        &OcrOptions::default(),
    )
    .expect("prepare");
    let expected = base.skew_degrees + 1.5;
    assert!(
        (page.skew_degrees - expected).abs() <= 0.2,
        "skew {} expected {expected}",
        page.skew_degrees
    );
    check_row(&page, &engine());
}

/// Bilinear rotation about the centre: lines fall by `deg` to the right.
fn rotate(src: &[u8], w: usize, h: usize, deg: f64) -> Vec<u8> {
    let (s, c) = deg.to_radians().sin_cos();
    let (cx, cy) = ((w as f64 - 1.0) / 2.0, (h as f64 - 1.0) / 2.0);
    let mut out = vec![255u8; w * h];
    for y in 0..h {
        for x in 0..w {
            // Inverse map: destination → source (rotate by −deg).
            let (dx, dy) = (x as f64 - cx, y as f64 - cy);
            let sx = cx + dx * c + dy * s;
            let sy = cy - dx * s + dy * c;
            if sx < 0.0 || sy < 0.0 || sx > (w - 1) as f64 || sy > (h - 1) as f64 {
                continue;
            }
            let (x0, y0) = (sx.floor() as usize, sy.floor() as usize);
            let (x1, y1) = ((x0 + 1).min(w - 1), (y0 + 1).min(h - 1));
            let (fx, fy) = (sx - x0 as f64, sy - y0 as f64);
            let p = |x: usize, y: usize| src[y * w + x] as f64;
            let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
            let bot = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
            out[y * w + x] = (top * (1.0 - fy) + bot * fy).round() as u8;
        }
    }
    out
}

#[test]
fn odd_pages_read_nothing_and_do_not_panic() {
    let eng = engine();
    let opts = OcrOptions::default();
    let odd_boxes = [
        Rect::new(0.0, 0.0, 50.0, 20.0),
        Rect::new(-100.0, -100.0, -50.0, -50.0),
        Rect::new(1e9, 1e9, 2e9, 2e9),
        Rect {
            x0: f32::NAN,
            y0: 0.0,
            x1: 10.0,
            y1: 10.0,
        },
        Rect {
            x0: 30.0,
            y0: 30.0,
            x1: 10.0,
            y1: 10.0,
        },
        Rect::new(5.0, 5.0, 5.0, 5.0),
    ];
    let pages = [
        raster(0, 0, vec![]),
        raster(400, 300, vec![255; 120_000]),
        raster(400, 300, vec![0; 120_000]),
        raster(1, 1, vec![0]),
    ];
    for r in &pages {
        let page = prepare(r, &opts).expect("prepare");
        let glyphs = eng.read_cells(&page, &odd_boxes).expect("cells");
        assert!(glyphs.is_empty(), "{glyphs:?}");
        let lines = eng.read_outside(&page, &[]).expect("outside");
        assert!(lines.is_empty(), "{lines:?}");
    }
}
