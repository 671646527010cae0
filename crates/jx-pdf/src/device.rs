//! A hayro `Device` that records what the rest of the pipeline reads from a
//! page: glyphs with their Unicode and em box, ruling lines, and where images
//! are placed. It paints nothing.

use crate::rules::{rules_from_fill, rules_from_stroke};
use crate::unicode::clean_glyph_text;
use hayro_interpret::font::{Glyph as HGlyph, GlyphRun};
use hayro_interpret::kurbo::{Affine, BezPath, Point as KPoint, Rect as KRect, Shape};
use hayro_interpret::{
    BlendMode, ClipPath, Device, DrawMode, DrawProps, Image, ImageDrawProps, Paint, SoftMask,
};
use jx_model::{Glyph, GlyphOrigin, Rect, Rule};

/// Where an image was drawn, in page space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ImagePlacement {
    /// Bounding box of the placed image.
    pub bbox: Rect,
    /// The image's unit square maps to the page without rotation or flip:
    /// its first row is at the top, its first column at the left.
    pub upright: bool,
    /// Pixel size as declared by the image.
    pub width: u32,
    pub height: u32,
}

/// Collects glyphs, rules and image placements of one page.
#[derive(Default)]
pub(crate) struct CollectingDevice {
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
    pub images: Vec<ImagePlacement>,
    /// Glyphs whose font gave no Unicode.
    pub undecodable: usize,
    /// Fingerprint of the last filled glyph run, so that the stroke pass of a
    /// fill-and-stroke run (text render mode 2) is not recorded twice.
    last_fill_run: Option<(usize, [i64; 6])>,
    /// Calls received, and the most allowed (0: no limit).
    calls: u64,
    max_calls: u64,
}

/// The unwinding payload that stops an interpretation over its budget of
/// device calls (raised with `resume_unwind`, so no panic hook runs).
pub(crate) struct DrawBudgetExceeded;

impl CollectingDevice {
    /// A device that stops the interpretation after `max_calls` calls.
    ///
    /// hayro has no limit on work per page: form XObjects nested a dozen
    /// deep, each drawing the next ten times, ask for 10^12 draws from a
    /// 3 kB file (`tests/hostile/xobject-fanout.pdf`, which ran for minutes).
    /// Every form XObject drawn pushes a clip on the device, every path and
    /// glyph run is a call, so counting calls bounds the work of a page.
    pub(crate) fn with_budget(max_calls: u64) -> Self {
        CollectingDevice {
            max_calls,
            ..Default::default()
        }
    }

    fn tick(&mut self) {
        self.calls += 1;
        if self.max_calls > 0 && self.calls > self.max_calls {
            std::panic::resume_unwind(Box::new(DrawBudgetExceeded));
        }
    }
}

/// Nominal descent and ascent of an em box, in em. Chinese fonts put the
/// ideographic em box about 12 % below the baseline.
const DESCENT_EM: f64 = 0.12;
const ASCENT_EM: f64 = 0.88;

impl CollectingDevice {
    fn record_run(&mut self, run: &GlyphRun<'_, '_>, props: &DrawProps<'_>, invisible: bool) {
        for pg in run.glyphs() {
            let t = props.transform * pg.transform();
            let text = match pg.as_unicode() {
                Some(hayro_interpret::hayro_cmap::BfString::Char(c)) => {
                    clean_glyph_text(c.encode_utf8(&mut [0; 4]))
                }
                Some(hayro_interpret::hayro_cmap::BfString::String(s)) => clean_glyph_text(&s),
                None => {
                    self.undecodable += 1;
                    continue;
                }
            };
            if text.is_empty() {
                continue;
            }
            let advance = match &**pg {
                HGlyph::Outline(o) => o.advance_width(),
                HGlyph::Type3(t3) => t3.advance_width(),
            }
            .filter(|w| *w > 1.0)
            .map_or(1000.0, f64::from);
            // Glyph space is 1000 units per em (hayro's UNITS_PER_EM).
            let em = KRect::new(0.0, -DESCENT_EM * 1000.0, advance, ASCENT_EM * 1000.0);
            // The corners' box, as the path of the box transformed would
            // give, without building that path for every glyph.
            let b = t.transform_rect_bbox(em);
            let size = (t * KPoint::new(0.0, 1000.0) - t * KPoint::new(0.0, 0.0)).hypot();
            if !b.is_finite() || !size.is_finite() || size <= 0.0 {
                continue;
            }
            self.glyphs.push(Glyph {
                text,
                bbox: Rect::new(b.x0 as f32, b.y0 as f32, b.x1 as f32, b.y1 as f32),
                font_size: size as f32,
                invisible,
                origin: GlyphOrigin::TextLayer,
                overdrawn: 0,
            });
        }
    }
}

