//! Needs and offers of assistance over HTTP on both backends: a government's need and a
//! donor's offer are ranked with reasons, proposed, accepted (with the emails), and become
//! a registry project; bad input is refused naming the field with nothing changed; other
//! organisations get 404; unverified and restricted posts are not public.

use crate::common;

use common::TestApp;
use serde_json::{Value, json};

const NEEDS: &str = "/api/v1/registry/needs";
const OFFERS: &str = "/api/v1/registry/offers";
const MATCHES: &str = "/api/v1/registry/matches";

async fn organisation(
    app: &TestApp,
    admin: &str,
    name: &str,
    kind: &str,
    verified: bool,
) -> String {
    let r = app
        .post_as(
            admin,
            "/api/v1/organisations",
            json!({"name": name, "kind": kind, "country": "NG", "verified": verified}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

async fn email_of(app: &TestApp, token: &str) -> String {
    app.get_as(token, "/api/v1/me").await.body["email"]
        .as_str()
        .expect("email")
        .to_string()
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

fn need() -> Value {
    json!({
        "title": "Training for shelter staff in Lagos",
        "description": "Two shelters need their staff trained in trauma-informed care.",
        "country": "NG",
        "themes": ["protection.shelter", "prosecution.training"],
        "kinds": ["training", "funding"],
        "start_on": "2027-01-01",
        "end_on": "2027-12-31",
        "budget": "40000.00",
        "currency": "USD",
        "link": "https://justice.example.gov.ng/needs/shelters"
    })
}

fn offer() -> Value {
    json!({
        "title": "Trauma-informed care training",
        "description": "Our trainers run five-day courses for shelter staff.",
        "countries": ["NG", "GH"],
        "themes": ["protection.shelter"],
        "kinds": ["training"],
        "start_on": "2027-03-01",
        "end_on": "2028-02-28",
        "capacity": "25000.00",
        "currency": "USD"
    })
}

fn with(mut base: Value, changes: Value) -> Value {
    for (k, v) in changes.as_object().expect("object") {
        base[k] = v.clone();
    }
    base
}

both_backends!(
    a_need_and_an_offer_are_matched_accepted_and_become_a_project,
    |app: TestApp| async move {
        let admin = app.sign_in_as_admin();
        let gov = organisation(&app, &admin, "Ministry of Justice", "government", true).await;
        let donor = organisation(&app, &admin, "Nordic Aid", "foundation", true).await;
        let official = app.user_token("ngo", Some(&gov));
        let giver = app.user_token("donor", Some(&donor));

        let n = app.post_as(&official, NEEDS, need()).await;
        assert_eq!(n.status, 201, "{}", n.text);
        assert_eq!(n.body["organisation_id"], gov.as_str());
        assert_eq!(n.body["budget"], "40000.00");
        assert_eq!(n.body["public"], true);
        let need_id = id(&n.body);
        let o = app.post_as(&giver, OFFERS, offer()).await;
        assert_eq!(o.status, 201, "{}", o.text);
        let offer_id = id(&o.body);
        // another offer that fits less: the ranking puts it second
        let weaker = app
            .post_as(
                &giver,
                OFFERS,
                with(
                    offer(),
                    json!({"title": "Equipment for shelters", "kinds": ["equipment"], "themes": ["prevention"]}),
                ),
            )
            .await;
        assert_eq!(weaker.status, 201, "{}", weaker.text);

        // the need's matches list the offer first, with reasons (read by the public too)
        app.sign_out();
        let ranked = app.get(&format!("{NEEDS}/{need_id}/matches")).await;
        assert_eq!(ranked.status, 200, "{}", ranked.text);
        let items = ranked.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 2, "{}", ranked.text);
        assert_eq!(items[0]["offer"]["id"], offer_id.as_str());
        let best = items[0]["score"].as_f64().expect("score");
        assert!(best > items[1]["score"].as_f64().expect("score"));
        let factors: Vec<&str> = items[0]["reasons"]
            .as_array()
            .expect("reasons")
            .iter()
            .map(|r| r["factor"].as_str().expect("factor"))
            .collect();
        assert_eq!(factors, ["country", "themes", "kinds", "period", "money"]);
        assert!(
            items[0]["reasons"][4]["detail"]
                .as_str()
                .expect("detail")
                .contains("25000.00 USD covers 62% of the budget 40000.00 USD"),
            "{}",
            ranked.text
        );
        // and the offer's matches list the need
        let back = app.get(&format!("{OFFERS}/{offer_id}/matches")).await;
        assert_eq!(back.status, 200, "{}", back.text);
        assert_eq!(back.body["items"][0]["need"]["id"], need_id.as_str());
        assert_eq!(back.body["items"][0]["score"].as_f64(), Some(best));

        // the donor proposes; the government's member is told
        let p = app
            .post_as(
                &giver,
                MATCHES,
                json!({"need_id": need_id, "offer_id": offer_id}),
            )
            .await;
        assert_eq!(p.status, 201, "{}", p.text);
        assert_eq!(p.body["status"], "proposed");
        assert_eq!(p.body["proposed_side"], "offer");
        assert_eq!(p.body["awaiting_side"], "need");
        assert_eq!(p.body["score"].as_f64(), Some(best));
        let match_id = id(&p.body);
        let official_email = email_of(&app, &official).await;
        let mail = app.email_number(&official_email, 1).await;
        assert!(mail.decoded.contains("Nordic Aid"), "{}", mail.decoded);
        assert!(mail.decoded.contains("Training for shelter staff in Lagos"));
        assert!(mail.decoded.contains(&match_id));
        // proposing the same pair again is a conflict
        let again = app
            .post_as(
                &official,
                MATCHES,
                json!({"need_id": need_id, "offer_id": offer_id}),
            )
            .await;
        again.assert_problem(409, "duplicate");
        // the ranking shows the pending match
        let ranked = app
            .get_as(&official, &format!("{NEEDS}/{need_id}/matches"))
            .await;
        assert_eq!(ranked.body["items"][0]["match_id"], match_id.as_str());

        // the proposer cannot accept its own proposal; a stranger does not see it
        let own = app
            .post_as(&giver, &format!("{MATCHES}/{match_id}/accept"), json!({}))
            .await;
        own.assert_problem(403, "forbidden");
        let stranger_org = organisation(&app, &admin, "Elsewhere", "ngo", true).await;
        let stranger = app.user_token("ngo", Some(&stranger_org));
        let hidden = app
            .post_as(
                &stranger,
                &format!("{MATCHES}/{match_id}/accept"),
                json!({}),
            )
            .await;
        hidden.assert_problem(404, "not_found");
        let unseen = app
            .get_as(&stranger, &format!("{MATCHES}/{match_id}"))
            .await;
        unseen.assert_problem(404, "not_found");

        // the government's member accepts; the donor is told
        let a = app
            .post_as(
                &official,
                &format!("{MATCHES}/{match_id}/accept"),
                json!({}),
            )
            .await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(a.body["status"], "accepted");
        assert_eq!(a.body["version"], 2);
        let giver_email = email_of(&app, &giver).await;
        let mail = app.email_number(&giver_email, 1).await;
        assert!(
            mail.decoded.contains("Ministry of Justice"),
            "{}",
            mail.decoded
        );
        assert!(mail.decoded.contains("accepted"), "{}", mail.decoded);
        // accepting or declining again is a conflict
        let twice = app
            .post_as(
                &official,
                &format!("{MATCHES}/{match_id}/accept"),
                json!({}),
            )
            .await;
        twice.assert_problem(409, "invalid_state");
        let late = app
            .post_as(
                &official,
                &format!("{MATCHES}/{match_id}/decline"),
                json!({}),
            )
            .await;
        late.assert_problem(409, "invalid_state");

        // the match becomes a registry project, visible in the registry
        let made = app
            .post_as(&giver, &format!("{MATCHES}/{match_id}/project"), json!({}))
            .await;
        assert_eq!(made.status, 201, "{}", made.text);
        let project_id = made.body["project"]["id"]
            .as_str()
            .expect("project")
            .to_string();
        assert_eq!(made.body["match"]["project_id"], project_id.as_str());
        app.sign_out();
        let project = app
            .get(&format!("/api/v1/registry/projects/{project_id}"))
            .await;
        assert_eq!(project.status, 200, "{}", project.text);
        assert_eq!(project.body["title"], "Training for shelter staff in Lagos");
        assert_eq!(project.body["reporting_org_id"], gov.as_str());
        assert_eq!(project.body["countries"], json!(["NG"]));
        assert_eq!(project.body["themes"], json!(["protection.shelter"]));
        assert_eq!(project.body["start_on"], "2027-03-01");
        assert_eq!(project.body["end_on"], "2027-12-31");
        assert_eq!(project.body["budget"], "25000.00");
        assert!(project.text.contains(&donor), "{}", project.text);
        // only once
        let twice = app
            .post_as(
                &official,
                &format!("{MATCHES}/{match_id}/project"),
                json!({}),
            )
            .await;
        twice.assert_problem(409, "invalid_state");
        assert_eq!(app.count("registry_projects"), 1);

        // the audit trail has each step
        let trail = app
            .get_as(
                &admin,
                &format!("/api/v1/audit-events?entity=need_offer_match&entity_id={match_id}"),
            )
            .await;
        assert_eq!(trail.status, 200, "{}", trail.text);
        let mut actions: Vec<&str> = trail.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|e| e["action"].as_str().expect("action"))
            .collect();
        actions.sort();
        assert_eq!(actions, ["accept", "propose", "register"]);
    }
);

both_backends!(
    bad_input_is_refused_naming_the_field_and_changes_nothing,
    |app: TestApp| async move {
        let admin = app.sign_in_as_admin();
        let gov = organisation(&app, &admin, "Ministry of Interior", "government", true).await;
        let donor = organisation(
            &app,
            &admin,
            "Trafficking Response Fund",
            "foundation",
            true,
        )
        .await;
        let official = app.user_token("ngo", Some(&gov));
        let giver = app.user_token("donor", Some(&donor));

        // unknown country and theme, empty kinds, a link that is not https
        for (change, field) in [
            (json!({"country": "XX"}), "country"),
            (json!({"themes": ["cooking"]}), "themes[0]"),
            (json!({"kinds": []}), "kinds"),
            (json!({"link": "http://justice.example/needs"}), "link"),
            (json!({"link": "javascript:alert(1)"}), "link"),
            (json!({"end_on": "2026-12-31"}), "end_on"),
            (json!({"currency": "XYZ"}), "currency"),
        ] {
            let r = app.post_as(&official, NEEDS, with(need(), change)).await;
            assert_eq!(
                r.assert_problem(422, "validation_failed"),
                [field],
                "{}",
                r.text
            );
        }
        let r = app
            .post_as(
                &giver,
                OFFERS,
                with(offer(), json!({"countries": ["NG", "ZZ"]})),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), ["countries[1]"]);
        let r = app
            .post_as(&giver, OFFERS, with(offer(), json!({"kinds": ["cooking"]})))
            .await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(app.count("needs"), 0);
        assert_eq!(app.count("offers"), 0);

        // a member may not post for another organisation: 404
        let r = app
            .post_as(
                &official,
                NEEDS,
                with(need(), json!({"organisation_id": donor})),
            )
            .await;
        r.assert_problem(404, "not_found");

        let need_id = id(&app.post_as(&official, NEEDS, need()).await.body);
        let own_offer = app.post_as(&official, OFFERS, offer()).await;
        assert_eq!(own_offer.status, 201, "{}", own_offer.text);
        // an offer whose period has ended (posted by the secretariat for the donor, as
        // one recorded late)
        let ended = app
            .post_as(
                &admin,
                OFFERS,
                with(
                    offer(),
                    json!({"organisation_id": donor, "start_on": "2024-01-01", "end_on": "2024-12-31"}),
                ),
            )
            .await;
        assert_eq!(ended.status, 201, "{}", ended.text);
        let apart = app
            .post_as(
                &giver,
                OFFERS,
                with(
                    offer(),
                    json!({"start_on": "2028-06-01", "end_on": "2028-12-31"}),
                ),
            )
            .await;
        let elsewhere = app
            .post_as(&giver, OFFERS, with(offer(), json!({"countries": ["GH"]})))
            .await;
        for (offer, who) in [
            (&own_offer, &official),
            (&ended, &giver),
            (&apart, &giver),
            (&elsewhere, &giver),
        ] {
            let r = app
                .post_as(
                    who,
                    MATCHES,
                    json!({"need_id": need_id, "offer_id": id(&offer.body)}),
                )
                .await;
            assert_eq!(
                r.assert_problem(422, "validation_failed"),
                ["offer_id"],
                "{}",
                r.text
            );
        }
        let r = app
            .post_as(
                &giver,
                MATCHES,
                json!({"need_id": "not-an-id", "offer_id": id(&apart.body)}),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), ["need_id"]);
        // none of the offers is a candidate either
        let ranked = app
            .get_as(&official, &format!("{NEEDS}/{need_id}/matches"))
            .await;
        assert_eq!(ranked.body["items"], json!([]), "{}", ranked.text);
        assert_eq!(app.count("need_offer_matches"), 0);

        // a member of another organisation editing the need: 404, nothing changed
        let path = format!("{NEEDS}/{need_id}");
        let r = app
            .patch_as(&giver, &path, json!({"title": "Taken over"}), Some("\"1\""))
            .await;
        r.assert_problem(404, "not_found");
        // a bad edit by its own member: 422 naming the field, nothing changed
        let r = app
            .patch_as(
                &official,
                &path,
                json!({"link": "ftp://x.example/"}),
                Some("\"1\""),
            )
            .await;
        assert_eq!(r.assert_problem(422, "validation_failed"), ["link"]);
        let r = app
            .patch_as(&official, &path, json!({"title": "Late"}), Some("\"7\""))
            .await;
        r.assert_problem(412, "precondition_failed");
        let read = app.get_as(&official, &path).await;
        assert_eq!(read.body["title"], "Training for shelter staff in Lagos");
        assert_eq!(read.body["version"], 1);
        // a good edit, then closing it
        let r = app
            .patch_as(
                &official,
                &path,
                json!({"budget": null, "status": "closed"}),
                Some("\"1\""),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["budget"], Value::Null);
        assert_eq!(r.body["currency"], Value::Null);
        assert_eq!(r.body["status"], "closed");
        assert_eq!(r.body["version"], 2);
    }
);

