//! Queries of needs, offers and their matches. Lists are JSON arrays of codes in text
//! columns; an offer's countries are also one row each in `offer_countries`, the index the
//! offers a need may match are found by (`offer_candidates`); needs are found by their
//! `(country, status)` index (`need_candidates`).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::model::PostDraft;
use super::rules::{HelpKind, MatchStatus, Period, PostStatus, Side};
use crate::db::schema::{need_offer_matches, needs, offer_countries, offers, organisations};
use crate::db::{DbConn, first_locked};
use crate::error::{AppError, AppResult};
use crate::money::{Currency, Money};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = needs)]
#[diesel(treat_none_as_null = true)]
pub struct NeedRow {
    pub id: String,
    pub organisation_id: String,
    pub title: String,
    pub description: String,
    pub country: String,
    pub themes: String,
    pub kinds: String,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub budget_minor: Option<i64>,
    pub currency: Option<String>,
    pub link: Option<String>,
    pub restricted: bool,
    pub status: PostStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = offers)]
#[diesel(treat_none_as_null = true)]
pub struct OfferRow {
    pub id: String,
    pub organisation_id: String,
    pub title: String,
    pub description: String,
    pub countries: String,
    pub themes: String,
    pub kinds: String,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub capacity_minor: Option<i64>,
    pub currency: Option<String>,
    pub link: Option<String>,
    pub restricted: bool,
    pub status: PostStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = need_offer_matches)]
#[diesel(treat_none_as_null = true)]
pub struct MatchRow {
    pub id: String,
    pub need_id: String,
    pub offer_id: String,
    pub score_milli: i32,
    /// The reasons of the score, a JSON array of `rules::Reason`.
    pub reasons: String,
    pub status: MatchStatus,
    pub proposed_side: Side,
    pub awaiting_side: Side,
    pub proposed_by: String,
    pub decided_by: Option<String>,
    pub project_id: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn read_list<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> AppResult<Vec<T>> {
    serde_json::from_str(text)
        .map_err(|e| AppError::internal(format!("unreadable {what} in the database: {e}")))
}

fn money(minor: Option<i64>, currency: Option<&str>) -> AppResult<Option<Money>> {
    match (minor, currency) {
        (Some(m), Some(c)) => Ok(Some(Money::from_minor(
            m,
            Currency::parse(c)
                .map_err(|e| AppError::internal(format!("currency in the database: {e}")))?,
        ))),
        _ => Ok(None),
    }
}

/// What a need or an offer holds, decoded from its row.
pub struct Decoded {
    pub places: Vec<String>,
    pub themes: Vec<String>,
    pub kinds: Vec<HelpKind>,
    pub period: Period,
    pub amount: Option<Money>,
}

impl NeedRow {
    pub fn new(id: String, draft: &PostDraft, version: i64, created_at: NaiveDateTime) -> Self {
        NeedRow {
            id,
            organisation_id: draft.organisation_id.clone(),
            title: draft.title.clone(),
            description: draft.description.clone(),
            country: draft.places.first().cloned().unwrap_or_default(),
            themes: json_list(&draft.themes),
            kinds: json_list(&draft.kinds),
            start_on: draft.period.start,
            end_on: draft.period.end,
            budget_minor: draft.amount.map(|m| m.minor_units()),
            currency: draft.amount.map(|m| m.currency().code().to_string()),
            link: draft.link.clone(),
            restricted: draft.restricted,
            status: draft.status,
            version,
            created_at,
            updated_at: created_at,
        }
    }

    pub fn decoded(&self) -> AppResult<Decoded> {
        Ok(Decoded {
            places: vec![self.country.clone()],
            themes: read_list(&self.themes, "need themes")?,
            kinds: read_list(&self.kinds, "need kinds")?,
            period: Period {
                start: self.start_on,
                end: self.end_on,
            },
            amount: money(self.budget_minor, self.currency.as_deref())?,
        })
    }

