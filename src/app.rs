//! Builds the HTTP application: shared state, middleware, the one route table and the
//! OpenAPI document generated from the handlers' annotations.

use actix_web::body::BoxBody;
use actix_web::dev::{HttpServiceFactory, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::from_fn;
use actix_web::{App, Error, HttpResponse, web};
use utoipa::OpenApi;
use utoipa::openapi::path::HttpMethod;
use utoipa_actix_web::OpenApiFactory;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{AppError, ErrorCode};
use crate::http::JsonLimits;
use crate::observe;
use crate::reports;
use crate::web as pages;
use crate::{
    applications, audit, auth, board, calls, disbursements, documents, donations, earmarks,
    exchange, funds, grants, health, ledger, needs, opendata, organisations, registry, review,
};

pub use crate::state::{AppState, Services};

/// Who may call an endpoint at all; finer rules (roles, own organisation) are decided per
/// operation by the access policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    User,
}

/// One row of the route table, read from the handler's own declaration: actix's method
/// attribute (`#[get("/api/v1/funds")]`) gives the method and path, `#[utoipa::path]` the
/// OpenAPI operation, and its `security(("bearer" = []))` that a token is needed.
pub struct Endpoint {
    pub method: Method,
    pub path: String,
    pub access: Access,
    /// Whether the OpenAPI document describes it: every API operation; not the pages for
    /// people (`page`).
    pub documented: bool,
    /// The OpenAPI path item of this one operation.
    pub(crate) doc: utoipa::openapi::path::Paths,
    /// The schemas the operation refers to.
    pub(crate) schemas: Vec<(
        String,
        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
    )>,
    register: Box<dyn FnOnce(&mut web::ServiceConfig)>,
}

fn endpoint<H>(handler: H) -> Endpoint
where
    H: HttpServiceFactory + OpenApiFactory + utoipa::Path + 'static,
{
    let methods = H::methods();
    assert_eq!(methods.len(), 1, "{}: one method per handler", H::path());
    let method = match methods[0] {
        HttpMethod::Get => Method::GET,
        HttpMethod::Post => Method::POST,
        HttpMethod::Put => Method::PUT,
        HttpMethod::Patch => Method::PATCH,
        HttpMethod::Delete => Method::DELETE,
        _ => panic!(
            "{}: only GET, POST, PUT, PATCH and DELETE are routed",
            H::path()
        ),
    };
    let signed_in = H::operation()
        .security
        .is_some_and(|requirements| !requirements.is_empty());
    let mut schemas = Vec::new();
    handler.schemas(&mut schemas);
    Endpoint {
        method,
        path: H::path(),
        access: if signed_in {
            Access::User
        } else {
            Access::Public
        },
        documented: true,
        doc: handler.paths(),
        schemas,
        register: Box::new(move |cfg: &mut web::ServiceConfig| {
            cfg.service(handler);
        }),
    }
}

/// A page for people (`web`): routed like an endpoint, from the same declaration (the
/// method attribute and `#[utoipa::path]` give method and path), but left out of the
/// OpenAPI document, which describes the JSON API. Pages check their session cookie
/// themselves, so for the table they are public (no bearer token).
fn page<H>(handler: H) -> Endpoint
where
    H: HttpServiceFactory + OpenApiFactory + utoipa::Path + 'static,
{
    Endpoint {
        documented: false,
        doc: utoipa::openapi::path::Paths::new(),
        schemas: Vec::new(),
        ..endpoint(handler)
    }
}

