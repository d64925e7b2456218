//! The service platform over HTTP on both backends: errors as problem+json, health,
//! metrics, request ids, OpenAPI completeness, optimistic concurrency, pagination, audit.

use crate::common;

use common::{Backend, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

fn fund_body(code: &str) -> Value {
    json!({"code": code, "name": "Trust fund", "base_currency": "USD", "support_cost_rate": "0.13", "board_quorum": 3})
}

async fn create_fund(app: &TestApp, code: &str) -> Value {
    let reply = app.post("/api/v1/funds", fund_body(code)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.body
}

both_backends!(health_answers_live_and_ready, |app: TestApp| async move {
    app.sign_in_as_admin();
    assert_eq!(app.get("/health/live").await.status, 200);
    let ready = app.get("/health/ready").await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.body["status"], "ready");
});

both_backends!(
    every_error_class_is_problem_json_and_changes_nothing,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let before = (app.count("funds"), app.count("audit_events"));

        // broken JSON
        let r = app
            .send_raw(
                Method::POST,
                "/api/v1/funds",
                Some("application/json"),
                b"{\"code\":".to_vec(),
            )
            .await;
        r.assert_problem(400, "malformed_request");
        // wrong content type
        let r = app
            .send_raw(
                Method::POST,
                "/api/v1/funds",
                Some("text/plain"),
                fund_body("AB").to_string().into_bytes(),
            )
            .await;
        r.assert_problem(415, "unsupported_media_type");
        // body too large
        let huge = json!({"code": "AB", "name": "x".repeat(300_000), "support_cost_rate": "0.1", "board_quorum": 1});
        app.post("/api/v1/funds", huge)
            .await
            .assert_problem(413, "payload_too_large");
        // unknown route, wrong method with Allow
        app.get("/api/v1/nothing-here")
            .await
            .assert_problem(404, "not_found");
        let r = app
            .request(Method::DELETE, "/api/v1/funds", None, &[])
            .await;
        r.assert_problem(405, "method_not_allowed");
        let allow = r.header("allow").expect("Allow header");
        assert!(allow.contains("GET") && allow.contains("POST"), "{allow}");
        // bad UUID in a path
        let fields = app
            .get("/api/v1/funds/not-a-uuid")
            .await
            .assert_problem(400, "malformed_request");
        assert_eq!(fields, vec!["id"]);
        // an unknown but well-formed id
        app.get(&format!("/api/v1/funds/{}", uuid::Uuid::new_v4()))
            .await
            .assert_problem(404, "not_found");

        // unknown field, missing field, wrong type, amount as a number, too many decimals,
        // unknown currency: each names its field
        let cases: Vec<(Value, &str)> = vec![
            (
                json!({"code": "AB", "name": "n", "support_cost_rate": "0.1", "board_quorum": 1, "colour": "red"}),
                "colour",
            ),
            (
                json!({"name": "n", "support_cost_rate": "0.1", "board_quorum": 1}),
                "code",
            ),
            (
                json!({"code": "AB", "name": "n", "support_cost_rate": "0.1", "board_quorum": "three"}),
                "board_quorum",
            ),
            (
                json!({"code": "AB", "name": "n", "support_cost_rate": 0.1, "board_quorum": 1}),
                "support_cost_rate",
            ),
            (
                json!({"code": "AB", "name": "n", "support_cost_rate": "0.1234567", "board_quorum": 1}),
                "support_cost_rate",
            ),
            (
                json!({"code": "AB", "name": "n", "base_currency": "XXQ", "support_cost_rate": "0.1", "board_quorum": 1}),
                "base_currency",
            ),
            (
                json!({"code": "a b", "name": "n", "support_cost_rate": "0.1", "board_quorum": 1}),
                "code",
            ),
            (
                json!({"code": "AB", "name": "  ", "support_cost_rate": "0.1", "board_quorum": 1}),
                "name",
            ),
        ];
        for (body, field) in cases {
            let fields = app
                .post("/api/v1/funds", body.clone())
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(fields, vec![field], "for {body}");
        }
        // several problems at once are all named
        let r = app
            .post(
                "/api/v1/funds",
                json!({"code": "a", "name": "", "support_cost_rate": "2", "board_quorum": 0}),
            )
            .await;
        let mut fields = r.assert_problem(422, "validation_failed");
        fields.sort();
        assert_eq!(
            fields,
            vec!["board_quorum", "code", "name", "support_cost_rate"]
        );

        // organisations: bad country, bad identifier, unknown kind
        let r = app
            .post(
                "/api/v1/organisations",
                json!({"name": "X", "kind": "alien", "country": "ZZ"}),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["kind"]);
        let r = app
            .post(
                "/api/v1/organisations",
                json!({"name": "X", "kind": "ngo", "country": "ZZ", "identifier": "nope"}),
            )
            .await;
        let mut fields = r.assert_problem(422, "validation_failed");
        fields.sort();
        assert_eq!(fields, vec!["country", "identifier"]);

        assert_eq!(
            (app.count("funds"), app.count("audit_events")),
            before,
            "failed requests changed nothing"
        );
        assert!(!app.get("/health/ready").await.text.contains("diesel"));
    }
);

