//! The public fund page: `PublicFundView` rendered as one small HTML document with inline
//! CSS and inline SVG charts, no script and no external asset. Templates live under
//! `templates/public/` and are built into the binary; minijinja escapes every value (the
//! SVG markup, already escaped by `svg`, and the CSS are the only values marked safe).

use std::sync::OnceLock;

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value, context};
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::rules::{GrantGroup, PeriodFlow, PublicFundView};
use super::svg::{self, BarChart, Layout, Series};
use crate::error::{AppError, AppResult};
use crate::reports::rules::{Figure, KeyedFigure, WITHHELD};
use crate::taxonomy::Exploitation;
use crate::web::format;
use crate::web::i18n::{Arg, Lang, text};

/// The page's whole style sheet, inline; the Content-Security-Policy allows exactly this
/// text by its hash.
pub const CSS: &str = "body{font-family:system-ui,sans-serif;line-height:1.45;margin:0 auto;max-width:60rem;padding:0 1rem;color:#111;background:#fff}\
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:2px solid #0072B2;margin-top:2rem}h3{font-size:1.1rem}\
.code{font-size:1rem;color:#555;font-weight:normal}\
table{border-collapse:collapse;margin:1rem 0;min-width:50%}caption{text-align:left;font-weight:bold;padding:.3rem 0}\
th,td{border-bottom:1px solid #ccc;padding:.25rem .6rem;text-align:left}td{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1rem 0}svg{max-width:100%;height:auto}.scroll{overflow-x:auto}\
a{color:#005a8c}:focus{outline:3px solid #E69F00}\
.langs{display:flex;gap:.6rem;flex-wrap:wrap;align-items:center;margin-top:.8rem;font-size:.95rem}.langs span{color:#555}\
.langs a{padding:.3rem .2rem}.langs a[aria-current]{color:#111;font-weight:bold;text-decoration:none}";

/// `Content-Security-Policy` of the page: nothing may load or run; only the inline style
/// sheet above applies.
///
/// Computed once: hashing the style sheet on every request took a third of the page's time
/// once the page itself came from memory (`perf`).
pub fn content_security_policy() -> &'static str {
    static CSP: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CSP.get_or_init(|| {
        use base64::Engine;
        let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(CSS.as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'"
        )
    })
}

const LAYOUT: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/public/layout.html"
));
const FUND: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/public/fund.html"
));
const NOT_FOUND: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/templates/public/not_found.html"
));

/// The page's templates, by name; their messages are checked like the pages' (`web::render`).
pub const TEMPLATES: [(&str, &str); 3] = [
    ("layout.html", LAYOUT),
    ("fund.html", FUND),
    ("not_found.html", NOT_FOUND),
];

fn environment() -> &'static Result<Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.add_function("t", crate::web::render::translate);
        env.add_filter("figure", figure);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .map_err(|e| format!("template {name}: {e:#}"))?;
        }
        Ok(env)
    })
}

fn render(name: &str, ctx: Value) -> AppResult<String> {
    let env = environment().as_ref().map_err(AppError::internal)?;
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| AppError::internal(format!("rendering {name}: {e:#}")))
}

/// A count as a chart value: hidden counts are drawn as nothing.
fn count_value(figure: &Figure) -> Option<Decimal> {
    match figure {
        Figure::Exact(n) => Some(Decimal::from(*n)),
        Figure::Hidden(_) => None,
    }
}

fn money_value(amount: &str) -> AppResult<Decimal> {
    amount
        .parse()
        .map_err(|e| AppError::internal(format!("amount {amount:?}: {e}")))
}

/// Chart (a): money received and disbursed per quarter.
pub fn money_chart(view: &PublicFundView, lang: Lang) -> AppResult<BarChart> {
    let currency = || [("currency", Arg::Text(view.fund.base_currency.code().into()))];
    Ok(BarChart {
        id: "money".into(),
        title: text(lang, "public-flow-chart-title", &currency())?,
        description: text(lang, "public-flow-chart-description", &currency())?,
        layout: Layout::Grouped,
        categories: view
            .money_over_time
            .items
            .iter()
            .map(|p| p.period.clone())
            .collect(),
        series: vec![
            Series::new("received", text(lang, "public-received", &[])?),
            Series::new("disbursed", text(lang, "public-disbursed-short", &[])?),
        ],
        values: view
            .money_over_time
            .items
            .iter()
            .map(|p| {
                Ok(vec![
                    Some(money_value(&p.received)?),
                    Some(money_value(&p.disbursed)?),
                ])
            })
            .collect::<AppResult<_>>()?,
    })
}

/// One row of the year × exploitation table, in the order of the taxonomy.
#[derive(Debug, Serialize)]
struct CrossRow {
    year: i32,
    cells: Vec<CrossCell>,
    total: Figure,
}

