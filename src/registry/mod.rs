//! The donor project registry: who does what where. Projects of every donor and agency
//! (registered by their organisations' members or imported from IATI files), full-text
//! search with facets, a country × theme matrix and its gaps, and overlap detection with a
//! review queue so that no one funds a duplicate unawares.

pub mod emails;
pub mod fnv;
pub mod iati;
pub mod index;
pub mod model;
pub mod overlap;
pub mod rules;
pub mod search;
pub mod store;
pub mod text;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{delete, get, patch, post};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::policy::{self, Operation};
use crate::auth::{CurrentUser, MaybeUser};
use crate::change;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::http::{
    Expected, PageParams, Paginated, ValidJson, json_with_etag, parse_id, parse_query,
};
use crate::ids::OverlapReviewId;
use crate::state::AppState;
use iati::{ImportOptions, ImportReport};
use model::{
    CreateProject, CreatedProjectView, GapsQuery, MatrixAxis, MatrixQuery, OverlapCandidateView,
    OverlapCheck, OverlapResolution, OverlapReviewView, OverlapsView, ProjectDraft, ProjectSource,
    ProjectView, RecordOverlap, ResolveOverlap, ReviewStatus, SearchQuery, SearchView,
    UpdateProject,
};
use rules::Scope;
use store::{ProjectRow, ReviewRow};

pub const ENTITY: crate::audit::Entity = crate::audit::Entity::RegistryProject;
const REVIEW_ENTITY: crate::audit::Entity = crate::audit::Entity::RegistryOverlapReview;
/// Candidates shown for a saved project or a draft unless asked otherwise.
const OVERLAPS_SHOWN: usize = 20;

/// Which projects a reader sees: admins all, members also their organisation's
/// unpublished ones, everyone else the published ones.
pub fn scope_of(user: Option<&CurrentUser>) -> Scope {
    match user {
        Some(u) if policy::sees_all_registry_projects(u) => Scope::All,
        Some(CurrentUser {
            organisation_id: Some(org),
            ..
        }) => Scope::Members(vec![org.clone()]),
        _ => Scope::Public,
    }
}

