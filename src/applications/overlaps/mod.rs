//! Overlaps inside the fund's flow: every submitted application is checked against the
//! project registry with the registry's own scoring (`registry::search::overlap_candidates`
//! on the application as a draft, `rules::as_draft`), and the candidates are kept with
//! their reasons (`application_overlaps`) for the secretariat at screening, the reviewers
//! and the board. A submission after a return replaces them. A board approval of an
//! application with open flagged overlaps says how they were weighed
//! (`board::rules::check_overlap_weighing`), which marks them weighed.
//!
//! Who reads them: the secretariat, the fund's trustees and the reviewers who may read the
//! application (`policy::application_visibility`, 404 otherwise); the applicant is refused
//! (403, `Operation::ReadApplicationOverlaps`). Each reader sees the flagged projects the
//! registry lets it see (`registry::rules`: the secretariat all of them, others the public
//! ones and their own organisation's).

pub mod rules;
pub mod store;

use std::collections::{BTreeSet, HashMap};

use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::http::parse_id;
use crate::registry::model::{OverlapReason, ProjectSummary};
use crate::registry::rules::Scope;
use crate::state::AppState;
use rules::OverlapStatus;
use store::OverlapRow;

use super::store::Application;

/// One registry project an application may duplicate.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationOverlapView {
    /// The project's public fields.
    pub project: ProjectSummary,
    /// The name of the project's reporting organisation.
    pub organisation_name: String,
    /// In [0, 1], the registry's score; 1 means every signal agrees.
    pub score: f64,
    pub reasons: Vec<OverlapReason>,
    /// `open` until a board approval records how it was weighed.
    pub status: OverlapStatus,
    /// The board decision that weighed it.
    pub weighed_by_decision: Option<String>,
    /// The revision whose submission found it.
    pub revision: i32,
    pub found_at: DateTime<Utc>,
}

/// An application's flagged overlaps, as the reader may see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationOverlapsView {
    pub application_id: String,
    /// How many of `candidates` are still open.
    pub open: u32,
    /// Best first.
    pub candidates: Vec<ApplicationOverlapView>,
}

/// Checks `app` (just submitted) against the registry and keeps its candidates, replacing
/// those of an earlier submission: inside the submission's transaction, so a submission
/// and its flags are written together. Every project counts (`Scope::All`): who sees which
/// is decided when they are read.
pub fn check(conn: &mut DbConn, app: &Application) -> AppResult<usize> {
    let started = std::time::Instant::now();
    let submitted = app.submitted_at.unwrap_or(app.updated_at);
    let draft = rules::as_draft(&app.content, &app.organisation_id, submitted.date_naive());
    // a submitted application passed the submission rules, which ask more than a draft
    let (subject, limit) = draft.validate().map_err(|e| {
        AppError::internal(format!(
            "application {} is not a valid registry draft: {e}",
            app.id
        ))
    })?;
    let own = store::grant_projects(conn, &app.id)?;
    let searching = std::time::Instant::now();
    let found = crate::registry::search::overlap_candidates(conn, &subject, &Scope::All, limit)?;
    let search_us = searching.elapsed().as_micros() as u64;
    let rows: Vec<OverlapRow> = found
        .into_iter()
        .filter(|c| {
            rules::is_foreign(
                &c.row.reporting_org_id,
                &c.row.id,
                &app.organisation_id,
                &own,
            )
        })
        .take(rules::KEPT)
        .map(|c| {
            Ok(OverlapRow {
                application_id: app.id.clone(),
                project_id: c.row.id,
                revision: app.revision,
                score: c.scored.score,
                reasons: serde_json::to_string(&c.scored.reasons)
                    .map_err(|e| AppError::internal(e.to_string()))?,
                status: OverlapStatus::Open,
                weighed_by_decision: None,
                found_at: submitted.naive_utc(),
            })
        })
        .collect::<AppResult<_>>()?;
    let writing = std::time::Instant::now();
    store::replace(conn, &app.id, &rows)?;
    tracing::debug!(
        application = %app.id,
        flagged = rows.len(),
        search_us,
        write_us = writing.elapsed().as_micros() as u64,
        micros = started.elapsed().as_micros() as u64,
        "application checked against the registry"
    );
    Ok(rows.len())
}

