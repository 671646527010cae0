//! One form's page: its page images with every value's box, and beside
//! them the values, repairs and warnings. Every element that stands for a
//! value carries `data-path` (its JSON path); `review.js` links elements of
//! the same or related paths both ways. A diagnostic of the whole form
//! (empty path) with a box of its own is linked by `data-diag`.

use crate::LOW_CONFIDENCE;
use crate::fields::{self, Field};
use crate::html::pct;
use crate::images::PageImage;
use askama::Template;
use jx_model::Extraction;
use jx_model::record::Provenance;
use jx_model::{Code, Diagnostic, FieldPath, FileRow, FormRecord};
use std::collections::BTreeMap;

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
    fn of(form: &FormRecord, path: &FieldPath) -> Marks {
        let prov = form.provenance.get(path);
        let warned_low = form
            .warnings
            .iter()
            .any(|w| w.kind == Code::LowOcrConfidence && w.path == *path);
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
    let mut paths: Vec<&FieldPath> = form
        .provenance
        .iter()
        .filter(|(_, p)| is_low(p))
        .map(|(k, _)| k)
        .collect();
    paths.extend(
        form.warnings
            .iter()
            .filter(|w| w.kind == Code::LowOcrConfidence)
            .map(|w| &w.path),
    );
    paths.sort_unstable();
    paths.dedup();
    paths.len()
}

/// A form's page: `assets/form.html` with what it shows. Every text is
/// printed by the template, escaped there.
#[derive(Template)]
#[template(path = "form.html")]
struct FormPage<'a> {
    source_path: &'a str,
    form_index: u32,
    project: &'a str,
    page_numbers: &'a [u32],
    extraction: &'static str,
    repairs: usize,
    warnings: usize,
    siblings: Vec<Sibling<'a>>,
    pages: Vec<PageView<'a>>,
    diagnostics: [DiagSection<'a>; 2],
    fields: Vec<FieldRow>,
    indicators: Vec<[IndicatorCell<'a>; 4]>,
}

/// A form of the same file, in the page's navigation.
enum Sibling<'a> {
    /// This page's form.
    Here(u32),
    /// A form with a page, by its href relative to this page.
    Link(u32, &'a str),
    /// A form without a page in this review.
    Absent(u32),
}

struct PageView<'a> {
    number: u32,
    shown: Shown<'a>,
}

enum Shown<'a> {
    Image(ImageView<'a>),
    Failed(&'a str),
    Missing,
}

struct ImageView<'a> {
    href: &'a str,
    width: u32,
    height: u32,
    boxes: Vec<BoxView>,
}

/// A box on a page image, placed by percentages of the page.
struct BoxView {
    class: String,
    /// The path as the contract writes it (`""` for the whole form).
    path: String,
    diag: Option<String>,
    title: String,
    left: String,
    top: String,
    width: String,
    height: String,
}

/// The repairs or the warnings.
struct DiagSection<'a> {
    /// `repair` or `warning`: classes and ids.
    kind: &'static str,
    heading: &'static str,
    items: Vec<DiagItem<'a>>,
}

struct DiagItem<'a> {
    index: usize,
    /// Whether the diagnostic has a box of its own (linked by `data-diag`).
    own_box: bool,
    /// The path as the contract writes it (`""` for the whole form).
    path: String,
    kind: &'static str,
    detail: &'a str,
    before: Option<&'a str>,
    after: Option<&'a str>,
    page: Option<u32>,
}

/// A row of the fields' table.
struct FieldRow {
    /// The marks' classes, each with a leading space.
    marks: String,
    /// Whether the value has a box.
    boxed: bool,
    path: String,
    label: String,
    value: Option<String>,
    confidence: String,
}

/// A cell of the indicators' table.
struct IndicatorCell<'a> {
    marks: String,
    path: String,
    title: String,
    value: &'a str,
}

