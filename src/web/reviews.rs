//! A reviewer's pages: `GET /reviews`, the applications assigned to the reader (a reviewer,
//! or a trustee asked to review), each with where it stands; `GET /reviews/{id}`, one
//! assignment. The conflict-of-interest declaration comes first: until it is made the page
//! shows only the application's title and applicant (what the API shows) and the
//! declaration form; after "no conflict" the application's content and the call's rubric as
//! a scoring form; a declared conflict ends the assignment, as the API does.
//!
//! Each step is the API's own command on the assignment with the form's version
//! (`review::Declare`, `review::SaveReview`, `review::SubmitReview`), so a form made before
//! the assignment changed (another tab, a second click) changes nothing and is said on a 409
//! page. "Submit" saves what the form holds and submits it in one transaction: what was
//! typed is never lost, and a refused submission leaves the draft as it was. The API's
//! field errors are said beside their fields in the reader's language, what was typed kept.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::i18n::{Arg, Lang, text};
use super::render::see_other;
use super::{PostedForm, Visitor, format, query_param};
use crate::applications::model::ApplicationView;
use crate::auth::policy::Operation;
use crate::auth::{Actor, CurrentUser};
use crate::db::{self, write_transaction};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::{Expected, Page};
use crate::ids::{AssignmentId, Id};
use crate::review::model::{
    AssignmentStatus, AssignmentView, ConflictDeclaration, Recommendation, ReviewDraft,
};
use crate::review::store::{AssignmentRow, ListFilter};
use crate::review::{Declare, SaveReview, SubmitReview};

/// The reviewer's list (linked from its home).
pub const PATH: &str = "/reviews";

/// How many assignments the list shows, the oldest first.
const SHOWN: i64 = 200;

/// Where an assignment stands, for the reader: its word and its message.
fn stage(view: &AssignmentView) -> &'static str {
    match view.status {
        AssignmentStatus::AwaitingDeclaration => "declare",
        AssignmentStatus::Recused => "recused",
        AssignmentStatus::Cleared if view.submitted_at.is_some() => "submitted",
        AssignmentStatus::Cleared => "score",
    }
}

#[derive(Serialize)]
struct ListRow {
    href: String,
    title: String,
    organisation: String,
    reference: Option<String>,
    call: String,
    assigned_on: String,
    due_on: String,
    /// "3 days late" when the review is overdue.
    late: Option<String>,
    stage: &'static str,
    stage_label: String,
}

/// The assignments of the signed-in reviewer.
#[utoipa::path(responses((status = 200, description = "the reader's review assignments", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not review", content_type = "text/html")))]
#[get("/reviews")]
pub async fn review_list(visitor: Visitor) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::WriteReview)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let lang = visitor.lang;
    let today = crate::clock::today();
    let rows = db::run(&visitor.state.pool, move |conn| {
        let filter = ListFilter {
            reviewer_id: Some(user.id.clone()),
            ..ListFilter::default()
        };
        let page = Page {
            limit: SHOWN,
            after: None,
        };
        let views = crate::review::list_views(conn, &user, &filter, &page)?;
        let ids: Vec<String> = views.iter().map(|v| v.id.clone()).collect();
        let calls = crate::review::store::call_titles(conn, &ids)?;
        views
            .into_iter()
            .take(usize::try_from(SHOWN).unwrap_or(usize::MAX))
            .map(|v| {
                let stage = stage(&v);
                Ok(ListRow {
                    href: format!("{PATH}/{}", v.id),
                    call: calls.get(&v.id).cloned().unwrap_or_default(),
                    title: v.application.title,
                    organisation: v.application.organisation_name,
                    reference: v.application.reference,
                    assigned_on: format::date(v.created_at.date_naive(), lang),
                    due_on: format::date(v.due_on, lang),
                    late: v
                        .overdue
                        .then(|| {
                            let days = crate::platform::dates::days_past(v.due_on, today);
                            text(lang, "overdue-days-late", &[("count", Arg::Count(days))])
                        })
                        .transpose()?,
                    stage,
                    stage_label: text(lang, &format!("review-stage-{stage}"), &[])?,
                })
            })
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    visitor.page(
        StatusCode::OK,
        "reviews.html",
        context! { rows => Serde(rows) },
    )
}

/// One assignment: the declaration first, then the application and its scoring form.
#[utoipa::path(responses((status = 200, description = "the assignment", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not review", content_type = "text/html"),
                         (status = 404, description = "no such assignment, or another reviewer's", content_type = "text/html")))]
