//! The OpenAPI contract, checked on every answer a test receives through the harness: the
//! status must be one the operation documents, the content type one documented for that
//! status, and a JSON body must match the documented schema. A test whose server answers
//! outside its own document fails, naming the operation and what differs.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::Value;

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    serde_json::to_value(trustfund::app::openapi()).expect("the OpenAPI document serialises")
});

static VALIDATORS: LazyLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> =
    LazyLock::new(Default::default);

/// The document's path template matching `path`, and its path item; the template with the
/// most literal segments wins. `None` for a path the API does not have.
fn path_item(path: &str) -> Option<(&'static str, &'static Value)> {
    let segments: Vec<&str> = path.split('/').collect();
    DOCUMENT["paths"]
        .as_object()?
        .iter()
        .filter_map(|(template, item)| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (part, segment) in parts.iter().zip(&segments) {
                if part.starts_with('{') && part.ends_with('}') {
                    if segment.is_empty() {
                        return None;
                    }
                } else if part == segment {
                    literal += 1;
                } else {
                    return None;
                }
            }
            Some((literal, template.as_str(), item))
        })
        .max_by_key(|(literal, _, _)| *literal)
        .map(|(_, template, item)| (template, item))
}

/// The validator of one documented schema; `#/components/...` references resolve against
/// the whole document.
fn validator(key: String, schema: &Value) -> Arc<jsonschema::Validator> {
    let mut cache = VALIDATORS.lock().expect("validator cache");
    cache
        .entry(key)
        .or_insert_with(|| {
            let mut root = schema.clone();
            if let Value::Object(map) = &mut root {
                map.insert("components".into(), DOCUMENT["components"].clone());
            }
            let built = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft202012)
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("documented schema does not compile: {e}: {schema}"));
            Arc::new(built)
        })
        .clone()
}

/// Fails when an answer to `method path` is not one its OpenAPI operation documents.
/// Unknown paths and methods (the 404 and 405 of the router) are not operations.
pub fn check(method: &str, path_and_query: &str, status: u16, content_type: &str, body: &str) {
    let path = path_and_query.split('?').next().unwrap_or_default();
    let Some((template, item)) = path_item(path) else {
        return;
    };
    let Some(operation) = item.get(method.to_ascii_lowercase()) else {
        return;
    };
    let what = format!("{method} {template} answered {status}");
    let Some(response) = operation["responses"].get(status.to_string()) else {
        panic!("{what}, a status its OpenAPI operation does not document; body: {body}");
    };
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        assert!(
            body.is_empty(),
            "{what} with a body ({content_type}) the document says it has none: {body}"
        );
        return;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    let Some(media) = content.get(&essence) else {
        panic!(
            "{what} as {content_type:?}, not a documented content type ({:?}); body: {body}",
            content.keys().collect::<Vec<_>>()
        );
    };
    if !(essence == "application/json" || essence.ends_with("+json")) {
        return;
    }
    let Some(schema) = media.get("schema") else {
        return;
    };
    let instance: Value = serde_json::from_str(body).unwrap_or_else(|e| {
        panic!("{what} as {essence} with a body that is not JSON ({e}): {body}")
    });
    let key = format!("{method} {template} {status} {essence}");
    let validator = validator(key, schema);
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: the body does not match its documented schema:\n  {}\nbody: {body}",
        errors.join("\n  ")
    );
}
