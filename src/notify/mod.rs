//! Email through a transactional outbox: `enqueue` writes the message in the same
//! transaction as the change that causes it, so an email is sent if and only if the change
//! committed. A background worker delivers pending messages.

use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::outbox;

/// An email to send: the recipient, a template name and the values the template shows.
pub struct Email<C: Serialize> {
    pub to: String,
    pub template: &'static str,
    pub context: C,
}

/// Writes `email` to the outbox inside the caller's transaction.
pub fn enqueue<C: Serialize>(conn: &mut DbConn, email: Email<C>) -> QueryResult<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now().naive_utc();
    let context = serde_json::to_string(&email.context)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::to_address.eq(&email.to),
            outbox::template.eq(email.template),
            outbox::context.eq(context),
            outbox::status.eq("pending"),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}
