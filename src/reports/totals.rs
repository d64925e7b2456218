//! Running outcome totals, the pure part: what accepted reports add to their funds' totals
//! (`Totals::add`), and which stored periods make up a date window (`spans`).
//!
//! Each accepted report is added once at each of five nested grains: the day its period
//! ends and that day's dekad, month, quarter and year, a period being stored as its first
//! day. A window [from, to] is read as its whole years, and at its edges whole quarters,
//! months, dekads and single days: at most nine ranges of periods, every day of the window
//! in exactly one of them. Reading a window therefore touches at most (its years + 34
//! other periods) × (cells + countries) rows, however many reports were accepted; the
//! tables grow with funds × periods × (cells + countries), never with reports. `store::count_accepted` writes a `Totals` into
//! the tables and `store::outcomes` reads them with the spans; `Totals::outcomes` is the
//! same reading in memory, which the property tests hold against a sum over the reports.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{Datelike, Days, Months, NaiveDate};

use super::rules::{CellKey, OutcomeCounts};
use crate::text_enum;

text_enum!(
    /// How long a period one running total covers; a period is stored as its first day.
    /// Each grain's periods nest in the next one's: a dekad is days 1–10, 11–20 or 21 to
    /// the end of a month, a quarter three months from January, April, July or October.
    Grain {
        Day => "day",
        Dekad => "dekad",
        Month => "month",
        Quarter => "quarter",
        Year => "year",
    }
);

/// The grains from the finest to the coarsest: each period of one lies in a single
/// period of the next.
pub const GRAINS: [Grain; 5] = [
    Grain::Day,
    Grain::Dekad,
    Grain::Month,
    Grain::Quarter,
    Grain::Year,
];

impl Grain {
    fn rank(self) -> usize {
        GRAINS.iter().position(|g| *g == self).unwrap_or(0)
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
    let first = |month: u32, d: u32| NaiveDate::from_ymd_opt(day.year(), month, d);
    match grain {
        Grain::Day => Some(day),
        Grain::Dekad => first(day.month(), (day.day().min(30) - 1) / 10 * 10 + 1),
        Grain::Month => first(day.month(), 1),
        Grain::Quarter => first(day.month0() / 3 * 3 + 1, 1),
        Grain::Year => first(1, 1),
    }
    .unwrap_or(day)
}

/// The first day of the `grain` period after the one that starts on `period`.
fn next_period(grain: Grain, period: NaiveDate) -> Option<NaiveDate> {
    match grain {
        Grain::Day => period.succ_opt(),
        Grain::Dekad if period.day() < 21 => period.checked_add_days(Days::new(10)),
        Grain::Dekad | Grain::Month => period.with_day(1)?.checked_add_months(Months::new(1)),
        Grain::Quarter => period.checked_add_months(Months::new(3)),
        Grain::Year => period.checked_add_months(Months::new(12)),
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
        let end = next_period(self.grain, self.last).and_then(|d| d.pred_opt());
        (self.first, end.unwrap_or(self.last))
    }
}

/// The spans that make up the window [from, to], in date order: the whole periods of the
/// coarsest grain inside it, and what is left at either edge split the same way at the
/// next finer grain, down to single days. Every day of the window lies in exactly one
/// span. A window has at most nine spans, and besides its whole years at most 6 quarters,
/// 4 months, 4 dekads and 20 days: what is read grows with none but the years. Empty when
/// `to` falls before `from`.
pub fn spans(from: NaiveDate, to: NaiveDate) -> Vec<Span> {
    let mut out = Vec::new();
    split(from, to, &GRAINS, &mut out);
    out
}

/// The spans of [from, to] with `grains` (finest first), the coarsest tried first.
fn split(from: NaiveDate, to: NaiveDate, grains: &[Grain], out: &mut Vec<Span>) {
    let Some((&grain, finer)) = grains.split_last() else {
        return;
    };
    if from > to {
        return;
    }
    if finer.is_empty() {
        out.push(Span {
            grain,
            first: from,
            last: to,
        });
        return;
    }
    // the first whole period starts at `first`; the period holding the day after `to`
    // starts at `cut`: the whole periods are those starting in [first, cut)
    let start = period_of(grain, from);
    let first = if start == from {
        Some(from)
    } else {
        next_period(grain, start)
    };
    let cut = to.succ_opt().map(|after| period_of(grain, after));
    match (first, cut) {
        (Some(first), Some(cut)) if first < cut => {
            if let Some(before) = first.pred_opt() {
                split(from, before, finer, out);
            }
            let last = cut.pred_opt().map_or(first, |d| period_of(grain, d));
            out.push(Span { grain, first, last });
            split(cut, to, finer, out);
        }
        _ => split(from, to, finer, out),
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
    fn a_window_is_read_as_years_and_finer_periods_at_its_edges() {
        use Grain::*;
        assert_eq!(
            spans(day("2024-03-15"), day("2026-11-20")),
            vec![
                span(Day, "2024-03-15", "2024-03-20"),
                span(Dekad, "2024-03-21", "2024-03-21"),
                span(Quarter, "2024-04-01", "2024-10-01"),
                span(Year, "2025-01-01", "2025-01-01"),
                span(Quarter, "2026-01-01", "2026-07-01"),
                span(Month, "2026-10-01", "2026-10-01"),
                span(Dekad, "2026-11-01", "2026-11-11"),
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
            vec![
                span(Day, "2024-02-02", "2024-02-10"),
                span(Dekad, "2024-02-11", "2024-02-21"),
            ]
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
        assert_eq!(
            span(Dekad, "2024-01-21", "2024-01-21").days(),
            (day("2024-01-21"), day("2024-01-31"))
        );
        assert_eq!(
            span(Quarter, "2024-10-01", "2024-10-01").days(),
            (day("2024-10-01"), day("2024-12-31"))
        );
        assert_eq!(period_of(Dekad, day("2024-01-31")), day("2024-01-21"));
        assert_eq!(period_of(Dekad, day("2024-01-20")), day("2024-01-11"));
        assert_eq!(period_of(Quarter, day("2024-09-30")), day("2024-07-01"));
    }

    #[test]
    fn a_report_adds_to_each_of_its_periods() {
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
                (at(Grain::Dekad, "2025-06-21"), 2),
                (at(Grain::Month, "2025-06-01"), 2),
                (at(Grain::Quarter, "2025-04-01"), 2),
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
            prop_assert!(!spans.is_empty(), "{spans:?}");
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
            prop_assert!(spans.len() <= 9, "{spans:?}");
            // besides whole years: at most 6 quarters, 4 months, 4 dekads and 20 days
            let periods = |grain: Grain| -> usize {
                spans
                    .iter()
                    .filter(|s| s.grain == grain)
                    .map(|s| {
                        std::iter::successors(Some(s.first), |p| next_period(grain, *p))
                            .take_while(|p| *p <= s.last)
                            .count()
                    })
                    .sum()
            };
            for (grain, most) in [
                (Grain::Quarter, 6),
                (Grain::Month, 4),
                (Grain::Dekad, 4),
                (Grain::Day, 20),
            ] {
                prop_assert!(periods(grain) <= most, "{grain}: {spans:?}");
            }
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
