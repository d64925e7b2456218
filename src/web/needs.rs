//! Needs and offers of assistance on pages, for the members of any organisation (ADAM
//! without the API): `/registry/needs-and-offers` lists the organisation's own needs and
//! offers and every match of them, with the answers a match waits for; the forms post a
//! need or an offer; a need's page ranks the offers that could meet it (an offer's, the
//! needs it could meet) with the reasons, and proposes a match.
//!
//! Every action is the API's own function (`needs::post_need_as`, `post_offer_as`,
//! `propose_as`, `answer_as`, `match_project_as`): the same rules, emails and audit. The
//! forms ask for up to three countries for an offer (the API takes more).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;

use super::i18n::Lang;
use super::registry::{NeedOrOffer, listed_need, listed_offer};
use super::render::see_other;
use super::{FieldMessage, FormPart, PostedForm, Visitor, field_messages, format};
use crate::auth::policy::Operation;
use crate::auth::{Actor, CurrentUser};
use crate::db;
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::http::Expected;
use crate::ids::{Id, MatchId};
use crate::money::DecimalString;
use crate::needs::model::{CreateNeed, CreateOffer, ProposeMatch};
use crate::needs::rules::{HelpKind, MatchStatus, PostStatus, Reason, Side};
use crate::taxonomy;

/// The organisation's needs and offers, and their matches.
pub const PATH: &str = "/registry/needs-and-offers";
/// Countries the offer form asks for.
const COUNTRIES: usize = 3;
/// Candidates a ranking page shows.
const RANKED: usize = 20;

/// A need or an offer: what the form asks and where it is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Need,
    Offer,
}

impl Kind {
    fn code(self) -> &'static str {
        match self {
            Kind::Need => "need",
            Kind::Offer => "offer",
        }
    }

    fn form_path(self) -> &'static str {
        match self {
            Kind::Need => "/registry/needs/new",
            Kind::Offer => "/registry/offers/new",
        }
    }

    /// The API's name of the amount: a need's budget, an offer's capacity.
    fn amount_field(self) -> &'static str {
        match self {
            Kind::Need => "budget",
            Kind::Offer => "capacity",
        }
    }

    fn countries(self) -> usize {
        match self {
            Kind::Need => 1,
            Kind::Offer => COUNTRIES,
        }
    }
}

/// The member acting, with its organisation; else the answer to send instead (the
/// secretariat, which has none, uses the API, where it names the organisation).
fn member(
    visitor: &Visitor,
    form: Option<&PostedForm>,
) -> AppResult<Result<(CurrentUser, String), HttpResponse>> {
    visitor.organisation_member(
        form,
        Operation::WriteNeedsAndOffers,
        crate::auth::policy::posts_own_needs_and_offers,
    )
}

// ---------------------------------------------------------------------------------------
// The forms

/// What the member typed, given back when the form is refused.
#[derive(Serialize)]
struct Typed {
    title: String,
    description: String,
    countries: Vec<String>,
    themes: Vec<String>,
    kinds: Vec<String>,
    start_on: String,
    end_on: String,
    amount: String,
    currency: String,
    link: String,
    restricted: bool,
}

impl Typed {
    fn empty(kind: Kind) -> Typed {
        Typed {
            title: String::new(),
            description: String::new(),
            countries: vec![String::new(); kind.countries()],
            themes: Vec::new(),
            kinds: Vec::new(),
            start_on: String::new(),
            end_on: String::new(),
            amount: String::new(),
            currency: "USD".to_string(),
            link: String::new(),
            restricted: false,
        }
    }

    fn of(kind: Kind, form: &PostedForm) -> Typed {
        Typed {
            title: form.get("title").trim().to_string(),
            description: form.get("description").trim().to_string(),
            countries: (1..=kind.countries())
                .map(|i| form.get(&format!("country_{i}")).to_string())
                .collect(),
            themes: taxonomy::themes()
                .filter(|t| form.has(&format!("theme_{t}")))
                .map(str::to_string)
                .collect(),
            kinds: HelpKind::ALL
                .iter()
                .map(|k| k.as_str())
                .filter(|k| form.has(&format!("kind_{k}")))
                .map(str::to_string)
                .collect(),
            start_on: form.get("start_on").trim().to_string(),
            end_on: form.get("end_on").trim().to_string(),
            amount: form.get("amount").trim().to_string(),
            currency: form.get("currency").trim().to_uppercase(),
            link: form.get("link").trim().to_string(),
            restricted: form.has("restricted"),
        }
    }
}

