//! The secretariat's people pages and the session form of the board page, as a browser
//! uses them: everyone with an account listed by name, filtered by role and searched, a
//! page at a time; an invitation sent from the page in Spanish is written in Spanish and the
//! account made from it keeps Spanish; the API's invitation takes a language too and names
//! a wrong one; refused fields are said beside them with what was typed kept; a form posted
//! twice sends one invitation and holds one session; a session is held only with the fund's
//! quorum; other roles get the not-allowed page.

use serde_json::json;

use crate::common::TestApp;
use crate::common::browser::{Answer, Browser};
use crate::common::world::World;

const PASSWORD: &str = "lantern river shelter 42";

/// The page as a reader sees it (minijinja writes `/` and `'` as entities).
fn plain(answer: &Answer) -> String {
    answer.text.replace("&#x2f;", "/").replace("&#x27;", "'")
}

/// An account named `name` (no usable password), its id.
fn person(
    app: &TestApp,
    name: &str,
    email: &str,
    role: &str,
    organisation: Option<&str>,
) -> String {
    let mut conn = app.pool.get().expect("connection");
    trustfund::auth::store::insert(
        &mut conn,
        trustfund::auth::store::NewUser {
            email,
            display_name: name,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$dGVzdHNhbHR0ZXN0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            role: trustfund::auth::Role::from_db(role).expect("role"),
            organisation_id: organisation,
            email_verified: true,
        },
    )
    .expect("insert user")
    .id
}

/// A browser signed in as a secretariat member (second factor included).
async fn secretariat(app: &TestApp, language: &'static str) -> Browser {
    app.user_with_password("admin", "desk@fund.example", PASSWORD, None);
    let mut browser = Browser::speaking(app, language);
    let signed = browser.sign_in("desk@fund.example", PASSWORD).await;
    assert_eq!(signed.status, 303, "{}", signed.text);
    browser
}

