//! One form's page: its page images with every value's box, and beside
//! them the values, repairs and warnings. Every element that stands for a
//! value carries `data-path` (its JSON path); `review.js` links elements of
//! the same or related paths both ways. A diagnostic of the whole form
//! (empty path) with a box of its own is linked by `data-diag`.

use crate::LOW_CONFIDENCE;
use crate::fields::{self, Field};
use crate::html::{esc, fill, pct};
use crate::images::PageImage;
use jx_model::record::{Provenance, SourceExtraction};
use jx_model::{Code, Diagnostic, FileRow, FormRecord};
use std::collections::BTreeMap;
use std::fmt::Write;

const TEMPLATE: &str = include_str!("../assets/form.html");

/// A page image written to the site.
#[derive(Debug, Clone)]
pub struct Image {
    /// Relative to the form's page.
    pub href: String,
    pub page: PageImage,
}

/// How a value is marked: by the diagnostics about it and its confidence.
#[derive(Debug, Default, Clone, Copy)]
struct Marks {
    repaired: bool,
    warned: bool,
    low: bool,
}

impl Marks {
    fn of(form: &FormRecord, path: &str) -> Marks {
        let prov = form.provenance.get(path);
        let warned_low = form
            .warnings
            .iter()
            .any(|w| w.kind == Code::LowOcrConfidence && w.path == path);
        Marks {
            repaired: !fields::about(&form.repairs, path).is_empty(),
            warned: !fields::about(&form.warnings, path).is_empty(),
            low: warned_low || prov.is_some_and(is_low),
        }
    }

    fn classes(self) -> String {
        let mut c = String::new();
        for (on, name) in [
            (self.repaired, " repaired"),
            (self.warned, " warned"),
            (self.low, " low"),
        ] {
            if on {
                c.push_str(name);
            }
        }
        c
    }
}

fn is_low(p: &Provenance) -> bool {
    p.confidence.is_some_and(|c| c < LOW_CONFIDENCE)
}

/// How many of the form's values stand out as low-confidence OCR.
pub fn low_values(form: &FormRecord) -> usize {
    let mut paths: Vec<&str> = form
        .provenance
        .iter()
        .filter(|(_, p)| is_low(p))
        .map(|(k, _)| k.as_str())
        .collect();
    paths.extend(
        form.warnings
            .iter()
            .filter(|w| w.kind == Code::LowOcrConfidence)
            .map(|w| w.path.as_str()),
    );
    paths.sort_unstable();
    paths.dedup();
    paths.len()
}

/// The HTML of one form's page.
pub fn form_page(
    row: &FileRow,
    form: &FormRecord,
    images: &BTreeMap<u32, Result<Image, String>>,
    siblings: &[(u32, Option<String>)],
) -> String {
    let n = form.source.form_index;
    let title = format!(
        "{} — form {n}: {}",
        row.path,
        form.project.name.as_deref().unwrap_or("(no project name)")
    );
    let mut nav = String::new();
    for (i, href) in siblings {
        match href {
            Some(_) if *i == n => {
                let _ = write!(nav, "<b class=\"here\">{i:02}</b> ");
            }
            Some(h) => {
                let h = h.trim_start_matches("forms/");
                let _ = write!(nav, "<a href=\"{}\">{i:02}</a> ", esc(h));
            }
            None => {
                let _ = write!(
                    nav,
                    "<span class=\"absent\" title=\"no repairs or warnings: not in this review\">{i:02}</span> "
                );
            }
        }
    }
    let pages_html = pages(form, images);
    let side = side(form);
    let source = format!(
        "{} · pages {} · read from {} · {} repair(s), {} warning(s)",
        esc(&row.path),
        form.source
            .pages
            .iter()
            .map(|p| p.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        match form.source.extraction {
            SourceExtraction::Text => "the text layer",
            SourceExtraction::Ocr => "OCR",
            SourceExtraction::Mixed => "the text layer and OCR",
        },
        form.repairs.len(),
        form.warnings.len()
    );
    fill(
        TEMPLATE,
        &[
            ("title", &esc(&title)),
            ("source_path", &esc(&row.path)),
            ("form_index", &n.to_string()),
            (
                "project",
                &esc(form.project.name.as_deref().unwrap_or("(no project name)")),
            ),
            ("source", &source),
            ("nav", &nav),
            ("pages", &pages_html),
            ("side", &side),
        ],
    )
}

/// The page images with their boxes.
fn pages(form: &FormRecord, images: &BTreeMap<u32, Result<Image, String>>) -> String {
    let mut out = String::new();
    for p in &form.source.pages {
        let _ = write!(
            out,
            "<figure class=\"page\" id=\"page-{p}\"><figcaption>page {p}</figcaption>"
        );
        match images.get(p) {
            Some(Ok(img)) => {
                let _ = write!(
                    out,
                    "<div class=\"sheet\"><img src=\"{}\" width=\"{}\" height=\"{}\" alt=\"page {p}\">",
                    esc(&img.href),
                    img.page.width_px,
                    img.page.height_px
                );
                out.push_str(&boxes(form, *p, &img.page));
                out.push_str("</div>");
            }
            Some(Err(why)) => {
                let _ = write!(
                    out,
                    "<p class=\"noimage\">Page {p} could not be drawn: {}</p>",
                    esc(why)
                );
            }
            None => out.push_str("<p class=\"noimage\">The page was not rendered.</p>"),
        }
        out.push_str("</figure>");
    }
    out
}

/// A box on a page: where it is, what it stands for.
struct Boxed<'a> {
    bbox: [f64; 4],
    path: &'a str,
    class: String,
    title: String,
    diag: Option<String>,
}

