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
