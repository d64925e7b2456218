//! Review of screened-in applications: the secretariat assigns reviewers (external experts,
//! or trustees of the fund), each declares a conflict of interest or none, scores the
//! call's rubric and submits; the board reads the reviews and the call's ranking with the
//! funding line. A reviewer sees an application only after declaring no conflict; whoever
//! declared one sees no scores.

pub mod model;
pub mod rules;
pub mod store;

use std::collections::{BTreeMap, HashMap};

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, post, put};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::applications::model::ApplicationStatus;
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::policy::{self, Operation, OwnAssignment, ReviewsAccess};
use crate::auth::{CurrentUser, Role};
use crate::calls::model::Criterion;
use crate::change;
use crate::clock::stored_time;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{PageParams, Paginated, ValidJson, json_with_etag, parse_id, parse_query};
use crate::money::{Currency, Money};
use crate::notify::{self, Email};
use crate::state::AppState;
use model::{
    AssignedApplication, AssignmentQuery, AssignmentStatus, AssignmentView, ConflictDeclaration,
    CreateAssignment, CriterionView, FundingLineView, RankingRow, RankingView, Recommendation,
    RecommendationCounts, ReviewDraft, ReviewView, ReviewsView,
};
use store::{ApplicationLabel, AssignmentRow};

const ENTITY: crate::audit::Entity = crate::audit::Entity::ReviewAssignment;
/// The email telling a reviewer that an application awaits it (title only).
pub const ASSIGNED_TEMPLATE: &str = "review_assigned";

/// Who looks at an assignment, which decides what it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Viewer {
    /// The reviewer: its own scores and draft; the application once cleared.
    Assignee,
    /// The secretariat: everything but a draft's scores.
    Secretariat,
    /// The audit trail: everything.
    Audit,
}

fn to_utc(t: Option<chrono::NaiveDateTime>) -> Option<DateTime<Utc>> {
    t.map(|t| t.and_utc())
}

fn criterion_view(c: &Criterion) -> CriterionView {
    CriterionView {
        key: c.key.clone(),
        title: c.title.clone(),
        weight: c.weight.0.normalize().to_string(),
        max_score: c.max_score,
    }
}

fn view(
    row: &AssignmentRow,
    label: &ApplicationLabel,
    rubric: &[Criterion],
    viewer: Viewer,
) -> AppResult<AssignmentView> {
    let status = row.status;
    let opened = status == AssignmentStatus::Cleared || viewer != Viewer::Assignee;
    let shows_review = match viewer {
        Viewer::Assignee | Viewer::Audit => true,
        Viewer::Secretariat => row.submitted_at.is_some(),
    };
    Ok(AssignmentView {
        id: row.id.clone(),
        reviewer_id: row.reviewer_id.clone(),
        status,
        application: AssignedApplication {
            title: label.title.clone(),
            organisation_name: label.organisation_name.clone(),
            id: opened.then(|| row.application_id.clone()),
            reference: if opened {
                label.reference.clone()
            } else {
                None
            },
        },
        rubric: opened.then(|| rubric.iter().map(criterion_view).collect()),
        conflict_statement: row.conflict_statement.clone(),
        declared_at: to_utc(row.declared_at),
        scores: if shows_review {
            row.scores()?
        } else {
            BTreeMap::new()
        },
        comment: if shows_review {
            row.comment.clone()
        } else {
            String::new()
        },
        recommendation: row.recommendation.filter(|_| shows_review),
        submitted_at: to_utc(row.submitted_at),
        due_on: row.due_on,
        overdue: rules::overdue(
            status,
            row.submitted_at.is_some(),
            row.due_on,
            crate::clock::today(),
        ),
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

fn label_of(conn: &mut DbConn, row: &AssignmentRow) -> AppResult<ApplicationLabel> {
    store::application_labels(conn, std::slice::from_ref(&row.application_id))?
        .remove(&row.application_id)
        .ok_or_else(|| AppError::internal(format!("assignment {}: no application", row.id)))
}

fn viewer_of(user: &CurrentUser, row: &AssignmentRow) -> AppResult<Viewer> {
    if row.reviewer_id == user.id {
        Ok(Viewer::Assignee)
    } else if policy::sees_all_assignments(user) {
        Ok(Viewer::Secretariat)
    } else {
        Err(AppError::not_found("assignment"))
    }
}

fn with_etag(status: StatusCode, view: &AssignmentView) -> HttpResponse {
    json_with_etag(status, view, view.version)
}

#[derive(Debug, Serialize)]
struct AssignedContext<'a> {
    assignment_id: &'a str,
    title: &'a str,
    /// The reviewer's name.
    name: &'a str,
}

/// Assigns a reviewer to an application under review (or deferred): a user with the
/// reviewer role, or a trustee of the application's fund, who does not belong to the
/// applicant organisation, with the day the review is due (`due_on`, or
/// `review.days_to_review` days from today; never past, never on or after the fund's next
/// board session: 422 naming `due_on`). The reviewer is told by email that an application
/// awaits it.
#[utoipa::path(tag = "review",
    params(("id" = uuid::Uuid, Path, description = "application id")),
    request_body = CreateAssignment, security(("bearer" = [])),
    responses((status = 201, body = AssignmentView), (status = 404, body = crate::error::Problem),
              (status = 409, description = "not under review, or already assigned to this reviewer", body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/applications/{id}/assignments")]
pub async fn create_assignment(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<CreateAssignment>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::AssignReviewer)?;
    let application_id = parse_id(&id, "id")?.to_string();
    let new = body.0.validate()?;
    let days = state.settings.review.days_to_review;
    let actor = Actor::for_user(&req, &user);
    let view = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let due = Due {
                given: new.due_on,
                days,
            };
            let row = assign(conn, &actor, &user, &application_id, &new.reviewer_id, due)?;
            let label = label_of(conn, &row)?;
            let rubric = store::call_rubric(conn, &row.call_id)?;
            view(&row, &label, &rubric, Viewer::Secretariat)
        })
    })
    .await?;
    Ok(with_etag(StatusCode::CREATED, &view))
}

