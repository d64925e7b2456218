//! `GET /grants`, `GET /grants/{id}`, `POST /grants/{id}/sign`: a grant as its grantee
//! follows it. The list holds the grants the reader may see (`policy::grant_scope`: an NGO
//! its own); a grant's page its amount and what was paid, each instalment with what it
//! waits for (the same `grants::rules::release_blockers` that a payment request is refused
//! by, said in the reader's language), the payments received and the reports sent. While
//! the agreement waits for signature, the grantee's members sign it here, through the same
//! command as `POST /api/v1/grants/{id}/sign`; the form carries the version it was made
//! from, so a grant that changed since is not signed blind.
//!
//! A donor reads grants too (the API lets it); a protected grantee's name is withheld from
//! it, as in the donor's other views.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDateTime;
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::i18n::{Arg, text};
use super::render::see_other;
use super::{PostedForm, Visitor, format, query_param};
use crate::auth::policy::{self, Operation};
use crate::auth::{CurrentUser, Role};
use crate::db::{self, DbConn};
use crate::disbursements::model::DisbursementStatus;
use crate::error::{AppResult, ErrorCode};
use crate::grants::model::{GrantStatus, GrantView, ReportKind};
use crate::grants::rules::{ReleaseBlocker, release_blockers};
use crate::grants::store::{self as grants, GrantFilter, GrantRow};
use crate::grants::{GrantChange, find_readable};
use crate::http::{Expected, Page};
use crate::money::{Currency, Money};
use crate::web::i18n::Lang;

/// Where the list lives (linked from the home of those who read grants).
pub const PATH: &str = "/grants";

/// How many grants the list shows.
const LISTED: i64 = 100;

/// The grants the reader may see, the newest first.
#[utoipa::path(responses((status = 200, description = "the grants the reader may see", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role reads no grants", content_type = "text/html")))]
#[get("/grants")]
pub async fn grant_list(visitor: Visitor) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadGrants)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let scope = policy::grant_scope(&user);
    let lang = visitor.lang;
    let rows = db::run(&visitor.state.pool, move |conn| {
        let page = Page {
            limit: LISTED,
            after: None,
        };
        let mut rows = grants::list(conn, &scope, &GrantFilter::default(), &page)?;
        rows.truncate(LISTED as usize);
        let names = grantee_names(conn, &user, &rows)?;
        let views = grants::views_of(conn, &rows)?;
        rows.iter()
            .zip(&views)
            .map(|(row, view)| {
                let grantee = names.get(&row.organisation_id).cloned().flatten();
                list_row(view, grantee, row.created_at, lang)
            })
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    let mut rows = rows;
    rows.sort_by_key(|r| std::cmp::Reverse(r.created_at));
    visitor.page(
        StatusCode::OK,
        "grants.html",
        context! { grants => Serde(rows) },
    )
}

/// One grant: money, instalments and what each waits for, payments, reports, and the
/// signature form while the agreement waits for it.
#[utoipa::path(responses((status = 200, description = "the grant", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role reads no grants", content_type = "text/html"),
                         (status = 404, description = "no such grant, or not yours", content_type = "text/html")))]
#[get("/grants/{id}")]
pub async fn grant_page(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let notice = if query_param(&req, "signed").as_deref() == Some("1") {
        Some(visitor.text("grant-signed-notice", &[])?)
    } else if query_param(&req, "reported").as_deref() == Some("1") {
        Some(visitor.text("grant-reported-notice", &[])?)
    } else {
        None
    };
    show_grant(&visitor, &id, StatusCode::OK, notice, None).await
}

/// Signs the agreement for the grantee (303 back to the grant); a form without this
/// visitor's CSRF token is refused, a grant that changed since the form was made (or is
/// signed already) is shown again with why nothing was done.
#[utoipa::path(responses((status = 303, description = "signed: back to the grant"),
                         (status = 403, description = "no valid CSRF token, or this role does not sign", content_type = "text/html"),
                         (status = 404, description = "no such grant, or not yours", content_type = "text/html"),
                         (status = 409, description = "the grant no longer waits for a signature, or changed since the form was made", content_type = "text/html")))]
