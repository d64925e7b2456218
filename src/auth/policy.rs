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
    /// List everyone with an account (name, email, role, organisation, funds, language) and
    /// the invitations waiting to be accepted.
    ReadUsers,
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
    /// Read the registry projects an application may duplicate (after `ReadApplication`
    /// and its visibility): not the applicant, whose application it is the fund's
    /// assessment of, naming projects the applicant may not see.
    ReadApplicationOverlaps,
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
    /// Predictability: pledged against arrived per donor and year (donors: their own).
    ReadDonorPredictability,
    /// Predictability: instalments planned against paid per grant.
    ReadGrantPredictability,
    /// Register, change or delete a registry project; `require_member` then checks the
    /// reporting organisation.
    WriteRegistryProject,
    /// Compare a draft with the registry.
    CheckRegistryOverlaps,
    /// Read the overlap review queue (admins all of it, others their organisation's pairs)
    /// and record what a pair is.
    ReviewRegistryOverlaps,
    ImportIati,
    /// Hold a board session (name the trustees present).
    CreateBoardSession,
    /// Read a fund's board sessions and their decisions; trustees only their funds'.
    ReadBoardSessions,
    /// Record a board decision on an application; a trustee only when present and free of
    /// a conflict on it (`require_decider`).
    DecideApplication,
    /// Submit an outcome report of one's own organisation's grant.
    SubmitReport,
    /// Read a grant's outcome reports; which grants is `require_grant_reader`.
    ReadReports,
    /// Accept or return an outcome report.
    ReviewReport,
    /// A fund's outcomes summed over accepted reports (small counts hidden for donors).
    ReadOutcomes,
    /// List or read grants; which ones is `grant_scope`.
    ReadGrants,
    /// Accept the grant agreement for the grantee organisation.
    SignGrant,
    /// Suspend, resume, terminate or close a grant.
    ManageGrant,
    /// Ask for an instalment to be paid, or cancel such a request before it is paid.
    RequestDisbursement,
    CancelDisbursement,
    /// Approve a requested disbursement (never one's own request: `require_other_than`).
    ApproveDisbursement,
    PayDisbursement,
    /// Record unspent money a grantee sent back.
    RecordRefund,
    /// Assign a reviewer (or a trustee of the fund) to an application.
    AssignReviewer,
    /// List or read review assignments: one's own; the secretariat all of them.
    ReadAssignments,
    /// Declare a conflict of interest, edit and submit one's own review (the assignee only).
    WriteReview,
    /// Read an application's submitted reviews; which ones is `reviews_access`.
    ReadReviews,
    /// A call's ranking with the funding line.
    ReadRanking,
    /// The queue of reviews past their due day, with the reviewers' names: the secretariat,
    /// which assigns them, chases them.
    ReadOverdueReviews,
    /// The queue of pledges past their due day, every donor's: the secretariat and finance,
    /// who record the money, chase it. Trustees and donors read pledges but chase none.
    ReadOverduePledges,
    /// Post and change one's own organisation's needs and offers of assistance, propose,
    /// accept or decline their matches and turn an accepted match into a registry project;
    /// `require_member` then checks the organisation (404 for another's).
    WriteNeedsAndOffers,
}

use Role::{Admin, Donor, Finance, Ngo, Registry, Reviewer, Trustee};

/// Every role of the fund's work. A registry member (`Registry`) is not among them: it
/// keeps its organisation's registry projects and sees nothing of the fund.
const EVERYONE: &[Role] = &[Admin, Finance, Trustee, Reviewer, Ngo, Donor];
/// Every role with an account, the registry member's included: its own account and
/// organisation.
const EVERY_ACCOUNT: &[Role] = &[Admin, Finance, Trustee, Reviewer, Ngo, Donor, Registry];

/// The roles whose users speak for an organisation of their own (`organisation_id`), and
/// the secretariat. A new member role (governments', agencies' or companies' staff) is
/// added here, one word, and may then post needs and offers.
const ORGANISATION_MEMBERS: &[Role] = &[Admin, Ngo, Donor, Registry];

