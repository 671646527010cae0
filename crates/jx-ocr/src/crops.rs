//! Where the text is on a prepared page, engine-neutral: the ink of a cell
//! with its rules and specks cut away, the text lines outside the tables,
//! and the image of such a crop as every recogniser is fed it.

use crate::OcrFeed;
use crate::binarize::InkImage;
use crate::components::{Component, InkRun, label};
use crate::prepare::PreparedPage;
use crate::raster::GrayImage;
use jx_model::{Rect, RuleAxis};

/// Page-segmentation mode chosen for a box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// One text line: `psm 7`.
    Line,
    /// Several lines: `psm 6` (a uniform block).
    Block,
}

/// The ink to read in one box, already separated from rules and noise.
pub struct TextBlob {
    /// Runs of the kept components (page pixel coordinates).
    pub(crate) runs: Vec<InkRun>,
    /// Pixel box to crop, `[x0, x1) × [y0, y1)`.
    pub(crate) bbox: (usize, usize, usize, usize),
    pub(crate) layout: Layout,
    /// Typical text line height in pixels.
    pub(crate) text_height: usize,
    /// The kept ink's own box, unpadded, `[x0, x1) × [y0, y1)`.
    pub(crate) ink: (usize, usize, usize, usize),
}

/// Which percentile of the page's cell line heights is the page's line
/// height: an ideograph's. Cells of digits (amounts, values) are a third
/// of a form's and their characters some 0.7 of an ideograph's height, so
/// the median fell short of it (PP-OCR's one-line boxes came out 1.7–1.9
/// "lines" tall on the corpus's 100 and 150 dpi scans, measured).
const PAGE_LINE_PERCENTILE: usize = 75;

/// The text ink of each cell box: what [`cell_blob`] keeps to read, as
/// evidence beside the readings (the form layer compares it with the boxes
/// of what was read). `None` for a cell without text ink.
pub fn cell_ink(page: &PreparedPage, cells: &[Rect]) -> Vec<Option<jx_model::InkExtent>> {
    let blobs: Vec<Option<TextBlob>> = cells.iter().map(|c| cell_blob(page, c)).collect();
    let mut heights: Vec<usize> = blobs.iter().flatten().map(|b| b.text_height).collect();
    heights.sort_unstable();
    let Some(&typical) = heights.get(heights.len() * PAGE_LINE_PERCENTILE / 100) else {
        return vec![None; cells.len()];
    };
    let pt = page.points_per_pixel().1;
    blobs
        .into_iter()
        .map(|b| {
            let b = b?;
            let (x0, y0, x1, y1) = b.ink;
            Some(jx_model::InkExtent {
                bbox: page.pixel_rect_to_page(x0 as f32, y0 as f32, x1 as f32, y1 as f32),
                line_height: b.text_height as f32 * pt,
                page_line_height: typical as f32 * pt,
            })
        })
        .collect()
}

/// 3×3 dilation of a 0/1 mask.
pub(crate) fn dilate(mask: &[u8], w: usize, h: usize) -> Vec<u8> {
    let mut out = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            if mask[y * w + x] == 0 {
                continue;
            }
            for yy in y.saturating_sub(1)..(y + 2).min(h) {
                for xx in x.saturating_sub(1)..(x + 2).min(w) {
                    out[yy * w + xx] = 1;
                }
            }
        }
    }
    out
}

/// Size thresholds in pixels for a page.
pub(crate) struct Sizes {
    /// Components smaller than this (pixels) are scanner noise.
    pub(crate) speck_area: u32,
    /// A component this tall or wide is real print (a stroke, a digit), not
    /// noise; a box needs one to be read at all.
    pub(crate) significant: u32,
    /// Components up to this area (pixels) are dots: print only beside
    /// other print (a decimal point, `、`, `。`), dust when alone.
    pub(crate) dot_area: u32,
    /// How far (pixels) a dot may lie from larger print and still be print:
    /// about half the height of 10 pt text.
    pub(crate) dot_reach: u32,
}

pub(crate) fn sizes(page: &PreparedPage) -> Sizes {
    let dpi = page.dpi();
    let s = dpi / 300.0;
    Sizes {
        speck_area: ((s * s * 6.0).round() as u32).max(2),
        significant: ((2.5 * dpi / 72.0).round() as u32).max(3),
        dot_area: ((s * s * 40.0).round() as u32).max(6),
        dot_reach: ((5.0 * dpi / 72.0).round() as u32).max(4),
    }
}

