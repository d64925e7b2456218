//! Money in: pledges announced by donors, contributions received (against a pledge or
//! unpledged), and donor statements. Every amount is also a ledger entry; pledge status and
//! statements are derived from the ledger.

pub mod actions;
pub mod model;
pub mod rules;
pub mod statement;
pub mod store;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post};

use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::change;
use crate::clock::today;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::{PageParams, Paginated, json_with_etag, optional_json, parse_id, parse_query};
use crate::idempotency::{self, Answer, Claim, IdempotentJson};
use crate::state::AppState;
use model::{
    CancelPledge, ContributionQuery, ContributionView, CreateContribution, CreatePledge,
    PledgeQuery, PledgeView, id_filter,
};
use statement::{StatementParams, StatementView};

fn fund_must_exist(conn: &mut crate::db::DbConn, fund_id: &str) -> AppResult<()> {
    crate::funds::store::find(conn, fund_id)?
        .map(|_| ())
        .ok_or_else(|| AppError::not_found("fund"))
}

/// Records a pledge. With `Idempotency-Key`, a retry gets the first answer.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "fund id"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe: the same key and body within 24 h return the first answer")),
    request_body = CreatePledge,
    responses((status = 201, body = PledgeView), (status = 404, body = crate::error::Problem),
              (status = 409, description = "Idempotency-Key reused with another body", body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/funds/{id}/pledges")]
pub async fn create_pledge(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: IdempotentJson<CreatePledge>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreatePledge)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    let new = body.body.validate(today())?;
    let actor = Actor::for_user(&req, &user);
    let claim = Claim::from_request(&req, &user.id, &body.hash)?;
    idempotency::run(&state.pool, claim, move |conn| {
        let view = actions::record_pledge(conn, &actor, &fund_id, &new, today())?;
        Answer::json(StatusCode::CREATED, &view, Some(view.version))
    })
    .await
}

/// Lists a fund's pledges.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "fund id"), PledgeQuery),
    responses((status = 200, body = inline(Paginated<PledgeView>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/pledges")]
pub async fn list_pledges(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadPledges)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    let query: PledgeQuery = parse_query(&req)?;
    let donor =
        policy::organisation_scope(&user, id_filter("donor_id", query.donor_id.as_deref())?)?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let page_for_query = page.clone();
    let views = db::run(&state.pool, move |conn| {
        fund_must_exist(conn, &fund_id)?;
        let rows = store::list_pledges(conn, &fund_id, donor.as_deref(), &page_for_query)?;
        store::pledge_views(conn, rows, today())
    })
    .await?;
    Ok(
        HttpResponse::Ok().json(Paginated::from_rows(views, &page, |p: &PledgeView| {
            p.id.clone()
        })),
    )
}

/// Reads a pledge with its status derived from the ledger.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "pledge id")),
    responses((status = 200, body = PledgeView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/pledges/{id}")]
pub async fn get_pledge(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadPledges)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| {
        let row = store::find_pledge(conn, &id)?.ok_or_else(|| AppError::not_found("pledge"))?;
        policy::require_reader(&user, &row.donor_id, "pledge")?;
        store::pledge_view(conn, row, today())
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// Cancels a pledge nothing was paid against (409 otherwise). Send the ETag last read in
/// `If-Match`; a stale one is refused with 412. The body `{"reason": "..."}` is optional.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "pledge id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body(content = Option<CancelPledge>),
    responses((status = 200, body = PledgeView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/pledges/{id}/cancel")]
pub async fn cancel_pledge(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CancelPledge)?;
    let id = parse_id(&id, "id")?.to_string();
    let cancel = optional_json::<CancelPledge>(&req, &body)?.unwrap_or_default();
    let reason = match cancel.reason {
        Some(r) => {
            let mut errors = Vec::new();
            let r = crate::platform::required_text("reason", &r, 1000, &mut errors);
            crate::platform::validated(Some(r), errors)?
        }
        None => None,
    };
    let command = actions::PledgeCancellation {
        reason,
        by: Some(user.id.clone()),
    };
    change::run::<store::PledgeRow, _>(&state, &req, user, &id, None, command).await
}

/// Records money received. Against a pledge it must be in the pledge's currency and dated
/// on or after the pledge; what exceeds the outstanding amount is recorded as a separate
/// unpledged contribution, described in `split`. Without `exchange_rate` the latest rate
/// valid on `received_on` is used (422 naming the currency and day when there is none).
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "fund id"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe: the same key and body within 24 h return the first answer")),
    request_body = CreateContribution,
    responses((status = 201, body = ContributionView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/funds/{id}/contributions")]
pub async fn create_contribution(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: IdempotentJson<CreateContribution>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreateContribution)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    let new = body.body.validate(today())?;
    let max_rate_age = state.settings.exchange.max_rate_age();
    let actor = Actor::for_user(&req, &user);
    let claim = Claim::from_request(&req, &user.id, &body.hash)?;
    idempotency::run(&state.pool, claim, move |conn| {
        let recorded = actions::record_contribution(conn, &actor, &fund_id, &new, max_rate_age)?;
        Answer::json(
            StatusCode::CREATED,
            &recorded.view,
            Some(recorded.view.version),
        )
    })
    .await
}

/// Lists a fund's contributions.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "fund id"), ContributionQuery),
    responses((status = 200, body = inline(Paginated<ContributionView>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/contributions")]
pub async fn list_contributions(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadContributions)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    let query: ContributionQuery = parse_query(&req)?;
    let donor =
        policy::organisation_scope(&user, id_filter("donor_id", query.donor_id.as_deref())?)?;
    let pledge = id_filter("pledge_id", query.pledge_id.as_deref())?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let page_for_query = page.clone();
    let rows = db::run(&state.pool, move |conn| {
        fund_must_exist(conn, &fund_id)?;
        Ok(store::list_contributions(
            conn,
            &fund_id,
            donor.as_deref(),
            pledge.as_deref(),
            &page_for_query,
        )?)
    })
    .await?;
    let views = rows
        .into_iter()
        .map(store::ContributionRow::into_view)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(Paginated::from_rows(
        views,
        &page,
        |c: &ContributionView| c.id.clone(),
    )))
}

/// Reads one contribution.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "contribution id")),
    responses((status = 200, body = ContributionView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/contributions/{id}")]
pub async fn get_contribution(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadContributions)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| {
        let row = store::find_contribution(conn, &id)?
            .ok_or_else(|| AppError::not_found("contribution"))?;
        policy::require_reader(&user, &row.donor_id, "contribution")?;
        row.into_view()
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// A donor's statement: pledges, cancellations and payments in date order with a running
/// balance per fund and currency, the balance brought forward and the balance at the end.
/// `Accept: text/csv` answers the whole period as CSV.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "organisation id"), StatementParams),
    responses((status = 200, description = "the statement; as CSV with Accept: text/csv",
               content((StatementView = "application/json"), (String = "text/csv")),
               headers(("X-Content-Type-Options" = String, description = "nosniff, on the CSV"),
                       ("Cache-Control" = String, description = "no-store, on the CSV"))),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/organisations/{id}/statement")]
pub async fn get_statement(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadStatement)?;
    let org_id = parse_id(&id, "id")?.to_string();
    policy::require_reader(&user, &org_id, "organisation")?;
    let params: StatementParams = parse_query(&req)?;
    let filter = params.validate()?;
    let page = PageParams {
        limit: params.limit,
        cursor: None,
    }
    .page()?;
    let cursor = params.cursor.clone();
    let csv = crate::http::wants_csv(&req);
    let statement = db::run(&state.pool, move |conn| {
        let org = crate::organisations::store::find(conn, &org_id)?
            .ok_or_else(|| AppError::not_found("organisation"))?;
        if let Some(fund_id) = &filter.fund_id {
            fund_must_exist(conn, fund_id)?;
        }
        let who = (org.id.as_str(), org.name.as_str());
        if csv {
            statement::build_all(conn, who, &filter)
        } else {
            let mut statement =
                statement::build(conn, who, &filter, page.limit, cursor.as_deref())?;
            statement.earmarked =
                crate::earmarks::earmarked_contributions(conn, &org.id, filter.fund_id.as_deref())?;
            Ok(statement)
        }
    })
    .await?;
    if csv {
        let body = statement::to_csv(&statement)?;
        // A statement is a donor's money: never kept by a shared cache or a browser, and
        // never sniffed into anything but the CSV it is.
        return Ok(HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
            .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"statement-{}.csv\"",
                    statement.organisation_id
                ),
            ))
            .body(body));
    }
    Ok(HttpResponse::Ok().json(statement))
}
