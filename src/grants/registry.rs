//! Each grant of a fund also appears in the registry of who does what where, as a project
//! of its grantee funded by the fund, so that other donors see it when they look for
//! overlaps. The project is written in the grant's own transactions.
//!
//! A grant enters the registry like any other project (`registry::register`): it is
//! checked for overlaps, its candidates join the review queue, and the organisations whose
//! projects it may duplicate are told by email. It carries the identifier of its activity
//! in the fund's IATI file, so that importing that file finds the grant instead of
//! registering it a second time.

use super::model::GrantStatus;
use super::store::GrantRow;
use crate::applications::store::Application;
use crate::auth::Actor;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::funds::store::FundRow;
use crate::registry::emails::{self, GrantProject};
use crate::registry::model::{
    BudgetSplit, Participant, ParticipantRole, ProjectDraft, ProjectSource, ProjectStatus,
};
use crate::registry::rules::Scope;

/// Where a grant in this state stands as a registry project.
pub fn project_status(status: GrantStatus) -> ProjectStatus {
    match status {
        GrantStatus::AwaitingSignature => ProjectStatus::Pipeline,
        GrantStatus::Active | GrantStatus::Suspended => ProjectStatus::Active,
        GrantStatus::Closed | GrantStatus::Terminated => ProjectStatus::Completed,
    }
}

/// The grant's activity identifier in the fund's IATI file, when the fund publishes under
/// an organisation identifier and no other project uses it already.
fn iati_identifier(
    conn: &mut DbConn,
    grant: &GrantRow,
    fund: &FundRow,
) -> AppResult<Option<String>> {
    let Some(publisher) = fund.organisation_identifier.as_deref() else {
        return Ok(None);
    };
    let identifier = crate::opendata::rules::grant_activity_id(publisher, &grant.reference);
    if crate::registry::store::iati_taken(conn, &identifier, None)? {
        // someone registered it by hand; the grant's project goes in without it rather
        // than failing the board's decision
        tracing::warn!(grant = %grant.id, identifier, "a registry project already has the grant's IATI identifier");
        return Ok(None);
    }
    Ok(Some(identifier))
}

/// Registers the grant's project (published: grants are public figures), queues its
/// overlaps and writes to the organisations concerned; returns the project's id.
pub fn publish(
    conn: &mut DbConn,
    grant: &GrantRow,
    app: &Application,
    fund: &FundRow,
    actor: &Actor,
) -> AppResult<String> {
    // A protected grantee's project stays in the registry for the fund's own overlap checks
    // but is never published, and the other side of an overlap is not told its name.
    let protected = crate::organisations::store::find(conn, &grant.organisation_id)?
        .is_some_and(|org| org.protected);
    let draft = ProjectDraft {
        title: grant.title.clone(),
        description: app.content.summary.clone(),
        reporting_org_id: grant.organisation_id.clone(),
        participants: vec![
            Participant {
                role: ParticipantRole::Funding,
                organisation_id: None,
                name: Some(fund.name.clone()),
                reference: None,
            },
            Participant {
                role: ParticipantRole::Implementing,
                organisation_id: Some(grant.organisation_id.clone()),
                name: None,
                reference: None,
            },
        ],
        countries: app.content.countries.clone(),
        themes: app.content.themes.clone(),
        target_groups: Vec::new(),
        start_on: Some(grant.starts_on),
        end_on: Some(grant.ends_on),
        budget: Some(grant.money()?),
        status: project_status(grant.status),
        iati_identifier: iati_identifier(conn, grant, fund)?,
        published: !protected,
        split: BudgetSplit::default(),
        links: Vec::new(),
    };
    // Compared with published projects only: both sides of a pair see it in the queue and
    // the other side is written to, and an unpublished project is its owner's draft.
    let registered =
        crate::registry::register(conn, &draft, ProjectSource::Grant, actor, &Scope::Public)?;
    let grantee = if protected {
        crate::opendata::rules::WITHHELD_RECIPIENT.to_string()
    } else {
        crate::registry::store::organisation_contact(conn, &grant.organisation_id)?
            .map(|(name, _)| name)
            .unwrap_or_default()
    };
    let ours = GrantProject {
        project: &registered.row,
        grantee: &grantee,
        fund_name: &fund.name,
    };
    for queued in &registered.newly_queued {
        emails::overlap_found(
            conn,
            &queued.project,
            &ours,
            &queued.review_id,
            queued.score,
        )?;
    }
    Ok(registered.row.id)
}

/// Takes the registry projects of an organisation's grants out of public view, once the
/// fund protects it (they stay for the fund's own overlap checks).
pub fn withdraw_protected(conn: &mut DbConn, organisation_id: &str) -> AppResult<()> {
    use crate::db::schema::grants;
    use diesel::prelude::*;
    let projects: Vec<String> = grants::table
        .filter(grants::organisation_id.eq(organisation_id))
        .filter(grants::registry_project_id.is_not_null())
        .select(grants::registry_project_id.assume_not_null())
        .load(conn)?;
    crate::registry::store::unpublish(conn, &projects)?;
    Ok(())
}

/// Moves the grant's project along with the grant.
pub fn follow(conn: &mut DbConn, grant: &GrantRow) -> AppResult<()> {
    if let Some(project) = &grant.registry_project_id {
        crate::registry::store::set_status(conn, project, project_status(grant.status))?;
    }
    Ok(())
}
