//! `Idempotency-Key` for writes that must apply once however often a client retries
//! (pledges, contributions; later disbursements and board decisions).
//!
//! The first answer to a key is kept for 24 hours per (key, user, route) together with a
//! SHA-256 of the request body. The same key with the same body gets that first answer
//! again (with `Idempotent-Replayed: true`); the same key with another body is refused with
//! 409 `duplicate`. Identical requests arriving at the same moment apply once: the key row
//! is written first, inside the transaction of the write itself, so the primary key
//! serialises them. On SQLite `BEGIN IMMEDIATE` already makes the others wait; on
//! PostgreSQL the others block on the key's unique index until the first commits, fail,
//! and retry, finding the stored answer. Only successful answers are kept: a failed write
//! rolls back its key with everything else, so a retry runs again.
//!
//! Use: extract the body with `IdempotentJson<T>`, build a `Claim` with `Claim::from_request`
//! and hand the write to `run`, which returns the answer to send.

pub mod store;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::db::{self, DbConn, DbPool, write_transaction};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{ValidJson, etag_value, parse_json};

pub const HEADER: &str = "Idempotency-Key";
pub const REPLAYED_HEADER: &str = "Idempotent-Replayed";
/// How long a key's first answer is kept.
pub const KEEP_HOURS: i64 = 24;
const MAX_KEY_LEN: usize = 255;

/// A strictly parsed JSON body (as `ValidJson`) together with a hash of its content. The
/// hash is taken over the JSON value with object keys sorted, so formatting and key order
/// do not make two bodies different.
pub struct IdempotentJson<T> {
    pub body: T,
    pub hash: String,
}

impl<T: DeserializeOwned + 'static> FromRequest for IdempotentJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let value = ValidJson::<Value>::from_request(req, payload);
        Box::pin(async move {
            let ValidJson(value) = value.await?;
            let canonical = canonical_json(&value);
            let body = parse_json::<T>(canonical.as_bytes())?;
            Ok(IdempotentJson {
                body,
                hash: sha256_hex(canonical.as_bytes()),
            })
        })
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// JSON text with object keys in sorted order at every level.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The request's `Idempotency-Key`, if it sent one: 1 to 255 visible ASCII characters.
pub fn key_of(req: &HttpRequest) -> AppResult<Option<String>> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim();
    let valid =
        !key.is_empty() && key.len() <= MAX_KEY_LEN && key.bytes().all(|b| b.is_ascii_graphic());
    if !valid {
        return Err(AppError::malformed(format!(
            "{HEADER} must be 1 to {MAX_KEY_LEN} visible ASCII characters, e.g. a UUID"
        ))
        .with_errors(vec![FieldError::new(HEADER, "is not a valid key")]));
    }
    Ok(Some(key.to_string()))
}

/// What a write claims: this key, for this user, on this route, with this body.
#[derive(Debug, Clone)]
pub struct Claim {
    pub user_id: String,
    pub route: String,
    pub key: String,
    pub request_hash: String,
}

impl Claim {
    /// `None` when the request carries no `Idempotency-Key`. The route is the method and
    /// the concrete path, so one key used on two funds names two writes.
    pub fn from_request(
        req: &HttpRequest,
        user_id: &str,
        request_hash: &str,
    ) -> AppResult<Option<Claim>> {
        Ok(key_of(req)?.map(|key| Claim {
            user_id: user_id.to_string(),
            route: format!("{} {}", req.method(), req.path()),
            key,
            request_hash: request_hash.to_string(),
        }))
    }
}

/// The answer of a write, as sent and as kept for replays.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub body: String,
    pub etag: Option<String>,
}

impl Answer {
    /// A JSON answer; `version` becomes its ETag.
    pub fn json<T: Serialize>(
        status: StatusCode,
        body: &T,
        version: Option<i64>,
    ) -> AppResult<Self> {
        Ok(Answer {
            status,
            body: serde_json::to_string(body)
                .map_err(|e| AppError::internal(format!("serialising the answer: {e}")))?,
            etag: version.map(etag_value),
        })
    }

    pub fn into_response(self, replayed: bool) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, "application/json"));
        if let Some(etag) = self.etag {
            response.insert_header((header::ETAG, etag));
        }
        if replayed {
            response.insert_header((REPLAYED_HEADER, "true"));
        }
        response.body(self.body)
    }
}

/// Why one attempt of an idempotent write ended without an answer.
enum Failure {
    App(AppError),
    /// Another request claimed the same key first (PostgreSQL): try again to read its answer.
    KeyRace,
}

impl From<diesel::result::Error> for Failure {
    fn from(e: diesel::result::Error) -> Self {
        Failure::App(e.into())
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::App(e)
    }
}

/// Runs `work` in one write transaction, at most once per claim; returns the answer to send.
/// Without a claim it simply runs `work`.
pub async fn run<F>(pool: &DbPool, claim: Option<Claim>, work: F) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut DbConn) -> AppResult<Answer> + Send + 'static,
{
    db::run(pool, move |conn| run_blocking(conn, claim.as_ref(), work))
        .await
        .map(|(answer, replayed)| answer.into_response(replayed))
}

/// The blocking core of `run`, for callers already on a connection. Returns the answer and
/// whether it is a replay.
pub fn run_blocking<F>(
    conn: &mut DbConn,
    claim: Option<&Claim>,
    work: F,
) -> AppResult<(Answer, bool)>
where
    F: FnOnce(&mut DbConn) -> AppResult<Answer>,
{
    let mut work = Some(work);
    // One race lost is enough to see the winner's answer; a few more cover a winner that
    // rolled back while another request took its place.
    for _ in 0..5 {
        let attempt = write_transaction(conn, |conn| -> Result<(Answer, bool), Failure> {
            if let Some(claim) = claim {
                match store::claim(conn, claim)? {
                    store::Claimed::Answered(answer) => return Ok((answer, true)),
                    store::Claimed::OtherBody => {
                        return Err(Failure::App(
                            AppError::duplicate(format!(
                                "this {HEADER} was already used with a different body in the last {KEEP_HOURS} hours; use a new key for a new request"
                            ))
                            .with_errors(vec![FieldError::new(HEADER, "was used with another body")]),
                        ));
                    }
                    store::Claimed::Race => return Err(Failure::KeyRace),
                    store::Claimed::Mine => {}
                }
            }
            let work = work
                .take()
                .ok_or_else(|| AppError::internal("idempotent work ran twice"))?;
            let answer = work(conn)?;
            if let Some(claim) = claim {
                store::complete(conn, claim, &answer)?;
            }
            Ok((answer, false))
        });
        match attempt {
            Ok(done) => return Ok(done),
            Err(Failure::App(e)) => return Err(e),
            Err(Failure::KeyRace) => continue,
        }
    }
    Err(AppError::internal(
        "an idempotency key stayed contended after several attempts",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_order_and_spacing_do_not_change_the_hash() {
        let a: Value =
            serde_json::from_str(r#"{"b": 1, "a": {"y": [1, 2], "x": "s"}}"#).expect("json");
        let b: Value = serde_json::from_str(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#).expect("json");
        let c: Value = serde_json::from_str(r#"{"a":{"x":"s","y":[2,1]},"b":1}"#).expect("json");
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(
            sha256_hex(canonical_json(&a).as_bytes()),
            sha256_hex(canonical_json(&b).as_bytes())
        );
        assert_ne!(canonical_json(&a), canonical_json(&c));
        assert_eq!(canonical_json(&b), r#"{"a":{"x":"s","y":[1,2]},"b":1}"#);
    }
}
