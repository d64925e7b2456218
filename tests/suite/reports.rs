//! Outcome reports over HTTP on both backends: submission and reading (another
//! organisation's NGO sees nothing), validation naming the field, review with If-Match,
//! resubmission of a returned report as a new version, the fund's outcomes with small
//! counts hidden for donors (domain invariant 7), and reminders sent exactly once when the
//! job runs on several instances at once.

use crate::common;

use chrono::{Duration, NaiveDate, Utc};
use common::board::*;
use common::world::World;
use common::{Reply, TestApp};
use reqwest::Method;
use serde_json::{Value, json};
use trustfund::reports::rules::OutcomeCounts;

/// A fund with a board, an open call, a grantee NGO with an active grant (budget lines
/// `shelter` and `legal-aid`, country NG), another NGO, a donor and a trustee.
struct Setup {
    admin: String,
    fund_id: String,
    grant_id: String,
    ngo: String,
    other_ngo: String,
    donor: String,
    trustee: String,
}

async fn setup(app: &TestApp) -> Setup {
    let w = World::board(app)
        .received("50000.00")
        .application_with(json!({
            "title": "Shelter in Lagos",
            "summary": "Shelter and legal aid for survivors.",
            "requested_amount": "15000.00",
            "duration_months": 12,
            "countries": ["NG", "BJ"],
            "themes": ["protection.shelter"],
            "budget": [
                {"category": "shelter", "description": "rent", "amount": "10000.00"},
                {"category": "legal-aid", "description": "lawyers", "amount": "5000.00"}
            ]
        }))
        .submitted()
        .screened()
        .grant("15000.00")
        .await;
    let b = w.to_board();
    let grant_id = w.grant_id().to_string();
    let other_org = created_id(
        app.post_as(
            &b.admin,
            "/api/v1/organisations",
            json!({"name": "Elsewhere Aid", "kind": "ngo", "country": "TH"}),
        )
        .await,
    )
    .await;
    let other_ngo = app.user_token("ngo", Some(&other_org));
    let donor = app.user_token("donor", Some(&b.donor_id));

    // a grant awaiting signature takes no report yet
    let r = app
        .post_as(
            &b.ngo,
            &format!("/api/v1/grants/{grant_id}/reports"),
            report("interim", 12, 3),
        )
        .await;
    r.assert_problem(409, "invalid_state");

    let _ = w.signed().await;
    Setup {
        trustee: b.trustees[1].1.clone(),
        admin: b.admin,
        fund_id: b.fund_id,
        grant_id,
        ngo: b.ngo,
        other_ngo,
        donor,
    }
}

/// A valid report: `female × adult × sexual` and `male × child × begging` counts.
fn report(kind: &str, women: i64, boys: i64) -> Value {
    let today = Utc::now().date_naive();
    json!({
        "kind": kind,
        "period_start": (today - Duration::days(90)).to_string(),
        "period_end": today.to_string(),
        "narrative": "The shelter opened and the legal clinic took its first cases.",
        // generous: these reports are about other rules than counting people once
        "people_reached_to_date": 1_000_000,
        "beneficiaries": [
            {"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": women},
            {"sex": "male", "age_group": "child", "exploitation": "begging", "count": boys}
        ],
        "services": [{"service": "shelter", "count": 7}, {"service": "legal-aid", "count": 2}],
        "indicators": [{"name": "survivors sheltered", "target": "20", "actual": "15.5"}],
        "expenditure": [{"category": "shelter", "amount": "4000.00"}, {"category": "legal-aid", "amount": "1250.50"}]
    })
}

fn with(mut base: Value, key: &str, value: Value) -> Value {
    base[key] = value;
    base
}

async fn submit(app: &TestApp, s: &Setup, body: Value) -> Reply {
    app.post_as(
        &s.ngo,
        &format!("/api/v1/grants/{}/reports", s.grant_id),
        body,
    )
    .await
}

async fn review(
    app: &TestApp,
    s: &Setup,
    id: &str,
    action: &str,
    body: Value,
    etag: Option<&str>,
) -> Reply {
    let headers: Vec<(&str, &str)> = etag.map(|e| vec![("if-match", e)]).unwrap_or_default();
    app.request_as(
        &s.admin,
        Method::POST,
        &format!("/api/v1/reports/{id}/{action}"),
        Some(body),
        &headers,
    )
    .await
}

fn outbox_count(app: &TestApp, template: &str) -> i64 {
    app.count(&format!("outbox WHERE template = '{template}'"))
}

