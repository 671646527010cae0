//! Two recognisers, reconciled cell by cell (`--ocr-engine both`).
//!
//! Each cell is read by both. Two readings that agree (ignoring spaces) are
//! confident whatever either engine's own score. Readings are compared as
//! the form will take them ([`Arbiter::settled`]: a value's operator
//! settled by the pixels). When they disagree, the form's grammar says
//! which it supports ([`Arbiter::prefer`]: a field's shape, its
//! vocabulary) — this crate knows no field; either choice is logged as a
//! rewrite of the other reading. Otherwise the reading made of known words wins
//! ([`crate::words`]: `困难` over `闲难`), failing that the more confident
//! one (each engine's confidence on its own scale, compared as is); either
//! way the disagreement is logged as a doubt, which the form layer turns
//! into a warning.

use crate::engine::mean_confidence;
use crate::{
    Arbiter, Keep, OcrEngine, OcrError, PreparedPage, Recognizer, SecondLook, WordList,
    ppocr::PpOcr,
};
use jx_model::text::squeeze;
use jx_model::text::squeeze_nfkc;
use jx_model::{Glyph, GlyphOrigin, LookalikeProfile, OcrEngineId, OcrRewrite, Rect};
use std::sync::Arc;

/// Confidence given to a reading both engines agree on.
const AGREED: f32 = 0.99;

/// Confidence from which a reading that won a disagreement by the field's
/// evidence (its pattern, the form's vocabulary) is kept without a note.
/// Measured on the sample scans (`scripts/ocr-compare`): of such readings
/// kept at 0.9 or more, every one was right; the two kept wrong were read
/// at 0.26 and 0.60 (and carry a low-confidence warning). Readings kept
/// only for being the more confident are wrong as often at 0.97–0.998 as
/// below, so they always stay a doubt.
const SETTLED: f32 = 0.9;

pub struct Combined {
    tesseract: OcrEngine,
    ppocr: PpOcr,
    arbiter: Arc<dyn Arbiter>,
    words: WordList,
    second_look: SecondLook,
}

/// PP-OCR's margin of a character over its runner-up under which its
/// reading is asked again of Tesseract. Wider than the form layer's doubt
/// (`min_char_margin` 0.1): a second reading is cheap evidence, a warning
/// costs a person's time. Judgment, then measured (README "OCR engine").
const SECOND_LOOK_MARGIN: f32 = 0.5;

/// Mean confidence under which a first reading is asked again, per engine
/// (each grades on its own scale): PP-OCR reads upright text at 0.97–0.99,
/// Tesseract at 0.75–0.86 (`Recognizer::upright_confidence`'s figures).
const SECOND_LOOK_PPOCR: f32 = 0.95;
const SECOND_LOOK_TESSERACT: f32 = 0.85;

/// How much wider than its characters a line of ink may be before part of
/// it is taken for unread: 1.6 times, plus one line height for the
/// padding of the crop. Judgment (print spaced out in a wide cell reads
/// at about 1.2–1.3 times), to be measured.
const UNREAD_INK_SLACK: f32 = 1.6;

/// Whether a glyph's box (the line of ink the engine read) is much wider
/// than the characters it gave: characters dropped (a rare name's, a
/// faint stretch), the ink goes on past what was read.
fn leaves_ink_unread(g: &Glyph) -> bool {
    jx_model::text::wider_than_printed(g.bbox.width(), g.bbox.height(), &g.text, UNREAD_INK_SLACK)
}

/// Whether a first reading of a cell must be read by the other engine too,
/// and why: nothing read; a character read with little margin; a reading
/// less confident than its engine's upright text; ink left unread; a
/// label of the form inside a value; digits that fit no field's shape;
/// ideographs that stand in no known word and are not the form's
/// vocabulary (a rare character of a name, a look-alike).
pub(crate) fn in_doubt(
    glyphs: &[Glyph],
    arbiter: &dyn Arbiter,
    words: &WordList,
) -> Option<&'static str> {
    let text = settled_of(glyphs, arbiter);
    if text.is_empty() {
        return Some("nothing read");
    }
    let unsure = glyphs.iter().any(|g| match &g.origin {
        GlyphOrigin::Ocr(r) => r.unsure.iter().any(|u| u.margin < SECOND_LOOK_MARGIN),
        GlyphOrigin::TextLayer => false,
    });
    if unsure {
        return Some("a character read with little margin");
    }
    let floor = match glyphs.first().map(|g| &g.origin) {
        Some(GlyphOrigin::Ocr(r)) if r.engine == OcrEngineId::PpOcr => SECOND_LOOK_PPOCR,
        _ => SECOND_LOOK_TESSERACT,
    };
    if mean_confidence(glyphs) < floor {
        return Some("read with low confidence");
    }
    if glyphs.iter().any(leaves_ink_unread) {
        return Some("ink left unread");
    }
    if arbiter.holds_label(&text) {
        return Some("a label of the form inside the reading");
    }
    if arbiter.fits_field(&text) || arbiter.in_vocabulary(&text) {
        return None;
    }
    if text.chars().any(|c| c.is_ascii_digit()) {
        return Some("digits that fit no field");
    }
    if !words.is_empty() && words.coverage(&text).uncovered > 0 {
        return Some("ideographs outside known words");
    }
    None
}