/// What the page reads out of the form before the API's rules: dates and the amount,
/// which the API receives already typed. `errors` gets a refusal for each that does not
/// read; what stands in for it (today, no amount) only lets the other rules speak.
struct Read {
    start_on: NaiveDate,
    end_on: NaiveDate,
    amount: Option<DecimalString>,
    errors: Vec<FieldError>,
}

fn read(kind: Kind, typed: &Typed, today: NaiveDate) -> Read {
    let mut errors = Vec::new();
    let mut date =
        |field: &'static str, text: &str| match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(day) => day,
            Err(_) => {
                errors.push(FieldError::new(field, "must be a date (YYYY-MM-DD)"));
                today
            }
        };
    let start_on = date("start_on", &typed.start_on);
    let end_on = date("end_on", &typed.end_on);
    let amount = if typed.amount.is_empty() {
        None
    } else {
        match crate::money::parse_decimal(&typed.amount) {
            Ok(amount) => Some(DecimalString(amount)),
            Err(_) => {
                errors.push(FieldError::new(
                    kind.amount_field(),
                    "must be a decimal number",
                ));
                None
            }
        }
    };
    Read {
        start_on,
        end_on,
        amount,
        errors,
    }
}

/// The request the API would receive.
enum Request {
    Need(CreateNeed),
    Offer(CreateOffer),
}

fn request(kind: Kind, typed: &Typed, read: &Read) -> Request {
    let optional = |text: &str| (!text.is_empty()).then(|| text.to_string());
    let currency = if read.amount.is_some() {
        optional(&typed.currency)
    } else {
        None
    };
    let kinds: Vec<HelpKind> = HelpKind::ALL
        .iter()
        .copied()
        .filter(|k| typed.kinds.iter().any(|t| t == k.as_str()))
        .collect();
    match kind {
        Kind::Need => Request::Need(CreateNeed {
            organisation_id: None,
            title: typed.title.clone(),
            description: typed.description.clone(),
            country: typed.countries.first().cloned().unwrap_or_default(),
            themes: typed.themes.clone(),
            kinds,
            start_on: read.start_on,
            end_on: read.end_on,
            budget: read.amount,
            currency,
            link: optional(&typed.link),
            restricted: typed.restricted,
        }),
        Kind::Offer => {
            let mut countries: Vec<String> = Vec::new();
            for c in typed.countries.iter().filter(|c| !c.is_empty()) {
                if !countries.contains(c) {
                    countries.push(c.clone());
                }
            }
            Request::Offer(CreateOffer {
                organisation_id: None,
                title: typed.title.clone(),
                description: typed.description.clone(),
                countries,
                themes: typed.themes.clone(),
                kinds,
                start_on: read.start_on,
                end_on: read.end_on,
                capacity: read.amount,
                currency,
                link: optional(&typed.link),
                restricted: typed.restricted,
            })
        }
    }
}

/// Where each of the API's fields is said on the form.
const PARTS: &[FormPart] = &[
    FormPart::plain("title", "title", "post-form-title-invalid"),
    FormPart::plain(
        "description",
        "description",
        "post-form-description-invalid",
    ),
    FormPart::plain("country", "countries", "post-form-countries-invalid"),
    FormPart::plain("countries", "countries", "post-form-countries-invalid"),
    FormPart::plain("themes", "themes", "post-form-themes-invalid"),
    FormPart::plain("kinds", "kinds", "post-form-kinds-invalid"),
    FormPart::plain("start_on", "start_on", "post-form-start-invalid"),
    FormPart::plain("end_on", "end_on", "post-form-end-invalid"),
    FormPart::plain("budget", "amount", "post-form-amount-invalid"),
    FormPart::plain("capacity", "amount", "post-form-amount-invalid"),
    FormPart::plain("currency", "amount", "post-form-amount-invalid"),
    FormPart::plain("link", "link", "post-form-link-invalid"),
];

#[utoipa::path(responses((status = 200, description = "the form", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "not a member of an organisation", content_type = "text/html")))]
#[get("/registry/needs/new")]
pub async fn need_form(visitor: Visitor) -> AppResult<HttpResponse> {
    empty_form(&visitor, Kind::Need)
}

#[utoipa::path(responses((status = 200, description = "the form", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "not a member of an organisation", content_type = "text/html")))]
#[get("/registry/offers/new")]
pub async fn offer_form(visitor: Visitor) -> AppResult<HttpResponse> {
    empty_form(&visitor, Kind::Offer)
}

