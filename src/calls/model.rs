//! Call types: requests that validate into values, the call as the rest of the service sees
//! it (`Call`), and its JSON view.

use std::collections::HashSet;
use std::fmt;

use crate::clock::stored_time;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};
use crate::money::{Currency, DecimalString, Money, parse_decimal};
use crate::platform::{bounded_list, country, required_line, required_text, validated};
use crate::taxonomy;
use crate::text_enum;

text_enum!(
    /// Where a call is in its life: prepared, taking applications, past its deadline,
    /// decided by the board.
    CallStatus {
        Draft => "draft",
        Open => "open",
        Closed => "closed",
        Decided => "decided",
    }
);

/// A rubric weight: a positive decimal, from 0.0001 to 1000 (`rubric`). Clients may send
/// it as a JSON number (weights are not money), rounded to 4 decimals, or as a decimal
/// string, kept exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ToSchema)]
#[schema(value_type = f64, example = 0.25, minimum = 0.0001, maximum = 1000)]
pub struct Weight(pub Decimal);

impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Weight;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a positive number such as 0.25 or 30")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Weight, E> {
                parse_decimal(v)
                    .map(Weight)
                    .map_err(|_| E::custom("must be a number such as 0.25"))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Weight, E> {
                Ok(Weight(Decimal::from(v)))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Weight, E> {
                Ok(Weight(Decimal::from(v)))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Weight, E> {
                // The shortest text that reads back as `v` is what the client wrote; a
                // binary fraction cannot promise 4 decimals (3 × 0.0001 is
                // 0.00030000000000000003), so a number is rounded to the 4 the rule keeps.
                // Beyond a Decimal's range it is refused like any other wrong weight.
                Decimal::from_f64_retain(v)
                    .or_else(|| parse_decimal(&v.to_string()).ok())
                    .map(|d| {
                        Weight(d.round_dp_with_strategy(
                            4,
                            rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                        ))
                    })
                    .ok_or_else(|| E::custom("must be a number such as 0.25"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl Serialize for Weight {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let w = self.0.normalize();
        if w.fract().is_zero()
            && let Ok(whole) = i64::try_from(w)
        {
            return s.serialize_i64(whole);
        }
        s.serialize_f64(w.to_string().parse::<f64>().unwrap_or(0.0))
    }
}

/// One review criterion of a call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Short key, lower-case letters, digits and dashes, unique within the call.
    pub key: String,
    pub title: String,
    pub weight: Weight,
    /// Highest score a reviewer may give, 1 to 1000.
    pub max_score: i32,
}

/// How criteria are stored: the weight as exact decimal text.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCriterion {
    pub key: String,
    pub title: String,
    pub weight: String,
    pub max_score: i32,
}

impl From<&Criterion> for StoredCriterion {
    fn from(c: &Criterion) -> Self {
        StoredCriterion {
            key: c.key.clone(),
            title: c.title.clone(),
            weight: c.weight.0.normalize().to_string(),
            max_score: c.max_score,
        }
    }
}

impl StoredCriterion {
    pub fn into_criterion(self) -> Result<Criterion, AppError> {
        let weight = parse_decimal(&self.weight)
            .map_err(|_| AppError::internal(format!("bad rubric weight {:?}", self.weight)))?;
        Ok(Criterion {
            key: self.key,
            title: self.title,
            weight: Weight(weight),
            max_score: self.max_score,
        })
    }
}

/// A short machine key: `[a-z0-9][a-z0-9-]*`, at most 50 characters. Used for document
/// kinds and rubric keys.
pub fn is_slug(value: &str) -> bool {
    let mut chars = value.chars();
    value.len() <= 50
        && chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub const SLUG_RULE: &str = "must be 1 to 50 lower-case letters, digits or dashes, e.g. \"budget\"";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCall {
    pub title: String,
    pub description: String,
    /// When submissions open (UTC, RFC 3339).
    pub opens_at: DateTime<Utc>,
    /// The deadline (UTC, RFC 3339); the server clock decides.
    pub closes_at: DateTime<Utc>,
    /// Largest amount an application may request, a decimal string.
    pub max_amount: DecimalString,
    /// ISO 4217 currency of the call; applications request money in it.
    pub currency: String,
    pub max_duration_months: i32,
    /// ISO 3166-1 alpha-2 codes; empty means every country is eligible.
    #[serde(default)]
    pub eligible_countries: Vec<String>,
    /// Priority themes of the taxonomy.
    #[serde(default)]
    pub themes: Vec<String>,
    /// Kinds of documents every application must carry, e.g. `proposal`, `budget`.
    #[serde(default)]
    pub required_documents: Vec<String>,
    #[serde(default)]
    pub rubric: Vec<Criterion>,
}

/// A validated call, ready to store.
#[derive(Debug, Clone)]
pub struct NewCall {
    pub title: String,
    pub description: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub max_amount: Money,
    pub max_duration_months: i32,
    pub eligible_countries: Vec<String>,
    pub themes: Vec<String>,
    pub required_documents: Vec<String>,
    pub rubric: Vec<Criterion>,
}

fn title(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    required_line(field, value, 300, errors)
}

fn description(value: &str, errors: &mut Vec<FieldError>) -> String {
    required_text("description", value, 20_000, errors)
}

fn max_duration(value: i32, errors: &mut Vec<FieldError>) -> i32 {
    if !(1..=120).contains(&value) {
        errors.push(FieldError::new(
            "max_duration_months",
            "must be between 1 and 120",
        ));
    }
    value
}

fn max_amount(amount: Decimal, currency: &str, errors: &mut Vec<FieldError>) -> Option<Money> {
    let currency = match Currency::parse(currency) {
        Ok(c) => c,
        Err(e) => {
            errors.push(FieldError::new("currency", e.to_string()));
            return None;
        }
    };
    match Money::new(amount, currency).and_then(Money::require_positive) {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(FieldError::new("max_amount", e.to_string()));
            None
        }
    }
}

fn window(opens_at: DateTime<Utc>, closes_at: DateTime<Utc>, errors: &mut Vec<FieldError>) {
    let today = crate::clock::today();
    for (field, at) in [("opens_at", opens_at), ("closes_at", closes_at)] {
        crate::platform::dates::check(
            field,
            at.date_naive(),
            crate::platform::dates::Dated::Planned,
            today,
            errors,
        );
    }
    if closes_at <= opens_at {
        errors.push(FieldError::new("closes_at", "must be after opens_at"));
    }
}

/// Each entry checked by `valid`, and none repeated.
fn distinct_list(
    field: &str,
    values: &[String],
    max: usize,
    valid: impl Fn(&str) -> Option<String>,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    if !bounded_list(field, values, max, errors) {
        return Vec::new();
    }
    let mut seen = HashSet::new();
    for (i, v) in values.iter().enumerate() {
        if let Some(message) = valid(v) {
            errors.push(FieldError::new(format!("{field}[{i}]"), message));
        } else if !seen.insert(v.as_str()) {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "is listed more than once",
            ));
        }
    }
    values.to_vec()
}

