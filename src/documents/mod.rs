//! Documents attached to applications. Uploads are `multipart/form-data` with `kind` and
//! `file`; the type is judged from the bytes, the stored name is generated, the SHA-256 is
//! kept; downloads go only to readers of the application. Bytes live behind the
//! `DocumentStore` interface: a local folder under `data_dir` by default, or S3-compatible
//! object storage (`documents.storage = "s3"`), built once at start.

pub mod detect;
pub mod s3;
pub mod storage;
pub mod upload;

use std::io::Read;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{
    self, Charset, ContentDisposition, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use actix_web::{delete, get, post};
use chrono::Utc;
use sha2::{Digest, Sha256};

use crate::applications::model::DocumentView;
use crate::applications::{find_visible_header, rules, store as app_store};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::clock::stored_time;
use crate::config::{Settings, StorageKind};
use crate::db::{self, write_transaction};
use crate::error::{AppError, AppResult};
use crate::http::{Paginated, parse_id};
use crate::state::AppState;
use storage::{DocumentStore, LocalFolderStore};
use upload::Spooled;

const ENTITY: crate::audit::Entity = crate::audit::Entity::ApplicationDocument;

/// The configured document store, built once at start (`Services::documents`) and by
/// the backup commands.
pub fn store_for(settings: &Settings) -> Result<Arc<dyn DocumentStore>, String> {
    Ok(match settings.documents.storage {
        StorageKind::Local => Arc::new(LocalFolderStore::new(&settings.data_dir)),
        StorageKind::S3 => Arc::new(s3::S3Store::new(
            &settings.documents.s3,
            settings.data_dir.join("spool"),
        )?),
    })
}

/// The form of an upload (`upload::receive` reads it): these two fields and no other.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read field by field from the stream, never as this struct
pub struct UploadForm {
    /// What the document is, e.g. `proposal`: 1 to 50 lower-case letters, digits or dashes.
    #[schema(pattern = "^[a-z0-9][a-z0-9-]{0,49}(?![\\s\\S])")]
    kind: String,
    /// The file; its type is judged from its bytes, not from its name.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Uploads a document to a draft application.
#[utoipa::path(tag = "documents",
    params(("id" = uuid::Uuid, Path, description = "application id")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses((status = 201, body = DocumentView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
              (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
#[post("/api/v1/applications/{id}/documents")]
pub async fn upload_document(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    id: web::Path<String>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::UploadDocument)?;
    let id = parse_id(&id, "id")?.to_string();
    let received = receive_for(&state, &req, &user, &id, payload, &[]).await?;
    let actor = Actor::for_user(&req, &user);
    let view = attach(&state, actor, user, id, received).await?;
    let mut response = HttpResponse::Created();
    response.insert_header((header::LOCATION, view.href.clone()));
    Ok(response.json(view))
}

/// Reads an upload to application `id` (with the form's `extra` text fields, such as a
/// page's CSRF token). What would be refused anyway (not the user's, not a draft) is
/// refused before a byte of the file is read; the body is then drained so that the client
/// gets the answer rather than a reset connection.
pub async fn receive_for(
    state: &AppState,
    req: &HttpRequest,
    user: &CurrentUser,
    id: &str,
    payload: web::Payload,
    extra: &[&'static str],
) -> AppResult<upload::Upload> {
    let (early_user, early_id) = (user.clone(), id.to_string());
    let early = db::run(&state.pool, move |conn| {
        let app = find_visible_header(conn, &early_user, &early_id, false)?;
        rules::check_editable(app.status)
    })
    .await;
    if let Err(e) = early {
        upload::drain(
            payload,
            state.settings.documents.max_bytes.saturating_mul(2),
        )
        .await;
        return Err(e);
    }
    upload::receive(
        req,
        payload,
        state.documents.clone(),
        &state.settings.documents,
        state.upload_slots.clone(),
        extra,
    )
    .await
}

/// Attaches a received upload to the draft application `id`: the one way a document is
/// added, for the API and the application page alike.
///
/// The file is published (renamed into place and its directory synced) before the
/// transaction, so that no database lock is held across disk syncs. If the transaction
/// then refuses or fails, the file is removed again: a row never points to a missing file,
/// and at worst a crash leaves an unreferenced file behind.
pub async fn attach(
    state: &AppState,
    actor: Actor,
    user: CurrentUser,
    id: String,
    received: upload::Upload,
) -> AppResult<DocumentView> {
    // this upload's turn at the disk, until it is attached or refused
    let _slot = received.slot;
    let store = state.documents.clone();
    let document_id = uuid::Uuid::now_v7().to_string();
    let key = document_id.clone();
    let Spooled {
        file,
        size,
        sha256,
        kind: content_kind,
        file_name,
    } = received.file;
    let publish_store = store.clone();
    let publish_key = key.clone();
    web::block(move || publish_store.put(&publish_key, file))
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
        .map_err(|e| AppError::internal(format!("cannot store a document: {e}")))?;
    let kind = received.kind;
    let cleanup_key = key.clone();
    let result = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let app = find_visible_header(conn, &user, &id, true)?;
            rules::check_editable(app.status)?;
            let row = app_store::DocumentRow {
                id: document_id.clone(),
                application_id: app.id.clone(),
                kind,
                file_name,
                content_type: content_kind.mime.to_string(),
                size_bytes: i64::try_from(size)
                    .map_err(|_| AppError::internal("a document larger than i64 bytes"))?,
                sha256,
                storage_key: key,
                added_in_revision: app.revision,
                removed_in_revision: None,
                uploaded_by: Some(user.id.clone()),
                created_at: stored_time(Utc::now()).naive_utc(),
            };
            app_store::insert_document(conn, &row)?;
            let view = row.view();
            audit::record(
                conn,
                &actor,
                Change::<(), _> {
                    entity: ENTITY,
                    entity_id: &row.id,
                    action: crate::audit::Action::Upload,
                    before: None,
                    after: Some(&view),
                },
            )?;
            Ok(view)
        })
    })
    .await;
    if result.is_err() {
        let removed = web::block(move || store.delete(&cleanup_key)).await;
        if !matches!(removed, Ok(Ok(()))) {
            tracing::error!("a stored upload outlived its failed transaction");
        }
    }
    result
}

/// The documents of the application's current revision.
#[utoipa::path(tag = "documents",
    params(("id" = uuid::Uuid, Path, description = "application id")), security(("bearer" = [])),
    responses((status = 200, body = inline(Paginated<DocumentView>)), (status = 404, body = crate::error::Problem)))]
