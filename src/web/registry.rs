//! The public registry website, as the paper asked for it: server-rendered pages, no
//! script, in the reader's language, for anyone without an account.
//!
//! - `/registry`: search with facet links (country, theme, organisation, status), totals
//!   and paging by links;
//! - `/registry/projects/{id}`: one project (its links shown, never fetched);
//! - `/registry/organisations/{id}`: an organisation's public projects, needs and offers;
//! - `/registry/countries/{code}`: who does what there, its gaps and open needs;
//! - `/registry/matrix`: the who-does-what-where matrix (country × theme).
//!
//! Every figure comes from the function the JSON API calls (`registry::search::search`,
//! `matrix`, `gaps`, `visible_project`) with the anonymous `Scope::Public`, whoever reads:
//! the pages are the public registry, so a signed-in member sees there what the public
//! sees. The matrix shows project counts by the fund page's small-cell rule
//! (`registry::rules::public_count`); organisations are named only when public
//! (`registry::rules::organisation_is_public`), an anonymous donor never.
//!
//! Answers are cacheable like the public fund page (`public, max-age`) for a reader
//! without a session (`cache_control`).

use std::collections::HashMap;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::i18n::{Arg, Lang};
use super::{FieldMessage, FormPart, Visitor, field_messages, format, query_param};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::{Page, PageParams};
use crate::money::Currency;
use crate::registry::model::{
    FacetCount, Filters, GapsView, MatrixAxis, MatrixView, ProjectView, SearchView,
};
use crate::registry::rules::{self, Scope};
use crate::registry::search;
use crate::registry::store::{self, OrganisationFacts};
use crate::taxonomy;

pub const PATH: &str = "/registry";
/// Projects per page of a list.
const PAGE_SIZE: i64 = 20;
/// Values listed per facet.
const FACET_VALUES: usize = 25;

// ---------------------------------------------------------------------------------------
// Caching

/// The `Cache-Control` of a public registry page. A reader without a session gets a page
/// any cache may keep for the public fund page's time; but a page that sets the visitor's
/// CSRF cookie (a first visit) is that visitor's own (`private`), and a signed-in reader's
/// page names them (`no-store`, like every page with a session).
pub fn cache_control(signed_in: bool, sets_cookie: bool) -> String {
    let max_age = crate::public::MAX_AGE_SECS;
    match (signed_in, sets_cookie) {
        (true, _) => "no-store".to_string(),
        (false, true) => format!("private, max-age={max_age}"),
        (false, false) => format!("public, max-age={max_age}"),
    }
}

/// `template` rendered for `visitor` with the layout's CSP, cacheable by `cache_control`;
/// it varies with the language asked for and the cookies sent.
fn public_page(
    visitor: &Visitor,
    status: StatusCode,
    template: &str,
    ctx: minijinja::Value,
) -> AppResult<HttpResponse> {
    let mut response = visitor.page(status, template, ctx)?;
    let sets_cookie = response.headers().contains_key(header::SET_COOKIE);
    let value = cache_control(visitor.user.is_some(), sets_cookie);
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_str(&value).map_err(|e| AppError::internal(e.to_string()))?,
    );
    headers.insert(
        header::VARY,
        header::HeaderValue::from_static("Accept-Language, Cookie"),
    );
    Ok(response)
}

// ---------------------------------------------------------------------------------------
// Names in the reader's language

