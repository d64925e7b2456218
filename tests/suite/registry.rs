//! The donor project registry over HTTP on both backends: registration by members, public
//! visibility, search with facets, matrix, gaps, overlap detection and its review queue,
//! and IATI import.

use crate::common;

use std::collections::BTreeSet;

use common::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

const PROJECTS: &str = "/api/v1/registry/projects";
const IATI: &str = "/api/v1/registry/import/iati";
const EXAMPLES: &str = "../shared/standards/iati/examples";

/// The official IATI example files live in the shared standards folder beside the checkout
/// (`../shared`); a checkout elsewhere names it with `TRUSTFUND_SHARED_DIR`, and the
/// workplace's `/work/shared` is the last resort.
fn examples_dir() -> std::path::PathBuf {
    let beside = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    std::env::var_os("TRUSTFUND_SHARED_DIR")
        .map(std::path::PathBuf::from)
        .into_iter()
        .chain([beside, std::path::PathBuf::from("/work/shared")])
        .find(|dir| dir.join("standards").is_dir())
        .unwrap_or_else(|| std::path::PathBuf::from("../shared"))
        .join("standards/iati/examples")
}

/// A verified organisation: only a verified organisation's projects are public.
async fn organisation(app: &TestApp, admin: &str, name: &str, country: &str) -> String {
    organisation_verified(app, admin, name, country, true).await
}

