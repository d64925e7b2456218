//! Getting an account over HTTP, on both backends: NGO self-registration with email
//! verification, invitations, and password reset. Tokens are read from the delivered emails
//! (the file transport), the way a person would.

use crate::common;

use common::{Reply, TestApp};
use serde_json::{Value, json};

const PASSWORD: &str = "lantern river shelter 42";

fn registration(email: &str, org_name: &str) -> Value {
    json!({
        "organisation": {"name": org_name, "country": "NG", "kind": "ngo"},
        "user": {"email": email, "name": "Amina Okafor", "password": PASSWORD}
    })
}

async fn create_fund(app: &TestApp, admin: &str, code: &str) -> String {
    let r = app
        .post_as(
            admin,
            "/api/v1/funds",
            json!({"code": code, "name": format!("Fund {code}"), "support_cost_rate": "0.13", "board_quorum": 3}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("fund id").to_string()
}

async fn create_org(app: &TestApp, admin: &str, name: &str, kind: &str) -> String {
    let r = app
        .post_as(
            admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": kind, "country": "LU"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("org id").to_string()
}

fn access_token(reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}

both_backends!(
    an_ngo_registers_confirms_its_email_and_then_signs_in,
    |app: TestApp| async move {
        let r = app
            .post(
                "/api/v1/auth/register",
                registration("Amina@Shelter.example", "Shelter of Hope"),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["user"]["email"], "amina@shelter.example");
        assert_eq!(r.body["user"]["role"], "ngo");
        assert_eq!(r.body["user"]["email_verified"], false);
        assert_eq!(r.body["organisation"]["kind"], "ngo");
        assert_eq!(r.body["organisation"]["verified"], false);
        assert!(r.body["user"].get("password_hash").is_none());
        let org_id = r.body["organisation"]["id"].as_str().unwrap().to_string();
        assert_eq!(r.body["user"]["organisation_id"], org_id.as_str());

        // the right password, but the address is not confirmed yet
        app.login("amina@shelter.example", PASSWORD)
            .await
            .assert_problem(403, "forbidden");

        let mail = app.email_number("amina@shelter.example", 1).await;
        assert!(
            mail.decoded
                .contains("Confirm your email address for Shelter of Hope")
        );
        assert!(mail.decoded.contains("/verify-email?token="));
        let token = mail.token();
        assert_eq!(token.len(), 43);
        // stored hashed only
        assert_eq!(
            app.count(&format!(
                "one_time_tokens WHERE token_hash = '{token}' OR payload LIKE '%{token}%'"
            )),
            0
        );
        // once delivered, the outbox no longer holds the link either
        app.drain_outbox().await;
        assert_eq!(
            app.count(&format!("outbox WHERE context LIKE '%{token}%'")),
            0
        );

        let ok = app
            .post("/api/v1/auth/verify-email", json!({"token": token}))
            .await;
        assert_eq!(ok.status, 204, "{}", ok.text);
        app.post("/api/v1/auth/verify-email", json!({"token": token}))
            .await
            .assert_problem(422, "validation_failed");

        let access = access_token(&app.login("AMINA@shelter.example", PASSWORD).await);
        let me = app.get_as(&access, "/api/v1/me").await;
        assert_eq!(me.body["role"], "ngo");
        assert_eq!(me.body["organisation"]["id"], org_id.as_str());
        assert_eq!(
            app.count("audit_events WHERE action IN ('register', 'verify_email')"),
            3
        );
    }
);

both_backends!(
    registration_refuses_an_existing_email_in_any_letter_case_and_changes_nothing,
    |app: TestApp| async move {
        let first = app
            .post(
                "/api/v1/auth/register",
                registration("amina@shelter.example", "Shelter of Hope"),
            )
            .await;
        assert_eq!(first.status, 201);
        let (orgs, users) = (app.count("organisations"), app.count("users"));
        let again = app
            .post(
                "/api/v1/auth/register",
                registration("AMINA@Shelter.EXAMPLE", "Another Shelter"),
            )
            .await;
        assert_eq!(again.assert_problem(409, "duplicate"), ["user.email"]);
        assert_eq!(app.count("organisations"), orgs);
        assert_eq!(app.count("users"), users);
        // an admin-created account counts too
        app.user_with_password("finance", "officer@fund.example", PASSWORD, None);
        app.post(
            "/api/v1/auth/register",
            registration("Officer@Fund.example", "Third"),
        )
        .await
        .assert_problem(409, "duplicate");
    }
);

both_backends!(
    concurrent_registrations_of_one_email_create_one_account,
    |app: TestApp| async move {
        let variants = [
            "race@ngo.example",
            "RACE@ngo.example",
            "Race@Ngo.Example",
            "race@NGO.EXAMPLE",
        ];
        let replies =
            futures_util::future::join_all(variants.iter().enumerate().map(|(i, email)| {
                app.post(
                    "/api/v1/auth/register",
                    registration(email, &format!("Org {i}")),
                )
            }))
            .await;
        let created = replies.iter().filter(|r| r.status == 201).count();
        assert_eq!(
            created,
            1,
            "{:?}",
            replies.iter().map(|r| &r.text).collect::<Vec<_>>()
        );
        for r in replies.iter().filter(|r| r.status != 201) {
            r.assert_problem(409, "duplicate");
        }
        assert_eq!(app.count("users"), 1);
        assert_eq!(app.count("organisations"), 1);
        assert_eq!(app.count("outbox"), 1);
    }
);

both_backends!(
    registration_names_every_invalid_field,
    |app: TestApp| async move {
        let r = app
            .post(
                "/api/v1/auth/register",
                json!({
                    "organisation": {"name": " ", "country": "Nigeria", "kind": "individual",
                                     "identifier": "nope"},
                    "user": {"email": "not-an-email", "name": "A", "password": "password1234"}
                }),
            )
            .await;
        let fields = r.assert_problem(422, "validation_failed");
        assert_eq!(
            fields,
            [
                "organisation.kind",
                "organisation.name",
                "organisation.country",
                "organisation.identifier",
                "user.email",
                "user.password"
            ]
        );
        let r = app
            .post(
                "/api/v1/auth/register",
                json!({"organisation": {"name": "X", "country": "NG", "kind": "ngo"},
                       "user": {"email": "a@b.example", "name": "A", "password": PASSWORD},
                       "role": "admin"}),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), ["role"]);
        let r = app
            .post(
                "/api/v1/auth/register",
                json!({"organisation": {"name": "X", "country": "NG", "kind": "ngo", "verified": true},
                       "user": {"email": "a@b.example", "name": "A", "password": PASSWORD}}),
            )
            .await;
        assert_eq!(
            r.assert_problem(422, "validation_failed"),
            ["organisation.verified"]
        );
        assert_eq!(app.count("users"), 0);
        assert_eq!(app.count("organisations"), 0);
    }
);

both_backends!(
    verification_tokens_are_single_use_even_when_raced_and_expire,
    |app: TestApp| async move {
        for (i, email) in ["one@ngo.example", "two@ngo.example"].iter().enumerate() {
            let r = app
                .post(
                    "/api/v1/auth/register",
                    registration(email, &format!("NGO {i}")),
                )
                .await;
            assert_eq!(r.status, 201);
        }
        let token = app.email_number("one@ngo.example", 1).await.token();
        let replies = futures_util::future::join_all(
            (0..4).map(|_| app.post("/api/v1/auth/verify-email", json!({"token": token}))),
        )
        .await;
        assert_eq!(replies.iter().filter(|r| r.status == 204).count(), 1);
        for r in replies.iter().filter(|r| r.status != 204) {
            r.assert_problem(422, "validation_failed");
        }
        // an expired token is refused with the same answer and verifies nothing
        let expired = app.email_number("two@ngo.example", 1).await.token();
        app.execute("UPDATE one_time_tokens SET expires_at = created_at WHERE used_at IS NULL");
        let r = app
            .post("/api/v1/auth/verify-email", json!({"token": expired}))
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), ["token"]);
        app.login("two@ngo.example", PASSWORD)
            .await
            .assert_problem(403, "forbidden");
        for bad in [json!({"token": ""}), json!({}), json!({"token": 5})] {
            app.post("/api/v1/auth/verify-email", bad)
                .await
                .assert_problem(422, "validation_failed");
        }
    }
);

