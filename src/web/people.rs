//! The secretariat's people pages: `GET /users`, everyone with an account by name (email,
//! role, organisation, funds of a trustee, active or not, the language of their emails),
//! narrowed by role and by a search in names and addresses (a GET form), a page at a time,
//! with the invitations still waiting; `GET /users/invite` and `POST /users/invite`, the
//! invitation form: the organisation and the fund picked by name, the language of the
//! invitation email (the page's by default), sent through `accounts::invite`, the API's
//! own. Refused fields are said beside them with what was typed kept; the form's `once` key
//! is an idempotency key, so that a form posted twice sends one invitation.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::i18n::Lang;
use super::render::see_other;
use super::{FieldMessage, PostedForm, Visitor, format, message_of, query_param};
use crate::auth::accounts;
use crate::auth::model::CreateInvitation;
use crate::auth::policy::Operation;
use crate::auth::store::{self, UserFilter};
use crate::auth::{Actor, Role};
use crate::db;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::Page;
use crate::idempotency::{self, Answer};

/// The secretariat's list of people (linked from its home).
pub const PATH: &str = "/users";
/// The invitation form.
pub const INVITE: &str = "/users/invite";

/// How many accounts a page of the list shows.
const USERS_PER_PAGE: i64 = 50;
/// How many waiting invitations, organisations and funds the pages list.
const SHOWN: i64 = 500;
/// The longest search kept.
const MAX_SEARCH: usize = 200;

#[derive(Serialize)]
struct UserLine {
    name: String,
    email: String,
    role: String,
    organisation: Option<String>,
    funds: Vec<String>,
    active: bool,
    language: Option<&'static str>,
}

#[derive(Serialize)]
struct InvitationLine {
    email: String,
    role: String,
    belongs_to: Option<String>,
    language: Option<&'static str>,
    expires: String,
}

/// A choice of a select: its value and what the reader reads.
#[derive(Serialize)]
struct Pick {
    code: String,
    label: String,
}

/// The name of a language code in that language (`Español`), for a column or a select.
fn language_name(code: Option<&str>) -> Option<&'static str> {
    code.and_then(Lang::from_code).map(Lang::own_name)
}

fn role_name(lang: Lang, role: Role) -> AppResult<String> {
    super::i18n::text(lang, &format!("role-{}", role.as_str()), &[])
}

/// The roles for a select, in the reader's language.
fn role_options(lang: Lang) -> AppResult<Vec<Pick>> {
    Role::ALL
        .iter()
        .map(|r| {
            Ok(Pick {
                code: r.as_str().to_string(),
                label: role_name(lang, *r)?,
            })
        })
        .collect()
}

