//! The fund's grants as IATI 2.03 activities, written as a stream.
//!
//! The fund is the parent activity (hierarchy 1): it carries the donors' incoming pledges
//! (13) and incoming funds (1). Each grant is a child (hierarchy 2) that carries its
//! outgoing commitment (2) and disbursements (3); parent and children link to each other
//! with `related-activity` (2 = child, 1 = parent), so money can be traced from donor to
//! grantee without counting it twice. Elements follow the order of the schema.

use std::io::{self, Write};

use chrono::{NaiveDate, SecondsFormat, Utc};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use rust_decimal::Decimal;

use super::rules::{self, BudgetPeriod};
use super::store::{self, GrantRecord, MoneyRecord, OrgRecord, ResultRecord};
use super::{datetime, db, for_each_row};
use crate::db::DbConn;
use crate::funds::store::FundRow;
use crate::grants::model::GrantStatus;
use crate::ledger::rules::EntryKind;
use crate::money::{Currency, Money};

/// What the export says of an organisation: a reference and a type when it may be named.
struct Party {
    reference: Option<String>,
    kind: Option<&'static str>,
    name: String,
}

impl Party {
    /// A donor: unnamed when it asked to be listed anonymously.
    fn donor(org: &OrgRecord) -> Party {
        if org.listed_anonymously {
            return Party::anonymous("Anonymous donor");
        }
        Party::named(org)
    }

    /// A grantee: unnamed when the fund protects it (a donor's anonymity says nothing here).
    fn grantee(org: &OrgRecord) -> Party {
        if org.protected {
            return Party::anonymous(rules::WITHHELD_RECIPIENT);
        }
        Party::named(org)
    }

    fn named(org: &OrgRecord) -> Party {
        Party {
            reference: org.identifier.clone(),
            kind: Some(rules::organisation_type(org.kind)),
            name: org.name.clone(),
        }
    }

    fn anonymous(name: &str) -> Party {
        Party {
            reference: None,
            kind: None,
            name: name.to_string(),
        }
    }
}

/// The publishing fund, as every activity names it.
pub struct Publisher<'a> {
    pub fund: &'a FundRow,
    pub identifier: &'a str,
    pub parent_id: String,
}

impl<'a> Publisher<'a> {
    pub fn new(fund: &'a FundRow, identifier: &'a str) -> Self {
        Publisher {
            fund,
            identifier,
            parent_id: rules::fund_activity_id(identifier, &fund.code),
        }
    }

    fn party(&self) -> Party {
        Party {
            reference: Some(self.identifier.to_string()),
            kind: Some(known_type(&self.fund.organisation_type)),
            name: self.fund.name.clone(),
        }
    }
}

/// The fund's organisation type as one of the codes it was validated against.
fn known_type(code: &str) -> &'static str {
    crate::funds::model::IATI_ORGANISATION_TYPES
        .iter()
        .find(|c| **c == code)
        .copied()
        .unwrap_or("90")
}

/// Writes the whole file: the fund's activity, then one activity per grant, page by page.
pub fn write<W: Write>(
    conn: &mut DbConn,
    publisher: &Publisher<'_>,
    today: NaiveDate,
    out: W,
) -> io::Result<W> {
    let mut w = Writer::new(out);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let generated = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
    w.create_element("iati-activities")
        .with_attribute(("version", "2.03"))
        .with_attribute(("generated-datetime", generated.as_str()))
        .write_inner_content(|w| {
            fund_activity(w, conn, publisher, today)?;
            let fund_id = &publisher.fund.id;
            for_each_row(
                conn,
                |conn, after, limit| store::grants_page(conn, fund_id, after, limit),
                |grant| &grant.id,
                |grant| grant_activity(w, publisher, grant, today),
            )
        })?;
    Ok(w.into_inner())
}

