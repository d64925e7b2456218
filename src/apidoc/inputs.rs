//! What the service accepts in a request, stated in the document beyond the Rust types the
//! handlers declare, so that a client (and schemathesis) can tell a valid request from one
//! that will be refused. The rules are those of the shared plumbing, keyed by the name of
//! the field or query parameter that holds a value:
//!
//! - every string of a JSON body is text (`platform::text`): no control characters other
//!   than line breaks and tabs, no bidirectional overrides; names, titles, references and
//!   categories are one line, and they and the free texts `platform::required_text`
//!   checks (descriptions, reasons, …) must not be blank;
//! - ids (`…_id`, `…_ids`) are UUIDs; currencies are ISO 4217 codes with minor units
//!   (`money::Currency`); countries ISO 3166-1 alpha-2 codes; themes the taxonomy's;
//! - amounts and rates are decimal strings (`money::parse_decimal`);
//! - a body declared as `Option<T>` may be left out, but is never JSON `null`.
//!
//! What a schema cannot say (a date in a window around today, an id that must name an
//! existing row, a password's strength, an amount's decimals in its currency) stays a 422
//! the operation documents.

use std::sync::OnceLock;

use serde_json::Value;
use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ArrayItems, KnownFormat, Schema, SchemaFormat, SchemaType, Type};
use utoipa::openapi::{OpenApi, RefOr, Required};

/// Characters no text may hold (`platform::text`): C0 controls but tab, line feed and
/// carriage return, DEL and C1, the bidirectional embeddings, overrides and isolates.
const CONTROLS: &str = r"\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069";
/// …and on one line, tab, line feed and carriage return too.
const LINE_CONTROLS: &str = r"\x00-\x1F\x7F-\x9F\u202A-\u202E\u2066-\u2069";
/// The end of the value. Not `$`, which a Python regex (schemathesis's generator) also
/// matches before a final line break.
const END: &str = r"(?![\s\S])";

/// What a string value must be, by the name that holds it.
enum Rule {
    None,
    Uuid,
    OneOf(Vec<String>),
    /// A comma-separated list of these, or nothing.
    ListOf(Vec<String>),
    Pattern(String, Option<usize>),
    Text {
        line: bool,
        required: bool,
    },
    Password,
}

