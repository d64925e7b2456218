//! Pure rules of the open-data exports: identifiers, IATI codes, percentage splits, yearly
//! budget periods and the small-cell suppression of published results.

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;

use crate::grants::model::GrantStatus;
use crate::organisations::model::OrgKind;
use crate::reports::rules::SMALL_CELL;

/// The DAC 5-digit sector every grant carries (vocabulary 1).
pub const DAC_SECTOR: &str = "15190";
/// The fund's own themes are published as sectors under this vocabulary ("reporting
/// organisation").
pub const OWN_SECTOR_VOCABULARY: &str = "99";
/// SDG targets on trafficking: 8.7 (forced labour, modern slavery), 5.2 (violence against
/// women and girls, trafficking), 16.2 (abuse, exploitation, trafficking of children).
pub const SDG_TARGETS: [&str; 3] = ["8.7", "5.2", "16.2"];
/// IATI TagVocabulary 3: SDG targets.
pub const SDG_TARGET_VOCABULARY: &str = "3";
/// The prefix of every 360Giving grant identifier.
pub const GIVING_PREFIX: &str = "360G-";

/// How every public output names a protected grantee.
pub const WITHHELD_RECIPIENT: &str = "Recipient withheld for its safety";

/// A protected grantee's grant as open data may show it. 360Giving's and IATI's guidance
/// for recipients at risk is to publish the grant without what identifies them: the name
/// and identifiers go, the recipient's id becomes one made from the grant (so the grants of
/// one protected organisation cannot be linked), and the title, summary and indicator
/// names, which an NGO writes freely and may name a town or a shelter, are replaced. The
/// country, themes, amounts, dates and counts stay: they are the fund's own figures.
pub fn withhold_protected(grant: &mut super::store::GrantRecord) {
    grant.grantee.name = WITHHELD_RECIPIENT.to_string();
    grant.grantee.identifier = None;
    grant.grantee.id = grant.id.clone();
    grant.title = format!(
        "Grant {} ({})",
        grant.reference,
        WITHHELD_RECIPIENT.to_lowercase()
    );
    grant.summary =
        "The project's description is withheld to protect the recipient's staff.".into();
    for result in &mut grant.results {
        result.indicators.clear();
    }
}

/// The fund's own activity (the parent, hierarchy 1): the organisation identifier and the
/// fund's code.
pub fn fund_activity_id(organisation_identifier: &str, fund_code: &str) -> String {
    format!("{organisation_identifier}-{fund_code}")
}

/// A grant's activity (a child, hierarchy 2): the organisation identifier and the grant's
/// reference, which never changes.
pub fn grant_activity_id(organisation_identifier: &str, grant_reference: &str) -> String {
    format!("{organisation_identifier}-{grant_reference}")
}

/// A grant's 360Giving identifier.
pub fn giving_grant_id(organisation_identifier: &str, grant_reference: &str) -> String {
    format!("{GIVING_PREFIX}{organisation_identifier}-{grant_reference}")
}

/// A grantee without an org-id identifier still needs a stable one in 360Giving: the
/// publisher's prefix and the organisation's own id.
pub fn giving_org_id(organisation_identifier: &str, org_id: &str) -> String {
    format!("{GIVING_PREFIX}{organisation_identifier}-ORG-{org_id}")
}

/// A theme's code as people read it: `protection.legal-aid` → "Protection: legal aid".
pub fn theme_title(code: &str) -> String {
    let words = |s: &str| s.replace('-', " ");
    match code.split_once('.') {
        Some((top, sub)) => format!("{}: {}", capitalised(top), words(sub)),
        None => capitalised(&words(code)),
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// IATI ActivityStatus of a grant.
pub fn activity_status(status: GrantStatus) -> &'static str {
    match status {
        GrantStatus::AwaitingSignature => "1", // pipeline/identification
        GrantStatus::Active => "2",            // implementation
        GrantStatus::Closed => "4",            // closed
        GrantStatus::Terminated => "5",        // cancelled: ended before its term
        GrantStatus::Suspended => "6",         // suspended
    }
}

/// IATI OrganisationType of an organisation.
pub fn organisation_type(kind: OrgKind) -> &'static str {
    match kind {
        OrgKind::Government => "10",
        OrgKind::Multilateral => "40",
        OrgKind::Ngo => "22",
        OrgKind::Foundation => "60",
        OrgKind::Company => "70",
        OrgKind::Individual | OrgKind::AssetRecovery => "90",
    }
}

