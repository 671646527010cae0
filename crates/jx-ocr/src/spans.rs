//! Two readings of one cell merged span by span, by known words.
//!
//! Where each engine misreads a different character of a long cell (a
//! goal's text: PP-OCR `学生因家庭经济闲难`, Tesseract `学生内家庭经济困难`),
//! neither whole reading is right and keeping one keeps its mistake. The
//! readings are aligned character by character (edit distance), and each
//! span where they differ is taken from the other reading when the word
//! list prefers the text around it so ([`WordList::prefers`] on the span
//! and four characters either side): `困难` is a word, `闲难` is not. Where
//! the list cannot tell (both spans make words, or neither does), the kept
//! reading's span stays.

use crate::WordList;
use std::ops::Range;

/// Characters of context either side of a span judged by the word list.
const CONTEXT: usize = 4;

/// Largest alignment computed (characters of one reading × the other's):
/// cells hold at most a few hundred characters.
const MAX_CELLS: usize = 250_000;

/// A span where two readings differ: `base[a]` against `other[b]` (either
/// may be empty: a character one engine read and the other did not).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub a: Range<usize>,
    pub b: Range<usize>,
}

/// The spans where `a` and `b` differ, in order, from an edit-distance
/// alignment; `None` when the readings are too long to align.
pub fn differing(a: &[char], b: &[char]) -> Option<Vec<Span>> {
    let (n, m) = (a.len(), b.len());
    if (n + 1) * (m + 1) > MAX_CELLS {
        return None;
    }
    let w = m + 1;
    let mut d = vec![0u32; (n + 1) * w];
    for i in 0..=n {
        d[i * w] = i as u32;
    }
    for (j, v) in d.iter_mut().enumerate().take(w) {
        *v = j as u32;
    }
    for i in 1..=n {
        for j in 1..=m {
            let sub = d[(i - 1) * w + j - 1] + u32::from(a[i - 1] != b[j - 1]);
            d[i * w + j] = sub.min(d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1);
        }
    }
    // Back from the end: matched characters split the spans.
    let (mut i, mut j) = (n, m);
    let mut spans: Vec<Span> = Vec::new();
    let mut open: Option<(usize, usize)> = None; // span's end (a, b)
    let close = |open: &mut Option<(usize, usize)>, spans: &mut Vec<Span>, i, j| {
        if let Some((ai, bj)) = open.take() {
            spans.push(Span { a: i..ai, b: j..bj });
        }
    };
    while i > 0 || j > 0 {
        if i > 0 && j > 0 && a[i - 1] == b[j - 1] && d[i * w + j] == d[(i - 1) * w + j - 1] {
            close(&mut open, &mut spans, i, j);
            i -= 1;
            j -= 1;
            continue;
        }
        open.get_or_insert((i, j));
        if i > 0 && j > 0 && d[i * w + j] == d[(i - 1) * w + j - 1] + 1 {
            i -= 1;
            j -= 1;
        } else if i > 0 && d[i * w + j] == d[(i - 1) * w + j] + 1 {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    close(&mut open, &mut spans, i, j);
    spans.reverse();
    Some(spans)
}

/// `base` with the spans the word list prefers taken from `other`, and
/// which spans of `base` were replaced (with what); `None` when none was.
pub fn merge(
    base: &[char],
    other: &[char],
    words: &WordList,
) -> Option<Vec<(Range<usize>, Vec<char>)>> {
    if words.is_empty() {
        return None;
    }
    let spans = differing(base, other)?;
    let mut taken = Vec::new();
    for s in spans {
        let from = s.a.start.saturating_sub(CONTEXT);
        let to = (s.a.end + CONTEXT).min(base.len());
        let around = |middle: &[char]| -> String {
            base[from..s.a.start]
                .iter()
                .chain(middle)
                .chain(&base[s.a.end..to])
                .collect()
        };
        let (kept, swapped) = (around(&base[s.a.clone()]), around(&other[s.b.clone()]));
        if words.prefers(&swapped, &kept) {
            taken.push((s.a, other[s.b].to_vec()));
        }
    }
    (!taken.is_empty()).then_some(taken)
}

/// Applies replacements of character ranges (`merge`'s) to texts whose
/// non-white-space characters, in order, are the ranges' positions: white
/// space stays, a range's replacement goes where its first character was
/// (or, for an insertion, before the character at its position; at the end
/// of the last text past the end).
pub fn apply(texts: &mut [String], replaced: &[(Range<usize>, Vec<char>)]) {
    let mut pos = 0;
    let last = texts.len().saturating_sub(1);
    for (k, text) in texts.iter_mut().enumerate() {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if c.is_whitespace() {
                out.push(c);
                continue;
            }
            for (r, with) in replaced {
                if r.start == pos {
                    out.extend(with);
                }
            }
            if !replaced.iter().any(|(r, _)| r.contains(&pos)) {
                out.push(c);
            }
            pos += 1;
        }
        if k == last {
            for (r, with) in replaced {
                if r.start == pos {
                    out.extend(with);
                }
            }
        }
        *text = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn readings_are_aligned_into_the_spans_where_they_differ() {
        let a = chars("学生因家庭经济闲难而");
        let b = chars("学生内家庭经济困难而");
        assert_eq!(
            differing(&a, &b).unwrap(),
            vec![Span { a: 2..3, b: 2..3 }, Span { a: 7..8, b: 7..8 }]
        );
        // A character one reading lacks is a span empty on its side.
        let spans = differing(&chars("数字化。"), &chars("数字")).unwrap();
        assert_eq!(spans, vec![Span { a: 2..4, b: 2..2 }]);
        assert_eq!(differing(&a, &a).unwrap(), Vec::new());
    }

    #[test]
    fn each_span_is_taken_from_the_reading_the_word_list_prefers_there() {
        let words = WordList::from_words(["学生", "家庭", "经济", "困难"]);
        let base = chars("学生因家庭经济闲难而失学");
        let other = chars("学生内家庭经济困难而失学");
        let taken = merge(&base, &other, &words).unwrap();
        // 困难 over 闲难; neither 因 nor 内 makes a word with its
        // neighbours, so the kept reading's 因 stays.
        assert_eq!(taken, vec![(7..8, vec!['困'])]);
        let mut texts = vec!["学生因家庭".to_string(), "经济 闲难而失学".to_string()];
        apply(&mut texts, &taken);
        assert_eq!(texts, vec!["学生因家庭", "经济 困难而失学"]);
        assert_eq!(merge(&base, &base, &words), None);
        assert_eq!(merge(&base, &other, &WordList::default()), None);
    }

    #[test]
    fn replacements_of_other_lengths_and_insertions_land_in_place() {
        let mut texts = vec!["ab".to_string(), "cd".to_string()];
        apply(&mut texts, &[(1..3, vec!['X']), (4..4, vec!['Y', 'Z'])]);
        assert_eq!(texts, vec!["aX", "dYZ"]);
        let mut texts = vec!["abc".to_string()];
        apply(&mut texts, &[(0..0, vec!['['])]);
        assert_eq!(texts, vec!["[abc"]);
    }
}
