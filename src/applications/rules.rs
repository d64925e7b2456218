//! Pure decisions about applications: the lifecycle, and the one function that says what
//! blocks a submission. `GET /readiness` lists its answer and `submit` enforces it, so the
//! two can never disagree.

use chrono::{DateTime, Utc};

use super::model::{ApplicationStatus, Blocker, Content};
use crate::calls::model::{Call, CallStatus};
use crate::calls::rules::accepts_submissions;
use crate::error::{AppError, FieldError};
use crate::money::Money;
use crate::taxonomy;

const STATE: &str = "invalid_state";
const INVALID: &str = "validation_failed";

/// Everything the submission rules look at.
pub struct Facts<'a> {
    pub status: ApplicationStatus,
    pub revision: i32,
    pub content: &'a Content,
    /// Kinds of the documents attached to the current revision.
    pub document_kinds: &'a [String],
    pub call: &'a Call,
    /// The server clock, UTC.
    pub now: DateTime<Utc>,
    /// Whether the secretariat has verified the applying organisation. A self-registered
    /// organisation is only an email address that answered; the fund's money goes to ones
    /// the secretariat has checked (issue 19: verification that means something).
    pub organisation_verified: bool,
}

/// One reason an application cannot be submitted now. The API words it in English
/// (`Gap::blocker`); the pages say it in the reader's language from the same value, so the
/// two can never disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    NotDraft(ApplicationStatus),
    CallClosed(crate::calls::rules::Closed),
    CallDecided,
    NotVerified,
    /// `title`, `summary`, `requested_amount` or `duration_months` is empty.
    Required(&'static str),
    /// The title or summary holds what could identify a person.
    PersonalData(FieldError),
    AboveMaximum {
        requested: Money,
        maximum: Money,
    },
    LongerThanMaximum {
        months: i32,
        maximum: i32,
    },
    NoCountry,
    CountryNotEligible {
        index: usize,
        country: String,
        eligible: Vec<String>,
    },
    NoTheme,
    UnknownTheme {
        index: usize,
        theme: String,
    },
    NoBudget,
    BudgetMismatch {
        total: Money,
        requested: Money,
    },
    MissingDocument(String),
}

impl Gap {
    /// What the state or the clock forbids (409 on submit), rather than something to
    /// complete (422).
    pub fn is_state(&self) -> bool {
        matches!(
            self,
            Gap::NotDraft(_) | Gap::CallClosed(_) | Gap::CallDecided | Gap::NotVerified
        )
    }

    /// The field the API names.
    pub fn field(&self) -> String {
        match self {
            Gap::NotDraft(_) => "status".into(),
            Gap::CallClosed(_) | Gap::CallDecided => "call".into(),
            Gap::NotVerified => "organisation".into(),
            Gap::Required(field) => (*field).into(),
            Gap::PersonalData(found) => found.field.clone(),
            Gap::AboveMaximum { .. } => "requested_amount".into(),
            Gap::LongerThanMaximum { .. } => "duration_months".into(),
            Gap::NoCountry => "countries".into(),
            Gap::CountryNotEligible { index, .. } => format!("countries[{index}]"),
            Gap::NoTheme => "themes".into(),
            Gap::UnknownTheme { index, .. } => format!("themes[{index}]"),
            Gap::NoBudget | Gap::BudgetMismatch { .. } => "budget".into(),
            Gap::MissingDocument(kind) => format!("documents.{kind}"),
        }
    }

