//! Storage: one diesel schema over SQLite and PostgreSQL through `MultiConnection`, an r2d2
//! pool, embedded per-backend migrations, and the few places where SQL must differ.

pub mod changes;
pub mod schema;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Queries written against the shared schema run on both;
/// the rare backend-specific statement matches on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

pub type DbPool = Pool<ConnectionManager<DbConn>>;
pub type PooledConn = PooledConnection<ConnectionManager<DbConn>>;

/// Which backend a database URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("database.url must start with sqlite:// or postgres:// (or postgresql://), got {0:?}")]
    UnknownScheme(String),
    #[error("cannot open the database at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("cannot create the folder for the SQLite file {path}: {reason}")]
    Folder { path: String, reason: String },
    #[error("applying migrations failed: {0}")]
    Migration(String),
}

impl Backend {
    pub fn of_url(url: &str) -> Result<Self, DbSetupError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbSetupError::UnknownScheme(mask_url(url)))
        }
    }
}

/// The path diesel's SQLite driver expects: `sqlite://data/x.db` → `data/x.db`,
/// `sqlite:///abs/x.db` → `/abs/x.db`.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// Hides the password of a database URL for logs and `check-config`, in the user-info part
/// and in a `password=` query parameter.
pub fn mask_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let masked_base = mask_user_info(base);
    match query {
        None => masked_base,
        Some(query) => {
            let params: Vec<String> = query
                .split('&')
                .map(|p| match p.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => p.to_string(),
                })
                .collect();
            format!("{masked_base}?{}", params.join("&"))
        }
    }
}

fn mask_user_info(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &credentials[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// Per-connection SQLite settings. `busy_timeout` comes first so that the later pragmas
/// already wait for a lock instead of failing. `synchronous = FULL` makes every commit
/// durable on power loss too (WAL with NORMAL may lose the last commits): nothing
/// accepted may be lost.
#[derive(Debug)]
struct SqlitePragmas;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(c) = conn {
            c.batch_execute(
                "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
            )
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
}

/// Opens the pool for `url`, failing fast (within `connect_timeout`) with a readable error
/// when the server cannot be reached, then applies pending migrations.
pub fn connect(url: &str, options: &PoolOptions) -> Result<DbPool, DbSetupError> {
    let backend = Backend::of_url(url)?;
    let manager_url = match backend {
        Backend::Sqlite => {
            let path = sqlite_path(url);
            prepare_sqlite_file(path)?;
            path.to_string()
        }
        Backend::Postgres => with_connect_timeout(url, options.connect_timeout),
    };
    // No test query at each checkout: r2d2 would run `SELECT 1` before every use, one more
    // round trip per request on PostgreSQL. A connection the server dropped fails the one
    // query that finds out, and the pool then discards it (`has_broken`).
    let pool = Pool::builder()
        .max_size(options.max_size)
        .test_on_check_out(false)
        .connection_timeout(options.connect_timeout)
        .connection_customizer(Box::new(SqlitePragmas))
        .build(ConnectionManager::<DbConn>::new(manager_url))
        .map_err(|e| DbSetupError::Unreachable {
            url: mask_url(url),
            reason: e.to_string(),
        })?;
    Ok(pool)
}

/// WAL lets readers run beside the one writer; it is a property of the file, so it is
/// switched on once before the pool opens rather than per connection. `PRAGMA optimize`
/// (bounded by `analysis_limit`) refreshes the planner's statistics at each start, as
/// SQLite recommends for long-lived connections: without them a fund's export of 50,000
/// grants took twice as long.
fn prepare_sqlite_file(path: &str) -> Result<(), DbSetupError> {
    if path != ":memory:"
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| DbSetupError::Folder {
            path: path.to_string(),
            reason: e.to_string(),
        })?;
    }
    let mut conn =
        diesel::SqliteConnection::establish(path).map_err(|e| DbSetupError::Unreachable {
            url: path.to_string(),
            reason: e.to_string(),
        })?;
    conn.batch_execute(
        "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
         PRAGMA analysis_limit = 1000; PRAGMA optimize = 0x10002;",
    )
    .map_err(|e| DbSetupError::Unreachable {
        url: path.to_string(),
        reason: e.to_string(),
    })
}

/// libpq waits for the OS TCP timeout by default; a bounded `connect_timeout` turns an
/// unreachable server into a quick, clear error.
fn with_connect_timeout(url: &str, timeout: Duration) -> String {
    if url.contains("connect_timeout=") {
        return url.to_string();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!(
        "{url}{separator}connect_timeout={}",
        timeout.as_secs().max(1)
    )
}

/// Applies the pending migrations of the connection's backend; returns how many ran.
pub fn run_migrations(pool: &DbPool) -> Result<usize, DbSetupError> {
    let mut conn = pool
        .get()
        .map_err(|e| DbSetupError::Migration(e.to_string()))?;
    let applied = match &mut *conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        DbConn::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.len()),
    }
    .map_err(|e| DbSetupError::Migration(e.to_string()))?;
    Ok(applied)
}

