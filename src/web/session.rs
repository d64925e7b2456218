//! Browser sessions. A session is a refresh-token family of `auth` (one sign-in), so
//! everything that ends sign-ins ends it too: logout here, "sign out everywhere", a password
//! change or reset. The `tf_session` cookie holds the opaque token (HttpOnly, SameSite=Lax,
//! Path=/, Secure in production, no Max-Age: it goes when the browser closes); the
//! database holds only its SHA-256, and a session lasts at most `auth.refresh_token_ttl_days`.
//! The token is never rotated by a page; `POST /api/v1/auth/refresh` with it would end the
//! browser session (it is then "used").

use actix_web::cookie::{Cookie, SameSite, time};
use chrono::Utc;

use crate::auth::{self, CurrentUser, store, tokens};
use crate::config::RunEnvironment;
use crate::db::{self, DbConn, write_transaction};
use crate::error::AppResult;
use crate::state::AppState;

pub const SESSION_COOKIE: &str = "tf_session";
/// The anonymous visitor's random value that its forms' CSRF tokens are bound to.
pub const NONCE_COOKIE: &str = "tf_csrf";
/// The chosen language (`en`, `fr`, `es`).
pub const LANG_COOKIE: &str = "lang";

/// A signed-in visitor.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: CurrentUser,
    /// How the user is greeted (`display_name`).
    pub name: String,
    /// The SHA-256 of the session token: what the CSRF token is bound to.
    pub token_hash: String,
    family_id: String,
}

/// The session of a cookie's token: usable (not revoked, not used, not expired) and of an
/// active user with a confirmed email; `None` otherwise.
pub fn find(conn: &mut DbConn, token: &str) -> AppResult<Option<SignedIn>> {
    let token_hash = tokens::hash_opaque(token.trim());
    let Some(row) = store::find_refresh(conn, &token_hash)? else {
        return Ok(None);
    };
    let now = Utc::now().naive_utc();
    if row.revoked_at.is_some() || row.used_at.is_some() || row.expires_at <= now {
        return Ok(None);
    }
    let Some(account) = store::find(conn, &row.user_id)?.filter(|u| u.active && u.email_verified)
    else {
        return Ok(None);
    };
    let user = auth::load_current_user(conn, &row.user_id)?;
    Ok(Some(SignedIn {
        user,
        name: account.display_name,
        token_hash,
        family_id: row.family_id,
    }))
}

/// Starts a session for `user_id` (after `auth::check_credentials`); returns its cookie.
pub async fn start(state: &AppState, user_id: String) -> AppResult<Cookie<'static>> {
    let settings = state.settings.auth.clone();
    let token = db::run(&state.pool, move |conn| {
        auth::new_refresh_token(conn, &settings, &user_id, None)
    })
    .await?;
    Ok(cookie(state, SESSION_COOKIE, token))
}

/// Ends the session: its family is revoked, so the cookie opens nothing any more.
pub async fn end(state: &AppState, session: &SignedIn) -> AppResult<()> {
    let family = session.family_id.clone();
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            store::revoke_family(conn, &family, Utc::now().naive_utc())?;
            Ok(())
        })
    })
    .await
}

/// A cookie of the pages: HttpOnly, SameSite=Lax, Path=/, Secure in production.
pub fn cookie(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    page_cookie(
        name,
        value,
        state.settings.environment == RunEnvironment::Production,
    )
}

fn page_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .finish()
}

/// The same cookie, expired: the browser forgets it.
pub fn removal(state: &AppState, name: &'static str) -> Cookie<'static> {
    let mut gone = cookie(state, name, String::new());
    gone.set_max_age(time::Duration::ZERO);
    gone
}

/// The language cookie: kept for a year (a preference, not a secret).
pub fn language_cookie(state: &AppState, code: &str) -> Cookie<'static> {
    let mut c = cookie(state, LANG_COOKIE, code.to_string());
    c.set_max_age(time::Duration::days(365));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_http_only_lax_site_wide_and_secure_in_production() {
        let production = page_cookie(SESSION_COOKIE, "t".into(), true).to_string();
        assert_eq!(
            production,
            "tf_session=t; HttpOnly; SameSite=Lax; Secure; Path=/"
        );
        let development = page_cookie(SESSION_COOKIE, "t".into(), false).to_string();
        assert_eq!(development, "tf_session=t; HttpOnly; SameSite=Lax; Path=/");
    }
}
