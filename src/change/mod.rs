//! The one way a stored entity changes.
//!
//! Every state change and every edit, in every feature, the board and the demo included,
//! goes through [`apply`], in this order and no other:
//!
//! 1. **lock**: [`Entity::lock`] takes the locks the entity's changes need, in the one
//!    documented order (a fund before anything of the fund, a grant before its
//!    disbursements, a call before its applications; see ARCHITECTURE.md), and reads the row
//!    as the user may see it: 404 when it does not exist or belongs to someone else;
//! 2. **`If-Match`**: the client's expected version is checked (412 when stale);
//! 3. **decide**: the [`Command`] asks the feature's pure rules for the next row (409, 422 or
//!    403 when refused). It may read facts; it writes nothing. A row that
//!    [`Command::changes_nothing`] is answered as it is, and the steps below are skipped;
//! 4. **stamp**: version + 1 and the time of the change;
//! 5. **save**: a compare-and-swap on the version (412 when another change won);
//! 6. **effects**: what the saved change causes (ledger entries, outbox messages, the
//!    registry, revision snapshots), after the save and in the same transaction;
//! 7. **audit**: the event with a typed entity and action, the views before and after.
//!
//! A feature contributes its row type (an [`Entity`]) and its commands; handlers, HTML forms
//! and the demo only issue commands: [`run`] from a request, [`apply`] inside a transaction
//! the caller already holds. Creations are inserts, not changes: they go through [`create`],
//! which writes the row, its effects and its audit event in the same fixed order.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::audit::{self, Action, Change};
use crate::auth::{Actor, CurrentUser};
use crate::db::{self, DbConn, write_transaction};
use crate::error::{AppError, AppResult};
use crate::http::{Expected, if_match};
use crate::idempotency::{self, Answer, Claim};
use crate::ids::Id;
use crate::state::AppState;

/// A stored row that changes through [`apply`].
pub trait Entity: Clone + Send + Sized + 'static {
    /// The kind written in audit events and used in "not found" answers.
    const KIND: audit::Entity;
    /// What the locks of a change hold and hand to the command (for example the fund's
    /// lock, through which money moves); `()` when the row's own lock is all.
    type Locks;
    /// The resource as the API shows it: the answer, and the audit snapshots.
    type View: Serialize;
    /// Its id type: a change is asked of a `GrantId`, never of any text.
    type Id: Id;

    /// Takes the locks in the documented order and reads the row as `user` may see it
    /// (404 when absent or another organisation's).
    fn lock(conn: &mut DbConn, user: &CurrentUser, id: &Self::Id)
    -> AppResult<(Self::Locks, Self)>;

    fn id(&self) -> &str;

    fn version(&self) -> i64;

    /// Sets the version and the time of the change.
    fn stamp(&mut self, version: i64, at: DateTime<Utc>);

    /// Writes `after` only if the stored row is still `before` (same version): false when
    /// another change won.
    fn save(conn: &mut DbConn, before: &Self, after: &Self) -> AppResult<bool>;

    /// The view of this row, inside the change's transaction: the audit snapshots.
    fn view(&self, conn: &mut DbConn) -> AppResult<Self::View>;

    /// The row as `user`, who asked for the change, may see it: the answer. The same as
    /// the audit view unless the entity shows less to some readers (a reviewer does not
    /// see the application of an assignment it has not cleared).
    fn answer(&self, conn: &mut DbConn, _user: &CurrentUser) -> AppResult<Self::View> {
        self.view(conn)
    }
}

/// The bookkeeping methods of an [`Entity`] whose row has the usual `id: String`,
/// `version: i64` and `updated_at` fields: `change::row_bookkeeping!();` inside the impl
/// for a `NaiveDateTime` `updated_at`, `change::row_bookkeeping!(|at| stored_time(at));`
/// for one kept as `DateTime<Utc>`.
#[macro_export]
macro_rules! row_bookkeeping {
    () => {
        $crate::row_bookkeeping!(|at| at.naive_utc());
    };
    (|$at:ident| $stored:expr) => {
        fn id(&self) -> &str {
            &self.id
        }

        fn version(&self) -> i64 {
            self.version
        }

        fn stamp(&mut self, version: i64, $at: chrono::DateTime<chrono::Utc>) {
            self.version = version;
            self.updated_at = $stored;
        }
    };
}
pub use crate::row_bookkeeping;

/// One thing a user (or the demo) asks of an entity.
pub trait Command<E: Entity> {
    /// What the audit event calls it.
    fn action(&self) -> Action;

    /// The next row, decided by the feature's rules from the current one: 409, 422 or 403
    /// when the rules refuse. Reads what it needs; writes nothing.
    fn decide(&self, conn: &mut DbConn, locks: &E::Locks, current: &E) -> AppResult<E>;

    /// Whether the decided row is the current one in all that matters (an edit that sets
    /// every field to what it already holds): then nothing is saved, no effect runs, no
    /// event is written, and the current row is the answer.
    fn changes_nothing(&self, _before: &E, _after: &E) -> bool {
        false
    }

