//! The registry open to every actor, and its public website, on both backends: a
//! government registers itself with the `registry` role, keeps its projects (which wait,
//! on the pages as in the JSON, until the secretariat verifies it) and sees nothing of the
//! fund; the public pages (`/registry`, a project, an organisation, a country, the matrix)
//! show the figures of the JSON API, with the fund page's small-cell rule on the matrix.
//! One headless Chromium test reads the pages as a browser renders them.

use crate::common;

use std::collections::BTreeMap;

use common::TestApp;
use common::chromium::Chromium;
use fantoccini::Locator;
use serde_json::{Value, json};

const PASSWORD: &str = "harbour cedar ledger 73";
const PROJECTS: &str = "/api/v1/registry/projects";

/// An element's figure: its `data-figure` name, its row and column (when it has them)
/// and its text as shown.
type Figures = BTreeMap<(String, String, String), String>;

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn attribute(tag: &str, name: &str) -> String {
    tag.split(&format!("{name}=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_string()
}

/// Every `data-figure` of a page with the text it shows (elements holding text only).
fn figures(html: &str) -> Figures {
    let mut out = Figures::new();
    for part in html.split("data-figure=\"").skip(1) {
        let (name, rest) = part.split_once('"').expect("attribute");
        let (tag, after) = rest.split_once('>').expect("tag end");
        let text = after.split('<').next().unwrap_or_default();
        out.insert(
            (
                name.to_string(),
                attribute(tag, "data-row"),
                attribute(tag, "data-col"),
            ),
            unescape(text).trim().to_string(),
        );
    }
    out
}

/// A whole number as an English page writes it: `12,345`.
fn english(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A decimal amount as an English page writes it, with its currency: `1,250.00 USD`.
fn english_money(amount: &str, currency: &str) -> String {
    let (whole, cents) = amount.split_once('.').unwrap_or((amount, ""));
    let whole = english(whole.parse().expect("whole"));
    if cents.is_empty() {
        format!("{whole}\u{a0}{currency}")
    } else {
        format!("{whole}.{cents}\u{a0}{currency}")
    }
}

/// A project count as the public matrix shows it: the fund page's rule, below 5 `<5`.
fn public_count(n: i64) -> String {
    if n < 5 { "<5".to_string() } else { english(n) }
}

/// The cells of the country × theme matrix the pages must show for `json` (the JSON's
/// matrix): every country row × the four P, 0 where the JSON lists no cell.
fn expected_cells(json: &Value, rows: &[String]) -> Figures {
    let mut out = Figures::new();
    for row in rows {
        for theme in ["prevention", "protection", "prosecution", "partnership"] {
            let cell = json["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .find(|c| c["row"] == row.as_str() && c["col"] == theme);
            let (projects, budget) = match cell {
                Some(c) => (
                    public_count(c["projects"].as_i64().expect("projects")),
                    english_money(c["budget_usd"].as_str().expect("budget"), "USD"),
                ),
                None => ("0".to_string(), english_money("0.00", "USD")),
            };
            let key = |name: &str| (name.to_string(), row.clone(), theme.to_string());
            out.insert(key("cell-projects"), projects);
            out.insert(key("cell-budget"), budget);
        }
    }
    out
}

fn cells_of(figures: &Figures) -> Figures {
    figures
        .iter()
        .filter(|((name, _, _), _)| name.starts_with("cell-"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

async fn page(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = app
        .client
        .get(app.url(path))
        .header("accept-language", "en");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("body"))
}

async fn html(app: &TestApp, path: &str) -> String {
    let (status, _, text) = page(app, path, None).await;
    assert_eq!(status, 200, "{path}: {text}");
    text
}

async fn json_of(app: &TestApp, path: &str) -> Value {
    let r = app.get(path).await;
    assert_eq!(r.status, 200, "{path}: {}", r.text);
    r.body
}

fn org_id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

async fn organisation(
    app: &TestApp,
    admin: &str,
    name: &str,
    kind: &str,
    verified: bool,
) -> String {
    let r = app
        .post_as(
            admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": kind, "country": "LU", "verified": verified}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    org_id(&r.body)
}

fn project(org: &str, title: &str, countries: &[&str], themes: &[&str], budget: &str) -> Value {
    json!({
        "title": title,
        "description": format!("{title}: a project of the registry page tests."),
        "reporting_org_id": org,
        "countries": countries,
        "themes": themes,
        "start_on": "2025-01-01",
        "end_on": "2050-12-31",
        "budget": budget,
        "currency": "USD",
        "status": "active"
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> String {
    let r = app.post_as(token, PROJECTS, body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    org_id(&r.body)
}

both_backends!(
    a_government_registers_for_the_registry_and_is_public_once_verified,
    |app: TestApp| async move {
        let r = app
            .post(
                "/api/v1/auth/register",
                json!({
                    "organisation": {"name": "Ministry of Labour of Luxembourg", "country": "LU",
                                     "kind": "government"},
                    "user": {"email": "registry@gouvernement.example", "name": "Claire Weber",
                             "password": PASSWORD}
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["user"]["role"], "registry");
        assert_eq!(r.body["organisation"]["kind"], "government");
        assert_eq!(r.body["organisation"]["verified"], false);
        let org = org_id(&r.body["organisation"]);
        // individuals are still registered by the secretariat only
        let refused = app
            .post(
                "/api/v1/auth/register",
                json!({
                    "organisation": {"name": "Jane Doe", "country": "LU", "kind": "individual"},
                    "user": {"email": "jane@example.org", "name": "Jane", "password": PASSWORD}
                }),
            )
            .await;
        assert_eq!(
            refused.assert_problem(422, "validation_failed"),
            ["organisation.kind"]
        );

        let token = app
            .email_number("registry@gouvernement.example", 1)
            .await
            .token();
        let ok = app
            .post("/api/v1/auth/verify-email", json!({"token": token}))
            .await;
        assert_eq!(ok.status, 204, "{}", ok.text);
        let login = app.login("registry@gouvernement.example", PASSWORD).await;
        assert_eq!(login.status, 200, "{}", login.text);
        let member = login.body["access_token"]
            .as_str()
            .expect("token")
            .to_string();
        let me = app.get_as(&member, "/api/v1/me").await;
        assert_eq!(me.body["role"], "registry");

        // the secretariat's queue lists it
        let admin = app.user_token("admin", None);
        let waiting = app
            .get_as(&admin, "/api/v1/organisations?verified=false")
            .await;
        assert!(
            waiting.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|o| o["id"] == org.as_str()),
            "{}",
            waiting.text
        );

        // the member registers its project, with a link the server never fetches
        let mut body = project(
            &org,
            "Labour inspectors trained on forced labour",
            &["LU"],
            &["prosecution.training"],
            "250000.00",
        );
        body["links"] =
            json!([{"url": "https://gouvernement.example/inspectors", "title": "The programme"}]);
        let r = app.post_as(&member, PROJECTS, body).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let project_id = org_id(&r.body);
        assert_eq!(r.body["awaiting_verification"], true);
        // its own member reads it
        let own = app
            .get_as(&member, &format!("{PROJECTS}/{project_id}"))
            .await;
        assert_eq!(own.status, 200, "{}", own.text);

        // not public: neither in the JSON nor on the pages
        app.sign_out();
        let search = json_of(&app, PROJECTS).await;
        assert_eq!(search["total"], 0);
        app.get(&format!("{PROJECTS}/{project_id}"))
            .await
            .assert_problem(404, "not_found");
        let (status, _, _) = page(&app, &format!("/registry/projects/{project_id}"), None).await;
        assert_eq!(status, 404);
        let (status, _, _) = page(&app, &format!("/registry/organisations/{org}"), None).await;
        assert_eq!(status, 404);
        let listing = html(&app, "/registry").await;
        assert!(!listing.contains("Labour inspectors"));
        assert_eq!(
            figures(&listing)[&("total".into(), String::new(), String::new())],
            "0"
        );
        let matrix = html(&app, "/registry/matrix").await;
        assert!(!matrix.contains("data-row=\"LU\""));
        let country = html(&app, "/registry/countries/LU").await;
        assert!(!country.contains("Labour inspectors"));

        // nothing of the fund for a registry member: 403 for the fund's lists, 404 for
        // another organisation
        let fund = app
            .post_as(&admin, "/api/v1/funds",
                     json!({"code": "UNVTF", "name": "Fund", "support_cost_rate": "0.13", "board_quorum": 3}))
            .await;
        assert_eq!(fund.status, 201, "{}", fund.text);
        let fund_id = org_id(&fund.body);
        for path in [
            "/api/v1/funds".to_string(),
            format!("/api/v1/funds/{fund_id}"),
            format!("/api/v1/funds/{fund_id}/status"),
            format!("/api/v1/funds/{fund_id}/ledger"),
            format!("/api/v1/funds/{fund_id}/pledges"),
            format!("/api/v1/funds/{fund_id}/contributions"),
            "/api/v1/applications".to_string(),
            "/api/v1/grants".to_string(),
            "/api/v1/exchange-rates".to_string(),
        ] {
            let r = app.get_as(&member, &path).await;
            assert_eq!(r.status, 403, "{path}: {}", r.text);
        }
        let other = organisation(&app, &admin, "Another government", "government", true).await;
        let r = app
            .get_as(&member, &format!("/api/v1/organisations/{other}"))
            .await;
        assert_eq!(r.status, 404, "{}", r.text);
        // nor may it write another organisation's projects
        let r = app
            .post_as(
                &member,
                PROJECTS,
                project(&other, "Not ours", &["LU"], &["prevention"], "1.00"),
            )
            .await;
        assert_eq!(r.status, 404, "{}", r.text);

        // the secretariat verifies it: public at once, pages and JSON alike
        let r = app
            .patch_as(
                &admin,
                &format!("/api/v1/organisations/{org}"),
                json!({"verified": true}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let search = json_of(&app, PROJECTS).await;
        assert_eq!(search["total"], 1);
        let json = json_of(&app, &format!("{PROJECTS}/{project_id}")).await;
        let shown = html(&app, &format!("/registry/projects/{project_id}")).await;
        assert!(shown.contains("Labour inspectors trained on forced labour"));
        assert!(shown.contains("Ministry of Labour of Luxembourg"));
        assert_eq!(
            figures(&shown)[&("budget".into(), String::new(), String::new())],
            english_money(json["budget"].as_str().expect("budget"), "USD")
        );
        assert!(shown.contains(
            "<a href=\"https://gouvernement.example/inspectors\" rel=\"noopener nofollow\">The programme</a>"
        ) || shown.contains(
            "<a href=\"https:&#x2f;&#x2f;gouvernement.example&#x2f;inspectors\" rel=\"noopener nofollow\">The programme</a>"
        ), "{shown}");
        let listing = html(&app, "/registry").await;
        assert!(listing.contains("Labour inspectors"));
        assert_eq!(
            figures(&listing)[&("total".into(), String::new(), String::new())],
            "1"
        );
        let organisation_page = html(&app, &format!("/registry/organisations/{org}")).await;
        assert!(organisation_page.contains("Labour inspectors"));
        assert!(organisation_page.contains("id=\"needs-and-offers\""));
        let country = html(&app, "/registry/countries/LU").await;
        assert!(country.contains("Labour inspectors"));
        assert!(country.contains("Ministry of Labour of Luxembourg"));
        // the government's member still sees nothing of the fund
        let r = app
            .get_as(&member, &format!("/api/v1/funds/{fund_id}/ledger"))
            .await;
        assert_eq!(r.status, 403, "{}", r.text);
    }
);

both_backends!(
    the_pages_show_the_figures_of_the_json_with_small_cells_hidden,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Shelter Network", "ngo", true).await;
        let b = organisation(&app, &admin, "Kingdom of Norway", "government", true).await;
        let hidden = organisation(&app, &admin, "Unverified Body", "foundation", false).await;
        let anonymous = app
            .post_as(
                &admin,
                "/api/v1/organisations",
                json!({"name": "Secret Benefactor", "kind": "foundation", "country": "CH",
                            "verified": true, "listed_anonymously": true}),
            )
            .await;
        assert_eq!(anonymous.status, 201, "{}", anonymous.text);
        let anonymous = org_id(&anonymous.body);
        let member_a = app.user_token("ngo", Some(&a));
        let member_b = app.user_token("registry", Some(&b));
        let member_hidden = app.user_token("registry", Some(&hidden));
        // six projects in Nigeria on protection (a cell shown), two in Ghana on prevention
        // (a small cell), one across both on partnership
        for i in 0..6 {
            create(
                &app,
                &member_a,
                project(
                    &a,
                    &format!("Shelter {i}"),
                    &["NG"],
                    &["protection.shelter"],
                    "1000.50",
                ),
            )
            .await;
        }
        for i in 0..2 {
            let mut body = project(
                &b,
                &format!("Awareness {i}"),
                &["GH"],
                &["prevention"],
                "2500.00",
            );
            body["funding_org_ids"] = json!([anonymous]);
            create(&app, &member_b, body).await;
        }
        create(
            &app,
            &member_b,
            project(
                &b,
                "Regional data",
                &["NG", "GH"],
                &["partnership.data"],
                "333.33",
            ),
        )
        .await;
        create(
            &app,
            &member_hidden,
            project(
                &hidden,
                "Unverified work",
                &["NG"],
                &["protection"],
                "999999.00",
            ),
        )
        .await;
        app.sign_out();

        // the matrix: the JSON's figures, each small count shown as "<5"
        let json = json_of(&app, "/api/v1/registry/matrix").await;
        assert_eq!(json["totals"]["projects"], 9);
        let (status, headers, matrix) = page(&app, "/registry/matrix", None).await;
        assert_eq!(status, 200);
        let shown = figures(&matrix);
        let rows = vec!["GH".to_string(), "NG".to_string()];
        assert_eq!(cells_of(&shown), expected_cells(&json, &rows));
        assert_eq!(
            shown[&("cell-projects".into(), "NG".into(), "protection".into())],
            "6"
        );
        assert_eq!(
            shown[&("cell-projects".into(), "GH".into(), "prevention".into())],
            "<5"
        );
        assert_eq!(shown[&("total".into(), String::new(), String::new())], "9");
        assert_eq!(
            shown[&("budget-usd".into(), String::new(), String::new())],
            english_money(json["totals"]["budget_usd"].as_str().expect("usd"), "USD")
        );
        assert!(!matrix.contains("Unverified"));
        // cacheable, with the pages' CSP; a first visit (which gets its CSRF cookie) only
        // privately, a returning reader's publicly
        let header = |h: &reqwest::header::HeaderMap, name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(header(&headers, "cache-control"), "private, max-age=300");
        assert!(header(&headers, "content-security-policy").contains("default-src 'none'"));
        let cookie = format!("tf_csrf={}", "n".repeat(43));
        let (_, headers, again) = page(&app, "/registry/matrix", Some(&cookie)).await;
        assert_eq!(header(&headers, "cache-control"), "public, max-age=300");
        assert!(header(&headers, "vary").contains("Accept-Language"));
        assert!(headers.get("set-cookie").is_none());
        assert_eq!(figures(&again), shown);

        // the search: the JSON's total, with every facet
        let json = json_of(&app, PROJECTS).await;
        let listing = html(&app, "/registry").await;
        assert_eq!(
            figures(&listing)[&("total".into(), String::new(), String::new())],
            english(json["total"].as_i64().expect("total"))
        );
        for facet in ["country", "theme", "org_id", "status"] {
            for value in json["facets"][facet].as_array().expect("facet") {
                let count = english(value["count"].as_i64().expect("count"));
                assert!(listing.contains(&format!("({count})")), "{facet} {value}");
            }
        }
        // the anonymous funder is never named
        assert!(!listing.contains("Secret Benefactor"));
        let filtered = json_of(&app, &format!("{PROJECTS}?country=NG&theme=protection")).await;
        let listing = html(&app, "/registry?country=NG&theme=protection").await;
        assert_eq!(
            figures(&listing)[&("total".into(), String::new(), String::new())],
            english(filtered["total"].as_i64().expect("total"))
        );
        assert_eq!(filtered["total"], 6);
        // words, and a refused filter said on the page (nothing else answered)
        let words = json_of(&app, &format!("{PROJECTS}?q=awareness")).await;
        let listing = html(&app, "/registry?q=awareness").await;
        assert_eq!(words["total"], 2);
        assert_eq!(
            figures(&listing)[&("total".into(), String::new(), String::new())],
            "2"
        );
        let (status, _, refused) = page(&app, "/registry?country=Narnia", None).await;
        assert_eq!(status, 422, "{refused}");
        assert!(refused.contains("One of the filters in the address is not understood"));
        // paging by links: 9 projects, 20 a page: one page; the next link appears past 20
        assert!(!html(&app, "/registry").await.contains("rel=\"next\""));

        // a country: its row of the matrix and the search's total there
        let json = json_of(&app, "/api/v1/registry/matrix?country=NG").await;
        let search = json_of(&app, &format!("{PROJECTS}?country=NG")).await;
        let country = html(&app, "/registry/countries/NG").await;
        let shown = figures(&country);
        assert_eq!(cells_of(&shown), expected_cells(&json, &["NG".to_string()]));
        assert_eq!(
            shown[&("total".into(), String::new(), String::new())],
            english(search["total"].as_i64().expect("total"))
        );
        // the gaps there are the JSON's
        let gaps = json_of(&app, "/api/v1/registry/gaps?countries=NG").await;
        let gap_count = gaps["gaps"].as_array().expect("gaps").len();
        assert_eq!(country.matches("data-figure=\"gap\"").count(), gap_count);
        assert_eq!(gap_count, 2, "{gaps}");
        assert!(country.contains("Shelter Network"));
        assert!(!country.contains("Unverified"));
        // an unknown country, an unverified or anonymous organisation: 404
        for path in [
            "/registry/countries/XX".to_string(),
            "/registry/countries/ng".to_string(),
            format!("/registry/organisations/{hidden}"),
            format!("/registry/organisations/{anonymous}"),
            "/registry/projects/not-a-uuid".to_string(),
        ] {
            let (status, _, _) = page(&app, &path, None).await;
            assert_eq!(status, 404, "{path}");
        }
    }
);

/// Every `data-figure` of the page open in `browser`, as rendered.
async fn rendered(browser: &Chromium) -> Figures {
    let mut out = Figures::new();
    for element in browser
        .client
        .find_all(Locator::Css("[data-figure]"))
        .await
        .expect("figures")
    {
        let mut key = Vec::new();
        for name in ["data-figure", "data-row", "data-col"] {
            key.push(
                element
                    .attr(name)
                    .await
                    .expect("attribute")
                    .unwrap_or_default(),
            );
        }
        // WebDriver gives a no-break space as a space
        let text = element
            .text()
            .await
            .expect("text")
            .trim()
            .replace(' ', "\u{a0}");
        out.insert((key[0].clone(), key[1].clone(), key[2].clone()), text);
    }
    out
}

/// The ids of the needs or offers (`kind`) listed by `json` (a list answer of the API).
fn ids_of(json: &Value) -> Vec<String> {
    let mut ids: Vec<String> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|v| v["id"].as_str().expect("id").to_string())
        .collect();
    ids.sort();
    ids
}

/// The ids of the needs or offers (`kind`) the page open in `browser` lists.
async fn listed(browser: &Chromium, kind: &str) -> Vec<String> {
    let mut ids = Vec::new();
    for element in browser
        .client
        .find_all(Locator::Css(&format!("[data-post=\"{kind}\"]")))
        .await
        .expect("posts")
    {
        let id = element.attr("id").await.expect("id").expect("an id");
        ids.push(
            id.strip_prefix(&format!("{kind}-"))
                .expect("kind-id")
                .to_string(),
        );
    }
    ids.sort();
    ids
}

/// The amount of each need or offer in `json` as an English page writes it, keyed like
/// `rendered`'s figures.
fn expected_amounts(json: &Value, kind: &str, field: &str) -> Figures {
    json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|v| v[field].is_string())
        .map(|v| {
            (
                (
                    format!("{kind}-amount"),
                    v["id"].as_str().expect("id").to_string(),
                    String::new(),
                ),
                english_money(
                    v[field].as_str().expect("amount"),
                    v["currency"].as_str().expect("currency"),
                ),
            )
        })
        .collect()
}

fn amounts_of(figures: &Figures, kind: &str) -> Figures {
    figures
        .iter()
        .filter(|((name, _, _), _)| *name == format!("{kind}-amount"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

async fn post_as(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let r = app.post_as(token, path, body).await;
    assert_eq!(r.status, 201, "{path}: {}", r.text);
    org_id(&r.body)
}

fn need(title: &str, country: &str, restricted: bool) -> Value {
    json!({
        "title": title,
        "description": format!("{title}: a need of the registry page tests."),
        "country": country,
        "themes": ["protection.shelter"],
        "kinds": ["training", "legal_services"],
        "start_on": "2027-01-01",
        "end_on": "2027-12-31",
        "budget": "40000.00",
        "currency": "USD",
        "restricted": restricted,
        "link": "https://justice.example.gov.ng/needs/shelters"
    })
}

// The pages as a browser renders them: the search, a project, an organisation (its
// needs and offers), a country (its open needs) and the matrix show the JSON's figures
// and lists, and pass axe-core's checks.
both_backends!(
    the_registry_pages_render_in_a_browser_with_the_figures_of_the_json,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let a = organisation(&app, &admin, "Shelter Network", "ngo", true).await;
        let member = app.user_token("registry", Some(&a));
        for i in 0..7 {
            create(
                &app,
                &member,
                project(
                    &a,
                    &format!("Shelter {i}"),
                    &["NG"],
                    &["protection.shelter"],
                    "1200.00",
                ),
            )
            .await;
        }
        let border = create(
            &app,
            &member,
            project(
                &a,
                "Border awareness",
                &["NG", "BJ"],
                &["prevention"],
                "999.99",
            ),
        )
        .await;
        // needs and offers: two public, one restricted (never listed), one closed elsewhere
        let public_need = post_as(
            &app,
            &member,
            "/api/v1/registry/needs",
            need("Shelter staff training", "NG", false),
        )
        .await;
        post_as(
            &app,
            &member,
            "/api/v1/registry/needs",
            need("Witness protection plan", "NG", true),
        )
        .await;
        post_as(
            &app,
            &member,
            "/api/v1/registry/needs",
            need("Helpline in Cotonou", "BJ", false),
        )
        .await;
        let offer = post_as(
            &app,
            &member,
            "/api/v1/registry/offers",
            json!({
                "title": "Legal clinic volunteers",
                "description": "Lawyers who take survivors' cases pro bono.",
                "countries": ["NG", "GH"],
                "themes": ["prosecution"],
                "kinds": ["legal_services"],
                "start_on": "2027-01-01",
                "end_on": "2027-06-30",
                "capacity": "12500.50",
                "currency": "USD"
            }),
        )
        .await;
        app.sign_out();

        let browser = Chromium::start(&app, "en").await;

        let search = json_of(&app, PROJECTS).await;
        browser.open("/registry").await;
        let shown = rendered(&browser).await;
        assert_eq!(
            shown[&("total".into(), String::new(), String::new())],
            english(search["total"].as_i64().expect("total"))
        );
        browser.check_page("en").await;

        let json = json_of(&app, &format!("{PROJECTS}/{border}")).await;
        browser.open(&format!("/registry/projects/{border}")).await;
        let shown = rendered(&browser).await;
        assert_eq!(
            shown[&("budget".into(), String::new(), String::new())],
            english_money(
                json["budget"].as_str().expect("budget"),
                json["currency"].as_str().expect("currency")
            )
        );
        assert!(browser.text().await.contains("Border awareness"));
        browser.check_page("en").await;

        let needs = json_of(
            &app,
            &format!("/api/v1/registry/needs?organisation_id={a}&status=all"),
        )
        .await;
        let offers = json_of(
            &app,
            &format!("/api/v1/registry/offers?organisation_id={a}&status=all"),
        )
        .await;
        assert_eq!(
            ids_of(&needs).len(),
            2,
            "the restricted need is not public: {needs}"
        );
        assert_eq!(ids_of(&offers), vec![offer.clone()]);
        browser.open(&format!("/registry/organisations/{a}")).await;
        let shown = rendered(&browser).await;
        assert_eq!(
            shown[&("total".into(), String::new(), String::new())],
            english(search["total"].as_i64().expect("total"))
        );
        assert_eq!(listed(&browser, "need").await, ids_of(&needs));
        assert_eq!(listed(&browser, "offer").await, ids_of(&offers));
        assert_eq!(
            amounts_of(&shown, "need"),
            expected_amounts(&needs, "need", "budget")
        );
        assert_eq!(
            amounts_of(&shown, "offer"),
            expected_amounts(&offers, "offer", "capacity")
        );
        assert_eq!(
            shown[&("offer-amount".into(), offer.clone(), String::new())],
            "12,500.50\u{a0}USD"
        );
        let text = browser.text().await;
        assert!(
            text.contains("Legal help") || text.contains("legal help"),
            "{text}"
        );
        assert!(!text.contains("Witness protection plan"));
        browser.check_page("en").await;

        let json = json_of(&app, "/api/v1/registry/matrix?country=NG").await;
        let open_needs = json_of(&app, "/api/v1/registry/needs?country=NG&status=open").await;
        assert_eq!(ids_of(&open_needs), vec![public_need.clone()]);
        browser.open("/registry/countries/NG").await;
        let shown = rendered(&browser).await;
        assert_eq!(cells_of(&shown), expected_cells(&json, &["NG".to_string()]));
        assert_eq!(
            shown[&("cell-projects".into(), "NG".into(), "protection".into())],
            "7"
        );
        assert_eq!(
            shown[&("cell-projects".into(), "NG".into(), "prevention".into())],
            "<5"
        );
        assert_eq!(listed(&browser, "need").await, ids_of(&open_needs));
        assert_eq!(
            amounts_of(&shown, "need"),
            expected_amounts(&open_needs, "need", "budget")
        );
        browser.check_page("en").await;

        let json = json_of(&app, "/api/v1/registry/matrix").await;
        browser.open("/registry/matrix").await;
        let shown = rendered(&browser).await;
        assert_eq!(
            cells_of(&shown),
            expected_cells(&json, &["BJ".to_string(), "NG".to_string()])
        );
        assert_eq!(
            shown[&("total".into(), String::new(), String::new())],
            english(json["totals"]["projects"].as_i64().expect("projects"))
        );
        // the inline style sheet applied: the CSP's hash matches it
        let collapse = browser
            .find("table")
            .await
            .css_value("border-collapse")
            .await
            .expect("css");
        assert_eq!(collapse, "collapse");
        browser.check_page("en").await;
        browser.quit().await;
    }
);
