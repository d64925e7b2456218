//! Pure decisions of the public fund figures: which fund a path names, how donors are
//! listed (anonymous ones merged into one line), how grants are grouped, how outcomes are
//! shown (always suppressed: domain invariant 7) and how money moves per quarter.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::grants::model::GrantStatus;
use crate::ledger::model::FundStatusView;
use crate::money::{Currency, Money};
#[cfg(test)]
use crate::reports::rules::WITHHELD;
use crate::reports::rules::{
    Figure, KeyedFigure, OutcomeCounts, Relation, YearFigure, outcomes_view, shown, suppress,
};
use crate::taxonomy::Exploitation;

/// The name of the one line that stands for every donor listed anonymously.
pub const ANONYMOUS_DONORS: &str = "Anonymous donors";
/// Beyond this many quarters between the first and the last movement, empty quarters are
/// left out instead of drawn as gaps (a typing error in a date must not make a chart of
/// thousands of bars).
pub const MAX_FILLED_PERIODS: usize = 200;

/// How a path names a fund: its id (a UUID) or its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FundKey {
    Id(String),
    Code(String),
}

/// A UUID names a fund by id; 2 to 20 letters, digits and dashes by code (upper-cased, as
/// codes are stored). Anything else names no fund.
pub fn fund_key(raw: &str) -> Option<FundKey> {
    if let Ok(id) = Uuid::parse_str(raw) {
        return Some(FundKey::Id(id.to_string()));
    }
    let code_shaped =
        (2..=20).contains(&raw.len()) && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    code_shaped.then(|| FundKey::Code(raw.to_ascii_uppercase()))
}

fn amount(minor: i64, base: Currency) -> String {
    Money::from_minor(minor, base).amount_string()
}

/// The fund as the public sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicFundRef {
    pub id: String,
    pub code: String,
    pub name: String,
    #[schema(value_type = String, example = "USD")]
    pub base_currency: Currency,
}

/// The fund's money in its base currency, copied from the ledger's fund status (the same
/// computation as `GET /funds/{id}/status`), as decimal strings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTotals {
    pub pledged: String,
    pub received: String,
    pub committed: String,
    pub disbursed: String,
    pub available: String,
    /// Currencies with outstanding pledges but no rate today: left out of `pledged`.
    #[schema(value_type = Vec<String>)]
    pub unvalued_currencies: Vec<Currency>,
}

impl PublicTotals {
    pub fn from_status(status: &FundStatusView) -> Self {
        PublicTotals {
            pledged: status.pledged.clone(),
            received: status.received.clone(),
            committed: status.committed.clone(),
            disbursed: status.disbursed.clone(),
            available: status.available.clone(),
            unvalued_currencies: status.unvalued_currencies.clone(),
        }
    }
}

/// What one donor gave a fund, in base currency minor units, as read from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DonorReceipts {
    pub id: String,
    pub name: String,
    pub listed_anonymously: bool,
    pub received: i64,
}

/// One line of the donor list: a named donor, or every anonymous donor merged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DonorLine {
    /// The organisation's id; absent on the anonymous line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    pub anonymous: bool,
    /// How many donors the anonymous line stands for; absent on named lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub donors: Option<i64>,
    /// Received, in the fund's base currency.
    pub received: String,
}

/// Donors with what they gave (non-zero only), largest first (then by name). Every donor
/// listed anonymously is merged into one line, so neither its name nor its id appears.
pub fn donor_lines(donors: &[DonorReceipts], base: Currency) -> Vec<DonorLine> {
    let mut named: Vec<(i64, Option<String>, String, Option<i64>)> = Vec::new();
    let (mut anonymous_count, mut anonymous_sum) = (0i64, 0i64);
    for d in donors.iter().filter(|d| d.received != 0) {
        if d.listed_anonymously {
            anonymous_count += 1;
            anonymous_sum += d.received;
        } else {
            named.push((d.received, Some(d.id.clone()), d.name.clone(), None));
        }
    }
    if anonymous_count > 0 {
        named.push((
            anonymous_sum,
            None,
            ANONYMOUS_DONORS.to_string(),
            Some(anonymous_count),
        ));
    }
    named.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.2.cmp(&b.2)));
    named
        .into_iter()
        .map(|(received, id, name, donors)| DonorLine {
            anonymous: donors.is_some(),
            id,
            name,
            donors,
            received: amount(received, base),
        })
        .collect()
}

