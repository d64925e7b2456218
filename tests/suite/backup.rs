//! `trustfund backup` and `trustfund restore` as an operator runs them: a backup taken while
//! clients keep writing over HTTP, restored into a fresh folder, served again, and found
//! to hold every write that was acknowledged before the backup began and every document
//! with its SHA-256.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio::sync::Mutex;

use crate::common::world::{World, pdf};
use crate::common::{Backend, Reply, TestApp, spawn_app, test_settings};

/// The `trustfund` binary with no inherited `TRUSTFUND__*` settings.
fn trustfund() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trustfund"));
    command.env_remove("RUST_LOG");
    for (key, _) in std::env::vars() {
        if key.starts_with("TRUSTFUND__") {
            command.env_remove(key);
        }
    }
    command
}

fn run(command: &mut Command) -> Output {
    command.output().expect("trustfund runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// `trustfund <args>` on the installation with this data folder and SQLite file.
fn on(data_dir: &Path, database: &Path, args: &[&str]) -> Output {
    run(trustfund()
        .env("TRUSTFUND__DATA_DIR", data_dir)
        .env(
            "TRUSTFUND__DATABASE__URL",
            format!("sqlite://{}", database.display()),
        )
        .args(args))
}

fn sqlite_file(app: &TestApp) -> std::path::PathBuf {
    trustfund::db::sqlite_path(&app.settings.database.url).into()
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

/// Writes acknowledged by the service: (id, when the answer arrived).
type Acks = Arc<Mutex<Vec<(String, Instant)>>>;
/// Documents acknowledged: (document id, SHA-256 of what was sent, when).
type DocAcks = Arc<Mutex<Vec<(String, String, Instant)>>>;

mod under_write_load {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = spawn_app(Backend::Sqlite).await.expect("sqlite app");
        let w = World::new(&app)
            .fund()
            .open_call()
            .ngo()
            .donor()
            .application("Shelter", "1000.00")
            .await;
        let application = w.application_id().to_string();
        let ngo = w.ngo_token().to_string();
        let contributions_path = format!("/api/v1/funds/{}/contributions", w.fund_id());
        let donor = w.donor_id().to_string();
        drop(w);
        let app = Arc::new(app);
        let finance = app.user_token("finance", None);
        let stop = Arc::new(AtomicBool::new(false));
        let contributions: Acks = Arc::default();
        let documents: DocAcks = Arc::default();

        // two clients recording money, one NGO uploading documents, all until told to stop
        let mut writers = Vec::new();
        for writer in 0..2 {
            let (app, stop, acks) = (app.clone(), stop.clone(), contributions.clone());
            let (finance, path, donor) =
                (finance.clone(), contributions_path.clone(), donor.clone());
            writers.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let r = app
                        .post_as(
                            &finance,
                            &path,
                            json!({"donor_id": donor, "amount": format!("{}.00", 100 + n),
                                   "currency": "USD",
                                   "received_on": Utc::now().date_naive().to_string(),
                                   "reference": format!("BANK-{writer}-{n}")}),
                        )
                        .await;
                    assert_eq!(r.status, 201, "{}", r.text);
                    let id = r.body["id"].as_str().expect("id").to_string();
                    acks.lock().await.push((id, Instant::now()));
                }
            }));
        }
        {
            let (app, stop, acks) = (app.clone(), stop.clone(), documents.clone());
            let (ngo, application) = (ngo.clone(), application.clone());
            writers.push(tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let bytes = pdf(&format!("proposal {n} {}", uuid::Uuid::new_v4()));
                    let sha = sha256(&bytes);
                    let r = upload(&app, &ngo, &application, bytes).await;
                    assert_eq!(r.status, 201, "{}", r.text);
                    assert_eq!(r.body["sha256"], sha.as_str());
                    let id = r.body["id"].as_str().expect("id").to_string();
                    acks.lock().await.push((id, sha, Instant::now()));
                }
            }));
        }

        tokio::time::sleep(Duration::from_millis(700)).await;
        let backup_dir = tempfile::tempdir().expect("dir");
        let out = backup_dir.path().join("backup");
        let started = Instant::now();
        let output = {
            let (data, db, out) = (app.data_dir.clone(), sqlite_file(&app), out.clone());
            tokio::task::spawn_blocking(move || {
                on(
                    &data,
                    &db,
                    &["backup", "--out", out.to_str().expect("utf-8")],
                )
            })
            .await
            .expect("backup ran")
        };
        assert!(output.status.success(), "backup: {}", text(&output));
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop.store(true, Ordering::Relaxed);
        for writer in writers {
            writer.await.expect("writer");
        }
        let contributions: Vec<String> = contributions
            .lock()
            .await
            .iter()
            .filter(|(_, at)| *at < started)
            .map(|(id, _)| id.clone())
            .collect();
        let documents: Vec<(String, String)> = documents
            .lock()
            .await
            .iter()
            .filter(|(_, _, at)| *at < started)
            .map(|(id, sha, _)| (id.clone(), sha.clone()))
            .collect();
        assert!(
            contributions.len() >= 5 && documents.len() >= 3,
            "writes ran before the backup: {} contributions, {} documents",
            contributions.len(),
            documents.len()
        );

        // restored into a fresh, empty folder
        let fresh = tempfile::tempdir().expect("dir");
        let data = fresh.path().join("data");
        let db = data.join("trustfund.db");
        let from = out.to_str().expect("utf-8");
        let output = on(&data, &db, &["restore", "--from", from]);
        assert!(output.status.success(), "restore: {}", text(&output));
        // never over something
        let again = on(&data, &db, &["restore", "--from", from]);
        assert!(!again.status.success());
        assert!(text(&again).contains("not empty"), "{}", text(&again));

        // served again from the restored copy
        let mut settings = test_settings(fresh.path(), format!("sqlite://{}", db.display()));
        settings.data_dir = data.clone();
        let restored = trustfund::Application::build(settings, false).expect("restored app starts");
        let base = format!("http://127.0.0.1:{}", restored.port());
        tokio::spawn(restored.run_until_stopped());
        let client = reqwest::Client::new();
        for id in &contributions {
            let r = client
                .get(format!("{base}/api/v1/contributions/{id}"))
                .bearer_auth(&finance)
                .send()
                .await
                .expect("sent");
            assert_eq!(r.status(), 200, "acknowledged contribution {id} restored");
        }
        for (id, sha) in &documents {
            let r = client
                .get(format!(
                    "{base}/api/v1/applications/{application}/documents/{id}"
                ))
                .bearer_auth(&ngo)
                .send()
                .await
                .expect("sent");
            assert_eq!(r.status(), 200, "acknowledged document {id} restored");
            let body = r.bytes().await.expect("body");
            assert_eq!(&sha256(&body), sha, "document {id} has its SHA-256");
        }
    }
}

