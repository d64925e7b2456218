//! Queries of the open-data exports. Everything is read in pages (keyset on the id), and
//! the rows a page needs from other tables are fetched for the whole page at once, so an
//! export costs a fixed number of queries per page and memory for one page only.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::audit;
use crate::db::DbConn;
use crate::db::schema::{
    application_countries, application_themes, applications, calls, grant_instalments,
    grant_reports, grants, ledger_entries, organisations, report_beneficiaries, report_indicators,
};
use crate::grants::model::{GrantStatus, ReportKind};
use crate::ledger::rules::EntryKind;
use crate::organisations::model::OrgKind;
use crate::reports::model::ReportStatus;

/// The ledger kinds of money coming in.
const MONEY_IN: [EntryKind; 2] = [EntryKind::Pledge, EntryKind::Receipt];

/// The organisation on the other side of a grant or a donation.
#[derive(Debug, Clone, Queryable)]
pub struct OrgRecord {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub country: String,
    pub identifier: Option<String>,
    pub listed_anonymously: bool,
    /// A grantee kept out of public outputs (`rules::withhold_protected`).
    pub protected: bool,
}

/// A money movement of the ledger, as published.
#[derive(Debug, Clone, Queryable)]
pub struct MoneyRecord {
    pub id: String,
    pub kind: EntryKind,
    pub donor_id: Option<String>,
    pub source_id: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub value_date: NaiveDate,
}

/// An accepted outcome report of a grant, as published.
#[derive(Debug, Clone)]
pub struct ResultRecord {
    pub kind: ReportKind,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// People first assisted in the report's period, as the report's cells: (sex, age
    /// group, form of exploitation) → count. Published only through the one suppression
    /// (`rules::people_assisted`).
    pub people: Vec<(crate::reports::rules::CellKey, i64)>,
    /// (name, target, actual) as exact decimal strings.
    pub indicators: Vec<(String, String, String)>,
}

/// A grant with everything its activity shows.
#[derive(Debug, Clone)]
pub struct GrantRecord {
    pub id: String,
    pub reference: String,
    pub title: String,
    pub summary: String,
    pub amount_minor: i64,
    pub currency: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub status: GrantStatus,
    pub signed_at: Option<NaiveDateTime>,
    pub awarded_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub call_id: String,
    pub call_title: String,
    pub grantee: OrgRecord,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    /// (amount in minor units, due on), in plan order.
    pub instalments: Vec<(i64, NaiveDate)>,
    /// Commitments (and their releases), payments and refunds from the ledger, oldest first.
    pub money: Vec<MoneyRecord>,
    pub results: Vec<ResultRecord>,
}

type GrantColumns = (
    String,
    String,
    String,
    String,
    i64,
    String,
    NaiveDate,
    NaiveDate,
    GrantStatus,
    Option<NaiveDateTime>,
    NaiveDateTime,
    NaiveDateTime,
    String,
    String,
    String,
    String,
);

const ORG_COLUMNS: (
    organisations::id,
    organisations::name,
    organisations::kind,
    organisations::country,
    organisations::identifier,
    organisations::listed_anonymously,
    organisations::protected,
) = (
    organisations::id,
    organisations::name,
    organisations::kind,
    organisations::country,
    organisations::identifier,
    organisations::listed_anonymously,
    organisations::protected,
);

const MONEY_COLUMNS: (
    ledger_entries::id,
    ledger_entries::kind,
    ledger_entries::donor_id,
    ledger_entries::source_id,
    ledger_entries::amount_minor,
    ledger_entries::currency,
    ledger_entries::value_date,
) = (
    ledger_entries::id,
    ledger_entries::kind,
    ledger_entries::donor_id,
    ledger_entries::source_id,
    ledger_entries::amount_minor,
    ledger_entries::currency,
    ledger_entries::value_date,
);

/// Organisations by id.
pub fn organisations_by_id(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<HashMap<String, OrgRecord>> {
    let mut found = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<OrgRecord> = organisations::table
            .filter(organisations::id.eq_any(chunk))
            .select(ORG_COLUMNS)
            .load(conn)?;
        found.extend(rows.into_iter().map(|o| (o.id.clone(), o)));
    }
    Ok(found)
}

