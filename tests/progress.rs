//! What a run prints: on a terminal a progress line redrawn in place
//! (carriage returns / ANSI sequences), then the summary; through a pipe
//! only the summary, no redraws; with `--quiet` nothing at all. The
//! terminal is a pseudo-terminal made by util-linux's `script` (Debian's
//! essential `bsdutils`, checked by scripts/install-deps).

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn input_with_two_printed_files() -> std::path::PathBuf {
    let input = temp_dir("progress-in");
    for name in ["edu-2023-chromium.pdf", "wenlv-2024-chromium.pdf"] {
        std::fs::copy(root().join("samples/printed").join(name), input.join(name)).unwrap();
    }
    input
}

/// Single-quoted for `sh`.
fn quoted(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

fn has_redraws(s: &str) -> bool {
    s.contains('\r') || s.contains('\u{1b}')
}

#[test]
fn a_terminal_gets_a_live_progress_line_and_a_pipe_only_the_summary() {
    let script = Path::new("/usr/bin/script");
    assert!(
        script.is_file(),
        "util-linux's `script` (package bsdutils) is needed to run jxingest on a pseudo-terminal"
    );
    let input = input_with_two_printed_files();

    // On a pseudo-terminal: `script` runs the command with stdin, stdout and
    // stderr on a pty and copies what it shows to its own stdout.
    let command = |out: &Path, extra: &str| {
        // A pty made by `script` has no size; give it a terminal's.
        format!(
            "stty cols 160 rows 40; {} {} --out {} --jobs 1{extra}",
            quoted(Path::new(env!("CARGO_BIN_EXE_jxingest"))),
            quoted(&input),
            quoted(out)
        )
    };
    let out = temp_dir("progress-out-pty");
    let run = Command::new(script)
        .args(["-qfec", &command(&out, ""), "/dev/null"])
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{shown}");
    assert!(has_redraws(&shown), "no redraw on a terminal: {shown:?}");
    assert!(shown.contains("/2 files"), "files done of all: {shown:?}");
    assert!(
        shown.contains("pages ·") && shown.contains("forms ·"),
        "{shown:?}"
    );
    assert!(shown.contains("ETA"), "{shown:?}");
    assert!(shown.contains("reading "), "the file being read: {shown:?}");
    assert!(
        shown.contains("jxingest: 2 file(s): 2 ok"),
        "the summary: {shown:?}"
    );

    // Through a pipe: the summary and nothing drawn.
    let out = temp_dir("progress-out-pipe");
    let run = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{err}");
    assert!(!has_redraws(&err), "redraws on a pipe: {err:?}");
    assert!(err.starts_with("jxingest: 2 file(s): 2 ok;"), "{err}");
    for line in [
        "  repairs:  ",
        "  warnings: ",
        "  slowest:  ",
        "  output:   ",
        "  manifest: ",
        // SQLite is written by default, and the summary says where.
        "  database: ",
    ] {
        assert!(err.contains(line), "{line:?} in {err}");
    }
    assert!(!err.contains("  review:   "), "no --review, no site: {err}");
    assert!(run.stdout.is_empty());

    // --quiet, even on a terminal: nothing.
    let out = temp_dir("progress-out-quiet");
    let run = Command::new(script)
        .args(["-qfec", &command(&out, " --quiet"), "/dev/null"])
        .output()
        .unwrap();
    assert!(run.status.success());
    assert!(
        run.stdout.is_empty(),
        "--quiet printed: {:?}",
        String::from_utf8_lossy(&run.stdout)
    );
    assert!(out.join("manifest.json").is_file());
}
