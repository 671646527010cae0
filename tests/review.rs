//! The review site in a real browser: `jxingest --review` on printed
//! samples (and a file that fails), then headless Chromium opens the site
//! from disk. Checked: the DOM after the scripts ran lists every file and
//! every project, a form page lists every repair and warning of its form,
//! every image loaded and the stylesheet applied; every `src`/`href` of
//! every page resolves to a file inside `review/` and none is remote. A
//! screenshot of a form page is kept as `target/review-screenshot.png`.
//!
//! Chromium is installed by `scripts/install-deps` (Debian's `chromium`);
//! without it this test fails and says so.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where Debian installs Chromium; `JX_CHROMIUM` may name another.
const CHROMIUM: &str = "/usr/bin/chromium";

fn chromium() -> PathBuf {
    let path =
        std::env::var_os("JX_CHROMIUM").map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    assert!(
        path.is_file(),
        "Chromium is needed for the review site's browser test and was not found at {} \
         (scripts/install-deps installs Debian's chromium; JX_CHROMIUM names another)",
        path.display()
    );
    path
}

/// Runs headless Chromium on `url` with `extra` arguments (`--dump-dom`,
/// `--screenshot=…`); its stdout.
fn browse(chromium: &Path, url: &str, extra: &[&str]) -> String {
    let profile = temp_dir("review-chromium-profile");
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            // Scripts and the load event run before the DOM is dumped.
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("chromium runs");
    let _ = std::fs::remove_dir_all(&profile);
    assert!(
        out.status.success(),
        "chromium failed on {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The HTML escape the site uses (text and attributes).
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Text as a DOM dump serializes it (Chromium escapes only `&`, `<`, `>`
/// in text, and `&`, `"` in attributes).
fn dom_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Every value of `attr="…"` in `html`.
fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(&needle) {
        rest = &rest[i + needle.len()..];
        let end = rest.find('"').expect("a closed attribute");
        out.push(rest[..end].to_string());
        rest = &rest[end..];
    }
    out
}

fn html_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn attr<'a>(html: &'a str, name: &str) -> Option<&'a str> {
    let needle = format!("{name}=\"");
    let i = html.find(&needle)? + needle.len();
    html[i..].find('"').map(|end| &html[i..i + end])
}

/// The classes of the elements of `data-path="path"` that are lit (`hl`).
fn lit_classes(dom: &str, path: &str) -> Vec<String> {
    let needle = format!("data-path=\"{}\"", dom_text(path));
    let mut out = Vec::new();
    for (i, _) in dom.match_indices(&needle) {
        let tag = &dom[dom[..i].rfind('<').unwrap()..i];
        if let Some(c) = attr(tag, "class")
            && c.split(' ').any(|w| w == "hl")
        {
            out.push(c.to_string());
        }
    }
    out
}

