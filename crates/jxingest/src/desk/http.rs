//! The desk's HTTP side: tiny_http (synchronous, ten crates; axum with
//! tokio was 43 crates and three times the build for the same few routes:
//! `scripts/compare-http-servers`, README), one request at a time, so
//! verdicts never race.
//!
//! Every request must carry the run's token (`X-Jx-Token` header, or `t`
//! in the query for what a page loads by URL: the page itself, its images
//! and assets); its Host must be this server's (a page of another site
//! reaching 127.0.0.1 through DNS rebinding names its own host); a request
//! marked cross-site (`Sec-Fetch-Site`, `Origin`) is refused. Writes are
//! POSTs of JSON with the token in the header, which no other page can
//! send without a CORS preflight this server never grants.

use super::state::{Decision, Desk, DeskError};
use anyhow::{Context, Result};
use percent_encoding::percent_decode_str;
use serde::Deserialize;
use serde_json::{Value, json};
use std::io::Read;
use tiny_http::{Header, Method, Request, Response};

/// The largest request body taken: a verdict is a few hundred bytes; a
/// value is at most `jx_form::verdict::MAX_VALUE_CHARS` characters.
const MAX_BODY_BYTES: u64 = 64 * 1024;

/// Bytes of randomness in the token (hex in the URL).
const TOKEN_BYTES: usize = 24;

const DESK_HTML: &str = include_str!("assets/desk.html");
const DESK_JS: &str = include_str!("assets/desk.js");
const DESK_CSS: &str = include_str!("assets/desk.css");

pub struct Server {
    http: tiny_http::Server,
    desk: Desk,
    token: String,
    port: u16,
}

impl Server {
    /// Binds 127.0.0.1 (`port` 0: a free one) with a fresh token.
    pub fn bind(desk: Desk, port: u16) -> Result<Server> {
        let http = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|e| anyhow::anyhow!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let port = http
            .server_addr()
            .to_ip()
            .context("the server has no IP address")?
            .port();
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)
            .map_err(|e| anyhow::anyhow!("no randomness for the token: {e}"))?;
        let token = bytes.iter().map(|b| format!("{b:02x}")).collect();
        Ok(Server {
            http,
            desk,
            token,
            port,
        })
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?t={}", self.port, self.token)
    }

    /// Serves until the process is stopped.
    pub fn run(&self) {
        for request in self.http.incoming_requests() {
            self.answer(request);
        }
    }

    fn answer(&self, mut request: Request) {
        let reply = match self.admit(&request) {
            Err(refusal) => refusal,
            Ok(()) => self.route(&mut request),
        };
        let _ = request.respond(reply.into_response());
    }

    /// The walls: Host, cross-site marks, token.
    fn admit(&self, request: &Request) -> Result<(), Reply> {
        let header = |name: &str| header(request, name);
        let own = [
            format!("127.0.0.1:{}", self.port),
            format!("localhost:{}", self.port),
        ];
        if !header("Host").is_some_and(|h| own.contains(&h)) {
            return Err(Reply::refused(
                421,
                "this server answers only to its own address",
            ));
        }
        if header("Sec-Fetch-Site").is_some_and(|s| s == "cross-site" || s == "same-site") {
            return Err(Reply::refused(
                403,
                "a request from another site is refused",
            ));
        }
        if let Some(origin) = header("Origin")
            && !own.iter().any(|o| origin == format!("http://{o}"))
        {
            return Err(Reply::refused(
                403,
                "a request from another origin is refused",
            ));
        }
        let url = request.url();
        let given = header("X-Jx-Token").or_else(|| query(url, "t"));
        let writes = *request.method() == Method::Post;
        let by_header = header("X-Jx-Token").is_some();
        match given {
            Some(t) if same_secret(&t, &self.token) && (!writes || by_header) => Ok(()),
            _ => Err(Reply::refused(
                403,
                "missing or wrong token: open the URL jxingest review printed",
            )),
        }
    }

    fn route(&self, request: &mut Request) -> Reply {
        let url = request.url().to_string();
        let path = url.split('?').next().unwrap_or("");
        let result = match (request.method(), path) {
            (Method::Get, "/" | "/form") => {
                Ok(Reply::page(&DESK_HTML.replace("TOKEN_SLOT", &self.token)))
            }
            (Method::Get, "/assets/desk.js") => Ok(Reply::asset(DESK_JS, "text/javascript")),
            (Method::Get, "/assets/desk.css") => Ok(Reply::asset(DESK_CSS, "text/css")),
            (Method::Get, "/api/index") => Ok(Reply::json(&self.desk.index_view())),
            (Method::Get, "/api/form") => self.form(&url),
            (Method::Get, "/img") => self.image(&url),
            (Method::Post, "/api/verdict") => self.verdict(request),
            (Method::Post, "/api/undo") => self.undo(request),
            _ => Err(DeskError::BadRequest(format!("no such page: {path}"))),
        };
        result.unwrap_or_else(|e| match e {
            DeskError::Io { .. } | DeskError::Database(_) | DeskError::Store(_) => {
                Reply::refused(500, &e.to_string())
            }
            _ => Reply::refused(400, &e.to_string()),
        })
    }

    fn form(&self, url: &str) -> Result<Reply, DeskError> {
        let file = required(url, "f")?;
        let form = number(url, "n")?;
        Ok(Reply::json(&self.desk.form_view(&file, form)?))
    }

    fn image(&self, url: &str) -> Result<Reply, DeskError> {
        let file = required(url, "f")?;
        let page = number(url, "p")?;
        let path = self.desk.image(&file, page)?;
        let bytes = std::fs::read(&path).map_err(|source| DeskError::Io {
            what: format!("cannot read {}", path.display()),
            source,
        })?;
        Ok(Reply::bytes(bytes, "image/png"))
    }

    fn verdict(&self, request: &mut Request) -> Result<Reply, DeskError> {
        let decision: Decision = body(request)?;
        let changed = self.desk.decide(&decision, &now())?;
        Ok(Reply::json(&json!({"changed": changed})))
    }

    fn undo(&self, request: &mut Request) -> Result<Reply, DeskError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Undo {
            file: String,
            form: u32,
        }
        let u: Undo = body(request)?;
        self.desk.undo(&u.file, u.form, &now())?;
        Ok(Reply::json(&json!({"changed": [u.form]})))
    }
}