fn boxes(form: &FormRecord, page: u32, img: &PageImage) -> String {
    let mut list: Vec<Boxed> = Vec::new();
    for (path, prov) in form.provenance.iter().filter(|(_, p)| p.page == page) {
        let marks = Marks::of(form, path);
        let conf = prov
            .confidence
            .map_or(String::new(), |c| format!(" (OCR confidence {c:.2})"));
        list.push(Boxed {
            bbox: prov.bbox,
            path,
            class: format!("box{}", marks.classes()),
            title: format!("{} · {path}{conf}", fields::label(path)),
            diag: None,
        });
    }
    // A diagnostic's own box, unless its value's box is the same.
    for (kind, diags) in [("repair", &form.repairs), ("warning", &form.warnings)] {
        for (i, d) in diags.iter().enumerate() {
            let (Some(p), Some(b)) = (d.page, d.bbox) else {
                continue;
            };
            if p != page {
                continue;
            }
            let same = form
                .provenance
                .get(&d.path)
                .is_some_and(|v| v.page == p && close(v.bbox, b));
            if same {
                continue;
            }
            list.push(Boxed {
                bbox: b,
                path: &d.path,
                class: format!("box own {kind}"),
                title: format!("{}: {}", d.kind, d.detail),
                diag: Some(format!("{kind}-{i}")),
            });
        }
    }
    // Larger boxes below smaller ones, so every box can be clicked.
    list.sort_by(|a, b| area(b.bbox).total_cmp(&area(a.bbox)));
    let mut out = String::new();
    for b in list {
        let [x0, y0, x1, y1] = b.bbox;
        let diag = b
            .diag
            .map_or(String::new(), |d| format!(" data-diag=\"{d}\""));
        let _ = write!(
            out,
            "<a class=\"{}\" data-path=\"{}\"{diag} title=\"{}\" style=\"left:{};top:{};width:{};height:{}\"></a>",
            b.class,
            esc(b.path),
            esc(&b.title),
            pct(x0.min(x1), img.width_pt),
            pct(y0.min(y1), img.height_pt),
            pct((x1 - x0).abs(), img.width_pt),
            pct((y1 - y0).abs(), img.height_pt),
        );
    }
    out
}

fn area(b: [f64; 4]) -> f64 {
    ((b[2] - b[0]) * (b[3] - b[1])).abs()
}

fn close(a: [f64; 4], b: [f64; 4]) -> bool {
    a.iter().zip(b.iter()).all(|(x, y)| (x - y).abs() < 0.5)
}

/// The side panel: repairs, warnings, fields, indicators.
fn side(form: &FormRecord) -> String {
    let mut out = String::new();
    diagnostics(&mut out, "repair", "Repairs", &form.repairs);
    diagnostics(&mut out, "warning", "Warnings", &form.warnings);
    out.push_str("<section class=\"fields\"><h2>Fields</h2><table><thead><tr><th>field</th><th>value</th><th>OCR</th></tr></thead><tbody>");
    let scalars = fields::scalar_fields(form);
    for f in &scalars {
        field_row(&mut out, form, f);
    }
    // Values the record places somewhere this page does not list (a newer
    // contract): shown all the same, by path.
    let listed = |p: &str| scalars.iter().any(|f| f.path == p) || p.starts_with("indicators[");
    for path in form.provenance.keys().filter(|p| !listed(p)) {
        field_row(
            &mut out,
            form,
            &Field {
                path: path.clone(),
                label: path.clone(),
                value: None,
            },
        );
    }
    out.push_str("</tbody></table></section>");
    indicators(&mut out, form);
    out
}

