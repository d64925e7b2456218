//! The second factor of the secretariat and finance: a TOTP (RFC 6238: HMAC-SHA1, six
//! digits, 30-second steps, what every authenticator app reads from an `otpauth://` URI).
//! `policy::needs_second_factor` says who must have one. A secret is made at enrolment and
//! kept unconfirmed until a code from the user's app proves it was copied; each accepted
//! code's step is stored, and a code is accepted only for a later step than the last, so a
//! code seen over a shoulder or replayed from a log opens nothing (the update is one
//! conditional statement, so two requests racing with the same code accept it once).

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::audit::{self, Action};
use crate::auth::Actor;
use crate::auth::store::UserRow;
use crate::auth::{policy, throttle};
use crate::db::schema::second_factors;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::state::AppState;

/// Seconds per code.
const STEP: u64 = 30;
/// Codes of the step before and after the current one are accepted too: a phone's clock a
/// little off, or a code typed as it changed.
const SKEW: i64 = 1;
/// What authenticator apps show above the code.
const ISSUER: &str = "Trust fund";

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = second_factors)]
pub struct SecondFactorRow {
    pub user_id: String,
    pub secret: String,
    pub confirmed_at: Option<NaiveDateTime>,
    pub last_step: Option<i64>,
    pub created_at: NaiveDateTime,
}

impl SecondFactorRow {
    pub fn confirmed(&self) -> bool {
        self.confirmed_at.is_some()
    }
}

pub fn find(conn: &mut DbConn, user_id: &str) -> AppResult<Option<SecondFactorRow>> {
    Ok(second_factors::table
        .find(user_id)
        .select(SecondFactorRow::as_select())
        .first(conn)
        .optional()?)
}

/// Whether the user has a confirmed second factor.
pub fn enrolled(conn: &mut DbConn, user_id: &str) -> AppResult<bool> {
    Ok(find(conn, user_id)?.is_some_and(|f| f.confirmed()))
}

/// The unconfirmed secret of an enrolment under way, made now if there is none (so that
/// reloading the page shows the same code to scan). `None` once enrolled: a confirmed
/// factor is never replaced here. Run it outside a transaction.
pub fn begin_enrolment(conn: &mut DbConn, user_id: &str) -> AppResult<Option<String>> {
    if let Some(existing) = find(conn, user_id)? {
        return Ok((!existing.confirmed()).then_some(existing.secret));
    }
    let bytes: [u8; 20] = rand::random();
    let Secret::Encoded(secret) = Secret::Raw(bytes.to_vec()).to_encoded() else {
        return Err(AppError::internal("a TOTP secret did not encode"));
    };
    let inserted = diesel::insert_into(second_factors::table)
        .values(&SecondFactorRow {
            user_id: user_id.to_string(),
            secret: secret.clone(),
            confirmed_at: None,
            last_step: None,
            created_at: Utc::now().naive_utc(),
        })
        .execute(conn);
    match inserted {
        Ok(_) => {}
        // a concurrent first visit inserted its own (a statement of its own, outside any
        // transaction, so PostgreSQL's failed statement aborts nothing else)
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => {}
        Err(e) => return Err(e.into()),
    }
    // show the one stored
    Ok(find(conn, user_id)?
        .filter(|f| !f.confirmed())
        .map(|f| f.secret))
}

fn totp(secret: &str, account: &str) -> AppResult<TOTP> {
    let bytes = Secret::Encoded(secret.to_string())
        .to_bytes()
        .map_err(|e| AppError::internal(format!("a stored TOTP secret is not base32: {e:?}")))?;
    Ok(TOTP::new_unchecked(
        Algorithm::SHA1,
        6,
        0,
        STEP,
        bytes,
        Some(ISSUER.to_string()),
        account.to_string(),
    ))
}

/// The `otpauth://` URI of a secret, for the enrolment QR code.
pub fn uri(secret: &str, account: &str) -> AppResult<String> {
    Ok(totp(secret, account)?.get_url())
}

