//! Disbursement and refund types: requests that validate, and views.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppError;
use crate::money::{AmountInput, Currency};
use crate::platform::dates::{self, Dated};
use crate::platform::{required_line, validated};
use crate::text_enum;

text_enum!(
    /// `requested → approved → paid`, or `cancelled` before paid.
    DisbursementStatus {
        Requested => "requested",
        Approved => "approved",
        Paid => "paid",
        Cancelled => "cancelled",
    }
);

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateDisbursement {
    pub instalment_id: String,
    /// In the grant's currency: a decimal string, or `{amount, currency}`.
    #[schema(value_type = String, example = "6000.00")]
    pub amount: AmountInput,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayDisbursement {
    #[schema(value_type = String, format = Date)]
    pub paid_on: NaiveDate,
    /// The bank's reference of the transfer.
    pub reference: String,
}

impl PayDisbursement {
    /// The payment, which cannot be dated in the future.
    pub fn validate(self, today: NaiveDate) -> Result<(NaiveDate, String), AppError> {
        let mut errors = Vec::new();
        let reference = required_line("reference", &self.reference, 200, &mut errors);
        dates::check("paid_on", self.paid_on, Dated::Happened, today, &mut errors);
        validated((self.paid_on, reference), errors)
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelDisbursement {
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRefund {
    /// In the grant's currency: a decimal string, or `{amount, currency}`.
    #[schema(value_type = String, example = "1200.00")]
    pub amount: AmountInput,
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    pub reference: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisbursementView {
    pub id: String,
    pub grant_id: String,
    pub instalment_id: String,
    pub fund_id: String,
    pub amount: String,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    pub status: DisbursementStatus,
    pub requested_by: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub approved_by: Option<String>,
    pub approved_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<String>, format = Date)]
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
    pub paid_by: Option<String>,
    pub paid_at: Option<DateTime<Utc>>,
    pub cancelled_by: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RefundView {
    pub id: String,
    pub grant_id: String,
    pub fund_id: String,
    pub amount: String,
    #[schema(value_type = String, example = "USD")]
    pub currency: Currency,
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    pub reference: String,
    pub recorded_by: Option<String>,
    pub created_at: DateTime<Utc>,
}
