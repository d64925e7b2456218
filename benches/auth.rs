//! What signing in and checking a token cost.
//!
//!     cargo bench --bench auth                     # SQLite in a temporary folder
//!     TRUSTFUND_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench cargo bench --bench auth
//!
//! Measures, in a release build:
//! 1. the primitives: argon2id hash and verify at the configured cost, JWT issue and verify;
//! 2. login latency over HTTP (argon2 dominates), one client, sequential;
//! 3. the token check per request: GET /api/v1/me (bearer JWT verified, user and funds
//!    reloaded from the database) against GET /health/live (no auth), first one client at a
//!    time (latency), then 16 concurrent clients for a few seconds (throughput).
//!
//! The server runs in this process on a random port with its default worker count; the
//! clients share the machine, so absolute throughput is a floor, and the difference between
//! the two endpoints is the figure of interest.

use std::time::{Duration, Instant};

use trustfund::config::Settings;

const PASSWORD: &str = "harbour lantern meadow 7";

fn stats(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let n = samples.len();
    let mean = samples.iter().sum::<Duration>() / n as u32;
    let pct = |p: f64| samples[((n as f64 * p) as usize).min(n - 1)];
    println!(
        "{label:<44} n={n:<6} mean {:>9.3} ms   p50 {:>9.3} ms   p95 {:>9.3} ms",
        ms(mean),
        ms(pct(0.50)),
        ms(pct(0.95))
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn time<T>(n: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    (0..n)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect()
}

async fn timed_get(client: &reqwest::Client, url: &str, token: Option<&str>) -> Duration {
    let mut request = client.get(url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let start = Instant::now();
    let response = request.send().await.expect("request");
    assert!(
        response.status().is_success(),
        "{url}: {}",
        response.status()
    );
    response.bytes().await.expect("body");
    start.elapsed()
}

/// `clients` tasks hammer `url` for `duration`; returns (requests per second, mean latency).
async fn throughput(
    url: &str,
    token: Option<&str>,
    clients: usize,
    duration: Duration,
) -> (f64, Duration) {
    let deadline = Instant::now() + duration;
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let url = url.to_string();
            let token = token.map(str::to_string);
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut latencies = Vec::new();
                while Instant::now() < deadline {
                    latencies.push(timed_get(&client, &url, token.as_deref()).await);
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    let mean = all.iter().sum::<Duration>() / all.len().max(1) as u32;
    (all.len() as f64 / duration.as_secs_f64(), mean)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is taken.
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

    println!("\n-- primitives");
    let hashed = trustfund::auth::password::hash(PASSWORD).expect("hash");
    let parameters: Vec<&str> = hashed.splitn(5, '$').take(4).collect();
    println!("argon2 parameters: {}", parameters.join("$"));
    stats(
        "argon2id hash",
        time(20, || trustfund::auth::password::hash(PASSWORD)),
    );
    stats(
        "argon2id verify (right password)",
        time(20, || {
            trustfund::auth::password::verify(PASSWORD, Some(&hashed))
        }),
    );
    stats(
        "argon2id verify (unknown account, dummy hash)",
        time(20, || trustfund::auth::password::verify(PASSWORD, None)),
    );
    let token = trustfund::auth::tokens::issue_access(&settings.auth, "bench-user").expect("jwt");
    stats(
        "JWT issue (HS256)",
        time(20_000, || {
            trustfund::auth::tokens::issue_access(&settings.auth, "bench-user")
        }),
    );
    stats(
        "JWT verify (HS256, all claims)",
        time(20_000, || {
            trustfund::auth::tokens::verify_access(&settings.auth, &token)
        }),
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
        let email = format!("bench-{}@example.org", uuid::Uuid::new_v4().simple());
        trustfund::auth::create_admin(&pool, &email, "Bench", PASSWORD).expect("admin");
        let client = reqwest::Client::new();
        let login = || async {
            let start = Instant::now();
            let response = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&serde_json::json!({"email": email, "password": PASSWORD}))
                .send()
                .await
                .expect("login");
            assert_eq!(response.status(), 200);
            let body: serde_json::Value = response.json().await.expect("json");
            (
                start.elapsed(),
                body["access_token"].as_str().expect("token").to_string(),
            )
        };

        println!("\n-- over HTTP, one client");
        let mut samples = Vec::new();
        let mut access = String::new();
        for _ in 0..30 {
            let (took, token) = login().await;
            samples.push(took);
            access = token;
        }
        stats("POST /api/v1/auth/login", samples);
        let live = format!("{base}/health/live");
        let me = format!("{base}/api/v1/me");
        for _ in 0..200 {
            timed_get(&client, &live, None).await;
            timed_get(&client, &me, Some(&access)).await;
        }
        let mut live_samples = Vec::new();
        let mut me_samples = Vec::new();
        for _ in 0..2000 {
            live_samples.push(timed_get(&client, &live, None).await);
            me_samples.push(timed_get(&client, &me, Some(&access)).await);
        }
        let live_mean = live_samples.iter().sum::<Duration>() / live_samples.len() as u32;
        let me_mean = me_samples.iter().sum::<Duration>() / me_samples.len() as u32;
        stats("GET /health/live (no auth)", live_samples);
        stats("GET /api/v1/me (JWT + user reload)", me_samples);
        println!(
            "token check cost per request (mean difference): {:.3} ms",
            ms(me_mean.saturating_sub(live_mean))
        );

        println!("\n-- over HTTP, 16 concurrent clients, 5 s each");
        let (live_rps, live_lat) = throughput(&live, None, 16, Duration::from_secs(5)).await;
        println!(
            "GET /health/live                             {live_rps:>8.0} req/s   mean {:.3} ms",
            ms(live_lat)
        );
        let (me_rps, me_lat) = throughput(&me, Some(&access), 16, Duration::from_secs(5)).await;
        println!(
            "GET /api/v1/me                               {me_rps:>8.0} req/s   mean {:.3} ms",
            ms(me_lat)
        );
    });
}
