//! Money out, for finance, with four eyes: `POST /grants/{id}/payments` requests an
//! instalment's payment from the grant's page; `GET /payments` is the queue of payments
//! waiting for a second officer's approval or for the transfer to be recorded;
//! `POST /payments/{id}/approve` and `POST /payments/{id}/pay` do those steps. Each runs the
//! API's own function or command (`disbursements::request`, `Approve`, `Pay`), so the same
//! rules refuse the same things: the requester never approves, nothing is paid beyond the
//! instalment, an unmet release condition holds the money back.
//!
//! A request form carries a key of its own (`once`), kept as an idempotency key: posted
//! twice (a double click, a retry on a poor connection), it requests once. Approve and pay
//! forms carry the payment's version, so a form made before another officer acted changes
//! nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::render::see_other;
use super::{FieldMessage, PostedForm, Visitor, format, message_of, query_param};
use crate::auth::policy::Operation;
use crate::auth::{Actor, CurrentUser};
use crate::db::{self, DbConn};
use crate::disbursements::model::{CreateDisbursement, DisbursementStatus, PayDisbursement};
use crate::disbursements::store::{self as disbursements, DisbursementRow};
use crate::disbursements::{Approve, Pay};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::Expected;
use crate::idempotency::{self, Answer};
use crate::money::{AmountInput, Money};

/// Where the queue lives (linked from finance's home).
pub const PATH: &str = "/payments";

/// How many waiting payments the queue shows, the oldest first.
const SHOWN: i64 = 200;

/// Requests (part of) an instalment's payment, from the grant's page.
#[utoipa::path(responses((status = 303, description = "requested: to the queue of payments"),
                         (status = 403, description = "no valid CSRF token, or this role does not request payments", content_type = "text/html"),
                         (status = 404, description = "no such grant", content_type = "text/html"),
                         (status = 409, description = "the instalment cannot be paid now", content_type = "text/html"),
                         (status = 422, description = "the amount is not one this instalment can take", content_type = "text/html")))]
#[post("/grants/{id}/payments")]
pub async fn request_payment(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::RequestDisbursement)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(grant_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let amount = form.get("amount").trim().to_string();
    let instalment_id = form.get("instalment_id").to_string();
    let Ok(amount_value) = crate::money::parse_decimal(&amount) else {
        let message = visitor.text("payment-amount-invalid", &[])?;
        return super::grants::show_grant(
            &visitor,
            &grant_id,
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(message),
        )
        .await;
    };
    let Some(claim) = form.once(
        &user.id,
        format!("POST /grants/{grant_id}/payments"),
        format!("{instalment_id}|{amount}").as_bytes(),
    ) else {
        return visitor.refused();
    };
    let actor = Actor::for_user(&req, &user);
    let input = CreateDisbursement {
        instalment_id,
        amount: AmountInput {
            amount: amount_value,
            currency: None,
        },
    };
    let for_request = grant_id.clone();
    let requested = db::run(&visitor.state.pool, move |conn| {
        idempotency::run_blocking(conn, Some(&claim), |conn| {
            let view = crate::disbursements::request(conn, &actor, &user, &for_request, &input)?;
            Answer::json(StatusCode::CREATED, &view, Some(view.version))
        })
    })
    .await;
    let message = match requested {
        Ok(_) => return Ok(see_other(&format!("{PATH}?done=requested")).finish()),
        Err(e) if e.code == ErrorCode::NotFound => return visitor.not_found(),
        Err(e) if e.code == ErrorCode::InvalidState => {
            (StatusCode::CONFLICT, "payment-not-releasable")
        }
        Err(e) if e.code.status().is_client_error() => {
            (StatusCode::UNPROCESSABLE_ENTITY, "payment-amount-invalid")
        }
        Err(e) => return Err(e),
    };
    let text = visitor.text(message.1, &[])?;
    super::grants::show_grant(&visitor, &grant_id, message.0, None, Some(text)).await
}

/// The payments waiting for a step: approval by a second officer, then the transfer.
#[utoipa::path(responses((status = 200, description = "the queue of payments", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not approve or pay", content_type = "text/html")))]
#[get("/payments")]
pub async fn payment_queue(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ApproveDisbursement)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let notice = match query_param(&req, "done").as_deref() {
        Some("requested") => Some(visitor.text("payment-requested-notice", &[])?),
        Some("approved") => Some(visitor.text("payment-approved-notice", &[])?),
        Some("paid") => Some(visitor.text("payment-paid-notice", &[])?),
        _ => None,
    };
    queue_page(&visitor, &user, StatusCode::OK, notice, None, None).await
}

