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
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::audit;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::change;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::http::{PageParams, Paginated, ValidJson, json_with_etag, parse_id, parse_query};
use crate::ledger::{self, Conversion, FundLock, NewEntry, rules::EntryKind};
use crate::money::{Money, parse_decimal};
use crate::platform::{required_text, validated};
use crate::reports::model::ReportStatus;
use crate::state::AppState;
use model::{GrantStatus, GrantView};
use rules::GrantAction;
use store::{GrantMoney, GrantRow};

const ENTITY: crate::audit::Entity = crate::audit::Entity::Grant;

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
        let rows = store::list(conn, &scope, &filter, &page_for_query)?;
        store::views_of(conn, &rows)
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

/// One state change of a grant, a [`change::Command`] on [`GrantRow`]: the lifecycle rule
/// (409), the end checks, and on closing or terminating the release of what was not paid.
/// `by` is who asks (the signer is recorded; only the grantee's members sign).
#[derive(Debug, Clone)]
pub struct GrantChange {
    pub action: GrantAction,
    pub by: CurrentUser,
    pub reason: Option<String>,
}

impl GrantChange {
    /// The grantee accepts the agreement.
    pub fn sign(by: CurrentUser) -> Self {
        GrantChange {
            action: GrantAction::Sign,
            by,
            reason: None,
        }
    }

    /// Suspend, resume, terminate or close, with the reason given.
    pub fn manage(action: GrantAction, by: CurrentUser, reason: String) -> Self {
        GrantChange {
            action,
            by,
            reason: Some(reason),
        }
    }
}

impl change::Entity for GrantRow {
    const KIND: audit::Entity = audit::Entity::Grant;
    /// The grant's fund, locked first: closing or terminating moves money.
    type Locks = FundLock;
    type View = GrantView;
    type Id = crate::ids::GrantId;

    fn lock(
        conn: &mut DbConn,
        user: &CurrentUser,
        id: &crate::ids::GrantId,
    ) -> AppResult<(FundLock, GrantRow)> {
        lock_for_money(conn, user, id)
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &GrantRow, after: &GrantRow) -> AppResult<bool> {
        Ok(store::save(conn, before, after)?)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<GrantView> {
        store::view_of(conn, self)
    }
}

impl change::Command<GrantRow> for GrantChange {
    fn action(&self) -> audit::Action {
        self.action.action()
    }

    fn decide(&self, conn: &mut DbConn, _: &FundLock, current: &GrantRow) -> AppResult<GrantRow> {
        let signing = self.action == GrantAction::Sign;
        if signing {
            // only the grantee's own members sign its agreement
            policy::require_member(&self.by, &current.organisation_id, ENTITY)?;
        }
        let status = rules::transition(current.status, self.action)?;
        let money = store::money(conn, &current.id)?;
        let final_accepted =
            self.action == GrantAction::Close && final_report_accepted(conn, &current.id)?;
        rules::check_end(self.action, final_accepted, money.pending)?;
        Ok(GrantRow {
            status,
            status_reason: self.reason.clone().or(current.status_reason.clone()),
            signed_at: if signing {
                Some(crate::clock::now_naive())
            } else {
                current.signed_at
            },
            signed_by: if signing {
                Some(self.by.id.clone())
            } else {
                current.signed_by.clone()
            },
            ..current.clone()
        })
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        lock: &FundLock,
        _: &GrantRow,
        after: &GrantRow,
    ) -> AppResult<()> {
        registry::follow(conn, after)?;
        if after.is_finished() {
            let money = store::money(conn, &after.id)?;
            release_unpaid(conn, lock, after, &money, &self.by, self.action)?;
        }
        Ok(())
    }
}

/// Whether an accepted final report exists for the grant.
fn final_report_accepted(conn: &mut DbConn, grant_id: &str) -> AppResult<bool> {
    use crate::db::schema::grant_reports;
    use diesel::prelude::*;
    let n: i64 = grant_reports::table
        .filter(grant_reports::grant_id.eq(grant_id))
        .filter(grant_reports::kind.eq(model::ReportKind::Final))
        .filter(grant_reports::status.eq(ReportStatus::Accepted))
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
        .find(|e| e.kind == EntryKind::Commitment && e.reverses_id.is_none())
        .ok_or_else(|| AppError::internal(format!("grant {} has no commitment", grant.id)))?;
    let paid_base: i64 = entries
        .iter()
        .filter(|e| e.kind == EntryKind::Disbursement)
        .filter_map(|e| e.base_amount_minor)
        .sum();
    let released_base = (grant.base_amount_minor - paid_base).max(0);
    crate::earmarks::give_back(conn, &grant.id, released_base)?;
    let currency = grant.money()?.currency();
    let rate = parse_decimal(&grant.exchange_rate)
        .map_err(|e| AppError::internal(format!("grant {}: {e}", grant.id)))?;
    ledger::post(
        conn,
        lock,
        NewEntry {
            reverses_id: Some(commitment.id.clone()),
            source: Some((ENTITY, grant.id.clone())),
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
                crate::clock::today(),
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
    let command = GrantChange::sign(user.clone());
    change::run::<GrantRow, _>(&state, &req, user, &id, None, command).await
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
    let command = GrantChange::manage(action, user.clone(), reason);
    change::run::<GrantRow, _>(&state, &req, user, &id, None, command).await
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
