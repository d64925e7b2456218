//! `GET /giving`: a donor's money on one page. For each fund it gave to: what it pledged,
//! received and still owes, each pledge with its due day and whether it is late, each
//! payment, what its earmarked money paid for (grants named by their grantee unless the
//! grantee is protected), and the people the fund's grants reached, with the same small-cell
//! suppression as the API. `GET /giving/statement.csv` is the statement of
//! `GET /api/v1/organisations/{id}/statement` as a download.
//!
//! A donor's users see their own organisation. Finance and the secretariat
//! (`Operation::ReadStatement`) pick a donor by name from the list of organisations that
//! pledged or gave, then see what that donor sees. Another organisation's page is a 404.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get};
use chrono::NaiveDate;
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::{Visitor, format, i18n::Arg, query_param};
use crate::annual::page::{CountTable, people_tables};
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db::{self, DbConn};
use crate::donations::model::{ContributionView, PledgeView};
use crate::donations::rules::PledgeStatus;
use crate::donations::statement::{self, BalanceView, StatementFilter};
use crate::donations::store as donations;
use crate::earmarks::EarmarkedContributionView;
use crate::error::{AppError, AppResult};
use crate::funds::store::FundRow;
use crate::http::Page;
use crate::money::Currency;
use crate::reports::rules::{OutcomesView, outcomes_view, storable_dates};
use crate::web::i18n::Lang;

/// Where the page lives (linked from the home of donors and finance).
pub const PATH: &str = "/giving";

/// How many pledges and how many payments of one fund the page lists, the latest first;
/// the statement's download holds every line.
const ROWS_SHOWN: i64 = 200;

/// Everything the page shows of one donor, read in one go.
struct Giving {
    donor_id: String,
    donor_name: String,
    funds: Vec<FundGiving>,
}

struct FundGiving {
    fund: FundRow,
    /// The donor's balances in this fund, one per currency.
    balances: Vec<BalanceView>,
    pledges: Vec<PledgeView>,
    more_pledges: bool,
    payments: Vec<ContributionView>,
    more_payments: bool,
    earmarked: Vec<EarmarkedContributionView>,
    outcomes: OutcomesView,
}

/// The donor's page; a role that reads no statements is refused, another organisation's
/// donor (or no organisation at all) is a 404 page.
#[utoipa::path(responses((status = 200, description = "the donor's page", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role reads no statements", content_type = "text/html"),
                         (status = 404, description = "no such donor, or not yours", content_type = "text/html")))]
#[get("/giving")]
pub async fn giving_page(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadStatement)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Some(donor_id) = query_param(&req, "donor").or_else(|| user.organisation_id.clone()) else {
        return donor_list(&visitor).await;
    };
    let Some(donor_id) = readable_donor(&user, &donor_id) else {
        return visitor.not_found();
    };
    let today = crate::clock::today();
    let Some(giving) = db::run(&visitor.state.pool, move |conn| {
        read_giving(conn, &donor_id, today)
    })
    .await?
    else {
        return visitor.not_found();
    };
    let shown = show(&giving, visitor.lang, today)?;
    visitor.page(
        StatusCode::OK,
        "giving.html",
        context! { g => Serde(shown), staff => user.organisation_id.is_none() },
    )
}

/// The donor's statement as CSV, every line (`?fund=` for one fund's), as the API gives it
/// with `Accept: text/csv`.
#[utoipa::path(responses((status = 200, description = "the statement as CSV", content_type = "text/csv"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "this role reads no statements", content_type = "text/html"),
                         (status = 404, description = "no such donor or fund, or not yours", content_type = "text/html")))]
#[get("/giving/statement.csv")]
pub async fn statement_csv(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::ReadStatement)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let donor = query_param(&req, "donor").or_else(|| user.organisation_id.clone());
    let Some(donor_id) = donor.and_then(|d| readable_donor(&user, &d)) else {
        return visitor.not_found();
    };
    let fund_id = match query_param(&req, "fund") {
        None => None,
        Some(raw) => match uuid::Uuid::parse_str(&raw) {
            Ok(id) => Some(id.to_string()),
            Err(_) => return visitor.not_found(),
        },
    };
    let found = db::run(&visitor.state.pool, move |conn| {
        let Some(org) = crate::organisations::store::find(conn, &donor_id)? else {
            return Ok(None);
        };
        if let Some(fund) = &fund_id
            && crate::funds::store::find(conn, fund)?.is_none()
        {
            return Ok(None);
        }
        let filter = StatementFilter {
            fund_id,
            from: None,
            to: None,
        };
        statement::build_all(conn, (&org.id, &org.name), &filter).map(Some)
    })
    .await?;
    let Some(statement) = found else {
        return visitor.not_found();
    };
    let body = statement::to_csv(&statement)?;
    // A donor's money: never kept by a shared cache or a browser, never sniffed.
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"statement-{}.csv\"",
                statement.organisation_id
            ),
        ))
        .body(body))
}

