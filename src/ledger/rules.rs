//! Pure decisions of the ledger: which running totals an entry moves, how the fund's
//! figures follow from those totals, and the checks every entry must pass.
//!
//! Later money movements (commitments, disbursements, refunds) are entry kinds that are
//! already mapped here; a feature that records them only posts entries.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::error::AppError;
use crate::money::{Currency, Money};
use crate::text_enum;

text_enum!(
    /// What a ledger entry records. A reversal is an entry of the same kind with the
    /// opposite sign that names, in `reverses_id`, the entry it reverses.
    EntryKind {
        Pledge => "pledge",
        Receipt => "receipt",
        SupportCost => "support_cost",
        Commitment => "commitment",
        Disbursement => "disbursement",
        Refund => "refund",
    }
);

text_enum!(
    /// A running total kept per fund (and per fund and donor) and currency.
    Bucket {
        Pledged => "pledged",
        PledgePaid => "pledge_paid",
        Received => "received",
        SupportCost => "support_cost",
        Committed => "committed",
        Disbursed => "disbursed",
        Refunded => "refunded",
    }
);

/// The running totals an entry moves. A receipt against a pledge also pays the pledge.
pub fn buckets(kind: EntryKind, against_pledge: bool) -> &'static [Bucket] {
    match kind {
        EntryKind::Pledge => &[Bucket::Pledged],
        EntryKind::Receipt if against_pledge => &[Bucket::Received, Bucket::PledgePaid],
        EntryKind::Receipt => &[Bucket::Received],
        EntryKind::SupportCost => &[Bucket::SupportCost],
        EntryKind::Commitment => &[Bucket::Committed],
        EntryKind::Disbursement => &[Bucket::Disbursed],
        EntryKind::Refund => &[Bucket::Refunded],
    }
}

impl Bucket {
    /// Totals a donor's statement is made of; these are also kept per day.
    pub fn on_statement(self) -> bool {
        matches!(
            self,
            Bucket::Pledged | Bucket::PledgePaid | Bucket::Received
        )
    }
}

impl EntryKind {
    /// Entries a donor sees on its statement.
    pub fn on_statement(self) -> bool {
        matches!(self, EntryKind::Pledge | EntryKind::Receipt)
    }

    /// Pledges are promises in the donor's currency, valued when read; every other entry
    /// is money that moved and carries the rate used and its base-currency amount.
    pub fn is_converted(self) -> bool {
        !matches!(self, EntryKind::Pledge)
    }
}

/// The amounts of an entry as they reach the checks: signed, reversal or not.
#[derive(Debug, Clone)]
pub struct EntryAmounts {
    pub kind: EntryKind,
    pub reversal: bool,
    pub amount: Money,
    pub base: Option<Money>,
    pub rate: Option<Decimal>,
    pub base_currency: Currency,
}

/// An entry is posted only when its amounts are coherent: non-zero, positive unless it
/// reverses another entry (then negative), converted exactly when its kind asks for it,
/// into the fund's base currency, with base amount and amount of the same sign.
pub fn check_entry(e: &EntryAmounts) -> Result<(), AppError> {
    let bad = |what: &str| Err(AppError::internal(format!("ledger entry refused: {what}")));
    if e.amount.amount().is_zero() {
        return bad("zero amount");
    }
    if e.amount.is_positive() == e.reversal {
        return bad("an entry is positive, a reversal negative");
    }
    match (e.kind.is_converted(), &e.base, e.rate) {
        (true, Some(base), Some(rate)) => {
            if base.currency() != e.base_currency {
                return bad("base amount not in the fund's base currency");
            }
            if rate <= Decimal::ZERO {
                return bad("rate must be positive");
            }
            if !base.amount().is_zero() && base.is_positive() != e.amount.is_positive() {
                return bad("base amount of the other sign");
            }
            Ok(())
        }
        (false, None, None) => Ok(()),
        _ => bad("conversion present exactly when the kind is converted"),
    }
}

/// One running total as stored: amount in its currency, base amount in the fund's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Total {
    pub amount: i64,
    pub base: i64,
}

/// The running totals of a fund (or of one donor in a fund), by bucket and currency.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    map: BTreeMap<(&'static str, &'static str), Total>,
}

impl Totals {
    pub fn add(&mut self, bucket: Bucket, currency: Currency, amount: i64, base: i64) {
        let t = self
            .map
            .entry((bucket.as_str(), currency.code()))
            .or_default();
        t.amount += amount;
        t.base += base;
    }

    pub fn get(&self, bucket: Bucket, currency: Currency) -> Total {
        self.map
            .get(&(bucket.as_str(), currency.code()))
            .copied()
            .unwrap_or_default()
    }

    /// Every currency that appears in any bucket, in code order.
    pub fn currencies(&self) -> Vec<Currency> {
        self.currencies_of(Bucket::ALL)
    }

