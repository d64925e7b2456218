//! Request types of outcome reports, which validate into domain values, and the views.
//!
//! No personal data of victims is ever stored (domain invariant 7): beneficiaries are only
//! counts per sex × age group × form of exploitation, services are counts, and no field of
//! the schema holds a name, a date of birth, a nationality or any other attribute of a
//! person. The narrative is the organisation's account of its work; it is free text, so
//! the API documents that it must not name or describe individual victims.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::rules::Figure;
use crate::error::{AppError, FieldError};
use crate::grants::model::ReportKind;
use crate::money::{Currency, DecimalString, Money};
use crate::platform::{bounded_list, required_line, required_text, validated};
use crate::taxonomy::{self, AgeGroup, Exploitation, Sex};
use crate::text_enum;

text_enum!(
    /// The review state of a report. A returned report stays `returned`; its resubmission
    /// is a new report (the next `report_version`) that names it in `supersedes_id`.
    ReportStatus {
        Submitted => "submitted",
        Accepted => "accepted",
        Returned => "returned",
    }
);

pub const MAX_NARRATIVE: usize = 20_000;
pub const MAX_NAME: usize = 200;
pub const MAX_COMMENT: usize = 4_000;
/// A count of people or services; more would be a typing error.
pub const MAX_COUNT: u64 = 10_000_000;
pub const MAX_INDICATORS: usize = 50;
pub const MAX_EXPENDITURE_LINES: usize = 100;

/// `POST /grants/{id}/reports`. Submitting a report of a kind whose newest report was
/// returned is its resubmission: the new report supersedes the returned one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReport {
    pub kind: ReportKind,
    #[schema(value_type = String, format = Date)]
    pub period_start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub period_end: NaiveDate,
    /// What was done in the period. Never names or describes an individual victim.
    pub narrative: String,
    /// Everyone the project has assisted since the grant started, this period included,
    /// each person once. The beneficiary cells of a report are the people *first* assisted
    /// in its period, so this report's cells and those of the grant's earlier reports
    /// (accepted or awaiting review) may not add up beyond it: a final report cannot count
    /// again the people an interim report counted (422 on `beneficiaries`).
    #[schema(value_type = i64, minimum = 0)]
    pub people_reached_to_date: serde_json::Value,
    /// People first assisted in this period, per sex × age group × form of exploitation.
    #[serde(default)]
    pub beneficiaries: Vec<BeneficiaryInput>,
    #[serde(default)]
    pub services: Vec<ServiceInput>,
    #[serde(default)]
    pub indicators: Vec<IndicatorInput>,
    #[serde(default)]
    pub expenditure: Vec<ExpenditureInput>,
}

/// People reached in one sex × age group × form of exploitation cell: a count, never a
/// person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BeneficiaryInput {
    pub sex: String,
    pub age_group: String,
    pub exploitation: String,
    /// A whole number, 0 or more.
    #[schema(value_type = i64, minimum = 0)]
    pub count: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// One of `shelter`, `medical-care`, `psycho-social-care`, `legal-aid`, `repatriation`,
    /// `family-reunification`, `reintegration`, `other`.
    pub service: String,
    #[schema(value_type = i64, minimum = 0)]
    pub count: serde_json::Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorInput {
    pub name: String,
    pub target: DecimalString,
    pub actual: DecimalString,
}

/// Spent on one budget line of the application, in the grant's currency.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpenditureInput {
    pub category: String,
    pub amount: DecimalString,
}

/// A report that passed validation.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub kind: ReportKind,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub narrative: String,
    pub people_reached_to_date: i64,
    /// People first assisted in the period, per cell.
    pub beneficiaries: Vec<(Sex, AgeGroup, Exploitation, i64)>,
    pub services: Vec<(String, i64)>,
    /// (name, target, actual), decimals as exact text.
    pub indicators: Vec<(String, String, String)>,
    pub expenditure: Vec<(String, Money)>,
}

