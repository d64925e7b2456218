//! Board types: sessions with the trustees present, decision requests (which validate in
//! two steps: their shape first, then amounts against the application's currency) and views.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, FieldError};
use crate::grants::model::{GrantView, Instalment, ReleaseCondition, ReportKind};
use crate::money::{AmountInput, Currency, Money};
use crate::platform::{bounded_list, required_text, validated};
use crate::text_enum;

text_enum!(
    /// What the board decides on an application.
    Outcome {
        Approved => "approved",
        Rejected => "rejected",
        Deferred => "deferred",
    }
);

pub const MAX_TRUSTEES: usize = 100;
use crate::grants::rules::MAX_INSTALMENTS;
const MAX_TEXT: usize = 10_000;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    #[schema(value_type = String, format = Date)]
    pub held_on: NaiveDate,
    /// The trustees present: users with the trustee role on this fund's board.
    pub trustee_ids: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub held_on: NaiveDate,
    pub trustee_ids: Vec<String>,
}

fn uuid_field(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    match uuid::Uuid::parse_str(value) {
        Ok(id) => id.to_string(),
        Err(_) => {
            errors.push(FieldError::new(field, "must be a UUID"));
            String::new()
        }
    }
}

impl CreateSession {
    pub fn validate(self) -> Result<NewSession, AppError> {
        let mut errors = Vec::new();
        if self.trustee_ids.is_empty() {
            errors.push(FieldError::new(
                "trustee_ids",
                "name the trustees present at the session",
            ));
        }
        if !bounded_list("trustee_ids", &self.trustee_ids, MAX_TRUSTEES, &mut errors) {
            return Err(AppError::validation(errors));
        }
        let mut ids: Vec<String> = Vec::new();
        for (i, raw) in self.trustee_ids.iter().enumerate() {
            let field = format!("trustee_ids[{i}]");
            let id = uuid_field(&field, raw, &mut errors);
            if !id.is_empty() && ids.contains(&id) {
                errors.push(FieldError::new(field, "is named twice"));
            }
            ids.push(id);
        }
        validated(
            NewSession {
                held_on: {
                    crate::platform::dates::check(
                        "held_on",
                        self.held_on,
                        crate::platform::dates::Dated::Scheduled,
                        crate::clock::today(),
                        &mut errors,
                    );
                    self.held_on
                },
                trustee_ids: ids,
            },
            errors,
        )
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstalmentInput {
    #[schema(value_type = String, example = "12500.00")]
    pub amount: AmountInput,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    pub condition: ReleaseCondition,
    pub report_kind: Option<ReportKind>,
    /// Whether the instalment also waits until accepted reports show spending of a share
    /// (`grants.spend_threshold_share`, 70 % by default) of what was already paid.
    #[serde(default)]
    pub spend_threshold: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDecision {
    pub application_id: String,
    pub outcome: Outcome,
    /// Approvals only: at most the requested amount, in the application's currency.
    #[schema(value_type = Option<String>, example = "25000.00")]
    pub approved_amount: Option<AmountInput>,
    /// Approvals only: the instalment plan, summing to the approved amount; without it the
    /// fund's default plan applies.
    pub instalments: Option<Vec<InstalmentInput>>,
    /// Conditions the grantee must meet, told to the applicant.
    pub conditions: Option<String>,
    /// Why the board decided so (kept for the record, not sent to the applicant).
    pub rationale: String,
    /// How the board weighed the application's open flagged overlaps with registry projects
    /// (`GET /applications/{id}/overlaps`): required to approve an application that has
    /// any, kept with the decision and in its audit event; it marks them weighed.
    pub overlap_weighing: Option<String>,
}

/// A decision request whose shape is valid; amounts are checked by `approval`.
#[derive(Debug, Clone)]
pub struct DecisionInput {
    pub application_id: String,
    pub outcome: Outcome,
    pub approved_amount: Option<AmountInput>,
    pub instalments: Option<Vec<InstalmentInput>>,
    pub conditions: Option<String>,
    pub rationale: String,
    pub overlap_weighing: Option<String>,
}

/// The longest account of how an overlap was weighed.
pub const MAX_WEIGHING: usize = 4_000;

impl CreateDecision {
    pub fn validate(self) -> Result<DecisionInput, AppError> {
        let mut errors = Vec::new();
        if let Some(plan) = &self.instalments
            && !bounded_list("instalments", plan, MAX_INSTALMENTS, &mut errors)
        {
            return Err(AppError::validation(errors));
        }
        let application_id = uuid_field("application_id", &self.application_id, &mut errors);
        let rationale = required_text("rationale", &self.rationale, MAX_TEXT, &mut errors);
        let conditions = self
            .conditions
            .filter(|c| !c.trim().is_empty())
            .map(|c| required_text("conditions", &c, MAX_TEXT, &mut errors));
        // blank counts as not given: an approval that needs it is then refused by name
        let overlap_weighing = self
            .overlap_weighing
            .filter(|w| !w.trim().is_empty())
            .map(|w| required_text("overlap_weighing", &w, MAX_WEIGHING, &mut errors));
        if self.outcome == Outcome::Approved {
            if self.approved_amount.is_none() {
                errors.push(FieldError::new("approved_amount", "is required to approve"));
            }
        } else {
            for (present, field) in [
                (self.approved_amount.is_some(), "approved_amount"),
                (self.instalments.is_some(), "instalments"),
            ] {
                if present {
                    errors.push(FieldError::new(field, "only an approval names one"));
                }
            }
        }
        validated(
            DecisionInput {
                application_id,
                outcome: self.outcome,
                approved_amount: self.approved_amount,
                instalments: self.instalments,
                conditions,
                rationale,
                overlap_weighing,
            },
            errors,
        )
    }
}

/// The money side of an approval, checked against the application.
#[derive(Debug, Clone)]
pub struct Approval {
    pub amount: Money,
    /// `None`: the fund's default plan.
    pub instalments: Option<Vec<Instalment>>,
}

impl DecisionInput {
    /// The approved amount and plan in the application's `currency`: positive, at most
    /// `requested`, the plan summing to it (422 naming each field at fault).
    pub fn approval(
        &self,
        currency: Currency,
        requested: Option<Money>,
        decided_on: NaiveDate,
        spend_share: Decimal,
    ) -> Result<Approval, AppError> {
        let mut errors = Vec::new();
        let amount = self
            .approved_amount
            .as_ref()
            .and_then(|a| a.money("approved_amount", currency, &mut errors));
        if let Some(amount) = amount {
            if !amount.is_positive() {
                errors.push(FieldError::new("approved_amount", "must be more than zero"));
            }
            if let Some(requested) = requested
                && amount.amount() > requested.amount()
            {
                errors.push(FieldError::new(
                    "approved_amount",
                    format!("{amount} is more than the {requested} requested"),
                ));
            }
        }
        let instalments = self.instalments.as_ref().map(|plan| {
            plan.iter()
                .enumerate()
                .filter_map(|(i, inst)| {
                    let amount = inst.amount.money(
                        &format!("instalments[{i}].amount"),
                        currency,
                        &mut errors,
                    )?;
                    Some(Instalment {
                        amount,
                        due_on: inst.due_on,
                        condition: inst.condition,
                        report_kind: inst.report_kind,
                        min_spend_share: inst.spend_threshold.then_some(spend_share),
                    })
                })
                .collect::<Vec<_>>()
        });
        let Some(amount) = amount else {
            return Err(AppError::validation(errors));
        };
        if let Some(plan) = &instalments
            && errors.is_empty()
        {
            errors.extend(crate::grants::rules::plan_errors(plan, amount, decided_on));
        }
        validated(
            Approval {
                amount,
                instalments,
            },
            errors,
        )
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrusteeView {
    pub id: String,
    pub display_name: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecisionView {
    pub id: String,
    pub session_id: String,
    pub fund_id: String,
    pub application_id: String,
    pub outcome: Outcome,
    pub approved_amount: Option<String>,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    pub conditions: Option<String>,
    pub rationale: String,
    /// How the board weighed the application's flagged overlaps with registry projects.
    pub overlap_weighing: Option<String>,
    pub grant_id: Option<String>,
    /// The grant the approval created (on the answer to the decision).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant: Option<GrantView>,
    pub decided_by: Option<String>,
    pub decided_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub fund_id: String,
    #[schema(value_type = String, format = Date)]
    pub held_on: NaiveDate,
    pub trustees: Vec<TrusteeView>,
    /// The fund's quorum: trustees present, without a conflict on an application, that a
    /// decision on it needs.
    pub quorum: i32,
    pub decisions: Vec<DecisionView>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}
