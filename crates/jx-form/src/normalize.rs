//! Amounts, dates and target values: exact strings, never floats.

use jx_model::Money;
use regex::Regex;
use std::sync::LazyLock;

/// Why a printed amount or date could not be normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotNormalizable(pub String);

/// An amount as an exact decimal string with two decimals and no grouping:
/// `1,094,910,000.00` → `1094910000.00`, `116822` → `116822.00`. `scale`
/// shifts the decimal point right (4 for 万元). Blank → `Ok(None)`. The
/// result is [`Money`], whose `Display` is that string.
pub fn money(text: &str, scale: u32) -> Result<Option<Money>, NotNormalizable> {
    static MONEY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(-)?([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?$").unwrap()
    });
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '¥' | '￥' | '元'))
        .map(|c| if c == '，' { ',' } else { c })
        .collect();
    if t.is_empty() || t == "-" || t == "—" || t == "/" {
        return Ok(None);
    }
    let caps = MONEY
        .captures(&t)
        .ok_or_else(|| NotNormalizable(text.to_string()))?;
    let sign = caps.get(1).map_or("", |m| m.as_str());
    let mut int: String = caps[2].replace(',', "");
    let mut frac: String = caps
        .get(3)
        .map_or(String::new(), |m| m.as_str().to_string());
    for _ in 0..scale {
        let c = if frac.is_empty() { '0' } else { frac.remove(0) };
        int.push(c);
    }
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    // Two decimals: pad, or cut only zeros (a non-zero digit beyond cents is
    // not an amount this contract can hold exactly).
    while frac.len() < 2 {
        frac.push('0');
    }
    if frac[2..].chars().any(|c| c != '0') {
        return Err(NotNormalizable(text.to_string()));
    }
    frac.truncate(2);
    // Refused only when the digits overflow even 128-bit cents.
    format!("{sign}{int}.{frac}")
        .parse()
        .map(Some)
        .map_err(|_| NotNormalizable(text.to_string()))
}

/// Characters OCR commonly reads in place of digits, with the digit.
const DIGIT_LOOKALIKES: &[(char, char)] = &[
    ('O', '0'),
    ('o', '0'),
    ('D', '0'),
    ('l', '1'),
    ('I', '1'),
    ('|', '1'),
    ('S', '5'),
    ('B', '8'),
    ('Z', '2'),
];

/// The digit OCR read as a look-alike letter (`O` for `0`), or `c` itself.
fn digit_of(c: char) -> char {
    DIGIT_LOOKALIKES
        .iter()
        .find(|(l, _)| *l == c)
        .map_or(c, |(_, d)| *d)
}

/// Text read by OCR where an amount or a date must stand, mended by what
/// the pattern guarantees: look-alike letters become digits, full-width
/// punctuation becomes ASCII, stray marks that are neither digits nor
/// separators go, and grouping commas (small, often lost or misplaced by
/// OCR) are dropped. `None` when nothing changed.
pub fn mend_ocr_number(text: &str) -> Option<String> {
    let mended: String = text
        .chars()
        .map(digit_of)
        .map(|c| match c {
            '，' => ',',
            '。' | '．' => '.',
            '－' | '—' => '-',
            '／' => '/',
            _ => c,
        })
        .filter(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | '年' | '月' | '日'))
        .collect();
    (mended != text && !mended.is_empty()).then_some(mended)
}

/// A date read by OCR, mended as [`mend_ocr_number`] mends it, and without
/// separators at its ends: a speck of dirt or the cell's rule before the
/// date reads as `.` or `:` (`.2024-01-01`), and no date begins or ends
/// with a separator. `None` when nothing changed.
pub fn mend_ocr_date(text: &str) -> Option<String> {
    let mended = mend_ocr_number(text).unwrap_or_else(|| text.to_string());
    let trimmed = mended.trim_matches(|c| matches!(c, '.' | '-' | '/'));
    (trimmed != text && !trimmed.is_empty()).then(|| trimmed.to_string())
}

