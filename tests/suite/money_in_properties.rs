//! Random histories of pledges, receipts and cancellations in several currencies (with 0, 2
//! and 3 decimals, table and explicit rates), driven over HTTP on both backends. After each
//! history the fund status, every pledge and every donor statement are compared with an
//! independent recomputation done here with plain decimal arithmetic.

use crate::common;

use std::collections::BTreeMap;

use common::TestApp;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use reqwest::Method;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::json;

const BASE: &str = "USD";
const CURRENCIES: &[(&str, u32)] = &[("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3)];
/// The rate table: (currency, valid from day, rate). KWD has none: only explicit rates.
const TABLE: &[(&str, i64, &str)] = &[
    ("EUR", 0, "1.0855"),
    ("EUR", 30, "1.1"),
    ("JPY", 10, "0.0067"),
    ("JPY", 40, "0.00671234"),
];
const EXPLICIT: &[&str] = &["1.0855", "0.0067", "3.2512", "0.5", "1.2345678"];
const DONORS: usize = 3;

/// A JSON string equals an expected text (owned, so no temporary outlives the check).
macro_rules! same {
    ($value:expr, $expected:expr $(, $($context:tt)*)?) => {{
        let expected: String = $expected;
        let value: Option<String> = $value.as_str().map(str::to_string);
        prop_assert_eq!(value, Some(expected) $(, $($context)*)?);
    }};
}

#[derive(Debug, Clone)]
enum Op {
    Pledge {
        donor: usize,
        currency: usize,
        minor: i64,
        day: i64,
    },
    Receipt {
        pledge: Option<Index>,
        donor: usize,
        currency: usize,
        minor: i64,
        day: i64,
        rate: Option<usize>,
    },
    Cancel {
        pledge: Index,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..DONORS, 0..CURRENCIES.len(), 1i64..5_000_000, 0i64..40)
            .prop_map(|(donor, currency, minor, day)| Op::Pledge { donor, currency, minor, day }),
        5 => (proptest::option::weighted(0.7, any::<Index>()), 0..DONORS, 0..CURRENCIES.len(),
              1i64..3_000_000, 0i64..60, proptest::option::weighted(0.3, 0..EXPLICIT.len()))
            .prop_map(|(pledge, donor, currency, minor, day, rate)| Op::Receipt { pledge, donor, currency, minor, day, rate }),
        1 => any::<Index>().prop_map(|pledge| Op::Cancel { pledge }),
    ]
}

fn history() -> impl Strategy<Value = (Vec<Op>, usize)> {
    (prop::collection::vec(op(), 1..25), 0..3usize)
}

const SUPPORT_RATES: &[&str] = &["0", "0.13", "0.125"];

fn dec(s: &str) -> Decimal {
    s.parse().expect("decimal literal")
}

fn round(x: Decimal, dp: u32) -> Decimal {
    x.round_dp_with_strategy(dp, RoundingStrategy::MidpointNearestEven)
}

fn date(day: i64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("date") + chrono::Duration::days(day))
        .to_string()
}

fn amount(minor: i64, currency: usize) -> Decimal {
    Decimal::new(minor, CURRENCIES[currency].1)
}

fn shown(x: Decimal, dp: u32) -> String {
    let mut x = x;
    x.rescale(dp);
    x.to_string()
}

fn table_rate(currency: &str, day: i64) -> Option<Decimal> {
    TABLE
        .iter()
        .filter(|(c, from, _)| *c == currency && *from <= day)
        .max_by_key(|(_, from, _)| *from)
        .map(|(_, _, r)| dec(r))
}

#[derive(Debug, Clone)]
struct Pledge {
    id: String,
    donor: usize,
    currency: usize,
    amount: Decimal,
    day: i64,
    paid: Decimal,
    cancelled: bool,
}

/// One line a statement must show, in the model.
#[derive(Debug, Clone)]
struct Line {
    day: i64,
    seq: usize,
    currency: usize,
    /// Change of pledged, of paid against pledges, of received, of received in base.
    pledged: Decimal,
    paid: Decimal,
    received: Decimal,
    received_base: Decimal,
}

#[derive(Default)]
struct Model {
    pledges: Vec<Pledge>,
    lines: BTreeMap<usize, Vec<Line>>,
    received_base: Decimal,
    support_costs: Decimal,
    seq: usize,
}

impl Model {
    fn line(&mut self, donor: usize, line: Line) {
        self.lines.entry(donor).or_default().push(line);
    }
}

struct Case<'a> {
    app: &'a TestApp,
    finance: &'a str,
    fund: String,
    donors: Vec<String>,
    support_rate: Decimal,
}

fn fail(message: String) -> TestCaseError {
    TestCaseError::fail(message)
}

