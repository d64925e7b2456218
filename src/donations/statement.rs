//! Donor statements: what an organisation pledged and paid, line by line in date order,
//! with a running balance per fund and currency, the balance brought forward and the
//! balance at the end of the period. Balances before a day come from per-day running
//! totals, so a statement costs the same however long the donor's history is.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{Balance, StatementMove};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::http::MAX_LIMIT;
use crate::ledger::model::parse_currency;
use crate::ledger::rules::{Bucket, EntryKind, Totals};
use crate::ledger::store::{self as ledger_store, EntryRow, StatementCursor, StatementQuery};
use crate::money::{Currency, Money};
use crate::text_enum;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementParams {
    /// Only this fund (all funds the organisation gave to when absent).
    pub fund_id: Option<String>,
    /// First day of the period (inclusive).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day of the period (inclusive).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    /// Lines per page, 1 to 200 (default 50); CSV answers carry every line of the period.
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// A validated statement request.
#[derive(Debug, Clone)]
pub struct StatementFilter {
    pub fund_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl StatementParams {
    pub fn validate(&self) -> AppResult<StatementFilter> {
        let mut errors = Vec::new();
        let fund_id = self
            .fund_id
            .as_deref()
            .and_then(|f| match uuid::Uuid::parse_str(f) {
                Ok(id) => Some(id.to_string()),
                Err(_) => {
                    errors.push(FieldError::new("fund_id", "must be a UUID"));
                    None
                }
            });
        if let (Some(from), Some(to)) = (self.from, self.to)
            && to < from
        {
            errors.push(FieldError::new("to", "must not be before from"));
        }
        crate::platform::validated(
            StatementFilter {
                fund_id,
                from: self.from,
                to: self.to,
            },
            errors,
        )
    }
}

text_enum!(
    /// What a statement line records.
    LineKind {
        Pledge => "pledge",
        PledgeCancellation => "pledge_cancellation",
        Contribution => "contribution",
        ContributionReversal => "contribution_reversal",
    }
);

/// A balance of one fund and currency. Amounts are decimal strings in `currency`, except
/// `received_base` (in `base_currency`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BalanceView {
    pub fund_id: String,
    #[schema(value_type = String)]
    pub currency: Currency,
    #[schema(value_type = String)]
    pub base_currency: Currency,
    pub pledged: String,
    pub received_against_pledges: String,
    /// Pledged and not yet received.
    pub outstanding: String,
    /// Everything received, against pledges or not.
    pub received: String,
    pub received_base: String,
}

/// One pledge, cancellation or payment, with the running balance of its fund and currency
/// after it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LineView {
    pub entry_id: String,
    #[schema(value_type = String, format = Date)]
    pub date: NaiveDate,
    pub fund_id: String,
    pub kind: LineKind,
    pub pledge_id: Option<String>,
    pub contribution_id: Option<String>,
    /// The announcing event of a pledge, the bank reference of a payment.
    pub description: Option<String>,
    #[schema(value_type = String)]
    pub currency: Currency,
    /// Signed: a cancellation is negative.
    pub amount: String,
    pub exchange_rate: Option<String>,
    #[schema(value_type = String)]
    pub base_currency: Currency,
    pub base_amount: Option<String>,
    /// Running: pledged and not yet received, in `currency`.
    pub outstanding: String,
    /// Running: received in `currency`.
    pub received: String,
    /// Running: received, in `base_currency`.
    pub received_base: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatementView {
    pub organisation_id: String,
    pub organisation_name: String,
    pub fund_id: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
    pub generated_at: DateTime<Utc>,
    /// Balances brought forward: before `from`, or before this page's first line.
    pub opening: Vec<BalanceView>,
    pub lines: Vec<LineView>,
    /// Balances at the end of the period (after `to`'s last entry).
    pub closing: Vec<BalanceView>,
    pub next_cursor: Option<String>,
    /// The donor's earmarked contributions (of the fund asked for, else every fund) with
    /// the grants each paid for, as `GET /organisations/{id}/earmarked-contributions`
    /// lists them. In the JSON statement only; the CSV holds the lines.
    pub earmarked: Vec<crate::earmarks::EarmarkedContributionView>,
}

type Key = (String, &'static str);

/// Balances and the base currency of each fund seen.
struct Book {
    balances: BTreeMap<Key, Balance>,
    base_of: HashMap<String, Currency>,
}

impl Book {
    fn new() -> Self {
        Book {
            balances: BTreeMap::new(),
            base_of: HashMap::new(),
        }
    }

    fn base(&mut self, conn: &mut DbConn, fund_id: &str) -> AppResult<Currency> {
        if let Some(c) = self.base_of.get(fund_id) {
            return Ok(*c);
        }
        let fund = crate::funds::store::find(conn, fund_id)?
            .ok_or_else(|| AppError::internal(format!("fund {fund_id} of a ledger entry")))?;
        let base = parse_currency(&fund.base_currency)?;
        self.base_of.insert(fund_id.to_string(), base);
        Ok(base)
    }

    fn add_day_sums(&mut self, sums: HashMap<String, Totals>) {
        for (fund, totals) in sums {
            for currency in totals.currencies() {
                let b = self
                    .balances
                    .entry((fund.clone(), currency.code()))
                    .or_default();
                b.pledged += totals.get(Bucket::Pledged, currency).amount;
                b.paid += totals.get(Bucket::PledgePaid, currency).amount;
                let received = totals.get(Bucket::Received, currency);
                b.received += received.amount;
                b.received_base += received.base;
            }
        }
    }

    fn apply(&mut self, entry: &EntryRow) -> AppResult<Balance> {
        let currency = parse_currency(&entry.currency)?;
        let kind = entry.kind;
        let movement = match kind {
            EntryKind::Pledge => StatementMove::Pledge,
            _ => StatementMove::Receipt {
                against_pledge: entry.pledge_id.is_some(),
            },
        };
        let b = self
            .balances
            .entry((entry.fund_id.clone(), currency.code()))
            .or_default();
        b.apply(
            movement,
            entry.amount_minor,
            entry.base_amount_minor.unwrap_or(0),
        );
        Ok(*b)
    }

    fn views(&mut self, conn: &mut DbConn, keys: &[Key]) -> AppResult<Vec<BalanceView>> {
        let mut out = Vec::new();
        for key in keys {
            let balance = self.balances.get(key).copied().unwrap_or_default();
            let currency = parse_currency(key.1)?;
            let base = self.base(conn, &key.0)?;
            out.push(balance_view(&key.0, currency, base, balance));
        }
        Ok(out)
    }
}

fn shown(minor: i64, currency: Currency) -> String {
    Money::from_minor(minor, currency).amount_string()
}

fn balance_view(fund_id: &str, currency: Currency, base: Currency, b: Balance) -> BalanceView {
    BalanceView {
        fund_id: fund_id.to_string(),
        currency,
        base_currency: base,
        pledged: shown(b.pledged, currency),
        received_against_pledges: shown(b.paid, currency),
        outstanding: shown(b.outstanding(), currency),
        received: shown(b.received, currency),
        received_base: shown(b.received_base, base),
    }
}

fn line_kind(entry: &EntryRow) -> AppResult<LineKind> {
    let reversal = entry.reverses_id.is_some();
    Ok(match (entry.kind, reversal) {
        (EntryKind::Pledge, false) => LineKind::Pledge,
        (EntryKind::Pledge, true) => LineKind::PledgeCancellation,
        (_, false) => LineKind::Contribution,
        (_, true) => LineKind::ContributionReversal,
    })
}

/// One page of the statement of `organisation` (id, name): at most `limit` lines after
/// `cursor` (an entry id of a previous page).
pub fn build(
    conn: &mut DbConn,
    organisation: (&str, &str),
    filter: &StatementFilter,
    limit: i64,
    cursor: Option<&str>,
) -> AppResult<StatementView> {
    let (donor_id, donor_name) = organisation;
    let fund = filter.fund_id.as_deref();
    let cursor = match cursor {
        None => None,
        Some(raw) => {
            let entry = match uuid::Uuid::parse_str(raw) {
                Ok(id) => ledger_store::find_entry(conn, &id.to_string())?,
                Err(_) => None,
            }
            .filter(|e| {
                e.donor_id.as_deref() == Some(donor_id) && fund.is_none_or(|f| e.fund_id == f)
            })
            .ok_or_else(|| AppError::field("cursor", "is not a cursor this service issued"))?;
            Some(StatementCursor {
                value_date: entry.value_date,
                entry_id: entry.id,
            })
        }
    };

    // balances brought forward
    let mut book = Book::new();
    let opening_day = cursor.as_ref().map(|c| c.value_date).or(filter.from);
    if let Some(day) = opening_day {
        book.add_day_sums(ledger_store::donor_day_sums_before(
            conn,
            donor_id,
            fund,
            Some(day),
        )?);
    }
    if let Some(c) = &cursor {
        for entry in ledger_store::statement_entries_of_day_through(
            conn,
            donor_id,
            fund,
            c.value_date,
            &c.entry_id,
        )? {
            book.apply(&entry)?;
        }
    }
    let opening_balances = book.balances.clone();

    // the lines of this page
    let mut rows = ledger_store::statement_entries(
        conn,
        &StatementQuery {
            donor_id,
            fund_id: fund,
            from: filter.from,
            to: filter.to,
            after: cursor.as_ref(),
            limit: limit + 1,
        },
    )?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let mut lines = Vec::with_capacity(rows.len());
    for entry in &rows {
        let running = book.apply(entry)?;
        let currency = parse_currency(&entry.currency)?;
        let base = book.base(conn, &entry.fund_id)?;
        lines.push(LineView {
            entry_id: entry.id.clone(),
            date: entry.value_date,
            fund_id: entry.fund_id.clone(),
            kind: line_kind(entry)?,
            pledge_id: entry.pledge_id.clone(),
            contribution_id: entry.contribution_id.clone(),
            description: entry.memo.clone(),
            currency,
            amount: shown(entry.amount_minor, currency),
            exchange_rate: entry.exchange_rate.clone(),
            base_currency: base,
            base_amount: entry.base_amount_minor.map(|b| shown(b, base)),
            outstanding: shown(running.outstanding(), currency),
            received: shown(running.received, currency),
            received_base: shown(running.received_base, base),
        });
    }
    let next_cursor = if more {
        rows.last().map(|e| e.id.clone())
    } else {
        None
    };

    // balances at the end of the period
    let mut closing_book = Book::new();
    closing_book.base_of = book.base_of.clone();
    closing_book.add_day_sums(ledger_store::donor_day_sums_before(
        conn,
        donor_id,
        fund,
        filter.to.and_then(|t| t.succ_opt()),
    )?);
    let mut keys: Vec<Key> = opening_balances
        .keys()
        .chain(closing_book.balances.keys())
        .cloned()
        .collect();
    keys.sort();
    keys.dedup();
    let mut opening_book = Book::new();
    opening_book.balances = opening_balances;
    opening_book.base_of = closing_book.base_of.clone();
    let opening = opening_book.views(conn, &keys)?;
    let closing = closing_book.views(conn, &keys)?;

    Ok(StatementView {
        organisation_id: donor_id.to_string(),
        organisation_name: donor_name.to_string(),
        fund_id: filter.fund_id.clone(),
        from: filter.from,
        to: filter.to,
        generated_at: Utc::now(),
        opening,
        lines,
        closing,
        next_cursor,
        earmarked: Vec::new(),
    })
}

/// Every line of the period, read page by page.
pub fn build_all(
    conn: &mut DbConn,
    organisation: (&str, &str),
    filter: &StatementFilter,
) -> AppResult<StatementView> {
    let mut first = build(conn, organisation, filter, MAX_LIMIT * 5, None)?;
    let mut cursor = first.next_cursor.take();
    while let Some(c) = cursor {
        let mut page = build(conn, organisation, filter, MAX_LIMIT * 5, Some(&c))?;
        first.lines.append(&mut page.lines);
        cursor = page.next_cursor;
    }
    Ok(first)
}

/// The statement as CSV: balances brought forward, one row per line, balances at the end.
pub fn to_csv(statement: &StatementView) -> AppResult<String> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| AppError::internal(format!("writing CSV: {e}"));
    writer
        .write_record([
            "date",
            "kind",
            "fund_id",
            "pledge_id",
            "contribution_id",
            "description",
            "currency",
            "amount",
            "exchange_rate",
            "base_currency",
            "base_amount",
            "outstanding",
            "received",
            "received_base",
        ])
        .map_err(fail)?;
    let day = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for b in &statement.opening {
        writer
            .write_record([
                day(statement.from).as_str(),
                "opening_balance",
                &b.fund_id,
                "",
                "",
                "",
                b.currency.code(),
                "",
                "",
                b.base_currency.code(),
                "",
                &b.outstanding,
                &b.received,
                &b.received_base,
            ])
            .map_err(fail)?;
    }
    for l in &statement.lines {
        writer
            .write_record([
                l.date.to_string().as_str(),
                l.kind.as_str(),
                &l.fund_id,
                l.pledge_id.as_deref().unwrap_or(""),
                l.contribution_id.as_deref().unwrap_or(""),
                &spreadsheet_safe(l.description.as_deref().unwrap_or("")),
                l.currency.code(),
                &l.amount,
                l.exchange_rate.as_deref().unwrap_or(""),
                l.base_currency.code(),
                l.base_amount.as_deref().unwrap_or(""),
                &l.outstanding,
                &l.received,
                &l.received_base,
            ])
            .map_err(fail)?;
    }
    for b in &statement.closing {
        writer
            .write_record([
                day(statement.to).as_str(),
                "closing_balance",
                &b.fund_id,
                "",
                "",
                "",
                b.currency.code(),
                "",
                "",
                b.base_currency.code(),
                "",
                &b.outstanding,
                &b.received,
                &b.received_base,
            ])
            .map_err(fail)?;
    }
    let bytes = writer
        .into_inner()
        .map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::internal(format!("CSV is not UTF-8: {e}")))
}

/// Free text that a spreadsheet would run as a formula is shown as text.
fn spreadsheet_safe(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}
