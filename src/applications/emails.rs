//! Emails about an application, written to the outbox in the transaction of the change
//! that causes them. They go to the person who submitted it (`contact_email`).
//!
//! Templates and what each one's context carries:
//! - `application_submitted`: acknowledgement with the reference number.
//! - `application_screened`: the screening result (eligible or not) with the notes.
//! - `application_returned`: the application came back for revision, with the reason.
//! - `application_decided`: the board's outcome, with the amount and conditions of an
//!   approval (the board's rationale stays internal).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::store::Application;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::notify::{self, Email};

pub const SUBMITTED: &str = "application_submitted";
pub const SCREENED: &str = "application_screened";
pub const RETURNED: &str = "application_returned";
pub const DECIDED: &str = "application_decided";

#[derive(Debug, Serialize)]
pub struct SubmittedContext<'a> {
    pub application_id: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub call_title: &'a str,
    pub revision: i32,
    pub submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct ScreenedContext<'a> {
    pub application_id: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub eligible: bool,
    pub status: &'a str,
    pub notes: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ReturnedContext<'a> {
    pub application_id: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub reason: &'a str,
    pub next_revision: i32,
}

fn send<C: Serialize>(
    conn: &mut DbConn,
    app: &Application,
    template: &'static str,
    context: C,
) -> AppResult<()> {
    if let Some(to) = &app.contact_email {
        notify::enqueue(
            conn,
            Email {
                to: to.clone(),
                template,
                context,
            },
        )?;
    }
    Ok(())
}

pub fn submitted(conn: &mut DbConn, app: &Application, call_title: &str) -> AppResult<()> {
    let context = SubmittedContext {
        application_id: &app.id,
        reference: app.reference.as_deref().unwrap_or_default(),
        title: &app.content.title,
        call_title,
        revision: app.revision,
        submitted_at: app.submitted_at,
    };
    send(conn, app, SUBMITTED, context)
}

pub fn screened(conn: &mut DbConn, app: &Application) -> AppResult<()> {
    let (eligible, notes) = app
        .screening
        .as_ref()
        .map(|s| (s.eligible, s.notes.as_str()))
        .unwrap_or((false, ""));
    let context = ScreenedContext {
        application_id: &app.id,
        reference: app.reference.as_deref().unwrap_or_default(),
        title: &app.content.title,
        eligible,
        status: app.status.as_str(),
        notes,
    };
    send(conn, app, SCREENED, context)
}

pub fn returned(conn: &mut DbConn, app: &Application, reason: &str) -> AppResult<()> {
    let context = ReturnedContext {
        application_id: &app.id,
        reference: app.reference.as_deref().unwrap_or_default(),
        title: &app.content.title,
        reason,
        next_revision: app.revision,
    };
    send(conn, app, RETURNED, context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::templates::render;

    fn rendered<C: Serialize>(template: &str, context: C) -> crate::notify::templates::Rendered {
        let value = serde_json::to_value(context).expect("context serialises");
        render("en", template, &value).unwrap_or_else(|e| panic!("{template}: {e}"))
    }

    #[test]
    fn each_email_renders_from_the_context_it_is_sent_with() {
        let mail = rendered(
            SUBMITTED,
            SubmittedContext {
                application_id: "a",
                reference: "UNVTF-2026-00042",
                title: "Safe <shelter>",
                call_title: "Emergency grants",
                revision: 1,
                submitted_at: Some(chrono::Utc::now()),
            },
        );
        assert_eq!(mail.subject, "Application received: UNVTF-2026-00042");
        assert!(mail.text.contains("Safe <shelter>") && !mail.text.contains("revision 1"));
        assert!(mail.html.contains("Safe &lt;shelter&gt;"));
        let mail = rendered(
            SCREENED,
            ScreenedContext {
                application_id: "a",
                reference: "UNVTF-2026-00042",
                title: "t",
                eligible: false,
                status: "ineligible",
                notes: "Not a registered non-profit.",
            },
        );
        assert!(mail.subject.contains("not eligible"), "{}", mail.subject);
        assert!(mail.text.contains("Not a registered non-profit."));
        let mail = rendered(
            RETURNED,
            ReturnedContext {
                application_id: "a",
                reference: "UNVTF-2026-00042",
                title: "t",
                reason: "Split the legal aid budget.",
                next_revision: 2,
            },
        );
        assert!(
            mail.text.contains("Split the legal aid budget.") && mail.text.contains("revision 2")
        );
    }
}

#[derive(Debug, Serialize)]
pub struct DecidedContext<'a> {
    pub application_id: &'a str,
    pub reference: &'a str,
    pub title: &'a str,
    pub outcome: &'a str,
    pub approved_amount: Option<String>,
    pub currency: &'a str,
    pub instalments: usize,
    pub conditions: Option<&'a str>,
}

/// The board's outcome, told to the applicant.
pub fn decided(conn: &mut DbConn, app: &Application, context: DecidedContext<'_>) -> AppResult<()> {
    send(conn, app, DECIDED, context)
}
