//! The NGO's way to the fund's money, as pages: `GET /calls` (the open calls, with who may
//! apply and what each asks for, said before anything is filled in), `POST
//! /calls/{id}/apply` (a draft), `GET /applications` (the organisation's applications),
//! and `GET /applications/{id}`: the draft's form, saved as often as the NGO likes, its
//! documents, the readiness checklist and the submission; afterwards the reference, the
//! status, what the secretariat asked to change, and the decision.
//!
//! Every write is the API's own: `applications::start_draft`, the `Edit` and `Submit`
//! commands through `change::run_view` with the form's version (a stale form changes
//! nothing), and `documents::receive_for` + `documents::attach` for uploads. The checklist
//! is `applications::gaps`, the list `submit` enforces, said in the reader's language.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use serde_json::{Value, json};

use super::i18n::{Arg, Lang};
use super::render::see_other;
use super::{
    Choice, FieldMessage, FormPart, PostedForm, Visitor, choices, field_messages, format,
    message_of, query_param,
};
use crate::applications::model::{ApplicationStatus, ApplicationSummary, UpdateApplication};
use crate::applications::rules::Gap;
use crate::applications::store::Application;
use crate::applications::{Edit, Submit};
use crate::auth::policy::{self, Operation};
use crate::auth::{Actor, CurrentUser};
use crate::calls::model::Call;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::{Expected, Page};
use crate::idempotency::{self, Answer};
use crate::review::rules::DueWindow;
use crate::taxonomy::{AgeGroup, Exploitation, Sex};

pub const CALLS: &str = "/calls";
pub const PATH: &str = "/applications";
/// The secretariat's queue: the applications sent and not yet screened.
pub const SCREENING_QUEUE: &str = "/applications?status=submitted";
/// The applications being reviewed, where the secretariat assigns reviewers.
pub const REVIEW_QUEUE: &str = "/applications?status=under_review";

/// Rows of the planned-people table and the fewest budget rows the form shows.
const GROUP_ROWS: usize = 8;
const BUDGET_ROWS: usize = 6;
/// How many calls and applications a page lists.
const LISTED: i64 = 100;

/// A call as the calls page shows it.
#[derive(Serialize)]
struct CallCard {
    id: String,
    title: String,
    description: String,
    deadline: String,
    opens: Option<String>,
    maximum: String,
    max_months: i32,
    countries: Vec<String>,
    themes: Vec<String>,
    documents: Vec<String>,
}

