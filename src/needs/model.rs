//! Requests of needs, offers and matches, which validate into drafts, and the views the API
//! answers with.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rules::{self, HelpKind, MatchStatus, Period, PostStatus, Reason, Side};
use crate::error::{AppError, FieldError};
use crate::money::{Currency, DecimalString, Money};
use crate::platform::{self, double_option};

/// Longest title and description.
pub const MAX_TITLE: usize = 200;
pub const MAX_DESCRIPTION: usize = 5_000;

/// Whether a draft is a need's (one country, a budget) or an offer's (countries, a
/// capacity): the names its fields have in requests and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    Need,
    Offer,
}

impl PostKind {
    fn places_field(self) -> &'static str {
        match self {
            PostKind::Need => "country",
            PostKind::Offer => "countries",
        }
    }

    fn amount_field(self) -> &'static str {
        match self {
            PostKind::Need => "budget",
            PostKind::Offer => "capacity",
        }
    }
}

/// What a need or an offer holds, as sent: checked together by [`PostFields::validate`].
#[derive(Debug, Clone)]
pub struct PostFields {
    pub organisation_id: String,
    pub title: String,
    pub description: String,
    pub places: Vec<String>,
    pub themes: Vec<String>,
    pub kinds: Vec<HelpKind>,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    pub amount: Option<rust_decimal::Decimal>,
    pub currency: Option<String>,
    pub link: Option<String>,
    pub restricted: bool,
    pub status: PostStatus,
}

/// A need or an offer as it may be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PostDraft {
    pub organisation_id: String,
    pub title: String,
    pub description: String,
    /// The need's one country, or the offer's countries.
    pub places: Vec<String>,
    pub themes: Vec<String>,
    pub kinds: Vec<HelpKind>,
    pub period: Period,
    /// The need's budget or the offer's capacity.
    pub amount: Option<Money>,
    pub link: Option<String>,
    pub restricted: bool,
    pub status: PostStatus,
}

impl PostFields {
    /// Every field checked at once: 422 naming each invalid one.
    pub fn validate(self, kind: PostKind, today: NaiveDate) -> Result<PostDraft, AppError> {
        let mut errors: Vec<FieldError> = Vec::new();
        let title = platform::required_line("title", &self.title, MAX_TITLE, &mut errors);
        let description = platform::required_text(
            "description",
            &self.description,
            MAX_DESCRIPTION,
            &mut errors,
        );
        let places_field = kind.places_field();
        let mut places: Vec<String> = Vec::new();
        match kind {
            PostKind::Need => {
                let one = self.places.first().map(String::as_str).unwrap_or("");
                places.push(platform::country(places_field, one, &mut errors));
            }
            PostKind::Offer => {
                if self.places.is_empty() {
                    errors.push(FieldError::new(
                        places_field,
                        "must list at least one country",
                    ));
                } else if platform::bounded_list(
                    places_field,
                    &self.places,
                    platform::MAX_COUNTRIES,
                    &mut errors,
                ) {
                    for (i, c) in self.places.iter().enumerate() {
                        let c = platform::country(&format!("{places_field}[{i}]"), c, &mut errors);
                        if !places.contains(&c) {
                            places.push(c);
                        }
                    }
                }
            }
        }
        let themes = rules::check_themes("themes", &self.themes, &mut errors);
        let kinds = rules::check_kinds("kinds", &self.kinds, &mut errors);
        let period = rules::check_period(self.start_on, self.end_on, today, &mut errors);
        let amount_field = kind.amount_field();
        let amount = match (self.amount, self.currency.as_deref()) {
            (None, None) => None,
            (Some(_), None) => {
                errors.push(FieldError::new(
                    "currency",
                    format!("is required with {amount_field}"),
                ));
                None
            }
            (None, Some(_)) => {
                errors.push(FieldError::new(
                    amount_field,
                    "is required with currency (or leave both out)",
                ));
                None
            }
            (Some(amount), Some(code)) => match Currency::parse(code) {
                Err(e) => {
                    errors.push(FieldError::new("currency", e.to_string()));
                    None
                }
                Ok(currency) => match Money::new(amount, currency) {
                    Err(e) => {
                        errors.push(FieldError::new(amount_field, e.to_string()));
                        None
                    }
                    Ok(m) if !m.is_positive() => {
                        errors.push(FieldError::new(amount_field, "must be more than zero"));
                        None
                    }
                    Ok(m) => Some(m),
                },
            },
        };
        let link = self
            .link
            .as_deref()
            .map(|l| platform::link::https_url("link", l, &mut errors));
        platform::validated(
            PostDraft {
                organisation_id: self.organisation_id,
                title,
                description,
                places,
                themes,
                kinds,
                period,
                amount,
                link,
                restricted: self.restricted,
                status: self.status,
            },
            errors,
        )
    }
}

