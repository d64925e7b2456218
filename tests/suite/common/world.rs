//! `World`: what a test needs to exist before it starts — a fund, an open call, an NGO with a
//! member, applications taken through submission and screening, a board, money, a grant,
//! its signature and payments — made over HTTP against the real server, like any client.
//!
//! Steps are chained and run, in order, when the world is awaited; each checks the server's
//! answer, so a world that could not be made fails the test where it broke:
//!
//! ```ignore
//! let w = World::new(&app)
//!     .fund().open_call().ngo().donor().trustees(4).received("50000.00")
//!     .application("Shelter in Lagos", "10000.00").submitted().screened()
//!     .grant("10000.00").signed()
//!     .pay(0, "6000.00")
//!     .await;
//! let (grant, paid) = (w.grant_id(), w.disbursement());
//! ```
//!
//! An awaited world can be extended and awaited again (`let w = w.pay(1, "4000.00").await;`).
//! What was made is read with the accessors (`fund_id()`, `ngo_token()`, `application_id()`,
//! `grant_json()`, …), which panic, naming the missing step, when it was not made.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::TestApp;
use super::board::Board;

/// A fund, a call, an NGO, … made step by step over HTTP; see the module documentation.
#[must_use = "a World makes nothing until it is awaited"]
pub struct World<'a> {
    pub app: &'a TestApp,
    /// Token of the secretariat (an admin) that makes the world.
    pub admin: String,
    fund: Option<(String, String)>,
    call: Option<Call>,
    ngo: Option<(String, String)>,
    donor_id: Option<String>,
    trustees: Vec<(String, String)>,
    session: Option<String>,
    applications: Vec<String>,
    grants: Vec<Value>,
    finance: Option<(String, String)>,
    disbursements: Vec<String>,
    steps: Vec<Step>,
}

struct Call {
    id: String,
    required_documents: Vec<String>,
}

enum Step {
    Fund(Value),
    OpenCall(Value),
    Ngo,
    Donor,
    Trustees(usize),
    Received(String),
    Application(Value),
    Submitted,
    Screened,
    Session(usize),
    Grant(String, Value),
    Signed,
    Pay(usize, String),
    Adopt(String),
}

/// The call `open_call()` opens: USD 20,000 for up to 12 months, any country, the theme
/// `protection.shelter`, no document required, one criterion.
pub fn default_call() -> Value {
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
    })
}

/// What `application(title, amount)` asks for: a year of shelter in Nigeria, one budget line.
pub fn default_application(title: &str, amount: &str) -> Value {
    json!({
        "title": title,
        "summary": "Shelter and legal aid for survivors.",
        "requested_amount": amount,
        "duration_months": 12,
        "countries": ["NG"],
        "themes": ["protection.shelter"],
        "budget": [{"category": "shelter", "description": "rent", "amount": amount}]
    })
}

/// A small valid PDF, as an NGO would upload it.
pub fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {text}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").into_bytes()
}

fn today() -> String {
    Utc::now().date_naive().to_string()
}

fn id_of(r: &super::Reply, what: &str) -> String {
    assert_eq!(r.status, 201, "{what}: {}", r.text);
    r.body["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{what}: no id in {}", r.text))
        .to_string()
}