/// Approves a requested payment (a finance officer other than the requester).
#[utoipa::path(responses((status = 303, description = "approved: back to the queue"),
                         (status = 403, description = "no valid CSRF token, or not finance", content_type = "text/html"),
                         (status = 404, description = "no such payment", content_type = "text/html"),
                         (status = 409, description = "the payment changed since the form was made, or this officer requested it", content_type = "text/html")))]
#[post("/payments/{id}/approve")]
pub async fn approve_payment(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::ApproveDisbursement)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    if uuid::Uuid::parse_str(&id).is_err() {
        return visitor.not_found();
    }
    let approved = crate::change::run_view::<DisbursementRow, _>(
        &visitor.state,
        &req,
        user.clone(),
        &id,
        Expected::from_form(form.get("version")),
        Approve {
            approver: user.clone(),
        },
    )
    .await;
    let key = match approved {
        Ok(_) => return Ok(see_other(&format!("{PATH}?done=approved")).finish()),
        Err(e) if e.code == ErrorCode::NotFound => return visitor.not_found(),
        Err(e) if e.code == ErrorCode::Forbidden => "payment-approve-own",
        Err(e) if e.code.status().is_client_error() => "payment-stale",
        Err(e) => return Err(e),
    };
    let message = visitor.text(key, &[])?;
    queue_page(
        &visitor,
        &user,
        StatusCode::CONFLICT,
        None,
        Some(message),
        None,
    )
    .await
}

/// Records the transfer of an approved payment: the day the bank made it and its
/// reference, each said beside its field when wrong, as typed.
#[utoipa::path(responses((status = 303, description = "paid: back to the queue"),
                         (status = 403, description = "no valid CSRF token, or not finance", content_type = "text/html"),
                         (status = 404, description = "no such payment", content_type = "text/html"),
                         (status = 409, description = "the payment changed since the form was made", content_type = "text/html"),
                         (status = 422, description = "the day or the reference is not right", content_type = "text/html")))]