#[get("/api/v1/applications/{id}/documents")]
pub async fn list_documents(
    state: AppState,
    user: CurrentUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadApplication)?;
    let id = parse_id(&id, "id")?.to_string();
    let items = db::run(&state.pool, move |conn| {
        find_visible_header(conn, &user, &id, false)?;
        Ok(app_store::current_documents(conn, &id)?
            .iter()
            .map(app_store::DocumentRow::view)
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Paginated {
        items,
        next_cursor: None,
    }))
}

/// `attachment; filename="…"; filename*=UTF-8''…`: an ASCII fallback and the exact name.
fn disposition(file_name: &str) -> ContentDisposition {
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut parameters = vec![DispositionParam::Filename(ascii.clone())];
    if ascii != file_name {
        parameters.push(DispositionParam::FilenameExt(ExtendedValue {
            charset: Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: file_name.as_bytes().to_vec(),
        }));
    }
    ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters,
    }
}

/// RFC 9530 `Repr-Digest: sha-256=:<base64>:` from the recorded hex SHA-256.
fn repr_digest(sha256_hex: &str) -> String {
    use base64::Engine;
    let bytes = hex::decode(sha256_hex).unwrap_or_default();
    format!(
        "sha-256=:{}:",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// Downloads a document of the application (current or of an earlier revision), with the
/// type detected at upload and the cleaned file name. The bytes are checked against the
/// recorded SHA-256 before they are sent.
#[utoipa::path(tag = "documents",
    params(("id" = uuid::Uuid, Path, description = "application id"),
           ("doc_id" = uuid::Uuid, Path, description = "document id")),
    security(("bearer" = [])),
    // its content types are those of `documents::detect::KNOWN` (added by `apidoc`)
    responses((status = 200, description = "the document's bytes, typed as detected at upload"),
              (status = 404, body = crate::error::Problem),
              (status = 500, description = "the stored bytes no longer match their checksum; they are not served",
               body = crate::error::Problem)))]