    /// The currencies that appear in the given buckets, in code order.
    pub fn currencies_of(&self, buckets: &[Bucket]) -> Vec<Currency> {
        let mut codes: Vec<&str> = self
            .map
            .keys()
            .filter(|(b, _)| buckets.iter().any(|bucket| bucket.as_str() == *b))
            .map(|(_, c)| *c)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
            .into_iter()
            .filter_map(|c| Currency::parse(c).ok())
            .collect()
    }

    /// The base-currency sum of a bucket over all currencies.
    pub fn base_sum(&self, bucket: Bucket) -> i64 {
        self.map
            .iter()
            .filter(|((b, _), _)| *b == bucket.as_str())
            .map(|(_, t)| t.base)
            .sum()
    }
}

/// What one currency contributes to a fund's figures, in that currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyFigures {
    pub currency: Currency,
    pub pledged: i64,
    pub received_against_pledges: i64,
    pub received_against_pledges_base: i64,
    pub outstanding_pledges: i64,
    pub received: i64,
    pub received_base: i64,
}

pub fn currency_figures(totals: &Totals, currency: Currency) -> CurrencyFigures {
    let pledged = totals.get(Bucket::Pledged, currency).amount;
    let paid = totals.get(Bucket::PledgePaid, currency);
    let received = totals.get(Bucket::Received, currency);
    CurrencyFigures {
        currency,
        pledged,
        received_against_pledges: paid.amount,
        received_against_pledges_base: paid.base,
        outstanding_pledges: pledged - paid.amount,
        received: received.amount,
        received_base: received.base,
    }
}

/// The fund's base-currency figures that come straight from converted entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BaseFigures {
    pub received: i64,
    pub support_costs: i64,
    pub committed: i64,
    pub disbursed: i64,
    pub refunds: i64,
}

pub fn base_figures(totals: &Totals) -> BaseFigures {
    BaseFigures {
        received: totals.base_sum(Bucket::Received),
        support_costs: totals.base_sum(Bucket::SupportCost),
        committed: totals.base_sum(Bucket::Committed),
        disbursed: totals.base_sum(Bucket::Disbursed),
        refunds: totals.base_sum(Bucket::Refunded),
    }
}

/// What the board may still award: `received − support costs − committed + refunds`.
/// Disbursements are paid out of what is committed, so they do not count twice.
pub fn available(f: &BaseFigures) -> i64 {
    f.received - f.support_costs - f.committed + f.refunds
}

/// Programme support cost of one receipt: the fund's rate times the receipt's base amount,
/// rounded once, half to even, to the base currency's minor units.
pub fn support_cost(base_amount: Money, rate: Decimal) -> Money {
    if rate <= Decimal::ZERO || base_amount.amount().is_zero() {
        return Money::zero(base_amount.currency());
    }
    base_amount
        .convert(rate, base_amount.currency())
        .unwrap_or_else(|_| Money::zero(base_amount.currency()))
}

/// The buckets of money coming in, shown per currency.
pub const MONEY_IN: &[Bucket] = &[Bucket::Pledged, Bucket::PledgePaid, Bucket::Received];

/// A fund's figures in its base currency, with outstanding pledges valued at the rates
/// given (one per foreign currency; the base currency is worth 1 of itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FundStatus {
    pub base: BaseFigures,
    pub pledged: i64,
    pub outstanding_pledges: i64,
    pub available: i64,
    pub by_currency: Vec<(CurrencyFigures, Option<i64>)>,
    /// Currencies with outstanding pledges but no rate: left out of the base figures.
    pub unvalued: Vec<Currency>,
}

/// The base-currency value of an outstanding amount at `rate`, half to even.
pub fn value_in_base(minor: i64, currency: Currency, rate: Decimal, base: Currency) -> i64 {
    if currency == base {
        return minor;
    }
    Money::from_minor(minor, currency)
        .convert(rate, base)
        .map(|m| m.minor_units())
        .unwrap_or(0)
}