    /// What the saved change causes: ledger entries, outbox messages, the registry,
    /// revision snapshots. Runs after the save, before the audit event.
    fn effects(
        &self,
        _conn: &mut DbConn,
        _locks: &E::Locks,
        _before: &E,
        _after: &E,
    ) -> AppResult<()> {
        Ok(())
    }
}

/// Applies `command` to the entity `id` inside the caller's write transaction, in the
/// order described at the top of this module; answers the view after the change as `user`
/// may see it.
pub fn apply<E: Entity, C: Command<E>>(
    conn: &mut DbConn,
    actor: &Actor,
    user: &CurrentUser,
    id: &E::Id,
    expected: Expected,
    command: &C,
) -> AppResult<E::View> {
    let (locks, current) = E::lock(conn, user, id)?;
    let next = apply_locked(conn, actor, &locks, current, expected, command)?;
    next.answer(conn, user)
}

/// The steps of [`apply`] after the lock, for a caller that already holds the entity and
/// its locks (a bulk import reads its rows a batch at a time; the compare-and-swap still
/// guards each save). Answers the row after the change, or `current` when the command
/// changes nothing.
pub fn apply_locked<E: Entity, C: Command<E>>(
    conn: &mut DbConn,
    actor: &Actor,
    locks: &E::Locks,
    current: E,
    expected: Expected,
    command: &C,
) -> AppResult<E> {
    expected.check(current.version())?;
    let mut next = command.decide(conn, locks, &current)?;
    if command.changes_nothing(&current, &next) {
        return Ok(current);
    }
    let before = current.view(conn)?;
    next.stamp(current.version() + 1, crate::clock::now());
    if !E::save(conn, &current, &next)? {
        return Err(AppError::stale(current.version()));
    }
    command.effects(conn, locks, &current, &next)?;
    let after = next.view(conn)?;
    audit::record(
        conn,
        actor,
        Change {
            entity: E::KIND,
            entity_id: next.id(),
            action: command.action(),
            before: Some(&before),
            after: Some(&after),
        },
    )?;
    Ok(next)
}

/// A new row: its insert, its effects and its audit event, in that order, inside the
/// caller's write transaction.
pub trait Creation {
    /// The kind written in the audit event.
    const KIND: audit::Entity;
    type View: Serialize;

    fn id(&self) -> &str;
    fn insert(&self, conn: &mut DbConn) -> AppResult<()>;
    fn view(&self, conn: &mut DbConn) -> AppResult<Self::View>;
}

/// Inserts `row`, runs `effects` and writes the audit event `action` (usually `create`).
pub fn create<R: Creation>(
    conn: &mut DbConn,
    actor: &Actor,
    row: &R,
    action: Action,
    effects: impl FnOnce(&mut DbConn, &R) -> AppResult<()>,
) -> AppResult<R::View> {
    row.insert(conn)?;
    effects(conn, row)?;
    let view = row.view(conn)?;
    audit::record(
        conn,
        actor,
        Change::<(), _> {
            entity: R::KIND,
            entity_id: row.id(),
            action,
            before: None,
            after: Some(&view),
        },
    )?;
    Ok(view)
}

/// Runs `command` on the entity named by the request's `{id}`: the id parsed, `If-Match`
/// read (required on `PATCH`: 428), one write transaction on the blocking pool (with an
/// `Idempotency-Key`, the first answer replayed). The answer carries the new `ETag`.
pub async fn run<E, C>(
    state: &AppState,
    req: &HttpRequest,
    user: CurrentUser,
    id: &str,
    claim: Option<Claim>,
    command: C,
) -> AppResult<HttpResponse>
where
    E: Entity,
    E::View: Versioned,
    C: Command<E> + Send + 'static,
{
    let id = E::Id::parse(id, "id")?;
    let expected = if_match(req)?;
    let actor = Actor::for_user(req, &user);
    idempotency::run(&state.pool, claim, move |conn| {
        let view = apply::<E, C>(conn, &actor, &user, &id, expected, &command)?;
        Answer::json(StatusCode::OK, &view, Some(view.version()))
    })
    .await
}

/// [`run`] for callers that shape the answer themselves (the pages): the view after the
/// change. `expected` is the version the caller last read (`http::if_match`, or a form's
/// `Expected::from_form`).
pub async fn run_view<E, C>(
    state: &AppState,
    req: &HttpRequest,
    user: CurrentUser,
    id: &str,
    expected: Expected,
    command: C,
) -> AppResult<E::View>
where
    E: Entity,
    E::View: Send + 'static,
    C: Command<E> + Send + 'static,
{
    let id = E::Id::parse(id, "id")?;
    let actor = Actor::for_user(req, &user);
    db::run(&state.pool, move |conn| {
        write_transaction(conn, |conn| {
            apply::<E, C>(conn, &actor, &user, &id, expected, &command)
        })
    })
    .await
}

/// A view with the version its `ETag` carries.
pub trait Versioned {
    fn version(&self) -> i64;
}