async fn organisation_verified(
    app: &TestApp,
    admin: &str,
    name: &str,
    country: &str,
    verified: bool,
) -> String {
    let r = app
        .post_as(
            admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": "ngo", "country": country, "verified": verified}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

/// The secretariat verifies every organisation waiting for it (an IATI import creates its
/// publishers unverified), as it would after checking them.
async fn verify_every_organisation(app: &TestApp, admin: &str) {
    let waiting = app
        .get_as(admin, "/api/v1/organisations?verified=false&limit=200")
        .await;
    assert_eq!(waiting.status, 200, "{}", waiting.text);
    for org in waiting.body["items"].as_array().expect("items") {
        let path = format!("/api/v1/organisations/{}", id(org));
        let r = app
            .patch_as(admin, &path, json!({"verified": true}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
    }
}

fn project(org: &str, title: &str, countries: &[&str], themes: &[&str]) -> Value {
    json!({
        "title": title,
        "description": format!("{title}. A project registered for the tests."),
        "reporting_org_id": org,
        "countries": countries,
        "themes": themes,
        "start_on": "2025-01-01",
        "end_on": "2026-12-31",
        "budget": "100000.00",
        "currency": "USD",
        "status": "active"
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post_as(token, PROJECTS, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn ids(list: &Value) -> BTreeSet<String> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|p| p["id"].as_str().expect("id").to_string())
        .collect()
}

fn facet(search: &Value, name: &str, value: &str) -> i64 {
    search["facets"][name]
        .as_array()
        .expect("facet")
        .iter()
        .find(|f| f["value"] == value)
        .map(|f| f["count"].as_i64().expect("count"))
        .unwrap_or(0)
}

async fn import(app: &TestApp, token: &str, xml: Vec<u8>) -> common::Reply {
    let request = app
        .client
        .post(app.url(IATI))
        .bearer_auth(token)
        .header("content-type", "application/xml")
        .body(xml);
    common::Reply::from(request.send().await.expect("sent")).await
}

both_backends!(
    members_register_their_own_organisations_projects,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Shelter Network Nigeria", "NG").await;
        let b = organisation(&app, &admin, "Other NGO", "GH").await;
        let member_a = app.user_token("ngo", Some(&a));
        let donor_b = app.user_token("donor", Some(&b));

        let mut body = project(&a, "Safe houses in Lagos", &["NG"], &["protection.shelter"]);
        body["funding_org_ids"] = json!([b]);
        body["target_groups"] = json!(["women", "girls"]);
        body["iati_identifier"] = json!("NG-CAC-1234-SH1");
        let r = app.post_as(&member_a, PROJECTS, body.clone()).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
        let created = r.body;
        assert_eq!(created["reporting_org_id"], a);
        assert_eq!(created["funding_org_ids"], json!([b]));
        assert_eq!(created["budget"], "100000.00");
        assert_eq!(created["currency"], "USD");
        assert_eq!(created["published"], true);
        assert_eq!(created["source"], "manual");
        assert_eq!(created["overlaps"], json!([]));
        assert_eq!(created["version"], 1);

        // anyone reads it
        let read = app.get(&format!("{PROJECTS}/{}", id(&created))).await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(read.body["title"], "Safe houses in Lagos");
        assert_eq!(read.body["target_groups"], json!(["women", "girls"]));

        let before = (app.count("registry_projects"), app.count("audit_events"));
        // a member of another organisation cannot register for A: 404, not 403
        app.post_as(
            &donor_b,
            PROJECTS,
            project(&a, "Not mine", &["NG"], &["prevention"]),
        )
        .await
        .assert_problem(404, "not_found");
        // a user without organisation neither
        let reviewer = app.user_token("reviewer", None);
        app.post_as(
            &reviewer,
            PROJECTS,
            project(&a, "Nobody's", &["NG"], &["prevention"]),
        )
        .await
        .assert_problem(404, "not_found");
        // anonymous: 401
        app.post(PROJECTS, project(&a, "Anonymous", &["NG"], &["prevention"]))
            .await
            .assert_problem(401, "unauthorized");
        // the same IATI identifier twice: 409 naming the field
        let mut again = project(&a, "Again", &["NG"], &["prevention"]);
        again["iati_identifier"] = json!("NG-CAC-1234-SH1");
        let fields = app
            .post_as(&member_a, PROJECTS, again)
            .await
            .assert_problem(409, "duplicate");
        assert_eq!(fields, vec!["iati_identifier"]);
        // an admin naming an organisation that does not exist: 422
        let ghost = uuid::Uuid::now_v7().to_string();
        let fields = app
            .post_as(
                &admin,
                PROJECTS,
                project(&ghost, "Ghost", &["NG"], &["prevention"]),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["reporting_org_id"]);
        assert_eq!(
            (app.count("registry_projects"), app.count("audit_events")),
            before
        );

        // admins register for anyone
        let by_admin = create(
            &app,
            &admin,
            project(&b, "Hotline Accra", &["GH"], &["protection"]),
        )
        .await;
        assert_eq!(by_admin["reporting_org_id"], b);

        let trail = app
            .get_as(
                &admin,
                &format!(
                    "/api/v1/audit-events?entity=registry_project&entity_id={}",
                    id(&created)
                ),
            )
            .await;
        let events = trail.body["items"].as_array().expect("items");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["action"], "create");
        assert!(events[0]["actor_id"].is_string());
    }
);

both_backends!(
    an_unverified_organisations_projects_are_public_once_it_is_verified,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let newcomer =
            organisation_verified(&app, &admin, "Self-registered NGO", "NG", false).await;
        let known = organisation(&app, &admin, "Known NGO", "NG").await;
        let member = app.user_token("ngo", Some(&newcomer));
        let stranger = app.user_token("ngo", Some(&known));
        // the newcomer works in Ghana, where nobody else does, so the gaps show it too
        let mut body = project(&newcomer, "Shelter in Tamale", &["GH"], &["protection"]);
        body["budget"] = json!("40000.00");
        let waiting = create(&app, &member, body).await;
        assert_eq!(waiting["published"], true);
        assert_eq!(waiting["awaiting_verification"], true);
        let theirs = create(
            &app,
            &stranger,
            project(&known, "Shelter in Kano", &["NG"], &["protection"]),
        )
        .await;
        assert_eq!(theirs["awaiting_verification"], false);
        let path = format!("{PROJECTS}/{}", id(&waiting));
        let gaps = "/api/v1/registry/gaps?countries=GH,NG&themes=protection&on=2025-06-01";

        // nobody but its members and the secretariat sees it: 404 as for a project that
        // does not exist; search, facets, matrix and gaps leave it out
        app.get(&path).await.assert_problem(404, "not_found");
        app.get(&format!("{path}/overlaps"))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&stranger, &path)
            .await
            .assert_problem(404, "not_found");
        for token in [None, Some(stranger.as_str())] {
            let search = match token {
                None => app.get(&format!("{PROJECTS}?q=shelter")).await,
                Some(t) => app.get_as(t, &format!("{PROJECTS}?q=shelter")).await,
            };
            assert_eq!(ids(&search.body["items"]), BTreeSet::from([id(&theirs)]));
            assert_eq!(search.body["total"], 1);
            assert_eq!(facet(&search.body, "country", "GH"), 0);
            assert_eq!(facet(&search.body, "org_id", &newcomer), 0);
        }
        let matrix = app.get("/api/v1/registry/matrix").await;
        assert_eq!(matrix.status, 200, "{}", matrix.text);
        assert_eq!(matrix.body["totals"]["projects"], 1, "{}", matrix.text);
        assert_eq!(matrix.body["totals"]["budget_usd"], "100000.00");
        assert_eq!(matrix.body["row_values"], json!(["NG"]), "{}", matrix.text);
        let r = app.get(gaps).await;
        assert_eq!(r.body["covered"], 1, "{}", r.text);
        assert_eq!(r.body["gaps"][0]["country"], "GH", "{}", r.text);
        // without named countries, the public's gaps do not learn of Ghana either
        let r = app.get("/api/v1/registry/gaps?on=2025-06-01").await;
        assert_eq!(r.body["countries"], json!(["NG"]), "{}", r.text);
        // a stranger's overlap check does not find it
        let check = app
            .post_as(
                &stranger,
                "/api/v1/registry/overlap-check",
                json!({"title": "Shelter in Tamale", "countries": ["GH"], "themes": ["protection"]}),
            )
            .await;
        assert_eq!(check.status, 200, "{}", check.text);
        assert_eq!(check.body["candidates"], json!([]), "{}", check.text);

        // its members and the secretariat see it, marked as waiting
        for token in [&member, &admin] {
            let read = app.get_as(token, &path).await;
            assert_eq!(read.status, 200, "{}", read.text);
            assert_eq!(read.body["awaiting_verification"], true);
            let search = app.get_as(token, &format!("{PROJECTS}?q=shelter")).await;
            assert_eq!(search.body["total"], 2, "{}", search.text);
            let listed = search.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|p| p["id"] == waiting["id"])
                .expect("listed")
                .clone();
            assert_eq!(listed["awaiting_verification"], true);
        }
        let admin_matrix = app.get_as(&admin, "/api/v1/registry/matrix").await;
        assert_eq!(admin_matrix.body["totals"]["projects"], 2);

        // the secretariat verifies the organisation: its project is public at once
        let r = app
            .patch_as(
                &admin,
                &format!("/api/v1/organisations/{newcomer}"),
                json!({"verified": true}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let read = app.get(&path).await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(read.body["awaiting_verification"], false);
        let search = app.get(&format!("{PROJECTS}?q=shelter")).await;
        assert_eq!(
            ids(&search.body["items"]),
            BTreeSet::from([id(&theirs), id(&waiting)])
        );
        assert_eq!(facet(&search.body, "country", "GH"), 1);
        let matrix = app.get("/api/v1/registry/matrix").await;
        assert_eq!(matrix.body["totals"]["projects"], 2, "{}", matrix.text);
        assert_eq!(matrix.body["totals"]["budget_usd"], "140000.00");
        let r = app.get(gaps).await;
        assert_eq!(r.body["covered"], 2, "{}", r.text);
        assert_eq!(r.body["gaps"], json!([]), "{}", r.text);
        assert_eq!(app.get_as(&stranger, &path).await.status, 200);

        // an organisation whose verification is withdrawn waits again
        let r = app
            .patch_as(
                &admin,
                &format!("/api/v1/organisations/{newcomer}"),
                json!({"verified": false}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        app.get(&path).await.assert_problem(404, "not_found");
        assert_eq!(
            app.get(&format!("{PROJECTS}?q=shelter")).await.body["total"],
            1
        );
    }
);

both_backends!(
    projects_carry_links_to_their_own_pages,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let org = organisation(&app, &admin, "Linked NGO", "NG").await;
        let member = app.user_token("ngo", Some(&org));
        let mut body = project(&org, "Shelter with a website", &["NG"], &["protection"]);
        body["links"] = json!([
            {"url": "https://shelter.example.org/", "title": "The shelter's site"},
            {"url": "HTTPS://Example.ORG/report.pdf"}
        ]);
        let created = create(&app, &member, body.clone()).await;
        // stored as a browser reads them (scheme and host lower-cased)
        let expected = json!([
            {"url": "https://shelter.example.org/", "title": "The shelter's site"},
            {"url": "https://example.org/report.pdf", "title": null}
        ]);
        assert_eq!(created["links"], expected);
        let path = format!("{PROJECTS}/{}", id(&created));
        let read = app.get(&path).await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(read.body["links"], expected);
        let found = app.get(&format!("{PROJECTS}?q=website")).await;
        assert_eq!(found.body["items"][0]["links"], expected, "{}", found.text);

        // a link that is not an absolute https:// address: 422 naming it, nothing stored
        let snapshot = |app: &TestApp| (app.count("registry_projects"), app.count("audit_events"));
        let before = snapshot(&app);
        let long = format!("https://example.org/{}", "a".repeat(2_000));
        for bad in [
            "http://example.org/",
            "javascript:alert(document.cookie)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "/projects/shelter",
            "example.org/shelter",
            "https://user:secret@example.org/",
            "https://example.org/\u{1}",
            "https://example.org/\u{202e}fdp.exe",
            "https://exa mple.org/",
            long.as_str(),
        ] {
            let mut draft = body.clone();
            draft["links"] = json!([
                {"url": "https://example.org/a"},
                {"url": "https://example.org/b"},
                {"url": bad, "title": "Bad"}
            ]);
            let fields = app
                .post_as(&member, PROJECTS, draft)
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(fields, vec!["links[2].url"], "{bad:?}");
            let fields = app
                .patch_as(&member, &path, json!({"links": [{"url": bad}]}), None)
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(fields, vec!["links[0].url"], "{bad:?}");
        }
        // more than ten, and a title that is not one short line
        let eleven: Vec<Value> = (0..11)
            .map(|i| json!({"url": format!("https://example.org/{i}")}))
            .collect();
        let fields = app
            .patch_as(&member, &path, json!({"links": eleven}), None)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["links"]);
        let fields = app
            .patch_as(
                &member,
                &path,
                json!({"links": [{"url": "https://example.org/", "title": "x".repeat(201)}]}),
                None,
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["links[0].title"]);
        assert_eq!(snapshot(&app), before);
        let unchanged = app.get(&path).await;
        assert_eq!(unchanged.body["links"], expected);
        assert_eq!(unchanged.body["version"], 1);

        // an edit of other fields keeps them; a new list replaces them; [] removes them
        let r = app
            .patch_as(
                &member,
                &path,
                json!({"title": "Shelter and its site"}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["links"], expected);
        let r = app
            .patch_as(
                &member,
                &path,
                json!({"links": [{"url": "https://example.org/annual-report", "title": "Annual report"}]}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            app.get(&path).await.body["links"],
            json!([{"url": "https://example.org/annual-report", "title": "Annual report"}])
        );
        let r = app
            .patch_as(&member, &path, json!({"links": []}), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(app.get(&path).await.body["links"], json!([]));
    }
);

both_backends!(
    bad_projects_are_refused_naming_every_field,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Org A", "NG").await;
        let member = app.user_token("ngo", Some(&a));
        let before = (app.count("registry_projects"), app.count("audit_events"));

        let mut bad = project(
            &a,
            "Bad",
            &["NG", "ZZ"],
            &["protection.shelter", "protection.magic"],
        );
        bad["start_on"] = json!("2026-01-01");
        bad["end_on"] = json!("2025-01-01");
        bad["currency"] = json!("XYZ");
        let mut fields = app
            .post_as(&member, PROJECTS, bad)
            .await
            .assert_problem(422, "validation_failed");
        fields.sort();
        assert_eq!(
            fields,
            vec!["countries[1]", "currency", "end_on", "themes[1]"]
        );

        let cases: Vec<(Value, &str)> = vec![
            (
                {
                    let mut b = project(&a, "x", &["NG"], &["prevention"]);
                    b["budget"] = json!(100.5);
                    b
                },
                "budget",
            ),
            (
                {
                    let mut b = project(&a, "x", &["NG"], &["prevention"]);
                    b["budget"] = json!("10.001");
                    b
                },
                "budget",
            ),
            (
                {
                    let mut b = project(&a, "x", &["NG"], &["prevention"]);
                    b["status"] = json!("dormant");
                    b
                },
                "status",
            ),
            (
                {
                    let mut b = project(&a, "x", &["NG"], &["prevention"]);
                    b["colour"] = json!("red");
                    b
                },
                "colour",
            ),
            (
                {
                    let mut b = project(&a, "x", &["NG"], &["prevention"]);
                    b["start_on"] = json!("2025-02-30");
                    b
                },
                "start_on",
            ),
            (project(&a, "x", &[], &["prevention"]), "countries"),
            (project(&a, "x", &["NG"], &[]), "themes"),
            (project(&a, " ", &["NG"], &["prevention"]), "title"),
            (
                {
                    let mut b = project(&a, "x", &["NG"], &["prevention"]);
                    b["funding_org_ids"] = json!([uuid::Uuid::now_v7().to_string()]);
                    b
                },
                "funding_org_ids[0]",
            ),
            (
                {
                    let mut b = project(&a, "x", &["NG"], &["prevention"]);
                    b["implementing_org_ids"] = json!(["not-a-uuid"]);
                    b
                },
                "implementing_org_ids[0]",
            ),
            (
                {
                    let mut b = project(&a, "x", &["NG"], &["prevention"]);
                    b["iati_identifier"] = json!("has spaces in it");
                    b
                },
                "iati_identifier",
            ),
        ];
        for (body, field) in cases {
            let fields = app
                .post_as(&member, PROJECTS, body.clone())
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(fields, vec![field], "for {body}");
        }
        assert_eq!(
            (app.count("registry_projects"), app.count("audit_events")),
            before
        );
    }
);

both_backends!(
    unpublished_projects_are_seen_only_by_members_and_admins,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Org A", "NG").await;
        let b = organisation(&app, &admin, "Org B", "NG").await;
        let member_a = app.user_token("ngo", Some(&a));
        let member_b = app.user_token("ngo", Some(&b));
        let mut draft = project(&a, "Confidential shelter", &["NG"], &["protection.shelter"]);
        draft["published"] = json!(false);
        let hidden = create(&app, &member_a, draft).await;
        let open = create(
            &app,
            &member_b,
            project(&b, "Public shelter", &["NG"], &["protection.shelter"]),
        )
        .await;
        let path = format!("{PROJECTS}/{}", id(&hidden));

        app.get(&path).await.assert_problem(404, "not_found");
        app.get_as(&member_b, &path)
            .await
            .assert_problem(404, "not_found");
        app.get(&format!("{path}/overlaps"))
            .await
            .assert_problem(404, "not_found");
        assert_eq!(app.get_as(&member_a, &path).await.status, 200);
        assert_eq!(app.get_as(&admin, &path).await.status, 200);

        let public = app.get(&format!("{PROJECTS}?q=shelter")).await;
        assert_eq!(ids(&public.body["items"]), BTreeSet::from([id(&open)]));
        assert_eq!(public.body["total"], 1);
        assert_eq!(facet(&public.body, "country", "NG"), 1);
        let own = app
            .get_as(&member_a, &format!("{PROJECTS}?q=shelter"))
            .await;
        assert_eq!(own.body["total"], 2);
        let only_unpublished = app
            .get_as(&member_a, &format!("{PROJECTS}?published=false"))
            .await;
        assert_eq!(
            ids(&only_unpublished.body["items"]),
            BTreeSet::from([id(&hidden)])
        );
        assert_eq!(
            app.get_as(&member_b, &format!("{PROJECTS}?q=shelter"))
                .await
                .body["total"],
            1
        );
        assert_eq!(
            app.get_as(&admin, &format!("{PROJECTS}?q=shelter"))
                .await
                .body["total"],
            2
        );

        // the matrix and the gaps of the public leave it out too
        let matrix = app.get("/api/v1/registry/matrix").await;
        assert_eq!(matrix.body["cells"][0]["projects"], 1, "{}", matrix.text);
        let admin_matrix = app.get_as(&admin, "/api/v1/registry/matrix").await;
        assert_eq!(admin_matrix.body["cells"][0]["projects"], 2);

        // publishing it shows it
        let etag = app
            .get_as(&member_a, &path)
            .await
            .header("etag")
            .expect("etag");
        let r = app
            .patch_as(&member_a, &path, json!({"published": true}), Some(&etag))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(app.get(&path).await.status, 200);
        assert_eq!(
            app.get(&format!("{PROJECTS}?q=shelter")).await.body["total"],
            2
        );
    }
);

both_backends!(
    changes_follow_if_match_and_membership,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Org A", "NG").await;
        let b = organisation(&app, &admin, "Org B", "GH").await;
        let member_a = app.user_token("ngo", Some(&a));
        let member_b = app.user_token("ngo", Some(&b));
        let created = create(
            &app,
            &member_a,
            project(&a, "Legal clinics", &["NG"], &["protection.legal-aid"]),
        )
        .await;
        let path = format!("{PROJECTS}/{}", id(&created));

        // another organisation's member: 404 for change and delete
        app.patch_as(
            &member_b,
            &path,
            json!({"title": "Mine now"}),
            Some("\"1\""),
        )
        .await
        .assert_problem(404, "not_found");
        app.request_as(&member_b, Method::DELETE, &path, None, &[])
            .await
            .assert_problem(404, "not_found");
        // moving it to an organisation one is not a member of: 404
        app.patch_as(
            &member_a,
            &path,
            json!({"reporting_org_id": b}),
            Some("\"1\""),
        )
        .await
        .assert_problem(404, "not_found");
        // the end before the kept start: 422
        let fields = app
            .patch_as(
                &member_a,
                &path,
                json!({"end_on": "2024-01-01"}),
                Some("\"1\""),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["end_on"]);
        let fields = app
            .patch_as(
                &member_a,
                &path,
                json!({"countries": ["XX"]}),
                Some("\"1\""),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["countries[0]"]);

        let ok = app
            .patch_as(
                &member_a,
                &path,
                json!({"title": "Mobile legal clinics", "budget": null}),
                Some("\"1\""),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        assert_eq!(ok.body["version"], 2);
        assert_eq!(ok.body["budget"], Value::Null);
        assert_eq!(ok.body["currency"], Value::Null);
        assert_eq!(ok.header("etag").as_deref(), Some("\"2\""));
        app.patch_as(&member_a, &path, json!({"title": "Stale"}), Some("\"1\""))
            .await
            .assert_problem(412, "precondition_failed");
        app.request_as(
            &member_a,
            Method::DELETE,
            &path,
            None,
            &[("if-match", "\"1\"")],
        )
        .await
        .assert_problem(412, "precondition_failed");

        // concurrent edits with one ETag: exactly one wins
        let attempts = (0..8).map(|i| {
            let (app, path, token) = (&app, path.clone(), member_a.clone());
            async move {
                app.patch_as(
                    &token,
                    &path,
                    json!({"title": format!("Edit {i}")}),
                    Some("\"2\""),
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

        let r = app
            .request_as(
                &member_a,
                Method::DELETE,
                &path,
                None,
                &[("if-match", "\"3\"")],
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
        app.get(&path).await.assert_problem(404, "not_found");
        app.request_as(&member_a, Method::DELETE, &path, None, &[])
            .await
            .assert_problem(404, "not_found");
        assert_eq!(app.count("registry_projects"), 0);
        let trail = app
            .get_as(
                &admin,
                &format!(
                    "/api/v1/audit-events?entity=registry_project&entity_id={}",
                    id(&created)
                ),
            )
            .await;
        let actions: Vec<&str> = trail.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["action"].as_str().expect("action"))
            .collect();
        assert_eq!(actions, vec!["create", "update", "update", "delete"]);
    }
);

both_backends!(
    concurrent_registrations_of_one_iati_identifier_keep_one,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Org A", "NG").await;
        let member = app.user_token("ngo", Some(&a));
        let attempts = (0..6).map(|i| {
            let (app, token) = (&app, member.clone());
            let mut body = project(&a, &format!("Racing {i}"), &["NG"], &["prevention"]);
            body["iati_identifier"] = json!("NG-CAC-9-RACE");
            async move { app.post_as(&token, PROJECTS, body).await.status.as_u16() }
        });
        let statuses = futures_util::future::join_all(attempts).await;
        assert_eq!(
            statuses.iter().filter(|s| **s == 201).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 201 || *s == 409),
            "{statuses:?}"
        );
        assert_eq!(app.count("registry_projects"), 1);
    }
);

both_backends!(
    search_matches_words_filters_and_counts_facets,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Org A", "NG").await;
        let b = organisation(&app, &admin, "Org B", "GH").await;
        let ta = app.user_token("ngo", Some(&a));
        let tb = app.user_token("ngo", Some(&b));
        let shelter = create(
            &app,
            &ta,
            project(
                &a,
                "Shelters for survivors in Lagos",
                &["NG"],
                &["protection.shelter"],
            ),
        )
        .await;
        let mut body = project(
            &b,
            "Cooperación técnica: refugio para niñas",
            &["GH", "NG"],
            &["protection.shelter", "prevention.awareness"],
        );
        body["funding_org_ids"] = json!([a]);
        let spanish = create(&app, &tb, body).await;
        let mut old = project(
            &b,
            "Awareness radio in Accra",
            &["GH"],
            &["prevention.awareness"],
        );
        old["start_on"] = json!("2020-01-01");
        old["end_on"] = json!("2021-12-31");
        old["status"] = json!("completed");
        let radio = create(&app, &tb, old).await;
        let training = create(
            &app,
            &ta,
            project(
                &a,
                "Training for labour inspectors",
                &["NG"],
                &["prosecution.training"],
            ),
        )
        .await;

        let search = |q: &str| {
            let app = &app;
            let path = format!("{PROJECTS}?{q}");
            async move {
                let r = app.get(&path).await;
                assert_eq!(r.status, 200, "{path}: {}", r.text);
                r.body
            }
        };
        // words, plurals and accents
        assert_eq!(
            ids(&search("q=shelter").await["items"]),
            BTreeSet::from([id(&shelter)])
        );
        assert_eq!(
            ids(&search("q=SURVIVOR").await["items"]),
            BTreeSet::from([id(&shelter)])
        );
        assert_eq!(
            ids(&search("q=cooperacion%20ninas").await["items"]),
            BTreeSet::from([id(&spanish)])
        );
        assert_eq!(
            ids(&search("q=refugio%20lagos").await["items"]),
            BTreeSet::new()
        );
        assert_eq!(search("q=nothing-like-this").await["total"], 0);
        // filters: any of the values within one, all filters together
        assert_eq!(
            ids(&search("country=GH").await["items"]),
            BTreeSet::from([id(&spanish), id(&radio)])
        );
        assert_eq!(
            ids(&search("country=NG&theme=protection").await["items"]),
            BTreeSet::from([id(&shelter), id(&spanish)])
        );
        assert_eq!(
            ids(&search("theme=prosecution,prevention.awareness").await["items"]),
            BTreeSet::from([id(&spanish), id(&radio), id(&training)])
        );
        assert_eq!(
            ids(&search(&format!("org_id={a}")).await["items"]),
            BTreeSet::from([id(&shelter), id(&spanish), id(&training)])
        );
        assert_eq!(
            ids(&search("status=completed").await["items"]),
            BTreeSet::from([id(&radio)])
        );
        assert_eq!(
            ids(&search("active_on=2021-06-01").await["items"]),
            BTreeSet::from([id(&radio)])
        );
        assert_eq!(
            ids(&search("q=training&active_on=2025-06-01&country=NG").await["items"]),
            BTreeSet::from([id(&training)])
        );

        // facets count every match, sub-themes also under their P
        let all = search("").await;
        assert_eq!(all["total"], 4);
        assert_eq!(facet(&all, "country", "NG"), 3);
        assert_eq!(facet(&all, "country", "GH"), 2);
        assert_eq!(facet(&all, "theme", "protection"), 2);
        assert_eq!(facet(&all, "theme", "protection.shelter"), 2);
        assert_eq!(facet(&all, "theme", "prevention"), 2);
        assert_eq!(facet(&all, "status", "active"), 3);
        assert_eq!(facet(&all, "org_id", &a), 3);
        let ng = search("country=NG").await;
        assert_eq!(facet(&ng, "country", "GH"), 1);
        assert_eq!(facet(&ng, "status", "completed"), 0);

        // pages follow the cursor, each project once
        let mut seen = Vec::new();
        let mut path = "limit=3".to_string();
        loop {
            let page = search(&path).await;
            assert_eq!(page["total"], 4);
            seen.extend(ids(&page["items"]));
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("limit=3&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen.len(), 4);

        // the index follows changes and deletions at once
        let path = format!("{PROJECTS}/{}", id(&shelter));
        let etag = app.get_as(&ta, &path).await.header("etag").expect("etag");
        let r = app
            .patch_as(
                &ta,
                &path,
                json!({"title": "Safe houses in Ikeja"}),
                Some(&etag),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            ids(&search("q=ikeja").await["items"]),
            BTreeSet::from([id(&shelter)])
        );
        assert_eq!(
            search("q=survivors").await["total"],
            1,
            "the description still says shelters for survivors"
        );
        let r = app.request_as(&ta, Method::DELETE, &path, None, &[]).await;
        assert_eq!(r.status, 204);
        assert_eq!(search("q=ikeja").await["total"], 0);
        let all = search("").await;
        assert_eq!(all["total"], 3);
        assert_eq!(facet(&all, "country", "NG"), 2);

        // bad parameters name themselves
        for (query, field) in [
            ("country=Nigeria", "country"),
            ("theme=fun", "theme"),
            ("status=asleep", "status"),
            ("org_id=7", "org_id"),
            ("active_on=yesterday", "active_on"),
            ("limit=0", "limit"),
            ("cursor=x", "cursor"),
            ("colour=red", "colour"),
        ] {
            let fields = app
                .get(&format!("{PROJECTS}?{query}"))
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(fields, vec![field], "{query}");
        }
    }
);

both_backends!(
    the_matrix_adds_up_projects_organisations_and_budgets,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Org A", "NG").await;
        let b = organisation(&app, &admin, "Org B", "GH").await;
        let ta = app.user_token("ngo", Some(&a));
        let tb = app.user_token("ngo", Some(&b));
        create(
            &app,
            &ta,
            project(
                &a,
                "Shelter",
                &["NG", "GH"],
                &["protection.shelter", "protection.legal-aid"],
            ),
        )
        .await;
        let mut eur = project(&b, "Awareness", &["NG"], &["prevention", "protection"]);
        eur["budget"] = json!("5000.50");
        eur["currency"] = json!("EUR");
        eur["implementing_org_ids"] = json!([a]);
        create(&app, &tb, eur).await;
        let mut none = project(&b, "No budget", &["NG"], &["protection"]);
        none.as_object_mut().expect("object").remove("budget");
        none.as_object_mut().expect("object").remove("currency");
        none["status"] = json!("pipeline");
        create(&app, &tb, none).await;

        let m = app
            .get("/api/v1/registry/matrix?rows=country&cols=theme")
            .await;
        assert_eq!(m.status, 200, "{}", m.text);
        assert_eq!(m.body["row_values"], json!(["GH", "NG"]));
        assert_eq!(m.body["col_values"], json!(["prevention", "protection"]));
        let cell = |row: &str, col: &str| {
            m.body["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .find(|c| c["row"] == row && c["col"] == col)
                .cloned()
                .expect("cell")
        };
        let ng = cell("NG", "protection");
        assert_eq!(ng["projects"], 3);
        assert_eq!(ng["organisation_count"], 2);
        // budgets are shared: half the shelter's (two countries), half the awareness
        // project's (two themes)
        assert_eq!(ng["budget_usd"], "50000.00");
        assert_eq!(
            ng["budget_by_currency"],
            json!([{"amount": "2500.25", "currency": "EUR"}, {"amount": "50000.00", "currency": "USD"}])
        );
        assert_eq!(m.body["totals"]["projects"], 3);
        assert_eq!(m.body["totals"]["budget_usd"], "100000.00");
        assert_eq!(
            m.body["totals"]["budget_by_currency"],
            json!([{"amount": "5000.50", "currency": "EUR"}, {"amount": "100000.00", "currency": "USD"}])
        );
        assert_eq!(m.body["outside_cells"]["budget_by_currency"], json!([]));
        assert_eq!(ng["unconverted_projects"], 1);
        let top = &ng["organisations"][0];
        assert_eq!(top["id"], a);
        assert_eq!(top["name"], "Org A");
        assert_eq!(top["projects"], 2);
        assert_eq!(cell("GH", "protection")["projects"], 1);
        assert_eq!(cell("NG", "prevention")["budget_usd"], "0.00");

        let by_status = app
            .get("/api/v1/registry/matrix?rows=country&cols=status&theme=protection")
            .await;
        assert_eq!(by_status.status, 200, "{}", by_status.text);
        assert_eq!(by_status.body["col_values"], json!(["active", "pipeline"]));
        let by_org = app
            .get("/api/v1/registry/matrix?rows=organisation&cols=country")
            .await;
        assert_eq!(by_org.status, 200, "{}", by_org.text);
        assert_eq!(by_org.body["omitted_organisations"], 0);
        let mut orgs: Vec<String> = by_org.body["row_values"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|v| v.as_str().expect("id").to_string())
            .collect();
        orgs.sort();
        let mut expected = vec![a.clone(), b.clone()];
        expected.sort();
        assert_eq!(orgs, expected);
        let sub = app.get("/api/v1/registry/matrix?cols=sub_theme").await;
        assert!(
            sub.body["col_values"]
                .as_array()
                .expect("cols")
                .contains(&json!("protection.legal-aid"))
        );

        // with a dated rate into USD the euro budget joins budget_usd
        let rate = app
            .post_as(
                &admin,
                "/api/v1/exchange-rates",
                json!({"currency": "EUR", "base_currency": "USD", "rate": "1.10", "valid_from": "2024-01-01"}),
            )
            .await;
        assert_eq!(rate.status, 201, "{}", rate.text);
        let converted = app.get("/api/v1/registry/matrix").await;
        let cell = |row: &str, col: &str| {
            converted.body["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .find(|c| c["row"] == row && c["col"] == col)
                .cloned()
                .expect("cell")
        };
        // 5500.55 USD in two: the odd cent goes to the first theme the project names
        assert_eq!(cell("NG", "protection")["budget_usd"], "52750.27");
        assert_eq!(cell("NG", "protection")["unconverted_projects"], 0);
        assert_eq!(cell("NG", "prevention")["budget_usd"], "2750.28");
        assert_eq!(cell("GH", "protection")["budget_usd"], "50000.00");
        assert_eq!(converted.body["totals"]["budget_usd"], "105500.55");
        for (query, field) in [
            ("rows=planet", "rows"),
            ("rows=theme&cols=theme", "cols"),
            ("country=ZZ", "country"),
        ] {
            let fields = app
                .get(&format!("/api/v1/registry/matrix?{query}"))
                .await
                .assert_problem(422, "validation_failed");
            assert_eq!(fields, vec![field], "{query}");
        }
    }
);

both_backends!(
    gaps_are_the_cells_without_an_active_project,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Org A", "NG").await;
        let t = app.user_token("ngo", Some(&a));
        create(
            &app,
            &t,
            project(&a, "Shelter", &["NG"], &["protection.shelter"]),
        )
        .await;
        let mut pipeline = project(&a, "Planned", &["GH"], &["prevention"]);
        pipeline["status"] = json!("pipeline");
        create(&app, &t, pipeline).await;
        let mut ended = project(&a, "Ended", &["GH"], &["protection"]);
        ended["end_on"] = json!("2025-03-31");
        create(&app, &t, ended).await;

        let r = app.get("/api/v1/registry/gaps?countries=NG,GH&themes=protection,prevention,protection.shelter&on=2025-06-01").await;
        assert_eq!(r.status, 200, "{}", r.text);
        let gaps: BTreeSet<(String, String)> = r.body["gaps"]
            .as_array()
            .expect("gaps")
            .iter()
            .map(|g| {
                (
                    g["country"].as_str().expect("c").to_string(),
                    g["theme"].as_str().expect("t").to_string(),
                )
            })
            .collect();
        let expected: BTreeSet<(String, String)> = [
            ("NG", "prevention"),
            ("GH", "protection"),
            ("GH", "prevention"),
            ("GH", "protection.shelter"),
        ]
        .into_iter()
        .map(|(c, t)| (c.to_string(), t.to_string()))
        .collect();
        assert_eq!(gaps, expected);
        assert_eq!(r.body["covered"], 2);
        // in March the ended project still ran
        let march = app
            .get("/api/v1/registry/gaps?countries=GH&themes=protection&on=2025-03-01")
            .await;
        assert_eq!(march.body["gaps"], json!([]));
        // by default: every country of the registry and the four Ps
        let default = app.get("/api/v1/registry/gaps?on=2025-06-01").await;
        assert_eq!(default.body["countries"], json!(["GH", "NG"]));
        assert_eq!(
            default.body["themes"],
            json!(["prevention", "protection", "prosecution", "partnership"])
        );
        assert_eq!(default.body["gaps"].as_array().expect("gaps").len(), 7);
        let fields = app
            .get("/api/v1/registry/gaps?countries=NG,QQ&themes=magic")
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["countries", "themes"]);
    }
);

fn duplicate_of(org: &str, partner: &str) -> Value {
    json!({
        "title": "Legal clinics on wheels for survivors of trafficking in Lagos",
        "description": "Mobile teams of lawyers give legal aid to survivors in Lagos and Ikeja shelters and accompany them in court hearings.",
        "reporting_org_id": org,
        "implementing_org_ids": [partner],
        "countries": ["NG"],
        "themes": ["protection.legal-aid"],
        "start_on": "2025-02-01",
        "end_on": "2026-10-31",
        "status": "active"
    })
}

both_backends!(
    overlaps_are_flagged_queued_and_resolved_once,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let ngo = organisation(&app, &admin, "Lagos Legal Aid", "NG").await;
        let donor = organisation(&app, &admin, "A donor agency", "NL").await;
        let other = organisation(&app, &admin, "Unrelated", "KE").await;
        let t_ngo = app.user_token("ngo", Some(&ngo));
        let t_donor = app.user_token("donor", Some(&donor));
        let t_other = app.user_token("ngo", Some(&other));
        let original = create(&app, &t_ngo, json!({
        "title": "Mobile legal clinics for trafficking survivors in Lagos",
        "description": "Lawyers visit shelters in Lagos and Ikeja to give legal aid to survivors and accompany them to court.",
        "reporting_org_id": ngo, "countries": ["NG"], "themes": ["protection.legal-aid"],
        "start_on": "2025-01-01", "end_on": "2026-12-31", "status": "active"
    })).await;
        create(
            &app,
            &t_other,
            project(
                &other,
                "Fisheries observers in Mombasa",
                &["KE"],
                &["prevention"],
            ),
        )
        .await;
        create(&app, &t_ngo, json!({
        "title": "Vocational training for returnees in Benin City",
        "description": "Tailoring and catering courses with start-up kits for young women returning from Libya.",
        "reporting_org_id": ngo, "countries": ["NG"], "themes": ["protection.reintegration"],
        "start_on": "2025-01-01", "end_on": "2026-12-31", "status": "active"
    })).await;

        // a draft is checked before it is registered
        let mut draft = duplicate_of(&donor, &ngo);
        draft
            .as_object_mut()
            .expect("object")
            .remove("reporting_org_id");
        let check = app
            .post_as(&t_donor, "/api/v1/registry/overlap-check", draft)
            .await;
        assert_eq!(check.status, 200, "{}", check.text);
        let candidates = check.body["candidates"].as_array().expect("candidates");
        assert_eq!(candidates.len(), 1, "{}", check.text);
        assert_eq!(candidates[0]["project"]["id"], id(&original));
        let score = candidates[0]["score"].as_f64().expect("score");
        assert!((0.5..=1.0).contains(&score), "{score}");
        let kinds: BTreeSet<&str> = candidates[0]["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|r| r["kind"].as_str().expect("kind"))
            .collect();
        assert_eq!(
            kinds,
            BTreeSet::from([
                "same_country",
                "same_theme",
                "overlapping_dates",
                "shared_organisations",
                "similar_text"
            ])
        );
        app.post("/api/v1/registry/overlap-check", json!({"title": "x"}))
            .await
            .assert_problem(401, "unauthorized");
        let fields = app
            .post_as(
                &t_donor,
                "/api/v1/registry/overlap-check",
                json!({"countries": ["QQ"], "limit": 0}),
            )
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields.len(), 2);

        // registering it answers with the candidate, queued for review
        let dup = create(&app, &t_donor, duplicate_of(&donor, &ngo)).await;
        let overlaps = dup["overlaps"].as_array().expect("overlaps");
        assert_eq!(overlaps.len(), 1, "{dup}");
        assert_eq!(overlaps[0]["project"]["id"], id(&original));
        let kinds: BTreeSet<&str> = overlaps[0]["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|r| r["kind"].as_str().expect("kind"))
            .collect();
        assert!(kinds.contains("shared_organisations"), "{kinds:?}");
        let review_id = overlaps[0]["review_id"]
            .as_str()
            .expect("queued")
            .to_string();
        // the saved project sees the same pair, from either side
        let from_original = app
            .get(&format!("{PROJECTS}/{}/overlaps", id(&original)))
            .await;
        assert_eq!(
            from_original.body["candidates"][0]["project"]["id"],
            id(&dup),
            "{}",
            from_original.text
        );
        assert_eq!(
            from_original.body["candidates"][0]["review_id"],
            review_id.as_str()
        );

        // the queue: both organisations and admins see the pair, others do not
        for token in [&t_ngo, &t_donor, &admin] {
            let q = app.get_as(token, "/api/v1/registry/overlap-reviews").await;
            assert_eq!(q.status, 200, "{}", q.text);
            assert_eq!(ids(&q.body["items"]), BTreeSet::from([review_id.clone()]));
            assert_eq!(q.body["items"][0]["status"], "open");
        }
        assert_eq!(
            app.get_as(&t_other, "/api/v1/registry/overlap-reviews")
                .await
                .body["items"],
            json!([])
        );
        let resolve_path = format!("/api/v1/registry/overlap-reviews/{review_id}/resolve");
        app.post_as(&t_other, &resolve_path, json!({"resolution": "duplicate"}))
            .await
            .assert_problem(404, "not_found");
        let fields = app
            .post_as(&t_ngo, &resolve_path, json!({"resolution": "twins"}))
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["resolution"]);
        app.request_as(
            &t_ngo,
            Method::POST,
            &resolve_path,
            Some(json!({"resolution": "co-financing"})),
            &[("if-match", "\"7\"")],
        )
        .await
        .assert_problem(412, "precondition_failed");

        let resolved = app
            .post_as(
                &t_ngo,
                &resolve_path,
                json!({"resolution": "co-financing", "note": "Same clinics, two donors"}),
            )
            .await;
        assert_eq!(resolved.status, 200, "{}", resolved.text);
        assert_eq!(resolved.body["resolution"], "co_financing");
        assert_eq!(resolved.body["status"], "resolved");
        assert_eq!(resolved.body["version"], 2);
        // not flagged again
        assert_eq!(
            app.get(&format!("{PROJECTS}/{}/overlaps", id(&original)))
                .await
                .body["candidates"],
            json!([])
        );
        let dup_path = format!("{PROJECTS}/{}", id(&dup));
        let etag = app
            .get_as(&t_donor, &dup_path)
            .await
            .header("etag")
            .expect("etag");
        let patched = app
            .patch_as(
                &t_donor,
                &dup_path,
                json!({"title": "Legal clinics on wheels, Lagos"}),
                Some(&etag),
            )
            .await;
        assert_eq!(patched.status, 200, "{}", patched.text);
        assert_eq!(
            app.get_as(&admin, "/api/v1/registry/overlap-reviews")
                .await
                .body["items"],
            json!([])
        );
        let done = app
            .get_as(&admin, "/api/v1/registry/overlap-reviews?status=resolved")
            .await;
        assert_eq!(
            ids(&done.body["items"]),
            BTreeSet::from([review_id.clone()])
        );

        // any other pair can be recorded directly
        let third = create(
            &app,
            &t_other,
            project(&other, "Mombasa port outreach", &["KE"], &["prevention"]),
        )
        .await;
        let record = json!({"project_id": id(&dup), "other_project_id": id(&third), "resolution": "complementary"});
        app.post_as(&t_ngo, "/api/v1/registry/overlap-reviews", record.clone())
            .await
            .assert_problem(404, "not_found");
        let first = app
            .post_as(&t_other, "/api/v1/registry/overlap-reviews", record.clone())
            .await;
        assert_eq!(first.status, 201, "{}", first.text);
        let again = app
            .post_as(&t_donor, "/api/v1/registry/overlap-reviews", record)
            .await;
        assert_eq!(again.status, 200, "{}", again.text);
        assert_eq!(again.body["id"], first.body["id"]);
        assert_eq!(again.body["version"], 2);
        let trail = app
            .get_as(
                &admin,
                &format!(
                    "/api/v1/audit-events?entity=registry_overlap_review&entity_id={review_id}"
                ),
            )
            .await;
        let actions: Vec<&str> = trail.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["action"].as_str().expect("a"))
            .collect();
        assert_eq!(actions, vec!["flag", "resolve"]);
    }
);

/// A small deterministic generator (xorshift), so the planted set is the same every run.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const PLACES: &[(&str, &[&str])] = &[
    ("NG", &["Lagos", "Ikeja", "Kano", "Benin City", "Calabar"]),
    ("GH", &["Accra", "Kumasi", "Tamale", "Cape Coast"]),
    ("NP", &["Kathmandu", "Pokhara", "Biratnagar", "Nepalgunj"]),
    ("TH", &["Bangkok", "Chiang Mai", "Mae Sot", "Songkhla"]),
    ("MD", &["Chisinau", "Balti", "Cahul", "Orhei"]),
    ("PH", &["Manila", "Cebu", "Davao", "Zamboanga"]),
    ("BD", &["Dhaka", "Chittagong", "Khulna", "Sylhet"]),
    ("KE", &["Nairobi", "Mombasa", "Kisumu", "Malindi"]),
    ("MX", &["Tijuana", "Tapachula", "Ciudad Juarez", "Oaxaca"]),
    ("RO", &["Bucharest", "Iasi", "Constanta", "Craiova"]),
    ("KH", &["Phnom Penh", "Siem Reap", "Battambang", "Poipet"]),
    ("UA", &["Kyiv", "Odesa", "Lviv", "Kharkiv"]),
];

const ACTIVITIES: &[(&str, &str)] = &[
    (
        "protection.shelter",
        "safe houses with round-the-clock caseworkers",
    ),
    (
        "protection.shelter",
        "emergency shelter beds for rescued minors",
    ),
    ("protection.shelter", "a transit centre at the bus station"),
    (
        "protection.legal-aid",
        "mobile legal clinics staffed by volunteer lawyers",
    ),
    (
        "protection.legal-aid",
        "court accompaniment during witness hearings",
    ),
    ("protection.legal-aid", "a compensation claims desk"),
    (
        "protection.psychosocial",
        "trauma counselling with trained psychologists",
    ),
    (
        "protection.psychosocial",
        "peer support circles led by former survivors",
    ),
    (
        "protection.medical",
        "a clinic for reproductive health screening",
    ),
    (
        "protection.reintegration",
        "tailoring apprenticeships with start-up kits",
    ),
    (
        "protection.reintegration",
        "school re-enrolment grants for returning children",
    ),
    (
        "protection.reintegration",
        "job placement with hotel employers",
    ),
    (
        "protection.repatriation",
        "safe return escorts and family tracing",
    ),
    (
        "protection.identification",
        "screening interviews at airports",
    ),
    (
        "protection.family-reunification",
        "video calls and travel vouchers for families",
    ),
    (
        "prevention.awareness",
        "radio dramas exposing false job offers",
    ),
    (
        "prevention.awareness",
        "street theatre in bus terminals and markets",
    ),
    ("prevention.awareness", "a comic book for secondary schools"),
    (
        "prevention.education",
        "life-skills lessons for girls at risk of dropping out",
    ),
    (
        "prevention.safe-migration",
        "pre-departure orientation for domestic workers",
    ),
    (
        "prevention.safe-migration",
        "licensing checks on recruitment agencies",
    ),
    (
        "prevention.safe-migration",
        "a migrant worker helpline in five languages",
    ),
    (
        "prevention.livelihoods",
        "savings groups and microcredit for fishing families",
    ),
    (
        "prevention.livelihoods",
        "cash transfers for households with child labour",
    ),
    (
        "prevention.supply-chains",
        "audits of seafood processing plants",
    ),
    (
        "prevention.supply-chains",
        "worker voice surveys in garment factories",
    ),
    (
        "prosecution.training",
        "investigation workshops for border police",
    ),
    (
        "prosecution.training",
        "judicial seminars on victim-centred testimony",
    ),
    (
        "prosecution.investigation",
        "financial investigations of trafficking networks",
    ),
    (
        "prosecution.legislation",
        "drafting a trafficking law amendment",
    ),
    (
        "prosecution.victim-witness",
        "witness protection flats near courthouses",
    ),
    (
        "partnership.coordination",
        "district referral networks linking hospitals and police",
    ),
    (
        "partnership.coordination",
        "cross-border case conferences with neighbouring agencies",
    ),
    (
        "partnership.data",
        "a shared case database for labour inspectors",
    ),
    ("partnership.research", "a prevalence survey in brick kilns"),
    (
        "partnership.research",
        "mapping of online recruitment adverts",
    ),
];

const GROUPS: &[&str] = &[
    "adolescent girls",
    "domestic workers",
    "migrant fishermen",
    "brick kiln families",
    "street children",
    "returnees from the Gulf",
    "garment workers",
    "young mothers",
    "seasonal farm workers",
    "boys in madrasas",
    "refugee women",
    "construction labourers",
];

#[derive(Clone)]
struct Planned {
    country: &'static str,
    places: Vec<&'static str>,
    activities: Vec<usize>,
    group: &'static str,
    org: usize,
    start: (i32, u32),
    months: u32,
}

fn base_text(p: &Planned) -> (String, String) {
    let a: Vec<&str> = p.activities.iter().map(|i| ACTIVITIES[*i].1).collect();
    let title = format!("{} for {} in {}", capitalise(a[0]), p.group, p.places[0]);
    let mut description = format!(
        "The project offers {} to {} in {} and {}. ",
        a[0], p.group, p.places[0], p.places[1]
    );
    for extra in &a[1..] {
        description.push_str(&format!("It also runs {extra}. "));
    }
    (title, description)
}

/// The same project as another donor would describe it: other words around the same
/// specifics, sentences reordered, sometimes a detail left out.
fn reworded_text(p: &Planned, dice: &mut Dice) -> (String, String) {
    let a: Vec<&str> = p.activities.iter().map(|i| ACTIVITIES[*i].1).collect();
    let title = format!("{}: {} ({})", capitalise(p.places[0]), a[0], p.group);
    let mut sentences = vec![format!(
        "Support to {} of {} and {} through {}.",
        p.group, p.places[1], p.places[0], a[0]
    )];
    for extra in &a[1..] {
        if dice.below(4) > 0 {
            sentences.push(format!("Our partner also provides {extra}."));
        }
    }
    sentences.push("Co-funded with other development partners.".to_string());
    sentences.reverse();
    (title, sentences.join(" "))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn themes_of(p: &Planned) -> Vec<&'static str> {
    let mut t: Vec<&str> = p.activities.iter().map(|i| ACTIVITIES[*i].0).collect();
    t.sort();
    t.dedup();
    t
}

fn dates(start: (i32, u32), months: u32) -> (String, String) {
    let end_month = start.1 - 1 + months;
    let (year, month) = (start.0 + (end_month / 12) as i32, end_month % 12 + 1);
    (
        format!("{}-{:02}-01", start.0, start.1),
        format!("{year}-{month:02}-28"),
    )
}

both_backends!(
    overlap_detection_finds_planted_duplicates,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let mut orgs = Vec::new();
        for i in 0..30 {
            let id = organisation(&app, &admin, &format!("Organisation {i}"), "NL").await;
            orgs.push(id);
        }
        let mut dice = Dice(0x5eed_1234_abcd_0042);
        // 160 projects: about a quarter are planted duplicates of earlier ones (the same
        // project reported by another organisation, in other words), a quarter are the same
        // organisations' other projects in the same countries (hard negatives), the rest
        // independent projects, all over 12 countries and 2019-2027
        let mut plans: Vec<Planned> = Vec::new();
        let mut bodies: Vec<(Value, Option<usize>)> = Vec::new();
        for i in 0..160 {
            let kind = if i < 24 { 0 } else { dice.below(4) };
            if kind == 1 {
                let of = dice.below(plans.len());
                let base = plans[of].clone();
                let (title, description) = reworded_text(&base, &mut dice);
                let mut reporter = dice.below(orgs.len());
                if reporter == base.org {
                    reporter = (reporter + 1) % orgs.len();
                }
                let shift = dice.below(3) as u32;
                let start = (
                    base.start.0 + ((base.start.1 - 1 + shift) / 12) as i32,
                    (base.start.1 - 1 + shift) % 12 + 1,
                );
                let (start_on, end_on) = dates(start, base.months);
                let implementing: Vec<&String> = if dice.below(2) == 0 {
                    vec![&orgs[base.org]]
                } else {
                    vec![]
                };
                bodies.push((json!({
                "title": title, "description": description, "reporting_org_id": orgs[reporter],
                "implementing_org_ids": implementing, "countries": [base.country], "themes": themes_of(&base),
                "start_on": start_on, "end_on": end_on, "status": "active"
            }), Some(of)));
                continue;
            }
            let sibling = (kind == 2).then(|| plans[dice.below(plans.len())].clone());
            let (country, places) = match &sibling {
                Some(s) => *PLACES
                    .iter()
                    .find(|(c, _)| *c == s.country)
                    .expect("country"),
                None => dice.pick(PLACES),
            };
            // independent projects are distinct by construction: in one country no two share
            // two activities, or an activity and a place or target group
            let plan = loop {
                let mut activities = Vec::new();
                while activities.len() < 3 {
                    let a = dice.below(ACTIVITIES.len());
                    let taken = sibling.as_ref().is_some_and(|s| s.activities.contains(&a));
                    if !activities.contains(&a) && !taken {
                        activities.push(a);
                    }
                }
                let first = dice.below(places.len());
                let second = (first + 1 + dice.below(places.len() - 1)) % places.len();
                let plan = Planned {
                    country,
                    places: vec![places[first], places[second]],
                    activities,
                    group: dice.pick(GROUPS),
                    org: sibling
                        .as_ref()
                        .map_or_else(|| dice.below(orgs.len()), |s| s.org),
                    start: sibling.as_ref().map_or_else(
                        || (2019 + dice.below(7) as i32, 1 + dice.below(12) as u32),
                        |s| s.start,
                    ),
                    months: 12 + dice.below(25) as u32,
                };
                let clash = plans.iter().filter(|p| p.country == plan.country).any(|p| {
                    let shared = p
                        .activities
                        .iter()
                        .filter(|a| plan.activities.contains(a))
                        .count();
                    let same_place = p.places.iter().any(|x| plan.places.contains(x));
                    shared >= 2 || (shared == 1 && (same_place || p.group == plan.group))
                });
                if !clash {
                    break plan;
                }
            };
            let (title, description) = base_text(&plan);
            let (start_on, end_on) = dates(plan.start, plan.months);
            bodies.push((
                json!({
                    "title": title, "description": description, "reporting_org_id": orgs[plan.org],
                    "countries": [plan.country], "themes": themes_of(&plan),
                    "start_on": start_on, "end_on": end_on, "status": "active"
                }),
                None,
            ));
            plans.push(plan);
        }
        // register them in order; each answer lists its overlaps with earlier projects
        let mut base_ids: Vec<String> = Vec::new();
        let mut copies: Vec<Vec<String>> = Vec::new();
        let mut flagged: BTreeSet<(String, String)> = BTreeSet::new();
        let mut details = std::collections::BTreeMap::new();
        let pair = |a: &str, b: &str| {
            if a < b {
                (a.to_string(), b.to_string())
            } else {
                (b.to_string(), a.to_string())
            }
        };
        let mut created = 0;
        for (body, duplicate_of) in bodies {
            let answer = create(&app, &admin, body).await;
            created += 1;
            let this = id(&answer);
            for o in answer["overlaps"].as_array().expect("overlaps") {
                let p = pair(&this, o["project"]["id"].as_str().expect("id"));
                details.insert(
                    p.clone(),
                    format!(
                        "{} | {} | {} | {}",
                        o["score"], answer["title"], o["project"]["title"], o["reasons"]
                    ),
                );
                flagged.insert(p);
            }
            match duplicate_of {
                Some(of) => copies[of].push(this),
                None => {
                    base_ids.push(this);
                    copies.push(Vec::new());
                }
            }
        }
        // the truth: each planted copy duplicates its original and the other copies of it
        let mut truth: BTreeSet<(String, String)> = BTreeSet::new();
        for (base, dups) in base_ids.iter().zip(&copies) {
            let mut group = vec![base.clone()];
            group.extend(dups.iter().cloned());
            for i in 0..group.len() {
                for j in i + 1..group.len() {
                    truth.insert(pair(&group[i], &group[j]));
                }
            }
        }
        for wrong in flagged.difference(&truth) {
            println!("flagged but not planted: {}", details[wrong]);
        }
        for missed in truth.difference(&flagged) {
            println!("planted but not flagged: {missed:?}");
        }
        let hits = flagged.intersection(&truth).count() as f64;
        let precision = if flagged.is_empty() {
            0.0
        } else {
            hits / flagged.len() as f64
        };
        let recall = hits / truth.len() as f64;
        println!(
            "overlap detection on {created} projects with {} planted duplicate pairs ({:?}): {} flagged, precision {precision:.3}, recall {recall:.3}",
            truth.len(),
            app.backend,
            flagged.len()
        );
        assert!(
            truth.len() >= 25,
            "the generator planted too few duplicates: {}",
            truth.len()
        );
        assert!(precision >= 0.9, "precision {precision:.3}");
        assert!(recall >= 0.9, "recall {recall:.3}");
        // every flagged pair is in the review queue
        let mut queued = 0;
        let mut path = "/api/v1/registry/overlap-reviews?limit=200".to_string();
        loop {
            let page = app.get_as(&admin, &path).await;
            queued += page.body["items"].as_array().expect("items").len();
            match page.body["next_cursor"].as_str() {
                Some(c) => path = format!("/api/v1/registry/overlap-reviews?limit=200&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(queued, flagged.len());
    }
);

fn example(name: &str) -> Vec<u8> {
    std::fs::read(examples_dir().join(name)).unwrap_or_else(|e| panic!("{EXAMPLES}/{name}: {e}"))
}

both_backends!(
    real_iati_files_import_once_and_again_change_nothing,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let spain = example("MAEC_IATI_INDONESIA.xml");
        let standard = example("activity-standard-example-annotated-203.xml");

        let first = import(&app, &admin, spain.clone()).await;
        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(first.body["activities"], 83);
        assert_eq!(first.body["created"], 83, "{}", first.text);
        assert_eq!(first.body["skipped"], 0, "{}", first.text);
        assert_eq!(first.body["organisations_created"], 1);
        let example_report = import(&app, &admin, standard.clone()).await;
        assert_eq!(example_report.status, 200, "{}", example_report.text);
        assert_eq!(example_report.body["created"], 1, "{}", example_report.text);
        // imported publishers wait for the secretariat like any organisation
        assert_eq!(
            app.get(&format!("{PROJECTS}?limit=1")).await.body["total"],
            0
        );
        verify_every_organisation(&app, &admin).await;

        let snapshot = |app: &TestApp| {
            (
                app.count("registry_projects"),
                app.count("audit_events"),
                app.count("organisations"),
                app.count("registry_overlap_reviews"),
            )
        };
        let before = snapshot(&app);
        let listing_before = app.get(&format!("{PROJECTS}?limit=200")).await.body;
        for _ in 0..2 {
            let again = import(&app, &admin, spain.clone()).await;
            assert_eq!(again.status, 200, "{}", again.text);
            assert_eq!(
                (
                    again.body["created"].as_i64(),
                    again.body["updated"].as_i64(),
                    again.body["unchanged"].as_i64()
                ),
                (Some(0), Some(0), Some(83)),
                "{}",
                again.text
            );
            let again = import(&app, &admin, standard.clone()).await;
            assert_eq!(again.body["unchanged"], 1, "{}", again.text);
        }
        assert_eq!(snapshot(&app), before, "a second import changed nothing");
        assert_eq!(
            app.get(&format!("{PROJECTS}?limit=200")).await.body["items"],
            listing_before["items"]
        );

        // what the standard's example says ended up in the project
        let found = app.get(&format!("{PROJECTS}?q=activity%20title")).await;
        assert_eq!(found.body["total"], 1, "{}", found.text);
        let p = &found.body["items"][0];
        assert_eq!(p["iati_identifier"], "AA-AAA-123456789-ABC123");
        assert_eq!(p["title"], "Activity title");
        assert_eq!(p["countries"], json!(["AF", "AG"]));
        assert_eq!(p["status"], "active");
        assert_eq!(p["start_on"], "2012-04-28");
        assert_eq!(p["end_on"], "2015-12-31");
        assert_eq!(p["budget"], "3000.00");
        assert_eq!(p["currency"], "EUR");
        assert_eq!(p["source"], "iati");
        let roles: Vec<&str> = p["participants"]
            .as_array()
            .expect("participants")
            .iter()
            .map(|x| x["role"].as_str().expect("role"))
            .collect();
        assert_eq!(roles, vec!["funding", "accountable", "extending"]);
        assert_eq!(p["funding_org_ids"].as_array().expect("ids").len(), 1);

        // Spanish narratives are searchable, accents or not
        let spanish = app
            .get(&format!("{PROJECTS}?q=comunicacion%20unesco"))
            .await;
        assert!(
            spanish.body["total"].as_i64().expect("total") >= 1,
            "{}",
            spanish.text
        );
        let indonesia = app.get(&format!("{PROJECTS}?country=ID&limit=1")).await;
        assert_eq!(indonesia.body["total"], 83);
        assert_eq!(
            facet(&indonesia.body, "status", "completed")
                + facet(&indonesia.body, "status", "active")
                + facet(&indonesia.body, "status", "pipeline"),
            83
        );

        // only admins import
        let ngo = app.user_token("ngo", None);
        import(&app, &ngo, standard.clone())
            .await
            .assert_problem(403, "forbidden");
        let anonymous = app
            .client
            .post(app.url(IATI))
            .header("content-type", "application/xml")
            .body(standard)
            .send()
            .await
            .expect("sent");
        assert_eq!(anonymous.status(), 401);
    }
);

fn activity(identifier: &str, title: &str, extra: &str) -> String {
    format!(
        r#"<iati-activity default-currency="USD">
  <iati-identifier>{identifier}</iati-identifier>
  <reporting-org ref="GB-CHC-202918" type="21"><narrative>Anti-Slavery International</narrative></reporting-org>
  <title><narrative>{title}</narrative></title>
  <description><narrative>Survivors of forced labour receive legal aid.</narrative></description>
  <participating-org ref="XM-DAC-41110" role="1" type="40"><narrative>UNODC</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2025-01-01"/>
  <activity-date type="3" iso-date="2026-12-31"/>
  <recipient-country code="NP"/>
  <sector vocabulary="1" code="15190"/>
  <budget><period-start iso-date="2025-01-01"/><value>120000</value></budget>
  {extra}
</iati-activity>
"#
    )
}

fn file(activities: &[String]) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\">\n{}</iati-activities>\n",
        activities.concat()
    )
    .into_bytes()
}

both_backends!(
    an_import_updates_what_changed_and_says_why_it_skips,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let good = |n: usize, title: &str| activity(&format!("GB-CHC-202918-P{n}"), title, "");
        let original = file(&[
            good(1, "Safe migration in Nepal"),
            good(2, "Hotline for migrant workers"),
        ]);
        let r = import(&app, &admin, original).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["created"], 2);
        assert_eq!(r.body["organisations_created"], 2);
        verify_every_organisation(&app, &admin).await;
        let p1 = app.get(&format!("{PROJECTS}?q=nepal")).await.body["items"][0].clone();
        assert_eq!(p1["themes"], json!(["prevention.safe-migration"]));
        assert_eq!(p1["budget"], "120000.00");

        let changed = file(&[
            good(1, "Safe migration across Nepal"),
            good(2, "Hotline for migrant workers"),
            activity("", "No identifier", ""),
            activity(
                "GB-CHC-202918-P3",
                "Somewhere",
                r#"<recipient-country code="QQ"/>"#,
            ),
            activity(
                "GB-CHC-202918-P4",
                "Backwards",
                r#"<activity-date type="4" iso-date="2024-01-01"/>"#,
            ),
            activity("GB-CHC-202918-P1", "Twice", ""),
            activity("GB-CHC-202918-P5", "Cancelled", "").replace("code=\"2\"/>", "code=\"5\"/>"),
        ]);
        let r = import(&app, &admin, changed).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["created"], 0, "{}", r.text);
        assert_eq!(r.body["updated"], 1);
        assert_eq!(r.body["unchanged"], 1);
        assert_eq!(r.body["skipped"], 5);
        let skips = r.body["skips"].as_array().expect("skips");
        let reasons: Vec<&str> = skips
            .iter()
            .map(|s| s["reason"].as_str().expect("reason"))
            .collect();
        assert!(reasons[0].contains("no iati-identifier"), "{reasons:?}");
        assert!(reasons[1].contains("QQ"), "{reasons:?}");
        assert!(reasons[2].contains("before the start"), "{reasons:?}");
        assert!(
            reasons[3].contains("already appeared at line 3"),
            "{reasons:?}"
        );
        assert!(reasons[4].contains("cancelled"), "{reasons:?}");
        assert!(skips.iter().all(|s| s["line"].as_u64().expect("line") > 3));
        let updated = app.get(&format!("{PROJECTS}/{}", id(&p1))).await;
        assert_eq!(updated.body["title"], "Safe migration across Nepal");
        assert_eq!(updated.body["version"], 2);
        // themed_only leaves out what is not about trafficking
        let unthemed = activity("GB-CHC-202918-P9", "Water points", "")
            .replace("code=\"15190\"", "code=\"14030\"");
        let r = app
            .client
            .post(app.url(&format!("{IATI}?themed_only=true")))
            .bearer_auth(&admin)
            .header("content-type", "application/xml")
            .body(file(&[unthemed]))
            .send()
            .await
            .expect("sent");
        let r = common::Reply::from(r).await;
        assert_eq!(r.body["skipped"], 1, "{}", r.text);
        assert!(
            r.body["skips"][0]["reason"]
                .as_str()
                .expect("reason")
                .contains("theme")
        );
    }
);

