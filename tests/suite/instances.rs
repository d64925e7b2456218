//! Two instances of the service over one database, as a deployment with several machines
//! runs them: this test's own server, and a second `trustfund serve` process with its own
//! pool, its own memory (the registry's in-memory index) and its own mail folder. What one
//! instance changes (the registry, a fund's figures) the other sees, a sign-in on one works on the other, every message of
//! the outbox is sent once by one of them, and every report reminder goes out once.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::common::world::World;
use crate::common::{Backend, TestApp, spawn_app_with};

const PROJECTS: &str = "/api/v1/registry/projects";

/// A second instance: another process on the same database, stopped when dropped.
struct Instance {
    child: Child,
    base: String,
    data_dir: PathBuf,
    client: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            // what the second instance said, beside the failed assertion
            let log =
                std::fs::read_to_string(self._dir.path().join("server.log")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            eprintln!("== the second instance's last log lines:");
            for line in tail.into_iter().rev() {
                eprintln!("{line}");
            }
        }
    }
}

/// What one process committed shows in the other's kept reads within
/// `db::changes::ANSWERS_FOR` (a millisecond): a read sent right after another instance's
/// write waits this long first, as any client a millisecond later would.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Both instances look for mail and reminders often, so the test waits little.
fn adjust(settings: &mut trustfund::config::Settings) {
    settings.email.poll_interval_ms = 50;
    settings.grants.reminder_interval_secs = 1;
}