fn run_fingerprint(run: &GlyphRun<'_, '_>, props: &DrawProps<'_>) -> (usize, [i64; 6]) {
    let first = run
        .glyphs()
        .first()
        .map(|g| props.transform * g.transform())
        .unwrap_or(Affine::IDENTITY);
    let c = first.as_coeffs().map(|v| (v * 1000.0).round() as i64);
    (run.glyphs().len(), c)
}

/// Paint that is (nearly) white draws nothing a reader sees: a white rule is
/// no border.
fn is_invisible_paint(paint: &Paint<'_>) -> bool {
    match paint {
        Paint::Color(c) => {
            let [r, g, b, a] = c.to_rgba().components();
            a < 0.1 || (r > 0.9 && g > 0.9 && b > 0.9)
        }
        Paint::Pattern(_) => false,
    }
}

impl<'a> Device<'a> for CollectingDevice {
    fn draw_path(&mut self, path: &BezPath, props: DrawProps<'a>, draw_mode: &DrawMode) {
        self.tick();
        if is_invisible_paint(&props.paint) {
            return;
        }
        let t = props.transform;
        match draw_mode {
            DrawMode::Fill(_) => self.rules.extend(rules_from_fill(&(t * path.clone()))),
            DrawMode::Stroke(s) | DrawMode::FillAndStroke(_, s) => {
                let scale = t.determinant().abs().sqrt();
                let width = (f64::from(s.line_width) * scale).max(0.1);
                self.rules
                    .extend(rules_from_stroke(&(t * path.clone()), width as f32));
            }
            DrawMode::Invisible => {}
        }
    }

    fn push_clip_path(&mut self, _: &ClipPath) {
        self.tick();
    }

    fn push_transparency_group(&mut self, _: f32, _: Option<SoftMask<'a>>, _: BlendMode) {
        self.tick();
    }

    fn draw_glyph_run(&mut self, run: &GlyphRun<'_, 'a>, props: DrawProps<'a>, mode: &DrawMode) {
        self.tick();
        let fp = run_fingerprint(run, &props);
        match mode {
            DrawMode::Fill(_) | DrawMode::FillAndStroke(..) => {
                self.last_fill_run = Some(fp);
                self.record_run(run, &props, false);
            }
            DrawMode::Stroke(_) => {
                if self.last_fill_run.take() != Some(fp) {
                    self.record_run(run, &props, false);
                }
            }
            DrawMode::Invisible => self.record_run(run, &props, true),
        }
    }

    fn draw_image(&mut self, image: Image<'a, '_>, props: ImageDrawProps<'a>) {
        self.tick();
        // hayro's image transform maps pixel space (x right, y down from the
        // first row) to the page.
        let t = props.transform;
        let (w, h) = (f64::from(image.width()), f64::from(image.height()));
        let bbox = (t * KRect::new(0.0, 0.0, w, h).to_path(0.1)).bounding_box();
        let [a, b, c, d, _, _] = t.as_coeffs();
        let upright = b.abs() < 1e-9 && c.abs() < 1e-9 && a > 0.0 && d > 0.0;
        self.images.push(ImagePlacement {
            bbox: Rect::new(
                bbox.x0 as f32,
                bbox.y0 as f32,
                bbox.x1 as f32,
                bbox.y1 as f32,
            ),
            upright,
            width: image.width(),
            height: image.height(),
        });
    }

    fn pop_clip(&mut self) {}

    fn pop_transparency_group(&mut self) {}
}
