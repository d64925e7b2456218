//! Accounts and sign-in: roles, the `CurrentUser` extractor that checks a bearer token on
//! every request, login and `/me`. The access policy lives in `policy`.

pub mod accounts;
pub mod model;
pub mod password;
pub mod policy;
pub mod rules;
pub mod second_factor;
pub mod session;
pub mod store;
pub mod throttle;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use actix_web::{get, post};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::refresh_tokens;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::http::ValidJson;
use crate::state::AppState;
use crate::text_enum;

text_enum!(
    /// What a user may do; see the access policy. `registry`: a member of an
    /// organisation of any kind (government, agency, foundation, company, NGO) that keeps
    /// its projects in the registry: writes its organisation's registry projects and sees
    /// nothing of the fund (no applications, grants, pledges, ledger or money).
    Role {
        Admin => "admin",
        Finance => "finance",
        Trustee => "trustee",
        Reviewer => "reviewer",
        Ngo => "ngo",
        Donor => "donor",
        Registry => "registry",
    }
);

/// The signed-in user of a request: read from the database (one statement,
/// `db::run_point`) or from memory while nothing has changed since (`KeptUsers`), so that
/// a deactivated or deleted account stops working at its next request, however it was
/// changed.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub organisation_id: Option<String>,
    /// Funds whose board the user sits on (trustees).
    pub fund_ids: Vec<String>,
}

/// Who caused a change, attached to every audit event: the signed-in user (none for the
/// system or an anonymous request) and the request's id.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    /// The actor of an anonymous request (sign-in, registration, a one-time link).
    pub fn from_request(req: &HttpRequest) -> Self {
        Actor {
            user_id: None,
            request_id: crate::observe::RequestId::of(req),
        }
    }

    /// The actor of a change made by a signed-in user.
    pub fn for_user(req: &HttpRequest, user: &CurrentUser) -> Self {
        Actor {
            user_id: Some(user.id.clone()),
            ..Actor::from_request(req)
        }
    }

    /// The service itself (demo data, background jobs, the command line).
    pub fn system() -> Self {
        Actor::default()
    }
}

fn bearer_token(req: &HttpRequest) -> Option<Result<String, AppError>> {
    let value = req.headers().get(header::AUTHORIZATION)?;
    let parsed = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (scheme, token) = v.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            AppError::unauthorized("the Authorization header must be `Bearer <access token>`")
        });
    Some(parsed)
}

async fn authenticate(state: AppState, token: String) -> AppResult<CurrentUser> {
    let user_id = state.tokens.verify(&token).map_err(|reason| {
        tracing::debug!(%reason, "access token refused");
        AppError::unauthorized("the access token is invalid or has expired")
    })?;
    // read before the database: a change committed after this makes the loaded user stale
    let generation = state.changes.generation();
    if let Some(user) = state.users.get(&user_id, generation) {
        return Ok(user);
    }
    let user = db::run_point(&state.pool, move |conn| load_current_user(conn, &user_id)).await?;
    state.users.keep(&user, generation);
    Ok(user)
}

/// How many signed-in users are kept; past this the memory starts again empty.
const MAX_KEPT_USERS: usize = 4096;

/// The users behind access tokens, kept in memory while the database has not changed
/// (`db::changes`), so that a request needs no query to know who sent it. Every write (a
/// deactivation, a new role, a seat on a board) makes every kept user stale: on this
/// instance before the writer's answer leaves, so a deactivated account is refused at its
/// next request; on the others within a millisecond and the delivery of PostgreSQL's
/// notification (SQLite: `data_version`). A user is also read again once `max_age` has
/// passed, a last bound should a notification ever be lost (a half-open connection).
pub struct KeptUsers {
    users: std::sync::RwLock<
        std::collections::HashMap<String, (u64, std::time::Instant, CurrentUser)>,
    >,
    max_age: std::time::Duration,
}

impl KeptUsers {
    pub fn new(max_age: std::time::Duration) -> Self {
        KeptUsers {
            users: Default::default(),
            max_age,
        }
    }

