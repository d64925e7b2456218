//! Board sessions and decisions over HTTP on both backends: approvals that create the grant
//! and its commitment, racing approvals against a fund that can afford only some (domain
//! invariant 1), the quorum with recused trustees, deferral to the reserve list, decisions
//! refused by state, input and role, and Idempotency-Key.

use crate::common;

use chrono::{Duration, Utc};
use common::TestApp;
use common::board::*;
use reqwest::Method;
use serde_json::{Value, json};

both_backends!(
    an_approval_creates_the_grant_and_its_commitment,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "50000.00").await; // 43,500.00 available
        let application = under_review(&app, &b, "Shelter in Lagos", "20000.00").await;
        let s = session(&app, &b, 3).await;

        let r = decide(
            &app,
            &b.trustees[0].1,
            &s,
            json!({"application_id": application, "outcome": "approved",
                   "approved_amount": {"amount": "18000.00", "currency": "USD"},
                   "conditions": "Quarterly updates to the secretariat.",
                   "rationale": "strong shelter network"}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["outcome"], "approved");
        assert_eq!(r.body["approved_amount"], "18000.00");
        let grant = &r.body["grant"];
        assert_eq!(grant["status"], "awaiting_signature");
        assert_eq!(grant["amount"], "18000.00");
        assert_eq!(grant["organisation_id"], b.org_id.as_str());
        assert_eq!(r.body["grant_id"], grant["id"]);
        // the fund's default plan: 60 % on signature, 40 % on the interim report
        let plan = grant["instalments"].as_array().expect("instalments");
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0]["amount"], "10800.00");
        assert_eq!(plan[0]["condition"], "on_signature");
        assert_eq!(plan[1]["amount"], "7200.00");
        assert_eq!(plan[1]["condition"], "on_report_accepted");
        assert_eq!(plan[1]["report_kind"], "interim");

        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["committed"], "18000.00");
        assert_eq!(figures["available"], "25500.00");
        assert_eq!(status(&app, &b.admin, &application).await, "approved");
        let mails = templates_sent_to(&app, "application_decided");
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0]["outcome"], "approved");
        assert_eq!(mails[0]["approved_amount"], "18000.00");
        assert!(
            mails[0].get("rationale").is_none(),
            "the rationale stays with the board"
        );

        // the session lists its decision; the grant's commitment is audited
        let r = app
            .get_as(&b.trustees[3].1, &format!("/api/v1/board-sessions/{s}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["decisions"].as_array().map(Vec::len), Some(1));
        assert_eq!(r.body["trustees"].as_array().map(Vec::len), Some(3));
        assert!(app.count("audit_events WHERE entity = 'grant'") >= 1);
        assert!(app.count("audit_events WHERE entity = 'board_decision'") >= 1);
        // the grant appears in the registry of who does what where
        assert_eq!(
            app.count("registry_projects WHERE source = 'grant' AND status = 'pipeline'"),
            1
        );

        // approved once: a second decision on it is refused
        let r = decide(&app, &b.admin, &s, approve(&application, "1000.00")).await;
        r.assert_problem(409, "invalid_state");
        assert_eq!(app.count("grants"), 1);
    }
);

both_backends!(
    racing_approvals_commit_exactly_what_the_fund_can_afford,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "100000.00").await; // 87,000.00 available: five grants of 15,000
        let mut applications = Vec::new();
        for i in 0..10 {
            applications.push(under_review(&app, &b, &format!("Project {i}"), "15000.00").await);
        }
        let s = session(&app, &b, 4).await;
        let attempts = applications.iter().enumerate().map(|(i, application)| {
            let app = &app;
            let token = if i % 2 == 0 {
                b.admin.clone()
            } else {
                b.trustees[i % 4].1.clone()
            };
            let s = s.clone();
            async move { decide(app, &token, &s, approve(application, "15000.00")).await }
        });
        let replies = futures_util::future::join_all(attempts).await;
        let approved = replies.iter().filter(|r| r.status == 201).count();
        for r in replies.iter().filter(|r| r.status != 201) {
            r.assert_problem(409, "insufficient_funds");
        }
        assert_eq!(approved, 5, "exactly the affordable approvals succeed");
        let figures = fund_status(&app, &b).await;
        assert_eq!(figures["committed"], "75000.00");
        assert_eq!(figures["available"], "12000.00");
        assert_eq!(app.count("grants"), 5);
        assert_eq!(app.count("ledger_entries WHERE kind = 'commitment'"), 5);
        let mut under_review_left = 0;
        for application in &applications {
            if status(&app, &b.admin, application).await == "under_review" {
                under_review_left += 1;
            }
        }
        assert_eq!(under_review_left, 5, "a refused approval changes nothing");
    }
);

