//! Organisations of every kind: governments, agencies, NGOs, foundations, companies,
//! individuals and asset-recovery bodies. Donors and grantees are both organisations.

pub mod emails;
pub mod model;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{get, patch, post};

use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::change;
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult};
use crate::http::{PageParams, Paginated, ValidJson, json_with_etag, parse_id, parse_query};
use crate::state::AppState;
use model::{
    CreateOrganisation, EditOrganisation, NewOrganisation, OrganisationQuery, OrganisationView,
    UpdateOrganisation,
};
use store::OrganisationRow;

const ENTITY: crate::audit::Entity = crate::audit::Entity::Organisation;

fn identifier_taken(identifier: &str) -> AppError {
    AppError::duplicate(format!(
        "an organisation with identifier {identifier} already exists"
    ))
    .with_errors(vec![crate::error::FieldError::new(
        "identifier",
        "is already used",
    )])
}

/// Creates an organisation.
#[utoipa::path(security(("bearer" = [])), tag = "organisations",
    request_body = CreateOrganisation,
    responses((status = 201, body = OrganisationView), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/organisations")]
pub async fn create_organisation(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    body: ValidJson<CreateOrganisation>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::CreateOrganisation)?;
    let new = body.0.validate()?;
    let actor = Actor::for_user(&req, &user);
    let created = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            create(conn, &actor, &new, audit::Action::Create)
        })
    })
    .await?;
    let version = created.version;
    Ok(json_with_etag(StatusCode::CREATED, &created, version))
}

/// A new organisation: its identifier not taken yet (409), the row, its audit event
/// (`action`: created by staff, or a self-registration). The one way an organisation comes
/// into being, for the API, registration, the demo and imports.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    new: &NewOrganisation,
    action: audit::Action,
) -> AppResult<OrganisationView> {
    if let Some(identifier) = &new.identifier
        && store::identifier_taken(conn, identifier, None)?
    {
        return Err(identifier_taken(identifier));
    }
    let view = store::insert(conn, new)?.into_view()?;
    audit::record(
        conn,
        actor,
        Change::<(), _> {
            entity: audit::Entity::Organisation,
            entity_id: &view.id,
            action,
            before: None,
            after: Some(&view),
        },
    )?;
    Ok(view)
}

/// Lists organisations; `?verified=false` is the secretariat's verification queue.
#[utoipa::path(security(("bearer" = [])), tag = "organisations", params(OrganisationQuery),
    responses((status = 200, body = inline(Paginated<OrganisationView>))))]
#[get("/api/v1/organisations")]
pub async fn list_organisations(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadOrganisation)?;
    let query = parse_query::<OrganisationQuery>(&req)?;
    let verified = query.verified;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor,
    }
    .page()?;
    let page_for_query = page.clone();
    // Members of donor and grantee organisations see only their own organisation.
    let only = if policy::sees_all_organisations(&user) {
        None
    } else {
        Some(user.organisation_id.clone().unwrap_or_default())
    };
    let rows = db::run(&state.pool, move |conn| {
        Ok(store::list(
            conn,
            only.as_deref(),
            verified,
            &page_for_query,
        )?)
    })
    .await?;
    let views = rows
        .into_iter()
        .map(|r| r.into_view())
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(Paginated::from_rows(
        views,
        &page,
        |o: &OrganisationView| o.id.clone(),
    )))
}

/// Reads one organisation.
#[utoipa::path(security(("bearer" = [])), tag = "organisations",
    params(("id" = uuid::Uuid, Path, description = "organisation id")),
    responses((status = 200, body = OrganisationView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/organisations/{id}")]
pub async fn get_organisation(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadOrganisation)?;
    let id = parse_id(&id, "id")?.to_string();
    policy::require_reader(&user, &id, ENTITY)?;
    let view = db::run(&state.pool, move |conn| {
        store::find(conn, &id)?
            .ok_or_else(|| AppError::not_found(ENTITY))?
            .into_view()
    })
    .await?;
    let version = view.version;
    Ok(json_with_etag(StatusCode::OK, &view, version))
}

/// Changes an organisation; `If-Match` guards against overwriting someone else's edit.
#[utoipa::path(security(("bearer" = [])), tag = "organisations",
    params(("id" = uuid::Uuid, Path, description = "organisation id"),
           ("If-Match" = Option<String>, Header, description = "ETag last read")),
    request_body = UpdateOrganisation,
    responses((status = 200, body = OrganisationView), (status = 412, body = crate::error::Problem)))]
#[patch("/api/v1/organisations/{id}")]
pub async fn update_organisation(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<UpdateOrganisation>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::UpdateOrganisation)?;
    let id = parse_id(&id, "id")?.to_string();
    let patch = body.0.validate()?;
    change::run::<OrganisationRow, _>(&state, &req, user, &id, None, EditOrganisation(patch)).await
}

impl change::Entity for OrganisationRow {
    const KIND: audit::Entity = audit::Entity::Organisation;
    type Locks = ();
    type View = OrganisationView;
    type Id = crate::ids::OrganisationId;

    fn lock(
        conn: &mut DbConn,
        _: &CurrentUser,
        id: &crate::ids::OrganisationId,
    ) -> AppResult<((), OrganisationRow)> {
        let row = store::find_for_update(conn, id)?.ok_or_else(|| AppError::not_found(ENTITY))?;
        Ok(((), row))
    }

    change::row_bookkeeping!();

    fn save(conn: &mut DbConn, before: &Self, after: &Self) -> AppResult<bool> {
        Ok(store::save(conn, before, after)?)
    }

    fn view(&self, _: &mut DbConn) -> AppResult<OrganisationView> {
        OrganisationRow::view(self)
    }
}

impl change::Command<OrganisationRow> for EditOrganisation {
    fn action(&self) -> audit::Action {
        audit::Action::Update
    }

    /// Protecting an organisation takes its grants' registry projects out of public view in
    /// the same transaction; the open-data files and the public figures never name it from
    /// then on (they read the flag when they are written). Verifying one (or withdrawing
    /// its verification) changes which registry projects are public
    /// (`registry::rules::is_public`), so the registry's index reloads.
    fn effects(
        &self,
        conn: &mut DbConn,
        _: &(),
        before: &OrganisationRow,
        after: &OrganisationRow,
    ) -> AppResult<()> {
        if after.protected && !before.protected {
            crate::grants::registry::withdraw_protected(conn, &after.id)?;
        }
        if after.verified != before.verified {
            crate::registry::store::bump_generation(conn)?;
        }
        Ok(())
    }

    /// An identifier is unique across organisations (409 naming it).
    fn decide(
        &self,
        conn: &mut DbConn,
        _: &(),
        current: &OrganisationRow,
    ) -> AppResult<OrganisationRow> {
        if let Some(Some(identifier)) = &self.0.identifier
            && store::identifier_taken(conn, identifier, Some(&current.id))?
        {
            return Err(identifier_taken(identifier));
        }
        Ok(self.0.applied_to(current))
    }
}
