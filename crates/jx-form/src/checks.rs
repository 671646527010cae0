//! Validations that warn and never change a value: the fund columns must add
//! up as the form's own arithmetic says.

use crate::record::Recorder;
use jx_model::Code;
use jx_model::record::Funds;

/// Cents of an amount string, exactly.
fn cents(s: &Option<String>) -> Option<i128> {
    let s = s.as_deref()?;
    let (int, frac) = s.split_once('.')?;
    let neg = int.starts_with('-');
    let v = int.trim_start_matches('-').parse::<i128>().ok()? * 100 + frac.parse::<i128>().ok()?;
    Some(if neg { -v } else { v })
}

fn yuan(c: i128) -> String {
    format!("{}.{:02}", c / 100, (c % 100).abs())
}

/// Annual total = appropriation + carryover + other; project total =
/// fiscal + other. Blank parts count as zero only when the total is present and at
/// least one part is.
pub fn check_sums(f: &Funds, rec: &mut Recorder) {
    let a = &f.annual;
    sum_check(
        rec,
        "funds.annual.total",
        &a.total,
        &[&a.appropriation, &a.carryover, &a.other],
        "年度资金申请总额 ≠ 当年财政拨款 + 上年结转资金 + 其他资金",
    );
    let p = &f.project_total;
    sum_check(
        rec,
        "funds.project_total.total",
        &p.total,
        &[&p.fiscal, &p.other],
        "项目资金总额 ≠ 财政资金 + 其他资金",
    );
}

fn sum_check(
    rec: &mut Recorder,
    path: &str,
    total: &Option<String>,
    parts: &[&Option<String>],
    what: &str,
) {
    let Some(t) = cents(total) else { return };
    if parts.iter().all(|p| p.is_none()) {
        return;
    }
    let sum: i128 = parts.iter().filter_map(|p| cents(p)).sum();
    if sum != t {
        rec.warn(
            Code::FundsDoNotAddUp,
            path,
            format!("{what}: {} ≠ {}", yuan(t), yuan(sum)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jx_model::record::{Annual, ProjectTotal};

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
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
}
