//! Overlap detection, the pure part: how alike two projects are, as a score in [0, 1] with
//! the reasons. Candidates are found by the store (shared country, overlapping dates,
//! distinctive shared words through the full-text index, shared organisations); this
//! module scores them.
//!
//! The score weighs text against the rest: `0.65 × text + 0.35 × structure`, where
//! structure is `0.35 × countries + 0.25 × themes + 0.25 × dates + 0.15 × organisations`
//! (each an overlap coefficient, |A ∩ B| / min(|A|, |B|)). Text similarity is a TF-IDF
//! cosine over words and adjacent word pairs (log-damped counts), after dropping words
//! every anti-trafficking project uses. The IDF comes from the pool being compared (the
//! candidates the index found and the subject), so what the whole pool shares — the
//! activity that made them candidates — weighs less than the place, the target group and
//! the other activities that tell a duplicate apart. When either side has no text, the
//! structure alone decides. Projects in different countries, or whose known dates do not
//! overlap, are not candidates at all.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::model::{OverlapReason, OverlapSubject, Participant};
use super::text;
use crate::taxonomy;

/// Pairs scoring at least this are shown as candidates and queued for review.
pub const FLAG_THRESHOLD: f64 = 0.5;

const TEXT_WEIGHT: f64 = 0.65;
const STRUCTURE_WEIGHT: f64 = 0.35;
const COUNTRY_WEIGHT: f64 = 0.35;
const THEME_WEIGHT: f64 = 0.25;
const DATE_WEIGHT: f64 = 0.25;
const ORG_WEIGHT: f64 = 0.15;

/// Stems that nearly every project of the registry uses; they say nothing about whether
/// two projects are the same one.
const DOMAIN_WORDS: &[&str] = &[
    "activ",
    "develop",
    "implement",
    "improv",
    "includ",
    "person",
    "programm",
    "project",
    "provid",
    "strengthen",
    "support",
    "traffick",
    "victim",
];

/// What the comparison needs of one project.
#[derive(Debug, Clone, Default)]
pub struct Features {
    pub id: Option<String>,
    pub countries: BTreeSet<String>,
    /// Themes with the four P each implies.
    pub themes: BTreeSet<String>,
    /// Organisation key → shown name or id (`id:<uuid>`, `ref:<org-id>`, `name:<words>`).
    pub organisations: BTreeMap<String, String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    /// Log-damped counts of words and of adjacent word pairs (`"legal clinic"`).
    terms: BTreeMap<String, f64>,
    /// The words alone, for choosing what to look up and for naming shared words.
    words: BTreeMap<String, f64>,
}

/// Inverse document frequencies over a pool of projects: `ln((1 + n) / (1 + df)) + 1`.
#[derive(Debug, Clone, Default)]
pub struct Idf {
    docs: f64,
    df: std::collections::HashMap<String, f64>,
}

impl Idf {
    /// Every term weighs the same (a plain cosine).
    pub fn uniform() -> Self {
        Idf::default()
    }

    pub fn of_pool<'a>(pool: impl IntoIterator<Item = &'a Features>) -> Self {
        let mut idf = Idf::default();
        for f in pool {
            idf.docs += 1.0;
            for term in f.terms.keys() {
                *idf.df.entry(term.clone()).or_insert(0.0) += 1.0;
            }
        }
        idf
    }

    pub fn weight(&self, term: &str) -> f64 {
        if self.docs == 0.0 {
            return 1.0;
        }
        let df = self.df.get(term).copied().unwrap_or(0.0);
        ((1.0 + self.docs) / (1.0 + df)).ln() + 1.0
    }
}

fn org_keys(
    reporting_org_id: Option<&str>,
    participants: &[Participant],
) -> BTreeMap<String, String> {
    let mut keys = BTreeMap::new();
    if let Some(id) = reporting_org_id {
        keys.insert(format!("id:{id}"), id.to_string());
    }
    for p in participants {
        if let Some(id) = &p.organisation_id {
            keys.insert(format!("id:{id}"), id.to_string());
        } else if let Some(reference) = p.reference.as_deref().filter(|r| !r.is_empty()) {
            keys.insert(
                format!("ref:{reference}"),
                p.name.clone().unwrap_or_else(|| reference.to_string()),
            );
        } else if let Some(name) = &p.name {
            let words = text::words(name).join(" ");
            if !words.is_empty() {
                keys.insert(format!("name:{words}"), name.clone());
            }
        }
    }
    keys
}

