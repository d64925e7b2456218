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

use crate::audit;
use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::change;
use crate::clock::stored_time;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::grants::model::GrantStatus;
use crate::grants::rules::{ReleaseBlocker, ReleaseFacts, check_not_overpaid, release_blockers};
use crate::grants::store::GrantRow;
use crate::grants::{self, lock_for_money};
use crate::http::{Paginated, ValidJson, json_with_etag, parse_id};
use crate::idempotency::{self, Answer, Claim, IdempotentJson};
use crate::ledger::{self, Conversion, FundLock, NewEntry, rules::EntryKind};
use crate::money::{Money, parse_decimal};
use crate::notify::{self, Email};
use crate::platform::dates::{self, Dated};
use crate::platform::{required_line, validated};
use crate::state::AppState;
use model::{
    CancelDisbursement, CreateDisbursement, CreateRefund, DisbursementStatus, DisbursementView,
    PayDisbursement, RefundView,
};
use rules::Step;
use store::{DisbursementRow, RefundRow};

const ENTITY: crate::audit::Entity = crate::audit::Entity::Disbursement;

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
    let status = grant.status;
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

/// What decides whether `instalment` of `grant` may be paid now (`grants::rules::
/// release_blockers`), read for a request and for the grant's page alike.
pub fn release_facts(
    conn: &mut DbConn,
    grant: &grants::store::GrantRow,
    plan: &[grants::store::InstalmentRow],
    instalment: &grants::store::InstalmentRow,
    money: &grants::store::GrantMoney,
) -> AppResult<ReleaseFacts> {
    let currency = grant.money()?.currency();
    // the n-th instalment waiting for a report of a kind waits for n accepted reports
    let ordinal_of_kind = plan
        .iter()
        .filter(|i| i.position <= instalment.position)
        .filter(|i| i.condition == instalment.condition && i.report_kind == instalment.report_kind)
        .count();
    let accepted = match instalment.report_kind {
        Some(kind) => store::accepted_reports(conn, &grant.id, kind)?,
        None => 0,
    };
    let min_spend_share = instalment
        .min_spend_share
        .as_deref()
        .map(parse_decimal)
        .transpose()
        .map_err(|e| AppError::internal(format!("instalment {}: {e}", instalment.id)))?;
    Ok(ReleaseFacts {
        grant_status: grant.status,
        signed: grant.signed_at.is_some(),
        condition: instalment.condition,
        report_kind: instalment.report_kind,
        ordinal_of_kind,
        accepted_reports_of_kind: usize::try_from(accepted).unwrap_or(0),
        min_spend_share,
        reported_spending: Money::from_minor(store::reported_spending(conn, &grant.id)?, currency)
            .amount(),
        paid: Money::from_minor(money.paid, currency).amount(),
    })
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
    let blockers = release_blockers(&release_facts(conn, &grant, &plan, instalment, &money)?);
    if !blockers.is_empty() {
        return Err(AppError::invalid_state(format!(
            "this instalment cannot be released yet: {}",
            blockers
                .iter()
                .map(ReleaseBlocker::message)
                .collect::<Vec<_>>()
                .join("; ")
        ))
        .with_errors(
            blockers
                .into_iter()
                .map(|b| FieldError::new("instalment_id", b.message()))
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
        status: DisbursementStatus::Requested,
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
    change::create(conn, actor, &row, audit::Action::Request, |_, _| Ok(()))
}

/// A disbursement the user may read (through its grant), else 404.
fn find_readable(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<DisbursementRow> {
    let row = store::find(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
    grants::find_readable(conn, user, &row.grant_id).map_err(|_| AppError::not_found(ENTITY))?;
    Ok(row)
}

impl change::Entity for DisbursementRow {
    const KIND: audit::Entity = audit::Entity::Disbursement;
    /// The grant's fund (a payment moves money) and the grant, locked in that order before
    /// the disbursement.
    type Locks = (FundLock, GrantRow);
    type View = DisbursementView;
    type Id = crate::ids::DisbursementId;

    fn lock(
        conn: &mut DbConn,
        user: &CurrentUser,
        id: &crate::ids::DisbursementId,
    ) -> AppResult<((FundLock, GrantRow), DisbursementRow)> {
        let grant_id = find_readable(conn, user, id)?.grant_id;
        let (lock, grant) = lock_for_money(conn, user, &grant_id)?;
        let current = store::find_locked(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
        Ok(((lock, grant), current))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &Self, after: &Self) -> AppResult<bool> {
        Ok(store::save(conn, before, after)?)
    }

    fn view(&self, _: &mut DbConn) -> AppResult<DisbursementView> {
        DisbursementRow::view(self)
    }
}

/// Approves a requested disbursement: four eyes (not the requester, 403), and only while
/// the grant is active.
#[derive(Debug, Clone)]
pub struct Approve {
    pub approver: CurrentUser,
}

impl change::Command<DisbursementRow> for Approve {
    fn action(&self) -> audit::Action {
        Step::Approve.action()
    }

    fn decide(
        &self,
        _: &mut DbConn,
        (_, grant): &(FundLock, GrantRow),
        current: &DisbursementRow,
    ) -> AppResult<DisbursementRow> {
        let status = rules::next(current.status, Step::Approve)?;
        policy::require_other_than(&self.approver, current.requested_by.as_deref())?;
        require_active(grant, "approve a payment")?;
        Ok(DisbursementRow {
            status,
            approved_by: Some(self.approver.id.clone()),
            approved_at: Some(now()),
            ..current.clone()
        })
    }
}

/// Records the payment of an approved disbursement, only while the grant is active; its
/// effects post the ledger's disbursement entry at the grant's rate and email the grantee.
#[derive(Debug, Clone)]
pub struct Pay {
    pub payer: String,
    pub paid_on: chrono::NaiveDate,
    pub reference: String,
}

impl change::Command<DisbursementRow> for Pay {
    fn action(&self) -> audit::Action {
        Step::Pay.action()
    }

    fn decide(
        &self,
        _: &mut DbConn,
        (_, grant): &(FundLock, GrantRow),
        current: &DisbursementRow,
    ) -> AppResult<DisbursementRow> {
        let status = rules::next(current.status, Step::Pay)?;
        require_active(grant, "pay")?;
        if let Some(e) = dates::not_before(
            "paid_on",
            self.paid_on,
            grant.created_at.date(),
            "the grant was approved",
        ) {
            return Err(AppError::validation(vec![e]));
        }
        Ok(DisbursementRow {
            status,
            paid_on: Some(self.paid_on),
            payment_reference: Some(self.reference.clone()),
            paid_by: Some(self.payer.clone()),
            paid_at: Some(now()),
            ..current.clone()
        })
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        (lock, grant): &(FundLock, GrantRow),
        _: &DisbursementRow,
        after: &DisbursementRow,
    ) -> AppResult<()> {
        let amount = after.money()?;
        let rate = grant_rate(grant)?;
        let base = amount
            .convert(rate, lock.base_currency)
            .map_err(|e| AppError::internal(e.to_string()))?;
        ledger::post(
            conn,
            lock,
            NewEntry {
                source: Some((audit::Entity::Grant, grant.id.clone())),
                conversion: Some(Conversion { rate, base }),
                memo: Some(format!(
                    "payment {} to grant {}",
                    self.reference, grant.reference
                )),
                recorded_by: Some(self.payer.clone()),
                ..NewEntry::new(EntryKind::Disbursement, amount, self.paid_on)
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
                        paid_on: self.paid_on.to_string(),
                        payment_reference: &self.reference,
                    },
                },
            )?;
        }
        Ok(())
    }
}

/// Cancels a disbursement that is not paid yet.
#[derive(Debug, Clone)]
pub struct Cancel {
    pub by: String,
    pub reason: Option<String>,
}

impl change::Command<DisbursementRow> for Cancel {
    fn action(&self) -> audit::Action {
        Step::Cancel.action()
    }

    fn decide(
        &self,
        _: &mut DbConn,
        _: &(FundLock, GrantRow),
        current: &DisbursementRow,
    ) -> AppResult<DisbursementRow> {
        let status = rules::next(current.status, Step::Cancel)?;
        Ok(DisbursementRow {
            status,
            cancelled_by: Some(self.by.clone()),
            cancelled_at: Some(now()),
            cancel_reason: self.reason.clone(),
            ..current.clone()
        })
    }
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
    let command = Approve {
        approver: user.clone(),
    };
    change::run::<DisbursementRow, _>(&state, &req, user, &id, None, command).await
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
    let (paid_on, reference) = body.body.validate(crate::clock::today())?;
    let claim = Claim::from_request(&req, &user.id, &body.hash)?;
    let command = Pay {
        payer: user.id.clone(),
        paid_on,
        reference,
    };
    change::run::<DisbursementRow, _>(&state, &req, user, &id, claim, command).await
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
    let command = Cancel {
        by: user.id.clone(),
        reason: body.0.reason.filter(|r| !r.trim().is_empty()),
    };
    change::run::<DisbursementRow, _>(&state, &req, user, &id, None, command).await
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
    let reference = required_line("reference", &input.reference, 200, &mut errors);
    dates::check(
        "received_on",
        input.received_on,
        Dated::Happened,
        crate::clock::today(),
        &mut errors,
    );
    errors.extend(dates::not_before(
        "received_on",
        input.received_on,
        grant.created_at.date(),
        "the grant was approved",
    ));
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
    change::create(conn, actor, &row, audit::Action::Create, |conn, row| {
        crate::earmarks::give_back(conn, &grant.id, base.minor_units())?;
        ledger::post(
            conn,
            &lock,
            NewEntry {
                source: Some((audit::Entity::Grant, grant.id.clone())),
                conversion: Some(Conversion { rate, base }),
                memo: Some(format!(
                    "refund {} from grant {}",
                    row.reference, grant.reference
                )),
                recorded_by: Some(user.id.clone()),
                ..NewEntry::new(EntryKind::Refund, amount, input.received_on)
            },
        )?;
        Ok(())
    })
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

impl change::Creation for DisbursementRow {
    const KIND: audit::Entity = audit::Entity::Disbursement;
    type View = DisbursementView;

    fn id(&self) -> &str {
        &self.id
    }

    fn insert(&self, conn: &mut DbConn) -> AppResult<()> {
        Ok(store::insert(conn, self)?)
    }

    fn view(&self, _: &mut DbConn) -> AppResult<DisbursementView> {
        DisbursementRow::view(self)
    }
}

impl change::Creation for RefundRow {
    const KIND: audit::Entity = audit::Entity::GrantRefund;
    type View = RefundView;

    fn id(&self) -> &str {
        &self.id
    }

    fn insert(&self, conn: &mut DbConn) -> AppResult<()> {
        Ok(store::insert_refund(conn, self)?)
    }

    fn view(&self, _: &mut DbConn) -> AppResult<RefundView> {
        RefundRow::view(self)
    }
}
