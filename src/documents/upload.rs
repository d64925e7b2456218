//! Receiving a `multipart/form-data` upload with the fields `kind` and `file`: the file is
//! streamed into a spool file while its SHA-256 and size are computed, never held whole in
//! memory, and never kept when anything goes wrong (the spool file deletes itself on drop).

use std::io::{Seek, SeekFrom, Write};
use std::sync::Arc;

use actix_multipart::{Multipart, MultipartError};
use actix_web::http::header;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use tempfile::NamedTempFile;

use super::detect::{self, HEAD_BYTES, Kind, Verdict};
use super::storage::DocumentStore;
use crate::calls::model::{SLUG_RULE, is_slug};
use crate::config::DocumentSettings;
use crate::error::{AppError, ErrorCode, FieldError};

/// A received, checked file waiting to be published.
pub struct Spooled {
    pub file: NamedTempFile,
    pub size: u64,
    pub sha256: String,
    pub kind: Kind,
    /// The client's name, cleaned for `Content-Disposition`.
    pub file_name: String,
}

/// A received upload: the document kind, the checked file, and the extra text fields the
/// caller asked for (a page's CSRF token).
pub struct Upload {
    pub kind: String,
    pub file: Spooled,
    pub extra: std::collections::HashMap<String, String>,
    /// This upload's turn at the disk (`Services::upload_slots`), taken before its bytes
    /// were checked and flushed and held until it is attached: when every NGO uploads at
    /// the deadline, only a few documents are written out at once, so a short write's
    /// commit does not wait behind a gigabyte of document data being flushed.
    pub slot: tokio::sync::OwnedSemaphorePermit,
}

/// The longest text field an upload form carries (`kind`, a CSRF token).
const TEXT_FIELD_MAX: usize = 200;

/// A short text field of the form, whole; longer than `TEXT_FIELD_MAX` is refused naming it.
async fn text_field(field: &mut actix_multipart::Field, name: &str) -> Result<String, AppError> {
    let mut text = Vec::new();
    while let Some(chunk) = field.next().await {
        let chunk = chunk.map_err(multipart_error)?;
        if text.len() + chunk.len() > TEXT_FIELD_MAX {
            return Err(AppError::field(
                name.to_string(),
                if name == "kind" {
                    SLUG_RULE
                } else {
                    "is too long"
                },
            ));
        }
        text.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&text).trim().to_string())
}

fn too_large(max: u64) -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        format!("the document is larger than the {max} bytes allowed"),
    )
}

fn multipart_error(e: MultipartError) -> AppError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => AppError::new(
            ErrorCode::UnsupportedMediaType,
            "send the document as multipart/form-data with the fields kind and file",
        ),
        MultipartError::Payload(e) => crate::http::payload_error(e),
        other => AppError::malformed(format!("the multipart body could not be read: {other}")),
    }
}

/// A download name from whatever the client sent: no folders (`../../etc/passwd` becomes
/// `passwd`), no control or quoting characters, no leading dots, at most 150 characters,
/// and ending in the detected type's extension.
pub fn clean_file_name(raw: &str, kind: &Kind) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !"\"'\\/:*?<>|;%`$".contains(*c))
        .collect();
    let trimmed: String = cleaned
        .trim()
        .trim_start_matches(['.', ' '])
        .chars()
        .take(150)
        .collect();
    let trimmed = trimmed.trim_end_matches(['.', ' ']);
    let stem = if trimmed.is_empty() {
        "document"
    } else {
        trimmed
    };
    let lower = stem.to_ascii_lowercase();
    let has_extension = match kind.name {
        "jpeg" => lower.ends_with(".jpg") || lower.ends_with(".jpeg"),
        "txt" => lower.ends_with(".txt"),
        _ => lower.ends_with(&format!(".{}", kind.extension)),
    };
    if has_extension {
        stem.to_string()
    } else {
        format!("{stem}.{}", kind.extension)
    }
}