/// The HTML of one form's page.
pub fn form_page(
    row: &FileRow,
    form: &FormRecord,
    images: &BTreeMap<u32, Result<Image, String>>,
    siblings: &[(u32, Option<String>)],
) -> String {
    let n = form.source.form_index;
    let siblings = siblings
        .iter()
        .map(|(i, href)| match href {
            Some(_) if *i == n => Sibling::Here(*i),
            Some(h) => Sibling::Link(*i, h.trim_start_matches("forms/")),
            None => Sibling::Absent(*i),
        })
        .collect();
    let page = FormPage {
        source_path: &row.path,
        form_index: n,
        project: form.project.name.as_deref().unwrap_or("(no project name)"),
        page_numbers: &form.source.pages,
        extraction: match form.source.extraction {
            Extraction::Text => "the text layer",
            Extraction::Ocr => "OCR",
            Extraction::Mixed => "the text layer and OCR",
        },
        repairs: form.repairs.len(),
        warnings: form.warnings.len(),
        siblings,
        pages: pages(form, images),
        diagnostics: [
            diagnostics("repair", "Repairs", &form.repairs),
            diagnostics("warning", "Warnings", &form.warnings),
        ],
        fields: field_rows(form),
        indicators: indicators(form),
    };
    // Rendering writes into a String and calls only the `Display` of
    // strings and numbers: it cannot fail.
    page.render().expect("a form page renders")
}

/// The page images with their boxes.
fn pages<'a>(
    form: &'a FormRecord,
    images: &'a BTreeMap<u32, Result<Image, String>>,
) -> Vec<PageView<'a>> {
    form.source
        .pages
        .iter()
        .map(|p| PageView {
            number: *p,
            shown: match images.get(p) {
                Some(Ok(img)) => Shown::Image(ImageView {
                    href: &img.href,
                    width: img.page.width_px,
                    height: img.page.height_px,
                    boxes: boxes(form, *p, &img.page),
                }),
                Some(Err(why)) => Shown::Failed(why),
                None => Shown::Missing,
            },
        })
        .collect()
}

/// A box on a page: where it is, what it stands for.
struct Boxed {
    bbox: [f64; 4],
    path: String,
    class: String,
    title: String,
    diag: Option<String>,
}

fn boxes(form: &FormRecord, page: u32, img: &PageImage) -> Vec<BoxView> {
    let mut list: Vec<Boxed> = Vec::new();
    for (path, prov) in form.provenance.iter().filter(|(_, p)| p.page == page) {
        let marks = Marks::of(form, path);
        let conf = prov
            .confidence
            .map_or(String::new(), |c| format!(" (OCR confidence {c:.2})"));
        list.push(Boxed {
            bbox: prov.bbox,
            path: path.to_string(),
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
                path: d.path_text(),
                class: format!("box own {kind}"),
                title: format!("{}: {}", d.kind, d.detail),
                diag: Some(format!("{kind}-{i}")),
            });
        }
    }
    // Larger boxes below smaller ones, so every box can be clicked.
    list.sort_by(|a, b| area(b.bbox).total_cmp(&area(a.bbox)));
    list.into_iter()
        .map(|b| {
            let [x0, y0, x1, y1] = b.bbox;
            BoxView {
                class: b.class,
                path: b.path,
                diag: b.diag,
                title: b.title,
                left: pct(x0.min(x1), img.width_pt),
                top: pct(y0.min(y1), img.height_pt),
                width: pct((x1 - x0).abs(), img.width_pt),
                height: pct((y1 - y0).abs(), img.height_pt),
            }
        })
        .collect()
}

fn area(b: [f64; 4]) -> f64 {
    ((b[2] - b[0]) * (b[3] - b[1])).abs()
}

fn close(a: [f64; 4], b: [f64; 4]) -> bool {
    a.iter().zip(b.iter()).all(|(x, y)| (x - y).abs() < 0.5)
}

fn diagnostics<'a>(
    kind: &'static str,
    heading: &'static str,
    list: &'a [Diagnostic],
) -> DiagSection<'a> {
    DiagSection {
        kind,
        heading,
        items: list
            .iter()
            .enumerate()
            .map(|(index, d)| DiagItem {
                index,
                own_box: d.bbox.is_some(),
                path: d.path_text(),
                kind: d.kind.as_str(),
                detail: &d.detail,
                before: d.before.as_deref(),
                after: d.after.as_deref(),
                page: d.page,
            })
            .collect(),
    }
}

fn confidence_text(form: &FormRecord, path: &FieldPath) -> String {
    match form.provenance.get(path).and_then(|p| p.confidence) {
        Some(c) => format!("{c:.2}"),
        None => String::new(),
    }
}

