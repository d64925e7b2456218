//! Public fund figures over HTTP on both backends, with no login: `GET
//! /api/v1/public/funds/{id}` agrees with the fund status and the grants, never names an
//! anonymous donor, never shows a count of people below 5 (domain invariant 7), keeps other
//! funds out; `GET /funds/{code}` shows the very same figures as HTML; unknown funds 404.

use crate::common;

use common::TestApp;
use common::transparency::*;
use rust_decimal::Decimal;
use serde_json::Value;

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("a decimal string, got {v}"))
        .parse()
        .expect("decimal")
}

fn group<'a>(list: &'a Value, key: &str) -> Option<&'a Value> {
    list.as_array()
        .expect("list")
        .iter()
        .find(|g| g["key"] == key)
}

both_backends!(
    public_figures_match_the_fund_status_and_the_grants,
    |app: TestApp| async move {
        let s = seed(&app).await;
        let status = app
            .get_as(&s.admin, &format!("/api/v1/funds/{}/status", s.fund_id))
            .await;
        assert_eq!(status.status, 200, "{}", status.text);
        // no token at all
        app.sign_out();
        let r = app
            .get(&format!("/api/v1/public/funds/{}", s.fund_id))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(
            r.header("cache-control")
                .is_some_and(|c| c.contains("max-age=")),
            "a short cache lifetime"
        );
        let p = r.body;
        assert_eq!(p["fund"]["id"], s.fund_id);
        assert_eq!(p["fund"]["code"], s.fund_code);
        assert_eq!(p["fund"]["base_currency"], "USD");
        for key in ["pledged", "received", "committed", "disbursed", "available"] {
            assert_eq!(p["totals"][key], status.body[key], "{key}");
        }
        // 50,000 + 10,000 EUR at 1.085 + 20,000 + 10,000; two grants; 6,000 paid
        assert_eq!(p["totals"]["received"], "90850.00");
        assert_eq!(p["totals"]["committed"], "23000.00");
        assert_eq!(p["totals"]["disbursed"], "6000.00");

        // the same answer by code, in any letter case
        let by_code = app
            .get(&format!(
                "/api/v1/public/funds/{}",
                s.fund_code.to_lowercase()
            ))
            .await;
        assert_eq!(by_code.status, 200, "{}", by_code.text);
        assert_eq!(by_code.body["totals"], p["totals"]);
        assert_eq!(by_code.body["grants"], p["grants"]);

        // donors, largest first, amounts in base currency
        let donors = p["donors"].as_array().expect("donors");
        assert_eq!(donors.len(), 2, "{donors:?}");
        assert_eq!(donors[0]["name"], "Luxembourg");
        assert_eq!(donors[0]["anonymous"], false);
        assert_eq!(donors[0]["received"], "60850.00");
        assert_eq!(donors[1]["name"], "Anonymous donors");
        assert_eq!(donors[1]["anonymous"], true);
        assert_eq!(donors[1]["donors"], 2);
        assert_eq!(donors[1]["received"], "30000.00");
        let donor_sum: Decimal = donors.iter().map(|d| dec(&d["received"])).sum();
        assert_eq!(donor_sum, dec(&p["totals"]["received"]));

        // grants: exactly this fund's, as the grant list shows them
        let grants = app
            .get_as(&s.admin, &format!("/api/v1/grants?fund_id={}", s.fund_id))
            .await;
        assert_eq!(grants.status, 200, "{}", grants.text);
        let items = grants.body["items"].as_array().expect("items");
        assert_eq!(p["grants"]["count"], items.len());
        let awarded: Decimal = items.iter().map(|g| dec(&g["base_amount"])).sum();
        assert_eq!(dec(&p["grants"]["awarded"]), awarded);
        assert_eq!(p["grants"]["awarded"], "23000.00");
        let ng = group(&p["grants"]["by_country"], "NG").expect("NG");
        assert_eq!(
            (ng["count"].clone(), ng["awarded"].clone()),
            (1.into(), "15000.00".into())
        );
        let th = group(&p["grants"]["by_country"], "TH").expect("TH");
        assert_eq!(th["awarded"], "8000.00");
        assert!(
            group(&p["grants"]["by_country"], "BJ").is_none(),
            "a grant counts once, under its first country"
        );
        assert!(
            group(&p["grants"]["by_country"], "KE").is_none(),
            "another fund's grant does not leak in"
        );
        let theme = group(&p["grants"]["by_theme"], "protection.shelter").expect("theme");
        assert_eq!(theme["count"], 2);
        assert_eq!(theme["awarded"], "23000.00");
        let unsigned = group(&p["grants"]["by_status"], "awaiting_signature").expect("unsigned");
        assert_eq!(unsigned["awarded"], "8000.00");
        assert_eq!(
            group(&p["grants"]["by_status"], "active").expect("active")["awarded"],
            "15000.00"
        );

        // money over time sums to the totals
        let items = p["money_over_time"]["items"].as_array().expect("items");
        assert!(!items.is_empty());
        let received: Decimal = items.iter().map(|i| dec(&i["received"])).sum();
        let disbursed: Decimal = items.iter().map(|i| dec(&i["disbursed"])).sum();
        assert_eq!(received, dec(&p["totals"]["received"]));
        assert_eq!(disbursed, dec(&p["totals"]["disbursed"]));

        // the other fund sees only its own
        let other = app
            .get(&format!("/api/v1/public/funds/{}", s.other_fund_id))
            .await;
        assert_eq!(other.status, 200, "{}", other.text);
        assert_eq!(other.body["grants"]["count"], 1);
        assert_eq!(other.body["totals"]["received"], "30000.00");
        assert!(group(&other.body["grants"]["by_country"], "NG").is_none());
        assert_eq!(other.body["outcomes"]["beneficiaries"], "<5");
    }
);

