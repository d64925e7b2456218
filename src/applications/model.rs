//! Application types: the NGO's request bodies (which cannot name a field only the
//! secretariat sets), the application's content as the rules see it, and its views.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::calls::model::{countries, themes};
use crate::error::{AppError, FieldError};
use crate::money::{Currency, DecimalString, Money};
use crate::platform::{bounded_list, required_line, required_text, validated};
use crate::taxonomy::{AgeGroup, Exploitation, Sex};
use crate::text_enum;

text_enum!(
    /// The application lifecycle of `domain.md`.
    ApplicationStatus {
        Draft => "draft",
        Submitted => "submitted",
        UnderReview => "under_review",
        Ineligible => "ineligible",
        Approved => "approved",
        Rejected => "rejected",
        Deferred => "deferred",
        Withdrawn => "withdrawn",
    }
);

pub const MAX_BUDGET_LINES: usize = 200;
pub const MAX_BENEFICIARY_CELLS: usize = 200;
pub const MAX_BENEFICIARIES_PER_CELL: i64 = 10_000_000;

/// One line of the budget, in the call's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    pub category: String,
    pub description: String,
    pub amount: Money,
}

/// Planned beneficiaries of one cell: a count, never a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct BeneficiaryCount {
    pub sex: Sex,
    pub age_group: AgeGroup,
    pub exploitation: Exploitation,
    pub count: i64,
}

/// What the NGO writes: everything the submission rules look at besides documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub title: String,
    pub summary: String,
    pub requested_amount: Option<Money>,
    pub duration_months: Option<i32>,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub planned_beneficiaries: Vec<BeneficiaryCount>,
    pub budget: Vec<BudgetLine>,
}

