//! The facts behind predictability, read from what the fund already holds: pledges and the
//! contributions against them, unpledged contributions, instalments and their paid
//! disbursements. One query per kind of row.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::rules::{InstalmentFact, PledgeFact, UnpledgedFact};
use crate::db::DbConn;
use crate::db::schema::{
    contributions, disbursements, grant_instalments, grants, organisations, pledges,
};
use crate::disbursements::model::DisbursementStatus;
use crate::error::AppResult;
use crate::grants::model::GrantStatus;
use crate::ledger::model::parse_currency;

/// Pledges that stand (not cancelled) with their receipts, and unpledged money, of the
/// fund; of one donor when `donor_id` is given.
pub fn donor_facts(
    conn: &mut DbConn,
    fund_id: &str,
    donor_id: Option<&str>,
) -> AppResult<(Vec<PledgeFact>, Vec<UnpledgedFact>)> {
    let mut pledge_query = pledges::table
        .inner_join(organisations::table.on(organisations::id.eq(pledges::donor_id)))
        .filter(pledges::fund_id.eq(fund_id))
        .filter(pledges::cancelled_at.is_null())
        .select((
            pledges::id,
            pledges::donor_id,
            organisations::name,
            pledges::currency,
            pledges::amount_minor,
            pledges::pledged_on,
            pledges::due_on,
        ))
        .into_boxed();
    let mut contribution_query = contributions::table
        .inner_join(organisations::table.on(organisations::id.eq(contributions::donor_id)))
        .filter(contributions::fund_id.eq(fund_id))
        .select((
            contributions::pledge_id,
            contributions::donor_id,
            organisations::name,
            contributions::currency,
            contributions::amount_minor,
            contributions::received_on,
        ))
        .into_boxed();
    if let Some(donor) = donor_id {
        pledge_query = pledge_query.filter(pledges::donor_id.eq(donor.to_string()));
        contribution_query =
            contribution_query.filter(contributions::donor_id.eq(donor.to_string()));
    }
    type PledgeRow = (
        String,
        String,
        String,
        String,
        i64,
        NaiveDate,
        Option<NaiveDate>,
    );
    type ContributionRow = (Option<String>, String, String, String, i64, NaiveDate);
    let pledge_rows: Vec<PledgeRow> = pledge_query.load(conn)?;
    let contribution_rows: Vec<ContributionRow> = contribution_query.load(conn)?;
    let mut receipts: HashMap<String, Vec<(NaiveDate, i64)>> = HashMap::new();
    let mut unpledged = Vec::new();
    for (pledge, donor_id, donor_name, currency, amount, received_on) in contribution_rows {
        match pledge {
            Some(pledge) => receipts
                .entry(pledge)
                .or_default()
                .push((received_on, amount)),
            None => unpledged.push(UnpledgedFact {
                donor_id,
                donor_name,
                currency: parse_currency(&currency)?,
                amount_minor: amount,
                received_on,
            }),
        }
    }
    let pledges = pledge_rows
        .into_iter()
        .map(
            |(id, donor_id, donor_name, currency, amount, pledged_on, due_on)| {
                Ok(PledgeFact {
                    receipts: receipts.remove(&id).unwrap_or_default(),
                    donor_id,
                    donor_name,
                    currency: parse_currency(&currency)?,
                    amount_minor: amount,
                    pledged_on,
                    due_on,
                })
            },
        )
        .collect::<AppResult<Vec<_>>>()?;
    Ok((pledges, unpledged))
}

/// Every instalment of the fund's grants with its paid disbursements. A terminated grant's
/// instalments that were never paid are left out: the board ended them, nobody waits.
pub fn instalment_facts(conn: &mut DbConn, fund_id: &str) -> AppResult<Vec<InstalmentFact>> {
    type Row = (
        String,
        String,
        String,
        String,
        GrantStatus,
        String,
        i32,
        NaiveDate,
        i64,
        String,
    );
    let rows: Vec<Row> = grant_instalments::table
        .inner_join(grants::table.on(grants::id.eq(grant_instalments::grant_id)))
        .inner_join(organisations::table.on(organisations::id.eq(grants::organisation_id)))
        .filter(grants::fund_id.eq(fund_id))
        .select((
            grant_instalments::id,
            grants::id,
            grants::reference,
            organisations::name,
            grants::status,
            grants::currency,
            grant_instalments::position,
            grant_instalments::due_on,
            grant_instalments::amount_minor,
            grant_instalments::condition,
        ))
        .load(conn)?;
    let mut payments: HashMap<String, Vec<(NaiveDate, i64)>> = HashMap::new();
    for (instalment, paid_on, amount) in disbursements::table
        .filter(disbursements::fund_id.eq(fund_id))
        .filter(disbursements::status.eq(DisbursementStatus::Paid))
        .select((
            disbursements::instalment_id,
            disbursements::paid_on,
            disbursements::amount_minor,
        ))
        .load::<(String, Option<NaiveDate>, i64)>(conn)?
    {
        if let Some(day) = paid_on {
            payments.entry(instalment).or_default().push((day, amount));
        }
    }
    let mut facts = Vec::with_capacity(rows.len());
    for (id, grant_id, reference, grantee, status, currency, position, due_on, amount, condition) in
        rows
    {
        let paid = payments.remove(&id).unwrap_or_default();
        if status == GrantStatus::Terminated && paid.is_empty() {
            continue;
        }
        facts.push(InstalmentFact {
            grant_id,
            reference,
            grantee,
            currency: parse_currency(&currency)?,
            position,
            due_on,
            amount_minor: amount,
            condition,
            payments: paid,
        });
    }
    Ok(facts)
}
