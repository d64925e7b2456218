//! Getting an account: NGO self-registration with email verification, invitations by the
//! secretariat, and password reset. Every email link carries a one-time token: random,
//! stored only as its hash, single-use and expiring.

use actix_web::http::StatusCode;
use actix_web::post;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{Duration, NaiveDateTime, Utc};
use serde_json::json;

use super::model::{
    AcceptInvitation, ConfirmPasswordReset, CreateInvitation, InvitationView, PasswordResetRequest,
    RegisterRequest, RegistrationView, TokenRequest, UserView,
};
use super::policy::{self, Operation};
use super::store::{self, NewOneTime, OneTimeRow, Purpose};
use super::{CurrentUser, Role, hash_password, password, throttle, tokens};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::ValidJson;
use crate::notify;
use crate::platform::{required_line, validated};
use crate::state::AppState;

/// The one answer for a token that does not exist, was used, or expired: which of these it
/// is tells an attacker something and helps nobody else.
fn unusable_token() -> AppError {
    AppError::validation(vec![FieldError::new(
        "token",
        "is not valid: it may have expired or been used already; ask for a new email",
    )])
}

fn email_taken(field: &str, email: &str) -> AppError {
    AppError::duplicate(format!("an account for {email} already exists"))
        .with_errors(vec![FieldError::new(field, "is already registered")])
}

fn hours(n: i64) -> String {
    match n {
        1 => "1 hour".to_string(),
        n if n % 24 == 0 && n >= 48 => format!("{} days", n / 24),
        n => format!("{n} hours"),
    }
}

/// A fresh one-time token for `purpose`, stored hashed; returns the token for the email.
fn issue_one_time(
    conn: &mut DbConn,
    purpose: Purpose,
    user_id: Option<&str>,
    email: Option<&str>,
    payload: serde_json::Value,
    expires_at: NaiveDateTime,
) -> AppResult<(String, OneTimeRow)> {
    let token = tokens::new_opaque();
    let row = store::insert_one_time(
        conn,
        NewOneTime {
            purpose,
            token_hash: &tokens::hash_opaque(&token),
            user_id,
            email,
            payload: payload.to_string(),
            expires_at,
        },
    )?;
    Ok((token, row))
}

/// Reads a usable token without using it up (to validate what comes with it first).
async fn usable_token(state: &AppState, purpose: Purpose, token: &str) -> AppResult<OneTimeRow> {
    let hash = tokens::hash_opaque(token);
    db::run(&state.pool, move |conn| {
        store::find_usable_one_time(conn, purpose, &hash, Utc::now().naive_utc())?
            .ok_or_else(unusable_token)
    })
    .await
}

fn user_view(conn: &mut DbConn, user_id: &str) -> AppResult<UserView> {
    let row = store::find(conn, user_id)?.ok_or_else(|| AppError::not_found("user"))?;
    let funds = store::fund_ids(conn, user_id)?;
    UserView::from_row(row, funds)
}

/// Registers an organisation and its first user: an NGO's member with the `ngo` role, a
/// government's, multilateral agency's, foundation's or company's with the `registry` role
/// (its organisation's registry projects, nothing of the fund). The organisation starts
/// unverified: its registry projects are public only once the secretariat has verified it,
/// and an NGO applies only then. The user can sign in once the emailed link is followed
/// (`POST /auth/verify-email`).
///
/// An email already registered (in any letter case) answers 409 `duplicate`: someone who
/// registers must learn that the address has an account. The answer says only that, and
/// repeated attempts from one address are throttled like logins.
#[utoipa::path(tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = RegistrationView), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
#[post("/api/v1/auth/register")]
pub async fn register(
    state: AppState,
    req: HttpRequest,
    body: ValidJson<RegisterRequest>,
) -> AppResult<HttpResponse> {
    let view =
        register_organisation(&state, &req, body.0, notify::templates::DEFAULT_LOCALE).await?;
    Ok(HttpResponse::Created().json(view))
}