/// When a review is due: the day the secretariat gave, if any, else `days` from the day it
/// is assigned (`review.days_to_review`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    pub given: Option<NaiveDate>,
    pub days: u32,
}

/// The days a review of an application of `fund_id` assigned today may be due on, and the
/// default one (`rules::DueWindow`, with the fund's next board session): what `assign`
/// checks and what the assignment form offers.
pub fn due_window(conn: &mut DbConn, fund_id: &str, days: u32) -> AppResult<rules::DueWindow> {
    let today = crate::clock::today();
    let board_meets = crate::board::store::next_session_after(conn, fund_id, today)?;
    Ok(rules::DueWindow::new(today, days, board_meets))
}

/// Assigns `reviewer_id` to the application `application_id`, which must be under review
/// (409): an active reviewer, or a trustee of the application's fund, from outside the
/// applicant organisation (422 naming `reviewer_id`), once (409), due on a day of
/// `due_window` (422 naming `due_on`). The reviewer is told by email. The one way an
/// assignment comes into being, for the API, the page and the demo alike.
pub fn assign(
    conn: &mut DbConn,
    actor: &Actor,
    assigner: &CurrentUser,
    application_id: &str,
    reviewer_id: &str,
    due: Due,
) -> AppResult<AssignmentRow> {
    let app = crate::applications::store::find_row_only(conn, application_id, true)?
        .ok_or_else(|| AppError::not_found("application"))?;
    rules::require_open(app.status)?;
    let due_on = due_window(conn, &app.fund_id, due.days)?.due_on(due.given)?;
    let refused = || {
        AppError::field(
            "reviewer_id",
            "must be an active user with the reviewer role, or a trustee of the application's fund",
        )
    };
    let reviewer = crate::auth::store::find(conn, reviewer_id)?.ok_or_else(refused)?;
    let role = reviewer.role;
    let trustee_of_fund = role == Role::Trustee
        && crate::auth::store::fund_ids(conn, &reviewer.id)?.contains(&app.fund_id);
    if !policy::may_be_assigned(role, reviewer.active, trustee_of_fund) {
        return Err(refused());
    }
    if policy::conflicted_by_membership(reviewer.organisation_id.as_deref(), &app.organisation_id) {
        return Err(AppError::field(
            "reviewer_id",
            "conflict of interest: the reviewer belongs to the applicant organisation",
        ));
    }
    if store::find_for(conn, &app.id, &reviewer.id)?.is_some() {
        return Err(AppError::duplicate(
            "this reviewer is already assigned to the application",
        ));
    }
    let now = stored_time(Utc::now()).naive_utc();
    let row = AssignmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        application_id: app.id.clone(),
        call_id: app.call_id.clone(),
        fund_id: app.fund_id.clone(),
        reviewer_id: reviewer.id.clone(),
        status: AssignmentStatus::AwaitingDeclaration,
        conflict_statement: None,
        declared_at: None,
        scores: "{}".to_string(),
        comment: String::new(),
        recommendation: None,
        submitted_at: None,
        version: 1,
        assigned_by: Some(assigner.id.clone()),
        created_at: now,
        updated_at: now,
        due_on,
    };
    store::insert(conn, &row)?;
    notify::enqueue(
        conn,
        Email {
            to: reviewer.email.clone(),
            template: ASSIGNED_TEMPLATE,
            context: AssignedContext {
                assignment_id: &row.id,
                title: &app.title,
                name: &reviewer.display_name,
            },
        },
    )?;
    let label = label_of(conn, &row)?;
    let rubric = store::call_rubric(conn, &row.call_id)?;
    let after = view(&row, &label, &rubric, Viewer::Audit)?;
    audit::record::<AssignmentView, _>(
        conn,
        actor,
        Change {
            entity: ENTITY,
            entity_id: &row.id,
            action: crate::audit::Action::Assign,
            before: None,
            after: Some(&after),
        },
    )?;
    Ok(row)
}

