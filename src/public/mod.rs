//! Transparency figures of a fund for everyone, no login: `GET /api/v1/public/funds/{id}`
//! (JSON) and `GET /funds/{code}` (a small HTML page with inline SVG charts). Both call
//! `public_fund`, so they always show the same figures; its totals are the ledger's fund
//! status, the same computation as `GET /api/v1/funds/{id}/status`.
//!
//! Public means: anonymous donors merged into one line, outcome counts always suppressed
//! (below 5 → `"<5"`, domain invariant 7), no grantee contact or victim data at all.

pub mod page;
pub mod rules;
pub mod store;
pub mod svg;

use actix_web::get;
use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::ledger;
use crate::state::AppState;
use rules::{PublicFundParts, PublicFundRef, PublicFundView};

/// How long caches may keep the figures (seconds): they move with money and reports, but
/// a few minutes' delay is harmless and spares the database on a busy day.
pub const MAX_AGE_SECS: u32 = 300;

fn cache_control() -> (header::HeaderName, String) {
    (
        header::CACHE_CONTROL,
        format!("public, max-age={MAX_AGE_SECS}"),
    )
}

/// Everything public about the fund named by `key` (id or code), read in one snapshot;
/// `None` when no fund has that id or code.
pub fn public_fund(
    conn: &mut DbConn,
    key: &str,
    as_of: NaiveDate,
) -> AppResult<Option<PublicFundView>> {
    let Some(key) = rules::fund_key(key) else {
        return Ok(None);
    };
    // one read-only snapshot: every figure describes the same moment
    db::read_snapshot(conn, |conn| {
        let Some(fund) = store::find_fund(conn, &key)? else {
            return Ok(None);
        };
        let status = ledger::fund_status(conn, &fund, as_of)?;
        let donors = store::donor_receipts(conn, &fund.id)?;
        let grants = store::grant_facts(conn, &fund.id)?;
        // every accepted report, whenever its period ended
        let (from, to) = crate::reports::rules::storable_dates(NaiveDate::MIN, NaiveDate::MAX);
        let outcomes = crate::reports::store::outcomes(conn, &fund.id, from, to)?;
        let months = store::money_by_month(conn, &fund.id)?;
        Ok(Some(rules::public_view(PublicFundParts {
            fund: PublicFundRef {
                base_currency: status.base_currency,
                id: fund.id,
                code: fund.code,
                name: fund.name,
            },
            status: &status,
            donors: &donors,
            grants: &grants,
            outcomes: &outcomes,
            months: &months,
        })))
    })
}

async fn load(state: &AppState, key: String) -> AppResult<Option<PublicFundView>> {
    db::run(&state.pool, move |conn| {
        public_fund(conn, &key, crate::clock::today())
    })
    .await
}

/// A fund's public figures: totals from the ledger (as in the fund status), donors with
/// what they gave (anonymous donors merged into one line), grants by country, theme and
/// status, beneficiaries of accepted reports with every count below 5 shown as `"<5"`, and
/// money in and out per quarter. Amounts are decimal strings in the fund's base currency.
#[utoipa::path(tag = "open data",
    params(("id" = String, Path, description = "the fund's id or its code")),
    responses((status = 200, body = PublicFundView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/public/funds/{id}")]
pub async fn get_public_fund(state: AppState, id: web::Path<String>) -> AppResult<HttpResponse> {
    let view = load(&state, id.into_inner())
        .await?
        .ok_or_else(|| AppError::not_found("fund"))?;
    Ok(HttpResponse::Ok().insert_header(cache_control()).json(view))
}

/// The fund's public page for people: the same figures as `/api/v1/public/funds/{id}`,
/// as one small HTML page with inline SVG charts and tables, no script. An unknown code
/// answers a 404 page.
#[utoipa::path(tag = "open data",
    params(("code" = String, Path, description = "the fund's code (or its id)")),
    responses(
        (status = 200, description = "the page", body = String, content_type = "text/html"),
        (status = 404, description = "no such fund", body = String, content_type = "text/html")))]
#[get("/funds/{code}")]
pub async fn fund_page(state: AppState, code: web::Path<String>) -> AppResult<HttpResponse> {
    let code = code.into_inner();
    let (mut response, body) = match load(&state, code.clone()).await? {
        Some(view) => (HttpResponse::Ok(), page::fund_page(&view)?),
        None => (HttpResponse::NotFound(), page::not_found_page(&code)?),
    };
    Ok(response
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            page::content_security_policy(),
        ))
        .insert_header(cache_control())
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(body))
}
