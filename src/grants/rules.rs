//! Pure rules of grants: how an approved amount becomes an instalment plan, and what a plan
//! must satisfy. A plan always sums exactly to the approved amount.

use chrono::{Months, NaiveDate};
use rust_decimal::Decimal;

use super::model::{GrantStatus, Instalment, PlanShare, ReleaseCondition};
use crate::error::{AppError, FieldError};
use crate::money::{Money, parse_decimal};

/// Most instalments one grant may have.
pub const MAX_INSTALMENTS: usize = 24;

/// A grant runs from the decision for the application's duration.
pub fn ends_on(starts_on: NaiveDate, duration_months: u32) -> NaiveDate {
    starts_on
        .checked_add_months(Months::new(duration_months))
        .unwrap_or(starts_on)
}

/// The fund's default plan applied to `amount`: each share rounded down to the minor unit,
/// the last instalment taking what rounding left, so that the plan sums to `amount`
/// exactly. Due dates are months after `starts_on`, at the latest `ends_on`. `None` when
/// the stored plan is unusable (shares that do not parse or do not sum to 1).
pub fn default_plan(
    shares: &[PlanShare],
    amount: Money,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    spend_share: Decimal,
) -> Option<Vec<Instalment>> {
    let parsed: Vec<Decimal> = shares
        .iter()
        .map(|s| parse_decimal(&s.share).ok())
        .collect::<Option<_>>()?;
    if parsed.is_empty()
        || parsed.iter().any(|s| *s <= Decimal::ZERO)
        || parsed.iter().sum::<Decimal>() != Decimal::ONE
    {
        return None;
    }
    let total = amount.minor_units();
    let mut left = total;
    let mut plan = Vec::with_capacity(shares.len());
    for (i, (share, shape)) in parsed.iter().zip(shares).enumerate() {
        let minor = if i + 1 == shares.len() {
            left
        } else {
            (Decimal::from(total) * share)
                .floor()
                .try_into()
                .unwrap_or(0i64)
        };
        left -= minor;
        let due_on = ends_on.min(
            starts_on
                .checked_add_months(Months::new(shape.due_after_months))
                .unwrap_or(ends_on),
        );
        plan.push(Instalment {
            amount: Money::from_minor(minor, amount.currency()),
            due_on,
            condition: shape.condition,
            report_kind: shape.report_kind,
            min_spend_share: shape.spend_threshold.then_some(spend_share),
        });
    }
    // a tiny grant can leave an instalment empty: fold it into its neighbour
    plan.retain(|i| i.amount.minor_units() > 0);
    Some(plan)
}

/// Everything wrong with an explicit plan for `approved`, decided on `decided_on`; each
/// problem names its field (`instalments[1].due_on`).
pub fn plan_errors(plan: &[Instalment], approved: Money, decided_on: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if plan.is_empty() {
        errors.push(FieldError::new(
            "instalments",
            "name at least one instalment",
        ));
        return errors;
    }
    if plan.len() > MAX_INSTALMENTS {
        errors.push(FieldError::new(
            "instalments",
            format!("at most {MAX_INSTALMENTS} instalments"),
        ));
    }
    let mut sum = Decimal::ZERO;
    for (i, inst) in plan.iter().enumerate() {
        let field = |name: &str| format!("instalments[{i}].{name}");
        if !inst.amount.is_positive() {
            errors.push(FieldError::new(field("amount"), "must be more than zero"));
        }
        sum += inst.amount.amount();
        crate::platform::dates::check(
            &field("due_on"),
            inst.due_on,
            crate::platform::dates::Dated::Planned,
            decided_on,
            &mut errors,
        );
        if inst.due_on < decided_on {
            errors.push(FieldError::new(
                field("due_on"),
                format!("cannot fall before the decision ({decided_on})"),
            ));
        }
        match (inst.condition, inst.report_kind) {
            (ReleaseCondition::OnReportAccepted, None) => errors.push(FieldError::new(
                field("report_kind"),
                "name the report (interim or final) whose acceptance releases it",
            )),
            (ReleaseCondition::OnSignature, Some(_)) => errors.push(FieldError::new(
                field("report_kind"),
                "only an instalment released on a report names one",
            )),
            _ => {}
        }
    }
    if sum != approved.amount() {
        errors.push(FieldError::new(
            "instalments",
            format!(
                "the instalments sum to {sum} {}, but the approved amount is {approved}",
                approved.currency()
            ),
        ));
    }
    errors
}

