//! Plausible dates: the one place that decides which dates a user may give. A date outside
//! its window is a 422 naming the field, before anything is written: `0000-01-01` on a
//! contribution would fail the IATI schema and show a quarter "0-Q1" on the public page.
//!
//! | what the date says | fields | window |
//! |---|---|---|
//! | money moved or was promised (`Happened`) | contributions' and refunds' `received_on`, payments' `paid_on`, `pledged_on` | `EARLIEST` to tomorrow (a day of slack for time zones ahead of UTC) |
//! | a board meets, a rate takes effect (`Scheduled`) | `held_on`, exchange rates' `valid_from` | `EARLIEST` to a year ahead (both are recorded when announced) |
//! | a review is due (`Scheduled`) | review assignments' `due_on` | today to a year ahead, and before the fund's next board session (`review::rules::DueWindow`) |
//! | a period reported on (`Reported`) | reports' `period_start`, `period_end` | `EARLIEST` to a year ahead |
//! | something planned (`Planned`) | pledges' and instalments' `due_on`, calls' `opens_at`, `closes_at` | `EARLIEST` to ten years ahead |
//! | a project's span (`Span`) | registry `start_on`, `end_on` | `EARLIEST` to thirty years ahead |
//!
//! `EARLIEST` is 2000-01-01: the Palermo Protocol on trafficking in persons was adopted in
//! November 2000, and no fund or project this service records is older. Dates that depend
//! on another record are checked where that record is read, with `not_before`: a payment
//! not before its grant was approved, money pledged or received not before its fund was set
//! up (`funds.established_on`, given when the fund is created, `EARLIEST` when it is not).

use chrono::{Datelike, Months, NaiveDate};

use crate::error::FieldError;

/// The earliest date any user-given date may carry.
pub const EARLIEST: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// What a date says about the world, which decides how far back and ahead it may lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dated {
    Happened,
    Scheduled,
    Reported,
    Planned,
    Span,
}

impl Dated {
    /// The first and last plausible day, seen from `today`.
    pub fn window(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let ahead = |months: u32| {
            today
                .checked_add_months(Months::new(months))
                .unwrap_or(today)
        };
        let latest = match self {
            Dated::Happened => today.succ_opt().unwrap_or(today),
            Dated::Scheduled | Dated::Reported => ahead(12),
            Dated::Planned => ahead(12 * 10),
            Dated::Span => ahead(12 * 30),
        };
        (EARLIEST, latest)
    }
}

/// Checks `date` against the window of `kind`, naming `field` when it is outside.
pub fn check(
    field: &str,
    date: NaiveDate,
    kind: Dated,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) {
    let (earliest, latest) = kind.window(today);
    if date < earliest {
        errors.push(FieldError::new(
            field,
            format!("must not be before {earliest}"),
        ));
    } else if date > latest {
        let message = match kind {
            Dated::Happened => "must not be in the future".to_string(),
            _ => format!(
                "must not be after {latest} ({} years ahead at most)",
                (latest.year() - today.year()).max(1)
            ),
        };
        errors.push(FieldError::new(field, message));
    }
}

/// `check` for an optional date.
pub fn check_some(
    field: &str,
    date: Option<NaiveDate>,
    kind: Dated,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) {
    if let Some(date) = date {
        check(field, date, kind, today, errors);
    }
}

/// How many whole days `today` is past `due`: 0 on the due day and before it. What "days
/// late" says on the overdue pages, for reviews and pledges alike.
pub fn days_past(due: NaiveDate, today: NaiveDate) -> i64 {
    (today - due).num_days().max(0)
}

/// A date that cannot precede another record's: `Some` 422 naming `field` when it does.
pub fn not_before(
    field: &str,
    date: NaiveDate,
    floor: NaiveDate,
    what: &str,
) -> Option<FieldError> {
    (date < floor)
        .then(|| FieldError::new(field, format!("must not be before {floor}, when {what}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    fn refused(date: &str, kind: Dated) -> bool {
        let mut errors = Vec::new();
        check("d", day(date), kind, day("2026-12-03"), &mut errors);
        !errors.is_empty()
    }

    #[test]
    fn the_year_zero_and_the_far_future_are_refused_everywhere() {
        for kind in [
            Dated::Happened,
            Dated::Scheduled,
            Dated::Reported,
            Dated::Planned,
            Dated::Span,
        ] {
            assert!(refused("0000-01-01", kind), "{kind:?}");
            assert!(refused("0001-01-01", kind), "{kind:?}");
            assert!(refused("1999-12-31", kind), "{kind:?}");
            assert!(!refused("2000-01-01", kind), "{kind:?}");
            assert!(!refused("2026-12-03", kind), "{kind:?}");
            assert!(refused("2999-01-01", kind), "{kind:?}");
        }
    }

    #[test]
    fn each_kind_reaches_as_far_ahead_as_it_makes_sense() {
        assert!(
            !refused("2026-12-04", Dated::Happened),
            "a day of time-zone slack"
        );
        assert!(refused("2026-12-05", Dated::Happened));
        assert!(!refused("2027-12-03", Dated::Scheduled));
        assert!(refused("2027-12-04", Dated::Scheduled));
        assert!(!refused("2036-12-03", Dated::Planned));
        assert!(refused("2037-01-01", Dated::Planned));
        assert!(!refused("2056-12-03", Dated::Span));
        assert!(refused("2057-01-01", Dated::Span));
    }

    #[test]
    fn a_date_before_the_record_it_depends_on_is_named() {
        let e = not_before(
            "paid_on",
            day("2026-01-01"),
            day("2026-02-01"),
            "the grant was approved",
        )
        .expect("refused");
        assert_eq!(e.field, "paid_on");
        assert!(not_before("paid_on", day("2026-02-01"), day("2026-02-01"), "x").is_none());
    }
}
