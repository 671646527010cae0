//! Runs the OCR stage on page images and prints what it found, with timings.
//!
//! ```text
//! cargo run --release -p jx-ocr --example ocr_page -- [options] PAGE.jpg|png [...]
//!   --page WxH       page size in points (default A4 595.28x841.89); the image
//!                    is taken to cover the whole page, so its resolution
//!                    follows from its pixel size
//!   --feed binary    give Tesseract the binarized ink instead of gray
//!   --serial         read cells one after another (no rayon)
//!   --text-height N  scale boxes so text lines are N px tall (default 18)
//!   --json           one JSON object per cell/line on stdout instead of text
//!   --rules          list every rule
//!   --grid           take cell boxes from jx-grid (`frames`) and print the
//!                    cell texts `jx_grid::reconstruct` assembles from the glyphs
//!   --residual       re-estimate the skew of the deskewed page (should be ~0)
//!   --dump PREFIX    write the deskewed gray and binarized pages as PGM
//! ```
//!
//! Cell boxes normally come from jx-grid; to stay standalone this example
//! derives them with a deliberately simple grid builder (`simple_cells`):
//! elementary cells between consecutive rule positions, merged down where
//! no rule separates them. Good enough to measure OCR, not a grid layer.

use jx_model::{Glyph, GlyphOrigin, PageRaster, Rect, Rule, RuleAxis};
use jx_ocr::{OcrEngine, OcrFeed, OcrOptions, prepare};
use std::time::Instant;

