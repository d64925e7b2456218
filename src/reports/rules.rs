//! Pure rules of outcome reports: the review lifecycle, what a new report supersedes, the
//! small-cell suppression of published figures (domain invariant 7) and which reminders
//! about report due dates are owed on a given day.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::ReportStatus;
use crate::error::AppError;
use crate::grants::model::{GrantStatus, ReportKind};
use crate::taxonomy::{AgeGroup, Exploitation, Sex};

/// Counts below this are hidden in a suppressed view.
pub const SMALL_CELL: i64 = 5;
/// How a hidden count is shown.
pub const HIDDEN: &str = "<5";

/// A count as shown: the exact number, or `"<5"` in a suppressed view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[serde(untagged)]
pub enum Figure {
    Exact(i64),
    /// Always `"<5"`.
    Hidden(String),
}

impl Figure {
    /// `n` as shown: hidden when `suppress` and `n` is below 5 (zero included).
    pub fn of(n: i64, suppress: bool) -> Figure {
        if suppress && n < SMALL_CELL {
            Figure::Hidden(HIDDEN.to_string())
        } else {
            Figure::Exact(n)
        }
    }
}

/// Reports are submitted to a grant that is running.
pub fn check_grant_accepts_reports(status: GrantStatus) -> Result<(), AppError> {
    match status {
        GrantStatus::Active | GrantStatus::Suspended => Ok(()),
        other => Err(AppError::invalid_state(format!(
            "reports are submitted to an active or suspended grant; this one is {}",
            other.as_str()
        ))),
    }
}

/// A report is reviewed (accepted or returned) once, while it is `submitted`.
pub fn check_reviewable(status: ReportStatus) -> Result<(), AppError> {
    if status == ReportStatus::Submitted {
        Ok(())
    } else {
        Err(AppError::invalid_state(format!(
            "only a submitted report is accepted or returned; this one is {}",
            status.as_str()
        )))
    }
}

/// One earlier report of the same grant and kind: (id, report_version, status), oldest
/// first.
pub type Earlier<'a> = (&'a str, i32, ReportStatus);

/// What a new report of a kind is, given the grant's earlier reports of that kind: 409
/// while one awaits review; the next version of the newest one when that one was
/// returned (a resubmission); else a new report, version 1.
pub fn next_version<'a>(earlier: &[Earlier<'a>]) -> Result<(i32, Option<&'a str>), AppError> {
    if earlier
        .iter()
        .any(|(_, _, s)| *s == ReportStatus::Submitted)
    {
        return Err(AppError::invalid_state(
            "a report of this kind awaits review; wait for it to be accepted or returned",
        ));
    }
    match earlier.last() {
        Some((id, version, ReportStatus::Returned)) => Ok((version + 1, Some(id))),
        _ => Ok((1, None)),
    }
}

/// A cell of the disaggregation: (sex, age group, form of exploitation).
pub type CellKey = (String, String, String);