both_backends!(
    a_duplicate_fund_code_is_a_conflict,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        create_fund(&app, "DUP").await;
        let fields = app
            .post("/api/v1/funds", fund_body("DUP"))
            .await
            .assert_problem(409, "duplicate");
        assert_eq!(fields, vec!["code"]);
        assert_eq!(app.count("funds"), 1);
    }
);

both_backends!(
    money_and_rates_travel_as_strings,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let fund = create_fund(&app, "STR").await;
        assert_eq!(fund["support_cost_rate"], "0.13");
        assert_eq!(fund["base_currency"], "USD");
        let read = app
            .get(&format!("/api/v1/funds/{}", fund["id"].as_str().unwrap()))
            .await;
        assert_eq!(read.body["support_cost_rate"], "0.13");
    }
);

both_backends!(
    stale_if_match_is_refused_and_fresh_one_applies,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let fund = create_fund(&app, "ETAG").await;
        let path = format!("/api/v1/funds/{}", fund["id"].as_str().unwrap());
        let read = app.get(&path).await;
        let etag = read.header("etag").expect("ETag");
        let ok = app
            .patch(&path, json!({"name": "Renamed"}), Some(&etag))
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        assert_eq!(ok.body["version"], 2);
        assert_ne!(ok.header("etag"), Some(etag.clone()));
        // the same old ETag is now stale
        app.patch(&path, json!({"name": "Again"}), Some(&etag))
            .await
            .assert_problem(412, "precondition_failed");
        assert_eq!(app.get(&path).await.body["name"], "Renamed");
        // code and base currency cannot be changed
        let fields = app
            .patch(&path, json!({"base_currency": "EUR"}), None)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["base_currency"]);
    }
);

both_backends!(
    concurrent_edits_with_one_etag_let_exactly_one_through,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let fund = create_fund(&app, "RACE").await;
        let path = format!("/api/v1/funds/{}", fund["id"].as_str().unwrap());
        let etag = app.get(&path).await.header("etag").expect("ETag");
        let attempts = (0..10).map(|i| {
            let (app, path, etag) = (&app, path.clone(), etag.clone());
            async move {
                app.patch(&path, json!({"name": format!("Edit {i}")}), Some(&etag))
                    .await
                    .status
                    .as_u16()
            }
        });
        let statuses = futures_util::future::join_all(attempts).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert_eq!(
            statuses.iter().filter(|s| **s == 412).count(),
            9,
            "{statuses:?}"
        );
        assert_eq!(app.get(&path).await.body["version"], 2);
    }
);

