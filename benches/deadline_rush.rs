//! Deadline-rush load generator: N NGOs (seeded by `trustfund seed-load-test`) each create
//! a draft, complete it, upload a document of `--doc-bytes` and submit, all at once (or
//! their starts spread over `--spread-secs`), against a running server. Afterwards the
//! submitted applications are counted through the API: an accepted submission missing
//! from the count is a lost application.
//!
//! Run by `benches/deadline_rush.sh`, which starts the release binary; by hand:
//! `cargo bench --bench deadline_rush -- --base http://127.0.0.1:18466 --seed seed.json`.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use serde_json::{Value, json};

struct Args {
    base: String,
    seed: String,
    spread_secs: f64,
    doc_bytes: usize,
    count_only: bool,
}

fn args() -> Args {
    let mut out = Args {
        base: "http://127.0.0.1:18466".into(),
        seed: "seed.json".into(),
        spread_secs: 0.0,
        doc_bytes: 1 << 20,
        count_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--base" => out.base = it.next().expect("--base URL"),
            "--seed" => out.seed = it.next().expect("--seed FILE"),
            "--spread-secs" => {
                out.spread_secs = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--spread-secs N")
            }
            "--doc-bytes" => {
                out.doc_bytes = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--doc-bytes N")
            }
            "--count-only" => out.count_only = true,
            "--bench" => {} // added by `cargo bench`
            other => panic!("unknown argument {other}"),
        }
    }
    out
}

