//! Seeds a database for the deadline-rush load test (`benches/deadline_rush.sh`): a fund,
//! an open call closing in a few minutes, and many NGOs, each with one member whose access
//! token is handed to the load generator. Refused in production: it mints tokens.

use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::auth::{Role, password, store as users, tokens};
use crate::calls::model::{CallStatus, Criterion, NewCall, Weight};
use crate::clock::stored_time;
use crate::config::{RunEnvironment, Settings};
use crate::db::{DbPool, write_transaction};
use crate::error::AppError;
use crate::funds::model::NewFund;
use crate::money::{Currency, Money};
use crate::organisations::model::{NewOrganisation, OrgKind};

#[derive(Debug, Serialize)]
pub struct SeededNgo {
    pub organisation_id: String,
    pub token: String,
}

#[derive(Debug, Serialize)]
pub struct Seed {
    pub fund_id: String,
    pub call_id: String,
    pub closes_at: chrono::DateTime<Utc>,
    pub admin_token: String,
    pub ngos: Vec<SeededNgo>,
}

/// Creates the fund, the call (open, closing in `closes_in`) and `ngos` organisations
/// with one member each, in one transaction.
pub fn seed_deadline_rush(
    pool: &DbPool,
    settings: &Settings,
    ngos: usize,
    closes_in: Duration,
) -> Result<Seed, AppError> {
    if settings.environment == RunEnvironment::Production {
        return Err(AppError::forbidden(
            "seed-load-test mints access tokens and is refused in production",
        ));
    }
    // Nobody signs in with these accounts; the hash is of a random, forgotten password.
    let hash = password::hash(&tokens::new_opaque()).map_err(AppError::internal)?;
    let run = uuid::Uuid::now_v7().simple().to_string();
    let now = stored_time(Utc::now());
    let mut conn = pool.get()?;
    write_transaction(&mut conn, |conn| {
        let fund = crate::funds::store::insert(
            conn,
            &NewFund {
                code: format!("RUSH-{}", &run[run.len() - 6..]).to_uppercase(),
                name: "Deadline rush load test".into(),
                base_currency: Currency::USD,
                support_cost_rate: Decimal::new(13, 2),
                board_quorum: 1,
                organisation_identifier: None,
                organisation_type: "40".into(),
                established_on: crate::platform::dates::EARLIEST,
            },
        )?;
        let call = crate::calls::store::insert(
            conn,
            &fund.id,
            NewCall {
                title: "Emergency grants (load test)".into(),
                description: "Up to USD 20,000 for eight months.".into(),
                opens_at: now - Duration::days(30),
                closes_at: now + closes_in,
                max_amount: Money::new(Decimal::from(20_000), Currency::USD)
                    .map_err(|e| AppError::internal(e.to_string()))?,
                max_duration_months: 8,
                eligible_countries: vec!["NG".into(), "GH".into(), "TH".into()],
                themes: vec!["protection.shelter".into()],
                required_documents: vec!["proposal".into()],
                rubric: vec![Criterion {
                    key: "relevance".into(),
                    title: "Relevance".into(),
                    weight: Weight(Decimal::ONE),
                    max_score: 10,
                }],
            },
            now,
        )?;
        let open = crate::calls::model::Call {
            status: CallStatus::Open,
            version: call.version + 1,
            ..call.clone()
        };
        crate::calls::store::replace(conn, call.version, &open)?;
        let admin = users::insert(
            conn,
            users::NewUser {
                email: &format!("rush-admin-{run}@example.org"),
                display_name: "Load test admin",
                password_hash: &hash,
                role: Role::Admin,
                organisation_id: None,
                email_verified: true,
            },
        )?;
        let mut seeded = Vec::with_capacity(ngos);
        for i in 0..ngos {
            let org = crate::organisations::store::insert(
                conn,
                &NewOrganisation {
                    name: format!("Rush NGO {i}"),
                    kind: OrgKind::Ngo,
                    country: "NG".into(),
                    identifier: None,
                    verified: true,
                    listed_anonymously: false,
                    may_donate: false,
                    protected: false,
                },
            )?;
            let user = users::insert(
                conn,
                users::NewUser {
                    email: &format!("rush-ngo-{i}-{run}@example.org"),
                    display_name: "Load test NGO member",
                    password_hash: &hash,
                    role: Role::Ngo,
                    organisation_id: Some(&org.id),
                    email_verified: true,
                },
            )?;
            seeded.push(SeededNgo {
                organisation_id: org.id,
                token: tokens::issue_access(&settings.auth, &user.id)
                    .map_err(AppError::internal)?,
            });
        }
        Ok(Seed {
            fund_id: fund.id,
            call_id: open.id,
            closes_at: open.closes_at,
            admin_token: tokens::issue_access(&settings.auth, &admin.id)
                .map_err(AppError::internal)?,
            ngos: seeded,
        })
    })
}