both_backends!(
    an_admin_invites_a_trustee_who_accepts_exactly_once,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let fund = create_fund(&app, &admin, "TF1").await;
        let r = app
            .post_as(
                &admin,
                "/api/v1/invitations",
                json!({"email": "Board.Member@example.org", "role": "trustee", "fund_id": fund}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["email"], "board.member@example.org");
        assert_eq!(r.body["role"], "trustee");
        assert_eq!(r.body["fund_id"], fund.as_str());
        assert!(
            r.body.get("token").is_none(),
            "the token travels only by email"
        );
        assert_eq!(app.count("audit_events WHERE entity = 'invitation'"), 1);

        let mail = app.email_number("board.member@example.org", 1).await;
        assert!(mail.decoded.contains("as trustee"));
        assert!(mail.decoded.contains("Fund TF1"));
        assert!(mail.decoded.contains("/accept-invitation?token="));
        let token = mail.token();

        // a weak password is refused and does not use the invitation up
        let weak = app
            .post(
                "/api/v1/auth/accept-invitation",
                json!({"token": token, "name": "Board Member", "password": "board.member1"}),
            )
            .await;
        assert_eq!(weak.assert_problem(422, "validation_failed"), ["password"]);
        let accepted = app
            .post(
                "/api/v1/auth/accept-invitation",
                json!({"token": token, "name": "Board Member", "password": PASSWORD}),
            )
            .await;
        assert_eq!(accepted.status, 201, "{}", accepted.text);
        assert_eq!(accepted.body["role"], "trustee");
        assert_eq!(accepted.body["fund_ids"], json!([fund]));
        assert_eq!(accepted.body["email_verified"], true);

        let replay = app
            .post(
                "/api/v1/auth/accept-invitation",
                json!({"token": token, "name": "Thief", "password": "another long passphrase"}),
            )
            .await;
        assert_eq!(replay.assert_problem(422, "validation_failed"), ["token"]);
        assert_eq!(app.count("users WHERE role = 'trustee'"), 1);

        let access = access_token(&app.login("board.member@example.org", PASSWORD).await);
        let me = app.get_as(&access, "/api/v1/me").await;
        assert_eq!(me.body["funds"][0]["id"], fund.as_str());
        assert_eq!(me.body["name"], "Board Member");
    }
);

