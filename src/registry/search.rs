//! Reading the registry: full-text search with facets, the who-does-what-where matrix,
//! gaps, and overlap candidates. Each function takes a connection (callers run it inside
//! `db::run`), the filters and the reader's scope.
//!
//! Search, facets, matrix and gaps filter and count in the in-memory `index` (kept in step
//! with the database by its generation counter); the full-text index answers which
//! projects contain the words, and the page's projects are then read from the database.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::index::{self, RegistryIndex};
use super::model::{Filters, GapsView, MatrixAxis, MatrixView, OverlapSubject, SearchView};
use super::overlap::{self, Features, Idf, Scored};
use super::rules::{self, Scope};
use super::store::{self, ProjectRow, ReviewRow};
use super::text;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::http::Page;
use crate::taxonomy;

/// The positions of the projects matching `filters` that `scope` may see.
fn matching(
    conn: &mut DbConn,
    index: &RegistryIndex,
    filters: &Filters,
    scope: &Scope,
) -> AppResult<Vec<u32>> {
    let hits = if filters.terms.is_empty() {
        None
    } else {
        Some(index::text_hits(conn, &filters.terms)?)
    };
    Ok(index.select(filters, scope, hits.as_ref()))
}

/// A page of matching projects in creation order, with the total and facet counts.
pub fn search(
    conn: &mut DbConn,
    filters: &Filters,
    scope: &Scope,
    page: &Page,
) -> AppResult<SearchView> {
    let index = index::current(conn)?;
    let matched = matching(conn, &index, filters, scope)?;
    let (counted, folded) = index.fold(&matched);
    let limit = page.limit as usize;
    let mut ids = index.page(&matched, page.after.as_deref(), limit);
    let more = ids.len() > limit;
    ids.truncate(limit);
    let mut rows = store::find_many(conn, &ids)?;
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let orgs: Vec<String> = rows.iter().map(|r| r.reporting_org_id.clone()).collect();
    let verified = store::verified_organisations(conn, &orgs)?;
    let items = rows
        .into_iter()
        .map(|row| {
            let standing = verified.contains(&row.reporting_org_id);
            row.into_view(standing)
        })
        .collect::<AppResult<Vec<_>>>()?;
    let next_cursor = if more { ids.last().cloned() } else { None };
    let duplicate_of = folded
        .iter()
        .map(|(later, first)| (index.id_at(*later), index.id_at(*first)))
        .filter(|(later, _)| items.iter().any(|i| i.id == *later))
        .map(|(later, first)| (later.to_string(), first.to_string()))
        .collect();
    Ok(SearchView {
        items,
        next_cursor,
        total: counted.len() as i64,
        listed: matched.len() as i64,
        duplicate_of,
        facets: index.facets(&counted),
    })
}

pub const COUNTING_NOTE: &str = "A project counts in every cell it touches, but its budget is shared out: across its countries and regions by the percentages its IATI file gives (evenly when none are given), and across its themes by its sector percentages (evenly when none are given). Each cell holds its share, outside_cells what no cell shows (regions, work outside the themes, projects without a value on an axis), and the cells with outside_cells sum to totals. A pair of projects resolved as duplicate in the overlap review queue counts once, as the first registered of the two.";

pub const CONVERSION_NOTE: &str = "budget_usd sums budgets in USD and budgets in other currencies converted with the exchange rate to USD valid on the project's start date (today for a project without one), as recorded with POST /api/v1/exchange-rates. A budget with no such rate is left out of budget_usd and counted in unconverted_projects; budget_by_currency lists every budget in its own currency.";

