//! Queries of users and their funds, refresh tokens, one-time tokens and login attempts.

use chrono::{NaiveDateTime, Utc};
use diesel::prelude::*;

use super::Role;
use crate::db::DbConn;
use crate::db::schema::{login_attempts, one_time_tokens, refresh_tokens, trustee_funds, users};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
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
        role: new.role,
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
        .get_result(conn)
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

/// Active users with `role`, oldest first (the secretariat, for example: every admin).
pub fn active_with_role(conn: &mut DbConn, role: Role) -> QueryResult<Vec<UserRow>> {
    users::table
        .filter(users::role.eq(role))
        .filter(users::active.eq(true))
        .select(UserRow::as_select())
        .order(users::id.asc())
        .load(conn)
}

/// The user with the funds whose board they sit on, in one statement (the user of every
/// signed-in request is read this way).
pub fn find_with_funds(conn: &mut DbConn, id: &str) -> QueryResult<Option<(UserRow, Vec<String>)>> {
    let rows: Vec<(UserRow, Option<String>)> = users::table
        .left_join(trustee_funds::table)
        .filter(users::id.eq(id))
        .order(trustee_funds::fund_id.asc())
        .select((UserRow::as_select(), trustee_funds::fund_id.nullable()))
        .load(conn)?;
    let mut rows = rows.into_iter();
    Ok(rows.next().map(|(user, first)| {
        let funds = first
            .into_iter()
            .chain(rows.filter_map(|(_, fund)| fund))
            .collect();
        (user, funds)
    }))
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

/// Sets a new password hash (and, when given, marks the email verified); bumps the version.
pub fn set_password(
    conn: &mut DbConn,
    user_id: &str,
    password_hash: &str,
    verify_email: bool,
) -> QueryResult<()> {
    let now = Utc::now().naive_utc();
    let target = users::table.filter(users::id.eq(user_id));
    if verify_email {
        diesel::update(target)
            .set((
                users::password_hash.eq(password_hash),
                users::email_verified.eq(true),
                users::version.eq(users::version + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set((
                users::password_hash.eq(password_hash),
                users::version.eq(users::version + 1),
                users::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Marks the user's email verified; `false` when it already was.
pub fn mark_email_verified(conn: &mut DbConn, user_id: &str) -> QueryResult<bool> {
    diesel::update(
        users::table
            .filter(users::id.eq(user_id))
            .filter(users::email_verified.eq(false)),
    )
    .set((
        users::email_verified.eq(true),
        users::version.eq(users::version + 1),
        users::updated_at.eq(Utc::now().naive_utc()),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

// ---- refresh tokens -------------------------------------------------------------------

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshRow {
    pub id: String,
    pub family_id: String,
    pub user_id: String,
    pub token_hash: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn find_refresh(conn: &mut DbConn, token_hash: &str) -> QueryResult<Option<RefreshRow>> {
    refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select(RefreshRow::as_select())
        .first(conn)
        .optional()
}

/// Marks a refresh token used (rotated), only if it is neither used nor revoked: of two
/// racing rotations exactly one gets `true`.
pub fn mark_refresh_used(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(id))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(Some(now)))
    .execute(conn)
    .map(|n| n == 1)
}

/// Revokes every token of a rotation family (one sign-in and its refreshes).
pub fn revoke_family(conn: &mut DbConn, family_id: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now)))
    .execute(conn)
}

/// Revokes every refresh token of a user (password change or reset, "sign out everywhere").
pub fn revoke_all_of_user(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(Some(now)))
    .execute(conn)
}

// ---- one-time tokens --------------------------------------------------------------------

crate::text_enum!(
    /// What a one-time token sent by email allows.
    Purpose {
        VerifyEmail => "verify_email",
        Invitation => "invitation",
        PasswordReset => "password_reset",
    }
);

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = one_time_tokens)]
pub struct OneTimeRow {
    pub id: String,
    pub purpose: String,
    pub token_hash: String,
    pub user_id: Option<String>,
    pub payload: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub email: Option<String>,
}

pub struct NewOneTime<'a> {
    pub purpose: Purpose,
    pub token_hash: &'a str,
    pub user_id: Option<&'a str>,
    pub email: Option<&'a str>,
    pub payload: String,
    pub expires_at: NaiveDateTime,
}

pub fn insert_one_time(conn: &mut DbConn, new: NewOneTime<'_>) -> QueryResult<OneTimeRow> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(one_time_tokens::table)
        .values((
            one_time_tokens::id.eq(&id),
            one_time_tokens::purpose.eq(new.purpose.as_str()),
            one_time_tokens::token_hash.eq(new.token_hash),
            one_time_tokens::user_id.eq(new.user_id),
            one_time_tokens::email.eq(new.email),
            one_time_tokens::payload.eq(&new.payload),
            one_time_tokens::expires_at.eq(new.expires_at),
            one_time_tokens::created_at.eq(Utc::now().naive_utc()),
        ))
        .execute(conn)?;
    one_time_tokens::table
        .find(&id)
        .select(OneTimeRow::as_select())
        .get_result(conn)
}

/// The token with this hash and purpose if it is unused and unexpired at `now`.
pub fn find_usable_one_time(
    conn: &mut DbConn,
    purpose: Purpose,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<OneTimeRow>> {
    one_time_tokens::table
        .filter(one_time_tokens::token_hash.eq(token_hash))
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(now))
        .select(OneTimeRow::as_select())
        .first(conn)
        .optional()
}

/// Uses a one-time token up, only if still unused and unexpired: of two racing uses
/// exactly one gets `true`.
pub fn consume_one_time(conn: &mut DbConn, id: &str, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::id.eq(id))
            .filter(one_time_tokens::used_at.is_null())
            .filter(one_time_tokens::expires_at.gt(now)),
    )
    .set(one_time_tokens::used_at.eq(Some(now)))
    .execute(conn)
    .map(|n| n == 1)
}

/// Retires the unused tokens of `purpose` for a user (a newer one replaces them).
pub fn retire_for_user(
    conn: &mut DbConn,
    purpose: Purpose,
    user_id: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::purpose.eq(purpose.as_str()))
            .filter(one_time_tokens::user_id.eq(user_id))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(Some(now)))
    .execute(conn)
}

