//! Queries of the ledger: append an entry, move its running totals, read totals and entries.
//! Nothing here updates or deletes an entry; the database refuses it as well.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::rules::{Bucket, Totals};
use crate::db::DbConn;
use crate::db::schema::{funds, ledger_daily_totals, ledger_entries, ledger_totals};
use crate::error::{AppError, AppResult};
use crate::funds::store::FundRow;
use crate::money::Currency;

/// The donor key of fund-wide totals.
pub const WHOLE_FUND: &str = "";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = ledger_entries)]
pub struct EntryRow {
    pub id: String,
    pub fund_id: String,
    pub kind: super::rules::EntryKind,
    pub reverses_id: Option<String>,
    pub donor_id: Option<String>,
    pub pledge_id: Option<String>,
    pub contribution_id: Option<String>,
    pub source_kind: Option<crate::audit::Entity>,
    pub source_id: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub exchange_rate: Option<String>,
    pub base_amount_minor: Option<i64>,
    pub base_currency: String,
    pub value_date: NaiveDate,
    pub memo: Option<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: NaiveDateTime,
}

pub fn insert_entry(conn: &mut DbConn, row: &EntryRow) -> QueryResult<()> {
    diesel::insert_into(ledger_entries::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Reads the fund and, on PostgreSQL, locks its row until the transaction ends, so that
/// every money write of one fund is serialised (SQLite's `BEGIN IMMEDIATE` already is).
pub fn lock_fund(conn: &mut DbConn, fund_id: &str) -> QueryResult<Option<FundRow>> {
    crate::db::first_locked!(
        conn,
        funds::table.find(fund_id).select(FundRow::as_select())
    )
}

/// Adds to one fund-wide or per-donor running total, creating it at first use. The caller
/// holds the fund lock, so no other transaction creates the same row meanwhile.
pub fn add_to_total(
    conn: &mut DbConn,
    fund_id: &str,
    donor_id: &str,
    bucket: Bucket,
    currency: &str,
    amount: i64,
    base: i64,
) -> QueryResult<()> {
    let target = ledger_totals::table
        .filter(ledger_totals::fund_id.eq(fund_id))
        .filter(ledger_totals::donor_id.eq(donor_id))
        .filter(ledger_totals::bucket.eq(bucket))
        .filter(ledger_totals::currency.eq(currency));
    let updated = diesel::update(target)
        .set((
            ledger_totals::amount_minor.eq(ledger_totals::amount_minor + amount),
            ledger_totals::base_amount_minor.eq(ledger_totals::base_amount_minor + base),
            ledger_totals::entry_count.eq(ledger_totals::entry_count + 1),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(ledger_totals::table)
            .values((
                ledger_totals::fund_id.eq(fund_id),
                ledger_totals::donor_id.eq(donor_id),
                ledger_totals::bucket.eq(bucket),
                ledger_totals::currency.eq(currency),
                ledger_totals::amount_minor.eq(amount),
                ledger_totals::base_amount_minor.eq(base),
                ledger_totals::entry_count.eq(1i64),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Adds to a donor's total of one day (statement buckets only).
#[allow(clippy::too_many_arguments)]
pub fn add_to_daily_total(
    conn: &mut DbConn,
    donor_id: &str,
    fund_id: &str,
    day: NaiveDate,
    bucket: Bucket,
    currency: &str,
    amount: i64,
    base: i64,
) -> QueryResult<()> {
    let target = ledger_daily_totals::table
        .filter(ledger_daily_totals::donor_id.eq(donor_id))
        .filter(ledger_daily_totals::fund_id.eq(fund_id))
        .filter(ledger_daily_totals::day.eq(day))
        .filter(ledger_daily_totals::bucket.eq(bucket))
        .filter(ledger_daily_totals::currency.eq(currency));
    let updated = diesel::update(target)
        .set((
            ledger_daily_totals::amount_minor.eq(ledger_daily_totals::amount_minor + amount),
            ledger_daily_totals::base_amount_minor
                .eq(ledger_daily_totals::base_amount_minor + base),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(ledger_daily_totals::table)
            .values((
                ledger_daily_totals::donor_id.eq(donor_id),
                ledger_daily_totals::fund_id.eq(fund_id),
                ledger_daily_totals::day.eq(day),
                ledger_daily_totals::bucket.eq(bucket),
                ledger_daily_totals::currency.eq(currency),
                ledger_daily_totals::amount_minor.eq(amount),
                ledger_daily_totals::base_amount_minor.eq(base),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn totals_from_rows(rows: Vec<(Bucket, String, i64, i64)>) -> AppResult<Totals> {
    let mut totals = Totals::default();
    for (bucket, currency, amount, base) in rows {
        let currency = Currency::parse(&currency)
            .map_err(|e| AppError::internal(format!("ledger total currency: {e}")))?;
        totals.add(bucket, currency, amount, base);
    }
    Ok(totals)
}

/// The running totals of a fund (`donor_id` = `WHOLE_FUND`) or of one donor in it.
pub fn totals(conn: &mut DbConn, fund_id: &str, donor_id: &str) -> AppResult<Totals> {
    let rows = ledger_totals::table
        .filter(ledger_totals::fund_id.eq(fund_id))
        .filter(ledger_totals::donor_id.eq(donor_id))
        .select((
            ledger_totals::bucket,
            ledger_totals::currency,
            ledger_totals::amount_minor,
            ledger_totals::base_amount_minor,
        ))
        .load::<(Bucket, String, i64, i64)>(conn)?;
    totals_from_rows(rows)
}

/// The fund's running totals with how many entries its ledger holds, from one read of the
/// fund-wide rows. Every entry moves at least one fund-wide total once; a receipt against a
/// pledge moves two, so entries are counted through every bucket but `pledge_paid`.
pub fn fund_totals(conn: &mut DbConn, fund_id: &str) -> AppResult<(Totals, i64)> {
    let rows = ledger_totals::table
        .filter(ledger_totals::fund_id.eq(fund_id))
        .filter(ledger_totals::donor_id.eq(WHOLE_FUND))
        .select((
            ledger_totals::bucket,
            ledger_totals::currency,
            ledger_totals::amount_minor,
            ledger_totals::base_amount_minor,
            ledger_totals::entry_count,
        ))
        .load::<(Bucket, String, i64, i64, i64)>(conn)?;
    let entries = rows
        .iter()
        .filter(|row| row.0 != Bucket::PledgePaid)
        .map(|row| row.4)
        .sum();
    let totals = totals_from_rows(
        rows.into_iter()
            .map(|(b, c, a, base, _)| (b, c, a, base))
            .collect(),
    )?;
    Ok((totals, entries))
}

/// A donor's statement totals, per fund, summed over the days before `before` (all days
/// when `None`).
pub fn donor_day_sums_before(
    conn: &mut DbConn,
    donor_id: &str,
    fund_id: Option<&str>,
    before: Option<NaiveDate>,
) -> AppResult<HashMap<String, Totals>> {
    let mut query = ledger_daily_totals::table
        .filter(ledger_daily_totals::donor_id.eq(donor_id))
        .group_by((
            ledger_daily_totals::fund_id,
            ledger_daily_totals::bucket,
            ledger_daily_totals::currency,
        ))
        .select((
            ledger_daily_totals::fund_id,
            ledger_daily_totals::bucket,
            ledger_daily_totals::currency,
            sql::<BigInt>("CAST(SUM(amount_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(base_amount_minor) AS BIGINT)"),
        ))
        .into_boxed();
    if let Some(fund_id) = fund_id {
        query = query.filter(ledger_daily_totals::fund_id.eq(fund_id.to_string()));
    }
    if let Some(before) = before {
        query = query.filter(ledger_daily_totals::day.lt(before));
    }
    let rows = query.load::<(String, Bucket, String, i64, i64)>(conn)?;
    let mut by_fund: HashMap<String, Vec<(Bucket, String, i64, i64)>> = HashMap::new();
    for (fund, bucket, currency, amount, base) in rows {
        by_fund
            .entry(fund)
            .or_default()
            .push((bucket, currency, amount, base));
    }
    by_fund
        .into_iter()
        .map(|(fund, rows)| Ok((fund, totals_from_rows(rows)?)))
        .collect()
}

/// Where a statement page starts: after this entry in (value date, id) order.
#[derive(Debug, Clone)]
pub struct StatementCursor {
    pub value_date: NaiveDate,
    pub entry_id: String,
}

/// A donor's statement entries in (value date, id) order, within the dates, after the
/// cursor, at most `limit` of them.
pub struct StatementQuery<'a> {
    pub donor_id: &'a str,
    pub fund_id: Option<&'a str>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub after: Option<&'a StatementCursor>,
    pub limit: i64,
}

fn statement_kinds() -> Vec<super::rules::EntryKind> {
    super::rules::EntryKind::ALL
        .iter()
        .copied()
        .filter(|k| k.on_statement())
        .collect()
}

pub fn statement_entries(conn: &mut DbConn, q: &StatementQuery<'_>) -> QueryResult<Vec<EntryRow>> {
    let mut query = ledger_entries::table
        .filter(ledger_entries::donor_id.eq(q.donor_id.to_string()))
        .filter(ledger_entries::kind.eq_any(statement_kinds()))
        .select(EntryRow::as_select())
        .into_boxed();
    if let Some(fund_id) = q.fund_id {
        query = query.filter(ledger_entries::fund_id.eq(fund_id.to_string()));
    }
    if let Some(from) = q.from {
        query = query.filter(ledger_entries::value_date.ge(from));
    }
    if let Some(to) = q.to {
        query = query.filter(ledger_entries::value_date.le(to));
    }
    if let Some(after) = q.after {
        query = query.filter(
            ledger_entries::value_date
                .gt(after.value_date)
                .or(ledger_entries::value_date
                    .eq(after.value_date)
                    .and(ledger_entries::id.gt(after.entry_id.clone()))),
        );
    }
    query
        .order((ledger_entries::value_date.asc(), ledger_entries::id.asc()))
        .limit(q.limit)
        .load(conn)
}

/// The statement entries of one day up to and including `through_id`: with the day sums
/// before that day they give the running balance at a cursor.
pub fn statement_entries_of_day_through(
    conn: &mut DbConn,
    donor_id: &str,
    fund_id: Option<&str>,
    day: NaiveDate,
    through_id: &str,
) -> QueryResult<Vec<EntryRow>> {
    let mut query = ledger_entries::table
        .filter(ledger_entries::donor_id.eq(donor_id.to_string()))
        .filter(ledger_entries::kind.eq_any(statement_kinds()))
        .filter(ledger_entries::value_date.eq(day))
        .filter(ledger_entries::id.le(through_id.to_string()))
        .select(EntryRow::as_select())
        .into_boxed();
    if let Some(fund_id) = fund_id {
        query = query.filter(ledger_entries::fund_id.eq(fund_id.to_string()));
    }
    query.order(ledger_entries::id.asc()).load(conn)
}

/// Per pledge: the net pledged amount (zero once cancelled) and what was paid against it.
pub fn pledge_sums(
    conn: &mut DbConn,
    pledge_ids: &[String],
) -> QueryResult<HashMap<String, (i64, i64)>> {
    if pledge_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = ledger_entries::table
        .filter(ledger_entries::pledge_id.eq_any(pledge_ids))
        .filter(ledger_entries::kind.eq_any([
            super::rules::EntryKind::Pledge,
            super::rules::EntryKind::Receipt,
        ]))
        .group_by((ledger_entries::pledge_id, ledger_entries::kind))
        .select((
            ledger_entries::pledge_id,
            ledger_entries::kind,
            sql::<BigInt>("CAST(SUM(amount_minor) AS BIGINT)"),
        ))
        .load::<(Option<String>, super::rules::EntryKind, i64)>(conn)?;
    let mut sums: HashMap<String, (i64, i64)> = HashMap::new();
    for (pledge_id, kind, sum) in rows {
        let Some(pledge_id) = pledge_id else { continue };
        let entry = sums.entry(pledge_id).or_default();
        if kind == super::rules::EntryKind::Pledge {
            entry.0 += sum;
        } else {
            entry.1 += sum;
        }
    }
    Ok(sums)
}

/// The pledge entry of a pledge that has not been reversed, to reverse it.
pub fn open_pledge_entry(conn: &mut DbConn, pledge_id: &str) -> QueryResult<Option<EntryRow>> {
    let reversed = diesel::alias!(ledger_entries as reversal);
    ledger_entries::table
        .filter(ledger_entries::pledge_id.eq(pledge_id))
        .filter(ledger_entries::kind.eq(super::rules::EntryKind::Pledge))
        .filter(ledger_entries::reverses_id.is_null())
        .filter(diesel::dsl::not(diesel::dsl::exists(
            reversed
                .filter(
                    reversed
                        .field(ledger_entries::reverses_id)
                        .eq(ledger_entries::id.nullable()),
                )
                .select(reversed.field(ledger_entries::id)),
        )))
        .select(EntryRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_entry(conn: &mut DbConn, id: &str) -> QueryResult<Option<EntryRow>> {
    ledger_entries::table
        .find(id)
        .select(EntryRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn entries_of_fund(
    conn: &mut DbConn,
    fund_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<EntryRow>> {
    let mut query = ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id.to_string()))
        .select(EntryRow::as_select())
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(ledger_entries::id.gt(after.to_string()));
    }
    query
        .order(ledger_entries::id.asc())
        .limit(limit)
        .load(conn)
}

pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

/// The entries hung on one source (e.g. a grant), oldest first.
pub fn entries_of_source(
    conn: &mut DbConn,
    source_kind: crate::audit::Entity,
    source_id: &str,
) -> QueryResult<Vec<EntryRow>> {
    ledger_entries::table
        .filter(ledger_entries::source_kind.eq(source_kind))
        .filter(ledger_entries::source_id.eq(source_id))
        .order(ledger_entries::id.asc())
        .select(EntryRow::as_select())
        .load(conn)
}

/// The earliest day of the fund's money: its first pledge or receipt (reversed ones
/// included, since they were recorded on that day too). A fund's set-up day cannot move past it.
pub fn first_money_day(conn: &mut DbConn, fund_id: &str) -> QueryResult<Option<NaiveDate>> {
    use super::rules::EntryKind;
    ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id))
        .filter(ledger_entries::kind.eq_any([EntryKind::Pledge, EntryKind::Receipt]))
        .select(diesel::dsl::min(ledger_entries::value_date))
        .get_result(conn)
}