async fn organisation(app: &TestApp, admin: &str, name: &str, kind: &str) -> String {
    let r = app
        .post_as(
            admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": kind, "country": "NG"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

fn language_of(app: &TestApp, email: &str) -> Option<&'static str> {
    let mut conn = app.pool.get().expect("connection");
    trustfund::notify::recipient_locale(&mut conn, email).expect("language")
}

fn position(page: &str, text: &str) -> usize {
    page.find(text)
        .unwrap_or_else(|| panic!("{text} is not on the page:\n{page}"))
}

both_backends!(
    the_secretariat_lists_everyone_by_name_and_filters_them,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let haven = organisation(&app, &admin, "Haven Shelter", "ngo").await;
        let fund = World::new(&app)
            .fund_with(json!({"name": "Lagos Fund"}))
            .await
            .fund_id()
            .to_string();
        person(
            &app,
            "Beatriz Okafor",
            "beatriz@review.example",
            "reviewer",
            None,
        );
        person(
            &app,
            "amara Diallo",
            "amara@haven.example",
            "ngo",
            Some(&haven),
        );
        let carlos = person(
            &app,
            "Carlos Mendes",
            "carlos@board.example",
            "trustee",
            None,
        );
        {
            let mut conn = app.pool.get().expect("connection");
            trustfund::auth::store::add_fund(&mut conn, &carlos, &fund).expect("fund");
            trustfund::auth::store::set_language(&mut conn, &carlos, "fr").expect("language");
        }
        person(&app, "Dinah Finance", "dinah@fund.example", "finance", None);
        app.execute("UPDATE users SET active = false WHERE email = 'dinah@fund.example'");
        let mut desk = secretariat(&app, "en").await;

        let page = desk.get("/users").await;
        assert_eq!(page.status, 200, "{}", page.text);
        let text = plain(&page);
        // by name whatever the letter case, each with what the secretariat needs to know
        let order: Vec<usize> = [
            "amara Diallo",
            "Beatriz Okafor",
            "Carlos Mendes",
            "Dinah Finance",
            "Test user",
        ]
        .iter()
        .map(|n| position(&text, &format!("<th scope=\"row\" class=\"text\">{n}</th>")))
        .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
        assert!(
            text.contains("<td class=\"text\">Haven Shelter</td>"),
            "{text}"
        );
        assert!(
            text.contains("<td class=\"text\">Lagos Fund</td>"),
            "{text}"
        );
        assert!(text.contains("member of the board of trustees"), "{text}");
        assert!(text.contains("partner organisation (NGO)"), "{text}");
        assert!(text.contains("<td class=\"text\">Français</td>"), "{text}");
        assert!(text.contains("deactivated"), "{text}");
        assert!(text.contains("not chosen (English)"), "{text}");

        // one role
        let trustees = plain(&desk.get("/users?role=trustee").await);
        assert!(trustees.contains("Carlos Mendes"), "{trustees}");
        assert!(!trustees.contains("Beatriz Okafor"), "{trustees}");
        assert!(
            trustees.contains("<option value=\"trustee\" selected>"),
            "{trustees}"
        );
        // a search in names, any letter case, and in addresses
        let found = plain(&desk.get("/users?q=BEATRIZ").await);
        assert!(found.contains("Beatriz Okafor"), "{found}");
        assert!(!found.contains("Carlos Mendes"), "{found}");
        assert!(found.contains("value=\"BEATRIZ\""), "{found}");
        let found = plain(&desk.get("/users?q=haven.example&role=ngo").await);
        assert!(found.contains("amara Diallo"), "{found}");
        assert!(!found.contains("Beatriz Okafor"), "{found}");
        let none = plain(&desk.get("/users?q=nobody%25").await);
        assert!(none.contains("Nobody matches"), "{none}");

        // a long list comes a page at a time
        for i in 0..50 {
            person(
                &app,
                &format!("Zz Person {i:02}"),
                &format!("p{i}@many.example"),
                "reviewer",
                None,
            );
        }
        let first = plain(&desk.get("/users").await);
        let rows = |page: &str| -> Vec<String> {
            page.split("<th scope=\"row\" class=\"text\">")
                .skip(1)
                .filter_map(|s| s.split("</th>").next())
                .map(str::to_string)
                .collect()
        };
        let first_rows = rows(&first);
        assert_eq!(first_rows.len(), 50, "{first}");
        let marker = "<a href=\"";
        let next = first
            .split(marker)
            .filter_map(|s| s.split('"').next())
            .find(|href| href.starts_with("/users?after="))
            .expect("a link to the next people")
            .replace("&amp;", "&");
        let second = plain(&desk.get(&next).await);
        let second_rows = rows(&second);
        assert!(!second_rows.is_empty(), "{second}");
        // every Zz person once, in order of name, across the two pages
        let zz: Vec<String> = first_rows
            .iter()
            .chain(second_rows.iter())
            .filter(|n| n.starts_with("Zz Person"))
            .cloned()
            .collect();
        let expected: Vec<String> = (0..50).map(|i| format!("Zz Person {i:02}")).collect();
        assert_eq!(zz, expected);
        assert!(!second.contains("rel=\"next\""), "{second}");
    }
);

