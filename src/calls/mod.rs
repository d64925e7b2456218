//! Calls for proposals: a fund's invitation to apply, with its deadline, ceiling,
//! eligible countries, themes, required documents and review rubric. Opened and closed
//! calls are public; drafts only the secretariat sees.

pub mod model;
pub mod rules;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, patch, post};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit;
use crate::auth::Actor;
use crate::auth::policy::{self, Operation};
use crate::auth::{CurrentUser, MaybeUser};
use crate::change;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult};
use crate::http::{Page, PageParams, Paginated, ValidJson, json_with_etag, parse_id, parse_query};
use crate::state::AppState;
use model::{Call, CallStatus, CallView, CreateCall, NewCall, UpdateCall};

const ENTITY: crate::audit::Entity = crate::audit::Entity::Call;

/// Whether this caller may see drafts.
fn sees_drafts(user: &MaybeUser) -> bool {
    user.0
        .as_ref()
        .is_some_and(|u| policy::authorize(u, Operation::ReadDraftCalls).is_ok())
}

/// Opens a new call (as a draft) in a fund.
#[utoipa::path(tag = "calls",
    params(("id" = uuid::Uuid, Path, description = "fund id")),
    request_body = CreateCall, security(("bearer" = [])),
    responses((status = 201, body = CallView), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/funds/{id}/calls")]
pub async fn create_call(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    fund_id: web::Path<String>,
    body: ValidJson<CreateCall>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreateCall)?;
    let fund_id = parse_id(&fund_id, "id")?.to_string();
    let new = body.0.validate()?;
    let actor = Actor::for_user(&req, &user);
    let view = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let call = create(conn, &actor, &fund_id, new)?;
            Ok(call.view(Utc::now()))
        })
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::CREATED, &view, version))
}

/// A new call, as a draft, in the fund `fund_id` (404 when there is none), with its audit
/// event. The one way a call comes into being, for the API and the demo alike.
pub fn create(conn: &mut DbConn, actor: &Actor, fund_id: &str, new: NewCall) -> AppResult<Call> {
    crate::funds::store::find(conn, fund_id)?.ok_or_else(|| AppError::not_found("fund"))?;
    let now = crate::clock::now();
    let call = store::insert(conn, fund_id, new, now)?;
    audit::created(conn, actor, ENTITY, &call.id, &call.view(now))?;
    Ok(call)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CallQuery {
    pub fund_id: Option<String>,
    pub status: Option<CallStatus>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// Lists calls: open, closed and decided ones to anyone, drafts to the secretariat.
#[utoipa::path(tag = "calls", params(CallQuery),
    responses((status = 200, body = inline(Paginated<CallView>))))]
#[get("/api/v1/calls")]
pub async fn list_calls(
    state: AppState,
    req: HttpRequest,
    user: MaybeUser,
) -> AppResult<HttpResponse> {
    let query: CallQuery = parse_query(&req)?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let fund_id = match &query.fund_id {
        Some(f) => Some(
            uuid::Uuid::parse_str(f)
                .map_err(|_| AppError::field("fund_id", "must be a UUID"))?
                .to_string(),
        ),
        None => None,
    };
    let filter = store::CallFilter {
        fund_id,
        status: query.status,
        public_only: !sees_drafts(&user),
    };
    let page_for_query: Page = page.clone();
    let calls = db::run(&state.pool, move |conn| {
        store::list(conn, &filter, &page_for_query)
    })
    .await?;
    let now = Utc::now();
    let views: Vec<CallView> = calls.iter().map(|c| c.view(now)).collect();
    Ok(
        HttpResponse::Ok().json(Paginated::from_rows(views, &page, |c: &CallView| {
            c.id.clone()
        })),
    )
}

async fn load_visible(state: &AppState, user: &MaybeUser, id: &str) -> AppResult<Call> {
    let id = parse_id(id, "id")?.to_string();
    let call = db::run(&state.pool, move |conn| store::find(conn, &id))
        .await?
        .ok_or_else(|| AppError::not_found(ENTITY))?;
    if rules::is_public(call.status) || sees_drafts(user) {
        Ok(call)
    } else {
        Err(AppError::not_found(ENTITY))
    }
}