impl Content {
    pub fn empty() -> Self {
        Content {
            title: String::new(),
            summary: String::new(),
            requested_amount: None,
            duration_months: None,
            countries: Vec::new(),
            themes: Vec::new(),
            planned_beneficiaries: Vec::new(),
            budget: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLineInput {
    /// e.g. `shelter`, `staff`, `medical care`.
    pub category: String,
    #[serde(default)]
    pub description: String,
    /// Decimal string in the call's currency.
    pub amount: DecimalString,
    /// Optional; when given it must be the call's currency.
    pub currency: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryInput {
    pub sex: Sex,
    pub age_group: AgeGroup,
    pub exploitation: Exploitation,
    pub count: i64,
}

/// The fields an NGO may write on its draft. Anything else (status, version, reference,
/// scores, decisions, a person's name…) is refused by name with 422: serde's
/// `deny_unknown_fields` is the guard, so a field only the secretariat sets cannot slip in.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateApplication {
    pub title: Option<String>,
    pub summary: Option<String>,
    /// Decimal string in the call's currency.
    pub requested_amount: Option<DecimalString>,
    /// Optional; when given it must be the call's currency.
    pub currency: Option<String>,
    pub duration_months: Option<i32>,
    /// ISO 3166-1 alpha-2 codes where the project works.
    pub countries: Option<Vec<String>>,
    /// Theme codes of the taxonomy.
    pub themes: Option<Vec<String>>,
    pub planned_beneficiaries: Option<Vec<BeneficiaryInput>>,
    pub budget: Option<Vec<BudgetLineInput>>,
}

fn same_currency(
    field: &str,
    given: Option<&str>,
    currency: Currency,
    errors: &mut Vec<FieldError>,
) {
    if let Some(code) = given
        && code != currency.code()
    {
        errors.push(FieldError::new(
            field,
            format!("must be {}, the currency of the call", currency.code()),
        ));
    }
}

fn amount(
    field: &str,
    value: &DecimalString,
    currency: Currency,
    errors: &mut Vec<FieldError>,
) -> Option<Money> {
    match Money::new(value.0, currency).and_then(Money::require_positive) {
        Ok(m) => Some(m),
        Err(e) => {
            errors.push(FieldError::new(field, e.to_string()));
            None
        }
    }
}

impl UpdateApplication {
    /// Validates each given field on its own and applies it to `current`. Whether the
    /// whole is complete and fits the call is for the submission rules to say: a draft may
    /// be unfinished, but never malformed.
    pub fn apply(self, current: &Content, currency: Currency) -> Result<Content, AppError> {
        let mut errors = Vec::new();
        let mut next = current.clone();
        same_currency("currency", self.currency.as_deref(), currency, &mut errors);
        if let Some(t) = &self.title {
            next.title = required_line("title", t, 300, &mut errors);
        }
        if let Some(s) = &self.summary {
            next.summary = required_text("summary", s, 10_000, &mut errors);
        }
        if let Some(a) = &self.requested_amount {
            next.requested_amount = amount("requested_amount", a, currency, &mut errors);
        }
        if let Some(d) = self.duration_months {
            if !(1..=600).contains(&d) {
                errors.push(FieldError::new(
                    "duration_months",
                    "must be between 1 and 600",
                ));
            }
            next.duration_months = Some(d);
        }
        if let Some(c) = &self.countries {
            next.countries = countries("countries", c, &mut errors);
        }
        if let Some(t) = &self.themes {
            next.themes = themes("themes", t, &mut errors);
        }
        if let Some(cells) = &self.planned_beneficiaries {
            next.planned_beneficiaries = beneficiaries(cells, &mut errors);
        }
        if let Some(lines) = &self.budget {
            next.budget = budget(lines, currency, &mut errors);
        }
        validated(next, errors)
    }
}

fn beneficiaries(
    cells: &[BeneficiaryInput],
    errors: &mut Vec<FieldError>,
) -> Vec<BeneficiaryCount> {
    if !bounded_list(
        "planned_beneficiaries",
        cells,
        MAX_BENEFICIARY_CELLS,
        errors,
    ) {
        return Vec::new();
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(cells.len());
    for (i, cell) in cells.iter().enumerate() {
        if !(0..=MAX_BENEFICIARIES_PER_CELL).contains(&cell.count) {
            errors.push(FieldError::new(
                format!("planned_beneficiaries[{i}].count"),
                format!("must be between 0 and {MAX_BENEFICIARIES_PER_CELL}"),
            ));
        }
        if !seen.insert((
            cell.sex.as_str(),
            cell.age_group.as_str(),
            cell.exploitation.as_str(),
        )) {
            errors.push(FieldError::new(
                format!("planned_beneficiaries[{i}]"),
                "repeats a sex, age group and exploitation already counted",
            ));
        }
        out.push(BeneficiaryCount {
            sex: cell.sex,
            age_group: cell.age_group,
            exploitation: cell.exploitation,
            count: cell.count,
        });
    }
    out
}

fn budget(
    lines: &[BudgetLineInput],
    currency: Currency,
    errors: &mut Vec<FieldError>,
) -> Vec<BudgetLine> {
    if !bounded_list("budget", lines, MAX_BUDGET_LINES, errors) {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let at = |f: &str| format!("budget[{i}].{f}");
        let category = required_line(&at("category"), &line.category, 100, errors);
        let description = line.description.trim().to_string();
        if description.chars().count() > 1000 {
            errors.push(FieldError::new(
                at("description"),
                "must be at most 1000 characters",
            ));
        }
        same_currency(&at("currency"), line.currency.as_deref(), currency, errors);
        if let Some(amount) = amount(&at("amount"), &line.amount, currency, errors) {
            out.push(BudgetLine {
                category,
                description,
                amount,
            });
        }
    }
    out
}

/// `{"eligible": true, "notes": "…"}` from the secretariat.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScreeningRequest {
    pub eligible: bool,
    #[serde(default)]
    pub notes: String,
}

impl ScreeningRequest {
    pub fn validate(self) -> Result<ScreeningRequest, AppError> {
        let mut errors = Vec::new();
        let notes = self.notes.trim().to_string();
        if notes.chars().count() > 10_000 {
            errors.push(FieldError::new("notes", "must be at most 10000 characters"));
        }
        if !self.eligible && notes.is_empty() {
            errors.push(FieldError::new(
                "notes",
                "must say why the application is ineligible",
            ));
        }
        validated(ScreeningRequest { notes, ..self }, errors)
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// What the organisation must change; sent to it.
    pub reason: String,
}

impl ReturnRequest {
    pub fn validate(self) -> Result<String, AppError> {
        let mut errors = Vec::new();
        let reason = required_text("reason", &self.reason, 10_000, &mut errors);
        validated(reason, errors)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BudgetLineView {
    pub category: String,
    pub description: String,
    #[schema(example = "1500.00")]
    pub amount: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentView {
    pub id: String,
    pub kind: String,
    /// The client's file name, cleaned of any path; only ever used to name a download.
    pub file_name: String,
    /// Detected from the content, not from the name.
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content.
    pub sha256: String,
    /// The revision in which it was uploaded.
    pub revision: i32,
    pub uploaded_at: DateTime<Utc>,
    pub href: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ScreeningView {
    pub eligible: bool,
    pub notes: String,
    pub screened_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationView {
    pub id: String,
    pub call_id: String,
    pub fund_id: String,
    pub organisation_id: String,
    /// Given at the first submission, e.g. `UNVTF-2026-00042`; kept by later revisions.
    pub reference: Option<String>,
    pub title: String,
    pub summary: String,
    #[schema(example = "15000.00")]
    pub requested_amount: Option<String>,
    #[schema(example = "USD")]
    pub currency: String,
    pub duration_months: Option<i32>,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub planned_beneficiaries: Vec<BeneficiaryCount>,
    pub budget: Vec<BudgetLineView>,
    #[schema(example = "15000.00")]
    pub budget_total: String,
    pub documents: Vec<DocumentView>,
    pub status: ApplicationStatus,
    /// 1 for the first submission; each return for revision starts the next one.
    pub revision: i32,
    /// Changes with every write; the ETag.
    pub version: i64,
    pub submitted_at: Option<DateTime<Utc>>,
    pub screening: Option<ScreeningView>,
    pub return_reason: Option<String>,
    pub returned_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One line of a list: the application without its budget, beneficiaries and documents.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApplicationSummary {
    pub id: String,
    pub call_id: String,
    pub fund_id: String,
    pub organisation_id: String,
    pub reference: Option<String>,
    pub title: String,
    pub requested_amount: Option<String>,
    pub currency: String,
    pub status: ApplicationStatus,
    pub revision: i32,
    pub version: i64,
    pub submitted_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A submitted revision, frozen: the application as it was sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionView {
    pub revision: i32,
    pub submitted_at: DateTime<Utc>,
    pub returned_at: Option<DateTime<Utc>>,
    pub return_reason: Option<String>,
    /// The application's view at submission.
    #[schema(value_type = Object)]
    pub application: serde_json::Value,
}

/// A line of the list of revisions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RevisionSummary {
    pub revision: i32,
    pub submitted_at: DateTime<Utc>,
    pub returned_at: Option<DateTime<Utc>>,
    pub return_reason: Option<String>,
    pub href: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Blocker {
    /// `invalid_state` (the application or the call does not allow a submission now: 409
    /// on submit) or `validation_failed` (something to complete or fix: 422 on submit).
    pub code: String,
    pub field: String,
    pub message: String,
}

/// `GET /applications/{id}/readiness`: everything that still blocks submission, by the
/// rules `submit` enforces.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadinessView {
    pub ready: bool,
    pub blockers: Vec<Blocker>,
    /// The server clock the deadline was judged by.
    pub checked_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

impl crate::change::Versioned for ApplicationView {
    fn version(&self) -> i64 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<UpdateApplication, AppError> {
        crate::http::parse_json(body.as_bytes())
    }

    #[test]
    fn secretariat_fields_are_refused_by_name() {
        for field in [
            "status",
            "version",
            "reference",
            "revision",
            "scores",
            "decision",
            "screening",
        ] {
            let err = parse(&format!("{{\"{field}\": \"x\"}}")).expect_err(field);
            assert_eq!(err.errors[0].field, field);
        }
        let err = parse(r#"{"planned_beneficiaries":[{"sex":"female","age_group":"child","exploitation":"sexual","count":3,"name":"A"}]}"#)
            .expect_err("no names");
        assert_eq!(err.errors[0].field, "planned_beneficiaries[0].name");
    }

    #[test]
    fn every_malformed_field_is_named() {
        let patch = parse(
            r#"{"title":"", "requested_amount":"10.001", "duration_months":0, "countries":["NG","XX","NG"],
                "themes":["protection.shelter","magic"], "currency":"EUR",
                "planned_beneficiaries":[{"sex":"female","age_group":"child","exploitation":"sexual","count":-1},
                                         {"sex":"female","age_group":"child","exploitation":"sexual","count":2}],
                "budget":[{"category":"staff","amount":"0"},{"category":" ","amount":"5.00"}]}"#,
        )
        .expect("well-typed");
        let err = patch
            .apply(&Content::empty(), Currency::USD)
            .expect_err("invalid");
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec![
                "currency",
                "title",
                "requested_amount",
                "duration_months",
                "countries[1]",
                "countries[2]",
                "themes[1]",
                "planned_beneficiaries[0].count",
                "planned_beneficiaries[1]",
                "budget[0].amount",
                "budget[1].category",
            ]
        );
    }

    #[test]
    fn a_valid_patch_changes_only_what_it_names() {
        let start = Content {
            title: "Shelter".into(),
            ..Content::empty()
        };
        let patch = parse(r#"{"requested_amount":"1500.5","countries":["NG"]}"#).expect("ok");
        let next = patch.apply(&start, Currency::USD).expect("valid");
        assert_eq!(next.title, "Shelter");
        assert_eq!(
            next.requested_amount.map(|m| m.amount_string()),
            Some("1500.50".into())
        );
        assert_eq!(next.countries, vec!["NG"]);
    }

    #[test]
    fn numbers_are_not_money() {
        let err = parse(r#"{"requested_amount": 1500}"#).expect_err("number");
        assert_eq!(err.errors[0].field, "requested_amount");
    }
}
