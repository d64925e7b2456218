//! The pure rules of review: which scores a rubric accepts, when a review may change, the
//! weighted score, the ranking's figures (mean, spread, rank) and the funding line.
//! Exact decimal arithmetic throughout: no floating point.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::model::AssignmentStatus;
use crate::applications::model::ApplicationStatus;
use crate::calls::model::Criterion;
use crate::earmarks::rules::{Pot, Scope, plan, spend};
use crate::error::{AppError, FieldError};
use crate::platform::dates::Dated;

/// Applications that may be assigned and reviewed: screened in and not yet decided for good.
pub fn open_for_review(status: ApplicationStatus) -> bool {
    matches!(
        status,
        ApplicationStatus::UnderReview | ApplicationStatus::Deferred
    )
}

/// Applications that appear in a call's ranking: every one that was screened in.
pub const RANKED: &[ApplicationStatus] = &[
    ApplicationStatus::UnderReview,
    ApplicationStatus::Deferred,
    ApplicationStatus::Approved,
    ApplicationStatus::Rejected,
];

/// 409 unless the application is still open for review.
pub fn require_open(status: ApplicationStatus) -> Result<(), AppError> {
    if open_for_review(status) {
        Ok(())
    } else {
        Err(AppError::invalid_state(format!(
            "the application is {}; only applications under review or deferred are reviewed",
            status.as_str()
        )))
    }
}

/// 409 unless the reviewer may still change its review: declared no conflict, not submitted.
pub fn require_editable(status: AssignmentStatus, submitted: bool) -> Result<(), AppError> {
    match status {
        AssignmentStatus::AwaitingDeclaration => Err(AppError::invalid_state(
            "declare whether you have a conflict of interest before reviewing",
        )),
        AssignmentStatus::Recused => Err(AppError::invalid_state(
            "you declared a conflict of interest on this application and cannot review it",
        )),
        AssignmentStatus::Cleared if submitted => Err(AppError::invalid_state(
            "the review is submitted and can no longer change",
        )),
        AssignmentStatus::Cleared => Ok(()),
    }
}

/// The status a declaration leads to; 409 when one was already made.
pub fn declare(status: AssignmentStatus, has_conflict: bool) -> Result<AssignmentStatus, AppError> {
    if status != AssignmentStatus::AwaitingDeclaration {
        return Err(AppError::invalid_state(
            "the conflict of interest was already declared",
        ));
    }
    Ok(if has_conflict {
        AssignmentStatus::Recused
    } else {
        AssignmentStatus::Cleared
    })
}

/// Checks scores sent by a reviewer against the rubric: each key a criterion of it, each
/// value an integer from 0 to that criterion's maximum. Every bad score is named
/// `scores.<key>`.
pub fn check_scores(
    rubric: &[Criterion],
    raw: &BTreeMap<String, serde_json::Value>,
) -> Result<BTreeMap<String, i64>, Vec<FieldError>> {
    let mut scores = BTreeMap::new();
    let mut errors = Vec::new();
    for (key, value) in raw {
        let field = format!("scores.{key}");
        let Some(criterion) = rubric.iter().find(|c| &c.key == key) else {
            errors.push(FieldError::new(
                field,
                "is not a criterion of the call's rubric",
            ));
            continue;
        };
        match value.as_i64() {
            Some(n) if (0..=i64::from(criterion.max_score)).contains(&n) => {
                scores.insert(key.clone(), n);
            }
            _ => errors.push(FieldError::new(
                field,
                format!("must be a whole number from 0 to {}", criterion.max_score),
            )),
        }
    }
    if errors.is_empty() {
        Ok(scores)
    } else {
        Err(errors)
    }
}

/// What a review still lacks before it can be submitted: each unscored criterion, and the
/// recommendation.
pub fn submission_blockers(
    rubric: &[Criterion],
    scores: &BTreeMap<String, i64>,
    has_recommendation: bool,
) -> Vec<FieldError> {
    let mut errors: Vec<FieldError> = rubric
        .iter()
        .filter(|c| !scores.contains_key(&c.key))
        .map(|c| {
            FieldError::new(
                format!("scores.{}", c.key),
                "must be scored before submitting",
            )
        })
        .collect();
    if !has_recommendation {
        errors.push(FieldError::new(
            "recommendation",
            "must be given before submitting",
        ));
    }
    errors
}