both_backends!(
    an_invited_donor_joins_its_organisation,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let donor_org = create_org(&app, &admin, "Luxembourg", "government").await;
        let r = app
            .post_as(
                &admin,
                "/api/v1/invitations",
                json!({"email": "desk@lux.example", "role": "donor", "organisation_id": donor_org}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let token = app.email_number("desk@lux.example", 1).await.token();
        let racing = futures_util::future::join_all((0..3).map(|i| {
            app.post(
                "/api/v1/auth/accept-invitation",
                json!({"token": token, "name": format!("Desk {i}"), "password": PASSWORD}),
            )
        }))
        .await;
        assert_eq!(racing.iter().filter(|r| r.status == 201).count(), 1);
        assert_eq!(app.count("users WHERE email = 'desk@lux.example'"), 1);
        let access = access_token(&app.login("desk@lux.example", PASSWORD).await);
        let me = app.get_as(&access, "/api/v1/me").await;
        assert_eq!(me.body["role"], "donor");
        assert_eq!(me.body["organisation"]["id"], donor_org.as_str());
    }
);

both_backends!(
    invitations_are_for_admins_and_must_fit_the_role,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let fund = create_fund(&app, &admin, "TF2").await;
        let org = create_org(&app, &admin, "Donor", "foundation").await;
        let invite = |token: String, body: Value| {
            let app = &app;
            async move { app.post_as(&token, "/api/v1/invitations", body).await }
        };
        for role in ["finance", "trustee", "reviewer", "ngo", "donor"] {
            let token = app.user_token(role, Some(&org));
            invite(token, json!({"email": "x@y.example", "role": "finance"}))
                .await
                .assert_problem(403, "forbidden");
        }
        let cases = [
            (
                json!({"email": "t@y.example", "role": "trustee"}),
                vec!["fund_id"],
            ),
            (
                json!({"email": "n@y.example", "role": "ngo"}),
                vec!["organisation_id"],
            ),
            (
                json!({"email": "f@y.example", "role": "finance", "fund_id": fund}),
                vec!["fund_id"],
            ),
            (
                json!({"email": "bad", "role": "donor", "organisation_id": "nope"}),
                vec!["email", "organisation_id"],
            ),
            (
                json!({"email": "r@y.example", "role": "king"}),
                vec!["role"],
            ),
            (
                json!({"email": "d@y.example", "role": "donor", "organisation_id": uuid::Uuid::new_v4()}),
                vec!["organisation_id"],
            ),
            (
                json!({"email": "t@y.example", "role": "trustee", "fund_id": uuid::Uuid::new_v4()}),
                vec!["fund_id"],
            ),
        ];
        for (body, fields) in cases {
            let r = invite(admin.clone(), body.clone()).await;
            assert_eq!(r.assert_problem(422, "validation_failed"), fields, "{body}");
        }
        app.user_with_password("reviewer", "taken@y.example", PASSWORD, None);
        let r = invite(
            admin.clone(),
            json!({"email": "TAKEN@y.example", "role": "reviewer"}),
        )
        .await;
        assert_eq!(r.assert_problem(409, "duplicate"), ["email"]);
        assert_eq!(app.count("one_time_tokens"), 0);
        assert_eq!(app.count("outbox"), 0);
    }
);

