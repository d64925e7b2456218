//! Random sequences of approvals, payments, refunds, cancellations and terminations, driven
//! over HTTP on both backends. After each sequence the fund status and every grant's
//! disbursed, remaining and refunded amounts are compared with an independent
//! recomputation done here with plain decimal arithmetic.

use crate::common;

use common::TestApp;
use common::board::*;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;

#[derive(Debug, Clone)]
enum Op {
    /// The board approves a new application for this many cents (single instalment on
    /// signature) and the grantee signs.
    Approve {
        cents: i64,
    },
    /// A payment requested, approved and paid.
    Pay {
        grant: Index,
        cents: i64,
    },
    /// A payment requested, then cancelled before it is paid.
    RequestAndCancel {
        grant: Index,
        cents: i64,
    },
    Refund {
        grant: Index,
        cents: i64,
    },
    Terminate {
        grant: Index,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1i64..=1_500_000).prop_map(|cents| Op::Approve { cents }),
        4 => (any::<Index>(), 1i64..=900_000).prop_map(|(grant, cents)| Op::Pay { grant, cents }),
        1 => (any::<Index>(), 1i64..=900_000).prop_map(|(grant, cents)| Op::RequestAndCancel { grant, cents }),
        2 => (any::<Index>(), 1i64..=400_000).prop_map(|(grant, cents)| Op::Refund { grant, cents }),
        1 => any::<Index>().prop_map(|grant| Op::Terminate { grant }),
    ]
}

fn history() -> impl Strategy<Value = (i64, Vec<Op>)> {
    (1_000_000i64..=6_000_000, prop::collection::vec(op(), 1..10))
}

fn usd(cents: i64) -> String {
    Decimal::new(cents, 2).to_string()
}

/// What this test believes about one grant.
#[derive(Debug, Clone)]
struct GrantModel {
    id: String,
    instalment: String,
    amount: i64,
    paid: i64,
    refunded: i64,
    terminated: bool,
}

#[derive(Debug, Default)]
struct Model {
    received: i64,
    support: i64,
    committed: i64,
    disbursed: i64,
    refunds: i64,
    grants: Vec<GrantModel>,
}

