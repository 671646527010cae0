//! What a field may hold: the one place that says whether a text has the
//! shape of a field (an amount, a date, a target value), whether it is of
//! the form's vocabulary (its printed labels, the indicator taxonomy),
//! which of two readings of a cell the form supports
//! ([`FieldGrammar::prefer`]), and what a value's operator is when the
//! pixels show a barred chevron ([`settle_operator`]).
//!
//! The OCR layer asks these questions when it decides whether a cell needs
//! a second reading and which of two readings to keep, through its
//! `jx_ocr::Arbiter` seam (jx-ingest hands it a [`FieldGrammar`]); it holds
//! no field pattern of its own and rewrites no reading: it reports evidence
//! (texts, per-character margins, a [`HeadChevron`]) and the form layer
//! mends ([`crate::record::Recorder::read`]).
//!
//! The shapes are *recognition* shapes: "could this cell be a field's
//! value", asked of a reading before any field is known. They are not the
//! normalizers of [`crate::normalize`], whose languages differ from them
//! both ways (see [`FieldGrammar::fits_field`]); the shapes are kept
//! exactly as the OCR arbitration has always used them, so that the
//! readings kept on the sample scans stay the same.

use crate::{labels, taxonomy};
use jx_model::text::squeeze;
use jx_model::{HeadChevron, Pointing};
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

/// An amount as a reading may show it: digits in groups of three with or
/// without each grouping comma (OCR loses some), up to four decimals.
///
/// Differs from [`crate::normalize::money`]: that one also takes `¥`, `元`,
/// blanks (`-`, `/`), any number of decimals that are zeros beyond cents,
/// but only consistent grouping; this one takes a partly grouped
/// `1234,567.00` and `1.2345`, which `money` refuses.
static AMOUNT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^-?[0-9]{1,3}(,?[0-9]{3})*(\.[0-9]{1,4})?$").unwrap());

/// A date with separators (`2024-01-01`, `2024年1月1日`, `2024/1/1`).
///
/// Differs from [`crate::normalize::date`]: that one checks the calendar
/// (this shape takes `2024-13-45`), and takes `20240101` (which this one
/// leaves to [`AMOUNT`]) and spaces (a reading compared here has none).
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9]{4}([-/.年])[0-9]{1,2}[-/.月][0-9]{1,2}日?$").unwrap());

/// A target value: an optional one-character operator, a number (its
/// thousands grouped by commas or not: `≥1,850(户)` is what the forms
/// print), an optional bracketed unit of up to six characters or `%`.
///
/// A strict subset of what [`crate::normalize::value`] parses (that one
/// also takes `>=`, full-width operators, negative numbers, units of up to
/// twelve characters and bare units such as `95人`); the narrower shape is
/// the one arbitration has been measured with. Without the grouped form a
/// reading that kept the comma lost to one that dropped it (held-out
/// bishan scans: four counts `≥1,850(户)` came out `≥1850(户)`).
static VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[≥≤<>=]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?([(（][^()（）]{1,6}[)）]|%)?$")
        .unwrap()
});

/// The form's field grammar and vocabulary.
#[derive(Debug, Clone)]
pub struct FieldGrammar {
    /// Every label spelling and taxonomy entry, spaces removed.
    vocabulary: HashSet<String>,
    /// The form's printed field labels of [`MIN_HELD_LABEL_CHARS`] or more
    /// characters, spaces removed (what a cell that swallowed its
    /// neighbour shows inside its value).
    labels: Vec<String>,
}

/// The shortest label looked for inside a reading: four characters
/// (`项目类别`, `主管部门`); shorter spellings (`项目`) stand in ordinary
/// text too often to say anything.
const MIN_HELD_LABEL_CHARS: usize = 4;

impl Default for FieldGrammar {
    fn default() -> Self {
        Self::new()
    }
}

