//! Queries of the registry. Portable diesel where it can be; the few statements that must
//! differ (full-text matching, row locks, bulk inserts) go through the `db` idioms
//! (`db::dialect`, `db::first_locked!`, `db::with_backend!`).

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use rust_decimal::Decimal;

use super::model::{
    BudgetSplit, OverlapReason, OverlapResolution, OverlapSubject, Participant, ParticipantRole,
    ProjectDraft, ProjectLink, ProjectSource, ProjectStatus, ProjectSummary, ProjectView, Region,
    ReviewStatus,
};
use super::text;
use crate::db::schema::{
    organisations, registry_overlap_reviews as reviews, registry_projects as projects,
    registry_state,
};
use crate::db::{self, DbConn, Dialect};
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::money::{Currency, Money};

fn now() -> NaiveDateTime {
    Utc::now().naive_utc()
}

fn split(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("registry values always serialise to JSON")
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = projects)]
#[diesel(treat_none_as_default_value = false)]
pub struct ProjectRow {
    pub id: String,
    pub title: String,
    pub description: String,
    pub reporting_org_id: String,
    pub participants: String,
    pub org_ids: String,
    pub countries: String,
    pub themes: String,
    pub target_groups: String,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub status: ProjectStatus,
    pub published: bool,
    pub iati_identifier: Option<String>,
    pub source: ProjectSource,
    pub search_text: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The budget's split (`BudgetSplit`), as space-separated decimals; empty when none
    /// was given.
    pub country_percentages: String,
    pub regions: String,
    pub region_percentages: String,
    pub theme_percentages: String,
    /// `ProjectLink`s as a JSON array.
    pub links: String,
}