/// An amount read by OCR whose separators were misread: at low resolution a
/// grouping comma reads as `.` (`1.759,369.00`, `21.467.000.00`), doubles
/// (`58,.941.00`) or gains a stray mark at an end (`.68,941.00`,
/// `d400,.500.00`). The digits are kept; the last separator before one or two
/// final digits is the decimal point, and every earlier one must stand
/// between groups of three digits (the first group one to three) — else the
/// text is not taken for an amount. `None` when that does not hold or
/// nothing changed.
pub fn mend_ocr_amount(text: &str) -> Option<String> {
    let mapped: String = text
        .chars()
        .map(digit_of)
        .map(|c| match c {
            '，' | '.' | '．' | '。' => ',',
            _ => c,
        })
        .filter(|c| c.is_ascii_digit() || *c == ',')
        .collect();
    let trimmed = mapped.trim_matches(',');
    let groups: Vec<&str> = trimmed.split(',').filter(|g| !g.is_empty()).collect();
    let (last, head) = groups.split_last()?;
    if head.is_empty() || !(1..=2).contains(&last.len()) {
        return None;
    }
    let (first, middle) = head.split_first()?;
    if !(1..=3).contains(&first.len()) || middle.iter().any(|g| g.len() != 3) {
        return None;
    }
    let out = format!("{}.{last}", head.concat());
    (out != text).then_some(out)
}

/// An amount whose only fault is irregular digit grouping
/// (`1094,910,000.00`): the digits are all there, so the commas are ignored.
pub fn money_ignoring_grouping(text: &str, scale: u32) -> Option<Money> {
    let t: String = text.chars().filter(|c| *c != ',' && *c != '，').collect();
    money(&t, scale).ok().flatten()
}

/// A target value read by OCR, mended by its pattern `op number (unit)`:
/// a look-alike of `≥` in the operator slot (`ge_lookalikes`: the habits of
/// the engine that read it, from its look-alike profile) becomes `≥`; a
/// percent unit with stray marks beside it (`(%g)`, `(%0)`, `(0%b)`) becomes
/// `(%)`, and so does a unit the engine is known to read for `%`
/// (`percent_lookalikes`, `(9)`). Words are never touched. Returns the mended text and what was
/// done, or `None`.
pub fn mend_ocr_value(
    text: &str,
    ge_lookalikes: &[String],
    percent_lookalikes: &[String],
) -> Option<(String, String)> {
    static SHAPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(?P<op>[^0-9\s(（]{1,2})?\s*(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?P<unit>[(（][^()（）]{1,6}[)）]|%)?$").unwrap()
    });
    let t = text.trim();
    let c = SHAPE.captures(t)?;
    let mut out = String::new();
    let mut done = Vec::new();
    match c.name("op").map(|m| m.as_str()) {
        Some(op) if ge_lookalikes.iter().any(|l| l == op) => {
            out.push('≥');
            done.push(format!("operator {op:?} read for ≥"));
        }
        Some(op) if value(&format!("{op}1")).op.is_some() => out.push_str(op),
        Some(_) => return None,
        None => {}
    }
    out.push_str(&c["num"]);
    if let Some(u) = c.name("unit") {
        let inner: String = u
            .as_str()
            .chars()
            .filter(|c| !matches!(c, '(' | ')' | '（' | '）'))
            .collect();
        let stray = inner.contains('%')
            && inner != "%"
            && inner.chars().all(|c| c == '%' || c.is_ascii_alphanumeric());
        if stray || percent_lookalikes.contains(&inner) {
            out.push_str("(%)");
            done.push(format!("unit {inner:?} read for %"));
        } else {
            out.push_str(u.as_str());
        }
    }
    (!done.is_empty()).then(|| (out, done.join("; ")))
}

