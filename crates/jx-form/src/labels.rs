//! The form's printed labels: the closed vocabulary by which fields are
//! found, whatever the column widths or order of a template.

use jx_model::FieldPath;
use jx_model::text::nfkc_chars;

/// A label printed in a form cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Label {
    ProjectName,
    Nature,
    Category,
    Department,
    Implementer,
    StartDate,
    EndDate,
    FundsBlock,
    ProjectTotal,
    Fiscal,
    OtherFunds,
    AnnualTotal,
    Appropriation,
    Carryover,
    GoalsBlock,
    OverallGoal,
    AnnualGoal,
    IndicatorsBlock,
    Level1Header,
    Level2Header,
    Level3Header,
    ValueHeader,
}

/// Every label with the spellings templates use (compared after
/// [`normalize_label`]).
pub const VOCABULARY: &[(Label, &[&str])] = &[
    (Label::ProjectName, &["项目名称"]),
    (Label::Nature, &["项目性质"]),
    (Label::Category, &["项目类别", "项目类型"]),
    (Label::Department, &["主管部门", "主管单位", "预算主管部门"]),
    (
        Label::Implementer,
        &["实施单位", "项目实施单位", "预算单位"],
    ),
    (
        Label::StartDate,
        &["计划开始日期", "项目开始日期", "开始日期", "计划开始时间"],
    ),
    (
        Label::EndDate,
        &[
            "计划完成日期",
            "项目完成日期",
            "完成日期",
            "计划结束日期",
            "计划完成时间",
        ],
    ),
    (
        Label::FundsBlock,
        &[
            "项目资金(元)",
            "项目资金",
            "项目资金(万元)",
            "资金情况(元)",
            "资金情况",
        ],
    ),
    (Label::ProjectTotal, &["项目资金总额", "资金总额"]),
    (Label::Fiscal, &["其中财政资金", "财政资金"]),
    (Label::OtherFunds, &["其他资金", "其中其他资金"]),
    (
        Label::AnnualTotal,
        &["年度资金申请总额", "年度资金总额", "年度申请资金总额"],
    ),
    (Label::Appropriation, &["其中当年财政拨款", "当年财政拨款"]),
    (
        Label::Carryover,
        &["上年结转资金", "其中上年结转资金", "上年结转"],
    ),
    (Label::GoalsBlock, &["项目绩效目标", "绩效目标", "总体目标"]),
    (Label::OverallGoal, &["项目总目标"]),
    (Label::AnnualGoal, &["年度总体目标", "年度目标"]),
    (Label::IndicatorsBlock, &["绩效指标", "项目绩效指标"]),
    (Label::Level1Header, &["一级指标"]),
    (Label::Level2Header, &["二级指标"]),
    (Label::Level3Header, &["三级指标", "指标名称"]),
    (
        Label::ValueHeader,
        &[
            "年度(/项目)指标值",
            "年度指标值",
            "指标值",
            "项目指标值",
            "年度(项目)指标值",
            "年度/项目指标值",
        ],
    ),
];

/// The form's wording compared loosely: NFKC (full-width brackets and colons
/// become ASCII), white space and colons removed.
pub fn normalize_label(text: &str) -> String {
    nfkc_chars(text)
        .filter(|c| !c.is_whitespace() && *c != ':' && *c != '：')
        .collect()
}

/// The label a cell's text is, if it is one.
pub fn label_of(text: &str) -> Option<Label> {
    let n = normalize_label(text);
    if n.is_empty() {
        return None;
    }
    VOCABULARY
        .iter()
        .find(|(_, spellings)| spellings.contains(&n.as_str()))
        .map(|(l, _)| *l)
}

impl Label {
    /// Whether only a form prints this label. 项目名称, 主管部门, 预算单位,
    /// 项目类别 and every funds line (财政拨款, 上年结转资金, 其他资金 …) are
    /// also the column heads of a volume's budget tables (收支预算总表,
    /// 项目支出预算表), so they alone show no form; goals, dates, the annual
    /// request and the indicator table's heads do.
    pub fn only_on_forms(self) -> bool {
        matches!(
            self,
            Label::GoalsBlock
                | Label::OverallGoal
                | Label::AnnualGoal
                | Label::StartDate
                | Label::EndDate
                | Label::AnnualTotal
                | Label::IndicatorsBlock
                | Label::Level1Header
                | Label::Level2Header
                | Label::Level3Header
        )
    }

    /// Whether the label names the project (its name, nature, category,
    /// department or implementer), not its funds, goals or indicators.
    pub fn names_project(self) -> bool {
        matches!(
            self,
            Label::ProjectName
                | Label::Nature
                | Label::Category
                | Label::Department
                | Label::Implementer
        )
    }

