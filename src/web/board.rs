//! The board of trustees on pages: `GET /board`, per fund whose board the reader serves (the
//! secretariat: every fund) its calls, each linked to its ranking, and its board sessions;
//! `GET /calls/{id}/ranking`, a call's ranking as `review::ranking` gives it, with the
//! funding line (what the fund can award, where the money runs out) and the API's flags
//! (reviews that disagree, the reader's own conflict, an amount no current rate converts);
//! `GET /board-sessions/{id}`, one session with the trustees present, the quorum, the
//! decisions taken and a form to record one; `POST /board-sessions/{id}/decisions`, that
//! form, through `board::record_decision`, the API's own: the quorum, the session having
//! been held, conflicts of interest, the amount and the money available are its rules, and
//! the page says its answer beside the field. The form's `once` key is kept as an
//! idempotency key: posted twice, a decision is recorded once.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use minijinja::context;
use minijinja::value::Serde;
use rust_decimal::Decimal;
use serde::Serialize;

use super::i18n::{Arg, Lang, text};
use super::render::see_other;
use super::{FieldMessage, PostedForm, Visitor, format, message_of, query_param};
use crate::applications::model::ApplicationStatus;
use crate::auth::policy::{self, Operation};
use crate::auth::{Actor, CurrentUser};
use crate::board::DecisionTerms;
use crate::board::model::{CreateDecision, CreateSession, InstalmentInput, Outcome, SessionView};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::grants::model::{ReleaseCondition, ReportKind};
use crate::http::Page;
use crate::idempotency::{self, Answer};
use crate::money::{AmountInput, Currency};
use crate::review::model::RankingView;

/// The trustees' page (linked from their home).
pub const PATH: &str = "/board";

/// How many calls, sessions and applications open for decision a page lists.
const SHOWN: i64 = 200;

fn page_of(limit: i64) -> Page {
    Page { limit, after: None }
}

#[derive(Serialize)]
struct FundBoard {
    id: String,
    name: String,
    code: String,
    calls: Vec<[String; 2]>,
    sessions: Vec<[String; 3]>,
    /// For the secretariat: the form that holds a session of this fund.
    hold: Option<HoldForm>,
}

/// The form that holds a session of one fund: the day, the fund's trustees to tick (id,
/// name, ticked), its quorum, and what the page said of the last attempt.
#[derive(Serialize)]
struct HoldForm {
    once: String,
    held_on: String,
    trustees: Vec<(String, String, bool)>,
    quorum: String,
    errors: Vec<FieldMessage>,
    held_on_error: Option<String>,
    trustees_error: Option<String>,
}

/// What was typed in a fund's session form.
#[derive(Serialize, Default)]
struct SessionForm {
    once: String,
    held_on: String,
    trustee_ids: Vec<String>,
}

impl SessionForm {
    fn typed(form: &PostedForm) -> SessionForm {
        let mut trustee_ids: Vec<String> = form
            .names()
            .filter_map(|n| n.strip_prefix("trustee_"))
            .map(str::to_string)
            .collect();
        trustee_ids.sort();
        SessionForm {
            once: form.get("once").to_string(),
            held_on: form.get("held_on").trim().to_string(),
            trustee_ids,
        }
    }
}

/// The funds of the reader's board with their calls and sessions, and for the secretariat
/// a form per fund to hold a session.
#[utoipa::path(responses((status = 200, description = "the board's funds, calls and sessions", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not sit on a board", content_type = "text/html")))]
#[get("/board")]
pub async fn board_page(visitor: Visitor) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadBoardSessions)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    show_board(&visitor, user, StatusCode::OK, None).await
}