/// A review's weighted score on 0–100: Σ weight·score/max ÷ Σ weight × 100, at full decimal
/// precision (round for display with `two_decimals`). None unless every criterion is scored
/// (or the rubric is empty or weightless).
pub fn weighted_score(rubric: &[Criterion], scores: &BTreeMap<String, i64>) -> Option<Decimal> {
    let mut weighted = Decimal::ZERO;
    let mut weights = Decimal::ZERO;
    for c in rubric {
        let score = *scores.get(&c.key)?;
        if c.max_score <= 0 {
            return None;
        }
        weighted += c.weight.0 * Decimal::from(score) / Decimal::from(c.max_score);
        weights += c.weight.0;
    }
    if weights <= Decimal::ZERO {
        return None;
    }
    Some(weighted * Decimal::ONE_HUNDRED / weights)
}

/// Rounds to two decimals, half away from zero, for display ("81.67").
pub fn two_decimals(value: Decimal) -> Decimal {
    let mut rounded = value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    rounded.rescale(2);
    rounded
}

/// The mean of review scores; None without reviews.
pub fn mean(scores: &[Decimal]) -> Option<Decimal> {
    if scores.is_empty() {
        return None;
    }
    let sum: Decimal = scores.iter().copied().sum();
    Some(sum / Decimal::from(scores.len()))
}

/// Highest minus lowest review score; None without reviews.
pub fn spread(scores: &[Decimal]) -> Option<Decimal> {
    let max = scores.iter().max()?;
    let min = scores.iter().min()?;
    Some(max - min)
}

/// Reviews disagree when their spread exceeds the threshold (in points of 0–100).
pub fn divergent(spread: Decimal, threshold: u32) -> bool {
    spread > Decimal::from(threshold)
}

/// Competition ranks ("1, 2, 2, 4") of scores already sorted best first; an equal score
/// shares the rank of the first with it.
pub fn ranks(sorted_scores: &[Decimal]) -> Vec<u32> {
    let mut ranks = Vec::with_capacity(sorted_scores.len());
    for (i, score) in sorted_scores.iter().enumerate() {
        let rank = if i > 0 && sorted_scores[i - 1] == *score {
            ranks[i - 1]
        } else {
            u32::try_from(i + 1).unwrap_or(u32::MAX)
        };
        ranks.push(rank);
    }
    ranks
}

/// Where one application open for decision falls against the funding line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinePlace {
    /// Running sum of requested amounts down the ranking, this one included; None when
    /// this amount is unknown (no exchange rate).
    pub cumulative: Option<i64>,
    pub within: bool,
}

/// One application on the funding line: its requested amount in base-currency minor units
/// (`None` when no current rate converts it) and what it is for, as earmarks read it.
#[derive(Debug, Clone, Copy)]
pub struct LineItem<'a> {
    pub amount: Option<i64>,
    pub scope: Scope<'a>,
}

