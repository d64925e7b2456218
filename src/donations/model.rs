//! Pledge and contribution types: requests validate into values that are valid by
//! construction; views are what the API answers.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::PledgeStatus;
use crate::error::{AppError, FieldError};
use crate::exchange::RateSource;
use crate::money::{Currency, DecimalString, Money};
use crate::platform::dates::{self, Dated};
use crate::platform::{required_line, required_text, validated};

/// A UUID given in a body field.
pub fn uuid_field(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    match uuid::Uuid::parse_str(value) {
        Ok(id) => id.to_string(),
        Err(_) => {
            errors.push(FieldError::new(field, "must be a UUID"));
            value.to_string()
        }
    }
}

/// A positive amount with no more decimals than its currency allows. Problems with the
/// currency are reported on `currency_field`, problems with the amount on `amount_field`.
pub fn positive_money(
    amount_field: &str,
    currency_field: &str,
    amount: Decimal,
    currency: &str,
    errors: &mut Vec<FieldError>,
) -> Money {
    let currency = match Currency::parse(currency) {
        Ok(c) => c,
        Err(e) => {
            errors.push(FieldError::new(currency_field, e.to_string()));
            return Money::zero(Currency::USD);
        }
    };
    Money::new(amount, currency)
        .and_then(Money::require_positive)
        .unwrap_or_else(|e| {
            errors.push(FieldError::new(amount_field, e.to_string()));
            Money::zero(currency)
        })
}

/// An earmark: a theme (`protection`, `protection.shelter`) or an ISO 3166-1 country.
pub fn earmark(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let value = value.trim();
    let is_country = value.len() == 2
        && value.chars().all(|c| c.is_ascii_uppercase())
        && isocountry::CountryCode::for_alpha2(value).is_ok();
    let is_theme = crate::taxonomy::is_theme(value);
    if !is_country && !is_theme {
        errors.push(FieldError::new(
            field,
            "must be a theme of the taxonomy such as \"protection\" or \"protection.shelter\", or an ISO 3166-1 country code such as \"NG\"",
        ));
    }
    value.to_string()
}

