//! What a fund's yearly report says, from what one snapshot read: pure rules, no database.
//!
//! The report is public (the fund's annual report to its donors and the General Assembly),
//! so it follows the public rules: anonymous donors merged into one line, a protected
//! grantee's name and title left out (`withheld`), people reached through the one
//! suppression of outcomes (`reports::rules::outcomes_view`), and only narratives the
//! secretariat cleared, never a protected grantee's: clearing looks for what could identify
//! a survivor, and a protected grantee's own words may name its town or its shelter (the
//! open-data files replace its descriptions for the same reason,
//! `opendata::rules::withhold_protected`).

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::grants::model::{GrantStatus, ReportKind};
use crate::money::{Currency, Money};
use crate::public::rules::{DonorLine, DonorReceipts, PublicFundRef, donor_lines};
use crate::reports::rules::{Figure, KeyedFigure, OutcomeCounts, outcomes_view};

/// The first year a report can be asked for: no fund holds money dated earlier
/// (`platform::dates`' floor).
pub const FIRST_YEAR: i32 = 2000;

/// The days of `year`, or `None` for a year outside [`FIRST_YEAR`, `this_year`]: a report of
/// the future says nothing, and one before any money could exist is a mistyped year.
pub fn year_span(year: i32, this_year: i32) -> Option<(NaiveDate, NaiveDate)> {
    if !(FIRST_YEAR..=this_year).contains(&year) {
        return None;
    }
    Some((
        NaiveDate::from_ymd_opt(year, 1, 1)?,
        NaiveDate::from_ymd_opt(year, 12, 31)?,
    ))
}

/// A grant the board approved in the year, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardRecord {
    pub reference: String,
    pub title: String,
    pub grantee: String,
    pub grantee_protected: bool,
    /// The first country of its application.
    pub country: Option<String>,
    /// The day of its commitment in the ledger (the board's decision).
    pub awarded_on: NaiveDate,
    /// Approved amount in base currency minor units, at the rate of the decision.
    pub base_amount: i64,
    pub status: GrantStatus,
}

/// A cleared narrative of an accepted report whose period ended in the year, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NarrativeRecord {
    pub grant_reference: String,
    pub grant_title: String,
    pub grantee: String,
    pub grantee_protected: bool,
    pub kind: ReportKind,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub narrative: String,
}

/// Everything the report is made of, read in one snapshot.
pub struct YearParts<'a> {
    pub fund: PublicFundRef,
    pub year: i32,
    pub today: NaiveDate,
    /// What each donor gave in the year (receipts by value date, reversals netted).
    pub donors: &'a [DonorReceipts],
    /// Disbursed in the year, base currency minor units (refunds netted).
    pub disbursed: i64,
    pub awards: &'a [AwardRecord],
    /// Accepted reports whose period ended in the year.
    pub outcomes: &'a OutcomeCounts,
    pub narratives: &'a [NarrativeRecord],
}

/// A fund's year: `GET /api/v1/public/funds/{id}/annual-reports/{year}`, and the same
/// content as a page and a PDF.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnualReport {
    pub fund: PublicFundRef,
    pub year: i32,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// False while the year is still running: the figures are those so far.
    pub complete: bool,
    pub money: YearMoney,
    pub grants: YearGrants,
    pub people: YearPeople,
    /// Narratives of reports accepted for periods ending in the year, only those the
    /// secretariat cleared and none of a protected grantee, oldest period first.
    pub narratives: Vec<ClearedNarrative>,
}

/// Money in and out during the year, by value date, in the fund's base currency.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearMoney {
    pub received: String,
    pub disbursed: String,
    /// Largest first; every anonymous donor merged into one line.
    pub donors: Vec<DonorLine>,
}