/// Walks the applications in ranking order as the board would approve them, each drawing
/// on the money that may pay for it (`earmarks::rules::plan`: earmarks serving it, then
/// unrestricted money, out of `available` and the open `pots`): each is within the line
/// while its approval would fit after those above it; the first that would not, or whose
/// amount is unknown, and every one after it are below the line. Money earmarked for other
/// places or themes never puts an application within the line.
pub fn funding_line(available: i64, pots: &[Pot], items: &[LineItem<'_>]) -> Vec<LinePlace> {
    let mut pots = pots.to_vec();
    let mut available = available;
    let mut sum: i64 = 0;
    let mut open = true;
    items
        .iter()
        .map(|item| match item.amount {
            Some(amount) => {
                sum = sum.saturating_add(amount);
                let within = open
                    && match plan(amount, available, &pots, item.scope) {
                        Ok(draws) => {
                            spend(&mut pots, &draws);
                            available -= amount;
                            true
                        }
                        Err(_) => false,
                    };
                open = within;
                LinePlace {
                    cumulative: Some(sum),
                    within,
                }
            }
            None => {
                open = false;
                LinePlace {
                    cumulative: None,
                    within: false,
                }
            }
        })
        .collect()
}

/// The assignments whose review is still awaited: not recused. A review is awaited until
/// it is submitted (`overdue` checks both; the queue's query selects these statuses with
/// `submitted_at IS NULL`).
pub const AWAITED: &[AssignmentStatus] = &[
    AssignmentStatus::AwaitingDeclaration,
    AssignmentStatus::Cleared,
];

/// Overdue: the review is still awaited (not submitted, the reviewer not recused) and its
/// due day has passed. Due today is not late.
pub fn overdue(
    status: AssignmentStatus,
    submitted: bool,
    due_on: NaiveDate,
    today: NaiveDate,
) -> bool {
    AWAITED.contains(&status) && !submitted && today > due_on
}

/// The days a review may be due on when the secretariat assigns it today: from today to a
/// year ahead (`Dated::Scheduled`), and before the fund's next board session when one is
/// scheduled (its reviews are read there); `default` is `days` after today within that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueWindow {
    pub earliest: NaiveDate,
    pub latest: NaiveDate,
    pub default: NaiveDate,
    /// The fund's next board session after today, if one is scheduled.
    pub board_meets: Option<NaiveDate>,
}

impl DueWindow {
    /// `board_meets` is the first session held after `today` (a session today is already
    /// under way and sets no horizon).
    pub fn new(today: NaiveDate, days: u32, board_meets: Option<NaiveDate>) -> DueWindow {
        let board_meets = board_meets.filter(|d| *d > today);
        let year_ahead = Dated::Scheduled.window(today).1;
        let latest = match board_meets.and_then(|d| d.pred_opt()) {
            Some(eve) => eve.min(year_ahead),
            None => year_ahead,
        };
        let default = today
            .checked_add_days(Days::new(u64::from(days)))
            .unwrap_or(latest)
            .clamp(today, latest);
        DueWindow {
            earliest: today,
            latest,
            default,
            board_meets,
        }
    }