fn empty_form(visitor: &Visitor, kind: Kind) -> AppResult<HttpResponse> {
    if let Err(answer) = member(visitor, None)? {
        return Ok(answer);
    }
    form_page(visitor, kind, StatusCode::OK, &Typed::empty(kind), &[])
}

/// Posts the need through the API's function, then shows the offers that could meet it.
#[utoipa::path(responses((status = 303, description = "posted: to the offers that could meet it"),
                         (status = 403, description = "no valid CSRF token, or not a member of an organisation", content_type = "text/html"),
                         (status = 422, description = "a field is refused", content_type = "text/html")))]
#[post("/registry/needs/new")]
pub async fn post_need(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    post_form(&visitor, &req, &form, Kind::Need).await
}

/// Posts the offer through the API's function, then shows the needs it could meet.
#[utoipa::path(responses((status = 303, description = "posted: to the needs it could meet"),
                         (status = 403, description = "no valid CSRF token, or not a member of an organisation", content_type = "text/html"),
                         (status = 422, description = "a field is refused", content_type = "text/html")))]
#[post("/registry/offers/new")]
pub async fn post_offer(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    post_form(&visitor, &req, &form, Kind::Offer).await
}

async fn post_form(
    visitor: &Visitor,
    req: &HttpRequest,
    form: &PostedForm,
    kind: Kind,
) -> AppResult<HttpResponse> {
    let (user, organisation) = match member(visitor, Some(form))? {
        Ok(member) => member,
        Err(answer) => return Ok(answer),
    };
    let typed = Typed::of(kind, form);
    let today = crate::clock::today();
    let read = read(kind, &typed, today);
    let actor = Actor::for_user(req, &user);
    let posted = match request(kind, &typed, &read) {
        // what did not read is refused with whatever the rules refuse; nothing is posted
        Request::Need(r) if !read.errors.is_empty() => Err(refusal(
            r.fields(organisation)
                .validate(crate::needs::model::PostKind::Need, today)
                .err(),
            read.errors,
        )),
        Request::Offer(r) if !read.errors.is_empty() => Err(refusal(
            r.fields(organisation)
                .validate(crate::needs::model::PostKind::Offer, today)
                .err(),
            read.errors,
        )),
        Request::Need(r) => crate::needs::post_need_as(&visitor.state, &user, actor, r)
            .await
            .map(|n| format!("/registry/needs/{}/offers", n.id)),
        Request::Offer(r) => crate::needs::post_offer_as(&visitor.state, &user, actor, r)
            .await
            .map(|o| format!("/registry/offers/{}/needs", o.id)),
    };
    match posted {
        Ok(next) => Ok(see_other(&next).finish()),
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            let errors = field_messages(visitor, &e, PARTS, ("title", "post-form-refused"))?;
            form_page(
                visitor,
                kind,
                StatusCode::UNPROCESSABLE_ENTITY,
                &typed,
                &errors,
            )
        }
        Err(e) => Err(e),
    }
}

/// The page's own refusals with the rules' (if any), as one 422.
fn refusal(rules: Option<AppError>, mut read: Vec<FieldError>) -> AppError {
    if let Some(e) = rules {
        let more: Vec<FieldError> = e
            .errors
            .into_iter()
            .filter(|r| !read.iter().any(|p| p.field == r.field))
            .collect();
        read.extend(more);
    }
    AppError::validation(read)
}

#[derive(Serialize)]
struct Check {
    code: &'static str,
    label: String,
    checked: bool,
}