/// Someone the secretariat may assign to an application, and what became of an earlier
/// assignment of them to it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    /// `Some` once assigned to this application (its assignment's state).
    pub assigned: Option<Assigned>,
}

/// What became of a candidate's assignment to the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    pub status: AssignmentStatus,
    pub submitted: bool,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// Who may review the application: active reviewers and active trustees of its fund,
/// outside the applicant organisation, with their assignments to it (state, and whether
/// the review is submitted). The pages' picker lists them; `assign` still decides.
pub fn candidates(conn: &mut DbConn, application_id: &str) -> AppResult<Vec<Candidate>> {
    let app = crate::applications::store::find_row_only(conn, application_id, false)?
        .ok_or_else(|| AppError::not_found("application"))?;
    let today = crate::clock::today();
    let assigned: HashMap<String, Assigned> = store::list(
        conn,
        &store::ListFilter {
            application_id: Some(app.id.clone()),
            ..Default::default()
        },
        &crate::http::Page {
            limit: 1000,
            after: None,
        },
    )?
    .into_iter()
    .map(|a| {
        let submitted = a.submitted_at.is_some();
        let state = Assigned {
            status: a.status,
            submitted,
            due_on: a.due_on,
            overdue: rules::overdue(a.status, submitted, a.due_on, today),
        };
        (a.reviewer_id, state)
    })
    .collect();
    let mut people = crate::auth::store::active_with_role(conn, Role::Reviewer)?;
    for trustee in crate::auth::store::active_with_role(conn, Role::Trustee)? {
        if crate::auth::store::fund_ids(conn, &trustee.id)?.contains(&app.fund_id) {
            people.push(trustee);
        }
    }
    let mut out: Vec<Candidate> = people
        .into_iter()
        .filter(|u| {
            !policy::conflicted_by_membership(u.organisation_id.as_deref(), &app.organisation_id)
        })
        .map(|u| Candidate {
            assigned: assigned.get(&u.id).copied(),
            id: u.id,
            name: u.display_name,
            email: u.email,
            role: u.role,
        })
        .collect();
    out.sort_by_key(|c| c.name.to_lowercase());
    Ok(out)
}

/// The reviews past their due day and still awaited (`rules::overdue`), the longest overdue
/// first, at most `limit`: the secretariat's queue.
pub fn overdue_reviews(
    conn: &mut DbConn,
    today: NaiveDate,
    limit: i64,
) -> AppResult<Vec<store::OverdueReview>> {
    Ok(store::overdue(conn, today, limit)?
        .into_iter()
        .filter(|r| rules::overdue(r.status, r.submitted_at.is_some(), r.due_on, today))
        .collect())
}

