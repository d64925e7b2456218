//! Grant applications, from the NGO's draft to the secretariat's screening. An NGO edits
//! its draft, checks `readiness`, submits; a submission freezes that revision (kept as a
//! snapshot under `revisions/{n}`); the secretariat screens it or returns it for revision,
//! which opens the next revision as a draft.

pub mod emails;
pub mod model;
pub mod overlaps;
pub mod rules;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, patch, post};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit;
use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::calls::model::Call;
use crate::change;
use crate::clock::stored_time;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::http::{
    PageParams, Paginated, ValidJson, etag_value, optional_json, parse_id, parse_json, parse_query,
};
use crate::idempotency::{self, Answer, Claim};
use crate::money::Currency;
use crate::state::AppState;
use model::{
    ApplicationStatus, ApplicationSummary, ApplicationView, Content, ReadinessView, ReturnRequest,
    RevisionSummary, RevisionView, ScreeningRequest, UpdateApplication,
};
use store::Application;

const ENTITY: crate::audit::Entity = crate::audit::Entity::Application;

/// The application `id` if `user` may see it; 404 otherwise, whether it exists or not.
pub fn find_visible(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<Application> {
    let app = store::find(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
    visible(conn, user, app)
}

/// The application `id` with its budget, beneficiaries and current documents, if `user`
/// may see it (404 otherwise): the API's read, and what a reviewer's page shows.
pub fn read_visible(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<ApplicationView> {
    let app = find_visible(conn, user, id)?;
    let documents = store::current_documents(conn, &app.id)?;
    Ok(app.view(&documents))
}

/// Like `find_visible`, inside a write transaction (the row locked on PostgreSQL).
pub fn find_visible_locked(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
) -> AppResult<Application> {
    let app = store::find_locked(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
    visible(conn, user, app)
}

/// An application's identity and state, without its content.
pub struct Header {
    pub id: String,
    pub organisation_id: String,
    pub status: ApplicationStatus,
    pub revision: i32,
}

/// The application `id`'s header if `user` may see it (404 otherwise); with `lock`, inside
/// a write transaction, its row is locked like `find_visible_locked` does.
pub fn find_visible_header(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
    lock: bool,
) -> AppResult<Header> {
    let row = store::find_row_only(conn, id, lock)?.ok_or_else(|| AppError::not_found(ENTITY))?;
    let status = row.status;
    if policy::application_visibility(user).allows_application(
        conn,
        &row.id,
        &row.organisation_id,
        &row.fund_id,
        status,
    )? {
        Ok(Header {
            id: row.id,
            organisation_id: row.organisation_id,
            status,
            revision: row.revision,
        })
    } else {
        Err(AppError::not_found(ENTITY))
    }
}

fn visible(conn: &mut DbConn, user: &CurrentUser, app: Application) -> AppResult<Application> {
    if policy::application_visibility(user).allows_application(
        conn,
        &app.id,
        &app.organisation_id,
        &app.fund_id,
        app.status,
    )? {
        Ok(app)
    } else {
        Err(AppError::not_found(ENTITY))
    }
}

/// The body of a create: empty, or JSON with the fields of a PATCH; with the hash of its
/// canonical form, for `Idempotency-Key` (an empty body counts as `{}`).
fn optional_body(req: &HttpRequest, body: &[u8]) -> AppResult<(UpdateApplication, String)> {
    let Some(value) = optional_json::<serde_json::Value>(req, body)? else {
        return Ok((UpdateApplication::default(), idempotency::sha256_hex(b"{}")));
    };
    let canonical = idempotency::canonical_json(&value);
    Ok((
        parse_json(canonical.as_bytes())?,
        idempotency::sha256_hex(canonical.as_bytes()),
    ))
}

/// Starts a draft application of the caller's organisation in an open call. The body may
/// be empty or carry any field of `PATCH /applications/{id}`. With `Idempotency-Key`, a
/// retry on a poor connection gets the first draft back instead of making a second one.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "call id"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe: the same key and body within 24 h return the first answer")),
    request_body(content = Option<UpdateApplication>, description = "optional first content of the draft"),
    security(("bearer" = [])),
    responses((status = 201, body = ApplicationView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/calls/{id}/applications")]
pub async fn create_application(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    call_id: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreateApplication)?;
    let organisation_id = policy::applicant_organisation(&user)?;
    let call_id = parse_id(&call_id, "id")?.to_string();
    let (first, hash) = optional_body(&req, &body)?;
    let claim = Claim::from_request(&req, &user.id, &hash)?;
    let actor = Actor::for_user(&req, &user);
    let (answer, replayed) = db::run(&state.pool, move |conn| {
        idempotency::run_blocking(conn, claim.as_ref(), |conn| {
            let app = start_draft(
                conn,
                &actor,
                &call_id,
                &organisation_id,
                Some(&user.id),
                |currency| first.apply(&Content::empty(), currency),
            )?;
            let view = app.view(&[]);
            Answer::json(StatusCode::CREATED, &view, Some(view.version))
        })
    })
    .await?;
    let id = serde_json::from_str::<serde_json::Value>(&answer.body)
        .ok()
        .and_then(|v| v["id"].as_str().map(str::to_string))
        .unwrap_or_default();
    let mut response = answer.into_response(replayed);
    if let Ok(location) = header::HeaderValue::from_str(&format!("/api/v1/applications/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// A new draft of `organisation_id` in the call `call_id`, which must be public and
/// accepting drafts (404, 409); `content` gives the first content in the call's currency.
/// The one way an application comes into being, for the API and the demo alike.
pub fn start_draft(
    conn: &mut DbConn,
    actor: &Actor,
    call_id: &str,
    organisation_id: &str,
    created_by: Option<&str>,
    content: impl FnOnce(Currency) -> AppResult<Content>,
) -> AppResult<Application> {
    let now = crate::clock::now();
    let call = crate::calls::store::find(conn, call_id)?
        .filter(|c| crate::calls::rules::is_public(c.status))
        .ok_or_else(|| AppError::not_found("call"))?;
    crate::calls::rules::accepts_drafts(&call, now)
        .map_err(|closed| AppError::invalid_state(closed.message()))?;
    let app = store::insert_draft(
        conn,
        store::NewDraft {
            call_id: &call.id,
            fund_id: &call.fund_id,
            organisation_id,
            currency: call.max_amount.currency(),
            created_by: created_by.map(str::to_string),
            content: content(call.max_amount.currency())?,
            now,
        },
    )?;
    audit::created(conn, actor, ENTITY, &app.id, &app.view(&[]))?;
    Ok(app)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApplicationQuery {
    pub call_id: Option<String>,
    pub status: Option<ApplicationStatus>,
    /// ISO 3166-1 alpha-2: applications working in this country.
    pub country: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// Lists the applications the caller may see: an NGO its own organisation's, the
/// secretariat all, trustees the submitted ones of their funds.
#[utoipa::path(tag = "applications",
    params(ApplicationQuery), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<ApplicationSummary>))))]
#[get("/api/v1/applications")]
pub async fn list_applications(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadApplication)?;
    let query: ApplicationQuery = parse_query(&req)?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let call_id = match &query.call_id {
        Some(c) => Some(
            uuid::Uuid::parse_str(c)
                .map_err(|_| AppError::field("call_id", "must be a UUID"))?
                .to_string(),
        ),
        None => None,
    };
    if let Some(country) = &query.country {
        let mut errors = Vec::new();
        crate::platform::country("country", country, &mut errors);
        crate::platform::validated((), errors)?;
    }
    let filter = store::ListFilter {
        call_id,
        status: query.status,
        country: query.country.clone(),
    };
    let visibility = policy::application_visibility(&user);
    let page_for_query = page.clone();
    let rows = db::run(&state.pool, move |conn| {
        store::list(conn, &visibility, &filter, &page_for_query)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Paginated::from_rows(
        rows,
        &page,
        |a: &ApplicationSummary| a.id.clone(),
    )))
}

/// Reads an application with its budget, beneficiaries and current documents.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id")), security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/applications/{id}")]
pub async fn get_application(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadApplication)?;
    let id = parse_id(&id, "id")?.to_string();
    // what a reader may see depends on who they are: kept per reader, and per what of
    // them decides it (role, organisation, boards), so that an answer made for a user as
    // they were before a change is never served to them as they are after it
    let key = format!(
        "{}/{}/{}/{}/{id}",
        user.id,
        user.role.as_str(),
        user.organisation_id.as_deref().unwrap_or(""),
        user.fund_ids.join(",")
    );
    let kept = state
        .applications
        .get_or_compute(key, |_| {
            db::run_point(&state.pool, move |conn| {
                read_visible(conn, &user, &id).map(Some)
            })
        })
        .await?
        .ok_or_else(|| AppError::not_found(ENTITY))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .insert_header((header::ETAG, etag_value(kept.view.version)))
        .body(kept.json.clone()))
}

/// Edits a draft. Only the fields named here can be set; status, version, reference,
/// scores or decisions in the body are refused (422) by name. A submitted application is
/// frozen (409).
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = UpdateApplication, security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[patch("/api/v1/applications/{id}")]
pub async fn update_application(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<UpdateApplication>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::UpdateApplication)?;
    let edit = Edit(body.0);
    change::run::<Application, _>(&state, &req, user, &id, None, edit).await
}

/// Judges, by the server clock, what still blocks a submission: the same rule `submit`
/// enforces. `ready` is true when nothing does.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id")), security(("bearer" = [])),
    responses((status = 200, body = ReadinessView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/applications/{id}/readiness")]
pub async fn readiness(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadApplication)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| {
        let app = find_visible(conn, &user, &id)?;
        let call = crate::calls::store::find(conn, &app.call_id)?
            .ok_or_else(|| AppError::internal(format!("application {id} has no call")))?;
        let now = Utc::now();
        let blockers: Vec<_> = gaps(conn, &app, &call, now)?
            .iter()
            .map(rules::Gap::blocker)
            .collect();
        Ok(ReadinessView {
            ready: blockers.is_empty(),
            blockers,
            checked_at: now,
            closes_at: call.closes_at,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// What still blocks `app`'s submission at `now`, by the rules `submit` enforces: the one
/// place the readiness list, the submission and the application page read them from.
pub fn gaps(
    conn: &mut DbConn,
    app: &Application,
    call: &Call,
    now: chrono::DateTime<Utc>,
) -> AppResult<Vec<rules::Gap>> {
    let kinds: Vec<String> = store::current_documents(conn, &app.id)?
        .into_iter()
        .map(|d| d.kind)
        .collect();
    let organisation_verified = organisation_verified(conn, &app.organisation_id)?;
    Ok(rules::gaps(&rules::Facts {
        status: app.status,
        revision: app.revision,
        content: &app.content,
        document_kinds: &kinds,
        call,
        now,
        organisation_verified,
    }))
}

/// Submits the draft: 409 unless it is a draft and the call takes it now (server clock,
/// UTC), 422 naming everything incomplete (the readiness rules). The submitted revision is
/// frozen as a snapshot, a reference number is given, and an acknowledgement is emailed.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/applications/{id}/submit")]
pub async fn submit_application(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::SubmitApplication)?;
    let submit = Submit {
        submitter_id: user.id.clone(),
        submitter_email: user.email.clone(),
    };
    change::run::<Application, _>(&state, &req, user, &id, None, submit).await
}

/// Withdraws the application, possible until the board decides.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/applications/{id}/withdraw")]
pub async fn withdraw_application(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WithdrawApplication)?;
    change::run::<Application, _>(&state, &req, user, &id, None, Withdraw).await
}

/// The secretariat's eligibility screening of a submitted application: `under_review` or
/// `ineligible` (notes required), and the organisation is told by email.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ScreeningRequest, security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/applications/{id}/screening")]
pub async fn screen_application(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ScreeningRequest>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ScreenApplication)?;
    let screening = Screen(body.0.validate()?);
    change::run::<Application, _>(&state, &req, user, &id, None, screening).await
}

/// Sends a submitted application back to its organisation: it becomes a draft again as the
/// next revision, the submitted one stays readable under `revisions/{n}`.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ReturnRequest, security(("bearer" = [])),
    responses((status = 200, body = ApplicationView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/applications/{id}/return-for-revision")]
pub async fn return_for_revision(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReturnRequest>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReturnApplication)?;
    let reason = ReturnForRevision {
        reason: body.0.validate()?,
    };
    change::run::<Application, _>(&state, &req, user, &id, None, reason).await
}

/// The submitted revisions of an application, oldest first.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id")), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<RevisionSummary>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/applications/{id}/revisions")]
pub async fn list_revisions(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadApplication)?;
    let id = parse_id(&id, "id")?.to_string();
    let revisions = db::run(&state.pool, move |conn| {
        find_visible_header(conn, &user, &id, false)?;
        store::list_revisions(conn, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Paginated {
        items: revisions,
        next_cursor: None,
    }))
}

/// One submitted revision exactly as it was sent (frozen).
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id"),
           ("revision" = i32, Path, minimum = 1, description = "revision number, from 1")),
    security(("bearer" = [])),
    responses((status = 200, body = RevisionView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/applications/{id}/revisions/{revision}")]
pub async fn get_revision(
    state: AppState,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadApplication)?;
    let (id, revision) = path.into_inner();
    let id = parse_id(&id, "id")?.to_string();
    let revision: i32 = revision
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| AppError::malformed("revision must be a whole number from 1"))?;
    let view = db::run(&state.pool, move |conn| {
        find_visible_header(conn, &user, &id, false)?;
        store::find_revision(conn, &id, revision)?.ok_or_else(|| AppError::not_found("revision"))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

impl change::Entity for Application {
    const KIND: audit::Entity = ENTITY;
    /// The application's call, read with a shared lock: a call before its applications
    /// (ARCHITECTURE.md), and a call cannot close under a submission in flight.
    type Locks = Call;
    type View = ApplicationView;
    type Id = crate::ids::ApplicationId;

    fn lock(
        conn: &mut DbConn,
        user: &CurrentUser,
        id: &crate::ids::ApplicationId,
    ) -> AppResult<(Call, Application)> {
        let call_id = store::find_row_only(conn, id, false)?
            .ok_or_else(|| AppError::not_found(ENTITY))?
            .call_id;
        let call = crate::calls::store::find_shared(conn, &call_id)?
            .ok_or_else(|| AppError::internal(format!("application {id} has no call")))?;
        let app = find_visible_locked(conn, user, id)?;
        Ok((call, app))
    }

    change::row_bookkeeping!(|at| stored_time(at));

    fn save(conn: &mut DbConn, before: &Application, after: &Application) -> AppResult<bool> {
        Ok(store::save(conn, before, after)?.is_some())
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<ApplicationView> {
        let documents = store::current_documents(conn, &self.id)?;
        Ok(Application::view(self, &documents))
    }
}

/// Edits a draft's content.
pub struct Edit(pub UpdateApplication);

impl change::Command<Application> for Edit {
    fn action(&self) -> audit::Action {
        audit::Action::Update
    }

    fn decide(&self, _: &mut DbConn, _: &Call, app: &Application) -> AppResult<Application> {
        rules::check_editable(app.status)?;
        let content = self.0.clone().apply(&app.content, app.currency)?;
        Ok(Application {
            content,
            ..app.clone()
        })
    }
}

/// Whether the secretariat has verified the organisation an application belongs to.
fn organisation_verified(conn: &mut DbConn, organisation_id: &str) -> AppResult<bool> {
    Ok(crate::organisations::store::find(conn, organisation_id)?.is_some_and(|org| org.verified))
}

/// Submits the current revision: frozen as a snapshot, given a reference, acknowledged by
/// email to the submitter.
pub struct Submit {
    pub submitter_id: String,
    pub submitter_email: String,
}

impl change::Command<Application> for Submit {
    fn action(&self) -> audit::Action {
        audit::Action::Submit
    }

    fn decide(&self, conn: &mut DbConn, call: &Call, app: &Application) -> AppResult<Application> {
        let now = crate::clock::now();
        rules::check_submission(&gaps(conn, app, call, now)?)?;
        let reference = match &app.reference {
            Some(r) => r.clone(),
            None => {
                let fund = crate::funds::store::find(conn, &app.fund_id)?
                    .ok_or_else(|| AppError::internal("an application's fund is missing"))?;
                store::next_reference(conn, &app.fund_id, &fund.code, now)?
            }
        };
        Ok(Application {
            status: ApplicationStatus::Submitted,
            reference: Some(reference),
            submitted_at: Some(now),
            contact_email: Some(self.submitter_email.clone()),
            return_reason: None,
            returned_at: None,
            ..app.clone()
        })
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        call: &Call,
        _: &Application,
        after: &Application,
    ) -> AppResult<()> {
        let view = change::Entity::view(after, conn)?;
        store::insert_revision(
            conn,
            &after.id,
            after.revision,
            &view,
            Some(&self.submitter_id),
            after.submitted_at.unwrap_or(after.updated_at),
        )?;
        overlaps::check(conn, after)?;
        emails::submitted(conn, after, &call.title)
    }
}

/// Withdraws the application, until the board decides.
pub struct Withdraw;

impl change::Command<Application> for Withdraw {
    fn action(&self) -> audit::Action {
        audit::Action::Withdraw
    }

    fn decide(&self, _: &mut DbConn, _: &Call, app: &Application) -> AppResult<Application> {
        Ok(Application {
            status: rules::withdraw(app.status)?,
            withdrawn_at: Some(crate::clock::now()),
            ..app.clone()
        })
    }
}

/// The secretariat's eligibility screening; the organisation is told by email.
pub struct Screen(pub ScreeningRequest);

impl change::Command<Application> for Screen {
    fn action(&self) -> audit::Action {
        audit::Action::Screen
    }

    fn decide(&self, _: &mut DbConn, _: &Call, app: &Application) -> AppResult<Application> {
        Ok(Application {
            status: rules::screen(app.status, self.0.eligible)?,
            screening: Some(store::Screening {
                eligible: self.0.eligible,
                notes: self.0.notes.clone(),
                screened_at: crate::clock::now(),
            }),
            ..app.clone()
        })
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        _: &Call,
        _: &Application,
        after: &Application,
    ) -> AppResult<()> {
        emails::screened(conn, after)
    }
}

/// Sends a submitted application back to its organisation as the next revision's draft.
pub struct ReturnForRevision {
    pub reason: String,
}

impl change::Command<Application> for ReturnForRevision {
    fn action(&self) -> audit::Action {
        audit::Action::Return
    }

    fn decide(&self, _: &mut DbConn, _: &Call, app: &Application) -> AppResult<Application> {
        Ok(Application {
            status: rules::return_for_revision(app.status)?,
            revision: app.revision + 1,
            return_reason: Some(self.reason.clone()),
            returned_at: Some(crate::clock::now()),
            submitted_at: None,
            screening: None,
            ..app.clone()
        })
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        _: &Call,
        before: &Application,
        after: &Application,
    ) -> AppResult<()> {
        let at = after.returned_at.unwrap_or(after.updated_at);
        store::mark_revision_returned(conn, &after.id, before.revision, &self.reason, at)?;
        emails::returned(conn, after, &self.reason)
    }
}

/// The board's decision on an application under review or deferred: the decided state
/// comes from the application's own rules.
pub struct Decide {
    pub outcome: crate::board::model::Outcome,
}

impl change::Command<Application> for Decide {
    fn action(&self) -> audit::Action {
        audit::Action::Decide
    }

    fn decide(&self, _: &mut DbConn, _: &Call, app: &Application) -> AppResult<Application> {
        Ok(Application {
            status: rules::decide(app.status, self.outcome)?,
            ..app.clone()
        })
    }
}
