//! A field's address in a form document: `project.department`,
//! `funds.annual.total`, `indicators[3].value`, `indicators[3]` (a whole
//! row), `$` (the whole form).
//!
//! The contract names fields by these strings (`repairs[].path`,
//! `warnings[].path`, `provenance` keys, `verdicts[].path`); [`FieldPath`]
//! is their parsed form, so that a path given by a person (a verdict) is
//! checked against the document's shape before anything is touched, and
//! code that walks a document does not split strings.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// One step of a path: an object key or a list position.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A parsed JSON path of a form document. The empty path is the whole form
/// (written `$`).
///
/// Paths order as their text does (`indicators[10]` before
/// `indicators[2]`), so that a map keyed by paths (`provenance`) is written
/// in the key order the contract has always had.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FieldPath(Vec<Step>);

/// Why a text is not a field path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is no field path ({why}); paths look like project.name or indicators[3].value")]
pub struct BadPath {
    pub text: String,
    pub why: &'static str,
}

/// The longest path text taken (the deepest real path is well under it).
const MAX_PATH_CHARS: usize = 200;

impl FieldPath {
    /// The whole form.
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    /// A named field of the form from its keys: `of(&["funds", "annual",
    /// "total"])` is `funds.annual.total`.
    pub fn of(keys: &[&str]) -> FieldPath {
        keys.iter().fold(FieldPath::root(), |p, k| p.key(k))
    }

    /// Row `i` of the indicator table, `indicators[i]`.
    pub fn indicator(i: usize) -> FieldPath {
        FieldPath::of(&["indicators"]).index(i)
    }

    pub fn steps(&self) -> &[Step] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// This path with `key` appended.
    pub fn key(mut self, key: &str) -> FieldPath {
        self.0.push(Step::Key(key.to_string()));
        self
    }

    /// This path with position `i` appended.
    pub fn index(mut self, i: usize) -> FieldPath {
        self.0.push(Step::Index(i));
        self
    }

    /// Whether `self` is `other` or lies inside it (`indicators[3].value`
    /// inside `indicators[3]`; everything inside the root).
    pub fn within(&self, other: &FieldPath) -> bool {
        self.0.starts_with(&other.0)
    }

    /// `indicators[i]…` → `Some(i)` and the rest of the path.
    pub fn indicator_row(&self) -> Option<(usize, &[Step])> {
        match self.0.as_slice() {
            [Step::Key(k), Step::Index(i), rest @ ..] if k == "indicators" => Some((*i, rest)),
            _ => None,
        }
    }