/// Lists review assignments: reviewers and trustees their own; the secretariat all, or
/// those of one application or call.
#[utoipa::path(tag = "review",
    params(AssignmentQuery), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<AssignmentView>)), (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/assignments")]
pub async fn list_assignments(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadAssignments)?;
    let query: AssignmentQuery = parse_query(&req)?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let uuid = |field: &str, value: &Option<String>| -> AppResult<Option<String>> {
        value
            .as_deref()
            .map(|v| {
                uuid::Uuid::parse_str(v)
                    .map(|u| u.to_string())
                    .map_err(|_| AppError::field(field, "must be a UUID"))
            })
            .transpose()
    };
    let mut filter = store::ListFilter {
        reviewer_id: None,
        application_id: uuid("application_id", &query.application_id)?,
        call_id: uuid("call_id", &query.call_id)?,
    };
    let all = policy::sees_all_assignments(&user);
    if !all {
        let mut errors = Vec::new();
        for (field, given) in [
            ("application_id", filter.application_id.is_some()),
            ("call_id", filter.call_id.is_some()),
        ] {
            if given {
                errors.push(FieldError::new(
                    field,
                    "only the secretariat filters assignments; yours are listed without it",
                ));
            }
        }
        crate::platform::validated((), errors)?;
    }
    if !all || query.mine == Some(true) {
        filter.reviewer_id = Some(user.id.clone());
    }
    let page_for_query = page.clone();
    let views = db::run(&state.pool, move |conn| {
        list_views(conn, &user, &filter, &page_for_query)
    })
    .await?;
    Ok(
        HttpResponse::Ok().json(Paginated::from_rows(views, &page, |a: &AssignmentView| {
            a.id.clone()
        })),
    )
}

/// The assignments `filter` selects, each as `user` may see it (the assignee its own; the
/// secretariat any): the API's list and the reviewer's page.
pub fn list_views(
    conn: &mut DbConn,
    user: &CurrentUser,
    filter: &store::ListFilter,
    page: &crate::http::Page,
) -> AppResult<Vec<AssignmentView>> {
    let rows = store::list(conn, filter, page)?;
    let app_ids: Vec<String> = rows.iter().map(|r| r.application_id.clone()).collect();
    let mut call_ids: Vec<String> = rows.iter().map(|r| r.call_id.clone()).collect();
    call_ids.sort();
    call_ids.dedup();
    let labels = store::application_labels(conn, &app_ids)?;
    let rubrics = store::rubrics(conn, &call_ids)?;
    rows.iter()
        .map(|row| {
            let label = labels
                .get(&row.application_id)
                .ok_or_else(|| AppError::internal("assignment without application"))?;
            let rubric = rubrics.get(&row.call_id).map(Vec::as_slice).unwrap_or(&[]);
            view(row, label, rubric, viewer_of(user, row)?)
        })
        .collect()
}

/// One assignment as `user` may see it (404 unless the assignee or the secretariat): before
/// the declaration only the application's title and applicant, after "no conflict" its
/// id, reference and the rubric. The API's read and the reviewer's page.
pub fn read_assignment(
    conn: &mut DbConn,
    user: &CurrentUser,
    id: &str,
) -> AppResult<AssignmentView> {
    let row = store::find(conn, id, false)?.ok_or_else(|| AppError::not_found("assignment"))?;
    let viewer = viewer_of(user, &row)?;
    let label = label_of(conn, &row)?;
    let rubric = store::call_rubric(conn, &row.call_id)?;
    view(&row, &label, &rubric, viewer)
}

/// Reads an assignment: the assigned person or the secretariat (404 for anyone else).
/// Before the conflict declaration it shows only the application's title and applicant;
/// after "no conflict" its id, reference and the rubric to score.
#[utoipa::path(tag = "review",
    params(("id" = uuid::Uuid, Path, description = "assignment id")), security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/assignments/{id}")]
pub async fn get_assignment(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadAssignments)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| read_assignment(conn, &user, &id)).await?;
    Ok(with_etag(StatusCode::OK, &view))
}

impl change::Entity for AssignmentRow {
    const KIND: audit::Entity = ENTITY;
    type Locks = ();
    type View = AssignmentView;
    type Id = crate::ids::AssignmentId;

