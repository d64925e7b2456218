//! Queries of funds.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{FundView, NewFund};
use crate::db::DbConn;
use crate::db::schema::funds;
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::money::Currency;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = funds, treat_none_as_null = true)]
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
    pub established_on: NaiveDate,
}

impl FundRow {
    pub fn view(&self) -> AppResult<FundView> {
        self.clone().into_view()
    }

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
            established_on: self.established_on,
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
        established_on: new.established_on,
    };
    diesel::insert_into(funds::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// The row, locked against concurrent changes until the transaction ends.
pub fn find_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<FundRow>> {
    crate::db::first_locked!(conn, funds::table.find(id).select(FundRow::as_select()))
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<FundRow>> {
    funds::table
        .find(id)
        .select(FundRow::as_select())
        .get_result(conn)
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

/// Writes `after` only if the row is still at `before`'s version.
pub fn save(conn: &mut DbConn, before: &FundRow, after: &FundRow) -> QueryResult<bool> {
    let updated = diesel::update(
        funds::table
            .filter(funds::id.eq(&before.id))
            .filter(funds::version.eq(before.version)),
    )
    .set(after)
    .execute(conn)?;
    Ok(updated == 1)
}

/// Whether the fund has any grant: from then on its published identifiers exist.
pub fn has_grants(conn: &mut DbConn, fund_id: &str) -> QueryResult<bool> {
    use crate::db::schema::grants;
    diesel::select(diesel::dsl::exists(
        grants::table.filter(grants::fund_id.eq(fund_id)),
    ))
    .get_result(conn)
}
