//! Queries of report drafts: one row per grant (`report_drafts`), written with a
//! compare-and-swap on its version.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::report_drafts;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = report_drafts)]
pub struct DraftRow {
    pub grant_id: String,
    pub organisation_id: String,
    /// The form's fields as a JSON object of strings.
    pub form: String,
    pub version: i64,
    pub updated_at: NaiveDateTime,
    pub updated_by: String,
}

pub fn find(conn: &mut DbConn, grant_id: &str) -> QueryResult<Option<DraftRow>> {
    report_drafts::table
        .find(grant_id)
        .select(DraftRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn insert(conn: &mut DbConn, row: &DraftRow) -> QueryResult<()> {
    diesel::insert_into(report_drafts::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Writes `next` over the draft of version `from`; `false` when another save won.
pub fn update(conn: &mut DbConn, next: &DraftRow, from: i64) -> QueryResult<bool> {
    let target = report_drafts::table.filter(
        report_drafts::grant_id
            .eq(&next.grant_id)
            .and(report_drafts::version.eq(from)),
    );
    diesel::update(target)
        .set((
            report_drafts::form.eq(&next.form),
            report_drafts::version.eq(next.version),
            report_drafts::updated_at.eq(next.updated_at),
            report_drafts::updated_by.eq(&next.updated_by),
        ))
        .execute(conn)
        .map(|n| n == 1)
}

/// Removes the grant's draft, if any; how many rows went (0 or 1).
pub fn delete(conn: &mut DbConn, grant_id: &str) -> QueryResult<usize> {
    diesel::delete(report_drafts::table.filter(report_drafts::grant_id.eq(grant_id))).execute(conn)
}