/// `n` shares in percent with two decimals that sum to exactly 100: 10,000 hundredths
/// shared evenly by `money::allocate`, so the hundredths left over go to the first shares.
pub fn split_percentages(n: usize) -> Vec<Decimal> {
    crate::money::allocate(10_000, &vec![1; n])
        .unwrap_or_default()
        .into_iter()
        .map(|hundredths| Decimal::new(hundredths, 2).normalize())
        .collect()
}

/// One budget period of at most a year and what falls due in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetPeriod {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub amount_minor: i64,
}

/// The grant's budget cut into periods of at most one year from its start (IATI asks that
/// no budget period be longer than a year), each carrying the instalments due in it. An
/// instalment due before the start counts in the first period, one due after the end in
/// the last, so the periods always sum to the whole plan.
pub fn budget_periods(
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    instalments: &[(i64, NaiveDate)],
) -> Vec<BudgetPeriod> {
    let mut periods = Vec::new();
    let mut start = starts_on;
    while start <= ends_on {
        // A year from the period's own start, not from the grant's: a grant that starts on
        // 29 February would otherwise get a period of a year and a day (28 February 2035
        // to 28 February 2036), which IATI refuses.
        let next = start
            .checked_add_months(Months::new(12))
            .unwrap_or(NaiveDate::MAX);
        let end = next.pred_opt().unwrap_or(next).min(ends_on);
        periods.push(BudgetPeriod {
            start,
            end,
            amount_minor: 0,
        });
        if next <= start {
            break;
        }
        start = next;
    }
    if periods.is_empty() {
        periods.push(BudgetPeriod {
            start: starts_on,
            end: starts_on,
            amount_minor: 0,
        });
    }
    let last = periods.len() - 1;
    for (amount, due_on) in instalments {
        let index = periods
            .iter()
            .position(|p| *due_on <= p.end)
            .unwrap_or(last);
        periods[index].amount_minor += amount;
    }
    periods
}

/// A result value as published: values below 5 may count people and are withheld
/// (domain invariant 7); `None` means "shown as <5".
pub fn published_value(value: Decimal) -> Option<Decimal> {
    if value < Decimal::from(SMALL_CELL) {
        None
    } else {
        Some(value)
    }
}

/// The people a report assisted as IATI publishes them: the total and the totals by sex,
/// age group and form of exploitation, through the same suppression as every other view of
/// outcomes (`reports::rules::outcomes_view`, as a donor reads them). `None` is a count
/// hidden there (below 5, or withheld so that a small one cannot be worked out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeopleAssisted {
    pub total: Option<i64>,
    /// (dimension name, value, count) of every shown count by sex, age group and form.
    pub dimensions: Vec<(&'static str, String, i64)>,
}

pub fn people_assisted(
    cells: &[(crate::reports::rules::CellKey, i64)],
    period_end: NaiveDate,
) -> PeopleAssisted {
    use crate::reports::rules::{Figure, OutcomeCounts, outcomes_view, year_of};
    let mut counts = OutcomeCounts {
        reports: 1,
        ..Default::default()
    };
    for (cell, n) in cells {
        counts.add_cell(year_of(period_end), cell.clone(), *n);
    }
    let view = outcomes_view("", period_end, period_end, &counts, true);
    let exact = |f: &Figure| match f {
        Figure::Exact(n) => Some(*n),
        Figure::Hidden(_) => None,
    };
    let mut dimensions = Vec::new();
    for (name, figures) in [
        ("sex", &view.by_sex),
        ("age-group", &view.by_age_group),
        ("form-of-exploitation", &view.by_exploitation),
    ] {
        for f in figures {
            if let Some(n) = exact(&f.count) {
                dimensions.push((name, f.key.clone(), n));
            }
        }
    }
    PeopleAssisted {
        total: exact(&view.beneficiaries),
        dimensions,
    }
}

