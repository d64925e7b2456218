//! The disbursement lifecycle: `requested → approved → paid`, or `cancelled` before paid.

use super::model::DisbursementStatus;
use crate::error::{AppError, FieldError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Approve,
    Pay,
    Cancel,
}

impl Step {
    /// What the audit event calls this step.
    pub fn action(self) -> crate::audit::Action {
        match self {
            Step::Approve => crate::audit::Action::Approve,
            Step::Pay => crate::audit::Action::Pay,
            Step::Cancel => crate::audit::Action::Cancel,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Approve => "approve",
            Step::Pay => "pay",
            Step::Cancel => "cancel",
        }
    }
}

pub fn next(status: DisbursementStatus, step: Step) -> Result<DisbursementStatus, AppError> {
    use DisbursementStatus::*;
    match (status, step) {
        (Requested, Step::Approve) => Ok(Approved),
        (Approved, Step::Pay) => Ok(Paid),
        (Requested | Approved, Step::Cancel) => Ok(Cancelled),
        (status, step) => Err(AppError::invalid_state(format!(
            "cannot {} a disbursement that is {}",
            step.as_str(),
            status.as_str()
        ))
        .with_errors(vec![FieldError::new("status", status.as_str())])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disbursement_is_approved_before_it_is_paid_and_cancelled_only_before() {
        use DisbursementStatus::*;
        assert_eq!(next(Requested, Step::Approve).ok(), Some(Approved));
        assert_eq!(next(Approved, Step::Pay).ok(), Some(Paid));
        assert!(next(Requested, Step::Pay).is_err());
        assert!(next(Paid, Step::Cancel).is_err());
        assert!(next(Cancelled, Step::Approve).is_err());
        assert_eq!(next(Approved, Step::Cancel).ok(), Some(Cancelled));
    }
}