    fn get(&self, id: &str, generation: u64) -> Option<CurrentUser> {
        let users = self.users.read().unwrap_or_else(|e| e.into_inner());
        users
            .get(id)
            .filter(|(kept_at, made, _)| *kept_at == generation && made.elapsed() < self.max_age)
            .map(|(_, _, user)| user.clone())
    }

    /// Keeps `user`, loaded after `generation` was read.
    fn keep(&self, user: &CurrentUser, generation: u64) {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        if users.len() >= MAX_KEPT_USERS && !users.contains_key(&user.id) {
            users.clear();
        }
        let made = std::time::Instant::now();
        users.insert(user.id.clone(), (generation, made, user.clone()));
    }
}

/// Loads an active user with its funds (one statement); a missing or deactivated one is
/// unauthorised.
pub fn load_current_user(conn: &mut DbConn, user_id: &str) -> AppResult<CurrentUser> {
    let (user, fund_ids) = store::find_with_funds(conn, user_id)?
        .filter(|(u, _)| u.active)
        .ok_or_else(|| AppError::unauthorized("the account of this token no longer exists"))?;
    Ok(CurrentUser {
        fund_ids,
        role: user.role,
        id: user.id,
        email: user.email,
        organisation_id: user.organisation_id,
    })
}

impl FromRequest for CurrentUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        if let Some(user) = req.extensions().get::<CurrentUser>() {
            let user = user.clone();
            return Box::pin(async move { Ok(user) });
        }
        let state = req.app_data::<AppState>().cloned();
        let token = bearer_token(req);
        let req = req.clone();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            let token = token.ok_or_else(|| {
                AppError::unauthorized("sign in: this needs a bearer access token")
            })??;
            let user = authenticate(state, token).await?;
            req.extensions_mut().insert(user.clone());
            Ok(user)
        })
    }
}

/// For public endpoints that show more to signed-in users: no header is anonymous, a bad
/// token is still refused.
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequest for MaybeUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if req.headers().get(header::AUTHORIZATION).is_none() {
            return Box::pin(async { Ok(MaybeUser(None)) });
        }
        let user = CurrentUser::from_request(req, payload);
        Box::pin(async move { user.await.map(|u| MaybeUser(Some(u))) })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    /// The six-digit code of the authenticator app: required for the secretariat and
    /// finance once they have set up their second factor (at their first sign-in on the
    /// pages, `/login/enrol`).
    #[serde(default)]
    pub totp_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub refresh_token: String,
}

/// Issues an access token and a new refresh token. `family_id` continues a rotation
/// family; `None` starts one (a fresh login).
pub fn issue_token_pair(
    conn: &mut DbConn,
    settings: &crate::config::AuthSettings,
    user_id: &str,
    family_id: Option<&str>,
) -> AppResult<TokenPair> {
    let refresh_token = new_refresh_token(conn, settings, user_id, family_id)?;
    Ok(TokenPair {
        access_token: tokens::issue_access(settings, user_id).map_err(AppError::internal)?,
        token_type: "Bearer",
        expires_in: settings.access_token_ttl_secs,
        refresh_token,
    })
}

/// Stores a new refresh token (only its hash) and returns it. `family_id` continues a
/// rotation family; `None` starts one (a sign-in). A browser session is such a family too
/// (`web::session`), so logout, password change and reset end it like any other.
pub fn new_refresh_token(
    conn: &mut DbConn,
    settings: &crate::config::AuthSettings,
    user_id: &str,
    family_id: Option<&str>,
) -> AppResult<String> {
    let refresh_token = tokens::new_opaque();
    let now = Utc::now().naive_utc();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(uuid::Uuid::now_v7().to_string()),
            refresh_tokens::family_id.eq(family_id
                .map(str::to_string)
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::token_hash.eq(tokens::hash_opaque(&refresh_token)),
            refresh_tokens::issued_at.eq(now),
            refresh_tokens::expires_at.eq(now + Duration::days(settings.refresh_token_ttl_days)),
        ))
        .execute(conn)?;
    Ok(refresh_token)
}

