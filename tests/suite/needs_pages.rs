//! Needs and offers on pages (`/registry/needs-and-offers`), on both backends: a ministry's
//! member posts a need from the form (refusals beside their fields, nothing written), a
//! foundation's member posts an offer, finds the need ranked for it with its reasons and
//! proposes the match; the ministry accepts it (the proposer cannot) and registers it as a
//! project. A form without its token, another organisation's need or match, the secretariat
//! (no organisation) and a match of an organisation with itself change nothing. One
//! headless Chromium test walks the pages in English, French and Spanish.

use crate::common;

use common::TestApp;
use common::browser::{Answer, Browser};
use common::chromium::Chromium;
use serde_json::json;

const PASSWORD: &str = "harbour cedar ledger 73";
const MINE: &str = "/registry/needs-and-offers";
const NEED_FORM: &str = "/registry/needs/new";
const OFFER_FORM: &str = "/registry/offers/new";

async fn organisation(app: &TestApp, name: &str, kind: &str) -> String {
    let admin = app.user_token("admin", None);
    let r = app
        .post_as(
            &admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": kind, "country": "NG", "verified": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

/// A member of `org` with the `role`, signed in on a browser of its own.
async fn member(app: &TestApp, role: &str, email: &str, org: &str) -> Browser {
    app.user_with_password(role, email, PASSWORD, Some(org));
    let mut browser = Browser::new(app);
    browser.sign_in(email, PASSWORD).await;
    browser
}

/// A complete need form, but for the fields `changed` replaces (`-` leaves one out).
fn need_form<'a>(csrf: &'a str, changed: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("title", "Trauma-informed care training for shelter staff"),
        (
            "description",
            "Staff of two shelters in Lagos need training in trauma-informed care.",
        ),
        ("country_1", "NG"),
        ("kind_training", "on"),
        ("kind_funding", "on"),
        ("theme_protection.shelter", "on"),
        ("start_on", "2027-01-01"),
        ("end_on", "2027-12-31"),
        ("amount", "40000.00"),
        ("currency", "usd"),
        ("link", "https://justice.gov.example/needs/shelters"),
    ];
    for (name, value) in changed {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields.retain(|(_, value)| *value != "-");
    fields
}

fn offer_form(csrf: &str) -> Vec<(&str, &str)> {
    vec![
        ("csrf", csrf),
        ("title", "Trainers for shelter staff"),
        (
            "description",
            "Our trainers run five-day courses for shelter staff.",
        ),
        ("country_1", "GH"),
        ("country_2", "NG"),
        ("country_3", ""),
        ("kind_training", "on"),
        ("theme_protection.shelter", "on"),
        ("start_on", "2027-03-01"),
        ("end_on", "2028-02-28"),
        ("amount", "25000"),
        ("currency", "USD"),
        ("link", ""),
    ]
}

/// `browser` proposes the match of `need` and `offer` from a ranking page's button.
async fn propose(browser: &mut Browser, csrf: &str, need: &str, offer: &str) -> Answer {
    browser
        .post(
            "/registry/matches/propose",
            &[("csrf", csrf), ("need_id", need), ("offer_id", offer)],
        )
        .await
}

/// The id after `prefix` in a redirect's location (`/registry/needs/{id}/offers`).
fn id_in(answer: &Answer, prefix: &str) -> String {
    let location = answer.location.as_deref().expect("a redirect");
    location
        .strip_prefix(prefix)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("{location} after {prefix}"))
        .to_string()
}

/// The state a page gives the match `id` (`data-match`), if it lists it.
fn match_state(page: &str, id: &str) -> Option<String> {
    let at = page.find(&format!("id=\"match-{id}\""))?;
    let rest = &page[at..];
    let start = rest.find("data-match=\"")? + "data-match=\"".len();
    Some(rest[start..start + rest[start..].find('"')?].to_string())
}