pub fn countries(field: &str, values: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    distinct_list(
        field,
        values,
        crate::platform::MAX_COUNTRIES,
        |c| {
            let mut e = Vec::new();
            country("", c, &mut e);
            e.pop().map(|e| e.message)
        },
        errors,
    )
}

pub fn themes(field: &str, values: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    distinct_list(
        field,
        values,
        taxonomy::THEME_COUNT,
        |t| {
            (!taxonomy::is_theme(t))
                .then(|| format!("{t:?} is not a theme of the taxonomy (e.g. protection.shelter)"))
        },
        errors,
    )
}

fn document_kinds(values: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    distinct_list(
        "required_documents",
        values,
        MAX_DOCUMENT_KINDS,
        |k| (!is_slug(k)).then(|| SLUG_RULE.to_string()),
        errors,
    )
}

/// Kinds of document a call may require.
pub const MAX_DOCUMENT_KINDS: usize = 30;
/// Criteria of a call's rubric.
pub const MAX_CRITERIA: usize = 50;

fn rubric(criteria: &[Criterion], errors: &mut Vec<FieldError>) -> Vec<Criterion> {
    if !bounded_list("rubric", criteria, MAX_CRITERIA, errors) {
        return Vec::new();
    }
    let mut keys = HashSet::new();
    for (i, c) in criteria.iter().enumerate() {
        let at = |f: &str| format!("rubric[{i}].{f}");
        if !is_slug(&c.key) {
            errors.push(FieldError::new(at("key"), SLUG_RULE));
        } else if !keys.insert(c.key.as_str()) {
            errors.push(FieldError::new(at("key"), "is used by another criterion"));
        }
        required_line(&at("title"), &c.title, 300, errors);
        let w = c.weight.0;
        if w <= Decimal::ZERO || w > Decimal::from(1000) || w.normalize().scale() > 4 {
            errors.push(FieldError::new(
                at("weight"),
                "must be greater than 0 and at most 1000, with at most 4 decimals",
            ));
        }
        if !(1..=1000).contains(&c.max_score) {
            errors.push(FieldError::new(
                at("max_score"),
                "must be between 1 and 1000",
            ));
        }
    }
    criteria
        .iter()
        .map(|c| Criterion {
            title: c.title.trim().to_string(),
            ..c.clone()
        })
        .collect()
}

