//! `trustfund backup` and `trustfund restore` for an installation on SQLite.
//!
//! A backup is a folder: `trustfund.db` (a consistent copy made by SQLite's `VACUUM INTO`,
//! which reads one snapshot while the service keeps writing: WAL readers never block the
//! writer), `documents/<key>` (every document the copy refers to, read through the
//! configured `DocumentStore`, so a local folder and object storage are backed up alike)
//! and `manifest.json`, written last, with the SHA-256 of the database file and of each
//! document. A folder without a manifest is not a backup.
//!
//! Uploads publish a document's bytes before the row that names them commits, so every
//! document the copy names exists when the copy is taken. A document removed from a draft
//! after the copy was taken may be gone by the time its bytes are read: the backup is then
//! taken again from a newer copy (a few times at most), never written with a hole.
//!
//! Restore checks the whole backup (database and every document against the manifest,
//! and every document the database names against the manifest) before it writes anything,
//! and writes only into an empty data folder and an empty document store.
//!
//! PostgreSQL installations are backed up with `pg_dump` (see README, "Backup and
//! restore"): both commands refuse them and say so.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::db::schema::application_documents;
use crate::db::{self, Backend};
use crate::documents::{self, storage::DocumentStore};

/// The manifest's format; restore refuses any other.
pub const FORMAT: u32 = 1;
pub const MANIFEST: &str = "manifest.json";
pub const DATABASE_FILE: &str = "trustfund.db";
pub const DOCUMENTS_DIR: &str = "documents";
/// Copies taken before one without a document removed in the meantime.
const ATTEMPTS: usize = 5;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: u32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// The version of trustfund that wrote it.
    pub trustfund_version: String,
    pub database: FileEntry,
    pub documents: Vec<DocumentEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub file: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DocumentEntry {
    pub key: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backup and restore copy SQLite installations; this one is on PostgreSQL: use pg_dump and pg_restore as the README explains (\"Backup and restore\")"
    )]
    Postgres,
    #[error("{0}")]
    Refused(String),
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
    #[error("database: {0}")]
    Database(String),
}

fn io_error(what: impl Into<String>) -> impl FnOnce(io::Error) -> BackupError {
    let what = what.into();
    move |source| BackupError::Io { what, source }
}

fn db_error(e: impl std::fmt::Display) -> BackupError {
    BackupError::Database(e.to_string())
}

/// What a finished backup or restore holds.
#[derive(Debug, Clone)]
pub struct Summary {
    pub documents: usize,
    pub database_bytes: u64,
}

fn sqlite_file(settings: &Settings) -> Result<PathBuf, BackupError> {
    match Backend::of_url(&settings.database.url).map_err(db_error)? {
        Backend::Postgres => Err(BackupError::Postgres),
        Backend::Sqlite => Ok(PathBuf::from(db::sqlite_path(&settings.database.url))),
    }
}

fn open_sqlite(path: &Path) -> Result<SqliteConnection, BackupError> {
    let path = path
        .to_str()
        .ok_or_else(|| BackupError::Refused(format!("{} is not UTF-8", path.display())))?;
    let mut conn = SqliteConnection::establish(path).map_err(db_error)?;
    conn.batch_execute("PRAGMA busy_timeout = 10000;")
        .map_err(db_error)?;
    Ok(conn)
}

/// Copies `reader` into `out`, returning the size and the hex SHA-256 of what was copied.
fn copy_hashing(mut reader: impl Read, mut out: impl Write) -> io::Result<(u64, String)> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = reader.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        out.write_all(&buffer[..n])?;
        size += n as u64;
    }
    Ok((size, hex::encode(hasher.finalize())))
}

fn hash_file(path: &Path) -> io::Result<(u64, String)> {
    copy_hashing(File::open(path)?, io::sink())
}

/// The documents a database names: storage key and recorded SHA-256, each key once.
fn referenced_documents(conn: &mut SqliteConnection) -> Result<Vec<(String, String)>, BackupError> {
    application_documents::table
        .select((
            application_documents::storage_key,
            application_documents::sha256,
        ))
        .distinct()
        .order(application_documents::storage_key)
        .load(conn)
        .map_err(db_error)
}

fn is_empty_dir(path: &Path) -> io::Result<bool> {
    match fs::read_dir(path) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e),
    }
}

fn sync_dir(path: &Path) -> io::Result<()> {
    File::open(path)?.sync_all()
}

