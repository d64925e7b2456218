//! The audit trail: every state change calls `record` inside its own transaction, so the
//! event and the change commit or roll back together. Events are append-only: the API has
//! no way to change them and the database refuses UPDATE and DELETE on the table.

pub mod store;

use actix_web::get;
use actix_web::{HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Actor;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::http::{PageParams, Paginated, parse_query};
use crate::state::AppState;

crate::text_enum!(
    /// What an audit event is about: one value per kind of stored entity that changes.
    Entity {
        Fund => "fund",
        Organisation => "organisation",
        User => "user",
        Invitation => "invitation",
        Session => "session",
        Call => "call",
        Application => "application",
        ApplicationDocument => "application_document",
        ExchangeRate => "exchange_rate",
        Pledge => "pledge",
        Contribution => "contribution",
        BoardSession => "board_session",
        BoardDecision => "board_decision",
        Grant => "grant",
        Disbursement => "disbursement",
        GrantRefund => "grant_refund",
        GrantReport => "grant_report",
        ReviewAssignment => "review_assignment",
        RegistryProject => "registry_project",
        RegistryOverlapReview => "registry_overlap_review",
        Need => "need",
        Offer => "offer",
        NeedOfferMatch => "need_offer_match",
    }
);

crate::text_enum!(
    /// What was done, as written in audit events.
    Action {
        Create => "create",
        Update => "update",
        Delete => "delete",
        Register => "register",
        VerifyEmail => "verify_email",
        AcceptInvitation => "accept_invitation",
        ResetPassword => "reset_password",
        ChangePassword => "change_password",
        EnrolSecondFactor => "enrol_second_factor",
        ResetSecondFactor => "reset_second_factor",
        RevokeReusedRefreshToken => "revoke_reused_refresh_token",
        Open => "open",
        Close => "close",
        Submit => "submit",
        Resubmit => "resubmit",
        Withdraw => "withdraw",
        Screen => "screen",
        Return => "return",
        Assign => "assign",
        Declare => "declare",
        Review => "review",
        Decide => "decide",
        Sign => "sign",
        Suspend => "suspend",
        Resume => "resume",
        Terminate => "terminate",
        Request => "request",
        Approve => "approve",
        Pay => "pay",
        Cancel => "cancel",
        Upload => "upload",
        Remove => "remove",
        Accept => "accept",
        Flag => "flag",
        Resolve => "resolve",
        Clear => "clear",
        Propose => "propose",
        Decline => "decline",
    }
);

/// One state change: `before` is absent for a creation.
pub struct Change<'a, B: Serialize, A: Serialize> {
    pub entity: Entity,
    pub entity_id: &'a str,
    pub action: Action,
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
            entity: change.entity,
            entity_id: change.entity_id.to_string(),
            action: change.action,
            before_state: change.before.map(to_json),
            after_state: change.after.map(to_json),
        },
    )?;
    Ok(())
}

/// Writes the audit event of a creation: `view` is the new row as the API shows it.
pub fn created<A: Serialize>(
    conn: &mut DbConn,
    actor: &Actor,
    entity: Entity,
    entity_id: &str,
    view: &A,
) -> AppResult<()> {
    record(
        conn,
        actor,
        Change::<(), A> {
            entity,
            entity_id,
            action: Action::Create,
            before: None,
            after: Some(view),
        },
    )
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
            entity: change.entity,
            entity_id: change.entity_id.to_string(),
            action: change.action,
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
    pub entity: Entity,
    pub entity_id: String,
    pub action: Action,
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
