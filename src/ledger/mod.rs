//! The ledger: every money movement of a fund as an immutable entry (pledge, receipt,
//! programme support cost, commitment, disbursement, refund, and reversals of them), with
//! running totals per fund, per fund and currency, and per donor, moved in the same
//! transaction as each entry. Fund status reads those totals, never the entries.
//!
//! Features that move money call `lock_fund` and then `post` inside their transaction.

pub mod model;
pub mod rules;
pub mod store;

use actix_web::get;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::funds::store::FundRow;
use crate::http::{PageParams, Paginated, parse_id, parse_query};
use crate::money::{Currency, Money, parse_decimal};
use crate::state::AppState;
use model::{EntryView, FundStatusView, Valuation};
use rules::{EntryAmounts, EntryKind};
use store::EntryRow;

/// A fund read under the lock that serialises its money writes; `post` needs one.
#[derive(Debug)]
pub struct FundLock {
    pub fund: FundRow,
    pub base_currency: Currency,
    pub support_cost_rate: Decimal,
}

/// Locks the fund for the rest of the transaction (see `store::lock_fund`).
pub fn lock_fund(conn: &mut DbConn, fund_id: &str) -> AppResult<Option<FundLock>> {
    let Some(fund) = store::lock_fund(conn, fund_id)? else {
        return Ok(None);
    };
    let base_currency = Currency::parse(&fund.base_currency)
        .map_err(|e| AppError::internal(format!("fund {}: {e}", fund.id)))?;
    let support_cost_rate = parse_decimal(&fund.support_cost_rate)
        .map_err(|e| AppError::internal(format!("fund {}: {e}", fund.id)))?;
    Ok(Some(FundLock {
        fund,
        base_currency,
        support_cost_rate,
    }))
}

/// A conversion into the fund's base currency.
#[derive(Debug, Clone, Copy)]
pub struct Conversion {
    pub rate: Decimal,
    pub base: Money,
}

/// An entry to post. Amounts are signed: positive, or negative for a reversal.
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub kind: EntryKind,
    pub reverses_id: Option<String>,
    pub donor_id: Option<String>,
    pub pledge_id: Option<String>,
    pub contribution_id: Option<String>,
    /// What a later feature hangs the entry on, e.g. `(Entity::Grant, id)`.
    pub source: Option<(crate::audit::Entity, String)>,
    pub amount: Money,
    pub conversion: Option<Conversion>,
    pub value_date: NaiveDate,
    pub memo: Option<String>,
    pub recorded_by: Option<String>,
}

impl NewEntry {
    pub fn new(kind: EntryKind, amount: Money, value_date: NaiveDate) -> Self {
        NewEntry {
            kind,
            reverses_id: None,
            donor_id: None,
            pledge_id: None,
            contribution_id: None,
            source: None,
            amount,
            conversion: None,
            value_date,
            memo: None,
            recorded_by: None,
        }
    }
}

/// Appends an entry and moves its running totals: fund-wide, per donor and, for what a
/// statement shows, per donor and day. Call it inside the transaction that holds `lock`.
pub fn post(conn: &mut DbConn, lock: &FundLock, entry: NewEntry) -> AppResult<EntryRow> {
    rules::check_entry(&EntryAmounts {
        kind: entry.kind,
        reversal: entry.reverses_id.is_some(),
        amount: entry.amount,
        base: entry.conversion.map(|c| c.base),
        rate: entry.conversion.map(|c| c.rate),
        base_currency: lock.base_currency,
    })?;
    let fund_id = lock.fund.id.clone();
    let (source_kind, source_id) = entry.source.clone().unzip();
    let row = EntryRow {
        id: uuid::Uuid::now_v7().to_string(),
        fund_id: fund_id.clone(),
        kind: entry.kind,
        reverses_id: entry.reverses_id.clone(),
        donor_id: entry.donor_id.clone(),
        pledge_id: entry.pledge_id.clone(),
        contribution_id: entry.contribution_id.clone(),
        source_kind,
        source_id,
        amount_minor: entry.amount.minor_units(),
        currency: entry.amount.currency().code().to_string(),
        exchange_rate: entry.conversion.map(|c| c.rate.to_string()),
        base_amount_minor: entry.conversion.map(|c| c.base.minor_units()),
        base_currency: lock.base_currency.code().to_string(),
        value_date: entry.value_date,
        memo: entry.memo.clone(),
        recorded_by: entry.recorded_by.clone(),
        recorded_at: store::now(),
    };
    store::insert_entry(conn, &row)?;
    let amount = row.amount_minor;
    let base = row.base_amount_minor.unwrap_or(0);
    for bucket in rules::buckets(entry.kind, entry.pledge_id.is_some()) {
        store::add_to_total(
            conn,
            &fund_id,
            store::WHOLE_FUND,
            *bucket,
            &row.currency,
            amount,
            base,
        )?;
        if let Some(donor) = &entry.donor_id {
            store::add_to_total(conn, &fund_id, donor, *bucket, &row.currency, amount, base)?;
            if bucket.on_statement() {
                store::add_to_daily_total(
                    conn,
                    donor,
                    &fund_id,
                    entry.value_date,
                    *bucket,
                    &row.currency,
                    amount,
                    base,
                )?;
            }
        }
    }
    Ok(row)
}

