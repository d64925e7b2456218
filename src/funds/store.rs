//! Queries of funds.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{FundPatch, FundView, NewFund};
use crate::db::DbConn;
use crate::db::schema::funds;
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::money::Currency;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = funds)]
pub struct FundRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub base_currency: String,
    pub support_cost_rate: String,
    pub board_quorum: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub organisation_identifier: Option<String>,
    pub organisation_type: String,
}

impl FundRow {
    pub fn into_view(self) -> AppResult<FundView> {
        let base_currency = Currency::parse(&self.base_currency)
            .map_err(|e| AppError::internal(format!("fund {}: {e}", self.id)))?;
        Ok(FundView {
            id: self.id,
            code: self.code,
            name: self.name,
            base_currency,
            support_cost_rate: self.support_cost_rate,
            board_quorum: self.board_quorum,
            organisation_identifier: self.organisation_identifier,
            organisation_type: self.organisation_type,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

pub fn insert(conn: &mut DbConn, new: &NewFund) -> QueryResult<FundRow> {
    let now = Utc::now().naive_utc();
    let row = FundRow {
        id: uuid::Uuid::now_v7().to_string(),
        code: new.code.clone(),
        name: new.name.clone(),
        base_currency: new.base_currency.code().to_string(),
        support_cost_rate: new.support_cost_rate.to_string(),
        board_quorum: new.board_quorum,
        version: 1,
        created_at: now,
        updated_at: now,
        organisation_identifier: new.organisation_identifier.clone(),
        organisation_type: new.organisation_type.clone(),
    };
    diesel::insert_into(funds::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// The row, locked against concurrent edits until the transaction ends. PostgreSQL needs
/// the lock (READ COMMITTED would let two edits read the same version); SQLite's
/// `BEGIN IMMEDIATE` already serialises writers.
pub fn find_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<FundRow>> {
    if let DbConn::Postgres(pg) = conn {
        return funds::table
            .find(id)
            .select(FundRow::as_select())
            .for_update()
            .first(pg)
            .optional();
    }
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<FundRow>> {
    funds::table
        .find(id)
        .select(FundRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_code(conn: &mut DbConn, code: &str) -> QueryResult<Option<FundRow>> {
    funds::table
        .filter(funds::code.eq(code))
        .select(FundRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut DbConn, page: &Page) -> QueryResult<Vec<FundRow>> {
    let mut query = funds::table.select(FundRow::as_select()).into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(funds::id.gt(after.clone()));
    }
    query
        .order(funds::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

#[derive(AsChangeset)]
#[diesel(table_name = funds)]
struct FundChanges<'a> {
    name: Option<&'a str>,
    support_cost_rate: Option<String>,
    board_quorum: Option<i32>,
    organisation_identifier: Option<&'a str>,
    organisation_type: Option<&'a str>,
    version: i64,
    updated_at: NaiveDateTime,
}

/// Applies `patch` only if the row is still at `version`; `None` when it moved on.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    version: i64,
    patch: &FundPatch,
) -> QueryResult<Option<FundRow>> {
    let changes = FundChanges {
        name: patch.name.as_deref(),
        support_cost_rate: patch.support_cost_rate.map(|r| r.to_string()),
        board_quorum: patch.board_quorum,
        organisation_identifier: patch.organisation_identifier.as_deref(),
        organisation_type: patch.organisation_type.as_deref(),
        version: version + 1,
        updated_at: Utc::now().naive_utc(),
    };
    let updated = diesel::update(
        funds::table
            .filter(funds::id.eq(id))
            .filter(funds::version.eq(version)),
    )
    .set(&changes)
    .execute(conn)?;
    if updated == 0 {
        Ok(None)
    } else {
        find(conn, id)
    }
}

/// Whether the fund has any grant: from then on its published identifiers exist.
pub fn has_grants(conn: &mut DbConn, fund_id: &str) -> QueryResult<bool> {
    use crate::db::schema::grants;
    diesel::select(diesel::dsl::exists(
        grants::table.filter(grants::fund_id.eq(fund_id)),
    ))
    .get_result(conn)
}
