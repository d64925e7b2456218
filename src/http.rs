//! Request and response plumbing shared by every feature: a JSON extractor that names the
//! offending field, query parsing, cursor pages, ids in paths, and ETag / If-Match.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::error::{AppError, ErrorCode, FieldError};

/// Limits the JSON extractor applies; registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimits {
    pub max_bytes: usize,
}

/// A JSON body parsed strictly: wrong content type 415, too large 413, broken JSON 400,
/// and wrong types, missing or unknown fields 422 with the field's path.
pub struct ValidJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ValidJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<JsonLimits>>()
            .map(|l| l.max_bytes)
            .unwrap_or(256 * 1024);
        let content_type_ok = is_json_content_type(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(AppError::new(
                    ErrorCode::UnsupportedMediaType,
                    "the body must be JSON, sent with Content-Type: application/json",
                ));
            }
            if declared_length.is_some_and(|n| n > limit) {
                return Err(too_large(limit));
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(payload_error)?;
                if body.len() + chunk.len() > limit {
                    return Err(too_large(limit));
                }
                body.extend_from_slice(&chunk);
            }
            parse_json(&body).map(ValidJson)
        })
    }
}

/// A JSON body that may be left out entirely (`POST /pledges/{id}/cancel`, creating an
/// empty draft): nothing or only whitespace is `None`; anything else must be JSON, sent as
/// such, and is read by `parse_json` like every other body.
pub fn optional_json<T: DeserializeOwned>(
    req: &HttpRequest,
    body: &[u8],
) -> Result<Option<T>, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    if !is_json_content_type(req) {
        return Err(AppError::new(
            ErrorCode::UnsupportedMediaType,
            "the body must be JSON, sent with Content-Type: application/json",
        ));
    }
    parse_json(body).map(Some)
}

/// A body that could not be read: 408 when it did not keep the pace (`pace`), else 400.
pub fn payload_error(e: actix_web::error::PayloadError) -> AppError {
    if crate::pace::is_timeout(&e) {
        AppError::body_timeout(e)
    } else {
        AppError::malformed(format!("reading the body failed: {e}"))
    }
}

fn too_large(limit: usize) -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("the body is larger than the {limit} bytes allowed"),
    )
}

fn is_json_content_type(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| {
            let essence = essence.trim().to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
        .unwrap_or(false)
}

/// Deserialises `bytes`: the one way every JSON body of the service is read (`ValidJson`,
/// and `IdempotentJson` through it). First the strict pass (`strict`): one JSON value and
/// nothing after it, no key twice in one object (400 naming it), and every string text as
/// `platform::text` defines it (422 naming the field). Then the typed parse, turning serde's
/// message into a field path and a sentence.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    strict(bytes)?;
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| not_json(&e))?;
    integral_numbers(&mut value);
    // serde stops at the first field it cannot read; a client (or a person behind a form)
    // should learn of every such field at once. Each field that fails is named and taken
    // out (an array with it), and the body read again; a field then missing because it was
    // taken out takes its object out in turn. Reading stops at the body's own level.
    let mut errors: Vec<FieldError> = Vec::new();
    for _ in 0..MAX_SHAPE_ERRORS * 2 {
        let err = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) if errors.is_empty() => return Ok(parsed),
            Ok(_) => break,
            Err(err) => err,
        };
        let inner = err.inner();
        if inner.classify() != serde_json::error::Category::Data {
            return Err(not_json(inner));
        }
        let (field, message) = describe_data_error(&err.path().to_string(), &inner.to_string());
        let named = |e: &FieldError| {
            e.field == field
                || e.field
                    .strip_prefix(field.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        };
        if !errors.iter().any(named) {
            errors.push(FieldError::new(field, message));
        }
        if errors.len() >= MAX_SHAPE_ERRORS || !take_out(&mut value, err.path()) {
            break;
        }
    }
    Err(AppError::validation(errors))
}

/// Each field that cannot be read costs one more pass over the body: a body of thousands of
/// unknown keys must not cost thousands of passes.
const MAX_SHAPE_ERRORS: usize = 20;

/// Removes from `value` the object member that holds what `path` names (the member itself,
/// or the array it is an element of); false when there is none (the body itself).
fn take_out(value: &mut serde_json::Value, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let mut segments: Vec<&Segment> = path.iter().collect();
    while matches!(segments.last(), Some(Segment::Seq { .. })) {
        segments.pop();
    }
    let Some((Segment::Map { key }, parents)) = segments.split_last() else {
        return false;
    };
    let mut at = value;
    for segment in parents {
        let next = match segment {
            Segment::Map { key } => at.get_mut(key.as_str()),
            Segment::Seq { index } => at.get_mut(*index),
            _ => None,
        };
        match next {
            Some(next) => at = next,
            None => return false,
        }
    }
    at.as_object_mut()
        .is_some_and(|members| members.remove(key.as_str()).is_some())
}