impl PostDraft {
    /// The fields again, to apply a patch on.
    pub fn fields(&self) -> PostFields {
        PostFields {
            organisation_id: self.organisation_id.clone(),
            title: self.title.clone(),
            description: self.description.clone(),
            places: self.places.clone(),
            themes: self.themes.clone(),
            kinds: self.kinds.clone(),
            start_on: self.period.start,
            end_on: self.period.end,
            amount: self.amount.map(|m| m.amount()),
            currency: self.amount.map(|m| m.currency().code().to_string()),
            link: self.link.clone(),
            restricted: self.restricted,
            status: self.status,
        }
    }
}

/// `POST /registry/needs`: a government or agency asks for help in one country.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateNeed {
    /// The organisation asking; members may leave it out (their own), the secretariat
    /// names it.
    pub organisation_id: Option<String>,
    #[schema(max_length = 200)]
    pub title: String,
    #[schema(max_length = 5000)]
    pub description: String,
    /// ISO 3166-1 alpha-2 code of the country the help is for.
    #[schema(example = "NG")]
    pub country: String,
    /// Theme codes of the taxonomy; at least one.
    pub themes: Vec<String>,
    /// Kinds of help asked for; at least one.
    pub kinds: Vec<HelpKind>,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    /// Decimal string; needs `currency`.
    pub budget: Option<DecimalString>,
    /// ISO 4217 code of the budget.
    pub currency: Option<String>,
    /// An `https://` address with more about the need.
    pub link: Option<String>,
    /// Kept from the public (only the organisation's members and the secretariat see
    /// it); false unless said.
    #[serde(default)]
    pub restricted: bool,
}

/// `POST /registry/offers`: a donor or provider says what help it can give.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOffer {
    /// The organisation offering; members may leave it out (their own), the secretariat
    /// names it.
    pub organisation_id: Option<String>,
    #[schema(max_length = 200)]
    pub title: String,
    #[schema(max_length = 5000)]
    pub description: String,
    /// ISO 3166-1 alpha-2 codes of the countries the offer covers; at least one.
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub kinds: Vec<HelpKind>,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    /// Decimal string: how much the offer can give; needs `currency`.
    pub capacity: Option<DecimalString>,
    pub currency: Option<String>,
    pub link: Option<String>,
    #[serde(default)]
    pub restricted: bool,
}

impl CreateNeed {
    pub fn fields(self, organisation_id: String) -> PostFields {
        PostFields {
            organisation_id,
            title: self.title,
            description: self.description,
            places: vec![self.country],
            themes: self.themes,
            kinds: self.kinds,
            start_on: self.start_on,
            end_on: self.end_on,
            amount: self.budget.map(|b| b.0),
            currency: self.currency,
            link: self.link,
            restricted: self.restricted,
            status: PostStatus::Open,
        }
    }
}

impl CreateOffer {
    pub fn fields(self, organisation_id: String) -> PostFields {
        PostFields {
            organisation_id,
            title: self.title,
            description: self.description,
            places: self.countries,
            themes: self.themes,
            kinds: self.kinds,
            start_on: self.start_on,
            end_on: self.end_on,
            amount: self.capacity.map(|b| b.0),
            currency: self.currency,
            link: self.link,
            restricted: self.restricted,
            status: PostStatus::Open,
        }
    }
}

/// `PATCH /registry/needs/{id}`: absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateNeed {
    pub title: Option<String>,
    pub description: Option<String>,
    pub country: Option<String>,
    pub themes: Option<Vec<String>>,
    pub kinds: Option<Vec<HelpKind>>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    /// `null` removes the budget (and its currency).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub budget: Option<Option<DecimalString>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub currency: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub link: Option<Option<String>>,
    pub restricted: Option<bool>,
    /// `closed` when no more help is looked for.
    pub status: Option<PostStatus>,
}

