//! Liveness, readiness and metrics.

use actix_web::get;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
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

/// Prometheus text: request count and latency histogram by route and status. In
/// production only for the addresses of `server.metrics_allowed_addresses` or with
/// `Authorization: Bearer <server.metrics_token>` (403 otherwise).
#[utoipa::path(tag = "health", responses((status = 200, body = String, content_type = "text/plain"),
    (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
#[get("/metrics")]
pub async fn metrics(state: AppState, req: HttpRequest) -> AppResult<HttpResponse> {
    if !state.settings.server.metrics_enabled {
        return Err(AppError::not_found("metrics"));
    }
    let address = crate::auth::throttle::client_address(&req, &state.settings.server);
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if !state.settings.metrics_allowed(&address, bearer) {
        return Err(AppError::forbidden(
            "metrics are served to the configured addresses, or with the metrics token",
        ));
    }
    Ok(crate::observe::render_metrics(&state.metrics))
}