fn form_page(
    visitor: &Visitor,
    kind: Kind,
    status: StatusCode,
    typed: &Typed,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    let lang = visitor.lang;
    let themes: Vec<Check> = taxonomy::themes()
        .map(|code| Check {
            code,
            label: format::earmark(code, lang),
            checked: typed.themes.iter().any(|t| t == code),
        })
        .collect();
    let kinds = HelpKind::ALL
        .iter()
        .map(|k| {
            Ok(Check {
                code: k.as_str(),
                label: visitor.text(&format!("help-kind-{}", k.as_str()), &[])?,
                checked: typed.kinds.iter().any(|t| t == k.as_str()),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let error_of = |field: &str| super::message_of(errors, field);
    visitor.page(
        status,
        "registry_post_form.html",
        context! {
            kind => kind.code(),
            action => kind.form_path(),
            typed => Serde(typed),
            countries => Serde(format::countries(lang)),
            themes => Serde(themes),
            kinds => Serde(kinds),
            errors => Serde(errors),
            title_error => error_of("title"),
            description_error => error_of("description"),
            countries_error => error_of("countries"),
            themes_error => error_of("themes"),
            kinds_error => error_of("kinds"),
            start_on_error => error_of("start_on"),
            end_on_error => error_of("end_on"),
            amount_error => error_of("amount"),
            link_error => error_of("link"),
        },
    )
}

// ---------------------------------------------------------------------------------------
// The organisation's needs, offers and matches

/// A match as the organisation's page shows it.
#[derive(Serialize)]
struct MatchItem {
    id: String,
    need_title: String,
    need_organisation: String,
    offer_title: String,
    offer_organisation: String,
    fit: String,
    /// `answer` (it waits for us), `waiting` (for them), `accepted`, `declined`.
    state: &'static str,
    project_id: Option<String>,
    /// The need's side turns an accepted match into a project.
    can_register: bool,
}

/// An own need or offer, with where it stands.
#[derive(Serialize)]
struct OwnPost {
    post: NeedOrOffer,
    /// `public`, `restricted`, `awaiting` (verification), `closed`.
    standing: &'static str,
    ranking: String,
}

fn percent(fit: f64, lang: Lang) -> String {
    format::count((fit * 100.0).round() as i64, lang)
}

#[utoipa::path(responses((status = 200, description = "the organisation's needs, offers and matches", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "not a member of an organisation", content_type = "text/html")))]
#[get("/registry/needs-and-offers")]
pub async fn mine(visitor: Visitor) -> AppResult<HttpResponse> {
    let (_, organisation) = match member(&visitor, None)? {
        Ok(member) => member,
        Err(answer) => return Ok(answer),
    };
    own_page(&visitor, organisation, StatusCode::OK, None).await
}

async fn own_page(
    visitor: &Visitor,
    organisation: String,
    status: StatusCode,
    notice: Option<String>,
) -> AppResult<HttpResponse> {
    let lang = visitor.lang;
    let posts = db::run(&visitor.state.pool, move |conn| {
        crate::needs::organisation_posts(conn, &organisation)
    })
    .await?;
    let standing = |public: bool, restricted: bool, closed: bool| {
        if closed {
            "closed"
        } else if public {
            "public"
        } else if restricted {
            "restricted"
        } else {
            "awaiting"
        }
    };
    let mut own = Vec::new();
    for n in posts.needs {
        let s = standing(n.public, n.restricted, n.status != PostStatus::Open);
        let ranking = format!("/registry/needs/{}/offers", n.id);
        own.push(OwnPost {
            post: listed_need(n, lang)?,
            standing: s,
            ranking,
        });
    }
    for o in posts.offers {
        let s = standing(o.public, o.restricted, o.status != PostStatus::Open);
        let ranking = format!("/registry/offers/{}/needs", o.id);
        own.push(OwnPost {
            post: listed_offer(o, lang)?,
            standing: s,
            ranking,
        });
    }
    let matches: Vec<MatchItem> = posts
        .matches
        .into_iter()
        .map(|m| {
            let v = &m.matched;
            let state = match v.status {
                MatchStatus::Proposed if v.awaiting_side == m.own_side => "answer",
                MatchStatus::Proposed => "waiting",
                MatchStatus::Accepted => "accepted",
                MatchStatus::Declined => "declined",
            };
            MatchItem {
                id: v.id.clone(),
                fit: percent(v.score, lang),
                state,
                can_register: v.status == MatchStatus::Accepted
                    && v.project_id.is_none()
                    && m.own_side == Side::Need,
                project_id: v.project_id.clone(),
                need_title: m.need_title,
                need_organisation: m.need_organisation,
                offer_title: m.offer_title,
                offer_organisation: m.offer_organisation,
            }
        })
        .collect();
    visitor.page(
        status,
        "registry_mine.html",
        context! {
            own => Serde(own),
            matches => Serde(matches),
            notice => notice,
        },
    )
}

// ---------------------------------------------------------------------------------------
// Rankings

/// A candidate of a ranking, with the reasons in the reader's language.
#[derive(Serialize)]
struct Candidate {
    post: NeedOrOffer,
    fit: String,
    reasons: Vec<ReasonItem>,
    /// The match already between the two: `proposed`, `accepted`; none to propose one.
    matched: Option<&'static str>,
}

#[derive(Serialize)]
struct ReasonItem {
    factor: String,
    fit: String,
}

fn reasons(reasons: &[Reason], lang: Lang) -> AppResult<Vec<ReasonItem>> {
    reasons
        .iter()
        .map(|r| {
            Ok(ReasonItem {
                factor: super::i18n::text(
                    lang,
                    &format!("match-factor-{}", r.factor.as_str()),
                    &[],
                )?,
                fit: percent(r.fit, lang),
            })
        })
        .collect()
}

fn matched(status: Option<MatchStatus>) -> Option<&'static str> {
    match status {
        Some(MatchStatus::Proposed) => Some("proposed"),
        Some(MatchStatus::Accepted) => Some("accepted"),
        Some(MatchStatus::Declined) | None => None,
    }
}

/// The offers that could meet one of the organisation's needs, best first, each with a
/// button to propose the match. Another organisation's need answers 404.
#[utoipa::path(responses((status = 200, description = "the offers ranked for the need", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 404, description = "no such need of the organisation", content_type = "text/html")))]
#[get("/registry/needs/{id}/offers")]
pub async fn need_ranking(visitor: Visitor, id: web::Path<String>) -> AppResult<HttpResponse> {
    ranking(&visitor, Kind::Need, &id).await
}

/// The needs one of the organisation's offers could meet, best first.
#[utoipa::path(responses((status = 200, description = "the needs ranked for the offer", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 404, description = "no such offer of the organisation", content_type = "text/html")))]
#[get("/registry/offers/{id}/needs")]
pub async fn offer_ranking(visitor: Visitor, id: web::Path<String>) -> AppResult<HttpResponse> {
    ranking(&visitor, Kind::Offer, &id).await
}

async fn ranking(visitor: &Visitor, kind: Kind, id: &str) -> AppResult<HttpResponse> {
    let (user, organisation) = match member(visitor, None)? {
        Ok(member) => member,
        Err(answer) => return Ok(answer),
    };
    let Ok(id) = uuid::Uuid::parse_str(id) else {
        return visitor.not_found();
    };
    let id = id.to_string();
    let lang = visitor.lang;
    let scope = crate::registry::scope_of(Some(&user));
    let today = crate::clock::today();
    let found = db::run(&visitor.state.pool, move |conn| {
        // only the organisation's own: another's (even public) is not its to match from,
        // and is not ranked for it either
        let subject = match kind {
            Kind::Need => crate::needs::own_need(conn, &id, &organisation)?
                .map(|n| Subject::Need(Box::new(n))),
            Kind::Offer => crate::needs::own_offer(conn, &id, &organisation)?
                .map(|o| Subject::Offer(Box::new(o))),
        };
        let Some(subject) = subject else {
            return Ok(None);
        };
        let ranked = match kind {
            Kind::Need => {
                crate::needs::rank_offers(conn, &id, &scope, RANKED, today).map(Ranked::Offers)
            }
            Kind::Offer => {
                crate::needs::rank_needs(conn, &id, &scope, RANKED, today).map(Ranked::Needs)
            }
        }?;
        Ok(Some((subject, ranked)))
    })
    .await?;
    let Some((subject, ranked)) = found else {
        return visitor.not_found();
    };
    let (subject, subject_id, closed) = match subject {
        Subject::Need(n) => {
            let (id, closed) = (n.id.clone(), n.status != PostStatus::Open);
            (listed_need(*n, lang)?, id, closed)
        }
        Subject::Offer(o) => {
            let (id, closed) = (o.id.clone(), o.status != PostStatus::Open);
            (listed_offer(*o, lang)?, id, closed)
        }
    };
    let candidate = |score: f64, why: &[Reason], status, post| -> AppResult<Candidate> {
        Ok(Candidate {
            fit: percent(score, lang),
            reasons: reasons(why, lang)?,
            matched: matched(status),
            post,
        })
    };
    let candidates = match ranked {
        Ranked::Offers(r) => r
            .items
            .into_iter()
            .map(|c| {
                candidate(
                    c.score,
                    &c.reasons,
                    c.match_status,
                    listed_offer(c.offer, lang)?,
                )
            })
            .collect::<AppResult<Vec<_>>>()?,
        Ranked::Needs(r) => r
            .items
            .into_iter()
            .map(|c| {
                candidate(
                    c.score,
                    &c.reasons,
                    c.match_status,
                    listed_need(c.need, lang)?,
                )
            })
            .collect::<AppResult<Vec<_>>>()?,
    };
    visitor.page(
        StatusCode::OK,
        "registry_ranking.html",
        context! {
            kind => kind.code(),
            subject => Serde(subject),
            subject_id => subject_id,
            closed => closed,
            candidates => Serde(candidates),
        },
    )
}

enum Ranked {
    Offers(crate::needs::model::NeedMatches),
    Needs(crate::needs::model::OfferMatches),
}

enum Subject {
    Need(Box<crate::needs::model::NeedView>),
    Offer(Box<crate::needs::model::OfferView>),
}

// ---------------------------------------------------------------------------------------
// Matches

/// Proposes a match from a ranking page (`need_id`, `offer_id`), then shows the
/// organisation's matches; a refusal is said there.
#[utoipa::path(responses((status = 303, description = "proposed: to the organisation's needs and offers"),
                         (status = 403, description = "no valid CSRF token, or not a member of an organisation", content_type = "text/html"),
                         (status = 404, description = "a need or offer the member may not see", content_type = "text/html"),
                         (status = 409, description = "already proposed or answered", content_type = "text/html"),
                         (status = 422, description = "the two cannot be matched", content_type = "text/html")))]