/// Marks OCR reads where the form prints none (commas, stops, dashes, bars,
/// colons, quotes); never part of a label of the form or of the taxonomy.
pub const MARKS: &[char] = &[
    '，', ',', '.', '．', '。', '、', '_', '-', '—', '|', '·', ':', '：', ';', '；', '\'', '‘',
    '’', '"',
];

/// A name read by OCR without the marks at its head and tail that the form
/// does not print there: commas, full stops, dashes, bars, colons, stray
/// quotes (`”项目名称`, `鉴定、认定费，，`, `-特定目标类`). A quote that
/// opens or closes one inside the name (`“十四五”规划`) stays, and so do
/// brackets, and a minus sign before a number. `None` when nothing changed.
pub fn strip_stray_marks(text: &str) -> Option<String> {
    let stray_head = |c: char| MARKS.contains(&c) || (c == '”' && !text.contains('“'));
    let stray_tail = |c: char| MARKS.contains(&c) || (c == '“' && !text.contains('”'));
    let t = text.trim();
    // A minus sign before a number is the number's.
    let negative =
        t.starts_with(['-', '—']) && t.chars().nth(1).is_some_and(|c| c.is_ascii_digit());
    let t = if negative {
        t
    } else {
        t.trim_start_matches(|c: char| stray_head(c) || c.is_whitespace())
    };
    let t = t.trim_end_matches(|c: char| stray_tail(c) || c.is_whitespace());
    (t != text && !t.is_empty()).then(|| t.to_string())
}

/// The first character of `text` that no budget form prints: outside the
/// ideographs, ASCII, full-width forms, CJK and general punctuation, the
/// comparison signs, units (℃, ㎡), Roman and circled numerals. A
/// recogniser's dictionary holds thousands of symbols (PP-OCR read a cover
/// title's 度项目 as `：江1☰`); one of them in a field is evidence of a
/// misreading that no confidence score gave.
pub fn implausible_char(text: &str) -> Option<char> {
    let plausible = |c: char| {
        matches!(c as u32,
            0x20..=0x7E            // ASCII
            | 0xA0..=0xFF          // Latin-1 (·, ×, ÷, °)
            | 0x2010..=0x203B      // dashes, quotes, ‰, ※
            | 0x2103 | 0x2116      // ℃ №
            | 0x2160..=0x217F      // Roman numerals
            | 0x2190..=0x2193      // arrows
            | 0x2208..=0x2265      // ∈ … ≤ ≥ ≈ ≠
            | 0x2460..=0x24FF      // circled numbers
            | 0x25A0..=0x25CF      // □ ■ ○ ●
            | 0x3000..=0x303F      // CJK punctuation
            | 0x3220..=0x3243      // parenthesised ideographs
            | 0x3380..=0x33FF      // ㎡ ㎏ …
            | 0x3400..=0x4DBF      // CJK extension A
            | 0x4E00..=0x9FFF      // CJK ideographs
            | 0xFE30..=0xFE4F      // CJK compatibility forms
            | 0xFF00..=0xFFEF)     // full-width forms
            || c.is_whitespace()
    };
    text.chars().find(|&c| !plausible(c))
}

/// The ideograph 一 read by OCR between two digits, where forms print a
/// range dash (`2021—2022年`, `1—3月`): one stroke either way, and no
/// number is written with 一 between digits. `None` when nothing changed.
pub fn mend_ocr_dashes(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut changed = false;
    let out: String = chars
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let between_digits = i > 0
                && chars[i - 1].is_ascii_digit()
                && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if c == '一' && between_digits {
                changed = true;
                '—'
            } else {
                c
            }
        })
        .collect();
    changed.then_some(out)
}

