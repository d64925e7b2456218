//! Applying on the pages, in French, as a small NGO would: the open calls say who may apply
//! and what each asks for; a draft is started once however often the button is pressed;
//! a wrong amount is said beside its field and changes nothing; a stale form is refused;
//! a document is uploaded (and a forged or dangerous one refused); the checklist says what
//! is missing, in the reader's language, from the rules `submit` enforces; the application
//! is sent once and shows its reference. Another organisation's member gets a 404.

use serde_json::json;

use crate::common::TestApp;
use crate::common::browser::Browser;
use crate::common::world::{World, default_call, pdf};

const PASSWORD: &str = "harbour kettle meadow 27";

/// The application as the API reads it.
async fn read(app: &TestApp, token: &str, id: &str) -> serde_json::Value {
    let r = app
        .get_as(token, &format!("/api/v1/applications/{id}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

fn unescaped(text: &str) -> String {
    text.replace("&#x2f;", "/").replace("&#x27;", "'")
}

both_backends!(
    an_ngo_applies_in_french_on_the_pages,
    |app: TestApp| async move {
        let mut call = default_call();
        call["title"] = json!("Appel 2026 : foyers d'accueil");
        call["eligible_countries"] = json!(["NG", "GH"]);
        call["required_documents"] = json!(["proposal"]);
        let w = World::new(&app).fund().open_call_with(call).ngo().await;
        let token = w.ngo_token().to_string();
        app.user_with_password("ngo", "amina@haven.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::speaking(&app, "fr");
        ngo.sign_in("amina@haven.example", PASSWORD).await;

        // the call, its terms said before anything is filled in
        let calls = ngo.get("/calls").await;
        assert_eq!(calls.status, 200, "{}", calls.text);
        let text = unescaped(&calls.text);
        assert!(text.contains("foyers d'accueil"), "{text}");
        assert!(text.contains("Date limite"), "{text}");
        assert!(text.contains("20\u{202f}000,00\u{a0}USD"), "{text}");
        assert!(text.contains("Nigéria, Ghana"), "{text}");
        assert!(text.contains("proposal"), "{text}");
        let apply = format!("/calls/{}/apply", w.call_id());
        assert!(text.contains(&apply), "{text}");

        // pressed twice, one draft
        let (csrf, once) = (calls.csrf(), calls.field("once"));
        let first = ngo.post(&apply, &[("csrf", &csrf), ("once", &once)]).await;
        assert_eq!(first.status, 303, "{}", first.text);
        let page_path = first.location.clone().expect("to the draft");
        let again = ngo.post(&apply, &[("csrf", &csrf), ("once", &once)]).await;
        assert_eq!(again.location.as_deref(), Some(page_path.as_str()));
        let listed = app.get_as(&token, "/api/v1/applications").await;
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
        let id = page_path.trim_start_matches("/applications/").to_string();

        // the empty draft's checklist, in French
        let page = ngo.get(&page_path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(
            page.text.contains("Donnez un titre au projet."),
            "{}",
            page.text
        );
        assert!(
            page.text
                .contains("Joignez le document que demande l’appel : proposal."),
            "{}",
            page.text
        );
        assert!(
            !page.text.contains("/submit\""),
            "no sending before it is ready"
        );
        let (csrf, version) = (page.csrf(), page.field("version"));

        // a wrong amount: said beside the field, in French, nothing saved
        let wrong = ngo
            .post(
                &page_path,
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("title", "Foyer à Kano"),
                    ("requested_amount", "15 000 dollars"),
                    ("category_0", "foyer"),
                    ("amount_0", "15000.00"),
                ],
            )
            .await;
        assert_eq!(wrong.status, 422, "{}", wrong.text);
        let beside = wrong
            .error_beside("requested_amount")
            .expect("beside the amount");
        assert!(beside.contains("Écrivez le montant"), "{beside}");
        assert!(
            wrong.text.contains("value=\"Foyer à Kano\""),
            "what was typed is kept"
        );
        assert_eq!(read(&app, &token, &id).await["title"], "");

        // saved
        let fields = [
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("title", "Foyer à Kano"),
            (
                "summary",
                "Un foyer et un accompagnement juridique pour les survivantes.",
            ),
            ("requested_amount", "15000.00"),
            ("duration_months", "12"),
            ("country_NG", "on"),
            ("theme_protection.shelter", "on"),
            ("sex_0", "female"),
            ("age_0", "adult"),
            ("form_0", "sexual"),
            ("count_0", "40"),
            ("category_0", "foyer"),
            ("description_0", "loyer"),
            ("amount_0", "15000.00"),
            ("category_1", ""),
            ("amount_1", ""),
        ];
        let saved = ngo.post(&page_path, &fields).await;
        assert_eq!(saved.status, 303, "{}", saved.text);
        let body = read(&app, &token, &id).await;
        assert_eq!(body["title"], "Foyer à Kano");
        assert_eq!(body["countries"], json!(["NG"]));
        assert_eq!(body["themes"], json!(["protection.shelter"]));
        assert_eq!(body["budget"][0]["amount"], "15000.00");
        assert_eq!(body["planned_beneficiaries"][0]["count"], 40);

        // the same form again is stale: refused, nothing overwritten
        let mut stale_fields = fields.to_vec();
        stale_fields[2] = ("title", "Titre écrasé");
        let stale = ngo.post(&page_path, &stale_fields).await;
        assert_eq!(stale.status, 409, "{}", stale.text);
        assert!(stale.text.contains("Quelqu’un a modifié"), "{}", stale.text);
        assert_eq!(read(&app, &token, &id).await["title"], "Foyer à Kano");

        // uploads: a forged one and a dangerous one refused, a PDF taken
        let upload = format!("{page_path}/documents");
        let page = ngo.get(&page_path).await;
        let csrf = page.csrf();
        let forged = ngo
            .post_file(
                &upload,
                &[("kind", "proposal")],
                ("file", "projet.pdf", pdf("projet")),
            )
            .await;
        assert_eq!(forged.status, 403, "{}", forged.text);
        let program = ngo
            .post_file(
                &upload,
                &[("csrf", &csrf), ("kind", "proposal")],
                (
                    "file",
                    "projet.pdf",
                    b"MZ\x90\x00\x03\x00\x00\x00".repeat(64),
                ),
            )
            .await;
        assert_eq!(program.status, 415, "{}", program.text);
        assert!(
            program
                .error_beside("file")
                .is_some_and(|e| e.contains("n’accepte pas")),
            "{}",
            program.text
        );
        assert_eq!(read(&app, &token, &id).await["documents"], json!([]));
        let taken = ngo
            .post_file(
                &upload,
                &[("csrf", &csrf), ("kind", "proposal")],
                ("file", "projet.pdf", pdf("projet")),
            )
            .await;
        assert_eq!(taken.status, 303, "{}", taken.text);
        let body = read(&app, &token, &id).await;
        assert_eq!(body["documents"][0]["kind"], "proposal");
        assert_eq!(body["documents"][0]["file_name"], "projet.pdf");
        let document = format!(
            "{page_path}/documents/{}",
            body["documents"][0]["id"].as_str().expect("id")
        );
        let (status, content_type, _, bytes) = ngo.download(&document).await;
        assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
        assert!(bytes.starts_with("%PDF-1.4"));

        // ready: sent once, with its reference
        let page = ngo.get(&page_path).await;
        assert!(page.text.contains("Tout est prêt"), "{}", page.text);
        let (csrf, version) = (page.csrf(), page.field("version"));
        let sent = ngo
            .post(
                &format!("{page_path}/submit"),
                &[("csrf", &csrf), ("version", &version)],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.text);
        let body = read(&app, &token, &id).await;
        assert_eq!(body["status"], "submitted");
        let reference = body["reference"].as_str().expect("a reference").to_string();
        let twice = ngo
            .post(
                &format!("{page_path}/submit"),
                &[("csrf", &csrf), ("version", &version)],
            )
            .await;
        assert_eq!(twice.status, 409, "{}", twice.text);
        let page = ngo.get(&page_path).await;
        assert!(page.text.contains(&reference), "{}", page.text);
        assert!(page.text.contains("envoyée, en attente de vérification"));
        assert!(!page.text.contains("name=\"title\""), "no form once sent");
        let list = ngo.get("/applications").await;
        assert!(list.text.contains(&reference), "{}", list.text);

        // another organisation's member: 404
        let admin = app.user_token("admin", None);
        let r = app
            .post_as(
                &admin,
                "/api/v1/organisations",
                json!({"name": "Other Shelter", "kind": "ngo", "country": "GH", "verified": true}),
            )
            .await;
        let other = r.body["id"].as_str().expect("id").to_string();
        app.user_with_password("ngo", "kofi@other.example", PASSWORD, Some(&other));
        let mut outsider = Browser::new(&app);
        outsider.sign_in("kofi@other.example", PASSWORD).await;
        assert_eq!(outsider.get(&page_path).await.status, 404);
        assert_eq!(outsider.get("/applications/not-an-id").await.status, 404);
        assert_eq!(outsider.get(&document).await.status, 404);
        let list = outsider.get("/applications").await;
        assert!(!list.text.contains(&reference));
    }
);

both_backends!(
    the_checklist_says_what_the_call_does_not_fund,
    |app: TestApp| async move {
        let mut call = default_call();
        call["eligible_countries"] = json!(["NG"]);
        let w = World::new(&app)
            .fund()
            .open_call_with(call)
            .ngo()
            .application_with(json!({
                "title": "Shelter",
                "summary": "Shelter for survivors.",
                "requested_amount": "12000.00",
                "duration_months": 24,
                "countries": ["FR"],
                "themes": ["protection.shelter"],
                "budget": [{"category": "shelter", "amount": "9000.00"}]
            }))
            .await;
        let id = w.application_id().to_string();
        app.user_with_password("ngo", "ada@haven.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::speaking(&app, "es");
        ngo.sign_in("ada@haven.example", PASSWORD).await;
        let page = ngo.get(&format!("/applications/{id}")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for said in [
            "Francia no es uno de los países que financia esta convocatoria.",
            "La convocatoria financia proyectos de 12 meses como máximo.",
            "Sus líneas de presupuesto suman 9000,00\u{a0}USD, pero solicita 12.000,00\u{a0}USD",
        ] {
            assert!(page.text.contains(said), "{said}: {}", page.text);
        }
        // the country outside the call is shown, unticked it can be removed
        assert!(
            page.text.contains("name=\"country_FR\" checked"),
            "{}",
            page.text
        );
        let sent = ngo
            .post(
                &format!("/applications/{id}/submit"),
                &[("csrf", &page.csrf()), ("version", &page.field("version"))],
            )
            .await;
        assert_eq!(sent.status, 422, "{}", sent.text);
        assert!(
            sent.text.contains("Todavía no se puede enviar"),
            "{}",
            sent.text
        );
        let r = app
            .get_as(w.ngo_token(), &format!("/api/v1/applications/{id}"))
            .await;
        assert_eq!(r.body["status"], "draft");
    }
);

both_backends!(
    the_secretariat_screens_and_returns_on_the_pages,
    |app: TestApp| async move {
        let w = World::new(&app)
            .fund()
            .open_call()
            .ngo()
            .application("Refugio en Kano", "12000.00")
            .submitted()
            .application("Asesoría jurídica", "8000.00")
            .submitted()
            .await;
        let (returned, screened) = (w.applications()[0].clone(), w.applications()[1].clone());
        app.user_with_password("admin", "mesa@fund.example", PASSWORD, None);
        let mut desk = Browser::speaking(&app, "es");
        desk.sign_in("mesa@fund.example", PASSWORD).await;
        let queue = desk.get("/applications?status=submitted").await;
        assert_eq!(queue.status, 200, "{}", queue.text);
        assert!(queue.text.contains("Solicitudes por revisar"));
        assert!(queue.text.contains("Refugio en Kano") && queue.text.contains("Asesoría jurídica"));

        // not eligible without saying why: beside the field, nothing changed
        let path = format!("/applications/{returned}");
        let page = desk.get(&path).await;
        assert!(page.text.contains("Para la secretaría"), "{}", page.text);
        let (csrf, version) = (page.csrf(), page.field("version"));
        let bare = desk
            .post(
                &format!("{path}/screening"),
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("eligible", "no"),
                    ("notes", " "),
                ],
            )
            .await;
        assert_eq!(bare.status, 422, "{}", bare.text);
        assert!(
            bare.error_beside("notes")
                .is_some_and(|e| e.contains("Explique por qué")),
            "{}",
            bare.text
        );
        let admin = app.user_token("admin", None);
        let status = |id: String| {
            let app = &app;
            let admin = admin.clone();
            async move {
                app.get_as(&admin, &format!("/api/v1/applications/{id}"))
                    .await
                    .body
            }
        };
        assert_eq!(status(returned.clone()).await["status"], "submitted");

        // returned with what to change: the NGO reads it on its draft
        let back = desk
            .post(
                &format!("{path}/return"),
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("reason", "Falta el presupuesto detallado del albergue."),
                ],
            )
            .await;
        assert_eq!(back.status, 303, "{}", back.text);
        let body = status(returned.clone()).await;
        assert_eq!(body["status"], "draft");
        assert_eq!(
            body["return_reason"],
            "Falta el presupuesto detallado del albergue."
        );
        app.user_with_password("ngo", "ines@haven.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::speaking(&app, "es");
        ngo.sign_in("ines@haven.example", PASSWORD).await;
        let draft = ngo.get(&path).await;
        assert!(draft.text.contains("Lo que la secretaría le pide cambiar"));
        assert!(
            draft
                .text
                .contains("Falta el presupuesto detallado del albergue.")
        );
        assert!(!draft.text.contains("Para la secretaría"));
        // the NGO cannot screen its own application
        let own = ngo
            .post(
                &format!("/applications/{screened}/screening"),
                &[("csrf", &draft.csrf()), ("eligible", "yes")],
            )
            .await;
        assert_eq!(own.status, 403);

        // the other one goes to the reviewers, once
        let path = format!("/applications/{screened}");
        let page = desk.get(&path).await;
        let form = [
            ("csrf", page.csrf()),
            ("version", page.field("version")),
            ("eligible", "yes".to_string()),
            ("notes", String::new()),
        ];
        let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let done = desk.post(&format!("{path}/screening"), &fields).await;
        assert_eq!(done.status, 303, "{}", done.text);
        assert_eq!(status(screened.clone()).await["status"], "under_review");
        let again = desk.post(&format!("{path}/screening"), &fields).await;
        assert_eq!(again.status, 409, "{}", again.text);
        let queue = desk.get("/applications?status=submitted").await;
        assert!(!queue.text.contains("Asesoría jurídica"));

        // a reviewer picked by name, once; an applicant's member is not a reviewer
        let reviewer = app.user_with_password("reviewer", "lee@fund.example", PASSWORD, None);
        let page = desk.get(&path).await;
        assert!(page.text.contains("Evaluadores"), "{}", page.text);
        assert!(page.text.contains(&format!("value=\"{reviewer}\"")));
        let assign = [("csrf", page.csrf()), ("reviewer_id", reviewer.clone())];
        let fields: Vec<(&str, &str)> = assign.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let done = desk.post(&format!("{path}/assignments"), &fields).await;
        assert_eq!(done.status, 303, "{}", done.text);
        let again = desk.post(&format!("{path}/assignments"), &fields).await;
        assert_eq!(again.status, 409, "{}", again.text);
        assert!(
            again
                .error_beside("reviewer_id")
                .is_some_and(|e| e.contains("ya está asignada")),
            "{}",
            again.text
        );
        let member =
            app.user_with_password("ngo", "otro@haven.example", PASSWORD, Some(w.org_id()));
        let wrong = desk
            .post(
                &format!("{path}/assignments"),
                &[("csrf", &page.csrf()), ("reviewer_id", &member)],
            )
            .await;
        assert_eq!(wrong.status, 422, "{}", wrong.text);
        let listed = app
            .get_as(
                &admin,
                &format!("/api/v1/assignments?application_id={screened}"),
            )
            .await;
        assert_eq!(
            listed.body["items"].as_array().map(Vec::len),
            Some(1),
            "{}",
            listed.text
        );
    }
);
