//! Test harness: a real server on a random port, talked to over HTTP like any client.
//! Each test gets its own SQLite file, and — when `TRUSTFUND_TEST_DATABASE_URL` is set — its
//! own freshly created PostgreSQL database, so tests never see each other's data.
#![allow(dead_code)]

pub mod board;
pub mod browser;
pub mod chromium;
pub mod contract;
pub mod transparency;
pub mod world;

use std::path::PathBuf;

use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::{Method, Response, StatusCode};
use serde_json::Value;
use trustfund::config::Settings;
use trustfund::db::DbPool;

pub const PG_ENV: &str = "TRUSTFUND_TEST_DATABASE_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub backend: Backend,
    pub pool: DbPool,
    pub data_dir: PathBuf,
    pub settings: Settings,
    /// Bearer token sent by `get`, `post`, `patch` and `request` when set.
    pub token: std::sync::Mutex<Option<String>>,
    _dir: tempfile::TempDir,
}

/// Runs `job` on `threads` threads released at once, as that many instances running the
/// same background job would; returns the sum of what they report.
pub fn race_threads(threads: usize, job: impl Fn() -> usize + Sync) -> usize {
    let barrier = std::sync::Barrier::new(threads);
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    job()
                })
            })
            .collect();
        runs.into_iter().map(|h| h.join().expect("thread")).sum()
    })
}

/// Settings for a test: defaults, a temporary data folder, port 0, quiet logs.
pub fn test_settings(dir: &std::path::Path, database_url: String) -> Settings {
    let mut settings = Settings::load(None).expect("default settings load");
    settings.data_dir = dir.join("data");
    settings.server.address = "127.0.0.1:0".into();
    settings.server.workers = 2;
    settings.database.url = database_url;
    settings.database.pool_size = 8;
    // The outbox worker looks often, so tests that wait for an email wait little.
    settings.email.poll_interval_ms = 50;
    // The fixtures record money and rates on fixed 2025 dates while fund status values
    // outstanding pledges on the real today, so the default 45-day age limit would make
    // their rates stale as the calendar moves on. The age rule's own tests
    // (`money_in::a_stale_rate_*`) set the default back and date everything from today.
    settings.exchange.max_rate_age_days = 3660;
    settings
}

/// A new, empty PostgreSQL database on the server named by `TRUSTFUND_TEST_DATABASE_URL`;
/// `None` when the variable is not set. They are not dropped per test (DROP DATABASE forces
/// a checkpoint, which would serialise the suite); `.ci/run` drops leftovers once per run.
pub fn fresh_postgres_url() -> Option<String> {
    let base = std::env::var(PG_ENV).ok()?;
    let name = format!("trustfund_test_{}", uuid::Uuid::new_v4().simple());
    let mut admin = PgConnection::establish(&base)
        .unwrap_or_else(|e| panic!("{PG_ENV} is set but PostgreSQL cannot be reached: {e}"));
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .expect("create test database");
    let (without_query, query) = match base.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (base.as_str(), None),
    };
    let (prefix, _) = without_query
        .rsplit_once('/')
        .expect("database URL has a path");
    Some(match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    })
}

pub fn database_url(backend: Backend, dir: &std::path::Path) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(format!("sqlite://{}", dir.join("test.db").display())),
        Backend::Postgres => fresh_postgres_url(),
    }
}

