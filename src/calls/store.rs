//! Queries of calls.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{Call, CallStatus, Criterion, NewCall, StoredCriterion};
use crate::db::DbConn;
use crate::db::schema::calls;
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = calls)]
pub struct CallRow {
    pub id: String,
    pub fund_id: String,
    pub title: String,
    pub description: String,
    pub opens_at: NaiveDateTime,
    pub closes_at: NaiveDateTime,
    pub max_amount: i64,
    pub currency: String,
    pub max_duration_months: i32,
    pub eligible_countries: String,
    pub themes: String,
    pub required_documents: String,
    pub rubric: String,
    pub status: CallStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn json_list<T: serde::de::DeserializeOwned>(id: &str, what: &str, text: &str) -> AppResult<T> {
    serde_json::from_str(text)
        .map_err(|e| AppError::internal(format!("call {id}: unreadable {what}: {e}")))
}

fn to_json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("lists of strings serialise")
}

impl CallRow {
    pub fn into_call(self) -> AppResult<Call> {
        let currency = Currency::parse(&self.currency)
            .map_err(|e| AppError::internal(format!("call {}: {e}", self.id)))?;
        let stored: Vec<StoredCriterion> = json_list(&self.id, "rubric", &self.rubric)?;
        let rubric = stored
            .into_iter()
            .map(StoredCriterion::into_criterion)
            .collect::<AppResult<Vec<Criterion>>>()?;
        Ok(Call {
            eligible_countries: json_list(&self.id, "countries", &self.eligible_countries)?,
            themes: json_list(&self.id, "themes", &self.themes)?,
            required_documents: json_list(&self.id, "documents", &self.required_documents)?,
            rubric,
            max_amount: Money::from_minor(self.max_amount, currency),
            status: self.status,
            id: self.id,
            fund_id: self.fund_id,
            title: self.title,
            description: self.description,
            opens_at: self.opens_at.and_utc(),
            closes_at: self.closes_at.and_utc(),
            max_duration_months: self.max_duration_months,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }

    fn from_call(call: &Call) -> CallRow {
        CallRow {
            id: call.id.clone(),
            fund_id: call.fund_id.clone(),
            title: call.title.clone(),
            description: call.description.clone(),
            opens_at: call.opens_at.naive_utc(),
            closes_at: call.closes_at.naive_utc(),
            max_amount: call.max_amount.minor_units(),
            currency: call.max_amount.currency().code().to_string(),
            max_duration_months: call.max_duration_months,
            eligible_countries: to_json(&call.eligible_countries),
            themes: to_json(&call.themes),
            required_documents: to_json(&call.required_documents),
            rubric: to_json(
                &call
                    .rubric
                    .iter()
                    .map(StoredCriterion::from)
                    .collect::<Vec<_>>(),
            ),
            status: call.status,
            version: call.version,
            created_at: call.created_at.naive_utc(),
            updated_at: call.updated_at.naive_utc(),
        }
    }
}

pub fn insert(
    conn: &mut DbConn,
    fund_id: &str,
    new: NewCall,
    now: DateTime<Utc>,
) -> AppResult<Call> {
    let call = Call {
        id: uuid::Uuid::now_v7().to_string(),
        fund_id: fund_id.to_string(),
        title: new.title,
        description: new.description,
        opens_at: new.opens_at,
        closes_at: new.closes_at,
        max_amount: new.max_amount,
        max_duration_months: new.max_duration_months,
        eligible_countries: new.eligible_countries,
        themes: new.themes,
        required_documents: new.required_documents,
        rubric: new.rubric,
        status: CallStatus::Draft,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(calls::table)
        .values(CallRow::from_call(&call))
        .execute(conn)?;
    Ok(call)
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<Call>> {
    calls::table
        .find(id)
        .select(CallRow::as_select())
        .get_result(conn)
        .optional()?
        .map(CallRow::into_call)
        .transpose()
}

/// Reads a call inside a write transaction, locking its row on PostgreSQL so that the
/// check made on it (its state, its deadline) holds until the transaction commits. On
/// SQLite the write transaction already holds the database's write lock.
pub fn find_locked(conn: &mut DbConn, id: &str) -> AppResult<Option<Call>> {
    crate::db::first_locked!(conn, calls::table.find(id).select(CallRow::as_select()))?
        .map(CallRow::into_call)
        .transpose()
}

/// Reads a call that a submission depends on, with a shared lock on PostgreSQL: many
/// submissions may hold it at once, but the call cannot close under them.
pub fn find_shared(conn: &mut DbConn, id: &str) -> AppResult<Option<Call>> {
    if crate::db::dialect(conn) == crate::db::Dialect::Postgres {
        diesel::sql_query("SELECT id FROM calls WHERE id = $1 FOR SHARE")
            .bind::<diesel::sql_types::Text, _>(id)
            .execute(conn)?;
    }
    find(conn, id)
}

pub struct CallFilter {
    pub fund_id: Option<String>,
    pub status: Option<CallStatus>,
    /// Leave drafts out (callers who may not see them).
    pub public_only: bool,
}

pub fn list(conn: &mut DbConn, filter: &CallFilter, page: &Page) -> AppResult<Vec<Call>> {
    let mut query = calls::table.select(CallRow::as_select()).into_boxed();
    if let Some(fund_id) = &filter.fund_id {
        query = query.filter(calls::fund_id.eq(fund_id.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(calls::status.eq(status));
    }
    if filter.public_only {
        query = query.filter(calls::status.ne(CallStatus::Draft));
    }
    if let Some(after) = &page.after {
        query = query.filter(calls::id.gt(after.clone()));
    }
    query
        .order(calls::id.asc())
        .limit(page.limit + 1)
        .load(conn)?
        .into_iter()
        .map(CallRow::into_call)
        .collect()
}

/// Writes `next` over the row only if the row is still at `expected_version`; `next`
/// carries the new version. `None` when someone else changed it first.
pub fn replace(conn: &mut DbConn, expected_version: i64, next: &Call) -> AppResult<Option<Call>> {
    let updated = diesel::update(
        calls::table
            .filter(calls::id.eq(&next.id))
            .filter(calls::version.eq(expected_version)),
    )
    .set(CallRow::from_call(next))
    .execute(conn)?;
    if updated == 0 {
        Ok(None)
    } else {
        find(conn, &next.id)
    }
}