/// JSON has one kind of number, and `3.0` is the integer 3 (JSON Schema's `integer` says
/// so, and the OpenAPI document is JSON Schema): a number without a fraction is read as an
/// integer, so that `"board_quorum": 3.0` is 3 and not a type error. Amounts are decimal
/// strings and still refuse every number.
fn integral_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            // beyond 2^53 a float no longer says which integer it is
            const EXACT: f64 = 9_007_199_254_740_992.0;
            if let Some(f) = n.as_f64().filter(|_| n.is_f64())
                && f.fract() == 0.0
                && f.abs() <= EXACT
            {
                *n = serde_json::Number::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        Value::Object(fields) => fields.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

fn not_json(err: &serde_json::Error) -> AppError {
    AppError::malformed(format!(
        "the body is not valid JSON (line {}, column {})",
        err.line(),
        err.column()
    ))
}

/// What the strict pass found in a body that is otherwise well-formed JSON.
enum Finding {
    DuplicateKey(String),
    NotText(String, String),
}

/// Walks the whole body once, whatever type it will become: serde's derive would only see
/// duplicates of the fields it knows (and a map or `serde_json::Value` keeps the last one),
/// and `serde_json::from_slice` callers may forget `end()`.
fn strict(bytes: &[u8]) -> Result<(), AppError> {
    use serde::de::DeserializeSeed;
    let finding = std::cell::RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let walked = Node {
        path: String::new(),
        finding: &finding,
    }
    .deserialize(&mut deserializer);
    match (walked, finding.into_inner()) {
        (_, Some(Finding::DuplicateKey(path))) => Err(AppError::malformed(format!(
            "the key {path} is given more than once in one object"
        ))
        .with_errors(vec![FieldError::new(path, "is given more than once")])),
        (_, Some(Finding::NotText(path, message))) => Err(AppError::field(path, message)),
        (Err(e), None) => Err(not_json(&e)),
        (Ok(()), None) => deserializer.end().map_err(|e| {
            AppError::malformed(format!(
                "the body has more after its JSON value (line {}, column {}); send exactly one JSON value",
                e.line(),
                e.column()
            ))
        }),
    }
}

/// One value of the body at `path` (`budget[2].amount`), visited by `strict`.
struct Node<'a> {
    path: String,
    finding: &'a std::cell::RefCell<Option<Finding>>,
}

impl Node<'_> {
    fn child(&self, path: String) -> Self {
        Node {
            path,
            finding: self.finding,
        }
    }

    fn stop<E: serde::de::Error>(&self, finding: Finding) -> Result<(), E> {
        *self.finding.borrow_mut() = Some(finding);
        Err(E::custom("strict JSON"))
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Node<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<(), E> {
        match crate::platform::text::problem(value, crate::platform::Lines::Multi) {
            Some(message) => {
                let path = self.path.clone();
                self.stop(Finding::NotText(path, message))
            }
            None => Ok(()),
        }
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        while seq
            .next_element_seed(self.child(format!("{}[{index}]", self.path)))?
            .is_some()
        {
            index += 1;
        }
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = if self.path.is_empty() {
                key.clone()
            } else {
                format!("{}.{key}", self.path)
            };
            if !seen.insert(key) {
                return self.stop(Finding::DuplicateKey(path));
            }
            map.next_value_seed(self.child(path))?;
        }
        Ok(())
    }
}

/// serde reports a missing or unknown field against its parent object; name the field
/// itself, and drop serde's position suffix which means nothing to a client.
fn describe_data_error(path: &str, message: &str) -> (String, String) {
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_string();
    // serde_path_to_error already ends the path with an unknown field's name, but stops at
    // the parent object for a missing one.
    let join = |name: &str| {
        if path == "." || path.is_empty() {
            name.to_string()
        } else if path == name || path.ends_with(&format!(".{name}")) {
            path.to_string()
        } else {
            format!("{path}.{name}")
        }
    };
    let quoted = message.split('`').nth(1).map(str::to_string);
    if let (true, Some(name)) = (message.starts_with("missing field"), &quoted) {
        return (join(name), "is required".to_string());
    }
    if let (true, Some(name)) = (message.starts_with("unknown field"), &quoted) {
        return (join(name), "is not a known field here".to_string());
    }
    let field = if path == "." {
        String::new()
    } else {
        path.to_string()
    };
    (field, message)
}