impl FieldGrammar {
    /// The grammar of the 绩效目标申报表: its labels
    /// ([`labels::VOCABULARY`], every spelling) and the indicator taxonomy
    /// ([`taxonomy::all_labels`]).
    pub fn new() -> Self {
        let vocabulary = labels::VOCABULARY
            .iter()
            .flat_map(|(_, ws)| ws.iter().copied())
            .chain(taxonomy::all_labels())
            .map(squeeze)
            .collect();
        let mut labels: Vec<String> = labels::VOCABULARY
            .iter()
            .flat_map(|(_, ws)| ws.iter().copied())
            .map(squeeze)
            .filter(|l| l.chars().count() >= MIN_HELD_LABEL_CHARS)
            .collect();
        labels.sort();
        labels.dedup();
        FieldGrammar { vocabulary, labels }
    }

    /// Whether a printed label of the form stands inside `text` (spaces
    /// removed) that is not itself of the vocabulary: `经常性项目项目类别`,
    /// a value read together with the next cell's label.
    pub fn holds_label(&self, text: &str) -> bool {
        !self.in_vocabulary(text) && self.labels.iter().any(|l| text.contains(l.as_str()))
    }

    /// Whether `text` (a reading, spaces removed) has the shape of an
    /// amount, a date or a target value.
    pub fn fits_field(&self, text: &str) -> bool {
        AMOUNT.is_match(text) || DATE.is_match(text) || VALUE.is_match(text)
    }

    /// Whether `text` (spaces removed) is a label or a taxonomy entry.
    pub fn in_vocabulary(&self, text: &str) -> bool {
        self.vocabulary.contains(text)
    }

    /// Which of two readings of one cell (spaces removed, operators
    /// settled) the form supports, and why: the one with a field's shape
    /// where the other has none, then the one of the form's vocabulary.
    /// `None`: the form says nothing between them (known words or the
    /// engines' confidence must decide, and the choice stays a doubt).
    pub fn prefer(&self, a: &str, b: &str) -> Option<(Preferred, &'static str)> {
        let pick = |x: bool, y: bool| match (x, y) {
            (true, false) => Some(Preferred::First),
            (false, true) => Some(Preferred::Second),
            _ => None,
        };
        if let Some(p) = pick(self.fits_field(a), self.fits_field(b)) {
            return Some((p, "fits the field pattern"));
        }
        pick(self.in_vocabulary(a), self.in_vocabulary(b))
            .map(|p| (p, "is in the form's vocabulary"))
    }
}

/// Which of two readings [`FieldGrammar::prefer`] keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preferred {
    First,
    Second,
}

/// Why an operator was settled, as the repair says it.
pub const SETTLED_WHY: &str = "comparison operator settled from its pixels: a chevron with a \
     separate bar under it is ≥ or ≤, whatever the engine read";

