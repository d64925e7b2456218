//! The OpenAPI document is the contract: checked with real tools against a running server
//! (`scripts/openapi-check`: a validator and a generated client; `scripts/schemathesis`, a
//! step of CI of its own), and on every answer the HTTP tests receive (`common::contract`,
//! called by the harness).

use crate::common::TestApp;
use trustfund::app::{Access, endpoints};

/// Runs `scripts/openapi-check`, which installs its PyPI tools on first use: the document
/// validates as OpenAPI 3.1, and a client generated from it creates an application and
/// reads it back.
#[test]
fn the_document_validates_and_a_generated_client_works() {
    let status = std::process::Command::new("scripts/openapi-check")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("TRUSTFUND_BIN", env!("CARGO_BIN_EXE_trustfund"))
        .status()
        .expect("scripts/openapi-check starts (it needs bash, curl and python3)");
    assert!(status.success(), "scripts/openapi-check failed: {status}");
}

/// The contract check fails a test on an answer outside the document: an undocumented
/// status, an undocumented content type, or a body that does not match the schema.
#[test]
#[should_panic(expected = "does not match its documented schema")]
fn an_answer_that_does_not_match_its_schema_fails_the_test() {
    crate::common::contract::check(
        "GET",
        "/api/v1/funds/01a23bc3-9e94-71b6-8666-5dc686e75585",
        200,
        "application/json",
        r#"{"id": 7, "code": "UNVTF"}"#,
    );
}

#[test]
#[should_panic(expected = "a status its OpenAPI operation does not document")]
fn an_undocumented_status_fails_the_test() {
    crate::common::contract::check("GET", "/api/v1/funds", 418, "application/json", "{}");
}

#[test]
#[should_panic(expected = "not a documented content type")]
fn an_error_answer_that_is_not_problem_json_fails_the_test() {
    crate::common::contract::check(
        "GET",
        "/api/v1/funds/01a23bc3-9e94-71b6-8666-5dc686e75585",
        404,
        "application/json",
        r#"{"code": "not_found"}"#,
    );
}

#[test]
fn enums_are_documented_in_their_wire_spelling() {
    let doc = serde_json::to_value(trustfund::app::openapi()).expect("document");
    let status = &doc["components"]["schemas"]["ApplicationStatus"]["enum"];
    let values: Vec<&str> = status
        .as_array()
        .expect("ApplicationStatus is an enum")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let wire: Vec<&str> = trustfund::applications::model::ApplicationStatus::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    assert_eq!(values, wire);
}

#[test]
fn query_parameters_are_in_the_query_and_path_parameters_in_the_path() {
    let doc = serde_json::to_value(trustfund::app::openapi()).expect("document");
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let name = parameter["name"].as_str().unwrap_or_default();
                let in_path = path.contains(&format!("{{{name}}}"));
                if (parameter["in"] == "path") != in_path {
                    wrong.push(format!("{method} {path}: {name} in {}", parameter["in"]));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "misplaced parameters: {wrong:?}");
}

both_backends!(
    every_public_route_answers_without_a_token,
    |app: TestApp| async move {
        let mut checked = 0;
        for endpoint in endpoints() {
            if endpoint.access != Access::Public || endpoint.method.as_str() != "GET" {
                continue;
            }
            let path = endpoint
                .path
                .replace("{id}", &uuid::Uuid::new_v4().to_string())
                .replace("{code}", "NOPE");
            let r = app.get(&path).await;
            assert_ne!(
                r.status, 401,
                "{} {} is declared public but asks for a token",
                endpoint.method, endpoint.path
            );
            checked += 1;
        }
        assert!(checked >= 5, "the route table lists public routes");
    }
);

/// The links that let a client (and schemathesis's stateful phase) chain create → read →
/// change: each names an operation of the document and fills only parameters it declares,
/// every path parameter of it included.
#[test]
fn links_lead_to_operations_and_fill_their_parameters() {
    let doc = serde_json::to_value(trustfund::app::openapi()).expect("document");
    let mut operations = std::collections::HashMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for operation in item.as_object().expect("path item").values() {
            if let Some(id) = operation["operationId"].as_str() {
                assert!(
                    operations
                        .insert(id.to_string(), (path.clone(), operation))
                        .is_none(),
                    "operationId {id} is not unique"
                );
            }
        }
    }
    let mut links = 0;
    let mut wrong = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            for (status, response) in operation["responses"].as_object().into_iter().flatten() {
                for (name, link) in response["links"].as_object().into_iter().flatten() {
                    links += 1;
                    let from = format!("{method} {path} {status} → {name}");
                    let target = link["operationId"].as_str().unwrap_or_default();
                    let Some((target_path, target_op)) = operations.get(target) else {
                        wrong.push(format!("{from}: no operation {target}"));
                        continue;
                    };
                    let declared = |place: &str, name: &str| {
                        target_op["parameters"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|p| p["in"] == place && p["name"].as_str() == Some(name))
                    };
                    let filled: Vec<&str> = link["parameters"]
                        .as_object()
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k.as_str())
                        .collect();
                    for key in &filled {
                        let (place, name) = key.split_once('.').unwrap_or(("", key));
                        if !declared(place, name) {
                            wrong.push(format!("{from}: {target} has no {key}"));
                        }
                    }
                    for segment in target_path.split('/') {
                        if let Some(name) =
                            segment.strip_prefix('{').and_then(|s| s.strip_suffix('}'))
                            && !filled.contains(&format!("path.{name}").as_str())
                        {
                            wrong.push(format!("{from}: path.{name} is not filled"));
                        }
                    }
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "links that cannot be followed: {wrong:#?}"
    );
    assert!(links >= 30, "the document has its links ({links})");
}