both_backends!(
    an_anonymous_donor_is_never_named_in_the_json_nor_on_the_page,
    |app: TestApp| async move {
        let s = seed(&app).await;
        app.sign_out();
        let json = app
            .get(&format!("/api/v1/public/funds/{}", s.fund_id))
            .await;
        assert_eq!(json.status, 200, "{}", json.text);
        let page = app.get(&format!("/funds/{}", s.fund_code)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for (id, name) in &s.anonymous {
            for (what, text) in [("json", &json.text), ("page", &page.text)] {
                assert!(!text.contains(id.as_str()), "{what} shows the id {id}");
                assert!(!text.contains(name.as_str()), "{what} shows {name}");
            }
        }
        assert!(json.text.contains("Anonymous donors"));
        assert!(page.text.contains("Anonymous donors"));
        assert!(page.text.contains("Luxembourg"), "named donors are named");
    }
);

fn numbers(value: &Value, path: &str, out: &mut Vec<(String, i64)>) {
    match value {
        Value::Number(n) => out.push((path.to_string(), n.as_i64().unwrap_or(i64::MIN))),
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

both_backends!(
    counts_below_five_are_shown_as_less_than_five_everywhere,
    |app: TestApp| async move {
        let s = seed(&app).await;
        app.sign_out();
        let r = app
            .get(&format!("/api/v1/public/funds/{}", s.fund_code))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let o = &r.body["outcomes"];
        assert_eq!(o["suppressed"], true);
        let mut found = Vec::new();
        numbers(o, "outcomes", &mut found);
        let small: Vec<_> = found
            .iter()
            .filter(|(path, n)| *n < 5 && !path.ends_with(".year"))
            .collect();
        assert!(small.is_empty(), "numbers below 5 in outcomes: {small:?}");
        assert_eq!(o["beneficiaries"], 135);
        assert_eq!(o["reports"], "<5", "one report is a small cell too");
        let keyed = |list: &str, key: &str| {
            o[list]
                .as_array()
                .unwrap_or_else(|| panic!("no {list}"))
                .iter()
                .find(|f| f["key"] == key)
                .unwrap_or_else(|| panic!("no {key} in {list}"))["count"]
                .clone()
        };
        // by sex and by age group, as the donor's view shows them
        assert_eq!(keyed("by_sex", "female"), 105);
        assert_eq!(keyed("by_sex", "male"), 30);
        assert_eq!(keyed("by_sex", "other"), "<5", "zero is hidden too");
        assert_eq!(keyed("by_age_group", "adult"), 115);
        // 135 = 115 + 18 + 2: with the 18 shown the 2 of unknown age could be worked out
        assert_eq!(keyed("by_age_group", "unknown"), "<5");
        assert_eq!(keyed("by_age_group", "child"), "withheld");
        let cell = |form: &str| {
            o["by_year_exploitation"]
                .as_array()
                .expect("cross")
                .iter()
                .find(|c| c["year"] == s.year && c["exploitation"] == form)
                .unwrap_or_else(|| panic!("no cell {form}"))["count"]
                .clone()
        };
        assert_eq!(cell("sexual"), 55);
        assert_eq!(cell("forced-labour"), 47);
        assert_eq!(cell("begging"), 33);
        assert_eq!(cell("organ-removal"), "<5", "zero is hidden too");
        assert_eq!(keyed("by_exploitation", "sexual"), 55);
        let years = o["by_year"].as_array().expect("years");
        assert_eq!(years.len(), 1);
        assert_eq!(years[0]["count"], 135);

        // one suppression: the donor's view of the fund's outcomes hides exactly the same
        let donor = app.user_token("donor", Some(&s.donor_id));
        let d = app
            .get_as(&donor, &format!("/api/v1/funds/{}/outcomes", s.fund_id))
            .await;
        assert_eq!(d.status, 200, "{}", d.text);
        for list in [
            "by_sex",
            "by_age_group",
            "by_exploitation",
            "by_year",
            "by_year_exploitation",
        ] {
            assert_eq!(
                o[list], d.body[list],
                "{list} differs between the public and the donor"
            );
        }
        assert_eq!(o["beneficiaries"], d.body["beneficiaries"]);

        // the page says the same, and draws no bar for a hidden cell
        let page = app.get(&format!("/funds/{}", s.fund_code)).await;
        let figures = figures(&page.text);
        let shown = |name: &str| {
            figures
                .iter()
                .find(|(n, _)| n == name)
                .unwrap_or_else(|| panic!("no figure {name}"))
                .1
                .clone()
        };
        assert_eq!(
            shown(&format!("beneficiaries-{}-domestic-servitude", s.year)),
            "<5"
        );
        assert_eq!(shown(&format!("beneficiaries-{}-sexual", s.year)), "55");
        assert!(page.text.contains("data-series=\"sexual\""));
        assert!(
            !page.text.contains("data-series=\"domestic-servitude\""),
            "a hidden count is drawn as nothing"
        );
    }
);

both_backends!(
    the_page_shows_exactly_the_figures_of_the_json,
    |app: TestApp| async move {
        let s = seed(&app).await;
        app.sign_out();
        let json = app
            .get(&format!("/api/v1/public/funds/{}", s.fund_id))
            .await;
        assert_eq!(json.status, 200, "{}", json.text);
        let page = app.get(&format!("/funds/{}", s.fund_code)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!(
            page.header("content-type").as_deref(),
            Some("text/html; charset=utf-8")
        );
        let csp = page.header("content-security-policy").expect("CSP");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(
            !csp.contains("script-src") && !csp.contains("unsafe"),
            "{csp}"
        );
        assert!(
            page.header("cache-control")
                .is_some_and(|c| c.starts_with("public, max-age=")),
        );
        assert!(!page.text.to_ascii_lowercase().contains("<script"));
        assert!(page.text.contains("<html lang=\"en\">"));
        assert!(page.text.matches("<svg").count() >= 2, "two charts");
        let mut shown = figures(&page.text);
        shown.sort();
        assert_eq!(shown, expected_figures(&json.body));
        assert!(shown.len() > 40, "the page is full of figures");
    }
);

both_backends!(unknown_funds_answer_404, |app: TestApp| async move {
    let s = seed(&app).await;
    app.sign_out();
    for path in [
        format!("/api/v1/public/funds/{}", uuid::Uuid::new_v4()),
        "/api/v1/public/funds/NO-SUCH-FUND".to_string(),
        "/api/v1/public/funds/%3Cscript%3E".to_string(),
        format!("/api/v1/public/funds/{}", "A".repeat(300)),
    ] {
        app.get(&path).await.assert_problem(404, "not_found");
    }
    for path in [
        "/funds/NO-SUCH-FUND".to_string(),
        "/funds/%3Cscript%3Ealert(1)%22%3E".to_string(),
        format!("/funds/{}", uuid::Uuid::new_v4()),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status, 404, "{path}: {}", r.text);
        assert_eq!(
            r.header("content-type").as_deref(),
            Some("text/html; charset=utf-8"),
            "{path}: {}",
            r.text
        );
        assert!(r.header("content-security-policy").is_some());
        assert!(r.text.contains("Fund not found"));
        assert!(
            !r.text.to_ascii_lowercase().contains("<script"),
            "{}",
            r.text
        );
    }
    // a known fund is still found after all that
    assert_eq!(
        app.get(&format!("/funds/{}", s.fund_code)).await.status,
        200
    );
});

both_backends!(
    a_browser_that_accepts_gzip_gets_the_same_page_compressed,
    |app: TestApp| async move {
        use std::io::Read;
        let s = seed(&app).await;
        app.sign_out();
        let url = app.url(&format!("/funds/{}", s.fund_code));
        let fetch = |accept: Option<&'static str>, tag: Option<String>| {
            let mut request = app.client.get(&url);
            if let Some(accept) = accept {
                request = request.header("accept-encoding", accept);
            }
            if let Some(tag) = tag {
                request = request.header("if-none-match", tag);
            }
            async move { request.send().await.expect("sent") }
        };
        let header = |r: &reqwest::Response, name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };

        let plain = fetch(None, None).await;
        assert_eq!(plain.status(), 200);
        assert_eq!(header(&plain, "content-encoding"), None);
        assert_eq!(
            header(&plain, "vary").as_deref(),
            Some("accept-encoding, accept-language, cookie")
        );
        let plain_tag = header(&plain, "etag").expect("etag");
        let html = plain.bytes().await.expect("body");

        let zipped = fetch(Some("br;q=1, gzip;q=0.8"), None).await;
        assert_eq!(zipped.status(), 200);
        assert_eq!(header(&zipped, "content-encoding").as_deref(), Some("gzip"));
        assert_eq!(
            header(&zipped, "vary").as_deref(),
            Some("accept-encoding, accept-language, cookie")
        );
        let zipped_tag = header(&zipped, "etag").expect("etag");
        assert_ne!(zipped_tag, plain_tag, "two representations, two tags");
        let bytes = zipped.bytes().await.expect("body");
        assert!(
            bytes.len() * 2 < html.len(),
            "{} bytes compressed from {}",
            bytes.len(),
            html.len()
        );
        let mut unzipped = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut unzipped)
            .expect("a gzip body");
        assert_eq!(unzipped, html.to_vec(), "the same page");

        // gzip refused by weight: the plain page
        let refused = fetch(Some("gzip;q=0"), None).await;
        assert_eq!(header(&refused, "content-encoding"), None);
        assert_eq!(header(&refused, "etag"), Some(plain_tag.clone()));
        // each tag answers 304 for its own form only
        let same = fetch(Some("gzip"), Some(zipped_tag.clone())).await;
        assert_eq!(same.status(), 304);
        assert_eq!(
            header(&same, "vary").as_deref(),
            Some("accept-encoding, accept-language, cookie")
        );
        let other = fetch(None, Some(zipped_tag)).await;
        assert_eq!(
            other.status(),
            200,
            "a plain reader holding the gzip tag gets the body"
        );
    }
);

