//! Registry types: requests that validate into a `ProjectDraft` (valid by construction),
//! the views sent back, and the query parameters of search, matrix and gaps.

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, FieldError};
use crate::money::{Currency, DecimalString, Money};
use crate::platform::{bounded_list, country, double_option, link, required_line, validated};
use crate::{taxonomy, text_enum};

pub const MAX_TITLE: usize = 500;
pub const MAX_DESCRIPTION: usize = 20_000;
pub const MAX_COUNTRIES: usize = 60;
pub const MAX_THEMES: usize = 30;
pub const MAX_ORGS: usize = 50;
pub const MAX_TARGET_GROUPS: usize = 20;
pub const MAX_TARGET_GROUP: usize = 100;
pub const MAX_IATI_IDENTIFIER: usize = 200;
pub const MAX_LINKS: usize = 10;
pub const MAX_LINK_TITLE: usize = 200;

text_enum!(
    /// Where a project stands.
    ProjectStatus {
        Pipeline => "pipeline",
        Active => "active",
        Completed => "completed",
    }
);

text_enum!(
    /// How a project came into the registry.
    ProjectSource {
        Manual => "manual",
        Iati => "iati",
        Grant => "grant",
    }
);

text_enum!(
    /// The part an organisation plays in a project (IATI's organisation roles).
    ParticipantRole {
        Funding => "funding",
        Accountable => "accountable",
        Extending => "extending",
        Implementing => "implementing",
    }
);

/// An organisation taking part: a registered organisation by id, or (from IATI files)
/// one known only by its name and reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Participant {
    pub role: ParticipantRole,
    pub organisation_id: Option<String>,
    pub name: Option<String>,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
}

/// A link to one of the project's own pages (its site, a report, a page on a donor's
/// site). The service stores and shows it and never fetches it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectLink {
    /// An absolute `https://` address without user name or password, at most 2,000
    /// characters; stored as a browser reads it (host lower-cased, an empty path as `/`).
    #[schema(example = "https://example.org/projects/safe-houses")]
    pub url: String,
    /// A short title, one line of at most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub title: Option<String>,
}

/// A project as the registry stores it, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectDraft {
    pub title: String,
    pub description: String,
    pub reporting_org_id: String,
    pub participants: Vec<Participant>,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub target_groups: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub budget: Option<Money>,
    pub status: ProjectStatus,
    pub iati_identifier: Option<String>,
    pub published: bool,
    /// How the budget is shared across countries, regions and themes.
    pub split: BudgetSplit,
    pub links: Vec<ProjectLink>,
}

/// A recipient region of an IATI activity: its code (`298`, Africa regional, in the OECD
/// DAC vocabulary; another vocabulary as `vocabulary:code`) and, when the file gave the
/// places' percentages, its share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub code: String,
    pub percentage: Option<Decimal>,
}

/// How a project's budget is shared out in the who-does-what-where figures: by the
/// percentages its IATI file gave, kept here, or evenly where none were given. Countries
/// and regions share the budget together (IATI's rule: their percentages sum to 100);
/// themes share it with whatever else the activity's sectors cover, so theme percentages
/// may sum to less than 100 (the rest is the project's work outside anti-trafficking).
/// Projects registered by hand give no percentages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetSplit {
    /// One per country, in the project's order; `None`: countries and regions share evenly.
    pub country_percentages: Option<Vec<Decimal>>,
    pub regions: Vec<Region>,
    /// One per theme, in the project's order; `None`: the themes share evenly.
    pub theme_percentages: Option<Vec<Decimal>>,
}

impl BudgetSplit {
    /// The split after an edit: percentages of a list the edit changed no longer say
    /// anything, so that list is shared evenly again.
    pub fn after_edit(
        &self,
        before: &ProjectDraft,
        countries: &[String],
        themes: &[String],
    ) -> Self {
        let mut split = self.clone();
        if before.countries != countries {
            split.country_percentages = None;
            for region in &mut split.regions {
                region.percentage = None;
            }
        }
        if before.themes != themes {
            split.theme_percentages = None;
        }
        split
    }
}

impl ProjectDraft {
    /// Ids of every registered organisation taking part, the reporting one first.
    pub fn organisation_ids(&self) -> Vec<String> {
        let mut ids = vec![self.reporting_org_id.clone()];
        for p in &self.participants {
            if let Some(id) = &p.organisation_id
                && !ids.contains(id)
            {
                ids.push(id.clone());
            }
        }
        ids
    }

    pub fn org_ids_of(&self, role: ParticipantRole) -> Vec<String> {
        self.participants
            .iter()
            .filter(|p| p.role == role)
            .filter_map(|p| p.organisation_id.clone())
            .collect()
    }
}

/// `POST /registry/projects`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub reporting_org_id: String,
    #[serde(default)]
    pub funding_org_ids: Vec<String>,
    #[serde(default)]
    pub implementing_org_ids: Vec<String>,
    /// ISO 3166-1 alpha-2 codes; at least one.
    pub countries: Vec<String>,
    /// Theme codes of the taxonomy (`protection`, `protection.shelter`, ...); at least one.
    pub themes: Vec<String>,
    #[serde(default)]
    pub target_groups: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    /// Decimal string, e.g. "250000.00"; needs `currency`.
    pub budget: Option<DecimalString>,
    /// ISO 4217 code of the budget.
    pub currency: Option<String>,
    pub status: ProjectStatus,
    pub iati_identifier: Option<String>,
    /// Whether the public sees it; true unless said otherwise (and only once the
    /// secretariat has verified the reporting organisation).
    pub published: Option<bool>,
    /// Links to the project's own pages, at most 10.
    #[serde(default)]
    #[schema(max_items = 10)]
    pub links: Vec<ProjectLink>,
}

