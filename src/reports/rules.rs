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

/// How a count of 5 or more is shown when it is hidden so that a small one cannot be
/// worked out from it (complementary suppression).
pub const WITHHELD: &str = "withheld";

/// A count as shown once suppression has decided: exact, `"<5"` when below 5, else
/// `"withheld"`.
pub fn shown(n: i64, hidden: bool) -> Figure {
    match (hidden, n < SMALL_CELL) {
        (false, _) => Figure::Exact(n),
        (true, true) => Figure::Hidden(HIDDEN.to_string()),
        (true, false) => Figure::Hidden(WITHHELD.to_string()),
    }
}

/// A relation between published counts: `values[total]` is the sum of `values[parts]`.
pub type Relation = (usize, Vec<usize>);

/// Small-cell suppression of related counts (domain invariant 7), primary and
/// complementary; true where a count is hidden.
///
/// Primary: every count below 5, zero included, is hidden, except counts the reader knows
/// anyway (`known`: a cell left out of a list because it is zero).
///
/// Complementary: a reader can work a hidden count out whenever it is the only unknown
/// term of a relation (a total shown beside all its parts but one, or a total hidden
/// beside all its parts shown), and each count so found may unlock the next relation.
/// `determined` follows that chain to its end. While it reaches a hidden count that is not
/// zero, or a shown total leaves hidden parts that add up to 1 to 4, the smallest count
/// still shown in the relation that gave it away is hidden too (a part before the total).
/// Each step hides one more count, so it ends. What it does not do is solve several
/// relations together (linear programming); single relations, chained, are what a reader
/// with a pencil does.
pub fn suppress(values: &[i64], known: &[bool], relations: &[Relation]) -> Vec<bool> {
    suppress_traced(values, known, relations).0
}

/// `suppress`, and whether it had to fall back to hiding everything (never, for counts
/// that add up as their relations say; tests check that).
fn suppress_traced(values: &[i64], known: &[bool], relations: &[Relation]) -> (Vec<bool>, bool) {
    let mut hidden: Vec<bool> = values
        .iter()
        .zip(known)
        .map(|(n, known)| !known && *n < SMALL_CELL)
        .collect();
    while let Some(relation) = first_leak(values, known, &hidden, relations) {
        let (total, parts) = &relations[relation];
        let shown_term = |t: &usize| !hidden[*t] && !known[*t];
        let next = parts
            .iter()
            .filter(|t| shown_term(t))
            .min_by_key(|t| values[**t])
            .or_else(|| Some(total).filter(|t| shown_term(t)))
            .copied();
        match next {
            Some(t) => hidden[t] = true,
            None => {
                // not expected (the first leak always has a count still shown); hiding
                // everything is the safe answer, and the loop must end
                hidden.iter_mut().zip(known).for_each(|(h, k)| *h = !k);
                return (hidden, true);
            }
        }
    }
    (hidden, false)
}

/// Which counts a reader can work out from those shown and known, one relation at a time
/// (each with a single unknown), and the relation that gave each one away.
fn determined(
    known: &[bool],
    hidden: &[bool],
    relations: &[Relation],
) -> (Vec<bool>, Vec<(usize, usize)>) {
    let mut found: Vec<bool> = hidden.iter().zip(known).map(|(h, k)| !h || *k).collect();
    let mut order = Vec::new();
    loop {
        let mut changed = false;
        for (index, (total, parts)) in relations.iter().enumerate() {
            let mut unknown = std::iter::once(total).chain(parts).filter(|t| !found[**t]);
            if let (Some(only), None) = (unknown.next(), unknown.next()) {
                found[*only] = true;
                order.push((*only, index));
                changed = true;
            }
        }
        if !changed {
            return (found, order);
        }
    }
}

/// The relation through which the first leak happens, if any: a hidden count that is not
/// zero worked out, or hidden parts of a total a reader knows that add up to 1 to 4.
fn first_leak(
    values: &[i64],
    known: &[bool],
    hidden: &[bool],
    relations: &[Relation],
) -> Option<usize> {
    let (found, order) = determined(known, hidden, relations);
    if let Some((_, relation)) = order.iter().find(|(term, _)| values[*term] != 0) {
        return Some(*relation);
    }
    relations.iter().position(|(total, parts)| {
        let sum: i64 = parts
            .iter()
            .filter(|p| !found[**p])
            .map(|p| values[*p])
            .sum();
        found[*total] && sum > 0 && sum < SMALL_CELL
    })
}

