//! Demo data modelled on the fund's public record, so a newcomer sees real figures at once.
//! Loading is idempotent: a second `serve --demo` finds the fund and adds nothing.

use rust_decimal::Decimal;

use crate::audit::{self, Actor, Change};
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
        tracing::info!(fund = DEMO_FUND_CODE, "demo data loaded");
        Ok(())
    })
}