#[derive(Debug, Serialize)]
struct CrossCell {
    exploitation: String,
    count: Figure,
}

/// `{{ count | figure }}`: a count as the page shows it, the number or "<5" as in the
/// JSON (the page's figures are the JSON's, byte for byte), and a withheld count in the
/// reader's word for it.
fn figure(state: &minijinja::State, count: Value) -> Result<Value, minijinja::Error> {
    if count.as_str() != Some(WITHHELD) {
        return Ok(count);
    }
    let lang = crate::web::render::page_language(state)?;
    text(lang, "public-withheld", &[])
        .map(Value::from)
        .map_err(|e| minijinja::Error::new(minijinja::ErrorKind::UndefinedError, e.to_string()))
}

/// A form of exploitation by its name in `lang`.
fn exploitation_name(code: &str, lang: Lang) -> AppResult<String> {
    text(lang, &format!("exploitation-{code}"), &[])
}

fn cross_rows(view: &PublicFundView) -> Vec<CrossRow> {
    view.outcomes
        .by_year
        .iter()
        .map(|y| CrossRow {
            year: y.year,
            cells: Exploitation::ALL
                .iter()
                .map(|e| CrossCell {
                    exploitation: e.as_str().to_string(),
                    count: view
                        .outcomes
                        .by_year_exploitation
                        .iter()
                        .find(|c| c.year == y.year && c.exploitation == e.as_str())
                        .map(|c| c.count.clone())
                        .unwrap_or_else(|| Figure::of(0, true)),
                })
                .collect(),
            total: y.count.clone(),
        })
        .collect()
}

/// Chart (b): people assisted per year, stacked by form of exploitation; hidden cells are
/// not drawn.
pub fn outcomes_chart(view: &PublicFundView, lang: Lang) -> AppResult<BarChart> {
    let rows = cross_rows(view);
    Ok(BarChart {
        id: "outcomes".into(),
        title: text(lang, "public-by-year-chart-title", &[])?,
        description: text(lang, "public-by-year-chart-description", &[])?,
        layout: Layout::Stacked,
        categories: rows.iter().map(|r| r.year.to_string()).collect(),
        series: Exploitation::ALL
            .iter()
            .map(|e| {
                Ok(Series::new(
                    e.as_str(),
                    exploitation_name(e.as_str(), lang)?,
                ))
            })
            .collect::<AppResult<_>>()?,
        values: rows
            .iter()
            .map(|r| r.cells.iter().map(|c| count_value(&c.count)).collect())
            .collect(),
    })
}

#[derive(Debug, Serialize)]
struct GrantTable {
    /// `country`, `theme` or `status`: in the figures' names and the messages' keys.
    name: &'static str,
    caption: String,
    heading: String,
    groups: Vec<GrantRow>,
}

#[derive(Debug, Serialize)]
struct GrantRow {
    key: String,
    /// What the key names, in the reader's language.
    label: String,
    count: i64,
    awarded: String,
}

/// A table of people counted by sex, age group or form of exploitation.
#[derive(Debug, Serialize)]
struct PeopleTable {
    caption: String,
    heading: String,
    /// The prefix of its cells' `data-figure` names.
    figure: &'static str,
    rows: Vec<PeopleRow>,
}

#[derive(Debug, Serialize)]
struct PeopleRow {
    key: String,
    label: String,
    count: Figure,
}

fn grant_table(
    name: &'static str,
    groups: &[GrantGroup],
    lang: Lang,
    currency: &str,
    label: impl Fn(&str) -> AppResult<String>,
) -> AppResult<GrantTable> {
    Ok(GrantTable {
        name,
        caption: text(
            lang,
            &format!("public-grants-by-{name}"),
            &[("currency", Arg::Text(currency.into()))],
        )?,
        heading: text(lang, &format!("public-{name}"), &[])?,
        groups: groups
            .iter()
            .map(|g| {
                Ok(GrantRow {
                    key: g.key.clone(),
                    label: label(&g.key)?,
                    count: g.count,
                    awarded: g.awarded.clone(),
                })
            })
            .collect::<AppResult<_>>()?,
    })
}

fn people_table(
    which: &str,
    figure: &'static str,
    counts: &[KeyedFigure],
    lang: Lang,
    label: impl Fn(&str) -> AppResult<String>,
) -> AppResult<PeopleTable> {
    Ok(PeopleTable {
        caption: text(lang, &format!("public-by-{which}-caption"), &[])?,
        heading: text(lang, &format!("public-{which}"), &[])?,
        figure,
        rows: counts
            .iter()
            .map(|k| {
                Ok(PeopleRow {
                    key: k.key.clone(),
                    label: label(&k.key)?,
                    count: k.count.clone(),
                })
            })
            .collect::<AppResult<_>>()?,
    })
}

