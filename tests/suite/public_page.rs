//! The public fund page rendered by a real browser: headless Chromium driven through
//! chromedriver with the W3C WebDriver protocol (plain HTTP + JSON via reqwest). It reads
//! every `data-figure` element's rendered text and compares it with
//! `GET /api/v1/public/funds/{id}`, and checks that the inline SVG charts really rendered
//! (non-empty boxes, the expected bars) and that the inline style sheet was allowed by the
//! page's Content-Security-Policy.
//!
//! SQLite only: this checks rendering, not the database (`public.rs` covers both
//! backends). Needs Debian's `chromium` and `chromium-driver`; without them it fails, on
//! purpose, saying what to install. `TRUSTFUND_CHROMIUM` and `TRUSTFUND_CHROMEDRIVER` may
//! point elsewhere.

use crate::common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::transparency::*;
use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

fn binary(env: &str, default: &str) -> String {
    let path = std::env::var(env).unwrap_or_else(|_| default.to_string());
    assert!(
        std::path::Path::new(&path).is_file(),
        "{path} is missing: this test renders the public page in headless Chromium. Install \
         the Debian packages `chromium` and `chromium-driver` (apt-get install chromium \
         chromium-driver), or set {env} to the binary"
    );
    path
}

/// A chromedriver child process and, once made, its browser session. Dropping it (also
/// when the test panics) ends the session, which closes the browser, then kills this
/// chromedriver — only the child started here.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
    http: reqwest::Client,
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            delete_blocking(self.port, &format!("/session/{session}"));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Driver {
    async fn start(chromedriver: &str) -> Driver {
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let driver = Driver {
            child,
            port,
            session: None,
            http: reqwest::Client::new(),
        };
        // readiness: poll /status a bounded number of times (not a timing assertion)
        for _ in 0..200 {
            if let Ok(r) = driver.http.get(driver.url("/status")).send().await
                && let Ok(body) = r.json::<Value>().await
                && body["value"]["ready"] == true
            {
                return driver;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("chromedriver on port {port} never became ready");
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// One WebDriver command; returns its `value`, panicking with the driver's error.
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let path = match &self.session {
            Some(session) => path.replace("{session}", session),
            None => path.to_string(),
        };
        let mut request = self.http.request(method.clone(), self.url(&path));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let body: Value = response.json().await.expect("WebDriver answers JSON");
        assert!(status.is_success(), "{method} {path} → {status}: {body}");
        body["value"].clone()
    }

    async fn new_session(&mut self, chromium: &str) {
        let value = self
            .command(
                reqwest::Method::POST,
                "/session",
                Some(json!({"capabilities": {"alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
                    }
                }}})),
            )
            .await;
        let id = value["sessionId"].as_str().expect("sessionId").to_string();
        self.session = Some(id);
    }

    async fn quit(&mut self) {
        if self.session.is_some() {
            self.command(reqwest::Method::DELETE, "/session/{session}", None)
                .await;
            self.session = None;
        }
    }

    async fn elements(&self, css: &str) -> Vec<String> {
        self.command(
            reqwest::Method::POST,
            "/session/{session}/elements",
            Some(json!({"using": "css selector", "value": css})),
        )
        .await
        .as_array()
        .expect("element list")
        .iter()
        .map(|e| e[ELEMENT_KEY].as_str().expect("element id").to_string())
        .collect()
    }

    async fn element(&self, css: &str) -> String {
        let value = self
            .command(
                reqwest::Method::POST,
                "/session/{session}/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        value[ELEMENT_KEY]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    async fn get(&self, path: &str) -> Value {
        self.command(reqwest::Method::GET, path, None).await
    }

    async fn text(&self, element: &str) -> String {
        self.get(&format!("/session/{{session}}/element/{element}/text"))
            .await
            .as_str()
            .expect("text")
            .to_string()
    }

    async fn attribute(&self, element: &str, name: &str) -> String {
        self.get(&format!(
            "/session/{{session}}/element/{element}/attribute/{name}"
        ))
        .await
        .as_str()
        .unwrap_or_else(|| panic!("no attribute {name}"))
        .to_string()
    }

    /// (width, height) of the element's rendered box.
    async fn size(&self, element: &str) -> (f64, f64) {
        let rect = self
            .get(&format!("/session/{{session}}/element/{element}/rect"))
            .await;
        (
            rect["width"].as_f64().expect("width"),
            rect["height"].as_f64().expect("height"),
        )
    }
}

/// How many bars a chart must have: its positive, shown values.
fn positive(values: impl Iterator<Item = Value>) -> usize {
    values
        .filter(|v| match v {
            Value::Number(n) => n.as_i64().is_some_and(|n| n > 0),
            Value::String(s) => s
                .parse::<rust_decimal::Decimal>()
                .is_ok_and(|d| d > rust_decimal::Decimal::ZERO),
            _ => false,
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_renders_in_a_browser_with_the_figures_of_the_json() {
    let chromedriver = binary("TRUSTFUND_CHROMEDRIVER", "/usr/bin/chromedriver");
    let chromium = binary("TRUSTFUND_CHROMIUM", "/usr/bin/chromium");
    let app = common::spawn_app(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let s = seed(&app).await;
    app.sign_out();
    let json = app
        .get(&format!("/api/v1/public/funds/{}", s.fund_id))
        .await;
    assert_eq!(json.status, 200, "{}", json.text);
    let json = json.body;

    let mut driver = Driver::start(&chromedriver).await;
    driver.new_session(&chromium).await;
    driver
        .command(
            reqwest::Method::POST,
            "/session/{session}/url",
            Some(json!({"url": app.url(&format!("/funds/{}", s.fund_code))})),
        )
        .await;
    let title = driver.get("/session/{session}/title").await;
    assert!(
        title
            .as_str()
            .is_some_and(|t| t.contains(json["fund"]["name"].as_str().expect("name"))),
        "title {title}"
    );

    // every figure as the browser renders it equals the JSON
    let mut shown = Vec::new();
    for element in driver.elements("[data-figure]").await {
        let name = driver.attribute(&element, "data-figure").await;
        let text = driver.text(&element).await;
        shown.push((name, text));
    }
    shown.sort();
    assert_eq!(shown, expected_figures(&json));

    // the charts rendered: boxes with an area, and one bar per shown positive value
    let flows = json["money_over_time"]["items"].as_array().expect("items");
    let money_bars = positive(
        flows
            .iter()
            .flat_map(|p| [p["received"].clone(), p["disbursed"].clone()]),
    );
    let people_bars = positive(
        json["outcomes"]["by_year_exploitation"]
            .as_array()
            .expect("cross")
            .iter()
            .map(|c| c["count"].clone()),
    );
    assert!(
        money_bars >= 2 && people_bars >= 2,
        "the seed has data to draw"
    );
    for (chart, bars) in [("money", money_bars), ("outcomes", people_bars)] {
        let svg = driver
            .element(&format!("svg[data-chart=\"{chart}\"]"))
            .await;
        let (w, h) = driver.size(&svg).await;
        assert!(w > 100.0 && h > 100.0, "{chart} chart is {w}×{h}");
        let drawn = driver
            .elements(&format!("svg[data-chart=\"{chart}\"] rect.bar"))
            .await;
        assert_eq!(drawn.len(), bars, "{chart} bars");
        for bar in &drawn {
            let (w, h) = driver.size(bar).await;
            assert!(w > 0.0 && h > 0.0, "a {chart} bar of {w}×{h}");
        }
    }

    // the inline style sheet applied: the CSP's hash matches it
    let table = driver.element("table").await;
    let collapse = driver
        .get(&format!(
            "/session/{{session}}/element/{table}/css/border-collapse"
        ))
        .await;
    assert_eq!(collapse, "collapse", "the inline CSS was refused");

    driver.quit().await;
}