impl Combined {
    /// `arbiter`: the form's evidence (field patterns, vocabulary).
    pub fn new(tesseract: OcrEngine, ppocr: PpOcr, arbiter: Arc<dyn Arbiter>) -> Self {
        Combined {
            tesseract,
            ppocr,
            arbiter,
            words: WordList::default(),
            second_look: SecondLook::Always,
        }
    }

    /// Which cells the second engine reads.
    pub fn with_second_look(mut self, second_look: SecondLook) -> Self {
        self.second_look = second_look;
        self
    }

    /// Known words, the evidence between two readings that no pattern or
    /// vocabulary settles.
    pub fn with_words(mut self, words: WordList) -> Self {
        self.words = words;
        self
    }
}

fn text_of(glyphs: &[Glyph]) -> String {
    squeeze(&glyphs.iter().map(|g| g.text.as_str()).collect::<String>())
}

/// The reading of a box as the form will take it: its text with the
/// pixels' evidence at its head applied by the form's grammar.
fn settled_of(glyphs: &[Glyph], arbiter: &dyn Arbiter) -> String {
    let head = match glyphs.first().map(|g| &g.origin) {
        Some(GlyphOrigin::Ocr(r)) => r.head,
        _ => None,
    };
    arbiter.settled(&text_of(glyphs), head)
}

/// Reconciles the two readings of one box. `first` is the primary engine's.
fn reconcile(
    first: (OcrEngineId, Vec<Glyph>),
    second: (OcrEngineId, Vec<Glyph>),
    arbiter: &dyn Arbiter,
    words: &WordList,
) -> Vec<Glyph> {
    let (ta, tb) = (text_of(&first.1), text_of(&second.1));
    let (sa, sb) = (
        settled_of(&first.1, arbiter),
        settled_of(&second.1, arbiter),
    );
    // Readings compared as the output contract compares them (NFKC, spaces
    // removed): two engines that differ only there agree. PP-OCR writes
    // `（元）` where Tesseract writes `(元)`, and that was 40 % of the
    // disagreements flagged on fields read right (`scripts/ocr-compare`,
    // README "OCR engine").
    if squeeze_nfkc(&sa) == squeeze_nfkc(&sb) {
        let mut g = first.1;
        for x in &mut g {
            if let GlyphOrigin::Ocr(r) = &mut x.origin {
                r.confidence = r.confidence.max(AGREED);
            }
        }
        return g;
    }
    if ta.is_empty() || tb.is_empty() {
        // One engine saw nothing: a speck, or a faint mark; keep what was read.
        return if ta.is_empty() { second.1 } else { first.1 };
    }
    let (keep_first, why, doubtful) = match arbiter.prefer(&sa, &sb) {
        Some((k, why)) => (k == Keep::First, why, false),
        // Known words are likelier, not certain: still a doubt.
        None if words.prefers(&ta, &tb) => (true, "is made of known words", true),
        None if words.prefers(&tb, &ta) => (false, "is made of known words", true),
        None => (
            mean_confidence(&first.1) >= mean_confidence(&second.1),
            "is the more confident",
            true,
        ),
    };
    let ((kname, mut kept, kread), (oname, otext)) = if keep_first {
        ((first.0.name(), first.1, ta), (second.0.name(), tb))
    } else {
        ((second.0.name(), second.1, tb), (first.0.name(), ta))
    };
    if !doubtful && mean_confidence(&kept) >= SETTLED {
        // Settled by the field's own evidence and read confidently: the
        // text is one engine's plain reading, not a change to it.
        return kept;
    }
    // A choice neither pattern nor vocabulary made: where the other
    // reading's span makes known words and the kept one's does not, the
    // span is taken from it (each engine may misread a different character
    // of a long cell).
    let merged = if doubtful {
        merge_spans(&mut kept, &kread, &otext, words)
            .map(|n| {
                format!("; {n} span(s) taken from {oname}'s reading, where they make known words")
            })
            .unwrap_or_default()
    } else {
        String::new()
    };
    let ktext = text_of(&kept);
    if let Some(GlyphOrigin::Ocr(r)) = kept.first_mut().map(|g| &mut g.origin)
        && r.rewrite.is_none()
    {
        r.rewrite = Some(Box::new(OcrRewrite {
            raw: otext.clone(),
            rewritten: ktext,
            why: format!(
                "{oname} read {otext:?}, {kname} {kread:?}; {kname}'s reading {why}{merged}"
            ),
            doubtful,
        }));
    }
    kept
}