/// A theme's name: one of the four P by its short name, a sub-theme by the taxonomy's
/// label; an unknown code as it is.
pub fn theme_name(code: &str, lang: Lang) -> String {
    let key = if taxonomy::TOP_THEMES.contains(&code) {
        format!("registry-theme-{code}")
    } else {
        format!("theme-{}", code.replace('.', "-"))
    };
    super::i18n::message(lang, &key, &[])
        .map(|name| capitalised(&name))
        .unwrap_or_else(|| code.to_string())
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn status_name(code: &str, lang: Lang) -> AppResult<String> {
    super::i18n::text(lang, &format!("registry-status-{code}"), &[])
}

/// An organisation as a public page names it: linked when it has a public page, its name
/// withheld when it asked to stay anonymous.
#[derive(Debug, Clone, Serialize)]
struct OrgRef {
    link: Option<String>,
    name: String,
}

fn org_ref(id: &str, facts: &HashMap<String, OrganisationFacts>, lang: Lang) -> AppResult<OrgRef> {
    match facts.get(id) {
        Some(o) if o.listed_anonymously => Ok(OrgRef {
            link: None,
            name: super::i18n::text(lang, "registry-anonymous-organisation", &[])?,
        }),
        Some(o) => Ok(OrgRef {
            link: rules::organisation_is_public(o.verified, o.listed_anonymously)
                .then(|| format!("{PATH}/organisations/{}", o.id)),
            name: o.name.clone(),
        }),
        None => Ok(OrgRef {
            link: None,
            name: id.to_string(),
        }),
    }
}

/// A budget as the reader writes amounts (`1 250 000,00 EUR`); `None` without one.
fn budget_text(amount: Option<&str>, currency: Option<&str>, lang: Lang) -> Option<String> {
    let currency = Currency::parse(currency?).ok()?;
    format::money_text(amount?, currency, lang).ok()
}

fn usd(amount: &str, lang: Lang) -> AppResult<String> {
    format::money_text(amount, Currency::USD, lang)
}

/// A count as shown by the small-cell rule, in the reader's numbers.
fn shown_count(n: i64, lang: Lang) -> String {
    format::figure(&rules::public_count(n), lang)
}

// ---------------------------------------------------------------------------------------
// Projects in lists

#[derive(Debug, Serialize)]
struct ProjectItem {
    id: String,
    title: String,
    organisation: OrgRef,
    countries: Vec<String>,
    themes: Vec<String>,
    status: String,
    period: Option<String>,
    budget: Option<String>,
}

fn period(view: &ProjectView, lang: Lang) -> AppResult<Option<String>> {
    let day = |d| format::date(d, lang);
    Ok(match (view.start_on, view.end_on) {
        (Some(s), Some(e)) => Some(super::i18n::text(
            lang,
            "registry-period",
            &[("from", Arg::Text(day(s))), ("to", Arg::Text(day(e)))],
        )?),
        (Some(s), None) => Some(super::i18n::text(
            lang,
            "registry-period-from",
            &[("from", Arg::Text(day(s)))],
        )?),
        (None, Some(e)) => Some(super::i18n::text(
            lang,
            "registry-period-to",
            &[("to", Arg::Text(day(e)))],
        )?),
        (None, None) => None,
    })
}

fn project_item(
    view: &ProjectView,
    facts: &HashMap<String, OrganisationFacts>,
    lang: Lang,
) -> AppResult<ProjectItem> {
    Ok(ProjectItem {
        id: view.id.clone(),
        title: view.title.clone(),
        organisation: org_ref(&view.reporting_org_id, facts, lang)?,
        countries: view
            .countries
            .iter()
            .map(|c| format::country(c, lang))
            .collect(),
        themes: view.themes.iter().map(|t| theme_name(t, lang)).collect(),
        status: status_name(view.status.as_str(), lang)?,
        period: period(view, lang)?,
        budget: budget_text(view.budget.as_deref(), view.currency.as_deref(), lang),
    })
}

/// The organisations a search names (its projects' and its organisation facet's).
fn search_organisations(
    conn: &mut DbConn,
    view: &SearchView,
) -> AppResult<HashMap<String, OrganisationFacts>> {
    let mut ids: Vec<String> = view
        .items
        .iter()
        .map(|p| p.reporting_org_id.clone())
        .chain(view.facets.org_id.iter().map(|f| f.value.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    Ok(store::organisation_facts(conn, &ids)?)
}

// ---------------------------------------------------------------------------------------
// Needs and offers

/// A need or an offer, as the public pages list it: what a reader needs to tell whether
/// they could help or be helped, in their language.
#[derive(Debug, Clone, Serialize)]
pub struct NeedOrOffer {
    pub id: String,
    /// `need` or `offer`.
    pub kind: &'static str,
    pub title: String,
    pub organisation: String,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    /// The kinds of help asked for or given.
    pub help: Vec<String>,
    pub period: String,
    /// A need's budget or an offer's capacity, in the reader's numbers.
    pub amount: Option<String>,
    pub link: Option<String>,
}

fn period_between(
    start: chrono::NaiveDate,
    end: chrono::NaiveDate,
    lang: Lang,
) -> AppResult<String> {
    super::i18n::text(
        lang,
        "registry-period",
        &[
            ("from", Arg::Text(format::date(start, lang))),
            ("to", Arg::Text(format::date(end, lang))),
        ],
    )
}

fn help_names(kinds: &[crate::needs::rules::HelpKind], lang: Lang) -> AppResult<Vec<String>> {
    kinds
        .iter()
        .map(|k| super::i18n::text(lang, &format!("help-kind-{}", k.as_str()), &[]))
        .collect()
}

pub(super) fn listed_need(n: crate::needs::model::NeedView, lang: Lang) -> AppResult<NeedOrOffer> {
    Ok(NeedOrOffer {
        period: period_between(n.start_on, n.end_on, lang)?,
        help: help_names(&n.kinds, lang)?,
        amount: budget_text(n.budget.as_deref(), n.currency.as_deref(), lang),
        countries: vec![format::country(&n.country, lang)],
        themes: n.themes.iter().map(|t| theme_name(t, lang)).collect(),
        id: n.id,
        kind: "need",
        title: n.title,
        organisation: n.organisation_name,
        link: n.link,
    })
}

pub(super) fn listed_offer(
    o: crate::needs::model::OfferView,
    lang: Lang,
) -> AppResult<NeedOrOffer> {
    Ok(NeedOrOffer {
        period: period_between(o.start_on, o.end_on, lang)?,
        help: help_names(&o.kinds, lang)?,
        amount: budget_text(o.capacity.as_deref(), o.currency.as_deref(), lang),
        countries: o
            .countries
            .iter()
            .map(|c| format::country(c, lang))
            .collect(),
        themes: o.themes.iter().map(|t| theme_name(t, lang)).collect(),
        id: o.id,
        kind: "offer",
        title: o.title,
        organisation: o.organisation_name,
        link: o.link,
    })
}

/// Where the registry's needs and offers come onto the public pages: the public needs and
/// offers of `organisation_id`, or the open public needs in `country` (`needs::`).
fn needs_and_offers(
    conn: &mut DbConn,
    organisation_id: Option<&str>,
    country: Option<&str>,
    lang: Lang,
) -> AppResult<Vec<NeedOrOffer>> {
    let mut listed = Vec::new();
    if let Some(organisation_id) = organisation_id {
        for n in crate::needs::public_needs_of_organisation(conn, organisation_id)? {
            listed.push(listed_need(n, lang)?);
        }
        for o in crate::needs::public_offers_of_organisation(conn, organisation_id)? {
            listed.push(listed_offer(o, lang)?);
        }
    }
    if let Some(country) = country {
        for n in crate::needs::open_needs_in_country(conn, country)? {
            listed.push(listed_need(n, lang)?);
        }
    }
    Ok(listed)
}

// ---------------------------------------------------------------------------------------
// Search

/// Where each search field's refusal is said.
const SEARCH_PARTS: &[FormPart] = &[
    FormPart::plain("q", "q", "registry-q-invalid"),
    FormPart::plain("country", "q", "registry-filter-invalid"),
    FormPart::plain("theme", "q", "registry-filter-invalid"),
    FormPart::plain("org_id", "q", "registry-filter-invalid"),
    FormPart::plain("status", "q", "registry-filter-invalid"),
    FormPart::plain("cursor", "q", "registry-filter-invalid"),
];

/// The search's query: what was asked, as it stays in every link.
#[derive(Debug, Clone, Default)]
struct Asked {
    q: Option<String>,
    country: Option<String>,
    theme: Option<String>,
    org_id: Option<String>,
    status: Option<String>,
    cursor: Option<String>,
}

impl Asked {
    fn of(req: &HttpRequest) -> Asked {
        Asked {
            q: query_param(req, "q"),
            country: query_param(req, "country"),
            theme: query_param(req, "theme"),
            org_id: query_param(req, "org_id"),
            status: query_param(req, "status"),
            cursor: query_param(req, "cursor"),
        }
    }

    fn pairs(&self) -> Vec<(&'static str, &str)> {
        [
            ("q", &self.q),
            ("country", &self.country),
            ("theme", &self.theme),
            ("org_id", &self.org_id),
            ("status", &self.status),
            ("cursor", &self.cursor),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_deref().map(|v| (k, v)))
        .collect()
    }

    /// The search's link with `name` set to `value` (`None`: removed), from its first page.
    fn with(&self, name: &str, value: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .pairs()
            .into_iter()
            .filter(|(k, _)| *k != name && *k != "cursor")
            .collect();
        if let Some(value) = value {
            pairs.push((name, value));
        }
        search_link(&pairs)
    }
}

/// `/registry` with `pairs` as its query.
fn search_link(pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return PATH.to_string();
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        query.append_pair(k, v);
    }
    format!("{PATH}?{}", query.finish())
}

#[derive(Debug, Serialize)]
struct FacetLink {
    label: String,
    count: String,
    link: String,
    chosen: bool,
}

#[derive(Debug, Serialize)]
struct FacetGroup {
    name: &'static str,
    title: String,
    values: Vec<FacetLink>,
    /// The link that removes this filter, when it is set.
    clear: Option<String>,
}

fn facet_group(
    asked: &Asked,
    name: &'static str,
    counts: &[FacetCount],
    label: impl Fn(&str) -> AppResult<String>,
    lang: Lang,
) -> AppResult<FacetGroup> {
    let current = match name {
        "country" => &asked.country,
        "theme" => &asked.theme,
        "org_id" => &asked.org_id,
        _ => &asked.status,
    };
    let values = counts
        .iter()
        .take(FACET_VALUES)
        .map(|f| {
            Ok(FacetLink {
                label: label(&f.value)?,
                count: format::count(f.count, lang),
                link: asked.with(name, Some(&f.value)),
                chosen: current.as_deref() == Some(f.value.as_str()),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(FacetGroup {
        name,
        title: super::i18n::text(lang, &format!("registry-facet-{name}"), &[])?,
        values,
        clear: current.as_ref().map(|_| asked.with(name, None)),
    })
}

/// The search page: words and facets, from the registry's own search.
#[utoipa::path(responses((status = 200, description = "the registry search", content_type = "text/html"),
                         (status = 422, description = "a filter is refused", content_type = "text/html")))]
#[get("/registry")]
pub async fn search_page(visitor: Visitor, req: HttpRequest) -> AppResult<HttpResponse> {
    let asked = Asked::of(&req);
    let lang = visitor.lang;
    let parsed = model_filters(&asked).and_then(|filters| {
        let page = PageParams {
            limit: Some(PAGE_SIZE),
            cursor: asked.cursor.clone(),
        }
        .page()?;
        Ok((filters, page))
    });
    let (filters, page) = match parsed {
        Ok(parsed) => parsed,
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            let errors =
                field_messages(&visitor, &e, SEARCH_PARTS, ("q", "registry-filter-invalid"))?;
            return search_form(&visitor, &asked, &errors);
        }
        Err(e) => return Err(e),
    };
    let (view, facts) = db::run(&visitor.state.pool, move |conn| {
        let view = search::search(conn, &filters, &Scope::Public, &page)?;
        let facts = search_organisations(conn, &view)?;
        Ok((view, facts))
    })
    .await?;
    let items = view
        .items
        .iter()
        .map(|p| project_item(p, &facts, lang))
        .collect::<AppResult<Vec<_>>>()?;
    let facets = vec![
        facet_group(
            &asked,
            "country",
            &view.facets.country,
            |c| Ok(format::country(c, lang)),
            lang,
        )?,
        facet_group(
            &asked,
            "theme",
            &view.facets.theme,
            |t| Ok(theme_name(t, lang)),
            lang,
        )?,
        facet_group(
            &asked,
            "org_id",
            &view.facets.org_id,
            |o| Ok(org_ref(o, &facts, lang)?.name),
            lang,
        )?,
        facet_group(
            &asked,
            "status",
            &view.facets.status,
            |s| status_name(s, lang),
            lang,
        )?,
    ];
    let next = view.next_cursor.as_deref().map(|cursor| {
        let mut pairs: Vec<(&str, &str)> = asked
            .pairs()
            .into_iter()
            .filter(|(k, _)| *k != "cursor")
            .collect();
        pairs.push(("cursor", cursor));
        search_link(&pairs)
    });
    let first = asked.cursor.as_ref().map(|_| asked.with("cursor", None));
    public_page(
        &visitor,
        StatusCode::OK,
        "registry_search.html",
        context! {
            q => asked.q.clone().unwrap_or_default(),
            hidden => Serde(hidden_filters(&asked)),
            errors => Serde(Vec::<FieldMessage>::new()),
            q_error => None::<String>,
            searched => true,
            total => view.total,
            total_text => format::count(view.total, lang),
            listed => view.listed,
            items => Serde(items),
            facets => Serde(facets),
            next => next,
            first => first,
        },
    )
}

/// The filters set, kept as hidden fields when new words are searched.
fn hidden_filters(asked: &Asked) -> Vec<(&'static str, String)> {
    asked
        .pairs()
        .into_iter()
        .filter(|(k, _)| *k != "q" && *k != "cursor")
        .map(|(k, v)| (k, v.to_string()))
        .collect()
}

fn model_filters(asked: &Asked) -> AppResult<Filters> {
    crate::registry::model::parse_filters(
        asked.q.as_deref(),
        &asked.country,
        &asked.theme,
        &asked.org_id,
        &asked.status,
        None,
        None,
    )
}

/// The search form alone, with what was refused beside the words (422).
fn search_form(
    visitor: &Visitor,
    asked: &Asked,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    visitor.page(
        StatusCode::UNPROCESSABLE_ENTITY,
        "registry_search.html",
        context! {
            q => asked.q.clone().unwrap_or_default(),
            hidden => Serde(Vec::<(&str, String)>::new()),
            errors => Serde(errors),
            q_error => super::message_of(errors, "q"),
            searched => false,
        },
    )
}

// ---------------------------------------------------------------------------------------
// A project

#[derive(Debug, Serialize)]
struct LinkView {
    url: String,
    title: String,
}

/// A public project; 404 for one that does not exist or is not public (unpublished, or
/// its organisation not verified), whoever asks.
#[utoipa::path(responses((status = 200, description = "a public project", content_type = "text/html"),
                         (status = 404, description = "no such public project", content_type = "text/html")))]