/// Whether a transaction may be published today: IATI refuses transactions in the future.
pub fn not_in_future(day: NaiveDate, today: NaiveDate) -> bool {
    day <= today
}

/// The duration in months of a grant that runs from `starts_on` to `ends_on`, for
/// 360Giving's `plannedDates[].duration`: a grant of N months ends N months after it
/// starts, on the same day of the month (`grants::rules::ends_on`), and lasts N months; a
/// part of a month left over counts as one more (at least 1).
pub fn duration_months(starts_on: NaiveDate, ends_on: NaiveDate) -> u32 {
    let months = (ends_on.year() - starts_on.year()) * 12 + ends_on.month() as i32
        - starts_on.month() as i32
        + i32::from(ends_on.day() > starts_on.day());
    months.max(1) as u32
}

/// The day a grant was awarded, the same in both open-data files: the day of its
/// commitment in the ledger (the board's decision, which IATI publishes as the commitment
/// transaction), or `recorded` when the ledger has none. Not the day the decision was
/// typed in.
pub fn award_date(
    entries: impl IntoIterator<Item = (crate::ledger::rules::EntryKind, i64, NaiveDate)>,
    recorded: NaiveDate,
) -> NaiveDate {
    entries
        .into_iter()
        .filter(|(kind, amount, _)| {
            *kind == crate::ledger::rules::EntryKind::Commitment && *amount > 0
        })
        .map(|(_, _, day)| day)
        .min()
        .unwrap_or(recorded)
}