/// Brackets read by OCR as angle-bracket look-alikes (`〈`, `《`, `〔`) where
/// the closing bracket read is a round one: `系统〈2024年运维)` →
/// `系统(2024年运维)`. Only when the text holds no matching closing
/// look-alike, so real 《书名》 quotes stay. `None` when nothing changed.
pub fn mend_ocr_brackets(text: &str) -> Option<String> {
    let open_lookalikes = ['〈', '《', '〔'];
    let close_lookalikes = ['〉', '》', '〕'];
    if text.chars().any(|c| close_lookalikes.contains(&c)) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let closes_round = chars[i + 1..]
            .iter()
            .take_while(|&&d| d != '(' && d != '（')
            .any(|&d| d == ')' || d == '）');
        if open_lookalikes.contains(&c) && closes_round && i > 0 {
            out.push(if chars[i + 1..].contains(&'）') {
                '（'
            } else {
                '('
            });
            changed = true;
        } else {
            out.push(c);
        }
    }
    changed.then_some(out)
}

/// A date as ISO `YYYY-MM-DD` from `2024-01-01`, `2024年1月1日`, `2024/1/1`,
/// `2024.01.01` or `20240101`. Blank → `Ok(None)`.
pub fn date(text: &str) -> Result<Option<String>, NotNormalizable> {
    static DATE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^([0-9]{4})\s*(?:[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?|([0-9]{2})([0-9]{2}))$").unwrap()
    });
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let c = DATE
        .captures(t)
        .ok_or_else(|| NotNormalizable(text.to_string()))?;
    let y: u32 = c[1].parse().unwrap_or(0);
    let (m, d): (u32, u32) = match (c.get(2), c.get(3), c.get(4), c.get(5)) {
        (Some(m), Some(d), _, _) | (_, _, Some(m), Some(d)) => (
            m.as_str().parse().unwrap_or(0),
            d.as_str().parse().unwrap_or(0),
        ),
        _ => return Err(NotNormalizable(text.to_string())),
    };
    if !(1900..=2200).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(NotNormalizable(text.to_string()));
    }
    Ok(Some(format!("{y:04}-{m:02}-{d:02}")))
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// A target value split into operator, number and unit.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedValue {
    pub op: Option<String>,
    pub number: Option<String>,
    pub unit: Option<String>,
}

