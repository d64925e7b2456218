//! `GET /home`: the signed-in home. It greets the user, says their role and organisation,
//! and lists the work their role does: each task is an operation of the access policy,
//! listed only when `policy::authorize` allows it, so the list cannot promise more than
//! the API grants. The funds' public pages are linked.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::render::see_other;
use super::{Visitor, i18n};
use crate::auth::policy::{self, Operation};
use crate::db;
use crate::error::AppResult;
use crate::http::Page;

/// The work of the fund, in the order a home lists it, each with its message id and, once
/// a page does it, the page.
const TASKS: &[(Operation, &str, Option<&str>)] = &[
    (
        Operation::UpdateOrganisation,
        "task-verify",
        Some(super::verification::PATH),
    ),
    (
        Operation::SubmitApplication,
        "task-apply",
        Some(super::applications::PATH),
    ),
    (
        Operation::SignGrant,
        "task-sign-grant",
        Some(super::grants::PATH),
    ),
    (
        Operation::SubmitReport,
        "task-report",
        Some(super::grants::PATH),
    ),
    (Operation::CreateCall, "task-calls", None),
    (
        Operation::ScreenApplication,
        "task-screen",
        Some(super::applications::SCREENING_QUEUE),
    ),
    (
        Operation::AssignReviewer,
        "task-assign",
        Some(super::applications::REVIEW_QUEUE),
    ),
    (
        Operation::ReadOverdueReviews,
        "task-overdue-reviews",
        Some(super::overdue::REVIEWS),
    ),
    (
        Operation::WriteReview,
        "task-review",
        Some(super::reviews::PATH),
    ),
    (
        Operation::ReadRanking,
        "task-ranking",
        Some(super::board::PATH),
    ),
    (
        Operation::DecideApplication,
        "task-decide",
        Some(super::board::PATH),
    ),
    (
        Operation::ReviewReport,
        "task-review-reports",
        Some(super::reports::QUEUE),
    ),
    (Operation::CreateContribution, "task-contributions", None),
    (
        Operation::ReadOverduePledges,
        "task-overdue-pledges",
        Some(super::overdue::PLEDGES),
    ),
    (
        Operation::RequestDisbursement,
        "task-request-payment",
        Some(super::grants::PATH),
    ),
    (
        Operation::ApproveDisbursement,
        "task-approve-payment",
        Some(super::payments::PATH),
    ),
    (
        Operation::ReadStatement,
        "task-statement",
        Some(super::giving::PATH),
    ),
    (Operation::ReadOutcomes, "task-outcomes", None),
    (
        Operation::CreateBoardSession,
        "task-hold-session",
        Some(super::board::PATH),
    ),
    (
        Operation::CreateInvitation,
        "task-invite",
        Some(super::people::INVITE),
    ),
    (
        Operation::ReadUsers,
        "task-users",
        Some(super::people::PATH),
    ),
    (
        Operation::WriteRegistryProject,
        "task-registry",
        Some(super::registry::PATH),
    ),
    (
        Operation::WriteRegistryProject,
        REGISTER_PROJECT,
        Some(super::registry_form::PATH),
    ),
    (
        Operation::WriteNeedsAndOffers,
        NEEDS_AND_OFFERS,
        Some(super::needs::PATH),
    ),
];

/// The needs-and-offers task, offered to members of an organisation (the pages act for
/// one; the secretariat uses the API).
const NEEDS_AND_OFFERS: &str = "task-needs-offers";

/// The form's task, offered to those `policy::registers_own_projects` lets use it.
const REGISTER_PROJECT: &str = "task-register-project";

/// How many funds the home links to.
const FUNDS_LISTED: i64 = 20;

#[derive(Serialize)]
struct Task {
    text: String,
    link: Option<&'static str>,
}

#[derive(Serialize)]
struct FundLink {
    code: String,
    name: String,
    board: bool,
}

/// The home of a signed-in user; anyone else is sent to `/login`.
#[utoipa::path(responses((status = 200, description = "the home page", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login")))]
#[get("/home")]
pub async fn home(visitor: Visitor) -> AppResult<HttpResponse> {
    let Some(signed_in) = &visitor.user else {
        return Ok(see_other("/login").finish());
    };
    let user = signed_in.user.clone();
    policy::authorize(&user, Operation::ReadMe)?;
    // a task may be worded for one role (`task-statement-donor`: "your statement")
    let role_code = user.role.as_str();
    let tasks: Vec<Task> = TASKS
        .iter()
        .filter(|(operation, key, _)| {
            policy::authorize(&user, *operation).is_ok()
                && (*key != REGISTER_PROJECT || policy::registers_own_projects(&user))
                && (*key != NEEDS_AND_OFFERS || policy::posts_own_needs_and_offers(&user))
        })
        .map(|(_, key, link)| {
            let text = i18n::message(visitor.lang, &format!("{key}-{role_code}"), &[])
                .map_or_else(|| visitor.text(key, &[]), Ok)?;
            Ok(Task { text, link: *link })
        })
        .collect::<AppResult<_>>()?;
    let (organisation, funds) = db::run(&visitor.state.pool, move |conn| {
        let organisation = match &user.organisation_id {
            Some(id) => crate::organisations::store::find(conn, id)?.map(|o| o.name),
            None => None,
        };
        let page = Page {
            limit: FUNDS_LISTED,
            after: None,
        };
        let funds: Vec<FundLink> = crate::funds::store::list(conn, &page)?
            .into_iter()
            .take(FUNDS_LISTED as usize)
            .map(|f| FundLink {
                board: user.fund_ids.contains(&f.id),
                code: f.code,
                name: f.name,
            })
            .collect();
        Ok((organisation, funds))
    })
    .await?;
    let role = visitor.text(&format!("role-{}", signed_in.user.role.as_str()), &[])?;
    visitor.page(
        StatusCode::OK,
        "home.html",
        context! {
            name => signed_in.name.clone(),
            role => role,
            organisation => organisation,
            tasks => Serde(tasks),
            funds => Serde(funds),
        },
    )
}
