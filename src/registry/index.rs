//! An in-memory index of what the registry filters and counts by: for every project its
//! visibility, reporting organisation, status, dates, countries, themes, organisations and
//! budget, with codes interned. Facet counts, the matrix and the gaps add up every
//! matching project; doing that in SQL over 100,000 projects costs hundreds of
//! milliseconds, here a few.
//!
//! The index is loaded from the database and labelled with the database's registry token
//! and *generation*. Every registry write bumps the generation in its own transaction, and
//! every read compares the label with the database first: after a change has committed, no
//! reader is answered from an older index (one loaded a moment after a change may carry a
//! newer label's data under the older label; it is then reloaded, never wrong). A full load
//! of 100,000 projects takes a fraction of a second and happens once per change, on the
//! first read after it.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDate;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Bool, Date, Nullable, Text};

use super::model::{FacetCount, Facets, Filters, ProjectStatus};
use super::rules::{MatrixInput, Scope, runs_on};
use super::store::{self, RawSql};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::taxonomy;

/// Strings stored once, referred to by number.
#[derive(Debug, Default)]
struct Interner {
    values: Vec<String>,
    numbers: HashMap<String, u32>,
}

impl Interner {
    fn intern(&mut self, value: &str) -> u32 {
        if let Some(n) = self.numbers.get(value) {
            return *n;
        }
        let n = self.values.len() as u32;
        self.values.push(value.to_string());
        self.numbers.insert(value.to_string(), n);
        n
    }

    fn get(&self, value: &str) -> Option<u32> {
        self.numbers.get(value).copied()
    }

    fn name(&self, n: u32) -> &str {
        &self.values[n as usize]
    }
}

#[derive(Debug)]
struct Entry {
    id: Box<str>,
    /// SQLite's rowid, which the full-text index answers with (0 on PostgreSQL).
    seq: i64,
    published: bool,
    reporting_org: u32,
    status: ProjectStatus,
    start_on: Option<NaiveDate>,
    end_on: Option<NaiveDate>,
    countries: Box<[u32]>,
    /// Themes as given.
    themes: Box<[u32]>,
    /// Themes as given and the four P each implies.
    all_themes: Box<[u32]>,
    orgs: Box<[u32]>,
    budget_minor: Option<i64>,
    currency: Option<u32>,
}

#[derive(Debug)]
pub struct RegistryIndex {
    generation: i64,
    /// In id (creation) order.
    entries: Vec<Entry>,
    by_seq: HashMap<i64, u32>,
    by_id: HashMap<Box<str>, u32>,
    countries: Interner,
    themes: Interner,
    orgs: Interner,
    currencies: Interner,
}

#[derive(QueryableByName)]
struct LoadRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = BigInt)]
    seq: i64,
    #[diesel(sql_type = Bool)]
    published: bool,
    #[diesel(sql_type = Text)]
    reporting_org_id: String,
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Nullable<Date>)]
    start_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Date>)]
    end_on: Option<NaiveDate>,
    #[diesel(sql_type = Text)]
    countries: String,
    #[diesel(sql_type = Text)]
    themes: String,
    #[diesel(sql_type = Text)]
    org_ids: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    budget_minor: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    currency: Option<String>,
}