/// The code of `secret` at `unix_seconds` (what the user's app shows then).
pub fn code_at(secret: &str, unix_seconds: u64) -> AppResult<String> {
    Ok(totp(secret, "")?.generate(unix_seconds))
}

/// The step of a code among the accepted ones around `unix_seconds`, if it is one.
fn matching_step(secret: &str, code: &str, unix_seconds: u64) -> AppResult<Option<i64>> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let totp = totp(secret, "")?;
    let now = (unix_seconds / STEP) as i64;
    for step in (now - SKEW)..=(now + SKEW) {
        // `check` compares in constant time
        if step >= 0 && totp.check(&code, step as u64 * STEP) {
            return Ok(Some(step));
        }
    }
    Ok(None)
}

fn now_seconds() -> u64 {
    Utc::now().timestamp().max(0) as u64
}

/// Accepts `code` for the user's confirmed factor, once: true when it is right and of a
/// later step than any accepted before.
pub fn verify(conn: &mut DbConn, user_id: &str, code: &str) -> AppResult<bool> {
    let Some(factor) = find(conn, user_id)?.filter(|f| f.confirmed()) else {
        return Ok(false);
    };
    let Some(step) = matching_step(&factor.secret, code, now_seconds())? else {
        return Ok(false);
    };
    take_step(conn, user_id, step, false)
}

/// Confirms an enrolment with a code from the user's app: true when right (the factor is
/// then confirmed and the code used).
pub fn confirm(conn: &mut DbConn, user_id: &str, code: &str) -> AppResult<bool> {
    let Some(factor) = find(conn, user_id)?.filter(|f| !f.confirmed()) else {
        return Ok(false);
    };
    let Some(step) = matching_step(&factor.secret, code, now_seconds())? else {
        return Ok(false);
    };
    db::write_transaction(conn, |conn| {
        if !take_step(conn, user_id, step, true)? {
            return Ok(false);
        }
        let actor = Actor {
            user_id: Some(user_id.to_string()),
            request_id: None,
        };
        audit_factor(conn, &actor, user_id, Action::EnrolSecondFactor)?;
        Ok(true)
    })
}

/// The audit event of a second factor set up or removed: who, and for whom (never the
/// secret).
fn audit_factor(conn: &mut DbConn, actor: &Actor, user_id: &str, action: Action) -> AppResult<()> {
    audit::record(
        conn,
        actor,
        audit::Change::<(), _> {
            entity: audit::Entity::User,
            entity_id: user_id,
            action,
            before: None,
            after: Some(&serde_json::json!({"second_factor": action == Action::EnrolSecondFactor})),
        },
    )
}

/// Records `step` as used when it is later than the last one: one conditional update.
fn take_step(conn: &mut DbConn, user_id: &str, step: i64, confirming: bool) -> AppResult<bool> {
    let later = second_factors::last_step
        .is_null()
        .or(second_factors::last_step.lt(step));
    let target = second_factors::table
        .filter(second_factors::user_id.eq(user_id))
        .filter(later);
    let updated = if confirming {
        diesel::update(target.filter(second_factors::confirmed_at.is_null()))
            .set((
                second_factors::last_step.eq(step),
                second_factors::confirmed_at.eq(Utc::now().naive_utc()),
            ))
            .execute(conn)?
    } else {
        diesel::update(target.filter(second_factors::confirmed_at.is_not_null()))
            .set(second_factors::last_step.eq(step))
            .execute(conn)?
    };
    Ok(updated == 1)
}

/// The throttle's kind for wrong codes (the limits of wrong passwords).
const ATTEMPT: &str = "second_factor";

