//! Queries of users and their funds.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::Role;
use crate::db::DbConn;
use crate::db::schema::{trustee_funds, users};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: String,
    pub organisation_id: Option<String>,
    pub email_verified: bool,
    pub active: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub organisation_id: Option<&'a str>,
    pub email_verified: bool,
}

/// Emails are compared case-insensitively by storing them lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub fn insert(conn: &mut DbConn, new: NewUser<'_>) -> QueryResult<UserRow> {
    let now = Utc::now().naive_utc();
    let row = UserRow {
        id: uuid::Uuid::now_v7().to_string(),
        email: normalise_email(new.email),
        display_name: new.display_name.to_string(),
        password_hash: new.password_hash.to_string(),
        role: new.role.as_str().to_string(),
        organisation_id: new.organisation_id.map(str::to_string),
        email_verified: new.email_verified,
        active: true,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(users::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_email(conn: &mut DbConn, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(normalise_email(email)))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Users of an organisation, e.g. to address its email.
pub fn members_of(conn: &mut DbConn, organisation_id: &str) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::organisation_id.eq(organisation_id))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .order(users::id.asc())
        .load(conn)
}

pub fn fund_ids(conn: &mut DbConn, user_id: &str) -> QueryResult<Vec<String>> {
    trustee_funds::table
        .filter(trustee_funds::user_id.eq(user_id))
        .select(trustee_funds::fund_id)
        .order(trustee_funds::fund_id.asc())
        .load(conn)
}

pub fn add_fund(conn: &mut DbConn, user_id: &str, fund_id: &str) -> QueryResult<()> {
    diesel::insert_into(trustee_funds::table)
        .values((
            trustee_funds::user_id.eq(user_id),
            trustee_funds::fund_id.eq(fund_id),
        ))
        .execute(conn)
        .map(|_| ())
}
