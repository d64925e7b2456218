//! Outcome reports written in several sittings (issue 18): a draft saved from the page in
//! French, incomplete, read back on reopening; personal data refused beside its field with
//! nothing stored; a save over a newer draft refused (409) with the draft unchanged; the
//! same form saved twice harmless; a failed sending keeps the draft and a successful one
//! deletes it; another organisation gets 404 on the page and the API.

use chrono::{Duration, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::browser::Browser;
use crate::common::world::World;

const PASSWORD: &str = "lantern river shelter 42";

/// The grant's draft as the API reads it (status and body).
async fn draft(app: &TestApp, token: &str, grant: &str) -> (u16, Value) {
    let r = app
        .get_as(token, &format!("/api/v1/grants/{grant}/report-draft"))
        .await;
    (r.status.as_u16(), r.body)
}

async fn put_draft(app: &TestApp, token: &str, grant: &str, body: Value) -> crate::common::Reply {
    app.request_as(
        token,
        Method::PUT,
        &format!("/api/v1/grants/{grant}/report-draft"),
        Some(body),
        &[],
    )
    .await
}

fn owned(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn refs(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

both_backends!(
    a_report_is_written_in_several_sittings_on_the_page,
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
        let token = w.ngo_token().to_string();
        app.user_with_password("ngo", "director@lagos.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::speaking(&app, "fr");
        ngo.sign_in("director@lagos.example", PASSWORD).await;
        let path = format!("/grants/{grant}/report");
        let form = ngo.get(&path).await;
        assert_eq!(form.status, 200, "{}", form.text);
        assert!(!form.text.contains("Brouillon enregistré le"));
        assert_eq!(form.field("draft_version"), "");
        assert_eq!(draft(&app, &token, &grant).await.0, 404);
        let (csrf, once) = (form.csrf(), form.field("once"));

        // a first sitting: no period yet, a count still in words, totals that do not add up
        let narrative = "Le foyer a ouvert ses portes en mars. Chiffres à vérifier avec l’équipe.";
        let first = owned(&[
            ("csrf", &csrf),
            ("once", &once),
            ("draft_version", ""),
            ("action", "save"),
            ("kind", "final"),
            ("period_start", ""),
            ("period_end", ""),
            ("sex_0", "female"),
            ("age_0", "adult"),
            ("form_0", "sexual"),
            ("count_0", "neuf"),
            ("sex_1", "male"),
            ("age_1", "child"),
            ("form_1", "begging"),
            ("count_1", "40"),
            ("people_to_date", "3"),
            ("line_0", "shelter"),
            ("spent_0", ""),
            ("narrative", narrative),
        ]);
        for _ in 0..2 {
            // saved twice (a double click): the same draft, one version
            let saved = ngo.post(&path, &refs(&first)).await;
            assert_eq!(saved.status, 303, "{}", saved.text);
            assert_eq!(
                saved.location.as_deref(),
                Some(format!("{path}?draft=saved").as_str())
            );
        }
        let (status, body) = draft(&app, &token, &grant).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["version"], 1, "{body}");
        assert_eq!(body["form"]["narrative"], narrative);
        assert_eq!(body["form"]["count_0"], "neuf");
        assert!(body["form"].get("csrf").is_none() && body["form"].get("action").is_none());

        // the next sitting: the form opens on the draft, saying when it was saved
        let reopened = ngo.get(&format!("{path}?draft=saved")).await;
        assert_eq!(reopened.status, 200, "{}", reopened.text);
        assert!(reopened.text.contains("Votre brouillon est enregistré"));
        assert!(
            reopened.text.contains("Brouillon enregistré le"),
            "{}",
            reopened.text
        );
        assert!(reopened.text.contains(" UTC."), "{}", reopened.text);
        assert!(
            reopened
                .text
                .contains("Le foyer a ouvert ses portes en mars.")
        );
        assert!(reopened.text.contains("value=\"neuf\""));
        assert!(reopened.text.contains("value=\"final\" checked"));
        assert_eq!(reopened.field("draft_version"), "1");

        // personal data: refused beside the narrative, what was typed kept, nothing stored
        let mut personal = first.clone();
        for (k, v) in personal.iter_mut() {
            match k.as_str() {
                "draft_version" => *v = "1".into(),
                "narrative" => {
                    *v = "Appeler Aminata, 16 ans, au +234 803 555 0199 pour la suite.".into()
                }
                _ => {}
            }
        }
        let refused = ngo.post(&path, &refs(&personal)).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        let beside = refused
            .error_beside("narrative")
            .expect("beside the narrative");
        assert!(
            beside.contains("+234 803 555 0199") && beside.contains("Aminata, 16 ans"),
            "{beside}"
        );
        assert!(beside.contains("même un brouillon"), "{beside}");
        assert!(refused.text.contains("Appeler Aminata"), "typed text kept");
        let (_, body) = draft(&app, &token, &grant).await;
        assert_eq!(body["version"], 1, "{body}");
        assert_eq!(body["form"]["narrative"], narrative);

        // a colleague saves meanwhile; this tab's save is refused and the draft unchanged
        let colleague = put_draft(
            &app,
            &token,
            &grant,
            json!({"version": 1, "form": {"kind": "interim", "narrative": "Version de la collègue."}}),
        )
        .await;
        assert_eq!(colleague.status, 200, "{}", colleague.text);
        assert_eq!(colleague.body["version"], 2);
        let mut mine = first.clone();
        for (k, v) in mine.iter_mut() {
            match k.as_str() {
                "draft_version" => *v = "1".into(),
                "narrative" => *v = "Ma version, plus longue.".into(),
                _ => {}
            }
        }
        let stale = ngo.post(&path, &refs(&mine)).await;
        assert_eq!(stale.status, 409, "{}", stale.text);
        assert!(stale.error_beside("draft").is_some(), "{}", stale.text);
        assert!(
            stale.text.contains("Ma version, plus longue."),
            "typed text kept"
        );
        assert_eq!(stale.field("draft_version"), "1");
        let (_, body) = draft(&app, &token, &grant).await;
        assert_eq!(body["version"], 2, "{body}");
        assert_eq!(body["form"]["narrative"], "Version de la collègue.");

        // another organisation: the page and the API answer 404, the draft untouched
        let other = World::new(&app).ngo().await;
        app.user_with_password(
            "ngo",
            "someone@else.example",
            PASSWORD,
            Some(other.org_id()),
        );
        let mut stranger = Browser::new(&app);
        stranger.sign_in("someone@else.example", PASSWORD).await;
        assert_eq!(stranger.get(&path).await.status, 404);
        let page = stranger.get("/home").await;
        let theirs = stranger
            .post(
                &path,
                &[
                    ("csrf", &page.csrf()),
                    ("action", "save"),
                    ("narrative", "x"),
                ],
            )
            .await;
        assert_eq!(theirs.status, 404, "{}", theirs.text);
        let stranger_token = other.ngo_token().to_string();
        assert_eq!(draft(&app, &stranger_token, &grant).await.0, 404);
        let put = put_draft(
            &app,
            &stranger_token,
            &grant,
            json!({"version": 2, "form": {"narrative": "x"}}),
        )
        .await;
        assert_eq!(put.status, 404, "{}", put.text);
        let gone = app
            .request_as(
                &stranger_token,
                Method::DELETE,
                &format!("/api/v1/grants/{grant}/report-draft"),
                None,
                &[],
            )
            .await;
        assert_eq!(gone.status, 404, "{}", gone.text);
        assert_eq!(draft(&app, &token, &grant).await.1["version"], 2);

        // a sending that fails (the period ends before it starts) keeps the draft
        let today = Utc::now().date_naive();
        let (start, end) = ((today - Duration::days(60)).to_string(), today.to_string());
        let mut complete = owned(&[
            ("csrf", &csrf),
            ("once", &once),
            ("draft_version", "2"),
            ("action", "send"),
            ("kind", "interim"),
            ("period_start", &end),
            ("period_end", &start),
            ("sex_0", "female"),
            ("age_0", "adult"),
            ("form_0", "sexual"),
            ("count_0", "9"),
            ("people_to_date", "9"),
            ("service_shelter", "9"),
            ("line_0", "shelter"),
            ("spent_0", "1250.00"),
            ("narrative", "Le foyer a ouvert ses portes."),
        ]);
        let failed = ngo.post(&path, &refs(&complete)).await;
        assert_eq!(failed.status, 422, "{}", failed.text);
        assert!(
            failed.text.contains("Brouillon enregistré le"),
            "{}",
            failed.text
        );
        assert_eq!(draft(&app, &token, &grant).await.1["version"], 2);

        // sent: the report is in and the draft gone, in one go
        for (k, v) in complete.iter_mut() {
            match k.as_str() {
                "period_start" => *v = start.clone(),
                "period_end" => *v = end.clone(),
                _ => {}
            }
        }
        let sent = ngo.post(&path, &refs(&complete)).await;
        assert_eq!(sent.status, 303, "{}", sent.text);
        assert_eq!(draft(&app, &token, &grant).await.0, 404);
        let listed = app
            .get_as(&admin, &format!("/api/v1/grants/{grant}/reports"))
            .await;
        assert_eq!(listed.body["items"].as_array().map(Vec::len), Some(1));
        let empty = ngo.get(&path).await;
        assert!(!empty.text.contains("Brouillon enregistré le"));
        assert!(!empty.text.contains("Version de la collègue."));
    }
);

both_backends!(
    a_draft_through_the_api_and_discarded_from_the_page,
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
        let token = w.ngo_token().to_string();
        let url = format!("/api/v1/grants/{grant}/report-draft");

        // personal data in any field: 422 naming it, nothing stored
        let refused = put_draft(
            &app,
            &token,
            &grant,
            json!({"form": {"count_0": "amina.b@example.org", "narrative": "Bien."}}),
        )
        .await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert_eq!(refused.body["errors"][0]["field"], "form.count_0");
        let unknown = put_draft(&app, &token, &grant, json!({"form": {"password": "x"}})).await;
        assert_eq!(unknown.status, 422, "{}", unknown.text);
        assert_eq!(draft(&app, &token, &grant).await.0, 404);

        // a first draft, then a stale one
        let first = put_draft(&app, &token, &grant, json!({"form": {"kind": "interim"}})).await;
        assert_eq!(first.status, 200, "{}", first.text);
        assert_eq!(first.body["version"], 1);
        assert_eq!(first.header("etag").as_deref(), Some("\"1\""));
        let again = put_draft(&app, &token, &grant, json!({"form": {"kind": "interim"}})).await;
        assert_eq!(
            again.status, 200,
            "the same content is harmless: {}",
            again.text
        );
        assert_eq!(again.body["version"], 1);
        let blind = put_draft(&app, &token, &grant, json!({"form": {"kind": "final"}})).await;
        assert_eq!(blind.status, 409, "{}", blind.text);
        let second = put_draft(
            &app,
            &token,
            &grant,
            json!({"version": 1, "form": {"kind": "final"}}),
        )
        .await;
        assert_eq!(second.status, 200, "{}", second.text);
        assert_eq!(second.body["version"], 2);
        let stale = put_draft(
            &app,
            &token,
            &grant,
            json!({"version": 1, "form": {"kind": "interim", "narrative": "Autre."}}),
        )
        .await;
        assert_eq!(stale.status, 409, "{}", stale.text);
        assert_eq!(draft(&app, &token, &grant).await.1["form"]["kind"], "final");

        // a stale If-Match discards nothing
        let old = app
            .request_as(&token, Method::DELETE, &url, None, &[("if-match", "\"1\"")])
            .await;
        assert_eq!(old.status, 412, "{}", old.text);

        // discarded from the page (in Spanish), twice harmlessly
        app.user_with_password("ngo", "director@lagos.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::speaking(&app, "es");
        ngo.sign_in("director@lagos.example", PASSWORD).await;
        let path = format!("/grants/{grant}/report");
        let form = ngo.get(&path).await;
        assert!(form.text.contains("Borrador guardado el"), "{}", form.text);
        assert!(form.text.contains("Descartar el borrador"));
        let fields = [
            ("csrf", form.csrf()),
            ("draft_version", "2".to_string()),
            ("action", "discard".to_string()),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        for _ in 0..2 {
            let discarded = ngo.post(&path, &fields).await;
            assert_eq!(discarded.status, 303, "{}", discarded.text);
        }
        assert_eq!(draft(&app, &token, &grant).await.0, 404);
        let empty = ngo.get(&format!("{path}?draft=discarded")).await;
        assert!(
            empty.text.contains("El borrador se descartó"),
            "{}",
            empty.text
        );
        assert!(!empty.text.contains("Descartar el borrador"));
        let none = app
            .request_as(&token, Method::DELETE, &url, None, &[])
            .await;
        assert_eq!(none.status, 404, "{}", none.text);
    }
);
