//! The second factor of the secretariat and finance: after the password, a browser holds
//! only a pending sign-in until a TOTP code is given (the first time, after setting the key
//! up in an app); a code works once; wrong codes are throttled like wrong passwords; the
//! API asks for the code of an enrolled account; an NGO signs in as before.

use serde_json::json;

use crate::common::TestApp;
use crate::common::browser::{Browser, current_code, second_factor_secret, shown_secret};

const PASSWORD: &str = "ledger quartz window 83";

both_backends!(
    finance_sets_up_its_second_factor_then_needs_a_code_each_time,
    |app: TestApp| async move {
        app.user_with_password("finance", "kofi@fund.example", PASSWORD, None);
        let mut first = Browser::speaking(&app, "fr");
        let after_password = first.sign_in_password("kofi@fund.example", PASSWORD).await;
        assert_eq!(after_password.status, 303, "{}", after_password.text);
        assert_eq!(after_password.location.as_deref(), Some("/login/enrol"));
        assert!(after_password.cookie("tf_pending").is_some());
        assert!(
            after_password.cookie("tf_session").is_none(),
            "no session yet"
        );
        let home = first.get("/home").await;
        assert_eq!(
            home.location.as_deref(),
            Some("/login"),
            "not signed in yet"
        );

        // the key as a QR code and as text; a wrong code said beside the field, in French
        let page = first.get("/login/enrol").await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("<svg"), "the QR code");
        let secret = shown_secret(&page.text);
        assert_eq!(secret.len(), 32, "{secret}");
        let wrong = first
            .post(
                "/login/enrol",
                &[("csrf", &page.csrf()), ("code", "000000")],
            )
            .await;
        assert_eq!(wrong.status, 401, "{}", wrong.text);
        assert!(
            wrong
                .error_beside("code")
                .is_some_and(|e| e.contains("pas le bon")),
            "{}",
            wrong.text
        );
        assert_eq!(
            shown_secret(&wrong.text),
            secret,
            "the same key on a reload"
        );
        let forged = first
            .post("/login/enrol", &[("code", &current_code(&secret))])
            .await;
        assert_eq!(forged.status, 403);
        let code = current_code(&secret);
        let enrolled = first
            .post("/login/enrol", &[("csrf", &page.csrf()), ("code", &code)])
            .await;
        assert_eq!(enrolled.status, 303, "{}", enrolled.text);
        assert_eq!(enrolled.location.as_deref(), Some("/home"));
        assert!(enrolled.cookie("tf_session").is_some());
        assert_eq!(first.get("/home").await.status, 200);

        // next time: the code page; the code just used opens nothing
        let mut second = Browser::new(&app);
        let after_password = second.sign_in_password("kofi@fund.example", PASSWORD).await;
        assert_eq!(after_password.location.as_deref(), Some("/login/code"));
        assert_eq!(
            second.get("/login/enrol").await.location.as_deref(),
            Some("/login/code")
        );
        let form = second.get("/login/code").await;
        let replay = second
            .post("/login/code", &[("csrf", &form.csrf()), ("code", &code)])
            .await;
        assert_eq!(replay.status, 401, "{}", replay.text);
        let (stored, last) = second_factor_secret(&app.pool, "kofi@fund.example");
        assert_eq!(stored, secret);
        let signed_in = second.second_factor(&stored, last).await;
        assert_eq!(signed_in.status, 303, "{}", signed_in.text);
        assert_eq!(second.get("/home").await.status, 200);

        // the API asks an enrolled account for the code
        let bare = app
            .post(
                "/api/v1/auth/login",
                json!({"email": "kofi@fund.example", "password": PASSWORD}),
            )
            .await;
        assert_eq!(bare.status, 401, "{}", bare.text);
        assert_eq!(
            bare.body["errors"][0]["field"], "totp_code",
            "{}",
            bare.text
        );
        let (_, last) = second_factor_secret(&app.pool, "kofi@fund.example");
        let code = crate::common::browser::unused_code(&secret, last).await;
        let with_code = app
            .post(
                "/api/v1/auth/login",
                json!({"email": "kofi@fund.example", "password": PASSWORD, "totp_code": code}),
            )
            .await;
        assert_eq!(with_code.status, 200, "{}", with_code.text);
        let again = app
            .post(
                "/api/v1/auth/login",
                json!({"email": "kofi@fund.example", "password": PASSWORD, "totp_code": code}),
            )
            .await;
        assert_eq!(again.status, 401, "a code works once: {}", again.text);

        // a lost phone: the command line removes the factor; the next sign-in enrols again,
        // and both the set-up and the removal are in the audit trail
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_trustfund"))
            .env("TRUSTFUND__DATABASE__URL", &app.settings.database.url)
            .env("TRUSTFUND__DATA_DIR", &app.data_dir)
            .env("TRUSTFUND__LOG__LEVEL", "error")
            .args(["reset-second-factor", "Kofi@Fund.example"])
            .output()
            .expect("run trustfund");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let mut third = Browser::new(&app);
        let after_password = third.sign_in_password("kofi@fund.example", PASSWORD).await;
        assert_eq!(after_password.location.as_deref(), Some("/login/enrol"));
        for action in ["enrol_second_factor", "reset_second_factor"] {
            assert_eq!(
                app.count(&format!(
                    "audit_events WHERE action = '{action}' AND entity = 'user'"
                )),
                1,
                "{action}"
            );
        }
        assert_eq!(
            app.count(&format!(
                "audit_events WHERE after_state LIKE '%{secret}%' OR before_state LIKE '%{secret}%'"
            )),
            0,
            "the secret is never in the audit trail"
        );
    }
);

both_backends!(
    a_code_page_needs_a_genuine_pending_sign_in_and_wrong_codes_are_throttled,
    |app: TestApp| async move {
        app.user_with_password("admin", "desk@fund.example", PASSWORD, None);
        let mut browser = Browser::new(&app);
        // no password given: nothing to finish
        assert_eq!(
            browser.get("/login/code").await.location.as_deref(),
            Some("/login")
        );
        assert_eq!(
            browser.get("/login/enrol").await.location.as_deref(),
            Some("/login")
        );
        browser
            .jar
            .insert("tf_pending".into(), "someone.9999999999.forged".into());
        assert_eq!(
            browser.get("/login/enrol").await.location.as_deref(),
            Some("/login")
        );
        browser.jar.remove("tf_pending");
        browser.sign_in("desk@fund.example", PASSWORD).await;
        let mut other = Browser::new(&app);
        other.sign_in_password("desk@fund.example", PASSWORD).await;
        let form = other.get("/login/code").await;
        let mut last = 0;
        for _ in 0..8 {
            let wrong = other
                .post("/login/code", &[("csrf", &form.csrf()), ("code", "123456")])
                .await;
            last = wrong.status;
            if last == 429 {
                assert!(wrong.retry_after.is_some());
                break;
            }
            assert_eq!(last, 401, "{}", wrong.text);
        }
        assert_eq!(last, 429, "wrong codes are throttled");

        // an NGO signs in with its password alone
        let org = app.user_token("admin", None);
        let r = app
            .post_as(
                &org,
                "/api/v1/organisations",
                json!({"name": "Haven", "kind": "ngo", "country": "NG", "verified": true}),
            )
            .await;
        let org_id = r.body["id"].as_str().expect("id").to_string();
        app.user_with_password("ngo", "ngo@haven.example", PASSWORD, Some(&org_id));
        let mut ngo = Browser::new(&app);
        let signed = ngo.sign_in_password("ngo@haven.example", PASSWORD).await;
        assert_eq!(signed.location.as_deref(), Some("/home"));
    }
);