/// Percentages as stored: space-separated decimals, empty for none.
fn percentages_text(list: Option<&[Decimal]>) -> String {
    list.map(|l| {
        l.iter()
            .map(|p| p.normalize().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    })
    .unwrap_or_default()
}

fn parse_percentages(text: &str) -> Result<Vec<Decimal>, rust_decimal::Error> {
    text.split_whitespace().map(str::parse).collect()
}

impl ProjectRow {
    /// The stored form of `draft`.
    pub fn new(
        id: String,
        draft: &ProjectDraft,
        source: ProjectSource,
        version: i64,
        created_at: NaiveDateTime,
    ) -> Self {
        let search_text = text::search_text(&draft.title, &draft.description);
        Self::with_search_text(id, draft, source, version, created_at, search_text)
    }

    /// The stored form of `draft` whose indexed words were worked out already (an import
    /// does that on its reading thread).
    pub fn with_search_text(
        id: String,
        draft: &ProjectDraft,
        source: ProjectSource,
        version: i64,
        created_at: NaiveDateTime,
        search_text: String,
    ) -> Self {
        ProjectRow {
            id,
            title: draft.title.clone(),
            description: draft.description.clone(),
            reporting_org_id: draft.reporting_org_id.clone(),
            participants: json(&draft.participants),
            org_ids: draft.organisation_ids().join(" "),
            countries: draft.countries.join(" "),
            themes: draft.themes.join(" "),
            target_groups: json(&draft.target_groups),
            start_on: draft.start_on,
            end_on: draft.end_on,
            budget_minor: draft.budget.map(|b| b.minor_units()),
            currency: draft.budget.map(|b| b.currency().code().to_string()),
            status: draft.status,
            published: draft.published,
            iati_identifier: draft.iati_identifier.clone(),
            source,
            search_text,
            version,
            created_at,
            updated_at: now(),
            country_percentages: percentages_text(draft.split.country_percentages.as_deref()),
            regions: draft
                .split
                .regions
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>()
                .join(" "),
            region_percentages: draft
                .split
                .regions
                .iter()
                .map(|r| r.percentage)
                .collect::<Option<Vec<_>>>()
                .filter(|l| !l.is_empty())
                .map(|l| percentages_text(Some(&l)))
                .unwrap_or_default(),
            theme_percentages: percentages_text(draft.split.theme_percentages.as_deref()),
            links: json(&draft.links),
        }
    }

    /// The stored split. Country and region percentages are given together, so either
    /// text being non-empty means both lists are given (one may be empty).
    pub fn split(&self) -> AppResult<BudgetSplit> {
        let parse = |text: &str| parse_percentages(text).map_err(|e| self.corrupt(e));
        let places_given =
            !self.country_percentages.is_empty() || !self.region_percentages.is_empty();
        let region_percentages = parse(&self.region_percentages)?;
        let regions: Vec<Region> = split(&self.regions)
            .into_iter()
            .enumerate()
            .map(|(i, code)| Region {
                code,
                percentage: region_percentages.get(i).copied(),
            })
            .collect();
        let theme_percentages = parse(&self.theme_percentages)?;
        Ok(BudgetSplit {
            country_percentages: if places_given {
                Some(parse(&self.country_percentages)?)
            } else {
                None
            },
            regions,
            theme_percentages: (!self.theme_percentages.is_empty()).then_some(theme_percentages),
        })
    }

    fn corrupt(&self, what: impl std::fmt::Display) -> AppError {
        AppError::internal(format!("registry project {}: {what}", self.id))
    }

    pub fn draft(&self) -> AppResult<ProjectDraft> {
        let participants: Vec<Participant> =
            serde_json::from_str(&self.participants).map_err(|e| self.corrupt(e))?;
        let target_groups: Vec<String> =
            serde_json::from_str(&self.target_groups).map_err(|e| self.corrupt(e))?;
        let links: Vec<ProjectLink> =
            serde_json::from_str(&self.links).map_err(|e| self.corrupt(e))?;
        let budget = match (self.budget_minor, &self.currency) {
            (Some(minor), Some(code)) => Some(Money::from_minor(
                minor,
                Currency::parse(code).map_err(|e| self.corrupt(e))?,
            )),
            _ => None,
        };
        Ok(ProjectDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            reporting_org_id: self.reporting_org_id.clone(),
            participants,
            countries: split(&self.countries),
            themes: split(&self.themes),
            target_groups,
            start_on: self.start_on,
            end_on: self.end_on,
            budget,
            status: self.status,
            iati_identifier: self.iati_identifier.clone(),
            published: self.published,
            split: self.split()?,
            links,
        })
    }

    /// The project as the API shows it; `organisation_verified` is its reporting
    /// organisation's standing (`organisation_verified`), which the view reports.
    pub fn into_view(self, organisation_verified: bool) -> AppResult<ProjectView> {
        let draft = self.draft()?;
        Ok(ProjectView {
            awaiting_verification: !organisation_verified,
            funding_org_ids: draft.org_ids_of(ParticipantRole::Funding),
            implementing_org_ids: draft.org_ids_of(ParticipantRole::Implementing),
            participants: draft.participants,
            budget: draft.budget.map(|b| b.amount_string()),
            currency: draft.budget.map(|b| b.currency().code().to_string()),
            status: draft.status,
            source: self.source,
            id: self.id,
            title: self.title,
            description: self.description,
            reporting_org_id: self.reporting_org_id,
            countries: draft.countries,
            themes: draft.themes,
            target_groups: draft.target_groups,
            start_on: self.start_on,
            end_on: self.end_on,
            iati_identifier: self.iati_identifier,
            published: self.published,
            regions: draft.split.regions.iter().map(|r| r.code.clone()).collect(),
            country_percentages: draft
                .split
                .country_percentages
                .as_ref()
                .map(|l| l.iter().map(|p| p.normalize().to_string()).collect()),
            region_percentages: draft.split.country_percentages.as_ref().map(|_| {
                draft
                    .split
                    .regions
                    .iter()
                    .filter_map(|r| r.percentage.map(|p| p.normalize().to_string()))
                    .collect()
            }),
            theme_percentages: draft
                .split
                .theme_percentages
                .as_ref()
                .map(|l| l.iter().map(|p| p.normalize().to_string()).collect()),
            links: draft.links,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }

    pub fn summary(&self) -> AppResult<ProjectSummary> {
        Ok(ProjectSummary {
            id: self.id.clone(),
            title: self.title.clone(),
            reporting_org_id: self.reporting_org_id.clone(),
            countries: split(&self.countries),
            themes: split(&self.themes),
            start_on: self.start_on,
            end_on: self.end_on,
            status: self.status,
        })
    }

    pub fn overlap_subject(&self) -> AppResult<OverlapSubject> {
        let participants: Vec<Participant> =
            serde_json::from_str(&self.participants).map_err(|e| self.corrupt(e))?;
        Ok(OverlapSubject {
            id: Some(self.id.clone()),
            title: self.title.clone(),
            description: self.description.clone(),
            reporting_org_id: Some(self.reporting_org_id.clone()),
            participants,
            countries: split(&self.countries),
            themes: split(&self.themes),
            start_on: self.start_on,
            end_on: self.end_on,
        })
    }

    /// Whether the stored project already says what `draft` says (an import that would
    /// change nothing).
    pub fn same_content(&self, draft: &ProjectDraft) -> bool {
        self.same_content_as(draft, text::search_text(&draft.title, &draft.description))
    }

    /// `same_content` with the draft's indexed words already worked out.
    pub fn same_content_as(&self, draft: &ProjectDraft, search_text: String) -> bool {
        let candidate = ProjectRow::with_search_text(
            self.id.clone(),
            draft,
            self.source,
            self.version,
            self.created_at,
            search_text,
        );
        ProjectRow {
            updated_at: self.updated_at,
            ..candidate
        } == *self
    }
}

// ---------------------------------------------------------------------------------------
// Generation counter

/// The database's registry token and generation: cached aggregates are valid while both
/// are unchanged.
pub fn state(conn: &mut DbConn) -> QueryResult<(String, i64)> {
    registry_state::table
        .find(1)
        .select((registry_state::token, registry_state::generation))
        .get_result(conn)
}

/// Called by every registry write, inside its transaction.
pub fn bump_generation(conn: &mut DbConn) -> QueryResult<()> {
    diesel::update(registry_state::table.find(1))
        .set(registry_state::generation.eq(registry_state::generation + 1))
        .execute(conn)
        .map(|_| ())
}

// ---------------------------------------------------------------------------------------
// Writing projects

/// SQLite page cache for bulk imports, in KiB. One import writes every index of the
/// registry in one transaction; with SQLite's default 2 MiB cache its dirty pages spill to
/// the WAL and are rewritten many times over. The cache is a fixed amount, not a share of
/// the file: memory stays flat however large the file is.
const BULK_CACHE_KIB: i64 = 65_536;

/// Runs a bulk write with a larger page cache on SQLite, restoring the default after.
pub fn with_bulk_cache<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> T) -> T {
    let cache = std::env::var("TRUSTFUND_BULK_CACHE_KIB")
        .ok()
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(BULK_CACHE_KIB);
    let sqlite = db::dialect(conn) == Dialect::Sqlite;
    if sqlite {
        let _ = conn.batch_execute(&format!("PRAGMA cache_size = -{cache}"));
    }
    let out = f(conn);
    if sqlite {
        let _ = conn.batch_execute("PRAGMA cache_size = -2000");
    }
    out
}

/// Rows per multi-row INSERT: well under SQLite's 32766 bound variables.
const CHUNK: usize = 500;

/// Inserts projects and their filter rows in a few multi-row statements. The full-text
/// index follows by trigger (SQLite) or generated column (PostgreSQL).
pub fn insert_rows(conn: &mut DbConn, rows: &[ProjectRow]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    db::insert_rows!(conn, projects::table, rows, CHUNK)?;
    bump_generation(conn)
}

pub fn insert(
    conn: &mut DbConn,
    draft: &ProjectDraft,
    source: ProjectSource,
) -> QueryResult<ProjectRow> {
    insert_as(conn, &uuid::Uuid::now_v7().to_string(), draft, source)
}

/// [`insert`] under a chosen id.
pub fn insert_as(
    conn: &mut DbConn,
    id: &str,
    draft: &ProjectDraft,
    source: ProjectSource,
) -> QueryResult<ProjectRow> {
    let row = ProjectRow::new(id.to_string(), draft, source, 1, now());
    insert_rows(conn, std::slice::from_ref(&row))?;
    Ok(row)
}

#[derive(AsChangeset)]
#[diesel(table_name = projects)]
#[diesel(treat_none_as_null = true)]
struct ProjectChanges<'a> {
    title: &'a str,
    description: &'a str,
    reporting_org_id: &'a str,
    participants: &'a str,
    org_ids: &'a str,
    countries: &'a str,
    themes: &'a str,
    target_groups: &'a str,
    start_on: Option<NaiveDate>,
    end_on: Option<NaiveDate>,
    budget_minor: Option<i64>,
    currency: Option<&'a str>,
    status: ProjectStatus,
    published: bool,
    iati_identifier: Option<&'a str>,
    search_text: &'a str,
    version: i64,
    updated_at: NaiveDateTime,
    country_percentages: &'a str,
    regions: &'a str,
    region_percentages: &'a str,
    theme_percentages: &'a str,
    links: &'a str,
}

