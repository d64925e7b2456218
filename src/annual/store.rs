//! Queries behind a fund's yearly report, all read by `annual::report` in one snapshot: the
//! year's receipts per donor and disbursements (ledger entries by value date), the grants
//! whose commitment falls in the year, and the cleared narratives of accepted reports whose
//! period ended in it. People reached come from the outcome running totals
//! (`reports::store::outcomes`).

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::rules::{AwardRecord, NarrativeRecord};
use crate::audit::Entity;
use crate::db::DbConn;
use crate::db::schema::{
    application_countries, grant_reports, grants, ledger_entries, organisations,
};
use crate::grants::model::{GrantStatus, ReportKind};
use crate::ledger::rules::EntryKind;
use crate::public::rules::DonorReceipts;
use crate::reports::model::ReportStatus;

/// (grant id, application id, reference, title, base amount, status, grantee, protected)
type AwardRow = (
    String,
    String,
    String,
    String,
    i64,
    GrantStatus,
    String,
    bool,
);

/// (reference, title, grantee, protected, kind, period start, period end, narrative)
type NarrativeRow = (
    String,
    String,
    String,
    bool,
    ReportKind,
    NaiveDate,
    NaiveDate,
    String,
);

/// What each donor gave in [from, to] by value date, base currency; a reversal is an entry
/// of the same kind with the opposite sign, so it nets out.
pub fn receipts_by_donor(
    conn: &mut DbConn,
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<DonorReceipts>> {
    let rows: Vec<(String, String, bool, Option<i64>)> = ledger_entries::table
        .inner_join(
            organisations::table.on(organisations::id.nullable().eq(ledger_entries::donor_id)),
        )
        .filter(ledger_entries::fund_id.eq(fund_id))
        .filter(ledger_entries::kind.eq(EntryKind::Receipt))
        .filter(ledger_entries::value_date.between(from, to))
        .select((
            organisations::id,
            organisations::name,
            organisations::listed_anonymously,
            ledger_entries::base_amount_minor,
        ))
        .load(conn)?;
    let mut donors: Vec<DonorReceipts> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (id, name, listed_anonymously, base) in rows {
        let base = base.unwrap_or(0);
        match index.get(&id) {
            Some(&i) => donors[i].received += base,
            None => {
                index.insert(id.clone(), donors.len());
                donors.push(DonorReceipts {
                    id,
                    name,
                    listed_anonymously,
                    received: base,
                });
            }
        }
    }
    Ok(donors)
}

/// Disbursed in [from, to] by value date, base currency minor units (refunds and
/// reversals netted).
pub fn disbursed(
    conn: &mut DbConn,
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<i64> {
    let amounts: Vec<Option<i64>> = ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id))
        .filter(ledger_entries::kind.eq(EntryKind::Disbursement))
        .filter(ledger_entries::value_date.between(from, to))
        .select(ledger_entries::base_amount_minor)
        .load(conn)?;
    Ok(amounts.into_iter().flatten().sum())
}

/// Grants whose first commitment (the board's decision, as the open-data files date the
/// award: `opendata::rules::award_date`) falls in [from, to].
pub fn awards(
    conn: &mut DbConn,
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<AwardRecord>> {
    let commitments: Vec<(Option<String>, NaiveDate)> = ledger_entries::table
        .filter(ledger_entries::fund_id.eq(fund_id))
        .filter(ledger_entries::kind.eq(EntryKind::Commitment))
        .filter(ledger_entries::source_kind.eq(Entity::Grant))
        .filter(ledger_entries::amount_minor.gt(0))
        .filter(ledger_entries::value_date.le(to))
        .select((ledger_entries::source_id, ledger_entries::value_date))
        .load(conn)?;
    let mut first: HashMap<String, NaiveDate> = HashMap::new();
    for (grant, day) in commitments {
        if let Some(grant) = grant {
            let earliest = first.entry(grant).or_insert(day);
            *earliest = (*earliest).min(day);
        }
    }
    let in_year: Vec<String> = first
        .iter()
        .filter(|(_, day)| **day >= from)
        .map(|(grant, _)| grant.clone())
        .collect();
    if in_year.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<AwardRow> = grants::table
        .inner_join(organisations::table.on(organisations::id.eq(grants::organisation_id)))
        .filter(grants::id.eq_any(&in_year))
        .select((
            grants::id,
            grants::application_id,
            grants::reference,
            grants::title,
            grants::base_amount_minor,
            grants::status,
            organisations::name,
            organisations::protected,
        ))
        .load(conn)?;
    let applications: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
    let mut country: HashMap<String, (i32, String)> = HashMap::new();
    for (application, position, code) in application_countries::table
        .filter(application_countries::application_id.eq_any(&applications))
        .select((
            application_countries::application_id,
            application_countries::position,
            application_countries::country,
        ))
        .load::<(String, i32, String)>(conn)?
    {
        match country.get(&application) {
            Some((p, _)) if *p <= position => {}
            _ => {
                country.insert(application, (position, code));
            }
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, application, reference, title, base_amount, status, grantee, protected)| {
                AwardRecord {
                    awarded_on: first.get(&id).copied().unwrap_or(from),
                    country: country.get(&application).map(|(_, c)| c.clone()),
                    reference,
                    title,
                    grantee,
                    grantee_protected: protected,
                    base_amount,
                    status,
                }
            },
        )
        .collect())
}

/// Narratives the secretariat cleared, of accepted reports whose period ended in
/// [from, to].
pub fn cleared_narratives(
    conn: &mut DbConn,
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> QueryResult<Vec<NarrativeRecord>> {
    let rows: Vec<NarrativeRow> = grant_reports::table
        .inner_join(grants::table.on(grants::id.eq(grant_reports::grant_id)))
        .inner_join(organisations::table.on(organisations::id.eq(grants::organisation_id)))
        .filter(grant_reports::fund_id.eq(fund_id))
        .filter(grant_reports::status.eq(ReportStatus::Accepted))
        .filter(grant_reports::narrative_cleared_at.is_not_null())
        .filter(grant_reports::period_end.between(from, to))
        .select((
            grants::reference,
            grants::title,
            organisations::name,
            organisations::protected,
            grant_reports::kind,
            grant_reports::period_start,
            grant_reports::period_end,
            grant_reports::narrative,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                grant_reference,
                grant_title,
                grantee,
                grantee_protected,
                kind,
                period_start,
                period_end,
                narrative,
            )| NarrativeRecord {
                grant_reference,
                grant_title,
                grantee,
                grantee_protected,
                kind,
                period_start,
                period_end,
                narrative,
            },
        )
        .filter(|n| !n.narrative.trim().is_empty())
        .collect())
}
