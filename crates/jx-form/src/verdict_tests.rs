use super::*;
use jx_model::Money;

fn form() -> FormRecord {
    serde_json::from_value(json!({
        "schema_version": 1,
        "source": {"path": "a.pdf", "sha256": "00", "form_index": 1, "pages": [1], "extraction": "ocr"},
        "document_title": null,
        "form_title": "财政项目支出绩效目标申报表",
        "year": 2022,
        "project": {"name": "养老服务", "nature": null, "category": null,
                    "department": "重庆市壁山区民政局", "implementer": "重庆市壁山区民政局",
                    "start_date": "2022-01-01", "end_date": "2022-12-31"},
        "funds": {"project_total": {"total": "100.00", "fiscal": "100.00", "other": null},
                  "annual": {"total": "100.00", "appropriation": "100.00", "carryover": null, "other": null}},
        "goals": {"overall": null, "annual": "目标"},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "服务人数",
             "value": {"text": "≥1.850(户)", "op": "≥", "number": "1.850", "unit": "户"}},
            {"level1": "产出指标", "level2": "质量指标", "name": "合格率",
             "value": {"text": "=100(%)", "op": "=", "number": "100", "unit": "%"}},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "覆盖面",
             "value": {"text": "提高", "op": null, "number": null, "unit": null}}
        ],
        "repairs": [],
        "warnings": [
            {"kind": "low_ocr_confidence", "path": "project.department", "detail": "unsure"},
            {"kind": "implausible_value", "path": "indicators[0].value", "detail": "a count with a fraction"},
            {"kind": "low_ocr_confidence", "path": "indicators[2].name", "detail": "unsure"}
        ]
    }))
    .unwrap()
}

fn verdict(path: &str, before: Value, after: Value) -> Verdict {
    Verdict {
        path: path.parse().unwrap(),
        before,
        after,
        by: "archivist".into(),
        at: "2026-12-06T14:00:00Z".into(),
        note: None,
    }
}

fn settle_one(record: &mut FormRecord, v: Verdict) -> Result<Verdict, Refusal> {
    let mut v = v;
    apply(record, &mut v)?;
    record.verdicts.push(v.clone());
    record.verification = verification(record);
    Ok(v)
}

#[test]
fn a_correction_sets_the_field_and_an_acceptance_leaves_it() {
    let mut f = form();
    settle_one(
        &mut f,
        verdict(
            "project.department",
            json!("重庆市壁山区民政局"),
            json!(" 重庆市璧山区民政局 "),
        ),
    )
    .unwrap();
    assert_eq!(f.project.department.as_deref(), Some("重庆市璧山区民政局"));
    assert_eq!(f.verdicts[0].after, json!("重庆市璧山区民政局"), "trimmed");
    assert_eq!(f.verification, Some(Verification::Partly));
    settle_one(
        &mut f,
        verdict("indicators[2].name", json!("覆盖面"), json!("覆盖面")),
    )
    .unwrap();
    assert_eq!(f.indicators[2].name, "覆盖面");
    assert_eq!(f.verification, Some(Verification::Partly));
    settle_one(
        &mut f,
        verdict(
            "indicators[0].value",
            json!("≥1.850(户)"),
            json!("≥1,850(户)"),
        ),
    )
    .unwrap();
    let v = &f.indicators[0].value;
    assert_eq!(
        (v.text.as_str(), v.number.as_deref(), v.unit.as_deref()),
        ("≥1,850(户)", Some("1850"), Some("户"))
    );
    assert_eq!(f.verification, Some(Verification::Verified));
    assert!(doubts_left(&f).is_empty());
}