impl RegistryIndex {
    fn load(conn: &mut DbConn, generation: i64) -> AppResult<Self> {
        let mut sql = RawSql::new(conn);
        let seq = if matches!(conn, DbConn::Sqlite(_)) {
            "p.seq"
        } else {
            "CAST(0 AS BIGINT)"
        };
        sql.push(&format!(
            "SELECT p.id, {seq} AS seq, p.published, p.reporting_org_id, p.status, p.start_on, p.end_on, p.countries, p.themes, p.org_ids, p.budget_minor, p.currency FROM registry_projects p ORDER BY p.id"
        ));
        let mut rows: Vec<LoadRow> = sql.load(conn)?;
        // id order as Rust compares, whatever the database's collation
        rows.sort_by(|a, b| a.id.cmp(&b.id));
        let mut index = RegistryIndex {
            generation,
            entries: Vec::with_capacity(rows.len()),
            by_seq: HashMap::with_capacity(rows.len()),
            by_id: HashMap::with_capacity(rows.len()),
            countries: Interner::default(),
            themes: Interner::default(),
            orgs: Interner::default(),
            currencies: Interner::default(),
        };
        for row in rows {
            let position = index.entries.len() as u32;
            let themes: Vec<u32> = row
                .themes
                .split_whitespace()
                .map(|t| index.themes.intern(t))
                .collect();
            let mut all_themes: BTreeSet<u32> = themes.iter().copied().collect();
            for t in row.themes.split_whitespace() {
                all_themes.insert(index.themes.intern(taxonomy::top_theme(t)));
            }
            let entry = Entry {
                id: row.id.into_boxed_str(),
                seq: row.seq,
                published: row.published,
                reporting_org: index.orgs.intern(&row.reporting_org_id),
                status: ProjectStatus::from_db(&row.status)?,
                start_on: row.start_on,
                end_on: row.end_on,
                countries: row
                    .countries
                    .split_whitespace()
                    .map(|c| index.countries.intern(c))
                    .collect(),
                themes: themes.into_boxed_slice(),
                all_themes: all_themes.into_iter().collect(),
                orgs: row
                    .org_ids
                    .split_whitespace()
                    .map(|o| index.orgs.intern(o))
                    .collect(),
                budget_minor: row.budget_minor,
                currency: row.currency.as_deref().map(|c| index.currencies.intern(c)),
            };
            index.by_seq.insert(entry.seq, position);
            index.by_id.insert(entry.id.clone(), position);
            index.entries.push(entry);
        }
        Ok(index)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Positions of the projects `scope` may see that pass `filters`; `text` holds the
    /// full-text matches when the filters have words.
    pub fn select(&self, filters: &Filters, scope: &Scope, text: Option<&TextHits>) -> Vec<u32> {
        let wanted = |interner: &Interner, values: &[String]| -> Option<Vec<u32>> {
            if values.is_empty() {
                None
            } else {
                Some(values.iter().filter_map(|v| interner.get(v)).collect())
            }
        };
        let countries = wanted(&self.countries, &filters.countries);
        let themes = wanted(&self.themes, &filters.themes);
        let orgs = wanted(&self.orgs, &filters.org_ids);
        let members: Option<Vec<u32>> = match scope {
            Scope::Members(orgs) => Some(orgs.iter().filter_map(|o| self.orgs.get(o)).collect()),
            _ => None,
        };
        let text_mask: Option<Vec<bool>> = text.map(|hits| {
            let mut mask = vec![false; self.entries.len()];
            match hits {
                TextHits::Seqs(seqs) => {
                    for s in seqs {
                        if let Some(p) = self.by_seq.get(s) {
                            mask[*p as usize] = true;
                        }
                    }
                }
                TextHits::Ids(ids) => {
                    for id in ids {
                        if let Some(p) = self.by_id.get(id.as_str()) {
                            mask[*p as usize] = true;
                        }
                    }
                }
            }
            mask
        });
        let any = |have: &[u32], want: &Option<Vec<u32>>| match want {
            None => true,
            Some(w) => have.iter().any(|h| w.contains(h)),
        };
        let mut out = Vec::new();
        for (position, e) in self.entries.iter().enumerate() {
            let visible = match scope {
                Scope::All => true,
                Scope::Public => e.published,
                Scope::Members(_) => {
                    e.published
                        || members
                            .as_ref()
                            .is_some_and(|m| m.contains(&e.reporting_org))
                }
            };
            if !visible
                || filters.published.is_some_and(|p| p != e.published)
                || (!filters.statuses.is_empty() && !filters.statuses.contains(&e.status))
                || filters
                    .active_on
                    .is_some_and(|day| !runs_on(e.start_on, e.end_on, day))
                || !any(&e.countries, &countries)
                || !any(&e.all_themes, &themes)
                || !any(&e.orgs, &orgs)
                || text_mask.as_ref().is_some_and(|m| !m[position])
            {
                continue;
            }
            out.push(position as u32);
        }
        out
    }

    /// Ids of the matched projects after `after` in id order: up to `limit + 1`.
    pub fn page(&self, matched: &[u32], after: Option<&str>, limit: usize) -> Vec<String> {
        let start = match after {
            Some(after) => matched.partition_point(|p| &*self.entries[*p as usize].id <= after),
            None => 0,
        };
        matched[start..]
            .iter()
            .take(limit + 1)
            .map(|p| self.entries[*p as usize].id.to_string())
            .collect()
    }

    /// Counts per filter value over the matched projects.
    pub fn facets(&self, matched: &[u32]) -> Facets {
        let mut countries = vec![0i64; self.countries.values.len()];
        let mut themes = vec![0i64; self.themes.values.len()];
        let mut orgs = vec![0i64; self.orgs.values.len()];
        let mut statuses: HashMap<&'static str, i64> = HashMap::new();
        for p in matched {
            let e = &self.entries[*p as usize];
            for c in e.countries.iter() {
                countries[*c as usize] += 1;
            }
            for t in e.all_themes.iter() {
                themes[*t as usize] += 1;
            }
            for o in e.orgs.iter() {
                orgs[*o as usize] += 1;
            }
            *statuses.entry(e.status.as_str()).or_insert(0) += 1;
        }
        let counts = |interner: &Interner, counts: Vec<i64>, limit: usize| {
            let mut out: Vec<FacetCount> = counts
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(i, count)| FacetCount {
                    value: interner.name(i as u32).to_string(),
                    count,
                })
                .collect();
            out.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
            out.truncate(limit);
            out
        };
        let mut status: Vec<FacetCount> = statuses
            .into_iter()
            .map(|(value, count)| FacetCount {
                value: value.to_string(),
                count,
            })
            .collect();
        status.sort_by(|a, b| b.count.cmp(&a.count).then(a.value.cmp(&b.value)));
        Facets {
            country: counts(&self.countries, countries, usize::MAX),
            theme: counts(&self.themes, themes, usize::MAX),
            org_id: counts(&self.orgs, orgs, 50),
            status,
        }
    }

