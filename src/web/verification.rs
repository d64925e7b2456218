//! `GET/POST /organisations/to-verify`: the secretariat's verification queue. Organisations
//! that registered themselves wait here, oldest first, with who registered them and whether
//! those people confirmed their address; one button marks an organisation verified, through
//! the same change as `PATCH /api/v1/organisations/{id}` (`EditOrganisation`, audited).
//! Until then the organisation cannot submit applications (`applications::rules::blockers`).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::render::see_other;
use super::{PostedForm, Visitor, format};
use crate::auth::policy::Operation;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::organisations::model::{EditOrganisation, OrganisationPatch};
use crate::organisations::store::{self as organisations, OrganisationRow};

/// Where the queue lives (also linked from the secretariat's email).
pub const PATH: &str = "/organisations/to-verify";

/// How many organisations the page shows at once; the oldest first.
const SHOWN: i64 = 50;

#[derive(Serialize)]
struct Member {
    name: String,
    email: String,
    confirmed: bool,
}

#[derive(Serialize)]
struct Waiting {
    id: String,
    name: String,
    kind: String,
    country: String,
    identifier: Option<String>,
    registered_on: String,
    members: Vec<Member>,
}

/// The queue; someone not signed in is sent to `/login`, a role that may not verify is
/// refused.
#[utoipa::path(responses((status = 200, description = "the verification queue", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role does not verify organisations", content_type = "text/html")))]
#[get("/organisations/to-verify")]
pub async fn queue(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    if let Err(answer) = visitor.user_for(Operation::UpdateOrganisation)? {
        return Ok(answer);
    }
    let just_verified = super::query_param(&req, "verified");
    queue_page(&visitor, StatusCode::OK, just_verified, None).await
}

/// Marks the organisation named by the form verified, then shows the queue again (303, so
/// that reloading the page does not post twice). An organisation verified meanwhile by
/// someone else is not an error: the queue just no longer lists it.
#[utoipa::path(responses((status = 303, description = "verified: back to the queue"),
                         (status = 403, description = "no valid CSRF token, or this role does not verify", content_type = "text/html"),
                         (status = 404, description = "no such organisation", content_type = "text/html")))]
#[post("/organisations/to-verify")]
pub async fn verify(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::UpdateOrganisation)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let patch = OrganisationPatch {
        verified: Some(true),
        ..OrganisationPatch::default()
    };
    let verified = crate::change::run_view::<OrganisationRow, _>(
        &visitor.state,
        &req,
        user,
        form.get("organisation_id"),
        crate::http::if_match(&req)?,
        EditOrganisation(patch),
    )
    .await;
    match verified {
        Ok(view) => Ok(see_other(&format!("{PATH}?verified={}", view.id)).finish()),
        // an id that is not an organisation's (or not an id at all)
        Err(e) if e.code.status().is_client_error() => {
            let message = visitor.text("queue-unknown", &[])?;
            queue_page(&visitor, StatusCode::NOT_FOUND, None, Some(message)).await
        }
        Err(e) => Err(e),
    }
}

async fn queue_page(
    visitor: &Visitor,
    status: StatusCode,
    just_verified: Option<String>,
    error: Option<String>,
) -> AppResult<HttpResponse> {
    let (waiting, verified_name) = db::run(&visitor.state.pool, move |conn| {
        let page = Page {
            limit: SHOWN,
            after: None,
        };
        let rows: Vec<OrganisationRow> = organisations::list(conn, None, Some(false), &page)?
            .into_iter()
            .take(SHOWN as usize)
            .collect();
        let mut waiting = Vec::with_capacity(rows.len());
        for row in rows {
            let members = crate::auth::store::members_of(conn, &row.id)?
                .into_iter()
                .map(|u| Member {
                    name: u.display_name,
                    email: u.email,
                    confirmed: u.email_verified,
                })
                .collect();
            waiting.push((row, members));
        }
        let verified_name = match just_verified {
            Some(id) => organisations::find(conn, &id)?
                .filter(|o| o.verified)
                .map(|o| o.name),
            None => None,
        };
        Ok((waiting, verified_name))
    })
    .await?;
    let lang = visitor.lang;
    let waiting = waiting
        .into_iter()
        .map(|(row, members)| {
            Ok(Waiting {
                kind: visitor.text(&format!("org-kind-{}", row.kind.as_str()), &[])?,
                registered_on: format::date(row.created_at.date(), lang),
                id: row.id,
                name: row.name,
                country: row.country,
                identifier: row.identifier,
                members,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    visitor.page(
        status,
        "verification.html",
        context! {
            waiting => Serde(waiting),
            verified_name => verified_name,
            error => error,
        },
    )
}
