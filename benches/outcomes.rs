//! What `GET /funds/{id}/outcomes` costs over 10,000 accepted reports.
//!
//!     cargo bench --bench outcomes                     # SQLite in a temporary folder
//!     TRUSTFUND_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_outcomes cargo bench --bench outcomes
//!
//! Builds 20 grants through the API (fund, call, applications in several countries, board
//! approval, signature), then seeds 10,000 accepted reports straight through the library
//! (each with 8 beneficiary cells, 3 services and 2 expenditure lines, periods spread over
//! three years), and times 100 sequential requests of the fund's outcomes for an admin
//! (exact) and for a donor (suppressed): p50, p95, p99. The server runs in this process on
//! a random port; the PostgreSQL database must exist and be empty.

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
const REPORTS: usize = 10_000;
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
        let response = self
            .http
            .post(format!("{}{path}", self.base))
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

        // 10,000 accepted reports, seeded through the library in a few transactions
        let start = Instant::now();
        let usd = Currency::parse("USD").expect("usd");
        let first_day = NaiveDate::from_ymd_opt(2024, 1, 1).expect("date");
        let mut conn = pool.get().expect("connection");
        for chunk in 0..(REPORTS / 500) {
            trustfund::db::write_transaction(&mut conn, |conn| {
                for k in 0..500 {
                    let n = chunk * 500 + k;
                    let (grant, org) = &grants[n % GRANTS];
                    let end = first_day + Days::days((n % 1000) as i64);
                    let now = Utc::now().naive_utc();
                    let row = ReportRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        grant_id: grant.clone(),
                        fund_id: fund.clone(),
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
                        .fold(Vec::new(), |mut cells: Vec<(Sex, AgeGroup, Exploitation, i64)>, c| {
                            if !cells.iter().any(|(s, a, e, _)| (*s, *a, *e) == (c.0, c.1, c.2)) {
                                cells.push(c);
                            }
                            cells
                        });
                    let report = NewReport {
                        kind: ReportKind::Interim,
                        period_start: row.period_start,
                        period_end: end,
                        narrative: row.narrative.clone(),
                        beneficiaries,
                        services: (0..3)
                            .map(|j| (trustfund::taxonomy::SERVICES[(n + j) % 8].to_string(), ((n + j) % 30) as i64))
                            .collect(),
                        indicators: vec![],
                        expenditure: vec![
                            ("shelter".into(), Money::from_minor(10_000, usd)),
                            ("legal-aid".into(), Money::from_minor(5_000, usd)),
                        ],
                    };
                    trustfund::reports::store::insert(conn, &row, &report)?;
                }
                Ok::<_, trustfund::error::AppError>(())
            })
            .expect("seed");
        }
        drop(conn);
        println!("seeded {REPORTS} accepted reports over {GRANTS} grants in {:.1} s", start.elapsed().as_secs_f64());

        let (_, donor) = user(&pool, &settings, "donor", Some(&donor_org), &[]);
        for (label, token, query) in [
            ("outcomes, admin, all periods", &admin, ""),
            ("outcomes, donor (suppressed), all", &donor, ""),
            ("outcomes, admin, one year", &admin, "?from=2025-01-01&to=2025-12-31"),
        ] {
            let url = format!("{}/api/v1/funds/{fund}/outcomes{query}", c.base);
            // warm up
            let first: Value = c.http.get(&url).bearer_auth(token).send().await.expect("get").json().await.expect("json");
            assert!(first["reports"].is_number(), "{first}");
            let mut samples = Vec::with_capacity(REQUESTS);
            for _ in 0..REQUESTS {
                let t = Instant::now();
                let response = c.http.get(&url).bearer_auth(token).send().await.expect("get");
                assert!(response.status().is_success());
                response.bytes().await.expect("body");
                samples.push(t.elapsed());
            }
            stats(label, samples);
        }
    });
}
