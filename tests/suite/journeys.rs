//! The fund's journeys walked end to end in headless Chromium (fantoccini over WebDriver),
//! each page checked on the way (`Chromium::check_page`: its language, no unformatted
//! message, axe-core's WCAG 2 A/AA rules):
//!
//! an NGO in French registers itself on `/register` and confirms its address from the
//! email; the secretariat verifies it on its queue; the NGO finds the call, applies with a
//! document and sends it; the secretariat
//! screens it in English and assigns a reviewer picked by name; the reviewer declares no
//! conflict and scores in French; a trustee records the board's approval in Spanish; the
//! NGO signs in French; one finance officer requests the
//! first instalment and a second approves and pays it; the NGO reports in Spanish; the
//! secretariat accepts the report; the donor reads where its money went. The secretariat's
//! and finance's queues of late reviews and pledges, and the assignment form with its due
//! day, are checked in the three languages.
//!
//! SQLite only: this is about what people see and do, the database rules are tested on
//! both backends elsewhere.

use serde_json::json;

use crate::common;
use crate::common::chromium::Chromium;
use crate::common::world::{World, default_call, pdf};

const PASSWORD: &str = "compass lantern harbour 64";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checks_find_what_they_look_for() {
    let app = common::spawn_app(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let browser = Chromium::start(&app, "en").await;
    browser
        .client
        .goto("data:text/html,<html><body><input type=text><img src=x.png></body></html>")
        .await
        .expect("page");
    let found = browser.accessibility_problems().await.join("\n");
    for rule in ["html-has-lang", "label", "image-alt"] {
        assert!(found.contains(rule), "{rule} not found in {found}");
    }
    // and on a page of the service, under its Content-Security-Policy
    browser.open("/login").await;
    assert_eq!(browser.accessibility_problems().await, Vec::<String>::new());
    browser
        .client
        .execute(
            "document.querySelector('main').append(document.createElement('select')); return true;",
            vec![],
        )
        .await
        .expect("a field without a label");
    let found = browser.accessibility_problems().await.join("\n");
    assert!(found.contains("select-name"), "{found}");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_the_call_to_the_donor_in_three_languages() {
    let app = common::spawn_app(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let mut call = default_call();
    call["title"] = json!("Emergency grants 2027");
    call["eligible_countries"] = json!(["NG", "GH"]);
    call["required_documents"] = json!(["proposal"]);
    let w = World::new(&app)
        .fund()
        .open_call_with(call)
        .donor()
        .received("50000.00")
        .trustees(3)
        .await;
    app.user_with_password("admin", "desk@fund.example", PASSWORD, None);
    app.user_with_password("finance", "first@fund.example", PASSWORD, None);
    app.user_with_password("finance", "second@fund.example", PASSWORD, None);
    app.user_with_password("donor", "gift@lux.example", PASSWORD, Some(w.donor_id()));
    let reviewer = app.user_with_password("reviewer", "rev@fund.example", PASSWORD, None);
    let trustee = app.user_with_password("trustee", "board@fund.example", PASSWORD, None);
    {
        let mut conn = app.pool.get().expect("connection");
        trustfund::auth::store::add_fund(&mut conn, &trustee, w.fund_id()).expect("on the board");
    }
    let proposal = tempfile::Builder::new()
        .prefix("projet-")
        .suffix(".pdf")
        .tempfile()
        .expect("a file to upload");
    std::fs::write(proposal.path(), pdf("Foyer à Kano")).expect("written");

    // the NGO registers in French and confirms its address from the email
    let ngo = Chromium::start(&app, "fr").await;
    ngo.open("/calls").await;
    ngo.follow("a[href='/register']").await;
    ngo.check_page("fr").await;
    ngo.fill("#org_name", "Maison de l’espoir Kano").await;
    ngo.find("#country")
        .await
        .select_by_value("NG")
        .await
        .expect("Nigéria picked by name");
    ngo.fill("#name", "Amina Bello").await;
    ngo.fill("#email", "amina@haven.example").await;
    ngo.fill("#password", PASSWORD).await;
    ngo.follow("form[action='/register'] button").await;
    ngo.check_page("fr").await;
    let mail = app.email_number("amina@haven.example", 1).await;
    assert!(
        mail.decoded.contains("Bonjour Amina Bello"),
        "{}",
        mail.decoded
    );
    ngo.open(&format!("/verify-email?token={}", mail.token()))
        .await;
    ngo.check_page("fr").await;

    // the secretariat verifies the organisation, in English
    let desk = Chromium::start(&app, "en").await;
    desk.sign_in("desk@fund.example", PASSWORD).await;
    desk.open("/organisations/to-verify").await;
    desk.check_page("en").await;
    let admin = app.user_token("admin", None);
    let waiting = app
        .get_as(&admin, "/api/v1/organisations?verified=false")
        .await;
    let haven = waiting.body["items"]
        .as_array()
        .and_then(|orgs| orgs.iter().find(|o| o["name"] == "Maison de l’espoir Kano"))
        .and_then(|o| o["id"].as_str())
        .unwrap_or_else(|| panic!("registered, unverified: {}", waiting.text))
        .to_string();
    desk.follow(&format!(
        "form:has(input[name='organisation_id'][value='{haven}']) button"
    ))
    .await;
    assert!(
        desk.text()
            .await
            .contains("Maison de l’espoir Kano is now verified")
    );
    desk.check_page("en").await;

    // the NGO, in French, from the call to the sent application
    ngo.sign_in("amina@haven.example", PASSWORD).await;
    ngo.check_page("fr").await;
    ngo.open("/calls").await;
    ngo.check_page("fr").await;
    assert!(ngo.text().await.contains("Emergency grants 2027"));
    ngo.follow("form[action$='/apply'] button").await;
    let page = ngo.path().await;
    assert!(page.starts_with("/applications/"), "{page}");
    let id = page.trim_start_matches("/applications/").to_string();
    ngo.check_page("fr").await;
    ngo.fill("#title", "Foyer à Kano").await;
    ngo.fill(
        "#summary",
        "Un foyer sûr et un accompagnement juridique pour les survivantes.",
    )
    .await;
    ngo.fill("#requested_amount", "15000.00").await;
    ngo.fill("#duration_months", "12").await;
    ngo.click("input[name='country_NG']").await;
    ngo.click("input[name='theme_protection.shelter']").await;
    ngo.fill("input[name='count_0']", "30").await;
    ngo.fill("input[name='category_0']", "foyer").await;
    ngo.fill("input[name='amount_0']", "15000.00").await;
    ngo.follow(&format!("form[action='/applications/{id}'] button"))
        .await;
    assert!(
        ngo.path().await.ends_with("done=saved"),
        "{}",
        ngo.text().await
    );
    assert!(ngo.text().await.contains("Votre brouillon est enregistré."));
    ngo.find("#file")
        .await
        .send_keys(&proposal.path().display().to_string())
        .await
        .expect("file chosen");
    ngo.follow("form[enctype='multipart/form-data'] button")
        .await;
    let text = ngo.text().await;
    assert!(text.contains("Le document est joint."), "{text}");
    assert!(text.contains("Tout est prêt"), "{text}");
    ngo.check_page("fr").await;
    ngo.follow("form[action$='/submit'] button").await;
    let text = ngo.text().await;
    assert!(text.contains("Votre demande est envoyée."), "{text}");
    ngo.check_page("fr").await;
    let sent = app
        .get_as(&admin, &format!("/api/v1/applications/{id}"))
        .await;
    assert_eq!(sent.body["status"], "submitted", "{}", sent.text);
    let reference = sent.body["reference"]
        .as_str()
        .expect("reference")
        .to_string();
    assert!(text.contains(&reference));

    // the secretariat screens it, in English
    desk.open("/applications?status=submitted").await;
    desk.check_page("en").await;
    desk.follow(&format!("a[href='/applications/{id}']")).await;
    desk.check_page("en").await;
    desk.click("input[name='eligible'][value='yes']").await;
    desk.follow("form[action$='/screening'] button").await;
    assert!(desk.text().await.contains("The screening is recorded"));
    desk.open(&format!("/applications/{id}")).await;
    desk.find("#reviewer_id")
        .await
        .select_by_value(&reviewer)
        .await
        .expect("the reviewer picked by name");
    desk.follow("form[action$='/assignments'] button").await;
    assert!(desk.text().await.contains("The reviewer is assigned"));
    desk.check_page("en").await;

    // the reviewer declares no conflict, then scores, in French
    let rev = Chromium::start(&app, "fr").await;
    rev.sign_in("rev@fund.example", PASSWORD).await;
    rev.open("/reviews").await;
    rev.check_page("fr").await;
    rev.follow("main a[href^='/reviews/']").await;
    rev.check_page("fr").await;
    rev.click("input[name='conflict'][value='no']").await;
    rev.follow("form[action$='/declare'] button").await;
    rev.check_page("fr").await;
    rev.fill("#score_relevance", "8").await;
    rev.click("input[name='recommendation'][value='fund']")
        .await;
    rev.fill("#comment", "Un projet solide, bien ancré à Kano.")
        .await;
    rev.follow("button[formaction$='/submit']").await;
    rev.check_page("fr").await;

    // a trustee records the board's approval, in Spanish
    let others = w.trustee_list();
    let r = app
        .post_as(
            &admin,
            &format!("/api/v1/funds/{}/board-sessions", w.fund_id()),
            json!({"held_on": chrono::Utc::now().date_naive().to_string(),
                   "trustee_ids": [trustee, others[0].0, others[1].0]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let session = r.body["id"].as_str().expect("session").to_string();
    let board = Chromium::start(&app, "es").await;
    board.sign_in("board@fund.example", PASSWORD).await;
    board.open(&format!("/calls/{}/ranking", w.call_id())).await;
    board.check_page("es").await;
    board.open(&format!("/board-sessions/{session}")).await;
    board.check_page("es").await;
    board
        .find("#application_id")
        .await
        .select_by_value(&id)
        .await
        .expect("the application picked");
    board.click("input[name='outcome'][value='approved']").await;
    board.fill("#approved_amount", "15000.00").await;
    board
        .fill("#rationale", "Bien evaluada y dentro del presupuesto.")
        .await;
    board
        .follow("form[action$='/decisions'] button.primary")
        .await;
    board.check_page("es").await;
    let grants = app
        .get_as(&admin, &format!("/api/v1/grants?fund_id={}", w.fund_id()))
        .await;
    let grant = grants.body["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a grant: {}", grants.text))
        .to_string();
    ngo.open(&format!("/grants/{grant}")).await;
    ngo.check_page("fr").await;
    ngo.follow("form[action$='/sign'] button").await;
    ngo.check_page("fr").await;

    // four eyes on the first instalment
    let first = Chromium::start(&app, "en").await;
    first.sign_in("first@fund.example", PASSWORD).await;
    first.open(&format!("/grants/{grant}")).await;
    first.check_page("en").await;
    first.follow("form[action$='/payments'] button").await;
    first.check_page("en").await;
    let second = Chromium::start(&app, "en").await;
    second.sign_in("second@fund.example", PASSWORD).await;
    second.open("/payments").await;
    second.check_page("en").await;
    second.follow("form[action$='/approve'] button").await;
    second.check_page("en").await;
    let today = chrono::Utc::now().date_naive();
    second
        .set_value("input[name='paid_on']", &today.to_string())
        .await;
    second
        .fill("input[name='reference']", "BANK-2027-0042")
        .await;
    second.follow("form[action$='/pay'] button").await;
    second.check_page("en").await;
    let paid = app.get_as(&admin, &format!("/api/v1/grants/{grant}")).await;
    assert_ne!(paid.body["paid"], "0.00", "{}", paid.text);

    // the NGO reports in Spanish
    let reporter = Chromium::start(&app, "es").await;
    reporter.sign_in("amina@haven.example", PASSWORD).await;
    reporter.open(&format!("/grants/{grant}/report")).await;
    reporter.check_page("es").await;
    reporter
        .set_value(
            "#period_start",
            &(today - chrono::Duration::days(30)).to_string(),
        )
        .await;
    reporter.set_value("#period_end", &today.to_string()).await;
    reporter.fill("input[name='count_0']", "12").await;
    reporter.fill("#people_to_date", "12").await;
    reporter
        .fill("#narrative", "El albergue abrió sus puertas en marzo.")
        .await;
    reporter
        .follow("form[action$='/report'] button.primary")
        .await;
    let text = reporter.text().await;
    assert!(reporter.path().await.contains("reported=1"), "{text}");
    reporter.check_page("es").await;

    // the secretariat accepts it
    desk.open("/reports/to-review").await;
    desk.check_page("en").await;
    desk.follow("main a[href^='/reports/']").await;
    desk.check_page("en").await;
    desk.follow("form[action$='/accept'] button").await;
    desk.check_page("en").await;

    // the donor reads where its money went
    let donor = Chromium::start(&app, "en").await;
    donor.sign_in("gift@lux.example", PASSWORD).await;
    donor.open("/giving").await;
    donor.check_page("en").await;
    let text = donor.text().await;
    assert!(text.contains("50,000.00"), "{text}");

    for browser in [ngo, desk, rev, board, first, second, reporter, donor] {
        browser.quit().await;
    }
}

/// The queues of late work and the assignment form with its due day, in the three
/// languages, pass the page checks (language, messages, axe-core). With
/// `TRUSTFUND_SCREENSHOTS=<folder>` each page is also saved there as a PNG (the README's
/// screenshots come from this walk).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_late_work_queues_in_three_languages() {
    use chrono::{Duration, Utc};
    let app = common::spawn_app(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let w = World::board(&app)
        .under_review("Safe shelter for survivors in Lagos", "15000.00")
        .under_review("Legal aid for survivors in Accra", "9000.00")
        .under_review("A hotline for women in Kumasi", "7000.00")
        .await;
    let apps = w.applications();
    let day = |offset: i64| (Utc::now().date_naive() + Duration::days(offset)).to_string();
    app.execute("UPDATE funds SET name = 'Trust Fund for Victims of Trafficking'");
    let named = |role: &str, email: &str, name: &str, org: Option<&str>| {
        let id = app.user_with_password(role, email, PASSWORD, org);
        app.execute(&format!(
            "UPDATE users SET display_name = '{name}' WHERE id = '{id}'"
        ));
        id
    };
    named("admin", "desk@fund.example", "Amina Okafor", None);
    named("finance", "money@fund.example", "Jean Dupont", None);
    let late = [
        ("grace@review.example", "Grace Mensah", 0, -12),
        ("kwame@review.example", "Kwame Boateng", 1, -5),
        ("lucia@review.example", "Lucía Fernández", 2, -1),
    ];
    for (email, name, application, offset) in late {
        let reviewer = named("reviewer", email, name, None);
        let r = app
            .post_as(
                &w.admin,
                &format!("/api/v1/applications/{}/assignments", apps[application]),
                json!({"reviewer_id": reviewer}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        app.execute(&format!(
            "UPDATE review_assignments SET due_on = '{}', created_at = '{} 09:00:00' WHERE id = '{}'",
            day(offset),
            day(offset - 14),
            r.body["id"].as_str().expect("id")
        ));
    }
    named("reviewer", "ana@review.example", "Ana Sousa", None);
    let trustees: Vec<String> = w.trustee_list().iter().map(|t| t.0.clone()).collect();
    let r = app
        .post_as(
            &w.admin,
            &format!("/api/v1/funds/{}/board-sessions", w.fund_id()),
            json!({"held_on": day(20), "trustee_ids": &trustees[..3]}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let donors = [
        (w.donor_id().to_string(), "30000.00", "12000.00", -40),
        (String::new(), "25000.00", "0", -9),
        (String::new(), "8000.00", "0", -2),
    ];
    for (i, (donor, amount, paid, due)) in donors.into_iter().enumerate() {
        let donor = if donor.is_empty() {
            let name = ["Kingdom of Norway", "Fondation Lumière"][i - 1];
            let r = app
                .post_as(
                    &w.admin,
                    "/api/v1/organisations",
                    json!({"name": name, "kind": if i == 1 { "government" } else { "foundation" },
                           "country": if i == 1 { "NO" } else { "FR" }}),
                )
                .await;
            r.body["id"].as_str().expect("donor").to_string()
        } else {
            donor
        };
        let r = app
            .post_as(
                &w.admin,
                &format!("/api/v1/funds/{}/pledges", w.fund_id()),
                json!({"donor_id": donor, "amount": amount, "currency": "USD",
                       "pledged_on": day(due - 90), "due_on": day(due)}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        if paid != "0" {
            let r = app
                .post_as(
                    &w.admin,
                    &format!("/api/v1/funds/{}/contributions", w.fund_id()),
                    json!({"donor_id": donor, "pledge_id": r.body["id"], "amount": paid,
                           "currency": "USD", "received_on": day(-20), "reference": "LU-7"}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
        }
    }

    let desk = Chromium::start(&app, "en").await;
    desk.client
        .set_window_size(1100, 1100)
        .await
        .expect("window");
    desk.sign_in("desk@fund.example", PASSWORD).await;
    let finance = Chromium::start(&app, "en").await;
    finance.sign_in("money@fund.example", PASSWORD).await;
    for language in ["en", "fr", "es"] {
        desk.open("/home").await;
        desk.follow(&format!("button[name=lang][value={language}]"))
            .await;
        desk.open("/reviews/overdue").await;
        desk.check_page(language).await;
        let text = desk.text().await;
        assert!(text.contains("Grace Mensah"), "{text}");
        shoot(&desk, &format!("overdue-reviews-{language}")).await;
        desk.open("/pledges/overdue").await;
        desk.check_page(language).await;
        assert!(desk.text().await.contains("Kingdom of Norway"));
        shoot(&desk, &format!("overdue-pledges-{language}")).await;
        desk.open(&format!("/applications/{}#reviewers", apps[0]))
            .await;
        desk.check_page(language).await;
        shoot(&desk, &format!("assign-due-{language}")).await;
    }
    finance.open("/pledges/overdue").await;
    finance.check_page("en").await;
    for browser in [desk, finance] {
        browser.quit().await;
    }
}

/// Saves the page `browser` shows as `<name>.png` in `TRUSTFUND_SCREENSHOTS`, when set.
async fn shoot(browser: &Chromium, name: &str) {
    if let Ok(folder) = std::env::var("TRUSTFUND_SCREENSHOTS") {
        let png = browser.client.screenshot().await.expect("screenshot");
        std::fs::write(format!("{folder}/{name}.png"), png).expect("saved");
    }
}