/// Every endpoint of the service, each named once by its handler. Registration, `Allow`
/// headers, the OpenAPI document and the "no token, no entry" test all read this table.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        endpoint(health::live),
        endpoint(health::ready),
        endpoint(health::metrics),
        endpoint(auth::login),
        endpoint(auth::session::refresh),
        endpoint(auth::session::logout),
        endpoint(auth::session::change_password),
        endpoint(auth::accounts::register),
        endpoint(auth::accounts::verify_email),
        endpoint(auth::accounts::create_invitation),
        endpoint(auth::accounts::accept_invitation),
        endpoint(auth::accounts::request_password_reset),
        endpoint(auth::accounts::confirm_password_reset),
        endpoint(auth::me),
        endpoint(funds::create_fund),
        endpoint(funds::list_funds),
        endpoint(funds::get_fund),
        endpoint(funds::update_fund),
        endpoint(organisations::create_organisation),
        endpoint(organisations::list_organisations),
        endpoint(organisations::get_organisation),
        endpoint(organisations::update_organisation),
        endpoint(audit::list_audit_events),
        endpoint(calls::create_call),
        endpoint(calls::list_calls),
        endpoint(calls::get_call),
        endpoint(calls::update_call),
        endpoint(calls::open_call),
        endpoint(calls::close_call),
        endpoint(applications::create_application),
        endpoint(applications::list_applications),
        endpoint(applications::get_application),
        endpoint(applications::update_application),
        endpoint(applications::readiness),
        endpoint(applications::submit_application),
        endpoint(applications::overlaps::list_overlaps),
        endpoint(applications::withdraw_application),
        endpoint(applications::screen_application),
        endpoint(applications::return_for_revision),
        endpoint(applications::list_revisions),
        endpoint(applications::get_revision),
        endpoint(documents::upload_document),
        endpoint(documents::list_documents),
        endpoint(documents::download_document),
        endpoint(documents::delete_document),
        endpoint(ledger::get_fund_status),
        endpoint(ledger::list_ledger_entries),
        endpoint(exchange::create_exchange_rate),
        endpoint(exchange::list_exchange_rates),
        endpoint(donations::create_pledge),
        endpoint(donations::list_pledges),
        endpoint(donations::get_pledge),
        endpoint(donations::cancel_pledge),
        endpoint(donations::create_contribution),
        endpoint(donations::list_contributions),
        endpoint(donations::get_contribution),
        endpoint(donations::get_statement),
        endpoint(earmarks::list_earmarked_contributions),
        endpoint(crate::predictability::donor_predictability),
        endpoint(crate::predictability::grant_predictability),
        endpoint(registry::list_projects),
        endpoint(registry::get_project),
        endpoint(registry::project_overlaps),
        endpoint(registry::matrix),
        endpoint(registry::gaps),
        endpoint(registry::create_project),
        endpoint(registry::update_project),
        endpoint(registry::delete_project),
        endpoint(registry::overlap_check),
        endpoint(registry::list_overlap_reviews),
        endpoint(registry::record_overlap_review),
        endpoint(registry::resolve_overlap_review),
        endpoint(registry::import_iati),
        endpoint(needs::list_needs),
        endpoint(needs::post_need),
        endpoint(needs::get_need),
        endpoint(needs::update_need),
        endpoint(needs::need_matches),
        endpoint(needs::list_offers),
        endpoint(needs::post_offer),
        endpoint(needs::get_offer),
        endpoint(needs::update_offer),
        endpoint(needs::offer_matches),
        endpoint(needs::propose_match),
        endpoint(needs::get_match),
        endpoint(needs::accept_match),
        endpoint(needs::decline_match),
        endpoint(needs::match_project),
        endpoint(grants::list_grants),
        endpoint(grants::get_grant),
        endpoint(grants::sign_grant),
        endpoint(grants::suspend_grant),
        endpoint(grants::resume_grant),
        endpoint(grants::terminate_grant),
        endpoint(grants::close_grant),
        endpoint(disbursements::request_disbursement),
        endpoint(disbursements::list_disbursements),
        endpoint(disbursements::get_disbursement),
        endpoint(disbursements::approve_disbursement),
        endpoint(disbursements::pay_disbursement),
        endpoint(disbursements::cancel_disbursement),
        endpoint(disbursements::create_refund),
        endpoint(disbursements::list_refunds),
        endpoint(board::create_session),
        endpoint(board::list_sessions),
        endpoint(board::get_session),
        endpoint(board::create_decision),
        endpoint(reports::create_report),
        endpoint(reports::clear_narrative),
        endpoint(reports::list_reports),
        endpoint(reports::get_report),
        endpoint(reports::accept_report),
        endpoint(reports::return_report),
        endpoint(reports::fund_outcomes),
        endpoint(reports::drafts::get_draft),
        endpoint(reports::drafts::put_draft),
        endpoint(reports::drafts::delete_draft),
        endpoint(opendata::iati_xml),
        endpoint(opendata::giving_json),
        endpoint(review::create_assignment),
        endpoint(review::list_assignments),
        endpoint(review::get_assignment),
        endpoint(review::declare_conflict),
        endpoint(review::save_review),
        endpoint(review::submit_review),
        endpoint(review::list_reviews),
        endpoint(review::call_ranking),
        endpoint(crate::public::get_public_fund),
        endpoint(crate::public::fund_page),
        endpoint(crate::annual::get_annual_report),
        page(crate::annual::annual_report_page),
        page(crate::annual::annual_report_pdf),
        page(pages::landing::landing),
        page(pages::login::login_form),
        page(pages::login::login),
        page(pages::login::logout),
        page(pages::second_factor::code_form),
        page(pages::second_factor::check_code),
        page(pages::second_factor::enrol_form),
        page(pages::second_factor::confirm_enrolment),
        page(pages::register::register_form),
        page(pages::register::register),
        page(pages::registry::search_page),
        // before `/registry/projects/{id}`, which would take `new` for an id
        page(pages::registry_form::project_form),
        page(pages::registry_form::register_project),
        page(pages::registry::project_page),
        page(pages::needs::mine),
        page(pages::needs::need_form),
        page(pages::needs::post_need),
        page(pages::needs::offer_form),
        page(pages::needs::post_offer),
        page(pages::needs::need_ranking),
        page(pages::needs::offer_ranking),
        page(pages::needs::propose),
        page(pages::needs::answer_match),
        page(pages::registry::organisation_page),
        page(pages::registry::country_page),
        page(pages::registry::matrix_page),
        page(pages::home::home),
        page(pages::account::verify_email),
        page(pages::account::reset_form),
        page(pages::account::reset),
        page(pages::account::forgot_form),
        page(pages::account::forgot),
        page(pages::account::invitation_form),
        page(pages::account::accept_invitation),
        page(pages::language::choose_language),
        page(pages::verification::queue),
        page(pages::verification::verify),
        page(pages::giving::giving_page),
        page(pages::giving::statement_csv),
        page(pages::grants::grant_list),
        page(pages::grants::grant_page),
        page(pages::grants::sign_grant),
        page(pages::payments::request_payment),
        page(pages::payments::payment_queue),
        page(pages::payments::approve_payment),
        page(pages::payments::pay_payment),
        page(pages::reports::review_queue),
        page(pages::reports::report_page),
        page(pages::reports::accept_report),
        page(pages::reports::return_report),
        page(pages::reports::clear_report),
        page(pages::report_form::report_form),
        page(pages::report_form::send_report),
        page(pages::applications::open_calls),
        page(pages::applications::apply),
        page(pages::applications::application_list),
        page(pages::applications::application_page),
        page(pages::applications::save_draft),
        page(pages::applications::upload),
        page(pages::applications::submit),
        page(pages::applications::document),
        page(pages::applications::screen),
        page(pages::applications::send_back),
        page(pages::applications::assign_reviewer),
        page(pages::reviews::review_list),
        page(pages::overdue::overdue_reviews),
        page(pages::overdue::overdue_pledges),
        page(pages::reviews::review_page),
        page(pages::reviews::declare),
        page(pages::reviews::save),
        page(pages::reviews::submit),
        page(pages::board::board_page),
        page(pages::board::ranking_page),
        page(pages::board::session_page),
        page(pages::board::record_decision),
        page(pages::board::hold_session),
        page(pages::people::user_list),
        page(pages::people::invite_form),
        page(pages::people::invite),
    ]
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "trustfund",
        description = "Back office of a voluntary trust fund for victims of trafficking, and a registry of anti-trafficking projects."
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError))
)]
struct ApiDoc;