/// **The one self-registration** of an organisation and its first member, for
/// `POST /api/v1/auth/register` and the page `/register`: an NGO's member gets the `ngo`
/// role, a government's, agency's, foundation's or company's the `registry` role
/// (`rules::registration_role`). The request's rules (422 on `organisation.*` and `user.*`), the throttle of
/// registrations from this address (429), an address that has an account in any letter
/// case (409 `duplicate` on `user.email`, also when two posts race: the database's unique
/// address answers the same); then the unverified organisation, its first user, and the
/// verification email in `locale` (one of `notify::templates::LOCALES`).
pub async fn register_organisation(
    state: &AppState,
    req: &HttpRequest,
    request: RegisterRequest,
    locale: &'static str,
) -> AppResult<RegistrationView> {
    let registration = request.validate()?;
    let address = throttle::client_address(req, &state.settings.server);
    let attempt = throttle::begin(
        &state.pool,
        &state.settings.auth,
        store::ATTEMPT_REGISTER,
        &registration.email,
        &address,
    )
    .await?;
    let password_hash = hash_password(registration.password.clone()).await?;
    let actor = Actor::from_request(req);
    let settings = state.settings.clone();
    let view = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            if store::find_by_email(conn, &registration.email)?.is_some() {
                return Err(email_taken("user.email", &registration.email));
            }
            let organisation = crate::organisations::create(
                conn,
                &actor,
                &registration.organisation,
                crate::audit::Action::Register,
            )
            .map_err(|e| e.within("organisation"))?;
            let user = store::insert(
                conn,
                store::NewUser {
                    email: &registration.email,
                    display_name: &registration.name,
                    password_hash: &password_hash,
                    role: registration.role,
                    organisation_id: Some(&organisation.id),
                    email_verified: false,
                },
            )
            .map_err(|e| match AppError::from(e) {
                // a second post that raced the first past the check above
                e if e.code == crate::error::ErrorCode::Duplicate => {
                    email_taken("user.email", &registration.email)
                }
                e => e,
            })?;
            let user = UserView::from_row(user, vec![])?;
            let actor = Actor {
                user_id: Some(user.id.clone()),
                ..actor.clone()
            };
            audit::record(
                conn,
                &actor,
                Change::<(), _> {
                    entity: crate::audit::Entity::User,
                    entity_id: &user.id,
                    action: crate::audit::Action::Register,
                    before: None,
                    after: Some(&user),
                },
            )?;
            if locale != notify::templates::DEFAULT_LOCALE {
                // registered from a page in French or Spanish: later emails follow it
                store::set_language(conn, &user.id, locale)?;
            }
            let ttl = settings.auth.verification_ttl_hours;
            let (token, _) = issue_one_time(
                conn,
                Purpose::VerifyEmail,
                Some(&user.id),
                Some(&user.email),
                json!({}),
                Utc::now().naive_utc() + Duration::hours(ttl),
            )?;
            notify::enqueue_in(
                conn,
                notify::Email {
                    to: user.email.clone(),
                    template: "verify_email",
                    context: json!({
                        "name": user.name,
                        "organisation": organisation.name,
                        "link": notify::token_link(&settings.email, "verify-email", &token),
                        "expires_in": hours(ttl),
                        "expires_hours": ttl,
                    }),
                },
                locale,
            )?;
            Ok(RegistrationView { user, organisation })
        })
    })
    .await?;
    attempt.succeeded(&state.pool).await?;
    Ok(view)
}

