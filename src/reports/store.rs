//! Queries of outcome reports: the report row and its child tables (counts, indicators,
//! expenditure), the review compare-and-swap, the running outcome totals an accepted
//! report adds to (`count_accepted`) and the fund's outcomes read from them (`outcomes`).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Text};
use diesel::upsert::excluded;

use super::model::{
    BeneficiaryView, ExpenditureView, IndicatorView, NewReport, ReportStatus, ReportView,
    ServiceView,
};
use super::rules::{Figure, OutcomeCounts};
use super::totals::{AcceptedReport, Grain, Span, Totals};
use crate::db::DbConn;
use crate::db::schema::{
    application_budget_lines, application_countries, applications, grant_reports, grants,
    outcome_country_totals, outcome_report_totals, outcome_service_totals, outcome_totals,
    report_beneficiaries, report_expenditure, report_indicators, report_services,
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
    pub people_reached_to_date: Option<i64>,
    /// When the secretariat cleared the narrative to travel beyond the fund, and who.
    pub narrative_cleared_at: Option<NaiveDateTime>,
    pub narrative_cleared_by: Option<String>,
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
/// A report waiting for the secretariat, with what its queue shows of its grant.
pub struct Waiting {
    pub report: ReportRow,
    pub grant_title: String,
    pub grant_reference: String,
    pub grantee: String,
}

/// Submitted reports waiting for review, the oldest first, with their grant and grantee,
/// in one statement.
pub fn waiting_for_review(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Waiting>> {
    use crate::db::schema::{grants, organisations};
    let rows: Vec<(ReportRow, String, String, String)> = grant_reports::table
        .inner_join(grants::table.on(grants::id.eq(grant_reports::grant_id)))
        .inner_join(organisations::table.on(organisations::id.eq(grant_reports::organisation_id)))
        .filter(grant_reports::status.eq(ReportStatus::Submitted))
        .order((grant_reports::submitted_at.asc(), grant_reports::id.asc()))
        .limit(limit)
        .select((
            ReportRow::as_select(),
            grants::title,
            grants::reference,
            organisations::name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(report, grant_title, grant_reference, grantee)| Waiting {
            report,
            grant_title,
            grant_reference,
            grantee,
        })
        .collect())
}

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

/// Inserts the report and its counts, indicators and expenditure.
pub fn insert(conn: &mut DbConn, row: &ReportRow, report: &NewReport) -> QueryResult<()> {
    insert_all(conn, &[(row, report)])
}

/// Rows per multi-row INSERT: under SQLite's 32,766 bound parameters at eight columns.
const ROWS_PER_STATEMENT: usize = 1_000;

/// Inserts reports with their child rows, a few multi-row statements per table
/// (`db::insert_rows`). `insert` is this with one
/// report; a seed of many reports (the outcomes benchmark) passes hundreds at once.
pub fn insert_all(conn: &mut DbConn, reports: &[(&ReportRow, &NewReport)]) -> QueryResult<()> {
    let rows: Vec<ReportRow> = reports.iter().map(|(row, _)| (*row).clone()).collect();
    crate::db::insert_rows!(conn, grant_reports::table, rows, ROWS_PER_STATEMENT / 20)?;
    let beneficiaries: Vec<_> = reports
        .iter()
        .flat_map(|(row, report)| {
            report.beneficiaries.iter().map(|(sex, age, exp, n)| {
                (
                    report_beneficiaries::report_id.eq(row.id.as_str()),
                    report_beneficiaries::sex.eq(sex.as_str()),
                    report_beneficiaries::age_group.eq(age.as_str()),
                    report_beneficiaries::exploitation.eq(exp.as_str()),
                    report_beneficiaries::count.eq(*n),
                )
            })
        })
        .collect();
    crate::db::insert_rows!(
        conn,
        report_beneficiaries::table,
        beneficiaries,
        ROWS_PER_STATEMENT
    )?;
    let services: Vec<_> = reports
        .iter()
        .flat_map(|(row, report)| {
            report.services.iter().map(|(service, n)| {
                (
                    report_services::report_id.eq(row.id.as_str()),
                    report_services::service.eq(service.as_str()),
                    report_services::count.eq(*n),
                )
            })
        })
        .collect();
    crate::db::insert_rows!(conn, report_services::table, services, ROWS_PER_STATEMENT)?;
    let indicators: Vec<_> = reports
        .iter()
        .flat_map(|(row, report)| {
            report
                .indicators
                .iter()
                .enumerate()
                .map(|(i, (name, target, actual))| {
                    (
                        report_indicators::report_id.eq(row.id.as_str()),
                        report_indicators::position.eq(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                        report_indicators::name.eq(name.as_str()),
                        report_indicators::target.eq(target.as_str()),
                        report_indicators::actual.eq(actual.as_str()),
                    )
                })
        })
        .collect();
    crate::db::insert_rows!(
        conn,
        report_indicators::table,
        indicators,
        ROWS_PER_STATEMENT
    )?;
    let expenditure: Vec<_> = reports
        .iter()
        .flat_map(|(row, report)| {
            report.expenditure.iter().map(|(category, amount)| {
                (
                    report_expenditure::report_id.eq(row.id.as_str()),
                    report_expenditure::category.eq(category.as_str()),
                    report_expenditure::amount_minor.eq(amount.minor_units()),
                    report_expenditure::currency.eq(amount.currency().code()),
                )
            })
        })
        .collect();
    crate::db::insert_rows!(
        conn,
        report_expenditure::table,
        expenditure,
        ROWS_PER_STATEMENT
    )?;
    Ok(())
}

/// People the grant's reports already count as first assisted: the beneficiary cells of its
/// reports that are accepted or awaiting review (a returned report counts nothing; its
/// resubmission does).
pub fn people_counted(conn: &mut DbConn, grant_id: &str) -> QueryResult<i64> {
    // a grant has a handful of reports of at most a few dozen cells: added up here, where
    // one integer type serves both backends (SQL's SUM of a BIGINT is NUMERIC on PostgreSQL)
    let counts: Vec<i64> = report_beneficiaries::table
        .inner_join(grant_reports::table)
        .filter(grant_reports::grant_id.eq(grant_id))
        .filter(grant_reports::status.ne(ReportStatus::Returned))
        .select(report_beneficiaries::count)
        .load(conn)?;
    Ok(counts.iter().sum())
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
        grant_reports::narrative_cleared_at.eq(next.narrative_cleared_at),
        grant_reports::narrative_cleared_by.eq(&next.narrative_cleared_by),
        grant_reports::version.eq(next.version),
        grant_reports::updated_at.eq(next.updated_at),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// The report as shown. With `suppress` (a donor's view) counts below 5 read `"<5"` and
/// the narrative is left out until the secretariat has cleared it.
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
        narrative: (!suppress || row.narrative_cleared_at.is_some()).then(|| row.narrative.clone()),
        narrative_cleared: row.narrative_cleared_at.is_some(),
        narrative_cleared_at: row.narrative_cleared_at.map(|t| t.and_utc()),
        people_reached_to_date: row.people_reached_to_date.map(|n| Figure::of(n, suppress)),
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

/// The first country of each grant's application (by position): the country a grant's
/// reports count for. Grants whose application names none are left out.
pub fn first_countries(
    conn: &mut DbConn,
    grant_ids: &[&str],
) -> QueryResult<HashMap<String, String>> {
    let rows: Vec<(String, i32, String)> = grants::table
        .inner_join(
            application_countries::table
                .on(application_countries::application_id.eq(grants::application_id)),
        )
        .filter(grants::id.eq_any(grant_ids))
        .select((
            grants::id,
            application_countries::position,
            application_countries::country,
        ))
        .load(conn)?;
    let mut first: HashMap<String, (i32, String)> = HashMap::new();
    for (grant, position, country) in rows {
        let seen = first.entry(grant).or_insert((position, country.clone()));
        if position < seen.0 {
            *seen = (position, country);
        }
    }
    Ok(first.into_iter().map(|(g, (_, c))| (g, c)).collect())
}

/// The country of reports whose grant's application names none.
pub const UNKNOWN_COUNTRY: &str = "unknown";

/// Reports read per query while counting (their ids are bound in `IN (…)`).
const REPORTS_PER_QUERY: usize = 500;

/// Adds accepted reports to their funds' running outcome totals, in the caller's
/// transaction: the only writer of the totals. `Review` calls it with the report it
/// accepts; a seed of accepted rows (the outcomes benchmark) calls it with hundreds at
/// once, which adds the same (`Totals` adds a batch as it adds reports one by one). Each
/// report must be accepted and counted once: an accepted report is final, so nothing
/// subtracts. Writes are upserts (`ON CONFLICT … DO UPDATE`) in key order, so acceptances
/// racing on PostgreSQL add up without a lock and without deadlocking each other.
pub fn count_accepted(conn: &mut DbConn, reports: &[ReportRow]) -> AppResult<()> {
    if let Some(r) = reports.iter().find(|r| r.status != ReportStatus::Accepted) {
        return Err(AppError::internal(format!(
            "report {} is {}, only accepted reports are counted",
            r.id,
            r.status.as_str()
        )));
    }
    let mut totals = Totals::default();
    for chunk in reports.chunks(REPORTS_PER_QUERY) {
        let ids: Vec<&str> = chunk.iter().map(|r| r.id.as_str()).collect();
        let mut cells: HashMap<String, Vec<_>> = HashMap::new();
        for (report, sex, age, exp, n) in report_beneficiaries::table
            .filter(report_beneficiaries::report_id.eq_any(&ids))
            .select((
                report_beneficiaries::report_id,
                report_beneficiaries::sex,
                report_beneficiaries::age_group,
                report_beneficiaries::exploitation,
                report_beneficiaries::count,
            ))
            .load::<(String, String, String, String, i64)>(conn)?
        {
            cells.entry(report).or_default().push(((sex, age, exp), n));
        }
        let mut services: HashMap<String, Vec<_>> = HashMap::new();
        for (report, service, n) in report_services::table
            .filter(report_services::report_id.eq_any(&ids))
            .select((
                report_services::report_id,
                report_services::service,
                report_services::count,
            ))
            .load::<(String, String, i64)>(conn)?
        {
            services.entry(report).or_default().push((service, n));
        }
        let mut grant_ids: Vec<&str> = chunk.iter().map(|r| r.grant_id.as_str()).collect();
        grant_ids.sort_unstable();
        grant_ids.dedup();
        let countries = first_countries(conn, &grant_ids)?;
        for r in chunk {
            totals.add(&AcceptedReport {
                fund_id: r.fund_id.clone(),
                period_end: r.period_end,
                country: countries
                    .get(&r.grant_id)
                    .cloned()
                    .unwrap_or_else(|| UNKNOWN_COUNTRY.to_string()),
                beneficiaries: cells.remove(&r.id).unwrap_or_default(),
                services: services.remove(&r.id).unwrap_or_default(),
            });
        }
    }
    add_totals(conn, &totals)?;
    Ok(())
}

/// Adds `totals` to the tables: a row is created at its first use and added to after.
fn add_totals(conn: &mut DbConn, totals: &Totals) -> QueryResult<()> {
    let people: Vec<_> = totals
        .people
        .iter()
        .map(|(((fund, grain, period), (sex, age, exp)), n)| {
            (
                outcome_totals::fund_id.eq(fund.as_str()),
                outcome_totals::grain.eq(*grain),
                outcome_totals::period.eq(*period),
                outcome_totals::sex.eq(sex.as_str()),
                outcome_totals::age_group.eq(age.as_str()),
                outcome_totals::exploitation.eq(exp.as_str()),
                outcome_totals::total.eq(*n),
            )
        })
        .collect();
    for chunk in people.chunks(ROWS_PER_STATEMENT) {
        crate::db::with_backend!(conn, |c| diesel::insert_into(outcome_totals::table)
            .values(chunk)
            .on_conflict((
                outcome_totals::fund_id,
                outcome_totals::grain,
                outcome_totals::period,
                outcome_totals::sex,
                outcome_totals::age_group,
                outcome_totals::exploitation,
            ))
            .do_update()
            .set(outcome_totals::total.eq(outcome_totals::total + excluded(outcome_totals::total)))
            .execute(c))?;
    }
    let countries: Vec<_> = totals
        .countries
        .iter()
        .map(|(((fund, grain, period), country), n)| {
            (
                outcome_country_totals::fund_id.eq(fund.as_str()),
                outcome_country_totals::grain.eq(*grain),
                outcome_country_totals::period.eq(*period),
                outcome_country_totals::country.eq(country.as_str()),
                outcome_country_totals::total.eq(*n),
            )
        })
        .collect();
    for chunk in countries.chunks(ROWS_PER_STATEMENT) {
        crate::db::with_backend!(conn, |c| diesel::insert_into(outcome_country_totals::table)
            .values(chunk)
            .on_conflict((
                outcome_country_totals::fund_id,
                outcome_country_totals::grain,
                outcome_country_totals::period,
                outcome_country_totals::country,
            ))
            .do_update()
            .set(
                outcome_country_totals::total
                    .eq(outcome_country_totals::total + excluded(outcome_country_totals::total))
            )
            .execute(c))?;
    }
    let services: Vec<_> = totals
        .services
        .iter()
        .map(|(((fund, grain, period), service), n)| {
            (
                outcome_service_totals::fund_id.eq(fund.as_str()),
                outcome_service_totals::grain.eq(*grain),
                outcome_service_totals::period.eq(*period),
                outcome_service_totals::service.eq(service.as_str()),
                outcome_service_totals::total.eq(*n),
            )
        })
        .collect();
    for chunk in services.chunks(ROWS_PER_STATEMENT) {
        crate::db::with_backend!(conn, |c| diesel::insert_into(outcome_service_totals::table)
            .values(chunk)
            .on_conflict((
                outcome_service_totals::fund_id,
                outcome_service_totals::grain,
                outcome_service_totals::period,
                outcome_service_totals::service,
            ))
            .do_update()
            .set(
                outcome_service_totals::total
                    .eq(outcome_service_totals::total + excluded(outcome_service_totals::total))
            )
            .execute(c))?;
    }
    let reports: Vec<_> = totals
        .reports
        .iter()
        .map(|((fund, grain, period), n)| {
            (
                outcome_report_totals::fund_id.eq(fund.as_str()),
                outcome_report_totals::grain.eq(*grain),
                outcome_report_totals::period.eq(*period),
                outcome_report_totals::reports.eq(*n),
            )
        })
        .collect();
    for chunk in reports.chunks(ROWS_PER_STATEMENT) {
        crate::db::with_backend!(conn, |c| diesel::insert_into(outcome_report_totals::table)
            .values(chunk)
            .on_conflict((
                outcome_report_totals::fund_id,
                outcome_report_totals::grain,
                outcome_report_totals::period,
            ))
            .do_update()
            .set(
                outcome_report_totals::reports
                    .eq(outcome_report_totals::reports + excluded(outcome_report_totals::reports))
            )
            .execute(c))?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Cell {
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

/// The rows of `table` (its `columns`) in the periods of `spans`: one indexed range
/// (fund, grain, period) per span, joined by UNION ALL, with the binds `$1` (the fund) and
/// then grain, first and last period of each span. One range per span, not an OR of
/// them: SQLite would read every row of the fund for the OR.
fn in_spans(table: &str, columns: &str, spans: &[Span]) -> String {
    (0..spans.len())
        .map(|i| {
            let b = 2 + 3 * i;
            format!(
                "SELECT {columns} FROM {table} WHERE fund_id = $1 AND grain = ${b} \
                 AND period >= ${} AND period <= ${}",
                b + 1,
                b + 2
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Runs a read of running totals written with `in_spans`, binding the fund and each
/// span, on either backend: the SQL is written with `$n` placeholders, which SQLite reads
/// as `?n`.
fn within<T>(conn: &mut DbConn, sql: &str, fund_id: &str, spans: &[Span]) -> AppResult<Vec<T>>
where
    T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
{
    let sql = crate::db::dialect(conn).pick(sql.replace('$', "?"), sql.to_string());
    Ok(crate::db::with_backend!(conn, |c| load_within(
        c, &sql, fund_id, spans
    ))?)
}

fn load_within<'a, C, T>(
    conn: &mut C,
    sql: &str,
    fund_id: &'a str,
    spans: &'a [Span],
) -> QueryResult<Vec<T>>
where
    C: diesel::Connection,
    C::Backend: diesel::sql_types::HasSqlType<Text> + diesel::sql_types::HasSqlType<Date>,
    &'a str: diesel::serialize::ToSql<Text, C::Backend>,
    Grain: diesel::serialize::ToSql<Text, C::Backend>,
    NaiveDate: diesel::serialize::ToSql<Date, C::Backend>,
    diesel::query_builder::BoxedSqlQuery<'a, C::Backend, diesel::query_builder::SqlQuery>:
        diesel::query_dsl::LoadQuery<'a, C, T>,
{
    let mut query = diesel::sql_query(sql)
        .into_boxed::<C::Backend>()
        .bind::<Text, _>(fund_id);
    for span in spans {
        query = query
            .bind::<Text, _>(span.grain)
            .bind::<Date, _>(span.first)
            .bind::<Date, _>(span.last);
    }
    query.load(conn)
}

/// The fund's outcomes over accepted reports whose period ends within [from, to], read
/// from the running totals of the periods that make up the window (`totals::spans`:
/// whole years, and quarters, months, dekads and days at its edges), never from the
/// reports: the rows read grow with the
/// window's periods, cells and countries, not with the number of reports. The same sums,
/// zeros and listed keys as summing the accepted reports (property tests in `totals`,
/// HTTP tests against a recomputation from the reports).
pub fn outcomes(
    conn: &mut DbConn,
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<OutcomeCounts> {
    let spans = super::totals::spans(from, to);
    let mut counts = OutcomeCounts::default();
    if spans.is_empty() {
        return Ok(counts);
    }
    let reports: Vec<Keyed> = within(
        conn,
        &format!(
            "SELECT 'reports' AS key, CAST(COALESCE(SUM(reports), 0) AS BIGINT) AS total \
             FROM ({}) t",
            in_spans("outcome_report_totals", "reports", &spans)
        ),
        fund_id,
        &spans,
    )?;
    counts.reports = reports.first().map_or(0, |k| k.total);
    // the year of a period is the year of every day in it (SQLite holds a date as its
    // text, YYYY-MM-DD)
    let year = crate::db::dialect(conn).pick(
        "CAST(substr(period, 1, 4) AS INTEGER)",
        "CAST(EXTRACT(YEAR FROM period) AS INTEGER)",
    );
    let cells: Vec<Cell> = within(
        conn,
        &format!(
            "SELECT {year} AS year, sex, age_group, exploitation, \
             CAST(SUM(total) AS BIGINT) AS total FROM ({}) t \
             GROUP BY {year}, sex, age_group, exploitation",
            in_spans(
                "outcome_totals",
                "period, sex, age_group, exploitation, total",
                &spans
            )
        ),
        fund_id,
        &spans,
    )?;
    for c in cells {
        counts.add_cell(c.year, (c.sex, c.age_group, c.exploitation), c.total);
    }
    let countries: Vec<Keyed> = within(
        conn,
        &format!(
            "SELECT country AS key, CAST(SUM(total) AS BIGINT) AS total FROM ({}) t \
             GROUP BY country",
            in_spans("outcome_country_totals", "country, total", &spans)
        ),
        fund_id,
        &spans,
    )?;
    for c in countries {
        counts.add_country(&c.key, c.total);
    }
    let services: Vec<Keyed> = within(
        conn,
        &format!(
            "SELECT service AS key, CAST(SUM(total) AS BIGINT) AS total FROM ({}) t \
             GROUP BY service",
            in_spans("outcome_service_totals", "service, total", &spans)
        ),
        fund_id,
        &spans,
    )?;
    counts.services = services.into_iter().map(|k| (k.key, k.total)).collect();
    Ok(counts)
}
