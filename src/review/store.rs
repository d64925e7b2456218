//! Queries of review assignments and the few columns of applications, organisations, users
//! and calls that review shows. Scores are JSON text `{criterion_key: integer}`.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::{AssignmentStatus, Recommendation};
use crate::applications::model::ApplicationStatus;
use crate::calls::model::{Criterion, StoredCriterion};
use crate::db::DbConn;
use crate::db::schema::{applications, calls, organisations, review_assignments, users};
use crate::error::{AppError, AppResult};
use crate::http::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = review_assignments)]
pub struct AssignmentRow {
    pub id: String,
    pub application_id: String,
    pub call_id: String,
    pub fund_id: String,
    pub reviewer_id: String,
    pub status: AssignmentStatus,
    pub conflict_statement: Option<String>,
    pub declared_at: Option<NaiveDateTime>,
    pub scores: String,
    pub comment: String,
    pub recommendation: Option<Recommendation>,
    pub submitted_at: Option<NaiveDateTime>,
    pub version: i64,
    pub assigned_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The day the review is due (set when assigned; never changes).
    pub due_on: NaiveDate,
}

/// Reads stored scores.
pub fn parse_scores(id: &str, text: &str) -> AppResult<BTreeMap<String, i64>> {
    serde_json::from_str(text)
        .map_err(|e| AppError::internal(format!("assignment {id}: unreadable scores: {e}")))
}

pub fn scores_text(scores: &BTreeMap<String, i64>) -> String {
    serde_json::to_string(scores).expect("a map of integers serialises")
}

impl AssignmentRow {
    pub fn scores(&self) -> AppResult<BTreeMap<String, i64>> {
        parse_scores(&self.id, &self.scores)
    }
}

/// The applications a user may read as a reviewer: assigned to it, declared no conflict.
#[diesel::dsl::auto_type]
fn assigned_in_status(user_id: String, status: AssignmentStatus) -> _ {
    review_assignments::table
        .filter(review_assignments::reviewer_id.eq(user_id))
        .filter(review_assignments::status.eq(status))
        .select(review_assignments::application_id)
}

/// Subquery of the application ids a reviewer sees (for `eq_any`).
pub fn cleared_application_ids(user_id: &str) -> assigned_in_status {
    assigned_in_status(user_id.to_string(), AssignmentStatus::Cleared)
}

/// Whether `user_id` holds a cleared assignment on the application.
pub fn cleared_assignment_exists(
    conn: &mut DbConn,
    application_id: &str,
    user_id: &str,
) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        review_assignments::table
            .filter(review_assignments::application_id.eq(application_id))
            .filter(review_assignments::reviewer_id.eq(user_id))
            .filter(review_assignments::status.eq(AssignmentStatus::Cleared)),
    ))
    .get_result(conn)?)
}

pub fn insert(conn: &mut DbConn, row: &AssignmentRow) -> AppResult<()> {
    diesel::insert_into(review_assignments::table)
        .values(row.clone())
        .execute(conn)?;
    Ok(())
}

/// An assignment; with `lock`, its row is locked on PostgreSQL (inside a write
/// transaction; SQLite's write transaction already holds the lock).
pub fn find(conn: &mut DbConn, id: &str, lock: bool) -> AppResult<Option<AssignmentRow>> {
    if lock {
        return Ok(crate::db::first_locked!(
            conn,
            review_assignments::table
                .find(id)
                .select(AssignmentRow::as_select())
        )?);
    }
    Ok(review_assignments::table
        .find(id)
        .select(AssignmentRow::as_select())
        .get_result(conn)
        .optional()?)
}

