//! Running outcome totals, the pure part: what accepted reports add to their funds' totals
//! (`Totals::add`), and which stored periods make up a date window (`spans`).
//!
//! Each accepted report is added once at each of three grains: the day its period ends,
//! that day's month and that day's year, a period being stored as its first day. A window
//! [from, to] is read as whole years, then whole months and single days at its edges: at
//! most five ranges of periods, every day of the window in exactly one of them. Reading a
//! window therefore touches at most (its years + 22 months + 60 days) × (cells + countries)
//! rows, however many reports were accepted; the tables grow with funds × periods ×
//! (cells + countries), never with reports. `store::count_accepted` writes a `Totals` into
//! the tables and `store::outcomes` reads them with the spans; `Totals::outcomes` is the
//! same reading in memory, which the property tests hold against a sum over the reports.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::rules::{CellKey, OutcomeCounts};
use crate::text_enum;

text_enum!(
    /// How long a period one running total covers; a period is stored as its first day.
    Grain {
        Day => "day",
        Month => "month",
        Year => "year",
    }
);

impl Grain {
    fn rank(self) -> u8 {
        match self {
            Grain::Day => 0,
            Grain::Month => 1,
            Grain::Year => 2,
        }
    }
}

impl PartialOrd for Grain {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Grain {
    fn cmp(&self, other: &Self) -> Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// The first day of the `grain` period that holds `day`.
pub fn period_of(grain: Grain, day: NaiveDate) -> NaiveDate {
    match grain {
        Grain::Day => day,
        Grain::Month => day.with_day(1).unwrap_or(day),
        Grain::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day),
    }
}

/// The periods of one grain from `first` to `last` (both first days of a period), read
/// together: the days from `first` to the end of `last`'s period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub grain: Grain,
    pub first: NaiveDate,
    pub last: NaiveDate,
}

impl Span {
    /// The first and the last day the span covers.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let end = match self.grain {
            Grain::Day => Some(self.last),
            Grain::Month => month_start(month_index(self.last) + 1).and_then(|d| d.pred_opt()),
            Grain::Year => NaiveDate::from_ymd_opt(self.last.year(), 12, 31),
        };
        (self.first, end.unwrap_or(self.last))
    }
}

/// Months counted from year 0: `year × 12 + month − 1`.
fn month_index(day: NaiveDate) -> i64 {
    i64::from(day.year()) * 12 + i64::from(day.month0())
}

fn month_start(index: i64) -> Option<NaiveDate> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month = u32::try_from(index.rem_euclid(12)).ok()? + 1;
    NaiveDate::from_ymd_opt(year, month, 1)
}

/// The spans that make up the window [from, to], in date order: single days up to the
/// first whole month, whole months up to the first whole year, the whole years, then
/// whole months and single days up to `to`. Every day of the window lies in exactly one
/// span; at most five spans, with at most 60 days and 22 months between them (the rest is
/// whole years). Empty when `to` falls before `from`.
pub fn spans(from: NaiveDate, to: NaiveDate) -> Vec<Span> {
    let mut out = Vec::new();
    if from > to {
        return out;
    }
    let first_year = if (from.month(), from.day()) == (1, 1) {
        from.year()
    } else {
        from.year() + 1
    };
    let last_year = if (to.month(), to.day()) == (12, 31) {
        to.year()
    } else {
        to.year() - 1
    };
    let years = NaiveDate::from_ymd_opt(first_year, 1, 1)
        .zip(NaiveDate::from_ymd_opt(last_year, 1, 1))
        .filter(|_| first_year <= last_year);
    match years {
        Some((first, last)) => {
            if let Some(before) = first.pred_opt() {
                months_and_days(from, before, &mut out);
            }
            out.push(Span {
                grain: Grain::Year,
                first,
                last,
            });
            if let Some(after) = NaiveDate::from_ymd_opt(last_year + 1, 1, 1) {
                months_and_days(after, to, &mut out);
            }
        }
        None => months_and_days(from, to, &mut out),
    }
    out
}

