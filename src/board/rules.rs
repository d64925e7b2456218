//! Pure rules of board decisions: which applications can be decided and the quorum. Whether
//! the fund can afford an approval is `earmarks::rules::plan`.

use chrono::NaiveDate;

use crate::error::{AppError, FieldError};

/// A session decides only once it has been held.
pub fn check_held(held_on: NaiveDate, today: NaiveDate) -> Result<(), AppError> {
    if held_on > today {
        Err(AppError::invalid_state(format!(
            "the session of {held_on} has not been held yet"
        )))
    } else {
        Ok(())
    }
}

/// The trustees who count towards the quorum on one application: those present who have
/// not declared a conflict of interest on it. Fewer than `quorum` is 409.
pub fn check_quorum(
    present: &[String],
    recused: &[String],
    quorum: i32,
) -> Result<usize, AppError> {
    let counting = present.iter().filter(|t| !recused.contains(t)).count();
    let needed = usize::try_from(quorum).unwrap_or(usize::MAX);
    if counting >= needed {
        Ok(counting)
    } else {
        let stood_aside = present.len() - counting;
        Err(AppError::invalid_state(format!(
            "no quorum: {counting} trustee(s) present without a conflict of interest on this application ({stood_aside} stood aside), the fund needs {quorum}"
        ))
        .with_errors(vec![FieldError::new(
            "trustee_ids",
            format!("{counting} of {quorum} needed"),
        )]))
    }
}

/// An approval of an application with open flagged overlaps (registry projects it may
/// duplicate, `applications::overlaps`) says how the board weighed them: 422 naming
/// `overlap_weighing` otherwise. A rejection or a deferral needs no weighing.
pub fn check_overlap_weighing(
    outcome: crate::board::model::Outcome,
    open_overlaps: i64,
    weighing: Option<&str>,
) -> Result<(), AppError> {
    let weighed = weighing.is_some_and(|w| !w.trim().is_empty());
    if outcome == crate::board::model::Outcome::Approved && open_overlaps > 0 && !weighed {
        Err(AppError::validation(vec![FieldError::new(
            "overlap_weighing",
            format!(
                "the application may duplicate {open_overlaps} registry project(s) (GET /api/v1/applications/{{id}}/overlaps): say how the board weighed the overlap to approve it"
            ),
        )]))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applications::model::ApplicationStatus;
    use crate::applications::rules::decide;
    use crate::board::model::Outcome;
    use crate::error::ErrorCode;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_applications_under_review_or_deferred_are_decided() {
        use ApplicationStatus::*;
        for status in ApplicationStatus::ALL {
            for outcome in Outcome::ALL {
                let result = decide(*status, *outcome);
                assert_eq!(
                    result.is_ok(),
                    matches!(status, UnderReview | Deferred),
                    "{status:?} {outcome:?}"
                );
                if let Err(e) = result {
                    assert_eq!(e.code, ErrorCode::InvalidState);
                }
            }
        }
        assert_eq!(decide(Deferred, Outcome::Approved).ok(), Some(Approved));
    }

    #[test]
    fn a_conflicted_trustee_does_not_count_towards_the_quorum() {
        let present = ids(&["a", "b", "c"]);
        assert_eq!(check_quorum(&present, &[], 3).ok(), Some(3));
        let err = check_quorum(&present, &ids(&["b"]), 3).expect_err("no quorum");
        assert_eq!(err.code, ErrorCode::InvalidState);
        assert_eq!(check_quorum(&present, &ids(&["b", "x"]), 2).ok(), Some(2));
    }

    #[test]
    fn a_session_decides_once_held() {
        let day = |s: &str| s.parse::<NaiveDate>().expect("date");
        assert!(check_held(day("2026-05-01"), day("2026-05-01")).is_ok());
        assert!(check_held(day("2026-05-02"), day("2026-05-01")).is_err());
    }

    #[test]
    fn an_approval_with_open_overlaps_says_how_they_were_weighed() {
        let refused = check_overlap_weighing(Outcome::Approved, 2, None).unwrap_err();
        assert_eq!(refused.code, ErrorCode::ValidationFailed);
        assert_eq!(refused.errors[0].field, "overlap_weighing");
        assert!(check_overlap_weighing(Outcome::Approved, 1, Some("  ")).is_err());
        assert!(check_overlap_weighing(Outcome::Approved, 1, Some("co-financing agreed")).is_ok());
        assert!(check_overlap_weighing(Outcome::Approved, 0, None).is_ok());
        assert!(check_overlap_weighing(Outcome::Rejected, 3, None).is_ok());
        assert!(check_overlap_weighing(Outcome::Deferred, 3, None).is_ok());
    }
}