/// The open calls: what each funds, until when, for whom, with which documents.
#[utoipa::path(responses((status = 200, description = "the open calls", content_type = "text/html")))]
#[get("/calls")]
pub async fn open_calls(visitor: Visitor) -> AppResult<HttpResponse> {
    let calls = db::run(&visitor.state.pool, |conn| {
        let filter = crate::calls::store::CallFilter {
            fund_id: None,
            status: None,
            public_only: true,
        };
        let page = Page {
            limit: LISTED,
            after: None,
        };
        crate::calls::store::list(conn, &filter, &page)
    })
    .await?;
    let now = crate::clock::now();
    let lang = visitor.lang;
    let cards = calls
        .iter()
        .filter(|c| crate::calls::rules::accepts_drafts(c, now).is_ok())
        .map(|c| {
            Ok(CallCard {
                id: c.id.clone(),
                title: c.title.clone(),
                description: c.description.clone(),
                deadline: moment(c.closes_at, lang),
                opens: (c.opens_at > now).then(|| moment(c.opens_at, lang)),
                maximum: format::money(c.max_amount.amount(), c.max_amount.currency(), lang),
                max_months: c.max_duration_months,
                countries: c
                    .eligible_countries
                    .iter()
                    .map(|code| format::country(code, lang))
                    .collect(),
                themes: c.themes.iter().map(|t| format::earmark(t, lang)).collect(),
                documents: c.required_documents.iter().map(|d| kind_name(d)).collect(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let may_apply = visitor
        .user
        .as_ref()
        .is_some_and(|s| policy::authorize(&s.user, Operation::CreateApplication).is_ok());
    visitor.page(
        StatusCode::OK,
        "calls.html",
        context! {
            calls => Serde(cards),
            may_apply => may_apply,
            signed_in_user => visitor.user.is_some(),
            once => crate::auth::tokens::new_opaque(),
        },
    )
}

/// Starts a draft in the call (303 to its form). The form's `once` key makes a double click
/// start one draft.
#[utoipa::path(responses((status = 303, description = "the draft's form"),
                         (status = 403, description = "no valid CSRF token, or not an organisation's member", content_type = "text/html"),
                         (status = 404, description = "no such call", content_type = "text/html"),
                         (status = 409, description = "the call takes no application now", content_type = "text/html")))]
#[post("/calls/{id}/apply")]
pub async fn apply(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::CreateApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(call_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let Ok(organisation_id) = policy::applicant_organisation(&user) else {
        return visitor.not_allowed();
    };
    let Some(claim) = form.once(&user.id, format!("POST /calls/{call_id}/apply"), b"{}") else {
        return visitor.refused();
    };
    let actor = Actor::for_user(&req, &user);
    let started = db::run(&visitor.state.pool, move |conn| {
        idempotency::run_blocking(conn, Some(&claim), |conn| {
            let app = crate::applications::start_draft(
                conn,
                &actor,
                &call_id,
                &organisation_id,
                Some(&user.id),
                |_| Ok(crate::applications::model::Content::empty()),
            )?;
            Answer::json(StatusCode::CREATED, &json!({"id": app.id}), None)
        })
    })
    .await;
    match started {
        Ok((answer, _)) => {
            let id = serde_json::from_str::<Value>(&answer.body)
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_string))
                .ok_or_else(|| AppError::internal("a started draft without an id"))?;
            Ok(see_other(&format!("{PATH}/{id}")).finish())
        }
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        Err(e) if e.code == ErrorCode::InvalidState => visitor.page(
            StatusCode::CONFLICT,
            "message.html",
            context! {
                title => visitor.text("calls-closed-title", &[])?,
                message => visitor.text("calls-closed", &[])?,
                back => CALLS,
            },
        ),
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct ListLine {
    id: String,
    title: String,
    reference: Option<String>,
    status: String,
    amount: Option<String>,
    updated: String,
}

/// The applications the reader may see: an NGO's own organisation's, the secretariat all.
#[utoipa::path(responses((status = 200, description = "the applications", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "a role that reads no applications", content_type = "text/html")))]
#[get("/applications")]
pub async fn application_list(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    // `?status=submitted`: the secretariat's queue of applications to screen
    let status = query_param(&req, "status").and_then(|s| ApplicationStatus::from_db(&s).ok());
    let filter = crate::applications::store::ListFilter {
        status,
        ..Default::default()
    };
    let visibility = policy::application_visibility(&user);
    let rows: Vec<ApplicationSummary> = db::run(&visitor.state.pool, move |conn| {
        let page = Page {
            limit: LISTED,
            after: None,
        };
        crate::applications::store::list(conn, &visibility, &filter, &page)
    })
    .await?;
    let lang = visitor.lang;
    let lines = rows
        .iter()
        .take(LISTED as usize)
        .map(|a| {
            let currency = crate::money::Currency::parse(&a.currency)
                .map_err(|e| AppError::internal(e.to_string()))?;
            Ok(ListLine {
                id: a.id.clone(),
                title: a.title.clone(),
                reference: a.reference.clone(),
                status: visitor.text(&format!("app-status-{}", a.status.as_str()), &[])?,
                amount: a
                    .requested_amount
                    .as_deref()
                    .map(|m| format::money_text(m, currency, lang))
                    .transpose()?,
                updated: format::date(a.updated_at.date_naive(), lang),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let may_apply = policy::authorize(&user, Operation::CreateApplication).is_ok();
    let notice = match query_param(&req, "done").as_deref() {
        Some("screened") => Some(visitor.text("screen-done", &[])?),
        Some("returned") => Some(visitor.text("return-done", &[])?),
        _ => None,
    };
    let heading = match status {
        Some(ApplicationStatus::Submitted) => visitor.text("apps-to-screen", &[])?,
        Some(ApplicationStatus::UnderReview) => visitor.text("apps-in-review", &[])?,
        Some(other) => visitor.text(&format!("app-status-{}", other.as_str()), &[])?,
        None => visitor.text("apps-title", &[])?,
    };
    visitor.page(
        StatusCode::OK,
        "applications.html",
        context! {
            lines => Serde(lines),
            may_apply => may_apply,
            heading => heading,
            notice => notice,
        },
    )
}

/// An application: the draft's form with its documents and checklist, or what became of it.
#[utoipa::path(responses((status = 200, description = "the application", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 404, description = "no such application, or not yours", content_type = "text/html")))]
#[get("/applications/{id}")]
pub async fn application_page(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let notice = match query_param(&req, "done").as_deref() {
        Some("saved") => Some(visitor.text("apply-saved", &[])?),
        Some("uploaded") => Some(visitor.text("apply-uploaded", &[])?),
        Some("submitted") => Some(visitor.text("apply-submitted", &[])?),
        Some("assigned") => Some(visitor.text("assign-done", &[])?),
        _ => None,
    };
    show(
        &visitor,
        &user,
        &id,
        Shown {
            notice,
            ..Shown::default()
        },
    )
    .await
}

/// Saves the draft's form (303 back to it); refused fields come back beside their field.
#[utoipa::path(responses((status = 303, description = "saved: back to the form"),
                         (status = 403, description = "no valid CSRF token, or not the organisation's", content_type = "text/html"),
                         (status = 404, description = "no such application, or not yours", content_type = "text/html"),
                         (status = 409, description = "sent already, or changed since the form was made", content_type = "text/html"),
                         (status = 422, description = "a field is not right", content_type = "text/html")))]
#[post("/applications/{id}")]
pub async fn save_draft(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::UpdateApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let edit = match crate::http::parse_json::<UpdateApplication>(
        draft_json(&form).to_string().as_bytes(),
    ) {
        Ok(edit) => edit,
        Err(e) => return refused_edit(&visitor, &user, &id, form, e).await,
    };
    let saved = crate::change::run_view::<Application, _>(
        &visitor.state,
        &req,
        user.clone(),
        &id,
        Expected::from_form(form.get("version")),
        Edit(edit),
    )
    .await;
    match saved {
        Ok(view) => Ok(see_other(&format!("{PATH}/{}?done=saved", view.id)).finish()),
        Err(e) => refused_edit(&visitor, &user, &id, form, e).await,
    }
}

/// The form again after a refused save: the field errors beside their fields, or the word
/// that the application changed or was sent meanwhile; what was typed is kept.
async fn refused_edit(
    visitor: &Visitor,
    user: &CurrentUser,
    id: &str,
    form: PostedForm,
    error: AppError,
) -> AppResult<HttpResponse> {
    match error.code {
        ErrorCode::NotFound => visitor.not_found(),
        ErrorCode::PreconditionFailed | ErrorCode::InvalidState => {
            let stale = visitor.text("apply-stale", &[])?;
            show(
                visitor,
                user,
                id,
                Shown {
                    status: StatusCode::CONFLICT,
                    alert: Some(stale),
                    typed: Some(form),
                    ..Shown::default()
                },
            )
            .await
        }
        code if code.status().is_client_error() => {
            let errors = localise(visitor, &error)?;
            show(
                visitor,
                user,
                id,
                Shown {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    errors,
                    typed: Some(form),
                    ..Shown::default()
                },
            )
            .await
        }
        _ => Err(error),
    }
}

/// Uploads a document (multipart: `csrf`, `kind`, `file`), 303 back to the form; a refused
/// file is named beside the upload field.
#[utoipa::path(responses((status = 303, description = "uploaded: back to the form"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html"),
                         (status = 404, description = "no such application, or not yours", content_type = "text/html"),
                         (status = 409, description = "sent already", content_type = "text/html"),
                         (status = 413, description = "too large", content_type = "text/html"),
                         (status = 415, description = "not a type the fund takes", content_type = "text/html"),
                         (status = 422, description = "no file or no kind", content_type = "text/html")))]
#[post("/applications/{id}/documents")]
pub async fn upload(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::UploadDocument)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(app_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let received =
        crate::documents::receive_for(&visitor.state, &req, &user, &app_id, payload, &["csrf"])
            .await;
    let received = match received {
        Ok(received) => received,
        Err(e) => return refused_upload(&visitor, &user, &app_id, e).await,
    };
    let csrf = PostedForm::of(received.extra.clone());
    if !visitor.csrf_ok(&csrf) {
        return visitor.refused();
    }
    let actor = Actor::for_user(&req, &user);
    match crate::documents::attach(
        &visitor.state,
        actor,
        user.clone(),
        app_id.clone(),
        received,
    )
    .await
    {
        Ok(_) => Ok(see_other(&format!("{PATH}/{app_id}?done=uploaded#documents")).finish()),
        Err(e) => refused_upload(&visitor, &user, &app_id, e).await,
    }
}

async fn refused_upload(
    visitor: &Visitor,
    user: &CurrentUser,
    id: &str,
    error: AppError,
) -> AppResult<HttpResponse> {
    let key = match error.code {
        ErrorCode::NotFound => return visitor.not_found(),
        ErrorCode::InvalidState => "apply-stale",
        ErrorCode::PayloadTooLarge => "apply-upload-too-large",
        ErrorCode::UnsupportedMediaType => "apply-upload-type",
        ErrorCode::ValidationFailed if error.errors.iter().any(|e| e.field == "file") => {
            "apply-upload-no-file"
        }
        code if code.status().is_client_error() => "apply-upload-kind-invalid",
        _ => return Err(error),
    };
    let size = format::number(
        rust_decimal::Decimal::from(visitor.state.settings.documents.max_bytes >> 20),
        0,
        visitor.lang,
    );
    let message = visitor.text(key, &[("megabytes", Arg::Text(size))])?;
    show(
        visitor,
        user,
        id,
        Shown {
            status: error.code.status(),
            upload_error: Some(message),
            ..Shown::default()
        },
    )
    .await
}

/// Sends the application (303 back to it, now with its reference); what still blocks it is
/// the checklist, shown again.
#[utoipa::path(responses((status = 303, description = "sent: back to the application"),
                         (status = 403, description = "no valid CSRF token", content_type = "text/html"),
                         (status = 404, description = "no such application, or not yours", content_type = "text/html"),
                         (status = 409, description = "the call or the application does not allow it now", content_type = "text/html"),
                         (status = 422, description = "something is missing: the checklist says what", content_type = "text/html")))]