    /// The day a review is due: the one given when it lies in the window (422 naming
    /// `due_on` otherwise), else the default.
    pub fn due_on(&self, given: Option<NaiveDate>) -> Result<NaiveDate, AppError> {
        let Some(due) = given else {
            return Ok(self.default);
        };
        if due < self.earliest {
            return Err(AppError::field(
                "due_on",
                format!("must not be in the past (today is {})", self.earliest),
            ));
        }
        if due > self.latest {
            let message = match self.board_meets {
                Some(meets) if due >= meets => format!(
                    "must be before the fund's board meets on {meets}, which reads the reviews"
                ),
                _ => format!("must not be after {} (a year ahead at most)", self.latest),
            };
            return Err(AppError::field("due_on", message));
        }
        Ok(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::model::Weight;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    fn criterion(key: &str, weight: &str, max: i32) -> Criterion {
        Criterion {
            key: key.into(),
            title: key.into(),
            weight: Weight(d(weight)),
            max_score: max,
        }
    }

    fn rubric() -> Vec<Criterion> {
        vec![
            criterion("relevance", "0.4", 10),
            criterion("capacity", "0.6", 5),
        ]
    }

    fn scores(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn the_weighted_score_is_normalised_to_a_hundred() {
        // 0.4·8/10 + 0.6·3/5 = 0.32 + 0.36 = 0.68 → 68
        let s = weighted_score(&rubric(), &scores(&[("relevance", 8), ("capacity", 3)]));
        assert_eq!(s.map(two_decimals), Some(d("68.00")));
        let full = weighted_score(&rubric(), &scores(&[("relevance", 10), ("capacity", 5)]));
        assert_eq!(full, Some(d("100")));
        assert_eq!(
            weighted_score(&rubric(), &scores(&[("relevance", 8)])),
            None
        );
        // weights need not sum to 1: 2·1/3 ÷ 3 × 100 = 22.22…
        let r = vec![criterion("a", "2", 3), criterion("b", "1", 3)];
        let s = weighted_score(&r, &scores(&[("a", 1), ("b", 0)])).expect("scored");
        assert_eq!(two_decimals(s).to_string(), "22.22");
    }

    #[test]
    fn mean_spread_and_divergence() {
        let reviews = [d("80"), d("50"), d("71")];
        assert_eq!(mean(&reviews), Some(d("67")));
        assert_eq!(spread(&reviews), Some(d("30")));
        assert!(divergent(d("30"), 25));
        assert!(!divergent(d("25"), 25));
        assert_eq!(mean(&[]), None);
        assert_eq!(spread(&[]), None);
        assert_eq!(two_decimals(d("81.665")).to_string(), "81.67");
        assert_eq!(two_decimals(d("7")).to_string(), "7.00");
    }

    #[test]
    fn equal_scores_share_a_rank() {
        assert_eq!(
            ranks(&[d("90"), d("80"), d("80"), d("70")]),
            vec![1, 2, 2, 4]
        );
        assert!(ranks(&[]).is_empty());
    }

    #[test]
    fn scores_are_checked_against_the_rubric_and_named() {
        let raw: BTreeMap<String, serde_json::Value> = [
            ("relevance".to_string(), serde_json::json!(11)),
            ("capacity".to_string(), serde_json::json!(2.5)),
            ("impact".to_string(), serde_json::json!(1)),
        ]
        .into_iter()
        .collect();
        let errors = check_scores(&rubric(), &raw).expect_err("invalid");
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            vec!["scores.capacity", "scores.impact", "scores.relevance"]
        );
        let ok: BTreeMap<String, serde_json::Value> =
            [("capacity".to_string(), serde_json::json!(0))]
                .into_iter()
                .collect();
        assert_eq!(check_scores(&rubric(), &ok), Ok(scores(&[("capacity", 0)])));
        let negative: BTreeMap<String, serde_json::Value> =
            [("capacity".to_string(), serde_json::json!(-1))]
                .into_iter()
                .collect();
        assert!(check_scores(&rubric(), &negative).is_err());
    }

    #[test]
    fn submission_needs_every_criterion_and_a_recommendation() {
        let missing = submission_blockers(&rubric(), &scores(&[("capacity", 1)]), false);
        let fields: Vec<_> = missing.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["scores.relevance", "recommendation"]);
        assert!(
            submission_blockers(
                &rubric(),
                &scores(&[("capacity", 1), ("relevance", 0)]),
                true
            )
            .is_empty()
        );
    }

    #[test]
    fn a_declaration_is_made_once_and_only_a_cleared_unsubmitted_review_changes() {
        use AssignmentStatus::*;
        assert_eq!(declare(AwaitingDeclaration, true).ok(), Some(Recused));
        assert_eq!(declare(AwaitingDeclaration, false).ok(), Some(Cleared));
        assert!(declare(Cleared, false).is_err());
        assert!(declare(Recused, true).is_err());
        assert!(require_editable(Cleared, false).is_ok());
        assert!(require_editable(Cleared, true).is_err());
        assert!(require_editable(Recused, false).is_err());
        assert!(require_editable(AwaitingDeclaration, false).is_err());
    }

    const NOWHERE: Scope<'static> = Scope {
        countries: &[],
        themes: &[],
    };

    fn line(available: i64, amounts: &[Option<i64>]) -> Vec<LinePlace> {
        let items: Vec<LineItem> = amounts
            .iter()
            .map(|amount| LineItem {
                amount: *amount,
                scope: NOWHERE,
            })
            .collect();
        funding_line(available, &[], &items)
    }

