//! Pure decisions about pledges and contributions: a pledge's status from what the ledger
//! holds for it, when it may be cancelled or paid, how a payment larger than what is
//! outstanding is divided, and how a statement's running balance moves.

use chrono::NaiveDate;

use crate::error::{AppError, FieldError};
use crate::text_enum;

text_enum!(
    /// Where a pledge stands, derived from the ledger.
    PledgeStatus {
        Open => "open",
        PartlyPaid => "partly_paid",
        Paid => "paid",
        Cancelled => "cancelled",
    }
);

/// What the ledger holds for one pledge: the pledge entry less its reversal, and receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PledgeLedger {
    /// Net pledged: the amount while standing, zero once its entry is reversed.
    pub pledged: i64,
    pub paid: i64,
}

impl PledgeLedger {
    pub fn outstanding(&self) -> i64 {
        (self.pledged - self.paid).max(0)
    }
}

pub fn pledge_status(amount: i64, ledger: PledgeLedger) -> PledgeStatus {
    if ledger.pledged == 0 && amount > 0 && ledger.paid == 0 {
        PledgeStatus::Cancelled
    } else if ledger.paid == 0 {
        PledgeStatus::Open
    } else if ledger.paid >= ledger.pledged {
        PledgeStatus::Paid
    } else {
        PledgeStatus::PartlyPaid
    }
}

/// Overdue: past its due day and still expecting money.
pub fn overdue(status: PledgeStatus, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    matches!(status, PledgeStatus::Open | PledgeStatus::PartlyPaid)
        && due_on.is_some_and(|due| today > due)
}

/// A pledge may be cancelled only while nothing was paid against it.
pub fn check_cancel(status: PledgeStatus) -> Result<(), AppError> {
    match status {
        PledgeStatus::Open => Ok(()),
        PledgeStatus::Cancelled => Err(AppError::invalid_state("the pledge is already cancelled")),
        PledgeStatus::PartlyPaid | PledgeStatus::Paid => Err(AppError::invalid_state(
            "money was already received against this pledge; it cannot be cancelled",
        )),
    }
}

/// What a payment against a pledge must match. `received_on` before `pledged_on`, another
/// currency or another donor are refused naming the field.
pub struct PaymentCheck<'a> {
    pub pledge_currency: &'a str,
    pub currency: &'a str,
    pub pledge_donor: &'a str,
    pub donor: &'a str,
    pub pledged_on: NaiveDate,
    pub received_on: NaiveDate,
    pub status: PledgeStatus,
}

pub fn check_payment(p: &PaymentCheck<'_>) -> Result<(), AppError> {
    if p.status == PledgeStatus::Cancelled {
        return Err(AppError::invalid_state(
            "the pledge was cancelled; record the money as an unpledged contribution",
        ));
    }
    let mut errors = Vec::new();
    if p.pledge_donor != p.donor {
        errors.push(FieldError::new("pledge_id", "is a pledge of another donor"));
    }
    if p.pledge_currency != p.currency {
        errors.push(FieldError::new(
            "currency",
            format!(
                "must be the pledge's currency {} (convert outside, or record the money as unpledged)",
                p.pledge_currency
            ),
        ));
    }
    if p.received_on < p.pledged_on {
        errors.push(FieldError::new(
            "received_on",
            format!(
                "is before the pledge was made ({}); money cannot pay a pledge not yet made",
                p.pledged_on
            ),
        ));
    }
    crate::platform::validated((), errors)
}

/// Divides a payment into the part that pays the pledge (at most what is outstanding) and
/// the excess, recorded as a separate unpledged contribution.
pub fn split(amount: i64, outstanding: i64) -> (i64, i64) {
    let against = amount.min(outstanding.max(0));
    (against, amount - against)
}

/// The earmark a payment carries. Against a pledge it is the pledge's: the donor's terms
/// were set when it pledged, so an earmark given with the payment must be the same (422
/// naming `earmark` otherwise). Unpledged, it is the one given, if any. The unpledged part
/// of a split payment carries the same earmark as the rest: the donor sent it all for it.
pub fn contribution_earmark(
    given: Option<&str>,
    pledge: Option<Option<&str>>,
) -> Result<Option<String>, AppError> {
    match (given, pledge) {
        (given, None) => Ok(given.map(str::to_string)),
        (None, Some(pledged)) => Ok(pledged.map(str::to_string)),
        (Some(given), Some(Some(pledged))) if given == pledged => Ok(Some(given.to_string())),
        (Some(_), Some(Some(pledged))) => Err(AppError::field(
            "earmark",
            format!("the pledge is earmarked for {pledged}; leave earmark out or give the same"),
        )),
        (Some(_), Some(None)) => Err(AppError::field(
            "earmark",
            "the pledge has no earmark; record this payment without one, or as an unpledged contribution",
        )),
    }
}