fn rule(name: &str, query: bool) -> Rule {
    match name {
        "currency" | "base_currency" => Rule::OneOf(currencies().to_vec()),
        "countries" if query => Rule::ListOf(countries().to_vec()),
        "themes" if query => Rule::ListOf(themes()),
        "country" | "countries" | "eligible_countries" => Rule::OneOf(countries().to_vec()),
        "theme" | "themes" => Rule::OneOf(themes()),
        // a theme, or a country (`donations::model::earmark`)
        "earmark" => Rule::OneOf(themes().into_iter().chain(countries().to_vec()).collect()),
        "resolution" => Rule::OneOf(
            [
                "duplicate",
                "co_financing",
                "co-financing",
                "cofinancing",
                "complementary",
            ]
            .map(String::from)
            .to_vec(),
        ),
        // the audit trail names entities of every kind, by whatever id they have; the
        // registry's organisation filter is a UUID, or empty for none
        "entity_id" if query => Rule::None,
        "org_id" if query => Rule::Pattern(
            format!(
                "^(?:[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}})?{END}"
            ),
            None,
        ),
        n if n.ends_with("_id") || n.ends_with("_ids") => Rule::Uuid,
        // a query parameter is not a JSON body: the text rule is the bodies'
        _ if query => Rule::None,
        "amount" | "approved_amount" | "budget" | "capacity" | "rate" | "exchange_rate" => {
            Rule::Pattern(decimal_pattern(), Some(MAX_DECIMAL_LENGTH))
        }
        // `funds::model::support_cost_rate`: in [0, 1), at most six decimals
        "support_cost_rate" => Rule::Pattern(
            format!("^0+(?:\\.[0-9]{{1,6}})?{END}"),
            Some(MAX_DECIMAL_LENGTH),
        ),
        "organisation_type" => Rule::OneOf(
            crate::funds::model::IATI_ORGANISATION_TYPES
                .map(String::from)
                .to_vec(),
        ),
        // `funds::model::fund_code`
        "code" => Rule::Pattern(format!("^[A-Z0-9-]{{2,20}}{END}"), None),
        // `calls::model::is_slug`: a criterion's key, a document kind
        "key" | "required_documents" | "kind" => {
            Rule::Pattern(format!("^[a-z0-9][a-z0-9-]{{0,49}}{END}"), None)
        }
        // `platform::org_identifier`: list prefix, list, id
        "identifier" | "organisation_identifier" => Rule::Pattern(
            format!("^[A-Z]{{2}}-[A-Z0-9]+-[A-Za-z0-9_./-]{{1,100}}{END}"),
            None,
        ),
        // `registry::model::iati_identifier`
        "iati_identifier" => Rule::Pattern(
            format!("^[A-Za-z0-9_./:-]*-[A-Za-z0-9_./:-]*{END}"),
            Some(crate::registry::model::MAX_IATI_IDENTIFIER),
        ),
        // `auth::looks_like_email`
        "email" => Rule::Pattern(
            format!(
                "^[^\\s@{CONTROLS}]+@[^\\s@.{CONTROLS}][^\\s@{CONTROLS}]*\\.[^\\s@{CONTROLS}]*[^\\s@.{CONTROLS}]{END}"
            ),
            Some(254),
        ),
        // `platform::link::https_url`: an absolute https:// address (the parser decides
        // the rest: a 422 the operation documents)
        "url" | "link" => Rule::Pattern(
            format!(
                "^[Hh][Tt][Tt][Pp][Ss]://[^\\s@/?#\\\\{LINE_CONTROLS}]+(?:[/?#][^\\s{LINE_CONTROLS}]*)?{END}"
            ),
            Some(crate::platform::link::MAX_URL),
        ),
        "password" | "new_password" => Rule::Password,
        "name" | "title" | "reference" | "category" => Rule::Text {
            line: true,
            required: true,
        },
        "reason" | "summary" | "rationale" | "narrative" | "description" | "conditions"
        | "comment" | "event" => Rule::Text {
            line: false,
            required: true,
        },
        _ => Rule::Text {
            line: false,
            required: false,
        },
    }
}

/// What a handler asks of a list beyond its items.
enum ListRule {
    /// At least one item.
    NotEmpty,
    /// No item twice.
    EachOnce,
}

/// The lists of request bodies a handler checks as a whole, by schema and property.
const LIST_RULES: &[(&str, &[&str], ListRule)] = &[
    // `registry::model::ProjectFields`: a project names at least one country and theme
    (
        "CreateProject",
        &["countries", "themes"],
        ListRule::NotEmpty,
    ),
    (
        "UpdateProject",
        &["countries", "themes"],
        ListRule::NotEmpty,
    ),
    // `needs::rules::check_themes`, `check_kinds` and an offer's countries
    ("CreateNeed", &["themes", "kinds"], ListRule::NotEmpty),
    ("UpdateNeed", &["themes", "kinds"], ListRule::NotEmpty),
    (
        "CreateOffer",
        &["countries", "themes", "kinds"],
        ListRule::NotEmpty,
    ),
    (
        "UpdateOffer",
        &["countries", "themes", "kinds"],
        ListRule::NotEmpty,
    ),
    // `calls::model::distinct_list`: a call's and an application's lists name each item once
    (
        "CreateCall",
        &["eligible_countries", "themes", "required_documents"],
        ListRule::EachOnce,
    ),
    (
        "UpdateCall",
        &["eligible_countries", "themes", "required_documents"],
        ListRule::EachOnce,
    ),
    (
        "UpdateApplication",
        &["countries", "themes"],
        ListRule::EachOnce,
    ),
];