    /// The API's English sentence.
    pub fn message(&self) -> String {
        match self {
            Gap::NotDraft(status) => format!(
                "only a draft can be submitted; this application is {}",
                status.as_str()
            ),
            Gap::CallClosed(closed) => closed.message(),
            Gap::CallDecided => "the board has already decided this call".into(),
            Gap::NotVerified => "the secretariat has not verified your organisation yet; you can keep preparing this application and submit it once the organisation is verified".into(),
            Gap::Required(_) => "is required".into(),
            Gap::PersonalData(found) => found.message.clone(),
            Gap::AboveMaximum { requested, maximum } => {
                format!("{requested} is above the call's maximum of {maximum}")
            }
            Gap::LongerThanMaximum { months, maximum } => {
                format!("{months} months is longer than the call's maximum of {maximum} months")
            }
            Gap::NoCountry => "name at least one country where the project works".into(),
            Gap::CountryNotEligible {
                country, eligible, ..
            } => format!(
                "{country} is not eligible in this call (eligible: {})",
                eligible.join(", ")
            ),
            Gap::NoTheme => "name at least one theme".into(),
            Gap::UnknownTheme { theme, .. } => format!("{theme:?} is not a theme of the taxonomy"),
            Gap::NoBudget => "add at least one budget line".into(),
            Gap::BudgetMismatch { total, requested } => format!(
                "the budget lines sum to {total}, but the requested amount is {requested}"
            ),
            Gap::MissingDocument(kind) => format!("a {kind} document is required by the call"),
        }
    }

    pub fn blocker(&self) -> Blocker {
        Blocker {
            code: if self.is_state() { STATE } else { INVALID }.to_string(),
            field: self.field(),
            message: self.message(),
        }
    }
}

/// Every reason the application cannot be submitted now, as the API lists them.
pub fn blockers(f: &Facts<'_>) -> Vec<Blocker> {
    gaps(f).iter().map(Gap::blocker).collect()
}

/// Every reason the application cannot be submitted now; empty when it can.
///
/// Timing: the first submission must fall inside the call's window (open, `opens_at <= now
/// < closes_at`). A revision the secretariat asked for (revision 2 onwards) may come after
/// the deadline, as long as the board has not decided the call.
pub fn gaps(f: &Facts<'_>) -> Vec<Gap> {
    let mut out = Vec::new();
    if f.status != ApplicationStatus::Draft {
        out.push(Gap::NotDraft(f.status));
    }
    if f.revision <= 1 {
        if let Err(closed) = accepts_submissions(f.call, f.now) {
            out.push(Gap::CallClosed(closed));
        }
    } else if f.call.status == CallStatus::Decided {
        out.push(Gap::CallDecided);
    }
    if !f.organisation_verified {
        out.push(Gap::NotVerified);
    }
    content_gaps(f, &mut out);
    out
}

fn content_gaps(f: &Facts<'_>, out: &mut Vec<Gap>) {
    let c = f.content;
    let call = f.call;
    if c.title.trim().is_empty() {
        out.push(Gap::Required("title"));
    }
    if c.summary.trim().is_empty() {
        out.push(Gap::Required("summary"));
    }
    // trustees and the registry read these: nothing that could identify a survivor
    for found in crate::platform::personal_data::field_errors("title", &c.title)
        .into_iter()
        .chain(crate::platform::personal_data::field_errors(
            "summary", &c.summary,
        ))
    {
        out.push(Gap::PersonalData(found));
    }
    match c.requested_amount {
        None => out.push(Gap::Required("requested_amount")),
        Some(requested) if requested.amount() > call.max_amount.amount() => {
            out.push(Gap::AboveMaximum {
                requested,
                maximum: call.max_amount,
            })
        }
        Some(_) => {}
    }
    match c.duration_months {
        None => out.push(Gap::Required("duration_months")),
        Some(months) if months > call.max_duration_months => out.push(Gap::LongerThanMaximum {
            months,
            maximum: call.max_duration_months,
        }),
        Some(_) => {}
    }
    if c.countries.is_empty() {
        out.push(Gap::NoCountry);
    }
    for (index, country) in c.countries.iter().enumerate() {
        if !call.eligible_countries.is_empty() && !call.eligible_countries.contains(country) {
            out.push(Gap::CountryNotEligible {
                index,
                country: country.clone(),
                eligible: call.eligible_countries.clone(),
            });
        }
    }
    if c.themes.is_empty() {
        out.push(Gap::NoTheme);
    }
    for (index, theme) in c.themes.iter().enumerate() {
        if !taxonomy::is_theme(theme) {
            out.push(Gap::UnknownTheme {
                index,
                theme: theme.clone(),
            });
        }
    }
    budget_gaps(c, out);
    for kind in &call.required_documents {
        if !f.document_kinds.contains(kind) {
            out.push(Gap::MissingDocument(kind.clone()));
        }
    }
}

