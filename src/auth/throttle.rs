//! Login throttling over the `login_attempts` table, so it holds across instances. Every
//! attempt is written as a failure *before* the password is checked (and turned into a
//! success after), so parallel guesses count too; the check and the write are serialised.

use actix_web::HttpRequest;
use chrono::{Duration, NaiveDateTime, Utc};

use super::rules::{self, ThrottleFacts, ThrottleLimits, Verdict};
use super::store;
use crate::config::{AuthSettings, ServerSettings};
use crate::db::{self, DbConn, DbPool, write_transaction};
use crate::error::{AppError, AppResult, ErrorCode};

/// The client's address: the TCP peer, or — only when `server.trust_forwarded_for` says a
/// proxy in front appends it — the last entry of `X-Forwarded-For`.
pub fn client_address(req: &HttpRequest, server: &ServerSettings) -> String {
    if server.trust_forwarded_for
        && let Some(forwarded) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(last) = forwarded
            .rsplit(',')
            .map(str::trim)
            .find(|entry| !entry.is_empty())
        && let Ok(ip) = last.parse::<std::net::IpAddr>()
    {
        return ip.to_string();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

pub fn limits(settings: &AuthSettings) -> ThrottleLimits {
    ThrottleLimits {
        max_failures: settings.login_max_failures as usize,
        max_failures_per_address: settings.login_max_failures_per_address as usize,
        window: Duration::seconds(settings.login_window_secs),
        slowdown: Duration::seconds(settings.login_slowdown_secs),
    }
}

/// An attempt that was let through; finish it with `succeeded` when the password was right.
pub struct Attempt {
    id: String,
}

fn facts(
    conn: &mut DbConn,
    settings: &AuthSettings,
    kind: &str,
    email: &str,
    address: &str,
    now: NaiveDateTime,
) -> AppResult<ThrottleFacts> {
    let since = now - Duration::seconds(settings.login_window_secs);
    // Enough rows to decide: the limits, and on the account the rows back to a success.
    let enough = (settings
        .login_max_failures
        .max(settings.login_max_failures_per_address) as i64)
        * 4
        + 16;
    Ok(ThrottleFacts {
        pair: store::recent_attempts(conn, kind, Some(email), Some(address), since, enough)?,
        address: store::recent_attempts(conn, kind, None, Some(address), since, enough)?,
        account: store::recent_attempts(conn, kind, Some(email), None, since, enough)?,
        known_address: store::succeeded_from(
            conn,
            email,
            address,
            now - Duration::days(settings.known_address_days),
        )?,
    })
}

/// Checks the throttle for `email` from `address` and, when allowed, records the attempt as
/// a failure until `succeeded` says otherwise. Refused → 429 with `Retry-After`.
pub async fn begin(
    pool: &DbPool,
    settings: &AuthSettings,
    kind: &'static str,
    email: &str,
    address: &str,
) -> AppResult<Attempt> {
    let settings = settings.clone();
    let (email, address) = (email.to_string(), address.to_string());
    db::run(pool, move |conn| {
        write_transaction(conn, |conn| {
            db::serialise(conn, db::lock_keys::LOGIN_ATTEMPTS)?;
            let now = Utc::now().naive_utc();
            let facts = facts(conn, &settings, kind, &email, &address, now)?;
            match rules::decide(&facts, &limits(&settings), now) {
                Verdict::Allow => Ok(Attempt {
                    id: store::record_attempt(conn, kind, &email, &address, false, now)?,
                }),
                Verdict::Refuse { retry_after_secs } => {
                    tracing::warn!(kind, %address, retry_after_secs, "attempt throttled");
                    let mut err = AppError::new(
                        ErrorCode::RateLimited,
                        format!(
                            "too many failed attempts; try again in {retry_after_secs} seconds"
                        ),
                    );
                    err.retry_after = Some(retry_after_secs);
                    Err(err)
                }
            }
        })
    })
    .await
}

impl Attempt {
    /// The password was right (or the registration went through): the attempt no longer
    /// counts as a failure, and a login success resets the pair's count.
    pub async fn succeeded(self, pool: &DbPool) -> AppResult<()> {
        db::run(pool, move |conn| {
            Ok(store::mark_attempt_succeeded(conn, &self.id)?)
        })
        .await
    }
}

/// Records a success for `email` from `address` outside a login (a completed password
/// reset): the user proved control of the account, so this pair starts afresh and the
/// address counts as known.
pub fn record_success(
    conn: &mut DbConn,
    email: &str,
    address: &str,
) -> Result<(), diesel::result::Error> {
    store::record_attempt(
        conn,
        store::ATTEMPT_LOGIN,
        email,
        address,
        true,
        Utc::now().naive_utc(),
    )
    .map(|_| ())
}
