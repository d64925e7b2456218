//! Review over HTTP on both backends: assignments and what they reveal before and after the
//! conflict declaration, reviewers seeing only what is assigned to them, recusal, score
//! validation, submission, others' reviews held back, the ranking with its funding line.

use crate::common;

use chrono::{Duration, Utc};
use common::world::World;
use common::{Reply, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

fn call_body() -> Value {
    json!({
        "title": "Emergency grants 2026",
        "description": "Emergency grants up to USD 20,000 for eight months.",
        "opens_at": (Utc::now() - Duration::hours(1)).to_rfc3339(),
        "closes_at": (Utc::now() + Duration::days(30)).to_rfc3339(),
        "max_amount": "20000.00",
        "currency": "USD",
        "max_duration_months": 8,
        "eligible_countries": ["NG", "GH", "TH"],
        "themes": ["protection.shelter", "protection.legal-aid"],
        "required_documents": ["proposal", "budget"],
        "rubric": [
            {"key": "relevance", "title": "Relevance to victims' needs", "weight": 0.4, "max_score": 10},
            {"key": "capacity", "title": "Organisational capacity", "weight": "0.6", "max_score": 10}
        ]
    })
}

/// The world of a review: a fund, `call_body()` opened, and the NGO that applies.
fn world(app: &TestApp) -> World<'_> {
    World::new(app).fund().open_call_with(call_body()).ngo()
}

/// What the NGO asks for: eight months of shelter, medical and legal aid for 40 survivors
/// in Nigeria (the call requires both documents; the world uploads them).
fn proposal(title: &str, amount: &str) -> Value {
    json!({
        "title": title,
        "summary": "Shelter, medical and legal aid for 40 survivors of trafficking.",
        "requested_amount": amount,
        "duration_months": 8,
        "countries": ["NG"],
        "themes": ["protection.shelter"],
        "planned_beneficiaries": [
            {"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 40}
        ],
        "budget": [{"category": "shelter", "description": "rent and food", "amount": amount}]
    })
}

/// A user's token and id.
async fn person(app: &TestApp, role: &str, org: Option<&str>, funds: &[&str]) -> (String, String) {
    let token = app.user_token_with_funds(role, org, funds);
    let me = app.get_as(&token, "/api/v1/me").await;
    assert_eq!(me.status, 200, "{}", me.text);
    (token, me.body["id"].as_str().expect("id").to_string())
}

async fn assign(app: &TestApp, w: &World<'_>, application_id: &str, reviewer_id: &str) -> Reply {
    app.post_as(
        &w.admin,
        &format!("/api/v1/applications/{application_id}/assignments"),
        json!({"reviewer_id": reviewer_id}),
    )
    .await
}

async fn assigned(app: &TestApp, w: &World<'_>, application_id: &str, reviewer_id: &str) -> String {
    let r = assign(app, w, application_id, reviewer_id).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

async fn declare(app: &TestApp, token: &str, assignment: &str, body: Value) -> Reply {
    app.post_as(
        token,
        &format!("/api/v1/assignments/{assignment}/conflict"),
        body,
    )
    .await
}

async fn put_review(
    app: &TestApp,
    token: &str,
    assignment: &str,
    body: Value,
    if_match: Option<&str>,
) -> Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|v| vec![("if-match", v)]).unwrap_or_default();
    app.request_as(
        token,
        Method::PUT,
        &format!("/api/v1/assignments/{assignment}/review"),
        Some(body),
        &headers,
    )
    .await
}

async fn submit(app: &TestApp, token: &str, assignment: &str) -> Reply {
    app.post_as(
        token,
        &format!("/api/v1/assignments/{assignment}/submit"),
        json!({}),
    )
    .await
}

