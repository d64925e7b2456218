//! Outcome reports on pages: `GET /reports/to-review`, the secretariat's queue of reports
//! grantees sent (oldest first); `GET /reports/{id}`, one report as its reader may see it
//! (the API's own view: a donor's small counts withheld and the narrative only once
//! cleared); and the secretariat's three steps, each the API's command with the form's
//! version: accept, return with a comment saying what to change (said beside the field when
//! missing, the text kept), and clear the narrative for donors.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::i18n::{Arg, text};
use super::render::see_other;
use super::{PostedForm, Visitor, format, query_param};
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::Expected;
use crate::reports::model::{ReportStatus, ReportView, ReviewRequest};
use crate::reports::store::{self as reports, ReportRow};
use crate::reports::{ClearNarrative, Review};
use crate::web::i18n::Lang;

/// The secretariat's queue (linked from its home and its work emails).
pub const QUEUE: &str = "/reports/to-review";

/// How many reports the queue lists.
const SHOWN: i64 = 100;

#[derive(Serialize)]
struct QueueRow {
    href: String,
    grant: String,
    reference: String,
    grantee: String,
    kind: String,
    period: String,
    submitted_on: String,
    version: i32,
}

/// The reports waiting for the secretariat's review.
#[utoipa::path(responses((status = 200, description = "the reports waiting for review", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not review reports", content_type = "text/html")))]
#[get("/reports/to-review")]
pub async fn review_queue(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    if let Err(answer) = visitor.user_for(Operation::ReviewReport)? {
        return Ok(answer);
    }
    let notice = match query_param(&req, "done").as_deref() {
        Some("accepted") => Some(visitor.text("report-accepted-notice", &[])?),
        Some("returned") => Some(visitor.text("report-returned-notice", &[])?),
        _ => None,
    };
    let lang = visitor.lang;
    let rows = db::run(&visitor.state.pool, move |conn| {
        reports::waiting_for_review(conn, SHOWN)?
            .into_iter()
            .map(|w| {
                Ok(QueueRow {
                    href: format!("/reports/{}", w.report.id),
                    grant: w.grant_title,
                    reference: w.grant_reference,
                    grantee: w.grantee,
                    kind: text(
                        lang,
                        &format!("annual-kind-{}", w.report.kind.as_str()),
                        &[],
                    )?,
                    period: period(&w.report, lang)?,
                    submitted_on: format::date(w.report.submitted_at.date(), lang),
                    version: w.report.report_version,
                })
            })
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    visitor.page(
        StatusCode::OK,
        "reports_to_review.html",
        context! { reports => Serde(rows), notice => notice },
    )
}

/// One report as its reader may see it, with the secretariat's steps while they apply.
#[utoipa::path(responses((status = 200, description = "the report", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role reads no reports", content_type = "text/html"),
                         (status = 404, description = "no such report, or not yours", content_type = "text/html")))]
#[get("/reports/{id}")]
pub async fn report_page(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let notice = match query_param(&req, "done").as_deref() {
        Some("cleared") => Some(visitor.text("report-cleared-notice", &[])?),
        _ => None,
    };
    show_report(&visitor, &id, StatusCode::OK, notice, None).await
}

/// Accepts a submitted report.
#[utoipa::path(responses((status = 303, description = "accepted: back to the queue"),
                         (status = 403, description = "no valid CSRF token, or not the secretariat", content_type = "text/html"),
                         (status = 404, description = "no such report", content_type = "text/html"),
                         (status = 409, description = "the report changed since the form was made", content_type = "text/html")))]
#[post("/reports/{id}/accept")]
pub async fn accept_report(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    review(&visitor, &req, &id, &form, ReportStatus::Accepted).await
}

/// Returns a submitted report to its grantee with what to change.
#[utoipa::path(responses((status = 303, description = "returned: back to the queue"),
                         (status = 403, description = "no valid CSRF token, or not the secretariat", content_type = "text/html"),
                         (status = 404, description = "no such report", content_type = "text/html"),
                         (status = 409, description = "the report changed since the form was made", content_type = "text/html"),
                         (status = 422, description = "no comment saying what to change", content_type = "text/html")))]
#[post("/reports/{id}/return")]
pub async fn return_report(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    review(&visitor, &req, &id, &form, ReportStatus::Returned).await
}

