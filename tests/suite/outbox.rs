//! The email outbox against a real SMTP server that each test starts on loopback
//! (mailin-embedded, in this process): delivery, a server that is down at first, giving up
//! after N attempts without losing the message, several workers sending each message once,
//! and the default file transport. On both backends.

use crate::common;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Backend, Mail, TestApp};
use mailin_embedded::{Handler, Response, response};
use serde_json::json;
use trustfund::config::{MailTransport, Settings, SmtpTls};

/// Collects every message the test SMTP server accepts.
#[derive(Clone, Default)]
struct Capture {
    received: Arc<Mutex<Vec<String>>>,
    current: Vec<u8>,
}

impl Handler for Capture {
    fn data_start(&mut self, _domain: &str, _from: &str, _8bit: bool, _to: &[String]) -> Response {
        self.current.clear();
        response::OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.current.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = String::from_utf8_lossy(&self.current).into_owned();
        self.received.lock().expect("capture lock").push(message);
        response::OK
    }
}

/// An SMTP server listening on `listener`, running until the test process ends.
fn start_smtp(listener: TcpListener) -> Arc<Mutex<Vec<String>>> {
    let capture = Capture::default();
    let received = capture.received.clone();
    let mut server = mailin_embedded::Server::new(capture);
    server
        .with_name("smtp.test")
        .with_num_threads(4)
        .with_tcp_listener(listener);
    std::thread::spawn(move || {
        if let Err(e) = server.serve() {
            eprintln!("test SMTP server stopped: {e}");
        }
    });
    received
}

/// A loopback port with nothing listening on it (yet).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

fn smtp_settings(port: u16, max_attempts: i32) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.email.transport = MailTransport::Smtp;
        s.email.smtp.host = "127.0.0.1".into();
        s.email.smtp.port = port;
        s.email.smtp.tls = SmtpTls::None;
        s.email.smtp.timeout_secs = 5;
        s.email.retry_base_ms = 100;
        s.email.retry_max_ms = 400;
        s.email.max_attempts = max_attempts;
    }
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..600 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting until {what}");
}

async fn register(app: &TestApp, email: &str) {
    let r = app
        .post(
            "/api/v1/auth/register",
            json!({
                "organisation": {"name": "Shelter of Hope", "country": "NG", "kind": "ngo"},
                "user": {"email": email, "name": "Amina", "password": "lantern river shelter 42"}
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::Backend::Postgres).await
            }
        }
    };
}

async fn app_or_skip(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    let app = common::spawn_app_with(backend, adjust).await;
    if app.is_none() {
        eprintln!("skipped: {} is not set", common::PG_ENV);
    }
    app
}

on_both_backends!(an_email_reaches_a_real_smtp_server);
async fn an_email_reaches_a_real_smtp_server(backend: Backend) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = start_smtp(listener);
    let Some(app) = app_or_skip(backend, smtp_settings(port, 5)).await else {
        return;
    };
    register(&app, "amina@shelter.example").await;
    wait_until("the server has the message", || {
        !received.lock().unwrap().is_empty()
    })
    .await;
    app.drain_outbox().await;
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    let mail = Mail::from_raw(messages[0].clone());
    assert!(mail.is_to("amina@shelter.example"), "{}", mail.raw);
    assert!(
        mail.raw
            .contains("From: \"Trust fund\" <noreply@trustfund.example>")
            || mail
                .raw
                .contains("From: Trust fund <noreply@trustfund.example>"),
        "{}",
        mail.raw
    );
    assert!(
        mail.raw
            .contains("Subject: Confirm your email address for Shelter of Hope")
    );
    assert!(mail.raw.contains("multipart/alternative"));
    assert!(mail.raw.contains("text/plain") && mail.raw.contains("text/html"));
    // the token in the delivered email verifies the address
    let r = app
        .post("/api/v1/auth/verify-email", json!({"token": mail.token()}))
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    assert_eq!(
        app.count(
            "outbox WHERE status = 'sent' AND attempts = 1 AND sent_at IS NOT NULL \
             AND context NOT LIKE '%token=%' AND context LIKE '%removed once sent%' \
             AND context LIKE '%Shelter of Hope%'"
        ),
        1
    );
}