/// One grant as the grouping needs it: its base amount, status, and the first country and
/// first theme of its application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantFacts {
    pub base_amount: i64,
    pub status: GrantStatus,
    pub country: Option<String>,
    pub theme: Option<String>,
}

/// Grants of one group: how many and the amount awarded (base currency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct GrantGroup {
    pub key: String,
    pub count: i64,
    pub awarded: String,
}

/// The fund's grants. Every grant the board approved counts, signed or not
/// (`awaiting_signature`, `active`, `suspended`, `closed`, `terminated`): the ledger commits
/// the money at approval. `awarded` is the approved amount in base currency at the rate of
/// the decision. Each grant counts once, under its application's first country and first
/// theme, so every grouping sums to the totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PublicGrants {
    pub count: i64,
    pub awarded: String,
    pub by_status: Vec<GrantGroup>,
    pub by_country: Vec<GrantGroup>,
    pub by_theme: Vec<GrantGroup>,
}

const UNKNOWN: &str = "unknown";

fn groups(
    grants: &[GrantFacts],
    key_of: impl Fn(&GrantFacts) -> String,
    base: Currency,
) -> Vec<GrantGroup> {
    let mut sums: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for g in grants {
        let entry = sums.entry(key_of(g)).or_default();
        entry.0 += 1;
        entry.1 += g.base_amount;
    }
    let mut list: Vec<(String, (i64, i64))> = sums.into_iter().collect();
    // largest amount first, then the key, so the order is stable
    list.sort_by(|a, b| b.1.1.cmp(&a.1.1).then_with(|| a.0.cmp(&b.0)));
    list.into_iter()
        .map(|(key, (count, sum))| GrantGroup {
            key,
            count,
            awarded: amount(sum, base),
        })
        .collect()
}

pub fn grant_groups(grants: &[GrantFacts], base: Currency) -> PublicGrants {
    PublicGrants {
        count: i64::try_from(grants.len()).unwrap_or(i64::MAX),
        awarded: amount(grants.iter().map(|g| g.base_amount).sum(), base),
        by_status: groups(grants, |g| g.status.as_str().to_string(), base),
        by_country: groups(
            grants,
            |g| g.country.clone().unwrap_or_else(|| UNKNOWN.into()),
            base,
        ),
        by_theme: groups(
            grants,
            |g| g.theme.clone().unwrap_or_else(|| UNKNOWN.into()),
            base,
        ),
    }
}

/// One cell of the year × form of exploitation table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct YearExploitationFigure {
    pub year: i32,
    pub exploitation: String,
    pub count: Figure,
}

/// Beneficiaries of accepted reports, every count below 5 (zero included) shown as `"<5"`,
/// and a larger one that would let a small one be worked out from a total as
/// `"withheld"` (see `suppress_table`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicOutcomes {
    /// Always `true`: public figures are suppressed.
    pub suppressed: bool,
    /// Accepted reports counted.
    pub reports: Figure,
    pub beneficiaries: Figure,
    /// By the year in which a report's period ends.
    pub by_year: Vec<YearFigure>,
    /// Every form of exploitation of the taxonomy, zeros included.
    pub by_exploitation: Vec<KeyedFigure>,
    /// Every year of `by_year` × every form of exploitation, zeros included.
    pub by_year_exploitation: Vec<YearExploitationFigure>,
}