both_backends!(
    a_newer_invitation_replaces_the_older_one,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let body = json!({"email": "expert@y.example", "role": "reviewer"});
        assert_eq!(
            app.post_as(&admin, "/api/v1/invitations", body.clone())
                .await
                .status,
            201
        );
        let first = app.email_number("expert@y.example", 1).await.token();
        assert_eq!(
            app.post_as(&admin, "/api/v1/invitations", body)
                .await
                .status,
            201
        );
        let second = app.email_number("expert@y.example", 2).await.token();
        assert_ne!(first, second);
        let accept = |token: String| {
            app.post(
                "/api/v1/auth/accept-invitation",
                json!({"token": token, "name": "Expert", "password": PASSWORD}),
            )
        };
        accept(first).await.assert_problem(422, "validation_failed");
        assert_eq!(accept(second).await.status, 201);
        // an expired invitation is refused
        let body = json!({"email": "late@y.example", "role": "reviewer"});
        app.post_as(&admin, "/api/v1/invitations", body).await;
        let late = app.email_number("late@y.example", 1).await.token();
        app.execute("UPDATE one_time_tokens SET expires_at = created_at");
        accept(late).await.assert_problem(422, "validation_failed");
    }
);

both_backends!(
    password_reset_reveals_nothing_and_its_token_works_once,
    |app: TestApp| async move {
        let id = app.user_with_password("reviewer", "forgetful@y.example", PASSWORD, None);
        let old_refresh = app.login("forgetful@y.example", PASSWORD).await.body["refresh_token"]
            .as_str()
            .unwrap()
            .to_string();

        let unknown = app
            .post(
                "/api/v1/auth/password-reset",
                json!({"email": "nobody@y.example"}),
            )
            .await;
        let known = app
            .post(
                "/api/v1/auth/password-reset",
                json!({"email": "Forgetful@Y.example"}),
            )
            .await;
        assert_eq!(unknown.status, 202);
        assert_eq!(known.status, 202);
        assert_eq!(unknown.text, known.text, "the same answer either way");
        app.drain_outbox().await;
        assert!(app.emails_to("nobody@y.example").is_empty());
        let token = app.email_number("forgetful@y.example", 1).await.token();

        let weak = app
            .post(
                "/api/v1/auth/password-reset/confirm",
                json!({"token": token, "password": "12345"}),
            )
            .await;
        assert_eq!(weak.assert_problem(422, "validation_failed"), ["password"]);
        let new_password = "violet compass harbour 19";
        let ok = app
            .post(
                "/api/v1/auth/password-reset/confirm",
                json!({"token": token, "password": new_password}),
            )
            .await;
        assert_eq!(ok.status, 204, "{}", ok.text);
        app.post(
            "/api/v1/auth/password-reset/confirm",
            json!({"token": token, "password": "yet another long passphrase"}),
        )
        .await
        .assert_problem(422, "validation_failed");

        app.login("forgetful@y.example", PASSWORD)
            .await
            .assert_problem(401, "unauthorized");
        assert_eq!(
            app.login("forgetful@y.example", new_password).await.status,
            200
        );
        app.post(
            "/api/v1/auth/refresh",
            json!({"refresh_token": old_refresh}),
        )
        .await
        .assert_problem(401, "unauthorized");
        assert_eq!(
            app.count(&format!(
                "audit_events WHERE action = 'reset_password' AND entity_id = '{id}'"
            )),
            1
        );
        let notice = app.email_number("forgetful@y.example", 2).await;
        assert!(notice.decoded.contains("was just changed"));
        app.post(
            "/api/v1/auth/password-reset",
            json!({"email": "not an email"}),
        )
        .await
        .assert_problem(422, "validation_failed");
    }
);