/// The generation of `changes::ChangeWatch`: moved after every write transaction this
/// process commits, and when the watch sees another process's. It moves after the commit,
/// so what was computed from a snapshot taken before a write is always seen as older.
/// One per process, not per database: a process serves one database (the test suite a few
/// hundred, which then only recompute more often).
static COMMITTED_WRITES: AtomicU64 = AtomicU64::new(0);

/// A transaction for a write that first reads what it will check (a balance, a version).
/// On SQLite it is `BEGIN IMMEDIATE`, so the write lock is taken before the first read and
/// two such transactions serialise instead of failing with a stale snapshot; PostgreSQL
/// callers lock the rows they check with `lock_for_update`.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // Held to the end of the transaction on SQLite; nothing on PostgreSQL.
    let _turn = match conn {
        DbConn::Sqlite(c) => Some(sqlite_writer_turn(c)?),
        DbConn::Postgres(_) => None,
    };
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(_) => <DbConn as Connection>::TransactionManager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            COMMITTED_WRITES.fetch_add(1, Ordering::Release);
            changes::notify_others(conn);
            Ok(value)
        }
        Err(error) => {
            <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(error)
        }
    }
}

/// SQLite lets one writer in at a time. Left to `busy_timeout`, the others retry in sleeps
/// that grow to 100 ms, so in a burst (every NGO sending at the deadline) a writer sleeps on
/// long after the lock was freed and later ones overtake it. Writers of this process
/// therefore take turns per database file, in the order they came (a fair lock hands itself
/// to the longest waiter), and meet `busy_timeout` only against other processes (a second
/// instance, the command line).
///
/// One lock per file, kept for the life of the process (a process serves one database;
/// the test suite a few hundred, a few bytes each).
fn sqlite_writers(
    c: &mut diesel::SqliteConnection,
) -> Result<&'static parking_lot::FairMutex<()>, diesel::result::Error> {
    #[derive(QueryableByName)]
    struct Attached {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        file: String,
    }
    static WRITERS: std::sync::OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, &'static parking_lot::FairMutex<()>>>,
    > = std::sync::OnceLock::new();
    let attached: Vec<Attached> = diesel::sql_query("PRAGMA database_list").load(c)?;
    let file = attached
        .into_iter()
        .find(|a| a.name == "main")
        .map(|a| a.file)
        .unwrap_or_default();
    let mut writers = WRITERS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    Ok(*writers
        .entry(file)
        .or_insert_with(|| Box::leak(Box::new(parking_lot::FairMutex::new(())))))
}

/// How long a writer waits for its turn: as long as `busy_timeout` would have let it wait,
/// after which it gets the same answer (503, retry), never a hang.
const SQLITE_WRITER_WAIT: Duration = Duration::from_secs(10);

fn sqlite_writer_turn(
    c: &mut diesel::SqliteConnection,
) -> Result<parking_lot::FairMutexGuard<'static, ()>, diesel::result::Error> {
    sqlite_writers(c)?
        .try_lock_for(SQLITE_WRITER_WAIT)
        .ok_or_else(|| {
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::Unknown,
                Box::new(
                    "database is locked (waited for this process's other writers)".to_string(),
                ),
            )
        })
}

/// A read-only transaction that sees one snapshot of the data from its first query to
/// its end, for reads made of many queries (an export paged over thousands of grants):
/// `REPEATABLE READ READ ONLY` on PostgreSQL; a deferred `BEGIN` on SQLite, whose readers
/// keep their snapshot in WAL mode without blocking writers.
pub fn read_snapshot<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(
            c,
            "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        )?,
    }
    let result = f(conn);
    // nothing was written: ending it either way releases the snapshot
    <DbConn as Connection>::TransactionManager::rollback_transaction(conn)?;
    result
}

/// Keys of the transaction-scoped locks taken with `serialise`.
pub mod lock_keys {
    /// Checking and recording login attempts (throttling).
    pub const LOGIN_ATTEMPTS: i64 = 0x7472_7573_7401;
}

/// Makes transactions that call this with the same `key` run one after another, for
/// check-then-insert rules where there is no row to lock yet. Call it first inside a
/// `write_transaction`: on PostgreSQL it takes a transaction-scoped advisory lock; on SQLite
/// `BEGIN IMMEDIATE` already serialises every writer, so it does nothing.
pub fn serialise(conn: &mut DbConn, key: i64) -> QueryResult<()> {
    match conn {
        DbConn::Postgres(c) => diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<diesel::sql_types::BigInt, _>(key)
            .execute(c)
            .map(|_| ()),
        DbConn::Sqlite(_) => Ok(()),
    }
}