both_backends!(
    figures_are_served_again_with_304_until_something_changes,
    |app: TestApp| async move {
        let s = seed(&app).await;
        let admin = s.admin.clone();
        app.sign_out();
        let json_path = format!("/api/v1/public/funds/{}", s.fund_id);
        let page_path = format!("/funds/{}", s.fund_code);
        let first = app.get(&json_path).await;
        assert_eq!(first.status, 200, "{}", first.text);
        let json_tag = first.header("etag").expect("an ETag on the figures");
        let page = app.get(&page_path).await;
        let page_tag = page.header("etag").expect("an ETag on the page");
        assert_ne!(json_tag, page_tag, "two representations, two tags");

        // a reader holding the figures is told they have not changed, with no body
        for (path, tag) in [(&json_path, &json_tag), (&page_path, &page_tag)] {
            let again = app
                .request(reqwest::Method::GET, path, None, &[("if-none-match", tag)])
                .await;
            assert_eq!(again.status, 304, "{path}: {}", again.text);
            assert!(again.text.is_empty());
            assert_eq!(again.header("etag").as_ref(), Some(tag));
            let stale = app
                .request(
                    reqwest::Method::GET,
                    path,
                    None,
                    &[("if-none-match", "\"j-0\"")],
                )
                .await;
            assert_eq!(stale.status, 200, "another tag gets the body");
        }
        // the same figures asked twice are the same bytes, by code too
        assert_eq!(app.get(&json_path).await.text, first.text);

        // money comes in: the very next read shows it, under a new tag
        let donor = &s.anonymous[0].0;
        contribution(
            &app,
            &admin,
            &s.fund_id,
            donor,
            serde_json::json!({"amount": "1000.00", "currency": "USD"}),
        )
        .await;
        let after = app
            .request(
                reqwest::Method::GET,
                &json_path,
                None,
                &[("if-none-match", &json_tag)],
            )
            .await;
        assert_eq!(
            after.status, 200,
            "changed figures are sent: {}",
            after.text
        );
        assert_ne!(after.header("etag").expect("etag"), json_tag);
        assert_eq!(
            dec(&after.body["totals"]["received"]),
            dec(&first.body["totals"]["received"]) + Decimal::from(1000)
        );
        let page_after = app
            .request(
                reqwest::Method::GET,
                &page_path,
                None,
                &[("if-none-match", &page_tag)],
            )
            .await;
        assert_eq!(page_after.status, 200);
        assert_ne!(page_after.header("etag").expect("etag"), page_tag);
    }
);

