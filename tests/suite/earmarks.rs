//! Earmarks honoured, over HTTP on both backends: an approval takes money earmarked for its
//! countries or themes first, then unrestricted money, never money earmarked for something
//! else (409 `insufficient_funds` naming the short pot, nothing changed); racing approvals
//! never spend one earmark twice; money a grant gives back returns where it was taken; a
//! contribution's earmark is checked against its pledge's; the donor reads what each
//! earmarked contribution funded.

use crate::common;

use chrono::Utc;
use common::TestApp;
use common::board::*;
use common::world::default_application;
use serde_json::{Value, json};

fn today() -> String {
    Utc::now().date_naive().to_string()
}

/// Records `amount` USD from the board's donor, earmarked or not; returns the reply.
async fn contribute(
    app: &TestApp,
    b: &Board,
    amount: &str,
    earmark: Option<&str>,
) -> common::Reply {
    let mut body = json!({
        "donor_id": b.donor_id, "amount": amount, "currency": "USD",
        "received_on": today(),
        "reference": format!("BANK-{}", uuid::Uuid::new_v4().simple()),
    });
    if let Some(earmark) = earmark {
        body["earmark"] = json!(earmark);
    }
    app.post_as(
        &b.admin,
        &format!("/api/v1/funds/{}/contributions", b.fund_id),
        body,
    )
    .await
}

async fn earmarked(app: &TestApp, b: &Board, amount: &str, earmark: &str) -> String {
    let r = contribute(app, b, amount, Some(earmark)).await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["earmark"], earmark);
    r.body["id"].as_str().expect("id").to_string()
}

/// An application for these countries and themes, under review.
async fn for_place(
    app: &TestApp,
    b: &Board,
    countries: &[&str],
    themes: &[&str],
    amount: &str,
) -> String {
    let mut content = default_application("Project", amount);
    content["countries"] = json!(countries);
    content["themes"] = json!(themes);
    under_review_with(app, b, content).await
}

fn pot<'a>(status: &'a Value, earmark: &str) -> &'a Value {
    status["earmarks"]
        .as_array()
        .expect("earmarks")
        .iter()
        .find(|e| e["earmark"] == earmark)
        .unwrap_or_else(|| panic!("no {earmark} in {status}"))
}

/// What the restricted money and the draws hold, to compare before and after a refusal.
fn money_rows(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        app.count("grants"),
        app.count("grant_draws"),
        app.count("ledger_entries"),
        app.count("restricted_funds WHERE remaining_minor = amount_minor"),
    )
}

