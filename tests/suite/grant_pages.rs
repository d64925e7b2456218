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
        assert!(
            page.text
                .contains("La signature de la convention par le bénéficiaire.")
        );
        let csrf = page.csrf();
        let version = page.field("version");
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

/// The grant's disbursements as the API lists them: (id, status).
async fn payments_of(app: &TestApp, token: &str, grant: &str) -> Vec<(String, String)> {
    let r = app
        .get_as(token, &format!("/api/v1/grants/{grant}/disbursements"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"]
        .as_array()
        .or_else(|| r.body.as_array())
        .expect("a list")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().expect("id").to_string(),
                d["status"].as_str().expect("status").to_string(),
            )
        })
        .collect()
}

both_backends!(
    finance_requests_a_payment_a_second_officer_approves_and_records_it_on_the_pages,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00")
            .application("Shelter in Lagos", "15000.00")
            .submitted()
            .screened()
            .grant("15000.00")
            .signed()
            .await;
        let grant = w.grant_id().to_string();
        let admin = w.to_board().admin;
        let path = format!("/grants/{grant}");
        app.user_with_password("finance", "first@fund.example", PASSWORD, None);
        app.user_with_password("finance", "second@fund.example", PASSWORD, None);
        let mut first = Browser::speaking(&app, "es");
        assert_eq!(
            first.sign_in("first@fund.example", PASSWORD).await.status,
            303
        );

        // the first instalment (on signature) can be requested from the grant's page
        let page = first.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("Solicitar este pago"), "{}", page.text);
        let (csrf, once) = (page.csrf(), page.field("once"));
        let instalment = page.field("instalment_id");
        let expected = page.field("amount");
        let request = format!("{path}/payments");
        let bad = first
            .post(
                &request,
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("instalment_id", &instalment),
                    ("amount", "mucho"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422, "{}", bad.text);
        assert!(bad.text.contains("No se solicitó nada"));
        assert!(payments_of(&app, &admin, &grant).await.is_empty());
        // posted twice (a double click): requested once
        for _ in 0..2 {
            let done = first
                .post(
                    &request,
                    &[
                        ("csrf", &csrf),
                        ("once", &once),
                        ("instalment_id", &instalment),
                        ("amount", &expected),
                    ],
                )
                .await;
            assert_eq!(done.status, 303, "{}", done.text);
            assert_eq!(done.location.as_deref(), Some("/payments?done=requested"));
        }
        let payments = payments_of(&app, &admin, &grant).await;
        assert_eq!(payments.len(), 1, "{payments:?}");
        let payment = payments[0].0.clone();
        // more than the instalment still expects: refused, nothing requested
        let page = first.get(&path).await;
        let too_much = first
            .post(
                &request,
                &[
                    ("csrf", &csrf),
                    ("once", "another-form"),
                    ("instalment_id", &instalment),
                    ("amount", "99999.00"),
                ],
            )
            .await;
        assert!(
            too_much.status == 422 || too_much.status == 409,
            "{}",
            too_much.text
        );
        assert!(
            !page.text.contains("Solicitar este pago"),
            "nothing left to request"
        );
        assert_eq!(payments_of(&app, &admin, &grant).await.len(), 1);

        // the requester cannot approve its own request
        let queue = first.get("/payments").await;
        assert_eq!(queue.status, 200, "{}", queue.text);
        assert!(queue.text.contains("Usted solicitó este pago"));
        let own = first
            .post(
                &format!("/payments/{payment}/approve"),
                &[("csrf", &queue.csrf()), ("version", "1")],
            )
            .await;
        assert_eq!(own.status, 409, "{}", own.text);
        assert!(own.text.contains("no puede aprobarlo"), "{}", own.text);
        assert_eq!(payments_of(&app, &admin, &grant).await[0].1, "requested");

        // a second officer approves, then records the transfer
        let mut second = Browser::new(&app);
        assert_eq!(
            second.sign_in("second@fund.example", PASSWORD).await.status,
            303
        );
        let queue = second.get("/payments").await;
        let version = queue.field("version");
        let approved = second
            .post(
                &format!("/payments/{payment}/approve"),
                &[("csrf", &queue.csrf()), ("version", &version)],
            )
            .await;
        assert_eq!(approved.status, 303, "{}", approved.text);
        assert_eq!(payments_of(&app, &admin, &grant).await[0].1, "approved");
        // the same approval again, from the old form: nothing done
        let stale = second
            .post(
                &format!("/payments/{payment}/approve"),
                &[("csrf", &queue.csrf()), ("version", &version)],
            )
            .await;
        assert_eq!(stale.status, 409, "{}", stale.text);

        let queue = second.get("/payments").await;
        let version = queue.field("version");
        let pay = format!("/payments/{payment}/pay");
        let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
        let future = second
            .post(
                &pay,
                &[
                    ("csrf", &queue.csrf()),
                    ("version", &version),
                    ("paid_on", &tomorrow),
                    ("reference", "WIRE-77"),
                ],
            )
            .await;
        assert_eq!(future.status, 422, "{}", future.text);
        assert!(
            future.error_beside(&format!("paid_on-{payment}")).is_some(),
            "{}",
            future.text
        );
        assert!(
            future.text.contains("value=\"WIRE-77\""),
            "what was typed is kept"
        );
        let blank = second
            .post(
                &pay,
                &[
                    ("csrf", &queue.csrf()),
                    ("version", &version),
                    ("paid_on", "2026-13-40"),
                    ("reference", " "),
                ],
            )
            .await;
        assert_eq!(blank.status, 422);
        assert_eq!(payments_of(&app, &admin, &grant).await[0].1, "approved");
        let today = chrono::Utc::now().date_naive().to_string();
        let paid = second
            .post(
                &pay,
                &[
                    ("csrf", &queue.csrf()),
                    ("version", &version),
                    ("paid_on", &today),
                    ("reference", "WIRE-77"),
                ],
            )
            .await;
        assert_eq!(paid.status, 303, "{}", paid.text);
        assert_eq!(payments_of(&app, &admin, &grant).await[0].1, "paid");
        let page = second.get(&path).await;
        assert!(
            page.text.contains("WIRE-77"),
            "the grant's payments list it"
        );
        assert!(
            second
                .get("/payments")
                .await
                .text
                .contains("No payment is waiting")
        );

        // an NGO neither approves nor pays
        app.user_with_password("ngo", "director@lagos.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::new(&app);
        ngo.sign_in("director@lagos.example", PASSWORD).await;
        assert_eq!(ngo.get("/payments").await.status, 403);
    }
);