#[post("/applications/{id}/submit")]
pub async fn submit(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::SubmitApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let command = Submit {
        submitter_id: user.id.clone(),
        submitter_email: user.email.clone(),
    };
    let sent = crate::change::run_view::<Application, _>(
        &visitor.state,
        &req,
        user.clone(),
        &id,
        Expected::from_form(form.get("version")),
        command,
    )
    .await;
    let key = match sent {
        Ok(view) => {
            return Ok(see_other(&format!("{PATH}/{}?done=submitted", view.id)).finish());
        }
        Err(e) if e.code == ErrorCode::NotFound => return visitor.not_found(),
        Err(e) if e.code == ErrorCode::PreconditionFailed => "apply-stale",
        Err(e) if e.code.status().is_client_error() => "apply-not-ready",
        Err(e) => return Err(e),
    };
    let status = if key == "apply-stale" {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let alert = visitor.text(key, &[])?;
    show(
        &visitor,
        &user,
        &id,
        Shown {
            status,
            alert: Some(alert),
            ..Shown::default()
        },
    )
    .await
}

/// A document of the application, for its readers (404 for anyone else).
#[utoipa::path(responses((status = 200, description = "the document's bytes, typed as detected at upload"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 404, description = "no such document, or not yours", content_type = "text/html")))]
#[get("/applications/{id}/documents/{doc_id}")]
pub async fn document(
    visitor: Visitor,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let (id, doc_id) = path.into_inner();
    let (Ok(id), Ok(doc_id)) = (uuid::Uuid::parse_str(&id), uuid::Uuid::parse_str(&doc_id)) else {
        return visitor.not_found();
    };
    match crate::documents::download(&visitor.state, user, id.to_string(), doc_id.to_string()).await
    {
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        answer => answer,
    }
}

/// The secretariat's screening: eligible (to the reviewers) or not (notes required, said
/// beside the field); the organisation is told by email, as through the API.
#[utoipa::path(responses((status = 303, description = "screened: to the queue"),
                         (status = 403, description = "no valid CSRF token, or not the secretariat", content_type = "text/html"),
                         (status = 404, description = "no such application", content_type = "text/html"),
                         (status = 409, description = "screened or changed meanwhile", content_type = "text/html"),
                         (status = 422, description = "ineligible without a reason", content_type = "text/html")))]
#[post("/applications/{id}/screening")]
pub async fn screen(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::ScreenApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let eligible = match form.get("eligible") {
        "yes" => true,
        "no" => false,
        _ => {
            let message = visitor.text("screen-choose", &[])?;
            return secretariat_refused(&visitor, &user, &id, &form, ("eligible", message)).await;
        }
    };
    let request = crate::applications::model::ScreeningRequest {
        eligible,
        notes: form.get("notes").to_string(),
    };
    let screening = match request.validate() {
        Ok(screening) => screening,
        Err(_) => {
            let message = visitor.text("screen-notes-required", &[])?;
            return secretariat_refused(&visitor, &user, &id, &form, ("notes", message)).await;
        }
    };
    let screened = crate::change::run_view::<Application, _>(
        &visitor.state,
        &req,
        user.clone(),
        &id,
        Expected::from_form(form.get("version")),
        crate::applications::Screen(screening),
    )
    .await;
    secretariat_done(&visitor, &user, &id, &form, screened, "screened").await
}