/// Declares no conflict, scores and submits.
async fn review(
    app: &TestApp,
    token: &str,
    assignment: &str,
    relevance: i64,
    capacity: i64,
    rec: &str,
) {
    let r = declare(app, token, assignment, json!({"has_conflict": false})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = put_review(
        app,
        token,
        assignment,
        json!({"scores": {"relevance": relevance, "capacity": capacity}, "comment": "Sound plan.", "recommendation": rec}),
        None,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = submit(app, token, assignment).await;
    assert_eq!(r.status, 200, "{}", r.text);
}

fn ids(list: &Reply) -> Vec<String> {
    list.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_string())
        .collect()
}

both_backends!(
    assignments_reveal_the_application_only_after_no_conflict,
    |app: TestApp| async move {
        let w = world(&app)
            .application_with(proposal("Safe shelter for survivors in Lagos", "15000.00"))
            .submitted()
            .screened()
            .application_with(proposal("Legal aid in Accra", "9000.00"))
            .submitted()
            .screened()
            .application_with(proposal("Not screened yet", "5000.00"))
            .submitted()
            .await;
        let [a, b, draft_only]: [String; 3] = w.applications().try_into().expect("three");
        let (reviewer, reviewer_id) = person(&app, "reviewer", None, &[]).await;

        // the applicant's own member, an NGO user, a trustee of another fund: refused by name
        let (_, insider) = person(&app, "reviewer", Some(w.org_id()), &[]).await;
        let r = assign(&app, &w, &a, &insider).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["reviewer_id"]
        );
        assert!(r.text.contains("conflict of interest"), "{}", r.text);
        let (_, ngo_user) = person(&app, "ngo", Some(w.org_id()), &[]).await;
        assert_eq!(
            assign(&app, &w, &a, &ngo_user)
                .await
                .assert_problem(422, "validation_failed"),
            vec!["reviewer_id"]
        );
        let (_, outside_trustee) = person(&app, "trustee", None, &[]).await;
        assert_eq!(
            assign(&app, &w, &a, &outside_trustee)
                .await
                .assert_problem(422, "validation_failed"),
            vec!["reviewer_id"]
        );
        // only applications under review
        assign(&app, &w, &draft_only, &reviewer_id)
            .await
            .assert_problem(409, "invalid_state");
        // a donor or an NGO may not assign
        let (donor, _) = person(&app, "donor", None, &[]).await;
        let r = app
            .post_as(
                &donor,
                &format!("/api/v1/applications/{a}/assignments"),
                json!({"reviewer_id": reviewer_id}),
            )
            .await;
        r.assert_problem(403, "forbidden");

        let assignment = assigned(&app, &w, &a, &reviewer_id).await;
        assign(&app, &w, &a, &reviewer_id)
            .await
            .assert_problem(409, "duplicate");
        // the reviewer is told, by title only
        let mail: Vec<(String, Value)> = {
            use diesel::prelude::*;
            use trustfund::db::schema::outbox;
            let mut conn = app.pool.get().expect("connection");
            outbox::table
                .filter(outbox::template.eq("review_assigned"))
                .select((outbox::to_address, outbox::context))
                .load::<(String, String)>(&mut *conn)
                .expect("outbox")
                .into_iter()
                .map(|(to, c)| (to, serde_json::from_str(&c).expect("json")))
                .collect()
        };
        assert_eq!(mail.len(), 1);
        assert!(mail[0].0.starts_with("reviewer-"));
        assert_eq!(mail[0].1["title"], "Safe shelter for survivors in Lagos");
        assert!(mail[0].1.get("summary").is_none());

        // before the declaration: title and applicant only
        let path = format!("/api/v1/assignments/{assignment}");
        let r = app.get_as(&reviewer, &path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "awaiting_declaration");
        assert_eq!(
            r.body["application"]["title"],
            "Safe shelter for survivors in Lagos"
        );
        assert_eq!(
            r.body["application"]["organisation_name"],
            "Safe Haven Lagos"
        );
        assert!(r.body["application"]["id"].is_null());
        assert!(r.body["application"]["reference"].is_null());
        assert!(r.body["rubric"].is_null());
        assert!(
            !r.text.contains("survivors of trafficking"),
            "no summary: {}",
            r.text
        );
        assert!(!r.text.contains(&a), "no application id: {}", r.text);
        assert!(!r.text.contains("15000"), "no amounts: {}", r.text);
        // the application itself stays hidden, as does every other
        for id in [&a, &b] {
            app.get_as(&reviewer, &format!("/api/v1/applications/{id}"))
                .await
                .assert_problem(404, "not_found");
            app.get_as(&reviewer, &format!("/api/v1/applications/{id}/documents"))
                .await
                .assert_problem(404, "not_found");
        }
        let list = app.get_as(&reviewer, "/api/v1/applications").await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert!(ids(&list).is_empty());
        // nobody else reads the assignment
        let (other_reviewer, _) = person(&app, "reviewer", None, &[]).await;
        app.get_as(&other_reviewer, &path)
            .await
            .assert_problem(404, "not_found");
        app.get_as(w.ngo_token(), &path)
            .await
            .assert_problem(403, "forbidden");
        app.get_as(&donor, "/api/v1/assignments")
            .await
            .assert_problem(403, "forbidden");
        assert!(
            ids(&app
                .get_as(&other_reviewer, "/api/v1/assignments?mine=true")
                .await)
            .is_empty()
        );
        // the secretariat sees and filters all
        let all = app
            .get_as(&w.admin, &format!("/api/v1/assignments?application_id={a}"))
            .await;
        assert_eq!(ids(&all), vec![assignment.clone()]);
        let by_call = app
            .get_as(
                &w.admin,
                &format!("/api/v1/assignments?call_id={}", w.call_id()),
            )
            .await;
        assert_eq!(ids(&by_call), vec![assignment.clone()]);
        // reviewing needs the declaration first
        put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"relevance": 5}}),
            None,
        )
        .await
        .assert_problem(409, "invalid_state");

        // no conflict: the application opens, with the rubric to score
        let r = declare(&app, &reviewer, &assignment, json!({"has_conflict": false})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "cleared");
        declare(
            &app,
            &reviewer,
            &assignment,
            json!({"has_conflict": true, "statement": "second thoughts"}),
        )
        .await
        .assert_problem(409, "invalid_state");
        let r = app.get_as(&reviewer, &path).await;
        assert_eq!(r.body["application"]["id"], a.as_str());
        assert!(r.body["application"]["reference"].is_string());
        assert_eq!(r.body["rubric"][0]["key"], "relevance");
        assert_eq!(r.body["rubric"][1]["max_score"], 10);
        let read = app
            .get_as(&reviewer, &format!("/api/v1/applications/{a}"))
            .await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert_eq!(
            read.body["summary"],
            "Shelter, medical and legal aid for 40 survivors of trafficking."
        );
        let docs = app
            .get_as(&reviewer, &format!("/api/v1/applications/{a}/documents"))
            .await;
        assert_eq!(docs.status, 200, "{}", docs.text);
        let list = app.get_as(&reviewer, "/api/v1/applications").await;
        assert_eq!(ids(&list), vec![a.clone()]);
        app.get_as(&reviewer, &format!("/api/v1/applications/{b}"))
            .await
            .assert_problem(404, "not_found");
        let mine = app.get_as(&reviewer, "/api/v1/assignments?mine=true").await;
        assert_eq!(ids(&mine), vec![assignment.clone()]);
        // reviewers do not filter by application
        app.get_as(
            &reviewer,
            &format!("/api/v1/assignments?application_id={b}"),
        )
        .await
        .assert_problem(422, "validation_failed");
        // assignments leave an audit trail
        let audit = app
            .get_as(
                &w.admin,
                &format!("/api/v1/audit-events?entity=review_assignment&entity_id={assignment}"),
            )
            .await;
        assert_eq!(
            audit.body["items"].as_array().map(Vec::len),
            Some(2),
            "{}",
            audit.text
        );
    }
);