pub fn find_for(
    conn: &mut DbConn,
    application_id: &str,
    reviewer_id: &str,
) -> AppResult<Option<AssignmentRow>> {
    Ok(review_assignments::table
        .filter(review_assignments::application_id.eq(application_id))
        .filter(review_assignments::reviewer_id.eq(reviewer_id))
        .select(AssignmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Saves the changeable columns of `next` if the row is still at `version`; false when
/// another change won the race.
pub fn save(conn: &mut DbConn, version: i64, next: &AssignmentRow) -> AppResult<bool> {
    let updated = diesel::update(
        review_assignments::table
            .filter(review_assignments::id.eq(&next.id))
            .filter(review_assignments::version.eq(version)),
    )
    .set((
        review_assignments::status.eq(&next.status),
        review_assignments::conflict_statement.eq(&next.conflict_statement),
        review_assignments::declared_at.eq(next.declared_at),
        review_assignments::scores.eq(&next.scores),
        review_assignments::comment.eq(&next.comment),
        review_assignments::recommendation.eq(&next.recommendation),
        review_assignments::submitted_at.eq(next.submitted_at),
        review_assignments::version.eq(next.version),
        review_assignments::updated_at.eq(next.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this user's assignments.
    pub reviewer_id: Option<String>,
    pub application_id: Option<String>,
    pub call_id: Option<String>,
}

pub fn list(conn: &mut DbConn, filter: &ListFilter, page: &Page) -> AppResult<Vec<AssignmentRow>> {
    let mut query = review_assignments::table
        .select(AssignmentRow::as_select())
        .into_boxed();
    if let Some(reviewer) = &filter.reviewer_id {
        query = query.filter(review_assignments::reviewer_id.eq(reviewer.clone()));
    }
    if let Some(application) = &filter.application_id {
        query = query.filter(review_assignments::application_id.eq(application.clone()));
    }
    if let Some(call) = &filter.call_id {
        query = query.filter(review_assignments::call_id.eq(call.clone()));
    }
    if let Some(after) = &page.after {
        query = query.filter(review_assignments::id.gt(after.clone()));
    }
    Ok(query
        .order(review_assignments::id.asc())
        .limit(page.limit + 1)
        .load(conn)?)
}

/// What an assignment shows of its application.
#[derive(Debug, Clone)]
pub struct ApplicationLabel {
    pub title: String,
    pub reference: Option<String>,
    pub organisation_name: String,
}

/// Title, reference and applicant name of each application, in one query.
pub fn application_labels(
    conn: &mut DbConn,
    ids: &[String],
) -> AppResult<HashMap<String, ApplicationLabel>> {
    let rows = applications::table
        .inner_join(organisations::table.on(organisations::id.eq(applications::organisation_id)))
        .filter(applications::id.eq_any(ids))
        .select((
            applications::id,
            applications::title,
            applications::reference,
            organisations::name,
        ))
        .load::<(String, String, Option<String>, String)>(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, reference, organisation_name)| {
            (
                id,
                ApplicationLabel {
                    title,
                    reference,
                    organisation_name,
                },
            )
        })
        .collect())
}

/// The rubric of each call, in one query.
pub fn rubrics(
    conn: &mut DbConn,
    call_ids: &[String],
) -> AppResult<HashMap<String, Vec<Criterion>>> {
    let rows = calls::table
        .filter(calls::id.eq_any(call_ids))
        .select((calls::id, calls::rubric))
        .load::<(String, String)>(conn)?;
    rows.into_iter()
        .map(|(id, text)| Ok((id.clone(), parse_rubric(&id, &text)?)))
        .collect()
}

/// The title of the call of each assignment (by assignment id), in one query: what the
/// reviewer's list names beside each application.
pub fn call_titles(
    conn: &mut DbConn,
    assignment_ids: &[String],
) -> AppResult<HashMap<String, String>> {
    Ok(review_assignments::table
        .inner_join(calls::table.on(calls::id.eq(review_assignments::call_id)))
        .filter(review_assignments::id.eq_any(assignment_ids))
        .select((review_assignments::id, calls::title))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

pub fn parse_rubric(call_id: &str, text: &str) -> AppResult<Vec<Criterion>> {
    let stored: Vec<StoredCriterion> = serde_json::from_str(text)
        .map_err(|e| AppError::internal(format!("call {call_id}: unreadable rubric: {e}")))?;
    stored
        .into_iter()
        .map(StoredCriterion::into_criterion)
        .collect()
}

/// The call of an application: id, fund and rubric.
pub fn call_rubric(conn: &mut DbConn, call_id: &str) -> AppResult<Vec<Criterion>> {
    let text = calls::table
        .find(call_id)
        .select(calls::rubric)
        .first::<String>(conn)?;
    parse_rubric(call_id, &text)
}

/// The submitted reviews of an application, with each reviewer's name, oldest first.
pub fn submitted_reviews(
    conn: &mut DbConn,
    application_id: &str,
) -> AppResult<Vec<(AssignmentRow, String)>> {
    Ok(review_assignments::table
        .inner_join(users::table.on(users::id.eq(review_assignments::reviewer_id)))
        .filter(review_assignments::application_id.eq(application_id))
        .filter(review_assignments::submitted_at.is_not_null())
        .order(review_assignments::submitted_at.asc())
        .select((AssignmentRow::as_select(), users::display_name))
        .load(conn)?)
}

pub fn display_name(conn: &mut DbConn, user_id: &str) -> AppResult<String> {
    Ok(users::table
        .find(user_id)
        .select(users::display_name)
        .get_result(conn)?)
}

/// One application of a ranking: only the columns the ranking needs.
#[derive(Debug, Clone, Queryable)]
pub struct RankedApplication {
    pub id: String,
    pub reference: Option<String>,
    pub title: String,
    pub status: ApplicationStatus,
    pub requested_amount: Option<i64>,
    pub currency: String,
}

/// The screened-in applications of a call (one query).
pub fn ranked_applications(
    conn: &mut DbConn,
    call_id: &str,
    statuses: &[ApplicationStatus],
) -> AppResult<Vec<RankedApplication>> {
    Ok(applications::table
        .filter(applications::call_id.eq(call_id))
        .filter(applications::status.eq_any(statuses))
        .select((
            applications::id,
            applications::reference,
            applications::title,
            applications::status,
            applications::requested_amount,
            applications::currency,
        ))
        .load(conn)?)
}

/// An application's countries and themes.
pub type Places = (Vec<String>, Vec<String>);

/// The countries and themes of a call's applications, by application (two queries): what
/// the funding line needs to know which earmarked money may pay for each.
pub fn line_scopes(conn: &mut DbConn, call_id: &str) -> AppResult<HashMap<String, Places>> {
    use crate::db::schema::{application_countries, application_themes};
    let mut scopes: HashMap<String, Places> = HashMap::new();
    let countries = application_countries::table
        .inner_join(applications::table)
        .filter(applications::call_id.eq(call_id))
        .select((
            application_countries::application_id,
            application_countries::country,
        ))
        .load::<(String, String)>(conn)?;
    for (id, country) in countries {
        scopes.entry(id).or_default().0.push(country);
    }
    let themes = application_themes::table
        .inner_join(applications::table)
        .filter(applications::call_id.eq(call_id))
        .select((
            application_themes::application_id,
            application_themes::theme,
        ))
        .load::<(String, String)>(conn)?;
    for (id, theme) in themes {
        scopes.entry(id).or_default().1.push(theme);
    }
    Ok(scopes)
}

/// A submitted review, or the caller's own recusal, as the ranking reads it.
#[derive(Debug, Clone, Queryable)]
pub struct RankingReview {
    pub application_id: String,
    pub reviewer_id: String,
    pub status: AssignmentStatus,
    pub scores: String,
    pub recommendation: Option<Recommendation>,
    pub submitted: Option<NaiveDateTime>,
}

/// Every submitted review of a call, and the assignments on which `caller` is recused
/// (one query).
pub fn ranking_reviews(
    conn: &mut DbConn,
    call_id: &str,
    caller: &str,
) -> AppResult<Vec<RankingReview>> {
    Ok(review_assignments::table
        .filter(review_assignments::call_id.eq(call_id))
        .filter(
            review_assignments::submitted_at
                .is_not_null()
                .or(review_assignments::reviewer_id
                    .eq(caller)
                    .and(review_assignments::status.eq(AssignmentStatus::Recused))),
        )
        .select((
            review_assignments::application_id,
            review_assignments::reviewer_id,
            review_assignments::status,
            review_assignments::scores,
            review_assignments::recommendation,
            review_assignments::submitted_at,
        ))
        .load(conn)?)
}

/// An overdue review as the secretariat's queue lists it.
#[derive(Debug, Clone, Queryable)]
pub struct OverdueReview {
    pub assignment_id: String,
    pub status: AssignmentStatus,
    pub submitted_at: Option<NaiveDateTime>,
    pub due_on: NaiveDate,
    pub assigned_at: NaiveDateTime,
    pub application_id: String,
    pub reference: Option<String>,
    pub title: String,
    pub reviewer_name: String,
    pub reviewer_email: String,
}

/// The reviews still awaited (`rules::AWAITED`, not submitted) whose due day is before
/// `today`, the longest overdue first, at most `limit` (one query, on the index of unsubmitted
/// reviews by due day). `rules::overdue` is the rule; this is its query.
pub fn overdue(conn: &mut DbConn, today: NaiveDate, limit: i64) -> AppResult<Vec<OverdueReview>> {
    Ok(review_assignments::table
        .inner_join(applications::table.on(applications::id.eq(review_assignments::application_id)))
        .inner_join(users::table.on(users::id.eq(review_assignments::reviewer_id)))
        .filter(review_assignments::submitted_at.is_null())
        .filter(review_assignments::status.eq_any(super::rules::AWAITED))
        .filter(review_assignments::due_on.lt(today))
        .order((
            review_assignments::due_on.asc(),
            review_assignments::created_at.asc(),
            review_assignments::id.asc(),
        ))
        .limit(limit)
        .select((
            review_assignments::id,
            review_assignments::status,
            review_assignments::submitted_at,
            review_assignments::due_on,
            review_assignments::created_at,
            applications::id,
            applications::reference,
            applications::title,
            users::display_name,
            users::email,
        ))
        .load(conn)?)
}