/// Grants the board approved in the year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearGrants {
    pub count: i64,
    /// Approved, in base currency at the rates of the decisions.
    pub awarded: String,
    /// In order of decision.
    pub list: Vec<YearGrant>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearGrant {
    pub reference: String,
    /// Absent when the grantee is protected: its own words may name a town or a shelter.
    pub title: Option<String>,
    /// Absent when the grantee is protected.
    pub grantee: Option<String>,
    /// True when the grantee is protected and its name and title are withheld.
    pub withheld: bool,
    pub country: Option<String>,
    #[schema(value_type = String, format = Date)]
    pub awarded_on: NaiveDate,
    pub awarded: String,
    #[schema(value_type = String)]
    pub status: GrantStatus,
}

/// People reached in reports whose period ended in the year: new people only (each report
/// counts the people first assisted in its period), suppressed as every public figure.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearPeople {
    /// Always true.
    pub suppressed: bool,
    pub reports: Figure,
    pub reached: Figure,
    pub by_sex: Vec<KeyedFigure>,
    pub by_age_group: Vec<KeyedFigure>,
    pub by_exploitation: Vec<KeyedFigure>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClearedNarrative {
    pub grant_reference: String,
    pub grant_title: String,
    pub grantee: String,
    #[schema(value_type = String)]
    pub kind: ReportKind,
    #[schema(value_type = String, format = Date)]
    pub period_start: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub period_end: NaiveDate,
    pub narrative: String,
}

/// `text` unless the grantee is protected.
fn unless_protected(protected: bool, text: &str) -> Option<String> {
    (!protected).then(|| text.to_string())
}

fn amount(minor: i64, base: Currency) -> String {
    Money::from_minor(minor, base).amount_string()
}

