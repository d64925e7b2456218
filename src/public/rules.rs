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
pub use crate::reports::rules::YearExploitationFigure;
use crate::reports::rules::{Figure, KeyedFigure, OutcomeCounts, YearFigure, outcomes_view};
#[cfg(test)]
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

/// Beneficiaries of accepted reports as the public reads them: the donor's suppressed view
/// of the fund's outcomes (`reports::rules::outcomes_view`, one suppression for every
/// view), every count below 5 (zero included) shown as `"<5"` and a larger one that would
/// let a small one be worked out from a total shown as `"withheld"`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicOutcomes {
    /// Always `true`: public figures are suppressed.
    pub suppressed: bool,
    /// Accepted reports counted.
    pub reports: Figure,
    pub beneficiaries: Figure,
    /// Every sex of the taxonomy, zeros included.
    pub by_sex: Vec<KeyedFigure>,
    /// Every age group of the taxonomy, zeros included.
    pub by_age_group: Vec<KeyedFigure>,
    /// By the year in which a report's period ends.
    pub by_year: Vec<YearFigure>,
    /// Every form of exploitation of the taxonomy, zeros included.
    pub by_exploitation: Vec<KeyedFigure>,
    /// Every year of `by_year` × every form of exploitation, zeros included.
    pub by_year_exploitation: Vec<YearExploitationFigure>,
}

/// The public outcomes: the parts of the suppressed outcomes view the fund publishes
/// (totals by sex, age group, form of exploitation and year, and the year × form table).
pub fn public_outcomes(fund_id: &str, counts: &OutcomeCounts) -> PublicOutcomes {
    let view = outcomes_view(fund_id, NaiveDate::MIN, NaiveDate::MAX, counts, true);
    PublicOutcomes {
        suppressed: true,
        reports: view.reports,
        beneficiaries: view.beneficiaries,
        by_sex: view.by_sex,
        by_age_group: view.by_age_group,
        by_year: view.by_year,
        by_exploitation: view.by_exploitation,
        by_year_exploitation: view.by_year_exploitation,
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

    fn hidden(f: &Figure) -> bool {
        matches!(f, Figure::Hidden(_))
    }

    fn value(f: &Figure) -> Option<i64> {
        match f {
            Figure::Exact(n) => Some(*n),
            Figure::Hidden(_) => None,
        }
    }

    proptest::proptest! {
        /// Over a random year × form of exploitation table (with the people in random sex
        /// and age cells), no count below 5 is shown and no shown total gives away a hidden
        /// part: a shown year, form or sex total never leaves hidden parts that are one
        /// count alone or add up to 1 to 4.
        #[test]
        fn no_shown_total_gives_away_a_small_count(
            table in proptest::collection::vec(proptest::collection::vec((0i64..30, 0usize..4), 3), 1..4)
        ) {
            let forms = ["sexual", "forced-labour", "begging"];
            let sexes = ["female", "male", "other", "unknown"];
            let mut counts = OutcomeCounts { reports: 9, ..Default::default() };
            for (y, row) in table.iter().enumerate() {
                for (f, (n, sex)) in row.iter().enumerate() {
                    let cell = (sexes[*sex].to_string(), "adult".to_string(), forms[f].to_string());
                    counts.add_cell(2020 + y as i32, cell, *n);
                }
            }
            let o = public_outcomes("f", &counts);
            let all = o.by_sex.iter().map(|k| &k.count)
                .chain(o.by_exploitation.iter().map(|k| &k.count))
                .chain(o.by_year.iter().map(|y| &y.count))
                .chain(o.by_year_exploitation.iter().map(|c| &c.count));
            for f in all {
                proptest::prop_assert!(value(f).is_none_or(|n| n >= 5), "{f:?}");
            }
            let leak = |total: &Figure, parts: Vec<(&Figure, i64)>| {
                let hidden_parts: Vec<i64> = parts.iter().filter(|(f, _)| hidden(f)).map(|(_, v)| *v).collect();
                let sum: i64 = hidden_parts.iter().sum();
                !hidden(total) && sum > 0 && (sum < 5 || hidden_parts.len() == 1)
            };
            let cell = |year: i32, form: &str| {
                o.by_year_exploitation.iter().find(|c| c.year == year && c.exploitation == form).expect("cell")
            };
            // a year's parts are every form of the taxonomy (those not drawn are zeros)
            let people = |y: usize, form: &str| forms.iter().position(|f| *f == form).map_or(0, |f| table[y][f].0);
            for (y, year) in o.by_year.iter().enumerate() {
                let parts = Exploitation::ALL.iter().map(|e| (&cell(year.year, e.as_str()).count, people(y, e.as_str()))).collect();
                proptest::prop_assert!(!leak(&year.count, parts));
            }
            for (f, form) in forms.iter().enumerate() {
                let total = &o.by_exploitation.iter().find(|k| k.key == *form).expect("form").count;
                let parts = o.by_year.iter().enumerate().map(|(y, year)| (&cell(year.year, form).count, table[y][f].0)).collect();
                proptest::prop_assert!(!leak(total, parts));
            }
            let by_sex: Vec<(&Figure, i64)> = o.by_sex.iter().map(|k| {
                let n = counts.cells.iter().filter(|(c, _)| c.0 == k.key).map(|(_, n)| *n).sum();
                (&k.count, n)
            }).collect();
            proptest::prop_assert!(!leak(&o.beneficiaries, by_sex));
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