/// What a report's free text may not hold: anything that looks like a survivor's personal
/// data (`platform::personal_data`), each finding a field error on `field` quoting the words
/// to remove. The one check of a report's text, whether it is sent (`CreateReport::validate`,
/// on the narrative) or only kept as a draft (`drafts::rules::check`, on every field typed).
pub fn personal_data(field: &str, text: &str) -> Vec<crate::error::FieldError> {
    crate::platform::personal_data::field_errors(field, text)
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
/// People are counted once: a report's beneficiary cells are the people first assisted in
/// its period, so together with what the grant's other reports already count
/// (`counted_before`) they may not exceed everyone the grant has reached to date, as the
/// grantee states it. A final report that counts everyone again fails this; so does a
/// figure to date smaller than what earlier reports already count.
pub fn check_counted_once(new: i64, counted_before: i64, to_date: i64) -> Result<(), AppError> {
    if to_date < counted_before {
        return Err(AppError::field(
            "people_reached_to_date",
            format!(
                "is {to_date}, fewer than the {counted_before} people the grant's earlier reports already count as first assisted"
            ),
        ));
    }
    if counted_before + new > to_date {
        return Err(AppError::field(
            "beneficiaries",
            format!(
                "count {new} people first assisted in this period; with the {counted_before} the earlier reports count, that is more than the {to_date} people reached to date. Count only people assisted for the first time in this period: people already counted in an earlier report are not counted again"
            ),
        ));
    }
    Ok(())
}

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

/// A narrative is cleared once, and only while its report stands (submitted or accepted):
/// a returned report is replaced by its next version, which is cleared on its own.
pub fn check_clearable(status: ReportStatus, cleared: bool) -> Result<(), AppError> {
    if cleared {
        return Err(AppError::invalid_state(
            "this report's narrative is already cleared",
        ));
    }
    if status == ReportStatus::Returned {
        return Err(AppError::invalid_state(
            "a returned report is replaced by its next version; clear that one",
        ));
    }
    Ok(())
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

impl OutcomeCounts {
    /// Adds `n` people of one cell, counted for the year their report's period ends in, to
    /// the cells, `by_year` and `by_year_exploitation`. A cell or year added with 0 is
    /// listed with 0, as it is when summed from reports.
    pub fn add_cell(&mut self, year: i32, cell: CellKey, n: i64) {
        *self.by_year.entry(year).or_default() += n;
        *self
            .by_year_exploitation
            .entry((year, cell.2.clone()))
            .or_default() += n;
        *self.cells.entry(cell).or_default() += n;
    }

    /// Adds `n` people counted for `country` to `by_country` (listed even when 0).
    pub fn add_country(&mut self, country: &str, n: i64) {
        *self.by_country.entry(country.to_string()).or_default() += n;
    }
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
    /// Every year of `by_year` × every form of exploitation, zeros included.
    pub by_year_exploitation: Vec<YearExploitationFigure>,
}

/// One cell of the year × form of exploitation table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct YearExploitationFigure {
    pub year: i32,
    pub exploitation: String,
    pub count: Figure,
}

/// The outcomes as shown; with `suppress`, no number below 5 appears anywhere and no
/// hidden count can be worked out from a total (`suppress`, over the relations between the
/// total, each margin and the cells).
pub fn outcomes_view(
    fund_id: &str,
    from: NaiveDate,
    to: NaiveDate,
    counts: &OutcomeCounts,
    suppress: bool,
) -> OutcomesView {
    let figures = OutcomeTerms::of(counts);
    let hidden = if suppress {
        self::suppress(&figures.values, &figures.known, &figures.relations)
    } else {
        vec![false; figures.values.len()]
    };
    let fig = |i: usize| shown(figures.values[i], hidden[i]);
    let keyed = |keys: &[String], first: usize| {
        keys.iter()
            .enumerate()
            .map(|(k, key)| KeyedFigure {
                key: key.clone(),
                count: fig(first + k),
            })
            .collect::<Vec<_>>()
    };
    OutcomesView {
        fund_id: fund_id.to_string(),
        from,
        to,
        suppressed: suppress,
        reports: Figure::of(counts.reports, suppress),
        beneficiaries: fig(OutcomeTerms::TOTAL),
        by_sex: keyed(&figures.sexes, figures.sex),
        by_age_group: keyed(&figures.ages, figures.age),
        by_exploitation: keyed(&figures.forms, figures.form),
        cells: figures
            .cells
            .iter()
            .enumerate()
            .filter(|(k, _)| figures.values[figures.cell + k] > 0)
            .map(|(k, (sex, age, exp))| CellView {
                sex: sex.clone(),
                age_group: age.clone(),
                exploitation: exp.clone(),
                count: fig(figures.cell + k),
            })
            .collect(),
        services: crate::taxonomy::SERVICES
            .iter()
            .map(|s| KeyedFigure {
                key: s.to_string(),
                count: Figure::of(counts.services.get(*s).copied().unwrap_or(0), suppress),
            })
            .collect(),
        by_country: keyed(&figures.countries, figures.country),
        by_year: figures
            .years
            .iter()
            .enumerate()
            .map(|(k, year)| YearFigure {
                year: *year,
                count: fig(figures.year + k),
            })
            .collect(),
        by_year_exploitation: figures
            .years
            .iter()
            .flat_map(|year| figures.forms.iter().map(move |form| (*year, form)))
            .enumerate()
            .map(|(k, (year, form))| YearExploitationFigure {
                year,
                exploitation: form.clone(),
                count: fig(figures.year_form + k),
            })
            .collect(),
    }
}

/// The counts of an outcomes view laid out for `suppress`: the total, then by sex, age
/// group and form (every taxonomy value), every cell of the three, by country, by year and
/// every year × form, with the relations between them. Every view of outcomes, the donor's
/// and the public's alike, is suppressed over these same terms, so no two views hide a
/// count differently.
struct OutcomeTerms {
    values: Vec<i64>,
    known: Vec<bool>,
    relations: Vec<Relation>,
    sexes: Vec<String>,
    ages: Vec<String>,
    forms: Vec<String>,
    cells: Vec<CellKey>,
    countries: Vec<String>,
    years: Vec<i32>,
    sex: usize,
    age: usize,
    form: usize,
    cell: usize,
    country: usize,
    year: usize,
    year_form: usize,
}

impl OutcomeTerms {
    const TOTAL: usize = 0;

    fn of(counts: &OutcomeCounts) -> Self {
        let names = |all: &[&str]| all.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let sexes = names(&Sex::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        let ages = names(&AgeGroup::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        let forms = names(
            &Exploitation::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
        );
        let mut cells = Vec::new();
        for sex in &sexes {
            for age in &ages {
                for form in &forms {
                    cells.push((sex.clone(), age.clone(), form.clone()));
                }
            }
        }
        let cell_count = |key: &CellKey| counts.cells.get(key).copied().unwrap_or(0);
        let total: i64 = counts.cells.values().sum();
        let sum_where = |pick: &dyn Fn(&CellKey) -> bool| -> i64 {
            cells.iter().filter(|k| pick(k)).map(cell_count).sum()
        };
        let mut values = vec![total];
        let sex = values.len();
        values.extend(sexes.iter().map(|v| sum_where(&|k| &k.0 == v)));
        let age = values.len();
        values.extend(ages.iter().map(|v| sum_where(&|k| &k.1 == v)));
        let form = values.len();
        values.extend(forms.iter().map(|v| sum_where(&|k| &k.2 == v)));
        let cell = values.len();
        values.extend(cells.iter().map(cell_count));
        let country = values.len();
        values.extend(counts.by_country.values().copied());
        let year = values.len();
        values.extend(counts.by_year.values().copied());
        let year_form = values.len();
        for y in counts.by_year.keys() {
            for f in &forms {
                values.push(
                    counts
                        .by_year_exploitation
                        .get(&(*y, f.clone()))
                        .copied()
                        .unwrap_or(0),
                );
            }
        }
        // a cell left out of the list (zero) is known to be zero; the year × form table
        // lists its zeros, so they are hidden like any small count
        let known: Vec<bool> = (0..values.len())
            .map(|i| (cell..country).contains(&i) && values[i] == 0)
            .collect();
        let mut relations: Vec<Relation> = vec![
            (Self::TOTAL, (sex..age).collect()),
            (Self::TOTAL, (age..form).collect()),
            (Self::TOTAL, (form..cell).collect()),
            (Self::TOTAL, (country..year).collect()),
            (Self::TOTAL, (year..year_form).collect()),
        ];
        let width = forms.len();
        for k in 0..counts.by_year.len() {
            relations.push((
                year + k,
                (0..width).map(|j| year_form + k * width + j).collect(),
            ));
        }
        for j in 0..width {
            relations.push((
                form + j,
                (0..counts.by_year.len())
                    .map(|k| year_form + k * width + j)
                    .collect(),
            ));
        }
        let cells_where = |pick: &dyn Fn(&CellKey) -> bool| -> Vec<usize> {
            (0..cells.len())
                .filter(|k| pick(&cells[*k]))
                .map(|k| cell + k)
                .collect()
        };
        for (k, v) in sexes.iter().enumerate() {
            relations.push((sex + k, cells_where(&|c| &c.0 == v)));
        }
        for (k, v) in ages.iter().enumerate() {
            relations.push((age + k, cells_where(&|c| &c.1 == v)));
        }
        for (k, v) in forms.iter().enumerate() {
            relations.push((form + k, cells_where(&|c| &c.2 == v)));
        }
        OutcomeTerms {
            values,
            known,
            relations,
            countries: counts.by_country.keys().cloned().collect(),
            years: counts.by_year.keys().copied().collect(),
            sexes,
            ages,
            forms,
            cells,
            sex,
            age,
            form,
            cell,
            country,
            year,
            year_form,
        }
    }
}

/// A date window narrowed to the years a database can store and compare (1 to 9999), so
/// that an open end (`NaiveDate::MIN`/`MAX`) can be bound in a query.
pub fn storable_dates(from: NaiveDate, to: NaiveDate) -> (NaiveDate, NaiveDate) {
    let floor = NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN);
    let ceiling = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(NaiveDate::MAX);
    (from.clamp(floor, ceiling), to.clamp(floor, ceiling))
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

    #[test]
    fn people_are_counted_once_across_a_grants_reports() {
        // an interim report counted 25 new people; 40 reached to date
        assert!(check_counted_once(15, 25, 40).is_ok());
        assert!(check_counted_once(0, 25, 25).is_ok());
        // a final report that counts everyone again
        let err = check_counted_once(40, 25, 40).expect_err("recounted");
        assert_eq!(err.errors[0].field, "beneficiaries");
        assert!(err.detail.contains("first time") || err.errors[0].message.contains("first time"));
        // a figure to date below what is already counted
        let err = check_counted_once(0, 25, 20).expect_err("shrunk");
        assert_eq!(err.errors[0].field, "people_reached_to_date");
    }
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

    /// What a reader can work out with a pencil: any relation with one unknown term gives
    /// it, again and again (written apart from `determined`, to check it).
    fn worked_out(hidden: &[bool], known: &[bool], relations: &[Relation]) -> Vec<bool> {
        let mut seen: Vec<bool> = (0..hidden.len()).map(|i| !hidden[i] || known[i]).collect();
        let mut again = true;
        while again {
            again = false;
            for (total, parts) in relations {
                let terms: Vec<usize> = std::iter::once(*total)
                    .chain(parts.iter().copied())
                    .collect();
                let unknown: Vec<usize> = terms.iter().copied().filter(|t| !seen[*t]).collect();
                if unknown.len() == 1 {
                    seen[unknown[0]] = true;
                    again = true;
                }
            }
        }
        seen
    }

    proptest! {
        #[test]
        fn no_hidden_count_can_be_worked_out_from_the_ones_shown(
            reports in proptest::collection::vec(
                (0usize..4, 0usize..3, 0usize..9, 1i64..15, 0usize..3, 0usize..3), 0..25),
        ) {
            // counts that add up as real ones do: each report's people go to one country
            // and one year
            let mut counts = OutcomeCounts::default();
            for (s, a, e, n, c, y) in reports {
                *counts.cells.entry((
                    Sex::ALL[s].as_str().to_string(),
                    AgeGroup::ALL[a].as_str().to_string(),
                    Exploitation::ALL[e].as_str().to_string(),
                )).or_insert(0) += n;
                *counts.by_country.entry(["NG", "TH", "MD"][c].to_string()).or_insert(0) += n;
                *counts.by_year.entry(2024 + y as i32).or_insert(0) += n;
            }
            let terms = OutcomeTerms::of(&counts);
            let (hidden, fell_back) = suppress_traced(&terms.values, &terms.known, &terms.relations);
            prop_assert!(!fell_back);
            let seen = worked_out(&hidden, &terms.known, &terms.relations);
            for (i, value) in terms.values.iter().enumerate() {
                if !terms.known[i] && *value < SMALL_CELL {
                    prop_assert!(hidden[i], "term {i} ({value}) is small and shown");
                }
                if hidden[i] && *value != 0 {
                    prop_assert!(!seen[i], "term {i} ({value}) can be worked out");
                }
            }
            for (total, parts) in &terms.relations {
                let rest: i64 = parts.iter().filter(|p| !seen[**p]).map(|p| terms.values[*p]).sum();
                prop_assert!(!seen[*total] || rest == 0 || rest >= SMALL_CELL);
            }
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
