//! The public fund page rendered by a real browser: headless Chromium driven over
//! WebDriver (`common::chromium`, fantoccini). It reads every `data-figure` element's
//! rendered text and compares it with `GET /api/v1/public/funds/{id}`, and checks that the
//! inline SVG charts really rendered (non-empty boxes, the expected bars), that the inline
//! style sheet was allowed by the page's Content-Security-Policy, and that the page passes
//! axe-core's WCAG checks in each language.
//!
//! SQLite only: this checks rendering, not the database (`public.rs` covers both
//! backends). Needs Debian's `chromium` and `chromium-driver`; without them it fails, on
//! purpose, saying what to install.

use crate::common;

use common::chromium::Chromium;
use common::transparency::*;
use fantoccini::Locator;
use serde_json::Value;

/// How many bars a chart must have: its positive, shown values.
fn positive(values: impl Iterator<Item = Value>) -> usize {
    values
        .filter(|v| match v {
            Value::Number(n) => n.as_i64().is_some_and(|n| n > 0),
            Value::String(s) => s
                .parse::<rust_decimal::Decimal>()
                .is_ok_and(|d| d > rust_decimal::Decimal::ZERO),
            _ => false,
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_renders_in_a_browser_with_the_figures_of_the_json() {
    let app = common::spawn_app(common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let s = seed(&app).await;
    app.sign_out();
    let json = app
        .get(&format!("/api/v1/public/funds/{}", s.fund_id))
        .await;
    assert_eq!(json.status, 200, "{}", json.text);
    let json = json.body;

    let browser = Chromium::start(&app, "en").await;
    browser.open(&format!("/funds/{}", s.fund_code)).await;
    let title = browser.client.title().await.expect("title");
    assert!(
        title.contains(json["fund"]["name"].as_str().expect("name")),
        "title {title}"
    );

    // every figure as the browser renders it equals the JSON
    let mut shown = Vec::new();
    for element in browser
        .client
        .find_all(Locator::Css("[data-figure]"))
        .await
        .expect("figures")
    {
        let name = element
            .attr("data-figure")
            .await
            .expect("attribute")
            .unwrap_or_default();
        let text = element.text().await.expect("text");
        shown.push((name, text));
    }
    shown.sort();
    assert_eq!(shown, expected_figures(&json));

    // the charts rendered: boxes with an area, and one bar per shown positive value
    let flows = json["money_over_time"]["items"].as_array().expect("items");
    let money_bars = positive(
        flows
            .iter()
            .flat_map(|p| [p["received"].clone(), p["disbursed"].clone()]),
    );
    let people_bars = positive(
        json["outcomes"]["by_year_exploitation"]
            .as_array()
            .expect("cross")
            .iter()
            .map(|c| c["count"].clone()),
    );
    assert!(
        money_bars >= 2 && people_bars >= 2,
        "the seed has data to draw"
    );
    for (chart, bars) in [("money", money_bars), ("outcomes", people_bars)] {
        let svg = browser.find(&format!("svg[data-chart=\"{chart}\"]")).await;
        let (_, _, w, h) = svg.rectangle().await.expect("box");
        assert!(w > 100.0 && h > 100.0, "{chart} chart is {w}×{h}");
        let drawn = browser
            .client
            .find_all(Locator::Css(&format!(
                "svg[data-chart=\"{chart}\"] rect.bar"
            )))
            .await
            .expect("bars");
        assert_eq!(drawn.len(), bars, "{chart} bars");
        for bar in &drawn {
            let (_, _, w, h) = bar.rectangle().await.expect("box");
            assert!(w > 0.0 && h > 0.0, "a {chart} bar of {w}×{h}");
        }
    }

    // the inline style sheet applied: the CSP's hash matches it
    let collapse = browser
        .find("table")
        .await
        .css_value("border-collapse")
        .await
        .expect("css");
    assert_eq!(collapse, "collapse", "the inline CSS was refused");
    browser.check_page("en").await;
    browser.quit().await;
}
