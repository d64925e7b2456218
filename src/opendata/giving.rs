//! The fund's grants as a 360Giving data package, written as a stream: one grant object at
//! a time into the `grants` array. Amounts are JSON numbers, as the standard requires,
//! written from the exact decimal (never through a float).

use std::io::{self, Write};

use chrono::{NaiveDate, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::value::RawValue;

use super::rules;
use super::store::{self, GrantRecord};
use super::{datetime, for_each_row};
use crate::db::DbConn;
use crate::funds::store::FundRow;
use crate::ledger::rules::EntryKind;
use crate::money::{Currency, Money};

/// The data standard's version the package follows.
const VERSION: &str = "1.4";
const LICENSE: &str = "https://creativecommons.org/licenses/by/4.0/";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Grant<'a> {
    id: String,
    title: &'a str,
    description: &'a str,
    currency: &'a str,
    amount_awarded: Box<RawValue>,
    amount_disbursed: Box<RawValue>,
    award_date: String,
    planned_dates: [Event; 1],
    recipient_organization: [Organization<'a>; 1],
    funding_organization: [Organization<'a>; 1],
    grant_programme: [Programme<'a>; 1],
    beneficiary_location: Vec<Location<'a>>,
    date_modified: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Event {
    start_date: String,
    end_date: String,
    duration: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Organization<'a> {
    id: String,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    address_country: Option<&'a str>,
}

#[derive(Serialize)]
struct Programme<'a> {
    code: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    country_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'static str>,
}

#[derive(Serialize)]
struct Publisher<'a> {
    identifier: &'a str,
    name: &'a str,
}

/// The package's fields after the grants.
#[derive(Serialize)]
struct Metadata<'a> {
    version: &'static str,
    title: String,
    description: String,
    issued: String,
    modified: String,
    identifier: String,
    publisher: Publisher<'a>,
    license: &'static str,
}

/// An exact decimal as a JSON number.
fn number(minor: i64, currency: Currency) -> io::Result<Box<RawValue>> {
    let text = Money::from_minor(minor, currency).amount().to_string();
    RawValue::from_string(text).map_err(io::Error::other)
}

/// Writes the package. The fund must have at least one grant: the standard requires one.
pub fn write<W: Write>(
    conn: &mut DbConn,
    fund: &FundRow,
    identifier: &str,
    today: NaiveDate,
    mut out: W,
) -> io::Result<W> {
    out.write_all(b"{\"grants\":[")?;
    let mut first = true;
    for_each_row(
        conn,
        |conn, after, limit| store::grants_page(conn, &fund.id, after, limit),
        |grant| &grant.id,
        |grant| {
            if !first {
                out.write_all(b",\n")?;
            }
            first = false;
            serde_json::to_writer(&mut out, &grant_of(fund, identifier, grant, today)?)?;
            Ok(())
        },
    )?;
    out.write_all(b"]")?;
    let now = Utc::now();
    let metadata = Metadata {
        version: VERSION,
        title: format!("Grants of {}", fund.name),
        description: format!(
            "Every grant of {} ({}), with the amounts awarded and paid so far.",
            fund.name, fund.code
        ),
        issued: today.to_string(),
        modified: now.to_rfc3339_opts(SecondsFormat::Secs, true),
        identifier: format!("{}{identifier}-{}", rules::GIVING_PREFIX, fund.code),
        publisher: Publisher {
            identifier,
            name: &fund.name,
        },
        license: LICENSE,
    };
    // the package's other fields, after the (possibly huge) grants array
    if let serde_json::Value::Object(fields) = serde_json::to_value(&metadata)? {
        for (key, value) in &fields {
            out.write_all(b",")?;
            serde_json::to_writer(&mut out, key)?;
            out.write_all(b":")?;
            serde_json::to_writer(&mut out, value)?;
        }
    }
    out.write_all(b"}\n")?;
    Ok(out)
}

fn grant_of<'a>(
    fund: &'a FundRow,
    identifier: &str,
    grant: &'a GrantRecord,
    today: NaiveDate,
) -> io::Result<Grant<'a>> {
    let currency = Currency::parse(&grant.currency).map_err(io::Error::other)?;
    // paid out minus refunded, as the ledger has it up to today
    let disbursed: i64 = grant
        .money
        .iter()
        .filter(|e| rules::not_in_future(e.value_date, today))
        .map(|e| match e.kind {
            EntryKind::Disbursement => e.amount_minor,
            EntryKind::Refund => -e.amount_minor.abs(),
            _ => 0,
        })
        .sum();
    let recipient_id = grant
        .grantee
        .identifier
        .clone()
        .unwrap_or_else(|| rules::giving_org_id(identifier, &grant.grantee.id));
    Ok(Grant {
        id: rules::giving_grant_id(identifier, &grant.reference),
        title: &grant.title,
        description: &grant.summary,
        currency: &grant.currency,
        amount_awarded: number(grant.amount_minor, currency)?,
        amount_disbursed: number(disbursed, currency)?,
        award_date: rules::award_date(
            grant
                .money
                .iter()
                .map(|e| (e.kind, e.amount_minor, e.value_date)),
            grant.awarded_at.date(),
        )
        .to_string(),
        planned_dates: [Event {
            start_date: grant.starts_on.to_string(),
            end_date: grant.ends_on.to_string(),
            duration: rules::duration_months(grant.starts_on, grant.ends_on),
        }],
        recipient_organization: [Organization {
            id: recipient_id,
            name: &grant.grantee.name,
            address_country: Some(&grant.grantee.country),
        }],
        funding_organization: [Organization {
            id: identifier.to_string(),
            name: &fund.name,
            address_country: None,
        }],
        grant_programme: [Programme {
            code: &grant.call_id,
            title: &grant.call_title,
        }],
        beneficiary_location: grant
            .countries
            .iter()
            .map(|c| Location {
                country_code: c,
                name: isocountry::CountryCode::for_alpha2(c)
                    .ok()
                    .map(|code| code.name()),
            })
            .collect(),
        date_modified: datetime(grant.updated_at),
    })
}
