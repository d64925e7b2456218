//! Exact money. `Decimal` in the domain, `i64` minor units in the database, decimal strings
//! on the wire. Amounts never pass through floating point.
//!
//! Rounding rule (used by every conversion): the exact product `amount × rate` is rounded
//! once, to the minor units of the target currency, half to even ("banker's rounding").
//! Half-to-even has no upward bias, so the rounding differences of many receipts do not
//! drift the fund's totals in one direction.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

/// The largest amount accepted, in minor units (100 billion USD). Sums of over 900,000 such
/// amounts still fit in `i64` (9.2e18), so no fund total the database keeps can overflow.
pub const MAX_MINOR_UNITS: i64 = 10_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency {0:?}: use an ISO 4217 code such as USD")]
    UnknownCurrency(String),
    #[error("must be a decimal string such as \"30000.00\"")]
    NotADecimal,
    #[error("{currency} allows at most {allowed} decimal places")]
    TooManyDecimals { currency: Currency, allowed: u32 },
    #[error("is too large")]
    TooLarge,
    #[error("must be greater than zero")]
    NotPositive,
    #[error("an exchange rate must be greater than zero")]
    BadRate,
}

/// An ISO 4217 currency with its minor units (USD 2, JPY 0, KWD 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    pub const USD: Currency = Currency(iso_currency::Currency::USD);

    /// Parses an upper-case ISO 4217 code of a currency that has minor units defined
    /// (which excludes metals and fund codes such as XAU).
    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        iso_currency::Currency::from_code(code)
            .filter(|c| c.exponent().is_some() && code.chars().all(|ch| ch.is_ascii_uppercase()))
            .map(Currency)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.to_string()))
    }

    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    pub fn minor_units(&self) -> u32 {
        u32::from(self.0.exponent().unwrap_or(0))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Currency::parse(s)
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// Parses a plain decimal string: optional minus, digits, optional fraction. No exponent,
/// no separators, no whitespace: what a client sends is exactly what is stored.
pub fn parse_decimal(text: &str) -> Result<Decimal, MoneyError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) || digits.len() > 28 {
        return Err(MoneyError::NotADecimal);
    }
    Decimal::from_str(text).map_err(|_| MoneyError::NotADecimal)
}

/// An exact amount in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Checks that `amount` has no more decimals than the currency allows and fits the
    /// storage range. Trailing zeros do not count ("1.500" is 1.5 USD).
    pub fn new(amount: Decimal, currency: Currency) -> Result<Self, MoneyError> {
        let normalized = amount.normalize();
        if normalized.scale() > currency.minor_units() {
            return Err(MoneyError::TooManyDecimals {
                currency,
                allowed: currency.minor_units(),
            });
        }
        let money = Money {
            amount: normalized,
            currency,
        };
        match money.checked_minor_units() {
            Some(minor) if minor.abs() <= MAX_MINOR_UNITS => Ok(money),
            _ => Err(MoneyError::TooLarge),
        }
    }

    /// Parses the wire form: a decimal string and an ISO 4217 code.
    pub fn parse(amount: &str, currency: &str) -> Result<Self, MoneyError> {
        let currency = Currency::parse(currency)?;
        Money::new(parse_decimal(amount)?, currency)
    }

    pub fn zero(currency: Currency) -> Self {
        Money {
            amount: Decimal::ZERO,
            currency,
        }
    }

    /// Rebuilds an amount stored as minor units (cents for USD).
    pub fn from_minor(minor: i64, currency: Currency) -> Self {
        Money {
            amount: Decimal::new(minor, currency.minor_units()),
            currency,
        }
    }

    fn checked_minor_units(&self) -> Option<i64> {
        let scaled = self
            .amount
            .checked_mul(Decimal::from(10i64.pow(self.currency.minor_units())))?;
        i64::try_from(scaled.trunc()).ok()
    }

    /// The amount in minor units. Exact: `new` guarantees the amount has no finer part.
    pub fn minor_units(&self) -> i64 {
        self.checked_minor_units()
            .expect("Money::new bounds the amount so that it fits in i64 minor units")
    }

    pub fn amount(&self) -> Decimal {
        self.amount
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn is_positive(&self) -> bool {
        self.amount > Decimal::ZERO
    }

    pub fn require_positive(self) -> Result<Self, MoneyError> {
        if self.is_positive() {
            Ok(self)
        } else {
            Err(MoneyError::NotPositive)
        }
    }

    /// Converts into `target` at `rate` (units of `target` for one unit of this currency),
    /// rounding once, half to even, to the target's minor units.
    pub fn convert(&self, rate: Decimal, target: Currency) -> Result<Money, MoneyError> {
        if rate <= Decimal::ZERO {
            return Err(MoneyError::BadRate);
        }
        let exact = self.amount.checked_mul(rate).ok_or(MoneyError::TooLarge)?;
        let rounded = exact
            .round_dp_with_strategy(target.minor_units(), RoundingStrategy::MidpointNearestEven);
        Money::new(rounded, target)
    }

    /// The amount with exactly the currency's number of decimals, as sent on the wire.
    pub fn amount_string(&self) -> String {
        let mut shown = self.amount;
        shown.rescale(self.currency.minor_units());
        shown.to_string()
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount_string(), self.currency)
    }
}

