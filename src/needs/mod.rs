//! Needs and offers of assistance, and the matches between them. A government or agency
//! posts a need (one country, themes, kinds of help, period, budget if any); a donor or
//! provider posts an offer (countries, themes, kinds, capacity, period). The service ranks
//! offers for each need and needs for each offer with the reasons (`rules::score`); either
//! side proposes a match, the other accepts or declines it, and an accepted match becomes a
//! registry project through `registry::register_as`, overlap detection included.
//!
//! Who sees what: the registry's one rule (`registry::rules::is_public`, with the post's
//! `restricted` flag as "not published") and its `Scope`: the public sees needs and offers
//! of verified organisations that are not restricted, members also their own, the
//! secretariat everything. Members post and change their own organisation's needs and
//! offers (another organisation's answer 404); edits and state changes go through
//! `change::run` (locked, versioned, `If-Match`, audited).

pub mod emails;
pub mod model;
pub mod rules;
pub mod store;

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use crate::audit::{self, Action};
use crate::auth::policy::{self, Operation};
use crate::auth::{Actor, CurrentUser, MaybeUser, Role};
use crate::change;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult, FieldError};
use crate::http::{
    Expected, PageParams, Paginated, ValidJson, if_match, json_with_etag, parse_id, parse_query,
};
use crate::ids::{Id, MatchId, NeedId, OfferId};
use crate::registry::rules::{Scope, is_public};
use crate::state::AppState;
use model::{
    CreateNeed, CreateOffer, ListQuery, MatchProjectView, MatchView, NeedMatches, NeedView,
    OfferMatches, OfferView, PostDraft, PostKind, ProposeMatch, RankQuery, RankedNeed, RankedOffer,
    UpdateNeed, UpdateOffer,
};
use rules::{MatchStatus, NeedFacts, OfferFacts, PostStatus, Reason, Side};
use store::{ListFilter, MatchRow, NeedRow, OfferRow};

const NEED: audit::Entity = audit::Entity::Need;
const OFFER: audit::Entity = audit::Entity::Offer;
const MATCH: audit::Entity = audit::Entity::NeedOfferMatch;

fn utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

/// Whether `scope` sees a need or offer of `organisation_id`.
fn seen(scope: &Scope, verified: bool, restricted: bool, organisation_id: &str) -> bool {
    scope.sees(is_public(!restricted, verified), organisation_id)
}

// ---------------------------------------------------------------------------------------
// Views

