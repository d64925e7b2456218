//! Whether the data may have changed since a moment: what is kept in memory (the user
//! behind a token, the signed-in reads and the public figures of `crate::cache`) stays good
//! while [`ChangeWatch::generation`] has not moved since it was read before the database.
//!
//! The generation moves
//! - after every write transaction this process commits (`db::write_transaction`), so a
//!   request sees its own instance's writes at once;
//! - as soon as another process (a second instance, the command line) has committed a
//!   write over the same database, seen without a round trip at every check:
//!   - on PostgreSQL, every write transaction is followed by `NOTIFY trustfund_writes`
//!     (`notify_others`, before the writer's answer leaves), and a connection of our own
//!     that `LISTEN`s is read without waiting (libpq's `PQconsumeInput`, one non-blocking
//!     `recv`);
//!   - on SQLite, `PRAGMA data_version` on a connection of our own, which moves whenever
//!     any other connection has committed (read from SQLite's shared memory, no disk).
//!
//! When the watching connection fails, every check reports a change (nothing is served
//! from memory) until it opens again: on PostgreSQL a connection is opened on a thread of
//! its own, never by the request that noticed, at most once a second.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{Backend, COMMITTED_WRITES, DbConn};
use std::sync::atomic::{AtomicU64, Ordering};

/// The channel every instance notifies after its writes and listens on.
const CHANNEL: &str = "trustfund_writes";

const RETRY_EVERY: Duration = Duration::from_secs(1);

/// A reconnection is tried on a request's worker: it must not hold it long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// How long one check of other processes' writes answers for: a request that comes
/// within this of a check that began after it uses that check's answer instead of its own.
/// A change made by another process therefore shows within this much, and a busy instance
/// checks about once per this instead of once per request (each check takes a read
/// transaction's file locks on SQLite, a system call on PostgreSQL, and the watch's lock).
const ANSWERS_FOR: Duration = Duration::from_millis(1);

pub struct ChangeWatch {
    watcher: Mutex<Watcher>,
    /// The clock of `checked_at`.
    started: Instant,
    /// When the last completed check began, in nanoseconds since `started` plus one (0:
    /// none yet).
    checked_at: AtomicU64,
}

enum Watcher {
    /// A connection of our own that never writes; `seen` is its last `data_version`.
    Sqlite {
        path: String,
        conn: Option<(diesel::SqliteConnection, i64)>,
        retry_at: Instant,
    },
    Postgres {
        url: String,
        conn: Option<diesel::PgConnection>,
        /// A connection being opened on a thread of its own: a request never waits for a
        /// connection attempt (up to `CONNECT_TIMEOUT` when the server is unreachable).
        opening: Option<std::thread::JoinHandle<Option<diesel::PgConnection>>>,
        retry_at: Instant,
    },
    /// An in-memory SQLite database: no other process can write it.
    Alone,
}

#[derive(QueryableByName)]
struct DataVersion {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    data_version: i64,
}

impl ChangeWatch {
    /// Watches the database at `url` (as given to `db::connect`). Fails only when the URL
    /// names no backend; an unreachable database is retried at the first checks.
    pub fn new(url: &str) -> Result<Self, super::DbSetupError> {
        let now = Instant::now();
        let watcher = match Backend::of_url(url)? {
            Backend::Sqlite if super::sqlite_path(url) == ":memory:" => Watcher::Alone,
            Backend::Sqlite => Watcher::Sqlite {
                path: super::sqlite_path(url).to_string(),
                conn: None,
                retry_at: now,
            },
            Backend::Postgres => Watcher::Postgres {
                url: super::with_connect_timeout(url, CONNECT_TIMEOUT),
                conn: None,
                opening: None,
                retry_at: now,
            },
        };
        let watch = ChangeWatch {
            watcher: Mutex::new(watcher),
            started: now,
            checked_at: AtomicU64::new(0),
        };
        watch.generation();
        Ok(watch)
    }

    /// A number that has moved whenever the data may have changed since it was last read.
    /// Read it *before* reading the database for what is kept: a change committed after
    /// that makes what was read stale, and the number then moves.
    ///
    /// This process's own writes count at once; another process's within [`ANSWERS_FOR`].
    pub fn generation(&self) -> u64 {
        let asked_at = self.now();
        let checked_at = self.checked_at.load(Ordering::Acquire);
        if checked_at != 0 && asked_at < checked_at + ANSWERS_FOR.as_nanos() as u64 {
            return COMMITTED_WRITES.load(Ordering::Acquire);
        }
        let mut watcher = self.watcher.lock().unwrap_or_else(|e| e.into_inner());
        // a check that began after this call did, while it waited for the lock, answers
        // for it too
        if self.checked_at.load(Ordering::Acquire) > asked_at {
            return COMMITTED_WRITES.load(Ordering::Acquire);
        }
        let began = self.now();
        if watcher.others_wrote() {
            COMMITTED_WRITES.fetch_add(1, Ordering::AcqRel);
        }
        self.checked_at.store(began, Ordering::Release);
        COMMITTED_WRITES.load(Ordering::Acquire)
    }

    /// Nanoseconds since `started`, plus one so that no moment is 0.
    fn now(&self) -> u64 {
        self.started.elapsed().as_nanos() as u64 + 1
    }
}

