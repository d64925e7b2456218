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
use diesel::prelude::*;

use super::fnv::FastMap;
use super::model::{FacetCount, Facets, Filters, ProjectStatus};
use super::rules::{self, MatrixInput, Scope, runs_on};
use super::store;
use crate::db::DbConn;
use crate::error::AppResult;

/// Strings stored once, referred to by number.
#[derive(Debug, Default)]
struct Interner {
    values: Vec<String>,
    numbers: FastMap<String, u32>,
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
    /// The project's own flag, which the `published` filter asks about.
    published: bool,
    /// Whether the public sees it (`rules::is_public`: published, organisation verified).
    public: bool,
    reporting_org: u32,
    status: ProjectStatus,
    start_on: Option<NaiveDate>,
    end_on: Option<NaiveDate>,
    countries: Box<[u32]>,
    /// How the budget is shared (`rules::place_weights`, `rules::theme_weights`).
    country_weights: Box<[u64]>,
    region_weight: u64,
    /// Themes as given.
    themes: Box<[u32]>,
    theme_weights: Box<[u64]>,
    theme_rest: u64,
    /// Themes as given and the four P each implies.
    all_themes: Box<[u32]>,
    /// The four P of the themes, with the weights of their themes summed.
    top_themes: Box<[u32]>,
    top_weights: Box<[u64]>,
    /// `status` as its place in `ProjectStatus::ALL`.
    status_key: u32,
    orgs: Box<[u32]>,
    budget_minor: Option<i64>,
    currency: Option<u32>,
}

#[derive(Debug)]
pub struct RegistryIndex {
    generation: i64,
    /// In id (creation) order.
    entries: Vec<Entry>,
    by_seq: FastMap<i64, u32>,
    by_id: FastMap<Box<str>, u32>,
    countries: Interner,
    themes: Interner,
    orgs: Interner,
    currencies: Interner,
    /// Per project paired as a duplicate, its group (`rules::duplicate_groups`).
    duplicates: FastMap<u32, u32>,
    /// Indexed words and, per word, the positions of the projects that use it; built on
    /// the first overlap check, since search, matrix and gaps do not need them.
    postings: OnceLock<Postings>,
    building_postings: std::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct Postings {
    words: Interner,
    lists: Vec<Vec<u32>>,
}

/// One project as the index loads it.
type LoadRow = (
    String,
    i64,
    bool,
    Option<bool>,
    String,
    ProjectStatus,
    Option<NaiveDate>,
    Option<NaiveDate>,
    String,
    String,
    String,
    Option<i64>,
    Option<String>,
    (String, String, String, String),
);

impl RegistryIndex {
    fn load(conn: &mut DbConn, generation: i64) -> AppResult<Self> {
        let started = std::time::Instant::now();
        use crate::db::schema::{organisations as o, registry_projects as p};
        // the reporting organisation's verification decides visibility with the project's
        // own flag; verifying an organisation bumps the registry generation, so this
        // reloads then
        let mut rows: Vec<LoadRow> = p::table
            .left_join(o::table.on(o::id.eq(p::reporting_org_id)))
            .select((
                p::id,
                p::seq,
                p::published,
                o::verified.nullable(),
                p::reporting_org_id,
                p::status,
                p::start_on,
                p::end_on,
                p::countries,
                p::themes,
                p::org_ids,
                p::budget_minor,
                p::currency,
                (
                    p::country_percentages,
                    p::regions,
                    p::region_percentages,
                    p::theme_percentages,
                ),
            ))
            .load(conn)?;
        let read = started.elapsed();
        // id order as Rust compares, whatever the database's collation
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut index = RegistryIndex {
            generation,
            entries: Vec::with_capacity(rows.len()),
            by_seq: FastMap::default(),
            by_id: FastMap::default(),
            countries: Interner::default(),
            themes: Interner::default(),
            orgs: Interner::default(),
            currencies: Interner::default(),
            duplicates: FastMap::default(),
            postings: OnceLock::new(),
            building_postings: std::sync::Mutex::new(()),
        };
        for (
            id,
            seq,
            published,
            verified,
            reporting_org_id,
            status,
            start_on,
            end_on,
            countries,
            themes_text,
            org_ids,
            budget_minor,
            currency,
            (country_percentages, regions, region_percentages, theme_percentages),
        ) in rows
        {
            let position = index.entries.len() as u32;
            let theme_codes: Vec<&str> = themes_text.split_whitespace().collect();
            let themes: Vec<u32> = theme_codes.iter().map(|t| index.themes.intern(t)).collect();
            let mut all_themes: BTreeSet<u32> = themes.iter().copied().collect();
            let shares = Shares::parse(
                countries.split_whitespace().count(),
                &country_percentages,
                regions.split_whitespace().count(),
                &region_percentages,
                theme_codes.len(),
                &theme_percentages,
            );
            let (top_codes, top_weights) =
                rules::top_theme_weights(&theme_codes, &shares.themes.each);
            let top_themes: Vec<u32> = top_codes.iter().map(|t| index.themes.intern(t)).collect();
            all_themes.extend(top_themes.iter().copied());
            let entry = Entry {
                id: id.into_boxed_str(),
                seq,
                published,
                public: rules::is_public(published, verified.unwrap_or(false)),
                reporting_org: index.orgs.intern(&reporting_org_id),
                status,
                status_key: ProjectStatus::ALL
                    .iter()
                    .position(|s| *s == status)
                    .unwrap_or(0) as u32,
                start_on,
                end_on,
                countries: countries
                    .split_whitespace()
                    .map(|c| index.countries.intern(c))
                    .collect(),
                country_weights: shares.places.each.into_boxed_slice(),
                region_weight: shares.places.rest,
                themes: themes.into_boxed_slice(),
                theme_weights: shares.themes.each.into_boxed_slice(),
                theme_rest: shares.themes.rest,
                all_themes: all_themes.into_iter().collect(),
                top_themes: top_themes.into_boxed_slice(),
                top_weights: top_weights.into_boxed_slice(),
                orgs: org_ids
                    .split_whitespace()
                    .map(|o| index.orgs.intern(o))
                    .collect(),
                budget_minor,
                currency: currency.as_deref().map(|c| index.currencies.intern(c)),
            };
            index.by_seq.insert(entry.seq, position);
            index.by_id.insert(entry.id.clone(), position);
            index.entries.push(entry);
        }
        let pairs: Vec<(u32, u32)> = store::duplicate_pairs(conn)?
            .into_iter()
            .filter_map(|(a, b)| {
                Some((*index.by_id.get(a.as_str())?, *index.by_id.get(b.as_str())?))
            })
            .collect();
        index.duplicates = rules::duplicate_groups(&pairs);
        tracing::info!(
            projects = index.entries.len(),
            generation,
            read_ms = read.as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "registry index loaded"
        );
        Ok(index)
    }

