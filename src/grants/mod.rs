//! Grants: an approved application as an agreement with its grantee, paid in instalments.
//! A board approval creates the grant (`awaiting_signature`) together with the ledger
//! commitment, in the decision's transaction (`board`). Here the grantee signs it and the
//! secretariat suspends, resumes, terminates or closes it; closing or terminating releases
//! what was not paid back to the fund's available money.

pub mod model;
pub mod registry;
pub mod rules;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post};
use chrono::Utc;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::audit::{self, Actor, Change};
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::calls::model::stored_time;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult};
use crate::http::{
    Expected, PageParams, Paginated, ValidJson, if_match, json_with_etag, parse_id, parse_query,
};
use crate::ledger::{self, Conversion, FundLock, NewEntry, rules::EntryKind};
use crate::money::{Money, parse_decimal};
use crate::platform::{required_text, validated};
use model::{GrantStatus, GrantView};
use rules::GrantAction;
use store::{GrantMoney, GrantRow};

const ENTITY: &str = "grant";

/// The grant `id` if `user` may read it; 404 otherwise, whether it exists or not.
pub fn find_readable(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<GrantRow> {
    let grant = store::find(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
    policy::require_grant_reader(user, &grant.organisation_id, &grant.fund_id, ENTITY)?;
    Ok(grant)
}

/// For a write that may move money: the grant's fund locked first (every money write of a
/// fund takes that lock first, so no two transactions wait on each other in opposite
/// orders), then the grant's row, readable by `user` (404 otherwise).
pub fn lock_for_money(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
) -> AppResult<(FundLock, GrantRow)> {
    let fund_id = find_readable(conn, user, id)?.fund_id;
    let lock = ledger::lock_fund(conn, &fund_id)?
        .ok_or_else(|| AppError::internal("a grant's fund is missing"))?;
    let grant = store::find_locked(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
    Ok((lock, grant))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GrantQuery {
    pub fund_id: Option<String>,
    pub status: Option<GrantStatus>,
    pub organisation_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

fn uuid_filter(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    value
        .map(|v| {
            uuid::Uuid::parse_str(v)
                .map(|u| u.to_string())
                .map_err(|_| AppError::field(field, "must be a UUID"))
        })
        .transpose()
}

/// The grants the caller may see: the secretariat, finance and donors all, trustees their
/// funds', a grantee organisation its own; with what was disbursed and what remains.
#[utoipa::path(tag = "grants and money out",
    params(GrantQuery), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<GrantView>))))]
#[get("/api/v1/grants")]
pub async fn list_grants(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadGrants)?;
    let query: GrantQuery = parse_query(&req)?;
    let filter = store::GrantFilter {
        fund_id: uuid_filter("fund_id", query.fund_id.as_deref())?,
        status: query.status,
        organisation_id: uuid_filter("organisation_id", query.organisation_id.as_deref())?,
    };
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page()?;
    let scope = policy::grant_scope(&user);
    let page_for_query = page.clone();
    let views = db::run(&state.pool, move |conn| {
        store::list(conn, &scope, &filter, &page_for_query)?
            .iter()
            .map(|row| store::view_of(conn, row))
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(
        HttpResponse::Ok().json(Paginated::from_rows(views, &page, |g: &GrantView| {
            g.id.clone()
        })),
    )
}

/// One grant with its instalments, what was disbursed and what remains.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id")), security(("bearer" = [])),
    responses((status = 200, body = GrantView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/grants/{id}")]
pub async fn get_grant(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadGrants)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| {
        let grant = find_readable(conn, &user, &id)?;
        store::view_of(conn, &grant)
    })
    .await?;
    Ok(json_with_etag(StatusCode::OK, &view, view.version))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Why, for the record and the grantee.
    pub reason: String,
}

impl ReasonRequest {
    fn validate(self) -> AppResult<String> {
        let mut errors = Vec::new();
        let reason = required_text("reason", &self.reason, 5_000, &mut errors);
        validated(reason, errors)
    }
}

/// One state change of a grant in one transaction: fund and grant locked (404 when the
/// user may not read it), `If-Match` checked (412), the lifecycle rule (409), the
/// change saved with a version compare-and-swap, money released when the grant ends, and
/// the audit event written.
async fn change_grant(
    state: &AppState,
    req: &HttpRequest,
    user: CurrentUser,
    id: &str,
    action: GrantAction,
    reason: Option<String>,
) -> AppResult<GrantView> {
    let id = parse_id(id, "id")?.to_string();
    let expected: Expected = if_match(req);
    let actor = Actor::for_user(req, &user);
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            change(conn, &actor, &user, &id, action, reason, expected)
        })
    })
    .await
}