fn count(field: &str, value: &serde_json::Value, errors: &mut Vec<FieldError>) -> i64 {
    match value.as_u64() {
        Some(n) if n <= MAX_COUNT => n as i64,
        Some(_) => {
            errors.push(FieldError::new(
                field,
                format!("must be at most {MAX_COUNT}"),
            ));
            0
        }
        None => {
            errors.push(FieldError::new(
                field,
                "must be a whole number, 0 or more (a JSON integer)",
            ));
            0
        }
    }
}

fn one_of<T: Copy>(
    field: &str,
    value: &str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
    errors: &mut Vec<FieldError>,
) -> Option<T> {
    let found = all.iter().copied().find(|v| name(*v) == value);
    if found.is_none() {
        let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
        errors.push(FieldError::new(
            field,
            format!("{value:?} is not one of {}", names.join(", ")),
        ));
    }
    found
}

impl CreateReport {
    /// Checks everything, naming each invalid field (`beneficiaries[2].count`): counts,
    /// the taxonomy, no cell twice, services from the list, the period, amounts in the
    /// grant's `currency` and only on the application's budget `categories`.
    pub fn validate(
        self,
        currency: Currency,
        categories: &[String],
    ) -> Result<NewReport, AppError> {
        let mut errors = Vec::new();
        // Lists longer than the domain allows are refused before their entries are looked
        // at: one line of answer, whatever their length.
        let cells = Sex::ALL.len() * AgeGroup::ALL.len() * Exploitation::ALL.len();
        let within = [
            bounded_list("beneficiaries", &self.beneficiaries, cells, &mut errors),
            bounded_list(
                "services",
                &self.services,
                taxonomy::SERVICES.len(),
                &mut errors,
            ),
            bounded_list("indicators", &self.indicators, MAX_INDICATORS, &mut errors),
            bounded_list(
                "expenditure",
                &self.expenditure,
                MAX_EXPENDITURE_LINES,
                &mut errors,
            ),
        ];
        if within.contains(&false) {
            return Err(AppError::validation(errors));
        }
        let today = crate::clock::today();
        for (field, date) in [
            ("period_start", self.period_start),
            ("period_end", self.period_end),
        ] {
            crate::platform::dates::check(
                field,
                date,
                crate::platform::dates::Dated::Reported,
                today,
                &mut errors,
            );
        }
        if self.period_end < self.period_start {
            errors.push(FieldError::new(
                "period_end",
                "must not fall before period_start",
            ));
        }
        let narrative = required_text("narrative", &self.narrative, MAX_NARRATIVE, &mut errors);
        // what could identify a survivor is named, for the grantee to remove
        errors.extend(super::rules::personal_data("narrative", &narrative));
        let people_reached_to_date = count(
            "people_reached_to_date",
            &self.people_reached_to_date,
            &mut errors,
        );
        let mut beneficiaries = Vec::with_capacity(self.beneficiaries.len());
        for (i, b) in self.beneficiaries.iter().enumerate() {
            let field = |name: &str| format!("beneficiaries[{i}].{name}");
            let sex = one_of(&field("sex"), &b.sex, Sex::ALL, Sex::as_str, &mut errors);
            let age = one_of(
                &field("age_group"),
                &b.age_group,
                AgeGroup::ALL,
                AgeGroup::as_str,
                &mut errors,
            );
            let exp = one_of(
                &field("exploitation"),
                &b.exploitation,
                Exploitation::ALL,
                Exploitation::as_str,
                &mut errors,
            );
            let n = count(&field("count"), &b.count, &mut errors);
            if let (Some(sex), Some(age), Some(exp)) = (sex, age, exp) {
                if beneficiaries
                    .iter()
                    .any(|(s, a, e, _)| (*s, *a, *e) == (sex, age, exp))
                {
                    errors.push(FieldError::new(
                        format!("beneficiaries[{i}]"),
                        "this sex, age group and form of exploitation is already counted",
                    ));
                } else {
                    beneficiaries.push((sex, age, exp, n));
                }
            }
        }
        let mut services: Vec<(String, i64)> = Vec::with_capacity(self.services.len());
        for (i, s) in self.services.iter().enumerate() {
            let field = |name: &str| format!("services[{i}].{name}");
            let n = count(&field("count"), &s.count, &mut errors);
            if !taxonomy::is_service(&s.service) {
                errors.push(FieldError::new(
                    field("service"),
                    format!(
                        "{:?} is not one of {}",
                        s.service,
                        taxonomy::SERVICES.join(", ")
                    ),
                ));
            } else if services.iter().any(|(known, _)| *known == s.service) {
                errors.push(FieldError::new(field("service"), "is already counted"));
            } else {
                services.push((s.service.clone(), n));
            }
        }
        let indicators = self
            .indicators
            .iter()
            .enumerate()
            .map(|(i, ind)| {
                let name = required_line(
                    &format!("indicators[{i}].name"),
                    &ind.name,
                    MAX_NAME,
                    &mut errors,
                );
                (
                    name,
                    ind.target.0.normalize().to_string(),
                    ind.actual.0.normalize().to_string(),
                )
            })
            .collect();
        let mut expenditure: Vec<(String, Money)> = Vec::with_capacity(self.expenditure.len());
        for (i, e) in self.expenditure.iter().enumerate() {
            let field = |name: &str| format!("expenditure[{i}].{name}");
            let amount = match Money::new(e.amount.0, currency) {
                Ok(m) if m.minor_units() >= 0 => Some(m),
                Ok(_) => {
                    errors.push(FieldError::new(field("amount"), "must not be negative"));
                    None
                }
                Err(err) => {
                    errors.push(FieldError::new(field("amount"), err.to_string()));
                    None
                }
            };
            if !categories.contains(&e.category) {
                errors.push(FieldError::new(
                    field("category"),
                    format!(
                        "{:?} is not a budget line of the application; use one of: {}",
                        e.category,
                        categories.join(", ")
                    ),
                ));
            } else if expenditure.iter().any(|(c, _)| *c == e.category) {
                errors.push(FieldError::new(field("category"), "is already reported"));
            } else if let Some(amount) = amount {
                expenditure.push((e.category.clone(), amount));
            }
        }
        validated(
            NewReport {
                kind: self.kind,
                period_start: self.period_start,
                period_end: self.period_end,
                narrative,
                people_reached_to_date,
                beneficiaries,
                services,
                indicators,
                expenditure,
            },
            errors,
        )
    }
}