/// Each argon2 run holds 19 MiB and a core for ~20 ms. Bounding how many run at once keeps
/// a flood of logins (from however many addresses) from exhausting memory or starving the
/// database calls that share the blocking pool; excess requests queue here instead.
static ARGON2_SLOTS: std::sync::LazyLock<tokio::sync::Semaphore> = std::sync::LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(cores * 2)
});

async fn argon2_slot() -> AppResult<tokio::sync::SemaphorePermit<'static>> {
    ARGON2_SLOTS
        .acquire()
        .await
        .map_err(|e| AppError::internal(format!("argon2 slots closed: {e}")))
}

/// Hashes a password on the blocking pool (argon2 is deliberately slow).
pub async fn hash_password(password: String) -> AppResult<String> {
    let _slot = argon2_slot().await?;
    actix_web::web::block(move || password::hash(&password))
        .await
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))?
        .map_err(AppError::internal)
}

/// Checks a password on the blocking pool; `None` (no account) costs the same work.
pub async fn verify_password(password: String, stored_hash: Option<String>) -> AppResult<bool> {
    let _slot = argon2_slot().await?;
    actix_web::web::block(move || password::verify(&password, stored_hash.as_deref()))
        .await
        .map_err(|e| AppError::internal(format!("password check failed: {e}")))
}

/// Signs in with email and password. Throttled: after `auth.login_max_failures` failures for
/// the account from this address, or from this address for any accounts, within the window,
/// the answer is 429 with `Retry-After`.
/// The secretariat and finance, once enrolled in the second factor, also send `totp_code`
/// (401 naming it when missing or wrong).
#[utoipa::path(tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem, description = "email not verified yet"),
              (status = 429, body = crate::error::Problem)))]
#[post("/api/v1/auth/login")]
pub async fn login(
    state: AppState,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> AppResult<HttpResponse> {
    let LoginRequest {
        email,
        password,
        totp_code,
    } = body.0;
    let user = check_credentials(&state, &req, &email, password).await?;
    second_factor::check_for_api(&state, &req, &user, totp_code).await?;
    let settings = state.settings.auth.clone();
    let pair = db::run(&state.pool, move |conn| {
        issue_token_pair(conn, &settings, &user.id, None)
    })
    .await?;
    Ok(token_response(pair))
}

/// **The one password check of a sign-in**, for the API's login and the browser's sign-in
/// page alike: throttled (`throttle::begin`, 429 with `Retry-After`), an unknown email
/// costs the same as a known one, a wrong password or an inactive account is 401, an
/// unconfirmed email 403. Returns the account that may be signed in.
pub async fn check_credentials(
    state: &AppState,
    req: &HttpRequest,
    email: &str,
    password: String,
) -> AppResult<store::UserRow> {
    let email = store::normalise_email(email);
    let address = throttle::client_address(req, &state.settings.server);
    let attempt = throttle::begin(
        &state.pool,
        &state.settings.auth,
        store::ATTEMPT_LOGIN,
        &email,
        &address,
    )
    .await?;
    let lookup_email = email.clone();
    let user = db::run(&state.pool, move |conn| {
        Ok(store::find_by_email(conn, &lookup_email)?)
    })
    .await?;
    // An unknown email costs the same as a known one.
    let stored_hash = user.as_ref().map(|u| u.password_hash.clone());
    let password_ok = verify_password(password, stored_hash).await?;
    let user = match user {
        Some(u) if password_ok && u.active => u,
        _ => {
            return Err(AppError::unauthorized(
                "the email or password is not correct",
            ));
        }
    };
    attempt.succeeded(&state.pool).await?;
    if !user.email_verified {
        return Err(AppError::forbidden(
            "confirm your email address first; we sent you a link",
        ));
    }
    Ok(user)
}

/// A token pair answer, never cached.
pub fn token_response(pair: TokenPair) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(pair)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FundRef {
    pub id: String,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub organisation: Option<crate::organisations::model::OrganisationView>,
    pub funds: Vec<FundRef>,
}

/// The signed-in user, its role, organisation and funds.
#[utoipa::path(tag = "auth",
    responses((status = 200, body = MeView), (status = 401, body = crate::error::Problem)),
    security(("bearer" = [])))]
