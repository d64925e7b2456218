//! The pure rules of needs and offers: what a need or an offer must hold, whether a need
//! and an offer can be put together at all, and how well they fit (the score and its
//! reasons), and who decides a proposed match.
//!
//! **Candidates.** An offer is a candidate for a need (and the need for the offer) when they
//! belong to two organisations, the offer covers the need's country, and their periods meet
//! on a day that is not yet past. Everything else is a matter of degree.
//!
//! **The score**, in [0, 1], weighs four factors, each in [0, 1] and each given as a reason:
//! themes 0.35 (per theme of the need: 1 when the offer names it, ½ when one names the
//! other's whole P, ¼ when both are in the same P, averaged), kinds of help 0.30 (the share
//! of the need's kinds the offer gives), period 0.20 (the share of the need's days the
//! offer's period covers) and money 0.15 (capacity over budget, capped at 1, when both are in
//! one currency; ½ when they cannot be compared: one is missing, or the currencies differ).
//! The country is a reason too, but not a weight: without it there is no candidate.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;
use crate::money::Money;
use crate::taxonomy;
use crate::text_enum;

text_enum!(
    /// A kind of help a need asks for or an offer gives.
    HelpKind {
        Funding => "funding",
        Training => "training",
        Expertise => "expertise",
        Equipment => "equipment",
        LegalServices => "legal_services",
        VictimServices => "victim_services",
    }
);

text_enum!(
    /// Whether a need or an offer is still looking for a match.
    PostStatus {
        Open => "open",
        Closed => "closed",
    }
);

text_enum!(
    /// Where a match between a need and an offer stands.
    MatchStatus {
        Proposed => "proposed",
        Accepted => "accepted",
        Declined => "declined",
    }
);

text_enum!(
    /// One side of a match: the organisation of the need or of the offer.
    Side {
        Need => "need",
        Offer => "offer",
    }
);

text_enum!(
    /// What a reason of a match score is about.
    Factor {
        Country => "country",
        Themes => "themes",
        Kinds => "kinds",
        Period => "period",
        Money => "money",
    }
);

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Need => Side::Offer,
            Side::Offer => Side::Need,
        }
    }
}

pub const WEIGHT_THEMES: f64 = 0.35;
pub const WEIGHT_KINDS: f64 = 0.30;
pub const WEIGHT_PERIOD: f64 = 0.20;
pub const WEIGHT_MONEY: f64 = 0.15;

/// Most kinds of help a need or an offer lists (there are six).
pub const MAX_KINDS: usize = 6;

/// A span of days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    /// The days both periods hold, if any.
    pub fn meet(&self, other: &Period) -> Option<Period> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start <= end).then_some(Period { start, end })
    }
}

/// What matching needs of a need.
#[derive(Debug, Clone)]
pub struct NeedFacts<'a> {
    pub organisation_id: &'a str,
    pub country: &'a str,
    pub themes: &'a [String],
    pub kinds: &'a [HelpKind],
    pub period: Period,
    pub budget: Option<Money>,
}

/// What matching needs of an offer.
#[derive(Debug, Clone)]
pub struct OfferFacts<'a> {
    pub organisation_id: &'a str,
    pub countries: &'a [String],
    pub themes: &'a [String],
    pub kinds: &'a [HelpKind],
    pub period: Period,
    pub capacity: Option<Money>,
}

/// One reason of a score: the factor, how well it fits in [0, 1], in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reason {
    pub factor: Factor,
    /// How well this factor fits, 0 to 1.
    pub fit: f64,
    pub detail: String,
}

/// How well an offer fits a need.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub reasons: Vec<Reason>,
}

/// Why a need and an offer cannot be matched: said about the field `offer_id` (or
/// `need_id`) of a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unmatchable {
    SameOrganisation,
    CountryNotCovered,
    OfferEnded(NaiveDate),
    NeedEnded(NaiveDate),
    PeriodsApart,
}

impl Unmatchable {
    pub fn field_error(&self, field: &str) -> FieldError {
        let message = match self {
            Unmatchable::SameOrganisation => {
                "belongs to the same organisation as the need: an organisation cannot match itself"
                    .to_string()
            }
            Unmatchable::CountryNotCovered => "does not cover the need's country".to_string(),
            Unmatchable::OfferEnded(end) => format!("the offer's period ended on {end}"),
            Unmatchable::NeedEnded(end) => format!("the need's period ended on {end}"),
            Unmatchable::PeriodsApart => {
                "the offer's period does not overlap the need's period".to_string()
            }
        };
        FieldError::new(field, message)
    }
}

