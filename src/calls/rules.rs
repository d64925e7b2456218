//! Pure decisions about calls: their lifecycle, what may still change, and whether the
//! server clock lets a draft or a submission in.

use chrono::{DateTime, Utc};

use super::model::{Call, CallStatus};
use crate::error::{AppError, FieldError};

/// Why a call does not take a submission right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closed {
    NotOpen(CallStatus),
    NotYet(DateTime<Utc>),
    DeadlinePassed(DateTime<Utc>),
}

impl Closed {
    pub fn message(&self) -> String {
        match self {
            Closed::NotOpen(status) => {
                format!("the call is {}, not open for submissions", status.as_str())
            }
            Closed::NotYet(at) => format!("the call opens for submissions at {}", at.to_rfc3339()),
            Closed::DeadlinePassed(at) => {
                format!("the deadline of the call passed at {}", at.to_rfc3339())
            }
        }
    }
}

/// A submission is in time when the call is open and `opens_at <= now < closes_at`.
pub fn accepts_submissions(call: &Call, now: DateTime<Utc>) -> Result<(), Closed> {
    if call.status != CallStatus::Open {
        return Err(Closed::NotOpen(call.status));
    }
    if now < call.opens_at {
        return Err(Closed::NotYet(call.opens_at));
    }
    if now >= call.closes_at {
        return Err(Closed::DeadlinePassed(call.closes_at));
    }
    Ok(())
}

/// Drafts may be started once a call is published and until its deadline, so that an
/// organisation can prepare before submissions open.
pub fn accepts_drafts(call: &Call, now: DateTime<Utc>) -> Result<(), Closed> {
    match accepts_submissions(call, now) {
        Err(Closed::NotYet(_)) | Ok(()) => Ok(()),
        Err(other) => Err(other),
    }
}

/// Anyone may see a call once it has been opened; drafts only the secretariat.
pub fn is_public(status: CallStatus) -> bool {
    status != CallStatus::Draft
}

pub fn open(call: &Call, now: DateTime<Utc>) -> Result<CallStatus, AppError> {
    if call.status != CallStatus::Draft {
        return Err(AppError::invalid_state(format!(
            "only a draft call can be opened; this one is {}",
            call.status.as_str()
        )));
    }
    if call.closes_at <= now {
        return Err(AppError::invalid_state(
            "the call's closes_at has already passed; move it into the future first",
        )
        .with_errors(vec![FieldError::new("closes_at", "is in the past")]));
    }
    Ok(CallStatus::Open)
}

pub fn close(call: &Call) -> Result<CallStatus, AppError> {
    if call.status != CallStatus::Open {
        return Err(AppError::invalid_state(format!(
            "only an open call can be closed; this one is {}",
            call.status.as_str()
        )));
    }
    Ok(CallStatus::Closed)
}

/// What a PATCH may still change. A draft call: everything. An open call: its wording and
/// its deadline (an extension, or an early close), never the terms applicants rely on
/// (amount, duration, countries, themes, documents, rubric). Closed and decided calls: nothing.
pub fn editable_fields(status: CallStatus) -> &'static [&'static str] {
    match status {
        CallStatus::Draft => &[
            "title",
            "description",
            "opens_at",
            "closes_at",
            "max_amount",
            "max_duration_months",
            "eligible_countries",
            "themes",
            "required_documents",
            "rubric",
        ],
        CallStatus::Open => &["title", "description", "closes_at"],
        CallStatus::Closed | CallStatus::Decided => &[],
    }
}

/// 409 naming each field the call's state no longer lets change.
pub fn check_editable(status: CallStatus, fields: &[&str]) -> Result<(), AppError> {
    let allowed = editable_fields(status);
    let refused: Vec<FieldError> = fields
        .iter()
        .filter(|f| !allowed.contains(f))
        .map(|f| {
            FieldError::new(
                *f,
                format!("cannot change once the call is {}", status.as_str()),
            )
        })
        .collect();
    if refused.is_empty() {
        Ok(())
    } else {
        Err(AppError::invalid_state(format!(
            "a {} call cannot change {}",
            status.as_str(),
            refused
                .iter()
                .map(|e| e.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .with_errors(refused))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use chrono::Duration;
    use rust_decimal::Decimal;

    fn call(status: CallStatus, opens: i64, closes: i64, now: DateTime<Utc>) -> Call {
        Call {
            id: "c".into(),
            fund_id: "f".into(),
            title: "t".into(),
            description: "d".into(),
            opens_at: now + Duration::seconds(opens),
            closes_at: now + Duration::seconds(closes),
            max_amount: Money::new(Decimal::from(20_000), Currency::USD).expect("valid"),
            max_duration_months: 8,
            eligible_countries: vec![],
            themes: vec![],
            required_documents: vec![],
            rubric: vec![],
            status,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn the_server_clock_decides_the_window() {
        let now = Utc::now();
        assert_eq!(
            accepts_submissions(&call(CallStatus::Open, -10, 10, now), now),
            Ok(())
        );
        assert!(matches!(
            accepts_submissions(&call(CallStatus::Open, 5, 10, now), now),
            Err(Closed::NotYet(_))
        ));
        // the deadline itself is too late
        assert!(matches!(
            accepts_submissions(&call(CallStatus::Open, -10, 0, now), now),
            Err(Closed::DeadlinePassed(_))
        ));
        for status in [CallStatus::Draft, CallStatus::Closed, CallStatus::Decided] {
            assert_eq!(
                accepts_submissions(&call(status, -10, 10, now), now),
                Err(Closed::NotOpen(status))
            );
        }
    }

    #[test]
    fn drafts_may_start_before_the_window_but_not_after() {
        let now = Utc::now();
        assert!(accepts_drafts(&call(CallStatus::Open, 5, 10, now), now).is_ok());
        assert!(accepts_drafts(&call(CallStatus::Open, -10, -1, now), now).is_err());
        assert!(accepts_drafts(&call(CallStatus::Draft, -10, 10, now), now).is_err());
    }

    #[test]
    fn lifecycle_goes_draft_open_closed_only() {
        let now = Utc::now();
        assert_eq!(
            open(&call(CallStatus::Draft, 0, 10, now), now).ok(),
            Some(CallStatus::Open)
        );
        assert!(open(&call(CallStatus::Draft, -20, -10, now), now).is_err());
        assert!(open(&call(CallStatus::Open, 0, 10, now), now).is_err());
        assert!(open(&call(CallStatus::Closed, 0, 10, now), now).is_err());
        assert_eq!(
            close(&call(CallStatus::Open, 0, 10, now)).ok(),
            Some(CallStatus::Closed)
        );
        assert!(close(&call(CallStatus::Draft, 0, 10, now)).is_err());
        assert!(close(&call(CallStatus::Closed, 0, 10, now)).is_err());
    }

    #[test]
    fn open_calls_keep_their_terms() {
        assert!(check_editable(CallStatus::Draft, &["max_amount", "rubric"]).is_ok());
        assert!(check_editable(CallStatus::Open, &["title", "closes_at"]).is_ok());
        let err = check_editable(
            CallStatus::Open,
            &["title", "max_amount", "eligible_countries"],
        )
        .expect_err("terms are fixed");
        let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["max_amount", "eligible_countries"]);
        assert!(check_editable(CallStatus::Closed, &["title"]).is_err());
        assert!(check_editable(CallStatus::Closed, &[]).is_ok());
    }
}
