//! Ledger views: fund status and entries as the API shows them.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::rules::{EntryKind, FundStatus};
use super::store::EntryRow;
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};

fn amount(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).amount_string()
}

/// One currency's part in a fund's figures. Amounts are decimal strings in `currency`
/// unless the name ends in `_base` (then in the fund's base currency).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CurrencyStatusView {
    #[schema(value_type = String, example = "EUR")]
    pub currency: Currency,
    pub pledged: String,
    pub received_against_pledges: String,
    pub outstanding_pledges: String,
    pub received: String,
    pub received_base: String,
    /// `null` when no rate of this currency is valid today.
    pub outstanding_pledges_base: Option<String>,
    /// The rate outstanding pledges were valued at (units of base per unit of currency).
    pub valuation_rate: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub valuation_rate_valid_from: Option<NaiveDate>,
}

/// A fund's money, in its base currency: `available = received − support_costs −
/// committed + refunds`. Received amounts use the rate of the day the money arrived;
/// outstanding pledges in other currencies are valued at the rate valid on `as_of`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundStatusView {
    pub fund_id: String,
    #[schema(value_type = String, example = "USD")]
    pub base_currency: Currency,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub pledged: String,
    pub received: String,
    pub outstanding_pledges: String,
    pub support_costs: String,
    pub committed: String,
    pub disbursed: String,
    pub refunds: String,
    pub available: String,
    /// The part of `available` no donor earmarked: what an approval may use once the
    /// money earmarked for its countries or themes is spent.
    pub available_unrestricted: String,
    /// Money earmarked for a theme or a country, per earmark; the part still available
    /// is in `available` and only grants it serves may use it.
    pub earmarks: Vec<crate::earmarks::EarmarkBalanceView>,
    /// Ledger entries of the fund.
    pub entries: i64,
    pub by_currency: Vec<CurrencyStatusView>,
    /// Currencies with outstanding pledges but no exchange rate current on `as_of`; their
    /// outstanding pledges are left out of `pledged` and `outstanding_pledges`.
    #[schema(value_type = Vec<String>)]
    pub unvalued_currencies: Vec<Currency>,
    /// Every currency other than the base in which the fund was pledged or paid money whose
    /// latest rate on `as_of` is missing or older than the configured limit
    /// (`exchange.max_rate_age_days`): the rates finance should record before more of that
    /// money is recorded without a rate of its own.
    #[schema(value_type = Vec<String>)]
    pub currencies_without_current_rate: Vec<Currency>,
}

/// The rate a currency's outstanding pledges were valued at.
#[derive(Debug, Clone)]
pub struct Valuation {
    pub rate: rust_decimal::Decimal,
    pub valid_from: Option<NaiveDate>,
}

impl FundStatusView {
    pub fn new(
        fund_id: String,
        base: Currency,
        as_of: NaiveDate,
        entries: i64,
        status: &FundStatus,
        valuation_of: impl Fn(Currency) -> Option<Valuation>,
    ) -> Self {
        let by_currency = status
            .by_currency
            .iter()
            .map(|(f, outstanding_base)| {
                let valuation = if f.currency == base {
                    None
                } else {
                    valuation_of(f.currency)
                };
                CurrencyStatusView {
                    currency: f.currency,
                    pledged: amount(f.pledged, f.currency),
                    received_against_pledges: amount(f.received_against_pledges, f.currency),
                    outstanding_pledges: amount(f.outstanding_pledges, f.currency),
                    received: amount(f.received, f.currency),
                    received_base: amount(f.received_base, base),
                    outstanding_pledges_base: outstanding_base.map(|m| amount(m, base)),
                    valuation_rate: if f.currency == base {
                        Some("1".to_string())
                    } else {
                        valuation.as_ref().map(|v| v.rate.to_string())
                    },
                    valuation_rate_valid_from: valuation.and_then(|v| v.valid_from),
                }
            })
            .collect();
        FundStatusView {
            fund_id,
            base_currency: base,
            as_of,
            pledged: amount(status.pledged, base),
            received: amount(status.base.received, base),
            outstanding_pledges: amount(status.outstanding_pledges, base),
            support_costs: amount(status.base.support_costs, base),
            committed: amount(status.base.committed, base),
            disbursed: amount(status.base.disbursed, base),
            refunds: amount(status.base.refunds, base),
            available: amount(status.available, base),
            available_unrestricted: amount(status.available, base),
            earmarks: Vec::new(),
            entries,
            by_currency,
            unvalued_currencies: status.unvalued.clone(),
            currencies_without_current_rate: Vec::new(),
        }
    }
}

/// One immutable ledger entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntryView {
    pub id: String,
    pub fund_id: String,
    pub kind: EntryKind,
    /// The entry this one reverses, for a reversal.
    pub reverses_id: Option<String>,
    pub donor_id: Option<String>,
    pub pledge_id: Option<String>,
    pub contribution_id: Option<String>,
    pub source_kind: Option<crate::audit::Entity>,
    pub source_id: Option<String>,
    /// Signed: a reversal is negative.
    pub amount: String,
    #[schema(value_type = String)]
    pub currency: Currency,
    pub exchange_rate: Option<String>,
    pub base_amount: Option<String>,
    #[schema(value_type = String)]
    pub base_currency: Currency,
    #[schema(value_type = String, format = Date)]
    pub value_date: NaiveDate,
    pub memo: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

pub fn parse_currency(code: &str) -> AppResult<Currency> {
    Currency::parse(code).map_err(|e| AppError::internal(format!("stored currency: {e}")))
}

impl EntryRow {
    pub fn into_view(self) -> AppResult<EntryView> {
        let currency = parse_currency(&self.currency)?;
        let base_currency = parse_currency(&self.base_currency)?;
        Ok(EntryView {
            kind: self.kind,
            amount: amount(self.amount_minor, currency),
            base_amount: self.base_amount_minor.map(|b| amount(b, base_currency)),
            id: self.id,
            fund_id: self.fund_id,
            reverses_id: self.reverses_id,
            donor_id: self.donor_id,
            pledge_id: self.pledge_id,
            contribution_id: self.contribution_id,
            source_kind: self.source_kind,
            source_id: self.source_id,
            currency,
            exchange_rate: self.exchange_rate,
            base_currency,
            value_date: self.value_date,
            memo: self.memo,
            recorded_by: self.recorded_by,
            recorded_at: self.recorded_at.and_utc(),
        })
    }
}