/// Retires the unused tokens of `purpose` addressed to `email` (a newer invitation).
pub fn retire_for_email(
    conn: &mut DbConn,
    purpose: Purpose,
    email: &str,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        one_time_tokens::table
            .filter(one_time_tokens::purpose.eq(purpose.as_str()))
            .filter(one_time_tokens::email.eq(email))
            .filter(one_time_tokens::used_at.is_null()),
    )
    .set(one_time_tokens::used_at.eq(Some(now)))
    .execute(conn)
}

/// How many tokens of `purpose` were made for a user since `since` (caps reset emails).
pub fn count_issued_since(
    conn: &mut DbConn,
    purpose: Purpose,
    user_id: &str,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    one_time_tokens::table
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::user_id.eq(user_id))
        .filter(one_time_tokens::created_at.gt(since))
        .count()
        .get_result(conn)
}

// ---- login attempts ---------------------------------------------------------------------

/// What an attempt tried: throttled separately.
pub const ATTEMPT_LOGIN: &str = "login";
pub const ATTEMPT_REGISTER: &str = "register";

/// Writes an attempt; returns its id.
pub fn record_attempt(
    conn: &mut DbConn,
    kind: &str,
    email: &str,
    address: &str,
    succeeded: bool,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let id = uuid::Uuid::now_v7().to_string();
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(&id),
            login_attempts::kind.eq(kind),
            login_attempts::email.eq(email),
            login_attempts::address.eq(address),
            login_attempts::succeeded.eq(succeeded),
            login_attempts::attempted_at.eq(now),
        ))
        .execute(conn)?;
    Ok(id)
}

pub fn mark_attempt_succeeded(conn: &mut DbConn, id: &str) -> QueryResult<()> {
    diesel::update(login_attempts::table.find(id))
        .set(login_attempts::succeeded.eq(true))
        .execute(conn)
        .map(|_| ())
}

/// Attempts of `kind` since `since`, newest first, at most `limit`; narrowed to an email
/// and/or an address.
pub fn recent_attempts(
    conn: &mut DbConn,
    kind: &str,
    email: Option<&str>,
    address: Option<&str>,
    since: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<super::rules::PastAttempt>> {
    let mut query = login_attempts::table
        .filter(login_attempts::kind.eq(kind))
        .filter(login_attempts::attempted_at.gt(since))
        .select((
            login_attempts::attempted_at,
            login_attempts::succeeded,
            login_attempts::email,
        ))
        .into_boxed();
    if let Some(email) = email {
        query = query.filter(login_attempts::email.eq(email.to_string()));
    }
    if let Some(address) = address {
        query = query.filter(login_attempts::address.eq(address.to_string()));
    }
    let rows: Vec<(NaiveDateTime, bool, String)> = query
        .order((
            login_attempts::attempted_at.desc(),
            login_attempts::id.desc(),
        ))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, succeeded, email)| super::rules::PastAttempt {
            at,
            succeeded,
            email,
        })
        .collect())
}

/// Whether the account signed in successfully from `address` since `since`.
pub fn succeeded_from(
    conn: &mut DbConn,
    email: &str,
    address: &str,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        login_attempts::table
            .filter(login_attempts::kind.eq(ATTEMPT_LOGIN))
            .filter(login_attempts::email.eq(email))
            .filter(login_attempts::address.eq(address))
            .filter(login_attempts::succeeded.eq(true))
            .filter(login_attempts::attempted_at.gt(since)),
    ))
    .get_result(conn)
}

// ---- housekeeping -----------------------------------------------------------------------