mod refuses_a_damaged_backup {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let app = spawn_app(Backend::Sqlite).await.expect("sqlite app");
        let w = World::new(&app)
            .fund()
            .open_call()
            .ngo()
            .application("Shelter", "1000.00")
            .await;
        let r = upload(&app, w.ngo_token(), w.application_id(), pdf("budget")).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let key = {
            #[derive(diesel::QueryableByName)]
            struct Key {
                #[diesel(sql_type = diesel::sql_types::Text)]
                storage_key: String,
            }
            use diesel::RunQueryDsl;
            let mut conn = app.pool.get().expect("connection");
            diesel::sql_query("SELECT storage_key FROM application_documents")
                .get_result::<Key>(&mut *conn)
                .expect("a document")
                .storage_key
        };
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("backup");
        let output = on(
            &app.data_dir,
            &sqlite_file(&app),
            &["backup", "--out", out.to_str().expect("utf-8")],
        );
        assert!(output.status.success(), "{}", text(&output));
        assert!(text(&output).contains("1 document(s)"), "{}", text(&output));
        let manifest: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("manifest.json")).expect("manifest"))
                .expect("json");
        assert_eq!(manifest["documents"][0]["key"], key.as_str());

        // into a folder that is not empty: refused, whatever the backup
        let occupied = dir.path().join("occupied");
        std::fs::create_dir_all(&occupied).expect("dir");
        std::fs::write(occupied.join("notes.txt"), "keep me").expect("write");
        let refused = on(
            &occupied,
            &occupied.join("trustfund.db"),
            &["restore", "--from", out.to_str().expect("utf-8")],
        );
        assert!(!refused.status.success());
        assert!(text(&refused).contains("not empty"), "{}", text(&refused));

        // a document changed on its way: nothing is restored
        let document = out.join("documents").join(&key);
        let mut bytes = std::fs::read(&document).expect("read");
        bytes[10] ^= 1;
        std::fs::write(&document, bytes).expect("write");
        let target = dir.path().join("target");
        let refused = on(
            &target,
            &target.join("trustfund.db"),
            &["restore", "--from", out.to_str().expect("utf-8")],
        );
        assert!(!refused.status.success());
        assert!(text(&refused).contains("SHA-256"), "{}", text(&refused));
        assert!(!target.join("trustfund.db").exists(), "nothing restored");
        assert!(!target.join("documents").exists(), "nothing restored");

        // a folder without a manifest is not a backup
        std::fs::remove_file(out.join("manifest.json")).expect("remove");
        let refused = on(
            &target,
            &target.join("trustfund.db"),
            &["restore", "--from", out.to_str().expect("utf-8")],
        );
        assert!(!refused.status.success());
        assert!(
            text(&refused).contains("not a complete backup"),
            "{}",
            text(&refused)
        );
    }
}

#[test]
fn postgresql_installations_are_pointed_to_pg_dump() {
    let dir = tempfile::tempdir().expect("dir");
    for args in [["backup", "--out"], ["restore", "--from"]] {
        let output = run(trustfund()
            .env("TRUSTFUND__DATA_DIR", dir.path().join("data"))
            .env(
                "TRUSTFUND__DATABASE__URL",
                "postgres://trustfund@127.0.0.1:1/trustfund",
            )
            .args(args)
            .arg(dir.path().join("backup")));
        assert!(!output.status.success());
        assert!(text(&output).contains("pg_dump"), "{}", text(&output));
    }
}
