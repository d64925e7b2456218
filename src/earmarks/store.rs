//! Queries of earmarked money: restricted contributions, the draws of approvals on them,
//! and the balances fund status and donors read. Every write runs under the fund's lock.

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::rules::{Draw, Drawn, Pot};
use crate::db::DbConn;
use crate::db::schema::{grant_draws, grants, organisations, restricted_funds};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = restricted_funds)]
pub struct RestrictedRow {
    pub contribution_id: String,
    pub fund_id: String,
    pub donor_id: String,
    pub earmark: String,
    pub received_on: NaiveDate,
    pub amount_minor: i64,
    pub remaining_minor: i64,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = grant_draws)]
pub struct DrawRow {
    pub id: String,
    pub grant_id: String,
    pub fund_id: String,
    pub position: i32,
    pub contribution_id: Option<String>,
    pub earmark: Option<String>,
    pub amount_minor: i64,
    pub returned_minor: i64,
}

pub fn insert_restricted(conn: &mut DbConn, row: &RestrictedRow) -> QueryResult<()> {
    diesel::insert_into(restricted_funds::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// The fund's earmarked money not yet drawn, oldest first: the pots an approval may use.
pub fn open_pots(conn: &mut DbConn, fund_id: &str) -> QueryResult<Vec<Pot>> {
    let rows = restricted_funds::table
        .filter(restricted_funds::fund_id.eq(fund_id))
        .filter(restricted_funds::remaining_minor.gt(0))
        .order((
            restricted_funds::received_on.asc(),
            restricted_funds::contribution_id.asc(),
        ))
        .select((
            restricted_funds::contribution_id,
            restricted_funds::earmark,
            restricted_funds::remaining_minor,
        ))
        .load::<(String, String, i64)>(conn)?;
    Ok(rows
        .into_iter()
        .map(|(contribution_id, earmark, remaining)| Pot {
            contribution_id,
            earmark,
            remaining,
        })
        .collect())
}

/// Records an approval's draws and takes the earmarked ones out of their pots.
pub fn record_draws(
    conn: &mut DbConn,
    fund_id: &str,
    grant_id: &str,
    draws: &[Draw],
) -> QueryResult<()> {
    for (i, draw) in draws.iter().enumerate() {
        diesel::insert_into(grant_draws::table)
            .values(DrawRow {
                id: uuid::Uuid::now_v7().to_string(),
                grant_id: grant_id.to_string(),
                fund_id: fund_id.to_string(),
                position: i32::try_from(i + 1).unwrap_or(i32::MAX),
                contribution_id: draw.contribution_id.clone(),
                earmark: draw.earmark.clone(),
                amount_minor: draw.amount,
                returned_minor: 0,
            })
            .execute(conn)?;
        if let Some(contribution_id) = &draw.contribution_id {
            move_remaining(conn, contribution_id, -draw.amount)?;
        }
    }
    Ok(())
}

fn move_remaining(conn: &mut DbConn, contribution_id: &str, by: i64) -> QueryResult<()> {
    diesel::update(restricted_funds::table.find(contribution_id))
        .set(restricted_funds::remaining_minor.eq(restricted_funds::remaining_minor + by))
        .execute(conn)
        .map(|_| ())
}

/// A grant's draws in the order they were taken.
pub fn draws_of_grant(conn: &mut DbConn, grant_id: &str) -> QueryResult<Vec<DrawRow>> {
    grant_draws::table
        .filter(grant_draws::grant_id.eq(grant_id))
        .order(grant_draws::position.asc())
        .select(DrawRow::as_select())
        .load(conn)
}

impl DrawRow {
    pub fn drawn(&self) -> Drawn {
        Drawn {
            amount: self.amount_minor,
            returned: self.returned_minor,
        }
    }
}

/// Returns `amount` to one draw and, when it was earmarked, to its pot.
pub fn return_to(conn: &mut DbConn, draw: &DrawRow, amount: i64) -> QueryResult<()> {
    diesel::update(grant_draws::table.find(&draw.id))
        .set(grant_draws::returned_minor.eq(grant_draws::returned_minor + amount))
        .execute(conn)?;
    if let Some(contribution_id) = &draw.contribution_id {
        move_remaining(conn, contribution_id, amount)?;
    }
    Ok(())
}

/// Per earmark of a fund: what was received (net of support cost) and what is left.
pub fn balances(conn: &mut DbConn, fund_id: &str) -> QueryResult<Vec<(String, i64, i64)>> {
    restricted_funds::table
        .filter(restricted_funds::fund_id.eq(fund_id))
        .group_by(restricted_funds::earmark)
        .order(restricted_funds::earmark.asc())
        .select((
            restricted_funds::earmark,
            sql::<BigInt>("CAST(SUM(amount_minor) AS BIGINT)"),
            sql::<BigInt>("CAST(SUM(remaining_minor) AS BIGINT)"),
        ))
        .load(conn)
}

/// A donor's earmarked contributions, of one fund or all, oldest first.
pub fn of_donor(
    conn: &mut DbConn,
    donor_id: &str,
    fund_id: Option<&str>,
) -> QueryResult<Vec<RestrictedRow>> {
    let mut query = restricted_funds::table
        .filter(restricted_funds::donor_id.eq(donor_id.to_string()))
        .select(RestrictedRow::as_select())
        .into_boxed();
    if let Some(fund_id) = fund_id {
        query = query.filter(restricted_funds::fund_id.eq(fund_id.to_string()));
    }
    query
        .order((
            restricted_funds::received_on.asc(),
            restricted_funds::contribution_id.asc(),
        ))
        .load(conn)
}

/// What one draw on a contribution paid for, as a donor reads it.
#[derive(Debug, Clone, Queryable)]
pub struct FundedGrant {
    pub contribution_id: Option<String>,
    pub grant_id: String,
    pub reference: String,
    pub title: String,
    pub grantee_name: String,
    pub grantee_protected: bool,
    pub amount_minor: i64,
    pub returned_minor: i64,
}

/// The grants the given contributions paid for, in the order they were approved.
pub fn grants_funded_by(
    conn: &mut DbConn,
    contribution_ids: &[String],
) -> QueryResult<Vec<FundedGrant>> {
    if contribution_ids.is_empty() {
        return Ok(Vec::new());
    }
    grant_draws::table
        .inner_join(grants::table.inner_join(organisations::table))
        .filter(grant_draws::contribution_id.eq_any(contribution_ids))
        .order((grants::id.asc(), grant_draws::position.asc()))
        .select((
            grant_draws::contribution_id,
            grants::id,
            grants::reference,
            grants::title,
            organisations::name,
            organisations::protected,
            grant_draws::amount_minor,
            grant_draws::returned_minor,
        ))
        .load(conn)
}