/// Exact sums over a fund's accepted reports, before suppression.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    pub reports: i64,
    /// (sex, age group, form of exploitation) → people.
    pub cells: BTreeMap<CellKey, i64>,
    pub services: BTreeMap<String, i64>,
    /// Country (of the application's first country) → people.
    pub by_country: BTreeMap<String, i64>,
    /// Year of the period's end → people.
    pub by_year: BTreeMap<i32, i64>,
    /// (year of the period's end, form of exploitation) → people.
    pub by_year_exploitation: BTreeMap<(i32, String), i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CellView {
    pub sex: String,
    pub age_group: String,
    pub exploitation: String,
    pub count: Figure,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyedFigure {
    pub key: String,
    pub count: Figure,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearFigure {
    pub year: i32,
    pub count: Figure,
}

/// Beneficiaries and services of a fund, summed and disaggregated.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomesView {
    pub fund_id: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// Whether every count below 5 is shown as `"<5"`.
    pub suppressed: bool,
    /// Accepted reports counted.
    pub reports: Figure,
    pub beneficiaries: Figure,
    /// Every taxonomy value, zeros included.
    pub by_sex: Vec<KeyedFigure>,
    pub by_age_group: Vec<KeyedFigure>,
    pub by_exploitation: Vec<KeyedFigure>,
    /// Non-empty sex × age group × exploitation cells.
    pub cells: Vec<CellView>,
    /// Every service of the taxonomy, zeros included.
    pub services: Vec<KeyedFigure>,
    /// Each report counts for the first country of its grant's application.
    pub by_country: Vec<KeyedFigure>,
    /// By the year in which a report's period ends.
    pub by_year: Vec<YearFigure>,
}

/// The outcomes as shown; with `suppress`, no number below 5 appears anywhere.
pub fn outcomes_view(
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    counts: &OutcomeCounts,
    suppress: bool,
) -> OutcomesView {
    let fig = |n: i64| Figure::of(n, suppress);
    let total_of = |pick: &dyn Fn(&CellKey) -> bool| -> i64 {
        counts
            .cells
            .iter()
            .filter(|(k, _)| pick(k))
            .map(|(_, n)| *n)
            .sum()
    };
    let keyed = |values: Vec<&str>, pick: &dyn Fn(&str, &CellKey) -> bool| {
        values
            .into_iter()
            .map(|v| KeyedFigure {
                key: v.to_string(),
                count: fig(total_of(&|k| pick(v, k))),
            })
            .collect::<Vec<_>>()
    };
    OutcomesView {
        fund_id: fund_id.to_string(),
        from,
        to,
        suppressed: suppress,
        reports: fig(counts.reports),
        beneficiaries: fig(counts.cells.values().sum()),
        by_sex: keyed(Sex::ALL.iter().map(|s| s.as_str()).collect(), &|v, k| {
            k.0 == v
        }),
        by_age_group: keyed(
            AgeGroup::ALL.iter().map(|s| s.as_str()).collect(),
            &|v, k| k.1 == v,
        ),
        by_exploitation: keyed(
            Exploitation::ALL.iter().map(|s| s.as_str()).collect(),
            &|v, k| k.2 == v,
        ),
        cells: counts
            .cells
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|((sex, age, exp), n)| CellView {
                sex: sex.clone(),
                age_group: age.clone(),
                exploitation: exp.clone(),
                count: fig(*n),
            })
            .collect(),
        services: crate::taxonomy::SERVICES
            .iter()
            .map(|s| KeyedFigure {
                key: s.to_string(),
                count: fig(counts.services.get(*s).copied().unwrap_or(0)),
            })
            .collect(),
        by_country: counts
            .by_country
            .iter()
            .map(|(c, n)| KeyedFigure {
                key: c.clone(),
                count: fig(*n),
            })
            .collect(),
        by_year: counts
            .by_year
            .iter()
            .map(|(y, n)| YearFigure {
                year: *y,
                count: fig(*n),
            })
            .collect(),
    }
}

/// The year a report's period ends in, for `by_year`.
pub fn year_of(day: NaiveDate) -> i32 {
    day.year()
}

/// A date by which a report of `kind` is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDate {
    pub due_on: NaiveDate,
    pub kind: ReportKind,
}

/// The report due dates of a grant: each instalment released on an accepted report of
/// kind K falls due as a report of kind K; the final report falls due at the grant's end.
/// The same (date, kind) twice is one due date.
pub fn due_dates(on_report: &[(NaiveDate, ReportKind)], ends_on: NaiveDate) -> Vec<DueDate> {
    let mut dates: Vec<DueDate> = on_report
        .iter()
        .map(|(due_on, kind)| DueDate {
            due_on: *due_on,
            kind: *kind,
        })
        .chain(std::iter::once(DueDate {
            due_on: ends_on,
            kind: ReportKind::Final,
        }))
        .collect();
    dates.sort_by_key(|d| (d.due_on, d.kind.as_str()));
    dates.dedup();
    dates
}

