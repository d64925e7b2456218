//! Pure decisions of the registry: who sees which project, how the who-does-what-where
//! matrix adds up, which cells are gaps.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::fnv::FastMap;
use super::model::{CellOrganisation, GapCell, MatrixAxis, MatrixCell, MoneyAmount};
use crate::money::Currency;
use crate::taxonomy;

/// Which projects a reader may see: the public sees published ones, members of an
/// organisation also their organisation's unpublished ones, admins everything.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Public,
    Members(Vec<String>),
    All,
}

impl Scope {
    pub fn sees(&self, published: bool, reporting_org_id: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Public => published,
            Scope::Members(orgs) => published || orgs.iter().any(|o| o == reporting_org_id),
        }
    }

    /// A short stable name for cache keys.
    pub fn key(&self) -> String {
        match self {
            Scope::Public => "public".into(),
            Scope::All => "all".into(),
            Scope::Members(orgs) => format!("members:{}", orgs.join(",")),
        }
    }
}

/// Whether a project with these dates runs on `day`; a missing start or end is open.
pub fn runs_on(start: Option<NaiveDate>, end: Option<NaiveDate>, day: NaiveDate) -> bool {
    start.is_none_or(|s| s <= day) && end.is_none_or(|e| e >= day)
}

/// What the matrix needs of one project. `K` names countries, themes, organisations and
/// statuses (strings in tests, interned numbers in the index); each slice holds distinct
/// values.
#[derive(Debug, Clone)]
pub struct MatrixInput<'a, K> {
    pub countries: &'a [K],
    /// Themes as given.
    pub themes: &'a [K],
    /// The four P those themes belong to.
    pub top_themes: &'a [K],
    pub org_ids: &'a [K],
    pub status: K,
    pub budget_minor: Option<i64>,
    pub currency: Option<&'a str>,
    pub start_on: Option<NaiveDate>,
}

fn axis_values<'b, K>(input: &'b MatrixInput<'_, K>, axis: MatrixAxis) -> &'b [K] {
    match axis {
        MatrixAxis::Country => input.countries,
        MatrixAxis::SubTheme => input.themes,
        MatrixAxis::Theme => input.top_themes,
        MatrixAxis::Organisation => input.org_ids,
        MatrixAxis::Status => std::slice::from_ref(&input.status),
    }
}

#[derive(Debug)]
struct CellSums<'a, K> {
    projects: i64,
    organisations: FastMap<K, i64>,
    by_currency: BTreeMap<&'a str, i128>,
    usd_minor: i128,
    unconverted: i64,
}

impl<K> Default for CellSums<'_, K> {
    fn default() -> Self {
        CellSums {
            projects: 0,
            organisations: FastMap::default(),
            by_currency: BTreeMap::new(),
            usd_minor: 0,
            unconverted: 0,
        }
    }
}

/// Converts a budget (minor units of `currency`, dated by the project's start) to USD
/// minor units, or says it cannot.
pub type ToUsd<'a> = dyn Fn(&str, i64, Option<NaiveDate>) -> Option<i64> + 'a;

/// Budgets already in USD convert as they are; others need a rate.
pub fn usd_only(currency: &str, minor: i64, _on: Option<NaiveDate>) -> Option<i64> {
    (currency == "USD").then_some(minor)
}

/// `minor` units of a currency with `from_units` decimals, times `rate`, in minor units of
/// a currency with `to_units` decimals, rounded once, half to even — the same result as
/// `Money::convert`, in integer arithmetic (the matrix converts every budget of the
/// registry). `None` when the product does not fit.
pub fn convert_minor(minor: i64, from_units: u32, rate: Decimal, to_units: u32) -> Option<i64> {
    if rate <= Decimal::ZERO || minor < 0 {
        return None;
    }
    let numerator = i128::from(minor)
        .checked_mul(rate.mantissa())?
        .checked_mul(10i128.checked_pow(to_units)?)?;
    let denominator = 10i128.checked_pow(from_units + rate.scale())?;
    let (quotient, remainder) = (numerator / denominator, numerator % denominator);
    let rounded = match (2 * remainder).cmp(&denominator) {
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + (quotient % 2),
        std::cmp::Ordering::Less => quotient,
    };
    i64::try_from(rounded)
        .ok()
        .filter(|m| *m <= crate::money::MAX_MINOR_UNITS)
}

/// Dated rates into USD per currency, with each currency's decimals.
#[derive(Debug, Default)]
pub struct UsdRates {
    by_currency: FastMap<String, (u32, Vec<(NaiveDate, Decimal)>)>,
}

