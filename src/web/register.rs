//! `GET/POST /register`: an organisation registers itself and its first member from a
//! browser: a small NGO to apply for grants, a government, agency, foundation or company
//! to keep its projects in the registry. The form is the API's `RegisterRequest` (the
//! organisation's kind, name, country and optional org-id identifier; the person's name,
//! email and password), sent to `accounts::register_organisation`, the function of
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
    kind: String,
    org_name: String,
    country: String,
    identifier: String,
    name: String,
    email: String,
}

impl Typed {
    fn of(form: &PostedForm) -> Typed {
        Typed {
            kind: form.get("kind").to_string(),
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
        api: "organisation.kind",
        field: "kind",
        key: "register-kind-invalid",
        quote: false,
    },
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
    let typed = Typed {
        kind: OrgKind::Ngo.as_str().to_string(),
        ..Typed::default()
    };
    form_page(&visitor, StatusCode::OK, &typed, &[])
}

/// The kinds of organisation that register themselves, named in the reader's language.
fn kinds(visitor: &Visitor) -> AppResult<Vec<super::Choice>> {
    super::choices(
        visitor.lang,
        "org-kind",
        OrgKind::ALL
            .iter()
            .filter(|k| crate::auth::rules::registration_role(**k).is_some())
            .map(|k| k.as_str()),
    )
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
            kinds => Serde(kinds(visitor)?),
            kind_error => message_of(errors, "kind"),
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
/// verifies the organisation before its first application can be sent (an NGO) or its
/// projects are public (any other kind). An address that
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
            // none chosen is the form's own choice, an NGO; a kind that is not one of ours
            // is refused like one that does not register itself, beside the field
            kind: if typed.kind.is_empty() {
                OrgKind::Ngo
            } else {
                OrgKind::ALL
                    .iter()
                    .copied()
                    .find(|k| k.as_str() == typed.kind)
                    .unwrap_or(OrgKind::Individual)
            },
            identifier: (!typed.identifier.is_empty()).then(|| typed.identifier.clone()),
        },
        user: RegisterUser {
            email: typed.email.clone(),
            name: typed.name.clone(),
            password: form.get("password").to_string(),
        },
    };
    let locale = visitor.lang.code();
    match accounts::register_organisation(&visitor.state, &req, request, locale).await {
        Ok(view) => visitor.page(
            StatusCode::OK,
            "register.html",
            context! {
                state => "done",
                registry => view.user.role == crate::auth::Role::Registry,
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
