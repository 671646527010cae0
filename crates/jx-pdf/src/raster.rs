//! The pixels of a scanned page.
//!
//! A scan is usually one image covering the page; its own pixels are used at
//! their own resolution (re-rendering would resample them). Anything else —
//! a page of several strips, a rotated or flipped image — is rendered by
//! hayro at the configured resolution.

use crate::{ExtractedPage, PdfError, PdfOptions};
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use hayro_interpret::TransformExt;
use hayro_interpret::hayro_syntax::page::Page;
use hayro_interpret::kurbo::{BezPath, Rect as KRect};
use hayro_interpret::{
    BlendMode, ClipPath, Context, Device, DrawMode, DrawProps, Image, ImageData, ImageDrawProps,
    InterpreterCache, InterpreterSettings, SoftMask, font::GlyphRun, interpret_page,
};
use jx_model::{Glyph, PageRaster, Rect};

/// Share of the page one image must cover to be taken as the page's scan.
const MIN_SCAN_COVERAGE: f32 = 0.85;

/// The page's scan image when the page is one upright image covering it.
fn scan_image(extracted: &ExtractedPage) -> Option<(usize, &crate::ImagePlacement)> {
    let page_area = extracted.content.width * extracted.content.height;
    if extracted.images.len() != 1 {
        return None;
    }
    extracted
        .images
        .iter()
        .enumerate()
        .find(|(_, i)| i.upright && i.bbox.area() >= MIN_SCAN_COVERAGE * page_area)
}

/// Refuses a raster larger than `max_image_pixels` before any pixel is
/// decoded: every image drawn on the page is decoded whole (as the scan, or
/// while rendering), and a rendering is `render_dpi` times the page size.
pub(crate) fn check_raster(
    number: u32,
    extracted: &ExtractedPage,
    opts: &PdfOptions,
) -> Result<(), PdfError> {
    let too_large = |width: u32, height: u32| PdfError::ImageTooLarge {
        page: number,
        width,
        height,
        limit: opts.max_image_pixels,
    };
    for i in &extracted.images {
        if u64::from(i.width) * u64::from(i.height) > opts.max_image_pixels {
            return Err(too_large(i.width, i.height));
        }
    }
    if scan_image(extracted).is_none() {
        let scale = opts.render_dpi / 72.0;
        let (pw, ph) = (
            (extracted.content.width * scale).round(),
            (extracted.content.height * scale).round(),
        );
        if pw > 65_535.0 || ph > 65_535.0 || (pw as u64) * (ph as u64) > opts.max_image_pixels {
            return Err(too_large(pw as u32, ph as u32));
        }
    }
    Ok(())
}

pub(crate) fn page_raster(
    page: &Page<'_>,
    number: u32,
    extracted: &ExtractedPage,
    opts: &PdfOptions,
) -> Result<PageRaster, PdfError> {
    check_raster(number, extracted, opts)?;
    let content = &extracted.content;
    let page_area = content.width * content.height;
    let hints: Vec<Glyph> = content
        .glyphs
        .iter()
        .filter(|g| g.invisible)
        .cloned()
        .collect();
    let dominant = extracted
        .images
        .iter()
        .enumerate()
        .filter(|(_, i)| i.upright && i.bbox.area() >= MIN_SCAN_COVERAGE * page_area)
        .max_by(|a, b| a.1.bbox.area().total_cmp(&b.1.bbox.area()));
    if extracted.images.len() == 1
        && let Some((index, placement)) = dominant
    {
        let declared = u64::from(placement.width) * u64::from(placement.height);
        if declared > opts.max_image_pixels {
            return Err(PdfError::ImageTooLarge {
                page: number,
                width: placement.width,
                height: placement.height,
                limit: opts.max_image_pixels,
            });
        }
        let mut device = DecodingDevice {
            wanted: index,
            seen: 0,
            decoded: None,
        };
        interpret(page, content.width, content.height, &mut device);
        if let Some((channels, w, h, pixels)) = device.decoded {
            return Ok(PageRaster {
                number,
                page_width: content.width,
                page_height: content.height,
                width: w,
                height: h,
                channels,
                pixels,
                frame: snap_to_page(placement.bbox, content.width, content.height),
                hint_glyphs: hints,
            });
        }
        // The page is this one image: rendering it without its pixels would
        // give a blank page, read as emptiness.
        return Err(PdfError::ImageDecode { page: number });
    }
    render(page, number, content.width, content.height, hints, opts)
}