    /// The word postings, read and built on first use, by one caller: others wait for it
    /// rather than build them again.
    fn postings(&self, conn: &mut DbConn) -> AppResult<&Postings> {
        if let Some(postings) = self.postings.get() {
            return Ok(postings);
        }
        let _one_at_a_time = self
            .building_postings
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(postings) = self.postings.get() {
            return Ok(postings);
        }
        let started = std::time::Instant::now();
        let mut postings = Postings::default();
        let mut word_ids: Vec<u32> = Vec::new();
        for (seq, text) in store::all_search_texts(conn)? {
            // a project written since this index was loaded is not in it
            let Some(position) = self.by_seq.get(&seq).copied() else {
                continue;
            };
            word_ids.clear();
            word_ids.extend(text.split_whitespace().map(|w| postings.words.intern(w)));
            word_ids.sort_unstable();
            word_ids.dedup();
            for w in &word_ids {
                let w = *w as usize;
                if w == postings.lists.len() {
                    postings.lists.push(Vec::new());
                }
                postings.lists[w].push(position);
            }
        }
        for list in &mut postings.lists {
            list.sort_unstable();
        }
        tracing::info!(
            words = postings.lists.len(),
            total_ms = started.elapsed().as_millis() as u64,
            "registry word postings built"
        );
        Ok(self.postings.get_or_init(|| postings))
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
            for s in &hits.0 {
                if let Some(p) = self.by_seq.get(s) {
                    mask[*p as usize] = true;
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
            let visible = scope.admits(e.public, || {
                members
                    .as_ref()
                    .is_some_and(|m| m.contains(&e.reporting_org))
            });
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

    /// The matched projects that count, a duplicate pair once (`rules::fold_duplicates`),
    /// and the folded ones with the project each folded into.
    pub fn fold(&self, matched: &[u32]) -> (Vec<u32>, Vec<(u32, u32)>) {
        if self.duplicates.is_empty() {
            return (matched.to_vec(), Vec::new());
        }
        rules::fold_duplicates(matched, &self.duplicates)
    }

    /// The id of the project at a position.
    pub fn id_at(&self, position: u32) -> &str {
        &self.entries[position as usize].id
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

    /// What the matrix adds up, borrowed from the index: values are interned numbers,
    /// spelt by `axis_name`.
    pub fn matrix_inputs<'a>(
        &'a self,
        matched: &'a [u32],
    ) -> impl Iterator<Item = MatrixInput<'a, u32>> + 'a {
        matched.iter().map(move |p| {
            let e = &self.entries[*p as usize];
            MatrixInput {
                countries: &e.countries,
                country_weights: &e.country_weights,
                region_weight: e.region_weight,
                themes: &e.themes,
                theme_weights: &e.theme_weights,
                top_themes: &e.top_themes,
                top_weights: &e.top_weights,
                theme_rest: e.theme_rest,
                org_ids: &e.orgs,
                orgs_left_out: 0,
                status: e.status_key,
                budget_minor: e.budget_minor,
                currency: e.currency.map(|c| self.currencies.name(c)),
                start_on: e.start_on,
            }
        })
    }

    /// The name of an interned value of a matrix axis.
    pub fn axis_name(&self, axis: super::model::MatrixAxis, value: u32) -> &str {
        use super::model::MatrixAxis;
        match axis {
            MatrixAxis::Country => self.countries.name(value),
            MatrixAxis::Theme | MatrixAxis::SubTheme => self.themes.name(value),
            MatrixAxis::Organisation => self.orgs.name(value),
            MatrixAxis::Status => ProjectStatus::ALL
                .get(value as usize)
                .map_or("", |s| s.as_str()),
        }
    }

    /// The interned number of an organisation id.
    pub fn organisation_key(&self, id: &str) -> Option<u32> {
        self.orgs.get(id)
    }

    /// The `n` organisations taking part in most of the matched projects.
    pub fn top_organisations(&self, matched: &[u32], n: usize) -> (Vec<String>, usize) {
        let mut counts = vec![0i64; self.orgs.values.len()];
        for p in matched {
            for o in self.entries[*p as usize].orgs.iter() {
                counts[*o as usize] += 1;
            }
        }
        let mut ranked: Vec<(i64, u32)> = counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(o, c)| (*c, o as u32))
            .collect();
        let total = ranked.len();
        ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        ranked.truncate(n);
        (
            ranked
                .into_iter()
                .map(|(_, o)| self.orgs.name(o).to_string())
                .collect(),
            total.saturating_sub(n),
        )
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

/// How many candidates an overlap check scores in full: the best text matches, and the
/// newest projects sharing an organisation (or, for a draft without words, a theme).
pub const TEXT_CANDIDATES: usize = 100;
pub const STRUCTURAL_CANDIDATES: usize = 60;

fn dates_can_meet(
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    other_start: Option<NaiveDate>,
    other_end: Option<NaiveDate>,
) -> bool {
    let starts_in_time = match (other_start, end) {
        (Some(s), Some(e)) => s <= e,
        _ => true,
    };
    let ends_in_time = match (other_end, start) {
        (Some(e), Some(s)) => e >= s,
        _ => true,
    };
    starts_in_time && ends_in_time
}

impl RegistryIndex {
    /// Ids of the projects worth scoring against a subject: visible to `scope`, not the
    /// subject, in one of its countries (when it names any), with dates that can meet its
    /// own. Among them the best matches of its words — each shared word counts its weight
    /// in the subject times its inverse document frequency — and the newest projects that
    /// share a registered organisation (or, without words, a theme).
    pub fn overlap_pool(
        &self,
        conn: &mut DbConn,
        subject: &super::model::OverlapSubject,
        word_weights: &[(String, f64)],
        org_ids: &[String],
        scope: &Scope,
    ) -> AppResult<Vec<String>> {
        let countries: Vec<u32> = subject
            .countries
            .iter()
            .filter_map(|c| self.countries.get(c))
            .collect();
        if !subject.countries.is_empty() && countries.is_empty() {
            return Ok(Vec::new());
        }
        let postings = self.postings(conn)?;
        let own = subject
            .id
            .as_deref()
            .and_then(|id| self.by_id.get(id))
            .copied();
        let members: Vec<u32> = match scope {
            Scope::Members(orgs) => orgs.iter().filter_map(|o| self.orgs.get(o)).collect(),
            _ => Vec::new(),
        };
        let eligible = |position: u32| {
            let e = &self.entries[position as usize];
            scope.admits(e.public, || members.contains(&e.reporting_org))
                && Some(position) != own
                && (countries.is_empty() || e.countries.iter().any(|c| countries.contains(c)))
                && dates_can_meet(subject.start_on, subject.end_on, e.start_on, e.end_on)
        };

        let documents = self.entries.len() as f64;
        let mut scores = vec![0f32; self.entries.len()];
        for (word, weight) in word_weights {
            if let Some(w) = postings.words.get(word) {
                let postings = &postings.lists[w as usize];
                let idf = ((documents + 1.0) / (postings.len() as f64 + 1.0)).ln() + 1.0;
                let gain = (weight * idf) as f32;
                for p in postings {
                    scores[*p as usize] += gain;
                }
            }
        }
        let mut by_text: Vec<(f32, u32)> = scores
            .iter()
            .enumerate()
            .filter(|(p, s)| **s > 0.0 && eligible(*p as u32))
            .map(|(p, s)| (*s, p as u32))
            .collect();
        if by_text.len() > TEXT_CANDIDATES {
            by_text.select_nth_unstable_by(TEXT_CANDIDATES, |a, b| b.0.total_cmp(&a.0));
            by_text.truncate(TEXT_CANDIDATES);
        }
        let mut chosen: BTreeSet<u32> = by_text.into_iter().map(|(_, p)| p).collect();

        let orgs: Vec<u32> = org_ids.iter().filter_map(|o| self.orgs.get(o)).collect();
        let themes: Vec<u32> = if word_weights.is_empty() {
            subject
                .themes
                .iter()
                .filter_map(|t| self.themes.get(t))
                .collect()
        } else {
            Vec::new()
        };
        if !orgs.is_empty() || !themes.is_empty() {
            let mut found = 0;
            for position in (0..self.entries.len() as u32).rev() {
                let e = &self.entries[position as usize];
                let related = e.orgs.iter().any(|o| orgs.contains(o))
                    || e.all_themes.iter().any(|t| themes.contains(t));
                if related && eligible(position) {
                    chosen.insert(position);
                    found += 1;
                    if found == STRUCTURAL_CANDIDATES {
                        break;
                    }
                }
            }
        }
        Ok(chosen
            .into_iter()
            .map(|p| self.entries[p as usize].id.to_string())
            .collect())
    }
}

/// A project's budget weights, read from its stored percentages. Stored text that does
/// not parse (it never should: the application writes it) falls back to an even split
/// rather than failing every read of the registry.
struct Shares {
    places: rules::Weights,
    themes: rules::Weights,
}

impl Shares {
    fn parse(
        countries: usize,
        country_percentages: &str,
        regions: usize,
        region_percentages: &str,
        themes: usize,
        theme_percentages: &str,
    ) -> Self {
        let list = |text: &str| -> Option<Vec<rust_decimal::Decimal>> {
            text.split_whitespace().map(|p| p.parse().ok()).collect()
        };
        let places_given = !country_percentages.is_empty() || !region_percentages.is_empty();
        let (c, r) = if places_given {
            (list(country_percentages), list(region_percentages))
        } else {
            (None, None)
        };
        let t = (!theme_percentages.is_empty())
            .then(|| list(theme_percentages))
            .flatten();
        Shares {
            places: rules::place_weights(countries, c.as_deref(), r.as_deref(), regions),
            themes: rules::theme_weights(themes, t.as_deref()),
        }
    }
}

/// What the full-text index matched: the projects' `seq` numbers.
#[derive(Debug)]
pub struct TextHits(pub Vec<i64>);

/// The projects whose words include all of `terms`.
pub fn text_hits(conn: &mut DbConn, terms: &[String]) -> AppResult<TextHits> {
    Ok(TextHits(store::text_matches(conn, terms)?))
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

/// Loads the index and the word lists the overlap check scores with, so that the first
/// request after a start does not (a submission would do it inside its write transaction:
/// 0.8 s at 100,000 projects).
pub fn warm(conn: &mut DbConn) -> AppResult<()> {
    current(conn)?.postings(conn).map(|_| ())
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