/// Finds the text inside a cell: the crop is shrunk past the cell's rules,
/// rows and columns along its edges that are mostly ink (remains of a rule)
/// are masked out, and components that are noise or thin slivers of rule are
/// dropped. `None` for an empty cell.
pub(crate) fn cell_blob(page: &PreparedPage, cell: &Rect) -> Option<TextBlob> {
    let (x0, y0, x1, y1) = page.page_rect_to_pixels(cell);
    let t = page.rule_thickness_px();
    let inset = (t / 2.0).ceil() as usize + 1;
    if x1 < x0 + 2 * inset + 3 || y1 < y0 + 2 * inset + 3 {
        return None;
    }
    let (rx0, ry0, rx1, ry1) = (x0 + inset, y0 + inset, x1 - inset, y1 - inset);
    let (rw, rh) = (rx1 - rx0, ry1 - ry0);
    let ink = &page.ink;
    let band = ((t * 2.0).ceil() as usize + 2).min(rw / 3).min(rh / 3);
    let mut row_ink = vec![0usize; rh];
    let mut col_ink = vec![0usize; rw];
    let mut total = 0usize;
    for y in ry0..ry1 {
        let row = &ink.data[y * ink.width + rx0..y * ink.width + rx1];
        for (x, &v) in row.iter().enumerate() {
            if v != 0 {
                row_ink[y - ry0] += 1;
                col_ink[x] += 1;
                total += 1;
            }
        }
    }
    let s = sizes(page);
    // Fast exit: fewer ink pixels than one small character stroke.
    if total < (s.significant * 2) as usize {
        return None;
    }
    let erased_row = |y: usize| {
        let i = y - ry0;
        (i < band || i >= rh - band) && row_ink[i] * 2 > rw
    };
    let erased_col = |x: usize| {
        let i = x - rx0;
        (i < band || i >= rw - band) && col_ink[i] * 2 > rh
    };
    let (runs, comps) = label(ink, (rx0, ry0, rx1, ry1), |x, y| {
        erased_row(y) || erased_col(x)
    });
    let keep: Vec<bool> = comps
        .iter()
        .map(|c| {
            if c.area < s.speck_area {
                return false;
            }
            // Slivers of a rule along the crop edge.
            let touches_tb = c.y0 as usize <= ry0 + 1 || c.y1 as usize + 1 >= ry1;
            let touches_lr = c.x0 as usize <= rx0 + 1 || c.x1 as usize + 1 >= rx1;
            let thin = (t * 2.5).max(3.0) as u32;
            !((touches_tb && c.height() <= thin && c.width() >= 4 * c.height())
                || (touches_lr && c.width() <= thin && c.height() >= 4 * c.width()))
        })
        .collect();
    let keep = drop_lone_dots(&comps, keep, &s);
    blob_from(runs, &comps, &keep, &s, (rx0, ry0, rx1, ry1))
}

/// Drops the kept dots that have no larger kept print within
/// [`Sizes::dot_reach`]: dust on the scan, not punctuation. Left in, a
/// dust speck far from the text widens the box and adds a line to it, and
/// the recogniser then reads the text at the wrong scale (at 150 dpi the
/// specks are as large as a decimal point).
fn drop_lone_dots(comps: &[Component], mut keep: Vec<bool>, s: &Sizes) -> Vec<bool> {
    let print: Vec<&Component> = comps
        .iter()
        .zip(&keep)
        .filter(|(c, k)| **k && c.area > s.dot_area)
        .map(|(c, _)| c)
        .collect();
    let r = s.dot_reach;
    for (c, k) in comps.iter().zip(keep.iter_mut()) {
        if !*k || c.area > s.dot_area {
            continue;
        }
        let near = print
            .iter()
            .any(|p| c.x0 < p.x1 + r && p.x0 < c.x1 + r && c.y0 < p.y1 + r && p.y0 < c.y1 + r);
        *k = near;
    }
    keep
}