fn main() {
    // First thing: OpenMP reads its limit when libtesseract is loaded.
    if let Err(e) = jx_ocr::ensure_openmp_single_thread() {
        eprintln!("warning: could not re-execute with OMP_THREAD_LIMIT=1: {e}");
    }
    let (mut pw, mut ph) = (595.28f32, 841.89f32);
    let mut opts = OcrOptions::default();
    let mut json = false;
    let mut list_rules = false;
    let mut use_grid = false;
    let mut residual = false;
    let mut dump: Option<String> = None;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--page" => {
                let v = args.next().expect("--page WxH");
                let (w, h) = v.split_once('x').expect("--page WxH");
                pw = w.parse().expect("width");
                ph = h.parse().expect("height");
            }
            "--feed" => {
                if args.next().as_deref() == Some("binary") {
                    opts.feed = OcrFeed::Binary;
                }
            }
            "--serial" => opts.parallel = false,
            "--text-height" => {
                opts.text_height_px = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--text-height N")
            }
            "--json" => json = true,
            "--rules" => list_rules = true,
            "--grid" => use_grid = true,
            "--residual" => residual = true,
            "--dump" => dump = args.next(),
            _ => files.push(a),
        }
    }
    let t0 = Instant::now();
    let engine = match OcrEngine::new(&opts) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    eprintln!(
        "engine init {:.3} s (OMP_THREAD_LIMIT={})",
        t0.elapsed().as_secs_f64(),
        std::env::var(jx_ocr::OMP_THREAD_LIMIT).unwrap_or_default()
    );
    let mut total = 0.0;
    for (i, f) in files.iter().enumerate() {
        let t_load = Instant::now();
        let raster = load(f, i as u32 + 1, pw, ph);
        let load_s = t_load.elapsed().as_secs_f64();
        let t = Instant::now();
        let page = match prepare(&raster, &opts) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{f}: {e}");
                continue;
            }
        };
        drop(raster);
        if residual {
            // Skew left after deskewing: prepare the deskewed image again.
            let again = PageRaster {
                number: page.number,
                page_width: page.page_width,
                page_height: page.page_height,
                width: page.gray.width as u32,
                height: page.gray.height as u32,
                channels: 1,
                pixels: page.gray.data.clone(),
                frame: page.frame,
                hint_glyphs: vec![],
            };
            let p2 = prepare(&again, &opts).expect("prepare again");
            eprintln!("  residual skew after deskew: {:+.2}°", p2.skew_degrees);
        }
        if let Some(prefix) = &dump {
            write_pgm(
                &format!("{prefix}{}-gray.pgm", i + 1),
                page.gray.width,
                page.gray.height,
                &page.gray.data,
            );
            let ink: Vec<u8> = page
                .ink
                .data
                .iter()
                .map(|&v| if v != 0 { 0 } else { 255 })
                .collect();
            write_pgm(
                &format!("{prefix}{}-ink.pgm", i + 1),
                page.ink.width,
                page.ink.height,
                &ink,
            );
        }
        let prep_s = t.elapsed().as_secs_f64();
        let grid_opts = jx_grid::GridOptions::default();
        let (cells, tables) = if use_grid {
            let frames = jx_grid::frames(&page.rules, &grid_opts);
            let cells = frames
                .iter()
                .flat_map(|f| f.cells.iter().map(|c| c.bbox))
                .collect();
            (cells, frames.iter().map(|f| f.bbox).collect())
        } else {
            simple_cells(&page.rules)
        };
        let t = Instant::now();
        let texts = engine
            .read_cells_grouped(&page, &cells)
            .expect("read cells");
        let cells_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let outside = engine.read_outside(&page, &tables).expect("read outside");
        let out_s = t.elapsed().as_secs_f64();
        let nh = page
            .rules
            .iter()
            .filter(|r| r.axis == RuleAxis::Horizontal)
            .count();
        let nonempty = texts.iter().filter(|g| !g.is_empty()).count();
        eprintln!(
            "{f}: {}x{} px, skew {:+.2}°, {} rules ({} h, {} v), {} coloured px, {} cells ({} with text), {} tables, {} outside lines",
            page.gray.width,
            page.gray.height,
            page.skew_degrees,
            page.rules.len(),
            nh,
            page.rules.len() - nh,
            page.coloured_pixels,
            cells.len(),
            nonempty,
            tables.len(),
            outside.len()
        );
        let page_s = prep_s + cells_s + out_s;
        eprintln!(
            "  time: load {load_s:.3} s, prepare {prep_s:.3} s, cells {cells_s:.3} s, outside {out_s:.3} s → {page_s:.3} s a page (excluding load)"
        );
        total += page_s;
        if list_rules {
            for r in &page.rules {
                println!(
                    "rule {:?} at {:.1} from {:.1} to {:.1}, {:.2} pt thick",
                    r.axis, r.position, r.start, r.end, r.thickness
                );
            }
        }
        if use_grid {
            // The whole page through the grid layer, as the CLI will do it.
            let mut glyphs: Vec<Glyph> = texts.into_iter().flatten().collect();
            glyphs.extend(outside);
            let layout = jx_grid::reconstruct(&page.to_page_content(glyphs), &grid_opts);
            for t in &layout.tables {
                for c in t.cells.iter().filter(|c| !c.text.is_empty()) {
                    emit_text(
                        json,
                        f,
                        "cell",
                        &c.bbox,
                        &c.text,
                        c.confidence.unwrap_or(1.0),
                    );
                }
            }
            for l in &layout.lines {
                emit_text(
                    json,
                    f,
                    "outside",
                    &l.bbox,
                    &l.text,
                    l.confidence.unwrap_or(1.0),
                );
            }
            continue;
        }
        for g in &outside {
            emit(json, f, "outside", &g.bbox, std::slice::from_ref(g));
        }
        for (c, g) in cells.iter().zip(&texts) {
            if !g.is_empty() {
                emit(json, f, "cell", c, g);
            }
        }
    }
    eprintln!("total {total:.3} s for {} pages", files.len());
}

fn emit(json: bool, file: &str, kind: &str, bbox: &Rect, glyphs: &[Glyph]) {
    let text: Vec<&str> = glyphs.iter().map(|g| g.text.as_str()).collect();
    let conf = glyphs
        .iter()
        .map(|g| match g.origin {
            GlyphOrigin::Ocr { confidence } => confidence,
            GlyphOrigin::TextLayer => 1.0,
        })
        .fold(1.0f32, f32::min);
    if json {
        println!(
            "{}",
            serde_json::json!({
                "file": file, "kind": kind, "bbox": bbox.rounded(),
                "text": text.join(""), "lines": text, "confidence": conf,
            })
        );
    } else {
        println!(
            "{kind} [{:.0},{:.0},{:.0},{:.0}] conf {:.2}: {}",
            bbox.x0,
            bbox.y0,
            bbox.x1,
            bbox.y1,
            conf,
            text.join(" / ")
        );
    }
}