#[get("/registry/projects/{id}")]
pub async fn project_page(visitor: Visitor, id: web::Path<String>) -> AppResult<HttpResponse> {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return visitor.not_found();
    };
    let id = id.to_string();
    let lang = visitor.lang;
    let found = db::run(&visitor.state.pool, move |conn| {
        let (row, verified) = match crate::registry::visible_project(conn, &id, &Scope::Public) {
            Ok(found) => found,
            Err(e) if e.code == ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        let view = row.into_view(verified)?;
        let mut ids: Vec<String> = std::iter::once(view.reporting_org_id.clone())
            .chain(view.funding_org_ids.iter().cloned())
            .chain(view.implementing_org_ids.iter().cloned())
            .collect();
        ids.sort();
        ids.dedup();
        let facts = store::organisation_facts(conn, &ids)?;
        Ok(Some((view, facts)))
    })
    .await?;
    let Some((view, facts)) = found else {
        return visitor.not_found();
    };
    let refs = |ids: &[String]| {
        ids.iter()
            .map(|o| org_ref(o, &facts, lang))
            .collect::<AppResult<Vec<_>>>()
    };
    let countries: Vec<(String, String)> = view
        .countries
        .iter()
        .map(|c| (c.clone(), format::country(c, lang)))
        .collect();
    let links: Vec<LinkView> = view
        .links
        .iter()
        .map(|l| LinkView {
            url: l.url.clone(),
            title: l.title.clone().unwrap_or_else(|| l.url.clone()),
        })
        .collect();
    public_page(
        &visitor,
        StatusCode::OK,
        "registry_project.html",
        context! {
            item => Serde(project_item(&view, &facts, lang)?),
            description => view.description.clone(),
            countries => Serde(countries),
            funders => Serde(refs(&view.funding_org_ids)?),
            implementers => Serde(refs(&view.implementing_org_ids)?),
            target_groups => view.target_groups.clone(),
            iati => view.iati_identifier.clone(),
            links => Serde(links),
        },
    )
}

