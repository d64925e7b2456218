//! Outcome reports on pages: the secretariat's queue, a report read in Spanish, returned
//! without a comment (said beside the field, nothing changed), accepted once (a second
//! click from the same form changes nothing), its narrative cleared for donors, who until
//! then see the figures only; another organisation gets a 404.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::common::TestApp;
use crate::common::browser::Browser;
use crate::common::world::World;

const PASSWORD: &str = "lantern river shelter 42";

/// The report's status and whether its narrative is cleared, as the API says.
async fn status(app: &TestApp, admin: &str, report: &str) -> (String, Option<bool>) {
    let r = app
        .get_as(admin, &format!("/api/v1/reports/{report}"))
        .await;
    (
        r.body["status"].as_str().unwrap_or("").to_string(),
        r.body["narrative_cleared"].as_bool(),
    )
}

both_backends!(
    the_secretariat_reviews_a_report_on_the_pages,
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
        let today = Utc::now().date_naive();
        let r = app
            .post_as(
                w.ngo_token(),
                &format!("/api/v1/grants/{grant}/reports"),
                json!({
                    "kind": "interim",
                    "period_start": (today - Duration::days(60)).to_string(),
                    "period_end": today.to_string(),
                    "narrative": "The shelter opened its doors in March.",
                    "people_reached_to_date": 14,
                    "beneficiaries": [
                        {"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 11},
                        {"sex": "male", "age_group": "child", "exploitation": "begging", "count": 3}
                    ],
                    "services": [{"service": "shelter", "count": 14}],
                    "expenditure": [{"category": "shelter", "amount": "900.00"}]
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let report = r.body["id"].as_str().expect("id").to_string();
        let path = format!("/reports/{report}");
        let admin = w.to_board().admin;
        app.user_with_password("admin", "desk@fund.example", PASSWORD, None);
        let mut desk = Browser::speaking(&app, "es");
        desk.sign_in("desk@fund.example", PASSWORD).await;
        let queue = desk.get("/reports/to-review").await;
        assert_eq!(queue.status, 200, "{}", queue.text);
        assert!(
            queue.text.replace("&#x2f;", "/").contains(&path),
            "{}",
            queue.text
        );
        let page = desk.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("Mujeres y niñas"));
        assert!(page.text.contains("Alojamiento"));
        assert!(page.text.contains("The shelter opened its doors in March."));
        // the secretariat sees the small count as it is
        assert!(page.text.contains("<td>3</td>"), "{}", page.text);
        let (csrf, version) = (page.csrf(), page.field("version"));

        // a return without a comment: said beside the field, nothing changed
        let bare = desk
            .post(
                &format!("{path}/return"),
                &[("csrf", &csrf), ("version", &version), ("comment", "  ")],
            )
            .await;
        assert_eq!(bare.status, 422, "{}", bare.text);
        assert!(bare.error_beside("comment").is_some(), "{}", bare.text);
        let forged = desk
            .post(&format!("{path}/accept"), &[("version", &version)])
            .await;
        assert_eq!(forged.status, 403);
        assert_eq!(status(&app, &admin, &report).await.0, "submitted");

        // a donor sees the figures, small ones withheld, and not the text yet
        app.user_with_password("donor", "desk@donor.example", PASSWORD, Some(w.donor_id()));
        let mut donor = Browser::new(&app);
        donor.sign_in("desk@donor.example", PASSWORD).await;
        let seen = donor.get(&path).await;
        assert_eq!(seen.status, 200, "{}", seen.text);
        assert!(!seen.text.contains("opened its doors"));
        assert!(seen.text.contains("&lt;5"));
        assert!(!seen.text.contains("Accept this report"));

        // accepted once
        let accepted = desk
            .post(
                &format!("{path}/accept"),
                &[("csrf", &csrf), ("version", &version)],
            )
            .await;
        assert_eq!(accepted.status, 303, "{}", accepted.text);
        assert_eq!(status(&app, &admin, &report).await.0, "accepted");
        let again = desk
            .post(
                &format!("{path}/accept"),
                &[("csrf", &csrf), ("version", &version)],
            )
            .await;
        assert_eq!(again.status, 409, "{}", again.text);
        assert!(again.text.contains("No se hizo nada"));
        assert!(
            desk.get("/reports/to-review")
                .await
                .text
                .contains("No hay ningún informe")
        );

        // the narrative cleared for donors
        let page = desk.get(&path).await;
        let cleared = desk
            .post(
                &format!("{path}/clear"),
                &[("csrf", &page.csrf()), ("version", &page.field("version"))],
            )
            .await;
        assert_eq!(cleared.status, 303, "{}", cleared.text);
        assert_eq!(status(&app, &admin, &report).await.1, Some(true));
        assert!(donor.get(&path).await.text.contains("opened its doors"));

        // another NGO: not found; the grantee reads its own report without the steps
        let other = World::new(&app).ngo().await;
        app.user_with_password(
            "ngo",
            "someone@else.example",
            PASSWORD,
            Some(other.org_id()),
        );
        let mut stranger = Browser::new(&app);
        stranger.sign_in("someone@else.example", PASSWORD).await;
        assert_eq!(stranger.get(&path).await.status, 404);
        app.user_with_password("ngo", "director@lagos.example", PASSWORD, Some(w.org_id()));
        let mut grantee = Browser::new(&app);
        grantee.sign_in("director@lagos.example", PASSWORD).await;
        let own = grantee.get(&path).await;
        assert_eq!(own.status, 200);
        assert!(!own.text.contains("Accept this report"));
        assert_eq!(grantee.get("/reports/to-review").await.status, 403);
    }
);

both_backends!(
    the_grantee_sends_a_report_in_spanish_on_the_page_once,
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
        let admin = w.to_board().admin;
        app.user_with_password("ngo", "director@lagos.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::speaking(&app, "es");
        ngo.sign_in("director@lagos.example", PASSWORD).await;
        let page = ngo.get(&format!("/grants/{grant}")).await;
        assert!(page.text.contains("Enviar un informe"), "{}", page.text);
        let path = format!("/grants/{grant}/report");
        let form = ngo.get(&path).await;
        assert_eq!(form.status, 200, "{}", form.text);
        assert!(form.text.contains("Mujeres y niñas") && form.text.contains("Alojamiento"));
        let (csrf, once) = (form.csrf(), form.field("once"));
        let today = Utc::now().date_naive();
        let start = (today - Duration::days(60)).to_string();
        let end = today.to_string();
        let fields = |start: &str, end: &str, count: &str, narrative: &str| {
            vec![
                ("csrf".to_string(), csrf.clone()),
                ("once".to_string(), once.clone()),
                ("kind".to_string(), "interim".to_string()),
                ("period_start".to_string(), start.to_string()),
                ("period_end".to_string(), end.to_string()),
                ("sex_0".to_string(), "female".to_string()),
                ("age_0".to_string(), "adult".to_string()),
                ("form_0".to_string(), "sexual".to_string()),
                ("count_0".to_string(), count.to_string()),
                ("sex_1".to_string(), "male".to_string()),
                ("age_1".to_string(), "child".to_string()),
                ("form_1".to_string(), "begging".to_string()),
                ("count_1".to_string(), String::new()),
                ("people_to_date".to_string(), "9".to_string()),
                ("service_shelter".to_string(), "9".to_string()),
                ("line_0".to_string(), "shelter".to_string()),
                ("spent_0".to_string(), "1250.00".to_string()),
                ("narrative".to_string(), narrative.to_string()),
            ]
        };

        // a period ending before it starts and a count that is not a number: said beside
        // their parts, what was typed kept, nothing sent
        let bad = fields(&end, &start, "nueve", "The shelter opened.");
        let refs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let refused = ngo.post(&path, &refs).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(
            refused.error_beside("period").is_some()
                && refused.error_beside("beneficiaries").is_some(),
            "{}",
            refused.text
        );
        assert!(
            refused.text.contains("The shelter opened."),
            "typed text kept"
        );
        assert!(refused.text.contains("value=\"nueve\""));
        // personal data in the text: refused, quoting what to remove
        let personal = fields(&start, &end, "9", "Call our survivor on +234 803 555 0199.");
        let refs: Vec<(&str, &str)> = personal
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let refused = ngo.post(&path, &refs).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(
            refused.error_beside("narrative").is_some(),
            "{}",
            refused.text
        );
        let listed = app
            .get_as(&admin, &format!("/api/v1/grants/{grant}/reports"))
            .await;
        assert_eq!(
            listed.body["items"].as_array().map(Vec::len),
            Some(0),
            "{}",
            listed.text
        );

        // sent, twice with the same form (a retry): one report
        let good = fields(&start, &end, "9", "The shelter opened its doors.");
        let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        for _ in 0..2 {
            let sent = ngo.post(&path, &refs).await;
            assert_eq!(sent.status, 303, "{}", sent.text);
            assert_eq!(
                sent.location.as_deref(),
                Some(format!("/grants/{grant}?reported=1").as_str())
            );
        }
        let listed = app
            .get_as(&admin, &format!("/api/v1/grants/{grant}/reports"))
            .await;
        let items = listed.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{}", listed.text);
        assert_eq!(items[0]["status"], "submitted");
        assert_eq!(items[0]["beneficiaries"][0]["count"], 9);
        assert_eq!(items[0]["expenditure"][0]["amount"], "1250.00");
        let page = ngo.get(&format!("/grants/{grant}?reported=1")).await;
        assert!(page.text.contains("Gracias: su informe está enviado"));

        // another NGO cannot open the form; finance sends no reports
        let other = World::new(&app).ngo().await;
        app.user_with_password(
            "ngo",
            "someone@else.example",
            PASSWORD,
            Some(other.org_id()),
        );
        let mut stranger = Browser::new(&app);
        stranger.sign_in("someone@else.example", PASSWORD).await;
        assert_eq!(stranger.get(&path).await.status, 404);
        app.user_with_password("finance", "money@fund.example", PASSWORD, None);
        let mut finance = Browser::new(&app);
        finance.sign_in("money@fund.example", PASSWORD).await;
        assert_eq!(finance.get(&path).await.status, 403);
    }
);