/// The roles allowed to perform `operation` at all (before any organisation check).
pub fn allowed_roles(operation: Operation) -> &'static [Role] {
    match operation {
        Operation::ReadMe => EVERY_ACCOUNT,
        Operation::ListFunds | Operation::ReadFund => EVERYONE,
        Operation::Logout | Operation::ChangePassword => EVERY_ACCOUNT,
        Operation::CreateInvitation | Operation::ReadUsers => &[Admin],
        Operation::CreateFund | Operation::UpdateFund => &[Admin],
        Operation::CreateOrganisation | Operation::UpdateOrganisation => &[Admin],
        // others than the secretariat read only their own (`require_reader`)
        Operation::ReadOrganisation => EVERY_ACCOUNT,
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
        Operation::ReadApplicationOverlaps => &[Admin, Trustee, Reviewer],
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
        Operation::ReadDonorPredictability => &[Admin, Finance, Trustee, Donor],
        Operation::ReadGrantPredictability => &[Admin, Finance, Trustee],
        // Any organisation member may register its own organisation's projects: the
        // registry member's one work.
        Operation::WriteRegistryProject
        | Operation::CheckRegistryOverlaps
        | Operation::ReviewRegistryOverlaps => EVERY_ACCOUNT,
        Operation::ImportIati => &[Admin],
        Operation::CreateBoardSession => &[Admin],
        Operation::ReadBoardSessions | Operation::DecideApplication => &[Admin, Trustee],
        Operation::SubmitReport => &[Ngo],
        Operation::ReadReports => &[Admin, Finance, Trustee, Donor, Ngo],
        Operation::ReviewReport => &[Admin],
        Operation::ReadOutcomes => &[Admin, Trustee, Donor],
        Operation::ReadGrants => &[Admin, Finance, Trustee, Ngo, Donor],
        Operation::SignGrant => &[Ngo],
        Operation::ManageGrant => &[Admin],
        Operation::RequestDisbursement
        | Operation::CancelDisbursement
        | Operation::RecordRefund => &[Admin, Finance],
        Operation::ApproveDisbursement | Operation::PayDisbursement => &[Finance],
        Operation::AssignReviewer => &[Admin],
        Operation::ReadAssignments | Operation::ReadReviews => &[Admin, Trustee, Reviewer],
        Operation::WriteReview => &[Trustee, Reviewer],
        Operation::ReadRanking => &[Admin, Trustee],
        Operation::ReadOverdueReviews => &[Admin],
        Operation::ReadOverduePledges => &[Admin, Finance],
        Operation::WriteNeedsAndOffers => ORGANISATION_MEMBERS,
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

/// Whether the user registers projects of its own organisation (the page's form): a role
/// that writes registry projects, and an organisation to write them for. The secretariat,
/// which belongs to none, names the organisation through the API.
pub fn registers_own_projects(user: &CurrentUser) -> bool {
    authorize(user, Operation::WriteRegistryProject).is_ok() && user.organisation_id.is_some()
}

/// Whether the user posts and matches its own organisation's needs and offers on the pages
/// (a member of one; the secretariat names the organisation through the API).
pub fn posts_own_needs_and_offers(user: &CurrentUser) -> bool {
    authorize(user, Operation::WriteNeedsAndOffers).is_ok() && user.organisation_id.is_some()
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
    what: impl std::fmt::Display,
) -> Result<(), AppError> {
    if user.role == Admin || user.organisation_id.as_deref() == Some(organisation_id) {
        Ok(())
    } else {
        Err(AppError::not_found(what))
    }
}

/// The user may see the board business of `fund_id`: the secretariat always, trustees
/// only of the funds whose board they sit on; anything else answers 404.
pub fn require_board_reader(
    user: &CurrentUser,
    fund_id: &str,
    what: impl std::fmt::Display,
) -> Result<(), AppError> {
    match user.role {
        Admin => Ok(()),
        Trustee if user.fund_ids.iter().any(|f| f == fund_id) => Ok(()),
        _ => Err(AppError::not_found(what)),
    }
}

/// A trustee records a decision only as one of the trustees present, and never on an
/// application it declared a conflict on; the secretariat records the board's decisions.
pub fn require_decider(
    user: &CurrentUser,
    present: &[String],
    recused: &[String],
) -> Result<(), AppError> {
    if user.role == Admin {
        return Ok(());
    }
    if !present.contains(&user.id) {
        return Err(AppError::forbidden(
            "only a trustee present at this session may record its decisions",
        ));
    }
    if recused.contains(&user.id) {
        return Err(AppError::forbidden(
            "you declared a conflict of interest on this application and stand aside",
        ));
    }
    Ok(())
}

/// Which grants a user sees; any other answers 404.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantScope {
    /// The secretariat, finance and donors (grants are what the fund reports to its donors
    /// and publishes as open data).
    All,
    /// Trustees: the grants of the funds whose board they sit on.
    Funds(Vec<String>),
    /// A grantee organisation's members: its own grants.
    Organisation(String),
    Nothing,
}

