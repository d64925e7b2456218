//! Demo data modelled on the fund's public record, so a newcomer sees real figures at once,
//! and one account per role with a published password (refused in production).
//! Loading is idempotent: a second `serve --demo` finds the fund and accounts and adds nothing.

use rust_decimal::Decimal;

use crate::applications::model::ApplicationStatus;
use crate::ids::{ApplicationId, AssignmentId, CallId, DisbursementId, GrantId, ReportId};
use chrono::{Datelike, NaiveDate};

use crate::audit::{self, Change};

use crate::auth::Actor;
use crate::auth::{self, Role};
use crate::db::{DbConn, DbPool, write_transaction};
use crate::donations::{
    self,
    model::{NewContribution, NewPledge},
};
use crate::error::AppError;
use crate::exchange::{self, model::NewExchangeRate};
use crate::funds::{self, model::NewFund};
use crate::grants::model::ReportKind;
use crate::money::{Currency, Money};
use crate::organisations::{
    self,
    model::{NewOrganisation, OrgKind},
};

pub const DEMO_FUND_CODE: &str = "UNVTF";

/// The identifier the demo fund publishes its open data under (IATI, 360Giving).
pub const DEMO_ORGANISATION_IDENTIFIER: &str = "XI-IATI-TFDEMO";

struct DemoOrg {
    name: &'static str,
    kind: OrgKind,
    country: &'static str,
    identifier: Option<&'static str>,
}

/// Donors of the record: States that announced pledges at a General Assembly dialogue and
/// a private donor.
const DEMO_ORGANISATIONS: &[DemoOrg] = &[
    DemoOrg {
        name: "Russian Federation",
        kind: OrgKind::Government,
        country: "RU",
        identifier: None,
    },
    DemoOrg {
        name: "Luxembourg",
        kind: OrgKind::Government,
        country: "LU",
        identifier: Some("XM-DAC-22"),
    },
    DemoOrg {
        name: "Australia",
        kind: OrgKind::Government,
        country: "AU",
        identifier: Some("XM-DAC-801"),
    },
    DemoOrg {
        name: "A private donor",
        kind: OrgKind::Individual,
        country: "US",
        identifier: None,
    },
];

/// A grass-roots NGO the demo ngo account belongs to.
const DEMO_NGO: DemoOrg = DemoOrg {
    name: "Hope Shelter Network (demo)",
    kind: OrgKind::Ngo,
    country: "NG",
    identifier: Some("NG-CAC-7700001"),
};

/// A grantee whose staff could face reprisals: the fund protects it, so no public output
/// names it (see the open-data files, the registry and the public page of the demo).
const DEMO_PROTECTED_GRANTEE: &str = "Chiang Mai Safe Home";

/// An organisation that registered itself and confirmed its address, waiting in the
/// secretariat's verification queue (it cannot submit applications until verified).
const DEMO_WAITING_ORG: DemoOrg = DemoOrg {
    name: "Mekong Safe Journeys (demo)",
    kind: OrgKind::Ngo,
    country: "KH",
    identifier: None,
};
const DEMO_WAITING_MEMBER: (&str, &str) = ("sokha@mekong-journeys.example", "Sokha Chea");

/// The donor organisation the demo donor account belongs to (one of `DEMO_ORGANISATIONS`).
const DEMO_DONOR_IDENTIFIER: &str = "XM-DAC-22";

/// A demo account and its password, printed by `serve --demo`.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub email: &'static str,
    pub password: &'static str,
    pub note: &'static str,
    /// For a member of one of the demo board's grantees: the organisation's name (the
    /// account is made once the board has decided); otherwise the role's demo organisation.
    pub grantee: Option<&'static str>,
}

/// One account per role; two finance officers, because a disbursement is approved by a
/// finance officer other than the one who requested it.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: Role::Admin,
        email: "admin@trustfund.example",
        password: "amber harbour lantern 41",
        note: "fund secretariat",
        grantee: None,
    },
    DemoAccount {
        role: Role::Finance,
        email: "finance@trustfund.example",
        password: "copper meadow violin 52",
        note: "finance officer",
        grantee: None,
    },
    DemoAccount {
        role: Role::Finance,
        email: "finance2@trustfund.example",
        password: "silver orchard compass 63",
        note: "second finance officer (approves the first one's requests)",
        grantee: None,
    },
    DemoAccount {
        role: Role::Trustee,
        email: "trustee@trustfund.example",
        password: "granite willow beacon 74",
        note: "board of trustees of UNVTF",
        grantee: None,
    },
    DemoAccount {
        role: Role::Trustee,
        email: "trustee2@trustfund.example",
        password: "maple lighthouse ember 28",
        note: "second trustee of UNVTF",
        grantee: None,
    },
    DemoAccount {
        role: Role::Trustee,
        email: "trustee3@trustfund.example",
        password: "quartz valley harbour 39",
        note: "third trustee of UNVTF (declared a conflict on one application)",
        grantee: None,
    },
    DemoAccount {
        role: Role::Reviewer,
        email: "reviewer@trustfund.example",
        password: "cobalt river lantern 85",
        note: "external expert",
        grantee: None,
    },
    DemoAccount {
        role: Role::Ngo,
        email: "ngo@hope-shelter.example",
        password: "saffron bridge meadow 96",
        note: "member of Hope Shelter Network (demo)",
        grantee: None,
    },
    DemoAccount {
        role: Role::Ngo,
        email: "ngo@lagos-legal-clinic.example",
        password: "ember lagoon compass 58",
        note: "member of Lagos Legal Clinic, whose grant waits for its signature",
        grantee: Some("Lagos Legal Clinic"),
    },
    DemoAccount {
        role: Role::Donor,
        email: "donor@luxembourg.example",
        password: "indigo harbour violin 17",
        note: "member of the donor Luxembourg",
        grantee: None,
    },
    DemoAccount {
        role: Role::Registry,
        email: "registry@luxembourg.example",
        password: "harbour cedar quill 41",
        note: "registry member for Luxembourg (sees nothing of the fund)",
        grantee: None,
    },
];