/// `POST /reports/{id}/accept` and `/return`; a return names its reason.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewRequest {
    #[serde(default)]
    pub comment: Option<String>,
}

impl ReviewRequest {
    pub fn comment(self, required: bool) -> Result<Option<String>, AppError> {
        let mut errors = Vec::new();
        let comment = match self.comment.filter(|c| !c.trim().is_empty()) {
            Some(c) => Some(required_text("comment", &c, MAX_COMMENT, &mut errors)),
            None if required => {
                errors.push(FieldError::new(
                    "comment",
                    "say what the grantee must change",
                ));
                None
            }
            None => None,
        };
        validated(comment, errors)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BeneficiaryView {
    pub sex: String,
    pub age_group: String,
    pub exploitation: String,
    pub count: Figure,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ServiceView {
    pub service: String,
    pub count: Figure,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorView {
    pub name: String,
    pub target: String,
    pub actual: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ExpenditureView {
    pub category: String,
    pub amount: String,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportView {
    pub id: String,
    pub grant_id: String,
    pub fund_id: String,
    pub organisation_id: String,
    pub kind: ReportKind,
    /// 1 for a first submission; a resubmission after a return is the next version.
    pub report_version: i32,
    /// The returned report this one replaces.
    pub supersedes_id: Option<String>,
    pub status: ReportStatus,
    #[schema(value_type = String, format = Date)]
    pub period_start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub period_end: NaiveDate,
    /// The grantee's account of its work. `null` for a donor until the secretariat has
    /// cleared it (`narrative_cleared`): a donor sees the figures without the text.
    pub narrative: Option<String>,
    /// Whether the secretariat has read the narrative for anything that could identify a
    /// survivor and cleared it to travel beyond the fund (`POST /reports/{id}/clear-narrative`).
    pub narrative_cleared: bool,
    pub narrative_cleared_at: Option<DateTime<Utc>>,
    /// Everyone the grant had assisted by the end of the period, as its grantee stated
    /// (`null` for reports sent before it was asked); below 5 shown as `"<5"` to donors.
    pub people_reached_to_date: Option<Figure>,
    /// Whether counts below 5 are shown as `"<5"` (donors).
    pub suppressed: bool,
    pub beneficiaries: Vec<BeneficiaryView>,
    pub services: Vec<ServiceView>,
    pub indicators: Vec<IndicatorView>,
    pub expenditure: Vec<ExpenditureView>,
    pub review_comment: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

impl crate::change::Versioned for ReportView {
    fn version(&self) -> i64 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn usd() -> Currency {
        Currency::parse("USD").expect("usd")
    }

    fn body(extra: serde_json::Value) -> CreateReport {
        let mut base = json!({
            "kind": "interim", "period_start": "2026-01-01", "period_end": "2026-06-30",
            "narrative": "Shelter opened.", "people_reached_to_date": 40,
        });
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        serde_json::from_value(base).expect("body")
    }

    fn fields(r: Result<NewReport, AppError>) -> Vec<String> {
        r.expect_err("invalid")
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn counts_must_be_whole_and_not_negative() {
        let cell = |count: serde_json::Value| json!({"sex": "female", "age_group": "adult", "exploitation": "sexual", "count": count});
        let report = body(
            json!({"beneficiaries": [cell(json!(3)), cell(json!(-1)), cell(json!(2.5)), cell(json!("4"))]}),
        );
        // the first is fine; the others are bad counts (and duplicates of the first cell)
        let f = fields(report.validate(usd(), &[]));
        assert!(f.contains(&"beneficiaries[1].count".to_string()), "{f:?}");
        assert!(f.contains(&"beneficiaries[2].count".to_string()), "{f:?}");
        assert!(f.contains(&"beneficiaries[3].count".to_string()), "{f:?}");
        assert!(f.contains(&"beneficiaries[1]".to_string()), "{f:?}");
        let ok = body(json!({"beneficiaries": [cell(json!(0))]}))
            .validate(usd(), &[])
            .expect("valid");
        assert_eq!(ok.beneficiaries.len(), 1);
    }

    #[test]
    fn taxonomy_services_periods_and_budget_lines_are_checked() {
        let report = body(json!({
            "period_end": "2025-12-31",
            "beneficiaries": [{"sex": "f", "age_group": "adult", "exploitation": "sexual", "count": 1}],
            "services": [{"service": "shelter", "count": 2}, {"service": "spa", "count": 1}],
            "expenditure": [{"category": "shelter", "amount": "10.00"}, {"category": "travel", "amount": "1.00"}, {"category": "shelter", "amount": "1.001"}],
        }));
        let f = fields(report.validate(usd(), &["shelter".to_string()]));
        assert_eq!(
            f,
            vec![
                "period_end",
                "beneficiaries[0].sex",
                "services[1].service",
                "expenditure[1].category",
                "expenditure[2].amount",
                "expenditure[2].category"
            ]
        );
    }

    #[test]
    fn a_return_needs_a_comment() {
        assert!(ReviewRequest { comment: None }.comment(true).is_err());
        assert!(
            ReviewRequest {
                comment: Some("  ".into())
            }
            .comment(true)
            .is_err()
        );
        assert_eq!(
            ReviewRequest { comment: None }.comment(false).expect("ok"),
            None
        );
    }
}