/// Raw fields shared by creation, patches and overlap drafts, checked together.
#[derive(Debug, Clone, Default)]
pub struct ProjectFields {
    pub title: Option<String>,
    pub description: Option<String>,
    pub reporting_org_id: Option<String>,
    pub funding_org_ids: Option<Vec<String>>,
    pub implementing_org_ids: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub themes: Option<Vec<String>>,
    pub target_groups: Option<Vec<String>>,
    pub start_on: Option<Option<NaiveDate>>,
    pub end_on: Option<Option<NaiveDate>>,
    pub budget: Option<Option<Decimal>>,
    pub currency: Option<Option<String>>,
    pub status: Option<ProjectStatus>,
    pub iati_identifier: Option<Option<String>>,
    pub published: Option<bool>,
    pub links: Option<Vec<ProjectLink>>,
}

impl CreateProject {
    pub fn fields(self) -> ProjectFields {
        ProjectFields {
            title: Some(self.title),
            description: Some(self.description),
            reporting_org_id: Some(self.reporting_org_id),
            funding_org_ids: Some(self.funding_org_ids),
            implementing_org_ids: Some(self.implementing_org_ids),
            countries: Some(self.countries),
            themes: Some(self.themes),
            target_groups: Some(self.target_groups),
            start_on: Some(self.start_on),
            end_on: Some(self.end_on),
            budget: Some(self.budget.map(|b| b.0)),
            currency: Some(self.currency),
            status: Some(self.status),
            iati_identifier: Some(self.iati_identifier),
            published: Some(self.published.unwrap_or(true)),
            links: Some(self.links),
        }
    }

    pub fn validate(self) -> Result<ProjectDraft, AppError> {
        self.fields().into_draft(None)
    }
}

/// `PATCH /registry/projects/{id}`: absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    pub title: Option<String>,
    pub description: Option<String>,
    pub reporting_org_id: Option<String>,
    pub funding_org_ids: Option<Vec<String>>,
    pub implementing_org_ids: Option<Vec<String>>,
    pub countries: Option<Vec<String>>,
    pub themes: Option<Vec<String>>,
    pub target_groups: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub start_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub end_on: Option<Option<NaiveDate>>,
    /// `null` removes the budget (and its currency).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub budget: Option<Option<DecimalString>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub currency: Option<Option<String>>,
    pub status: Option<ProjectStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub iati_identifier: Option<Option<String>>,
    pub published: Option<bool>,
    /// The whole list, replacing the stored one (`[]` removes every link).
    #[schema(max_items = 10)]
    pub links: Option<Vec<ProjectLink>>,
}

impl UpdateProject {
    /// The patch applied to `current`, validated as a whole (so an end date before the
    /// kept start date is refused).
    pub fn apply(self, current: &ProjectDraft) -> Result<ProjectDraft, AppError> {
        let budget_cleared = matches!(self.budget, Some(None));
        ProjectFields {
            title: self.title,
            description: self.description,
            reporting_org_id: self.reporting_org_id,
            funding_org_ids: self.funding_org_ids,
            implementing_org_ids: self.implementing_org_ids,
            countries: self.countries,
            themes: self.themes,
            target_groups: self.target_groups,
            start_on: self.start_on,
            end_on: self.end_on,
            budget: self.budget.map(|b| b.map(|d| d.0)),
            currency: if budget_cleared && self.currency.is_none() {
                Some(None)
            } else {
                self.currency
            },
            status: self.status,
            iati_identifier: self.iati_identifier,
            published: self.published,
            links: self.links,
        }
        .into_draft(Some(current))
    }

    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.reporting_org_id.is_none()
            && self.funding_org_ids.is_none()
            && self.implementing_org_ids.is_none()
            && self.countries.is_none()
            && self.themes.is_none()
            && self.target_groups.is_none()
            && self.start_on.is_none()
            && self.end_on.is_none()
            && self.budget.is_none()
            && self.currency.is_none()
            && self.status.is_none()
            && self.iati_identifier.is_none()
            && self.published.is_none()
            && self.links.is_none()
    }
}

/// `POST /registry/overlap-check`: a draft, every field optional; what is given must be
/// valid.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverlapCheck {
    pub title: Option<String>,
    pub description: Option<String>,
    pub reporting_org_id: Option<String>,
    #[serde(default)]
    pub funding_org_ids: Vec<String>,
    #[serde(default)]
    pub implementing_org_ids: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub target_groups: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub budget: Option<DecimalString>,
    pub currency: Option<String>,
    pub status: Option<ProjectStatus>,
    pub iati_identifier: Option<String>,
    /// Candidates to show, 1 to 50 (default 10).
    pub limit: Option<usize>,
}

/// What an overlap check compares: the parts of a project that can show a duplicate.
#[derive(Debug, Clone, Default)]
pub struct OverlapSubject {
    pub id: Option<String>,
    pub title: String,
    pub description: String,
    pub reporting_org_id: Option<String>,
    pub participants: Vec<Participant>,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
}

