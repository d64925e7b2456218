//! Which rate converts an amount: the base currency is worth 1 of itself, a rate given by
//! the caller wins, otherwise the latest rate valid on the day; none is an error that names
//! the currency and the day.

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChosenRate {
    pub rate: Decimal,
    pub source: RateSource,
}

/// Chooses the rate of `currency` into `base` for `day`. `lookup` is asked only when the
/// rate table is needed. `field` names the request field a missing rate is reported on.
pub fn choose(
    currency: Currency,
    base: Currency,
    given: Option<Decimal>,
    day: NaiveDate,
    field: &str,
    lookup: impl FnOnce() -> Result<Option<Decimal>, AppError>,
) -> Result<ChosenRate, AppError> {
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
        Some(rate) => Ok(ChosenRate {
            rate,
            source: RateSource::RateTable,
        }),
        None => Err(missing_rate(currency, base, day, field)),
    }
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

    #[test]
    fn the_base_currency_is_worth_one_of_itself() {
        let chosen = choose(
            Currency::USD,
            Currency::USD,
            None,
            day(),
            "exchange_rate",
            || panic!("no lookup for the base currency"),
        )
        .expect("rate 1");
        assert_eq!(chosen.rate, Decimal::ONE);
        assert_eq!(chosen.source, RateSource::BaseCurrency);
        assert!(
            choose(
                Currency::USD,
                Currency::USD,
                Some(Decimal::new(2, 0)),
                day(),
                "exchange_rate",
                || Ok(None)
            )
            .is_err()
        );
    }

    #[test]
    fn a_given_rate_wins_over_the_table() {
        let chosen = choose(
            eur(),
            Currency::USD,
            Some(Decimal::new(11, 1)),
            day(),
            "exchange_rate",
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
        let err = choose(eur(), Currency::USD, None, day(), "exchange_rate", || {
            Ok(None)
        })
        .expect_err("missing");
        assert_eq!(err.errors[0].field, "exchange_rate");
        assert!(err.detail.contains("EUR") && err.detail.contains("2026-03-01"));
    }
}
