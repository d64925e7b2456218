//! Queries of pledges and contributions. Their money lives in the ledger; these rows hold
//! what describes it (donor, dates, event, reference) and the version of a pledge.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{ContributionView, NewPledge, PledgeView};
use super::rules::{self, PledgeLedger};
use crate::db::DbConn;
use crate::db::schema::{contributions, pledges};
use crate::error::{AppError, AppResult};
use crate::exchange::RateSource;
use crate::http::Page;
use crate::ledger::model::parse_currency;
use crate::money::Money;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = pledges)]
pub struct PledgeRow {
    pub id: String,
    pub fund_id: String,
    pub donor_id: String,
    pub amount_minor: i64,
    pub currency: String,
    pub pledged_on: NaiveDate,
    pub event: Option<String>,
    pub earmark: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub cancellation_reason: Option<String>,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl PledgeRow {
    pub fn into_view(self, ledger: PledgeLedger, today: NaiveDate) -> AppResult<PledgeView> {
        let currency = parse_currency(&self.currency)?;
        let status = rules::pledge_status(self.amount_minor, ledger);
        let shown = |minor: i64| Money::from_minor(minor, currency).amount_string();
        Ok(PledgeView {
            amount: shown(self.amount_minor),
            paid: shown(ledger.paid),
            outstanding: shown(ledger.outstanding()),
            overdue: rules::overdue(status, self.due_on, today),
            status,
            currency,
            id: self.id,
            fund_id: self.fund_id,
            donor_id: self.donor_id,
            pledged_on: self.pledged_on,
            event: self.event,
            earmark: self.earmark,
            due_on: self.due_on,
            cancelled_at: self.cancelled_at.map(|t| t.and_utc()),
            cancellation_reason: self.cancellation_reason,
            version: self.version,
            created_by: self.created_by,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

pub fn insert_pledge(
    conn: &mut DbConn,
    fund_id: &str,
    new: &NewPledge,
    created_by: Option<String>,
) -> QueryResult<PledgeRow> {
    let now = Utc::now().naive_utc();
    let row = PledgeRow {
        id: uuid::Uuid::now_v7().to_string(),
        fund_id: fund_id.to_string(),
        donor_id: new.donor_id.clone(),
        amount_minor: new.amount.minor_units(),
        currency: new.amount.currency().code().to_string(),
        pledged_on: new.pledged_on,
        event: new.event.clone(),
        earmark: new.earmark.clone(),
        due_on: new.due_on,
        cancelled_at: None,
        cancellation_reason: None,
        version: 1,
        created_by,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(pledges::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

pub fn find_pledge(conn: &mut DbConn, id: &str) -> QueryResult<Option<PledgeRow>> {
    pledges::table
        .find(id)
        .select(PledgeRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn list_pledges(
    conn: &mut DbConn,
    fund_id: &str,
    donor_id: Option<&str>,
    page: &Page,
) -> QueryResult<Vec<PledgeRow>> {
    let mut query = pledges::table
        .filter(pledges::fund_id.eq(fund_id.to_string()))
        .select(PledgeRow::as_select())
        .into_boxed();
    if let Some(donor) = donor_id {
        query = query.filter(pledges::donor_id.eq(donor.to_string()));
    }
    if let Some(after) = &page.after {
        query = query.filter(pledges::id.gt(after.clone()));
    }
    query
        .order(pledges::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

/// The pledge's row, locked until the transaction ends (after its fund's lock).
pub fn find_pledge_locked(conn: &mut DbConn, id: &str) -> QueryResult<Option<PledgeRow>> {
    crate::db::first_locked!(
        conn,
        pledges::table
            .filter(pledges::id.eq(id))
            .select(PledgeRow::as_select())
    )
}

/// Saves the pledge's cancellation if it is still at `before`'s version (compare-and-swap).
pub fn save_pledge(conn: &mut DbConn, before: &PledgeRow, next: &PledgeRow) -> QueryResult<bool> {
    let updated = diesel::update(
        pledges::table
            .filter(pledges::id.eq(&before.id))
            .filter(pledges::version.eq(before.version)),
    )
    .set((
        pledges::cancelled_at.eq(next.cancelled_at),
        pledges::cancellation_reason.eq(&next.cancellation_reason),
        pledges::version.eq(next.version),
        pledges::updated_at.eq(next.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// A payment changes what a pledge shows (paid, outstanding, status): its version moves on
/// so that an ETag read before the payment is stale.
pub fn bump_pledge_version(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(pledges::table.filter(pledges::id.eq(id)))
        .set((
            pledges::version.eq(pledges::version + 1),
            pledges::updated_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// What the ledger holds for each pledge.
pub fn pledge_ledgers(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, PledgeLedger>> {
    Ok(crate::ledger::store::pledge_sums(conn, ids)?
        .into_iter()
        .map(|(id, (pledged, paid))| (id, PledgeLedger { pledged, paid }))
        .collect())
}

/// Pledge rows with their ledger-derived status.
pub fn pledge_views(
    conn: &mut DbConn,
    rows: Vec<PledgeRow>,
    today: NaiveDate,
) -> AppResult<Vec<PledgeView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let ledgers = pledge_ledgers(conn, &ids)?;
    rows.into_iter()
        .map(|row| {
            let ledger = ledgers.get(&row.id).copied().unwrap_or_default();
            row.into_view(ledger, today)
        })
        .collect()
}

pub fn pledge_view(conn: &mut DbConn, row: PledgeRow, today: NaiveDate) -> AppResult<PledgeView> {
    pledge_views(conn, vec![row], today)?
        .pop()
        .ok_or_else(|| AppError::internal("pledge view lost"))
}

/// A pledge on the queue of overdue ones: its view (status and amounts from the ledger)
/// with its donor's and fund's names.
#[derive(Debug, Clone)]
pub struct OverduePledge {
    pub view: PledgeView,
    pub donor_name: String,
    pub fund_name: String,
}

/// How many pledges due before today are read at a time while looking for overdue ones.
const OVERDUE_BATCH: i64 = 200;

/// The pledges overdue on `today` (`rules::overdue`, on the status the ledger gives them),
/// the earliest due first, at most `limit`. Pledges due before today and not cancelled are
/// read in batches by due day, each batch valued in one ledger query, until `limit`
/// overdue ones are found: paid pledges long past their day never hide later ones.
pub fn overdue_pledges(
    conn: &mut DbConn,
    today: NaiveDate,
    limit: usize,
) -> AppResult<Vec<OverduePledge>> {
    use crate::db::schema::{funds, organisations};
    let mut found = Vec::new();
    let mut after: Option<(NaiveDate, String)> = None;
    while found.len() < limit {
        let mut query = pledges::table
            .inner_join(organisations::table.on(organisations::id.eq(pledges::donor_id)))
            .inner_join(funds::table.on(funds::id.eq(pledges::fund_id)))
            .filter(pledges::due_on.lt(today))
            .filter(pledges::cancelled_at.is_null())
            .select((PledgeRow::as_select(), organisations::name, funds::name))
            .into_boxed();
        if let Some((due, id)) = &after {
            query = query.filter(
                pledges::due_on
                    .gt(*due)
                    .or(pledges::due_on.eq(*due).and(pledges::id.gt(id.clone()))),
            );
        }
        let batch: Vec<(PledgeRow, String, String)> = query
            .order((pledges::due_on.asc(), pledges::id.asc()))
            .limit(OVERDUE_BATCH)
            .load(conn)?;
        let Some((last, _, _)) = batch.last() else {
            break;
        };
        after = last.due_on.map(|due| (due, last.id.clone()));
        let full = i64::try_from(batch.len()).unwrap_or(i64::MAX) == OVERDUE_BATCH;
        let (rows, names): (Vec<PledgeRow>, Vec<(String, String)>) = batch
            .into_iter()
            .map(|(row, donor, fund)| (row, (donor, fund)))
            .unzip();
        let views = pledge_views(conn, rows, today)?;
        found.extend(
            views
                .into_iter()
                .zip(names)
                .filter(|(view, _)| view.overdue)
                .map(|(view, (donor_name, fund_name))| OverduePledge {
                    view,
                    donor_name,
                    fund_name,
                }),
        );
        if !full {
            break;
        }
    }
    found.truncate(limit);
    Ok(found)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = contributions)]
pub struct ContributionRow {
    pub id: String,
    pub fund_id: String,
    pub donor_id: String,
    pub pledge_id: Option<String>,
    pub split_of: Option<String>,
    pub amount_minor: i64,
    pub currency: String,
    pub received_on: NaiveDate,
    pub reference: String,
    pub exchange_rate: String,
    pub rate_source: RateSource,
    pub base_amount_minor: i64,
    pub base_currency: String,
    pub support_cost_rate: String,
    pub support_cost_minor: i64,
    pub version: i64,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub earmark: Option<String>,
}

impl ContributionRow {
    pub fn into_view(self) -> AppResult<ContributionView> {
        let currency = parse_currency(&self.currency)?;
        let base_currency = parse_currency(&self.base_currency)?;
        Ok(ContributionView {
            amount: Money::from_minor(self.amount_minor, currency).amount_string(),
            base_amount: Money::from_minor(self.base_amount_minor, base_currency).amount_string(),
            support_cost: Money::from_minor(self.support_cost_minor, base_currency).amount_string(),
            exchange_rate_source: self.rate_source,
            currency,
            base_currency,
            id: self.id,
            fund_id: self.fund_id,
            donor_id: self.donor_id,
            pledge_id: self.pledge_id,
            split_of: self.split_of,
            received_on: self.received_on,
            reference: self.reference,
            exchange_rate: self.exchange_rate,
            support_cost_rate: self.support_cost_rate,
            earmark: self.earmark,
            version: self.version,
            created_by: self.created_by,
            created_at: self.created_at.and_utc(),
            split: None,
        })
    }
}

pub fn insert_contribution(conn: &mut DbConn, row: &ContributionRow) -> QueryResult<()> {
    diesel::insert_into(contributions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_contribution(conn: &mut DbConn, id: &str) -> QueryResult<Option<ContributionRow>> {
    contributions::table
        .find(id)
        .select(ContributionRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn list_contributions(
    conn: &mut DbConn,
    fund_id: &str,
    donor_id: Option<&str>,
    pledge_id: Option<&str>,
    page: &Page,
) -> QueryResult<Vec<ContributionRow>> {
    let mut query = contributions::table
        .filter(contributions::fund_id.eq(fund_id.to_string()))
        .select(ContributionRow::as_select())
        .into_boxed();
    if let Some(donor) = donor_id {
        query = query.filter(contributions::donor_id.eq(donor.to_string()));
    }
    if let Some(pledge) = pledge_id {
        query = query.filter(contributions::pledge_id.eq(pledge.to_string()));
    }
    if let Some(after) = &page.after {
        query = query.filter(contributions::id.gt(after.clone()));
    }
    query
        .order(contributions::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

/// How many donors the staff's list of donors shows.
pub const DONORS_LISTED: i64 = 500;

/// The organisations that pledged or gave to any fund, by name: (id, name).
pub fn donors(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    use crate::db::schema::organisations;
    let pledged = pledges::table.select(pledges::donor_id);
    let gave = contributions::table.select(contributions::donor_id);
    organisations::table
        .filter(
            organisations::id
                .eq_any(pledged)
                .or(organisations::id.eq_any(gave)),
        )
        .select((organisations::id, organisations::name))
        .order((organisations::name.asc(), organisations::id.asc()))
        .limit(DONORS_LISTED)
        .load(conn)
}