/// The reading `text` with its head operator settled by the pixels' `head`
/// evidence, or `None` where nothing changes: `>90` → `≥90`, `之85` →
/// `≥85`, `入70` → `≤70`, `>>98` → `≥98`, and `90` → `≥90` where the engine
/// read nothing for the chevron. Only the head of a value is touched: one
/// character of any shape or two marks (never two ideographs: `查率100%` is
/// the tail of a sentence, however its first stroke looks) followed by a
/// digit; `=` is read right whatever its look.
pub fn settle_operator(text: &str, head: Option<HeadChevron>) -> Option<String> {
    let head = head?;
    let op = match head.pointing {
        Pointing::Right => '≥',
        Pointing::Left => '≤',
    };
    if head.unread && text.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(format!("{op}{text}"));
    }
    let chars: Vec<char> = text.chars().collect();
    let d = chars
        .iter()
        .position(|c| c.is_ascii_digit())
        .filter(|&d| (1..=2).contains(&d))?;
    let slot = &chars[..d];
    let ideograph = |c: &char| ('\u{3400}'..='\u{9FFF}').contains(c);
    let plausible = slot
        .iter()
        .all(|&c| !c.is_ascii_alphanumeric() && !c.is_whitespace() && c != '(' && c != '（')
        && (d == 1 || !slot.iter().any(ideograph));
    if !plausible || slot == ['='] || slot == [op] {
        return None;
    }
    Some(
        std::iter::once(op)
            .chain(chars[d..].iter().copied())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize;

    #[test]
    fn field_shapes() {
        let g = FieldGrammar::new();
        for t in [
            "12.50",
            "1,094,910,000.00",
            "1234,567.00",
            "-5",
            "2024-01-01",
            "2024年1月1日",
            "≥95.00(%)",
            "=23000.00（人）",
            "≥1,850(户)",
            "95%",
        ] {
            assert!(g.fits_field(t), "{t}");
        }
        for t in [
            "12.5O",
            "之95.00(%)",
            "项目名称",
            "及时",
            "",
            "1.2.3",
            "2024年重阳节前",
        ] {
            assert!(!g.fits_field(t), "{t}");
        }
    }

    #[test]
    fn shapes_differ_from_the_normalizers_as_documented() {
        // Amounts: partial grouping and four decimals here, not in `money`.
        assert!(AMOUNT.is_match("1234,567.00") && normalize::money("1234,567.00", 0).is_err());
        assert!(AMOUNT.is_match("1.2345") && normalize::money("1.2345", 0).is_err());
        assert!(!AMOUNT.is_match("¥12") && normalize::money("¥12", 0).is_ok());
        // Dates: no calendar check here.
        assert!(DATE.is_match("2024-13-45") && normalize::date("2024-13-45").is_err());
        // Values: every shape taken here parses as a value.
        for t in [
            "≥95.00(%)",
            "=23000.00（人）",
            "≥1,850(户)",
            "95%",
            "<3(天)",
            "12",
        ] {
            assert!(
                VALUE.is_match(t) && normalize::value(t).number.is_some(),
                "{t}"
            );
        }
        assert!(!VALUE.is_match("95人") && normalize::value("95人").number.is_some());
    }

    #[test]
    fn a_barred_chevron_settles_the_operator_at_a_values_head() {
        let ge = Some(HeadChevron {
            pointing: Pointing::Right,
            unread: false,
        });
        let le = Some(HeadChevron {
            pointing: Pointing::Left,
            unread: false,
        });
        let settled = |t: &str, h| settle_operator(t, h).unwrap_or_else(|| t.to_string());
        assert_eq!(settled(">90.00(%)", ge), "≥90.00(%)");
        assert_eq!(settled("之85.00(%)", ge), "≥85.00(%)");
        assert_eq!(settled(">>98.00(%)", ge), "≥98.00(%)");
        assert_eq!(settled("入70.00(元/亩)", le), "≤70.00(元/亩)");
        // Nothing to settle: already right, `=`, no operator slot, no
        // evidence.
        for (t, h) in [
            ("≥90.00(%)", ge),
            ("=100.00(%)", ge),
            ("2024年重阳节前", ge),
            ("及时", ge),
            ("查率100%", ge),
            (">90.00(%)", None),
        ] {
            assert_eq!(settle_operator(t, h), None, "{t}");
        }
        // The engine read nothing for the chevron.
        let unread = Some(HeadChevron {
            pointing: Pointing::Right,
            unread: true,
        });
        assert_eq!(settled("90.00(%)", unread), "≥90.00(%)");
    }

    #[test]
    fn the_form_prefers_a_fields_shape_then_its_vocabulary() {
        let g = FieldGrammar::new();
        assert_eq!(
            g.prefer("12.5O", "12.50"),
            Some((Preferred::Second, "fits the field pattern"))
        );
        assert_eq!(
            g.prefer("项目名称", "项日名称"),
            Some((Preferred::First, "is in the form's vocabulary"))
        );
        assert_eq!(g.prefer("璧山区", "壁山区"), None);
    }

    #[test]
    fn vocabulary_is_labels_and_taxonomy() {
        let g = FieldGrammar::new();
        assert!(g.in_vocabulary("项目名称"));
        assert!(g.in_vocabulary("预算主管部门"));
        assert!(g.in_vocabulary("服务对象满意度指标"));
        assert!(!g.in_vocabulary("项日名称"));
        assert!(g.holds_label("经常性项目项目类别"));
        assert!(!g.holds_label("项目类别"), "a label alone is a label");
        assert!(!g.holds_label("经常性项目"));
    }
}
