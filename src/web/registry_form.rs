//! `GET/POST /registry/projects/new`: a member of any organisation (an NGO, a government,
//! an agency, a foundation, a company; the `registry` role included) registers one of its
//! organisation's projects from a browser, without the API. The form is the API's
//! `CreateProject`, sent to `registry::create`, the function of `POST /registry/projects`:
//! the same rules, overlap check and review queue. Its refusals are said beside their
//! fields in the reader's language, with what was typed kept; success shows the project
//! and the registered projects it may duplicate.
//!
//! The form asks for up to three countries (the API takes more) and one link to the
//! project's own pages (the API up to ten).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use serde_json::{Value, json};

use super::{Choice, FieldMessage, FormPart, PostedForm, Visitor, field_messages, format};
use crate::auth::policy::Operation;
use crate::auth::{Actor, CurrentUser};
use crate::error::{AppError, AppResult, ErrorCode, FieldError};
use crate::registry::model::{CreateProject, ProjectStatus};
use crate::taxonomy;

pub const PATH: &str = "/registry/projects/new";
/// Countries the form asks for.
const COUNTRIES: usize = 3;

/// What the member typed, given back when the form is refused.
#[derive(Serialize)]
struct Typed {
    title: String,
    description: String,
    countries: Vec<String>,
    themes: Vec<String>,
    status: String,
    start_on: String,
    end_on: String,
    budget: String,
    currency: String,
    link: String,
    published: bool,
}

impl Typed {
    fn empty() -> Typed {
        Typed {
            title: String::new(),
            description: String::new(),
            countries: vec![String::new(); COUNTRIES],
            themes: Vec::new(),
            status: ProjectStatus::Active.as_str().to_string(),
            start_on: String::new(),
            end_on: String::new(),
            budget: String::new(),
            currency: "USD".to_string(),
            link: String::new(),
            published: true,
        }
    }

    fn of(form: &PostedForm) -> Typed {
        Typed {
            title: form.get("title").trim().to_string(),
            description: form.get("description").trim().to_string(),
            countries: (1..=COUNTRIES)
                .map(|i| form.get(&format!("country_{i}")).to_string())
                .collect(),
            themes: taxonomy::themes()
                .filter(|t| form.has(&format!("theme_{t}")))
                .map(str::to_string)
                .collect(),
            status: form.get("status").to_string(),
            start_on: form.get("start_on").trim().to_string(),
            end_on: form.get("end_on").trim().to_string(),
            budget: form.get("budget").trim().to_string(),
            currency: form.get("currency").trim().to_uppercase(),
            link: form.get("link").trim().to_string(),
            published: form.has("published"),
        }
    }

    /// The API's request body: empty optional fields left out, so the API's own rules (and
    /// its messages) decide what is missing or wrong.
    fn body(&self, organisation_id: &str, with_budget: bool) -> Value {
        let mut countries: Vec<&str> = Vec::new();
        for c in self.countries.iter().filter(|c| !c.is_empty()) {
            if !countries.contains(&c.as_str()) {
                countries.push(c);
            }
        }
        let mut body = json!({
            "title": self.title,
            "description": self.description,
            "reporting_org_id": organisation_id,
            "countries": countries,
            "themes": self.themes,
            "status": self.status,
            "published": self.published,
        });
        for (name, value) in [("start_on", &self.start_on), ("end_on", &self.end_on)] {
            if !value.is_empty() {
                body[name] = json!(value);
            }
        }
        if with_budget && !self.budget.is_empty() {
            body["budget"] = json!(self.budget);
            body["currency"] = json!(self.currency);
        }
        if !self.link.is_empty() {
            body["links"] = json!([{ "url": self.link }]);
        }
        body
    }
}

/// Where each of the API's fields is said on the form.
const PARTS: &[FormPart] = &[
    FormPart::plain("title", "title", "project-form-title-invalid"),
    FormPart::plain(
        "description",
        "description",
        "project-form-description-invalid",
    ),
    FormPart::plain("countries", "countries", "project-form-countries-invalid"),
    FormPart::plain("themes", "themes", "project-form-themes-invalid"),
    FormPart::plain("status", "status", "project-form-status-invalid"),
    FormPart::plain("start_on", "start_on", "project-form-date-invalid"),
    FormPart::plain("end_on", "end_on", "project-form-end-invalid"),
    FormPart::plain("budget", "budget", "project-form-budget-invalid"),
    FormPart::plain("currency", "budget", "project-form-budget-invalid"),
    FormPart::plain("links", "link", "project-form-link-invalid"),
];