/// The height of a line of the kept components' text, and whether the
/// bands of the row profile (`band_height` tall, their median) each hold
/// two lines.
fn text_height_of(kept: &[&Component], band_height: usize, s: &Sizes) -> (usize, bool) {
    // Lines a little askew (a skew left over after deskewing, a line that
    // bends on the scanner's glass) overlap in the row profile and make one
    // band of two lines: the band is then far taller than the characters,
    // and reading at the band's height would shrink the text to half its
    // size. The characters' own height (the tallest tenth of the
    // components: a Chinese character is one to a few of them, a digit one)
    // says how tall a line is; a band more than 1.8 times as tall holds two.
    let mut glyph_heights: Vec<usize> = kept
        .iter()
        .filter(|c| c.height() >= s.significant)
        .map(|c| c.height() as usize)
        .collect();
    glyph_heights.sort_unstable();
    let glyph_height = glyph_heights
        .get(glyph_heights.len() * 9 / 10)
        .copied()
        .unwrap_or(band_height);
    let merged = band_height * 10 > glyph_height * 18;
    let text_height = if merged { glyph_height } else { band_height }.max(1);
    (text_height, merged)
}

/// Builds a [`TextBlob`] from the kept components: their union box (padded,
/// clamped to `limit`), the number of text lines (row profile) and the line
/// height.
fn blob_from(
    runs: Vec<InkRun>,
    comps: &[Component],
    keep: &[bool],
    s: &Sizes,
    limit: (usize, usize, usize, usize),
) -> Option<TextBlob> {
    let kept: Vec<&Component> = comps
        .iter()
        .zip(keep)
        .filter(|(_, k)| **k)
        .map(|(c, _)| c)
        .collect();
    if !kept
        .iter()
        .any(|c| c.width().max(c.height()) >= s.significant)
    {
        return None;
    }
    let x0 = kept.iter().map(|c| c.x0).min()? as usize;
    let x1 = kept.iter().map(|c| c.x1).max()? as usize;
    let y0 = kept.iter().map(|c| c.y0).min()? as usize;
    let y1 = kept.iter().map(|c| c.y1).max()? as usize;
    // Row profile of the kept ink → bands of text.
    let mut prof = vec![0u32; y1 - y0];
    let runs: Vec<InkRun> = runs.into_iter().filter(|r| keep[r.comp as usize]).collect();
    for r in &runs {
        prof[r.y as usize - y0] += r.x1 - r.x0;
    }
    let bands = text_bands(&prof);
    let tallest = bands.iter().map(|b| b.1 - b.0).max().unwrap_or(1);
    let lines: Vec<&(usize, usize)> = bands
        .iter()
        .filter(|b| (b.1 - b.0) * 5 >= tallest * 2)
        .collect();
    let mut heights: Vec<usize> = lines.iter().map(|b| b.1 - b.0).collect();
    heights.sort_unstable();
    let band_height = heights
        .get(heights.len() / 2)
        .copied()
        .unwrap_or(tallest)
        .max(1);
    let (text_height, merged) = text_height_of(&kept, band_height, s);
    let layout = if lines.len() <= 1 && !merged {
        Layout::Line
    } else {
        Layout::Block
    };
    let pad = (text_height / 4).max(2);
    let (lx0, ly0, lx1, ly1) = limit;
    let bbox = (
        x0.saturating_sub(pad).max(lx0),
        y0.saturating_sub(pad).max(ly0),
        (x1 + pad).min(lx1),
        (y1 + pad).min(ly1),
    );
    Some(TextBlob {
        runs,
        bbox,
        layout,
        text_height,
        ink: (x0, y0, x1, y1),
    })
}

