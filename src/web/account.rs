//! The pages the account emails link to (`email.link_base_url` + `/verify-email?token=…`
//! and `/reset-password?token=…`, see `notify::token_link`). Each calls the API's own
//! function (`accounts::confirm_email`, `accounts::reset_password`) and shows the outcome,
//! or the password policy's findings beside the field, in the visitor's language.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post};
use minijinja::context;
use minijinja::value::Serde;

use super::i18n::Arg;
use super::{FieldMessage, PostedForm, Visitor, message_of};
use crate::auth::Actor;
use crate::auth::accounts;
use crate::auth::model::{ConfirmPasswordReset, TokenRequest};
use crate::auth::password::{MAX_LENGTH, MIN_LENGTH, Weakness};
use crate::error::{AppError, AppResult, ErrorCode};

/// The `token` of a link's query, as sent.
fn token_of(req: &HttpRequest) -> String {
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// Whether an error is the API's "this link's token cannot be used".
fn token_refused(error: &AppError) -> bool {
    error.code == ErrorCode::ValidationFailed && error.errors.iter().any(|e| e.field == "token")
}

/// Opens the verification link: the address is confirmed (once; a second visit says the
/// link was used or has expired) and the page says what to do next.
#[utoipa::path(responses((status = 200, description = "the address is confirmed", content_type = "text/html"),
                         (status = 422, description = "the link is unknown, used or expired", content_type = "text/html")))]
#[get("/verify-email")]
pub async fn verify_email(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let token = TokenRequest {
        token: token_of(&req),
    };
    match accounts::confirm_email(&visitor.state, Actor::from_request(&req), token).await {
        Ok(()) => visitor.page(
            StatusCode::OK,
            "verify_email.html",
            context! { confirmed => true },
        ),
        Err(e) if token_refused(&e) => visitor.page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "verify_email.html",
            context! { confirmed => false },
        ),
        Err(e) => Err(e),
    }
}

/// The form of the reset link, or, when the link can no longer be used, a page that says so.
#[utoipa::path(responses((status = 200, description = "the new-password form", content_type = "text/html"),
                         (status = 422, description = "the link is unknown, used or expired", content_type = "text/html")))]
#[get("/reset-password")]
pub async fn reset_form(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let token = token_of(&req);
    match accounts::check_reset_token(&visitor.state, token.clone()).await {
        Ok(()) => reset_page(&visitor, StatusCode::OK, &token, &[]),
        Err(e) if token_refused(&e) => expired(&visitor),
        Err(e) => Err(e),
    }
}

fn reset_page(
    visitor: &Visitor,
    status: StatusCode,
    token: &str,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    visitor.page(
        status,
        "reset_password.html",
        context! {
            state => "form",
            token => token,
            min => MIN_LENGTH,
            errors => Serde(errors),
            password_error => message_of(errors, "password"),
        },
    )
}

fn expired(visitor: &Visitor) -> AppResult<HttpResponse> {
    visitor.page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "reset_password.html",
        context! { state => "expired" },
    )
}

/// Sets the new password through the API's own reset; the policy's findings come back
/// beside the field. Every session of the account ends; the page then offers to sign in.
#[utoipa::path(responses((status = 200, description = "the password is set", content_type = "text/html"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html"),
                         (status = 422, description = "the password is refused, or the link can no longer be used", content_type = "text/html")))]
#[post("/reset-password")]
pub async fn reset(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let token = form.get("token").to_string();
    let request = ConfirmPasswordReset {
        token: token.clone(),
        password: form.get("password").to_string(),
    };
    match accounts::reset_password(&visitor.state, &req, request).await {
        Ok(()) => visitor.page(
            StatusCode::OK,
            "reset_password.html",
            context! { state => "done" },
        ),
        Err(e) if token_refused(&e) => expired(&visitor),
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            let errors = e
                .errors
                .iter()
                .filter(|f| f.field == "password")
                .map(|f| {
                    Ok(FieldMessage {
                        field: "password",
                        message: weakness_text(&visitor, &f.message)?,
                    })
                })
                .collect::<AppResult<Vec<_>>>()?;
            if errors.is_empty() {
                return Err(e);
            }
            reset_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &token, &errors)
        }
        Err(e) => Err(e),
    }
}

/// "Forgot your password?": the address to send a reset link to.
#[utoipa::path(responses((status = 200, description = "the form", content_type = "text/html")))]
#[get("/forgot-password")]
pub async fn forgot_form(visitor: Visitor) -> AppResult<HttpResponse> {
    forgot_page(&visitor, StatusCode::OK, "", &[], false)
}

fn forgot_page(
    visitor: &Visitor,
    status: StatusCode,
    email: &str,
    errors: &[FieldMessage],
    sent: bool,
) -> AppResult<HttpResponse> {
    visitor.page(
        status,
        "forgot_password.html",
        context! {
            email => email,
            errors => Serde(errors),
            email_error => message_of(errors, "email"),
            sent => sent,
        },
    )
}