/// The OpenAPI document: the operations of the route table, their schemas, the bearer
/// scheme and the problem answers every operation can give.
pub fn openapi() -> utoipa::openapi::OpenApi {
    crate::apidoc::document(ApiDoc::openapi(), endpoints())
}

/// Registers the route table: each handler's own resource, then for each path a resource
/// that answers any other method with 405 and `Allow`.
///
/// actix tries routes in order and matches a path with parameters by running its regular
/// expression, so a request to one of the last of some eighty routes ran sixty of them (a
/// quarter of the time of a cached public page, measured with `perf`). The routes are
/// therefore grouped by their leading fixed segments (`route_groups`), each group behind a
/// prefix check that costs a string comparison: a request runs the expressions of its own
/// group only. The groups are still tried in order, a tenth of a cached public read's time
/// when its group came twenty-first (`perf`), so the groups anyone can read without
/// signing in come first, the public figures first of all (`anonymous_reads_first`):
/// those a link in the news can flood.
fn register_routes(cfg: &mut web::ServiceConfig) {
    let mut groups = route_groups(endpoints());
    anonymous_reads_first(&mut groups);
    for (prefix, endpoints) in groups {
        let within = prefix.clone();
        let scope = web::scope("")
            .guard(actix_web::guard::fn_guard(move |ctx| {
                within_prefix(ctx.head().uri.path(), &within)
            }))
            .configure(move |group| register_group(group, endpoints));
        cfg.service(scope);
    }
}

