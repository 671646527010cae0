//! A form's title and year, as the form prints them.
//!
//! Producers lay the heading out in many ways: a line above the table (WPS
//! Office may draw it character by character, spaced out, in larger type),
//! a one-row table of its own, or the table's own top cells; the year as
//! `（2023年度）` under the title, right-aligned, in the table's first row, as
//! `2023年度` or `年度：2023`, or after the title on its line. The
//! candidates are the heading's lines with pieces on one baseline joined,
//! then the cells above the form's first label. A candidate is a title only
//! if it reads as one — short, no sentence punctuation, ending in 表 — so
//! goal text or a unit line never becomes a title; where none does, the
//! title is null (and the caller warns). Nothing is ever invented.

use jx_model::TextLine;
use jx_model::text::{squeeze, squeeze_nfkc};
use regex::Regex;
use std::sync::LazyLock;

/// Longest title, in characters (the longest standard title has 14; a
/// district's own wording a few more).
const MAX_TITLE_CHARS: usize = 40;

/// A year as a form's year line prints it: `(2024年度)`, `2024年度`,
/// `年度：2024`, `2024年`.
pub fn year_of(text: &str) -> Option<i32> {
    static YEAR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^0-9])(19[0-9]{2}|2[0-1][0-9]{2})年度|年度[:：]?(19[0-9]{2}|2[0-1][0-9]{2})(?:[^0-9]|$)")
            .unwrap()
    });
    static LINE_YEAR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(19|20|21)[0-9]{2}").unwrap());
    let n = squeeze_nfkc(text);
    if is_year_line(&n) {
        return LINE_YEAR.find(&n).and_then(|m| m.as_str().parse().ok());
    }
    YEAR.captures(&n)
        .and_then(|c| c.get(1).or_else(|| c.get(2)))
        .and_then(|m| m.as_str().parse().ok())
}

/// A line that is only the year (`(2024年度)`, `2024年度`, `年度：2024`).
pub fn is_year_line(text: &str) -> bool {
    static YEAR_LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"^[(\[【〔]?((19|20|21)[0-9]{2}年度?|年度[:：]?(19|20|21)[0-9]{2}年?)[)\]】〕]?$",
        )
        .unwrap()
    });
    YEAR_LINE.is_match(&squeeze_nfkc(text))
}

/// A unit line (`单位：万元`, `金额单位：元`).
pub fn is_unit_line(text: &str) -> bool {
    let n = squeeze_nfkc(text);
    n.contains("单位") && (n.ends_with("元") || n.ends_with("元)"))
}

/// `n` (squeezed) without a year printed after the title (`…表(2023年度)`).
fn split_trailing_year(n: &str) -> &str {
    static TAIL: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[(\[【〔]?((19|20|21)[0-9]{2})年度?[)\]】〕]?$").unwrap());
    match TAIL.find(n) {
        Some(m) if m.start() > 0 => &n[..m.start()],
        _ => n,
    }
}

/// The title a line reads as, white space removed, or `None`: short, no
/// sentence punctuation, ending in 表 (a year after it split off), not a
/// summary list (…汇总表). `centred_or_large`: the line is centred over the
/// table or set larger than the text around it; a title that does not say
/// 绩效目标 must be.
pub fn title_of(text: &str, centred_or_large: bool) -> Option<String> {
    let n = squeeze_nfkc(text);
    if n.chars().any(|c| {
        matches!(
            c,
            '。' | ',' | ';' | '!' | '?' | '、' | ':' | '，' | '；' | '：'
        )
    }) {
        return None;
    }
    let title = split_trailing_year(&n);
    let chars = title.chars().count();
    if !(4..=MAX_TITLE_CHARS).contains(&chars) || title.contains("汇总") {
        return None;
    }
    let ends = title.ends_with('表') || title.ends_with("表)");
    let says_goal = title.contains("绩效目标") || title.contains("绩效指标");
    (ends && (says_goal || centred_or_large)).then(|| {
        // Keep the printed wording, full-width brackets included.
        let raw = squeeze(text);
        strip_raw_trailing_year(&raw).to_string()
    })
}

/// `raw` without a year printed after the title (`…表（2023年度）`).
fn strip_raw_trailing_year(raw: &str) -> &str {
    static TAIL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[(（\[【〔]?\s*[0-9０-９]{4}\s*年度?\s*[)）\]】〕]?$").unwrap()
    });
    match TAIL.find(raw) {
        Some(m) if m.start() > 0 => &raw[..m.start()],
        _ => raw,
    }
}