/// Sends the reset link through the API's own request (the same answer whether or not the
/// address has an account).
#[utoipa::path(responses((status = 200, description = "the link is sent if the account exists", content_type = "text/html"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html"),
                         (status = 422, description = "not an email address", content_type = "text/html")))]
#[post("/forgot-password")]
pub async fn forgot(visitor: Visitor, form: PostedForm) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let email = form.get("email").trim().to_string();
    let request = crate::auth::model::PasswordResetRequest {
        email: email.clone(),
    };
    match accounts::send_password_reset(&visitor.state, request, Some(visitor.lang.code())).await {
        Ok(()) => forgot_page(&visitor, StatusCode::OK, "", &[], true),
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            let errors = [FieldMessage {
                field: "email",
                message: visitor.text("forgot-email-invalid", &[])?,
            }];
            forgot_page(
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &email,
                &errors,
                false,
            )
        }
        Err(e) => Err(e),
    }
}

/// The page of the invitation email's link: the name and password of the new account, or,
/// when the invitation can no longer be used, a page that says so.
#[utoipa::path(responses((status = 200, description = "the form", content_type = "text/html"),
                         (status = 422, description = "the invitation is unknown, used or expired", content_type = "text/html")))]
#[get("/accept-invitation")]
pub async fn invitation_form(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let token = token_of(&req);
    match accounts::check_invitation_token(&visitor.state, token.clone()).await {
        Ok(()) => invitation_page(&visitor, StatusCode::OK, &token, "", &[]),
        Err(e) if token_refused(&e) => invitation_expired(&visitor),
        Err(e) => Err(e),
    }
}

fn invitation_page(
    visitor: &Visitor,
    status: StatusCode,
    token: &str,
    name: &str,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    visitor.page(
        status,
        "accept_invitation.html",
        context! {
            state => "form",
            token => token,
            name => name,
            min => MIN_LENGTH,
            errors => Serde(errors),
            name_error => message_of(errors, "name"),
            password_error => message_of(errors, "password"),
        },
    )
}

fn invitation_expired(visitor: &Visitor) -> AppResult<HttpResponse> {
    visitor.page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "accept_invitation.html",
        context! { state => "expired" },
    )
}

/// The password policy's finding in the visitor's language.
pub(super) fn weakness_text(visitor: &Visitor, message: &str) -> AppResult<String> {
    match Weakness::of_message(message) {
        Some(Weakness::TooShort) => visitor.text(
            "password-too-short",
            &[("min", Arg::Count(MIN_LENGTH as i64))],
        ),
        Some(Weakness::TooLong) => visitor.text(
            "password-too-long",
            &[("max", Arg::Count(MAX_LENGTH as i64))],
        ),
        Some(Weakness::TooEasy) => visitor.text("password-too-easy", &[]),
        None => visitor.text("password-refused", &[]),
    }
}

/// Creates the account through the API's own acceptance; field errors come back beside
/// their fields, with the name as typed.
#[utoipa::path(responses((status = 200, description = "the account is created", content_type = "text/html"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html"),
                         (status = 409, description = "the address has an account already", content_type = "text/html"),
                         (status = 422, description = "a field is refused, or the invitation can no longer be used", content_type = "text/html")))]
#[post("/accept-invitation")]
pub async fn accept_invitation(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let token = form.get("token").to_string();
    let name = form.get("name").to_string();
    let request = crate::auth::model::AcceptInvitation {
        token: token.clone(),
        name: name.clone(),
        password: form.get("password").to_string(),
    };
    // the language chosen on this page with the switch; else the invitation's stays
    let chosen = visitor.lang_chosen.then(|| visitor.lang.code());
    match accounts::accept(&visitor.state, &req, request, chosen).await {
        Ok(_) => visitor.page(
            StatusCode::OK,
            "accept_invitation.html",
            context! { state => "done" },
        ),
        Err(e) if token_refused(&e) => invitation_expired(&visitor),
        Err(e) if e.code == ErrorCode::Duplicate => visitor.page(
            StatusCode::CONFLICT,
            "accept_invitation.html",
            context! { state => "taken" },
        ),
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            let mut errors = Vec::new();
            for f in &e.errors {
                match f.field.as_str() {
                    "name" => errors.push(FieldMessage {
                        field: "name",
                        message: visitor.text("invite-name-invalid", &[])?,
                    }),
                    "password" => errors.push(FieldMessage {
                        field: "password",
                        message: weakness_text(&visitor, &f.message)?,
                    }),
                    _ => {}
                }
            }
            if errors.is_empty() {
                return Err(e);
            }
            invitation_page(
                &visitor,
                StatusCode::UNPROCESSABLE_ENTITY,
                &token,
                &name,
                &errors,
            )
        }
        Err(e) => Err(e),
    }
}