    #[test]
    fn the_funding_line_uses_earmarked_money_only_for_what_it_serves() {
        let ng = vec!["NG".to_string()];
        let kh = vec!["KH".to_string()];
        let nigeria = Scope {
            countries: &ng,
            themes: &[],
        };
        let cambodia = Scope {
            countries: &kh,
            themes: &[],
        };
        // 100 available, of which 60 earmarked for Nigeria: 40 unrestricted
        let pots = vec![Pot {
            contribution_id: "c".into(),
            earmark: "NG".into(),
            remaining: 60,
        }];
        let item = |amount, scope| LineItem {
            amount: Some(amount),
            scope,
        };
        let places = funding_line(
            100,
            &pots,
            &[item(50, cambodia), item(50, nigeria), item(10, cambodia)],
        );
        let within: Vec<_> = places.iter().map(|p| p.within).collect();
        // Cambodia's 50 cannot come from Nigeria's money: only 40 may pay for it, and the
        // line stops there
        assert_eq!(within, vec![false, false, false]);
        let places = funding_line(
            100,
            &pots,
            &[item(50, nigeria), item(40, cambodia), item(10, nigeria)],
        );
        let within: Vec<_> = places.iter().map(|p| p.within).collect();
        assert_eq!(within, vec![true, true, true]);
        let places = funding_line(100, &pots, &[item(60, nigeria), item(41, cambodia)]);
        let within: Vec<_> = places.iter().map(|p| p.within).collect();
        assert_eq!(within, vec![true, false]);
    }

    #[test]
    fn the_funding_line_stops_at_the_first_that_does_not_fit() {
        let places = line(100, &[Some(40), Some(50), Some(20), Some(5)]);
        let within: Vec<_> = places.iter().map(|p| p.within).collect();
        assert_eq!(within, vec![true, true, false, false]);
        let cumulative: Vec<_> = places.iter().map(|p| p.cumulative).collect();
        assert_eq!(cumulative, vec![Some(40), Some(90), Some(110), Some(115)]);
        // an unknown amount stops the line too
        let places = line(100, &[Some(10), None, Some(10)]);
        let within: Vec<_> = places.iter().map(|p| p.within).collect();
        assert_eq!(within, vec![true, false, false]);
        // exactly what is available still fits
        assert!(line(100, &[Some(100)])[0].within);
        assert!(!line(0, &[Some(1)])[0].within);
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a date")
    }

    #[test]
    fn a_review_is_overdue_only_when_awaited_and_past_its_day() {
        let due = day("2026-12-10");
        let awaiting = AssignmentStatus::AwaitingDeclaration;
        let cleared = AssignmentStatus::Cleared;
        assert!(
            !overdue(cleared, false, due, day("2026-12-10")),
            "due today"
        );
        assert!(overdue(cleared, false, due, day("2026-12-11")));
        assert!(overdue(awaiting, false, due, day("2027-01-01")));
        assert!(!overdue(cleared, true, due, day("2027-01-01")), "submitted");
        assert!(
            !overdue(AssignmentStatus::Recused, false, due, day("2027-01-01")),
            "recused"
        );
        assert!(
            !overdue(cleared, false, due, day("2026-12-01")),
            "not yet due"
        );
    }

    #[test]
    fn the_due_window_runs_from_today_to_the_eve_of_the_board() {
        let today = day("2026-12-04");
        let free = DueWindow::new(today, 14, None);
        assert_eq!(free.default, day("2026-12-18"));
        assert_eq!(free.latest, day("2027-12-04"));
        assert_eq!(free.due_on(None).ok(), Some(day("2026-12-18")));
        assert_eq!(
            free.due_on(Some(today)).ok(),
            Some(today),
            "today is allowed"
        );
        let past = free.due_on(Some(day("2026-12-03"))).expect_err("past");
        assert_eq!(past.errors[0].field, "due_on");
        assert!(past.errors[0].message.contains("past"));
        assert!(
            free.due_on(Some(day("2027-12-05"))).is_err(),
            "beyond a year"
        );

        // the board meets in ten days: the default moves to its eve, a later day is refused
        let board = DueWindow::new(today, 14, Some(day("2026-12-14")));
        assert_eq!(board.latest, day("2026-12-13"));
        assert_eq!(board.default, day("2026-12-13"));
        let late = board
            .due_on(Some(day("2026-12-14")))
            .expect_err("on the board's day");
        assert!(late.errors[0].message.contains("2026-12-14"), "{late:?}");
        assert_eq!(
            board.due_on(Some(day("2026-12-13"))).ok(),
            Some(day("2026-12-13"))
        );

        // a session today or tomorrow
        assert_eq!(DueWindow::new(today, 14, Some(today)).board_meets, None);
        let tomorrow = DueWindow::new(today, 14, Some(day("2026-12-05")));
        assert_eq!((tomorrow.default, tomorrow.latest), (today, today));
    }

