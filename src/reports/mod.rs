//! Outcome reports of grants: the grantee submits interim and final reports (beneficiaries
//! only as counts, services, indicators, expenditure per budget line); the secretariat
//! accepts or returns them; a returned report is resubmitted as a new version that names
//! the returned one (which stays `returned`). A fund's outcomes sum its accepted reports,
//! with every count below 5 hidden for donors (domain invariant 7); they are read from
//! running totals that acceptance adds to (`totals`), never summed over the reports.
//! `reminders` emails the grantee about due dates, each reminder once.
//!
//! Resubmission: `POST /grants/{id}/reports` of a kind whose newest report was returned is
//! its resubmission, automatically (the client names nothing): the new report gets the next
//! `report_version` and `supersedes_id`. The disbursement rules read `grant_reports` as is:
//! statuses `submitted`, `accepted`, `returned`.

pub mod digest;
pub mod drafts;
pub mod model;
pub mod reminders;
pub mod rules;
pub mod store;
pub mod totals;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::change;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult};
use crate::http::{Paginated, ValidJson, json_with_etag, parse_id, parse_query};
use crate::money::Currency;
use crate::notify::{self, Email};
use crate::state::AppState;
use model::{CreateReport, NewReport, ReportStatus, ReportView, ReviewRequest};
use rules::OutcomesView;
use store::ReportRow;

const ENTITY: crate::audit::Entity = crate::audit::Entity::GrantReport;
const REPORT: &str = "report";
pub const REVIEWED: &str = "report_reviewed";

fn suppress_for(user: &CurrentUser) -> bool {
    policy::sees_suppressed_counts(user)
}