fn need_view(row: &NeedRow, organisation_name: String, verified: bool) -> AppResult<NeedView> {
    let d = row.decoded()?;
    Ok(NeedView {
        id: row.id.clone(),
        organisation_id: row.organisation_id.clone(),
        organisation_name,
        title: row.title.clone(),
        description: row.description.clone(),
        country: row.country.clone(),
        themes: d.themes,
        kinds: d.kinds,
        start_on: row.start_on,
        end_on: row.end_on,
        budget: d.amount.map(|m| m.amount_string()),
        currency: row.currency.clone(),
        link: row.link.clone(),
        restricted: row.restricted,
        status: row.status,
        public: is_public(!row.restricted, verified),
        awaiting_verification: !verified,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

fn offer_view(row: &OfferRow, organisation_name: String, verified: bool) -> AppResult<OfferView> {
    let d = row.decoded()?;
    Ok(OfferView {
        id: row.id.clone(),
        organisation_id: row.organisation_id.clone(),
        organisation_name,
        title: row.title.clone(),
        description: row.description.clone(),
        countries: d.places,
        themes: d.themes,
        kinds: d.kinds,
        start_on: row.start_on,
        end_on: row.end_on,
        capacity: d.amount.map(|m| m.amount_string()),
        currency: row.currency.clone(),
        link: row.link.clone(),
        restricted: row.restricted,
        status: row.status,
        public: is_public(!row.restricted, verified),
        awaiting_verification: !verified,
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

fn organisation_of(conn: &mut DbConn, id: &str) -> AppResult<(String, bool)> {
    store::organisation(conn, id)?
        .ok_or_else(|| AppError::internal(format!("organisation {id} of a need or offer is gone")))
}

fn match_view(row: &MatchRow) -> AppResult<MatchView> {
    let reasons: Vec<Reason> = serde_json::from_str(&row.reasons)
        .map_err(|e| AppError::internal(format!("unreadable match reasons: {e}")))?;
    Ok(MatchView {
        id: row.id.clone(),
        need_id: row.need_id.clone(),
        offer_id: row.offer_id.clone(),
        score: f64::from(row.score_milli) / 1000.0,
        reasons,
        status: row.status,
        proposed_side: row.proposed_side,
        awaiting_side: row.awaiting_side,
        proposed_by: row.proposed_by.clone(),
        decided_by: row.decided_by.clone(),
        project_id: row.project_id.clone(),
        version: row.version,
        created_at: utc(row.created_at),
        updated_at: utc(row.updated_at),
    })
}

impl change::Versioned for NeedView {
    fn version(&self) -> i64 {
        self.version
    }
}

impl change::Versioned for OfferView {
    fn version(&self) -> i64 {
        self.version
    }
}

impl change::Versioned for MatchView {
    fn version(&self) -> i64 {
        self.version
    }
}

// ---------------------------------------------------------------------------------------
// Creating needs and offers

impl change::Creation for NeedRow {
    const KIND: audit::Entity = NEED;
    type View = NeedView;

    fn id(&self) -> &str {
        &self.id
    }

    fn insert(&self, conn: &mut DbConn) -> AppResult<()> {
        Ok(store::insert_need(conn, self)?)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<NeedView> {
        let (name, verified) = organisation_of(conn, &self.organisation_id)?;
        need_view(self, name, verified)
    }
}

impl change::Creation for OfferRow {
    const KIND: audit::Entity = OFFER;
    type View = OfferView;

    fn id(&self) -> &str {
        &self.id
    }

    fn insert(&self, conn: &mut DbConn) -> AppResult<()> {
        let countries = self.decoded()?.places;
        Ok(store::insert_offer(conn, self, &countries)?)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<OfferView> {
        let (name, verified) = organisation_of(conn, &self.organisation_id)?;
        offer_view(self, name, verified)
    }
}

/// The organisation a new need or offer is for: the one named (a member only their own:
/// 404 otherwise), else the member's own; the secretariat must name one.
fn organisation_for(user: &CurrentUser, given: Option<&str>) -> AppResult<String> {
    match given {
        Some(id) => {
            let id = uuid::Uuid::parse_str(id)
                .map_err(|_| AppError::field("organisation_id", "must be a UUID"))?
                .to_string();
            policy::require_member(user, &id, "organisation")?;
            Ok(id)
        }
        None => user.organisation_id.clone().ok_or_else(|| {
            AppError::field(
                "organisation_id",
                "is required: name the organisation the need or offer is for",
            )
        }),
    }
}

fn require_organisation(conn: &mut DbConn, id: &str) -> AppResult<()> {
    store::organisation(conn, id)?
        .map(|_| ())
        .ok_or_else(|| AppError::not_found("organisation"))
}

/// The one way a need comes into being (the API and the demo): checked, inserted, audited.
pub fn create_need(conn: &mut DbConn, actor: &Actor, draft: &PostDraft) -> AppResult<NeedView> {
    require_organisation(conn, &draft.organisation_id)?;
    let row = NeedRow::new(
        uuid::Uuid::now_v7().to_string(),
        draft,
        1,
        crate::clock::now_naive(),
    );
    change::create(conn, actor, &row, Action::Create, |_, _| Ok(()))
}

/// The one way an offer comes into being (the API and the demo).
pub fn create_offer(conn: &mut DbConn, actor: &Actor, draft: &PostDraft) -> AppResult<OfferView> {
    require_organisation(conn, &draft.organisation_id)?;
    let row = OfferRow::new(
        uuid::Uuid::now_v7().to_string(),
        draft,
        1,
        crate::clock::now_naive(),
    );
    change::create(conn, actor, &row, Action::Create, |_, _| Ok(()))
}

/// Posts a need for assistance for the caller's organisation (the secretariat: for the
/// organisation it names).
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    request_body = CreateNeed,
    responses((status = 201, body = NeedView), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/registry/needs")]
pub async fn post_need(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<CreateNeed>,
) -> AppResult<HttpResponse> {
    let actor = Actor::for_user(&req, &user);
    let view = post_need_as(&state, &user, actor, body.0).await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::CREATED, &view, version))
}

/// What `POST /registry/needs` does, for the API and the need form alike.
pub async fn post_need_as(
    state: &AppState,
    user: &CurrentUser,
    actor: Actor,
    request: CreateNeed,
) -> AppResult<NeedView> {
    policy::authorize(user, Operation::WriteNeedsAndOffers)?;
    let org = organisation_for(user, request.organisation_id.as_deref())?;
    let draft = request
        .fields(org)
        .validate(PostKind::Need, crate::clock::today())?;
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| create_need(conn, &actor, &draft))
    })
    .await
}

/// Posts an offer of assistance for the caller's organisation (the secretariat: for the
/// organisation it names).
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    request_body = CreateOffer,
    responses((status = 201, body = OfferView), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/registry/offers")]
pub async fn post_offer(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<CreateOffer>,
) -> AppResult<HttpResponse> {
    let actor = Actor::for_user(&req, &user);
    let view = post_offer_as(&state, &user, actor, body.0).await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::CREATED, &view, version))
}

/// What `POST /registry/offers` does, for the API and the offer form alike.
pub async fn post_offer_as(
    state: &AppState,
    user: &CurrentUser,
    actor: Actor,
    request: CreateOffer,
) -> AppResult<OfferView> {
    policy::authorize(user, Operation::WriteNeedsAndOffers)?;
    let org = organisation_for(user, request.organisation_id.as_deref())?;
    let draft = request
        .fields(org)
        .validate(PostKind::Offer, crate::clock::today())?;
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| create_offer(conn, &actor, &draft))
    })
    .await
}

// ---------------------------------------------------------------------------------------
// Changing needs and offers

impl change::Entity for NeedRow {
    const KIND: audit::Entity = NEED;
    type Locks = ();
    type View = NeedView;
    type Id = NeedId;