/// The fields' table: the form's scalar values, then values the record
/// places somewhere this page does not list (a newer contract), by path.
fn field_rows(form: &FormRecord) -> Vec<FieldRow> {
    let scalars = fields::scalar_fields(form);
    let listed =
        |p: &FieldPath| scalars.iter().any(|f| f.path == *p) || p.indicator_row().is_some();
    let unlisted: Vec<Field> = form
        .provenance
        .keys()
        .filter(|p| !listed(p))
        .map(|path| Field {
            path: path.clone(),
            label: path.to_string(),
            value: None,
        })
        .collect();
    scalars
        .into_iter()
        .chain(unlisted)
        .map(|f| FieldRow {
            marks: Marks::of(form, &f.path).classes(),
            boxed: form.provenance.contains_key(&f.path),
            confidence: confidence_text(form, &f.path),
            path: f.path.to_string(),
            label: f.label,
            value: f.value,
        })
        .collect()
}

fn indicators(form: &FormRecord) -> Vec<[IndicatorCell<'_>; 4]> {
    form.indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| {
            let cell = |part: &str, text| {
                let path = FieldPath::indicator(i).key(part);
                let conf = confidence_text(form, &path);
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
                    path.to_string()
                } else {
                    format!("{path} · OCR {conf}")
                };
                IndicatorCell {
                    marks: Marks::of(form, &path).classes(),
                    path: path.to_string(),
                    title,
                    value: text,
                }
            };
            [
                cell("level1", ind.level1.as_str()),
                cell("level2", ind.level2.as_str()),
                cell("name", ind.name.as_str()),
                cell("value", ind.value.text.as_str()),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Form text that looks like the old `{{slot}}` templates, like markup,
    /// and like an entity.
    const HOSTILE: &str = "{{pages}}{{title}}{{ side }} <script>alert(1)</script> & R&amp;D";
    const ESCAPED: &str =
        "{{pages}}{{title}}{{ side }} &lt;script&gt;alert(1)&lt;/script&gt; &amp; R&amp;amp;D";

    #[test]
    fn form_text_like_slots_or_markup_is_printed_once_and_escaped() {
        let mut form: FormRecord = serde_json::from_str(include_str!(
            "../../../samples/expected/printed/edu-2023-chromium/01.json"
        ))
        .unwrap();
        form.project.name = Some(HOSTILE.into());
        assert!(form.indicators.len() >= 2);
        for ind in &mut form.indicators {
            ind.name = HOSTILE.into();
        }
        form.warnings = vec![Diagnostic::new(
            Code::LowOcrConfidence,
            FieldPath::of(&["project", "name"]),
            HOSTILE,
        )];
        let row = FileRow::new("a&b {{title}}.pdf");
        let n = form.source.form_index;
        let html = form_page(
            &row,
            &form,
            &BTreeMap::new(),
            &[(n, Some(format!("forms/x-{n:02}.html")))],
        );

        let title = format!("<title>a&amp;b {{{{title}}}}.pdf — form {n}: {ESCAPED}</title>");
        assert!(html.contains(&title), "{html}");
        assert!(html.contains(&format!("<h1>{ESCAPED}</h1>")));
        assert!(html.contains(&format!("<p class=\"detail\">{ESCAPED}</p>")));
        assert!(html.contains("data-source=\"a&amp;b {{title}}.pdf\""));
        // The project name's row in the fields, every indicator name's cell.
        assert!(html.contains(&format!("<td>{ESCAPED}</td>")));
        assert_eq!(
            html.matches(&format!(">{ESCAPED}</td>")).count(),
            1 + form.indicators.len()
        );
        // Each value printed where it belongs and nowhere else: title, h1,
        // the project name's row, the warning, the indicators.
        let places = 4 + form.indicators.len();
        assert_eq!(html.matches(ESCAPED).count(), places);
        assert_eq!(html.matches("{{pages}}").count(), places);
        // {{title}} also in the file's path: title, data-source, source line.
        assert_eq!(html.matches("{{title}}").count(), places + 3);
        // No markup from the form, no slot expanded: the page's own
        // structure appears once.
        assert!(!html.contains("<script>alert"));
        assert!(!html.contains("R&amp;D"));
        for once in [
            "<!DOCTYPE html>",
            "<title>",
            "<section class=\"pages\">",
            "<aside class=\"side\">",
            "<section class=\"fields\">",
            "<script src=\"../assets/review.js\"></script>",
        ] {
            assert_eq!(html.matches(once).count(), 1, "{once}");
        }
        // The page that was not rendered says so; the warning is linked.
        assert!(html.contains("<p class=\"noimage\">The page was not rendered.</p>"));
        assert!(html.contains(
            "<li class=\"item diag warning\" id=\"warning-0\" data-path=\"project.name\">"
        ));
        assert!(html.contains("<b class=\"here\">01</b> </nav>") || n != 1);
    }
}
