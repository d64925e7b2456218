//! Donors told (issue 19): the yearly fund report (JSON, page in three languages, PDF and
//! the command line) and the digest of accepted reports emailed to donors at most weekly,
//! exactly once however many instances run it. On both backends.

use chrono::{Duration, NaiveDateTime, Utc};
use serde_json::{Value, json};

use crate::common::transparency::{ANONYMOUS_FOUNDATION, ANONYMOUS_PERSON, Seeded, seed};
use crate::common::{TestApp, board::templates_sent_to};

async fn public(app: &TestApp, path: &str) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    public_with(app, path, None).await
}

async fn public_with(
    app: &TestApp,
    path: &str,
    accept_language: Option<&str>,
) -> (u16, Vec<u8>, reqwest::header::HeaderMap) {
    let mut request = app.client.get(format!("{}{path}", app.base));
    if let Some(languages) = accept_language {
        request = request.header("accept-language", languages);
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (
        status,
        response.bytes().await.expect("body").to_vec(),
        headers,
    )
}

async fn public_json(app: &TestApp, path: &str) -> (u16, Value) {
    let (status, body, _) = public(app, path).await;
    (status, serde_json::from_slice(&body).expect("json"))
}

fn report_path(s: &Seeded, year: i32) -> String {
    format!("/api/v1/public/funds/{}/annual-reports/{year}", s.fund_id)
}

async fn grantee_name(app: &TestApp, s: &Seeded) -> String {
    let r = app
        .get_as(&s.admin, &format!("/api/v1/organisations/{}", s.grantee_id))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["name"].as_str().expect("name").to_string()
}

both_backends!(
    the_yearly_report_tells_the_year_as_the_public_may_read_it,
    |app: TestApp| async move {
        let s = seed(&app).await;
        let (status, report) = public_json(&app, &report_path(&s, s.year)).await;
        assert_eq!(status, 200, "{report}");
        let (_, figures) = public_json(&app, &format!("/api/v1/public/funds/{}", s.fund_id)).await;

        // everything happened today: the year's money and grants are the fund's totals
        assert_eq!(report["money"]["received"], figures["totals"]["received"]);
        assert_eq!(report["money"]["received"], "90850.00");
        assert_eq!(report["money"]["disbursed"], figures["totals"]["disbursed"]);
        assert_eq!(report["money"]["disbursed"], "6000.00");
        assert_eq!(report["grants"]["count"], figures["grants"]["count"]);
        assert_eq!(report["grants"]["awarded"], figures["grants"]["awarded"]);
        assert_eq!(report["complete"], false, "the year is still running");
        // anonymous donors: one line, no name, no id
        let text = report.to_string();
        for (id, name) in &s.anonymous {
            assert!(
                !text.contains(id.as_str()) && !text.contains(name.as_str()),
                "{text}"
            );
        }
        assert!(!text.contains(ANONYMOUS_FOUNDATION) && !text.contains(ANONYMOUS_PERSON));
        let donors = report["money"]["donors"].as_array().expect("donors");
        let anonymous: Vec<&Value> = donors.iter().filter(|d| d["anonymous"] == true).collect();
        assert_eq!(anonymous.len(), 1, "{donors:?}");
        assert_eq!(anonymous[0]["donors"], 2);
        assert_eq!(anonymous[0]["received"], "30000.00");
        // people reached: the same suppressed figures as the public ones of this year
        assert_eq!(report["people"]["suppressed"], true);
        assert_eq!(report["people"]["by_sex"], figures["outcomes"]["by_sex"]);
        assert_eq!(
            report["people"]["by_age_group"],
            figures["outcomes"]["by_age_group"]
        );
        assert_eq!(
            report["people"]["by_exploitation"],
            figures["outcomes"]["by_exploitation"]
        );
        let this_year = figures["outcomes"]["by_year"]
            .as_array()
            .expect("by_year")
            .iter()
            .find(|y| y["year"] == s.year)
            .expect("this year")["count"]
            .clone();
        assert_eq!(report["people"]["reached"], this_year);
        assert_eq!(report["people"]["reached"], 135);

        // the narrative travels only once the secretariat has cleared it
        assert_eq!(report["narratives"], json!([]));
        let r = app
            .post_as(
                &s.admin,
                &format!("/api/v1/reports/{}/clear-narrative", s.report_id),
                json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let (_, report) = public_json(&app, &report_path(&s, s.year)).await;
        let narratives = report["narratives"].as_array().expect("narratives");
        assert_eq!(narratives.len(), 1, "{narratives:?}");
        assert_eq!(narratives[0]["narrative"], "The shelter opened.");
        assert_eq!(
            narratives[0]["grantee"],
            grantee_name(&app, &s).await.as_str()
        );

        // a protected grantee: neither its name, nor its project's title, nor its words
        let name = grantee_name(&app, &s).await;
        let r = app
            .patch_as(
                &s.admin,
                &format!("/api/v1/organisations/{}", s.grantee_id),
                json!({"protected": true}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let (_, report) = public_json(&app, &report_path(&s, s.year)).await;
        let text = report.to_string();
        for secret in [
            name.as_str(),
            "Shelter in Lagos",
            "Safe houses in Bangkok",
            "The shelter opened.",
        ] {
            assert!(
                !text.contains(secret),
                "the report shows {secret:?}: {text}"
            );
        }
        assert!(
            report["grants"]["list"]
                .as_array()
                .expect("grants")
                .iter()
                .all(|g| g["withheld"] == true && g["grantee"].is_null())
        );
        assert_eq!(report["grants"]["awarded"], figures["grants"]["awarded"]);

        // last year: nothing happened
        let (status, last) = public_json(&app, &report_path(&s, s.year - 1)).await;
        assert_eq!(status, 200, "{last}");
        assert_eq!(last["complete"], true);
        assert_eq!(last["money"]["received"], "0.00");
        assert_eq!(last["grants"]["count"], 0);
        assert_eq!(last["people"]["reached"], "<5");

        // bad input
        for year in ["next", "1999", "10000"] {
            let path = format!("/api/v1/public/funds/{}/annual-reports/{year}", s.fund_id);
            let (status, problem) = public_json(&app, &path).await;
            assert_eq!(status, 422, "{year}: {problem}");
            assert_eq!(problem["errors"][0]["field"], "year", "{problem}");
        }
        // a year still to come has no report yet
        let (status, problem) = public_json(&app, &report_path(&s, s.year + 1)).await;
        assert_eq!(status, 404, "{problem}");
        let missing = uuid::Uuid::now_v7();
        let (status, _) = public_json(
            &app,
            &format!("/api/v1/public/funds/{missing}/annual-reports/{}", s.year),
        )
        .await;
        assert_eq!(status, 404);
    }
);

fn trustfund(app: &TestApp) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trustfund"));
    for (key, _) in std::env::vars() {
        if key.starts_with("TRUSTFUND__") {
            command.env_remove(key);
        }
    }
    command
        .env("TRUSTFUND__DATABASE__URL", &app.settings.database.url)
        .env("TRUSTFUND__DATA_DIR", &app.data_dir)
        .env("TRUSTFUND__LOG__LEVEL", "error");
    command
}

both_backends!(
    the_yearly_report_reads_in_three_languages_prints_to_pdf_and_comes_from_the_command_line,
    |app: TestApp| async move {
        let s = seed(&app).await;
        let page = format!("/funds/{}/annual-report/{}", s.fund_code, s.year);

        // French by ?lang=, Spanish by Accept-Language, amounts and words of each
        let (status, html, headers) = public(&app, &format!("{page}?lang=fr")).await;
        let html = String::from_utf8(html).expect("utf-8");
        assert_eq!(status, 200, "{html}");
        assert!(
            headers["content-type"]
                .to_str()
                .expect("type")
                .starts_with("text/html")
        );
        assert!(headers.contains_key("content-security-policy"));
        assert!(html.contains("<html lang=\"fr\">"));
        assert!(html.contains(&format!("rapport {}", s.year)), "{html}");
        let received = trustfund::web::format::money(
            "90850.00".parse().expect("decimal"),
            trustfund::money::Currency::USD,
            trustfund::web::i18n::Lang::Fr,
        );
        assert!(html.contains(&received), "{received} in {html}");
        assert!(html.contains("Femmes et filles"));
        for name in [ANONYMOUS_FOUNDATION, ANONYMOUS_PERSON] {
            assert!(!html.contains(name));
        }
        assert!(
            html.contains("2 donateurs qui ont demandé à ne pas être nommés"),
            "{html}"
        );
        let (status, html, _) = public_with(&app, &page, Some("es-PE,es;q=0.9,en;q=0.5")).await;
        let html = String::from_utf8(html).expect("utf-8");
        assert_eq!(status, 200);
        assert!(
            html.contains("<html lang=\"es\">") && html.contains(&format!("informe de {}", s.year))
        );
        assert!(html.contains("Mujeres y niñas"));

        // the PDF, printed from the Spanish page
        let (status, pdf, headers) = public(&app, &format!("{page}/pdf?lang=es")).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&pdf));
        assert_eq!(headers["content-type"], "application/pdf");
        let disposition = headers["content-disposition"].to_str().expect("header");
        assert!(
            disposition.contains(&format!("{}-annual-report-{}-es.pdf", s.fund_code, s.year)),
            "{disposition}"
        );
        assert!(pdf.starts_with(b"%PDF-"));
        let raw = String::from_utf8_lossy(&pdf);
        assert!(raw.contains("/Lang (es)"), "the PDF says its language");

        // an unknown fund or year is a 404 page
        for path in [
            format!("/funds/NO-SUCH-FUND/annual-report/{}", s.year),
            format!("/funds/{}/annual-report/{}", s.fund_code, s.year + 1),
            format!("/funds/{}/annual-report/{}/pdf", s.fund_code, s.year + 1),
        ] {
            let (status, _, headers) = public(&app, &path).await;
            assert_eq!(status, 404, "{path}");
            assert!(
                headers["content-type"]
                    .to_str()
                    .expect("type")
                    .starts_with("text/html")
            );
        }

        // the command line writes what the API serves
        let dir = tempfile::tempdir().expect("dir");
        let out = dir.path().join("report.json");
        let run = trustfund(&app)
            .args([
                "annual-report",
                "--fund",
                &s.fund_code,
                "--year",
                &s.year.to_string(),
            ])
            .args(["--format", "json", "--out"])
            .arg(&out)
            .output()
            .expect("run trustfund");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let written: Value =
            serde_json::from_str(&std::fs::read_to_string(&out).expect("file")).expect("json");
        let (_, served) = public_json(&app, &report_path(&s, s.year)).await;
        assert_eq!(written, served);
        let out = dir.path().join("report.html");
        let run = trustfund(&app)
            .args([
                "annual-report",
                "--fund",
                &s.fund_code,
                "--year",
                &s.year.to_string(),
            ])
            .args(["--format", "html", "--lang", "es", "--out"])
            .arg(&out)
            .output()
            .expect("run trustfund");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert!(
            std::fs::read_to_string(&out)
                .expect("file")
                .contains("<html lang=\"es\">")
        );
        // a year with no report: refused by name, no file
        let out = dir.path().join("none.pdf");
        let run = trustfund(&app)
            .args([
                "annual-report",
                "--fund",
                &s.fund_code,
                "--year",
                "1999",
                "--out",
            ])
            .arg(&out)
            .output()
            .expect("run trustfund");
        assert!(!run.status.success());
        assert!(String::from_utf8_lossy(&run.stderr).contains("year"));
        assert!(!out.exists());
    }
);

fn run_digests(app: &TestApp, now: NaiveDateTime) -> usize {
    let mut conn = app.pool.get().expect("connection");
    trustfund::reports::digest::run_once(&mut conn, now, &app.settings.donors, &app.settings.email)
        .expect("digests")
}

/// The digest job from four threads at once, as four instances would run it.
fn race_digests(app: &TestApp, now: NaiveDateTime) -> usize {
    crate::common::race_threads(4, || run_digests(app, now))
}

async fn second_report(app: &TestApp, s: &Seeded) -> String {
    let today = Utc::now().date_naive();
    let r = app
        .post_as(
            &s.ngo,
            &format!("/api/v1/grants/{}/reports", s.grant_id),
            json!({
                "kind": "interim",
                "period_start": (today - Duration::days(20)).to_string(),
                "period_end": (today - Duration::days(1)).to_string(),
                "narrative": "Twelve more women found shelter.",
                "people_reached_to_date": 147,
                "beneficiaries": [
                    {"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": 12}
                ],
                "services": [{"service": "shelter", "count": 12}],
                "indicators": [{"name": "survivors sheltered", "target": "20", "actual": "12"}],
                "expenditure": [{"category": "shelter", "amount": "1500.00"}]
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let id = r.body["id"].as_str().expect("id").to_string();
    let r = app
        .post_as(&s.admin, &format!("/api/v1/reports/{id}/accept"), json!({}))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    id
}

both_backends!(
    donors_get_a_digest_of_accepted_reports_at_most_weekly_and_exactly_once,
    |app: TestApp| async move {
        let s = seed(&app).await;
        let member = "digest-reader@luxembourg.example";
        app.user_with_password(
            "donor",
            member,
            "correct horse battery 77",
            Some(&s.donor_id),
        );
        // a second member chose Spanish on the pages: their copy is in Spanish, the first
        // member's in the language of the donor's country (English here)
        let lectora = "lectora@luxembourg.example";
        let spanish = app.user_with_password(
            "donor",
            lectora,
            "correct horse battery 78",
            Some(&s.donor_id),
        );
        {
            let mut conn = app.pool.get().expect("connection");
            trustfund::auth::store::set_language(&mut conn, &spanish, "es").expect("es");
        }
        let grantee = grantee_name(&app, &s).await;

        // four instances at once: one digest per donor of the fund, one email per member
        let first = Utc::now().naive_utc();
        let sent = race_digests(&app, first);
        assert_eq!(
            usize::try_from(app.count("donor_digests")).expect("count"),
            sent,
            "each digest claimed once"
        );
        assert!(sent >= 1);
        let digests = templates_sent_to(&app, "donor_digest");
        assert_eq!(digests.len(), 2, "{digests:?}");
        assert_eq!(
            app.count(&format!(
                "outbox WHERE to_address = '{lectora}' AND template = 'donor_digest' \
                 AND locale = 'es'"
            )),
            1
        );
        assert_eq!(
            app.count(&format!(
                "outbox WHERE to_address = '{member}' AND template = 'donor_digest' \
                 AND locale = 'en'"
            )),
            1
        );
        let english = digests
            .iter()
            .find(|d| {
                d["annual_report"]
                    .as_str()
                    .is_some_and(|l| l.ends_with("lang=en"))
            })
            .expect("the English digest");
        let spanish_digest = digests
            .iter()
            .find(|d| {
                d["annual_report"]
                    .as_str()
                    .is_some_and(|l| l.ends_with("lang=es"))
            })
            .expect("the Spanish digest");
        assert_ne!(
            english["reports"][0]["period"], spanish_digest["reports"][0]["period"],
            "the period is worded per language"
        );
        let digest = english;
        assert_eq!(digest["report_count"], 1);
        assert_eq!(digest["reports"][0]["title"], "Shelter in Lagos");
        assert_eq!(digest["reports"][0]["grantee"], grantee.as_str());
        assert_eq!(digest["people_reached"], "135");
        assert!(
            digest["fund_page"]
                .as_str()
                .expect("link")
                .ends_with(&format!("/funds/{}", s.fund_code))
        );
        let mail = app.email_number(member, 1).await;
        assert!(
            mail.decoded.contains("Shelter in Lagos"),
            "{}",
            mail.decoded
        );
        assert!(mail.decoded.contains("135"));

        // nothing new: nothing sent, however often the job runs
        assert_eq!(run_digests(&app, first + Duration::hours(1)), 0);
        // something new a day later waits for the week to pass
        let r = app
            .patch_as(
                &s.admin,
                &format!("/api/v1/organisations/{}", s.grantee_id),
                json!({"protected": true}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        second_report(&app, &s).await;
        assert_eq!(run_digests(&app, first + Duration::days(1)), 0);
        assert_eq!(templates_sent_to(&app, "donor_digest").len(), 2);
        // a week after the first: only the new report, its grantee's name withheld
        let week = first + Duration::days(7) + Duration::seconds(1);
        assert!(race_digests(&app, week) >= 1);
        let digests = templates_sent_to(&app, "donor_digest");
        assert_eq!(digests.len(), 4, "{digests:?}");
        let digest = digests[2..]
            .iter()
            .find(|d| {
                d["annual_report"]
                    .as_str()
                    .is_some_and(|l| l.ends_with("lang=en"))
            })
            .expect("the English digest");
        assert_eq!(digest["report_count"], 1, "{digest}");
        assert!(!digest.to_string().contains(&grantee), "{digest}");
        assert_eq!(
            digest["reports"][0]["grantee"],
            "Name withheld for the organisation’s safety"
        );
        assert_eq!(digest["people_reached"], "147");
        assert_eq!(run_digests(&app, week + Duration::hours(1)), 0);
    }
);