/// Returns a submitted application to its organisation with what to change (required);
/// it becomes the next revision's draft, and the organisation is told by email.
#[utoipa::path(responses((status = 303, description = "returned: to the queue"),
                         (status = 403, description = "no valid CSRF token, or not the secretariat", content_type = "text/html"),
                         (status = 404, description = "no such application", content_type = "text/html"),
                         (status = 409, description = "decided or changed meanwhile", content_type = "text/html"),
                         (status = 422, description = "no reason given", content_type = "text/html")))]
#[post("/applications/{id}/return")]
pub async fn send_back(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::ReturnApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let request = crate::applications::model::ReturnRequest {
        reason: form.get("reason").to_string(),
    };
    let reason = match request.validate() {
        Ok(reason) => reason,
        Err(_) => {
            let message = visitor.text("return-reason-required", &[])?;
            return secretariat_refused(&visitor, &user, &id, &form, ("reason", message)).await;
        }
    };
    let returned = crate::change::run_view::<Application, _>(
        &visitor.state,
        &req,
        user.clone(),
        &id,
        Expected::from_form(form.get("version")),
        crate::applications::ReturnForRevision { reason },
    )
    .await;
    secretariat_done(&visitor, &user, &id, &form, returned, "returned").await
}

/// Assigns a reviewer picked by name with the day the review is due (303 back to the
/// reviewers); `review::assign` decides who may be and which days, and a refusal is said
/// beside the picker or the day, the day typed kept.
#[utoipa::path(responses((status = 303, description = "assigned: back to the application"),
                         (status = 403, description = "no valid CSRF token, or not the secretariat", content_type = "text/html"),
                         (status = 404, description = "no such application", content_type = "text/html"),
                         (status = 409, description = "already assigned, or not under review", content_type = "text/html"),
                         (status = 422, description = "not someone who may review it, or a due day outside the days allowed", content_type = "text/html")))]
#[post("/applications/{id}/assignments")]
pub async fn assign_reviewer(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::AssignReviewer)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(app_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let reviewer_id = form.get("reviewer_id").to_string();
    let typed_due = form.get("due_on").trim().to_string();
    let refused_day = |problem: DueProblem| Shown {
        status: StatusCode::UNPROCESSABLE_ENTITY,
        due: Some((typed_due.clone(), Some(problem))),
        ..Shown::default()
    };
    let given = if typed_due.is_empty() {
        None
    } else {
        match typed_due.parse::<chrono::NaiveDate>() {
            Ok(day) => Some(day),
            Err(_) => {
                return show(
                    &visitor,
                    &user,
                    &app_id,
                    refused_day(DueProblem::Unreadable),
                )
                .await;
            }
        }
    };
    let due = crate::review::Due {
        given,
        days: visitor.state.settings.review.days_to_review,
    };
    let actor = Actor::for_user(&req, &user);
    let (assigner, for_assign) = (user.clone(), app_id.clone());
    let assigned = db::run(&visitor.state.pool, move |conn| {
        crate::db::write_transaction(conn, |conn| {
            crate::review::assign(conn, &actor, &assigner, &for_assign, &reviewer_id, due)
        })
    })
    .await;
    let key = match assigned {
        Ok(_) => {
            return Ok(see_other(&format!("{PATH}/{app_id}?done=assigned#reviewers")).finish());
        }
        Err(e) if e.code == ErrorCode::NotFound => return visitor.not_found(),
        Err(e) if e.code == ErrorCode::Duplicate => "assign-duplicate",
        Err(e) if e.code == ErrorCode::InvalidState => "assign-not-open",
        Err(e) if e.errors.iter().any(|f| f.field == "due_on") => {
            return show(&visitor, &user, &app_id, refused_day(DueProblem::Outside)).await;
        }
        Err(e) if e.code.status().is_client_error() => "assign-refused",
        Err(e) => return Err(e),
    };
    let message = visitor.text(key, &[])?;
    show(
        &visitor,
        &user,
        &app_id,
        Shown {
            status: if key == "assign-refused" {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            },
            errors: vec![FieldMessage {
                field: "reviewer_id",
                message,
            }],
            due: Some((typed_due.clone(), None)),
            ..Shown::default()
        },
    )
    .await
}

/// Why the day typed for a review was refused: not a date, or outside the days allowed
/// (`review::due_window`, said with its first and last day).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DueProblem {
    Unreadable,
    Outside,
}