/// The donors that pledged or gave to the fund, by name.
pub fn donors(conn: &mut DbConn, fund_id: &str) -> QueryResult<Vec<OrgRecord>> {
    let ids: Vec<String> = ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id))
        .filter(ledger_entries::kind.eq_any(MONEY_IN))
        .filter(ledger_entries::donor_id.is_not_null())
        .select(ledger_entries::donor_id.assume_not_null())
        .distinct()
        .load(conn)?;
    let mut donors: Vec<OrgRecord> = organisations_by_id(conn, &ids)?.into_values().collect();
    donors.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    Ok(donors)
}

/// The value date of the fund's first pledge or receipt.
pub fn first_money_in(conn: &mut DbConn, fund_id: &str) -> QueryResult<Option<NaiveDate>> {
    ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id))
        .filter(ledger_entries::kind.eq_any(MONEY_IN))
        .select(diesel::dsl::min(ledger_entries::value_date))
        .first(conn)
}

/// A page of the fund's money in (pledges, their cancellations, and receipts) valued on or
/// before `today`, after the entry `after`.
pub fn money_in_page(
    conn: &mut DbConn,
    fund_id: &str,
    today: NaiveDate,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<MoneyRecord>> {
    let mut query = ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id))
        .filter(ledger_entries::kind.eq_any(MONEY_IN))
        .filter(ledger_entries::value_date.le(today))
        .select(MONEY_COLUMNS)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(ledger_entries::id.gt(after.to_string()));
    }
    query
        .order(ledger_entries::id.asc())
        .limit(limit)
        .load(conn)
}

/// A page of the fund's grant references, for the parent's links to its children.
pub fn grant_references_page(
    conn: &mut DbConn,
    fund_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<(String, String)>> {
    let mut query = grants::table
        .filter(grants::fund_id.eq(fund_id))
        .select((grants::id, grants::reference))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(grants::id.gt(after.to_string()));
    }
    query.order(grants::id.asc()).limit(limit).load(conn)
}

/// A page of the fund's grants with all they show, after the grant `after`.
pub fn grants_page(
    conn: &mut DbConn,
    fund_id: &str,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<GrantRecord>> {
    let mut query = grants::table
        .inner_join(applications::table.on(applications::id.eq(grants::application_id)))
        .inner_join(calls::table.on(calls::id.eq(grants::call_id)))
        .filter(grants::fund_id.eq(fund_id))
        .select((
            grants::id,
            grants::reference,
            grants::title,
            applications::summary,
            grants::amount_minor,
            grants::currency,
            grants::starts_on,
            grants::ends_on,
            grants::status,
            grants::signed_at,
            grants::created_at,
            grants::updated_at,
            grants::call_id,
            calls::title,
            grants::application_id,
            grants::organisation_id,
        ))
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(grants::id.gt(after.to_string()));
    }
    let rows: Vec<GrantColumns> = query.order(grants::id.asc()).limit(limit).load(conn)?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let grant_ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let application_ids: Vec<String> = rows.iter().map(|r| r.14.clone()).collect();
    let org_ids: Vec<String> = rows.iter().map(|r| r.15.clone()).collect();
    let orgs = organisations_by_id(conn, &org_ids)?;

    let mut countries: HashMap<String, Vec<String>> = HashMap::new();
    for (application, country) in application_countries::table
        .filter(application_countries::application_id.eq_any(&application_ids))
        .order((
            application_countries::application_id,
            application_countries::position,
        ))
        .select((
            application_countries::application_id,
            application_countries::country,
        ))
        .load::<(String, String)>(conn)?
    {
        countries.entry(application).or_default().push(country);
    }
    let mut themes: HashMap<String, Vec<String>> = HashMap::new();
    for (application, theme) in application_themes::table
        .filter(application_themes::application_id.eq_any(&application_ids))
        .order((
            application_themes::application_id,
            application_themes::position,
        ))
        .select((
            application_themes::application_id,
            application_themes::theme,
        ))
        .load::<(String, String)>(conn)?
    {
        themes.entry(application).or_default().push(theme);
    }
    let mut instalments: HashMap<String, Vec<(i64, NaiveDate)>> = HashMap::new();
    for (grant, amount, due_on) in grant_instalments::table
        .filter(grant_instalments::grant_id.eq_any(&grant_ids))
        .order((grant_instalments::grant_id, grant_instalments::position))
        .select((
            grant_instalments::grant_id,
            grant_instalments::amount_minor,
            grant_instalments::due_on,
        ))
        .load::<(String, i64, NaiveDate)>(conn)?
    {
        instalments.entry(grant).or_default().push((amount, due_on));
    }
    let mut money: HashMap<String, Vec<MoneyRecord>> = HashMap::new();
    for entry in ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id))
        .filter(ledger_entries::source_kind.eq(audit::Entity::Grant))
        .filter(ledger_entries::source_id.eq_any(&grant_ids))
        .order(ledger_entries::id.asc())
        .select(MONEY_COLUMNS)
        .load::<MoneyRecord>(conn)?
    {
        let grant = entry.source_id.clone().unwrap_or_default();
        money.entry(grant).or_default().push(entry);
    }
    let mut results = results_of(conn, &grant_ids)?;

    let mut page = Vec::with_capacity(rows.len());
    for r in rows {
        let (id, reference, title, summary, amount_minor, currency, starts_on, ends_on) =
            (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7);
        let application = r.14;
        let grantee = orgs
            .get(&r.15)
            .cloned()
            .ok_or(diesel::result::Error::NotFound)?;
        let mut record = GrantRecord {
            countries: countries.remove(&application).unwrap_or_default(),
            themes: themes.remove(&application).unwrap_or_default(),
            instalments: instalments.remove(&id).unwrap_or_default(),
            money: money.remove(&id).unwrap_or_default(),
            results: results.remove(&id).unwrap_or_default(),
            id,
            reference,
            title,
            summary,
            amount_minor,
            currency,
            starts_on,
            ends_on,
            status: r.8,
            signed_at: r.9,
            awarded_at: r.10,
            updated_at: r.11,
            call_id: r.12,
            call_title: r.13,
            grantee,
        };
        if record.grantee.protected {
            super::rules::withhold_protected(&mut record);
        }
        page.push(record);
    }
    Ok(page)
}

