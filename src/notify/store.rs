//! Queries of the outbox. Several instances may run workers against one database: a message
//! is claimed with a compare-and-swap on its due time before it is sent, so only one worker
//! sends it; a worker that dies mid-send leaves it to be claimed again once the lease ends.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::outbox;
use crate::text_enum;

text_enum!(
    /// Where an outgoing message stands.
    OutboxStatus {
        Pending => "pending",
        Sent => "sent",
        Failed => "failed",
    }
);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub id: String,
    pub to_address: String,
    pub template: String,
    pub context: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
    pub locale: String,
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<OutboxRow>> {
    outbox::table
        .find(id)
        .select(OutboxRow::as_select())
        .get_result(conn)
        .optional()
}

/// Ids of pending messages due at `now`, oldest due first.
pub fn due_ids(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<String>> {
    outbox::table
        .filter(outbox::status.eq(OutboxStatus::Pending))
        .filter(outbox::next_attempt_at.le(now))
        .order((outbox::next_attempt_at.asc(), outbox::id.asc()))
        .select(outbox::id)
        .limit(limit)
        .load(conn)
}

/// Claims a due message for one attempt: moves its due time to `lease_until` and counts the
/// attempt, but only if it is still pending and due. Exactly one of several racing workers
/// gets `Some`.
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    now: NaiveDateTime,
    lease_until: NaiveDateTime,
) -> QueryResult<Option<OutboxRow>> {
    let claimed = diesel::update(
        outbox::table
            .filter(outbox::id.eq(id))
            .filter(outbox::status.eq(OutboxStatus::Pending))
            .filter(outbox::next_attempt_at.le(now)),
    )
    .set((
        outbox::next_attempt_at.eq(lease_until),
        outbox::attempts.eq(outbox::attempts + 1),
    ))
    .execute(conn)?;
    if claimed == 1 {
        find(conn, id)
    } else {
        Ok(None)
    }
}

/// What a context value is replaced with once the message is out.
pub const REDACTED: &str = "(removed once sent)";

/// The context with every one-time link removed: values under a key `link`, ending in
/// `_link` or containing `token`. Everything else is kept for the record.
pub fn redact_links(context: &str) -> String {
    fn walk(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    if key == "link" || key.ends_with("_link") || key.contains("token") {
                        *v = serde_json::Value::String(REDACTED.to_string());
                    } else {
                        walk(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(context) {
        Ok(mut value) => {
            walk(&mut value);
            value.to_string()
        }
        Err(_) => "{}".to_string(),
    }
}

/// Delivered. One-time links leave the stored context (`redact_links`): the message is out,
/// and a leaked database must not hand over anyone's reset link.
pub fn mark_sent(
    conn: &mut DbConn,
    id: &str,
    context: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(OutboxStatus::Sent),
            outbox::sent_at.eq(Some(now)),
            outbox::last_error.eq(None::<String>),
            outbox::context.eq(redact_links(context)),
        ))
        .execute(conn)
        .map(|_| ())
}

pub fn mark_retry(
    conn: &mut DbConn,
    id: &str,
    next_attempt_at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::next_attempt_at.eq(next_attempt_at),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Given up: kept with its last error so it can be inspected and sent again by hand.
pub fn mark_failed(conn: &mut DbConn, id: &str, error: &str) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::status.eq(OutboxStatus::Failed),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)
        .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_tokens_are_removed_and_the_rest_is_kept() {
        let redacted: serde_json::Value = serde_json::from_str(&redact_links(
            r#"{"name":"A","link":"https://x/?token=abc","nested":{"reset_link":"l","refresh_token":"t","n":1},"list":[{"link":"l"}]}"#,
        ))
        .expect("json");
        assert_eq!(redacted["name"], "A");
        assert_eq!(redacted["link"], REDACTED);
        assert_eq!(redacted["nested"]["reset_link"], REDACTED);
        assert_eq!(redacted["nested"]["refresh_token"], REDACTED);
        assert_eq!(redacted["nested"]["n"], 1);
        assert_eq!(redacted["list"][0]["link"], REDACTED);
        assert!(!redact_links("not json").contains("not"));
    }
}
