//! Queries of outcome reports: the report row and its child tables (counts, indicators,
//! expenditure), the review compare-and-swap, and the fund's outcomes summed in SQL.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Text};

use super::model::{
    BeneficiaryView, ExpenditureView, IndicatorView, NewReport, ReportStatus, ReportView,
    ServiceView,
};
use super::rules::{Figure, OutcomeCounts};
use crate::db::DbConn;
use crate::db::schema::{
    application_budget_lines, applications, grant_reports, grants, report_beneficiaries,
    report_expenditure, report_indicators, report_services,
};
use crate::error::{AppError, AppResult};
use crate::grants::model::ReportKind;
use crate::grants::store::GrantRow;
use crate::money::{Currency, Money};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_reports)]
pub struct ReportRow {
    pub id: String,
    pub grant_id: String,
    pub fund_id: String,
    pub organisation_id: String,
    pub kind: ReportKind,
    pub report_version: i32,
    pub supersedes_id: Option<String>,
    pub status: ReportStatus,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub narrative: String,
    pub review_comment: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub submitted_by: Option<String>,
    pub submitted_at: NaiveDateTime,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}

/// The grant `id`, its row locked on PostgreSQL (inside a write transaction) so that two
/// submissions to one grant happen one after the other; SQLite's `BEGIN IMMEDIATE` already
/// serialises them.
pub fn find_grant_locked(conn: &mut DbConn, id: &str) -> QueryResult<Option<GrantRow>> {
    crate::db::first_locked!(conn, grants::table.find(id).select(GrantRow::as_select()))
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ReportRow>> {
    grant_reports::table
        .find(id)
        .select(ReportRow::as_select())
        .get_result(conn)
        .optional()
}

/// Like `find`, the row locked on PostgreSQL.
pub fn find_locked(conn: &mut DbConn, id: &str) -> QueryResult<Option<ReportRow>> {
    crate::db::first_locked!(
        conn,
        grant_reports::table.find(id).select(ReportRow::as_select())
    )
}

/// Every report of a grant, oldest first (ids are UUIDv7).
pub fn of_grant(conn: &mut DbConn, grant_id: &str) -> QueryResult<Vec<ReportRow>> {
    grant_reports::table
        .filter(grant_reports::grant_id.eq(grant_id))
        .order(grant_reports::id.asc())
        .select(ReportRow::as_select())
        .load(conn)
}

/// The budget categories of an application: what expenditure may be reported on.
pub fn budget_categories(conn: &mut DbConn, application_id: &str) -> QueryResult<Vec<String>> {
    application_budget_lines::table
        .filter(application_budget_lines::application_id.eq(application_id))
        .order(application_budget_lines::position.asc())
        .select(application_budget_lines::category)
        .load(conn)
}

/// Where emails about a grant go: its application's contact.
pub fn contact_email(conn: &mut DbConn, application_id: &str) -> QueryResult<Option<String>> {
    Ok(applications::table
        .find(application_id)
        .select(applications::contact_email)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Inserts the report and its counts, indicators and expenditure (one row at a time:
/// batch inserts are not portable across `MultiConnection`).
pub fn insert(conn: &mut DbConn, row: &ReportRow, report: &NewReport) -> QueryResult<()> {
    diesel::insert_into(grant_reports::table)
        .values(row)
        .execute(conn)?;
    for (sex, age, exp, n) in &report.beneficiaries {
        diesel::insert_into(report_beneficiaries::table)
            .values((
                report_beneficiaries::report_id.eq(&row.id),
                report_beneficiaries::sex.eq(sex.as_str()),
                report_beneficiaries::age_group.eq(age.as_str()),
                report_beneficiaries::exploitation.eq(exp.as_str()),
                report_beneficiaries::count.eq(n),
            ))
            .execute(conn)?;
    }
    for (service, n) in &report.services {
        diesel::insert_into(report_services::table)
            .values((
                report_services::report_id.eq(&row.id),
                report_services::service.eq(service),
                report_services::count.eq(n),
            ))
            .execute(conn)?;
    }
    for (i, (name, target, actual)) in report.indicators.iter().enumerate() {
        diesel::insert_into(report_indicators::table)
            .values((
                report_indicators::report_id.eq(&row.id),
                report_indicators::position.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                report_indicators::name.eq(name),
                report_indicators::target.eq(target),
                report_indicators::actual.eq(actual),
            ))
            .execute(conn)?;
    }
    for (category, amount) in &report.expenditure {
        diesel::insert_into(report_expenditure::table)
            .values((
                report_expenditure::report_id.eq(&row.id),
                report_expenditure::category.eq(category),
                report_expenditure::amount_minor.eq(amount.minor_units()),
                report_expenditure::currency.eq(amount.currency().code()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Records a review: `next` replaces `current` only if nobody changed it meanwhile.
/// Writes the review of `current` only if it is still at its version; false when another
/// change won.
pub fn save_review(conn: &mut DbConn, current: &ReportRow, next: &ReportRow) -> AppResult<bool> {
    let changed = diesel::update(
        grant_reports::table
            .filter(grant_reports::id.eq(&current.id))
            .filter(grant_reports::version.eq(current.version)),
    )
    .set((
        grant_reports::status.eq(&next.status),
        grant_reports::review_comment.eq(&next.review_comment),
        grant_reports::reviewed_by.eq(&next.reviewed_by),
        grant_reports::reviewed_at.eq(next.reviewed_at),
        grant_reports::version.eq(next.version),
        grant_reports::updated_at.eq(next.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The report as shown; with `suppress`, counts below 5 read `"<5"`.
pub fn view(conn: &mut DbConn, row: &ReportRow, suppress: bool) -> AppResult<ReportView> {
    let beneficiaries = report_beneficiaries::table
        .filter(report_beneficiaries::report_id.eq(&row.id))
        .order((
            report_beneficiaries::sex.asc(),
            report_beneficiaries::age_group.asc(),
            report_beneficiaries::exploitation.asc(),
        ))
        .select((
            report_beneficiaries::sex,
            report_beneficiaries::age_group,
            report_beneficiaries::exploitation,
            report_beneficiaries::count,
        ))
        .load::<(String, String, String, i64)>(conn)?
        .into_iter()
        .map(|(sex, age_group, exploitation, n)| BeneficiaryView {
            sex,
            age_group,
            exploitation,
            count: Figure::of(n, suppress),
        })
        .collect();
    let services = report_services::table
        .filter(report_services::report_id.eq(&row.id))
        .order(report_services::service.asc())
        .select((report_services::service, report_services::count))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .map(|(service, n)| ServiceView {
            service,
            count: Figure::of(n, suppress),
        })
        .collect();
    let indicators = report_indicators::table
        .filter(report_indicators::report_id.eq(&row.id))
        .order(report_indicators::position.asc())
        .select((
            report_indicators::name,
            report_indicators::target,
            report_indicators::actual,
        ))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(name, target, actual)| IndicatorView {
            name,
            target,
            actual,
        })
        .collect();
    let expenditure = report_expenditure::table
        .filter(report_expenditure::report_id.eq(&row.id))
        .order(report_expenditure::category.asc())
        .select((
            report_expenditure::category,
            report_expenditure::amount_minor,
            report_expenditure::currency,
        ))
        .load::<(String, i64, String)>(conn)?
        .into_iter()
        .map(|(category, minor, code)| {
            let currency = Currency::parse(&code)
                .map_err(|e| AppError::internal(format!("report expenditure: {e}")))?;
            Ok(ExpenditureView {
                category,
                amount: Money::from_minor(minor, currency).amount_string(),
                currency,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok(ReportView {
        id: row.id.clone(),
        grant_id: row.grant_id.clone(),
        fund_id: row.fund_id.clone(),
        organisation_id: row.organisation_id.clone(),
        kind: row.kind,
        report_version: row.report_version,
        supersedes_id: row.supersedes_id.clone(),
        status: row.status,
        period_start: row.period_start,
        period_end: row.period_end,
        narrative: row.narrative.clone(),
        suppressed: suppress,
        beneficiaries,
        services,
        indicators,
        expenditure,
        review_comment: row.review_comment.clone(),
        reviewed_by: row.reviewed_by.clone(),
        reviewed_at: row.reviewed_at.map(|t| t.and_utc()),
        submitted_by: row.submitted_by.clone(),
        submitted_at: row.submitted_at.and_utc(),
        version: row.version,
        updated_at: row.updated_at.and_utc(),
    })
}

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = Text)]
    grant_id: String,
    #[diesel(sql_type = Integer)]
    year: i32,
    #[diesel(sql_type = Text)]
    sex: String,
    #[diesel(sql_type = Text)]
    age_group: String,
    #[diesel(sql_type = Text)]
    exploitation: String,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

#[derive(QueryableByName)]
struct Keyed {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// The reports counted: accepted ones of the fund whose period ends in [from, to]. A
/// report chain has at most one accepted version (a returned report is superseded, an
/// accepted one is final), so every accepted row is the latest accepted version.
const ACCEPTED_IN: &str =
    "r.fund_id = $1 AND r.status = $4 AND r.period_end >= $2 AND r.period_end <= $3";

/// Runs an aggregate with the binds (fund, from, to) on either backend: the SQL is written
/// with `$n` placeholders, which SQLite reads as `?n`.
fn aggregate<T>(
    conn: &mut DbConn,
    sql: &str,
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<T>>
where
    T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
{
    let sql = crate::db::dialect(conn).pick(sql.replace('$', "?"), sql.to_string());
    crate::db::with_backend!(conn, |c| diesel::sql_query(&sql)
        .bind::<Text, _>(fund_id)
        .bind::<Date, _>(from)
        .bind::<Date, _>(to)
        .bind::<Text, _>(ReportStatus::Accepted)
        .load(c))
}

/// The fund's outcomes, summed in SQL (GROUP BY), over accepted reports whose period ends
/// within [from, to].
pub fn outcomes(
    conn: &mut DbConn,
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<OutcomeCounts> {
    let mut counts = OutcomeCounts::default();
    let reports: Vec<Keyed> = aggregate(
        conn,
        &format!(
            "SELECT 'reports' AS key, CAST(COUNT(*) AS BIGINT) AS total FROM grant_reports r WHERE {ACCEPTED_IN}"
        ),
        fund_id,
        from,
        to,
    )?;
    counts.reports = reports.first().map_or(0, |k| k.total);
    // One pass over the beneficiaries, per grant, year and cell; the disaggregations by
    // cell, country and year are summed from it here (a few hundred rows, not 10,000s).
    let year = crate::db::dialect(conn).pick(
        "CAST(strftime('%Y', r.period_end) AS INTEGER)",
        "CAST(EXTRACT(YEAR FROM r.period_end) AS INTEGER)",
    );
    let cells: Vec<Cell> = aggregate(
        conn,
        &format!(
            "SELECT r.grant_id AS grant_id, {year} AS year, b.sex AS sex, \
             b.age_group AS age_group, b.exploitation AS exploitation, \
             CAST(SUM(b.count) AS BIGINT) AS total \
             FROM grant_reports r JOIN report_beneficiaries b ON b.report_id = r.id \
             WHERE {ACCEPTED_IN} \
             GROUP BY r.grant_id, {year}, b.sex, b.age_group, b.exploitation"
        ),
        fund_id,
        from,
        to,
    )?;
    let services: Vec<Keyed> = aggregate(
        conn,
        &format!(
            "SELECT s.service AS key, CAST(SUM(s.count) AS BIGINT) AS total \
             FROM grant_reports r JOIN report_services s ON s.report_id = r.id \
             WHERE {ACCEPTED_IN} GROUP BY s.service"
        ),
        fund_id,
        from,
        to,
    )?;
    counts.services = services.into_iter().map(|k| (k.key, k.total)).collect();
    // each grant counts for its application's first country
    let mut countries: std::collections::HashMap<String, (i32, String)> =
        std::collections::HashMap::new();
    let rows: Vec<(String, i32, String)> = crate::db::schema::grants::table
        .inner_join(
            crate::db::schema::application_countries::table
                .on(crate::db::schema::application_countries::application_id
                    .eq(crate::db::schema::grants::application_id)),
        )
        .filter(crate::db::schema::grants::fund_id.eq(fund_id))
        .select((
            crate::db::schema::grants::id,
            crate::db::schema::application_countries::position,
            crate::db::schema::application_countries::country,
        ))
        .load(conn)?;
    for (grant, position, country) in rows {
        let first = countries
            .entry(grant)
            .or_insert((position, country.clone()));
        if position < first.0 {
            *first = (position, country);
        }
    }
    for c in cells {
        let country = countries
            .get(&c.grant_id)
            .map(|(_, country)| country.clone())
            .unwrap_or_else(|| "unknown".to_string());
        *counts.by_country.entry(country).or_default() += c.total;
        *counts.by_year.entry(c.year).or_default() += c.total;
        *counts
            .by_year_exploitation
            .entry((c.year, c.exploitation.clone()))
            .or_default() += c.total;
        *counts
            .cells
            .entry((c.sex, c.age_group, c.exploitation))
            .or_default() += c.total;
    }

    Ok(counts)
}