/// The integers a handler bounds, by name: `(minimum, maximum)`.
fn range(name: &str) -> Option<(i64, i64)> {
    Some(match name {
        "board_quorum" => (1, 100),
        "max_duration_months" => (1, 120),
        "duration_months" => (1, 600),
        "max_score" => (1, 1000),
        // `registry::model::OverlapCheck`
        "limit" => (1, 50),
        _ => return None,
    })
}

/// The query parameters whose values are a closed list the handler checks by hand.
/// The registry's search, matrix and gaps read `country`, `theme` and `status` as
/// comma-separated lists, where an empty value filters nothing
/// (`registry::model::parse_filters`).
fn takes_lists(path: &str) -> bool {
    matches!(
        path,
        "/api/v1/registry/projects" | "/api/v1/registry/matrix" | "/api/v1/registry/gaps"
    )
}

/// One of `values`, as a regular expression.
fn one_of(values: &[String]) -> String {
    let escaped: Vec<String> = values.iter().map(|v| v.replace('.', "\\.")).collect();
    format!("(?:{})", escaped.join("|"))
}

/// A comma-separated list of `values`, or nothing.
fn list_pattern(values: &[String]) -> String {
    let one = one_of(values);
    format!("^(?:{one}(?:,{one})*)?{END}")
}

/// A registry filter as `parse_filters` reads it: comma-separated, each item trimmed, empty
/// items skipped, so an empty value filters nothing.
fn filter_pattern(values: &[String]) -> String {
    // unambiguous (no value starts with a space), so a regular-expression engine that
    // backtracks reads a long run of spaces and commas in linear time
    let item = format!("\\s*(?:{}\\s*)?", one_of(values));
    format!("^{item}(?:,{item})*{END}")
}

fn query_values(path: &str, name: &str) -> Option<Vec<String>> {
    use crate::registry::model::{MatrixAxis, ProjectStatus};
    let values: Vec<String> = match (path, name) {
        ("/api/v1/registry/matrix", "rows" | "cols") => MatrixAxis::ALL
            .iter()
            .map(|a| a.as_str().to_string())
            .collect(),
        ("/api/v1/registry/matrix" | "/api/v1/registry/projects", "status") => ProjectStatus::ALL
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        ("/api/v1/registry/overlap-reviews", "status") => {
            ["open", "resolved", "all"].map(String::from).to_vec()
        }
        // `needs::list_filter`
        ("/api/v1/registry/needs" | "/api/v1/registry/offers", "status") => {
            ["open", "closed", "all"].map(String::from).to_vec()
        }
        _ => return None,
    };
    Some(values)
}

