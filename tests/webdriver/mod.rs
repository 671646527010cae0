//! A minimal synchronous WebDriver (W3C) client for the browser tests:
//! starts `chromedriver` on a free loopback port, opens one session of
//! headless Chromium with a fresh profile, and drives it — navigation,
//! CSS lookups, text and attributes, clicks, typing (into an element or
//! as key presses to whatever has the focus, for pages that handle
//! `keydown` on the document), scripts, polling and screenshots.
//!
//! ```ignore
//! mod webdriver;
//! let b = webdriver::Browser::start()?;
//! b.goto("http://127.0.0.1:8080/")?;
//! b.keys_to_active(webdriver::keys::ENTER)?;
//! ```
//!
//! Dropping the [`Browser`] deletes the session (Chromium exits), kills
//! chromedriver and removes the temporary profile.
//!
//! `chromedriver` is Debian's `chromium-driver` (`scripts/install-deps`
//! installs it), at `/usr/bin/chromedriver` unless `JX_CHROMEDRIVER` names
//! another; Chromium is `/usr/bin/chromium` unless `JX_CHROMIUM` does.
//!
//! HTTP: a hand-written HTTP/1.1 client over `TcpStream` (below, ~70 lines),
//! not `ureq`: ureq 3.5 without default features but with `json` is 15
//! crates, 7 of them new to Cargo.lock (ureq, ureq-proto, http, httparse,
//! bytes, base64, utf8-zero; ~66,000 lines of Rust), to talk plain HTTP to
//! one local server that answers with Content-Length and JSON.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::fmt;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Where Debian's `chromium-driver` installs chromedriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Where Debian installs Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// How long chromedriver may take to answer `/status` after starting.
const STARTUP: Duration = Duration::from_secs(20);
/// How long one command may take (a page load included).
const COMMAND: Duration = Duration::from_secs(60);

/// The key of a web element reference in W3C JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// W3C code points of the special keys, for [`Browser::send_keys`] and
/// [`Browser::keys_to_active`] (the page sees `KeyboardEvent.key` =
/// the constant's name, e.g. "Enter", "ArrowDown").
pub mod keys {
    pub const BACKSPACE: &str = "\u{E003}";
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const SHIFT: &str = "\u{E008}";
    pub const CONTROL: &str = "\u{E009}";
    pub const ALT: &str = "\u{E00A}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const SPACE: &str = "\u{E00D}";
    pub const PAGE_UP: &str = "\u{E00E}";
    pub const PAGE_DOWN: &str = "\u{E00F}";
    pub const END: &str = "\u{E010}";
    pub const HOME: &str = "\u{E011}";
    pub const ARROW_LEFT: &str = "\u{E012}";
    pub const ARROW_UP: &str = "\u{E013}";
    pub const ARROW_RIGHT: &str = "\u{E014}";
    pub const ARROW_DOWN: &str = "\u{E015}";
    pub const DELETE: &str = "\u{E017}";
}

/// What went wrong: what was asked and what chromedriver answered (or why
/// it could not be asked). `Debug` prints the same text, so `unwrap` and
/// tests returning `Result` show it whole.
pub struct Error(pub String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

pub type Result<T> = std::result::Result<T, Error>;

/// A web element found in the current page (its WebDriver id).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Element(pub String);

impl Element {
    /// The element as a script argument for [`Browser::execute`].
    pub fn json(&self) -> Value {
        json!({ ELEMENT_KEY: self.0 })
    }

    /// An element returned by a script, if `v` is one.
    pub fn from_json(v: &Value) -> Option<Element> {
        v.get(ELEMENT_KEY)?.as_str().map(|s| Element(s.to_string()))
    }
}

/// chromedriver, one headless Chromium session, and their temporary files.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    /// Holds the Chromium profile (`profile/`) and chromedriver's output.
    dir: PathBuf,
}

