//! A fund's board and money for tests of decisions, grants and what follows: a fund with a
//! board of four trustees (quorum three), an open call, an NGO, a donor, applications under
//! review, money received, sessions and decisions, all made over HTTP (by `super::world`).

use serde_json::{Value, json};

use super::world::{World, default_application};
use super::{Reply, TestApp};

/// A fund with a board of four trustees (quorum three), an open call without required
/// documents, an NGO and a donor: made by `World::board`, read by the helpers below.
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
    World::board(app).await.to_board()
}

/// An application asking for `amount`, submitted and screened in: `under_review`.
pub async fn under_review(app: &TestApp, b: &Board, title: &str, amount: &str) -> String {
    under_review_with(app, b, default_application(title, amount)).await
}

/// An application with this content, submitted and screened in: `under_review`.
pub async fn under_review_with(app: &TestApp, b: &Board, content: Value) -> String {
    World::from_board(app, b)
        .application_with(content)
        .submitted()
        .screened()
        .await
        .application_id()
        .to_string()
}

/// Money received: `amount` USD, of which 13 % goes to programme support costs.
pub async fn receive(app: &TestApp, b: &Board, amount: &str) {
    let _ = World::from_board(app, b).received(amount).await;
}

/// A board session with the first `trustees` of the board.
pub async fn session(app: &TestApp, b: &Board, trustees: usize) -> String {
    World::from_board(app, b)
        .session(trustees)
        .await
        .session_id()
        .to_string()
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