/// Starts the service; `None` for PostgreSQL when no test server is configured.
pub async fn spawn_app(backend: Backend) -> Option<TestApp> {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(
    backend: Backend,
    adjust: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    spawn_app_full(backend, false, adjust).await
}

/// Starts the service, with the demo data and accounts when `demo` is set.
pub async fn spawn_app_full(
    backend: Backend,
    demo: bool,
    adjust: impl FnOnce(&mut Settings),
) -> Option<TestApp> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = database_url(backend, dir.path())?;
    let mut settings = test_settings(dir.path(), url);
    adjust(&mut settings);
    let app = trustfund::Application::build(settings.clone(), demo).expect("application starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let pool = app.pool();
    tokio::spawn(app.run_until_stopped());
    Some(TestApp {
        base,
        client: reqwest::Client::new(),
        backend,
        pool,
        data_dir: settings.data_dir.clone(),
        settings,
        token: std::sync::Mutex::new(None),
        _dir: dir,
    })
}

/// Runs one test body against SQLite and, when configured, PostgreSQL:
/// `both_backends!(name, |app| async move { ... });` makes `name::sqlite` and
/// `name::postgres` in the module it is written in. (`#[macro_use] mod common;` in
/// `main.rs` makes both macros visible to every test module declared after it.)
macro_rules! both_backends {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = crate::common::spawn_app(crate::common::Backend::Sqlite)
                    .await
                    .expect("sqlite app");
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match crate::common::spawn_app(crate::common::Backend::Postgres).await {
                    Some(app) => ($body)(app).await,
                    None => eprintln!("skipped: {} is not set", crate::common::PG_ENV),
                }
            }
        }
    };
}

/// Like `both_backends!`, with the settings adjusted first:
/// `both_backends_with!(name, |s: &mut Settings| { ... }, |app| async move { ... });`.
macro_rules! both_backends_with {
    ($name:ident, $adjust:expr, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = crate::common::spawn_app_with(crate::common::Backend::Sqlite, $adjust)
                    .await
                    .expect("sqlite app");
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match crate::common::spawn_app_with(crate::common::Backend::Postgres, $adjust).await
                {
                    Some(app) => ($body)(app).await,
                    None => eprintln!("skipped: {} is not set", crate::common::PG_ENV),
                }
            }
        }
    };
}