both_backends!(
    an_approval_uses_money_earmarked_for_its_place_or_theme_and_never_money_meant_for_another,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "10000.00").await; // 8,700.00 unrestricted
        earmarked(&app, &b, "20000.00", "KH").await; // 17,400.00 for Cambodia

        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["available"], "26100.00");
        assert_eq!(figures["available_unrestricted"], "8700.00");
        assert_eq!(pot(&figures, "KH")["available"], "17400.00");

        // a shelter in Nigeria cannot use the money given for Cambodia
        let nigeria = for_place(&app, &b, &["NG"], &["protection.shelter"], "12000.00").await;
        let s = session(&app, &b, 3).await;
        let before = money_rows(&app);
        let r = decide(&app, &b.admin, &s, approve(&nigeria, "12000.00")).await;
        let fields = r.assert_problem(409, "insufficient_funds");
        assert_eq!(fields, vec!["approved_amount"]);
        let detail = r.body["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains("unrestricted money is 3300.00 USD short"),
            "{detail}"
        );
        assert!(
            detail.contains("17400.00 USD more is earmarked for other purposes (KH)"),
            "{detail}"
        );
        assert_eq!(
            money_rows(&app),
            before,
            "a refused approval changes nothing"
        );
        assert_eq!(status(&app, &b.admin, &nigeria).await, "under_review");

        // money for protection serves a shelter: it is used first, then unrestricted money
        let protection = earmarked(&app, &b, "5000.00", "protection").await; // 4,350.00
        let r = decide(&app, &b.admin, &s, approve(&nigeria, "12000.00")).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["committed"], "12000.00");
        assert_eq!(figures["available"], "18450.00");
        assert_eq!(figures["available_unrestricted"], "1050.00");
        assert_eq!(pot(&figures, "protection")["drawn"], "4350.00");
        assert_eq!(pot(&figures, "protection")["available"], "0.00");
        assert_eq!(pot(&figures, "KH")["available"], "17400.00");

        // a project in Cambodia draws on Cambodia's money and leaves the unrestricted alone
        let cambodia = for_place(&app, &b, &["KH"], &["prevention.awareness"], "17000.00").await;
        let r = decide(&app, &b.admin, &s, approve(&cambodia, "17000.00")).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let cambodia_grant = r.body["grant_id"].as_str().expect("grant").to_string();
        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["available_unrestricted"], "1050.00");
        assert_eq!(pot(&figures, "KH")["available"], "400.00");

        // the donor reads what each earmarked contribution paid for
        let donor = app.user_token_with_funds("donor", Some(&b.donor_id), &[]);
        let r = app
            .get_as(
                &donor,
                &format!(
                    "/api/v1/organisations/{}/earmarked-contributions?fund_id={}",
                    b.donor_id, b.fund_id
                ),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let list = r.body.as_array().expect("list");
        assert_eq!(list.len(), 2);
        let theirs = list
            .iter()
            .find(|c| c["contribution_id"] == protection.as_str())
            .expect("the protection contribution");
        assert_eq!(theirs["restricted"], "4350.00");
        assert_eq!(theirs["available"], "0.00");
        assert_eq!(theirs["funded"][0]["amount"], "4350.00");
        assert!(theirs["funded"][0]["grantee"].is_string());
        // and the JSON statement says the same beside its lines
        let r = app
            .get_as(
                &donor,
                &format!(
                    "/api/v1/organisations/{}/statement?fund_id={}",
                    b.donor_id, b.fund_id
                ),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            &r.body["earmarked"],
            &serde_json::Value::Array(list.clone())
        );
        // another organisation's member sees nothing of it
        let stranger = app.user_token_with_funds("donor", Some(&b.org_id), &[]);
        let r = app
            .get_as(
                &stranger,
                &format!(
                    "/api/v1/organisations/{}/earmarked-contributions",
                    b.donor_id
                ),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.text);

        // ending the Cambodian grant unpaid gives its money back to Cambodia's pot
        let r = app
            .post_as(
                &b.ngo,
                &format!("/api/v1/grants/{cambodia_grant}/sign"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/grants/{cambodia_grant}/terminate"),
                json!({"reason": "the partner closed"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let figures = fund_status(&app, &b).await;
        assert_eq!(pot(&figures, "KH")["available"], "17400.00");
        assert_eq!(figures["available_unrestricted"], "1050.00");
        assert_eq!(figures["available"], "18450.00");
    }
);

both_backends!(
    racing_approvals_never_spend_one_earmark_twice,
    |app: TestApp| async move {
        let b = board(&app).await;
        earmarked(&app, &b, "50000.00", "NG").await; // 43,500.00 for Nigeria, nothing else
        let mut applications = Vec::new();
        for i in 0..8 {
            let place = if i % 2 == 0 { "NG" } else { "KH" };
            applications.push((
                place,
                for_place(&app, &b, &[place], &["protection.shelter"], "10000.00").await,
            ));
        }
        let s = session(&app, &b, 4).await;
        let attempts = applications
            .iter()
            .enumerate()
            .map(|(i, (place, application))| {
                let app = &app;
                let token = b.trustees[i % 4].1.clone();
                let s = s.clone();
                async move {
                    (
                        *place,
                        decide(app, &token, &s, approve(application, "10000.00")).await,
                    )
                }
            });
        let replies = futures_util::future::join_all(attempts).await;
        let approved: Vec<&str> = replies
            .iter()
            .filter(|(_, r)| r.status == 201)
            .map(|(place, _)| *place)
            .collect();
        for (_, r) in replies.iter().filter(|(_, r)| r.status != 201) {
            r.assert_problem(409, "insufficient_funds");
        }
        assert_eq!(
            approved,
            vec!["NG"; 4],
            "exactly four Nigerian grants fit, no Cambodian one"
        );
        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["committed"], "40000.00");
        assert_eq!(pot(&figures, "NG")["available"], "3500.00");
        assert_eq!(figures["available_unrestricted"], "0.00");
        assert_eq!(app.count("grant_draws"), 4);
        assert_eq!(app.count("grant_draws WHERE contribution_id IS NULL"), 0);
    }
);

both_backends!(
    a_contributions_earmark_must_be_known_and_agree_with_its_pledge,
    |app: TestApp| async move {
        let b = board(&app).await;
        let before = (
            app.count("contributions"),
            app.count("ledger_entries"),
            app.count("restricted_funds"),
        );
        for bad in ["XX", "protection.unknown", "prot", ""] {
            let r = contribute(&app, &b, "100.00", Some(bad)).await;
            let fields = r.assert_problem(422, "validation_failed");
            assert_eq!(fields, vec!["earmark"], "{bad}");
        }
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/funds/{}/pledges", b.fund_id),
                json!({"donor_id": b.donor_id, "amount": "1000.00", "currency": "USD",
                       "pledged_on": today(), "earmark": "protection"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let pledge = r.body["id"].as_str().expect("pledge").to_string();
        let paying = |earmark: Option<&str>| {
            let mut body = json!({
                "donor_id": b.donor_id, "pledge_id": pledge, "amount": "1500.00",
                "currency": "USD", "received_on": today(), "reference": "LU-1",
            });
            if let Some(e) = earmark {
                body["earmark"] = json!(e);
            }
            let app = &app;
            let path = format!("/api/v1/funds/{}/contributions", b.fund_id);
            let token = b.admin.clone();
            async move { app.post_as(&token, &path, body).await }
        };
        let r = paying(Some("NG")).await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["earmark"]);
        let after_refusals = (
            app.count("contributions"),
            app.count("ledger_entries"),
            app.count("restricted_funds"),
        );
        assert_eq!(after_refusals.0, before.0);
        assert_eq!(after_refusals.2, before.2);
        // the pledge's earmark carries to its payment, and to the unpledged excess as well
        let r = paying(None).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["earmark"], "protection");
        assert_eq!(r.body["split"]["unpledged"], "500.00");
        assert_eq!(
            app.count("restricted_funds WHERE earmark = 'protection'"),
            2
        );
        let figures = fund_status(&app, &b).await;
        assert_eq!(pot(&figures, "protection")["received"], "1305.00");
        assert_eq!(figures["available_unrestricted"], "0.00");
    }
);

both_backends!(
    an_upgrade_restricts_the_money_already_received_against_earmarked_pledges,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "5000.00").await; // 4,350.00 unrestricted
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/funds/{}/pledges", b.fund_id),
                json!({"donor_id": b.donor_id, "amount": "10000.00", "currency": "USD",
                       "pledged_on": today(), "earmark": "NG"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let pledge = r.body["id"].as_str().expect("pledge").to_string();
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/funds/{}/contributions", b.fund_id),
                json!({"donor_id": b.donor_id, "pledge_id": pledge, "amount": "12000.00",
                       "currency": "USD", "received_on": today(), "reference": "NG-1"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);

        // an installation that had this money before earmarks were kept: the migration
        // restricts both parts of the payment (spoilt first, so only a real back-fill passes)
        app.execute("DELETE FROM restricted_funds");
        app.execute("UPDATE contributions SET earmark = NULL");
        app.migrate_again("_earmarks");
        assert_eq!(app.count("contributions WHERE earmark = 'NG'"), 2);
        let figures = fund_status(&app, &b).await;
        assert_eq!(pot(&figures, "NG")["available"], "10440.00");
        assert_eq!(figures["available"], "14790.00");
        assert_eq!(figures["available_unrestricted"], "4350.00");
    }
);