// ---------------------------------------------------------------------------------------
// An organisation

/// An organisation's public projects and its needs and offers; 404 for one that is not
/// verified or asked to stay anonymous.
#[utoipa::path(responses((status = 200, description = "an organisation in the registry", content_type = "text/html"),
                         (status = 404, description = "no such public organisation", content_type = "text/html")))]
#[get("/registry/organisations/{id}")]
pub async fn organisation_page(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let Ok(id) = uuid::Uuid::parse_str(&id) else {
        return visitor.not_found();
    };
    let id = id.to_string();
    let lang = visitor.lang;
    let page = match (PageParams {
        limit: Some(PAGE_SIZE),
        cursor: query_param(&req, "cursor"),
    })
    .page()
    {
        Ok(page) => page,
        Err(_) => return visitor.not_found(),
    };
    let asked_cursor = page.after.is_some();
    let found = db::run(&visitor.state.pool, move |conn| {
        let mut facts = store::organisation_facts(conn, std::slice::from_ref(&id))?;
        let Some(org) = facts.remove(&id) else {
            return Ok(None);
        };
        if !rules::organisation_is_public(org.verified, org.listed_anonymously) {
            return Ok(None);
        }
        let filters = Filters {
            org_ids: vec![id.clone()],
            ..Filters::default()
        };
        let view = search::search(conn, &filters, &Scope::Public, &page)?;
        let mut facts = search_organisations(conn, &view)?;
        facts.insert(org.id.clone(), org.clone());
        let needs = needs_and_offers(conn, Some(&id), None, lang)?;
        Ok(Some((org, view, facts, needs)))
    })
    .await?;
    let Some((org, view, facts, needs)) = found else {
        return visitor.not_found();
    };
    let items = view
        .items
        .iter()
        .map(|p| project_item(p, &facts, lang))
        .collect::<AppResult<Vec<_>>>()?;
    let here = format!("{PATH}/organisations/{}", org.id);
    let next = view
        .next_cursor
        .as_deref()
        .map(|c| format!("{here}?cursor={c}"));
    public_page(
        &visitor,
        StatusCode::OK,
        "registry_organisation.html",
        context! {
            name => org.name.clone(),
            kind => visitor.text(&format!("org-kind-{}", org.kind.as_str()), &[])?,
            country => format::country(&org.country, lang),
            country_code => org.country.clone(),
            total => view.total,
            total_text => format::count(view.total, lang),
            items => Serde(items),
            search => search_link(&[("org_id", org.id.as_str())]),
            next => next,
            first => asked_cursor.then_some(here),
            needs => Serde(needs),
        },
    )
}

