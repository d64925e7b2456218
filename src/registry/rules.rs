//! Pure decisions of the registry: who sees which project, how the who-does-what-where
//! matrix adds up, which cells are gaps.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::fnv::FastMap;
use super::model::{
    CellOrganisation, GapCell, MatrixAxis, MatrixCell, MatrixOutside, MatrixTotals, MoneyAmount,
};
use crate::money::Currency;
use crate::taxonomy;

/// Whether a project is public: its organisation published it *and* the secretariat has
/// verified that organisation. Anyone can register an organisation, so an unverified one's
/// projects would let a stranger publish under the fund's name; they wait, visible to their
/// own members and to the secretariat (`ProjectView::awaiting_verification`), and appear
/// the moment the organisation is verified. The one rule of public visibility: the index,
/// a project's detail and the overlap pool all ask it.
pub fn is_public(published: bool, organisation_verified: bool) -> bool {
    published && organisation_verified
}

/// Whether an organisation has a public page in the registry and is named there: the
/// secretariat has verified it (anyone can register any name; an unverified one's
/// projects are not public either) and it did not ask to stay anonymous (the fund page
/// merges such donors into one unnamed line; the registry never names them).
pub fn organisation_is_public(verified: bool, listed_anonymously: bool) -> bool {
    verified && !listed_anonymously
}

/// A count of projects as the public registry pages show it in the who-does-what-where
/// matrix: the fund page's small-cell rule (`reports::rules::Figure::of`, domain
/// invariant 7), every count below 5 shown as `"<5"`. Cells are not parts of a sum (a
/// project counts in every cell it touches, and the totals count each project once), so
/// no hidden count can be worked out from the others and no complementary suppression is
/// needed; the totals are shown as they are.
pub fn public_count(projects: i64) -> crate::reports::rules::Figure {
    crate::reports::rules::Figure::of(projects, true)
}

/// Which projects a reader may see: the public sees public ones (`is_public`), members of
/// an organisation also their organisation's others, admins everything.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Public,
    Members(Vec<String>),
    All,
}

impl Scope {
    /// Whether the reader sees a project that is `public` or not; `own` says whether it is
    /// their organisation's (asked only when it matters, so the index can answer it with
    /// its interned numbers).
    pub fn admits(&self, public: bool, own: impl FnOnce() -> bool) -> bool {
        match self {
            Scope::All => true,
            Scope::Public => public,
            Scope::Members(_) => public || own(),
        }
    }

    pub fn sees(&self, public: bool, reporting_org_id: &str) -> bool {
        self.admits(public, || match self {
            Scope::Members(orgs) => orgs.iter().any(|o| o == reporting_org_id),
            _ => false,
        })
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
/// values, and each weight list is as long as its values.
#[derive(Debug, Clone)]
pub struct MatrixInput<'a, K> {
    pub countries: &'a [K],
    /// The budget's weight of each country (`place_weights`).
    pub country_weights: &'a [u64],
    /// The weight of the recipient regions together: a share no country row shows.
    pub region_weight: u64,
    /// Themes as given.
    pub themes: &'a [K],
    pub theme_weights: &'a [u64],
    /// The four P those themes belong to, each weighing what its themes weigh.
    pub top_themes: &'a [K],
    pub top_weights: &'a [u64],
    /// The weight of the project's work outside its themes (sectors that are not
    /// anti-trafficking work, from IATI percentages).
    pub theme_rest: u64,
    pub org_ids: &'a [K],
    /// Organisations of the project that the matrix does not show (an organisation axis
    /// keeps the 100 with most projects): each weighs one, like each shown one.
    pub orgs_left_out: u64,
    pub status: K,
    pub budget_minor: Option<i64>,
    pub currency: Option<&'a str>,
    pub start_on: Option<NaiveDate>,
}

/// A percentage as an integer weight: ten-thousandths of a percent (IATI files give at
/// most a few decimals), so weights add and multiply exactly.
pub fn weight_of(percentage: Decimal) -> u64 {
    (percentage * Decimal::from(10_000))
        .round()
        .to_string()
        .parse::<u64>()
        .unwrap_or(0)
}

/// The whole, 100 %, as a weight.
pub const WHOLE: u64 = 1_000_000;

/// How one list of a project (its places, or its themes) shares the budget: a weight per
/// value and the weight of what the list leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Weights {
    pub each: Vec<u64>,
    pub rest: u64,
}