/// Whether the offer may be matched with the need at all, seen on `today`.
pub fn matchable(
    need: &NeedFacts<'_>,
    offer: &OfferFacts<'_>,
    today: NaiveDate,
) -> Result<Period, Unmatchable> {
    if need.organisation_id == offer.organisation_id {
        return Err(Unmatchable::SameOrganisation);
    }
    if !offer.countries.iter().any(|c| c == need.country) {
        return Err(Unmatchable::CountryNotCovered);
    }
    if offer.period.end < today {
        return Err(Unmatchable::OfferEnded(offer.period.end));
    }
    if need.period.end < today {
        return Err(Unmatchable::NeedEnded(need.period.end));
    }
    let together = need
        .period
        .meet(&offer.period)
        .ok_or(Unmatchable::PeriodsApart)?;
    // days already past do not count: help cannot arrive yesterday
    let ahead = Period {
        start: together.start.max(today),
        end: together.end,
    };
    if ahead.start > ahead.end {
        return Err(Unmatchable::PeriodsApart);
    }
    Ok(ahead)
}

/// How well one need theme is served by the offer's themes.
fn theme_fit(theme: &str, offered: &[String]) -> f64 {
    let top = taxonomy::top_theme(theme);
    let mut best: f64 = 0.0;
    for o in offered {
        let fit = if o == theme {
            1.0
        } else if o == top || taxonomy::top_theme(o) == theme {
            // one names the whole P the other is part of
            0.5
        } else if taxonomy::top_theme(o) == top {
            0.25
        } else {
            0.0
        };
        best = best.max(fit);
    }
    best
}

fn ratio(part: Decimal, whole: Decimal) -> f64 {
    if whole <= Decimal::ZERO {
        return 1.0;
    }
    (part / whole).to_f64().unwrap_or(0.0).clamp(0.0, 1.0)
}

/// The score of `offer` for `need` with its reasons; `Err` when they cannot be matched.
pub fn score(
    need: &NeedFacts<'_>,
    offer: &OfferFacts<'_>,
    today: NaiveDate,
) -> Result<Scored, Unmatchable> {
    let ahead = matchable(need, offer, today)?;
    let mut reasons = vec![Reason {
        factor: Factor::Country,
        fit: 1.0,
        detail: format!("the offer covers {}", need.country),
    }];

    let themes = if need.themes.is_empty() {
        0.0
    } else {
        need.themes
            .iter()
            .map(|t| theme_fit(t, offer.themes))
            .sum::<f64>()
            / need.themes.len() as f64
    };
    let shared: Vec<&str> = need
        .themes
        .iter()
        .filter(|t| offer.themes.contains(t))
        .map(String::as_str)
        .collect();
    reasons.push(Reason {
        factor: Factor::Themes,
        fit: themes,
        detail: if shared.is_empty() {
            "no theme in common; related themes only".to_string()
        } else {
            format!("themes in common: {}", shared.join(", "))
        },
    });

    let given: Vec<&str> = need
        .kinds
        .iter()
        .filter(|k| offer.kinds.contains(k))
        .map(|k| k.as_str())
        .collect();
    let kinds = if need.kinds.is_empty() {
        0.0
    } else {
        given.len() as f64 / need.kinds.len() as f64
    };
    reasons.push(Reason {
        factor: Factor::Kinds,
        fit: kinds,
        detail: if given.is_empty() {
            "gives none of the kinds of help asked for".to_string()
        } else {
            format!(
                "gives {} of {} kinds of help asked for: {}",
                given.len(),
                need.kinds.len(),
                given.join(", ")
            )
        },
    });

    let covered = need
        .period
        .meet(&offer.period)
        .map_or(0, |p| p.days())
        .min(need.period.days());
    let period = covered as f64 / need.period.days().max(1) as f64;
    reasons.push(Reason {
        factor: Factor::Period,
        fit: period,
        detail: format!(
            "available together from {} to {} ({covered} of the need's {} days)",
            ahead.start,
            ahead.end,
            need.period.days()
        ),
    });

    let (money, detail) = match (&need.budget, &offer.capacity) {
        (Some(budget), Some(capacity)) if budget.currency() == capacity.currency() => {
            let fit = ratio(capacity.amount(), budget.amount());
            let detail = if capacity.amount() >= budget.amount() {
                format!(
                    "capacity {} {} covers the budget {} {}",
                    capacity.amount_string(),
                    capacity.currency(),
                    budget.amount_string(),
                    budget.currency()
                )
            } else {
                format!(
                    "capacity {} {} covers {}% of the budget {} {}",
                    capacity.amount_string(),
                    capacity.currency(),
                    (fit * 100.0).floor(),
                    budget.amount_string(),
                    budget.currency()
                )
            };
            (fit, detail)
        }
        (Some(budget), Some(capacity)) => (
            0.5,
            format!(
                "budget in {} and capacity in {}: not compared",
                budget.currency(),
                capacity.currency()
            ),
        ),
        (None, _) => (0.5, "the need gives no budget".to_string()),
        (_, None) => (0.5, "the offer gives no capacity".to_string()),
    };
    reasons.push(Reason {
        factor: Factor::Money,
        fit: money,
        detail,
    });

    let score = WEIGHT_THEMES * themes
        + WEIGHT_KINDS * kinds
        + WEIGHT_PERIOD * period
        + WEIGHT_MONEY * money;
    Ok(Scored {
        score: (score * 1000.0).round() / 1000.0,
        reasons,
    })
}