/// A response read once: status, headers and JSON body.
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub async fn from(response: Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Reply {
            status,
            headers,
            body,
            text,
        }
    }

    /// Sends `request` and fails the test if the answer is not one the OpenAPI document
    /// gives for this operation and status.
    pub async fn checked(method: &Method, path: &str, request: reqwest::RequestBuilder) -> Self {
        let reply = Self::from(request.send().await.expect("request sent")).await;
        contract::check(
            method.as_str(),
            path,
            reply.status.as_u16(),
            &reply.header("content-type").unwrap_or_default(),
            &reply.text,
        );
        reply
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Asserts an RFC 9457 answer with this status and code; returns the fields it names.
    pub fn assert_problem(&self, status: u16, code: &str) -> Vec<String> {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "problem content type; body: {}",
            self.text
        );
        assert_eq!(self.body["code"], code, "problem code; body: {}", self.text);
        assert_eq!(self.body["status"], status);
        assert!(
            self.body["type"]
                .as_str()
                .is_some_and(|t| t.ends_with(&format!("/problems/{code}")))
        );
        assert!(self.body["title"].is_string() && self.body["detail"].is_string());
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let checked_method = method.clone();
        let mut request = self.client.request(method, self.url(path));
        let default_token = self.token.lock().expect("token lock").clone();
        if let Some(token) = default_token
            && !headers
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Reply::checked(&checked_method, path, request).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.request(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.request(Method::POST, path, Some(body), &[]).await
    }

    /// An edit. `if_match: None` sends `If-Match: *` (a client that overwrites whatever is
    /// there); to send no `If-Match` at all (428), use `request`.
    pub async fn patch(&self, path: &str, body: Value, if_match: Option<&str>) -> Reply {
        let headers = vec![("if-match", if_match.unwrap_or("*"))];
        self.request(Method::PATCH, path, Some(body), &headers)
            .await
    }

    /// Sends raw bytes with a chosen content type.
    pub async fn send_raw(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let checked_method = method.clone();
        let mut request = self.client.request(method, self.url(path)).body(body);
        if let Some(token) = self.token.lock().expect("token lock").clone() {
            request = request.bearer_auth(token);
        }
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        Reply::checked(&checked_method, path, request).await
    }

    /// How many rows a table holds, read straight from the database.
    pub fn count(&self, table: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = self.pool.get().expect("connection");
        diesel::sql_query(format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"))
            .get_result::<Count>(&mut *conn)
            .expect("count")
            .n
    }
}

/// A password hash for test users that never log in with a password (their tokens are
/// issued directly); hashing for real in every test would cost seconds.
const UNUSABLE_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$dGVzdHNhbHR0ZXN0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

impl TestApp {
    /// Creates a verified user with `role` (in `organisation_id`, sitting on the boards of
    /// `fund_ids`) and returns a valid access token for it.
    pub fn user_token_with_funds(
        &self,
        role: &str,
        organisation_id: Option<&str>,
        fund_ids: &[&str],
    ) -> String {
        self.user_with_funds(role, organisation_id, fund_ids).1
    }

    /// Like `user_token_with_funds`, returning the new user's id beside its token.
    pub fn user_with_funds(
        &self,
        role: &str,
        organisation_id: Option<&str>,
        fund_ids: &[&str],
    ) -> (String, String) {
        let role = trustfund::auth::Role::from_db(role).expect("a known role");
        let mut conn = self.pool.get().expect("connection");
        let email = format!(
            "{}-{}@example.org",
            role.as_str(),
            uuid::Uuid::new_v4().simple()
        );
        let user = trustfund::auth::store::insert(
            &mut conn,
            trustfund::auth::store::NewUser {
                email: &email,
                display_name: "Test user",
                password_hash: UNUSABLE_HASH,
                role,
                organisation_id,
                email_verified: true,
            },
        )
        .expect("insert test user");
        for fund_id in fund_ids {
            trustfund::auth::store::add_fund(&mut conn, &user.id, fund_id).expect("add fund");
        }
        let token =
            trustfund::auth::tokens::issue_access(&self.settings.auth, &user.id).expect("token");
        (user.id, token)
    }

    pub fn user_token(&self, role: &str, organisation_id: Option<&str>) -> String {
        self.user_token_with_funds(role, organisation_id, &[])
    }

    /// Makes the plain request helpers act as a new admin; returns its token.
    pub fn sign_in_as_admin(&self) -> String {
        let token = self.user_token("admin", None);
        *self.token.lock().expect("token lock") = Some(token.clone());
        token
    }

    /// Makes the plain request helpers anonymous again.
    pub fn sign_out(&self) {
        *self.token.lock().expect("token lock") = None;
    }

    pub async fn request_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let auth = format!("Bearer {token}");
        let mut all: Vec<(&str, &str)> = vec![("authorization", auth.as_str())];
        all.extend_from_slice(headers);
        self.request(method, path, body, &all).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> Reply {
        self.request_as(token, Method::GET, path, None, &[]).await
    }

    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> Reply {
        self.request_as(token, Method::POST, path, Some(body), &[])
            .await
    }

    pub async fn patch_as(
        &self,
        token: &str,
        path: &str,
        body: Value,
        if_match: Option<&str>,
    ) -> Reply {
        let headers = vec![("if-match", if_match.unwrap_or("*"))];
        self.request_as(token, Method::PATCH, path, Some(body), &headers)
            .await
    }
}

/// An email as delivered, with its quoted-printable parts decoded.
#[derive(Debug, Clone)]
pub struct Mail {
    pub raw: String,
    pub decoded: String,
}

impl Mail {
    pub fn from_raw(raw: String) -> Self {
        let decoded = decode_quoted_printable(&raw);
        Mail { raw, decoded }
    }

    /// The one-time token of the first link ending in `?token=<token>`.
    pub fn token(&self) -> String {
        let start = self
            .decoded
            .find("?token=")
            .unwrap_or_else(|| panic!("no ?token= link in the email:\n{}", self.decoded))
            + "?token=".len();
        self.decoded[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }

    pub fn is_to(&self, address: &str) -> bool {
        self.raw
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("to:") && l.contains(address))
    }
}

/// Undoes quoted-printable: soft line breaks and `=XX` escapes (good enough for our mails).
pub fn decode_quoted_printable(raw: &str) -> String {
    let joined = raw.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl TestApp {
    /// Folder of the `file` mail transport.
    pub fn mail_dir(&self) -> PathBuf {
        self.settings.email.file_dir(&self.data_dir)
    }

    /// Emails written so far to `address` by the file transport, oldest first.
    pub fn emails_to(&self, address: &str) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir()) else {
            return Vec::new();
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        files
            .into_iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .map(Mail::from_raw)
            .filter(|m| m.is_to(address))
            .collect()
    }

    /// Waits (up to 30 s) until `count` emails to `address` were written; returns them all.
    pub async fn wait_for_emails(&self, address: &str, count: usize) -> Vec<Mail> {
        for _ in 0..600 {
            let mails = self.emails_to(address);
            if mails.len() >= count {
                return mails;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!(
            "expected {count} email(s) to {address}, found {}",
            self.emails_to(address).len()
        );
    }

    /// The newest email to `address`, waiting for the `count`-th one to arrive.
    pub async fn email_number(&self, address: &str, count: usize) -> Mail {
        self.wait_for_emails(address, count)
            .await
            .into_iter()
            .nth(count - 1)
            .expect("the email")
    }

    /// Lets the outbox worker finish every pending message (up to 30 s).
    pub async fn drain_outbox(&self) {
        for _ in 0..600 {
            if self.count("outbox WHERE status = 'pending'") == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the outbox did not drain");
    }

    /// Runs SQL straight against the database (to age rows, expire tokens, …).
    /// Reverts the migration whose name ends in `suffix` and applies it again, as an
    /// installation that upgrades with data already in it.
    pub fn migrate_again(&self, suffix: &str) {
        use diesel::migration::MigrationSource;
        use diesel_migrations::{FileBasedMigrations, MigrationHarness};
        fn redo<DB: diesel::backend::Backend>(
            conn: &mut impl MigrationHarness<DB>,
            migrations: impl MigrationSource<DB>,
            suffix: &str,
        ) {
            let all = migrations.migrations().expect("migrations");
            let found = all
                .iter()
                .find(|m| m.name().to_string().ends_with(suffix))
                .unwrap_or_else(|| panic!("no migration ends in {suffix}"));
            conn.revert_migration(found.as_ref()).expect("revert");
            conn.run_migration(found.as_ref()).expect("migrate again");
        }
        let dir = |backend: &str| {
            FileBasedMigrations::from_path(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("migrations")
                    .join(backend),
            )
            .expect("migrations folder")
        };
        let mut conn = self.pool.get().expect("connection");
        match &mut *conn {
            trustfund::db::DbConn::Sqlite(c) => redo(c, dir("sqlite"), suffix),
            trustfund::db::DbConn::Postgres(c) => redo(c, dir("postgres"), suffix),
        }
    }

    /// Runs `sql` straight on the database, behind the service's back, then tells the
    /// service (in this process) that something changed, so that what it keeps in memory
    /// is read again at the next request, as after its own writes.
    pub fn execute(&self, sql: &str) -> usize {
        let mut conn = self.pool.get().expect("connection");
        let changed = diesel::sql_query(sql)
            .execute(&mut *conn)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        trustfund::db::changes::note_outside_write();
        changed
    }

    /// Creates a verified user with a real password; returns its id.
    pub fn user_with_password(
        &self,
        role: &str,
        email: &str,
        password: &str,
        organisation_id: Option<&str>,
    ) -> String {
        let role = trustfund::auth::Role::from_db(role).expect("a known role");
        let hash = trustfund::auth::password::hash(password).expect("hash");
        let mut conn = self.pool.get().expect("connection");
        trustfund::auth::store::insert(
            &mut conn,
            trustfund::auth::store::NewUser {
                email,
                display_name: "Test user",
                password_hash: &hash,
                role,
                organisation_id,
                email_verified: true,
            },
        )
        .expect("insert user")
        .id
    }

    /// Signs in with email and password; returns the whole answer.
    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            Some(serde_json::json!({"email": email, "password": password})),
            &[],
        )
        .await
    }

    /// Signs in from a given client address (needs `server.trust_forwarded_for`).
    pub async fn login_from(&self, address: &str, email: &str, password: &str) -> Reply {
        self.request(
            Method::POST,
            "/api/v1/auth/login",
            Some(serde_json::json!({"email": email, "password": password})),
            &[("x-forwarded-for", address)],
        )
        .await
    }
}