/// A message of a known list (`sex-female`), or the key itself when the list has grown a
/// key the messages do not name yet.
fn named(lang: Lang, prefix: &str, key: &str) -> String {
    crate::web::i18n::message(lang, &format!("{prefix}-{key}"), &[]).unwrap_or_else(|| key.into())
}

/// The page of a fund in `lang`, from the same view as `GET /api/v1/public/funds/{id}`.
pub fn fund_page(view: &PublicFundView, lang: Lang) -> AppResult<String> {
    let cur = view.fund.base_currency.code();
    let grant_tables = [
        grant_table("country", &view.grants.by_country, lang, cur, |code| {
            Ok(format::country(code, lang))
        })?,
        grant_table("theme", &view.grants.by_theme, lang, cur, |code| {
            Ok(format::earmark(code, lang))
        })?,
        grant_table("status", &view.grants.by_status, lang, cur, |status| {
            Ok(named(lang, "grant-status", status))
        })?,
    ];
    let outcomes = &view.outcomes;
    let people_tables = [
        people_table(
            "form",
            "beneficiaries-",
            &outcomes.by_exploitation,
            lang,
            |code| exploitation_name(code, lang),
        )?,
        people_table("sex", "beneficiaries-sex-", &outcomes.by_sex, lang, |key| {
            Ok(named(lang, "sex", key))
        })?,
        people_table(
            "age",
            "beneficiaries-age-",
            &outcomes.by_age_group,
            lang,
            |key| Ok(named(lang, "age", key)),
        )?,
    ];
    let here = format!("/funds/{}", view.fund.code);
    render(
        "fund.html",
        context! {
            lang => lang.code(),
            css => Value::from_safe_string(CSS.to_string()),
            f => Serde(view),
            cur => cur,
            as_of => format::date(view.as_of, lang),
            languages => Serde(crate::web::i18n::language_links(&here, lang)),
            // this year's report (so far) and last year's: the years a reader looks for
            report_years => {
                let year = chrono::Datelike::year(&view.as_of);
                vec![year, year - 1]
            },
            money_chart => Value::from_safe_string(svg::bar_chart(&money_chart(view, lang)?)),
            outcomes_chart => Value::from_safe_string(svg::bar_chart(&outcomes_chart(view, lang)?)),
            forms => Exploitation::ALL
                .iter()
                .map(|e| exploitation_name(e.as_str(), lang))
                .collect::<AppResult<Vec<_>>>()?,
            cross => Serde(cross_rows(view)),
            money_rows => Serde(quarters_with_movement(view)),
            grant_tables => Serde(grant_tables),
            people_tables => Serde(people_tables),
        },
    )
}

/// The quarters of the money table: those in which something was received or disbursed
/// (the chart keeps the empty ones, as its time axis).
fn quarters_with_movement(view: &PublicFundView) -> Vec<&PeriodFlow> {
    let moved = |amount: &str| amount.parse::<Decimal>().is_ok_and(|a| !a.is_zero());
    view.money_over_time
        .items
        .iter()
        .filter(|p| moved(&p.received) || moved(&p.disbursed))
        .collect()
}