// ---------------------------------------------------------------------------------------
// A country

#[derive(Debug, Serialize)]
struct ThemeCell {
    code: String,
    name: String,
    projects: i64,
    shown: String,
    budget_usd: String,
}

#[derive(Debug, Serialize)]
struct WhoDoesWhat {
    organisation: OrgRef,
    projects: String,
    themes: Vec<String>,
}

/// The four P of the matrix row of `country`: every theme, with its cell's projects (the
/// small-cell rule) and budget share, 0 where no project works.
fn theme_row(view: &MatrixView, country: &str, lang: Lang) -> AppResult<Vec<ThemeCell>> {
    taxonomy::TOP_THEMES
        .iter()
        .map(|theme| {
            let cell = view
                .cells
                .iter()
                .find(|c| c.row == country && c.col == *theme);
            let projects = cell.map_or(0, |c| c.projects);
            Ok(ThemeCell {
                code: theme.to_string(),
                name: theme_name(theme, lang),
                projects,
                shown: match cell {
                    // an empty cell is not listed by the JSON: a zero every reader knows
                    None => format::count(0, lang),
                    Some(c) => shown_count(c.projects, lang),
                },
                budget_usd: usd(cell.map_or("0.00", |c| c.budget_usd.as_str()), lang)?,
            })
        })
        .collect()
}