/// Countries and regions share the budget by the percentages given for all of them (IATI
/// makes them sum to 100); without them, or when they do not fit the lists, evenly, a
/// region counting like a country. The regions' part is the rest: no country row shows it.
pub fn place_weights(
    countries: usize,
    country_percentages: Option<&[Decimal]>,
    region_percentages: Option<&[Decimal]>,
    regions: usize,
) -> Weights {
    match (country_percentages, region_percentages) {
        (Some(c), r)
            if c.len() == countries
                && r.map_or(regions == 0, |r| r.len() == regions)
                && c.iter()
                    .chain(r.unwrap_or_default())
                    .any(|p| *p > Decimal::ZERO) =>
        {
            Weights {
                each: c.iter().map(|p| weight_of(*p)).collect(),
                rest: r.unwrap_or_default().iter().map(|p| weight_of(*p)).sum(),
            }
        }
        _ => Weights {
            each: vec![1; countries],
            rest: regions as u64,
        },
    }
}

/// Themes share the budget by their percentages, and what those leave of 100 % is the
/// rest (work outside anti-trafficking); without percentages, evenly.
pub fn theme_weights(themes: usize, percentages: Option<&[Decimal]>) -> Weights {
    match percentages {
        Some(p) if p.len() == themes => {
            let each: Vec<u64> = p.iter().map(|p| weight_of(*p)).collect();
            let given: u64 = each.iter().sum();
            Weights {
                rest: WHOLE.saturating_sub(given),
                each,
            }
        }
        _ => Weights {
            each: vec![1; themes],
            rest: 0,
        },
    }
}

/// The four P of `themes` with what each weighs: the sum of its themes' weights, in the
/// order the four P first appear.
pub fn top_theme_weights<'t>(themes: &[&'t str], weights: &[u64]) -> (Vec<&'t str>, Vec<u64>) {
    let mut tops: Vec<&str> = Vec::new();
    let mut top_weights: Vec<u64> = Vec::new();
    for (theme, weight) in themes.iter().zip(weights) {
        let top = taxonomy::top_theme(theme);
        match tops.iter().position(|t| *t == top) {
            Some(i) => top_weights[i] += weight,
            None => {
                tops.push(top);
                top_weights.push(*weight);
            }
        }
    }
    (tops, top_weights)
}

/// The values of one axis for a project; `weights` gets their weights and, last, the
/// weight of what the axis does not show (all of it when the project has no value there).
fn axis_parts<'b, K>(
    input: &'b MatrixInput<'_, K>,
    axis: MatrixAxis,
    weights: &mut Vec<u64>,
) -> &'b [K] {
    weights.clear();
    let (values, rest): (&[K], u64) = match axis {
        MatrixAxis::Country => {
            weights.extend_from_slice(input.country_weights);
            (input.countries, input.region_weight)
        }
        MatrixAxis::SubTheme => {
            weights.extend_from_slice(input.theme_weights);
            (input.themes, input.theme_rest)
        }
        MatrixAxis::Theme => {
            weights.extend_from_slice(input.top_weights);
            (input.top_themes, input.theme_rest)
        }
        MatrixAxis::Organisation => {
            weights.extend(input.org_ids.iter().map(|_| 1));
            (input.org_ids, input.orgs_left_out)
        }
        MatrixAxis::Status => {
            weights.push(1);
            (std::slice::from_ref(&input.status), 0)
        }
    };
    weights.push(if values.is_empty() { rest.max(1) } else { rest });
    values
}

#[derive(Debug)]
struct CellSums<'a, K> {
    projects: i64,
    /// Projects here per organisation, by the organisation's slot (`aggregate_matrix`).
    organisation_projects: Vec<u32>,
    /// The same for slots past the arrays' budget, in a map.
    more_organisations: FastMap<usize, u32>,
    /// Each organisation with its projects here, filled after the projects are added up.
    organisations: Vec<(K, i64)>,
    by_currency: BTreeMap<&'a str, i128>,
    usd_minor: i128,
    unconverted: i64,
}

impl<K> Default for CellSums<'_, K> {
    fn default() -> Self {
        CellSums {
            projects: 0,
            organisation_projects: Vec::new(),
            more_organisations: FastMap::default(),
            organisations: Vec::new(),
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
    /// Every project once, with its whole budget.
    pub totals: MatrixTotals,
    /// The budgets' parts no cell holds.
    pub outside_cells: MatrixOutside,
}

fn amount_string(minor: i128, currency: &str) -> String {
    let scale = Currency::parse(currency)
        .map(|c| c.minor_units())
        .unwrap_or(2);
    Decimal::try_from_i128_with_scale(minor, scale)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| "overflow".into())
}

fn amounts(by_currency: BTreeMap<&str, i128>) -> Vec<MoneyAmount> {
    by_currency
        .into_iter()
        .map(|(currency, minor)| MoneyAmount {
            amount: amount_string(minor, currency),
            currency: currency.to_string(),
        })
        .collect()
}

