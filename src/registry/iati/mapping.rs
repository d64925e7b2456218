//! Mapping: an IATI activity to a registry project, or the reason it is skipped.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};

use super::reader::{Activity, Narrative, OrgElement};
use crate::money::{Currency, Money};
use crate::organisations::model::OrgKind;
use crate::platform::text::clean;
use crate::platform::{Lines, country, org_identifier};
use crate::registry::model::{
    BudgetSplit, ParticipantRole, ProjectStatus, Region, iati_identifier,
};

/// Sector and tag codes that mark anti-trafficking work, and the themes they mean.
/// DAC 5-digit purpose codes (sector vocabulary 1, the default) and SDG targets (sector
/// vocabulary 8, tag vocabulary 3).
pub const DAC_THEMES: &[(&str, &[&str])] = &[
    // Facilitation of orderly, safe, regular and responsible migration and mobility
    ("15190", &["prevention.safe-migration"]),
    // Ending violence against women and girls
    ("15180", &["protection"]),
    // Human rights
    ("15160", &["protection"]),
];

pub const SDG_THEMES: &[(&str, &[&str])] = &[
    // Eliminate violence against women and girls, including trafficking
    ("5.2", &["protection"]),
    // End forced labour, modern slavery and human trafficking
    ("8.7", &["prevention"]),
    // End abuse, exploitation and trafficking of children
    ("16.2", &["protection", "prosecution"]),
];

/// The themes a sector of this vocabulary means.
fn sector_themes(vocabulary: Option<&str>, code: &str) -> &'static [&'static str] {
    let list = match vocabulary {
        None | Some("1") => DAC_THEMES,
        Some("8") => SDG_THEMES,
        _ => return &[],
    };
    list.iter()
        .find(|(c, _)| *c == code)
        .map_or(&[], |(_, themes)| *themes)
}

fn themes_of(activity: &Activity) -> Vec<String> {
    let mut themes: Vec<String> = Vec::new();
    let mut add = |mapped: &[&str]| {
        for t in mapped {
            if !themes.iter().any(|x| x == t) {
                themes.push(t.to_string());
            }
        }
    };
    for sector in &activity.sectors {
        add(sector_themes(sector.vocabulary.as_deref(), &sector.code));
    }
    for (vocabulary, code) in &activity.tags {
        if vocabulary.as_deref() == Some("3")
            && let Some((_, mapped)) = SDG_THEMES.iter().find(|(c, _)| c == code)
        {
            add(mapped);
        }
    }
    themes
}

/// Percentages as a file gives them: every one a non-negative decimal, together more than
/// nothing; otherwise the file's percentages are not used at all (the budget is then
/// shared evenly), since a partial set cannot say how the rest is shared.
fn percentages<'a>(values: impl IntoIterator<Item = Option<&'a str>>) -> Option<Vec<Decimal>> {
    let list: Vec<Decimal> = values
        .into_iter()
        .map(|v| {
            v.and_then(|v| Decimal::from_str_exact(v.trim()).ok())
                .filter(|p| *p >= Decimal::ZERO && *p <= Decimal::from(100))
        })
        .collect::<Option<_>>()?;
    (list.iter().copied().sum::<Decimal>() > Decimal::ZERO).then_some(list)
}

/// `parts` as percentages of their own sum, to four decimals: IATI wants a list to sum to
/// 100, and one that does not is read as the weights it gives.
fn of_total(parts: &[Decimal], total: Decimal) -> Vec<Decimal> {
    parts
        .iter()
        .map(|p| {
            (p * Decimal::from(100) / total)
                .round_dp_with_strategy(4, RoundingStrategy::MidpointNearestEven)
                .normalize()
        })
        .collect()
}