/// Reads the row a diesel query finds by primary key, locked against concurrent changes
/// until the transaction ends: `FOR UPDATE` on PostgreSQL (READ COMMITTED would let two
/// changes read the same version); on SQLite `BEGIN IMMEDIATE` already holds the write lock,
/// so a plain read. The one idiom for a locked read: features never match on the backend
/// themselves.
///
/// Reads by key use `get_result`, never `first`: `first` adds `LIMIT ?`, and SQLite plans
/// with the value bound to a LIMIT, so it compiles such a statement again at every
/// execution (a fifth of a signed-in read's time went to re-preparing it, by `perf`).
///
/// `db::first_locked!(conn, grants::table.find(id).select(GrantRow::as_select()))`
#[macro_export]
macro_rules! first_locked {
    ($conn:expr, $query:expr) => {{
        use diesel::prelude::*;
        match $conn {
            $crate::db::DbConn::Postgres(pg) => $query.for_update().get_result(pg).optional(),
            other => $query.get_result(other).optional(),
        }
    }};
}
pub use crate::first_locked;

/// The same rows locked as [`first_locked!`], for a query that reads several rows.
#[macro_export]
macro_rules! load_locked {
    ($conn:expr, $query:expr) => {{
        use diesel::prelude::*;
        match $conn {
            $crate::db::DbConn::Postgres(pg) => $query.for_update().load(pg),
            other => $query.load(other),
        }
    }};
}
pub use crate::load_locked;

/// Which SQL dialect a connection speaks, for the few statements whose text must differ
/// (full-text search, bulk upserts): `db::dialect(conn).pick(sqlite_sql, postgres_sql)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The value for this dialect.
    pub fn pick<T>(self, sqlite: T, postgres: T) -> T {
        match self {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        }
    }
}

pub fn dialect(conn: &DbConn) -> Dialect {
    match conn {
        DbConn::Sqlite(_) => Dialect::Sqlite,
        DbConn::Postgres(_) => Dialect::Postgres,
    }
}

/// Runs a block with the concrete connection of either backend, for diesel code that only
/// compiles against one backend at a time (for example `ON CONFLICT` upserts on SQLite and
/// PostgreSQL): `db::with_backend!(conn, |c| diesel::insert_into(t).values(v).on_conflict_do_nothing().execute(c))`.
#[macro_export]
macro_rules! with_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}
pub use crate::with_backend;

/// Inserts `rows` (a slice of insertable values) into `table` in multi-row statements of
/// `per_statement` rows (500 unless said; SQLite binds at most 32,766 values in one), on
/// the concrete connection: diesel's `MultiBackend` has no batch insert, and a row at a
/// time costs a round trip each on PostgreSQL. Evaluates to the `QueryResult` of the rows
/// inserted; no rows, no statement.
#[macro_export]
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {
        $crate::db::insert_rows!($conn, $table, $rows, 500)
    };
    ($conn:expr, $table:expr, $rows:expr, $per_statement:expr) => {{
        let conn: &mut $crate::db::DbConn = $conn;
        let mut result: ::diesel::QueryResult<usize> = Ok(0);
        for chunk in $rows.chunks($per_statement) {
            let inserted = $crate::db::with_backend!(&mut *conn, |c| ::diesel::insert_into($table)
                .values(chunk)
                .execute(c));
            match (inserted, &mut result) {
                (Ok(n), Ok(total)) => *total += n,
                (Err(e), _) => {
                    result = Err(e);
                    break;
                }
                _ => {}
            }
        }
        result
    }};
}
pub use crate::insert_rows;

/// Runs blocking diesel work on actix's blocking pool with a pooled connection, so the
/// async executor never waits on the database.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(AppError::from)?;
        f(&mut conn)
    })
    .await
    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
}

/// Runs a read of a few rows found by their keys (the user behind a token, one application
/// with its children) right here on the worker thread, when a pooled connection is free at
/// once; otherwise on the blocking pool like `run`.
///
/// Handing work to the blocking pool and back costs two thread wake-ups, which `perf`
/// showed to be the largest cost of a signed-in read (a quarter of its time in futex waits
/// and task switches), while such a read takes microseconds on an embedded SQLite file
/// (which does not wait for writers: in WAL mode a reader sees the last commit) and a round
/// trip or two on PostgreSQL (where a plain read never waits for a lock either). Only reads
/// bounded by their keys belong here: anything that scans, sorts many rows or writes uses
/// `run`.
pub async fn run_point<T, F>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut DbConn) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    if let Some(mut conn) = pool.try_get() {
        return f(&mut conn);
    }
    run(pool, f).await
}

/// Readiness: a trivial query through the pool.
pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    conn.batch_execute("SELECT 1")
}