/// The parent activity: the fund, its donors and the money they pledged and gave.
fn fund_activity<W: Write>(
    w: &mut Writer<W>,
    conn: &mut DbConn,
    publisher: &Publisher<'_>,
    today: NaiveDate,
) -> io::Result<()> {
    let fund = publisher.fund;
    let donors = db(store::donors(conn, &fund.id))?;
    let updated = datetime(fund.updated_at);
    // the fund started with its first money in, or when it was set up here
    let first_money = db(store::first_money_in(conn, &fund.id))?;
    let started = first_money
        .map_or(fund.created_at.date(), |d| d.min(fund.created_at.date()))
        .min(today);
    w.create_element("iati-activity")
        .with_attribute(("last-updated-datetime", updated.as_str()))
        .with_attribute(("xml:lang", "en"))
        .with_attribute(("default-currency", fund.base_currency.as_str()))
        .with_attribute(("hierarchy", "1"))
        .write_inner_content(|w| {
            text_element(w, "iati-identifier", &publisher.parent_id)?;
            reporting_org(w, publisher)?;
            narrative_element(w, "title", &fund.name)?;
            description(
                w,
                &format!(
                    "{}: a voluntary trust fund. Donors' pledges and contributions come in \
                     here; each grant to a grass-roots organisation is a child activity.",
                    fund.name
                ),
            )?;
            for donor in donors.iter().filter(|d| !d.listed_anonymously) {
                org_element(
                    w,
                    "participating-org",
                    &Party::donor(donor),
                    &[("role", "1")],
                )?;
            }
            if donors.iter().any(|d| d.listed_anonymously) {
                let party = Party::anonymous("Anonymous donors");
                org_element(w, "participating-org", &party, &[("role", "1")])?;
            }
            org_element(w, "participating-org", &publisher.party(), &[("role", "3")])?;
            empty(w, "activity-status", &[("code", "2")])?;
            let started = started.to_string();
            empty(w, "activity-date", &[("type", "2"), ("iso-date", &started)])?;
            dac_sector(w)?;
            sdg_tags(w)?;
            // money in, oldest first: incoming pledges (13) and incoming funds (1)
            let by_id: std::collections::HashMap<&str, &OrgRecord> =
                donors.iter().map(|d| (d.id.as_str(), d)).collect();
            for_each_row(
                conn,
                |conn, after, limit| store::money_in_page(conn, &fund.id, today, after, limit),
                |entry| &entry.id,
                |entry| {
                    let code = if entry.kind == EntryKind::Pledge {
                        "13"
                    } else {
                        "1"
                    };
                    let provider = entry
                        .donor_id
                        .as_deref()
                        .and_then(|d| by_id.get(d))
                        .map(|d| Party::donor(d));
                    let provider = provider.as_ref().map(|p| (p, None));
                    transaction(w, code, entry, entry.amount_minor, None, provider, None)
                },
            )?;
            // the children
            for_each_row(
                conn,
                |conn, after, limit| store::grant_references_page(conn, &fund.id, after, limit),
                |(id, _)| id,
                |(_, reference)| {
                    let child = rules::grant_activity_id(publisher.identifier, reference);
                    empty(w, "related-activity", &[("ref", &child), ("type", "2")])
                },
            )
        })?;
    Ok(())
}

