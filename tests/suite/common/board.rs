//! A fund's board and money for tests of decisions, grants and what follows: a fund with a
//! board of four trustees (quorum three), an open call, an NGO, a donor, applications under
//! review, money received, sessions and decisions, all made over HTTP.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::{Reply, TestApp};

/// A fund with a board of four trustees (quorum three), an open call without required
/// documents, an NGO and a donor.
pub struct Board {
    pub admin: String,
    pub fund_id: String,
    pub call_id: String,
    pub org_id: String,
    pub ngo: String,
    pub donor_id: String,
    /// (user id, token) of each trustee.
    pub trustees: Vec<(String, String)>,
}

pub async fn created_id(r: Reply) -> String {
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

pub async fn board(app: &TestApp) -> Board {
    let admin = app.user_token("admin", None);
    let code = format!("B{}", &uuid::Uuid::new_v4().simple().to_string()[..6]).to_uppercase();
    let fund_id = created_id(
        app.post_as(
            &admin,
            "/api/v1/funds",
            json!({"code": code, "name": "Board fund", "support_cost_rate": "0.13", "board_quorum": 3}),
        )
        .await,
    )
    .await;
    let call_id = created_id(
        app.post_as(
            &admin,
            &format!("/api/v1/funds/{fund_id}/calls"),
            json!({
                "title": "Grants 2026",
                "description": "Grants up to USD 20,000.",
                "opens_at": (Utc::now() - Duration::hours(1)).to_rfc3339(),
                "closes_at": (Utc::now() + Duration::days(30)).to_rfc3339(),
                "max_amount": "20000.00",
                "currency": "USD",
                "max_duration_months": 12,
                "eligible_countries": [],
                "themes": ["protection.shelter"],
                "required_documents": [],
                "rubric": [{"key": "relevance", "title": "Relevance", "weight": 1, "max_score": 10}]
            }),
        )
        .await,
    )
    .await;
    let r = app
        .post_as(&admin, &format!("/api/v1/calls/{call_id}/open"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let org_id = created_id(
        app.post_as(
            &admin,
            "/api/v1/organisations",
            json!({"name": "Safe Haven Lagos", "kind": "ngo", "country": "NG"}),
        )
        .await,
    )
    .await;
    let donor_id = created_id(
        app.post_as(
            &admin,
            "/api/v1/organisations",
            json!({"name": "Luxembourg", "kind": "government", "country": "LU"}),
        )
        .await,
    )
    .await;
    let ngo = app.user_token("ngo", Some(&org_id));
    let trustees = (0..4)
        .map(|_| app.user_with_funds("trustee", None, &[&fund_id]))
        .collect();
    Board {
        admin,
        fund_id,
        call_id,
        org_id,
        ngo,
        donor_id,
        trustees,
    }
}

/// An application asking for `amount`, submitted and screened in: `under_review`.
pub async fn under_review(app: &TestApp, b: &Board, title: &str, amount: &str) -> String {
    under_review_with(
        app,
        b,
        json!({
            "title": title,
            "summary": "Shelter and legal aid for survivors.",
            "requested_amount": amount,
            "duration_months": 12,
            "countries": ["NG"],
            "themes": ["protection.shelter"],
            "budget": [{"category": "shelter", "description": "rent", "amount": amount}]
        }),
    )
    .await
}

/// An application with this content, submitted and screened in: `under_review`.
pub async fn under_review_with(app: &TestApp, b: &Board, content: Value) -> String {
    let id = created_id(
        app.post_as(
            &b.ngo,
            &format!("/api/v1/calls/{}/applications", b.call_id),
            content,
        )
        .await,
    )
    .await;
    let r = app
        .post_as(
            &b.ngo,
            &format!("/api/v1/applications/{id}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post_as(
            &b.admin,
            &format!("/api/v1/applications/{id}/screening"),
            json!({"eligible": true, "notes": "eligible"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

/// Money received: `amount` USD, of which 13 % goes to programme support costs.
pub async fn receive(app: &TestApp, b: &Board, amount: &str) {
    let r = app
        .post_as(
            &b.admin,
            &format!("/api/v1/funds/{}/contributions", b.fund_id),
            json!({
                "donor_id": b.donor_id,
                "amount": amount,
                "currency": "USD",
                "received_on": Utc::now().date_naive().to_string(),
                "reference": format!("BANK-{}", uuid::Uuid::new_v4().simple())
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

pub async fn session(app: &TestApp, b: &Board, trustees: usize) -> String {
    let ids: Vec<&str> = b.trustees[..trustees]
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    created_id(
        app.post_as(
            &b.admin,
            &format!("/api/v1/funds/{}/board-sessions", b.fund_id),
            json!({"held_on": Utc::now().date_naive().to_string(), "trustee_ids": ids}),
        )
        .await,
    )
    .await
}

pub async fn decide(app: &TestApp, token: &str, session: &str, body: Value) -> Reply {
    app.post_as(
        token,
        &format!("/api/v1/board-sessions/{session}/decisions"),
        body,
    )
    .await
}

pub fn approve(application: &str, amount: &str) -> Value {
    json!({"application_id": application, "outcome": "approved", "approved_amount": amount,
           "rationale": "ranked high by the reviewers"})
}

pub async fn status(app: &TestApp, token: &str, application: &str) -> String {
    let r = app
        .get_as(token, &format!("/api/v1/applications/{application}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["status"].as_str().expect("status").to_string()
}

pub async fn fund_status(app: &TestApp, b: &Board) -> Value {
    let r = app
        .get_as(&b.admin, &format!("/api/v1/funds/{}/status", b.fund_id))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

pub fn templates_sent_to(app: &TestApp, template: &str) -> Vec<Value> {
    use diesel::prelude::*;
    use trustfund::db::schema::outbox;
    let mut conn = app.pool.get().expect("connection");
    outbox::table
        .filter(outbox::template.eq(template))
        // ids are UUIDv7, monotonic within the process: the order the mails were queued
        .order((outbox::created_at, outbox::id))
        .select(outbox::context)
        .load::<String>(&mut *conn)
        .expect("outbox")
        .into_iter()
        .map(|c| serde_json::from_str(&c).expect("json"))
        .collect()
}