/// A scan placed over the whole page, give or take a rounding of its
/// matrix (a fraction of a point), covers the page exactly: OCR crops are
/// then computed on the page's own frame, not one shifted by a pixel.
fn snap_to_page(bbox: Rect, width: f32, height: f32) -> Rect {
    const SLACK: f32 = 1.5;
    let page = Rect::new(0.0, 0.0, width, height);
    let close = (bbox.x0 - page.x0).abs() <= SLACK
        && (bbox.y0 - page.y0).abs() <= SLACK
        && (bbox.x1 - page.x1).abs() <= SLACK
        && (bbox.y1 - page.y1).abs() <= SLACK;
    if close { page } else { bbox }
}

fn interpret<'a>(page: &Page<'a>, width: f32, height: f32, device: &mut impl Device<'a>) {
    let cache = InterpreterCache::new();
    let transform = page.initial_transform(true).to_kurbo();
    let bbox = KRect::new(0.0, 0.0, f64::from(width), f64::from(height));
    let mut ctx = Context::new(
        transform,
        bbox,
        &cache,
        page.xref(),
        InterpreterSettings::default(),
    );
    interpret_page(page, &mut ctx, device);
}

pub(crate) fn render(
    page: &Page<'_>,
    number: u32,
    width: f32,
    height: f32,
    hint_glyphs: Vec<Glyph>,
    opts: &PdfOptions,
) -> Result<PageRaster, PdfError> {
    let scale = opts.render_dpi / 72.0;
    let (pw, ph) = ((width * scale).round(), (height * scale).round());
    let pixels_wanted = (pw as u64) * (ph as u64);
    if pw > 65_535.0 || ph > 65_535.0 || pixels_wanted > opts.max_image_pixels {
        return Err(PdfError::ImageTooLarge {
            page: number,
            width: pw as u32,
            height: ph as u32,
            limit: opts.max_image_pixels,
        });
    }
    let cache = RenderCache::new();
    let failed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = failed.clone();
    let settings = InterpreterSettings {
        warning_sink: std::sync::Arc::new(move |w| {
            if matches!(w, hayro_interpret::InterpreterWarning::ImageDecodeFailure) {
                flag.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }),
        ..InterpreterSettings::default()
    };
    let pixmap = hayro::render(
        page,
        &cache,
        &settings,
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: scale,
            y_scale: scale,
            bg_color: hayro::vello_cpu::color::palette::css::WHITE,
        },
    );
    if failed.load(std::sync::atomic::Ordering::Relaxed) {
        // An image of the scan is missing from the rendering.
        return Err(PdfError::ImageDecode { page: number });
    }
    let (w, h) = (u32::from(pixmap.width()), u32::from(pixmap.height()));
    let rgba = pixmap.data_as_u8_slice();
    let mut rgb = Vec::with_capacity((w * h * 3) as usize);
    for px in rgba.chunks_exact(4) {
        rgb.extend_from_slice(&px[..3]);
    }
    Ok(PageRaster {
        number,
        page_width: width,
        page_height: height,
        width: w,
        height: h,
        channels: 3,
        pixels: rgb,
        frame: Rect::new(0.0, 0.0, width, height),
        hint_glyphs,
    })
}

/// Decodes the `wanted`-th image drawn on the page.
struct DecodingDevice {
    wanted: usize,
    seen: usize,
    decoded: Option<(u8, u32, u32, Vec<u8>)>,
}

impl<'a> Device<'a> for DecodingDevice {
    fn draw_path(&mut self, _: &BezPath, _: DrawProps<'a>, _: &DrawMode) {}
    fn push_clip_path(&mut self, _: &ClipPath) {}
    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {}
    fn draw_glyph_run(&mut self, _: &GlyphRun<'_, 'a>, _: DrawProps<'a>, _: &DrawMode) {}
    fn pop_clip(&mut self) {}
    fn pop_transparency_group(&mut self) {}

    fn draw_image(&mut self, image: Image<'a, '_>, _: ImageDrawProps<'a>) {
        let index = self.seen;
        self.seen += 1;
        if index != self.wanted {
            return;
        }
        if let Image::Raster(raster) = image {
            raster.with_rgba(
                |data, _alpha| {
                    self.decoded = Some(match data {
                        ImageData::Luma(l) => (1, l.width, l.height, l.data),
                        ImageData::Rgb(c) => (3, c.width, c.height, c.data),
                    });
                },
                None,
            );
        }
    }
}
