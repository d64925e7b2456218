//! Queries of disbursements and refunds, and what they need to know of outcome reports.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use super::model::{DisbursementStatus, DisbursementView, RefundView};
use crate::db::DbConn;
use crate::db::schema::{disbursements, grant_refunds, grant_reports, report_expenditure};
use crate::error::{AppError, AppResult};
use crate::grants::model::ReportKind;
use crate::money::{Currency, Money};
use crate::reports::model::ReportStatus;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = disbursements)]
pub struct DisbursementRow {
    pub id: String,
    pub grant_id: String,
    pub instalment_id: String,
    pub fund_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: DisbursementStatus,
    pub requested_by: Option<String>,
    pub requested_at: NaiveDateTime,
    pub approved_by: Option<String>,
    pub approved_at: Option<NaiveDateTime>,
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
    pub paid_by: Option<String>,
    pub paid_at: Option<NaiveDateTime>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancel_reason: Option<String>,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

fn currency(code: &str, id: &str) -> AppResult<Currency> {
    Currency::parse(code).map_err(|e| AppError::internal(format!("{id}: {e}")))
}

impl DisbursementRow {
    pub fn money(&self) -> AppResult<Money> {
        Ok(Money::from_minor(
            self.amount_minor,
            currency(&self.currency, &self.id)?,
        ))
    }

    pub fn view(&self) -> AppResult<DisbursementView> {
        Ok(DisbursementView {
            id: self.id.clone(),
            grant_id: self.grant_id.clone(),
            instalment_id: self.instalment_id.clone(),
            fund_id: self.fund_id.clone(),
            amount: self.money()?.amount_string(),
            currency: currency(&self.currency, &self.id)?,
            status: self.status,
            requested_by: self.requested_by.clone(),
            requested_at: self.requested_at.and_utc(),
            approved_by: self.approved_by.clone(),
            approved_at: self.approved_at.map(|t| t.and_utc()),
            paid_on: self.paid_on,
            payment_reference: self.payment_reference.clone(),
            paid_by: self.paid_by.clone(),
            paid_at: self.paid_at.map(|t| t.and_utc()),
            cancelled_by: self.cancelled_by.clone(),
            cancelled_at: self.cancelled_at.map(|t| t.and_utc()),
            cancel_reason: self.cancel_reason.clone(),
            version: self.version,
        })
    }
}

impl crate::change::Versioned for DisbursementView {
    fn version(&self) -> i64 {
        self.version
    }
}

pub fn insert(conn: &mut DbConn, row: &DisbursementRow) -> QueryResult<()> {
    diesel::insert_into(disbursements::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<DisbursementRow>> {
    disbursements::table
        .find(id)
        .select(DisbursementRow::as_select())
        .get_result(conn)
        .optional()
}

/// The disbursement's row, locked until the transaction ends (after its grant's lock).
pub fn find_locked(conn: &mut DbConn, id: &str) -> QueryResult<Option<DisbursementRow>> {
    crate::db::first_locked!(
        conn,
        disbursements::table
            .find(id)
            .select(DisbursementRow::as_select())
    )
}

/// Saves the next state if the row is still at `before`'s version (compare-and-swap). The
/// caller holds the grant's lock, so this only fails for a stale `If-Match`-less race.
pub fn save(
    conn: &mut DbConn,
    before: &DisbursementRow,
    next: &DisbursementRow,
) -> QueryResult<bool> {
    let updated = diesel::update(
        disbursements::table
            .find(&before.id)
            .filter(disbursements::version.eq(before.version)),
    )
    .set((
        disbursements::status.eq(&next.status),
        disbursements::approved_by.eq(&next.approved_by),
        disbursements::approved_at.eq(next.approved_at),
        disbursements::paid_on.eq(next.paid_on),
        disbursements::payment_reference.eq(&next.payment_reference),
        disbursements::paid_by.eq(&next.paid_by),
        disbursements::paid_at.eq(next.paid_at),
        disbursements::cancelled_by.eq(&next.cancelled_by),
        disbursements::cancelled_at.eq(next.cancelled_at),
        disbursements::cancel_reason.eq(&next.cancel_reason),
        disbursements::version.eq(next.version),
        disbursements::updated_at.eq(next.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

pub fn of_grant(conn: &mut DbConn, grant_id: &str) -> QueryResult<Vec<DisbursementRow>> {
    disbursements::table
        .filter(disbursements::grant_id.eq(grant_id))
        .order(disbursements::id.asc())
        .select(DisbursementRow::as_select())
        .load(conn)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_refunds)]
pub struct RefundRow {
    pub id: String,
    pub grant_id: String,
    pub fund_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    pub recorded_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl RefundRow {
    pub fn view(&self) -> AppResult<RefundView> {
        let currency = currency(&self.currency, &self.id)?;
        Ok(RefundView {
            id: self.id.clone(),
            grant_id: self.grant_id.clone(),
            fund_id: self.fund_id.clone(),
            amount: Money::from_minor(self.amount_minor, currency).amount_string(),
            currency,
            received_on: self.received_on,
            reference: self.reference.clone(),
            recorded_by: self.recorded_by.clone(),
            created_at: self.created_at.and_utc(),
        })
    }
}

pub fn insert_refund(conn: &mut DbConn, row: &RefundRow) -> QueryResult<()> {
    diesel::insert_into(grant_refunds::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn refunds_of_grant(conn: &mut DbConn, grant_id: &str) -> QueryResult<Vec<RefundRow>> {
    grant_refunds::table
        .filter(grant_refunds::grant_id.eq(grant_id))
        .order(grant_refunds::id.asc())
        .select(RefundRow::as_select())
        .load(conn)
}

/// The status of an outcome report the reviewers accepted.
const ACCEPTED: ReportStatus = ReportStatus::Accepted;

/// How many reports of `kind` were accepted for the grant.
pub fn accepted_reports(conn: &mut DbConn, grant_id: &str, kind: ReportKind) -> QueryResult<i64> {
    grant_reports::table
        .filter(grant_reports::grant_id.eq(grant_id))
        .filter(grant_reports::kind.eq(kind))
        .filter(grant_reports::status.eq(ACCEPTED))
        .count()
        .get_result(conn)
}

/// The expenditure shown in the grant's accepted reports (minor units of its currency).
pub fn reported_spending(conn: &mut DbConn, grant_id: &str) -> QueryResult<i64> {
    Ok(report_expenditure::table
        .inner_join(grant_reports::table.on(grant_reports::id.eq(report_expenditure::report_id)))
        .filter(grant_reports::grant_id.eq(grant_id))
        .filter(grant_reports::status.eq(ACCEPTED))
        .select(sql::<Nullable<BigInt>>(
            "CAST(SUM(report_expenditure.amount_minor) AS BIGINT)",
        ))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

/// Payments waiting for a step (requested: approval; approved: the transfer), the oldest
/// request first.
pub fn waiting(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<DisbursementRow>> {
    disbursements::table
        .filter(
            disbursements::status
                .eq_any([DisbursementStatus::Requested, DisbursementStatus::Approved]),
        )
        .order((disbursements::requested_at.asc(), disbursements::id.asc()))
        .limit(limit)
        .select(DisbursementRow::as_select())
        .load(conn)
}