impl CreateCall {
    pub fn validate(self) -> Result<NewCall, AppError> {
        let mut errors = Vec::new();
        let title = title("title", &self.title, &mut errors);
        let description = description(&self.description, &mut errors);
        window(self.opens_at, self.closes_at, &mut errors);
        let max_amount = max_amount(self.max_amount.0, &self.currency, &mut errors);
        let max_duration_months = max_duration(self.max_duration_months, &mut errors);
        let eligible_countries =
            countries("eligible_countries", &self.eligible_countries, &mut errors);
        let themes = themes("themes", &self.themes, &mut errors);
        let required_documents = document_kinds(&self.required_documents, &mut errors);
        let rubric = rubric(&self.rubric, &mut errors);
        match max_amount {
            Some(max_amount) if errors.is_empty() => Ok(NewCall {
                title,
                description,
                opens_at: stored_time(self.opens_at),
                closes_at: stored_time(self.closes_at),
                max_amount,
                max_duration_months,
                eligible_countries,
                themes,
                required_documents,
                rubric,
            }),
            _ => Err(AppError::validation(errors)),
        }
    }
}

/// A change to a call; absent fields stay. The currency is fixed once created: every
/// application's amounts are in it.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCall {
    pub title: Option<String>,
    pub description: Option<String>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub max_amount: Option<DecimalString>,
    pub max_duration_months: Option<i32>,
    pub eligible_countries: Option<Vec<String>>,
    pub themes: Option<Vec<String>>,
    pub required_documents: Option<Vec<String>>,
    pub rubric: Option<Vec<Criterion>>,
}

impl UpdateCall {
    /// The names of the fields this request sets, to check against what the call's state
    /// still allows.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut set = Vec::new();
        let mut add = |present: bool, name: &'static str| {
            if present {
                set.push(name)
            }
        };
        add(self.title.is_some(), "title");
        add(self.description.is_some(), "description");
        add(self.opens_at.is_some(), "opens_at");
        add(self.closes_at.is_some(), "closes_at");
        add(self.max_amount.is_some(), "max_amount");
        add(self.max_duration_months.is_some(), "max_duration_months");
        add(self.eligible_countries.is_some(), "eligible_countries");
        add(self.themes.is_some(), "themes");
        add(self.required_documents.is_some(), "required_documents");
        add(self.rubric.is_some(), "rubric");
        set
    }

    /// Applies the change to `call`, validating the result as a whole (the window is
    /// checked with both ends, old or new).
    pub fn apply(self, call: &Call) -> Result<Call, AppError> {
        let mut errors = Vec::new();
        let mut next = call.clone();
        if let Some(t) = &self.title {
            next.title = title("title", t, &mut errors);
        }
        if let Some(d) = &self.description {
            next.description = description(d, &mut errors);
        }
        if let Some(t) = self.opens_at {
            next.opens_at = stored_time(t);
        }
        if let Some(t) = self.closes_at {
            next.closes_at = stored_time(t);
        }
        if self.opens_at.is_some() || self.closes_at.is_some() {
            window(next.opens_at, next.closes_at, &mut errors);
        }
        if let Some(a) = self.max_amount
            && let Some(m) = max_amount(a.0, call.max_amount.currency().code(), &mut errors)
        {
            next.max_amount = m;
        }
        if let Some(m) = self.max_duration_months {
            next.max_duration_months = max_duration(m, &mut errors);
        }
        if let Some(c) = &self.eligible_countries {
            next.eligible_countries = countries("eligible_countries", c, &mut errors);
        }
        if let Some(t) = &self.themes {
            next.themes = themes("themes", t, &mut errors);
        }
        if let Some(k) = &self.required_documents {
            next.required_documents = document_kinds(k, &mut errors);
        }
        if let Some(r) = &self.rubric {
            next.rubric = rubric(r, &mut errors);
        }
        validated(next, errors)
    }
}

