//! Queries of the audit trail: insert and list, nothing else on purpose.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::{Action, AuditEventView, Entity};
use crate::db::DbConn;
use crate::db::schema::audit_events;
use crate::http::Page;

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
#[diesel(treat_none_as_default_value = false)]
struct AuditEventInsert {
    id: String,
    occurred_at: NaiveDateTime,
    actor_id: Option<String>,
    entity: Entity,
    entity_id: String,
    action: Action,
    before_state: Option<String>,
    after_state: Option<String>,
    request_id: Option<String>,
}

pub struct NewAuditEvent {
    pub actor_id: Option<String>,
    pub request_id: Option<String>,
    pub entity: Entity,
    pub entity_id: String,
    pub action: Action,
    pub before_state: Option<String>,
    pub after_state: Option<String>,
}

pub fn insert(conn: &mut DbConn, e: NewAuditEvent) -> QueryResult<()> {
    diesel::insert_into(audit_events::table)
        .values(AuditEventInsert {
            id: uuid::Uuid::now_v7().to_string(),
            occurred_at: Utc::now().naive_utc(),
            actor_id: e.actor_id,
            entity: e.entity,
            entity_id: e.entity_id,
            action: e.action,
            before_state: e.before_state,
            after_state: e.after_state,
            request_id: e.request_id,
        })
        .execute(conn)
        .map(|_| ())
}

/// Inserts events in multi-row statements (`db::insert_rows`). Ids stay in order, so the
/// trail keeps its order.
pub fn insert_all(conn: &mut DbConn, events: Vec<NewAuditEvent>) -> QueryResult<()> {
    let at = Utc::now().naive_utc();
    let rows: Vec<AuditEventInsert> = events
        .into_iter()
        .map(|e| AuditEventInsert {
            id: uuid::Uuid::now_v7().to_string(),
            occurred_at: at,
            actor_id: e.actor_id,
            entity: e.entity,
            entity_id: e.entity_id,
            action: e.action,
            before_state: e.before_state,
            after_state: e.after_state,
            request_id: e.request_id,
        })
        .collect();
    crate::db::insert_rows!(conn, audit_events::table, rows)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    id: String,
    occurred_at: NaiveDateTime,
    actor_id: Option<String>,
    entity: Entity,
    entity_id: String,
    action: Action,
    before_state: Option<String>,
    after_state: Option<String>,
    request_id: Option<String>,
}

impl AuditEventRow {
    pub fn into_view(self) -> AuditEventView {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditEventView {
            id: self.id,
            occurred_at: self.occurred_at.and_utc(),
            actor_id: self.actor_id,
            request_id: self.request_id,
            entity: self.entity,
            entity_id: self.entity_id,
            action: self.action,
            before: parse(self.before_state),
            after: parse(self.after_state),
        }
    }
}

/// One page of events in insertion order (ids are UUIDv7), `limit + 1` rows.
pub fn list(
    conn: &mut DbConn,
    entity: Option<&str>,
    entity_id: Option<&str>,
    page: &Page,
) -> QueryResult<Vec<AuditEventRow>> {
    let mut query = audit_events::table
        .select(AuditEventRow::as_select())
        .into_boxed();
    if let Some(entity) = entity {
        query = query.filter(audit_events::entity.eq(entity.to_string()));
    }
    if let Some(entity_id) = entity_id {
        query = query.filter(audit_events::entity_id.eq(entity_id.to_string()));
    }
    if let Some(after) = &page.after {
        query = query.filter(audit_events::id.gt(after.clone()));
    }
    query
        .order(audit_events::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}
