//! The pure rules of staff notices: what each role hears about, when a notice is owed and
//! which window it covers.

use chrono::{Duration, NaiveDateTime};
use serde::Serialize;

use crate::auth::Role;

/// What arrived for one person in a notice's window, by kind of work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Arrived {
    /// Payments another finance officer requested: waiting for this one's approval.
    pub payments_to_approve: i64,
    /// Approved payments: waiting for the transfer to be recorded.
    pub payments_to_pay: i64,
    /// Outcome reports grantees sent: waiting for the secretariat's review.
    pub reports_to_review: i64,
    /// Applications submitted: waiting to be screened.
    pub applications_to_screen: i64,
}

impl Arrived {
    pub fn total(&self) -> i64 {
        self.payments_to_approve
            + self.payments_to_pay
            + self.reports_to_review
            + self.applications_to_screen
    }
}

/// The kinds of work a role is told about: finance the payments, the secretariat the
/// reports and applications. Other roles get no notices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hears {
    pub payments: bool,
    pub reports_and_applications: bool,
}

pub fn hears(role: Role) -> Hears {
    Hears {
        payments: role == Role::Finance,
        reports_and_applications: role == Role::Admin,
    }
}

/// The window of the next notice, and whether one may be sent now: from the end of the
/// previous notice (its key: one notice per window, however many instances look), only
/// once `every` has passed since it; the first covers the last `every`, keyed by the epoch.
/// `None` while the previous one is too recent.
pub fn window(
    previous: Option<NaiveDateTime>,
    now: NaiveDateTime,
    every: Duration,
) -> Option<Window> {
    match previous {
        Some(end) if now - end < every => None,
        Some(end) => Some(Window {
            key: end,
            since: end,
        }),
        None => Some(Window {
            key: chrono::DateTime::UNIX_EPOCH.naive_utc(),
            since: now - every,
        }),
    }
}

/// What a notice covers: work that arrived after `since` (up to now); `key` chains it to the
/// previous notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub key: NaiveDateTime,
    pub since: NaiveDateTime,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(minutes: i64) -> NaiveDateTime {
        chrono::DateTime::UNIX_EPOCH.naive_utc()
            + Duration::days(20_000)
            + Duration::minutes(minutes)
    }

    #[test]
    fn finance_hears_of_payments_and_the_secretariat_of_reports() {
        assert!(hears(Role::Finance).payments && !hears(Role::Finance).reports_and_applications);
        assert!(hears(Role::Admin).reports_and_applications && !hears(Role::Admin).payments);
        for quiet in [Role::Ngo, Role::Donor, Role::Trustee, Role::Reviewer] {
            assert_eq!(
                hears(quiet),
                Hears {
                    payments: false,
                    reports_and_applications: false
                }
            );
        }
    }

    #[test]
    fn the_first_notice_covers_the_last_period_and_is_keyed_by_the_epoch() {
        let w = window(None, at(600), Duration::minutes(60)).expect("owed");
        assert_eq!(w.key, chrono::DateTime::UNIX_EPOCH.naive_utc());
        assert_eq!(w.since, at(540));
    }

    proptest! {
        /// Never two notices within `every`, and windows chain without a gap: each starts
        /// where the previous ended.
        #[test]
        fn notices_are_spaced_and_chained(every in 1i64..240, steps in prop::collection::vec(1i64..200, 1..40)) {
            let every = Duration::minutes(every);
            let mut previous: Option<NaiveDateTime> = None;
            let mut now = at(0);
            for step in steps {
                now += Duration::minutes(step);
                if let Some(w) = window(previous, now, every) {
                    if let Some(end) = previous {
                        prop_assert!(now - end >= every);
                        prop_assert_eq!(w.since, end);
                        prop_assert_eq!(w.key, end);
                    }
                    previous = Some(now);
                }
            }
        }
    }
}