/// The spans of [from, to] when it holds no whole year: days, whole months, days.
fn months_and_days(from: NaiveDate, to: NaiveDate, out: &mut Vec<Span>) {
    if from > to {
        return;
    }
    let first_month = if from.day() == 1 {
        month_index(from)
    } else {
        month_index(from) + 1
    };
    let ends_a_month = to.succ_opt().is_none_or(|next| next.day() == 1);
    let last_month = if ends_a_month {
        month_index(to)
    } else {
        month_index(to) - 1
    };
    let months = month_start(first_month)
        .zip(month_start(last_month))
        .filter(|_| first_month <= last_month);
    match months {
        Some((first, last)) => {
            if let Some(before) = first.pred_opt() {
                days(from, before, out);
            }
            out.push(Span {
                grain: Grain::Month,
                first,
                last,
            });
            if let Some(after) = month_start(last_month + 1) {
                days(after, to, out);
            }
        }
        None => days(from, to, out),
    }
}

fn days(from: NaiveDate, to: NaiveDate, out: &mut Vec<Span>) {
    if from <= to {
        out.push(Span {
            grain: Grain::Day,
            first: from,
            last: to,
        });
    }
}

/// What one accepted report adds to its fund's outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedReport {
    pub fund_id: String,
    pub period_end: NaiveDate,
    /// The first country of its grant's application, `"unknown"` when it has none.
    pub country: String,
    /// People per (sex, age group, form of exploitation) cell, zeros as reported.
    pub beneficiaries: Vec<(CellKey, i64)>,
    pub services: Vec<(String, i64)>,
}

/// Where a running total sits: (fund, grain, first day of the period).
pub type PeriodKey = (String, Grain, NaiveDate);

/// Running totals, or what some reports add to them; keyed like the tables, in key order
/// (so that writers touch rows in one order). People are kept per cell and, apart, per
/// country: no figure crosses the two, and a period holds cells + countries rows instead
/// of cells × countries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// `outcome_totals`: people per period and (sex, age group, form) cell.
    pub people: BTreeMap<(PeriodKey, CellKey), i64>,
    /// `outcome_country_totals`: people per period and country; a report without
    /// beneficiaries adds no row.
    pub countries: BTreeMap<(PeriodKey, String), i64>,
    /// `outcome_service_totals`: services per period.
    pub services: BTreeMap<(PeriodKey, String), i64>,
    /// `outcome_report_totals`: accepted reports per period.
    pub reports: BTreeMap<PeriodKey, i64>,
}

impl Totals {
    /// The totals of `reports`, each added once.
    pub fn of(reports: &[AcceptedReport]) -> Totals {
        let mut totals = Totals::default();
        reports.iter().for_each(|r| totals.add(r));
        totals
    }

    /// Adds one accepted report at each grain. A cell or service reported as 0 gets its
    /// row (with 0), so that it is listed as the reports list it.
    pub fn add(&mut self, report: &AcceptedReport) {
        for grain in Grain::ALL {
            let key = (
                report.fund_id.clone(),
                *grain,
                period_of(*grain, report.period_end),
            );
            *self.reports.entry(key.clone()).or_default() += 1;
            for (cell, n) in &report.beneficiaries {
                *self.people.entry((key.clone(), cell.clone())).or_default() += n;
            }
            if !report.beneficiaries.is_empty() {
                *self
                    .countries
                    .entry((key.clone(), report.country.clone()))
                    .or_default() += report.beneficiaries.iter().map(|(_, n)| n).sum::<i64>();
            }
            for (service, n) in &report.services {
                *self
                    .services
                    .entry((key.clone(), service.clone()))
                    .or_default() += n;
            }
        }
    }

