//! Text compared the way the output contract compares strings.

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Width of an ideograph or a full-width sign, in line heights, as forms
/// print them: square.
const IDEOGRAPH_EM: f32 = 1.0;
/// Width of a digit, a Latin letter, an ASCII sign or a space, in line
/// heights: about half an ideograph (Song and Hei faces).
const NARROW_EM: f32 = 0.5;

/// How wide `text` prints, in line heights: the room its characters take
/// on a line (evidence of characters left unread where a line of ink is
/// much wider).
pub fn printed_em(text: &str) -> f32 {
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                NARROW_EM
            } else {
                IDEOGRAPH_EM
            }
        })
        .sum()
}

/// Whether a box `width` wide, at `line_height`, is more than `slack` times
/// as wide as `text` prints plus one line height (the margin of a line's
/// box): characters left unread. The OCR layer asks it to decide a second
/// reading, the form layer to raise a doubt, each with its own slack.
pub fn wider_than_printed(width: f32, line_height: f32, text: &str, slack: f32) -> bool {
    line_height > 0.0 && width / line_height > slack * printed_em(text) + 1.0
}

/// `text` with its white space removed.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `text` in NFKC (full-width brackets, commas and colons become their ASCII
/// forms), white space removed: the contract's rule for comparing strings.
pub fn squeeze_nfkc(text: &str) -> String {
    nfkc_chars(text).filter(|c| !c.is_whitespace()).collect()
}

/// The characters of `text` in NFKC. Most texts of a form (CJK, ASCII
/// digits) are NFKC already: a text of ASCII and CJK Unified Ideographs
/// only is (none of them decomposes or combines), and the quick check tells
/// the rest for a table lookup a character. The normalizer's decomposition and
/// recomposition, about 1 % of a printed page's time (measured with
/// `perf`), is then skipped.
pub fn nfkc_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    let stable = |c: char| c.is_ascii() || ('\u{4E00}'..='\u{9FFF}').contains(&c);
    if text.chars().all(stable) || is_nfkc_quick(text.chars()) == IsNormalized::Yes {
        Either::Same(text.chars())
    } else {
        Either::Normalized(text.nfkc())
    }
}

/// One of two iterators over the same items.
enum Either<A, B> {
    Same(A),
    Normalized(B),
}

impl<A: Iterator<Item = char>, B: Iterator<Item = char>> Iterator for Either<A, B> {
    type Item = char;

    fn next(&mut self) -> Option<char> {
        match self {
            Either::Same(a) => a.next(),
            Either::Normalized(b) => b.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeezing() {
        assert_eq!(squeeze(" 项目 名称\t(元)\n"), "项目名称(元)");
        assert_eq!(squeeze_nfkc(" 项目 名称\u{3000}（元）："), "项目名称(元):");
        assert_eq!(squeeze_nfkc("abc 年度"), "abc年度");
        // NFKC first: what it turns into a space is removed too.
        assert_eq!(squeeze_nfkc("a\u{00A0}b"), "ab");
    }
}
