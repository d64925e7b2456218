//! The pages for people, spoken to as a browser would: forms posted as
//! `application/x-www-form-urlencoded`, cookies kept between requests, redirects not
//! followed (so that each answer can be checked). Sign-in, sign-out, CSRF, throttling,
//! languages, and the pages the account emails link to.

use serde_json::json;

use crate::common::TestApp;
use crate::common::browser::Browser;

const PASSWORD: &str = "lantern river shelter 42";

/// A verified user with a real password and a name to be greeted by.
fn person(app: &TestApp, role: &str, email: &str, name: &str) {
    app.user_with_password(role, email, PASSWORD, None);
    app.execute(&format!(
        "UPDATE users SET display_name = '{name}' WHERE email = '{email}'"
    ));
}

both_backends!(
    signing_in_sets_a_session_cookie_and_home_greets_the_user_by_name,
    |app: TestApp| async move {
        person(&app, "admin", "amina@fund.example", "Amina Okafor");
        let mut browser = Browser::new(&app);
        let signed_in = browser.sign_in("Amina@Fund.example", PASSWORD).await;
        assert_eq!(signed_in.status, 303, "{}", signed_in.text);
        assert_eq!(signed_in.location.as_deref(), Some("/home"));
        let cookie = signed_in.cookie("tf_session").expect("a session cookie");
        for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(cookie.contains(attribute), "{attribute} in {cookie}");
        }
        assert!(!cookie.contains("Secure"), "not Secure outside production");
        assert!(!cookie.contains("Max-Age"), "gone when the browser closes");

        let home = browser.get("/home").await;
        assert_eq!(home.status, 200, "{}", home.text);
        assert!(home.text.contains("Hello, Amina Okafor"), "{}", home.text);
        assert!(home.text.contains("secretariat of the fund"));
        // the secretariat's work, as the access policy grants it, and not finance's
        assert!(home.text.contains("Screen the applications that arrive"));
        assert!(!home.text.contains("Approve and pay the payments"));
        assert!(home.text.contains("action=\"/logout\""));

        // a finance officer sees the payments to approve
        person(&app, "finance", "omar@fund.example", "Omar Haddad");
        let mut finance = Browser::new(&app);
        assert_eq!(
            finance.sign_in("omar@fund.example", PASSWORD).await.status,
            303
        );
        let home = finance.get("/home").await;
        assert!(home.text.contains("Hello, Omar Haddad"));
        assert!(home.text.contains("Approve and pay the payments"));
        assert!(!home.text.contains("Screen the applications"));

        // a task worded for the donor: their own statement
        person(&app, "donor", "desk@donor.example", "Luc Weber");
        let mut donor = Browser::new(&app);
        assert_eq!(
            donor.sign_in("desk@donor.example", PASSWORD).await.status,
            303
        );
        let home = donor.get("/home").await;
        assert!(home.text.contains("See your giving"), "{}", home.text);
        assert!(!home.text.contains("Read the donors’ statements"));
        assert!(!home.text.contains("Record donors’ pledges"));

        // signed in, the sign-in page sends home
        let again = browser.get("/login").await;
        assert_eq!(again.status, 303);
        assert_eq!(again.location.as_deref(), Some("/home"));
    }
);