    /// Adds other totals to these, as an upsert adds a batch to the tables.
    pub fn merge(&mut self, other: &Totals) {
        for (k, n) in &other.people {
            *self.people.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &other.countries {
            *self.countries.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &other.services {
            *self.services.entry(k.clone()).or_default() += n;
        }
        for (k, n) in &other.reports {
            *self.reports.entry(k.clone()).or_default() += n;
        }
    }

    /// The fund's outcomes over reports whose period ends in [from, to], read from these
    /// totals as `store::outcomes` reads the tables: the totals of the periods in
    /// `spans(from, to)`.
    pub fn outcomes(&self, fund_id: &str, from: NaiveDate, to: NaiveDate) -> OutcomeCounts {
        let spans = spans(from, to);
        let counted = |(fund, grain, period): &PeriodKey| {
            fund == fund_id
                && spans
                    .iter()
                    .any(|s| s.grain == *grain && s.first <= *period && *period <= s.last)
        };
        let mut counts = OutcomeCounts::default();
        for ((key, cell), n) in &self.people {
            if counted(key) {
                counts.add_cell(key.2.year(), cell.clone(), *n);
            }
        }
        for ((key, country), n) in &self.countries {
            if counted(key) {
                counts.add_country(country, *n);
            }
        }
        for ((key, service), n) in &self.services {
            if counted(key) {
                *counts.services.entry(service.clone()).or_default() += n;
            }
        }
        counts.reports = self
            .reports
            .iter()
            .filter(|(key, _)| counted(key))
            .map(|(_, n)| n)
            .sum();
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn span(grain: Grain, first: &str, last: &str) -> Span {
        Span {
            grain,
            first: day(first),
            last: day(last),
        }
    }

    #[test]
    fn a_window_is_read_as_days_months_and_years() {
        use Grain::*;
        assert_eq!(
            spans(day("2024-03-15"), day("2026-11-20")),
            vec![
                span(Day, "2024-03-15", "2024-03-31"),
                span(Month, "2024-04-01", "2024-12-01"),
                span(Year, "2025-01-01", "2025-01-01"),
                span(Month, "2026-01-01", "2026-10-01"),
                span(Day, "2026-11-01", "2026-11-20"),
            ]
        );
        assert_eq!(
            spans(day("2025-01-01"), day("2025-12-31")),
            vec![span(Year, "2025-01-01", "2025-01-01")]
        );
        assert_eq!(
            spans(day("2024-02-01"), day("2024-02-29")),
            vec![span(Month, "2024-02-01", "2024-02-01")]
        );
        assert_eq!(
            spans(day("2024-02-02"), day("2024-02-29")),
            vec![span(Day, "2024-02-02", "2024-02-29")]
        );
        assert_eq!(
            spans(day("2024-12-31"), day("2025-01-01")),
            vec![span(Day, "2024-12-31", "2025-01-01")]
        );
        // every date the database can hold: its years
        assert_eq!(
            spans(day("0001-01-01"), day("9999-12-31")),
            vec![span(Year, "0001-01-01", "9999-01-01")]
        );
        assert!(spans(day("2025-01-02"), day("2025-01-01")).is_empty());
        assert_eq!(
            span(Month, "2024-01-01", "2024-02-01").days(),
            (day("2024-01-01"), day("2024-02-29"))
        );
    }

    #[test]
    fn a_report_adds_to_its_day_month_and_year() {
        let cell: CellKey = ("female".into(), "adult".into(), "sexual".into());
        let report = AcceptedReport {
            fund_id: "f".into(),
            period_end: day("2025-06-30"),
            country: "NG".into(),
            beneficiaries: vec![(cell.clone(), 12)],
            services: vec![("shelter".into(), 0)],
        };
        let totals = Totals::of(&[report.clone(), report]);
        let at = |grain, period: &str| ("f".to_string(), grain, day(period));
        assert_eq!(
            totals.reports,
            BTreeMap::from([
                (at(Grain::Day, "2025-06-30"), 2),
                (at(Grain::Month, "2025-06-01"), 2),
                (at(Grain::Year, "2025-01-01"), 2),
            ])
        );
        assert_eq!(
            totals.people.get(&(at(Grain::Month, "2025-06-01"), cell)),
            Some(&24)
        );
        assert_eq!(
            totals
                .countries
                .get(&(at(Grain::Day, "2025-06-30"), "NG".into())),
            Some(&24)
        );
        // a service reported as 0 is kept, with 0
        assert_eq!(
            totals
                .services
                .get(&(at(Grain::Year, "2025-01-01"), "shelter".into())),
            Some(&0)
        );
    }

    /// The outcomes summed straight from the reports, written apart from `Totals`: what
    /// `store::outcomes` answered when it summed the report tables.
    fn summed(
        reports: &[AcceptedReport],
        fund: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> OutcomeCounts {
        let mut counts = OutcomeCounts::default();
        for r in reports {
            if r.fund_id != fund || r.period_end < from || r.period_end > to {
                continue;
            }
            counts.reports += 1;
            for (cell, n) in &r.beneficiaries {
                *counts.cells.entry(cell.clone()).or_default() += n;
                *counts.by_country.entry(r.country.clone()).or_default() += n;
                *counts.by_year.entry(r.period_end.year()).or_default() += n;
                *counts
                    .by_year_exploitation
                    .entry((r.period_end.year(), cell.2.clone()))
                    .or_default() += n;
            }
            for (service, n) in &r.services {
                *counts.services.entry(service.clone()).or_default() += n;
            }
        }
        counts
    }

    const ORIGIN: &str = "2023-01-01";

    fn date(offset: i64) -> NaiveDate {
        day(ORIGIN) + Duration::days(offset)
    }

    fn accepted() -> impl Strategy<Value = AcceptedReport> {
        (
            0usize..2,
            0i64..1200,
            0usize..3,
            proptest::collection::btree_map((0usize..2, 0usize..2, 0usize..3), 0i64..9, 0..4),
            proptest::collection::btree_map(0usize..3, 0i64..9, 0..3),
        )
            .prop_map(|(fund, end, country, cells, services)| AcceptedReport {
                fund_id: ["f", "g"][fund].to_string(),
                period_end: date(end),
                country: ["NG", "TH", "unknown"][country].to_string(),
                beneficiaries: cells
                    .into_iter()
                    .map(|((s, a, e), n)| {
                        (
                            (
                                ["female", "male"][s].to_string(),
                                ["adult", "child"][a].to_string(),
                                ["sexual", "begging", "forced-labour"][e].to_string(),
                            ),
                            n,
                        )
                    })
                    .collect(),
                services: services
                    .into_iter()
                    .map(|(s, n)| (["shelter", "legal-aid", "other"][s].to_string(), n))
                    .collect(),
            })
    }

    proptest! {
        #[test]
        fn the_spans_of_a_window_cover_each_of_its_days_once(
            start in -40_000i64..40_000,
            length in 0i64..3_000,
            far in proptest::bool::ANY,
        ) {
            let (from, to) = (date(start), date(start + if far { length * 30 } else { length }));
            let spans = spans(from, to);
            prop_assert!(!spans.is_empty() && spans.len() <= 5, "{spans:?}");
            let mut next = from;
            for s in &spans {
                prop_assert_eq!(period_of(s.grain, s.first), s.first);
                prop_assert_eq!(period_of(s.grain, s.last), s.last);
                prop_assert!(s.first <= s.last);
                let (first, last) = s.days();
                prop_assert_eq!(first, next, "{:?}", spans);
                next = last.succ_opt().expect("a next day");
            }
            prop_assert_eq!(next.pred_opt(), Some(to));
            let periods = |grain: Grain| -> i64 {
                spans
                    .iter()
                    .filter(|s| s.grain == grain)
                    .map(|s| match grain {
                        Grain::Day => (s.last - s.first).num_days() + 1,
                        _ => month_index(s.last) - month_index(s.first) + 1,
                    })
                    .sum()
            };
            prop_assert!(periods(Grain::Day) <= 60, "{spans:?}");
            prop_assert!(periods(Grain::Month) <= 22, "{spans:?}");
        }

        #[test]
        fn totals_answer_every_window_as_the_reports_summed_do(
            reports in proptest::collection::vec(accepted(), 0..40),
            from in -30i64..1230,
            length in 0i64..1300,
        ) {
            let totals = Totals::of(&reports);
            let (from, to) = (date(from), date(from + length));
            for fund in ["f", "g"] {
                prop_assert_eq!(totals.outcomes(fund, from, to), summed(&reports, fund, from, to));
            }
            // open ends, as the endpoint binds them
            let (all_from, all_to) = super::super::rules::storable_dates(NaiveDate::MIN, NaiveDate::MAX);
            prop_assert_eq!(
                totals.outcomes("f", all_from, all_to),
                summed(&reports, "f", all_from, all_to)
            );
        }

        #[test]
        fn totals_added_in_batches_equal_totals_added_one_by_one(
            reports in proptest::collection::vec(accepted(), 0..30),
            cut in 0usize..30,
        ) {
            let cut = cut.min(reports.len());
            let mut batches = Totals::of(&reports[..cut]);
            batches.merge(&Totals::of(&reports[cut..]));
            let mut one_by_one = Totals::default();
            for r in &reports {
                one_by_one.merge(&Totals::of(std::slice::from_ref(r)));
            }
            prop_assert_eq!(&batches, &Totals::of(&reports));
            prop_assert_eq!(&one_by_one, &Totals::of(&reports));
        }
    }
}
