//! Login throttling over HTTP, on both backends. Client addresses are simulated with
//! `X-Forwarded-For`, which the service believes only when `server.trust_forwarded_for` is
//! set (behind a proxy). Time is moved by ageing the stored attempts, never by sleeping.

use crate::common;

use common::TestApp;
use serde_json::json;
use trustfund::config::Settings;

const PASSWORD: &str = "lantern river shelter 42";
const WRONG: &str = "not the password at all";

fn behind_proxy(settings: &mut Settings) {
    settings.server.trust_forwarded_for = true;
}

fn retry_after(reply: &common::Reply) -> u64 {
    reply.assert_problem(429, "rate_limited");
    reply
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("429 without a numeric Retry-After: {:?}", reply.headers))
}

/// Moves every stored attempt `seconds` into the past.
fn age_attempts(app: &TestApp, seconds: i64) {
    let shift = match app.backend {
        common::Backend::Sqlite => {
            format!("strftime('%Y-%m-%d %H:%M:%f', attempted_at, '-{seconds} seconds')")
        }
        common::Backend::Postgres => format!("attempted_at - interval '{seconds} seconds'"),
    };
    app.execute(&format!("UPDATE login_attempts SET attempted_at = {shift}"));
}

both_backends_with!(
    five_failures_lock_the_account_from_that_address_but_not_the_user_elsewhere,
    behind_proxy,
    |app: TestApp| async move {
        app.user_with_password("finance", "target@fund.example", PASSWORD, None);
        // the real user signs in from home, which makes home a known address
        assert_eq!(
            app.login_from("10.0.0.9", "target@fund.example", PASSWORD)
                .await
                .status,
            200
        );
        for _ in 0..5 {
            app.login_from("10.6.6.6", "target@fund.example", WRONG)
                .await
                .assert_problem(401, "unauthorized");
        }
        // the attacker's address is refused even with the right password
        let locked = app
            .login_from("10.6.6.6", "target@fund.example", PASSWORD)
            .await;
        let wait = retry_after(&locked);
        assert!((1..=900).contains(&wait), "{wait}");
        // the user at home is not slowed at all
        assert_eq!(
            app.login_from("10.0.0.9", "target@fund.example", PASSWORD)
                .await
                .status,
            200
        );
        // a new, unknown address is slowed (one try a minute), not locked for the window
        let slowed = app
            .login_from("10.7.7.7", "target@fund.example", PASSWORD)
            .await;
        assert!(retry_after(&slowed) <= 60);
        // and the attacker's address has had its five failures, whatever account it tries
        app.user_with_password("finance", "other@fund.example", PASSWORD, None);
        let r = app
            .login_from("10.6.6.6", "other@fund.example", PASSWORD)
            .await;
        retry_after(&r);
    }
);

both_backends_with!(
    the_lock_ends_when_the_failures_leave_the_window,
    behind_proxy,
    |app: TestApp| async move {
        app.user_with_password("trustee", "patient@fund.example", PASSWORD, None);
        for _ in 0..5 {
            app.login_from("10.1.1.1", "patient@fund.example", WRONG)
                .await
                .assert_problem(401, "unauthorized");
        }
        let wait = retry_after(
            &app.login_from("10.1.1.1", "patient@fund.example", PASSWORD)
                .await,
        );
        // the refused attempt was not recorded, so it did not extend the lock
        assert_eq!(app.count("login_attempts"), 5);
        age_attempts(&app, wait as i64 + 1);
        assert_eq!(
            app.login_from("10.1.1.1", "patient@fund.example", PASSWORD)
                .await
                .status,
            200
        );
    }
);

both_backends_with!(
    failures_from_one_address_across_accounts_lock_the_address,
    behind_proxy,
    |app: TestApp| async move {
        app.user_with_password("reviewer", "real@fund.example", PASSWORD, None);
        for i in 0..5 {
            // unknown accounts count like known ones
            app.login_from("10.2.2.2", &format!("guess{i}@fund.example"), WRONG)
                .await
                .assert_problem(401, "unauthorized");
        }
        retry_after(
            &app.login_from("10.2.2.2", "real@fund.example", PASSWORD)
                .await,
        );
        assert_eq!(
            app.login_from("10.3.3.3", "real@fund.example", PASSWORD)
                .await
                .status,
            200
        );
    }
);

