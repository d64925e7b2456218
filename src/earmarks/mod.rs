//! Earmarks honoured: money a donor gave for a theme or a country stays for it.
//!
//! A contribution carries its donor's earmark (its pledge's, or its own when unpledged).
//! Its money net of programme support cost is restricted to that earmark (a row of
//! `restricted_funds`, moved in the recording transaction). A board approval draws first
//! from money earmarked for one of the grant's countries or themes, oldest first, then from
//! the fund's unrestricted money (what is available less everything still earmarked), never
//! from money earmarked for something else; the draws are recorded beside the grant, so a
//! released or refunded part goes back where it was taken. Every step runs under the fund's
//! lock (`ledger::lock_fund`), like every other money write.

pub mod rules;
pub mod store;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db::{self, DbConn};
use crate::donations::store::ContributionRow;
use crate::error::{AppError, AppResult};
use crate::ledger::{self, FundLock};
use crate::money::{Currency, Money};
use crate::state::AppState;
use rules::{Draw, Scope};

/// Restricts a just-recorded contribution's money to its earmark, if it has one.
pub fn restrict(conn: &mut DbConn, contribution: &ContributionRow) -> AppResult<()> {
    let Some(earmark) = &contribution.earmark else {
        return Ok(());
    };
    let net = contribution.base_amount_minor - contribution.support_cost_minor;
    if net <= 0 {
        return Ok(());
    }
    store::insert_restricted(
        conn,
        &store::RestrictedRow {
            contribution_id: contribution.id.clone(),
            fund_id: contribution.fund_id.clone(),
            donor_id: contribution.donor_id.clone(),
            earmark: earmark.clone(),
            received_on: contribution.received_on,
            amount_minor: net,
            remaining_minor: net,
        },
    )?;
    Ok(())
}

/// Where an approval of `need` (in the fund's base currency) takes its money from, or 409
/// `insufficient_funds` naming the pot that is short. Call under the fund's lock, then
/// [`record_draws`] once the grant exists.
pub fn plan_approval(
    conn: &mut DbConn,
    lock: &FundLock,
    scope: Scope<'_>,
    need: Money,
) -> AppResult<Vec<Draw>> {
    let totals = ledger::store::totals(conn, &lock.fund.id, ledger::store::WHOLE_FUND)?;
    let available = ledger::rules::available(&ledger::rules::base_figures(&totals));
    let pots = store::open_pots(conn, &lock.fund.id)?;
    rules::plan(need.minor_units(), available, &pots, scope)
        .map_err(|short| short.into_error(lock.base_currency))
}

/// Records the draws of a grant just created.
pub fn record_draws(
    conn: &mut DbConn,
    lock: &FundLock,
    grant_id: &str,
    draws: &[Draw],
) -> AppResult<()> {
    Ok(store::record_draws(conn, &lock.fund.id, grant_id, draws)?)
}

/// Money a grant gives back (`amount` in base minor units: its unpaid part released, or a
/// refund) returns to where the grant took it, unrestricted part first.
pub fn give_back(conn: &mut DbConn, grant_id: &str, amount: i64) -> AppResult<()> {
    let draws = store::draws_of_grant(conn, grant_id)?;
    let state: Vec<rules::Drawn> = draws.iter().map(store::DrawRow::drawn).collect();
    for (draw, back) in draws.iter().zip(rules::give_back(&state, amount)) {
        if back > 0 {
            store::return_to(conn, draw, back)?;
        }
    }
    Ok(())
}

/// Money earmarked for one theme or country, in the fund's base currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EarmarkBalanceView {
    /// A theme (`protection.reintegration`) or an ISO 3166-1 country (`NG`).
    pub earmark: String,
    /// Received for it, less programme support cost.
    pub received: String,
    /// Drawn by approved grants (net of what they gave back).
    pub drawn: String,
    /// Still available for grants it serves.
    pub available: String,
}