    /// The same path with its indicator row renumbered to `row`.
    pub fn with_indicator_row(&self, row: usize) -> FieldPath {
        let mut steps = self.0.clone();
        if self.indicator_row().is_some() {
            steps[1] = Step::Index(row);
        }
        FieldPath(steps)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("$");
        }
        for (n, step) in self.0.iter().enumerate() {
            match step {
                Step::Key(k) if n == 0 => f.write_str(k)?,
                Step::Key(k) => write!(f, ".{k}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

impl Ord for FieldPath {
    /// By text, then (for keys that are no lower-case word, which no
    /// contract path has) by steps, so that only equal paths compare equal.
    fn cmp(&self, other: &FieldPath) -> Ordering {
        self.to_string()
            .cmp(&other.to_string())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for FieldPath {
    fn partial_cmp(&self, other: &FieldPath) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Compares with the written path, so `d.path == "project.name"` reads as
/// the JSON does (the root is `$`).
impl PartialEq<&str> for FieldPath {
    fn eq(&self, other: &&str) -> bool {
        let text = self.to_string();
        text == *other
    }
}

impl FromStr for FieldPath {
    type Err = BadPath;

    /// `$` or `` is the root; keys are lower-case ASCII words with `_`;
    /// positions are decimal without leading zeros.
    fn from_str(text: &str) -> Result<FieldPath, BadPath> {
        let bad = |why| BadPath {
            text: text.chars().take(MAX_PATH_CHARS).collect(),
            why,
        };
        if text.len() > MAX_PATH_CHARS {
            return Err(bad("too long"));
        }
        if text.is_empty() || text == "$" {
            return Ok(FieldPath::root());
        }
        let mut steps = Vec::new();
        for (n, part) in text.split('.').enumerate() {
            let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
            let key_ok = !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !key_ok {
                return Err(bad(if n == 0 || key.is_empty() {
                    "a key is empty or not a lower-case word"
                } else {
                    "a key is not a lower-case word"
                }));
            }
            steps.push(Step::Key(key.to_string()));
            while !rest.is_empty() {
                let (digits, after) = rest.split_once(']').ok_or_else(|| bad("unclosed ["))?;
                let canonical = !digits.is_empty()
                    && digits.bytes().all(|b| b.is_ascii_digit())
                    && (digits == "0" || !digits.starts_with('0'));
                let i = digits
                    .parse()
                    .ok()
                    .filter(|_| canonical)
                    .ok_or_else(|| bad("a position is not a number"))?;
                steps.push(Step::Index(i));
                rest = match after.strip_prefix('[') {
                    Some(r) => r,
                    None if after.is_empty() => "",
                    None => return Err(bad("text after ]")),
                };
            }
        }
        Ok(FieldPath(steps))
    }
}

impl Serialize for FieldPath {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for FieldPath {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FieldPath, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_back_as_written() {
        for text in [
            "$",
            "project.department",
            "funds.annual.total",
            "indicators[3]",
            "indicators[12].value",
            "goals.annual",
        ] {
            let path: FieldPath = text.parse().unwrap();
            assert_eq!(path.to_string(), text);
        }
        assert_eq!("".parse::<FieldPath>().unwrap(), FieldPath::root());
        let row: FieldPath = "indicators[12].value".parse().unwrap();
        assert_eq!(row.indicator_row().map(|(i, _)| i), Some(12));
        assert_eq!(row.with_indicator_row(4).to_string(), "indicators[4].value");
        assert!(row.within(&"indicators[12]".parse().unwrap()));
        assert!(row.within(&FieldPath::root()));
        assert!(!row.within(&"indicators[1]".parse().unwrap()));
    }

    #[test]
    fn paths_are_built_as_they_are_written() {
        assert_eq!(
            FieldPath::of(&["funds", "annual", "total"]).to_string(),
            "funds.annual.total"
        );
        assert_eq!(
            FieldPath::indicator(3).key("value").to_string(),
            "indicators[3].value"
        );
        assert_eq!(FieldPath::of(&[]), FieldPath::root());
    }

    #[test]
    fn paths_sort_as_their_text() {
        let mut paths = [
            FieldPath::indicator(2).key("value"),
            FieldPath::indicator(10).key("name"),
            FieldPath::of(&["goals", "annual"]),
            FieldPath::indicator(1),
            FieldPath::root(),
        ];
        paths.sort();
        let text: Vec<String> = paths.iter().map(ToString::to_string).collect();
        let mut sorted = text.clone();
        sorted.sort();
        assert_eq!(text, sorted);
        assert_eq!(text[1], "goals.annual");
        // Keys that print alike are still told apart.
        let odd = FieldPath::root().key("a.b");
        assert_ne!(odd.cmp(&FieldPath::of(&["a", "b"])), Ordering::Equal);
    }

    #[test]
    fn malformed_paths_are_refused_with_the_reason() {
        for text in [
            "project..name",
            "Project.name",
            "indicators[x]",
            "indicators[01]",
            "indicators[3",
            "indicators[3]x",
            ".name",
            "项目.name",
        ] {
            let err = text.parse::<FieldPath>().unwrap_err();
            assert!(err.to_string().contains(text), "{err}");
        }
        assert!("a".repeat(300).parse::<FieldPath>().is_err());
    }
}