/// Reads one call.
#[utoipa::path(tag = "calls",
    params(("id" = uuid::Uuid, Path, description = "call id")),
    responses((status = 200, body = CallView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/calls/{id}")]
pub async fn get_call(
    state: AppState,
    user: MaybeUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let call = load_visible(&state, &user, &id).await?;
    Ok(json_with_etag(
        StatusCode::OK,
        &call.view(Utc::now()),
        call.version,
    ))
}

/// Changes a call. A draft may change in everything but its currency; an open call only
/// in its title, description and deadline; a closed one not at all (409 naming the fields).
#[utoipa::path(tag = "calls",
    params(("id" = uuid::Uuid, Path, description = "call id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = UpdateCall, security(("bearer" = [])),
    responses((status = 200, body = CallView), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/api/v1/calls/{id}")]
pub async fn update_call(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<UpdateCall>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::UpdateCall)?;
    change::run::<Call, _>(&state, &req, user, &id, None, EditCall(body.0)).await
}

/// Opens a draft call: it becomes public, and takes submissions between `opens_at` and
/// `closes_at` by the server clock.
#[utoipa::path(tag = "calls",
    params(("id" = uuid::Uuid, Path, description = "call id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    security(("bearer" = [])),
    responses((status = 200, body = CallView), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/calls/{id}/open")]
pub async fn open_call(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::OpenCall)?;
    change::run::<Call, _>(&state, &req, user, &id, None, OpenCall).await
}

/// Closes an open call: no more drafts or first submissions.
#[utoipa::path(tag = "calls",
    params(("id" = uuid::Uuid, Path, description = "call id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    security(("bearer" = [])),
    responses((status = 200, body = CallView), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/calls/{id}/close")]
pub async fn close_call(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CloseCall)?;
    change::run::<Call, _>(&state, &req, user, &id, None, CloseCall).await
}

impl change::Entity for Call {
    const KIND: audit::Entity = ENTITY;
    type Locks = ();
    type View = CallView;
    type Id = crate::ids::CallId;

    fn lock(conn: &mut DbConn, _: &CurrentUser, id: &crate::ids::CallId) -> AppResult<((), Call)> {
        let call = store::find_locked(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
        Ok(((), call))
    }

    change::row_bookkeeping!(|at| crate::clock::stored_time(at));

    fn save(conn: &mut DbConn, before: &Call, after: &Call) -> AppResult<bool> {
        Ok(store::replace(conn, before.version, after)?.is_some())
    }

    fn view(&self, _: &mut DbConn) -> AppResult<CallView> {
        Ok(Call::view(self, Utc::now()))
    }
}

/// Edits a call within what its state allows (`rules::check_editable`).
pub struct EditCall(pub UpdateCall);

impl change::Command<Call> for EditCall {
    fn action(&self) -> audit::Action {
        audit::Action::Update
    }

    fn decide(&self, _: &mut DbConn, _: &(), call: &Call) -> AppResult<Call> {
        rules::check_editable(call.status, &self.0.fields())?;
        self.0.clone().apply(call)
    }
}

/// Opens a draft call.
pub struct OpenCall;

impl change::Command<Call> for OpenCall {
    fn action(&self) -> audit::Action {
        audit::Action::Open
    }

    fn decide(&self, _: &mut DbConn, _: &(), call: &Call) -> AppResult<Call> {
        Ok(Call {
            status: rules::open(call, Utc::now())?,
            ..call.clone()
        })
    }
}

/// Closes an open call.
pub struct CloseCall;

impl change::Command<Call> for CloseCall {
    fn action(&self) -> audit::Action {
        audit::Action::Close
    }

    fn decide(&self, _: &mut DbConn, _: &(), call: &Call) -> AppResult<Call> {
        Ok(Call {
            status: rules::close(call)?,
            ..call.clone()
        })
    }
}