async fn run_history(
    app: &TestApp,
    finance: &str,
    number: usize,
    ops: &[Op],
    support: usize,
) -> Result<(), TestCaseError> {
    let fund = app
        .post(
            "/api/v1/funds",
            json!({"code": format!("P{number}"), "name": "Property fund", "base_currency": BASE,
                   "support_cost_rate": SUPPORT_RATES[support], "board_quorum": 1}),
        )
        .await;
    prop_assert_eq!(fund.status.as_u16(), 201, "{}", fund.text);
    let mut donors = Vec::new();
    for d in 0..DONORS {
        let r = app
            .post("/api/v1/organisations", json!({"name": format!("Donor {number}-{d}"), "kind": "foundation", "country": "CH"}))
            .await;
        prop_assert_eq!(r.status.as_u16(), 201);
        donors.push(r.body["id"].as_str().expect("id").to_string());
    }
    let case = Case {
        app,
        finance,
        fund: fund.body["id"].as_str().expect("id").to_string(),
        donors,
        support_rate: dec(SUPPORT_RATES[support]),
    };
    let mut model = Model::default();
    for op in ops {
        apply(&case, &mut model, op).await?;
    }
    check(&case, &model).await
}

async fn apply(case: &Case<'_>, model: &mut Model, op: &Op) -> Result<(), TestCaseError> {
    let app = case.app;
    match op.clone() {
        Op::Pledge {
            donor,
            currency,
            minor,
            day,
        } => {
            let r = app
                .post_as(case.finance, &format!("/api/v1/funds/{}/pledges", case.fund),
                    json!({"donor_id": case.donors[donor], "amount": shown(amount(minor, currency), CURRENCIES[currency].1),
                           "currency": CURRENCIES[currency].0, "pledged_on": date(day)}))
                .await;
            prop_assert_eq!(r.status.as_u16(), 201, "{}", r.text);
            model.seq += 1;
            let seq = model.seq;
            model.pledges.push(Pledge {
                id: r.body["id"].as_str().expect("id").to_string(),
                donor,
                currency,
                amount: amount(minor, currency),
                day,
                paid: Decimal::ZERO,
                cancelled: false,
            });
            model.line(
                donor,
                Line {
                    day,
                    seq,
                    currency,
                    pledged: amount(minor, currency),
                    paid: Decimal::ZERO,
                    received: Decimal::ZERO,
                    received_base: Decimal::ZERO,
                },
            );
        }
        Op::Cancel { pledge } => {
            if model.pledges.is_empty() {
                return Ok(());
            }
            let i = pledge.index(model.pledges.len());
            let p = model.pledges[i].clone();
            let r = app
                .request_as(
                    case.finance,
                    Method::POST,
                    &format!("/api/v1/pledges/{}/cancel", p.id),
                    None,
                    &[],
                )
                .await;
            if p.cancelled || !p.paid.is_zero() {
                prop_assert_eq!(r.status.as_u16(), 409, "{}", r.text);
            } else {
                prop_assert_eq!(r.status.as_u16(), 200, "{}", r.text);
                prop_assert_eq!(&r.body["status"], "cancelled");
                model.pledges[i].cancelled = true;
                model.seq += 1;
                let seq = model.seq;
                // dated the day of cancellation: after every day of the history
                model.line(
                    p.donor,
                    Line {
                        day: 100_000,
                        seq,
                        currency: p.currency,
                        pledged: -p.amount,
                        paid: Decimal::ZERO,
                        received: Decimal::ZERO,
                        received_base: Decimal::ZERO,
                    },
                );
            }
        }
        Op::Receipt {
            pledge,
            donor,
            currency,
            minor,
            day,
            rate,
        } => {
            let target = pledge
                .filter(|_| !model.pledges.is_empty())
                .map(|i| i.index(model.pledges.len()));
            let (donor, currency) = match target {
                Some(i) => (model.pledges[i].donor, model.pledges[i].currency),
                None => (donor, currency),
            };
            let (code, dp) = CURRENCIES[currency];
            let value = amount(minor, currency);
            let mut body = json!({"donor_id": case.donors[donor], "amount": shown(value, dp), "currency": code,
                                  "received_on": date(day), "reference": format!("R{}", model.seq)});
            if let Some(i) = target {
                body["pledge_id"] = json!(model.pledges[i].id);
            }
            let given = rate.map(|r| EXPLICIT[r]).filter(|_| code != BASE);
            if let Some(g) = given {
                body["exchange_rate"] = json!(g);
            }
            let r = app
                .post_as(
                    case.finance,
                    &format!("/api/v1/funds/{}/contributions", case.fund),
                    body.clone(),
                )
                .await;

            // what must happen
            if let Some(i) = target {
                if model.pledges[i].cancelled {
                    prop_assert_eq!(r.status.as_u16(), 409, "{} for {}", r.text, body);
                    return Ok(());
                }
                if day < model.pledges[i].day {
                    prop_assert_eq!(r.status.as_u16(), 422, "{} for {}", r.text, body);
                    return Ok(());
                }
            }
            let rate = if code == BASE {
                Some(Decimal::ONE)
            } else {
                given.map(dec).or_else(|| table_rate(code, day))
            };
            let Some(rate) = rate else {
                prop_assert_eq!(r.status.as_u16(), 422, "{} for {}", r.text, body);
                prop_assert!(
                    r.text.contains(code) && r.text.contains(&date(day)),
                    "{}",
                    r.text
                );
                return Ok(());
            };
            prop_assert_eq!(r.status.as_u16(), 201, "{} for {}", r.text, body);
            let outstanding = target
                .map(|i| model.pledges[i].amount - model.pledges[i].paid)
                .unwrap_or_default();
            let against = value.min(outstanding);
            let excess = value - against;
            let base_total = round(value * rate, 2);
            let base_against = round(against * rate, 2);
            let base_excess = base_total - base_against;
            let mut parts = Vec::new();
            if against > Decimal::ZERO {
                parts.push((against, base_against, true));
            }
            if excess > Decimal::ZERO {
                parts.push((excess, base_excess, false));
            }
            let (first_amount, first_base, _) = parts[0];
            same!(r.body["amount"], shown(first_amount, dp), "{}", r.text);
            same!(r.body["base_amount"], shown(first_base, 2), "{}", r.text);
            same!(
                r.body["support_cost"],
                shown(round(first_base * case.support_rate, 2), 2)
            );
            prop_assert_eq!(
                r.body.get("split").is_some(),
                target.is_some() && excess > Decimal::ZERO,
                "{}",
                r.text
            );
            for (part, base, against_pledge) in parts {
                model.received_base += base;
                model.support_costs += round(base * case.support_rate, 2);
                model.seq += 1;
                let seq = model.seq;
                model.line(
                    donor,
                    Line {
                        day,
                        seq,
                        currency,
                        pledged: Decimal::ZERO,
                        paid: if against_pledge { part } else { Decimal::ZERO },
                        received: part,
                        received_base: base,
                    },
                );
            }
            if let Some(i) = target {
                model.pledges[i].paid += against;
            }
        }
    }
    Ok(())
}