impl<'a> World<'a> {
    /// Nothing yet but an admin's token.
    pub fn new(app: &'a TestApp) -> Self {
        World {
            app,
            admin: app.user_token("admin", None),
            fund: None,
            call: None,
            ngo: None,
            donor_id: None,
            trustees: Vec::new(),
            session: None,
            applications: Vec::new(),
            grants: Vec::new(),
            finance: None,
            disbursements: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// What `common::board::board` makes: a fund with a board of four trustees (quorum
    /// three), the default open call, an NGO and a donor.
    pub fn board(app: &'a TestApp) -> Self {
        World::new(app)
            .fund_with(json!({"name": "Board fund"}))
            .open_call()
            .ngo()
            .donor()
            .trustees(4)
    }

    /// Continues from a board made earlier (same admin, fund, call, NGO, donor, trustees).
    pub fn from_board(app: &'a TestApp, b: &Board) -> Self {
        World {
            app,
            admin: b.admin.clone(),
            fund: Some((b.fund_id.clone(), String::new())),
            call: Some(Call {
                id: b.call_id.clone(),
                required_documents: Vec::new(),
            }),
            ngo: Some((b.org_id.clone(), b.ngo.clone())),
            donor_id: Some(b.donor_id.clone()),
            trustees: b.trustees.clone(),
            session: None,
            applications: Vec::new(),
            grants: Vec::new(),
            finance: None,
            disbursements: Vec::new(),
            steps: Vec::new(),
        }
    }

    fn then(mut self, step: Step) -> Self {
        self.steps.push(step);
        self
    }

    /// A fund in USD: a fresh code, 13 % programme support costs, board quorum 3.
    pub fn fund(self) -> Self {
        self.fund_with(json!({}))
    }

    /// `fund()` with these fields of the request replaced or added.
    pub fn fund_with(self, fields: Value) -> Self {
        self.then(Step::Fund(fields))
    }

    /// `default_call()`, created in the fund and opened.
    pub fn open_call(self) -> Self {
        self.open_call_with(default_call())
    }

    /// A call with this body, created in the fund and opened. Applications made later
    /// upload a PDF for each of its `required_documents`.
    pub fn open_call_with(self, body: Value) -> Self {
        self.then(Step::OpenCall(body))
    }

    /// The NGO "Safe Haven Lagos" (Nigeria) and a member's token.
    pub fn ngo(self) -> Self {
        self.then(Step::Ngo)
    }

    /// The donor Luxembourg (a government).
    pub fn donor(self) -> Self {
        self.then(Step::Donor)
    }

    /// `count` trustees sitting on the fund's board.
    pub fn trustees(self, count: usize) -> Self {
        self.then(Step::Trustees(count))
    }

    /// Money received from the donor into the fund: `amount` USD today.
    pub fn received(self, amount: &str) -> Self {
        self.then(Step::Received(amount.to_string()))
    }

    /// A draft with `default_application(title, amount)` and the call's documents.
    pub fn application(self, title: &str, amount: &str) -> Self {
        self.application_with(default_application(title, amount))
    }

    /// A draft with this content and a PDF for each document the call requires; it becomes
    /// `application()`, the one the next steps act on.
    pub fn application_with(self, content: Value) -> Self {
        self.then(Step::Application(content))
    }

    /// An application made elsewhere (on the pages, say) becomes the current one.
    pub fn adopt(self, application_id: &str) -> Self {
        self.then(Step::Adopt(application_id.to_string()))
    }

    /// The current application submitted by the NGO.
    pub fn submitted(self) -> Self {
        self.then(Step::Submitted)
    }

    /// The current application screened in by the secretariat: `under_review`.
    pub fn screened(self) -> Self {
        self.then(Step::Screened)
    }

    /// `application(title, amount)`, submitted and screened in.
    pub fn under_review(self, title: &str, amount: &str) -> Self {
        self.application(title, amount).submitted().screened()
    }

    /// A board session with the first `trustees` trustees; later grants are decided in it.
    pub fn session(self, trustees: usize) -> Self {
        self.then(Step::Session(trustees))
    }

    /// The board approves the current application for `amount` (in the world's session, or
    /// one of three trustees opened for it), with the fund's default instalment plan.
    pub fn grant(self, amount: &str) -> Self {
        self.grant_with(amount, json!({}))
    }

    /// `grant(amount)` with these fields added to the decision (e.g. `instalments`).
    pub fn grant_with(self, amount: &str, fields: Value) -> Self {
        self.then(Step::Grant(amount.to_string(), fields))
    }

    /// The current grant signed by the NGO: `active`.
    pub fn signed(self) -> Self {
        self.then(Step::Signed)
    }

    /// `amount` of the current grant's instalment number `instalment` (from 0) paid with
    /// four eyes: requested by one finance officer, approved and paid by another.
    pub fn pay(self, instalment: usize, amount: &str) -> Self {
        self.then(Step::Pay(instalment, amount.to_string()))
    }

    pub fn fund_id(&self) -> &str {
        &self.fund.as_ref().expect("no fund: add .fund()").0
    }

    pub fn fund_code(&self) -> &str {
        let code = &self.fund.as_ref().expect("no fund: add .fund()").1;
        assert!(!code.is_empty(), "the fund was not made by this world");
        code
    }

    pub fn call_id(&self) -> &str {
        &self.call.as_ref().expect("no call: add .open_call()").id
    }

    pub fn org_id(&self) -> &str {
        &self.ngo.as_ref().expect("no NGO: add .ngo()").0
    }

    /// Token of a member of the NGO.
    pub fn ngo_token(&self) -> &str {
        &self.ngo.as_ref().expect("no NGO: add .ngo()").1
    }

    pub fn donor_id(&self) -> &str {
        self.donor_id.as_deref().expect("no donor: add .donor()")
    }

    /// (user id, token) of each trustee.
    pub fn trustee_list(&self) -> &[(String, String)] {
        &self.trustees
    }

    pub fn session_id(&self) -> &str {
        self.session
            .as_deref()
            .expect("no board session: add .session(n) or .grant(amount)")
    }

    /// The newest application.
    pub fn application_id(&self) -> &str {
        self.applications
            .last()
            .expect("no application: add .application(title, amount)")
    }

    /// Every application, oldest first.
    pub fn applications(&self) -> Vec<String> {
        self.applications.clone()
    }

    /// The newest grant, as the board's decision returned it (with its instalments).
    pub fn grant_json(&self) -> &Value {
        self.grants.last().expect("no grant: add .grant(amount)")
    }

    pub fn grant_id(&self) -> &str {
        self.grant_json()["id"].as_str().expect("grant id")
    }

    /// The newest disbursement paid by `pay`.
    pub fn disbursement(&self) -> &str {
        self.disbursements
            .last()
            .expect("nothing paid: add .pay(instalment, amount)")
    }

    /// Tokens of the two finance officers who pay: (requester, approver).
    pub fn finance(&mut self) -> (String, String) {
        let app = self.app;
        self.finance
            .get_or_insert_with(|| {
                (
                    app.user_token("finance", None),
                    app.user_token("finance", None),
                )
            })
            .clone()
    }

    /// The fund with its board, as the helpers of `common::board` take it.
    pub fn to_board(&self) -> Board {
        assert!(!self.trustees.is_empty(), "no trustees: add .trustees(n)");
        Board {
            admin: self.admin.clone(),
            fund_id: self.fund_id().to_string(),
            call_id: self.call_id().to_string(),
            org_id: self.org_id().to_string(),
            ngo: self.ngo_token().to_string(),
            donor_id: self.donor_id().to_string(),
            trustees: self.trustees.clone(),
        }
    }

    async fn open_session(&mut self, count: usize) {
        assert!(
            self.trustees.len() >= count,
            "a session of {count} needs as many trustees: add .trustees({count})"
        );
        let ids: Vec<&str> = self.trustees[..count]
            .iter()
            .map(|(id, _)| id.as_str())
            .collect();
        let fund = self.fund_id();
        let r = self
            .app
            .post_as(
                &self.admin,
                &format!("/api/v1/funds/{fund}/board-sessions"),
                json!({"held_on": today(), "trustee_ids": ids}),
            )
            .await;
        self.session = Some(id_of(&r, "board session"));
    }

    async fn run(&mut self, step: Step) {
        let app = self.app;
        match step {
            Step::Fund(fields) => {
                let code =
                    format!("F{}", &uuid::Uuid::new_v4().simple().to_string()[..6]).to_uppercase();
                let mut body = json!({"code": code, "name": "Trust fund",
                                      "support_cost_rate": "0.13", "board_quorum": 3});
                for (key, value) in fields.as_object().expect("fund fields: an object") {
                    body[key] = value.clone();
                }
                let r = app.post_as(&self.admin, "/api/v1/funds", body).await;
                let id = id_of(&r, "fund");
                let code = r.body["code"].as_str().expect("fund code").to_string();
                self.fund = Some((id, code));
            }
            Step::OpenCall(body) => {
                let required_documents = body["required_documents"]
                    .as_array()
                    .map(|kinds| {
                        kinds
                            .iter()
                            .map(|k| k.as_str().expect("a document kind").to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                let fund = self.fund_id().to_string();
                let r = app
                    .post_as(&self.admin, &format!("/api/v1/funds/{fund}/calls"), body)
                    .await;
                let id = id_of(&r, "call");
                let r = app
                    .post_as(&self.admin, &format!("/api/v1/calls/{id}/open"), json!({}))
                    .await;
                assert_eq!(r.status, 200, "open the call: {}", r.text);
                self.call = Some(Call {
                    id,
                    required_documents,
                });
            }
            Step::Ngo => {
                let r = app
                    .post_as(
                        &self.admin,
                        "/api/v1/organisations",
                        json!({"name": "Safe Haven Lagos", "kind": "ngo", "country": "NG",
                               "verified": true}),
                    )
                    .await;
                let org = id_of(&r, "NGO");
                let token = app.user_token("ngo", Some(&org));
                self.ngo = Some((org, token));
            }
            Step::Donor => {
                let r = app
                    .post_as(
                        &self.admin,
                        "/api/v1/organisations",
                        json!({"name": "Luxembourg", "kind": "government", "country": "LU"}),
                    )
                    .await;
                self.donor_id = Some(id_of(&r, "donor"));
            }
            Step::Trustees(count) => {
                let fund = self.fund_id().to_string();
                for _ in 0..count {
                    let trustee = app.user_with_funds("trustee", None, &[&fund]);
                    self.trustees.push(trustee);
                }
            }
            Step::Received(amount) => {
                let (fund, donor) = (self.fund_id(), self.donor_id());
                let r = app
                    .post_as(
                        &self.admin,
                        &format!("/api/v1/funds/{fund}/contributions"),
                        json!({
                            "donor_id": donor,
                            "amount": amount,
                            "currency": "USD",
                            "received_on": today(),
                            "reference": format!("BANK-{}", uuid::Uuid::new_v4().simple())
                        }),
                    )
                    .await;
                assert_eq!(r.status, 201, "contribution: {}", r.text);
            }
            Step::Application(content) => {
                let call = self.call.as_ref().expect("no call: add .open_call()");
                let r = app
                    .post_as(
                        self.ngo_token(),
                        &format!("/api/v1/calls/{}/applications", call.id),
                        content,
                    )
                    .await;
                let id = id_of(&r, "application");
                for kind in &call.required_documents {
                    let form = reqwest::multipart::Form::new()
                        .text("kind", kind.clone())
                        .part(
                            "file",
                            reqwest::multipart::Part::bytes(pdf(kind))
                                .file_name(format!("{kind}.pdf"))
                                .mime_str("application/octet-stream")
                                .expect("mime"),
                        );
                    let response = app
                        .client
                        .post(app.url(&format!("/api/v1/applications/{id}/documents")))
                        .bearer_auth(self.ngo_token())
                        .multipart(form)
                        .send()
                        .await
                        .expect("sent");
                    let r = super::Reply::from(response).await;
                    assert_eq!(r.status, 201, "upload {kind}: {}", r.text);
                }
                self.applications.push(id);
            }
            Step::Submitted => {
                let id = self.application_id();
                let r = app
                    .post_as(
                        self.ngo_token(),
                        &format!("/api/v1/applications/{id}/submit"),
                        json!({}),
                    )
                    .await;
                assert_eq!(r.status, 200, "submit: {}", r.text);
            }
            Step::Screened => {
                let id = self.application_id();
                let r = app
                    .post_as(
                        &self.admin,
                        &format!("/api/v1/applications/{id}/screening"),
                        json!({"eligible": true, "notes": "Eligible."}),
                    )
                    .await;
                assert_eq!(r.status, 200, "screening: {}", r.text);
                assert_eq!(r.body["status"], "under_review", "{}", r.text);
            }
            Step::Session(count) => self.open_session(count).await,
            Step::Adopt(id) => self.applications.push(id),
            Step::Grant(amount, fields) => {
                if self.session.is_none() {
                    self.open_session(3).await;
                }
                let mut body = json!({"application_id": self.application_id(),
                                      "outcome": "approved", "approved_amount": amount,
                                      "rationale": "ranked high by the reviewers"});
                for (key, value) in fields.as_object().expect("decision fields: an object") {
                    body[key] = value.clone();
                }
                let r = app
                    .post_as(
                        &self.admin,
                        &format!("/api/v1/board-sessions/{}/decisions", self.session_id()),
                        body,
                    )
                    .await;
                assert_eq!(r.status, 201, "decision: {}", r.text);
                assert_eq!(
                    r.body["grant"]["status"], "awaiting_signature",
                    "{}",
                    r.text
                );
                self.grants.push(r.body["grant"].clone());
            }
            Step::Signed => {
                let id = self.grant_id();
                let r = app
                    .post_as(
                        self.ngo_token(),
                        &format!("/api/v1/grants/{id}/sign"),
                        json!({}),
                    )
                    .await;
                assert_eq!(r.status, 200, "sign: {}", r.text);
                assert_eq!(r.body["status"], "active", "{}", r.text);
            }
            Step::Pay(instalment, amount) => {
                let (requester, approver) = self.finance();
                let grant = self.grant_json();
                let instalment_id = &grant["instalments"][instalment]["id"];
                assert!(
                    instalment_id.is_string(),
                    "the grant has no instalment {instalment}: {grant}"
                );
                let r = app
                    .post_as(
                        &requester,
                        &format!("/api/v1/grants/{}/disbursements", self.grant_id()),
                        json!({"instalment_id": instalment_id, "amount": amount}),
                    )
                    .await;
                let d = id_of(&r, "disbursement request");
                let reference = format!("W-{}", self.disbursements.len() + 1);
                for (step, body) in [
                    ("approve", json!({})),
                    ("pay", json!({"paid_on": today(), "reference": reference})),
                ] {
                    let r = app
                        .post_as(
                            &approver,
                            &format!("/api/v1/disbursements/{d}/{step}"),
                            body,
                        )
                        .await;
                    assert_eq!(r.status, 200, "{step}: {}", r.text);
                }
                self.disbursements.push(d);
            }
        }
    }
}

impl<'a> IntoFuture for World<'a> {
    type Output = World<'a>;
    type IntoFuture = Pin<Box<dyn Future<Output = World<'a>> + 'a>>;

    fn into_future(mut self) -> Self::IntoFuture {
        Box::pin(async move {
            for step in std::mem::take(&mut self.steps) {
                self.run(step).await;
            }
            self
        })
    }
}

impl Drop for World<'_> {
    /// A chain that was never awaited made nothing: say so rather than let a test go on.
    fn drop(&mut self) {
        if !self.steps.is_empty() && !std::thread::panicking() {
            panic!(
                "a World was dropped with {} step(s) never run: .await it",
                self.steps.len()
            );
        }
    }
}