/// Adds `shares` of a budget (one per place of the grid of a project's row values ×
/// column values, each with one more place for what the axis does not show) to the cells
/// and to what lies outside them.
fn add_shares<'a, K: Copy + Eq + std::hash::Hash>(
    shares: Vec<i64>,
    (row_values, col_values): (&[K], &[K]),
    width: usize,
    cells: &mut FastMap<(K, K), CellSums<'a, K>>,
    outside: &mut CellSums<'a, K>,
    mut add: impl FnMut(&mut CellSums<'a, K>, i64),
) {
    for (i, share) in shares.into_iter().enumerate() {
        if share == 0 {
            // nothing to add; an empty place must not list a currency with 0
            continue;
        }
        let (r, c) = (i / width, i % width);
        match (row_values.get(r), col_values.get(c)) {
            (Some(r), Some(c)) => add(cells.entry((*r, *c)).or_default(), share),
            _ => add(outside, share),
        }
    }
}

/// The organisations a cell names, the most active first.
const CELL_ORGANISATIONS: usize = 10;

/// Counters of organisations per cell kept in arrays, all cells together (16 MB of `u32`).
const ORGANISATION_SLOTS_BUDGET: usize = 4 << 20;

/// Adds up projects per cell. A project counts in every cell it touches (a project in two
/// countries shows in both rows), but its budget is shared out: the grid of its row
/// values × column values, with one more row and column for what each axis does not
/// show, shares the budget by the product of the two weights (`money::allocate`, so no
/// minor unit is lost), and the parts outside the cells go to `outside_cells`. The cells
/// and `outside_cells` therefore sum to `totals`, in every currency and in USD (each
/// budget is converted once, then shared). `name` spells a value of an axis.
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
    aggregate_within(inputs, rows, cols, to_usd, name, ORGANISATION_SLOTS_BUDGET)
}

