//! Forms laid out as real producers lay them out, built as PDFs here:
//! WPS Office headings (spaced-out titles, boxed titles, headings inside the
//! table, year lines in their spellings), two-line cover titles,
//! spreadsheet cells whose wrapped text runs over the row's borders, rows
//! cut by a page break, and damaged page trees.

use super::*;
use jx_model::FormRecord;
use jx_pdf::testing::{Row, Sheet, sheets_pdf};

const X0: f32 = 50.0;

fn ingest_pdf(bytes: Vec<u8>) -> FileReport {
    let source = SourceFile {
        path: "x.pdf".into(),
        sha256: "0".into(),
    };
    ingest(
        bytes,
        &source,
        &IngestOptions::default(),
        Ocr::Unavailable("no engine in this test"),
        &[],
        &mut |_| {},
    )
    .expect("the built PDF opens")
}

fn forms(sheets: &[Sheet]) -> Vec<FormRecord> {
    ingest_pdf(sheets_pdf(sheets, None)).forms
}

fn warned(r: &FormRecord, path: &str) -> bool {
    r.warnings
        .iter()
        .any(|w| w.path == path && w.kind == jx_model::Code::MissingField)
}

/// The project part of a form: name, nature, department, implementer, the
/// annual goal.
fn project_rows(name: &str) -> Vec<Row> {
    vec![
        Row::new(
            24.0,
            &[
                (80.0, "项目名称"),
                (167.0, name),
                (80.0, "项目性质"),
                (168.0, "经常性项目"),
            ],
        ),
        Row::new(
            24.0,
            &[
                (80.0, "主管部门"),
                (167.0, "某区财政局"),
                (80.0, "实施单位"),
                (168.0, "某区财政局"),
            ],
        ),
        Row::new(
            36.0,
            &[
                (80.0, "年度总体目标"),
                (415.0, "完成全年工作，提升服务水平。"),
            ],
        ),
    ]
}

fn indicator_header() -> Row {
    Row::new(
        24.0,
        &[
            (80.0, "一级指标"),
            (100.0, "二级指标"),
            (175.0, "三级指标"),
            (140.0, "指标值"),
        ],
    )
}

fn indicator(l1: &str, l2: &str, name: &str, value: &str) -> Row {
    Row::new(
        24.0,
        &[(80.0, l1), (100.0, l2), (175.0, name), (140.0, value)],
    )
}

/// A whole form table from `y0` down.
fn form_table(s: &mut Sheet, y0: f32, name: &str) -> f32 {
    let mut rows = project_rows(name);
    rows.push(indicator_header());
    rows.push(indicator("产出指标", "数量指标", "服务人次", "≥100(人次)"));
    s.table(X0, y0, &rows)
}

#[test]
fn a_wps_title_spaced_out_in_large_type_with_a_right_aligned_year_and_unit_line() {
    let mut s = Sheet::default();
    s.spaced(120.0, 40.0, 18.0, 28.0, "财政项目支出绩效目标填报表");
    s.text(470.0, 70.0, 10.0, "（2023年度）");
    s.text(480.0, 84.0, 10.0, "单位：万元");
    form_table(&mut s, 100.0, "社区服务");
    let r = forms(&[s]);
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].form_title.as_deref(),
        Some("财政项目支出绩效目标填报表")
    );
    assert_eq!(r[0].year, Some(2023));
    assert!(!warned(&r[0], "form_title") && !warned(&r[0], "year"));
}

#[test]
fn a_title_boxed_in_a_table_of_its_own_and_the_year_in_the_forms_first_row() {
    let mut s = Sheet::default();
    s.table(
        X0,
        40.0,
        &[Row::new(
            30.0,
            &[(300.0, "财政项目支出绩效目标填报表"), (195.0, "")],
        )],
    );
    let mut rows = vec![Row::new(20.0, &[(495.0, "年度：2023")])];
    rows.extend(project_rows("社区服务"));
    rows.push(indicator_header());
    rows.push(indicator("产出指标", "数量指标", "服务人次", "≥100(人次)"));
    s.table(X0, 90.0, &rows);
    let r = forms(&[s]);
    assert_eq!(r.len(), 1);
    assert_eq!(
        r[0].form_title.as_deref(),
        Some("财政项目支出绩效目标填报表")
    );
    assert_eq!(r[0].year, Some(2023));
}