/// Everyone with an account, by name, and the invitations still waiting.
#[utoipa::path(responses((status = 200, description = "the people with an account and the invitations waiting", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "only the secretariat lists the people", content_type = "text/html")))]
#[get("/users")]
pub async fn user_list(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    if let Err(answer) = visitor.user_for(Operation::ReadUsers)? {
        return Ok(answer);
    }
    let role = query_param(&req, "role").and_then(|r| Role::from_db(&r).ok());
    let search: Option<String> = query_param(&req, "q")
        .map(|q| q.trim().chars().take(MAX_SEARCH).collect::<String>())
        .filter(|q| !q.is_empty());
    let after = query_param(&req, "after")
        .and_then(|a| uuid::Uuid::parse_str(&a).ok())
        .map(|a| a.to_string());
    let filter = UserFilter {
        role,
        search: search.clone(),
    };
    let page = Page {
        limit: USERS_PER_PAGE,
        after: after.clone(),
    };
    let (listed, waiting, names) = db::run(&visitor.state.pool, move |conn| {
        let listed = store::list_users(conn, &filter, &page)?;
        let waiting = accounts::pending_invitations(conn, SHOWN)?;
        let organisations: Vec<String> = waiting
            .iter()
            .filter_map(|i| i.organisation_id.clone())
            .collect();
        let mut names: std::collections::HashMap<String, String> =
            crate::organisations::store::names_of(conn, &organisations)?
                .into_iter()
                .map(|(id, (name, _))| (id, name))
                .collect();
        for fund in waiting.iter().filter_map(|i| i.fund_id.as_deref()) {
            if let Some(row) = crate::funds::store::find(conn, fund)? {
                names.insert(row.id, row.name);
            }
        }
        Ok((listed, waiting, names))
    })
    .await?;
    let lang = visitor.lang;
    let more = listed.len() > USERS_PER_PAGE as usize;
    let shown: Vec<_> = listed.into_iter().take(USERS_PER_PAGE as usize).collect();
    let next = if more {
        shown.last().map(|last| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            if let Some(role) = role {
                query.append_pair("role", role.as_str());
            }
            if let Some(search) = &search {
                query.append_pair("q", search);
            }
            query.append_pair("after", &last.user.id);
            format!("{PATH}?{}", query.finish())
        })
    } else {
        None
    };
    let users = shown
        .into_iter()
        .map(|u| {
            Ok(UserLine {
                role: role_name(lang, u.user.role)?,
                name: u.user.display_name,
                email: u.user.email,
                organisation: u.organisation,
                funds: u.funds,
                active: u.user.active,
                language: language_name(u.language.as_deref()),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let invitations = waiting
        .into_iter()
        .map(|i| {
            Ok(InvitationLine {
                email: i.email,
                role: role_name(lang, i.role)?,
                belongs_to: i
                    .organisation_id
                    .or(i.fund_id)
                    .and_then(|id| names.get(&id).cloned()),
                language: language_name(Some(i.language.as_deref().unwrap_or("en"))),
                expires: format::date(i.expires_at.date(), lang),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let notice = match query_param(&req, "done").as_deref() {
        Some("invited") => Some(visitor.text("users-invited-notice", &[])?),
        _ => None,
    };
    visitor.page(
        StatusCode::OK,
        "users.html",
        context! {
            users => Serde(users),
            invitations => Serde(invitations),
            roles => Serde(role_options(lang)?),
            role => role.map(|r| r.as_str()),
            q => search.unwrap_or_default(),
            filtered => role.is_some() || query_param(&req, "q").is_some(),
            next => next,
            first_page => after.is_none(),
            notice => notice,
        },
    )
}

/// What was typed in the invitation form.
#[derive(Serialize, Default)]
struct InviteForm {
    once: String,
    email: String,
    role: String,
    organisation_id: String,
    fund_id: String,
    language: String,
}

impl InviteForm {
    fn typed(form: &PostedForm) -> InviteForm {
        InviteForm {
            once: form.get("once").to_string(),
            email: form.get("email").trim().to_string(),
            role: form.get("role").to_string(),
            organisation_id: form.get("organisation_id").to_string(),
            fund_id: form.get("fund_id").to_string(),
            language: form.get("language").to_string(),
        }
    }

    /// The API's request; `None` when no role of the list was chosen.
    fn request(&self) -> Option<CreateInvitation> {
        let chosen = |v: &str| (!v.is_empty()).then(|| v.to_string());
        Some(CreateInvitation {
            email: self.email.clone(),
            role: Role::from_db(&self.role).ok()?,
            organisation_id: chosen(&self.organisation_id),
            fund_id: chosen(&self.fund_id),
            language: Some(self.language.clone()),
        })
    }
}

/// The invitation form, the language of its email the page's.
#[utoipa::path(responses((status = 200, description = "the invitation form", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "only the secretariat invites", content_type = "text/html")))]
#[get("/users/invite")]
pub async fn invite_form(visitor: Visitor) -> AppResult<HttpResponse> {
    if let Err(answer) = visitor.user_for(Operation::CreateInvitation)? {
        return Ok(answer);
    }
    let typed = InviteForm {
        language: visitor.lang.code().to_string(),
        ..InviteForm::default()
    };
    invite_page(&visitor, StatusCode::OK, typed, &[]).await
}

async fn invite_page(
    visitor: &Visitor,
    status: StatusCode,
    mut typed: InviteForm,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    if typed.once.is_empty() {
        typed.once = crate::auth::tokens::new_opaque();
    }
    // the summary in the order of the form
    const ORDER: [&str; 5] = ["email", "role", "organisation_id", "fund_id", "language"];
    let mut errors = errors.to_vec();
    errors.sort_by_key(|e| ORDER.iter().position(|f| *f == e.field));
    let errors = errors.as_slice();
    let (organisations, funds) = db::run(&visitor.state.pool, move |conn| {
        let page = Page {
            limit: SHOWN,
            after: None,
        };
        let organisations = crate::organisations::store::list(conn, None, None, &page)?;
        let funds = crate::funds::store::list(conn, &page)?;
        Ok((organisations, funds))
    })
    .await?;
    let lang = visitor.lang;
    let unverified = visitor.text("users-organisation-unverified", &[])?;
    let mut organisations: Vec<Pick> = organisations
        .into_iter()
        .map(|o| Pick {
            label: if o.verified {
                o.name
            } else {
                format!("{} ({unverified})", o.name)
            },
            code: o.id,
        })
        .collect();
    organisations.sort_by_key(|o| o.label.to_lowercase());
    let mut funds: Vec<Pick> = funds
        .into_iter()
        .map(|f| Pick {
            code: f.id,
            label: f.name,
        })
        .collect();
    funds.sort_by_key(|f| f.label.to_lowercase());
    let languages: Vec<Pick> = Lang::ALL
        .into_iter()
        .map(|l| Pick {
            code: l.code().to_string(),
            label: l.own_name().to_string(),
        })
        .collect();
    visitor.page(
        status,
        "invite.html",
        context! {
            f => Serde(typed),
            roles => Serde(role_options(lang)?),
            organisations => Serde(organisations),
            funds => Serde(funds),
            languages => Serde(languages),
            errors => Serde(errors),
            email_error => message_of(errors, "email"),
            role_error => message_of(errors, "role"),
            organisation_error => message_of(errors, "organisation_id"),
            fund_error => message_of(errors, "fund_id"),
            language_error => message_of(errors, "language"),
        },
    )
}

/// The API's refusal said beside each field, in the reader's language.
fn localise(visitor: &Visitor, error: &AppError) -> AppResult<Vec<FieldMessage>> {
    let mut out: Vec<FieldMessage> = Vec::new();
    for e in &error.errors {
        let (field, key): (&'static str, &str) = match e.field.as_str() {
            "email" if error.code == ErrorCode::Duplicate => ("email", "invite-email-taken"),
            "email" => ("email", "invite-email-invalid"),
            "organisation_id" if e.message.starts_with("is required") => {
                ("organisation_id", "invite-organisation-required")
            }
            "organisation_id" if e.message.starts_with("must be absent") => {
                ("organisation_id", "invite-organisation-absent")
            }
            "organisation_id" => ("organisation_id", "invite-organisation-invalid"),
            "fund_id" if e.message.starts_with("is required") => {
                ("fund_id", "invite-fund-required")
            }
            "fund_id" if e.message.starts_with("must be absent") => {
                ("fund_id", "invite-fund-absent")
            }
            "fund_id" => ("fund_id", "invite-fund-invalid"),
            "language" => ("language", "invite-language-invalid"),
            // the same form sent again with other values: its key was used
            _ if error.code == ErrorCode::Duplicate => ("email", "invite-already-sent"),
            _ => continue,
        };
        if out.iter().all(|m| m.field != field) {
            out.push(FieldMessage {
                field,
                message: visitor.text(key, &[])?,
            });
        }
    }
    Ok(out)
}

/// Sends the invitation through the API's own `accounts::invite`; back to the list, which
/// shows it waiting.
#[utoipa::path(responses((status = 303, description = "sent: to the list of people"),
                         (status = 403, description = "no valid CSRF token, or only the secretariat invites", content_type = "text/html"),
                         (status = 409, description = "the address has an account already", content_type = "text/html"),
                         (status = 422, description = "a field is missing or wrong", content_type = "text/html")))]
#[post("/users/invite")]
pub async fn invite(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::CreateInvitation)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let typed = InviteForm::typed(&form);
    let Some(request) = typed.request() else {
        // no role chosen: said first, with what else the address and language lack
        let mut errors = vec![FieldMessage {
            field: "role",
            message: visitor.text("invite-role-invalid", &[])?,
        }];
        let without_role = CreateInvitation {
            email: typed.email.clone(),
            role: Role::Reviewer,
            organisation_id: None,
            fund_id: None,
            language: Some(typed.language.clone()),
        };
        if let Err(e) = without_role.validate() {
            errors.extend(localise(&visitor, &e)?);
        }
        return invite_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, typed, &errors).await;
    };
    let invitation = match request.validate() {
        Ok(invitation) => invitation,
        Err(e) => {
            let errors = localise(&visitor, &e)?;
            return invite_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, typed, &errors).await;
        }
    };
    // what the claim of the form's `once` key covers: the invitation as validated
    let content = serde_json::to_value(&invitation)
        .map_err(|e| AppError::internal(format!("the invitation form: {e}")))?;
    let Some(claim) = form.once(
        &user.id,
        format!("POST {INVITE}"),
        idempotency::canonical_json(&content).as_bytes(),
    ) else {
        return visitor.refused();
    };
    let actor = Actor::for_user(&req, &user);
    let settings = visitor.state.settings.clone();
    let sent = db::run(&visitor.state.pool, move |conn| {
        idempotency::run_blocking(conn, Some(&claim), |conn| {
            let view = accounts::invite(conn, &settings, &actor, &user, &invitation)?;
            Answer::json(StatusCode::CREATED, &view, None)
        })
    })
    .await;
    match sent {
        Ok(_) => Ok(see_other(&format!("{PATH}?done=invited")).finish()),
        Err(e) if e.code.status().is_client_error() => {
            let errors = localise(&visitor, &e)?;
            if errors.is_empty() {
                return Err(e);
            }
            let status = if e.code == ErrorCode::Duplicate {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            invite_page(&visitor, status, typed, &errors).await
        }
        Err(e) => Err(e),
    }
}