fn candidate_views(candidates: Vec<search::Candidate>) -> AppResult<Vec<OverlapCandidateView>> {
    candidates
        .into_iter()
        .map(|c| {
            Ok(OverlapCandidateView {
                project: c.row.summary()?,
                score: c.scored.score,
                reasons: c.scored.reasons,
                review_id: c.review.map(|r| r.id),
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Reading

/// Searches the registry: full text over title and description (every word must occur;
/// plurals and accents do not matter), filters, facet counts over all matches. Results
/// come in creation order; comma-separated filter values mean "any of".
///
/// Without a token the answer is what anyone may see, the same for everyone: it is served
/// from memory until the registry changes (at most `server.public_figures_max_staleness_ms`
/// late for a change made by another instance), with an `ETag`; `If-None-Match` with it
/// answers `304 Not Modified`.
#[utoipa::path(tag = "registry",
    params(SearchQuery,
           ("If-None-Match" = Option<String>, Header, description = "the ETag last read (anonymous searches)")),
    responses((status = 200, body = SearchView),
              (status = 304, description = "the results have not changed since the ETag sent"),
              (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/registry/projects")]
pub async fn list_projects(
    state: AppState,
    req: HttpRequest,
    user: MaybeUser,
) -> AppResult<HttpResponse> {
    let query: SearchQuery = parse_query(&req)?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let filters = model::parse_filters(
        query.q.as_deref(),
        &query.country,
        &query.theme,
        &query.org_id,
        &query.status,
        query.active_on,
        query.published,
    )?;
    let scope = scope_of(user.0.as_ref());
    if user.0.is_some() {
        // a member also sees its own organisation's unpublished projects: never shared
        let view = db::run(&state.pool, move |conn| {
            search::search(conn, &filters, &scope, &page)
        })
        .await?;
        return Ok(HttpResponse::Ok().json(view));
    }
    let found = state
        .registry_searches
        .get_or_compute(req.query_string().to_string(), |_| {
            db::run(&state.pool, move |conn| {
                search::search(conn, &filters, &scope, &page).map(Some)
            })
        })
        .await?
        .ok_or_else(|| AppError::internal("a search always has an answer"))?;
    Ok(found.json_answer(&req))
}

/// A project the reader may see, with whether its organisation is verified; 404 for one
/// that does not exist and for one that is not public and not theirs alike (an unverified
/// organisation's project included), so that a stranger cannot tell them apart.
pub fn visible_project(
    conn: &mut DbConn,
    id: &str,
    scope: &Scope,
) -> AppResult<(ProjectRow, bool)> {
    let not_found = || AppError::not_found(ENTITY);
    let row = store::find(conn, id)?.ok_or_else(not_found)?;
    let verified = store::organisation_verified(conn, &row.reporting_org_id)?;
    if !scope.sees(
        rules::is_public(row.published, verified),
        &row.reporting_org_id,
    ) {
        return Err(not_found());
    }
    Ok((row, verified))
}

/// Reads one project. One that is not public (unpublished, or its organisation not yet
/// verified by the secretariat) only its organisation's members and admins read; others
/// get 404.
#[utoipa::path(tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "project id")),
    responses((status = 200, body = ProjectView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/registry/projects/{id}")]
pub async fn get_project(
    state: AppState,
    user: MaybeUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "id")?.to_string();
    let scope = scope_of(user.0.as_ref());
    let view = db::run(&state.pool, move |conn| {
        let (row, verified) = visible_project(conn, &id, &scope)?;
        row.into_view(verified)
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// Projects that may duplicate a saved project, best first, with a score in [0, 1] and the
/// reasons. Pairs the review queue already resolved are not shown again.
#[utoipa::path(tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "project id")),
    responses((status = 200, body = OverlapsView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/registry/projects/{id}/overlaps")]
pub async fn project_overlaps(
    state: AppState,
    user: MaybeUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "id")?.to_string();
    let scope = scope_of(user.0.as_ref());
    let view = db::run(&state.pool, move |conn| {
        let subject = visible_project(conn, &id, &scope)?.0.overlap_subject()?;
        let candidates = search::overlap_candidates(conn, &subject, &scope, OVERLAPS_SHOWN)?;
        Ok(OverlapsView {
            project_id: Some(id),
            candidates: candidate_views(candidates)?,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Checks a draft against the registry before it is registered or funded.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    request_body = OverlapCheck,
    responses((status = 200, body = OverlapsView), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/registry/overlap-check")]
pub async fn overlap_check(
    state: AppState,
    user: CurrentUser,
    body: ValidJson<OverlapCheck>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CheckRegistryOverlaps)?;
    let (subject, limit) = body.0.validate()?;
    let scope = scope_of(Some(&user));
    let view = db::run(&state.pool, move |conn| {
        let candidates = search::overlap_candidates(conn, &subject, &scope, limit)?;
        Ok(OverlapsView {
            project_id: None,
            candidates: candidate_views(candidates)?,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Per cell of rows × columns (country × theme by default): how many projects, which
/// organisations and what budget. A project counts in every cell it touches.
///
/// Served from memory until the registry changes (as anonymous searches are), per reader's
/// scope and query, with an `ETag`; `If-None-Match` with it answers `304 Not Modified`.
#[utoipa::path(tag = "registry",
    params(MatrixQuery,
           ("If-None-Match" = Option<String>, Header, description = "the ETag last read")),
    responses((status = 200, body = model::MatrixView),
              (status = 304, description = "the matrix has not changed since the ETag sent"),
              (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/registry/matrix")]
pub async fn matrix(state: AppState, req: HttpRequest, user: MaybeUser) -> AppResult<HttpResponse> {
    let query: MatrixQuery = parse_query(&req)?;
    let mut errors = Vec::new();
    let rows = model::axis("rows", query.rows.as_deref(), MatrixAxis::Country)
        .map_err(|e| errors.push(e))
        .unwrap_or(MatrixAxis::Country);
    let cols = model::axis("cols", query.cols.as_deref(), MatrixAxis::Theme)
        .map_err(|e| errors.push(e))
        .unwrap_or(MatrixAxis::Theme);
    if errors.is_empty() && rows == cols {
        errors.push(FieldError::new("cols", "must differ from rows"));
    }
    let filters = match model::parse_filters(
        None,
        &query.country,
        &query.theme,
        &query.org_id,
        &query.status,
        query.active_on,
        None,
    ) {
        Ok(f) if errors.is_empty() => f,
        Ok(_) => return Err(AppError::validation(errors)),
        Err(e) => {
            errors.extend(e.errors);
            return Err(AppError::validation(errors));
        }
    };
    let scope = scope_of(user.0.as_ref());
    // what the reader may see decides the answer: the public, one organisation's members
    // or the secretariat each have their own; the key is what was understood, so the same
    // question asked in another order or spelling is kept once
    let key = format!("{scope:?}|{rows:?}|{cols:?}|{filters:?}");
    let found = state
        .registry_matrices
        .get_or_compute(key, |_| {
            db::run(&state.pool, move |conn| {
                search::matrix(conn, &filters, &scope, rows, cols).map(Some)
            })
        })
        .await?
        .ok_or_else(|| AppError::internal("a matrix always has an answer"))?;
    Ok(found.json_answer(&req))
}

/// The country × theme cells where no project is active on a day (today by default).
/// Without `countries`, every country of the registry; without `themes`, the four Ps.
#[utoipa::path(tag = "registry", params(GapsQuery),
    responses((status = 200, body = model::GapsView), (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/registry/gaps")]
pub async fn gaps(state: AppState, req: HttpRequest, user: MaybeUser) -> AppResult<HttpResponse> {
    let query: GapsQuery = parse_query(&req)?;
    let parsed = model::parse_filters(
        None,
        &query.countries,
        &query.themes,
        &None,
        &None,
        None,
        None,
    )
    .map_err(|mut e| {
        for error in &mut e.errors {
            error.field = match error.field.as_str() {
                "country" => "countries".into(),
                "theme" => "themes".into(),
                other => other.into(),
            };
        }
        AppError::validation(e.errors)
    })?;
    let countries = query.countries.as_ref().map(|_| parsed.countries.clone());
    let themes = query.themes.as_ref().map(|_| parsed.themes.clone());
    let day = query.on.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let scope = scope_of(user.0.as_ref());
    let view = db::run(&state.pool, move |conn| {
        search::gaps(conn, &scope, countries, themes, day)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

// ---------------------------------------------------------------------------------------
// Writing projects

/// Checks what a draft refers to: the organisations exist, the IATI identifier is free.
pub(crate) fn check_references(
    conn: &mut DbConn,
    draft: &ProjectDraft,
    except: Option<&str>,
) -> AppResult<()> {
    let mut errors = Vec::new();
    if !store::unknown_organisations(conn, std::slice::from_ref(&draft.reporting_org_id))?
        .is_empty()
    {
        errors.push(FieldError::new(
            "reporting_org_id",
            "no organisation has this id",
        ));
    }
    for (role, field) in [
        (model::ParticipantRole::Funding, "funding_org_ids"),
        (model::ParticipantRole::Implementing, "implementing_org_ids"),
    ] {
        let ids = draft.org_ids_of(role);
        let unknown = store::unknown_organisations(conn, &ids)?;
        for (i, id) in ids.iter().enumerate() {
            if unknown.contains(id) {
                errors.push(FieldError::new(
                    format!("{field}[{i}]"),
                    "no organisation has this id",
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    if let Some(iati) = &draft.iati_identifier
        && store::iati_taken(conn, iati, except)?
    {
        return Err(AppError::duplicate(format!(
            "another project already has the IATI identifier {iati}"
        ))
        .with_errors(vec![FieldError::new("iati_identifier", "is already used")]));
    }
    Ok(())
}

/// Puts a project's new overlap candidates in the review queue (pairs already there, open
/// or resolved, stay as they are): candidate id → review entry, and whether the entry is
/// new.
fn queue_overlaps(
    conn: &mut DbConn,
    project_id: &str,
    candidates: &[search::Candidate],
    actor: &Actor,
) -> AppResult<HashMap<String, (String, bool)>> {
    let mut queued = HashMap::new();
    for c in candidates {
        if let Some(review) = &c.review {
            queued.insert(c.row.id.clone(), (review.id.clone(), false));
            continue;
        }
        let row = store::new_review(
            project_id,
            &c.row.id,
            c.scored.score,
            &c.scored.reasons,
            None,
        );
        store::insert_review(conn, &row)?;
        let view = review_view(conn, row.clone())?;
        audit::record(
            conn,
            actor,
            Change::<(), _> {
                entity: REVIEW_ENTITY,
                entity_id: &row.id,
                action: crate::audit::Action::Flag,
                before: None,
                after: Some(&view),
            },
        )?;
        queued.insert(c.row.id.clone(), (row.id, true));
    }
    Ok(queued)
}

/// A project just registered, with what it may duplicate.
pub struct Registered {
    pub row: ProjectRow,
    pub view: ProjectView,
    /// Its overlap candidates, best first, each with its review queue entry.
    pub overlaps: Vec<OverlapCandidateView>,
    /// The candidates whose pair joined the review queue now.
    pub newly_queued: Vec<Queued>,
}

/// A pair that joined the review queue: the other project, the entry, the score.
pub struct Queued {
    pub project: ProjectRow,
    pub review_id: String,
    pub score: f64,
}

/// The one way a project enters the registry, registered by hand or following a grant:
/// inserted with its audit event, checked for overlaps against what `scope` sees, and its
/// candidates put in the review queue.
pub fn register(
    conn: &mut DbConn,
    draft: &ProjectDraft,
    source: ProjectSource,
    actor: &Actor,
    scope: &Scope,
) -> AppResult<Registered> {
    register_as(
        conn,
        &uuid::Uuid::now_v7().to_string(),
        draft,
        source,
        actor,
        scope,
    )
}

/// [`register`] under an id the caller chose beforehand (a match that becomes a project
/// names the project in its own row before the project is written).
pub fn register_as(
    conn: &mut DbConn,
    id: &str,
    draft: &ProjectDraft,
    source: ProjectSource,
    actor: &Actor,
    scope: &Scope,
) -> AppResult<Registered> {
    let row = store::insert_as(conn, id, draft, source)?;
    let verified = store::organisation_verified(conn, &row.reporting_org_id)?;
    let view = row.clone().into_view(verified)?;
    audit::created(conn, actor, ENTITY, &view.id, &view)?;
    let candidates =
        search::overlap_candidates(conn, &row.overlap_subject()?, scope, OVERLAPS_SHOWN)?;
    let queued = queue_overlaps(conn, &row.id, &candidates, actor)?;
    let newly_queued = candidates
        .iter()
        .filter_map(|c| match queued.get(&c.row.id) {
            Some((review, true)) => Some(Queued {
                project: c.row.clone(),
                review_id: review.clone(),
                score: c.scored.score,
            }),
            _ => None,
        })
        .collect();
    let mut overlaps = candidate_views(candidates)?;
    for o in &mut overlaps {
        o.review_id = queued.get(&o.project.id).map(|(review, _)| review.clone());
    }
    Ok(Registered {
        row,
        view,
        overlaps,
        newly_queued,
    })
}

/// Registers a project for the caller's organisation (admins: for any). The answer lists
/// the projects it may duplicate; those pairs join the review queue.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    request_body = CreateProject,
    responses((status = 201, body = CreatedProjectView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/registry/projects")]
pub async fn create_project(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<CreateProject>,
) -> AppResult<HttpResponse> {
    let actor = Actor::for_user(&req, &user);
    let created = create(&state, &user, actor, body.0).await?;
    let version = created.project.version;
    Ok(json_with_etag(StatusCode::CREATED, &created, version))
}

/// Registers `project` for `user`'s organisation (admins: for any), by hand: the API's
/// `POST /registry/projects` and the page's form. Its overlap candidates, as `user` sees
/// the registry, join the review queue.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    actor: Actor,
    project: CreateProject,
) -> AppResult<CreatedProjectView> {
    policy::authorize(user, Operation::WriteRegistryProject)?;
    let draft = project.validate()?;
    policy::require_member(user, &draft.reporting_org_id, "organisation")?;
    let scope = scope_of(Some(user));
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            check_references(conn, &draft, None)?;
            let registered = register(conn, &draft, ProjectSource::Manual, &actor, &scope)?;
            Ok(CreatedProjectView {
                project: registered.view,
                overlaps: registered.overlaps,
            })
        })
    })
    .await
}

/// A project changes through `change::apply`: only members of its reporting organisation
/// (and admins) may change it; others get 404.
impl change::Entity for ProjectRow {
    const KIND: audit::Entity = ENTITY;
    type Locks = ();
    type View = ProjectView;
    type Id = crate::ids::ProjectId;

    fn lock(
        conn: &mut DbConn,
        user: &CurrentUser,
        id: &crate::ids::ProjectId,
    ) -> AppResult<((), ProjectRow)> {
        let row = store::find_for_update(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
        policy::require_member(user, &row.reporting_org_id, ENTITY)?;
        Ok(((), row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &ProjectRow, after: &ProjectRow) -> AppResult<bool> {
        Ok(store::save(conn, before, after)?)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<ProjectView> {
        let verified = store::organisation_verified(conn, &self.reporting_org_id)?;
        self.clone().into_view(verified)
    }
}

impl change::Versioned for ProjectView {
    fn version(&self) -> i64 {
        self.version
    }
}

/// `PATCH /registry/projects/{id}`: the new content, checked like a new project's. Its
/// new overlap candidates (as `user` sees the registry) join the review queue.
struct EditProject {
    patch: UpdateProject,
    user: CurrentUser,
    actor: Actor,
}

impl EditProject {
    /// The content the edit asks for: 422 when invalid, 404 when it moves the project to an
    /// organisation the user is not a member of, 404/409 for unknown or taken references.
    fn draft(&self, conn: &mut DbConn, current: &ProjectRow) -> AppResult<ProjectDraft> {
        let draft = self.patch.clone().apply(&current.draft()?)?;
        if draft.reporting_org_id != current.reporting_org_id {
            policy::require_member(&self.user, &draft.reporting_org_id, "organisation")?;
        }
        check_references(conn, &draft, Some(&current.id))?;
        Ok(draft)
    }
}

impl change::Command<ProjectRow> for EditProject {
    fn action(&self) -> audit::Action {
        audit::Action::Update
    }

    fn decide(&self, conn: &mut DbConn, _: &(), current: &ProjectRow) -> AppResult<ProjectRow> {
        let draft = self.draft(conn, current)?;
        Ok(ProjectRow::new(
            current.id.clone(),
            &draft,
            current.source,
            current.version,
            current.created_at,
        ))
    }

    /// An edit that sets every field to what it holds makes no new version and no event.
    fn changes_nothing(&self, before: &ProjectRow, after: &ProjectRow) -> bool {
        after.draft().is_ok_and(|draft| before.same_content(&draft))
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        _: &(),
        _: &ProjectRow,
        after: &ProjectRow,
    ) -> AppResult<()> {
        store::bump_generation(conn)?;
        let scope = scope_of(Some(&self.user));
        let candidates =
            search::overlap_candidates(conn, &after.overlap_subject()?, &scope, OVERLAPS_SHOWN)?;
        queue_overlaps(conn, &after.id, &candidates, &self.actor)?;
        Ok(())
    }
}

/// `DELETE /registry/projects/{id}`: the row goes after its version check, with its filter
/// rows and review entries (ON DELETE CASCADE).
struct DeleteProject;

impl change::Command<ProjectRow> for DeleteProject {
    fn action(&self) -> audit::Action {
        audit::Action::Delete
    }

    fn decide(&self, _: &mut DbConn, _: &(), current: &ProjectRow) -> AppResult<ProjectRow> {
        Ok(current.clone())
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        _: &(),
        _: &ProjectRow,
        after: &ProjectRow,
    ) -> AppResult<()> {
        if !store::delete(conn, &after.id, after.version)? {
            return Err(AppError::stale(after.version));
        }
        Ok(())
    }
}

/// Changes a project; `If-Match` guards against overwriting someone else's edit. Its new
/// overlap candidates join the review queue.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "project id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = UpdateProject,
    responses((status = 200, body = ProjectView), (status = 404, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/api/v1/registry/projects/{id}")]
pub async fn update_project(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<UpdateProject>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteRegistryProject)?;
    let edit = EditProject {
        patch: body.0,
        user: user.clone(),
        actor: Actor::for_user(&req, &user),
    };
    change::run::<ProjectRow, _>(&state, &req, user, &id, None, edit).await
}

/// Deletes a project with its review queue entries.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "project id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    responses((status = 204), (status = 404, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[delete("/api/v1/registry/projects/{id}")]
pub async fn delete_project(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteRegistryProject)?;
    change::run_view::<ProjectRow, _>(
        &state,
        &req,
        user,
        &id,
        crate::http::if_match(&req)?,
        DeleteProject,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------------------------------------------------------------------------------------
// The overlap review queue

fn review_view(conn: &mut DbConn, row: ReviewRow) -> AppResult<OverlapReviewView> {
    let projects = store::find_many(conn, &[row.project_a.clone(), row.project_b.clone()])?;
    let summary = |id: &str| {
        projects
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| AppError::internal(format!("review {} names a missing project", row.id)))
            .and_then(ProjectRow::summary)
    };
    Ok(OverlapReviewView {
        project_a: summary(&row.project_a)?,
        project_b: summary(&row.project_b)?,
        score: f64::from(row.score_milli) / 1000.0,
        reasons: row.reasons()?,
        status: row.status,
        resolution: row.resolution,
        note: row.note,
        resolved_by: row.resolved_by,
        resolved_at: row.resolved_at.map(|t| t.and_utc()),
        version: row.version,
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
        id: row.id,
    })
}

/// Which organisations' pairs a user may see and resolve; `None` for all (admins).
fn review_orgs(user: &CurrentUser) -> Option<Vec<String>> {
    if policy::sees_all_registry_projects(user) {
        None
    } else {
        Some(user.organisation_id.iter().cloned().collect())
    }
}

/// A review entry changes through `change::apply`: hidden (404) unless one of the pair's
/// projects belongs to the user's organisation (or the user is an admin).
impl change::Entity for ReviewRow {
    const KIND: audit::Entity = REVIEW_ENTITY;
    type Locks = ();
    type View = OverlapReviewView;
    type Id = crate::ids::OverlapReviewId;

    fn lock(
        conn: &mut DbConn,
        user: &CurrentUser,
        id: &crate::ids::OverlapReviewId,
    ) -> AppResult<((), ReviewRow)> {
        let review = store::find_review_for_update(conn, id)?
            .ok_or_else(|| AppError::not_found(REVIEW_ENTITY))?;
        let projects =
            store::find_many(conn, &[review.project_a.clone(), review.project_b.clone()])?;
        if !projects
            .iter()
            .any(|p| policy::require_member(user, &p.reporting_org_id, REVIEW_ENTITY).is_ok())
        {
            return Err(AppError::not_found(REVIEW_ENTITY));
        }
        // nor may a member resolve a pair whose other project it may not see
        let scope = scope_of(Some(user));
        for id in [&review.project_a, &review.project_b] {
            visible_project(conn, id, &scope).map_err(|_| AppError::not_found(REVIEW_ENTITY))?;
        }
        Ok(((), review))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &ReviewRow, after: &ReviewRow) -> AppResult<bool> {
        Ok(store::save_review(conn, before, after)?)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<OverlapReviewView> {
        review_view(conn, self.clone())
    }
}

impl change::Versioned for OverlapReviewView {
    fn version(&self) -> i64 {
        self.version
    }
}

/// A verdict on a pair: resolved, by the user, now. The pair is not flagged again.
struct ResolveReview {
    resolution: OverlapResolution,
    note: Option<String>,
    by: Option<String>,
}

impl change::Command<ReviewRow> for ResolveReview {
    fn action(&self) -> audit::Action {
        audit::Action::Resolve
    }

    fn decide(&self, _: &mut DbConn, _: &(), current: &ReviewRow) -> AppResult<ReviewRow> {
        Ok(ReviewRow {
            status: ReviewStatus::Resolved,
            resolution: Some(self.resolution),
            note: self.note.clone(),
            resolved_by: self.by.clone(),
            resolved_at: Some(crate::clock::now_naive()),
            ..current.clone()
        })
    }

    /// A pair becoming (or ceasing to be) a duplicate changes what the registry's figures
    /// count, so the index must reload.
    fn effects(
        &self,
        conn: &mut DbConn,
        _: &(),
        before: &ReviewRow,
        after: &ReviewRow,
    ) -> AppResult<()> {
        let duplicate = |r: &ReviewRow| r.resolution == Some(OverlapResolution::Duplicate);
        if duplicate(before) || duplicate(after) {
            store::bump_generation(conn)?;
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// `open` (default) or `resolved`; `all` for both.
    pub status: Option<String>,
    /// Only the pairs of this project.
    pub project_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// The overlap review queue: flagged pairs of projects, open until someone from either
/// organisation (or an admin) says what they are.
#[utoipa::path(security(("bearer" = [])), tag = "registry", params(ReviewQuery),
    responses((status = 200, body = inline(Paginated<OverlapReviewView>))))]
#[get("/api/v1/registry/overlap-reviews")]
pub async fn list_overlap_reviews(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReviewRegistryOverlaps)?;
    let query: ReviewQuery = parse_query(&req)?;
    let status = match query.status.as_deref() {
        None | Some("open") => Some(ReviewStatus::Open),
        Some("resolved") => Some(ReviewStatus::Resolved),
        Some("all") => None,
        Some(_) => {
            return Err(AppError::field("status", "must be open, resolved or all"));
        }
    };
    let project_id = query
        .project_id
        .as_deref()
        .map(|p| {
            uuid::Uuid::parse_str(p)
                .map(|u| u.to_string())
                .map_err(|_| AppError::field("project_id", "must be a UUID"))
        })
        .transpose()?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page()?;
    let orgs = review_orgs(&user);
    let page_for_query = page.clone();
    let views = db::run(&state.pool, move |conn| {
        let rows = store::list_reviews(
            conn,
            status,
            project_id.as_deref(),
            orgs.as_deref(),
            &page_for_query,
        )?;
        rows.into_iter()
            .map(|r| review_view(conn, r))
            .collect::<AppResult<Vec<_>>>()
    })
    .await?;
    Ok(HttpResponse::Ok().json(Paginated::from_rows(
        views,
        &page,
        |r: &OverlapReviewView| r.id.clone(),
    )))
}

/// Says what a flagged pair is: `duplicate`, `co_financing` or `complementary`. The pair
/// is not flagged again.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "review entry id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = ResolveOverlap,
    responses((status = 200, body = OverlapReviewView), (status = 404, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/registry/overlap-reviews/{id}/resolve")]
pub async fn resolve_overlap_review(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<ResolveOverlap>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReviewRegistryOverlaps)?;
    parse_id(&id, "id")?;
    let mut errors = Vec::new();
    let note = model::note(body.0.note, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let command = ResolveReview {
        resolution: body.0.resolution.into(),
        note,
        by: Some(user.id.clone()),
    };
    change::run::<ReviewRow, _>(&state, &req, user, &id, None, command).await
}

/// Records what any pair of projects is, flagged or not (201 when the pair was not in the
/// queue yet, 200 when its entry is resolved now).
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    request_body = RecordOverlap,
    responses((status = 201, body = OverlapReviewView), (status = 200, body = OverlapReviewView),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/registry/overlap-reviews")]
pub async fn record_overlap_review(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<RecordOverlap>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReviewRegistryOverlaps)?;
    let body = body.0;
    let mut errors = Vec::new();
    let ids: Vec<String> = [
        ("project_id", &body.project_id),
        ("other_project_id", &body.other_project_id),
    ]
    .into_iter()
    .map(|(field, id)| match uuid::Uuid::parse_str(id) {
        Ok(u) => u.to_string(),
        Err(_) => {
            errors.push(FieldError::new(field, "must be a UUID"));
            id.clone()
        }
    })
    .collect();
    if errors.is_empty() && ids[0] == ids[1] {
        errors.push(FieldError::new(
            "other_project_id",
            "must be another project",
        ));
    }
    let note = model::note(body.note, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let resolution: OverlapResolution = body.resolution.into();
    let actor = Actor::for_user(&req, &user);
    let scope = scope_of(Some(&user));
    let (created, view) = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let (a, _) = visible_project(conn, &ids[0], &scope)?;
            let (b, _) = visible_project(conn, &ids[1], &scope)?;
            if policy::require_member(&user, &a.reporting_org_id, ENTITY).is_err()
                && policy::require_member(&user, &b.reporting_org_id, ENTITY).is_err()
            {
                return Err(AppError::not_found(ENTITY));
            }
            if let Some(review) = store::find_review_of_pair(conn, &a.id, &b.id)? {
                let command = ResolveReview {
                    resolution,
                    note,
                    by: actor.user_id.clone(),
                };
                let view = change::apply::<ReviewRow, _>(
                    conn,
                    &actor,
                    &user,
                    &OverlapReviewId::from_stored(&review.id),
                    Expected::Any,
                    &command,
                )?;
                return Ok((false, view));
            }
            let fa = overlap::Features::new(&a.overlap_subject()?, &a.search_text);
            let fb = overlap::Features::new(&b.overlap_subject()?, &b.search_text);
            let scored = overlap::score(&fa, &fb, &overlap::Idf::uniform());
            let (score, mut reasons) = scored
                .map(|s| (s.score, s.reasons))
                .unwrap_or((0.0, Vec::new()));
            overlap::words_as_written(
                &mut reasons,
                &text::written_forms(&[&a.title, &a.description]),
            );
            let row = store::new_review(
                &a.id,
                &b.id,
                score,
                &reasons,
                Some((resolution, note, actor.user_id.clone())),
            );
            store::insert_review(conn, &row)?;
            if resolution == OverlapResolution::Duplicate {
                // the figures count the pair once from now on
                store::bump_generation(conn)?;
            }
            let view = review_view(conn, row)?;
            audit::record(
                conn,
                &actor,
                Change::<(), _> {
                    entity: REVIEW_ENTITY,
                    entity_id: &view.id,
                    action: crate::audit::Action::Resolve,
                    before: None,
                    after: Some(&view),
                },
            )?;
            Ok((true, view))
        })
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let version = view.version;
    Ok(json_with_etag(status, &view, version))
}

// ---------------------------------------------------------------------------------------
// IATI import

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Skip activities with no anti-trafficking sector or SDG target (default false).
    pub themed_only: Option<bool>,
}

fn is_xml(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| {
            let essence = essence.trim().to_ascii_lowercase();
            essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml")
        })
        .unwrap_or(false)
}

fn too_large(limit: u64) -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("the file is larger than the {limit} bytes allowed (registry.max_import_bytes)"),
    )
}

/// Imports an IATI 2.x activities file (the request body, `application/xml`): creates or
/// updates projects by IATI identifier and answers how many were created, updated,
/// unchanged and skipped, with the reason for each skip. The file is streamed; a DTD or an
/// entity other than the predefined ones is refused; malformed XML is answered with its
/// line and changes nothing.
#[utoipa::path(security(("bearer" = [])), tag = "registry", params(ImportQuery),
    request_body(content = String, content_type = "application/xml"),
    responses((status = 200, body = ImportReport), (status = 413, body = crate::error::Problem),
              (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/registry/import/iati")]
pub async fn import_iati(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    mut payload: web::Payload,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ImportIati)?;
    let query: ImportQuery = parse_query(&req)?;
    if !is_xml(&req) {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            "send the IATI file as the body with Content-Type: application/xml",
        ));
    }
    let limit = state.settings.registry.max_import_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let options = ImportOptions {
        themed_only: query.themed_only.unwrap_or(false),
    };
    let actor = Actor::for_user(&req, &user);
    let (sender, receiver) = tokio::sync::mpsc::channel(16);
    let over_limit = Arc::new(AtomicBool::new(false));
    let timed_out = Arc::new(std::sync::Mutex::new(None));
    let feed = {
        let over_limit = over_limit.clone();
        let timed_out = timed_out.clone();
        async move {
            let mut received: u64 = 0;
            while let Some(chunk) = payload.next().await {
                let item = match chunk {
                    Ok(bytes) => {
                        received += bytes.len() as u64;
                        if received > limit {
                            over_limit.store(true, Ordering::SeqCst);
                            Err(std::io::Error::other("the upload exceeds the size limit"))
                        } else {
                            Ok(bytes)
                        }
                    }
                    Err(e) => {
                        let broke_off = std::io::Error::other(format!("the upload broke off: {e}"));
                        if crate::pace::is_timeout(&e)
                            && let Ok(mut slot) = timed_out.lock()
                        {
                            *slot = Some(e.to_string());
                        }
                        Err(broke_off)
                    }
                };
                let stop = item.is_err();
                if sender.send(item).await.is_err() || stop {
                    break;
                }
            }
        }
    };
    let import = db::run(&state.pool, move |conn| {
        let source =
            std::io::BufReader::with_capacity(64 * 1024, iati::ChannelReader::new(receiver));
        store::with_bulk_cache(conn, |conn| {
            write_transaction(conn, |conn| {
                iati::import(conn, source, options, &actor).map_err(|e| e.into_app_error())
            })
        })
    });
    let ((), result) = futures_util::join!(feed, import);
    if over_limit.load(Ordering::SeqCst) {
        return Err(too_large(limit));
    }
    if let Some(why) = timed_out.lock().ok().and_then(|mut slot| slot.take()) {
        return Err(AppError::body_timeout(why));
    }
    Ok(HttpResponse::Ok().json(result?))
}
