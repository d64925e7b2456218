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
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;

use crate::cache::Kept;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::http;
use crate::ledger;
use crate::state::AppState;
use rules::{PublicFundParts, PublicFundRef, PublicFundView};
use std::sync::Arc;

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
    max_rate_age: crate::exchange::MaxRateAge,
) -> AppResult<Option<PublicFundView>> {
    let Some(key) = rules::fund_key(key) else {
        return Ok(None);
    };
    // one read-only snapshot: every figure describes the same moment
    db::read_snapshot(conn, |conn| {
        let Some(fund) = store::find_fund(conn, &key)? else {
            return Ok(None);
        };
        let status = ledger::fund_status(conn, &fund, as_of, max_rate_age)?;
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

/// The figures of the fund named by `key`, from memory when nothing has changed since they
/// were computed (`cache`), else computed now and kept.
async fn figures(state: &AppState, key: String) -> AppResult<Option<Arc<Kept<PublicFundView>>>> {
    let asked = key.clone();
    let max_rate_age = state.settings.exchange.max_rate_age();
    state
        .public_figures
        .get_or_compute(key, |today| {
            db::run(&state.pool, move |conn| {
                public_fund(conn, &asked, today, max_rate_age)
            })
        })
        .await
}

/// `304 Not Modified` when the reader holds `etag` already, else `None`.
fn unchanged(req: &HttpRequest, etag: &str) -> Option<HttpResponse> {
    http::if_none_match(req, etag).then(|| {
        HttpResponse::NotModified()
            .insert_header((header::ETAG, etag.to_string()))
            .insert_header(cache_control())
            .finish()
    })
}

/// A fund's public figures: totals from the ledger (as in the fund status), donors with
/// what they gave (anonymous donors merged into one line), grants by country, theme and
/// status, beneficiaries of accepted reports with every count below 5 shown as `"<5"`, and
/// money in and out per quarter. Amounts are decimal strings in the fund's base currency.
/// Served with an `ETag`; `If-None-Match` with it answers `304 Not Modified`.
#[utoipa::path(tag = "open data",
    params(("id" = String, Path, description = "the fund's id or its code"),
           ("If-None-Match" = Option<String>, Header, description = "the ETag last read")),
    responses((status = 200, body = PublicFundView),
              (status = 304, description = "the figures have not changed since the ETag sent"),
              (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/public/funds/{id}")]
pub async fn get_public_fund(
    state: AppState,
    req: HttpRequest,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let figures = figures(&state, id.into_inner())
        .await?
        .ok_or_else(|| AppError::not_found("fund"))?;
    if let Some(answer) = unchanged(&req, &figures.json_etag) {
        return Ok(answer);
    }
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, figures.json_etag.clone()))
        .insert_header(cache_control())
        .body(figures.json.clone()))
}

/// The fund's public page for people: the same figures as `/api/v1/public/funds/{id}`,
/// as one small HTML page with inline SVG charts and tables, no script, in English, French
/// or Spanish (`?lang=`, else the language cookie, else `Accept-Language`). An unknown code
/// answers a 404 page. A client that accepts gzip gets the page compressed (once per change
/// and language).
#[utoipa::path(tag = "open data",
    params(("code" = String, Path, description = "the fund's code (or its id)"),
           ("lang" = Option<String>, Query, description = "`en`, `fr` or `es`"),
           ("If-None-Match" = Option<String>, Header, description = "the ETag last read")),
    responses(
        (status = 200, description = "the page", body = String, content_type = "text/html"),
        (status = 304, description = "the page has not changed since the ETag sent"),
        (status = 404, description = "no such fund", body = String, content_type = "text/html")))]
#[get("/funds/{code}")]
pub async fn fund_page(
    state: AppState,
    req: HttpRequest,
    code: web::Path<String>,
) -> AppResult<HttpResponse> {
    let code = code.into_inner();
    let lang = crate::web::i18n::of_request(&req);
    let (mut response, body) = match figures(&state, code.clone()).await? {
        Some(figures) => {
            let page = figures.page(lang, page::fund_page)?;
            let gzipped = crate::http::accepts_gzip(&req);
            let (body, etag) = if gzipped {
                (page.gzipped, page.gzipped_etag)
            } else {
                (page.html, page.etag)
            };
            if let Some(mut answer) = unchanged(&req, &etag) {
                answer
                    .headers_mut()
                    .insert(header::VARY, header::HeaderValue::from_static(VARY));
                return Ok(answer);
            }
            let mut response = HttpResponse::Ok();
            response
                .insert_header((header::ETAG, etag))
                .insert_header((header::VARY, VARY));
            if gzipped {
                response.insert_header((header::CONTENT_ENCODING, "gzip"));
            }
            (response, body)
        }
        None => (
            HttpResponse::NotFound(),
            page::not_found_page(&code, lang)?.into(),
        ),
    };
    Ok(response
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            page::content_security_policy(),
        ))
        .insert_header(cache_control())
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_LANGUAGE, lang.code()))
        .body(body))
}

/// What the page's bytes depend on besides its address: compression, and the language
/// (`?lang=` is in the address; the switch's cookie and `Accept-Language` are not).
const VARY: &str = "accept-encoding, accept-language, cookie";