/// Confirms an email address with the token from the verification email.
#[utoipa::path(tag = "auth", request_body = TokenRequest,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/auth/verify-email")]
pub async fn verify_email(
    state: AppState,
    req: HttpRequest,
    body: ValidJson<TokenRequest>,
) -> AppResult<HttpResponse> {
    confirm_email(&state, Actor::from_request(&req), body.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// **The one email confirmation**, for `POST /api/v1/auth/verify-email` and the page the
/// email's link opens (`GET /verify-email?token=…`): uses the token up and marks the address
/// verified. A token that is unknown, used or expired is 422 on `token`.
pub async fn confirm_email(state: &AppState, actor: Actor, token: TokenRequest) -> AppResult<()> {
    let hash = tokens::hash_opaque(&token.validate()?);
    let email_settings = state.settings.email.clone();
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let now = Utc::now().naive_utc();
            let token = store::find_usable_one_time(conn, Purpose::VerifyEmail, &hash, now)?
                .ok_or_else(unusable_token)?;
            if !store::consume_one_time(conn, &token.id, now)? {
                return Err(unusable_token());
            }
            let user_id = token.user_id.ok_or_else(unusable_token)?;
            if store::mark_email_verified(conn, &user_id)? {
                let after = user_view(conn, &user_id)?;
                // the secretariat hears of a registration once its address is confirmed,
                // so that registrations nobody confirms never reach its queue by email
                if let Some(organisation_id) = &after.organisation_id {
                    crate::organisations::emails::awaiting_verification(
                        conn,
                        &email_settings,
                        organisation_id,
                        &after,
                    )?;
                }
                audit::record(
                    conn,
                    &Actor {
                        user_id: Some(user_id.clone()),
                        ..actor
                    },
                    Change::<(), _> {
                        entity: crate::audit::Entity::User,
                        entity_id: &user_id,
                        action: crate::audit::Action::VerifyEmail,
                        before: None,
                        after: Some(&after),
                    },
                )?;
            }
            Ok(())
        })
    })
    .await
}

/// Invites someone by email to take a role (admins only). Ngo and donor invitations name
/// the organisation, trustee invitations the fund whose board the trustee joins. A newer
/// invitation to the same address replaces older unused ones. The email is written in
/// `language` (`en`, `fr`, `es`; English when absent), which the account made on
/// acceptance keeps.
#[utoipa::path(tag = "auth", request_body = CreateInvitation,
    responses((status = 201, body = InvitationView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[post("/api/v1/invitations")]
pub async fn create_invitation(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<CreateInvitation>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreateInvitation)?;
    let invitation = body.0.validate()?;
    let actor = Actor::for_user(&req, &user);
    let settings = state.settings.clone();
    let view = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            invite(conn, &settings, &actor, &user, &invitation)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(view))
}

/// **The one invitation**, for `POST /api/v1/invitations` and the secretariat's page
/// `/users/invite`, inside the caller's transaction (after `Operation::CreateInvitation`):
/// the organisation and fund named must exist (422 on `organisation_id`, `fund_id`), the
/// address must have no account (409 on `email`); older unused invitations to the address
/// are retired, and the invitation email goes out in the invitation's language.
pub fn invite(
    conn: &mut DbConn,
    settings: &crate::config::Settings,
    actor: &Actor,
    user: &CurrentUser,
    invitation: &super::model::NewInvitation,
) -> AppResult<InvitationView> {
    let now = Utc::now().naive_utc();
    let mut errors = Vec::new();
    let organisation = match &invitation.organisation_id {
        Some(id) => {
            let found = crate::organisations::store::find(conn, id)?;
            if found.is_none() {
                errors.push(FieldError::new("organisation_id", "no such organisation"));
            }
            found
        }
        None => None,
    };
    let fund = match &invitation.fund_id {
        Some(id) => {
            let found = crate::funds::store::find(conn, id)?;
            if found.is_none() {
                errors.push(FieldError::new("fund_id", "no such fund"));
            }
            found
        }
        None => None,
    };
    validated((), errors)?;
    if store::find_by_email(conn, &invitation.email)?.is_some() {
        return Err(email_taken("email", &invitation.email));
    }
    store::retire_for_email(conn, Purpose::Invitation, &invitation.email, now)?;
    let ttl = settings.auth.invitation_ttl_hours;
    let language = invitation
        .language
        .unwrap_or(notify::templates::DEFAULT_LOCALE);
    let (token, row) = issue_one_time(
        conn,
        Purpose::Invitation,
        None,
        Some(&invitation.email),
        serde_json::to_value(InvitationTerms {
            role: invitation.role,
            organisation_id: invitation.organisation_id.clone(),
            fund_id: invitation.fund_id.clone(),
            invited_by: user.id.clone(),
            language: invitation.language.map(str::to_string),
        })
        .map_err(|e| AppError::internal(e.to_string()))?,
        now + Duration::hours(ttl),
    )?;
    let view = InvitationView {
        id: row.id.clone(),
        email: invitation.email.clone(),
        role: invitation.role,
        organisation_id: invitation.organisation_id.clone(),
        fund_id: invitation.fund_id.clone(),
        language: language.to_string(),
        expires_at: row.expires_at.and_utc(),
        created_at: row.created_at.and_utc(),
    };
    audit::created(
        conn,
        actor,
        crate::audit::Entity::Invitation,
        &view.id,
        &view,
    )?;
    // the invitee has no account yet, so no language of its own: the invitation's
    notify::enqueue_in(
        conn,
        notify::Email {
            to: invitation.email.clone(),
            template: "invitation",
            context: json!({
                "role": invitation.role,
                "organisation": organisation.map(|o| o.name),
                "fund": fund.map(|f| f.name),
                "link": notify::token_link(&settings.email, "accept-invitation", &token),
                "expires_in": hours(ttl),
            }),
        },
        language,
    )?;
    Ok(view)
}