/// A running balance of one donor in one fund and currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Balance {
    pub pledged: i64,
    pub paid: i64,
    pub received: i64,
    pub received_base: i64,
}

impl Balance {
    pub fn outstanding(&self) -> i64 {
        self.pledged - self.paid
    }

    /// Moves the balance by one statement entry.
    pub fn apply(&mut self, kind: StatementMove, amount: i64, base: i64) {
        match kind {
            StatementMove::Pledge => self.pledged += amount,
            StatementMove::Receipt { against_pledge } => {
                self.received += amount;
                self.received_base += base;
                if against_pledge {
                    self.paid += amount;
                }
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementMove {
    Pledge,
    Receipt { against_pledge: bool },
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_payment_carries_its_pledges_earmark_and_may_not_contradict_it() {
        assert_eq!(contribution_earmark(None, None).ok(), Some(None));
        assert_eq!(
            contribution_earmark(Some("NG"), None).ok(),
            Some(Some("NG".to_string()))
        );
        assert_eq!(
            contribution_earmark(None, Some(Some("protection"))).ok(),
            Some(Some("protection".to_string()))
        );
        assert_eq!(
            contribution_earmark(Some("protection"), Some(Some("protection"))).ok(),
            Some(Some("protection".to_string()))
        );
        for refused in [
            contribution_earmark(Some("NG"), Some(Some("protection"))),
            contribution_earmark(Some("NG"), Some(None)),
        ] {
            let error = refused.expect_err("disagrees with the pledge");
            assert_eq!(error.errors[0].field, "earmark");
        }
        assert_eq!(contribution_earmark(None, Some(None)).ok(), Some(None));
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("valid date")
    }

    #[test]
    fn status_follows_what_was_paid() {
        let standing = |paid| PledgeLedger {
            pledged: 1000,
            paid,
        };
        assert_eq!(pledge_status(1000, standing(0)), PledgeStatus::Open);
        assert_eq!(pledge_status(1000, standing(1)), PledgeStatus::PartlyPaid);
        assert_eq!(pledge_status(1000, standing(1000)), PledgeStatus::Paid);
        assert_eq!(
            pledge_status(
                1000,
                PledgeLedger {
                    pledged: 0,
                    paid: 0
                }
            ),
            PledgeStatus::Cancelled
        );
    }

    #[test]
    fn overdue_only_when_past_due_and_not_paid() {
        assert!(overdue(PledgeStatus::Open, Some(day(1)), day(2)));
        assert!(overdue(PledgeStatus::PartlyPaid, Some(day(1)), day(2)));
        assert!(
            !overdue(PledgeStatus::Open, Some(day(2)), day(2)),
            "due today is not late"
        );
        assert!(!overdue(PledgeStatus::Paid, Some(day(1)), day(2)));
        assert!(!overdue(PledgeStatus::Cancelled, Some(day(1)), day(2)));
        assert!(!overdue(PledgeStatus::Open, None, day(2)));
    }

    #[test]
    fn only_an_unpaid_pledge_may_be_cancelled() {
        assert!(check_cancel(PledgeStatus::Open).is_ok());
        for s in [
            PledgeStatus::PartlyPaid,
            PledgeStatus::Paid,
            PledgeStatus::Cancelled,
        ] {
            assert_eq!(
                check_cancel(s).expect_err("refused").code,
                crate::error::ErrorCode::InvalidState
            );
        }
    }

    #[test]
    fn a_payment_names_every_mismatch() {
        let err = check_payment(&PaymentCheck {
            pledge_currency: "AUD",
            currency: "USD",
            pledge_donor: "a",
            donor: "b",
            pledged_on: day(5),
            received_on: day(4),
            status: PledgeStatus::Open,
        })
        .expect_err("refused");
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["pledge_id", "currency", "received_on"]);
    }

    proptest! {
        #[test]
        fn a_split_never_overpays_and_loses_nothing(amount in 1i64..1_000_000_000, outstanding in -10i64..1_000_000_000) {
            let (against, excess) = split(amount, outstanding);
            prop_assert_eq!(against + excess, amount);
            prop_assert!(against >= 0 && excess >= 0);
            prop_assert!(against <= outstanding.max(0));
            prop_assert!(excess == 0 || against == outstanding.max(0));
        }
    }
}