/// Now, RFC 3339 in UTC, to the second.
fn now() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// A JSON body of at most [`MAX_BODY_BYTES`].
fn body<T: serde::de::DeserializeOwned>(request: &mut Request) -> Result<T, DeskError> {
    let json_type =
        header(request, "Content-Type").is_some_and(|v| v.starts_with("application/json"));
    if !json_type {
        return Err(DeskError::BadRequest("expected a JSON body".into()));
    }
    let mut bytes = Vec::new();
    request
        .as_reader()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| DeskError::Io {
            what: "cannot read the request".into(),
            source,
        })?;
    if bytes.len() as u64 > MAX_BODY_BYTES {
        return Err(DeskError::BadRequest("the request is too large".into()));
    }
    serde_json::from_slice(&bytes).map_err(|e| DeskError::BadRequest(format!("bad request: {e}")))
}

/// The value of header `name` (any case).
fn header(request: &Request, name: &str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str().to_string())
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The decoded value of `name` in the URL's query.
fn query(url: &str, name: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == name).then(|| percent_decode_str(v).decode_utf8_lossy().into_owned())
    })
}

fn required(url: &str, name: &str) -> Result<String, DeskError> {
    query(url, name).ok_or_else(|| DeskError::BadRequest(format!("missing parameter {name}")))
}

fn number(url: &str, name: &str) -> Result<u32, DeskError> {
    required(url, name)?
        .parse()
        .map_err(|_| DeskError::BadRequest(format!("parameter {name} is not a number")))
}

/// An answer, with the headers every answer carries.
struct Reply {
    status: u16,
    body: Vec<u8>,
    content_type: &'static str,
}

impl Reply {
    fn page(html: &str) -> Reply {
        Reply::bytes(html.as_bytes().to_vec(), "text/html; charset=utf-8")
    }

    fn asset(text: &str, kind: &'static str) -> Reply {
        Reply::bytes(text.as_bytes().to_vec(), kind)
    }

    fn json(value: &Value) -> Reply {
        Reply::bytes(
            serde_json::to_vec(value).expect("values serialize"),
            "application/json; charset=utf-8",
        )
    }

    fn bytes(body: Vec<u8>, content_type: &'static str) -> Reply {
        Reply {
            status: 200,
            body,
            content_type,
        }
    }

    fn refused(status: u16, why: &str) -> Reply {
        Reply {
            status,
            body: serde_json::to_vec(&json!({"error": why})).expect("values serialize"),
            content_type: "application/json; charset=utf-8",
        }
    }

    fn into_response(self) -> Response<std::io::Cursor<Vec<u8>>> {
        let headers = [
            ("Content-Type", self.content_type),
            // Scripts, styles and images from this server only; no frames.
            (
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                 connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
            ("X-Content-Type-Options", "nosniff"),
            // The token is in the URL: never sent on to anyone.
            ("Referrer-Policy", "no-referrer"),
            ("Cache-Control", "no-store"),
        ];
        let mut response = Response::from_data(self.body).with_status_code(self.status);
        for (k, v) in headers {
            response.add_header(Header::from_bytes(k, v).expect("ASCII headers"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_decode_and_secrets_compare() {
        assert_eq!(
            query("/img?f=a%2Fb%20c.pdf&p=3", "f").as_deref(),
            Some("a/b c.pdf")
        );
        assert_eq!(query("/img?f=%E5%B9%B4&p=3", "f").as_deref(), Some("年"));
        assert_eq!(query("/img?f=x", "p"), None);
        assert_eq!(query("/img?f=%zz%", "f").as_deref(), Some("%zz%"));
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}