both_backends_with!(
    failures_spread_over_addresses_only_slow_the_account,
    behind_proxy,
    |app: TestApp| async move {
        app.user_with_password("donor", "spread@fund.example", PASSWORD, None);
        for i in 0..5 {
            app.login_from(&format!("10.4.0.{i}"), "spread@fund.example", WRONG)
                .await
                .assert_problem(401, "unauthorized");
        }
        let slowed = app
            .login_from("10.4.1.1", "spread@fund.example", PASSWORD)
            .await;
        let wait = retry_after(&slowed);
        assert!(wait <= 60, "{wait}");
        age_attempts(&app, 61);
        // a minute later one try goes through (and the right password signs in)
        assert_eq!(
            app.login_from("10.4.1.1", "spread@fund.example", PASSWORD)
                .await
                .status,
            200
        );
    }
);

both_backends_with!(
    parallel_guesses_count_as_much_as_sequential_ones,
    behind_proxy,
    |app: TestApp| async move {
        app.user_with_password("admin", "parallel@fund.example", PASSWORD, None);
        let replies = futures_util::future::join_all(
            (0..12).map(|_| app.login_from("10.5.5.5", "parallel@fund.example", WRONG)),
        )
        .await;
        let guessed = replies.iter().filter(|r| r.status == 401).count();
        let refused = replies.iter().filter(|r| r.status == 429).count();
        assert_eq!(
            guessed,
            5,
            "{:?}",
            replies.iter().map(|r| r.status).collect::<Vec<_>>()
        );
        assert_eq!(refused, 7);
    }
);

both_backends!(
    a_forged_forwarded_for_is_ignored_unless_a_proxy_is_trusted,
    |app: TestApp| async move {
        app.user_with_password("finance", "forged@fund.example", PASSWORD, None);
        for i in 0..5 {
            app.login_from(&format!("10.9.9.{i}"), "forged@fund.example", WRONG)
                .await
                .assert_problem(401, "unauthorized");
        }
        // every attempt came from the same peer, whatever the header claimed
        retry_after(
            &app.login_from("10.9.9.200", "forged@fund.example", PASSWORD)
                .await,
        );
    }
);

both_backends_with!(
    a_password_reset_lifts_the_lock_for_its_owner,
    behind_proxy,
    |app: TestApp| async move {
        app.user_with_password("ngo", "forgot@ngo.example", PASSWORD, None);
        for _ in 0..5 {
            app.login_from("10.8.8.8", "forgot@ngo.example", WRONG)
                .await;
        }
        retry_after(
            &app.login_from("10.8.8.8", "forgot@ngo.example", PASSWORD)
                .await,
        );
        let r = app
            .post(
                "/api/v1/auth/password-reset",
                json!({"email": "forgot@ngo.example"}),
            )
            .await;
        assert_eq!(r.status, 202);
        let token = app.email_number("forgot@ngo.example", 1).await.token();
        let new_password = "violet compass harbour 19";
        let r = app
            .request(
                reqwest::Method::POST,
                "/api/v1/auth/password-reset/confirm",
                Some(json!({"token": token, "password": new_password})),
                &[("x-forwarded-for", "10.8.8.8")],
            )
            .await;
        assert_eq!(r.status, 204, "{}", r.text);
        // the owner proved control of the account: the pair starts afresh
        assert_eq!(
            app.login_from("10.8.8.8", "forgot@ngo.example", new_password)
                .await
                .status,
            200
        );
    }
);

both_backends_with!(
    repeated_duplicate_registrations_from_one_address_are_throttled,
    behind_proxy,
    |app: TestApp| async move {
        app.user_with_password("ngo", "exists@ngo.example", PASSWORD, None);
        let register = |email: String| {
            let app = &app;
            async move {
                app.request(
                    reqwest::Method::POST,
                    "/api/v1/auth/register",
                    Some(json!({
                        "organisation": {"name": "Probe", "country": "NG", "kind": "ngo"},
                        "user": {"email": email, "name": "Probe", "password": PASSWORD}
                    })),
                    &[("x-forwarded-for", "10.10.0.1")],
                )
                .await
            }
        };
        for _ in 0..5 {
            register("exists@ngo.example".into())
                .await
                .assert_problem(409, "duplicate");
        }
        retry_after(&register("fresh@ngo.example".into()).await);
        assert_eq!(app.count("users"), 1);
    }
);