#[post("/payments/{id}/pay")]
pub async fn pay_payment(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::ApproveDisbursement)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(payment_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let typed = Typed {
        id: payment_id.clone(),
        paid_on: form.get("paid_on").trim().to_string(),
        reference: form.get("reference").to_string(),
        errors: Vec::new(),
    };
    let today = crate::clock::today();
    let checked = match typed.paid_on.parse::<NaiveDate>() {
        Ok(paid_on) => PayDisbursement {
            paid_on,
            reference: typed.reference.clone(),
        }
        .validate(today)
        .map_err(|e| field_messages(&visitor, &e)),
        Err(_) => Err(field_messages(
            &visitor,
            &AppError::field("paid_on", "is not a date"),
        )),
    };
    let (paid_on, reference) = match checked {
        Ok(valid) => valid,
        Err(errors) => {
            let typed = Typed {
                errors: errors?,
                ..typed
            };
            return queue_page(
                &visitor,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                Some(typed),
            )
            .await;
        }
    };
    let paid = crate::change::run_view::<DisbursementRow, _>(
        &visitor.state,
        &req,
        user.clone(),
        &payment_id,
        Expected::from_form(form.get("version")),
        Pay {
            payer: user.id.clone(),
            paid_on,
            reference,
        },
    )
    .await;
    match paid {
        Ok(_) => Ok(see_other(&format!("{PATH}?done=paid")).finish()),
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        // the day falls before the grant was approved
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            let typed = Typed {
                errors: field_messages(&visitor, &e)?,
                ..typed
            };
            queue_page(
                &visitor,
                &user,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                None,
                Some(typed),
            )
            .await
        }
        Err(e) if e.code.status().is_client_error() => {
            let message = visitor.text("payment-stale", &[])?;
            queue_page(
                &visitor,
                &user,
                StatusCode::CONFLICT,
                None,
                Some(message),
                None,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// What was typed in a pay form that is shown again with its errors.
struct Typed {
    id: String,
    paid_on: String,
    reference: String,
    errors: Vec<FieldMessage>,
}

/// The pay form's field errors in the reader's language.
fn field_messages(visitor: &Visitor, error: &AppError) -> AppResult<Vec<FieldMessage>> {
    let mut out = Vec::new();
    for field in ["paid_on", "reference"] {
        if error.errors.iter().any(|e| e.field == field) {
            out.push(FieldMessage {
                field,
                message: visitor
                    .text(&format!("payment-{}-invalid", field.replace('_', "-")), &[])?,
            });
        }
    }
    if out.is_empty() {
        out.push(FieldMessage {
            field: "paid_on",
            message: visitor.text("payment-paid-on-invalid", &[])?,
        });
    }
    Ok(out)
}

#[derive(Serialize)]
struct Waiting {
    id: String,
    version: i64,
    grant_href: String,
    grant_title: String,
    grant_reference: String,
    grantee: String,
    instalment: i32,
    amount: String,
    requested_by: String,
    requested_on: String,
    approved_by: Option<String>,
    /// Requested, and by someone else: this officer may approve it.
    may_approve: bool,
    /// Requested by this officer: another must approve it.
    own_request: bool,
    approved: bool,
    paid_on: String,
    reference: String,
    paid_on_error: Option<String>,
    reference_error: Option<String>,
}

async fn queue_page(
    visitor: &Visitor,
    user: &CurrentUser,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    typed: Option<Typed>,
) -> AppResult<HttpResponse> {
    let me = user.id.clone();
    let lang = visitor.lang;
    let today = crate::clock::today().to_string();
    let rows = db::run(&visitor.state.pool, read_queue).await?;
    let summary_for = typed.as_ref().map(|t| t.id.clone());
    let summary: Vec<&FieldMessage> = typed
        .as_ref()
        .map(|t| t.errors.iter().collect())
        .unwrap_or_default();
    let waiting = rows
        .into_iter()
        .map(|w| {
            let currency = crate::money::Currency::parse(&w.row.currency)
                .map_err(|e| AppError::internal(e.to_string()))?;
            let amount = Money::from_minor(w.row.amount_minor, currency);
            let mine = typed.as_ref().filter(|t| t.id == w.row.id);
            let requested = w.row.status == DisbursementStatus::Requested;
            let own = w.row.requested_by.as_deref() == Some(me.as_str());
            Ok(Waiting {
                id: w.row.id.clone(),
                version: w.row.version,
                grant_href: format!("{}/{}", super::grants::PATH, w.row.grant_id),
                grant_title: w.grant_title,
                grant_reference: w.grant_reference,
                grantee: w.grantee,
                instalment: w.instalment,
                amount: format::money(amount.amount(), currency, lang),
                requested_by: w.requested_by,
                requested_on: format::date(w.row.requested_at.date(), lang),
                approved_by: w.approved_by,
                may_approve: requested && !own,
                own_request: requested && own,
                approved: w.row.status == DisbursementStatus::Approved,
                paid_on: mine.map_or_else(|| today.clone(), |t| t.paid_on.clone()),
                reference: mine.map(|t| t.reference.clone()).unwrap_or_default(),
                paid_on_error: mine.and_then(|t| message_of(&t.errors, "paid_on")),
                reference_error: mine.and_then(|t| message_of(&t.errors, "reference")),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    visitor.page(
        status,
        "payments.html",
        context! {
            waiting => Serde(waiting),
            notice => notice,
            error => error,
            summary => Serde(&summary),
            summary_for => summary_for,
        },
    )
}

/// A waiting payment with what the queue says of it.
struct QueueRow {
    row: DisbursementRow,
    grant_title: String,
    grant_reference: String,
    grantee: String,
    instalment: i32,
    requested_by: String,
    approved_by: Option<String>,
}

fn read_queue(conn: &mut DbConn) -> AppResult<Vec<QueueRow>> {
    let rows = disbursements::waiting(conn, SHOWN)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let grant = crate::grants::store::find(conn, &row.grant_id)?
            .ok_or_else(|| AppError::internal(format!("grant of payment {}", row.id)))?;
        let instalment = crate::grants::store::instalments(conn, &grant.id)?
            .iter()
            .find(|i| i.id == row.instalment_id)
            .map_or(0, |i| i.position);
        let grantee = crate::organisations::store::find(conn, &grant.organisation_id)?
            .map(|o| o.name)
            .unwrap_or_default();
        let name_of = |conn: &mut DbConn, id: Option<&str>| -> AppResult<Option<String>> {
            Ok(match id {
                Some(id) => crate::auth::store::find(conn, id)?.map(|u| u.display_name),
                None => None,
            })
        };
        let requested_by = name_of(conn, row.requested_by.as_deref())?.unwrap_or_default();
        let approved_by = name_of(conn, row.approved_by.as_deref())?;
        out.push(QueueRow {
            grant_title: grant.title,
            grant_reference: grant.reference,
            grantee,
            instalment,
            requested_by,
            approved_by,
            row,
        });
    }
    Ok(out)
}
