//! How fast a call's ranking answers at the size of a real round: 500 screened-in
//! applications and 1,500 submitted reviews (three per application), target < 50 ms.
//!
//!     cargo bench --bench ranking                  # SQLite in a temporary folder
//!     TRUSTFUND_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ranking cargo bench --bench ranking
//!
//! The PostgreSQL database must exist and be empty (migrations run at start). Fund, call,
//! organisations and the contribution go through the API; applications, reviewers and
//! reviews are written straight into the tables through the library (the API would need
//! documents, submissions and screenings for each). Then one client times 200 sequential
//! `GET /api/v1/calls/{id}/ranking` (after 20 to warm up) and prints p50/p95/p99.

use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::prelude::*;
use serde_json::json;
use trustfund::config::Settings;

const APPLICATIONS: usize = 500;
const REVIEWS_PER_APPLICATION: usize = 3;
const REVIEWERS: usize = 30;
const ORGANISATIONS: usize = 50;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut settings = Settings::load(None).expect("settings");
    settings.data_dir = dir.path().join("data");
    settings.server.address = "127.0.0.1:0".into();
    settings.log.level = "warn".into();
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
        let client = reqwest::Client::new();

        let mut conn = pool.get().expect("connection");
        let admin = trustfund::auth::store::insert(
            &mut conn,
            trustfund::auth::store::NewUser {
                email: &format!("bench-admin-{}@example.org", uuid::Uuid::new_v4().simple()),
                display_name: "Bench admin",
                password_hash: "x",
                role: trustfund::auth::Role::Admin,
                organisation_id: None,
                email_verified: true,
            },
        )
        .expect("admin");
        let token = trustfund::auth::tokens::issue_access(&settings.auth, &admin.id).expect("jwt");
        let post = |path: String, body: serde_json::Value| {
            let client = client.clone();
            let token = token.clone();
            let url = format!("{base}{path}");
            async move {
                let r = client
                    .post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .expect("post");
                assert!(r.status().is_success(), "{}", r.status());
                let v: serde_json::Value = r.json().await.expect("json");
                v["id"].as_str().unwrap_or_default().to_string()
            }
        };
        let code = format!("B{}", &uuid::Uuid::new_v4().simple().to_string()[..6]).to_uppercase();
        let fund_id = post(
            "/api/v1/funds".into(),
            json!({"code": code, "name": "Bench fund", "support_cost_rate": "0.13", "board_quorum": 3}),
        )
        .await;
        let call_id = post(
            format!("/api/v1/funds/{fund_id}/calls"),
            json!({
                "title": "Bench call", "description": "Ranking benchmark.",
                "opens_at": (Utc::now() - chrono::Duration::hours(1)).to_rfc3339(),
                "closes_at": (Utc::now() + chrono::Duration::days(30)).to_rfc3339(),
                "max_amount": "20000.00", "currency": "USD", "max_duration_months": 12,
                "eligible_countries": ["NG"], "themes": ["protection.shelter"],
                "required_documents": ["proposal"],
                "rubric": [
                    {"key": "relevance", "title": "Relevance", "weight": "0.3", "max_score": 10},
                    {"key": "capacity", "title": "Capacity", "weight": "0.3", "max_score": 10},
                    {"key": "budget", "title": "Budget", "weight": "0.2", "max_score": 5},
                    {"key": "impact", "title": "Impact", "weight": "0.2", "max_score": 20}
                ]
            }),
        )
        .await;
        let donor = post(
            "/api/v1/organisations".into(),
            json!({"name": "Bench donor", "kind": "government", "country": "LU"}),
        )
        .await;
        post(
            format!("/api/v1/funds/{fund_id}/contributions"),
            json!({"donor_id": donor, "amount": "2000000.00", "currency": "USD",
                   "received_on": "2025-02-01", "reference": "BENCH"}),
        )
        .await;
        let mut orgs = Vec::new();
        for i in 0..ORGANISATIONS {
            orgs.push(
                post(
                    "/api/v1/organisations".into(),
                    json!({"name": format!("NGO {i}"), "kind": "ngo", "country": "NG"}),
                )
                .await,
            );
        }

        let seeding = Instant::now();
        trustfund::db::write_transaction(&mut conn, |conn| -> QueryResult<()> {
            let reviewers: Vec<String> = (0..REVIEWERS)
                .map(|i| {
                    trustfund::auth::store::insert(
                        conn,
                        trustfund::auth::store::NewUser {
                            email: &format!("bench-reviewer-{i}-{}@example.org", uuid::Uuid::new_v4().simple()),
                            display_name: &format!("Reviewer {i}"),
                            password_hash: "x",
                            role: trustfund::auth::Role::Reviewer,
                            organisation_id: None,
                            email_verified: true,
                        },
                    )
                    .map(|u| u.id)
                })
                .collect::<QueryResult<_>>()?;
            let now = Utc::now().naive_utc();
            for i in 0..APPLICATIONS {
                let id = uuid::Uuid::now_v7().to_string();
                let row = trustfund::applications::store::ApplicationRow {
                    id: id.clone(),
                    call_id: call_id.clone(),
                    fund_id: fund_id.clone(),
                    organisation_id: orgs[i % ORGANISATIONS].clone(),
                    reference: Some(format!("BENCH-2026-{:05}", i + 1)),
                    title: format!("Application {i}"),
                    summary: "A summary the ranking never reads.".repeat(20),
                    requested_amount: Some(500_000 + (i as i64 * 7_919) % 1_500_000),
                    currency: "USD".into(),
                    duration_months: Some(12),
                    status: if i % 10 == 0 {
                        trustfund::applications::model::ApplicationStatus::Deferred
                    } else {
                        trustfund::applications::model::ApplicationStatus::UnderReview
                    },
                    revision: 1,
                    version: 3,
                    created_by: None,
                    contact_email: None,
                    submitted_at: Some(now),
                    screening_eligible: Some(true),
                    screening_notes: Some(String::new()),
                    screened_at: Some(now),
                    return_reason: None,
                    returned_at: None,
                    withdrawn_at: None,
                    created_at: now,
                    updated_at: now,
                };
                diesel::insert_into(trustfund::db::schema::applications::table)
                    .values(row)
                    .execute(conn)?;
                for k in 0..REVIEWS_PER_APPLICATION {
                    let seed = (i * 31 + k * 17) as i64;
                    let scores = json!({
                        "relevance": seed % 11, "capacity": (seed / 3) % 11,
                        "budget": (seed / 7) % 6, "impact": (seed / 5) % 21
                    });
                    let row = trustfund::review::store::AssignmentRow {
                        id: uuid::Uuid::now_v7().to_string(),
                        application_id: id.clone(),
                        call_id: call_id.clone(),
                        fund_id: fund_id.clone(),
                        reviewer_id: reviewers[(i + k * 7) % REVIEWERS].clone(),
                        status: trustfund::review::model::AssignmentStatus::Cleared,
                        conflict_statement: None,
                        declared_at: Some(now),
                        scores: scores.to_string(),
                        comment: "Bench review.".into(),
                        recommendation: Some(
                            trustfund::review::model::Recommendation::ALL
                                [(seed % 3) as usize],
                        ),
                        submitted_at: Some(now),
                        version: 4,
                        assigned_by: Some(admin.id.clone()),
                        created_at: now,
                        updated_at: now,
                        due_on: now.date() + chrono::Duration::days(14),
                    };
                    diesel::insert_into(trustfund::db::schema::review_assignments::table)
                        .values(row)
                        .execute(conn)?;
                }
            }
            Ok(())
        })
        .expect("seed");
        drop(conn);
        println!(
            "seeded {APPLICATIONS} applications and {} submitted reviews in {:.1} s",
            APPLICATIONS * REVIEWS_PER_APPLICATION,
            seeding.elapsed().as_secs_f64()
        );

        let url = format!("{base}/api/v1/calls/{call_id}/ranking");
        let get = || async {
            let start = Instant::now();
            let r = client.get(&url).bearer_auth(&token).send().await.expect("get");
            assert_eq!(r.status(), 200);
            let body = r.bytes().await.expect("body");
            (start.elapsed(), body.len())
        };
        let (_, size) = get().await;
        let check: serde_json::Value = serde_json::from_slice(
            &client.get(&url).bearer_auth(&token).send().await.expect("get").bytes().await.expect("body"),
        )
        .expect("json");
        let rows = check["applications"].as_array().map_or(0, Vec::len);
        assert_eq!(rows, APPLICATIONS);
        println!(
            "ranking: {rows} rows, {size} bytes, {} within the funding line",
            check["funding_line"]["applications_within"]
        );
        for _ in 0..20 {
            get().await;
        }
        let mut samples: Vec<Duration> = Vec::new();
        for _ in 0..200 {
            samples.push(get().await.0);
        }
        samples.sort();
        let n = samples.len();
        let pct = |p: f64| ms(samples[((n as f64 * p) as usize).min(n - 1)]);
        let mean = samples.iter().sum::<Duration>() / n as u32;
        println!(
            "GET /api/v1/calls/{{id}}/ranking   n={n}  mean {:.2} ms  p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms  (target p95 < 50 ms)",
            ms(mean),
            pct(0.50),
            pct(0.95),
            pct(0.99),
            ms(samples[n - 1])
        );
    });
}
