//! The outcome report a grantee is writing, saved between sittings (issue 18): small
//! organisations on poor connections fill the long report form in several goes. One draft
//! per grant, since a small organisation writes one report at a time: the report form's
//! fields as typed (`rules::Form`), kept incomplete, never with what the report's rules
//! refuse for safety (a survivor's personal data). Only the grantee's members read and
//! write it (`Operation::SubmitReport`, the operation of sending the report; another
//! organisation's grant is 404). Each save names the version it was made from; a save over a
//! newer draft is 409, the same content saved again changes nothing. Sending the report
//! (`reports::submit`) deletes the draft in the report's own transaction.
//!
//! `read`, `save` and `discard` are the one way to a draft, for the API
//! (`/api/v1/grants/{id}/report-draft`) and the page (`/grants/{id}/report`) alike.

pub mod rules;
pub mod store;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, put, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult};
use crate::grants::store::GrantRow;
use crate::http::{Expected, ValidJson, json_with_etag, parse_id};
use crate::state::AppState;
use rules::{Decision, Form};
use store::DraftRow;

const DRAFT: &str = "report draft";

/// `PUT /grants/{id}/report-draft`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveDraft {
    /// The version of the draft this one was made from; absent for a grant without a draft.
    /// A save over a newer draft is refused (409), unless it holds the same content.
    #[serde(default)]
    pub version: Option<i64>,
    /// The report form's fields as typed, each a string, all optional: `kind`,
    /// `period_start`, `period_end`, `people_to_date`, `narrative`; `sex_N`, `age_N`,
    /// `form_N`, `count_N` for the lines of the people-helped table (N from 0 to 7);
    /// `service_<code>` per service; `spent_N` for the N-th budget line of the application.
    /// Nothing is required and nothing must add up yet; what looks like personal data is
    /// refused in any field (422 naming `form.<field>`).
    #[schema(schema_with = form_schema)]
    pub form: Form,
}

/// The schema of a draft's `form`: the report form's field names (`rules::is_field`), each
/// holding a string of at most the narrative's length.
fn form_schema() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    let names = ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(rules::FIELD_PATTERN.as_str()))
        .build();
    let value = ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(crate::reports::model::MAX_NARRATIVE));
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "The report form's fields as typed, each a string, all optional (see the names' pattern); nothing is required and nothing must add up yet. What looks like personal data is refused in any field (422 naming `form.<field>`).",
        ))
        .property_names(Some(names))
        .additional_properties(Some(value))
        .build()
}

/// A saved draft.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportDraftView {
    pub grant_id: String,
    pub version: i64,
    pub form: Form,
    pub updated_at: DateTime<Utc>,
    /// The user who saved it last.
    pub updated_by: String,
}

fn view(row: &DraftRow) -> AppResult<ReportDraftView> {
    let form: Form = serde_json::from_str(&row.form)
        .map_err(|e| AppError::internal(format!("a stored report draft does not read: {e}")))?;
    Ok(ReportDraftView {
        grant_id: row.grant_id.clone(),
        version: row.version,
        form,
        updated_at: row.updated_at.and_utc(),
        updated_by: row.updated_by.clone(),
    })
}

/// The grant if it is one of `user`'s organisation (404 otherwise); locked when `locked`
/// (inside a write transaction), as `reports::submit` locks it, so a save and a sending
/// happen one after the other.
fn grant_of_member(
    conn: &mut DbConn,
    user: &CurrentUser,
    grant_id: &str,
    locked: bool,
) -> AppResult<GrantRow> {
    let grant = if locked {
        crate::reports::store::find_grant_locked(conn, grant_id)?
    } else {
        crate::grants::store::find(conn, grant_id)?
    }
    .ok_or_else(|| AppError::not_found("grant"))?;
    policy::require_member(user, &grant.organisation_id, "grant")?;
    Ok(grant)
}

/// The draft of the grant `grant_id`, `None` when there is none; 404 unless `user` is a
/// member of the grantee.
pub fn read(
    conn: &mut DbConn,
    user: &CurrentUser,
    grant_id: &str,
) -> AppResult<Option<ReportDraftView>> {
    let grant = grant_of_member(conn, user, grant_id, false)?;
    store::find(conn, &grant.id)?.as_ref().map(view).transpose()
}