#[test]
fn the_review_site_shows_every_project_repair_and_warning_in_a_browser() {
    let chromium = chromium();
    let input = temp_dir("review-in");
    let out = temp_dir("review-out");
    // Repairs (fake bold), warnings (funds that do not add up, hierarchy as
    // printed), two producers; and a file that fails.
    for name in [
        "health-2025-chromium-bold.pdf",
        "nongye-2021-libreoffice.pdf",
        "edu-2023-chromium.pdf",
    ] {
        std::fs::copy(root().join("samples/printed").join(name), input.join(name)).unwrap();
    }
    std::fs::write(input.join("not-a-pdf.pdf"), b"<script>alert(1)</script>").unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--review"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "the failed file makes the status 1");
    let review = out.join("review").canonicalize().unwrap();
    let manifest = read_json(&out.join("manifest.json"));
    let rows = manifest["files"].as_array().unwrap();

    // Every reference of every page resolves inside review/; none is remote.
    let pages = html_files(&review);
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        let refs: Vec<String> = ["src", "href"]
            .iter()
            .flat_map(|a| attr_values(&html, a))
            .collect();
        assert!(!refs.is_empty(), "{}", page.display());
        for r in refs {
            let lower = r.to_ascii_lowercase();
            assert!(
                !(lower.starts_with("http:")
                    || lower.starts_with("https:")
                    || lower.starts_with("//")),
                "{}: remote reference {r}",
                page.display()
            );
            let file = r.split('#').next().unwrap();
            if file.is_empty() {
                continue;
            }
            let target = page.parent().unwrap().join(file);
            let resolved = target
                .canonicalize()
                .unwrap_or_else(|e| panic!("{}: {r} is missing ({e})", page.display()));
            assert!(
                resolved.starts_with(&review) && resolved.is_file(),
                "{}: {r} is not a file of the site",
                page.display()
            );
        }
    }
    let css = std::fs::read_to_string(review.join("assets/review.css")).unwrap();
    assert!(
        !css.contains("url(") && !css.contains("@import"),
        "the stylesheet loads nothing"
    );

    // One page per form, each naming every repair and warning of its form
    // with its before/after.
    let form_pages: Vec<&PathBuf> = pages
        .iter()
        .filter(|p| p.starts_with(review.join("forms")))
        .collect();
    let forms: usize = rows
        .iter()
        .map(|r| r["forms"].as_u64().unwrap() as usize)
        .sum();
    assert!(forms >= 10, "{forms}");
    assert_eq!(form_pages.len(), forms);
    let mut most: Option<(usize, PathBuf, Value)> = None;
    let mut with_warning: Option<(PathBuf, Value)> = None;
    for page in &form_pages {
        let html = std::fs::read_to_string(page).unwrap();
        let source = attr(&html, "data-source").unwrap().replace("&amp;", "&");
        let index: usize = attr(&html, "data-form-index").unwrap().parse().unwrap();
        let row = rows.iter().find(|r| r["path"] == source.as_str()).unwrap();
        let doc = read_json(&out.join(row["outputs"][index - 1].as_str().unwrap()));
        for (kind, list) in [("repair", &doc["repairs"]), ("warning", &doc["warnings"])] {
            let list = list.as_array().unwrap();
            assert_eq!(
                html.matches(&format!("class=\"item diag {kind}\"")).count(),
                list.len(),
                "{}: {kind}s",
                page.display()
            );
            for d in list {
                for key in ["kind", "detail", "before", "after"] {
                    if let Some(s) = d[key].as_str() {
                        assert!(html.contains(&esc(s)), "{}: {key} {s}", page.display());
                    }
                }
            }
        }
        assert!(html.contains("<img src=\"../pages/"), "{}", page.display());
        let n =
            doc["repairs"].as_array().unwrap().len() + doc["warnings"].as_array().unwrap().len();
        if most.as_ref().is_none_or(|(m, _, _)| n > *m) {
            most = Some((n, page.to_path_buf(), doc.clone()));
        }
        if with_warning.is_none() && !doc["warnings"].as_array().unwrap().is_empty() {
            with_warning = Some((page.to_path_buf(), doc.clone()));
        }
    }

    // The index, as the browser has it after its script ran: every file,
    // its status, every project.
    let index_url = format!("file://{}", review.join("index.html").display());
    let dom = browse(&chromium, &index_url, &["--dump-dom"]);
    assert!(
        dom.contains("data-review-ready=\"1\""),
        "the index's script ran"
    );
    assert!(dom.contains("data-styled=\"1\""), "the stylesheet applied");
    assert!(dom.contains("id=\"only-doubts\""));
    for r in rows {
        let path = r["path"].as_str().unwrap();
        assert!(dom.contains(&dom_text(path)), "index lists {path}");
        for o in r["outputs"].as_array().unwrap() {
            let doc = read_json(&out.join(o.as_str().unwrap()));
            if let Some(name) = doc["project"]["name"].as_str() {
                assert!(dom.contains(&dom_text(name)), "index lists project {name}");
            }
        }
    }
    assert!(
        dom.contains("s-failed"),
        "the failed file is listed as failed"
    );
    assert!(!dom.contains("<script>alert"), "file names are escaped");

    // Form pages (the one with the most diagnostics, one with a warning):
    // every repair and warning in the DOM, every image loaded.
    let (_, busiest, busiest_doc) = most.unwrap();
    let (warned, warned_doc) = with_warning.expect("a form with a warning among the samples");
    for (page, doc) in [(&busiest, &busiest_doc), (&warned, &warned_doc)] {
        let url = format!("file://{}", page.display());
        let dom = browse(&chromium, &url, &["--dump-dom"]);
        assert!(dom.contains("data-review-ready=\"1\""), "{url}: script ran");
        assert!(
            dom.contains("data-broken-images=\"0\""),
            "{url}: every image loaded"
        );
        assert!(!dom.contains("data-images=\"0\""), "{url}: has images");
        assert!(
            dom.contains("data-styled=\"1\""),
            "{url}: stylesheet applied"
        );
        for d in doc["repairs"]
            .as_array()
            .unwrap()
            .iter()
            .chain(doc["warnings"].as_array().unwrap())
        {
            let detail = d["detail"].as_str().unwrap();
            assert!(dom.contains(&dom_text(detail)), "{url}: {detail}");
        }
        let boxes = dom.matches("class=\"box").count();
        assert!(boxes >= 10, "{url}: {boxes} boxes");
    }

    // The links between boxes and fields, run by the browser: a link to a
    // value lights its box on the page and its row beside it.
    let path = busiest_doc["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["path"].as_str())
        .find(|p| !p.is_empty() && busiest_doc["provenance"].get(*p).is_some())
        .expect("a repaired value with a box");
    let url = format!(
        "file://{}#{}",
        busiest.display(),
        path.replace('[', "%5B").replace(']', "%5D")
    );
    let dom = browse(&chromium, &url, &["--dump-dom"]);
    let lit = lit_classes(&dom, path);
    assert!(
        lit.iter().any(|c| c.starts_with("box "))
            && lit.iter().any(|c| c.starts_with("item field")),
        "{url}: lit {lit:?}"
    );

    // A screenshot of the busiest form page, kept for the person.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("review-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    browse(
        &chromium,
        &format!("file://{}", busiest.display()),
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,1000",
        ],
    );
    let png = std::fs::read(&shot).expect("a screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );
}