/// The public outcomes: the suppressed view of `reports::rules::outcomes_view` (one
/// definition of the small cell) for the report count, and the year × exploitation table
/// with its margins (by year, by form of exploitation, the total) under
/// `suppress_table`, so that no hidden count can be worked out from the ones shown.
pub fn public_outcomes(fund_id: &str, counts: &OutcomeCounts) -> PublicOutcomes {
    let view = outcomes_view(fund_id, NaiveDate::MIN, NaiveDate::MAX, counts, true);
    let years: Vec<i32> = counts.by_year.keys().copied().collect();
    let table: Vec<Vec<i64>> = years
        .iter()
        .map(|year| {
            Exploitation::ALL
                .iter()
                .map(|e| {
                    counts
                        .by_year_exploitation
                        .get(&(*year, e.as_str().to_string()))
                        .copied()
                        .unwrap_or(0)
                })
                .collect()
        })
        .collect();
    let plan = suppress_table(&table, Exploitation::ALL.len());
    let by_year_exploitation = years
        .iter()
        .enumerate()
        .flat_map(|(i, year)| {
            let (table, plan) = (&table, &plan);
            Exploitation::ALL
                .iter()
                .enumerate()
                .map(move |(j, e)| YearExploitationFigure {
                    year: *year,
                    exploitation: e.as_str().to_string(),
                    count: shown(table[i][j], plan.cells[i][j]),
                })
        })
        .collect();
    PublicOutcomes {
        suppressed: true,
        reports: view.reports,
        beneficiaries: shown(plan.values.total, plan.total),
        by_year: years
            .iter()
            .enumerate()
            .map(|(i, year)| YearFigure {
                year: *year,
                count: shown(plan.values.rows[i], plan.rows[i]),
            })
            .collect(),
        by_exploitation: Exploitation::ALL
            .iter()
            .enumerate()
            .map(|(j, e)| KeyedFigure {
                key: e.as_str().to_string(),
                count: shown(plan.values.columns[j], plan.columns[j]),
            })
            .collect(),
        by_year_exploitation,
    }
}

/// The margins of a table of counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Margins {
    pub rows: Vec<i64>,
    pub columns: Vec<i64>,
    pub total: i64,
}

/// Which counts of a table and its margins are hidden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub values: Margins,
    pub cells: Vec<Vec<bool>>,
    pub rows: Vec<bool>,
    pub columns: Vec<bool>,
    pub total: bool,
}

/// Small-cell suppression of a table with its row, column and grand totals:
/// `reports::rules::suppress` over the relations row = Σ cells, column = Σ cells, total =
/// Σ rows = Σ columns. `cells` has `columns` counts in every row; there may be no row.
pub fn suppress_table(cells: &[Vec<i64>], columns: usize) -> Suppression {
    let rows = cells.len();
    debug_assert!(cells.iter().all(|r| r.len() == columns));
    let row_sums: Vec<i64> = cells.iter().map(|r| r.iter().sum()).collect();
    let column_sums: Vec<i64> = (0..columns)
        .map(|j| cells.iter().map(|r| r[j]).sum())
        .collect();
    let total: i64 = row_sums.iter().sum();
    // terms: the cells row by row, then the rows, the columns and the total
    let cell = |i: usize, j: usize| i * columns + j;
    let row = |i: usize| rows * columns + i;
    let column = |j: usize| rows * columns + rows + j;
    let grand = rows * columns + rows + columns;
    let mut values: Vec<i64> = cells.iter().flatten().copied().collect();
    values.extend(&row_sums);
    values.extend(&column_sums);
    values.push(total);
    let mut relations: Vec<Relation> = Vec::new();
    for i in 0..rows {
        relations.push((row(i), (0..columns).map(|j| cell(i, j)).collect()));
    }
    for j in 0..columns {
        relations.push((column(j), (0..rows).map(|i| cell(i, j)).collect()));
    }
    relations.push((grand, (0..rows).map(row).collect()));
    relations.push((grand, (0..columns).map(column).collect()));
    let hidden = suppress(&values, &vec![false; values.len()], &relations);
    Suppression {
        cells: (0..rows)
            .map(|i| (0..columns).map(|j| hidden[cell(i, j)]).collect())
            .collect(),
        rows: (0..rows).map(|i| hidden[row(i)]).collect(),
        columns: (0..columns).map(|j| hidden[column(j)]).collect(),
        total: hidden[grand],
        values: Margins {
            rows: row_sums,
            columns: column_sums,
            total,
        },
    }
}

