//! The access policy, in one place: which roles may perform each operation of the API, and
//! the rule that another organisation's resource is answered as if it did not exist.
//! Handlers ask; they never test roles themselves.

use super::{CurrentUser, Role};
use crate::applications::store::Visibility;
use crate::error::AppError;

/// Every operation of the API that needs a signed-in user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    ReadMe,
    /// End one's own sessions.
    Logout,
    ChangePassword,
    /// Invite someone to an account with a role.
    CreateInvitation,
    CreateFund,
    ListFunds,
    ReadFund,
    UpdateFund,
    CreateOrganisation,
    /// Read or list organisations; non-secretariat users see only their own.
    ReadOrganisation,
    UpdateOrganisation,
    ReadAuditEvents,
    CreateCall,
    UpdateCall,
    OpenCall,
    CloseCall,
    /// See calls that are still drafts (everyone sees opened ones).
    ReadDraftCalls,
    CreateApplication,
    /// List or read applications; which ones is `application_visibility`.
    ReadApplication,
    UpdateApplication,
    UploadDocument,
    DeleteDocument,
    SubmitApplication,
    WithdrawApplication,
    ScreenApplication,
    ReturnApplication,
    /// Money in: record a dated exchange rate.
    CreateExchangeRate,
    ListExchangeRates,
    /// Record a pledge, cancel one, record a contribution.
    CreatePledge,
    CancelPledge,
    CreateContribution,
    /// Read or list pledges and contributions; donors see only their own organisation's.
    ReadPledges,
    ReadContributions,
    /// A donor statement; donors read only their own organisation's.
    ReadStatement,
    ReadFundStatus,
    /// A fund's ledger entries, one by one.
    ReadLedger,
    /// Register, change or delete a registry project; `require_member` then checks the
    /// reporting organisation.
    WriteRegistryProject,
    /// Compare a draft with the registry.
    CheckRegistryOverlaps,
    /// Read the overlap review queue (admins all of it, others their organisation's pairs)
    /// and record what a pair is.
    ReviewRegistryOverlaps,
    ImportIati,
}

use Role::{Admin, Donor, Finance, Ngo, Reviewer, Trustee};

const EVERYONE: &[Role] = &[Admin, Finance, Trustee, Reviewer, Ngo, Donor];

/// The roles allowed to perform `operation` at all (before any organisation check).
pub fn allowed_roles(operation: Operation) -> &'static [Role] {
    match operation {
        Operation::ReadMe | Operation::ListFunds | Operation::ReadFund => EVERYONE,
        Operation::Logout | Operation::ChangePassword => EVERYONE,
        Operation::CreateInvitation => &[Admin],
        Operation::CreateFund | Operation::UpdateFund => &[Admin],
        Operation::CreateOrganisation | Operation::UpdateOrganisation => &[Admin],
        Operation::ReadOrganisation => EVERYONE,
        Operation::ReadAuditEvents => &[Admin],
        Operation::CreateCall
        | Operation::UpdateCall
        | Operation::OpenCall
        | Operation::CloseCall
        | Operation::ReadDraftCalls => &[Admin],
        Operation::CreateApplication
        | Operation::UpdateApplication
        | Operation::UploadDocument
        | Operation::DeleteDocument
        | Operation::SubmitApplication
        | Operation::WithdrawApplication => &[Ngo],
        Operation::ReadApplication => &[Admin, Trustee, Reviewer, Ngo],
        Operation::ScreenApplication | Operation::ReturnApplication => &[Admin],
        Operation::CreateExchangeRate
        | Operation::CreatePledge
        | Operation::CancelPledge
        | Operation::CreateContribution => &[Admin, Finance],
        Operation::ListExchangeRates => EVERYONE,
        Operation::ReadPledges | Operation::ReadContributions | Operation::ReadFundStatus => {
            &[Admin, Finance, Trustee, Donor]
        }
        Operation::ReadStatement => &[Admin, Finance, Donor],
        Operation::ReadLedger => &[Admin, Finance, Trustee],
        // Any organisation member may register its own organisation's projects.
        Operation::WriteRegistryProject
        | Operation::CheckRegistryOverlaps
        | Operation::ReviewRegistryOverlaps => EVERYONE,
        Operation::ImportIati => &[Admin],
    }
}

