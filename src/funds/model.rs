//! Fund types.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, FieldError};
use crate::money::{Currency, DecimalString};
use crate::platform::dates::{self, Dated};
use crate::platform::{org_identifier, required_line, validated};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateFund {
    /// Short unique code, upper-case letters, digits and dashes, e.g. `UNVTF`.
    pub code: String,
    pub name: String,
    /// ISO 4217; USD when absent.
    pub base_currency: Option<String>,
    /// Programme support cost rate as a decimal string in [0, 1), e.g. "0.13".
    pub support_cost_rate: DecimalString,
    /// Trustees that must be present for a board decision.
    pub board_quorum: i32,
    /// The org-id identifier the fund publishes under (IATI and 360Giving), e.g.
    /// `XM-DAC-41110`. Every published activity identifier starts with it.
    pub organisation_identifier: Option<String>,
    /// IATI OrganisationType code of the publisher, e.g. "40" (multilateral, the default).
    pub organisation_type: Option<String>,
    /// The day the fund was set up; money pledged or received before it is refused. When
    /// absent, the earliest date any money may carry (2000-01-01): give it when the fund
    /// existed before it was recorded here.
    #[schema(value_type = Option<String>, format = Date, example = "2010-07-30")]
    pub established_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct NewFund {
    pub code: String,
    pub name: String,
    pub base_currency: Currency,
    pub support_cost_rate: Decimal,
    pub board_quorum: i32,
    pub organisation_identifier: Option<String>,
    pub organisation_type: String,
    pub established_on: NaiveDate,
}

/// IATI OrganisationType codes (codelist of IATI 2.03).
pub const IATI_ORGANISATION_TYPES: [&str; 16] = [
    "10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90",
];

fn organisation_type(value: &str, errors: &mut Vec<FieldError>) -> String {
    if !IATI_ORGANISATION_TYPES.contains(&value) {
        errors.push(FieldError::new(
            "organisation_type",
            "must be an IATI OrganisationType code, e.g. \"40\" (multilateral) or \"22\" (national NGO)",
        ));
    }
    value.to_string()
}

fn fund_code(value: &str, errors: &mut Vec<FieldError>) -> String {
    let valid = (2..=20).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        errors.push(FieldError::new(
            "code",
            "must be 2 to 20 upper-case letters, digits or dashes",
        ));
    }
    value.to_string()
}

fn support_cost_rate(rate: Decimal, errors: &mut Vec<FieldError>) -> Decimal {
    if rate < Decimal::ZERO || rate >= Decimal::ONE || rate.scale() > 6 {
        errors.push(FieldError::new(
            "support_cost_rate",
            "must be a decimal in [0, 1) with at most 6 decimals, e.g. \"0.13\"",
        ));
    }
    rate.normalize()
}

/// A fund is set up on a day that has happened, within the plausible window of dates.
fn established_on(day: NaiveDate, errors: &mut Vec<FieldError>) -> NaiveDate {
    dates::check(
        "established_on",
        day,
        Dated::Happened,
        crate::clock::today(),
        errors,
    );
    day
}

fn board_quorum(quorum: i32, errors: &mut Vec<FieldError>) -> i32 {
    if !(1..=100).contains(&quorum) {
        errors.push(FieldError::new("board_quorum", "must be between 1 and 100"));
    }
    quorum
}