/// Reads and drops what is left of a body (at most `cap` bytes), so that a client still
/// sending gets the error answer rather than a reset connection.
pub async fn drain(mut payload: web::Payload, cap: u64) {
    let mut seen: u64 = 0;
    while let Some(Ok(chunk)) = payload.next().await {
        seen += chunk.len() as u64;
        if seen > cap {
            break;
        }
    }
}

/// Reads the multipart body. Too large: 413 (the rest of the body is read and dropped, so
/// the client sees the answer rather than a reset connection). Not multipart: 415. A
/// missing or malformed `kind` or `file`, or any other field: 422 naming it. Content that
/// is dangerous or not an allowed type: 415. The text fields named in `extra` are read too.
pub async fn receive(
    req: &HttpRequest,
    payload: web::Payload,
    store: Arc<dyn DocumentStore>,
    limits: &DocumentSettings,
    slots: Arc<tokio::sync::Semaphore>,
    extra: &[&'static str],
) -> Result<Upload, AppError> {
    let max = limits.max_bytes;
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // Far beyond the limit: answer at once rather than read it all.
    if declared.is_some_and(|n| n > max.saturating_mul(2).saturating_add(1 << 20)) {
        return Err(too_large(max));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut kind: Option<String> = None;
    let mut extra_fields = std::collections::HashMap::new();
    let mut file: Option<(NamedTempFile, u64, String, Vec<u8>, String)> = None;
    let mut errors: Vec<FieldError> = Vec::new();
    let mut oversize = false;
    let mut drained: u64 = 0;
    let drain_cap = max.saturating_mul(4).max(64 << 20);

    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(multipart_error)?;
        let name = field
            .content_disposition()
            .and_then(|cd| cd.get_name())
            .unwrap_or_default()
            .to_string();
        let client_name = field
            .content_disposition()
            .and_then(|cd| cd.get_filename())
            .map(str::to_string);
        match name.as_str() {
            "kind" if !oversize => kind = Some(text_field(&mut field, "kind").await?),
            named if !oversize && extra.contains(&named) => {
                let text = text_field(&mut field, named).await?;
                extra_fields.entry(name.clone()).or_insert(text);
            }
            "file" if !oversize && file.is_none() => {
                let mut spool = store
                    .spool()
                    .map_err(|e| AppError::internal(format!("cannot spool an upload: {e}")))?;
                let mut hasher = Sha256::new();
                let mut head = Vec::with_capacity(HEAD_BYTES);
                let mut size: u64 = 0;
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(multipart_error)?;
                    size += chunk.len() as u64;
                    if size > max {
                        oversize = true;
                        drained += size;
                        break;
                    }
                    hasher.update(&chunk);
                    if head.len() < HEAD_BYTES {
                        let take = (HEAD_BYTES - head.len()).min(chunk.len());
                        head.extend_from_slice(&chunk[..take]);
                    }
                    spool
                        .write_all(&chunk)
                        .map_err(|e| AppError::internal(format!("cannot spool an upload: {e}")))?;
                }
                if !oversize {
                    file = Some((
                        spool,
                        size,
                        hex::encode(hasher.finalize()),
                        head,
                        client_name.unwrap_or_default(),
                    ));
                }
            }
            "file" if !oversize => errors.push(FieldError::new("file", "send one file per upload")),
            _ if oversize => {}
            other => errors.push(FieldError::new(
                if other.is_empty() {
                    "(unnamed part)"
                } else {
                    other
                },
                "is not a known field here; send kind and file",
            )),
        }
        if oversize {
            // Read and drop the rest so that the client gets the 413.
            while let Some(chunk) = field.next().await {
                drained += chunk.map(|c| c.len() as u64).unwrap_or(0);
                if drained > drain_cap {
                    return Err(too_large(max));
                }
            }
        }
    }
    if oversize {
        return Err(too_large(max));
    }
    match &kind {
        None => errors.push(FieldError::new("kind", "is required")),
        Some(k) if !is_slug(k) => errors.push(FieldError::new("kind", SLUG_RULE)),
        Some(_) => {}
    }
    if file.is_none() {
        errors.push(FieldError::new("file", "is required"));
    }
    let (Some(kind), Some((spool, size, sha256, head, client_name)), true) =
        (kind, file, errors.is_empty())
    else {
        return Err(AppError::validation(errors));
    };
    if size == 0 {
        return Err(AppError::field("file", "is empty"));
    }
    let allowed = limits.allowed_types.clone();
    let slot = slots
        .acquire_owned()
        .await
        .map_err(|_| AppError::internal("the upload slots were closed"))?;
    let spooled =
        web::block(move || check_content(spool, size, sha256, &head, &client_name, &allowed))
            .await
            .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))??;
    Ok(Upload {
        kind,
        file: spooled,
        extra: extra_fields,
        slot,
    })
}

