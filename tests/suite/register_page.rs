//! An NGO registers itself on the page `/register`, in French, as a small organisation
//! would: the country is chosen by its name; the organisation and its first member exist
//! afterwards, unverified, and the verification email (in French) leads to the page that
//! confirms the address. Refused fields are said beside their fields with what was typed
//! kept (never the password); a form without its CSRF token creates nothing; a second
//! registration with the same address (a double click) is the API's 409, said on the page.

use serde_json::json;

use crate::common::TestApp;
use crate::common::browser::{Answer, Browser};

const PASSWORD: &str = "baobab lanterne rivière 42";

fn unescaped(text: &str) -> String {
    text.replace("&#x2f;", "/").replace("&#x27;", "'")
}

/// The form as a browser fills it in, with the page's CSRF token.
fn filled<'a>(csrf: &'a str, email: &'a str) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("org_name", "Maison Lumière Thiès"),
        ("country", "SN"),
        ("identifier", ""),
        ("name", "Awa Diop"),
        ("email", email),
        ("password", PASSWORD),
    ]
}

/// The registered organisations the secretariat's API lists as awaiting verification.
async fn unverified(app: &TestApp) -> Vec<serde_json::Value> {
    let admin = app.user_token("admin", None);
    let r = app
        .get_as(&admin, "/api/v1/organisations?verified=false")
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

fn selected(page: &Answer, code: &str) -> bool {
    page.text
        .contains(&format!("<option value=\"{code}\" selected>"))
}

both_backends!(
    an_ngo_registers_in_french_and_confirms_its_address,
    |app: TestApp| async move {
        let mut browser = Browser::speaking(&app, "fr");
        let form = browser.get("/register").await;
        assert_eq!(form.status, 200, "{}", form.text);
        assert!(form.text.contains("<html lang=\"fr\">"));
        assert!(form.text.contains("Inscrire votre organisation"));
        // the password's rules are said before typing
        assert!(
            form.text.contains("Au moins 12 caractères"),
            "{}",
            form.text
        );
        // every country by its French name, sorted as a French reader looks for it
        assert!(form.text.contains("<option value=\"SN\">Sénégal</option>"));
        let at = |name: &str| {
            form.text
                .find(&format!(">{name}</option>"))
                .unwrap_or_else(|| panic!("{name} not listed"))
        };
        assert!(at("Afghanistan") < at("Égypte"));
        assert!(at("Égypte") < at("Équateur"));
        assert!(at("Équateur") < at("Espagne"));
        assert!(at("Espagne") < at("Zimbabwe"));
        assert_eq!(form.text.matches("<option value=\"").count(), 249 + 1);

        let csrf = form.csrf();
        let done = browser
            .post("/register", &filled(&csrf, "Awa@MaisonLumiere.example"))
            .await;
        assert_eq!(done.status, 200, "{}", done.text);
        let text = unescaped(&done.text);
        assert!(text.contains("Votre organisation est inscrite"), "{text}");
        assert!(
            text.contains("Nous avons envoyé un message à awa@maisonlumiere.example"),
            "{text}"
        );
        assert!(text.contains("dans les 48 heures"), "{text}");
        assert!(
            text.contains("Le secrétariat vérifiera ensuite Maison Lumière Thiès : votre première demande pourra être envoyée une fois cette vérification faite."),
            "{text}"
        );
        assert!(text.contains("commencez à préparer une demande"), "{text}");

        // the organisation and its first member exist, unverified
        let waiting = unverified(&app).await;
        assert_eq!(waiting.len(), 1, "{waiting:?}");
        assert_eq!(waiting[0]["name"], "Maison Lumière Thiès");
        assert_eq!(waiting[0]["country"], "SN");
        assert_eq!(waiting[0]["kind"], "ngo");
        let early = app.login("awa@maisonlumiere.example", PASSWORD).await;
        assert_eq!(early.status, 403, "unconfirmed address: {}", early.text);

        // the email, in French, links to the page that confirms
        let mail = app.email_number("awa@maisonlumiere.example", 1).await;
        assert!(
            mail.decoded.contains("Bonjour Awa Diop"),
            "{}",
            mail.decoded
        );
        assert!(
            mail.decoded.contains("ouvrez ce lien dans les 48 heures"),
            "{}",
            mail.decoded
        );
        let link_base = app.settings.email.link_base_url.trim_end_matches('/');
        assert!(
            mail.decoded
                .contains(&format!("{link_base}/verify-email?token=")),
            "{}",
            mail.decoded
        );
        let confirmed = browser
            .get(&format!("/verify-email?token={}", mail.token()))
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.text);
        assert!(
            confirmed
                .text
                .contains("Votre adresse e-mail est confirmée"),
            "{}",
            confirmed.text
        );
        let signed_in = app.login("awa@maisonlumiere.example", PASSWORD).await;
        assert_eq!(signed_in.status, 200, "{}", signed_in.text);

        // the sign-in page and the calls page point here
        for page in ["/login", "/calls"] {
            let anonymous = Browser::speaking(&app, "fr").get(page).await;
            assert!(
                anonymous.text.contains(
                    "<a href=\"/register\">Votre organisation n’a pas encore de compte ? Inscrivez-la</a>"
                ),
                "{page}: {}",
                anonymous.text
            );
        }
    }
);

