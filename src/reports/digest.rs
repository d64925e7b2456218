//! Donors told: each donor of a fund (an organisation that pledged or gave to it) gets an
//! email digest of the reports the secretariat accepted since its last one, with the
//! fund's suppressed figures and links to the public page and the yearly report. At most
//! one digest in `donors.digest_every_days`, and none when nothing new was accepted.
//!
//! Each digest is sent once, however many instances run the job: it is claimed by
//! inserting its `donor_digests` row, keyed by the end of the previous digest's window,
//! with `ON CONFLICT DO NOTHING` in the same transaction as its emails (as the report
//! reminders are). The first digest of a donor covers the last `digest_every_days`: older
//! reports are in the yearly report.
//!
//! What a digest shows follows the donor's view: figures through the one suppression of
//! outcomes, a protected grantee's project by its title but never its name.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::model::ReportStatus;
use super::rules::{KeyedFigure, outcomes_view};
use crate::config::{DonorSettings, EmailSettings};
use crate::db::schema::{donor_digests, grant_reports, grants, ledger_entries, organisations};
use crate::db::{DbConn, DbPool, write_transaction};
use crate::error::AppResult;
use crate::grants::model::ReportKind;
use crate::ledger::rules::EntryKind;
use crate::notify::{self, Email};
use crate::web::format;
use crate::web::i18n::{self, Arg, Lang};

pub const TEMPLATE: &str = "donor_digest";

/// A report in the digest, written out for the reader's language.
#[derive(Debug, Serialize)]
struct DigestReport {
    reference: String,
    title: String,
    grantee: String,
    kind: String,
    period: String,
}

/// A line of figures: a label and a suppressed count as shown.
#[derive(Debug, Serialize)]
struct FigureLine {
    label: String,
    count: String,
}

#[derive(Debug, Serialize)]
struct DigestContext<'a> {
    /// The member written to, and their organisation.
    name: &'a str,
    organisation: &'a str,
    fund_name: &'a str,
    report_count: usize,
    reports: &'a [DigestReport],
    /// People helped for the first time, in every accepted report of the fund.
    people_reached: &'a str,
    /// The same, in reports whose period ends this year.
    people_this_year: &'a str,
    year: i32,
    /// `donors.digest_every_days`: how often at most the donor hears from us.
    every_days: u32,
    by_sex: &'a [FigureLine],
    by_age_group: &'a [FigureLine],
    fund_page: &'a str,
    annual_report: &'a str,
    sign_in: &'a str,
}

/// A report accepted in a digest's window, as read.
struct Accepted {
    reference: String,
    title: String,
    grantee: String,
    grantee_protected: bool,
    kind: ReportKind,
    period_start: NaiveDate,
    period_end: NaiveDate,
}

/// A digest owed: the donor, the fund, and the window it covers.
struct Owed {
    fund_id: String,
    donor_id: String,
    /// The previous digest's `covers_to`, or the epoch: the claim's key.
    chain: NaiveDateTime,
    /// Reports accepted after this moment (and up to now) are new to the donor.
    since: NaiveDateTime,
}

fn epoch() -> NaiveDateTime {
    chrono::DateTime::UNIX_EPOCH.naive_utc()
}

/// Which digests are owed at `now`: every (fund, donor) pair whose last digest is at least
/// `every` old (or that never had one). Whether anything new was accepted is checked per
/// pair afterwards.
fn owed(conn: &mut DbConn, now: NaiveDateTime, every: chrono::Duration) -> AppResult<Vec<Owed>> {
    let pairs: Vec<(String, Option<String>)> = ledger_entries::table
        .filter(ledger_entries::donor_id.is_not_null())
        .filter(ledger_entries::kind.eq_any([EntryKind::Pledge, EntryKind::Receipt]))
        .select((ledger_entries::fund_id, ledger_entries::donor_id))
        .distinct()
        .load(conn)?;
    let last: HashMap<(String, String), (Option<NaiveDateTime>, Option<NaiveDateTime>)> =
        donor_digests::table
            .group_by((donor_digests::fund_id, donor_digests::donor_id))
            .select((
                donor_digests::fund_id,
                donor_digests::donor_id,
                diesel::dsl::max(donor_digests::covers_to),
                diesel::dsl::max(donor_digests::sent_at),
            ))
            .load::<(String, String, Option<NaiveDateTime>, Option<NaiveDateTime>)>(conn)?
            .into_iter()
            .map(|(fund, donor, to, sent)| ((fund, donor), (to, sent)))
            .collect();
    let mut owed = Vec::new();
    for (fund_id, donor_id) in pairs {
        let Some(donor_id) = donor_id else { continue };
        match last.get(&(fund_id.clone(), donor_id.clone())) {
            Some((Some(covers_to), Some(sent_at))) => {
                if *sent_at + every > now {
                    continue;
                }
                owed.push(Owed {
                    fund_id,
                    donor_id,
                    chain: *covers_to,
                    since: *covers_to,
                });
            }
            _ => owed.push(Owed {
                fund_id,
                donor_id,
                chain: epoch(),
                since: now - every,
            }),
        }
    }
    Ok(owed)
}