/// Judges the spooled bytes.
fn check_content(
    mut spool: NamedTempFile,
    size: u64,
    sha256: String,
    head: &[u8],
    client_name: &str,
    allowed: &[String],
) -> Result<Spooled, AppError> {
    let io = |e: std::io::Error| AppError::internal(format!("cannot read a spooled upload: {e}"));
    spool.as_file_mut().seek(SeekFrom::Start(0)).map_err(io)?;
    let verdict = detect::detect(head, spool.as_file_mut(), client_name);
    let refuse = |what: String| {
        AppError::new(ErrorCode::UnsupportedMediaType, what)
            .with_errors(vec![FieldError::new("file", "is not of an accepted type")])
    };
    let kind = match verdict {
        Verdict::Dangerous(what) => {
            return Err(AppError::new(
                ErrorCode::UnsupportedMediaType,
                format!(
                    "the file is {what}; executables, scripts, markup, macros, nested archives and zip bombs are refused"
                ),
            )
            .with_errors(vec![FieldError::new("file", format!("is {what}"))]));
        }
        Verdict::Unsupported(what) => {
            return Err(refuse(format!("{what}; accepted: {}", allowed.join(", "))));
        }
        Verdict::Accept(kind) if !allowed.iter().any(|a| a == kind.name) => {
            return Err(refuse(format!(
                "{} files are not accepted here; accepted: {}",
                kind.name,
                allowed.join(", ")
            )));
        }
        Verdict::Accept(kind) => kind,
    };
    // Not flushed here: `DocumentStore::put` makes the bytes durable where they are kept
    // (the local store syncs the file and its folder; S3 has them once the upload ends).
    Ok(Spooled {
        file_name: clean_file_name(client_name, &kind),
        file: spool,
        size,
        sha256,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::detect::{JPEG, PDF, TEXT};

    #[test]
    fn file_names_lose_their_paths_and_tricks() {
        assert_eq!(clean_file_name("proposal.pdf", &PDF), "proposal.pdf");
        assert_eq!(clean_file_name("../../etc/passwd", &TEXT), "passwd.txt");
        assert_eq!(
            clean_file_name("..\\..\\boot.ini.pdf", &PDF),
            "boot.ini.pdf"
        );
        assert_eq!(clean_file_name("/abs/path/x.PDF", &PDF), "x.PDF");
        assert_eq!(clean_file_name("", &PDF), "document.pdf");
        assert_eq!(clean_file_name("....", &PDF), "document.pdf");
        assert_eq!(clean_file_name(".htaccess", &TEXT), "htaccess.txt");
        assert_eq!(clean_file_name("a\"b;\r\nc.pdf", &PDF), "abc.pdf");
        assert_eq!(clean_file_name("invoice.exe", &PDF), "invoice.exe.pdf");
        assert_eq!(clean_file_name("photo.jpeg", &JPEG), "photo.jpeg");
        assert_eq!(
            clean_file_name("Bericht über Ghana.pdf", &PDF),
            "Bericht über Ghana.pdf"
        );
        assert!(clean_file_name(&"x".repeat(400), &PDF).chars().count() <= 154);
    }
}
