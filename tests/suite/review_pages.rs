//! The reviewer's and the trustees' pages as a browser uses them: a reviewer in French
//! declares before seeing anything of the application, scores out of range are refused
//! beside the field, a stale or repeated form changes nothing, a submission is whole or not
//! at all, a declared conflict ends the assignment, another reviewer's assignment is a 404;
//! a trustee reads the ranking with its funding line and flags and records a decision once,
//! with the API's refusals said beside the fields; an NGO is refused the ranking.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::TestApp;
use crate::common::browser::{Answer, Browser};
use crate::common::world::{World, default_application};

const PASSWORD: &str = "lantern river shelter 42";

/// The page as a reader sees it: minijinja writes `/` as `&#x2f;`; amounts are read with
/// plain spaces (`web::format`'s no-break spaces are tested there).
fn plain(answer: &Answer) -> String {
    answer
        .text
        .replace("&#x2f;", "/")
        .replace(['\u{a0}', '\u{202f}'], " ")
}

async fn assign(app: &TestApp, admin: &str, application: &str, reviewer: &str) -> String {
    let r = app
        .post_as(
            admin,
            &format!("/api/v1/applications/{application}/assignments"),
            json!({"reviewer_id": reviewer}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

async fn assignment(app: &TestApp, admin: &str, id: &str) -> Value {
    let r = app
        .get_as(admin, &format!("/api/v1/assignments/{id}"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// A reviewer with an API token declares no conflict, scores `relevance` and submits.
async fn reviewed(app: &TestApp, admin: &str, application: &str, relevance: i64) {
    let (id, token) = app.user_with_funds("reviewer", None, &[]);
    let a = assign(app, admin, application, &id).await;
    let r = app
        .post_as(
            &token,
            &format!("/api/v1/assignments/{a}/conflict"),
            json!({"has_conflict": false}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .request_as(
            &token,
            Method::PUT,
            &format!("/api/v1/assignments/{a}/review"),
            Some(json!({"scores": {"relevance": relevance}, "comment": "ok",
                        "recommendation": "fund"})),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post_as(
            &token,
            &format!("/api/v1/assignments/{a}/submit"),
            json!({}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
}

both_backends!(
    a_reviewer_declares_first_then_scores_and_submits_once,
    |app: TestApp| async move {
        let mut content = default_application("Shelter in Lagos", "15000.00");
        content["budget"][0]["description"] = json!("rent of the safe house");
        let w = World::board(&app)
            .application_with(content)
            .submitted()
            .screened()
            .under_review("Legal aid in Accra", "9000.00")
            .await;
        let apps = w.applications();
        let admin = w.admin.clone();
        let me = app.user_with_password("reviewer", "expert@review.example", PASSWORD, None);
        let mine = assign(&app, &admin, &apps[0], &me).await;
        let conflicted = assign(&app, &admin, &apps[1], &me).await;

        let mut browser = Browser::speaking(&app, "fr");
        assert_eq!(
            browser
                .sign_in("expert@review.example", PASSWORD)
                .await
                .status,
            303
        );
        let home = browser.get("/home").await;
        assert!(plain(&home).contains("href=\"/reviews\""), "{}", home.text);
        let list = browser.get("/reviews").await;
        assert_eq!(list.status, 200, "{}", list.text);
        assert!(list.text.contains("Shelter in Lagos"));
        assert!(list.text.contains("Conflit d’intérêts à déclarer"));

        // before the declaration: the form, the title, nothing of the content
        let path = format!("/reviews/{mine}");
        let page = browser.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("avez-vous un conflit d’intérêts"));
        assert!(page.text.contains("Shelter in Lagos"));
        for hidden in [
            "Shelter and legal aid for survivors.",
            "rent of the safe house",
            "score_relevance",
        ] {
            assert!(
                !page.text.contains(hidden),
                "{hidden} shown before declaring"
            );
        }
        let csrf = page.csrf();
        let version = page.field("version");
        let declare = format!("{path}/declare");

        // no CSRF token: refused, nothing declared
        let forged = browser
            .post(&declare, &[("version", &version), ("conflict", "no")])
            .await;
        assert_eq!(forged.status, 403);
        assert_eq!(
            assignment(&app, &admin, &mine).await["status"],
            "awaiting_declaration"
        );
        // no choice made: said beside the choice
        let blank = browser
            .post(&declare, &[("csrf", &csrf), ("version", &version)])
            .await;
        assert_eq!(blank.status, 422, "{}", blank.text);
        assert!(
            blank
                .error_beside("conflict")
                .is_some_and(|e| e.contains("Choisissez")),
            "{}",
            blank.text
        );

        let declared = browser
            .post(
                &declare,
                &[("csrf", &csrf), ("version", &version), ("conflict", "no")],
            )
            .await;
        assert_eq!(declared.status, 303, "{}", declared.text);
        let page = browser.get(&declared.location.expect("back")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("Shelter and legal aid for survivors."));
        assert!(plain(&page).contains("15 000,00 USD"), "{}", page.text);
        assert!(page.text.contains("rent of the safe house"));
        assert!(page.text.contains("name=\"score_relevance\""));
        // the same declaration posted again (a second click): said, declared once
        let again = browser
            .post(
                &declare,
                &[("csrf", &csrf), ("version", &version), ("conflict", "no")],
            )
            .await;
        assert_eq!(again.status, 409, "{}", again.text);
        assert!(again.text.contains("Rien n’a été modifié"));

        // a score out of its range: refused beside the field, in French, what was typed kept
        let version = page.field("version");
        let save = format!("{path}/save");
        let submit = format!("{path}/submit");
        let out_of_range = browser
            .post(
                &save,
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("score_relevance", "11"),
                    ("comment", "Plan solide."),
                ],
            )
            .await;
        assert_eq!(out_of_range.status, 422, "{}", out_of_range.text);
        assert_eq!(
            out_of_range.error_beside("score_relevance").as_deref(),
            Some("Indiquez un nombre entier de 0 à 10.")
        );
        assert!(out_of_range.text.contains("value=\"11\""));
        assert!(out_of_range.text.contains("Plan solide."));
        assert_eq!(
            assignment(&app, &admin, &mine).await["version"].to_string(),
            version
        );

        // saved as a draft
        let saved = browser
            .post(
                &save,
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("score_relevance", "8"),
                    ("comment", "Plan solide."),
                    ("recommendation", "fund"),
                ],
            )
            .await;
        assert_eq!(saved.status, 303, "{}", saved.text);
        let page = browser.get(&saved.location.expect("back")).await;
        assert!(page.text.contains("value=\"8\""), "{}", page.text);
        assert!(page.text.contains("Votre brouillon est enregistré"));
        let fresh = page.field("version");

        // a form older than the draft: nothing submitted
        let stale = browser
            .post(
                &submit,
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("score_relevance", "8"),
                    ("recommendation", "fund"),
                ],
            )
            .await;
        assert_eq!(stale.status, 409, "{}", stale.text);
        assert!(stale.text.contains("Rien n’a été modifié"));
        // a criterion left blank: the submission is refused whole, the draft kept
        let missing = browser
            .post(
                &submit,
                &[
                    ("csrf", &csrf),
                    ("version", &fresh),
                    ("score_relevance", ""),
                    ("recommendation", "fund"),
                ],
            )
            .await;
        assert_eq!(missing.status, 422, "{}", missing.text);
        assert_eq!(
            missing.error_beside("score_relevance").as_deref(),
            Some("Notez ce critère avant d’envoyer.")
        );
        let kept = assignment(&app, &admin, &mine).await;
        assert_eq!(kept["submitted_at"], Value::Null);
        assert_eq!(kept["version"].to_string(), fresh);

        // submitted, then the same form again: submitted once
        let form = [
            ("csrf", csrf.as_str()),
            ("version", fresh.as_str()),
            ("score_relevance", "9"),
            ("comment", "Plan solide et budget réaliste."),
            ("recommendation", "fund"),
        ];
        let submitted = browser.post(&submit, &form).await;
        assert_eq!(submitted.status, 303, "{}", submitted.text);
        let page = browser.get(&submitted.location.expect("back")).await;
        assert!(page.text.contains("Envoyée le"), "{}", page.text);
        assert!(page.text.contains("9 sur 10"));
        assert!(!page.text.contains("name=\"score_relevance\""));
        let done = assignment(&app, &admin, &mine).await;
        assert_ne!(done["submitted_at"], Value::Null);
        assert_eq!(done["scores"]["relevance"], 9);
        let twice = browser.post(&submit, &form).await;
        assert_eq!(twice.status, 409, "{}", twice.text);
        assert_eq!(
            assignment(&app, &admin, &mine).await["version"],
            done["version"]
        );

        // a conflict must be described, then it ends the assignment
        let path = format!("/reviews/{conflicted}");
        let page = browser.get(&path).await;
        let version = page.field("version");
        let declare = format!("{path}/declare");
        let undescribed = browser
            .post(
                &declare,
                &[("csrf", &csrf), ("version", &version), ("conflict", "yes")],
            )
            .await;
        assert_eq!(undescribed.status, 422, "{}", undescribed.text);
        assert!(undescribed.error_beside("statement").is_some());
        let recused = browser
            .post(
                &declare,
                &[
                    ("csrf", &csrf),
                    ("version", &version),
                    ("conflict", "yes"),
                    (
                        "statement",
                        "J’ai conseillé cette organisation l’an dernier.",
                    ),
                ],
            )
            .await;
        assert_eq!(recused.status, 303, "{}", recused.text);
        let page = browser.get(&path).await;
        assert!(
            page.text
                .contains("Vous avez déclaré un conflit d’intérêts")
        );
        assert!(page.text.contains("conseillé cette organisation"));
        assert!(!page.text.contains("Shelter and legal aid for survivors."));
        assert!(!page.text.contains("name=\"score_relevance\""));
        assert_eq!(
            assignment(&app, &admin, &conflicted).await["status"],
            "recused"
        );

        // another reviewer's assignment: not found, and it cannot be declared
        app.user_with_password("reviewer", "other@review.example", PASSWORD, None);
        let mut other = Browser::speaking(&app, "fr");
        other.sign_in("other@review.example", PASSWORD).await;
        let theirs = other.get(&format!("/reviews/{mine}")).await;
        assert_eq!(theirs.status, 404, "{}", theirs.text);
        let home = other.get("/home").await;
        let csrf = home.csrf();
        let forged = other
            .post(
                &format!("/reviews/{conflicted}/declare"),
                &[("csrf", &csrf), ("version", "1"), ("conflict", "no")],
            )
            .await;
        assert_eq!(forged.status, 404, "{}", forged.text);
        assert_eq!(other.get("/reviews/not-an-id").await.status, 404);
    }
);

both_backends!(
    trustees_read_the_ranking_and_record_a_decision_once,
    |app: TestApp| async move {
        let w = World::board(&app)
            .received("50000.00")
            .under_review("Shelter in Lagos", "15000.00")
            .await;
        let (admin, application) = (w.admin.clone(), w.application_id().to_string());
        let (fund, call) = (w.fund_id().to_string(), w.call_id().to_string());
        // two reviews far apart: 2 and 9 out of 10
        reviewed(&app, &admin, &application, 2).await;
        reviewed(&app, &admin, &application, 9).await;

        // a trustee of the fund who signs in, present at today's session with two others
        let me = app.user_with_password("trustee", "board@fund.example", PASSWORD, None);
        {
            let mut conn = app.pool.get().expect("connection");
            trustfund::auth::store::add_fund(&mut conn, &me, &fund).expect("add fund");
        }
        let others = w.trustee_list();
        let session = app
            .post_as(
                &admin,
                &format!("/api/v1/funds/{fund}/board-sessions"),
                json!({"held_on": chrono::Utc::now().date_naive().to_string(),
                       "trustee_ids": [me, others[0].0, others[1].0]}),
            )
            .await;
        assert_eq!(session.status, 201, "{}", session.text);
        let session = session.body["id"].as_str().expect("id").to_string();

        let mut trustee = Browser::speaking(&app, "en");
        assert_eq!(
            trustee.sign_in("board@fund.example", PASSWORD).await.status,
            303
        );
        let home = trustee.get("/home").await;
        assert!(plain(&home).contains("href=\"/board\""), "{}", home.text);
        let board = trustee.get("/board").await;
        assert_eq!(board.status, 200, "{}", board.text);
        assert!(plain(&board).contains(&format!("/calls/{call}/ranking")));
        assert!(plain(&board).contains(&format!("/board-sessions/{session}")));

        let ranking = trustee.get(&format!("/calls/{call}/ranking")).await;
        assert_eq!(ranking.status, 200, "{}", ranking.text);
        assert!(ranking.text.contains("Shelter in Lagos"));
        assert!(ranking.text.contains("55.00"), "{}", ranking.text);
        assert!(
            ranking
                .text
                .contains("Reviewers disagree: 70.00 points apart.")
        );
        assert!(ranking.text.contains("2 reviews"));
        assert!(plain(&ranking).contains("1 application fits, for 15,000.00 USD"));
        assert!(ranking.text.contains("within the funding line"));

        // an NGO reads no ranking
        app.user_with_password("ngo", "ngo@lagos.example", PASSWORD, Some(w.org_id()));
        let mut ngo = Browser::speaking(&app, "en");
        ngo.sign_in("ngo@lagos.example", PASSWORD).await;
        let refused = ngo.get(&format!("/calls/{call}/ranking")).await;
        assert_eq!(refused.status, 403, "{}", refused.text);
        assert!(!refused.text.contains("Shelter in Lagos"));
        assert_eq!(
            ngo.get(&format!("/board-sessions/{session}")).await.status,
            403
        );

        // the session's page and its decision form
        let path = format!("/board-sessions/{session}");
        let page = trustee.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert!(page.text.contains("Record a decision"));
        let csrf = page.csrf();
        let once = page.field("once");
        let decide = format!("{path}/decisions");
        // more than requested, and no rationale: each said beside its field, nothing recorded
        let wrong = trustee
            .post(
                &decide,
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("application_id", &application),
                    ("outcome", "approved"),
                    ("approved_amount", "99000.00"),
                    ("rationale", "Ranked first."),
                ],
            )
            .await;
        assert_eq!(wrong.status, 422, "{}", wrong.text);
        assert!(
            wrong
                .error_beside("approved_amount")
                .is_some_and(|e| e.contains("no more than what was requested")),
            "{}",
            wrong.text
        );
        assert!(wrong.text.contains("value=\"99000.00\""));
        let blank = trustee
            .post(
                &decide,
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("application_id", &application),
                    ("outcome", "approved"),
                    ("approved_amount", "15000.00"),
                ],
            )
            .await;
        assert_eq!(blank.status, 422, "{}", blank.text);
        assert!(blank.error_beside("rationale").is_some(), "{}", blank.text);
        // a plan that does not add up to the amount approved, and a day that is not one:
        // said beside the plan by instalment, what was typed kept
        let today = chrono::Utc::now().date_naive().to_string();
        let uneven = trustee
            .post(
                &decide,
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("application_id", &application),
                    ("outcome", "approved"),
                    ("approved_amount", "15000.00"),
                    ("rationale", "Ranked first."),
                    ("amount_0", "10000.00"),
                    ("due_0", &today),
                    ("release_0", "on_signature"),
                    ("amount_1", "4000.00"),
                    ("due_1", &today),
                    ("release_1", "interim"),
                ],
            )
            .await;
        assert_eq!(uneven.status, 422, "{}", uneven.text);
        assert_eq!(
            uneven.error_beside("instalments").as_deref(),
            Some("The instalments must add up to the amount approved.")
        );
        assert!(uneven.text.contains("value=\"4000.00\""));
        let undated = trustee
            .post(
                &decide,
                &[
                    ("csrf", &csrf),
                    ("once", &once),
                    ("application_id", &application),
                    ("outcome", "approved"),
                    ("approved_amount", "15000.00"),
                    ("rationale", "Ranked first."),
                    ("amount_1", "15000.00"),
                    ("due_1", "next month"),
                ],
            )
            .await;
        assert_eq!(undated.status, 422, "{}", undated.text);
        assert!(
            undated
                .error_beside("instalments")
                .is_some_and(|e| e.starts_with("Instalment 2:")),
            "{}",
            undated.text
        );
        // without the CSRF token: refused
        let forged = trustee
            .post(
                &decide,
                &[
                    ("once", &once),
                    ("application_id", &application),
                    ("outcome", "rejected"),
                    ("rationale", "No."),
                ],
            )
            .await;
        assert_eq!(forged.status, 403);

        let form = [
            ("csrf", csrf.as_str()),
            ("once", once.as_str()),
            ("application_id", application.as_str()),
            ("outcome", "approved"),
            ("approved_amount", "15000.00"),
            ("conditions", "Quarterly updates."),
            ("rationale", "Ranked first, within the funding line."),
            ("amount_0", "10000.00"),
            ("due_0", today.as_str()),
            ("release_0", "on_signature"),
            ("amount_1", "5000.00"),
            ("due_1", today.as_str()),
            ("release_1", "interim"),
        ];
        let recorded = trustee.post(&decide, &form).await;
        assert_eq!(recorded.status, 303, "{}", recorded.text);
        // posted again (a double click): the same answer, one decision
        let again = trustee.post(&decide, &form).await;
        assert_eq!(again.status, 303, "{}", again.text);
        let r = app
            .get_as(&admin, &format!("/api/v1/board-sessions/{session}"))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let decisions = r.body["decisions"].as_array().expect("decisions");
        assert_eq!(decisions.len(), 1, "{}", r.text);
        assert_eq!(decisions[0]["outcome"], "approved");
        assert_eq!(decisions[0]["approved_amount"], "15000.00");
        // the plan typed on the page is the grant's
        let grant = decisions[0]["grant_id"].as_str().expect("a grant");
        let r = app.get_as(&admin, &format!("/api/v1/grants/{grant}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let instalments = r.body["instalments"].as_array().expect("instalments");
        assert_eq!(instalments.len(), 2, "{}", r.text);
        assert_eq!(instalments[1]["condition"], "on_report_accepted");
        assert_eq!(instalments[1]["report_kind"], "interim");
        let page = trustee.get(&recorded.location.expect("back")).await;
        assert!(
            page.text.contains("The decision is recorded"),
            "{}",
            page.text
        );
        assert!(page.text.contains("Ranked first, within the funding line."));
        assert!(plain(&page).contains("15,000.00 USD"));
        // nothing is left to decide, and a new form for it is refused by the API's rules
        assert!(page.text.contains("No application of this fund is waiting"));
        let late = trustee
            .post(
                &decide,
                &[
                    ("csrf", &csrf),
                    ("once", "another-form"),
                    ("application_id", &application),
                    ("outcome", "rejected"),
                    ("rationale", "Changed our mind."),
                ],
            )
            .await;
        assert_eq!(late.status, 409, "{}", late.text);
        assert!(
            late.error_beside("application_id")
                .is_some_and(|e| e.contains("already decided")),
            "{}",
            late.text
        );

        // a trustee of the fund who was not at the session records nothing: the API's rule,
        // said beside the application
        let absent = app.user_with_password("trustee", "absent@fund.example", PASSWORD, None);
        {
            let mut conn = app.pool.get().expect("connection");
            trustfund::auth::store::add_fund(&mut conn, &absent, &fund).expect("add fund");
        }
        let mut away = Browser::speaking(&app, "en");
        away.sign_in("absent@fund.example", PASSWORD).await;
        let page = away.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let refused = away
            .post(
                &decide,
                &[
                    ("csrf", &page.csrf()),
                    ("once", "absent-form"),
                    ("application_id", &application),
                    ("outcome", "rejected"),
                    ("rationale", "I was not there."),
                ],
            )
            .await;
        assert_eq!(refused.status, 409, "{}", refused.text);
        assert!(
            refused
                .error_beside("application_id")
                .is_some_and(|e| e.starts_with("Only a trustee present at this session")),
            "{}",
            refused.text
        );
        // a trustee of no board of this fund: the ranking and the session are not found
        app.user_with_password("trustee", "elsewhere@fund.example", PASSWORD, None);
        let mut stranger = Browser::speaking(&app, "en");
        stranger.sign_in("elsewhere@fund.example", PASSWORD).await;
        assert_eq!(
            stranger.get(&format!("/calls/{call}/ranking")).await.status,
            404
        );
        assert_eq!(stranger.get(&path).await.status, 404);
        assert_eq!(
            app.get_as(&admin, &format!("/api/v1/board-sessions/{session}"))
                .await
                .body["decisions"]
                .as_array()
                .map(Vec::len),
            Some(1)
        );
    }
);
