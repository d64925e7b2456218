//! Queries behind the public fund figures: the fund by id or code, what each donor gave
//! (from the ledger's running totals), the grants with their first country and theme, and
//! money in and out per month (from the ledger entries). All read in one snapshot.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::rules::{DonorReceipts, FundKey, GrantFacts, MonthFlow};
use crate::db::schema::{
    application_countries, application_themes, grants, ledger_totals, organisations,
};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::funds::store::FundRow;
use crate::grants::model::GrantStatus;
use crate::ledger::rules::{Bucket, EntryKind};
use crate::ledger::store::WHOLE_FUND;

pub fn find_fund(conn: &mut DbConn, key: &FundKey) -> QueryResult<Option<FundRow>> {
    match key {
        FundKey::Id(id) => crate::funds::store::find(conn, id),
        FundKey::Code(code) => crate::funds::store::find_by_code(conn, code),
    }
}

/// What each donor gave the fund, in base currency: the `received` running totals per
/// donor (every currency), with the donor's name and whether it is listed anonymously.
pub fn donor_receipts(conn: &mut DbConn, fund_id: &str) -> AppResult<Vec<DonorReceipts>> {
    let rows: Vec<(String, String, bool, i64)> = ledger_totals::table
        .inner_join(organisations::table.on(organisations::id.eq(ledger_totals::donor_id)))
        .filter(ledger_totals::fund_id.eq(fund_id))
        .filter(ledger_totals::donor_id.ne(WHOLE_FUND))
        .filter(ledger_totals::bucket.eq(Bucket::Received.as_str()))
        .select((
            organisations::id,
            organisations::name,
            organisations::listed_anonymously,
            ledger_totals::base_amount_minor,
        ))
        .load(conn)?;
    let mut by_donor: Vec<DonorReceipts> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (id, name, listed_anonymously, base) in rows {
        match index.get(&id) {
            Some(i) => by_donor[*i].received += base,
            None => {
                index.insert(id.clone(), by_donor.len());
                by_donor.push(DonorReceipts {
                    id,
                    name,
                    listed_anonymously,
                    received: base,
                });
            }
        }
    }
    Ok(by_donor)
}

/// The fund's grants with the first country and first theme of their applications.
pub fn grant_facts(conn: &mut DbConn, fund_id: &str) -> AppResult<Vec<GrantFacts>> {
    let rows: Vec<(String, i64, GrantStatus)> = grants::table
        .filter(grants::fund_id.eq(fund_id))
        .order(grants::id.asc())
        .select((
            grants::application_id,
            grants::base_amount_minor,
            grants::status,
        ))
        .load(conn)?;
    let first_country = firsts(
        grants::table
            .inner_join(
                application_countries::table
                    .on(application_countries::application_id.eq(grants::application_id)),
            )
            .filter(grants::fund_id.eq(fund_id))
            .select((
                application_countries::application_id,
                application_countries::position,
                application_countries::country,
            ))
            .load(conn)?,
    );
    let first_theme = firsts(
        grants::table
            .inner_join(
                application_themes::table
                    .on(application_themes::application_id.eq(grants::application_id)),
            )
            .filter(grants::fund_id.eq(fund_id))
            .select((
                application_themes::application_id,
                application_themes::position,
                application_themes::theme,
            ))
            .load(conn)?,
    );
    rows.into_iter()
        .map(|(application_id, base_amount, status)| {
            Ok(GrantFacts {
                base_amount,
                status,
                country: first_country.get(&application_id).cloned(),
                theme: first_theme.get(&application_id).cloned(),
            })
        })
        .collect()
}

/// Per application, the value at the lowest position.
fn firsts(rows: Vec<(String, i32, String)>) -> HashMap<String, String> {
    let mut best: HashMap<String, (i32, String)> = HashMap::new();
    for (application, position, value) in rows {
        match best.get(&application) {
            Some((p, _)) if *p <= position => {}
            _ => {
                best.insert(application, (position, value));
            }
        }
    }
    best.into_iter().map(|(a, (_, v))| (a, v)).collect()
}

#[derive(QueryableByName)]
struct MonthRow {
    #[diesel(sql_type = Integer)]
    year: i32,
    #[diesel(sql_type = Integer)]
    month: i32,
    #[diesel(sql_type = Text)]
    kind: EntryKind,
    #[diesel(sql_type = BigInt)]
    total: i64,
}

/// Money received and disbursed per month of value date, base currency, summed in SQL.
/// Reversals are entries of the same kind with the opposite sign, so they net out; the
/// sums over all months equal the fund's `received` and `disbursed` totals.
pub fn money_by_month(conn: &mut DbConn, fund_id: &str) -> AppResult<Vec<MonthFlow>> {
    let dialect = db::dialect(conn);
    let (year, month) = dialect.pick(
        (
            "CAST(strftime('%Y', value_date) AS INTEGER)",
            "CAST(strftime('%m', value_date) AS INTEGER)",
        ),
        (
            "CAST(EXTRACT(YEAR FROM value_date) AS INTEGER)",
            "CAST(EXTRACT(MONTH FROM value_date) AS INTEGER)",
        ),
    );
    let (p1, p2, p3) = dialect.pick(("?", "?", "?"), ("$1", "$2", "$3"));
    let sql = format!(
        "SELECT {year} AS year, {month} AS month, kind, \
         CAST(COALESCE(SUM(base_amount_minor), 0) AS BIGINT) AS total \
         FROM ledger_entries \
         WHERE fund_id = {p1} AND kind IN ({p2}, {p3}) \
         GROUP BY {year}, {month}, kind"
    );
    let rows: Vec<MonthRow> = db::with_backend!(conn, |c| diesel::sql_query(&sql)
        .bind::<Text, _>(fund_id)
        .bind::<Text, _>(EntryKind::Receipt)
        .bind::<Text, _>(EntryKind::Disbursement)
        .load(c))?;
    let mut months: std::collections::BTreeMap<(i32, u32), (i64, i64)> = Default::default();
    for row in rows {
        let month = u32::try_from(row.month)
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| AppError::internal(format!("ledger month {}", row.month)))?;
        let flow = months.entry((row.year, month)).or_default();
        if row.kind == EntryKind::Receipt {
            flow.0 += row.total;
        } else {
            flow.1 += row.total;
        }
    }
    let months = months
        .into_iter()
        .map(|((year, month), (received, disbursed))| MonthFlow {
            year,
            month,
            received,
            disbursed,
        })
        .collect();
    Ok(months)
}
