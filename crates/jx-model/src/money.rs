//! An amount of money, exact, in cents.
//!
//! The contract writes amounts as decimal strings with two decimals
//! (`"1094910000.00"`, `"-0.50"`), never as JSON numbers: floats would round
//! budgets of ten digits and more. [`Money`] holds the same value as an
//! integer count of cents, so arithmetic (the sums check) is exact, and
//! (de)serializes as that very string, so the JSON written is unchanged.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::Add;
use std::str::FromStr;

/// An amount in yuan, held as cents. `i128` so that no amount a form can
/// print (nor a sum of them) overflows; the contract sets no upper bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i128);

impl Money {
    /// The amount of `cents` hundredths of a yuan.
    pub const fn from_cents(cents: i128) -> Self {
        Money(cents)
    }

    /// The amount in hundredths of a yuan.
    pub const fn cents(self) -> i128 {
        self.0
    }
}

/// Why a text is not an amount in the contract's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotMoney(pub String);

impl fmt::Display for NotMoney {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is no amount of the form -?digits.dd (two decimals, no grouping)",
            self.0
        )
    }
}

impl std::error::Error for NotMoney {}

impl FromStr for Money {
    type Err = NotMoney;

    /// The contract's form only: an optional `-`, digits, `.`, exactly two
    /// digits. Printed forms (grouping, 万元, `¥`) are normalized by
    /// `jx_form::normalize::money`, not here: this parse is strict so that a
    /// value read back is the value that was written. (Leading zeros and
    /// `-0.00`, which the normalizer never writes, read as their value.)
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || NotMoney(s.to_string());
        let (neg, digits) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        let (int, frac) = digits.split_once('.').ok_or_else(err)?;
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || !all_digits(frac) || frac.len() != 2 {
            return Err(err());
        }
        let cents = int
            .parse::<i128>()
            .ok()
            .and_then(|i| i.checked_mul(100))
            .and_then(|i| i.checked_add(frac.parse::<i128>().ok()?))
            .ok_or_else(err)?;
        Ok(Money(if neg { -cents } else { cents }))
    }
}

impl fmt::Display for Money {
    /// `-?yuan.cc`: the sign is written apart from the yuan, so that −50
    /// cents is `-0.50` (the yuan part alone, 0, has no sign to carry it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Add for Money {
    type Output = Money;

    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::default(), Add::add)
    }
}

impl Serialize for Money {
    /// As the contract's string, not a number (see the module doc).
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        s.parse().unwrap()
    }

    #[test]
    fn the_contract_form_round_trips() {
        for s in [
            "-0.50",
            "0.00",
            "0.05",
            "1094910000.00",
            "-12.34",
            "116822.00",
        ] {
            assert_eq!(m(s).to_string(), s);
        }
        assert_eq!(m("-0.50").cents(), -50);
        assert_eq!(Money::from_cents(-50).to_string(), "-0.50");
        assert_eq!(Money::from_cents(-1).to_string(), "-0.01");
    }

    #[test]
    fn other_forms_are_refused() {
        for s in [
            "1.5", "abc", "", "1", "1.", ".50", "-.50", "1.500", "+1.00", "1,000.00", "1 .00",
            "--1.00", "-", "1.0a",
        ] {
            assert!(s.parse::<Money>().is_err(), "{s:?}");
        }
    }

    #[test]
    fn sums_are_exact() {
        let total: Money = ["0.10", "0.20", "-0.50"].iter().map(|s| m(s)).sum();
        assert_eq!(total.to_string(), "-0.20");
        assert_eq!(m("0.10") + m("0.20"), m("0.30"));
    }

    #[test]
    fn serde_writes_and_reads_the_string() {
        let v = Some(m("-0.50"));
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, r#""-0.50""#);
        assert_eq!(serde_json::from_str::<Option<Money>>(&json).unwrap(), v);
        assert!(serde_json::from_str::<Money>("1.5").is_err());
        assert!(serde_json::from_str::<Money>(r#""1.5""#).is_err());
    }
}
