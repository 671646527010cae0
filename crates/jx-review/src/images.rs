//! The page images of the site: a page rendered by hayro (through jx-pdf)
//! at screen resolution, encoded as PNG — greyscale when the page has no
//! colour (most forms; a third of the bytes of RGB), RGB when it has (a red
//! seal must stay red).

use jx_model::PageRaster;
use jx_pdf::{PdfFile, PdfOptions};

/// A page rendered and encoded.
#[derive(Debug, Clone)]
pub struct PageImage {
    /// 1-based page.
    pub page: u32,
    /// The page's size in points (the unit of every box).
    pub width_pt: f64,
    pub height_pt: f64,
    /// The image's size in pixels.
    pub width_px: u32,
    pub height_px: u32,
    pub png: Vec<u8>,
}

/// Renders the wanted pages (1-based) of a PDF: [`open`], then
/// [`render_page`] for each. Untrusted bytes: the CLI calls this only inside
/// a worker process, under its time and memory limits (a page can loop for
/// minutes or exhaust memory, which no `catch_unwind` stops).
pub fn render_pages(
    bytes: Vec<u8>,
    pages: &[u32],
    dpi: f32,
) -> Vec<(u32, Result<PageImage, String>)> {
    match open(bytes) {
        Ok(file) => pages
            .iter()
            .map(|&p| (p, render_page(&file, p, dpi)))
            .collect(),
        Err(why) => pages.iter().map(|p| (*p, Err(why.clone()))).collect(),
    }
}

/// Opens a PDF for rendering; why not, in words. Never panics (hayro runs
/// under `catch_unwind`).
pub fn open(bytes: Vec<u8>) -> Result<PdfFile, String> {
    match std::panic::catch_unwind(|| PdfFile::open(bytes, PdfOptions::default())) {
        Ok(Ok(f)) => Ok(f),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the PDF reader failed on this file".to_string()),
    }
}

/// Page `p` (1-based) rendered at `dpi` and encoded; a page that cannot be
/// rendered gives the reason instead, shown on the site where its image
/// would be (the other pages are not affected). Never panics.
pub fn render_page(file: &PdfFile, p: u32, dpi: f32) -> Result<PageImage, String> {
    let index = p as usize;
    if index == 0 || index > file.page_count() {
        return Err(format!("the file has no page {p}"));
    }
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        file.render_page(index - 1, dpi)
    }));
    match rendered {
        Ok(Ok(raster)) => encode(&raster).map(|png| PageImage {
            page: p,
            width_pt: f64::from(raster.page_width),
            height_pt: f64::from(raster.page_height),
            width_px: raster.width,
            height_px: raster.height,
            png,
        }),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the PDF renderer failed on this page".to_string()),
    }
}

/// PNG bytes of a raster (1 or 3 channels), greyscale when every pixel is
/// grey.
pub fn encode(raster: &PageRaster) -> Result<Vec<u8>, String> {
    let grey: Option<Vec<u8>> = match raster.channels {
        1 => Some(raster.pixels.clone()),
        3 => raster
            .pixels
            .chunks_exact(3)
            .map(|px| (px[0] == px[1] && px[1] == px[2]).then_some(px[0]))
            .collect(),
        n => return Err(format!("a raster of {n} channels")),
    };
    let (color, data) = match &grey {
        Some(g) => (png::ColorType::Grayscale, g.as_slice()),
        None => (png::ColorType::Rgb, raster.pixels.as_slice()),
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, raster.width, raster.height);
    encoder.set_color(color);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::High);
    let mut writer = encoder.write_header().map_err(|e| e.to_string())?;
    writer.write_image_data(data).map_err(|e| e.to_string())?;
    writer.finish().map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::Rect;

    fn raster(channels: u8, pixels: Vec<u8>) -> PageRaster {
        PageRaster {
            number: 1,
            page_width: 2.0,
            page_height: 1.0,
            width: 2,
            height: 1,
            channels,
            pixels,
            frame: Rect::new(0.0, 0.0, 2.0, 1.0),
            hint_glyphs: Vec::new(),
        }
    }

    #[test]
    fn grey_pages_are_grey_pngs_and_colour_stays() {
        let grey = encode(&raster(3, vec![10, 10, 10, 200, 200, 200])).unwrap();
        let colour = encode(&raster(3, vec![200, 0, 0, 255, 255, 255])).unwrap();
        // The colour type is byte 25 of a PNG (in IHDR): 0 grey, 2 RGB.
        assert_eq!(&grey[1..4], b"PNG");
        assert_eq!(grey[25], 0);
        assert_eq!(colour[25], 2);
    }

    #[test]
    fn a_page_is_rendered_and_a_missing_one_explained() {
        let pdf = jx_pdf::testing::one_page(
            "0 0 0 rg 72 700 100 50 re f",
            &jx_pdf::testing::helvetica(),
            "",
        );
        let pages = render_pages(pdf, &[1, 2], 96.0);
        let first = pages[0].1.as_ref().unwrap();
        assert_eq!((first.width_px, first.height_px), (793, 1122));
        assert!((first.width_pt - 595.0).abs() < 0.5);
        assert!(pages[1].1.as_ref().unwrap_err().contains("no page 2"));
        let junk = render_pages(b"not a pdf".to_vec(), &[1], 96.0);
        assert!(junk[0].1.is_err());
    }
}
