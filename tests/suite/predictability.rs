//! Predictability (issue 15): per donor and year, pledged against arrived and when; per
//! grant, instalments planned against paid; JSON and CSV; who may read which. Both backends.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::world::World;

both_backends!(
    predictability_sets_what_was_promised_against_what_arrived_and_when,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("20000.00")
            .application("Shelter in Lagos", "15000.00")
            .submitted()
            .screened()
            .grant("15000.00")
            .signed()
            .pay(0, "6000.00")
            .await;
        let b = w.to_board();
        let today = Utc::now().date_naive();
        let day = |d: i64| (today + Duration::days(d)).to_string();
        // a pledge due ten days ago, paid 40 before and 60 eight days after its due date
        let r = app
            .post_as(
                &b.admin,
                &format!("/api/v1/funds/{}/pledges", b.fund_id),
                json!({"donor_id": b.donor_id, "amount": "100.00", "currency": "USD",
                       "pledged_on": day(-60), "due_on": day(-10)}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let pledge = r.body["id"].as_str().expect("pledge").to_string();
        for (amount, on, reference) in [("40.00", day(-20), "P1"), ("60.00", day(-2), "P2")] {
            let r = app
                .post_as(
                    &b.admin,
                    &format!("/api/v1/funds/{}/contributions", b.fund_id),
                    json!({"donor_id": b.donor_id, "pledge_id": pledge, "amount": amount,
                           "currency": "USD", "received_on": on, "reference": reference}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.text);
        }

        let path = format!("/api/v1/funds/{}/predictability/donors", b.fund_id);
        let r = app.get_as(&b.admin, &path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let rows = r.body.as_array().expect("rows");
        let pledged_year = chrono::Datelike::year(&(today - Duration::days(60)));
        let ours: Vec<&Value> = rows
            .iter()
            .filter(|l| l["donor_id"] == b.donor_id.as_str())
            .collect();
        let with_pledge = ours
            .iter()
            .find(|l| l["year"] == pledged_year && l["pledges"] == 1)
            .expect("the pledge's year");
        assert_eq!(with_pledge["pledged"], "100.00");
        assert_eq!(with_pledge["received_against_pledges"], "100.00");
        assert_eq!(with_pledge["received_by_due_date"], "40.00");
        assert_eq!(with_pledge["outstanding"], "0.00");
        assert_eq!(with_pledge["pledges_late"], 1);
        assert_eq!(with_pledge["average_days_late"], 8);
        let this_year = ours
            .iter()
            .find(|l| l["year"] == chrono::Datelike::year(&today))
            .expect("this year");
        assert_eq!(this_year["received_unpledged"], "20000.00", "{this_year}");

        // CSV: the same lines
        let csv = csv_of(&app, &b.admin, &path).await;
        assert!(
            csv.starts_with("donor_id,donor_name,year,currency,pledges,pledged,"),
            "{csv}"
        );
        assert_eq!(csv.lines().count(), rows.len() + 1);

        // instalments planned against paid
        let grants = format!("/api/v1/funds/{}/predictability/grants", b.fund_id);
        let r = app.get_as(&b.admin, &grants).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let lines = r.body.as_array().expect("lines");
        assert!(lines.len() >= 2, "{lines:?}");
        let first = &lines[0];
        assert_eq!(first["instalment"], 1);
        assert_eq!(first["paid"], "6000.00");
        assert_eq!(first["grant_id"], w.grant_id());
        assert!(lines.iter().skip(1).all(|l| l["paid"] == "0.00"));
        // the same lines as CSV, field for field
        let csv = csv_of(&app, &b.admin, &grants).await;
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let header = reader.headers().expect("header").clone();
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(rows.len(), lines.len(), "{csv}");
        for (row, line) in rows.iter().zip(lines) {
            for field in [
                "grant_id",
                "instalment",
                "planned_on",
                "planned",
                "paid",
                "state",
            ] {
                let at = header.iter().position(|h| h == field).expect(field);
                let expected = match &line[field] {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                assert_eq!(row[at], expected, "{field} in {csv}");
            }
        }

        // who reads what: the donor its own lines only; the NGO nothing; a trustee of
        // another board nothing; a trustee of this one both
        let donor = app.user_token("donor", Some(&b.donor_id));
        let r = app.get_as(&donor, &path).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(
            r.body
                .as_array()
                .expect("rows")
                .iter()
                .all(|l| l["donor_id"] == b.donor_id.as_str())
        );
        let other = app.user_token("donor", Some(&b.org_id));
        let r = app
            .get_as(&other, &format!("{path}?donor_id={}", b.donor_id))
            .await;
        r.assert_problem(404, "not_found");
        app.get_as(&donor, &grants)
            .await
            .assert_problem(403, "forbidden");
        app.get_as(&b.ngo, &path)
            .await
            .assert_problem(403, "forbidden");
        let stranger = app.user_token_with_funds("trustee", None, &[]);
        app.get_as(&stranger, &grants)
            .await
            .assert_problem(404, "not_found");
        let trustee = &b.trustees[0].1;
        assert_eq!(app.get_as(trustee, &grants).await.status, 200);
        let missing = uuid::Uuid::now_v7();
        app.get_as(
            &b.admin,
            &format!("/api/v1/funds/{missing}/predictability/grants"),
        )
        .await
        .assert_problem(404, "not_found");
        app.get_as(&b.admin, &format!("{path}?donor_id=nope"))
            .await
            .assert_problem(400, "malformed_request");
    }
);

/// `path` asked for as CSV by `token`: its text, after checking the answer is CSV.
async fn csv_of(app: &TestApp, token: &str, path: &str) -> String {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .header("accept", "text/csv")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/csv")
    );
    response.text().await.expect("body")
}