#[test]
fn a_heading_in_the_tables_top_cells_with_the_year_after_the_title() {
    let mut s = Sheet::default();
    let mut rows = vec![Row::new(30.0, &[(495.0, "项目支出绩效目标表（2023年度）")])];
    rows.extend(project_rows("社区服务"));
    rows.push(indicator_header());
    rows.push(indicator("产出指标", "数量指标", "服务人次", "≥100(人次)"));
    s.table(X0, 60.0, &rows);
    let r = forms(&[s]);
    assert_eq!(r[0].form_title.as_deref(), Some("项目支出绩效目标表"));
    assert_eq!(r[0].year, Some(2023));
}

#[test]
fn goal_text_above_a_form_is_no_title_and_nothing_is_invented() {
    let mut s = Sheet::default();
    s.text(X0, 40.0, 10.0, "通过项目实施，完成社区服务绩效目标填报表。");
    form_table(&mut s, 70.0, "社区服务");
    let r = forms(&[s]);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].form_title, None);
    assert_eq!(r[0].year, None);
    assert!(warned(&r[0], "form_title") && warned(&r[0], "year"));
}

#[test]
fn each_form_of_a_volume_keeps_its_own_printed_title() {
    let page = |title: &str, year: &str, name: &str| {
        let mut s = Sheet::default();
        s.text(180.0, 40.0, 16.0, title);
        s.text(260.0, 64.0, 10.0, year);
        form_table(&mut s, 90.0, name);
        s
    };
    let r = forms(&[
        page("财政项目支出绩效目标填报表", "2023年度", "社区服务"),
        page("财政项目支出绩效目标填报表", "(2023年度)", "道路养护"),
    ]);
    assert_eq!(r.len(), 2);
    for f in &r {
        assert_eq!(f.form_title.as_deref(), Some("财政项目支出绩效目标填报表"));
        assert_eq!(f.year, Some(2023));
    }
    assert_eq!(r[1].project.name.as_deref(), Some("道路养护"));
}

#[test]
fn a_cover_title_over_two_lines_is_one_document_title() {
    let mut cover = Sheet::default();
    cover.text(60.0, 300.0, 22.0, "上海市某区2019年度项目支出绩效目标申报");
    cover.text(250.0, 330.0, 22.0, "表汇编");
    cover.text(250.0, 400.0, 12.0, "二〇一九年三月");
    let mut s = Sheet::default();
    s.text(180.0, 40.0, 16.0, "财政项目支出绩效目标申报表");
    s.text(260.0, 64.0, 10.0, "（2019年度）");
    form_table(&mut s, 90.0, "社区服务");
    let r = forms(&[cover, s]);
    assert_eq!(
        r[0].document_title.as_deref(),
        Some("上海市某区2019年度项目支出绩效目标申报表汇编")
    );
    assert_eq!(
        r[0].form_title.as_deref(),
        Some("财政项目支出绩效目标申报表")
    );
}

#[test]
fn a_wrapped_spreadsheet_name_running_over_its_short_row_stays_in_its_cell() {
    // Calc and Excel centre the two lines of the name on a 14 pt row: the
    // first runs into the row above, the second over the department row.
    let mut s = Sheet::default();
    s.text(180.0, 40.0, 16.0, "财政项目支出绩效目标申报表");
    let mut rows = vec![
        Row::new(
            14.0,
            &[
                (80.0, "项目名称"),
                (167.0, "老旧小区综合整治（2019\n—2020年）"),
                (80.0, "项目性质"),
                (168.0, "经常性项目"),
            ],
        ),
        Row::new(
            14.0,
            &[
                (80.0, "主管部门"),
                (167.0, "某区住房保障局"),
                (80.0, "实施单位"),
                (168.0, "某区房管中心"),
            ],
        ),
        Row::new(36.0, &[(80.0, "年度总体目标"), (415.0, "完成全年工作。")]),
        indicator_header(),
    ];
    rows.push(indicator("产出指标", "数量指标", "整治小区数", "=3(个)"));
    s.table(X0, 70.0, &rows);
    let r = forms(&[s]);
    assert_eq!(
        r[0].project.name.as_deref(),
        Some("老旧小区综合整治（2019—2020年）")
    );
    assert_eq!(r[0].project.department.as_deref(), Some("某区住房保障局"));
}

