//! Predictability of aid, as the Paris Declaration asks of donors and funds: per donor and
//! year, what was pledged against what arrived and when; per grant, each instalment
//! planned against what was paid and when. From data the fund already holds; JSON, or CSV
//! with `Accept: text/csv`.
//!
//! - `GET /api/v1/funds/{id}/predictability/donors[?donor_id=]`: the secretariat, finance and
//!   the fund's trustees read every donor; a donor only itself.
//! - `GET /api/v1/funds/{id}/predictability/grants`: the secretariat, finance and the fund's
//!   trustees.

pub mod rules;
pub mod store;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::http::{parse_id, parse_query, wants_csv};
use crate::state::AppState;
use rules::{DonorYear, InstalmentLine};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DonorParams {
    /// One donor's lines only.
    pub donor_id: Option<String>,
}

/// JSON, or CSV (one row per item, the same fields) when the client asks for it; never
/// kept by a shared cache: these are donors' and grantees' money.
fn answer<T: Serialize>(req: &HttpRequest, rows: &[T], name: &str) -> AppResult<HttpResponse> {
    if !wants_csv(req) {
        return Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "private, no-store"))
            .json(rows));
    }
    let mut writer = csv::Writer::from_writer(Vec::new());
    for row in rows {
        writer
            .serialize(row)
            .map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body))
}

/// Per donor, year and currency: the pledges made that year, what arrived against them
/// and by their due dates (the end of their year when they have none), what is still
/// outstanding, how many were late and by how many days on average, money that came
/// without a pledge, and the first and last day money arrived. `Accept: text/csv` answers
/// CSV.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "fund id"), DonorParams),
    responses((status = 200, description = "the lines; as CSV with Accept: text/csv",
               content((Vec<DonorYear> = "application/json"), (String = "text/csv"))),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/predictability/donors")]
pub async fn donor_predictability(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadDonorPredictability)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    policy::require_predictability_reader(&user, &fund_id)?;
    let params: DonorParams = parse_query(&req)?;
    let requested = params
        .donor_id
        .map(|d| parse_id(&d, "donor_id").map(|u| u.to_string()))
        .transpose()?;
    let donor = policy::organisation_scope(&user, requested)?;
    let rows = db::run(&state.pool, move |conn| {
        crate::funds::store::find(conn, &fund_id)?.ok_or_else(|| AppError::not_found("fund"))?;
        let (pledges, unpledged) = store::donor_facts(conn, &fund_id, donor.as_deref())?;
        Ok(rules::donor_years(
            &pledges,
            &unpledged,
            crate::clock::today(),
        ))
    })
    .await?;
    answer(&req, &rows, "donor-predictability")
}

/// Per grant and instalment: the planned day and amount, what its release waits for, what
/// was paid and when, and whether it was paid on time, late (by how many days), is overdue
/// or not yet due. A terminated grant's unpaid instalments are left out. `Accept: text/csv`
/// answers CSV.
#[utoipa::path(security(("bearer" = [])), tag = "grants",
    params(("id" = uuid::Uuid, Path, description = "fund id")),
    responses((status = 200, description = "the lines; as CSV with Accept: text/csv",
               content((Vec<InstalmentLine> = "application/json"), (String = "text/csv"))),
              (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/predictability/grants")]
pub async fn grant_predictability(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadGrantPredictability)?;
    let fund_id = parse_id(&id, "id")?.to_string();
    policy::require_predictability_reader(&user, &fund_id)?;
    let rows = db::run(&state.pool, move |conn| {
        crate::funds::store::find(conn, &fund_id)?.ok_or_else(|| AppError::not_found("fund"))?;
        let facts = store::instalment_facts(conn, &fund_id)?;
        Ok(rules::instalment_lines(&facts, crate::clock::today()))
    })
    .await?;
    answer(&req, &rows, "grant-predictability")
}