impl Features {
    /// Features from a project's parts and its indexed words (`search_text`).
    pub fn new(subject: &OverlapSubject, search_text: &str) -> Self {
        let words: Vec<&str> = search_text
            .split_whitespace()
            .filter(|w| DOMAIN_WORDS.binary_search(w).is_err())
            .collect();
        let mut counts: BTreeMap<String, u32> = BTreeMap::new();
        for (word, count) in text::term_counts(&words.join(" ")) {
            counts.insert(word.to_string(), count);
        }
        let damp = |c: u32| 1.0 + f64::from(c).ln();
        let word_weights: BTreeMap<String, f64> =
            counts.iter().map(|(w, c)| (w.clone(), damp(*c))).collect();
        let mut pair_counts: BTreeMap<String, u32> = BTreeMap::new();
        for pair in words.windows(2) {
            *pair_counts
                .entry(format!("{} {}", pair[0], pair[1]))
                .or_insert(0) += 1;
        }
        let mut terms = word_weights.clone();
        terms.extend(pair_counts.into_iter().map(|(p, c)| (p, damp(c))));
        let themes = subject
            .themes
            .iter()
            .flat_map(|t| taxonomy::with_parents(t))
            .map(str::to_string)
            .collect();
        Features {
            id: subject.id.clone(),
            countries: subject.countries.iter().cloned().collect(),
            themes,
            organisations: org_keys(subject.reporting_org_id.as_deref(), &subject.participants),
            start_on: subject.start_on,
            end_on: subject.end_on,
            terms,
            words: word_weights,
        }
    }

    pub fn has_text(&self) -> bool {
        !self.terms.is_empty()
    }

    /// The subject's words with their weight (log-damped count), for finding candidates.
    pub fn word_weights(&self) -> Vec<(String, f64)> {
        self.words.iter().map(|(w, n)| (w.clone(), *n)).collect()
    }
}

fn overlap_coefficient<T: Ord>(a: &BTreeSet<T>, b: &BTreeSet<T>) -> f64 {
    let smaller = a.len().min(b.len());
    if smaller == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / smaller as f64
}

/// How much two date ranges overlap: the shared days over the shorter range; unknown
/// when a date is missing (0.5) unless the known dates already exclude an overlap.
fn date_overlap(a: &Features, b: &Features) -> (f64, Option<(NaiveDate, NaiveDate)>) {
    let start = a.start_on.max(b.start_on);
    let end = match (a.end_on, b.end_on) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    if let (Some(s), Some(e)) = (start, end)
        && e < s
    {
        return (0.0, None);
    }
    match (a.start_on, a.end_on, b.start_on, b.end_on) {
        (Some(a0), Some(a1), Some(b0), Some(b1)) => {
            let (s, e) = (a0.max(b0), a1.min(b1));
            let shared = (e - s).num_days() + 1;
            let shorter = ((a1 - a0).num_days() + 1).min((b1 - b0).num_days() + 1);
            (
                (shared as f64 / shorter.max(1) as f64).clamp(0.0, 1.0),
                Some((s, e)),
            )
        }
        _ => (0.5, None),
    }
}

/// Whether two projects could be the same at all: same place (when both name places) and
/// overlapping time (when both give dates).
pub fn comparable(a: &Features, b: &Features) -> bool {
    let places =
        a.countries.is_empty() || b.countries.is_empty() || !a.countries.is_disjoint(&b.countries);
    places && date_overlap(a, b).0 > 0.0
}

