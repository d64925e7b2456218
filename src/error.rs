//! One error type for the whole service. Every failure, including those actix produces
//! itself, leaves as an RFC 9457 `application/problem+json` document with a machine-readable
//! `code`. Internal details (SQL, paths, panics) are logged, never sent.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// The machine-readable problem codes of the API contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    MalformedRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    InvalidState,
    InsufficientFunds,
    Duplicate,
    PreconditionFailed,
    RequestTimeout,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    PreconditionRequired,
    RateLimited,
    ServiceUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedRequest => "malformed_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::InvalidState => "invalid_state",
            ErrorCode::InsufficientFunds => "insufficient_funds",
            ErrorCode::Duplicate => "duplicate",
            ErrorCode::PreconditionFailed => "precondition_failed",
            ErrorCode::RequestTimeout => "request_timeout",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::PreconditionRequired => "precondition_required",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::Internal => "internal_error",
        }
    }

    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::MalformedRequest => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::InvalidState | ErrorCode::InsufficientFunds | ErrorCode::Duplicate => {
                StatusCode::CONFLICT
            }
            ErrorCode::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ErrorCode::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::ValidationFailed => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::MalformedRequest => "The request could not be read",
            ErrorCode::Unauthorized => "Authentication is required",
            ErrorCode::Forbidden => "You may not do this",
            ErrorCode::NotFound => "Not found",
            ErrorCode::MethodNotAllowed => "Method not allowed",
            ErrorCode::InvalidState => "Not possible in the current state",
            ErrorCode::InsufficientFunds => "The fund cannot cover this",
            ErrorCode::Duplicate => "Already exists",
            ErrorCode::PreconditionFailed => "The resource has changed",
            ErrorCode::RequestTimeout => "The request body did not arrive in time",
            ErrorCode::PayloadTooLarge => "The request body is too large",
            ErrorCode::UnsupportedMediaType => "Unsupported media type",
            ErrorCode::ValidationFailed => "The request is not valid",
            ErrorCode::PreconditionRequired => "If-Match is required",
            ErrorCode::RateLimited => "Too many requests",
            ErrorCode::ServiceUnavailable => "Service unavailable",
            ErrorCode::Internal => "Internal error",
        }
    }

    /// The code for a bare status produced outside our handlers (actix's own responses).
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            400 => ErrorCode::MalformedRequest,
            401 => ErrorCode::Unauthorized,
            403 => ErrorCode::Forbidden,
            404 => ErrorCode::NotFound,
            405 => ErrorCode::MethodNotAllowed,
            409 => ErrorCode::InvalidState,
            408 => ErrorCode::RequestTimeout,
            412 => ErrorCode::PreconditionFailed,
            413 => ErrorCode::PayloadTooLarge,
            415 => ErrorCode::UnsupportedMediaType,
            422 => ErrorCode::ValidationFailed,
            428 => ErrorCode::PreconditionRequired,
            429 => ErrorCode::RateLimited,
            503 => ErrorCode::ServiceUnavailable,
            s if (400..500).contains(&s) => ErrorCode::MalformedRequest,
            _ => ErrorCode::Internal,
        }
    }
}

/// One problem with one input field; `field` is a path such as `budget[2].amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The RFC 9457 body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    pub code: String,
    /// The invalid fields, at most `MAX_FIELD_ERRORS` of them, in the order found.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// How many further invalid fields were found but not listed (present only when
    /// `errors` was cut at `MAX_FIELD_ERRORS`): an answer stays small whatever the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1)]
    pub errors_omitted: Option<u64>,
}

/// At most this many entries of `errors[]` are sent; the rest are counted in
/// `errors_omitted`.
pub const MAX_FIELD_ERRORS: usize = 50;

