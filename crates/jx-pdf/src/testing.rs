//! Minimal PDFs built in code, for tests of this crate and of the CLI
//! (feature `testing`): a page with given content and fonts, optionally
//! rotated or cropped. Nothing here is used by the product.

/// One object of a PDF under construction: its body without `obj`/`endobj`.
pub type Object = String;

/// Builds a PDF whose objects are numbered from 1 in the order given;
/// object 1 must be the catalog. Offsets and the cross-reference table are
/// computed, so the file is valid.
pub fn build(objects: &[Object]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// A stream object holding `content`.
pub fn stream(content: &str) -> Object {
    format!(
        "<< /Length {} >>\nstream\n{content}\nendstream",
        content.len()
    )
}

/// A one-page PDF drawing `content` with font `/F1` = `font` (an object
/// body), on a page whose dictionary gets `page_extra` (e.g. `/Rotate 90`).
pub fn one_page(content: &str, font: &str, page_extra: &str) -> Vec<u8> {
    build(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {page_extra} /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        stream(content),
        font.to_string(),
    ])
}

/// [`stsong_font`] with `UniGB-UCS2-H` whose Latin characters are a third
/// of an em wide (its proportional and half-width CIDs), as fonts embedded
/// by browsers and office suites draw them: `..` then stands a third of an
/// em apart, where a fake-bold copy stands.
pub fn stsong_font_narrow_latin() -> String {
    stsong_font("UniGB-UCS2-H").replace("/DW 1000 >>", "/DW 1000 /W [1 95 333 814 939 333] >>")
}

/// A Type0 font on the non-embedded `STSong-Light` with a predefined CMap
/// (`UniGB-UCS2-H`, `GBK-EUC-H` …): what many government exporters write.
pub fn stsong_font(cmap: &str) -> String {
    format!(
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /{cmap} /DescendantFonts [<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor << /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >> /DW 1000 >>] >>"
    )
}

/// The standard Helvetica font.
pub fn helvetica() -> String {
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".into()
}

/// `s` as a hex string of the bytes given by `encode`.
pub fn hex(bytes: &[u8]) -> String {
    let h: String = bytes.iter().map(|b| format!("{b:02X}")).collect();
    format!("<{h}>")
}

/// `s` in UTF-16BE, as the `UniGB-UCS2-H` CMap of [`stsong_font`] reads it.
pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect()
}

/// Page height of [`Sheet`] pages (A4, points).
pub const PAGE_HEIGHT: f32 = 842.0;

/// One row of a ruled table drawn by [`Sheet::table`].
#[derive(Debug, Clone)]
pub struct Row {
    pub height: f32,
    /// Cells left to right: width (pt) and text; `\n` separates the lines of
    /// a wrapped cell, which are centred on the row as spreadsheet exports
    /// centre them — running over the row's borders where it is too short.
    pub cells: Vec<(f32, String)>,
    /// No rule above / below the row: a page break cut it open.
    pub open_top: bool,
    pub open_bottom: bool,
    pub size: f32,
}

impl Row {
    /// A closed row in 9 pt type.
    pub fn new(height: f32, cells: &[(f32, &str)]) -> Row {
        Row {
            height,
            cells: cells.iter().map(|(w, t)| (*w, t.to_string())).collect(),
            open_top: false,
            open_bottom: false,
            size: 9.0,
        }
    }
}

/// One page's drawing, in a top-down frame (y from the top of the page), as
/// producers lay forms out: text in `STSong-Light` (`/F1`), rules as thin
/// strokes.
#[derive(Debug, Clone, Default)]
pub struct Sheet {
    ops: String,
}

impl Sheet {
    /// Text whose em box has its top at `y_top`.
    pub fn text(&mut self, x: f32, y_top: f32, size: f32, s: &str) -> &mut Self {
        let base = PAGE_HEIGHT - y_top - 0.88 * size;
        self.ops.push_str(&format!(
            "BT /F1 {size} Tf 1 0 0 1 {x} {base} Tm {} Tj ET\n",
            hex(&utf16(s))
        ));
        self
    }

    /// Text drawn one character at a time, `pitch` pt apart (WPS spaces a
    /// title out this way).
    pub fn spaced(&mut self, x: f32, y_top: f32, size: f32, pitch: f32, s: &str) -> &mut Self {
        for (i, c) in s.chars().enumerate() {
            self.text(x + i as f32 * pitch, y_top, size, &c.to_string());
        }
        self
    }

    pub fn hline(&mut self, y: f32, x0: f32, x1: f32) -> &mut Self {
        let y = PAGE_HEIGHT - y;
        self.ops
            .push_str(&format!("0.5 w {x0} {y} m {x1} {y} l S\n"));
        self
    }

    pub fn vline(&mut self, x: f32, y0: f32, y1: f32) -> &mut Self {
        let (a, b) = (PAGE_HEIGHT - y0, PAGE_HEIGHT - y1);
        self.ops.push_str(&format!("0.5 w {x} {a} m {x} {b} l S\n"));
        self
    }

    /// Draws `rows` from (`x0`, `y0`) down; returns the bottom y.
    pub fn table(&mut self, x0: f32, y0: f32, rows: &[Row]) -> f32 {
        let mut y = y0;
        for r in rows {
            let width: f32 = r.cells.iter().map(|c| c.0).sum();
            if !r.open_top {
                self.hline(y, x0, x0 + width);
            }
            if !r.open_bottom {
                self.hline(y + r.height, x0, x0 + width);
            }
            let mut x = x0;
            self.vline(x, y, y + r.height);
            for (w, text) in &r.cells {
                let lines: Vec<&str> = text.split('\n').filter(|l| !l.is_empty()).collect();
                let pitch = 1.3 * r.size;
                let block = pitch * lines.len().saturating_sub(1) as f32 + r.size;
                let mut ty = y + 0.5 * (r.height - block);
                for l in lines {
                    self.text(x + 2.0, ty, r.size, l);
                    ty += pitch;
                }
                x += w;
                self.vline(x, y, y + r.height);
            }
            y += r.height;
        }
        y
    }
}

/// A PDF of A4 pages drawing `sheets`, all with `/F1` = [`stsong_font`]
/// (`UniGB-UCS2-H`). `pages_entry` replaces the page tree's `/Kids` and
/// `/Count` when given (to build damaged trees).
pub fn sheets_pdf(sheets: &[Sheet], pages_entry: Option<&str>) -> Vec<u8> {
    sheets_pdf_in(sheets, pages_entry, stsong_font("UniGB-UCS2-H"))
}

/// [`sheets_pdf`] with `/F1` = `font`.
pub fn sheets_pdf_in(sheets: &[Sheet], pages_entry: Option<&str>, font: Object) -> Vec<u8> {
    let n = sheets.len();
    // 1 catalog, 2 pages, 3 font, then page i at 4 + 2i, its content at 5 + 2i.
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    let mut objects: Vec<Object> = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        match pages_entry {
            Some(e) => format!("<< /Type /Pages {e} >>"),
            None => format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")),
        },
        font,
    ];
    for (i, s) in sheets.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
            5 + 2 * i
        ));
        objects.push(stream(&s.ops));
    }
    build(&objects)
}