#[get("/reviews/{id}")]
pub async fn review_page(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::WriteReview)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let notice = match query_param(&req, "done").as_deref() {
        Some(done @ ("declared" | "saved" | "submitted")) => {
            Some(visitor.text(&format!("review-{done}-notice"), &[])?)
        }
        _ => None,
    };
    let shown = Shown {
        notice,
        ..Shown::default()
    };
    show(&visitor, &user, &id, StatusCode::OK, shown).await
}

/// The declaration: no conflict opens the application; a conflict (said in a sentence)
/// ends the assignment.
#[utoipa::path(responses((status = 303, description = "declared: back to the assignment"),
                         (status = 403, description = "no valid CSRF token, or this role does not review", content_type = "text/html"),
                         (status = 404, description = "no such assignment, or another reviewer's", content_type = "text/html"),
                         (status = 409, description = "already declared, or the form is older than the assignment", content_type = "text/html"),
                         (status = 422, description = "no choice made, or a conflict without its description", content_type = "text/html")))]
#[post("/reviews/{id}/declare")]
pub async fn declare(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match assignee(&visitor, &form, &id)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let typed = Typed::declaration(&form);
    let has_conflict = match form.get("conflict") {
        "no" => false,
        "yes" => true,
        _ => {
            let message = visitor.text("review-declare-choose", &[])?;
            return refused(
                &visitor,
                &user,
                &id,
                typed,
                vec![field("conflict", message)],
            )
            .await;
        }
    };
    let declaration = ConflictDeclaration {
        has_conflict,
        statement: Some(form.get("statement").to_string()),
    }
    .validate();
    let declaration = match declaration {
        Ok(declaration) => declaration,
        Err(_) => {
            let message = visitor.text("review-statement-invalid", &[])?;
            return refused(
                &visitor,
                &user,
                &id,
                typed,
                vec![field("statement", message)],
            )
            .await;
        }
    };
    let declared = crate::change::run_view::<AssignmentRow, _>(
        &visitor.state,
        &req,
        user.clone(),
        &id,
        Expected::from_form(form.get("version")),
        Declare(declaration),
    )
    .await;
    match declared {
        Ok(view) => Ok(see_other(&format!("{PATH}/{}?done=declared", view.id)).finish()),
        Err(e) => after_failure(&visitor, &user, &id, e, typed, Step::Save).await,
    }
}

/// Saves the review as it stands (a draft: some scores may still be missing).
#[utoipa::path(responses((status = 303, description = "saved: back to the assignment"),
                         (status = 403, description = "no valid CSRF token, or this role does not review", content_type = "text/html"),
                         (status = 404, description = "no such assignment, or another reviewer's", content_type = "text/html"),
                         (status = 409, description = "the review cannot change, or the form is older than it", content_type = "text/html"),
                         (status = 422, description = "a score out of its range, or a comment too long", content_type = "text/html")))]
#[post("/reviews/{id}/save")]
pub async fn save(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    write(visitor, req, id.into_inner(), form, false).await
}

/// Saves what the form holds and submits the review: every criterion scored and a
/// recommendation given, then frozen.
#[utoipa::path(responses((status = 303, description = "submitted: back to the assignment"),
                         (status = 403, description = "no valid CSRF token, or this role does not review", content_type = "text/html"),
                         (status = 404, description = "no such assignment, or another reviewer's", content_type = "text/html"),
                         (status = 409, description = "the review cannot change, or the form is older than it", content_type = "text/html"),
                         (status = 422, description = "a score missing or out of range, no recommendation", content_type = "text/html")))]
#[post("/reviews/{id}/submit")]
pub async fn submit(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    write(visitor, req, id.into_inner(), form, true).await
}

/// Which command refused the form: the save (scores out of range, the comment) or the
/// submission (what is still missing).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Save,
    Submit,
}