/// What an invitation grants, stored with its token.
#[derive(serde::Serialize, serde::Deserialize)]
struct InvitationTerms {
    role: Role,
    organisation_id: Option<String>,
    fund_id: Option<String>,
    invited_by: String,
    /// The language of the invitation email, kept by the account made on acceptance
    /// (invitations made before it was asked for have none).
    #[serde(default)]
    language: Option<String>,
}

/// An invitation nobody has accepted yet, still usable.
#[derive(Debug, Clone)]
pub struct PendingInvitation {
    pub email: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    pub fund_id: Option<String>,
    pub language: Option<String>,
    pub expires_at: NaiveDateTime,
}

/// The invitations still waiting to be accepted, the soonest to expire first (at most
/// `limit`): the secretariat's list on its people page.
pub fn pending_invitations(conn: &mut DbConn, limit: i64) -> AppResult<Vec<PendingInvitation>> {
    store::usable_one_time(conn, Purpose::Invitation, Utc::now().naive_utc(), limit)?
        .into_iter()
        .map(|row| {
            let terms: InvitationTerms = serde_json::from_str(&row.payload)
                .map_err(|e| AppError::internal(format!("invitation payload unreadable: {e}")))?;
            Ok(PendingInvitation {
                email: row.email.unwrap_or_default(),
                role: terms.role,
                organisation_id: terms.organisation_id,
                fund_id: terms.fund_id,
                language: terms.language,
                expires_at: row.expires_at,
            })
        })
        .collect()
}

/// Accepts an invitation: creates the account with the invited role (its email counts as
/// verified: the token came by email).
#[utoipa::path(tag = "auth",
    request_body = AcceptInvitation,
    responses((status = 201, body = UserView), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/auth/accept-invitation")]
pub async fn accept_invitation(
    state: AppState,
    req: HttpRequest,
    body: ValidJson<AcceptInvitation>,
) -> AppResult<HttpResponse> {
    let view = accept(&state, &req, body.0, None).await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(view))
}

/// Whether an invitation token can still be used (without using it): the page of the
/// email's link says at once when it cannot. 422 on `token` otherwise.
pub async fn check_invitation_token(state: &AppState, token: String) -> AppResult<()> {
    let token = TokenRequest { token }.validate()?;
    usable_token(state, Purpose::Invitation, &token)
        .await
        .map(|_| ())
}