/// Deletes what no rule needs any more: attempts older than `attempts_before`, refresh and
/// one-time tokens that expired before `expired_before`. Returns the rows removed.
pub fn prune(
    conn: &mut DbConn,
    attempts_before: NaiveDateTime,
    expired_before: NaiveDateTime,
) -> QueryResult<usize> {
    let attempts = diesel::delete(
        login_attempts::table.filter(login_attempts::attempted_at.lt(attempts_before)),
    )
    .execute(conn)?;
    let refresh =
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(expired_before)))
            .execute(conn)?;
    let one_time = diesel::delete(
        one_time_tokens::table.filter(one_time_tokens::expires_at.lt(expired_before)),
    )
    .execute(conn)?;
    Ok(attempts + refresh + one_time)
}

/// Keeps the language `user_id` chose with the pages' switch (`en`, `fr`, `es`): the
/// emails it is sent are written in it.
pub fn set_language(conn: &mut DbConn, user_id: &str, language: &str) -> QueryResult<()> {
    diesel::update(users::table.filter(users::id.eq(user_id)))
        .set(users::language.eq(language))
        .execute(conn)
        .map(|_| ())
}

/// The unused, unexpired tokens of `purpose` at `now`, the soonest to expire first (at most
/// `limit`): the invitations still waiting.
pub fn usable_one_time(
    conn: &mut DbConn,
    purpose: Purpose,
    now: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<OneTimeRow>> {
    one_time_tokens::table
        .filter(one_time_tokens::purpose.eq(purpose.as_str()))
        .filter(one_time_tokens::used_at.is_null())
        .filter(one_time_tokens::expires_at.gt(now))
        .select(OneTimeRow::as_select())
        .order((one_time_tokens::expires_at.asc(), one_time_tokens::id.asc()))
        .limit(limit)
        .load(conn)
}

// ---- the secretariat's list of people ---------------------------------------------------

diesel::define_sql_function! {
    /// SQL's `lower`: names are sorted and searched whatever their letter case (ASCII
    /// letters on SQLite, every letter on PostgreSQL).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Which accounts the list shows: one role, and/or those whose name or email contains
/// `search` (any letter case).
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub search: Option<String>,
}

/// An account as the secretariat's list shows it: its organisation and, for a trustee,
/// its funds by name.
#[derive(Debug, Clone)]
pub struct ListedUser {
    pub user: UserRow,
    pub language: Option<String>,
    pub organisation: Option<String>,
    pub funds: Vec<String>,
}

/// `%`, `_` and `\` of a search stand for themselves.
fn like_pattern(search: &str) -> String {
    let mut pattern = String::from("%");
    for c in search.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// One page of accounts by name (any letter case, then id), `limit + 1` rows at most (the
/// extra one says another page exists); `page.after` is the id of the last account of the
/// previous page.
pub fn list_users(
    conn: &mut DbConn,
    filter: &UserFilter,
    page: &crate::http::Page,
) -> QueryResult<Vec<ListedUser>> {
    use crate::db::schema::{funds, organisations};
    let mut query = users::table
        .left_join(organisations::table)
        .select((
            UserRow::as_select(),
            users::language,
            organisations::name.nullable(),
        ))
        .into_boxed();
    if let Some(role) = filter.role {
        query = query.filter(users::role.eq(role));
    }
    if let Some(search) = filter.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let pattern = like_pattern(search.trim());
        query = query.filter(
            lower(users::display_name)
                .like(pattern.clone())
                .escape('\\')
                .or(users::email.like(pattern).escape('\\')),
        );
    }
    if let Some(after) = &page.after {
        let name: Option<String> = users::table
            .find(after)
            .select(lower(users::display_name))
            .first(conn)
            .optional()?;
        if let Some(name) = name {
            query = query.filter(
                lower(users::display_name)
                    .gt(name.clone())
                    .or(lower(users::display_name)
                        .eq(name)
                        .and(users::id.gt(after.clone()))),
            );
        }
    }
    let rows: Vec<(UserRow, Option<String>, Option<String>)> = query
        .order((lower(users::display_name).asc(), users::id.asc()))
        .limit(page.limit + 1)
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|(u, _, _)| u.id.clone()).collect();
    let mut funds_of: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for (user_id, fund) in trustee_funds::table
        .inner_join(funds::table)
        .filter(trustee_funds::user_id.eq_any(&ids))
        .order(funds::name.asc())
        .select((trustee_funds::user_id, funds::name))
        .load::<(String, String)>(conn)?
    {
        funds_of.entry(user_id).or_default().push(fund);
    }
    Ok(rows
        .into_iter()
        .map(|(user, language, organisation)| ListedUser {
            funds: funds_of.remove(&user.id).unwrap_or_default(),
            user,
            language,
            organisation,
        })
        .collect())
}

/// The active trustees on the board of `fund_id`, by name: id and name.
pub fn trustees_of(conn: &mut DbConn, fund_id: &str) -> QueryResult<Vec<(String, String)>> {
    trustee_funds::table
        .inner_join(users::table)
        .filter(trustee_funds::fund_id.eq(fund_id))
        .filter(users::role.eq(Role::Trustee))
        .filter(users::active.eq(true))
        .order((users::display_name.asc(), users::id.asc()))
        .select((users::id, users::display_name))
        .load(conn)
}
