//! Queries of grants and their instalments.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use super::model::{GrantStatus, GrantView, InstalmentView, ReleaseCondition, ReportKind};
use crate::auth::policy::GrantScope;
use crate::db::DbConn;
use crate::db::schema::{disbursements, grant_instalments, grant_refunds, grants};
use crate::disbursements::model::DisbursementStatus;
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grants)]
pub struct GrantRow {
    pub id: String,
    pub fund_id: String,
    pub call_id: String,
    pub application_id: String,
    pub organisation_id: String,
    pub reference: String,
    pub title: String,
    pub amount_minor: i64,
    pub currency: String,
    pub exchange_rate: String,
    pub base_amount_minor: i64,
    pub base_currency: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub conditions: Option<String>,
    pub status: GrantStatus,
    pub status_reason: Option<String>,
    pub signed_at: Option<NaiveDateTime>,
    pub signed_by: Option<String>,
    pub version: i64,
    /// The grant's project in the registry.
    pub registry_project_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_instalments)]
pub struct InstalmentRow {
    pub id: String,
    pub grant_id: String,
    pub position: i32,
    pub amount_minor: i64,
    pub due_on: NaiveDate,
    pub condition: ReleaseCondition,
    pub report_kind: Option<ReportKind>,
    pub min_spend_share: Option<String>,
}

fn currency(code: &str, what: &str) -> AppResult<Currency> {
    Currency::parse(code).map_err(|e| AppError::internal(format!("{what}: {e}")))
}

impl InstalmentRow {
    /// The instalment as shown, in its grant's currency.
    pub fn view_in(&self, currency: Currency, money: &GrantMoney) -> AppResult<InstalmentView> {
        let (paid, pending) = money
            .by_instalment
            .get(&self.id)
            .copied()
            .unwrap_or_default();
        Ok(InstalmentView {
            id: self.id.clone(),
            position: self.position,
            amount: Money::from_minor(self.amount_minor, currency).amount_string(),
            currency,
            due_on: self.due_on,
            condition: self.condition,
            report_kind: self.report_kind,
            min_spend_share: self.min_spend_share.clone(),
            paid: Money::from_minor(paid, currency).amount_string(),
            pending: Money::from_minor(pending, currency).amount_string(),
        })
    }
}

impl GrantRow {
    /// The grant's state (kept for callers outside the grants feature).
    pub fn status(&self) -> AppResult<GrantStatus> {
        Ok(self.status)
    }

    pub fn money(&self) -> AppResult<Money> {
        Ok(Money::from_minor(
            self.amount_minor,
            currency(&self.currency, "grant")?,
        ))
    }

    /// Whether the rest of the commitment went back to the fund (closed or terminated).
    pub fn is_finished(&self) -> bool {
        matches!(self.status, GrantStatus::Closed | GrantStatus::Terminated)
    }

