//! Helpers shared by the end-to-end tests: running the CLI, reading JSON,
//! and the output contract's text comparison.

#![allow(dead_code)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use unicode_normalization::UnicodeNormalization;

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

pub fn temp_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("jx-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `jxingest INPUT --out OUT`, returning the exit code.
pub fn run_cli(input: &Path, out: &Path) -> i32 {
    let status = Command::new(env!("CARGO_BIN_EXE_jxingest"))
        .arg(input)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .status()
        .expect("jxingest runs");
    status.code().unwrap_or(-1)
}

pub fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every `*.json` below `dir`, relative, sorted.
pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The contract's comparison of texts: NFKC, all white space removed.
pub fn norm(s: &str) -> String {
    s.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// Lists where `got` differs from `want`, comparing strings by [`norm`] and
/// skipping the keys in `skip` (at any depth).
pub fn diff(want: &Value, got: &Value, path: &str, skip: &[&str], out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                if skip.contains(&k.as_str()) {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(vb) => diff(va, vb, &p, skip, out),
                    None => out.push(format!("{p}: missing key (want {va})")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{path}: {} items, want {}", b.len(), a.len()));
            }
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff(va, vb, &format!("{path}[{i}]"), skip, out);
            }
        }
        (Value::String(a), Value::String(b)) if norm(a) == norm(b) => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!("{path}: got {b}, want {a}")),
    }
}

/// A validator for `schema/project.v1.schema.json`, the project's own copy
/// of the output contract.
pub fn schema_validator() -> jsonschema::Validator {
    let schema = read_json(&root().join("schema/project.v1.schema.json"));
    jsonschema::validator_for(&schema).expect("schema compiles")
}