/// Bands `[start, end)` of rows holding ink; bands separated by gaps smaller
/// than a fifth of the taller neighbour are one band (the strokes of 三 or 二
/// leave blank rows inside a character).
pub(crate) fn text_bands(prof: &[u32]) -> Vec<(usize, usize)> {
    let mut raw: Vec<(usize, usize)> = Vec::new();
    let mut start = None;
    for (i, &v) in prof.iter().enumerate() {
        match (v > 0, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                raw.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        raw.push((s, prof.len()));
    }
    let mut out: Vec<(usize, usize)> = Vec::new();
    for b in raw {
        if let Some(last) = out.last_mut() {
            let gap = b.0 - last.1;
            let taller = (last.1 - last.0).max(b.1 - b.0);
            if gap * 5 < taller {
                last.1 = b.1;
                continue;
            }
        }
        out.push(b);
    }
    out
}

/// How far (pixels) past a rule's drawn width its mask reaches, for the
/// rule's blurred edge. A judgment, not measured.
const RULE_MASK_MARGIN: usize = 2;

/// Outside tables, print taller than this many inches (43 pt) is no line
/// of text: a blot or a border would chain lines together. A judgment, not
/// measured.
const MAX_TEXT_INCH: f32 = 0.6;

/// A component this many times as tall as wide is a stroke of a border the
/// rule finder missed, not a character. A judgment, not measured.
const MAX_STROKE_ASPECT: u32 = 6;

/// Inside a band, a gap wider than this many band heights splits it into
/// separate pieces of text (columns of a heading, a date far right of a
/// name). A judgment, not measured.
const PIECE_GAP_HEIGHTS: u32 = 2;

/// Outside tables, a component at least this share of the page's height
/// (numerator, denominator) is a blot, not print: a scanner's edge shadow
/// or a page-sized smear would chain lines together. A judgment, not
/// measured (set with the first reading of text outside tables, caeff7f).
const BLOT_HEIGHT_SHARE: (usize, usize) = (1, 4);

/// Outside tables, a component at least this share of the page's width
/// (numerator, denominator) is a blot, not print, as for
/// [`BLOT_HEIGHT_SHARE`]. A judgment, not measured (caeff7f, with it).
const BLOT_WIDTH_SHARE: (usize, usize) = (3, 4);

/// The text lines outside the tables, as blobs to read one by one.
pub(crate) fn outside_blobs(page: &PreparedPage, tables: &[Rect]) -> Vec<TextBlob> {
    let ink: &InkImage = &page.ink;
    let (w, h) = (ink.width, ink.height);
    if w == 0 || h == 0 {
        return Vec::new();
    }
    let masked = tables_and_rules_mask(page, tables);
    let (runs, comps) = label(ink, (0, 0, w, h), |x, y| masked[y * w + x] != 0);
    drop(masked);
    let s = sizes(page);
    // Real print: not noise, not a page-sized blot, not in the strip along
    // the image edge where scanners leave platen borders and shadows.
    let [el, et, er, eb] = page.edge_margins_px().map(|m| m as u32);
    let (wu, hu) = (w as u32, h as u32);
    let ok = |c: &Component| {
        c.area >= s.speck_area
            && (c.height() as usize) < h * BLOT_HEIGHT_SHARE.0 / BLOT_HEIGHT_SHARE.1
            && (c.width() as usize) < w * BLOT_WIDTH_SHARE.0 / BLOT_WIDTH_SHARE.1
            && c.x1 > el
            && c.y1 > et
            && c.x0 + er < wu
            && c.y0 + eb < hu
    };
    let bands = line_bands(page, &comps, &ok, &s);
    // Component index per band; then split each band at wide gaps.
    let mut band_of: Vec<Option<usize>> = vec![None; comps.len()];
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); bands.len()];
    for (i, c) in comps.iter().enumerate() {
        if !ok(c) {
            continue;
        }
        let cy = (c.y0 + c.y1) as usize / 2;
        let b = bands.partition_point(|b| b.1 <= cy);
        if b < bands.len() && bands[b].0 <= cy {
            band_of[i] = Some(b);
            members[b].push(i);
        }
    }
    let mut by_comp: Vec<Vec<InkRun>> = vec![Vec::new(); comps.len()];
    for r in runs {
        if band_of[r.comp as usize].is_some() {
            by_comp[r.comp as usize].push(r);
        }
    }
    let mut blobs = Vec::new();
    for (b, mem) in members.iter_mut().enumerate() {
        let bh = (bands[b].1 - bands[b].0) as u32;
        mem.sort_by_key(|&i| comps[i].x0);
        for piece in split_at_gaps(mem, &comps, PIECE_GAP_HEIGHTS * bh) {
            if let Some(blob) = piece_blob(&piece, &comps, &mut by_comp, &s, (w, h)) {
                blobs.push(blob);
            }
        }
    }
    blobs
}