/// `PATCH /registry/offers/{id}`: absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOffer {
    pub title: Option<String>,
    pub description: Option<String>,
    pub countries: Option<Vec<String>>,
    pub themes: Option<Vec<String>>,
    pub kinds: Option<Vec<HelpKind>>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    /// `null` removes the capacity (and its currency).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub capacity: Option<Option<DecimalString>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub currency: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub link: Option<Option<String>>,
    pub restricted: Option<bool>,
    pub status: Option<PostStatus>,
}

/// A patch's money: a cleared amount clears its currency too.
fn patch_money(
    fields: &mut PostFields,
    amount: Option<Option<DecimalString>>,
    currency: Option<Option<String>>,
) {
    match amount {
        Some(None) => {
            fields.amount = None;
            fields.currency = None;
        }
        Some(Some(a)) => fields.amount = Some(a.0),
        None => {}
    }
    if let Some(c) = currency {
        fields.currency = c;
    }
}

impl UpdateNeed {
    pub fn apply(self, mut f: PostFields) -> PostFields {
        if let Some(v) = self.title {
            f.title = v;
        }
        if let Some(v) = self.description {
            f.description = v;
        }
        if let Some(v) = self.country {
            f.places = vec![v];
        }
        if let Some(v) = self.themes {
            f.themes = v;
        }
        if let Some(v) = self.kinds {
            f.kinds = v;
        }
        if let Some(v) = self.start_on {
            f.start_on = v;
        }
        if let Some(v) = self.end_on {
            f.end_on = v;
        }
        patch_money(&mut f, self.budget, self.currency);
        if let Some(v) = self.link {
            f.link = v;
        }
        if let Some(v) = self.restricted {
            f.restricted = v;
        }
        if let Some(v) = self.status {
            f.status = v;
        }
        f
    }
}

impl UpdateOffer {
    pub fn apply(self, mut f: PostFields) -> PostFields {
        if let Some(v) = self.title {
            f.title = v;
        }
        if let Some(v) = self.description {
            f.description = v;
        }
        if let Some(v) = self.countries {
            f.places = v;
        }
        if let Some(v) = self.themes {
            f.themes = v;
        }
        if let Some(v) = self.kinds {
            f.kinds = v;
        }
        if let Some(v) = self.start_on {
            f.start_on = v;
        }
        if let Some(v) = self.end_on {
            f.end_on = v;
        }
        patch_money(&mut f, self.capacity, self.currency);
        if let Some(v) = self.link {
            f.link = v;
        }
        if let Some(v) = self.restricted {
            f.restricted = v;
        }
        if let Some(v) = self.status {
            f.status = v;
        }
        f
    }
}

/// `POST /registry/matches`: puts a need and an offer together. The other side accepts or
/// declines.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposeMatch {
    #[schema(value_type = uuid::Uuid)]
    pub need_id: String,
    #[schema(value_type = uuid::Uuid)]
    pub offer_id: String,
    /// For whom the secretariat proposes (members propose for their own organisation's
    /// side, and leave it out).
    pub side: Option<Side>,
}

/// The lists' query.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// ISO 3166-1 alpha-2 code: only needs in (offers covering) this country.
    pub country: Option<String>,
    /// Only this organisation's.
    #[param(value_type = Option<uuid::Uuid>)]
    pub organisation_id: Option<String>,
    /// `open` (the default), `closed` or `all`.
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub cursor: Option<String>,
}

/// The rankings' query.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RankQuery {
    /// How many candidates, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

impl RankQuery {
    pub fn limit(&self) -> Result<usize, AppError> {
        match self.limit {
            None => Ok(20),
            Some(n @ 1..=100) => Ok(n as usize),
            Some(_) => Err(AppError::field("limit", "must be between 1 and 100")),
        }
    }
}