/// **The one invitation acceptance**, for `POST /api/v1/auth/accept-invitation` and the
/// page of the invitation email's link: the token (422 on `token`), the name and the
/// password policy (422 on `name`, `password`), an address that has an account meanwhile
/// (409); then the account with the invited role, its email counted as verified, and as
/// the language of its emails `chosen_language` (the page's, when its reader chose one with
/// the switch), else the invitation's.
pub async fn accept(
    state: &AppState,
    req: &HttpRequest,
    request: AcceptInvitation,
    chosen_language: Option<&'static str>,
) -> AppResult<UserView> {
    let AcceptInvitation {
        token,
        name,
        password: chosen,
    } = request;
    let token = TokenRequest { token }.validate()?;
    let invitation = usable_token(state, Purpose::Invitation, &token).await?;
    let email = invitation.email.clone().ok_or_else(unusable_token)?;
    let terms: InvitationTerms = serde_json::from_str(&invitation.payload)
        .map_err(|e| AppError::internal(format!("invitation payload unreadable: {e}")))?;
    let mut errors = Vec::new();
    let name = required_line("name", &name, 200, &mut errors);
    errors.extend(password::check_strength("password", &chosen, &email));
    validated((), errors)?;
    let password_hash = hash_password(chosen).await?;
    let actor = Actor::from_request(req);
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let now = Utc::now().naive_utc();
            if !store::consume_one_time(conn, &invitation.id, now)? {
                return Err(unusable_token());
            }
            if store::find_by_email(conn, &email)?.is_some() {
                return Err(email_taken("token", &email));
            }
            let user = store::insert(
                conn,
                store::NewUser {
                    email: &email,
                    display_name: &name,
                    password_hash: &password_hash,
                    role: terms.role,
                    organisation_id: terms.organisation_id.as_deref(),
                    email_verified: true,
                },
            )?;
            if let Some(fund_id) = &terms.fund_id {
                store::add_fund(conn, &user.id, fund_id)?;
            }
            let language = chosen_language.or_else(|| {
                notify::templates::LOCALES
                    .iter()
                    .find(|l| Some(**l) == terms.language.as_deref())
                    .copied()
            });
            if let Some(language) = language {
                store::set_language(conn, &user.id, language)?;
            }
            let view = user_view(conn, &user.id)?;
            audit::record(
                conn,
                &Actor {
                    user_id: Some(view.id.clone()),
                    ..actor
                },
                Change::<(), _> {
                    entity: crate::audit::Entity::User,
                    entity_id: &view.id,
                    action: crate::audit::Action::AcceptInvitation,
                    before: None,
                    after: Some(&json!({"user": view, "invitation_id": invitation.id})),
                },
            )?;
            Ok(view)
        })
    })
    .await
}

/// How many reset emails one account may be sent per hour; more requests are answered
/// the same but send nothing (no mail-bombing someone through this form).
const RESETS_PER_HOUR: i64 = 3;

/// Asks for a password reset email. Always 202, whether or not the address has an
/// account, so the answer reveals nothing.
#[utoipa::path(tag = "auth",
    request_body = PasswordResetRequest,
    responses((status = 202), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/auth/password-reset")]
pub async fn request_password_reset(
    state: AppState,
    body: ValidJson<PasswordResetRequest>,
) -> AppResult<HttpResponse> {
    send_password_reset(&state, body.0, None).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// **The one reset request**, for `POST /api/v1/auth/password-reset` and the "forgot your
/// password?" page: an email with a reset link to an active account (at most
/// `RESETS_PER_HOUR` an hour), nothing otherwise, and the same answer either way. 422 on
/// `email` when it is not an address. The email is in the language the account chose, else
/// in `page_locale` (the language of the page that asked, if any), else English.
pub async fn send_password_reset(
    state: &AppState,
    request: PasswordResetRequest,
    page_locale: Option<&'static str>,
) -> AppResult<()> {
    let email = request.validate()?;
    let settings = state.settings.clone();
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let Some(user) = store::find_by_email(conn, &email)?.filter(|u| u.active) else {
                return Ok(());
            };
            let now = Utc::now().naive_utc();
            let recent = store::count_issued_since(
                conn,
                Purpose::PasswordReset,
                &user.id,
                now - Duration::hours(1),
            )?;
            if recent >= RESETS_PER_HOUR {
                tracing::warn!(user_id = %user.id, "password reset emails capped");
                return Ok(());
            }
            store::retire_for_user(conn, Purpose::PasswordReset, &user.id, now)?;
            let minutes = settings.auth.password_reset_ttl_minutes;
            let (token, _) = issue_one_time(
                conn,
                Purpose::PasswordReset,
                Some(&user.id),
                Some(&user.email),
                json!({}),
                now + Duration::minutes(minutes),
            )?;
            let locale = notify::recipient_locale(conn, &user.email)?
                .or(page_locale)
                .unwrap_or(notify::templates::DEFAULT_LOCALE);
            notify::enqueue_in(
                conn,
                notify::Email {
                    to: user.email.clone(),
                    template: "password_reset",
                    context: json!({
                        "name": user.display_name,
                        "link": notify::token_link(&settings.email, "reset-password", &token),
                        "expires_in": format!("{minutes} minutes"),
                    }),
                },
                locale,
            )?;
            Ok(())
        })
    })
    .await
}