/// Each theme's share of the budget, in percent, from the sector percentages of one
/// vocabulary (IATI makes each vocabulary's sum 100): the DAC purpose codes when one of
/// them means a theme, else the SDG targets. A sector meaning two themes gives each half;
/// sectors meaning none (the activity's other work) leave their share outside the themes.
/// `None` when no such vocabulary carries usable percentages.
fn theme_percentages(activity: &Activity, themes: &[String]) -> Option<Vec<Decimal>> {
    let groups: [&[Option<&str>]; 2] = [&[None, Some("1")], &[Some("8")]];
    groups.iter().find_map(|group| {
        let sectors: Vec<_> = activity
            .sectors
            .iter()
            .filter(|s| group.contains(&s.vocabulary.as_deref()))
            .collect();
        if !sectors
            .iter()
            .any(|s| !sector_themes(s.vocabulary.as_deref(), &s.code).is_empty())
        {
            return None;
        }
        let given = percentages(sectors.iter().map(|s| s.percentage.as_deref()))?;
        let total: Decimal = given.iter().copied().sum();
        let mut weights = vec![Decimal::ZERO; themes.len()];
        for (sector, share) in sectors.iter().zip(&given) {
            let mapped = sector_themes(sector.vocabulary.as_deref(), &sector.code);
            for theme in mapped {
                if let Some(i) = themes.iter().position(|t| t == theme) {
                    weights[i] += share / Decimal::from(mapped.len());
                }
            }
        }
        Some(of_total(&weights, total))
    })
}

/// A recipient region as kept: its code, with its vocabulary unless that is the OECD DAC
/// one (1, IATI's default).
fn region_code(region: &super::reader::Coded) -> Result<String, String> {
    let usable = |v: &str| {
        !v.is_empty()
            && v.len() <= 20
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c))
    };
    let code = region.code.trim();
    let vocabulary = region.vocabulary.as_deref().map(str::trim);
    if !usable(code) || vocabulary.is_some_and(|v| !usable(v)) {
        return Err(format!(
            "recipient-region {code:?} (vocabulary {vocabulary:?}) is not a usable region code"
        ));
    }
    Ok(match vocabulary {
        None | Some("1") => code.to_string(),
        Some(v) => format!("{v}:{code}"),
    })
}

/// Countries, their percentages (when given) and regions.
type Places = (Vec<String>, Option<Vec<Decimal>>, Vec<Region>);

/// The activity's places: distinct countries and regions, in file order, with their
/// percentages when every one of them has one (a place named twice adds its shares).
fn places_of(activity: &Activity) -> Result<Places, String> {
    let mut countries: Vec<String> = Vec::new();
    let mut country_shares: Vec<Decimal> = Vec::new();
    let given = percentages(
        activity
            .countries
            .iter()
            .chain(&activity.regions)
            .map(|p| p.percentage.as_deref()),
    );
    let mut shares = given.iter().flatten().copied();
    for place in &activity.countries {
        let mut errors = Vec::new();
        let code = country(
            "recipient-country",
            &place.code.to_ascii_uppercase(),
            &mut errors,
        );
        if !errors.is_empty() {
            return Err(format!(
                "recipient-country {code:?} is not an ISO 3166-1 country"
            ));
        }
        let share = shares.next().unwrap_or_default();
        match countries.iter().position(|c| *c == code) {
            Some(i) => country_shares[i] += share,
            None => {
                countries.push(code);
                country_shares.push(share);
            }
        }
    }
    let mut regions: Vec<String> = Vec::new();
    let mut region_shares: Vec<Decimal> = Vec::new();
    for place in &activity.regions {
        let code = region_code(place)?;
        let share = shares.next().unwrap_or_default();
        match regions.iter().position(|r| *r == code) {
            Some(i) => region_shares[i] += share,
            None => {
                regions.push(code);
                region_shares.push(share);
            }
        }
    }
    let total: Decimal = country_shares.iter().chain(&region_shares).copied().sum();
    let (country_percentages, region_percentages) = match given {
        Some(_) => (
            Some(of_total(&country_shares, total)),
            of_total(&region_shares, total)
                .into_iter()
                .map(Some)
                .collect(),
        ),
        None => (None, vec![None; regions.len()]),
    };
    let regions = regions
        .into_iter()
        .zip(region_percentages)
        .map(|(code, percentage)| Region { code, percentage })
        .collect();
    Ok((countries, country_percentages, regions))
}