/// TF-IDF cosine of the two texts, and the shared words that weigh most.
fn text_similarity(a: &Features, b: &Features, idf: &Idf) -> (f64, Vec<String>) {
    if !a.has_text() || !b.has_text() {
        return (0.0, Vec::new());
    }
    let norm = |f: &Features| {
        f.terms
            .iter()
            .map(|(t, w)| (w * idf.weight(t)).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let mut dot = 0.0;
    let mut shared = Vec::new();
    for (term, wa) in &a.terms {
        if let Some(wb) = b.terms.get(term) {
            let contribution = wa * wb * idf.weight(term).powi(2);
            dot += contribution;
            if !term.contains(' ') {
                shared.push((term.clone(), contribution));
            }
        }
    }
    let (na, nb) = (norm(a), norm(b));
    let cosine = if na > 0.0 && nb > 0.0 {
        dot / (na * nb)
    } else {
        0.0
    };
    shared.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    let words = shared.into_iter().take(10).map(|(w, _)| w).collect();
    (cosine.clamp(0.0, 1.0), words)
}

/// The shared words of `reasons` as the subject writes them (`forms`, from
/// `text::written_forms` of its title and description), not as the index stems them, so a
/// reader sees `counselling` rather than `counsel`.
pub fn words_as_written(reasons: &mut [OverlapReason], forms: &HashMap<String, String>) {
    for reason in reasons {
        if let OverlapReason::SimilarText { shared_words, .. } = reason {
            for word in shared_words.iter_mut() {
                if let Some(form) = forms.get(word.as_str()) {
                    word.clone_from(form);
                }
            }
        }
    }
}

/// A scored comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub reasons: Vec<OverlapReason>,
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// How alike `a` and `b` are, words weighed by `idf`. `None` when they cannot be the same
/// project (different countries, or dates that do not meet).
pub fn score(a: &Features, b: &Features, idf: &Idf) -> Option<Scored> {
    if !comparable(a, b) {
        return None;
    }
    let countries = overlap_coefficient(&a.countries, &b.countries);
    let themes = overlap_coefficient(&a.themes, &b.themes);
    let (dates, shared_range) = date_overlap(a, b);
    let a_orgs: BTreeSet<&String> = a.organisations.keys().collect();
    let b_orgs: BTreeSet<&String> = b.organisations.keys().collect();
    let orgs = overlap_coefficient(&a_orgs, &b_orgs);
    let structure = COUNTRY_WEIGHT * countries
        + THEME_WEIGHT * themes
        + DATE_WEIGHT * dates
        + ORG_WEIGHT * orgs;
    let (similarity, shared_words) = text_similarity(a, b, idf);
    let score = if a.has_text() && b.has_text() {
        TEXT_WEIGHT * similarity + STRUCTURE_WEIGHT * structure
    } else {
        structure
    };

    let mut reasons = Vec::new();
    let shared_countries: Vec<String> = a.countries.intersection(&b.countries).cloned().collect();
    if !shared_countries.is_empty() {
        reasons.push(OverlapReason::SameCountry {
            countries: shared_countries,
        });
    }
    // Name the most specific shared themes: a shared sub-theme implies its P.
    let shared_themes: BTreeSet<&String> = a.themes.intersection(&b.themes).collect();
    let specific: Vec<String> = shared_themes
        .iter()
        .filter(|t| {
            !shared_themes
                .iter()
                .any(|o| o != *t && taxonomy::top_theme(o) == t.as_str())
        })
        .map(|t| t.to_string())
        .collect();
    if !specific.is_empty() {
        reasons.push(OverlapReason::SameTheme { themes: specific });
    }
    if let Some((from, to)) = shared_range {
        reasons.push(OverlapReason::OverlappingDates { from, to });
    }
    let shared_orgs: Vec<&String> = a_orgs.intersection(&b_orgs).copied().collect();
    if !shared_orgs.is_empty() {
        let mut organisation_ids = Vec::new();
        let mut names = Vec::new();
        for key in shared_orgs {
            match key.strip_prefix("id:") {
                Some(id) => organisation_ids.push(id.to_string()),
                None => names.push(a.organisations[key].clone()),
            }
        }
        reasons.push(OverlapReason::SharedOrganisations {
            organisation_ids,
            names,
        });
    }
    if similarity >= 0.1 {
        reasons.push(OverlapReason::SimilarText {
            similarity: round3(similarity),
            shared_words,
        });
    }
    Some(Scored {
        score: round3(score.clamp(0.0, 1.0)),
        reasons,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::model::ParticipantRole;

    fn date(s: &str) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
    }

    fn subject(
        title: &str,
        description: &str,
        countries: &[&str],
        themes: &[&str],
    ) -> OverlapSubject {
        OverlapSubject {
            id: None,
            title: title.into(),
            description: description.into(),
            reporting_org_id: Some("org-a".into()),
            participants: vec![],
            countries: countries.iter().map(|c| c.to_string()).collect(),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            start_on: date("2025-01-01"),
            end_on: date("2025-12-31"),
        }
    }

    fn features(s: &OverlapSubject) -> Features {
        Features::new(s, &text::search_text(&s.title, &s.description))
    }

    #[test]
    fn domain_words_are_sorted_for_binary_search() {
        let mut sorted = DOMAIN_WORDS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, DOMAIN_WORDS);
    }

    #[test]
    fn a_reworded_copy_scores_high_with_every_reason() {
        let a = subject(
            "Mobile legal clinics for trafficking survivors in Lagos",
            "Lawyers visit shelters in Lagos and Ikeja to give legal aid to survivors and accompany them to court.",
            &["NG"],
            &["protection.legal-aid"],
        );
        let mut b = subject(
            "Legal clinics on wheels for survivors of trafficking, Lagos",
            "Mobile teams of lawyers give legal aid to survivors in Lagos and Ikeja shelters and accompany them in court.",
            &["NG", "BJ"],
            &["protection.legal-aid", "prosecution"],
        );
        b.reporting_org_id = Some("org-b".into());
        b.participants = vec![Participant {
            role: ParticipantRole::Implementing,
            organisation_id: Some("org-a".into()),
            name: None,
            reference: None,
        }];
        let scored = score(&features(&a), &features(&b), &Idf::uniform()).expect("comparable");
        assert!(scored.score >= FLAG_THRESHOLD, "{scored:?}");
        assert!(scored.score <= 1.0);
        let kinds: Vec<&str> = scored
            .reasons
            .iter()
            .map(|r| match r {
                OverlapReason::SameCountry { .. } => "country",
                OverlapReason::SameTheme { .. } => "theme",
                OverlapReason::OverlappingDates { .. } => "dates",
                OverlapReason::SharedOrganisations { .. } => "orgs",
                OverlapReason::SimilarText { .. } => "text",
            })
            .collect();
        assert_eq!(kinds, vec!["country", "theme", "dates", "orgs", "text"]);
        assert!(scored.reasons.contains(&OverlapReason::SameTheme {
            themes: vec!["protection.legal-aid".into()]
        }));
    }

    #[test]
    fn same_place_and_theme_with_other_work_is_not_flagged() {
        let a = subject(
            "Mobile legal clinics for survivors in Lagos",
            "Lawyers give legal aid in Lagos shelters.",
            &["NG"],
            &["protection.legal-aid"],
        );
        let mut b = subject(
            "Vocational training for returnees in Benin City",
            "Tailoring and catering courses with start-up kits for young women returning from Libya.",
            &["NG"],
            &["protection.reintegration"],
        );
        b.reporting_org_id = Some("org-b".into());
        let scored = score(&features(&a), &features(&b), &Idf::uniform()).expect("comparable");
        assert!(scored.score < FLAG_THRESHOLD, "{scored:?}");
    }

    #[test]
    fn other_countries_or_disjoint_dates_are_never_candidates() {
        let a = subject("Shelter in Lagos", "Safe houses", &["NG"], &["protection"]);
        let b = subject("Shelter in Lagos", "Safe houses", &["GH"], &["protection"]);
        assert!(score(&features(&a), &features(&b), &Idf::uniform()).is_none());
        let mut c = a.clone();
        c.start_on = date("2027-01-01");
        c.end_on = date("2027-06-30");
        assert!(score(&features(&a), &features(&c), &Idf::uniform()).is_none());
        let mut open = a.clone();
        open.start_on = None;
        open.end_on = None;
        let s = score(&features(&a), &features(&open), &Idf::uniform())
            .expect("unknown dates may overlap");
        assert!(s.score > 0.0);
    }

    #[test]
    fn identical_projects_score_one_and_scores_are_symmetric() {
        let a = subject(
            "Shelter in Lagos",
            "Safe houses for survivors",
            &["NG"],
            &["protection.shelter"],
        );
        let s = score(&features(&a), &features(&a), &Idf::uniform()).expect("comparable");
        assert_eq!(s.score, 1.0);
        let b = subject(
            "Shelters around Lagos",
            "Safe houses",
            &["NG", "GH"],
            &["protection"],
        );
        let ab = score(&features(&a), &features(&b), &Idf::uniform())
            .expect("x")
            .score;
        let ba = score(&features(&b), &features(&a), &Idf::uniform())
            .expect("x")
            .score;
        assert_eq!(ab, ba);
    }

    #[test]
    fn without_text_the_structure_decides() {
        let mut a = subject("", "", &["NG"], &["protection"]);
        a.title.clear();
        let b = subject("Shelter", "Safe houses", &["NG"], &["protection"]);
        let s = score(&features(&a), &features(&b), &Idf::uniform()).expect("comparable");
        assert!(s.score >= FLAG_THRESHOLD, "{s:?}");
    }

    #[test]
    fn domain_words_do_not_count() {
        let a = subject(
            "Trafficking victims support project",
            "Legal clinics Lagos Lagos",
            &["NG"],
            &[],
        );
        let words = features(&a).word_weights();
        assert!(words.iter().any(|(w, n)| w == "lago" && *n > 1.0));
        assert!(!words.iter().any(|(w, _)| w == "traffick" || w == "victim"));
    }
}
