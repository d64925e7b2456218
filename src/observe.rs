//! What every request passes through on its way in and out: a request id (returned in
//! `X-Request-Id` and written in the logs), Prometheus metrics by route and status, a log
//! line, and the guarantee that every error answer is problem+json.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, HttpRequest, HttpResponse};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};
use tracing::Instrument;

use crate::error::{AppError, ErrorCode, PROBLEM_CONTENT_TYPE};

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id of the request being served, stored in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

impl RequestId {
    pub fn of(req: &HttpRequest) -> Option<String> {
        req.extensions().get::<RequestId>().map(|r| r.0.clone())
    }
}

/// A client's own correlation id, when it is short and plain. It is logged beside ours but
/// never replaces it: the id in audit events must be one the server made.
fn client_request_id(req: &ServiceRequest) -> Option<String> {
    req.headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string)
}

/// Whether a request comes with no bearer token and no session cookie: someone who has not
/// signed in, or a client that sends no credentials.
fn carries_no_credentials(req: &ServiceRequest) -> bool {
    req.headers().get(header::AUTHORIZATION).is_none()
        && req.cookie(crate::web::session::SESSION_COOKIE).is_none()
}

/// The method as a metrics label: the parser accepts any token as a method, so unknown
/// ones share one label instead of each creating a series.
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route and status",
            ),
            &["method", "route", "status"],
        )
        .expect("metric definition is static and valid");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method, route and status",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route", "status"],
        )
        .expect("metric definition is static and valid");
        registry
            .register(Box::new(requests.clone()))
            .expect("registered once");
        registry
            .register(Box::new(latency.clone()))
            .expect("registered once");
        Metrics {
            registry,
            requests,
            latency,
        }
    }

    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buffer);
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The middleware. Routes are labelled by their pattern (`/api/v1/funds/{id}`), never by
/// the raw path, so ids cannot blow up the number of series.
pub async fn observe(
    metrics: Metrics,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let started = Instant::now();
    let request_id = uuid::Uuid::now_v7().to_string();
    let client_id = client_request_id(&req);
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let method = method_label(req.method());
    let anonymous_read = matches!(method, "GET" | "HEAD") && carries_no_credentials(&req);
    let path = req.path().to_string();
    // What a handler logs carries the request's id through this span. The request's own
    // line below is written outside it, with every field its own: the JSON format would
    // otherwise serialise the span's fields into each line and read them back (a tenth of
    // the cheapest requests' time, `perf`).
    //
    // An anonymous read's span is at debug, like its line: creating a span (the
    // subscriber's slab, the filter, its fields formatted as JSON) was a twentieth of a
    // cached public read (`perf`). Should such a read fail, its own line below, at info,
    // names the error with the request's id.
    let span = if anonymous_read {
        tracing::debug_span!("request", request_id = request_id.as_str())
    } else {
        tracing::info_span!("request", request_id = request_id.as_str())
    };

    // Errors escaping as `Err` come only from middleware inside this one (none today);
    // actix renders those itself, so they pass through untouched.
    let response = next.call(req).instrument(span).await?;
    let mut response = ensure_problem_body(response.map_into_boxed_body());
    let status = response.status().as_u16();
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_string());
    metrics.observe(method, &route, status, started.elapsed().as_secs_f64());
    // what went wrong, when the server failed
    let failure = (status >= 500)
        .then(|| response.response().error().map(ToString::to_string))
        .flatten();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    // Anonymous reads that succeeded are logged at debug, everything else at info: every
    // write, every error and every signed-in read (whose line tells who read what, with
    // the user's id logged by the handler inside the request's span). A link in the news
    // can send the public page thousands of readers a second: their lines would fill the
    // disk with what the metrics above already count by route and status, and writing
    // them cost a fifth of a cached public read's rate (`perf`, and the A/B in the README).
    // `RUST_LOG=info,trustfund::observe=debug` logs them too.
    macro_rules! served {
        ($level:expr) => {
            // fields as `&str`, not `%` (`Display`): written as they are, without a
            // formatting pass
            tracing::event!(
                $level,
                request_id = request_id.as_str(),
                client_request_id = client_id.as_deref(),
                method,
                path = path.as_str(),
                status,
                elapsed_ms = started.elapsed().as_millis() as u64,
                route = route.as_str(),
                error = failure.as_deref(),
                "served"
            )
        };
    }
    if anonymous_read && status < 400 {
        served!(tracing::Level::DEBUG);
    } else {
        served!(tracing::Level::INFO);
    }
    Ok(response)
}

/// Turns any error answer that is not already problem+json (actix's own 404, 405, 413 and
/// the like) into one, keeping its status and headers such as `Allow`. HTML error pages
/// are left alone: only a handler renders those, for people (the public fund page's 404).
fn ensure_problem_body(response: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_problem = content_type.starts_with(PROBLEM_CONTENT_TYPE);
    let is_page = content_type.starts_with("text/html");
    if !(status.is_client_error() || status.is_server_error()) || is_problem || is_page {
        return response;
    }
    let code = ErrorCode::from_status(status);
    let detail = match code {
        ErrorCode::NotFound => "no resource at this path".to_string(),
        ErrorCode::MethodNotAllowed => "this method is not allowed on this path".to_string(),
        _ => code.title().to_string(),
    };
    let mut problem = AppError::new(code, detail).problem();
    problem.status = status.as_u16();
    let body = serde_json::to_string(&problem).unwrap_or_default();
    response.map_body(|head, _| {
        head.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        head.headers_mut().remove(header::CONTENT_LENGTH);
        BoxBody::new(body)
    })
}

