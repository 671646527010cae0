//! The national indicator taxonomy (财预〔2020〕10号 and its guide): the
//! fixed first and second levels of the 绩效指标 table.

/// Level 1 labels with their level 2 labels.
pub const TAXONOMY: &[(&str, &[&str])] = &[
    (
        "成本指标",
        &["经济成本指标", "社会成本指标", "生态环境成本指标"],
    ),
    ("产出指标", &["数量指标", "质量指标", "时效指标"]),
    (
        "效益指标",
        &[
            "经济效益指标",
            "社会效益指标",
            "生态效益指标",
            "可持续影响指标",
        ],
    ),
    ("满意度指标", &["服务对象满意度指标"]),
];

/// Whether `s` is one of the level 1 labels.
pub fn is_level1(s: &str) -> bool {
    TAXONOMY.iter().any(|(l1, _)| *l1 == s)
}

/// Whether `s` is one of the level 2 labels.
pub fn is_level2(s: &str) -> bool {
    parent_of(s).is_some()
}

/// The level 1 label a level 2 label belongs to.
pub fn parent_of(level2: &str) -> Option<&'static str> {
    TAXONOMY
        .iter()
        .find(|(_, l2s)| l2s.contains(&level2))
        .map(|(l1, _)| *l1)
}

/// All labels of both levels, for snapping OCR misreads.
pub fn all_labels() -> impl Iterator<Item = &'static str> {
    TAXONOMY
        .iter()
        .flat_map(|(l1, l2s)| std::iter::once(*l1).chain(l2s.iter().copied()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents() {
        assert_eq!(parent_of("时效指标"), Some("产出指标"));
        assert_eq!(parent_of("可持续影响指标"), Some("效益指标"));
        assert_eq!(parent_of("产出指标"), None);
        assert!(is_level1("满意度指标") && !is_level1("数量指标"));
        assert_eq!(all_labels().count(), 15);
    }
}