pub(super) fn constrain(doc: &mut OpenApi) {
    let mut request_schemas = Vec::new();
    for item in doc.paths.paths.values_mut() {
        for operation in [
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                continue;
            };
            for (media_type, content) in body.content.iter_mut() {
                let RefOr::T(content) = content else {
                    continue;
                };
                if let Some(schema) = content.schema.as_mut() {
                    if media_type == "application/json" && drop_null(schema) {
                        body.required = Some(Required::False);
                    }
                    references(schema, &mut request_schemas);
                    walk(schema, None);
                }
            }
        }
    }
    if let Some(components) = doc.components.as_mut() {
        let mut done = 0;
        while done < request_schemas.len() {
            let name = request_schemas[done].clone();
            done += 1;
            if let Some(schema) = components.schemas.get_mut(&name) {
                references(schema, &mut request_schemas);
                walk(schema, None);
            }
        }
        for (name, lists, rule) in LIST_RULES {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*name) {
                for list in *lists {
                    if let Some(RefOr::T(Schema::Array(array))) = object.properties.get_mut(*list) {
                        match rule {
                            ListRule::NotEmpty => array.min_items = Some(1),
                            ListRule::EachOnce => array.unique_items = true,
                        }
                    }
                }
            }
        }
        if let Some(RefOr::T(Schema::Object(decimal))) = components.schemas.get_mut("DecimalString")
        {
            decimal.pattern = Some(decimal_pattern());
            decimal.max_length = Some(MAX_DECIMAL_LENGTH);
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        for operation in [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ]
        .into_iter()
        .flatten()
        {
            for parameter in operation.parameters.iter_mut().flatten() {
                let RefOr::T(parameter) = parameter else {
                    continue;
                };
                if parameter.parameter_in == ParameterIn::Header
                    && parameter
                        .name
                        .eq_ignore_ascii_case(crate::idempotency::HEADER)
                    && let Some(RefOr::T(Schema::Object(object))) = parameter.schema.as_mut()
                {
                    // `idempotency::Claim`: 1 to 255 visible ASCII characters
                    object.pattern = Some(format!("^[\\x21-\\x7E]{{1,255}}{END}"));
                    continue;
                }
                if parameter.parameter_in != ParameterIn::Query {
                    continue;
                }
                let name = parameter.name.clone();
                let Some(schema) = parameter.schema.as_mut() else {
                    continue;
                };
                let filter_values = match (takes_lists(path), name.as_str()) {
                    (true, "country") => Some(countries().to_vec()),
                    (true, "theme") => Some(themes()),
                    _ => None,
                };
                if let Some(values) = query_values(path, &name).or(filter_values) {
                    if let RefOr::T(Schema::Object(object)) = schema
                        && is_string(&object.schema_type)
                    {
                        if takes_lists(path) {
                            object.pattern = Some(filter_pattern(&values));
                        } else {
                            object.enum_values =
                                Some(values.into_iter().map(Value::from).collect());
                        }
                    }
                    continue;
                }
                apply(schema, &name, true);
            }
        }
    }
}

/// `oneOf [T, null]` → `T`; whether it was one.
fn drop_null(schema: &mut RefOr<Schema>) -> bool {
    let RefOr::T(Schema::OneOf(one_of)) = schema else {
        return false;
    };
    let is_null = |s: &RefOr<Schema>| matches!(s, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null));
    if one_of.items.len() != 2 || !one_of.items.iter().any(is_null) {
        return false;
    }
    let Some(kept) = one_of.items.iter().find(|s| !is_null(s)).cloned() else {
        return false;
    };
    *schema = kept;
    true
}

/// The component names `schema` refers to, added to `names` once each.
fn references(schema: &RefOr<Schema>, names: &mut Vec<String>) {
    let value = serde_json::to_value(schema).unwrap_or_default();
    let mut stack = vec![&value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref")
                    && let Some(name) = r.strip_prefix("#/components/schemas/")
                    && !names.iter().any(|n| n == name)
                {
                    names.push(name.to_string());
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
}

/// Applies the rules to every string of a request schema, named by the property that holds it.
fn walk(schema: &mut RefOr<Schema>, field: Option<&str>) {
    // a decimal string, whose own pattern says less than this field's rule
    if field == Some("support_cost_rate") && matches!(schema, RefOr::Ref(_)) {
        *schema = RefOr::T(Schema::Object(
            utoipa::openapi::schema::ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("A decimal string in [0, 1), e.g. \"0.13\"."))
                .build(),
        ));
    }
    let RefOr::T(inner) = schema else {
        return;
    };
    match inner {
        Schema::Object(object) => {
            if is_string(&object.schema_type) {
                if let Some(field) = field {
                    apply(schema, field, false);
                }
                return;
            }
            if is_integer(&object.schema_type) {
                if let Some((min, max)) = field.and_then(range)
                    && object.minimum.is_none()
                    && object.maximum.is_none()
                {
                    object.minimum = Some(min.into());
                    object.maximum = Some(max.into());
                }
                return;
            }
            for (name, property) in object.properties.iter_mut() {
                walk(property, Some(name));
            }
            // a map's values (a report draft's `form`) by the name of the map
            if let Some(values) = object.additional_properties.as_deref_mut()
                && let utoipa::openapi::schema::AdditionalProperties::RefOr(values) = values
            {
                walk(values, field);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                walk(items, field);
            }
        }
        Schema::OneOf(one_of) => one_of.items.iter_mut().for_each(|s| walk(s, field)),
        Schema::AnyOf(any_of) => any_of.items.iter_mut().for_each(|s| walk(s, field)),
        Schema::AllOf(all_of) => all_of.items.iter_mut().for_each(|s| walk(s, field)),
        _ => {}
    }
}

fn is_integer(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(Type::Integer) => true,
        SchemaType::Array(types) => types.contains(&Type::Integer),
        _ => false,
    }
}