/// Who does what in a country: its organisations and their themes, the projects per theme,
/// the themes where no project runs today (gaps) and its open needs. An unknown country
/// code answers 404.
#[utoipa::path(responses((status = 200, description = "a country in the registry", content_type = "text/html"),
                         (status = 404, description = "no such country", content_type = "text/html")))]
#[get("/registry/countries/{code}")]
pub async fn country_page(visitor: Visitor, code: web::Path<String>) -> AppResult<HttpResponse> {
    let code = code.into_inner();
    let mut invalid = Vec::new();
    crate::platform::country("country", &code, &mut invalid);
    if !invalid.is_empty() {
        return visitor.not_found();
    }
    let lang = visitor.lang;
    let today = crate::clock::today();
    let asked = code.clone();
    let (view, who, themes, gaps, facts, needs) = db::run(&visitor.state.pool, move |conn| {
        let filters = Filters {
            countries: vec![asked.clone()],
            ..Filters::default()
        };
        let page = Page {
            limit: PAGE_SIZE,
            after: None,
        };
        let view = search::search(conn, &filters, &Scope::Public, &page)?;
        let who = search::matrix(
            conn,
            &filters,
            &Scope::Public,
            MatrixAxis::Organisation,
            MatrixAxis::Theme,
        )?;
        let themes = search::matrix(
            conn,
            &filters,
            &Scope::Public,
            MatrixAxis::Country,
            MatrixAxis::Theme,
        )?;
        let gaps: GapsView =
            search::gaps(conn, &Scope::Public, Some(vec![asked.clone()]), None, today)?;
        let mut facts = search_organisations(conn, &view)?;
        let more: Vec<String> = who.row_values.clone();
        facts.extend(store::organisation_facts(conn, &more)?);
        let needs = needs_and_offers(conn, None, Some(&asked), lang)?;
        Ok((view, who, themes, gaps, facts, needs))
    })
    .await?;
    let items = view
        .items
        .iter()
        .map(|p| project_item(p, &facts, lang))
        .collect::<AppResult<Vec<_>>>()?;
    // who does what: each organisation with the themes it works on there, most projects
    // first (the search's organisation facet counts them once each)
    let mut actors = Vec::new();
    for facet in &view.facets.org_id {
        let mut worked: Vec<&str> = who
            .cells
            .iter()
            .filter(|c| c.row == facet.value && c.projects > 0)
            .map(|c| c.col.as_str())
            .collect();
        worked.sort_by_key(|t| taxonomy::TOP_THEMES.iter().position(|p| p == t));
        actors.push(WhoDoesWhat {
            organisation: org_ref(&facet.value, &facts, lang)?,
            projects: format::count(facet.count, lang),
            themes: worked.iter().map(|t| theme_name(t, lang)).collect(),
        });
    }
    let gap_names: Vec<String> = gaps
        .gaps
        .iter()
        .map(|g| theme_name(&g.theme, lang))
        .collect();
    let more = view
        .next_cursor
        .as_ref()
        .map(|_| search_link(&[("country", code.as_str())]));
    public_page(
        &visitor,
        StatusCode::OK,
        "registry_country.html",
        context! {
            code => code.clone(),
            name => format::country(&code, lang),
            total => view.total,
            total_text => format::count(view.total, lang),
            budget_usd => usd(&themes.totals.budget_usd, lang)?,
            themes => Serde(theme_row(&themes, &code, lang)?),
            actors => Serde(actors),
            gaps => gap_names,
            gaps_on => format::date(gaps.on, lang),
            items => Serde(items),
            more => more,
            needs => Serde(needs),
        },
    )
}

