//! What ranking costs: `GET /registry/needs/{id}/matches` (offers for a need) and
//! `GET /registry/offers/{id}/matches` (needs for an offer) with 10,000 needs and 10,000
//! offers beside 100,000 registry projects.
//!
//!     cargo bench --bench adam                          # SQLite in a temporary folder
//!     TRUSTFUND_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_adam cargo bench --bench adam
//!     BENCH_PROJECTS=0 cargo bench --bench adam         # without the registry projects
//!
//! Seeds, straight through the library: 200 verified organisations (`organisations::create`),
//! the registry projects (`registry::store::insert_rows`, in transactions of 500), then the
//! needs and offers through `needs::create_need` and `needs::create_offer` (the functions the
//! API calls: row and audit event), in transactions of 500. Needs are spread over 40
//! countries, one each; offers cover one to five of them; themes, kinds of help, periods
//! (2027 to 2029) and money are drawn from a fixed seed. Then it times 300 sequential
//! requests of each ranking, as the public and as a member, over HTTP to the server running
//! in this process: p50, p95, p99. The PostgreSQL database must exist and be empty.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::json;
use trustfund::auth::Actor;
use trustfund::config::Settings;
use trustfund::db::write_transaction;
use trustfund::needs::model::{PostDraft, PostKind};
use trustfund::needs::rules::{HelpKind, PostStatus};

const ORGANISATIONS: usize = 200;
const COUNTRIES: [&str; 40] = [
    "NG", "GH", "SN", "CI", "ML", "BF", "NE", "TG", "BJ", "CM", "KE", "UG", "TZ", "ET", "RW", "MZ",
    "ZA", "ZM", "MW", "MG", "PE", "CO", "MX", "GT", "HN", "BO", "EC", "PY", "AR", "CL", "IN", "BD",
    "NP", "PK", "LK", "TH", "KH", "VN", "PH", "ID",
];
const BATCH: usize = 500;
const REQUESTS: usize = 300;
const UNUSABLE_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$dGVzdHNhbHR0ZXN0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let n = samples.len();
    let pct = |p: f64| samples[((n as f64 * p) as usize).min(n - 1)];
    println!(
        "{label:<44} n={n:<4} p50 {:>7.2} ms   p95 {:>7.2} ms   p99 {:>7.2} ms   max {:>7.2} ms",
        ms(pct(0.50)),
        ms(pct(0.95)),
        ms(pct(0.99)),
        ms(samples[n - 1])
    );
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn pick<T: Clone>(rng: &mut StdRng, from: &[T], max: usize) -> Vec<T> {
    let n = rng.random_range(1..=max.min(from.len()));
    let mut out: Vec<T> = Vec::with_capacity(n);
    while out.len() < n {
        out.push(from[rng.random_range(0..from.len())].clone());
    }
    out
}

fn draft(rng: &mut StdRng, org: &str, kind: PostKind, i: usize) -> PostDraft {
    let themes: Vec<String> = trustfund::taxonomy::themes().map(String::from).collect();
    let start = NaiveDate::from_ymd_opt(2027, 1, 1).expect("date")
        + chrono::Duration::days(rng.random_range(0..730));
    let end = start + chrono::Duration::days(rng.random_range(90..730));
    let places = match kind {
        PostKind::Need => vec![COUNTRIES[rng.random_range(0..COUNTRIES.len())].to_string()],
        PostKind::Offer => dedup(pick(rng, &COUNTRIES, 5))
            .into_iter()
            .map(String::from)
            .collect(),
    };
    let amount = (rng.random_range(0..4) > 0).then(|| {
        trustfund::money::Money::from_minor(
            rng.random_range(1_000_000..50_000_000),
            trustfund::money::Currency::parse(if rng.random_range(0..5) == 0 {
                "EUR"
            } else {
                "USD"
            })
            .expect("currency"),
        )
    });
    PostDraft {
        organisation_id: org.to_string(),
        title: format!("{kind:?} {i} for shelters and legal aid"),
        description: "Seeded for the ranking benchmark.".into(),
        places,
        themes: dedup(pick(rng, &themes, 4)),
        kinds: dedup(pick(rng, HelpKind::ALL, 3)),
        period: trustfund::needs::rules::Period { start, end },
        amount,
        link: None,
        restricted: rng.random_range(0..10) == 0,
        status: PostStatus::Open,
    }
}

