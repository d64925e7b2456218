//! Assembles the OpenAPI document from the route table: each endpoint's own operation and
//! schemas, the bearer scheme, and the `application/problem+json` answers an operation can
//! give, derived from its shape so that they cannot drift from the code that produces them.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};

use crate::app::Endpoint;
use crate::error::{ErrorCode, PROBLEM_CONTENT_TYPE};

mod inputs;
mod links;

/// `base` (title, shared schemas) completed with every endpoint of `endpoints`.
pub fn document(mut base: OpenApi, endpoints: Vec<Endpoint>) -> OpenApi {
    let components = base.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    for endpoint in endpoints {
        for (name, schema) in endpoint.schemas {
            components.schemas.entry(name).or_insert(schema);
        }
        base.paths.merge(endpoint.doc);
    }
    if let Some(download) = base
        .paths
        .paths
        .get_mut(DOCUMENT_DOWNLOAD)
        .and_then(|item| item.get.as_mut())
    {
        document_types(download);
    }
    for (path, item) in base.paths.paths.iter_mut() {
        if let Some(edit) = item.patch.as_mut() {
            require_if_match(edit);
        }
        for (write, operation) in operations(item) {
            complete(path, write, operation);
        }
    }
    inputs::constrain(&mut base);
    links::add(&mut base.paths);
    base
}

const DOCUMENT_DOWNLOAD: &str = "/api/v1/applications/{id}/documents/{doc_id}";

/// A document is sent with the type judged from its bytes at upload: one of the kinds
/// `documents::detect` knows.
fn document_types(download: &mut Operation) {
    let Some(RefOr::T(ok)) = download.responses.responses.get_mut("200") else {
        return;
    };
    ok.content.clear();
    for kind in crate::documents::detect::KNOWN {
        let essence = kind.mime.split(';').next().unwrap_or(kind.mime).trim();
        ok.content.insert(
            essence.to_string(),
            ContentBuilder::new()
                .schema(Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .content_media_type(essence)
                        .build(),
                ))
                .build()
                .into(),
        );
    }
}

/// An edit must send `If-Match` (`http::if_match`): the header is required and a missing
/// one is answered 428.
fn require_if_match(edit: &mut Operation) {
    for parameter in edit.parameters.iter_mut().flatten() {
        if let RefOr::T(parameter) = parameter
            && parameter.parameter_in == ParameterIn::Header
            && parameter.name.eq_ignore_ascii_case("if-match")
        {
            parameter.required = utoipa::openapi::Required::True;
        }
    }
    let code = ErrorCode::PreconditionRequired;
    edit.responses
        .responses
        .entry(code.status().as_u16().to_string())
        .or_insert_with(|| RefOr::T(Response::new("")));
}