#[post("/grants/{id}/sign")]
pub async fn sign_grant(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::SignGrant)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    if uuid::Uuid::parse_str(&id).is_err() {
        return visitor.not_found();
    }
    let signed = crate::change::run_view::<GrantRow, _>(
        &visitor.state,
        &req,
        user.clone(),
        &id,
        Expected::from_form(form.get("version")),
        GrantChange::sign(user),
    )
    .await;
    match signed {
        Ok(view) => Ok(see_other(&format!("{PATH}/{}?signed=1", view.id)).finish()),
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        Err(e)
            if matches!(
                e.code,
                ErrorCode::PreconditionFailed | ErrorCode::InvalidState
            ) =>
        {
            let message = visitor.text("grant-sign-stale", &[])?;
            show_grant(&visitor, &id, StatusCode::CONFLICT, None, Some(message)).await
        }
        Err(e) => Err(e),
    }
}

/// The grantees' names as `user` may read them: `None` for a protected grantee's, read by
/// a donor.
fn grantee_names(
    conn: &mut DbConn,
    user: &CurrentUser,
    rows: &[GrantRow],
) -> AppResult<std::collections::HashMap<String, Option<String>>> {
    let ids: Vec<String> = rows.iter().map(|r| r.organisation_id.clone()).collect();
    let withhold_protected = user.role == Role::Donor;
    Ok(crate::organisations::store::names_of(conn, &ids)?
        .into_iter()
        .map(|(id, (name, protected))| (id, (!(protected && withhold_protected)).then_some(name)))
        .collect())
}

/// The grant's page with a notice or an error (also after a payment request, `payments`).
pub(super) async fn show_grant(
    visitor: &Visitor,
    raw_id: &str,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadGrants)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(id) = uuid::Uuid::parse_str(raw_id) else {
        return visitor.not_found();
    };
    let id = id.to_string();
    let lang = visitor.lang;
    let found = db::run(&visitor.state.pool, move |conn| {
        let grant = match find_readable(conn, &user, &id) {
            Ok(grant) => grant,
            Err(e) if e.code == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        read_grant(conn, &user, grant, lang).map(Some)
    })
    .await?;
    let Some(shown) = found else {
        return visitor.not_found();
    };
    visitor.page(
        status,
        "grant.html",
        context! { g => Serde(shown), notice => notice, error => error },
    )
}

#[derive(Serialize)]
struct ListRow {
    href: String,
    reference: String,
    title: String,
    grantee: String,
    status: String,
    amount: String,
    paid: String,
    #[serde(skip)]
    created_at: NaiveDateTime,
}

fn list_row(
    view: &GrantView,
    grantee: Option<String>,
    created_at: NaiveDateTime,
    lang: Lang,
) -> AppResult<ListRow> {
    Ok(ListRow {
        href: format!("{PATH}/{}", view.id),
        reference: view.reference.clone(),
        title: view.title.clone(),
        grantee: match grantee {
            Some(name) => name,
            None => text(lang, "annual-withheld-grantee", &[])?,
        },
        status: text(lang, &format!("grant-status-{}", view.status.as_str()), &[])?,
        amount: format::money_text(&view.amount, view.currency, lang)?,
        paid: format::money_text(&view.disbursed, view.currency, lang)?,
        created_at,
    })
}

#[derive(Serialize)]
struct Shown {
    id: String,
    currency: &'static str,
    version: i64,
    reference: String,
    title: String,
    grantee: String,
    status: String,
    status_reason: Option<String>,
    amount: String,
    paid: String,
    pending: String,
    remaining: String,
    refunded: String,
    starts_on: String,
    ends_on: String,
    conditions: Option<String>,
    /// The reader is a member of the grantee and the agreement waits for signature.
    may_sign: bool,
    /// The reader is a member of the grantee and the grant takes reports.
    may_report: bool,
    signed_on: Option<String>,
    instalments: Vec<InstalmentShown>,
    payments: Vec<PaymentShown>,
    reports: Vec<ReportShown>,
}

#[derive(Serialize)]
struct InstalmentShown {
    position: i32,
    due_on: String,
    amount: String,
    paid: String,
    /// What the instalment waits for, or that it is paid or can be.
    state: Vec<String>,
    /// For finance, while the instalment can be paid: the request form.
    request: Option<RequestForm>,
}

#[derive(Serialize)]
struct RequestForm {
    instalment_id: String,
    /// What the instalment still expects, as a plain decimal (the form's starting value).
    amount: String,
    /// The form's own idempotency key: posted twice, it requests once.
    once: String,
}

#[derive(Serialize)]
struct PaymentShown {
    paid_on: String,
    amount: String,
    reference: String,
}