    proptest! {
        #[test]
        fn the_default_lies_in_the_window_and_is_accepted(
            offset in 0i64..4000,
            days in 1u32..=365,
            board in proptest::option::of(-30i64..800),
        ) {
            let today = day("2020-01-01") + chrono::Duration::days(offset);
            let meets = board.map(|b| today + chrono::Duration::days(b));
            let w = DueWindow::new(today, days, meets);
            prop_assert!(w.earliest <= w.default && w.default <= w.latest);
            prop_assert_eq!(w.due_on(None).ok(), Some(w.default));
            prop_assert_eq!(w.due_on(Some(w.latest)).ok(), Some(w.latest));
            if let Some(m) = w.board_meets {
                prop_assert!(w.latest < m);
                prop_assert!(w.due_on(Some(m)).is_err());
            }
        }

        #[test]
        fn a_due_day_is_overdue_exactly_after_it_while_awaited(
            due_offset in -400i64..400,
            status in proptest::sample::select(vec![
                AssignmentStatus::AwaitingDeclaration,
                AssignmentStatus::Cleared,
                AssignmentStatus::Recused,
            ]),
            submitted: bool,
        ) {
            let today = day("2026-12-04");
            let due = today + chrono::Duration::days(due_offset);
            let late = overdue(status, submitted, due, today);
            prop_assert_eq!(
                late,
                status != AssignmentStatus::Recused && !submitted && due_offset < 0
            );
            prop_assert_eq!(late, late && crate::platform::dates::days_past(due, today) > 0);
        }

        #[test]
        fn a_weighted_score_lies_between_0_and_100(
            criteria in proptest::collection::vec((1u32..1000, 1i32..1000, 0u32..=1000), 1..8)
        ) {
            let rubric: Vec<Criterion> = criteria
                .iter()
                .enumerate()
                .map(|(i, (w, max, _))| Criterion {
                    key: format!("c{i}"),
                    title: String::new(),
                    weight: Weight(Decimal::new(i64::from(*w), 2)),
                    max_score: *max,
                })
                .collect();
            let given: BTreeMap<String, i64> = criteria
                .iter()
                .enumerate()
                .map(|(i, (_, max, s))| (format!("c{i}"), i64::from(*s) % (i64::from(*max) + 1)))
                .collect();
            let score = weighted_score(&rubric, &given).expect("all scored");
            prop_assert!(score >= Decimal::ZERO && score <= Decimal::ONE_HUNDRED + d("0.0000000001"));
            let rounded = two_decimals(score);
            prop_assert!(rounded >= Decimal::ZERO && rounded <= Decimal::ONE_HUNDRED);
        }

        #[test]
        fn the_line_is_a_prefix_that_fits(
            available in 0i64..10_000,
            amounts in proptest::collection::vec(proptest::option::weighted(0.95, 0i64..3_000), 0..30)
        ) {
            let places = line(available, &amounts);
            let within: Vec<bool> = places.iter().map(|p| p.within).collect();
            let n = within.iter().take_while(|w| **w).count();
            prop_assert!(within[n..].iter().all(|w| !w), "within rows form a prefix");
            let sum: i64 = amounts[..n].iter().map(|a| a.expect("known")).sum();
            prop_assert!(sum <= available);
            if n < amounts.len() {
                // the first below either has no amount or would overdraw
                prop_assert!(amounts[n].is_none_or(|a| sum + a > available));
            }
        }

        #[test]
        fn the_mean_lies_within_the_spread(
            raw in proptest::collection::vec(0i64..=10_000, 1..10)
        ) {
            let scores: Vec<Decimal> = raw.iter().map(|s| Decimal::new(*s, 2)).collect();
            let m = mean(&scores).expect("some");
            let lo = *scores.iter().min().expect("some");
            let hi = *scores.iter().max().expect("some");
            prop_assert!(m >= lo - d("0.0000001") && m <= hi + d("0.0000001"));
            prop_assert_eq!(spread(&scores), Some(hi - lo));
        }
    }
}