/// Orders scored candidates best first, ties by id (creation order), so a ranking is
/// the same on every read.
pub fn rank<T>(items: &mut [(Scored, T)], id: impl Fn(&T) -> &str) {
    items.sort_by(|(a, x), (b, y)| b.score.total_cmp(&a.score).then_with(|| id(x).cmp(id(y))));
}

// ---------------------------------------------------------------------------------------
// What a need or an offer must hold

/// Themes: at least one, each of the taxonomy, none twice.
pub fn check_themes(field: &str, themes: &[String], errors: &mut Vec<FieldError>) -> Vec<String> {
    if themes.is_empty() {
        errors.push(FieldError::new(field, "must list at least one theme"));
        return Vec::new();
    }
    if !crate::platform::bounded_list(field, themes, taxonomy::THEME_COUNT, errors) {
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, t) in themes.iter().enumerate() {
        let t = taxonomy::theme(&format!("{field}[{i}]"), t, errors);
        if !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Kinds of help: at least one, none twice (given once each, in the order first given).
pub fn check_kinds(field: &str, kinds: &[HelpKind], errors: &mut Vec<FieldError>) -> Vec<HelpKind> {
    if kinds.is_empty() {
        errors.push(FieldError::new(
            field,
            "must list at least one kind of help (funding, training, expertise, equipment, legal_services, victim_services)",
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for k in kinds {
        if !out.contains(k) {
            out.push(*k);
        }
    }
    out
}

/// A period: the end not before the start, both plausible spans (`platform::dates`).
pub fn check_period(
    start: NaiveDate,
    end: NaiveDate,
    today: NaiveDate,
    errors: &mut Vec<FieldError>,
) -> Period {
    use crate::platform::dates::{Dated, check};
    check("start_on", start, Dated::Span, today, errors);
    check("end_on", end, Dated::Span, today, errors);
    if end < start {
        errors.push(FieldError::new("end_on", "must not be before start_on"));
    }
    Period { start, end }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn usd(amount: &str) -> Money {
        Money::parse(amount, "USD").expect("money")
    }

    struct Case {
        themes: Vec<String>,
        kinds: Vec<HelpKind>,
        countries: Vec<String>,
    }

    fn need<'a>(c: &'a Case, budget: Option<Money>) -> NeedFacts<'a> {
        NeedFacts {
            organisation_id: "gov",
            country: "NG",
            themes: &c.themes,
            kinds: &c.kinds,
            period: Period {
                start: d("2027-01-01"),
                end: d("2027-12-31"),
            },
            budget,
        }
    }

    fn offer<'a>(c: &'a Case, period: Period, capacity: Option<Money>) -> OfferFacts<'a> {
        OfferFacts {
            organisation_id: "donor",
            countries: &c.countries,
            themes: &c.themes,
            kinds: &c.kinds,
            period,
            capacity,
        }
    }

    fn case(themes: &[&str], kinds: &[HelpKind], countries: &[&str]) -> Case {
        Case {
            themes: themes.iter().map(|s| s.to_string()).collect(),
            kinds: kinds.to_vec(),
            countries: countries.iter().map(|s| s.to_string()).collect(),
        }
    }

    const YEAR: Period = Period {
        start: match NaiveDate::from_ymd_opt(2027, 1, 1) {
            Some(d) => d,
            None => panic!(),
        },
        end: match NaiveDate::from_ymd_opt(2027, 12, 31) {
            Some(d) => d,
            None => panic!(),
        },
    };

    #[test]
    fn a_perfect_fit_scores_one_with_a_reason_per_factor() {
        let c = case(&["protection.shelter"], &[HelpKind::Funding], &["NG", "GH"]);
        let s = score(
            &need(&c, Some(usd("1000.00"))),
            &offer(&c, YEAR, Some(usd("5000.00"))),
            d("2026-12-01"),
        )
        .expect("matchable");
        assert_eq!(s.score, 1.0);
        let factors: Vec<Factor> = s.reasons.iter().map(|r| r.factor).collect();
        assert_eq!(
            factors,
            [
                Factor::Country,
                Factor::Themes,
                Factor::Kinds,
                Factor::Period,
                Factor::Money
            ]
        );
        assert!(s.reasons[4].detail.contains("covers the budget"));
    }

    #[test]
    fn related_themes_kinds_half_the_money_and_half_the_period_score_in_between() {
        let n = case(
            &["protection.shelter", "prosecution.training"],
            &[HelpKind::Funding, HelpKind::Training],
            &[],
        );
        let o = case(&["protection"], &[HelpKind::Training], &["NG"]);
        let need = need(&n, Some(usd("1000.00")));
        let half = Period {
            start: d("2027-07-02"),
            end: d("2028-06-30"),
        };
        let offer = OfferFacts {
            capacity: Some(usd("500.00")),
            ..offer(&o, half, None)
        };
        let s = score(&need, &offer, d("2026-12-01")).expect("matchable");
        // themes: shelter ½ (the offer names all of protection), training 0 → 0.25
        assert_eq!(s.reasons[1].fit, 0.25);
        assert_eq!(s.reasons[2].fit, 0.5);
        assert!((s.reasons[3].fit - 183.0 / 365.0).abs() < 1e-9);
        assert_eq!(s.reasons[4].fit, 0.5);
        let expected = 0.35 * 0.25 + 0.30 * 0.5 + 0.20 * (183.0 / 365.0) + 0.15 * 0.5;
        assert!((s.score - expected).abs() < 0.001, "{}", s.score);
    }

    #[test]
    fn money_in_two_currencies_is_not_compared() {
        let c = case(&["prevention"], &[HelpKind::Funding], &["NG"]);
        let eur =
            Money::new(Decimal::new(100, 0), Currency::parse("EUR").expect("EUR")).expect("money");
        let s = score(
            &need(&c, Some(usd("10.00"))),
            &offer(&c, YEAR, Some(eur)),
            d("2026-12-01"),
        )
        .expect("matchable");
        assert_eq!(s.reasons[4].fit, 0.5);
        assert!(s.reasons[4].detail.contains("not compared"));
    }

    #[test]
    fn what_cannot_be_matched_says_why() {
        let c = case(&["prevention"], &[HelpKind::Funding], &["NG"]);
        let today = d("2026-12-01");
        let mut own = offer(&c, YEAR, None);
        own.organisation_id = "gov";
        assert_eq!(
            matchable(&need(&c, None), &own, today),
            Err(Unmatchable::SameOrganisation)
        );
        let elsewhere = case(&["prevention"], &[HelpKind::Funding], &["GH"]);
        assert_eq!(
            matchable(&need(&c, None), &offer(&elsewhere, YEAR, None), today),
            Err(Unmatchable::CountryNotCovered)
        );
        let past = Period {
            start: d("2025-01-01"),
            end: d("2025-12-31"),
        };
        assert_eq!(
            matchable(&need(&c, None), &offer(&c, past, None), today),
            Err(Unmatchable::OfferEnded(d("2025-12-31")))
        );
        let later = Period {
            start: d("2028-01-01"),
            end: d("2028-12-31"),
        };
        assert_eq!(
            matchable(&need(&c, None), &offer(&c, later, None), today),
            Err(Unmatchable::PeriodsApart)
        );
        // together only on days already past
        let early = Period {
            start: d("2026-06-01"),
            end: d("2027-01-10"),
        };
        assert_eq!(
            matchable(&need(&c, None), &offer(&c, early, None), d("2027-02-01")),
            Err(Unmatchable::OfferEnded(d("2027-01-10")))
        );
        assert_eq!(
            Unmatchable::SameOrganisation.field_error("offer_id").field,
            "offer_id"
        );
    }

    #[test]
    fn ranking_is_best_first_then_by_id() {
        let s = |score| Scored {
            score,
            reasons: Vec::new(),
        };
        let mut items = vec![(s(0.2), "a"), (s(0.9), "c"), (s(0.9), "b")];
        rank(&mut items, |x| x);
        let ids: Vec<&str> = items.iter().map(|(_, x)| *x).collect();
        assert_eq!(ids, ["b", "c", "a"]);
    }

    #[test]
    fn themes_and_kinds_are_checked_and_deduplicated() {
        let mut errors = Vec::new();
        let themes = check_themes(
            "themes",
            &["prevention".into(), "prevention".into(), "cooking".into()],
            &mut errors,
        );
        assert_eq!(themes, ["prevention", "cooking"]);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "themes[2]");
        let mut errors = Vec::new();
        check_kinds("kinds", &[], &mut errors);
        assert_eq!(errors[0].field, "kinds");
        let mut errors = Vec::new();
        check_period(
            d("2027-02-01"),
            d("2027-01-01"),
            d("2026-12-01"),
            &mut errors,
        );
        assert_eq!(errors[0].field, "end_on");
    }

    fn any_theme() -> impl Strategy<Value = String> {
        proptest::sample::select(taxonomy::themes().map(String::from).collect::<Vec<_>>())
    }

    fn any_kind() -> impl Strategy<Value = HelpKind> {
        proptest::sample::select(HelpKind::ALL.to_vec())
    }

    proptest! {
        /// Whatever the themes, kinds, periods and money, a score is in [0, 1], each
        /// reason's fit too, and every factor is given once.
        #[test]
        fn scores_and_fits_stay_between_zero_and_one(
            need_themes in proptest::collection::vec(any_theme(), 1..5),
            offer_themes in proptest::collection::vec(any_theme(), 1..5),
            need_kinds in proptest::collection::vec(any_kind(), 1..4),
            offer_kinds in proptest::collection::vec(any_kind(), 1..4),
            start in 0i64..400, len in 0i64..800, budget in 1i64..1_000_000, capacity in 0i64..2_000_000,
        ) {
            let need = NeedFacts {
                organisation_id: "gov", country: "NG", themes: &need_themes, kinds: &need_kinds,
                period: YEAR, budget: Some(Money::from_minor(budget, Currency::USD)),
            };
            let countries = vec!["NG".to_string()];
            let s0 = YEAR.start + chrono::Duration::days(start);
            let offer = OfferFacts {
                organisation_id: "donor", countries: &countries, themes: &offer_themes, kinds: &offer_kinds,
                period: Period { start: s0, end: s0 + chrono::Duration::days(len) },
                capacity: Some(Money::from_minor(capacity, Currency::USD)),
            };
            if let Ok(s) = score(&need, &offer, d("2026-12-01")) {
                prop_assert!((0.0..=1.0).contains(&s.score));
                prop_assert_eq!(s.reasons.len(), 5);
                for r in &s.reasons {
                    prop_assert!((0.0..=1.0).contains(&r.fit), "{:?}", r);
                }
            }
        }

        /// Offering more of what is asked never lowers the score: adding a theme or a
        /// kind of help to an offer keeps it at least as good.
        #[test]
        fn offering_more_never_scores_less(
            need_themes in proptest::collection::vec(any_theme(), 1..4),
            offer_themes in proptest::collection::vec(any_theme(), 1..4),
            extra_theme in any_theme(),
            need_kinds in proptest::collection::vec(any_kind(), 1..4),
            offer_kinds in proptest::collection::vec(any_kind(), 1..4),
            extra_kind in any_kind(),
        ) {
            let countries = vec!["NG".to_string()];
            let need = NeedFacts {
                organisation_id: "gov", country: "NG", themes: &need_themes, kinds: &need_kinds,
                period: YEAR, budget: None,
            };
            let base = OfferFacts {
                organisation_id: "donor", countries: &countries, themes: &offer_themes,
                kinds: &offer_kinds, period: YEAR, capacity: None,
            };
            let mut more_themes = offer_themes.clone();
            more_themes.push(extra_theme);
            let mut more_kinds = offer_kinds.clone();
            more_kinds.push(extra_kind);
            let more = OfferFacts { themes: &more_themes, kinds: &more_kinds, ..base.clone() };
            let today = d("2026-12-01");
            let a = score(&need, &base, today).expect("matchable").score;
            let b = score(&need, &more, today).expect("matchable").score;
            prop_assert!(b >= a, "{} < {}", b, a);
        }
    }
}
