//! Hardening from the outside attack run (issue 17), class by class, each tried on several
//! endpoints of its class and on both backends: hostile office documents and HTML, strict
//! JSON, bounded answers, text that is text, HEAD and the small ones, bodies that never
//! finish, implausible dates, and who may be a donor.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::Utc;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::world::World;
use crate::common::{Reply, TestApp};
use trustfund::config::{RunEnvironment, Settings};

fn today() -> String {
    Utc::now().date_naive().to_string()
}

/// Sends `body` exactly as given (no re-encoding), with a JSON content type, checked
/// against the OpenAPI document like every harness request.
async fn raw_json(
    app: &TestApp,
    token: Option<&str>,
    method: Method,
    path: &str,
    body: &str,
    headers: &[(&str, &str)],
) -> Reply {
    let mut request = app
        .client
        .request(method.clone(), app.url(path))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    Reply::checked(&method, path, request).await
}

/// An endpoint of the strict-JSON test: method, path, a valid body, headers, token.
type BodyCase<'a> = (
    Method,
    &'a str,
    String,
    &'a [(&'a str, &'a str)],
    Option<&'a str>,
);

fn zip_of(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, content) in entries {
            w.start_file(*name, options).expect("entry");
            w.write_all(content).expect("write");
        }
        w.finish().expect("finish");
    }
    out.into_inner()
}

fn docx(extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut entries: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ];
    entries.extend_from_slice(extra);
    zip_of(&entries, zip::CompressionMethod::Deflated)
}

async fn upload(
    app: &TestApp,
    token: &str,
    application: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Reply {
    let path = format!("/api/v1/applications/{application}/documents");
    let form = reqwest::multipart::Form::new()
        .text("kind", "proposal")
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes)
                .file_name(name.to_string())
                .mime_str("application/octet-stream")
                .expect("mime"),
        );
    let request = app
        .client
        .post(app.url(&path))
        .bearer_auth(token)
        .multipart(form);
    Reply::checked(&Method::POST, &path, request).await
}

