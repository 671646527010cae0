//! The review site: `OUT/review/`, a folder of plain HTML pages that opens
//! from disk in any browser and fetches nothing from the network, so an
//! archivist can check every value, repair and warning against the page
//! it was read from.
//!
//! * `index.html`: every input file (status, forms, repairs and warnings
//!   counted), each form by its project name, with a filter to only what
//!   has doubts;
//! * `forms/<key>-NN.html`: one page per form — the form's page images with
//!   each value's box from `provenance` outlined (repairs, warnings and
//!   low-confidence OCR values in their own colours), and beside them the
//!   fields and indicators as read, each repair with its before/after and
//!   each warning with its detail, linked both ways by `assets/review.js`;
//! * `pages/<key>/pNNN.png`: the page images, rendered once per file.
//!
//! `<key>` is a hash of the input's relative path: stable across runs and
//! safe in any URL, whatever the file is called. One HTML file per form
//! keeps a large run usable; [`Selection::Doubtful`] writes only the forms
//! with repairs or warnings.
//!
//! It is a [`Sink`]: the run pushes each finished file, and the site has
//! its pages drawn from the source PDF (the sink is given the input root)
//! by the [`PageRenderer`] it was handed. The site never renders itself: a
//! PDF's bytes are untrusted, and the CLI's renderer draws them in a worker
//! process under the same time and memory limits as reading. The site is
//! made anew on every run (carried-over files are fed too).

mod fields;
mod html;
mod images;
mod index;
mod page;

use jx_model::{FileRow, FormRecord, Manifest, Verification};
use jx_sink::atomic::write_atomic;
use jx_sink::{FileOutput, Sink, SinkError};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use images::{PageImage, encode, open, render_page, render_pages};

/// The site's folder under the output folder (a reserved name of
/// [`jx_sink::layout`]).
pub const DIR: &str = "review";

/// Resolution of the page images: a page at the size a screen shows it,
/// small enough that a run of thousands of forms stays on disk.
pub const DPI: f32 = 96.0;

/// Below this OCR confidence a value stands out even without a warning.
pub const LOW_CONFIDENCE: f64 = 0.5;

const CSS: &str = include_str!("../assets/review.css");
const JS: &str = include_str!("../assets/review.js");

/// Which forms get a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    /// Every form.
    All,
    /// Only forms with repairs or warnings (every file is still listed).
    Doubtful,
}

impl std::str::FromStr for Selection {
    type Err = String;
    fn from_str(s: &str) -> Result<Selection, String> {
        match s {
            "all" => Ok(Selection::All),
            "doubtful" => Ok(Selection::Doubtful),
            other => Err(format!("`{other}`: expected all or doubtful")),
        }
    }
}

/// What a [`PageRenderer`] is asked: some pages of one input file.
#[derive(Debug, Clone, Copy)]
pub struct RenderJob<'a> {
    /// The input file.
    pub path: &'a Path,
    /// Its SHA-256 when it was read (hex): a file changed since is not
    /// drawn, its images would not match the values shown.
    pub sha256: Option<&'a str>,
    /// 1-based, sorted, distinct.
    pub pages: &'a [u32],
    pub dpi: f32,
}

