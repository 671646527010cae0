//! The review site's page images, drawn in a worker process: a PDF's bytes
//! are untrusted however they are used, and one page can keep the renderer
//! busy for minutes or exhaust memory (`tests/hostile.rs` has such a page),
//! so the page images are drawn under the same limits as reading — behind
//! the same walls, by the same worker program.
//!
//! The protocol: [`Order::Render`]; the worker answers [`Step::Open`], then
//! for each page [`Step::Page`] and [`Reply::Drawn`], then
//! [`Reply::Rendered`]. A page that stops its worker (no answer within
//! `--timeout`, a crash, out of memory) is given up with why, and the pages
//! after it are drawn by a new worker.

use super::{Line, Order, Reply, Slot, TOTAL_FACTOR, emit, read_input};
use jx_ingest::Step;
use jx_review::{PageImage, PageRenderer, RenderJob};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Instant;

/// Parent → worker: draw these pages of this file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RenderRequest {
    pub path: PathBuf,
    /// The file's SHA-256 when it was read: a file changed since is not
    /// drawn.
    pub sha256: Option<String>,
    pub pages: Vec<u32>,
    pub dpi: f32,
}

/// Worker → parent: one page drawn, or why not.
#[derive(Debug, Serialize, Deserialize)]
pub struct Drawn {
    pub page: u32,
    pub result: Result<WireImage, String>,
}

/// A [`PageImage`] on the pipe: the PNG in hex (JSON has no bytes; hex is
/// twice the size, a number array four times).
#[derive(Debug, Serialize, Deserialize)]
pub struct WireImage {
    pub width_pt: f64,
    pub height_pt: f64,
    pub width_px: u32,
    pub height_px: u32,
    pub png_hex: String,
}

// ------------------------------------------------------------ worker side

/// Draws the pages of `req`, answering as it goes.
pub(super) fn render_file(req: &RenderRequest) {
    emit(&Reply::Step(Step::Open));
    let opened = read_input(&req.path).and_then(|bytes| {
        let sha = jx_ingest::sha256_hex(&bytes);
        if req.sha256.as_ref().is_some_and(|want| *want != sha) {
            return Err("the file changed since it was read".to_string());
        }
        jx_review::open(bytes)
    });
    for &page in &req.pages {
        emit(&Reply::Step(Step::Page(page)));
        let result = match &opened {
            Ok(file) => jx_review::render_page(file, page, req.dpi).map(|img| to_wire(&img)),
            Err(why) => Err(why.clone()),
        };
        emit(&Reply::Drawn(Drawn { page, result }));
    }
    emit(&Reply::Rendered);
}

fn to_wire(img: &PageImage) -> WireImage {
    WireImage {
        width_pt: img.width_pt,
        height_pt: img.height_pt,
        width_px: img.width_px,
        height_px: img.height_px,
        png_hex: img.png.iter().map(|b| format!("{b:02x}")).collect(),
    }
}