both_backends!(
    dangerous_or_broken_files_are_refused_and_change_nothing,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let before = (
            app.count("registry_projects"),
            app.count("organisations"),
            app.count("audit_events"),
        );
        let lol = {
            let mut doctype = String::from("<!DOCTYPE iati-activities [\n<!ENTITY lol \"lol\">\n");
            for i in 1..10 {
                doctype.push_str(&format!(
                    "<!ENTITY lol{i} \"{}\">\n",
                    format!(
                        "&lol{};",
                        if i == 1 {
                            String::new()
                        } else {
                            (i - 1).to_string()
                        }
                    )
                    .repeat(10)
                ));
            }
            doctype.push_str("]>\n");
            format!(
                "<?xml version=\"1.0\"?>\n{doctype}<iati-activities><iati-activity><iati-identifier>&lol9;</iati-identifier></iati-activity></iati-activities>"
            )
        };
        let r = import(&app, &admin, lol.into_bytes()).await;
        let fields = r.assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["file"]);
        assert!(
            r.text.contains("line 2") && r.text.contains("DOCTYPE"),
            "{}",
            r.text
        );

        let xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n<iati-activities><iati-activity><iati-identifier>&xxe;</iati-identifier></iati-activity></iati-activities>";
        let r = import(&app, &admin, xxe.as_bytes().to_vec()).await;
        r.assert_problem(422, "validation_failed");
        assert!(
            !r.text.contains("root:"),
            "nothing of /etc/passwd comes back"
        );
        let undeclared = "<iati-activities><iati-activity><iati-identifier>&xxe;</iati-identifier></iati-activity></iati-activities>";
        let r = import(&app, &admin, undeclared.as_bytes().to_vec()).await;
        assert!(
            r.assert_problem(422, "validation_failed") == vec!["file"]
                && r.text.contains("refused"),
            "{}",
            r.text
        );

        // two good activities, then broken XML: the whole file is refused, naming the line
        let mut broken = file(&[
            activity("GB-CHC-202918-B1", "One", ""),
            activity("GB-CHC-202918-B2", "Two", ""),
        ]);
        broken.truncate(broken.len() - "</iati-activities>\n".len());
        broken.extend_from_slice(
            b"<iati-activity>\n<title></titel>\n</iati-activity>\n</iati-activities>\n",
        );
        let r = import(&app, &admin, broken.clone()).await;
        r.assert_problem(422, "validation_failed");
        let line = broken
            .split(|b| *b == b'\n')
            .position(|l| l.starts_with(b"<title></titel>"))
            .expect("line")
            + 1;
        assert!(
            r.text.contains(&format!("line {line}:")),
            "expected line {line}: {}",
            r.text
        );
        import(&app, &admin, b"not xml at all".to_vec())
            .await
            .assert_problem(422, "validation_failed");
        import(&app, &admin, b"<html><body/></html>".to_vec())
            .await
            .assert_problem(422, "validation_failed");

        // not XML by content type
        let r = app
            .client
            .post(app.url(IATI))
            .bearer_auth(&admin)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .expect("sent");
        common::Reply::from(r)
            .await
            .assert_problem(415, "unsupported_media_type");
        assert_eq!(
            (
                app.count("registry_projects"),
                app.count("organisations"),
                app.count("audit_events")
            ),
            before
        );
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_over_the_configured_limit_is_refused() {
    for backend in [common::Backend::Sqlite, common::Backend::Postgres] {
        let Some(app) =
            common::spawn_app_with(backend, |s| s.registry.max_import_bytes = 2_000).await
        else {
            continue;
        };
        let admin = app.user_token("admin", None);
        let big = file(
            &(0..10)
                .map(|i| activity(&format!("GB-CHC-202918-L{i}"), "Large", ""))
                .collect::<Vec<_>>(),
        );
        assert!(big.len() > 2_000);
        import(&app, &admin, big)
            .await
            .assert_problem(413, "payload_too_large");
        assert_eq!(app.count("registry_projects"), 0);
        let small = file(&[activity("GB-CHC-202918-S1", "Small", "")]);
        assert!(small.len() < 2_000);
        assert_eq!(import(&app, &admin, small).await.status, 200);
    }
}