/// Loads the demo data and accounts; returns the accounts to print.
pub fn load(
    pool: &DbPool,
    settings: &crate::config::Settings,
) -> Result<Vec<DemoAccount>, AppError> {
    let terms = crate::board::DecisionTerms::from_settings(settings)?;
    load_data(pool, terms.max_rate_age)?;
    load_accounts(pool)?;
    load_calls(pool)?;
    load_board(pool, terms, settings.review.days_to_review)?;
    load_grantee_accounts(pool)?;
    Ok(DEMO_ACCOUNTS.to_vec())
}

fn create_organisation(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    org: &DemoOrg,
) -> Result<String, AppError> {
    create_organisation_verified(conn, actor, org, true)
}

fn create_organisation_verified(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    org: &DemoOrg,
    verified: bool,
) -> Result<String, AppError> {
    let view = organisations::create(
        conn,
        actor,
        &NewOrganisation {
            name: org.name.to_string(),
            kind: org.kind,
            country: org.country.to_string(),
            identifier: org.identifier.map(str::to_string),
            verified,
            // the private donor asked not to be named in public
            listed_anonymously: org.kind == OrgKind::Individual,
            may_donate: false,
            protected: org.name == DEMO_PROTECTED_GRANTEE,
        },
        crate::audit::Action::Create,
    )?;
    Ok(view.id)
}

/// A demo account, audited as made by the system; returns the user's id.
fn insert_account(
    conn: &mut DbConn,
    actor: &Actor,
    account: &DemoAccount,
    organisation_id: Option<&str>,
) -> Result<String, AppError> {
    let hash = auth::password::hash(account.password).map_err(AppError::internal)?;
    let user = auth::store::insert(
        conn,
        auth::store::NewUser {
            email: account.email,
            display_name: account.note,
            password_hash: &hash,
            role: account.role,
            organisation_id,
            email_verified: true,
        },
    )?;
    audit::record(
        conn,
        actor,
        Change::<(), _> {
            entity: crate::audit::Entity::User,
            entity_id: &user.id,
            action: crate::audit::Action::Create,
            before: None,
            after: Some(&serde_json::json!({"email": user.email, "role": user.role, "demo": true})),
        },
    )?;
    Ok(user.id)
}

/// The accounts of members of the demo board's grantees, once their grants exist.
fn load_grantee_accounts(pool: &DbPool) -> Result<(), AppError> {
    use crate::db::schema::organisations as orgs;
    use diesel::prelude::*;
    let mut conn = pool.get()?;
    let actor = Actor::system();
    write_transaction(&mut conn, |conn| {
        for account in DEMO_ACCOUNTS {
            let Some(grantee) = account.grantee else {
                continue;
            };
            if auth::store::find_by_email(conn, account.email)?.is_some() {
                continue;
            }
            let organisation_id: String = orgs::table
                .filter(orgs::name.eq(grantee))
                .select(orgs::id)
                .first(conn)?;
            insert_account(conn, &actor, account, Some(&organisation_id))?;
        }
        Ok(())
    })
}

fn load_accounts(pool: &DbPool) -> Result<(), AppError> {
    let mut conn = pool.get()?;
    let actor = Actor::system();
    write_transaction(&mut conn, |conn| {
        let fund = funds::store::find_by_code(conn, DEMO_FUND_CODE)?
            .ok_or_else(|| AppError::internal("the demo fund is missing"))?;
        let ngo = match DEMO_NGO
            .identifier
            .map(|i| organisations::store::find_by_identifier(conn, i))
            .transpose()?
            .flatten()
        {
            Some(org) => org.id,
            None => create_organisation(conn, &actor, &DEMO_NGO)?,
        };
        let donor =
            organisations::store::find_by_identifier(conn, DEMO_DONOR_IDENTIFIER)?.map(|o| o.id);
        for account in DEMO_ACCOUNTS.iter().filter(|a| a.grantee.is_none()) {
            if auth::store::find_by_email(conn, account.email)?.is_some() {
                continue;
            }
            let organisation_id = match account.role {
                Role::Ngo => Some(ngo.clone()),
                Role::Donor | Role::Registry => donor.clone(),
                _ => None,
            };
            let user = insert_account(conn, &actor, account, organisation_id.as_deref())?;
            if account.role == Role::Trustee {
                auth::store::add_fund(conn, &user, &fund.id)?;
            }
        }
        let (email, name) = DEMO_WAITING_MEMBER;
        if auth::store::find_by_email(conn, email)?.is_none() {
            let organisation =
                create_organisation_verified(conn, &actor, &DEMO_WAITING_ORG, false)?;
            // nobody signs in as this member: its password is random and never shown
            let password = auth::tokens::new_opaque();
            let hash = auth::password::hash(&password).map_err(AppError::internal)?;
            auth::store::insert(
                conn,
                auth::store::NewUser {
                    email,
                    display_name: name,
                    password_hash: &hash,
                    role: Role::Ngo,
                    organisation_id: Some(&organisation),
                    email_verified: true,
                },
            )?;
        }
        Ok(())
    })
}

fn load_data(pool: &DbPool, max_rate_age: exchange::MaxRateAge) -> Result<(), AppError> {
    let mut conn = pool.get()?;
    let actor = Actor::system();
    write_transaction(&mut conn, |conn| {
        if funds::store::find_by_code(conn, DEMO_FUND_CODE)?.is_some() {
            tracing::info!("demo data already present");
            return Ok(());
        }
        let fund = funds::create(
            conn,
            &actor,
            &NewFund {
                code: DEMO_FUND_CODE.to_string(),
                name: "United Nations Voluntary Trust Fund for Victims of Trafficking in Persons, Especially Women and Children".to_string(),
                base_currency: Currency::USD,
                support_cost_rate: Decimal::new(13, 2),
                board_quorum: 3,
                // a placeholder: a real fund publishes under its own org-id identifier
                organisation_identifier: Some(DEMO_ORGANISATION_IDENTIFIER.to_string()),
                organisation_type: "40".to_string(),
                // General Assembly resolution 64/293 set the real fund up on 30 July 2010
                established_on: chrono::NaiveDate::from_ymd_opt(2010, 7, 30)
                    .expect("a valid date"),
            },
        )?;
        let mut donors = Vec::new();
        for org in DEMO_ORGANISATIONS {
            let id = create_organisation(conn, &actor, org)?;
            donors.push((org.name.to_string(), id));
        }
        load_money(conn, &actor, &fund.id, &donors, max_rate_age)?;
        load_needs_and_offers(conn, &actor, &donors)?;
        load_registry_project(conn, &actor)?;
        tracing::info!(fund = DEMO_FUND_CODE, "demo data loaded");
        Ok(())
    })
}