/// The due dates still open: of the due dates of kind K in date order, the first `n` are
/// met when `n` reports of kind K are submitted or accepted (a returned one does not count,
/// its resubmission does).
pub fn open_due_dates(dates: &[DueDate], reported: impl Fn(ReportKind) -> usize) -> Vec<DueDate> {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut open = Vec::new();
    for date in dates {
        let nth = seen.entry(date.kind.as_str()).or_insert(0);
        *nth += 1;
        if reported(date.kind) < *nth {
            open.push(*date);
        }
    }
    open
}

/// One reminder owed: `offset_days` is negative before the due date, positive after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    pub due: DueDate,
    pub offset_days: i32,
}

/// The reminders of an open due date owed on `today`: a reminder's day has come (days that
/// passed while nobody ran the job are caught up), but a reminder "before" is never sent on
/// or after the due date itself. Whether one was already sent is the caller's claim.
pub fn reminders_owed(
    due: DueDate,
    today: NaiveDate,
    before: &[u32],
    after: &[u32],
) -> Vec<Reminder> {
    let mut owed = Vec::new();
    if today < due.due_on {
        for days in before {
            let day = due.due_on - Duration::days(i64::from(*days));
            if *days > 0 && day <= today {
                owed.push(Reminder {
                    due,
                    offset_days: -(i32::try_from(*days).unwrap_or(i32::MAX)),
                });
            }
        }
    }
    for days in after {
        let day = due.due_on + Duration::days(i64::from(*days));
        if day <= today {
            owed.push(Reminder {
                due,
                offset_days: i32::try_from(*days).unwrap_or(i32::MAX),
            });
        }
    }
    owed
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn small_counts_are_hidden_only_when_suppressed() {
        assert_eq!(Figure::of(4, true), Figure::Hidden("<5".into()));
        assert_eq!(Figure::of(0, true), Figure::Hidden("<5".into()));
        assert_eq!(Figure::of(5, true), Figure::Exact(5));
        assert_eq!(Figure::of(3, false), Figure::Exact(3));
        assert_eq!(
            serde_json::to_value(Figure::of(2, true)).expect("json"),
            serde_json::json!("<5")
        );
    }

    #[test]
    fn a_returned_report_is_superseded_and_one_awaiting_review_blocks() {
        assert_eq!(next_version(&[]).expect("first"), (1, None));
        let returned = [("r1", 1, ReportStatus::Returned)];
        assert_eq!(next_version(&returned).expect("again"), (2, Some("r1")));
        let waiting = [
            ("r1", 1, ReportStatus::Returned),
            ("r2", 2, ReportStatus::Submitted),
        ];
        assert!(next_version(&waiting).is_err());
        let accepted = [("r1", 1, ReportStatus::Accepted)];
        assert_eq!(next_version(&accepted).expect("next period"), (1, None));
        assert!(check_reviewable(ReportStatus::Accepted).is_err());
        assert!(check_reviewable(ReportStatus::Submitted).is_ok());
        assert!(check_grant_accepts_reports(GrantStatus::AwaitingSignature).is_err());
        assert!(check_grant_accepts_reports(GrantStatus::Suspended).is_ok());
    }

    #[test]
    fn outcomes_sum_cells_into_every_disaggregation() {
        let mut counts = OutcomeCounts {
            reports: 2,
            ..Default::default()
        };
        counts
            .cells
            .insert(("female".into(), "adult".into(), "sexual".into()), 12);
        counts
            .cells
            .insert(("male".into(), "child".into(), "begging".into()), 3);
        counts.services.insert("shelter".into(), 7);
        counts.by_country.insert("NG".into(), 15);
        counts.by_year.insert(2026, 15);
        let exact = outcomes_view("f", day("2026-01-01"), day("2026-12-31"), &counts, false);
        assert_eq!(exact.beneficiaries, Figure::Exact(15));
        assert_eq!(exact.by_sex[0].key, "female");
        assert_eq!(exact.by_sex[0].count, Figure::Exact(12));
        assert_eq!(exact.by_sex[1].count, Figure::Exact(3));
        assert_eq!(exact.cells.len(), 2);
        let hidden = outcomes_view("f", day("2026-01-01"), day("2026-12-31"), &counts, true);
        assert_eq!(hidden.by_sex[1].count, Figure::Hidden("<5".into()));
        assert_eq!(hidden.reports, Figure::Hidden("<5".into()));
        assert_eq!(hidden.beneficiaries, Figure::Exact(15));
    }

    #[test]
    fn due_dates_and_open_ones() {
        let dates = due_dates(
            &[
                (day("2026-07-01"), ReportKind::Interim),
                (day("2026-10-01"), ReportKind::Interim),
                (day("2027-01-01"), ReportKind::Final),
            ],
            day("2027-01-01"),
        );
        assert_eq!(
            dates.len(),
            3,
            "the final report at the end is one due date"
        );
        let open = open_due_dates(&dates, |k| usize::from(k == ReportKind::Interim));
        assert_eq!(
            open.iter().map(|d| d.due_on).collect::<Vec<_>>(),
            vec![day("2026-10-01"), day("2027-01-01")]
        );
    }

    #[test]
    fn reminders_before_stop_at_the_due_date_and_missed_ones_catch_up() {
        let due = DueDate {
            due_on: day("2026-07-15"),
            kind: ReportKind::Interim,
        };
        let offsets = |today: &str| {
            reminders_owed(due, day(today), &[14, 3], &[1, 7])
                .iter()
                .map(|r| r.offset_days)
                .collect::<Vec<_>>()
        };
        assert_eq!(offsets("2026-06-30"), Vec::<i32>::new());
        assert_eq!(offsets("2026-07-01"), vec![-14]);
        assert_eq!(offsets("2026-07-13"), vec![-14, -3]);
        assert_eq!(offsets("2026-07-15"), Vec::<i32>::new());
        assert_eq!(offsets("2026-07-16"), vec![1]);
        assert_eq!(offsets("2026-08-30"), vec![1, 7]);
    }

    fn numbers_in(value: &serde_json::Value, out: &mut Vec<i64>) {
        match value {
            serde_json::Value::Number(n) => out.push(n.as_i64().unwrap_or(i64::MAX)),
            serde_json::Value::Array(items) => items.iter().for_each(|v| numbers_in(v, out)),
            serde_json::Value::Object(map) => map.values().for_each(|v| numbers_in(v, out)),
            _ => {}
        }
    }

    proptest! {
        #[test]
        fn no_number_below_five_leaks_from_a_suppressed_view(
            cells in proptest::collection::vec((0usize..4, 0usize..3, 0usize..9, 0i64..12), 0..40),
            services in proptest::collection::vec((0usize..8, 0i64..12), 0..8),
            countries in proptest::collection::vec((0usize..3, 0i64..12), 0..3),
            years in proptest::collection::vec((2020i32..2030, 0i64..12), 0..3),
            reports in 0i64..12,
        ) {
            let mut counts = OutcomeCounts { reports, ..Default::default() };
            for (s, a, e, n) in cells {
                *counts.cells.entry((
                    Sex::ALL[s].as_str().to_string(),
                    AgeGroup::ALL[a].as_str().to_string(),
                    Exploitation::ALL[e].as_str().to_string(),
                )).or_insert(0) += n;
            }
            for (s, n) in services {
                counts.services.insert(crate::taxonomy::SERVICES[s].to_string(), n);
            }
            for (c, n) in countries {
                counts.by_country.insert(["NG", "TH", "MD"][c].to_string(), n);
            }
            for (y, n) in years {
                counts.by_year.insert(y, n);
            }
            let view = outcomes_view("f", day("2020-01-01"), day("2030-12-31"), &counts, true);
            let json = serde_json::to_value(&view).expect("json");
            let mut numbers = Vec::new();
            numbers_in(&json, &mut numbers);
            prop_assert!(numbers.iter().all(|n| *n >= SMALL_CELL), "{numbers:?}");
            // and the exact view shows the same totals
            let exact = outcomes_view("f", day("2020-01-01"), day("2030-12-31"), &counts, false);
            prop_assert_eq!(exact.beneficiaries, Figure::Exact(counts.cells.values().sum()));
        }
    }
}
