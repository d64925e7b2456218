//! A donor's page, `/giving`, as a browser reads it: the donor's own pledges (a late one
//! said to be late), payments and balances in its language's formats, the people reached
//! with small counts withheld, and the statement download equal to the API's CSV. Another
//! donor's page is a 404, an NGO is refused, finance picks the donor by name.

use chrono::{Duration, Utc};
use rust_decimal::Decimal;
use serde_json::json;
use trustfund::money::Currency;
use trustfund::web::format;
use trustfund::web::i18n::Lang;

use crate::common::TestApp;
use crate::common::browser::Browser;
use crate::common::transparency::{self, Seeded};

const PASSWORD: &str = "lantern river shelter 42";

/// The page's text with the slashes the templates escape (`&#x2f;`) back.
fn unslashed(html: &str) -> String {
    html.replace("&#x2f;", "/")
}

fn usd(amount: &str, lang: Lang) -> String {
    let value: Decimal = amount.parse().expect("decimal");
    format::money(value, Currency::parse("USD").expect("USD"), lang)
}

/// The seeded donor's late pledge of USD 20,000, USD 5,000 of it paid; returns its id.
async fn late_pledge(app: &TestApp, s: &Seeded) -> String {
    let today = Utc::now().date_naive();
    let r = app
        .post_as(
            &s.admin,
            &format!("/api/v1/funds/{}/pledges", s.fund_id),
            json!({
                "donor_id": s.donor_id,
                "amount": "20000.00",
                "currency": "USD",
                "pledged_on": (today - Duration::days(60)).to_string(),
                "due_on": (today - Duration::days(10)).to_string(),
            }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let pledge = r.body["id"].as_str().expect("pledge id").to_string();
    transparency::contribution(
        app,
        &s.admin,
        &s.fund_id,
        &s.donor_id,
        json!({"amount": "5000.00", "currency": "USD", "pledge_id": pledge}),
    )
    .await;
    pledge
}

both_backends!(
    a_donor_reads_its_own_giving_in_its_language_and_nobody_elses,
    |app: TestApp| async move {
        let s = transparency::seed(&app).await;
        late_pledge(&app, &s).await;
        app.user_with_password(
            "donor",
            "giving@luxembourg.example",
            PASSWORD,
            Some(&s.donor_id),
        );

        // not signed in: to the sign-in page
        let mut browser = Browser::speaking(&app, "fr");
        let away = browser.get("/giving").await;
        assert_eq!(away.status, 303);
        assert_eq!(away.location.as_deref(), Some("/login"));

        let signed = browser.sign_in("giving@luxembourg.example", PASSWORD).await;
        assert_eq!(signed.status, 303, "{}", signed.text);
        let home = browser.get("/home").await;
        assert!(
            unslashed(&home.text).contains("href=\"/giving\""),
            "{}",
            home.text
        );
        let page = browser.get("/giving").await;
        assert_eq!(page.status, 200, "{}", page.text);
        let text = &unslashed(&page.text);
        assert!(text.contains("<html lang=\"fr\">"));
        assert!(text.contains("vos dons"), "{text}");
        // balances: pledged 20,000, paid 5,000 against it, 15,000 outstanding, and all
        // received in dollars: 50,000 + 5,000
        for amount in ["20000.00", "5000.00", "15000.00", "55000.00"] {
            let shown = usd(amount, Lang::Fr);
            assert!(text.contains(&shown), "{shown} missing in {text}");
        }
        // the euro payment in euros, with its value in the fund's currency
        let eur = format::money(
            "10000.00".parse().expect("decimal"),
            Currency::parse("EUR").expect("EUR"),
            Lang::Fr,
        );
        assert!(text.contains(&eur), "{eur} missing");
        assert!(text.contains(&usd("10850.00", Lang::Fr)));
        assert!(text.contains("en retard : échéance dépassée"), "{text}");
        // people reached: the accepted report's 135, its small cells withheld
        assert!(text.contains("<dd>135</dd>"), "{text}");
        assert!(text.contains("&lt;5"), "{text}");
        assert!(!text.contains("<td>3</td>") && !text.contains("<td>2</td>"));
        // the yearly report is linked in the reader's language
        assert!(text.contains(&format!(
            "/funds/{}/annual-report/{}?lang=fr",
            s.fund_code, s.year
        )));

        // the download is the API's statement, every line
        let (status, content_type, cache, csv) = browser.download("/giving/statement.csv").await;
        assert_eq!(status, 200, "{csv}");
        assert!(content_type.starts_with("text/csv"), "{content_type}");
        assert_eq!(cache, "no-store");
        let api = app
            .request_as(
                &s.admin,
                reqwest::Method::GET,
                &format!("/api/v1/organisations/{}/statement", s.donor_id),
                None,
                &[("accept", "text/csv")],
            )
            .await;
        assert_eq!(api.status, 200, "{}", api.text);
        assert_eq!(csv, api.text, "the page's download is the API's CSV");
        assert_eq!(
            csv.lines().filter(|l| l.contains(",contribution,")).count(),
            3
        );

        // another donor's page and statement are not found, as is a made-up id
        let (other, _) = &s.anonymous[0];
        let theirs = browser.get(&format!("/giving?donor={other}")).await;
        assert_eq!(theirs.status, 404, "{}", theirs.text);
        assert!(!theirs.text.contains(transparency::ANONYMOUS_FOUNDATION));
        let (status, _, _, body) = browser
            .download(&format!("/giving/statement.csv?donor={other}"))
            .await;
        assert_eq!(status, 404);
        assert!(!body.contains("BANK-"));
        assert_eq!(browser.get("/giving?donor=not-an-id").await.status, 404);

        // an NGO reads no statements
        app.user_with_password(
            "ngo",
            "staff@shelter.example",
            PASSWORD,
            Some(&s.grantee_id),
        );
        let mut ngo = Browser::new(&app);
        ngo.sign_in("staff@shelter.example", PASSWORD).await;
        assert_eq!(ngo.get("/giving").await.status, 403);
        let (status, _, _, _) = ngo.download("/giving/statement.csv").await;
        assert_eq!(status, 403);
    }
);

both_backends!(
    finance_picks_a_donor_by_name_and_sees_what_the_donor_sees,
    |app: TestApp| async move {
        let s = transparency::seed(&app).await;
        app.user_with_password("finance", "money@fund.example", PASSWORD, None);
        let mut browser = Browser::speaking(&app, "es");
        browser.sign_in("money@fund.example", PASSWORD).await;
        let list = browser.get("/giving").await;
        assert_eq!(list.status, 200, "{}", list.text);
        let link = format!("/giving?donor={}", s.donor_id);
        assert!(unslashed(&list.text).contains(&link), "{}", list.text);
        // a grantee that never gave is not a donor
        assert!(!list.text.contains(&s.grantee_id));
        let page = browser.get(&link).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("sus aportes"));
        assert!(
            page.text.contains(&usd("50000.00", Lang::Es)),
            "{}",
            page.text
        );
        assert!(page.text.contains("Ver otro donante"));
        let (status, _, _, csv) = browser
            .download(&format!(
                "/giving/statement.csv?donor={}&fund={}",
                s.donor_id, s.fund_id
            ))
            .await;
        assert_eq!(status, 200);
        assert!(csv.starts_with("date,kind,fund_id"), "{csv}");
        // a fund that does not exist is not found
        let (status, _, _, _) = browser
            .download(&format!(
                "/giving/statement.csv?donor={}&fund={}",
                s.donor_id,
                uuid::Uuid::new_v4()
            ))
            .await;
        assert_eq!(status, 404);
    }
);
