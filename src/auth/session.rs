//! Sessions after sign-in: refresh-token rotation (a reused token revokes its whole family),
//! logout, and password change (which ends every session).

use actix_web::post;
use actix_web::{HttpRequest, HttpResponse};
use chrono::Utc;

use super::model::{ChangePasswordRequest, LogoutRequest, RefreshRequest};
use super::policy::{self, Operation};
use super::{
    CurrentUser, TokenPair, hash_password, issue_token_pair, store, throttle, token_response,
    tokens, verify_password,
};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::{self, write_transaction};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::ValidJson;
use crate::notify;
use crate::state::AppState;

enum Rotation {
    Issued(TokenPair),
    Refused,
}

fn refresh_refused() -> AppError {
    AppError::unauthorized("the refresh token is invalid, expired or revoked; sign in again")
}

/// Exchanges a refresh token for a new pair. The old refresh token stops working; presenting
/// it again (a sign it was stolen) revokes every token of its sign-in.
#[utoipa::path(tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::error::Problem)))]
#[post("/api/v1/auth/refresh")]
pub async fn refresh(
    state: AppState,
    req: HttpRequest,
    body: ValidJson<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let hash = tokens::hash_opaque(body.0.refresh_token.trim());
    let settings = state.settings.auth.clone();
    let actor = Actor::from_request(&req);
    let rotation = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let now = Utc::now().naive_utc();
            let Some(token) = store::find_refresh(conn, &hash)? else {
                return Ok(Rotation::Refused);
            };
            if token.revoked_at.is_some() || token.expires_at <= now {
                return Ok(Rotation::Refused);
            }
            // Already rotated (or losing a race to rotate it): someone holds a copy.
            if token.used_at.is_some() || !store::mark_refresh_used(conn, &token.id, now)? {
                let revoked = store::revoke_family(conn, &token.family_id, now)?;
                tracing::warn!(user_id = %token.user_id, family = %token.family_id, revoked, "refresh token reused; its sign-in is revoked");
                audit::record(
                    conn,
                    &Actor {
                        user_id: Some(token.user_id.clone()),
                        ..actor.clone()
                    },
                    Change::<(), _> {
                        entity: crate::audit::Entity::Session,
                        entity_id: &token.family_id,
                        action: crate::audit::Action::RevokeReusedRefreshToken,
                        before: None,
                        after: Some(&serde_json::json!({"revoked_tokens": revoked})),
                    },
                )?;
                return Ok(Rotation::Refused);
            }
            match store::find(conn, &token.user_id)? {
                Some(user) if user.active && user.email_verified => Ok(Rotation::Issued(
                    issue_token_pair(conn, &settings, &user.id, Some(&token.family_id))?,
                )),
                _ => Ok(Rotation::Refused),
            }
        })
    })
    .await?;
    match rotation {
        Rotation::Issued(pair) => Ok(token_response(pair)),
        Rotation::Refused => Err(refresh_refused()),
    }
}

/// Signs out: revokes the sign-in the refresh token belongs to (or, with
/// `everywhere: true`, every sign-in of the account). Unknown tokens change nothing.
#[utoipa::path(tag = "auth", request_body = LogoutRequest,
    responses((status = 204), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/api/v1/auth/logout")]
pub async fn logout(
    state: AppState,
    user: CurrentUser,
    body: ValidJson<LogoutRequest>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::Logout)?;
    let LogoutRequest {
        refresh_token,
        everywhere,
    } = body.0;
    let hash = tokens::hash_opaque(refresh_token.trim());
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let now = Utc::now().naive_utc();
            if everywhere {
                store::revoke_all_of_user(conn, &user.id, now)?;
            } else if let Some(token) = store::find_refresh(conn, &hash)?
                && token.user_id == user.id
            {
                store::revoke_family(conn, &token.family_id, now)?;
            }
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes the signed-in user's password. Every refresh token of the account is revoked and
/// a new pair is returned for this client; an email tells the owner.
#[utoipa::path(tag = "auth",
    request_body = ChangePasswordRequest,
    responses((status = 200, body = TokenPair), (status = 422, body = crate::error::Problem),
              (status = 429, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/api/v1/auth/password")]
pub async fn change_password(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<ChangePasswordRequest>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ChangePassword)?;
    let request = body.0;
    request.validate(&user.email)?;
    // Guessing the current password with a stolen access token is throttled like a login.
    let address = throttle::client_address(&req, &state.settings.server);
    let attempt = throttle::begin(
        &state.pool,
        &state.settings.auth,
        store::ATTEMPT_LOGIN,
        &user.email,
        &address,
    )
    .await?;
    let user_id = user.id.clone();
    let row = db::run(&state.pool, move |conn| {
        store::find(conn, &user_id)?.ok_or_else(|| AppError::unauthorized("account gone"))
    })
    .await?;
    if !verify_password(request.current_password, Some(row.password_hash.clone())).await? {
        return Err(AppError::validation(vec![FieldError::new(
            "current_password",
            "is not correct",
        )]));
    }
    attempt.succeeded(&state.pool).await?;
    let new_hash = hash_password(request.new_password).await?;
    let settings = state.settings.auth.clone();
    let actor = Actor::for_user(&req, &user);
    let pair = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let now = Utc::now().naive_utc();
            store::set_password(conn, &row.id, &new_hash, false)?;
            let revoked = store::revoke_all_of_user(conn, &row.id, now)?;
            audit::record(
                conn,
                &actor,
                Change::<(), _> {
                    entity: crate::audit::Entity::User,
                    entity_id: &row.id,
                    action: crate::audit::Action::ChangePassword,
                    before: None,
                    after: Some(&serde_json::json!({"revoked_refresh_tokens": revoked})),
                },
            )?;
            notify::enqueue(
                conn,
                notify::Email {
                    to: row.email.clone(),
                    template: "password_changed",
                    context: serde_json::json!({"name": row.display_name}),
                },
            )?;
            issue_token_pair(conn, &settings, &row.id, None)
        })
    })
    .await?;
    Ok(token_response(pair))
}
