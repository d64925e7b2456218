//! Sessions over HTTP: refresh-token rotation and reuse detection, logout, and password
//! change, on both backends.

use crate::common;

use common::{Reply, TestApp};
use reqwest::Method;
use serde_json::json;

const PASSWORD: &str = "lantern river shelter 42";

fn tokens(reply: &Reply) -> (String, String) {
    assert_eq!(reply.status, 200, "{}", reply.text);
    (
        reply.body["access_token"]
            .as_str()
            .expect("access token")
            .to_string(),
        reply.body["refresh_token"]
            .as_str()
            .expect("refresh token")
            .to_string(),
    )
}

async fn refresh(app: &TestApp, refresh_token: &str) -> Reply {
    app.request(
        Method::POST,
        "/api/v1/auth/refresh",
        Some(json!({"refresh_token": refresh_token})),
        &[],
    )
    .await
}

async fn signed_in(app: &TestApp, email: &str) -> (String, String) {
    tokens(&app.login(email, PASSWORD).await)
}

both_backends!(
    refresh_rotates_and_a_reused_token_revokes_its_whole_sign_in,
    |app: TestApp| async move {
        app.user_with_password("finance", "rotate@example.org", PASSWORD, None);
        let (_, r1) = signed_in(&app, "rotate@example.org").await;
        let (_, other_session) = signed_in(&app, "rotate@example.org").await;

        let second = refresh(&app, &r1).await;
        let (access2, r2) = tokens(&second);
        assert_ne!(r1, r2);
        assert_eq!(second.body["token_type"], "Bearer");
        assert_eq!(second.header("cache-control").as_deref(), Some("no-store"));
        assert_eq!(app.get_as(&access2, "/api/v1/me").await.status, 200);

        // the rotated token is presented again: refused, and its whole family revoked
        refresh(&app, &r1).await.assert_problem(401, "unauthorized");
        refresh(&app, &r2).await.assert_problem(401, "unauthorized");
        // another sign-in of the same user is a different family and keeps working
        let (_, other2) = tokens(&refresh(&app, &other_session).await);
        assert_ne!(other2, other_session);
        // the revocation is in the audit trail
        assert_eq!(
            app.count("audit_events WHERE action = 'revoke_reused_refresh_token'"),
            1
        );
    }
);

