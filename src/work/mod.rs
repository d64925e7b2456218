//! Staff told when work arrives for them. A finance officer hears of payments another
//! officer requested (waiting for a second pair of eyes) and of approved payments (waiting
//! for the transfer to be recorded); the secretariat hears of reports grantees sent and of
//! applications submitted. Everything new is grouped in one email per person at most every
//! `staff.notice_every_minutes`, in the language the person chose on the pages (English
//! until they choose), and never an empty one.
//!
//! Each notice is sent once, however many instances run the job: it is claimed by
//! inserting its `work_notices` row, keyed by the end of the previous notice, with
//! `ON CONFLICT DO NOTHING` in the same transaction as its email (as the donors' digests
//! are).

pub mod rules;
pub mod store;

use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;

use crate::config::{EmailSettings, StaffSettings};
use crate::db::{DbConn, DbPool, write_transaction};
use crate::error::AppResult;
use crate::notify::{self, Email};
use crate::web::i18n::Lang;

pub const TEMPLATE: &str = "work_waiting";

#[derive(Debug, Serialize)]
struct NoticeContext<'a> {
    name: &'a str,
    total: i64,
    payments_to_approve: i64,
    payments_to_pay: i64,
    reports_to_review: i64,
    applications_to_screen: i64,
    payments_link: &'a str,
    home_link: &'a str,
    every_minutes: u32,
}

/// One pass: the notices owed at `now`, each claimed and enqueued in its own transaction.
/// Returns how many were sent by this pass.
pub fn run_once(
    conn: &mut DbConn,
    now: NaiveDateTime,
    staff: &StaffSettings,
    email: &EmailSettings,
) -> AppResult<usize> {
    let every_minutes = staff.notice_every_minutes.max(1);
    let every = chrono::Duration::minutes(i64::from(every_minutes));
    let payments_link = notify::page_link(email, crate::web::payments::PATH);
    let home_link = notify::page_link(email, "/home");
    let mut sent = 0;
    for person in store::staff(conn)? {
        let previous = store::last_notice(conn, &person.id)?;
        let Some(window) = rules::window(previous, now, every) else {
            continue;
        };
        let arrived = store::arrived(
            conn,
            &person.id,
            rules::hears(person.role),
            window.since,
            now,
        )?;
        if arrived.total() == 0 {
            continue;
        }
        let lang = person
            .language
            .as_deref()
            .and_then(Lang::from_code)
            .unwrap_or(Lang::En);
        let claimed = write_transaction(conn, |conn| -> AppResult<bool> {
            if !store::claim(conn, &person.id, window.key, now, arrived.total())? {
                return Ok(false);
            }
            notify::enqueue_in(
                conn,
                Email {
                    to: person.email.clone(),
                    template: TEMPLATE,
                    context: NoticeContext {
                        name: &person.name,
                        total: arrived.total(),
                        payments_to_approve: arrived.payments_to_approve,
                        payments_to_pay: arrived.payments_to_pay,
                        reports_to_review: arrived.reports_to_review,
                        applications_to_screen: arrived.applications_to_screen,
                        payments_link: &payments_link,
                        home_link: &home_link,
                        every_minutes,
                    },
                },
                lang.code(),
            )?;
            Ok(true)
        })?;
        if claimed {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The background job: a pass every `staff.notice_interval_secs`, until the task is
/// aborted with the server.
pub async fn run(pool: DbPool, staff: StaffSettings, email: EmailSettings) {
    let period = Duration::from_secs(staff.notice_interval_secs.max(1));
    notify::every(pool, period, "staff notices", move |conn| {
        run_once(conn, crate::clock::now_naive(), &staff, &email)
    })
    .await
}