both_backends!(
    office_archives_and_html_that_hide_danger_are_refused,
    |app: TestApp| async move {
        let w = World::new(&app)
            .fund()
            .open_call()
            .ngo()
            .application("Shelter in Lagos", "10000.00")
            .await;
        let (ngo, id) = (w.ngo_token().to_string(), w.application_id().to_string());
        let zeros = vec![0u8; 50 * 1024 * 1024];
        let bomb = zip_of(
            &[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", &zeros),
            ],
            zip::CompressionMethod::Deflated,
        );
        drop(zeros);
        assert!(
            bomb.len() < 200 * 1024,
            "a bomb is small on the wire: {}",
            bomb.len()
        );
        let inner = zip_of(&[("a.txt", b"a")], zip::CompressionMethod::Stored);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("bomb.docx", bomb, "compressed"),
            (
                "macro.docx",
                docx(&[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
                "macros",
            ),
            (
                "hta.docx",
                docx(&[("word/media/x.hta", b"<hta:application>")]),
                ".hta",
            ),
            (
                "msi.docx",
                docx(&[("setup.msi", b"\xd0\xcf\x11\xe0")]),
                ".msi",
            ),
            (
                "nested.docx",
                docx(&[("word/embeddings/inner.zip", &inner)]),
                "nested",
            ),
            (
                "hidden.docx",
                docx(&[("word/media/image1.png", &inner)]),
                "nested",
            ),
            (
                "macro.odt",
                zip_of(
                    &[
                        ("mimetype", b"application/vnd.oasis.opendocument.text"),
                        ("content.xml", b"<x/>"),
                        ("Basic/Standard/Module1.xml", b"<x/>"),
                    ],
                    zip::CompressionMethod::Stored,
                ),
                "macros",
            ),
            (
                "bom.txt",
                b"\xef\xbb\xbf  <html><body>hi</body></html>".to_vec(),
                "markup",
            ),
            (
                "comment.txt",
                b"<!-- x --><script>alert(1)</script>".to_vec(),
                "script",
            ),
            ("svg.txt", b"\n\n<svg onload=alert(1)>".to_vec(), "svg"),
            (
                "later.txt",
                b"Budget notes\nall fine\n<script>alert(1)</script>".to_vec(),
                "script",
            ),
            ("later.csv", b"a,b\n1,<iframe src=//x>\n".to_vec(), "iframe"),
        ];
        for (name, bytes, reason) in cases {
            let r = upload(&app, &ngo, &id, name, bytes).await;
            assert_eq!(
                r.assert_problem(415, "unsupported_media_type"),
                vec!["file"],
                "{name}"
            );
            let detail = r.body["detail"].as_str().unwrap_or_default();
            assert!(detail.contains(reason), "{name}: {detail}");
        }
        assert_eq!(
            app.count("application_documents"),
            0,
            "nothing refused was stored"
        );
        // an honest, compressed document still goes in
        let xml = "<w:p>Shelter and legal aid for survivors</w:p>".repeat(3000);
        let honest = zip_of(
            &[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", xml.as_bytes()),
                ("word/printerSettings/printerSettings1.bin", b"\0\0"),
            ],
            zip::CompressionMethod::Deflated,
        );
        let r = upload(&app, &ngo, &id, "proposal.docx", honest).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let r = upload(
            &app,
            &ngo,
            &id,
            "cells.csv",
            b"cell,count\nwomen,<5\n".to_vec(),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
);

both_backends!(
    json_bodies_are_strict_everywhere,
    |app: TestApp| async move {
        let w = World::new(&app)
            .fund()
            .open_call()
            .ngo()
            .donor()
            .application("Shelter in Lagos", "10000.00")
            .await;
        let admin = w.admin.clone();
        let fund = w.fund_id().to_string();
        let donor = w.donor_id().to_string();
        let contribution = json!({"donor_id": donor, "amount": "100.00", "currency": "USD",
        "received_on": today(), "reference": "BANK-1"})
        .to_string();
        let pledge = json!({"donor_id": donor, "amount": "100.00", "currency": "USD",
        "pledged_on": today()})
        .to_string();
        let bodies_before = (
            app.count("contributions"),
            app.count("pledges"),
            app.count("funds"),
        );
        // (method, path, a valid body, headers, token)
        let contributions = format!("/api/v1/funds/{fund}/contributions");
        let pledges = format!("/api/v1/funds/{fund}/pledges");
        let application = format!("/api/v1/applications/{}", w.application_id());
        let key = [("idempotency-key", "strict-1")];
        let if_match = [("if-match", "*")];
        let cases: Vec<BodyCase> = vec![
        (Method::POST, "/api/v1/auth/login",
            r#"{"email":"a@example.org","password":"x"}"#.to_string(), &[], None),
        (Method::POST, "/api/v1/funds",
            r#"{"code":"F2","name":"Fund two","base_currency":"USD","support_cost_rate":"0.13","board_quorum":3}"#.to_string(), &[], Some(&admin)),
        (Method::POST, contributions.as_str(), contribution.clone(), &key, Some(&admin)),
        (Method::POST, pledges.as_str(), pledge.clone(), &key, Some(&admin)),
        (Method::PATCH, application.as_str(), r#"{"title":"New title"}"#.to_string(), &if_match, Some(w.ngo_token())),
        (Method::POST, "/api/v1/registry/overlap-check", r#"{"title":"Shelter"}"#.to_string(), &[], Some(&admin)),
    ];
        for (method, path, valid, headers, token) in &cases {
            // trailing data after a valid body
            for trailing in [" {}", "x", ",", "]", "\n{\"a\":1}"] {
                let r = raw_json(
                    &app,
                    *token,
                    method.clone(),
                    path,
                    &format!("{valid}{trailing}"),
                    headers,
                )
                .await;
                r.assert_problem(400, "malformed_request");
                assert!(
                    r.text.contains("after its JSON value"),
                    "{path}: {}",
                    r.text
                );
            }
            // a key given twice, at the top and nested
            let first_key = valid[2..].split('"').next().unwrap_or_default().to_string();
            let duplicated = valid.replacen('{', &format!("{{\"{first_key}\":\"x\","), 1);
            let r = raw_json(&app, *token, method.clone(), path, &duplicated, headers).await;
            assert_eq!(
                r.assert_problem(400, "malformed_request"),
                vec![first_key.clone()],
                "{path}"
            );
            assert!(r.text.contains("more than once"), "{path}: {}", r.text);
        }
        let nested = r#"{"title":"T","budget":[{"category":"rent","category":"x","description":"d","amount":"1.00"}]}"#;
        let r = raw_json(
            &app,
            Some(w.ngo_token()),
            Method::PATCH,
            &application,
            nested,
            &if_match,
        )
        .await;
        assert_eq!(
            r.assert_problem(400, "malformed_request"),
            vec!["budget[0].category"]
        );
        // an optional body (pledge cancellation) is as strict
        let r = raw_json(&app, Some(&admin), Method::POST, &pledges, &pledge, &[]).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let pledge_id = r.body["id"].as_str().expect("id").to_string();
        let r = raw_json(
            &app,
            Some(&admin),
            Method::POST,
            &format!("/api/v1/pledges/{pledge_id}/cancel"),
            r#"{"reason":"a","reason":"b"}"#,
            &[],
        )
        .await;
        assert_eq!(r.assert_problem(400, "malformed_request"), vec!["reason"]);
        // nothing was written by a refused body
        assert_eq!(
            (
                app.count("contributions"),
                app.count("pledges"),
                app.count("funds")
            ),
            (bodies_before.0, bodies_before.1 + 1, bodies_before.2)
        );
        // the well-formed body still works, once
        let r = raw_json(
            &app,
            Some(&admin),
            Method::POST,
            &contributions,
            &contribution,
            &key,
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
);

both_backends!(
    answers_are_bounded_by_the_question,
    |app: TestApp| async move {
        let w = World::new(&app)
            .fund()
            .open_call()
            .ngo()
            .application("Shelter in Lagos", "10000.00")
            .await;
        let admin = w.admin.clone();
        let application = format!("/api/v1/applications/{}", w.application_id());
        // 43,000 countries: one error naming the list, a small answer
        let many: Vec<String> = (0..43_000).map(|i| format!("Q{}", i % 10)).collect();
        let r = app
            .patch_as(
                w.ngo_token(),
                &application,
                json!({"countries": many}),
                None,
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["countries"]
        );
        assert!(r.text.len() < 2_000, "{} bytes", r.text.len());
        // lists within their bound but every entry wrong: 50 errors, then a count
        let bad: Vec<String> = (0..200).map(|i| format!("X{i}")).collect();
        let r = app
            .patch_as(w.ngo_token(), &application, json!({"countries": bad}), None)
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed").len(), 50);
        assert_eq!(r.body["errors_omitted"], 150, "{}", r.text);
        let call = json!({"title": "Call", "description": "d",
        "opens_at": Utc::now().to_rfc3339(), "closes_at": (Utc::now() + chrono::Duration::days(9)).to_rfc3339(),
        "max_amount": "1000.00", "currency": "USD", "max_duration_months": 12,
        "eligible_countries": bad, "themes": ["protection.shelter"], "required_documents": [],
        "rubric": [{"key": "r", "title": "R", "weight": 1, "max_score": 10}]});
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{}/calls", w.fund_id()),
                call,
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed").len(), 50);
        assert_eq!(r.body["errors_omitted"], 150);
        // natural bounds on other lists: themes, trustees, registry countries and organisations
        let themes: Vec<String> = (0..500).map(|_| "protection".to_string()).collect();
        let r = app
            .patch_as(w.ngo_token(), &application, json!({"themes": themes}), None)
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["themes"]);
        let trustees: Vec<String> = (0..101).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{}/board-sessions", w.fund_id()),
                json!({"held_on": today(), "trustee_ids": trustees}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["trustee_ids"]
        );
        let countries: Vec<String> = (0..61).map(|_| "NG".to_string()).collect();
        let r = app
            .post_as(
                &admin,
                "/api/v1/registry/overlap-check",
                json!({"title": "Shelter", "countries": countries}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["countries"]
        );
    }
);

both_backends!(free_text_is_text, |app: TestApp| async move {
    let w = World::new(&app)
        .fund()
        .open_call()
        .ngo()
        .donor()
        .application("Shelter in Lagos", "10000.00")
        .await;
    let admin = w.admin.clone();
    let application = format!("/api/v1/applications/{}", w.application_id());
    let r = app
        .post_as(
            &admin,
            "/api/v1/organisations",
            json!({"name": "Evil\u{0}Org", "kind": "foundation", "country": "NG"}),
        )
        .await;
    assert_eq!(r.assert_problem(422, "validation_failed"), vec!["name"]);
    let r = app
        .post_as(
            &admin,
            &format!("/api/v1/funds/{}/contributions", w.fund_id()),
            json!({"donor_id": w.donor_id(), "amount": "1.00", "currency": "USD",
                "received_on": today(), "reference": "INV-\u{202E}fdp.exe"}),
        )
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed"),
        vec!["reference"]
    );
    let r = app
        .patch_as(
            w.ngo_token(),
            &application,
            json!({"summary": "ok\u{1b}[31m red"}),
            None,
        )
        .await;
    assert_eq!(r.assert_problem(422, "validation_failed"), vec!["summary"]);
    let r = app.patch_as(w.ngo_token(), &application,
        json!({"budget": [{"category": "rent", "description": "\u{2066}x\u{2069}", "amount": "1.00"}]}), None).await;
    assert_eq!(
        r.assert_problem(422, "validation_failed"),
        vec!["budget[0].description"]
    );
    // a title is one line; a summary may have several
    let r = app
        .patch_as(
            w.ngo_token(),
            &application,
            json!({"title": "two\nlines"}),
            None,
        )
        .await;
    assert_eq!(r.assert_problem(422, "validation_failed"), vec!["title"]);
    let r = app
        .post_as(
            &admin,
            "/api/v1/registry/projects",
            json!({"title": "Shelter", "description": "bad \u{7f} byte",
                "reporting_org_id": w.donor_id()}),
        )
        .await;
    assert_eq!(
        r.assert_problem(422, "validation_failed"),
        vec!["description"]
    );
    let r = app
        .patch_as(w.ngo_token(), &application,
            json!({"summary": "Line one\nLine two\r\n\tindented — ملجأ", "title": "Refuge à Abidjan"}), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.count("contributions"), 0);
});

/// The body of a GET answer and of the HEAD of the same resource: same status and
/// headers, no body.
async fn head_like_get(app: &TestApp, token: Option<&str>, path: &str) {
    let send = |method: Method| {
        let mut request = app.client.request(method, app.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let get = send(Method::GET).await.expect("GET");
    let head = send(Method::HEAD).await.expect("HEAD");
    assert_eq!(head.status(), get.status(), "{path}");
    assert_eq!(
        head.headers().get("content-type"),
        get.headers().get("content-type"),
        "{path}"
    );
    assert!(get.status().is_success(), "{path}: {}", get.status());
    assert!(
        head.bytes().await.expect("body").is_empty(),
        "{path}: HEAD has no body"
    );
}

both_backends!(
    head_csv_headers_and_future_tokens,
    |app: TestApp| async move {
        let w = World::new(&app)
            .fund()
            .open_call()
            .ngo()
            .donor()
            .received("100.00")
            .await;
        let admin = w.admin.clone();
        for (token, path) in [
            (None, "/health/live".to_string()),
            (None, "/api/v1/openapi.json".to_string()),
            (None, "/api/v1/registry/projects".to_string()),
            (Some(admin.as_str()), "/api/v1/funds".to_string()),
            (
                Some(admin.as_str()),
                format!("/api/v1/funds/{}", w.fund_id()),
            ),
            (
                Some(admin.as_str()),
                format!("/api/v1/funds/{}/status", w.fund_id()),
            ),
            (
                Some(admin.as_str()),
                format!("/api/v1/calls/{}", w.call_id()),
            ),
            (
                Some(admin.as_str()),
                format!("/api/v1/organisations/{}/statement", w.donor_id()),
            ),
        ] {
            head_like_get(&app, token, &path).await;
        }
        // HEAD where there is no GET is still 405, and GET paths name HEAD in Allow
        let r = Reply::from(
            app.client
                .head(app.url("/api/v1/auth/login"))
                .send()
                .await
                .expect("sent"),
        )
        .await;
        assert_eq!(r.status, 405);
        let r = Reply::from(
            app.client
                .delete(app.url("/api/v1/funds"))
                .bearer_auth(&admin)
                .send()
                .await
                .expect("sent"),
        )
        .await;
        assert_eq!(r.status, 405);
        assert!(
            r.header("allow").unwrap_or_default().contains("HEAD"),
            "{:?}",
            r.header("allow")
        );

        // the donor statement as CSV is never sniffed nor cached
        let path = format!("/api/v1/organisations/{}/statement", w.donor_id());
        let r = Reply::checked(
            &Method::GET,
            &path,
            app.client
                .get(app.url(&path))
                .bearer_auth(&admin)
                .header("accept", "text/csv"),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));

        // a token issued in the future is refused, on several endpoints
        let now = Utc::now().timestamp();
        let user = app.user_with_funds("admin", None, &[]).0;
        let claims = json!({"iss": app.settings.auth.issuer, "aud": app.settings.auth.audience,
        "sub": user, "exp": now + 7200, "nbf": now - 10, "iat": now + 3600,
        "jti": "future", "typ": "access"});
        let future = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(app.settings.auth.jwt_secret.as_bytes()),
        )
        .expect("signed");
        for path in [
            "/api/v1/me",
            "/api/v1/funds",
            &format!("/api/v1/funds/{}/status", w.fund_id()),
        ] {
            app.get_as(&future, path)
                .await
                .assert_problem(401, "unauthorized");
        }
        let mut fine = claims.clone();
        fine["iat"] = json!(now);
        let fine = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &fine,
            &jsonwebtoken::EncodingKey::from_secret(app.settings.auth.jwt_secret.as_bytes()),
        )
        .expect("signed");
        assert_eq!(app.get_as(&fine, "/api/v1/me").await.status, 200);
    }
);

fn production(s: &mut Settings) {
    s.environment = RunEnvironment::Production;
    s.auth.jwt_secret = "a production secret of more than thirty-two bytes".into();
    s.server.metrics_token = "scrape-token-0123456789".into();
}

both_backends_with!(
    metrics_in_production_need_an_address_or_a_token,
    production,
    |app: TestApp| async move {
        let r = Reply::checked(
            &Method::GET,
            "/metrics",
            app.client.get(app.url("/metrics")),
        )
        .await;
        r.assert_problem(403, "forbidden");
        let r = Reply::checked(
            &Method::GET,
            "/metrics",
            app.client
                .get(app.url("/metrics"))
                .bearer_auth("wrong-token"),
        )
        .await;
        r.assert_problem(403, "forbidden");
        let r = Reply::checked(
            &Method::GET,
            "/metrics",
            app.client
                .get(app.url("/metrics"))
                .bearer_auth("scrape-token-0123456789"),
        )
        .await;
        assert_eq!(r.status, 200);
        assert!(r.text.contains("http_requests_total"));
    }
);

both_backends_with!(
    metrics_in_production_answer_a_listed_address,
    |s: &mut Settings| {
        production(s);
        s.server.metrics_allowed_addresses = vec!["127.0.0.1".into()];
    },
    |app: TestApp| async move {
        let r = Reply::checked(
            &Method::GET,
            "/metrics",
            app.client.get(app.url("/metrics")),
        )
        .await;
        assert_eq!(r.status, 200);
        // and the published development key is said loudly at start
        let dev = Settings::load(None).expect("defaults");
        assert!(
            dev.startup_warnings()
                .iter()
                .any(|w| w.contains("PUBLISHED development key"))
        );
        assert!(app.settings.startup_warnings().is_empty());
    }
);

/// Opens a connection, sends `head` and `first` bytes of the body, then goes silent.
/// Returns what the server answered and how long until it closed the connection.
async fn silent_client(app: &TestApp, head: String, first: &[u8]) -> (String, Duration) {
    let address = app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(first).await.expect("first bytes");
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server kept a silent client for 30 s");
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

fn quick_pace(s: &mut Settings) {
    s.server.body_idle_timeout_secs = 2;
    s.server.body_grace_secs = 1;
    s.server.body_min_bytes_per_sec = 500;
}

both_backends_with!(
    bodies_that_never_finish_are_cut,
    quick_pace,
    |app: TestApp| async move {
        let w = World::new(&app)
            .fund()
            .open_call()
            .ngo()
            .application("Shelter in Lagos", "10000.00")
            .await;
        let host = app.base.trim_start_matches("http://").to_string();
        let json_head = |path: &str, token: Option<&str>| {
            let auth = token
                .map(|t| format!("Authorization: Bearer {t}\r\n"))
                .unwrap_or_default();
            format!(
                "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{auth}Content-Length: 5000\r\n\r\n"
            )
        };
        let cases = vec![
        (json_head("/api/v1/auth/login", None), b"{\"email\"".to_vec()),
        (json_head("/api/v1/funds", Some(&w.admin)), b"{".to_vec()),
        (json_head(&format!("/api/v1/funds/{}/contributions", w.fund_id()), Some(&w.admin)), Vec::new()),
        (
            format!(
                "POST /api/v1/applications/{}/documents HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 500000\r\n\r\n",
                w.application_id(),
                w.ngo_token()
            ),
            b"--XyZ\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nproposal\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"p.pdf\"\r\n\r\n%PDF-1.4\n".to_vec(),
        ),
    ];
        for (head, first) in cases {
            let (answer, took) = silent_client(&app, head.clone(), &first).await;
            assert!(answer.starts_with("HTTP/1.1 408"), "{head}: {answer}");
            assert!(answer.contains("request_timeout"), "{answer}");
            assert!(
                took < Duration::from_secs(8),
                "{head}: closed after {took:?}"
            );
        }
        assert_eq!(app.count("application_documents"), 0);

        // a slow but steady client is never cut: 1,000 bytes a second, for five seconds
        let address = host.clone();
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connect");
        let password = "p".repeat(4_900);
        let body = format!(r#"{{"email":"slow@example.org","password":"{password}"}}"#);
        let head = format!(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.expect("head");
        for chunk in body.as_bytes().chunks(1_000) {
            stream.write_all(chunk).await.expect("chunk");
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        let mut answer = Vec::new();
        tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
            .await
            .expect("answered")
            .expect("read");
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            !answer.starts_with("HTTP/1.1 408"),
            "a steady client was cut: {answer}"
        );
        assert!(
            answer.starts_with("HTTP/1.1 401") || answer.starts_with("HTTP/1.1 422"),
            "{answer}"
        );
    }
);

both_backends!(
    money_is_not_dated_before_its_fund_was_set_up,
    |app: TestApp| async move {
        let w = World::new(&app)
            .fund_with(json!({"established_on": "2010-07-30"}))
            .donor()
            .await;
        let admin = w.admin.clone();
        let fund = w.fund_id().to_string();
        let donor = w.donor_id().to_string();
        let r = app.get_as(&admin, &format!("/api/v1/funds/{fund}")).await;
        assert_eq!(r.body["established_on"], "2010-07-30", "{}", r.text);

        // the day before the fund was set up is refused, naming the field; nothing is written
        let (pledges, contributions) = (app.count("pledges"), app.count("contributions"));
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{fund}/pledges"),
                json!({"donor_id": donor, "amount": "100.00", "currency": "USD",
                       "pledged_on": "2010-07-29"}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["pledged_on"]
        );
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{fund}/contributions"),
                json!({"donor_id": donor, "amount": "100.00", "currency": "USD",
                       "received_on": "2010-07-29", "reference": "EARLY-1"}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["received_on"]
        );
        assert_eq!(app.count("pledges"), pledges);
        assert_eq!(app.count("contributions"), contributions);

        // the day itself is accepted
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{fund}/contributions"),
                json!({"donor_id": donor, "amount": "100.00", "currency": "USD",
                       "received_on": "2010-07-30", "reference": "FIRST-1"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);

        // the set-up day cannot move past money already recorded, nor into the future
        let path = format!("/api/v1/funds/{fund}");
        let r = app
            .patch_as(&admin, &path, json!({"established_on": "2010-08-01"}), None)
            .await;
        assert_eq!(
            r.assert_problem(409, "invalid_state"),
            vec!["established_on"]
        );
        let r = app
            .patch_as(&admin, &path, json!({"established_on": "2999-01-01"}), None)
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["established_on"]
        );
        let r = app
            .post_as(
                &admin,
                "/api/v1/funds",
                json!({"code": "EARLY", "name": "Early fund", "support_cost_rate": "0.13",
                       "board_quorum": 3, "established_on": "1999-12-31"}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["established_on"]
        );
        // earlier is always possible
        let r = app
            .patch_as(&admin, &path, json!({"established_on": "2010-01-01"}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["established_on"], "2010-01-01");
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{fund}/pledges"),
                json!({"donor_id": donor, "amount": "100.00", "currency": "USD",
                       "pledged_on": "2010-07-29"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
);

both_backends!(
    dates_keep_to_a_plausible_window,
    |app: TestApp| async move {
        let mut w = World::board(&app)
            .received("50000.00")
            .under_review("Shelter and legal aid", "10000.00")
            .grant("10000.00")
            .signed()
            .await;
        let admin = w.admin.clone();
        let fund = w.fund_id().to_string();
        let donor = w.donor_id().to_string();
        let before = app.count("contributions");
        let dated = |field: &str, date: &str, mut body: Value| {
            body[field] = json!(date);
            body
        };
        let contribution = json!({"donor_id": donor, "amount": "1.00", "currency": "USD",
        "received_on": today(), "reference": "B-1"});
        let pledge =
            json!({"donor_id": donor, "amount": "1.00", "currency": "USD", "pledged_on": today()});
        let cases: Vec<(String, Value, &str)> = vec![
            (
                format!("/api/v1/funds/{fund}/contributions"),
                dated("received_on", "0000-01-01", contribution.clone()),
                "received_on",
            ),
            (
                format!("/api/v1/funds/{fund}/contributions"),
                dated("received_on", "1999-12-31", contribution.clone()),
                "received_on",
            ),
            (
                format!("/api/v1/funds/{fund}/contributions"),
                dated("received_on", "2999-01-01", contribution.clone()),
                "received_on",
            ),
            (
                format!("/api/v1/funds/{fund}/pledges"),
                dated("pledged_on", "0001-01-01", pledge.clone()),
                "pledged_on",
            ),
            (
                format!("/api/v1/funds/{fund}/pledges"),
                dated("due_on", "2999-01-01", pledge.clone()),
                "due_on",
            ),
            (
                format!("/api/v1/funds/{fund}/board-sessions"),
                json!({"held_on": "0001-01-01", "trustee_ids": [w.trustee_list()[0].0]}),
                "held_on",
            ),
            (
                "/api/v1/registry/overlap-check".to_string(),
                json!({"title": "Shelter", "start_on": "0001-01-01"}),
                "start_on",
            ),
            (
                "/api/v1/registry/projects".to_string(),
                json!({"title": "Shelter", "reporting_org_id": donor, "countries": ["NG"],
                "themes": ["protection"], "status": "active", "end_on": "3000-01-01"}),
                "end_on",
            ),
            (
                "/api/v1/exchange-rates".to_string(),
                json!({"currency": "EUR", "base_currency": "USD", "rate": "1.08",
                    "valid_from": "0001-01-01"}),
                "valid_from",
            ),
            (
                format!("/api/v1/grants/{}/refunds", w.grant_id()),
                json!({"amount": "1.00", "received_on": "0001-01-01", "reference": "R"}),
                "received_on",
            ),
        ];
        for (path, body, field) in cases {
            let r = app.post_as(&admin, &path, body).await;
            assert!(
                r.assert_problem(422, "validation_failed")
                    .contains(&field.to_string()),
                "{path}: {}",
                r.text
            );
        }
        let call = json!({"title": "Call", "description": "d",
        "opens_at": Utc::now().to_rfc3339(), "closes_at": "2999-01-01T00:00:00Z",
        "max_amount": "1000.00", "currency": "USD", "max_duration_months": 12,
        "eligible_countries": [], "themes": ["protection.shelter"], "required_documents": [],
        "rubric": [{"key": "r", "title": "R", "weight": 1, "max_score": 10}]});
        let r = app
            .post_as(&admin, &format!("/api/v1/funds/{fund}/calls"), call)
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["closes_at"]
        );
        let report = json!({"kind": "interim", "period_start": "0001-01-01", "period_end": "2999-01-01",
        "narrative": "n", "people_reached_to_date": 0, "beneficiaries": [], "services": [], "indicators": [], "expenditure": []});
        let r = app
            .post_as(
                w.ngo_token(),
                &format!("/api/v1/grants/{}/reports", w.grant_id()),
                report,
            )
            .await;
        let named = r.assert_problem(422, "validation_failed");
        assert!(
            named.contains(&"period_start".to_string())
                && named.contains(&"period_end".to_string()),
            "{}",
            r.text
        );
        assert_eq!(app.count("contributions"), before);

        // a payment is not dated before its grant was approved
        let (requester, approver) = w.finance();
        let g = w.grant_json().clone();
        let r = app
            .post_as(
                &requester,
                &format!("/api/v1/grants/{}/disbursements", w.grant_id()),
                json!({"instalment_id": g["instalments"][0]["id"], "amount": "6000.00"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let d = r.body["id"].as_str().expect("id").to_string();
        let r = app
            .post_as(
                &approver,
                &format!("/api/v1/disbursements/{d}/approve"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let yesterday = (Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
        for paid_on in ["0001-01-01", yesterday.as_str()] {
            let r = app
                .post_as(
                    &approver,
                    &format!("/api/v1/disbursements/{d}/pay"),
                    json!({"paid_on": paid_on, "reference": "W1"}),
                )
                .await;
            assert_eq!(
                r.assert_problem(422, "validation_failed"),
                vec!["paid_on"],
                "{paid_on}"
            );
        }
        let r = app
            .post_as(
                &approver,
                &format!("/api/v1/disbursements/{d}/pay"),
                json!({"paid_on": today(), "reference": "W1"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
);

both_backends!(only_those_who_give_are_donors, |app: TestApp| async move {
    let w = World::new(&app).fund().ngo().await;
    let admin = w.admin.clone();
    let fund = w.fund_id().to_string();
    let ngo = w.org_id().to_string();
    let contribution = |donor: &str| {
        json!({"donor_id": donor, "amount": "1.00", "currency": "USD",
        "received_on": today(), "reference": format!("B-{}", uuid::Uuid::new_v4().simple())})
    };
    let pledge = |donor: &str| json!({"donor_id": donor, "amount": "1.00", "currency": "USD", "pledged_on": today()});
    // a grantee NGO is refused as a donor, on pledges and contributions
    for (path, body) in [
        (
            format!("/api/v1/funds/{fund}/contributions"),
            contribution(&ngo),
        ),
        (format!("/api/v1/funds/{fund}/pledges"), pledge(&ngo)),
    ] {
        let r = app.post_as(&admin, &path, body).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["donor_id"],
            "{path}"
        );
        assert!(r.text.contains("may_donate"), "{}", r.text);
    }
    assert_eq!((app.count("contributions"), app.count("pledges")), (0, 0));
    // every other kind gives
    for kind in [
        "government",
        "multilateral",
        "foundation",
        "company",
        "individual",
        "asset-recovery",
    ] {
        let r = app
            .post_as(
                &admin,
                "/api/v1/organisations",
                json!({"name": format!("A {kind}"), "kind": kind, "country": "LU"}),
            )
            .await;
        let id = r.body["id"].as_str().expect("id").to_string();
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{fund}/contributions"),
                contribution(&id),
            )
            .await;
        assert_eq!(r.status, 201, "{kind}: {}", r.text);
    }
    // an NGO that really gives is marked by the secretariat, then accepted
    let r = app
        .patch_as(
            &admin,
            &format!("/api/v1/organisations/{ngo}"),
            json!({"may_donate": true}),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["may_donate"], true);
    let r = app
        .post_as(
            &admin,
            &format!("/api/v1/funds/{fund}/pledges"),
            pledge(&ngo),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
});

// A number without a fraction is an integer in JSON Schema, which the OpenAPI document is
// written in (schemathesis sent `"board_quorum": 3.0` and got 422): integer fields take
// it; a fraction is still refused, and amounts still refuse every number.
both_backends!(
    an_integer_may_be_written_with_a_zero_fraction,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let body =
            r#"{"code": "FLOAT", "name": "F", "support_cost_rate": "0.1", "board_quorum": 3.0}"#;
        let r = raw_json(&app, Some(&admin), Method::POST, "/api/v1/funds", body, &[]).await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        assert_eq!(r.body["board_quorum"], 3);
        let body =
            r#"{"code": "FLOAT2", "name": "F", "support_cost_rate": "0.1", "board_quorum": 2.5}"#;
        let r = raw_json(&app, Some(&admin), Method::POST, "/api/v1/funds", body, &[]).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["board_quorum"]
        );
        let body =
            r#"{"code": "FLOAT3", "name": "F", "support_cost_rate": 0.0, "board_quorum": 3}"#;
        let r = raw_json(&app, Some(&admin), Method::POST, "/api/v1/funds", body, &[]).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["support_cost_rate"]
        );
    }
);