/// `=23000.00(人)` → `=`, `23000.00`, `人`; `≥90.00 (%)` → `≥`, `90.00`,
/// `%`; `95%` → no operator, `95`, `%`. Words (`及时`, `2024年重阳节前`)
/// parse to nothing: a number followed by a long phrase is not a quantity.
pub fn value(text: &str) -> ParsedValue {
    static VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(>=|<=|≥|≤|＞|＜|＝|≧|≦|=|>|<)?\s*(-?[0-9][0-9,]*(?:\.[0-9]+)?)\s*(?:[(（]\s*([^()（）]{1,12}?)\s*[)）]|([^0-9\s()（）]{1,3}))?$").unwrap()
    });
    let t = text.trim();
    let Some(c) = VALUE.captures(t) else {
        return ParsedValue::default();
    };
    let op = c.get(1).map(|m| {
        match m.as_str() {
            ">=" | "≧" => "≥",
            "<=" | "≦" => "≤",
            "＞" => ">",
            "＜" => "<",
            "＝" => "=",
            o => o,
        }
        .to_string()
    });
    let number = c[2].replace(',', "");
    if number.ends_with('.') || number == "-" {
        return ParsedValue::default();
    }
    let unit = c
        .get(3)
        .or(c.get(4))
        .map(|m| m.as_str().trim().to_string())
        .filter(|u| !u.is_empty());
    ParsedValue {
        op,
        number: Some(number),
        unit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact() {
        let money = |t: &str, scale| money(t, scale).map(|m| m.map(|m| m.to_string()));
        assert_eq!(
            money("1,094,910,000.00", 0),
            Ok(Some("1094910000.00".into()))
        );
        assert_eq!(money("116822", 0), Ok(Some("116822.00".into())));
        assert_eq!(money("0.00", 0), Ok(Some("0.00".into())));
        assert_eq!(money("12.5", 0), Ok(Some("12.50".into())));
        assert_eq!(money("-0.5", 0), Ok(Some("-0.50".into())));
        assert_eq!(money("", 0), Ok(None));
        assert_eq!(money("1.5", 4), Ok(Some("15000.00".into())));
        assert!(money("一百万", 0).is_err());
        assert!(money("1,2345.00", 0).is_err());
        assert!(money(&"9".repeat(60), 0).is_err());
    }

    #[test]
    fn dates_from_every_printed_form() {
        for t in [
            "2024-01-01",
            "2024年1月1日",
            "2024/1/1",
            "2024.01.01",
            "20240101",
            "2024 年 1 月 1 日",
        ] {
            assert_eq!(date(t), Ok(Some("2024-01-01".into())), "{t}");
        }
        assert_eq!(date(""), Ok(None));
        assert!(date("2024-02-30").is_err());
        assert!(date("明年").is_err());
    }

    #[test]
    fn ocr_numbers_are_mended_by_their_pattern() {
        assert_eq!(
            mend_ocr_number("2024-0]1-01").as_deref(),
            Some("2024-01-01")
        );
        assert_eq!(mend_ocr_number("1O0.OO").as_deref(), Some("100.00"));
        assert_eq!(
            mend_ocr_number("1,094,910,000.00").as_deref(),
            Some("1094910000.00")
        );
        assert_eq!(mend_ocr_number("2024-01-01"), None);
        // A speck before a date reads as a separator; both engines keep it.
        assert_eq!(mend_ocr_date(".2024-01-01").as_deref(), Some("2024-01-01"));
        assert_eq!(mend_ocr_date("：2024-01-01").as_deref(), Some("2024-01-01"));
        assert_eq!(mend_ocr_date("2024-12-31。").as_deref(), Some("2024-12-31"));
        assert_eq!(mend_ocr_date("2024-01-01"), None);
        assert_eq!(mend_ocr_date("..."), None);
        assert_eq!(
            money_ignoring_grouping("1094,910,000.00", 0).map(|m| m.to_string()),
            Some("1094910000.00".into())
        );
        assert_eq!(money_ignoring_grouping("abc", 0), None);
    }

    #[test]
    fn misread_separators_of_an_amount_are_mended() {
        for (read, amount) in [
            ("1.759,369.00", "1759369.00"),
            ("21.467.000.00", "21467000.00"),
            ("58,.941.00", "58941.00"),
            (".68,941.00", "68941.00"),
            ("d400,.500.00", "400500.00"),
        ] {
            assert_eq!(mend_ocr_amount(read).as_deref(), Some(amount), "{read}");
        }
        // Groups that are not thousands are not an amount misread.
        assert_eq!(mend_ocr_amount("12.34.56"), None);
        assert_eq!(mend_ocr_amount("2024.01.01"), None);
        assert_eq!(mend_ocr_amount("300"), None);
    }

    #[test]
    fn stray_marks_at_a_names_ends_go() {
        assert_eq!(strip_stray_marks("”项目名称").as_deref(), Some("项目名称"));
        assert_eq!(
            strip_stray_marks("鉴定、认定费，，").as_deref(),
            Some("鉴定、认定费")
        );
        assert_eq!(
            strip_stray_marks("-特定目标类").as_deref(),
            Some("特定目标类")
        );
        assert_eq!(strip_stray_marks("“十四五”规划"), None);
        assert_eq!(strip_stray_marks("系统(2024年运维)"), None);
        assert_eq!(strip_stray_marks("，"), None);
        assert_eq!(strip_stray_marks(".及时").as_deref(), Some("及时"));
        assert_eq!(strip_stray_marks("100%，").as_deref(), Some("100%"));
        assert_eq!(strip_stray_marks("-5.00(%)"), None);
    }

    #[test]
    fn ocr_values_are_mended_by_their_pattern_only() {
        // An engine's profile (the form layer has none of its own).
        let ge: Vec<String> = ["之", ">>"].iter().map(|s| s.to_string()).collect();
        let percent = vec!["9".to_string()];
        let mend_ocr_value = |t: &str| mend_ocr_value(t, &ge, &percent);
        assert_eq!(
            mend_ocr_value("之85.00(%)").map(|m| m.0).as_deref(),
            Some("≥85.00(%)")
        );
        assert_eq!(
            mend_ocr_value(">>90.00(%)").map(|m| m.0).as_deref(),
            Some("≥90.00(%)")
        );
        assert_eq!(
            mend_ocr_value("=100.00(%g)").map(|m| m.0).as_deref(),
            Some("=100.00(%)")
        );
        assert_eq!(
            mend_ocr_value(">90.00(0%b)").map(|m| m.0).as_deref(),
            Some(">90.00(%)")
        );
        assert_eq!(
            mend_ocr_value("=100.00(9)").map(|m| m.0).as_deref(),
            Some("=100.00(%)")
        );
        assert_eq!(mend_ocr_value("=23000.00(人)"), None);
        assert_eq!(mend_ocr_value("与政策规定一致"), None);
        assert_eq!(mend_ocr_value("约90.00(%)"), None);
        // Without the engine's habits the operator is left alone.
        assert_eq!(super::mend_ocr_value("之85.00(%)", &[], &[]), None);
        assert_eq!(super::mend_ocr_value("=100.00(9)", &[], &[]), None);
    }

    #[test]
    fn ocr_bracket_lookalikes_pair_with_the_round_closer() {
        assert_eq!(
            mend_ocr_brackets("系统〈2024年运维)").as_deref(),
            Some("系统(2024年运维)")
        );
        assert_eq!(
            mend_ocr_brackets("工作《鉴定费）").as_deref(),
            Some("工作（鉴定费）")
        );
        assert_eq!(mend_ocr_brackets("学习《条例》"), None);
        assert_eq!(mend_ocr_brackets("(汇总)"), None);
    }

    #[test]
    fn values_parse() {
        let v = value("=23000.00(人)");
        assert_eq!(
            (v.op.as_deref(), v.number.as_deref(), v.unit.as_deref()),
            (Some("="), Some("23000.00"), Some("人"))
        );
        let v = value("≥90.00 (%)");
        assert_eq!(
            (v.op.as_deref(), v.number.as_deref(), v.unit.as_deref()),
            (Some("≥"), Some("90.00"), Some("%"))
        );
        let v = value("≤3.00（天）");
        assert_eq!(
            (v.op.as_deref(), v.unit.as_deref()),
            (Some("≤"), Some("天"))
        );
        let v = value("95%");
        assert_eq!(
            (v.op, v.number.as_deref(), v.unit.as_deref()),
            (None, Some("95"), Some("%"))
        );
        assert_eq!(value("1,200.00(人次)").number.as_deref(), Some("1200.00"));
        assert_eq!(value("及时"), ParsedValue::default());
        assert_eq!(value("2024年重阳节前"), ParsedValue::default());
        assert_eq!(value("与政策规定一致"), ParsedValue::default());
    }

    #[test]
    fn a_one_between_digits_is_a_dash() {
        assert_eq!(
            mend_ocr_dashes("2021一2022年建设").as_deref(),
            Some("2021—2022年建设")
        );
        assert_eq!(
            mend_ocr_dashes("一年内完成2一3次"),
            Some("一年内完成2—3次".into())
        );
        assert_eq!(mend_ocr_dashes("统一规划，一2"), None);
    }

    #[test]
    fn symbols_no_form_prints_are_implausible() {
        assert_eq!(implausible_char("2024年：江1☰绩效目标汇总表"), Some('☰'));
        assert_eq!(implausible_char("≥95.00(%)，①覆盖率（㎡）℃"), None);
        assert_eq!(implausible_char("成都市武侯区卫生健康局(本级)"), None);
    }
}