#[test]
fn amounts_dates_and_years_are_normalized_or_refused() {
    let mut f = form();
    settle_one(
        &mut f,
        verdict(
            "funds.annual.total",
            json!("100.00"),
            json!("1,094,910,000"),
        ),
    )
    .unwrap();
    assert_eq!(
        f.funds.annual.total,
        Some(Money::from_cents(109_491_000_000))
    );
    settle_one(
        &mut f,
        verdict(
            "project.end_date",
            json!("2022-12-31"),
            json!("2023年6月30日"),
        ),
    )
    .unwrap();
    assert_eq!(f.project.end_date.as_deref(), Some("2023-06-30"));
    settle_one(&mut f, verdict("year", json!(2022), json!("2023"))).unwrap();
    assert_eq!(f.year, Some(2023));
    settle_one(&mut f, verdict("goals.annual", json!("目标"), json!(""))).unwrap();
    assert_eq!(f.goals.annual, None, "a blanked text is null");

    let refused = |path: &str, before: Value, after: Value| {
        let mut g = form();
        let e = apply(&mut g, &mut verdict(path, before, after)).unwrap_err();
        assert_eq!(g, form(), "nothing changed by a refused verdict");
        e
    };
    let e = refused("funds.annual.other", Value::Null, json!("一百万"));
    assert!(matches!(e, Refusal::WrongValue { .. }), "{e}");
    let e = refused(
        "project.start_date",
        json!("2022-01-01"),
        json!("2022-13-01"),
    );
    assert!(e.to_string().contains("not a date"), "{e}");
    let e = refused("year", json!(2022), json!(12));
    assert!(matches!(e, Refusal::WrongValue { .. }), "{e}");
    let e = refused("project.budget", Value::Null, json!("x"));
    assert_eq!(e, Refusal::NoSuchField("project.budget".parse().unwrap()));
    let e = refused("indicators[7].name", Value::Null, json!("x"));
    assert!(matches!(e, Refusal::NoSuchField(_)), "{e}");
    let e = refused("source.sha256", json!("00"), json!("11"));
    assert!(
        matches!(e, Refusal::NoSuchField(_)),
        "the source is not the person's"
    );
    let e = refused("project.name", json!("养老服务"), json!("x".repeat(5000)));
    assert!(matches!(e, Refusal::TooLong { .. }), "{e}");
    let e = refused("indicators[0].name", json!("服务人数"), json!(" "));
    assert!(e.to_string().contains("never blank"), "{e}");
    let e = refused("project.name", json!("养老服务"), json!(["a"]));
    assert!(matches!(e, Refusal::WrongValue { .. }), "{e}");
    let e = refused("funds", Value::Null, json!("x"));
    assert!(e.to_string().contains("only be accepted"), "{e}");
}

#[test]
fn a_verdict_on_another_reading_is_stale_and_reported_not_applied() {
    let mut f = form();
    let kept = vec![
        verdict(
            "project.department",
            json!("重庆市壁山区民政局"),
            json!("重庆市璧山区民政局"),
        ),
        verdict("project.name", json!("养老服务业"), json!("养老服务中心")),
    ];
    reapply(&mut f, &kept);
    assert_eq!(f.project.department.as_deref(), Some("重庆市璧山区民政局"));
    assert_eq!(f.project.name.as_deref(), Some("养老服务"), "not applied");
    assert_eq!(f.verdicts.len(), 1);
    let stale = f.warnings.last().unwrap();
    assert_eq!(stale.kind, Code::VerdictStale);
    assert_eq!(stale.path, "project.name");
    assert!(stale.detail.contains("养老服务业"), "{}", stale.detail);
    assert_eq!(f.verification, Some(Verification::Partly));
}

