//! Money out: disbursements of a grant's instalments and refunds of unspent money.
//!
//! A disbursement is requested for an instalment whose release condition is met (signature,
//! accepted reports, reported spending), approved by a finance officer other than the
//! requester, then paid with a date and bank reference, which posts the ledger entry; or
//! cancelled before it is paid. Every step locks the grant's fund and then the grant, so
//! that racing requests are decided one at a time and a grant never pays out more than its
//! approved amount (domain invariant 2).

pub mod model;
pub mod rules;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post};
use chrono::{NaiveDateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::app::AppState;
use crate::audit::{self, Actor, Change};
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::calls::model::stored_time;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::grants::model::{GrantStatus, ReleaseCondition, ReportKind};
use crate::grants::rules::{ReleaseFacts, check_not_overpaid, release_blockers};
use crate::grants::store::GrantRow;
use crate::grants::{self, lock_for_money};
use crate::http::{Expected, Paginated, ValidJson, if_match, json_with_etag, parse_id};
use crate::idempotency::{self, Answer, Claim, IdempotentJson};
use crate::ledger::{self, Conversion, FundLock, NewEntry, rules::EntryKind};
use crate::money::{Money, parse_decimal};
use crate::notify::{self, Email};
use crate::platform::{required_text, validated};
use model::{
    CancelDisbursement, CreateDisbursement, CreateRefund, DisbursementStatus, DisbursementView,
    PayDisbursement, RefundView,
};
use rules::Step;
use store::{DisbursementRow, RefundRow};

const ENTITY: &str = "disbursement";

fn now() -> NaiveDateTime {
    stored_time(Utc::now()).naive_utc()
}

fn grant_rate(grant: &GrantRow) -> AppResult<Decimal> {
    parse_decimal(&grant.exchange_rate)
        .map_err(|e| AppError::internal(format!("grant {}: {e}", grant.id)))
}

/// The `amount` field in the grant's currency, more than zero (else a field error).
fn positive_amount(
    input: &crate::money::AmountInput,
    currency: crate::money::Currency,
    errors: &mut Vec<FieldError>,
) -> Option<Money> {
    let amount = input.money("amount", currency, errors)?;
    if amount.is_positive() {
        Some(amount)
    } else {
        errors.push(FieldError::new("amount", "must be more than zero"));
        None
    }
}

fn require_active(grant: &GrantRow, doing: &str) -> AppResult<()> {
    let status = grant.status()?;
    if status == GrantStatus::Active {
        Ok(())
    } else {
        Err(AppError::invalid_state(format!(
            "cannot {doing}: the grant is {}",
            status.as_str()
        )))
    }
}

/// Asks for (part of) an instalment to be paid: 409 when its release condition is unmet or
/// when the grant or the instalment would be overpaid, counting what is already requested,
/// approved or paid.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe: the same key and body within 24 h return the first answer")),
    request_body = CreateDisbursement, security(("bearer" = [])),
    responses((status = 201, body = DisbursementView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/grants/{id}/disbursements")]
pub async fn request_disbursement(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: IdempotentJson<CreateDisbursement>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::RequestDisbursement)?;
    let grant_id = parse_id(&id, "id")?.to_string();
    let input = body.body;
    let actor = Actor::for_user(&req, &user);
    let claim = Claim::from_request(&req, &user.id, &body.hash)?;
    idempotency::run(&state.pool, claim, move |conn| {
        let view = request(conn, &actor, &user, &grant_id, &input)?;
        Answer::json(StatusCode::CREATED, &view, Some(view.version))
    })
    .await
}

/// The request itself, inside the caller's write transaction (shared with the demo).
pub fn request(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    grant_id: &str,
    input: &CreateDisbursement,
) -> AppResult<DisbursementView> {
    let (_, grant) = lock_for_money(conn, user, grant_id)?;
    let currency = grant.money()?.currency();
    let plan = grants::store::instalments(conn, &grant.id)?;
    let instalment = plan
        .iter()
        .find(|i| i.id == input.instalment_id)
        .ok_or_else(|| {
            AppError::field("instalment_id", "no instalment of this grant has this id")
        })?;
    let mut errors = Vec::new();
    let amount = positive_amount(&input.amount, currency, &mut errors);
    let amount =
        validated(amount, errors)?.ok_or_else(|| AppError::field("amount", "is required"))?;
    let money = grants::store::money(conn, &grant.id)?;
    check_not_overpaid(
        amount,
        grant.money()?,
        Money::from_minor(money.taken(), currency),
        Money::from_minor(instalment.amount_minor, currency),
        Money::from_minor(money.taken_of(&instalment.id), currency),
    )?;
    let condition = ReleaseCondition::from_db(&instalment.condition)?;
    let report_kind = instalment
        .report_kind
        .as_deref()
        .map(ReportKind::from_db)
        .transpose()?;
    // the n-th instalment waiting for a report of a kind waits for n accepted reports
    let ordinal_of_kind = plan
        .iter()
        .filter(|i| i.position <= instalment.position)
        .filter(|i| i.condition == instalment.condition && i.report_kind == instalment.report_kind)
        .count();
    let accepted = match report_kind {
        Some(kind) => store::accepted_reports(conn, &grant.id, kind.as_str())?,
        None => 0,
    };
    let min_spend_share = instalment
        .min_spend_share
        .as_deref()
        .map(parse_decimal)
        .transpose()
        .map_err(|e| AppError::internal(format!("instalment {}: {e}", instalment.id)))?;
    let blockers = release_blockers(&ReleaseFacts {
        grant_status: grant.status()?,
        signed: grant.signed_at.is_some(),
        condition,
        report_kind,
        ordinal_of_kind,
        accepted_reports_of_kind: usize::try_from(accepted).unwrap_or(0),
        min_spend_share,
        reported_spending: Money::from_minor(store::reported_spending(conn, &grant.id)?, currency)
            .amount(),
        paid: Money::from_minor(money.paid, currency).amount(),
    });
    if !blockers.is_empty() {
        return Err(AppError::invalid_state(format!(
            "this instalment cannot be released yet: {}",
            blockers.join("; ")
        ))
        .with_errors(
            blockers
                .into_iter()
                .map(|b| FieldError::new("instalment_id", b))
                .collect(),
        ));
    }
    let now = now();
    let row = DisbursementRow {
        id: uuid::Uuid::now_v7().to_string(),
        grant_id: grant.id.clone(),
        instalment_id: instalment.id.clone(),
        fund_id: grant.fund_id.clone(),
        amount_minor: amount.minor_units(),
        currency: currency.code().to_string(),
        status: DisbursementStatus::Requested.as_str().to_string(),
        requested_by: Some(user.id.clone()),
        requested_at: now,
        approved_by: None,
        approved_at: None,
        paid_on: None,
        payment_reference: None,
        paid_by: None,
        paid_at: None,
        cancelled_by: None,
        cancelled_at: None,
        cancel_reason: None,
        version: 1,
        updated_at: now,
    };
    store::insert(conn, &row)?;
    let view = row.view()?;
    audit::record(
        conn,
        actor,
        Change::<(), _> {
            entity: ENTITY,
            entity_id: &row.id,
            action: "request",
            before: None,
            after: Some(&view),
        },
    )?;
    Ok(view)
}

/// A disbursement the user may read (through its grant), else 404.
fn find_readable(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<DisbursementRow> {
    let row = store::find(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
    grants::find_readable(conn, user, &row.grant_id).map_err(|_| AppError::not_found(ENTITY))?;
    Ok(row)
}

/// What one step does besides changing the status: the ledger entry of a payment, the
/// grantee's email.
pub type StepEffect = Box<
    dyn FnOnce(&mut DbConn, &FundLock, &GrantRow, &DisbursementRow) -> AppResult<DisbursementRow>
        + Send,
>;

/// One step of a disbursement in one transaction: fund and grant locked, `If-Match`
/// checked (412), the lifecycle rule (409), `effect` (which fills in the step's fields and
/// moves money), a version compare-and-swap and the audit event. With `Idempotency-Key`
/// the first answer is replayed.
async fn step(
    state: &AppState,
    req: &HttpRequest,
    user: CurrentUser,
    id: &str,
    step: Step,
    claim: Option<Claim>,
    effect: StepEffect,
) -> AppResult<HttpResponse> {
    let id = parse_id(id, "id")?.to_string();
    let expected: Expected = if_match(req);
    let actor = Actor::for_user(req, &user);
    idempotency::run(&state.pool, claim, move |conn| {
        let after = apply_step(conn, &actor, &user, &id, step, expected, effect)?;
        Answer::json(StatusCode::OK, &after, Some(after.version))
    })
    .await
}

/// One step, inside the caller's write transaction (shared with the demo).
pub fn apply_step(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    id: &str,
    step: Step,
    expected: Expected,
    effect: StepEffect,
) -> AppResult<DisbursementView> {
    let grant_id = find_readable(conn, user, id)?.grant_id;
    let (lock, grant) = lock_for_money(conn, user, &grant_id)?;
    let current = store::find(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
    expected.check(current.version)?;
    let status = rules::next(current.status()?, step)?;
    let mut next = effect(conn, &lock, &grant, &current)?;
    next.status = status.as_str().to_string();
    next.version = current.version + 1;
    next.updated_at = now();
    if !store::save(conn, &current, &next)? {
        return Err(AppError::stale(current.version));
    }
    let after = next.view()?;
    audit::record(
        conn,
        actor,
        Change {
            entity: ENTITY,
            entity_id: id,
            action: step.as_str(),
            before: Some(&current.view()?),
            after: Some(&after),
        },
    )?;
    Ok(after)
}

/// Approves a requested disbursement: a finance officer other than the requester (403).
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "disbursement id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    security(("bearer" = [])),
    responses((status = 200, body = DisbursementView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/disbursements/{id}/approve")]
pub async fn approve_disbursement(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ApproveDisbursement)?;
    let effect = approval(user.clone());
    step(&state, &req, user, &id, Step::Approve, None, effect).await
}

/// The approval step: four eyes, and only while the grant is active.
pub fn approval(approver: CurrentUser) -> StepEffect {
    Box::new(move |_, _, grant, current| {
        policy::require_other_than(&approver, current.requested_by.as_deref())?;
        require_active(grant, "approve a payment")?;
        Ok(DisbursementRow {
            approved_by: Some(approver.id.clone()),
            approved_at: Some(now()),
            ..current.clone()
        })
    })
}

#[derive(Debug, Serialize)]
struct PaidContext<'a> {
    reference: &'a str,
    title: &'a str,
    amount: String,
    currency: &'a str,
    paid_on: String,
    payment_reference: &'a str,
}

/// Records the payment of an approved disbursement with its date and bank reference: the
/// ledger's disbursement entry is posted at the grant's rate and the grantee is emailed.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "disbursement id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    request_body = PayDisbursement, security(("bearer" = [])),
    responses((status = 200, body = DisbursementView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/disbursements/{id}/pay")]
pub async fn pay_disbursement(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: IdempotentJson<PayDisbursement>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::PayDisbursement)?;
    let (paid_on, reference) = body.body.validate(ledger::today())?;
    let claim = Claim::from_request(&req, &user.id, &body.hash)?;
    let effect = payment(user.id.clone(), paid_on, reference);
    step(&state, &req, user, &id, Step::Pay, claim, effect).await
}

/// The payment step: the ledger's disbursement entry at the grant's rate and the grantee's
/// email, only while the grant is active.
pub fn payment(payer: String, paid_on: chrono::NaiveDate, reference: String) -> StepEffect {
    Box::new(move |conn, lock, grant, current| {
        require_active(grant, "pay")?;
        let amount = current.money()?;
        let rate = grant_rate(grant)?;
        let base = amount
            .convert(rate, lock.base_currency)
            .map_err(|e| AppError::internal(e.to_string()))?;
        ledger::post(
            conn,
            lock,
            NewEntry {
                source: Some(("grant".to_string(), grant.id.clone())),
                conversion: Some(Conversion { rate, base }),
                memo: Some(format!("payment {reference} to grant {}", grant.reference)),
                recorded_by: Some(payer.clone()),
                ..NewEntry::new(EntryKind::Disbursement, amount, paid_on)
            },
        )?;
        if let Some(to) =
            crate::applications::store::find_row_only(conn, &grant.application_id, false)?
                .and_then(|a| a.contact_email)
        {
            notify::enqueue(
                conn,
                Email {
                    to,
                    template: "disbursement_paid",
                    context: PaidContext {
                        reference: &grant.reference,
                        title: &grant.title,
                        amount: amount.amount_string(),
                        currency: amount.currency().code(),
                        paid_on: paid_on.to_string(),
                        payment_reference: &reference,
                    },
                },
            )?;
        }
        Ok(DisbursementRow {
            paid_on: Some(paid_on),
            payment_reference: Some(reference.clone()),
            paid_by: Some(payer.clone()),
            paid_at: Some(now()),
            ..current.clone()
        })
    })
}

/// Cancels a disbursement that is not paid yet.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "disbursement id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = CancelDisbursement, security(("bearer" = [])),
    responses((status = 200, body = DisbursementView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/disbursements/{id}/cancel")]
pub async fn cancel_disbursement(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<CancelDisbursement>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CancelDisbursement)?;
    let reason = body.0.reason.filter(|r| !r.trim().is_empty());
    let canceller = user.id.clone();
    let effect: StepEffect = Box::new(move |_, _, _, current| {
        Ok(DisbursementRow {
            cancelled_by: Some(canceller),
            cancelled_at: Some(now()),
            cancel_reason: reason,
            ..current.clone()
        })
    });
    step(&state, &req, user, &id, Step::Cancel, None, effect).await
}

/// One disbursement.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "disbursement id")), security(("bearer" = [])),
    responses((status = 200, body = DisbursementView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/disbursements/{id}")]
pub async fn get_disbursement(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadGrants)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| {
        find_readable(conn, &user, &id)?.view()
    })
    .await?;
    Ok(json_with_etag(StatusCode::OK, &view, view.version))
}

/// A grant's disbursements, oldest first.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id")), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<DisbursementView>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/grants/{id}/disbursements")]
pub async fn list_disbursements(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadGrants)?;
    let id = parse_id(&id, "id")?.to_string();
    let items = db::run(&state.pool, move |conn| {
        grants::find_readable(conn, &user, &id)?;
        store::of_grant(conn, &id)?
            .iter()
            .map(DisbursementRow::view)
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(Paginated {
        items,
        next_cursor: None,
    }))
}

/// Records unspent money the grantee sent back: at most what it was paid and has not yet
/// returned. It goes back into the fund's available money (a refund entry at the grant's
/// rate, so that the grant's money nets out exactly).
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id"),
           ("Idempotency-Key" = Option<String>, Header, description = "makes retries safe")),
    request_body = CreateRefund, security(("bearer" = [])),
    responses((status = 201, body = RefundView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/grants/{id}/refunds")]
pub async fn create_refund(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: IdempotentJson<CreateRefund>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::RecordRefund)?;
    let grant_id = parse_id(&id, "id")?.to_string();
    let input = body.body;
    let actor = Actor::for_user(&req, &user);
    let claim = Claim::from_request(&req, &user.id, &body.hash)?;
    idempotency::run(&state.pool, claim, move |conn| {
        let view = refund(conn, &actor, &user, &grant_id, &input)?;
        Answer::json(StatusCode::CREATED, &view, None)
    })
    .await
}

/// The refund itself, inside the caller's write transaction (shared with the demo).
pub fn refund(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    grant_id: &str,
    input: &CreateRefund,
) -> AppResult<RefundView> {
    let (lock, grant) = lock_for_money(conn, user, grant_id)?;
    let currency = grant.money()?.currency();
    let mut errors = Vec::new();
    let amount = positive_amount(&input.amount, currency, &mut errors);
    let reference = required_text("reference", &input.reference, 200, &mut errors);
    if input.received_on > ledger::today() {
        errors.push(FieldError::new("received_on", "cannot be in the future"));
    }
    let amount =
        validated(amount, errors)?.ok_or_else(|| AppError::field("amount", "is required"))?;
    let money = grants::store::money(conn, &grant.id)?;
    let refundable = money.paid - money.refunded;
    if amount.minor_units() > refundable {
        return Err(AppError::invalid_state(format!(
            "{amount} is more than the grant was paid and has not yet returned ({})",
            Money::from_minor(refundable, currency)
        ))
        .with_errors(vec![FieldError::new(
            "amount",
            format!("at most {}", Money::from_minor(refundable.max(0), currency)),
        )]));
    }
    let rate = grant_rate(&grant)?;
    let base = amount
        .convert(rate, lock.base_currency)
        .map_err(|e| AppError::internal(e.to_string()))?;
    let row = RefundRow {
        id: uuid::Uuid::now_v7().to_string(),
        grant_id: grant.id.clone(),
        fund_id: grant.fund_id.clone(),
        amount_minor: amount.minor_units(),
        currency: currency.code().to_string(),
        received_on: input.received_on,
        reference,
        recorded_by: Some(user.id.clone()),
        created_at: now(),
    };
    store::insert_refund(conn, &row)?;
    ledger::post(
        conn,
        &lock,
        NewEntry {
            source: Some(("grant".to_string(), grant.id.clone())),
            conversion: Some(Conversion { rate, base }),
            memo: Some(format!(
                "refund {} from grant {}",
                row.reference, grant.reference
            )),
            recorded_by: Some(user.id.clone()),
            ..NewEntry::new(EntryKind::Refund, amount, input.received_on)
        },
    )?;
    let view = row.view()?;
    audit::record(
        conn,
        actor,
        Change::<(), _> {
            entity: "grant_refund",
            entity_id: &row.id,
            action: "create",
            before: None,
            after: Some(&view),
        },
    )?;
    Ok(view)
}

/// A grant's refunds, oldest first.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id")), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<RefundView>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/grants/{id}/refunds")]
pub async fn list_refunds(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadGrants)?;
    let id = parse_id(&id, "id")?.to_string();
    let items = db::run(&state.pool, move |conn| {
        grants::find_readable(conn, &user, &id)?;
        store::refunds_of_grant(conn, &id)?
            .iter()
            .map(RefundRow::view)
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(Paginated {
        items,
        next_cursor: None,
    }))
}