impl Watcher {
    /// Whether another process may have written since the last call (`true` when that
    /// cannot be known).
    fn others_wrote(&mut self) -> bool {
        match self {
            Watcher::Alone => false,
            Watcher::Sqlite {
                path,
                conn,
                retry_at,
            } => {
                if conn.is_none() {
                    *conn = reopen(retry_at, || {
                        let mut c = diesel::SqliteConnection::establish(path).ok()?;
                        c.batch_execute("PRAGMA busy_timeout = 1000;").ok()?;
                        let seen = data_version(&mut c)?;
                        Some((c, seen))
                    });
                    return true;
                }
                let Some((c, seen)) = conn.as_mut() else {
                    return true;
                };
                match data_version(c) {
                    Some(now) if now == *seen => false,
                    Some(now) => {
                        *seen = now;
                        true
                    }
                    None => {
                        *conn = None;
                        true
                    }
                }
            }
            Watcher::Postgres {
                url,
                conn,
                opening,
                retry_at,
            } => {
                let Some(c) = conn.as_mut() else {
                    if let Some(attempt) = opening.take_if(|attempt| attempt.is_finished()) {
                        *conn = attempt.join().ok().flatten();
                        *retry_at = Instant::now() + RETRY_EVERY;
                    } else if opening.is_none() && Instant::now() >= *retry_at {
                        let url = url.clone();
                        *opening = Some(std::thread::spawn(move || {
                            let mut c = diesel::PgConnection::establish(&url).ok()?;
                            c.batch_execute(&format!("LISTEN {CHANNEL}")).ok()?;
                            Some(c)
                        }));
                    }
                    return true;
                };
                let mut any = false;
                let mut lost = None;
                for notification in c.notifications_iter() {
                    match notification {
                        Ok(_) => any = true,
                        Err(error) => {
                            lost = Some(error);
                            break;
                        }
                    }
                }
                if let Some(error) = lost {
                    tracing::warn!(%error, "lost the connection that listens for other instances' writes");
                    *conn = None;
                    return true;
                }
                any
            }
        }
    }
}

fn reopen<C>(retry_at: &mut Instant, open: impl FnOnce() -> Option<C>) -> Option<C> {
    if Instant::now() < *retry_at {
        return None;
    }
    *retry_at = Instant::now() + RETRY_EVERY;
    open()
}

fn data_version(c: &mut diesel::SqliteConnection) -> Option<i64> {
    diesel::sql_query("PRAGMA data_version")
        .get_result::<DataVersion>(c)
        .ok()
        .map(|v| v.data_version)
}

/// Counts a write this process made outside `write_transaction` (a test's own setup in
/// SQL, beside the service it runs): what is kept in memory is recomputed at the next
/// request, as after any write of the service's own.
pub fn note_outside_write() {
    COMMITTED_WRITES.fetch_add(1, Ordering::AcqRel);
}

/// Tells the other instances over this PostgreSQL database that a write has committed:
/// called by `write_transaction` after its commit. The notification is a transaction of
/// its own (a `NOTIFY` inside the write would hold PostgreSQL's notification lock through
/// the write's commit and flush, one writer at a time); it needs no flush of its own, since
/// notifications are not kept across a restart anyway. A failure is only logged: the write
/// itself has committed.
/// Inside an outer transaction (a write nested in another) nothing is sent: the outer one
/// has not committed yet, and sends when it does. If the notification fails half-way
/// (cancelled, or a read-only server), its transaction is rolled back so that the
/// connection goes back to the pool clean; if even that fails, the connection is marked
/// broken and the pool discards it.
pub(super) fn notify_others(conn: &mut DbConn) {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Postgres(c) = conn else {
        return;
    };
    if !matches!(
        AnsiTransactionManager::transaction_manager_status_mut(c).transaction_depth(),
        Ok(None)
    ) {
        return;
    }
    if let Err(error) = c.batch_execute(&format!(
        "BEGIN; SET LOCAL synchronous_commit = off; NOTIFY {CHANNEL}; COMMIT;"
    )) {
        tracing::warn!(%error, "could not tell the other instances of a write");
        if c.batch_execute("ROLLBACK").is_err() {
            AnsiTransactionManager::transaction_manager_status_mut(c).set_in_error();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_watcher_sees_another_connections_commit_and_nothing_else() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("watched.db");
        let mut other = diesel::SqliteConnection::establish(path.to_str().expect("path"))
            .expect("another connection");
        other
            .batch_execute("PRAGMA journal_mode = WAL; CREATE TABLE t (x INTEGER);")
            .expect("table");
        let mut watcher = Watcher::Sqlite {
            path: path.display().to_string(),
            conn: None,
            retry_at: Instant::now(),
        };
        assert!(
            watcher.others_wrote(),
            "not watching yet: a change is assumed"
        );
        assert!(!watcher.others_wrote(), "nothing written since");
        other
            .batch_execute("INSERT INTO t VALUES (1);")
            .expect("a write the watcher is not told of");
        assert!(watcher.others_wrote(), "seen by itself");
        assert!(!watcher.others_wrote(), "seen once");
        let _: Vec<DataVersion> = diesel::sql_query("SELECT 1 AS data_version")
            .load(&mut other)
            .expect("a read");
        assert!(!watcher.others_wrote(), "a read is not a change");
    }

    #[test]
    fn an_in_memory_database_has_no_other_writer_to_watch() {
        let watch = ChangeWatch::new("sqlite://:memory:").expect("watch");
        let before = watch.generation();
        note_outside_write();
        assert!(
            watch.generation() > before,
            "this process's own writes count"
        );
    }
}