/// The page answered for an unknown fund.
pub fn not_found_page(key: &str, lang: Lang) -> AppResult<String> {
    render(
        "not_found.html",
        context! {
            lang => lang.code(),
            css => Value::from_safe_string(CSS.to_string()),
            key => key,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::model::FundStatusView;
    use crate::ledger::rules::{FundStatus, Totals, fund_status};
    use crate::money::Currency;
    use crate::public::rules::{
        DonorReceipts, GrantFacts, MonthFlow, PublicFundParts, PublicFundRef, public_view,
    };
    use crate::reports::rules::OutcomeCounts;

    fn view(name: &str, donor: &str) -> PublicFundView {
        let status: FundStatus = fund_status(&Totals::default(), Currency::USD, |_| None);
        let status = FundStatusView::new(
            "f1".into(),
            Currency::USD,
            "2026-11-23".parse().expect("date"),
            0,
            &status,
            |_| None,
        );
        let mut outcomes = OutcomeCounts {
            reports: 6,
            ..Default::default()
        };
        outcomes
            .cells
            .insert(("female".into(), "adult".into(), "sexual".into()), 30);
        outcomes
            .cells
            .insert(("male".into(), "adult".into(), "begging".into()), 2);
        outcomes.by_year.insert(2026, 32);
        outcomes
            .by_year_exploitation
            .insert((2026, "sexual".into()), 30);
        outcomes
            .by_year_exploitation
            .insert((2026, "begging".into()), 2);
        public_view(PublicFundParts {
            fund: PublicFundRef {
                id: "f1".into(),
                code: "UNVTF".into(),
                name: name.into(),
                base_currency: Currency::USD,
            },
            status: &status,
            donors: &[DonorReceipts {
                id: "d1".into(),
                name: donor.into(),
                listed_anonymously: false,
                received: 100_000,
            }],
            grants: &[GrantFacts {
                base_amount: 50_000,
                status: crate::grants::model::GrantStatus::Active,
                country: Some("NG".into()),
                theme: Some("protection.shelter".into()),
            }],
            outcomes: &outcomes,
            months: &[MonthFlow {
                year: 2026,
                month: 2,
                received: 100_000,
                disbursed: 0,
            }],
        })
    }

    #[test]
    fn the_page_escapes_names_and_has_no_script() {
        let html = fund_page(
            &view(
                "<script>alert('fund')</script>",
                "Donor & <img src=x onerror=alert(1)>",
            ),
            Lang::En,
        )
        .expect("page");
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains("<html lang=\"en\">"));
        assert!(!html.contains("<script"), "no script at all");
        assert!(!html.contains("<img"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("Donor &amp; &lt;img"));
        assert!(
            html.contains(&format!("<style>{CSS}</style>")),
            "the hashed CSS, byte for byte"
        );
    }

    #[test]
    fn figures_are_marked_and_hidden_cells_read_less_than_five() {
        let html = fund_page(&view("Fund", "Luxembourg"), Lang::En).expect("page");
        for marker in [
            "data-figure=\"received\"",
            "data-figure=\"donor-1-received\">1000.00<",
            "data-figure=\"grants-country-NG-awarded\">500.00<",
            "data-figure=\"received-2026-Q1\">1000.00<",
            "data-figure=\"beneficiaries-2026-sexual\">withheld<",
            "data-figure=\"beneficiaries-2026-begging\">&lt;5<",
            "data-figure=\"beneficiaries\">32<",
            "data-chart=\"money\"",
            "data-chart=\"outcomes\"",
        ] {
            assert!(html.contains(marker), "{marker} missing");
        }
        // money, quarters, donors, three grant groupings, year x form, forms, sex, age
        assert_eq!(html.matches("<table>").count(), 10);
        assert_eq!(
            html.matches("<caption>").count(),
            html.matches("<table>").count(),
            "every table has a caption"
        );
        assert!(html.contains("data-figure=\"beneficiaries-sex-female\""));
        assert!(html.contains("data-figure=\"beneficiaries-age-adult\""));
    }

    #[test]
    fn the_not_found_page_escapes_the_key() {
        let html = not_found_page("<b>x</b>", Lang::En).expect("page");
        assert!(html.contains("&lt;b&gt;x&lt;"), "{html}");
        assert!(!html.contains("<b>"));
        assert!(html.contains("<h1>Fund not found</h1>"));
    }

    #[test]
    fn the_page_speaks_the_reader_s_language_with_the_same_figures() {
        let english = fund_page(&view("Fund", "Luxembourg"), Lang::En).expect("page");
        for (lang, says, names) in [
            (
                Lang::Fr,
                "Les donateurs",
                ["Nigéria", "hébergement", "Exploitation sexuelle"],
            ),
            (
                Lang::Es,
                "Los donantes",
                ["Nigeria", "alojamiento", "Explotación sexual"],
            ),
        ] {
            let html = fund_page(&view("Fund", "Luxembourg"), lang).expect("page");
            assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
            assert!(html.contains(says), "{}: {says}", lang.code());
            for name in names {
                assert!(html.contains(name), "{}: {name} missing", lang.code());
            }
            assert!(
                !html.contains("Donors"),
                "{}: no English heading",
                lang.code()
            );
            // the same figures, except the word for a withheld count
            let figures = |page: &str| -> Vec<String> {
                page.split("data-figure=\"")
                    .skip(1)
                    .map(|rest| rest.split('<').next().unwrap_or_default().to_string())
                    .collect()
            };
            let withheld = text(lang, "public-withheld", &[]).expect("word");
            let theirs: Vec<String> = figures(&html)
                .into_iter()
                .map(|f| f.replace(&withheld, WITHHELD))
                .collect();
            assert_eq!(theirs, figures(&english), "{}", lang.code());
        }
        let not_found = not_found_page("X", Lang::Es).expect("page");
        assert!(not_found.contains("Fondo no encontrado"));
    }

    #[test]
    fn the_policy_allows_no_script_and_only_the_inline_style() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"));
        assert!(
            !csp.contains("script-src"),
            "default-src 'none' covers scripts"
        );
        assert!(csp.contains("style-src 'sha256-"));
        assert!(!csp.contains("unsafe"));
    }
}