/// The JSON form `{"amount": "30000.00", "currency": "USD"}`.
impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Money", 2)?;
        st.serialize_field("amount", &self.amount_string())?;
        st.serialize_field("currency", self.currency.code())?;
        st.end()
    }
}

/// A decimal that arrives as a JSON string. A JSON number is refused on purpose: clients
/// that send numbers have usually passed the amount through a binary float already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = String, example = "30000.00")]
pub struct DecimalString(pub Decimal);

impl<'de> Deserialize<'de> for DecimalString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = DecimalString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a decimal string such as \"30000.00\"")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
                parse_decimal(v)
                    .map(DecimalString)
                    .map_err(|_| E::custom("must be a decimal string such as \"30000.00\""))
            }
            fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Err(E::custom(NUMBER_REFUSED))
            }
            fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Err(E::custom(NUMBER_REFUSED))
            }
            fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Err(E::custom(NUMBER_REFUSED))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Serialize for DecimalString {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

const NUMBER_REFUSED: &str =
    "must be a decimal string such as \"30000.00\", not a JSON number (numbers lose precision)";

/// An amount in a currency the context fixes (an application's, a grant's): a decimal
/// string, or the full money form
/// `{"amount": "…", "currency": "…"}`; a JSON number is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmountInput {
    pub amount: Decimal,
    pub currency: Option<String>,
}

impl<'de> serde::Deserialize<'de> for AmountInput {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let bad = || {
            D::Error::custom(
                "must be a decimal string such as \"25000.00\" (or {\"amount\", \"currency\"}), not a JSON number",
            )
        };
        let parse = |text: &str| parse_decimal(text).map_err(|_| bad());
        match <serde_json::Value as serde::Deserialize>::deserialize(d)? {
            serde_json::Value::String(text) => Ok(AmountInput {
                amount: parse(&text)?,
                currency: None,
            }),
            serde_json::Value::Object(map) => {
                if map.keys().any(|k| k != "amount" && k != "currency") {
                    return Err(D::Error::custom("has only `amount` and `currency`"));
                }
                let amount = map
                    .get("amount")
                    .and_then(|v| v.as_str())
                    .ok_or_else(bad)
                    .and_then(parse)?;
                let currency = match map.get("currency") {
                    None | Some(serde_json::Value::Null) => None,
                    Some(serde_json::Value::String(c)) => Some(c.clone()),
                    Some(_) => return Err(D::Error::custom("currency must be an ISO 4217 code")),
                };
                Ok(AmountInput { amount, currency })
            }
            _ => Err(bad()),
        }
    }
}

