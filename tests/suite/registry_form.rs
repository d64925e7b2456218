//! Registering a project from a browser (`/registry/projects/new`), on both backends: a
//! member of an unverified government registers a project of its own organisation
//! through the API's rules; refusals are said beside their fields and write nothing; a
//! form without its CSRF token, a visitor who is not signed in and the secretariat (which
//! belongs to no organisation) register nothing. One headless Chromium test fills the
//! form in English, French and Spanish.

use crate::common;

use common::TestApp;
use common::browser::Browser;
use common::chromium::Chromium;
use serde_json::json;

const PASSWORD: &str = "harbour cedar ledger 73";
const FORM: &str = "/registry/projects/new";

/// An organisation of `kind`, verified or not, made by the secretariat.
async fn organisation(app: &TestApp, kind: &str, verified: bool) -> String {
    let admin = app.user_token("admin", None);
    let r = app
        .post_as(
            &admin,
            "/api/v1/organisations",
            json!({"name": "Ministry of Labour", "kind": kind, "country": "NG", "verified": verified}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

/// A complete form, but for the fields `changed` replaces.
fn filled<'a>(csrf: &'a str, changed: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("csrf", csrf),
        ("title", "Shelters for women returned from the Gulf"),
        (
            "description",
            "Two shelters in Lagos and Benin City with counselling and job training.",
        ),
        ("country_1", "NG"),
        ("country_2", "BJ"),
        ("country_3", "NG"),
        ("theme_protection.shelter", "on"),
        ("theme_protection.reintegration", "on"),
        ("status", "active"),
        ("start_on", "2026-01-01"),
        ("end_on", "2027-12-31"),
        ("budget", "250000.00"),
        ("currency", "usd"),
        ("link", "https://labour.gov.example/shelters"),
        ("published", "on"),
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

both_backends!(
    a_member_registers_a_project_from_the_form_with_the_api_rules,
    |app: TestApp| async move {
        let org = organisation(&app, "government", false).await;
        app.user_with_password("registry", "desk@labour.gov.example", PASSWORD, Some(&org));

        // nobody signed in goes to sign in; the form writes nothing without its token
        let mut visitor = Browser::new(&app);
        let r = visitor.get(FORM).await;
        assert_eq!(r.status, 303);
        assert_eq!(r.location.as_deref(), Some("/login"));
        let mut member = Browser::new(&app);
        member.sign_in("desk@labour.gov.example", PASSWORD).await;
        let form = member.get(FORM).await;
        assert_eq!(form.status, 200, "{}", form.text);
        let csrf = form.csrf();
        let r = member.post(FORM, &filled("forged", &[])).await;
        assert_eq!(r.status, 403, "{}", r.text);
        assert_eq!(app.count("registry_projects"), 0);

        // refusals beside their fields, what was typed kept, nothing written
        let r = member
            .post(
                FORM,
                &filled(
                    &csrf,
                    &[
                        ("title", "  "),
                        ("country_1", "-"),
                        ("country_2", "-"),
                        ("country_3", "-"),
                        ("budget", "12,5"),
                        ("link", "http://labour.gov.example/shelters"),
                        ("end_on", "2025-06-30"),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        for field in ["title", "countries", "budget", "link", "end_on"] {
            assert!(
                r.error_beside(field).is_some(),
                "no error beside {field}: {}",
                r.text
            );
        }
        assert!(r.error_beside("themes").is_none(), "{}", r.text);
        assert!(r.text.contains("Two shelters in Lagos"), "typed text kept");
        assert_eq!(app.count("registry_projects"), 0);

        // no theme ticked
        let r = member
            .post(
                FORM,
                &filled(
                    &csrf,
                    &[
                        ("theme_protection.shelter", "-"),
                        ("theme_protection.reintegration", "-"),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert!(r.error_beside("themes").is_some(), "{}", r.text);
        assert_eq!(app.count("registry_projects"), 0);

        // registered as the API would: its own organisation, countries once each, the
        // link kept; not public until the secretariat verifies the ministry
        let r = member.post(FORM, &filled(&csrf, &[])).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(
            r.text.contains("Shelters for women returned from the Gulf"),
            "{}",
            r.text
        );
        assert!(r.text.contains("verified your organisation"), "{}", r.text);
        assert_eq!(app.count("registry_projects"), 1);
        let token = app.user_token("registry", Some(&org));
        let mine = app
            .get_as(&token, &format!("/api/v1/registry/projects?org_id={org}"))
            .await;
        assert_eq!(mine.status, 200, "{}", mine.text);
        let project = &mine.body["items"][0];
        assert_eq!(project["reporting_org_id"], org.as_str());
        assert_eq!(project["countries"], json!(["NG", "BJ"]));
        assert_eq!(
            project["themes"],
            json!(["protection.shelter", "protection.reintegration"])
        );
        assert_eq!(project["budget"], "250000.00");
        assert_eq!(project["currency"], "USD");
        assert_eq!(
            project["links"][0]["url"],
            "https://labour.gov.example/shelters"
        );
        assert_eq!(project["awaiting_verification"], true);
        let public = app
            .get(&format!(
                "/api/v1/registry/projects/{}",
                project["id"].as_str().expect("id")
            ))
            .await;
        assert_eq!(public.status, 404, "not public before verification");

        // the secretariat belongs to no organisation: the form is not for it
        app.user_with_password("admin", "desk@fund.example", PASSWORD, None);
        let mut desk = Browser::new(&app);
        desk.sign_in("desk@fund.example", PASSWORD).await;
        let r = desk.get(FORM).await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
);

/// The form as a browser shows it, in three languages: its refusals beside the fields,
/// then the project registered; axe-core finds nothing. SQLite only (rendering).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_form_works_in_a_browser_in_three_languages() {
    let app = common::spawn_app(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let org = organisation(&app, "government", true).await;
    app.user_with_password("registry", "desk@labour.gov.example", PASSWORD, Some(&org));
    let browser = Chromium::start(&app, "en").await;
    browser.sign_in("desk@labour.gov.example", PASSWORD).await;
    for (i, language) in ["en", "fr", "es"].into_iter().enumerate() {
        browser
            .follow(&format!("form.switch button[value={language}]"))
            .await;
        browser.open(FORM).await;
        browser.check_page(language).await;
        browser.follow("form.stack button[type=submit]").await;
        assert_eq!(
            browser.count("p.error").await,
            3,
            "{}",
            browser.text().await
        );
        browser.check_page(language).await;
        assert_eq!(app.count("registry_projects"), i as i64);

        browser
            .fill("#title", &format!("Night shelter for boys ({language})"))
            .await;
        browser
            .fill("#description", "A night shelter with counselling.")
            .await;
        browser.set_value("#country_1", "BD").await;
        browser
            .click("input[name=\"theme_protection.shelter\"]")
            .await;
        browser.fill("#link", "http://shelter.example").await;
        browser.follow("form.stack button[type=submit]").await;
        assert_eq!(
            browser.count("p.error").await,
            1,
            "{}",
            browser.text().await
        );
        assert_eq!(app.count("registry_projects"), i as i64);

        browser.fill("#link", "https://shelter.example/boys").await;
        browser.follow("form.stack button[type=submit]").await;
        assert_eq!(
            browser.count("p.error").await,
            0,
            "{}",
            browser.text().await
        );
        browser.check_page(language).await;
        assert!(
            browser
                .text()
                .await
                .contains(&format!("Night shelter for boys ({language})"))
        );
        assert_eq!(app.count("registry_projects"), i as i64 + 1);
    }
    browser.quit().await;
}