#[derive(Default)]
struct Outcome {
    /// Latency of each step that answered, by step.
    latencies: BTreeMap<&'static str, Vec<Duration>>,
    /// Failures: step, status or transport error.
    errors: Vec<(&'static str, String)>,
    submitted: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

async fn step(
    outcome: &tokio::sync::Mutex<Outcome>,
    name: &'static str,
    request: reqwest::RequestBuilder,
    expect: u16,
) -> Option<(reqwest::header::HeaderMap, Value)> {
    let started = Instant::now();
    let result = request.send().await;
    let elapsed = started.elapsed();
    match result {
        Ok(response) => {
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body: Value = response.json().await.unwrap_or(Value::Null);
            let mut o = outcome.lock().await;
            o.latencies.entry(name).or_default().push(elapsed);
            if status == expect {
                Some((headers, body))
            } else {
                o.errors
                    .push((name, format!("{status} {}", body["detail"])));
                None
            }
        }
        Err(e) => {
            outcome
                .lock()
                .await
                .errors
                .push((name, format!("transport: {e}")));
            None
        }
    }
}

async fn one_ngo(
    client: reqwest::Client,
    base: Arc<String>,
    call_id: Arc<String>,
    token: String,
    document: Bytes,
    delay: Duration,
    outcome: Arc<tokio::sync::Mutex<Outcome>>,
) {
    tokio::time::sleep(delay).await;
    let auth = format!("Bearer {token}");
    let Some((headers, created)) = step(
        &outcome,
        "create",
        client
            .post(format!("{base}/api/v1/calls/{call_id}/applications"))
            .header("authorization", &auth)
            .json(&json!({})),
        201,
    )
    .await
    else {
        return;
    };
    let id = created["id"].as_str().unwrap_or_default().to_string();
    let etag = headers
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("*")
        .to_string();
    let complete = json!({
        "title": "Shelter and legal aid for survivors",
        "summary": "Emergency shelter, medical care and legal aid for 40 survivors.",
        "requested_amount": "18000.00",
        "duration_months": 8,
        "countries": ["NG"],
        "themes": ["protection.shelter", "protection.legal-aid"],
        "planned_beneficiaries": [
            {"sex": "female", "age_group": "child", "exploitation": "sexual", "count": 15},
            {"sex": "female", "age_group": "adult", "exploitation": "forced-labour", "count": 25}
        ],
        "budget": [
            {"category": "shelter", "description": "rent, food", "amount": "10000.00"},
            {"category": "legal aid", "description": "lawyers", "amount": "8000.00"}
        ]
    });
    if step(
        &outcome,
        "complete",
        client
            .patch(format!("{base}/api/v1/applications/{id}"))
            .header("authorization", &auth)
            .header("if-match", etag)
            .json(&complete),
        200,
    )
    .await
    .is_none()
    {
        return;
    }
    let length = document.len() as u64;
    let part = reqwest::multipart::Part::stream_with_length(reqwest::Body::from(document), length)
        .file_name("proposal.pdf")
        .mime_str("application/pdf")
        .expect("mime");
    let form = reqwest::multipart::Form::new()
        .text("kind", "proposal")
        .part("file", part);
    if step(
        &outcome,
        "upload",
        client
            .post(format!("{base}/api/v1/applications/{id}/documents"))
            .header("authorization", &auth)
            .multipart(form),
        201,
    )
    .await
    .is_none()
    {
        return;
    }
    if step(
        &outcome,
        "submit",
        client
            .post(format!("{base}/api/v1/applications/{id}/submit"))
            .header("authorization", &auth)
            .json(&json!({})),
        200,
    )
    .await
    .is_some()
    {
        outcome.lock().await.submitted += 1;
    }
}

/// Submitted applications of the call, counted through the API, and whether their
/// reference numbers are all distinct.
async fn count_submitted(
    client: &reqwest::Client,
    base: &str,
    call_id: &str,
    admin: &str,
) -> (usize, bool) {
    let mut count = 0;
    let mut references = HashSet::new();
    let mut unique = true;
    let mut cursor: Option<String> = None;
    loop {
        let mut url =
            format!("{base}/api/v1/applications?call_id={call_id}&status=submitted&limit=200");
        if let Some(c) = &cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        let page: Value = client
            .get(url)
            .bearer_auth(admin)
            .send()
            .await
            .expect("list")
            .json()
            .await
            .expect("json");
        let Some(items) = page["items"].as_array() else {
            panic!("listing the submitted applications failed: {page}");
        };
        for item in items {
            count += 1;
            unique &= references.insert(item["reference"].as_str().unwrap_or_default().to_string());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return (count, unique),
        }
    }
}

#[tokio::main]
async fn main() {
    let args = args();
    let seed: Value =
        serde_json::from_str(&std::fs::read_to_string(&args.seed).expect("seed file"))
            .expect("seed JSON");
    let call_id = seed["call_id"].as_str().expect("call_id").to_string();
    let admin = seed["admin_token"]
        .as_str()
        .expect("admin_token")
        .to_string();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(2000)
        .timeout(Duration::from_secs(300))
        .build()
        .expect("client");
    if args.count_only {
        let (count, unique) = count_submitted(&client, &args.base, &call_id, &admin).await;
        println!("{{\"submitted_after_restart\": {count}, \"references_unique\": {unique}}}");
        return;
    }
    let ngos = seed["ngos"].as_array().expect("ngos").clone();
    let mut document = b"%PDF-1.7\n% deadline rush proposal\n".to_vec();
    document.resize(args.doc_bytes, b'.');
    let document = Bytes::from(document);
    let outcome = Arc::new(tokio::sync::Mutex::new(Outcome::default()));
    let (base, call) = (Arc::new(args.base.clone()), Arc::new(call_id.clone()));
    let started = Instant::now();
    let tasks: Vec<_> = ngos
        .iter()
        .enumerate()
        .map(|(i, ngo)| {
            let delay =
                Duration::from_secs_f64(args.spread_secs * i as f64 / ngos.len().max(1) as f64);
            tokio::spawn(one_ngo(
                client.clone(),
                base.clone(),
                call.clone(),
                ngo["token"].as_str().expect("token").to_string(),
                document.clone(),
                delay,
                outcome.clone(),
            ))
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
    let wall = started.elapsed();
    let (counted, unique) = count_submitted(&client, &args.base, &call_id, &admin).await;
    let mut o = outcome.lock().await;
    println!(
        "{} NGOs, {} byte document each, starts spread over {} s, wall time {:.1} s",
        ngos.len(),
        args.doc_bytes,
        args.spread_secs,
        wall.as_secs_f64()
    );
    println!(
        "{:<9} {:>6} {:>9} {:>9} {:>9} {:>9}",
        "step", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let mut summary = serde_json::Map::new();
    for (name, lat) in o.latencies.iter_mut() {
        lat.sort();
        let (p50, p95, p99) = (
            percentile(lat, 50.0),
            percentile(lat, 95.0),
            percentile(lat, 99.0),
        );
        let max = lat.last().copied().unwrap_or_default();
        println!(
            "{:<9} {:>6} {:>9} {:>9} {:>9} {:>9}",
            name,
            lat.len(),
            ms(p50),
            ms(p95),
            ms(p99),
            ms(max)
        );
        summary.insert(
            format!("{name}_p99_ms"),
            json!((p99.as_secs_f64() * 10000.0).round() / 10.0),
        );
    }
    let lost = o.submitted.saturating_sub(counted);
    println!(
        "errors: {}   accepted submissions: {}   counted after: {}   lost: {}   references unique: {}",
        o.errors.len(),
        o.submitted,
        counted,
        lost,
        unique
    );
    for (name, e) in o.errors.iter().take(10) {
        println!("  error in {name}: {e}");
    }
    summary.insert("errors".into(), json!(o.errors.len()));
    summary.insert("accepted".into(), json!(o.submitted));
    summary.insert("counted".into(), json!(counted));
    summary.insert("lost".into(), json!(lost));
    println!("SUMMARY {}", Value::Object(summary));
    if !o.errors.is_empty() || lost > 0 || !unique {
        std::process::exit(1);
    }
}