impl GrantScope {
    pub fn allows(&self, organisation_id: &str, fund_id: &str) -> bool {
        match self {
            GrantScope::All => true,
            GrantScope::Funds(funds) => funds.iter().any(|f| f == fund_id),
            GrantScope::Organisation(org) => org == organisation_id,
            GrantScope::Nothing => false,
        }
    }
}

pub fn grant_scope(user: &CurrentUser) -> GrantScope {
    match user.role {
        Admin | Finance | Donor => GrantScope::All,
        Trustee => GrantScope::Funds(user.fund_ids.clone()),
        Ngo => user
            .organisation_id
            .clone()
            .map(GrantScope::Organisation)
            .unwrap_or(GrantScope::Nothing),
        Reviewer | Registry => GrantScope::Nothing,
    }
}

/// 404 unless the user may read the grant (or its reports and disbursements) of
/// `organisation_id` in `fund_id`.
pub fn require_grant_reader(
    user: &CurrentUser,
    organisation_id: &str,
    fund_id: &str,
    what: impl std::fmt::Display,
) -> Result<(), AppError> {
    if grant_scope(user).allows(organisation_id, fund_id) {
        Ok(())
    } else {
        Err(AppError::not_found(what))
    }
}

/// Four eyes: a disbursement is approved by someone other than the one who requested it.
pub fn require_other_than(user: &CurrentUser, requested_by: Option<&str>) -> Result<(), AppError> {
    if requested_by == Some(user.id.as_str()) {
        Err(AppError::forbidden(
            "a disbursement is approved by a finance officer other than the one who requested it",
        ))
    } else {
        Ok(())
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
    what: impl std::fmt::Display,
) -> Result<(), AppError> {
    if sees_all_organisations(user) {
        Ok(())
    } else {
        require_member(user, organisation_id, what)
    }
}

/// Which applications a user may see; any other answers 404. The secretariat sees all,
/// an organisation's members its own (drafts included), trustees the submitted ones of
/// the funds whose board they sit on. Reviewers see exactly the applications assigned to
/// them on which they declared no conflict of interest.
pub fn application_visibility(user: &CurrentUser) -> Visibility {
    match user.role {
        Admin => Visibility::All,
        Ngo => user
            .organisation_id
            .clone()
            .map(Visibility::Organisation)
            .unwrap_or(Visibility::Nothing),
        Trustee => Visibility::SubmittedInFunds(user.fund_ids.clone()),
        Reviewer => Visibility::AssignedTo(user.id.clone()),
        Finance | Donor | Registry => Visibility::Nothing,
    }
}

/// Who signs in from a browser with a second factor (a TOTP code) besides the password:
/// the secretariat and finance, on whose word money moves.
pub fn needs_second_factor(role: Role) -> bool {
    matches!(role, Admin | Finance)
}

/// Who may be assigned to review an application of a fund: an active user with the
/// reviewer role, or a trustee of that fund. Anyone else is refused (422 naming the field).
pub fn may_be_assigned(role: Role, active: bool, trustee_of_fund: bool) -> bool {
    active && (role == Reviewer || (role == Trustee && trustee_of_fund))
}

/// A reviewer who belongs to the applicant organisation has a conflict of interest by
/// definition and is refused before being asked.
pub fn conflicted_by_membership(
    reviewer_organisation: Option<&str>,
    applicant_organisation: &str,
) -> bool {
    reviewer_organisation == Some(applicant_organisation)
}

/// Whether the user sees every review assignment (and may filter them by application or
/// call); everyone else sees only their own.
pub fn sees_all_assignments(user: &CurrentUser) -> bool {
    user.role == Admin
}

/// What the caller's own assignment on an application says about the reviews it may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnAssignment {
    None,
    /// Not declared yet, or declared no conflict and not submitted.
    Pending(crate::review::model::AssignmentStatus),
    Submitted,
    Recused,
}

