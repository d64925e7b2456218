//! Queries of idempotency keys.

use actix_web::http::StatusCode;
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use super::{Answer, Claim, KEEP_HOURS};
use crate::db::DbConn;
use crate::db::schema::idempotency_keys;
use crate::error::AppError;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
struct KeyRow {
    user_id: String,
    route: String,
    idem_key: String,
    request_hash: String,
    status_code: i32,
    response_body: String,
    response_etag: Option<String>,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
}

/// What claiming a key found.
pub enum Claimed {
    /// The key is ours: do the work, then `complete`.
    Mine,
    /// The key already answered this same body: send that answer again.
    Answered(Answer),
    /// The key was used with another body.
    OtherBody,
    /// Another transaction took the key at the same moment (PostgreSQL); retry.
    Race,
}

/// Claims the key inside the caller's transaction: reads a live row, or writes a new one
/// whose primary key keeps every concurrent claim of the same key waiting.
pub fn claim(conn: &mut DbConn, claim: &Claim) -> Result<Claimed, AppError> {
    let now = Utc::now().naive_utc();
    // an expired answer is forgotten; only this key's row, so that concurrent claims never
    // wait on each other's rows (`purge_expired` clears the rest)
    diesel::delete(
        idempotency_keys::table
            .find((&claim.user_id, &claim.route, &claim.key))
            .filter(idempotency_keys::expires_at.le(now)),
    )
    .execute(conn)?;
    let existing = idempotency_keys::table
        .find((&claim.user_id, &claim.route, &claim.key))
        .select(KeyRow::as_select())
        .get_result(conn)
        .optional()?;
    if let Some(row) = existing {
        if row.request_hash != claim.request_hash {
            return Ok(Claimed::OtherBody);
        }
        let status = u16::try_from(row.status_code)
            .ok()
            .and_then(|s| StatusCode::from_u16(s).ok())
            .ok_or_else(|| AppError::internal("stored idempotent answer has a bad status"))?;
        return Ok(Claimed::Answered(Answer {
            status,
            body: row.response_body,
            etag: row.response_etag,
        }));
    }
    let row = KeyRow {
        user_id: claim.user_id.clone(),
        route: claim.route.clone(),
        idem_key: claim.key.clone(),
        request_hash: claim.request_hash.clone(),
        status_code: 0,
        response_body: String::new(),
        response_etag: None,
        created_at: now,
        expires_at: now + Duration::hours(KEEP_HOURS),
    };
    match diesel::insert_into(idempotency_keys::table)
        .values(&row)
        .execute(conn)
    {
        Ok(_) => Ok(Claimed::Mine),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(Claimed::Race),
        Err(e) => Err(e.into()),
    }
}

/// Keeps the answer of a claimed key, in the same transaction as the write it answers.
pub fn complete(conn: &mut DbConn, claim: &Claim, answer: &Answer) -> Result<(), AppError> {
    diesel::update(idempotency_keys::table.find((&claim.user_id, &claim.route, &claim.key)))
        .set((
            idempotency_keys::status_code.eq(i32::from(answer.status.as_u16())),
            idempotency_keys::response_body.eq(&answer.body),
            idempotency_keys::response_etag.eq(&answer.etag),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets every expired answer; run at start.
pub fn purge_expired(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::expires_at.le(Utc::now().naive_utc())),
    )
    .execute(conn)
}