impl CreateFund {
    pub fn validate(self) -> Result<NewFund, AppError> {
        let mut errors = Vec::new();
        let base_currency = match self.base_currency.as_deref().map(Currency::parse) {
            None => Currency::USD,
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                errors.push(FieldError::new("base_currency", e.to_string()));
                Currency::USD
            }
        };
        let new = NewFund {
            code: fund_code(&self.code, &mut errors),
            name: required_line("name", &self.name, 300, &mut errors),
            base_currency,
            support_cost_rate: support_cost_rate(self.support_cost_rate.0, &mut errors),
            board_quorum: board_quorum(self.board_quorum, &mut errors),
            organisation_identifier: self
                .organisation_identifier
                .map(|i| org_identifier("organisation_identifier", &i, &mut errors)),
            organisation_type: organisation_type(
                self.organisation_type.as_deref().unwrap_or("40"),
                &mut errors,
            ),
            established_on: established_on(
                self.established_on.unwrap_or(dates::EARLIEST),
                &mut errors,
            ),
        };
        validated(new, errors)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFund {
    pub name: Option<String>,
    pub support_cost_rate: Option<DecimalString>,
    pub board_quorum: Option<i32>,
    /// Set while unset, or changed while the fund has no grant: published identifiers
    /// must never change.
    pub organisation_identifier: Option<String>,
    pub organisation_type: Option<String>,
    /// Moved later only while no money is dated before the new day (409 naming the field).
    #[schema(value_type = Option<String>, format = Date)]
    pub established_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct FundPatch {
    pub name: Option<String>,
    pub support_cost_rate: Option<Decimal>,
    pub board_quorum: Option<i32>,
    pub organisation_identifier: Option<String>,
    pub organisation_type: Option<String>,
    pub established_on: Option<NaiveDate>,
}

impl FundPatch {
    /// The fund with this patch applied: what is absent stays as it was.
    pub fn applied_to(&self, fund: &super::store::FundRow) -> super::store::FundRow {
        let mut next = fund.clone();
        if let Some(name) = &self.name {
            next.name = name.clone();
        }
        if let Some(rate) = self.support_cost_rate {
            next.support_cost_rate = rate.to_string();
        }
        if let Some(quorum) = self.board_quorum {
            next.board_quorum = quorum;
        }
        if let Some(identifier) = &self.organisation_identifier {
            next.organisation_identifier = Some(identifier.clone());
        }
        if let Some(kind) = &self.organisation_type {
            next.organisation_type = kind.clone();
        }
        if let Some(day) = self.established_on {
            next.established_on = day;
        }
        next
    }
}

/// The edit of a fund (`PATCH /funds/{id}`): the command its handler issues.
pub struct EditFund(pub FundPatch);

/// Every published IATI and 360Giving identifier starts with the fund's organisation
/// identifier, so it may change only while the fund has no grant (409 naming the field).
pub fn check_identifier_change(has_grants: bool) -> Result<(), AppError> {
    if !has_grants {
        return Ok(());
    }
    let why = "the fund has grants published under this identifier; published identifiers \
               never change";
    Err(AppError::invalid_state(why)
        .with_errors(vec![FieldError::new("organisation_identifier", why)]))
}

/// A fund's set-up day may move later only while no money is dated before the new day.
pub fn check_established_on(day: NaiveDate, first_money: Option<NaiveDate>) -> AppResult<()> {
    match first_money {
        Some(first) if first < day => {
            let why = format!(
                "money of this fund is dated {first}, before {day}; the fund was set up by then"
            );
            Err(AppError::invalid_state(why.clone())
                .with_errors(vec![FieldError::new("established_on", why)]))
        }
        _ => Ok(()),
    }
}

impl UpdateFund {
    pub fn validate(self) -> Result<FundPatch, AppError> {
        let mut errors = Vec::new();
        let patch = FundPatch {
            name: self
                .name
                .map(|n| required_line("name", &n, 300, &mut errors)),
            support_cost_rate: self
                .support_cost_rate
                .map(|r| support_cost_rate(r.0, &mut errors)),
            board_quorum: self.board_quorum.map(|q| board_quorum(q, &mut errors)),
            organisation_identifier: self
                .organisation_identifier
                .map(|i| org_identifier("organisation_identifier", &i, &mut errors)),
            organisation_type: self
                .organisation_type
                .map(|t| organisation_type(&t, &mut errors)),
            established_on: self.established_on.map(|d| established_on(d, &mut errors)),
        };
        validated(patch, errors)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundView {
    pub id: String,
    pub code: String,
    pub name: String,
    #[schema(value_type = String, example = "USD")]
    pub base_currency: Currency,
    #[schema(value_type = String, example = "0.13")]
    pub support_cost_rate: String,
    pub board_quorum: i32,
    /// The org-id identifier the fund publishes its open data under; `null` until set,
    /// and the IATI and 360Giving exports answer 409 until it is.
    pub organisation_identifier: Option<String>,
    /// IATI OrganisationType code of the publisher.
    pub organisation_type: String,
    /// The day the fund was set up: no money is dated before it.
    #[schema(value_type = String, format = Date)]
    pub established_on: NaiveDate,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::change::Versioned for FundView {
    fn version(&self) -> i64 {
        self.version
    }
}