/// Page 1 ends with an indicator row whose cells the break cut; page 2
/// begins with the rest of them, in a row closed by rules (as LibreOffice
/// and WPS draw a continued row).
fn cut_row_pages(l1_rest: &str, name_rest: &str) -> Vec<Sheet> {
    let mut p1 = Sheet::default();
    p1.text(180.0, 40.0, 16.0, "财政项目支出绩效目标申报表");
    let mut rows = project_rows("卫生监督协管");
    rows.push(indicator_header());
    rows.push(indicator("产出指标", "数量指标", "协管人次", "≥100(人次)"));
    let (l1, name) = if l1_rest.is_empty() {
        ("效益指标", "卫生监督协管各专业每年巡查（访）2")
    } else {
        ("效益指", "群众知晓率")
    };
    rows.push(indicator(l1, "社会效益指标", name, "≥90%"));
    p1.table(X0, 70.0, &rows);
    let mut p2 = Sheet::default();
    p2.table(
        X0,
        50.0,
        &[
            indicator(l1_rest, "", name_rest, ""),
            indicator("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
        ],
    );
    vec![p1, p2]
}

#[test]
fn an_indicator_name_cut_by_the_page_break_is_whole_and_no_new_indicator() {
    let r = forms(&cut_row_pages("", "次完成率"));
    assert_eq!(r.len(), 1);
    let names: Vec<&str> = r[0].indicators.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "协管人次",
            "卫生监督协管各专业每年巡查（访）2次完成率",
            "群众满意度"
        ]
    );
    assert_eq!(r[0].indicators[1].value.text, "≥90%");
}

#[test]
fn a_level_label_cut_by_the_page_break_is_whole_again() {
    let r = forms(&cut_row_pages("标", ""));
    let names: Vec<(&str, &str)> = r[0]
        .indicators
        .iter()
        .map(|i| (i.level1.as_str(), i.name.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("产出指标", "协管人次"),
            ("效益指标", "群众知晓率"),
            ("满意度指标", "群众满意度")
        ]
    );
}

#[test]
fn a_page_tree_listing_itself_among_its_kids_is_damage_not_emptiness() {
    let mut s = Sheet::default();
    s.text(180.0, 40.0, 16.0, "财政项目支出绩效目标申报表");
    form_table(&mut s, 90.0, "社区服务");
    let r = ingest_pdf(sheets_pdf(&[s], Some("/Kids [2 0 R 4 0 R] /Count 2")));
    assert_eq!(r.status(), Status::Recovered, "{:?}", r.problems);
    let p = r
        .problems
        .iter()
        .find(|p| p.code == ProblemCode::PageTreeDamaged)
        .expect("a page_tree_damaged problem");
    assert!(p.detail.contains("cycle"), "{}", p.detail);
}

/// A 收支预算总表 as budget volumes print it: 项目名称 and the funds'
/// columns (上年结转资金, 其他资金 …) as the heads of a budget table over
/// two rows, then rows of amounts.
fn budget_table_page() -> Sheet {
    let mut s = Sheet::default();
    s.text(200.0, 40.0, 16.0, "收支预算总表");
    let head = |a: &str, b: &str, c: &str, d: &str| {
        Row::new(
            24.0,
            &[(140.0, a), (90.0, b), (90.0, c), (90.0, d), (85.0, "合计")],
        )
    };
    s.table(
        X0,
        70.0,
        &[
            head("项目名称", "财政拨款", "上年结转资金", "其他资金"),
            head("项目类别", "当年财政拨款", "上年结转", "其中其他资金"),
            head("一般公共服务支出", "120.00", "3.00", "0.00"),
            head("社会保障和就业支出", "80.50", "0.00", "1.20"),
        ],
    );
    s
}