/// [`aggregate_matrix`] with `array_budget` counters of organisations in arrays.
fn aggregate_within<'a, 'n, K>(
    inputs: impl IntoIterator<Item = MatrixInput<'a, K>>,
    rows: MatrixAxis,
    cols: MatrixAxis,
    to_usd: &ToUsd<'_>,
    name: impl Fn(MatrixAxis, K) -> &'n str,
    mut array_budget: usize,
) -> MatrixSums
where
    K: Copy + Eq + std::hash::Hash + 'a,
{
    let mut cells: FastMap<(K, K), CellSums<'a, K>> = FastMap::default();
    // Organisations are counted per cell in a plain array by slot (each organisation's
    // number in `slot_of`, looked up once per project), not in a map of each cell's own:
    // with thousands of organisations per cell, those lookups missed the cache and took
    // two fifths of the matrix's time (`perf`).
    let mut slot_of: FastMap<K, usize> = FastMap::default();
    let mut slot_keys: Vec<K> = Vec::new();
    let mut slots: Vec<usize> = Vec::new();
    // the arrays' slots, all cells together, are bounded (thousands of cells × thousands
    // of organisations would be hundreds of megabytes); past it, a cell counts in its map
    let mut total = CellSums::<'a, K>::default();
    let mut outside = CellSums::<'a, K>::default();
    let (mut row_weights, mut col_weights, mut grid) = (Vec::new(), Vec::new(), Vec::new());
    for input in inputs {
        slots.clear();
        for org in input.org_ids {
            let slot = *slot_of.entry(*org).or_insert_with(|| {
                slot_keys.push(*org);
                slot_keys.len() - 1
            });
            slots.push(slot);
        }
        let row_values = axis_parts(&input, rows, &mut row_weights);
        let col_values = axis_parts(&input, cols, &mut col_weights);
        let budget = input.budget_minor.zip(input.currency);
        let usd = budget.map(|(minor, currency)| to_usd(currency, minor, input.start_on));
        total.projects += 1;
        if let Some((minor, currency)) = budget {
            *total.by_currency.entry(currency).or_insert(0) += i128::from(minor);
        }
        match usd {
            Some(Some(minor)) => total.usd_minor += i128::from(minor),
            Some(None) => total.unconverted += 1,
            None => {}
        }
        for r in row_values {
            for c in col_values {
                let cell = cells.entry((*r, *c)).or_default();
                cell.projects += 1;
                for slot in &slots {
                    let have = cell.organisation_projects.len();
                    if have <= *slot && *slot - have < array_budget {
                        let wanted = (*slot + 1).max(have * 2).min(have + array_budget);
                        array_budget -= wanted - have;
                        cell.organisation_projects.resize(wanted, 0);
                    }
                    match cell.organisation_projects.get_mut(*slot) {
                        Some(projects) => *projects += 1,
                        None => *cell.more_organisations.entry(*slot).or_insert(0) += 1,
                    }
                }
                if usd == Some(None) {
                    cell.unconverted += 1;
                }
            }
        }
        let Some((minor, currency)) = budget else {
            continue;
        };
        grid.clear();
        for rw in &row_weights {
            grid.extend(col_weights.iter().map(|cw| rw.saturating_mul(*cw)));
        }
        let axes = (row_values, col_values);
        let width = col_weights.len();
        // weights that add up to nothing (every percentage zero) leave it all outside
        match crate::money::allocate(minor, &grid) {
            Some(shares) => add_shares(shares, axes, width, &mut cells, &mut outside, |s, v| {
                *s.by_currency.entry(currency).or_insert(0) += i128::from(v)
            }),
            None => *outside.by_currency.entry(currency).or_insert(0) += i128::from(minor),
        }
        if let Some(Some(usd)) = usd {
            match crate::money::allocate(usd, &grid) {
                Some(shares) => {
                    add_shares(shares, axes, width, &mut cells, &mut outside, |s, v| {
                        s.usd_minor += i128::from(v)
                    })
                }
                None => outside.usd_minor += i128::from(usd),
            }
        }
    }
    for sums in cells.values_mut() {
        let mut counted = std::mem::take(&mut sums.organisation_projects);
        let mut beyond = Vec::new();
        // a slot counted in the map before the array grew past it is added to the array
        for (slot, n) in std::mem::take(&mut sums.more_organisations) {
            match counted.get_mut(slot) {
                Some(projects) => *projects += n,
                None => beyond.push((slot, n)),
            }
        }
        sums.organisations = counted
            .into_iter()
            .enumerate()
            .chain(beyond)
            .filter(|(_, n)| *n > 0)
            .map(|(slot, n)| (slot_keys[slot], i64::from(n)))
            .collect();
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
            let organisation_count = orgs.len() as i64;
            // the most active first, by name among equals; only the first ten are named,
            // so a cell of thousands of organisations picks them without sorting them all
            let order = |a: &(&str, i64), b: &(&str, i64)| b.1.cmp(&a.1).then(a.0.cmp(b.0));
            if orgs.len() > CELL_ORGANISATIONS {
                orgs.select_nth_unstable_by(CELL_ORGANISATIONS - 1, order);
                orgs.truncate(CELL_ORGANISATIONS);
            }
            orgs.sort_by(order);
            MatrixCell {
                row: row.to_string(),
                col: col.to_string(),
                projects: sums.projects,
                organisation_count,
                organisations: orgs
                    .into_iter()
                    .map(|(id, projects)| CellOrganisation {
                        id: id.to_string(),
                        name: String::new(),
                        projects,
                    })
                    .collect(),
                budget_usd: amount_string(sums.usd_minor, "USD"),
                budget_by_currency: amounts(sums.by_currency),
                unconverted_projects: sums.unconverted,
            }
        })
        .collect();
    MatrixSums {
        row_values: row_values.into_iter().map(str::to_string).collect(),
        col_values: col_values.into_iter().map(str::to_string).collect(),
        cells,
        totals: MatrixTotals {
            projects: total.projects,
            budget_usd: amount_string(total.usd_minor, "USD"),
            budget_by_currency: amounts(total.by_currency),
            unconverted_projects: total.unconverted,
        },
        outside_cells: MatrixOutside {
            budget_usd: amount_string(outside.usd_minor, "USD"),
            budget_by_currency: amounts(outside.by_currency),
        },
    }
}

/// Projects registered twice, counted once. `groups` maps each project (by position in
/// creation order) that the review queue paired as a `duplicate` to its group
/// (`duplicate_groups`). Of each group, the first registered of the `matched` projects
/// counts and the others fold into it; other projects count as they are. `matched` is in
/// creation order. Returns the counted positions and, per folded one, the position it
/// folded into.
pub fn fold_duplicates(matched: &[u32], groups: &FastMap<u32, u32>) -> (Vec<u32>, Vec<(u32, u32)>) {
    let mut counted = Vec::with_capacity(matched.len());
    let mut folded = Vec::new();
    let mut first_of_group: FastMap<u32, u32> = FastMap::default();
    for p in matched {
        match groups.get(p) {
            Some(group) => match first_of_group.get(group) {
                Some(first) => folded.push((*p, *first)),
                None => {
                    first_of_group.insert(*group, *p);
                    counted.push(*p);
                }
            },
            None => counted.push(*p),
        }
    }
    (counted, folded)
}

