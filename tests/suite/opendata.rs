//! Open data over HTTP: the IATI 2.03 and 360Giving exports validate against the official
//! schemas in `../shared/standards` (libxml2's `xmllint` for IATI, the `jsonschema` crate
//! for 360Giving), keep the IATI rules the schema cannot express, trace money from donor to
//! grantee, name no anonymous donor, publish no small count, and keep their identifiers.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;
use common::TestApp;
use common::board::{Board, board, created_id, receive};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const ORG_ID: &str = "XM-DAC-99001";

/// The official standards: beside the checkout (`../shared`), named by
/// `TRUSTFUND_SHARED_DIR`, or the workplace's `/work/shared`.
fn standards_dir() -> PathBuf {
    let beside = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    std::env::var_os("TRUSTFUND_SHARED_DIR")
        .map(PathBuf::from)
        .into_iter()
        .chain([beside, PathBuf::from("/work/shared")])
        .find(|dir| dir.join("standards").is_dir())
        .expect("the official schemas: ../shared/standards (or set TRUSTFUND_SHARED_DIR)")
        .join("standards")
}

/// `xmllint --schema` over the file; the XSD's own includes resolve beside it.
fn assert_valid_iati(xml: &str) {
    let errors = iati_schema_errors(xml);
    assert!(
        errors.is_none(),
        "the IATI export is not valid against the 2.03 schema:\n{}",
        errors.unwrap_or_default()
    );
}

fn iati_schema_errors(xml: &str) -> Option<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("activities.xml");
    std::fs::write(&file, xml).expect("write the export");
    let schema = standards_dir().join("iati/iati-activities-schema.xsd");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--nonet")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect(
            "xmllint is needed to validate IATI exports: apt-get install libxml2-utils \
             (scripts/test installs it)",
        );
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The 360Giving package schema, with the grant schema it references registered from the
/// local file (no network).
fn assert_valid_360giving(package: &Value) {
    let errors = giving_schema_errors(package);
    assert!(
        errors.is_empty(),
        "the 360Giving package is not valid:\n{}",
        errors.join("\n")
    );
}

fn giving_schema_errors(package: &Value) -> Vec<String> {
    let dir = standards_dir().join("360giving");
    let read = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir.join(name)).expect("schema file"))
            .expect("schema json")
    };
    let package_schema = read("360-giving-package-schema.json");
    let grant_schema = read("360-giving-schema.json");
    let grant_url = package_schema["properties"]["grants"]["items"]["$ref"]
        .as_str()
        .expect("the package's reference to the grant schema")
        .to_string();
    let registry = jsonschema::Registry::new()
        .add(&grant_url, grant_schema)
        .expect("register the grant schema")
        .prepare()
        .expect("registry");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        // the schema's dates are `oneOf` a date-time format or a date pattern: without
        // format checks a plain date would match both and fail `oneOf`
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&package_schema)
        .expect("the 360Giving package schema compiles");
    validator
        .iter_errors(package)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

async fn public_get(app: &TestApp, path: &str) -> (u16, String, Option<String>) {
    let response = app
        .client
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("request");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    (status, response.text().await.expect("body"), content_type)
}

async fn iati(app: &TestApp, fund_id: &str) -> String {
    let (status, body, content_type) =
        public_get(app, &format!("/api/v1/funds/{fund_id}/iati.xml")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        content_type.as_deref(),
        Some("application/xml; charset=utf-8")
    );
    body
}

async fn giving(app: &TestApp, fund_id: &str) -> Value {
    let (status, body, _) =
        public_get(app, &format!("/api/v1/funds/{fund_id}/360giving.json")).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("the 360Giving export is JSON")
}

/// A grant approved at the board, optionally signed, with a first payment and an
/// accepted report.
struct World {
    b: Board,
    paid_grant: String,
    paid: Decimal,
    /// Returned by the grantee: a negative disbursement in IATI, less disbursed in 360Giving.
    refunded: Decimal,
    awarded: Decimal,
    anonymous_donor: &'static str,
}

/// An application with characters that XML and JSON must escape.
fn escaped_application(title: &str, amount: &str, countries: Value) -> Value {
    json!({
        "title": title,
        "summary": "Shelter & legal aid for survivors <returned> from \"abroad\".",
        "requested_amount": amount,
        "duration_months": 12,
        "countries": countries,
        "themes": ["protection.shelter"],
        "budget": [{"category": "shelter", "description": "rent", "amount": amount}]
    })
}