/// The donor's id as stored, when it is an id and the user may read that organisation.
fn readable_donor(user: &CurrentUser, raw: &str) -> Option<String> {
    let id = uuid::Uuid::parse_str(raw).ok()?.to_string();
    policy::require_reader(user, &id, "organisation").ok()?;
    Some(id)
}

#[derive(Serialize)]
struct DonorLink {
    name: String,
    href: String,
}

/// Finance and the secretariat first pick the donor.
async fn donor_list(visitor: &Visitor) -> AppResult<HttpResponse> {
    let donors = db::run(&visitor.state.pool, |conn| Ok(donations::donors(conn)?)).await?;
    let listed: Vec<DonorLink> = donors
        .into_iter()
        .map(|(id, name)| DonorLink {
            href: format!("{PATH}?donor={id}"),
            name,
        })
        .collect();
    visitor.page(
        StatusCode::OK,
        "giving_donors.html",
        context! { donors => Serde(listed) },
    )
}

/// The donor's money in every fund it pledged or gave to; `None` for no such organisation.
fn read_giving(conn: &mut DbConn, donor_id: &str, today: NaiveDate) -> AppResult<Option<Giving>> {
    let Some(org) = crate::organisations::store::find(conn, donor_id)? else {
        return Ok(None);
    };
    let everything = StatementFilter {
        fund_id: None,
        from: None,
        to: None,
    };
    // the closing balances name every fund and currency the donor has money in
    let whole = statement::build(conn, (&org.id, &org.name), &everything, 1, None)?;
    let mut fund_ids: Vec<String> = whole.closing.iter().map(|b| b.fund_id.clone()).collect();
    fund_ids.dedup();
    let page = Page {
        limit: ROWS_SHOWN,
        after: None,
    };
    let (from, to) = storable_dates(NaiveDate::MIN, today);
    let mut funds = Vec::new();
    for fund_id in fund_ids {
        let fund = crate::funds::store::find(conn, &fund_id)?
            .ok_or_else(|| AppError::internal(format!("fund {fund_id} of a ledger entry")))?;
        let balances = whole
            .closing
            .iter()
            .filter(|b| b.fund_id == fund_id)
            .cloned()
            .collect();
        let mut pledge_rows = donations::list_pledges(conn, &fund_id, Some(donor_id), &page)?;
        let more_pledges = pledge_rows.len() as i64 > ROWS_SHOWN;
        pledge_rows.truncate(ROWS_SHOWN as usize);
        let mut pledges = donations::pledge_views(conn, pledge_rows, today)?;
        pledges.sort_by_key(|p| std::cmp::Reverse(p.pledged_on));
        let mut payment_rows =
            donations::list_contributions(conn, &fund_id, Some(donor_id), None, &page)?;
        let more_payments = payment_rows.len() as i64 > ROWS_SHOWN;
        payment_rows.truncate(ROWS_SHOWN as usize);
        let mut payments = payment_rows
            .into_iter()
            .map(|row| row.into_view())
            .collect::<AppResult<Vec<_>>>()?;
        payments.sort_by_key(|p| std::cmp::Reverse(p.received_on));
        let earmarked = crate::earmarks::earmarked_contributions(conn, donor_id, Some(&fund_id))?;
        let counts = crate::reports::store::outcomes(conn, &fund_id, from, to)?;
        let outcomes = outcomes_view(&fund_id, from, to, &counts, true);
        funds.push(FundGiving {
            fund,
            balances,
            pledges,
            more_pledges,
            payments,
            more_payments,
            earmarked,
            outcomes,
        });
    }
    Ok(Some(Giving {
        donor_id: org.id,
        donor_name: org.name,
        funds,
    }))
}

// What the template shows, every value already in the reader's language.

#[derive(Serialize)]
struct Shown {
    donor_name: String,
    csv_href: String,
    funds: Vec<FundShown>,
}

#[derive(Serialize)]
struct FundShown {
    name: String,
    code: String,
    csv_href: String,
    balances: Vec<BalanceShown>,
    pledges: Vec<PledgeShown>,
    more_pledges: bool,
    payments: Vec<PaymentShown>,
    more_payments: bool,
    earmarked: Vec<EarmarkShown>,
    reached: String,
    reports: String,
    people: Vec<CountTable>,
    reports_this_year: String,
    reports_last_year: String,
    this_year: i32,
    last_year: i32,
}

#[derive(Serialize)]
struct BalanceShown {
    currency: &'static str,
    pledged: String,
    received_against_pledges: String,
    outstanding: String,
    received: String,
}

#[derive(Serialize)]
struct PledgeShown {
    pledged_on: String,
    amount: String,
    due_on: String,
    paid: String,
    outstanding: String,
    state: String,
    late: bool,
    earmark: String,
}

#[derive(Serialize)]
struct PaymentShown {
    received_on: String,
    amount: String,
    base_amount: Option<String>,
    reference: String,
    earmark: String,
    against_pledge: bool,
}

#[derive(Serialize)]
struct EarmarkShown {
    received_on: String,
    earmark: String,
    restricted: String,
    drawn: String,
    available: String,
    funded: Vec<FundedShown>,
}