    /// The JSON path of what the label introduces: a field (`project.name`),
    /// or the block (`funds`, `indicators`) where a label names no single
    /// field (其他资金 stands on both sides of the funds block).
    pub fn field_path(self) -> FieldPath {
        FieldPath::of(match self {
            Label::ProjectName => &["project", "name"],
            Label::Nature => &["project", "nature"],
            Label::Category => &["project", "category"],
            Label::Department => &["project", "department"],
            Label::Implementer => &["project", "implementer"],
            Label::StartDate => &["project", "start_date"],
            Label::EndDate => &["project", "end_date"],
            Label::FundsBlock | Label::OtherFunds => &["funds"],
            Label::ProjectTotal => &["funds", "project_total", "total"],
            Label::Fiscal => &["funds", "project_total", "fiscal"],
            Label::AnnualTotal => &["funds", "annual", "total"],
            Label::Appropriation => &["funds", "annual", "appropriation"],
            Label::Carryover => &["funds", "annual", "carryover"],
            Label::GoalsBlock => &["goals"],
            Label::OverallGoal => &["goals", "overall"],
            Label::AnnualGoal => &["goals", "annual"],
            Label::IndicatorsBlock
            | Label::Level1Header
            | Label::Level2Header
            | Label::Level3Header
            | Label::ValueHeader => &["indicators"],
        })
    }
}

/// The usual spelling of a label.
pub fn spelling(label: Label) -> &'static str {
    VOCABULARY
        .iter()
        .find(|(l, _)| *l == label)
        .map_or("", |(_, s)| s[0])
}

/// The closest spelling within `max_edits` character edits, for text read
/// by OCR: `(label, spelling, edits)`. Only spellings of three or more
/// characters take part, so short words are never snapped, and a level of
/// the indicator taxonomy is never a label read off.
pub fn nearest_label(text: &str, max_edits: usize) -> Option<(Label, &'static str, usize)> {
    let n = normalize_label(text);
    // A level of the national taxonomy read whole is that level, not a
    // label read off: 时效指标 is one character from 绩效指标.
    if n.chars().count() < 3 || crate::taxonomy::is_level1(&n) || crate::taxonomy::is_level2(&n) {
        return None;
    }
    VOCABULARY
        .iter()
        .flat_map(|(l, sp)| sp.iter().map(move |s| (*l, *s)))
        .filter(|(_, s)| s.chars().count() >= 3)
        .map(|(l, s)| (l, s, edit_distance(&n, s)))
        .filter(|(_, s, d)| *d <= max_edits && *d * 3 < s.chars().count())
        .min_by_key(|(_, _, d)| *d)
}

/// The label a cell's text reads as: exactly, or — read by OCR — one
/// character off (`”项目名称`, `项目名杯`). Finding and accounting forms use
/// it; nothing is changed by it (the grid snaps and logs labels itself).
pub fn label_read(text: &str, by_ocr: bool) -> Option<Label> {
    label_of(text).or_else(|| {
        by_ocr
            .then(|| nearest_label(text, 1).map(|(l, _, _)| l))
            .flatten()
    })
}

/// Levenshtein distance over characters, not bytes (a misread Chinese
/// character is one edit): strsim's, named once here so that the form's
/// snapping and the OCR comparison example measure alike.
pub fn edit_distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 时效指标 is a level of the taxonomy, not 绩效指标 read one character
    /// off; 绩效指杯 is.
    #[test]
    fn a_taxonomy_level_is_no_label_read_off() {
        assert_eq!(nearest_label("时效指标", 2), None);
        assert_eq!(nearest_label("社会效益指标", 2), None);
        assert_eq!(
            nearest_label("绩效指杯", 1).map(|(l, _, _)| l),
            Some(Label::IndicatorsBlock)
        );
    }

    #[test]
    fn labels_match_across_punctuation_and_spaces() {
        assert_eq!(label_of("其中：财政资金"), Some(Label::Fiscal));
        assert_eq!(label_of("其中: 当年财政拨款"), Some(Label::Appropriation));
        assert_eq!(label_of("项目资金（元）"), Some(Label::FundsBlock));
        assert_eq!(label_of("年度(/项目)指标值"), Some(Label::ValueHeader));
        assert_eq!(label_of("项 目 名 称"), Some(Label::ProjectName));
        assert_eq!(label_of("征地养老费支出"), None);
        assert_eq!(label_of(""), None);
    }

    #[test]
    fn ocr_misreads_snap_to_the_nearest_label() {
        assert_eq!(
            nearest_label("项目名杯", 1).map(|x| x.0),
            Some(Label::ProjectName)
        );
        assert_eq!(
            nearest_label("年度资金申情总额", 2).map(|x| x.0),
            Some(Label::AnnualTotal)
        );
        assert!(nearest_label("完全不同的文字", 2).is_none());
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("数量指标", "数量指标"), 0);
        assert_eq!(edit_distance("数量指标", "质量指标"), 1);
        assert_eq!(edit_distance("年度资金申情总额", "年度资金申请总额"), 1);
        assert_eq!(edit_distance("", "项目"), 2);
    }
}
