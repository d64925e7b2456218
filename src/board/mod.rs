//! The board of trustees: sessions with the trustees present, and decisions on
//! applications. An approval is a promise of money, so it creates the grant and its ledger
//! commitment in the decision's transaction, under the fund's lock, and fails with 409
//! `insufficient_funds` when the fund cannot cover it: racing approvals are serialised and
//! exactly the affordable ones succeed.

pub mod model;
pub mod rules;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post};
use chrono::Utc;
use rust_decimal::Decimal;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::applications::emails::{self, DecidedContext};
use crate::applications::store::Application;
use crate::audit;
use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::change;
use crate::clock::stored_time;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult, FieldError};
use crate::grants::model::{GrantStatus, GrantView, PlanShare};
use crate::grants::store::{GrantRow, InstalmentRow};
use crate::http::{
    Expected, PageParams, Paginated, ValidJson, json_with_etag, parse_id, parse_query,
};
use crate::idempotency::{self, Answer, Claim, IdempotentJson};
use crate::ids::ApplicationId;
use crate::ledger::{self, Conversion, FundLock, NewEntry, rules::EntryKind};
use crate::state::AppState;
use model::{
    Approval, CreateDecision, CreateSession, DecisionInput, DecisionView, NewSession, Outcome,
    SessionView,
};
use store::{DecisionRow, SessionRow};

const SESSION: &str = "board session";

fn session_view(conn: &mut DbConn, row: SessionRow, quorum: i32) -> AppResult<SessionView> {
    let trustees = store::session_trustees(conn, &row.id)?;
    let decisions = store::decisions_of_session(conn, &row.id)?
        .iter()
        .map(DecisionRow::view)
        .collect::<AppResult<_>>()?;
    Ok(SessionView {
        id: row.id,
        fund_id: row.fund_id,
        held_on: row.held_on,
        trustees,
        quorum,
        decisions,
        version: row.version,
        created_at: row.created_at.and_utc(),
    })
}

fn fund_quorum(conn: &mut DbConn, fund_id: &str) -> AppResult<i32> {
    Ok(crate::funds::store::find(conn, fund_id)?
        .ok_or_else(|| AppError::not_found("fund"))?
        .board_quorum)
}

/// Holds a board session of the fund with the trustees present, who must sit on the
/// fund's board (422 naming each one who does not).
#[utoipa::path(tag = "review and decision",
    params(("id" = uuid::Uuid, Path, description = "fund id")),
    request_body = CreateSession, security(("bearer" = [])),
    responses((status = 201, body = SessionView), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/funds/{id}/board-sessions")]
pub async fn create_session(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<CreateSession>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreateBoardSession)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    let new = body.0.validate()?;
    let actor = Actor::for_user(&req, &user);
    let view = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            hold_session(conn, &actor, &user, &fund_id, &new)
        })
    })
    .await?;
    Ok(json_with_etag(StatusCode::CREATED, &view, view.version))
}

/// A board session of the fund `fund_id` with the trustees present, who must sit on the
/// fund's board (422 naming each one who does not). The one way a session is recorded, for
/// the API and the demo alike.
pub fn hold_session(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    fund_id: &str,
    new: &NewSession,
) -> AppResult<SessionView> {
    let quorum = fund_quorum(conn, fund_id)?;
    let members = store::board_members(conn, fund_id, &new.trustee_ids)?;
    let strangers: Vec<FieldError> = new
        .trustee_ids
        .iter()
        .enumerate()
        .filter(|(_, t)| !members.contains(t))
        .map(|(i, _)| {
            FieldError::new(
                format!("trustee_ids[{i}]"),
                "is not an active trustee on this fund's board",
            )
        })
        .collect();
    if !strangers.is_empty() {
        return Err(AppError::validation(strangers));
    }
    let row = SessionRow {
        id: uuid::Uuid::now_v7().to_string(),
        fund_id: fund_id.to_string(),
        held_on: new.held_on,
        version: 1,
        created_by: Some(user.id.clone()),
        created_at: stored_time(Utc::now()).naive_utc(),
    };
    store::insert_session(conn, &row, &new.trustee_ids)?;
    let view = session_view(conn, row, quorum)?;
    audit::created(
        conn,
        actor,
        crate::audit::Entity::BoardSession,
        &view.id,
        &view,
    )?;
    Ok(view)
}