/// Clears the report's narrative for donors, once read for anything that could identify a
/// survivor.
#[utoipa::path(responses((status = 303, description = "cleared: back to the report"),
                         (status = 403, description = "no valid CSRF token, or not the secretariat", content_type = "text/html"),
                         (status = 404, description = "no such report", content_type = "text/html"),
                         (status = 409, description = "the report changed since the form was made, or cannot be cleared", content_type = "text/html")))]
#[post("/reports/{id}/clear")]
pub async fn clear_report(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match reviewer(&visitor, &form, &id)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let cleared = crate::change::run_view::<ReportRow, _>(
        &visitor.state,
        &req,
        user.clone(),
        &id,
        Expected::from_form(form.get("version")),
        ClearNarrative { by: user.id },
    )
    .await;
    match cleared {
        Ok(view) => Ok(see_other(&format!("/reports/{}?done=cleared", view.id)).finish()),
        Err(e) => after_failure(&visitor, &id, e, None).await,
    }
}

async fn review(
    visitor: &Visitor,
    req: &HttpRequest,
    id: &str,
    form: &PostedForm,
    outcome: ReportStatus,
) -> AppResult<HttpResponse> {
    let user = match reviewer(visitor, form, id)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let typed = form.get("comment").to_string();
    let comment = ReviewRequest {
        comment: Some(typed.clone()),
    }
    .comment(outcome == ReportStatus::Returned);
    let comment = match comment {
        Ok(comment) => comment,
        Err(_) => {
            let message = visitor.text("report-comment-required", &[])?;
            let form = ReturnForm {
                comment: typed,
                error: Some(message),
            };
            return show_report(
                visitor,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(form),
            )
            .await;
        }
    };
    let reviewed = crate::change::run_view::<ReportRow, _>(
        &visitor.state,
        req,
        user.clone(),
        id,
        Expected::from_form(form.get("version")),
        Review {
            outcome,
            comment,
            reviewer: user.id,
        },
    )
    .await;
    let done = match outcome {
        ReportStatus::Accepted => "accepted",
        _ => "returned",
    };
    match reviewed {
        Ok(_) => Ok(see_other(&format!("{QUEUE}?done={done}")).finish()),
        Err(e) => after_failure(visitor, id, e, Some(typed)).await,
    }
}

/// The secretariat member posting a valid form about a report id; else the answer to send
/// (403 without the CSRF token, to `/login`, the 403 page for another role, 404 for what
/// is not an id).
fn reviewer(
    visitor: &Visitor,
    form: &PostedForm,
    id: &str,
) -> AppResult<Result<CurrentUser, HttpResponse>> {
    let user = match visitor.form_user(form, Operation::ReviewReport)? {
        Ok(user) => user,
        Err(answer) => return Ok(Err(answer)),
    };
    if uuid::Uuid::parse_str(id).is_err() {
        return visitor.not_found().map(Err);
    }
    Ok(Ok(user))
}

/// A step refused by the rules: a 404 page, or the report shown again with why.
async fn after_failure(
    visitor: &Visitor,
    id: &str,
    error: AppError,
    typed: Option<String>,
) -> AppResult<HttpResponse> {
    if error.code == ErrorCode::NotFound {
        return visitor.not_found();
    }
    if !error.code.status().is_client_error() {
        return Err(error);
    }
    let message = visitor.text("report-stale", &[])?;
    let form = ReturnForm {
        comment: typed.unwrap_or_default(),
        error: None,
    };
    show_report_with(
        visitor,
        id,
        StatusCode::CONFLICT,
        None,
        Some(message),
        Some(form),
    )
    .await
}

/// What was typed in the return form, shown again with its error.
#[derive(Serialize, Default)]
struct ReturnForm {
    comment: String,
    error: Option<String>,
}

async fn show_report(
    visitor: &Visitor,
    raw_id: &str,
    status: StatusCode,
    notice: Option<String>,
    form: Option<ReturnForm>,
) -> AppResult<HttpResponse> {
    show_report_with(visitor, raw_id, status, notice, None, form).await
}

