//! The yearly report as a document for people: one HTML page in English, French or Spanish
//! (`templates/pages/annual_report.html`), whole in itself (inline style, no script, no
//! form), so that the same text is served as a page, printed to PDF and written by the
//! command line. Everything shown is formatted here for the language; the template only
//! places it.

use actix_web::http::header;
use minijinja::Value;
use minijinja::value::Serde;
use serde::Serialize;

use super::rules::{AnnualReport, YearGrant};
use crate::error::AppResult;
use crate::money::Currency;
use crate::reports::rules::KeyedFigure;
use crate::web::format;
use crate::web::i18n::{self, Arg, Lang, text};
use crate::web::render;

/// The page's path: `/funds/{code}/annual-report/{year}`.
pub fn page_path(fund_code: &str, year: i32) -> String {
    format!("/funds/{fund_code}/annual-report/{year}")
}

/// The PDF's path, beside the page.
pub fn pdf_path(fund_code: &str, year: i32, lang: Lang) -> String {
    format!("{}/pdf?lang={}", page_path(fund_code, year), lang.code())
}

#[derive(Serialize)]
struct DonorRow {
    name: String,
    amount: String,
}

#[derive(Serialize)]
struct GrantRow {
    reference: String,
    title: String,
    grantee: String,
    country: String,
    awarded_on: String,
    awarded: String,
}

#[derive(Serialize)]
pub struct CountRow {
    label: String,
    count: String,
}

#[derive(Serialize)]
pub struct CountTable {
    caption: String,
    heading: String,
    rows: Vec<CountRow>,
}

#[derive(Serialize)]
struct Story {
    title: String,
    grantee: String,
    kind: String,
    period: String,
    paragraphs: Vec<String>,
}

/// What the template shows, every value already in the reader's language.
#[derive(Serialize)]
struct Shown {
    fund_name: String,
    fund_code: String,
    year: String,
    complete: bool,
    today: String,
    pdf_href: String,
    languages: Vec<i18n::LanguageLink>,
    received: String,
    disbursed: String,
    awarded: String,
    donors: Vec<DonorRow>,
    grant_count: i64,
    grants: Vec<GrantRow>,
    any_withheld: bool,
    reached: String,
    reports: String,
    people: Vec<CountTable>,
    narratives: Vec<Story>,
}

fn money(amount: &str, currency: Currency, lang: Lang) -> AppResult<String> {
    format::money_text(amount, currency, lang)
}

/// A table of people reached by one key (sex, age group, form of exploitation), each count
/// through `format::figure`.
fn count_table(
    lang: Lang,
    caption: &str,
    heading: &str,
    prefix: &str,
    figures: &[KeyedFigure],
) -> AppResult<CountTable> {
    Ok(CountTable {
        caption: text(lang, caption, &[])?,
        heading: text(lang, heading, &[])?,
        rows: figures
            .iter()
            .map(|f| {
                Ok(CountRow {
                    label: text(lang, &format!("{prefix}-{}", f.key), &[])?,
                    count: format::figure(&f.count, lang),
                })
            })
            .collect::<AppResult<_>>()?,
    })
}

/// People reached by sex, by age group and by form of exploitation.
pub fn people_tables(
    lang: Lang,
    by_sex: &[KeyedFigure],
    by_age_group: &[KeyedFigure],
    by_exploitation: &[KeyedFigure],
) -> AppResult<Vec<CountTable>> {
    Ok(vec![
        count_table(lang, "annual-by-sex", "annual-sex", "sex", by_sex)?,
        count_table(lang, "annual-by-age", "annual-age", "age", by_age_group)?,
        count_table(
            lang,
            "annual-by-form",
            "annual-form",
            "exploitation",
            by_exploitation,
        )?,
    ])
}

fn grant_row(g: &YearGrant, currency: Currency, lang: Lang) -> AppResult<GrantRow> {
    let withheld_title = || {
        text(
            lang,
            "annual-withheld-title",
            &[("reference", Arg::Text(g.reference.clone()))],
        )
    };
    Ok(GrantRow {
        reference: g.reference.clone(),
        title: match &g.title {
            Some(title) => title.clone(),
            None => withheld_title()?,
        },
        grantee: match &g.grantee {
            Some(name) => name.clone(),
            None => text(lang, "annual-withheld-grantee", &[])?,
        },
        country: g.country.clone().unwrap_or_default(),
        awarded_on: format::date(g.awarded_on, lang),
        awarded: money(&g.awarded, currency, lang)?,
    })
}

/// The report as a whole HTML document in `lang`.
pub fn render(report: &AnnualReport, lang: Lang, today: chrono::NaiveDate) -> AppResult<String> {
    let currency = report.fund.base_currency;
    let here = page_path(&report.fund.code, report.year);
    let donors = report
        .money
        .donors
        .iter()
        .map(|d| {
            Ok(DonorRow {
                name: match d.donors {
                    Some(n) => text(lang, "annual-anonymous-donors", &[("count", Arg::Count(n))])?,
                    None => d.name.clone(),
                },
                amount: money(&d.received, currency, lang)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let narratives = report
        .narratives
        .iter()
        .map(|n| {
            Ok(Story {
                title: n.grant_title.clone(),
                grantee: n.grantee.clone(),
                kind: text(lang, &format!("annual-kind-{}", n.kind.as_str()), &[])?,
                period: text(
                    lang,
                    "annual-period",
                    &[
                        ("from", Arg::Text(format::date(n.period_start, lang))),
                        ("to", Arg::Text(format::date(n.period_end, lang))),
                    ],
                )?,
                paragraphs: n
                    .narrative
                    .split("\n\n")
                    .map(|p| p.trim().to_string())
                    .filter(|p| !p.is_empty())
                    .collect(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let shown = Shown {
        fund_name: report.fund.name.clone(),
        fund_code: report.fund.code.clone(),
        year: report.year.to_string(),
        complete: report.complete,
        today: format::date(today, lang),
        pdf_href: pdf_path(&report.fund.code, report.year, lang),
        languages: i18n::language_links(&here, lang),
        received: money(&report.money.received, currency, lang)?,
        disbursed: money(&report.money.disbursed, currency, lang)?,
        awarded: money(&report.grants.awarded, currency, lang)?,
        donors,
        grant_count: report.grants.count,
        grants: report
            .grants
            .list
            .iter()
            .map(|g| grant_row(g, currency, lang))
            .collect::<AppResult<_>>()?,
        any_withheld: report.grants.list.iter().any(|g| g.withheld),
        reached: format::figure(&report.people.reached, lang),
        reports: format::figure(&report.people.reports, lang),
        people: people_tables(
            lang,
            &report.people.by_sex,
            &report.people.by_age_group,
            &report.people.by_exploitation,
        )?,
        narratives,
    };
    render::render(
        "annual_report.html",
        minijinja::context! {
            lang => lang.code(),
            css => Value::from_safe_string(render::css().to_string()),
            r => Serde(shown),
        },
    )
}

/// The answer headers of the page and the PDF: the page's CSP (nothing loads or runs),
/// never framed, not sniffed.
pub fn headers() -> [(header::HeaderName, &'static str); 2] {
    [
        (
            header::CONTENT_SECURITY_POLICY,
            render::content_security_policy(),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ]
}