pub fn annual_report(parts: YearParts<'_>) -> AnnualReport {
    let base = parts.fund.base_currency;
    let from = NaiveDate::from_ymd_opt(parts.year, 1, 1).unwrap_or(NaiveDate::MIN);
    let to = NaiveDate::from_ymd_opt(parts.year, 12, 31).unwrap_or(NaiveDate::MAX);
    let view = outcomes_view(&parts.fund.id, from, to, parts.outcomes, true);
    let mut awards: Vec<&AwardRecord> = parts.awards.iter().collect();
    awards.sort_by(|a, b| {
        a.awarded_on
            .cmp(&b.awarded_on)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    let mut narratives: Vec<&NarrativeRecord> = parts
        .narratives
        .iter()
        .filter(|n| !n.grantee_protected)
        .collect();
    narratives.sort_by(|a, b| {
        (a.period_end, &a.grant_reference, a.kind.as_str()).cmp(&(
            b.period_end,
            &b.grant_reference,
            b.kind.as_str(),
        ))
    });
    AnnualReport {
        year: parts.year,
        from,
        to,
        complete: parts.today.year() > parts.year,
        money: YearMoney {
            received: amount(parts.donors.iter().map(|d| d.received).sum(), base),
            disbursed: amount(parts.disbursed, base),
            donors: donor_lines(parts.donors, base),
        },
        grants: YearGrants {
            count: i64::try_from(awards.len()).unwrap_or(i64::MAX),
            awarded: amount(awards.iter().map(|a| a.base_amount).sum(), base),
            list: awards
                .into_iter()
                .map(|a| YearGrant {
                    reference: a.reference.clone(),
                    title: unless_protected(a.grantee_protected, &a.title),
                    grantee: unless_protected(a.grantee_protected, &a.grantee),
                    withheld: a.grantee_protected,
                    country: a.country.clone(),
                    awarded_on: a.awarded_on,
                    awarded: amount(a.base_amount, base),
                    status: a.status,
                })
                .collect(),
        },
        people: YearPeople {
            suppressed: true,
            reports: view.reports,
            reached: view.beneficiaries,
            by_sex: view.by_sex,
            by_age_group: view.by_age_group,
            by_exploitation: view.by_exploitation,
        },
        narratives: narratives
            .into_iter()
            .map(|n| ClearedNarrative {
                grant_reference: n.grant_reference.clone(),
                grant_title: n.grant_title.clone(),
                grantee: n.grantee.clone(),
                kind: n.kind,
                period_start: n.period_start,
                period_end: n.period_end,
                narrative: n.narrative.clone(),
            })
            .collect(),
        fund: parts.fund,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("date")
    }

    fn award(reference: &str, protected: bool, on: NaiveDate, amount: i64) -> AwardRecord {
        AwardRecord {
            reference: reference.into(),
            title: format!("Shelter in the town of {reference}"),
            grantee: format!("Grantee {reference}"),
            grantee_protected: protected,
            country: Some("NG".into()),
            awarded_on: on,
            base_amount: amount,
            status: GrantStatus::Active,
        }
    }

    fn fund() -> PublicFundRef {
        PublicFundRef {
            id: "f".into(),
            code: "F".into(),
            name: "Fund".into(),
            base_currency: Currency::USD,
        }
    }

    #[test]
    fn a_year_is_asked_for_between_the_first_money_and_this_year() {
        assert_eq!(
            year_span(2025, 2026),
            Some((day(2025, 1, 1), day(2025, 12, 31)))
        );
        assert_eq!(
            year_span(2026, 2026),
            Some((day(2026, 1, 1), day(2026, 12, 31)))
        );
        assert_eq!(year_span(2027, 2026), None);
        assert_eq!(year_span(1999, 2026), None);
        assert_eq!(year_span(i32::MAX, 2026), None);
    }

    #[test]
    fn a_protected_grantee_is_neither_named_nor_described_nor_quoted_and_totals_still_add_up() {
        let awards = [
            award("G-2", true, day(2025, 6, 1), 20_000),
            award("G-1", false, day(2025, 3, 1), 10_000),
        ];
        let narrative = NarrativeRecord {
            grant_reference: "G-2".into(),
            grant_title: "Shelter in Kano".into(),
            grantee: "Kano Safe House".into(),
            grantee_protected: true,
            kind: ReportKind::Final,
            period_start: day(2025, 1, 1),
            period_end: day(2025, 6, 30),
            narrative: "Cleared text from Kano.".into(),
        };
        let unprotected = NarrativeRecord {
            grant_reference: "G-1".into(),
            grant_title: "Shelter in the town of G-1".into(),
            grantee: "Grantee G-1".into(),
            grantee_protected: false,
            narrative: "Cleared text.".into(),
            ..narrative.clone()
        };
        let report = annual_report(YearParts {
            fund: fund(),
            year: 2025,
            today: day(2026, 2, 1),
            donors: &[],
            disbursed: 5_000,
            awards: &awards,
            outcomes: &OutcomeCounts::default(),
            narratives: &[narrative, unprotected],
        });
        assert!(report.complete);
        assert_eq!(report.grants.count, 2);
        assert_eq!(report.grants.awarded, "300.00");
        let first = &report.grants.list[0];
        assert_eq!(
            (first.reference.as_str(), first.withheld),
            ("G-1", false),
            "in order of decision"
        );
        assert_eq!(first.grantee.as_deref(), Some("Grantee G-1"));
        let protected = &report.grants.list[1];
        assert!(protected.withheld);
        assert_eq!(
            (protected.title.as_ref(), protected.grantee.as_ref()),
            (None, None)
        );
        let json = serde_json::to_string(&report).expect("json");
        assert!(
            !json.contains("Grantee G-2") && !json.contains("Kano"),
            "{json}"
        );
        assert_eq!(report.narratives.len(), 1, "only the unprotected grantee's");
        assert_eq!(report.narratives[0].narrative, "Cleared text.");
        assert_eq!(report.money.disbursed, "50.00");
    }

    #[test]
    fn people_reached_are_suppressed_and_the_running_year_is_not_complete() {
        let report = annual_report(YearParts {
            fund: fund(),
            year: 2026,
            today: day(2026, 12, 4),
            donors: &[],
            disbursed: 0,
            awards: &[],
            outcomes: &OutcomeCounts::default(),
            narratives: &[],
        });
        assert!(!report.complete);
        assert!(report.people.suppressed);
        assert_eq!(report.people.reached, Figure::Hidden("<5".into()));
    }
}