fn budget_gaps(c: &Content, out: &mut Vec<Gap>) {
    if c.budget.is_empty() {
        out.push(Gap::NoBudget);
        return;
    }
    let Some(requested) = c.requested_amount else {
        return;
    };
    let total = budget_total(c, requested);
    if total != requested {
        out.push(Gap::BudgetMismatch { total, requested });
    }
}

/// The sum of the budget lines in `like`'s currency (every line is in the call's currency).
pub fn budget_total(c: &Content, like: Money) -> Money {
    let sum = c.budget.iter().map(|l| l.amount.amount()).sum();
    Money::new(sum, like.currency()).unwrap_or(like)
}

/// The decision `submit` applies: 409 when the state or the clock forbids it (naming
/// `status` or `call`), else 422 naming every field to complete or fix.
pub fn check_submission(gaps: &[Gap]) -> Result<(), AppError> {
    let as_errors = |state: bool| -> Vec<FieldError> {
        gaps.iter()
            .filter(|g| g.is_state() == state)
            .map(|g| FieldError::new(g.field(), g.message()))
            .collect()
    };
    let state = as_errors(true);
    if let Some(first) = state.first() {
        return Err(AppError::invalid_state(first.message.clone()).with_errors(state));
    }
    let invalid = as_errors(false);
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(invalid))
    }
}

fn refused(action: &str, status: ApplicationStatus) -> AppError {
    AppError::invalid_state(format!(
        "cannot {action} an application that is {}",
        status.as_str()
    ))
    .with_errors(vec![FieldError::new("status", status.as_str())])
}

/// Only drafts change; a submitted application is frozen.
pub fn check_editable(status: ApplicationStatus) -> Result<(), AppError> {
    match status {
        ApplicationStatus::Draft => Ok(()),
        other => Err(refused("change", other)),
    }
}

/// Withdrawal is possible before the board's decision (a deferral is not final).
pub fn withdraw(status: ApplicationStatus) -> Result<ApplicationStatus, AppError> {
    use ApplicationStatus::*;
    match status {
        Draft | Submitted | UnderReview | Deferred => Ok(Withdrawn),
        other => Err(refused("withdraw", other)),
    }
}

/// Screening judges eligibility of what was submitted.
pub fn screen(status: ApplicationStatus, eligible: bool) -> Result<ApplicationStatus, AppError> {
    match (status, eligible) {
        (ApplicationStatus::Submitted, true) => Ok(ApplicationStatus::UnderReview),
        (ApplicationStatus::Submitted, false) => Ok(ApplicationStatus::Ineligible),
        (other, _) => Err(refused("screen", other)),
    }
}

/// A submitted application, screened or not, can go back to its organisation for changes
/// until the board decides; the next submission is a new revision.
pub fn return_for_revision(status: ApplicationStatus) -> Result<ApplicationStatus, AppError> {
    use ApplicationStatus::*;
    match status {
        Submitted | UnderReview => Ok(Draft),
        other => Err(refused("return", other)),
    }
}

