//! The audit trail: every state change calls `record` inside its own transaction, so the
//! event and the change commit or roll back together. Events are append-only: the API has
//! no way to change them and the database refuses UPDATE and DELETE on the table.

pub mod store;

use actix_web::get;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::app::AppState;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::http::{PageParams, Paginated, parse_query};
use crate::observe::RequestId;

/// Who caused a change, attached to every audit event.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user_id: Option<String>,
    pub request_id: Option<String>,
}

impl Actor {
    pub fn from_request(req: &HttpRequest) -> Self {
        Actor {
            user_id: None,
            request_id: RequestId::of(req),
        }
    }

    pub fn system() -> Self {
        Actor::default()
    }
}

/// One state change: `before` is absent for a creation.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub action: &'a str,
    pub before: Option<&'a B>,
    pub after: Option<&'a A>,
}

/// Writes the audit event of `change`; call it inside the transaction of the change.
pub fn record<B: Serialize, A: Serialize>(
    conn: &mut DbConn,
    actor: &Actor,
    change: Change<'_, B, A>,
) -> AppResult<()> {
    store::insert(
        conn,
        store::NewAuditEvent {
            actor_id: actor.user_id.clone(),
            request_id: actor.request_id.clone(),
            entity: change.entity.to_string(),
            entity_id: change.entity_id.to_string(),
            action: change.action.to_string(),
            before_state: change.before.map(to_json),
            after_state: change.after.map(to_json),
        },
    )?;
    Ok(())
}

/// Writes the audit events of many changes at once (bulk imports), in a few multi-row
/// statements; call it inside the transaction of the changes.
pub fn record_all<'a, B: Serialize + 'a, A: Serialize + 'a>(
    conn: &mut DbConn,
    actor: &Actor,
    changes: impl IntoIterator<Item = Change<'a, B, A>>,
) -> AppResult<()> {
    let events: Vec<store::NewAuditEvent> = changes
        .into_iter()
        .map(|change| store::NewAuditEvent {
            actor_id: actor.user_id.clone(),
            request_id: actor.request_id.clone(),
            entity: change.entity.to_string(),
            entity_id: change.entity_id.to_string(),
            action: change.action.to_string(),
            before_state: change.before.map(to_json),
            after_state: change.after.map(to_json),
        })
        .collect();
    store::insert_all(conn, events)?;
    Ok(())
}

/// Snapshots are the resource's own JSON view, so the trail reads like the API.
fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|e| format!("{{\"unserialisable\":\"{e}\"}}"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventView {
    pub id: String,
    pub occurred_at: chrono::DateTime<chrono::Utc>,
    pub actor_id: Option<String>,
    pub request_id: Option<String>,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entity kind, e.g. `fund`.
    pub entity: Option<String>,
    /// Id of one entity.
    pub entity_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// The audit trail, newest last, filtered by entity.
#[utoipa::path(security(("bearer" = [])), tag = "audit", params(AuditQuery),
    responses((status = 200, body = inline(Paginated<AuditEventView>))))]
#[get("/api/v1/audit-events")]
pub async fn list_audit_events(
    state: AppState,
    req: HttpRequest,
    user: crate::auth::CurrentUser,
) -> AppResult<HttpResponse> {
    crate::auth::policy::authorize(&user, crate::auth::policy::Operation::ReadAuditEvents)?;
    let query: AuditQuery = parse_query(&req)?;
    let page = PageParams {
        limit: query.limit,
        cursor: query.cursor.clone(),
    }
    .page()?;
    let page_for_query = page.clone();
    let rows = crate::db::run(&state.pool, move |conn| {
        store::list(
            conn,
            query.entity.as_deref(),
            query.entity_id.as_deref(),
            &page_for_query,
        )
        .map_err(Into::into)
    })
    .await?;
    let views = rows
        .into_iter()
        .map(store::AuditEventRow::into_view)
        .collect();
    Ok(
        HttpResponse::Ok().json(Paginated::from_rows(views, &page, |e: &AuditEventView| {
            e.id.clone()
        })),
    )
}

/// A resource that carries an optimistic-concurrency version.
pub trait Versioned: Serialize {
    fn version(&self) -> i64;
}

/// The one shape of every edit: load the current state (404 when absent), check the
/// client's `If-Match` (412 when stale), apply the change with a compare-and-swap on the
/// version (412 when someone else won the race), and record the audit event, all in the
/// caller's transaction.
pub fn audited_update<V, Load, Apply>(
    conn: &mut DbConn,
    actor: &Actor,
    target: (&str, &str),
    expected: crate::http::Expected,
    load: Load,
    apply: Apply,
) -> AppResult<V>
where
    V: Versioned,
    Load: FnOnce(&mut DbConn) -> AppResult<Option<V>>,
    Apply: FnOnce(&mut DbConn, &V) -> AppResult<Option<V>>,
{
    let (entity, entity_id) = target;
    let before = load(conn)?.ok_or_else(|| crate::error::AppError::not_found(entity))?;
    expected.check(before.version())?;
    let after =
        apply(conn, &before)?.ok_or_else(|| crate::error::AppError::stale(before.version()))?;
    record(
        conn,
        actor,
        Change {
            entity,
            entity_id,
            action: "update",
            before: Some(&before),
            after: Some(&after),
        },
    )?;
    Ok(after)
}
