//! Overlaps inside the fund's flow, over HTTP on both backends: an application that
//! duplicates another organisation's registry project is flagged when it is submitted, the
//! secretariat, an assigned reviewer and a trustee see the flag with its reasons (API and
//! pages), another organisation gets 404 and the applicant 403; a board approval without
//! saying how the overlap was weighed is refused by name and changes nothing, and with it
//! the weighing is kept with the decision and in its audit event. A submission after a
//! return replaces the flags; an unpublished project is the secretariat's to see.

use crate::common;

use common::TestApp;
use common::board::{approve, decide};
use common::browser::Browser;
use common::world::World;
use serde_json::{Value, json};

const PASSWORD: &str = "lantern river shelter 42";
const PROJECTS: &str = "/api/v1/registry/projects";

/// What the registry holds and the application asks for: the same shelter in Lagos.
const TITLE: &str = "Shelter and legal aid for trafficking survivors in Lagos";
const SUMMARY: &str = "Safe shelter, counselling and legal aid for survivors of trafficking in Lagos, with referral to reintegration services.";

/// A verified organisation and a member's token.
async fn other_organisation(app: &TestApp, admin: &str, name: &str) -> (String, String) {
    let r = app
        .post_as(
            admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": "ngo", "country": "NG", "verified": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let org = r.body["id"].as_str().expect("id").to_string();
    let token = app.user_token("ngo", Some(&org));
    (org, token)
}

/// A project of `org` registered by its member, running now in Nigeria.
async fn registered(app: &TestApp, token: &str, org: &str, title: &str, published: bool) -> String {
    let today = chrono::Utc::now().date_naive();
    let r = app
        .post_as(
            token,
            PROJECTS,
            json!({
                "title": title,
                "description": SUMMARY,
                "reporting_org_id": org,
                "countries": ["NG"],
                "themes": ["protection.shelter"],
                "start_on": (today - chrono::Duration::days(90)).to_string(),
                "end_on": (today + chrono::Duration::days(400)).to_string(),
                "budget": "120000.00",
                "currency": "USD",
                "status": "active",
                "published": published
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

fn duplicate_application() -> Value {
    json!({
        "title": TITLE,
        "summary": SUMMARY,
        "requested_amount": "15000.00",
        "duration_months": 12,
        "countries": ["NG"],
        "themes": ["protection.shelter"],
        "budget": [{"category": "shelter", "description": "rent", "amount": "15000.00"}]
    })
}

async fn overlaps(app: &TestApp, token: &str, application: &str) -> common::Reply {
    app.get_as(
        token,
        &format!("/api/v1/applications/{application}/overlaps"),
    )
    .await
}

fn candidate_ids(view: &Value) -> Vec<String> {
    view["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .map(|c| c["project"]["id"].as_str().expect("id").to_string())
        .collect()
}

/// With `TRUSTFUND_PAGE_DUMP=DIR`, keeps a page's HTML for a screenshot of it.
fn keep(name: &str, html: &str) {
    if let Some(dir) = std::env::var_os("TRUSTFUND_PAGE_DUMP") {
        std::fs::write(std::path::Path::new(&dir).join(name), html).expect("page kept");
    }
}

/// The page as a reader sees it: minijinja writes `/` as `&#x2f;`.
fn plain(text: &str) -> String {
    text.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace(['\u{a0}', '\u{202f}'], " ")
}

both_backends!(
    a_duplicate_is_flagged_at_submission_seen_by_the_fund_and_weighed_by_the_board,
    |app: TestApp| async move {
        let w = World::board(&app).received("50000.00").await;
        let admin = w.admin.clone();
        let (other, other_member) = other_organisation(&app, &admin, "Lagos Shelter Network").await;
        let theirs = registered(&app, &other_member, &other, TITLE, true).await;
        // the applicant's own registry project says the same: it is no overlap of its own
        let own = registered(&app, w.ngo_token(), w.org_id(), TITLE, true).await;

        let w = w
            .application_with(duplicate_application())
            .submitted()
            .await;
        let application = w.application_id().to_string();

        // the secretariat sees the flag, with its score and reasons, at screening
        let r = overlaps(&app, &admin, &application).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(candidate_ids(&r.body), vec![theirs.clone()], "{}", r.text);
        assert!(!candidate_ids(&r.body).contains(&own));
        assert_eq!(r.body["open"], 1);
        let flagged = &r.body["candidates"][0];
        assert_eq!(flagged["status"], "open");
        assert_eq!(flagged["project"]["title"], TITLE);
        assert_eq!(flagged["organisation_name"], "Lagos Shelter Network");
        assert!(
            flagged["score"].as_f64().expect("score") >= 0.5,
            "{}",
            r.text
        );
        let kinds: Vec<&str> = flagged["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|reason| reason["kind"].as_str().expect("kind"))
            .collect();
        for kind in ["same_country", "same_theme", "similar_text"] {
            assert!(kinds.contains(&kind), "{kind} missing from {}", r.text);
        }
        // the shared words as the application writes them, not as the index stems them
        let words: Vec<&str> = flagged["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .filter(|reason| reason["kind"] == "similar_text")
            .flat_map(|reason| reason["shared_words"].as_array().expect("words"))
            .map(|word| word.as_str().expect("word"))
            .collect();
        for written in ["counselling", "referral", "reintegration", "survivors"] {
            assert!(words.contains(&written), "{written} missing from {words:?}");
        }
        assert!(!words.contains(&"reintegr"), "{words:?}");

        // the applicant is refused its fund's assessment; another organisation sees nothing
        let r = overlaps(&app, w.ngo_token(), &application).await;
        r.assert_problem(403, "forbidden");
        let r = overlaps(&app, &other_member, &application).await;
        r.assert_problem(404, "not_found");

        // the secretariat's page at screening, in Spanish
        app.user_with_password("admin", "mesa@fund.example", PASSWORD, None);
        let mut desk = Browser::speaking(&app, "es");
        desk.sign_in("mesa@fund.example", PASSWORD).await;
        let page = desk.get(&format!("/applications/{application}")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        keep("application-es.html", &page.text);
        let text = plain(&page.text);
        assert!(
            text.contains("Posibles solapamientos con el registro"),
            "{text}"
        );
        assert!(text.contains("Lagos Shelter Network"), "{text}");
        assert!(text.contains("Mismos países: Nigeria"), "{text}");
        assert!(
            text.contains("1 posible solapamiento por valorar"),
            "{text}"
        );

        // screened in; a reviewer assigned to it sees the flag beside the application
        let w = w.screened().await;
        let reviewer = app.user_with_password("reviewer", "expert@review.example", PASSWORD, None);
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/applications/{application}/assignments"),
                json!({"reviewer_id": reviewer}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let assignment = r.body["id"].as_str().expect("id").to_string();
        let mut browser = Browser::speaking(&app, "fr");
        browser.sign_in("expert@review.example", PASSWORD).await;
        let page = browser.get(&format!("/reviews/{assignment}")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        // nothing of the application, flags included, before the declaration
        assert!(!plain(&page.text).contains("Chevauchements possibles"));
        let csrf = page.csrf();
        let version = page.field("version");
        let declared = browser
            .post(
                &format!("/reviews/{assignment}/declare"),
                &[("csrf", &csrf), ("version", &version), ("conflict", "no")],
            )
            .await;
        assert_eq!(declared.status, 303, "{}", declared.text);
        let page = browser.get(&format!("/reviews/{assignment}")).await;
        keep("review-fr.html", &page.text);
        let text = plain(&page.text);
        assert!(
            text.contains("Chevauchements possibles avec le registre"),
            "{text}"
        );
        assert!(text.contains("Lagos Shelter Network"), "{text}");
        assert!(text.contains("Mêmes thèmes"), "{text}");

        // a trustee of the fund: the API, the ranking's flag, and the ranking page
        let trustee = w.trustee_list()[0].1.clone();
        let r = overlaps(&app, &trustee, &application).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(candidate_ids(&r.body), vec![theirs.clone()]);
        let ranking = app
            .get_as(&trustee, &format!("/api/v1/calls/{}/ranking", w.call_id()))
            .await;
        assert_eq!(ranking.status, 200, "{}", ranking.text);
        let row = ranking.body["applications"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|row| row["application_id"] == application.as_str())
            .expect("the application is ranked")
            .clone();
        assert_eq!(row["flagged_overlaps"], 1, "{}", ranking.text);
        let board_member = app.user_with_password("trustee", "board@fund.example", PASSWORD, None);
        {
            let mut conn = app.pool.get().expect("connection");
            trustfund::auth::store::add_fund(&mut conn, &board_member, w.fund_id())
                .expect("a seat on the board");
        }
        let mut seat = Browser::speaking(&app, "en");
        seat.sign_in("board@fund.example", PASSWORD).await;
        let page = seat.get(&format!("/calls/{}/ranking", w.call_id())).await;
        assert_eq!(page.status, 200, "{}", page.text);
        keep("ranking-en.html", &page.text);
        let text = plain(&page.text);
        assert!(text.contains("1 possible overlap to weigh"), "{text}");
        assert!(text.contains("Lagos Shelter Network"), "{text}");
        assert!(text.contains("Same countries: Nigeria"), "{text}");

        // approving without saying how the overlap was weighed: refused by name, nothing changed
        let w = w.session(3).await;
        let session = w.session_id().to_string();
        let before = (
            app.count("grants"),
            app.count("ledger_entries"),
            app.count("board_decisions"),
            app.count("audit_events"),
        );
        // on the session's page, the secretariat's form says it beside the field
        let path = format!("/board-sessions/{session}");
        let page = desk.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(
            plain(&page.text).contains("1 posible solapamiento por valorar"),
            "{}",
            page.text
        );
        let (csrf, once) = (page.csrf(), page.field("once"));
        let wrong = desk
            .post(
                &format!("{path}/decisions"),
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("application_id", &application),
                    ("outcome", "approved"),
                    ("approved_amount", "15000.00"),
                    ("rationale", "Ranked first."),
                ],
            )
            .await;
        assert_eq!(wrong.status, 422, "{}", wrong.text);
        keep("board-session-es.html", &wrong.text);
        assert!(
            wrong
                .error_beside("overlap_weighing")
                .is_some_and(|e| e.contains("explique cómo valoró la junta")),
            "{}",
            wrong.text
        );
        let r = decide(&app, &trustee, &session, approve(&application, "15000.00")).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["overlap_weighing"]
        );
        let mut blank = approve(&application, "15000.00");
        blank["overlap_weighing"] = json!("   ");
        let r = decide(&app, &trustee, &session, blank).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["overlap_weighing"]
        );
        let after = (
            app.count("grants"),
            app.count("ledger_entries"),
            app.count("board_decisions"),
            app.count("audit_events"),
        );
        assert_eq!(before, after, "a refused approval writes nothing");
        assert_eq!(app.count("ledger_entries WHERE kind = 'commitment'"), 0);
        let r = app
            .get_as(&admin, &format!("/api/v1/applications/{application}"))
            .await;
        assert_eq!(r.body["status"], "under_review");
        let r = overlaps(&app, &admin, &application).await;
        assert_eq!(r.body["open"], 1);

        // with the weighing: approved, kept with the decision and in its audit event
        let weighing =
            "Co-financing agreed with Lagos Shelter Network: we fund the legal aid only.";
        let mut weighed = approve(&application, "15000.00");
        weighed["overlap_weighing"] = json!(weighing);
        let r = decide(&app, &trustee, &session, weighed).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["overlap_weighing"], weighing);
        let decision = r.body["id"].as_str().expect("id").to_string();
        assert_eq!(app.count("grants"), 1);
        assert_eq!(app.count("ledger_entries WHERE kind = 'commitment'"), 1);
        assert_eq!(
            app.count(&format!(
                "audit_events WHERE entity = 'board_decision' AND entity_id = '{decision}' \
                 AND after_state LIKE '%Co-financing agreed with Lagos Shelter Network%'"
            )),
            1
        );
        let r = overlaps(&app, &admin, &application).await;
        assert_eq!(r.body["open"], 0, "{}", r.text);
        assert_eq!(r.body["candidates"][0]["status"], "weighed");
        assert_eq!(
            r.body["candidates"][0]["weighed_by_decision"],
            decision.as_str()
        );
        let r = app
            .get_as(&trustee, &format!("/api/v1/board-sessions/{session}"))
            .await;
        assert_eq!(r.body["decisions"][0]["overlap_weighing"], weighing);
    }
);

both_backends!(
    a_resubmission_replaces_the_flags_and_unpublished_projects_stay_the_secretariats,
    |app: TestApp| async move {
        let w = World::board(&app).await;
        let admin = w.admin.clone();
        let (other, other_member) = other_organisation(&app, &admin, "Lagos Shelter Network").await;
        let public = registered(&app, &other_member, &other, TITLE, true).await;
        let unpublished = registered(&app, &other_member, &other, TITLE, false).await;
        let w = w
            .application_with(duplicate_application())
            .submitted()
            .await;
        let application = w.application_id().to_string();

        // the secretariat sees both; a trustee sees what the registry shows it
        let r = overlaps(&app, &admin, &application).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let mut seen = candidate_ids(&r.body);
        seen.sort();
        let mut both = vec![public.clone(), unpublished.clone()];
        both.sort();
        assert_eq!(seen, both, "{}", r.text);
        let trustee = w.trustee_list()[0].1.clone();
        let r = overlaps(&app, &trustee, &application).await;
        assert_eq!(candidate_ids(&r.body), vec![public.clone()], "{}", r.text);
        assert_eq!(r.body["open"], 1);
        // the other organisation's member (not a reader of the application): 404
        overlaps(&app, &other_member, &application)
            .await
            .assert_problem(404, "not_found");

        // returned, rewritten about something else, submitted again: the flags are replaced
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/applications/{application}/return-for-revision"),
                json!({"reason": "Tell us how this differs from the shelter network's work."}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .patch_as(
                w.ngo_token(),
                &format!("/api/v1/applications/{application}"),
                json!({"title": "Mobile outreach to fishing communities",
                       "summary": "Boats visiting remote islands to identify forced labour on fishing vessels.",
                       "countries": ["GH"]}),
                Some(&r.header("etag").expect("etag")),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .post_as(
                w.ngo_token(),
                &format!("/api/v1/applications/{application}/submit"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = overlaps(&app, &admin, &application).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(candidate_ids(&r.body).is_empty(), "{}", r.text);
        assert_eq!(r.body["open"], 0);
        assert_eq!(app.count("application_overlaps"), 0);
    }
);