fn program(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn temp_dir() -> Result<PathBuf> {
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "jx-webdriver-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("profile"))
        .map_err(|e| Error(format!("creating {}: {e}", d.display())))?;
    Ok(d)
}

fn free_port() -> Result<u16> {
    let l = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| Error(format!("binding 127.0.0.1:0 for a free port: {e}")))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| Error(format!("reading a bound port: {e}")))
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session.
    pub fn start() -> Result<Browser> {
        let chromedriver = program("JX_CHROMEDRIVER", CHROMEDRIVER);
        if !chromedriver.is_file() {
            return Err(Error(format!(
                "chromedriver is needed for the browser tests and was not found at {} \
                 (scripts/install-deps installs Debian's chromium-driver; \
                 JX_CHROMEDRIVER names another)",
                chromedriver.display()
            )));
        }
        let chromium = program("JX_CHROMIUM", CHROMIUM);
        if !chromium.is_file() {
            return Err(Error(format!(
                "Chromium is needed for the browser tests and was not found at {} \
                 (scripts/install-deps installs Debian's chromium; JX_CHROMIUM names another)",
                chromium.display()
            )));
        }
        let dir = temp_dir()?;
        let port = free_port()?;
        let log = dir.join("chromedriver.log");
        let out = std::fs::File::create(&log)
            .map_err(|e| Error(format!("creating {}: {e}", log.display())))?;
        let err = out
            .try_clone()
            .map_err(|e| Error(format!("{}: {e}", log.display())))?;
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| Error(format!("starting {}: {e}", chromedriver.display())))?;
        // From here on, Drop cleans up whatever was started.
        let mut b = Browser {
            driver,
            port,
            session: String::new(),
            dir,
        };
        b.wait_ready(&chromedriver)?;
        let profile = b.dir.join("profile");
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.to_string_lossy(),
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1400,1000",
                    format!("--user-data-dir={}", profile.display()),
                ],
            },
        }}});
        let v = b.cmd(
            "start a headless Chromium session",
            "POST",
            "/session",
            Some(&caps),
        )?;
        b.session = v
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                Error(format!(
                    "start a headless Chromium session: POST /session answered without a \
                     sessionId: {}",
                    brief(&v)
                ))
            })?
            .to_string();
        Ok(b)
    }

    /// Waits (at most [`STARTUP`]) until chromedriver's `/status` says ready.
    fn wait_ready(&mut self, chromedriver: &Path) -> Result<()> {
        let start = Instant::now();
        let mut last = String::from("nothing yet");
        while start.elapsed() < STARTUP {
            if let Ok(Some(status)) = self.driver.try_wait() {
                return Err(Error(format!(
                    "{} --port={} exited ({status}) before answering /status; its output: {}",
                    chromedriver.display(),
                    self.port,
                    self.driver_log()
                )));
            }
            match http(self.port, "GET", "/status", None, Duration::from_secs(2)) {
                Ok((200, v)) if v["value"]["ready"] == true => return Ok(()),
                Ok((code, v)) => last = format!("HTTP {code}: {}", brief(&v)),
                Err(e) => last = e,
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(Error(format!(
            "{} --port={} did not answer GET /status as ready within {:?}; last answer: {last}; \
             its output: {}",
            chromedriver.display(),
            self.port,
            STARTUP,
            self.driver_log()
        )))
    }

    fn driver_log(&self) -> String {
        let text = std::fs::read_to_string(self.dir.join("chromedriver.log")).unwrap_or_default();
        let text = text.trim();
        if text.is_empty() {
            "(none)".into()
        } else {
            tail(text, 2000).to_string()
        }
    }

    /// One WebDriver command; `what` says what was asked, for errors.
    /// Returns the answer's `value`.
    fn cmd(&self, what: &str, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let shown = match body {
            Some(b) => format!("{method} {path} {}", brief(b)),
            None => format!("{method} {path}"),
        };
        let (code, answer) = http(self.port, method, path, body, COMMAND)
            .map_err(|e| Error(format!("{what}: {shown}: {e}")))?;
        let value = answer.get("value").cloned().unwrap_or(Value::Null);
        if code != 200 || value.get("error").is_some() {
            let error = value["error"].as_str().unwrap_or("(no error code)");
            let message = value["message"].as_str().unwrap_or("");
            // chromedriver's message ends with a stack trace of its own
            // code; the first line says it.
            let message = message.lines().next().unwrap_or("");
            return Err(Error(format!(
                "{what}: {shown} → HTTP {code}, {error}: {message}"
            )));
        }
        Ok(value)
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    /// Opens `url` and waits for it to load.
    pub fn goto(&self, url: &str) -> Result<()> {
        self.cmd(
            &format!("go to {url}"),
            "POST",
            &self.s("/url"),
            Some(&json!({ "url": url })),
        )?;
        Ok(())
    }

    /// The URL of the current page.
    pub fn current_url(&self) -> Result<String> {
        let v = self.cmd("read the current URL", "GET", &self.s("/url"), None)?;
        as_string(v, "read the current URL")
    }

    /// The first element matching the CSS selector.
    pub fn find(&self, css: &str) -> Result<Element> {
        let what = format!("find the element matching CSS `{css}`");
        let v = self.cmd(
            &what,
            "POST",
            &self.s("/element"),
            Some(&json!({ "using": "css selector", "value": css })),
        )?;
        Element::from_json(&v)
            .ok_or_else(|| Error(format!("{what}: answered {} (no element)", brief(&v))))
    }

    /// Every element matching the CSS selector, in document order (none is
    /// not an error).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let what = format!("find the elements matching CSS `{css}`");
        let v = self.cmd(
            &what,
            "POST",
            &self.s("/elements"),
            Some(&json!({ "using": "css selector", "value": css })),
        )?;
        v.as_array()
            .and_then(|a| a.iter().map(Element::from_json).collect())
            .ok_or_else(|| Error(format!("{what}: answered {} (not elements)", brief(&v))))
    }

    /// The element's rendered text (`innerText`-like: hidden text excluded).
    pub fn text(&self, el: &Element) -> Result<String> {
        let what = format!("read the text of element {}", el.0);
        let v = self.cmd(
            &what,
            "GET",
            &self.s(&format!("/element/{}/text", el.0)),
            None,
        )?;
        as_string(v, &what)
    }

    /// The element's attribute (`None` when absent). As in WebDriver, some
    /// names read the live property: `value` of an input is what is typed.
    pub fn attr(&self, el: &Element, name: &str) -> Result<Option<String>> {
        let what = format!("read attribute `{name}` of element {}", el.0);
        let v = self.cmd(
            &what,
            "GET",
            &self.s(&format!("/element/{}/attribute/{}", el.0, name)),
            None,
        )?;
        match v {
            Value::Null => Ok(None),
            v => as_string(v, &what).map(Some),
        }
    }

    /// Clicks the element (scrolled into view first, by chromedriver).
    pub fn click(&self, el: &Element) -> Result<()> {
        self.cmd(
            &format!("click element {}", el.0),
            "POST",
            &self.s(&format!("/element/{}/click", el.0)),
            Some(&json!({})),
        )?;
        Ok(())
    }

    /// Focuses the element and types `text` into it (special keys from
    /// [`keys`] may be mixed in).
    pub fn send_keys(&self, el: &Element, text: &str) -> Result<()> {
        self.cmd(
            &format!("type {text:?} into element {}", el.0),
            "POST",
            &self.s(&format!("/element/{}/value", el.0)),
            Some(&json!({ "text": text })),
        )?;
        Ok(())
    }

    /// Presses and releases each character of `keys` (special keys from
    /// [`keys`] included) in turn on the keyboard, by W3C actions: the
    /// events go to `document.activeElement` (the body when nothing has the
    /// focus) and bubble to the document; the focus is not moved first.
    pub fn keys_to_active(&self, keys: &str) -> Result<()> {
        let mut actions = Vec::new();
        for c in keys.chars() {
            actions.push(json!({ "type": "keyDown", "value": c.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": c.to_string() }));
        }
        let body = json!({ "actions": [
            { "type": "key", "id": "keyboard", "actions": actions }
        ]});
        self.cmd(
            &format!("press {keys:?} on the focused element"),
            "POST",
            &self.s("/actions"),
            Some(&body),
        )?;
        Ok(())
    }

    /// Presses `held` (a modifier such as [`keys::SHIFT`]) while pressing
    /// `key` once, on the focused element: Shift+Enter.
    pub fn chord_to_active(&self, held: &str, key: &str) -> Result<()> {
        let actions = [
            json!({ "type": "keyDown", "value": held }),
            json!({ "type": "keyDown", "value": key }),
            json!({ "type": "keyUp", "value": key }),
            json!({ "type": "keyUp", "value": held }),
        ];
        let body = json!({ "actions": [
            { "type": "key", "id": "keyboard", "actions": actions }
        ]});
        self.cmd(
            &format!("press {key:?} with {held:?} held on the focused element"),
            "POST",
            &self.s("/actions"),
            Some(&body),
        )?;
        Ok(())
    }

    /// Runs `script` (a function body: `return …`; `arguments[i]` are
    /// `args`, elements as [`Element::json`]) and returns its result.
    pub fn execute(&self, script: &str, args: &[Value]) -> Result<Value> {
        self.cmd(
            &format!("run script {:?}", head(script, 200)),
            "POST",
            &self.s("/execute/sync"),
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// Runs `script` every 50 ms until it returns `true`; an error after
    /// `timeout`, with the last result.
    pub fn wait_until(&self, script: &str, timeout: Duration) -> Result<()> {
        let start = Instant::now();
        loop {
            let v = self.execute(script, &[])?;
            if v == true {
                return Ok(());
            }
            if start.elapsed() >= timeout {
                return Err(Error(format!(
                    "wait until {script:?} is true: still {} after {timeout:?}",
                    brief(&v)
                )));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Writes a PNG of the viewport to `path` (parent folders created).
    pub fn screenshot_png(&self, path: &Path) -> Result<()> {
        let what = format!("take a screenshot into {}", path.display());
        let v = self.cmd(&what, "GET", &self.s("/screenshot"), None)?;
        let b64 = as_string(v, &what)?;
        let png = base64_decode(&b64).map_err(|e| Error(format!("{what}: {e}")))?;
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error(format!("{what}: {e}")))?;
        }
        std::fs::write(path, png).map_err(|e| Error(format!("{what}: {e}")))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
                Duration::from_secs(10),
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // Chromium may still be closing files in its profile for a moment.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn as_string(v: Value, what: &str) -> Result<String> {
    match v {
        Value::String(s) => Ok(s),
        v => Err(Error(format!(
            "{what}: answered {} (not a string)",
            brief(&v)
        ))),
    }
}

/// `v` as JSON, shortened for messages.
fn brief(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 300 {
        format!("{}…", head(&s, 300))
    } else {
        s
    }
}

/// The first `n` bytes of `s` or so (on a character boundary).
fn head(s: &str, n: usize) -> &str {
    let mut end = s.len().min(n);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The last `n` bytes of `s` or so (on a character boundary).
fn tail(s: &str, n: usize) -> &str {
    let mut start = s.len().saturating_sub(n);
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// One HTTP/1.1 request to chromedriver on 127.0.0.1:`port`; the status
/// code and the body parsed as JSON. The connection is closed after.
fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
    timeout: Duration,
) -> std::result::Result<(u16, Value), String> {
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("connecting to 127.0.0.1:{port}: {e}"))?;
    s.set_read_timeout(Some(timeout)).ok();
    s.set_write_timeout(Some(timeout)).ok();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes())
        .and_then(|()| s.write_all(body.as_bytes()))
        .map_err(|e| format!("sending the request: {e}"))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    // Reads until the headers are in and then until Content-Length bytes
    // of body (or the end of the connection when there is none).
    let (header_end, length) = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..i]).to_ascii_lowercase();
            if head.contains("transfer-encoding: chunked") {
                return Err("chunked answers are not supported by this client".into());
            }
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            break (i + 4, length);
        }
        match s.read(&mut chunk) {
            Ok(0) => return Err(format!("connection closed before the headers: {buf:?}")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("reading the answer: {e}")),
        }
    };
    while length.is_none_or(|l| buf.len() < header_end + l) {
        match s.read(&mut chunk) {
            Ok(0) if length.is_none() => break,
            Ok(0) => return Err("connection closed before the whole body".into()),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(format!("reading the answer: {e}")),
        }
    }
    let status_line = String::from_utf8_lossy(&buf[..buf.len().min(header_end)]);
    let code = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| format!("not an HTTP answer: {:?}", tail(&status_line, 200)))?;
    let body = &buf[header_end..];
    let body = &body[..length.unwrap_or(body.len()).min(body.len())];
    let json = serde_json::from_slice(body).map_err(|e| {
        format!(
            "HTTP {code} with a body that is not JSON ({e}): {:?}",
            tail(&String::from_utf8_lossy(body), 300)
        )
    })?;
    Ok((code, json))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Standard base64 (padding optional, whitespace skipped).
fn base64_decode(s: &str) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (i, c) in s.bytes().enumerate() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\r' | b'\n' | b' ' => continue,
            _ => return Err(format!("not base64: byte {c:#04x} at {i}")),
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}