/// Parses a query string strictly into `T`, naming the bad parameter (422).
pub fn parse_query<T: DeserializeOwned>(req: &HttpRequest) -> Result<T, AppError> {
    let deserializer =
        serde_urlencoded::Deserializer::new(form_urlencoded::parse(req.query_string().as_bytes()));
    serde_path_to_error::deserialize(deserializer).map_err(|err| {
        let (field, message) =
            describe_data_error(&err.path().to_string(), &err.inner().to_string());
        AppError::field(field, message)
    })
}

/// Parses a UUID path segment; a malformed one is a malformed request naming the segment.
pub fn parse_id(raw: &str, field: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(raw).map_err(|_| {
        AppError::malformed(format!("{field} must be a UUID"))
            .with_errors(vec![FieldError::new(field, "must be a UUID")])
    })
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// `?limit=&cursor=`: cursors are the id of the last item of the previous page; ids are
/// UUIDv7, so id order is creation order.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub limit: i64,
    pub after: Option<String>,
}

impl PageParams {
    pub fn page(&self) -> Result<Page, AppError> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(AppError::field(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}"),
            ));
        }
        let after = match &self.cursor {
            Some(c) => Some(
                Uuid::parse_str(c)
                    .map_err(|_| AppError::field("cursor", "is not a cursor this service issued"))?
                    .to_string(),
            ),
            None => None,
        };
        Ok(Page { limit, after })
    }
}

/// One page of a list: `{"items": [...], "next_cursor": "…" | null}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Paginated<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Paginated<T> {
    /// `rows` holds up to `limit + 1` items; the extra one only says another page exists.
    pub fn from_rows(mut rows: Vec<T>, page: &Page, id_of: impl Fn(&T) -> String) -> Self {
        let more = rows.len() as i64 > page.limit;
        rows.truncate(page.limit as usize);
        let next_cursor = if more { rows.last().map(&id_of) } else { None };
        Paginated {
            items: rows,
            next_cursor,
        }
    }
}

pub fn etag_value(version: i64) -> String {
    format!("\"{version}\"")
}

/// A 200 JSON answer carrying the resource's ETag.
pub fn json_with_etag<T: Serialize>(
    status: actix_web::http::StatusCode,
    body: &T,
    version: i64,
) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::ETAG, etag_value(version)))
        .json(body)
}

/// How many ETags of one `If-Match` are compared; clients send one.
const MAX_IF_MATCH_TAGS: usize = 8;

/// Whether the client takes a gzip-compressed body (`Accept-Encoding`, RFC 9110 §12.5.3):
/// `gzip` (or its old name `x-gzip`) listed with a weight other than zero.
pub fn accepts_gzip(req: &HttpRequest) -> bool {
    req.headers()
        .get_all(header::ACCEPT_ENCODING)
        .filter_map(|v| v.to_str().ok())
        .any(accept_encoding_takes_gzip)
}

