use super::*;
use jx_model::Rect;
use jx_ocr::OcrEngine;
use jx_pdf::testing;

fn run(
    bytes: Vec<u8>,
    skip: &[SkipPage],
    ocr: Ocr<'_>,
) -> (Result<FileReport, FileError>, Vec<Step>) {
    let mut steps = Vec::new();
    let source = SourceFile {
        path: "x.pdf".into(),
        sha256: "0".into(),
    };
    let r = ingest(
        bytes,
        &source,
        &IngestOptions::default(),
        ocr,
        skip,
        &mut |s| steps.push(s),
    );
    (r, steps)
}

const NO_OCR: Ocr<'static> = Ocr::Unavailable("no engine in this test");

fn two_pages(second: &str) -> Vec<u8> {
    testing::build(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R >>".into(),
        format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] {second} >>"),
        testing::stream("0 0 m 100 0 l S"),
        "<< /Length 10 /Filter /FlateDecode >>\nstream\nnot flate!\nendstream".into(),
    ])
}

fn reason(r: &FileReport) -> Option<String> {
    let mut row = FileRow::new("x.pdf");
    r.fill_row(&mut row);
    row.reason
}

#[test]
fn every_step_is_reported_in_order() {
    let (r, steps) = run(two_pages("/Contents 5 0 R"), &[], NO_OCR);
    let r = r.unwrap();
    assert_eq!(r.pages, 2);
    assert!(r.problems.is_empty());
    assert_eq!(r.status(), Status::NoForms);
    // A stray line and no text: nothing to read on either page.
    assert_eq!(r.page_roles, vec![PageRole::Blank, PageRole::Blank]);
    assert_eq!(
        steps,
        vec![Step::Open, Step::Page(1), Step::Page(2), Step::Map]
    );
}

#[test]
fn a_page_whose_content_is_lost_is_listed_and_the_others_count() {
    let (r, _) = run(two_pages("/Contents 9 0 R"), &[], NO_OCR);
    let r = r.unwrap();
    assert_eq!(r.page_roles[1], PageRole::Unreadable);
    assert_eq!(r.problems[0].code, ProblemCode::PageLost);
    assert_eq!(r.status(), Status::Recovered);
    assert_eq!(
        reason(&r).as_deref(),
        Some("page 2: its content stream is missing")
    );
}

#[test]
fn a_damaged_content_stream_is_noted_and_the_page_kept() {
    let (r, _) = run(two_pages("/Contents 6 0 R"), &[], NO_OCR);
    let r = r.unwrap();
    assert_ne!(r.page_roles[1], PageRole::Unreadable);
    assert_eq!(r.problems[0].code, ProblemCode::ContentDamaged);
    assert_eq!(
        reason(&r).as_deref(),
        Some("page 2: its content stream is damaged and was read only as far as it goes")
    );
}

#[test]
fn skipped_pages_are_not_read_and_say_why() {
    let skip = [SkipPage {
        page: 1,
        why: "stopped: it stopped the reader".into(),
    }];
    let (r, steps) = run(two_pages("/Contents 5 0 R"), &skip, NO_OCR);
    let r = r.unwrap();
    assert_eq!(steps, vec![Step::Open, Step::Page(2), Step::Map]);
    assert_eq!(r.problems[0].code, ProblemCode::PageSkipped);
    assert_eq!(
        reason(&r).as_deref(),
        Some("page 1: skipped, stopped: it stopped the reader")
    );
}

#[test]
fn broken_cross_references_are_reported_as_damage() {
    let mut bytes = two_pages("/Contents 5 0 R");
    let n = bytes.len();
    bytes.truncate(n - 6); // "%%EOF\n"
    let (r, _) = run(bytes, &[], NO_OCR);
    let r = r.unwrap();
    assert_eq!(r.problems[0].code, ProblemCode::XrefDamaged);
    assert!(r.problems[0].detail.contains("cut short"));
    assert_eq!(r.status(), Status::Recovered);
}

#[test]
fn not_a_pdf_is_a_file_error() {
    let (r, _) = run(b"hello".to_vec(), &[], NO_OCR);
    let e = r.unwrap_err();
    assert_eq!(e.to_problem().code, ProblemCode::Unreadable);
    assert!(e.to_string().contains("not a PDF"), "{e}");
}