#[test]
fn rows_added_and_removed_keep_the_machines_doubts_in_place() {
    let mut f = form();
    let row = json!({"level1": "产出指标", "level2": "时效指标", "name": "完成时间", "value": "2022年12月前"});
    settle_one(&mut f, verdict("indicators[0]", Value::Null, row.clone())).unwrap();
    assert_eq!(f.indicators.len(), 4);
    assert_eq!(f.indicators[0].name, "完成时间");
    assert_eq!(row_origins(&f), vec![None, Some(0), Some(1), Some(2)]);
    // The machine's row 2 (覆盖面) is now row 3: removing it settles its doubt.
    let before = reading(&f, &"indicators[3]".parse().unwrap()).unwrap();
    assert_eq!(before["name"], "覆盖面");
    settle_one(&mut f, verdict("indicators[3]", before, Value::Null)).unwrap();
    assert_eq!(row_origins(&f), vec![None, Some(0), Some(1)]);
    let left: Vec<String> = doubts_left(&f).iter().map(|p| p.to_string()).collect();
    assert_eq!(left, ["project.department", "indicators[0].value"]);
    // Row 1 now is the machine's row 0.
    settle_one(
        &mut f,
        verdict(
            "indicators[1].value",
            json!("≥1.850(户)"),
            json!("≥1.850(户)"),
        ),
    )
    .unwrap();
    let left: Vec<String> = doubts_left(&f).iter().map(|p| p.to_string()).collect();
    assert_eq!(left, ["project.department"]);
    // Replayed from the machine's reading, the same verdicts give the same form.
    let mut again = form();
    let kept = f.verdicts.clone();
    reapply(&mut again, &kept);
    assert_eq!(again.indicators, f.indicators);
    assert_eq!(again.verdicts, f.verdicts);
    // A row with a field it does not have is refused.
    let e = apply(
        &mut f,
        &mut verdict(
            "indicators[0]",
            Value::Null,
            json!({"level1": "a", "level2": "b", "name": "c", "value": "", "x": 1}),
        ),
    )
    .unwrap_err();
    assert!(e.to_string().contains("\"x\""), "{e}");
}

#[test]
fn a_part_of_the_form_is_settled_by_accepting_it() {
    let mut f = form();
    f.warnings.push(Diagnostic::new(
        Code::PageLost,
        FieldPath::root(),
        "page 2 lost",
    ));
    settle_one(&mut f, verdict("$", Value::Null, Value::Null)).unwrap();
    assert!(doubts_left(&f).is_empty(), "the whole form accepted");
    assert_eq!(f.verification, Some(Verification::Verified));
}

#[test]
fn an_undo_takes_back_the_last_verdict_and_replays_the_same() {
    let mut f = form();
    let row =
        json!({"level1": "产出指标", "level2": "时效指标", "name": "完成时间", "value": "年底前"});
    let mut log = Vec::new();
    log.push(settle_one(&mut f, verdict("indicators[1]", Value::Null, row)).unwrap());
    log.push(
        settle_one(
            &mut f,
            verdict("project.name", json!("养老服务"), json!("养老服务中心")),
        )
        .unwrap(),
    );
    for _ in 0..2 {
        let undo = undo_of(&f, "archivist", "2026-12-06T15:00:00Z").unwrap();
        apply_undo(&mut f, &undo).unwrap();
        log.push(undo);
    }
    assert_eq!(
        f.indicators,
        form().indicators,
        "the row added is gone again"
    );
    assert_eq!(f.project.name.as_deref(), Some("养老服务"));
    assert!(f.verdicts.is_empty());
    assert!(undo_of(&f, "a", "b").is_none(), "nothing left to take back");
    // The log (four lines) replayed on the machine's reading: the same form.
    let mut again = form();
    reapply(&mut again, &log);
    assert_eq!(again.indicators, f.indicators);
    assert!(again.verdicts.is_empty());
    assert!(
        !again.warnings.iter().any(|w| w.kind == Code::VerdictStale),
        "{:?}",
        again.warnings
    );
    assert_eq!(again.verification, None);
    // An undo that is not the reverse of the last verdict is refused.
    settle_one(&mut f, verdict("year", json!(2022), json!(2023))).unwrap();
    let mut wrong = undo_of(&f, "a", "b").unwrap();
    wrong.after = json!(2021);
    assert!(apply_undo(&mut f, &wrong).is_err());
    assert_eq!(f.year, Some(2023));
}
