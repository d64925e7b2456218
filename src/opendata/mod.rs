//! Open data: the fund's grants published as IATI 2.03 activities and as a 360Giving data
//! package, over HTTP (public) and from the command line for scheduled publication.
//!
//! Both exports are streamed: grants are read a page at a time inside one read-only
//! snapshot and written straight to the client (or the file), so memory stays flat however
//! many grants the fund has.

pub mod giving;
pub mod iati;
pub mod rules;
pub mod store;

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;

use actix_web::get;
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};
use chrono::NaiveDate;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use crate::db::{self, DbConn, DbPool};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::funds::store::FundRow;
use crate::http::parse_id;
use crate::state::AppState;

/// Grants (or ledger entries) read per query.
pub const PAGE: i64 = 500;
/// Exports running at once: each holds a database connection while it streams.
const CONCURRENT_EXPORTS: usize = 2;
/// Bytes gathered before a chunk goes to the client.
const CHUNK: usize = 64 * 1024;
/// Chunks waiting for a slow client before the export itself waits.
const CHUNKS_IN_FLIGHT: usize = 4;

/// The two formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Iati,
    Giving,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Iati => "application/xml; charset=utf-8",
            Format::Giving => "application/json",
        }
    }

    fn file_name(self, fund_code: &str) -> String {
        match self {
            Format::Iati => format!("{fund_code}-iati.xml"),
            Format::Giving => format!("{fund_code}-360giving.json"),
        }
    }
}

/// A database error inside a writer, which speaks `io::Error`.
pub(crate) fn db<T>(result: diesel::QueryResult<T>) -> io::Result<T> {
    result.map_err(io::Error::other)
}

/// Every row of a keyset-paged query, `PAGE` at a time: `fetch(conn, after, limit)` reads
/// the rows after the one whose key is `after`, and `each` writes one row.
pub(crate) fn for_each_row<T>(
    conn: &mut DbConn,
    fetch: impl Fn(&mut DbConn, Option<&str>, i64) -> diesel::QueryResult<Vec<T>>,
    key: impl Fn(&T) -> &str,
    mut each: impl FnMut(&T) -> io::Result<()>,
) -> io::Result<()> {
    let mut after: Option<String> = None;
    loop {
        let page = db(fetch(conn, after.as_deref(), PAGE))?;
        for row in &page {
            each(row)?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = Some(key(last).to_string()),
            _ => return Ok(()),
        }
    }
}

/// A stored time as published: RFC 3339 in UTC, to the second.
pub(crate) fn datetime(at: chrono::NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The fund as it may be published, with the identifier every published id starts with.
/// 404 for an unknown fund; 409 naming `organisation_identifier` while it has none; 409
/// for a 360Giving package without grants (the standard requires at least one).
pub fn publishable(
    conn: &mut DbConn,
    fund: FundRow,
    format: Format,
) -> AppResult<(FundRow, String)> {
    let Some(identifier) = fund.organisation_identifier.clone() else {
        let why = "the fund has no organisation identifier to publish under yet; the \
                   secretariat sets it with PATCH /api/v1/funds/{id}";
        return Err(AppError::invalid_state(why)
            .with_errors(vec![FieldError::new("organisation_identifier", why)]));
    };
    if format == Format::Giving && !crate::funds::store::has_grants(conn, &fund.id)? {
        return Err(AppError::invalid_state(
            "the fund has no grant yet: a 360Giving package holds at least one",
        ));
    }
    Ok((fund, identifier))
}

/// Writes the export of `format` to `out` from one consistent snapshot.
pub fn export<W: Write>(
    conn: &mut DbConn,
    fund: &FundRow,
    identifier: &str,
    format: Format,
    today: NaiveDate,
    out: W,
) -> io::Result<W> {
    let written = db::read_snapshot(conn, |conn| {
        Ok::<_, SnapshotError>(match format {
            Format::Iati => iati::write(conn, &iati::Publisher::new(fund, identifier), today, out),
            Format::Giving => giving::write(conn, fund, identifier, today, out),
        })
    });
    match written {
        Ok(result) => result,
        Err(SnapshotError(e)) => Err(io::Error::other(e)),
    }
}

/// The snapshot could not begin or end.
struct SnapshotError(diesel::result::Error);

impl From<diesel::result::Error> for SnapshotError {
    fn from(e: diesel::result::Error) -> Self {
        SnapshotError(e)
    }
}

/// `trustfund export`: the export of the fund with `code` written to `path` (through a
/// temporary file renamed into place, so a scheduled publication never leaves half a
/// file where readers look). Returns the bytes written.
pub fn export_to_file(pool: &DbPool, code: &str, format: Format, path: &Path) -> AppResult<u64> {
    let mut conn = pool.get()?;
    let fund = crate::funds::store::find_by_code(&mut conn, code)?
        .ok_or_else(|| AppError::not_found("fund"))?;
    let (fund, identifier) = publishable(&mut conn, fund, format)?;
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io_error = |e: io::Error| AppError::internal(format!("writing {}: {e}", path.display()));
    let file = tempfile::NamedTempFile::new_in(dir).map_err(io_error)?;
    let out = io::BufWriter::with_capacity(CHUNK, file);
    let today = crate::clock::today();
    let out = export(&mut conn, &fund, &identifier, format, today, out).map_err(io_error)?;
    let file = out.into_inner().map_err(|e| io_error(e.into_error()))?;
    file.as_file().sync_all().map_err(io_error)?;
    let written = file.as_file().metadata().map_err(io_error)?.len();
    file.persist(path).map_err(|e| io_error(e.error))?;
    Ok(written)
}

/// Sends what an export writes to the HTTP response in chunks; a client that went away
/// makes the next write fail, which ends the export.
struct ChunkSender {
    buffer: Vec<u8>,
    tx: mpsc::Sender<io::Result<Bytes>>,
}

impl ChunkSender {
    fn send(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(
            &mut self.buffer,
            Vec::with_capacity(CHUNK),
        ));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
    }
}