    pub fn draft(&self) -> AppResult<PostDraft> {
        let d = self.decoded()?;
        Ok(PostDraft {
            organisation_id: self.organisation_id.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            places: d.places,
            themes: d.themes,
            kinds: d.kinds,
            period: d.period,
            amount: d.amount,
            link: self.link.clone(),
            restricted: self.restricted,
            status: self.status,
        })
    }
}

impl OfferRow {
    pub fn new(id: String, draft: &PostDraft, version: i64, created_at: NaiveDateTime) -> Self {
        OfferRow {
            id,
            organisation_id: draft.organisation_id.clone(),
            title: draft.title.clone(),
            description: draft.description.clone(),
            countries: json_list(&draft.places),
            themes: json_list(&draft.themes),
            kinds: json_list(&draft.kinds),
            start_on: draft.period.start,
            end_on: draft.period.end,
            capacity_minor: draft.amount.map(|m| m.minor_units()),
            currency: draft.amount.map(|m| m.currency().code().to_string()),
            link: draft.link.clone(),
            restricted: draft.restricted,
            status: draft.status,
            version,
            created_at,
            updated_at: created_at,
        }
    }

    pub fn decoded(&self) -> AppResult<Decoded> {
        Ok(Decoded {
            places: read_list(&self.countries, "offer countries")?,
            themes: read_list(&self.themes, "offer themes")?,
            kinds: read_list(&self.kinds, "offer kinds")?,
            period: Period {
                start: self.start_on,
                end: self.end_on,
            },
            amount: money(self.capacity_minor, self.currency.as_deref())?,
        })
    }

