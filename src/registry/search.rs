//! Reading the registry: full-text search with facets, the who-does-what-where matrix,
//! gaps, and overlap candidates. Each function takes a connection (callers run it inside
//! `db::run`), the filters and the reader's scope.
//!
//! Facet counts, the matrix and the gaps add up every matching project, which on a large
//! registry costs far more than the page of results. They are cached in the process,
//! keyed by the query, the reader's scope and the database's registry *generation*: every
//! registry write bumps the generation in its own transaction, so a cached figure is never
//! served after a change has committed (a figure computed a moment after a change may be
//! filed under the previous generation; it is then only ever recomputed, never wrong).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use chrono::NaiveDate;

use super::model::{
    Facets, Filters, GapsView, MatrixAxis, MatrixView, OverlapSubject, ProjectView, SearchView,
};
use super::overlap::{self, Features, Idf, Scored};
use super::rules::{self, Scope};
use super::store::{self, ProjectRow, ReviewRow};
use super::text;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::http::Page;
use crate::taxonomy;

#[derive(Debug, Clone)]
enum Cached {
    Facets(i64, Facets),
    Matrix(MatrixView),
    Gaps(GapsView),
}

struct Entry {
    generation: i64,
    value: Arc<Cached>,
}

const CACHE_CAPACITY: usize = 512;

fn cache() -> &'static Mutex<HashMap<String, Entry>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Entry>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The cached value for `key` at the database's current generation, or `compute` it.
fn cached(
    conn: &mut DbConn,
    key: String,
    compute: impl FnOnce(&mut DbConn) -> AppResult<Cached>,
) -> AppResult<Arc<Cached>> {
    let (token, generation) = store::state(conn)?;
    let key = format!("{token}|{key}");
    if let Ok(map) = cache().lock()
        && let Some(entry) = map.get(&key)
        && entry.generation == generation
    {
        return Ok(entry.value.clone());
    }
    let value = Arc::new(compute(conn)?);
    if let Ok(mut map) = cache().lock() {
        if map.len() >= CACHE_CAPACITY {
            map.retain(|_, e| e.generation >= generation);
            if map.len() >= CACHE_CAPACITY {
                map.clear();
            }
        }
        map.insert(
            key,
            Entry {
                generation,
                value: value.clone(),
            },
        );
    }
    Ok(value)
}

/// A page of matching projects in creation order, with the total and facet counts.
pub fn search(
    conn: &mut DbConn,
    filters: &Filters,
    scope: &Scope,
    page: &Page,
) -> AppResult<SearchView> {
    let rows = store::search_page(conn, filters, scope, page)?;
    let more = rows.len() as i64 > page.limit;
    let mut items: Vec<ProjectView> = rows
        .into_iter()
        .take(page.limit as usize)
        .map(ProjectRow::into_view)
        .collect::<AppResult<_>>()?;
    let next_cursor = if more {
        items.last().map(|p| p.id.clone())
    } else {
        None
    };
    let key = format!("facets|{}|{filters:?}", scope.key());
    let (total, facets) = match &*cached(conn, key, |conn| {
        let (total, facets) = store::facets(conn, filters, scope)?;
        Ok(Cached::Facets(total, facets))
    })? {
        Cached::Facets(total, facets) => (*total, facets.clone()),
        _ => (0, Facets::default()),
    };
    items.shrink_to_fit();
    Ok(SearchView {
        items,
        next_cursor,
        total,
        facets,
    })
}

pub const CONVERSION_NOTE: &str = "Budgets in USD are summed as they are. Budgets in other currencies are listed per currency in budget_by_currency and counted in unconverted_projects: no exchange rates are recorded yet.";

/// Projects per cell of `rows` × `cols` with organisations and budgets.
pub fn matrix(
    conn: &mut DbConn,
    filters: &Filters,
    scope: &Scope,
    rows: MatrixAxis,
    cols: MatrixAxis,
) -> AppResult<MatrixView> {
    let key = format!(
        "matrix|{}|{}|{}|{filters:?}",
        scope.key(),
        rows.as_str(),
        cols.as_str()
    );
    let value = cached(conn, key, |conn| {
        let inputs = store::matrix_inputs(conn, filters, scope)?;
        let sums = rules::aggregate_matrix(inputs, rows, cols, &rules::usd_only);
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for cell in &sums.cells {
            ids.extend(cell.organisations.iter().map(|o| o.id.clone()));
        }
        if rows == MatrixAxis::Organisation {
            ids.extend(sums.row_values.iter().cloned());
        }
        let names = store::organisation_names(conn, &ids.into_iter().collect::<Vec<_>>())?;
        let mut cells = sums.cells;
        for cell in &mut cells {
            for org in &mut cell.organisations {
                org.name = names.get(&org.id).cloned().unwrap_or_default();
            }
        }
        Ok(Cached::Matrix(MatrixView {
            rows,
            cols,
            row_values: sums.row_values,
            col_values: sums.col_values,
            cells,
            conversion: CONVERSION_NOTE.to_string(),
        }))
    })?;
    match &*value {
        Cached::Matrix(m) => Ok(m.clone()),
        _ => Err(crate::error::AppError::internal(
            "matrix cache held another value",
        )),
    }
}