impl UsdRates {
    /// `rates` per currency, oldest first.
    pub fn new(rates: HashMap<String, Vec<(NaiveDate, Decimal)>>) -> Self {
        UsdRates {
            by_currency: rates
                .into_iter()
                .filter_map(|(code, dated)| {
                    let units = Currency::parse(&code).ok()?.minor_units();
                    Some((code, (units, dated)))
                })
                .collect(),
        }
    }

    /// A budget in USD minor units with the rate valid on `on` (the latest starting on or
    /// before it); `None` when no rate is valid that day.
    pub fn to_usd(&self, currency: &str, minor: i64, on: NaiveDate) -> Option<i64> {
        if currency == "USD" {
            return Some(minor);
        }
        let (units, dated) = self.by_currency.get(currency)?;
        let valid = dated.partition_point(|(from, _)| *from <= on);
        let (_, rate) = dated.get(valid.checked_sub(1)?)?;
        convert_minor(minor, *units, *rate, Currency::USD.minor_units())
    }
}

/// The matrix before organisation names are known.
#[derive(Debug, Default)]
pub struct MatrixSums {
    pub row_values: Vec<String>,
    pub col_values: Vec<String>,
    pub cells: Vec<MatrixCell>,
}

fn amount_string(minor: i128, currency: &str) -> String {
    let scale = Currency::parse(currency)
        .map(|c| c.minor_units())
        .unwrap_or(2);
    Decimal::try_from_i128_with_scale(minor, scale)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "overflow".into())
}