/// Pledged in base currency is what was received against pledges (at the rates of the days
/// it arrived) plus what is still outstanding (at today's rates): a promise in a foreign
/// currency is worth what it would bring today.
pub fn fund_status(
    totals: &Totals,
    base: Currency,
    rate_of: impl Fn(Currency) -> Option<Decimal>,
) -> FundStatus {
    let figures = base_figures(totals);
    let mut pledged = 0;
    let mut outstanding = 0;
    let mut by_currency = Vec::new();
    let mut unvalued = Vec::new();
    // money in, by the currency it came in; support costs, commitments and the like are
    // base-currency amounts of the fund itself
    for currency in totals.currencies_of(MONEY_IN) {
        let f = currency_figures(totals, currency);
        let rate = if currency == base {
            Some(Decimal::ONE)
        } else {
            rate_of(currency)
        };
        let outstanding_base = match rate {
            Some(rate) => Some(value_in_base(f.outstanding_pledges, currency, rate, base)),
            None if f.outstanding_pledges == 0 => Some(0),
            None => {
                unvalued.push(currency);
                None
            }
        };
        pledged += f.received_against_pledges_base + outstanding_base.unwrap_or(0);
        outstanding += outstanding_base.unwrap_or(0);
        by_currency.push((f, outstanding_base));
    }
    FundStatus {
        available: available(&figures),
        base: figures,
        pledged,
        outstanding_pledges: outstanding,
        by_currency,
        unvalued,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::USD)
    }

    #[test]
    fn a_receipt_against_a_pledge_pays_it_and_counts_as_received() {
        assert_eq!(
            buckets(EntryKind::Receipt, true),
            &[Bucket::Received, Bucket::PledgePaid]
        );
        assert_eq!(buckets(EntryKind::Receipt, false), &[Bucket::Received]);
        for kind in EntryKind::ALL {
            assert!(!buckets(*kind, false).is_empty(), "{kind:?} moves a total");
        }
    }

    #[test]
    fn available_follows_the_formula() {
        let mut t = Totals::default();
        let eur = Currency::parse("EUR").expect("EUR");
        t.add(Bucket::Received, Currency::USD, 100_000, 100_000);
        t.add(Bucket::Received, eur, 50_000, 54_000);
        t.add(Bucket::SupportCost, Currency::USD, 20_020, 20_020);
        t.add(Bucket::Committed, Currency::USD, 30_000, 30_000);
        t.add(Bucket::Disbursed, Currency::USD, 10_000, 10_000);
        t.add(Bucket::Refunded, Currency::USD, 1_000, 1_000);
        let f = base_figures(&t);
        assert_eq!(f.received, 154_000);
        assert_eq!(available(&f), 154_000 - 20_020 - 30_000 + 1_000);
        assert_eq!(t.currencies(), vec![eur, Currency::USD]);
    }

    #[test]
    fn outstanding_is_pledged_less_paid_per_currency() {
        let mut t = Totals::default();
        let aud = Currency::parse("AUD").expect("AUD");
        t.add(Bucket::Pledged, aud, 20_000_000, 0);
        t.add(Bucket::PledgePaid, aud, 5_000_000, 3_300_000);
        t.add(Bucket::Received, aud, 6_000_000, 3_960_000);
        let f = currency_figures(&t, aud);
        assert_eq!(f.outstanding_pledges, 15_000_000);
        assert_eq!(f.received, 6_000_000);
        assert_eq!(f.received_against_pledges_base, 3_300_000);
    }

    #[test]
    fn support_cost_rounds_half_to_even() {
        // 0.13 × 0.50 = 0.065 → 0.06; 0.13 × 1.50 = 0.195 → 0.20
        assert_eq!(support_cost(usd(50), Decimal::new(13, 2)), usd(6));
        assert_eq!(support_cost(usd(150), Decimal::new(13, 2)), usd(20));
        assert_eq!(support_cost(usd(150), Decimal::ZERO), usd(0));
    }

    #[test]
    fn entries_must_be_coherent() {
        let ok = EntryAmounts {
            kind: EntryKind::Receipt,
            reversal: false,
            amount: usd(100),
            base: Some(usd(100)),
            rate: Some(Decimal::ONE),
            base_currency: Currency::USD,
        };
        assert!(check_entry(&ok).is_ok());
        let negative = EntryAmounts {
            amount: usd(-100),
            ..ok.clone()
        };
        assert!(check_entry(&negative).is_err());
        let reversal = EntryAmounts {
            reversal: true,
            amount: usd(-100),
            base: Some(usd(-100)),
            ..ok.clone()
        };
        assert!(check_entry(&reversal).is_ok());
        let unconverted = EntryAmounts {
            base: None,
            rate: None,
            ..ok.clone()
        };
        assert!(check_entry(&unconverted).is_err());
        let pledge = EntryAmounts {
            kind: EntryKind::Pledge,
            base: None,
            rate: None,
            ..ok.clone()
        };
        assert!(check_entry(&pledge).is_ok());
        let wrong_base = EntryAmounts {
            base: Some(Money::from_minor(100, Currency::parse("EUR").expect("EUR"))),
            ..ok
        };
        assert!(check_entry(&wrong_base).is_err());
    }

    #[test]
    fn status_values_outstanding_pledges_at_the_rate_given() {
        let eur = Currency::parse("EUR").expect("EUR");
        let aud = Currency::parse("AUD").expect("AUD");
        let mut t = Totals::default();
        t.add(Bucket::Pledged, eur, 100_000, 0);
        t.add(Bucket::PledgePaid, eur, 40_000, 43_000);
        t.add(Bucket::Received, eur, 40_000, 43_000);
        t.add(Bucket::Pledged, aud, 50_000, 0);
        t.add(Bucket::Pledged, Currency::USD, 30_000, 0);
        let s = fund_status(&t, Currency::USD, |c| {
            (c == eur).then(|| Decimal::new(1085, 3))
        });
        // EUR: 600.00 outstanding × 1.085 = 651.00; AUD has no rate; USD 300.00
        assert_eq!(s.outstanding_pledges, 65_100 + 30_000);
        assert_eq!(s.pledged, 43_000 + 65_100 + 30_000);
        assert_eq!(s.unvalued, vec![aud]);
        assert_eq!(s.available, 43_000);
    }
}