impl OverlapCheck {
    pub fn validate(self) -> Result<(OverlapSubject, usize), AppError> {
        let mut errors = Vec::new();
        let limit = match self.limit {
            None => 10,
            Some(n) if (1..=50).contains(&n) => n,
            Some(_) => {
                errors.push(FieldError::new("limit", "must be between 1 and 50"));
                10
            }
        };
        let title = self.title.unwrap_or_default();
        let description = self.description.unwrap_or_default();
        let has_text = !title.trim().is_empty() || !description.trim().is_empty();
        if !has_text && self.countries.is_empty() && self.themes.is_empty() {
            errors.push(FieldError::new(
                "title",
                "give at least a title, a description, countries or themes to compare",
            ));
        }
        let reporting_org_id = self
            .reporting_org_id
            .map(|id| uuid_field("reporting_org_id", &id, &mut errors));
        let mut participants = Vec::new();
        for (role, field, ids) in [
            (
                ParticipantRole::Funding,
                "funding_org_ids",
                self.funding_org_ids,
            ),
            (
                ParticipantRole::Implementing,
                "implementing_org_ids",
                self.implementing_org_ids,
            ),
        ] {
            participants.extend(org_participants(role, field, ids, &mut errors));
        }
        let countries = countries("countries", self.countries, false, &mut errors);
        let themes = themes("themes", self.themes, false, &mut errors);
        check_dates(self.start_on, self.end_on, &mut errors);
        if self.budget.is_some() || self.currency.is_some() {
            budget(self.budget.map(|b| b.0), self.currency, &mut errors);
        }
        if let Some(iati) = &self.iati_identifier {
            iati_identifier("iati_identifier", iati, &mut errors);
        }
        target_groups(self.target_groups, &mut errors);
        let subject = OverlapSubject {
            id: None,
            title: title.trim().to_string(),
            description: description.trim().to_string(),
            reporting_org_id,
            participants,
            countries,
            themes,
            start_on: self.start_on,
            end_on: self.end_on,
        };
        validated((subject, limit), errors)
    }
}

impl From<&ProjectDraft> for OverlapSubject {
    fn from(d: &ProjectDraft) -> Self {
        OverlapSubject {
            id: None,
            title: d.title.clone(),
            description: d.description.clone(),
            reporting_org_id: Some(d.reporting_org_id.clone()),
            participants: d.participants.clone(),
            countries: d.countries.clone(),
            themes: d.themes.clone(),
            start_on: d.start_on,
            end_on: d.end_on,
        }
    }
}

fn uuid_field(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    match uuid::Uuid::parse_str(value) {
        Ok(id) => id.to_string(),
        Err(_) => {
            errors.push(FieldError::new(field, "must be an organisation id (UUID)"));
            value.to_string()
        }
    }
}

fn org_participants(
    role: ParticipantRole,
    field: &str,
    ids: Vec<String>,
    errors: &mut Vec<FieldError>,
) -> Vec<Participant> {
    if !bounded_list(field, &ids, MAX_ORGS, errors) {
        return Vec::new();
    }
    let mut out: Vec<Participant> = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let id = uuid_field(&format!("{field}[{i}]"), id, errors);
        if !out
            .iter()
            .any(|p| p.organisation_id.as_deref() == Some(&id))
        {
            out.push(Participant {
                role,
                organisation_id: Some(id),
                name: None,
                reference: None,
            });
        }
    }
    out
}