    /// What the matrix adds up, borrowed from the index.
    pub fn matrix_inputs<'a>(
        &'a self,
        matched: &'a [u32],
    ) -> impl Iterator<Item = MatrixInput<'a>> {
        matched.iter().map(move |p| {
            let e = &self.entries[*p as usize];
            MatrixInput {
                countries: e
                    .countries
                    .iter()
                    .map(|c| self.countries.name(*c))
                    .collect(),
                themes: e.themes.iter().map(|t| self.themes.name(*t)).collect(),
                org_ids: e.orgs.iter().map(|o| self.orgs.name(*o)).collect(),
                status: e.status,
                budget_minor: e.budget_minor,
                currency: e.currency.map(|c| self.currencies.name(c)),
                start_on: e.start_on,
            }
        })
    }

    /// Every country the matched projects work in, sorted.
    pub fn countries_of(&self, matched: &[u32]) -> Vec<String> {
        let mut seen = vec![false; self.countries.values.len()];
        for p in matched {
            for c in self.entries[*p as usize].countries.iter() {
                seen[*c as usize] = true;
            }
        }
        let mut out: Vec<String> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| **s)
            .map(|(i, _)| self.countries.name(i as u32).to_string())
            .collect();
        out.sort();
        out
    }

    /// Countries and themes (as given) of the matched projects.
    pub fn places_and_themes(&self, matched: &[u32]) -> Vec<(Vec<String>, Vec<String>)> {
        matched
            .iter()
            .map(|p| {
                let e = &self.entries[*p as usize];
                (
                    e.countries
                        .iter()
                        .map(|c| self.countries.name(*c).to_string())
                        .collect(),
                    e.themes
                        .iter()
                        .map(|t| self.themes.name(*t).to_string())
                        .collect(),
                )
            })
            .collect()
    }
}

/// What the full-text index matched: SQLite rowids or PostgreSQL ids.
#[derive(Debug)]
pub enum TextHits {
    Seqs(Vec<i64>),
    Ids(Vec<String>),
}

/// The projects whose words include all of `terms`.
pub fn text_hits(conn: &mut DbConn, terms: &[String]) -> AppResult<TextHits> {
    Ok(match conn {
        DbConn::Sqlite(_) => TextHits::Seqs(store::fts_rowids(conn, terms)?),
        DbConn::Postgres(_) => TextHits::Ids(store::fts_ids(conn, terms)?),
    })
}

/// Indexes by database token; a process serves one database, tests a few.
fn indexes() -> &'static Mutex<HashMap<String, Arc<RegistryIndex>>> {
    static INDEXES: OnceLock<Mutex<HashMap<String, Arc<RegistryIndex>>>> = OnceLock::new();
    INDEXES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// One load at a time: readers arriving during a load wait for it instead of repeating it.
fn loading() -> &'static Mutex<()> {
    static LOADING: OnceLock<Mutex<()>> = OnceLock::new();
    LOADING.get_or_init(|| Mutex::new(()))
}

const MAX_DATABASES: usize = 16;

fn cached(token: &str, generation: i64) -> Option<Arc<RegistryIndex>> {
    let map = indexes().lock().unwrap_or_else(|e| e.into_inner());
    map.get(token)
        .filter(|index| index.generation == generation)
        .cloned()
}

/// The index of the registry as it stands, loading it when a change made it stale.
pub fn current(conn: &mut DbConn) -> AppResult<Arc<RegistryIndex>> {
    let (token, generation) = store::state(conn)?;
    if let Some(index) = cached(&token, generation) {
        return Ok(index);
    }
    let _one_at_a_time = loading().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(index) = cached(&token, generation) {
        return Ok(index);
    }
    let index = Arc::new(RegistryIndex::load(conn, generation)?);
    let mut map = indexes().lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= MAX_DATABASES && !map.contains_key(&token) {
        map.clear();
    }
    map.insert(token, index.clone());
    Ok(index)
}