async fn write(
    visitor: Visitor,
    req: HttpRequest,
    id: String,
    form: PostedForm,
    submitting: bool,
) -> AppResult<HttpResponse> {
    let user = match assignee(&visitor, &form, &id)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    // the rubric the form was made from, as the reader may see it
    let (for_read, reader) = (id.clone(), user.clone());
    let found = db::run(&visitor.state.pool, move |conn| {
        missing_is_none(crate::review::read_assignment(conn, &reader, &for_read))
    })
    .await?;
    let Some(view) = found else {
        return visitor.not_found();
    };
    let keys: Vec<String> = view
        .rubric
        .iter()
        .flatten()
        .map(|c| c.key.clone())
        .collect();
    let typed = Typed::review(&form, &keys);
    let recommendation = match form.get("recommendation") {
        "" => None,
        raw => match Recommendation::ALL.iter().find(|r| r.as_str() == raw) {
            Some(r) => Some(*r),
            None => {
                let message = visitor.text("review-recommendation-missing", &[])?;
                let errors = vec![field("recommendation", message)];
                return refused(&visitor, &user, &id, typed, errors).await;
            }
        },
    };
    let draft = ReviewDraft {
        scores: draft_scores(&typed.scores),
        comment: typed.comment.clone(),
        recommendation,
    };
    let command = match SaveReview::new(draft) {
        Ok(command) => command,
        Err(e) => {
            let errors = localise(&visitor, &e, &view, Step::Save)?;
            return refused(&visitor, &user, &id, typed, errors).await;
        }
    };
    let Ok(assignment_id) = AssignmentId::parse(&id, "id") else {
        return visitor.not_found();
    };
    let expected = Expected::from_form(form.get("version"));
    let actor = Actor::for_user(&req, &user);
    let writer = user.clone();
    let (outcome, step) = db::run(&visitor.state.pool, move |conn| {
        let mut step = Step::Save;
        let outcome = write_transaction(conn, |conn| {
            let saved = crate::change::apply::<AssignmentRow, _>(
                conn,
                &actor,
                &writer,
                &assignment_id,
                expected,
                &command,
            )?;
            if !submitting {
                return Ok(saved);
            }
            step = Step::Submit;
            crate::change::apply::<AssignmentRow, _>(
                conn,
                &actor,
                &writer,
                &assignment_id,
                Expected::Any,
                &SubmitReview,
            )
        });
        Ok((outcome, step))
    })
    .await?;
    match outcome {
        Ok(view) => {
            let done = if submitting { "submitted" } else { "saved" };
            Ok(see_other(&format!("{PATH}/{}?done={done}", view.id)).finish())
        }
        Err(e) => after_failure(&visitor, &user, &id, e, typed, step).await,
    }
}

/// The scores of the form as the API's draft takes them: a whole number as a number,
/// anything else as typed (for the rubric's check to refuse), a blank one left out.
fn draft_scores(typed: &BTreeMap<String, String>) -> BTreeMap<String, serde_json::Value> {
    typed
        .iter()
        .filter(|(_, raw)| !raw.trim().is_empty())
        .map(|(key, raw)| {
            let value = match raw.trim().parse::<i64>() {
                Ok(n) => serde_json::json!(n),
                Err(_) => serde_json::json!(raw.trim()),
            };
            (key.clone(), value)
        })
        .collect()
}

/// The assignee posting a valid form about an assignment id; else the answer to send (403
/// without the CSRF token, to `/login`, the 403 page for another role, 404 for what is not
/// an id).
fn assignee(
    visitor: &Visitor,
    form: &PostedForm,
    id: &str,
) -> AppResult<Result<CurrentUser, HttpResponse>> {
    if !visitor.csrf_ok(form) {
        return visitor.refused().map(Err);
    }
    let user = match visitor.user_for(Operation::WriteReview)? {
        Ok(user) => user,
        Err(answer) => return Ok(Err(answer)),
    };
    if uuid::Uuid::parse_str(id).is_err() {
        return visitor.not_found().map(Err);
    }
    Ok(Ok(user))
}