fn countries(
    field: &str,
    values: Vec<String>,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    if required && values.is_empty() {
        errors.push(FieldError::new(field, "must name at least one country"));
    }
    if !bounded_list(field, &values, MAX_COUNTRIES, errors) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let code = country(&format!("{field}[{i}]"), value, errors);
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

fn themes(
    field: &str,
    values: Vec<String>,
    required: bool,
    errors: &mut Vec<FieldError>,
) -> Vec<String> {
    if required && values.is_empty() {
        errors.push(FieldError::new(field, "must name at least one theme"));
    }
    if !bounded_list(field, &values, MAX_THEMES, errors) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let code = taxonomy::theme(&format!("{field}[{i}]"), value, errors);
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

fn target_groups(values: Vec<String>, errors: &mut Vec<FieldError>) -> Vec<String> {
    if !bounded_list("target_groups", &values, MAX_TARGET_GROUPS, errors) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let group = required_line(
            &format!("target_groups[{i}]"),
            value,
            MAX_TARGET_GROUP,
            errors,
        );
        if !out.contains(&group) {
            out.push(group);
        }
    }
    out
}

/// Links as given, each checked (`platform::link::https_url`, errors naming
/// `links[i].url` and `links[i].title`); a repeated address is kept once, with its first
/// title.
fn links(values: Vec<ProjectLink>, errors: &mut Vec<FieldError>) -> Vec<ProjectLink> {
    if !bounded_list("links", &values, MAX_LINKS, errors) {
        return Vec::new();
    }
    let mut out: Vec<ProjectLink> = Vec::new();
    for (i, value) in values.into_iter().enumerate() {
        let url = link::https_url(&format!("links[{i}].url"), &value.url, errors);
        let title = value
            .title
            .map(|t| required_line(&format!("links[{i}].title"), &t, MAX_LINK_TITLE, errors));
        if !out.iter().any(|l| l.url == url) {
            out.push(ProjectLink { url, title });
        }
    }
    out
}

fn check_dates(start: Option<NaiveDate>, end: Option<NaiveDate>, errors: &mut Vec<FieldError>) {
    use crate::platform::dates::{Dated, check_some};
    let today = crate::clock::today();
    check_some("start_on", start, Dated::Span, today, errors);
    check_some("end_on", end, Dated::Span, today, errors);
    if let (Some(start), Some(end)) = (start, end)
        && end < start
    {
        errors.push(FieldError::new(
            "end_on",
            format!("must not be before start_on ({start})"),
        ));
    }
}

fn budget(
    amount: Option<Decimal>,
    currency: Option<String>,
    errors: &mut Vec<FieldError>,
) -> Option<Money> {
    match (amount, currency) {
        (None, None) => None,
        (Some(_), None) => {
            errors.push(FieldError::new("currency", "is required with a budget"));
            None
        }
        (None, Some(_)) => {
            errors.push(FieldError::new("budget", "is required with a currency"));
            None
        }
        (Some(amount), Some(code)) => {
            let currency = match Currency::parse(&code) {
                Ok(c) => c,
                Err(e) => {
                    errors.push(FieldError::new("currency", e.to_string()));
                    return None;
                }
            };
            if amount < Decimal::ZERO {
                errors.push(FieldError::new("budget", "must not be negative"));
                return None;
            }
            match Money::new(amount, currency) {
                Ok(m) => Some(m),
                Err(e) => {
                    errors.push(FieldError::new("budget", e.to_string()));
                    None
                }
            }
        }
    }
}

/// An IATI activity identifier: the reporting organisation's identifier, a dash and the
/// activity's own code, e.g. `XM-DAC-41110-PROJ-12`.
pub fn iati_identifier(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let valid = !value.is_empty()
        && value.len() <= MAX_IATI_IDENTIFIER
        && value.contains('-')
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:".contains(c));
    if !valid {
        errors.push(FieldError::new(
            field,
            format!(
                "must be an IATI identifier such as XM-DAC-41110-PROJ-12 (letters, digits, - _ . / :, at most {MAX_IATI_IDENTIFIER})"
            ),
        ));
    }
    value.to_string()
}

impl ProjectFields {
    /// Merges these fields over `current` (a patch) or stands alone (a creation, where
    /// every required field is present), then validates the result, naming every
    /// invalid field at once.
    pub fn into_draft(self, current: Option<&ProjectDraft>) -> Result<ProjectDraft, AppError> {
        let mut errors = Vec::new();
        let title = match (self.title, current) {
            (Some(t), _) => required_line("title", &t, MAX_TITLE, &mut errors),
            (None, Some(c)) => c.title.clone(),
            (None, None) => {
                errors.push(FieldError::new("title", "is required"));
                String::new()
            }
        };
        let description = match (self.description, current) {
            (Some(d), _) => {
                let d = d.trim().to_string();
                if d.chars().count() > MAX_DESCRIPTION {
                    errors.push(FieldError::new(
                        "description",
                        format!("must be at most {MAX_DESCRIPTION} characters"),
                    ));
                }
                d
            }
            (None, Some(c)) => c.description.clone(),
            (None, None) => String::new(),
        };
        let reporting_org_id = match (self.reporting_org_id, current) {
            (Some(id), _) => uuid_field("reporting_org_id", &id, &mut errors),
            (None, Some(c)) => c.reporting_org_id.clone(),
            (None, None) => {
                errors.push(FieldError::new("reporting_org_id", "is required"));
                String::new()
            }
        };
        let mut participants = Vec::new();
        for (role, field, given) in [
            (
                ParticipantRole::Funding,
                "funding_org_ids",
                self.funding_org_ids,
            ),
            (
                ParticipantRole::Implementing,
                "implementing_org_ids",
                self.implementing_org_ids,
            ),
        ] {
            match given {
                Some(ids) => participants.extend(org_participants(role, field, ids, &mut errors)),
                None => participants.extend(
                    current
                        .map(|c| c.participants.iter().filter(|p| p.role == role).cloned())
                        .into_iter()
                        .flatten(),
                ),
            }
        }
        // Accountable and extending organisations only come from IATI files; keep them.
        if let Some(c) = current {
            participants.extend(
                c.participants
                    .iter()
                    .filter(|p| {
                        !matches!(
                            p.role,
                            ParticipantRole::Funding | ParticipantRole::Implementing
                        )
                    })
                    .cloned(),
            );
        }
        let countries = match (self.countries, current) {
            (Some(v), _) => countries("countries", v, true, &mut errors),
            (None, Some(c)) => c.countries.clone(),
            (None, None) => countries("countries", Vec::new(), true, &mut errors),
        };
        let themes = match (self.themes, current) {
            (Some(v), _) => themes("themes", v, true, &mut errors),
            (None, Some(c)) => c.themes.clone(),
            (None, None) => themes("themes", Vec::new(), true, &mut errors),
        };
        let target_groups = match (self.target_groups, current) {
            (Some(v), _) => target_groups(v, &mut errors),
            (None, Some(c)) => c.target_groups.clone(),
            (None, None) => Vec::new(),
        };
        let start_on = match (self.start_on, current) {
            (Some(v), _) => v,
            (None, Some(c)) => c.start_on,
            (None, None) => None,
        };
        let end_on = match (self.end_on, current) {
            (Some(v), _) => v,
            (None, Some(c)) => c.end_on,
            (None, None) => None,
        };
        check_dates(start_on, end_on, &mut errors);
        let current_budget = current.and_then(|c| c.budget);
        let budget = match (self.budget, self.currency) {
            (None, None) => current_budget,
            (amount, currency) => {
                let amount = match amount {
                    Some(a) => a,
                    None => current_budget.map(|m| m.amount()),
                };
                let currency = match currency {
                    Some(c) => c,
                    None => current_budget.map(|m| m.currency().code().to_string()),
                };
                budget(amount, currency, &mut errors)
            }
        };
        let status = match (self.status, current) {
            (Some(s), _) => s,
            (None, Some(c)) => c.status,
            (None, None) => {
                errors.push(FieldError::new("status", "is required"));
                ProjectStatus::Pipeline
            }
        };
        let iati_identifier = match (self.iati_identifier, current) {
            (Some(Some(v)), _) => Some(iati_identifier("iati_identifier", &v, &mut errors)),
            (Some(None), _) => None,
            (None, Some(c)) => c.iati_identifier.clone(),
            (None, None) => None,
        };
        let published = match (self.published, current) {
            (Some(p), _) => p,
            (None, Some(c)) => c.published,
            (None, None) => true,
        };
        let split = current
            .map(|c| c.split.after_edit(c, &countries, &themes))
            .unwrap_or_default();
        let links = match (self.links, current) {
            (Some(v), _) => links(v, &mut errors),
            (None, Some(c)) => c.links.clone(),
            (None, None) => Vec::new(),
        };
        validated(
            ProjectDraft {
                title,
                description,
                reporting_org_id,
                participants,
                countries,
                themes,
                target_groups,
                start_on,
                end_on,
                budget,
                status,
                iati_identifier,
                published,
                split,
                links,
            },
            errors,
        )
    }
}

/// A registry project as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectView {
    pub id: String,
    pub title: String,
    pub description: String,
    pub reporting_org_id: String,
    pub funding_org_ids: Vec<String>,
    pub implementing_org_ids: Vec<String>,
    /// Every organisation taking part, with its role; those not registered here (from
    /// IATI files) by name and reference.
    pub participants: Vec<Participant>,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub target_groups: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, example = "250000.00")]
    pub budget: Option<String>,
    #[schema(value_type = Option<String>, example = "USD")]
    pub currency: Option<String>,
    pub status: ProjectStatus,
    pub iati_identifier: Option<String>,
    pub published: bool,
    /// True while the secretariat has not verified the reporting organisation: the project
    /// is then not public, whatever `published` says (only the organisation's members and
    /// admins see it), and becomes public once the organisation is verified.
    pub awaiting_verification: bool,
    pub source: ProjectSource,
    /// Recipient regions (from IATI files): OECD DAC region codes, another vocabulary's
    /// as `vocabulary:code`.
    pub regions: Vec<String>,
    /// The budget's share of each country, in percent, as the project's IATI file gave
    /// it; `null` when none was given and countries and regions share the budget evenly.
    #[schema(value_type = Option<Vec<String>>, example = json!(["60", "40"]))]
    pub country_percentages: Option<Vec<String>>,
    /// The budget's share of each region, as `country_percentages`.
    #[schema(value_type = Option<Vec<String>>)]
    pub region_percentages: Option<Vec<String>>,
    /// The budget's share of each theme, in percent, from the IATI file's sector
    /// percentages; they may sum to less than 100 when the activity also works outside
    /// anti-trafficking. `null`: the themes share the budget evenly.
    #[schema(value_type = Option<Vec<String>>)]
    pub theme_percentages: Option<Vec<String>>,
    /// Links to the project's own pages, as registered (never fetched by the service).
    pub links: Vec<ProjectLink>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl ProjectView {
    pub fn draft(&self) -> Result<ProjectDraft, AppError> {
        let budget = match (&self.budget, &self.currency) {
            (Some(amount), Some(currency)) => Some(
                Money::parse(amount, currency)
                    .map_err(|e| AppError::internal(format!("project {}: {e}", self.id)))?,
            ),
            _ => None,
        };
        Ok(ProjectDraft {
            title: self.title.clone(),
            description: self.description.clone(),
            reporting_org_id: self.reporting_org_id.clone(),
            participants: self.participants.clone(),
            countries: self.countries.clone(),
            themes: self.themes.clone(),
            target_groups: self.target_groups.clone(),
            start_on: self.start_on,
            end_on: self.end_on,
            budget,
            status: self.status,
            iati_identifier: self.iati_identifier.clone(),
            published: self.published,
            split: self.split()?,
            links: self.links.clone(),
        })
    }

    fn split(&self) -> Result<BudgetSplit, AppError> {
        let corrupt =
            |e: rust_decimal::Error| AppError::internal(format!("project {}: {e}", self.id));
        let parse = |list: &Option<Vec<String>>| -> Result<Option<Vec<Decimal>>, AppError> {
            list.as_ref()
                .map(|l| {
                    l.iter()
                        .map(|p| p.parse::<Decimal>().map_err(corrupt))
                        .collect()
                })
                .transpose()
        };
        let region_percentages = parse(&self.region_percentages)?;
        Ok(BudgetSplit {
            country_percentages: parse(&self.country_percentages)?,
            regions: self
                .regions
                .iter()
                .enumerate()
                .map(|(i, code)| Region {
                    code: code.clone(),
                    percentage: region_percentages.as_ref().and_then(|p| p.get(i).copied()),
                })
                .collect(),
            theme_percentages: parse(&self.theme_percentages)?,
        })
    }
}