/// The board page; `attempt` is a fund's session form as posted, with what was refused.
async fn show_board(
    visitor: &Visitor,
    user: CurrentUser,
    status: StatusCode,
    attempt: Option<(String, SessionForm, Vec<FieldMessage>)>,
) -> AppResult<HttpResponse> {
    let lang = visitor.lang;
    let may_hold = policy::authorize(&user, Operation::CreateBoardSession).is_ok();
    let funds = db::run(&visitor.state.pool, move |conn| {
        let rows = crate::funds::store::list(conn, &page_of(SHOWN))?
            .into_iter()
            .filter(|f| policy::require_board_reader(&user, &f.id, "fund").is_ok())
            .collect::<Vec<_>>();
        let mut out = Vec::with_capacity(rows.len());
        let mut attempt = attempt;
        for fund in rows {
            let filter = crate::calls::store::CallFilter {
                fund_id: Some(fund.id.clone()),
                status: None,
                public_only: true,
            };
            let calls = crate::calls::store::list(conn, &filter, &page_of(SHOWN))?
                .into_iter()
                .map(|c| [format!("/calls/{}/ranking", c.id), c.title])
                .collect();
            let sessions = crate::board::sessions_of(conn, &user, &fund.id, &page_of(SHOWN))?
                .into_iter()
                .map(|s| {
                    Ok([
                        format!("/board-sessions/{}", s.id),
                        format::date(s.held_on, lang),
                        text(
                            lang,
                            "board-decisions-count",
                            &[(
                                "count",
                                Arg::Count(i64::try_from(s.decisions.len()).unwrap_or(0)),
                            )],
                        )?,
                    ])
                })
                .collect::<AppResult<_>>()?;
            let hold = if may_hold {
                let (typed, errors) = match attempt.take() {
                    Some((id, typed, errors)) if id == fund.id => (typed, errors),
                    other => {
                        attempt = other;
                        (SessionForm::default(), Vec::new())
                    }
                };
                let trustees = crate::auth::store::trustees_of(conn, &fund.id)?
                    .into_iter()
                    .map(|(id, name)| {
                        let ticked = typed.trustee_ids.contains(&id);
                        (id, name, ticked)
                    })
                    .collect();
                Some(HoldForm {
                    once: if typed.once.is_empty() {
                        crate::auth::tokens::new_opaque()
                    } else {
                        typed.once
                    },
                    held_on: typed.held_on,
                    trustees,
                    quorum: text(
                        lang,
                        "session-quorum",
                        &[("count", Arg::Count(i64::from(fund.board_quorum)))],
                    )?,
                    held_on_error: message_of(&errors, "held_on"),
                    trustees_error: message_of(&errors, "trustee_ids"),
                    errors,
                })
            } else {
                None
            };
            out.push(FundBoard {
                id: fund.id,
                name: fund.name,
                code: fund.code,
                calls,
                sessions,
                hold,
            });
        }
        Ok(out)
    })
    .await?;
    visitor.page(status, "board.html", context! { funds => Serde(funds) })
}

/// The API's refusal of a session said beside its field, in the reader's language.
fn session_messages(visitor: &Visitor, error: &AppError) -> AppResult<Vec<FieldMessage>> {
    let mut out: Vec<FieldMessage> = Vec::new();
    for e in &error.errors {
        let (field, key) = match e.field.as_str() {
            "held_on" => ("held_on", "session-date-invalid"),
            "trustee_ids" if error.code == ErrorCode::InvalidState => {
                ("trustee_ids", "session-no-quorum")
            }
            "trustee_ids" => ("trustee_ids", "session-trustees-missing"),
            f if f.starts_with("trustee_ids[") => ("trustee_ids", "session-trustee-not-member"),
            // the same form sent again with other values: its key was used
            _ if error.code == ErrorCode::Duplicate => ("held_on", "session-already-held"),
            _ => continue,
        };
        if out.iter().all(|m| m.field != field) {
            out.push(FieldMessage {
                field,
                message: visitor.text(key, &[])?,
            });
        }
    }
    Ok(out)
}

/// Holds a session of the fund with the trustees ticked: `board::hold_quorate_session`,
/// the API's `hold_session` once the fund's quorum is present. The form's `once` key makes
/// a form posted twice hold one session.
#[utoipa::path(responses((status = 303, description = "held: to the session's page"),
                         (status = 403, description = "no valid CSRF token, or only the secretariat holds sessions", content_type = "text/html"),
                         (status = 404, description = "no such fund", content_type = "text/html"),
                         (status = 409, description = "fewer trustees than the fund's quorum", content_type = "text/html"),
                         (status = 422, description = "the day or the trustees are missing or wrong", content_type = "text/html")))]