/// A child activity: one grant.
fn grant_activity<W: Write>(
    w: &mut Writer<W>,
    publisher: &Publisher<'_>,
    grant: &GrantRecord,
    today: NaiveDate,
) -> io::Result<()> {
    let status = grant.status;
    let currency = Currency::parse(&grant.currency).map_err(io::Error::other)?;
    let id = rules::grant_activity_id(publisher.identifier, &grant.reference);
    let updated = datetime(grant.updated_at);
    w.create_element("iati-activity")
        .with_attribute(("last-updated-datetime", updated.as_str()))
        .with_attribute(("xml:lang", "en"))
        .with_attribute(("default-currency", grant.currency.as_str()))
        .with_attribute(("hierarchy", "2"))
        .write_inner_content(|w| {
            text_element(w, "iati-identifier", &id)?;
            reporting_org(w, publisher)?;
            narrative_element(w, "title", &grant.title)?;
            description(w, &grant.summary)?;
            org_element(
                w,
                "participating-org",
                &publisher.party(),
                &[("role", "1"), ("activity-id", &publisher.parent_id)],
            )?;
            let grantee = Party::grantee(&grant.grantee);
            org_element(w, "participating-org", &grantee, &[("role", "4")])?;
            empty(
                w,
                "activity-status",
                &[("code", rules::activity_status(status))],
            )?;
            activity_dates(w, grant, status, today)?;
            for (country, share) in grant
                .countries
                .iter()
                .zip(rules::split_percentages(grant.countries.len()))
            {
                let share = share.to_string();
                empty(
                    w,
                    "recipient-country",
                    &[("code", country), ("percentage", &share)],
                )?;
            }
            dac_sector(w)?;
            for (theme, share) in grant
                .themes
                .iter()
                .zip(rules::split_percentages(grant.themes.len()))
            {
                let share = share.to_string();
                w.create_element("sector")
                    .with_attribute(("vocabulary", rules::OWN_SECTOR_VOCABULARY))
                    .with_attribute(("code", theme.as_str()))
                    .with_attribute(("percentage", share.as_str()))
                    .write_inner_content(|w| narrative(w, &rules::theme_title(theme)))?;
            }
            sdg_tags(w)?;
            empty(w, "default-finance-type", &[("code", "110")])?; // standard grant
            empty(
                w,
                "default-aid-type",
                &[("code", "C01"), ("vocabulary", "1")],
            )?; // project
            let periods = rules::budget_periods(grant.starts_on, grant.ends_on, &grant.instalments);
            for period in &periods {
                budget(w, period, currency)?;
            }
            let fund_party = publisher.party();
            for entry in grant
                .money
                .iter()
                .filter(|e| rules::not_in_future(e.value_date, today))
            {
                let (code, note) = match (entry.kind, entry.amount_minor < 0) {
                    (EntryKind::Commitment, false) => ("2", None),
                    (EntryKind::Commitment, true) => {
                        ("2", Some("unpaid part released when the grant ended"))
                    }
                    (EntryKind::Disbursement, _) => ("3", None),
                    (EntryKind::Refund, _) => ("3", Some("refund from the grantee")),
                    _ => continue,
                };
                // a refund is money coming back: a negative disbursement
                let amount_minor = if entry.kind == EntryKind::Refund {
                    -entry.amount_minor.abs()
                } else {
                    entry.amount_minor
                };
                transaction(
                    w,
                    code,
                    entry,
                    amount_minor,
                    note,
                    Some((&fund_party, Some(publisher.parent_id.as_str()))),
                    Some((&grantee, Some(id.as_str()))),
                )?;
            }
            empty(
                w,
                "related-activity",
                &[("ref", &publisher.parent_id), ("type", "1")],
            )?;
            results(w, &grant.results)?;
            Ok(())
        })?;
    Ok(())
}

fn activity_dates<W: Write>(
    w: &mut Writer<W>,
    grant: &GrantRecord,
    status: GrantStatus,
    today: NaiveDate,
) -> io::Result<()> {
    let planned_start = grant.starts_on.to_string();
    empty(
        w,
        "activity-date",
        &[("type", "1"), ("iso-date", &planned_start)],
    )?;
    // an actual date is never in the future
    if let Some(signed) = grant.signed_at {
        let started = signed.date().max(grant.starts_on);
        if started <= today {
            let started = started.to_string();
            empty(w, "activity-date", &[("type", "2"), ("iso-date", &started)])?;
        }
    }
    let planned_end = grant.ends_on.to_string();
    empty(
        w,
        "activity-date",
        &[("type", "3"), ("iso-date", &planned_end)],
    )?;
    if matches!(status, GrantStatus::Closed | GrantStatus::Terminated) {
        let ended = grant.updated_at.date().min(today).to_string();
        empty(w, "activity-date", &[("type", "4"), ("iso-date", &ended)])?;
    }
    Ok(())
}

fn budget<W: Write>(
    w: &mut Writer<W>,
    period: &BudgetPeriod,
    currency: Currency,
) -> io::Result<()> {
    let start = period.start.to_string();
    let end = period.end.to_string();
    let value = Money::from_minor(period.amount_minor, currency)
        .amount()
        .to_string();
    w.create_element("budget")
        .with_attribute(("type", "1"))
        .with_attribute(("status", "2"))
        .write_inner_content(|w| {
            empty(w, "period-start", &[("iso-date", &start)])?;
            empty(w, "period-end", &[("iso-date", &end)])?;
            w.create_element("value")
                .with_attribute(("currency", currency.code()))
                .with_attribute(("value-date", start.as_str()))
                .write_text_content(BytesText::new(&value))?;
            Ok(())
        })?;
    Ok(())
}