both_backends!(
    other_roles_get_the_not_allowed_page,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let haven = organisation(&app, &admin, "Haven Shelter", "ngo").await;
        app.user_with_password("ngo", "staff@haven.example", PASSWORD, Some(&haven));
        let mut ngo = Browser::new(&app);
        ngo.sign_in("staff@haven.example", PASSWORD).await;
        for path in ["/users", "/users/invite"] {
            let page = ngo.get(path).await;
            assert_eq!(page.status, 403, "{path}: {}", page.text);
        }
        let home = ngo.get("/home").await;
        let csrf = home.csrf();
        let posted = ngo
            .post(
                "/users/invite",
                &[
                    ("csrf", &csrf),
                    ("once", "k1"),
                    ("email", "x@y.example"),
                    ("role", "reviewer"),
                    ("language", "en"),
                ],
            )
            .await;
        assert_eq!(posted.status, 403, "{}", posted.text);
        assert_eq!(app.count("one_time_tokens WHERE purpose = 'invitation'"), 0);
        // nobody signed in: to the sign-in page
        let anonymous = Browser::new(&app).get("/users").await;
        assert_eq!(anonymous.status, 303);
        assert_eq!(anonymous.location.as_deref(), Some("/login"));
        // the home of an NGO offers neither page; the secretariat's offers both
        assert!(!plain(&home).contains("/users"), "{}", home.text);
        let mut desk = secretariat(&app, "en").await;
        let home = plain(&desk.get("/home").await);
        assert!(home.contains("<a href=\"/users/invite\">"), "{home}");
        assert!(home.contains("<a href=\"/users\">"), "{home}");
    }
);