/// Writes `after` over the project if the stored row is still at `before.version`: false
/// when another change won. The registry generation is the caller's to bump.
pub fn save(conn: &mut DbConn, before: &ProjectRow, after: &ProjectRow) -> QueryResult<bool> {
    let changes = ProjectChanges {
        title: &after.title,
        description: &after.description,
        reporting_org_id: &after.reporting_org_id,
        participants: &after.participants,
        org_ids: &after.org_ids,
        countries: &after.countries,
        themes: &after.themes,
        target_groups: &after.target_groups,
        start_on: after.start_on,
        end_on: after.end_on,
        budget_minor: after.budget_minor,
        currency: after.currency.as_deref(),
        status: after.status,
        published: after.published,
        iati_identifier: after.iati_identifier.as_deref(),
        search_text: &after.search_text,
        version: after.version,
        updated_at: after.updated_at,
        country_percentages: &after.country_percentages,
        regions: &after.regions,
        region_percentages: &after.region_percentages,
        theme_percentages: &after.theme_percentages,
        links: &after.links,
    };
    let updated = diesel::update(
        projects::table
            .filter(projects::id.eq(&before.id))
            .filter(projects::version.eq(before.version)),
    )
    .set(&changes)
    .execute(conn)?;
    Ok(updated == 1)
}