/// Draws the site's page images: each page asked for, or why it could not
/// be drawn (shown in the page where its image would be). Handed to the site
/// by its caller, so that untrusted bytes are rendered where the caller
/// chooses (the CLI: a worker process), never by the site itself.
pub trait PageRenderer {
    fn render(&mut self, job: &RenderJob<'_>) -> BTreeMap<u32, Result<PageImage, String>>;
}

impl<F> PageRenderer for F
where
    F: FnMut(&RenderJob<'_>) -> BTreeMap<u32, Result<PageImage, String>>,
{
    fn render(&mut self, job: &RenderJob<'_>) -> BTreeMap<u32, Result<PageImage, String>> {
        self(job)
    }
}

/// What the index says of one form.
#[derive(Debug, Clone)]
struct FormEntry {
    index: u32,
    project: Option<String>,
    repairs: usize,
    warnings: usize,
    low: usize,
    /// How far a person settled its doubts, and how many are left.
    verification: Verification,
    doubts_left: usize,
    /// Its page, relative to the site's root, if one was written.
    href: Option<String>,
}

/// The review site being written.
pub struct ReviewSite {
    root: PathBuf,
    input_root: PathBuf,
    selection: Selection,
    files: BTreeMap<String, Vec<FormEntry>>,
    pages_written: usize,
    renderer: Box<dyn PageRenderer>,
}

impl ReviewSite {
    /// Starts the site under `out/review/`, removing an earlier run's site,
    /// for PDFs found under `input_root` (what rows' paths are relative
    /// to), whose page images `renderer` draws.
    pub fn create(
        out: &Path,
        input_root: impl Into<PathBuf>,
        selection: Selection,
        renderer: Box<dyn PageRenderer>,
    ) -> Result<ReviewSite, SinkError> {
        let root = out.join(DIR);
        if std::fs::symlink_metadata(&root).is_ok() {
            let removed = if root.is_dir() && !root.is_symlink() {
                std::fs::remove_dir_all(&root)
            } else {
                std::fs::remove_file(&root)
            };
            removed.map_err(|e| SinkError::io(&root, e))?;
        }
        let assets = root.join("assets");
        for (name, text) in [("review.css", CSS), ("review.js", JS)] {
            let path = assets.join(name);
            write_atomic(&path, text.as_bytes()).map_err(|e| SinkError::io(&path, e))?;
        }
        Ok(ReviewSite {
            root,
            input_root: input_root.into(),
            selection,
            files: BTreeMap::new(),
            pages_written: 0,
            renderer,
        })
    }

    /// `OUT/review/index.html`.
    pub fn index_path(&self) -> PathBuf {
        self.root.join("index.html")
    }

    /// Form pages written so far.
    pub fn pages_written(&self) -> usize {
        self.pages_written
    }

    fn wanted(&self, form: &FormRecord) -> bool {
        match self.selection {
            Selection::All => true,
            Selection::Doubtful => !form.repairs.is_empty() || !form.warnings.is_empty(),
        }
    }

    fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), SinkError> {
        let path = self.root.join(rel);
        write_atomic(&path, bytes).map_err(|e| SinkError::io(&path, e))
    }

    /// The images of the pages the chosen forms occupy, written once each.
    fn page_images(
        &mut self,
        row: &FileRow,
        forms: &[&FormRecord],
    ) -> Result<BTreeMap<u32, Result<page::Image, String>>, SinkError> {
        let mut wanted: Vec<u32> = forms
            .iter()
            .flat_map(|f| f.source.pages.iter().copied())
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        let source = self.input_root.join(&row.path);
        let rendered = self.renderer.render(&RenderJob {
            path: &source,
            sha256: row.sha256.as_deref(),
            pages: &wanted,
            dpi: DPI,
        });
        let mut out = BTreeMap::new();
        for (p, r) in rendered {
            let image = match r {
                Ok(img) => {
                    let rel = page_image(&row.path, p);
                    self.write(&rel, &img.png)?;
                    Ok(page::Image {
                        href: format!("../{rel}"),
                        page: img,
                    })
                }
                Err(e) => Err(e),
            };
            out.insert(p, image);
        }
        Ok(out)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the image of page `page` of the input `rel` is, relative to the
/// site's folder: `pages/<key>/pNNN.png`.
pub fn page_image(rel: &str, page: u32) -> String {
    format!("pages/{}/p{page:03}.png", key(rel))
}

/// A file's key in the site's paths: stable, URL-safe, distinct per path.
pub fn key(rel: &str) -> String {
    hex(&Sha256::digest(rel.as_bytes())[..8])
}

impl Sink for ReviewSite {
    fn describe(&self) -> String {
        format!("review site {}", self.root.display())
    }

    fn file(&mut self, file: &FileOutput<'_>) -> Result<(), SinkError> {
        let row = file.row;
        let key = key(&row.path);
        let chosen: Vec<&FormRecord> = file.forms.iter().filter(|f| self.wanted(f)).collect();
        let images = if chosen.is_empty() {
            BTreeMap::new()
        } else {
            self.page_images(row, &chosen)?
        };
        let siblings: Vec<(u32, Option<String>)> = file
            .forms
            .iter()
            .map(|f| {
                let href = self.wanted(f).then(|| form_href(&key, f.source.form_index));
                (f.source.form_index, href)
            })
            .collect();
        let mut entries = Vec::new();
        for form in file.forms {
            let href = self
                .wanted(form)
                .then(|| form_href(&key, form.source.form_index));
            if let Some(h) = &href {
                let html = page::form_page(row, form, &images, &siblings);
                self.write(h, html.as_bytes())?;
                self.pages_written += 1;
            }
            entries.push(FormEntry {
                index: form.source.form_index,
                project: form.project.name.clone(),
                repairs: form.repairs.len(),
                warnings: form.warnings.len(),
                low: page::low_values(form),
                verification: form.verification.unwrap_or(Verification::Unverified),
                doubts_left: jx_form::verdict::doubts_left(form).len(),
                href,
            });
        }
        self.files.insert(row.path.clone(), entries);
        Ok(())
    }

    fn finish(&mut self, manifest: &Manifest) -> Result<(), SinkError> {
        let html = index::index_page(manifest, &self.files, self.selection);
        self.write("index.html", html.as_bytes())
    }
}

/// A form's page, relative to the site's root.
fn form_href(key: &str, form_index: u32) -> String {
    format!("forms/{key}-{form_index:02}.html")
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::record::Provenance;
    use jx_model::{Code, Diagnostic, FieldPath, Status};

    /// A form record of the samples, as the pipeline writes it.
    fn sample_form() -> FormRecord {
        serde_json::from_str(include_str!(
            "../../../samples/expected/printed/edu-2023-chromium/01.json"
        ))
        .unwrap()
    }

    /// A renderer in this process: the test's own trusted PDF.
    fn in_test_process() -> Box<dyn PageRenderer> {
        Box::new(|job: &RenderJob<'_>| {
            let bytes = std::fs::read(job.path).unwrap();
            render_pages(bytes, job.pages, job.dpi)
                .into_iter()
                .collect::<BTreeMap<_, _>>()
        })
    }

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("jx-review-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_file_gets_page_images_form_pages_and_an_index_with_text_escaped() {
        let input = temp("in");
        let out = temp("out");
        let pdf = jx_pdf::testing::one_page(
            "0 0 0 rg 72 700 100 50 re f",
            &jx_pdf::testing::helvetica(),
            "",
        );
        std::fs::write(input.join("a&b.pdf"), &pdf).unwrap();
        let mut row = FileRow::new("a&b.pdf");
        row.sha256 = Some(hex(&Sha256::digest(&pdf)));
        row.status = Status::Ok;
        row.forms = 2;
        let mut hostile = sample_form();
        hostile.source.pages = vec![1];
        hostile.project.name = Some("<img src=x onerror=alert(1)>".into());
        hostile.provenance.insert(
            FieldPath::of(&["project", "name"]),
            Provenance {
                page: 1,
                bbox: [72.0, 92.0, 172.0, 142.0],
                confidence: Some(0.2),
            },
        );
        hostile.repairs = vec![
            Diagnostic::new(
                Code::LabelSnapped,
                FieldPath::root(),
                "a label \"</li><script>\"",
            )
            .change("<b>", "&")
            .at(1, [10.0, 10.0, 50.0, 20.0]),
        ];
        hostile.warnings = vec![Diagnostic::new(
            Code::LowOcrConfidence,
            FieldPath::of(&["project", "name"]),
            "OCR confidence 0.20",
        )];
        let mut clean = sample_form();
        clean.source.form_index = 2;
        clean.source.pages = vec![1];
        clean.repairs.clear();
        clean.warnings.clear();
        let forms = vec![hostile, clean];

        let mut site =
            ReviewSite::create(&out, &input, Selection::Doubtful, in_test_process()).unwrap();
        site.file(&FileOutput {
            row: &row,
            forms: &forms,
            carried: false,
        })
        .unwrap();
        let manifest = Manifest {
            tool: "jxingest".into(),
            version: "0".into(),
            options: String::new(),
            files: vec![row],
        };
        site.finish(&manifest).unwrap();
        // Only the doubtful form has a page; the page image is there once.
        assert_eq!(site.pages_written(), 1);
        let key = key("a&b.pdf");
        let png = std::fs::read(out.join(format!("review/pages/{key}/p001.png"))).unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        let page =
            std::fs::read_to_string(out.join(format!("review/forms/{key}-01.html"))).unwrap();
        assert!(!out.join(format!("review/forms/{key}-02.html")).exists());
        assert!(!page.contains("<img src=x") && !page.contains("<script>"));
        assert!(page.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(page.contains("<del>&lt;b&gt;</del> → <ins>&amp;</ins>"));
        // The value's box: where provenance says, marked warned and low.
        assert!(page.contains("class=\"box warned low\" data-path=\"project.name\""));
        assert!(page.contains("left:12.101%;top:10.926%;width:16.807%;height:5.938%"));
        // The form-level repair has a box of its own, linked to its entry.
        assert!(page.contains("class=\"box own repair\" data-path=\"\" data-diag=\"repair-0\""));
        assert!(page.contains("id=\"repair-0\" data-path=\"\" data-diag=\"repair-0\""));
        let index = std::fs::read_to_string(out.join("review/index.html")).unwrap();
        assert!(index.contains("a&amp;b.pdf"));
        assert!(index.contains(&format!("href=\"forms/{key}-01.html\"")));
        assert!(index.contains("class=\"form-link absent\""));
        assert!(out.join("review/assets/review.js").is_file());

        // A new site replaces the old one.
        let again = ReviewSite::create(&out, &input, Selection::All, in_test_process()).unwrap();
        assert!(!out.join("review/index.html").exists());
        drop(again);
    }

    #[test]
    fn a_page_the_renderer_could_not_draw_says_why_in_the_form_page() {
        let input = temp("undrawn-in");
        let out = temp("undrawn-out");
        let failing = Box::new(|job: &RenderJob<'_>| {
            job.pages
                .iter()
                .map(|p| (*p, Err("stopped: timed out (<2 s>)".to_string())))
                .collect::<BTreeMap<_, _>>()
        });
        let mut site = ReviewSite::create(&out, &input, Selection::All, failing).unwrap();
        let mut row = FileRow::new("x.pdf");
        row.status = Status::Ok;
        let mut form = sample_form();
        form.source.pages = vec![1];
        site.file(&FileOutput {
            row: &row,
            forms: &[form],
            carried: false,
        })
        .unwrap();
        let page =
            std::fs::read_to_string(out.join(format!("review/forms/{}-01.html", key("x.pdf"))))
                .unwrap();
        assert!(page.contains("Page 1 could not be drawn: stopped: timed out (&lt;2 s&gt;)"));
    }

    #[test]
    fn selection_parses() {
        assert_eq!("all".parse::<Selection>(), Ok(Selection::All));
        assert_eq!("doubtful".parse::<Selection>(), Ok(Selection::Doubtful));
        assert!("some".parse::<Selection>().is_err());
    }
}
