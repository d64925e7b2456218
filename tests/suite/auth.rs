//! Sign-in and the access policy over HTTP: token attacks, login, role and organisation
//! scoping, and a sweep of the route table proving no non-public route answers without a token.

use crate::common;

use common::TestApp;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::Method;
use serde_json::{Value, json};

fn claims(app: &TestApp, sub: &str, shift_exp: i64, shift_nbf: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": app.settings.auth.issuer, "aud": app.settings.auth.audience, "sub": sub,
        "exp": now + shift_exp, "nbf": now + shift_nbf, "iat": now, "jti": "t", "typ": "access"
    })
}

fn sign(app: &TestApp, claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(app.settings.auth.jwt_secret.as_bytes()),
    )
    .expect("signed")
}

fn user_id_of(app: &TestApp, token: &str) -> String {
    trustfund::auth::tokens::verify_access(&app.settings.auth, token).expect("valid")
}

both_backends!(
    forged_and_expired_tokens_are_refused,
    |app: TestApp| async move {
        let good = app.user_token("admin", None);
        assert_eq!(app.get_as(&good, "/api/v1/me").await.status, 200);
        let sub = user_id_of(&app, &good);

        let none_alg = {
            use base64::Engine;
            let b64 =
                |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "typ": "JWT"})),
                b64(&claims(&app, &sub, 600, 0))
            )
        };
        let wrong_signature = {
            let mut parts: Vec<String> = good.split('.').map(str::to_string).collect();
            parts[2] = parts[2].chars().rev().collect();
            parts.join(".")
        };
        let other_algorithm = encode(
            &Header::new(Algorithm::HS512),
            &claims(&app, &sub, 600, 0),
            &EncodingKey::from_secret(app.settings.auth.jwt_secret.as_bytes()),
        )
        .expect("signed");
        let expired = sign(&app, &claims(&app, &sub, -600, -1200));
        let not_yet_valid = sign(&app, &claims(&app, &sub, 1200, 600));
        let mut wrong_aud = claims(&app, &sub, 600, 0);
        wrong_aud["aud"] = json!("another-api");
        let mut wrong_iss = claims(&app, &sub, 600, 0);
        wrong_iss["iss"] = json!("someone-else");
        let mut refresh_typed = claims(&app, &sub, 600, 0);
        refresh_typed["typ"] = json!("refresh");
        let other_key = encode(
            &Header::new(Algorithm::HS256),
            &claims(&app, &sub, 600, 0),
            &EncodingKey::from_secret(b"not the key of this service at all"),
        )
        .expect("signed");

        let attacks = [
            ("alg none", none_alg),
            ("wrong signature", wrong_signature),
            ("HS512", other_algorithm),
            ("expired", expired),
            ("not yet valid", not_yet_valid),
            ("wrong audience", sign(&app, &wrong_aud)),
            ("wrong issuer", sign(&app, &wrong_iss)),
            ("not an access token", sign(&app, &refresh_typed)),
            ("another key", other_key),
            ("garbage", "not-a-jwt".to_string()),
        ];
        for (name, token) in attacks {
            let r = app.get_as(&token, "/api/v1/me").await;
            r.assert_problem(401, "unauthorized");
            assert!(
                r.header("www-authenticate")
                    .is_some_and(|v| v.starts_with("Bearer")),
                "{name}"
            );
        }
        let r = app
            .request(
                Method::GET,
                "/api/v1/me",
                None,
                &[("authorization", "Basic YTpi")],
            )
            .await;
        r.assert_problem(401, "unauthorized");
    }
);

both_backends!(
    a_token_of_a_deleted_or_deactivated_user_stops_working,
    |app: TestApp| async move {
        // The service keeps the user behind a token in memory while nothing changes; a
        // change made in SQL behind its back (no `write_transaction`, no notice from the
        // test) shows within a millisecond on SQLite (`data_version`) and as soon as
        // PostgreSQL delivers the notification its trigger sends: waited for here.
        let behind_its_back = || tokio::time::sleep(std::time::Duration::from_millis(100));
        let token = app.user_token("finance", None);
        for _ in 0..2 {
            assert_eq!(app.get_as(&token, "/api/v1/me").await.status, 200);
        }
        let id = user_id_of(&app, &token);
        {
            use diesel::RunQueryDsl;
            let mut conn = app.pool.get().expect("connection");
            diesel::sql_query(format!("UPDATE users SET active = FALSE WHERE id = '{id}'"))
                .execute(&mut *conn)
                .expect("deactivate");
        }
        behind_its_back().await;
        app.get_as(&token, "/api/v1/me")
            .await
            .assert_problem(401, "unauthorized");
        let token = app.user_token("finance", None);
        assert_eq!(app.get_as(&token, "/api/v1/funds").await.status, 200);
        let id = user_id_of(&app, &token);
        {
            use diesel::RunQueryDsl;
            let mut conn = app.pool.get().expect("connection");
            diesel::sql_query(format!("DELETE FROM users WHERE id = '{id}'"))
                .execute(&mut *conn)
                .expect("delete");
        }
        behind_its_back().await;
        app.get_as(&token, "/api/v1/funds")
            .await
            .assert_problem(401, "unauthorized");
    }
);

