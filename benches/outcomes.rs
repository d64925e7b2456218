//! What `GET /funds/{id}/outcomes` costs at 10,000 and at 100,000 accepted reports.
//!
//!     cargo bench --bench outcomes                     # SQLite in a temporary folder
//!     TRUSTFUND_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_outcomes cargo bench --bench outcomes
//!
//! Builds 20 grants through the API (fund, call, applications in several countries, board
//! approval, signature), then seeds accepted reports straight through the library (each
//! with 8 beneficiary cells, 3 services and 2 expenditure lines, periods ending on 1,000
//! different days over three years) in transactions of 500: `reports::store::insert_all`
//! writes them and `reports::store::count_accepted`, the function acceptance calls, adds
//! them to the running totals. After 10,000 reports and again after 100,000 (the same fund,
//! 90,000 more) it times 100 sequential requests of the fund's outcomes per case: all
//! periods for an admin (exact) and for a donor (suppressed), one calendar year, and a
//! window cut inside months (read partly from daily totals): p50, p95, p99. It also prints
//! how many total rows the fund has, which grows with periods and cells, not with reports.
//! On PostgreSQL the totals are vacuumed after seeding, as autovacuum would between
//! acceptances (seeding in batches updates each total row many times in quick succession).
//! The server runs in this process on a random port; the PostgreSQL database must exist
//! and be empty.

use std::time::{Duration, Instant};

use chrono::{Duration as Days, NaiveDate, Utc};
use serde_json::{Value, json};
use trustfund::config::Settings;
use trustfund::grants::model::ReportKind;
use trustfund::money::{Currency, Money};
use trustfund::reports::model::NewReport;
use trustfund::reports::store::ReportRow;
use trustfund::taxonomy::{AgeGroup, Exploitation, Sex};

const GRANTS: usize = 20;
/// The sizes measured, in accepted reports.
const SIZES: [usize; 2] = [10_000, 100_000];
/// Reports per seeding transaction.
const BATCH: usize = 500;
const REQUESTS: usize = 100;
const UNUSABLE_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$dGVzdHNhbHR0ZXN0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let n = samples.len();
    let pct = |p: f64| samples[((n as f64 * p) as usize).min(n - 1)];
    println!(
        "{label:<40} n={n:<4} p50 {:>8.2} ms   p95 {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(samples[n - 1])
    );
}

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn post(&self, token: &str, path: &str, body: Value) -> Value {
        let request = self.http.post(format!("{}{path}", self.base));
        Self::send(request, token, path, body).await
    }

    /// An edit of whatever version is current (`If-Match: *`).
    async fn patch(&self, token: &str, path: &str, body: Value) -> Value {
        let request = self
            .http
            .patch(format!("{}{path}", self.base))
            .header("if-match", "*");
        Self::send(request, token, path, body).await
    }

    async fn send(request: reqwest::RequestBuilder, token: &str, path: &str, body: Value) -> Value {
        let response = request
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }
}

fn user(
    pool: &trustfund::db::DbPool,
    settings: &Settings,
    role: &str,
    org: Option<&str>,
    funds: &[&str],
) -> (String, String) {
    let mut conn = pool.get().expect("connection");
    let role = trustfund::auth::Role::from_db(role).expect("role");
    let email = format!(
        "{}-{}@example.org",
        role.as_str(),
        uuid::Uuid::new_v4().simple()
    );
    let row = trustfund::auth::store::insert(
        &mut conn,
        trustfund::auth::store::NewUser {
            email: &email,
            display_name: "Bench",
            password_hash: UNUSABLE_HASH,
            role,
            organisation_id: org,
            email_verified: true,
        },
    )
    .expect("user");
    for f in funds {
        trustfund::auth::store::add_fund(&mut conn, &row.id, f).expect("fund");
    }
    let token = trustfund::auth::tokens::issue_access(&settings.auth, &row.id).expect("token");
    (row.id, token)
}

