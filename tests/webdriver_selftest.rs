//! The WebDriver client of tests/webdriver/ against a page of its own: a
//! std-only HTTP server on 127.0.0.1 serves one page whose script handles
//! `keydown` on the document; the test types into its input, presses
//! Enter, Escape and ArrowDown (with the focus in the input and on the
//! body), and checks the page's state after each, its errors, and a
//! screenshot (kept as `target/webdriver-selftest.png`).
//!
//! chromedriver and Chromium are installed by `scripts/install-deps`.

mod webdriver;

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};
use webdriver::{Browser, Element, keys};

const PAGE: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><title>webdriver selftest</title>
<style>body { font: 16px sans-serif; background: #fff8e0; }</style></head>
<body>
<input id="name" autocomplete="off" data-role="name field">
<p id="typed"></p>
<ol id="log"></ol>
<script>
const input = document.getElementById('name');
const log = document.getElementById('log');
function note(s) {
  const li = document.createElement('li');
  li.textContent = s;
  log.appendChild(li);
}
input.addEventListener('input', () => {
  document.getElementById('typed').textContent = input.value;
});
document.addEventListener('keydown', e => {
  const inInput = e.target === input;
  if (e.key === 'Enter') note('enter ' + input.value);
  else if (e.key === 'Escape') { note('escape'); input.blur(); }
  else if (e.key === 'ArrowDown') note('down ' + (inInput ? 'input' : e.target.tagName.toLowerCase()));
  else if (!inInput && e.key.length === 1) note('key ' + e.key);
});
</script>
</body></html>
"#;

/// Serves [`PAGE`] at every path (404 for /favicon.ico) on a free port,
/// from a thread that lives as long as the test; returns the page's URL.
fn serve() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&req);
            let path = line.split_whitespace().nth(1).unwrap_or("/");
            let (status, body) = if path == "/favicon.ico" {
                ("404 Not Found", "")
            } else {
                ("200 OK", PAGE)
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/selftest")
}

fn log_lines(b: &Browser) -> Vec<String> {
    b.find_all("#log li")
        .unwrap()
        .iter()
        .map(|li| b.text(li).unwrap())
        .collect()
}

#[test]
fn drives_a_page_by_the_keyboard() -> webdriver::Result<()> {
    let started = Instant::now();
    let url = serve();
    let b = Browser::start()?;
    eprintln!("chromedriver and Chromium up in {:?}", started.elapsed());

    b.goto(&url)?;
    assert_eq!(b.current_url()?, url);
    assert_eq!(
        b.execute("return document.title", &[])?,
        "webdriver selftest"
    );

    // Typing into the input: its value and the page's echo of it.
    let input = b.find("#name")?;
    assert_eq!(b.attr(&input, "id")?.as_deref(), Some("name"));
    assert_eq!(b.attr(&input, "data-role")?.as_deref(), Some("name field"));
    assert_eq!(b.attr(&input, "no-such-attribute")?, None);
    b.click(&input)?;
    b.send_keys(&input, "hello")?;
    assert_eq!(
        b.execute("return arguments[0].value", &[input.json()])?,
        "hello"
    );
    assert_eq!(b.text(&b.find("#typed")?)?, "hello");
    assert!(log_lines(&b).is_empty(), "{:?}", log_lines(&b));

    // Keys to the focused element: the input still has the focus, so
    // letters land in it and Enter reaches the document's handler.
    b.keys_to_active("ab")?;
    b.keys_to_active(keys::ENTER)?;
    b.wait_until(
        "return document.querySelectorAll('#log li').length === 1",
        Duration::from_secs(5),
    )?;
    assert_eq!(log_lines(&b), ["enter helloab"]);
    assert_eq!(b.text(&b.find("#typed")?)?, "helloab");
    b.keys_to_active(keys::ARROW_DOWN)?;
    assert_eq!(log_lines(&b), ["enter helloab", "down input"]);

    // Escape blurs the input; then the body has the focus, letters are
    // the document's to handle and the input's value stays.
    b.keys_to_active(keys::ESCAPE)?;
    assert_eq!(
        b.execute("return document.activeElement.tagName", &[])?,
        "BODY"
    );
    b.keys_to_active(&format!("x{}", keys::ARROW_DOWN))?;
    assert_eq!(
        log_lines(&b),
        [
            "enter helloab",
            "down input",
            "escape",
            "key x",
            "down body"
        ]
    );
    assert_eq!(
        b.execute("return document.getElementById('name').value", &[])?,
        "helloab"
    );

    // Scripts: arguments and elements in, values and elements out.
    assert_eq!(
        b.execute(
            "return arguments[0] + arguments[1].n",
            &[json!(40), json!({"n": 2})]
        )?,
        42
    );
    let found = b.execute("return document.querySelector('#log')", &[])?;
    let log = Element::from_json(&found).expect("an element comes back from a script");
    assert_eq!(log, b.find("#log")?);
    assert_eq!(
        b.text(&log)?.lines().collect::<Vec<_>>(),
        [
            "enter helloab",
            "down input",
            "escape",
            "key x",
            "down body"
        ]
    );

    // Errors say what was asked and what chromedriver answered.
    let e = b.find("#no-such-thing").unwrap_err().to_string();
    assert!(
        e.contains("#no-such-thing") && e.contains("no such element"),
        "{e}"
    );
    assert!(b.find_all("#no-such-thing")?.is_empty());
    let e = b
        .execute("return undefinedName.x", &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("undefinedName") && e.contains("javascript error"),
        "{e}"
    );
    let e = b
        .wait_until("return 1 + 1 === 3", Duration::from_millis(200))
        .unwrap_err()
        .to_string();
    assert!(e.contains("1 + 1 === 3") && e.contains("false"), "{e}");

    // A screenshot of the viewport, as wide as the page says it is.
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("webdriver-selftest.png");
    let _ = std::fs::remove_file(&shot);
    b.screenshot_png(&shot)?;
    let png = std::fs::read(&shot).expect("the screenshot was written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR",
        "{}: not a PNG",
        shot.display()
    );
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    let viewport = b.execute(
        "return [Math.round(innerWidth * devicePixelRatio), Math.round(innerHeight * devicePixelRatio)]",
        &[],
    )?;
    assert_eq!(
        Value::from(vec![width, height]),
        viewport,
        "{}",
        shot.display()
    );
    assert!(width >= 1000, "{width}×{height}");

    eprintln!("self test done in {:?}", started.elapsed());
    Ok(())
}
