//! A fund with everything its public figures are made of, all made over HTTP: a named donor
//! paying in two currencies, two donors listed anonymously, two approved grants (one signed
//! and partly paid, one awaiting signature), an accepted outcome report with counts above
//! and below 5, and a second fund with a grant of its own that must not leak in.

use chrono::Utc;
use serde_json::{Value, json};

use super::TestApp;
use super::board::created_id;
use super::world::{World, default_application};

pub const ANONYMOUS_FOUNDATION: &str = "Quiet Benefactor Foundation";
pub const ANONYMOUS_PERSON: &str = "Jane Private-Donor";

pub struct Seeded {
    pub admin: String,
    pub fund_id: String,
    pub fund_code: String,
    /// (id, name) of each donor listed anonymously.
    pub anonymous: Vec<(String, String)>,
    pub other_fund_id: String,
    /// The year the accepted report's period ends in.
    pub year: i32,
    /// The board's donor, which gave money to the fund.
    pub donor_id: String,
    /// The grantee's member, the signed grant in Lagos and its accepted report.
    pub ngo: String,
    pub grant_id: String,
    pub report_id: String,
    /// The grantee organisation.
    pub grantee_id: String,
}

fn today() -> String {
    Utc::now().date_naive().to_string()
}

pub async fn contribution(app: &TestApp, admin: &str, fund: &str, donor: &str, body: Value) {
    let mut body = body;
    body["donor_id"] = json!(donor);
    body["received_on"] = json!(today());
    body["reference"] = json!(format!("BANK-{}", uuid::Uuid::new_v4().simple()));
    let r = app
        .post_as(admin, &format!("/api/v1/funds/{fund}/contributions"), body)
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
}

async fn donor(app: &TestApp, admin: &str, name: &str, kind: &str, anonymous: bool) -> String {
    created_id(
        app.post_as(
            admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": kind, "country": "CH", "listed_anonymously": anonymous}),
        )
        .await,
    )
    .await
}

/// The default application, in these countries.
fn in_countries(title: &str, amount: &str, countries: &[&str]) -> Value {
    let mut content = default_application(title, amount);
    content["countries"] = json!(countries);
    content
}