/// Another organisation's project in the registry that one of the demo's applications
/// ("Night shelter for trafficked boys", submitted later by `load_calls`) duplicates, so the
/// secretariat, the reviewers and the board see a flagged overlap, registered as a member
/// would through the API.
fn load_registry_project(conn: &mut DbConn, actor: &Actor) -> Result<(), AppError> {
    use crate::registry::model::{CreateProject, ProjectStatus};
    let forum = create_organisation(
        conn,
        actor,
        &DemoOrg {
            name: "Dhaka Child Protection Forum (demo)",
            kind: OrgKind::Ngo,
            country: "BD",
            identifier: None,
        },
    )?;
    let today = crate::clock::today();
    let draft = CreateProject {
        title: "Night shelter and counselling for trafficked boys in Dhaka".to_string(),
        description: "A night shelter for boys trafficked into street work and begging in Dhaka, with counselling, schooling and family tracing.".to_string(),
        reporting_org_id: forum,
        funding_org_ids: Vec::new(),
        implementing_org_ids: Vec::new(),
        countries: vec!["BD".to_string()],
        themes: vec!["protection.shelter".to_string()],
        target_groups: Vec::new(),
        start_on: Some(today - chrono::Duration::days(60)),
        end_on: Some(today + chrono::Duration::days(300)),
        budget: Some(crate::money::DecimalString(Decimal::from(45_000))),
        currency: Some("USD".to_string()),
        status: ProjectStatus::Active,
        iati_identifier: None,
        published: Some(true),
        links: Vec::new(),
    }
    .validate()?;
    crate::registry::register(
        conn,
        &draft,
        crate::registry::model::ProjectSource::Manual,
        actor,
        &crate::registry::rules::Scope::All,
    )?;
    Ok(())
}

/// Two needs of a government ministry and two offers (a donor State's money, a training
/// provider's courses), through `needs::create_need` and `create_offer` as the API posts
/// them, so that the rankings have something to show.
fn load_needs_and_offers(
    conn: &mut DbConn,
    actor: &Actor,
    donors: &[(String, String)],
) -> Result<(), AppError> {
    use crate::needs::model::{PostFields, PostKind};
    use crate::needs::rules::{HelpKind, PostStatus};
    let ministry = create_organisation(
        conn,
        actor,
        &DemoOrg {
            name: "Federal Ministry of Humanitarian Affairs (demo)",
            kind: OrgKind::Government,
            country: "NG",
            identifier: None,
        },
    )?;
    let trainers = create_organisation(
        conn,
        actor,
        &DemoOrg {
            name: "Protection Skills Partners (demo)",
            kind: OrgKind::Company,
            country: "GH",
            identifier: None,
        },
    )?;
    let Some((_, luxembourg)) = donors.iter().find(|(name, _)| name == "Luxembourg") else {
        return Ok(());
    };
    let today = crate::clock::today();
    let start = today + chrono::Duration::days(30);
    let end = today + chrono::Duration::days(395);
    let post = |org: &str,
                title: &str,
                description: &str,
                places: &[&str],
                themes: &[&str],
                kinds: &[HelpKind],
                amount: Option<&str>| PostFields {
        organisation_id: org.to_string(),
        title: title.to_string(),
        description: description.to_string(),
        places: places.iter().map(|s| s.to_string()).collect(),
        themes: themes.iter().map(|s| s.to_string()).collect(),
        kinds: kinds.to_vec(),
        start_on: start,
        end_on: end,
        amount: amount.and_then(|a| a.parse().ok()),
        currency: amount.map(|_| "USD".to_string()),
        link: None,
        restricted: false,
        status: PostStatus::Open,
    };
    let needs = [
        post(
            &ministry,
            "Trauma-informed care training for shelter staff",
            "Staff of the six federal shelters need training in trauma-informed care and in identifying victims referred by the police.",
            &["NG"],
            &["protection.shelter", "protection.identification"],
            &[HelpKind::Training, HelpKind::Expertise],
            Some("60000"),
        ),
        post(
            &ministry,
            "Legal aid for survivors testifying in court",
            "Survivors who testify against traffickers need lawyers and safe transport to court in Lagos and Benin City.",
            &["NG"],
            &["prosecution.victim-witness", "protection.legal-aid"],
            &[HelpKind::LegalServices, HelpKind::Funding],
            Some("120000"),
        ),
    ];
    for need in needs {
        crate::needs::create_need(conn, actor, &need.validate(PostKind::Need, today)?)?;
    }
    let offers = [
        post(
            luxembourg,
            "Grants for victim protection in West Africa",
            "Funding for shelters, legal aid and reintegration run by public services or NGOs.",
            &["NG", "GH", "SN"],
            &["protection", "prosecution.victim-witness"],
            &[HelpKind::Funding],
            Some("250000"),
        ),
        post(
            &trainers,
            "Shelter staff courses",
            "Five-day courses for shelter staff on trauma-informed care, given on site by experienced trainers.",
            &["NG", "GH"],
            &["protection.shelter"],
            &[HelpKind::Training],
            Some("40000"),
        ),
    ];
    for offer in offers {
        crate::needs::create_offer(conn, actor, &offer.validate(PostKind::Offer, today)?)?;
    }
    Ok(())
}

/// A demo application: who applies, for what, and how far it got.
struct DemoApplication {
    organisation: &'static str,
    country: &'static str,
    title: &'static str,
    amount: i64,
    themes: &'static [&'static str],
    /// draft, submitted, under_review, ineligible or withdrawn.
    state: ApplicationStatus,
}