both_backends!(lists_page_with_cursors, |app: TestApp| async move {
    app.sign_in_as_admin();
    for i in 0..5 {
        let r = app
            .post(
                "/api/v1/organisations",
                json!({"name": format!("Org {i}"), "kind": "ngo", "country": "NG"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/organisations?limit=2".to_string();
    loop {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let items = page.body["items"].as_array().expect("items").clone();
        assert!(items.len() <= 2);
        seen.extend(
            items
                .iter()
                .map(|i| i["name"].as_str().unwrap().to_string()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/organisations?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, (0..5).map(|i| format!("Org {i}")).collect::<Vec<_>>());
    assert_eq!(
        app.get("/api/v1/organisations?limit=0")
            .await
            .assert_problem(422, "validation_failed"),
        vec!["limit"]
    );
    assert_eq!(
        app.get("/api/v1/organisations?limit=201")
            .await
            .assert_problem(422, "validation_failed"),
        vec!["limit"]
    );
    assert_eq!(
        app.get("/api/v1/organisations?limit=ten")
            .await
            .assert_problem(422, "validation_failed"),
        vec!["limit"]
    );
    assert_eq!(
        app.get("/api/v1/organisations?cursor=zzz")
            .await
            .assert_problem(422, "validation_failed"),
        vec!["cursor"]
    );
});

both_backends!(
    every_change_leaves_an_audit_event,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let fund = create_fund(&app, "AUD").await;
        let id = fund["id"].as_str().unwrap();
        app.patch(
            &format!("/api/v1/funds/{id}"),
            json!({"board_quorum": 5}),
            None,
        )
        .await;
        let trail = app
            .get(&format!("/api/v1/audit-events?entity=fund&entity_id={id}"))
            .await;
        assert_eq!(trail.status, 200, "{}", trail.text);
        let events = trail.body["items"].as_array().expect("items");
        assert_eq!(events.len(), 2);
        assert_eq!(events[0]["action"], "create");
        assert_eq!(events[1]["action"], "update");
        assert_eq!(events[1]["before"]["board_quorum"], 3);
        assert_eq!(events[1]["after"]["board_quorum"], 5);
        assert!(events[1]["request_id"].is_string());
        // no way to change the trail through the API ...
        app.request(Method::DELETE, "/api/v1/audit-events", None, &[])
            .await
            .assert_problem(405, "method_not_allowed");
        // ... nor in the database
        use diesel::RunQueryDsl;
        let mut conn = app.pool.get().expect("connection");
        assert!(
            diesel::sql_query("UPDATE audit_events SET action = 'forged'")
                .execute(&mut *conn)
                .is_err()
        );
        assert!(
            diesel::sql_query("DELETE FROM audit_events")
                .execute(&mut *conn)
                .is_err()
        );
        drop(conn);
        assert_eq!(app.count("audit_events"), 2);
    }
);

both_backends!(
    request_ids_and_metrics_are_exposed,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let r = app.get("/health/live").await;
        assert!(r.header("x-request-id").is_some_and(|id| !id.is_empty()));
        let r = app
            .request(
                Method::GET,
                "/health/live",
                None,
                &[("x-request-id", "support-123")],
            )
            .await;
        let ours = r.header("x-request-id").expect("request id");
        assert_ne!(
            ours, "support-123",
            "a client cannot choose the id written in audit events"
        );
        assert!(uuid::Uuid::parse_str(&ours).is_ok());
        let fund = app
            .post(
                "/api/v1/funds",
                json!({"code": "RID", "name": "n", "support_cost_rate": "0.1", "board_quorum": 1}),
            )
            .await;
        let made_by = fund.header("x-request-id").expect("request id");
        let trail = app
            .get(&format!(
                "/api/v1/audit-events?entity=fund&entity_id={}",
                fund.body["id"].as_str().expect("id")
            ))
            .await;
        assert_eq!(trail.body["items"][0]["request_id"], made_by.as_str());
        app.get(&format!("/api/v1/funds/{}", uuid::Uuid::new_v4()))
            .await;
        let metrics = app.get("/metrics").await.text;
        assert!(metrics.contains("http_requests_total"), "{metrics}");
        assert!(
            metrics.contains(r#"route="/api/v1/funds/{id}""#),
            "labelled by pattern: {metrics}"
        );
        assert!(metrics.contains("http_request_duration_seconds_bucket"));
        for invented in ["AAAA1", "AAAA2"] {
            let method = Method::from_bytes(invented.as_bytes()).expect("token");
            app.request(method, "/health/live", None, &[]).await;
        }
        let metrics = app.get("/metrics").await.text;
        assert!(
            !metrics.contains("AAAA1"),
            "invented methods share one label"
        );
        assert!(metrics.contains(r#"method="OTHER""#), "{metrics}");
    }
);

both_backends!(
    openapi_documents_every_registered_route,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let doc = app.get("/api/v1/openapi.json").await;
        assert_eq!(doc.status, 200);
        let paths = doc.body["paths"].as_object().expect("paths");
        let mut missing = Vec::new();
        for endpoint in trustfund::app::endpoints() {
            if !endpoint.documented {
                continue; // a page for people (`web`), not the API
            }
            let method = endpoint.method.as_str().to_ascii_lowercase();
            if paths
                .get(&endpoint.path)
                .is_none_or(|p| p.get(&method).is_none())
            {
                missing.push(format!("{} {}", endpoint.method, endpoint.path));
            }
        }
        assert!(
            missing.is_empty(),
            "routes missing from the OpenAPI document: {missing:?}"
        );
        let docs = app.get("/docs/").await;
        assert_eq!(docs.status, 200);
        assert!(
            docs.text.contains("swagger"),
            "the browsable page is served from the binary"
        );
    }
);

both_backends!(
    migrations_apply_once_and_restart_is_idempotent,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        // the server already migrated this database: a second run applies nothing and keeps data
        create_fund(&app, "KEEP").await;
        let (_, applied) = trustfund::open_database(&app.settings).expect("reopen");
        assert_eq!(applied, 0);
        let (_, applied) = trustfund::open_database(&app.settings).expect("reopen again");
        assert_eq!(applied, 0);
        assert_eq!(app.count("funds"), 1);
    }
);

both_backends!(
    the_audit_event_rolls_back_with_a_failed_change,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        use trustfund::audit::{self, Action, Change, Entity};
        use trustfund::auth::Actor;
        use trustfund::error::AppError;
        let mut conn = app.pool.get().expect("connection");
        let result: Result<(), AppError> = trustfund::db::write_transaction(&mut conn, |conn| {
            let new = trustfund::funds::model::CreateFund {
                code: "GONE".into(),
                name: "Never committed".into(),
                base_currency: None,
                support_cost_rate: trustfund::money::DecimalString(rust_decimal::Decimal::new(
                    13, 2,
                )),
                board_quorum: 1,
                organisation_identifier: None,
                organisation_type: None,
                established_on: None,
            }
            .validate()?;
            let view = trustfund::funds::store::insert(conn, &new)?.into_view()?;
            audit::record(
                conn,
                &Actor::system(),
                Change::<(), _> {
                    entity: Entity::Fund,
                    entity_id: &view.id,
                    action: Action::Create,
                    before: None,
                    after: Some(&view),
                },
            )?;
            Err(AppError::invalid_state("a later step of the change failed"))
        });
        assert!(result.is_err());
        drop(conn);
        assert_eq!(app.count("funds"), 0);
        assert_eq!(app.count("audit_events"), 0);
    }
);

both_backends!(demo_data_loads_once, |app: TestApp| async move {
    app.sign_in_as_admin();
    trustfund::demo::load(&app.pool, &app.settings).expect("first load");
    trustfund::demo::load(&app.pool, &app.settings).expect("second load is a no-op");
    let funds = app.get("/api/v1/funds").await;
    let items = funds.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["code"], "UNVTF");
    assert_eq!(items[0]["support_cost_rate"], "0.13");
    let orgs = app.get("/api/v1/organisations").await;
    let names: Vec<&str> = orgs.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for donor in ["Russian Federation", "Luxembourg", "Australia"] {
        assert!(names.contains(&donor), "{names:?}");
    }
});

#[test]
fn an_unreachable_postgres_server_fails_fast_with_a_clear_error() {
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = common::test_settings(
        dir.path(),
        "postgres://nobody:hunter2@127.0.0.1:1/none".into(),
    );
    settings.database.connect_timeout_secs = 2;
    let Err(err) = trustfund::open_database(&settings) else {
        panic!("connecting to a closed port must fail")
    };
    let message = err.to_string();
    assert!(message.contains("cannot open the database"), "{message}");
    assert!(
        !message.contains("hunter2"),
        "the password is masked: {message}"
    );
}

#[test]
fn an_unknown_database_scheme_is_refused_by_name() {
    let dir = tempfile::tempdir().expect("dir");
    let settings = common::test_settings(dir.path(), "mysql://x".into());
    let Err(err) = trustfund::open_database(&settings) else {
        panic!("an unknown scheme must be refused")
    };
    let message = err.to_string();
    assert!(
        message.contains("sqlite://") && message.contains("postgres://"),
        "{message}"
    );
    let _ = Backend::Sqlite;
}

both_backends!(
    an_edit_without_if_match_is_428_and_changes_nothing,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let fund = create_fund(&app, "IFM").await;
        let fund_path = format!("/api/v1/funds/{}", fund["id"].as_str().expect("id"));
        let org = app
            .post(
                "/api/v1/organisations",
                json!({"name": "Edited NGO", "kind": "ngo", "country": "NG"}),
            )
            .await;
        assert_eq!(org.status, 201, "{}", org.text);
        let org_path = format!(
            "/api/v1/organisations/{}",
            org.body["id"].as_str().expect("id")
        );
        for (path, body) in [
            (&fund_path, json!({"board_quorum": 5})),
            (&org_path, json!({"name": "Renamed"})),
        ] {
            let before = app.get(path).await;
            app.request(Method::PATCH, path, Some(body.clone()), &[])
                .await
                .assert_problem(428, "precondition_required");
            let after = app.get(path).await;
            assert_eq!(
                before.body, after.body,
                "{path}: a refused edit changed nothing"
            );
            // a stale version is 412, the current one is applied
            app.patch(path, body.clone(), Some("\"999\""))
                .await
                .assert_problem(412, "precondition_failed");
            let etag = before.header("etag").expect("etag");
            let r = app.patch(path, body, Some(&etag)).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            assert_eq!(
                r.body["version"],
                before.body["version"].as_i64().expect("v") + 1
            );
        }
    }
);