/// A 0/1 mask of the page: the tables (grown past their rules) and every
/// rule found, whose ink is no text outside the tables.
fn tables_and_rules_mask(page: &PreparedPage, tables: &[Rect]) -> Vec<u8> {
    let (w, h) = (page.ink.width, page.ink.height);
    let t = page.rule_thickness_px();
    let grow = t.ceil() as usize + RULE_MASK_MARGIN;
    let mut masked = vec![0u8; w * h];
    let mut fill = |x0: usize, y0: usize, x1: usize, y1: usize| {
        let (x1, y1) = (x1.min(w), y1.min(h));
        for y in y0.min(y1)..y1 {
            masked[y * w + x0.min(x1)..y * w + x1].fill(1);
        }
    };
    for r in tables {
        let (x0, y0, x1, y1) = page.page_rect_to_pixels(r);
        fill(
            x0.saturating_sub(grow),
            y0.saturating_sub(grow),
            x1 + grow,
            y1 + grow,
        );
    }
    let m = RULE_MASK_MARGIN;
    for r in &page.rules {
        let half = r.thickness / 2.0;
        let rect = match r.axis {
            RuleAxis::Horizontal => Rect::new(r.start, r.position - half, r.end, r.position + half),
            RuleAxis::Vertical => Rect::new(r.position - half, r.start, r.position + half, r.end),
        };
        let (x0, y0, x1, y1) = page.page_rect_to_pixels(&rect);
        fill(x0.saturating_sub(m), y0.saturating_sub(m), x1 + m, y1 + m);
    }
    masked
}

/// Lines from the vertical extent of the significant components; tall
/// thin strokes (a border the rule finder missed) and anything taller than
/// a large title would chain lines together, so they do not count here.
fn line_bands(
    page: &PreparedPage,
    comps: &[Component],
    ok: &dyn Fn(&Component) -> bool,
    s: &Sizes,
) -> Vec<(usize, usize)> {
    let max_text = (page.dpi() * MAX_TEXT_INCH) as u32;
    let mut cover = vec![0u16; page.ink.height];
    for c in comps.iter().filter(|c| {
        ok(c)
            && c.width().max(c.height()) >= s.significant
            && c.height() <= max_text
            && c.height() < MAX_STROKE_ASPECT * c.width().max(1)
    }) {
        for v in &mut cover[c.y0 as usize..c.y1 as usize] {
            *v = v.saturating_add(1);
        }
    }
    text_bands(&cover.iter().map(|&v| v as u32).collect::<Vec<_>>())
}

/// The members of one band (sorted by left edge) cut into pieces wherever
/// the next component starts more than `max_gap` pixels right of all
/// before it in its piece.
fn split_at_gaps(members: &[usize], comps: &[Component], max_gap: u32) -> Vec<Vec<usize>> {
    let mut pieces: Vec<Vec<usize>> = Vec::new();
    let mut piece: Vec<usize> = Vec::new();
    let mut right = 0u32;
    for &i in members {
        let c = &comps[i];
        if !piece.is_empty() && c.x0 > right + max_gap {
            pieces.push(std::mem::take(&mut piece));
        }
        right = if piece.is_empty() {
            c.x1
        } else {
            right.max(c.x1)
        };
        piece.push(i);
    }
    if !piece.is_empty() {
        pieces.push(piece);
    }
    pieces
}

/// One piece of a band as a blob: its components renumbered, its runs
/// taken from `by_comp`, lone dots dropped.
fn piece_blob(
    piece: &[usize],
    comps: &[Component],
    by_comp: &mut [Vec<InkRun>],
    s: &Sizes,
    (w, h): (usize, usize),
) -> Option<TextBlob> {
    let mut sub_comps = Vec::new();
    let mut sub_runs = Vec::new();
    for (k, &i) in piece.iter().enumerate() {
        sub_comps.push(comps[i]);
        for mut r in std::mem::take(&mut by_comp[i]) {
            r.comp = k as u32;
            sub_runs.push(r);
        }
    }
    let keep = drop_lone_dots(&sub_comps, vec![true; sub_comps.len()], s);
    blob_from(sub_runs, &sub_comps, &keep, s, (0, 0, w, h))
}

/// A crop as a recogniser reads it: the image (gray with only the kept ink
/// and its rim, or binary) and the 0/1 mask of the kept ink, both the size
/// of the blob's box.
pub(crate) struct Rendered {
    pub img: GrayImage,
    pub mask: Vec<u8>,
}