/// Sets a new password with the token from the reset email. Every session of the account
/// ends; the email counts as verified; the throttle of this account from this address
/// starts afresh.
#[utoipa::path(tag = "auth",
    request_body = ConfirmPasswordReset,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: AppState,
    req: HttpRequest,
    body: ValidJson<ConfirmPasswordReset>,
) -> AppResult<HttpResponse> {
    reset_password(&state, &req, body.0).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Whether a password reset token can still be used (without using it): the page of the
/// email's link says at once when it has expired. 422 on `token` otherwise.
pub async fn check_reset_token(state: &AppState, token: String) -> AppResult<()> {
    let token = TokenRequest { token }.validate()?;
    usable_token(state, Purpose::PasswordReset, &token)
        .await
        .map(|_| ())
}

/// **The one password reset**, for `POST /api/v1/auth/password-reset/confirm` and the
/// reset page: the token (422 on `token` when unusable), the password policy (422 on
/// `password`), then the new password, every session ended, the email counted as
/// verified, the throttle of this account from this address started afresh.
pub async fn reset_password(
    state: &AppState,
    req: &HttpRequest,
    request: ConfirmPasswordReset,
) -> AppResult<()> {
    let ConfirmPasswordReset {
        token,
        password: chosen,
    } = request;
    let token = TokenRequest { token }.validate()?;
    let reset = usable_token(state, Purpose::PasswordReset, &token).await?;
    let user_id = reset.user_id.clone().ok_or_else(unusable_token)?;
    let lookup = user_id.clone();
    let user = db::run(&state.pool, move |conn| Ok(store::find(conn, &lookup)?))
        .await?
        .filter(|u| u.active)
        .ok_or_else(unusable_token)?;
    validated(
        (),
        password::check_strength("password", &chosen, &user.email),
    )?;
    let password_hash = hash_password(chosen).await?;
    let actor = Actor {
        user_id: Some(user_id.clone()),
        ..Actor::from_request(req)
    };
    let address = throttle::client_address(req, &state.settings.server);
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let now = Utc::now().naive_utc();
            if !store::consume_one_time(conn, &reset.id, now)? {
                return Err(unusable_token());
            }
            store::set_password(conn, &user.id, &password_hash, true)?;
            let revoked = store::revoke_all_of_user(conn, &user.id, now)?;
            store::retire_for_user(conn, Purpose::PasswordReset, &user.id, now)?;
            throttle::record_success(conn, &user.email, &address)?;
            audit::record(
                conn,
                &actor,
                Change::<(), _> {
                    entity: crate::audit::Entity::User,
                    entity_id: &user.id,
                    action: crate::audit::Action::ResetPassword,
                    before: None,
                    after: Some(&json!({"revoked_refresh_tokens": revoked})),
                },
            )?;
            notify::enqueue(
                conn,
                notify::Email {
                    to: user.email.clone(),
                    template: "password_changed",
                    context: json!({"name": user.display_name}),
                },
            )?;
            Ok(())
        })
    })
    .await
}