/// Whether `path` is `prefix` or below it.
fn within_prefix(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The fixed segments a route path begins with, at most three (`/api/v1/applications` of
/// `/api/v1/applications/{id}/submit`, `/funds` of `/funds/{code}`); the root page `/` is a
/// group of its own (no other path is within `/` by `within_prefix`).
fn fixed_prefix(path: &str) -> String {
    let mut prefix = String::new();
    for segment in path.trim_start_matches('/').split('/').take(3) {
        if segment.contains('{') || segment.is_empty() {
            break;
        }
        prefix.push('/');
        prefix.push_str(segment);
    }
    if prefix.is_empty() {
        prefix.push('/');
    }
    prefix
}

/// The endpoints grouped by fixed prefix, in table order; a prefix below another's joins
/// that one's group, so that every path belongs to exactly one group.
fn route_groups(endpoints: Vec<Endpoint>) -> Vec<(String, Vec<Endpoint>)> {
    let prefixes: Vec<String> = endpoints.iter().map(|e| fixed_prefix(&e.path)).collect();
    let mut groups: Vec<(String, Vec<Endpoint>)> = Vec::new();
    for (endpoint, own) in endpoints.into_iter().zip(prefixes.iter()) {
        let prefix = prefixes
            .iter()
            .filter(|p| within_prefix(own, p))
            .min_by_key(|p| p.len())
            .unwrap_or(own)
            .clone();
        match groups.iter_mut().find(|(p, _)| *p == prefix) {
            Some((_, members)) => members.push(endpoint),
            None => groups.push((prefix, vec![endpoint])),
        }
    }
    groups
}

/// The groups of the public figures (the fund page and its JSON), served from memory to
/// anyone: the reads a link in the news floods, so they are routed before every other.
const FLOODED_FIRST: [&str; 2] = ["/api/v1/public", "/funds"];

/// Orders the groups for routing, keeping the table's order within each part: the public
/// figures (`FLOODED_FIRST`), then the other groups holding a `GET` anyone may send, then
/// the rest. Each group tried before a request's own costs it some 0.1 µs (`perf`: the
/// public page, eighth, spent a tenth of its time in routing; the health check, first, a
/// thirtieth).
fn anonymous_reads_first(groups: &mut [(String, Vec<Endpoint>)]) {
    groups.sort_by_key(|(prefix, members)| {
        let anonymous_read = members
            .iter()
            .any(|e| e.access == Access::Public && e.method == Method::GET);
        (!FLOODED_FIRST.contains(&prefix.as_str()), !anonymous_read)
    });
}

fn register_group(cfg: &mut web::ServiceConfig, endpoints: Vec<Endpoint>) {
    let mut allowed: Vec<(String, Vec<Method>)> = Vec::new();
    for e in endpoints {
        match allowed.iter_mut().find(|(p, _)| *p == e.path) {
            Some((_, methods)) => methods.push(e.method.clone()),
            None => allowed.push((e.path.clone(), vec![e.method.clone()])),
        }
        (e.register)(cfg);
    }
    for (path, mut methods) in allowed {
        // every GET also answers HEAD (`head_as_get`)
        if methods.contains(&Method::GET) {
            methods.push(Method::HEAD);
        }
        let allow = methods
            .iter()
            .map(Method::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        cfg.service(web::resource(path).default_service(web::to(move || {
            let allow = allow.clone();
            async move {
                let mut err = AppError::new(
                    ErrorCode::MethodNotAllowed,
                    format!("allowed methods: {allow}"),
                );
                err.allow = Some(allow);
                Err::<HttpResponse, _>(err)
            }
        })));
    }
}

/// What every request gets before it is routed: its body must keep a pace (`pace`), and a
/// `HEAD` is routed as the `GET` of the same resource. actix-http knows from the request
/// line that the answer is to a `HEAD` and sends its headers (`Content-Length` included)
/// without the body.
async fn before_routing(
    pace: crate::pace::Pace,
    mut req: ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<ServiceResponse<impl actix_web::body::MessageBody>, Error> {
    crate::pace::guard(&mut req, pace);
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}

/// The whole application, as used by the server and by tests.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<BoxBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let metrics = state.metrics.clone();
    let limits = web::Data::new(JsonLimits {
        max_bytes: state.settings.server.max_json_bytes,
    });
    let pace = crate::pace::Pace::from_settings(&state.settings.server);
    App::new()
        .app_data(state)
        .app_data(limits)
        .wrap(from_fn(move |req, next| before_routing(pace, req, next)))
        .wrap(from_fn(move |req, next| {
            observe::observe(metrics.clone(), req, next)
        }))
        .configure(register_routes)
        .service(SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", openapi()))
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::Found()
                    .insert_header((header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(|| async {
            Err::<HttpResponse, _>(AppError::new(
                ErrorCode::NotFound,
                "no resource at this path",
            ))
        }))
}

#[cfg(test)]
mod route_group_tests {
    use super::*;

    #[test]
    fn a_prefix_is_the_fixed_segments_a_path_begins_with() {
        assert_eq!(
            fixed_prefix("/api/v1/applications/{id}/submit"),
            "/api/v1/applications"
        );
        assert_eq!(fixed_prefix("/api/v1/me"), "/api/v1/me");
        assert_eq!(fixed_prefix("/funds/{code}"), "/funds");
        assert_eq!(fixed_prefix("/health/live"), "/health/live");
        assert_eq!(fixed_prefix("/"), "/");
        assert!(within_prefix("/", "/"));
        assert!(!within_prefix("/login", "/"), "the root holds only itself");
        assert!(within_prefix("/api/v1/funds/x/status", "/api/v1/funds"));
        assert!(within_prefix("/api/v1/funds", "/api/v1/funds"));
        assert!(!within_prefix("/api/v1/fundsx", "/api/v1/funds"));
    }

    #[test]
    fn every_route_is_in_exactly_one_group_and_groups_never_nest() {
        let paths: Vec<String> = endpoints().iter().map(|e| e.path.clone()).collect();
        let groups = route_groups(endpoints());
        let grouped: usize = groups.iter().map(|(_, members)| members.len()).sum();
        assert_eq!(grouped, paths.len());
        for (prefix, members) in &groups {
            for member in members {
                assert!(
                    within_prefix(&member.path, prefix),
                    "{} in {prefix}",
                    member.path
                );
            }
            for (other, _) in &groups {
                assert!(
                    other == prefix || !within_prefix(other, prefix),
                    "{other} below {prefix}"
                );
            }
        }
        for path in paths {
            let concrete: Vec<&str> = path
                .split('/')
                .map(|segment| if segment.contains('{') { "x" } else { segment })
                .collect();
            let concrete = concrete.join("/");
            let holding = groups
                .iter()
                .filter(|(p, _)| within_prefix(&concrete, p))
                .count();
            assert_eq!(holding, 1, "{path}");
        }
        assert!(groups.len() > 10, "the table is split: {}", groups.len());
    }

    #[test]
    fn the_groups_anyone_can_read_come_first_in_table_order() {
        let mut groups = route_groups(endpoints());
        anonymous_reads_first(&mut groups);
        let anonymous = |members: &[Endpoint]| {
            members
                .iter()
                .any(|e| e.access == Access::Public && e.method == Method::GET)
        };
        let first_signed_in = groups
            .iter()
            .position(|(_, m)| !anonymous(m))
            .expect("some groups need a token");
        assert!(groups[first_signed_in..].iter().all(|(_, m)| !anonymous(m)));
        let prefixes: Vec<&str> = groups.iter().map(|(p, _)| p.as_str()).collect();
        let position = |p: &str| prefixes.iter().position(|q| *q == p).expect(p);
        assert!(position("/api/v1/public") < first_signed_in);
        assert!(position("/funds") < first_signed_in);
        assert!(position("/api/v1/applications") >= first_signed_in);
        assert_eq!(
            &prefixes[..2],
            &FLOODED_FIRST,
            "the public figures first, in table order"
        );
        assert!(
            position("/health/live") < position("/api/v1/registry"),
            "table order kept"
        );
    }
}