/// The flagged overlaps of the application `id` as `user` sees them: 404 unless it may
/// read the application, 403 for the applicant; only the projects the registry lets the
/// reader see. The API's read and the pages'.
pub fn read(conn: &mut DbConn, user: &CurrentUser, id: &str) -> AppResult<ApplicationOverlapsView> {
    let header = super::find_visible_header(conn, user, id, false)?;
    // after the visibility check: another organisation's application stays 404
    policy::authorize(user, Operation::ReadApplicationOverlaps)?;
    let scope = crate::registry::scope_of(Some(user));
    let stored = store::of_application(conn, &header.id)?;
    let ids: Vec<String> = stored.iter().map(|o| o.project_id.clone()).collect();
    let projects: HashMap<String, crate::registry::store::ProjectRow> =
        crate::registry::store::find_many(conn, &ids)?
            .into_iter()
            .map(|p| (p.id.clone(), p))
            .collect();
    let orgs: Vec<String> = projects
        .values()
        .map(|p| p.reporting_org_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let verified = crate::registry::store::verified_organisations(conn, &orgs)?;
    let names = crate::registry::store::organisation_names(conn, &orgs)?;
    let mut candidates = Vec::new();
    for overlap in stored {
        let Some(project) = projects.get(&overlap.project_id) else {
            continue;
        };
        let org = &project.reporting_org_id;
        if !rules::visible_to(&scope, project.published, verified.contains(org), org) {
            continue;
        }
        candidates.push(ApplicationOverlapView {
            project: project.summary()?,
            organisation_name: names.get(org).cloned().unwrap_or_default(),
            score: overlap.score,
            reasons: serde_json::from_str(&overlap.reasons).map_err(|e| {
                AppError::internal(format!(
                    "overlap of {} with {}: {e}",
                    overlap.application_id, overlap.project_id
                ))
            })?,
            status: overlap.status,
            weighed_by_decision: overlap.weighed_by_decision,
            revision: overlap.revision,
            found_at: overlap.found_at.and_utc(),
        });
    }
    Ok(ApplicationOverlapsView {
        application_id: header.id,
        open: candidates
            .iter()
            .filter(|c| c.status == OverlapStatus::Open)
            .count() as u32,
        candidates,
    })
}

/// Per application of `application_ids`, how many open flagged overlaps `user` sees (a
/// call's ranking); applications without any are absent.
pub fn open_flags(
    conn: &mut DbConn,
    user: &CurrentUser,
    application_ids: &[String],
) -> AppResult<HashMap<String, u32>> {
    let scope = crate::registry::scope_of(Some(user));
    let flags = store::flags_of(conn, application_ids)?;
    let orgs: Vec<String> = flags
        .iter()
        .map(|f| f.reporting_org_id.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let verified = crate::registry::store::verified_organisations(conn, &orgs)?;
    let mut out: HashMap<String, u32> = HashMap::new();
    for flag in flags {
        let org = &flag.reporting_org_id;
        if flag.status == OverlapStatus::Open
            && rules::visible_to(&scope, flag.published, verified.contains(org), org)
        {
            *out.entry(flag.application_id).or_default() += 1;
        }
    }
    Ok(out)
}

/// The registry projects a submitted application may duplicate, found when it was
/// submitted (the registry's overlap scoring), best first, with the score, the reasons and
/// whether a board approval has weighed them. The secretariat, the fund's trustees and the
/// reviewers assigned to it read them; each sees the projects the registry shows it (the
/// secretariat also unpublished ones). The applicant is refused (403): this is the fund's
/// assessment of its application, and it may name projects the applicant may not see.
#[utoipa::path(tag = "applications",
    params(("id" = uuid::Uuid, Path, description = "application id")), security(("bearer" = [])),
    responses((status = 200, body = ApplicationOverlapsView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/applications/{id}/overlaps")]
pub async fn list_overlaps(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadApplication)?;
    let id = parse_id(&id, "id")?.to_string();
    let view = db::run(&state.pool, move |conn| read(conn, &user, &id)).await?;
    Ok(HttpResponse::Ok().json(view))
}