/// The fund's status from its running totals, outstanding pledges valued at the rates
/// current on `as_of` (a rate older than `max_rate_age` values nothing).
pub fn fund_status(
    conn: &mut DbConn,
    fund: &FundRow,
    as_of: NaiveDate,
    max_rate_age: crate::exchange::MaxRateAge,
) -> AppResult<FundStatusView> {
    let base = model::parse_currency(&fund.base_currency)?;
    let (totals, entries) = store::fund_totals(conn, &fund.id)?;
    let mut valuations: Vec<(Currency, Valuation)> = Vec::new();
    let mut without_current_rate = Vec::new();
    for currency in totals.currencies_of(rules::MONEY_IN) {
        if currency == base {
            continue;
        }
        match crate::exchange::current_rate(conn, currency, base, as_of, max_rate_age)? {
            Some(found) => valuations.push((
                currency,
                Valuation {
                    rate: found.rate,
                    valid_from: Some(found.valid_from),
                },
            )),
            None => without_current_rate.push(currency),
        }
    }
    let find = |c: Currency| {
        valuations
            .iter()
            .find(|(v, _)| *v == c)
            .map(|(_, v)| v.clone())
    };
    let status = rules::fund_status(&totals, base, |c| find(c).map(|v| v.rate));
    let mut view = FundStatusView::new(fund.id.clone(), base, as_of, entries, &status, find);
    view.currencies_without_current_rate = without_current_rate;
    (view.earmarks, view.available_unrestricted) =
        crate::earmarks::fund_balances(conn, &fund.id, base, status.available)?;
    Ok(view)
}

/// A fund's money: pledged, received, outstanding, support costs, committed, disbursed and
/// available, in its base currency, and per currency.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "fund id")),
    responses((status = 200, body = FundStatusView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/status")]
pub async fn get_fund_status(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadFundStatus)?;
    let id = parse_id(&id, "id")?.to_string();
    let max_rate_age = state.settings.exchange.max_rate_age();
    // the same for every reader allowed it: kept per fund
    let kept = state
        .fund_statuses
        .get_or_compute(id.clone(), |today| {
            db::run_point(&state.pool, move |conn| {
                let fund = crate::funds::store::find(conn, &id)?
                    .ok_or_else(|| AppError::not_found("fund"))?;
                fund_status(conn, &fund, today, max_rate_age).map(Some)
            })
        })
        .await?
        .ok_or_else(|| AppError::not_found("fund"))?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(kept.json.clone()))
}

/// The fund's ledger entries in the order they were recorded.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "fund id"), PageParams),
    responses((status = 200, body = inline(Paginated<EntryView>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/ledger")]
pub async fn list_ledger_entries(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadLedger)?;
    let id = parse_id(&id, "id")?.to_string();
    let page = parse_query::<PageParams>(&req)?.page()?;
    let page_for_query = page.clone();
    let rows = db::run(&state.pool, move |conn| {
        crate::funds::store::find(conn, &id)?.ok_or_else(|| AppError::not_found("fund"))?;
        Ok(store::entries_of_fund(
            conn,
            &id,
            page_for_query.after.as_deref(),
            page_for_query.limit + 1,
        )?)
    })
    .await?;
    let views = rows
        .into_iter()
        .map(EntryRow::into_view)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(
        HttpResponse::Ok().json(Paginated::from_rows(views, &page, |e: &EntryView| {
            e.id.clone()
        })),
    )
}
