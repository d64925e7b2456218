//! The second step of a browser sign-in for the roles that need one
//! (`policy::needs_second_factor`: the secretariat and finance). After the password, the
//! browser holds only a pending sign-in: the `tf_pending` cookie, the user's id and an
//! expiry under an HMAC of `auth.jwt_secret` (no storage, every instance checks it), good
//! for ten minutes and for nothing but these pages. `GET/POST /login/code` asks for the
//! code of the user's authenticator app; `GET/POST /login/enrol` is the first time: the key
//! as a QR code and as text, then a code to prove it was copied. Only then does a session
//! start. Wrong codes count against the same throttle as wrong passwords.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post};
use base64::Engine;
use chrono::Utc;
use hmac::{Hmac, KeyInit, Mac};
use minijinja::context;
use minijinja::value::Serde;
use sha2::Sha256;

use super::i18n::Arg;
use super::render::see_other;
use super::{FieldMessage, PostedForm, Visitor, message_of, session};
use crate::auth::second_factor;
use crate::auth::store::{self, UserRow};
use crate::db;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;

pub const PENDING_COOKIE: &str = "tf_pending";
/// How long a password stays good for the second step.
const PENDING_SECONDS: i64 = 600;
/// Keeps these MACs apart from any other use of the same secret.
const DOMAIN: &[u8] = b"trustfund pending sign-in\0";

fn mac(secret: &str, payload: &str) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(DOMAIN);
    mac.update(payload.as_bytes());
    mac
}

/// `user_id.expires.mac`.
fn pending_value(secret: &str, user_id: &str, expires: i64) -> String {
    let payload = format!("{user_id}.{expires}");
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(mac(secret, &payload).finalize().into_bytes());
    format!("{payload}.{tag}")
}

/// The user of a pending sign-in cookie, if it is genuine and not expired.
fn pending_user(secret: &str, value: &str, now: i64) -> Option<String> {
    let (payload, tag) = value.rsplit_once('.')?;
    let (user_id, expires) = payload.rsplit_once('.')?;
    let expires: i64 = expires.parse().ok()?;
    let tag = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(tag)
        .ok()?;
    mac(secret, payload).verify_slice(&tag).ok()?;
    (now < expires).then(|| user_id.to_string())
}

/// After the password: to the code page (or the enrolment page the first time), holding
/// the pending sign-in.
pub async fn begin(visitor: &Visitor, user: UserRow) -> AppResult<HttpResponse> {
    let user_id = user.id.clone();
    let enrolled = db::run(&visitor.state.pool, move |conn| {
        second_factor::enrolled(conn, &user_id)
    })
    .await?;
    let value = pending_value(
        &visitor.state.settings.auth.jwt_secret,
        &user.id,
        Utc::now().timestamp() + PENDING_SECONDS,
    );
    let next = if enrolled {
        "/login/code"
    } else {
        "/login/enrol"
    };
    Ok(see_other(next)
        .cookie(session::cookie(&visitor.state, PENDING_COOKIE, value))
        .finish())
}

/// The user whose password was just accepted here, if any.
async fn pending(state: &AppState, req: &HttpRequest) -> AppResult<Option<UserRow>> {
    let Some(user_id) = req.cookie(PENDING_COOKIE).and_then(|c| {
        pending_user(
            &state.settings.auth.jwt_secret,
            c.value(),
            Utc::now().timestamp(),
        )
    }) else {
        return Ok(None);
    };
    db::run(&state.pool, move |conn| {
        Ok(store::find(conn, &user_id)?.filter(|u| u.active && u.email_verified))
    })
    .await
}

/// The code page.
#[utoipa::path(responses((status = 200, description = "the code form", content_type = "text/html"),
                         (status = 303, description = "no pending sign-in: to /login; not enrolled: to /login/enrol")))]
#[get("/login/code")]
pub async fn code_form(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let Some(user) = pending(&visitor.state, &req).await? else {
        return Ok(see_other("/login").finish());
    };
    let user_id = user.id.clone();
    if !db::run(&visitor.state.pool, move |conn| {
        second_factor::enrolled(conn, &user_id)
    })
    .await?
    {
        return Ok(see_other("/login/enrol").finish());
    }
    code_page(&visitor, StatusCode::OK, &[])
}

fn code_page(
    visitor: &Visitor,
    status: StatusCode,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    visitor.page(
        status,
        "login_code.html",
        context! { errors => Serde(errors), code_error => message_of(errors, "code") },
    )
}

/// Checks the code; right, the session starts.
#[utoipa::path(responses((status = 303, description = "signed in: to /home; no pending sign-in: to /login"),
                         (status = 401, description = "wrong code", content_type = "text/html"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html"),
                         (status = 429, description = "too many wrong codes", content_type = "text/html")))]
#[post("/login/code")]
pub async fn check_code(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let Some(user) = pending(&visitor.state, &req).await? else {
        return Ok(see_other("/login").finish());
    };
    let code = form.get("code").to_string();
    let outcome = second_factor::attempt(&visitor.state, &req, &user, move |conn, user_id| {
        second_factor::verify(conn, user_id, &code)
    })
    .await;
    finish(&visitor, user, outcome, code_page).await
}