#[post("/registry/matches/propose")]
pub async fn propose(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let (user, organisation) = match member(&visitor, Some(&form))? {
        Ok(member) => member,
        Err(answer) => return Ok(answer),
    };
    let actor = Actor::for_user(&req, &user);
    let request = ProposeMatch {
        need_id: form.get("need_id").to_string(),
        offer_id: form.get("offer_id").to_string(),
        side: None,
    };
    let done = crate::needs::propose_as(&visitor.state, user, actor, request).await;
    after_action(&visitor, organisation, done.map(|_| ())).await
}

/// Answers a match from the organisation's page: `answer` is `accept`, `decline` (the
/// proposer's side so withdraws it) or `project` (an accepted match becomes a registry
/// project).
#[utoipa::path(responses((status = 303, description = "done: to the organisation's needs and offers"),
                         (status = 403, description = "no valid CSRF token, or not this side's to answer", content_type = "text/html"),
                         (status = 404, description = "not a match of the organisation", content_type = "text/html"),
                         (status = 409, description = "already answered", content_type = "text/html")))]
#[post("/registry/matches/{id}/answer")]
pub async fn answer_match(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let (user, organisation) = match member(&visitor, Some(&form))? {
        Ok(member) => member,
        Err(answer) => return Ok(answer),
    };
    let done = match form.get("answer") {
        "accept" => crate::needs::answer_as(&visitor.state, &req, user, &id, true)
            .await
            .map(|_| ()),
        "decline" => crate::needs::answer_as(&visitor.state, &req, user, &id, false)
            .await
            .map(|_| ()),
        "project" => match MatchId::parse(&id, "id") {
            Ok(match_id) => {
                let actor = Actor::for_user(&req, &user);
                crate::needs::match_project_as(&visitor.state, user, actor, match_id, Expected::Any)
                    .await
                    .map(|_| ())
            }
            Err(e) => Err(e),
        },
        _ => Err(AppError::field(
            "answer",
            "must be accept, decline or project",
        )),
    };
    after_action(&visitor, organisation, done).await
}

/// After a match's action: back to the organisation's page, or that page with what was
/// refused said in the reader's language (nothing changed).
async fn after_action(
    visitor: &Visitor,
    organisation: String,
    done: AppResult<()>,
) -> AppResult<HttpResponse> {
    let (status, key) = match done {
        Ok(()) => return Ok(see_other(PATH).finish()),
        Err(e) => match e.code {
            // a match or a need that is not the organisation's, or no id at all
            ErrorCode::NotFound | ErrorCode::MalformedRequest => return visitor.not_found(),
            ErrorCode::Forbidden => (StatusCode::FORBIDDEN, "match-refused-side"),
            ErrorCode::InvalidState | ErrorCode::Duplicate | ErrorCode::PreconditionFailed => {
                (StatusCode::CONFLICT, "match-refused-conflict")
            }
            ErrorCode::ValidationFailed => {
                (StatusCode::UNPROCESSABLE_ENTITY, "match-refused-invalid")
            }
            _ => return Err(e),
        },
    };
    let notice = visitor.text(key, &[])?;
    own_page(visitor, organisation, status, Some(notice)).await
}