/// The fund's earmarked balances, and how much of `available` is unrestricted.
pub fn fund_balances(
    conn: &mut DbConn,
    fund_id: &str,
    base: Currency,
    available: i64,
) -> AppResult<(Vec<EarmarkBalanceView>, String)> {
    let rows = store::balances(conn, fund_id)?;
    let shown = |minor: i64| Money::from_minor(minor, base).amount_string();
    let restricted: i64 = rows.iter().map(|(_, _, remaining)| remaining).sum();
    let views = rows
        .into_iter()
        .map(|(earmark, received, remaining)| EarmarkBalanceView {
            earmark,
            received: shown(received),
            drawn: shown(received - remaining),
            available: shown(remaining),
        })
        .collect();
    Ok((views, shown(available - restricted)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EarmarkedParams {
    /// Only this fund's contributions.
    pub fund_id: Option<String>,
}

/// A grant an earmarked contribution paid for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundedGrantView {
    pub grant_id: String,
    pub reference: String,
    pub title: String,
    /// The grantee's name; `null` for a grantee protected from publication, whose name the
    /// fund keeps even from its donors.
    pub grantee: Option<String>,
    /// Drawn from this contribution, net of what came back, in the fund's base currency.
    pub amount: String,
}

/// One earmarked contribution and what it paid for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EarmarkedContributionView {
    pub contribution_id: String,
    pub fund_id: String,
    pub earmark: String,
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    #[schema(value_type = String, example = "USD")]
    pub base_currency: Currency,
    /// The contribution less programme support cost.
    pub restricted: String,
    pub drawn: String,
    /// Not yet drawn: waiting for grants its earmark serves.
    pub available: String,
    pub funded: Vec<FundedGrantView>,
}

/// A donor's earmarked contributions with the grants each paid for: what the donor's
/// restricted money funded and what of it is still waiting.
#[utoipa::path(security(("bearer" = [])), tag = "money in",
    params(("id" = uuid::Uuid, Path, description = "organisation id"), EarmarkedParams),
    responses((status = 200, body = Vec<EarmarkedContributionView>),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/organisations/{id}/earmarked-contributions")]
pub async fn list_earmarked_contributions(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadStatement)?;
    let org_id = crate::http::parse_id(&id, "id")?.to_string();
    policy::require_reader(&user, &org_id, "organisation")?;
    let params: EarmarkedParams = crate::http::parse_query(&req)?;
    let fund_id = params
        .fund_id
        .map(|f| crate::http::parse_id(&f, "fund_id").map(|u| u.to_string()))
        .transpose()?;
    let views = db::run(&state.pool, move |conn| {
        crate::organisations::store::find(conn, &org_id)?
            .ok_or_else(|| AppError::not_found("organisation"))?;
        if let Some(fund_id) = &fund_id {
            crate::funds::store::find(conn, fund_id)?.ok_or_else(|| AppError::not_found("fund"))?;
        }
        earmarked_contributions(conn, &org_id, fund_id.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(views))
}

/// A donor's earmarked contributions (in `fund_id`, else every fund) with what each paid
/// for: the list of `GET /organisations/{id}/earmarked-contributions` and of the donor's
/// JSON statement.
pub fn earmarked_contributions(
    conn: &mut DbConn,
    donor_id: &str,
    fund_id: Option<&str>,
) -> AppResult<Vec<EarmarkedContributionView>> {
    let rows = store::of_donor(conn, donor_id, fund_id)?;
    let ids: Vec<String> = rows.iter().map(|r| r.contribution_id.clone()).collect();
    let funded = store::grants_funded_by(conn, &ids)?;
    let mut bases: std::collections::HashMap<String, Currency> = Default::default();
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let base = match bases.get(&row.fund_id) {
            Some(b) => *b,
            None => {
                let fund = crate::funds::store::find(conn, &row.fund_id)?
                    .ok_or_else(|| AppError::internal("the fund of a contribution is missing"))?;
                let b = ledger::model::parse_currency(&fund.base_currency)?;
                bases.insert(row.fund_id.clone(), b);
                b
            }
        };
        let shown = |minor: i64| Money::from_minor(minor, base).amount_string();
        let paid_for = funded
            .iter()
            .filter(|f| f.contribution_id.as_deref() == Some(row.contribution_id.as_str()))
            .filter(|f| f.amount_minor > f.returned_minor)
            .map(|f| FundedGrantView {
                grant_id: f.grant_id.clone(),
                reference: f.reference.clone(),
                title: f.title.clone(),
                grantee: (!f.grantee_protected).then(|| f.grantee_name.clone()),
                amount: shown(f.amount_minor - f.returned_minor),
            })
            .collect();
        views.push(EarmarkedContributionView {
            restricted: shown(row.amount_minor),
            drawn: shown(row.amount_minor - row.remaining_minor),
            available: shown(row.remaining_minor),
            contribution_id: row.contribution_id,
            fund_id: row.fund_id,
            earmark: row.earmark,
            received_on: row.received_on,
            base_currency: base,
            funded: paid_for,
        });
    }
    Ok(views)
}