/// A page that is one image covering it: a scan.
fn scan_page(image: &str) -> Vec<u8> {
    testing::build(&[
        "<< /Type /Catalog /Pages 2 0 R >>".into(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".into(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /Im0 5 0 R >> >> >>".into(),
        testing::stream("q 595 0 0 842 0 0 cm /Im0 Do Q"),
        image.into(),
    ])
}

#[test]
fn a_scan_without_ocr_needs_ocr() {
    let img = "<< /Type /XObject /Subtype /Image /Width 2 /Height 2 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 4 >>\nstream\n\u{0}\u{0}\u{0}\u{0}\nendstream";
    let (r, _) = run(scan_page(img), &[], NO_OCR);
    let r = r.unwrap();
    assert_eq!(r.status(), Status::NeedsOcr);
    assert_eq!(r.problems[0].code, ProblemCode::OcrUnavailable);
}

#[test]
fn a_scan_whose_image_cannot_be_decoded_is_an_ocr_failure_not_needs_ocr() {
    let engine = OcrEngine::new(&OcrOptions::default())
        .expect("chi_sim is installed by scripts/install-deps");
    let img = "<< /Type /XObject /Subtype /Image /Width 200 /Height 300 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length 12 >>\nstream\nnot a jpeg!!\nendstream";
    let (r, _) = run(scan_page(img), &[], Ocr::Available(&engine));
    let r = r.unwrap();
    assert_eq!(r.status(), Status::OcrFailed, "{:?}", r.problems);
    let p = r
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::OcrFailed)
        .unwrap();
    assert_eq!(p.page, Some(1));
    assert!(
        reason(&r).unwrap().contains("page 1: OCR failed:"),
        "{:?}",
        reason(&r)
    );
}

/// A scanned page's layout with one table of `texts` in a row.
fn layout(number: u32, bbox: Rect, texts: &[&str]) -> PageLayout {
    let cells = texts
        .iter()
        .enumerate()
        .map(|(i, t)| jx_model::Cell {
            confidence: Some(0.9),
            ..jx_model::Cell::new(i / 2, i % 2, bbox, *t)
        })
        .collect();
    PageLayout {
        number,
        width: 595.0,
        height: 842.0,
        extraction: Extraction::Ocr,
        tables: vec![jx_model::Table {
            page: number,
            bbox,
            col_edges: Vec::new(),
            row_edges: Vec::new(),
            cells,
            cut_top: false,
            cut_bottom: false,
        }],
        lines: Vec::new(),
    }
}

#[test]
fn the_page_after_a_form_is_looked_at_cheaply_unless_its_table_may_continue_the_form() {
    let opts = IngestOptions::default();
    let form_box = Rect::new(50.0, 80.0, 545.0, 800.0);
    let form = layout(
        3,
        form_box,
        &[
            "项目名称",
            "某项目",
            "主管部门",
            "某局",
            "实施单位",
            "某中心",
            "年度总体目标",
            "完成全年工作",
        ],
    );
    let budget = layout(
        3,
        form_box,
        &["科目编码", "科目名称", "201", "一般公共服务"],
    );
    // After a form: a cheap look that knows the form's last table.
    let ocr::Look::Cheap {
        form_above,
        may_continue,
        parts_tables,
        ..
    } = look_at(&opts, 4, Some(&form))
    else {
        panic!("the page after a form is looked at cheaply first");
    };
    assert_eq!(form_above, Some(form_box));
    assert!(may_continue(
        &form_box,
        &Rect::new(52.0, 40.0, 543.0, 300.0)
    ));
    assert!(!may_continue(
        &form_box,
        &Rect::new(30.0, 40.0, 565.0, 300.0)
    ));
    // A table titled as another table is none of the form's.
    assert!(parts_tables("一般公共预算财政拨款支出决算表"));
    assert!(!parts_tables("第18页"));
    // After a page without a form: nothing above to continue.
    let ocr::Look::Cheap { form_above, .. } = look_at(&opts, 4, Some(&budget)) else {
        panic!("cheap after a page without a form");
    };
    assert_eq!(form_above, None);
    // After a page that was not read (a gap), or with the look turned off:
    // the whole page.
    assert!(matches!(look_at(&opts, 5, Some(&form)), ocr::Look::Full));
    assert!(matches!(look_at(&opts, 2, None), ocr::Look::Full));
    let mut off = IngestOptions::default();
    off.ocr.cheap_look = false;
    assert!(matches!(look_at(&off, 4, Some(&form)), ocr::Look::Full));
}