#[get("/api/v1/applications/{id}/documents/{doc_id}")]
pub async fn download_document(
    state: AppState,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::ReadApplication)?;
    let (id, doc_id) = path.into_inner();
    let id = parse_id(&id, "id")?.to_string();
    let doc_id = parse_id(&doc_id, "doc_id")?.to_string();
    download(&state, user, id, doc_id).await
}

/// The document `doc_id` of application `id` as a download, for a reader of the
/// application (404 otherwise): the API's and the pages' one way to serve one. Bytes that
/// no longer match their checksum are not served.
pub async fn download(
    state: &AppState,
    user: CurrentUser,
    id: String,
    doc_id: String,
) -> AppResult<HttpResponse> {
    let doc = db::run(&state.pool, move |conn| {
        find_visible_header(conn, &user, &id, false)?;
        app_store::find_document(conn, &id, &doc_id)?.ok_or_else(|| AppError::not_found("document"))
    })
    .await?;
    let store = state.documents.clone();
    let key = doc.storage_key.clone();
    let expected = doc.sha256.clone();
    let bytes = web::block(move || -> AppResult<Vec<u8>> {
        let mut bytes = Vec::new();
        store
            .open(&key)
            .and_then(|mut r| r.read_to_end(&mut bytes))
            .map_err(|e| AppError::internal(format!("cannot read document {key}: {e}")))?;
        if hex::encode(Sha256::digest(&bytes)) != expected {
            return Err(AppError::internal(format!(
                "document {key} does not match its recorded SHA-256"
            )));
        }
        Ok(bytes)
    })
    .await
    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))??;
    Ok(HttpResponse::build(StatusCode::OK)
        .insert_header((header::CONTENT_TYPE, doc.content_type.clone()))
        .insert_header((header::CONTENT_DISPOSITION, disposition(&doc.file_name)))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header((header::ETAG, format!("\"{}\"", doc.sha256)))
        .insert_header(("Repr-Digest", repr_digest(&doc.sha256)))
        .body(bytes))
}

/// Takes a document out of a draft. One uploaded in an earlier, submitted revision stays
/// readable there.
#[utoipa::path(tag = "documents",
    params(("id" = uuid::Uuid, Path, description = "application id"),
           ("doc_id" = uuid::Uuid, Path, description = "document id")),
    security(("bearer" = [])),
    responses((status = 204), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
#[delete("/api/v1/applications/{id}/documents/{doc_id}")]
pub async fn delete_document(
    state: AppState,
    req: HttpRequest,
    user: CurrentUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    policy::authorize(&user, Operation::DeleteDocument)?;
    let (id, doc_id) = path.into_inner();
    let id = parse_id(&id, "id")?.to_string();
    let doc_id = parse_id(&doc_id, "doc_id")?.to_string();
    let actor = Actor::for_user(&req, &user);
    let removable = db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            let app = find_visible_header(conn, &user, &id, true)?;
            let doc = app_store::find_document(conn, &id, &doc_id)?
                .filter(|d| d.removed_in_revision.is_none())
                .ok_or_else(|| AppError::not_found("document"))?;
            rules::check_editable(app.status)?;
            let delete_file = app_store::remove_document(conn, &doc, app.revision)?;
            audit::record(
                conn,
                &actor,
                Change::<_, ()> {
                    entity: ENTITY,
                    entity_id: &doc.id,
                    action: crate::audit::Action::Remove,
                    before: Some(&doc.view()),
                    after: None,
                },
            )?;
            Ok(delete_file.then_some(doc.storage_key))
        })
    })
    .await?;
    if let Some(key) = removable {
        let store = state.documents.clone();
        let deleted = web::block(move || store.delete(&key)).await;
        if !matches!(deleted, Ok(Ok(()))) {
            tracing::warn!("a removed document's file could not be deleted; it is unreferenced");
        }
    }
    Ok(HttpResponse::NoContent().finish())
}