#[get("/api/v1/me")]
pub async fn me(state: AppState, user: CurrentUser) -> AppResult<HttpResponse> {
    policy::authorize(&user, policy::Operation::ReadMe)?;
    let view = db::run(&state.pool, move |conn| {
        let row =
            store::find(conn, &user.id)?.ok_or_else(|| AppError::unauthorized("account gone"))?;
        let organisation = match &user.organisation_id {
            Some(id) => crate::organisations::store::find(conn, id)?
                .map(|o| o.into_view())
                .transpose()?,
            None => None,
        };
        let mut funds = Vec::new();
        for fund_id in &user.fund_ids {
            if let Some(f) = crate::funds::store::find(conn, fund_id)? {
                funds.push(FundRef {
                    id: f.id,
                    code: f.code,
                    name: f.name,
                });
            }
        }
        Ok(MeView {
            id: row.id,
            email: row.email,
            name: row.display_name,
            role: user.role,
            organisation,
            funds,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Creates a verified admin account (the `create-admin` command); refuses weak passwords and
/// an email that is already registered in any letter case.
pub fn create_admin(
    pool: &crate::db::DbPool,
    email: &str,
    name: &str,
    password: &str,
) -> AppResult<String> {
    let mut errors = Vec::new();
    let email = store::normalise_email(email);
    if !looks_like_email(&email) {
        errors.push(crate::error::FieldError::new(
            "email",
            "is not an email address",
        ));
    }
    let name = crate::platform::required_line("name", name, 200, &mut errors);
    errors.extend(password::check_strength("password", password, &email));
    crate::platform::validated((), errors)?;
    let hash = password::hash(password).map_err(AppError::internal)?;
    let mut conn = pool.get()?;
    db::write_transaction(&mut conn, |conn| {
        if store::find_by_email(conn, &email)?.is_some() {
            return Err(AppError::duplicate(format!(
                "an account for {email} already exists"
            )));
        }
        let user = store::insert(
            conn,
            store::NewUser {
                email: &email,
                display_name: &name,
                password_hash: &hash,
                role: Role::Admin,
                organisation_id: None,
                email_verified: true,
            },
        )?;
        crate::audit::record(
            conn,
            &Actor::system(),
            crate::audit::Change::<(), _> {
                entity: crate::audit::Entity::User,
                entity_id: &user.id,
                action: crate::audit::Action::Create,
                before: None,
                after: Some(&serde_json::json!({"email": user.email, "role": user.role})),
            },
        )?;
        Ok(user.id)
    })
}

/// A plausible address: one `@`, something before it, a dot in the domain, no spaces.
pub fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && !domain.contains('@')
                && email.len() <= 254
        }
        None => false,
    }
}

/// Prunes what no rule needs any more, every ten minutes: login attempts older than the
/// known-address period (and the throttle window), and refresh and one-time tokens expired
/// for over a day.
pub async fn housekeeping(pool: crate::db::DbPool, settings: crate::config::AuthSettings) {
    let every = std::time::Duration::from_secs(600);
    loop {
        let keep_days = settings
            .known_address_days
            .max(settings.login_window_secs / 86_400 + 1);
        let result = db::run(&pool, move |conn| {
            let now = Utc::now().naive_utc();
            Ok(store::prune(
                conn,
                now - Duration::days(keep_days),
                now - Duration::days(1),
            )?)
        })
        .await;
        match result {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "pruned expired tokens and old login attempts"),
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
        tokio::time::sleep(every).await;
    }
}