/// Money that moved in one month, in base currency minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFlow {
    pub year: i32,
    pub month: u32,
    pub received: i64,
    pub disbursed: i64,
}

/// Money in and out in one quarter, base currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PeriodFlow {
    /// `YYYY-Qn`.
    #[schema(example = "2026-Q1")]
    pub period: String,
    pub received: String,
    pub disbursed: String,
}

/// Money received and disbursed per quarter (by value date), oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MoneyOverTime {
    /// Always `quarter`.
    pub period: String,
    pub items: Vec<PeriodFlow>,
}

fn quarter_index(year: i32, month: u32) -> i64 {
    i64::from(year) * 4 + i64::from(month.clamp(1, 12) - 1) / 3
}

/// Months summed into quarters. Quarters between the first and the last are shown even
/// when nothing moved (a chart's time axis has no holes), unless that would make more than
/// `MAX_FILLED_PERIODS` of them.
pub fn quarterly(months: &[MonthFlow], base: Currency) -> MoneyOverTime {
    let mut sums: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for m in months {
        let q = sums.entry(quarter_index(m.year, m.month)).or_default();
        q.0 += m.received;
        q.1 += m.disbursed;
    }
    if let (Some(first), Some(last)) = (
        sums.keys().next().copied(),
        sums.keys().next_back().copied(),
    ) && usize::try_from(last - first).is_ok_and(|span| span < MAX_FILLED_PERIODS)
    {
        for q in first..=last {
            sums.entry(q).or_default();
        }
    }
    MoneyOverTime {
        period: "quarter".to_string(),
        items: sums
            .into_iter()
            .map(|(q, (received, disbursed))| PeriodFlow {
                period: format!("{}-Q{}", q.div_euclid(4), q.rem_euclid(4) + 1),
                received: amount(received, base),
                disbursed: amount(disbursed, base),
            })
            .collect(),
    }
}

/// Everything the public may know about a fund: `GET /api/v1/public/funds/{id}` and the
/// page `GET /funds/{code}` both show this.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicFundView {
    pub fund: PublicFundRef,
    /// The day outstanding pledges were valued.
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub totals: PublicTotals,
    /// Largest first; anonymous donors merged into one line.
    pub donors: Vec<DonorLine>,
    pub grants: PublicGrants,
    pub outcomes: PublicOutcomes,
    pub money_over_time: MoneyOverTime,
}

/// What the view is made of, as read in one snapshot.
pub struct PublicFundParts<'a> {
    pub fund: PublicFundRef,
    pub status: &'a FundStatusView,
    pub donors: &'a [DonorReceipts],
    pub grants: &'a [GrantFacts],
    pub outcomes: &'a OutcomeCounts,
    pub months: &'a [MonthFlow],
}