/// The enrolment page: the key to add to an authenticator app, as a QR code and as text.
#[utoipa::path(responses((status = 200, description = "the enrolment form", content_type = "text/html"),
                         (status = 303, description = "no pending sign-in: to /login; enrolled already: to /login/code")))]
#[get("/login/enrol")]
pub async fn enrol_form(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let Some(user) = pending(&visitor.state, &req).await? else {
        return Ok(see_other("/login").finish());
    };
    enrol_page(&visitor, &user, StatusCode::OK, &[]).await
}

async fn enrol_page(
    visitor: &Visitor,
    user: &UserRow,
    status: StatusCode,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    let user_id = user.id.clone();
    let Some(secret) = db::run(&visitor.state.pool, move |conn| {
        second_factor::begin_enrolment(conn, &user_id)
    })
    .await?
    else {
        return Ok(see_other("/login/code").finish());
    };
    let uri = second_factor::uri(&secret, &user.email)?;
    let svg = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| AppError::internal(format!("the enrolment QR code: {e}")))?
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build();
    // the document's own <svg>, without the XML declaration before it
    let svg = svg
        .find("<svg")
        .map(|start| svg[start..].to_string())
        .unwrap_or_default();
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    visitor.page(
        status,
        "login_enrol.html",
        context! {
            qr => minijinja::Value::from_safe_string(svg),
            secret => grouped.join(" "),
            account => user.email.clone(),
            errors => Serde(errors),
            code_error => message_of(errors, "code"),
        },
    )
}

/// Confirms the enrolment with a code from the app; right, the session starts.
#[utoipa::path(responses((status = 303, description = "enrolled and signed in: to /home; no pending sign-in: to /login"),
                         (status = 401, description = "wrong code", content_type = "text/html"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html"),
                         (status = 429, description = "too many wrong codes", content_type = "text/html")))]
#[post("/login/enrol")]
pub async fn confirm_enrolment(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let Some(user) = pending(&visitor.state, &req).await? else {
        return Ok(see_other("/login").finish());
    };
    let code = form.get("code").to_string();
    let outcome = second_factor::attempt(&visitor.state, &req, &user, move |conn, user_id| {
        second_factor::confirm(conn, user_id, &code)
    })
    .await;
    let page_user = user.clone();
    match outcome {
        Ok(true) => finish(&visitor, user, Ok(true), code_page).await,
        other => {
            let (status, errors) = refusal(&visitor, other)?;
            let mut page = enrol_page(&visitor, &page_user, status.0, &errors).await?;
            if let Some(seconds) = status.1 {
                page.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
            }
            Ok(page)
        }
    }
}

/// The status (and `Retry-After`) and the field error of a wrong code or a throttled one.
type Refusal = ((StatusCode, Option<u64>), Vec<FieldMessage>);

fn refusal(visitor: &Visitor, outcome: AppResult<bool>) -> AppResult<Refusal> {
    let (status, key, args, retry) = match outcome {
        Ok(_) => (
            StatusCode::UNAUTHORIZED,
            "second-factor-wrong",
            vec![],
            None,
        ),
        Err(e) if e.code == ErrorCode::RateLimited => {
            let seconds = e.retry_after.unwrap_or(60);
            (
                StatusCode::TOO_MANY_REQUESTS,
                "login-throttled",
                vec![("minutes", Arg::Count(seconds.div_ceil(60) as i64))],
                Some(seconds),
            )
        }
        Err(e) => return Err(e),
    };
    Ok((
        (status, retry),
        vec![FieldMessage {
            field: "code",
            message: visitor.text(key, &args)?,
        }],
    ))
}

/// A right code starts the session and forgets the pending sign-in; anything else answers
/// the page again with the error beside the code.
async fn finish(
    visitor: &Visitor,
    user: UserRow,
    outcome: AppResult<bool>,
    page: impl Fn(&Visitor, StatusCode, &[FieldMessage]) -> AppResult<HttpResponse>,
) -> AppResult<HttpResponse> {
    if let Ok(true) = outcome {
        let session = session::start(&visitor.state, user.id).await?;
        let forget = session::removal(&visitor.state, PENDING_COOKIE);
        return Ok(see_other("/home").cookie(session).cookie(forget).finish());
    }
    let ((status, retry), errors) = refusal(visitor, outcome)?;
    let mut answer = page(visitor, status, &errors)?;
    if let Some(seconds) = retry {
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_sign_in_is_genuine_for_its_user_until_it_expires() {
        let value = pending_value("secret", "user-1", 1_000);
        assert_eq!(pending_user("secret", &value, 999), Some("user-1".into()));
        assert_eq!(pending_user("secret", &value, 1_000), None, "expired");
        assert_eq!(pending_user("other secret", &value, 999), None);
        let forged = value.replace("user-1", "user-2");
        assert_eq!(pending_user("secret", &forged, 999), None);
        let later = value.replace(".1000.", ".9999.");
        assert_eq!(pending_user("secret", &later, 999), None);
        assert_eq!(pending_user("secret", "", 0), None);
        assert_eq!(pending_user("secret", "a.b", 0), None);
    }
}
