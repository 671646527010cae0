//! Repairs of the Unicode a text layer declares for its glyphs.
//!
//! Chromium (with Noto CJK) and other producers write Kangxi-radical code
//! points into ToUnicode maps for common ideographs: ⽬ (U+2F6C) for 目,
//! ⼀ for 一, ⻔ (U+2ED4) for 门. A reader sees the right shape but a database
//! gets the wrong character. Kangxi radicals (U+2F00–U+2FD5) have NFKC
//! decompositions to their ideographs; the simplified forms in the CJK
//! Radicals Supplement mostly do not, so they are listed here. Only these
//! blocks are touched: full-width punctuation and the like stay as printed.

use unicode_normalization::UnicodeNormalization;

/// CJK Radicals Supplement code points that stand for a whole ideograph,
/// with that ideograph. Component-only forms (⻌, ⻐ …) are left alone.
const RADICAL_SUPPLEMENT: &[(char, char)] = &[
    ('\u{2E9F}', '母'),
    ('\u{2EA0}', '民'),
    ('\u{2EA9}', '王'),
    ('\u{2EC4}', '西'),
    ('\u{2EC5}', '见'),
    ('\u{2EC6}', '角'),
    ('\u{2EC9}', '贝'),
    ('\u{2ECB}', '车'),
    ('\u{2ED3}', '长'),
    ('\u{2ED4}', '门'),
    ('\u{2ED8}', '青'),
    ('\u{2ED9}', '韦'),
    ('\u{2EDA}', '页'),
    ('\u{2EDB}', '风'),
    ('\u{2EDC}', '飞'),
    ('\u{2EDD}', '食'),
    ('\u{2EE2}', '马'),
    ('\u{2EE3}', '骨'),
    ('\u{2EE4}', '鬼'),
    ('\u{2EE5}', '鱼'),
    ('\u{2EE6}', '鸟'),
    ('\u{2EE7}', '卤'),
    ('\u{2EE8}', '麦'),
    ('\u{2EE9}', '黄'),
    ('\u{2EEA}', '黾'),
    ('\u{2EEC}', '齐'),
    ('\u{2EEE}', '齿'),
    ('\u{2EF0}', '龙'),
    ('\u{2EF3}', '龟'),
];

/// Maps radical code points back to the ideographs they stand for, and the
/// GB 2312 dash 0xA1AA, which older conversion tables (and the fonts built
/// from them) give as U+2015 HORIZONTAL BAR, to the U+2014 EM DASH that
/// Chinese text (破折号 ——) means; every other character is unchanged.
pub fn ideograph_for_radical(c: char) -> char {
    match c {
        '\u{2015}' => '\u{2014}',
        '\u{2F00}'..='\u{2FD5}' => c.nfkc().next().unwrap_or(c),
        '\u{2E80}'..='\u{2EFF}' => RADICAL_SUPPLEMENT
            .iter()
            .find(|(r, _)| *r == c)
            .map_or(c, |(_, i)| *i),
        _ => c,
    }
}

/// Cleans a glyph's declared text: radicals to ideographs, control
/// characters and the replacement character dropped.
pub fn clean_glyph_text(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() && *c != '\u{FFFD}')
        .map(ideograph_for_radical)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kangxi_and_supplement_radicals_become_ideographs() {
        assert_eq!(clean_glyph_text("项⽬"), "项目");
        assert_eq!(clean_glyph_text("⼀级指标"), "一级指标");
        assert_eq!(clean_glyph_text("主管部⻔"), "主管部门");
        assert_eq!(clean_glyph_text("⼈⺠"), "人民");
    }

    #[test]
    fn gb2312_dash_is_the_em_dash() {
        assert_eq!(clean_glyph_text("2024\u{2015}2026年"), "2024\u{2014}2026年");
    }

    #[test]
    fn punctuation_and_ordinary_text_stay() {
        assert_eq!(clean_glyph_text("（汇总）≥85.00(%)"), "（汇总）≥85.00(%)");
        assert_eq!(clean_glyph_text("a\u{0}b\u{FFFD}"), "ab");
    }

    #[test]
    fn component_only_radicals_are_left_alone() {
        assert_eq!(ideograph_for_radical('\u{2ECC}'), '\u{2ECC}');
    }
}
