//! A fund's yearly report (issue "donors told"): money in and out, the grants approved,
//! people reached and the narratives the secretariat cleared, for one calendar year.
//!
//! - `GET /api/v1/public/funds/{id}/annual-reports/{year}`: JSON;
//! - `GET /funds/{code}/annual-report/{year}`: the page, in the reader's language (`?lang=`,
//!   else the language cookie, else `Accept-Language`);
//! - `GET /funds/{code}/annual-report/{year}/pdf`: the same page printed to PDF by a
//!   headless browser (`platform::pdf`);
//! - `trustfund annual-report --fund CODE --year YYYY --format json|html|pdf --out FILE`.
//!
//! All four come from `report` (one snapshot) and, for people, `page::render`. The report
//! is public and follows the public rules (`rules`).

pub mod page;
pub mod rules;
pub mod store;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{Datelike, NaiveDate};

use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::public::rules::{PublicFundRef, fund_key};
use crate::state::AppState;
use crate::web::i18n::{self, Lang};
use rules::{AnnualReport, YearParts};

/// The year of a path: 422 naming `year` unless it is a year from 2000 to 9999 (as the
/// API document says), 404 for one still to come (its report does not exist yet).
pub fn parse_year(raw: &str, today: NaiveDate) -> AppResult<(i32, NaiveDate, NaiveDate)> {
    let year = raw
        .trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (rules::FIRST_YEAR..=9999).contains(y))
        .ok_or_else(|| {
            AppError::field(
                "year",
                format!(
                    "{raw:?} is not a year with a report: give a year from {} to {}",
                    rules::FIRST_YEAR,
                    today.year()
                ),
            )
        })?;
    rules::year_span(year, today.year())
        .map(|(from, to)| (year, from, to))
        .ok_or_else(|| AppError::not_found(format!("report for {year}")))
}

/// The report of the fund named by `key` (id or code) for `year`, read in one snapshot;
/// `None` when no fund has that id or code.
pub fn report(
    conn: &mut DbConn,
    key: &str,
    year: &str,
    today: NaiveDate,
) -> AppResult<Option<AnnualReport>> {
    let (year, from, to) = parse_year(year, today)?;
    let Some(key) = fund_key(key) else {
        return Ok(None);
    };
    db::read_snapshot(conn, |conn| {
        let Some(fund) = crate::public::store::find_fund(conn, &key)? else {
            return Ok(None);
        };
        let base_currency = fund.base_currency.parse().map_err(|_| {
            AppError::internal(format!(
                "fund {} has currency {}",
                fund.id, fund.base_currency
            ))
        })?;
        let donors = store::receipts_by_donor(conn, &fund.id, from, to)?;
        let disbursed = store::disbursed(conn, &fund.id, from, to)?;
        let awards = store::awards(conn, &fund.id, from, to)?;
        let outcomes = crate::reports::store::outcomes(conn, &fund.id, from, to)?;
        let narratives = store::cleared_narratives(conn, &fund.id, from, to)?;
        Ok(Some(rules::annual_report(YearParts {
            fund: PublicFundRef {
                base_currency,
                id: fund.id,
                code: fund.code,
                name: fund.name,
            },
            year,
            today,
            donors: &donors,
            disbursed,
            awards: &awards,
            outcomes: &outcomes,
            narratives: &narratives,
        })))
    })
}

async fn read(state: &AppState, key: String, year: String) -> AppResult<AnnualReport> {
    let today = crate::clock::today();
    db::run(&state.pool, move |conn| report(conn, &key, &year, today))
        .await?
        .ok_or_else(|| AppError::not_found("fund"))
}

/// A fund's year for everyone: money received (by donor, anonymous donors merged) and
/// disbursed, grants approved (a protected grantee's name and title withheld), people
/// reached in reports whose period ended in the year (suppressed), and the narratives the
/// secretariat cleared. Amounts are decimal strings in the fund's base currency.
#[utoipa::path(tag = "open data",
    params(("id" = String, Path, description = "the fund's id or its code"),
           ("year" = i32, Path, minimum = 2000, maximum = 9999,
            description = "a calendar year, from 2000 to this year (a later one: 404)")),
    responses((status = 200, body = AnnualReport),
              (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/public/funds/{id}/annual-reports/{year}")]
pub async fn get_annual_report(
    state: AppState,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, year) = path.into_inner();
    let report = read(&state, id, year).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .json(report))
}