both_backends!(
    a_refused_approval_changes_nothing_and_a_deferred_one_waits_for_money,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "10000.00").await; // 8,700.00 available
        let application = under_review(&app, &b, "Reintegration", "12000.00").await;
        let s = session(&app, &b, 3).await;
        let before = (
            app.count("grants"),
            app.count("ledger_entries"),
            app.count("audit_events"),
            app.count("board_decisions"),
        );
        let r = decide(&app, &b.admin, &s, approve(&application, "12000.00")).await;
        let fields = r.assert_problem(409, "insufficient_funds");
        assert_eq!(fields, vec!["approved_amount"]);
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("8700.00")
        );
        let after = (
            app.count("grants"),
            app.count("ledger_entries"),
            app.count("audit_events"),
            app.count("board_decisions"),
        );
        assert_eq!(before, after);

        // deferred to the reserve list, then approved at a later session when money came
        let r = decide(
            &app,
            &b.admin,
            &s,
            json!({"application_id": application, "outcome": "deferred", "rationale": "waiting for money"}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(status(&app, &b.ngo, &application).await, "deferred");
        receive(&app, &b, "5000.00").await; // 13,050.00 available
        let later = session(&app, &b, 3).await;
        let r = decide(
            &app,
            &b.trustees[1].1,
            &later,
            approve(&application, "12000.00"),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(fund_status(&app, &b).await["available"], "1050.00");
        let outcomes: Vec<Value> = templates_sent_to(&app, "application_decided")
            .into_iter()
            .map(|c| c["outcome"].clone())
            .collect();
        assert_eq!(outcomes, vec![json!("deferred"), json!("approved")]);
    }
);

both_backends!(
    decisions_need_a_quorum_of_trustees_without_a_conflict,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "50000.00").await;
        let application = under_review(&app, &b, "Legal aid", "10000.00").await;

        // two trustees present, the fund needs three
        let small = session(&app, &b, 2).await;
        let r = decide(&app, &b.admin, &small, approve(&application, "10000.00")).await;
        r.assert_problem(409, "invalid_state");
        assert!(
            r.body["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("quorum")
        );

        // three present, but one declared a conflict of interest on this application
        let (conflicted_id, conflicted) = &b.trustees[0];
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/applications/{application}/assignments"),
                json!({"reviewer_id": conflicted_id}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let assignment = r.body["id"].as_str().expect("id").to_string();
        let r = app
            .post_as(
                conflicted,
                &format!("/api/v1/assignments/{assignment}/conflict"),
                json!({"has_conflict": true, "statement": "I sit on the applicant's board"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let three = session(&app, &b, 3).await;
        let r = decide(&app, &b.admin, &three, approve(&application, "10000.00")).await;
        r.assert_problem(409, "invalid_state");
        // the conflicted trustee may not record a decision on it either
        let r = decide(&app, conflicted, &three, approve(&application, "10000.00")).await;
        r.assert_problem(403, "forbidden");

        // with the fourth trustee present the quorum holds without the conflicted one
        let four = session(&app, &b, 4).await;
        let r = decide(
            &app,
            &b.trustees[3].1,
            &four,
            approve(&application, "10000.00"),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
);

both_backends!(
    decisions_are_refused_by_state_input_and_role,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "50000.00").await;
        let application = under_review(&app, &b, "Shelter", "10000.00").await;
        let s = session(&app, &b, 3).await;
        // input: each problem named
        let r = decide(&app, &b.admin, &s, approve(&application, "10000.01")).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["approved_amount"]
        );
        let r = decide(
            &app,
            &b.admin,
            &s,
            json!({"application_id": application, "outcome": "approved", "approved_amount": 10000, "rationale": "x"}),
        )
        .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["approved_amount"]
        );
        let r = decide(
            &app,
            &b.admin,
            &s,
            json!({"application_id": application, "outcome": "approved", "approved_amount": "9000.00",
                   "rationale": "x",
                   "instalments": [
                       {"amount": "5000.00", "due_on": Utc::now().date_naive().to_string(), "condition": "on_signature"},
                       {"amount": "3000.00", "due_on": (Utc::now() + Duration::days(180)).date_naive().to_string(),
                        "condition": "on_report_accepted"}
                   ]}),
        )
        .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["instalments[1].report_kind", "instalments"]
        );
        let r = decide(
            &app,
            &b.admin,
            &s,
            json!({"application_id": application, "outcome": "rejected", "approved_amount": "1.00", "rationale": "x"}),
        )
        .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["approved_amount"]
        );
        let r = decide(
            &app,
            &b.admin,
            &s,
            approve(&uuid::Uuid::new_v4().to_string(), "1.00"),
        )
        .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["application_id"]
        );

        // state: an application not yet screened cannot be decided
        let draft = created_id(
            app.post_as(
                &b.ngo,
                &format!("/api/v1/calls/{}/applications", b.call_id),
                json!({"title": "Draft"}),
            )
            .await,
        )
        .await;
        let r = decide(&app, &b.admin, &s, approve(&draft, "1.00")).await;
        r.assert_problem(409, "invalid_state");

        // roles: an NGO or donor may not decide; a trustee absent from the session may not;
        // a trustee of another fund does not see the session
        let r = decide(&app, &b.ngo, &s, approve(&application, "10000.00")).await;
        r.assert_problem(403, "forbidden");
        let r = decide(
            &app,
            &b.trustees[3].1,
            &s,
            approve(&application, "10000.00"),
        )
        .await;
        r.assert_problem(403, "forbidden");
        let stranger = app.user_token_with_funds("trustee", None, &[]);
        let r = decide(&app, &stranger, &s, approve(&application, "10000.00")).await;
        r.assert_problem(404, "not_found");
        let r = app
            .get_as(&stranger, &format!("/api/v1/board-sessions/{s}"))
            .await;
        r.assert_problem(404, "not_found");

        // a session names only trustees of the fund's board, and decides once held
        let (outsider, _) = app.user_with_funds("reviewer", None, &[]);
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/funds/{}/board-sessions", b.fund_id),
                json!({"held_on": "2026-01-01", "trustee_ids": [b.trustees[0].0, outsider]}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["trustee_ids[1]"]
        );
        let ids: Vec<&str> = b.trustees[..3].iter().map(|(id, _)| id.as_str()).collect();
        let future = created_id(
            app.post_as(
                &b.admin,
                &format!("/api/v1/funds/{}/board-sessions", b.fund_id),
                json!({"held_on": (Utc::now() + Duration::days(7)).date_naive().to_string(), "trustee_ids": ids}),
            )
            .await,
        )
        .await;
        let r = decide(&app, &b.admin, &future, approve(&application, "10000.00")).await;
        r.assert_problem(409, "invalid_state");

        // rejected, then approved later: refused
        let r = decide(
            &app,
            &b.admin,
            &s,
            json!({"application_id": application, "outcome": "rejected", "rationale": "weak budget"}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let later = session(&app, &b, 3).await;
        let r = decide(&app, &b.admin, &later, approve(&application, "10000.00")).await;
        r.assert_problem(409, "invalid_state");
        assert_eq!(app.count("grants"), 0);
    }
);

both_backends!(
    a_retried_decision_with_the_same_key_applies_once,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "50000.00").await;
        let application = under_review(&app, &b, "Repatriation", "10000.00").await;
        let s = session(&app, &b, 3).await;
        let path = format!("/api/v1/board-sessions/{s}/decisions");
        let send = |body: Value| {
            let app = &app;
            let path = path.clone();
            let token = b.admin.clone();
            async move {
                app.request_as(
                    &token,
                    Method::POST,
                    &path,
                    Some(body),
                    &[("idempotency-key", "decision-1")],
                )
                .await
            }
        };
        let (first, second) = futures_util::join!(
            send(approve(&application, "10000.00")),
            send(approve(&application, "10000.00"))
        );
        assert_eq!(first.status, 201, "{}", first.text);
        assert_eq!(second.status, 201, "{}", second.text);
        assert_eq!(first.body["id"], second.body["id"]);
        assert_eq!(app.count("grants"), 1);
        assert_eq!(app.count("ledger_entries WHERE kind = 'commitment'"), 1);
        let r = send(approve(&application, "9000.00")).await;
        assert_eq!(r.assert_problem(409, "duplicate"), vec!["Idempotency-Key"]);
    }
);