/// Text as XML 1.0 allows it: characters the standard forbids (C0 controls other than tab
/// and line ends, U+FFFE and U+FFFF; a `str` holds no lone surrogate) are dropped, so that no stored
/// text can make the published file unreadable.
pub fn xml_text(text: &str) -> std::borrow::Cow<'_, str> {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
    };
    if text.chars().all(allowed) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(text.chars().filter(|c| allowed(*c)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_assisted_are_published_by_sex_age_and_form_through_the_one_suppression() {
        let cell = |sex: &str, age: &str, form: &str, n| {
            ((sex.to_string(), age.to_string(), form.to_string()), n)
        };
        let day = NaiveDate::from_ymd_opt(2026, 6, 30).expect("date");
        let people = people_assisted(
            &[
                cell("female", "adult", "sexual", 40),
                cell("female", "child", "sexual", 15),
                cell("male", "adult", "forced-labour", 25),
            ],
            day,
        );
        assert_eq!(people.total, Some(80));
        let shown = |name: &str, value: &str| {
            people
                .dimensions
                .iter()
                .find(|(n, v, _)| *n == name && v == value)
                .map(|d| d.2)
        };
        assert_eq!(shown("sex", "female"), Some(55));
        assert_eq!(shown("sex", "male"), Some(25));
        assert_eq!(shown("age-group", "adult"), Some(65));
        assert_eq!(shown("form-of-exploitation", "forced-labour"), Some(25));
        // zeros are hidden like any small count, and nothing below 5 is ever published
        assert_eq!(shown("sex", "other"), None);
        assert!(people.dimensions.iter().all(|d| d.2 >= 5));
        // a small cell hides itself and what would give it away
        let small = people_assisted(
            &[
                cell("female", "adult", "sexual", 12),
                cell("male", "child", "begging", 3),
            ],
            day,
        );
        assert_eq!(small.total, Some(15));
        assert!(small.dimensions.is_empty(), "{:?}", small.dimensions);
    }
    use proptest::prelude::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a valid test date")
    }

    #[test]
    fn identifiers_start_with_the_organisation_identifier() {
        assert_eq!(
            fund_activity_id("XM-DAC-41110", "UNVTF"),
            "XM-DAC-41110-UNVTF"
        );
        assert_eq!(
            grant_activity_id("XM-DAC-41110", "UNVTF-2026-00042"),
            "XM-DAC-41110-UNVTF-2026-00042"
        );
        assert_eq!(
            giving_grant_id("XM-DAC-41110", "UNVTF-2026-00042"),
            "360G-XM-DAC-41110-UNVTF-2026-00042"
        );
    }

    #[test]
    fn a_three_way_split_still_sums_to_one_hundred() {
        let shares = split_percentages(3);
        assert_eq!(
            shares,
            vec![
                Decimal::new(3334, 2),
                Decimal::new(3333, 2),
                Decimal::new(3333, 2)
            ]
        );
        assert!(split_percentages(0).is_empty());
        assert_eq!(split_percentages(1), vec![Decimal::from(100)]);
    }

    proptest! {
        #[test]
        fn percentages_always_sum_to_exactly_one_hundred(n in 1usize..500) {
            let shares = split_percentages(n);
            prop_assert_eq!(shares.len(), n);
            prop_assert_eq!(shares.iter().copied().sum::<Decimal>(), Decimal::from(100));
            prop_assert!(shares.iter().all(|s| *s > Decimal::ZERO));
        }

        #[test]
        fn budget_periods_sum_to_the_plan_and_last_at_most_a_year(
            start_offset in 0i64..3000,
            months in 1u32..60,
            dues in proptest::collection::vec((1i64..10_000_000, -400i64..2500), 0..6),
        ) {
            let starts_on = day(2024, 1, 1) + chrono::Duration::days(start_offset);
            let ends_on = starts_on
                .checked_add_months(Months::new(months))
                .expect("within chrono's range");
            let instalments: Vec<(i64, NaiveDate)> = dues
                .iter()
                .map(|(a, d)| (*a, starts_on + chrono::Duration::days(*d)))
                .collect();
            let periods = budget_periods(starts_on, ends_on, &instalments);
            let planned: i64 = instalments.iter().map(|(a, _)| a).sum();
            prop_assert_eq!(periods.iter().map(|p| p.amount_minor).sum::<i64>(), planned);
            prop_assert_eq!(periods[0].start, starts_on);
            prop_assert_eq!(periods.last().expect("at least one period").end, ends_on);
            for p in &periods {
                prop_assert!(p.start <= p.end);
                prop_assert!(p.end < p.start.checked_add_months(Months::new(12)).expect("within range"));
            }
            for w in periods.windows(2) {
                prop_assert_eq!(w[0].end.succ_opt().expect("a next day"), w[1].start);
            }
        }
    }

    #[test]
    fn themes_read_as_words() {
        assert_eq!(theme_title("protection.legal-aid"), "Protection: legal aid");
        assert_eq!(theme_title("prevention"), "Prevention");
    }

    #[test]
    fn small_result_values_are_withheld() {
        assert_eq!(published_value(Decimal::from(4)), None);
        assert_eq!(published_value(Decimal::ZERO), None);
        assert_eq!(published_value(Decimal::from(5)), Some(Decimal::from(5)));
    }

    #[test]
    fn durations_count_whole_months() {
        assert_eq!(duration_months(day(2026, 1, 1), day(2026, 12, 31)), 12);
        assert_eq!(duration_months(day(2026, 1, 15), day(2027, 1, 14)), 12);
        assert_eq!(duration_months(day(2026, 1, 15), day(2026, 1, 20)), 1);
        // a grant of N months, as `grants::rules::ends_on` dates its end, lasts N months
        for months in [1, 8, 12, 24] {
            for start in [day(2026, 1, 15), day(2026, 1, 31), day(2025, 3, 1)] {
                let end = crate::grants::rules::ends_on(start, months);
                assert_eq!(duration_months(start, end), months, "{start} + {months}");
            }
        }
    }

    #[test]
    fn forbidden_xml_characters_are_dropped() {
        assert_eq!(xml_text("a\u{0}b\u{1b}c\td"), "abc\td");
        assert!(matches!(
            xml_text("plain <&>"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_grant_is_awarded_on_the_day_of_its_commitment() {
        use crate::ledger::rules::EntryKind;
        let typed_in = day(2026, 3, 10);
        let entries = [
            (EntryKind::Disbursement, 500, day(2026, 3, 20)),
            (EntryKind::Commitment, -100, day(2026, 2, 1)),
            (EntryKind::Commitment, 1000, day(2026, 3, 2)),
        ];
        assert_eq!(award_date(entries, typed_in), day(2026, 3, 2));
        assert_eq!(award_date([], typed_in), typed_in);
    }
}