/// The member registering, with its organisation (`policy::registers_own_projects`); else
/// the answer to send instead.
fn member(
    visitor: &Visitor,
    form: Option<&PostedForm>,
) -> AppResult<Result<(CurrentUser, String), HttpResponse>> {
    visitor.organisation_member(
        form,
        Operation::WriteRegistryProject,
        crate::auth::policy::registers_own_projects,
    )
}

/// The form to register a project of one's organisation.
#[utoipa::path(responses((status = 200, description = "the form", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "a role that registers no projects", content_type = "text/html")))]
#[get("/registry/projects/new")]
pub async fn project_form(visitor: Visitor) -> AppResult<HttpResponse> {
    if let Err(answer) = member(&visitor, None)? {
        return Ok(answer);
    }
    form_page(&visitor, StatusCode::OK, &Typed::empty(), &[])
}

/// Registers the project through the API's own function, then shows it with the
/// registered projects it may duplicate.
#[utoipa::path(responses((status = 200, description = "registered", content_type = "text/html"),
                         (status = 403, description = "no valid CSRF token, or a role that registers no projects", content_type = "text/html"),
                         (status = 422, description = "a field is refused", content_type = "text/html")))]
#[post("/registry/projects/new")]
pub async fn register_project(
    visitor: Visitor,
    req: HttpRequest,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let (user, organisation) = match member(&visitor, Some(&form))? {
        Ok(member) => member,
        Err(answer) => return Ok(answer),
    };
    let typed = Typed::of(&form);
    // A budget that is not a decimal would stop the body at reading, before the rules of
    // the other fields are checked: it is left out of the body and refused beside its
    // field together with whatever else the rules refuse, and nothing is registered.
    let budget_refused =
        !typed.budget.is_empty() && crate::money::parse_decimal(&typed.budget).is_err();
    let body = serde_json::to_vec(&typed.body(&organisation, !budget_refused))
        .map_err(|e| AppError::internal(e.to_string()))?;
    let created = match crate::http::parse_json::<CreateProject>(&body) {
        Ok(project) if budget_refused => {
            let mut errors = project
                .validate()
                .err()
                .map(|e| e.errors)
                .unwrap_or_default();
            errors.push(FieldError::new("budget", "must be a decimal number"));
            Err(AppError::validation(errors))
        }
        Ok(project) => {
            let actor = Actor::for_user(&req, &user);
            crate::registry::create(&visitor.state, &user, actor, project).await
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(created) => {
            let lang = visitor.lang;
            let overlaps: Vec<Overlap> = created
                .overlaps
                .iter()
                .map(|o| Overlap {
                    id: o.project.id.clone(),
                    title: o.project.title.clone(),
                    score: format::count((o.score * 100.0).round() as i64, lang),
                })
                .collect();
            visitor.page(
                StatusCode::OK,
                "registry_project_form.html",
                context! {
                    state => "done",
                    id => created.project.id,
                    title => created.project.title,
                    public => created.project.published && !created.project.awaiting_verification,
                    awaiting => created.project.awaiting_verification,
                    published => created.project.published,
                    overlaps => Serde(overlaps),
                },
            )
        }
        Err(e) if e.code == ErrorCode::ValidationFailed => {
            let errors = field_messages(&visitor, &e, PARTS, ("title", "project-form-refused"))?;
            form_page(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &typed, &errors)
        }
        Err(e) => Err(e),
    }
}

#[derive(Serialize)]
struct Overlap {
    id: String,
    title: String,
    score: String,
}

#[derive(Serialize)]
struct ThemeCheck {
    code: &'static str,
    label: String,
    checked: bool,
}

fn form_page(
    visitor: &Visitor,
    status: StatusCode,
    typed: &Typed,
    errors: &[FieldMessage],
) -> AppResult<HttpResponse> {
    let lang = visitor.lang;
    let themes: Vec<ThemeCheck> = taxonomy::themes()
        .map(|code| ThemeCheck {
            code,
            label: format::earmark(code, lang),
            checked: typed.themes.iter().any(|t| t == code),
        })
        .collect();
    let statuses: Vec<Choice> = super::choices(
        lang,
        "registry-status",
        ProjectStatus::ALL.iter().map(|s| s.as_str()),
    )?;
    let error_of = |field: &str| super::message_of(errors, field);
    visitor.page(
        status,
        "registry_project_form.html",
        context! {
            state => "form",
            typed => Serde(typed),
            countries => Serde(format::countries(lang)),
            themes => Serde(themes),
            statuses => Serde(statuses),
            errors => Serde(errors),
            title_error => error_of("title"),
            description_error => error_of("description"),
            countries_error => error_of("countries"),
            themes_error => error_of("themes"),
            status_error => error_of("status"),
            start_on_error => error_of("start_on"),
            end_on_error => error_of("end_on"),
            budget_error => error_of("budget"),
            link_error => error_of("link"),
        },
    )
}