fn optional_text(
    field: &str,
    value: Option<String>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    value.map(|v| required_text(field, &v, max, errors))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePledge {
    /// The donor organisation.
    pub donor_id: String,
    #[schema(value_type = String, example = "30000.00")]
    pub amount: DecimalString,
    #[schema(example = "USD")]
    pub currency: String,
    #[schema(value_type = String, format = Date)]
    pub pledged_on: NaiveDate,
    /// The event where the pledge was announced.
    pub event: Option<String>,
    /// A theme (`protection.shelter`) or a country (`NG`) the money is meant for.
    pub earmark: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewPledge {
    pub donor_id: String,
    pub amount: Money,
    pub pledged_on: NaiveDate,
    pub event: Option<String>,
    pub earmark: Option<String>,
    pub due_on: Option<NaiveDate>,
}

impl CreatePledge {
    pub fn validate(self, today: NaiveDate) -> Result<NewPledge, AppError> {
        let mut errors = Vec::new();
        dates::check(
            "pledged_on",
            self.pledged_on,
            Dated::Happened,
            today,
            &mut errors,
        );
        dates::check_some("due_on", self.due_on, Dated::Planned, today, &mut errors);
        let new = NewPledge {
            donor_id: uuid_field("donor_id", &self.donor_id, &mut errors),
            amount: positive_money(
                "amount",
                "currency",
                self.amount.0,
                &self.currency,
                &mut errors,
            ),
            pledged_on: self.pledged_on,
            event: optional_text("event", self.event, 300, &mut errors),
            earmark: self.earmark.map(|e| earmark("earmark", &e, &mut errors)),
            due_on: self.due_on,
        };
        if let Some(due) = new.due_on
            && due < new.pledged_on
        {
            errors.push(FieldError::new("due_on", "must not be before pledged_on"));
        }
        validated(new, errors)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelPledge {
    /// Why the pledge is cancelled.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateContribution {
    /// The donor organisation.
    pub donor_id: String,
    /// The pledge this money pays, if any; it must be the donor's, in this fund and in the
    /// same currency.
    pub pledge_id: Option<String>,
    #[schema(value_type = String, example = "10000.00")]
    pub amount: DecimalString,
    #[schema(example = "EUR")]
    pub currency: String,
    /// The day the money arrived.
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    /// Bank reference of the transfer.
    pub reference: String,
    /// Units of the fund's base currency for one unit of `currency`; without it, the
    /// latest rate valid on `received_on` is used.
    #[schema(value_type = Option<String>, example = "1.0850")]
    pub exchange_rate: Option<DecimalString>,
    /// A theme (`protection.shelter`) or a country (`NG`) the money is for. Against a
    /// pledge the pledge's earmark applies, and one given here must be the same.
    pub earmark: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewContribution {
    pub donor_id: String,
    pub pledge_id: Option<String>,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub reference: String,
    pub exchange_rate: Option<Decimal>,
    pub earmark: Option<String>,
}

impl CreateContribution {
    /// `today` bounds `received_on`: money cannot arrive after tomorrow (a day of slack for
    /// time zones ahead of UTC).
    pub fn validate(self, today: NaiveDate) -> Result<NewContribution, AppError> {
        let mut errors = Vec::new();
        let new = NewContribution {
            donor_id: uuid_field("donor_id", &self.donor_id, &mut errors),
            pledge_id: self
                .pledge_id
                .map(|p| uuid_field("pledge_id", &p, &mut errors)),
            amount: positive_money(
                "amount",
                "currency",
                self.amount.0,
                &self.currency,
                &mut errors,
            ),
            received_on: self.received_on,
            reference: required_line("reference", &self.reference, 200, &mut errors),
            exchange_rate: self
                .exchange_rate
                .map(|r| crate::exchange::model::rate("exchange_rate", r.0, &mut errors)),
            earmark: self.earmark.map(|e| earmark("earmark", &e, &mut errors)),
        };
        dates::check(
            "received_on",
            new.received_on,
            Dated::Happened,
            today,
            &mut errors,
        );
        validated(new, errors)
    }
}

/// A pledge with its status derived from the ledger. Amounts are decimal strings in
/// `currency`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PledgeView {
    pub id: String,
    pub fund_id: String,
    pub donor_id: String,
    #[schema(example = "30000.00")]
    pub amount: String,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    #[schema(value_type = String, format = Date)]
    pub pledged_on: NaiveDate,
    pub event: Option<String>,
    pub earmark: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    pub status: PledgeStatus,
    /// Past `due_on` and not fully paid (never for a cancelled pledge).
    pub overdue: bool,
    /// Received against the pledge.
    pub paid: String,
    /// Still to be paid; zero once paid or cancelled.
    pub outstanding: String,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancellation_reason: Option<String>,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// How a payment larger than what its pledge still expected was divided.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SplitView {
    /// The pledge named in the request.
    pub pledge_id: String,
    /// The amount sent, in the contribution's currency.
    pub requested_amount: String,
    /// What was recorded against the pledge (its outstanding amount).
    pub against_pledge: String,
    /// What was recorded as a separate unpledged contribution.
    pub unpledged: String,
    pub unpledged_contribution_id: String,
}

/// Money received. `amount` is in `currency`; `base_amount` and `support_cost` in
/// `base_currency`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContributionView {
    pub id: String,
    pub fund_id: String,
    pub donor_id: String,
    pub pledge_id: Option<String>,
    /// For the unpledged part of a split payment: the contribution it was split from.
    pub split_of: Option<String>,
    pub amount: String,
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    pub reference: String,
    /// Units of `base_currency` for one unit of `currency`.
    pub exchange_rate: String,
    pub exchange_rate_source: RateSource,
    pub base_amount: String,
    #[schema(value_type = String, example = "USD")]
    pub base_currency: Currency,
    /// Programme support cost charged on this receipt.
    pub support_cost: String,
    /// The theme or country this money is restricted to (its pledge's earmark, or its own).
    pub earmark: Option<String>,
    pub support_cost_rate: String,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Only in the answer to the request that recorded a split payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<SplitView>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PledgeQuery {
    /// Only this donor's pledges.
    pub donor_id: Option<String>,
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContributionQuery {
    /// Only this donor's contributions.
    pub donor_id: Option<String>,
    /// Only contributions against this pledge.
    pub pledge_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// Validates an optional id filter of a query.
pub fn id_filter(field: &str, value: Option<&str>) -> Result<Option<String>, AppError> {
    value
        .map(|v| {
            uuid::Uuid::parse_str(v)
                .map(|u| u.to_string())
                .map_err(|_| AppError::field(field, "must be a UUID"))
        })
        .transpose()
}

impl crate::change::Versioned for PledgeView {
    fn version(&self) -> i64 {
        self.version
    }
}
