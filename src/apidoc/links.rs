//! The document's links (OpenAPI 3.1 §4.8.20): which operation an answer leads to, and
//! with which of its values, so that a client (and schemathesis's stateful phase) can chain
//! create → read → change on one resource.

use utoipa::openapi::RefOr;
use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{HttpMethod, Operation, Paths};

/// An OpenAPI link: once `from` has answered `status`, `to` can be called with
/// `parameters`, each a target parameter (`path.id`, `header.If-Match`) and the runtime
/// expression that fills it. Clients, and schemathesis's stateful phase, follow them to
/// chain create → read → change on the same resource.
struct LinkSpec {
    from: (HttpMethod, &'static str),
    status: &'static str,
    to: (HttpMethod, &'static str),
    parameters: &'static [(&'static str, &'static str)],
}

/// The id of the resource the answer describes.
const NEW_ID: (&str, &str) = ("path.id", "$response.body#/id");
/// The id the request was about.
const SAME_ID: (&str, &str) = ("path.id", "$request.path.id");
/// The first item of a list.
const FIRST_ID: (&str, &str) = ("path.id", "$response.body#/items/0/id");
/// The version the answer carries, for an edit or transition that takes `If-Match`.
const ETAG: (&str, &str) = ("header.If-Match", "$response.header.ETag");

const APPLICATIONS: &str = "/api/v1/applications";
const APPLICATION: &str = "/api/v1/applications/{id}";
const CALLS: &str = "/api/v1/calls";
const CALL: &str = "/api/v1/calls/{id}";
const FUNDS: &str = "/api/v1/funds";
const FUND: &str = "/api/v1/funds/{id}";
const ORGANISATIONS: &str = "/api/v1/organisations";
const ORGANISATION: &str = "/api/v1/organisations/{id}";
const PROJECTS: &str = "/api/v1/registry/projects";
const PROJECT: &str = "/api/v1/registry/projects/{id}";
const PLEDGE: &str = "/api/v1/pledges/{id}";
const GRANTS: &str = "/api/v1/grants";
const GRANT: &str = "/api/v1/grants/{id}";
const DISBURSEMENT: &str = "/api/v1/disbursements/{id}";
const REPORT: &str = "/api/v1/reports/{id}";
const ASSIGNMENT: &str = "/api/v1/assignments/{id}";

macro_rules! link {
    ($from_method:ident $from:expr, $status:literal => $to_method:ident $to:expr, [$($p:expr),*]) => {
        LinkSpec {
            from: (HttpMethod::$from_method, $from),
            status: $status,
            to: (HttpMethod::$to_method, $to),
            parameters: &[$($p),*],
        }
    };
}

/// The links of the document, by resource: what a creation leads to (read it, change it,
/// move it on), what a read leads to (change it), and from a list to its first item.
const LINKS: &[LinkSpec] = &[
    // funds
    link!(Post FUNDS, "201" => Get FUND, [NEW_ID]),
    link!(Post FUNDS, "201" => Patch FUND, [NEW_ID, ETAG]),
    link!(Get FUNDS, "200" => Get FUND, [FIRST_ID]),
    link!(Get FUNDS, "200" => Post "/api/v1/funds/{id}/pledges", [FIRST_ID]),
    link!(Get FUNDS, "200" => Post "/api/v1/funds/{id}/contributions", [FIRST_ID]),
    link!(Get FUNDS, "200" => Post "/api/v1/funds/{id}/calls", [FIRST_ID]),
    link!(Get FUNDS, "200" => Post "/api/v1/funds/{id}/board-sessions", [FIRST_ID]),
    link!(Get FUNDS, "200" => Get "/api/v1/funds/{id}/board-sessions", [FIRST_ID]),
    link!(Get FUND, "200" => Patch FUND, [SAME_ID, ETAG]),
    link!(Patch FUND, "200" => Get FUND, [SAME_ID]),
    // organisations
    link!(Post ORGANISATIONS, "201" => Get ORGANISATION, [NEW_ID]),
    link!(Post ORGANISATIONS, "201" => Patch ORGANISATION, [NEW_ID, ETAG]),
    link!(Get ORGANISATIONS, "200" => Get ORGANISATION, [FIRST_ID]),
    link!(Get ORGANISATION, "200" => Patch ORGANISATION, [SAME_ID, ETAG]),
    link!(Patch ORGANISATION, "200" => Get ORGANISATION, [SAME_ID]),
    // calls
    link!(Post "/api/v1/funds/{id}/calls", "201" => Get CALL, [NEW_ID]),
    link!(Post "/api/v1/funds/{id}/calls", "201" => Patch CALL, [NEW_ID, ETAG]),
    link!(Post "/api/v1/funds/{id}/calls", "201" => Post "/api/v1/calls/{id}/open", [NEW_ID, ETAG]),
    link!(Get CALLS, "200" => Get CALL, [FIRST_ID]),
    link!(Get CALLS, "200" => Post "/api/v1/calls/{id}/applications", [FIRST_ID]),
    link!(Get CALL, "200" => Patch CALL, [SAME_ID, ETAG]),
    link!(Get CALL, "200" => Post "/api/v1/calls/{id}/applications", [SAME_ID]),
    link!(Patch CALL, "200" => Get CALL, [SAME_ID]),
    link!(Post "/api/v1/calls/{id}/open", "200" => Post "/api/v1/calls/{id}/applications", [SAME_ID]),
    // applications
    link!(Post "/api/v1/calls/{id}/applications", "201" => Get APPLICATION, [NEW_ID]),
    link!(Post "/api/v1/calls/{id}/applications", "201" => Patch APPLICATION, [NEW_ID, ETAG]),
    link!(Post "/api/v1/calls/{id}/applications", "201" => Get "/api/v1/applications/{id}/readiness", [NEW_ID]),
    link!(Post "/api/v1/calls/{id}/applications", "201" => Post "/api/v1/applications/{id}/documents", [NEW_ID]),
    link!(Post "/api/v1/calls/{id}/applications", "201" => Post "/api/v1/applications/{id}/withdraw", [NEW_ID, ETAG]),
    link!(Get APPLICATIONS, "200" => Get APPLICATION, [FIRST_ID]),
    link!(Get APPLICATIONS, "200" => Post "/api/v1/applications/{id}/return-for-revision", [FIRST_ID]),
    link!(Get APPLICATIONS, "200" => Post "/api/v1/applications/{id}/assignments", [FIRST_ID]),
    link!(Get APPLICATION, "200" => Patch APPLICATION, [SAME_ID, ETAG]),
    link!(Get APPLICATION, "200" => Post "/api/v1/applications/{id}/submit", [SAME_ID, ETAG]),
    link!(Get APPLICATION, "200" => Get "/api/v1/applications/{id}/revisions", [SAME_ID]),
    link!(Patch APPLICATION, "200" => Get APPLICATION, [SAME_ID]),
    link!(Patch APPLICATION, "200" => Post "/api/v1/applications/{id}/submit", [SAME_ID, ETAG]),
    link!(Post "/api/v1/applications/{id}/submit", "200" => Get APPLICATION, [SAME_ID]),
    link!(Post "/api/v1/applications/{id}/submit", "200" => Post "/api/v1/applications/{id}/screening", [SAME_ID, ETAG]),
    link!(Post "/api/v1/applications/{id}/documents", "201" => Get "/api/v1/applications/{id}/documents/{doc_id}",
        [SAME_ID, ("path.doc_id", "$response.body#/id")]),
    link!(Post "/api/v1/applications/{id}/documents", "201" => Delete "/api/v1/applications/{id}/documents/{doc_id}",
        [SAME_ID, ("path.doc_id", "$response.body#/id")]),
    // money in
    link!(Post "/api/v1/funds/{id}/pledges", "201" => Get PLEDGE, [NEW_ID]),
    link!(Post "/api/v1/funds/{id}/pledges", "201" => Post "/api/v1/pledges/{id}/cancel", [NEW_ID, ETAG]),
    link!(Get "/api/v1/funds/{id}/pledges", "200" => Get PLEDGE, [FIRST_ID]),
    link!(Get PLEDGE, "200" => Post "/api/v1/pledges/{id}/cancel", [SAME_ID, ETAG]),
    link!(Post "/api/v1/funds/{id}/contributions", "201" => Get "/api/v1/contributions/{id}", [NEW_ID]),
    link!(Get "/api/v1/funds/{id}/contributions", "200" => Get "/api/v1/contributions/{id}", [FIRST_ID]),
    // registry
    link!(Post PROJECTS, "201" => Get PROJECT, [NEW_ID]),
    link!(Post PROJECTS, "201" => Patch PROJECT, [NEW_ID, ETAG]),
    link!(Post PROJECTS, "201" => Get "/api/v1/registry/projects/{id}/overlaps", [NEW_ID]),
    link!(Get PROJECTS, "200" => Get PROJECT, [FIRST_ID]),
    link!(Get PROJECT, "200" => Patch PROJECT, [SAME_ID, ETAG]),
    link!(Get PROJECT, "200" => Delete PROJECT, [SAME_ID, ETAG]),
    link!(Patch PROJECT, "200" => Get PROJECT, [SAME_ID]),
    link!(Post "/api/v1/registry/overlap-reviews", "201" => Post "/api/v1/registry/overlap-reviews/{id}/resolve", [NEW_ID, ETAG]),
    // grants and money out
    link!(Get GRANTS, "200" => Get GRANT, [FIRST_ID]),
    link!(Get GRANTS, "200" => Post "/api/v1/grants/{id}/refunds", [FIRST_ID]),
    link!(Get GRANTS, "200" => Post "/api/v1/grants/{id}/close", [FIRST_ID]),
    link!(Get GRANTS, "200" => Get "/api/v1/grants/{id}/reports", [FIRST_ID]),
    link!(Get "/api/v1/grants/{id}/reports", "200" => Get REPORT, [FIRST_ID]),
    link!(Get "/api/v1/grants/{id}/reports", "200" => Post "/api/v1/reports/{id}/accept", [FIRST_ID]),
    link!(Get GRANT, "200" => Post "/api/v1/grants/{id}/disbursements", [SAME_ID]),
    link!(Get GRANT, "200" => Post "/api/v1/grants/{id}/reports", [SAME_ID]),
    link!(Get GRANT, "200" => Post "/api/v1/grants/{id}/suspend", [SAME_ID, ETAG]),
    link!(Post "/api/v1/grants/{id}/disbursements", "201" => Get DISBURSEMENT, [NEW_ID]),
    link!(Post "/api/v1/grants/{id}/disbursements", "201" => Post "/api/v1/disbursements/{id}/cancel", [NEW_ID, ETAG]),
    link!(Post "/api/v1/grants/{id}/reports", "201" => Get REPORT, [NEW_ID]),
    link!(Post "/api/v1/grants/{id}/reports", "201" => Post "/api/v1/reports/{id}/return", [NEW_ID, ETAG]),
    // board and review
    link!(Post "/api/v1/funds/{id}/board-sessions", "201" => Get "/api/v1/board-sessions/{id}", [NEW_ID]),
    link!(Post "/api/v1/funds/{id}/board-sessions", "201" => Post "/api/v1/board-sessions/{id}/decisions", [NEW_ID]),
    link!(Get "/api/v1/funds/{id}/board-sessions", "200" => Post "/api/v1/board-sessions/{id}/decisions", [FIRST_ID]),
    link!(Post "/api/v1/applications/{id}/assignments", "201" => Get ASSIGNMENT, [NEW_ID]),
    link!(Get "/api/v1/assignments", "200" => Get ASSIGNMENT, [FIRST_ID]),
];

/// Adds `LINKS` to the answers they start from. Each end must be an operation of the
/// document, and each linked parameter one the target declares (the suite checks it).
pub(super) fn add(paths: &mut Paths) {
    for spec in LINKS {
        let target = operation_of(paths, &spec.to)
            .unwrap_or_else(|| panic!("link to {}: no such operation", label(&spec.to)));
        let operation_id = target
            .operation_id
            .clone()
            .expect("utoipa names every operation after its handler");
        let mut link = LinkBuilder::new().operation_id(operation_id.clone());
        for (parameter, expression) in spec.parameters {
            link = link.parameter(*parameter, *expression);
        }
        let source = operation_of_mut(paths, &spec.from)
            .unwrap_or_else(|| panic!("link from {}: no such operation", label(&spec.from)));
        let Some(RefOr::T(response)) = source.responses.responses.get_mut(spec.status) else {
            panic!("link from {}: no {} answer", label(&spec.from), spec.status);
        };
        response.links.insert(operation_id, RefOr::T(link.build()));
    }
}

fn label((method, path): &(HttpMethod, &str)) -> String {
    let method = match method {
        HttpMethod::Get => "GET",
        HttpMethod::Post => "POST",
        HttpMethod::Put => "PUT",
        HttpMethod::Patch => "PATCH",
        HttpMethod::Delete => "DELETE",
        _ => "?",
    };
    format!("{method} {path}")
}

fn operation_of<'a>(
    paths: &'a Paths,
    (method, path): &(HttpMethod, &str),
) -> Option<&'a Operation> {
    let item = paths.paths.get(*path)?;
    match method {
        HttpMethod::Get => item.get.as_ref(),
        HttpMethod::Post => item.post.as_ref(),
        HttpMethod::Put => item.put.as_ref(),
        HttpMethod::Patch => item.patch.as_ref(),
        HttpMethod::Delete => item.delete.as_ref(),
        _ => None,
    }
}

fn operation_of_mut<'a>(
    paths: &'a mut Paths,
    (method, path): &(HttpMethod, &str),
) -> Option<&'a mut Operation> {
    let item = paths.paths.get_mut(*path)?;
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        _ => None,
    }
}
