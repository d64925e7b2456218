//! The work queues of what is late: `GET /reviews/overdue`, the secretariat's list of
//! reviews past their due day (still awaited: not submitted, the reviewer not recused;
//! `review::overdue_reviews`), and `GET /pledges/overdue`, the secretariat's and finance's
//! list of pledges past their due day and still expecting money
//! (`donations::store::overdue_pledges`, the pledges' own `overdue` rule). Both list the
//! longest late first, with how many days late; reading them changes nothing.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::i18n::{Arg, text};
use super::{Visitor, format};
use crate::auth::policy::Operation;
use crate::db;
use crate::error::AppResult;
use crate::platform::dates::days_past;

/// The secretariat's queue of late reviews (linked from its home).
pub const REVIEWS: &str = "/reviews/overdue";
/// The queue of late pledges (linked from the secretariat's and finance's homes).
pub const PLEDGES: &str = "/pledges/overdue";

/// How many late reviews or pledges a queue lists, the longest late first.
const SHOWN: usize = 200;

#[derive(Serialize)]
struct LateReview {
    href: String,
    reference: Option<String>,
    title: String,
    reviewer: String,
    email: String,
    stage: String,
    assigned_on: String,
    due_on: String,
    late: String,
}

/// The reviews past their due day, still awaited.
#[utoipa::path(responses((status = 200, description = "the reviews past their due day", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not chase reviews", content_type = "text/html")))]
#[get("/reviews/overdue")]
pub async fn overdue_reviews(visitor: Visitor) -> AppResult<HttpResponse> {
    if let Err(answer) = visitor.user_for(Operation::ReadOverdueReviews)? {
        return Ok(answer);
    }
    let lang = visitor.lang;
    let today = crate::clock::today();
    let limit = i64::try_from(SHOWN + 1).unwrap_or(i64::MAX);
    let mut late = db::run(&visitor.state.pool, move |conn| {
        crate::review::overdue_reviews(conn, today, limit)
    })
    .await?;
    let more = late.len() > SHOWN;
    late.truncate(SHOWN);
    let rows = late
        .into_iter()
        .map(|r| {
            let stage = match r.status {
                crate::review::model::AssignmentStatus::AwaitingDeclaration => "declare",
                _ => "score",
            };
            Ok(LateReview {
                href: format!(
                    "{}/{}#reviewers",
                    super::applications::PATH,
                    r.application_id
                ),
                reference: r.reference,
                title: r.title,
                reviewer: r.reviewer_name,
                email: r.reviewer_email,
                stage: text(lang, &format!("overdue-review-stage-{stage}"), &[])?,
                assigned_on: format::date(r.assigned_at.date(), lang),
                due_on: format::date(r.due_on, lang),
                late: days_late(lang, days_past(r.due_on, today))?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    visitor.page(
        StatusCode::OK,
        "overdue_reviews.html",
        context! {
            rows => Serde(rows),
            more => more,
            shown => SHOWN,
            today => format::date(today, lang),
        },
    )
}

#[derive(Serialize)]
struct LatePledge {
    donor: String,
    donor_href: String,
    fund: String,
    pledged_on: String,
    pledged: String,
    outstanding: String,
    status: String,
    due_on: String,
    late: String,
}

/// The pledges past their due day that still expect money.
#[utoipa::path(responses((status = 200, description = "the pledges past their due day", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not chase pledges", content_type = "text/html")))]
#[get("/pledges/overdue")]
pub async fn overdue_pledges(visitor: Visitor) -> AppResult<HttpResponse> {
    if let Err(answer) = visitor.user_for(Operation::ReadOverduePledges)? {
        return Ok(answer);
    }
    let lang = visitor.lang;
    let today = crate::clock::today();
    let mut late = db::run(&visitor.state.pool, move |conn| {
        crate::donations::store::overdue_pledges(conn, today, SHOWN + 1)
    })
    .await?;
    let more = late.len() > SHOWN;
    late.truncate(SHOWN);
    let rows = late
        .into_iter()
        .map(|p| {
            let view = p.view;
            let currency = view.currency;
            let due = view.due_on.unwrap_or(today);
            Ok(LatePledge {
                donor_href: format!("{}?donor={}", super::giving::PATH, view.donor_id),
                donor: p.donor_name,
                fund: p.fund_name,
                pledged_on: format::date(view.pledged_on, lang),
                pledged: format::money_text(&view.amount, currency, lang)?,
                outstanding: format::money_text(&view.outstanding, currency, lang)?,
                status: text(
                    lang,
                    &format!("overdue-pledge-{}", view.status.as_str()),
                    &[],
                )?,
                due_on: format::date(due, lang),
                late: days_late(lang, days_past(due, today))?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    visitor.page(
        StatusCode::OK,
        "overdue_pledges.html",
        context! {
            rows => Serde(rows),
            more => more,
            shown => SHOWN,
            today => format::date(today, lang),
        },
    )
}

/// "3 days late", in the reader's language.
fn days_late(lang: super::i18n::Lang, days: i64) -> AppResult<String> {
    text(lang, "overdue-days-late", &[("count", Arg::Count(days))])
}