/// An application can be decided while under review, or again when it was deferred to
/// the reserve list; approved, rejected, withdrawn or never screened ones cannot.
pub fn decide(
    status: ApplicationStatus,
    outcome: crate::board::model::Outcome,
) -> Result<ApplicationStatus, AppError> {
    use ApplicationStatus::*;
    match status {
        UnderReview | Deferred => Ok(match outcome {
            crate::board::model::Outcome::Approved => Approved,
            crate::board::model::Outcome::Rejected => Rejected,
            crate::board::model::Outcome::Deferred => Deferred,
        }),
        other => Err(AppError::invalid_state(format!(
            "only an application under review or deferred can be decided; this one is {}",
            other.as_str()
        ))
        .with_errors(vec![FieldError::new("application_id", other.as_str())])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applications::model::BudgetLine;
    use crate::calls::model::CallStatus;
    use crate::money::Currency;
    use chrono::Duration;
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn usd(cents: i64) -> Money {
        Money::from_minor(cents, Currency::USD)
    }

    fn call(now: DateTime<Utc>) -> Call {
        Call {
            id: "c".into(),
            fund_id: "f".into(),
            title: "Emergency grants".into(),
            description: "d".into(),
            opens_at: now - Duration::days(1),
            closes_at: now + Duration::days(1),
            max_amount: usd(2_000_000),
            max_duration_months: 8,
            eligible_countries: vec!["NG".into(), "GH".into()],
            themes: vec![],
            required_documents: vec!["proposal".into(), "budget".into()],
            rubric: vec![],
            status: CallStatus::Open,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn complete() -> Content {
        Content {
            title: "Safe shelter".into(),
            summary: "Shelter for 40 survivors".into(),
            requested_amount: Some(usd(1_500_000)),
            duration_months: Some(8),
            countries: vec!["NG".into()],
            themes: vec!["protection.shelter".into()],
            planned_beneficiaries: vec![],
            budget: vec![
                BudgetLine {
                    category: "rent".into(),
                    description: String::new(),
                    amount: usd(1_000_000),
                },
                BudgetLine {
                    category: "staff".into(),
                    description: String::new(),
                    amount: usd(500_000),
                },
            ],
        }
    }

    fn docs() -> Vec<String> {
        vec!["proposal".into(), "budget".into()]
    }

    fn fields(content: &Content, kinds: &[String], call: &Call, now: DateTime<Utc>) -> Vec<String> {
        blockers(&Facts {
            status: ApplicationStatus::Draft,
            revision: 1,
            content,
            document_kinds: kinds,
            call,
            now,
            organisation_verified: true,
        })
        .into_iter()
        .map(|b| b.field)
        .collect()
    }

    #[test]
    fn a_complete_draft_in_time_has_no_blockers() {
        let now = Utc::now();
        assert!(fields(&complete(), &docs(), &call(now), now).is_empty());
    }

    #[test]
    fn an_empty_draft_names_everything_missing() {
        let now = Utc::now();
        assert_eq!(
            fields(&Content::empty(), &[], &call(now), now),
            vec![
                "title",
                "summary",
                "requested_amount",
                "duration_months",
                "countries",
                "themes",
                "budget",
                "documents.proposal",
                "documents.budget"
            ]
        );
    }

    #[test]
    fn the_call_terms_bind() {
        let now = Utc::now();
        let mut c = complete();
        c.requested_amount = Some(usd(2_000_001));
        c.duration_months = Some(9);
        c.countries = vec!["NG".into(), "FR".into()];
        assert_eq!(
            fields(&c, &docs(), &call(now), now),
            vec![
                "requested_amount",
                "duration_months",
                "countries[1]",
                "budget"
            ]
        );
        // exactly the maximum is fine
        let mut c = complete();
        c.requested_amount = Some(usd(2_000_000));
        c.budget[0].amount = usd(1_500_000);
        assert!(fields(&c, &docs(), &call(now), now).is_empty());
        // no eligible list: every country is eligible
        let mut open_call = call(now);
        open_call.eligible_countries.clear();
        let mut c = complete();
        c.countries = vec!["FR".into()];
        assert!(fields(&c, &docs(), &open_call, now).is_empty());
    }

    fn check(
        status: ApplicationStatus,
        revision: i32,
        content: &Content,
        kinds: &[String],
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let now = Utc::now();
        check_submission(&gaps(&Facts {
            status,
            revision,
            content,
            document_kinds: kinds,
            call: &call(now),
            now: at,
            organisation_verified: true,
        }))
    }

    #[test]
    fn an_unverified_organisation_cannot_submit_and_is_told_why() {
        let now = Utc::now();
        let content = complete();
        let call = call(now);
        let facts = Facts {
            status: ApplicationStatus::Draft,
            revision: 1,
            content: &content,
            document_kinds: &docs(),
            call: &call,
            now,
            organisation_verified: false,
        };
        let found = blockers(&facts);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            (found[0].code.as_str(), found[0].field.as_str()),
            (STATE, "organisation")
        );
        let err = check_submission(&gaps(&facts)).expect_err("unverified");
        assert_eq!(err.code, crate::error::ErrorCode::InvalidState);
        assert!(
            check_submission(&gaps(&Facts {
                organisation_verified: true,
                ..facts
            }))
            .is_ok()
        );
    }

    #[test]
    fn the_deadline_and_state_block_with_409_before_any_422() {
        use crate::error::ErrorCode;
        let now = Utc::now();
        let late = now + Duration::days(2);
        let empty = Content::empty();
        let err = check(ApplicationStatus::Draft, 1, &empty, &[], late).expect_err("late");
        assert_eq!(
            (err.code, err.errors[0].field.as_str()),
            (ErrorCode::InvalidState, "call")
        );
        let err = check(ApplicationStatus::Submitted, 1, &empty, &[], now).expect_err("frozen");
        assert_eq!(
            (err.code, err.errors[0].field.as_str()),
            (ErrorCode::InvalidState, "status")
        );
        let err = check(ApplicationStatus::Draft, 1, &empty, &[], now).expect_err("incomplete");
        assert_eq!(err.code, ErrorCode::ValidationFailed);
        assert_eq!(err.errors.len(), 9);
        // a revision asked for by the secretariat may arrive after the deadline
        assert!(check(ApplicationStatus::Draft, 2, &complete(), &docs(), late).is_ok());
        assert!(check(ApplicationStatus::Draft, 1, &complete(), &docs(), late).is_err());
        assert!(check(ApplicationStatus::Draft, 1, &complete(), &docs(), now).is_ok());
    }

    #[test]
    fn lifecycle() {
        use ApplicationStatus::*;
        assert!(check_editable(Draft).is_ok());
        for s in [
            Submitted,
            UnderReview,
            Ineligible,
            Approved,
            Rejected,
            Deferred,
            Withdrawn,
        ] {
            assert!(check_editable(s).is_err(), "{s:?} is frozen");
        }
        assert_eq!(screen(Submitted, true).ok(), Some(UnderReview));
        assert_eq!(screen(Submitted, false).ok(), Some(Ineligible));
        assert!(screen(Draft, true).is_err());
        assert!(screen(UnderReview, false).is_err());
        for s in [Draft, Submitted, UnderReview, Deferred] {
            assert_eq!(withdraw(s).ok(), Some(Withdrawn));
        }
        for s in [Ineligible, Approved, Rejected, Withdrawn] {
            assert!(withdraw(s).is_err());
        }
        assert_eq!(return_for_revision(Submitted).ok(), Some(Draft));
        assert_eq!(return_for_revision(UnderReview).ok(), Some(Draft));
        for s in [Draft, Ineligible, Approved, Rejected, Deferred, Withdrawn] {
            assert!(return_for_revision(s).is_err());
        }
    }

    proptest! {
        #[test]
        fn the_budget_blocks_exactly_when_it_does_not_sum_to_the_request(
            lines in proptest::collection::vec(1i64..10_000_000, 1..20),
            requested in 1i64..100_000_000,
        ) {
            let now = Utc::now();
            let mut c = complete();
            c.requested_amount = Some(usd(requested));
            c.budget = lines.iter().map(|cents| BudgetLine {
                category: "x".into(), description: String::new(), amount: usd(*cents),
            }).collect();
            let mut the_call = call(now);
            the_call.max_amount = usd(i64::MAX / 1000);
            let sum: i64 = lines.iter().sum();
            let blocked = fields(&c, &docs(), &the_call, now).contains(&"budget".to_string());
            prop_assert_eq!(blocked, sum != requested);
            prop_assert_eq!(budget_total(&c, usd(requested)).amount(), Decimal::new(sum, 2));
        }
    }
}