/// Projects per cell of `rows` × `cols` with organisations and budgets.
pub fn matrix(
    conn: &mut DbConn,
    filters: &Filters,
    scope: &Scope,
    rows: MatrixAxis,
    cols: MatrixAxis,
) -> AppResult<MatrixView> {
    let index = index::current(conn)?;
    let (matched, folded) = index.fold(&matching(conn, &index, filters, scope)?);
    // an organisation axis keeps the organisations with most projects: thousands of rows
    // are not a picture anyone can read
    let (kept, omitted_organisations) =
        if rows == MatrixAxis::Organisation || cols == MatrixAxis::Organisation {
            let (top, omitted) = index.top_organisations(&matched, MAX_ORGANISATIONS);
            let keys: Vec<u32> = top
                .iter()
                .filter_map(|id| index.organisation_key(id))
                .collect();
            (Some(keys), omitted as i64)
        } else {
            (None, 0)
        };
    let mut kept_orgs: Vec<Vec<u32>> = Vec::new();
    if let Some(keys) = &kept {
        kept_orgs = index
            .matrix_inputs(&matched)
            .map(|input| {
                input
                    .org_ids
                    .iter()
                    .copied()
                    .filter(|o| keys.contains(o))
                    .collect()
            })
            .collect();
    }
    let inputs = index
        .matrix_inputs(&matched)
        .enumerate()
        .map(|(i, mut input)| {
            if kept.is_some() {
                // the organisations not shown keep their share, outside the cells
                input.orgs_left_out = (input.org_ids.len() - kept_orgs[i].len()) as u64;
                input.org_ids = &kept_orgs[i];
            }
            input
        });
    let rates = rules::UsdRates::new(store::usd_rates(conn)?);
    let today = chrono::Utc::now().date_naive();
    let to_usd = |currency: &str, minor: i64, start: Option<NaiveDate>| {
        rates.to_usd(currency, minor, start.unwrap_or(today))
    };
    let sums = rules::aggregate_matrix(inputs, rows, cols, &to_usd, |axis, value| {
        index.axis_name(axis, value)
    });
    let mut ids: BTreeSet<String> = BTreeSet::new();
    for cell in &sums.cells {
        ids.extend(cell.organisations.iter().map(|o| o.id.clone()));
    }
    let names = store::organisation_names(conn, &ids.into_iter().collect::<Vec<_>>())?;
    let mut cells = sums.cells;
    for cell in &mut cells {
        for org in &mut cell.organisations {
            org.name = names.get(&org.id).cloned().unwrap_or_default();
        }
    }
    Ok(MatrixView {
        rows,
        cols,
        row_values: sums.row_values,
        col_values: sums.col_values,
        cells,
        omitted_organisations,
        conversion: CONVERSION_NOTE.to_string(),
        totals: sums.totals,
        outside_cells: sums.outside_cells,
        duplicates_folded: folded.len() as i64,
        counting: COUNTING_NOTE.to_string(),
    })
}

/// Organisations kept on an organisation axis of the matrix.
pub const MAX_ORGANISATIONS: usize = 100;

/// The country × theme cells with no active project running on `day`.
pub fn gaps(
    conn: &mut DbConn,
    scope: &Scope,
    countries: Option<Vec<String>>,
    themes: Option<Vec<String>>,
    day: NaiveDate,
) -> AppResult<GapsView> {
    let index = index::current(conn)?;
    let countries = match countries {
        Some(c) => c,
        None => index.countries_of(&index.select(&Filters::default(), scope, None)),
    };
    let themes =
        themes.unwrap_or_else(|| taxonomy::TOP_THEMES.iter().map(|t| t.to_string()).collect());
    let running = index.select(
        &Filters {
            countries: countries.clone(),
            themes: themes.clone(),
            statuses: vec![super::model::ProjectStatus::Active],
            active_on: Some(day),
            ..Filters::default()
        },
        scope,
        None,
    );
    // a duplicate pair counts once here too: the cells are those its first running
    // record names
    let (running, _) = index.fold(&running);
    let covered = rules::covered_cells(index.places_and_themes(&running));
    let gaps = rules::gaps(&countries, &themes, &covered);
    let asked = (countries.len() * themes.len()) as i64;
    Ok(GapsView {
        on: day,
        covered: asked - gaps.len() as i64,
        countries,
        themes,
        gaps,
    })
}

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
    let org_ids: Vec<String> = features
        .organisations
        .keys()
        .filter_map(|k| k.strip_prefix("id:").map(str::to_string))
        .collect();
    let started = std::time::Instant::now();
    let index = index::current(conn)?;
    let index_us = started.elapsed().as_micros() as u64;
    let ids = index.overlap_pool(conn, subject, &features.word_weights(), &org_ids, scope)?;
    let pooled = std::time::Instant::now();
    let reviews: HashMap<String, ReviewRow> = match &subject.id {
        Some(id) => store::reviews_of(conn, id)?
            .into_iter()
            .map(|r| (r.other(id).to_string(), r))
            .collect(),
        None => HashMap::new(),
    };
    let rows = store::find_many(conn, &ids)?;
    let fetched = std::time::Instant::now();
    let mut pool = Vec::new();
    for row in rows {
        let review = reviews.get(&row.id).cloned();
        if review
            .as_ref()
            .is_some_and(|r| r.status == super::model::ReviewStatus::Resolved)
        {
            continue;
        }
        let other = Features::new(&row.overlap_subject()?, &row.search_text);
        pool.push((row, other, review));
    }
    let loaded = std::time::Instant::now();
    let idf = Idf::of_pool(std::iter::once(&features).chain(pool.iter().map(|(_, f, _)| f)));
    let candidates = pool.len();
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
    tracing::debug!(
        candidates,
        index_us,
        pool_us = (pooled - started).as_micros() as u64 - index_us,
        fetch_us = (fetched - pooled).as_micros() as u64,
        features_us = (loaded - fetched).as_micros() as u64,
        score_us = loaded.elapsed().as_micros() as u64,
        "overlap candidates scored"
    );
    let forms = text::written_forms(&[&subject.title, &subject.description]);
    for candidate in &mut out {
        overlap::words_as_written(&mut candidate.scored.reasons, &forms);
    }
    Ok(out)
}