/// Adds up projects per cell. A project counts in every cell it touches (a project in two
/// countries shows in both rows), so cells do not sum to the registry's total. `name`
/// spells a value of an axis.
pub fn aggregate_matrix<'a, 'n, K>(
    inputs: impl IntoIterator<Item = MatrixInput<'a, K>>,
    rows: MatrixAxis,
    cols: MatrixAxis,
    to_usd: &ToUsd<'_>,
    name: impl Fn(MatrixAxis, K) -> &'n str,
) -> MatrixSums
where
    K: Copy + Eq + std::hash::Hash + 'a,
{
    let mut cells: FastMap<(K, K), CellSums<'a, K>> = FastMap::default();
    for input in inputs {
        let row_values = axis_values(&input, rows);
        let col_values = axis_values(&input, cols);
        if row_values.is_empty() || col_values.is_empty() {
            continue;
        }
        let usd = match (input.budget_minor, input.currency) {
            (Some(minor), Some(currency)) => Some(to_usd(currency, minor, input.start_on)),
            _ => None,
        };
        for r in row_values {
            for c in col_values {
                let cell = cells.entry((*r, *c)).or_default();
                cell.projects += 1;
                for org in input.org_ids {
                    *cell.organisations.entry(*org).or_insert(0) += 1;
                }
                if let (Some(minor), Some(currency)) = (input.budget_minor, input.currency) {
                    *cell.by_currency.entry(currency).or_insert(0) += i128::from(minor);
                }
                match usd {
                    Some(Some(minor)) => cell.usd_minor += i128::from(minor),
                    Some(None) => cell.unconverted += 1,
                    None => {}
                }
            }
        }
    }
    let mut named: Vec<((&str, &str), CellSums<'a, K>)> = cells
        .into_iter()
        .map(|((r, c), sums)| ((name(rows, r), name(cols, c)), sums))
        .collect();
    named.sort_by(|a, b| a.0.cmp(&b.0));
    let row_values: BTreeSet<&str> = named.iter().map(|((r, _), _)| *r).collect();
    let col_values: BTreeSet<&str> = named.iter().map(|((_, c), _)| *c).collect();
    let cells = named
        .into_iter()
        .map(|((row, col), sums)| {
            let mut orgs: Vec<(&str, i64)> = sums
                .organisations
                .into_iter()
                .map(|(o, n)| (name(MatrixAxis::Organisation, o), n))
                .collect();
            orgs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            MatrixCell {
                row: row.to_string(),
                col: col.to_string(),
                projects: sums.projects,
                organisation_count: orgs.len() as i64,
                organisations: orgs
                    .into_iter()
                    .take(10)
                    .map(|(id, projects)| CellOrganisation {
                        id: id.to_string(),
                        name: String::new(),
                        projects,
                    })
                    .collect(),
                budget_usd: amount_string(sums.usd_minor, "USD"),
                budget_by_currency: sums
                    .by_currency
                    .into_iter()
                    .map(|(currency, minor)| MoneyAmount {
                        amount: amount_string(minor, currency),
                        currency: currency.to_string(),
                    })
                    .collect(),
                unconverted_projects: sums.unconverted,
            }
        })
        .collect();
    MatrixSums {
        row_values: row_values.into_iter().map(str::to_string).collect(),
        col_values: col_values.into_iter().map(str::to_string).collect(),
        cells,
    }
}

/// The country × theme cells that a set of running projects covers; a project with
/// `protection.shelter` covers both that cell and `protection`.
pub fn covered_cells(
    projects: impl IntoIterator<Item = (Vec<String>, Vec<String>)>,
) -> BTreeSet<(String, String)> {
    let mut covered = BTreeSet::new();
    for (countries, themes) in projects {
        for country in &countries {
            for theme in &themes {
                for t in taxonomy::with_parents(theme) {
                    covered.insert((country.clone(), t.to_string()));
                }
            }
        }
    }
    covered
}

/// Every asked cell no running project covers, in the order asked.
pub fn gaps(
    countries: &[String],
    themes: &[String],
    covered: &BTreeSet<(String, String)>,
) -> Vec<GapCell> {
    let mut out = Vec::new();
    for country in countries {
        for theme in themes {
            if !covered.contains(&(country.clone(), theme.clone())) {
                out.push(GapCell {
                    country: country.clone(),
                    theme: theme.clone(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::model::ProjectStatus;

    /// Owned test data for one project; `input()` borrows it as the matrix wants.
    struct Project {
        countries: Vec<&'static str>,
        themes: Vec<&'static str>,
        top: Vec<&'static str>,
        orgs: Vec<&'static str>,
        budget: Option<(i64, &'static str)>,
    }

    fn project(
        countries: &[&'static str],
        themes: &[&'static str],
        orgs: &[&'static str],
        budget: Option<(i64, &'static str)>,
    ) -> Project {
        let mut top: Vec<&'static str> = themes.iter().map(|t| taxonomy::top_theme(t)).collect();
        top.sort_unstable();
        top.dedup();
        Project {
            countries: countries.to_vec(),
            themes: themes.to_vec(),
            top,
            orgs: orgs.to_vec(),
            budget,
        }
    }

    impl Project {
        fn input(&self) -> MatrixInput<'_, &'static str> {
            MatrixInput {
                countries: &self.countries,
                themes: &self.themes,
                top_themes: &self.top,
                org_ids: &self.orgs,
                status: ProjectStatus::Active.as_str(),
                budget_minor: self.budget.map(|b| b.0),
                currency: self.budget.map(|b| b.1),
                start_on: None,
            }
        }
    }

    fn same(_: MatrixAxis, value: &'static str) -> &'static str {
        value
    }

    #[test]
    fn scopes_hide_unpublished_projects_of_others() {
        assert!(Scope::Public.sees(true, "a"));
        assert!(!Scope::Public.sees(false, "a"));
        let members = Scope::Members(vec!["a".into()]);
        assert!(members.sees(false, "a"));
        assert!(!members.sees(false, "b"));
        assert!(Scope::All.sees(false, "b"));
    }

    #[test]
    fn open_dates_run_forever() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let day = d("2025-06-01").expect("date");
        assert!(runs_on(None, None, day));
        assert!(runs_on(d("2025-06-01"), d("2025-06-01"), day));
        assert!(!runs_on(d("2025-06-02"), None, day));
        assert!(!runs_on(None, d("2025-05-31"), day));
    }

    #[test]
    fn matrix_counts_projects_organisations_and_budgets_per_cell() {
        let projects = [
            project(
                &["NG", "GH"],
                &["protection.shelter", "protection.legal-aid"],
                &["o1", "o2"],
                Some((10_000, "USD")),
            ),
            project(&["NG"], &["prevention"], &["o1"], Some((5_000, "EUR"))),
            project(&["NG"], &["protection"], &["o3"], Some((1_000, "JPY"))),
            project(&["NG"], &[], &["o4"], None),
        ];
        let sums = aggregate_matrix(
            projects.iter().map(Project::input),
            MatrixAxis::Country,
            MatrixAxis::Theme,
            &usd_only,
            same,
        );
        assert_eq!(sums.row_values, vec!["GH", "NG"]);
        assert_eq!(sums.col_values, vec!["prevention", "protection"]);
        let ng_protection = sums
            .cells
            .iter()
            .find(|c| c.row == "NG" && c.col == "protection")
            .expect("cell");
        // the two protection sub-themes of one project count it once
        assert_eq!(ng_protection.projects, 2);
        assert_eq!(ng_protection.organisation_count, 3);
        assert_eq!(ng_protection.budget_usd, "100.00");
        assert_eq!(ng_protection.unconverted_projects, 1);
        assert_eq!(
            ng_protection.budget_by_currency,
            vec![
                MoneyAmount {
                    amount: "1000".into(),
                    currency: "JPY".into()
                },
                MoneyAmount {
                    amount: "100.00".into(),
                    currency: "USD".into()
                },
            ]
        );
        let ng_prevention = sums
            .cells
            .iter()
            .find(|c| c.row == "NG" && c.col == "prevention")
            .expect("cell");
        assert_eq!(ng_prevention.budget_usd, "0.00");
        assert_eq!(ng_prevention.unconverted_projects, 1);
    }

    #[test]
    fn a_rate_function_converts_other_currencies() {
        let eur_at_1_10 = |currency: &str, minor: i64, _: Option<NaiveDate>| match currency {
            "USD" => Some(minor),
            "EUR" => Some(minor * 11 / 10),
            _ => None,
        };
        let projects = [project(
            &["NG"],
            &["prevention"],
            &[],
            Some((10_000, "EUR")),
        )];
        let sums = aggregate_matrix(
            projects.iter().map(Project::input),
            MatrixAxis::Country,
            MatrixAxis::Status,
            &eur_at_1_10,
            same,
        );
        assert_eq!(sums.cells[0].col, "active");
        assert_eq!(sums.cells[0].budget_usd, "110.00");
        assert_eq!(sums.cells[0].unconverted_projects, 0);
    }

    #[test]
    fn dated_rates_convert_from_the_day_they_start() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let rates = UsdRates::new(HashMap::from([(
            "EUR".to_string(),
            vec![
                (d("2025-01-01"), Decimal::new(11, 1)),
                (d("2025-07-01"), Decimal::new(12, 1)),
            ],
        )]));
        assert_eq!(rates.to_usd("USD", 123, d("2000-01-01")), Some(123));
        assert_eq!(rates.to_usd("EUR", 10_000, d("2024-12-31")), None);
        assert_eq!(rates.to_usd("EUR", 10_000, d("2025-01-01")), Some(11_000));
        assert_eq!(rates.to_usd("EUR", 10_000, d("2025-06-30")), Some(11_000));
        assert_eq!(rates.to_usd("EUR", 10_000, d("2026-01-01")), Some(12_000));
        assert_eq!(rates.to_usd("GBP", 10_000, d("2026-01-01")), None);
        // one cent at 1.5 is 1.5 cents: half to even gives 2; 3 cents give 4.5 → 4
        let odd = UsdRates::new(HashMap::from([(
            "EUR".to_string(),
            vec![(d("2025-01-01"), Decimal::new(15, 1))],
        )]));
        assert_eq!(odd.to_usd("EUR", 1, d("2025-01-01")), Some(2));
        assert_eq!(odd.to_usd("EUR", 3, d("2025-01-01")), Some(4));
    }

    proptest::proptest! {
        #[test]
        fn integer_conversion_equals_money_convert(
            minor in 0i64..1_000_000_000_000,
            mantissa in 1i64..100_000_000_000,
            scale in 0u32..10,
            from in proptest::sample::select(vec!["USD", "JPY", "KWD", "EUR"]),
            to in proptest::sample::select(vec!["USD", "JPY", "KWD"]),
        ) {
            let from = Currency::parse(from).expect("currency");
            let to = Currency::parse(to).expect("currency");
            let rate = Decimal::new(mantissa, scale);
            let expected = crate::money::Money::from_minor(minor, from)
                .convert(rate, to)
                .ok()
                .map(|m| m.minor_units());
            proptest::prop_assert_eq!(
                convert_minor(minor, from.minor_units(), rate, to.minor_units()),
                expected
            );
        }
    }

    #[test]
    fn gaps_are_the_cells_no_running_project_covers() {
        let covered = covered_cells(vec![(
            vec!["NG".to_string()],
            vec!["protection.shelter".to_string()],
        )]);
        let countries = vec!["NG".to_string(), "GH".to_string()];
        let themes = vec![
            "protection".to_string(),
            "protection.shelter".to_string(),
            "prevention".to_string(),
        ];
        let gaps = gaps(&countries, &themes, &covered);
        let cells: Vec<(String, String)> = gaps.into_iter().map(|g| (g.country, g.theme)).collect();
        assert_eq!(
            cells,
            vec![
                ("NG".into(), "prevention".into()),
                ("GH".into(), "protection".into()),
                ("GH".into(), "protection.shelter".into()),
                ("GH".into(), "prevention".into()),
            ]
        );
    }
}