const DEMO_APPLICATIONS: &[DemoApplication] = &[
    DemoApplication {
        organisation: DEMO_NGO.name,
        country: "NG",
        title: "Safe houses and legal aid for survivors in Benin City",
        amount: 19_500,
        themes: &["protection.shelter", "protection.legal-aid"],
        state: ApplicationStatus::Draft,
    },
    DemoApplication {
        organisation: "Safe Haven Lagos",
        country: "NG",
        title: "Emergency shelter and medical care for survivors returned from Libya",
        amount: 18_500,
        themes: &["protection.shelter", "protection.medical"],
        state: ApplicationStatus::UnderReview,
    },
    DemoApplication {
        organisation: "Mekong Legal Aid Network",
        country: "TH",
        title: "Legal aid for fishermen held in forced labour at sea",
        amount: 20_000,
        themes: &["protection.legal-aid", "prosecution.victim-witness"],
        state: ApplicationStatus::Submitted,
    },
    DemoApplication {
        organisation: "Accra Girls' Futures",
        country: "GH",
        title: "Family reunification and schooling for trafficked girls",
        amount: 12_000,
        themes: &[
            "protection.family-reunification",
            "protection.reintegration",
        ],
        state: ApplicationStatus::Draft,
    },
    DemoApplication {
        organisation: "Manila Bay Outreach",
        country: "PH",
        title: "Psycho-social counselling for women returned from forced marriage",
        amount: 9_000,
        themes: &["protection.psychosocial"],
        state: ApplicationStatus::Ineligible,
    },
    DemoApplication {
        organisation: "Kathmandu Return Trust",
        country: "NP",
        title: "Repatriation of domestic workers from the Gulf",
        amount: 15_000,
        themes: &["protection.repatriation"],
        state: ApplicationStatus::Withdrawn,
    },
    // reviewed, ranked and decided by the demo board (see `load_board`)
    DemoApplication {
        organisation: "Phnom Penh Recovery Centre",
        country: "KH",
        title: "Shelter and vocational training for girls rescued from brothels",
        amount: 17_000,
        themes: &["protection.shelter", "protection.reintegration"],
        state: ApplicationStatus::UnderReview,
    },
    DemoApplication {
        organisation: "Dhaka Migrant Rights",
        country: "BD",
        title: "Legal aid for migrant workers trafficked to the Gulf",
        amount: 14_000,
        themes: &["protection.legal-aid"],
        state: ApplicationStatus::UnderReview,
    },
    DemoApplication {
        organisation: "Lagos Legal Clinic",
        country: "NG",
        title: "Victim-witness support in trafficking trials",
        amount: 11_000,
        themes: &["prosecution.victim-witness", "protection.legal-aid"],
        state: ApplicationStatus::UnderReview,
    },
    DemoApplication {
        organisation: "Chiang Mai Safe Home",
        country: "TH",
        title: "Medical and psycho-social care for survivors of forced labour",
        amount: 16_000,
        themes: &["protection.medical", "protection.psychosocial"],
        state: ApplicationStatus::UnderReview,
    },
    DemoApplication {
        organisation: "Kumasi Reintegration Project",
        country: "GH",
        title: "Reintegration grants for returned child domestic workers",
        amount: 10_000,
        themes: &["protection.reintegration"],
        state: ApplicationStatus::UnderReview,
    },
    DemoApplication {
        organisation: "Cox's Bazar Women's Refuge",
        country: "BD",
        title: "Refuge and counselling for women trafficked from the camps",
        amount: 9_000,
        themes: &["protection.shelter", "protection.psychosocial"],
        state: ApplicationStatus::UnderReview,
    },
    DemoApplication {
        organisation: "Dhaka Shelter Collective",
        country: "BD",
        title: "Night shelter for trafficked boys",
        amount: 8_000,
        themes: &["protection.shelter"],
        state: ApplicationStatus::UnderReview,
    },
];