both_backends!(
    a_report_is_submitted_and_read_back_only_by_readers_of_the_grant,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let r = submit(&app, &s, report("interim", 12, 3)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.body["id"].as_str().expect("id").to_string();
        assert_eq!(r.body["status"], "submitted");
        assert_eq!(r.body["report_version"], 1);
        assert_eq!(r.body["supersedes_id"], Value::Null);
        assert_eq!(r.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(r.body["expenditure"][0]["category"], "legal-aid");
        assert_eq!(r.body["expenditure"][0]["amount"], "1250.50");
        assert_eq!(r.body["indicators"][0]["actual"], "15.5");
        assert!(app.count("audit_events WHERE entity = 'grant_report'") >= 1);

        let r = app.get_as(&s.ngo, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["beneficiaries"].as_array().map(Vec::len), Some(2));
        assert_eq!(r.body["suppressed"], false);
        let r = app
            .get_as(&s.admin, &format!("/api/v1/grants/{}/reports", s.grant_id))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["items"][0]["id"], id.as_str());
        // the fund's trustee reads it; a donor reads it with small counts hidden
        let r = app
            .get_as(&s.trustee, &format!("/api/v1/reports/{id}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app.get_as(&s.donor, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["suppressed"], true);
        assert!(r.text.contains("\"<5\""), "{}", r.text);

        // another organisation's NGO: as if nothing existed
        for path in [
            format!("/api/v1/reports/{id}"),
            format!("/api/v1/grants/{}/reports", s.grant_id),
        ] {
            app.get_as(&s.other_ngo, &path)
                .await
                .assert_problem(404, "not_found");
        }
        app.post_as(
            &s.other_ngo,
            &format!("/api/v1/grants/{}/reports", s.grant_id),
            report("final", 5, 5),
        )
        .await
        .assert_problem(404, "not_found");
        let stranger = app.user_token_with_funds("trustee", None, &[]);
        app.get_as(&stranger, &format!("/api/v1/reports/{id}"))
            .await
            .assert_problem(404, "not_found");
        // roles that never submit
        app.post_as(
            &s.admin,
            &format!("/api/v1/grants/{}/reports", s.grant_id),
            report("final", 5, 5),
        )
        .await
        .assert_problem(403, "forbidden");
        let reviewer = app.user_token("reviewer", None);
        app.get_as(&reviewer, &format!("/api/v1/reports/{id}"))
            .await
            .assert_problem(403, "forbidden");

        // one interim report awaits review: a second one waits
        submit(&app, &s, report("interim", 1, 1))
            .await
            .assert_problem(409, "invalid_state");
        // a final report is another kind
        let r = submit(&app, &s, report("final", 20, 6)).await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
);

both_backends!(
    invalid_reports_are_refused_naming_the_field,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let fields = |r: Reply| r.assert_problem(422, "validation_failed");

        let body = with(
            report("interim", 12, 3),
            "expenditure",
            json!([{"category": "shelter", "amount": "1.00"}, {"category": "vehicles", "amount": "1.00"}]),
        );
        assert_eq!(
            fields(submit(&app, &s, body).await),
            vec!["expenditure[1].category"]
        );
        let body = with(
            report("interim", 12, 3),
            "expenditure",
            json!([{"category": "shelter", "amount": 100}]),
        );
        assert_eq!(
            fields(submit(&app, &s, body).await),
            vec!["expenditure[0].amount"]
        );
        for bad in [json!(-1), json!(3.5), json!("4"), json!(null)] {
            let body = with(
                report("interim", 12, 3),
                "beneficiaries",
                json!([
                    {"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 1},
                    {"sex": "male", "age_group": "adult", "exploitation": "sexual", "count": 1},
                    {"sex": "other", "age_group": "adult", "exploitation": "sexual", "count": bad}
                ]),
            );
            assert_eq!(
                fields(submit(&app, &s, body).await),
                vec!["beneficiaries[2].count"],
                "{bad}"
            );
        }
        let cell =
            json!({"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 1});
        let body = with(
            report("interim", 12, 3),
            "beneficiaries",
            json!([cell.clone(), cell]),
        );
        assert_eq!(
            fields(submit(&app, &s, body).await),
            vec!["beneficiaries[1]"]
        );
        let body = with(
            report("interim", 12, 3),
            "beneficiaries",
            json!([{"sex": "female", "age_group": "elderly", "exploitation": "sexual", "count": 1}]),
        );
        assert_eq!(
            fields(submit(&app, &s, body).await),
            vec!["beneficiaries[0].age_group"]
        );
        let body = with(
            report("interim", 12, 3),
            "services",
            json!([{"service": "massage", "count": 1}]),
        );
        assert_eq!(
            fields(submit(&app, &s, body).await),
            vec!["services[0].service"]
        );
        let body = with(report("interim", 12, 3), "period_end", json!("2020-01-01"));
        assert_eq!(fields(submit(&app, &s, body).await), vec!["period_end"]);
        // no field for personal data exists: an unknown field is refused
        let body = with(report("interim", 12, 3), "victim_names", json!(["A. B."]));
        assert_eq!(fields(submit(&app, &s, body).await), vec!["victim_names"]);
        assert_eq!(app.count("grant_reports"), 0, "nothing invalid was stored");
    }
);

both_backends!(
    reviews_honour_if_match_and_a_returned_report_comes_back_as_a_new_version,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let r = submit(&app, &s, report("interim", 12, 3)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let first = r.body["id"].as_str().expect("id").to_string();

        // return: a comment is required, a stale ETag is refused
        review(&app, &s, &first, "return", json!({}), None)
            .await
            .assert_problem(422, "validation_failed");
        review(
            &app,
            &s,
            &first,
            "return",
            json!({"comment": "split legal aid"}),
            Some("\"7\""),
        )
        .await
        .assert_problem(412, "precondition_failed");
        let r = review(
            &app,
            &s,
            &first,
            "return",
            json!({"comment": "split legal aid"}),
            Some("\"1\""),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "returned");
        assert_eq!(r.body["review_comment"], "split legal aid");
        assert_eq!(r.header("etag").as_deref(), Some("\"2\""));
        app.post_as(
            &s.ngo,
            &format!("/api/v1/reports/{first}/accept"),
            json!({}),
        )
        .await
        .assert_problem(403, "forbidden");
        review(&app, &s, &first, "accept", json!({}), None)
            .await
            .assert_problem(409, "invalid_state");

        // the resubmission supersedes the returned report, which stays returned
        let r = submit(&app, &s, report("interim", 13, 3)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let second = r.body["id"].as_str().expect("id").to_string();
        assert_eq!(r.body["report_version"], 2);
        assert_eq!(r.body["supersedes_id"], first.as_str());
        let r = app
            .get_as(&s.ngo, &format!("/api/v1/reports/{first}"))
            .await;
        assert_eq!(r.body["status"], "returned");

        review(&app, &s, &second, "accept", json!({}), Some("\"2\""))
            .await
            .assert_problem(412, "precondition_failed");
        let r = review(
            &app,
            &s,
            &second,
            "accept",
            json!({"comment": "thank you"}),
            Some("\"1\""),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["status"], "accepted");
        review(&app, &s, &second, "accept", json!({}), None)
            .await
            .assert_problem(409, "invalid_state");
        review(
            &app,
            &s,
            &second,
            "return",
            json!({"comment": "late"}),
            None,
        )
        .await
        .assert_problem(409, "invalid_state");

        let r = app
            .get_as(&s.ngo, &format!("/api/v1/grants/{}/reports", s.grant_id))
            .await;
        let statuses: Vec<&str> = r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["status"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(statuses, vec!["returned", "accepted"]);
        assert_eq!(outbox_count(&app, "report_reviewed"), 2);
        assert!(app.count("audit_events WHERE entity = 'grant_report' AND action = 'accept'") == 1);
        assert!(app.count("audit_events WHERE entity = 'grant_report' AND action = 'return'") == 1);
        // a next interim report (a later period) starts again at version 1
        let r = submit(&app, &s, report("interim", 1, 1)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["report_version"], 1);
    }
);

/// Every JSON number in `value`, with the path where it sits.
fn numbers(value: &Value, path: &str, out: &mut Vec<(String, i64)>) {
    match value {
        Value::Number(n) => out.push((path.to_string(), n.as_i64().unwrap_or(i64::MAX))),
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                numbers(v, &format!("{path}[{i}]"), out);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                numbers(v, &format!("{path}.{k}"), out);
            }
        }
        _ => {}
    }
}

fn keyed(list: &Value, key: &str) -> Value {
    list.as_array()
        .expect("list")
        .iter()
        .find(|i| i["key"] == key)
        .map(|i| i["count"].clone())
        .unwrap_or(Value::Null)
}

both_backends!(
    people_are_counted_once_and_a_final_report_cannot_count_them_again,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let to_date = |body: Value, n: i64| with(body, "people_reached_to_date", json!(n));
        // the interim report: 15 people first assisted, 15 reached so far
        let r = submit(&app, &s, to_date(report("interim", 12, 3), 15)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["people_reached_to_date"], 15);
        let interim = r.body["id"].as_str().expect("id").to_string();
        review(&app, &s, &interim, "accept", json!({}), None).await;

        // a final report that counts the same 15 people again, as everyone so far
        let reports = app.count("grant_reports");
        let r = submit(&app, &s, to_date(report("final", 12, 3), 15)).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["beneficiaries"]
        );
        assert!(r.text.contains("first time"), "{}", r.text);
        // a figure to date below what the interim report already counts
        let r = submit(&app, &s, to_date(report("final", 0, 0), 10)).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["people_reached_to_date"]
        );
        // the figure is required
        let mut without = report("final", 4, 1);
        without
            .as_object_mut()
            .expect("object")
            .remove("people_reached_to_date");
        let r = submit(&app, &s, without).await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            vec!["people_reached_to_date"]
        );
        assert_eq!(app.count("grant_reports"), reports, "nothing was recorded");

        // the final report counts only the 5 people first assisted since: 20 in all
        let r = submit(&app, &s, to_date(report("final", 4, 1), 20)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let last = r.body["id"].as_str().expect("id").to_string();
        review(&app, &s, &last, "accept", json!({}), None).await;
        let r = app
            .get_as(&s.admin, &format!("/api/v1/funds/{}/outcomes", s.fund_id))
            .await;
        assert_eq!(r.body["beneficiaries"], 20, "{}", r.text);
    }
);

both_backends!(
    outcomes_are_exact_for_the_secretariat_and_hide_small_counts_from_donors,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let r = submit(&app, &s, report("interim", 12, 3)).await;
        let interim = r.body["id"].as_str().expect("id").to_string();
        review(&app, &s, &interim, "accept", json!({}), None).await;
        // a final report that is only submitted does not count
        let r = submit(&app, &s, report("final", 40, 40)).await;
        assert_eq!(r.status, 201, "{}", r.text);

        let path = format!("/api/v1/funds/{}/outcomes", s.fund_id);
        let r = app.get_as(&s.admin, &path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let o = &r.body;
        assert_eq!(o["suppressed"], false);
        assert_eq!(o["reports"], 1);
        assert_eq!(o["beneficiaries"], 15);
        assert_eq!(keyed(&o["by_sex"], "female"), 12);
        assert_eq!(keyed(&o["by_sex"], "male"), 3);
        assert_eq!(keyed(&o["by_age_group"], "child"), 3);
        assert_eq!(keyed(&o["by_exploitation"], "begging"), 3);
        assert_eq!(keyed(&o["services"], "shelter"), 7);
        assert_eq!(keyed(&o["services"], "legal-aid"), 2);
        assert_eq!(o["cells"].as_array().map(Vec::len), Some(2));
        // the first country of the application
        assert_eq!(o["by_country"], json!([{"key": "NG", "count": 15}]));
        let year: i32 = Utc::now()
            .date_naive()
            .format("%Y")
            .to_string()
            .parse()
            .expect("year");
        assert_eq!(o["by_year"], json!([{"year": year, "count": 15}]));
        let r = app.get_as(&s.trustee, &path).await;
        assert_eq!(r.body["beneficiaries"], 15);

        let r = app.get_as(&s.donor, &path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let d = &r.body;
        assert_eq!(d["suppressed"], true);
        assert_eq!(d["beneficiaries"], 15);
        // 15 people, 12 women: the 3 men could be worked out, so the 12 is withheld too
        assert_eq!(keyed(&d["by_sex"], "female"), "withheld");
        assert_eq!(keyed(&d["by_sex"], "male"), "<5");
        assert_eq!(keyed(&d["services"], "legal-aid"), "<5");
        assert_eq!(d["reports"], "<5");
        let mut found = Vec::new();
        numbers(d, "", &mut found);
        let small: Vec<_> = found
            .iter()
            .filter(|(path, n)| *n < 5 && !path.ends_with(".year"))
            .collect();
        assert!(small.is_empty(), "small counts leak: {small:?}");

        // the window: reports whose period ends within [from, to]
        let yesterday = Utc::now().date_naive() - Duration::days(1);
        let r = app
            .get_as(&s.admin, &format!("{path}?to={yesterday}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["beneficiaries"], 0);
        let r = app
            .get_as(&s.admin, &format!("{path}?from=2026-02-01&to=2026-01-01"))
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["to"]);
        let r = app.get_as(&s.admin, &format!("{path}?from=soon")).await;
        r.assert_problem(422, "validation_failed");

        // who may not
        for role in ["finance", "reviewer"] {
            app.get_as(&app.user_token(role, None), &path)
                .await
                .assert_problem(403, "forbidden");
        }
        app.get_as(&s.ngo, &path)
            .await
            .assert_problem(403, "forbidden");
        let stranger = app.user_token_with_funds("trustee", None, &[]);
        app.get_as(&stranger, &path)
            .await
            .assert_problem(404, "not_found");
        let missing = uuid::Uuid::now_v7();
        app.get_as(&s.admin, &format!("/api/v1/funds/{missing}/outcomes"))
            .await
            .assert_problem(404, "not_found");
    }
);

fn run_reminders(app: &TestApp, today: NaiveDate) -> usize {
    let mut conn = app.pool.get().expect("connection");
    trustfund::reports::reminders::run_once(
        &mut conn,
        today,
        &app.settings.grants,
        &app.settings.email,
    )
    .expect("reminders")
}

/// Runs the reminder job from four threads at once, as four instances would.
fn race_reminders(app: &TestApp, today: NaiveDate) -> usize {
    crate::common::race_threads(4, || run_reminders(app, today))
}

fn reminders(app: &TestApp) -> Vec<(String, i64)> {
    use diesel::prelude::*;
    use trustfund::db::schema::outbox;
    let mut conn = app.pool.get().expect("connection");
    outbox::table
        .filter(outbox::template.eq("report_reminder"))
        .select(outbox::context)
        .load::<String>(&mut *conn)
        .expect("outbox")
        .into_iter()
        .map(|c| {
            let v: Value = serde_json::from_str(&c).expect("json");
            // every reminder links to the page where the grantee sends the report
            let link = v["report_form"].as_str().unwrap_or("");
            assert!(
                link.ends_with(&format!(
                    "/grants/{}/report",
                    v["grant_id"].as_str().unwrap_or("?")
                )),
                "{v}"
            );
            (
                format!(
                    "{} {}",
                    v["kind"].as_str().unwrap_or(""),
                    v["due_on"].as_str().unwrap_or("")
                ),
                v["offset_days"].as_i64().unwrap_or(0),
            )
        })
        .collect()
}

both_backends!(
    reminders_are_sent_exactly_once_even_from_several_instances,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let grant = app
            .get_as(&s.admin, &format!("/api/v1/grants/{}", s.grant_id))
            .await;
        assert_eq!(grant.status, 200, "{}", grant.text);
        let interim_due: NaiveDate = grant.body["instalments"]
            .as_array()
            .expect("instalments")
            .iter()
            .find(|i| i["report_kind"] == "interim")
            .and_then(|i| i["due_on"].as_str())
            .expect("an instalment on the interim report")
            .parse()
            .expect("date");
        let ends_on: NaiveDate = grant.body["ends_on"]
            .as_str()
            .expect("ends_on")
            .parse()
            .expect("date");
        let before = reminders(&app).len();
        assert_eq!(before, 0, "nothing is due yet");

        // three days before the interim report: the 14- and 3-day reminders, once each
        let day = interim_due - Duration::days(3);
        assert_eq!(race_reminders(&app, day), 2);
        assert_eq!(race_reminders(&app, day), 0, "again: nothing new");
        let mut sent = reminders(&app);
        sent.sort();
        let key = format!("interim {interim_due}");
        assert_eq!(sent, vec![(key.clone(), -14), (key.clone(), -3)]);

        // the service was down until eight days after: the missed reminders after the due
        // date are caught up, never a reminder "before"
        let late = interim_due + Duration::days(8);
        assert_eq!(race_reminders(&app, late), 2);
        assert_eq!(race_reminders(&app, late), 0);
        assert_eq!(reminders(&app).len(), 4);

        // the interim report is in: no more reminders about it; the final report's come
        let r = submit(&app, &s, report("interim", 12, 3)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let near_end = ends_on - Duration::days(2);
        assert_eq!(race_reminders(&app, near_end), 2);
        let finals: Vec<_> = reminders(&app)
            .into_iter()
            .filter(|(k, _)| k.starts_with("final"))
            .collect();
        assert_eq!(finals.len(), 2, "{finals:?}");
        assert_eq!(app.count("report_reminders"), 6);
        // and the emails are really delivered by the outbox worker
        app.drain_outbox().await;
    }
);

/// People per (sex, age group, form of exploitation) cell, as a report gives them.
type Cells = Vec<((String, String, String), i64)>;
/// Services, as a report gives them.
type Services = Vec<(String, i64)>;
/// One accepted report as the test wrote it: (period end, country, cells, services).
type Counted = (NaiveDate, &'static str, Cells, Services);

/// The fund's outcomes summed straight from the reports the test accepted, apart from
/// anything the service stores: what every window must answer.
fn recomputed(accepted: &[Counted], from: NaiveDate, to: NaiveDate) -> OutcomeCounts {
    let mut counts = OutcomeCounts::default();
    for (end, country, cells, services) in accepted {
        if *end < from || *end > to {
            continue;
        }
        counts.reports += 1;
        let year = chrono::Datelike::year(end);
        for (cell, n) in cells {
            *counts.cells.entry(cell.clone()).or_default() += n;
            *counts.by_country.entry(country.to_string()).or_default() += n;
            *counts.by_year.entry(year).or_default() += n;
            *counts
                .by_year_exploitation
                .entry((year, cell.2.clone()))
                .or_default() += n;
        }
        for (service, n) in services {
            *counts.services.entry(service.clone()).or_default() += n;
        }
    }
    counts
}

const SEXES: [&str; 4] = ["female", "male", "other", "unknown"];
const AGES: [&str; 3] = ["child", "adult", "unknown"];
const FORMS: [&str; 5] = [
    "sexual",
    "forced-labour",
    "begging",
    "domestic-servitude",
    "forced-marriage",
];

/// The `i`-th report's counts: a few cells (one of them 0 now and then), services, and
/// now and then no beneficiaries at all.
fn counts_of(i: usize) -> (Cells, Services) {
    let mut cells = Vec::new();
    if i % 7 != 3 {
        for j in 0..(1 + i % 4) {
            let cell = (
                SEXES[(i + j) % SEXES.len()].to_string(),
                AGES[(i / 2 + j) % AGES.len()].to_string(),
                FORMS[(i * 3 + j) % FORMS.len()].to_string(),
            );
            if !cells.iter().any(|(c, _)| *c == cell) {
                let n = if (i + j) % 5 == 4 {
                    0
                } else {
                    ((i * 7 + j * 3) % 23) as i64
                };
                cells.push((cell, n));
            }
        }
    }
    let services = (0..(i % 3))
        .map(|j| {
            (
                trustfund::taxonomy::SERVICES[(i + j) % 8].to_string(),
                ((i + 5 * j) % 9) as i64,
            )
        })
        .collect();
    (cells, services)
}

fn report_body(kind: &str, end: NaiveDate, counted: &Counted) -> Value {
    json!({
        "kind": kind,
        "period_start": (end - Duration::days(60)).to_string(),
        "period_end": end.to_string(),
        "narrative": "What the quarter brought.",
        "people_reached_to_date": 1_000_000,
        "beneficiaries": counted.2.iter().map(|((s, a, e), n)| {
            json!({"sex": s, "age_group": a, "exploitation": e, "count": n})
        }).collect::<Vec<_>>(),
        "services": counted.3.iter().map(|(s, n)| json!({"service": s, "count": n})).collect::<Vec<_>>(),
    })
}

both_backends!(
    outcomes_of_every_window_are_the_accepted_reports_summed_and_survive_an_upgrade,
    |app: TestApp| async move {
        use trustfund::reports::rules::{outcomes_view, storable_dates};
        // one fund, grants in Nigeria (the first of NG, BJ) and Thailand
        let w = World::board(&app)
            .received("50000.00")
            .application_with(json!({
                "title": "Shelter in Lagos", "summary": "Shelter.", "requested_amount": "15000.00",
                "duration_months": 12, "countries": ["NG", "BJ"], "themes": ["protection.shelter"],
                "budget": [{"category": "shelter", "description": "rent", "amount": "15000.00"}]
            }))
            .submitted()
            .screened()
            .grant("15000.00")
            .signed()
            .await;
        let lagos = w.grant_id().to_string();
        let w = w
            .application_with(json!({
                "title": "Safe houses in Bangkok", "summary": "Shelter.", "requested_amount": "8000.00",
                "duration_months": 12, "countries": ["TH"], "themes": ["protection.shelter"],
                "budget": [{"category": "shelter", "description": "rent", "amount": "8000.00"}]
            }))
            .submitted()
            .screened()
            .grant("8000.00")
            .signed()
            .await;
        let bangkok = w.grant_id().to_string();
        let b = w.to_board();
        let donor = app.user_token("donor", Some(&b.donor_id));
        let fund = b.fund_id.clone();
        let day = |s: &str| -> NaiveDate { s.parse().expect("date") };

        // period ends on the edges a window is cut at: first and last days of dekads,
        // months, quarters and years, a leap day, mid-month days, the same day twice
        let ends = [
            "2024-01-01",
            "2024-01-31",
            "2024-02-29",
            "2024-03-15",
            "2024-06-30",
            "2024-12-31",
            "2025-01-01",
            "2025-02-14",
            "2025-03-10",
            "2025-03-11",
            "2025-04-20",
            "2025-04-21",
            "2025-06-30",
            "2025-06-30",
            "2025-07-01",
            "2025-09-30",
            "2025-10-01",
            "2025-11-30",
            "2025-12-31",
            "2026-01-01",
            "2026-01-15",
            "2026-03-31",
            "2026-05-17",
            "2026-06-01",
        ];
        let mut accepted: Vec<Counted> = Vec::new();
        for (i, end) in ends.iter().enumerate() {
            let (grant, country) = if i % 3 == 1 {
                (&bangkok, "TH")
            } else {
                (&lagos, "NG")
            };
            let (cells, services) = counts_of(i);
            let counted: Counted = (day(end), country, cells, services);
            let path = format!("/api/v1/grants/{grant}/reports");
            if i % 5 == 2 {
                // first returned, then resubmitted: only the resubmission counts
                let mut wrong = counted.clone();
                wrong.2.iter_mut().for_each(|(_, n)| *n += 100);
                let r = app
                    .post_as(&b.ngo, &path, report_body("interim", day(end), &wrong))
                    .await;
                assert_eq!(r.status, 201, "{}", r.text);
                let id = r.body["id"].as_str().expect("id").to_string();
                let r = app
                    .post_as(
                        &b.admin,
                        &format!("/api/v1/reports/{id}/return"),
                        json!({"comment": "recount"}),
                    )
                    .await;
                assert_eq!(r.status, 200, "{}", r.text);
            }
            let r = app
                .post_as(&b.ngo, &path, report_body("interim", day(end), &counted))
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
            let id = r.body["id"].as_str().expect("id").to_string();
            let r = app
                .post_as(&b.admin, &format!("/api/v1/reports/{id}/accept"), json!({}))
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            accepted.push(counted);
        }
        // four reports of one day accepted at the same moment (two grants, two kinds):
        // their totals are the same rows, and every acceptance adds up
        let mut waiting = Vec::new();
        for (k, (grant, country, kind)) in [
            (&lagos, "NG", "interim"),
            (&lagos, "NG", "final"),
            (&bangkok, "TH", "interim"),
            (&bangkok, "TH", "final"),
        ]
        .into_iter()
        .enumerate()
        {
            let (cells, services) = counts_of(40 + k);
            let counted: Counted = (day("2026-06-30"), country, cells, services);
            let r = app
                .post_as(
                    &b.ngo,
                    &format!("/api/v1/grants/{grant}/reports"),
                    report_body(kind, day("2026-06-30"), &counted),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
            waiting.push(r.body["id"].as_str().expect("id").to_string());
            accepted.push(counted);
        }
        let paths: Vec<String> = waiting
            .iter()
            .map(|id| format!("/api/v1/reports/{id}/accept"))
            .collect();
        let answers = futures_util::future::join_all(
            paths
                .iter()
                .map(|path| app.post_as(&b.admin, path, json!({}))),
        )
        .await;
        for r in answers {
            assert_eq!(r.status, 200, "{}", r.text);
        }
        // a report awaiting review does not count
        let r = app
            .post_as(
                &b.ngo,
                &format!("/api/v1/grants/{lagos}/reports"),
                report_body(
                    "interim",
                    day("2025-06-30"),
                    &(day("2025-06-30"), "NG", counts_of(5).0, vec![]),
                ),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);

        // windows: open ends, whole years and months, cuts inside months, single days,
        // and a spread of arbitrary ones
        let mut windows: Vec<(Option<NaiveDate>, Option<NaiveDate>)> = vec![
            (None, None),
            (Some(day("2025-01-01")), None),
            (None, Some(day("2025-06-30"))),
        ];
        for (from, to) in [
            ("2024-01-01", "2024-12-31"),
            ("2025-01-01", "2026-12-31"),
            ("2024-02-01", "2024-02-29"),
            ("2024-02-29", "2024-02-29"),
            ("2025-06-30", "2025-06-30"),
            ("2025-06-30", "2025-07-01"),
            ("2024-12-31", "2025-01-01"),
            ("2024-01-02", "2024-12-30"),
            ("2024-03-15", "2026-01-15"),
            ("2024-03-16", "2026-01-14"),
            ("2023-12-31", "2026-06-30"),
            ("2025-02-01", "2025-11-30"),
            ("2025-02-15", "2025-11-29"),
            ("2026-07-01", "2027-12-31"),
            ("2025-03-11", "2025-04-20"),
            ("2025-03-10", "2025-04-21"),
            ("2025-03-12", "2025-04-19"),
            ("2025-04-01", "2025-09-30"),
            ("2025-03-31", "2025-10-01"),
            ("2019-01-01", "2023-12-31"),
        ] {
            windows.push((Some(day(from)), Some(day(to))));
        }
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |bound: u64| {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (seed >> 33) % bound
        };
        for _ in 0..30 {
            let from = day("2023-11-01") + Duration::days(next(1000) as i64);
            let to = from + Duration::days(next(500) as i64);
            windows.push((Some(from), Some(to)));
        }

        let check = |when: &'static str| {
            let windows = windows.clone();
            let accepted = accepted.clone();
            let (app, fund, admin, donor) = (&app, fund.clone(), b.admin.clone(), donor.clone());
            async move {
                for (from, to) in &windows {
                    let mut query = Vec::new();
                    if let Some(f) = from {
                        query.push(format!("from={f}"));
                    }
                    if let Some(t) = to {
                        query.push(format!("to={t}"));
                    }
                    let path = format!("/api/v1/funds/{fund}/outcomes?{}", query.join("&"));
                    let (from, to) = storable_dates(
                        from.unwrap_or(NaiveDate::MIN),
                        to.unwrap_or(NaiveDate::MAX),
                    );
                    let counts = recomputed(&accepted, from, to);
                    for (token, suppress) in [(&admin, false), (&donor, true)] {
                        let r = app.get_as(token, &path).await;
                        assert_eq!(r.status, 200, "{}", r.text);
                        let expected =
                            serde_json::to_value(outcomes_view(&fund, from, to, &counts, suppress))
                                .expect("json");
                        assert_eq!(r.body, expected, "{when}: {path} (suppressed: {suppress})");
                    }
                }
            }
        };
        check("as accepted").await;
        assert_eq!(
            recomputed(&accepted, day("2024-01-01"), day("2026-12-31")).reports,
            ends.len() as i64 + 4
        );

        // an installation upgraded with these reports in it: the migration fills the
        // totals from the accepted reports (spoilt first, so that only a real back-fill
        // can pass)
        app.execute("UPDATE outcome_totals SET total = total + 1000");
        app.execute("UPDATE outcome_country_totals SET total = total + 1000");
        app.execute("UPDATE outcome_report_totals SET reports = reports + 1000");
        app.migrate_again("_outcome_totals");
        assert!(app.count("outcome_totals") > 0);
        check("after the back-fill").await;
    }
);

both_backends!(
    a_narrative_that_could_identify_a_survivor_is_refused_with_what_to_remove,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let before = (app.count("grant_reports"), app.count("audit_events"));
        let r = submit(
            &app,
            &s,
            with(
                report("interim", 12, 3),
                "narrative",
                json!("Amina, 16 years old, from Benin City came back; her aunt's number is +234 803 555 0101."),
            ),
        )
        .await;
        let fields = r.assert_problem(422, "validation_failed");
        assert_eq!(fields, vec!["narrative", "narrative"]);
        assert!(r.text.contains("Amina, 16 years old"), "{}", r.text);
        assert!(r.text.contains("+234 803 555 0101"), "{}", r.text);
        assert_eq!(
            (app.count("grant_reports"), app.count("audit_events")),
            before,
            "a refused report writes nothing"
        );
        // the same account without the person passes
        let r = submit(
            &app,
            &s,
            with(
                report("interim", 12, 3),
                "narrative",
                json!("A girl of 16 came back to Benin City and lives with relatives."),
            ),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
);

both_backends!(
    a_donor_reads_a_narrative_only_once_the_secretariat_has_cleared_it,
    |app: TestApp| async move {
        let s = setup(&app).await;
        let r = submit(&app, &s, report("interim", 12, 3)).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let id = r.body["id"].as_str().expect("id").to_string();
        let text = "The shelter opened and the legal clinic took its first cases.";
        let r = review(&app, &s, &id, "accept", json!({}), None).await;
        assert_eq!(r.status, 200, "{}", r.text);

        // the grantee, the secretariat and the trustees read the text; the donor does not yet
        for token in [&s.ngo, &s.admin, &s.trustee] {
            let r = app.get_as(token, &format!("/api/v1/reports/{id}")).await;
            assert_eq!(r.body["narrative"], text, "{}", r.text);
            assert_eq!(r.body["narrative_cleared"], false);
        }
        let r = app.get_as(&s.donor, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["narrative"], Value::Null);
        assert_eq!(r.body["narrative_cleared"], false);
        assert!(!r.text.contains("legal clinic"), "{}", r.text);
        assert_eq!(r.body["beneficiaries"].as_array().map(Vec::len), Some(2));
        let r = app
            .get_as(&s.donor, &format!("/api/v1/grants/{}/reports", s.grant_id))
            .await;
        assert!(!r.text.contains("legal clinic"), "{}", r.text);

        // only the secretariat clears it, once, audited
        let path = format!("/api/v1/reports/{id}/clear-narrative");
        for token in [&s.ngo, &s.donor, &s.trustee] {
            app.post_as(token, &path, json!({}))
                .await
                .assert_problem(403, "forbidden");
        }
        app.post_as(&s.other_ngo, &path, json!({}))
            .await
            .assert_problem(403, "forbidden");
        let r = app.post_as(&s.admin, &path, json!({})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["narrative_cleared"], true);
        assert_eq!(
            app.count(&format!(
                "audit_events WHERE entity = 'grant_report' AND entity_id = '{id}' AND action = 'clear'"
            )),
            1
        );
        app.post_as(&s.admin, &path, json!({}))
            .await
            .assert_problem(409, "invalid_state");

        let r = app.get_as(&s.donor, &format!("/api/v1/reports/{id}")).await;
        assert_eq!(r.body["narrative"], text, "{}", r.text);
        assert_eq!(r.body["narrative_cleared"], true);
    }
);