#[derive(Serialize)]
struct ReportShown {
    href: String,
    kind: String,
    period: String,
    status: String,
}

fn read_grant(
    conn: &mut DbConn,
    user: &CurrentUser,
    grant: GrantRow,
    lang: Lang,
) -> AppResult<Shown> {
    let view = grants::view_of(conn, &grant)?;
    let currency = view.currency;
    let money =
        |minor: i64| format::money(Money::from_minor(minor, currency).amount(), currency, lang);
    let plan = grants::instalments(conn, &grant.id)?;
    let grant_money = grants::money(conn, &grant.id)?;
    let requests_payments = policy::authorize(user, Operation::RequestDisbursement).is_ok();
    let mut instalments = Vec::new();
    for row in &plan {
        let (paid, pending) = grant_money
            .by_instalment
            .get(&row.id)
            .copied()
            .unwrap_or_default();
        let (state, ready) = if paid >= row.amount_minor {
            (vec![text(lang, "instalment-paid", &[])?], false)
        } else if pending > 0 {
            (vec![text(lang, "instalment-being-paid", &[])?], false)
        } else if grant.is_finished() {
            (vec![text(lang, "instalment-not-paid", &[])?], false)
        } else {
            let facts =
                crate::disbursements::release_facts(conn, &grant, &plan, row, &grant_money)?;
            let blockers = release_blockers(&facts);
            if blockers.is_empty() {
                (vec![text(lang, "instalment-ready", &[])?], true)
            } else {
                let mut said: Vec<String> = blockers
                    .iter()
                    .map(|b| blocker_text(b, currency, lang))
                    .collect::<AppResult<_>>()?;
                // an unsigned grant is both not active and not signed: one line says it
                said.dedup();
                (said, false)
            }
        };
        let still_expected = row.amount_minor - paid - pending;
        let request = (ready && requests_payments && still_expected > 0).then(|| RequestForm {
            instalment_id: row.id.clone(),
            amount: Money::from_minor(still_expected, currency).amount_string(),
            once: crate::auth::tokens::new_opaque(),
        });
        instalments.push(InstalmentShown {
            position: row.position,
            due_on: format::date(row.due_on, lang),
            amount: money(row.amount_minor),
            paid: money(paid),
            state,
            request,
        });
    }
    let mut paid_rows: Vec<_> = crate::disbursements::store::of_grant(conn, &grant.id)?
        .into_iter()
        .filter(|d| d.status == DisbursementStatus::Paid)
        .collect();
    paid_rows.sort_by_key(|d| d.paid_on);
    let payments = paid_rows
        .iter()
        .map(|d| {
            Ok(PaymentShown {
                paid_on: d
                    .paid_on
                    .map(|day| format::date(day, lang))
                    .unwrap_or_default(),
                amount: money(d.amount_minor),
                reference: d.payment_reference.clone().unwrap_or_default(),
            })
        })
        .collect::<AppResult<_>>()?;
    let reports = crate::reports::store::of_grant(conn, &grant.id)?
        .iter()
        .map(|r| {
            Ok(ReportShown {
                href: format!("/reports/{}", r.id),
                kind: text(lang, &format!("report-kind-{}", r.kind.as_str()), &[])?,
                period: text(
                    lang,
                    "annual-period",
                    &[
                        ("from", Arg::Text(format::date(r.period_start, lang))),
                        ("to", Arg::Text(format::date(r.period_end, lang))),
                    ],
                )?,
                status: text(lang, &format!("report-status-{}", r.status.as_str()), &[])?,
            })
        })
        .collect::<AppResult<_>>()?;
    let names = grantee_names(conn, user, std::slice::from_ref(&grant))?;
    let grantee = match names.get(&grant.organisation_id).cloned().flatten() {
        Some(name) => name,
        None => text(lang, "annual-withheld-grantee", &[])?,
    };
    let may_sign = view.status == GrantStatus::AwaitingSignature
        && policy::authorize(user, Operation::SignGrant).is_ok()
        && user.organisation_id.as_deref() == Some(grant.organisation_id.as_str());
    let member = policy::require_member(user, &grant.organisation_id, "grant").is_ok();
    let may_report = member
        && policy::authorize(user, Operation::SubmitReport).is_ok()
        && crate::reports::rules::check_grant_accepts_reports(view.status).is_ok();
    let amount_of = |s: &str| format::money_text(s, currency, lang);
    Ok(Shown {
        id: view.id.clone(),
        currency: currency.code(),
        version: view.version,
        reference: view.reference.clone(),
        title: view.title.clone(),
        grantee,
        status: text(lang, &format!("grant-status-{}", view.status.as_str()), &[])?,
        status_reason: view.status_reason.clone(),
        amount: amount_of(&view.amount)?,
        paid: amount_of(&view.disbursed)?,
        pending: amount_of(&view.pending_disbursement)?,
        remaining: amount_of(&view.remaining)?,
        refunded: amount_of(&view.refunded)?,
        starts_on: format::date(view.starts_on, lang),
        ends_on: format::date(view.ends_on, lang),
        conditions: view.conditions.clone(),
        may_sign,
        may_report,
        signed_on: view.signed_at.map(|t| format::date(t.date_naive(), lang)),
        instalments,
        payments,
        reports,
    })
}