/// One code attempt under the login throttle (429 with `Retry-After` after too many wrong
/// ones): `check` says whether the code is right.
pub async fn attempt(
    state: &AppState,
    req: &actix_web::HttpRequest,
    user: &UserRow,
    check: impl FnOnce(&mut DbConn, &str) -> AppResult<bool> + Send + 'static,
) -> AppResult<bool> {
    let address = throttle::client_address(req, &state.settings.server);
    let attempt = throttle::begin(
        &state.pool,
        &state.settings.auth,
        ATTEMPT,
        &user.email,
        &address,
    )
    .await?;
    let user_id = user.id.clone();
    let right = db::run(&state.pool, move |conn| check(conn, &user_id)).await?;
    if right {
        attempt.succeeded(&state.pool).await?;
    }
    Ok(right)
}

/// The API's sign-in for a role that needs a second factor and has one: the code is
/// required and must be right (401 naming `totp_code`). One without a factor yet signs in
/// with the password: it sets the factor up at its first sign-in on the pages.
pub async fn check_for_api(
    state: &AppState,
    req: &actix_web::HttpRequest,
    user: &UserRow,
    code: Option<String>,
) -> AppResult<()> {
    if !policy::needs_second_factor(user.role) {
        return Ok(());
    }
    let user_id = user.id.clone();
    if !db::run(&state.pool, move |conn| enrolled(conn, &user_id)).await? {
        return Ok(());
    }
    let refused = |message: &str| {
        AppError::unauthorized("a code from the authenticator app is required")
            .with_errors(vec![FieldError::new("totp_code", message)])
    };
    let Some(code) = code.filter(|c| !c.trim().is_empty()) else {
        return Err(refused("is required for this account"));
    };
    if attempt(state, req, user, move |conn, id| verify(conn, id, &code)).await? {
        Ok(())
    } else {
        Err(refused("is not right, or was used already"))
    }
}

/// Removes a user's second factor (a lost phone): they enrol again at their next sign-in.
/// The removal is audited with `actor` (the command line: the service itself).
pub fn reset(conn: &mut DbConn, actor: &Actor, user_id: &str) -> AppResult<bool> {
    db::write_transaction(conn, |conn| {
        let removed =
            diesel::delete(second_factors::table.filter(second_factors::user_id.eq(user_id)))
                .execute(conn)?
                == 1;
        if removed {
            audit_factor(conn, actor, user_id, Action::ResetSecondFactor)?;
        }
        Ok(removed)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test key, base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_are_those_of_rfc_6238() {
        // RFC 6238, appendix B, SHA-1, the last six digits
        assert_eq!(code_at(RFC_SECRET, 59).expect("code"), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109).expect("code"), "081804");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000).expect("code"), "279037");
    }

    #[test]
    fn a_code_matches_its_step_and_its_neighbours_only() {
        let at = 1_111_111_109;
        let code = code_at(RFC_SECRET, at).expect("code");
        let step = (at / STEP) as i64;
        assert_eq!(
            matching_step(RFC_SECRET, &code, at).expect("ok"),
            Some(step)
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code, at + STEP).expect("ok"),
            Some(step),
            "a step late"
        );
        assert_eq!(
            matching_step(RFC_SECRET, &code, at + 3 * STEP).expect("ok"),
            None
        );
        assert_eq!(
            matching_step(RFC_SECRET, &format!("{} {}", &code[..3], &code[3..]), at).expect("ok"),
            Some(step),
            "spaces as apps show them"
        );
        for wrong in ["", "12345", "1234567", "abcdef", "000000"] {
            assert_eq!(
                matching_step(RFC_SECRET, wrong, at).expect("ok"),
                None,
                "{wrong}"
            );
        }
    }

    #[test]
    fn the_uri_is_what_authenticator_apps_read() {
        let uri = uri(RFC_SECRET, "finance@fund.example").expect("uri");
        assert!(
            uri.starts_with("otpauth://totp/Trust%20fund:finance%40fund.example?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={RFC_SECRET}")), "{uri}");
        assert!(uri.contains("issuer=Trust%20fund"), "{uri}");
    }
}
