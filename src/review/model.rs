//! Requests and answers of review: assignments, conflict declarations, reviews, the
//! ranking. Requests validate into domain values; views are what the API shows.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, FieldError};
use crate::platform::validated;

crate::text_enum!(
    /// Where an assignment stands. The board code reads these values from
    /// `review_assignments.status`, so they never change.
    AssignmentStatus {
        AwaitingDeclaration => "awaiting_declaration",
        Cleared => "cleared",
        Recused => "recused",
    }
);

crate::text_enum!(
    /// A reviewer's advice to the board.
    Recommendation {
        Fund => "fund",
        DoNotFund => "do_not_fund",
        FundWithChanges => "fund_with_changes",
    }
);

/// `{"reviewer_id": "…", "due_on": "2027-01-15"}` from the secretariat.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAssignment {
    /// A user with the reviewer role, or a trustee of the application's fund.
    pub reviewer_id: String,
    /// The day the review is due: from today to a year ahead, and before the fund's next
    /// board session if one is scheduled. Without it, `review.days_to_review` (14) days
    /// from today, or the eve of that session if it comes sooner.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
}

/// A validated assignment request: the reviewer, and the due day if one was given (its
/// window is checked by `review::assign`, which knows the fund's board sessions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAssignment {
    pub reviewer_id: String,
    pub due_on: Option<NaiveDate>,
}

impl CreateAssignment {
    pub fn validate(self) -> Result<NewAssignment, AppError> {
        let reviewer_id = uuid::Uuid::parse_str(self.reviewer_id.trim())
            .map(|u| u.to_string())
            .map_err(|_| AppError::field("reviewer_id", "must be a user id (a UUID)"))?;
        Ok(NewAssignment {
            reviewer_id,
            due_on: self.due_on,
        })
    }
}

/// The conflict-of-interest declaration, made once.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictDeclaration {
    pub has_conflict: bool,
    /// Required with a conflict: what it is. Optional otherwise.
    #[serde(default)]
    pub statement: Option<String>,
}

/// A validated declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub has_conflict: bool,
    pub statement: Option<String>,
}

pub const MAX_TEXT: usize = 10_000;

impl ConflictDeclaration {
    pub fn validate(self) -> Result<Declaration, AppError> {
        let mut errors = Vec::new();
        let statement = self
            .statement
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
        if statement
            .as_ref()
            .is_some_and(|s| s.chars().count() > MAX_TEXT)
        {
            errors.push(FieldError::new(
                "statement",
                format!("must be at most {MAX_TEXT} characters"),
            ));
        }
        if self.has_conflict && statement.is_none() {
            errors.push(FieldError::new(
                "statement",
                "must say what the conflict of interest is",
            ));
        }
        validated(
            Declaration {
                has_conflict: self.has_conflict,
                statement,
            },
            errors,
        )
    }
}

/// The review as the reviewer edits it: the whole of it each time (PUT). Scores may be
/// partial while editing; `submit` requires every criterion.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewDraft {
    /// `{criterion_key: integer}`, each from 0 to that criterion's `max_score`.
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"relevance": 8, "capacity": 6}))]
    pub scores: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    pub comment: String,
    #[serde(default)]
    pub recommendation: Option<Recommendation>,
}

/// A criterion of the call's rubric, as a reviewer scores it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CriterionView {
    pub key: String,
    pub title: String,
    #[schema(example = "0.4")]
    pub weight: String,
    pub max_score: i32,
}

/// What an assignment shows of its application: before the declaration only the title and
/// the applicant's name; after "no conflict" also its id and reference.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignedApplication {
    pub title: String,
    pub organisation_name: String,
    pub id: Option<String>,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssignmentView {
    pub id: String,
    pub reviewer_id: String,
    pub status: AssignmentStatus,
    pub application: AssignedApplication,
    /// The call's rubric, once the reviewer has declared no conflict.
    pub rubric: Option<Vec<CriterionView>>,
    pub conflict_statement: Option<String>,
    pub declared_at: Option<DateTime<Utc>>,
    /// The reviewer's scores (to the secretariat only once submitted).
    #[schema(value_type = Object)]
    pub scores: BTreeMap<String, i64>,
    pub comment: String,
    pub recommendation: Option<Recommendation>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The day the review is due.
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    /// Past `due_on` and still awaited: not submitted, the reviewer not recused.
    pub overdue: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /assignments` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssignmentQuery {
    /// Only the caller's own assignments (always so for reviewers and trustees).
    pub mine: Option<bool>,
    /// Secretariat only: the assignments of one application.
    pub application_id: Option<String>,
    /// Secretariat only: the assignments of one call.
    pub call_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// One review in `GET /applications/{id}/reviews`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewView {
    pub assignment_id: String,
    pub reviewer_id: String,
    pub reviewer_name: String,
    #[schema(value_type = Object)]
    pub scores: BTreeMap<String, i64>,
    /// Weighted score from 0 to 100 with two decimals; absent while criteria are unscored.
    #[schema(example = "72.50")]
    pub weighted_score: Option<String>,
    pub comment: String,
    pub recommendation: Option<Recommendation>,
    /// Absent for the caller's own review that is not submitted yet.
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReviewsView {
    pub application_id: String,
    pub reviews: Vec<ReviewView>,
    /// True when others' reviews are held back until the caller submits its own.
    pub others_hidden: bool,
}

/// How many reviews recommend each outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct RecommendationCounts {
    pub fund: u32,
    pub do_not_fund: u32,
    pub fund_with_changes: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingRow {
    /// 1 for the best score; equal scores share a rank; unreviewed applications have none.
    pub rank: Option<u32>,
    pub application_id: String,
    pub reference: Option<String>,
    pub title: String,
    pub status: crate::applications::model::ApplicationStatus,
    /// Mean of the submitted reviews' weighted scores, 0 to 100, two decimals.
    #[schema(example = "81.67")]
    pub score: Option<String>,
    /// Highest minus lowest review score.
    pub spread: Option<String>,
    pub review_count: u32,
    /// The spread exceeds the configured threshold (`review.divergence_threshold`).
    pub divergent: Option<bool>,
    pub recommendations: Option<RecommendationCounts>,
    /// The caller declared a conflict on this application: its scores are not shown.
    pub recused: bool,
    pub requested_amount: Option<String>,
    pub currency: String,
    /// The requested amount in the fund's base currency at today's rate; absent when no
    /// rate is known.
    pub requested_in_base: Option<String>,
    /// Sum of `requested_in_base` down the ranking, over applications open for decision.
    pub cumulative_in_base: Option<String>,
    pub within_funding_line: bool,
    /// Open flagged overlaps with registry projects the reader sees
    /// (`GET /applications/{id}/overlaps`): an approval must say how they were weighed.
    pub flagged_overlaps: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundingLineView {
    /// What the fund may still award, in its base currency.
    #[schema(example = "50000.00")]
    pub available: String,
    pub base_currency: String,
    /// How many applications fit within what is available.
    pub applications_within: u32,
    pub amount_within: String,
    /// The first application below the line, if any.
    pub first_below: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankingView {
    pub call_id: String,
    pub fund_id: String,
    pub divergence_threshold: u32,
    pub funding_line: FundingLineView,
    pub applications: Vec<RankingRow>,
}

impl crate::change::Versioned for AssignmentView {
    fn version(&self) -> i64 {
        self.version
    }
}
