//! Email through a transactional outbox: `enqueue` writes the message in the same
//! transaction as the change that causes it, so an email is sent if and only if the change
//! committed. A background worker (`worker`) delivers pending messages with retries; the
//! emails themselves are templates built into the binary (`templates`).

pub mod rules;
pub mod store;
pub mod templates;
pub mod worker;

use chrono::Utc;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::DbConn;
use crate::db::schema::{outbox, users};

/// An email to send: the recipient, a template name and the values the template shows.
pub struct Email<C: Serialize> {
    pub to: String,
    pub template: &'static str,
    pub context: C,
}

/// Writes `email` to the outbox inside the caller's transaction, in the recipient's language
/// (`recipient_locale`), else English.
pub fn enqueue<C: Serialize>(conn: &mut DbConn, email: Email<C>) -> QueryResult<String> {
    let locale = recipient_locale(conn, &email.to)?.unwrap_or(templates::DEFAULT_LOCALE);
    enqueue_in(conn, email, locale)
}

/// The language the recipient chose: the `language` of the active user whose (normalised)
/// email is `to`, when it is one of `templates::LOCALES`. `None` when no such user exists or
/// they never chose one; the caller then picks (the page's language, or English).
pub fn recipient_locale(conn: &mut DbConn, to: &str) -> QueryResult<Option<&'static str>> {
    let language: Option<Option<String>> = users::table
        .filter(users::email.eq(crate::auth::store::normalise_email(to)))
        .filter(users::active.eq(true))
        .select(users::language)
        .first(conn)
        .optional()?;
    Ok(language
        .flatten()
        .and_then(|code| templates::LOCALES.iter().find(|l| **l == code).copied()))
}

/// Writes `email` to the outbox in `locale` (one of `templates::LOCALES`; a locale without
/// this template is sent in English).
pub fn enqueue_in<C: Serialize>(
    conn: &mut DbConn,
    email: Email<C>,
    locale: &str,
) -> QueryResult<String> {
    if !templates::exists(email.template) {
        // A programming error: the message would never render. It is still written (and
        // will be marked failed by the worker) so the change it belongs to is not lost.
        tracing::error!(
            template = email.template,
            "enqueued an email without a template"
        );
    }
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
            outbox::status.eq(store::OutboxStatus::Pending),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now),
            outbox::created_at.eq(now),
            outbox::locale.eq(locale),
        ))
        .execute(conn)?;
    Ok(id)
}

/// A link in an email to a page of the service: `<email.link_base_url>/<page>`.
pub fn page_link(settings: &crate::config::EmailSettings, page: &str) -> String {
    format!(
        "{}/{}",
        settings.link_base_url.trim_end_matches('/'),
        page.trim_start_matches('/')
    )
}

/// A link in an email: `<email.link_base_url>/<page>?token=<token>`.
pub fn token_link(settings: &crate::config::EmailSettings, page: &str, token: &str) -> String {
    format!(
        "{}/{}?token={}",
        settings.link_base_url.trim_end_matches('/'),
        page.trim_start_matches('/'),
        token
    )
}

/// A job that writes emails from what it finds (report reminders, donors' digests, staff
/// notices): `pass` every `period` on the blocking pool, each pass logged with how many it
/// enqueued (`what`), until the task is aborted with the server.
pub async fn every<F>(
    pool: crate::db::DbPool,
    period: std::time::Duration,
    what: &'static str,
    pass: F,
) where
    F: Fn(&mut DbConn) -> crate::error::AppResult<usize> + Clone + Send + 'static,
{
    loop {
        let (pool, pass) = (pool.clone(), pass.clone());
        let outcome = tokio::task::spawn_blocking(move || {
            let mut conn = pool.get().map_err(crate::error::AppError::from)?;
            pass(&mut conn)
        })
        .await;
        match outcome {
            Ok(Ok(sent)) if sent > 0 => tracing::info!(sent, what, "emails enqueued"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, what, "email job failed"),
            Err(e) => tracing::warn!(error = %e, what, "email job task failed"),
        }
        tokio::time::sleep(period).await;
    }
}