on_both_backends!(a_message_waits_for_a_server_that_is_down_and_is_delivered_when_it_comes_up);
async fn a_message_waits_for_a_server_that_is_down_and_is_delivered_when_it_comes_up(
    backend: Backend,
) {
    let port = free_port();
    let Some(app) = app_or_skip(backend, smtp_settings(port, 50)).await else {
        return;
    };
    register(&app, "patient@shelter.example").await;
    // the server is down: attempts fail, are recorded, and the message stays pending
    wait_until("two attempts failed", || {
        app.count("outbox WHERE status = 'pending' AND attempts >= 2 AND last_error IS NOT NULL")
            == 1
    })
    .await;
    assert_eq!(app.count("outbox WHERE status = 'sent'"), 0);
    // the server comes up on the configured port
    let listener = (0..100)
        .find_map(|_| {
            TcpListener::bind(("127.0.0.1", port))
                .map_err(|_| std::thread::sleep(Duration::from_millis(50)))
                .ok()
        })
        .expect("the port is free again");
    let received = start_smtp(listener);
    wait_until("the message is delivered", || {
        app.count("outbox WHERE status = 'sent'") == 1
    })
    .await;
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), 1);
    assert!(Mail::from_raw(messages[0].clone()).is_to("patient@shelter.example"));
    // Delivered after failures: at least the two failed attempts were made (the attempt that
    // succeeded may be the second, if it started after the server came up).
    assert_eq!(
        app.count("outbox WHERE status = 'sent' AND attempts >= 2 AND last_error IS NULL"),
        1
    );
}

on_both_backends!(a_message_that_keeps_failing_is_marked_failed_and_kept);
async fn a_message_that_keeps_failing_is_marked_failed_and_kept(backend: Backend) {
    let port = free_port();
    let Some(app) = app_or_skip(backend, smtp_settings(port, 3)).await else {
        return;
    };
    register(&app, "unlucky@shelter.example").await;
    wait_until("the message is given up", || {
        app.count("outbox WHERE status = 'failed'") == 1
    })
    .await;
    // kept whole: three attempts, the last error, and the message itself (its link)
    assert_eq!(
        app.count(
            "outbox WHERE status = 'failed' AND attempts = 3 AND last_error IS NOT NULL \
             AND sent_at IS NULL AND context LIKE '%token=%'"
        ),
        1
    );
    assert_eq!(app.count("outbox"), 1);
}

on_both_backends!(a_message_that_cannot_render_fails_at_once);
async fn a_message_that_cannot_render_fails_at_once(backend: Backend) {
    let Some(app) = app_or_skip(backend, |_| {}).await else {
        return;
    };
    {
        let mut conn = app.pool.get().expect("connection");
        trustfund::notify::enqueue(
            &mut conn,
            trustfund::notify::Email {
                to: "someone@example.org".into(),
                template: "no_such_email",
                context: json!({}),
            },
        )
        .expect("enqueued");
        trustfund::notify::enqueue(
            &mut conn,
            trustfund::notify::Email {
                to: "not an address".into(),
                template: "password_changed",
                context: json!({"name": "x"}),
            },
        )
        .expect("enqueued");
    }
    wait_until("both are given up", || {
        app.count("outbox WHERE status = 'failed'") == 2
    })
    .await;
    assert_eq!(
        app.count("outbox WHERE status = 'failed' AND attempts = 1 AND last_error LIKE '%no email template%'"),
        1
    );
    assert_eq!(
        app.count(
            "outbox WHERE status = 'failed' AND attempts = 1 AND last_error LIKE '%not an address%'"
        ),
        1
    );
}

