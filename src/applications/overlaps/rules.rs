//! Pure rules of an application's flagged overlaps: what of the application is compared
//! with the registry (the registry's own `OverlapCheck`, as `POST /registry/overlap-check`
//! takes a draft), which candidates are kept, and which the reader sees.

use chrono::NaiveDate;

use crate::applications::model::Content;
use crate::registry::model::OverlapCheck;
use crate::registry::rules::{self, Scope};
use crate::text_enum;

text_enum!(
    /// Where a flagged overlap stands: `open` until a board approval says how it was
    /// weighed.
    OverlapStatus {
        Open => "open",
        Weighed => "weighed",
    }
);

/// Candidates kept for an application, best first (the registry's own number for a saved
/// project).
pub const KEPT: usize = 20;

/// Candidates asked of the registry, more than are kept: the applicant's own projects are
/// among the best scored (same organisation) and are dropped afterwards.
pub const ASKED: usize = 50;

/// The application as a registry draft: its title, summary, countries and themes, the
/// applicant as reporting and implementing organisation, the period from `starts_on` (the
/// day of submission) for its duration, and the requested budget. The registry validates
/// and scores it exactly as it does a draft sent to `POST /registry/overlap-check`.
pub fn as_draft(content: &Content, organisation_id: &str, starts_on: NaiveDate) -> OverlapCheck {
    let end_on = content.duration_months.and_then(|m| {
        u32::try_from(m)
            .ok()
            .filter(|m| *m > 0)
            .map(|m| crate::grants::rules::ends_on(starts_on, m))
    });
    let (budget, currency) = match content.requested_amount {
        Some(amount) => (
            Some(crate::money::DecimalString(amount.amount())),
            Some(amount.currency().code().to_string()),
        ),
        None => (None, None),
    };
    OverlapCheck {
        title: Some(content.title.clone()),
        description: Some(content.summary.clone()),
        reporting_org_id: Some(organisation_id.to_string()),
        implementing_org_ids: vec![organisation_id.to_string()],
        countries: content.countries.clone(),
        themes: content.themes.clone(),
        start_on: Some(starts_on),
        end_on,
        budget,
        currency,
        limit: Some(ASKED),
        ..OverlapCheck::default()
    }
}

/// Whether a candidate is another organisation's work: the applicant's own projects and
/// the registry projects of the application's own grants are not overlaps of it.
pub fn is_foreign(
    reporting_org_id: &str,
    project_id: &str,
    applicant: &str,
    own_projects: &[String],
) -> bool {
    reporting_org_id != applicant && !own_projects.iter().any(|p| p == project_id)
}

/// Whether a reader of `scope` sees a flagged project: the registry's own rule (the
/// secretariat every project, others the public ones and their organisation's).
pub fn visible_to(scope: &Scope, published: bool, verified: bool, reporting_org_id: &str) -> bool {
    scope.sees(rules::is_public(published, verified), reporting_org_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::{Currency, Money};
    use rust_decimal::Decimal;

    fn content() -> Content {
        Content {
            title: "Shelter for survivors in Lagos".into(),
            summary: "Safe housing and counselling".into(),
            requested_amount: Some(
                Money::new(Decimal::new(1500000, 2), Currency::USD)
                    .expect("15,000.00 USD has the cent precision USD takes"),
            ),
            duration_months: Some(12),
            countries: vec!["NG".into()],
            themes: vec!["protection.shelter".into()],
            ..Content::empty()
        }
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("the tests name real days")
    }

    #[test]
    fn the_draft_carries_the_application_and_validates_as_the_registry_checks_it() {
        let draft = as_draft(
            &content(),
            "0190a1d2-0000-7000-8000-000000000001",
            day(2026, 3, 1),
        );
        assert_eq!(
            draft.title.as_deref(),
            Some("Shelter for survivors in Lagos")
        );
        assert_eq!(
            draft.description.as_deref(),
            Some("Safe housing and counselling")
        );
        assert_eq!(draft.end_on, Some(day(2027, 3, 1)));
        assert_eq!(draft.currency.as_deref(), Some("USD"));
        let (subject, limit) = draft
            .validate()
            .expect("a submitted application is a valid draft");
        assert_eq!(limit, ASKED);
        assert_eq!(subject.countries, vec!["NG".to_string()]);
        assert_eq!(subject.start_on, Some(day(2026, 3, 1)));
        assert_eq!(subject.participants.len(), 1);
    }

    #[test]
    fn without_a_duration_the_period_has_no_end() {
        let c = Content {
            duration_months: None,
            requested_amount: None,
            ..content()
        };
        let draft = as_draft(&c, "0190a1d2-0000-7000-8000-000000000001", day(2026, 3, 1));
        assert_eq!(draft.end_on, None);
        assert!(draft.budget.is_none());
        assert!(draft.validate().is_ok());
    }

    #[test]
    fn the_applicants_own_projects_and_grant_projects_are_not_overlaps() {
        let own = vec!["p-grant".to_string()];
        assert!(!is_foreign("org-a", "p1", "org-a", &own));
        assert!(!is_foreign("org-b", "p-grant", "org-a", &own));
        assert!(is_foreign("org-b", "p1", "org-a", &own));
    }

    #[test]
    fn readers_see_what_the_registry_lets_them_see() {
        let secretariat = Scope::All;
        let trustee = Scope::Members(vec!["org-t".into()]);
        // an unpublished project, or one of an unverified organisation
        assert!(visible_to(&secretariat, false, true, "org-b"));
        assert!(!visible_to(&trustee, false, true, "org-b"));
        assert!(!visible_to(&trustee, true, false, "org-b"));
        assert!(visible_to(&trustee, true, true, "org-b"));
        assert!(visible_to(&trustee, false, false, "org-t"));
    }
}