/// What a release blocker says to the grantee.
fn blocker_text(blocker: &ReleaseBlocker, currency: Currency, lang: Lang) -> AppResult<String> {
    match blocker {
        ReleaseBlocker::GrantNotActive(status) => text(
            lang,
            &format!("instalment-waits-grant-{}", status.as_str()),
            &[],
        ),
        ReleaseBlocker::NotSigned => text(lang, "instalment-waits-signature", &[]),
        ReleaseBlocker::AwaitsReports {
            kind,
            needed,
            accepted,
        } => {
            let key = match kind {
                Some(ReportKind::Final) => "instalment-waits-final-report",
                _ => "instalment-waits-interim-report",
            };
            text(
                lang,
                key,
                &[
                    ("count", Arg::Count(*needed as i64)),
                    ("accepted", Arg::Count(*accepted as i64)),
                ],
            )
        }
        ReleaseBlocker::SpendingBelow { share, spent, paid } => text(
            lang,
            "instalment-waits-spending",
            &[
                (
                    "share",
                    Arg::Text(format::number(
                        *share * rust_decimal::Decimal::ONE_HUNDRED,
                        0,
                        lang,
                    )),
                ),
                ("spent", Arg::Text(format::money(*spent, currency, lang))),
                ("paid", Arg::Text(format::money(*paid, currency, lang))),
            ],
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reports::model::ReportStatus;

    #[test]
    fn every_blocker_is_said_in_every_language() {
        let usd = Currency::parse("USD").expect("USD");
        let blockers = [
            ReleaseBlocker::GrantNotActive(GrantStatus::AwaitingSignature),
            ReleaseBlocker::GrantNotActive(GrantStatus::Active),
            ReleaseBlocker::GrantNotActive(GrantStatus::Suspended),
            ReleaseBlocker::GrantNotActive(GrantStatus::Closed),
            ReleaseBlocker::GrantNotActive(GrantStatus::Terminated),
            ReleaseBlocker::NotSigned,
            ReleaseBlocker::AwaitsReports {
                kind: Some(ReportKind::Interim),
                needed: 2,
                accepted: 1,
            },
            ReleaseBlocker::AwaitsReports {
                kind: Some(ReportKind::Final),
                needed: 1,
                accepted: 0,
            },
            ReleaseBlocker::SpendingBelow {
                share: "0.7".parse().expect("share"),
                spent: "100.00".parse().expect("spent"),
                paid: "1000.00".parse().expect("paid"),
            },
        ];
        for lang in Lang::ALL {
            for blocker in &blockers {
                let said = blocker_text(blocker, usd, lang).expect("said");
                assert!(!said.is_empty());
            }
        }
        let spending = blocker_text(&blockers[8], usd, Lang::En).expect("said");
        assert!(
            spending.contains("70%") && spending.contains("100.00\u{a0}USD"),
            "{spending}"
        );
        for status in [
            GrantStatus::AwaitingSignature,
            GrantStatus::Active,
            GrantStatus::Suspended,
            GrantStatus::Closed,
            GrantStatus::Terminated,
        ] {
            for lang in Lang::ALL {
                text(lang, &format!("grant-status-{}", status.as_str()), &[]).expect("status");
            }
        }
        for status in [
            ReportStatus::Submitted,
            ReportStatus::Accepted,
            ReportStatus::Returned,
        ] {
            for lang in Lang::ALL {
                text(lang, &format!("report-status-{}", status.as_str()), &[]).expect("status");
            }
        }
    }
}