both_backends!(
    reset_tokens_expire_are_replaced_and_capped,
    |app: TestApp| async move {
        app.user_with_password("donor", "capped@y.example", PASSWORD, None);
        let ask = || {
            app.post(
                "/api/v1/auth/password-reset",
                json!({"email": "capped@y.example"}),
            )
        };
        assert_eq!(ask().await.status, 202);
        let first = app.email_number("capped@y.example", 1).await.token();
        assert_eq!(ask().await.status, 202);
        let second = app.email_number("capped@y.example", 2).await.token();
        let confirm = |token: String| {
            app.post(
                "/api/v1/auth/password-reset/confirm",
                json!({"token": token, "password": "violet compass harbour 19"}),
            )
        };
        // the newer link replaces the older one
        confirm(first)
            .await
            .assert_problem(422, "validation_failed");
        // three emails an hour at most: the fourth request answers the same, sends nothing
        assert_eq!(ask().await.status, 202);
        assert_eq!(ask().await.status, 202);
        app.drain_outbox().await;
        assert_eq!(app.emails_to("capped@y.example").len(), 3);
        // an expired link is refused
        app.execute("UPDATE one_time_tokens SET expires_at = created_at");
        confirm(second)
            .await
            .assert_problem(422, "validation_failed");
        assert_eq!(app.login("capped@y.example", PASSWORD).await.status, 200);
    }
);

async fn demo_accounts_sign_in_with_their_roles(backend: common::Backend) {
    let Some(app) = common::spawn_app_full(backend, true, |_| {}).await else {
        eprintln!("skipped: {} is not set", common::PG_ENV);
        return;
    };
    let accounts = trustfund::demo::DEMO_ACCOUNTS;
    // the accounts, and the member of the organisation waiting in the verification queue
    assert_eq!(app.count("users"), accounts.len() as i64 + 1);
    assert_eq!(
        app.count("users WHERE email = 'sokha@mekong-journeys.example' AND email_verified"),
        1
    );
    assert_eq!(app.count("organisations WHERE NOT verified"), 1);
    for account in accounts {
        let access = access_token(&app.login(account.email, account.password).await);
        let me = app.get_as(&access, "/api/v1/me").await;
        assert_eq!(me.body["role"], account.role.as_str(), "{}", account.email);
        match account.role.as_str() {
            "trustee" => assert_eq!(me.body["funds"][0]["code"], "UNVTF"),
            "ngo" => assert_eq!(
                me.body["organisation"]["name"],
                account.grantee.unwrap_or("Hope Shelter Network (demo)")
            ),
            "donor" | "registry" => assert_eq!(me.body["organisation"]["name"], "Luxembourg"),
            _ => assert!(me.body["organisation"].is_null()),
        }
    }
    // loading the demo again adds nothing (the demo's applicants are NGOs too)
    let ngos = app.count("organisations WHERE kind = 'ngo'");
    let again = trustfund::Application::build(app.settings.clone(), true).expect("second start");
    assert_eq!(again.demo_accounts().len(), accounts.len());
    assert_eq!(app.count("users"), accounts.len() as i64 + 1);
    assert_eq!(app.count("organisations WHERE kind = 'ngo'"), ngos);
    assert_eq!(
        app.count("organisations WHERE name = 'Hope Shelter Network (demo)'"),
        1
    );
}

