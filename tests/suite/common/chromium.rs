//! Headless Chromium for the page tests, driven over W3C WebDriver by fantoccini: a
//! chromedriver child of this test (killed when dropped, after its session is ended so that
//! the browser closes too), and the checks every page a journey visits must pass:
//! axe-core's WCAG 2 A/AA rules (`tests/assets/axe.min.js`, vendored from npm's
//! `axe-core`, MPL-2.0) and no trace of a message missing in the page's language.
//!
//! Needs Debian's `chromium` and `chromium-driver`; without them the tests fail, on
//! purpose, saying what to install. `TRUSTFUND_CHROMIUM` and `TRUSTFUND_CHROMEDRIVER` may
//! point elsewhere.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// axe-core, injected into each page checked (WebDriver's script runs outside the page's
/// Content-Security-Policy, which lets no script of its own run).
const AXE: &str = include_str!("../../assets/axe.min.js");

fn binary(env: &str, default: &str) -> String {
    let path = std::env::var(env).unwrap_or_else(|_| default.to_string());
    assert!(
        std::path::Path::new(&path).is_file(),
        "{path} is missing: the page tests drive headless Chromium. Install the Debian \
         packages `chromium` and `chromium-driver` (apt-get install chromium \
         chromium-driver), or set {env} to the binary"
    );
    path
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `DELETE path` with std only, for `Drop` (no async runtime to lean on there).
fn delete_blocking(port: u16, path: &str) {
    if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) {
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = stream.set_write_timeout(Some(Duration::from_secs(10)));
        let _ = write!(
            stream,
            "DELETE {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
    }
}

/// A browser of this test: its chromedriver and one session.
pub struct Chromium {
    child: Child,
    port: u16,
    session: Option<String>,
    pub client: Client,
    base: String,
    /// To read a second factor's secret, as the user's authenticator app knows it.
    pool: trustfund::db::DbPool,
}

impl Drop for Chromium {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            delete_blocking(self.port, &format!("/session/{session}"));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chromium {
    /// A headless browser for the test's service, speaking `language` (its
    /// `Accept-Language`).
    pub async fn start(app: &super::TestApp, language: &str) -> Chromium {
        let base = app.base.as_str();
        let chromedriver = binary("TRUSTFUND_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = binary("TRUSTFUND_CHROMIUM", "/usr/bin/chromium");
        let port = free_port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("browserName".into(), json!("chrome"));
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                         "--disable-dev-shm-usage", format!("--lang={language}"),
                         "--window-size=1100,900"],
                "prefs": {"intl.accept_languages": language}
            }),
        );
        // readiness: a bounded number of tries while chromedriver starts (not a timing
        // assertion)
        let url = format!("http://127.0.0.1:{port}");
        let mut last = String::new();
        for _ in 0..100 {
            match ClientBuilder::native()
                .capabilities(capabilities.clone())
                .connect(&url)
                .await
            {
                Ok(client) => {
                    let session = client.session_id().await.ok().flatten();
                    return Chromium {
                        child,
                        port,
                        session,
                        client,
                        base: base.to_string(),
                        pool: app.pool.clone(),
                    };
                }
                Err(e) => last = e.to_string(),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver on port {port} never took a session: {last}");
    }

    /// Opens a path of the service.
    pub async fn open(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    }

    /// The path (and query) of the page shown.
    pub async fn path(&self) -> String {
        let url = self.client.current_url().await.expect("current url");
        let mut path = url.path().to_string();
        if let Some(query) = url.query() {
            path = format!("{path}?{query}");
        }
        path
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no {css} on {}: {e}", self.path().await),
        }
    }

    pub async fn count(&self, css: &str) -> usize {
        self.client
            .find_all(Locator::Css(css))
            .await
            .map(|found| found.len())
            .unwrap_or(0)
    }

    /// Types `text` into the field `css` (emptied first).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("cleared");
        field.send_keys(text).await.expect("typed");
    }

    pub async fn click(&self, css: &str) {
        self.find(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    /// Clicks what leaves the page (a form's button, a link) and waits, a bounded number of
    /// times, until the next page has loaded.
    pub async fn follow(&self, css: &str) {
        let before = self.find("html").await;
        self.click(css).await;
        for _ in 0..200 {
            // the old page's element goes stale once the next page replaced it
            if before.attr("lang").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for _ in 0..200 {
            let state = self
                .client
                .execute("return document.readyState;", vec![])
                .await;
            if matches!(state, Ok(Value::String(s)) if s == "complete") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{css}: the next page never loaded");
    }

    /// The page's text as a reader sees it.
    pub async fn text(&self) -> String {
        self.find("body").await.text().await.expect("text")
    }

    /// Signs in through `/login`, and for the roles that need one with the second factor,
    /// as the user's authenticator app would give it (enrolling the first time).
    pub async fn sign_in(&self, email: &str, password: &str) {
        self.open("/login").await;
        self.fill("#email", email).await;
        self.fill("#password", password).await;
        self.follow("form.stack button[type=submit]").await;
        match self.path().await.as_str() {
            "/login/enrol" => {
                let problems = self.accessibility_problems().await;
                assert!(problems.is_empty(), "/login/enrol: {problems:#?}");
                let shown = self.find("#secret").await.text().await.expect("the key");
                let secret: String = shown.split_whitespace().collect();
                self.fill("#code", &super::browser::current_code(&secret))
                    .await;
                self.follow("form.stack button[type=submit]").await;
            }
            "/login/code" => {
                let (secret, last) = super::browser::second_factor_secret(&self.pool, email);
                let code = super::browser::unused_code(&secret, last).await;
                self.fill("#code", &code).await;
                self.follow("form.stack button[type=submit]").await;
            }
            _ => {}
        }
        let path = self.path().await;
        assert_eq!(path, "/home", "signed in as {email}: {}", self.text().await);
    }

    /// Signs out with the header's button.
    pub async fn sign_out(&self) {
        self.follow("form.who button").await;
    }

    /// The checks every page passes: in `language` (`<html lang>`), no message left
    /// unformatted, and no violation of axe-core's WCAG 2 A and AA rules.
    pub async fn check_page(&self, language: &str) {
        let path = self.path().await;
        let violations = self.accessibility_problems().await;
        assert!(
            violations.is_empty(),
            "{path} in {language}: {violations:#?}"
        );
        let lang = self
            .find("html")
            .await
            .attr("lang")
            .await
            .expect("lang")
            .unwrap_or_default();
        assert_eq!(lang, language, "{path} is not in {language}");
        let text = self.text().await;
        for trace in ["{$", "{ $", "no message"] {
            assert!(
                !text.contains(trace),
                "{path}: a message did not format ({trace}): {text}"
            );
        }
    }

    /// What axe-core finds against WCAG 2.0 and 2.1, A and AA, on the page shown: one line
    /// per rule broken, with where.
    pub async fn accessibility_problems(&self) -> Vec<String> {
        self.client
            .execute(&format!("{AXE}\nreturn true;"), vec![])
            .await
            .expect("axe-core loads");
        let found = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                    .then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
                        + v.nodes.map(n => n.target.join(' ')).join(', '))))
                    .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .expect("axe-core runs");
        match found {
            Value::Array(items) => items
                .into_iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect(),
            other => vec![format!("unexpected answer {other}")],
        }
    }

    /// Sets a field's value as a date picker would (typing into one depends on the
    /// browser's locale).
    pub async fn set_value(&self, css: &str, value: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1]; return true;",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("set {css}: {e}"));
    }

    /// Ends the session (the browser closes); the chromedriver child goes when dropped.
    pub async fn quit(mut self) {
        let client = self.client.clone();
        if client.close().await.is_ok() {
            self.session = None;
        }
    }
}