/// The accepted reports of the grants, with their beneficiary totals and indicators.
fn results_of(
    conn: &mut DbConn,
    grant_ids: &[String],
) -> QueryResult<HashMap<String, Vec<ResultRecord>>> {
    let reports: Vec<(String, String, ReportKind, NaiveDate, NaiveDate)> = grant_reports::table
        .filter(grant_reports::grant_id.eq_any(grant_ids))
        .filter(grant_reports::status.eq(ReportStatus::Accepted))
        .order((grant_reports::grant_id, grant_reports::period_end))
        .select((
            grant_reports::id,
            grant_reports::grant_id,
            grant_reports::kind,
            grant_reports::period_start,
            grant_reports::period_end,
        ))
        .load(conn)?;
    if reports.is_empty() {
        return Ok(HashMap::new());
    }
    let report_ids: Vec<String> = reports.iter().map(|r| r.0.clone()).collect();
    let mut people: HashMap<String, Vec<(crate::reports::rules::CellKey, i64)>> = HashMap::new();
    for (report, sex, age, exploitation, count) in report_beneficiaries::table
        .filter(report_beneficiaries::report_id.eq_any(&report_ids))
        .select((
            report_beneficiaries::report_id,
            report_beneficiaries::sex,
            report_beneficiaries::age_group,
            report_beneficiaries::exploitation,
            report_beneficiaries::count,
        ))
        .load::<(String, String, String, String, i64)>(conn)?
    {
        people
            .entry(report)
            .or_default()
            .push(((sex, age, exploitation), count));
    }
    let mut indicators: HashMap<String, Vec<(String, String, String)>> = HashMap::new();
    for (report, name, target, actual) in report_indicators::table
        .filter(report_indicators::report_id.eq_any(&report_ids))
        .order((report_indicators::report_id, report_indicators::position))
        .select((
            report_indicators::report_id,
            report_indicators::name,
            report_indicators::target,
            report_indicators::actual,
        ))
        .load::<(String, String, String, String)>(conn)?
    {
        indicators
            .entry(report)
            .or_default()
            .push((name, target, actual));
    }
    let mut by_grant: HashMap<String, Vec<ResultRecord>> = HashMap::new();
    for (id, grant, kind, period_start, period_end) in reports {
        by_grant.entry(grant).or_default().push(ResultRecord {
            kind,
            period_start,
            period_end,
            people: people.remove(&id).unwrap_or_default(),
            indicators: indicators.remove(&id).unwrap_or_default(),
        });
    }
    Ok(by_grant)
}