mod demo_accounts_sign_in_with_their_roles {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::demo_accounts_sign_in_with_their_roles(super::common::Backend::Sqlite).await
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::demo_accounts_sign_in_with_their_roles(super::common::Backend::Postgres).await
    }
}

#[test]
fn production_refuses_the_demo() {
    let dir = tempfile::tempdir().expect("dir");
    let mut settings = common::test_settings(
        dir.path(),
        format!("sqlite://{}", dir.path().join("prod.db").display()),
    );
    settings.environment = trustfund::config::RunEnvironment::Production;
    settings.auth.jwt_secret = "0123456789abcdef0123456789abcdef-production".into();
    let Err(err) = trustfund::Application::build(settings, true) else {
        panic!("--demo must be refused in production")
    };
    assert!(err.to_string().contains("production"), "{err}");
    assert!(
        !dir.path().join("prod.db").exists(),
        "refused before touching the database"
    );
}

both_backends!(
    an_email_goes_out_in_the_language_its_recipient_chose,
    |app: TestApp| async move {
        let french = app.user_with_password("ngo", "lectrice@y.example", PASSWORD, None);
        let spanish = app.user_with_password("ngo", "lectora@y.example", PASSWORD, None);
        app.user_with_password("ngo", "reader@y.example", PASSWORD, None);
        {
            let mut conn = app.pool.get().expect("connection");
            trustfund::auth::store::set_language(&mut conn, &french, "fr").expect("fr");
            trustfund::auth::store::set_language(&mut conn, &spanish, "es").expect("es");
        }
        // the address as typed, not as stored: the recipient is still found
        for email in [
            "Lectrice@Y.example",
            "lectora@y.example",
            "reader@y.example",
        ] {
            let r = app
                .post("/api/v1/auth/password-reset", json!({"email": email}))
                .await;
            assert_eq!(r.status, 202, "{}", r.text);
        }
        app.drain_outbox().await;
        for (address, locale) in [
            ("lectrice@y.example", "fr"),
            ("lectora@y.example", "es"),
            ("reader@y.example", "en"),
        ] {
            assert_eq!(
                app.count(&format!(
                    "outbox WHERE to_address = '{address}' AND template = 'password_reset' \
                     AND locale = '{locale}'"
                )),
                1,
                "{address} in {locale}"
            );
        }
        let french_mail = app.email_number("lectrice@y.example", 1).await;
        assert!(
            french_mail
                .decoded
                .contains("Choisir un nouveau mot de passe"),
            "{}",
            french_mail.decoded
        );
        let spanish_mail = app.email_number("lectora@y.example", 1).await;
        assert!(
            spanish_mail.decoded.contains("Elegir una nueva contrase"),
            "{}",
            spanish_mail.decoded
        );
        let english_mail = app.email_number("reader@y.example", 1).await;
        assert!(english_mail.decoded.contains("Choose a new password"));

        // the link in the French email is the same working link, and the notice that
        // follows is French too
        let token = french_mail.token();
        let ok = app
            .post(
                "/api/v1/auth/password-reset/confirm",
                json!({"token": token, "password": "violet compass harbour 19"}),
            )
            .await;
        assert_eq!(ok.status, 204, "{}", ok.text);
        let notice = app.email_number("lectrice@y.example", 2).await;
        assert!(notice.decoded.contains("vient d"), "{}", notice.decoded);
        assert_eq!(
            app.count(
                "outbox WHERE to_address = 'lectrice@y.example' \
                 AND template = 'password_changed' AND locale = 'fr'"
            ),
            1
        );
        // a deactivated account's choice no longer counts
        app.execute("UPDATE users SET active = false WHERE email = 'lectora@y.example'");
        {
            let mut conn = app.pool.get().expect("connection");
            let locale =
                trustfund::notify::recipient_locale(&mut conn, "lectora@y.example").expect("query");
            assert_eq!(locale, None);
        }
    }
);