    pub fn draft(&self) -> AppResult<PostDraft> {
        let d = self.decoded()?;
        Ok(PostDraft {
            organisation_id: self.organisation_id.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            places: d.places,
            themes: d.themes,
            kinds: d.kinds,
            period: d.period,
            amount: d.amount,
            link: self.link.clone(),
            restricted: self.restricted,
            status: self.status,
        })
    }
}

/// An organisation's name and whether the secretariat verified it.
pub fn organisation(conn: &mut DbConn, id: &str) -> QueryResult<Option<(String, bool)>> {
    organisations::table
        .find(id)
        .select((organisations::name, organisations::verified))
        .first(conn)
        .optional()
}

// ---------------------------------------------------------------------------------------
// Needs

pub fn insert_need(conn: &mut DbConn, row: &NeedRow) -> QueryResult<()> {
    diesel::insert_into(needs::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_need(conn: &mut DbConn, id: &str) -> QueryResult<Option<NeedRow>> {
    needs::table
        .find(id)
        .select(NeedRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_need_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<NeedRow>> {
    first_locked!(conn, needs::table.find(id).select(NeedRow::as_select()))
}

pub fn save_need(conn: &mut DbConn, before: &NeedRow, after: &NeedRow) -> QueryResult<bool> {
    diesel::update(
        needs::table
            .filter(needs::id.eq(&before.id))
            .filter(needs::version.eq(before.version)),
    )
    .set(after)
    .execute(conn)
    .map(|n| n == 1)
}

/// Needs with their organisation's name and verification, newest last, filtered.
pub fn list_needs(
    conn: &mut DbConn,
    filter: &ListFilter,
) -> QueryResult<Vec<(NeedRow, String, bool)>> {
    let mut q = needs::table
        .inner_join(organisations::table)
        .select((
            NeedRow::as_select(),
            organisations::name,
            organisations::verified,
        ))
        .order(needs::id.asc())
        .into_boxed();
    if let Some(c) = &filter.country {
        q = q.filter(needs::country.eq(c.clone()));
    }
    if let Some(o) = &filter.organisation_id {
        q = q.filter(needs::organisation_id.eq(o.clone()));
    }
    if let Some(s) = filter.status {
        q = q.filter(needs::status.eq(s));
    }
    if let Some(after) = &filter.after {
        q = q.filter(needs::id.gt(after.clone()));
    }
    if let Some(orgs) = &filter.visible_to {
        q = q.filter(
            organisations::verified
                .eq(true)
                .and(needs::restricted.eq(false))
                .or(needs::organisation_id.eq_any(orgs.clone())),
        );
    }
    q.limit(filter.limit).load(conn)
}

// ---------------------------------------------------------------------------------------
// Offers

pub fn insert_offer(conn: &mut DbConn, row: &OfferRow, countries: &[String]) -> QueryResult<()> {
    diesel::insert_into(offers::table)
        .values(row)
        .execute(conn)?;
    insert_offer_countries(conn, &row.id, countries)
}

fn insert_offer_countries(conn: &mut DbConn, id: &str, countries: &[String]) -> QueryResult<()> {
    let rows: Vec<_> = countries
        .iter()
        .map(|c| {
            (
                offer_countries::offer_id.eq(id),
                offer_countries::country.eq(c),
            )
        })
        .collect();
    crate::db::insert_rows!(conn, offer_countries::table, rows).map(|_| ())
}

pub fn find_offer(conn: &mut DbConn, id: &str) -> QueryResult<Option<OfferRow>> {
    offers::table
        .find(id)
        .select(OfferRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_offer_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<OfferRow>> {
    first_locked!(conn, offers::table.find(id).select(OfferRow::as_select()))
}

pub fn save_offer(
    conn: &mut DbConn,
    before: &OfferRow,
    after: &OfferRow,
    countries: &[String],
) -> QueryResult<bool> {
    let saved = diesel::update(
        offers::table
            .filter(offers::id.eq(&before.id))
            .filter(offers::version.eq(before.version)),
    )
    .set(after)
    .execute(conn)?
        == 1;
    if saved && before.countries != after.countries {
        diesel::delete(offer_countries::table.filter(offer_countries::offer_id.eq(&after.id)))
            .execute(conn)?;
        insert_offer_countries(conn, &after.id, countries)?;
    }
    Ok(saved)
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub country: Option<String>,
    pub organisation_id: Option<String>,
    pub status: Option<PostStatus>,
    pub after: Option<String>,
    pub limit: i64,
    /// `None`: everything (the secretariat); else public ones and these organisations'.
    pub visible_to: Option<Vec<String>>,
}

pub fn list_offers(
    conn: &mut DbConn,
    filter: &ListFilter,
) -> QueryResult<Vec<(OfferRow, String, bool)>> {
    let mut q = offers::table
        .inner_join(organisations::table)
        .select((
            OfferRow::as_select(),
            organisations::name,
            organisations::verified,
        ))
        .order(offers::id.asc())
        .into_boxed();
    if let Some(c) = &filter.country {
        let covering = offer_countries::table
            .filter(offer_countries::country.eq(c.clone()))
            .select(offer_countries::offer_id);
        q = q.filter(offers::id.eq_any(covering));
    }
    if let Some(o) = &filter.organisation_id {
        q = q.filter(offers::organisation_id.eq(o.clone()));
    }
    if let Some(s) = filter.status {
        q = q.filter(offers::status.eq(s));
    }
    if let Some(after) = &filter.after {
        q = q.filter(offers::id.gt(after.clone()));
    }
    if let Some(orgs) = &filter.visible_to {
        q = q.filter(
            organisations::verified
                .eq(true)
                .and(offers::restricted.eq(false))
                .or(offers::organisation_id.eq_any(orgs.clone())),
        );
    }
    q.limit(filter.limit).load(conn)
}

// ---------------------------------------------------------------------------------------
// Candidates: on the indexes, then scored in Rust

/// Open offers of other organisations covering `country` whose period meets `period` on
/// a day not before `today`, with their organisation's name and verification.
pub fn offer_candidates(
    conn: &mut DbConn,
    country: &str,
    period: Period,
    today: NaiveDate,
    except_org: &str,
) -> QueryResult<Vec<(OfferRow, String, bool)>> {
    offer_countries::table
        .inner_join(offers::table.inner_join(organisations::table))
        .filter(offer_countries::country.eq(country))
        .filter(offers::status.eq(PostStatus::Open))
        .filter(offers::organisation_id.ne(except_org))
        .filter(offers::end_on.ge(period.start.max(today)))
        .filter(offers::start_on.le(period.end))
        .select((
            OfferRow::as_select(),
            organisations::name,
            organisations::verified,
        ))
        .load(conn)
}

/// Open needs of other organisations in `countries` whose period meets `period` on a day
/// not before `today`.
pub fn need_candidates(
    conn: &mut DbConn,
    countries: &[String],
    period: Period,
    today: NaiveDate,
    except_org: &str,
) -> QueryResult<Vec<(NeedRow, String, bool)>> {
    needs::table
        .inner_join(organisations::table)
        .filter(needs::country.eq_any(countries))
        .filter(needs::status.eq(PostStatus::Open))
        .filter(needs::organisation_id.ne(except_org))
        .filter(needs::end_on.ge(period.start.max(today)))
        .filter(needs::start_on.le(period.end))
        .select((
            NeedRow::as_select(),
            organisations::name,
            organisations::verified,
        ))
        .load(conn)
}

// ---------------------------------------------------------------------------------------
// Matches

pub fn insert_match(conn: &mut DbConn, row: &MatchRow) -> QueryResult<()> {
    diesel::insert_into(need_offer_matches::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn find_match(conn: &mut DbConn, id: &str) -> QueryResult<Option<MatchRow>> {
    need_offer_matches::table
        .find(id)
        .select(MatchRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_match_for_update(conn: &mut DbConn, id: &str) -> QueryResult<Option<MatchRow>> {
    first_locked!(
        conn,
        need_offer_matches::table
            .find(id)
            .select(MatchRow::as_select())
    )
}

pub fn save_match(conn: &mut DbConn, before: &MatchRow, after: &MatchRow) -> QueryResult<bool> {
    diesel::update(
        need_offer_matches::table
            .filter(need_offer_matches::id.eq(&before.id))
            .filter(need_offer_matches::version.eq(before.version)),
    )
    .set(after)
    .execute(conn)
    .map(|n| n == 1)
}

/// The match of this need and offer that is not declined, if any: a pair is proposed once.
pub fn live_match(
    conn: &mut DbConn,
    need_id: &str,
    offer_id: &str,
) -> QueryResult<Option<MatchRow>> {
    need_offer_matches::table
        .filter(need_offer_matches::need_id.eq(need_id))
        .filter(need_offer_matches::offer_id.eq(offer_id))
        .filter(need_offer_matches::status.ne(MatchStatus::Declined))
        .select(MatchRow::as_select())
        .first(conn)
        .optional()
}

/// The matches of a need (or of an offer), newest last.
pub fn matches_of_need(conn: &mut DbConn, need_id: &str) -> QueryResult<Vec<MatchRow>> {
    need_offer_matches::table
        .filter(need_offer_matches::need_id.eq(need_id))
        .order(need_offer_matches::id.asc())
        .select(MatchRow::as_select())
        .load(conn)
}

pub fn matches_of_offer(conn: &mut DbConn, offer_id: &str) -> QueryResult<Vec<MatchRow>> {
    need_offer_matches::table
        .filter(need_offer_matches::offer_id.eq(offer_id))
        .order(need_offer_matches::id.asc())
        .select(MatchRow::as_select())
        .load(conn)
}

/// The matches of any of these needs or offers (an organisation's own), oldest first.
pub fn matches_of_posts(
    conn: &mut DbConn,
    need_ids: &[String],
    offer_ids: &[String],
) -> QueryResult<Vec<MatchRow>> {
    need_offer_matches::table
        .filter(
            need_offer_matches::need_id
                .eq_any(need_ids)
                .or(need_offer_matches::offer_id.eq_any(offer_ids)),
        )
        .order(need_offer_matches::id.asc())
        .select(MatchRow::as_select())
        .load(conn)
}

/// Title and organisation name of each of these needs, by id.
pub fn need_titles(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<Vec<(String, String, String)>> {
    needs::table
        .inner_join(organisations::table)
        .filter(needs::id.eq_any(ids))
        .select((needs::id, needs::title, organisations::name))
        .load(conn)
}

/// Title and organisation name of each of these offers, by id.
pub fn offer_titles(
    conn: &mut DbConn,
    ids: &[String],
) -> QueryResult<Vec<(String, String, String)>> {
    offers::table
        .inner_join(organisations::table)
        .filter(offers::id.eq_any(ids))
        .select((offers::id, offers::title, organisations::name))
        .load(conn)
}
