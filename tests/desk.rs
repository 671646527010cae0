//! The verdict desk (`jxingest review OUT`) in a real browser, driven by
//! WebDriver (chromedriver and Chromium from Debian, installed by
//! scripts/install-deps): on a scanned sample, the archivist settles the
//! doubts of a form from the keyboard (accept with Enter, a correction
//! typed, a group verdict with Shift+Enter, an undo), removes an indicator
//! row; the JSON, the database and `verdicts.jsonl` are checked after each
//! step; the extraction is run again and the verdicts survive, a stale one
//! is reported; requests without the token, from another origin or to
//! another host are refused. Screenshots: target/desk-*.png.

mod common;
mod webdriver;

use common::*;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use webdriver::{Browser, keys};

/// Hang guard for a page to settle after a key (not a speed limit: a
/// verdict takes milliseconds; this is for a machine under load).
const PAGE_GUARD: Duration = Duration::from_secs(60);

const SCAN: &str = "nongye-2021-scan200-seal.pdf";
const STEM: &str = "nongye-2021-scan200-seal";

/// `jxingest review OUT` as a child, killed on drop.
struct Desk {
    child: Child,
    url: String,
}

impl Desk {
    fn start(out: &Path) -> Desk {
        Desk::start_with(out, &[])
    }

    fn start_with(out: &Path, extra: &[&std::ffi::OsStr]) -> Desk {
        let mut child = Command::new(env!("CARGO_BIN_EXE_jxingest"))
            .args([
                "review".as_ref(),
                out.as_os_str(),
                "--by".as_ref(),
                "tester".as_ref(),
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("jxingest review starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "printed {url:?}");
        Desk { child, url }
    }

    fn port(&self) -> u16 {
        let rest = self.url.strip_prefix("http://127.0.0.1:").unwrap();
        rest[..rest.find('/').unwrap()].parse().unwrap()
    }

    fn token(&self) -> &str {
        self.url.split("t=").nth(1).unwrap()
    }

    fn form_url(&self, n: u32) -> String {
        format!(
            "http://127.0.0.1:{}/form?t={}&f={SCAN}&n={n}",
            self.port(),
            self.token()
        )
    }

    /// A raw HTTP request (`head` holds the request line and headers);
    /// the status code.
    fn raw(&self, head: &str, body: &str) -> u16 {
        let mut s = TcpStream::connect(("127.0.0.1", self.port())).unwrap();
        write!(
            s,
            "{head}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut bytes = Vec::new();
        s.read_to_end(&mut bytes).unwrap();
        let answer = String::from_utf8_lossy(&bytes);
        answer
            .split(' ')
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("no status in {answer:?}"))
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn doc(out: &Path, n: u32) -> Value {
    read_json(&out.join(format!("{STEM}/{n:02}.json")))
}

fn log_lines(out: &Path) -> Vec<Value> {
    std::fs::read_to_string(out.join("verdicts.jsonl"))
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn db_texts(out: &Path, sql: &str) -> Vec<String> {
    let c = rusqlite::Connection::open(out.join("forms.sqlite")).unwrap();
    let mut st = c.prepare(sql).unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn extract(input: &Path, out: &Path) {
    let status = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(input)
        .arg("--out")
        .arg(out)
        .args(["--quiet", "--review", "all"])
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

/// The path of the field that has the focus.
fn focused(b: &Browser) -> String {
    b.execute(
        "const a = document.activeElement; return a && a.dataset ? (a.dataset.path || '') : '';",
        &[],
    )
    .unwrap()
    .as_str()
    .unwrap()
    .to_string()
}

/// Waits for the message line after a verdict, and returns it.
fn message(b: &Browser) -> String {
    b.wait_until(
        "const m = document.getElementById('msg'); return !!m && m.textContent.length > 0;",
        PAGE_GUARD,
    )
    .unwrap();
    b.text(&b.find("#msg").unwrap()).unwrap()
}

/// Waits until the message line says `path` was settled (or an error).
fn settled(b: &Browser, path: &str) -> String {
    b.wait_until(
        &format!(
            "const m = document.getElementById('msg'); return !!m && (m.textContent.startsWith({:?}) || m.className === 'error');",
            format!("{path}: settled")
        ),
        PAGE_GUARD,
    )
    .unwrap();
    let msg = b.text(&b.find("#msg").unwrap()).unwrap();
    assert!(msg.contains("settled"), "{msg}");
    msg
}

fn open_form(b: &Browser, desk: &Desk, n: u32) {
    b.goto(&desk.form_url(n)).unwrap();
    b.wait_until(
        "return !!document.getElementById('verification') && document.activeElement !== document.body;",
        PAGE_GUARD,
    )
    .unwrap();
}

fn screenshot(b: &Browser, name: &str) -> PathBuf {
    let path = root().join("target").join(name);
    b.screenshot_png(&path).unwrap();
    path
}

#[test]
fn an_archivist_settles_doubts_from_the_keyboard_and_the_verdicts_outlive_a_rerun() {
    let input = temp_dir("desk-in");
    std::fs::copy(root().join("samples/scans").join(SCAN), input.join(SCAN)).unwrap();
    let out = temp_dir("desk-out");
    extract(&input, &out);
    let machine1 = doc(&out, 1);
    let doubts1: Vec<String> = machine1["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["path"].as_str().unwrap().to_string())
        .collect();
    assert!(
        doubts1.len() >= 2,
        "the sample scan has doubts: {doubts1:?}"
    );

    let desk = Desk::start(&out);
    let b = Browser::start().unwrap();

    // The index counts forms by state.
    b.goto(&desk.url).unwrap();
    b.wait_until("return !!document.getElementById('counts');", PAGE_GUARD)
        .unwrap();
    let counts = b.text(&b.find("#counts").unwrap()).unwrap();
    assert!(counts.starts_with("0 form(s) verified"), "{counts}");
    screenshot(&b, "desk-index.png");

    // Form 1 opens on its first doubt; Enter accepts it as read.
    open_form(&b, &desk, 1);
    let first = focused(&b);
    assert_eq!(first, doubts1[0], "the first doubt has the focus");
    screenshot(&b, "desk-form.png");
    b.keys_to_active(keys::ENTER).unwrap();
    let msg = message(&b);
    assert!(msg.contains("settled on form(s) 1"), "{msg}");
    let log = log_lines(&out);
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["path"], first.as_str());
    assert_eq!(log[0]["before"], log[0]["after"], "an acceptance");
    assert_eq!(log[0]["by"], "tester");
    let d1 = doc(&out, 1);
    assert_eq!(d1["verdicts"][0]["path"], first.as_str());

    // The focus moved to the next doubt: a correction typed, then Enter.
    b.wait_until(
        &format!(
            "const a = document.activeElement; return !!a && !!a.dataset && a.dataset.path !== '' && a.dataset.path !== {:?};",
            first
        ),
        PAGE_GUARD,
    )
    .unwrap();
    let second = focused(&b);
    assert_eq!(second, doubts1[1], "walked to the next doubt");
    let correction = if second.starts_with("indicators") && second.ends_with(".value") {
        "≥95.00(%)"
    } else {
        "特定目标类"
    };
    // The field's text is selected on focus: typing replaces it.
    b.keys_to_active(correction).unwrap();
    b.keys_to_active(keys::ENTER).unwrap();
    settled(&b, &second);
    let d1 = doc(&out, 1);
    let pointer = format!("/{}", second.replace('.', "/"));
    let got = d1.pointer(&pointer).unwrap();
    let got_text = got.get("text").unwrap_or(got);
    assert_eq!(got_text, correction, "{second} corrected in the JSON");
    assert_eq!(log_lines(&out).len(), 2);

    // Group verification: 主管部门 read the same on the other forms.
    let department = d1["project"]["department"].as_str().unwrap().to_string();
    b.execute(
        "document.querySelector('input[data-path=\"project.department\"]').focus();",
        &[],
    )
    .unwrap();
    b.chord_to_active(keys::SHIFT, keys::ENTER).unwrap();
    let msg = settled(&b, "project.department");
    let others: Vec<u32> = (2..=4)
        .filter(|&n| doc(&out, n)["project"]["department"] == department.as_str())
        .collect();
    assert!(!others.is_empty(), "the volume repeats its department");
    for n in &others {
        let d = doc(&out, *n);
        let v = d["verdicts"].as_array().unwrap();
        assert_eq!(v.last().unwrap()["path"], "project.department", "form {n}");
        assert!(msg.contains(&n.to_string()), "{msg}");
    }
    assert_eq!(log_lines(&out).len(), 3 + others.len());

    // Undo (u, outside a field) takes back form 1's last verdict only.
    b.keys_to_active(keys::ESCAPE).unwrap();
    b.keys_to_active("u").unwrap();
    b.wait_until(
        "return document.getElementById('msg').textContent.includes('taken back');",
        PAGE_GUARD,
    )
    .unwrap();
    assert_eq!(doc(&out, 1)["verdicts"].as_array().unwrap().len(), 2);
    assert_eq!(log_lines(&out).last().unwrap()["note"], "undo");
    assert_eq!(
        doc(&out, others[0])["verdicts"].as_array().unwrap().len(),
        1,
        "the other forms keep the group verdict"
    );

    // An indicator row removed with its button.
    let rows_before = doc(&out, 1)["indicators"].as_array().unwrap().len();
    let last = rows_before - 1;
    let button = b.find(&format!("button[data-remove=\"{last}\"]")).unwrap();
    b.click(&button).unwrap();
    b.wait_until(
        &format!(
            "return document.querySelectorAll('button[data-remove=\"{last}\"]').length === 0;"
        ),
        PAGE_GUARD,
    )
    .unwrap();
    assert_eq!(
        doc(&out, 1)["indicators"].as_array().unwrap().len(),
        rows_before - 1
    );

    // A row added where the machine lost one: its four cells typed.
    let add = b.find(&format!("button[data-add=\"{last}\"]")).unwrap();
    b.click(&add).unwrap();
    b.wait_until(
        "return document.activeElement.dataset.new === 'level1';",
        PAGE_GUARD,
    )
    .unwrap();
    for (i, cell) in ["产出指标", "数量指标", "新增指标", "≥10(个)"]
        .iter()
        .enumerate()
    {
        if i > 0 {
            b.keys_to_active(keys::TAB).unwrap();
        }
        b.keys_to_active(cell).unwrap();
    }
    // The removal's message named the same path: cleared, so the wait
    // below sees the addition's own.
    b.execute("document.getElementById('msg').textContent = '';", &[])
        .unwrap();
    b.keys_to_active(keys::ENTER).unwrap();
    settled(&b, &format!("indicators[{last}]"));
    let rows = doc(&out, 1)["indicators"].clone();
    assert_eq!(rows.as_array().unwrap().len(), rows_before);
    assert_eq!(rows[last]["name"], "新增指标");
    assert_eq!(rows[last]["value"]["number"], "10");
    assert_eq!(rows[last]["value"]["unit"], "个");

    // Every doubt left on form 1 accepted from the keyboard: verified.
    for _ in 0..doubts1.len() + 2 {
        let state = b.text(&b.find("#verification").unwrap()).unwrap();
        if state == "verified" {
            break;
        }
        b.keys_to_active(keys::ENTER).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        b.wait_until(
            "return !!document.getElementById('verification');",
            PAGE_GUARD,
        )
        .unwrap();
    }
    assert_eq!(doc(&out, 1)["verification"], "verified");
    screenshot(&b, "desk-verified.png");
    assert_eq!(
        db_texts(&out, "SELECT verification FROM forms WHERE form_index = 1"),
        ["verified"]
    );
    let n_verdicts = doc(&out, 1)["verdicts"].as_array().unwrap().len();
    assert_eq!(
        db_texts(
            &out,
            "SELECT v.path FROM verdicts v JOIN forms f ON f.id = v.form_id WHERE f.form_index = 1"
        )
        .len(),
        n_verdicts
    );

    // The walls.
    let port = desk.port();
    let host = format!("Host: 127.0.0.1:{port}");
    let token = desk.token().to_string();
    assert_eq!(
        desk.raw(&format!("GET /api/index HTTP/1.1\r\n{host}"), ""),
        403
    );
    assert_eq!(
        desk.raw(
            &format!("GET /api/index?t={token} HTTP/1.1\r\nHost: attacker.example:{port}"),
            ""
        ),
        421
    );
    let post = |extra: &str| {
        desk.raw(
            &format!(
                "POST /api/verdict HTTP/1.1\r\n{host}\r\nContent-Type: application/json\r\n{extra}"
            ),
            &format!(
                r#"{{"file":"{SCAN}","form":2,"path":"project.name","before":null,"after":"x"}}"#
            ),
        )
    };
    assert_eq!(
        post(&format!(
            "X-Jx-Token: {token}\r\nOrigin: http://attacker.example"
        )),
        403
    );
    assert_eq!(post("X-Jx-Token: wrong"), 403);
    assert_eq!(
        post(&format!(
            "X-Jx-Token: {token}\r\nSec-Fetch-Site: cross-site"
        )),
        403
    );
    assert_eq!(
        post(&format!("X-Jx-Token: {token}")),
        400,
        "a stale before is refused"
    );
    // Checked inputs: a path the form does not have, a value too long, an
    // amount that is none, a field that is the machine's, a file not in the
    // run: 400, nothing kept.
    let lines = log_lines(&out).len();
    let form2 = doc(&out, 2);
    let total = form2["funds"]["annual"]["total"].clone();
    for body in [
        serde_json::json!({"file": SCAN, "form": 2, "path": "project.budget", "before": null, "after": "x"}),
        serde_json::json!({"file": SCAN, "form": 2, "path": "project.name", "before": form2["project"]["name"], "after": "长".repeat(5000)}),
        serde_json::json!({"file": SCAN, "form": 2, "path": "funds.annual.total", "before": total, "after": "八百万"}),
        serde_json::json!({"file": SCAN, "form": 2, "path": "source.sha256", "before": form2["source"]["sha256"], "after": "0"}),
        serde_json::json!({"file": "../x.pdf", "form": 1, "path": "year", "before": null, "after": null}),
    ] {
        let status = desk.raw(
            &format!(
                "POST /api/verdict HTTP/1.1\r\n{host}\r\nContent-Type: application/json\r\nX-Jx-Token: {token}"
            ),
            &body.to_string(),
        );
        assert_eq!(status, 400, "{body}");
    }
    assert_eq!(log_lines(&out).len(), lines);
    assert_eq!(doc(&out, 2), form2);
    assert_eq!(
        desk.raw(
            &format!("GET /img?t={token}&f=../../etc/passwd&p=1 HTTP/1.1\r\n{host}"),
            ""
        ),
        400,
        "only the run's files, by the names the desk makes"
    );
    drop(b);
    drop(desk);

    // A rerun applies the verdicts again; one made on another reading is
    // kept in the log and reported.
    let settled = doc(&out, 1);
    let mut stale = log_lines(&out)[0].clone();
    stale["form_index"] = 2.into();
    stale["path"] = "project.name".into();
    stale["before"] = "一个不同的读法".into();
    stale["after"] = "x".into();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(out.join("verdicts.jsonl"))
        .unwrap();
    writeln!(f, "{stale}").unwrap();
    drop(f);
    let lines = log_lines(&out).len();
    extract(&input, &out);
    let again = doc(&out, 1);
    assert_eq!(again["verdicts"], settled["verdicts"]);
    assert_eq!(again["indicators"], settled["indicators"]);
    assert_eq!(again["verification"], "verified");
    let form2 = doc(&out, 2);
    assert!(
        form2["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["kind"] == "verdict_stale" && w["path"] == "project.name"),
        "{form2}"
    );
    assert_eq!(log_lines(&out).len(), lines, "the log is never rewritten");
}

/// A run without `--review`: the desk draws a page image when it is first
/// asked for, from `--input`, in a worker, and keeps it; without `--input`
/// it says how to have one.
#[test]
fn the_desk_draws_a_page_the_run_did_not() {
    let input = temp_dir("desk-draw-in");
    let name = "chengguan-2024-chromium.pdf";
    std::fs::copy(root().join("samples/printed").join(name), input.join(name)).unwrap();
    let out = temp_dir("desk-draw-out");
    let status = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let get = |desk: &Desk| {
        desk.raw(
            &format!(
                "GET /img?t={}&f={name}&p=1 HTTP/1.1\r\nHost: 127.0.0.1:{}",
                desk.token(),
                desk.port()
            ),
            "",
        )
    };
    let without = Desk::start(&out);
    assert_eq!(get(&without), 400, "no image and no input to draw it from");
    drop(without);
    let desk = Desk::start_with(&out, &["--input".as_ref(), input.as_os_str()]);
    assert_eq!(get(&desk), 200);
    let key_dir = std::fs::read_dir(out.join("review/pages"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let png = std::fs::read(key_dir.join("p001.png")).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG is kept");
}