/// Seeds the accepted reports numbered `range` in transactions of `BATCH`: the rows through
/// `insert_all`, their running totals through `count_accepted` (what acceptance calls).
fn seed(
    pool: &trustfund::db::DbPool,
    fund: &str,
    grants: &[(String, String)],
    range: std::ops::Range<usize>,
) {
    let usd = Currency::parse("USD").expect("usd");
    let first_day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
    let mut conn = pool.get().expect("connection");
    let numbers: Vec<usize> = range.collect();
    for batch in numbers.chunks(BATCH) {
        let reports: Vec<(ReportRow, NewReport)> = batch
            .iter()
            .map(|&n| {
                let (grant, org) = &grants[n % GRANTS];
                let end = first_day + Days::days((n % 1000) as i64);
                let now = Utc::now().naive_utc();
                let row = ReportRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    grant_id: grant.clone(),
                    fund_id: fund.to_string(),
                    organisation_id: org.clone(),
                    kind: ReportKind::Interim,
                    report_version: 1,
                    supersedes_id: None,
                    status: trustfund::reports::model::ReportStatus::Accepted,
                    period_start: end - Days::days(90),
                    period_end: end,
                    narrative: "Bench report.".into(),
                    review_comment: None,
                    reviewed_by: None,
                    reviewed_at: Some(now),
                    submitted_by: None,
                    submitted_at: now,
                    version: 2,
                    updated_at: now,
                    people_reached_to_date: None,
                    narrative_cleared_at: None,
                    narrative_cleared_by: None,
                };
                let beneficiaries = (0..8)
                    .map(|j| {
                        (
                            Sex::ALL[(n + j) % Sex::ALL.len()],
                            AgeGroup::ALL[j % AgeGroup::ALL.len()],
                            Exploitation::ALL[(n / 3 + j) % Exploitation::ALL.len()],
                            ((n * 7 + j * 3) % 40) as i64,
                        )
                    })
                    .fold(
                        Vec::new(),
                        |mut cells: Vec<(Sex, AgeGroup, Exploitation, i64)>, c| {
                            if !cells
                                .iter()
                                .any(|(s, a, e, _)| (*s, *a, *e) == (c.0, c.1, c.2))
                            {
                                cells.push(c);
                            }
                            cells
                        },
                    );
                let report = NewReport {
                    kind: ReportKind::Interim,
                    period_start: row.period_start,
                    period_end: end,
                    narrative: row.narrative.clone(),
                    // seeded straight into the tables: no rule reads it
                    people_reached_to_date: 0,
                    beneficiaries,
                    services: (0..3)
                        .map(|j| {
                            (
                                trustfund::taxonomy::SERVICES[(n + j) % 8].to_string(),
                                ((n + j) % 30) as i64,
                            )
                        })
                        .collect(),
                    indicators: vec![],
                    expenditure: vec![
                        ("shelter".into(), Money::from_minor(10_000, usd)),
                        ("legal-aid".into(), Money::from_minor(5_000, usd)),
                    ],
                };
                (row, report)
            })
            .collect();
        trustfund::db::write_transaction(&mut conn, |conn| {
            let pairs: Vec<(&ReportRow, &NewReport)> =
                reports.iter().map(|(r, n)| (r, n)).collect();
            trustfund::reports::store::insert_all(conn, &pairs)?;
            let rows: Vec<ReportRow> = reports.into_iter().map(|(r, _)| r).collect();
            trustfund::reports::store::count_accepted(conn, &rows)
        })
        .expect("seed");
    }
}