/// A session the board can decide at: `hold_session` once the trustees named reach the
/// fund's quorum (`rules::check_quorum`, the rule every decision applies; 409 on
/// `trustee_ids` otherwise). The secretariat's page records sessions this way, so that it
/// never records one at which nothing can be decided; the API records any session.
pub fn hold_quorate_session(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    fund_id: &str,
    new: &NewSession,
) -> AppResult<SessionView> {
    let quorum = fund_quorum(conn, fund_id)?;
    let members = store::board_members(conn, fund_id, &new.trustee_ids)?;
    if members.len() == new.trustee_ids.len() {
        rules::check_quorum(&members, &[], quorum)?;
    }
    // anyone named who does not sit on the board is refused by name there
    hold_session(conn, actor, user, fund_id, new)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// The fund's board sessions, oldest first, each with its trustees and decisions.
#[utoipa::path(tag = "review and decision",
    params(("id" = uuid::Uuid, Path, description = "fund id"), SessionQuery), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<SessionView>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/board-sessions")]
pub async fn list_sessions(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadBoardSessions)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    let query: SessionQuery = parse_query(&req)?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page()?;
    let page_for_query = page.clone();
    let views = db::run(&state.pool, move |conn| {
        sessions_of(conn, &user, &fund_id, &page_for_query)
    })
    .await?;
    Ok(
        HttpResponse::Ok().json(Paginated::from_rows(views, &page, |s: &SessionView| {
            s.id.clone()
        })),
    )
}

/// The board sessions of the fund `fund_id`, oldest first, each with its trustees and
/// decisions; 404 unless `user` reads that fund's board. The API's list and the pages'.
pub fn sessions_of(
    conn: &mut DbConn,
    user: &CurrentUser,
    fund_id: &str,
    page: &crate::http::Page,
) -> AppResult<Vec<SessionView>> {
    policy::require_board_reader(user, fund_id, "fund")?;
    let quorum = fund_quorum(conn, fund_id)?;
    store::list_sessions(conn, fund_id, page)?
        .into_iter()
        .map(|row| session_view(conn, row, quorum))
        .collect()
}