/// Keeps `form` as the grant's draft, made from the draft of version `expected`: 422 for
/// what may not be kept even in a draft (`rules::check`, fields named as in the form), 409
/// over a draft the writer has not seen (`rules::decide`). Call inside a write transaction.
pub fn save(
    conn: &mut DbConn,
    user: &CurrentUser,
    grant_id: &str,
    expected: Option<i64>,
    form: Form,
) -> AppResult<ReportDraftView> {
    let grant = grant_of_member(conn, user, grant_id, true)?;
    let errors = rules::check(&form);
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let current = store::find(conn, &grant.id)?;
    let held = current
        .as_ref()
        .map(|row| view(row).map(|draft| (row.version, draft.form)))
        .transpose()?;
    let decision = rules::decide(
        held.as_ref().map(|(version, form)| (*version, form)),
        expected,
        &form,
    )?;
    let next = |version: i64| -> AppResult<DraftRow> {
        Ok(DraftRow {
            grant_id: grant.id.clone(),
            organisation_id: grant.organisation_id.clone(),
            form: serde_json::to_string(&form)
                .map_err(|e| AppError::internal(format!("a report draft: {e}")))?,
            version,
            updated_at: crate::clock::now_naive(),
            updated_by: user.id.clone(),
        })
    };
    let row = match (decision, current) {
        (Decision::Unchanged { .. }, Some(row)) => row,
        (Decision::Insert, _) => {
            let row = next(1)?;
            store::insert(conn, &row)?;
            row
        }
        (Decision::Update { from }, _) => {
            let row = next(from + 1)?;
            if !store::update(conn, &row, from)? {
                return Err(rules::decide(None, Some(from), &form)
                    .err()
                    .unwrap_or_else(|| AppError::internal("a draft's save lost its race")));
            }
            row
        }
        (Decision::Unchanged { .. }, None) => {
            return Err(AppError::internal("an unchanged draft that is not there"));
        }
    };
    view(&row)
}

/// Discards the grant's draft, read at the version `expected` names (412 when it changed
/// since); `false` when the grant has no draft. Call inside a write transaction.
pub fn discard(
    conn: &mut DbConn,
    user: &CurrentUser,
    grant_id: &str,
    expected: Expected,
) -> AppResult<bool> {
    let grant = grant_of_member(conn, user, grant_id, true)?;
    let Some(row) = store::find(conn, &grant.id)? else {
        return Ok(false);
    };
    expected.check(row.version)?;
    store::delete(conn, &grant.id)?;
    Ok(true)
}

/// The report draft of a grant: what a member of the grantee saved of the report it is
/// writing (404 when there is none, and for anyone outside the grantee).
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id")), security(("bearer" = [])),
    responses((status = 200, body = ReportDraftView), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/grants/{id}/report-draft")]
pub async fn get_draft(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::SubmitReport)?;
    let grant_id = parse_id(&id, "id")?.to_string();
    let draft = db::run(&state.pool, move |conn| read(conn, &user, &grant_id))
        .await?
        .ok_or_else(|| AppError::not_found(DRAFT))?;
    Ok(json_with_etag(StatusCode::OK, &draft, draft.version))
}

/// Saves the report a grantee is writing, incomplete as it may be (one draft per grant).
/// Send the `version` it was made from (none for a first draft): a save over a newer draft
/// is 409 and changes nothing, while the same content saved again answers the draft as it
/// is. Personal data is refused in any field (422), as in a report. Sending the report
/// (`POST /grants/{id}/reports`) deletes the draft.
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id")),
    request_body = SaveDraft, security(("bearer" = [])),
    responses((status = 200, body = ReportDraftView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[put("/api/v1/grants/{id}/report-draft")]
pub async fn put_draft(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
    body: ValidJson<SaveDraft>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::SubmitReport)?;
    let grant_id = parse_id(&id, "id")?.to_string();
    let SaveDraft { version, form } = body.0;
    let draft = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            save(conn, &user, &grant_id, version, form).map_err(|e| e.within("form"))
        })
    })
    .await?;
    Ok(json_with_etag(StatusCode::OK, &draft, draft.version))
}

/// Discards a grant's report draft (404 when there is none). With `If-Match`, only the
/// draft of that version (412 when it changed since).
#[utoipa::path(tag = "grants and money out",
    params(("id" = uuid::Uuid, Path, description = "grant id"),
           ("If-Match" = Option<String>, Header, description = "the draft's ETag")),
    security(("bearer" = [])),
    responses((status = 204, description = "discarded"), (status = 404, body = crate::error::Problem),
              (status = 412, body = crate::error::Problem)))]
#[delete("/api/v1/grants/{id}/report-draft")]
pub async fn delete_draft(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::SubmitReport)?;
    let grant_id = parse_id(&id, "id")?.to_string();
    let expected = crate::http::if_match(&req)?;
    let discarded = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| discard(conn, &user, &grant_id, expected))
    })
    .await?;
    if !discarded {
        return Err(AppError::not_found(DRAFT));
    }
    Ok(HttpResponse::NoContent().finish())
}