/// How many rows of a running-totals table belong to the fund.
fn rows(conn: &mut trustfund::db::DbConn, table: &str, fund: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    use diesel::RunQueryDsl;
    diesel::sql_query(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table} WHERE fund_id = '{fund}'"
    ))
    .get_result::<Count>(conn)
    .expect("count")
    .n
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut settings = Settings::load(None).expect("settings");
    settings.data_dir = dir.path().join("data");
    settings.server.address = "127.0.0.1:0".into();
    settings.database.url = std::env::var("TRUSTFUND_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    println!(
        "database: {}   cores: {}",
        trustfund::db::mask_url(&settings.database.url),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let app = trustfund::Application::build(settings.clone(), false).expect("app");
        let base = format!("http://127.0.0.1:{}", app.port());
        let pool = app.pool();
        tokio::spawn(app.run_until_stopped());
        let c = Client {
            http: reqwest::Client::new(),
            base,
        };
        let (_, admin) = user(&pool, &settings, "admin", None, &[]);
        let code = format!("O{}", &uuid::Uuid::new_v4().simple().to_string()[..6]).to_uppercase();
        let fund = c
            .post(&admin, "/api/v1/funds", json!({"code": code, "name": "Bench fund", "support_cost_rate": "0.13", "board_quorum": 1}))
            .await["id"]
            .as_str()
            .expect("fund")
            .to_string();
        let call = c
            .post(&admin, &format!("/api/v1/funds/{fund}/calls"), json!({
                "title": "Bench call", "description": "Bench.",
                "opens_at": (Utc::now() - Days::hours(1)).to_rfc3339(),
                "closes_at": (Utc::now() + Days::days(30)).to_rfc3339(),
                "max_amount": "20000.00", "currency": "USD", "max_duration_months": 36,
                "eligible_countries": [], "themes": ["protection.shelter"], "required_documents": [],
                "rubric": [{"key": "relevance", "title": "Relevance", "weight": 1, "max_score": 10}]
            }))
            .await["id"]
            .as_str()
            .expect("call")
            .to_string();
        c.post(&admin, &format!("/api/v1/calls/{call}/open"), json!({})).await;
        let donor_org = c
            .post(&admin, "/api/v1/organisations", json!({"name": "Bench donor", "kind": "government", "country": "LU"}))
            .await["id"]
            .as_str()
            .expect("donor")
            .to_string();
        c.post(&admin, &format!("/api/v1/funds/{fund}/contributions"), json!({
            "donor_id": donor_org, "amount": "1000000.00", "currency": "USD",
            "received_on": Utc::now().date_naive().to_string(), "reference": "BENCH-1"
        }))
        .await;
        let (trustee_id, trustee) = user(&pool, &settings, "trustee", None, &[&fund]);
        let session = c
            .post(&admin, &format!("/api/v1/funds/{fund}/board-sessions"),
                  json!({"held_on": Utc::now().date_naive().to_string(), "trustee_ids": [trustee_id]}))
            .await["id"]
            .as_str()
            .expect("session")
            .to_string();
        let countries = ["NG", "TH", "MD", "BR", "PH", "KE", "RO", "NP"];
        let mut grants = Vec::new();
        for i in 0..GRANTS {
            let org = c
                .post(&admin, "/api/v1/organisations", json!({"name": format!("NGO {i}"), "kind": "ngo", "country": countries[i % countries.len()]}))
                .await["id"]
                .as_str()
                .expect("org")
                .to_string();
            // the secretariat verifies an organisation before it may submit
            c.patch(&admin, &format!("/api/v1/organisations/{org}"), json!({"verified": true}))
                .await;
            let (_, ngo) = user(&pool, &settings, "ngo", Some(&org), &[]);
            let application = c
                .post(&ngo, &format!("/api/v1/calls/{call}/applications"), json!({
                    "title": format!("Project {i}"), "summary": "Shelter.", "requested_amount": "10000.00",
                    "duration_months": 36, "countries": [countries[i % countries.len()]],
                    "themes": ["protection.shelter"],
                    "budget": [{"category": "shelter", "description": "rent", "amount": "6000.00"},
                               {"category": "legal-aid", "description": "lawyers", "amount": "4000.00"}]
                }))
                .await["id"]
                .as_str()
                .expect("application")
                .to_string();
            c.post(&ngo, &format!("/api/v1/applications/{application}/submit"), json!({})).await;
            c.post(&admin, &format!("/api/v1/applications/{application}/screening"), json!({"eligible": true, "notes": "ok"})).await;
            let decision = c
                .post(&trustee, &format!("/api/v1/board-sessions/{session}/decisions"), json!({
                    "application_id": application, "outcome": "approved", "approved_amount": "10000.00", "rationale": "bench"
                }))
                .await;
            let grant = decision["grant_id"].as_str().expect("grant").to_string();
            c.post(&ngo, &format!("/api/v1/grants/{grant}/sign"), json!({})).await;
            grants.push((grant, org));
        }

        let (_, donor) = user(&pool, &settings, "donor", Some(&donor_org), &[]);
        let postgres = settings.database.url.starts_with("postgres");
        let mut seeded = 0;
        for size in SIZES {
            let start = Instant::now();
            seed(&pool, &fund, &grants, seeded..size);
            println!(
                "seeded {} accepted reports (now {size}) over {GRANTS} grants in {:.1} s",
                size - seeded,
                start.elapsed().as_secs_f64()
            );
            seeded = size;
            let mut conn = pool.get().expect("connection");
            if postgres {
                // seeding 500 reports per transaction leaves several dead versions of every
                // total row behind (each batch updates the same rows); a running service's
                // autovacuum clears them between acceptances, which come one at a time
                let start = Instant::now();
                use diesel::RunQueryDsl;
                diesel::sql_query(
                    "VACUUM (ANALYZE) outcome_totals, outcome_country_totals, \
                     outcome_service_totals, outcome_report_totals",
                )
                .execute(&mut *conn)
                .expect("vacuum");
                println!("vacuumed the running totals in {:.1} s", start.elapsed().as_secs_f64());
            }
            println!(
                "running totals of the fund: {} rows of people per cell, {} per country, {} of services, {} of reports",
                rows(&mut conn, "outcome_totals", &fund),
                rows(&mut conn, "outcome_country_totals", &fund),
                rows(&mut conn, "outcome_service_totals", &fund),
                rows(&mut conn, "outcome_report_totals", &fund)
            );
            drop(conn);
            for (label, token, query) in [
                ("admin, all periods", &admin, ""),
                ("donor (suppressed), all", &donor, ""),
                ("admin, one year", &admin, "?from=2025-01-01&to=2025-12-31"),
                ("admin, cut inside months", &admin, "?from=2024-03-15&to=2026-05-20"),
            ] {
                let url = format!("{}/api/v1/funds/{fund}/outcomes{query}", c.base);
                // warm up
                let first: Value = c.http.get(&url).bearer_auth(token).send().await.expect("get").json().await.expect("json");
                assert!(first["reports"].is_number() || first["reports"].is_string(), "{first}");
                if token == &admin && query.is_empty() {
                    assert_eq!(first["reports"], json!(size), "every report counted");
                }
                let mut samples = Vec::with_capacity(REQUESTS);
                for _ in 0..REQUESTS {
                    let t = Instant::now();
                    let response = c.http.get(&url).bearer_auth(token).send().await.expect("get");
                    assert!(response.status().is_success());
                    response.bytes().await.expect("body");
                    samples.push(t.elapsed());
                }
                stats(&format!("{size:>7} reports: {label}"), samples);
            }
        }
    });
}
