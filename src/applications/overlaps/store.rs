//! Queries of an application's flagged overlaps (`application_overlaps`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::rules::OverlapStatus;
use crate::db::DbConn;
use crate::db::schema::{application_overlaps, grants, registry_projects};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = application_overlaps)]
pub struct OverlapRow {
    pub application_id: String,
    pub project_id: String,
    pub revision: i32,
    pub score: f64,
    /// JSON list of `registry::model::OverlapReason`.
    pub reasons: String,
    pub status: OverlapStatus,
    pub weighed_by_decision: Option<String>,
    pub found_at: NaiveDateTime,
}

/// Replaces an application's flagged overlaps with those of its latest submission.
pub fn replace(conn: &mut DbConn, application_id: &str, rows: &[OverlapRow]) -> QueryResult<()> {
    diesel::delete(
        application_overlaps::table.filter(application_overlaps::application_id.eq(application_id)),
    )
    .execute(conn)?;
    crate::db::insert_rows!(conn, application_overlaps::table, rows)?;
    Ok(())
}

/// An application's flagged overlaps, best first.
pub fn of_application(conn: &mut DbConn, application_id: &str) -> QueryResult<Vec<OverlapRow>> {
    application_overlaps::table
        .filter(application_overlaps::application_id.eq(application_id))
        .order((
            application_overlaps::score.desc(),
            application_overlaps::project_id.asc(),
        ))
        .select(OverlapRow::as_select())
        .load(conn)
}

/// How many of an application's flagged overlaps are still open.
pub fn open_count(conn: &mut DbConn, application_id: &str) -> QueryResult<i64> {
    application_overlaps::table
        .filter(application_overlaps::application_id.eq(application_id))
        .filter(application_overlaps::status.eq(OverlapStatus::Open))
        .count()
        .get_result(conn)
}

/// Marks an application's open overlaps weighed by the decision `decision_id`.
pub fn mark_weighed(
    conn: &mut DbConn,
    application_id: &str,
    decision_id: &str,
) -> QueryResult<usize> {
    diesel::update(
        application_overlaps::table
            .filter(application_overlaps::application_id.eq(application_id))
            .filter(application_overlaps::status.eq(OverlapStatus::Open)),
    )
    .set((
        application_overlaps::status.eq(OverlapStatus::Weighed),
        application_overlaps::weighed_by_decision.eq(decision_id),
    ))
    .execute(conn)
}

/// The registry projects of the application's own grants.
pub fn grant_projects(conn: &mut DbConn, application_id: &str) -> QueryResult<Vec<String>> {
    grants::table
        .filter(grants::application_id.eq(application_id))
        .filter(grants::registry_project_id.is_not_null())
        .select(grants::registry_project_id.assume_not_null())
        .load(conn)
}

/// One flag of a list of applications, with what decides who sees its project.
#[derive(Debug, Clone, Queryable)]
pub struct Flag {
    pub application_id: String,
    pub status: OverlapStatus,
    pub published: bool,
    pub reporting_org_id: String,
}

/// The flagged overlaps of `application_ids` (a call's ranking), with their projects'
/// publication and organisation, in one statement per chunk.
pub fn flags_of(conn: &mut DbConn, application_ids: &[String]) -> QueryResult<Vec<Flag>> {
    let mut out = Vec::new();
    for chunk in application_ids.chunks(500) {
        out.extend(
            application_overlaps::table
                .inner_join(
                    registry_projects::table
                        .on(registry_projects::id.eq(application_overlaps::project_id)),
                )
                .filter(application_overlaps::application_id.eq_any(chunk))
                .select((
                    application_overlaps::application_id,
                    application_overlaps::status,
                    registry_projects::published,
                    registry_projects::reporting_org_id,
                ))
                .load::<Flag>(conn)?,
        );
    }
    Ok(out)
}