both_backends!(
    an_invitation_sent_from_the_page_in_spanish_stays_in_spanish,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let haven = organisation(&app, &admin, "Refugio Esperanza", "ngo").await;
        let mut desk = secretariat(&app, "es").await;
        let form = desk.get("/users/invite").await;
        assert_eq!(form.status, 200, "{}", form.text);
        let text = plain(&form);
        assert!(text.contains("Invitar a una persona"), "{text}");
        // organisations by name; the email's language the page's by default
        assert!(
            text.contains(&format!(
                "<option value=\"{haven}\">Refugio Esperanza (aún no verificada)</option>"
            )),
            "{text}"
        );
        assert!(
            text.contains("<option value=\"es\" lang=\"es\" selected>Español</option>"),
            "{text}"
        );
        let (csrf, once) = (form.csrf(), form.field("once"));

        // refused fields beside them, in Spanish, with what was typed kept
        let refused = desk
            .post(
                "/users/invite",
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("email", "not-an-address"),
                    ("role", "ngo"),
                    ("organisation_id", ""),
                    ("fund_id", ""),
                    ("language", "de"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(
            refused.error_beside("email").as_deref(),
            Some("Escriba una dirección de correo, por ejemplo nombre@ejemplo.org.")
        );
        assert!(
            refused
                .error_beside("organisation_id")
                .expect("beside the organisation")
                .contains("elija la organización a la que pertenece"),
            "{}",
            refused.text
        );
        assert_eq!(
            refused.error_beside("language").as_deref(),
            Some("Elija inglés, francés o español.")
        );
        assert_eq!(refused.field("email"), "not-an-address");
        assert!(
            refused.text.contains("<option value=\"ngo\" selected>"),
            "{}",
            refused.text
        );
        assert_eq!(app.count("one_time_tokens WHERE purpose = 'invitation'"), 0);

        // sent, and sent again by a double click: one invitation, one email
        let fields = [
            ("csrf", csrf.as_str()),
            ("once", once.as_str()),
            ("email", "Lucia@Refugio.example"),
            ("role", "ngo"),
            ("organisation_id", haven.as_str()),
            ("fund_id", ""),
            ("language", "es"),
        ];
        for _ in 0..2 {
            let sent = desk.post("/users/invite", &fields).await;
            assert_eq!(sent.status, 303, "{}", sent.text);
            assert_eq!(sent.location.as_deref(), Some("/users?done=invited"));
        }
        assert_eq!(app.count("one_time_tokens WHERE purpose = 'invitation'"), 1);
        let list = plain(&desk.get("/users?done=invited").await);
        assert!(list.contains("La invitación está enviada"), "{list}");
        assert!(
            list.contains("<th scope=\"row\" class=\"text\">lucia@refugio.example</th>"),
            "{list}"
        );
        assert!(
            list.contains("<td class=\"text\">Refugio Esperanza</td>"),
            "{list}"
        );

        // the email is in Spanish
        let mail = app.email_number("lucia@refugio.example", 1).await;
        assert!(
            mail.decoded.contains("a unirse al fondo fiduciario"),
            "{}",
            mail.decoded
        );
        assert!(
            mail.decoded.contains("Le invitamos a unirse"),
            "{}",
            mail.decoded
        );
        app.drain_outbox().await;
        assert_eq!(app.emails_to("lucia@refugio.example").len(), 1);

        // accepted from a browser that says nothing of its language: the account keeps Spanish
        let mut invitee = Browser::new(&app);
        let page = invitee
            .get(&format!("/accept-invitation?token={}", mail.token()))
            .await;
        assert_eq!(page.status, 200, "{}", page.text);
        let done = invitee
            .post(
                "/accept-invitation",
                &[
                    ("csrf", &page.csrf()),
                    ("token", &mail.token()),
                    ("name", "Lucía Pérez"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        assert_eq!(language_of(&app, "lucia@refugio.example"), Some("es"));
        let list = plain(&desk.get("/users").await);
        assert!(list.contains("Lucía Pérez"), "{list}");
        assert!(
            list.contains("Ninguna invitación espera ser aceptada"),
            "{list}"
        );

        // an address with an account: said beside the email
        let form = desk.get("/users/invite").await;
        let taken = desk
            .post(
                "/users/invite",
                &[
                    ("csrf", &form.csrf()),
                    ("once", &form.field("once")),
                    ("email", "lucia@refugio.example"),
                    ("role", "reviewer"),
                    ("organisation_id", ""),
                    ("fund_id", ""),
                    ("language", "es"),
                ],
            )
            .await;
        assert_eq!(taken.status, 409, "{}", taken.text);
        assert!(
            taken
                .error_beside("email")
                .expect("beside the email")
                .contains("ya tiene cuenta")
        );
    }
);

both_backends!(
    an_api_invitation_is_written_in_the_language_asked_for,
    |app: TestApp| async move {
        let admin = app.user_token("admin", None);
        let r = app
            .post_as(
                &admin,
                "/api/v1/invitations",
                json!({"email": "remi@review.example", "role": "reviewer", "language": "fr"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["language"], "fr");
        let mail = app.email_number("remi@review.example", 1).await;
        assert!(
            mail.decoded.contains("Vous êtes invité"),
            "{}",
            mail.decoded
        );

        let r = app
            .post_as(
                &admin,
                "/api/v1/invitations",
                json!({"email": "eva@review.example", "role": "reviewer", "language": "de"}),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), vec!["language"]);

        // without a language: English, and the account keeps no language of its own
        let r = app
            .post_as(
                &admin,
                "/api/v1/invitations",
                json!({"email": "ann@review.example", "role": "reviewer"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.body["language"], "en");
        let mail = app.email_number("ann@review.example", 1).await;
        assert!(mail.decoded.contains("You are invited"), "{}", mail.decoded);
        let r = app
            .post(
                "/api/v1/auth/accept-invitation",
                json!({"token": mail.token(), "name": "Ann", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(language_of(&app, "ann@review.example"), None);
        // the French invitation accepted through the API: French
        let mail = app.email_number("remi@review.example", 1).await;
        let r = app
            .post(
                "/api/v1/auth/accept-invitation",
                json!({"token": mail.token(), "name": "Rémi", "password": PASSWORD}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(language_of(&app, "remi@review.example"), Some("fr"));
    }
);

both_backends!(
    a_board_session_held_from_the_page_is_on_the_board_and_in_the_api,
    |app: TestApp| async move {
        let w = World::board(&app).await;
        let b = w.to_board();
        let mut desk = secretariat(&app, "en").await;
        let board = desk.get("/board").await;
        assert_eq!(board.status, 200, "{}", board.text);
        let text = plain(&board);
        let action = format!("action=\"/board/funds/{}/sessions\"", b.fund_id);
        assert!(text.contains(&action), "{text}");
        for (id, _) in &b.trustees {
            assert!(text.contains(&format!("name=\"trustee_{id}\"")), "{text}");
        }
        assert!(
            text.contains("A decision needs 3 trustees present"),
            "{text}"
        );
        let (csrf, once) = (board.csrf(), board.field("once"));
        let path = format!("/board/funds/{}/sessions", b.fund_id);
        let today = chrono::Utc::now().date_naive().to_string();
        let ticked = |n: usize| -> Vec<String> {
            b.trustees[..n]
                .iter()
                .map(|(id, _)| format!("trustee_{id}"))
                .collect()
        };

        // nobody ticked: said beside the trustees, the day kept
        let refused = desk
            .post(
                &path,
                &[("csrf", &csrf), ("once", &once), ("held_on", &today)],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(
            refused.error_beside("trustee_ids").as_deref(),
            Some("Tick the trustees present at the session.")
        );
        assert!(
            refused.text.contains(&format!("value=\"{today}\"")),
            "{}",
            refused.text
        );
        // a day that is no day, and one too far ahead
        let two = ticked(2);
        let mut fields: Vec<(&str, &str)> =
            vec![("csrf", &csrf), ("once", &once), ("held_on", "2026-13-45")];
        fields.extend(two.iter().map(|t| (t.as_str(), "on")));
        let refused = desk.post(&path, &fields).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(
            refused
                .error_beside("held_on")
                .expect("beside the day")
                .starts_with("Enter the day of the session")
        );
        assert!(
            refused
                .text
                .contains(&format!("name=\"{}\" checked", two[0])),
            "{}",
            refused.text
        );
        fields[2] = ("held_on", "2099-01-01");
        let refused = desk.post(&path, &fields).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(
            refused.error_beside("held_on").is_some(),
            "{}",
            refused.text
        );
        // two of the three the quorum needs
        fields[2] = ("held_on", today.as_str());
        let refused = desk.post(&path, &fields).await;
        assert_eq!(refused.status, 409, "{}", refused.text);
        assert!(
            refused
                .error_beside("trustee_ids")
                .expect("beside the trustees")
                .contains("quorum"),
            "{}",
            refused.text
        );
        assert_eq!(
            app.count(&format!("board_sessions WHERE fund_id = '{}'", b.fund_id)),
            0
        );

        // three: held, and held once however often the form is sent
        let three = ticked(3);
        let mut fields: Vec<(&str, &str)> = vec![
            ("csrf", &csrf),
            ("once", &once),
            ("held_on", today.as_str()),
        ];
        fields.extend(three.iter().map(|t| (t.as_str(), "on")));
        let mut at = None;
        for _ in 0..2 {
            let held = desk.post(&path, &fields).await;
            assert_eq!(held.status, 303, "{}", held.text);
            let location = held.location.clone().expect("to the session");
            assert!(location.ends_with("?done=held"), "{location}");
            assert!(at.is_none() || at.as_ref() == Some(&location));
            at = Some(location);
        }
        assert_eq!(
            app.count(&format!("board_sessions WHERE fund_id = '{}'", b.fund_id)),
            1
        );
        let session = plain(&desk.get(&at.expect("held")).await);
        assert!(session.contains("The session is recorded"), "{session}");
        let board = plain(&desk.get("/board").await);
        assert!(board.contains("<a href=\"/board-sessions/"), "{board}");
        let r = app
            .get_as(
                &b.admin,
                &format!("/api/v1/funds/{}/board-sessions", b.fund_id),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let items = r.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{}", r.text);
        assert_eq!(items[0]["held_on"], today);
        assert_eq!(items[0]["trustees"].as_array().map(Vec::len), Some(3));
    }
);

/// Saves what the browser shows, the whole page, as `<name>.png` in the folder
/// `TRUSTFUND_SCREENSHOTS` names (the README's screenshots); nothing when it is not set.
async fn screenshot(browser: &crate::common::chromium::Chromium, name: &str) {
    let Ok(dir) = std::env::var("TRUSTFUND_SCREENSHOTS") else {
        return;
    };
    let height = browser
        .client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .ok()
        .and_then(|v| v.as_u64())
        .unwrap_or(900);
    let _ = browser
        .client
        .set_window_size(1100, u32::try_from(height.min(4000)).unwrap_or(900) + 140)
        .await;
    let png = browser.client.screenshot().await.expect("screenshot");
    std::fs::write(format!("{dir}/{name}.png"), png).expect("screenshot written");
    let _ = browser.client.set_window_size(1100, 900).await;
}

/// The three pages in a real browser, in English, French and Spanish: the list, the
/// invitation form with a refusal and the session form with one, each checked with axe-core
/// and for messages left unformatted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_people_and_session_pages_pass_the_browser_checks_in_three_languages() {
    use crate::common::chromium::Chromium;
    let app = crate::common::spawn_app(crate::common::Backend::Sqlite)
        .await
        .expect("sqlite app");
    let w = World::board(&app).await;
    let b = w.to_board();
    for ((id, _), name) in b.trustees.iter().zip([
        "Adaeze Nwosu",
        "Bruno Lefèvre",
        "Carmen Ruiz",
        "David Mensah",
    ]) {
        let email = name.split(' ').next().unwrap_or_default().to_lowercase();
        app.execute(&format!(
            "UPDATE users SET display_name = '{name}', email = '{email}@board.example' WHERE id = '{id}'"
        ));
    }
    for (prefix, name, email) in [
        ("admin-", "Olu Adeyemi", "olu@fund.example"),
        ("ngo-", "Amina Bello", "amina@safehaven.example"),
        ("donor-", "Lena Weber", "lena@donor.example"),
    ] {
        app.execute(&format!(
            "UPDATE users SET display_name = '{name}', email = '{email}' WHERE email LIKE '{prefix}%'"
        ));
    }
    person(&app, "Fatou Sarr", "fatou@review.example", "reviewer", None);
    let r = app
        .post_as(
            &b.admin,
            "/api/v1/invitations",
            json!({"email": "jeanne@review.example", "role": "reviewer", "language": "fr"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    app.user_with_password("admin", "desk@fund.example", PASSWORD, None);
    app.execute(
        "UPDATE users SET display_name = 'Grace Secretariat' WHERE email = 'desk@fund.example'",
    );
    let desk = Chromium::start(&app, "en").await;
    desk.sign_in("desk@fund.example", PASSWORD).await;
    let code = w.fund_code().to_string();
    let today = chrono::Utc::now().date_naive().to_string();
    for language in ["en", "fr", "es"] {
        desk.follow(&format!("form.switch button[value={language}]"))
            .await;
        desk.open("/users").await;
        desk.check_page(language).await;
        screenshot(&desk, &format!("users-{language}")).await;

        desk.open("/users/invite").await;
        desk.check_page(language).await;
        desk.fill("#email", "not-an-address").await;
        desk.set_value("#role", "ngo").await;
        desk.follow("form.stack button[type=submit]").await;
        assert_eq!(desk.count("p.error").await, 2, "{}", desk.text().await);
        desk.check_page(language).await;
        screenshot(&desk, &format!("invite-{language}")).await;

        desk.open("/board").await;
        desk.check_page(language).await;
        desk.set_value(&format!("#held_on-{code}"), &today).await;
        for (id, _) in &b.trustees[..2] {
            desk.click(&format!("input[name=trustee_{id}]")).await;
        }
        desk.follow(&format!(
            "form[action=\"/board/funds/{}/sessions\"] button",
            b.fund_id
        ))
        .await;
        assert_eq!(desk.count("p.error").await, 1, "{}", desk.text().await);
        desk.check_page(language).await;
        screenshot(&desk, &format!("hold-session-{language}")).await;
    }
    desk.quit().await;
}