pub async fn seed(app: &TestApp) -> Seeded {
    let w = World::board(app).await;
    let b = w.to_board();
    let admin = b.admin.clone();
    // the named donor (Luxembourg) gives USD 50,000 and EUR 10,000 at 1.085 (USD 10,850)
    contribution(
        app,
        &admin,
        &b.fund_id,
        &b.donor_id,
        json!({"amount": "50000.00", "currency": "USD"}),
    )
    .await;
    contribution(
        app,
        &admin,
        &b.fund_id,
        &b.donor_id,
        json!({"amount": "10000.00", "currency": "EUR", "exchange_rate": "1.085"}),
    )
    .await;
    let mut anonymous = Vec::new();
    for (name, kind, amount) in [
        (ANONYMOUS_FOUNDATION, "foundation", "20000.00"),
        (ANONYMOUS_PERSON, "individual", "10000.00"),
    ] {
        let id = donor(app, &admin, name, kind, true).await;
        contribution(
            app,
            &admin,
            &b.fund_id,
            &id,
            json!({"amount": amount, "currency": "USD"}),
        )
        .await;
        anonymous.push((id, name.to_string()));
    }

    // two grants decided in one session: Lagos signed and USD 6,000 of its first instalment
    // paid with four eyes, Bangkok awaiting signature
    let w = w
        .application_with(in_countries("Shelter in Lagos", "15000.00", &["NG", "BJ"]))
        .submitted()
        .screened()
        .grant("15000.00")
        .signed()
        .pay(0, "6000.00")
        .await;
    let lagos_id = w.grant_id().to_string();
    let _ = w
        .application_with(in_countries("Safe houses in Bangkok", "8000.00", &["TH"]))
        .submitted()
        .screened()
        .grant("8000.00")
        .await;
    // an accepted report of 135 people: 55, 47 and 33 in three forms; two small cells (3
    // boys begging, 2 men of unknown age), so that the 2 hides the children's total too
    let today = Utc::now().date_naive();
    let r = app
        .post_as(
            &b.ngo,
            &format!("/api/v1/grants/{lagos_id}/reports"),
            json!({
                "kind": "interim",
                "period_start": (today - chrono::Duration::days(90)).to_string(),
                "period_end": today.to_string(),
                "narrative": "The shelter opened.",
                "people_reached_to_date": 135,
                "beneficiaries": [
                    {"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 40},
                    {"sex": "female", "age_group": "adult", "exploitation": "forced-labour", "count": 20},
                    {"sex": "female", "age_group": "child", "exploitation": "sexual", "count": 15},
                    {"sex": "male", "age_group": "adult", "exploitation": "forced-labour", "count": 25},
                    {"sex": "male", "age_group": "child", "exploitation": "begging", "count": 3},
                    {"sex": "female", "age_group": "adult", "exploitation": "begging", "count": 30},
                    {"sex": "male", "age_group": "unknown", "exploitation": "forced-labour", "count": 2}
                ],
                "services": [{"service": "shelter", "count": 31}],
                "indicators": [{"name": "survivors sheltered", "target": "20", "actual": "31"}],
                "expenditure": [{"category": "shelter", "amount": "4500.00"}]
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let report = r.body["id"].as_str().expect("report id").to_string();
    let r = app
        .post_as(
            &admin,
            &format!("/api/v1/reports/{report}/accept"),
            json!({"comment": "thank you"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);

    // another fund, with money and a grant in Kenya of its own
    let other = World::board(app)
        .received("30000.00")
        .application_with(in_countries("Elsewhere", "9000.00", &["KE"]))
        .submitted()
        .screened()
        .grant("9000.00")
        .await;
    let fund = app
        .get_as(&admin, &format!("/api/v1/funds/{}", b.fund_id))
        .await;
    assert_eq!(fund.status, 200, "{}", fund.text);
    Seeded {
        admin,
        fund_code: fund.body["code"].as_str().expect("code").to_string(),
        donor_id: b.donor_id.clone(),
        ngo: b.ngo.clone(),
        grant_id: lagos_id,
        report_id: report,
        grantee_id: b.org_id.clone(),
        fund_id: b.fund_id,
        anonymous,
        other_fund_id: other.fund_id().to_string(),
        year: chrono::Datelike::year(&today),
    }
}

/// The `data-figure` elements of a page: (name, text), the text unescaped.
pub fn figures(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("data-figure=\"") {
        rest = &rest[start + "data-figure=\"".len()..];
        let name_end = rest.find('"').expect("attribute ends");
        let name = rest[..name_end].to_string();
        let text_start = rest.find('>').expect("tag ends") + 1;
        let text_end = rest[text_start..].find('<').expect("text ends") + text_start;
        let text = rest[text_start..text_end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&#x2f;", "/")
            .replace("&amp;", "&");
        out.push((name, text));
        rest = &rest[text_end..];
    }
    out
}

/// What the page must show for each `data-figure`, read from the JSON answer.
pub fn expected_figures(json: &Value) -> Vec<(String, String)> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out = Vec::new();
    for key in ["pledged", "received", "committed", "disbursed", "available"] {
        out.push((key.to_string(), text(&json["totals"][key])));
    }
    let zero = |v: &Value| {
        v.as_str()
            .and_then(|s| s.parse::<rust_decimal::Decimal>().ok())
            .is_some_and(|d| d.is_zero())
    };
    for p in json["money_over_time"]["items"].as_array().expect("items") {
        // the table leaves out quarters in which nothing moved
        if zero(&p["received"]) && zero(&p["disbursed"]) {
            continue;
        }
        let period = p["period"].as_str().expect("period");
        out.push((format!("received-{period}"), text(&p["received"])));
        out.push((format!("disbursed-{period}"), text(&p["disbursed"])));
    }
    for (i, d) in json["donors"]
        .as_array()
        .expect("donors")
        .iter()
        .enumerate()
    {
        out.push((format!("donor-{}-name", i + 1), text(&d["name"])));
        if d["anonymous"] == true {
            out.push((format!("donor-{}-donors", i + 1), text(&d["donors"])));
        }
        out.push((format!("donor-{}-received", i + 1), text(&d["received"])));
    }
    out.push(("grants-count".into(), text(&json["grants"]["count"])));
    out.push(("grants-awarded".into(), text(&json["grants"]["awarded"])));
    for (table, list) in [
        ("country", "by_country"),
        ("theme", "by_theme"),
        ("status", "by_status"),
    ] {
        for g in json["grants"][list].as_array().expect("groups") {
            let key = g["key"].as_str().expect("key");
            out.push((format!("grants-{table}-{key}-count"), text(&g["count"])));
            out.push((format!("grants-{table}-{key}-awarded"), text(&g["awarded"])));
        }
    }
    let outcomes = &json["outcomes"];
    out.push(("beneficiaries".into(), text(&outcomes["beneficiaries"])));
    out.push(("reports".into(), text(&outcomes["reports"])));
    for c in outcomes["by_year_exploitation"].as_array().expect("cross") {
        out.push((
            format!(
                "beneficiaries-{}-{}",
                c["year"],
                c["exploitation"].as_str().expect("form")
            ),
            text(&c["count"]),
        ));
    }
    for y in outcomes["by_year"].as_array().expect("years") {
        out.push((format!("beneficiaries-{}", y["year"]), text(&y["count"])));
    }
    for k in outcomes["by_exploitation"].as_array().expect("forms") {
        out.push((
            format!("beneficiaries-{}", k["key"].as_str().expect("key")),
            text(&k["count"]),
        ));
    }
    for (prefix, list) in [("sex", "by_sex"), ("age", "by_age_group")] {
        for k in outcomes[list].as_array().expect("keyed") {
            out.push((
                format!("beneficiaries-{prefix}-{}", k["key"].as_str().expect("key")),
                text(&k["count"]),
            ));
        }
    }
    out.sort();
    out
}
