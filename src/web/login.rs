//! `GET/POST /login` and `POST /logout`. The password check, its throttling and its
//! refusals are the API's (`auth::check_credentials`); a sign-in starts a browser session
//! (`session::start`), a sign-out revokes it.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post};
use minijinja::context;
use minijinja::value::Serde;

use super::i18n::Arg;
use super::render::see_other;
use super::{FieldMessage, PostedForm, Visitor, message_of, session};
use crate::auth;
use crate::error::{AppResult, ErrorCode};

/// The sign-in form; a signed-in visitor goes straight home.
#[utoipa::path(responses((status = 200, description = "the sign-in form", content_type = "text/html"),
                         (status = 303, description = "already signed in: to /home")))]
#[get("/login")]
pub async fn login_form(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    if visitor.user.is_some() {
        return Ok(see_other("/home").finish());
    }
    let signed_out = req.query_string().split('&').any(|p| p == "signed-out");
    form_page(&visitor, StatusCode::OK, "", &[], signed_out)
}

fn form_page(
    visitor: &Visitor,
    status: StatusCode,
    email: &str,
    errors: &[FieldMessage],
    signed_out: bool,
) -> AppResult<HttpResponse> {
    visitor.page(
        status,
        "login.html",
        context! {
            email => email,
            errors => Serde(errors),
            email_error => message_of(errors, "email"),
            password_error => message_of(errors, "password"),
            signed_out => signed_out,
        },
    )
}

/// Signs in. Wrong credentials, an unconfirmed email and throttling answer the form again
/// with the error beside its field and the email as typed; success goes to `/home` with
/// the session cookie.
#[utoipa::path(responses((status = 303, description = "signed in: to /home; the secretariat and finance: to /login/code or /login/enrol"),
                         (status = 401, description = "wrong email or password", content_type = "text/html"),
                         (status = 403, description = "no valid CSRF token, or email not confirmed", content_type = "text/html"),
                         (status = 422, description = "a field is empty", content_type = "text/html"),
                         (status = 429, description = "too many failed attempts", content_type = "text/html")))]
#[post("/login")]
pub async fn login(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let email = form.get("email").trim();
    let password = form.get("password");
    let mut errors = Vec::new();
    if email.is_empty() {
        errors.push(FieldMessage {
            field: "email",
            message: visitor.text("login-email-missing", &[])?,
        });
    }
    if password.is_empty() {
        errors.push(FieldMessage {
            field: "password",
            message: visitor.text("login-password-missing", &[])?,
        });
    }
    if !errors.is_empty() {
        return form_page(
            &visitor,
            StatusCode::UNPROCESSABLE_ENTITY,
            email,
            &errors,
            false,
        );
    }
    match auth::check_credentials(&visitor.state, &req, email, password.to_string()).await {
        Ok(user) if auth::policy::needs_second_factor(user.role) => {
            super::second_factor::begin(&visitor, user).await
        }
        Ok(user) => {
            let cookie = session::start(&visitor.state, user.id).await?;
            Ok(see_other("/home").cookie(cookie).finish())
        }
        Err(refusal) => {
            let (status, field, key, args) = match refusal.code {
                ErrorCode::Unauthorized => {
                    (StatusCode::UNAUTHORIZED, "password", "login-wrong", vec![])
                }
                ErrorCode::Forbidden => {
                    (StatusCode::FORBIDDEN, "email", "login-unverified", vec![])
                }
                ErrorCode::RateLimited => {
                    let minutes = refusal.retry_after.unwrap_or(60).div_ceil(60);
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        "password",
                        "login-throttled",
                        vec![("minutes", Arg::Count(minutes as i64))],
                    )
                }
                _ => return Err(refusal),
            };
            let errors = [FieldMessage {
                field,
                message: visitor.text(key, &args)?,
            }];
            let mut page = form_page(&visitor, status, email, &errors, false)?;
            if let Some(seconds) = refusal.retry_after {
                page.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
            }
            Ok(page)
        }
    }
}

/// Signs out: the session is revoked (its cookie opens nothing any more) and forgotten.
#[utoipa::path(responses((status = 303, description = "signed out: to /login"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html")))]
#[post("/logout")]
pub async fn logout(visitor: Visitor, form: PostedForm) -> AppResult<HttpResponse> {
    let forget = session::removal(&visitor.state, session::SESSION_COOKIE);
    let Some(signed_in) = &visitor.user else {
        // nothing to end (already signed out, or the session was ended elsewhere)
        return Ok(see_other("/login").cookie(forget).finish());
    };
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    session::end(&visitor.state, signed_in).await?;
    Ok(see_other("/login?signed-out").cookie(forget).finish())
}
