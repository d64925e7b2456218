//! Funds: each money figure of the service belongs to one fund, in its base currency.

pub mod model;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, patch, post};

use crate::audit;
use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::change;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult};
use crate::http::{PageParams, Paginated, ValidJson, json_with_etag, parse_id, parse_query};
use crate::state::AppState;
use model::{CreateFund, FundView, NewFund, UpdateFund};
use store::FundRow;

const ENTITY: crate::audit::Entity = crate::audit::Entity::Fund;

/// Creates a fund.
#[utoipa::path(security(("bearer" = [])), tag = "funds", request_body = CreateFund,
    responses((status = 201, body = FundView), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/funds")]
pub async fn create_fund(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<CreateFund>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreateFund)?;
    let new = body.0.validate()?;
    let actor = Actor::for_user(&req, &user);
    let created = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| create(conn, &actor, &new))
    })
    .await?;
    let version = created.version;
    Ok(json_with_etag(StatusCode::CREATED, &created, version))
}

/// A new fund: its code not taken yet (409 naming `code`), the row, its audit event. The one
/// way a fund comes into being, for the API and the demo alike.
pub fn create(conn: &mut DbConn, actor: &Actor, new: &NewFund) -> AppResult<FundView> {
    if store::find_by_code(conn, &new.code)?.is_some() {
        return Err(
            AppError::duplicate(format!("a fund with code {} already exists", new.code))
                .with_errors(vec![crate::error::FieldError::new(
                    "code",
                    "is already used",
                )]),
        );
    }
    let view = store::insert(conn, new)?.into_view()?;
    audit::created(conn, actor, audit::Entity::Fund, &view.id, &view)?;
    Ok(view)
}

/// Lists funds.
#[utoipa::path(security(("bearer" = [])), tag = "funds", params(PageParams),
    responses((status = 200, body = inline(Paginated<FundView>))))]
#[get("/api/v1/funds")]
pub async fn list_funds(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ListFunds)?;
    let page = parse_query::<PageParams>(&req)?.page()?;
    let page_for_query = page.clone();
    let rows = db::run(&state.pool, move |conn| {
        Ok(store::list(conn, &page_for_query)?)
    })
    .await?;
    let views = rows
        .into_iter()
        .map(|r| r.into_view())
        .collect::<AppResult<Vec<_>>>()?;
    Ok(
        HttpResponse::Ok().json(Paginated::from_rows(views, &page, |f: &FundView| {
            f.id.clone()
        })),
    )
}

/// Reads one fund.
#[utoipa::path(security(("bearer" = [])), tag = "funds",
    params(("id" = uuid::Uuid, Path, description = "fund id")),
    responses((status = 200, body = FundView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}")]
pub async fn get_fund(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadFund)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| {
        store::find(conn, &id)?
            .ok_or_else(|| AppError::not_found(ENTITY))?
            .into_view()
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// Changes a fund's name, support cost rate or quorum. Code and base currency are fixed:
/// every recorded amount depends on them.
#[utoipa::path(security(("bearer" = [])), tag = "funds",
    params(("id" = uuid::Uuid, Path, description = "fund id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = UpdateFund,
    responses((status = 200, body = FundView), (status = 412, body = crate::error::Problem)))]
#[patch("/api/v1/funds/{id}")]
pub async fn update_fund(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<UpdateFund>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::UpdateFund)?;
    let id = parse_id(&id, "id")?.to_string();
    let patch = body.0.validate()?;
    change::run::<FundRow, _>(&state, &req, user, &id, None, model::EditFund(patch)).await
}

impl change::Entity for FundRow {
    const KIND: audit::Entity = audit::Entity::Fund;
    type Locks = ();
    type View = FundView;
    type Id = crate::ids::FundId;

    fn lock(
        conn: &mut DbConn,
        _: &CurrentUser,
        id: &crate::ids::FundId,
    ) -> AppResult<((), FundRow)> {
        let row = store::find_for_update(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
        Ok(((), row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &FundRow, after: &FundRow) -> AppResult<bool> {
        Ok(store::save(conn, before, after)?)
    }

    fn view(&self, _: &mut DbConn) -> AppResult<FundView> {
        FundRow::view(self)
    }
}

impl change::Command<FundRow> for model::EditFund {
    fn action(&self) -> audit::Action {
        audit::Action::Update
    }

    fn decide(&self, conn: &mut DbConn, _: &(), current: &FundRow) -> AppResult<FundRow> {
        let next = self.0.applied_to(current);
        if next.organisation_identifier != current.organisation_identifier
            && current.organisation_identifier.is_some()
        {
            model::check_identifier_change(store::has_grants(conn, &current.id)?)?;
        }
        if next.established_on > current.established_on {
            model::check_established_on(
                next.established_on,
                crate::ledger::store::first_money_day(conn, &current.id)?,
            )?;
        }
        Ok(next)
    }
}