/// IATI ActivityStatus codes: 1 pipeline, 2 implementation, 3 finalisation, 4 closed,
/// 5 cancelled, 6 suspended.
fn status_of(code: Option<&str>) -> Result<ProjectStatus, String> {
    match code {
        Some("1") => Ok(ProjectStatus::Pipeline),
        Some("2") => Ok(ProjectStatus::Active),
        Some("3" | "4") => Ok(ProjectStatus::Completed),
        Some("5") => Err("the activity is cancelled (activity-status 5)".into()),
        Some("6") => Err("the activity is suspended (activity-status 6)".into()),
        Some(other) => Err(format!("unknown activity-status code {other:?}")),
        None => Err("no activity-status".into()),
    }
}

/// IATI OrganisationType → the kind of a registered organisation.
pub(super) fn kind_of(org_type: Option<&str>) -> OrgKind {
    match org_type {
        Some("10" | "11" | "15") => OrgKind::Government,
        Some("40") => OrgKind::Multilateral,
        Some("60") => OrgKind::Foundation,
        Some("30" | "70" | "71" | "72" | "73") => OrgKind::Company,
        _ => OrgKind::Ngo,
    }
}

fn role_of(code: Option<&str>) -> Option<ParticipantRole> {
    match code {
        Some("1") => Some(ParticipantRole::Funding),
        Some("2") => Some(ParticipantRole::Accountable),
        Some("3") => Some(ParticipantRole::Extending),
        Some("4") => Some(ParticipantRole::Implementing),
        _ => None,
    }
}

/// The narrative to show: English or the activity's language first, else the first one.
fn best(narratives: &[Narrative], activity_lang: Option<&str>) -> Option<String> {
    let usable: Vec<&Narrative> = narratives.iter().filter(|n| !n.text.is_empty()).collect();
    let preferred = usable.iter().find(|n| match n.lang.as_deref() {
        None => true,
        Some(l) => l.eq_ignore_ascii_case("en") || Some(l) == activity_lang,
    });
    preferred.or(usable.first()).map(|n| n.text.clone())
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn iso_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()
}

/// The activity's budget: per period the revised budget (type 2) over the original, all
/// summed; none when budgets are missing, in several currencies, or unreadable.
fn budget_of(activity: &Activity) -> Option<Money> {
    let mut per_period: BTreeMap<String, (bool, Decimal, String)> = BTreeMap::new();
    for (i, b) in activity.budgets.iter().enumerate() {
        let currency = b
            .currency
            .clone()
            .or_else(|| activity.default_currency.clone())?;
        let value = Decimal::from_str_exact(b.value.trim()).ok()?;
        let revised = b.budget_type.as_deref() == Some("2");
        let period = b.period_start.clone().unwrap_or_else(|| format!("#{i}"));
        match per_period.get(&period) {
            Some((was_revised, _, _)) if *was_revised && !revised => {}
            _ => {
                per_period.insert(period, (revised, value, currency));
            }
        }
    }
    let mut currencies = per_period.values().map(|(_, _, c)| c.clone());
    let code = currencies.next()?;
    if currencies.any(|c| c != code) {
        return None;
    }
    let currency = Currency::parse(&code).ok()?;
    let total = per_period
        .values()
        .try_fold(Decimal::ZERO, |sum, (_, v, _)| sum.checked_add(*v))?;
    if total < Decimal::ZERO {
        return None;
    }
    let rounded = total.round_dp_with_strategy(
        currency.minor_units(),
        RoundingStrategy::MidpointNearestEven,
    );
    Money::new(rounded, currency).ok()
}

/// An organisation as the project will record it: an org-id reference makes it a
/// registered organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub reference: Option<String>,
    pub name: Option<String>,
    pub org_type: Option<String>,
}

impl OrgRef {
    fn of(org: &OrgElement, lang: Option<&str>) -> Self {
        OrgRef {
            reference: org.reference.clone(),
            name: best(&org.names, lang).map(|n| truncate(&clean(&n, Lines::Single), 300)),
            org_type: org.org_type.clone(),
        }
    }

