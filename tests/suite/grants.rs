//! Grants and money out over HTTP on both backends: signature, release conditions, four-eyes
//! approval, payment into the ledger, racing disbursement requests that must never overpay a
//! grant (domain invariants 2 and 3), suspension, termination and refunds returning money
//! to the fund, and Idempotency-Key.

use crate::common;

use chrono::Utc;
use common::TestApp;
use common::board::*;
use common::world::World;
use reqwest::Method;
use serde_json::{Value, json};

fn today() -> String {
    Utc::now().date_naive().to_string()
}

async fn request(
    app: &TestApp,
    token: &str,
    grant: &Value,
    instalment: usize,
    amount: &str,
) -> common::Reply {
    let id = grant["id"].as_str().expect("grant id");
    app.post_as(
        token,
        &format!("/api/v1/grants/{id}/disbursements"),
        json!({"instalment_id": grant["instalments"][instalment]["id"], "amount": amount}),
    )
    .await
}

async fn read_grant(app: &TestApp, token: &str, grant: &Value) -> Value {
    let r = app
        .get_as(
            token,
            &format!("/api/v1/grants/{}", grant["id"].as_str().expect("id")),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

both_backends!(
    a_grant_is_signed_then_paid_with_four_eyes,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00")
            .under_review("Shelter and legal aid", "10000.00")
            .grant("10000.00")
            .await;
        let (b, g) = (w.to_board(), w.grant_json().clone());
        let id = w.grant_id().to_string();
        let finance_a = app.user_token("finance", None);
        let finance_b = app.user_token("finance", None);

        // nothing is paid before the grantee signs
        request(&app, &finance_a, &g, 0, "6000.00")
            .await
            .assert_problem(409, "invalid_state");
        // only the grantee's own members sign
        let other_ngo = app.user_token("ngo", Some(&b.donor_id));
        app.post_as(&other_ngo, &format!("/api/v1/grants/{id}/sign"), json!({}))
            .await
            .assert_problem(404, "not_found");
        app.post_as(&b.admin, &format!("/api/v1/grants/{id}/sign"), json!({}))
            .await
            .assert_problem(403, "forbidden");
        let _ = w.signed().await;

        // the first instalment (on signature) is requested; its requester may not approve it
        let r = request(&app, &finance_a, &g, 0, "6000.00").await;
        assert_eq!(r.status, 201, "{}", r.text);
        let d = r.body["id"].as_str().expect("id").to_string();
        app.post_as(
            &finance_a,
            &format!("/api/v1/disbursements/{d}/approve"),
            json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
        app.post_as(
            &b.admin,
            &format!("/api/v1/disbursements/{d}/approve"),
            json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
        // paid only once approved
        app.post_as(
            &finance_b,
            &format!("/api/v1/disbursements/{d}/pay"),
            json!({"paid_on": today(), "reference": "W1"}),
        )
        .await
        .assert_problem(409, "invalid_state");
        let r = app
            .post_as(
                &finance_b,
                &format!("/api/v1/disbursements/{d}/approve"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .post_as(
                &finance_b,
                &format!("/api/v1/disbursements/{d}/pay"),
                json!({"paid_on": "2999-01-01", "reference": "W1"}),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["paid_on"]);
        let r = app
            .post_as(
                &finance_b,
                &format!("/api/v1/disbursements/{d}/pay"),
                json!({"paid_on": today(), "reference": "W1"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);

        let view = read_grant(&app, &b.ngo, &g).await;
        assert_eq!(view["disbursed"], "6000.00");
        assert_eq!(view["remaining"], "4000.00");
        assert_eq!(view["instalments"][0]["paid"], "6000.00");
        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["disbursed"], "6000.00");
        assert_eq!(figures["committed"], "10000.00");
        assert_eq!(templates_sent_to(&app, "disbursement_paid").len(), 1);
        assert!(app.count("audit_events WHERE entity = 'disbursement'") >= 3);

        // the first instalment is used up; the second waits for the interim report
        request(&app, &finance_a, &g, 0, "0.01")
            .await
            .assert_problem(409, "invalid_state");
        let r = request(&app, &finance_a, &g, 1, "4000.00").await;
        let fields = r.assert_problem(409, "invalid_state");
        assert!(fields.iter().all(|f| f == "instalment_id"), "{fields:?}");
        // another organisation's members do not see the grant at all
        let r = app
            .get_as(&other_ngo, &format!("/api/v1/grants/{id}"))
            .await;
        r.assert_problem(404, "not_found");
        let r = app.get_as(&other_ngo, "/api/v1/grants").await;
        assert_eq!(r.body["items"].as_array().map(Vec::len), Some(0));
        let r = app
            .get_as(&other_ngo, &format!("/api/v1/disbursements/{d}"))
            .await;
        r.assert_problem(404, "not_found");
    }
);

both_backends!(
    racing_disbursement_requests_never_overpay_a_grant,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00")
            .under_review("Shelter and legal aid", "10000.00")
            .grant_with(
                "10000.00",
                json!({"instalments": [{"amount": "10000.00", "due_on": today(), "condition": "on_signature"}]}),
            )
            .signed()
            .await;
        let g = w.grant_json().clone();
        let finance = app.user_token("finance", None);
        // 20 requests of 700.00 at once: 14 fit in 10,000.00
        let attempts = (0..20).map(|_| request(&app, &finance, &g, 0, "700.00"));
        let replies = futures_util::future::join_all(attempts).await;
        let accepted = replies.iter().filter(|r| r.status == 201).count();
        for r in replies.iter().filter(|r| r.status != 201) {
            r.assert_problem(409, "invalid_state");
        }
        assert_eq!(accepted, 14);
        let view = read_grant(&app, &w.admin, &g).await;
        assert_eq!(view["pending_disbursement"], "9800.00");
        // a cancelled request no longer counts
        let first = replies.iter().find(|r| r.status == 201).expect("one");
        let d = first.body["id"].as_str().expect("id");
        let r = app
            .post_as(
                &finance,
                &format!("/api/v1/disbursements/{d}/cancel"),
                json!({"reason": "duplicate"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(request(&app, &finance, &g, 0, "900.00").await.status, 201);
        request(&app, &finance, &g, 0, "0.01")
            .await
            .assert_problem(409, "invalid_state");
        // a cancelled disbursement cannot be approved
        let r = app
            .post_as(
                &app.user_token("finance", None),
                &format!("/api/v1/disbursements/{d}/approve"),
                json!({}),
            )
            .await;
        r.assert_problem(409, "invalid_state");
    }
);

both_backends!(
    suspension_termination_and_refunds_move_the_fund_as_they_should,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00") // 43,500.00 available
            .under_review("Shelter and legal aid", "10000.00")
            .grant("10000.00")
            .signed()
            .await;
        let (b, g) = (w.to_board(), w.grant_json().clone());
        let id = w.grant_id().to_string();
        let finance_a = app.user_token("finance", None);
        let finance_b = app.user_token("finance", None);
        assert_eq!(fund_status(&app, &b).await["available"], "33500.00");

        // suspended: nothing is approved or paid; resumed: it is
        let r = request(&app, &finance_a, &g, 0, "6000.00").await;
        let d = r.body["id"].as_str().expect("id").to_string();
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/grants/{id}/suspend"),
                json!({"reason": "audit pending"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        app.post_as(
            &finance_b,
            &format!("/api/v1/disbursements/{d}/approve"),
            json!({}),
        )
        .await
        .assert_problem(409, "invalid_state");
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/grants/{id}/resume"),
                json!({"reason": "audit done"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        for step in ["approve", "pay"] {
            let r = app
                .post_as(
                    &finance_b,
                    &format!("/api/v1/disbursements/{d}/{step}"),
                    json!({"paid_on": today(), "reference": "W-1"}),
                )
                .await;
            assert_eq!(r.status, 200, "{step}: {}", r.text);
        }

        // refunds: at most what was paid and not yet returned
        let refund = |amount: &str| {
            let app = &app;
            let path = format!("/api/v1/grants/{id}/refunds");
            let token = finance_a.clone();
            let body = json!({"amount": amount, "received_on": today(), "reference": "RET-1"});
            async move { app.post_as(&token, &path, body).await }
        };
        let r = refund("1000.00").await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(fund_status(&app, &b).await["available"], "34500.00");
        refund("5000.01").await.assert_problem(409, "invalid_state");
        assert_eq!(refund("5000.00").await.status, 201);
        refund("0.01").await.assert_problem(409, "invalid_state");

        // closing needs the accepted final report; termination releases the unpaid 4,000.00
        app.post_as(
            &b.admin,
            &format!("/api/v1/grants/{id}/close"),
            json!({"reason": "done"}),
        )
        .await
        .assert_problem(409, "invalid_state");
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/grants/{id}/terminate"),
                json!({"reason": "the project stopped"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "terminated");
        assert_eq!(
            app.count("registry_projects WHERE source = 'grant' AND status = 'completed'"),
            1
        );
        assert_eq!(r.body["remaining"], "0.00");
        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["committed"], "6000.00");
        assert_eq!(figures["refunds"], "6000.00");
        assert_eq!(figures["available"], "43500.00");
        app.post_as(
            &b.admin,
            &format!("/api/v1/grants/{id}/resume"),
            json!({"reason": "x"}),
        )
        .await
        .assert_problem(409, "invalid_state");
        request(&app, &finance_a, &g, 1, "1.00")
            .await
            .assert_problem(409, "invalid_state");
    }
);

both_backends!(
    stale_edits_and_retried_requests_are_caught,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00")
            .under_review("Shelter and legal aid", "10000.00")
            .grant("10000.00")
            .await;
        let g = w.grant_json().clone();
        let id = w.grant_id().to_string();
        // a stale If-Match on signature
        let r = app
            .request_as(
                w.ngo_token(),
                Method::POST,
                &format!("/api/v1/grants/{id}/sign"),
                Some(json!({})),
                &[("if-match", "\"7\"")],
            )
            .await;
        r.assert_problem(412, "precondition_failed");
        let _ = w.signed().await;
        let finance = app.user_token("finance", None);
        let path = format!("/api/v1/grants/{id}/disbursements");
        let body = json!({"instalment_id": g["instalments"][0]["id"], "amount": "1000.00"});
        let send = |body: Value| {
            let app = &app;
            let path = path.clone();
            let token = finance.clone();
            async move {
                app.request_as(
                    &token,
                    Method::POST,
                    &path,
                    Some(body),
                    &[("idempotency-key", "pay-1")],
                )
                .await
            }
        };
        let (first, second) = futures_util::join!(send(body.clone()), send(body.clone()));
        assert_eq!(first.status, 201, "{}", first.text);
        assert_eq!(first.body["id"], second.body["id"]);
        assert_eq!(app.count("disbursements"), 1);
        let other = json!({"instalment_id": g["instalments"][0]["id"], "amount": "2000.00"});
        send(other).await.assert_problem(409, "duplicate");
        // a JSON number is not an amount
        let r = app
            .post_as(
                &finance,
                &path,
                json!({"instalment_id": g["instalments"][0]["id"], "amount": 10}),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["amount"]);
        let r = app
            .post_as(
                &finance,
                &path,
                json!({"instalment_id": uuid::Uuid::new_v4().to_string(), "amount": "1.00"}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["instalment_id"]
        );
        // reviewers see no grants
        let reviewer = app.user_token("reviewer", None);
        app.get_as(&reviewer, "/api/v1/grants")
            .await
            .assert_problem(403, "forbidden");
    }
);

/// An outcome report of `kind` showing `spent` on the budget's shelter line.
fn report(kind: &str, spent: &str) -> Value {
    let today = Utc::now().date_naive();
    json!({
        "kind": kind,
        "period_start": (today - chrono::Duration::days(90)).to_string(),
        "period_end": today.to_string(),
        "narrative": "The shelter opened.",
        // each report counts 12 people first assisted; the grants here get a few reports
        "people_reached_to_date": 100,
        "beneficiaries": [{"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 12}],
        "services": [{"service": "shelter", "count": 12}],
        "indicators": [{"name": "survivors sheltered", "target": "20", "actual": "12"}],
        "expenditure": [{"category": "shelter", "amount": spent}]
    })
}

/// Submitted by the grantee and accepted by the secretariat.
async fn accepted_report(app: &TestApp, b: &Board, grant_id: &str, body: Value) {
    let r = app
        .post_as(&b.ngo, &format!("/api/v1/grants/{grant_id}/reports"), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().expect("report id").to_string();
    let r = app
        .post_as(
            &b.admin,
            &format!("/api/v1/reports/{id}/accept"),
            json!({"comment": "thank you"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

both_backends!(
    reports_release_instalments_and_the_final_one_closes_the_grant,
    |app: TestApp| async move {
        // the default plan: 60 % on signature, 40 % on the interim report with 70 % spent;
        // the first instalment paid in full, with four eyes
        let mut w = World::board(&app)
            .received("50000.00") // 43,500.00 available
            .under_review("Shelter and legal aid", "10000.00")
            .grant("10000.00")
            .signed()
            .pay(0, "6000.00")
            .await;
        let (b, g) = (w.to_board(), w.grant_json().clone());
        let id = w.grant_id().to_string();
        let (finance_a, _) = w.finance();
        // an accepted interim report showing 4,000.00 spent: below 70 % of the 6,000.00 paid
        accepted_report(&app, &b, &id, report("interim", "4000.00")).await;
        let r = request(&app, &finance_a, &g, 1, "4000.00").await;
        r.assert_problem(409, "invalid_state");
        assert!(r.text.contains("spent"), "{}", r.text);
        // a second accepted report brings spending to 4,500.00: the instalment is released
        accepted_report(&app, &b, &id, report("interim", "500.00")).await;
        let r = request(&app, &finance_a, &g, 1, "3000.00").await;
        assert_eq!(r.status, 201, "{}", r.text);
        let pending = r.body["id"].as_str().expect("id").to_string();

        // closing waits for the final report and for no payment to be pending
        app.post_as(
            &b.admin,
            &format!("/api/v1/grants/{id}/close"),
            json!({"reason": "done"}),
        )
        .await
        .assert_problem(409, "invalid_state");
        accepted_report(&app, &b, &id, report("final", "1000.00")).await;
        app.post_as(
            &b.admin,
            &format!("/api/v1/grants/{id}/close"),
            json!({"reason": "done"}),
        )
        .await
        .assert_problem(409, "invalid_state");
        let r = app
            .post_as(
                &finance_a,
                &format!("/api/v1/disbursements/{pending}/cancel"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/grants/{id}/close"),
                json!({"reason": "done"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "closed");
        // the unpaid 4,000.00 went back to the fund
        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["committed"], "6000.00");
        assert_eq!(figures["available"], "37500.00");
    }
);

both_backends!(
    the_list_shows_each_grant_as_it_reads_alone,
    |app: TestApp| async move {
        // grants of two funds, one partly paid: the list reads instalments and money for
        // all its grants at once, and must not mix them up
        let s = crate::common::transparency::seed(&app).await;
        let list = app.get_as(&s.admin, "/api/v1/grants?limit=50").await;
        assert_eq!(list.status, 200, "{}", list.text);
        let items = list.body["items"].as_array().expect("items");
        assert!(items.len() >= 3, "{}", list.text);
        assert!(items.iter().any(|g| g["disbursed"] != "0.00"));
        for listed in items {
            let id = listed["id"].as_str().expect("id");
            let alone = app.get_as(&s.admin, &format!("/api/v1/grants/{id}")).await;
            assert_eq!(alone.status, 200);
            assert_eq!(listed, &alone.body, "grant {id}");
        }
    }
);
