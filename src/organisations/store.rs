//! Queries of organisations.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{NewOrganisation, OrgKind, OrganisationView};
use crate::db::DbConn;
use crate::db::schema::organisations;
use crate::error::AppResult;
use crate::http::Page;

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = organisations, treat_none_as_null = true)]
pub struct OrganisationRow {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub country: String,
    pub identifier: Option<String>,
    pub verified: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub listed_anonymously: bool,
    pub may_donate: bool,
    pub protected: bool,
}

impl OrganisationRow {
    pub fn view(&self) -> AppResult<OrganisationView> {
        self.clone().into_view()
    }

    pub fn into_view(self) -> AppResult<OrganisationView> {
        Ok(OrganisationView {
            kind: self.kind,
            id: self.id,
            name: self.name,
            country: self.country,
            identifier: self.identifier,
            verified: self.verified,
            listed_anonymously: self.listed_anonymously,
            may_donate: self.may_donate,
            protected: self.protected,
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
        kind: new.kind,
        country: new.country.clone(),
        identifier: new.identifier.clone(),
        verified: new.verified,
        version: 1,
        created_at: now,
        updated_at: now,
        listed_anonymously: new.listed_anonymously,
        may_donate: new.may_donate,
        protected: new.protected,
    };
    diesel::insert_into(organisations::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// The row, locked against concurrent changes until the transaction ends.
pub fn find_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<OrganisationRow>> {
    crate::db::first_locked!(
        conn,
        organisations::table
            .find(id)
            .select(OrganisationRow::as_select())
    )
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<OrganisationRow>> {
    organisations::table
        .find(id)
        .select(OrganisationRow::as_select())
        .get_result(conn)
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

/// One page of organisations in the order they came (ids are time-ordered); `only`
/// restricts it to one organisation (a member's view), `verified` to verified or
/// unverified ones.
pub fn list(
    conn: &mut DbConn,
    only: Option<&str>,
    verified: Option<bool>,
    page: &Page,
) -> QueryResult<Vec<OrganisationRow>> {
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .into_boxed();
    if let Some(id) = only {
        query = query.filter(organisations::id.eq(id.to_string()));
    }
    if let Some(verified) = verified {
        query = query.filter(organisations::verified.eq(verified));
    }
    if let Some(after) = &page.after {
        query = query.filter(organisations::id.gt(after.clone()));
    }
    query
        .order(organisations::id.asc())
        .limit(page.limit + 1)
        .load(conn)
}

/// Writes `after` only if the row is still at `before`'s version.
pub fn save(
    conn: &mut DbConn,
    before: &OrganisationRow,
    after: &OrganisationRow,
) -> QueryResult<bool> {
    let updated = diesel::update(
        organisations::table
            .filter(organisations::id.eq(&before.id))
            .filter(organisations::version.eq(before.version)),
    )
    .set(after)
    .execute(conn)?;
    Ok(updated == 1)
}

/// The names of the organisations `ids`, with whether each is protected: id → (name,
/// protected), in one statement.
pub fn names_of(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<std::collections::HashMap<String, (String, bool)>> {
    Ok(organisations::table
        .filter(organisations::id.eq_any(ids))
        .select((
            organisations::id,
            organisations::name,
            organisations::protected,
        ))
        .load::<(String, String, bool)>(conn)?
        .into_iter()
        .map(|(id, name, protected)| (id, (name, protected)))
        .collect())
}
