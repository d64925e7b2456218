//! Demo data modelled on the fund's public record, so a newcomer sees real figures at once,
//! and one account per role with a published password (refused in production).
//! Loading is idempotent: a second `serve --demo` finds the fund and accounts and adds nothing.

use rust_decimal::Decimal;

use chrono::NaiveDate;

use crate::audit::{self, Actor, Change};
use crate::auth::{self, Role};
use crate::db::{DbConn, DbPool, write_transaction};
use crate::donations::{
    self,
    model::{NewContribution, NewPledge},
};
use crate::error::AppError;
use crate::exchange::{self, model::NewExchangeRate};
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
        let mut donors = Vec::new();
        for org in DEMO_ORGANISATIONS {
            let id = create_organisation(conn, &actor, org)?;
            donors.push((org.name.to_string(), id));
        }
        load_money(conn, &actor, &fund.id, &donors)?;
        tracing::info!(fund = DEMO_FUND_CODE, "demo data loaded");
        Ok(())
    })
}

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate, AppError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| AppError::internal("bad demo date"))
}

fn amount(text: &str, currency: &str) -> Result<Money, AppError> {
    Money::parse(text, currency).map_err(|e| AppError::internal(format!("demo amount: {e}")))
}

/// The pledges announced when the fund was launched (4 November 2010) and what was paid on
/// them, some in euros and Australian dollars at dated rates (units of USD per unit).
fn load_money(
    conn: &mut DbConn,
    actor: &Actor,
    fund_id: &str,
    donors: &[(String, String)],
) -> Result<(), AppError> {
    let launch = day(2010, 11, 4)?;
    let event = Some("Launch of the Trust Fund, General Assembly, New York".to_string());
    for (currency, rate, from) in [
        ("EUR", "1.3500", day(2011, 2, 1)?),
        ("EUR", "1.4200", day(2011, 6, 1)?),
        ("AUD", "1.0000", day(2011, 3, 1)?),
        ("AUD", "1.0650", day(2011, 6, 1)?),
    ] {
        let new = NewExchangeRate {
            currency: Currency::parse(currency)
                .map_err(|e| AppError::internal(format!("demo currency: {e}")))?,
            base_currency: Currency::USD,
            rate: crate::money::parse_decimal(rate)
                .map_err(|e| AppError::internal(format!("demo rate: {e}")))?,
            valid_from: from,
        };
        let view = exchange::store::insert(conn, &new, None)?.into_view()?;
        audit::record(
            conn,
            actor,
            Change::<(), _> {
                entity: "exchange_rate",
                entity_id: &view.id,
                action: "create",
                before: None,
                after: Some(&view),
            },
        )?;
    }
    let today = crate::ledger::today();
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
            Some("protection.reintegration".to_string()),
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
                },
            )?;
        }
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