async fn world(app: &TestApp) -> World {
    let w = common::world::World::board(app).received("60000.00").await;
    let b = w.to_board();
    // a donor who asked not to be named
    let anonymous_donor = "Quiet Benefactor Foundation";
    let quiet = created_id(
        app.post_as(
            &b.admin,
            "/api/v1/organisations",
            json!({"name": anonymous_donor, "kind": "foundation", "country": "CH",
                   "identifier": "CH-FDJP-QUIET01", "listed_anonymously": true}),
        )
        .await,
    )
    .await;
    let r = app
        .post_as(
            &b.admin,
            &format!("/api/v1/funds/{}/contributions", b.fund_id),
            json!({"donor_id": quiet, "amount": "7000.00", "currency": "USD",
                   "received_on": Utc::now().date_naive().to_string(), "reference": "BANK-QUIET"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);

    let w = w
        .application_with(escaped_application(
            "Shelter in Lagos & <Cotonou>",
            "15000.00",
            json!(["NG", "BJ", "GH"]),
        ))
        .submitted()
        .screened()
        .grant("15000.00")
        .signed()
        .await;
    let paid_grant = w.grant_id().to_string();
    // the first instalment paid in full, with four eyes
    let grant = app
        .get_as(&b.admin, &format!("/api/v1/grants/{paid_grant}"))
        .await;
    assert_eq!(grant.status, 200, "{}", grant.text);
    let first = grant.body["instalments"][0]["amount"]
        .as_str()
        .expect("amount")
        .to_string();
    let w = w.pay(0, &first).await;
    let paid: Decimal = first.parse().expect("decimal");
    let r = app
        .post_as(
            &app.user_token("finance", None),
            &format!("/api/v1/grants/{paid_grant}/refunds"),
            json!({"amount": "250.00", "received_on": Utc::now().date_naive().to_string(),
                   "reference": "RET-1"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    // an accepted report: 12 + 3 beneficiaries, and an indicator whose actual is small
    let today = Utc::now().date_naive();
    let r = app
        .post_as(
            &b.ngo,
            &format!("/api/v1/grants/{paid_grant}/reports"),
            json!({
                "kind": "interim",
                "period_start": (today - chrono::Duration::days(90)).to_string(),
                "period_end": today.to_string(),
                "narrative": "The shelter opened.",
                "people_reached_to_date": 15,
                "beneficiaries": [
                    {"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 12},
                    {"sex": "male", "age_group": "child", "exploitation": "begging", "count": 3}
                ],
                "services": [{"service": "shelter", "count": 12}],
                "indicators": [
                    {"name": "survivors sheltered", "target": "20", "actual": "15"},
                    {"name": "convictions supported", "target": "6", "actual": "3"}
                ],
                "expenditure": [{"category": "shelter", "amount": "8000.00"}]
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let report = r.body["id"].as_str().expect("report id").to_string();
    let r = app
        .post_as(
            &b.admin,
            &format!("/api/v1/reports/{report}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    // a second grant, approved but not signed yet
    let _ = w
        .application_with(escaped_application(
            "Legal aid in Bangkok",
            "5000.00",
            json!(["TH"]),
        ))
        .submitted()
        .screened()
        .grant("5000.00")
        .await;
    World {
        b,
        paid_grant,
        paid,
        refunded: Decimal::new(25_000, 2),
        awarded: Decimal::new(2_000_000, 2),
        anonymous_donor,
    }
}

async fn publish_under(app: &TestApp, b: &Board, identifier: &str) -> common::Reply {
    let path = format!("/api/v1/funds/{}", b.fund_id);
    let etag = app
        .get_as(&b.admin, &path)
        .await
        .header("etag")
        .expect("the fund's ETag");
    app.patch_as(
        &b.admin,
        &path,
        json!({"organisation_identifier": identifier}),
        Some(&etag),
    )
    .await
}

fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute(name)
}

fn children<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    name: &'static str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> {
    node.children().filter(move |c| c.has_tag_name(name))
}

fn text_of(node: roxmltree::Node<'_, '_>, name: &'static str) -> String {
    children(node, name)
        .next()
        .and_then(|n| n.text())
        .unwrap_or_default()
        .to_string()
}

/// The IATI rules a schema cannot express, checked on every activity.
fn assert_iati_rules(xml: &str, org_id: &str) {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let today = Utc::now().date_naive().to_string();
    for activity in children(doc.root_element(), "iati-activity") {
        let id = text_of(activity, "iati-identifier");
        assert!(
            id.starts_with(&format!("{org_id}-")),
            "{id} does not start with the organisation identifier"
        );
        let reporting = children(activity, "reporting-org")
            .next()
            .expect("reporting-org");
        assert_eq!(attr(reporting, "ref"), Some(org_id));
        // sector percentages sum to 100 within each vocabulary
        let mut by_vocabulary: BTreeMap<String, Decimal> = BTreeMap::new();
        for sector in children(activity, "sector") {
            let vocabulary = attr(sector, "vocabulary").unwrap_or("1").to_string();
            let share: Decimal = attr(sector, "percentage")
                .expect("a sector percentage")
                .parse()
                .expect("decimal");
            *by_vocabulary.entry(vocabulary).or_default() += share;
        }
        assert!(!by_vocabulary.is_empty(), "{id} has no sector");
        for (vocabulary, sum) in &by_vocabulary {
            assert_eq!(
                *sum,
                Decimal::from(100),
                "{id}: vocabulary {vocabulary} sums to {sum}"
            );
        }
        let countries: Vec<Decimal> = children(activity, "recipient-country")
            .map(|c| {
                attr(c, "percentage")
                    .expect("percentage")
                    .parse()
                    .expect("decimal")
            })
            .collect();
        if !countries.is_empty() {
            assert_eq!(
                countries.iter().copied().sum::<Decimal>(),
                Decimal::from(100),
                "{id}"
            );
        }
        // a start date, planned or actual
        assert!(
            children(activity, "activity-date")
                .any(|d| matches!(attr(d, "type"), Some("1") | Some("2"))),
            "{id} has no start date"
        );
        // no actual date and no transaction in the future
        for date in children(activity, "activity-date")
            .filter(|d| matches!(attr(*d, "type"), Some("2") | Some("4")))
        {
            assert!(
                attr(date, "iso-date").expect("iso-date") <= today.as_str(),
                "{id}"
            );
        }
        for transaction in children(activity, "transaction") {
            let date = children(transaction, "transaction-date")
                .next()
                .expect("date");
            assert!(
                attr(date, "iso-date").expect("iso-date") <= today.as_str(),
                "{id}: a transaction in the future"
            );
        }
    }
}

both_backends!(
    exports_validate_and_trace_money_from_donor_to_grantee,
    |app: TestApp| async move {
        let w = world(&app).await;
        let fund = &w.b.fund_id;
        // nothing is published before the fund has an identifier to publish under
        let (status, body, _) = public_get(&app, &format!("/api/v1/funds/{fund}/iati.xml")).await;
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("organisation_identifier"), "{body}");
        let r = publish_under(&app, &w.b, ORG_ID).await;
        assert_eq!(r.status, 200, "{}", r.text);

        let xml = iati(&app, fund).await;
        assert_valid_iati(&xml);
        assert_iati_rules(&xml, ORG_ID);
        let doc = roxmltree::Document::parse(&xml).expect("xml");
        let activities: Vec<_> = children(doc.root_element(), "iati-activity").collect();
        assert_eq!(activities.len(), 3, "the fund and its two grants");
        let parent = activities[0];
        assert_eq!(attr(parent, "hierarchy"), Some("1"));
        let parent_id = text_of(parent, "iati-identifier");
        // the parent carries the money in: pledges (13) and incoming funds (1)
        let incoming: Decimal = children(parent, "transaction")
            .filter(|t| children(*t, "transaction-type").any(|c| attr(c, "code") == Some("1")))
            .map(|t| text_of(t, "value").parse::<Decimal>().expect("value"))
            .sum();
        assert_eq!(incoming, Decimal::new(6_700_000, 2));
        // each child links to the parent and the parent to each child
        let child_links: Vec<String> = children(parent, "related-activity")
            .filter(|r| attr(*r, "type") == Some("2"))
            .map(|r| attr(r, "ref").expect("ref").to_string())
            .collect();
        let mut committed = Decimal::ZERO;
        let mut disbursed = Decimal::ZERO;
        for child in &activities[1..] {
            assert_eq!(attr(*child, "hierarchy"), Some("2"));
            let id = text_of(*child, "iati-identifier");
            assert!(child_links.contains(&id), "the parent does not list {id}");
            assert!(
                children(*child, "related-activity")
                    .any(|r| attr(r, "type") == Some("1") && attr(r, "ref") == Some(&parent_id))
            );
            for t in children(*child, "transaction") {
                let code = children(t, "transaction-type")
                    .next()
                    .and_then(|c| attr(c, "code"))
                    .expect("type");
                let value: Decimal = text_of(t, "value").parse().expect("value");
                match code {
                    "2" => committed += value,
                    "3" => disbursed += value,
                    other => panic!("unexpected transaction type {other} in a grant"),
                }
            }
        }
        assert_eq!(committed, w.awarded, "commitments are the amounts approved");
        assert_eq!(
            disbursed,
            w.paid - w.refunded,
            "disbursements are what was paid, a refund counting negative"
        );
        assert!(
            xml.contains(">-250.00</value>"),
            "the refund is a negative disbursement"
        );
        // the 3-country grant splits 100 % exactly; its themes are sectors of vocabulary 99
        assert!(
            xml.contains(r#"<recipient-country code="NG" percentage="33.34"/>"#),
            "{xml}"
        );
        assert!(xml.contains(r#"vocabulary="99" code="protection.shelter" percentage="100""#));
        assert!(xml.contains(r#"<tag vocabulary="3" code="8.7"/>"#));
        // hostile text is escaped, never markup
        assert!(xml.contains("Shelter in Lagos &amp; &lt;Cotonou&gt;"));
        // the anonymous donor is neither named nor identified; its money still counts
        assert!(!xml.contains(w.anonymous_donor) && !xml.contains("CH-FDJP-QUIET01"));
        assert!(xml.contains("Anonymous donor"));
        // results: 15 beneficiaries and an indicator of 15 are shown; an actual of 3 is not
        assert!(xml.contains(r#"<actual value="15"/>"#), "{xml}");
        assert!(!xml.contains(r#"value="3""#));
        assert!(xml.contains("fewer than 5"));
        // by sex, age and form as a donor sees them: 15 = 12 + 3 would give the 3 away, so
        // the 12 women (adults, sexual exploitation) are withheld as well, in every dimension
        assert!(!xml.contains(r#"value="12""#), "{xml}");
        assert!(!xml.contains("<dimension"), "{xml}");

        // the validators do reject: an activity without its status, a grant without its id
        let broken = xml.replacen(r#"<activity-status code="2"/>"#, "", 1);
        assert!(iati_schema_errors(&broken).is_some());

        let package = giving(&app, fund).await;
        assert_valid_360giving(&package);
        let mut broken = package.clone();
        broken["grants"][0]
            .as_object_mut()
            .expect("a grant object")
            .remove("id");
        assert!(!giving_schema_errors(&broken).is_empty());
        let grants = package["grants"].as_array().expect("grants");
        assert_eq!(grants.len(), 2);
        for g in grants {
            let id = g["id"].as_str().expect("id");
            assert!(id.starts_with(&format!("360G-{ORG_ID}-")), "{id}");
            assert_eq!(g["fundingOrganization"][0]["id"], ORG_ID);
        }
        let paid = grants
            .iter()
            .find(|g| g["amountAwarded"] == json!(15000.0))
            .expect("the paid grant");
        let disbursed: Decimal = paid["amountDisbursed"].to_string().parse().expect("number");
        assert_eq!(disbursed, w.paid - w.refunded);
        assert_eq!(
            paid["beneficiaryLocation"].as_array().map(Vec::len),
            Some(3)
        );
        assert_eq!(paid["grantProgramme"][0]["title"], "Grants 2026");
        // a 12-month grant lasts 12 months (it ends 12 months after it starts, same day),
        // and is awarded on the board's day, when it starts and IATI dates its commitment
        assert_eq!(paid["plannedDates"][0]["duration"], 12, "{paid}");
        assert_eq!(
            paid["awardDate"], paid["plannedDates"][0]["startDate"],
            "{paid}"
        );
        let text = package.to_string();
        assert!(!text.contains(w.anonymous_donor));
        let _ = &w.paid_grant;
    }
);

both_backends!(
    published_identifiers_never_change,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = publish_under(&app, &w.b, ORG_ID).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let before = iati(&app, &w.b.fund_id).await;
        // the fund has grants: its identifier is frozen (setting the same one is harmless)
        let r = publish_under(&app, &w.b, "XM-DAC-99002").await;
        assert_eq!(
            r.assert_problem(409, "invalid_state"),
            vec!["organisation_identifier"]
        );
        let r = publish_under(&app, &w.b, ORG_ID).await;
        assert_eq!(r.status, 200, "{}", r.text);
        // a payment later: the same activities under the same identifiers
        let ids = |xml: &str| -> Vec<String> {
            let doc = roxmltree::Document::parse(xml).expect("xml");
            children(doc.root_element(), "iati-activity")
                .map(|a| text_of(a, "iati-identifier"))
                .collect()
        };
        let after = iati(&app, &w.b.fund_id).await;
        assert_eq!(ids(&before), ids(&after));
        // unknown funds and malformed ids are problems, not files
        let (status, _, content_type) = public_get(
            &app,
            &format!("/api/v1/funds/{}/iati.xml", uuid::Uuid::new_v4()),
        )
        .await;
        assert_eq!(status, 404);
        assert_eq!(content_type.as_deref(), Some("application/problem+json"));
        let (status, _, _) = public_get(&app, "/api/v1/funds/nope/360giving.json").await;
        assert_eq!(status, 400);
    }
);

both_backends!(
    a_fund_without_grants_publishes_its_money_in_but_no_empty_360giving_package,
    |app: TestApp| async move {
        let b = board(&app).await;
        receive(&app, &b, "1000.00").await;
        let r = publish_under(&app, &b, ORG_ID).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let xml = iati(&app, &b.fund_id).await;
        assert_valid_iati(&xml);
        assert_iati_rules(&xml, ORG_ID);
        let (status, body, _) =
            public_get(&app, &format!("/api/v1/funds/{}/360giving.json", b.fund_id)).await;
        assert_eq!(status, 409, "{body}");
    }
);

both_backends!(
    the_command_line_export_writes_what_the_api_serves,
    |app: TestApp| async move {
        let w = world(&app).await;
        let r = publish_under(&app, &w.b, ORG_ID).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let code = app
            .get_as(&w.b.admin, &format!("/api/v1/funds/{}", w.b.fund_id))
            .await
            .body["code"]
            .as_str()
            .expect("code")
            .to_string();
        let dir = tempfile::tempdir().expect("dir");
        for (format, file) in [("iati", "out.xml"), ("360giving", "out.json")] {
            let out = dir.path().join(file);
            let run = std::process::Command::new(env!("CARGO_BIN_EXE_trustfund"))
                .args(["export", format, "--fund", &code, "--out"])
                .arg(&out)
                .env("TRUSTFUND__DATABASE__URL", &app.settings.database.url)
                .env("TRUSTFUND__DATA_DIR", &app.data_dir)
                .env("TRUSTFUND__LOG__LEVEL", "error")
                .output()
                .expect("run trustfund export");
            assert!(
                run.status.success(),
                "{}",
                String::from_utf8_lossy(&run.stderr)
            );
            let written = std::fs::read_to_string(&out).expect("the export file");
            if format == "iati" {
                assert_valid_iati(&written);
                let served = iati(&app, &w.b.fund_id).await;
                // the same file but for the moment it was generated
                let strip = |x: &str| {
                    let at = x.find("generated-datetime=\"").expect("generated-datetime");
                    let value = at + "generated-datetime=\"".len();
                    let end = value + x[value..].find('"').expect("closing quote");
                    format!("{}{}", &x[..at], &x[end..])
                };
                assert_eq!(strip(&written), strip(&served));
            } else {
                let package: Value = serde_json::from_str(&written).expect("json");
                assert_valid_360giving(&package);
                assert_eq!(
                    package["grants"],
                    giving(&app, &w.b.fund_id).await["grants"]
                );
            }
        }
        // an unknown fund is an error, and no file appears
        let out = dir.path().join("none.xml");
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_trustfund"))
            .args(["export", "iati", "--fund", "NO-SUCH-FUND", "--out"])
            .arg(&out)
            .env("TRUSTFUND__DATABASE__URL", &app.settings.database.url)
            .env("TRUSTFUND__DATA_DIR", &app.data_dir)
            .output()
            .expect("run trustfund export");
        assert!(!run.status.success());
        assert!(!out.exists());
    }
);

/// Every public output of a fund: its open-data files, its public figures and page, and the
/// registry's public reads.
async fn public_outputs(app: &TestApp, fund: &str, code: &str) -> Vec<(&'static str, String)> {
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive());
    let mut all = vec![
        ("IATI", iati(app, fund).await),
        ("360Giving", giving(app, fund).await.to_string()),
    ];
    for (what, path) in [
        ("public figures", format!("/api/v1/public/funds/{fund}")),
        ("public page", format!("/funds/{code}")),
        (
            "registry search",
            "/api/v1/registry/projects?limit=200".to_string(),
        ),
        ("registry matrix", "/api/v1/registry/matrix".to_string()),
        ("registry gaps", "/api/v1/registry/gaps".to_string()),
        (
            "yearly report",
            format!("/api/v1/public/funds/{fund}/annual-reports/{year}"),
        ),
        (
            "yearly report page",
            format!("/funds/{code}/annual-report/{year}?lang=fr"),
        ),
    ] {
        let (status, body, _) = public_get(app, &path).await;
        assert_eq!(status, 200, "{path}: {body}");
        all.push((what, body));
    }
    all
}

both_backends!(
    a_protected_grantee_is_named_by_no_public_output,
    |app: TestApp| async move {
        let w = world(&app).await;
        let b = &w.b;
        let r = publish_under(&app, b, "XM-DAC-41110").await;
        assert_eq!(r.status, 200, "{}", r.text);
        let grantee = "Safe Haven Lagos";
        let grants = app
            .get_as(
                &b.admin,
                &format!("/api/v1/grants?organisation_id={}", b.org_id),
            )
            .await;
        let titles: Vec<String> = grants.body["items"]
            .as_array()
            .expect("grants")
            .iter()
            .map(|g| g["title"].as_str().expect("title").to_string())
            .collect();
        assert!(!titles.is_empty());
        let code = app
            .get_as(&b.admin, &format!("/api/v1/funds/{}", b.fund_id))
            .await
            .body["code"]
            .as_str()
            .expect("code")
            .to_string();
        // named before: the search below can find what it looks for
        let before = public_outputs(&app, &b.fund_id, &code).await;
        assert!(before[0].1.contains(grantee));
        assert!(before.iter().any(|(_, body)| body.contains(&titles[0])));

        let r = app
            .patch_as(
                &b.admin,
                &format!("/api/v1/organisations/{}", b.org_id),
                json!({"protected": true}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["protected"], true);

        let after = public_outputs(&app, &b.fund_id, &code).await;
        for (what, body) in &after {
            for secret in [grantee, b.org_id.as_str(), "Lagos"]
                .into_iter()
                .chain(titles.iter().map(String::as_str))
            {
                assert!(!body.contains(secret), "{what} shows {secret:?}:\n{body}");
            }
        }
        // the files stay valid and say the recipient is withheld
        let xml = &after[0].1;
        assert_valid_iati(xml);
        assert!(xml.contains("Recipient withheld for its safety"));
        let package: Value = serde_json::from_str(&after[1].1).expect("json");
        assert_valid_360giving(&package);
        for grant in package["grants"].as_array().expect("grants") {
            assert_eq!(
                grant["recipientOrganization"][0]["name"],
                "Recipient withheld for its safety"
            );
        }
    }
);

both_backends!(
    iati_results_give_people_by_sex_age_and_form_as_a_donor_sees_them,
    |app: TestApp| async move {
        let s = common::transparency::seed(&app).await;
        let path = format!("/api/v1/funds/{}", s.fund_id);
        let etag = app
            .get_as(&s.admin, &path)
            .await
            .header("etag")
            .expect("the fund's ETag");
        let r = app
            .patch_as(
                &s.admin,
                &path,
                json!({"organisation_identifier": "XM-DAC-41301"}),
                Some(&etag),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let xml = iati(&app, &s.fund_id).await;
        assert_eq!(iati_schema_errors(&xml), None, "{xml}");
        // 135 people: the shown totals of the public and donor views, each a dimension
        assert!(xml.contains(r#"<actual value="135"/>"#), "{xml}");
        for (name, value, count) in [
            ("sex", "female", 105),
            ("sex", "male", 30),
            ("age-group", "adult", 115),
            ("form-of-exploitation", "sexual", 55),
            ("form-of-exploitation", "begging", 33),
        ] {
            let actual = format!(
                r#"<actual value="{count}"><dimension name="{name}" value="{value}"/></actual>"#
            );
            assert!(xml.contains(&actual), "{actual} missing: {xml}");
        }
        // the children's total is withheld (it would give away the 2 of unknown age) and
        // no count below 5 is published
        assert!(!xml.contains(r#"<dimension name="age-group" value="child"/>"#));
        assert!(!xml.contains(r#"<dimension name="age-group" value="unknown"/>"#));
        assert!(!xml.contains(r#"value="2""#) && !xml.contains(r#"value="3""#));
    }
);