/// 403 unless the user's role may perform `operation`.
pub fn authorize(user: &CurrentUser, operation: Operation) -> Result<(), AppError> {
    if allowed_roles(operation).contains(&user.role) {
        Ok(())
    } else {
        Err(AppError::forbidden(format!(
            "the {} role may not do this",
            user.role.as_str()
        )))
    }
}

/// Whether the user sees every organisation's records (the secretariat side) rather than
/// only its own organisation's.
pub fn sees_all_organisations(user: &CurrentUser) -> bool {
    matches!(user.role, Admin | Finance | Trustee)
}

/// The user may act on a resource owned by `organisation_id`: admins always, others only
/// as members of it. Anything else answers 404, so that ids of other organisations'
/// resources reveal nothing.
pub fn require_member(
    user: &CurrentUser,
    organisation_id: &str,
    what: &str,
) -> Result<(), AppError> {
    if user.role == Admin || user.organisation_id.as_deref() == Some(organisation_id) {
        Ok(())
    } else {
        Err(AppError::not_found(what))
    }
}

/// Whether the user sees every organisation's unpublished registry projects (and every
/// entry of the overlap review queue); other users see their own organisation's only.
pub fn sees_all_registry_projects(user: &CurrentUser) -> bool {
    user.role == Admin
}

/// Like `require_member`, but the secretariat roles (admin, finance, trustee) may read
/// every organisation's records.
pub fn require_reader(
    user: &CurrentUser,
    organisation_id: &str,
    what: &str,
) -> Result<(), AppError> {
    if sees_all_organisations(user) {
        Ok(())
    } else {
        require_member(user, organisation_id, what)
    }
}

/// Which applications a user may see; any other answers 404. The secretariat sees all,
/// an organisation's members its own (drafts included), trustees the submitted ones of
/// the funds whose board they sit on. Reviewers see none until review assignments exist;
/// the review feature widens this to the applications assigned to them.
pub fn application_visibility(user: &CurrentUser) -> Visibility {
    match user.role {
        Admin => Visibility::All,
        Ngo => user
            .organisation_id
            .clone()
            .map(Visibility::Organisation)
            .unwrap_or(Visibility::Nothing),
        Trustee => Visibility::SubmittedInFunds(user.fund_ids.clone()),
        Reviewer | Finance | Donor => Visibility::Nothing,
    }
}

/// The organisation an NGO user applies for; an account without one may not apply.
pub fn applicant_organisation(user: &CurrentUser) -> Result<String, AppError> {
    user.organisation_id.clone().ok_or_else(|| {
        AppError::forbidden("this account belongs to no organisation, so it cannot apply")
    })
}