/// Which of an application's reviews the user may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewsAccess {
    /// Every submitted review.
    All,
    /// Only the caller's own, until it submits it.
    OwnOnly,
}

/// Reviews of an application in `fund_id` (visible to the user at all: `application_visible`
/// decides that first): the secretariat reads all; trustees of the fund and cleared
/// reviewers read others' reviews only once their own (if they have an assignment) is
/// submitted. Whoever declared a conflict on the application reads none (404): a recused
/// person sees no scores (domain invariant 5).
pub fn reviews_access(
    user: &CurrentUser,
    fund_id: &str,
    own: OwnAssignment,
) -> Result<ReviewsAccess, AppError> {
    use crate::review::model::AssignmentStatus;
    let hidden = || AppError::not_found("application");
    match (user.role, own) {
        (_, OwnAssignment::Recused) => Err(hidden()),
        (Admin, _) => Ok(ReviewsAccess::All),
        (Trustee, own) if user.fund_ids.iter().any(|f| f == fund_id) => match own {
            OwnAssignment::Pending(_) => Ok(ReviewsAccess::OwnOnly),
            _ => Ok(ReviewsAccess::All),
        },
        (Reviewer, OwnAssignment::Pending(AssignmentStatus::Cleared)) => Ok(ReviewsAccess::OwnOnly),
        (Reviewer, OwnAssignment::Submitted) => Ok(ReviewsAccess::All),
        _ => Err(hidden()),
    }
}

/// Whether a call's ranking row of an application shows its scores to the user: not when
/// the user declared a conflict on that application.
pub fn sees_ranking_scores(recused_on_application: bool) -> bool {
    !recused_on_application
}

