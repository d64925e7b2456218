//! `GET /`: what the fund is, where to sign in, and the public pages of its funds.

use actix_web::HttpResponse;
use actix_web::get;
use actix_web::http::StatusCode;
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::Visitor;
use crate::db;
use crate::error::AppResult;
use crate::http::Page;

/// How many funds the landing page lists.
const FUNDS_LISTED: i64 = 20;

#[derive(Serialize)]
struct FundLink {
    code: String,
    name: String,
}

/// The landing page.
#[utoipa::path(responses((status = 200, description = "the landing page", content_type = "text/html")))]
#[get("/")]
pub async fn landing(visitor: Visitor) -> AppResult<HttpResponse> {
    let funds = db::run(&visitor.state.pool, |conn| {
        let page = Page {
            limit: FUNDS_LISTED,
            after: None,
        };
        Ok(crate::funds::store::list(conn, &page)?)
    })
    .await?;
    let funds: Vec<FundLink> = funds
        .into_iter()
        .take(FUNDS_LISTED as usize)
        .map(|f| FundLink {
            code: f.code,
            name: f.name,
        })
        .collect();
    visitor.page(
        StatusCode::OK,
        "landing.html",
        context! { funds => Serde(funds) },
    )
}