#[post("/board/funds/{id}/sessions")]
pub async fn hold_session(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::CreateBoardSession)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(fund_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let typed = SessionForm::typed(&form);
    let refuse = |errors: Vec<FieldMessage>, status: StatusCode, typed: SessionForm| {
        show_board(
            &visitor,
            user.clone(),
            status,
            Some((fund_id.clone(), typed, errors)),
        )
    };
    let Ok(held_on) = typed.held_on.parse::<chrono::NaiveDate>() else {
        let mut errors = vec![FieldMessage {
            field: "held_on",
            message: visitor.text("session-date-invalid", &[])?,
        }];
        if typed.trustee_ids.is_empty() {
            errors.push(FieldMessage {
                field: "trustee_ids",
                message: visitor.text("session-trustees-missing", &[])?,
            });
        }
        return refuse(errors, StatusCode::UNPROCESSABLE_ENTITY, typed).await;
    };
    let new = CreateSession {
        held_on,
        trustee_ids: typed.trustee_ids.clone(),
    }
    .validate();
    let new = match new {
        Ok(new) => new,
        Err(e) => {
            let errors = session_messages(&visitor, &e)?;
            return refuse(errors, StatusCode::UNPROCESSABLE_ENTITY, typed).await;
        }
    };
    let content = serde_json::json!({"held_on": typed.held_on, "trustee_ids": typed.trustee_ids});
    let Some(claim) = form.once(
        &user.id,
        format!("POST /board/funds/{fund_id}/sessions"),
        idempotency::canonical_json(&content).as_bytes(),
    ) else {
        return visitor.refused();
    };
    let actor = Actor::for_user(&req, &user);
    let (holder, for_fund) = (user.clone(), fund_id.clone());
    let held = db::run(&visitor.state.pool, move |conn| {
        idempotency::run_blocking(conn, Some(&claim), |conn| {
            let view = crate::board::hold_quorate_session(conn, &actor, &holder, &for_fund, &new)?;
            Answer::json(
                StatusCode::CREATED,
                &serde_json::json!({"id": view.id}),
                None,
            )
        })
    })
    .await;
    match held {
        Ok((answer, _)) => {
            let id = serde_json::from_str::<serde_json::Value>(&answer.body)
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_string))
                .ok_or_else(|| AppError::internal("a held session without an id"))?;
            Ok(see_other(&format!("/board-sessions/{id}?done=held")).finish())
        }
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        Err(e) if e.code.status().is_client_error() => {
            let errors = session_messages(&visitor, &e)?;
            if errors.is_empty() {
                return Err(e);
            }
            let status = if e.code == ErrorCode::ValidationFailed {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            refuse(errors, status, typed).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct RankRow {
    rank: Option<u32>,
    reference: Option<String>,
    title: String,
    status: String,
    score: Option<String>,
    reviews: i64,
    /// The reviewers' advice that was given, each with how many gave it.
    recommendations: Vec<String>,
    requested: Option<String>,
    requested_in_base: Option<String>,
    cumulative: Option<String>,
    within: bool,
    /// The funding line is drawn above this row: the money runs out here.
    line_above: bool,
    flags: Vec<String>,
    /// The registry projects it may duplicate, with the reasons, when any is open.
    overlaps: Option<super::overlaps::OverlapSection>,
}

#[derive(Serialize)]
struct Ranking {
    call: String,
    available: String,
    within: String,
    rows: Vec<RankRow>,
    may_decide: bool,
}

/// A call's ranking with its funding line.
#[utoipa::path(responses((status = 200, description = "the call's ranking", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role reads no ranking", content_type = "text/html"),
                         (status = 404, description = "no such call, or not a fund of the reader's board", content_type = "text/html")))]