#[derive(Debug)]
pub struct AppError {
    pub code: ErrorCode,
    pub detail: String,
    pub errors: Vec<FieldError>,
    /// Seconds for `Retry-After` on 429.
    pub retry_after: Option<u64>,
    /// Value of `Allow` on 405.
    pub allow: Option<String>,
    /// What went wrong inside; logged, never sent.
    internal: Option<String>,
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.detail)?;
        if let Some(internal) = &self.internal {
            write!(f, " ({internal})")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl AppError {
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            allow: None,
            internal: None,
        }
    }

    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.errors = errors;
        self
    }

    /// The same error about an object nested in a body under `prefix`: its fields named
    /// `prefix.field`, as the client wrote them.
    pub fn within(mut self, prefix: &str) -> Self {
        for error in &mut self.errors {
            error.field = format!("{prefix}.{}", error.field);
        }
        self
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::MalformedRequest, detail)
    }

    /// 422 naming every invalid field at once.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            many => format!("{} fields are invalid", many.len()),
        };
        Self::new(ErrorCode::ValidationFailed, detail).with_errors(errors)
    }

    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn not_found(what: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn invalid_state(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidState, detail)
    }

    pub fn duplicate(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Duplicate, detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthorized, detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, detail)
    }

    pub fn stale(current_version: i64) -> Self {
        Self::new(
            ErrorCode::PreconditionFailed,
            format!(
                "If-Match does not match the current version {current_version}; read the resource again and retry"
            ),
        )
    }

    /// 408: the body did not keep the pace `pace` asks (`what` says how).
    pub fn body_timeout(what: impl std::fmt::Display) -> Self {
        Self::new(
            ErrorCode::RequestTimeout,
            format!("{what}; send the body without pausing, or retry on a better connection"),
        )
    }

    pub fn internal(what: impl Into<String>) -> Self {
        let mut e = Self::new(ErrorCode::Internal, "an internal error occurred");
        e.internal = Some(what.into());
        e
    }

    pub fn problem(&self) -> Problem {
        Problem {
            type_uri: format!("/problems/{}", self.code.as_str()),
            title: self.code.title().to_string(),
            status: self.code.status().as_u16(),
            detail: self.detail.clone(),
            code: self.code.as_str().to_string(),
            errors: self.errors.iter().take(MAX_FIELD_ERRORS).cloned().collect(),
            errors_omitted: (self.errors.len() > MAX_FIELD_ERRORS)
                .then(|| (self.errors.len() - MAX_FIELD_ERRORS) as u64),
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.code == ErrorCode::Internal {
            tracing::error!(error = %self, "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_CONTENT_TYPE));
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.code == ErrorCode::Unauthorized {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"trustfund\""));
        }
        if let Some(allow) = &self.allow {
            response.insert_header((header::ALLOW, allow.clone()));
        }
        if self.code == ErrorCode::RequestTimeout {
            // the rest of the body will not be read: the connection cannot be reused
            response.force_close();
        }
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::not_found("resource"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::duplicate("a resource with the same unique value already exists")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                let mut err = AppError::new(
                    ErrorCode::ServiceUnavailable,
                    "the database was busy with a conflicting change; retry the request",
                );
                err.retry_after = Some(1);
                err
            }
            // SQLite "database is locked" after busy_timeout, PostgreSQL deadlock or lock
            // timeout: the request can be retried as it is.
            Error::DatabaseError(_, info)
                if info.message().contains("database is locked")
                    || info.message().contains("deadlock detected")
                    || info.message().contains("lock timeout") =>
            {
                let mut err = AppError::new(
                    ErrorCode::ServiceUnavailable,
                    "the database was busy with a conflicting change; retry the request",
                );
                err.retry_after = Some(1);
                err
            }
            other => AppError::internal(format!("database error: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::error!(error = %e, "no database connection available");
        let mut err = AppError::new(
            ErrorCode::ServiceUnavailable,
            "the database is not available right now; retry shortly",
        );
        err.retry_after = Some(2);
        err
    }
}

pub type AppResult<T> = Result<T, AppError>;
