//! Grant types: lifecycle, instalment release conditions and the views.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::money::{Currency, Money};
use crate::text_enum;

text_enum!(
    /// The grant lifecycle of `domain.md`.
    GrantStatus {
        AwaitingSignature => "awaiting_signature",
        Active => "active",
        Suspended => "suspended",
        Closed => "closed",
        Terminated => "terminated",
    }
);

text_enum!(
    /// What releases an instalment.
    ReleaseCondition {
        OnSignature => "on_signature",
        OnReportAccepted => "on_report_accepted",
    }
);

text_enum!(
    /// The kinds of outcome report.
    ReportKind {
        Interim => "interim",
        Final => "final",
    }
);

/// One instalment of a plan, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instalment {
    pub amount: Money,
    pub due_on: NaiveDate,
    pub condition: ReleaseCondition,
    /// The report whose acceptance releases it (`on_report_accepted` only).
    pub report_kind: Option<ReportKind>,
    /// When set, the instalment also waits until accepted reports show expenditure of at
    /// least this share of what was already paid.
    pub min_spend_share: Option<rust_decimal::Decimal>,
}

/// One share of a fund's default instalment plan, as stored on the fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanShare {
    /// Part of the approved amount, a decimal string; the shares of a plan sum to 1.
    #[schema(example = "0.6")]
    pub share: String,
    pub condition: ReleaseCondition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_kind: Option<ReportKind>,
    /// Months after the decision the instalment falls due (at the latest at the grant's end).
    pub due_after_months: u32,
    /// Whether the instalment also waits for reported spending (`grants.spend_threshold_share`).
    #[serde(default)]
    pub spend_threshold: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InstalmentView {
    pub id: String,
    /// From 1, in the order of the plan.
    pub position: i32,
    pub amount: String,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    pub condition: ReleaseCondition,
    pub report_kind: Option<ReportKind>,
    /// Share of what was already paid that accepted reports must show as spent first.
    pub min_spend_share: Option<String>,
    /// Paid out of this instalment, and requested or approved but not yet paid.
    pub paid: String,
    pub pending: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GrantView {
    pub id: String,
    pub fund_id: String,
    pub call_id: String,
    pub application_id: String,
    /// The grantee organisation.
    pub organisation_id: String,
    /// The application's reference, e.g. `UNVTF-2026-00001`.
    pub reference: String,
    pub title: String,
    pub amount: String,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    /// What the commitment was valued at in the fund's base currency, and the rate.
    pub base_amount: String,
    #[schema(value_type = String, example = "USD")]
    pub base_currency: Currency,
    pub exchange_rate: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub ends_on: NaiveDate,
    pub conditions: Option<String>,
    pub status: GrantStatus,
    pub status_reason: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
    /// Paid to the grantee so far.
    pub disbursed: String,
    /// Requested or approved, not yet paid.
    pub pending_disbursement: String,
    /// Still to be paid under the agreement: amount − disbursed (nothing once the grant is
    /// closed or terminated: the rest went back to the fund).
    pub remaining: String,
    /// Unspent money the grantee sent back.
    pub refunded: String,
    pub instalments: Vec<InstalmentView>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl crate::change::Versioned for GrantView {
    fn version(&self) -> i64 {
        self.version
    }
}