#[derive(Serialize)]
struct FundedShown {
    reference: String,
    title: String,
    grantee: String,
    amount: String,
}

fn show(giving: &Giving, lang: Lang, today: NaiveDate) -> AppResult<Shown> {
    let text = |key: &str, args: &[(&str, Arg)]| super::i18n::text(lang, key, args);
    let money = |amount: &str, currency: Currency| format::money_text(amount, currency, lang);
    let day = |d: NaiveDate| format::date(d, lang);
    let this_year = chrono::Datelike::year(&today);
    let donor = &giving.donor_id;
    let mut funds = Vec::new();
    for f in &giving.funds {
        let balances = f
            .balances
            .iter()
            .map(|b| {
                Ok(BalanceShown {
                    currency: b.currency.code(),
                    pledged: money(&b.pledged, b.currency)?,
                    received_against_pledges: money(&b.received_against_pledges, b.currency)?,
                    outstanding: money(&b.outstanding, b.currency)?,
                    received: money(&b.received, b.currency)?,
                })
            })
            .collect::<AppResult<_>>()?;
        let pledges = f
            .pledges
            .iter()
            .map(|p| {
                let state = match (p.status, p.overdue) {
                    (PledgeStatus::Cancelled, _) => text("giving-pledge-cancelled", &[])?,
                    (PledgeStatus::Paid, _) => text("giving-pledge-paid", &[])?,
                    (_, true) => text("giving-pledge-late", &[])?,
                    (PledgeStatus::PartlyPaid, false) => text("giving-pledge-partly-paid", &[])?,
                    (PledgeStatus::Open, false) => text("giving-pledge-open", &[])?,
                };
                Ok(PledgeShown {
                    pledged_on: day(p.pledged_on),
                    amount: money(&p.amount, p.currency)?,
                    due_on: match p.due_on {
                        Some(d) => day(d),
                        None => text("giving-no-due-date", &[])?,
                    },
                    paid: money(&p.paid, p.currency)?,
                    outstanding: money(&p.outstanding, p.currency)?,
                    state,
                    late: p.overdue,
                    earmark: p
                        .earmark
                        .as_deref()
                        .map(|e| format::earmark(e, lang))
                        .unwrap_or_default(),
                })
            })
            .collect::<AppResult<_>>()?;
        let payments = f
            .payments
            .iter()
            .map(|c| {
                Ok(PaymentShown {
                    received_on: day(c.received_on),
                    amount: money(&c.amount, c.currency)?,
                    base_amount: if c.currency == c.base_currency {
                        None
                    } else {
                        Some(money(&c.base_amount, c.base_currency)?)
                    },
                    reference: c.reference.clone(),
                    earmark: c
                        .earmark
                        .as_deref()
                        .map(|e| format::earmark(e, lang))
                        .unwrap_or_default(),
                    against_pledge: c.pledge_id.is_some(),
                })
            })
            .collect::<AppResult<_>>()?;
        let earmarked = f
            .earmarked
            .iter()
            .map(|e| {
                Ok(EarmarkShown {
                    received_on: day(e.received_on),
                    earmark: format::earmark(&e.earmark, lang),
                    restricted: money(&e.restricted, e.base_currency)?,
                    drawn: money(&e.drawn, e.base_currency)?,
                    available: money(&e.available, e.base_currency)?,
                    funded: e
                        .funded
                        .iter()
                        .map(|g| {
                            Ok(FundedShown {
                                reference: g.reference.clone(),
                                title: g.title.clone(),
                                grantee: match &g.grantee {
                                    Some(name) => name.clone(),
                                    None => text("annual-withheld-grantee", &[])?,
                                },
                                amount: money(&g.amount, e.base_currency)?,
                            })
                        })
                        .collect::<AppResult<_>>()?,
                })
            })
            .collect::<AppResult<_>>()?;
        let report_href = |year: i32| {
            format!(
                "{}?lang={}",
                crate::annual::page::page_path(&f.fund.code, year),
                lang.code()
            )
        };
        funds.push(FundShown {
            name: f.fund.name.clone(),
            code: f.fund.code.clone(),
            csv_href: format!("{PATH}/statement.csv?donor={donor}&fund={}", f.fund.id),
            balances,
            pledges,
            more_pledges: f.more_pledges,
            payments,
            more_payments: f.more_payments,
            earmarked,
            reached: format::figure(&f.outcomes.beneficiaries, lang),
            reports: format::figure(&f.outcomes.reports, lang),
            people: people_tables(
                lang,
                &f.outcomes.by_sex,
                &f.outcomes.by_age_group,
                &f.outcomes.by_exploitation,
            )?,
            reports_this_year: report_href(this_year),
            reports_last_year: report_href(this_year - 1),
            this_year,
            last_year: this_year - 1,
        });
    }
    Ok(Shown {
        donor_name: giving.donor_name.clone(),
        csv_href: format!("{PATH}/statement.csv?donor={donor}"),
        funds,
    })
}
