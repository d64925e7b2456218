//! Liveness, readiness and metrics.

use actix_web::HttpResponse;
use actix_web::get;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct HealthView {
    pub status: &'static str,
}

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = HealthView)))]
#[get("/health/live")]
pub async fn live() -> HttpResponse {
    HttpResponse::Ok().json(HealthView { status: "ok" })
}

/// The process can serve: the database answers.
#[utoipa::path(tag = "health",
    responses((status = 200, body = HealthView), (status = 503, body = crate::error::Problem)))]
#[get("/health/ready")]
pub async fn ready(state: AppState) -> AppResult<HttpResponse> {
    crate::db::run(&state.pool, |conn| {
        crate::db::ping(conn).map_err(|e| {
            tracing::warn!(error = %e, "readiness check failed");
            AppError::new(
                ErrorCode::ServiceUnavailable,
                "the database does not answer",
            )
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(HealthView { status: "ready" }))
}

/// Prometheus text: request count and latency histogram by route and status.
#[utoipa::path(tag = "health", responses((status = 200, body = String, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: AppState) -> AppResult<HttpResponse> {
    if !state.settings.server.metrics_enabled {
        return Err(AppError::not_found("metrics"));
    }
    Ok(crate::observe::render_metrics(&state.metrics))
}