/// A trustee reads the rankings of the funds whose board it sits on; the secretariat all.
pub fn require_fund_reader(
    user: &CurrentUser,
    fund_id: &str,
    what: impl std::fmt::Display,
) -> Result<(), AppError> {
    match user.role {
        Admin => Ok(()),
        Trustee if user.fund_ids.iter().any(|f| f == fund_id) => Ok(()),
        _ => Err(AppError::not_found(what)),
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

/// The user may read the outcomes of `fund_id` (after `ReadOutcomes`): trustees only of
/// their own funds' boards (404 otherwise).
pub fn require_outcomes_reader(user: &CurrentUser, fund_id: &str) -> Result<(), AppError> {
    match user.role {
        Admin | Donor => Ok(()),
        Trustee if user.fund_ids.iter().any(|f| f == fund_id) => Ok(()),
        _ => Err(AppError::not_found("fund")),
    }
}

/// The user may read `fund_id`'s predictability figures (after the operation's role check):
/// trustees only of their own funds' boards (404 otherwise); donors are limited to their
/// own lines by `organisation_scope`.
pub fn require_predictability_reader(user: &CurrentUser, fund_id: &str) -> Result<(), AppError> {
    match user.role {
        Admin | Finance | Donor => Ok(()),
        Trustee if user.fund_ids.iter().any(|f| f == fund_id) => Ok(()),
        _ => Err(AppError::not_found("fund")),
    }
}

/// Whether the beneficiary counts a user sees hide every count below 5 (domain invariant
/// 7): donors (and any future public view). The secretariat, the board and the grantee
/// (its own reports) see exact numbers.
pub fn sees_suppressed_counts(user: &CurrentUser) -> bool {
    !matches!(user.role, Admin | Finance | Trustee | Ngo)
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
            assert_eq!(authorize(&u, Operation::ReadUsers).is_ok(), *role == Admin);
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
                !matches!(role, Reviewer | Ngo | Registry),
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
                !matches!(role, Finance | Donor | Registry)
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
    fn trustees_see_and_decide_only_on_their_own_boards() {
        let mut trustee = user(Trustee, None);
        trustee.fund_ids = vec!["fund-a".into()];
        assert!(require_board_reader(&trustee, "fund-a", "session").is_ok());
        let err = require_board_reader(&trustee, "fund-b", "session").expect_err("other board");
        assert_eq!(err.code, crate::error::ErrorCode::NotFound);
        assert!(require_board_reader(&user(Admin, None), "fund-b", "session").is_ok());
        assert!(require_board_reader(&user(Finance, None), "fund-a", "session").is_err());
        let present = vec!["u".to_string()];
        assert!(require_decider(&trustee, &present, &[]).is_ok());
        assert!(require_decider(&trustee, &present, &present).is_err());
        assert!(require_decider(&trustee, &[], &[]).is_err());
        assert!(require_decider(&user(Admin, None), &[], &[]).is_ok());
        for role in Role::ALL {
            let u = user(*role, None);
            assert_eq!(
                authorize(&u, Operation::DecideApplication).is_ok(),
                matches!(role, Admin | Trustee)
            );
            assert_eq!(
                authorize(&u, Operation::CreateBoardSession).is_ok(),
                *role == Admin
            );
        }
    }

    #[test]
    fn grants_are_seen_by_their_grantee_and_paid_with_four_eyes() {
        let ngo = user(Ngo, Some("org-a"));
        assert!(require_grant_reader(&ngo, "org-a", "f", "grant").is_ok());
        assert!(require_grant_reader(&ngo, "org-b", "f", "grant").is_err());
        assert!(require_grant_reader(&user(Donor, Some("d")), "org-b", "f", "grant").is_ok());
        assert!(require_grant_reader(&user(Reviewer, None), "org-b", "f", "grant").is_err());
        let finance = user(Finance, None);
        assert!(require_other_than(&finance, Some("u")).is_err());
        assert!(require_other_than(&finance, Some("other")).is_ok());
        for role in Role::ALL {
            let may = |op| authorize(&user(*role, None), op).is_ok();
            assert_eq!(may(Operation::ApproveDisbursement), *role == Finance);
            assert_eq!(may(Operation::PayDisbursement), *role == Finance);
            assert_eq!(may(Operation::SignGrant), *role == Ngo);
            assert_eq!(may(Operation::ManageGrant), *role == Admin);
            assert_eq!(
                may(Operation::RequestDisbursement),
                matches!(role, Admin | Finance)
            );
        }
    }

    #[test]
    fn reviewers_see_what_is_assigned_to_them_and_recused_people_see_no_reviews() {
        use crate::review::model::AssignmentStatus;
        let reviewer = user(Reviewer, None);
        assert_eq!(
            application_visibility(&reviewer),
            Visibility::AssignedTo("u".into())
        );
        assert_eq!(
            reviews_access(&reviewer, "f", OwnAssignment::None).map_err(|e| e.code),
            Err(crate::error::ErrorCode::NotFound)
        );
        assert!(
            reviews_access(
                &reviewer,
                "f",
                OwnAssignment::Pending(AssignmentStatus::AwaitingDeclaration)
            )
            .is_err()
        );
        assert_eq!(
            reviews_access(
                &reviewer,
                "f",
                OwnAssignment::Pending(AssignmentStatus::Cleared)
            )
            .ok(),
            Some(ReviewsAccess::OwnOnly)
        );
        assert_eq!(
            reviews_access(&reviewer, "f", OwnAssignment::Submitted).ok(),
            Some(ReviewsAccess::All)
        );
        let mut trustee = user(Trustee, None);
        trustee.fund_ids = vec!["f".into()];
        assert_eq!(
            reviews_access(&trustee, "f", OwnAssignment::None).ok(),
            Some(ReviewsAccess::All)
        );
        assert!(reviews_access(&trustee, "g", OwnAssignment::None).is_err());
        assert!(reviews_access(&trustee, "f", OwnAssignment::Recused).is_err());
        assert!(reviews_access(&user(Admin, None), "f", OwnAssignment::None).is_ok());
        assert!(may_be_assigned(Reviewer, true, false));
        assert!(!may_be_assigned(Reviewer, false, false));
        assert!(may_be_assigned(Trustee, true, true));
        assert!(!may_be_assigned(Trustee, true, false));
        assert!(!may_be_assigned(Ngo, true, true));
        for role in Role::ALL {
            let u = user(*role, None);
            assert_eq!(
                authorize(&u, Operation::AssignReviewer).is_ok(),
                *role == Admin
            );
            assert_eq!(
                authorize(&u, Operation::ReadRanking).is_ok(),
                matches!(role, Admin | Trustee)
            );
            assert_eq!(
                authorize(&u, Operation::WriteReview).is_ok(),
                matches!(role, Reviewer | Trustee)
            );
        }
    }

    #[test]
    fn overdue_reviews_are_chased_by_the_secretariat_and_pledges_also_by_finance() {
        for role in Role::ALL {
            let u = user(*role, Some("org-a"));
            assert_eq!(
                authorize(&u, Operation::ReadOverdueReviews).is_ok(),
                *role == Admin
            );
            assert_eq!(
                authorize(&u, Operation::ReadOverduePledges).is_ok(),
                matches!(role, Admin | Finance)
            );
        }
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

    #[test]
    fn only_members_of_an_organisation_register_its_projects_on_the_form() {
        for role in Role::ALL {
            assert!(registers_own_projects(&user(*role, Some("org-a"))));
            assert!(!registers_own_projects(&user(*role, None)));
        }
    }

    #[test]
    fn grant_readers_are_the_secretariat_the_fund_board_donors_and_the_grantee() {
        let mut trustee = user(Trustee, None);
        trustee.fund_ids = vec!["fund-a".into()];
        assert!(require_grant_reader(&trustee, "org-a", "fund-a", "grant").is_ok());
        assert!(require_grant_reader(&trustee, "org-a", "fund-b", "grant").is_err());
        for role in [Admin, Finance, Donor] {
            assert!(
                require_grant_reader(&user(role, Some("x")), "org-a", "fund-a", "grant").is_ok()
            );
        }
        assert!(require_grant_reader(&user(Ngo, Some("org-a")), "org-a", "f", "grant").is_ok());
        let err = require_grant_reader(&user(Ngo, Some("org-b")), "org-a", "f", "grant")
            .expect_err("other org");
        assert_eq!(err.code, crate::error::ErrorCode::NotFound);
        assert!(require_grant_reader(&user(Reviewer, None), "org-a", "f", "grant").is_err());
        for role in Role::ALL {
            let u = user(*role, Some("org-a"));
            assert_eq!(authorize(&u, Operation::SubmitReport).is_ok(), *role == Ngo);
            assert_eq!(
                authorize(&u, Operation::ReviewReport).is_ok(),
                *role == Admin
            );
            assert_eq!(
                authorize(&u, Operation::ReadOutcomes).is_ok(),
                matches!(role, Admin | Trustee | Donor)
            );
            assert_eq!(
                sees_suppressed_counts(&u),
                matches!(role, Donor | Reviewer | Registry)
            );
        }
        assert!(require_outcomes_reader(&trustee, "fund-b").is_err());
        assert!(require_outcomes_reader(&trustee, "fund-a").is_ok());
    }

    #[test]
    fn a_registry_member_keeps_its_projects_and_sees_nothing_of_the_fund() {
        let u = user(Registry, Some("org-a"));
        for op in [
            Operation::ReadMe,
            Operation::Logout,
            Operation::ChangePassword,
            Operation::ReadOrganisation,
            Operation::WriteRegistryProject,
            Operation::CheckRegistryOverlaps,
            Operation::ReviewRegistryOverlaps,
        ] {
            assert!(authorize(&u, op).is_ok(), "{op:?}");
        }
        for op in [
            Operation::ListFunds,
            Operation::ReadFund,
            Operation::ReadApplication,
            Operation::CreateApplication,
            Operation::ReadGrants,
            Operation::ReadPledges,
            Operation::ReadContributions,
            Operation::ReadStatement,
            Operation::ReadFundStatus,
            Operation::ReadLedger,
            Operation::ReadDonorPredictability,
            Operation::ReadGrantPredictability,
            Operation::ReadReports,
            Operation::ReadOutcomes,
            Operation::ListExchangeRates,
            Operation::ReadBoardSessions,
            Operation::ReadAssignments,
            Operation::ImportIati,
            Operation::CreateInvitation,
        ] {
            assert!(authorize(&u, op).is_err(), "{op:?}");
        }
        assert_eq!(grant_scope(&u), GrantScope::Nothing);
        assert_eq!(application_visibility(&u), Visibility::Nothing);
        assert!(!sees_all_organisations(&u));
        assert!(!sees_all_registry_projects(&u));
        assert!(require_reader(&u, "org-b", "organisation").is_err());
        assert!(require_reader(&u, "org-a", "organisation").is_ok());
        assert!(require_outcomes_reader(&u, "f").is_err());
        assert!(require_predictability_reader(&u, "f").is_err());
        assert!(!needs_second_factor(Registry));
    }
}
