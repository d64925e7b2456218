//! The grant pages, `/grants` and `/grants/{id}`, as a browser reads them: the grantee
//! sees what each instalment waits for and signs the agreement on the page (once, with its
//! CSRF token, never from a stale form); another organisation's grant is a 404; a donor
//! reads the grant without a protected grantee's name.

use crate::common::TestApp;
use crate::common::browser::Browser;
use crate::common::world::World;

const PASSWORD: &str = "lantern river shelter 42";

async fn grant_status(app: &TestApp, token: &str, grant: &str) -> (String, i64) {
    let r = app.get_as(token, &format!("/api/v1/grants/{grant}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    (
        r.body["status"].as_str().expect("status").to_string(),
        r.body["version"].as_i64().expect("version"),
    )
}

/// The value of the hidden field `name` of the page's form.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in:\n{html}"))
        + marker.len();
    html[start..].split('"').next().expect("value").to_string()
}

both_backends!(
    the_grantee_signs_its_agreement_on_the_page_once,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00")
            .application("Shelter in Lagos", "15000.00")
            .submitted()
            .screened()
            .grant("15000.00")
            .await;
        let grant = w.grant_id().to_string();
        let admin = w.to_board().admin;
        app.user_with_password("ngo", "director@lagos.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::speaking(&app, "fr");
        assert_eq!(
            ngo.sign_in("director@lagos.example", PASSWORD).await.status,
            303
        );
        let home = ngo.get("/home").await;
        assert!(
            home.text
                .replace("&#x2f;", "/")
                .contains("href=\"/grants\"")
        );
        let list = ngo.get("/grants").await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert!(list.text.contains("Shelter in Lagos"));
        assert!(list.text.contains("en attente de signature"));

        let path = format!("/grants/{grant}");
        let page = ngo.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("Signer la convention de subvention"));
        assert!(page.text.contains("Votre signature de la convention."));
        let csrf = page.csrf();
        let version = hidden(&page.text, "version");
        let sign = format!("{path}/sign");

        // no CSRF token: refused, nothing signed
        let forged = ngo.post(&sign, &[("version", &version)]).await;
        assert_eq!(forged.status, 403);
        assert_eq!(
            grant_status(&app, &admin, &grant).await.0,
            "awaiting_signature"
        );
        // a form made from another version: said, nothing signed
        let stale = ngo.post(&sign, &[("csrf", &csrf), ("version", "0")]).await;
        assert_eq!(stale.status, 409, "{}", stale.text);
        assert!(stale.text.contains("Rien n’a été signé"), "{}", stale.text);
        let (status, before) = grant_status(&app, &admin, &grant).await;
        assert_eq!(status, "awaiting_signature");

        // signed
        let signed = ngo
            .post(&sign, &[("csrf", &csrf), ("version", &version)])
            .await;
        assert_eq!(signed.status, 303, "{}", signed.text);
        let back = signed.location.expect("to the grant");
        assert!(back.starts_with(&path), "{back}");
        let page = ngo.get(&back).await;
        assert!(
            page.text.contains("la convention est signée"),
            "{}",
            page.text
        );
        assert!(page.text.contains("en cours"));
        assert!(!page.text.contains("Je signe la convention"));
        let (status, after) = grant_status(&app, &admin, &grant).await;
        assert_eq!(status, "active");
        assert_eq!(after, before + 1);
        // the first instalment (on signature) can be paid now, the last waits for a report
        assert!(
            page.text.contains("le fonds peut la verser"),
            "{}",
            page.text
        );
        assert!(page.text.contains("rapport"), "{}", page.text);

        // the same form posted again (a double click): said, changed once
        let again = ngo
            .post(&sign, &[("csrf", &csrf), ("version", &version)])
            .await;
        assert_eq!(again.status, 409);
        assert_eq!(grant_status(&app, &admin, &grant).await.1, after);
    }
);

both_backends!(
    another_organisation_never_sees_the_grant_and_a_donor_not_a_protected_name,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00")
            .application("Safe houses in Bangkok", "8000.00")
            .submitted()
            .screened()
            .grant("8000.00")
            .await;
        let grant = w.grant_id().to_string();
        let path = format!("/grants/{grant}");
        let grantee = app
            .get_as(
                &w.to_board().admin,
                &format!("/api/v1/organisations/{}", w.org_id()),
            )
            .await
            .body["name"]
            .as_str()
            .expect("name")
            .to_string();

        // another NGO: the grant is not found, listed nowhere, and cannot be signed
        let other = World::new(&app).ngo().await;
        app.user_with_password(
            "ngo",
            "someone@else.example",
            PASSWORD,
            Some(other.org_id()),
        );
        let mut stranger = Browser::new(&app);
        stranger.sign_in("someone@else.example", PASSWORD).await;
        let page = stranger.get(&path).await;
        assert_eq!(page.status, 404, "{}", page.text);
        assert!(!page.text.contains("Safe houses in Bangkok"));
        assert!(!stranger.get("/grants").await.text.contains("Safe houses"));
        let form = stranger.get("/grants").await;
        let tried = stranger
            .post(
                &format!("{path}/sign"),
                &[("csrf", &form.csrf()), ("version", "1")],
            )
            .await;
        assert_eq!(tried.status, 404);
        assert_eq!(stranger.get("/grants/not-a-grant").await.status, 404);

        // a donor reads the grant, but not the name of a grantee the fund protects
        app.execute(&format!(
            "UPDATE organisations SET protected = TRUE WHERE id = '{}'",
            w.org_id()
        ));
        app.user_with_password("donor", "desk@donor.example", PASSWORD, Some(w.donor_id()));
        let mut donor = Browser::new(&app);
        donor.sign_in("desk@donor.example", PASSWORD).await;
        let page = donor.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(!page.text.contains(&grantee), "{}", page.text);
        assert!(page.text.contains("Name withheld"));
        assert!(!page.text.contains("Sign the grant agreement"));
        // finance reads it
        app.user_with_password("finance", "money@fund.example", PASSWORD, None);
        let mut finance = Browser::new(&app);
        finance.sign_in("money@fund.example", PASSWORD).await;
        assert!(finance.get(&path).await.text.contains(&grantee));
        // a reviewer reads no grants
        app.user_with_password("reviewer", "reader@fund.example", PASSWORD, None);
        let mut reviewer = Browser::new(&app);
        reviewer.sign_in("reader@fund.example", PASSWORD).await;
        assert_eq!(reviewer.get("/grants").await.status, 403);
    }
);
