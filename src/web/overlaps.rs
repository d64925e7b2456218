//! An application's flagged overlaps with registry projects (`applications::overlaps`),
//! said in the reader's language: the section the secretariat's application page, the
//! reviewer's page and the board's ranking share (`templates/pages/overlaps.html`).

use rust_decimal::Decimal;
use serde::Serialize;

use super::format;
use super::i18n::{Arg, Lang, text};
use crate::applications::overlaps::ApplicationOverlapsView;
use crate::applications::overlaps::rules::OverlapStatus;
use crate::error::AppResult;
use crate::registry::model::OverlapReason;

/// One flagged project, worded.
#[derive(Debug, Serialize)]
pub struct OverlapLine {
    pub title: String,
    pub organisation: String,
    pub score: String,
    pub open: bool,
    pub status: String,
    pub reasons: Vec<String>,
}

/// The section: a count line and the projects, best first.
#[derive(Debug, Serialize)]
pub struct OverlapSection {
    pub open: u32,
    pub count: String,
    pub lines: Vec<OverlapLine>,
}

/// A registry reason in `lang`.
pub fn reason(reason: &OverlapReason, lang: Lang) -> AppResult<String> {
    let list = |items: &[String], name: fn(&str, Lang) -> String| {
        items
            .iter()
            .map(|i| name(i, lang))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match reason {
        OverlapReason::SameCountry { countries } => text(
            lang,
            "overlap-reason-same-country",
            &[("countries", Arg::Text(list(countries, format::country)))],
        ),
        OverlapReason::SameTheme { themes } => text(
            lang,
            "overlap-reason-same-theme",
            &[("themes", Arg::Text(list(themes, format::earmark)))],
        ),
        OverlapReason::OverlappingDates { from, to } => text(
            lang,
            "overlap-reason-dates",
            &[
                ("from", Arg::Text(format::date(*from, lang))),
                ("to", Arg::Text(format::date(*to, lang))),
            ],
        ),
        OverlapReason::SharedOrganisations {
            organisation_ids,
            names,
        } => {
            let named = if names.is_empty() {
                organisation_ids.join(", ")
            } else {
                names.join(", ")
            };
            text(
                lang,
                "overlap-reason-organisations",
                &[("names", Arg::Text(named))],
            )
        }
        OverlapReason::SimilarText {
            similarity,
            shared_words,
        } => text(
            lang,
            "overlap-reason-text",
            &[
                ("percent", Arg::Text(percent(*similarity, lang))),
                ("words", Arg::Text(shared_words.join(", "))),
            ],
        ),
    }
}

/// A share in [0, 1] as a whole percentage in `lang`.
fn percent(share: f64, lang: Lang) -> String {
    let whole =
        Decimal::from_f64_retain((share.clamp(0.0, 1.0) * 100.0).round()).unwrap_or_default();
    format!("{} %", format::number(whole, 0, lang))
}

/// The section of `view` in `lang`.
pub fn section(view: &ApplicationOverlapsView, lang: Lang) -> AppResult<OverlapSection> {
    let lines = view
        .candidates
        .iter()
        .map(|c| {
            Ok(OverlapLine {
                title: c.project.title.clone(),
                organisation: c.organisation_name.clone(),
                score: percent(c.score, lang),
                open: c.status == OverlapStatus::Open,
                status: text(lang, &format!("overlap-status-{}", c.status.as_str()), &[])?,
                reasons: c
                    .reasons
                    .iter()
                    .map(|r| reason(r, lang))
                    .collect::<AppResult<_>>()?,
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(OverlapSection {
        open: view.open,
        count: text(
            lang,
            "overlaps-count",
            &[("count", Arg::Count(i64::from(view.open)))],
        )?,
        lines,
    })
}