/// One board session with its trustees and decisions; 404 unless `user` reads its fund's
/// board. The API's read and the session's page.
pub fn read_session(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<SessionView> {
    let row = store::find_session(conn, id)?.ok_or_else(|| AppError::not_found(SESSION))?;
    policy::require_board_reader(user, &row.fund_id, SESSION)?;
    let quorum = fund_quorum(conn, &row.fund_id)?;
    session_view(conn, row, quorum)
}

/// One board session with its trustees and decisions.
#[utoipa::path(tag = "review and decision",
    params(("id" = uuid::Uuid, Path, description = "board session id")), security(("bearer" = [])),
    responses((status = 200, body = SessionView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/board-sessions/{id}")]
pub async fn get_session(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadBoardSessions)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| read_session(conn, &user, &id)).await?;
    Ok(json_with_etag(StatusCode::OK, &view, view.version))
}

/// Records the board's decision on an application under review (or deferred earlier):
/// approve (creating the grant, `awaiting_signature`, and its ledger commitment), reject,
/// or defer to the reserve list. Needs the fund's quorum of trustees present without a
/// conflict on the application (409), and for an approval money available (409
/// `insufficient_funds`). The applicant is told by email.
#[utoipa::path(tag = "review and decision",
    params(("id" = uuid::Uuid, Path, description = "board session id"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe: the same key and body within 24 h return the first answer")),
    request_body = CreateDecision, security(("bearer" = [])),
    responses((status = 201, body = DecisionView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/board-sessions/{id}/decisions")]
pub async fn create_decision(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: IdempotentJson<CreateDecision>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::DecideApplication)?;
    let session_id = parse_id(&id, "id")?.to_string();
    let input = body.body.validate()?;
    let terms = DecisionTerms::from_settings(&state.settings)?;
    let actor = Actor::for_user(&req, &user);
    let claim = Claim::from_request(&req, &user.id, &body.hash)?;
    idempotency::run(&state.pool, claim, move |conn| {
        let view = record_decision(conn, &actor, &user, &session_id, &input, terms)?;
        Answer::json(StatusCode::CREATED, &view, None)
    })
    .await
}

/// The settings a decision applies: the spend threshold of instalments and how old an
/// exchange rate may be to value a grant in another currency.
#[derive(Debug, Clone, Copy)]
pub struct DecisionTerms {
    pub spend_share: Decimal,
    pub max_rate_age: crate::exchange::MaxRateAge,
}

impl DecisionTerms {
    pub fn from_settings(settings: &crate::config::Settings) -> AppResult<Self> {
        Ok(DecisionTerms {
            spend_share: settings.grants.spend_share()?,
            max_rate_age: settings.exchange.max_rate_age(),
        })
    }
}

/// The decision itself, inside the caller's write transaction; shared by the handler and
/// the demo.
pub fn record_decision(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    session_id: &str,
    input: &DecisionInput,
    terms: DecisionTerms,
) -> AppResult<DecisionView> {
    let session =
        store::find_session(conn, session_id)?.ok_or_else(|| AppError::not_found(SESSION))?;
    policy::require_board_reader(user, &session.fund_id, SESSION)?;
    rules::check_held(session.held_on, crate::clock::today())?;
    // Every money write of a fund takes its lock first, so approvals are serialised.
    let lock = ledger::lock_fund(conn, &session.fund_id)?
        .ok_or_else(|| AppError::internal("a board session's fund is missing"))?;
    let app = crate::applications::store::find(conn, &input.application_id)?
        .filter(|a| a.fund_id == session.fund_id)
        .ok_or_else(|| {
            AppError::field("application_id", "no application of this fund has this id")
        })?;
    let present: Vec<String> = store::session_trustees(conn, &session.id)?
        .into_iter()
        .map(|t| t.id)
        .collect();
    let recused = store::recused_on(conn, &app.id)?;
    policy::require_decider(user, &present, &recused)?;
    // before anything is written: an approval says how open flagged overlaps were weighed
    let open_overlaps = crate::applications::overlaps::store::open_count(conn, &app.id)?;
    rules::check_overlap_weighing(
        input.outcome,
        open_overlaps,
        input.overlap_weighing.as_deref(),
    )?;
    // The application changes by its own command: its rules decide the state it reaches.
    change::apply::<Application, _>(
        conn,
        actor,
        user,
        &ApplicationId::from_stored(&app.id),
        Expected::Any,
        &crate::applications::Decide {
            outcome: input.outcome,
        },
    )?;
    rules::check_quorum(&present, &recused, lock.fund.board_quorum)?;
    let next = crate::applications::store::find(conn, &app.id)?
        .ok_or_else(|| AppError::internal("a decided application is missing"))?;

    let decision_id = uuid::Uuid::now_v7().to_string();
    let now = stored_time(Utc::now());
    let grant = match input.outcome {
        Outcome::Approved => {
            let approval = input.approval(
                app.currency,
                app.content.requested_amount,
                session.held_on,
                terms.spend_share,
            )?;
            Some(create_grant(
                conn,
                actor,
                &lock,
                &app,
                &approval,
                input.conditions.clone(),
                session.held_on,
                user,
                terms,
            )?)
        }
        Outcome::Rejected | Outcome::Deferred => None,
    };

    let row = DecisionRow {
        id: decision_id,
        session_id: session.id.clone(),
        fund_id: session.fund_id.clone(),
        application_id: app.id.clone(),
        outcome: input.outcome,
        approved_amount_minor: grant.as_ref().map(|(g, _)| g.amount_minor),
        currency: app.currency.code().to_string(),
        conditions: input.conditions.clone(),
        rationale: input.rationale.clone(),
        grant_id: grant.as_ref().map(|(g, _)| g.id.clone()),
        decided_by: Some(user.id.clone()),
        decided_at: now.naive_utc(),
        overlap_weighing: input.overlap_weighing.clone(),
    };
    store::insert_decision(conn, &row)?;
    if row.overlap_weighing.is_some() {
        crate::applications::overlaps::store::mark_weighed(conn, &app.id, &row.id)?;
    }
    let mut view = row.view()?;
    audit::created(
        conn,
        actor,
        crate::audit::Entity::BoardDecision,
        &view.id,
        &view,
    )?;
    emails::decided(
        conn,
        &next,
        DecidedContext {
            application_id: &app.id,
            reference: app.reference.as_deref().unwrap_or_default(),
            title: &app.content.title,
            outcome: input.outcome.as_str(),
            approved_amount: view.approved_amount.clone(),
            currency: app.currency.code(),
            instalments: grant
                .as_ref()
                .map(|(_, g)| g.instalments.len())
                .unwrap_or(0),
            conditions: input.conditions.as_deref(),
        },
    )?;
    view.grant = grant.map(|(_, g)| g);
    Ok(view)
}

/// Creates the grant of an approval with its instalments and posts its commitment, valued
/// at the rate of the decision's day, after checking that the fund can cover it.
#[allow(clippy::too_many_arguments)]
fn create_grant(
    conn: &mut DbConn,
    actor: &Actor,
    lock: &FundLock,
    app: &Application,
    approval: &Approval,
    conditions: Option<String>,
    decided_on: chrono::NaiveDate,
    user: &CurrentUser,
    terms: DecisionTerms,
) -> AppResult<(GrantRow, GrantView)> {
    let amount = approval.amount;
    let base_currency = lock.base_currency;
    let starts_on = decided_on;
    let duration = app.content.duration_months.unwrap_or(12).max(1);
    let ends_on = crate::grants::rules::ends_on(starts_on, duration.unsigned_abs());
    let plan = match &approval.instalments {
        Some(plan) => plan.clone(),
        None => {
            let stored = store::default_instalment_plan(conn, &lock.fund.id)?;
            serde_json::from_str::<Vec<PlanShare>>(&stored)
                .ok()
                .and_then(|shares| {
                    crate::grants::rules::default_plan(
                        &shares,
                        amount,
                        starts_on,
                        ends_on,
                        terms.spend_share,
                    )
                })
                .ok_or_else(|| {
                    AppError::field(
                        "instalments",
                        "the fund has no usable default plan; name the instalments",
                    )
                })?
        }
    };
    let chosen = crate::exchange::rate_for(
        conn,
        crate::exchange::Conversion {
            currency: amount.currency(),
            base: base_currency,
            day: decided_on,
            field: "approved_amount",
        },
        None,
        terms.max_rate_age,
    )?;
    let base = amount
        .convert(chosen.rate, base_currency)
        .map_err(|e| AppError::field("approved_amount", e.to_string()))?;
    // Earmarked money for the grant's countries or themes first, then unrestricted money.
    let draws = crate::earmarks::plan_approval(
        conn,
        lock,
        crate::earmarks::rules::Scope {
            countries: &app.content.countries,
            themes: &app.content.themes,
        },
        base,
    )?;

    let now = stored_time(Utc::now()).naive_utc();
    let grant = GrantRow {
        id: uuid::Uuid::now_v7().to_string(),
        fund_id: lock.fund.id.clone(),
        call_id: app.call_id.clone(),
        application_id: app.id.clone(),
        organisation_id: app.organisation_id.clone(),
        reference: app.reference.clone().unwrap_or_else(|| app.id.clone()),
        title: app.content.title.clone(),
        amount_minor: amount.minor_units(),
        currency: amount.currency().code().to_string(),
        exchange_rate: chosen.rate.normalize().to_string(),
        base_amount_minor: base.minor_units(),
        base_currency: base_currency.code().to_string(),
        starts_on,
        ends_on,
        conditions,
        status: GrantStatus::AwaitingSignature,
        status_reason: None,
        signed_at: None,
        signed_by: None,
        version: 1,
        registry_project_id: None,
        created_at: now,
        updated_at: now,
    };
    let instalments: Vec<InstalmentRow> = plan
        .iter()
        .enumerate()
        .map(|(i, inst)| InstalmentRow {
            id: uuid::Uuid::now_v7().to_string(),
            grant_id: grant.id.clone(),
            position: i32::try_from(i + 1).unwrap_or(i32::MAX),
            amount_minor: inst.amount.minor_units(),
            due_on: inst.due_on,
            condition: inst.condition,
            report_kind: inst.report_kind,
            min_spend_share: inst.min_spend_share.map(|s| s.normalize().to_string()),
        })
        .collect();
    let grant = GrantRow {
        registry_project_id: Some(crate::grants::registry::publish(
            conn, &grant, app, &lock.fund, actor,
        )?),
        ..grant
    };
    crate::grants::store::insert(conn, &grant, &instalments)?;
    crate::earmarks::record_draws(conn, lock, &grant.id, &draws)?;
    ledger::post(
        conn,
        lock,
        NewEntry {
            source: Some((crate::audit::Entity::Grant, grant.id.clone())),
            conversion: Some(Conversion {
                rate: chosen.rate,
                base,
            }),
            memo: Some(format!("commitment of grant {}", grant.reference)),
            recorded_by: Some(user.id.clone()),
            ..NewEntry::new(EntryKind::Commitment, amount, decided_on)
        },
    )?;
    let view = grant.view(&instalments, &crate::grants::store::GrantMoney::default())?;
    audit::created(conn, actor, crate::audit::Entity::Grant, &grant.id, &view)?;
    Ok((grant, view))
}