/// The country × theme cells with no active project running on `day`.
pub fn gaps(
    conn: &mut DbConn,
    scope: &Scope,
    countries: Option<Vec<String>>,
    themes: Option<Vec<String>>,
    day: NaiveDate,
) -> AppResult<GapsView> {
    let key = format!("gaps|{}|{countries:?}|{themes:?}|{day}", scope.key());
    let value = cached(conn, key, |conn| {
        let countries = match countries {
            Some(c) => c,
            None => store::registry_countries(conn, scope)?,
        };
        let themes =
            themes.unwrap_or_else(|| taxonomy::TOP_THEMES.iter().map(|t| t.to_string()).collect());
        let running = if countries.is_empty() || themes.is_empty() {
            Vec::new()
        } else {
            store::running_projects(conn, scope, day, &countries, &themes)?
        };
        let covered = rules::covered_cells(running);
        let gaps = rules::gaps(&countries, &themes, &covered);
        let asked = (countries.len() * themes.len()) as i64;
        Ok(Cached::Gaps(GapsView {
            on: day,
            covered: asked - gaps.len() as i64,
            countries,
            themes,
            gaps,
        }))
    })?;
    match &*value {
        Cached::Gaps(g) => Ok(g.clone()),
        _ => Err(crate::error::AppError::internal(
            "gaps cache held another value",
        )),
    }
}

/// Words looked up per overlap check, and how many of the rarest are searched.
const WORDS_CONSIDERED: usize = 30;
const WORDS_SEARCHED: usize = 10;
/// A word in more projects than this says little about duplicates.
const COMMON_WORD: i64 = 1000;
const TEXT_CANDIDATES: i64 = 100;
const STRUCTURAL_CANDIDATES: i64 = 60;

/// A scored candidate and its review entry, if the pair has one.
pub struct Candidate {
    pub row: ProjectRow,
    pub scored: Scored,
    pub review: Option<ReviewRow>,
}

/// Projects that may duplicate `subject`, best first, at most `limit`, scoring at least
/// the flag threshold. Pairs already resolved in the review queue are left out.
pub fn overlap_candidates(
    conn: &mut DbConn,
    subject: &OverlapSubject,
    scope: &Scope,
    limit: usize,
) -> AppResult<Vec<Candidate>> {
    let features = Features::new(
        subject,
        &text::search_text(&subject.title, &subject.description),
    );
    let own = i64::from(subject.id.is_some());
    let words = features.telling_words(WORDS_CONSIDERED);
    let frequencies = store::word_frequencies(conn, &words, COMMON_WORD + 1)?;
    let mut ranked: Vec<(i64, &String)> = words
        .iter()
        .map(|w| (frequencies.get(w).copied().unwrap_or(0) - own, w))
        .filter(|(docs, _)| *docs > 0)
        .collect();
    ranked.sort_by_key(|(docs, _)| *docs);
    let rare: Vec<String> = ranked
        .iter()
        .filter(|(docs, _)| *docs <= COMMON_WORD)
        .take(WORDS_SEARCHED)
        .map(|(_, w)| (*w).clone())
        .collect();
    let search_words = if rare.is_empty() {
        ranked.iter().take(3).map(|(_, w)| (*w).clone()).collect()
    } else {
        rare
    };
    let mut ids = store::text_candidates(conn, subject, scope, &search_words, TEXT_CANDIDATES)?;
    let org_ids: Vec<String> = features
        .organisations
        .keys()
        .filter_map(|k| k.strip_prefix("id:").map(str::to_string))
        .collect();
    let themes: Vec<String> = if features.has_text() {
        Vec::new()
    } else {
        features.themes.iter().cloned().collect()
    };
    ids.extend(store::structural_candidates(
        conn,
        subject,
        scope,
        &org_ids,
        &themes,
        STRUCTURAL_CANDIDATES,
    )?);
    ids.sort();
    ids.dedup();
    let reviews: HashMap<String, ReviewRow> = match &subject.id {
        Some(id) => store::reviews_of(conn, id)?
            .into_iter()
            .map(|r| (r.other(id).to_string(), r))
            .collect(),
        None => HashMap::new(),
    };
    let mut pool = Vec::new();
    for row in store::find_many(conn, &ids)? {
        let review = reviews.get(&row.id).cloned();
        if review
            .as_ref()
            .is_some_and(|r| r.status == super::model::ReviewStatus::Resolved.as_str())
        {
            continue;
        }
        let other = Features::new(&row.overlap_subject()?, &row.search_text);
        pool.push((row, other, review));
    }
    let idf = Idf::of_pool(std::iter::once(&features).chain(pool.iter().map(|(_, f, _)| f)));
    let mut out = Vec::new();
    for (row, other, review) in pool {
        if let Some(scored) = overlap::score(&features, &other, &idf)
            && scored.score >= overlap::FLAG_THRESHOLD
        {
            out.push(Candidate {
                row,
                scored,
                review,
            });
        }
    }
    out.sort_by(|a, b| {
        b.scored
            .score
            .total_cmp(&a.scored.score)
            .then(a.row.id.cmp(&b.row.id))
    });
    out.truncate(limit);
    Ok(out)
}
