//! Documents in S3-compatible object storage (`documents.storage = "s3"`), against a real
//! S3-compatible server: moto in server mode, installed from PyPI by
//! `scripts/s3-test-server` into a venv under the target folder and started per test.
//! Skipped, saying so, only when python3 with venv cannot be run here.

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::{ObjectStore, ObjectStoreExt};
use reqwest::Method;
use sha2::{Digest, Sha256};

use crate::common::world::{World, pdf};
use crate::common::{Backend, Reply, TestApp, spawn_app_with};
use trustfund::config::StorageKind;

const PREFIX: &str = "trustfund/documents";

/// A moto server on its own port, stopped (its process killed) when dropped.
struct Moto {
    child: Child,
    endpoint: String,
    _log: tempfile::NamedTempFile,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn python_available() -> bool {
    Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Starts moto (installing it on first use); `None` only when python3 cannot.
async fn start_moto() -> Option<Moto> {
    if !python_available() {
        eprintln!(
            "skipped: python3 with venv and pip is not available here, so the S3-compatible test server (moto) cannot run"
        );
        return None;
    }
    let port = free_port();
    let log = tempfile::NamedTempFile::new().expect("log file");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/s3-test-server");
    let mut child = Command::new(script)
        .arg(port.to_string())
        .stdin(Stdio::null())
        .stdout(log.reopen().expect("log"))
        .stderr(log.reopen().expect("log"))
        .spawn()
        .expect("scripts/s3-test-server starts");
    let endpoint = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    // the first start installs moto from PyPI, which takes a minute or two
    for _ in 0..1200 {
        if let Ok(r) = client.get(format!("{endpoint}/")).send().await
            && r.status().is_success()
        {
            return Some(Moto {
                child,
                endpoint,
                _log: log,
            });
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "scripts/s3-test-server exited ({status}): {}",
                std::fs::read_to_string(log.path()).unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let _ = child.kill();
    panic!(
        "moto did not answer within 5 minutes: {}",
        std::fs::read_to_string(log.path()).unwrap_or_default()
    );
}

/// A fresh bucket on the server (moto accepts an unsigned CreateBucket).
async fn create_bucket(moto: &Moto) -> String {
    let bucket = format!(
        "trustfund-{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let r = reqwest::Client::new()
        .put(format!("{}/{bucket}", moto.endpoint))
        .send()
        .await
        .expect("create bucket");
    assert!(r.status().is_success(), "create bucket: {}", r.status());
    bucket
}

fn bucket_client(moto: &Moto, bucket: &str) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(&moto.endpoint)
        .with_allow_http(true)
        .with_bucket_name(bucket)
        .with_region("us-east-1")
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .expect("s3 client")
}

/// Every object in the bucket, as its path.
async fn objects(client: &AmazonS3) -> Vec<String> {
    client
        .list(None)
        .map(|meta| meta.expect("listing").location.to_string())
        .collect()
        .await
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn upload(app: &TestApp, token: &str, application: &str, bytes: Vec<u8>) -> Reply {
    let form = reqwest::multipart::Form::new()
        .text("kind", "proposal")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name("proposal.pdf")
                .mime_str("application/octet-stream")
                .expect("mime"),
        );
    let response = app
        .client
        .post(app.url(&format!("/api/v1/applications/{application}/documents")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    Reply::from(response).await
}

fn spool_is_empty(app: &TestApp) -> bool {
    std::fs::read_dir(app.data_dir.join("spool")).map_or(true, |mut d| d.next().is_none())
}

/// Sends the start of an upload announcing more than it sends, then hangs up.
fn abandon_an_upload(app: &TestApp, token: &str, application: &str) {
    let address = app.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect");
    let boundary = "XBOUNDARYX";
    let start = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nproposal\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n%PDF-1.4\n% {}\n",
        "x".repeat(64 * 1024)
    );
    let head = format!(
        "POST /api/v1/applications/{application}/documents HTTP/1.1\r\nHost: {address}\r\n\
         Authorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: 1000000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).expect("head");
    stream
        .write_all(start.as_bytes())
        .expect("part of the body");
    stream.flush().expect("flush");
    drop(stream);
}

async fn documents_live_in_the_bucket(backend: Backend) {
    if backend == Backend::Postgres && std::env::var(crate::common::PG_ENV).is_err() {
        eprintln!("skipped: {} is not set", crate::common::PG_ENV);
        return;
    }
    let Some(moto) = start_moto().await else {
        return;
    };
    let bucket = create_bucket(&moto).await;
    let (endpoint, name) = (moto.endpoint.clone(), bucket.clone());
    let Some(app) = spawn_app_with(backend, move |s| {
        s.documents.storage = StorageKind::S3;
        s.documents.s3.bucket = name;
        s.documents.s3.endpoint = endpoint;
        s.documents.s3.prefix = PREFIX.into();
        s.documents.s3.access_key_id = "test".into();
        s.documents.s3.secret_access_key = "test".into();
        s.documents.s3.allow_http = true;
    })
    .await
    else {
        eprintln!("skipped: {} is not set", crate::common::PG_ENV);
        return;
    };
    let client = bucket_client(&moto, &bucket);
    let w = World::new(&app)
        .fund()
        .open_call()
        .ngo()
        .application("Shelter", "1000.00")
        .await;
    let (ngo, application) = (w.ngo_token(), w.application_id());

    // a small document (one request) and one over the part size (a multipart upload)
    let small = pdf("a budget");
    let large = pdf(&"a long annex ".repeat(750_000));
    assert!(large.len() > 9 * 1024 * 1024);
    let mut stored = Vec::new();
    for bytes in [small, large] {
        let r = upload(&app, ngo, application, bytes.clone()).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["sha256"], sha256(&bytes).as_str());
        stored.push((r.body["href"].as_str().expect("href").to_string(), bytes));
    }
    let listed = objects(&client).await;
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.iter().all(|o| o.starts_with(PREFIX)), "{listed:?}");
    assert!(
        !app.data_dir.join("documents").exists(),
        "nothing in the local folder"
    );
    assert!(spool_is_empty(&app), "the spool files are gone");

    // read back through the API, byte for byte
    for (href, bytes) in &stored {
        let r = app
            .client
            .get(app.url(href))
            .bearer_auth(ngo)
            .send()
            .await
            .expect("sent");
        assert_eq!(r.status(), 200);
        let body = r.bytes().await.expect("body");
        assert_eq!(sha256(&body), sha256(bytes));
    }

    if backend == Backend::Sqlite {
        backup_and_restore_through_the_bucket(&app, &moto, &bucket, &stored).await;
    }

    // refused and abandoned uploads leave nothing behind, in the bucket or the spool
    let r = upload(
        &app,
        ngo,
        application,
        b"MZ\x90\x00\x03 an executable".to_vec(),
    )
    .await;
    r.assert_problem(415, "unsupported_media_type");
    abandon_an_upload(&app, ngo, application);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(objects(&client).await.len(), 2);
    for _ in 0..40 {
        if spool_is_empty(&app) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        spool_is_empty(&app),
        "an abandoned upload's spool file is gone"
    );

    // removing a draft's documents removes their objects
    for (href, _) in &stored {
        let r = app.request_as(ngo, Method::DELETE, href, None, &[]).await;
        assert_eq!(r.status, 204, "{}", r.text);
    }
    let left = objects(&client).await;
    assert!(left.is_empty(), "{left:?}");
}

/// `trustfund` with the documents in `bucket` on moto, the database at `database`.
fn trustfund_on(moto: &Moto, bucket: &str, data_dir: &Path, database: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trustfund"));
    for (key, _) in std::env::vars() {
        if key.starts_with("TRUSTFUND__") {
            command.env_remove(key);
        }
    }
    command
        .env("TRUSTFUND__DATA_DIR", data_dir)
        .env(
            "TRUSTFUND__DATABASE__URL",
            format!("sqlite://{}", database.display()),
        )
        .env("TRUSTFUND__DOCUMENTS__STORAGE", "s3")
        .env("TRUSTFUND__DOCUMENTS__S3__BUCKET", bucket)
        .env("TRUSTFUND__DOCUMENTS__S3__PREFIX", PREFIX)
        .env("TRUSTFUND__DOCUMENTS__S3__ENDPOINT", &moto.endpoint)
        .env("TRUSTFUND__DOCUMENTS__S3__ACCESS_KEY_ID", "test")
        .env("TRUSTFUND__DOCUMENTS__S3__SECRET_ACCESS_KEY", "test")
        .env("TRUSTFUND__DOCUMENTS__S3__ALLOW_HTTP", "true");
    command
}

/// `backup` reads the documents from the bucket; `restore` writes them into another,
/// empty one, and refuses one that holds documents.
async fn backup_and_restore_through_the_bucket(
    app: &TestApp,
    moto: &Moto,
    bucket: &str,
    stored: &[(String, Vec<u8>)],
) {
    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("backup");
    let database = std::path::PathBuf::from(trustfund::db::sqlite_path(&app.settings.database.url));
    let output = trustfund_on(moto, bucket, &app.data_dir, &database)
        .args(["backup", "--out", out.to_str().expect("utf-8")])
        .output()
        .expect("backup runs");
    let said = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    assert!(output.status.success(), "{}", said(&output));
    assert!(said(&output).contains("2 document(s)"), "{}", said(&output));

    let target = create_bucket(moto).await;
    let data = dir.path().join("restored");
    let output = trustfund_on(moto, &target, &data, &data.join("trustfund.db"))
        .args(["restore", "--from", out.to_str().expect("utf-8")])
        .output()
        .expect("restore runs");
    assert!(output.status.success(), "{}", said(&output));
    let client = bucket_client(moto, &target);
    let mut restored = Vec::new();
    for path in objects(&client).await {
        let bytes = client
            .get(&object_store::path::Path::from(path))
            .await
            .expect("get")
            .bytes()
            .await
            .expect("bytes");
        restored.push(sha256(&bytes));
    }
    let mut expected: Vec<String> = stored.iter().map(|(_, b)| sha256(b)).collect();
    restored.sort();
    expected.sort();
    assert_eq!(
        restored, expected,
        "every document in the new bucket, unchanged"
    );

    let elsewhere = dir.path().join("elsewhere");
    let output = trustfund_on(moto, &target, &elsewhere, &elsewhere.join("trustfund.db"))
        .args(["restore", "--from", out.to_str().expect("utf-8")])
        .output()
        .expect("restore runs");
    assert!(!output.status.success());
    assert!(
        said(&output).contains("already holds documents"),
        "{}",
        said(&output)
    );
}

mod documents_live_in_an_s3_bucket {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        documents_live_in_the_bucket(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        documents_live_in_the_bucket(Backend::Postgres).await;
    }
}

#[test]
fn s3_settings_are_checked_and_the_secret_is_masked() {
    let check = |vars: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_trustfund"));
        for (key, _) in std::env::vars() {
            if key.starts_with("TRUSTFUND__") {
                command.env_remove(key);
            }
        }
        command.env("TRUSTFUND__DOCUMENTS__STORAGE", "s3");
        for (key, value) in vars {
            command.env(key, value);
        }
        let output = command.arg("check-config").output().expect("runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    };
    let (ok, text) = check(&[]);
    assert!(!ok && text.contains("documents.s3.bucket"), "{text}");
    let (ok, text) = check(&[
        ("TRUSTFUND__DOCUMENTS__S3__BUCKET", "fund-documents"),
        ("TRUSTFUND__DOCUMENTS__S3__ACCESS_KEY_ID", "AKIDEXAMPLE"),
    ]);
    assert!(!ok && text.contains("set both or neither"), "{text}");
    let (ok, text) = check(&[
        ("TRUSTFUND__DOCUMENTS__S3__BUCKET", "fund-documents"),
        (
            "TRUSTFUND__DOCUMENTS__S3__ENDPOINT",
            "http://minio.internal:9000",
        ),
    ]);
    assert!(!ok && text.contains("allow_http"), "{text}");
    let (ok, text) = check(&[
        ("TRUSTFUND__DOCUMENTS__S3__BUCKET", "fund-documents"),
        ("TRUSTFUND__DOCUMENTS__S3__ACCESS_KEY_ID", "AKIDEXAMPLE"),
        (
            "TRUSTFUND__DOCUMENTS__S3__SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI-secret",
        ),
    ]);
    assert!(ok, "{text}");
    assert!(!text.contains("wJalrXUtnFEMI-secret"), "{text}");
    assert!(
        text.contains("AKIDEXAMPLE") && text.contains("storage = \"s3\""),
        "{text}"
    );
}