/// An open call for emergency grants (up to USD 20,000 for eight months), a medium-term
/// call still in preparation, NGOs, and applications in different states. The secretariat
/// (the demo admin) does it through the commands of the API: it creates and opens the calls,
/// enters the NGOs' applications as it would paper ones, submits, screens and withdraws
/// them, so the demo passes the same rules as a user.
fn load_calls(pool: &DbPool) -> Result<(), AppError> {
    use crate::calls::model::{Call, Criterion, NewCall, Weight};
    use crate::calls::{self, OpenCall};
    use crate::change;
    use crate::db::schema::calls as calls_table;
    use crate::http::Expected;
    use chrono::Duration;
    use diesel::prelude::*;

    let mut conn = pool.get()?;
    let actor = Actor::system();
    write_transaction(&mut conn, |conn| {
        let fund = funds::store::find_by_code(conn, DEMO_FUND_CODE)?
            .ok_or_else(|| AppError::internal("the demo fund is missing"))?;
        let existing: i64 = calls_table::table
            .filter(calls_table::fund_id.eq(&fund.id))
            .count()
            .get_result(conn)?;
        if existing > 0 {
            return Ok(());
        }
        let admin = demo_user(conn, "admin@trustfund.example")?;
        let now = crate::clock::now();
        let usd = |units: i64| Money::new(Decimal::from(units), Currency::USD);
        let rubric = |items: &[(&str, &str, i64)]| -> Vec<Criterion> {
            items
                .iter()
                .map(|(key, title, weight)| Criterion {
                    key: key.to_string(),
                    title: title.to_string(),
                    weight: Weight(Decimal::new(*weight, 2)),
                    max_score: 10,
                })
                .collect()
        };
        let emergency = NewCall {
            title: "Emergency grants 2026".into(),
            description: "Small grants, directly to grass-roots organisations, for urgent \
            assistance to victims of trafficking: shelter, medical and psycho-social care, \
            legal aid, repatriation and reintegration. Up to USD 20,000 for eight months."
                .into(),
            opens_at: now - Duration::days(14),
            closes_at: now + Duration::days(30),
            max_amount: usd(20_000).map_err(|e| AppError::internal(e.to_string()))?,
            max_duration_months: 8,
            eligible_countries: ["NG", "GH", "TH", "NP", "PH", "KH", "BD"]
                .map(str::to_string)
                .to_vec(),
            themes: ["protection", "protection.shelter", "protection.legal-aid"]
                .map(str::to_string)
                .to_vec(),
            required_documents: Vec::new(),
            rubric: rubric(&[
                ("relevance", "Relevance to victims' needs", 40),
                ("capacity", "Capacity to deliver", 30),
                ("cost", "Cost-effectiveness", 30),
            ]),
        };
        let emergency = calls::create(conn, &actor, &fund.id, emergency)?;
        change::apply::<Call, _>(
            conn,
            &actor,
            &admin,
            &CallId::from_stored(&emergency.id),
            Expected::Any,
            &OpenCall,
        )?;
        let medium = NewCall {
            title: "Medium-term grants 2027".into(),
            description: "Projects of up to 24 months and USD 60,000 for the reintegration of \
            survivors."
                .into(),
            opens_at: now + Duration::days(60),
            closes_at: now + Duration::days(120),
            max_amount: usd(60_000).map_err(|e| AppError::internal(e.to_string()))?,
            max_duration_months: 24,
            eligible_countries: Vec::new(),
            themes: ["protection.reintegration", "prevention.livelihoods"]
                .map(str::to_string)
                .to_vec(),
            required_documents: ["proposal", "budget", "registration-certificate"]
                .map(str::to_string)
                .to_vec(),
            rubric: rubric(&[
                ("relevance", "Relevance", 50),
                ("sustainability", "Sustainability", 50),
            ]),
        };
        calls::create(conn, &actor, &fund.id, medium)?;

        for demo in DEMO_APPLICATIONS {
            // The first applicant is the organisation of the demo ngo account, so signing in as
            // it shows an application ready to submit.
            let org_id = match DEMO_NGO.identifier {
                Some(identifier) if demo.organisation == DEMO_NGO.name => {
                    organisations::store::find_by_identifier(conn, identifier)?
                        .ok_or_else(|| AppError::internal("the demo NGO is missing"))?
                        .id
                }
                _ => create_organisation(
                    conn,
                    &actor,
                    &DemoOrg {
                        name: demo.organisation,
                        kind: OrgKind::Ngo,
                        country: demo.country,
                        identifier: None,
                    },
                )?,
            };
            demo_application(conn, &actor, &admin, &emergency.id, &org_id, demo)?;
        }
        Ok(())
    })
}

/// A demo account, as the commands it issues see it.
fn demo_user(conn: &mut DbConn, email: &str) -> Result<auth::CurrentUser, AppError> {
    let row = auth::store::find_by_email(conn, email)?
        .ok_or_else(|| AppError::internal(format!("demo account {email} is missing")))?;
    auth::load_current_user(conn, &row.id)
}

fn demo_application(
    conn: &mut DbConn,
    actor: &Actor,
    admin: &auth::CurrentUser,
    call_id: &str,
    organisation_id: &str,
    demo: &DemoApplication,
) -> Result<(), AppError> {
    use crate::applications::model::{BeneficiaryCount, BudgetLine, Content, ScreeningRequest};
    use crate::applications::store::Application;
    use crate::applications::{self, Screen, Submit, Withdraw};
    use crate::change;
    use crate::http::Expected;
    use crate::taxonomy::{AgeGroup, Exploitation, Sex};

    let money = |units: i64| Money::from_minor(units * 100, Currency::USD);
    let services = demo.amount * 70 / 100;
    let content = Content {
        title: demo.title.to_string(),
        summary: format!("{} (demo data).", demo.title),
        requested_amount: Some(money(demo.amount)),
        duration_months: Some(8),
        countries: vec![demo.country.to_string()],
        themes: demo.themes.iter().map(|t| t.to_string()).collect(),
        planned_beneficiaries: vec![
            BeneficiaryCount {
                sex: Sex::Female,
                age_group: AgeGroup::Child,
                exploitation: Exploitation::Sexual,
                count: 12,
            },
            BeneficiaryCount {
                sex: Sex::Female,
                age_group: AgeGroup::Adult,
                exploitation: Exploitation::ForcedLabour,
                count: 20,
            },
            BeneficiaryCount {
                sex: Sex::Male,
                age_group: AgeGroup::Adult,
                exploitation: Exploitation::ForcedLabour,
                count: 8,
            },
        ],
        budget: vec![
            BudgetLine {
                category: "direct assistance".into(),
                description: "services to survivors".into(),
                amount: money(services),
            },
            BudgetLine {
                category: "staff".into(),
                description: "case workers".into(),
                amount: money(demo.amount - services),
            },
        ],
    };
    let draft = applications::start_draft(
        conn,
        actor,
        call_id,
        organisation_id,
        Some(&admin.id),
        |_| Ok(content),
    )?;
    if demo.state == ApplicationStatus::Draft {
        return Ok(());
    }
    let id = &ApplicationId::from_stored(&draft.id);
    let submit = Submit {
        submitter_id: admin.id.clone(),
        submitter_email: admin.email.clone(),
    };
    change::apply::<Application, _>(conn, actor, admin, id, Expected::Any, &submit)?;
    match demo.state {
        ApplicationStatus::UnderReview | ApplicationStatus::Ineligible => {
            let eligible = demo.state == ApplicationStatus::UnderReview;
            let screening = Screen(ScreeningRequest {
                eligible,
                notes: if eligible {
                    "Complete and eligible.".into()
                } else {
                    "The organisation could not show its registration as a non-profit body.".into()
                },
            });
            change::apply::<Application, _>(conn, actor, admin, id, Expected::Any, &screening)?;
        }
        ApplicationStatus::Withdrawn => {
            change::apply::<Application, _>(conn, actor, admin, id, Expected::Any, &Withdraw)?;
        }
        _ => {}
    }
    Ok(())
}

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate, AppError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::internal("bad demo date"))
}

fn amount(text: &str, currency: &str) -> Result<Money, AppError> {
    Money::parse(text, currency).map_err(|e| AppError::internal(format!("demo amount: {e}")))
}