both_backends!(
    a_need_is_posted_matched_and_agreed_from_the_pages,
    |app: TestApp| async move {
        let ministry = organisation(&app, "Ministry of Justice", "government").await;
        let foundation = organisation(&app, "Nordic Aid", "foundation").await;
        let other = organisation(&app, "Another Agency", "ngo").await;
        let mut official = member(&app, "registry", "desk@justice.gov.example", &ministry).await;
        let mut giver = member(&app, "donor", "grants@nordic.example", &foundation).await;
        let mut stranger = member(&app, "ngo", "team@another.example", &other).await;

        // nobody signed in goes to sign in; a form without its token writes nothing
        let r = Browser::new(&app).get(MINE).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some("/login"));
        let page = official.get(MINE).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let form = official.get(NEED_FORM).await;
        assert_eq!(form.status, 200, "{}", form.text);
        let csrf = form.csrf();
        let r = official.post(NEED_FORM, &need_form("forged", &[])).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(app.count("needs"), 0);

        // refusals beside their fields, what was typed kept, nothing written
        let r = official
            .post(
                NEED_FORM,
                &need_form(
                    &csrf,
                    &[
                        ("title", "  "),
                        ("country_1", ""),
                        ("kind_training", "-"),
                        ("kind_funding", "-"),
                        ("amount", "12,5"),
                        ("link", "http://justice.gov.example/needs"),
                        ("end_on", "2026-13-45"),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        for field in ["title", "countries", "kinds", "amount", "link", "end_on"] {
            assert!(
                r.error_beside(field).is_some(),
                "no error beside {field}: {}",
                r.text
            );
        }
        assert!(r.error_beside("themes").is_none(), "{}", r.text);
        assert!(
            r.text.contains("Staff of two shelters in Lagos"),
            "typed text kept"
        );
        assert_eq!(app.count("needs"), 0);

        // posted as the API would, then the offers that could meet it
        let r = official.post(NEED_FORM, &need_form(&csrf, &[])).await;
        assert_eq!(r.status, 303, "{}", r.text);
        let need_id = id_in(&r, "/registry/needs/");
        let need = app.get(&format!("/api/v1/registry/needs/{need_id}")).await;
        assert_eq!(need.status, 200, "{}", need.text);
        assert_eq!(need.body["organisation_id"], ministry.as_str());
        assert_eq!(need.body["kinds"], json!(["funding", "training"]));
        assert_eq!(need.body["budget"], "40000.00");
        assert_eq!(need.body["currency"], "USD");
        let ranking = official.get(r.location.as_deref().expect("location")).await;
        assert_eq!(ranking.status, 200, "{}", ranking.text);
        assert!(
            !ranking.text.contains("data-post=\"offer\""),
            "no offer yet"
        );

        // the foundation posts an offer and finds the need ranked for it, with reasons
        let csrf_giver = giver.get(OFFER_FORM).await.csrf();
        let r = giver.post(OFFER_FORM, &offer_form(&csrf_giver)).await;
        assert_eq!(r.status, 303, "{}", r.text);
        let offer_id = id_in(&r, "/registry/offers/");
        let offer = app
            .get(&format!("/api/v1/registry/offers/{offer_id}"))
            .await;
        assert_eq!(
            offer.body["countries"],
            json!(["GH", "NG"]),
            "{}",
            offer.text
        );
        let ranking = giver
            .get(&format!("/registry/offers/{offer_id}/needs"))
            .await;
        assert_eq!(ranking.status, 200, "{}", ranking.text);
        assert!(
            ranking.text.contains(&format!("id=\"need-{need_id}\"")),
            "{}",
            ranking.text
        );
        assert!(ranking.text.contains("data-figure=\"fit\""));
        assert!(ranking.text.contains("Kinds of help"), "reasons named");

        // another organisation reads neither ranking page nor proposes for them
        let r = stranger
            .get(&format!("/registry/needs/{need_id}/offers"))
            .await;
        assert_eq!(r.status, 404, "{}", r.text);
        let r = official
            .get(&format!("/registry/offers/{offer_id}/needs"))
            .await;
        assert_eq!(r.status, 404, "another's offer: {}", r.text);

        // proposed by the foundation; the ministry is told and sees it waiting for it
        let r = propose(&mut giver, &csrf_giver, &need_id, &offer_id).await;
        assert_eq!(r.status, 303, "{}", r.text);
        assert_eq!(r.location.as_deref(), Some(MINE));
        assert_eq!(app.count("need_offer_matches"), 1);
        let mail = app.email_number("desk@justice.gov.example", 1).await;
        assert!(mail.decoded.contains("Nordic Aid"), "{}", mail.decoded);
        let matches = app
            .get_as(
                &app.user_token("donor", Some(&foundation)),
                &format!("/api/v1/registry/offers/{offer_id}/matches"),
            )
            .await;
        let match_id = matches.body["items"][0]["match_id"]
            .as_str()
            .expect("match id")
            .to_string();
        let page = giver.get(MINE).await;
        assert_eq!(
            match_state(&page.text, &match_id).as_deref(),
            Some("waiting")
        );
        let page = official.get(MINE).await;
        assert_eq!(
            match_state(&page.text, &match_id).as_deref(),
            Some("answer")
        );

        // proposing it again: 409, said on the page, nothing added
        let r = propose(&mut giver, &csrf_giver, &need_id, &offer_id).await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert!(r.text.contains("role=\"alert\""), "{}", r.text);
        assert_eq!(app.count("need_offer_matches"), 1);

        // the proposer cannot accept; a stranger finds nothing; without a token nothing
        let answer = format!("/registry/matches/{match_id}/answer");
        let r = giver
            .post(
                &answer,
                &[("csrf", csrf_giver.as_str()), ("answer", "accept")],
            )
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
        let csrf_stranger = stranger.get(MINE).await.csrf();
        let r = stranger
            .post(
                &answer,
                &[("csrf", csrf_stranger.as_str()), ("answer", "accept")],
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.text);
        let r = official
            .post(&answer, &[("csrf", "forged"), ("answer", "accept")])
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
        let m = app
            .get_as(
                &app.user_token("donor", Some(&foundation)),
                &format!("/api/v1/registry/matches/{match_id}"),
            )
            .await;
        assert_eq!(m.body["status"], "proposed", "{}", m.text);

        // the ministry accepts, then registers the work as a project
        let csrf_official = official.get(MINE).await.csrf();
        let r = official
            .post(
                &answer,
                &[("csrf", csrf_official.as_str()), ("answer", "accept")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text);
        let mail = app.email_number("grants@nordic.example", 1).await;
        assert!(
            mail.decoded.contains("Ministry of Justice"),
            "{}",
            mail.decoded
        );
        assert_eq!(app.count("registry_projects"), 0);
        let r = official
            .post(
                &answer,
                &[("csrf", csrf_official.as_str()), ("answer", "project")],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.text);
        assert_eq!(app.count("registry_projects"), 1);
        let page = official.get(MINE).await;
        assert_eq!(
            match_state(&page.text, &match_id).as_deref(),
            Some("accepted")
        );
        assert!(page.text.contains("/registry/projects/"), "{}", page.text);
        // a second time: already a project, said on the page, nothing added
        let r = official
            .post(
                &answer,
                &[("csrf", csrf_official.as_str()), ("answer", "project")],
            )
            .await;
        assert_eq!(r.status, 409, "{}", r.text);
        assert_eq!(app.count("registry_projects"), 1);

        // an organisation's own need and offer: refused, nothing added
        let r = official.post(OFFER_FORM, &offer_form(&csrf_official)).await;
        assert_eq!(r.status, 303, "{}", r.text);
        let own_offer = id_in(&r, "/registry/offers/");
        let r = propose(&mut official, &csrf_official, &need_id, &own_offer).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(app.count("need_offer_matches"), 1);

        // the secretariat belongs to no organisation: these pages are not for it
        app.user_with_password("admin", "desk@fund.example", PASSWORD, None);
        let mut desk = Browser::new(&app);
        desk.sign_in("desk@fund.example", PASSWORD).await;
        assert_eq!(desk.get(MINE).await.status, 403);
        assert_eq!(desk.get(NEED_FORM).await.status, 403);
    }
);

/// The pages as a browser shows them, in three languages: the organisation's page, the
/// need form with its refusals, then the offers ranked for the new need, and the proposal;
/// axe-core finds nothing. SQLite only (rendering).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_needs_pages_work_in_a_browser_in_three_languages() {
    let app = common::spawn_app(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let ministry = organisation(&app, "Ministry of Justice", "government").await;
    let foundation = organisation(&app, "Nordic Aid", "foundation").await;
    app.user_with_password(
        "registry",
        "desk@justice.gov.example",
        PASSWORD,
        Some(&ministry),
    );
    let giver = app.user_token("donor", Some(&foundation));
    let r = app
        .post_as(
            &giver,
            "/api/v1/registry/offers",
            json!({
                "title": "Trainers for shelter staff",
                "description": "Five-day courses for shelter staff.",
                "countries": ["NG", "BD", "GH"],
                "themes": ["protection.shelter"],
                "kinds": ["training"],
                "start_on": "2027-01-01",
                "end_on": "2028-12-31",
                "capacity": "25000.00",
                "currency": "USD"
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let browser = Chromium::start(&app, "en").await;
    browser.sign_in("desk@justice.gov.example", PASSWORD).await;
    for (i, language) in ["en", "fr", "es"].into_iter().enumerate() {
        browser
            .follow(&format!("form.switch button[value={language}]"))
            .await;
        browser.open(MINE).await;
        browser.check_page(language).await;
        browser.follow("a[href=\"/registry/needs/new\"]").await;
        browser.check_page(language).await;
        browser.follow("form.stack button[type=submit]").await;
        assert!(
            browser.count("p.error").await >= 5,
            "{}",
            browser.text().await
        );
        browser.check_page(language).await;
        assert_eq!(app.count("needs"), i as i64);

        browser
            .fill(
                "#title",
                &format!("Training for shelter staff ({language})"),
            )
            .await;
        browser
            .fill("#description", "Two shelters need their staff trained.")
            .await;
        browser.set_value("#country_1", "BD").await;
        browser.click("input[name=\"kind_training\"]").await;
        browser
            .click("input[name=\"theme_protection.shelter\"]")
            .await;
        browser.set_value("#start_on", "2027-02-01").await;
        browser.set_value("#end_on", "2027-11-30").await;
        browser.follow("form.stack button[type=submit]").await;
        assert_eq!(app.count("needs"), i as i64 + 1, "{}", browser.text().await);
        // the offers ranked for it: the foundation's, with its reasons
        assert!(browser.path().await.ends_with("/offers"));
        assert_eq!(browser.count("[data-post=offer]").await, 1);
        browser.check_page(language).await;
        browser.follow("article form button[type=submit]").await;
        assert_eq!(browser.path().await, MINE);
        assert_eq!(browser.count("[data-match=waiting]").await, i + 1);
        browser.check_page(language).await;
    }
    assert_eq!(app.count("need_offer_matches"), 3);
    browser.quit().await;
}