#[get("/calls/{id}/ranking")]
pub async fn ranking_page(visitor: Visitor, id: web::Path<String>) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadRanking)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(call_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let threshold = visitor.state.settings.review.divergence_threshold;
    let max_rate_age = visitor.state.settings.exchange.max_rate_age();
    let reader = user.clone();
    let found = db::run(&visitor.state.pool, move |conn| {
        let view = match crate::review::ranking(conn, &reader, &call_id, threshold, max_rate_age) {
            Ok(view) => view,
            Err(e) if e.code == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let call = crate::calls::store::find(conn, &call_id)?
            .map(|c| c.title)
            .unwrap_or_default();
        // the flagged applications' overlaps with their reasons (a few: not one query per row)
        let mut overlaps = HashMap::new();
        for row in view.applications.iter().filter(|r| r.flagged_overlaps > 0) {
            let found = crate::applications::overlaps::read(conn, &reader, &row.application_id)?;
            overlaps.insert(row.application_id.clone(), found);
        }
        Ok(Some((view, call, overlaps)))
    })
    .await?;
    let Some((view, call, overlaps)) = found else {
        return visitor.not_found();
    };
    let may_decide = policy::authorize(&user, Operation::DecideApplication).is_ok();
    let ranking = ranking(&view, call, &overlaps, may_decide, visitor.lang)?;
    visitor.page(
        StatusCode::OK,
        "ranking.html",
        context! { r => Serde(ranking), threshold => threshold },
    )
}

fn ranking(
    view: &RankingView,
    call: String,
    overlaps: &HashMap<String, crate::applications::overlaps::ApplicationOverlapsView>,
    may_decide: bool,
    lang: Lang,
) -> AppResult<Ranking> {
    let base = currency(&view.funding_line.base_currency)?;
    let line = &view.funding_line;
    let rows = view
        .applications
        .iter()
        .map(|row| {
            let currency = currency(&row.currency)?;
            let mut flags = Vec::new();
            if row.recused {
                flags.push(text(lang, "ranking-flag-recused", &[])?);
            }
            if row.divergent == Some(true) {
                let spread = row
                    .spread
                    .as_deref()
                    .map(|s| decimal_text(s, lang))
                    .transpose()?
                    .unwrap_or_default();
                flags.push(text(
                    lang,
                    "ranking-flag-divergent",
                    &[("spread", Arg::Text(spread))],
                )?);
            }
            if row.score.is_none() && !row.recused {
                flags.push(text(lang, "ranking-flag-unreviewed", &[])?);
            }
            if row.requested_amount.is_some() && row.requested_in_base.is_none() {
                flags.push(text(
                    lang,
                    "ranking-flag-no-rate",
                    &[("currency", Arg::Text(row.currency.clone()))],
                )?);
            }
            let money = |amount: &Option<String>, currency: Currency| {
                amount
                    .as_deref()
                    .map(|a| format::money_text(a, currency, lang))
                    .transpose()
            };
            Ok(RankRow {
                rank: row.rank,
                reference: row.reference.clone(),
                title: row.title.clone(),
                status: text(
                    lang,
                    &format!("ranking-status-{}", row.status.as_str()),
                    &[],
                )?,
                score: row
                    .score
                    .as_deref()
                    .map(|s| decimal_text(s, lang))
                    .transpose()?,
                reviews: i64::from(row.review_count),
                recommendations: match &row.recommendations {
                    Some(r) => [
                        ("fund", r.fund),
                        ("fund_with_changes", r.fund_with_changes),
                        ("do_not_fund", r.do_not_fund),
                    ]
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(code, n)| {
                        text(
                            lang,
                            "ranking-advice-count",
                            &[
                                (
                                    "advice",
                                    Arg::Text(text(lang, &format!("recommendation-{code}"), &[])?),
                                ),
                                ("count", Arg::Count(i64::from(n))),
                            ],
                        )
                    })
                    .collect::<AppResult<_>>()?,
                    None => Vec::new(),
                },
                requested: money(&row.requested_amount, currency)?,
                requested_in_base: if currency == base {
                    None
                } else {
                    money(&row.requested_in_base, base)?
                },
                cumulative: money(&row.cumulative_in_base, base)?,
                within: row.within_funding_line,
                line_above: line.first_below.as_deref() == Some(row.application_id.as_str()),
                flags,
                overlaps: overlaps
                    .get(&row.application_id)
                    .map(|o| super::overlaps::section(o, lang))
                    .transpose()?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Ranking {
        call,
        available: format::money_text(&line.available, base, lang)?,
        within: text(
            lang,
            "ranking-within",
            &[
                ("count", Arg::Count(i64::from(line.applications_within))),
                (
                    "amount",
                    Arg::Text(format::money_text(&line.amount_within, base, lang)?),
                ),
            ],
        )?,
        rows,
        may_decide,
    })
}

fn currency(code: &str) -> AppResult<Currency> {
    Currency::parse(code).map_err(|e| AppError::internal(e.to_string()))
}

/// A score or spread the API gives as a decimal string, written with two decimals for the
/// reader's language.
fn decimal_text(raw: &str, lang: Lang) -> AppResult<String> {
    let value: Decimal = raw
        .parse()
        .map_err(|_| AppError::internal(format!("the ranking gave {raw:?} as a score")))?;
    Ok(format::number(value, 2, lang))
}

#[derive(Serialize)]
struct DecisionRow {
    application: String,
    reference: Option<String>,
    outcome: String,
    amount: Option<String>,
    conditions: Option<String>,
    rationale: String,
    overlap_weighing: Option<String>,
}

#[derive(Serialize)]
struct OpenApplication {
    id: String,
    label: String,
}

#[derive(Serialize)]
struct SessionPage {
    id: String,
    held_on: String,
    trustees: Vec<String>,
    quorum: String,
    decisions: Vec<DecisionRow>,
    open: Vec<OpenApplication>,
    may_decide: bool,
}

/// Rows of the instalment plan a page offers: enough for the plans boards make; a longer
/// one goes through the API.
const PLAN_ROWS: usize = 4;

/// What was typed in the decision form.
#[derive(Serialize)]
struct DecisionForm {
    once: String,
    application_id: String,
    outcome: String,
    approved_amount: String,
    conditions: String,
    rationale: String,
    overlap_weighing: String,
    plan: Vec<PlanRow>,
}

/// One instalment as typed: amount, due day, what releases it (`on_signature`, `interim`
/// or `final`: the report whose acceptance releases it) and the spending threshold.
#[derive(Serialize, Default, Clone)]
struct PlanRow {
    amount: String,
    due_on: String,
    release: String,
    spend: bool,
}

impl PlanRow {
    fn is_blank(&self) -> bool {
        self.amount.is_empty() && self.due_on.is_empty()
    }
}

impl Default for DecisionForm {
    fn default() -> Self {
        DecisionForm {
            once: String::new(),
            application_id: String::new(),
            outcome: String::new(),
            approved_amount: String::new(),
            conditions: String::new(),
            rationale: String::new(),
            overlap_weighing: String::new(),
            plan: vec![PlanRow::default(); PLAN_ROWS],
        }
    }
}

impl DecisionForm {
    fn typed(form: &PostedForm) -> DecisionForm {
        DecisionForm {
            once: form.get("once").to_string(),
            application_id: form.get("application_id").to_string(),
            outcome: form.get("outcome").to_string(),
            approved_amount: form.get("approved_amount").trim().to_string(),
            conditions: form.get("conditions").to_string(),
            rationale: form.get("rationale").to_string(),
            overlap_weighing: form.get("overlap_weighing").to_string(),
            plan: (0..PLAN_ROWS)
                .map(|i| PlanRow {
                    amount: form.get(&format!("amount_{i}")).trim().to_string(),
                    due_on: form.get(&format!("due_{i}")).trim().to_string(),
                    release: form.get(&format!("release_{i}")).to_string(),
                    spend: !form.get(&format!("spend_{i}")).is_empty(),
                })
                .collect(),
        }
    }

    /// The plan as the API's request takes it: `None` when every row is blank (the fund's
    /// default plan); a row whose amount or day cannot be read is said by its number.
    fn instalments(&self) -> Result<Option<Vec<InstalmentInput>>, Vec<(i64, &'static str)>> {
        let mut plan = Vec::new();
        let mut problems = Vec::new();
        for (i, row) in self.plan.iter().enumerate() {
            if row.is_blank() {
                continue;
            }
            let number = i64::try_from(i + 1).unwrap_or(0);
            let amount = crate::money::parse_decimal(&row.amount);
            let due_on = row.due_on.parse::<chrono::NaiveDate>();
            let (condition, report_kind) = match row.release.as_str() {
                "interim" => (
                    ReleaseCondition::OnReportAccepted,
                    Some(ReportKind::Interim),
                ),
                "final" => (ReleaseCondition::OnReportAccepted, Some(ReportKind::Final)),
                _ => (ReleaseCondition::OnSignature, None),
            };
            match (amount, due_on) {
                (Ok(amount), Ok(due_on)) => plan.push(InstalmentInput {
                    amount: AmountInput {
                        amount,
                        currency: None,
                    },
                    due_on,
                    condition,
                    report_kind,
                    spend_threshold: row.spend,
                }),
                (Err(_), _) => problems.push((number, "decision-instalment-amount-invalid")),
                (_, Err(_)) => problems.push((number, "decision-instalment-due-invalid")),
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok((!plan.is_empty()).then_some(plan))
    }
}

/// One board session with its decisions and the form to record one.
#[utoipa::path(responses((status = 200, description = "the board session", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not sit on a board", content_type = "text/html"),
                         (status = 404, description = "no such session, or not a fund of the reader's board", content_type = "text/html")))]
#[get("/board-sessions/{id}")]
pub async fn session_page(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadBoardSessions)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let notice = match query_param(&req, "done").as_deref() {
        Some("decided") => Some(visitor.text("decision-recorded-notice", &[])?),
        Some("held") => Some(visitor.text("session-held-notice", &[])?),
        _ => None,
    };
    show_session(
        &visitor,
        &user,
        &id,
        StatusCode::OK,
        notice,
        DecisionForm::default(),
        Vec::new(),
    )
    .await
}

/// Records a decision of the session: the API's `board::record_decision`.
#[utoipa::path(responses((status = 303, description = "recorded: back to the session"),
                         (status = 403, description = "no valid CSRF token, or this role does not decide", content_type = "text/html"),
                         (status = 404, description = "no such session, or not a fund of the reader's board", content_type = "text/html"),
                         (status = 409, description = "no quorum, a conflict, not held yet, or not enough money", content_type = "text/html"),
                         (status = 422, description = "a field is missing or wrong", content_type = "text/html")))]