both_backends!(
    racing_refreshes_of_one_token_yield_one_pair_and_then_revoke_it,
    |app: TestApp| async move {
        app.user_with_password("finance", "race@example.org", PASSWORD, None);
        let (_, r1) = signed_in(&app, "race@example.org").await;
        let replies = futures_util::future::join_all((0..6).map(|_| refresh(&app, &r1))).await;
        let winners: Vec<&Reply> = replies.iter().filter(|r| r.status == 200).collect();
        assert_eq!(
            winners.len(),
            1,
            "{:?}",
            replies.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        for loser in replies.iter().filter(|r| r.status != 200) {
            loser.assert_problem(401, "unauthorized");
        }
        // the losers were reuses: the winner's new refresh token is revoked with its family
        let (_, won) = tokens(winners[0]);
        refresh(&app, &won)
            .await
            .assert_problem(401, "unauthorized");
    }
);

both_backends!(
    refresh_refuses_unknown_expired_and_misused_tokens,
    |app: TestApp| async move {
        let id = app.user_with_password("reviewer", "misuse@example.org", PASSWORD, None);
        let (access, r1) = signed_in(&app, "misuse@example.org").await;
        // an access token is not a refresh token, and a refresh token is not a bearer token
        refresh(&app, &access)
            .await
            .assert_problem(401, "unauthorized");
        app.get_as(&r1, "/api/v1/me")
            .await
            .assert_problem(401, "unauthorized");
        refresh(&app, "made-up")
            .await
            .assert_problem(401, "unauthorized");
        // malformed bodies are 4xx, never 500
        app.post("/api/v1/auth/refresh", json!({}))
            .await
            .assert_problem(422, "validation_failed");
        app.post("/api/v1/auth/refresh", json!({"refresh_token": 12}))
            .await
            .assert_problem(422, "validation_failed");
        // an expired refresh token
        app.execute("UPDATE refresh_tokens SET expires_at = issued_at");
        refresh(&app, &r1).await.assert_problem(401, "unauthorized");
        // a deactivated user's refresh token
        let (_, r2) = signed_in(&app, "misuse@example.org").await;
        app.execute(&format!(
            "UPDATE users SET active = FALSE WHERE id = '{id}'"
        ));
        refresh(&app, &r2).await.assert_problem(401, "unauthorized");
    }
);

both_backends!(
    logout_revokes_the_sign_in_and_only_the_callers,
    |app: TestApp| async move {
        app.user_with_password("trustee", "leaving@example.org", PASSWORD, None);
        app.user_with_password("trustee", "staying@example.org", PASSWORD, None);
        let (access, r1) = signed_in(&app, "leaving@example.org").await;
        let (_, kept) = signed_in(&app, "leaving@example.org").await;
        let (other_access, other_refresh) = signed_in(&app, "staying@example.org").await;

        // without a bearer token, logout is refused
        app.post("/api/v1/auth/logout", json!({"refresh_token": r1}))
            .await
            .assert_problem(401, "unauthorized");
        // someone else's refresh token is not revoked by my logout
        let r = app
            .post_as(
                &access,
                "/api/v1/auth/logout",
                json!({"refresh_token": other_refresh}),
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
        let (_, other_refresh) = tokens(&refresh(&app, &other_refresh).await);

        let r = app
            .post_as(&access, "/api/v1/auth/logout", json!({"refresh_token": r1}))
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
        refresh(&app, &r1).await.assert_problem(401, "unauthorized");
        // the other session of the same user lives on…
        let (_, kept) = tokens(&refresh(&app, &kept).await);
        // …until "everywhere"
        let r = app
            .post_as(
                &access,
                "/api/v1/auth/logout",
                json!({"refresh_token": kept, "everywhere": true}),
            )
            .await;
        assert_eq!(r.status, 204);
        refresh(&app, &kept)
            .await
            .assert_problem(401, "unauthorized");
        // a second logout of the same token is harmless
        let again = app
            .post_as(&access, "/api/v1/auth/logout", json!({"refresh_token": r1}))
            .await;
        assert_eq!(again.status, 204);
        let unknown_field = app
            .post_as(
                &other_access,
                "/api/v1/auth/logout",
                json!({"refresh_token": other_refresh, "all": true}),
            )
            .await;
        unknown_field.assert_problem(422, "validation_failed");
    }
);

both_backends!(
    changing_the_password_revokes_every_refresh_token,
    |app: TestApp| async move {
        app.user_with_password("donor", "changer@example.org", PASSWORD, None);
        let (access, r1) = signed_in(&app, "changer@example.org").await;
        let (_, r2) = signed_in(&app, "changer@example.org").await;
        let change =
            |current: &str, new: &str| json!({"current_password": current, "new_password": new});
        let new_password = "quiet harbour morning 77";

        app.post("/api/v1/auth/password", change(PASSWORD, new_password))
            .await
            .assert_problem(401, "unauthorized");
        let wrong = app
            .post_as(
                &access,
                "/api/v1/auth/password",
                change("not my password at all", new_password),
            )
            .await;
        assert_eq!(
            wrong.assert_problem(422, "validation_failed"),
            ["current_password"]
        );
        for weak in ["short", "password1234", "changer-forever-2026"] {
            let r = app
                .post_as(&access, "/api/v1/auth/password", change(PASSWORD, weak))
                .await;
            assert_eq!(
                r.assert_problem(422, "validation_failed"),
                ["new_password"],
                "{weak}"
            );
        }
        app.post_as(&access, "/api/v1/auth/password", change(PASSWORD, PASSWORD))
            .await
            .assert_problem(422, "validation_failed");
        // nothing changed so far
        assert_eq!(app.login("changer@example.org", PASSWORD).await.status, 200);

        let ok = app
            .post_as(
                &access,
                "/api/v1/auth/password",
                change(PASSWORD, new_password),
            )
            .await;
        let (_, fresh) = tokens(&ok);
        for old in [&r1, &r2] {
            refresh(&app, old).await.assert_problem(401, "unauthorized");
        }
        assert_eq!(refresh(&app, &fresh).await.status, 200);
        app.login("changer@example.org", PASSWORD)
            .await
            .assert_problem(401, "unauthorized");
        assert_eq!(
            app.login("changer@example.org", new_password).await.status,
            200
        );
        let mail = app.email_number("changer@example.org", 1).await;
        assert!(
            mail.decoded
                .contains("password of your trust fund account was just changed")
        );
        assert_eq!(
            app.count("audit_events WHERE action = 'change_password'"),
            1
        );
    }
);