fn accepted_between(
    conn: &mut DbConn,
    fund_id: &str,
    since: NaiveDateTime,
    until: NaiveDateTime,
) -> QueryResult<Vec<Accepted>> {
    let rows: Vec<(
        String,
        String,
        String,
        bool,
        ReportKind,
        NaiveDate,
        NaiveDate,
    )> = grant_reports::table
        .inner_join(grants::table.on(grants::id.eq(grant_reports::grant_id)))
        .inner_join(organisations::table.on(organisations::id.eq(grants::organisation_id)))
        .filter(grant_reports::fund_id.eq(fund_id))
        .filter(grant_reports::status.eq(ReportStatus::Accepted))
        .filter(grant_reports::reviewed_at.gt(since))
        .filter(grant_reports::reviewed_at.le(until))
        .order((grant_reports::reviewed_at.asc(), grant_reports::id.asc()))
        .select((
            grants::reference,
            grants::title,
            organisations::name,
            organisations::protected,
            grant_reports::kind,
            grant_reports::period_start,
            grant_reports::period_end,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(reference, title, grantee, grantee_protected, kind, period_start, period_end)| {
                Accepted {
                    reference,
                    title,
                    grantee,
                    grantee_protected,
                    kind,
                    period_start,
                    period_end,
                }
            },
        )
        .collect())
}

/// A message the digest needs; the files are checked complete by `web::i18n`'s test.
fn text(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    i18n::message(lang, key, args).unwrap_or_else(|| key.to_string())
}

fn lines(figures: &[KeyedFigure], prefix: &str, lang: Lang) -> Vec<FigureLine> {
    figures
        .iter()
        .map(|f| FigureLine {
            label: text(lang, &format!("{prefix}-{}", f.key), &[]),
            count: format::figure(&f.count, lang),
        })
        .collect()
}

/// The parts of a digest that depend on the reader's language: written once per language
/// a donor's members read, not once per member.
struct Worded {
    lang: Lang,
    reports: Vec<DigestReport>,
    people_reached: String,
    people_this_year: String,
    by_sex: Vec<FigureLine>,
    by_age_group: Vec<FigureLine>,
    annual_report: String,
}

impl Worded {
    fn new(
        lang: Lang,
        accepted: &[Accepted],
        outcomes: &super::rules::OutcomesView,
        year: i32,
        fund_code: &str,
        email: &EmailSettings,
    ) -> Worded {
        let reports = accepted
            .iter()
            .map(|r| DigestReport {
                reference: r.reference.clone(),
                title: r.title.clone(),
                grantee: if r.grantee_protected {
                    text(lang, "annual-withheld-grantee", &[])
                } else {
                    r.grantee.clone()
                },
                kind: text(lang, &format!("annual-kind-{}", r.kind.as_str()), &[]),
                period: text(
                    lang,
                    "annual-period",
                    &[
                        ("from", Arg::Text(format::date(r.period_start, lang))),
                        ("to", Arg::Text(format::date(r.period_end, lang))),
                    ],
                ),
            })
            .collect();
        let people_this_year = outcomes
            .by_year
            .iter()
            .find(|y| y.year == year)
            .map(|y| format::figure(&y.count, lang))
            .unwrap_or_else(|| format::count(0, lang));
        Worded {
            lang,
            reports,
            people_reached: format::figure(&outcomes.beneficiaries, lang),
            people_this_year,
            by_sex: lines(&outcomes.by_sex, "sex", lang),
            by_age_group: lines(&outcomes.by_age_group, "age", lang),
            annual_report: notify::page_link(
                email,
                &format!(
                    "/funds/{fund_code}/annual-report/{year}?lang={}",
                    lang.code()
                ),
            ),
        }
    }
}