/// Writes a consistent backup of the running (or stopped) installation into `out`, which
/// must be absent or empty.
pub fn backup(settings: &Settings, out: &Path) -> Result<Summary, BackupError> {
    let source = sqlite_file(settings)?;
    if !source.exists() {
        return Err(BackupError::Refused(format!(
            "there is no database at {}",
            source.display()
        )));
    }
    if !is_empty_dir(out).map_err(io_error(format!("reading {}", out.display())))? {
        return Err(BackupError::Refused(format!(
            "{} is not empty; back up into a new folder",
            out.display()
        )));
    }
    fs::create_dir_all(out).map_err(io_error(format!("creating {}", out.display())))?;
    let store = documents::store_for(settings).map_err(BackupError::Refused)?;
    let mut live = open_sqlite(&source)?;
    for attempt in 1..=ATTEMPTS {
        match backup_once(&mut live, store.as_ref(), out)? {
            Some(summary) => return Ok(summary),
            None => tracing::info!(attempt, "a document was removed while backing up; again"),
        }
    }
    Err(BackupError::Refused(format!(
        "documents kept being removed while backing up; {ATTEMPTS} attempts made, try again"
    )))
}

/// One attempt; `None` when a document the copy names is gone (removed since).
fn backup_once(
    live: &mut SqliteConnection,
    store: &dyn DocumentStore,
    out: &Path,
) -> Result<Option<Summary>, BackupError> {
    let database = out.join(DATABASE_FILE);
    let documents_dir = out.join(DOCUMENTS_DIR);
    let _ = fs::remove_file(&database);
    let _ = fs::remove_dir_all(&documents_dir);
    let target = database
        .to_str()
        .ok_or_else(|| BackupError::Refused(format!("{} is not UTF-8", out.display())))?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(target)
        .execute(live)
        .map_err(db_error)?;
    let referenced = {
        let mut copy = open_sqlite(&database)?;
        referenced_documents(&mut copy)?
    };
    fs::create_dir_all(&documents_dir)
        .map_err(io_error(format!("creating {}", documents_dir.display())))?;
    let mut entries = Vec::with_capacity(referenced.len());
    for (key, recorded) in referenced {
        let reader = match store.open(&key) {
            Ok(reader) => reader,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(format!("reading document {key}"))(e)),
        };
        let path = documents_dir.join(&key);
        let file = File::create(&path).map_err(io_error(format!("writing {}", path.display())))?;
        let (size, sha256) =
            copy_hashing(reader, &file).map_err(io_error(format!("copying document {key}")))?;
        file.sync_all()
            .map_err(io_error(format!("writing {}", path.display())))?;
        if sha256 != recorded {
            return Err(BackupError::Refused(format!(
                "document {key} in the store does not match its recorded SHA-256: the stored copy is damaged"
            )));
        }
        entries.push(DocumentEntry { key, size, sha256 });
    }
    sync_dir(&documents_dir).map_err(io_error("syncing the documents folder"))?;
    let (database_bytes, database_sha) =
        hash_file(&database).map_err(io_error("reading the database copy"))?;
    let manifest = Manifest {
        format: FORMAT,
        created_at: chrono::Utc::now(),
        trustfund_version: env!("CARGO_PKG_VERSION").to_string(),
        database: FileEntry {
            file: DATABASE_FILE.to_string(),
            size: database_bytes,
            sha256: database_sha,
        },
        documents: entries,
    };
    let partial = out.join(format!("{MANIFEST}.partial"));
    let json = serde_json::to_vec_pretty(&manifest).map_err(db_error)?;
    let mut file = File::create(&partial).map_err(io_error("writing the manifest"))?;
    file.write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(io_error("writing the manifest"))?;
    fs::rename(&partial, out.join(MANIFEST)).map_err(io_error("writing the manifest"))?;
    sync_dir(out).map_err(io_error(format!("syncing {}", out.display())))?;
    Ok(Some(Summary {
        documents: manifest.documents.len(),
        database_bytes,
    }))
}

