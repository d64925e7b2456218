//! The donor project registry: who does what where. Projects of every donor and agency
//! (registered by their organisations' members or imported from IATI files), full-text
//! search with facets, a country × theme matrix and its gaps, and overlap detection with a
//! review queue so that no one funds a duplicate unawares.

pub mod iati_import;
pub mod model;
pub mod overlap;
pub mod rules;
pub mod search;
pub mod store;
pub mod text;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::{PageParams, json_with_etag, parse_id, parse_query};
use model::{
    GapsQuery, MatrixAxis, MatrixQuery, OverlapCandidateView, OverlapsView, ProjectView,
    SearchQuery, SearchView,
};
use rules::Scope;

const ENTITY: &str = "registry_project";

/// The scope of an anonymous reader.
fn public_scope() -> Scope {
    Scope::Public
}

pub(crate) fn candidate_views(
    candidates: Vec<search::Candidate>,
) -> AppResult<Vec<OverlapCandidateView>> {
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

/// Searches the registry: full text over title and description, filters, facet counts.
#[utoipa::path(get, path = "/api/v1/registry/projects", tag = "registry", params(SearchQuery),
    responses((status = 200, body = SearchView), (status = 422, body = crate::error::Problem)))]
pub async fn list_projects(state: AppState, req: HttpRequest) -> AppResult<HttpResponse> {
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
    let scope = public_scope();
    let view = db::run(&state.pool, move |conn| {
        search::search(conn, &filters, &scope, &page)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Reads one project; an unpublished one only for its organisation's members and admins.
#[utoipa::path(get, path = "/api/v1/registry/projects/{id}", tag = "registry",
    params(("id" = String, Path, description = "project id")),
    responses((status = 200, body = ProjectView), (status = 404, body = crate::error::Problem)))]
pub async fn get_project(state: AppState, id: web::Path<String>) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "id")?.to_string();
    let scope = public_scope();
    let view = db::run(&state.pool, move |conn| {
        store::find(conn, &id)?
            .filter(|row| scope.sees(row.published, &row.reporting_org_id))
            .ok_or_else(|| AppError::not_found(ENTITY))?
            .into_view()
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// Candidates that may duplicate a saved project, with scores and reasons.
#[utoipa::path(get, path = "/api/v1/registry/projects/{id}/overlaps", tag = "registry",
    params(("id" = String, Path, description = "project id")),
    responses((status = 200, body = OverlapsView), (status = 404, body = crate::error::Problem)))]
pub async fn project_overlaps(state: AppState, id: web::Path<String>) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "id")?.to_string();
    let scope = public_scope();
    let view = db::run(&state.pool, move |conn| {
        let row = store::find(conn, &id)?
            .filter(|row| scope.sees(row.published, &row.reporting_org_id))
            .ok_or_else(|| AppError::not_found(ENTITY))?;
        let subject = row.overlap_subject()?;
        let candidates = search::overlap_candidates(conn, &subject, &scope, 20)?;
        Ok(OverlapsView {
            project_id: Some(id),
            candidates: candidate_views(candidates)?,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Per cell of the chosen rows × columns: projects, organisations and budget.
#[utoipa::path(get, path = "/api/v1/registry/matrix", tag = "registry", params(MatrixQuery),
    responses((status = 200, body = model::MatrixView), (status = 422, body = crate::error::Problem)))]
pub async fn matrix(state: AppState, req: HttpRequest) -> AppResult<HttpResponse> {
    let query: MatrixQuery = parse_query(&req)?;
    let mut errors = Vec::new();
    let rows = model::axis("rows", query.rows.as_deref(), MatrixAxis::Country)
        .map_err(|e| errors.push(e))
        .unwrap_or(MatrixAxis::Country);
    let cols = model::axis("cols", query.cols.as_deref(), MatrixAxis::Theme)
        .map_err(|e| errors.push(e))
        .unwrap_or(MatrixAxis::Theme);
    if errors.is_empty() && rows == cols {
        errors.push(crate::error::FieldError::new(
            "cols",
            "must differ from rows",
        ));
    }
    let filters = model::parse_filters(
        None,
        &query.country,
        &query.theme,
        &query.org_id,
        &query.status,
        query.active_on,
        None,
    );
    let filters = match (filters, errors.is_empty()) {
        (Ok(f), true) => f,
        (Ok(_), false) => return Err(AppError::validation(errors)),
        (Err(e), _) => {
            errors.extend(e.errors);
            return Err(AppError::validation(errors));
        }
    };
    let scope = public_scope();
    let view = db::run(&state.pool, move |conn| {
        search::matrix(conn, &filters, &scope, rows, cols)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The country × theme cells where no project is active on a day (today by default).
#[utoipa::path(get, path = "/api/v1/registry/gaps", tag = "registry", params(GapsQuery),
    responses((status = 200, body = model::GapsView), (status = 422, body = crate::error::Problem)))]
pub async fn gaps(state: AppState, req: HttpRequest) -> AppResult<HttpResponse> {
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
    let scope = public_scope();
    let view = db::run(&state.pool, move |conn| {
        search::gaps(conn, &scope, countries, themes, day)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
