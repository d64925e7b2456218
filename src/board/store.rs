//! Queries of board sessions, the trustees present and decisions.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{DecisionView, Outcome, TrusteeView};
use crate::auth::Role;
use crate::db::DbConn;
use crate::db::schema::{
    board_decisions, board_session_trustees, board_sessions, review_assignments, trustee_funds,
    users,
};
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = board_sessions)]
pub struct SessionRow {
    pub id: String,
    pub fund_id: String,
    pub held_on: NaiveDate,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = board_decisions)]
pub struct DecisionRow {
    pub id: String,
    pub session_id: String,
    pub fund_id: String,
    pub application_id: String,
    pub outcome: Outcome,
    pub approved_amount_minor: Option<i64>,
    pub currency: String,
    pub conditions: Option<String>,
    pub rationale: String,
    pub grant_id: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: NaiveDateTime,
    pub overlap_weighing: Option<String>,
}

impl DecisionRow {
    pub fn view(&self) -> AppResult<DecisionView> {
        let currency = Currency::parse(&self.currency)
            .map_err(|e| AppError::internal(format!("decision {}: {e}", self.id)))?;
        Ok(DecisionView {
            id: self.id.clone(),
            session_id: self.session_id.clone(),
            fund_id: self.fund_id.clone(),
            application_id: self.application_id.clone(),
            outcome: self.outcome,
            approved_amount: self
                .approved_amount_minor
                .map(|m| Money::from_minor(m, currency).amount_string()),
            currency,
            conditions: self.conditions.clone(),
            rationale: self.rationale.clone(),
            overlap_weighing: self.overlap_weighing.clone(),
            grant_id: self.grant_id.clone(),
            grant: None,
            decided_by: self.decided_by.clone(),
            decided_at: self.decided_at.and_utc(),
        })
    }
}

pub fn insert_session(conn: &mut DbConn, row: &SessionRow, trustees: &[String]) -> QueryResult<()> {
    diesel::insert_into(board_sessions::table)
        .values(row)
        .execute(conn)?;
    let present: Vec<_> = trustees
        .iter()
        .map(|trustee| {
            (
                board_session_trustees::session_id.eq(&row.id),
                board_session_trustees::user_id.eq(trustee),
            )
        })
        .collect();
    crate::db::insert_rows!(conn, board_session_trustees::table, present)?;
    Ok(())
}

pub fn find_session(conn: &mut DbConn, id: &str) -> QueryResult<Option<SessionRow>> {
    board_sessions::table
        .find(id)
        .select(SessionRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn list_sessions(
    conn: &mut DbConn,
    fund_id: &str,
    page: &Page,
) -> QueryResult<Vec<SessionRow>> {
    let mut query = board_sessions::table
        .filter(board_sessions::fund_id.eq(fund_id))
        .select(SessionRow::as_select())
        .into_boxed();
    if let Some(after) = &page.after {
        query = query.filter(board_sessions::id.gt(after.clone()));
    }
    query
        .order(board_sessions::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

/// The day of the fund's first board session held after `day` (recorded ahead, when it was
/// announced), if any: the horizon of the reviews assigned on `day`.
pub fn next_session_after(
    conn: &mut DbConn,
    fund_id: &str,
    day: NaiveDate,
) -> QueryResult<Option<NaiveDate>> {
    board_sessions::table
        .filter(board_sessions::fund_id.eq(fund_id))
        .filter(board_sessions::held_on.gt(day))
        .select(diesel::dsl::min(board_sessions::held_on))
        .first::<Option<NaiveDate>>(conn)
}

/// The trustees present at a session, by name.
pub fn session_trustees(conn: &mut DbConn, session_id: &str) -> QueryResult<Vec<TrusteeView>> {
    Ok(board_session_trustees::table
        .inner_join(users::table.on(users::id.eq(board_session_trustees::user_id)))
        .filter(board_session_trustees::session_id.eq(session_id))
        .order(users::display_name.asc())
        .select((users::id, users::display_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .map(|(id, display_name)| TrusteeView { id, display_name })
        .collect())
}

/// Of `ids`, those who are active trustees on the board of `fund_id`.
pub fn board_members(conn: &mut DbConn, fund_id: &str, ids: &[String]) -> QueryResult<Vec<String>> {
    trustee_funds::table
        .inner_join(users::table.on(users::id.eq(trustee_funds::user_id)))
        .filter(trustee_funds::fund_id.eq(fund_id))
        .filter(trustee_funds::user_id.eq_any(ids))
        .filter(users::role.eq(Role::Trustee))
        .filter(users::active.eq(true))
        .select(trustee_funds::user_id)
        .load(conn)
}

/// Everyone who declared a conflict of interest on the application.
pub fn recused_on(conn: &mut DbConn, application_id: &str) -> QueryResult<Vec<String>> {
    review_assignments::table
        .filter(review_assignments::application_id.eq(application_id))
        .filter(review_assignments::status.eq(crate::review::model::AssignmentStatus::Recused))
        .select(review_assignments::reviewer_id)
        .load(conn)
}

pub fn insert_decision(conn: &mut DbConn, row: &DecisionRow) -> QueryResult<()> {
    diesel::insert_into(board_decisions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn decisions_of_session(conn: &mut DbConn, session_id: &str) -> QueryResult<Vec<DecisionRow>> {
    board_decisions::table
        .filter(board_decisions::session_id.eq(session_id))
        .order(board_decisions::id.asc())
        .select(DecisionRow::as_select())
        .load(conn)
}

/// The fund's default instalment plan as stored (JSON text).
pub fn default_instalment_plan(conn: &mut DbConn, fund_id: &str) -> QueryResult<String> {
    use crate::db::schema::funds;
    funds::table
        .find(fund_id)
        .select(funds::default_instalment_plan)
        .get_result(conn)
}