both_backends!(
    login_answers_the_same_for_unknown_emails_and_wrong_passwords,
    |app: TestApp| async move {
        trustfund::auth::create_admin(
            &app.pool,
            "Secretariat@Example.org",
            "Secretariat",
            "lantern river shelter 42",
        )
        .expect("admin");
        let ok = app
            .post(
                "/api/v1/auth/login",
                json!({"email": "secretariat@example.ORG", "password": "lantern river shelter 42"}),
            )
            .await;
        assert_eq!(ok.status, 200, "{}", ok.text);
        assert_eq!(ok.body["token_type"], "Bearer");
        assert_eq!(ok.body["expires_in"], 900);
        assert!(
            ok.body["refresh_token"]
                .as_str()
                .is_some_and(|t| t.len() >= 40)
        );
        let access = ok.body["access_token"]
            .as_str()
            .expect("access token")
            .to_string();
        let me = app.get_as(&access, "/api/v1/me").await;
        assert_eq!(me.body["role"], "admin");
        assert_eq!(me.body["email"], "secretariat@example.org");

        let wrong = app
            .post(
                "/api/v1/auth/login",
                json!({"email": "secretariat@example.org", "password": "not the password!"}),
            )
            .await;
        let unknown = app
            .post(
                "/api/v1/auth/login",
                json!({"email": "nobody@example.org", "password": "not the password!"}),
            )
            .await;
        wrong.assert_problem(401, "unauthorized");
        unknown.assert_problem(401, "unauthorized");
        assert_eq!(
            wrong.body["detail"], unknown.body["detail"],
            "no user enumeration"
        );
        // refresh tokens are stored hashed, never in clear
        let refresh = ok.body["refresh_token"].as_str().expect("refresh");
        let mut conn = app.pool.get().expect("connection");
        #[derive(diesel::QueryableByName)]
        struct Hash {
            #[diesel(sql_type = diesel::sql_types::Text)]
            token_hash: String,
        }
        use diesel::RunQueryDsl;
        let hashes: Vec<Hash> = diesel::sql_query("SELECT token_hash FROM refresh_tokens")
            .load(&mut *conn)
            .expect("hashes");
        assert_eq!(hashes.len(), 1);
        assert_ne!(hashes[0].token_hash, refresh);
    }
);

both_backends!(
    roles_are_enforced_and_other_organisations_are_invisible,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let org = |name: &str| json!({"name": name, "kind": "ngo", "country": "NG"});
        let mine = app
            .post_as(&admin, "/api/v1/organisations", org("Mine"))
            .await
            .body["id"]
            .as_str()
            .unwrap()
            .to_string();
        let theirs = app
            .post_as(&admin, "/api/v1/organisations", org("Theirs"))
            .await
            .body["id"]
            .as_str()
            .unwrap()
            .to_string();
        let ngo = app.user_token("ngo", Some(&mine));

        // the ngo role may not create funds or organisations, nor read the audit trail
        let fund =
            json!({"code": "NOPE", "name": "n", "support_cost_rate": "0.1", "board_quorum": 1});
        app.post_as(&ngo, "/api/v1/funds", fund)
            .await
            .assert_problem(403, "forbidden");
        app.post_as(&ngo, "/api/v1/organisations", org("X"))
            .await
            .assert_problem(403, "forbidden");
        app.get_as(&ngo, "/api/v1/audit-events")
            .await
            .assert_problem(403, "forbidden");
        // it sees its own organisation only; another one is not found, not forbidden
        let list = app.get_as(&ngo, "/api/v1/organisations").await;
        let ids: Vec<&str> = list.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, vec![mine.as_str()]);
        assert_eq!(
            app.get_as(&ngo, &format!("/api/v1/organisations/{mine}"))
                .await
                .status,
            200
        );
        app.get_as(&ngo, &format!("/api/v1/organisations/{theirs}"))
            .await
            .assert_problem(404, "not_found");
        // the audit trail names who made a change
        let trail = app
            .get_as(
                &admin,
                &format!("/api/v1/audit-events?entity=organisation&entity_id={theirs}"),
            )
            .await;
        assert_eq!(trail.body["items"][0]["actor_id"], user_id_of(&app, &admin));
    }
);

both_backends!(
    every_non_public_route_refuses_a_request_without_a_token,
    |app: TestApp| async move {
        let mut checked = 0;
        for endpoint in trustfund::app::endpoints() {
            if endpoint.access == trustfund::app::Access::Public {
                continue;
            }
            let path = endpoint
                .path
                .replace("{id}", &uuid::Uuid::new_v4().to_string());
            let path = regex_free_fill(&path);
            let method = Method::from_bytes(endpoint.method.as_str().as_bytes()).expect("method");
            let body = if method == Method::GET {
                None
            } else {
                Some(json!({}))
            };
            let r = app.request(method, &path, body, &[]).await;
            assert_eq!(
                r.status, 401,
                "{} {} answered {} without a token: {}",
                endpoint.method, endpoint.path, r.status, r.text
            );
            checked += 1;
        }
        assert!(checked >= 8, "the route table lists the signed-in routes");
    }
);

/// Replaces any remaining `{param}` with a UUID.
fn regex_free_fill(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find('}')
            .map(|e| start + e + 1)
            .unwrap_or(rest.len());
        out.push_str(&uuid::Uuid::new_v4().to_string());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn production_refuses_the_default_signing_key() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("prod.toml");
    std::fs::write(&path, "environment = \"production\"\n").expect("write");
    let err = trustfund::config::Settings::load(Some(&path)).expect_err("refused");
    assert!(err.to_string().contains("jwt_secret"), "{err}");
    std::fs::write(&path, "environment = \"production\"\n[auth]\njwt_secret = \"0123456789abcdef0123456789abcdef-prod\"\n").expect("write");
    assert!(trustfund::config::Settings::load(Some(&path)).is_ok());
}