/// Reads and checks a backup without writing anything: the manifest, the database file's
/// and every document's SHA-256, and that every document the database names is there.
pub fn verify(from: &Path) -> Result<Manifest, BackupError> {
    let manifest_path = from.join(MANIFEST);
    let text = fs::read(&manifest_path).map_err(|e| {
        BackupError::Refused(format!(
            "{} is not a complete backup (no readable {MANIFEST}: {e})",
            from.display()
        ))
    })?;
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|e| {
        BackupError::Refused(format!(
            "{}: not a backup manifest: {e}",
            manifest_path.display()
        ))
    })?;
    if manifest.format != FORMAT {
        return Err(BackupError::Refused(format!(
            "the backup's format is {}, this trustfund reads {FORMAT}",
            manifest.format
        )));
    }
    if manifest.database.file != DATABASE_FILE {
        return Err(BackupError::Refused(
            "the manifest names another database file".into(),
        ));
    }
    let database = from.join(DATABASE_FILE);
    let (_, sha) =
        hash_file(&database).map_err(io_error(format!("reading {}", database.display())))?;
    if sha != manifest.database.sha256 {
        return Err(BackupError::Refused(
            "the database file does not match the manifest's SHA-256".into(),
        ));
    }
    for entry in &manifest.documents {
        if !crate::documents::storage::is_storage_key(&entry.key) {
            return Err(BackupError::Refused(format!(
                "the manifest names {:?}, which is not a storage key",
                entry.key
            )));
        }
        let path = from.join(DOCUMENTS_DIR).join(&entry.key);
        let (size, sha) =
            hash_file(&path).map_err(io_error(format!("reading document {}", entry.key)))?;
        if sha != entry.sha256 || size != entry.size {
            return Err(BackupError::Refused(format!(
                "document {} does not match the manifest's SHA-256",
                entry.key
            )));
        }
    }
    let listed: std::collections::HashMap<&str, &str> = manifest
        .documents
        .iter()
        .map(|d| (d.key.as_str(), d.sha256.as_str()))
        .collect();
    let mut conn = open_sqlite(&database)?;
    for (key, recorded) in referenced_documents(&mut conn)? {
        if listed.get(key.as_str()) != Some(&recorded.as_str()) {
            return Err(BackupError::Refused(format!(
                "the database names document {key}, which the backup does not hold with its SHA-256"
            )));
        }
    }
    Ok(manifest)
}

/// Restores a backup into an empty data folder and an empty document store.
pub fn restore(settings: &Settings, from: &Path) -> Result<Summary, BackupError> {
    let target = sqlite_file(settings)?;
    let data_dir = &settings.data_dir;
    if !is_empty_dir(data_dir).map_err(io_error(format!("reading {}", data_dir.display())))? {
        return Err(BackupError::Refused(format!(
            "the data folder {} is not empty; restore only into an empty one",
            data_dir.display()
        )));
    }
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", target.display()));
        if path.exists() {
            return Err(BackupError::Refused(format!(
                "{} exists; restore only where there is no database",
                path.display()
            )));
        }
    }
    let store = documents::store_for(settings).map_err(BackupError::Refused)?;
    if !store
        .is_empty()
        .map_err(io_error("listing the document store"))?
    {
        return Err(BackupError::Refused(
            "the document store already holds documents; restore only into an empty one".into(),
        ));
    }
    let manifest = verify(from)?;

    for entry in &manifest.documents {
        let path = from.join(DOCUMENTS_DIR).join(&entry.key);
        let mut spooled = store.spool().map_err(io_error("spooling a document"))?;
        let source = File::open(&path).map_err(io_error(format!("reading {}", path.display())))?;
        let (_, sha) = copy_hashing(source, spooled.as_file_mut())
            .map_err(io_error(format!("copying document {}", entry.key)))?;
        if sha != entry.sha256 {
            return Err(BackupError::Refused(format!(
                "document {} changed while it was restored",
                entry.key
            )));
        }
        store
            .put(&entry.key, spooled)
            .map_err(io_error(format!("storing document {}", entry.key)))?;
    }

    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(io_error(format!("creating {}", parent.display())))?;
    }
    let partial = PathBuf::from(format!("{}.restoring", target.display()));
    let source = File::open(from.join(DATABASE_FILE)).map_err(io_error("reading the database"))?;
    let file =
        File::create(&partial).map_err(io_error(format!("writing {}", partial.display())))?;
    let (database_bytes, sha) =
        copy_hashing(source, &file).map_err(io_error("copying the database"))?;
    file.sync_all().map_err(io_error("writing the database"))?;
    if sha != manifest.database.sha256 {
        let _ = fs::remove_file(&partial);
        return Err(BackupError::Refused(
            "the database file changed while it was restored".into(),
        ));
    }
    fs::rename(&partial, &target).map_err(io_error(format!("writing {}", target.display())))?;
    if let Some(parent) = target.parent().filter(|p| !p.as_os_str().is_empty()) {
        sync_dir(parent).map_err(io_error(format!("syncing {}", parent.display())))?;
    }
    Ok(Summary {
        documents: manifest.documents.len(),
        database_bytes,
    })
}