/// One pass: sends every digest owed at `now` that no instance has sent yet; returns how
/// many digests this call sent.
pub fn run_once(
    conn: &mut DbConn,
    now: NaiveDateTime,
    donors: &DonorSettings,
    email: &EmailSettings,
) -> AppResult<usize> {
    let every = chrono::Duration::days(i64::from(donors.digest_every_days.max(1)));
    let mut outcomes_of: HashMap<String, super::rules::OutcomesView> = HashMap::new();
    let mut sent = 0;
    for digest in owed(conn, now, every)? {
        let accepted = accepted_between(conn, &digest.fund_id, digest.since, now)?;
        if accepted.is_empty() {
            continue;
        }
        let Some(fund) = crate::funds::store::find(conn, &digest.fund_id)? else {
            continue;
        };
        if !outcomes_of.contains_key(&fund.id) {
            let (from, to) = super::rules::storable_dates(NaiveDate::MIN, NaiveDate::MAX);
            let counts = super::store::outcomes(conn, &fund.id, from, to)?;
            outcomes_of.insert(
                fund.id.clone(),
                outcomes_view(&fund.id, from, to, &counts, true),
            );
        }
        let outcomes = &outcomes_of[&fund.id];
        let Some((organisation, country)) =
            crate::registry::store::organisation_contact(conn, &digest.donor_id)?
        else {
            continue;
        };
        // each member reads it in the language they chose, else the country's guess
        let country_lang = Lang::from_code(crate::registry::emails::locale_for_country(&country))
            .unwrap_or(Lang::En);
        let year = now.date().year();
        let fund_page = notify::page_link(email, &format!("/funds/{}", fund.code));
        let sign_in = notify::page_link(email, "/login");
        let claimed = write_transaction(conn, |conn| -> AppResult<bool> {
            let claim = (
                donor_digests::fund_id.eq(&digest.fund_id),
                donor_digests::donor_id.eq(&digest.donor_id),
                donor_digests::covers_from.eq(digest.chain),
                donor_digests::covers_to.eq(now),
                donor_digests::reports.eq(i32::try_from(accepted.len()).unwrap_or(i32::MAX)),
                donor_digests::sent_at.eq(now),
            );
            let claimed =
                crate::db::with_backend!(conn, |c| diesel::insert_into(donor_digests::table)
                    .values(claim)
                    .on_conflict_do_nothing()
                    .execute(c))?;
            if claimed == 0 {
                return Ok(false);
            }
            let mut worded: Vec<Worded> = Vec::new();
            for (to, name) in crate::registry::store::member_contacts(conn, &digest.donor_id)? {
                let lang = notify::recipient_locale(conn, &to)?
                    .and_then(Lang::from_code)
                    .unwrap_or(country_lang);
                let index = match worded.iter().position(|w| w.lang == lang) {
                    Some(index) => index,
                    None => {
                        worded.push(Worded::new(
                            lang, &accepted, outcomes, year, &fund.code, email,
                        ));
                        worded.len() - 1
                    }
                };
                let w = &worded[index];
                notify::enqueue_in(
                    conn,
                    Email {
                        to,
                        template: TEMPLATE,
                        context: DigestContext {
                            name: &name,
                            organisation: &organisation,
                            fund_name: &fund.name,
                            report_count: w.reports.len(),
                            reports: &w.reports,
                            people_reached: &w.people_reached,
                            people_this_year: &w.people_this_year,
                            year,
                            every_days: donors.digest_every_days.max(1),
                            by_sex: &w.by_sex,
                            by_age_group: &w.by_age_group,
                            fund_page: &fund_page,
                            annual_report: &w.annual_report,
                            sign_in: &sign_in,
                        },
                    },
                    lang.code(),
                )?;
            }
            Ok(true)
        })?;
        if claimed {
            sent += 1;
        }
    }
    Ok(sent)
}

/// The background job: a pass every `donors.digest_interval_secs`, until the task is
/// aborted with the server.
pub async fn run(pool: DbPool, donors: DonorSettings, email: EmailSettings) {
    let period = Duration::from_secs(donors.digest_interval_secs.max(1));
    notify::every(pool, period, "donor digests", move |conn| {
        run_once(conn, crate::clock::now_naive(), &donors, &email)
    })
    .await
}