/// The pledges announced when the fund was launched (4 November 2010) and what was paid on
/// them, some in euros and Australian dollars at dated rates (units of USD per unit). This
/// month's Australian dollar rate values the 50,000 still outstanding; the euro has none, so
/// the fund status lists it among the currencies without a current rate.
fn load_money(
    conn: &mut DbConn,
    actor: &Actor,
    fund_id: &str,
    donors: &[(String, String)],
    max_rate_age: exchange::MaxRateAge,
) -> Result<(), AppError> {
    let launch = day(2010, 11, 4)?;
    let event = Some("Launch of the Trust Fund, General Assembly, New York".to_string());
    let today = crate::clock::today();
    let this_month = today.with_day(1).unwrap_or(today);
    for (currency, rate, from) in [
        ("EUR", "1.3500", day(2011, 2, 1)?),
        ("EUR", "1.4200", day(2011, 6, 1)?),
        ("AUD", "1.0000", day(2011, 3, 1)?),
        ("AUD", "1.0650", day(2011, 6, 1)?),
        ("AUD", "0.6550", this_month),
    ] {
        let new = NewExchangeRate {
            currency: Currency::parse(currency)
                .map_err(|e| AppError::internal(format!("demo currency: {e}")))?,
            base_currency: Currency::USD,
            rate: crate::money::parse_decimal(rate)
                .map_err(|e| AppError::internal(format!("demo rate: {e}")))?,
            valid_from: from,
        };
        exchange::create(conn, actor, &new)?;
    }
    let donor = |name: &str| -> Result<String, AppError> {
        donors
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, id)| id.clone())
            .ok_or_else(|| AppError::internal(format!("demo donor {name} missing")))
    };
    // (donor, pledge, due, earmark, payments: amount, received, bank reference)
    type Payment = (&'static str, NaiveDate, &'static str);
    type Plan = (
        &'static str,
        Money,
        Option<NaiveDate>,
        Option<String>,
        Vec<Payment>,
    );
    let plan: Vec<Plan> = vec![
        (
            "Russian Federation",
            amount("30000", "USD")?,
            Some(day(2011, 6, 30)?),
            None,
            vec![("15000", day(2011, 4, 12)?, "RU-MFA-2011-0412")],
        ),
        (
            // announced as about USD 40,000, pledged and paid in euros
            "Luxembourg",
            amount("30000", "EUR")?,
            Some(day(2011, 12, 31)?),
            Some("protection".to_string()),
            vec![("30000", day(2011, 2, 15)?, "LU-MAE-2011-17")],
        ),
        (
            "Australia",
            amount("200000", "AUD")?,
            Some(day(2012, 6, 30)?),
            // earmarked like Luxembourg's: the demo's grants draw on both before any
            // unrestricted money (see `earmarks`)
            Some("protection".to_string()),
            vec![
                ("100000", day(2011, 3, 10)?, "AU-DFAT-2011-031"),
                ("50000", day(2011, 6, 20)?, "AU-DFAT-2011-062"),
            ],
        ),
        (
            "A private donor",
            amount("10000", "USD")?,
            None,
            None,
            vec![("10000", day(2010, 12, 1)?, "PRIVATE-2010-12")],
        ),
    ];
    for (name, pledged, due_on, earmark, payments) in plan {
        let donor_id = donor(name)?;
        let pledge = donations::actions::record_pledge(
            conn,
            actor,
            fund_id,
            &NewPledge {
                donor_id: donor_id.clone(),
                amount: pledged,
                pledged_on: launch,
                event: event.clone(),
                earmark,
                due_on,
            },
            today,
        )?;
        for (paid, received_on, reference) in payments {
            donations::actions::record_contribution(
                conn,
                actor,
                fund_id,
                &NewContribution {
                    donor_id: donor_id.clone(),
                    pledge_id: Some(pledge.id.clone()),
                    amount: amount(paid, pledged.currency().code())?,
                    received_on,
                    reference: reference.to_string(),
                    exchange_rate: None,
                    earmark: None,
                },
                max_rate_age,
            )?;
        }
    }
    Ok(())
}