async fn show_report_with(
    visitor: &Visitor,
    raw_id: &str,
    status: StatusCode,
    notice: Option<String>,
    error: Option<String>,
    form: Option<ReturnForm>,
) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadReports)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(id) = uuid::Uuid::parse_str(raw_id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let lang = visitor.lang;
    let found = db::run(&visitor.state.pool, move |conn| {
        let row = match crate::reports::find_readable(conn, &user, &id) {
            Ok(row) => row,
            Err(e) if e.code == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        read_report(conn, &user, &row, lang).map(Some)
    })
    .await?;
    let Some(shown) = found else {
        return visitor.not_found();
    };
    visitor.page(
        status,
        "report.html",
        context! {
            r => Serde(shown),
            notice => notice,
            error => error,
            form => Serde(form.unwrap_or_default()),
        },
    )
}

#[derive(Serialize)]
struct Shown {
    id: String,
    version: i64,
    title: String,
    grant_href: String,
    grant: String,
    reference: String,
    grantee: String,
    period: String,
    status: String,
    report_version: i32,
    submitted_on: String,
    review_comment: Option<String>,
    people_to_date: Option<String>,
    beneficiaries: Vec<[String; 4]>,
    services: Vec<[String; 2]>,
    indicators: Vec<[String; 3]>,
    expenditure: Vec<[String; 2]>,
    /// Paragraphs of the narrative; `None` when this reader may not see it yet.
    narrative: Option<Vec<String>>,
    narrative_cleared: bool,
    may_review: bool,
    may_clear: bool,
}

fn read_report(
    conn: &mut DbConn,
    user: &CurrentUser,
    row: &ReportRow,
    lang: Lang,
) -> AppResult<Shown> {
    let suppress = policy::sees_suppressed_counts(user);
    let view: ReportView = reports::view(conn, row, suppress)?;
    let grant = crate::grants::store::find(conn, &row.grant_id)?
        .ok_or_else(|| AppError::internal("a report's grant is missing"))?;
    let grantee = crate::organisations::store::find(conn, &row.organisation_id)?
        .map(|o| {
            if o.protected && user.role == crate::auth::Role::Donor {
                text(lang, "annual-withheld-grantee", &[])
            } else {
                Ok(o.name)
            }
        })
        .transpose()?
        .unwrap_or_default();
    let label = |prefix: &str, key: &str| {
        super::i18n::message(lang, &format!("{prefix}-{key}"), &[]).unwrap_or_else(|| key.into())
    };
    let reviewer = policy::authorize(user, Operation::ReviewReport).is_ok();
    let kind = text(lang, &format!("report-kind-{}", view.kind.as_str()), &[])?;
    Ok(Shown {
        id: view.id.clone(),
        version: view.version,
        title: text(
            lang,
            "report-title",
            &[
                ("kind", Arg::Text(kind)),
                ("reference", Arg::Text(grant.reference.clone())),
            ],
        )?,
        grant_href: format!("{}/{}", super::grants::PATH, grant.id),
        grant: grant.title.clone(),
        reference: grant.reference.clone(),
        grantee,
        period: period(row, lang)?,
        status: text(
            lang,
            &format!("report-status-{}", view.status.as_str()),
            &[],
        )?,
        report_version: view.report_version,
        submitted_on: format::date(view.submitted_at.date_naive(), lang),
        review_comment: view.review_comment.clone(),
        people_to_date: view
            .people_reached_to_date
            .as_ref()
            .map(|f| format::figure(f, lang)),
        beneficiaries: view
            .beneficiaries
            .iter()
            .map(|b| {
                [
                    label("sex", &b.sex),
                    label("age", &b.age_group),
                    label("exploitation", &b.exploitation),
                    format::figure(&b.count, lang),
                ]
            })
            .collect(),
        services: view
            .services
            .iter()
            .map(|s| [label("service", &s.service), format::figure(&s.count, lang)])
            .collect(),
        indicators: view
            .indicators
            .iter()
            .map(|i| [i.name.clone(), i.target.clone(), i.actual.clone()])
            .collect(),
        expenditure: view
            .expenditure
            .iter()
            .map(|e| {
                Ok([
                    e.category.clone(),
                    format::money_text(&e.amount, e.currency, lang)?,
                ])
            })
            .collect::<AppResult<_>>()?,
        narrative: view.narrative.as_ref().map(|n| {
            n.split("\n\n")
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        }),
        narrative_cleared: view.narrative_cleared,
        may_review: reviewer && view.status == ReportStatus::Submitted,
        may_clear: reviewer
            && crate::reports::rules::check_clearable(view.status, view.narrative_cleared).is_ok(),
    })
}

fn period(row: &ReportRow, lang: Lang) -> AppResult<String> {
    text(
        lang,
        "annual-period",
        &[
            ("from", Arg::Text(format::date(row.period_start, lang))),
            ("to", Arg::Text(format::date(row.period_end, lang))),
        ],
    )
}