/// The answer to a creation: the project and what it may duplicate.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedProjectView {
    #[serde(flatten)]
    pub project: ProjectView,
    /// Projects this one may duplicate, best first (also queued for review).
    pub overlaps: Vec<OverlapCandidateView>,
}

/// A short view of a project, as shown beside an overlap score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProjectSummary {
    pub id: String,
    pub title: String,
    pub reporting_org_id: String,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub status: ProjectStatus,
}

/// Why two projects look alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OverlapReason {
    SameCountry {
        countries: Vec<String>,
    },
    SameTheme {
        themes: Vec<String>,
    },
    OverlappingDates {
        from: NaiveDate,
        to: NaiveDate,
    },
    SharedOrganisations {
        organisation_ids: Vec<String>,
        names: Vec<String>,
    },
    SimilarText {
        similarity: f64,
        shared_words: Vec<String>,
    },
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverlapCandidateView {
    pub project: ProjectSummary,
    /// In [0, 1]; 1 means every signal agrees.
    pub score: f64,
    pub reasons: Vec<OverlapReason>,
    /// The review queue entry of this pair, once there is one.
    pub review_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OverlapsView {
    pub project_id: Option<String>,
    pub candidates: Vec<OverlapCandidateView>,
}

text_enum!(
    /// What reviewers found a flagged pair to be.
    OverlapResolution {
        Duplicate => "duplicate",
        CoFinancing => "co_financing",
        Complementary => "complementary",
    }
);

text_enum!(
    ReviewStatus {
        Open => "open",
        Resolved => "resolved",
    }
);

/// `POST /registry/overlap-reviews/{id}/resolve`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveOverlap {
    #[schema(value_type = String, example = "co_financing")]
    pub resolution: ResolutionInput,
    pub note: Option<String>,
}