    /// The caller's own assignment, locked (404 for anyone else's).
    fn lock(
        conn: &mut DbConn,
        user: &CurrentUser,
        id: &crate::ids::AssignmentId,
    ) -> AppResult<((), AssignmentRow)> {
        let row = store::find(conn, id, true)?
            .filter(|row| row.reviewer_id == user.id)
            .ok_or_else(|| AppError::not_found("assignment"))?;
        Ok(((), row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &Self, after: &Self) -> AppResult<bool> {
        store::save(conn, before.version, after)
    }

    /// Everything, for the audit trail.
    fn view(&self, conn: &mut DbConn) -> AppResult<AssignmentView> {
        let rubric = store::call_rubric(conn, &self.call_id)?;
        view(self, &label_of(conn, self)?, &rubric, Viewer::Audit)
    }

    /// What the assignee sees: the application only once it declared no conflict.
    fn answer(&self, conn: &mut DbConn, _: &CurrentUser) -> AppResult<AssignmentView> {
        let rubric = store::call_rubric(conn, &self.call_id)?;
        view(self, &label_of(conn, self)?, &rubric, Viewer::Assignee)
    }
}

/// The assignee's declaration: a conflict recuses it, none opens the application.
pub struct Declare(pub model::Declaration);

impl change::Command<AssignmentRow> for Declare {
    fn action(&self) -> audit::Action {
        audit::Action::Declare
    }

    fn decide(&self, _: &mut DbConn, _: &(), row: &AssignmentRow) -> AppResult<AssignmentRow> {
        let status = rules::declare(row.status, self.0.has_conflict)?;
        Ok(AssignmentRow {
            status,
            conflict_statement: self.0.statement.clone(),
            declared_at: Some(crate::clock::now_naive()),
            ..row.clone()
        })
    }
}

/// The review as it stands: scores, comment and recommendation, until submitted.
pub struct SaveReview {
    pub draft: ReviewDraft,
    pub comment: String,
}

impl SaveReview {
    /// The draft as sent, its comment trimmed; 422 naming `comment` when it is too long.
    /// The scores are checked against the rubric when the change is decided.
    pub fn new(draft: ReviewDraft) -> AppResult<SaveReview> {
        let comment = draft.comment.trim().to_string();
        if comment.chars().count() > model::MAX_TEXT {
            return Err(AppError::field(
                "comment",
                format!("must be at most {} characters", model::MAX_TEXT),
            ));
        }
        Ok(SaveReview { draft, comment })
    }
}

impl change::Command<AssignmentRow> for SaveReview {
    fn action(&self) -> audit::Action {
        audit::Action::Review
    }

    fn decide(&self, conn: &mut DbConn, _: &(), row: &AssignmentRow) -> AppResult<AssignmentRow> {
        rules::require_editable(row.status, row.submitted_at.is_some())?;
        rules::require_open(application_status(conn, &row.application_id)?)?;
        let rubric = store::call_rubric(conn, &row.call_id)?;
        let scores =
            rules::check_scores(&rubric, &self.draft.scores).map_err(AppError::validation)?;
        Ok(AssignmentRow {
            scores: store::scores_text(&scores),
            comment: self.comment.clone(),
            recommendation: self.draft.recommendation,
            ..row.clone()
        })
    }
}

/// Submits the review: every criterion scored and a recommendation given; then frozen.
pub struct SubmitReview;

impl change::Command<AssignmentRow> for SubmitReview {
    fn action(&self) -> audit::Action {
        audit::Action::Submit
    }

    fn decide(&self, conn: &mut DbConn, _: &(), row: &AssignmentRow) -> AppResult<AssignmentRow> {
        rules::require_editable(row.status, row.submitted_at.is_some())?;
        rules::require_open(application_status(conn, &row.application_id)?)?;
        let rubric = store::call_rubric(conn, &row.call_id)?;
        let missing =
            rules::submission_blockers(&rubric, &row.scores()?, row.recommendation.is_some());
        if !missing.is_empty() {
            return Err(AppError::validation(missing));
        }
        Ok(AssignmentRow {
            submitted_at: Some(crate::clock::now_naive()),
            ..row.clone()
        })
    }
}

/// The application's status, read inside the change's transaction.
fn application_status(conn: &mut DbConn, application_id: &str) -> AppResult<ApplicationStatus> {
    let row = crate::applications::store::find_row_only(conn, application_id, false)?
        .ok_or_else(|| AppError::internal("assignment without application"))?;
    Ok(row.status)
}

/// Declares, once, whether the assignee has a conflict of interest. With one the
/// assignment is recused (a statement is required) and the application stays hidden;
/// without, the application opens for review.
#[utoipa::path(tag = "review",
    params(("id" = uuid::Uuid, Path, description = "assignment id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ConflictDeclaration, security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 404, body = crate::error::Problem),
              (status = 409, description = "already declared", body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/assignments/{id}/conflict")]
pub async fn declare_conflict(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ConflictDeclaration>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteReview)?;
    let declaration = body.0.validate()?;
    change::run::<AssignmentRow, _>(&state, &req, user, &id, None, Declare(declaration)).await
}

/// Saves the review as it stands (the whole of it): scores per rubric criterion (whole
/// numbers from 0 to the criterion's maximum; some may still be missing), comment and
/// recommendation. Only after declaring no conflict, until submitted, while the
/// application is under review or deferred.
#[utoipa::path(tag = "review",
    params(("id" = uuid::Uuid, Path, description = "assignment id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ReviewDraft, security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[put("/api/v1/assignments/{id}/review")]
pub async fn save_review(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ReviewDraft>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteReview)?;
    let command = SaveReview::new(body.0)?;
    change::run::<AssignmentRow, _>(&state, &req, user, &id, None, command).await
}

/// Submits the review: every criterion scored and a recommendation given (422 naming each
/// one missing). A submitted review is frozen.
#[utoipa::path(tag = "review",
    params(("id" = uuid::Uuid, Path, description = "assignment id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    security(("bearer" = [])),
    responses((status = 200, body = AssignmentView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/assignments/{id}/submit")]
pub async fn submit_review(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteReview)?;
    change::run::<AssignmentRow, _>(&state, &req, user, &id, None, SubmitReview).await
}

fn review_view(row: &AssignmentRow, name: String, rubric: &[Criterion]) -> AppResult<ReviewView> {
    let scores = row.scores()?;
    Ok(ReviewView {
        assignment_id: row.id.clone(),
        reviewer_id: row.reviewer_id.clone(),
        reviewer_name: name,
        weighted_score: rules::weighted_score(rubric, &scores)
            .map(|s| rules::two_decimals(s).to_string()),
        scores,
        comment: row.comment.clone(),
        recommendation: row.recommendation,
        submitted_at: to_utc(row.submitted_at),
    })
}

/// An application's submitted reviews with each weighted score (0–100). Trustees of the
/// fund and cleared reviewers who have an assignment on it see others' reviews only once
/// their own is submitted; until then only their own, with `others_hidden`. Whoever
/// declared a conflict on the application gets 404.
#[utoipa::path(tag = "review",
    params(("id" = uuid::Uuid, Path, description = "application id")), security(("bearer" = [])),
    responses((status = 200, body = ReviewsView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/applications/{id}/reviews")]
pub async fn list_reviews(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadReviews)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| {
        let hidden = || AppError::not_found("application");
        let app =
            crate::applications::store::find_row_only(conn, &id, false)?.ok_or_else(hidden)?;
        let status = app.status;
        if !policy::application_visibility(&user).allows_application(
            conn,
            &app.id,
            &app.organisation_id,
            &app.fund_id,
            status,
        )? {
            return Err(hidden());
        }
        let own = store::find_for(conn, &app.id, &user.id)?;
        let own_state = match &own {
            None => OwnAssignment::None,
            Some(row) => match row.status {
                AssignmentStatus::Recused => OwnAssignment::Recused,
                _ if row.submitted_at.is_some() => OwnAssignment::Submitted,
                status => OwnAssignment::Pending(status),
            },
        };
        let access = policy::reviews_access(&user, &app.fund_id, own_state)?;
        let rubric = store::call_rubric(conn, &app.call_id)?;
        let (reviews, others_hidden) = match access {
            ReviewsAccess::All => (
                store::submitted_reviews(conn, &app.id)?
                    .into_iter()
                    .map(|(row, name)| review_view(&row, name, &rubric))
                    .collect::<AppResult<Vec<_>>>()?,
                false,
            ),
            ReviewsAccess::OwnOnly => {
                let mine = match own {
                    Some(row) if row.status == AssignmentStatus::Cleared => {
                        let name = store::display_name(conn, &row.reviewer_id)?;
                        vec![review_view(&row, name, &rubric)?]
                    }
                    _ => Vec::new(),
                };
                (mine, true)
            }
        };
        Ok(ReviewsView {
            application_id: app.id,
            reviews,
            others_hidden,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// One application's review figures, before ordering.
struct Figures {
    app: store::RankedApplication,
    status: ApplicationStatus,
    score: Option<Decimal>,
    spread: Option<Decimal>,
    review_count: u32,
    recommendations: RecommendationCounts,
    recused: bool,
    requested_in_base: Option<i64>,
}

/// A call's ranking from its submitted reviews: per application the mean weighted score,
/// spread, review count, `divergent` flag and recommendations, best first (then by
/// reference; unreviewed last), with the funding line: what the fund has available, walked
/// down the ranking over the applications still open for decision at today's rates. A
/// trustee's row of an application on which it declared a conflict shows no scores.
#[utoipa::path(tag = "review",
    params(("id" = uuid::Uuid, Path, description = "call id")), security(("bearer" = [])),
    responses((status = 200, body = RankingView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/calls/{id}/ranking")]
pub async fn call_ranking(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadRanking)?;
    let call_id = parse_id(&id, "id")?.to_string();
    let threshold = state.settings.review.divergence_threshold;
    let max_rate_age = state.settings.exchange.max_rate_age();
    let view = db::run(&state.pool, move |conn| {
        ranking(conn, &user, &call_id, threshold, max_rate_age)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The ranking of a call: four queries (call, applications, reviews, fund) plus the
/// ledger totals, the open earmarked pots, the applications' countries and themes, and one
/// rate lookup per foreign currency; none per application.
pub fn ranking(
    conn: &mut DbConn,
    user: &CurrentUser,
    call_id: &str,
    threshold: u32,
    max_rate_age: crate::exchange::MaxRateAge,
) -> AppResult<RankingView> {
    use crate::db::schema::calls;
    use diesel::prelude::*;
    let (fund_id, rubric_text) = calls::table
        .find(call_id)
        .select((calls::fund_id, calls::rubric))
        .first::<(String, String)>(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("call"))?;
    policy::require_fund_reader(user, &fund_id, "call")?;
    let rubric = store::parse_rubric(call_id, &rubric_text)?;
    let apps = store::ranked_applications(conn, call_id, rules::RANKED)?;
    let reviews = store::ranking_reviews(conn, call_id, &user.id)?;
    let fund = crate::funds::store::find(conn, &fund_id)?
        .ok_or_else(|| AppError::internal(format!("call {call_id}: no fund")))?;
    let base = Currency::parse(&fund.base_currency)
        .map_err(|e| AppError::internal(format!("fund {fund_id}: {e}")))?;
    let totals = crate::ledger::store::totals(conn, &fund_id, crate::ledger::store::WHOLE_FUND)?;
    let available = crate::ledger::rules::available(&crate::ledger::rules::base_figures(&totals));

    // today's rate per currency, looked up once each; a missing or stale rate leaves the
    // amount unknown
    let today = Utc::now().date_naive();
    let mut rates: HashMap<String, Option<Decimal>> = HashMap::new();
    for app in &apps {
        if !rates.contains_key(&app.currency) {
            let rate = match Currency::parse(&app.currency) {
                Ok(currency) if currency == base => Some(Decimal::ONE),
                Ok(currency) => {
                    crate::exchange::current_rate(conn, currency, base, today, max_rate_age)?
                        .map(|found| found.rate)
                }
                Err(_) => None,
            };
            rates.insert(app.currency.clone(), rate);
        }
    }

    let mut by_app: HashMap<&str, (Vec<Decimal>, RecommendationCounts, bool)> = HashMap::new();
    for review in &reviews {
        let entry = by_app.entry(review.application_id.as_str()).or_default();
        if review.reviewer_id == user.id && review.status == AssignmentStatus::Recused {
            entry.2 = true;
        }
        if review.submitted.is_none() {
            continue;
        }
        let scores = store::parse_scores(&review.application_id, &review.scores)?;
        if let Some(score) = rules::weighted_score(&rubric, &scores) {
            entry.0.push(score);
        }
        match review.recommendation {
            Some(Recommendation::Fund) => entry.1.fund += 1,
            Some(Recommendation::DoNotFund) => entry.1.do_not_fund += 1,
            Some(Recommendation::FundWithChanges) => entry.1.fund_with_changes += 1,
            None => {}
        }
    }

    let app_ids: Vec<String> = apps.iter().map(|a| a.id.clone()).collect();
    let flags = crate::applications::overlaps::open_flags(conn, user, &app_ids)?;
    let mut figures = apps
        .into_iter()
        .map(|app| {
            let (scores, recommendations, recused) =
                by_app.remove(app.id.as_str()).unwrap_or_default();
            let requested_in_base = match (app.requested_amount, rates.get(&app.currency)) {
                (Some(minor), Some(Some(rate))) => Currency::parse(&app.currency)
                    .ok()
                    .and_then(|c| Money::from_minor(minor, c).convert(*rate, base).ok())
                    .map(|m| m.minor_units()),
                _ => None,
            };
            Ok(Figures {
                status: app.status,
                score: rules::mean(&scores).map(rules::two_decimals),
                spread: rules::spread(&scores),
                review_count: u32::try_from(scores.len()).unwrap_or(u32::MAX),
                recommendations,
                recused,
                requested_in_base,
                app,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    // best first, then by reference; unreviewed last
    figures.sort_by(|a, b| {
        b.score
            .is_some()
            .cmp(&a.score.is_some())
            .then_with(|| b.score.cmp(&a.score))
            .then_with(|| a.app.reference.cmp(&b.app.reference))
            .then_with(|| a.app.id.cmp(&b.app.id))
    });
    let reviewed: Vec<Decimal> = figures.iter().filter_map(|f| f.score).collect();
    let ranks = rules::ranks(&reviewed);

    // the funding line walks the reviewed applications still open for decision
    let in_line: Vec<usize> = figures
        .iter()
        .enumerate()
        .filter(|(_, f)| f.score.is_some() && rules::open_for_review(f.status))
        .map(|(i, _)| i)
        .collect();
    let pots = crate::earmarks::store::open_pots(conn, &fund_id)?;
    let scopes = store::line_scopes(conn, call_id)?;
    let nowhere = (Vec::new(), Vec::new());
    let items: Vec<rules::LineItem> = in_line
        .iter()
        .map(|i| {
            let (countries, themes) = scopes.get(&figures[*i].app.id).unwrap_or(&nowhere);
            rules::LineItem {
                amount: figures[*i].requested_in_base,
                scope: crate::earmarks::rules::Scope { countries, themes },
            }
        })
        .collect();
    let places = rules::funding_line(available, &pots, &items);
    let mut place_of: HashMap<usize, rules::LinePlace> = HashMap::new();
    for (i, place) in in_line.iter().zip(places) {
        place_of.insert(*i, place);
    }
    let amount = |minor: i64| Money::from_minor(minor, base).amount_string();
    let mut within_count = 0u32;
    let mut within_amount = 0i64;
    let mut first_below = None;
    let mut rows = Vec::with_capacity(figures.len());
    for (i, f) in figures.into_iter().enumerate() {
        let place = place_of.get(&i).copied();
        let within = place.is_some_and(|p| p.within);
        if within {
            within_count += 1;
            within_amount = place.and_then(|p| p.cumulative).unwrap_or(within_amount);
        } else if place.is_some() && first_below.is_none() {
            first_below = Some(f.app.id.clone());
        }
        let shows = policy::sees_ranking_scores(f.recused);
        let currency = Currency::parse(&f.app.currency).ok();
        rows.push(RankingRow {
            rank: if f.score.is_some() {
                ranks.get(i).copied()
            } else {
                None
            },
            flagged_overlaps: flags.get(&f.app.id).copied().unwrap_or(0),
            application_id: f.app.id,
            reference: f.app.reference,
            title: f.app.title,
            status: f.status,
            score: f.score.filter(|_| shows).map(|s| s.to_string()),
            spread: f
                .spread
                .filter(|_| shows)
                .map(|s| rules::two_decimals(s).to_string()),
            review_count: f.review_count,
            divergent: f
                .spread
                .filter(|_| shows)
                .map(|s| rules::divergent(s, threshold)),
            recommendations: shows.then_some(f.recommendations),
            recused: f.recused,
            requested_amount: match (f.app.requested_amount, currency) {
                (Some(minor), Some(c)) => Some(Money::from_minor(minor, c).amount_string()),
                _ => None,
            },
            currency: f.app.currency,
            requested_in_base: f.requested_in_base.map(amount),
            cumulative_in_base: place.and_then(|p| p.cumulative).map(amount),
            within_funding_line: within,
        });
    }
    Ok(RankingView {
        call_id: call_id.to_string(),
        fund_id,
        divergence_threshold: threshold,
        funding_line: FundingLineView {
            available: amount(available),
            base_currency: base.code().to_string(),
            applications_within: within_count,
            amount_within: amount(within_amount),
            first_below,
        },
        applications: rows,
    })
}
