//! Demo data modelled on the fund's public record, so a newcomer sees real figures at once.
//! Loading is idempotent: a second `serve --demo` finds the fund and adds nothing.

use rust_decimal::Decimal;

use crate::applications::model::ApplicationStatus;
use crate::audit::{self, Actor, Change};
use crate::db::{DbPool, write_transaction};
use crate::error::AppError;
use crate::funds::{self, model::NewFund};
use crate::money::{Currency, Money};
use crate::organisations::{
    self,
    model::{NewOrganisation, OrgKind},
};

pub const DEMO_FUND_CODE: &str = "UNVTF";

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

pub fn load(pool: &DbPool) -> Result<(), AppError> {
    let mut conn = pool.get()?;
    let actor = Actor::system();
    write_transaction(&mut conn, |conn| {
        if funds::store::find_by_code(conn, DEMO_FUND_CODE)?.is_some() {
            tracing::info!("demo data already present");
            return Ok(());
        }
        let fund = funds::store::insert(
            conn,
            &NewFund {
                code: DEMO_FUND_CODE.to_string(),
                name: "United Nations Voluntary Trust Fund for Victims of Trafficking in Persons, Especially Women and Children".to_string(),
                base_currency: Currency::USD,
                support_cost_rate: Decimal::new(13, 2),
                board_quorum: 3,
            },
        )?
        .into_view()?;
        audit::record(
            conn,
            &actor,
            Change::<(), _> {
                entity: "fund",
                entity_id: &fund.id,
                action: "create",
                before: None,
                after: Some(&fund),
            },
        )?;
        for org in DEMO_ORGANISATIONS {
            let view = organisations::store::insert(
                conn,
                &NewOrganisation {
                    name: org.name.to_string(),
                    kind: org.kind,
                    country: org.country.to_string(),
                    identifier: org.identifier.map(str::to_string),
                    verified: true,
                },
            )?
            .into_view()?;
            audit::record(
                conn,
                &actor,
                Change::<(), _> {
                    entity: "organisation",
                    entity_id: &view.id,
                    action: "create",
                    before: None,
                    after: Some(&view),
                },
            )?;
        }
        calls_and_applications(conn, &actor, &fund.id, &fund.code)?;
        tracing::info!(fund = DEMO_FUND_CODE, "demo data loaded");
        Ok(())
    })
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
];

/// An open call for emergency grants (up to USD 20,000 for eight months), a medium-term
/// call still in preparation, NGOs, and applications in different states.
fn calls_and_applications(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    fund_id: &str,
    fund_code: &str,
) -> Result<(), AppError> {
    use crate::calls::model::{CallStatus, Criterion, NewCall, Weight, stored_time};
    use chrono::{Duration, Utc};

    let now = stored_time(Utc::now());
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
    let call = crate::calls::store::insert(conn, fund_id, emergency, now)?;
    let opened = crate::calls::model::Call {
        status: CallStatus::Open,
        version: 2,
        ..call.clone()
    };
    crate::calls::store::replace(conn, call.version, &opened)?;
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
    let medium = crate::calls::store::insert(conn, fund_id, medium, now)?;
    for call in [&opened, &medium] {
        audit::record(
            conn,
            actor,
            Change::<(), _> {
                entity: "call",
                entity_id: &call.id,
                action: "create",
                before: None,
                after: Some(&call.view(now)),
            },
        )?;
    }

    for demo in DEMO_APPLICATIONS {
        let org = organisations::store::insert(
            conn,
            &NewOrganisation {
                name: demo.organisation.to_string(),
                kind: OrgKind::Ngo,
                country: demo.country.to_string(),
                identifier: None,
                verified: true,
            },
        )?
        .into_view()?;
        audit::record(
            conn,
            actor,
            Change::<(), _> {
                entity: "organisation",
                entity_id: &org.id,
                action: "create",
                before: None,
                after: Some(&org),
            },
        )?;
        demo_application(conn, actor, &opened, fund_code, &org.id, demo, now)?;
    }
    Ok(())
}

fn demo_application(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    call: &crate::calls::model::Call,
    fund_code: &str,
    organisation_id: &str,
    demo: &DemoApplication,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    use crate::applications::model::{BeneficiaryCount, BudgetLine, Content};
    use crate::applications::store::{self, Application, NewDraft, Screening};
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
    let draft = store::insert_draft(
        conn,
        NewDraft {
            call_id: &call.id,
            fund_id: &call.fund_id,
            organisation_id,
            currency: Currency::USD,
            created_by: None,
            content,
            now,
        },
    )?;
    audit::record(
        conn,
        actor,
        Change::<(), _> {
            entity: "application",
            entity_id: &draft.id,
            action: "create",
            before: None,
            after: Some(&draft.view(&[])),
        },
    )?;
    if demo.state == ApplicationStatus::Draft {
        return Ok(());
    }
    let submitted = Application {
        status: ApplicationStatus::Submitted,
        reference: Some(store::next_reference(conn, &call.fund_id, fund_code, now)?),
        submitted_at: Some(now),
        version: draft.version + 1,
        ..draft.clone()
    };
    store::insert_revision(conn, &draft.id, 1, &submitted.view(&[]), None, now)?;
    let mut next = submitted.clone();
    match demo.state {
        ApplicationStatus::UnderReview | ApplicationStatus::Ineligible => {
            let eligible = demo.state == ApplicationStatus::UnderReview;
            next.status = demo.state;
            next.screening = Some(Screening {
                eligible,
                notes: if eligible {
                    "Complete and eligible.".into()
                } else {
                    "The organisation could not show its registration as a non-profit body.".into()
                },
                screened_at: now,
            });
        }
        ApplicationStatus::Withdrawn => {
            next.status = ApplicationStatus::Withdrawn;
            next.withdrawn_at = Some(now);
        }
        _ => {}
    }
    store::save(conn, &draft, &next)?;
    audit::record(
        conn,
        actor,
        Change {
            entity: "application",
            entity_id: &next.id,
            action: "submit",
            before: Some(&draft.view(&[])),
            after: Some(&next.view(&[])),
        },
    )?;
    Ok(())
}