both_backends!(
    unverified_and_restricted_needs_and_offers_are_not_public,
    |app: TestApp| async move {
        let admin = app.sign_in_as_admin();
        let verified = organisation(&app, &admin, "Verified Agency", "government", true).await;
        let unverified = organisation(&app, &admin, "New Agency", "government", false).await;
        let donor = organisation(&app, &admin, "Open Donor", "foundation", true).await;
        let member = app.user_token("ngo", Some(&verified));
        let newcomer = app.user_token("ngo", Some(&unverified));
        let giver = app.user_token("donor", Some(&donor));

        let public = id(&app.post_as(&member, NEEDS, need()).await.body);
        let restricted = app
            .post_as(&member, NEEDS, with(need(), json!({"restricted": true})))
            .await;
        assert_eq!(restricted.body["public"], false, "{}", restricted.text);
        let restricted = id(&restricted.body);
        let pending = app.post_as(&newcomer, NEEDS, need()).await;
        assert_eq!(
            pending.body["awaiting_verification"], true,
            "{}",
            pending.text
        );
        let pending = id(&pending.body);
        let secret_offer = id(&app
            .post_as(&giver, OFFERS, with(offer(), json!({"restricted": true})))
            .await
            .body);

        app.sign_out();
        for hidden in [&restricted, &pending] {
            let r = app.get(&format!("{NEEDS}/{hidden}")).await;
            r.assert_problem(404, "not_found");
            let r = app.get(&format!("{NEEDS}/{hidden}/matches")).await;
            r.assert_problem(404, "not_found");
        }
        app.get(&format!("{OFFERS}/{secret_offer}"))
            .await
            .assert_problem(404, "not_found");
        let r = app.get(&format!("{NEEDS}/{public}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let list = app.get(&format!("{NEEDS}?country=NG")).await;
        assert_eq!(list.status, 200, "{}", list.text);
        let ids: Vec<&str> = list.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|n| n["id"].as_str().expect("id"))
            .collect();
        assert_eq!(ids, [public.as_str()]);
        assert_eq!(app.get(OFFERS).await.body["items"], json!([]));
        // the restricted offer is not ranked for the public, but is for its own members
        let ranked = app.get(&format!("{NEEDS}/{public}/matches")).await;
        assert_eq!(ranked.body["items"], json!([]), "{}", ranked.text);
        let ranked = app
            .get_as(&giver, &format!("{NEEDS}/{public}/matches"))
            .await;
        assert_eq!(
            ranked.body["items"][0]["offer"]["id"],
            secret_offer.as_str()
        );

        // their own members and the secretariat see them
        let r = app.get_as(&member, &format!("{NEEDS}/{restricted}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app.get_as(&newcomer, &format!("{NEEDS}/{pending}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let all = app.get_as(&admin, &format!("{NEEDS}?status=all")).await;
        assert_eq!(all.body["items"].as_array().expect("items").len(), 3);
        // another organisation's member does not
        let r = app.get_as(&giver, &format!("{NEEDS}/{restricted}")).await;
        r.assert_problem(404, "not_found");

        // verifying the organisation makes its need public
        let r = app
            .patch_as(
                &admin,
                &format!("/api/v1/organisations/{unverified}"),
                json!({"verified": true}),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app.get(&format!("{NEEDS}/{pending}")).await;
        assert_eq!(r.status, 200, "{}", r.text);

        // bad list queries are 422
        let r = app.get(&format!("{NEEDS}?country=XX")).await;
        assert_eq!(r.assert_problem(422, "validation_failed"), ["country"]);
        let r = app.get(&format!("{NEEDS}/{public}/matches?limit=0")).await;
        assert_eq!(r.assert_problem(422, "validation_failed"), ["limit"]);
    }
);