fn diagnostics(out: &mut String, kind: &str, heading: &str, list: &[Diagnostic]) {
    let _ = write!(
        out,
        "<section class=\"diags {kind}s\"><h2>{heading} ({})</h2>",
        list.len()
    );
    if list.is_empty() {
        out.push_str("<p class=\"none\">none</p></section>");
        return;
    }
    out.push_str("<ol>");
    for (i, d) in list.iter().enumerate() {
        let own = (d.bbox.is_some()).then(|| format!(" data-diag=\"{kind}-{i}\""));
        let _ = write!(
            out,
            "<li class=\"item diag {kind}\" id=\"{kind}-{i}\" data-path=\"{}\"{}><code class=\"kind\">{}</code> <span class=\"path\">{}</span><p class=\"detail\">{}</p>",
            esc(&d.path),
            own.unwrap_or_default(),
            esc(d.kind.as_str()),
            esc(if d.path.is_empty() {
                "(the whole form)"
            } else {
                &d.path
            }),
            esc(&d.detail),
        );
        if d.before.is_some() || d.after.is_some() {
            let _ = write!(
                out,
                "<p class=\"change\"><del>{}</del> → <ins>{}</ins></p>",
                esc(d.before.as_deref().unwrap_or("")),
                esc(d.after.as_deref().unwrap_or(""))
            );
        }
        if let Some(p) = d.page {
            let _ = write!(out, "<p class=\"where\">page {p}</p>");
        }
        out.push_str("</li>");
    }
    out.push_str("</ol></section>");
}

fn value_html(v: Option<&str>) -> String {
    match v {
        None => "<span class=\"null\">null</span>".into(),
        Some("") => "<span class=\"null\">(empty)</span>".into(),
        Some(s) => esc(s),
    }
}

fn confidence_html(form: &FormRecord, path: &str) -> String {
    match form.provenance.get(path).and_then(|p| p.confidence) {
        Some(c) => format!("{c:.2}"),
        None => String::new(),
    }
}

fn field_row(out: &mut String, form: &FormRecord, f: &Field) {
    let marks = Marks::of(form, &f.path);
    let boxed = if form.provenance.contains_key(&f.path) {
        " boxed"
    } else {
        ""
    };
    let _ = write!(
        out,
        "<tr class=\"item field{}{boxed}\" data-path=\"{}\"><th><span class=\"label\">{}</span><span class=\"path\">{}</span></th><td>{}</td><td class=\"conf\">{}</td></tr>",
        marks.classes(),
        esc(&f.path),
        esc(&f.label),
        esc(&f.path),
        value_html(f.value.as_deref()),
        confidence_html(form, &f.path)
    );
}

fn indicators(out: &mut String, form: &FormRecord) {
    let _ = write!(
        out,
        "<section class=\"indicators\"><h2>Indicators ({})</h2>",
        form.indicators.len()
    );
    if form.indicators.is_empty() {
        out.push_str("<p class=\"none\">none</p></section>");
        return;
    }
    out.push_str("<table><thead><tr><th>#</th><th>一级指标</th><th>二级指标</th><th>三级指标</th><th>指标值</th></tr></thead><tbody>");
    for (i, ind) in form.indicators.iter().enumerate() {
        let row_path = format!("indicators[{i}]");
        let _ = write!(out, "<tr><td class=\"n\">{}</td>", i + 1);
        for (part, text) in [
            ("level1", ind.level1.as_str()),
            ("level2", ind.level2.as_str()),
            ("name", ind.name.as_str()),
            ("value", ind.value.text.as_str()),
        ] {
            let path = format!("{row_path}.{part}");
            let marks = Marks::of(form, &path);
            let conf = confidence_html(form, &path);
            let title = if part == "value" {
                format!(
                    "{path} · op {} · number {} · unit {}{}",
                    ind.value.op.as_deref().unwrap_or("null"),
                    ind.value.number.as_deref().unwrap_or("null"),
                    ind.value.unit.as_deref().unwrap_or("null"),
                    if conf.is_empty() {
                        String::new()
                    } else {
                        format!(" · OCR {conf}")
                    }
                )
            } else if conf.is_empty() {
                path.clone()
            } else {
                format!("{path} · OCR {conf}")
            };
            let _ = write!(
                out,
                "<td class=\"item field{}\" data-path=\"{}\" title=\"{}\">{}</td>",
                marks.classes(),
                esc(&path),
                esc(&title),
                value_html(Some(text))
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></section>");
}