/// The change itself, inside the caller's write transaction (shared with the demo).
pub fn change(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    id: &str,
    action: GrantAction,
    reason: Option<String>,
    expected: Expected,
) -> AppResult<GrantView> {
    let (lock, current) = lock_for_money(conn, user, id)?;
    if action == GrantAction::Sign {
        // only the grantee's own members sign its agreement
        policy::require_member(user, &current.organisation_id, ENTITY)?;
    }
    expected.check(current.version)?;
    let status = rules::transition(current.status()?, action)?;
    let money = store::money(conn, id)?;
    let final_accepted = action == GrantAction::Close && final_report_accepted(conn, id)?;
    rules::check_end(action, final_accepted, money.pending)?;
    let now = stored_time(Utc::now()).naive_utc();
    let signing = action == GrantAction::Sign;
    let next = GrantRow {
        status: status.as_str().to_string(),
        status_reason: reason.clone().or(current.status_reason.clone()),
        signed_at: if signing {
            Some(now)
        } else {
            current.signed_at
        },
        signed_by: if signing {
            Some(user.id.clone())
        } else {
            current.signed_by.clone()
        },
        version: current.version + 1,
        updated_at: now,
        ..current.clone()
    };
    if !store::save(conn, &current, &next)? {
        return Err(AppError::stale(current.version));
    }
    registry::follow(conn, &next)?;
    if matches!(status, GrantStatus::Closed | GrantStatus::Terminated) {
        release_unpaid(conn, &lock, &next, &money, user, action)?;
    }
    let before = store::view_of(conn, &current)?;
    let after = store::view_of(conn, &next)?;
    audit::record(
        conn,
        actor,
        Change {
            entity: ENTITY,
            entity_id: id,
            action: action.as_str(),
            before: Some(&before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

/// Whether an accepted final report exists for the grant.
fn final_report_accepted(conn: &mut DbConn, grant_id: &str) -> AppResult<bool> {
    use crate::db::schema::grant_reports;
    use diesel::prelude::*;
    let n: i64 = grant_reports::table
        .filter(grant_reports::grant_id.eq(grant_id))
        .filter(grant_reports::kind.eq(model::ReportKind::Final.as_str()))
        .filter(grant_reports::status.eq("accepted"))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// When a grant ends, what it was not paid is no longer promised: a reversal of its
/// commitment for the unpaid amount returns it to the fund's available money. The base
/// amount released is the commitment's base minus the base of what was paid, so that the
/// grant's commitments net out exactly to what it was paid.
fn release_unpaid(
    conn: &mut DbConn,
    lock: &FundLock,
    grant: &GrantRow,
    money: &GrantMoney,
    user: &CurrentUser,
    action: GrantAction,
) -> AppResult<()> {
    let unpaid = grant.amount_minor - money.paid;
    if unpaid <= 0 {
        return Ok(());
    }
    let entries = ledger::store::entries_of_source(conn, ENTITY, &grant.id)?;
    let commitment = entries
        .iter()
        .find(|e| e.kind == EntryKind::Commitment.as_str() && e.reverses_id.is_none())
        .ok_or_else(|| AppError::internal(format!("grant {} has no commitment", grant.id)))?;
    let paid_base: i64 = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Disbursement.as_str())
        .filter_map(|e| e.base_amount_minor)
        .sum();
    let released_base = (grant.base_amount_minor - paid_base).max(0);
    let currency = grant.money()?.currency();
    let rate = parse_decimal(&grant.exchange_rate)
        .map_err(|e| AppError::internal(format!("grant {}: {e}", grant.id)))?;
    ledger::post(
        conn,
        lock,
        NewEntry {
            reverses_id: Some(commitment.id.clone()),
            source: Some((ENTITY.to_string(), grant.id.clone())),
            conversion: Some(Conversion {
                rate,
                base: Money::from_minor(-released_base, lock.base_currency),
            }),
            memo: Some(format!(
                "unpaid part of grant {} released ({})",
                grant.reference,
                action.as_str()
            )),
            recorded_by: Some(user.id.clone()),
            ..NewEntry::new(
                EntryKind::Commitment,
                Money::from_minor(-unpaid, currency),
                ledger::today(),
            )
        },
    )?;
    Ok(())
}

/// The grantee accepts the agreement: `awaiting_signature → active`. Only a member of the
/// grantee organisation signs; the first instalment (on signature) can then be paid.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    security(("bearer" = [])),
    responses((status = 200, body = GrantView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/grants/{id}/sign")]
pub async fn sign_grant(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::SignGrant)?;
    let view = change_grant(&state, &req, user, &id, GrantAction::Sign, None).await?;
    Ok(json_with_etag(StatusCode::OK, &view, view.version))
}

async fn manage(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReasonRequest>,
    action: GrantAction,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ManageGrant)?;
    let reason = body.0.validate()?;
    let view = change_grant(&state, &req, user, &id, action, Some(reason)).await?;
    Ok(json_with_etag(StatusCode::OK, &view, view.version))
}

/// Suspends an active grant: nothing is paid while it is suspended.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ReasonRequest, security(("bearer" = [])),
    responses((status = 200, body = GrantView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/grants/{id}/suspend")]
pub async fn suspend_grant(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReasonRequest>,
) -> AppResult<HttpResponse> {
    manage(state, req, user, id, body, GrantAction::Suspend).await
}

/// Resumes a suspended grant.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ReasonRequest, security(("bearer" = [])),
    responses((status = 200, body = GrantView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/grants/{id}/resume")]
pub async fn resume_grant(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReasonRequest>,
) -> AppResult<HttpResponse> {
    manage(state, req, user, id, body, GrantAction::Resume).await
}

/// Terminates an active or suspended grant (no payment may be pending): what was not paid
/// goes back to the fund's available money.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ReasonRequest, security(("bearer" = [])),
    responses((status = 200, body = GrantView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/grants/{id}/terminate")]
pub async fn terminate_grant(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReasonRequest>,
) -> AppResult<HttpResponse> {
    manage(state, req, user, id, body, GrantAction::Terminate).await
}

/// Closes an active grant once its final report is accepted and no payment is pending;
/// what was not paid goes back to the fund's available money.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ReasonRequest, security(("bearer" = [])),
    responses((status = 200, body = GrantView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/grants/{id}/close")]
pub async fn close_grant(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReasonRequest>,
) -> AppResult<HttpResponse> {
    manage(state, req, user, id, body, GrantAction::Close).await
}