/// One transaction; `provider` and `receiver` carry the activity id on their side.
fn transaction<W: Write>(
    w: &mut Writer<W>,
    code: &str,
    entry: &MoneyRecord,
    amount_minor: i64,
    note: Option<&str>,
    provider: Option<(&Party, Option<&str>)>,
    receiver: Option<(&Party, Option<&str>)>,
) -> io::Result<()> {
    let currency = Currency::parse(&entry.currency).map_err(io::Error::other)?;
    let value = Money::from_minor(amount_minor, currency)
        .amount()
        .to_string();
    let day = entry.value_date.to_string();
    w.create_element("transaction")
        .with_attribute(("ref", entry.id.as_str()))
        .write_inner_content(|w| {
            empty(w, "transaction-type", &[("code", code)])?;
            empty(w, "transaction-date", &[("iso-date", &day)])?;
            w.create_element("value")
                .with_attribute(("currency", currency.code()))
                .with_attribute(("value-date", day.as_str()))
                .write_text_content(BytesText::new(&value))?;
            if let Some(note) = note {
                narrative_element(w, "description", note)?;
            }
            if let Some((party, activity)) = provider {
                let link: Vec<(&str, &str)> = activity
                    .map(|a| ("provider-activity-id", a))
                    .into_iter()
                    .collect();
                org_element(w, "provider-org", party, &link)?;
            }
            if let Some((party, activity)) = receiver {
                let link: Vec<(&str, &str)> = activity
                    .map(|a| ("receiver-activity-id", a))
                    .into_iter()
                    .collect();
                org_element(w, "receiver-org", party, &link)?;
            }
            Ok(())
        })?;
    Ok(())
}

/// One report's target and actual of an indicator.
type Measured<'a> = (&'a ResultRecord, &'a str, &'a str);