fn emit_text(json: bool, file: &str, kind: &str, bbox: &Rect, text: &str, conf: f32) {
    if json {
        println!(
            "{}",
            serde_json::json!({
                "file": file, "kind": kind, "bbox": bbox.rounded(),
                "text": text, "lines": [text], "confidence": conf,
            })
        );
    } else {
        println!(
            "{kind} [{:.0},{:.0},{:.0},{:.0}] conf {conf:.2}: {text}",
            bbox.x0, bbox.y0, bbox.x1, bbox.y1
        );
    }
}

fn write_pgm(path: &str, w: usize, h: usize, data: &[u8]) {
    let mut out = format!("P5\n{w} {h}\n255\n").into_bytes();
    out.extend_from_slice(data);
    std::fs::write(path, out).unwrap_or_else(|e| panic!("{path}: {e}"));
}

fn load(path: &str, number: u32, pw: f32, ph: f32) -> PageRaster {
    let img = image::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (channels, width, height, pixels) = match img {
        image::DynamicImage::ImageLuma8(g) => (1u8, g.width(), g.height(), g.into_raw()),
        other => {
            let rgb = other.to_rgb8();
            (3u8, rgb.width(), rgb.height(), rgb.into_raw())
        }
    };
    PageRaster {
        number,
        page_width: pw,
        page_height: ph,
        width,
        height,
        channels,
        pixels,
        frame: Rect::new(0.0, 0.0, pw, ph),
        hint_glyphs: vec![],
    }
}

/// A minimal grid builder for this example (jx-grid does the real work):
/// returns cell boxes and table boxes.
fn simple_cells(rules: &[Rule]) -> (Vec<Rect>, Vec<Rect>) {
    let tol = 3.0f32;
    let hs: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.axis == RuleAxis::Horizontal)
        .collect();
    let vs: Vec<&Rule> = rules
        .iter()
        .filter(|r| r.axis == RuleAxis::Vertical)
        .collect();
    let levels = |rs: &[&Rule]| {
        let mut p: Vec<f32> = rs.iter().map(|r| r.position).collect();
        p.sort_by(f32::total_cmp);
        let mut out: Vec<f32> = Vec::new();
        for v in p {
            if out.last().is_none_or(|l| v - l > tol) {
                out.push(v);
            }
        }
        out
    };
    let ys = levels(&hs);
    let covers = |rs: &[&Rule], pos: f32, at: f32| {
        rs.iter()
            .any(|r| (r.position - pos).abs() <= tol && r.start - tol <= at && at <= r.end + tol)
    };
    // Elementary cells per band.
    let mut cells: Vec<Rect> = Vec::new();
    for w in ys.windows(2) {
        let (y0, y1) = (w[0], w[1]);
        let mid = (y0 + y1) / 2.0;
        let mut xs: Vec<f32> = vs
            .iter()
            .filter(|r| r.start - tol <= mid && mid <= r.end + tol)
            .map(|r| r.position)
            .collect();
        xs.sort_by(f32::total_cmp);
        xs.dedup_by(|a, b| (*a - *b).abs() <= tol);
        for xw in xs.windows(2) {
            let cx = (xw[0] + xw[1]) / 2.0;
            if !covers(&hs, y0, cx) {
                // No rule on top: continues the cell above, if any.
                if let Some(c) = cells.iter_mut().rev().find(|c| {
                    (c.x0 - xw[0]).abs() <= tol
                        && (c.x1 - xw[1]).abs() <= tol
                        && (c.y1 - y0).abs() <= tol
                }) {
                    c.y1 = y1;
                }
                continue;
            }
            cells.push(Rect::new(xw[0], y0, xw[1], y1));
        }
    }
    // Tables: cells touching each other.
    let mut tables: Vec<Rect> = Vec::new();
    for c in &cells {
        match tables
            .iter_mut()
            .find(|t| c.y0 <= t.y1 + tol && c.y1 >= t.y0 - tol && c.x_overlap(t) > 0.0)
        {
            Some(t) => *t = t.union(c),
            None => tables.push(*c),
        }
    }
    (cells, tables)
}
