//! Emails about organisations, written to the outbox in the caller's transaction.
//!
//! - `organisation_awaiting_verification`: to every active admin (the secretariat) when
//!   someone who registered an organisation has confirmed their address, with a link to the
//!   verification queue. Until the secretariat verifies it, the organisation cannot submit
//!   applications.

use serde::Serialize;

use super::store;
use crate::auth::Role;
use crate::auth::model::UserView;
use crate::config::EmailSettings;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::notify::{self, Email};

pub const AWAITING_VERIFICATION: &str = "organisation_awaiting_verification";

/// The page where the secretariat verifies organisations.
pub const QUEUE_PAGE: &str = "organisations/to-verify";

#[derive(Debug, Serialize)]
pub struct AwaitingContext<'a> {
    pub organisation: &'a str,
    pub organisation_kind: &'a str,
    pub country: &'a str,
    pub registrant_name: &'a str,
    pub registrant_email: &'a str,
    pub link: String,
}

/// Tells the secretariat that `organisation_id`, registered by `registrant`, waits for
/// verification; nothing when it is verified already.
pub fn awaiting_verification(
    conn: &mut DbConn,
    settings: &EmailSettings,
    organisation_id: &str,
    registrant: &UserView,
) -> AppResult<()> {
    let Some(org) = store::find(conn, organisation_id)? else {
        return Ok(());
    };
    if org.verified {
        return Ok(());
    }
    for admin in crate::auth::store::active_with_role(conn, Role::Admin)? {
        notify::enqueue(
            conn,
            Email {
                to: admin.email,
                template: AWAITING_VERIFICATION,
                context: AwaitingContext {
                    organisation: &org.name,
                    organisation_kind: org.kind.as_str(),
                    country: &org.country,
                    registrant_name: &registrant.name,
                    registrant_email: &registrant.email,
                    link: notify::page_link(settings, QUEUE_PAGE),
                },
            },
        )?;
    }
    Ok(())
}