pub fn public_view(parts: PublicFundParts<'_>) -> PublicFundView {
    let base = parts.fund.base_currency;
    PublicFundView {
        as_of: parts.status.as_of,
        totals: PublicTotals::from_status(parts.status),
        donors: donor_lines(parts.donors, base),
        grants: grant_groups(parts.grants, base),
        outcomes: public_outcomes(&parts.fund.id, parts.outcomes),
        money_over_time: quarterly(parts.months, base),
        fund: parts.fund,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn donor(id: &str, anonymous: bool, received: i64) -> DonorReceipts {
        DonorReceipts {
            id: id.into(),
            name: format!("name of {id}"),
            listed_anonymously: anonymous,
            received,
        }
    }

    #[test]
    fn a_path_names_a_fund_by_id_or_by_code() {
        let id = "0190b6a4-0000-7000-8000-000000000001";
        assert_eq!(fund_key(id), Some(FundKey::Id(id.into())));
        assert_eq!(fund_key("unvtf"), Some(FundKey::Code("UNVTF".into())));
        assert_eq!(fund_key("UN-VTF-2"), Some(FundKey::Code("UN-VTF-2".into())));
        assert_eq!(fund_key("U"), None);
        assert_eq!(fund_key("<script>"), None);
        assert_eq!(fund_key(&"A".repeat(21)), None);
        assert_eq!(fund_key(""), None);
    }

    #[test]
    fn anonymous_donors_are_merged_and_named_ones_sorted_largest_first() {
        let lines = donor_lines(
            &[
                donor("a", false, 10_000),
                donor("b", true, 30_000),
                donor("c", false, 50_000),
                donor("d", true, 5_000),
                donor("e", false, 0),
                donor("f", true, 0),
            ],
            Currency::USD,
        );
        let summary: Vec<(Option<&str>, &str, Option<i64>, &str)> = lines
            .iter()
            .map(|l| {
                (
                    l.id.as_deref(),
                    l.name.as_str(),
                    l.donors,
                    l.received.as_str(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (Some("c"), "name of c", None, "500.00"),
                (None, ANONYMOUS_DONORS, Some(2), "350.00"),
                (Some("a"), "name of a", None, "100.00"),
            ]
        );
        let json = serde_json::to_string(&lines).expect("json");
        assert!(!json.contains("name of b") && !json.contains("\"b\""));
        assert!(!json.contains("name of d") && !json.contains("\"d\""));
        assert!(json.contains(r#""anonymous":true,"donors":2"#), "{json}");
    }

    #[test]
    fn no_anonymous_line_without_anonymous_money() {
        let lines = donor_lines(&[donor("a", false, 1), donor("b", true, 0)], Currency::USD);
        assert_eq!(lines.len(), 1);
        assert!(!lines[0].anonymous);
        assert!(donor_lines(&[], Currency::USD).is_empty());
    }

    fn grant(amount: i64, status: GrantStatus, country: Option<&str>, theme: &str) -> GrantFacts {
        GrantFacts {
            base_amount: amount,
            status,
            country: country.map(str::to_string),
            theme: Some(theme.into()),
        }
    }

    #[test]
    fn grants_are_grouped_once_each_and_the_groups_sum_to_the_total() {
        let grants = [
            grant(
                1_000_000,
                GrantStatus::Active,
                Some("NG"),
                "protection.shelter",
            ),
            grant(
                500_000,
                GrantStatus::AwaitingSignature,
                Some("TH"),
                "prevention",
            ),
            grant(
                250_000,
                GrantStatus::Terminated,
                Some("NG"),
                "protection.shelter",
            ),
            grant(100_000, GrantStatus::Closed, None, "prevention"),
        ];
        let g = grant_groups(&grants, Currency::USD);
        assert_eq!(g.count, 4);
        assert_eq!(g.awarded, "18500.00");
        let by_country: Vec<(&str, i64, &str)> = g
            .by_country
            .iter()
            .map(|x| (x.key.as_str(), x.count, x.awarded.as_str()))
            .collect();
        assert_eq!(
            by_country,
            vec![
                ("NG", 2, "12500.00"),
                ("TH", 1, "5000.00"),
                ("unknown", 1, "1000.00")
            ]
        );
        assert_eq!(g.by_theme[0].key, "protection.shelter");
        assert_eq!(g.by_theme[1].awarded, "6000.00");
        assert_eq!(
            g.by_status.iter().map(|s| s.count).sum::<i64>(),
            4,
            "unsigned grants count"
        );
        let empty = grant_groups(&[], Currency::USD);
        assert_eq!((empty.count, empty.awarded.as_str()), (0, "0.00"));
        assert!(empty.by_country.is_empty());
    }

    #[test]
    fn a_lone_hidden_count_is_protected_by_hiding_another() {
        // 2026: 28 sexual, 3 begging, 9 labour; the row total 40 would give away the 3
        let cells = vec![vec![12, 0, 30], vec![28, 3, 9]];
        let plan = suppress_table(&cells, 3);
        assert!(plan.cells[1][1], "the small count itself");
        assert!(plan.cells[1][2], "the smallest count shown beside it");
        assert!(!plan.cells[1][0]);
        assert_eq!(plan.values.rows, vec![42, 40]);
        assert_eq!(plan.values.columns, vec![40, 3, 39]);
        // the column of the 3 adds up to 3: its total is hidden too
        assert!(plan.columns[1]);
        // and the 9 is not left alone in its column: the 30 above it goes too
        assert!(plan.cells[0][2]);
    }

    #[test]
    fn a_table_without_rows_still_has_its_columns() {
        let plan = suppress_table(&[], 3);
        assert_eq!(plan.values.columns, vec![0, 0, 0]);
        assert_eq!(plan.columns, vec![true, true, true], "zero is hidden too");
        assert!(plan.total);
    }

    #[test]
    fn one_year_alone_hides_the_column_total_of_a_withheld_cell() {
        // one year: each column total equals its only cell, so withholding the 7 in the
        // row also withholds the 7 as a column total
        let cells = vec![vec![12, 7, 3, 0]];
        let plan = suppress_table(&cells, 4);
        assert_eq!(plan.cells[0], vec![false, true, true, true]);
        assert_eq!(plan.columns, vec![false, true, true, true]);
        assert!(!plan.rows[0] && !plan.total);
    }

    proptest::proptest! {
        #[test]
        fn no_shown_total_gives_away_a_small_count(
            cells in proptest::collection::vec(proptest::collection::vec(0i64..40, 1..6), 1..5)
        ) {
            let width = cells[0].len();
            let cells: Vec<Vec<i64>> = cells
                .into_iter()
                .map(|mut r| { r.resize(width, 0); r })
                .collect();
            let plan = suppress_table(&cells, width);
            let rows = cells.len();
            // every count below 5 is hidden
            for (row, hidden) in cells.iter().zip(&plan.cells) {
                for (n, h) in row.iter().zip(hidden) {
                    if *n < 5 { proptest::prop_assert!(*h); }
                }
            }
            let leak = |total_hidden: bool, parts: Vec<(bool, i64)>| {
                let hidden: Vec<i64> = parts.iter().filter(|(h, _)| *h).map(|(_, v)| *v).collect();
                let sum: i64 = hidden.iter().sum();
                !total_hidden && sum > 0 && (sum < 5 || hidden.len() == 1)
            };
            for ((row, hidden), row_hidden) in cells.iter().zip(&plan.cells).zip(&plan.rows) {
                let parts = hidden.iter().copied().zip(row.iter().copied()).collect();
                proptest::prop_assert!(!leak(*row_hidden, parts));
            }
            for (j, column_hidden) in plan.columns.iter().enumerate() {
                let parts = (0..rows).map(|i| (plan.cells[i][j], cells[i][j])).collect();
                proptest::prop_assert!(!leak(*column_hidden, parts));
            }
            let rows_part = (0..rows).map(|i| (plan.rows[i], plan.values.rows[i])).collect();
            proptest::prop_assert!(!leak(plan.total, rows_part));
            let columns_part = (0..width).map(|j| (plan.columns[j], plan.values.columns[j])).collect();
            proptest::prop_assert!(!leak(plan.total, columns_part));
        }
    }

    #[test]
    fn outcomes_cross_year_and_exploitation_and_hide_small_cells() {
        let mut counts = OutcomeCounts {
            reports: 7,
            ..Default::default()
        };
        counts
            .cells
            .insert(("female".into(), "adult".into(), "sexual".into()), 40);
        counts
            .cells
            .insert(("male".into(), "child".into(), "begging".into()), 3);
        counts.by_year.insert(2025, 12);
        counts.by_year.insert(2026, 31);
        counts
            .by_year_exploitation
            .insert((2025, "sexual".into()), 12);
        counts
            .by_year_exploitation
            .insert((2026, "sexual".into()), 28);
        counts
            .by_year_exploitation
            .insert((2026, "begging".into()), 3);
        let o = public_outcomes("f", &counts);
        assert!(o.suppressed);
        assert_eq!(o.beneficiaries, Figure::Exact(43));
        assert_eq!(o.reports, Figure::Exact(7));
        assert_eq!(o.by_year_exploitation.len(), 2 * Exploitation::ALL.len());
        let cell = |y: i32, e: &str| {
            o.by_year_exploitation
                .iter()
                .find(|c| c.year == y && c.exploitation == e)
                .map(|c| c.count.clone())
                .expect("cell")
        };
        // 2026: 28 + 3 = 31 would give the 3 away: the 28 is withheld as well
        assert_eq!(cell(2026, "sexual"), Figure::Hidden(WITHHELD.into()));
        // and then the 12 of 2025, or the column total 40 would give the 28 back
        assert_eq!(cell(2025, "sexual"), Figure::Hidden(WITHHELD.into()));
        assert_eq!(cell(2026, "begging"), Figure::Hidden("<5".into()));
        assert_eq!(cell(2025, "begging"), Figure::Hidden("<5".into()));
        let begging = o
            .by_exploitation
            .iter()
            .find(|k| k.key == "begging")
            .expect("begging");
        assert_eq!(begging.count, Figure::Hidden("<5".into()));
    }

    #[test]
    fn quarters_sum_months_and_fill_the_gaps_between() {
        let m = |year, month, received, disbursed| MonthFlow {
            year,
            month,
            received,
            disbursed,
        };
        let t = quarterly(
            &[
                m(2025, 11, 10_000, 0),
                m(2025, 12, 5_000, 0),
                m(2026, 7, 0, 3_000),
                m(2026, 9, 100, 200),
            ],
            Currency::USD,
        );
        let items: Vec<(&str, &str, &str)> = t
            .items
            .iter()
            .map(|p| (p.period.as_str(), p.received.as_str(), p.disbursed.as_str()))
            .collect();
        assert_eq!(
            items,
            vec![
                ("2025-Q4", "150.00", "0.00"),
                ("2026-Q1", "0.00", "0.00"),
                ("2026-Q2", "0.00", "0.00"),
                ("2026-Q3", "1.00", "32.00"),
            ]
        );
        assert!(quarterly(&[], Currency::USD).items.is_empty());
        // a far-off date does not make thousands of empty quarters
        let far = quarterly(&[m(1900, 1, 1, 0), m(2026, 1, 1, 0)], Currency::USD);
        assert_eq!(far.items.len(), 2);
    }

    proptest! {
        #[test]
        fn donor_lines_keep_every_cent_and_never_name_an_anonymous_donor(
            donors in proptest::collection::vec((any::<bool>(), -1_000i64..1_000_000), 0..20)
        ) {
            let donors: Vec<DonorReceipts> = donors
                .iter()
                .enumerate()
                .map(|(i, (anonymous, received))| donor(&format!("donor-{i:02}"), *anonymous, *received))
                .collect();
            let lines = donor_lines(&donors, Currency::USD);
            let sum: rust_decimal::Decimal = lines
                .iter()
                .map(|l| l.received.parse::<rust_decimal::Decimal>().expect("decimal"))
                .sum();
            let expected: i64 = donors.iter().map(|d| d.received).sum();
            prop_assert_eq!(sum, Money::from_minor(expected, Currency::USD).amount());
            let json = serde_json::to_string(&lines).expect("json");
            for d in donors.iter().filter(|d| d.listed_anonymously) {
                let quoted_id = format!("\"{}\"", d.id);
                prop_assert!(!json.contains(&quoted_id));
                prop_assert!(!json.contains(&d.name));
            }
            prop_assert!(lines.iter().filter(|l| l.anonymous).count() <= 1);
        }
    }
}
