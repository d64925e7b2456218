//! `GET/POST /register`: a small NGO registers itself and its first member from a browser.
//! The form is the API's `RegisterRequest` (the organisation's name, country and optional
//! org-id identifier; the person's name, email and password; the kind is always `ngo`, the
//! only kind that registers itself), sent to `accounts::register_ngo`, the function of
//! `POST /api/v1/auth/register`: the same rules, throttle, duplicate-address answer and
//! verification email (here in the reader's language). Its refusals are said beside their
//! fields in the reader's language, with what was typed kept (never the password).

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post};
use minijinja::context;
use minijinja::value::Serde;

use super::i18n::Arg;
use super::render::see_other;
use super::{FieldMessage, FormPart, PostedForm, Visitor, field_messages, format, message_of};
use crate::auth::accounts;
use crate::auth::model::{RegisterOrganisation, RegisterRequest, RegisterUser};
use crate::auth::password::MIN_LENGTH;
use crate::error::{AppResult, ErrorCode};
use crate::organisations::model::OrgKind;

pub const PATH: &str = "/register";

/// The form's fields: what the visitor typed, given back when the form is refused.
#[derive(Default, serde::Serialize)]
struct Typed {
    org_name: String,
    country: String,
    identifier: String,
    name: String,
    email: String,
}

impl Typed {
    fn of(form: &PostedForm) -> Typed {
        Typed {
            org_name: form.get("org_name").to_string(),
            country: form.get("country").to_string(),
            identifier: form.get("identifier").trim().to_string(),
            name: form.get("name").to_string(),
            email: form.get("email").trim().to_string(),
        }
    }
}

/// Where each of the API's fields is said on the form, in the form's order.
const PARTS: &[FormPart] = &[
    FormPart {
        api: "organisation.name",
        field: "org_name",
        key: "register-org-name-invalid",
        quote: false,
    },
    FormPart {
        api: "organisation.country",
        field: "country",
        key: "register-country-invalid",
        quote: false,
    },
    FormPart {
        api: "organisation.identifier",
        field: "identifier",
        key: "register-identifier-invalid",
        quote: false,
    },
    FormPart {
        api: "user.name",
        field: "name",
        key: "register-name-invalid",
        quote: false,
    },
    FormPart {
        api: "user.email",
        field: "email",
        key: "register-email-invalid",
        quote: false,
    },
    FormPart {
        api: "user.password",
        field: "password",
        key: "password-refused",
        quote: false,
    },
];

/// The registration form; a signed-in visitor already has an account and goes home.
#[utoipa::path(responses((status = 200, description = "the registration form", content_type = "text/html"),
                         (status = 303, description = "already signed in: to /home")))]
#[get("/register")]
pub async fn register_form(visitor: Visitor) -> AppResult<HttpResponse> {
    if visitor.user.is_some() {
        return Ok(see_other("/home").finish());
    }
    form_page(&visitor, StatusCode::OK, &Typed::default(), &[])
}

fn form_page(
    visitor: &Visitor,
    status: StatusCode,
    typed: &Typed,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    visitor.page(
        status,
        "register.html",
        context! {
            state => "form",
            typed => Serde(typed),
            countries => Serde(format::countries(visitor.lang)),
            min => MIN_LENGTH,
            errors => Serde(errors),
            org_name_error => message_of(errors, "org_name"),
            country_error => message_of(errors, "country"),
            identifier_error => message_of(errors, "identifier"),
            name_error => message_of(errors, "name"),
            email_error => message_of(errors, "email"),
            // the address has an account: the ways in are offered beside it
            taken => status == StatusCode::CONFLICT,
            password_error => message_of(errors, "password"),
        },
    )
}

/// Registers the organisation and its first member through the API's own registration.
/// Success says that an email was sent to confirm the address and that the secretariat
/// verifies the organisation before its first application can be sent. An address that
/// already has an account (a second click, a reload, or an earlier registration) is said
/// beside the email, as the API says it (409).
#[utoipa::path(responses((status = 200, description = "registered: the confirmation email is sent", content_type = "text/html"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html"),
                         (status = 409, description = "the address already has an account", content_type = "text/html"),
                         (status = 422, description = "a field is refused", content_type = "text/html"),
                         (status = 429, description = "too many attempts from this address", content_type = "text/html")))]
#[post("/register")]
pub async fn register(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let typed = Typed::of(&form);
    let request = RegisterRequest {
        organisation: RegisterOrganisation {
            name: typed.org_name.clone(),
            country: typed.country.clone(),
            kind: OrgKind::Ngo,
            identifier: (!typed.identifier.is_empty()).then(|| typed.identifier.clone()),
        },
        user: RegisterUser {
            email: typed.email.clone(),
            name: typed.name.clone(),
            password: form.get("password").to_string(),
        },
    };
    let locale = visitor.lang.code();
    match accounts::register_ngo(&visitor.state, &req, request, locale).await {
        Ok(view) => visitor.page(
            StatusCode::OK,
            "register.html",
            context! {
                state => "done",
                email => view.user.email,
                hours => visitor.state.settings.auth.verification_ttl_hours,
                organisation => view.organisation.name,
            },
        ),
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            let mut errors = field_messages(&visitor, &e, PARTS, ("org_name", "register-refused"))?;
            if let (Some(finding), Some(message)) = (
                e.errors.iter().find(|f| f.field == "user.password"),
                errors.iter_mut().find(|m| m.field == "password"),
            ) {
                message.message = super::account::weakness_text(&visitor, &finding.message)?;
            }
            form_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &typed, &errors)
        }
        Err(e) if e.code == ErrorCode::Duplicate => {
            let errors = [FieldMessage {
                field: "email",
                message: visitor.text("register-email-taken", &[])?,
            }];
            form_page(&visitor, StatusCode::CONFLICT, &typed, &errors)
        }
        Err(e) if e.code == ErrorCode::RateLimited => {
            let minutes = e.retry_after.unwrap_or(60).div_ceil(60);
            let errors = [FieldMessage {
                field: "email",
                message: visitor.text(
                    "register-throttled",
                    &[("minutes", Arg::Count(minutes as i64))],
                )?,
            }];
            let mut page = form_page(&visitor, StatusCode::TOO_MANY_REQUESTS, &typed, &errors)?;
            if let Some(seconds) = e.retry_after {
                page.headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
            }
            Ok(page)
        }
        Err(e) => Err(e),
    }
}