both_backends!(
    the_page_speaks_the_reader_s_language_with_the_same_figures,
    |app: TestApp| async move {
        let s = seed(&app).await;
        app.sign_out();
        let path = format!("/funds/{}", s.fund_code);
        let get = |path: String, headers: Vec<(&'static str, String)>| {
            let app = &app;
            async move {
                let headers: Vec<(&str, &str)> =
                    headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
                app.request(reqwest::Method::GET, &path, None, &headers)
                    .await
            }
        };
        let english = get(path.clone(), vec![]).await;
        assert_eq!(english.status, 200);
        assert_eq!(english.header("content-language").as_deref(), Some("en"));
        assert!(english.text.contains("<html lang=\"en\">"));
        let vary = english.header("vary").expect("vary");
        assert!(
            vary.contains("accept-language") && vary.contains("cookie"),
            "{vary}"
        );

        let french = get(
            path.clone(),
            vec![("accept-language", "fr-FR,fr;q=0.9,en;q=0.5".into())],
        )
        .await;
        assert_eq!(french.status, 200);
        assert_eq!(french.header("content-language").as_deref(), Some("fr"));
        assert!(french.text.contains("<html lang=\"fr\">"));
        assert!(french.text.contains("Les donateurs"), "{}", french.text);
        assert!(!french.text.contains(">Donors<"));
        // the very same figures, whatever the language (a withheld count in its own word)
        let in_english = |page: &str| -> Vec<(String, String)> {
            figures(page)
                .into_iter()
                .map(|(name, text)| {
                    let text = text.replace("masqué", "withheld");
                    (name, text.replace("Donateurs anonymes", "Anonymous donors"))
                })
                .collect()
        };
        assert_eq!(in_english(&french.text), figures(&english.text));
        let french_tag = french.header("etag").expect("etag");
        assert_ne!(Some(&french_tag), english.header("etag").as_ref());

        // held in French, asked in French: not modified; the English tag gets the page
        let again = get(
            path.clone(),
            vec![
                ("accept-language", "fr".into()),
                ("if-none-match", french_tag.clone()),
            ],
        )
        .await;
        assert_eq!(again.status, 304);
        let other = get(
            path.clone(),
            vec![
                ("accept-language", "fr".into()),
                ("if-none-match", english.header("etag").expect("etag")),
            ],
        )
        .await;
        assert_eq!(other.status, 200);

        // the page's own links (?lang=) win over the cookie, the cookie over the header
        let spanish = get(
            format!("{path}?lang=es"),
            vec![
                ("accept-language", "fr".into()),
                ("cookie", "lang=en".into()),
            ],
        )
        .await;
        assert_eq!(spanish.header("content-language").as_deref(), Some("es"));
        assert!(spanish.text.contains("Los donantes"));
        let by_cookie = get(
            path.clone(),
            vec![
                ("accept-language", "fr".into()),
                ("cookie", "lang=es".into()),
            ],
        )
        .await;
        assert_eq!(by_cookie.header("content-language").as_deref(), Some("es"));

        let missing = get(
            "/funds/NO-SUCH-FUND".into(),
            vec![("accept-language", "es".into())],
        )
        .await;
        assert_eq!(missing.status, 404);
        assert!(
            missing.text.contains("Fondo no encontrado"),
            "{}",
            missing.text
        );
    }
);
