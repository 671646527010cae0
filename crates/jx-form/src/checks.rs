//! Validations that warn and never change a value: the fund columns must add
//! up as the form's own arithmetic says.

use crate::record::Recorder;
use jx_model::record::Funds;
use jx_model::{Code, FieldPath, Money};

/// Annual total = appropriation + carryover + other; project total =
/// fiscal + other. Blank parts count as zero only when the total is present and at
/// least one part is.
pub fn check_sums(f: &Funds, rec: &mut Recorder) {
    let a = &f.annual;
    sum_check(
        rec,
        FieldPath::of(&["funds", "annual", "total"]),
        &a.total,
        &[&a.appropriation, &a.carryover, &a.other],
        "年度资金申请总额 ≠ 当年财政拨款 + 上年结转资金 + 其他资金",
    );
    let p = &f.project_total;
    sum_check(
        rec,
        FieldPath::of(&["funds", "project_total", "total"]),
        &p.total,
        &[&p.fiscal, &p.other],
        "项目资金总额 ≠ 财政资金 + 其他资金",
    );
}

fn sum_check(
    rec: &mut Recorder,
    path: FieldPath,
    total: &Option<Money>,
    parts: &[&Option<Money>],
    what: &str,
) {
    let Some(t) = *total else { return };
    if parts.iter().all(|p| p.is_none()) {
        return;
    }
    let sum: Money = parts.iter().filter_map(|p| **p).sum();
    if sum != t {
        rec.warn(Code::FundsDoNotAddUp, &path, format!("{what}: {t} ≠ {sum}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::record::{Annual, ProjectTotal};

    fn s(v: &str) -> Option<Money> {
        Some(v.parse().unwrap())
    }

    #[test]
    fn sums_that_do_not_add_up_warn() {
        let f = Funds {
            project_total: ProjectTotal::default(),
            annual: Annual {
                total: s("100.00"),
                appropriation: s("60.00"),
                carryover: s("30.00"),
                other: s("0.00"),
            },
        };
        let mut rec = Recorder::new(0.6);
        check_sums(&f, &mut rec);
        assert_eq!(rec.diagnostics.warnings.len(), 1);
        assert!(
            rec.diagnostics.warnings[0]
                .detail
                .contains("100.00 ≠ 90.00")
        );
    }

    #[test]
    fn sums_that_add_up_are_silent() {
        let f = Funds {
            project_total: ProjectTotal {
                total: s("10.50"),
                fiscal: s("10.00"),
                other: s("0.50"),
            },
            annual: Annual {
                total: s("5.00"),
                appropriation: s("5.00"),
                carryover: None,
                other: None,
            },
        };
        let mut rec = Recorder::new(0.6);
        check_sums(&f, &mut rec);
        assert!(rec.diagnostics.warnings.is_empty());
    }

    #[test]
    fn a_negative_amount_under_one_yuan_keeps_its_sign() {
        // The former `yuan()` wrote −50 cents as `0.50`.
        let f = Funds {
            project_total: ProjectTotal {
                total: s("-0.50"),
                fiscal: s("1.00"),
                other: None,
            },
            annual: Annual::default(),
        };
        let mut rec = Recorder::new(0.6);
        check_sums(&f, &mut rec);
        let w = &rec.diagnostics.warnings;
        assert_eq!(w.len(), 1);
        assert!(w[0].detail.contains("-0.50 ≠ 1.00"), "{}", w[0].detail);
        let f = Funds {
            project_total: ProjectTotal {
                total: s("0.00"),
                fiscal: s("0.20"),
                other: s("-0.70"),
            },
            annual: Annual::default(),
        };
        let mut rec = Recorder::new(0.6);
        check_sums(&f, &mut rec);
        let w = &rec.diagnostics.warnings;
        assert!(w[0].detail.contains("0.00 ≠ -0.50"), "{}", w[0].detail);
    }
}
