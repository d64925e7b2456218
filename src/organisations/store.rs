//! Queries of organisations.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{NewOrganisation, OrgKind, OrganisationPatch, OrganisationView};
use crate::db::DbConn;
use crate::db::schema::organisations;
use crate::error::AppResult;
use crate::http::Page;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: String,
    pub identifier: Option<String>,
    pub verified: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub listed_anonymously: bool,
}

impl OrganisationRow {
    pub fn into_view(self) -> AppResult<OrganisationView> {
        Ok(OrganisationView {
            kind: OrgKind::from_db(&self.kind)?,
            id: self.id,
            name: self.name,
            country: self.country,
            identifier: self.identifier,
            verified: self.verified,
            listed_anonymously: self.listed_anonymously,
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

pub fn insert(conn: &mut DbConn, new: &NewOrganisation) -> QueryResult<OrganisationRow> {
    let now = Utc::now().naive_utc();
    let row = OrganisationRow {
        id: uuid::Uuid::now_v7().to_string(),
        name: new.name.clone(),
        kind: new.kind.as_str().to_string(),
        country: new.country.clone(),
        identifier: new.identifier.clone(),
        verified: new.verified,
        version: 1,
        created_at: now,
        updated_at: now,
        listed_anonymously: new.listed_anonymously,
    };
    diesel::insert_into(organisations::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// The row, locked against concurrent edits until the transaction ends. PostgreSQL needs
/// the lock (READ COMMITTED would let two edits read the same version); SQLite's
/// `BEGIN IMMEDIATE` already serialises writers.
pub fn find_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<OrganisationRow>> {
    if let DbConn::Postgres(pg) = conn {
        return organisations::table
            .find(id)
            .select(OrganisationRow::as_select())
            .for_update()
            .first(pg)
            .optional();
    }
    find(conn, id)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<OrganisationRow>> {
    organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_identifier(
    conn: &mut DbConn,
    identifier: &str,
) -> QueryResult<Option<OrganisationRow>> {
    organisations::table
        .filter(organisations::identifier.eq(identifier))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()
}

/// Whether another organisation (not `except`) already uses `identifier`.
pub fn identifier_taken(
    conn: &mut DbConn,
    identifier: &str,
    except: Option<&str>,
) -> QueryResult<bool> {
    Ok(find_by_identifier(conn, identifier)?.is_some_and(|o| Some(o.id.as_str()) != except))
}

/// One page of organisations; `only` restricts it to one organisation (a member's view).
pub fn list(
    conn: &mut DbConn,
    only: Option<&str>,
    page: &Page,
) -> QueryResult<Vec<OrganisationRow>> {
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(organisations::id.eq(id.to_string()));
    }
    if let Some(after) = &page.after {
        query = query.filter(organisations::id.gt(after.clone()));
    }
    query
        .order(organisations::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

#[derive(AsChangeset)]
#[diesel(table_name = organisations)]
struct OrganisationChanges<'a> {
    name: Option<&'a str>,
    kind: Option<&'static str>,
    country: Option<&'a str>,
    identifier: Option<Option<&'a str>>,
    verified: Option<bool>,
    listed_anonymously: Option<bool>,
    version: i64,
    updated_at: NaiveDateTime,
}

/// Applies `patch` only if the row is still at `version`; `None` when it moved on.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    version: i64,
    patch: &OrganisationPatch,
) -> QueryResult<Option<OrganisationRow>> {
    let changes = OrganisationChanges {
        name: patch.name.as_deref(),
        kind: patch.kind.map(OrgKind::as_str),
        country: patch.country.as_deref(),
        identifier: patch.identifier.as_ref().map(|i| i.as_deref()),
        verified: patch.verified,
        listed_anonymously: patch.listed_anonymously,
        version: version + 1,
        updated_at: Utc::now().naive_utc(),
    };
    let updated = diesel::update(
        organisations::table
            .filter(organisations::id.eq(id))
            .filter(organisations::version.eq(version)),
    )
    .set(&changes)
    .execute(conn)?;
    if updated == 0 {
        Ok(None)
    } else {
        find(conn, id)
    }
}