async fn second_instance(first: &TestApp) -> Instance {
    let dir = tempfile::tempdir().expect("dir");
    let data_dir = dir.path().join("data");
    let port = free_port();
    let log = std::fs::File::create(dir.path().join("server.log")).expect("log");
    let mut command = Command::new(env!("CARGO_BIN_EXE_trustfund"));
    for (key, _) in std::env::vars() {
        if key.starts_with("TRUSTFUND__") {
            command.env_remove(key);
        }
    }
    let child = command
        .arg("serve")
        .env("RUST_LOG", "warn")
        .env("TRUSTFUND__SERVER__ADDRESS", format!("127.0.0.1:{port}"))
        .env("TRUSTFUND__SERVER__WORKERS", "2")
        .env("TRUSTFUND__DATA_DIR", &data_dir)
        .env("TRUSTFUND__DATABASE__URL", &first.settings.database.url)
        .env("TRUSTFUND__EMAIL__POLL_INTERVAL_MS", "50")
        .env("TRUSTFUND__GRANTS__REMINDER_INTERVAL_SECS", "1")
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("trustfund serve starts");
    let mut instance = Instance {
        child,
        base: format!("http://127.0.0.1:{port}"),
        data_dir,
        client: reqwest::Client::new(),
        _dir: dir,
    };
    for _ in 0..600 {
        if let Ok(r) = instance
            .client
            .get(format!("{}/health/ready", instance.base))
            .send()
            .await
            && r.status().is_success()
        {
            return instance;
        }
        if let Ok(Some(status)) = instance.child.try_wait() {
            let log = std::fs::read_to_string(instance._dir.path().join("server.log"));
            panic!("the second instance exited ({status}): {log:?}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the second instance did not become ready");
}

/// An answer from either instance: status and JSON body.
async fn call(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = client.request(method.clone(), url);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if method == reqwest::Method::PATCH {
        request = request.header("if-match", "*");
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("sent");
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn eml_ids(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".eml").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..1200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn two_instances_behave_as_one(a: TestApp) {
    let b = second_instance(&a).await;
    let admin = a.user_token("admin", None);
    let on_a = |path: &str| a.url(path);
    let on_b = |path: &str| format!("{}{path}", b.base);
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;

    // -- the registry's in-memory index: a change on one is seen on the other
    let (status, org) = call(
        &a.client,
        post.clone(),
        on_a("/api/v1/organisations"),
        Some(&admin),
        Some(json!({"name": "Mekong Shelter Network", "kind": "ngo", "country": "KH"})),
    )
    .await;
    assert_eq!(status, 201, "{org}");
    let org = org["id"].as_str().expect("org id").to_string();
    let count = |base_url: String| {
        let (client, admin) = (a.client.clone(), admin.clone());
        async move {
            let (status, body) =
                call(&client, reqwest::Method::GET, base_url, Some(&admin), None).await;
            assert_eq!(status, 200, "{body}");
            body["total"].as_i64().expect("total")
        }
    };
    let kh = format!("{PROJECTS}?country=KH");
    let la = format!("{PROJECTS}?country=LA");
    // both indexes are loaded before the change
    assert_eq!(count(on_a(&kh)).await, 0);
    assert_eq!(count(on_b(&kh)).await, 0);
    let (status, project) = call(
        &a.client,
        post.clone(),
        on_a(PROJECTS),
        Some(&admin),
        Some(json!({
            "title": "Safe houses along the Mekong",
            "description": "Shelter for survivors returning from across the border.",
            "reporting_org_id": org,
            "countries": ["KH"],
            "themes": ["protection.shelter"],
            "start_on": "2025-01-01",
            "end_on": "2026-12-31",
            "budget": "100000.00",
            "currency": "USD",
            "status": "active"
        })),
    )
    .await;
    assert_eq!(status, 201, "{project}");
    let project = project["id"].as_str().expect("project id").to_string();
    settle().await;
    assert_eq!(count(on_b(&kh)).await, 1, "made on A, seen on B");
    assert_eq!(count(on_a(&la)).await, 0);
    let (status, changed) = call(
        &b.client,
        reqwest::Method::PATCH,
        on_b(&format!("{PROJECTS}/{project}")),
        Some(&admin),
        Some(json!({"countries": ["LA"]})),
    )
    .await;
    assert_eq!(status, 200, "{changed}");
    settle().await;
    assert_eq!(count(on_a(&la)).await, 1, "changed on B, seen on A");
    assert_eq!(count(on_a(&kh)).await, 0);

    // -- sessions: signed in on A, refreshed on B, a stolen refresh token revoked on both
    let email = format!("finance-{}@example.org", uuid::Uuid::new_v4().simple());
    let password = "amber harbour lantern 41";
    let user_id = a.user_with_password("finance", &email, password, None);
    let sign_in_on_a = || async {
        let (status, pair) = call(
            &a.client,
            reqwest::Method::POST,
            on_a("/api/v1/auth/login"),
            None,
            Some(json!({"email": email, "password": password})),
        )
        .await;
        assert_eq!(status, 200, "{pair}");
        pair
    };
    let pair = sign_in_on_a().await;
    let access = pair["access_token"].as_str().expect("access").to_string();
    let refresh = pair["refresh_token"].as_str().expect("refresh").to_string();
    let (status, me) = call(
        &b.client,
        get.clone(),
        on_b("/api/v1/me"),
        Some(&access),
        None,
    )
    .await;
    assert_eq!(status, 200, "a token from A is good on B: {me}");
    let (status, renewed) = call(
        &b.client,
        post.clone(),
        on_b("/api/v1/auth/refresh"),
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await;
    assert_eq!(status, 200, "refreshed on B: {renewed}");
    let renewed_refresh = renewed["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let (status, _) = call(
        &a.client,
        post.clone(),
        on_a("/api/v1/auth/refresh"),
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await;
    assert_eq!(status, 401, "the used refresh token is refused on A");
    let (status, _) = call(
        &b.client,
        post.clone(),
        on_b("/api/v1/auth/refresh"),
        None,
        Some(json!({"refresh_token": renewed_refresh})),
    )
    .await;
    assert_eq!(status, 401, "its reuse on A revoked the sign-in on B too");

    // -- the user behind a token is kept in memory by each instance while nothing changes;
    // an account deactivated behind the service's back (SQL, as an operator would) is
    // refused by both at their next request
    let pair = sign_in_on_a().await;
    let access = pair["access_token"].as_str().expect("access").to_string();
    for _ in 0..2 {
        for (client, url) in [
            (&a.client, on_a("/api/v1/me")),
            (&b.client, on_b("/api/v1/me")),
        ] {
            let (status, me) = call(client, get.clone(), url, Some(&access), None).await;
            assert_eq!(status, 200, "{me}");
        }
    }
    {
        // straight on the database, with no notice from the test: B and A must see it by
        // themselves (`db::changes`), within a millisecond and the notification's delivery
        use diesel::RunQueryDsl;
        let mut conn = a.pool.get().expect("connection");
        diesel::sql_query(format!(
            "UPDATE users SET active = FALSE WHERE id = '{user_id}'"
        ))
        .execute(&mut *conn)
        .expect("deactivate");
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    for (client, url) in [
        (&b.client, on_b("/api/v1/me")),
        (&a.client, on_a("/api/v1/me")),
    ] {
        let (status, me) = call(client, get.clone(), url, Some(&access), None).await;
        assert_eq!(status, 401, "deactivated, refused at once: {me}");
    }

    // -- reminders: a report due in three days gets its two reminders once, although both
    // instances run the job every second
    let w = World::board(&a)
        .received("50000.00")
        .under_review("Shelter in Lagos", "15000.00")
        .grant("15000.00")
        .signed()
        .await;
    // a figure: money recorded on B is in the fund's status read on A
    let status_path = format!("/api/v1/funds/{}/status", w.fund_id());
    let (status, before) = call(
        &a.client,
        get.clone(),
        on_a(&status_path),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["received"], "50000.00");
    let (status, body) = call(
        &b.client,
        post.clone(),
        on_b(&format!("/api/v1/funds/{}/contributions", w.fund_id())),
        Some(&admin),
        Some(
            json!({"donor_id": w.donor_id(), "amount": "2500.00", "currency": "USD",
                    "received_on": Utc::now().date_naive().to_string(),
                    "reference": "BANK-ON-B"}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    settle().await;
    let (_, after) = call(
        &a.client,
        get.clone(),
        on_a(&status_path),
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(after["received"], "52500.00", "recorded on B, counted on A");

    let due = Utc::now().date_naive() + chrono::Duration::days(3);
    let moved = a.execute(&format!(
        "UPDATE grant_instalments SET due_on = '{due}' WHERE grant_id = '{}' AND report_kind = 'interim'",
        w.grant_id()
    ));
    assert!(
        moved >= 1,
        "the grant has an instalment on its interim report"
    );

    // -- the outbox: invitations made on both, every message sent once by one of them
    for n in 0..12 {
        let url = if n % 2 == 0 {
            on_a("/api/v1/invitations")
        } else {
            on_b("/api/v1/invitations")
        };
        let (status, body) = call(
            &a.client,
            post.clone(),
            url,
            Some(&admin),
            Some(json!({"email": format!("invitee-{n}@example.org"), "role": "finance"})),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    wait_until("both reminders are enqueued", || {
        a.count("outbox WHERE template = 'report_reminder'") >= 2
    })
    .await;
    a.drain_outbox().await;
    // a few more rounds of both jobs and both workers: nothing more is sent
    tokio::time::sleep(Duration::from_millis(2500)).await;
    a.drain_outbox().await;
    assert_eq!(a.count("outbox WHERE template = 'report_reminder'"), 2);
    let messages = a.count("outbox");
    assert!(messages >= 14, "12 invitations and 2 reminders, at least");
    assert_eq!(
        a.count("outbox WHERE status <> 'sent' OR attempts <> 1"),
        0,
        "every message sent on its first and only attempt"
    );
    let mut sent = eml_ids(&a.mail_dir());
    let from_a = sent.len();
    sent.extend(eml_ids(&b.data_dir.join("mail")));
    let total = sent.len();
    eprintln!("{from_a} message(s) sent by A, {} by B", total - from_a);
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), total, "no message was sent by both instances");
    assert_eq!(
        i64::try_from(total).expect("count"),
        messages,
        "each message sent once ({from_a} by A, {} by B)",
        total - from_a
    );
}

mod two_instances_share_one_database {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = spawn_app_with(Backend::Sqlite, adjust)
            .await
            .expect("sqlite app");
        two_instances_behave_as_one(app).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        match spawn_app_with(Backend::Postgres, adjust).await {
            Some(app) => two_instances_behave_as_one(app).await,
            None => eprintln!("skipped: {} is not set", crate::common::PG_ENV),
        }
    }
}
