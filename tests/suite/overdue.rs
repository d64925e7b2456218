//! The queues of late work, and the review's due day they rest on.
//!
//! A review is due on a day set when it is assigned: given through the API or the
//! application page (never past, never on or after the fund's next board session: refused
//! naming `due_on`, beside the field on the page, nothing assigned), else
//! `review.days_to_review` days later. The secretariat's `/reviews/overdue` lists the
//! reviews past that day and still awaited, with the reviewer by name and the days late; a
//! submitted or recused one, or one not yet late, is not listed. `/pledges/overdue` lists
//! for the secretariat and finance the pledges past their due day that still expect money;
//! paid, cancelled and not-yet-due ones are not listed. Other roles get the 403 page; both
//! queues speak French and Spanish. Time passes by moving the stored due days back, as
//! other tests age their rows.

use chrono::{Duration, NaiveDate, Utc};
use reqwest::Method;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use trustfund::money::Currency;
use trustfund::web::format;
use trustfund::web::i18n::Lang;

use crate::common::TestApp;
use crate::common::browser::{Answer, Browser};
use crate::common::transparency;
use crate::common::world::World;

const PASSWORD: &str = "lantern river shelter 42";

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

/// The page as a reader sees it: minijinja writes `/` as `&#x2f;`.
fn plain(answer: &Answer) -> String {
    answer.text.replace("&#x2f;", "/")
}

/// A user with a real password and a name.
fn person(app: &TestApp, role: &str, email: &str, name: &str, org: Option<&str>) -> String {
    let id = app.user_with_password(role, email, PASSWORD, org);
    app.execute(&format!(
        "UPDATE users SET display_name = '{name}' WHERE id = '{id}'"
    ));
    id
}