/// `GET /metrics` in the Prometheus text format.
pub fn render_metrics(metrics: &Metrics) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::tests::Lines;
    use actix_web::middleware::from_fn;
    use actix_web::{App, test, web};

    /// JSON log lines up to `level`, gathered in memory while the guard lives.
    fn json_logs(level: tracing::Level) -> (Lines, tracing::subscriber::DefaultGuard) {
        let lines = Lines::default();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(lines.clone())
            .with_max_level(level)
            .json()
            .flatten_event(true)
            .finish();
        (lines, tracing::subscriber::set_default(subscriber))
    }

    #[actix_web::test]
    async fn anonymous_reads_that_succeed_are_logged_at_debug_and_every_other_request_at_info() {
        let (lines, _logging) = json_logs(tracing::Level::DEBUG);
        let metrics = Metrics::new();
        let app = test::init_service(
            App::new()
                .wrap(from_fn(move |req, next| {
                    observe(metrics.clone(), req, next)
                }))
                .route("/thing", web::get().to(|| async { "a thing" }))
                .route("/thing", web::post().to(|| async { "made" })),
        )
        .await;
        let requests = [
            ("anonymous read", test::TestRequest::get().uri("/thing")),
            ("anonymous miss", test::TestRequest::get().uri("/nothing")),
            ("anonymous write", test::TestRequest::post().uri("/thing")),
            (
                "read with a token",
                test::TestRequest::get()
                    .uri("/thing")
                    .insert_header((header::AUTHORIZATION, "Bearer x")),
            ),
            (
                "read with a session",
                test::TestRequest::get()
                    .uri("/thing")
                    .cookie(actix_web::cookie::Cookie::new(
                        crate::web::session::SESSION_COOKIE,
                        "s",
                    )),
            ),
        ];
        for (name, request) in requests {
            let response = test::call_service(&app, request.to_request()).await;
            let text =
                String::from_utf8(lines.0.lock().expect("lines").split_off(0)).expect("utf-8");
            let served: Vec<serde_json::Value> = text
                .lines()
                .map(|l| serde_json::from_str(l).expect("a JSON line"))
                .filter(|l: &serde_json::Value| l["message"] == "served")
                .collect();
            assert_eq!(served.len(), 1, "{name}: one line: {text}");
            let expected = if name == "anonymous read" {
                "DEBUG"
            } else {
                "INFO"
            };
            assert_eq!(served[0]["level"], expected, "{name}: {}", served[0]);
            assert_eq!(served[0]["status"], response.status().as_u16(), "{name}");
        }
    }

    /// What the served lines and a handler's lines say at the `info` level.
    async fn logged_at_info(request: test::TestRequest) -> Vec<serde_json::Value> {
        let (lines, _logging) = json_logs(tracing::Level::INFO);
        let metrics = Metrics::new();
        let app = test::init_service(
            App::new()
                .wrap(from_fn(move |req, next| {
                    observe(metrics.clone(), req, next)
                }))
                .route(
                    "/broken",
                    web::get().to(|| async {
                        tracing::warn!("about to fail");
                        Err::<HttpResponse, _>(AppError::internal("the disk is full"))
                    }),
                ),
        )
        .await;
        test::call_service(&app, request.to_request()).await;
        let text = String::from_utf8(lines.0.lock().expect("lines").split_off(0)).expect("utf-8");
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    #[actix_web::test]
    async fn a_failed_anonymous_read_names_its_error_in_its_own_line() {
        let lines = logged_at_info(test::TestRequest::get().uri("/broken")).await;
        let served = lines
            .iter()
            .find(|l| l["message"] == "served")
            .expect("a served line");
        assert_eq!(served["level"], "INFO");
        assert_eq!(served["status"], 500);
        assert!(
            served["error"]
                .as_str()
                .is_some_and(|e| e.contains("the disk is full")),
            "{served}"
        );
        let warned = lines
            .iter()
            .find(|l| l["message"] == "about to fail")
            .expect("the handler's line");
        assert!(
            warned.get("span").is_none(),
            "an anonymous read has no span at info: {warned}"
        );
    }

    #[actix_web::test]
    async fn a_signed_in_request_logs_inside_its_span_at_info() {
        let lines = logged_at_info(
            test::TestRequest::get()
                .uri("/broken")
                .insert_header((header::AUTHORIZATION, "Bearer x")),
        )
        .await;
        let served = lines
            .iter()
            .find(|l| l["message"] == "served")
            .expect("a served line");
        let warned = lines
            .iter()
            .find(|l| l["message"] == "about to fail")
            .expect("the handler's line");
        assert_eq!(
            warned["span"]["request_id"], served["request_id"],
            "{warned}"
        );
    }
}