/// Deletes a project if it is still at `version`; its filter rows and review entries go
/// with it (ON DELETE CASCADE).
pub fn delete(conn: &mut DbConn, id: &str, version: i64) -> QueryResult<bool> {
    let deleted = diesel::delete(
        projects::table
            .filter(projects::id.eq(id))
            .filter(projects::version.eq(version)),
    )
    .execute(conn)?;
    if deleted > 0 {
        bump_generation(conn)?;
    }
    Ok(deleted > 0)
}

/// Takes these projects out of public view (a protected grantee's), a new version each.
pub fn unpublish(conn: &mut DbConn, ids: &[String]) -> QueryResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let changed = diesel::update(
        projects::table
            .filter(projects::id.eq_any(ids))
            .filter(projects::published.eq(true)),
    )
    .set((
        projects::published.eq(false),
        projects::version.eq(projects::version + 1),
        projects::updated_at.eq(crate::clock::now_naive()),
    ))
    .execute(conn)?;
    if changed > 0 {
        bump_generation(conn)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Reading projects

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<ProjectRow>> {
    projects::table
        .find(id)
        .select(ProjectRow::as_select())
        .get_result(conn)
        .optional()
}

/// Reads a project to change it: on PostgreSQL the row stays locked until the
/// transaction ends; SQLite's `BEGIN IMMEDIATE` already holds the write lock.
pub fn find_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<ProjectRow>> {
    db::first_locked!(
        conn,
        projects::table.find(id).select(ProjectRow::as_select())
    )
}

pub fn find_many(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<ProjectRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            projects::table
                .filter(projects::id.eq_any(chunk))
                .select(ProjectRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

pub fn find_by_iati(conn: &mut DbConn, identifiers: &[String]) -> QueryResult<Vec<ProjectRow>> {
    let mut out = Vec::with_capacity(identifiers.len());
    for chunk in identifiers.chunks(CHUNK) {
        out.extend(
            projects::table
                .filter(projects::iati_identifier.eq_any(chunk))
                .select(ProjectRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// Whether another project (not `except`) uses the IATI identifier.
pub fn iati_taken(conn: &mut DbConn, identifier: &str, except: Option<&str>) -> QueryResult<bool> {
    let found: Option<String> = projects::table
        .filter(projects::iati_identifier.eq(identifier))
        .select(projects::id)
        .first(conn)
        .optional()?;
    Ok(found.is_some_and(|id| Some(id.as_str()) != except))
}

/// Whether the secretariat has verified the organisation (false for an unknown id): with a
/// project's `published`, what makes it public (`rules::is_public`).
pub fn organisation_verified(conn: &mut DbConn, id: &str) -> QueryResult<bool> {
    Ok(organisations::table
        .find(id)
        .select(organisations::verified)
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// The verified organisations among `ids`.
pub fn verified_organisations(conn: &mut DbConn, ids: &[String]) -> QueryResult<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            organisations::table
                .filter(organisations::id.eq_any(chunk))
                .filter(organisations::verified.eq(true))
                .select(organisations::id)
                .load::<String>(conn)?,
        );
    }
    Ok(out)
}

/// The ids among `ids` that name no organisation.
pub fn unknown_organisations(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<String>> {
    let known: BTreeSet<String> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(organisations::id)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    Ok(ids
        .iter()
        .filter(|id| !known.contains(*id))
        .cloned()
        .collect())
}

pub fn organisation_names(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<HashMap<String, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            organisations::table
                .filter(organisations::id.eq_any(chunk))
                .select((organisations::id, organisations::name))
                .load::<(String, String)>(conn)?,
        );
    }
    Ok(out)
}

/// What the public registry pages may say of an organisation: its name, kind, country, and
/// whether its own page is public (`rules::organisation_is_public`).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct OrganisationFacts {
    pub id: String,
    pub name: String,
    pub kind: crate::organisations::model::OrgKind,
    pub country: String,
    pub verified: bool,
    pub listed_anonymously: bool,
}

/// The facts of the organisations among `ids` that exist.
pub fn organisation_facts(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<HashMap<String, OrganisationFacts>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows = organisations::table
            .filter(organisations::id.eq_any(chunk))
            .select((
                organisations::id,
                organisations::name,
                organisations::kind,
                organisations::country,
                organisations::verified,
                organisations::listed_anonymously,
            ))
            .load::<OrganisationFacts>(conn)?;
        out.extend(rows.into_iter().map(|o| (o.id.clone(), o)));
    }
    Ok(out)
}

/// An organisation's name and country, to write to it.
pub fn organisation_contact(conn: &mut DbConn, id: &str) -> QueryResult<Option<(String, String)>> {
    organisations::table
        .find(id)
        .select((organisations::name, organisations::country))
        .first(conn)
        .optional()
}

/// Address and name of each active member of an organisation whose address is confirmed:
/// the people an email to the organisation goes to.
pub fn member_contacts(conn: &mut DbConn, org_id: &str) -> QueryResult<Vec<(String, String)>> {
    use crate::db::schema::users;
    users::table
        .filter(users::organisation_id.eq(org_id))
        .filter(users::active.eq(true))
        .filter(users::email_verified.eq(true))
        .order(users::id.asc())
        .select((users::email, users::display_name))
        .load(conn)
}

// ---------------------------------------------------------------------------------------
// Full text: the one place where the backends' query languages differ

/// Every one of the words, in the backend's full-text query language. The words come from
/// `text::words` (letters and digits only), and each is quoted all the same.
fn text_query(dialect: Dialect, terms: &[String]) -> String {
    match dialect {
        Dialect::Sqlite => terms
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" "),
        Dialect::Postgres => terms
            .iter()
            .map(|t| format!("'{}'", t.replace('\'', "''")))
            .collect::<Vec<_>>()
            .join(" & "),
    }
}

/// `seq` numbers of the projects whose words include all of `terms`.
pub fn text_matches(conn: &mut DbConn, terms: &[String]) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Seq {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        seq: i64,
    }
    let dialect = db::dialect(conn);
    let sql = dialect.pick(
        "SELECT rowid AS seq FROM registry_projects_fts WHERE registry_projects_fts MATCH ?",
        "SELECT p.seq AS seq FROM registry_projects p \
         WHERE p.search_vector @@ to_tsquery('simple', $1)",
    );
    let query = text_query(dialect, terms);
    let rows: Vec<Seq> = db::with_backend!(conn, |c| diesel::sql_query(sql)
        .bind::<Text, _>(&query)
        .load(c))?;
    Ok(rows.into_iter().map(|r| r.seq).collect())
}

/// `seq` and indexed words of every project, for the index's word postings.
pub fn all_search_texts(conn: &mut DbConn) -> QueryResult<Vec<(i64, String)>> {
    projects::table
        .select((projects::seq, projects::search_text))
        .load(conn)
}

// ---------------------------------------------------------------------------------------
// Exchange rates (recorded by the money-in feature) for the matrix

/// Every recorded rate into USD, per currency, oldest first: `(valid_from, rate)`.
pub fn usd_rates(conn: &mut DbConn) -> AppResult<HashMap<String, Vec<(NaiveDate, Decimal)>>> {
    use crate::db::schema::exchange_rates;
    let rows: Vec<(String, NaiveDate, String)> = exchange_rates::table
        .filter(exchange_rates::base_currency.eq(Currency::USD.code()))
        .select((
            exchange_rates::currency,
            exchange_rates::valid_from,
            exchange_rates::rate,
        ))
        .order((
            exchange_rates::currency.asc(),
            exchange_rates::valid_from.asc(),
        ))
        .load(conn)?;
    let mut out: HashMap<String, Vec<(NaiveDate, Decimal)>> = HashMap::new();
    for (currency, from, rate) in rows {
        let rate = rate
            .parse::<Decimal>()
            .map_err(|e| AppError::internal(format!("exchange rate {rate:?}: {e}")))?;
        out.entry(currency).or_default().push((from, rate));
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// The overlap review queue

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reviews)]
#[diesel(treat_none_as_default_value = false)]
pub struct ReviewRow {
    pub id: String,
    pub project_a: String,
    pub project_b: String,
    pub score_milli: i32,
    pub reasons: String,
    pub status: ReviewStatus,
    pub resolution: Option<OverlapResolution>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ReviewRow {
    pub fn reasons(&self) -> AppResult<Vec<OverlapReason>> {
        serde_json::from_str(&self.reasons)
            .map_err(|e| AppError::internal(format!("review {}: {e}", self.id)))
    }

    /// The other project of the pair.
    pub fn other(&self, project_id: &str) -> &str {
        if self.project_a == project_id {
            &self.project_b
        } else {
            &self.project_a
        }
    }
}

/// A pair in the order the table keeps it (smaller id first).
pub fn pair(a: &str, b: &str) -> (String, String) {
    if a < b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

pub fn new_review(
    a: &str,
    b: &str,
    score: f64,
    reasons: &[OverlapReason],
    resolution: Option<(OverlapResolution, Option<String>, Option<String>)>,
) -> ReviewRow {
    let (project_a, project_b) = pair(a, b);
    let at = now();
    let resolved = resolution.is_some();
    let (resolution, note, by) = match resolution {
        Some((r, note, by)) => (Some(r), note, by),
        None => (None, None, None),
    };
    ReviewRow {
        id: uuid::Uuid::now_v7().to_string(),
        project_a,
        project_b,
        score_milli: (score.clamp(0.0, 1.0) * 1000.0).round() as i32,
        reasons: json(&reasons),
        status: if resolved {
            ReviewStatus::Resolved
        } else {
            ReviewStatus::Open
        },
        resolution,
        note,
        resolved_by: by,
        resolved_at: resolved.then_some(at),
        version: 1,
        created_at: at,
        updated_at: at,
    }
}

pub fn insert_review(conn: &mut DbConn, row: &ReviewRow) -> QueryResult<()> {
    diesel::insert_into(reviews::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_review(conn: &mut DbConn, id: &str) -> QueryResult<Option<ReviewRow>> {
    reviews::table
        .find(id)
        .select(ReviewRow::as_select())
        .get_result(conn)
        .optional()
}

pub fn find_review_of_pair(conn: &mut DbConn, a: &str, b: &str) -> QueryResult<Option<ReviewRow>> {
    let (a, b) = pair(a, b);
    reviews::table
        .filter(reviews::project_a.eq(a))
        .filter(reviews::project_b.eq(b))
        .select(ReviewRow::as_select())
        .first(conn)
        .optional()
}

/// Every review entry a project is part of.
pub fn reviews_of(conn: &mut DbConn, project_id: &str) -> QueryResult<Vec<ReviewRow>> {
    reviews::table
        .filter(
            reviews::project_a
                .eq(project_id)
                .or(reviews::project_b.eq(project_id)),
        )
        .select(ReviewRow::as_select())
        .load(conn)
}

/// Reads a review entry to change it, locked until the transaction ends.
pub fn find_review_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<ReviewRow>> {
    db::first_locked!(conn, reviews::table.find(id).select(ReviewRow::as_select()))
}

/// Writes a review entry's verdict if the stored entry is still at `before.version`: false
/// when another change won.
pub fn save_review(conn: &mut DbConn, before: &ReviewRow, after: &ReviewRow) -> QueryResult<bool> {
    let updated = diesel::update(
        reviews::table
            .filter(reviews::id.eq(&before.id))
            .filter(reviews::version.eq(before.version)),
    )
    .set((
        reviews::status.eq(after.status),
        reviews::resolution.eq(after.resolution),
        reviews::note.eq(after.note.as_deref()),
        reviews::resolved_by.eq(after.resolved_by.as_deref()),
        reviews::resolved_at.eq(after.resolved_at),
        reviews::version.eq(after.version),
        reviews::updated_at.eq(after.updated_at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// One page of the queue: entries with `status` (any when `None`), of one project, and
/// only those touching a project of `orgs` unless `orgs` is `None` (admins).
pub fn list_reviews(
    conn: &mut DbConn,
    status: Option<ReviewStatus>,
    project_id: Option<&str>,
    orgs: Option<&[String]>,
    page: &Page,
) -> QueryResult<Vec<ReviewRow>> {
    let mut query = reviews::table.select(ReviewRow::as_select()).into_boxed();
    if let Some(status) = status {
        query = query.filter(reviews::status.eq(status));
    }
    if let Some(id) = project_id {
        query = query.filter(
            reviews::project_a
                .eq(id.to_string())
                .or(reviews::project_b.eq(id.to_string())),
        );
    }
    if let Some(orgs) = orgs {
        let own = || {
            projects::table
                .filter(projects::reporting_org_id.eq_any(orgs.to_vec()))
                .select(projects::id)
        };
        // the other project of the pair must be one the members may see: their own, or
        // public (`rules::is_public` in SQL: published, and its organisation verified)
        let seen = || {
            projects::table
                .filter(
                    projects::reporting_org_id
                        .eq_any(orgs.to_vec())
                        .or(projects::published.eq(true).and(
                            projects::reporting_org_id.eq_any(
                                organisations::table
                                    .filter(organisations::verified.eq(true))
                                    .select(organisations::id),
                            ),
                        )),
                )
                .select(projects::id)
        };
        query = query
            .filter(
                reviews::project_a
                    .eq_any(own())
                    .or(reviews::project_b.eq_any(own())),
            )
            .filter(reviews::project_a.eq_any(seen()))
            .filter(reviews::project_b.eq_any(seen()));
    }
    if let Some(after) = &page.after {
        query = query.filter(reviews::id.gt(after.clone()));
    }
    query
        .order(reviews::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

/// The IATI activity identifier of every grant whose fund publishes under an organisation
/// identifier (`opendata::rules::grant_activity_id`), with the grant's registry project.
pub fn grant_activities(conn: &mut DbConn) -> QueryResult<HashMap<String, String>> {
    use crate::db::schema::{funds, grants};
    let rows: Vec<(String, String, String)> = grants::table
        .inner_join(funds::table.on(funds::id.eq(grants::fund_id)))
        .filter(grants::registry_project_id.is_not_null())
        .filter(funds::organisation_identifier.is_not_null())
        .select((
            funds::organisation_identifier.assume_not_null(),
            grants::reference,
            grants::registry_project_id.assume_not_null(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(publisher, reference, project)| {
            (
                crate::opendata::rules::grant_activity_id(&publisher, &reference),
                project,
            )
        })
        .collect())
}

/// Every pair the review queue resolved as `duplicate`: the registry counts each such
/// pair once (`rules::fold_duplicates`).
pub fn duplicate_pairs(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    reviews::table
        .filter(reviews::status.eq(ReviewStatus::Resolved))
        .filter(reviews::resolution.eq(OverlapResolution::Duplicate))
        .select((reviews::project_a, reviews::project_b))
        .load(conn)
}

/// Moves a project to `status` (a grant's project following its grant), as a registry write.
pub fn set_status(conn: &mut DbConn, id: &str, status: ProjectStatus) -> QueryResult<()> {
    diesel::update(projects::table.filter(projects::id.eq(id)))
        .set((
            projects::status.eq(status),
            projects::version.eq(projects::version + 1),
            projects::updated_at.eq(now()),
        ))
        .execute(conn)?;
    bump_generation(conn)
}