impl AmountInput {
    /// The amount as money in `currency`: another currency, or more
    /// decimals than it has, is a field error.
    pub fn money(
        &self,
        field: &str,
        currency: Currency,
        errors: &mut Vec<crate::error::FieldError>,
    ) -> Option<Money> {
        if let Some(code) = &self.currency
            && !code.eq_ignore_ascii_case(currency.code())
        {
            errors.push(crate::error::FieldError::new(
                field,
                format!("must be in {currency}, the currency of the grant or application"),
            ));
            return None;
        }
        match Money::new(self.amount, currency) {
            Ok(m) => Some(m),
            Err(e) => {
                errors.push(crate::error::FieldError::new(field, e.to_string()));
                None
            }
        }
    }
}

/// Shares `total` minor units out in proportion to `weights`, losing none: each share gets
/// the whole part of its exact proportion, and the units left over go one each to the
/// shares with the largest remainders, an earlier share first among equal remainders
/// (the largest-remainder method). The shares always sum to `total`. `None` when the
/// weights add up to nothing. Used wherever one amount is divided (a budget across
/// countries and themes, 100 % across a grant's countries), so every split rounds alike.
pub fn allocate(total: i64, weights: &[u64]) -> Option<Vec<i64>> {
    let sum: u128 = weights.iter().map(|w| u128::from(*w)).sum();
    if sum == 0 {
        return None;
    }
    let sum = i128::try_from(sum).ok()?;
    let magnitude = i128::from(total).abs();
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (i, w) in weights.iter().enumerate() {
        // |total| ≤ 9.2e18 and a weight ≤ 1.8e19: the product fits in i128 (1.7e38)
        let exact = magnitude * i128::from(*w);
        let share = exact / sum;
        given += share;
        shares.push(share);
        remainders.push((exact % sum, i));
    }
    let left = usize::try_from(magnitude - given).ok()?;
    // fewer units are left over than there are shares (each remainder is below one unit)
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders.into_iter().take(left) {
        shares[i] += 1;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(if total < 0 { -s } else { s }).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn usd(s: &str) -> Money {
        Money::parse(s, "USD").expect("valid test amount")
    }

    #[test]
    fn parses_and_shows_the_currency_decimals() {
        assert_eq!(usd("30000").amount_string(), "30000.00");
        assert_eq!(usd("1.5").minor_units(), 150);
        assert_eq!(
            Money::parse("100", "JPY").map(|m| m.amount_string()),
            Ok("100".into())
        );
        assert_eq!(
            Money::parse("1.234", "KWD").map(|m| m.minor_units()),
            Ok(1234)
        );
    }

    #[test]
    fn refuses_more_decimals_than_the_currency_allows() {
        assert!(matches!(
            Money::parse("10.005", "USD"),
            Err(MoneyError::TooManyDecimals { allowed: 2, .. })
        ));
        assert!(Money::parse("1.5", "JPY").is_err());
        assert!(
            Money::parse("1.500", "USD").is_ok(),
            "trailing zeros are not precision"
        );
    }

    #[test]
    fn refuses_what_is_not_a_plain_decimal() {
        for bad in [
            "", "1e5", " 1", "1,000", "1_000", "+1", ".5", "5.", "NaN", "0x10", "--1",
        ] {
            assert_eq!(parse_decimal(bad), Err(MoneyError::NotADecimal), "{bad:?}");
        }
    }

    #[test]
    fn refuses_unknown_or_lower_case_currencies() {
        assert!(Currency::parse("XYZ").is_err());
        assert!(Currency::parse("usd").is_err());
        assert!(Currency::parse("XAU").is_err(), "gold has no minor units");
    }

    #[test]
    fn rounds_conversions_half_to_even() {
        let eur = Money::parse("0.10", "EUR").expect("valid");
        // 0.10 × 1.25 = 0.125 → 0.12 (the 2 is even)
        assert_eq!(
            eur.convert(Decimal::new(125, 2), Currency::USD)
                .map(|m| m.minor_units()),
            Ok(12)
        );
        // 0.10 × 1.35 = 0.135 → 0.14 (the 4 is even)
        assert_eq!(
            eur.convert(Decimal::new(135, 2), Currency::USD)
                .map(|m| m.minor_units()),
            Ok(14)
        );
        assert_eq!(
            eur.convert(Decimal::ZERO, Currency::USD),
            Err(MoneyError::BadRate)
        );
    }

    #[test]
    fn json_numbers_are_refused_for_amounts() {
        let err = serde_json::from_str::<DecimalString>("30000.5").expect_err("number refused");
        assert!(err.to_string().contains("not a JSON number"));
        assert!(serde_json::from_str::<DecimalString>("\"30000.50\"").is_ok());
    }

    proptest! {
        #[test]
        fn minor_units_round_trip(minor in -MAX_MINOR_UNITS..=MAX_MINOR_UNITS, code in prop::sample::select(vec!["USD", "JPY", "KWD", "EUR"])) {
            let currency = Currency::parse(code).expect("known currency");
            let money = Money::from_minor(minor, currency);
            prop_assert_eq!(money.minor_units(), minor);
            let reparsed = Money::parse(&money.amount_string(), code).expect("own output parses");
            prop_assert_eq!(reparsed, money);
        }

        #[test]
        fn conversion_error_is_at_most_half_a_minor_unit(minor in 1i64..1_000_000_000_000, rate_units in 1i64..100_000_000, rate_scale in 0u32..8) {
            let rate = Decimal::new(rate_units, rate_scale);
            let eur = Money::from_minor(minor, Currency::parse("EUR").expect("EUR"));
            if let Ok(usd) = eur.convert(rate, Currency::USD) {
                let exact = eur.amount() * rate;
                let error = (usd.amount() - exact).abs();
                prop_assert!(error <= Decimal::new(5, 3), "error {} too large", error);
            }
        }

        #[test]
        fn sums_in_minor_units_equal_decimal_sums(parts in prop::collection::vec(0i64..MAX_MINOR_UNITS / 1000, 0..50)) {
            let decimal_sum: Decimal = parts.iter().map(|m| Money::from_minor(*m, Currency::USD).amount()).sum();
            let minor_sum: i64 = parts.iter().sum();
            prop_assert_eq!(Money::from_minor(minor_sum, Currency::USD).amount(), decimal_sum);
        }
    }

    #[test]
    fn an_allocation_gives_left_over_units_to_the_largest_remainders() {
        // 100 in thirds: 33.33… each, the one unit left goes to the first
        assert_eq!(allocate(100, &[1, 1, 1]), Some(vec![34, 33, 33]));
        // 60 % and 40 % of 1 unit: the larger remainder takes it
        assert_eq!(allocate(1, &[40, 60]), Some(vec![0, 1]));
        assert_eq!(allocate(-100, &[1, 1, 1]), Some(vec![-34, -33, -33]));
        assert_eq!(allocate(0, &[1, 2]), Some(vec![0, 0]));
        assert_eq!(allocate(5, &[0, 0]), None);
        assert_eq!(allocate(5, &[]), None);
        assert_eq!(allocate(7, &[0, 3]), Some(vec![0, 7]));
    }

    proptest! {
        #[test]
        fn an_allocation_loses_no_minor_unit(
            total in -MAX_MINOR_UNITS..=MAX_MINOR_UNITS,
            weights in proptest::collection::vec(0u64..2_000_000, 1..40),
        ) {
            match allocate(total, &weights) {
                None => prop_assert!(weights.iter().all(|w| *w == 0)),
                Some(shares) => {
                    prop_assert_eq!(shares.len(), weights.len());
                    prop_assert_eq!(shares.iter().map(|s| i128::from(*s)).sum::<i128>(), i128::from(total));
                    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
                    for (share, weight) in shares.iter().zip(&weights) {
                        // within one unit of the exact proportion
                        let exact = i128::from(total) * i128::from(*weight);
                        let diff = i128::from(*share) * sum - exact;
                        prop_assert!(diff.abs() < sum, "{} of {:?}", share, weights);
                    }
                }
            }
        }
    }
}