fn from_wire(page: u32, w: WireImage) -> Result<PageImage, String> {
    let garbled = || "the worker sent a garbled image".to_string();
    let hex = w.png_hex.as_bytes();
    if !hex.len().is_multiple_of(2) {
        return Err(garbled());
    }
    let png = hex
        .chunks_exact(2)
        .map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|s| u8::from_str_radix(s, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(garbled)?;
    Ok(PageImage {
        page,
        width_pt: w.width_pt,
        height_pt: w.height_pt,
        width_px: w.width_px,
        height_px: w.height_px,
        png,
    })
}

// ------------------------------------------------------------ parent side

/// Page images, by page: each drawn, or why not.
type Images = BTreeMap<u32, Result<PageImage, String>>;

/// Why a worker stopped drawing: the step it was at, and the reason.
struct Stopped {
    step: Step,
    why: String,
}

impl Slot {
    /// Draws `req`'s pages in a worker, within the limits: a page that
    /// stops its worker is given up (its entry says why) and the rest are
    /// drawn by a new worker; every page gets an entry. A file gets
    /// [`TOTAL_FACTOR`] × `--timeout` in all, as for reading.
    pub fn render(&mut self, req: &RenderRequest) -> Images {
        let file_deadline = Instant::now() + self.limits.timeout * TOTAL_FACTOR;
        let mut images = Images::new();
        loop {
            let left: Vec<u32> = req
                .pages
                .iter()
                .copied()
                .filter(|p| !images.contains_key(p))
                .collect();
            if left.is_empty() {
                return images;
            }
            let order = Order::Render(RenderRequest {
                pages: left.clone(),
                ..req.clone()
            });
            let Err(stopped) = self.render_some(&order, file_deadline, &mut images) else {
                return images;
            };
            match stopped.step {
                Step::Page(p) if Instant::now() < file_deadline => {
                    images.insert(p, Err(format!("stopped: {}", stopped.why)));
                }
                step => {
                    let why = format!("stopped: {} while {}", stopped.why, describe(step));
                    for p in left {
                        images.entry(p).or_insert_with(|| Err(why.clone()));
                    }
                    return images;
                }
            }
        }
    }

    /// One worker's go at `order`, its pages put into `images` as they
    /// come; `Err` when the worker was stopped or died.
    fn render_some(
        &mut self,
        order: &Order,
        file_deadline: Instant,
        images: &mut Images,
    ) -> Result<(), Stopped> {
        let w = self.ready_worker(order).map_err(|s| Stopped {
            step: Step::Open,
            why: s.0.detail,
        })?;
        let timeout = self.limits.timeout;
        let mut step = Step::Open;
        let mut step_deadline = Instant::now() + timeout;
        loop {
            let wait = step_deadline
                .min(file_deadline)
                .saturating_duration_since(Instant::now());
            match w.replies.recv_timeout(wait) {
                Ok(Line::Reply(Reply::Step(s))) => step = s,
                Ok(Line::Reply(Reply::Drawn(d))) => {
                    let result = d.result.and_then(|img| from_wire(d.page, img));
                    images.insert(d.page, result);
                }
                Ok(Line::Reply(Reply::Rendered)) => {
                    self.worker = Some(w);
                    return Ok(());
                }
                // Not an answer to this order.
                Ok(Line::Reply(Reply::Done(_))) => {}
                Ok(Line::Eof) | Err(RecvTimeoutError::Disconnected) => {
                    let why = w.death(&self.limits);
                    return Err(Stopped { step, why });
                }
                Err(RecvTimeoutError::Timeout) => {
                    w.kill();
                    let why = timed_out(timeout, Instant::now() >= file_deadline);
                    return Err(Stopped { step, why });
                }
            }
            step_deadline = Instant::now() + timeout;
        }
    }
}

fn timed_out(timeout: std::time::Duration, in_all: bool) -> String {
    if in_all {
        format!(
            "timed out ({} s in all)",
            (timeout * TOTAL_FACTOR).as_secs()
        )
    } else {
        format!("timed out (no progress for {} s)", timeout.as_secs())
    }
}

/// A step of drawing, in words.
fn describe(step: Step) -> String {
    match step {
        Step::Page(n) => format!("drawing page {n}"),
        Step::Open | Step::Map => "opening the file".into(),
    }
}

/// The review site's renderer: a worker of its own, kept across files.
pub struct WorkerRenderer {
    slot: Slot,
}

impl WorkerRenderer {
    pub fn new(slot: Slot) -> WorkerRenderer {
        WorkerRenderer { slot }
    }
}

impl PageRenderer for WorkerRenderer {
    fn render(&mut self, job: &RenderJob<'_>) -> Images {
        self.slot.render(&RenderRequest {
            path: job.path.to_path_buf(),
            sha256: job.sha256.map(str::to_string),
            pages: job.pages.to_vec(),
            dpi: job.dpi,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_cross_the_pipe_unchanged() {
        let img = PageImage {
            page: 3,
            width_pt: 595.3,
            height_pt: 841.9,
            width_px: 793,
            height_px: 1122,
            png: vec![0x89, b'P', 0, 255, 16],
        };
        let text = serde_json::to_string(&to_wire(&img)).unwrap();
        let back = from_wire(3, serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(back.png, img.png);
        assert_eq!((back.width_px, back.height_pt), (793, 841.9));
        let bad = WireImage {
            png_hex: "0g".into(),
            ..to_wire(&img)
        };
        assert!(from_wire(3, bad).is_err());
    }
}