/// The amounts of a matrix figure (`budget_by_currency`) per currency, in minor units of
/// four decimals so that currencies add alike.
fn by_currency(amounts: &Value) -> std::collections::BTreeMap<String, i128> {
    let mut out = std::collections::BTreeMap::new();
    for m in amounts.as_array().expect("amounts") {
        let amount: rust_decimal::Decimal = m["amount"]
            .as_str()
            .expect("amount")
            .parse()
            .expect("decimal");
        *out.entry(m["currency"].as_str().expect("currency").to_string())
            .or_insert(0) += amount.mantissa() * 10i128.pow(4 - amount.scale());
    }
    out
}

/// Every cell's share and what lies outside the cells, summed per currency.
fn matrix_sum(m: &Value) -> std::collections::BTreeMap<String, i128> {
    let mut out = by_currency(&m["outside_cells"]["budget_by_currency"]);
    for cell in m["cells"].as_array().expect("cells") {
        for (currency, minor) in by_currency(&cell["budget_by_currency"]) {
            *out.entry(currency).or_insert(0) += minor;
        }
    }
    out
}

both_backends!(
    the_matrix_counts_a_duplicate_pair_once_and_sums_to_the_distinct_total,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Lagos Shelter Network", "NG").await;
        let b = organisation(&app, &admin, "A donor agency", "NL").await;
        let ta = app.user_token("ngo", Some(&a));
        let tb = app.user_token("donor", Some(&b));
        // the NGO registers its project, the donor registers the same one again with its
        // own figure, and an unrelated project in Ghana is paid in euros
        let first = create(
            &app,
            &ta,
            project(&a, "Shelter in Lagos", &["NG"], &["protection.shelter"]),
        )
        .await;
        let mut again = project(&b, "Safe houses in Lagos", &["NG"], &["protection"]);
        again["budget"] = json!("80000.00");
        let second = create(&app, &tb, again).await;
        let mut ghana = project(&b, "Radio in Accra", &["GH"], &["prevention"]);
        ghana["budget"] = json!("3000.00");
        ghana["currency"] = json!("EUR");
        create(&app, &tb, ghana).await;

        let m = app.get("/api/v1/registry/matrix").await;
        assert_eq!(m.status, 200, "{}", m.text);
        assert_eq!(m.body["totals"]["projects"], 3);
        assert_eq!(m.body["totals"]["budget_usd"], "180000.00");

        // the donor says the two are one project
        let r = app
            .post_as(
                &tb,
                "/api/v1/registry/overlap-reviews",
                json!({"project_id": id(&second), "other_project_id": id(&first), "resolution": "duplicate"}),
            )
            .await;
        assert!(r.status == 200 || r.status == 201, "{}", r.text);

        let m = app.get("/api/v1/registry/matrix").await;
        assert_eq!(m.status, 200, "{}", m.text);
        // counted once, as the first registered record, with its budget
        assert_eq!(m.body["totals"]["projects"], 2);
        assert_eq!(m.body["duplicates_folded"], 1);
        assert_eq!(m.body["totals"]["budget_usd"], "100000.00");
        // in ten-thousandths: EUR 3,000.00 and USD 100,000.00
        let expected = std::collections::BTreeMap::from([
            ("EUR".to_string(), 30_000_000_i128),
            ("USD".to_string(), 1_000_000_000_i128),
        ]);
        assert_eq!(
            by_currency(&m.body["totals"]["budget_by_currency"]),
            expected
        );
        assert_eq!(matrix_sum(&m.body), expected, "{}", m.text);
        let ng = m.body["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["row"] == "NG" && c["col"] == "protection")
            .cloned()
            .expect("cell");
        assert_eq!(ng["projects"], 1);
        assert_eq!(ng["budget_usd"], "100000.00");
        assert_eq!(ng["organisations"][0]["id"], a);

        // the search lists both records but counts the project once
        let s = app.get(&format!("{PROJECTS}?country=NG")).await;
        assert_eq!(s.body["total"], 1, "{}", s.text);
        assert_eq!(s.body["listed"], 2);
        assert_eq!(ids(&s.body["items"]).len(), 2);
        assert_eq!(s.body["duplicate_of"], json!({ id(&second): id(&first) }));
        assert_eq!(facet(&s.body, "country", "NG"), 1);
        // filtered to the donor's organisation, its record is the one that matches
        let s = app.get(&format!("{PROJECTS}?org_id={b}&country=NG")).await;
        assert_eq!(s.body["total"], 1);
        assert_eq!(s.body["duplicate_of"], json!({}));

        // gaps: the pair still covers its cell
        let g = app
            .get("/api/v1/registry/gaps?countries=NG&themes=protection&on=2025-06-01")
            .await;
        assert_eq!(g.body["gaps"], json!([]), "{}", g.text);

        // a verdict changed to co-financing counts both again
        let review = app
            .get_as(
                &ta,
                &format!(
                    "/api/v1/registry/overlap-reviews?status=all&project_id={}",
                    id(&first)
                ),
            )
            .await;
        let entry = &review.body["items"][0];
        let etag = format!("\"{}\"", entry["version"]);
        let r = app
            .request_as(
                &ta,
                Method::POST,
                &format!(
                    "/api/v1/registry/overlap-reviews/{}/resolve",
                    entry["id"].as_str().expect("id")
                ),
                Some(json!({"resolution": "co_financing"})),
                &[("if-match", etag.as_str())],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let m = app.get("/api/v1/registry/matrix").await;
        assert_eq!(m.body["totals"]["projects"], 3);
        assert_eq!(m.body["duplicates_folded"], 0);
    }
);

both_backends!(
    an_imported_activity_is_shared_by_its_percentages,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let xml = br#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
<iati-activity default-currency="USD">
  <iati-identifier>GB-CHC-202918-SPLIT</iati-identifier>
  <reporting-org ref="GB-CHC-202918" type="21"><narrative>Anti-Slavery International</narrative></reporting-org>
  <title><narrative>Safe migration and shelters in West Africa</narrative></title>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2025-01-01"/>
  <activity-date type="3" iso-date="2026-12-31"/>
  <recipient-country code="NG" percentage="60"/>
  <recipient-country code="GH" percentage="30"/>
  <recipient-region code="298" percentage="10"/>
  <sector vocabulary="1" code="15190" percentage="50"/>
  <sector vocabulary="1" code="15180" percentage="30"/>
  <sector vocabulary="1" code="12220" percentage="20"/>
  <budget><period-start iso-date="2025-01-01"/><value>1000</value></budget>
</iati-activity>
</iati-activities>
"#
        .to_vec();
        let r = import(&app, &admin, xml.clone()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["created"], 1);
        verify_every_organisation(&app, &admin).await;
        let p = app.get(&format!("{PROJECTS}?q=migration")).await.body["items"][0].clone();
        assert_eq!(p["countries"], json!(["NG", "GH"]));
        assert_eq!(p["country_percentages"], json!(["60", "30"]));
        assert_eq!(p["regions"], json!(["298"]));
        assert_eq!(p["region_percentages"], json!(["10"]));
        assert_eq!(
            p["themes"],
            json!(["prevention.safe-migration", "protection"])
        );
        assert_eq!(p["theme_percentages"], json!(["50", "30"]));
        // the same file again changes nothing
        let r = import(&app, &admin, xml).await;
        assert_eq!(r.body["unchanged"], 1, "{}", r.text);

        let m = app.get("/api/v1/registry/matrix").await;
        assert_eq!(m.status, 200, "{}", m.text);
        let usd = |row: &str, col: &str| {
            m.body["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .find(|c| c["row"] == row && c["col"] == col)
                .map(|c| c["budget_usd"].as_str().expect("usd").to_string())
                .unwrap_or_else(|| panic!("no cell {row} × {col}: {}", m.text))
        };
        // 1000 × 60 % × 50 % and so on; the region's tenth and the health sector's fifth
        // are outside every cell
        assert_eq!(usd("NG", "prevention"), "300.00");
        assert_eq!(usd("NG", "protection"), "180.00");
        assert_eq!(usd("GH", "prevention"), "150.00");
        assert_eq!(usd("GH", "protection"), "90.00");
        assert_eq!(m.body["outside_cells"]["budget_usd"], "280.00");
        assert_eq!(m.body["totals"]["budget_usd"], "1000.00");
        assert_eq!(
            matrix_sum(&m.body),
            by_currency(&m.body["totals"]["budget_by_currency"])
        );

        // an edit of the countries drops their percentages: shared evenly again
        let path = format!("{PROJECTS}/{}", id(&p));
        let r = app
            .patch_as(&admin, &path, json!({"countries": ["NG", "KE"]}), Some("*"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["country_percentages"], Value::Null);
        assert_eq!(r.body["theme_percentages"], json!(["50", "30"]));
        let m = app.get("/api/v1/registry/matrix?cols=status").await;
        let ke = m.body["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .find(|c| c["row"] == "KE")
            .cloned()
            .expect("KE");
        // Nigeria, Kenya and the region: a third each
        assert_eq!(ke["budget_usd"], "333.33");
        assert_eq!(m.body["totals"]["budget_usd"], "1000.00");
        assert_eq!(
            matrix_sum(&m.body),
            by_currency(&m.body["totals"]["budget_by_currency"])
        );
    }
);

both_backends!(
    a_grant_that_duplicates_a_project_is_queued_and_the_other_side_told,
    |app: TestApp| async move {
        use crate::common::world::World;
        let admin = app.user_token("admin", None);
        // an NGO in Senegal already runs shelters in Nigeria (it reads French)
        let other = organisation(&app, &admin, "Refuges sans frontières", "SN").await;
        let member = app.user_token("ngo", Some(&other));
        let colleague = app.user_token("ngo", Some(&other));
        let today = chrono::Utc::now().date_naive();
        let theirs = create(
            &app,
            &member,
            json!({
                "title": "Shelter and legal aid for survivors in Lagos",
                "description": "Shelter and legal aid for survivors of trafficking.",
                "reporting_org_id": other, "countries": ["NG"], "themes": ["protection.shelter"],
                "start_on": today.to_string(),
                "end_on": (today + chrono::Duration::days(365)).to_string(),
                "budget": "15000.00", "currency": "USD", "status": "active"
            }),
        )
        .await;
        let unpublished = {
            let mut body = project(
                &other,
                "Shelter and legal aid",
                &["NG"],
                &["protection.shelter"],
            );
            body["published"] = json!(false);
            create(&app, &member, body).await
        };

        let w = World::new(&app)
            .fund_with(json!({"name": "Board fund", "organisation_identifier": "XM-DAC-41110"}))
            .open_call()
            .ngo()
            .donor()
            .trustees(4)
            .received("50000.00")
            .under_review("Shelter and legal aid", "10000.00")
            // the application was flagged at submission: the board says how it weighed that
            .grant_with(
                "10000.00",
                json!({"overlap_weighing": "Different shelters in Lagos; no double funding."}),
            )
            .await;
        let grantee = w.org_id().to_string();
        let grant = w.grant_json().clone();

        // the grant's project, with its activity identifier in the fund's IATI file
        let ours = app.get(&format!("{PROJECTS}?org_id={grantee}")).await;
        assert_eq!(ours.body["total"], 1, "{}", ours.text);
        let ours = ours.body["items"][0].clone();
        assert_eq!(ours["source"], "grant");
        assert_eq!(
            ours["iati_identifier"],
            format!(
                "XM-DAC-41110-{}",
                grant["reference"].as_str().expect("reference")
            )
        );

        // the pair waits in the review queue, visible to the other organisation; the
        // unpublished draft, its owner's own, was not compared with the grant
        let queue = app
            .get_as(
                &member,
                &format!("/api/v1/registry/overlap-reviews?project_id={}", id(&ours)),
            )
            .await;
        assert_eq!(queue.status, 200, "{}", queue.text);
        let items = queue.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{}", queue.text);
        let pair = BTreeSet::from([
            items[0]["project_a"]["id"].as_str().expect("a").to_string(),
            items[0]["project_b"]["id"].as_str().expect("b").to_string(),
        ]);
        assert_eq!(pair, BTreeSet::from([id(&theirs), id(&ours)]));
        assert_eq!(items[0]["status"], "open");
        assert_ne!(id(&unpublished), id(&theirs));
        let trail = app
            .get_as(
                &admin,
                &format!(
                    "/api/v1/audit-events?entity=registry_overlap_review&entity_id={}",
                    items[0]["id"].as_str().expect("id")
                ),
            )
            .await;
        assert_eq!(trail.body["items"][0]["action"], "flag", "{}", trail.text);

        // both members of the other organisation are told, in French
        for token in [&member, &colleague] {
            let email = app.get_as(token, "/api/v1/me").await.body["email"]
                .as_str()
                .expect("email")
                .to_string();
            let mail = app.email_number(&email, 1).await;
            assert!(mail.decoded.contains("Bonjour"), "{}", mail.decoded);
            assert!(
                mail.decoded
                    .contains("Shelter and legal aid for survivors in Lagos")
            );
            assert!(
                mail.decoded.contains("Safe Haven Lagos"),
                "{}",
                mail.decoded
            );
            assert!(mail.decoded.contains(items[0]["id"].as_str().expect("id")));
        }

        // the fund's own IATI file, imported, finds the grant instead of adding it again
        let fund_id = w.fund_id().to_string();
        let file = app
            .client
            .get(app.url(&format!("/api/v1/funds/{fund_id}/iati.xml")))
            .send()
            .await
            .expect("sent");
        assert_eq!(file.status(), 200);
        let xml = file.bytes().await.expect("body").to_vec();
        let before = app.count("registry_projects WHERE source = 'grant'");
        let r = import(&app, &admin, xml).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["grants_matched"], 1, "{}", r.text);
        assert_eq!(
            app.count("registry_projects WHERE source = 'grant'"),
            before
        );
        let same = app
            .get(&format!(
                "{PROJECTS}?q=shelter%20legal%20aid&country=NG&status=pipeline"
            ))
            .await;
        assert_eq!(same.body["total"], 1, "{}", same.text);
    }
);

both_backends!(
    the_overlap_queue_shows_members_no_project_they_may_not_see,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let newcomer =
            organisation_verified(&app, &admin, "Self-registered NGO", "NG", false).await;
        let known = organisation(&app, &admin, "Known NGO", "NG").await;
        let member = app.user_token("ngo", Some(&newcomer));
        let stranger = app.user_token("ngo", Some(&known));
        let theirs = create(
            &app,
            &stranger,
            project(
                &known,
                "Shelter and legal aid in Kano",
                &["NG"],
                &["protection.shelter"],
            ),
        )
        .await;
        // the unverified newcomer registers a near duplicate: the pair is queued
        create(
            &app,
            &member,
            project(
                &newcomer,
                "Shelter and legal aid in Kano",
                &["NG"],
                &["protection.shelter"],
            ),
        )
        .await;
        let queue = |token: String| {
            let app = &app;
            async move {
                let r = app.get_as(&token, "/api/v1/registry/overlap-reviews").await;
                assert_eq!(r.status, 200, "{}", r.text);
                r.body["items"].as_array().expect("items").len()
            }
        };
        assert_eq!(queue(admin.clone()).await, 1, "the pair is queued");
        assert_eq!(
            queue(member.clone()).await,
            1,
            "the newcomer sees its own project's pair"
        );
        // the known NGO does not learn of a project the public cannot see
        assert_eq!(queue(stranger.clone()).await, 0);
        let r = app
            .get_as(
                &stranger,
                &format!(
                    "/api/v1/registry/overlap-reviews?project_id={}",
                    id(&theirs)
                ),
            )
            .await;
        assert_eq!(
            r.body["items"].as_array().map(Vec::len),
            Some(0),
            "{}",
            r.text
        );

        // once the secretariat verifies the newcomer, both sides see the pair
        let r = app
            .patch_as(
                &admin,
                &format!("/api/v1/organisations/{newcomer}"),
                json!({"verified": true}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(queue(stranger).await, 1);
    }
);

both_backends!(
    an_overlap_email_is_in_the_member_s_language_else_in_the_country_s,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        // an organisation in Senegal, whose members get French unless they chose otherwise
        let dakar = organisation(&app, &admin, "Refuges de Dakar", "SN").await;
        app.user_with_password(
            "ngo",
            "awa@dakar.example",
            "lantern river shelter 42",
            Some(&dakar),
        );
        let chose = app.user_with_password(
            "ngo",
            "john@dakar.example",
            "lantern river shelter 42",
            Some(&dakar),
        );
        {
            let mut conn = app.pool.get().expect("connection");
            trustfund::auth::store::set_language(&mut conn, &chose, "en").expect("en");
        }
        let member = app.user_token("ngo", Some(&dakar));
        let mut theirs = project(
            &dakar,
            "Shelter and legal aid",
            &["NG"],
            &["protection.shelter"],
        );
        theirs["description"] = json!("Shelter and legal aid for survivors.");
        theirs["start_on"] = json!("2025-01-01");
        theirs["end_on"] = json!("2030-12-31");
        create(&app, &member, theirs).await;

        // a grant for the same work enters the registry
        let world = common::world::World::board(&app)
            .received("50000.00")
            .under_review("Shelter and legal aid", "10000.00")
            // the application was flagged at submission: the board says how it weighed that
            .grant_with(
                "10000.00",
                json!({"overlap_weighing": "Different shelters in Lagos; no double funding."}),
            )
            .await;
        assert!(!world.grant_id().is_empty());
        for (address, locale) in [("awa@dakar.example", "fr"), ("john@dakar.example", "en")] {
            assert_eq!(
                app.count(&format!(
                    "outbox WHERE to_address = '{address}' AND template = 'overlap_found' \
                     AND locale = '{locale}'"
                )),
                1,
                "{address} in {locale}"
            );
        }
    }
);