both_backends!(
    recusal_hides_everything_and_scores_are_checked,
    |app: TestApp| async move {
        let w = world(&app)
            .application_with(proposal("Safe shelter", "15000.00"))
            .submitted()
            .screened()
            .await;
        let a = w.application_id().to_string();
        let (recused, recused_id) = person(&app, "reviewer", None, &[]).await;
        let (reviewer, reviewer_id) = person(&app, "reviewer", None, &[]).await;
        let recused_assignment = assigned(&app, &w, &a, &recused_id).await;
        let assignment = assigned(&app, &w, &a, &reviewer_id).await;

        // a conflict needs a statement
        let r = declare(
            &app,
            &recused,
            &recused_assignment,
            json!({"has_conflict": true}),
        )
        .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["statement"]
        );
        let r = declare(
            &app,
            &recused,
            &recused_assignment,
            json!({"has_conflict": true, "statement": "I advised this organisation last year."}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "recused");
        assert!(r.body["application"]["id"].is_null());
        app.get_as(&recused, &format!("/api/v1/applications/{a}"))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&recused, &format!("/api/v1/applications/{a}/reviews"))
            .await
            .assert_problem(404, "not_found");
        put_review(
            &app,
            &recused,
            &recused_assignment,
            json!({"scores": {"relevance": 5}}),
            None,
        )
        .await
        .assert_problem(409, "invalid_state");
        submit(&app, &recused, &recused_assignment)
            .await
            .assert_problem(409, "invalid_state");
        // someone else's assignment is not found
        put_review(&app, &reviewer, &recused_assignment, json!({}), None)
            .await
            .assert_problem(404, "not_found");

        let r = declare(&app, &reviewer, &assignment, json!({"has_conflict": false})).await;
        assert_eq!(r.status, 200);
        let fields = |r: &Reply| r.assert_problem(422, "validation_failed");
        let r = put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"relevance": 11}}),
            None,
        )
        .await;
        assert_eq!(fields(&r), vec!["scores.relevance"]);
        let r = put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"impact": 3}}),
            None,
        )
        .await;
        assert_eq!(fields(&r), vec!["scores.impact"]);
        let r = put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"capacity": 2.5}}),
            None,
        )
        .await;
        assert_eq!(fields(&r), vec!["scores.capacity"]);
        let r = put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"capacity": "7"}}),
            None,
        )
        .await;
        assert_eq!(fields(&r), vec!["scores.capacity"]);
        let r = put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"capacity": -1}}),
            None,
        )
        .await;
        assert_eq!(fields(&r), vec!["scores.capacity"]);
        let r = put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"recommendation": "maybe"}),
            None,
        )
        .await;
        assert_eq!(fields(&r), vec!["recommendation"]);

        // partial scores are kept while editing, with the version as ETag
        let r = put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"relevance": 7}, "comment": "Draft", "recommendation": "fund"}),
            Some("\"2\""),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.header("etag").as_deref(), Some("\"3\""));
        assert_eq!(r.body["scores"]["relevance"], 7);
        // a stale If-Match
        put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"relevance": 8}}),
            Some("\"2\""),
        )
        .await
        .assert_problem(412, "precondition_failed");
        // submitting with a criterion missing names it
        let r = submit(&app, &reviewer, &assignment).await;
        assert_eq!(fields(&r), vec!["scores.capacity"]);
        let r = put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"relevance": 7, "capacity": 9}, "comment": "Strong team."}),
            None,
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = submit(&app, &reviewer, &assignment).await;
        assert_eq!(fields(&r), vec!["recommendation"]);
        let r = put_review(&app, &reviewer, &assignment,
            json!({"scores": {"relevance": 7, "capacity": 9}, "comment": "Strong team.", "recommendation": "fund_with_changes"}), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = submit(&app, &reviewer, &assignment).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.body["submitted_at"].is_string());
        // frozen
        put_review(
            &app,
            &reviewer,
            &assignment,
            json!({"scores": {"relevance": 1}}),
            None,
        )
        .await
        .assert_problem(409, "invalid_state");
        submit(&app, &reviewer, &assignment)
            .await
            .assert_problem(409, "invalid_state");
        // the recused reviewer still sees no reviews; the secretariat sees the submitted one
        app.get_as(&recused, &format!("/api/v1/applications/{a}/reviews"))
            .await
            .assert_problem(404, "not_found");
        let r = app
            .get_as(&w.admin, &format!("/api/v1/applications/{a}/reviews"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let reviews = r.body["reviews"].as_array().expect("reviews");
        assert_eq!(reviews.len(), 1);
        // 0.4·7/10 + 0.6·9/10 = 0.28 + 0.54 = 82
        assert_eq!(reviews[0]["weighted_score"], "82.00");
        assert_eq!(reviews[0]["recommendation"], "fund_with_changes");
        assert_eq!(reviews[0]["reviewer_name"], "Test user");
        // donors and NGOs read no reviews, and no ranking
        let (donor, _) = person(&app, "donor", None, &[]).await;
        app.get_as(&donor, &format!("/api/v1/applications/{a}/reviews"))
            .await
            .assert_problem(403, "forbidden");
        app.get_as(w.ngo_token(), &format!("/api/v1/applications/{a}/reviews"))
            .await
            .assert_problem(403, "forbidden");
        app.get_as(
            w.ngo_token(),
            &format!("/api/v1/calls/{}/ranking", w.call_id()),
        )
        .await
        .assert_problem(403, "forbidden");
        app.get_as(&reviewer, &format!("/api/v1/calls/{}/ranking", w.call_id()))
            .await
            .assert_problem(403, "forbidden");
    }
);