/// Reviews, a ranked call and a decided board session, with grants in every state the
/// demo can reach without outcome reports: awaiting signature, active with its first
/// instalment paid, suspended, terminated; plus a rejection and a deferral. Runs once.
fn load_board(
    pool: &DbPool,
    terms: crate::board::DecisionTerms,
    days_to_review: u32,
) -> Result<(), AppError> {
    use crate::applications::store::{ListFilter, Visibility};
    use crate::board::model::NewSession;
    use crate::board::model::{DecisionInput, Outcome};
    use crate::change;
    use crate::db::schema::{board_sessions, trustee_funds};
    use crate::grants::{GrantChange, rules::GrantAction, store::GrantRow};
    use crate::http::{Expected, PageParams};
    use crate::review::model::{Declaration, Recommendation, ReviewDraft};
    use crate::review::store::AssignmentRow;
    use crate::review::{Declare, SaveReview, SubmitReview};
    use diesel::prelude::*;

    let mut conn = pool.get()?;
    let actor = Actor::system();
    write_transaction(&mut conn, |conn| {
        let fund = funds::store::find_by_code(conn, DEMO_FUND_CODE)?
            .ok_or_else(|| AppError::internal("the demo fund is missing"))?;
        let held: i64 = board_sessions::table
            .filter(board_sessions::fund_id.eq(&fund.id))
            .count()
            .get_result(conn)?;
        if held > 0 {
            return Ok(());
        }
        let admin = demo_user(conn, "admin@trustfund.example")?;
        let finance = demo_user(conn, "finance@trustfund.example")?;
        let finance2 = demo_user(conn, "finance2@trustfund.example")?;
        let reviewer = demo_user(conn, "reviewer@trustfund.example")?;
        let trustees: Vec<String> = trustee_funds::table
            .filter(trustee_funds::fund_id.eq(&fund.id))
            .select(trustee_funds::user_id)
            .order(trustee_funds::user_id.asc())
            .load(conn)?;
        let page = PageParams {
            limit: Some(200),
            cursor: None,
        }
        .page()?;
        let mut under_review = crate::applications::store::list(
            conn,
            &Visibility::All,
            &ListFilter {
                status: Some(ApplicationStatus::UnderReview),
                ..ListFilter::default()
            },
            &page,
        )?;
        under_review.sort_by(|a, b| a.reference.cmp(&b.reference));
        let conflicted = trustees.last().cloned();

        // Reviews: the expert and the trustees score every application, except that the
        // third trustee declares a conflict on the last one (left undecided: without that
        // trustee the board lacks its quorum of three on it).
        for (i, app) in under_review.iter().enumerate() {
            let rubric = crate::review::store::call_rubric(conn, &app.call_id)?;
            let mut reviewers = vec![reviewer.clone()];
            for id in &trustees {
                reviewers.push(auth::load_current_user(conn, id)?);
            }
            for (k, assignee) in reviewers.iter().enumerate() {
                let recused =
                    i + 1 == under_review.len() && Some(&assignee.id) == conflicted.as_ref();
                let scores: std::collections::BTreeMap<String, serde_json::Value> = rubric
                    .iter()
                    .enumerate()
                    .map(|(c, criterion)| {
                        let base = 9 - i64::try_from(i).unwrap_or(0);
                        let wobble = i64::try_from((k + c) % 3).unwrap_or(0) - 1;
                        (
                            criterion.key.clone(),
                            (base + wobble)
                                .clamp(0, i64::from(criterion.max_score))
                                .into(),
                        )
                    })
                    .collect();
                let due = crate::review::Due {
                    given: None,
                    days: days_to_review,
                };
                let assignment =
                    crate::review::assign(conn, &actor, &admin, &app.id, &assignee.id, due)?;
                let declaration = Declare(Declaration {
                    has_conflict: recused,
                    statement: recused
                        .then(|| "I advised this organisation last year.".to_string()),
                });
                change::apply::<AssignmentRow, _>(
                    conn,
                    &actor,
                    assignee,
                    &AssignmentId::from_stored(&assignment.id),
                    Expected::Any,
                    &declaration,
                )?;
                if recused {
                    continue;
                }
                let comment = "Clear plan; realistic budget.".to_string();
                let review = SaveReview {
                    draft: ReviewDraft {
                        scores,
                        comment: comment.clone(),
                        recommendation: Some(if i < 4 {
                            Recommendation::Fund
                        } else {
                            Recommendation::DoNotFund
                        }),
                    },
                    comment,
                };
                change::apply::<AssignmentRow, _>(
                    conn,
                    &actor,
                    assignee,
                    &AssignmentId::from_stored(&assignment.id),
                    Expected::Any,
                    &review,
                )?;
                change::apply::<AssignmentRow, _>(
                    conn,
                    &actor,
                    assignee,
                    &AssignmentId::from_stored(&assignment.id),
                    Expected::Any,
                    &SubmitReview,
                )?;
            }
        }

        // A session of the three trustees decides the five best-ranked applications and
        // leaves the rest on the ranking.
        let session = crate::board::hold_session(
            conn,
            &actor,
            &admin,
            &fund.id,
            &NewSession {
                held_on: crate::clock::today(),
                trustee_ids: trustees.clone(),
            },
        )?;
        let mut decided = Vec::new();
        let outcomes = [
            Outcome::Approved,
            Outcome::Approved,
            Outcome::Approved,
            Outcome::Approved,
            Outcome::Approved,
            Outcome::Deferred,
            Outcome::Rejected,
        ];
        for (app, outcome) in under_review.iter().zip(outcomes) {
            let requested = app.requested_amount.clone();
            let flagged = crate::applications::overlaps::store::open_count(conn, &app.id)? > 0;
            let decision = crate::board::record_decision(
                conn,
                &actor,
                &admin,
                &session.id,
                &DecisionInput {
                    application_id: app.id.clone(),
                    outcome,
                    approved_amount: (outcome == Outcome::Approved).then(|| {
                        crate::money::AmountInput {
                            amount: requested
                                .as_deref()
                                .and_then(|r| crate::money::parse_decimal(r).ok())
                                .unwrap_or_default(),
                            currency: None,
                        }
                    }),
                    instalments: None,
                    conditions: (outcome == Outcome::Approved)
                        .then(|| "Quarterly financial updates to the secretariat.".to_string()),
                    rationale: match outcome {
                        Outcome::Approved => "Ranked above the funding line.",
                        Outcome::Deferred => "Good, but below the funding line: reserve list.",
                        Outcome::Rejected => "Overlaps with a project already funded.",
                    }
                    .to_string(),
                    // an approval says how the registry's open flags were weighed, if any
                    overlap_weighing: (outcome == Outcome::Approved && flagged).then(|| {
                        "Checked against the registry's flagged projects: other places and people, no double funding.".to_string()
                    }),
                },
                terms,
            )?;
            decided.push(decision);
        }

        // Grants in every state: active and paid with an accepted interim report, suspended,
        // terminated, awaiting signature, and closed after its accepted final report.
        let grants: Vec<String> = decided.iter().filter_map(|d| d.grant_id.clone()).collect();
        for (n, grant_id) in grants.iter().enumerate() {
            if n == 3 {
                continue; // left awaiting the grantee's signature
            }
            let grantee = crate::grants::store::find(conn, grant_id)?
                .ok_or_else(|| AppError::internal("demo grant missing"))?;
            let signer = auth::CurrentUser {
                id: admin.id.clone(),
                email: admin.email.clone(),
                role: Role::Ngo,
                organisation_id: Some(grantee.organisation_id.clone()),
                fund_ids: Vec::new(),
            };
            change::apply::<GrantRow, _>(
                conn,
                &actor,
                &signer,
                &GrantId::from_stored(grant_id),
                Expected::Any,
                &GrantChange::sign(signer.clone()),
            )?;
            let plan = crate::grants::store::instalments(conn, grant_id)?;
            let first = plan
                .first()
                .ok_or_else(|| AppError::internal("demo grant without instalments"))?;
            let requested = crate::disbursements::request(
                conn,
                &actor,
                &finance,
                grant_id,
                &crate::disbursements::model::CreateDisbursement {
                    instalment_id: first.id.clone(),
                    amount: crate::money::AmountInput {
                        amount: Money::from_minor(first.amount_minor, Currency::USD).amount(),
                        currency: None,
                    },
                },
            )?;
            use crate::disbursements::{Approve, Pay, store::DisbursementRow};
            change::apply::<DisbursementRow, _>(
                conn,
                &actor,
                &finance2,
                &DisbursementId::from_stored(&requested.id),
                Expected::Any,
                &Approve {
                    approver: finance2.clone(),
                },
            )?;
            change::apply::<DisbursementRow, _>(
                conn,
                &actor,
                &finance2,
                &DisbursementId::from_stored(&requested.id),
                Expected::Any,
                &Pay {
                    payer: finance2.id.clone(),
                    paid_on: crate::clock::today(),
                    reference: format!("DEMO-WIRE-{}", n + 1),
                },
            )?;
            match n {
                0 => demo_report(conn, &actor, &admin, grant_id, ReportKind::Interim)?,
                4 => {
                    demo_report(conn, &actor, &admin, grant_id, ReportKind::Final)?;
                    change::apply::<GrantRow, _>(
                        conn,
                        &actor,
                        &admin,
                        &GrantId::from_stored(grant_id),
                        Expected::Any,
                        &GrantChange::manage(
                            GrantAction::Close,
                            admin.clone(),
                            "Final report accepted; the rest of the grant was not needed.".into(),
                        ),
                    )?;
                }
                1 => {
                    change::apply::<GrantRow, _>(
                        conn,
                        &actor,
                        &admin,
                        &GrantId::from_stored(grant_id),
                        Expected::Any,
                        &GrantChange::manage(
                            GrantAction::Suspend,
                            admin.clone(),
                            "Audit of the partner's accounts pending.".into(),
                        ),
                    )?;
                }
                2 => {
                    change::apply::<GrantRow, _>(
                        conn,
                        &actor,
                        &admin,
                        &GrantId::from_stored(grant_id),
                        Expected::Any,
                        &GrantChange::manage(
                            GrantAction::Terminate,
                            admin.clone(),
                            "The partner closed its shelter.".into(),
                        ),
                    )?;
                }
                _ => {}
            }
        }
        tracing::info!(
            fund = DEMO_FUND_CODE,
            "demo board, reviews and grants loaded"
        );
        Ok(())
    })
}

