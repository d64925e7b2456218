//! Exchange rate types. A rate is the number of units of `base_currency` that one unit of
//! `currency` buys, valid from a day until the next rate of the same pair.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, FieldError};
use crate::money::{Currency, DecimalString};
use crate::platform::validated;

/// The most decimals a rate may carry (UN operational rates have at most 6; weak
/// currencies quoted against strong ones need a few more).
pub const MAX_RATE_DECIMALS: u32 = 10;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateExchangeRate {
    /// ISO 4217 code of the currency being priced, e.g. `EUR`.
    pub currency: String,
    /// ISO 4217 code of the currency the rate is expressed in, e.g. `USD`.
    pub base_currency: String,
    /// Units of `base_currency` for one unit of `currency`, a decimal string.
    pub rate: DecimalString,
    /// First day (inclusive) the rate applies to.
    #[schema(value_type = String, format = Date, example = "2026-01-01")]
    pub valid_from: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct NewExchangeRate {
    pub currency: Currency,
    pub base_currency: Currency,
    pub rate: Decimal,
    pub valid_from: NaiveDate,
}

fn currency(field: &str, code: &str, errors: &mut Vec<FieldError>) -> Currency {
    Currency::parse(code).unwrap_or_else(|e| {
        errors.push(FieldError::new(field, e.to_string()));
        Currency::USD
    })
}

/// A rate must be positive with at most `MAX_RATE_DECIMALS` decimals.
pub fn rate(field: &str, value: Decimal, errors: &mut Vec<FieldError>) -> Decimal {
    let value = value.normalize();
    if value <= Decimal::ZERO {
        errors.push(FieldError::new(field, "must be greater than zero"));
    } else if value.scale() > MAX_RATE_DECIMALS {
        errors.push(FieldError::new(
            field,
            format!("may have at most {MAX_RATE_DECIMALS} decimals"),
        ));
    }
    value
}

impl CreateExchangeRate {
    pub fn validate(self) -> Result<NewExchangeRate, AppError> {
        let mut errors = Vec::new();
        let cur = currency("currency", &self.currency, &mut errors);
        let base = currency("base_currency", &self.base_currency, &mut errors);
        if errors.is_empty() && cur == base {
            errors.push(FieldError::new(
                "base_currency",
                "must differ from currency (a currency is worth 1 of itself)",
            ));
        }
        let new = NewExchangeRate {
            currency: cur,
            base_currency: base,
            rate: rate("rate", self.rate.0, &mut errors),
            valid_from: self.valid_from,
        };
        crate::platform::dates::check(
            "valid_from",
            new.valid_from,
            crate::platform::dates::Dated::Scheduled,
            crate::clock::today(),
            &mut errors,
        );
        validated(new, errors)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExchangeRateView {
    pub id: String,
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    #[schema(value_type = String, example = "USD")]
    pub base_currency: Currency,
    /// Units of `base_currency` for one unit of `currency`.
    #[schema(example = "1.0850")]
    pub rate: String,
    #[schema(value_type = String, format = Date)]
    pub valid_from: NaiveDate,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RateQuery {
    /// Only rates of this currency.
    pub currency: Option<String>,
    /// Only rates into this base currency.
    pub base_currency: Option<String>,
    /// Only the rate valid on this day for each pair (the latest `valid_from` on or before it).
    #[param(value_type = Option<String>, format = Date)]
    pub on: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RateFilter {
    pub currency: Option<Currency>,
    pub base_currency: Option<Currency>,
    pub on: Option<NaiveDate>,
}

impl RateQuery {
    pub fn validate(&self) -> Result<RateFilter, AppError> {
        let mut errors = Vec::new();
        let filter = RateFilter {
            currency: self
                .currency
                .as_deref()
                .map(|c| currency("currency", c, &mut errors)),
            base_currency: self
                .base_currency
                .as_deref()
                .map(|c| currency("base_currency", c, &mut errors)),
            on: self.on,
        };
        validated(filter, errors)
    }
}