    fn lock(conn: &mut DbConn, user: &CurrentUser, id: &NeedId) -> AppResult<((), NeedRow)> {
        let row = store::find_need_for_update(conn, id.as_str())?
            .ok_or_else(|| AppError::not_found(NEED))?;
        policy::require_member(user, &row.organisation_id, NEED)?;
        Ok(((), row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &NeedRow, after: &NeedRow) -> AppResult<bool> {
        Ok(store::save_need(conn, before, after)?)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<NeedView> {
        let (name, verified) = organisation_of(conn, &self.organisation_id)?;
        need_view(self, name, verified)
    }
}

impl change::Entity for OfferRow {
    const KIND: audit::Entity = OFFER;
    type Locks = ();
    type View = OfferView;
    type Id = OfferId;

    fn lock(conn: &mut DbConn, user: &CurrentUser, id: &OfferId) -> AppResult<((), OfferRow)> {
        let row = store::find_offer_for_update(conn, id.as_str())?
            .ok_or_else(|| AppError::not_found(OFFER))?;
        policy::require_member(user, &row.organisation_id, OFFER)?;
        Ok(((), row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &OfferRow, after: &OfferRow) -> AppResult<bool> {
        let countries = after.decoded()?.places;
        Ok(store::save_offer(conn, before, after, &countries)?)
    }

    fn view(&self, conn: &mut DbConn) -> AppResult<OfferView> {
        let (name, verified) = organisation_of(conn, &self.organisation_id)?;
        offer_view(self, name, verified)
    }
}

/// `PATCH /registry/needs/{id}`: the need with the patch, checked as a whole.
struct EditNeed(UpdateNeed);

impl change::Command<NeedRow> for EditNeed {
    fn action(&self) -> Action {
        Action::Update
    }

    fn decide(&self, _: &mut DbConn, _: &(), current: &NeedRow) -> AppResult<NeedRow> {
        let draft = self
            .0
            .clone()
            .apply(current.draft()?.fields())
            .validate(PostKind::Need, crate::clock::today())?;
        let mut row = NeedRow::new(
            current.id.clone(),
            &draft,
            current.version,
            current.created_at,
        );
        row.updated_at = current.updated_at;
        Ok(row)
    }

    fn changes_nothing(&self, before: &NeedRow, after: &NeedRow) -> bool {
        before == after
    }
}

/// `PATCH /registry/offers/{id}`.
struct EditOffer(UpdateOffer);

impl change::Command<OfferRow> for EditOffer {
    fn action(&self) -> Action {
        Action::Update
    }

    fn decide(&self, _: &mut DbConn, _: &(), current: &OfferRow) -> AppResult<OfferRow> {
        let draft = self
            .0
            .clone()
            .apply(current.draft()?.fields())
            .validate(PostKind::Offer, crate::clock::today())?;
        let mut row = OfferRow::new(
            current.id.clone(),
            &draft,
            current.version,
            current.created_at,
        );
        row.updated_at = current.updated_at;
        Ok(row)
    }

    fn changes_nothing(&self, before: &OfferRow, after: &OfferRow) -> bool {
        before == after
    }
}

/// Changes a need (`status: closed` when no more help is looked for). Only its
/// organisation's members and the secretariat; others get 404.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "need id"),
           ("If-Match" = String, Header, description = "ETag last read")),
    request_body = UpdateNeed,
    responses((status = 200, body = NeedView), (status = 404, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/api/v1/registry/needs/{id}")]
pub async fn update_need(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<UpdateNeed>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    change::run::<NeedRow, _>(&state, &req, user, &id, None, EditNeed(body.0)).await
}

/// Changes an offer. Only its organisation's members and the secretariat; others get 404.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "offer id"),
           ("If-Match" = String, Header, description = "ETag last read")),
    request_body = UpdateOffer,
    responses((status = 200, body = OfferView), (status = 404, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[patch("/api/v1/registry/offers/{id}")]
pub async fn update_offer(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<UpdateOffer>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    change::run::<OfferRow, _>(&state, &req, user, &id, None, EditOffer(body.0)).await
}

// ---------------------------------------------------------------------------------------
// Reading

fn visible_need(conn: &mut DbConn, id: &str, scope: &Scope) -> AppResult<(NeedRow, String, bool)> {
    let row = store::find_need(conn, id)?.ok_or_else(|| AppError::not_found(NEED))?;
    let (name, verified) = organisation_of(conn, &row.organisation_id)?;
    if !seen(scope, verified, row.restricted, &row.organisation_id) {
        return Err(AppError::not_found(NEED));
    }
    Ok((row, name, verified))
}

fn visible_offer(
    conn: &mut DbConn,
    id: &str,
    scope: &Scope,
) -> AppResult<(OfferRow, String, bool)> {
    let row = store::find_offer(conn, id)?.ok_or_else(|| AppError::not_found(OFFER))?;
    let (name, verified) = organisation_of(conn, &row.organisation_id)?;
    if !seen(scope, verified, row.restricted, &row.organisation_id) {
        return Err(AppError::not_found(OFFER));
    }
    Ok((row, name, verified))
}

/// What a list's query asks for, checked.
fn list_filter(query: &ListQuery, scope: &Scope) -> AppResult<ListFilter> {
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let mut errors = Vec::new();
    let country = query
        .country
        .as_deref()
        .map(|c| crate::platform::country("country", c, &mut errors));
    let organisation_id = match query.organisation_id.as_deref() {
        Some(o) => match uuid::Uuid::parse_str(o) {
            Ok(u) => Some(u.to_string()),
            Err(_) => {
                errors.push(FieldError::new("organisation_id", "must be a UUID"));
                None
            }
        },
        None => None,
    };
    let status = match query.status.as_deref() {
        None | Some("open") => Some(PostStatus::Open),
        Some("closed") => Some(PostStatus::Closed),
        Some("all") => None,
        Some(_) => {
            errors.push(FieldError::new("status", "must be open, closed or all"));
            None
        }
    };
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    Ok(ListFilter {
        country,
        organisation_id,
        status,
        after: page.after,
        limit: page.limit + 1,
        visible_to: match scope {
            Scope::All => None,
            Scope::Members(orgs) => Some(orgs.clone()),
            Scope::Public => Some(Vec::new()),
        },
    })
}

fn need_page(conn: &mut DbConn, filter: &ListFilter, limit: i64) -> AppResult<Paginated<NeedView>> {
    let rows = store::list_needs(conn, filter)?
        .into_iter()
        .map(|(row, name, verified)| need_view(&row, name, verified))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Paginated::from_rows(
        rows,
        &crate::http::Page { limit, after: None },
        |v| v.id.clone(),
    ))
}

fn offer_page(
    conn: &mut DbConn,
    filter: &ListFilter,
    limit: i64,
) -> AppResult<Paginated<OfferView>> {
    let rows = store::list_offers(conn, filter)?
        .into_iter()
        .map(|(row, name, verified)| offer_view(&row, name, verified))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(Paginated::from_rows(
        rows,
        &crate::http::Page { limit, after: None },
        |v| v.id.clone(),
    ))
}

/// Needs, oldest first: the public sees those of verified organisations not marked
/// restricted, members also their own organisation's, the secretariat all.
#[utoipa::path(tag = "registry", params(ListQuery),
    responses((status = 200, body = inline(Paginated<NeedView>)), (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/registry/needs")]
pub async fn list_needs(
    state: AppState,
    req: HttpRequest,
    user: MaybeUser,
) -> AppResult<HttpResponse> {
    let query: ListQuery = parse_query(&req)?;
    let scope = crate::registry::scope_of(user.0.as_ref());
    let filter = list_filter(&query, &scope)?;
    let limit = filter.limit - 1;
    let page = db::run(&state.pool, move |conn| need_page(conn, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Offers, oldest first, seen as needs are.
#[utoipa::path(tag = "registry", params(ListQuery),
    responses((status = 200, body = inline(Paginated<OfferView>)), (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/registry/offers")]
pub async fn list_offers(
    state: AppState,
    req: HttpRequest,
    user: MaybeUser,
) -> AppResult<HttpResponse> {
    let query: ListQuery = parse_query(&req)?;
    let scope = crate::registry::scope_of(user.0.as_ref());
    let filter = list_filter(&query, &scope)?;
    let limit = filter.limit - 1;
    let page = db::run(&state.pool, move |conn| offer_page(conn, &filter, limit)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Reads one need; one the reader may not see is 404, as a missing one.
#[utoipa::path(tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "need id")),
    responses((status = 200, body = NeedView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/registry/needs/{id}")]
pub async fn get_need(
    state: AppState,
    user: MaybeUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "id")?.to_string();
    let scope = crate::registry::scope_of(user.0.as_ref());
    let view = db::run(&state.pool, move |conn| {
        let (row, name, verified) = visible_need(conn, &id, &scope)?;
        need_view(&row, name, verified)
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// Reads one offer; one the reader may not see is 404, as a missing one.
#[utoipa::path(tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "offer id")),
    responses((status = 200, body = OfferView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/registry/offers/{id}")]
pub async fn get_offer(
    state: AppState,
    user: MaybeUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "id")?.to_string();
    let scope = crate::registry::scope_of(user.0.as_ref());
    let view = db::run(&state.pool, move |conn| {
        let (row, name, verified) = visible_offer(conn, &id, &scope)?;
        offer_view(&row, name, verified)
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// A public need of one organisation, open or closed, for the pages.
pub fn public_needs_of_organisation(conn: &mut DbConn, org_id: &str) -> AppResult<Vec<NeedView>> {
    let filter = ListFilter {
        organisation_id: Some(org_id.to_string()),
        visible_to: Some(Vec::new()),
        limit: 500,
        ..ListFilter::default()
    };
    Ok(need_page(conn, &filter, 500)?.items)
}

/// The public offers of one organisation, open or closed, for the pages.
pub fn public_offers_of_organisation(conn: &mut DbConn, org_id: &str) -> AppResult<Vec<OfferView>> {
    let filter = ListFilter {
        organisation_id: Some(org_id.to_string()),
        visible_to: Some(Vec::new()),
        limit: 500,
        ..ListFilter::default()
    };
    Ok(offer_page(conn, &filter, 500)?.items)
}

/// The open public needs in a country, for the pages.
pub fn open_needs_in_country(conn: &mut DbConn, country: &str) -> AppResult<Vec<NeedView>> {
    let filter = ListFilter {
        country: Some(country.to_string()),
        status: Some(PostStatus::Open),
        visible_to: Some(Vec::new()),
        limit: 500,
        ..ListFilter::default()
    };
    Ok(need_page(conn, &filter, 500)?.items)
}

// ---------------------------------------------------------------------------------------
// Rankings

fn need_facts<'a>(row: &'a NeedRow, d: &'a store::Decoded) -> NeedFacts<'a> {
    NeedFacts {
        organisation_id: &row.organisation_id,
        country: &row.country,
        themes: &d.themes,
        kinds: &d.kinds,
        period: d.period,
        budget: d.amount,
    }
}

fn offer_facts<'a>(row: &'a OfferRow, d: &'a store::Decoded) -> OfferFacts<'a> {
    OfferFacts {
        organisation_id: &row.organisation_id,
        countries: &d.places,
        themes: &d.themes,
        kinds: &d.kinds,
        period: d.period,
        capacity: d.amount,
    }
}

/// The live matches of a need or an offer by the other side's id.
fn live_by(rows: Vec<MatchRow>, key: impl Fn(&MatchRow) -> &str) -> HashMap<String, MatchRow> {
    let mut out = HashMap::new();
    for row in rows {
        // newest last: a later proposal replaces a declined one
        out.insert(key(&row).to_string(), row);
    }
    out
}

/// The offers `scope` sees that may serve the need `id`, best first, at most `limit`.
pub fn rank_offers(
    conn: &mut DbConn,
    id: &str,
    scope: &Scope,
    limit: usize,
    today: chrono::NaiveDate,
) -> AppResult<NeedMatches> {
    let (need, _, _) = visible_need(conn, id, scope)?;
    let nd = need.decoded()?;
    let facts = need_facts(&need, &nd);
    let candidates =
        store::offer_candidates(conn, &need.country, nd.period, today, &need.organisation_id)?;
    let mut scored = Vec::new();
    for (offer, name, verified) in candidates {
        if !seen(scope, verified, offer.restricted, &offer.organisation_id) {
            continue;
        }
        let od = offer.decoded()?;
        if let Ok(s) = rules::score(&facts, &offer_facts(&offer, &od), today) {
            scored.push((s, (offer, name, verified)));
        }
    }
    rules::rank(&mut scored, |(o, _, _)| o.id.as_str());
    scored.truncate(limit);
    let live = live_by(store::matches_of_need(conn, &need.id)?, |m| &m.offer_id);
    let items = scored
        .into_iter()
        .map(|(s, (offer, name, verified))| {
            let m = live.get(&offer.id);
            Ok(RankedOffer {
                offer: offer_view(&offer, name, verified)?,
                score: s.score,
                reasons: s.reasons,
                match_id: m.map(|m| m.id.clone()),
                match_status: m.map(|m| m.status),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(NeedMatches {
        need_id: need.id,
        items,
    })
}

/// The needs `scope` sees that the offer `id` may serve, best first, at most `limit`.
pub fn rank_needs(
    conn: &mut DbConn,
    id: &str,
    scope: &Scope,
    limit: usize,
    today: chrono::NaiveDate,
) -> AppResult<OfferMatches> {
    let (offer, _, _) = visible_offer(conn, id, scope)?;
    let od = offer.decoded()?;
    let facts = offer_facts(&offer, &od);
    let candidates =
        store::need_candidates(conn, &od.places, od.period, today, &offer.organisation_id)?;
    let mut scored = Vec::new();
    for (need, name, verified) in candidates {
        if !seen(scope, verified, need.restricted, &need.organisation_id) {
            continue;
        }
        let nd = need.decoded()?;
        if let Ok(s) = rules::score(&need_facts(&need, &nd), &facts, today) {
            scored.push((s, (need, name, verified)));
        }
    }
    rules::rank(&mut scored, |(n, _, _)| n.id.as_str());
    scored.truncate(limit);
    let live = live_by(store::matches_of_offer(conn, &offer.id)?, |m| &m.need_id);
    let items = scored
        .into_iter()
        .map(|(s, (need, name, verified))| {
            let m = live.get(&need.id);
            Ok(RankedNeed {
                need: need_view(&need, name, verified)?,
                score: s.score,
                reasons: s.reasons,
                match_id: m.map(|m| m.id.clone()),
                match_status: m.map(|m| m.status),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(OfferMatches {
        offer_id: offer.id,
        items,
    })
}

/// Offers that may serve a need, best first, each with its score in [0, 1] and the
/// reasons (country, themes, kinds of help, period, money). Only offers of other
/// organisations, open, covering the need's country, whose period meets the need's on a
/// day not yet past.
#[utoipa::path(tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "need id"), RankQuery),
    responses((status = 200, body = NeedMatches), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/registry/needs/{id}/matches")]
pub async fn need_matches(
    state: AppState,
    req: HttpRequest,
    user: MaybeUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "id")?.to_string();
    let limit = parse_query::<RankQuery>(&req)?.limit()?;
    let scope = crate::registry::scope_of(user.0.as_ref());
    let today = crate::clock::today();
    let view = db::run(&state.pool, move |conn| {
        rank_offers(conn, &id, &scope, limit, today)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Needs an offer may serve, best first, with the score and its reasons.
#[utoipa::path(tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "offer id"), RankQuery),
    responses((status = 200, body = OfferMatches), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[get("/api/v1/registry/offers/{id}/matches")]
pub async fn offer_matches(
    state: AppState,
    req: HttpRequest,
    user: MaybeUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = parse_id(&id, "id")?.to_string();
    let limit = parse_query::<RankQuery>(&req)?.limit()?;
    let scope = crate::registry::scope_of(user.0.as_ref());
    let today = crate::clock::today();
    let view = db::run(&state.pool, move |conn| {
        rank_needs(conn, &id, &scope, limit, today)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

// ---------------------------------------------------------------------------------------
// Matches

impl change::Creation for MatchRow {
    const KIND: audit::Entity = MATCH;
    type View = MatchView;

    fn id(&self) -> &str {
        &self.id
    }

    fn insert(&self, conn: &mut DbConn) -> AppResult<()> {
        Ok(store::insert_match(conn, self)?)
    }

    fn view(&self, _: &mut DbConn) -> AppResult<MatchView> {
        match_view(self)
    }
}

/// The organisation of one side of a match.
fn side_org<'a>(side: Side, need: &'a NeedRow, offer: &'a OfferRow) -> &'a str {
    match side {
        Side::Need => &need.organisation_id,
        Side::Offer => &offer.organisation_id,
    }
}

fn about<'a>(row: &'a MatchRow, need: &'a NeedRow, offer: &'a OfferRow) -> emails::About<'a> {
    emails::About {
        need_title: &need.title,
        offer_title: &offer.title,
        country: &need.country,
        score: f64::from(row.score_milli) / 1000.0,
        match_id: &row.id,
    }
}

/// Proposes a match of a need and an offer the user sees, for the user's side; the other
/// side is told by email. The one way a match comes into being.
pub fn propose(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    body: &ProposeMatch,
    today: chrono::NaiveDate,
) -> AppResult<MatchView> {
    let mut errors = Vec::new();
    let mut id_of = |field: &str, raw: &str| match uuid::Uuid::parse_str(raw) {
        Ok(u) => u.to_string(),
        Err(_) => {
            errors.push(FieldError::new(field, "must be a UUID"));
            String::new()
        }
    };
    let need_id = id_of("need_id", &body.need_id);
    let offer_id = id_of("offer_id", &body.offer_id);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let scope = crate::registry::scope_of(Some(user));
    let (need, _, _) = visible_need(conn, &need_id, &scope)?;
    let (offer, _, _) = visible_offer(conn, &offer_id, &scope)?;
    let (nd, od) = (need.decoded()?, offer.decoded()?);
    let scored =
        rules::score(&need_facts(&need, &nd), &offer_facts(&offer, &od), today).map_err(|why| {
            let field = match why {
                rules::Unmatchable::NeedEnded(_) => "need_id",
                _ => "offer_id",
            };
            AppError::validation(vec![why.field_error(field)])
        })?;
    let side = if user.role == Role::Admin {
        body.side.ok_or_else(|| {
            AppError::field(
                "side",
                "is required when the secretariat proposes: need or offer",
            )
        })?
    } else if user.organisation_id.as_deref() == Some(need.organisation_id.as_str()) {
        Side::Need
    } else if user.organisation_id.as_deref() == Some(offer.organisation_id.as_str()) {
        Side::Offer
    } else {
        return Err(AppError::forbidden(
            "only a member of the need's or the offer's organisation may propose a match",
        ));
    };
    if let Some(given) = body.side
        && given != side
    {
        return Err(AppError::field(
            "side",
            "must be the side of your own organisation",
        ));
    }
    for (status, what) in [(need.status, "need"), (offer.status, "offer")] {
        if status != PostStatus::Open {
            return Err(AppError::invalid_state(format!(
                "the {what} is closed and takes no new matches"
            )));
        }
    }
    if let Some(existing) = store::live_match(conn, &need.id, &offer.id)? {
        return Err(AppError::duplicate(format!(
            "this need and this offer are already matched ({}, {})",
            existing.id, existing.status
        )));
    }
    let now = crate::clock::now_naive();
    let row = MatchRow {
        id: uuid::Uuid::now_v7().to_string(),
        need_id: need.id.clone(),
        offer_id: offer.id.clone(),
        score_milli: (scored.score * 1000.0).round() as i32,
        reasons: serde_json::to_string(&scored.reasons)
            .map_err(|e| AppError::internal(e.to_string()))?,
        status: MatchStatus::Proposed,
        proposed_side: side,
        awaiting_side: side.other(),
        proposed_by: user.id.clone(),
        decided_by: None,
        project_id: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    change::create(conn, actor, &row, Action::Propose, |conn, row| {
        emails::tell_organisation(
            conn,
            emails::MATCH_PROPOSED,
            side_org(row.awaiting_side, &need, &offer),
            side_org(row.proposed_side, &need, &offer),
            &about(row, &need, &offer),
        )
    })
}

/// Proposes a match of a need and an offer; the other side accepts or declines it and is
/// told by email. Refused with 422 naming `offer_id` for an organisation's own need and
/// offer, an offer not covering the need's country, and periods that have ended or do not
/// meet.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    request_body = ProposeMatch,
    responses((status = 201, body = MatchView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/registry/matches")]
pub async fn propose_match(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<ProposeMatch>,
) -> AppResult<HttpResponse> {
    let actor = Actor::for_user(&req, &user);
    let view = propose_as(&state, user, actor, body.0).await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::CREATED, &view, version))
}

/// What `POST /registry/matches` does, for the API and the ranking pages alike.
pub async fn propose_as(
    state: &AppState,
    user: CurrentUser,
    actor: Actor,
    request: ProposeMatch,
) -> AppResult<MatchView> {
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    let today = crate::clock::today();
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| propose(conn, &actor, &user, &request, today))
    })
    .await
}

/// What a match's changes hold: its need and offer.
pub struct MatchSides {
    need: NeedRow,
    offer: OfferRow,
}

impl change::Entity for MatchRow {
    const KIND: audit::Entity = MATCH;
    type Locks = MatchSides;
    type View = MatchView;
    type Id = MatchId;

    /// A match is the business of its two organisations and the secretariat: anyone
    /// else gets 404.
    fn lock(conn: &mut DbConn, user: &CurrentUser, id: &MatchId) -> AppResult<(MatchSides, Self)> {
        let row = store::find_match_for_update(conn, id.as_str())?
            .ok_or_else(|| AppError::not_found(MATCH))?;
        let need = store::find_need(conn, &row.need_id)?
            .ok_or_else(|| AppError::internal("a match without its need"))?;
        let offer = store::find_offer(conn, &row.offer_id)?
            .ok_or_else(|| AppError::internal("a match without its offer"))?;
        if policy::require_member(user, &need.organisation_id, MATCH).is_err() {
            policy::require_member(user, &offer.organisation_id, MATCH)?;
        }
        Ok((MatchSides { need, offer }, row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &MatchRow, after: &MatchRow) -> AppResult<bool> {
        Ok(store::save_match(conn, before, after)?)
    }

    fn view(&self, _: &mut DbConn) -> AppResult<MatchView> {
        match_view(self)
    }
}

/// 409 unless the match is still waiting for an answer.
fn require_proposed(current: &MatchRow) -> AppResult<()> {
    if current.status != MatchStatus::Proposed {
        return Err(AppError::invalid_state(format!(
            "the match is already {}",
            current.status
        )));
    }
    Ok(())
}

/// The other side accepts a proposed match; the proposer's organisation is told.
struct Accept {
    user: CurrentUser,
}

impl change::Command<MatchRow> for Accept {
    fn action(&self) -> Action {
        Action::Accept
    }

    fn decide(
        &self,
        _: &mut DbConn,
        sides: &MatchSides,
        current: &MatchRow,
    ) -> AppResult<MatchRow> {
        require_proposed(current)?;
        let awaiting = side_org(current.awaiting_side, &sides.need, &sides.offer);
        if self.user.role != Role::Admin && self.user.organisation_id.as_deref() != Some(awaiting) {
            return Err(AppError::forbidden(
                "only the other side accepts a match it was proposed",
            ));
        }
        if sides.need.status != PostStatus::Open || sides.offer.status != PostStatus::Open {
            return Err(AppError::invalid_state(
                "the need or the offer was closed since the match was proposed",
            ));
        }
        let mut next = current.clone();
        next.status = MatchStatus::Accepted;
        next.decided_by = Some(self.user.id.clone());
        Ok(next)
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        sides: &MatchSides,
        _: &MatchRow,
        after: &MatchRow,
    ) -> AppResult<()> {
        emails::tell_organisation(
            conn,
            emails::MATCH_ACCEPTED,
            side_org(after.proposed_side, &sides.need, &sides.offer),
            side_org(after.awaiting_side, &sides.need, &sides.offer),
            &about(after, &sides.need, &sides.offer),
        )
    }
}

/// Either side declines a proposed match (the proposer so withdraws it); the pair may be
/// proposed again later.
struct Decline {
    user: CurrentUser,
}

impl change::Command<MatchRow> for Decline {
    fn action(&self) -> Action {
        Action::Decline
    }

    fn decide(&self, _: &mut DbConn, _: &MatchSides, current: &MatchRow) -> AppResult<MatchRow> {
        require_proposed(current)?;
        let mut next = current.clone();
        next.status = MatchStatus::Declined;
        next.decided_by = Some(self.user.id.clone());
        Ok(next)
    }
}

/// An accepted match becomes a registry project: registered by the need's organisation,
/// funded (or helped) by the offer's, through `registry::register_as` like any project,
/// so its overlaps join the review queue.
struct MakeProject {
    user: CurrentUser,
    actor: Actor,
    project_id: String,
}

impl MakeProject {
    fn draft(
        &self,
        conn: &mut DbConn,
        sides: &MatchSides,
    ) -> AppResult<crate::registry::model::ProjectDraft> {
        use crate::registry::model::{CreateProject, ProjectLink, ProjectStatus};
        let (need, offer) = (&sides.need, &sides.offer);
        let (nd, od) = (need.decoded()?, offer.decoded()?);
        let shared: Vec<String> = nd
            .themes
            .iter()
            .filter(|t| od.themes.contains(t))
            .cloned()
            .collect();
        let period = nd.period.meet(&od.period).unwrap_or(nd.period);
        let today = crate::clock::today();
        let status = if period.start > today {
            ProjectStatus::Pipeline
        } else {
            ProjectStatus::Active
        };
        let budget = match (nd.amount, od.amount) {
            (Some(b), Some(c)) if b.currency() == c.currency() && c.amount() < b.amount() => {
                Some(c)
            }
            (Some(b), _) => Some(b),
            (None, c) => c,
        };
        let request = CreateProject {
            title: need.title.clone(),
            description: format!(
                "{}\n\nHelp offered: {}. {}",
                need.description, offer.title, offer.description
            ),
            reporting_org_id: need.organisation_id.clone(),
            funding_org_ids: vec![offer.organisation_id.clone()],
            implementing_org_ids: vec![need.organisation_id.clone()],
            countries: vec![need.country.clone()],
            themes: if shared.is_empty() {
                nd.themes.clone()
            } else {
                shared
            },
            target_groups: Vec::new(),
            start_on: Some(period.start),
            end_on: Some(period.end),
            budget: budget.map(|m| crate::money::DecimalString(m.amount())),
            currency: budget.map(|m| m.currency().code().to_string()),
            status,
            iati_identifier: None,
            published: Some(!(need.restricted || offer.restricted)),
            links: need
                .link
                .iter()
                .chain(offer.link.iter())
                .map(|url| ProjectLink {
                    url: url.clone(),
                    title: None,
                })
                .collect(),
        };
        let draft = request.validate()?;
        crate::registry::check_references(conn, &draft, None)?;
        Ok(draft)
    }
}

impl change::Command<MatchRow> for MakeProject {
    fn action(&self) -> Action {
        Action::Register
    }

    fn decide(&self, _: &mut DbConn, _: &MatchSides, current: &MatchRow) -> AppResult<MatchRow> {
        if current.status != MatchStatus::Accepted {
            return Err(AppError::invalid_state(format!(
                "only an accepted match becomes a project; this one is {}",
                current.status
            )));
        }
        if let Some(project) = &current.project_id {
            return Err(AppError::invalid_state(format!(
                "the match already became the project {project}"
            )));
        }
        let mut next = current.clone();
        next.project_id = Some(self.project_id.clone());
        Ok(next)
    }

    fn effects(
        &self,
        conn: &mut DbConn,
        sides: &MatchSides,
        _: &MatchRow,
        _: &MatchRow,
    ) -> AppResult<()> {
        let draft = self.draft(conn, sides)?;
        let scope = crate::registry::scope_of(Some(&self.user));
        crate::registry::register_as(
            conn,
            &self.project_id,
            &draft,
            crate::registry::model::ProjectSource::Manual,
            &self.actor,
            &scope,
        )?;
        Ok(())
    }
}

/// Reads a match: its two organisations' members and the secretariat; others get 404.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "match id")),
    responses((status = 200, body = MatchView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/registry/matches/{id}")]
pub async fn get_match(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    let id = MatchId::parse(&id, "id")?;
    let view = db::run(&state.pool, move |conn| {
        let (_, row) = <MatchRow as change::Entity>::lock(conn, &user, &id)?;
        match_view(&row)
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// Accepts a proposed match: only the side it was proposed to (403 for the proposer's
/// side, 404 for anyone else); 409 when it is no longer proposed. The proposer's
/// organisation is told by email.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "match id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    responses((status = 200, body = MatchView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/registry/matches/{id}/accept")]
pub async fn accept_match(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    let command = Accept { user: user.clone() };
    change::run::<MatchRow, _>(&state, &req, user, &id, None, command).await
}

/// Declines a proposed match (the proposer's side so withdraws it); 409 when it is no
/// longer proposed.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "match id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    responses((status = 200, body = MatchView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem)))]
#[post("/api/v1/registry/matches/{id}/decline")]
pub async fn decline_match(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    let command = Decline { user: user.clone() };
    change::run::<MatchRow, _>(&state, &req, user, &id, None, command).await
}

/// Turns an accepted match into a registry project, registered by the need's organisation
/// with the offer's as funder, checked for overlaps like any other project; 409 when the
/// match is not accepted or already became one.
#[utoipa::path(security(("bearer" = [])), tag = "registry",
    params(("id" = uuid::Uuid, Path, description = "match id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    responses((status = 201, body = MatchProjectView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 412, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/registry/matches/{id}/project")]
pub async fn match_project(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    // the role first, as before the pages shared this: a 403 says more than a bad id's 400
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    let id = MatchId::parse(&id, "id")?;
    let expected: Expected = if_match(&req)?;
    let actor = Actor::for_user(&req, &user);
    let view = match_project_as(&state, user, actor, id, expected).await?;
    let version = view.matched.version;
    Ok(json_with_etag(StatusCode::CREATED, &view, version))
}

/// What `POST /registry/matches/{id}/project` does, for the API and the pages alike.
pub async fn match_project_as(
    state: &AppState,
    user: CurrentUser,
    actor: Actor,
    id: MatchId,
    expected: Expected,
) -> AppResult<MatchProjectView> {
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    let command = MakeProject {
        user: user.clone(),
        actor: actor.clone(),
        project_id: uuid::Uuid::now_v7().to_string(),
    };
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let matched =
                change::apply::<MatchRow, _>(conn, &actor, &user, &id, expected, &command)?;
            let project_id = matched
                .project_id
                .clone()
                .ok_or_else(|| AppError::internal("a match project without its id"))?;
            let project = crate::registry::store::find(conn, &project_id)?
                .ok_or_else(|| AppError::internal("the match's project is gone"))?;
            let verified =
                crate::registry::store::organisation_verified(conn, &project.reporting_org_id)?;
            Ok(MatchProjectView {
                matched,
                project: project.into_view(verified)?,
            })
        })
    })
    .await
}

/// Accepts (`accept`) or declines a match from a page: the API's commands, whatever the
/// version (a page's button names no version; the command's own checks decide).
pub async fn answer_as(
    state: &AppState,
    req: &HttpRequest,
    user: CurrentUser,
    id: &str,
    accept: bool,
) -> AppResult<MatchView> {
    policy::authorize(&user, Operation::WriteNeedsAndOffers)?;
    if accept {
        let command = Accept { user: user.clone() };
        change::run_view::<MatchRow, _>(state, req, user, id, Expected::Any, command).await
    } else {
        let command = Decline { user: user.clone() };
        change::run_view::<MatchRow, _>(state, req, user, id, Expected::Any, command).await
    }
}

/// One of the organisation's own needs, restricted or closed too; `None` for another's.
pub fn own_need(conn: &mut DbConn, id: &str, org_id: &str) -> AppResult<Option<NeedView>> {
    match store::find_need(conn, id)? {
        Some(row) if row.organisation_id == org_id => {
            let (name, verified) = organisation_of(conn, org_id)?;
            need_view(&row, name, verified).map(Some)
        }
        _ => Ok(None),
    }
}

/// One of the organisation's own offers; `None` for another's.
pub fn own_offer(conn: &mut DbConn, id: &str, org_id: &str) -> AppResult<Option<OfferView>> {
    match store::find_offer(conn, id)? {
        Some(row) if row.organisation_id == org_id => {
            let (name, verified) = organisation_of(conn, org_id)?;
            offer_view(&row, name, verified).map(Some)
        }
        _ => Ok(None),
    }
}

/// A match as an organisation's page lists it: the two sides named.
#[derive(Debug, Clone)]
pub struct MatchOfOrganisation {
    pub matched: MatchView,
    pub need_title: String,
    pub need_organisation: String,
    pub offer_title: String,
    pub offer_organisation: String,
    /// The organisation's own side of it.
    pub own_side: Side,
}

/// Everything of one organisation's needs and offers: all its own (restricted and closed
/// included), and every match of them with both sides named.
pub struct OrganisationPosts {
    pub needs: Vec<NeedView>,
    pub offers: Vec<OfferView>,
    pub matches: Vec<MatchOfOrganisation>,
}

pub fn organisation_posts(conn: &mut DbConn, org_id: &str) -> AppResult<OrganisationPosts> {
    let filter = ListFilter {
        organisation_id: Some(org_id.to_string()),
        visible_to: Some(vec![org_id.to_string()]),
        limit: 500,
        ..ListFilter::default()
    };
    let needs = need_page(conn, &filter, 500)?.items;
    let offers = offer_page(conn, &filter, 500)?.items;
    let need_ids: Vec<String> = needs.iter().map(|n| n.id.clone()).collect();
    let offer_ids: Vec<String> = offers.iter().map(|o| o.id.clone()).collect();
    let rows = store::matches_of_posts(conn, &need_ids, &offer_ids)?;
    let wanted = |key: fn(&MatchRow) -> &String| {
        let mut ids: Vec<String> = rows.iter().map(|m| key(m).clone()).collect();
        ids.sort();
        ids.dedup();
        ids
    };
    let need_names: HashMap<String, (String, String)> =
        store::need_titles(conn, &wanted(|m| &m.need_id))?
            .into_iter()
            .map(|(id, title, org)| (id, (title, org)))
            .collect();
    let offer_names: HashMap<String, (String, String)> =
        store::offer_titles(conn, &wanted(|m| &m.offer_id))?
            .into_iter()
            .map(|(id, title, org)| (id, (title, org)))
            .collect();
    let mut matches = Vec::with_capacity(rows.len());
    for row in &rows {
        let (need_title, need_organisation) = need_names
            .get(&row.need_id)
            .cloned()
            .ok_or_else(|| AppError::internal("a match without its need"))?;
        let (offer_title, offer_organisation) = offer_names
            .get(&row.offer_id)
            .cloned()
            .ok_or_else(|| AppError::internal("a match without its offer"))?;
        let own_side = if need_ids.contains(&row.need_id) {
            Side::Need
        } else {
            Side::Offer
        };
        matches.push(MatchOfOrganisation {
            matched: match_view(row)?,
            need_title,
            need_organisation,
            offer_title,
            offer_organisation,
            own_side,
        });
    }
    Ok(OrganisationPosts {
        needs,
        offers,
        matches,
    })
}