both_backends!(
    a_wrong_password_shows_the_error_beside_the_field_and_keeps_the_email,
    |app: TestApp| async move {
        person(&app, "ngo", "grace@shelter.example", "Grace Mensah");
        let mut browser = Browser::new(&app);
        let refused = browser
            .sign_in("grace@shelter.example", "not my password at all")
            .await;
        assert_eq!(refused.status, 401, "{}", refused.text);
        assert!(refused.cookie("tf_session").is_none(), "no session");
        assert_eq!(
            refused.error_beside("password").as_deref(),
            Some("The email address or password is not correct.")
        );
        assert!(refused.text.contains("value=\"grace@shelter.example\""));
        assert!(refused.text.contains("aria-invalid=\"true\""));
        assert!(
            refused.text.contains("class=\"summary\""),
            "summarised at the top"
        );
        assert!(!refused.text.contains("not my password"), "never echoed");
        let home = browser.get("/home").await;
        assert_eq!(home.status, 303);
        assert_eq!(home.location.as_deref(), Some("/login"));

        // an empty field is said beside it too
        let csrf = browser.get("/login").await.csrf();
        let empty = browser
            .post(
                "/login",
                &[("email", ""), ("password", ""), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(empty.status, 422);
        assert_eq!(
            empty.error_beside("email").as_deref(),
            Some("Enter your email address.")
        );
        assert_eq!(
            empty.error_beside("password").as_deref(),
            Some("Enter your password.")
        );
    }
);

both_backends!(
    a_form_without_its_csrf_token_is_refused_and_changes_nothing,
    |app: TestApp| async move {
        person(&app, "donor", "desk@lux.example", "Luc Weber");
        let fields = |csrf: &'static str| {
            [
                ("email", "desk@lux.example"),
                ("password", PASSWORD),
                ("csrf", csrf),
            ]
        };
        // no token, no cookie: in the reader's language
        let mut stranger = Browser::speaking(&app, "fr");
        let missing = stranger.post("/login", &fields("")).await;
        assert_eq!(missing.status, 403, "{}", missing.text);
        assert!(missing.text.contains("<html lang=\"fr\">"));
        assert!(
            missing.text.contains("Ce formulaire a expiré"),
            "{}",
            missing.text
        );
        assert!(missing.cookie("tf_session").is_none());

        // another browser's token does not fit this browser's cookie
        let mut other = Browser::new(&app);
        let theirs = other.get("/login").await.csrf();
        let mut browser = Browser::new(&app);
        browser.get("/login").await;
        let wrong = browser
            .post(
                "/login",
                &[
                    ("email", "desk@lux.example"),
                    ("password", PASSWORD),
                    ("csrf", &theirs),
                ],
            )
            .await;
        assert_eq!(wrong.status, 403);
        assert!(wrong.cookie("tf_session").is_none());
        let forged = browser.post("/login", &fields("AAAA")).await;
        assert_eq!(forged.status, 403);
        assert_eq!(app.count("refresh_tokens"), 0, "no session was started");
        assert_eq!(app.count("login_attempts"), 0, "not even an attempt");

        // signed in, a sign-out without the session's token does not sign out
        assert_eq!(
            browser.sign_in("desk@lux.example", PASSWORD).await.status,
            303
        );
        let anonymous_token = Browser::new(&app).get("/login").await.csrf();
        let refused = browser.post("/logout", &[("csrf", &anonymous_token)]).await;
        assert_eq!(refused.status, 403);
        assert_eq!(browser.get("/home").await.status, 200, "still signed in");
        // nor a language switch
        let switch = browser
            .post(
                "/language",
                &[("lang", "es"), ("back", "/home"), ("csrf", "x")],
            )
            .await;
        assert_eq!(switch.status, 403);
        assert!(switch.cookie("lang").is_none());
    }
);

both_backends!(
    signing_out_ends_the_session_for_good,
    |app: TestApp| async move {
        person(&app, "reviewer", "expert@review.example", "Ana Silva");
        let mut browser = Browser::new(&app);
        assert_eq!(
            browser
                .sign_in("expert@review.example", PASSWORD)
                .await
                .status,
            303
        );
        let old_cookie = browser.jar.get("tf_session").cloned().expect("session");
        let home = browser.get("/home").await;
        assert!(home.text.contains("Hello, Ana Silva"));
        let out = browser.post("/logout", &[("csrf", &home.csrf())]).await;
        assert_eq!(out.status, 303, "{}", out.text);
        assert_eq!(out.location.as_deref(), Some("/login?signed-out"));
        assert!(
            out.cookie("tf_session")
                .is_some_and(|c| c.contains("Max-Age=0")),
            "the browser is told to forget it"
        );
        assert!(!browser.jar.contains_key("tf_session"));
        let notice = browser.get("/login?signed-out").await;
        assert!(notice.text.contains("You are now signed out."));

        // the old cookie, kept by someone, opens nothing any more
        let mut thief = Browser::new(&app);
        thief.jar.insert("tf_session".into(), old_cookie);
        let home = thief.get("/home").await;
        assert_eq!(home.status, 303);
        assert_eq!(home.location.as_deref(), Some("/login"));
        assert_eq!(app.count("refresh_tokens WHERE revoked_at IS NULL"), 0);
    }
);

both_backends!(
    repeated_failures_are_throttled_like_the_api,
    |app: TestApp| async move {
        person(&app, "finance", "cashier@fund.example", "Kofi Asante");
        let mut browser = Browser::new(&app);
        for _ in 0..5 {
            let failed = browser
                .sign_in("cashier@fund.example", "a wrong password guess")
                .await;
            assert_eq!(failed.status, 401, "{}", failed.text);
        }
        // the right password now waits: the same throttle as the API's login
        let throttled = browser.sign_in("cashier@fund.example", PASSWORD).await;
        assert_eq!(throttled.status, 429, "{}", throttled.text);
        assert!(throttled.cookie("tf_session").is_none());
        let retry: u64 = throttled
            .retry_after
            .as_deref()
            .expect("Retry-After")
            .parse()
            .expect("seconds");
        assert!(retry > 0 && retry <= 900, "{retry}");
        let message = throttled
            .error_beside("password")
            .expect("said beside the field");
        assert!(
            message.starts_with("Too many failed attempts. Please try again in"),
            "{message}"
        );
        app.login("cashier@fund.example", PASSWORD)
            .await
            .assert_problem(429, "rate_limited");
    }
);

both_backends!(
    pages_speak_french_and_spanish_by_accept_language_or_the_switch,
    |app: TestApp| async move {
        let mut french = Browser::speaking(&app, "fr-CA,fr;q=0.9,en;q=0.5");
        let page = french.get("/login").await;
        assert!(page.text.contains("<html lang=\"fr\">"), "{}", page.text);
        assert!(
            page.text
                .contains("<label for=\"password\">Mot de passe</label>")
        );
        person(&app, "ngo", "aicha@ong.example", "Aïcha Diallo");
        let refused = french
            .sign_in("aicha@ong.example", "mauvais mot de passe")
            .await;
        assert_eq!(
            refused.error_beside("password").as_deref(),
            Some("L’adresse e-mail ou le mot de passe est incorrect.")
        );
        assert_eq!(
            french.sign_in("aicha@ong.example", PASSWORD).await.status,
            303
        );
        let home = french.get("/home").await;
        assert!(home.text.contains("Bonjour, Aïcha Diallo"), "{}", home.text);

        // the switch: a cookie, chosen on the page, wins over Accept-Language
        let csrf = home.csrf();
        let switched = french
            .post(
                "/language",
                &[("lang", "es"), ("back", "/home"), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(switched.status, 303);
        assert_eq!(switched.location.as_deref(), Some("/home"));
        let cookie = switched.cookie("lang").expect("lang cookie");
        assert!(cookie.starts_with("lang=es;"), "{cookie}");
        let home = french.get("/home").await;
        assert!(home.text.contains("<html lang=\"es\">"));
        assert!(home.text.contains("Hola, Aïcha Diallo"));
        assert!(home.text.contains("organización socia (ONG)"));

        // a back address off this site is not followed
        let csrf = home.csrf();
        let away = french
            .post(
                "/language",
                &[("lang", "en"), ("back", "//evil.example/"), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(away.location.as_deref(), Some("/"));

        // the landing page, in the cookie's language
        let mut spanish = Browser::new(&app);
        spanish.jar.insert("lang".into(), "es".into());
        let landing = spanish.get("/").await;
        assert_eq!(landing.status, 200);
        assert!(landing.text.contains("<html lang=\"es\">"));
        assert!(landing.text.contains("href=\"/login\""));
    }
);

both_backends!(
    the_verification_link_of_the_email_confirms_the_address_on_a_page,
    |app: TestApp| async move {
        let r = app
            .post(
                "/api/v1/auth/register",
                json!({
                    "organisation": {"name": "Casa Esperanza", "country": "CO", "kind": "ngo"},
                    "user": {"email": "lucia@casa.example", "name": "Lucía Gómez", "password": PASSWORD}
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let mail = app.email_number("lucia@casa.example", 1).await;
        // the email's link is this page, under email.link_base_url
        let link_base = app.settings.email.link_base_url.trim_end_matches('/');
        assert!(
            mail.decoded
                .contains(&format!("{link_base}/verify-email?token=")),
            "{}",
            mail.decoded
        );
        let token = mail.token();
        let mut browser = Browser::speaking(&app, "es");
        let page = browser.get(&format!("/verify-email?token={token}")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("Su correo electrónico está confirmado"));
        let signed_in = app.login("lucia@casa.example", PASSWORD).await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.text);
        // a link works once
        let again = browser.get(&format!("/verify-email?token={token}")).await;
        assert_eq!(again.status, 422);
        assert!(again.text.contains("Este enlace ya no es válido"));
        let nothing = browser.get("/verify-email").await;
        assert_eq!(nothing.status, 422);
    }
);

both_backends!(
    the_secretariat_is_emailed_and_verifies_a_registered_organisation_in_its_queue,
    |app: TestApp| async move {
        person(&app, "admin", "amina@fund.example", "Amina Okafor");
        let r = app
            .post(
                "/api/v1/auth/register",
                json!({
                    "organisation": {"name": "Casa Esperanza", "country": "CO", "kind": "ngo"},
                    "user": {"email": "lucia@casa.example", "name": "Lucía Gómez", "password": PASSWORD}
                }),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let org_id = r.body["organisation"]["id"]
            .as_str()
            .expect("org id")
            .to_string();
        // the secretariat hears of it once the address is confirmed, not before
        app.drain_outbox().await;
        assert!(app.emails_to("amina@fund.example").is_empty());
        let token = app.email_number("lucia@casa.example", 1).await.token();
        let confirmed = app
            .post("/api/v1/auth/verify-email", json!({"token": token}))
            .await;
        assert_eq!(confirmed.status, 204, "{}", confirmed.text);
        let mail = app.email_number("amina@fund.example", 1).await;
        let link_base = app.settings.email.link_base_url.trim_end_matches('/');
        for expected in [
            "New organisation to verify: Casa Esperanza",
            "lucia@casa.example",
            &format!("{link_base}/organisations/to-verify"),
        ] {
            assert!(
                mail.decoded.contains(expected),
                "{expected} in {}",
                mail.decoded
            );
        }

        // the queue, linked from the secretariat's home
        let mut secretariat = Browser::new(&app);
        assert_eq!(
            secretariat
                .sign_in("amina@fund.example", PASSWORD)
                .await
                .status,
            303
        );
        let home = secretariat.get("/home").await;
        // (minijinja writes the slashes of an attribute as &#x2f;)
        assert!(
            home.text
                .contains("organisations&#x2f;to-verify\">Verify the organisations"),
            "{}",
            home.text
        );
        let queue = secretariat.get("/organisations/to-verify").await;
        assert_eq!(queue.status, 200, "{}", queue.text);
        for expected in [
            "Casa Esperanza",
            "Lucía Gómez",
            "email address confirmed",
            "Verify Casa Esperanza",
        ] {
            assert!(
                queue.text.contains(expected),
                "{expected} in {}",
                queue.text
            );
        }

        // without its CSRF token the button does nothing
        let forged = secretariat
            .post(
                "/organisations/to-verify",
                &[("organisation_id", org_id.as_str())],
            )
            .await;
        assert_eq!(forged.status, 403);
        let org =
            |app: &TestApp| app.count(&format!("organisations WHERE id = '{org_id}' AND verified"));
        assert_eq!(org(&app), 0);

        // a member of the organisation may not verify it, nor read the queue
        let mut ngo = Browser::new(&app);
        assert_eq!(
            ngo.sign_in("lucia@casa.example", PASSWORD).await.status,
            303
        );
        let refused = ngo.get("/organisations/to-verify").await;
        assert_eq!(refused.status, 403);
        assert!(!refused.text.contains("Casa Esperanza"));
        let csrf = refused.csrf();
        let refused = ngo
            .post(
                "/organisations/to-verify",
                &[
                    ("csrf", csrf.as_str()),
                    ("organisation_id", org_id.as_str()),
                ],
            )
            .await;
        assert_eq!(refused.status, 403);
        assert_eq!(org(&app), 0);

        // an id that is no organisation's: said on the page, nothing changed
        let csrf = queue.csrf();
        let unknown = secretariat
            .post(
                "/organisations/to-verify",
                &[("csrf", csrf.as_str()), ("organisation_id", "not-an-id")],
            )
            .await;
        assert_eq!(unknown.status, 404);
        assert!(
            unknown.text.contains("could not be verified"),
            "{}",
            unknown.text
        );

        let verified = secretariat
            .post(
                "/organisations/to-verify",
                &[
                    ("csrf", csrf.as_str()),
                    ("organisation_id", org_id.as_str()),
                ],
            )
            .await;
        assert_eq!(verified.status, 303, "{}", verified.text);
        let back = verified.location.expect("back to the queue");
        let queue = secretariat.get(&back).await;
        assert!(
            queue.text.contains("Casa Esperanza is now verified"),
            "{}",
            queue.text
        );
        assert!(!queue.text.contains("Verify Casa Esperanza"));
        assert!(
            queue
                .text
                .contains("No organisation is waiting to be verified.")
        );
        assert_eq!(org(&app), 1);
        assert_eq!(
            app.count(&format!(
                "audit_events WHERE entity_id = '{org_id}' AND action = 'update'"
            )),
            1
        );

        // the same queue in French and Spanish
        for (language, title) in [
            ("fr", "Organisations à vérifier"),
            ("es", "Organizaciones por verificar"),
        ] {
            let mut reader = Browser::speaking(&app, language);
            assert_eq!(
                reader.sign_in("amina@fund.example", PASSWORD).await.status,
                303
            );
            let page = reader.get("/organisations/to-verify").await;
            assert!(page.text.contains(title), "{language}: {}", page.text);
        }
    }
);

both_backends!(
    the_reset_email_is_in_the_account_s_language_else_in_the_page_s,
    |app: TestApp| async move {
        let chose = app.user_with_password("trustee", "elle@fund.example", PASSWORD, None);
        person(&app, "trustee", "ella@fund.example", "Rosa Quispe");
        {
            let mut conn = app.pool.get().expect("connection");
            trustfund::auth::store::set_language(&mut conn, &chose, "fr").expect("fr");
        }
        // both ask from a page in Spanish
        let mut browser = Browser::speaking(&app, "es");
        for address in ["elle@fund.example", "ella@fund.example"] {
            let form = browser.get("/forgot-password").await;
            let sent = browser
                .post(
                    "/forgot-password",
                    &[("email", address), ("csrf", &form.csrf())],
                )
                .await;
            assert_eq!(sent.status, 200, "{}", sent.text);
        }
        app.drain_outbox().await;
        // the account's own choice wins; without one, the page's language
        for (address, locale) in [("elle@fund.example", "fr"), ("ella@fund.example", "es")] {
            assert_eq!(
                app.count(&format!(
                    "outbox WHERE to_address = '{address}' AND locale = '{locale}'"
                )),
                1,
                "{address} in {locale}"
            );
        }
        let mail = app.email_number("ella@fund.example", 1).await;
        assert!(
            mail.decoded.contains("Elegir una nueva contrase"),
            "{}",
            mail.decoded
        );
    }
);

both_backends!(
    the_reset_link_sets_a_password_that_then_signs_in_on_the_api,
    |app: TestApp| async move {
        person(&app, "trustee", "board@fund.example", "Maria Lopez");
        let mut browser = Browser::new(&app);
        // asked for on the page
        let form = browser.get("/forgot-password").await;
        let bad = browser
            .post(
                "/forgot-password",
                &[("email", "not an address"), ("csrf", &form.csrf())],
            )
            .await;
        assert_eq!(bad.status, 422);
        assert!(bad.error_beside("email").is_some());
        let sent = browser
            .post(
                "/forgot-password",
                &[("email", "board@fund.example"), ("csrf", &form.csrf())],
            )
            .await;
        assert_eq!(sent.status, 200, "{}", sent.text);
        assert!(sent.text.contains("Check your email"));
        let mail = app.email_number("board@fund.example", 1).await;
        let link_base = app.settings.email.link_base_url.trim_end_matches('/');
        assert!(
            mail.decoded
                .contains(&format!("{link_base}/reset-password?token="))
        );
        let token = mail.token();

        let mut french = Browser::speaking(&app, "fr");
        let page = french.get(&format!("/reset-password?token={token}")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(
            page.text
                .contains("<label for=\"password\">Nouveau mot de passe</label>")
        );
        let csrf = page.csrf();
        let weak = french
            .post(
                "/reset-password",
                &[("token", &token), ("password", "12345"), ("csrf", &csrf)],
            )
            .await;
        assert_eq!(weak.status, 422, "{}", weak.text);
        assert_eq!(
            weak.error_beside("password").as_deref(),
            Some("Utilisez au moins 12 caractères.")
        );
        let easy = french
            .post(
                "/reset-password",
                &[
                    ("token", &token),
                    ("password", "password123456"),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert!(easy.text.contains("trop courant"), "{}", easy.text);
        let new_password = "violet compass harbour 19";
        let done = french
            .post(
                "/reset-password",
                &[
                    ("token", &token),
                    ("password", new_password),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        assert!(
            done.text
                .contains("Votre nouveau mot de passe est enregistré")
        );
        let api = app.login("board@fund.example", new_password).await;
        assert_eq!(api.status, 200, "{}", api.text);
        app.login("board@fund.example", PASSWORD)
            .await
            .assert_problem(401, "unauthorized");
        // the link is used up
        let again = french.get(&format!("/reset-password?token={token}")).await;
        assert_eq!(again.status, 422);
        assert!(again.text.contains("Ce lien n’est plus valable"));
    }
);

both_backends!(
    the_invitation_link_creates_the_account_on_a_page,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let invited = app
            .post_as(
                &admin,
                "/api/v1/invitations",
                json!({"email": "expert@review.example", "role": "reviewer"}),
            )
            .await;
        assert_eq!(invited.status, 201, "{}", invited.text);
        let mail = app.email_number("expert@review.example", 1).await;
        let link_base = app.settings.email.link_base_url.trim_end_matches('/');
        assert!(
            mail.decoded
                .contains(&format!("{link_base}/accept-invitation?token=")),
            "{}",
            mail.decoded
        );
        let token = mail.token();
        let mut browser = Browser::speaking(&app, "es");
        let page = browser
            .get(&format!("/accept-invitation?token={token}"))
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("<label for=\"name\">Su nombre</label>"));
        let csrf = page.csrf();
        let refused = browser
            .post(
                "/accept-invitation",
                &[
                    ("token", &token),
                    ("name", "  "),
                    ("password", "short"),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(
            refused.error_beside("name").as_deref(),
            Some("Ingrese su nombre en una sola línea (200 caracteres como máximo).")
        );
        assert_eq!(
            refused.error_beside("password").as_deref(),
            Some("Use al menos 12 caracteres.")
        );
        assert_eq!(app.count("users WHERE email = 'expert@review.example'"), 0);
        let done = browser
            .post(
                "/accept-invitation",
                &[
                    ("token", &token),
                    ("name", "Rosa Quispe"),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                ],
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        assert!(done.text.contains("Su cuenta está lista"));
        assert_eq!(
            browser
                .sign_in("expert@review.example", PASSWORD)
                .await
                .status,
            303
        );
        let home = browser.get("/home").await;
        assert!(home.text.contains("Hola, Rosa Quispe"), "{}", home.text);
        assert!(home.text.contains("evaluación externa"));
        // an invitation works once
        let again = browser
            .get(&format!("/accept-invitation?token={token}"))
            .await;
        assert_eq!(again.status, 422);
        assert!(again.text.contains("Esta invitación ya no es válida"));
    }
);

/// The pages are routed like the API but are not part of its OpenAPI document.
#[test]
fn pages_are_not_in_the_openapi_document() {
    let doc = serde_json::to_value(trustfund::app::openapi()).expect("document");
    let paths = doc["paths"].as_object().expect("paths");
    for page in [
        "/",
        "/login",
        "/logout",
        "/register",
        "/home",
        "/verify-email",
        "/reset-password",
        "/forgot-password",
        "/accept-invitation",
        "/language",
    ] {
        assert!(!paths.contains_key(page), "{page} is documented");
        assert!(
            trustfund::app::endpoints()
                .iter()
                .any(|e| e.path == page && !e.documented),
            "{page} is routed as a page"
        );
    }
}
