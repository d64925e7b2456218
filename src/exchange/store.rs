//! Queries of exchange rates.

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use rust_decimal::Decimal;

use super::model::{ExchangeRateView, NewExchangeRate, RateFilter};
use crate::db::DbConn;
use crate::db::schema::exchange_rates;
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::money::{Currency, parse_decimal};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = exchange_rates)]
pub struct RateRow {
    pub id: String,
    pub currency: String,
    pub base_currency: String,
    pub rate: String,
    pub valid_from: NaiveDate,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl RateRow {
    pub fn rate(&self) -> AppResult<Decimal> {
        parse_decimal(&self.rate)
            .map_err(|e| AppError::internal(format!("exchange rate {}: {e}", self.id)))
    }

    pub fn table_rate(&self) -> AppResult<super::rules::TableRate> {
        Ok(super::rules::TableRate {
            rate: self.rate()?,
            valid_from: self.valid_from,
        })
    }

    pub fn into_view(self) -> AppResult<ExchangeRateView> {
        let parse = |c: &str| {
            Currency::parse(c).map_err(|e| AppError::internal(format!("exchange rate: {e}")))
        };
        Ok(ExchangeRateView {
            currency: parse(&self.currency)?,
            base_currency: parse(&self.base_currency)?,
            id: self.id,
            rate: self.rate,
            valid_from: self.valid_from,
            created_by: self.created_by,
            created_at: self.created_at.and_utc(),
        })
    }
}

pub fn insert(
    conn: &mut DbConn,
    new: &NewExchangeRate,
    created_by: Option<String>,
) -> QueryResult<RateRow> {
    let row = RateRow {
        id: uuid::Uuid::now_v7().to_string(),
        currency: new.currency.code().to_string(),
        base_currency: new.base_currency.code().to_string(),
        rate: new.rate.normalize().to_string(),
        valid_from: new.valid_from,
        created_by,
        created_at: Utc::now().naive_utc(),
    };
    diesel::insert_into(exchange_rates::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

pub fn find_pair_on_day(
    conn: &mut DbConn,
    currency: Currency,
    base: Currency,
    valid_from: NaiveDate,
) -> QueryResult<Option<RateRow>> {
    exchange_rates::table
        .filter(exchange_rates::currency.eq(currency.code()))
        .filter(exchange_rates::base_currency.eq(base.code()))
        .filter(exchange_rates::valid_from.eq(valid_from))
        .select(RateRow::as_select())
        .first(conn)
        .optional()
}

/// The rate of `currency` into `base` valid on `day`: the latest one starting on or before it.
pub fn valid_on(
    conn: &mut DbConn,
    currency: Currency,
    base: Currency,
    day: NaiveDate,
) -> QueryResult<Option<RateRow>> {
    exchange_rates::table
        .filter(exchange_rates::currency.eq(currency.code()))
        .filter(exchange_rates::base_currency.eq(base.code()))
        .filter(exchange_rates::valid_from.le(day))
        .order(exchange_rates::valid_from.desc())
        .select(RateRow::as_select())
        .first(conn)
        .optional()
}

/// Rates in creation order, filtered by currency and base currency.
pub fn list(conn: &mut DbConn, filter: &RateFilter, page: &Page) -> QueryResult<Vec<RateRow>> {
    let mut query = exchange_rates::table
        .select(RateRow::as_select())
        .into_boxed();
    if let Some(c) = filter.currency {
        query = query.filter(exchange_rates::currency.eq(c.code()));
    }
    if let Some(b) = filter.base_currency {
        query = query.filter(exchange_rates::base_currency.eq(b.code()));
    }
    if let Some(after) = &page.after {
        query = query.filter(exchange_rates::id.gt(after.clone()));
    }
    query
        .order(exchange_rates::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

/// For every pair matching the filter, the rate valid on `day`.
pub fn all_valid_on(
    conn: &mut DbConn,
    filter: &RateFilter,
    day: NaiveDate,
) -> QueryResult<Vec<RateRow>> {
    let mut query = exchange_rates::table
        .filter(exchange_rates::valid_from.le(day))
        .select(RateRow::as_select())
        .into_boxed();
    if let Some(c) = filter.currency {
        query = query.filter(exchange_rates::currency.eq(c.code()));
    }
    if let Some(b) = filter.base_currency {
        query = query.filter(exchange_rates::base_currency.eq(b.code()));
    }
    let rows: Vec<RateRow> = query
        .order((
            exchange_rates::currency.asc(),
            exchange_rates::base_currency.asc(),
            exchange_rates::valid_from.desc(),
        ))
        .load(conn)?;
    let mut latest: Vec<RateRow> = Vec::new();
    for row in rows {
        let same_pair = latest
            .last()
            .is_some_and(|l| l.currency == row.currency && l.base_currency == row.base_currency);
        if !same_pair {
            latest.push(row);
        }
    }
    Ok(latest)
}