async fn assign(app: &TestApp, admin: &str, application: &str, body: Value) -> Value {
    let r = app
        .post_as(
            admin,
            &format!("/api/v1/applications/{application}/assignments"),
            body,
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body
}

/// Moves an assignment's due day, as if the days had passed.
fn due(app: &TestApp, assignment: &Value, offset: i64) {
    let id = assignment["id"].as_str().expect("assignment id");
    app.execute(&format!(
        "UPDATE review_assignments SET due_on = '{}' WHERE id = '{id}'",
        day(offset)
    ));
}

async fn signed_in(app: &TestApp, email: &str, language: &'static str) -> Browser {
    let mut browser = Browser::speaking(app, language);
    let answer = browser.sign_in(email, PASSWORD).await;
    assert_eq!(answer.status, 303, "{}", answer.text);
    browser
}

both_backends!(
    a_due_day_is_given_or_defaulted_and_refused_naming_the_field,
    |app: TestApp| async move {
        let w = World::board(&app)
            .under_review("Shelter in Lagos", "15000.00")
            .under_review("Legal aid in Accra", "9000.00")
            .await;
        let apps = w.applications();
        let admin = w.admin.clone();
        let (one, _) = app.user_with_funds("reviewer", None, &[]);
        let (two, _) = app.user_with_funds("reviewer", None, &[]);

        // none given: review.days_to_review (14) days from today
        let a = assign(&app, &admin, &apps[0], json!({"reviewer_id": one})).await;
        assert_eq!(a["due_on"], day(14), "{a}");
        assert_eq!(a["overdue"], false);
        // given: kept, and read back
        let b = assign(
            &app,
            &admin,
            &apps[1],
            json!({"reviewer_id": one, "due_on": day(3)}),
        )
        .await;
        assert_eq!(b["due_on"], day(3));
        let read = app
            .get_as(
                &admin,
                &format!("/api/v1/assignments/{}", b["id"].as_str().expect("id")),
            )
            .await;
        assert_eq!(read.body["due_on"], day(3), "{}", read.text);

        // in the past, or not a day: 422 naming due_on, nothing assigned
        let before = app.count("review_assignments");
        for bad in [
            json!(day(-1)),
            json!("2999-01-01"),
            json!("2027-02-30"),
            json!("soon"),
        ] {
            let r = app
                .post_as(
                    &admin,
                    &format!("/api/v1/applications/{}/assignments", apps[0]),
                    json!({"reviewer_id": two, "due_on": bad}),
                )
                .await;
            assert_eq!(
                r.assert_problem(422, "validation_failed"),
                vec!["due_on"],
                "{bad}: {}",
                r.text
            );
        }
        assert_eq!(app.count("review_assignments"), before);

        // the fund's board meets in ten days: reviews are due before it
        let trustees: Vec<String> = w.trustee_list().iter().map(|t| t.0.clone()).collect();
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{}/board-sessions", w.fund_id()),
                json!({"held_on": day(10), "trustee_ids": &trustees[..3]}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        for late in [10, 12] {
            let r = app
                .post_as(
                    &admin,
                    &format!("/api/v1/applications/{}/assignments", apps[0]),
                    json!({"reviewer_id": two, "due_on": day(late)}),
                )
                .await;
            assert_eq!(r.assert_problem(422, "validation_failed"), vec!["due_on"]);
            assert!(
                r.text.contains(&day(10)),
                "names the board's day: {}",
                r.text
            );
        }
        assert_eq!(app.count("review_assignments"), before);
        let c = assign(&app, &admin, &apps[0], json!({"reviewer_id": two})).await;
        assert_eq!(c["due_on"], day(9), "the eve of the board: {c}");

        // an installation upgraded with assignments already made: due 14 days after
        let id = a["id"].as_str().expect("id");
        app.execute(&format!(
            "UPDATE review_assignments SET created_at = '2026-11-20 09:30:00' WHERE id = '{id}'"
        ));
        app.migrate_again("_review_due");
        let read = app
            .get_as(&admin, &format!("/api/v1/assignments/{id}"))
            .await;
        assert_eq!(read.body["due_on"], "2026-12-04", "{}", read.text);
    }
);

both_backends!(
    the_secretariat_sees_the_reviews_overdue_and_the_reviewer_its_own_late_ones,
    |app: TestApp| async move {
        let w = World::board(&app)
            .under_review("Shelter in Lagos", "15000.00")
            .under_review("Legal aid in Accra", "9000.00")
            .under_review("Hotline in Kumasi", "7000.00")
            .await;
        let apps = w.applications();
        let admin = w.admin.clone();
        let grace = person(
            &app,
            "reviewer",
            "grace@review.example",
            "Grace Mensah",
            None,
        );
        let kwame = person(
            &app,
            "reviewer",
            "kwame@review.example",
            "Kwame Boateng",
            None,
        );
        let tomas = person(&app, "reviewer", "tomas@review.example", "Tomás Ruiz", None);
        let lea = person(&app, "reviewer", "lea@review.example", "Léa Martin", None);
        let ana = person(&app, "reviewer", "ana@review.example", "Ana Sousa", None);
        // Grace: not declared, 5 days late; Kwame: scoring, 2 days late
        let g = assign(&app, &admin, &apps[0], json!({"reviewer_id": grace})).await;
        due(&app, &g, -5);
        let k = assign(&app, &admin, &apps[1], json!({"reviewer_id": kwame})).await;
        let kwame_token = app.login("kwame@review.example", PASSWORD).await.body["access_token"]
            .as_str()
            .expect("token")
            .to_string();
        let k_id = k["id"].as_str().expect("id");
        let r = app
            .post_as(
                &kwame_token,
                &format!("/api/v1/assignments/{k_id}/conflict"),
                json!({"has_conflict": false}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        due(&app, &k, -2);
        // Tomás submitted, late or not; Léa declared a conflict; Ana due today and later
        let t = assign(&app, &admin, &apps[1], json!({"reviewer_id": tomas})).await;
        let tomas_token = app.login("tomas@review.example", PASSWORD).await.body["access_token"]
            .as_str()
            .expect("token")
            .to_string();
        let t_id = t["id"].as_str().expect("id");
        for (method, path, body) in [
            (
                Method::POST,
                format!("/api/v1/assignments/{t_id}/conflict"),
                json!({"has_conflict": false}),
            ),
            (
                Method::PUT,
                format!("/api/v1/assignments/{t_id}/review"),
                json!({"scores": {"relevance": 7}, "comment": "ok",
                       "recommendation": "fund"}),
            ),
            (
                Method::POST,
                format!("/api/v1/assignments/{t_id}/submit"),
                json!({}),
            ),
        ] {
            let r = app
                .request_as(&tomas_token, method, &path, Some(body), &[])
                .await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
        }
        due(&app, &t, -9);
        let l = assign(&app, &admin, &apps[0], json!({"reviewer_id": lea})).await;
        let lea_token = app.login("lea@review.example", PASSWORD).await.body["access_token"]
            .as_str()
            .expect("token")
            .to_string();
        let r = app
            .post_as(
                &lea_token,
                &format!(
                    "/api/v1/assignments/{}/conflict",
                    l["id"].as_str().expect("id")
                ),
                json!({"has_conflict": true, "statement": "I advised them last year."}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        due(&app, &l, -9);
        let a = assign(
            &app,
            &admin,
            &apps[2],
            json!({"reviewer_id": ana, "due_on": day(0)}),
        )
        .await;
        assign(
            &app,
            &admin,
            &apps[0],
            json!({"reviewer_id": ana, "due_on": day(3)}),
        )
        .await;

        // the API says which are overdue
        for (assignment, late) in [
            (&g, true),
            (&k, true),
            (&t, false),
            (&l, false),
            (&a, false),
        ] {
            let id = assignment["id"].as_str().expect("id");
            let read = app
                .get_as(&admin, &format!("/api/v1/assignments/{id}"))
                .await;
            assert_eq!(read.body["overdue"], late, "{}", read.text);
        }

        // the secretariat's queue, in English: the longest late first
        person(&app, "admin", "desk@fund.example", "Desk", None);
        let mut desk = signed_in(&app, "desk@fund.example", "en").await;
        let home = desk.get("/home").await;
        assert!(
            plain(&home).contains("href=\"/reviews/overdue\""),
            "{}",
            home.text
        );
        assert!(plain(&home).contains("href=\"/pledges/overdue\""));
        let queue = desk.get("/reviews/overdue").await;
        assert_eq!(queue.status, 200, "{}", queue.text);
        let page = plain(&queue);
        let at = |what: &str| {
            page.find(what)
                .unwrap_or_else(|| panic!("{what} not in {page}"))
        };
        assert!(at("Grace Mensah") < at("Kwame Boateng"), "oldest first");
        assert!(at("Shelter in Lagos") < at("Grace Mensah"));
        assert!(page.contains("5 days late") && page.contains("2 days late"));
        assert!(page.contains(&format!("href=\"/applications/{}#reviewers\"", apps[0])));
        assert!(page.contains(&format::date(today() - Duration::days(5), Lang::En)));
        for absent in ["Tomás Ruiz", "Léa Martin", "Ana Sousa", "Hotline in Kumasi"] {
            assert!(!page.contains(absent), "{absent} listed: {page}");
        }

        // in French and Spanish
        for (language, late) in [("fr", "5 jours de retard"), ("es", "5 días de atraso")] {
            desk.jar.insert("lang".into(), language.into());
            let q = desk.get("/reviews/overdue").await;
            assert_eq!(q.status, 200, "{}", q.text);
            assert!(q.text.contains(late), "{language}: {}", q.text);
            assert!(q.text.contains("Grace Mensah"));
            assert!(q.text.contains(&format!("lang=\"{language}\"")));
        }

        // the reviewer's own list says it is late
        let mut own = signed_in(&app, "grace@review.example", "en").await;
        let list = own.get("/reviews").await;
        assert!(list.text.contains("5 days late"), "{}", list.text);
        let one = own
            .get(&format!("/reviews/{}", g["id"].as_str().expect("id")))
            .await;
        assert!(one.text.contains("late: was due"), "{}", one.text);
        assert!(
            list.text
                .contains(&format::date(today() - Duration::days(5), Lang::En))
        );
        // and the application page says who is late
        desk.jar.insert("lang".into(), "en".into());
        let app_page = desk.get(&format!("/applications/{}", apps[0])).await;
        assert!(app_page.text.contains("late: was due"), "{}", app_page.text);

        // nobody else reads the queue
        let org = w.org_id().to_string();
        let donor = w.donor_id().to_string();
        person(&app, "ngo", "ngo@haven.example", "NGO", Some(&org));
        person(&app, "donor", "donor@lux.example", "Donor", Some(&donor));
        person(&app, "finance", "money@fund.example", "Finance", None);
        for email in [
            "ngo@haven.example",
            "donor@lux.example",
            "grace@review.example",
            "money@fund.example",
        ] {
            let mut b = signed_in(&app, email, "en").await;
            let refused = b.get("/reviews/overdue").await;
            assert_eq!(refused.status, 403, "{email}: {}", refused.text);
            assert!(!refused.text.contains("Kwame Boateng"));
            let home = b.get("/home").await;
            assert!(!plain(&home).contains("/reviews/overdue"), "{email}");
        }
        let mut anonymous = Browser::new(&app);
        let away = anonymous.get("/reviews/overdue").await;
        assert_eq!(away.location.as_deref(), Some("/login"));
    }
);

both_backends!(
    the_assignment_form_offers_the_default_day_and_says_a_refused_one_beside_it,
    |app: TestApp| async move {
        let w = World::board(&app)
            .under_review("Shelter in Lagos", "15000.00")
            .await;
        let application = w.application_id().to_string();
        let reviewer = person(&app, "reviewer", "lee@fund.example", "Lee Chen", None);
        person(&app, "admin", "mesa@fund.example", "Mesa", None);
        let mut desk = signed_in(&app, "mesa@fund.example", "fr").await;
        let path = format!("/applications/{application}");
        let page = desk.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(page.field("due_on"), day(14), "prefilled with the default");
        assert!(page.text.contains("À rendre") || page.text.contains("à rendre"));

        let before = app.count("review_assignments");
        for (typed, words) in [
            (day(-2), "Choisissez un jour du"),
            ("le mois prochain".to_string(), "Indiquez une date"),
        ] {
            let refused = desk
                .post(
                    &format!("{path}/assignments"),
                    &[
                        ("csrf", &page.csrf()),
                        ("reviewer_id", &reviewer),
                        ("due_on", &typed),
                    ],
                )
                .await;
            assert_eq!(refused.status, 422, "{}", refused.text);
            let beside = refused.error_beside("due_on").unwrap_or_default();
            assert!(beside.contains(words), "{typed}: {}", refused.text);
            assert_eq!(refused.field("due_on"), typed, "what was typed is kept");
            assert_eq!(app.count("review_assignments"), before, "nothing assigned");
        }

        let done = desk
            .post(
                &format!("{path}/assignments"),
                &[
                    ("csrf", &page.csrf()),
                    ("reviewer_id", &reviewer),
                    ("due_on", &day(6)),
                ],
            )
            .await;
        assert_eq!(done.status, 303, "{}", done.text);
        let listed = app
            .get_as(
                &w.admin,
                &format!("/api/v1/assignments?application_id={application}"),
            )
            .await;
        assert_eq!(listed.body["items"][0]["due_on"], day(6), "{}", listed.text);
        let page = desk.get(&path).await;
        let shown = format::date(today() + Duration::days(6), Lang::Fr);
        assert!(
            page.text.contains(&format!("à rendre le {shown}")),
            "{}",
            page.text
        );
    }
);

fn usd(amount: &str, lang: Lang) -> String {
    let value: Decimal = amount.parse().expect("decimal");
    format::money(value, Currency::parse("USD").expect("USD"), lang)
}

both_backends!(
    pledges_overdue_are_listed_for_the_secretariat_and_finance,
    |app: TestApp| async move {
        let w = World::board(&app).await;
        let admin = w.admin.clone();
        let fund = w.fund_id().to_string();
        let luxembourg = w.donor_id().to_string();
        let r = app
            .post_as(
                &admin,
                "/api/v1/organisations",
                json!({"name": "Kingdom of Norway", "kind": "government", "country": "NO"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let norway = r.body["id"].as_str().expect("id").to_string();
        let pledge = |donor: &str, amount: &str, due: Option<i64>| {
            let mut body = json!({"donor_id": donor, "amount": amount, "currency": "USD",
                                  "pledged_on": day(-60)});
            if let Some(offset) = due {
                body["due_on"] = json!(day(offset));
            }
            let (admin, fund, app) = (admin.clone(), fund.clone(), &app);
            async move {
                let r = app
                    .post_as(&admin, &format!("/api/v1/funds/{fund}/pledges"), body)
                    .await;
                assert_eq!(r.status, 201, "{}", r.text);
                r.body["id"].as_str().expect("id").to_string()
            }
        };
        // late: Luxembourg partly paid, 10 days; Norway nothing paid, 30 days
        let partly = pledge(&luxembourg, "20000.00", Some(-10)).await;
        transparency::contribution(
            &app,
            &admin,
            &fund,
            &luxembourg,
            json!({"amount": "5000.00", "currency": "USD", "pledge_id": partly}),
        )
        .await;
        pledge(&norway, "8000.00", Some(-30)).await;
        // not late: paid, cancelled, due today, due later, no due day
        let paid = pledge(&luxembourg, "3333.00", Some(-20)).await;
        transparency::contribution(
            &app,
            &admin,
            &fund,
            &luxembourg,
            json!({"amount": "3333.00", "currency": "USD", "pledge_id": paid}),
        )
        .await;
        let cancelled = pledge(&norway, "4444.00", Some(-15)).await;
        let r = app
            .post_as(
                &admin,
                &format!("/api/v1/pledges/{cancelled}/cancel"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        pledge(&norway, "5555.00", Some(0)).await;
        pledge(&norway, "6666.00", Some(5)).await;
        pledge(&luxembourg, "7777.00", None).await;

        person(&app, "finance", "money@fund.example", "Finance", None);
        person(&app, "admin", "desk@fund.example", "Desk", None);
        let mut finance = signed_in(&app, "money@fund.example", "en").await;
        let mut desk = signed_in(&app, "desk@fund.example", "fr").await;
        for (who, lang, language, late) in [
            ("finance", Lang::En, "en", "30 days late"),
            ("desk", Lang::Fr, "fr", "30 jours de retard"),
            ("finance", Lang::Es, "es", "30 días de atraso"),
        ] {
            let b = if who == "desk" {
                &mut desk
            } else {
                &mut finance
            };
            b.jar.insert("lang".into(), language.into());
            let email = who;
            let home = b.get("/home").await;
            assert!(
                plain(&home).contains("href=\"/pledges/overdue\""),
                "{email}"
            );
            let queue = b.get("/pledges/overdue").await;
            assert_eq!(queue.status, 200, "{}", queue.text);
            let page = plain(&queue);
            let at = |what: &str| {
                page.find(what)
                    .unwrap_or_else(|| panic!("{language}: {what} not in {page}"))
            };
            assert!(
                at("Kingdom of Norway") < at("Luxembourg"),
                "oldest due first"
            );
            assert!(page.contains(late), "{language}: {page}");
            assert!(page.contains("Board fund"));
            for figure in ["20000.00", "15000.00", "8000.00"] {
                assert!(page.contains(&usd(figure, lang)), "{language}: {figure}");
            }
            assert!(page.contains(&format::date(today() - Duration::days(10), lang)));
            for absent in ["3333.00", "4444.00", "5555.00", "6666.00", "7777.00"] {
                assert!(
                    !page.contains(&usd(absent, lang)),
                    "{language}: {absent} listed"
                );
            }
            assert!(page.contains(&format!("href=\"/giving?donor={norway}\"")));
        }

        // nobody else reads it
        let org = app
            .post_as(
                &admin,
                "/api/v1/organisations",
                json!({"name": "Safe Haven", "kind": "ngo", "country": "NG", "verified": true}),
            )
            .await;
        let org = org.body["id"].as_str().expect("id").to_string();
        person(&app, "ngo", "ngo@haven.example", "NGO", Some(&org));
        person(
            &app,
            "donor",
            "donor@lux.example",
            "Donor",
            Some(&luxembourg),
        );
        person(&app, "reviewer", "rev@fund.example", "Reviewer", None);
        person(&app, "trustee", "board@fund.example", "Trustee", None);
        for email in [
            "ngo@haven.example",
            "donor@lux.example",
            "rev@fund.example",
            "board@fund.example",
        ] {
            let mut b = signed_in(&app, email, "es").await;
            let refused = b.get("/pledges/overdue").await;
            assert_eq!(refused.status, 403, "{email}: {}", refused.text);
            assert!(!refused.text.contains("Norway"));
            let home = b.get("/home").await;
            assert!(!plain(&home).contains("/pledges/overdue"), "{email}");
        }
    }
);