/// The operations of a path item, each with whether it changes anything.
fn operations(item: &mut PathItem) -> impl Iterator<Item = (bool, &mut Operation)> {
    [
        (false, item.get.as_mut()),
        (true, item.post.as_mut()),
        (true, item.put.as_mut()),
        (true, item.patch.as_mut()),
        (true, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(write, op)| op.map(|op| (write, op)))
}

/// Gives every answer a description, every error answer the problem+json body, and adds the
/// problems the shared plumbing produces for an operation of this shape.
fn complete(path: &str, write: bool, operation: &mut Operation) {
    let parameters = || {
        operation
            .parameters
            .iter()
            .flatten()
            .filter_map(|p| match p {
                RefOr::T(p) => Some(p),
                RefOr::Ref(_) => None,
            })
    };
    let has_path_params = path.contains('{');
    let has_query = parameters().any(|p| p.parameter_in == ParameterIn::Query);
    let has_if_match = parameters()
        .any(|p| p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case("if-match"));
    let has_body = operation.request_body.is_some();
    let signed_in = operation.security.as_ref().is_some_and(|s| !s.is_empty());

    // Any operation can fail unexpectedly (a stored document that no longer matches its
    // checksum, a bug): the answer is then a 500 problem, never a bare page.
    let mut codes = vec![ErrorCode::ServiceUnavailable, ErrorCode::Internal];
    if has_body || has_path_params {
        // ValidJson: broken JSON; parse_id: a path id that is not a UUID.
        codes.push(ErrorCode::MalformedRequest);
    }
    if signed_in {
        codes.extend([ErrorCode::Unauthorized, ErrorCode::Forbidden]);
    }
    if has_path_params {
        codes.push(ErrorCode::NotFound);
    }
    if write {
        codes.push(ErrorCode::InvalidState);
    }
    if has_if_match {
        codes.push(ErrorCode::PreconditionFailed);
    }
    if has_body {
        codes.extend([
            ErrorCode::RequestTimeout,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::ValidationFailed,
        ]);
    }
    if has_query {
        codes.push(ErrorCode::ValidationFailed);
    }
    let responses = &mut operation.responses.responses;
    for code in codes {
        responses
            .entry(code.status().as_u16().to_string())
            .or_insert_with(|| RefOr::T(Response::new("")));
    }
    for (status, response) in responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        let code: u16 = status.parse().unwrap_or(0);
        if response.description.is_empty() {
            response.description = describe(code);
        }
        // An error answer the handler gave another type (the HTML page's 404) keeps it.
        let json_or_none = response.content.keys().all(|c| c == "application/json");
        if code >= 400 && json_or_none {
            *response = problem_response(code, std::mem::take(&mut response.description));
        }
    }
}

/// An error answer: the RFC 9457 body, and the headers that go with its status.
fn problem_response(status: u16, description: String) -> Response {
    let mut builder = ResponseBuilder::new().description(description).content(
        PROBLEM_CONTENT_TYPE,
        ContentBuilder::new()
            .schema(Some(Ref::from_schema_name("Problem")))
            .build(),
    );
    let text = || ObjectBuilder::new().schema_type(Type::String).build();
    match status {
        401 => {
            builder = builder.header(
                "WWW-Authenticate",
                HeaderBuilder::new()
                    .schema(Some(text()))
                    .description(Some("Bearer realm=\"trustfund\""))
                    .build(),
            )
        }
        405 => {
            builder = builder.header(
                "Allow",
                HeaderBuilder::new()
                    .schema(Some(text()))
                    .description(Some("The methods this path accepts"))
                    .build(),
            )
        }
        429 | 503 => {
            builder = builder.header(
                "Retry-After",
                HeaderBuilder::new()
                    .schema(Some(
                        ObjectBuilder::new().schema_type(Type::Integer).build(),
                    ))
                    .description(Some("Seconds to wait before retrying"))
                    .build(),
            )
        }
        _ => {}
    }
    builder.build()
}

/// The sentence for an answer the handler did not describe.
fn describe(status: u16) -> String {
    let shared = match status {
        400 => Some(ErrorCode::MalformedRequest),
        401 => Some(ErrorCode::Unauthorized),
        403 => Some(ErrorCode::Forbidden),
        404 => Some(ErrorCode::NotFound),
        409 => Some(ErrorCode::InvalidState),
        408 => Some(ErrorCode::RequestTimeout),
        412 => Some(ErrorCode::PreconditionFailed),
        413 => Some(ErrorCode::PayloadTooLarge),
        415 => Some(ErrorCode::UnsupportedMediaType),
        422 => Some(ErrorCode::ValidationFailed),
        428 => Some(ErrorCode::PreconditionRequired),
        429 => Some(ErrorCode::RateLimited),
        503 => Some(ErrorCode::ServiceUnavailable),
        _ => None,
    };
    match shared {
        Some(ErrorCode::InvalidState) => {
            "Not possible in the current state, a duplicate, or not enough funds".to_string()
        }
        Some(ErrorCode::ServiceUnavailable) => {
            "The database is busy or unreachable; retry after Retry-After seconds".to_string()
        }
        Some(code) => code.title().to_string(),
        None => actix_web::http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Answer")
            .to_string(),
    }
}