fn is_string(schema_type: &SchemaType) -> bool {
    match schema_type {
        SchemaType::Type(Type::String) => true,
        SchemaType::Array(types) => types.contains(&Type::String),
        _ => false,
    }
}

/// Constrains the string `schema` held by `name` (a query parameter, or a field of a
/// body), unless its declaration already says more than "a string".
fn apply(schema: &mut RefOr<Schema>, name: &str, query: bool) {
    let RefOr::T(Schema::Object(object)) = schema else {
        return;
    };
    if !is_string(&object.schema_type)
        || object.format.is_some()
        || object.enum_values.is_some()
        || object.pattern.is_some()
    {
        return;
    }
    match rule(name, query) {
        Rule::None => {}
        Rule::Uuid => object.format = Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)),
        Rule::OneOf(values) => {
            let mut values: Vec<Value> = values.into_iter().map(Value::from).collect();
            if matches!(&object.schema_type, SchemaType::Array(t) if t.contains(&Type::Null)) {
                values.push(Value::Null);
            }
            object.enum_values = Some(values);
        }
        Rule::ListOf(values) => object.pattern = Some(list_pattern(&values)),
        Rule::Pattern(pattern, max_length) => {
            object.pattern = Some(pattern);
            object.max_length = max_length;
        }
        Rule::Text { line, required } => object.pattern = Some(text_pattern(line, required)),
        Rule::Password => {
            object.min_length = Some(crate::auth::password::MIN_LENGTH);
            object.max_length = Some(crate::auth::password::MAX_LENGTH);
            object.pattern = Some(text_pattern(false, false));
        }
    }
}

/// `money::parse_decimal` reads at most 28 characters after the sign.
const MAX_DECIMAL_LENGTH: usize = 28;

/// `money::parse_decimal`: an optional minus, digits, an optional fraction.
fn decimal_pattern() -> String {
    format!("^-?[0-9]+(?:\\.[0-9]+)?{END}")
}

fn text_pattern(line: bool, required: bool) -> String {
    let refused = if line { LINE_CONTROLS } else { CONTROLS };
    if required {
        // a character that is neither space nor refused, anywhere in it
        format!("^[^{refused}]*[^\\s{refused}][^{refused}]*{END}")
    } else {
        format!("^[^{refused}]*{END}")
    }
}

/// ISO 4217 codes `money::Currency::parse` accepts.
fn currencies() -> &'static [String] {
    static CODES: OnceLock<Vec<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes = Vec::new();
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                for c in b'A'..=b'Z' {
                    let code = String::from_utf8(vec![a, b, c]).unwrap_or_default();
                    if crate::money::Currency::parse(&code).is_ok() {
                        codes.push(code);
                    }
                }
            }
        }
        codes
    })
}

/// ISO 3166-1 alpha-2 codes `platform::country` accepts.
fn countries() -> &'static [String] {
    static CODES: OnceLock<Vec<String>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut codes: Vec<String> = isocountry::CountryCode::iter()
            .map(|c| c.alpha2().to_string())
            .collect();
        codes.sort();
        codes.dedup();
        codes
    })
}

fn themes() -> Vec<String> {
    crate::taxonomy::themes().map(String::from).collect()
}