/// A need as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeedView {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    #[schema(value_type = uuid::Uuid)]
    pub organisation_id: String,
    pub organisation_name: String,
    pub title: String,
    pub description: String,
    pub country: String,
    pub themes: Vec<String>,
    pub kinds: Vec<HelpKind>,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    /// Decimal string.
    pub budget: Option<String>,
    pub currency: Option<String>,
    pub link: Option<String>,
    pub restricted: bool,
    pub status: PostStatus,
    /// Whether the public sees it: its organisation is verified and it is not restricted.
    pub public: bool,
    /// The organisation is not yet verified by the secretariat.
    pub awaiting_verification: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An offer as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferView {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    #[schema(value_type = uuid::Uuid)]
    pub organisation_id: String,
    pub organisation_name: String,
    pub title: String,
    pub description: String,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub kinds: Vec<HelpKind>,
    pub start_on: NaiveDate,
    pub end_on: NaiveDate,
    /// Decimal string.
    pub capacity: Option<String>,
    pub currency: Option<String>,
    pub link: Option<String>,
    pub restricted: bool,
    pub status: PostStatus,
    pub public: bool,
    pub awaiting_verification: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A match between a need and an offer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchView {
    #[schema(value_type = uuid::Uuid)]
    pub id: String,
    #[schema(value_type = uuid::Uuid)]
    pub need_id: String,
    #[schema(value_type = uuid::Uuid)]
    pub offer_id: String,
    /// The fit when proposed, 0 to 1.
    pub score: f64,
    pub reasons: Vec<Reason>,
    pub status: MatchStatus,
    /// Whose side proposed it.
    pub proposed_side: Side,
    /// Whose side accepts or declines it.
    pub awaiting_side: Side,
    #[schema(value_type = uuid::Uuid)]
    pub proposed_by: String,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub decided_by: Option<String>,
    /// The registry project it became.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub project_id: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An offer ranked for a need.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankedOffer {
    pub offer: OfferView,
    /// 0 to 1, best first.
    pub score: f64,
    pub reasons: Vec<Reason>,
    /// The match already proposed between the two, if any.
    #[schema(value_type = Option<uuid::Uuid>)]
    pub match_id: Option<String>,
    pub match_status: Option<MatchStatus>,
}

/// A need ranked for an offer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RankedNeed {
    pub need: NeedView,
    pub score: f64,
    pub reasons: Vec<Reason>,
    #[schema(value_type = Option<uuid::Uuid>)]
    pub match_id: Option<String>,
    pub match_status: Option<MatchStatus>,
}

/// `GET /registry/needs/{id}/matches`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NeedMatches {
    #[schema(value_type = uuid::Uuid)]
    pub need_id: String,
    pub items: Vec<RankedOffer>,
}

/// `GET /registry/offers/{id}/matches`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfferMatches {
    #[schema(value_type = uuid::Uuid)]
    pub offer_id: String,
    pub items: Vec<RankedNeed>,
}

/// `POST /registry/matches/{id}/project`: the project an accepted match became.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchProjectView {
    #[serde(rename = "match")]
    pub matched: MatchView,
    /// The new project; what it may duplicate waits in the overlap review queue
    /// (`GET /registry/projects/{id}/overlaps`).
    pub project: crate::registry::model::ProjectView,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn need() -> CreateNeed {
        serde_json::from_value(serde_json::json!({
            "title": "Shelter staff training",
            "description": "Training for the staff of two shelters.",
            "country": "NG",
            "themes": ["protection.shelter"],
            "kinds": ["training"],
            "start_on": "2027-01-01",
            "end_on": "2027-12-31",
            "budget": "20000.00",
            "currency": "USD",
            "link": "https://gov.example/needs/1"
        }))
        .expect("a need")
    }

    fn today() -> NaiveDate {
        "2026-12-01".parse().expect("date")
    }

    fn fields_of(e: AppError) -> Vec<String> {
        e.errors.iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn a_good_need_validates() {
        let draft = need()
            .fields("org".into())
            .validate(PostKind::Need, today())
            .expect("valid");
        assert_eq!(draft.places, ["NG"]);
        assert_eq!(draft.amount.expect("budget").minor_units(), 2_000_000);
        assert_eq!(draft.link.as_deref(), Some("https://gov.example/needs/1"));
    }

    #[test]
    fn each_bad_field_is_named() {
        let mut n = need();
        n.country = "XX".into();
        n.themes = vec!["cooking".into()];
        n.kinds = vec![];
        n.link = Some("http://gov.example/".into());
        n.currency = None;
        let e = n
            .fields("org".into())
            .validate(PostKind::Need, today())
            .expect_err("invalid");
        assert_eq!(
            fields_of(e),
            ["country", "themes[0]", "kinds", "currency", "link"]
        );
    }

    #[test]
    fn a_patch_that_clears_the_budget_clears_its_currency() {
        let draft = need()
            .fields("org".into())
            .validate(PostKind::Need, today())
            .expect("valid");
        let patch: UpdateNeed =
            serde_json::from_value(serde_json::json!({"budget": null})).expect("patch");
        let after = patch
            .apply(draft.fields())
            .validate(PostKind::Need, today())
            .expect("valid");
        assert_eq!(after.amount, None);
    }
}