/// A change of a grant's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantAction {
    Sign,
    Suspend,
    Resume,
    Terminate,
    Close,
}

impl GrantAction {
    /// What the audit event calls this change.
    pub fn action(self) -> crate::audit::Action {
        match self {
            GrantAction::Sign => crate::audit::Action::Sign,
            GrantAction::Suspend => crate::audit::Action::Suspend,
            GrantAction::Resume => crate::audit::Action::Resume,
            GrantAction::Terminate => crate::audit::Action::Terminate,
            GrantAction::Close => crate::audit::Action::Close,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GrantAction::Sign => "sign",
            GrantAction::Suspend => "suspend",
            GrantAction::Resume => "resume",
            GrantAction::Terminate => "terminate",
            GrantAction::Close => "close",
        }
    }
}

/// The grant lifecycle: `awaiting_signature → active → closed`, `active ⇄ suspended`,
/// `terminated` from active or suspended.
pub fn transition(status: GrantStatus, action: GrantAction) -> Result<GrantStatus, AppError> {
    use GrantAction::*;
    use GrantStatus::*;
    match (status, action) {
        (AwaitingSignature, Sign) => Ok(Active),
        (Active, Suspend) => Ok(Suspended),
        (Suspended, Resume) => Ok(Active),
        (Active | Suspended, Terminate) => Ok(Terminated),
        (Active, Close) => Ok(Closed),
        (status, action) => Err(AppError::invalid_state(format!(
            "cannot {} a grant that is {}",
            action.as_str(),
            status.as_str()
        ))
        .with_errors(vec![FieldError::new("status", status.as_str())])),
    }
}

/// A grant ends (closed or terminated) only with no payment pending, and closes only after
/// its final report is accepted: what was not paid by then is released back to the fund.
/// `pending` is what is requested or approved but not paid (minor units).
pub fn check_end(
    action: GrantAction,
    final_report_accepted: bool,
    pending: i64,
) -> Result<(), AppError> {
    if action == GrantAction::Close && !final_report_accepted {
        return Err(AppError::invalid_state(
            "a grant closes only after its final report is accepted",
        ));
    }
    if matches!(action, GrantAction::Close | GrantAction::Terminate) && pending > 0 {
        return Err(AppError::invalid_state(
            "payments are still requested or approved: pay or cancel them first",
        ));
    }
    Ok(())
}

/// What decides whether an instalment may be paid now.
#[derive(Debug, Clone)]
pub struct ReleaseFacts {
    pub grant_status: GrantStatus,
    pub signed: bool,
    pub condition: ReleaseCondition,
    pub report_kind: Option<super::model::ReportKind>,
    /// 1 for the first instalment waiting for a report of this kind, 2 for the second…
    pub ordinal_of_kind: usize,
    pub accepted_reports_of_kind: usize,
    pub min_spend_share: Option<Decimal>,
    /// Expenditure shown in accepted reports, and what was paid so far (grant currency).
    pub reported_spending: Decimal,
    pub paid: Decimal,
}

/// One reason an instalment cannot be paid now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseBlocker {
    /// Only an active grant is paid.
    GrantNotActive(GrantStatus),
    NotSigned,
    /// The n-th instalment waiting for a report of a kind waits for n accepted reports.
    AwaitsReports {
        kind: Option<super::model::ReportKind>,
        needed: usize,
        accepted: usize,
    },
    /// Accepted reports must show this share of what was paid as spent.
    SpendingBelow {
        share: Decimal,
        spent: Decimal,
        paid: Decimal,
    },
}

impl ReleaseBlocker {
    /// The API's wording (a page says it in the reader's language from the fields).
    pub fn message(&self) -> String {
        match self {
            ReleaseBlocker::GrantNotActive(status) => format!(
                "the grant is {}; only an active grant is paid",
                status.as_str()
            ),
            ReleaseBlocker::NotSigned => "the grant agreement is not signed yet".to_string(),
            ReleaseBlocker::AwaitsReports {
                kind,
                needed,
                accepted,
            } => format!(
                "this instalment waits for the acceptance of {needed} {} report(s); {accepted} accepted so far",
                kind.map(|k| k.as_str()).unwrap_or("outcome"),
            ),
            ReleaseBlocker::SpendingBelow { share, spent, paid } => format!(
                "accepted reports show {spent} spent, below {}% of the {paid} paid so far",
                (share * Decimal::ONE_HUNDRED).normalize(),
            ),
        }
    }
}