/// A call as the service works with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub id: String,
    pub fund_id: String,
    pub title: String,
    pub description: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub max_amount: Money,
    pub max_duration_months: i32,
    pub eligible_countries: Vec<String>,
    pub themes: Vec<String>,
    pub required_documents: Vec<String>,
    pub rubric: Vec<Criterion>,
    pub status: CallStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallView {
    pub id: String,
    pub fund_id: String,
    pub title: String,
    pub description: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    #[schema(example = "20000.00")]
    pub max_amount: String,
    #[schema(example = "USD")]
    pub currency: String,
    pub max_duration_months: i32,
    pub eligible_countries: Vec<String>,
    pub themes: Vec<String>,
    pub required_documents: Vec<String>,
    pub rubric: Vec<Criterion>,
    pub status: CallStatus,
    /// Whether a submission made now would be in time (open, and between opens_at and
    /// closes_at by the server clock).
    pub accepting_submissions: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Call {
    pub fn view(&self, now: DateTime<Utc>) -> CallView {
        CallView {
            id: self.id.clone(),
            fund_id: self.fund_id.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            max_amount: self.max_amount.amount_string(),
            currency: self.max_amount.currency().code().to_string(),
            max_duration_months: self.max_duration_months,
            eligible_countries: self.eligible_countries.clone(),
            themes: self.themes.clone(),
            required_documents: self.required_documents.clone(),
            rubric: self.rubric.clone(),
            status: self.status,
            accepting_submissions: super::rules::accepts_submissions(self, now).is_ok(),
            version: self.version,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl crate::change::Versioned for CallView {
    fn version(&self) -> i64 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(is_slug("proposal"));
        assert!(is_slug("registration-certificate"));
        assert!(is_slug("2024-audit"));
        assert!(!is_slug(""));
        assert!(!is_slug("-x"));
        assert!(!is_slug("Budget"));
        assert!(!is_slug("a b"));
        assert!(!is_slug("../x"));
        assert!(!is_slug(&"a".repeat(51)));
    }

    #[test]
    fn weights_read_numbers_and_strings_exactly() {
        let w: Weight = serde_json::from_str("0.3").expect("number");
        assert_eq!(w.0, Decimal::new(3, 1));
        let w: Weight = serde_json::from_str("\"0.25\"").expect("string");
        assert_eq!(w.0, Decimal::new(25, 2));
        let w: Weight = serde_json::from_str("30").expect("integer");
        assert_eq!(serde_json::to_string(&w).expect("json"), "30");
        assert_eq!(
            serde_json::to_string(&Weight(Decimal::new(3, 1))).expect("json"),
            "0.3"
        );
        assert!(serde_json::from_str::<Weight>("true").is_err());
        // a number is rounded to the 4 decimals a weight keeps
        let w: Weight = serde_json::from_str("0.00030000000000000003").expect("float");
        assert_eq!(w.0, Decimal::new(3, 4));
        let w: Weight = serde_json::from_str("9.645902673885188e-28").expect("tiny");
        assert!(
            w.0.is_zero(),
            "then refused by the rubric rule as not above 0"
        );
    }
}