fn dedup<T: PartialEq>(mut v: Vec<T>) -> Vec<T> {
    let mut out = Vec::new();
    for x in v.drain(..) {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut settings = Settings::load(None).expect("settings");
    settings.data_dir = dir.path().join("data");
    settings.server.address = "127.0.0.1:0".into();
    settings.database.url = std::env::var("TRUSTFUND_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let projects = env_count("BENCH_PROJECTS", 100_000);
    let needs = env_count("BENCH_NEEDS", 10_000);
    let offers = env_count("BENCH_OFFERS", 10_000);
    println!(
        "database: {}   cores: {}   projects {projects}, needs {needs}, offers {offers}",
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
        let mut rng = StdRng::seed_from_u64(42);
        let actor = Actor::default();
        let seeding = Instant::now();

        let mut conn = pool.get().expect("connection");
        let orgs: Vec<String> = write_transaction(&mut conn, |conn| {
            (0..ORGANISATIONS)
                .map(|i| {
                    let new = trustfund::organisations::model::NewOrganisation {
                        name: format!("Bench organisation {i}"),
                        kind: if i % 2 == 0 {
                            trustfund::organisations::model::OrgKind::Government
                        } else {
                            trustfund::organisations::model::OrgKind::Foundation
                        },
                        country: COUNTRIES[i % COUNTRIES.len()].to_string(),
                        identifier: None,
                        verified: true,
                        listed_anonymously: false,
                        may_donate: true,
                        protected: false,
                    };
                    trustfund::organisations::create(
                        conn,
                        &actor,
                        &new,
                        trustfund::audit::Action::Create,
                    )
                    .map(|v| v.id)
                })
                .collect()
        })
        .expect("organisations");

        let themes: Vec<String> = trustfund::taxonomy::themes().map(String::from).collect();
        let mut seeded = 0;
        while seeded < projects {
            let n = BATCH.min(projects - seeded);
            let rows: Vec<_> = (seeded..seeded + n)
                .map(|i| {
                    let request: trustfund::registry::model::CreateProject =
                        serde_json::from_value(json!({
                            "title": format!("Registry project {i} on shelters and prosecution"),
                            "description": "Seeded for the ranking benchmark.",
                            "reporting_org_id": orgs[i % orgs.len()],
                            "countries": dedup(pick(&mut rng, &COUNTRIES, 3)),
                            "themes": dedup(pick(&mut rng, &themes, 3)),
                            "start_on": "2026-01-01",
                            "end_on": "2028-12-31",
                            "budget": "100000.00",
                            "currency": "USD",
                            "status": "active",
                        }))
                        .expect("project");
                    let draft = request.validate().expect("valid project");
                    trustfund::registry::store::ProjectRow::new(
                        uuid::Uuid::now_v7().to_string(),
                        &draft,
                        trustfund::registry::model::ProjectSource::Manual,
                        1,
                        trustfund::clock::now_naive(),
                    )
                })
                .collect();
            write_transaction(&mut conn, |conn| {
                Ok::<_, trustfund::error::AppError>(trustfund::registry::store::insert_rows(conn, &rows)?)
            })
            .expect("projects");
            seeded += n;
        }
        println!("registry projects seeded: {projects}");

        let mut need_ids = Vec::new();
        let mut offer_ids = Vec::new();
        for (kind, total) in [(PostKind::Need, needs), (PostKind::Offer, offers)] {
            let mut done = 0;
            while done < total {
                let n = BATCH.min(total - done);
                let drafts: Vec<PostDraft> = (done..done + n)
                    .map(|i| {
                        let org = &orgs[rng.random_range(0..orgs.len())];
                        draft(&mut rng, org, kind, i)
                    })
                    .collect();
                let ids: Vec<String> = write_transaction(&mut conn, |conn| {
                    drafts
                        .iter()
                        .map(|d| match kind {
                            PostKind::Need => {
                                trustfund::needs::create_need(conn, &actor, d).map(|v| v.id)
                            }
                            PostKind::Offer => {
                                trustfund::needs::create_offer(conn, &actor, d).map(|v| v.id)
                            }
                        })
                        .collect()
                })
                .expect("needs and offers");
                match kind {
                    PostKind::Need => need_ids.extend(ids),
                    PostKind::Offer => offer_ids.extend(ids),
                }
                done += n;
            }
        }
        println!(
            "seeded in {:.1} s: {} organisations, {projects} projects, {needs} needs, {offers} offers",
            seeding.elapsed().as_secs_f64(),
            orgs.len()
        );
        if trustfund::db::dialect(&conn) == trustfund::db::Dialect::Postgres {
            use diesel::RunQueryDsl;
            diesel::sql_query("ANALYZE").execute(&mut *conn).expect("analyze");
        }
        drop(conn);

        // a member of one organisation, to rank as members do (their own restricted posts)
        let member = {
            let mut conn = pool.get().expect("connection");
            let row = trustfund::auth::store::insert(
                &mut conn,
                trustfund::auth::store::NewUser {
                    email: "bench-member@example.org",
                    display_name: "Bench",
                    password_hash: UNUSABLE_HASH,
                    role: trustfund::auth::Role::Donor,
                    organisation_id: Some(&orgs[1]),
                    email_verified: true,
                },
            )
            .expect("user");
            trustfund::auth::tokens::issue_access(&settings.auth, &row.id).expect("token")
        };
        let http = reqwest::Client::new();
        let mut candidates = 0usize;
        for (label, ids, path, token) in [
            ("offers for a need (public)", &need_ids, "needs", None),
            ("offers for a need (member)", &need_ids, "needs", Some(&member)),
            ("needs for an offer (public)", &offer_ids, "offers", None),
            ("needs for an offer (member)", &offer_ids, "offers", Some(&member)),
        ] {
            let mut samples = Vec::with_capacity(REQUESTS);
            for _ in 0..REQUESTS {
                let id = &ids[rng.random_range(0..ids.len())];
                let mut request = http.get(format!("{base}/api/v1/registry/{path}/{id}/matches"));
                if let Some(t) = token {
                    request = request.bearer_auth(t);
                }
                let started = Instant::now();
                let response = request.send().await.expect("request");
                let status = response.status();
                let body: serde_json::Value = response.json().await.expect("json");
                samples.push(started.elapsed());
                // a restricted post is 404 to the public: that is an answer too
                assert!(status == 200 || status == 404, "{status} {body}");
                candidates += body["items"].as_array().map_or(0, Vec::len);
            }
            stats(label, samples);
        }
        println!(
            "ranked items returned: {candidates} over {} requests (at most 20 each)",
            4 * REQUESTS
        );
    });
}