on_both_backends!(several_workers_send_each_message_exactly_once);
async fn several_workers_send_each_message_exactly_once(backend: Backend) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let received = start_smtp(listener);
    let Some(app) = app_or_skip(backend, smtp_settings(port, 5)).await else {
        return;
    };
    const MESSAGES: usize = 40;
    {
        let mut conn = app.pool.get().expect("connection");
        for i in 0..MESSAGES {
            trustfund::notify::enqueue(
                &mut conn,
                trustfund::notify::Email {
                    to: format!("member{i}@example.org"),
                    template: "password_changed",
                    context: json!({"name": format!("Member {i}")}),
                },
            )
            .expect("enqueued");
        }
    }
    // three more workers (as other instances would run) compete with the app's own
    let workers: Vec<_> = (0..3)
        .map(|_| {
            let pool = app.pool.clone();
            let mailer =
                trustfund::notify::worker::Mailer::from_settings(&app.settings).expect("mailer");
            tokio::spawn(async move {
                for _ in 0..400 {
                    let _ = trustfund::notify::worker::deliver_due(&pool, &mailer, 3).await;
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            })
        })
        .collect();
    wait_until("every message is sent", || {
        app.count("outbox WHERE status = 'sent'") == MESSAGES as i64
    })
    .await;
    for w in workers {
        w.abort();
    }
    let messages = received.lock().unwrap().clone();
    assert_eq!(messages.len(), MESSAGES, "each message sent exactly once");
    let mut recipients: Vec<String> = messages
        .iter()
        .filter_map(|m| {
            m.lines()
                .find(|l| l.starts_with("To: "))
                .map(|l| l.to_string())
        })
        .collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), MESSAGES);
    assert_eq!(
        app.count("outbox WHERE attempts = 1"),
        MESSAGES as i64,
        "no message was attempted twice"
    );
}

on_both_backends!(by_default_messages_are_written_as_eml_files);
async fn by_default_messages_are_written_as_eml_files(backend: Backend) {
    let Some(app) = app_or_skip(backend, |_| {}).await else {
        return;
    };
    assert_eq!(app.settings.email.transport, MailTransport::File);
    register(&app, "offline@shelter.example").await;
    let mail = app.email_number("offline@shelter.example", 1).await;
    assert!(mail.raw.contains("Subject: Confirm your email address"));
    assert!(
        mail.raw
            .contains("Content-Transfer-Encoding: quoted-printable")
    );
    // the HTML alternative travels beside the text
    assert!(mail.decoded.contains("<strong>Shelter of Hope</strong>"));
    // one file per message, named after the outbox id, under <data_dir>/mail
    let files: Vec<_> = std::fs::read_dir(app.data_dir.join("mail"))
        .expect("mail folder")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let id = files[0].trim_end_matches(".eml");
    // The worker writes the file, then marks the row sent: wait for the second step.
    let sent = format!("outbox WHERE id = '{id}' AND status = 'sent'");
    for _ in 0..100 {
        if app.count(&sent) == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(app.count(&sent), 1);
}

#[test]
fn check_config_masks_the_smtp_password_and_refuses_broken_mail_settings() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mail.toml");
    std::fs::write(
        &path,
        "[email]\ntransport = \"smtp\"\n[email.smtp]\nhost = \"mail.example\"\nusername = \"fund\"\npassword = \"hunter2-secret\"\n",
    )
    .expect("write");
    let settings = Settings::load(Some(&path)).expect("valid");
    let shown = settings.masked_toml();
    assert!(!shown.contains("hunter2-secret"), "{shown}");
    assert!(shown.contains("password = \"***\""), "{shown}");
    assert!(shown.contains("transport = \"smtp\""));

    for (broken, mentions) in [
        (
            "[email]\ntransport = \"smtp\"\n[email.smtp]\nhost = \"\"\n",
            "email.smtp.host",
        ),
        ("[email]\nfrom = \"not a mailbox\"\n", "email.from"),
        ("[email]\ntransport = \"pigeon\"\n", "transport"),
        ("[email.smtp]\ntls = \"ssl3\"\n", "tls"),
        ("[email]\nmax_attempts = 0\n", "email.max_attempts"),
        (
            "[email.smtp]\nusername = \"only-me\"\n[email]\ntransport = \"smtp\"\n",
            "email.smtp.password",
        ),
    ] {
        std::fs::write(&path, broken).expect("write");
        let err = Settings::load(Some(&path)).expect_err(broken).to_string();
        assert!(err.contains(mentions), "{broken}: {err}");
    }
}