/// What accepted reports say, as output indicators: beneficiaries assisted and the
/// grantee's own indicators, one period per report. Values below 5 are withheld.
fn results<W: Write>(w: &mut Writer<W>, reports: &[ResultRecord]) -> io::Result<()> {
    if reports.is_empty() {
        return Ok(());
    }
    // indicators in the order they first appear, each with its periods
    let mut named: Vec<(&str, Vec<Measured<'_>>)> = Vec::new();
    for report in reports {
        for (name, target, actual) in &report.indicators {
            match named.iter_mut().find(|(n, _)| *n == name.as_str()) {
                Some((_, periods)) => periods.push((report, target, actual)),
                None => named.push((name, vec![(report, target, actual)])),
            }
        }
    }
    w.create_element("result")
        .with_attribute(("type", "1"))
        .write_inner_content(|w| {
            narrative_element(
                w,
                "title",
                "Results reported by the grantee and accepted by the fund",
            )?;
            indicator(w, "Victims of trafficking assisted", |w| {
                for report in reports {
                    people_period(w, report)?;
                }
                Ok(())
            })?;
            for (name, periods) in &named {
                indicator(w, name, |w| {
                    for (report, target, actual) in periods {
                        period(w, report, Some(target), Some(actual))?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    Ok(())
}

fn indicator<W: Write>(
    w: &mut Writer<W>,
    title: &str,
    periods: impl FnOnce(&mut Writer<W>) -> io::Result<()>,
) -> io::Result<()> {
    w.create_element("indicator")
        .with_attribute(("measure", "1"))
        .with_attribute(("ascending", "1"))
        .write_inner_content(|w| {
            narrative_element(w, "title", title)?;
            periods(w)
        })?;
    Ok(())
}

/// One report's people assisted: the total, then one `actual` per shown count by sex, age
/// group and form of exploitation (IATI 2.03 `dimension`), all through the one suppression
/// of outcomes; a hidden total is an `actual` with only a comment, a hidden part is left out.
fn people_period<W: Write>(w: &mut Writer<W>, report: &ResultRecord) -> io::Result<()> {
    let people = rules::people_assisted(&report.people, report.period_end);
    let start = report.period_start.to_string();
    let end = report.period_end.to_string();
    w.create_element("period").write_inner_content(|w| {
        empty(w, "period-start", &[("iso-date", &start)])?;
        empty(w, "period-end", &[("iso-date", &end)])?;
        match people.total {
            Some(total) => empty(w, "actual", &[("value", &total.to_string())])?,
            None => {
                w.create_element("actual").write_inner_content(|w| {
                    narrative_element(w, "comment", "withheld to protect survivors")
                })?;
            }
        }
        for (name, value, count) in &people.dimensions {
            w.create_element("actual")
                .with_attribute(("value", count.to_string().as_str()))
                .write_inner_content(|w| {
                    empty(w, "dimension", &[("name", name), ("value", value)])
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

fn period<W: Write>(
    w: &mut Writer<W>,
    report: &ResultRecord,
    target: Option<&str>,
    actual: Option<&str>,
) -> io::Result<()> {
    let start = report.period_start.to_string();
    let end = report.period_end.to_string();
    w.create_element("period").write_inner_content(|w| {
        empty(w, "period-start", &[("iso-date", &start)])?;
        empty(w, "period-end", &[("iso-date", &end)])?;
        if let Some(target) = target {
            value_element(w, "target", target)?;
        }
        if let Some(actual) = actual {
            value_element(w, "actual", actual)?;
        }
        Ok(())
    })?;
    Ok(())
}

/// A target or actual: the value, or, below 5, no value and a comment saying so.
fn value_element<W: Write>(w: &mut Writer<W>, name: &str, value: &str) -> io::Result<()> {
    let parsed: Decimal = value.parse().map_err(io::Error::other)?;
    match rules::published_value(parsed) {
        Some(v) => empty(w, name, &[("value", &v.normalize().to_string())]),
        None => {
            w.create_element(name).write_inner_content(|w| {
                narrative_element(w, "comment", "fewer than 5 (withheld to protect survivors)")
            })?;
            Ok(())
        }
    }
}

fn reporting_org<W: Write>(w: &mut Writer<W>, publisher: &Publisher<'_>) -> io::Result<()> {
    org_element(w, "reporting-org", &publisher.party(), &[])
}

fn dac_sector<W: Write>(w: &mut Writer<W>) -> io::Result<()> {
    empty(
        w,
        "sector",
        &[
            ("vocabulary", "1"),
            ("code", rules::DAC_SECTOR),
            ("percentage", "100"),
        ],
    )
}

fn sdg_tags<W: Write>(w: &mut Writer<W>) -> io::Result<()> {
    for target in rules::SDG_TARGETS {
        empty(
            w,
            "tag",
            &[
                ("vocabulary", rules::SDG_TARGET_VOCABULARY),
                ("code", target),
            ],
        )?;
    }
    Ok(())
}

/// An organisation element: `ref` and `type` when known, then the extra attributes, and
/// the name as a narrative.
fn org_element<W: Write>(
    w: &mut Writer<W>,
    name: &str,
    party: &Party,
    extra: &[(&str, &str)],
) -> io::Result<()> {
    let mut element = w.create_element(name);
    if let Some(reference) = &party.reference {
        element = element.with_attribute(("ref", reference.as_str()));
    }
    if let Some(kind) = party.kind {
        element = element.with_attribute(("type", kind));
    }
    for attribute in extra {
        element = element.with_attribute(*attribute);
    }
    element.write_inner_content(|w| narrative(w, &party.name))?;
    Ok(())
}

fn description<W: Write>(w: &mut Writer<W>, text: &str) -> io::Result<()> {
    w.create_element("description")
        .with_attribute(("type", "1"))
        .write_inner_content(|w| narrative(w, text))?;
    Ok(())
}

fn narrative_element<W: Write>(w: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_inner_content(|w| narrative(w, text))?;
    Ok(())
}

fn narrative<W: Write>(w: &mut Writer<W>, text: &str) -> io::Result<()> {
    text_element(w, "narrative", text)
}

fn text_element<W: Write>(w: &mut Writer<W>, name: &str, text: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&rules::xml_text(text)))?;
    Ok(())
}

fn empty<W: Write>(w: &mut Writer<W>, name: &str, attributes: &[(&str, &str)]) -> io::Result<()> {
    let mut element = w.create_element(name);
    for attribute in attributes {
        element = element.with_attribute(*attribute);
    }
    element.write_empty()?;
    Ok(())
}