#[test]
fn a_budget_table_with_the_forms_funds_words_is_no_form_left_unread() {
    let r = ingest_pdf(sheets_pdf(
        &[budget_table_page(), budget_table_page()],
        None,
    ));
    assert!(r.forms.is_empty());
    assert!(r.unmapped.is_empty(), "{:?}", r.unmapped);
    assert_eq!(r.page_roles, vec![PageRole::Other, PageRole::Other]);
}

#[test]
fn a_form_that_was_not_read_is_still_reported() {
    // The form's project and goal labels in a table whose 项目名称 has no
    // value to its right: mapping starts no form, the account sees one.
    let mut s = Sheet::default();
    s.table(
        X0,
        70.0,
        &[
            Row::new(24.0, &[(80.0, "项目名称"), (415.0, "主管部门")]),
            Row::new(24.0, &[(80.0, "实施单位"), (415.0, "年度总体目标")]),
            Row::new(24.0, &[(80.0, "绩效目标"), (415.0, "x")]),
        ],
    );
    let r = ingest_pdf(sheets_pdf(&[s], None));
    assert!(r.forms.is_empty());
    assert_eq!(r.unmapped.len(), 1, "{:?}", r.unmapped);
}

#[test]
fn the_last_indicator_row_alone_on_the_next_page_continues_the_form() {
    for open_top in [false, true] {
        last_row_alone(open_top);
    }
}

/// A form whose last indicator row stands alone on page 2, closed by a
/// rule above it or (`open_top`) not: a browser draws a row's top border
/// only once, on the page where the table began.
fn last_row_alone(open_top: bool) {
    let mut p1 = Sheet::default();
    p1.text(180.0, 40.0, 16.0, "财政项目支出绩效目标申报表");
    let mut rows = project_rows("社区服务");
    rows.push(indicator_header());
    rows.push(indicator("产出指标", "数量指标", "服务人次", "≥100(人次)"));
    rows.push(indicator("效益指标", "社会效益指标", "群众知晓率", "≥90%"));
    p1.table(X0, 70.0, &rows);
    p1.text(280.0, 800.0, 9.0, "- 1 -");
    let mut p2 = Sheet::default();
    let mut last = indicator("满意度指标", "服务对象满意度指标", "居民满意度", "≥90%");
    last.open_top = open_top;
    p2.table(X0, 50.0, &[last]);
    p2.text(280.0, 800.0, 9.0, "- 2 -");
    let r = ingest_pdf(sheets_pdf(&[p1, p2], None));
    assert_eq!(r.forms.len(), 1);
    let f = &r.forms[0];
    assert_eq!(f.source.pages, vec![1, 2], "open top: {open_top}");
    let last = f.indicators.last().expect("indicators");
    assert_eq!(
        (
            last.level1.as_str(),
            last.name.as_str(),
            last.value.text.as_str()
        ),
        ("满意度指标", "居民满意度", "≥90%")
    );
    assert_eq!(f.indicators.len(), 3, "open top: {open_top}");
    assert!(r.unmapped.is_empty(), "{:?}", r.unmapped);
}

#[test]
fn narrow_characters_drawn_once_side_by_side_are_not_overdraw() {
    let mut s = Sheet::default();
    s.text(180.0, 40.0, 16.0, "财政项目支出绩效目标申报表");
    form_table(&mut s, 90.0, "../../x模板{{pages}}--a::b''c");
    let font = jx_pdf::testing::stsong_font_narrow_latin();
    let r = ingest_pdf(jx_pdf::testing::sheets_pdf_in(&[s], None, font)).forms;
    assert_eq!(
        r[0].project.name.as_deref(),
        Some("../../x模板{{pages}}--a::b''c")
    );
    assert!(
        !r[0]
            .repairs
            .iter()
            .any(|d| d.kind == jx_model::Code::DuplicateGlyphs),
        "{:?}",
        r[0].repairs
    );
}