/// Takes into `kept` (which reads `kread`) the spans of the other reading
/// `otext` that make known words where the kept one's do not; how many,
/// or `None` where none was taken.
fn merge_spans(kept: &mut [Glyph], kread: &str, otext: &str, words: &WordList) -> Option<usize> {
    let (k, o): (Vec<char>, Vec<char>) = (kread.chars().collect(), otext.chars().collect());
    let taken = crate::spans::merge(&k, &o, words)?;
    let mut texts: Vec<String> = kept.iter().map(|g| g.text.clone()).collect();
    crate::spans::apply(&mut texts, &taken);
    for (g, t) in kept.iter_mut().zip(texts) {
        g.text = t;
    }
    Some(taken.len())
}

impl Recognizer for Combined {
    fn engine(&self) -> crate::EngineChoice {
        crate::EngineChoice::Both
    }

    /// The scale of the engine whose readings stand where the two agree or
    /// no second look was taken: with PP-OCR first, PP-OCR's (a quarter-
    /// turned page of the development corpus read whole at 0.67, upright
    /// ones at 0.99, `scripts/turn-scores`); otherwise Tesseract's (both on
    /// every cell read the turned sample at 0.17).
    fn upright_confidence(&self) -> f32 {
        match self.second_look {
            SecondLook::PpOcrFirst => self.ppocr.upright_confidence(),
            SecondLook::Always | SecondLook::TesseractFirst => crate::recognizer::TESSERACT_UPRIGHT,
        }
    }

    fn lookalikes(&self) -> Vec<LookalikeProfile> {
        let mut v = self.tesseract.lookalikes();
        v.extend(self.ppocr.lookalikes());
        v
    }

    fn read_cells(&self, page: &PreparedPage, cells: &[Rect]) -> Result<Vec<Vec<Glyph>>, OcrError> {
        let (first, second): (&dyn Recognizer, &dyn Recognizer) = match self.second_look {
            SecondLook::TesseractFirst => (&self.tesseract, &self.ppocr),
            SecondLook::Always | SecondLook::PpOcrFirst => (&self.ppocr, &self.tesseract),
        };
        let firsts = first.read_cells(page, cells)?;
        let again: Vec<usize> = (0..cells.len())
            .filter(|&i| {
                self.second_look == SecondLook::Always
                    || in_doubt(&firsts[i], self.arbiter.as_ref(), &self.words).is_some()
            })
            .collect();
        let boxes: Vec<Rect> = again.iter().map(|&i| cells[i]).collect();
        let mut seconds = second.read_cells(page, &boxes)?.into_iter();
        let mut out = firsts;
        for i in again {
            let other = seconds.next().unwrap_or_default();
            let mine = std::mem::take(&mut out[i]);
            // PP-OCR's reading is "first" to the reconciliation whichever
            // engine read first: its ties and logs stay as measured.
            let (p, t) = if first.engine() == crate::EngineChoice::PpOcr {
                (mine, other)
            } else {
                (other, mine)
            };
            out[i] = reconcile(
                (OcrEngineId::PpOcr, p),
                (OcrEngineId::Tesseract, t),
                self.arbiter.as_ref(),
                &self.words,
            );
        }
        Ok(out)
    }

    fn read_outside(&self, page: &PreparedPage, tables: &[Rect]) -> Result<Vec<Glyph>, OcrError> {
        self.ppocr.read_outside(page, tables)
    }

