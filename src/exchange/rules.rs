//! Which rate converts an amount: the base currency is worth 1 of itself, a rate given by
//! the caller wins, otherwise the latest rate valid on the day, if it is still current; none,
//! or only a stale one, is an error that names the currency and the day.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::error::{AppError, FieldError};
use crate::money::Currency;
use crate::text_enum;

text_enum!(
    /// Where the rate used for a conversion came from.
    RateSource {
        Given => "given",
        RateTable => "rate_table",
        BaseCurrency => "base_currency",
    }
);

/// How long a recorded rate stays current after the day it is valid from. Monthly rates
/// used past their month plus a grace would value money at a rate nobody uses any more (a
/// 2026 contribution at a 2011 rate); such a rate is treated as no rate at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxRateAge(u32);

impl MaxRateAge {
    pub const fn days(days: u32) -> Self {
        MaxRateAge(days)
    }

    /// Whether a rate valid from `valid_from` may still convert an amount of `day`.
    pub fn is_current(self, valid_from: NaiveDate, day: NaiveDate) -> bool {
        (day - valid_from).num_days() <= i64::from(self.0)
    }

    pub fn in_days(self) -> u32 {
        self.0
    }
}

/// A rate from the table: its value and the day it is valid from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableRate {
    pub rate: Decimal,
    pub valid_from: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChosenRate {
    pub rate: Decimal,
    pub source: RateSource,
}

/// What a rate conversion is about: `currency` into `base` on `day`; `field` names the
/// request field a missing or stale rate is reported on.
#[derive(Debug, Clone, Copy)]
pub struct Conversion<'a> {
    pub currency: Currency,
    pub base: Currency,
    pub day: NaiveDate,
    pub field: &'a str,
}

/// Chooses the rate of a conversion. `lookup` is asked only when the rate table is needed
/// and answers the latest rate valid on the day; it is used only while current.
pub fn choose(
    conversion: Conversion<'_>,
    given: Option<Decimal>,
    max_age: MaxRateAge,
    lookup: impl FnOnce() -> Result<Option<TableRate>, AppError>,
) -> Result<ChosenRate, AppError> {
    let Conversion {
        currency,
        base,
        day,
        field,
    } = conversion;
    if currency == base {
        return match given {
            Some(rate) if rate != Decimal::ONE => Err(AppError::field(
                field,
                format!("must be 1 (or absent) for an amount in the base currency {base}"),
            )),
            _ => Ok(ChosenRate {
                rate: Decimal::ONE,
                source: RateSource::BaseCurrency,
            }),
        };
    }
    if let Some(rate) = given {
        return Ok(ChosenRate {
            rate,
            source: RateSource::Given,
        });
    }
    match lookup()? {
        Some(found) if max_age.is_current(found.valid_from, day) => Ok(ChosenRate {
            rate: found.rate,
            source: RateSource::RateTable,
        }),
        Some(found) => Err(stale_rate(conversion, found.valid_from, max_age)),
        None => Err(missing_rate(currency, base, day, field)),
    }
}

fn stale_rate(conversion: Conversion<'_>, valid_from: NaiveDate, max_age: MaxRateAge) -> AppError {
    let Conversion {
        currency,
        base,
        day,
        field,
    } = conversion;
    let message = format!(
        "the latest exchange rate from {currency} to {base} for {day} is valid from {valid_from}, more than {} days earlier: record a current rate with POST /api/v1/exchange-rates or send {field}",
        max_age.in_days()
    );
    AppError::validation(vec![FieldError::new(field, message)])
}

pub fn missing_rate(currency: Currency, base: Currency, day: NaiveDate, field: &str) -> AppError {
    let message = format!(
        "no exchange rate from {currency} to {base} is valid on {day}: record one with POST /api/v1/exchange-rates or send {field}"
    );
    AppError::validation(vec![FieldError::new(field, message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).expect("valid date")
    }

    fn eur() -> Currency {
        Currency::parse("EUR").expect("EUR")
    }

    fn conversion(currency: Currency) -> Conversion<'static> {
        Conversion {
            currency,
            base: Currency::USD,
            day: day(),
            field: "exchange_rate",
        }
    }

    const MONTHLY: MaxRateAge = MaxRateAge::days(45);

    #[test]
    fn the_base_currency_is_worth_one_of_itself() {
        let chosen = choose(conversion(Currency::USD), None, MONTHLY, || {
            panic!("no lookup for the base currency")
        })
        .expect("rate 1");
        assert_eq!(chosen.rate, Decimal::ONE);
        assert_eq!(chosen.source, RateSource::BaseCurrency);
        assert!(
            choose(
                conversion(Currency::USD),
                Some(Decimal::new(2, 0)),
                MONTHLY,
                || Ok(None)
            )
            .is_err()
        );
    }

    #[test]
    fn a_given_rate_wins_over_the_table() {
        let chosen = choose(
            conversion(eur()),
            Some(Decimal::new(11, 1)),
            MONTHLY,
            || panic!("no lookup when a rate is given"),
        )
        .expect("given");
        assert_eq!(
            (chosen.rate, chosen.source),
            (Decimal::new(11, 1), RateSource::Given)
        );
    }

    #[test]
    fn a_missing_rate_names_the_currency_and_the_day() {
        let err = choose(conversion(eur()), None, MONTHLY, || Ok(None)).expect_err("missing");
        assert_eq!(err.errors[0].field, "exchange_rate");
        assert!(err.detail.contains("EUR") && err.detail.contains("2026-03-01"));
    }

    fn table(valid_from: NaiveDate) -> Option<TableRate> {
        Some(TableRate {
            rate: Decimal::new(108, 2),
            valid_from,
        })
    }

    #[test]
    fn a_rate_is_current_up_to_its_age_limit_and_stale_a_day_later() {
        let limit = day() - chrono::Days::new(45);
        let chosen =
            choose(conversion(eur()), None, MONTHLY, || Ok(table(limit))).expect("current");
        assert_eq!(chosen.source, RateSource::RateTable);

        let stale = limit - chrono::Days::new(1);
        let err = choose(conversion(eur()), None, MONTHLY, || Ok(table(stale))).expect_err("stale");
        assert_eq!(err.errors[0].field, "exchange_rate");
        assert!(
            err.detail.contains("EUR")
                && err.detail.contains("2026-03-01")
                && err.detail.contains(&stale.to_string()),
            "{}",
            err.detail
        );
    }

    #[test]
    fn a_given_rate_is_used_even_when_the_table_is_stale() {
        let chosen = choose(
            conversion(eur()),
            Some(Decimal::new(11, 1)),
            MONTHLY,
            || Ok(table(NaiveDate::from_ymd_opt(2011, 6, 1).expect("date"))),
        )
        .expect("given");
        assert_eq!(chosen.source, RateSource::Given);
    }
}