both_backends!(
    refused_fields_are_said_beside_them_in_french_with_what_was_typed,
    |app: TestApp| async move {
        let mut browser = Browser::speaking(&app, "fr");
        let csrf = browser.get("/register").await.csrf();
        let refused = browser
            .post(
                "/register",
                &[
                    ("csrf", &csrf),
                    ("org_name", "   "),
                    ("country", "SN"),
                    ("identifier", "Thiès 2019"),
                    ("name", "Awa Diop"),
                    ("email", "awa@"),
                    ("password", "zq9court"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        let beside = |id: &str| {
            refused
                .error_beside(id)
                .unwrap_or_else(|| panic!("no error beside {id}:\n{}", refused.text))
        };
        assert!(beside("org_name").starts_with("Indiquez le nom de votre organisation"));
        assert!(beside("identifier").starts_with("Écrivez le numéro sous la forme"));
        assert!(beside("email").starts_with("Indiquez une adresse e-mail valable"));
        assert_eq!(beside("password"), "Utilisez au moins 12 caractères.");
        assert!(refused.error_beside("name").is_none());
        assert!(refused.error_beside("country").is_none());
        // summarised at the top too, in the form's order
        let summary = refused
            .text
            .find("Merci de corriger ce qui suit")
            .expect("summary");
        assert!(summary < refused.text.find("href=\"#org_name\"").expect("org_name"));
        assert!(refused.text.find("href=\"#org_name\"") < refused.text.find("href=\"#password\""));
        // what was typed is kept, never the password
        assert_eq!(refused.field("name"), "Awa Diop");
        assert_eq!(refused.field("email"), "awa@");
        assert_eq!(refused.field("identifier"), "Thiès 2019");
        assert!(selected(&refused, "SN"));
        assert!(!refused.text.contains("zq9court"));

        // a country that is not in the list, and a common password
        let refused = browser
            .post(
                "/register",
                &[
                    ("csrf", &csrf),
                    ("org_name", "Maison Lumière"),
                    ("country", "Sénégal"),
                    ("name", "Awa Diop"),
                    ("email", "awa@maisonlumiere.example"),
                    ("password", "password1234"),
                ],
            )
            .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(
            refused.error_beside("country").as_deref(),
            Some("Choisissez le pays dans la liste.")
        );
        assert!(
            refused
                .error_beside("password")
                .is_some_and(|m| m.starts_with("Ce mot de passe est trop courant")),
            "{}",
            refused.text
        );
        assert_eq!(refused.field("org_name"), "Maison Lumière");

        assert_eq!(app.count("users"), 0);
        assert!(unverified(&app).await.is_empty());
    }
);

both_backends!(
    a_form_without_its_csrf_token_creates_nothing,
    |app: TestApp| async move {
        let mut browser = Browser::speaking(&app, "fr");
        browser.get("/register").await;
        let organisations = app.count("organisations");
        let mut fields = filled("", "awa@maisonlumiere.example");
        fields.remove(0);
        let refused = browser.post("/register", &fields).await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        let forged = browser
            .post("/register", &filled("forged", "awa@maisonlumiere.example"))
            .await;
        assert_eq!(forged.status, 403, "{}", forged.text);
        assert_eq!(app.count("organisations"), organisations);
        assert_eq!(app.count("users"), 0);
        assert_eq!(app.count("outbox"), 0);
    }
);

both_backends!(
    a_second_registration_with_the_same_address_is_said_as_the_api_says_it,
    |app: TestApp| async move {
        let mut browser = Browser::speaking(&app, "fr");
        let csrf = browser.get("/register").await.csrf();
        let fields = filled(&csrf, "awa@maisonlumiere.example");
        let first = browser.post("/register", &fields).await;
        assert_eq!(first.status, 200, "{}", first.text);
        // the double click
        let second = browser.post("/register", &fields).await;
        assert_eq!(second.status, 409, "{}", second.text);
        assert!(
            second
                .error_beside("email")
                .is_some_and(|m| m.starts_with("Un compte utilise déjà cette adresse e-mail.")),
            "{}",
            second.text
        );
        assert_eq!(second.field("email"), "awa@maisonlumiere.example");
        assert!(second.text.contains("href=\"/forgot-password\""));
        // another letter case is the same address
        let upper = filled(&csrf, "AWA@MaisonLumiere.example");
        let third = browser.post("/register", &upper).await;
        assert_eq!(third.status, 409, "{}", third.text);
        // as the API answers
        let api = app
            .post(
                "/api/v1/auth/register",
                json!({
                    "organisation": {"name": "Autre", "country": "SN", "kind": "ngo"},
                    "user": {"email": "awa@maisonlumiere.example", "name": "Awa", "password": PASSWORD}
                }),
            )
            .await;
        api.assert_problem(409, "duplicate");
        // one organisation, one member, one email
        assert_eq!(app.count("users"), 1);
        assert_eq!(unverified(&app).await.len(), 1);
        app.drain_outbox().await;
        assert_eq!(app.emails_to("awa@maisonlumiere.example").len(), 1);
    }
);

both_backends!(
    the_form_speaks_the_readers_language,
    |app: TestApp| async move {
        let spanish = Browser::speaking(&app, "es").get("/register").await;
        assert_eq!(spanish.status, 200);
        assert!(spanish.text.contains("Registre a su organización"));
        assert!(spanish.text.contains("<option value=\"PE\">Perú</option>"));
        assert!(spanish.text.find(">Egipto<") < spanish.text.find(">España<"));
        let english = Browser::new(&app).get("/register").await;
        assert!(english.text.contains("Register your organisation"));
        assert!(english.text.contains("<option value=\"EG\">Egypt</option>"));
        assert!(!selected(&english, "EG"));
    }
);

both_backends!(
    repeated_attempts_are_throttled_as_the_api_throttles_them,
    |app: TestApp| async move {
        let mut browser = Browser::speaking(&app, "fr");
        let csrf = browser.get("/register").await.csrf();
        let fields = filled(&csrf, "awa@maisonlumiere.example");
        assert_eq!(browser.post("/register", &fields).await.status, 200);
        let mut answers = Vec::new();
        for _ in 0..8 {
            let answer = browser.post("/register", &fields).await;
            let done = answer.status == 429;
            answers.push(answer);
            if done {
                break;
            }
        }
        let last = answers.last().expect("answers");
        assert_eq!(last.status, 429, "{}", last.text);
        assert!(answers[..answers.len() - 1].iter().all(|a| a.status == 409));
        assert!(last.retry_after.is_some());
        assert!(
            last.error_beside("email")
                .is_some_and(|m| m.starts_with("Trop de tentatives depuis cette connexion.")),
            "{}",
            last.text
        );
        assert_eq!(last.field("email"), "awa@maisonlumiere.example");
        assert!(!last.text.contains(PASSWORD));
        assert_eq!(app.count("users"), 1);
    }
);