    /// Tesseract: it read the sample scans in about half PP-OCR's time
    /// (README "OCR engine"), and a glance only looks for the form's
    /// vocabulary.
    fn glance(&self) -> &dyn Recognizer {
        &self.tesseract
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::OcrEngineId;
    use std::collections::HashSet;

    /// The form's evidence in small: amounts with two decimals, `≥` values
    /// in percent, and the words given.
    struct TestArbiter(HashSet<String>);

    impl TestArbiter {
        fn new(words: &[&str]) -> Self {
            TestArbiter(words.iter().map(|w| w.to_string()).collect())
        }
    }

    impl Arbiter for TestArbiter {
        fn fits_field(&self, text: &str) -> bool {
            let number = |t: &str| {
                t.split_once('.').is_some_and(|(i, f)| {
                    !i.is_empty()
                        && i.chars().all(|c| c.is_ascii_digit())
                        && f.len() == 2
                        && f.chars().all(|c| c.is_ascii_digit())
                })
            };
            number(text)
                || text
                    .strip_prefix('≥')
                    .and_then(|t| t.strip_suffix("(%)"))
                    .is_some_and(number)
        }

        fn in_vocabulary(&self, text: &str) -> bool {
            self.0.contains(text)
        }

        /// As the form's grammar: a field's shape, then the vocabulary.
        fn prefer(&self, a: &str, b: &str) -> Option<(Keep, &'static str)> {
            let pick = |x: bool, y: bool| match (x, y) {
                (true, false) => Some(Keep::First),
                (false, true) => Some(Keep::Second),
                _ => None,
            };
            pick(self.fits_field(a), self.fits_field(b))
                .map(|k| (k, "fits the field pattern"))
                .or_else(|| {
                    pick(self.in_vocabulary(a), self.in_vocabulary(b))
                        .map(|k| (k, "is in the form's vocabulary"))
                })
        }
    }

    fn g(text: &str, engine: OcrEngineId, c: f32) -> Glyph {
        Glyph {
            text: text.into(),
            bbox: Rect::new(0.0, 0.0, 10.0, 10.0),
            font_size: 10.0,
            invisible: false,
            origin: GlyphOrigin::ocr(engine, c),
            overdrawn: 0,
        }
    }

    #[test]
    fn mean_confidence_counts_each_glyph_once() {
        let e = OcrEngineId::Tesseract;
        assert_eq!(mean_confidence(&[]), 0.0);
        let m = mean_confidence(&[g("项目名称", e, 0.9), g("x", e, 0.4)]);
        assert!((m - 0.65).abs() < 1e-6);
    }

    #[test]
    fn agreement_is_confident_and_disagreement_is_arbitrated() {
        let v = TestArbiter::new(&["项目名称"]);
        let w = WordList::default();
        let p = |t: &str, c| (OcrEngineId::PpOcr, vec![g(t, OcrEngineId::PpOcr, c)]);
        let t = |s: &str, c| {
            (
                OcrEngineId::Tesseract,
                vec![g(s, OcrEngineId::Tesseract, c)],
            )
        };
        let agreed = reconcile(p("12.50", 0.7), t("12.50", 0.6), &v, &w);
        assert_eq!(agreed[0].origin.confidence(), Some(AGREED));
        // Full-width and ASCII brackets are the same text to the contract.
        let agreed = reconcile(p("≥50.00（元）", 0.7), t("≥50.00(元)", 0.6), &v, &w);
        assert_eq!(agreed[0].origin.confidence(), Some(AGREED));
        assert_eq!(agreed[0].text, "≥50.00（元）");
        // The amount pattern decides.
        let r = reconcile(p("12.5O", 0.9), t("12.50", 0.6), &v, &w);
        assert_eq!(r[0].text, "12.50");
        let rewrite = |g: &[Glyph]| match &g[0].origin {
            GlyphOrigin::Ocr(o) => o.rewrite.clone(),
            GlyphOrigin::TextLayer => None,
        };
        // Kept at 0.6, the choice is logged; kept confidently, it is not.
        assert!(rewrite(&r).is_some_and(|w| !w.doubtful));
        let r = reconcile(p("≥95.00(%)", 0.97), t("之95.00(%)", 0.8), &v, &w);
        assert_eq!((r[0].text.as_str(), rewrite(&r)), ("≥95.00(%)", None));
        // The vocabulary decides.
        let r = reconcile(p("项目名称", 0.5), t("项日名称", 0.9), &v, &w);
        assert_eq!(r[0].text, "项目名称");
        // No evidence: the more confident, logged as a doubt.
        let r = reconcile(p("璧山区", 0.95), t("壁山区", 0.8), &v, &w);
        assert_eq!(r[0].text, "璧山区");
        match &r[0].origin {
            GlyphOrigin::Ocr(o) => assert!(o.rewrite.as_ref().is_some_and(|w| w.doubtful)),
            GlyphOrigin::TextLayer => panic!(),
        }
    }

    #[test]
    fn a_first_reading_is_read_again_only_where_in_doubt() {
        let v = TestArbiter::new(&["项目名称"]);
        let w = WordList::from_words(["农业", "生产", "服务", "补贴"]);
        let p = |t: &str, c| vec![g(t, OcrEngineId::PpOcr, c)];
        // Sure and of the form's shape or words: read once.
        assert_eq!(in_doubt(&p("12.50", 0.99), &v, &w), None);
        assert_eq!(in_doubt(&p("项目名称", 0.99), &v, &w), None);
        assert_eq!(in_doubt(&p("农业生产服务补贴", 0.99), &v, &w), None);
        // In doubt: nothing read, unsure, digits out of shape, a rare name.
        assert!(in_doubt(&[], &v, &w).is_some());
        assert!(in_doubt(&p("农业生产服务补贴", 0.90), &v, &w).is_some());
        assert!(in_doubt(&p("12.5O", 0.99), &v, &w).is_some());
        assert!(in_doubt(&p("璧山区农业", 0.99), &v, &w).is_some());
        let mut unsure = p("农业生产", 0.99);
        if let GlyphOrigin::Ocr(r) = &mut unsure[0].origin {
            r.unsure.push(jx_model::UnsureChar {
                read: "农".into(),
                runner_up: "衣".into(),
                margin: 0.3,
            });
        }
        assert!(in_doubt(&unsure, &v, &w).is_some());
        // A line of ink three times wider than the characters read from it.
        let mut short = p("海市金农业", 0.99);
        short[0].bbox = Rect::new(0.0, 0.0, 170.0, 10.0);
        assert_eq!(in_doubt(&short, &v, &w), Some("ink left unread"));
        let mut whole = p("上海市金山区农业农村委员会(本级)", 0.99);
        whole[0].bbox = Rect::new(0.0, 0.0, 170.0, 10.0);
        assert_ne!(in_doubt(&whole, &v, &w), Some("ink left unread"));
        // Tesseract's own scale: 0.9 is a sure reading for it.
        let t = vec![g("农业生产", OcrEngineId::Tesseract, 0.9)];
        assert_eq!(in_doubt(&t, &v, &w), None);
    }

    #[test]
    fn known_words_decide_before_confidence_and_stay_a_doubt() {
        let v = TestArbiter::new(&[]);
        let w = WordList::from_words(["经济", "困难", "学生"]);
        let p = |t: &str, c| (OcrEngineId::PpOcr, vec![g(t, OcrEngineId::PpOcr, c)]);
        let t = |s: &str, c| {
            (
                OcrEngineId::Tesseract,
                vec![g(s, OcrEngineId::Tesseract, c)],
            )
        };
        let r = reconcile(p("经济闲难学生", 0.99), t("经济困难学生", 0.7), &v, &w);
        assert_eq!(r[0].text, "经济困难学生");
        match &r[0].origin {
            GlyphOrigin::Ocr(o) => assert!(
                o.rewrite
                    .as_ref()
                    .is_some_and(|x| x.doubtful && x.why.contains("known words")),
                "{o:?}"
            ),
            GlyphOrigin::TextLayer => panic!(),
        }
        // Each engine misread another character: the spans are merged.
        let w = WordList::from_words(["经济", "困难", "学生", "资助"]);
        let r = reconcile(
            p("经济闲难学生资助", 0.99),
            t("经济困难学生资劝", 0.7),
            &v,
            &w,
        );
        assert_eq!(r[0].text, "经济困难学生资助");
        match &r[0].origin {
            GlyphOrigin::Ocr(o) => assert!(
                o.rewrite.as_ref().is_some_and(|x| x.doubtful
                    && x.rewritten == "经济困难学生资助"
                    && x.why.contains("span(s) taken from")),
                "{o:?}"
            ),
            GlyphOrigin::TextLayer => panic!(),
        }
        // Without the list, the more confident reading, as before.
        let none = WordList::default();
        let r = reconcile(p("经济闲难学生", 0.99), t("经济困难学生", 0.7), &v, &none);
        assert_eq!(r[0].text, "经济闲难学生");
    }
}