/// `POST /registry/overlap-reviews`: records a verdict on any pair, queued or not.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordOverlap {
    pub project_id: String,
    pub other_project_id: String,
    #[schema(value_type = String, example = "duplicate")]
    pub resolution: ResolutionInput,
    pub note: Option<String>,
}

/// A resolution as sent: `co_financing` and `co-financing` are the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum ResolutionInput {
    #[serde(rename = "duplicate")]
    Duplicate,
    #[serde(rename = "co_financing", alias = "co-financing", alias = "cofinancing")]
    CoFinancing,
    #[serde(rename = "complementary")]
    Complementary,
}

impl From<ResolutionInput> for OverlapResolution {
    fn from(r: ResolutionInput) -> Self {
        match r {
            ResolutionInput::Duplicate => OverlapResolution::Duplicate,
            ResolutionInput::CoFinancing => OverlapResolution::CoFinancing,
            ResolutionInput::Complementary => OverlapResolution::Complementary,
        }
    }
}

pub const MAX_NOTE: usize = 2000;

pub fn note(value: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let note = value
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
        errors.push(FieldError::new(
            "note",
            format!("must be at most {MAX_NOTE} characters"),
        ));
    }
    note
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverlapReviewView {
    pub id: String,
    pub project_a: ProjectSummary,
    pub project_b: ProjectSummary,
    pub score: f64,
    pub reasons: Vec<OverlapReason>,
    pub status: ReviewStatus,
    pub resolution: Option<OverlapResolution>,
    pub note: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /registry/projects` parameters. Lists are comma-separated and mean "any of".
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find in title and description (all of them).
    pub q: Option<String>,
    /// Country codes, comma-separated.
    pub country: Option<String>,
    /// Theme codes, comma-separated; a four-P theme also finds its sub-themes.
    pub theme: Option<String>,
    /// Organisation ids (reporting, funding or implementing), comma-separated.
    pub org_id: Option<String>,
    /// Statuses, comma-separated.
    pub status: Option<String>,
    /// Only projects running on this date (YYYY-MM-DD).
    pub active_on: Option<NaiveDate>,
    /// Members and admins: `false` lists only unpublished projects, `true` only published.
    pub published: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// The filters of a search, matrix or gaps query, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub terms: Vec<String>,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub org_ids: Vec<String>,
    pub statuses: Vec<ProjectStatus>,
    pub active_on: Option<NaiveDate>,
    pub published: Option<bool>,
}

fn list(value: &Option<String>) -> Vec<String> {
    value
        .as_deref()
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Parses comma-separated filter values; each bad value is named (`country`, `theme`...).
pub fn parse_filters(
    q: Option<&str>,
    country: &Option<String>,
    theme: &Option<String>,
    org_id: &Option<String>,
    status: &Option<String>,
    active_on: Option<NaiveDate>,
    published: Option<bool>,
) -> Result<Filters, AppError> {
    let mut errors = Vec::new();
    let terms = q.map(super::text::query_terms).unwrap_or_default();
    if q.is_some_and(|q| q.chars().count() > 500) {
        errors.push(FieldError::new("q", "must be at most 500 characters"));
    }
    let mut countries = Vec::new();
    for c in list(country) {
        let mut own = Vec::new();
        crate::platform::country("country", &c, &mut own);
        if own.is_empty() {
            countries.push(c);
        } else {
            errors.extend(own);
        }
    }
    let mut themes = Vec::new();
    for t in list(theme) {
        themes.push(taxonomy::theme("theme", &t, &mut errors));
    }
    let mut org_ids = Vec::new();
    for o in list(org_id) {
        match uuid::Uuid::parse_str(&o) {
            Ok(id) => org_ids.push(id.to_string()),
            Err(_) => errors.push(FieldError::new("org_id", format!("{o:?} is not a UUID"))),
        }
    }
    let mut statuses = Vec::new();
    for s in list(status) {
        match ProjectStatus::ALL.iter().find(|v| v.as_str() == s) {
            Some(v) => statuses.push(*v),
            None => errors.push(FieldError::new(
                "status",
                format!("{s:?} is not one of pipeline, active, completed"),
            )),
        }
    }
    for values in [&mut countries, &mut themes, &mut org_ids] {
        values.sort();
        values.dedup();
    }
    statuses.sort_by_key(|s| s.as_str());
    statuses.dedup();
    validated(
        Filters {
            terms,
            countries,
            themes,
            org_ids,
            statuses,
            active_on,
            published,
        },
        errors,
    )
}

/// One value of a facet and how many matching projects have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: i64,
}

/// Counts per filter value over every project the search matched.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Facets {
    pub country: Vec<FacetCount>,
    pub theme: Vec<FacetCount>,
    /// The 50 organisations with most matching projects.
    pub org_id: Vec<FacetCount>,
    pub status: Vec<FacetCount>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchView {
    pub items: Vec<ProjectView>,
    pub next_cursor: Option<String>,
    /// How many distinct projects matched: a project registered twice (a pair the
    /// overlap review queue resolved as `duplicate`) counts once, as its first registered
    /// record.
    pub total: i64,
    /// How many projects the pages list: `total` plus the later records of duplicates.
    pub listed: i64,
    /// Items of this page that are a later record of a project already counted: item id
    /// → the id of the record that counts.
    pub duplicate_of: std::collections::BTreeMap<String, String>,
    /// Counts over the distinct projects, like `total`.
    pub facets: Facets,
}

text_enum!(
    /// What the rows or columns of the matrix are.
    MatrixAxis {
        Country => "country",
        Theme => "theme",
        SubTheme => "sub_theme",
        Organisation => "organisation",
        Status => "status",
    }
);

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatrixQuery {
    /// `country` (default), `theme` (the four Ps), `sub_theme`, `organisation` or `status`.
    pub rows: Option<String>,
    /// As `rows`; `theme` by default.
    pub cols: Option<String>,
    pub country: Option<String>,
    pub theme: Option<String>,
    pub org_id: Option<String>,
    pub status: Option<String>,
    pub active_on: Option<NaiveDate>,
}

pub fn axis(
    field: &str,
    value: Option<&str>,
    default: MatrixAxis,
) -> Result<MatrixAxis, FieldError> {
    match value {
        None => Ok(default),
        Some(v) => MatrixAxis::ALL
            .iter()
            .find(|a| a.as_str() == v)
            .copied()
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    "must be one of country, theme, sub_theme, organisation, status",
                )
            }),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MoneyAmount {
    #[schema(value_type = String, example = "250000.00")]
    pub amount: String,
    #[schema(value_type = String, example = "EUR")]
    pub currency: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CellOrganisation {
    pub id: String,
    pub name: String,
    pub projects: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatrixCell {
    pub row: String,
    pub col: String,
    pub projects: i64,
    /// Distinct registered organisations taking part in the cell's projects.
    pub organisation_count: i64,
    /// The ten organisations with most projects in the cell.
    pub organisations: Vec<CellOrganisation>,
    /// The cell's share of the budgets that could be expressed in USD.
    #[schema(value_type = String, example = "1250000.00")]
    pub budget_usd: String,
    /// The cell's share of the budgets, in their own currencies.
    pub budget_by_currency: Vec<MoneyAmount>,
    /// Projects whose budget is not in `budget_usd` (no rate to USD yet).
    pub unconverted_projects: i64,
}

/// The matrix's figures over its projects, each counted once with its whole budget.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatrixTotals {
    /// Distinct projects (a duplicate pair counts once).
    pub projects: i64,
    #[schema(value_type = String, example = "1250000.00")]
    pub budget_usd: String,
    pub budget_by_currency: Vec<MoneyAmount>,
    pub unconverted_projects: i64,
}

/// The parts of the budgets that no cell holds: recipient regions' shares on a country
/// axis, the share of sectors outside anti-trafficking on a theme axis, organisations
/// beyond the 100 shown, and whole budgets of projects with no value on an axis.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatrixOutside {
    #[schema(value_type = String, example = "0.00")]
    pub budget_usd: String,
    pub budget_by_currency: Vec<MoneyAmount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MatrixView {
    pub rows: MatrixAxis,
    pub cols: MatrixAxis,
    pub row_values: Vec<String>,
    pub col_values: Vec<String>,
    /// Only the cells with at least one project.
    pub cells: Vec<MatrixCell>,
    /// On an organisation axis only the 100 organisations with most projects are shown;
    /// how many others were left out.
    pub omitted_organisations: i64,
    /// How budgets reach USD.
    pub conversion: String,
    /// The budgets of the cells and `outside_cells` sum to these, currency by currency.
    pub totals: MatrixTotals,
    pub outside_cells: MatrixOutside,
    /// Matching projects left out because they are a later record of a project counted
    /// already (pairs resolved as `duplicate`).
    pub duplicates_folded: i64,
    /// How projects and budgets are counted.
    pub counting: String,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GapsQuery {
    /// Countries to check, comma-separated; by default every country in the registry.
    pub countries: Option<String>,
    /// Themes to check, comma-separated; by default the four Ps.
    pub themes: Option<String>,
    /// The day a project must be running on (default today).
    pub on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GapCell {
    pub country: String,
    pub theme: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GapsView {
    pub on: NaiveDate,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    /// Country × theme cells with no active project on `on`.
    pub gaps: Vec<GapCell>,
    pub covered: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create() -> CreateProject {
        CreateProject {
            title: "Shelter for survivors".into(),
            description: "Safe housing".into(),
            reporting_org_id: uuid::Uuid::now_v7().to_string(),
            funding_org_ids: vec![],
            implementing_org_ids: vec![],
            countries: vec!["NG".into()],
            themes: vec!["protection.shelter".into()],
            target_groups: vec![],
            start_on: NaiveDate::from_ymd_opt(2025, 1, 1),
            end_on: NaiveDate::from_ymd_opt(2026, 1, 1),
            budget: Some(DecimalString(Decimal::new(1000000, 2))),
            currency: Some("USD".into()),
            status: ProjectStatus::Active,
            iati_identifier: None,
            published: None,
            links: vec![],
        }
    }

    fn link(url: &str, title: Option<&str>) -> ProjectLink {
        ProjectLink {
            url: url.into(),
            title: title.map(str::to_string),
        }
    }

    #[test]
    fn links_are_https_addresses_each_named_when_refused() {
        let mut p = create();
        p.links = vec![
            link("https://example.org/shelter", Some("  The project's site ")),
            link("https://Example.org/shelter", None),
            link("https://example.org/report.pdf", None),
        ];
        let draft = p.validate().expect("valid");
        // the same address twice is kept once, with its first title
        assert_eq!(
            draft.links,
            vec![
                link("https://example.org/shelter", Some("The project's site")),
                link("https://example.org/report.pdf", None),
            ]
        );

        let mut bad = create();
        bad.links = vec![
            link("https://example.org/", Some("fine")),
            link("https://example.org/", Some(" ")),
            link("http://example.org/", None),
            link("javascript:alert(1)", Some("two\nlines")),
        ];
        assert_eq!(
            fields_of(bad.validate().expect_err("invalid")),
            vec![
                "links[1].title",
                "links[2].url",
                "links[3].title",
                "links[3].url"
            ]
        );
        let mut many = create();
        many.links = (0..=MAX_LINKS)
            .map(|i| link(&format!("https://example.org/{i}"), None))
            .collect();
        assert_eq!(
            fields_of(many.validate().expect_err("eleven")),
            vec!["links"]
        );

        // a patch without links keeps them; with a list, the list replaces them
        let current = {
            let mut p = create();
            p.links = vec![link("https://example.org/", None)];
            p.validate().expect("valid")
        };
        let kept = UpdateProject {
            title: Some("Renamed".into()),
            ..Default::default()
        };
        assert_eq!(kept.apply(&current).expect("valid").links, current.links);
        let cleared = UpdateProject {
            links: Some(vec![]),
            ..Default::default()
        };
        assert!(cleared.apply(&current).expect("valid").links.is_empty());
    }

    fn fields_of(err: AppError) -> Vec<String> {
        let mut f: Vec<String> = err.errors.into_iter().map(|e| e.field).collect();
        f.sort();
        f
    }

    #[test]
    fn a_valid_project_is_published_by_default() {
        let draft = create().validate().expect("valid");
        assert!(draft.published);
        assert_eq!(draft.budget.map(|b| b.minor_units()), Some(1_000_000));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = create();
        bad.title = " ".into();
        bad.countries = vec!["NG".into(), "ZZ".into()];
        bad.themes = vec!["protection.flying".into()];
        bad.end_on = NaiveDate::from_ymd_opt(2024, 1, 1);
        bad.currency = Some("XYZ".into());
        bad.funding_org_ids = vec!["nope".into()];
        bad.iati_identifier = Some("has space".into());
        let err = bad.validate().expect_err("invalid");
        assert_eq!(
            fields_of(err),
            vec![
                "countries[1]",
                "currency",
                "end_on",
                "funding_org_ids[0]",
                "iati_identifier",
                "themes[0]",
                "title"
            ]
        );
    }

    #[test]
    fn countries_and_themes_are_required_on_creation() {
        let mut bad = create();
        bad.countries = vec![];
        bad.themes = vec![];
        assert_eq!(
            fields_of(bad.validate().expect_err("invalid")),
            vec!["countries", "themes"]
        );
    }

    #[test]
    fn budget_needs_a_currency_and_the_currency_decimals() {
        let mut bad = create();
        bad.currency = None;
        assert_eq!(fields_of(bad.validate().expect_err("x")), vec!["currency"]);
        let mut bad = create();
        bad.budget = Some(DecimalString(Decimal::new(1005, 3)));
        assert_eq!(fields_of(bad.validate().expect_err("x")), vec!["budget"]);
        let mut bad = create();
        bad.budget = Some(DecimalString(Decimal::new(-1, 0)));
        assert_eq!(fields_of(bad.validate().expect_err("x")), vec!["budget"]);
    }

    #[test]
    fn a_patch_is_checked_against_what_it_keeps() {
        let current = create().validate().expect("valid");
        let patch = UpdateProject {
            start_on: Some(NaiveDate::from_ymd_opt(2027, 1, 1)),
            ..Default::default()
        };
        assert_eq!(
            fields_of(patch.apply(&current).expect_err("end before start")),
            vec!["end_on"]
        );
        let clear = UpdateProject {
            budget: Some(None),
            ..Default::default()
        };
        assert_eq!(clear.apply(&current).expect("clears").budget, None);
        let retitle = UpdateProject {
            title: Some("New".into()),
            ..Default::default()
        };
        let next = retitle.apply(&current).expect("valid");
        assert_eq!(next.title, "New");
        assert_eq!(next.countries, current.countries);
    }

    #[test]
    fn filters_name_bad_values() {
        let err = parse_filters(
            Some("shelter"),
            &Some("NG,XX".into()),
            &Some("protection,nonsense".into()),
            &Some("abc".into()),
            &Some("active,dormant".into()),
            None,
            None,
        )
        .expect_err("invalid");
        assert_eq!(fields_of(err), vec!["country", "org_id", "status", "theme"]);
        let ok = parse_filters(
            Some("Shelters"),
            &Some("NG, GH".into()),
            &None,
            &None,
            &Some("active".into()),
            None,
            None,
        )
        .expect("valid");
        assert_eq!(ok.terms, vec!["shelter"]);
        assert_eq!(ok.countries, vec!["GH", "NG"]);
    }
}