#[post("/board-sessions/{id}/decisions")]
pub async fn record_decision(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    if !visitor.csrf_ok(&form) {
        return visitor.refused();
    }
    let user = match visitor.user_for(Operation::DecideApplication)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(session_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let typed = DecisionForm::typed(&form);
    let refuse = |errors: Vec<FieldMessage>, status: StatusCode, typed: DecisionForm| {
        show_session(&visitor, &user, &session_id, status, None, typed, errors)
    };
    let Some(outcome) = Outcome::ALL
        .iter()
        .find(|o| o.as_str() == typed.outcome)
        .copied()
    else {
        let errors = vec![FieldMessage {
            field: "outcome",
            message: visitor.text("decision-outcome-invalid", &[])?,
        }];
        return refuse(errors, StatusCode::UNPROCESSABLE_ENTITY, typed).await;
    };
    let approved_amount = match typed.approved_amount.as_str() {
        "" => None,
        raw => match crate::money::parse_decimal(raw) {
            Ok(amount) => Some(AmountInput {
                amount,
                currency: None,
            }),
            Err(_) => {
                let errors = vec![FieldMessage {
                    field: "approved_amount",
                    message: visitor.text("decision-amount-invalid", &[])?,
                }];
                return refuse(errors, StatusCode::UNPROCESSABLE_ENTITY, typed).await;
            }
        },
    };
    let instalments = match typed.instalments() {
        Ok(plan) => plan,
        Err(problems) => {
            let message = problems
                .into_iter()
                .map(|(number, key)| visitor.text(key, &[("count", Arg::Count(number))]))
                .collect::<AppResult<Vec<_>>>()?
                .join(" ");
            let errors = vec![FieldMessage {
                field: "instalments",
                message,
            }];
            return refuse(errors, StatusCode::UNPROCESSABLE_ENTITY, typed).await;
        }
    };
    // what the claim of the form's `once` key covers: everything typed
    let content = serde_json::to_value(&typed)
        .map_err(|e| AppError::internal(format!("the decision form: {e}")))?;
    let input = CreateDecision {
        application_id: typed.application_id.clone(),
        outcome,
        approved_amount,
        instalments,
        conditions: Some(typed.conditions.clone()),
        rationale: typed.rationale.clone(),
        overlap_weighing: Some(typed.overlap_weighing.clone()),
    }
    .validate();
    let input = match input {
        Ok(input) => input,
        Err(e) => {
            let errors = localise(&visitor, &e)?;
            return refuse(errors, StatusCode::UNPROCESSABLE_ENTITY, typed).await;
        }
    };
    let Some(claim) = form.once(
        &user.id,
        format!("POST /board-sessions/{session_id}/decisions"),
        idempotency::canonical_json(&content).as_bytes(),
    ) else {
        return visitor.refused();
    };
    let terms = DecisionTerms::from_settings(&visitor.state.settings)?;
    let actor = Actor::for_user(&req, &user);
    let (decider, for_session) = (user.clone(), session_id.clone());
    let recorded = db::run(&visitor.state.pool, move |conn| {
        idempotency::run_blocking(conn, Some(&claim), |conn| {
            let view =
                crate::board::record_decision(conn, &actor, &decider, &for_session, &input, terms)?;
            Answer::json(StatusCode::CREATED, &view, None)
        })
    })
    .await;
    match recorded {
        Ok(_) => Ok(see_other(&format!("/board-sessions/{session_id}?done=decided")).finish()),
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        Err(e) if e.code.status().is_client_error() => {
            let status = if e.code == ErrorCode::ValidationFailed {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CONFLICT
            };
            let errors = localise(&visitor, &e)?;
            refuse(errors, status, typed).await
        }
        Err(e) => Err(e),
    }
}

/// The API's answer said beside the field it concerns, in the reader's language.
fn localise(visitor: &Visitor, error: &AppError) -> AppResult<Vec<FieldMessage>> {
    let named = |field: &str| {
        error
            .errors
            .iter()
            .any(|e| e.field == field || e.field.starts_with(&format!("{field}[")))
    };
    // a plan refused by the API: each instalment's problem by its number, then the sum's
    if error.code == ErrorCode::ValidationFailed && named("instalments") {
        let mut parts = Vec::new();
        for e in &error.errors {
            let Some(rest) = e.field.strip_prefix("instalments") else {
                continue;
            };
            let row = rest
                .strip_prefix('[')
                .and_then(|r| r.split_once(']'))
                .and_then(|(n, name)| Some((n.parse::<i64>().ok()? + 1, name)));
            let part = match row {
                Some((number, ".amount")) => visitor.text(
                    "decision-instalment-amount-invalid",
                    &[("count", Arg::Count(number))],
                )?,
                Some((number, ".due_on")) => visitor.text(
                    "decision-instalment-due-invalid",
                    &[("count", Arg::Count(number))],
                )?,
                Some((number, _)) => visitor.text(
                    "decision-instalment-release-invalid",
                    &[("count", Arg::Count(number))],
                )?,
                None => visitor.text("decision-instalments-sum", &[])?,
            };
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        let mut out = vec![FieldMessage {
            field: "instalments",
            message: parts.join(" "),
        }];
        if named("approved_amount") {
            out.push(FieldMessage {
                field: "approved_amount",
                message: visitor.text("decision-amount-invalid", &[])?,
            });
        }
        return Ok(out);
    }
    let said: Vec<(&'static str, &str)> = match error.code {
        ErrorCode::Forbidden => vec![("application_id", "decision-not-decider")],
        ErrorCode::InsufficientFunds => vec![("approved_amount", "decision-insufficient-funds")],
        ErrorCode::InvalidState if named("trustee_ids") => {
            vec![("application_id", "decision-no-quorum")]
        }
        ErrorCode::InvalidState => vec![("application_id", "decision-not-open")],
        _ => [
            ("application_id", "decision-application-invalid"),
            ("outcome", "decision-outcome-invalid"),
            ("approved_amount", "decision-amount-invalid"),
            ("conditions", "decision-conditions-invalid"),
            ("rationale", "decision-rationale-invalid"),
            ("overlap_weighing", "decision-overlap-weighing-invalid"),
        ]
        .into_iter()
        .filter(|(field, _)| named(field))
        .collect(),
    };
    let mut out: Vec<FieldMessage> = Vec::new();
    for (field, key) in said {
        if out.iter().all(|m| m.field != field) {
            out.push(FieldMessage {
                field,
                message: visitor.text(key, &[])?,
            });
        }
    }
    if out.is_empty() {
        out.push(FieldMessage {
            field: "application_id",
            message: visitor.text("decision-not-open", &[])?,
        });
    }
    Ok(out)
}

async fn show_session(
    visitor: &Visitor,
    user: &CurrentUser,
    raw_id: &str,
    status: StatusCode,
    notice: Option<String>,
    mut typed: DecisionForm,
    errors: Vec<FieldMessage>,
) -> AppResult<HttpResponse> {
    let Ok(id) = uuid::Uuid::parse_str(raw_id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let reader = user.clone();
    let found = db::run(&visitor.state.pool, move |conn| {
        let session = match crate::board::read_session(conn, &reader, &id) {
            Ok(session) => session,
            Err(e) if e.code == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let open = open_for_decision(conn, &reader, &session.fund_id)?;
        let ids: Vec<String> = session
            .decisions
            .iter()
            .map(|d| d.application_id.clone())
            .collect();
        let labels = crate::review::store::application_labels(conn, &ids)?;
        let open_ids: Vec<String> = open.iter().map(|a| a.id.clone()).collect();
        let flags = crate::applications::overlaps::open_flags(conn, &reader, &open_ids)?;
        Ok(Some((session, open, labels, flags)))
    })
    .await?;
    let Some((session, open, labels, flags)) = found else {
        return visitor.not_found();
    };
    let lang = visitor.lang;
    let page = session_view(&session, open, &labels, &flags, lang)?;
    let may_decide = policy::authorize(user, Operation::DecideApplication).is_ok();
    if typed.once.is_empty() {
        typed.once = crate::auth::tokens::new_opaque();
    }
    let outcomes = Outcome::ALL
        .iter()
        .map(|o| {
            Ok([
                o.as_str().to_string(),
                text(lang, &format!("decision-outcome-{}", o.as_str()), &[])?,
            ])
        })
        .collect::<AppResult<Vec<_>>>()?;
    let releases = ["on_signature", "interim", "final"]
        .into_iter()
        .map(|code| {
            Ok([
                code.to_string(),
                text(lang, &format!("decision-release-{code}"), &[])?,
            ])
        })
        .collect::<AppResult<Vec<_>>>()?;
    let error_of = |field: &str| message_of(&errors, field);
    let share = visitor.state.settings.grants.spend_share()? * Decimal::ONE_HUNDRED;
    visitor.page(
        status,
        "board_session.html",
        context! {
            s => Serde(SessionPage { may_decide, ..page }),
            f => Serde(typed),
            outcomes => Serde(outcomes),
            releases => Serde(releases),
            notice => notice,
            errors => Serde(&errors),
            application_error => error_of("application_id"),
            outcome_error => error_of("outcome"),
            amount_error => error_of("approved_amount"),
            conditions_error => error_of("conditions"),
            rationale_error => error_of("rationale"),
            weighing_error => error_of("overlap_weighing"),
            plan_error => error_of("instalments"),
            share => format::number(share, 0, lang),
        },
    )
}

/// The applications of the fund the board may decide now (under review, or deferred
/// earlier), as the reader may see them.
fn open_for_decision(
    conn: &mut DbConn,
    user: &CurrentUser,
    fund_id: &str,
) -> AppResult<Vec<crate::applications::model::ApplicationSummary>> {
    let visibility = policy::application_visibility(user);
    let mut open = Vec::new();
    for status in ApplicationStatus::ALL {
        if !crate::review::rules::open_for_review(*status) {
            continue;
        }
        let filter = crate::applications::store::ListFilter {
            call_id: None,
            status: Some(*status),
            country: None,
        };
        open.extend(
            crate::applications::store::list(conn, &visibility, &filter, &page_of(SHOWN))?
                .into_iter()
                .filter(|a| a.fund_id == fund_id),
        );
    }
    open.sort_by(|a, b| a.reference.cmp(&b.reference));
    Ok(open)
}

fn session_view(
    session: &SessionView,
    open: Vec<crate::applications::model::ApplicationSummary>,
    labels: &HashMap<String, crate::review::store::ApplicationLabel>,
    flags: &HashMap<String, u32>,
    lang: Lang,
) -> AppResult<SessionPage> {
    let decisions = session
        .decisions
        .iter()
        .map(|d| {
            let label = labels.get(&d.application_id);
            Ok(DecisionRow {
                application: label.map(|l| l.title.clone()).unwrap_or_default(),
                reference: label.and_then(|l| l.reference.clone()),
                outcome: text(lang, &format!("decision-was-{}", d.outcome.as_str()), &[])?,
                amount: d
                    .approved_amount
                    .as_deref()
                    .map(|a| format::money_text(a, d.currency, lang))
                    .transpose()?,
                conditions: d.conditions.clone(),
                rationale: d.rationale.clone(),
                overlap_weighing: d.overlap_weighing.clone(),
            })
        })
        .collect::<AppResult<_>>()?;
    let open = open
        .into_iter()
        .map(|a| {
            let requested = match (&a.requested_amount, Currency::parse(&a.currency)) {
                (Some(amount), Ok(currency)) => {
                    format!(" · {}", format::money_text(amount, currency, lang)?)
                }
                _ => String::new(),
            };
            // an approval of a flagged application must say how the overlaps were weighed
            let flagged = match flags.get(&a.id) {
                Some(n) => format!(
                    " · {}",
                    text(
                        lang,
                        "overlaps-count",
                        &[("count", Arg::Count(i64::from(*n)))]
                    )?
                ),
                None => String::new(),
            };
            Ok(OpenApplication {
                label: format!(
                    "{} {}{requested}{flagged}",
                    a.reference.as_deref().unwrap_or_default(),
                    a.title
                )
                .trim()
                .to_string(),
                id: a.id,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(SessionPage {
        id: session.id.clone(),
        held_on: format::date(session.held_on, lang),
        trustees: session
            .trustees
            .iter()
            .map(|t| t.display_name.clone())
            .collect(),
        quorum: text(
            lang,
            "session-quorum",
            &[("count", Arg::Count(i64::from(session.quorum)))],
        )?,
        decisions,
        open,
        may_decide: false,
    })
}