/// Submits an outcome report of the caller's organisation's grant (active or suspended;
/// 409 otherwise, and 409 while a report of the same kind awaits review). A report of a
/// kind whose newest report was returned is its resubmission: the next version, naming the
/// returned one in `supersedes_id`. Beneficiaries are counts only: no personal data of any
/// victim is accepted anywhere, and the narrative must not describe individuals.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id")),
    request_body = CreateReport, security(("bearer" = [])),
    responses((status = 201, body = ReportView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/grants/{id}/reports")]
pub async fn create_report(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<CreateReport>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::SubmitReport)?;
    let grant_id = parse_id(&id, "id")?.to_string();
    let actor = Actor::for_user(&req, &user);
    let view = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            submit(conn, &actor, &user, &grant_id, |currency, categories| {
                body.0.validate(currency, categories)
            })
        })
    })
    .await?;
    let mut response = json_with_etag(StatusCode::CREATED, &view, view.version);
    if let Ok(location) = header::HeaderValue::from_str(&format!("/api/v1/reports/{}", view.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// A report of the grant `grant_id` by a member of the grantee (404 for anyone else),
/// while the grant takes reports (409); `report` checks the content against the grant's
/// currency and budget categories (422). A kind whose newest report was returned gets its
/// resubmission. The one way a report comes in, for the API and the demo alike; the grant's
/// report draft (`drafts`) is deleted with it.
pub fn submit(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    grant_id: &str,
    report: impl FnOnce(Currency, &[String]) -> AppResult<NewReport>,
) -> AppResult<ReportView> {
    let grant =
        store::find_grant_locked(conn, grant_id)?.ok_or_else(|| AppError::not_found("grant"))?;
    policy::require_member(user, &grant.organisation_id, "grant")?;
    let categories = store::budget_categories(conn, &grant.application_id)?;
    let report = report(grant.money()?.currency(), &categories)?;
    rules::check_grant_accepts_reports(grant.status()?)?;
    let earlier_rows: Vec<ReportRow> = store::of_grant(conn, &grant.id)?
        .into_iter()
        .filter(|r| r.kind == report.kind)
        .collect();
    let earlier = earlier_rows
        .iter()
        .map(|r| Ok((r.id.as_str(), r.report_version, r.status)))
        .collect::<AppResult<Vec<_>>>()?;
    let (report_version, supersedes) = rules::next_version(&earlier)?;
    let new_people: i64 = report.beneficiaries.iter().map(|(_, _, _, n)| n).sum();
    rules::check_counted_once(
        new_people,
        store::people_counted(conn, &grant.id)?,
        report.people_reached_to_date,
    )?;
    let now = crate::clock::now_naive();
    let row = ReportRow {
        id: uuid::Uuid::now_v7().to_string(),
        grant_id: grant.id.clone(),
        fund_id: grant.fund_id.clone(),
        organisation_id: grant.organisation_id.clone(),
        kind: report.kind,
        report_version,
        supersedes_id: supersedes.map(str::to_string),
        status: ReportStatus::Submitted,
        period_start: report.period_start,
        period_end: report.period_end,
        narrative: report.narrative.clone(),
        review_comment: None,
        reviewed_by: None,
        reviewed_at: None,
        submitted_by: Some(user.id.clone()),
        submitted_at: now,
        version: 1,
        updated_at: now,
        people_reached_to_date: Some(report.people_reached_to_date),
        narrative_cleared_at: None,
        narrative_cleared_by: None,
    };
    store::insert(conn, &row, &report)?;
    // the report that was being written is sent: its draft goes with this transaction (and
    // stays when the sending fails)
    drafts::store::delete(conn, &grant.id)?;
    let view = store::view(conn, &row, false)?;
    audit::record(
        conn,
        actor,
        Change::<(), _> {
            entity: ENTITY,
            entity_id: &row.id,
            action: if supersedes.is_some() {
                crate::audit::Action::Resubmit
            } else {
                crate::audit::Action::Submit
            },
            before: None,
            after: Some(&view),
        },
    )?;
    Ok(view)
}

/// A grant's reports, oldest first, returned and superseded ones included. Readers of the
/// grant: admin, finance, trustees of the fund, donors, members of the grantee (404 for
/// anyone else). Donors see counts below 5 as `"<5"`.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id")), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<ReportView>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/grants/{id}/reports")]
pub async fn list_reports(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadReports)?;
    let grant_id = parse_id(&id, "id")?.to_string();
    let suppress = suppress_for(&user);
    let views = db::run(&state.pool, move |conn| {
        let grant = crate::grants::store::find(conn, &grant_id)?
            .ok_or_else(|| AppError::not_found("grant"))?;
        policy::require_grant_reader(&user, &grant.organisation_id, &grant.fund_id, "grant")?;
        store::of_grant(conn, &grant.id)?
            .iter()
            .map(|row| store::view(conn, row, suppress))
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(Paginated {
        items: views,
        next_cursor: None,
    }))
}

/// The report `id` if `user` may read it (its grant's readers); 404 otherwise.
pub fn find_readable(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<ReportRow> {
    let row = store::find(conn, id)?.ok_or_else(|| AppError::not_found(REPORT))?;
    policy::require_grant_reader(user, &row.organisation_id, &row.fund_id, REPORT)?;
    Ok(row)
}

/// One report, with its ETag (for `If-Match` on accept and return).
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "report id")), security(("bearer" = [])),
    responses((status = 200, body = ReportView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/reports/{id}")]
pub async fn get_report(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadReports)?;
    let id = parse_id(&id, "id")?.to_string();
    let suppress = suppress_for(&user);
    let view = db::run(&state.pool, move |conn| {
        let row = find_readable(conn, &user, &id)?;
        store::view(conn, &row, suppress)
    })
    .await?;
    Ok(json_with_etag(StatusCode::OK, &view, view.version))
}

#[derive(Debug, Serialize)]
struct ReviewedContext<'a> {
    report_id: &'a str,
    grant_id: &'a str,
    reference: &'a str,
    title: &'a str,
    kind: &'a str,
    report_version: i32,
    period_start: NaiveDate,
    period_end: NaiveDate,
    outcome: &'a str,
    comment: Option<&'a str>,
}

impl change::Entity for ReportRow {
    const KIND: audit::Entity = ENTITY;
    type Locks = ();
    type View = ReportView;
    type Id = crate::ids::ReportId;

    /// The report locked, as a reader of its grant may see it (404 otherwise).
    fn lock(
        conn: &mut DbConn,
        user: &CurrentUser,
        id: &crate::ids::ReportId,
    ) -> AppResult<((), ReportRow)> {
        let row = store::find_locked(conn, id)?.ok_or_else(|| AppError::not_found(REPORT))?;
        policy::require_grant_reader(user, &row.organisation_id, &row.fund_id, REPORT)?;
        Ok(((), row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &Self, after: &Self) -> AppResult<bool> {
        store::save_review(conn, before, after)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<ReportView> {
        store::view(conn, self, false)
    }
}

/// The secretariat's review of a submitted report: accepted, or returned with a comment
/// saying what to change. The grantee's contact is emailed. Acceptance adds the report to
/// its fund's running outcome totals (`store::count_accepted`), in the same transaction.
pub struct Review {
    pub outcome: ReportStatus,
    pub comment: Option<String>,
    pub reviewer: String,
}

impl change::Command<ReportRow> for Review {
    fn action(&self) -> audit::Action {
        match self.outcome {
            ReportStatus::Accepted => audit::Action::Accept,
            _ => audit::Action::Return,
        }
    }

    fn decide(&self, _: &mut DbConn, _: &(), current: &ReportRow) -> AppResult<ReportRow> {
        rules::check_reviewable(current.status)?;
        Ok(ReportRow {
            status: self.outcome,
            review_comment: self.comment.clone(),
            reviewed_by: Some(self.reviewer.clone()),
            reviewed_at: Some(crate::clock::now_naive()),
            ..current.clone()
        })
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        _: &(),
        _: &ReportRow,
        after: &ReportRow,
    ) -> AppResult<()> {
        // an accepted report counts in its fund's outcomes from this transaction on
        if after.status == ReportStatus::Accepted {
            store::count_accepted(conn, std::slice::from_ref(after))?;
        }
        let grant = crate::grants::store::find(conn, &after.grant_id)?
            .ok_or_else(|| AppError::internal("a report's grant is missing"))?;
        let Some(to) = store::contact_email(conn, &grant.application_id)? else {
            return Ok(());
        };
        notify::enqueue(
            conn,
            Email {
                to,
                template: REVIEWED,
                context: ReviewedContext {
                    report_id: &after.id,
                    grant_id: &grant.id,
                    reference: &grant.reference,
                    title: &grant.title,
                    kind: after.kind.as_str(),
                    report_version: after.report_version,
                    period_start: after.period_start,
                    period_end: after.period_end,
                    outcome: self.outcome.as_str(),
                    comment: self.comment.as_deref(),
                },
            },
        )?;
        Ok(())
    }
}

/// The secretariat clears a report's narrative to travel beyond the fund, having read it for
/// anything that could identify a survivor (audited as `clear`).
pub struct ClearNarrative {
    pub by: String,
}

impl change::Command<ReportRow> for ClearNarrative {
    fn action(&self) -> audit::Action {
        audit::Action::Clear
    }

    fn decide(&self, _: &mut DbConn, _: &(), current: &ReportRow) -> AppResult<ReportRow> {
        rules::check_clearable(current.status, current.narrative_cleared_at.is_some())?;
        Ok(ReportRow {
            narrative_cleared_at: Some(crate::clock::now_naive()),
            narrative_cleared_by: Some(self.by.clone()),
            ..current.clone()
        })
    }
}

/// Clears a report's narrative: from now on donors read it beside the figures (until then
/// they see the figures only). Read it first for names, ages, places, phone numbers and
/// anything else that could identify a survivor. 409 when already cleared or the report was
/// returned; 412 when `If-Match` is stale.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "report id"),
           ("If-Match" = Option<String>, Header, description = "the report's ETag")),
    security(("bearer" = [])),
    responses((status = 200, body = ReportView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/reports/{id}/clear-narrative")]
pub async fn clear_narrative(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReviewReport)?;
    let command = ClearNarrative {
        by: user.id.clone(),
    };
    change::run::<ReportRow, _>(&state, &req, user, &id, None, command).await
}

/// Accepts a submitted report (409 from any other state; 412 when `If-Match` is stale).
/// The grantee's contact is told by email. Acceptance can release an instalment that waits
/// for a report of this kind.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "report id"),
           ("If-Match" = Option<String>, Header, description = "the report's ETag")),
    request_body = ReviewRequest, security(("bearer" = [])),
    responses((status = 200, body = ReportView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/reports/{id}/accept")]
pub async fn accept_report(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReviewRequest>,
) -> AppResult<HttpResponse> {
    review_handler(state, req, user, id, body, ReportStatus::Accepted).await
}

/// Returns a submitted report to the grantee with a `comment` (required) saying what to
/// change (409 from any other state; 412 when `If-Match` is stale). The report stays
/// `returned`; the grantee submits a new version.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "report id"),
           ("If-Match" = Option<String>, Header, description = "the report's ETag")),
    request_body = ReviewRequest, security(("bearer" = [])),
    responses((status = 200, body = ReportView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/reports/{id}/return")]
pub async fn return_report(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReviewRequest>,
) -> AppResult<HttpResponse> {
    review_handler(state, req, user, id, body, ReportStatus::Returned).await
}

async fn review_handler(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReviewRequest>,
    outcome: ReportStatus,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReviewReport)?;
    let comment = body.0.comment(outcome == ReportStatus::Returned)?;
    let command = Review {
        outcome,
        comment,
        reviewer: user.id.clone(),
    };
    change::run::<ReportRow, _>(&state, &req, user, &id, None, command).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OutcomesQuery {
    /// First day of the window (a report counts when its period ends within it); default:
    /// no lower bound.
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<NaiveDate>,
    /// Last day of the window; default: no upper bound.
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<NaiveDate>,
}

/// The fund's outcomes over accepted reports whose period ends within [from, to]:
/// beneficiaries summed and disaggregated by sex, age group, form of exploitation and the
/// full cells; services; by country (each report counts for the first country of its
/// grant's application) and by year (of the period's end). For donors every count below 5,
/// totals included, is shown as `"<5"` (`suppressed: true`); the secretariat and the
/// fund's trustees see exact numbers.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "fund id"), OutcomesQuery), security(("bearer" = [])),
    responses((status = 200, body = OutcomesView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/outcomes")]
pub async fn fund_outcomes(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadOutcomes)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    policy::require_outcomes_reader(&user, &fund_id)?;
    let query: OutcomesQuery = parse_query(&req)?;
    let from = query.from.unwrap_or(NaiveDate::MIN);
    let to = query.to.unwrap_or(NaiveDate::MAX);
    if to < from {
        return Err(AppError::field("to", "must not fall before from"));
    }
    let (from, to) = rules::storable_dates(from, to);
    let suppress = suppress_for(&user);
    let view = db::run(&state.pool, move |conn| {
        crate::funds::store::find(conn, &fund_id)?.ok_or_else(|| AppError::not_found("fund"))?;
        let counts = store::outcomes(conn, &fund_id, from, to)?;
        Ok(rules::outcomes_view(&fund_id, from, to, &counts, suppress))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
