//! Demo data modelled on the fund's public record, so a newcomer sees real figures at once,
//! and one account per role with a published password (refused in production).
//! Loading is idempotent: a second `serve --demo` finds the fund and accounts and adds nothing.

use rust_decimal::Decimal;

use crate::audit::{self, Actor, Change};
use crate::auth::{self, Role};
use crate::db::{DbPool, write_transaction};
use crate::error::AppError;
use crate::funds::{self, model::NewFund};
use crate::money::Currency;
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

/// A grass-roots NGO the demo ngo account belongs to.
const DEMO_NGO: DemoOrg = DemoOrg {
    name: "Hope Shelter Network (demo)",
    kind: OrgKind::Ngo,
    country: "NG",
    identifier: Some("NG-CAC-7700001"),
};

/// The donor organisation the demo donor account belongs to (one of `DEMO_ORGANISATIONS`).
const DEMO_DONOR_IDENTIFIER: &str = "XM-DAC-22";

/// A demo account and its password, printed by `serve --demo`.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub role: Role,
    pub email: &'static str,
    pub password: &'static str,
    pub note: &'static str,
}

/// One account per role; two finance officers, because a disbursement is approved by a
/// finance officer other than the one who requested it.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        role: Role::Admin,
        email: "admin@trustfund.example",
        password: "amber harbour lantern 41",
        note: "fund secretariat",
    },
    DemoAccount {
        role: Role::Finance,
        email: "finance@trustfund.example",
        password: "copper meadow violin 52",
        note: "finance officer",
    },
    DemoAccount {
        role: Role::Finance,
        email: "finance2@trustfund.example",
        password: "silver orchard compass 63",
        note: "second finance officer (approves the first one's requests)",
    },
    DemoAccount {
        role: Role::Trustee,
        email: "trustee@trustfund.example",
        password: "granite willow beacon 74",
        note: "board of trustees of UNVTF",
    },
    DemoAccount {
        role: Role::Reviewer,
        email: "reviewer@trustfund.example",
        password: "cobalt river lantern 85",
        note: "external expert",
    },
    DemoAccount {
        role: Role::Ngo,
        email: "ngo@hope-shelter.example",
        password: "saffron bridge meadow 96",
        note: "member of Hope Shelter Network (demo)",
    },
    DemoAccount {
        role: Role::Donor,
        email: "donor@luxembourg.example",
        password: "indigo harbour violin 17",
        note: "member of the donor Luxembourg",
    },
];

/// Loads the demo data and accounts; returns the accounts to print.
pub fn load(pool: &DbPool) -> Result<Vec<DemoAccount>, AppError> {
    load_data(pool)?;
    load_accounts(pool)?;
    Ok(DEMO_ACCOUNTS.to_vec())
}

fn create_organisation(
    conn: &mut crate::db::DbConn,
    actor: &Actor,
    org: &DemoOrg,
) -> Result<String, AppError> {
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
        actor,
        Change::<(), _> {
            entity: "organisation",
            entity_id: &view.id,
            action: "create",
            before: None,
            after: Some(&view),
        },
    )?;
    Ok(view.id)
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
        for account in DEMO_ACCOUNTS {
            if auth::store::find_by_email(conn, account.email)?.is_some() {
                continue;
            }
            let organisation_id = match account.role {
                Role::Ngo => Some(ngo.clone()),
                Role::Donor => donor.clone(),
                _ => None,
            };
            let hash = auth::password::hash(account.password).map_err(AppError::internal)?;
            let user = auth::store::insert(
                conn,
                auth::store::NewUser {
                    email: account.email,
                    display_name: account.note,
                    password_hash: &hash,
                    role: account.role,
                    organisation_id: organisation_id.as_deref(),
                    email_verified: true,
                },
            )?;
            if account.role == Role::Trustee {
                auth::store::add_fund(conn, &user.id, &fund.id)?;
            }
            audit::record(
                conn,
                &actor,
                Change::<(), _> {
                    entity: "user",
                    entity_id: &user.id,
                    action: "create",
                    before: None,
                    after: Some(
                        &serde_json::json!({"email": user.email, "role": user.role, "demo": true}),
                    ),
                },
            )?;
        }
        Ok(())
    })
}

fn load_data(pool: &DbPool) -> Result<(), AppError> {
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
            create_organisation(conn, &actor, org)?;
        }
        tracing::info!(fund = DEMO_FUND_CODE, "demo data loaded");
        Ok(())
    })
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
