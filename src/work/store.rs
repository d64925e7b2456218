//! Queries of staff notices: who is told, what arrived for them, and the claim of a notice.

use chrono::NaiveDateTime;
use diesel::dsl::count_star;
use diesel::prelude::*;

use super::rules::{Arrived, Hears};
use crate::applications::model::ApplicationStatus;
use crate::auth::Role;
use crate::db::DbConn;
use crate::db::schema::{applications, disbursements, grant_reports, users, work_notices};
use crate::disbursements::model::DisbursementStatus;
use crate::reports::model::ReportStatus;

/// A member of staff who may be told of work.
pub struct Staff {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub language: Option<String>,
}

/// Active, verified users of the secretariat and finance.
pub fn staff(conn: &mut DbConn) -> QueryResult<Vec<Staff>> {
    let rows: Vec<(String, String, String, Role, Option<String>)> = users::table
        .filter(users::role.eq_any([Role::Admin, Role::Finance]))
        .filter(users::active.eq(true))
        .filter(users::email_verified.eq(true))
        .order(users::id.asc())
        .select((
            users::id,
            users::email,
            users::display_name,
            users::role,
            users::language,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, email, name, role, language)| Staff {
            id,
            email,
            name,
            role,
            language,
        })
        .collect())
}

/// The end of the last notice sent to `user_id`, if any.
pub fn last_notice(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<NaiveDateTime>> {
    work_notices::table
        .filter(work_notices::user_id.eq(user_id))
        .select(diesel::dsl::max(work_notices::covers_to))
        .first(conn)
}

/// What arrived for `user` after `since` and up to `now`, of the kinds its role hears of.
pub fn arrived(
    conn: &mut DbConn,
    user_id: &str,
    hears: Hears,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<Arrived> {
    let mut arrived = Arrived::default();
    if hears.payments {
        arrived.payments_to_approve = disbursements::table
            .filter(disbursements::status.eq(DisbursementStatus::Requested))
            .filter(disbursements::requested_at.gt(since))
            .filter(disbursements::requested_at.le(now))
            .filter(
                disbursements::requested_by
                    .ne(user_id)
                    .or(disbursements::requested_by.is_null()),
            )
            .select(count_star())
            .first(conn)?;
        arrived.payments_to_pay = disbursements::table
            .filter(disbursements::status.eq(DisbursementStatus::Approved))
            .filter(disbursements::approved_at.gt(since))
            .filter(disbursements::approved_at.le(now))
            .select(count_star())
            .first(conn)?;
    }
    if hears.reports_and_applications {
        arrived.reports_to_review = grant_reports::table
            .filter(grant_reports::status.eq(ReportStatus::Submitted))
            .filter(grant_reports::submitted_at.gt(since))
            .filter(grant_reports::submitted_at.le(now))
            .select(count_star())
            .first(conn)?;
        arrived.applications_to_screen = applications::table
            .filter(applications::status.eq(ApplicationStatus::Submitted))
            .filter(applications::submitted_at.gt(since))
            .filter(applications::submitted_at.le(now))
            .select(count_star())
            .first(conn)?;
    }
    Ok(arrived)
}

/// Claims the notice of `user_id` keyed by `key` (the previous notice's end): true for the
/// one insert that counts, false when another instance sent it already.
pub fn claim(
    conn: &mut DbConn,
    user_id: &str,
    key: NaiveDateTime,
    now: NaiveDateTime,
    items: i64,
) -> QueryResult<bool> {
    let row = (
        work_notices::user_id.eq(user_id),
        work_notices::covers_from.eq(key),
        work_notices::covers_to.eq(now),
        work_notices::items.eq(i32::try_from(items).unwrap_or(i32::MAX)),
        work_notices::sent_at.eq(now),
    );
    let inserted = crate::db::with_backend!(conn, |c| diesel::insert_into(work_notices::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(inserted == 1)
}