impl Model {
    fn available(&self) -> i64 {
        self.received - self.support - self.committed + self.refunds
    }
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

async fn run_history(
    app: &TestApp,
    finance: (&str, &str),
    received: i64,
    ops: &[Op],
) -> Result<(), TestCaseError> {
    let b = board(app).await;
    receive(app, &b, &usd(received)).await;
    // 13 % programme support cost on the receipt, half to even
    let support = (Decimal::new(received, 2) * Decimal::new(13, 2))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
    let mut m = Model {
        received,
        support: (support * Decimal::ONE_HUNDRED).try_into().unwrap_or(0),
        ..Model::default()
    };
    let (requester, approver) = finance;
    let today = chrono::Utc::now().date_naive().to_string();
    for op in ops {
        match op {
            Op::Approve { cents } => {
                let application = under_review(app, &b, "Project", &usd(*cents)).await;
                let s = session(app, &b, 3).await;
                let mut body = approve(&application, &usd(*cents));
                // every history's applications resemble the world's registry projects
                body["overlap_weighing"] = json!("Different districts; the board funds both.");
                body["instalments"] =
                    json!([{"amount": usd(*cents), "due_on": today, "condition": "on_signature"}]);
                let r = decide(app, &b.admin, &s, body).await;
                if *cents <= m.available() {
                    prop_assert_eq!(r.status.as_u16(), 201, "{}", r.text);
                    m.committed += cents;
                    let grant = &r.body["grant"];
                    let id = grant["id"].as_str().expect("id").to_string();
                    let r = app
                        .post_as(&b.ngo, &format!("/api/v1/grants/{id}/sign"), json!({}))
                        .await;
                    prop_assert_eq!(r.status.as_u16(), 200, "{}", r.text);
                    m.grants.push(GrantModel {
                        id,
                        instalment: grant["instalments"][0]["id"]
                            .as_str()
                            .expect("id")
                            .to_string(),
                        amount: *cents,
                        paid: 0,
                        refunded: 0,
                        terminated: false,
                    });
                } else {
                    prop_assert_eq!(r.status.as_u16(), 409, "{}", r.text);
                    prop_assert_eq!(r.body["code"].as_str(), Some("insufficient_funds"));
                }
            }
            Op::Pay { grant, cents } | Op::RequestAndCancel { grant, cents } => {
                if m.grants.is_empty() {
                    continue;
                }
                let g = grant.get(&m.grants).clone();
                let r = app
                    .post_as(
                        requester,
                        &format!("/api/v1/grants/{}/disbursements", g.id),
                        json!({"instalment_id": g.instalment, "amount": usd(*cents)}),
                    )
                    .await;
                if g.terminated || g.paid + cents > g.amount {
                    prop_assert_eq!(r.status.as_u16(), 409, "{}", r.text);
                    continue;
                }
                prop_assert_eq!(r.status.as_u16(), 201, "{}", r.text);
                let d = r.body["id"].as_str().expect("id").to_string();
                if matches!(op, Op::Pay { .. }) {
                    for (step, body) in [
                        ("approve", json!({})),
                        (
                            "pay",
                            json!({"paid_on": today, "reference": format!("W-{d}")}),
                        ),
                    ] {
                        let r = app
                            .post_as(approver, &format!("/api/v1/disbursements/{d}/{step}"), body)
                            .await;
                        prop_assert_eq!(r.status.as_u16(), 200, "{}: {}", step, r.text);
                    }
                    let g = grant.get_mut(&mut m.grants);
                    g.paid += cents;
                    m.disbursed += cents;
                } else {
                    let r = app
                        .post_as(
                            requester,
                            &format!("/api/v1/disbursements/{d}/cancel"),
                            json!({}),
                        )
                        .await;
                    prop_assert_eq!(r.status.as_u16(), 200, "{}", r.text);
                }
            }
            Op::Refund { grant, cents } => {
                if m.grants.is_empty() {
                    continue;
                }
                let g = grant.get_mut(&mut m.grants);
                let r = app
                    .post_as(
                        requester,
                        &format!("/api/v1/grants/{}/refunds", g.id),
                        json!({"amount": usd(*cents), "received_on": today, "reference": "RET"}),
                    )
                    .await;
                if g.refunded + cents <= g.paid {
                    prop_assert_eq!(r.status.as_u16(), 201, "{}", r.text);
                    g.refunded += cents;
                    m.refunds += cents;
                } else {
                    prop_assert_eq!(r.status.as_u16(), 409, "{}", r.text);
                }
            }
            Op::Terminate { grant } => {
                if m.grants.is_empty() {
                    continue;
                }
                let g = grant.get_mut(&mut m.grants);
                let r = app
                    .post_as(
                        &b.admin,
                        &format!("/api/v1/grants/{}/terminate", g.id),
                        json!({"reason": "stopped"}),
                    )
                    .await;
                if g.terminated {
                    prop_assert_eq!(r.status.as_u16(), 409, "{}", r.text);
                } else {
                    prop_assert_eq!(r.status.as_u16(), 200, "{}", r.text);
                    g.terminated = true;
                    m.committed -= g.amount - g.paid;
                }
            }
        }
    }
    let figures = fund_status(app, &b).await;
    for (field, expected) in [
        ("committed", m.committed),
        ("disbursed", m.disbursed),
        ("refunds", m.refunds),
        ("available", m.available()),
        ("support_costs", m.support),
    ] {
        prop_assert_eq!(
            figures[field].as_str().map(str::to_string),
            Some(usd(expected)),
            "{} in {}",
            field,
            figures
        );
    }
    for g in &m.grants {
        let r = app
            .get_as(&b.admin, &format!("/api/v1/grants/{}", g.id))
            .await;
        let remaining = if g.terminated { 0 } else { g.amount - g.paid };
        for (field, expected) in [
            ("disbursed", g.paid),
            ("remaining", remaining),
            ("refunded", g.refunded),
        ] {
            if r.body[field].as_str() != Some(usd(expected).as_str()) {
                return Err(fail(format!("grant {field}: {} against {g:?}", r.body)));
            }
        }
    }
    Ok(())
}

both_backends!(
    random_grant_histories_match_an_independent_recomputation,
    |app: TestApp| async move {
        let requester = app.user_token("finance", None);
        let approver = app.user_token("finance", None);
        let handle = tokio::runtime::Handle::current();
        tokio::task::block_in_place(|| {
            let mut runner = TestRunner::new(Config {
                cases: 12,
                failure_persistence: None,
                ..Config::default()
            });
            runner
                .run(&history(), |(received, ops)| {
                    handle.block_on(run_history(&app, (&requester, &approver), received, &ops))
                })
                .expect("every random grant history matches the recomputation");
        });
    }
);