/// A step refused by the API: a 404 page, the fields' errors (422), or the assignment as
/// it stands now with why nothing changed (409).
async fn after_failure(
    visitor: &Visitor,
    user: &CurrentUser,
    id: &str,
    error: AppError,
    typed: Typed,
    step: Step,
) -> AppResult<HttpResponse> {
    if error.code == ErrorCode::NotFound {
        return visitor.not_found();
    }
    if !error.code.status().is_client_error() {
        return Err(error);
    }
    if error.code == ErrorCode::ValidationFailed {
        let (for_read, reader) = (id.to_string(), user.clone());
        let found = db::run(&visitor.state.pool, move |conn| {
            missing_is_none(crate::review::read_assignment(conn, &reader, &for_read))
        })
        .await?;
        let Some(view) = found else {
            return visitor.not_found();
        };
        let errors = localise(visitor, &error, &view, step)?;
        return refused(visitor, user, id, typed, errors).await;
    }
    let shown = Shown {
        error: Some(visitor.text("review-stale", &[])?),
        ..Shown::default()
    };
    show(visitor, user, id, StatusCode::CONFLICT, shown).await
}

/// `NotFound` read as "nothing to show".
fn missing_is_none<T>(found: AppResult<T>) -> AppResult<Option<T>> {
    match found {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.code == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The page again with what was typed and each problem beside its field (422).
async fn refused(
    visitor: &Visitor,
    user: &CurrentUser,
    id: &str,
    typed: Typed,
    errors: Vec<Problem>,
) -> AppResult<HttpResponse> {
    let shown = Shown {
        typed: Some(typed),
        errors,
        ..Shown::default()
    };
    show(visitor, user, id, StatusCode::UNPROCESSABLE_ENTITY, shown).await
}

/// A problem of the form: the id of its field, what to do, in the reader's language, and
/// for a score the criterion it concerns (the summary at the top names it).
#[derive(Serialize, Clone)]
struct Problem {
    field: String,
    message: String,
    label: Option<String>,
}

fn field(name: &str, message: String) -> Problem {
    Problem {
        field: name.to_string(),
        message,
        label: None,
    }
}

/// The API's field errors said in the reader's language: a score refused by the rubric
/// (out of its range, not a whole number) or still missing at submission, the missing
/// recommendation, a comment too long.
fn localise(
    visitor: &Visitor,
    error: &AppError,
    view: &AssignmentView,
    step: Step,
) -> AppResult<Vec<Problem>> {
    let mut out: Vec<Problem> = Vec::new();
    for criterion in view.rubric.iter().flatten() {
        let named = format!("scores.{}", criterion.key);
        if error.errors.iter().any(|e| e.field == named) {
            let message = match step {
                Step::Save => visitor.text(
                    "review-score-invalid",
                    &[("max", Arg::Count(i64::from(criterion.max_score)))],
                )?,
                Step::Submit => visitor.text("review-score-missing", &[])?,
            };
            out.push(Problem {
                label: Some(criterion.title.clone()),
                ..field(&format!("score_{}", criterion.key), message)
            });
        }
    }
    for (name, key) in [
        ("recommendation", "review-recommendation-missing"),
        ("comment", "review-comment-invalid"),
    ] {
        if error.errors.iter().any(|e| e.field == name) {
            out.push(field(name, visitor.text(key, &[])?));
        }
    }
    if out.is_empty() {
        out.push(field("comment", visitor.text("review-stale", &[])?));
    }
    Ok(out)
}

/// What was typed in a form shown again.
#[derive(Default)]
struct Typed {
    conflict: String,
    statement: String,
    scores: BTreeMap<String, String>,
    comment: String,
    recommendation: String,
}

impl Typed {
    fn declaration(form: &PostedForm) -> Typed {
        Typed {
            conflict: form.get("conflict").to_string(),
            statement: form.get("statement").to_string(),
            ..Typed::default()
        }
    }

    fn review(form: &PostedForm, keys: &[String]) -> Typed {
        Typed {
            scores: keys
                .iter()
                .map(|k| (k.clone(), form.get(&format!("score_{k}")).to_string()))
                .collect(),
            comment: form.get("comment").to_string(),
            recommendation: form.get("recommendation").to_string(),
            ..Typed::default()
        }
    }
}

/// What a page shows beside the assignment.
#[derive(Default)]
struct Shown {
    notice: Option<String>,
    error: Option<String>,
    typed: Option<Typed>,
    errors: Vec<Problem>,
}

#[derive(Serialize)]
struct CriterionRow {
    key: String,
    title: String,
    max: i32,
    weight: String,
    value: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    code: &'static str,
    label: String,
}

#[derive(Serialize)]
struct Assignment {
    id: String,
    version: i64,
    title: String,
    organisation: String,
    call: String,
    stage: &'static str,
    stage_label: String,
    /// While the review is awaited: when it is due, or since when it is late.
    due: Option<String>,
    late: bool,
    conflict_statement: Option<String>,
    declared_on: Option<String>,
    submitted_on: Option<String>,
    conflict: String,
    statement: String,
    criteria: Vec<CriterionRow>,
    comment: String,
    recommendation: String,
    recommendation_label: Option<String>,
    recommendations: Vec<Choice>,
}

/// The application as a reviewer reads it, written for the reader's language.
#[derive(Serialize)]
struct Content {
    reference: Option<String>,
    summary: Vec<String>,
    amount: Option<String>,
    duration: Option<String>,
    countries: String,
    themes: Vec<String>,
    budget: Vec<[String; 3]>,
    budget_total: String,
    beneficiaries: Vec<[String; 4]>,
    documents: Vec<[String; 3]>,
}

async fn show(
    visitor: &Visitor,
    user: &CurrentUser,
    raw_id: &str,
    status: StatusCode,
    shown: Shown,
) -> AppResult<HttpResponse> {
    let Ok(id) = uuid::Uuid::parse_str(raw_id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let reader = user.clone();
    let found = db::run(&visitor.state.pool, move |conn| {
        let Some(view) = missing_is_none(crate::review::read_assignment(conn, &reader, &id))?
        else {
            return Ok(None);
        };
        let call = crate::review::store::call_titles(conn, std::slice::from_ref(&view.id))?
            .remove(&view.id)
            .unwrap_or_default();
        // the application opens only as the API opens it: after "no conflict"
        let application = match &view.application.id {
            Some(app_id) => Some(crate::applications::read_visible(conn, &reader, app_id)?),
            None => None,
        };
        // beside the application, what the registry check found when it was submitted
        let overlaps = match &view.application.id {
            Some(app_id) => Some(crate::applications::overlaps::read(conn, &reader, app_id)?),
            None => None,
        };
        Ok(Some((view, call, application, overlaps)))
    })
    .await?;
    let Some((view, call, application, overlaps)) = found else {
        return visitor.not_found();
    };
    let lang = visitor.lang;
    let typed = shown.typed.unwrap_or_default();
    let error_of = |name: &str| {
        shown
            .errors
            .iter()
            .find(|p| p.field == name)
            .map(|p| p.message.clone())
    };
    let retyped = !typed.scores.is_empty() || !shown.errors.is_empty();
    let criteria = view
        .rubric
        .iter()
        .flatten()
        .map(|c| CriterionRow {
            value: if retyped {
                typed.scores.get(&c.key).cloned().unwrap_or_default()
            } else {
                view.scores
                    .get(&c.key)
                    .map(|s| s.to_string())
                    .unwrap_or_default()
            },
            error: error_of(&format!("score_{}", c.key)),
            key: c.key.clone(),
            title: c.title.clone(),
            max: c.max_score,
            weight: weight_text(&c.weight, lang),
        })
        .collect();
    // from the most to the least favourable, as a reader weighs them
    let recommendations = [
        Recommendation::Fund,
        Recommendation::FundWithChanges,
        Recommendation::DoNotFund,
    ]
    .iter()
    .map(|r| {
        Ok(Choice {
            code: r.as_str(),
            label: text(lang, &format!("recommendation-{}", r.as_str()), &[])?,
        })
    })
    .collect::<AppResult<Vec<_>>>()?;
    let stage = stage(&view);
    let assignment = Assignment {
        id: view.id.clone(),
        version: view.version,
        title: view.application.title.clone(),
        organisation: view.application.organisation_name.clone(),
        call,
        stage,
        stage_label: text(lang, &format!("review-stage-{stage}"), &[])?,
        due: matches!(stage, "declare" | "score")
            .then(|| {
                let key = if view.overdue {
                    "assign-late-since"
                } else {
                    "assign-due-by"
                };
                let date = Arg::Text(format::date(view.due_on, lang));
                text(lang, key, &[("date", date)])
            })
            .transpose()?,
        late: view.overdue,
        conflict_statement: view.conflict_statement.clone(),
        declared_on: view.declared_at.map(|t| format::date(t.date_naive(), lang)),
        submitted_on: view
            .submitted_at
            .map(|t| format::date(t.date_naive(), lang)),
        conflict: typed.conflict.clone(),
        statement: typed.statement.clone(),
        criteria,
        comment: if retyped {
            typed.comment.clone()
        } else {
            view.comment.clone()
        },
        recommendation: if retyped {
            typed.recommendation.clone()
        } else {
            view.recommendation
                .map(|r| r.as_str().to_string())
                .unwrap_or_default()
        },
        recommendation_label: view
            .recommendation
            .map(|r| text(lang, &format!("recommendation-{}", r.as_str()), &[]))
            .transpose()?,
        recommendations,
    };
    let content = application.as_ref().map(|a| content(a, lang)).transpose()?;
    let overlaps = overlaps
        .map(|o| super::overlaps::section(&o, lang))
        .transpose()?;
    visitor.page(
        status,
        "review.html",
        context! {
            a => Serde(assignment),
            app => Serde(content),
            notice => shown.notice,
            error => shown.error,
            errors => Serde(&shown.errors),
            conflict_error => error_of("conflict"),
            statement_error => error_of("statement"),
            comment_error => error_of("comment"),
            recommendation_error => error_of("recommendation"),
            overlaps => Serde(overlaps),
        },
    )
}

/// A criterion's weight as the API gives it (`"0.4"`), written for the reader's language
/// with its own decimals (`0,4`).
fn weight_text(weight: &str, lang: Lang) -> String {
    match weight.parse::<rust_decimal::Decimal>() {
        Ok(value) => format::number(value, value.scale(), lang),
        Err(_) => weight.to_string(),
    }
}

fn content(app: &ApplicationView, lang: Lang) -> AppResult<Content> {
    let currency = crate::money::Currency::parse(&app.currency)
        .map_err(|e| AppError::internal(e.to_string()))?;
    let label = |prefix: &str, code: &str| text(lang, &format!("{prefix}-{code}"), &[]);
    Ok(Content {
        reference: app.reference.clone(),
        summary: app
            .summary
            .split("\n\n")
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect(),
        amount: app
            .requested_amount
            .as_deref()
            .map(|a| format::money_text(a, currency, lang))
            .transpose()?,
        duration: app
            .duration_months
            .map(|m| {
                text(
                    lang,
                    "review-months",
                    &[("count", Arg::Count(i64::from(m)))],
                )
            })
            .transpose()?,
        countries: app
            .countries
            .iter()
            .map(|code| format::country(code, lang))
            .collect::<Vec<_>>()
            .join(", "),
        themes: app
            .themes
            .iter()
            .map(|t| format::earmark(t, lang))
            .collect(),
        budget: app
            .budget
            .iter()
            .map(|l| {
                Ok([
                    l.category.clone(),
                    l.description.clone(),
                    format::money_text(&l.amount, currency, lang)?,
                ])
            })
            .collect::<AppResult<_>>()?,
        budget_total: format::money_text(&app.budget_total, currency, lang)?,
        beneficiaries: app
            .planned_beneficiaries
            .iter()
            .map(|b| {
                Ok([
                    label("sex", b.sex.as_str())?,
                    label("age", b.age_group.as_str())?,
                    label("exploitation", b.exploitation.as_str())?,
                    format::count(b.count, lang),
                ])
            })
            .collect::<AppResult<_>>()?,
        documents: app
            .documents
            .iter()
            .map(|d| {
                Ok([
                    d.kind.clone(),
                    d.file_name.clone(),
                    text(
                        lang,
                        "review-document-size",
                        &[(
                            "size",
                            // whole kilobytes, rounded up: a small file is "1 KB", never 0
                            Arg::Text(format::count((d.size_bytes + 1023) / 1024, lang)),
                        )],
                    )?,
                ])
            })
            .collect::<AppResult<_>>()?,
    })
}