/// After a secretariat command: to the queue of applications to screen, or the page again
/// saying the application changed meanwhile.
async fn secretariat_done(
    visitor: &Visitor,
    user: &CurrentUser,
    id: &str,
    form: &PostedForm,
    outcome: AppResult<crate::applications::model::ApplicationView>,
    done: &str,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(_) => Ok(see_other(&format!("{SCREENING_QUEUE}&done={done}")).finish()),
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        Err(e) if e.code.status().is_client_error() => {
            let alert = visitor.text("apply-stale", &[])?;
            show(
                visitor,
                user,
                id,
                Shown {
                    status: StatusCode::CONFLICT,
                    alert: Some(alert),
                    desk: desk_typed(form),
                    ..Shown::default()
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The page again with the secretariat's form error beside its field (422).
async fn secretariat_refused(
    visitor: &Visitor,
    user: &CurrentUser,
    id: &str,
    form: &PostedForm,
    error: (&'static str, String),
) -> AppResult<HttpResponse> {
    show(
        visitor,
        user,
        id,
        Shown {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            errors: vec![FieldMessage {
                field: error.0,
                message: error.1,
            }],
            desk: desk_typed(form),
            ..Shown::default()
        },
    )
    .await
}

/// What the secretariat typed in its forms, kept when one is refused.
#[derive(Serialize, Default)]
struct DeskTyped {
    eligible: String,
    notes: String,
    reason: String,
}

fn desk_typed(form: &PostedForm) -> DeskTyped {
    DeskTyped {
        eligible: form.get("eligible").to_string(),
        notes: form.get("notes").to_string(),
        reason: form.get("reason").to_string(),
    }
}

/// The API's JSON of the posted draft form. Every part is sent, so that what the form
/// clears is cleared; an empty amount or duration is left as it was (the API has no way
/// to empty them, and the checklist still asks for them).
fn draft_json(form: &PostedForm) -> Value {
    let listed = |prefix: &str| -> Vec<String> {
        let mut codes: Vec<String> = form
            .names()
            .filter_map(|name| name.strip_prefix(prefix))
            .map(str::to_string)
            .collect();
        codes.sort();
        codes
    };
    // a whole number as a JSON number; anything else as typed, for the API to refuse
    let whole = |raw: &str| match raw.trim().parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) => json!(raw.trim()),
    };
    let groups: Vec<Value> = (0..GROUP_ROWS)
        .filter(|i| !form.get(&format!("count_{i}")).trim().is_empty())
        .map(|i| {
            json!({
                "sex": form.get(&format!("sex_{i}")),
                "age_group": form.get(&format!("age_{i}")),
                "exploitation": form.get(&format!("form_{i}")),
                "count": whole(form.get(&format!("count_{i}"))),
            })
        })
        .collect();
    let budget: Vec<Value> = (0..)
        .take_while(|i| form.has(&format!("category_{i}")))
        .filter(|i| {
            !(form.get(&format!("category_{i}")).trim().is_empty()
                && form.get(&format!("amount_{i}")).trim().is_empty())
        })
        .map(|i| {
            json!({
                "category": form.get(&format!("category_{i}")).trim(),
                "description": form.get(&format!("description_{i}")).trim(),
                "amount": form.get(&format!("amount_{i}")).trim(),
            })
        })
        .collect();
    let mut body = json!({
        "title": form.get("title").trim(),
        "summary": form.get("summary").trim(),
        "countries": listed("country_"),
        "themes": listed("theme_"),
        "planned_beneficiaries": groups,
        "budget": budget,
    });
    if !form.get("requested_amount").trim().is_empty() {
        body["requested_amount"] = json!(form.get("requested_amount").trim());
    }
    if !form.get("duration_months").trim().is_empty() {
        body["duration_months"] = whole(form.get("duration_months"));
    }
    body
}

/// The API's field errors said in the reader's language, one per part of the form.
fn localise(visitor: &Visitor, error: &AppError) -> AppResult<Vec<FieldMessage>> {
    const PARTS: &[FormPart] = &[
        FormPart::plain("title", "title", "apply-title-invalid"),
        FormPart::plain("summary", "summary", "apply-summary-invalid"),
        FormPart::plain(
            "requested_amount",
            "requested_amount",
            "apply-amount-invalid",
        ),
        FormPart::plain("currency", "requested_amount", "apply-amount-invalid"),
        FormPart::plain(
            "duration_months",
            "duration_months",
            "apply-duration-invalid",
        ),
        FormPart::plain("countries", "countries", "apply-countries-invalid"),
        FormPart::plain("themes", "themes", "apply-themes-invalid"),
        FormPart::plain(
            "planned_beneficiaries",
            "beneficiaries",
            "apply-groups-invalid",
        ),
        FormPart::plain("budget", "budget", "apply-budget-invalid"),
    ];
    field_messages(visitor, error, PARTS, ("title", "apply-stale"))
}

/// What a page shows beside the application itself.
struct Shown {
    status: StatusCode,
    notice: Option<String>,
    alert: Option<String>,
    errors: Vec<FieldMessage>,
    upload_error: Option<String>,
    /// The posted draft form, shown instead of what is saved.
    typed: Option<PostedForm>,
    /// What the secretariat typed in its screening or return form.
    desk: DeskTyped,
    /// The due day typed in the assignment form, and why it was refused if it was.
    due: Option<(String, Option<DueProblem>)>,
}

impl Default for Shown {
    fn default() -> Self {
        Shown {
            status: StatusCode::OK,
            notice: None,
            alert: None,
            errors: Vec::new(),
            upload_error: None,
            typed: None,
            desk: DeskTyped::default(),
            due: None,
        }
    }
}

/// The draft form's values: what is saved, or what was typed.
#[derive(Serialize)]
struct DraftForm {
    title: String,
    summary: String,
    requested_amount: String,
    duration_months: String,
    countries: Vec<Check>,
    themes: Vec<Check>,
    groups: Vec<GroupRow>,
    budget: Vec<BudgetRow>,
    sexes: Vec<Choice>,
    ages: Vec<Choice>,
    forms: Vec<Choice>,
}

#[derive(Serialize)]
struct Check {
    code: String,
    label: String,
    checked: bool,
}

#[derive(Serialize, Default)]
struct GroupRow {
    sex: String,
    age_group: String,
    exploitation: String,
    count: String,
}

#[derive(Serialize, Default)]
struct BudgetRow {
    category: String,
    description: String,
    amount: String,
}

/// A possible or assigned reviewer, named for the secretariat.
#[derive(Serialize)]
struct Person {
    id: String,
    label: String,
    state: Option<String>,
    /// When an awaited review is due ("due by …", or "late since …").
    due: Option<String>,
    late: bool,
}

/// The assignment form's due day: what it holds (the default, or what was typed), the days
/// allowed, and what the hint says of them.
#[derive(Serialize)]
struct DueForm {
    value: String,
    min: String,
    max: String,
    hint: String,
    /// When the fund's board meets next, if a session is scheduled.
    board: Option<String>,
}

/// A kind of document the call asks for, offered by the upload form.
#[derive(Serialize)]
struct KindOption {
    code: String,
    label: String,
}

#[derive(Serialize)]
struct DocumentLine {
    href: String,
    kind: String,
    file_name: String,
    size: String,
    uploaded: String,
}

/// A line of the checklist: what to do, and the part of the form it is about.
#[derive(Serialize)]
struct GapLine {
    anchor: &'static str,
    text: String,
}

#[derive(Serialize)]
struct AppHead {
    id: String,
    title: String,
    reference: Option<String>,
    status: String,
    status_help: String,
    status_code: &'static str,
    revision: i32,
    version: i64,
    currency: &'static str,
    call_title: String,
    deadline: String,
    return_reason: Option<String>,
    screening_notes: Option<String>,
    submitted: Option<String>,
    requested: Option<String>,
    duration_months: Option<i32>,
    summary: String,
    countries: Vec<String>,
    themes: Vec<String>,
    budget_total: String,
}

/// What the page reads: the application, its call, its documents and its gaps.
struct Loaded {
    app: Application,
    call: Call,
    documents: Vec<crate::applications::model::DocumentView>,
    gaps: Vec<Gap>,
    budget: Vec<crate::applications::model::BudgetLineView>,
    budget_total: String,
    /// For the secretariat while the application is reviewed: who may review it, and the
    /// days a review assigned now may be due on.
    candidates: Option<(Vec<crate::review::Candidate>, DueWindow)>,
    /// For those who read them (not the applicant), once submitted: the registry projects
    /// it may duplicate.
    overlaps: Option<crate::applications::overlaps::ApplicationOverlapsView>,
}

fn load(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
    days_to_review: u32,
) -> AppResult<Option<Loaded>> {
    let app = match crate::applications::find_visible(conn, user, id) {
        Ok(app) => app,
        Err(e) if e.code == ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let call = crate::calls::store::find(conn, &app.call_id)?
        .ok_or_else(|| AppError::internal(format!("application {id} has no call")))?;
    let documents: Vec<_> = crate::applications::store::current_documents(conn, &app.id)?
        .iter()
        .map(|d| d.view())
        .collect();
    let gaps = crate::applications::gaps(conn, &app, &call, crate::clock::now())?;
    let view = app.view(&[]);
    let candidates = if crate::review::rules::require_open(app.status).is_ok()
        && policy::authorize(user, Operation::AssignReviewer).is_ok()
    {
        Some((
            crate::review::candidates(conn, &app.id)?,
            crate::review::due_window(conn, &app.fund_id, days_to_review)?,
        ))
    } else {
        None
    };
    let overlaps = if app.status != ApplicationStatus::Draft
        && policy::authorize(user, Operation::ReadApplicationOverlaps).is_ok()
    {
        Some(crate::applications::overlaps::read(conn, user, &app.id)?)
    } else {
        None
    };
    Ok(Some(Loaded {
        overlaps,
        candidates,
        budget: view.budget,
        budget_total: view.budget_total,
        app,
        call,
        documents,
        gaps,
    }))
}

async fn show(
    visitor: &Visitor,
    user: &CurrentUser,
    raw_id: &str,
    shown: Shown,
) -> AppResult<HttpResponse> {
    let Ok(id) = uuid::Uuid::parse_str(raw_id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let reader = user.clone();
    let days = visitor.state.settings.review.days_to_review;
    let Some(loaded) = db::run(&visitor.state.pool, move |conn| {
        load(conn, &reader, &id, days)
    })
    .await?
    else {
        return visitor.not_found();
    };
    let lang = visitor.lang;
    let Loaded {
        app,
        call,
        documents,
        gaps,
        budget,
        budget_total,
        candidates,
        overlaps,
    } = loaded;
    let overlaps = overlaps
        .map(|o| super::overlaps::section(&o, lang))
        .transpose()?;
    let currency = app.currency;
    let editable = app.status == ApplicationStatus::Draft
        && policy::authorize(user, Operation::UpdateApplication).is_ok()
        && policy::require_member(user, &app.organisation_id, "application").is_ok();
    let head = AppHead {
        id: app.id.clone(),
        title: app.content.title.clone(),
        reference: app.reference.clone(),
        status: visitor.text(&format!("app-status-{}", app.status.as_str()), &[])?,
        status_help: visitor.text(&format!("app-status-help-{}", app.status.as_str()), &[])?,
        status_code: app.status.as_str(),
        revision: app.revision,
        version: app.version,
        currency: currency.code(),
        call_title: call.title.clone(),
        deadline: moment(call.closes_at, lang),
        return_reason: app
            .return_reason
            .clone()
            .filter(|_| app.status == ApplicationStatus::Draft),
        screening_notes: app
            .screening
            .as_ref()
            .filter(|s| !s.eligible)
            .map(|s| s.notes.clone()),
        submitted: app.submitted_at.map(|at| moment(at, lang)),
        requested: app
            .content
            .requested_amount
            .map(|m| format::money(m.amount(), m.currency(), lang)),
        duration_months: app.content.duration_months,
        summary: app.content.summary.clone(),
        countries: app
            .content
            .countries
            .iter()
            .map(|code| format::country(code, lang))
            .collect(),
        themes: app
            .content
            .themes
            .iter()
            .map(|t| format::earmark(t, lang))
            .collect(),
        budget_total: format::money_text(&budget_total, currency, lang)?,
    };
    let documents: Vec<DocumentLine> = documents
        .iter()
        .map(|d| DocumentLine {
            href: format!("{PATH}/{}/documents/{}", app.id, d.id),
            kind: kind_name(&d.kind),
            file_name: d.file_name.clone(),
            size: format::number(
                rust_decimal::Decimal::from((d.size_bytes + 1023) / 1024),
                0,
                lang,
            ) + " KB",
            uploaded: format::date(d.uploaded_at.date_naive(), lang),
        })
        .collect();
    let gap_lines = gaps
        .iter()
        .map(|g| gap_line(visitor, g))
        .collect::<AppResult<Vec<_>>>()?;
    let form = if editable {
        Some(draft_form(
            lang,
            &app,
            &call,
            &budget,
            shown.typed.as_ref(),
        )?)
    } else {
        None
    };
    let budget_lines: Vec<BudgetRow> = budget
        .iter()
        .map(|l| {
            Ok(BudgetRow {
                category: l.category.clone(),
                description: l.description.clone(),
                amount: format::money_text(&l.amount, currency, lang)?,
            })
        })
        .collect::<AppResult<_>>()?;
    let kinds: Vec<KindOption> = call
        .required_documents
        .iter()
        .map(|kind| KindOption {
            code: kind.clone(),
            label: kind_name(kind),
        })
        .collect();
    let mut errors = shown.errors;
    let (assigned, assignable, due_form) = match candidates {
        Some((people, window)) => {
            let mut assigned = Vec::new();
            let mut assignable = Vec::new();
            for person in people {
                let role = visitor.text(&format!("role-{}", person.role.as_str()), &[])?;
                match person.assigned {
                    Some(a) => {
                        let state = match (a.status.as_str(), a.submitted) {
                            (_, true) => "assign-state-submitted",
                            ("recused", _) => "assign-state-recused",
                            ("cleared", _) => "assign-state-scoring",
                            _ => "assign-state-declaring",
                        };
                        let due = (!a.submitted && a.status.as_str() != "recused").then(|| {
                            let key = if a.overdue {
                                "assign-late-since"
                            } else {
                                "assign-due-by"
                            };
                            let date = Arg::Text(format::date(a.due_on, lang));
                            visitor.text(key, &[("date", date)])
                        });
                        assigned.push(Person {
                            id: person.id,
                            label: format!("{} ({role})", person.name),
                            state: Some(visitor.text(state, &[])?),
                            due: due.transpose()?,
                            late: a.overdue,
                        });
                    }
                    None => assignable.push(Person {
                        id: person.id,
                        label: format!("{} — {} ({role})", person.name, person.email),
                        state: None,
                        due: None,
                        late: false,
                    }),
                }
            }
            let (typed, problem) = shown.due.clone().unwrap_or_default();
            let day = |d: chrono::NaiveDate| Arg::Text(format::date(d, lang));
            if let Some(problem) = problem {
                let message = match problem {
                    DueProblem::Unreadable => visitor.text("assign-due-unreadable", &[])?,
                    DueProblem::Outside => visitor.text(
                        "assign-due-outside",
                        &[("from", day(window.earliest)), ("to", day(window.latest))],
                    )?,
                };
                errors.push(FieldMessage {
                    field: "due_on",
                    message,
                });
            }
            let due_form = DueForm {
                value: if shown.due.is_some() {
                    typed
                } else {
                    window.default.to_string()
                },
                min: window.earliest.to_string(),
                max: window.latest.to_string(),
                hint: visitor.text(
                    "assign-due-hint",
                    &[
                        ("from", day(window.earliest)),
                        ("to", day(window.latest)),
                        ("count", Arg::Count(i64::from(days))),
                    ],
                )?,
                board: window
                    .board_meets
                    .map(|meets| visitor.text("assign-due-board", &[("date", day(meets))]))
                    .transpose()?,
            };
            (Some(assigned), Some(assignable), Some(due_form))
        }
        None => (None, None, None),
    };
    let may_screen = app.status == ApplicationStatus::Submitted
        && policy::authorize(user, Operation::ScreenApplication).is_ok();
    let may_return = crate::applications::rules::return_for_revision(app.status).is_ok()
        && policy::authorize(user, Operation::ReturnApplication).is_ok();
    let error_of = |field: &str| message_of(&errors, field);
    visitor.page(
        shown.status,
        "application.html",
        context! {
            a => Serde(head),
            f => Serde(form),
            budget_lines => Serde(budget_lines),
            documents => Serde(documents),
            kinds => Serde(kinds),
            gaps => Serde(gap_lines),
            ready => gaps.is_empty(),
            editable => editable,
            applicant => policy::require_member(user, &app.organisation_id, "application").is_ok()
                && user.organisation_id.is_some(),
            notice => shown.notice,
            alert => shown.alert,
            upload_error => shown.upload_error,
            errors => Serde(&errors),
            title_error => error_of("title"),
            summary_error => error_of("summary"),
            amount_error => error_of("requested_amount"),
            duration_error => error_of("duration_months"),
            countries_error => error_of("countries"),
            themes_error => error_of("themes"),
            groups_error => error_of("beneficiaries"),
            budget_error => error_of("budget"),
            assigned => Serde(assigned),
            assignable => Serde(assignable),
            reviewer_error => error_of("reviewer_id"),
            due => Serde(due_form),
            due_error => error_of("due_on"),
            may_screen => may_screen,
            may_return => may_return,
            desk => Serde(shown.desk),
            eligible_error => error_of("eligible"),
            notes_error => error_of("notes"),
            reason_error => error_of("reason"),
            overlaps => Serde(overlaps),
        },
    )
}

fn draft_form(
    lang: Lang,
    app: &Application,
    call: &Call,
    budget: &[crate::applications::model::BudgetLineView],
    typed: Option<&PostedForm>,
) -> AppResult<DraftForm> {
    let content = &app.content;
    let saved_or_typed = |name: &str, saved: String| match typed {
        Some(form) => form.get(name).to_string(),
        None => saved,
    };
    let checked = |prefix: &str, code: &str, saved: bool| match typed {
        Some(form) => form.has(&format!("{prefix}{code}")),
        None => saved,
    };
    let countries = call
        .eligible_countries
        .iter()
        .chain(
            content
                .countries
                .iter()
                .filter(|c| !call.eligible_countries.contains(c)),
        )
        .map(|code| Check {
            code: code.clone(),
            label: format::country(code, lang),
            checked: checked("country_", code, content.countries.contains(code)),
        })
        .collect();
    let offered: Vec<String> = if call.themes.is_empty() {
        crate::taxonomy::TOP_THEMES
            .iter()
            .chain(crate::taxonomy::SUB_THEMES)
            .map(|t| t.to_string())
            .collect()
    } else {
        call.themes.clone()
    };
    let themes = offered
        .iter()
        .map(|code| Check {
            code: code.clone(),
            label: format::earmark(code, lang),
            checked: checked("theme_", code, content.themes.contains(code)),
        })
        .collect();
    let groups = (0..GROUP_ROWS)
        .map(|i| match typed {
            Some(form) => GroupRow {
                sex: form.get(&format!("sex_{i}")).to_string(),
                age_group: form.get(&format!("age_{i}")).to_string(),
                exploitation: form.get(&format!("form_{i}")).to_string(),
                count: form.get(&format!("count_{i}")).to_string(),
            },
            None => content
                .planned_beneficiaries
                .get(i)
                .map(|b| GroupRow {
                    sex: b.sex.as_str().to_string(),
                    age_group: b.age_group.as_str().to_string(),
                    exploitation: b.exploitation.as_str().to_string(),
                    count: b.count.to_string(),
                })
                .unwrap_or_default(),
        })
        .collect();
    let budget = match typed {
        Some(form) => (0..)
            .take_while(|i| form.has(&format!("category_{i}")))
            .map(|i| BudgetRow {
                category: form.get(&format!("category_{i}")).to_string(),
                description: form.get(&format!("description_{i}")).to_string(),
                amount: form.get(&format!("amount_{i}")).to_string(),
            })
            .collect(),
        None => {
            let mut rows: Vec<BudgetRow> = budget
                .iter()
                .map(|l| BudgetRow {
                    category: l.category.clone(),
                    description: l.description.clone(),
                    amount: l.amount.clone(),
                })
                .collect();
            let blank = BUDGET_ROWS.max(rows.len() + 2) - rows.len();
            rows.extend((0..blank).map(|_| BudgetRow::default()));
            rows
        }
    };
    Ok(DraftForm {
        title: saved_or_typed("title", content.title.clone()),
        summary: saved_or_typed("summary", content.summary.clone()),
        requested_amount: saved_or_typed(
            "requested_amount",
            content
                .requested_amount
                .map(|m| m.amount_string())
                .unwrap_or_default(),
        ),
        duration_months: saved_or_typed(
            "duration_months",
            content
                .duration_months
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        countries,
        themes,
        groups,
        budget,
        sexes: choices(lang, "sex", Sex::ALL.iter().map(|s| s.as_str()))?,
        ages: choices(lang, "age", AgeGroup::ALL.iter().map(|a| a.as_str()))?,
        forms: choices(
            lang,
            "exploitation",
            Exploitation::ALL.iter().map(|f| f.as_str()),
        )?,
    })
}

/// A gap of the checklist in the reader's language, with the part of the form to fix.
fn gap_line(visitor: &Visitor, gap: &Gap) -> AppResult<GapLine> {
    let lang = visitor.lang;
    let text = |key: &str, args: &[(&str, Arg)]| visitor.text(key, args);
    let money = |m: &crate::money::Money| format::money(m.amount(), m.currency(), lang);
    let (anchor, text) = match gap {
        Gap::NotDraft(_) => ("status", text("apply-gap-not-draft", &[])?),
        Gap::CallClosed(crate::calls::rules::Closed::NotYet(at)) => (
            "status",
            text(
                "apply-gap-not-yet",
                &[("date", Arg::Text(moment(*at, lang)))],
            )?,
        ),
        Gap::CallClosed(crate::calls::rules::Closed::DeadlinePassed(at)) => (
            "status",
            text(
                "apply-gap-deadline",
                &[("date", Arg::Text(moment(*at, lang)))],
            )?,
        ),
        Gap::CallClosed(crate::calls::rules::Closed::NotOpen(_)) => {
            ("status", text("apply-gap-call-not-open", &[])?)
        }
        Gap::CallDecided => ("status", text("apply-gap-call-decided", &[])?),
        Gap::NotVerified => ("status", text("apply-gap-not-verified", &[])?),
        Gap::Required("title") => ("title", text("apply-gap-title", &[])?),
        Gap::Required("summary") => ("summary", text("apply-gap-summary", &[])?),
        Gap::Required("requested_amount") => ("requested_amount", text("apply-gap-amount", &[])?),
        Gap::Required(_) => ("duration_months", text("apply-gap-duration", &[])?),
        Gap::PersonalData(found) => {
            let anchor = if found.field == "title" {
                "title"
            } else {
                "summary"
            };
            let words = super::quoted(&found.message).join(", ");
            (
                anchor,
                text(
                    &format!("apply-gap-personal-{anchor}"),
                    &[("words", Arg::Text(words))],
                )?,
            )
        }
        Gap::AboveMaximum { maximum, .. } => (
            "requested_amount",
            text(
                "apply-gap-above-maximum",
                &[("maximum", Arg::Text(money(maximum)))],
            )?,
        ),
        Gap::LongerThanMaximum { maximum, .. } => (
            "duration_months",
            text(
                "apply-gap-too-long",
                &[("months", Arg::Count(i64::from(*maximum)))],
            )?,
        ),
        Gap::NoCountry => ("countries", text("apply-gap-no-country", &[])?),
        Gap::CountryNotEligible { country, .. } => (
            "countries",
            text(
                "apply-gap-country-not-eligible",
                &[("country", Arg::Text(format::country(country, lang)))],
            )?,
        ),
        Gap::NoTheme => ("themes", text("apply-gap-no-theme", &[])?),
        Gap::UnknownTheme { theme, .. } => (
            "themes",
            text(
                "apply-gap-unknown-theme",
                &[("theme", Arg::Text(theme.clone()))],
            )?,
        ),
        Gap::NoBudget => ("budget", text("apply-gap-no-budget", &[])?),
        Gap::BudgetMismatch { total, requested } => (
            "budget",
            text(
                "apply-gap-budget-mismatch",
                &[
                    ("total", Arg::Text(money(total))),
                    ("requested", Arg::Text(money(requested))),
                ],
            )?,
        ),
        Gap::MissingDocument(kind) => (
            "documents",
            text(
                "apply-gap-document",
                &[("kind", Arg::Text(kind_name(kind)))],
            )?,
        ),
    };
    Ok(GapLine { anchor, text })
}

/// A document kind as a reader sees it: the call's word with its dashes as spaces
/// (`registration-certificate` → `registration certificate`).
fn kind_name(kind: &str) -> String {
    kind.replace('-', " ")
}

/// A moment in the reader's language, to the minute, in UTC (the server's clock, which
/// judges deadlines).
fn moment(at: DateTime<Utc>, lang: Lang) -> String {
    format!(
        "{}, {} UTC",
        format::date(at.date_naive(), lang),
        at.format("%H:%M")
    )
}