/// Joins the pieces of one printed line that the text layer gave as
/// several (characters spaced out, separate runs): lines of one page on
/// one baseline, in the same type size, with gaps of at most a few em.
pub fn join_baselines(lines: &[TextLine]) -> Vec<TextLine> {
    let mut sorted: Vec<&TextLine> = lines.iter().collect();
    sorted.sort_by(|a, b| {
        (a.page, a.bbox.center().y)
            .partial_cmp(&(b.page, b.bbox.center().y))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut rows: Vec<Vec<&TextLine>> = Vec::new();
    for l in sorted {
        match rows.last_mut() {
            Some(row)
                if row[0].page == l.page
                    && (row[0].bbox.center().y - l.bbox.center().y).abs()
                        <= 0.3 * row[0].bbox.height().min(l.bbox.height()).max(1.0) =>
            {
                row.push(l)
            }
            _ => rows.push(vec![l]),
        }
    }
    let mut out = Vec::new();
    for mut row in rows {
        row.sort_by(|a, b| a.bbox.x0.total_cmp(&b.bbox.x0));
        let mut cur: Option<TextLine> = None;
        for l in row {
            cur = match cur {
                Some(mut c) => {
                    let size = c.font_size.max(l.font_size).max(1.0);
                    let same_size = (c.font_size - l.font_size).abs() <= 0.15 * size;
                    if same_size && l.bbox.x0 - c.bbox.x1 <= 6.0 * size {
                        c.text.push_str(&l.text);
                        c.bbox = c.bbox.union(&l.bbox);
                        c.overdrawn += l.overdrawn;
                        Some(c)
                    } else {
                        out.push(c);
                        Some(l.clone())
                    }
                }
                None => Some(l.clone()),
            };
        }
        out.extend(cur);
    }
    out
}

/// The heading found for one form.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The line the title was read from (its text is the whole line).
    pub line: Option<TextLine>,
    pub title: Option<String>,
    pub year: Option<i32>,
    /// The title as OCR read it, when it was snapped to a standard title.
    pub snapped_from: Option<String>,
}

/// The titles the national and provincial templates print. A title read by
/// OCR is snapped to the nearest of them when it is at most
/// [`max_title_edits`] characters off and no other is as near (a district's
/// own wording, further off, is kept as read). They are a closed
/// vocabulary like the form's labels, not content of any one file.
pub const STANDARD_TITLES: &[&str] = &[
    "财政项目支出绩效目标申报表",
    "财政项目支出绩效目标填报表",
    "财政支出项目绩效目标申报表",
    "项目支出绩效目标申报表",
    "项目支出绩效目标表",
];

/// Characters a title read by OCR may be off and still be snapped: one in
/// six (two of the 13 of 财政项目支出绩效目标申报表: a seal's edge read as
/// two more characters, or one character misread and one lost).
pub fn max_title_edits(chars: usize) -> usize {
    (chars / 6).max(1)
}

/// The standard title an OCR line reads as, when it is one within
/// [`max_title_edits`] and nearer than any other; `None` when it is one
/// exactly (nothing to snap), none is near, or two are as near.
pub fn snap_ocr_title(text: &str) -> Option<&'static str> {
    let n = squeeze_nfkc(split_trailing_year(&squeeze_nfkc(text)));
    let n_len = n.chars().count();
    // Nearest first; among equals, the one of the read's length (OCR
    // misreads characters more often than it invents or loses them).
    let key = |t: &str| {
        (
            crate::labels::edit_distance(&n, t),
            t.chars().count().abs_diff(n_len),
        )
    };
    let mut best: Option<((usize, usize), &'static str)> = None;
    let mut tie = false;
    for t in STANDARD_TITLES {
        let k = key(t);
        match best {
            Some((bk, _)) if k == bk => tie = true,
            Some((bk, _)) if k > bk => {}
            _ => {
                best = Some((k, t));
                tie = false;
            }
        }
    }
    let ((d, _), t) = best?;
    (d > 0 && !tie && d <= max_title_edits(t.chars().count())).then_some(t)
}

/// How bound volumes end their cover title after the agency and year: a
/// closed vocabulary, as the form titles are ([`STANDARD_TITLES`]).
pub const COVER_TITLE_ENDINGS: &[&str] = &[
    "年度项目支出绩效目标汇总表",
    "年度项目支出绩效目标申报表汇编",
    "年度项目支出绩效目标申报表",
    "年度项目支出绩效目标表",
    "年度项目绩效目标汇总表",
    "年度项目绩效目标申报表汇编",
    "年度财政项目支出绩效目标汇编",
    "年度部门预算项目支出绩效目标",
];

/// Characters a cover title's ending read by OCR may be off and still be
/// snapped: one in four (three of the 13 of 年度项目支出绩效目标汇总表 —
/// `年：项1三支出…` is three off). Looser than a form title's one in six:
/// the ending must also stand at the end of the cover's largest line, after
/// the agency and a year.
pub fn max_cover_ending_edits(chars: usize) -> usize {
    (chars / 4).max(1)
}

/// A cover title read by OCR with its ending snapped to the nearest of
/// [`COVER_TITLE_ENDINGS`]: `(snapped, ending as read)`, or `None` when it
/// ends in one exactly, none is near, or two are as near. Only the ending
/// changes: the agency's name before it is kept as read. The ending is
/// looked for after a year (`2022年…`), so that no other text is snapped.
pub fn snap_cover_title(text: &str) -> Option<(String, String)> {
    // White space out, nothing else changed: the agency's name stays as read.
    let t = squeeze(text);
    let (head, tail) = split_after_year(&t)?;
    let ranked = ranked_endings(tail);
    let ((d, _), best) = ranked[0];
    let tie = ranked.get(1).is_some_and(|r| r.0 == ranked[0].0);
    let fits = d > 0 && !tie && d <= max_cover_ending_edits(best.chars().count());
    fits.then(|| (format!("{head}{best}"), tail.to_string()))
}

/// [`COVER_TITLE_ENDINGS`] nearest `tail` first: by edit distance, then by
/// how far their length is from the read's (OCR misreads characters more
/// often than it invents or loses them).
fn ranked_endings(tail: &str) -> Vec<((usize, usize), &'static str)> {
    let n = tail.chars().count();
    let mut ranked: Vec<((usize, usize), &'static str)> = COVER_TITLE_ENDINGS
        .iter()
        .map(|e| {
            let key = (
                crate::labels::edit_distance(tail, e),
                e.chars().count().abs_diff(n),
            );
            (key, *e)
        })
        .collect();
    ranked.sort();
    ranked
}

/// `text` (white space removed) cut after its last year: the agency and
/// year, then the ending; `None` without a year.
fn split_after_year(text: &str) -> Option<(&str, &str)> {
    static YEAR: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(19|20|21)[0-9]{2}").unwrap());
    let year = YEAR.find_iter(text).last()?;
    Some((&text[..year.end()], &text[year.end()..]))
}

/// The ending of a cover title read by OCR that looks like one of
/// [`COVER_TITLE_ENDINGS`] read wrong: not one of them, but within twice
/// the snap limit of the nearest ([`max_cover_ending_edits`]). Too far to
/// snap, near enough that the program cannot vouch for it
/// (`年.绩效目标汇总表`, three off `年度项目绩效目标汇总表`). An ending
/// unlike every known one (`年部门预算`) is another volume's own title,
/// not a misreading: `None`, as for a known ending. A title with no year
/// that ends like a known ending has lost its year (`…中心20项目绩效目标
/// 汇总表`): its last characters, as many as the nearest ending's, are
/// named.
pub fn unknown_cover_ending(text: &str) -> Option<String> {
    let t = squeeze(text);
    let tail = match split_after_year(&t) {
        Some((_, tail)) => tail.to_string(),
        None => yearless_ending(&t)?,
    };
    let ((d, _), nearest) = ranked_endings(&tail)[0];
    let near = d > 0 && d <= 2 * max_cover_ending_edits(nearest.chars().count());
    near.then(|| tail.to_string())
}

/// The last characters of a title with no year, as many as the known
/// ending nearest to them: it has the year's place at its head.
fn yearless_ending(t: &str) -> Option<String> {
    let chars: Vec<char> = t.chars().collect();
    COVER_TITLE_ENDINGS
        .iter()
        .filter_map(|e| {
            let n = e.chars().count();
            let tail: String = chars[chars.len().checked_sub(n)?..].iter().collect();
            Some((crate::labels::edit_distance(&tail, e), tail))
        })
        .min()
        .map(|(_, tail)| tail)
}

/// Finds the title and the year among `candidates` (in reading order:
/// heading lines, then the table's cells above its first label), the table
/// spanning `table_x` horizontally.
pub fn find(candidates: &[TextLine], table_x: (f32, f32)) -> Found {
    let lines = join_baselines(candidates);
    let body = median_size(&lines);
    let mid = 0.5 * (table_x.0 + table_x.1);
    let tol = 0.08 * (table_x.1 - table_x.0).max(1.0);
    let read_as_title = |l: &TextLine| {
        let centred = (l.bbox.center().x - mid).abs() <= tol;
        let large = body.is_some_and(|b| l.font_size >= 1.15 * b);
        title_of(&l.text, centred || large)
    };
    // Read by OCR, a text a few characters off a standard title is that
    // title (never on a text layer, which is not misread).
    let snap = |l: &TextLine, text: &str| l.read_by_ocr().then(|| snap_ocr_title(text)).flatten();
    // A title as printed; else, on a scan, a line a few characters off a
    // standard title (the nearest line to the table first, as above).
    let (titled, snapped_from) = match lines
        .iter()
        .rev()
        .find_map(|l| read_as_title(l).map(|t| (l, t)))
    {
        Some((l, t)) => match snap(l, &t) {
            Some(standard) => (Some((l, standard.to_string())), Some(t)),
            None => (Some((l, t)), None),
        },
        None => match lines
            .iter()
            .rev()
            .find_map(|l| snap(l, &l.text).map(|s| (l, s)))
        {
            Some((l, s)) => (Some((l, s.to_string())), Some(squeeze_nfkc(&l.text))),
            None => (None, None),
        },
    };
    let year_near = |title: Option<&TextLine>| {
        let mut years: Vec<(&TextLine, i32)> = lines
            .iter()
            .filter(|l| is_year_line(&l.text))
            .filter_map(|l| year_of(&l.text).map(|y| (l, y)))
            .collect();
        if let Some(t) = title {
            years.sort_by(|a, b| distance(a.0, t).total_cmp(&distance(b.0, t)));
        }
        years.first().map(|(_, y)| *y)
    };
    let year = year_near(titled.as_ref().map(|(l, _)| *l))
        .or_else(|| titled.as_ref().and_then(|(l, _)| year_of(&l.text)))
        .or_else(|| {
            // A short heading line that carries the year among other words
            // (`填报单位：… 2023年度`), never a sentence.
            lines
                .iter()
                .filter(|l| squeeze_nfkc(&l.text).chars().count() <= 30 && !l.text.contains('。'))
                .find_map(|l| year_of(&l.text))
        });
    Found {
        line: titled.as_ref().map(|(l, _)| (*l).clone()),
        title: titled.map(|(_, t)| t),
        year,
        snapped_from,
    }
}

/// Vertical distance between two lines, pages apart counting as far.
fn distance(a: &TextLine, b: &TextLine) -> f32 {
    if a.page != b.page {
        return 1e6 * (a.page as f32 - b.page as f32).abs();
    }
    (a.bbox.center().y - b.bbox.center().y).abs()
}

/// The median type size of lines that give one (cells have none).
fn median_size(lines: &[TextLine]) -> Option<f32> {
    let mut s: Vec<f32> = lines
        .iter()
        .map(|l| l.font_size)
        .filter(|&s| s > 0.0)
        .collect();
    if s.is_empty() {
        return None;
    }
    s.sort_by(f32::total_cmp);
    Some(s[s.len() / 2])
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::Rect;

    fn line(text: &str, x0: f32, y0: f32, x1: f32, size: f32) -> TextLine {
        TextLine {
            page: 1,
            bbox: Rect::new(x0, y0, x1, y0 + size),
            text: text.into(),
            font_size: size,
            overdrawn: 0,
            confidence: None,
        }
    }

    #[test]
    fn ocr_titles_a_few_characters_off_are_snapped_to_the_standard_one() {
        assert_eq!(
            snap_ocr_title("双政项目支出绩效目标申报表"),
            Some("财政项目支出绩效目标申报表")
        );
        // A seal's edge read after the title, and a title with a lost character.
        assert_eq!(
            snap_ocr_title("财政项目支出绩效目标申报表业公"),
            Some("财政项目支出绩效目标申报表")
        );
        assert_eq!(
            snap_ocr_title("购政项支出绩效目标申报表"),
            Some("财政项目支出绩效目标申报表")
        );
        // Exact, too far off, or as near to two titles: left alone.
        assert_eq!(snap_ocr_title("财政项目支出绩效目标申报表"), None);
        assert_eq!(snap_ocr_title("上海市闵行区部门整体支出绩效目标表"), None);
        assert_eq!(snap_ocr_title("财政项目支出绩效目标X报表"), None);
        // Two misread characters, not two lost ones.
        assert_eq!(
            snap_ocr_title("双正项目支出绩效目标申报表"),
            Some("财政项目支出绩效目标申报表")
        );
        // Found on a scan, logged by the caller; never on a text layer.
        let mut l = line("双政项目支出绩效目标申报表", 100.0, 50.0, 400.0, 16.0);
        l.confidence = Some(0.8);
        let f = find(&[l.clone()], (100.0, 400.0));
        assert_eq!(f.title.as_deref(), Some("财政项目支出绩效目标申报表"));
        assert_eq!(
            f.snapped_from.as_deref(),
            Some("双政项目支出绩效目标申报表")
        );
        l.confidence = None;
        let f = find(&[l], (100.0, 400.0));
        assert_eq!(f.title.as_deref(), Some("双政项目支出绩效目标申报表"));
        assert_eq!(f.snapped_from, None);
    }

    #[test]
    fn titles_read_as_titles() {
        assert_eq!(
            title_of("财政项目支出绩效目标填报表", false).as_deref(),
            Some("财政项目支出绩效目标填报表")
        );
        assert_eq!(
            title_of("财 政 项 目 支 出 绩 效 目 标 表", false).as_deref(),
            Some("财政项目支出绩效目标表")
        );
        assert_eq!(
            title_of("项目支出绩效目标表（2023年度）", false).as_deref(),
            Some("项目支出绩效目标表")
        );
        assert_eq!(title_of("项目申报表", false), None);
        assert_eq!(title_of("项目申报表", true).as_deref(), Some("项目申报表"));
        // Goal text, unit lines, summaries never.
        assert_eq!(title_of("完成绩效目标，填报表格。", true), None);
        assert_eq!(title_of("单位：万元", true), None);
        assert_eq!(title_of("2024年度项目绩效目标汇总表", true), None);
    }

    #[test]
    fn years_in_their_spellings() {
        for t in [
            "（2023年度）",
            "(2023年度)",
            "2023年度",
            "年度：2023",
            "2023 年度",
            "（2023年）",
        ] {
            assert!(is_year_line(t), "{t}");
            assert_eq!(year_of(t), Some(2023), "{t}");
        }
        assert!(!is_year_line("财政项目支出绩效目标申报表"));
        assert_eq!(year_of("无"), None);
        assert!(is_unit_line("单位：万元") && !is_unit_line("（2023年度）"));
    }

    #[test]
    fn spaced_out_title_pieces_join_and_the_nearest_year_is_taken() {
        let lines = vec![
            line("财政项目支出", 150.0, 40.0, 270.0, 18.0),
            line("绩效目标填报表", 300.0, 40.0, 440.0, 18.0),
            line("（2023年度）", 460.0, 70.0, 540.0, 10.0),
            line("单位：万元", 480.0, 84.0, 540.0, 10.0),
        ];
        let f = find(&lines, (50.0, 545.0));
        assert_eq!(f.title.as_deref(), Some("财政项目支出绩效目标填报表"));
        assert_eq!(f.year, Some(2023));
    }

    #[test]
    fn goal_text_above_a_table_is_no_title() {
        let lines = vec![line(
            "通过项目实施，提升服务水平，完成年度工作表。",
            50.0,
            40.0,
            540.0,
            10.0,
        )];
        let f = find(&lines, (50.0, 545.0));
        assert_eq!((f.title, f.year), (None, None));
    }

    #[test]
    fn a_cover_titles_ending_read_a_few_characters_off_is_snapped() {
        let (t, read) =
            snap_cover_title("上海市闵行区社会保障服务中心2022年：项1三支出绩效目标汇总表")
                .unwrap();
        assert_eq!(
            t,
            "上海市闵行区社会保障服务中心2022年度项目支出绩效目标汇总表"
        );
        assert_eq!(read, "年：项1三支出绩效目标汇总表");
        // Exact, far off, or no year: left as read.
        assert_eq!(snap_cover_title("某区2022年度项目支出绩效目标汇总表"), None);
        assert_eq!(snap_cover_title("某区2022年工作报告"), None);
        assert_eq!(snap_cover_title("某区项1三支出绩效目标汇总表"), None);
    }

    #[test]
    fn a_cover_title_ending_in_none_of_the_known_endings_is_named() {
        assert_eq!(
            unknown_cover_ending("某区2022年度项目支出绩效目标汇总表"),
            None
        );
        // Three characters off, beyond the snap: kept as read, and named.
        let read = "上海市闵行区人力资源和社会保障局2024年.绩效目标汇总表";
        assert_eq!(snap_cover_title(read), None);
        assert_eq!(
            unknown_cover_ending(read).as_deref(),
            Some("年.绩效目标汇总表")
        );
        // Another volume's own ending: not a misreading.
        assert_eq!(unknown_cover_ending("某局2024年部门预算"), None);
        assert_eq!(unknown_cover_ending("某局部门预算"), None);
        // The year lost: a known ending read with the year's place.
        assert_eq!(
            unknown_cover_ending("某服务中心20项目绩效目标汇总表").as_deref(),
            Some("20项目绩效目标汇总表")
        );
    }
}