/// The report as a page, or the public 404 page for an unknown fund or year.
async fn page_of(
    state: &AppState,
    req: &HttpRequest,
    code: String,
    year: String,
) -> AppResult<Result<(AnnualReport, Lang, String), HttpResponse>> {
    let lang = i18n::of_request(req);
    match read(state, code.clone(), year).await {
        Ok(report) => {
            let html = page::render(&report, lang, crate::clock::today())?;
            Ok(Ok((report, lang, html)))
        }
        Err(e) if e.code.status().as_u16() == 404 || e.code.status().as_u16() == 422 => {
            Ok(Err(HttpResponse::NotFound()
                .content_type("text/html; charset=utf-8")
                .insert_header((
                    header::CONTENT_SECURITY_POLICY,
                    crate::public::page::content_security_policy(),
                ))
                .body(crate::public::page::not_found_page(&code, lang)?)))
        }
        Err(e) => Err(e),
    }
}

/// The yearly report as a page for people, in English, French or Spanish.
#[utoipa::path(
    params(("code" = String, Path, description = "the fund's code"),
           ("year" = String, Path, description = "a calendar year")),
    responses((status = 200, description = "the report", content_type = "text/html")))]
#[get("/funds/{code}/annual-report/{year}")]
pub async fn annual_report_page(
    state: AppState,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (code, year) = path.into_inner();
    match page_of(&state, &req, code, year).await? {
        Ok((_, _, html)) => {
            let mut response = HttpResponse::Ok();
            response
                .content_type("text/html; charset=utf-8")
                .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
                .insert_header((header::VARY, "Accept-Language, Cookie"));
            for h in page::headers() {
                response.insert_header(h);
            }
            Ok(response.body(html))
        }
        Err(not_found) => Ok(not_found),
    }
}

/// The yearly report as a PDF, printed from the page in the reader's language.
#[utoipa::path(
    params(("code" = String, Path, description = "the fund's code"),
           ("year" = String, Path, description = "a calendar year")),
    responses((status = 200, description = "the report", content_type = "application/pdf")))]
#[get("/funds/{code}/annual-report/{year}/pdf")]
pub async fn annual_report_pdf(
    state: AppState,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (code, year) = path.into_inner();
    match page_of(&state, &req, code, year).await? {
        Ok((report, lang, html)) => {
            let pdf = state.pdf.print(html).await?;
            Ok(HttpResponse::Ok()
                .content_type("application/pdf")
                .insert_header((header::VARY, "Accept-Language, Cookie"))
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}\"",
                        file_name(&report, lang, "pdf")
                    ),
                ))
                .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
                .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .body(pdf))
        }
        Err(not_found) => Ok(not_found),
    }
}

/// `UNVTF-annual-report-2025-fr.pdf`: the fund's code is letters, digits and hyphens only
/// (`public::rules::fund_key`), so the name needs no quoting.
pub fn file_name(report: &AnnualReport, lang: Lang, extension: &str) -> String {
    format!(
        "{}-annual-report-{}-{}.{extension}",
        report.fund.code,
        report.year,
        lang.code()
    )
}

/// What `trustfund annual-report` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Json,
    Html,
    Pdf,
}

/// Writes the report of fund `code` for `year` to `path` (replaced whole, atomically, once
/// complete); returns the bytes written. The command line's way to the same report as the
/// API, for a cron job or a secretariat without a browser at hand.
pub fn write_to_file(
    settings: &crate::config::Settings,
    pool: &crate::db::DbPool,
    code: &str,
    year: &str,
    output: Output,
    lang: Lang,
    path: &std::path::Path,
) -> AppResult<u64> {
    let today = crate::clock::today();
    let mut conn = pool.get()?;
    let report =
        report(&mut conn, code, year, today)?.ok_or_else(|| AppError::not_found("fund"))?;
    let bytes = match output {
        Output::Json => serde_json::to_vec_pretty(&report)
            .map_err(|e| AppError::internal(format!("report as JSON: {e}")))?,
        Output::Html => page::render(&report, lang, today)?.into_bytes(),
        Output::Pdf => {
            let html = page::render(&report, lang, today)?;
            let browser = &settings.annual_report;
            crate::platform::pdf::print_html(
                &browser.browser,
                &html,
                std::time::Duration::from_secs(browser.print_timeout_secs.max(1)),
            )?
        }
    };
    let io_error =
        |e: std::io::Error| AppError::internal(format!("writing {}: {e}", path.display()));
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(io_error)?;
    std::io::Write::write_all(&mut file, &bytes).map_err(io_error)?;
    file.as_file().sync_all().map_err(io_error)?;
    file.persist(path).map_err(|e| io_error(e.error))?;
    Ok(bytes.len() as u64)
}
