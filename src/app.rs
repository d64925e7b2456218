//! Builds the HTTP application: shared state, middleware, the one route table and the
//! OpenAPI document generated from the handlers' annotations.

use actix_web::body::BoxBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::from_fn;
use actix_web::{App, Error, FromRequest, Handler, HttpResponse, Responder, Route, web};
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::error::{AppError, ErrorCode};
use crate::http::JsonLimits;
use crate::observe;
use crate::reports;
use crate::{
    applications, audit, auth, board, calls, disbursements, documents, donations, exchange, funds,
    grants, health, ledger, opendata, organisations, registry, review,
};

pub use crate::state::{AppState, Services};

/// Who may call an endpoint at all; finer rules (roles, own organisation) are decided per
/// operation by the access policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    User,
}

/// One row of the route table.
pub struct Endpoint {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    route: Box<dyn Fn() -> Route>,
}

fn endpoint<F, Args>(method: Method, path: &'static str, access: Access, handler: F) -> Endpoint
where
    F: Handler<Args> + Copy,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    let route_method = method.clone();
    Endpoint {
        method,
        path,
        access,
        route: Box::new(move || web::method(route_method.clone()).to(handler)),
    }
}

/// Every endpoint of the service. Registration, `Allow` headers, the OpenAPI completeness
/// test and the "no token, no entry" test all read this one table.
pub fn endpoints() -> Vec<Endpoint> {
    use Access::{Public, User};
    let (get, post, patch, delete) = (Method::GET, Method::POST, Method::PATCH, Method::DELETE);
    vec![
        endpoint(get.clone(), "/health/live", Public, health::live),
        endpoint(get.clone(), "/health/ready", Public, health::ready),
        endpoint(get.clone(), "/metrics", Public, health::metrics),
        endpoint(post.clone(), "/api/v1/auth/login", Public, auth::login),
        endpoint(
            post.clone(),
            "/api/v1/auth/refresh",
            Public,
            auth::session::refresh,
        ),
        endpoint(
            post.clone(),
            "/api/v1/auth/logout",
            User,
            auth::session::logout,
        ),
        endpoint(
            post.clone(),
            "/api/v1/auth/password",
            User,
            auth::session::change_password,
        ),
        endpoint(
            post.clone(),
            "/api/v1/auth/register",
            Public,
            auth::accounts::register,
        ),
        endpoint(
            post.clone(),
            "/api/v1/auth/verify-email",
            Public,
            auth::accounts::verify_email,
        ),
        endpoint(
            post.clone(),
            "/api/v1/invitations",
            User,
            auth::accounts::create_invitation,
        ),
        endpoint(
            post.clone(),
            "/api/v1/auth/accept-invitation",
            Public,
            auth::accounts::accept_invitation,
        ),
        endpoint(
            post.clone(),
            "/api/v1/auth/password-reset",
            Public,
            auth::accounts::request_password_reset,
        ),
        endpoint(
            post.clone(),
            "/api/v1/auth/password-reset/confirm",
            Public,
            auth::accounts::confirm_password_reset,
        ),
        endpoint(get.clone(), "/api/v1/me", User, auth::me),
        endpoint(post.clone(), "/api/v1/funds", User, funds::create_fund),
        endpoint(get.clone(), "/api/v1/funds", User, funds::list_funds),
        endpoint(get.clone(), "/api/v1/funds/{id}", User, funds::get_fund),
        endpoint(
            patch.clone(),
            "/api/v1/funds/{id}",
            User,
            funds::update_fund,
        ),
        endpoint(
            post.clone(),
            "/api/v1/organisations",
            User,
            organisations::create_organisation,
        ),
        endpoint(
            get.clone(),
            "/api/v1/organisations",
            User,
            organisations::list_organisations,
        ),
        endpoint(
            get.clone(),
            "/api/v1/organisations/{id}",
            User,
            organisations::get_organisation,
        ),
        endpoint(
            patch.clone(),
            "/api/v1/organisations/{id}",
            User,
            organisations::update_organisation,
        ),
        endpoint(
            get.clone(),
            "/api/v1/audit-events",
            User,
            audit::list_audit_events,
        ),
        endpoint(
            post.clone(),
            "/api/v1/funds/{id}/calls",
            User,
            calls::create_call,
        ),
        endpoint(get.clone(), "/api/v1/calls", Public, calls::list_calls),
        endpoint(get.clone(), "/api/v1/calls/{id}", Public, calls::get_call),
        endpoint(
            patch.clone(),
            "/api/v1/calls/{id}",
            User,
            calls::update_call,
        ),
        endpoint(
            post.clone(),
            "/api/v1/calls/{id}/open",
            User,
            calls::open_call,
        ),
        endpoint(
            post.clone(),
            "/api/v1/calls/{id}/close",
            User,
            calls::close_call,
        ),
        endpoint(
            post.clone(),
            "/api/v1/calls/{id}/applications",
            User,
            applications::create_application,
        ),
        endpoint(
            get.clone(),
            "/api/v1/applications",
            User,
            applications::list_applications,
        ),
        endpoint(
            get.clone(),
            "/api/v1/applications/{id}",
            User,
            applications::get_application,
        ),
        endpoint(
            patch.clone(),
            "/api/v1/applications/{id}",
            User,
            applications::update_application,
        ),
        endpoint(
            get.clone(),
            "/api/v1/applications/{id}/readiness",
            User,
            applications::readiness,
        ),
        endpoint(
            post.clone(),
            "/api/v1/applications/{id}/submit",
            User,
            applications::submit_application,
        ),
        endpoint(
            post.clone(),
            "/api/v1/applications/{id}/withdraw",
            User,
            applications::withdraw_application,
        ),
        endpoint(
            post.clone(),
            "/api/v1/applications/{id}/screening",
            User,
            applications::screen_application,
        ),
        endpoint(
            post.clone(),
            "/api/v1/applications/{id}/return-for-revision",
            User,
            applications::return_for_revision,
        ),
        endpoint(
            get.clone(),
            "/api/v1/applications/{id}/revisions",
            User,
            applications::list_revisions,
        ),
        endpoint(
            get.clone(),
            "/api/v1/applications/{id}/revisions/{revision}",
            User,
            applications::get_revision,
        ),
        endpoint(
            post.clone(),
            "/api/v1/applications/{id}/documents",
            User,
            documents::upload_document,
        ),
        endpoint(
            get.clone(),
            "/api/v1/applications/{id}/documents",
            User,
            documents::list_documents,
        ),
        endpoint(
            get.clone(),
            "/api/v1/applications/{id}/documents/{doc_id}",
            User,
            documents::download_document,
        ),
        endpoint(
            delete.clone(),
            "/api/v1/applications/{id}/documents/{doc_id}",
            User,
            documents::delete_document,
        ),
        endpoint(
            get.clone(),
            "/api/v1/funds/{id}/status",
            User,
            ledger::get_fund_status,
        ),
        endpoint(
            get.clone(),
            "/api/v1/funds/{id}/ledger",
            User,
            ledger::list_ledger_entries,
        ),
        endpoint(
            post.clone(),
            "/api/v1/exchange-rates",
            User,
            exchange::create_exchange_rate,
        ),
        endpoint(
            get.clone(),
            "/api/v1/exchange-rates",
            User,
            exchange::list_exchange_rates,
        ),
        endpoint(
            post.clone(),
            "/api/v1/funds/{id}/pledges",
            User,
            donations::create_pledge,
        ),
        endpoint(
            get.clone(),
            "/api/v1/funds/{id}/pledges",
            User,
            donations::list_pledges,
        ),
        endpoint(
            get.clone(),
            "/api/v1/pledges/{id}",
            User,
            donations::get_pledge,
        ),
        endpoint(
            post.clone(),
            "/api/v1/pledges/{id}/cancel",
            User,
            donations::cancel_pledge,
        ),
        endpoint(
            post.clone(),
            "/api/v1/funds/{id}/contributions",
            User,
            donations::create_contribution,
        ),
        endpoint(
            get.clone(),
            "/api/v1/funds/{id}/contributions",
            User,
            donations::list_contributions,
        ),
        endpoint(
            get.clone(),
            "/api/v1/contributions/{id}",
            User,
            donations::get_contribution,
        ),
        endpoint(
            get.clone(),
            "/api/v1/organisations/{id}/statement",
            User,
            donations::get_statement,
        ),
        endpoint(
            get.clone(),
            "/api/v1/registry/projects",
            Public,
            registry::list_projects,
        ),
        endpoint(
            get.clone(),
            "/api/v1/registry/projects/{id}",
            Public,
            registry::get_project,
        ),
        endpoint(
            get.clone(),
            "/api/v1/registry/projects/{id}/overlaps",
            Public,
            registry::project_overlaps,
        ),
        endpoint(
            get.clone(),
            "/api/v1/registry/matrix",
            Public,
            registry::matrix,
        ),
        endpoint(get.clone(), "/api/v1/registry/gaps", Public, registry::gaps),
        endpoint(
            post.clone(),
            "/api/v1/registry/projects",
            User,
            registry::create_project,
        ),
        endpoint(
            patch.clone(),
            "/api/v1/registry/projects/{id}",
            User,
            registry::update_project,
        ),
        endpoint(
            Method::DELETE,
            "/api/v1/registry/projects/{id}",
            User,
            registry::delete_project,
        ),
        endpoint(
            post.clone(),
            "/api/v1/registry/overlap-check",
            User,
            registry::overlap_check,
        ),
        endpoint(
            get.clone(),
            "/api/v1/registry/overlap-reviews",
            User,
            registry::list_overlap_reviews,
        ),
        endpoint(
            post.clone(),
            "/api/v1/registry/overlap-reviews",
            User,
            registry::record_overlap_review,
        ),
        endpoint(
            post.clone(),
            "/api/v1/registry/overlap-reviews/{id}/resolve",
            User,
            registry::resolve_overlap_review,
        ),
        endpoint(
            post.clone(),
            "/api/v1/registry/import/iati",
            User,
            registry::import_iati,
        ),
        // grants
        endpoint(get.clone(), "/api/v1/grants", User, grants::list_grants),
        endpoint(get.clone(), "/api/v1/grants/{id}", User, grants::get_grant),
        endpoint(
            post.clone(),
            "/api/v1/grants/{id}/sign",
            User,
            grants::sign_grant,
        ),
        endpoint(
            post.clone(),
            "/api/v1/grants/{id}/suspend",
            User,
            grants::suspend_grant,
        ),
        endpoint(
            post.clone(),
            "/api/v1/grants/{id}/resume",
            User,
            grants::resume_grant,
        ),
        endpoint(
            post.clone(),
            "/api/v1/grants/{id}/terminate",
            User,
            grants::terminate_grant,
        ),
        endpoint(
            post.clone(),
            "/api/v1/grants/{id}/close",
            User,
            grants::close_grant,
        ),
        // money out
        endpoint(
            post.clone(),
            "/api/v1/grants/{id}/disbursements",
            User,
            disbursements::request_disbursement,
        ),
        endpoint(
            get.clone(),
            "/api/v1/grants/{id}/disbursements",
            User,
            disbursements::list_disbursements,
        ),
        endpoint(
            get.clone(),
            "/api/v1/disbursements/{id}",
            User,
            disbursements::get_disbursement,
        ),
        endpoint(
            post.clone(),
            "/api/v1/disbursements/{id}/approve",
            User,
            disbursements::approve_disbursement,
        ),
        endpoint(
            post.clone(),
            "/api/v1/disbursements/{id}/pay",
            User,
            disbursements::pay_disbursement,
        ),
        endpoint(
            post.clone(),
            "/api/v1/disbursements/{id}/cancel",
            User,
            disbursements::cancel_disbursement,
        ),
        endpoint(
            post.clone(),
            "/api/v1/grants/{id}/refunds",
            User,
            disbursements::create_refund,
        ),
        endpoint(
            get.clone(),
            "/api/v1/grants/{id}/refunds",
            User,
            disbursements::list_refunds,
        ),
        // board sessions and decisions
        endpoint(
            post.clone(),
            "/api/v1/funds/{id}/board-sessions",
            User,
            board::create_session,
        ),
        endpoint(
            get.clone(),
            "/api/v1/funds/{id}/board-sessions",
            User,
            board::list_sessions,
        ),
        endpoint(
            get.clone(),
            "/api/v1/board-sessions/{id}",
            User,
            board::get_session,
        ),
        endpoint(
            post.clone(),
            "/api/v1/board-sessions/{id}/decisions",
            User,
            board::create_decision,
        ),
        // outcome reports
        endpoint(
            post.clone(),
            "/api/v1/grants/{id}/reports",
            User,
            reports::create_report,
        ),
        endpoint(
            get.clone(),
            "/api/v1/grants/{id}/reports",
            User,
            reports::list_reports,
        ),
        endpoint(
            get.clone(),
            "/api/v1/reports/{id}",
            User,
            reports::get_report,
        ),
        endpoint(
            post.clone(),
            "/api/v1/reports/{id}/accept",
            User,
            reports::accept_report,
        ),
        endpoint(
            post.clone(),
            "/api/v1/reports/{id}/return",
            User,
            reports::return_report,
        ),
        endpoint(
            get.clone(),
            "/api/v1/funds/{id}/outcomes",
            User,
            reports::fund_outcomes,
        ),
        // open data: public, streamed
        endpoint(
            get.clone(),
            "/api/v1/funds/{id}/iati.xml",
            Public,
            opendata::iati_xml,
        ),
        endpoint(
            get.clone(),
            "/api/v1/funds/{id}/360giving.json",
            Public,
            opendata::giving_json,
        ),
        endpoint(
            post.clone(),
            "/api/v1/applications/{id}/assignments",
            User,
            review::create_assignment,
        ),
        endpoint(
            get.clone(),
            "/api/v1/assignments",
            User,
            review::list_assignments,
        ),
        endpoint(
            get.clone(),
            "/api/v1/assignments/{id}",
            User,
            review::get_assignment,
        ),
        endpoint(
            post.clone(),
            "/api/v1/assignments/{id}/conflict",
            User,
            review::declare_conflict,
        ),
        endpoint(
            Method::PUT,
            "/api/v1/assignments/{id}/review",
            User,
            review::save_review,
        ),
        endpoint(
            post.clone(),
            "/api/v1/assignments/{id}/submit",
            User,
            review::submit_review,
        ),
        endpoint(
            get.clone(),
            "/api/v1/applications/{id}/reviews",
            User,
            review::list_reviews,
        ),
        endpoint(
            get.clone(),
            "/api/v1/calls/{id}/ranking",
            User,
            review::call_ranking,
        ),
        // public transparency figures of a fund (issue 10): JSON, and the page for people
        endpoint(
            get.clone(),
            "/api/v1/public/funds/{id}",
            Public,
            crate::public::get_public_fund,
        ),
        endpoint(
            get.clone(),
            "/funds/{code}",
            Public,
            crate::public::fund_page,
        ),
    ]
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "trustfund",
        description = "Back office of a voluntary trust fund for victims of trafficking, and a registry of anti-trafficking projects."
    ),
    paths(
        health::live,
        auth::login,
        auth::session::refresh,
        auth::session::logout,
        auth::session::change_password,
        auth::accounts::register,
        auth::accounts::verify_email,
        auth::accounts::create_invitation,
        auth::accounts::accept_invitation,
        auth::accounts::request_password_reset,
        auth::accounts::confirm_password_reset,
        auth::me,
        health::ready,
        health::metrics,
        funds::create_fund,
        funds::list_funds,
        funds::get_fund,
        funds::update_fund,
        organisations::create_organisation,
        organisations::list_organisations,
        organisations::get_organisation,
        organisations::update_organisation,
        audit::list_audit_events,
        calls::create_call,
        calls::list_calls,
        calls::get_call,
        calls::update_call,
        calls::open_call,
        calls::close_call,
        applications::create_application,
        applications::list_applications,
        applications::get_application,
        applications::update_application,
        applications::readiness,
        applications::submit_application,
        applications::withdraw_application,
        applications::screen_application,
        applications::return_for_revision,
        applications::list_revisions,
        applications::get_revision,
        documents::upload_document,
        documents::list_documents,
        documents::download_document,
        documents::delete_document,
        ledger::get_fund_status,
        ledger::list_ledger_entries,
        exchange::create_exchange_rate,
        exchange::list_exchange_rates,
        donations::create_pledge,
        donations::list_pledges,
        donations::get_pledge,
        donations::cancel_pledge,
        donations::create_contribution,
        donations::list_contributions,
        donations::get_contribution,
        donations::get_statement,
        registry::list_projects,
        registry::get_project,
        registry::project_overlaps,
        registry::matrix,
        registry::gaps,
        registry::create_project,
        registry::update_project,
        registry::delete_project,
        registry::overlap_check,
        registry::list_overlap_reviews,
        registry::record_overlap_review,
        registry::resolve_overlap_review,
        registry::import_iati,
        board::create_session,
        board::list_sessions,
        board::get_session,
        board::create_decision,
        reports::create_report,
        reports::list_reports,
        reports::get_report,
        reports::accept_report,
        reports::return_report,
        reports::fund_outcomes,
        grants::list_grants,
        grants::get_grant,
        grants::sign_grant,
        grants::suspend_grant,
        grants::resume_grant,
        grants::terminate_grant,
        grants::close_grant,
        disbursements::request_disbursement,
        disbursements::list_disbursements,
        disbursements::get_disbursement,
        disbursements::approve_disbursement,
        disbursements::pay_disbursement,
        disbursements::cancel_disbursement,
        disbursements::create_refund,
        disbursements::list_refunds,
        review::create_assignment,
        review::list_assignments,
        review::get_assignment,
        review::declare_conflict,
        review::save_review,
        review::submit_review,
        review::list_reviews,
        review::call_ranking,
        opendata::iati_xml,
        opendata::giving_json,
        crate::public::get_public_fund,
        crate::public::fund_page,
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme that signed-in endpoints use.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

pub fn openapi() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// Registers the route table: one resource per path, its methods, and a 405 with `Allow`
/// for any other method.
fn register_routes(cfg: &mut web::ServiceConfig) {
    let mut paths: Vec<(&'static str, Vec<Endpoint>)> = Vec::new();
    for e in endpoints() {
        match paths.iter_mut().find(|(p, _)| *p == e.path) {
            Some((_, group)) => group.push(e),
            None => paths.push((e.path, vec![e])),
        }
    }
    for (path, group) in paths {
        let allow = group
            .iter()
            .map(|e| e.method.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let mut resource = web::resource(path);
        for e in &group {
            resource = resource.route((e.route)());
        }
        resource = resource.default_service(web::to(move || {
            let allow = allow.clone();
            async move {
                let mut err = AppError::new(
                    ErrorCode::MethodNotAllowed,
                    format!("allowed methods: {allow}"),
                );
                err.allow = Some(allow);
                Err::<HttpResponse, _>(err)
            }
        }));
        cfg.service(resource);
    }
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
    App::new()
        .app_data(state)
        .app_data(limits)
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