    pub fn view(&self, instalments: &[InstalmentRow], money: &GrantMoney) -> AppResult<GrantView> {
        let cur = currency(&self.currency, "grant")?;
        let base = currency(&self.base_currency, "grant")?;
        let remaining = if self.is_finished() {
            0
        } else {
            self.amount_minor - money.paid
        };
        let amount = |minor: i64| Money::from_minor(minor, cur).amount_string();
        Ok(GrantView {
            id: self.id.clone(),
            fund_id: self.fund_id.clone(),
            call_id: self.call_id.clone(),
            application_id: self.application_id.clone(),
            organisation_id: self.organisation_id.clone(),
            reference: self.reference.clone(),
            title: self.title.clone(),
            amount: Money::from_minor(self.amount_minor, cur).amount_string(),
            currency: cur,
            base_amount: Money::from_minor(self.base_amount_minor, base).amount_string(),
            base_currency: base,
            exchange_rate: self.exchange_rate.clone(),
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            conditions: self.conditions.clone(),
            status: self.status,
            status_reason: self.status_reason.clone(),
            signed_at: self.signed_at.map(|t| t.and_utc()),
            disbursed: amount(money.paid),
            pending_disbursement: amount(money.pending),
            remaining: amount(remaining),
            refunded: amount(money.refunded),
            instalments: instalments
                .iter()
                .map(|i| i.view_in(cur, money))
                .collect::<AppResult<_>>()?,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

pub fn insert(conn: &mut DbConn, grant: &GrantRow, plan: &[InstalmentRow]) -> QueryResult<()> {
    diesel::insert_into(grants::table)
        .values(grant)
        .execute(conn)?;
    crate::db::insert_rows!(conn, grant_instalments::table, plan)?;
    Ok(())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<GrantRow>> {
    grants::table
        .find(id)
        .select(GrantRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn instalments(conn: &mut DbConn, grant_id: &str) -> QueryResult<Vec<InstalmentRow>> {
    grant_instalments::table
        .filter(grant_instalments::grant_id.eq(grant_id))
        .order(grant_instalments::position.asc())
        .select(InstalmentRow::as_select())
        .load(conn)
}

/// The grant with its instalments and money, as shown.
pub fn view_of(conn: &mut DbConn, row: &GrantRow) -> AppResult<GrantView> {
    views_of(conn, std::slice::from_ref(row))?
        .pop()
        .ok_or_else(|| AppError::internal("a grant's view was lost"))
}

/// The grants with their instalments and money, as shown, in `rows`' order: three
/// statements for the whole list, not three per grant.
pub fn views_of(conn: &mut DbConn, rows: &[GrantRow]) -> AppResult<Vec<GrantView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut plans: HashMap<String, Vec<InstalmentRow>> = HashMap::new();
    for instalment in grant_instalments::table
        .filter(grant_instalments::grant_id.eq_any(&ids))
        .order((
            grant_instalments::grant_id.asc(),
            grant_instalments::position.asc(),
        ))
        .select(InstalmentRow::as_select())
        .load(conn)?
    {
        plans
            .entry(instalment.grant_id.clone())
            .or_default()
            .push(instalment);
    }
    let money = money_of(conn, &ids)?;
    rows.iter()
        .map(|row| {
            let plan = plans.get(&row.id).map(Vec::as_slice).unwrap_or_default();
            let money = money.get(&row.id).cloned().unwrap_or_default();
            row.view(plan, &money)
        })
        .collect()
}

/// The grant's row, locked until the transaction ends on PostgreSQL (SQLite's `BEGIN
/// IMMEDIATE` already serialises writers), so that its payments are decided one at a time.
pub fn find_locked(conn: &mut DbConn, id: &str) -> QueryResult<Option<GrantRow>> {
    crate::db::first_locked!(conn, grants::table.find(id).select(GrantRow::as_select()))
}

/// Saves a new state of the grant if it is still at `before`'s version (compare-and-swap).
pub fn save(conn: &mut DbConn, before: &GrantRow, next: &GrantRow) -> QueryResult<bool> {
    let updated = diesel::update(
        grants::table
            .find(&before.id)
            .filter(grants::version.eq(before.version)),
    )
    .set((
        grants::status.eq(&next.status),
        grants::status_reason.eq(&next.status_reason),
        grants::signed_at.eq(next.signed_at),
        grants::signed_by.eq(&next.signed_by),
        grants::version.eq(next.version),
        grants::updated_at.eq(next.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

#[derive(Debug, Clone, Default)]
pub struct GrantFilter {
    pub fund_id: Option<String>,
    pub status: Option<GrantStatus>,
    pub organisation_id: Option<String>,
}

pub fn list(
    conn: &mut DbConn,
    scope: &GrantScope,
    filter: &GrantFilter,
    page: &Page,
) -> QueryResult<Vec<GrantRow>> {
    let mut query = grants::table.select(GrantRow::as_select()).into_boxed();
    match scope {
        GrantScope::All => {}
        GrantScope::Funds(funds) => query = query.filter(grants::fund_id.eq_any(funds.clone())),
        GrantScope::Organisation(org) => {
            query = query.filter(grants::organisation_id.eq(org.clone()))
        }
        GrantScope::Nothing => return Ok(Vec::new()),
    }
    if let Some(fund) = &filter.fund_id {
        query = query.filter(grants::fund_id.eq(fund.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(grants::status.eq(status));
    }
    if let Some(org) = &filter.organisation_id {
        query = query.filter(grants::organisation_id.eq(org.clone()));
    }
    if let Some(after) = &page.after {
        query = query.filter(grants::id.gt(after.clone()));
    }
    query
        .order(grants::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

/// A grant's money in its currency (minor units): paid, requested or approved but unpaid,
/// refunded, and paid/pending per instalment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantMoney {
    pub paid: i64,
    pub pending: i64,
    pub refunded: i64,
    /// instalment id → (paid, pending)
    pub by_instalment: HashMap<String, (i64, i64)>,
}

impl GrantMoney {
    /// What counts against the grant's amount: paid and pending.
    pub fn taken(&self) -> i64 {
        self.paid + self.pending
    }

    pub fn taken_of(&self, instalment_id: &str) -> i64 {
        self.by_instalment
            .get(instalment_id)
            .map(|(p, q)| p + q)
            .unwrap_or(0)
    }
}

impl GrantMoney {
    /// Adds what the disbursements of one instalment in one status sum to.
    fn add(&mut self, instalment: String, status: DisbursementStatus, total: i64) {
        let entry = self.by_instalment.entry(instalment).or_default();
        match status {
            DisbursementStatus::Paid => {
                self.paid += total;
                entry.0 += total;
            }
            DisbursementStatus::Requested | DisbursementStatus::Approved => {
                self.pending += total;
                entry.1 += total;
            }
            DisbursementStatus::Cancelled => {}
        }
    }
}

pub fn money(conn: &mut DbConn, grant_id: &str) -> QueryResult<GrantMoney> {
    Ok(money_of(conn, &[grant_id.to_string()])?
        .remove(grant_id)
        .unwrap_or_default())
}

/// The money of each of `grant_ids` in two statements, whatever their number.
fn money_of(conn: &mut DbConn, grant_ids: &[String]) -> QueryResult<HashMap<String, GrantMoney>> {
    // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back so both backends read an i64
    let rows: Vec<(String, String, DisbursementStatus, i64)> = disbursements::table
        .filter(disbursements::grant_id.eq_any(grant_ids))
        .group_by((
            disbursements::grant_id,
            disbursements::instalment_id,
            disbursements::status,
        ))
        .select((
            disbursements::grant_id,
            disbursements::instalment_id,
            disbursements::status,
            sql::<BigInt>("CAST(SUM(amount_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    let mut money: HashMap<String, GrantMoney> = HashMap::new();
    for (grant, instalment, status, total) in rows {
        money
            .entry(grant)
            .or_default()
            .add(instalment, status, total);
    }
    let refunds: Vec<(String, Option<i64>)> = grant_refunds::table
        .filter(grant_refunds::grant_id.eq_any(grant_ids))
        .group_by(grant_refunds::grant_id)
        .select((
            grant_refunds::grant_id,
            sql::<Nullable<BigInt>>("CAST(SUM(amount_minor) AS BIGINT)"),
        ))
        .load(conn)?;
    for (grant, refunded) in refunds {
        money.entry(grant).or_default().refunded = refunded.unwrap_or(0);
    }
    Ok(money)
}
