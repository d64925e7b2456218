//! Exchange rates: dated rates between a currency and a base currency (usually the monthly
//! UN operational rate). Contributions use the rate valid on the day the money arrived;
//! fund status values outstanding pledges at the rate valid today.

pub mod model;
pub mod rules;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use actix_web::{get, post};
use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::audit;
use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{PageParams, Paginated, ValidJson, parse_query};
use crate::money::Currency;
use crate::state::AppState;
use model::{CreateExchangeRate, ExchangeRateView, NewExchangeRate, RateQuery};
pub use rules::{ChosenRate, Conversion, MaxRateAge, RateSource};

const ENTITY: crate::audit::Entity = crate::audit::Entity::ExchangeRate;

/// The current rate of a conversion, or the caller's own rate.
pub fn rate_for(
    conn: &mut DbConn,
    conversion: Conversion<'_>,
    given: Option<Decimal>,
    max_age: MaxRateAge,
) -> AppResult<ChosenRate> {
    rules::choose(conversion, given, max_age, || {
        store::valid_on(conn, conversion.currency, conversion.base, conversion.day)?
            .map(|row| row.table_rate())
            .transpose()
    })
}

/// The rate of `currency` into `base` that is current on `day`, if any: what values a
/// figure that no request names (outstanding pledges, a ranking's amounts).
pub fn current_rate(
    conn: &mut DbConn,
    currency: Currency,
    base: Currency,
    day: NaiveDate,
    max_age: MaxRateAge,
) -> AppResult<Option<rules::TableRate>> {
    Ok(store::valid_on(conn, currency, base, day)?
        .map(|row| row.table_rate())
        .transpose()?
        .filter(|found| max_age.is_current(found.valid_from, day)))
}

/// Records a dated exchange rate.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    request_body = CreateExchangeRate,
    responses((status = 201, body = ExchangeRateView),
              (status = 409, description = "a rate of this pair already starts that day", body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/exchange-rates")]
pub async fn create_exchange_rate(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<CreateExchangeRate>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreateExchangeRate)?;
    let new = body.0.validate()?;
    let actor = Actor::for_user(&req, &user);
    let created = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| create(conn, &actor, &new))
    })
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(created))
}

/// A new dated rate, unless the pair already has one that day (409 naming `valid_from`:
/// rates are never changed), with its audit event. The one way a rate is recorded, for the
/// API and the demo alike.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    new: &NewExchangeRate,
) -> AppResult<ExchangeRateView> {
    if store::find_pair_on_day(conn, new.currency, new.base_currency, new.valid_from)?.is_some() {
        return Err(AppError::duplicate(format!(
            "a rate from {} to {} valid from {} is already recorded; rates are not changed, record a rate for another day",
            new.currency, new.base_currency, new.valid_from
        ))
        .with_errors(vec![FieldError::new("valid_from", "already has a rate for this pair")]));
    }
    let view = store::insert(conn, new, actor.user_id.clone())?.into_view()?;
    audit::created(conn, actor, ENTITY, &view.id, &view)?;
    Ok(view)
}

/// Lists exchange rates; with `on`, only the rate valid that day for each pair.
#[utoipa::path(security(("bearer" = [])), tag = "money in", params(RateQuery),
    responses((status = 200, body = inline(Paginated<ExchangeRateView>)),
              (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/exchange-rates")]
pub async fn list_exchange_rates(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ListExchangeRates)?;
    let query: RateQuery = parse_query(&req)?;
    let filter = query.validate()?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let page_for_query = page.clone();
    let rows = db::run(&state.pool, move |conn| match filter.on {
        // one rate per pair: a short list that needs no further page
        Some(day) => Ok(store::all_valid_on(conn, &filter, day)?),
        None => Ok(store::list(conn, &filter, &page_for_query)?),
    })
    .await?;
    let views = rows
        .into_iter()
        .map(store::RateRow::into_view)
        .collect::<AppResult<Vec<_>>>()?;
    let body = match query.on {
        Some(_) => Paginated {
            items: views,
            next_cursor: None,
        },
        None => Paginated::from_rows(views, &page, |r: &ExchangeRateView| r.id.clone()),
    };
    Ok(HttpResponse::Ok().json(body))
}
