//! Staff told when work arrives: a finance officer hears of a payment another officer
//! requested, in the language it chose on the pages, in one email per hour at most that
//! groups what arrived, never for its own request, never an empty one, and once however
//! many instances run the job; the secretariat hears of a report a grantee sent.

use chrono::{Duration, NaiveDateTime, Utc};
use serde_json::json;

use crate::common::TestApp;
use crate::common::browser::Browser;
use crate::common::world::World;

const PASSWORD: &str = "lantern river shelter 42";

fn run_notices(app: &TestApp, now: NaiveDateTime) -> usize {
    let mut conn = app.pool.get().expect("connection");
    trustfund::work::run_once(&mut conn, now, &app.settings.staff, &app.settings.email)
        .expect("notices")
}

async fn token_of(app: &TestApp, email: &str) -> String {
    let r = app.login(email, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["access_token"].as_str().expect("token").to_string()
}

async fn request(
    app: &TestApp,
    token: &str,
    grant: &str,
    instalment: &str,
    amount: &str,
) -> String {
    let r = app
        .post_as(
            token,
            &format!("/api/v1/grants/{grant}/disbursements"),
            json!({"instalment_id": instalment, "amount": amount}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

both_backends!(
    staff_hear_of_new_work_grouped_at_most_hourly_in_their_language,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00")
            .application("Shelter in Lagos", "15000.00")
            .submitted()
            .screened()
            .grant("15000.00")
            .signed()
            .await;
        let grant = w.grant_id().to_string();
        let instalment = w.grant_json()["instalments"][0]["id"]
            .as_str()
            .expect("instalment")
            .to_string();
        app.user_with_password("finance", "first@fund.example", PASSWORD, None);
        app.user_with_password("finance", "second@fund.example", PASSWORD, None);
        app.user_with_password("admin", "desk@fund.example", PASSWORD, None);
        // the second officer chooses French on the pages: its emails follow
        let mut second = Browser::new(&app);
        second.sign_in("second@fund.example", PASSWORD).await;
        let home = second.get("/home").await;
        let switched = second
            .post(
                "/language",
                &[("csrf", &home.csrf()), ("lang", "fr"), ("back", "/home")],
            )
            .await;
        assert_eq!(switched.status, 303);

        let first = token_of(&app, "first@fund.example").await;
        request(&app, &first, &grant, &instalment, "1000.00").await;
        let t1 = Utc::now().naive_utc();
        run_notices(&app, t1);
        app.drain_outbox().await;
        let to_second = app.emails_to("second@fund.example");
        assert_eq!(to_second.len(), 1);
        assert!(
            to_second[0].decoded.contains(
                "1 versement demandé par un autre responsable financier attend votre approbation"
            ),
            "{}",
            to_second[0].decoded
        );
        assert!(to_second[0].decoded.contains("/payments"));
        // never told of one's own request; the secretariat hears nothing of payments
        assert!(app.emails_to("first@fund.example").is_empty());
        assert!(app.emails_to("desk@fund.example").is_empty());

        // more work within the hour: grouped into the next notice, not sent at once
        request(&app, &first, &grant, &instalment, "500.00").await;
        request(&app, &first, &grant, &instalment, "250.00").await;
        run_notices(&app, t1 + Duration::minutes(10));
        app.drain_outbox().await;
        assert_eq!(app.emails_to("second@fund.example").len(), 1);
        run_notices(&app, t1 + Duration::minutes(61));
        app.drain_outbox().await;
        let to_second = app.emails_to("second@fund.example");
        assert_eq!(to_second.len(), 2);
        assert!(
            to_second[1].decoded.contains("2 versements demandés"),
            "{}",
            to_second[1].decoded
        );
        // nothing new: nothing sent
        run_notices(&app, t1 + Duration::minutes(130));
        app.drain_outbox().await;
        assert_eq!(app.emails_to("second@fund.example").len(), 2);

        // four instances at once: one notice
        let later = request(&app, &first, &grant, &instalment, "100.00").await;
        let at = t1 + Duration::minutes(200);
        app.execute(&format!(
            "UPDATE disbursements SET requested_at = '{}' WHERE id = '{later}'",
            (at - Duration::minutes(1)).format("%Y-%m-%d %H:%M:%S%.6f")
        ));
        crate::common::race_threads(4, || run_notices(&app, at));
        app.drain_outbox().await;
        assert_eq!(app.emails_to("second@fund.example").len(), 3);
        assert_eq!(
            app.count("work_notices WHERE user_id IN (SELECT id FROM users WHERE email = 'second@fund.example')"),
            3
        );

        // the secretariat hears of a report a grantee sent, in English by default
        let r = app
            .post_as(
                w.ngo_token(),
                &format!("/api/v1/grants/{grant}/reports"),
                json!({
                    "kind": "interim",
                    "period_start": (Utc::now().date_naive() - Duration::days(30)).to_string(),
                    "period_end": Utc::now().date_naive().to_string(),
                    "narrative": "The shelter opened.",
                    "people_reached_to_date": 12,
                    "beneficiaries": [
                        {"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 12}
                    ],
                    "expenditure": [{"category": "shelter", "amount": "900.00"}]
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        run_notices(&app, Utc::now().naive_utc());
        app.drain_outbox().await;
        let to_desk = app.emails_to("desk@fund.example");
        assert_eq!(to_desk.len(), 1);
        assert!(
            to_desk[0]
                .decoded
                .contains("1 report from a grantee waits for your review"),
            "{}",
            to_desk[0].decoded
        );
    }
);