both_backends!(
    others_reviews_wait_for_ones_own_and_the_ranking_draws_the_funding_line,
    |app: TestApp| async move {
        // 40,000 received, 13% support cost: 34,800 available
        let w = world(&app)
            .donor()
            .received("40000.00")
            .application_with(proposal("A shelter", "15000.00"))
            .submitted()
            .screened()
            .application_with(proposal("B legal aid", "15000.00"))
            .submitted()
            .screened()
            .application_with(proposal("C reintegration", "15000.00"))
            .submitted()
            .screened()
            .application_with(proposal("D awareness", "1000.00"))
            .submitted()
            .screened()
            .await;
        let [a, b, c, unreviewed]: [String; 4] = w.applications().try_into().expect("four");
        let (r1, r1_id) = person(&app, "reviewer", None, &[]).await;
        let (r2, r2_id) = person(&app, "reviewer", None, &[]).await;
        let (trustee, trustee_id) = person(&app, "trustee", None, &[w.fund_id()]).await;
        let (board, _) = person(&app, "trustee", None, &[w.fund_id()]).await;
        let (outsider, _) = person(&app, "trustee", None, &[]).await;

        let r1_a = assigned(&app, &w, &a, &r1_id).await;
        let r2_a = assigned(&app, &w, &a, &r2_id).await;
        let t_a = assigned(&app, &w, &a, &trustee_id).await;
        let r1_b = assigned(&app, &w, &b, &r1_id).await;
        let r2_b = assigned(&app, &w, &b, &r2_id).await;
        let r1_c = assigned(&app, &w, &c, &r1_id).await;

        // A: 0.4·8/10 + 0.6·6/10 = 68 and 100: mean 84, spread 32 (divergent)
        review(&app, &r1, &r1_a, 8, 6, "fund").await;
        // r2 is cleared on A but has not submitted: only its own draft, others hidden
        let r = declare(&app, &r2, &r2_a, json!({"has_conflict": false})).await;
        assert_eq!(r.status, 200);
        let r = put_review(&app, &r2, &r2_a, json!({"scores": {"relevance": 10}}), None).await;
        assert_eq!(r.status, 200);
        let reviews = app
            .get_as(&r2, &format!("/api/v1/applications/{a}/reviews"))
            .await;
        assert_eq!(reviews.status, 200, "{}", reviews.text);
        assert_eq!(reviews.body["others_hidden"], true);
        let list = reviews.body["reviews"].as_array().expect("reviews");
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["assignment_id"], r2_a.as_str());
        assert!(list[0]["weighted_score"].is_null());
        assert!(list[0]["submitted_at"].is_null());
        // the trustee assigned to A has not declared: nothing of others either
        let r = app
            .get_as(&trustee, &format!("/api/v1/applications/{a}/reviews"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["others_hidden"], true);
        assert_eq!(r.body["reviews"].as_array().map(Vec::len), Some(0));
        // a trustee of the fund without an assignment reads them all
        let r = app
            .get_as(&board, &format!("/api/v1/applications/{a}/reviews"))
            .await;
        assert_eq!(r.body["others_hidden"], false);
        assert_eq!(r.body["reviews"].as_array().map(Vec::len), Some(1));
        app.get_as(&outsider, &format!("/api/v1/applications/{a}/reviews"))
            .await
            .assert_problem(404, "not_found");
        let r = put_review(
            &app,
            &r2,
            &r2_a,
            json!({"scores": {"relevance": 10, "capacity": 10}, "recommendation": "fund"}),
            None,
        )
        .await;
        assert_eq!(r.status, 200);
        assert_eq!(submit(&app, &r2, &r2_a).await.status, 200);
        let reviews = app
            .get_as(&r2, &format!("/api/v1/applications/{a}/reviews"))
            .await;
        assert_eq!(reviews.body["others_hidden"], false);
        let scores: Vec<&str> = reviews.body["reviews"]
            .as_array()
            .expect("reviews")
            .iter()
            .map(|r| r["weighted_score"].as_str().expect("score"))
            .collect();
        assert_eq!(scores, vec!["68.00", "100.00"]);
        // the trustee declares a conflict on A: no reviews, no scores in the ranking
        let r = declare(
            &app,
            &trustee,
            &t_a,
            json!({"has_conflict": true, "statement": "I chair its board."}),
        )
        .await;
        assert_eq!(r.status, 200);
        app.get_as(&trustee, &format!("/api/v1/applications/{a}/reviews"))
            .await
            .assert_problem(404, "not_found");

        // B: 50 and 0.4·6/10 + 0.6·4/10 = 48: mean 49, spread 2
        review(&app, &r1, &r1_b, 5, 5, "do_not_fund").await;
        review(&app, &r2, &r2_b, 6, 4, "fund_with_changes").await;
        // C: 90 alone
        review(&app, &r1, &r1_c, 9, 9, "fund").await;

        let ranking_path = format!("/api/v1/calls/{}/ranking", w.call_id());
        let r = app.get_as(&w.admin, &ranking_path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let rows = r.body["applications"].as_array().expect("rows").clone();
        let order: Vec<&str> = rows
            .iter()
            .map(|r| r["application_id"].as_str().expect("id"))
            .collect();
        assert_eq!(
            order,
            vec![c.as_str(), a.as_str(), b.as_str(), unreviewed.as_str()]
        );
        let field = |i: usize, f: &str| rows[i][f].clone();
        assert_eq!(field(0, "score"), "90.00");
        assert_eq!(field(0, "spread"), "0.00");
        assert_eq!(field(0, "review_count"), 1);
        assert_eq!(field(0, "divergent"), false);
        assert_eq!(field(0, "rank"), 1);
        assert_eq!(field(1, "score"), "84.00");
        assert_eq!(field(1, "spread"), "32.00");
        assert_eq!(field(1, "divergent"), true);
        assert_eq!(field(1, "review_count"), 2);
        assert_eq!(
            field(1, "recommendations"),
            json!({"fund": 2, "do_not_fund": 0, "fund_with_changes": 0})
        );
        assert_eq!(field(1, "rank"), 2);
        assert_eq!(field(2, "score"), "49.00");
        assert_eq!(field(2, "spread"), "2.00");
        assert_eq!(field(2, "divergent"), false);
        assert_eq!(
            field(2, "recommendations"),
            json!({"fund": 0, "do_not_fund": 1, "fund_with_changes": 1})
        );
        assert!(field(3, "score").is_null());
        assert!(field(3, "rank").is_null());
        assert_eq!(field(3, "review_count"), 0);
        // the funding line: 15,000 + 15,000 fit in 34,800; the third does not
        assert_eq!(r.body["funding_line"]["available"], "34800.00");
        assert_eq!(r.body["funding_line"]["base_currency"], "USD");
        assert_eq!(r.body["funding_line"]["applications_within"], 2);
        assert_eq!(r.body["funding_line"]["amount_within"], "30000.00");
        assert_eq!(r.body["funding_line"]["first_below"], b.as_str());
        assert_eq!(field(0, "cumulative_in_base"), "15000.00");
        assert_eq!(field(1, "cumulative_in_base"), "30000.00");
        assert_eq!(field(2, "cumulative_in_base"), "45000.00");
        let within: Vec<bool> = rows
            .iter()
            .map(|r| r["within_funding_line"].as_bool().expect("bool"))
            .collect();
        assert_eq!(within, vec![true, true, false, false]);
        assert_eq!(r.body["divergence_threshold"], 25);

        // the recused trustee sees A's row without scores; the others in full
        let r = app.get_as(&trustee, &ranking_path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let rows = r.body["applications"].as_array().expect("rows");
        let row_a = rows
            .iter()
            .find(|r| r["application_id"] == a.as_str())
            .expect("A");
        assert_eq!(row_a["recused"], true);
        assert!(row_a["score"].is_null() && row_a["spread"].is_null());
        assert!(row_a["recommendations"].is_null() && row_a["divergent"].is_null());
        let row_c = rows
            .iter()
            .find(|r| r["application_id"] == c.as_str())
            .expect("C");
        assert_eq!(row_c["score"], "90.00");
        assert_eq!(row_c["recused"], false);
        // a trustee of another fund does not find the call's ranking
        app.get_as(&outsider, &ranking_path)
            .await
            .assert_problem(404, "not_found");
    }
);