// ---------------------------------------------------------------------------------------
// The matrix

#[derive(Debug, Serialize)]
struct MatrixRow {
    code: String,
    name: String,
    cells: Vec<ThemeCell>,
}

/// Who does what where: projects and budgets per country × theme (the four P), with the
/// fund page's small-cell rule on the project counts; the same figures as
/// `GET /api/v1/registry/matrix`.
#[utoipa::path(responses((status = 200, description = "the who-does-what-where matrix", content_type = "text/html")))]
#[get("/registry/matrix")]
pub async fn matrix_page(visitor: Visitor) -> AppResult<HttpResponse> {
    let lang = visitor.lang;
    let view = db::run(&visitor.state.pool, move |conn| {
        search::matrix(
            conn,
            &Filters::default(),
            &Scope::Public,
            MatrixAxis::Country,
            MatrixAxis::Theme,
        )
    })
    .await?;
    let mut rows: Vec<MatrixRow> = view
        .row_values
        .iter()
        .map(|code| {
            Ok(MatrixRow {
                code: code.clone(),
                name: format::country(code, lang),
                cells: theme_row(&view, code, lang)?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    rows.sort_by_cached_key(|r| super::format::sort_key(&r.name));
    let themes: Vec<(String, String)> = taxonomy::TOP_THEMES
        .iter()
        .map(|t| (t.to_string(), theme_name(t, lang)))
        .collect();
    public_page(
        &visitor,
        StatusCode::OK,
        "registry_matrix.html",
        context! {
            themes => Serde(themes),
            rows => Serde(rows),
            total => view.totals.projects,
            total_text => format::count(view.totals.projects, lang),
            budget_usd => usd(&view.totals.budget_usd, lang)?,
            outside_usd => usd(&view.outside_cells.budget_usd, lang)?,
            unconverted => view.totals.unconverted_projects,
            folded => view.duplicates_folded,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_public_only_for_a_reader_without_session_or_new_cookie() {
        assert_eq!(cache_control(false, false), "public, max-age=300");
        assert_eq!(cache_control(false, true), "private, max-age=300");
        assert_eq!(cache_control(true, false), "no-store");
        assert_eq!(cache_control(true, true), "no-store");
    }

    #[test]
    fn links_keep_the_other_filters_and_start_again_at_the_first_page() {
        let asked = Asked {
            q: Some("shelter girls".into()),
            country: Some("NG".into()),
            cursor: Some("0190".into()),
            ..Asked::default()
        };
        assert_eq!(
            asked.with("theme", Some("protection")),
            "/registry?q=shelter+girls&country=NG&theme=protection"
        );
        assert_eq!(asked.with("country", None), "/registry?q=shelter+girls");
        assert_eq!(Asked::default().with("status", None), "/registry");
    }

    #[test]
    fn themes_are_named_in_the_readers_language() {
        assert_eq!(theme_name("protection", Lang::En), "Protection");
        assert_eq!(theme_name("protection.shelter", Lang::En), "Shelter");
        assert_eq!(theme_name("nope", Lang::Fr), "nope");
        for lang in Lang::ALL {
            for theme in taxonomy::themes() {
                assert_ne!(theme_name(theme, lang), theme, "{theme} in {lang:?}");
            }
        }
    }
}