/// An outcome report of the grant, submitted and accepted (an interim one's narrative also
/// cleared for donors): counts only, never anyone's personal data.
fn demo_report(
    conn: &mut DbConn,
    actor: &Actor,
    admin: &auth::CurrentUser,
    grant_id: &str,
    kind: ReportKind,
) -> Result<(), AppError> {
    use crate::reports::model::NewReport;
    use crate::reports::store::ReportRow;
    use crate::taxonomy::{AgeGroup, Exploitation, Sex};

    let grant = crate::grants::store::find(conn, grant_id)?
        .ok_or_else(|| AppError::internal("demo grant missing"))?;
    let categories = crate::reports::store::budget_categories(conn, &grant.application_id)?;
    let category = categories
        .first()
        .cloned()
        .ok_or_else(|| AppError::internal("demo application without budget lines"))?;
    let paid = crate::grants::store::money(conn, grant_id)?.paid;
    let today = crate::clock::today();
    let report = NewReport {
        kind,
        period_start: grant.starts_on,
        period_end: today,
        narrative: "Survivors were sheltered, cared for and helped through their cases.".into(),
        // the grant's only report: everyone it counts was first assisted in its period
        people_reached_to_date: 32,
        beneficiaries: vec![
            (Sex::Female, AgeGroup::Adult, Exploitation::Sexual, 14),
            (Sex::Female, AgeGroup::Child, Exploitation::Sexual, 6),
            (Sex::Male, AgeGroup::Adult, Exploitation::ForcedLabour, 9),
            (
                Sex::Female,
                AgeGroup::Adult,
                Exploitation::DomesticServitude,
                3,
            ),
        ],
        services: vec![("shelter".into(), 23), ("legal-aid".into(), 11)],
        indicators: vec![("survivors assisted".into(), "30".into(), "32".into())],
        expenditure: vec![(category, Money::from_minor(paid * 8 / 10, Currency::USD))],
    };
    // the grantee's member, as the grant's signer is
    let grantee = auth::CurrentUser {
        role: Role::Ngo,
        organisation_id: Some(grant.organisation_id.clone()),
        fund_ids: Vec::new(),
        ..admin.clone()
    };
    let submitted = crate::reports::submit(conn, actor, &grantee, grant_id, |_, _| Ok(report))?;
    crate::change::apply::<ReportRow, _>(
        conn,
        actor,
        admin,
        &ReportId::from_stored(&submitted.id),
        crate::http::Expected::Any,
        &crate::reports::Review {
            outcome: crate::reports::model::ReportStatus::Accepted,
            comment: Some("Thank you: clear figures and a frank narrative.".into()),
            reviewer: admin.id.clone(),
        },
    )?;
    // the interim report's narrative (Lagos) is cleared for donors and the yearly report;
    // the final one (the protected grantee's) still waits, so the demo shows donors both a
    // report with its text and one with figures only
    if kind == ReportKind::Interim {
        crate::change::apply::<ReportRow, _>(
            conn,
            actor,
            admin,
            &ReportId::from_stored(&submitted.id),
            crate::http::Expected::Any,
            &crate::reports::ClearNarrative {
                by: admin.id.clone(),
            },
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_has_a_demo_account_with_an_acceptable_password() {
        for role in Role::ALL {
            assert!(DEMO_ACCOUNTS.iter().any(|a| a.role == *role), "{role:?}");
        }
        assert_eq!(
            DEMO_ACCOUNTS
                .iter()
                .filter(|a| a.role == Role::Finance)
                .count(),
            2
        );
        for a in DEMO_ACCOUNTS {
            assert!(
                auth::password::check_strength("password", a.password, a.email).is_empty(),
                "{}",
                a.email
            );
            assert!(auth::looks_like_email(a.email));
        }
    }
}