/// Per currency, in code order as the service lists them: pledged (standing), paid against
/// pledges, its base, received, its base.
fn per_currency(lines: &[&Line]) -> BTreeMap<(&'static str, usize), [Decimal; 5]> {
    let mut out: BTreeMap<(&'static str, usize), [Decimal; 5]> = BTreeMap::new();
    for l in lines {
        let t = out
            .entry((CURRENCIES[l.currency].0, l.currency))
            .or_default();
        t[0] += l.pledged;
        t[1] += l.paid;
        if !l.paid.is_zero() {
            t[2] += l.received_base;
        }
        t[3] += l.received;
        t[4] += l.received_base;
    }
    out
}

async fn check(case: &Case<'_>, model: &Model) -> Result<(), TestCaseError> {
    let app = case.app;
    // fund status
    let status = app
        .get_as(case.finance, &format!("/api/v1/funds/{}/status", case.fund))
        .await;
    prop_assert_eq!(status.status.as_u16(), 200, "{}", status.text);
    let s = &status.body;
    let all: Vec<&Line> = model.lines.values().flatten().collect();
    let totals = per_currency(&all);
    let today = 100_000;
    let mut pledged_base = Decimal::ZERO;
    let mut outstanding_base = Decimal::ZERO;
    let mut unvalued = Vec::new();
    let by = s["by_currency"]
        .as_array()
        .ok_or_else(|| fail(status.text.clone()))?;
    prop_assert_eq!(by.len(), totals.len(), "{}", status.text);
    for (row, ((_, currency), t)) in by.iter().zip(&totals) {
        let (code, dp) = CURRENCIES[*currency];
        same!(row["currency"], code.to_string());
        let outstanding = t[0] - t[1];
        same!(row["pledged"], shown(t[0], dp), "{}", status.text);
        same!(row["received_against_pledges"], shown(t[1], dp));
        same!(row["outstanding_pledges"], shown(outstanding, dp));
        same!(row["received"], shown(t[3], dp));
        same!(row["received_base"], shown(t[4], 2));
        let valued = if code == BASE {
            Some(outstanding)
        } else {
            table_rate(code, today).map(|r| round(outstanding * r, 2))
        };
        match valued {
            Some(v) => {
                outstanding_base += v;
                pledged_base += t[2] + v;
            }
            None if outstanding.is_zero() => pledged_base += t[2],
            None => {
                unvalued.push(code);
                pledged_base += t[2];
            }
        }
    }
    let usd = |x: Decimal| shown(x, 2);
    same!(s["received"], usd(model.received_base), "{}", status.text);
    same!(s["support_costs"], usd(model.support_costs));
    same!(
        s["available"],
        usd(model.received_base - model.support_costs)
    );
    same!(
        s["outstanding_pledges"],
        usd(outstanding_base),
        "{}",
        status.text
    );
    same!(s["pledged"], usd(pledged_base), "{}", status.text);
    prop_assert_eq!(&s["unvalued_currencies"], &json!(unvalued));

    // every pledge
    for p in &model.pledges {
        let r = app
            .get_as(case.finance, &format!("/api/v1/pledges/{}", p.id))
            .await;
        let dp = CURRENCIES[p.currency].1;
        let expected = if p.cancelled {
            "cancelled"
        } else if p.paid.is_zero() {
            "open"
        } else if p.paid == p.amount {
            "paid"
        } else {
            "partly_paid"
        };
        same!(r.body["status"], expected.to_string(), "{}", r.text);
        same!(r.body["paid"], shown(p.paid, dp));
        let outstanding = if p.cancelled {
            Decimal::ZERO
        } else {
            p.amount - p.paid
        };
        same!(r.body["outstanding"], shown(outstanding, dp));
    }

    // every donor's statement, line by line, read in pages of three
    for (d, donor_id) in case.donors.iter().enumerate() {
        let mut lines: Vec<Line> = model.lines.get(&d).cloned().unwrap_or_default();
        lines.sort_by_key(|l| (l.day, l.seq));
        let mut got = Vec::new();
        let mut closing;
        let base = format!(
            "/api/v1/organisations/{donor_id}/statement?fund_id={}&limit=3",
            case.fund
        );
        let mut path = base.clone();
        loop {
            let r = app.get_as(case.finance, &path).await;
            prop_assert_eq!(r.status.as_u16(), 200, "{}", r.text);
            got.extend(r.body["lines"].as_array().cloned().unwrap_or_default());
            closing = r.body["closing"].clone();
            match r.body["next_cursor"].as_str() {
                Some(c) => path = format!("{base}&cursor={c}"),
                None => break,
            }
        }
        prop_assert_eq!(got.len(), lines.len(), "donor {} lines {:?}", d, got);
        let mut running: BTreeMap<usize, [Decimal; 4]> = BTreeMap::new();
        for (line, model_line) in got.iter().zip(&lines) {
            let (code, dp) = CURRENCIES[model_line.currency];
            let r = running.entry(model_line.currency).or_default();
            r[0] += model_line.pledged;
            r[1] += model_line.paid;
            r[2] += model_line.received;
            r[3] += model_line.received_base;
            same!(line["currency"], code.to_string());
            same!(line["outstanding"], shown(r[0] - r[1], dp), "{:?}", line);
            same!(line["received"], shown(r[2], dp), "{:?}", line);
            same!(line["received_base"], shown(r[3], 2), "{:?}", line);
        }
        let own: Vec<&Line> = lines.iter().collect();
        let totals = per_currency(&own);
        let closing = closing.as_array().cloned().unwrap_or_default();
        prop_assert_eq!(closing.len(), totals.len());
        for (row, ((_, currency), t)) in closing.iter().zip(&totals) {
            let dp = CURRENCIES[*currency].1;
            same!(row["outstanding"], shown(t[0] - t[1], dp), "{:?}", row);
            same!(row["received"], shown(t[3], dp));
            same!(row["received_base"], shown(t[4], 2));
        }
    }
    Ok(())
}

both_backends!(
    random_money_histories_match_an_independent_recomputation,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        let finance = app.user_token("finance", None);
        for (currency, day, rate) in TABLE {
            let r = app
            .post_as(&finance, "/api/v1/exchange-rates",
                json!({"currency": currency, "base_currency": BASE, "rate": rate, "valid_from": date(*day)}))
            .await;
            assert_eq!(r.status, 201, "{}", r.text);
        }
        let handle = tokio::runtime::Handle::current();
        let counter = std::sync::atomic::AtomicUsize::new(0);
        tokio::task::block_in_place(|| {
            let mut runner = TestRunner::new(Config {
                cases: 16,
                failure_persistence: None,
                ..Config::default()
            });
            runner
                .run(&history(), |(ops, support)| {
                    let number = counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    handle.block_on(run_history(&app, &finance, number, &ops, support))
                })
                .expect("every random history matches the recomputation");
        });
    }
);