/// The organisation a list is limited to: the one asked for (or none: all) for the
/// secretariat, always the user's own for everyone else. Asking for another organisation's
/// records answers 404.
pub fn organisation_scope(
    user: &CurrentUser,
    requested: Option<String>,
) -> Result<Option<String>, AppError> {
    if sees_all_organisations(user) {
        return Ok(requested);
    }
    if let Some(requested) = &requested {
        require_member(user, requested, "organisation")?;
    }
    // a member of no organisation has no records: an id no row carries
    Ok(Some(user.organisation_id.clone().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, org: Option<&str>) -> CurrentUser {
        CurrentUser {
            id: "u".into(),
            email: "u@example.org".into(),
            role,
            organisation_id: org.map(str::to_string),
            fund_ids: vec![],
        }
    }

    #[test]
    fn only_admins_manage_funds_and_read_the_audit_trail() {
        for role in Role::ALL {
            let allowed = authorize(&user(*role, None), Operation::CreateFund).is_ok();
            assert_eq!(allowed, *role == Admin, "{role:?}");
            assert_eq!(
                authorize(&user(*role, None), Operation::ReadAuditEvents).is_ok(),
                *role == Admin
            );
        }
    }

    #[test]
    fn only_admins_invite_and_everyone_manages_their_own_sessions() {
        for role in Role::ALL {
            let u = user(*role, None);
            assert_eq!(
                authorize(&u, Operation::CreateInvitation).is_ok(),
                *role == Admin
            );
            assert!(authorize(&u, Operation::Logout).is_ok());
            assert!(authorize(&u, Operation::ChangePassword).is_ok());
        }
    }

    #[test]
    fn money_is_recorded_by_finance_and_admins_and_read_by_donors_too() {
        for role in Role::ALL {
            let may = |op| authorize(&user(*role, None), op).is_ok();
            let records = matches!(role, Admin | Finance);
            assert_eq!(may(Operation::CreateContribution), records, "{role:?}");
            assert_eq!(may(Operation::CreatePledge), records, "{role:?}");
            assert_eq!(may(Operation::CancelPledge), records, "{role:?}");
            assert_eq!(may(Operation::CreateExchangeRate), records, "{role:?}");
            assert_eq!(
                may(Operation::ReadFundStatus),
                !matches!(role, Reviewer | Ngo),
                "{role:?}"
            );
            assert_eq!(
                may(Operation::ReadStatement),
                matches!(role, Admin | Finance | Donor),
                "{role:?}"
            );
        }
    }

    #[test]
    fn another_organisations_resource_is_not_found_not_forbidden() {
        let ngo = user(Ngo, Some("org-a"));
        assert!(require_member(&ngo, "org-a", "application").is_ok());
        let err = require_member(&ngo, "org-b", "application").expect_err("other org");
        assert_eq!(err.code, crate::error::ErrorCode::NotFound);
        assert!(require_member(&user(Admin, None), "org-b", "application").is_ok());
        assert!(require_reader(&user(Finance, None), "org-b", "pledge").is_ok());
        assert!(require_reader(&user(Donor, Some("org-a")), "org-b", "pledge").is_err());
    }

    #[test]
    fn only_ngos_write_applications_and_only_admins_run_calls_and_screening() {
        for role in Role::ALL {
            let u = user(*role, Some("org-a"));
            for op in [
                Operation::CreateApplication,
                Operation::UpdateApplication,
                Operation::SubmitApplication,
                Operation::UploadDocument,
            ] {
                assert_eq!(authorize(&u, op).is_ok(), *role == Ngo, "{role:?} {op:?}");
            }
            for op in [
                Operation::CreateCall,
                Operation::OpenCall,
                Operation::ScreenApplication,
                Operation::ReturnApplication,
            ] {
                assert_eq!(authorize(&u, op).is_ok(), *role == Admin, "{role:?} {op:?}");
            }
            assert_eq!(
                authorize(&u, Operation::ReadApplication).is_ok(),
                !matches!(role, Finance | Donor)
            );
        }
    }

    #[test]
    fn application_visibility_follows_the_role() {
        assert_eq!(application_visibility(&user(Admin, None)), Visibility::All);
        assert_eq!(
            application_visibility(&user(Ngo, Some("org-a"))),
            Visibility::Organisation("org-a".into())
        );
        assert_eq!(
            application_visibility(&user(Ngo, None)),
            Visibility::Nothing
        );
        assert_eq!(
            application_visibility(&user(Donor, Some("org-a"))),
            Visibility::Nothing
        );
        assert!(applicant_organisation(&user(Ngo, None)).is_err());
    }

    #[test]
    fn only_admins_import_iati_files_and_see_every_unpublished_project() {
        for role in Role::ALL {
            let u = user(*role, Some("org-a"));
            assert_eq!(authorize(&u, Operation::ImportIati).is_ok(), *role == Admin);
            assert_eq!(sees_all_registry_projects(&u), *role == Admin);
            assert!(authorize(&u, Operation::WriteRegistryProject).is_ok());
        }
    }
}