impl Write for ChunkSender {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// The exports one service runs at once over HTTP.
#[derive(Debug, Clone)]
pub struct ExportSlots(Arc<Semaphore>);

impl Default for ExportSlots {
    fn default() -> Self {
        ExportSlots(Arc::new(Semaphore::new(CONCURRENT_EXPORTS)))
    }
}

/// The streamed HTTP answer. The checks that can refuse run before the first byte, so a
/// refusal is a proper problem+json; a failure later aborts the response (the client sees
/// a broken transfer, never a file that looks complete).
async fn stream(state: AppState, raw_id: &str, format: Format) -> AppResult<HttpResponse> {
    let fund_id = parse_id(raw_id, "id")?.to_string();
    let (fund, identifier) = db::run(&state.pool, move |conn| {
        let fund = crate::funds::store::find(conn, &fund_id)?
            .ok_or_else(|| AppError::not_found("fund"))?;
        publishable(conn, fund, format)
    })
    .await?;
    let permit: OwnedSemaphorePermit =
        state
            .export_slots
            .0
            .clone()
            .try_acquire_owned()
            .map_err(|_| {
                AppError::new(
                    ErrorCode::ServiceUnavailable,
                    "other exports are running; try again in a minute (scheduled publication: \
             `trustfund export`)",
                )
            })?;
    let (tx, mut rx) = mpsc::channel::<io::Result<Bytes>>(CHUNKS_IN_FLIGHT);
    let pool = state.pool.clone();
    let file_name = format.file_name(&fund.code);
    actix_web::rt::task::spawn_blocking(move || {
        let _permit = permit;
        let mut sender = ChunkSender {
            buffer: Vec::with_capacity(CHUNK),
            tx: tx.clone(),
        };
        let result = pool.get().map_err(io::Error::other).and_then(|mut conn| {
            let today = crate::clock::today();
            export(&mut conn, &fund, &identifier, format, today, &mut sender)?;
            sender.flush()
        });
        if let Err(error) = result {
            tracing::warn!(fund = %fund.code, ?format, %error, "open-data export stopped");
            let _ = tx.blocking_send(Err(error));
        }
    });
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, format.content_type()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{file_name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .streaming(body))
}

/// The fund's grants as IATI 2.03 activities: the fund is the parent activity with the
/// donors' pledges and contributions, each grant a child with its commitment,
/// disbursements and accepted results. Public; streamed.
#[utoipa::path(tag = "open data",
    params(("id" = uuid::Uuid, Path, description = "fund id")),
    responses((status = 200, description = "IATI 2.03 activities", content_type = "application/xml"),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 503, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/iati.xml")]
pub async fn iati_xml(state: AppState, id: web::Path<String>) -> AppResult<HttpResponse> {
    stream(state, &id, Format::Iati).await
}

/// The fund's grants as a 360Giving data package. Public; streamed.
#[utoipa::path(tag = "open data",
    params(("id" = uuid::Uuid, Path, description = "fund id")),
    responses((status = 200, description = "a 360Giving data package", content_type = "application/json"),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 503, body = crate::error::Problem)))]
#[get("/api/v1/funds/{id}/360giving.json")]
pub async fn giving_json(state: AppState, id: web::Path<String>) -> AppResult<HttpResponse> {
    stream(state, &id, Format::Giving).await
}