    /// The reference when it is an org-id identifier (`XM-DAC-41110`).
    pub fn org_id(&self) -> Option<&str> {
        let reference = self.reference.as_deref()?;
        let mut errors = Vec::new();
        org_identifier("ref", reference, &mut errors);
        errors.is_empty().then_some(reference)
    }
}

/// An activity mapped to the registry, before organisations are resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub identifier: String,
    pub line: u64,
    pub title: String,
    pub description: String,
    pub reporting: OrgRef,
    pub participants: Vec<(ParticipantRole, OrgRef)>,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    /// The percentages the file gives places and sectors, and its regions.
    pub split: BudgetSplit,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub budget: Option<Money>,
    pub status: ProjectStatus,
    /// The words the full-text index will hold (worked out while reading).
    pub search_text: String,
}

/// Maps one activity, or says why it is skipped.
pub fn map_activity(activity: &Activity, themed_only: bool) -> Result<Mapped, String> {
    let identifier = activity
        .identifier
        .clone()
        .filter(|i| !i.is_empty())
        .ok_or("no iati-identifier")?;
    let mut errors = Vec::new();
    iati_identifier("iati-identifier", &identifier, &mut errors);
    if !errors.is_empty() {
        return Err(format!(
            "iati-identifier {identifier:?} is not usable: letters, digits and - _ . / : only, at most 200"
        ));
    }
    let lang = activity.lang.as_deref();
    let title = best(&activity.titles, lang).ok_or("no title")?;
    let description = activity
        .descriptions
        .iter()
        .find(|(kind, _)| kind.as_deref().is_none_or(|k| k == "1"))
        .or(activity.descriptions.first())
        .and_then(|(_, narratives)| best(narratives, lang))
        .unwrap_or_default();
    let reporting = activity
        .reporting_org
        .as_ref()
        .map(|o| OrgRef::of(o, lang))
        .ok_or("no reporting-org")?;
    if reporting.org_id().is_none() {
        return Err(format!(
            "reporting-org ref {:?} is not an organisation identifier such as XM-DAC-41110",
            reporting.reference.clone().unwrap_or_default()
        ));
    }
    let status = status_of(activity.status_code.as_deref())?;
    let (countries, country_percentages, regions) = places_of(activity)?;
    let themes = themes_of(activity);
    let split = BudgetSplit {
        country_percentages,
        regions,
        theme_percentages: theme_percentages(activity, &themes),
    };
    if themed_only && themes.is_empty() {
        return Err(
            "no anti-trafficking theme (DAC 15190, 15180, 15160 or SDG target 5.2, 8.7, 16.2)"
                .into(),
        );
    }
    let date = |kinds: [&str; 2]| {
        kinds.iter().find_map(|k| {
            activity
                .dates
                .iter()
                .find(|(kind, _)| kind == k)
                .and_then(|(_, d)| iso_date(d))
        })
    };
    let start_on = date(["2", "1"]);
    let end_on = date(["4", "3"]);
    if let (Some(s), Some(e)) = (start_on, end_on)
        && e < s
    {
        return Err(format!("the end date {e} is before the start date {s}"));
    }
    let participants = activity
        .participants
        .iter()
        .filter_map(|p| role_of(p.role.as_deref()).map(|r| (r, OrgRef::of(p, lang))))
        .collect();
    // The file is someone else's: its text is cleaned to what the service accepts as text
    // (no controls, no bidirectional overrides) rather than refused whole.
    let title = truncate(
        &clean(&title, Lines::Single),
        crate::registry::model::MAX_TITLE,
    );
    let description = truncate(
        &clean(&description, Lines::Multi),
        crate::registry::model::MAX_DESCRIPTION,
    );
    Ok(Mapped {
        identifier,
        line: activity.line,
        search_text: crate::registry::text::search_text(&title, &description),
        title,
        description,
        reporting,
        participants,
        countries,
        themes,
        split,
        start_on,
        end_on,
        budget: budget_of(activity),
        status,
    })
}