/// Why the instalment cannot be paid now; empty when it can (domain invariant 3).
pub fn release_blockers(f: &ReleaseFacts) -> Vec<ReleaseBlocker> {
    let mut out = Vec::new();
    if f.grant_status != GrantStatus::Active {
        out.push(ReleaseBlocker::GrantNotActive(f.grant_status));
    }
    match f.condition {
        ReleaseCondition::OnSignature if !f.signed => out.push(ReleaseBlocker::NotSigned),
        ReleaseCondition::OnReportAccepted if f.accepted_reports_of_kind < f.ordinal_of_kind => out
            .push(ReleaseBlocker::AwaitsReports {
                kind: f.report_kind,
                needed: f.ordinal_of_kind,
                accepted: f.accepted_reports_of_kind,
            }),
        _ => {}
    }
    if let Some(share) = f.min_spend_share {
        let needed = f.paid * share;
        if f.reported_spending < needed {
            out.push(ReleaseBlocker::SpendingBelow {
                share,
                spent: f.reported_spending,
                paid: f.paid,
            });
        }
    }
    out
}

/// A grant never pays more than approved, nor an instalment more than its amount: what is
/// requested, approved or paid already counts (cancelled requests do not).
pub fn check_not_overpaid(
    amount: Money,
    grant_amount: Money,
    grant_taken: Money,
    instalment_amount: Money,
    instalment_taken: Money,
) -> Result<(), AppError> {
    let over = |what: &str, limit: Money, taken: Money| {
        AppError::invalid_state(format!(
            "{amount} would overpay the {what}: {taken} of {limit} is already requested or paid"
        ))
        .with_errors(vec![FieldError::new(
            "amount",
            format!(
                "at most {}",
                (limit.amount() - taken.amount()).max(Decimal::ZERO)
            ),
        )])
    };
    if grant_taken.amount() + amount.amount() > grant_amount.amount() {
        return Err(over("grant", grant_amount, grant_taken));
    }
    if instalment_taken.amount() + amount.amount() > instalment_amount.amount() {
        return Err(over("instalment", instalment_amount, instalment_taken));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grants::model::ReportKind;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn usd(minor: i64) -> Money {
        Money::from_minor(minor, Currency::parse("USD").expect("usd"))
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn standard_plan() -> Vec<PlanShare> {
        vec![
            PlanShare {
                share: "0.6".into(),
                condition: ReleaseCondition::OnSignature,
                report_kind: None,
                due_after_months: 0,
                spend_threshold: false,
            },
            PlanShare {
                share: "0.4".into(),
                condition: ReleaseCondition::OnReportAccepted,
                report_kind: Some(ReportKind::Interim),
                due_after_months: 6,
                spend_threshold: true,
            },
        ]
    }

    #[test]
    fn the_default_plan_splits_and_dates_the_amount() {
        let plan = default_plan(
            &standard_plan(),
            usd(2_500_001),
            day("2026-01-31"),
            day("2027-01-31"),
            Decimal::new(7, 1),
        )
        .expect("plan");
        assert_eq!(plan.len(), 2);
        assert_eq!(plan[0].amount, usd(1_500_000));
        assert_eq!(plan[1].amount, usd(1_000_001));
        assert_eq!(plan[0].due_on, day("2026-01-31"));
        assert_eq!(plan[1].due_on, day("2026-07-31"));
        assert_eq!(plan[0].min_spend_share, None);
        assert_eq!(plan[1].min_spend_share, Some(Decimal::new(7, 1)));
        // a short grant: the second instalment falls due at its end
        let short = default_plan(
            &standard_plan(),
            usd(100),
            day("2026-01-31"),
            day("2026-04-30"),
            Decimal::new(7, 1),
        )
        .expect("plan");
        assert_eq!(short[1].due_on, day("2026-04-30"));
    }

    #[test]
    fn shares_that_do_not_sum_to_one_are_unusable() {
        let mut shares = standard_plan();
        shares[1].share = "0.5".into();
        assert!(
            default_plan(
                &shares,
                usd(100),
                day("2026-01-01"),
                day("2027-01-01"),
                Decimal::ONE
            )
            .is_none()
        );
    }

    #[test]
    fn an_explicit_plan_names_what_is_wrong() {
        let decided = day("2026-03-01");
        let plan = vec![
            Instalment {
                amount: usd(600),
                due_on: day("2026-02-01"),
                condition: ReleaseCondition::OnSignature,
                report_kind: None,
                min_spend_share: None,
            },
            Instalment {
                amount: usd(300),
                due_on: day("2026-09-01"),
                condition: ReleaseCondition::OnReportAccepted,
                report_kind: None,
                min_spend_share: None,
            },
        ];
        let fields: Vec<String> = plan_errors(&plan, usd(1000), decided)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            vec![
                "instalments[0].due_on",
                "instalments[1].report_kind",
                "instalments"
            ]
        );
        assert!(plan_errors(&plan[..1], usd(600), day("2026-01-01")).is_empty());
    }

    #[test]
    fn the_grant_lifecycle_follows_the_domain() {
        use GrantAction::*;
        use GrantStatus::*;
        assert_eq!(transition(AwaitingSignature, Sign).ok(), Some(Active));
        assert_eq!(transition(Active, Suspend).ok(), Some(Suspended));
        assert_eq!(transition(Suspended, Resume).ok(), Some(Active));
        assert_eq!(transition(Suspended, Terminate).ok(), Some(Terminated));
        assert_eq!(transition(Active, Close).ok(), Some(Closed));
        for (status, action) in [
            (Active, Sign),
            (AwaitingSignature, Close),
            (Suspended, Close),
            (Closed, Resume),
            (Terminated, Resume),
            (AwaitingSignature, Terminate),
        ] {
            assert!(transition(status, action).is_err(), "{status:?} {action:?}");
        }
        assert!(check_end(Close, false, 0).is_err());
        assert!(check_end(Close, true, 1).is_err());
        assert!(check_end(Close, true, 0).is_ok());
        assert!(check_end(Terminate, false, 1).is_err());
        assert!(check_end(Terminate, false, 0).is_ok());
        assert!(check_end(Suspend, false, 1).is_ok());
    }

    fn facts() -> ReleaseFacts {
        ReleaseFacts {
            grant_status: GrantStatus::Active,
            signed: true,
            condition: ReleaseCondition::OnReportAccepted,
            report_kind: Some(ReportKind::Interim),
            ordinal_of_kind: 2,
            accepted_reports_of_kind: 2,
            min_spend_share: Some(Decimal::new(7, 1)),
            reported_spending: Decimal::new(7000, 0),
            paid: Decimal::new(10000, 0),
        }
    }

    #[test]
    fn an_instalment_is_released_only_when_its_condition_is_met() {
        assert!(release_blockers(&facts()).is_empty());
        let one_report = ReleaseFacts {
            accepted_reports_of_kind: 1,
            ..facts()
        };
        assert_eq!(release_blockers(&one_report).len(), 1);
        let underspent = ReleaseFacts {
            reported_spending: Decimal::new(6999, 0),
            ..facts()
        };
        assert_eq!(release_blockers(&underspent).len(), 1);
        let suspended = ReleaseFacts {
            grant_status: GrantStatus::Suspended,
            ..facts()
        };
        assert_eq!(release_blockers(&suspended).len(), 1);
        let unsigned = ReleaseFacts {
            signed: false,
            condition: ReleaseCondition::OnSignature,
            min_spend_share: None,
            ..facts()
        };
        assert_eq!(release_blockers(&unsigned).len(), 1);
    }

    #[test]
    fn nothing_is_paid_beyond_the_grant_or_the_instalment() {
        assert!(check_not_overpaid(usd(400), usd(1000), usd(600), usd(600), usd(200)).is_ok());
        assert!(check_not_overpaid(usd(401), usd(1000), usd(600), usd(600), usd(200)).is_err());
        assert!(check_not_overpaid(usd(300), usd(1000), usd(0), usd(200), usd(0)).is_err());
    }

    proptest! {
        #[test]
        fn the_default_plan_always_sums_to_the_amount(minor in 1i64..10_000_000_000_000, first in 1u32..99) {
            let shares = vec![
                PlanShare { share: format!("0.{first:02}"), condition: ReleaseCondition::OnSignature, report_kind: None, due_after_months: 0, spend_threshold: false },
                PlanShare { share: format!("{}", Decimal::ONE - Decimal::new(first as i64, 2)), condition: ReleaseCondition::OnReportAccepted, report_kind: Some(ReportKind::Final), due_after_months: 12, spend_threshold: false },
            ];
            let plan = default_plan(&shares, usd(minor), day("2026-01-01"), day("2027-01-01"), Decimal::ONE).expect("plan");
            prop_assert_eq!(plan.iter().map(|i| i.amount.minor_units()).sum::<i64>(), minor);
            prop_assert!(plan.iter().all(|i| i.amount.minor_units() > 0));
            prop_assert!(plan_errors(&plan, usd(minor), day("2026-01-01")).is_empty());
        }
    }
}