/// Renders a blob: the page's gray levels where there is kept ink or next
/// to it (anti-aliased stroke edges, which LSTM recognisers use) and paper
/// elsewhere, so rule remnants and specks are gone without hard binary
/// edges; or the binarized ink, black on white.
pub(crate) fn render(page: &PreparedPage, blob: &TextBlob, feed: OcrFeed) -> Rendered {
    let (bx0, by0, bx1, by1) = blob.bbox;
    let (w, h) = (bx1 - bx0, by1 - by0);
    let mut mask = vec![0u8; w * h];
    for r in &blob.runs {
        let (y, x0, x1) = (r.y as usize, r.x0 as usize, r.x1 as usize);
        if y < by0 || y >= by1 {
            continue;
        }
        let (a, b) = (x0.max(bx0), x1.min(bx1));
        if a < b {
            mask[(y - by0) * w + a - bx0..(y - by0) * w + b - bx0].fill(1);
        }
    }
    let mut img = GrayImage::white(w, h);
    match feed {
        OcrFeed::Binary => {
            for (o, &m) in img.data.iter_mut().zip(&mask) {
                if m != 0 {
                    *o = 0;
                }
            }
        }
        OcrFeed::Gray => {
            let grown = dilate(&mask, w, h);
            for y in 0..h {
                let src = &page.gray.data[(by0 + y) * page.gray.width + bx0..][..w];
                for x in 0..w {
                    if grown[y * w + x] != 0 {
                        img.data[y * w + x] = src[x];
                    }
                }
            }
        }
    }
    Rendered { img, mask }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(x0: u32, y0: u32, x1: u32, y1: u32, area: u32) -> Component {
        Component {
            x0,
            y0,
            x1,
            y1,
            area,
        }
    }

    #[test]
    fn dots_beside_print_stay_and_lone_dust_goes() {
        // 150 dpi: dots up to 10 px, reach 10 px.
        let s = Sizes {
            speck_area: 2,
            significant: 5,
            dot_area: 10,
            dot_reach: 10,
        };
        let comps = [
            comp(100, 100, 115, 116, 120), // a character
            comp(118, 112, 120, 114, 4),   // its full stop
            comp(300, 40, 302, 42, 4),     // dust far away
            comp(20, 130, 22, 132, 4),     // dust far away
        ];
        let keep = drop_lone_dots(&comps, vec![true; 4], &s);
        assert_eq!(keep, vec![true, true, false, false]);
        // A cell holding nothing but dots holds nothing.
        let keep = drop_lone_dots(&comps[1..], vec![true; 3], &s);
        assert_eq!(keep, vec![false; 3]);
    }

    /// Solid squares as components with their runs.
    fn squares(boxes: &[(u32, u32, u32)]) -> (Vec<InkRun>, Vec<Component>) {
        let mut runs = Vec::new();
        let mut comps = Vec::new();
        for (i, &(x, y, size)) in boxes.iter().enumerate() {
            for yy in y..y + size {
                runs.push(InkRun {
                    y: yy,
                    x0: x,
                    x1: x + size,
                    comp: i as u32,
                });
            }
            comps.push(comp(x, y, x + size, y + size, size * size));
        }
        (runs, comps)
    }

    #[test]
    fn two_askew_lines_in_one_band_are_read_at_their_characters_height() {
        let s = Sizes {
            speck_area: 2,
            significant: 5,
            dot_area: 10,
            dot_reach: 10,
        };
        // Two lines of 16 px characters, each falling 1 px a character, the
        // second starting 14 px under the first: their rows overlap.
        let mut boxes = Vec::new();
        for line in 0..2u32 {
            for k in 0..12u32 {
                boxes.push((k * 18, line * 14 + k, 16));
            }
        }
        let (runs, comps) = squares(&boxes);
        let keep = vec![true; comps.len()];
        let blob = blob_from(runs, &comps, &keep, &s, (0, 0, 400, 200)).unwrap();
        assert_eq!(blob.text_height, 16);
        assert_eq!(blob.layout, Layout::Block);
        // One straight line is one line at its own height.
        let (runs, comps) = squares(&(0..12u32).map(|k| (k * 18, 0, 16)).collect::<Vec<_>>());
        let blob = blob_from(runs, &comps, &[true; 12], &s, (0, 0, 400, 200)).unwrap();
        assert_eq!((blob.text_height, blob.layout), (16, Layout::Line));
    }

    #[test]
    fn bands_merge_inside_characters() {
        // 二: two strokes with a blank gap inside the character
        let mut prof = vec![0u32; 100];
        prof[10..14].fill(5);
        prof[16..20].fill(5); // gap 2 < taller/5? taller = 4 → no merge
        prof[30..70].fill(3); // a 40 px line
        prof[72..74].fill(1); // gap 2 < 40/5 → merged
        let b = text_bands(&prof);
        assert_eq!(b, vec![(10, 14), (16, 20), (30, 74)]);
    }
}