fn accept_encoding_takes_gzip(value: &str) -> bool {
    value.split(',').any(|coding| {
        let mut parts = coding.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let refused = parts.any(|param| {
            param
                .trim()
                .strip_prefix("q=")
                .and_then(|q| q.trim().parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        (name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip")) && !refused
    })
}

/// Whether `If-None-Match` names `etag` (or is `*`): the reader already holds these
/// bytes and gets `304 Not Modified`. Weak comparison, as RFC 9110 §13.1.2 asks.
pub fn if_none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .take(MAX_IF_MATCH_TAGS)
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == etag)
}

/// The versions a client expects, from `If-Match` (RFC 9110 §13.1.1): absent or `*` is
/// `Any`; otherwise the request proceeds only if one of the listed strong ETags is the
/// current version. A header that cannot be read, or lists only weak or foreign tags, can
/// never match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Any,
    OneOf {
        versions: [i64; MAX_IF_MATCH_TAGS],
        count: usize,
    },
    Never,
}

impl Expected {
    /// The version a page's form was made from (its hidden `version` field): a form whose
    /// record changed since is refused (412) instead of overwriting; a missing or garbled
    /// version never matches.
    pub fn from_form(raw: &str) -> Expected {
        match raw.trim().parse::<i64>() {
            Ok(version) => {
                let mut versions = [0i64; MAX_IF_MATCH_TAGS];
                versions[0] = version;
                Expected::OneOf { versions, count: 1 }
            }
            Err(_) => Expected::Never,
        }
    }
}

/// The request's `If-Match`. An edit (`PATCH`) must send one: without it, 428
/// `precondition_required`, so that no client overwrites a change it has not seen. State
/// transitions may send it and then get 412 when stale.
pub fn if_match(req: &HttpRequest) -> Result<Expected, AppError> {
    let header = req.headers().get(header::IF_MATCH);
    if header.is_none() && req.method() == actix_web::http::Method::PATCH {
        return Err(AppError::new(
            crate::error::ErrorCode::PreconditionRequired,
            "an edit must send If-Match with the ETag last read",
        ));
    }
    Ok(parse_if_match(header))
}

fn parse_if_match(header: Option<&actix_web::http::header::HeaderValue>) -> Expected {
    let Some(raw) = header else {
        return Expected::Any;
    };
    let Ok(value) = raw.to_str() else {
        return Expected::Never;
    };
    let value = value.trim();
    if value == "*" {
        return Expected::Any;
    }
    let mut versions = [0i64; MAX_IF_MATCH_TAGS];
    let mut count = 0;
    for tag in value.split(',').map(str::trim) {
        // Strong comparison only: a weak tag (W/"3") never matches.
        let strong = tag
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .and_then(|t| t.parse::<i64>().ok());
        if let Some(version) = strong
            && count < MAX_IF_MATCH_TAGS
        {
            versions[count] = version;
            count += 1;
        }
    }
    if count == 0 {
        Expected::Never
    } else {
        Expected::OneOf { versions, count }
    }
}

impl Expected {
    /// Fails with 412 unless `current` is a version the client listed.
    pub fn check(self, current: i64) -> Result<(), AppError> {
        match self {
            Expected::Any => Ok(()),
            Expected::OneOf { versions, count } if versions[..count].contains(&current) => Ok(()),
            _ => Err(AppError::stale(current)),
        }
    }
}

/// Whether the client asks for CSV: `text/csv` among the types of its `Accept`.
pub fn wants_csv(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept.split(',').any(|part| {
                part.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("text/csv"))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_is_taken_when_listed_without_a_zero_weight() {
        for yes in [
            "gzip",
            "gzip, deflate, br",
            "br;q=1.0, GZIP;q=0.5",
            "x-gzip",
            " deflate , gzip ",
        ] {
            assert!(accept_encoding_takes_gzip(yes), "{yes}");
        }
        for no in [
            "",
            "identity",
            "br, deflate",
            "gzip;q=0",
            "gzip; q=0.0",
            "gzipped",
            "*",
        ] {
            assert!(!accept_encoding_takes_gzip(no), "{no}");
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Sample {
        name: String,
        nested: Option<Nested>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Nested {
        lines: Vec<u32>,
    }

    fn field_of(body: &str) -> (ErrorCode, String) {
        let err = parse_json::<Sample>(body.as_bytes()).expect_err("invalid");
        (
            err.code,
            err.errors
                .first()
                .map(|e| e.field.clone())
                .unwrap_or_default(),
        )
    }

    fn expected(header: &str) -> Expected {
        let req = actix_web::test::TestRequest::default()
            .insert_header((header::IF_MATCH, header))
            .to_http_request();
        if_match(&req).expect("not a PATCH")
    }

    #[test]
    fn if_match_compares_strong_tags_and_any_listed_one_may_match() {
        assert!(expected("\"3\"").check(3).is_ok());
        assert!(expected("\"3\"").check(4).is_err());
        assert!(
            expected("\"1\", \"2\"").check(1).is_ok(),
            "any listed tag matches"
        );
        assert!(
            expected("W/\"3\"").check(3).is_err(),
            "weak tags never match"
        );
        assert!(expected("\"abc\"").check(1).is_err());
        assert!(expected("*").check(7).is_ok());
        let absent = actix_web::test::TestRequest::default().to_http_request();
        assert_eq!(if_match(&absent).expect("a POST"), Expected::Any);
    }

    #[test]
    fn an_edit_without_if_match_is_refused_with_428() {
        let patch = actix_web::test::TestRequest::patch().to_http_request();
        let err = if_match(&patch).expect_err("a PATCH must send If-Match");
        assert_eq!(err.code, ErrorCode::PreconditionRequired);
        let with = actix_web::test::TestRequest::patch()
            .insert_header((header::IF_MATCH, "\"2\""))
            .to_http_request();
        assert!(if_match(&with).expect("sent").check(2).is_ok());
    }

    #[test]
    fn names_the_field_that_is_wrong() {
        assert_eq!(field_of("{}"), (ErrorCode::ValidationFailed, "name".into()));
        assert_eq!(
            field_of(r#"{"name":"a","extra":1}"#),
            (ErrorCode::ValidationFailed, "extra".into())
        );
        assert_eq!(
            field_of(r#"{"name":"a","nested":{"lines":[1,"x"]}}"#),
            (ErrorCode::ValidationFailed, "nested.lines[1]".into())
        );
        assert_eq!(
            field_of(r#"{"name":"a","nested":{}}"#),
            (ErrorCode::ValidationFailed, "nested.lines".into())
        );
        assert_eq!(
            field_of("{\"name\":"),
            (ErrorCode::MalformedRequest, String::new())
        );
    }

    #[test]
    fn names_every_field_it_cannot_read_at_once() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Money {
            amount: crate::money::DecimalString,
            received_on: chrono::NaiveDate,
            quorum: Option<i32>,
            nested: Option<Nested>,
            name: String,
        }
        let fields = |body: &str| -> Vec<String> {
            let err = parse_json::<Money>(body.as_bytes()).expect_err("invalid");
            assert_eq!(err.code, ErrorCode::ValidationFailed, "{body}");
            err.errors.into_iter().map(|e| e.field).collect()
        };
        assert_eq!(
            fields(
                r#"{"amount":"abc","received_on":"2026-13-45","quorum":"x","extra":1,
                "nested":{"lines":["a"]},"name":"n"}"#
            ),
            [
                "amount",
                "extra",
                "nested.lines[0]",
                "quorum",
                "received_on"
            ]
        );
        // a field taken out is then missing and not named twice; serde names the first
        // missing field only, so one left out by the client shows once the rest reads
        assert_eq!(
            fields(r#"{"amount":"abc","received_on":"2026-01-01"}"#),
            ["amount"]
        );
        assert_eq!(
            fields(r#"{"amount":"1.00","received_on":"2026-01-01"}"#),
            ["name"]
        );
        assert!(
            parse_json::<Money>(br#"{"amount":"1.00","received_on":"2026-01-01","name":"n"}"#)
                .is_ok()
        );
    }

    #[test]
    fn one_value_and_nothing_after_it() {
        assert!(parse_json::<Sample>(br#"{"name":"a"}  "#).is_ok());
        for trailing in [
            &br#"{"name":"a"}{"name":"b"}"#[..],
            br#"{"name":"a"} x"#,
            br#"{"name":"a"},"#,
            br#"{"name":"a"}]"#,
        ] {
            let err = parse_json::<Sample>(trailing).expect_err("trailing data");
            assert_eq!(err.code, ErrorCode::MalformedRequest);
            assert!(
                err.detail.contains("more after its JSON value"),
                "{}",
                err.detail
            );
        }
    }

    #[test]
    fn a_key_given_twice_is_refused_whatever_the_target_type() {
        let err = parse_json::<Sample>(br#"{"name":"a","name":"b"}"#).expect_err("dup");
        assert_eq!(err.code, ErrorCode::MalformedRequest);
        assert_eq!(err.errors[0].field, "name");
        let err = parse_json::<serde_json::Value>(br#"{"a":{"b":[{"c":1,"c":2}]}}"#)
            .expect_err("nested dup in a Value");
        assert_eq!(err.errors[0].field, "a.b[0].c");
        let err = parse_json::<std::collections::HashMap<String, i64>>(br#"{"k":1,"k":2}"#)
            .expect_err("dup in a map");
        assert_eq!(err.errors[0].field, "k");
        assert!(parse_json::<serde_json::Value>(br#"[{"a":1},{"a":2}]"#).is_ok());
    }

    #[test]
    fn every_string_must_be_text() {
        let err = parse_json::<Sample>(b"{\"name\":\"a\\u0000b\"}").expect_err("NUL");
        assert_eq!(err.code, ErrorCode::ValidationFailed);
        assert_eq!(err.errors[0].field, "name");
        let err = parse_json::<serde_json::Value>("{\"x\":[\"ok\",\"\u{202e}evil\"]}".as_bytes())
            .expect_err("RLO");
        assert_eq!(err.errors[0].field, "x[1]");
        assert!(parse_json::<serde_json::Value>(br#"{"x":"two\nlines\tand a tab"}"#).is_ok());
    }
}
