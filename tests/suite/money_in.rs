//! Money in over HTTP on both backends: exchange rates, pledges, contributions, the ledger,
//! fund status, donor statements, Idempotency-Key, donor scoping and the thank-you email.

use crate::common;

use common::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// A fund with a finance officer to record money; the app's plain helpers act as an admin.
struct Ctx {
    fund: String,
    finance: String,
}

async fn setup(app: &TestApp, code: &str, base: &str, support_cost_rate: &str) -> Ctx {
    app.sign_in_as_admin();
    let fund = app
        .post(
            "/api/v1/funds",
            json!({"code": code, "name": format!("Fund {code}"), "base_currency": base,
                   "support_cost_rate": support_cost_rate, "board_quorum": 3}),
        )
        .await;
    assert_eq!(fund.status, 201, "{}", fund.text);
    Ctx {
        fund: fund.body["id"].as_str().expect("fund id").to_string(),
        finance: app.user_token("finance", None),
    }
}

async fn donor(app: &TestApp, name: &str) -> String {
    let r = app
        .post(
            "/api/v1/organisations",
            json!({"name": name, "kind": "government", "country": "LU"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("org id").to_string()
}

async fn rate(app: &TestApp, token: &str, currency: &str, base: &str, rate: &str, from: &str) {
    let r = app
        .post_as(
            token,
            "/api/v1/exchange-rates",
            json!({"currency": currency, "base_currency": base, "rate": rate, "valid_from": from}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

impl Ctx {
    fn pledges(&self) -> String {
        format!("/api/v1/funds/{}/pledges", self.fund)
    }
    fn contributions(&self) -> String {
        format!("/api/v1/funds/{}/contributions", self.fund)
    }
    fn status(&self) -> String {
        format!("/api/v1/funds/{}/status", self.fund)
    }

    async fn pledge(&self, app: &TestApp, body: Value) -> Value {
        let r = app.post_as(&self.finance, &self.pledges(), body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    async fn pay(&self, app: &TestApp, body: Value) -> Value {
        let r = app
            .post_as(&self.finance, &self.contributions(), body)
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        r.body
    }

    async fn fund_status(&self, app: &TestApp) -> Value {
        let r = app.get_as(&self.finance, &self.status()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        r.body
    }
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// Rows of the tables a failed request must leave alone.
fn money_rows(app: &TestApp) -> Vec<i64> {
    [
        "pledges",
        "contributions",
        "ledger_entries",
        "ledger_totals",
        "exchange_rates",
        "audit_events",
        "outbox",
        "idempotency_keys",
    ]
    .iter()
    .map(|t| app.count(t))
    .collect()
}

both_backends!(
    a_pledge_is_paid_in_part_then_in_full_and_its_status_follows,
    |app: TestApp| async move {
        let ctx = setup(&app, "VTF", "USD", "0.13").await;
        let ru = donor(&app, "Russian Federation").await;
        // due in five years: never overdue while the test runs, and within the ten years a
        // due date may lie ahead (platform::dates)
        let due = (chrono::Utc::now().date_naive() + chrono::Duration::days(5 * 365)).to_string();
        let pledge = ctx
        .pledge(&app, json!({"donor_id": ru, "amount": "30000.00", "currency": "USD", "pledged_on": "2025-01-10",
                              "event": "General Assembly interactive dialogue", "earmark": "protection.shelter", "due_on": due}))
        .await;
        assert_eq!(pledge["status"], "open");
        assert_eq!(pledge["amount"], "30000.00");
        assert_eq!(pledge["paid"], "0.00");
        assert_eq!(pledge["outstanding"], "30000.00");
        assert_eq!(pledge["overdue"], false);
        assert_eq!(pledge["earmark"], "protection.shelter");
        assert_eq!(pledge["version"], 1);
        let pledge_path = format!("/api/v1/pledges/{}", id(&pledge));

        let first = ctx
        .pay(&app, json!({"donor_id": ru, "pledge_id": id(&pledge), "amount": "10000.00", "currency": "USD",
                           "received_on": "2025-02-01", "reference": "RU-2025-1"}))
        .await;
        assert_eq!(first["pledge_id"], id(&pledge));
        assert_eq!(first["base_amount"], "10000.00");
        assert_eq!(first["base_currency"], "USD");
        assert_eq!(first["exchange_rate"], "1");
        assert_eq!(first["exchange_rate_source"], "base_currency");
        assert_eq!(first["support_cost"], "1300.00");
        assert!(first.get("split").is_none(), "nothing was split: {first}");

        let read = app.get_as(&ctx.finance, &pledge_path).await;
        assert_eq!(read.status, 200);
        assert_eq!(read.body["status"], "partly_paid");
        assert_eq!(read.body["paid"], "10000.00");
        assert_eq!(read.body["outstanding"], "20000.00");
        assert_eq!(
            read.body["version"], 2,
            "a payment moves the pledge's version on"
        );
        assert_eq!(read.header("etag").as_deref(), Some("\"2\""));

        ctx.pay(&app, json!({"donor_id": ru, "pledge_id": id(&pledge), "amount": "20000.00", "currency": "USD",
                          "received_on": "2025-03-01", "reference": "RU-2025-2"}))
        .await;
        let read = app.get_as(&ctx.finance, &pledge_path).await;
        assert_eq!(read.body["status"], "paid");
        assert_eq!(read.body["outstanding"], "0.00");

        let status = ctx.fund_status(&app).await;
        assert_eq!(status["base_currency"], "USD");
        assert_eq!(status["pledged"], "30000.00");
        assert_eq!(status["received"], "30000.00");
        assert_eq!(status["outstanding_pledges"], "0.00");
        assert_eq!(status["support_costs"], "3900.00");
        assert_eq!(status["committed"], "0.00");
        assert_eq!(status["disbursed"], "0.00");
        assert_eq!(status["available"], "26100.00");
        // a pledge, two receipts and two support costs
        assert_eq!(status["entries"], 5);

        // every change left an audit event by the finance officer
        let trail = app
            .get(&format!(
                "/api/v1/audit-events?entity=contribution&entity_id={}",
                id(&first)
            ))
            .await;
        let events = trail.body["items"].as_array().expect("items");
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["action"], "create");
        assert!(events[0]["actor_id"].is_string());
        let trail = app
            .get(&format!(
                "/api/v1/audit-events?entity=pledge&entity_id={}",
                id(&pledge)
            ))
            .await;
        assert_eq!(trail.body["items"].as_array().expect("items").len(), 1);
    }
);

both_backends!(
    foreign_money_is_converted_at_the_rate_valid_on_the_day_received,
    |app: TestApp| async move {
        let ctx = setup(&app, "FX", "USD", "0.13").await;
        let lu = donor(&app, "Luxembourg").await;
        rate(&app, &ctx.finance, "EUR", "USD", "1.0850", "2025-01-01").await;
        rate(&app, &ctx.finance, "EUR", "USD", "1.1000", "2025-02-01").await;
        let pay = |amount: &str, on: &str, rate: Option<&str>| {
            let mut body = json!({"donor_id": lu, "amount": amount, "currency": "EUR", "received_on": on, "reference": "LU"});
            if let Some(r) = rate {
                body["exchange_rate"] = json!(r);
            }
            body
        };
        let jan = ctx.pay(&app, pay("1000.00", "2025-01-31", None)).await;
        assert_eq!(
            (jan["exchange_rate"].as_str(), jan["base_amount"].as_str()),
            (Some("1.085"), Some("1085.00"))
        );
        assert_eq!(jan["exchange_rate_source"], "rate_table");
        let feb = ctx.pay(&app, pay("1000.00", "2025-02-01", None)).await;
        assert_eq!(
            (feb["exchange_rate"].as_str(), feb["base_amount"].as_str()),
            (Some("1.1"), Some("1100.00"))
        );
        let given = ctx
            .pay(&app, pay("1000.00", "2025-02-01", Some("1.2")))
            .await;
        assert_eq!(
            (
                given["base_amount"].as_str(),
                given["exchange_rate_source"].as_str()
            ),
            (Some("1200.00"), Some("given"))
        );

        // half to even: 0.10 × 1.25 = 0.125 → 0.12 and 0.10 × 1.35 = 0.135 → 0.14
        let down = ctx.pay(&app, pay("0.10", "2025-02-01", Some("1.25"))).await;
        assert_eq!(down["base_amount"], "0.12");
        let up = ctx.pay(&app, pay("0.10", "2025-02-01", Some("1.35"))).await;
        assert_eq!(up["base_amount"], "0.14");
        // support cost rounds half to even too: 0.13 × 0.50 = 0.065 → 0.06; 0.13 × 1.50 = 0.195 → 0.20
        let usd = |amount: &str| json!({"donor_id": lu, "amount": amount, "currency": "USD", "received_on": "2025-02-01", "reference": "LU"});
        assert_eq!(ctx.pay(&app, usd("0.50")).await["support_cost"], "0.06");
        assert_eq!(ctx.pay(&app, usd("1.50")).await["support_cost"], "0.20");

        // no AUD rate valid that day: 422 naming the currency and the day, nothing recorded
        rate(&app, &ctx.finance, "AUD", "USD", "0.66", "2025-03-01").await;
        let before = money_rows(&app);
        let r = app
        .post_as(&ctx.finance, &ctx.contributions(),
            json!({"donor_id": lu, "amount": "500.00", "currency": "AUD", "received_on": "2025-02-15", "reference": "AU"}))
        .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["exchange_rate"]
        );
        assert!(
            r.body["detail"]
                .as_str()
                .is_some_and(|d| d.contains("AUD") && d.contains("2025-02-15")),
            "{}",
            r.text
        );
        assert_eq!(money_rows(&app), before);

        // the rates of a day, and their list
        let on = app
            .get_as(
                &ctx.finance,
                "/api/v1/exchange-rates?currency=EUR&on=2025-01-20",
            )
            .await;
        assert_eq!(on.status, 200, "{}", on.text);
        let items = on.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["rate"], "1.085");
        let all = app
            .get_as(&ctx.finance, "/api/v1/exchange-rates?base_currency=USD")
            .await;
        assert_eq!(all.body["items"].as_array().expect("items").len(), 3);

        let status = ctx.fund_status(&app).await;
        let eur = status["by_currency"]
            .as_array()
            .expect("by_currency")
            .iter()
            .find(|c| c["currency"] == "EUR")
            .expect("EUR")
            .clone();
        assert_eq!(eur["received"], "3000.20");
        assert_eq!(eur["received_base"], "3385.26");
        assert_eq!(status["received"], "3387.26");
    }
);

both_backends!(
    a_payment_beyond_its_pledge_is_split_into_an_unpledged_contribution,
    |app: TestApp| async move {
        let ctx = setup(&app, "SPLIT", "USD", "0.10").await;
        let lu = donor(&app, "Luxembourg").await;
        let pledge = ctx.pledge(&app, json!({"donor_id": lu, "amount": "100.00", "currency": "EUR", "pledged_on": "2025-01-05"})).await;
        // 150 × 1.0855 = 162.825 → 162.82 for the whole; 100 → 108.55; the rest is 54.27, so the
        // parts add up to the conversion of the payment (54.28 alone would create a cent)
        let paid = ctx
        .pay(&app, json!({"donor_id": lu, "pledge_id": id(&pledge), "amount": "150.00", "currency": "EUR",
                           "received_on": "2025-02-01", "reference": "LU-7", "exchange_rate": "1.0855"}))
        .await;
        assert_eq!(paid["amount"], "100.00");
        assert_eq!(paid["pledge_id"], id(&pledge));
        assert_eq!(paid["base_amount"], "108.55");
        let split = &paid["split"];
        assert_eq!(split["pledge_id"], id(&pledge));
        assert_eq!(split["requested_amount"], "150.00");
        assert_eq!(split["against_pledge"], "100.00");
        assert_eq!(split["unpledged"], "50.00");
        let rest = app
            .get_as(
                &ctx.finance,
                &format!(
                    "/api/v1/contributions/{}",
                    split["unpledged_contribution_id"].as_str().expect("id")
                ),
            )
            .await;
        assert_eq!(rest.status, 200, "{}", rest.text);
        assert_eq!(rest.body["pledge_id"], Value::Null);
        assert_eq!(rest.body["split_of"], id(&paid));
        assert_eq!(rest.body["amount"], "50.00");
        assert_eq!(rest.body["base_amount"], "54.27");
        assert_eq!(rest.body["reference"], "LU-7");

        let read = app
            .get_as(&ctx.finance, &format!("/api/v1/pledges/{}", id(&pledge)))
            .await;
        assert_eq!(read.body["status"], "paid");
        assert_eq!(read.body["paid"], "100.00");

        // a payment against a paid pledge is all unpledged, and the answer says so
        let more = ctx
        .pay(&app, json!({"donor_id": lu, "pledge_id": id(&pledge), "amount": "10.00", "currency": "EUR",
                           "received_on": "2025-02-02", "reference": "LU-8", "exchange_rate": "1.0855"}))
        .await;
        assert_eq!(more["pledge_id"], Value::Null);
        assert_eq!(more["split"]["against_pledge"], "0.00");
        assert_eq!(more["split"]["unpledged"], "10.00");
        assert_eq!(more["split"]["unpledged_contribution_id"], id(&more));

        let list = app
            .get_as(
                &ctx.finance,
                &format!("{}?pledge_id={}", ctx.contributions(), id(&pledge)),
            )
            .await;
        assert_eq!(list.body["items"].as_array().expect("items").len(), 1);
        let status = ctx.fund_status(&app).await;
        assert_eq!(status["received"], "173.68"); // 162.82 + 10.86 (10 × 1.0855 = 10.855 → 10.86)
        let eur = &status["by_currency"][0];
        assert_eq!(eur["received_against_pledges"], "100.00");
        assert_eq!(eur["received"], "160.00");
        assert_eq!(eur["outstanding_pledges"], "0.00");
    }
);

both_backends!(
    bad_money_input_is_refused_by_field_and_changes_nothing,
    |app: TestApp| async move {
        let ctx = setup(&app, "BAD", "USD", "0.13").await;
        let au = donor(&app, "Australia").await;
        let other = donor(&app, "Someone else").await;
        let pledge = ctx.pledge(&app, json!({"donor_id": au, "amount": "200000.00", "currency": "AUD", "pledged_on": "2025-03-01"})).await;
        let before = money_rows(&app);
        let p = |patch: Value| {
            let mut body = json!({"donor_id": au, "amount": "100.00", "currency": "USD", "pledged_on": "2025-01-01"});
            for (k, v) in patch.as_object().expect("object") {
                if v.is_null() {
                    body.as_object_mut().expect("object").remove(k);
                } else {
                    body[k] = v.clone();
                }
            }
            body
        };
        let pledge_cases: Vec<(Value, Vec<&str>)> = vec![
            (p(json!({"amount": 100})), vec!["amount"]),
            (p(json!({"amount": 100.5})), vec!["amount"]),
            (p(json!({"amount": "-5.00"})), vec!["amount"]),
            (p(json!({"amount": "0"})), vec!["amount"]),
            (p(json!({"amount": "1.005"})), vec!["amount"]),
            (p(json!({"amount": "1e3"})), vec!["amount"]),
            (p(json!({"currency": "XXQ"})), vec!["currency"]),
            (p(json!({"currency": "usd"})), vec!["currency"]),
            (
                p(json!({"currency": "JPY", "amount": "1.5"})),
                vec!["amount"],
            ),
            (p(json!({"donor_id": "nobody"})), vec!["donor_id"]),
            (
                p(json!({"donor_id": uuid::Uuid::new_v4().to_string()})),
                vec!["donor_id"],
            ),
            (p(json!({"due_on": "2024-12-31"})), vec!["due_on"]),
            (p(json!({"earmark": "somewhere nice"})), vec!["earmark"]),
            (p(json!({"earmark": "protection.Shelter"})), vec!["earmark"]),
            (p(json!({"pledged_on": "2025-13-01"})), vec!["pledged_on"]),
            (p(json!({"pledged_on": null})), vec!["pledged_on"]),
            (p(json!({"colour": "red"})), vec!["colour"]),
            (
                p(json!({"amount": "-1", "currency": "XXQ", "event": "  "})),
                vec!["currency", "event"],
            ),
        ];
        for (body, fields) in pledge_cases {
            let r = app
                .post_as(&ctx.finance, &ctx.pledges(), body.clone())
                .await;
            let mut got = r.assert_problem(422, "validation_failed");
            got.sort();
            assert_eq!(got, fields, "for {body}");
        }
        let c = |patch: Value| {
            let mut body = json!({"donor_id": au, "pledge_id": id(&pledge), "amount": "100.00", "currency": "AUD",
                              "received_on": "2025-03-02", "reference": "AU-1", "exchange_rate": "0.66"});
            for (k, v) in patch.as_object().expect("object") {
                if v.is_null() {
                    body.as_object_mut().expect("object").remove(k);
                } else {
                    body[k] = v.clone();
                }
            }
            body
        };
        let contribution_cases: Vec<(Value, Vec<&str>)> = vec![
            (c(json!({"amount": 100})), vec!["amount"]),
            (c(json!({"amount": "-100.00"})), vec!["amount"]),
            (c(json!({"amount": "0.00"})), vec!["amount"]),
            (c(json!({"amount": "0.001"})), vec!["amount"]),
            (c(json!({"currency": "EUR"})), vec!["currency"]),
            (c(json!({"received_on": "2025-02-28"})), vec!["received_on"]),
            (c(json!({"received_on": "2099-01-01"})), vec!["received_on"]),
            (c(json!({"donor_id": other})), vec!["pledge_id"]),
            (
                c(json!({"pledge_id": uuid::Uuid::new_v4().to_string()})),
                vec!["pledge_id"],
            ),
            (c(json!({"pledge_id": "p-1"})), vec!["pledge_id"]),
            (c(json!({"reference": ""})), vec!["reference"]),
            (c(json!({"reference": null})), vec!["reference"]),
            (c(json!({"exchange_rate": "0"})), vec!["exchange_rate"]),
            (c(json!({"exchange_rate": "-0.5"})), vec!["exchange_rate"]),
            (c(json!({"exchange_rate": 0.66})), vec!["exchange_rate"]),
            (
                c(json!({"exchange_rate": "0.12345678901"})),
                vec!["exchange_rate"],
            ),
            (
                c(json!({"pledge_id": null, "currency": "USD", "exchange_rate": "1.5"})),
                vec!["exchange_rate"],
            ),
            (
                c(json!({"pledge_id": null, "currency": "AUD", "exchange_rate": null})),
                vec!["exchange_rate"],
            ),
        ];
        for (body, fields) in contribution_cases {
            let r = app
                .post_as(&ctx.finance, &ctx.contributions(), body.clone())
                .await;
            let mut got = r.assert_problem(422, "validation_failed");
            got.sort();
            assert_eq!(got, fields, "for {body}");
        }
        // a fund that does not exist
        let nowhere = format!("/api/v1/funds/{}/contributions", uuid::Uuid::new_v4());
        app.post_as(&ctx.finance, &nowhere, c(json!({"pledge_id": null})))
            .await
            .assert_problem(404, "not_found");
        app.post_as(
            &ctx.finance,
            &nowhere.replace("contributions", "pledges"),
            p(json!({})),
        )
        .await
        .assert_problem(404, "not_found");
        // exchange rates
        for (body, field) in [
            (
                json!({"currency": "EUR", "base_currency": "EUR", "rate": "1", "valid_from": "2025-01-01"}),
                "base_currency",
            ),
            (
                json!({"currency": "EUR", "base_currency": "USD", "rate": "0", "valid_from": "2025-01-01"}),
                "rate",
            ),
            (
                json!({"currency": "EUR", "base_currency": "USD", "rate": 1.08, "valid_from": "2025-01-01"}),
                "rate",
            ),
            (
                json!({"currency": "EUQ", "base_currency": "USD", "rate": "1.08", "valid_from": "2025-01-01"}),
                "currency",
            ),
            (
                json!({"currency": "EUR", "base_currency": "USD", "rate": "1.08", "valid_from": "January"}),
                "valid_from",
            ),
        ] {
            let r = app
                .post_as(&ctx.finance, "/api/v1/exchange-rates", body.clone())
                .await;
            assert_eq!(
                r.assert_problem(422, "validation_failed"),
                vec![field],
                "for {body}"
            );
        }
        assert_eq!(money_rows(&app), before, "refused requests changed nothing");
        rate(&app, &ctx.finance, "EUR", "USD", "1.08", "2025-01-01").await;
        let again = app
        .post_as(&ctx.finance, "/api/v1/exchange-rates", json!({"currency": "EUR", "base_currency": "USD", "rate": "1.09", "valid_from": "2025-01-01"}))
        .await;
        assert_eq!(again.assert_problem(409, "duplicate"), vec!["valid_from"]);
    }
);

both_backends!(
    only_an_unpaid_pledge_is_cancelled_and_a_stale_etag_is_refused,
    |app: TestApp| async move {
        let ctx = setup(&app, "CANCEL", "USD", "0.13").await;
        let ru = donor(&app, "Russian Federation").await;
        let open = ctx.pledge(&app, json!({"donor_id": ru, "amount": "30000.00", "currency": "USD", "pledged_on": "2025-01-10"})).await;
        let paid = ctx.pledge(&app, json!({"donor_id": ru, "amount": "5000.00", "currency": "USD", "pledged_on": "2025-01-10"})).await;
        let cancel = |pledge: &Value| format!("/api/v1/pledges/{}/cancel", id(pledge));
        let with_etag = |etag: &'static str| vec![("if-match", etag)];

        // stale ETag: 412, nothing changes
        let r = app
            .request_as(
                &ctx.finance,
                Method::POST,
                &cancel(&open),
                None,
                &with_etag("\"7\""),
            )
            .await;
        r.assert_problem(412, "precondition_failed");
        // a body that is not JSON
        let r = app
            .request_as(
                &ctx.finance,
                Method::POST,
                &cancel(&open),
                None,
                &[("content-type", "text/plain")],
            )
            .await;
        assert_eq!(
            r.status, 200,
            "an empty body needs no content type: {}",
            r.text
        );
        assert_eq!(r.body["status"], "cancelled");
        assert_eq!(r.body["version"], 2);
        assert_eq!(r.body["outstanding"], "0.00");
        assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
        // cancelling twice
        app.request_as(
            &ctx.finance,
            Method::POST,
            &cancel(&open),
            Some(json!({"reason": "again"})),
            &[],
        )
        .await
        .assert_problem(409, "invalid_state");

        // a pledge with money against it cannot be cancelled
        ctx.pay(&app, json!({"donor_id": ru, "pledge_id": id(&paid), "amount": "1.00", "currency": "USD", "received_on": "2025-02-01", "reference": "R"})).await;
        let before = money_rows(&app);
        app.request_as(
            &ctx.finance,
            Method::POST,
            &cancel(&paid),
            Some(json!({"reason": "changed our mind"})),
            &with_etag("\"2\""),
        )
        .await
        .assert_problem(409, "invalid_state");
        // an ETag read before the payment is stale
        app.request_as(
            &ctx.finance,
            Method::POST,
            &cancel(&paid),
            None,
            &with_etag("\"1\""),
        )
        .await
        .assert_problem(412, "precondition_failed");
        assert_eq!(money_rows(&app), before);

        // nothing can be paid against a cancelled pledge
        app.post_as(&ctx.finance, &ctx.contributions(),
        json!({"donor_id": ru, "pledge_id": id(&open), "amount": "1.00", "currency": "USD", "received_on": "2025-02-01", "reference": "R"}))
        .await
        .assert_problem(409, "invalid_state");

        // a reason is kept; the body is checked
        let third = ctx.pledge(&app, json!({"donor_id": ru, "amount": "1.00", "currency": "USD", "pledged_on": "2025-01-10"})).await;
        let r = app
            .request_as(
                &ctx.finance,
                Method::POST,
                &cancel(&third),
                Some(json!({"reason": 5})),
                &[],
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["reason"]);
        let r = app
            .request_as(
                &ctx.finance,
                Method::POST,
                &cancel(&third),
                Some(json!({"reason": "pledge withdrawn by letter"})),
                &with_etag("\"1\""),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["cancellation_reason"], "pledge withdrawn by letter");

        // the cancellation is a reversing ledger entry, and the audit trail has before and after
        let ledger = app
            .get_as(&ctx.finance, &format!("/api/v1/funds/{}/ledger", ctx.fund))
            .await;
        let entries = ledger.body["items"].as_array().expect("items");
        let reversal = entries
            .iter()
            .find(|e| e["pledge_id"] == id(&open) && e["reverses_id"].is_string())
            .expect("reversal");
        assert_eq!(reversal["kind"], "pledge");
        assert_eq!(reversal["amount"], "-30000.00");
        let trail = app
            .get(&format!(
                "/api/v1/audit-events?entity=pledge&entity_id={}",
                id(&open)
            ))
            .await;
        let events = trail.body["items"].as_array().expect("items");
        assert_eq!(events.last().expect("event")["action"], "cancel");
        assert_eq!(events.last().expect("event")["before"]["status"], "open");
        assert_eq!(
            events.last().expect("event")["after"]["status"],
            "cancelled"
        );

        let status = ctx.fund_status(&app).await;
        assert_eq!(status["pledged"], "5000.00");
        assert_eq!(status["outstanding_pledges"], "4999.00");
    }
);

both_backends!(
    a_pledge_past_its_due_day_and_not_paid_is_overdue,
    |app: TestApp| async move {
        let ctx = setup(&app, "LATE", "USD", "0.13").await;
        let ru = donor(&app, "Russian Federation").await;
        let today = chrono::Utc::now().date_naive();
        let day = |d: i64| (today + chrono::Duration::days(d)).to_string();
        let late = ctx.pledge(&app, json!({"donor_id": ru, "amount": "100.00", "currency": "USD", "pledged_on": day(-60), "due_on": day(-1)})).await;
        assert_eq!(
            (late["status"].as_str(), late["overdue"].as_bool()),
            (Some("open"), Some(true))
        );
        let due_today = ctx.pledge(&app, json!({"donor_id": ru, "amount": "100.00", "currency": "USD", "pledged_on": day(-60), "due_on": day(0)})).await;
        assert_eq!(due_today["overdue"], false);
        ctx.pay(&app, json!({"donor_id": ru, "pledge_id": id(&late), "amount": "40.00", "currency": "USD", "received_on": day(-2), "reference": "R1"})).await;
        let read = app
            .get_as(&ctx.finance, &format!("/api/v1/pledges/{}", id(&late)))
            .await;
        assert_eq!(
            (read.body["status"].as_str(), read.body["overdue"].as_bool()),
            (Some("partly_paid"), Some(true))
        );
        ctx.pay(&app, json!({"donor_id": ru, "pledge_id": id(&late), "amount": "60.00", "currency": "USD", "received_on": day(0), "reference": "R2"})).await;
        let read = app
            .get_as(&ctx.finance, &format!("/api/v1/pledges/{}", id(&late)))
            .await;
        assert_eq!(
            (read.body["status"].as_str(), read.body["overdue"].as_bool()),
            (Some("paid"), Some(false))
        );
        let cancelled = ctx.pledge(&app, json!({"donor_id": ru, "amount": "1.00", "currency": "USD", "pledged_on": day(-60), "due_on": day(-30)})).await;
        let r = app
            .request_as(
                &ctx.finance,
                Method::POST,
                &format!("/api/v1/pledges/{}/cancel", id(&cancelled)),
                None,
                &[],
            )
            .await;
        assert_eq!(
            (r.body["status"].as_str(), r.body["overdue"].as_bool()),
            (Some("cancelled"), Some(false))
        );
    }
);

both_backends!(
    fund_status_values_outstanding_pledges_and_names_currencies_without_a_rate,
    |app: TestApp| async move {
        let ctx = setup(&app, "STAT", "USD", "0.13").await;
        let lu = donor(&app, "Luxembourg").await;
        let au = donor(&app, "Australia").await;
        rate(&app, &ctx.finance, "EUR", "USD", "1.10", "2025-01-01").await;
        ctx.pledge(&app, json!({"donor_id": lu, "amount": "1000.00", "currency": "EUR", "pledged_on": "2025-01-05"})).await;
        let aud = ctx.pledge(&app, json!({"donor_id": au, "amount": "200000.00", "currency": "AUD", "pledged_on": "2025-01-05"})).await;
        let status = ctx.fund_status(&app).await;
        assert_eq!(status["outstanding_pledges"], "1100.00");
        assert_eq!(status["pledged"], "1100.00");
        assert_eq!(status["unvalued_currencies"], json!(["AUD"]));
        let by: Vec<Value> = status["by_currency"]
            .as_array()
            .expect("by_currency")
            .clone();
        assert_eq!(by.len(), 2);
        assert_eq!(by[0]["currency"], "AUD");
        assert_eq!(by[0]["outstanding_pledges"], "200000.00");
        assert_eq!(by[0]["outstanding_pledges_base"], Value::Null);
        assert_eq!(by[1]["valuation_rate"], "1.1");

        // once AUD has a rate the pledge counts; a payment at another rate keeps its own rate
        rate(&app, &ctx.finance, "AUD", "USD", "0.65", "2025-01-01").await;
        ctx.pay(&app, json!({"donor_id": au, "pledge_id": id(&aud), "amount": "50000.00", "currency": "AUD",
                          "received_on": "2025-02-01", "reference": "AU-1", "exchange_rate": "0.70"}))
        .await;
        let status = ctx.fund_status(&app).await;
        assert_eq!(status["unvalued_currencies"], json!([]));
        // received 35,000.00 at 0.70; outstanding 150,000 AUD at 0.65 = 97,500.00; EUR 1,100.00
        assert_eq!(status["received"], "35000.00");
        assert_eq!(status["outstanding_pledges"], "98600.00");
        assert_eq!(status["pledged"], "133600.00");
        assert_eq!(status["support_costs"], "4550.00");
        assert_eq!(status["available"], "30450.00");
        assert_eq!(status["refunds"], "0.00");
        let aud_row = &status["by_currency"][0];
        assert_eq!(aud_row["received_against_pledges"], "50000.00");
        assert_eq!(aud_row["received_base"], "35000.00");
        assert_eq!(aud_row["outstanding_pledges_base"], "97500.00");

        // a fund that does not exist
        app.get_as(
            &ctx.finance,
            &format!("/api/v1/funds/{}/status", uuid::Uuid::new_v4()),
        )
        .await
        .assert_problem(404, "not_found");
    }
);

both_backends_with!(
    a_stale_rate_is_refused_unless_the_request_gives_one_and_the_status_names_its_currency,
    |s: &mut trustfund::config::Settings| s.exchange.max_rate_age_days = 45,
    |app: TestApp| async move {
        let ctx = setup(&app, "AGE", "USD", "0.13").await;
        let lu = donor(&app, "Luxembourg").await;
        let today = chrono::Utc::now().date_naive();
        let days_ago = |n: i64| (today - chrono::Duration::days(n)).to_string();
        rate(&app, &ctx.finance, "EUR", "USD", "1.08", &days_ago(46)).await;
        let pledge = ctx
            .pledge(&app, json!({"donor_id": lu, "amount": "1000.00", "currency": "EUR", "pledged_on": days_ago(50)}))
            .await;

        // the latest rate is 46 days old: refused, naming the currency and the day
        let before = money_rows(&app);
        let payment = json!({"donor_id": lu, "pledge_id": id(&pledge), "amount": "400.00", "currency": "EUR",
                             "received_on": today.to_string(), "reference": "LU-1"});
        let refused = app
            .post_as(&ctx.finance, &ctx.contributions(), payment.clone())
            .await;
        assert_eq!(
            refused.assert_problem(422, "validation_failed"),
            vec!["exchange_rate"]
        );
        let detail = refused.body["detail"].as_str().expect("detail");
        assert!(
            detail.contains("EUR")
                && detail.contains(&today.to_string())
                && detail.contains(&days_ago(46)),
            "{detail}"
        );
        assert_eq!(
            money_rows(&app),
            before,
            "a refused contribution changes nothing"
        );

        // the status values nothing at the stale rate and names the currency
        let status = ctx.fund_status(&app).await;
        assert_eq!(status["currencies_without_current_rate"], json!(["EUR"]));
        assert_eq!(status["unvalued_currencies"], json!(["EUR"]));
        assert_eq!(status["outstanding_pledges"], "0.00");

        // a rate given with the request is used
        let mut given = payment.clone();
        given["exchange_rate"] = json!("1.05");
        given["reference"] = json!("LU-2");
        let paid = ctx.pay(&app, given).await;
        assert_eq!(paid["exchange_rate"], "1.05");
        assert_eq!(paid["base_amount"], "420.00");

        // a rate exactly 45 days old is still current, for payments and the status
        rate(&app, &ctx.finance, "EUR", "USD", "1.10", &days_ago(45)).await;
        let mut current = payment.clone();
        current["reference"] = json!("LU-3");
        current["amount"] = json!("100.00");
        let paid = ctx.pay(&app, current).await;
        assert_eq!(paid["exchange_rate"], "1.1");
        let status = ctx.fund_status(&app).await;
        assert_eq!(status["currencies_without_current_rate"], json!([]));
        assert_eq!(status["unvalued_currencies"], json!([]));
        // 500 EUR outstanding at 1.10
        assert_eq!(status["outstanding_pledges"], "550.00");
    }
);

/// Lines of a statement, read page by page.
async fn statement_pages(app: &TestApp, token: &str, path: &str) -> (Vec<Value>, Vec<Value>) {
    let mut lines = Vec::new();
    let mut pages = Vec::new();
    let mut next = path.to_string();
    loop {
        let r = app.get_as(token, &next).await;
        assert_eq!(r.status, 200, "{}", r.text);
        lines.extend(r.body["lines"].as_array().expect("lines").iter().cloned());
        pages.push(r.body.clone());
        match r.body["next_cursor"].as_str() {
            Some(c) => next = format!("{path}&cursor={c}"),
            None => break,
        }
    }
    (lines, pages)
}

both_backends!(
    a_donor_statement_shows_pledges_payments_and_running_balances,
    |app: TestApp| async move {
        let ctx = setup(&app, "STMT", "USD", "0.13").await;
        let au = donor(&app, "Australia").await;
        let other = donor(&app, "Luxembourg").await;
        rate(&app, &ctx.finance, "AUD", "USD", "0.65", "2025-01-01").await;
        let p1 = ctx.pledge(&app, json!({"donor_id": au, "amount": "200000.00", "currency": "AUD", "pledged_on": "2025-01-10", "event": "GA dialogue"})).await;
        let p2 = ctx.pledge(&app, json!({"donor_id": au, "amount": "1000.00", "currency": "USD", "pledged_on": "2025-02-10"})).await;
        ctx.pledge(&app, json!({"donor_id": other, "amount": "5.00", "currency": "USD", "pledged_on": "2025-02-10"})).await;
        ctx.pay(&app, json!({"donor_id": au, "pledge_id": id(&p1), "amount": "50000.00", "currency": "AUD", "received_on": "2025-03-01", "reference": "AU-1"})).await;
        ctx.pay(&app, json!({"donor_id": au, "amount": "300.00", "currency": "USD", "received_on": "2025-03-05", "reference": "=HYPERLINK(\"x\")"})).await;
        app.request_as(
            &ctx.finance,
            Method::POST,
            &format!("/api/v1/pledges/{}/cancel", id(&p2)),
            None,
            &[],
        )
        .await;
        ctx.pay(&app, json!({"donor_id": au, "pledge_id": id(&p1), "amount": "25000.00", "currency": "AUD", "received_on": "2025-01-20", "reference": "AU-0"})).await;

        let path = format!("/api/v1/organisations/{au}/statement?fund_id={}", ctx.fund);
        let whole = app.get_as(&ctx.finance, &path).await;
        assert_eq!(whole.status, 200, "{}", whole.text);
        assert_eq!(whole.body["organisation_name"], "Australia");
        let lines = whole.body["lines"].as_array().expect("lines");
        let kinds: Vec<&str> = lines
            .iter()
            .map(|l| l["kind"].as_str().expect("kind"))
            .collect();
        // date order, whatever the order of recording; the cancellation is dated today
        assert_eq!(
            kinds,
            vec![
                "pledge",
                "contribution",
                "pledge",
                "contribution",
                "contribution",
                "pledge_cancellation"
            ]
        );
        assert_eq!(lines[0]["description"], "GA dialogue");
        assert_eq!(lines[0]["outstanding"], "200000.00");
        assert_eq!(lines[1]["outstanding"], "175000.00");
        assert_eq!(lines[1]["received_base"], "16250.00");
        assert_eq!(lines[3]["outstanding"], "125000.00");
        assert_eq!(lines[4]["currency"], "USD");
        assert_eq!(
            lines[4]["outstanding"], "1000.00",
            "an unpledged payment pays no pledge"
        );
        assert_eq!(lines[4]["received"], "300.00");
        assert_eq!(lines[5]["amount"], "-1000.00");
        assert_eq!(lines[5]["outstanding"], "0.00");
        let closing = whole.body["closing"].as_array().expect("closing");
        assert_eq!(closing.len(), 2);
        let aud = closing
            .iter()
            .find(|b| b["currency"] == "AUD")
            .expect("AUD");
        assert_eq!(aud["outstanding"], "125000.00");
        assert_eq!(aud["received"], "75000.00");
        assert_eq!(aud["received_base"], "48750.00");
        assert!(
            whole.body["opening"]
                .as_array()
                .expect("opening")
                .iter()
                .all(|b| b["outstanding"] == "0.00")
        );

        // a period: the balance before it is brought forward
        let march = app
            .get_as(
                &ctx.finance,
                &format!("{path}&from=2025-03-01&to=2025-03-31"),
            )
            .await;
        assert_eq!(march.status, 200, "{}", march.text);
        let m_lines = march.body["lines"].as_array().expect("lines");
        assert_eq!(m_lines.len(), 2);
        let opening_aud = march.body["opening"]
            .as_array()
            .expect("opening")
            .iter()
            .find(|b| b["currency"] == "AUD")
            .expect("AUD")
            .clone();
        assert_eq!(opening_aud["outstanding"], "175000.00");
        assert_eq!(opening_aud["received"], "25000.00");
        assert_eq!(m_lines[0]["outstanding"], "125000.00");
        let closing_usd = march.body["closing"]
            .as_array()
            .expect("closing")
            .iter()
            .find(|b| b["currency"] == "USD")
            .expect("USD")
            .clone();
        assert_eq!(
            closing_usd["outstanding"], "1000.00",
            "the cancellation is after the period"
        );

        // pages of two lines carry the same running balances as the whole
        let (paged, pages) = statement_pages(&app, &ctx.finance, &format!("{path}&limit=2")).await;
        assert_eq!(&paged, lines);
        assert_eq!(pages.len(), 3);
        let second_opening = pages[1]["opening"]
            .as_array()
            .expect("opening")
            .iter()
            .find(|b| b["currency"] == "AUD")
            .expect("AUD")
            .clone();
        assert_eq!(second_opening["outstanding"], lines[1]["outstanding"]);

        // CSV: opening rows, one row per line, closing rows; formulas neutralised
        let csv = app
            .request_as(
                &ctx.finance,
                Method::GET,
                &path,
                None,
                &[("accept", "text/csv")],
            )
            .await;
        assert_eq!(csv.status, 200);
        assert!(
            csv.header("content-type")
                .is_some_and(|c| c.starts_with("text/csv")),
            "{:?}",
            csv.header("content-type")
        );
        let rows: Vec<&str> = csv.text.lines().collect();
        assert!(rows[0].starts_with("date,kind,fund_id,pledge_id"));
        assert_eq!(rows.len(), 1 + 2 + 6 + 2, "{}", csv.text);
        assert!(rows.iter().filter(|r| r.contains(",contribution,")).count() == 3);
        assert!(csv.text.contains("'=HYPERLINK"), "{}", csv.text);
        assert!(rows.last().expect("row").contains("closing_balance"));

        // bad periods and cursors
        assert_eq!(
            app.get_as(
                &ctx.finance,
                &format!("{path}&from=2025-03-01&to=2025-02-01")
            )
            .await
            .assert_problem(422, "validation_failed"),
            vec!["to"]
        );
        assert_eq!(
            app.get_as(
                &ctx.finance,
                &format!("{path}&cursor={}", uuid::Uuid::new_v4())
            )
            .await
            .assert_problem(422, "validation_failed"),
            vec!["cursor"]
        );
        assert_eq!(
            app.get_as(&ctx.finance, &format!("{path}&from=yesterday"))
                .await
                .assert_problem(422, "validation_failed"),
            vec!["from"]
        );
        app.get_as(
            &ctx.finance,
            &format!("/api/v1/organisations/{}/statement", uuid::Uuid::new_v4()),
        )
        .await
        .assert_problem(404, "not_found");
    }
);

both_backends!(
    donors_see_only_their_own_money_and_roles_are_enforced,
    |app: TestApp| async move {
        let ctx = setup(&app, "ROLE", "USD", "0.13").await;
        let mine = donor(&app, "Luxembourg").await;
        let theirs = donor(&app, "Russian Federation").await;
        let my_pledge = ctx.pledge(&app, json!({"donor_id": mine, "amount": "10.00", "currency": "USD", "pledged_on": "2025-01-10"})).await;
        let their_pledge = ctx.pledge(&app, json!({"donor_id": theirs, "amount": "20.00", "currency": "USD", "pledged_on": "2025-01-10"})).await;
        let my_gift = ctx.pay(&app, json!({"donor_id": mine, "amount": "1.00", "currency": "USD", "received_on": "2025-02-01", "reference": "M"})).await;
        let their_gift = ctx.pay(&app, json!({"donor_id": theirs, "amount": "2.00", "currency": "USD", "received_on": "2025-02-01", "reference": "T"})).await;
        let me = app.user_token("donor", Some(&mine));

        // own records
        assert_eq!(
            app.get_as(&me, &format!("/api/v1/pledges/{}", id(&my_pledge)))
                .await
                .status,
            200
        );
        assert_eq!(
            app.get_as(&me, &format!("/api/v1/contributions/{}", id(&my_gift)))
                .await
                .status,
            200
        );
        let list = app.get_as(&me, &ctx.pledges()).await;
        let ids: Vec<&str> = list.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|p| p["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids, vec![id(&my_pledge)]);
        let list = app.get_as(&me, &ctx.contributions()).await;
        assert_eq!(list.body["items"].as_array().expect("items").len(), 1);
        assert_eq!(
            app.get_as(&me, &format!("/api/v1/organisations/{mine}/statement"))
                .await
                .status,
            200
        );
        assert_eq!(app.get_as(&me, &ctx.status()).await.status, 200);
        assert_eq!(app.get_as(&me, "/api/v1/exchange-rates").await.status, 200);

        // another donor's records do not exist for it
        app.get_as(&me, &format!("/api/v1/pledges/{}", id(&their_pledge)))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&me, &format!("/api/v1/contributions/{}", id(&their_gift)))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&me, &format!("{}?donor_id={theirs}", ctx.pledges()))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&me, &format!("{}?donor_id={theirs}", ctx.contributions()))
            .await
            .assert_problem(404, "not_found");
        app.get_as(&me, &format!("/api/v1/organisations/{theirs}/statement"))
            .await
            .assert_problem(404, "not_found");
        let csv = app
            .request_as(
                &me,
                Method::GET,
                &format!("/api/v1/organisations/{theirs}/statement"),
                None,
                &[("accept", "text/csv")],
            )
            .await;
        assert_eq!(csv.status, 404);

        // donors read; they do not record
        let before = money_rows(&app);
        app.post_as(&me, &ctx.contributions(), json!({"donor_id": mine, "amount": "1.00", "currency": "USD", "received_on": "2025-02-01", "reference": "M"}))
        .await.assert_problem(403, "forbidden");
        app.post_as(&me, &ctx.pledges(), json!({"donor_id": mine, "amount": "1.00", "currency": "USD", "pledged_on": "2025-02-01"}))
        .await.assert_problem(403, "forbidden");
        app.request_as(
            &me,
            Method::POST,
            &format!("/api/v1/pledges/{}/cancel", id(&my_pledge)),
            None,
            &[],
        )
        .await
        .assert_problem(403, "forbidden");
        app.post_as(&me, "/api/v1/exchange-rates", json!({"currency": "EUR", "base_currency": "USD", "rate": "1", "valid_from": "2025-01-01"}))
        .await.assert_problem(403, "forbidden");

        // trustees read pledges, contributions and status, not statements; they record nothing
        let trustee = app.user_token_with_funds("trustee", None, &[&ctx.fund]);
        assert_eq!(
            app.get_as(&trustee, &ctx.pledges()).await.body["items"]
                .as_array()
                .expect("items")
                .len(),
            2
        );
        assert_eq!(
            app.get_as(&trustee, &format!("/api/v1/pledges/{}", id(&their_pledge)))
                .await
                .status,
            200
        );
        assert_eq!(app.get_as(&trustee, &ctx.status()).await.status, 200);
        app.get_as(&trustee, &format!("/api/v1/organisations/{mine}/statement"))
            .await
            .assert_problem(403, "forbidden");
        app.post_as(&trustee, &ctx.contributions(), json!({"donor_id": mine, "amount": "1.00", "currency": "USD", "received_on": "2025-02-01", "reference": "M"}))
        .await.assert_problem(403, "forbidden");

        // NGOs and reviewers see no donor money
        for role in ["ngo", "reviewer"] {
            let token = app.user_token(role, None);
            app.get_as(&token, &ctx.status())
                .await
                .assert_problem(403, "forbidden");
            app.get_as(&token, &ctx.pledges())
                .await
                .assert_problem(403, "forbidden");
            app.get_as(&token, &format!("/api/v1/organisations/{mine}/statement"))
                .await
                .assert_problem(403, "forbidden");
        }
        // an admin records too
        let admin = app.user_token("admin", None);
        let r = app.post_as(&admin, &ctx.contributions(), json!({"donor_id": mine, "amount": "1.00", "currency": "USD", "received_on": "2025-02-01", "reference": "A"})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(money_rows(&app)[1], before[1] + 1);
        // and nobody without a token
        app.sign_out();
        app.get(&ctx.status())
            .await
            .assert_problem(401, "unauthorized");
    }
);

both_backends!(
    an_idempotency_key_replays_the_first_answer_and_refuses_another_body,
    |app: TestApp| async move {
        let ctx = setup(&app, "IDEM", "USD", "0.13").await;
        let lu = donor(&app, "Luxembourg").await;
        let body = json!({"donor_id": lu, "amount": "250.00", "currency": "USD", "received_on": "2025-02-01", "reference": "LU-9"});
        let send = |token: String, path: String, body: Value, key: &'static str| {
            let app = &app;
            async move {
                app.request_as(
                    &token,
                    Method::POST,
                    &path,
                    Some(body),
                    &[("idempotency-key", key)],
                )
                .await
            }
        };
        let first = send(
            ctx.finance.clone(),
            ctx.contributions(),
            body.clone(),
            "key-1",
        )
        .await;
        assert_eq!(first.status, 201, "{}", first.text);
        assert_eq!(first.header("idempotent-replayed"), None);
        // the same body with its keys in another order is the same request
        let reordered: Value = serde_json::from_str(r#"{"reference":"LU-9","received_on":"2025-02-01","currency":"USD","amount":"250.00","donor_id":"DONOR"}"#.replace("DONOR", &lu).as_str()).expect("json");
        let again = send(ctx.finance.clone(), ctx.contributions(), reordered, "key-1").await;
        assert_eq!(again.status, 201);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("etag"), first.header("etag"));
        assert_eq!(app.count("contributions"), 1);
        // the same key with another body
        let mut other = body.clone();
        other["amount"] = json!("251.00");
        let r = send(ctx.finance.clone(), ctx.contributions(), other, "key-1").await;
        assert_eq!(r.assert_problem(409, "duplicate"), vec!["Idempotency-Key"]);
        assert_eq!(app.count("contributions"), 1);
        // keys belong to a user and a route
        let colleague = app.user_token("finance", None);
        assert_eq!(
            send(colleague, ctx.contributions(), body.clone(), "key-1")
                .await
                .status,
            201
        );
        assert_eq!(app.count("contributions"), 2);
        let pledge = json!({"donor_id": lu, "amount": "250.00", "currency": "USD", "pledged_on": "2025-01-01"});
        let p1 = send(ctx.finance.clone(), ctx.pledges(), pledge.clone(), "key-1").await;
        assert_eq!(p1.status, 201, "{}", p1.text);
        let p2 = send(ctx.finance.clone(), ctx.pledges(), pledge, "key-1").await;
        assert_eq!(p2.body["id"], p1.body["id"]);
        assert_eq!(app.count("pledges"), 1);
        // a failed request keeps no answer: once the rate exists the same key and body succeed
        let eur = json!({"donor_id": lu, "amount": "10.00", "currency": "EUR", "received_on": "2025-02-01", "reference": "LU-10"});
        send(
            ctx.finance.clone(),
            ctx.contributions(),
            eur.clone(),
            "key-2",
        )
        .await
        .assert_problem(422, "validation_failed");
        rate(&app, &ctx.finance, "EUR", "USD", "1.1", "2025-01-01").await;
        assert_eq!(
            send(ctx.finance.clone(), ctx.contributions(), eur, "key-2")
                .await
                .status,
            201
        );
        // keys are checked
        let long: &'static str = Box::leak("k".repeat(256).into_boxed_str());
        let r = send(ctx.finance.clone(), ctx.contributions(), body.clone(), long).await;
        assert_eq!(
            r.assert_problem(400, "malformed_request"),
            vec!["Idempotency-Key"]
        );
    }
);

both_backends!(
    twenty_identical_requests_at_the_same_moment_apply_once,
    |app: TestApp| async move {
        let ctx = setup(&app, "RACE", "USD", "0.13").await;
        let lu = donor(&app, "Luxembourg").await;
        let pledge_body = json!({"donor_id": lu, "amount": "40000.00", "currency": "USD", "pledged_on": "2025-01-01"});
        let pledges = futures_util::future::join_all((0..20).map(|_| {
            let (app, token, path, body) = (
                &app,
                ctx.finance.clone(),
                ctx.pledges(),
                pledge_body.clone(),
            );
            async move {
                app.request_as(
                    &token,
                    Method::POST,
                    &path,
                    Some(body),
                    &[("idempotency-key", "pledge-lu-2025")],
                )
                .await
            }
        }))
        .await;
        assert!(
            pledges.iter().all(|r| r.status == 201),
            "{:?}",
            pledges
                .iter()
                .map(|r| (r.status, r.text.clone()))
                .collect::<Vec<_>>()
        );
        let pledge_id = pledges[0].body["id"].clone();
        assert!(pledges.iter().all(|r| r.body["id"] == pledge_id));
        assert_eq!(app.count("pledges"), 1);

        let body = json!({"donor_id": lu, "pledge_id": pledge_id, "amount": "40000.00", "currency": "USD", "received_on": "2025-02-01", "reference": "LU-2025"});
        let replies = futures_util::future::join_all((0..20).map(|_| {
            let (app, token, path, body) =
                (&app, ctx.finance.clone(), ctx.contributions(), body.clone());
            async move {
                app.request_as(
                    &token,
                    Method::POST,
                    &path,
                    Some(body),
                    &[("idempotency-key", "lu-transfer-2025-02-01")],
                )
                .await
            }
        }))
        .await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        assert!(
            statuses.iter().all(|s| *s == 201),
            "{statuses:?} {:?}",
            replies.iter().map(|r| r.text.clone()).collect::<Vec<_>>()
        );
        let first_id = replies[0].body["id"].clone();
        assert!(
            replies
                .iter()
                .all(|r| r.body["id"] == first_id && r.body.get("split").is_none())
        );
        assert_eq!(
            replies
                .iter()
                .filter(|r| r.header("idempotent-replayed").is_none())
                .count(),
            1
        );
        assert_eq!(app.count("contributions"), 1);
        let status = ctx.fund_status(&app).await;
        assert_eq!(status["received"], "40000.00");
        assert_eq!(status["entries"], 3);
    }
);

both_backends!(
    the_ledger_refuses_updates_and_deletes,
    |app: TestApp| async move {
        let ctx = setup(&app, "IMMU", "USD", "0.13").await;
        let lu = donor(&app, "Luxembourg").await;
        ctx.pay(&app, json!({"donor_id": lu, "amount": "10.00", "currency": "USD", "received_on": "2025-02-01", "reference": "R"})).await;
        use diesel::RunQueryDsl;
        let mut conn = app.pool.get().expect("connection");
        assert!(
            diesel::sql_query("UPDATE ledger_entries SET amount_minor = 1")
                .execute(&mut *conn)
                .is_err()
        );
        assert!(
            diesel::sql_query("DELETE FROM ledger_entries")
                .execute(&mut *conn)
                .is_err()
        );
        drop(conn);
        assert_eq!(app.count("ledger_entries"), 2);
        assert_eq!(ctx.fund_status(&app).await["received"], "10.00");
    }
);

both_backends!(
    a_contribution_thanks_the_donors_users_by_email_once,
    |app: TestApp| async move {
        let ctx = setup(&app, "MAIL", "USD", "0.13").await;
        let lu = donor(&app, "Luxembourg").await;
        let other = donor(&app, "Russian Federation").await;
        app.user_token("donor", Some(&lu));
        app.user_token("donor", Some(&lu));
        app.user_token("donor", Some(&other));
        let body = json!({"donor_id": lu, "amount": "40000.00", "currency": "USD", "received_on": "2025-02-01", "reference": "LU-2025"});
        for _ in 0..2 {
            let r = app
                .request_as(
                    &ctx.finance,
                    Method::POST,
                    &ctx.contributions(),
                    Some(body.clone()),
                    &[("idempotency-key", "mail-1")],
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
        }
        #[derive(diesel::QueryableByName)]
        struct Mail {
            #[diesel(sql_type = diesel::sql_types::Text)]
            to_address: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            template: String,
            #[diesel(sql_type = diesel::sql_types::Text)]
            context: String,
        }
        use diesel::RunQueryDsl;
        let mut conn = app.pool.get().expect("connection");
        let mails: Vec<Mail> =
            diesel::sql_query("SELECT to_address, template, context FROM outbox")
                .load(&mut *conn)
                .expect("outbox");
        drop(conn);
        assert_eq!(
            mails.len(),
            2,
            "one email per user of the donor, and none for the replay"
        );
        for m in &mails {
            assert_eq!(m.template, "contribution_received");
            assert!(m.to_address.starts_with("donor-"));
            let context: Value = serde_json::from_str(&m.context).expect("context");
            assert_eq!(context["amount"], "40000.00");
            assert_eq!(context["donor_name"], "Luxembourg");
            assert_eq!(context["fund_code"], "MAIL");
            assert_eq!(context["support_cost_percent"], "13");
        }
        // the email says what the fund keeps, instead of "every cent goes to grantees"
        let sent = app.wait_for_emails(&mails[0].to_address, 1).await;
        let text = &sent[0].decoded;
        assert!(text.contains("programme support cost of 13%"), "{text}");
        assert!(!text.to_lowercase().contains("every cent"), "{text}");
    }
);

both_backends!(
    the_demo_records_the_pledges_and_payments_of_the_public_record,
    |app: TestApp| async move {
        app.sign_in_as_admin();
        trustfund::demo::load(&app.pool, &app.settings).expect("first load");
        trustfund::demo::load(&app.pool, &app.settings).expect("second load is a no-op");
        let funds = app.get("/api/v1/funds").await;
        let fund = funds.body["items"][0]["id"]
            .as_str()
            .expect("fund")
            .to_string();
        let pledges = app.get(&format!("/api/v1/funds/{fund}/pledges")).await;
        let pledges = pledges.body["items"].as_array().expect("items");
        assert_eq!(pledges.len(), 4);
        let by_currency = |c: &str| pledges.iter().filter(|p| p["currency"] == c).count();
        assert_eq!(
            (by_currency("USD"), by_currency("EUR"), by_currency("AUD")),
            (2, 1, 1)
        );
        let status = app.get(&format!("/api/v1/funds/{fund}/status")).await;
        assert_eq!(status.status, 200, "{}", status.text);
        assert_eq!(status.body["unvalued_currencies"], json!([]));
        assert!(
            status.body["by_currency"]
                .as_array()
                .expect("by_currency")
                .len()
                == 3
        );
        assert_ne!(status.body["received"], "0.00");
        assert_eq!(app.count("contributions"), 5);
    }
);

both_backends!(
    racing_payments_never_overpay_a_pledge,
    |app: TestApp| async move {
        let ctx = setup(&app, "OVER", "USD", "0.13").await;
        let au = donor(&app, "Australia").await;
        let pledge = ctx.pledge(&app, json!({"donor_id": au, "amount": "1000.00", "currency": "AUD", "pledged_on": "2025-01-01"})).await;
        let replies = futures_util::future::join_all((0..10).map(|i| {
        let (app, token, path) = (&app, ctx.finance.clone(), ctx.contributions());
        let body = json!({"donor_id": au, "pledge_id": id(&pledge), "amount": "400.00", "currency": "AUD",
                          "received_on": "2025-02-01", "reference": format!("AU-{i}"), "exchange_rate": "0.65"});
        async move { app.post_as(&token, &path, body).await }
    }))
    .await;
        assert!(
            replies.iter().all(|r| r.status == 201),
            "{:?}",
            replies.iter().map(|r| r.text.clone()).collect::<Vec<_>>()
        );
        // 400 + 400 + 200 against the pledge; 200 of the third and all of the rest unpledged
        let splits = replies
            .iter()
            .filter(|r| r.body.get("split").is_some())
            .count();
        assert_eq!(
            splits, 8,
            "one partial split and seven wholly unpledged payments"
        );
        let read = app
            .get_as(&ctx.finance, &format!("/api/v1/pledges/{}", id(&pledge)))
            .await;
        assert_eq!(
            (read.body["status"].as_str(), read.body["paid"].as_str()),
            (Some("paid"), Some("1000.00"))
        );
        let status = ctx.fund_status(&app).await;
        assert_eq!(
            status["by_currency"][0]["received_against_pledges"],
            "1000.00"
        );
        assert_eq!(status["by_currency"][0]["received"], "4000.00");
        assert_eq!(status["received"], "2600.00");
        assert_eq!(app.count("contributions"), 11);
    }
);

both_backends!(
    a_cancellation_racing_a_payment_never_leaves_money_on_a_cancelled_pledge,
    |app: TestApp| async move {
        let ctx = setup(&app, "RACE2", "USD", "0.13").await;
        let ru = donor(&app, "Russian Federation").await;
        let mut pledges = Vec::new();
        for _ in 0..6 {
            pledges.push(id(&ctx.pledge(&app, json!({"donor_id": ru, "amount": "100.00", "currency": "USD", "pledged_on": "2025-01-01"})).await));
        }
        let attempts = pledges.iter().flat_map(|p| {
        let (app, token) = (&app, ctx.finance.clone());
        let cancel = {
            let (token, path) = (token.clone(), format!("/api/v1/pledges/{p}/cancel"));
            async move { app.request_as(&token, Method::POST, &path, None, &[]).await.status.as_u16() }
        };
        let pay = {
            let (path, body) = (ctx.contributions(), json!({"donor_id": ru, "pledge_id": p, "amount": "60.00", "currency": "USD", "received_on": "2025-02-01", "reference": "R"}));
            async move { app.post_as(&token, &path, body).await.status.as_u16() }
        };
        [futures_util::future::Either::Left(cancel), futures_util::future::Either::Right(pay)]
    });
        let statuses = futures_util::future::join_all(attempts).await;
        for (p, pair) in pledges.iter().zip(statuses.chunks(2)) {
            let read = app
                .get_as(&ctx.finance, &format!("/api/v1/pledges/{p}"))
                .await;
            match read.body["status"].as_str() {
                Some("cancelled") => {
                    assert_eq!(pair, [200, 409], "cancel won, so the payment was refused");
                    assert_eq!(read.body["paid"], "0.00");
                }
                Some("partly_paid") => {
                    assert_eq!(
                        pair,
                        [409, 201],
                        "the payment won, so the cancellation was refused"
                    );
                    assert_eq!(read.body["paid"], "60.00");
                }
                other => panic!("unexpected status {other:?}: {}", read.text),
            }
        }
        let status = ctx.fund_status(&app).await;
        let paid = statuses.chunks(2).filter(|p| p[1] == 201).count() as i64;
        assert_eq!(status["received"], format!("{}.00", paid * 60));
    }
);