/// The groups that duplicate `pairs` make (A = B and B = C: one project): each position
/// named in a pair, mapped to the smallest position of its group.
pub fn duplicate_groups(pairs: &[(u32, u32)]) -> FastMap<u32, u32> {
    fn root(parent: &FastMap<u32, u32>, mut p: u32) -> u32 {
        while let Some(&up) = parent.get(&p) {
            if up == p {
                break;
            }
            p = up;
        }
        p
    }
    let mut parent: FastMap<u32, u32> = FastMap::default();
    for (a, b) in pairs {
        parent.entry(*a).or_insert(*a);
        parent.entry(*b).or_insert(*b);
        let (ra, rb) = (root(&parent, *a), root(&parent, *b));
        // the smaller position, the older project, stays the root
        if ra != rb {
            parent.insert(ra.max(rb), ra.min(rb));
        }
    }
    parent.keys().map(|p| (*p, root(&parent, *p))).collect()
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
    use proptest::prelude::*;

    #[test]
    fn only_a_verified_organisation_that_may_be_named_has_a_public_page() {
        assert!(organisation_is_public(true, false));
        assert!(!organisation_is_public(false, false));
        assert!(!organisation_is_public(true, true));
        assert!(!organisation_is_public(false, true));
    }

    #[test]
    fn a_public_count_below_five_is_hidden_as_on_the_fund_page() {
        use crate::reports::rules::{Figure, HIDDEN};
        for n in 0..5 {
            assert_eq!(public_count(n), Figure::Hidden(HIDDEN.to_string()), "{n}");
        }
        for n in [5, 6, 120] {
            assert_eq!(public_count(n), Figure::Exact(n));
        }
    }

    /// Owned test data for one project; `input()` borrows it as the matrix wants.
    #[derive(Debug, Clone)]
    struct Project {
        countries: Vec<&'static str>,
        places: Weights,
        themes: Vec<&'static str>,
        theme_shares: Weights,
        top: Vec<&'static str>,
        top_weights: Vec<u64>,
        orgs: Vec<&'static str>,
        budget: Option<(i64, &'static str)>,
    }

    /// A project registered by hand: no percentages, no regions.
    fn project(
        countries: &[&'static str],
        themes: &[&'static str],
        orgs: &[&'static str],
        budget: Option<(i64, &'static str)>,
    ) -> Project {
        shared(countries, None, &[], themes, None, orgs, budget)
    }

    /// A project with the percentages an IATI file may give: `regions` are the regions'
    /// percentages (or, without country percentages, only their number counts).
    fn shared(
        countries: &[&'static str],
        country_percentages: Option<&[Decimal]>,
        regions: &[Decimal],
        themes: &[&'static str],
        theme_percentages: Option<&[Decimal]>,
        orgs: &[&'static str],
        budget: Option<(i64, &'static str)>,
    ) -> Project {
        let places = place_weights(
            countries.len(),
            country_percentages,
            country_percentages.map(|_| regions),
            regions.len(),
        );
        let theme_shares = theme_weights(themes.len(), theme_percentages);
        let (top, top_weights) = top_theme_weights(themes, &theme_shares.each);
        Project {
            countries: countries.to_vec(),
            places,
            themes: themes.to_vec(),
            theme_shares,
            top,
            top_weights,
            orgs: orgs.to_vec(),
            budget,
        }
    }

    impl Project {
        fn input(&self) -> MatrixInput<'_, &'static str> {
            MatrixInput {
                countries: &self.countries,
                country_weights: &self.places.each,
                region_weight: self.places.rest,
                themes: &self.themes,
                theme_weights: &self.theme_shares.each,
                top_themes: &self.top,
                top_weights: &self.top_weights,
                theme_rest: self.theme_shares.rest,
                org_ids: &self.orgs,
                orgs_left_out: 0,
                status: ProjectStatus::Active.as_str(),
                budget_minor: self.budget.map(|b| b.0),
                currency: self.budget.map(|b| b.1),
                start_on: None,
            }
        }
    }

    fn pct(values: &[i64]) -> Vec<Decimal> {
        values.iter().map(|v| Decimal::from(*v)).collect()
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
    fn only_a_verified_organisations_published_projects_are_public() {
        assert!(is_public(true, true));
        assert!(!is_public(true, false));
        assert!(!is_public(false, true));
        assert!(!is_public(false, false));
        // an unverified organisation's project: its members and admins, nobody else
        let public = is_public(true, false);
        assert!(!Scope::Public.sees(public, "a"));
        assert!(Scope::Members(vec!["a".into()]).sees(public, "a"));
        assert!(!Scope::Members(vec!["b".into()]).sees(public, "a"));
        assert!(Scope::All.sees(public, "a"));
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
    fn organisations_past_the_arrays_budget_are_counted_the_same() {
        const ORGS: [&str; 12] = [
            "o00", "o01", "o02", "o03", "o04", "o05", "o06", "o07", "o08", "o09", "o10", "o11",
        ];
        let projects: Vec<Project> = (0..90)
            .map(|i| {
                project(
                    &[["NG", "GH", "BJ"][i % 3]],
                    &[["prevention", "protection.shelter"][i % 2]],
                    &[ORGS[(i / 6) % 12], ORGS[(i / 6 + 5) % 12]],
                    Some((1_000, "USD")),
                )
            })
            .collect();
        let run = |budget| {
            format!(
                "{:?}",
                aggregate_within(
                    projects.iter().map(Project::input),
                    MatrixAxis::Country,
                    MatrixAxis::Theme,
                    &usd_only,
                    same,
                    budget,
                )
            )
        };
        let arrays = run(ORGANISATION_SLOTS_BUDGET);
        assert!(arrays.contains("organisation_count: 12"), "{arrays}");
        // no array at all, and arrays that run out part way: the same counts
        assert_eq!(run(0), arrays);
        assert_eq!(run(7), arrays);
        assert_eq!(run(30), arrays);
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
        // the first project's budget is shared by its two countries
        assert_eq!(ng_protection.budget_usd, "50.00");
        assert_eq!(ng_protection.unconverted_projects, 1);
        assert_eq!(
            ng_protection.budget_by_currency,
            vec![
                MoneyAmount {
                    amount: "1000".into(),
                    currency: "JPY".into()
                },
                MoneyAmount {
                    amount: "50.00".into(),
                    currency: "USD".into()
                },
            ]
        );
        assert_eq!(sums.totals.projects, 4);
        assert_eq!(sums.totals.budget_usd, "100.00");
        assert_eq!(sums.totals.unconverted_projects, 2);
        assert_eq!(sums.outside_cells.budget_usd, "0.00");
        assert!(sums.outside_cells.budget_by_currency.is_empty());
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

    fn cell<'s>(sums: &'s MatrixSums, row: &str, col: &str) -> &'s MatrixCell {
        sums.cells
            .iter()
            .find(|c| c.row == row && c.col == col)
            .unwrap_or_else(|| panic!("no cell {row} × {col}"))
    }

    #[test]
    fn percentages_share_a_budget_and_regions_stay_outside_the_cells() {
        // 60 % Nigeria, 30 % Ghana, 10 % a region; half shelter, 30 % awareness and 20 %
        // other work
        let p = shared(
            &["NG", "GH"],
            Some(&pct(&[60, 30])),
            &pct(&[10]),
            &["protection.shelter", "prevention.awareness"],
            Some(&pct(&[50, 30])),
            &["o1"],
            Some((100_000, "USD")),
        );
        let sums = aggregate_matrix(
            [p.input()],
            MatrixAxis::Country,
            MatrixAxis::Theme,
            &usd_only,
            same,
        );
        assert_eq!(cell(&sums, "NG", "protection").budget_usd, "300.00");
        assert_eq!(cell(&sums, "NG", "prevention").budget_usd, "180.00");
        assert_eq!(cell(&sums, "GH", "protection").budget_usd, "150.00");
        assert_eq!(cell(&sums, "GH", "prevention").budget_usd, "90.00");
        assert_eq!(sums.outside_cells.budget_usd, "280.00");
        assert_eq!(sums.totals.budget_usd, "1000.00");
        // by sub-theme and status: only the themes' shares are in cells
        let sub = aggregate_matrix(
            [p.input()],
            MatrixAxis::SubTheme,
            MatrixAxis::Status,
            &usd_only,
            same,
        );
        assert_eq!(
            cell(&sub, "protection.shelter", "active").budget_usd,
            "500.00"
        );
        assert_eq!(sub.outside_cells.budget_usd, "200.00");
    }

    #[test]
    fn an_even_split_loses_no_minor_unit() {
        let p = project(
            &["NG", "GH", "KE"],
            &["prevention"],
            &[],
            Some((100, "USD")),
        );
        let sums = aggregate_matrix(
            [p.input()],
            MatrixAxis::Country,
            MatrixAxis::Theme,
            &usd_only,
            same,
        );
        let shares: Vec<&str> = ["GH", "KE", "NG"]
            .iter()
            .map(|c| cell(&sums, c, "prevention").budget_usd.as_str())
            .collect();
        // 1.00 in thirds: 0.34 to the first country of the project (Nigeria)
        assert_eq!(shares, vec!["0.33", "0.33", "0.34"]);
        // a project without themes: all of it outside the country × theme cells
        let bare = project(&["NG"], &[], &[], Some((250, "EUR")));
        let sums = aggregate_matrix(
            [bare.input()],
            MatrixAxis::Country,
            MatrixAxis::Theme,
            &usd_only,
            same,
        );
        assert!(sums.cells.is_empty());
        assert_eq!(
            sums.outside_cells.budget_by_currency,
            vec![MoneyAmount {
                amount: "2.50".into(),
                currency: "EUR".into()
            }]
        );
    }

    #[test]
    fn stored_percentages_that_do_not_fit_fall_back_to_an_even_split() {
        let even = Weights {
            each: vec![1, 1],
            rest: 1,
        };
        assert_eq!(place_weights(2, Some(&pct(&[50])), Some(&[]), 1), even);
        assert_eq!(
            place_weights(2, Some(&pct(&[0, 0])), Some(&pct(&[0])), 1),
            even
        );
        assert_eq!(place_weights(2, None, None, 1), even);
        assert_eq!(
            place_weights(2, Some(&pct(&[70, 20])), Some(&pct(&[10])), 1),
            Weights {
                each: vec![700_000, 200_000],
                rest: 100_000
            }
        );
        assert_eq!(
            theme_weights(2, Some(&[Decimal::new(125, 1), Decimal::from(80)])),
            Weights {
                each: vec![125_000, 800_000],
                rest: 75_000
            }
        );
        assert_eq!(
            top_theme_weights(
                &["protection.shelter", "prevention", "protection.legal-aid"],
                &[1, 1, 1]
            ),
            (vec!["protection", "prevention"], vec![2, 1])
        );
    }

    #[test]
    fn duplicate_pairs_chain_and_the_first_matched_record_counts() {
        let groups = duplicate_groups(&[(3, 5), (0, 3), (1, 2)]);
        assert_eq!(groups.get(&5), Some(&0));
        assert_eq!(groups.get(&2), Some(&1));
        assert_eq!(groups.get(&4), None);
        let (counted, folded) = fold_duplicates(&[0, 1, 2, 3, 4, 5, 6], &groups);
        assert_eq!(counted, vec![0, 1, 4, 6]);
        assert_eq!(folded, vec![(2, 1), (3, 0), (5, 0)]);
        // when the oldest record does not match, the next one counts
        let (counted, folded) = fold_duplicates(&[2, 3, 5], &groups);
        assert_eq!(counted, vec![2, 3]);
        assert_eq!(folded, vec![(5, 3)]);
    }

    const COUNTRIES: [&str; 4] = ["NG", "GH", "KE", "TH"];
    const THEMES: [&str; 5] = [
        "protection.shelter",
        "protection.legal-aid",
        "prevention.awareness",
        "prosecution",
        "partnership",
    ];
    const ORGS: [&str; 3] = ["o1", "o2", "o3"];
    const CURRENCIES: [&str; 3] = ["USD", "EUR", "JPY"];

    /// A generated project: which countries, regions, themes and organisations (by index),
    /// percentages or not, a budget or not.
    fn arbitrary_project() -> impl Strategy<Value = Project> {
        (
            proptest::sample::subsequence(COUNTRIES.to_vec(), 0..=3),
            0usize..3,
            proptest::option::of(proptest::collection::vec(0i64..10_000, 7)),
            proptest::sample::subsequence(THEMES.to_vec(), 0..=3),
            proptest::option::of(proptest::collection::vec(0i64..3_300, 3)),
            proptest::sample::subsequence(ORGS.to_vec(), 0..=3),
            proptest::option::of((0i64..crate::money::MAX_MINOR_UNITS, 0usize..3)),
        )
            .prop_map(
                |(countries, regions, places, themes, theme_pct, orgs, budget)| {
                    // hundredths of a percent, as IATI files write them
                    let hundredths = |v: &[i64]| -> Vec<Decimal> {
                        v.iter().map(|h| Decimal::new(*h, 2)).collect()
                    };
                    let places = places.map(|p| hundredths(&p[..countries.len() + regions]));
                    let region_shares = places
                        .as_ref()
                        .map(|p| p[countries.len()..].to_vec())
                        .unwrap_or_else(|| vec![Decimal::ZERO; regions]);
                    let theme_pct = theme_pct.map(|t| hundredths(&t[..themes.len()]));
                    shared(
                        &countries,
                        places.as_ref().map(|p| &p[..countries.len()]),
                        &region_shares,
                        &themes,
                        theme_pct.as_deref(),
                        &orgs,
                        budget.map(|(minor, c)| (minor, CURRENCIES[c])),
                    )
                },
            )
    }

    fn axis() -> impl Strategy<Value = MatrixAxis> {
        proptest::sample::select(MatrixAxis::ALL.to_vec())
    }

    /// Euros at 1.1, yen without a rate.
    fn euros_at_1_1(currency: &str, minor: i64, _: Option<NaiveDate>) -> Option<i64> {
        match currency {
            "USD" => Some(minor),
            "EUR" => convert_minor(minor, 2, Decimal::new(11, 1), 2),
            _ => None,
        }
    }

    fn minor_of(amount: &str) -> i128 {
        let d: Decimal = amount.parse().expect("an amount");
        d.mantissa() * 10i128.pow(4 - d.scale())
    }

    proptest::proptest! {
        /// The matrix adds up to the registry: whatever the axes, the cells and what lies
        /// outside them sum to the budgets of the distinct projects (a chain of duplicate
        /// pairs counting once, as its first record), currency by currency and in USD.
        #[test]
        fn the_matrix_sums_to_the_distinct_projects_budgets(
            projects in proptest::collection::vec(arbitrary_project(), 0..12),
            pairs in proptest::collection::vec((0u32..12, 0u32..12), 0..5),
            rows in axis(),
            cols in axis(),
        ) {
            proptest::prop_assume!(rows != cols);
            let n = projects.len() as u32;
            let pairs: Vec<(u32, u32)> =
                pairs.into_iter().filter(|(a, b)| a < &n && b < &n && a != b).collect();
            // the distinct projects, found independently: a project is counted unless an
            // earlier one is connected to it through the pairs
            let mut component: Vec<u32> = (0..n).collect();
            loop {
                let mut changed = false;
                for (a, b) in &pairs {
                    let low = component[*a as usize].min(component[*b as usize]);
                    for p in [*a, *b] {
                        if component[p as usize] != low {
                            component[p as usize] = low;
                            changed = true;
                        }
                    }
                }
                if !changed {
                    break;
                }
            }
            let distinct: Vec<usize> =
                (0..n as usize).filter(|p| component[*p] == *p as u32).collect();
            let mut expected: BTreeMap<&str, i128> = BTreeMap::new();
            let mut expected_usd: i128 = 0;
            for p in &distinct {
                if let Some((minor, currency)) = projects[*p].budget {
                    *expected.entry(currency).or_insert(0) += i128::from(minor);
                    expected_usd += i128::from(euros_at_1_1(currency, minor, None).unwrap_or(0));
                }
            }

            let all: Vec<u32> = (0..n).collect();
            let (counted, _) = fold_duplicates(&all, &duplicate_groups(&pairs));
            prop_assert_eq!(counted.iter().map(|p| *p as usize).collect::<Vec<_>>(), distinct.clone());
            let sums = aggregate_matrix(
                counted.iter().map(|p| projects[*p as usize].input()),
                rows,
                cols,
                &euros_at_1_1,
                same,
            );
            // every amount in ten-thousandths, whatever the currency's decimals
            let scale = |currency: &str| 10i128.pow(4 - Currency::parse(currency).expect("currency").minor_units());
            let mut in_matrix: BTreeMap<String, i128> = BTreeMap::new();
            let mut usd_in_matrix: i128 = 0;
            for amounts in sums.cells.iter().map(|c| &c.budget_by_currency).chain([&sums.outside_cells.budget_by_currency]) {
                for m in amounts {
                    *in_matrix.entry(m.currency.clone()).or_insert(0) += minor_of(&m.amount);
                }
            }
            for usd in sums.cells.iter().map(|c| &c.budget_usd).chain([&sums.outside_cells.budget_usd]) {
                usd_in_matrix += minor_of(usd);
            }
            let expected: BTreeMap<String, i128> = expected
                .into_iter()
                .map(|(c, minor)| (c.to_string(), minor * scale(c)))
                .collect();
            let totals: BTreeMap<String, i128> = sums
                .totals
                .budget_by_currency
                .iter()
                .map(|m| (m.currency.clone(), minor_of(&m.amount)))
                .collect();
            prop_assert_eq!(&in_matrix, &expected);
            prop_assert_eq!(&totals, &expected);
            prop_assert_eq!(usd_in_matrix, expected_usd * 100);
            prop_assert_eq!(minor_of(&sums.totals.budget_usd), expected_usd * 100);
            prop_assert_eq!(sums.totals.projects, distinct.len() as i64);
        }
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
