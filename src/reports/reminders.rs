//! Reminders about report due dates, emailed to the application's contact on the configured
//! days before and after each open due date (`[grants] reminder_days_before/after`).
//!
//! Each reminder — (grant, due date, kind, offset) — is sent exactly once, however many
//! instances run the job: the job claims it by inserting its `report_reminders` row (the
//! primary key) with `ON CONFLICT DO NOTHING` in the same transaction as the outbox
//! message, so exactly one instance's insert counts and only that one enqueues the email.
//! A reminder whose day passed while no instance ran is sent late (catch up), except a
//! reminder "before" once the due date has come.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Serialize;

use super::model::ReportStatus;
use super::rules::{self, DueDate, Reminder};
use crate::config::{EmailSettings, GrantSettings};
use crate::db::schema::{applications, grant_instalments, grant_reports, grants, report_reminders};
use crate::db::{DbConn, DbPool, write_transaction};
use crate::error::AppResult;
use crate::grants::model::{GrantStatus, ReleaseCondition, ReportKind};
use crate::notify::{self, Email};

pub const TEMPLATE: &str = "report_reminder";

#[derive(Debug, Serialize)]
struct ReminderContext<'a> {
    grant_id: &'a str,
    reference: &'a str,
    title: &'a str,
    kind: &'a str,
    due_on: NaiveDate,
    offset_days: i32,
    /// Days until the due date (0 once it has passed).
    days_left: i64,
    /// Days since the due date (0 before it).
    overdue_days: i64,
    /// The page where the grantee sends the report.
    report_form: &'a str,
}

struct RunningGrant {
    id: String,
    reference: String,
    title: String,
    ends_on: NaiveDate,
    contact: Option<String>,
}

/// One pass: sends every reminder owed on `today` that no instance has sent yet; returns
/// how many this call sent.
pub fn run_once(
    conn: &mut DbConn,
    today: NaiveDate,
    settings: &GrantSettings,
    email: &EmailSettings,
) -> AppResult<usize> {
    let running = [GrantStatus::Active, GrantStatus::Suspended];
    let rows: Vec<(String, String, String, NaiveDate, Option<String>)> = grants::table
        .inner_join(applications::table.on(applications::id.eq(grants::application_id)))
        .filter(grants::status.eq_any(running))
        .select((
            grants::id,
            grants::reference,
            grants::title,
            grants::ends_on,
            applications::contact_email,
        ))
        .load(conn)?;
    let grants_running: Vec<RunningGrant> = rows
        .into_iter()
        .map(|(id, reference, title, ends_on, contact)| RunningGrant {
            id,
            reference,
            title,
            ends_on,
            contact,
        })
        .collect();
    if grants_running.is_empty() {
        return Ok(0);
    }
    let ids: Vec<&str> = grants_running.iter().map(|g| g.id.as_str()).collect();
    let mut on_report: HashMap<String, Vec<(NaiveDate, ReportKind)>> = HashMap::new();
    for (grant_id, due_on, kind) in grant_instalments::table
        .filter(grant_instalments::grant_id.eq_any(&ids))
        .filter(grant_instalments::condition.eq(ReleaseCondition::OnReportAccepted.as_str()))
        .select((
            grant_instalments::grant_id,
            grant_instalments::due_on,
            grant_instalments::report_kind,
        ))
        .load::<(String, NaiveDate, Option<ReportKind>)>(conn)?
    {
        if let Some(kind) = kind {
            on_report.entry(grant_id).or_default().push((due_on, kind));
        }
    }
    let mut reported: HashMap<(String, String), usize> = HashMap::new();
    for (grant_id, kind, n) in grant_reports::table
        .filter(grant_reports::grant_id.eq_any(&ids))
        .filter(grant_reports::status.eq_any([ReportStatus::Submitted, ReportStatus::Accepted]))
        .group_by((grant_reports::grant_id, grant_reports::kind))
        .select((
            grant_reports::grant_id,
            grant_reports::kind,
            diesel::dsl::count_star(),
        ))
        .load::<(String, String, i64)>(conn)?
    {
        reported.insert((grant_id, kind), usize::try_from(n).unwrap_or(usize::MAX));
    }

    let mut sent = 0;
    for grant in &grants_running {
        let Some(contact) = &grant.contact else {
            continue;
        };
        let dates = rules::due_dates(
            on_report.get(&grant.id).map(Vec::as_slice).unwrap_or(&[]),
            grant.ends_on,
        );
        let open = rules::open_due_dates(&dates, |kind| {
            reported
                .get(&(grant.id.clone(), kind.as_str().to_string()))
                .copied()
                .unwrap_or(0)
        });
        for due in open {
            for reminder in rules::reminders_owed(
                due,
                today,
                &settings.reminder_days_before,
                &settings.reminder_days_after,
            ) {
                let link = notify::page_link(email, &format!("/grants/{}/report", grant.id));
                if send(conn, grant, contact, reminder, today, &link)? {
                    sent += 1;
                }
            }
        }
    }
    Ok(sent)
}

/// Claims `reminder` and enqueues its email in one transaction; false when another
/// instance (or an earlier pass) already claimed it.
fn send(
    conn: &mut DbConn,
    grant: &RunningGrant,
    contact: &str,
    reminder: Reminder,
    today: NaiveDate,
    report_form: &str,
) -> AppResult<bool> {
    let DueDate { due_on, kind } = reminder.due;
    write_transaction(conn, |conn| {
        let claim = (
            report_reminders::grant_id.eq(&grant.id),
            report_reminders::due_on.eq(due_on),
            report_reminders::report_kind.eq(kind.as_str()),
            report_reminders::offset_days.eq(reminder.offset_days),
            report_reminders::sent_at.eq(Utc::now().naive_utc()),
        );
        let claimed =
            crate::db::with_backend!(conn, |c| diesel::insert_into(report_reminders::table)
                .values(claim)
                .on_conflict_do_nothing()
                .execute(c))?;
        if claimed == 0 {
            return Ok(false);
        }
        let days = (due_on - today).num_days();
        notify::enqueue(
            conn,
            Email {
                to: contact.to_string(),
                template: TEMPLATE,
                context: ReminderContext {
                    grant_id: &grant.id,
                    reference: &grant.reference,
                    title: &grant.title,
                    kind: kind.as_str(),
                    due_on,
                    offset_days: reminder.offset_days,
                    days_left: days.max(0),
                    overdue_days: (-days).max(0),
                    report_form,
                },
            },
        )?;
        Ok(true)
    })
}

/// The background job: a pass every `reminder_interval_secs`, until the task is aborted
/// with the server.
pub async fn run(pool: DbPool, settings: GrantSettings, email: EmailSettings) {
    let period = Duration::from_secs(settings.reminder_interval_secs.max(1));
    notify::every(pool, period, "report reminders", move |conn| {
        run_once(conn, crate::clock::today(), &settings, &email)
    })
    .await
}
