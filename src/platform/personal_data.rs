//! What looks like personal data in free text an organisation writes about its work
//! (report narratives, application summaries): email addresses, phone numbers, identity
//! document numbers, and a person's name beside an age or a village, in English, French and
//! Spanish. A narrative travels to donors and into the fund's yearly report; a name, a
//! village and an age in one sentence can identify a survivor.
//!
//! The checks are heuristics that lean towards precision: a finding names the words to
//! remove, and the organisation rephrases (a count per place, "a girl of 14"), so every
//! pattern asks for a clear marker (an `@`, eight digits or more that are not a grouped
//! amount or a year range, a document word before a number, "aged"/"years old"/"ans"/"años"
//! after a name, "named"/"nommée"/"llamada", "village of"). What they miss, the secretariat
//! catches: no narrative reaches a donor or a public output before it clears it.

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use crate::error::FieldError;
use crate::text_enum;

text_enum!(
    /// The kind of personal data a finding looks like.
    Kind {
        Email => "email",
        Phone => "phone",
        IdNumber => "id_number",
        NameAndAge => "name_and_age",
        NameAndPlace => "name_and_place",
        NamedPerson => "named_person",
    }
);

impl Kind {
    fn described(self) -> &'static str {
        match self {
            Kind::Email => "an email address",
            Kind::Phone => "a phone number",
            Kind::IdNumber => "an identity document number",
            Kind::NameAndAge => "a person's name beside an age",
            Kind::NameAndPlace => "a person's name beside a village or town",
            Kind::NamedPerson => "a person's name",
        }
    }
}

/// One stretch of text that looks like personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    /// The words found, as written (at most 80 characters).
    pub excerpt: String,
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("personal-data pattern {pattern}: {e}"))
}

/// A capitalised word, as names are written (letters of the three languages).
const NAME: &str = r"\p{Lu}[\p{Ll}'’-]{1,30}";

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"));
static PHONE: LazyLock<Regex> = LazyLock::new(|| re(r"(?:\+|\b)\d[\d \t().\-/]{6,22}\d\b"));
static THOUSANDS: LazyLock<Regex> = LazyLock::new(|| re(r"^\d{1,3}(?:[ .,]\d{3})+$"));
static YEARS: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:19|20)\d\d(?:\s*[-/–]\s*(?:19|20)\d\d)*$"));
static DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$"));
static ID_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:passport|passeport|pasaporte|identity card|id card|national id|carte d'identité|carte nationale|cni|dni|cédula|cedula|nin|ssn)\b[\s:#]*(?:no\.?|n°|nº|number|numéro|numero|núm\.?)?[\s:#]*[A-Z0-9][A-Z0-9/-]{4,}",
    )
});
static NAME_AND_AGE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b{NAME}(?:\s{NAME})?\s*[,(]\s*(?:aged?\s+|âgée?\s+de\s+|de\s+)?\d{{1,2}}\s*(?:years?[\s-]old|yrs?\b|y/?o\b|ans\b|años\b)|\b{NAME}(?:\s{NAME})?\s*,\s*aged?\s+\d{{1,2}}\b"
    ))
});
static NAME_AND_PLACE: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b{NAME}\s*,?\s+(?:from|of)\s+the\s+(?:village|town|hamlet)\s+of\s+{NAME}|\b{NAME}\s*,?\s+(?:du|de la)\s+(?:village|commune|localité)\s+de\s+{NAME}|\b{NAME}\s*,?\s+de\s+la\s+(?:aldea|comunidad|vereda)\s+de\s+{NAME}"
    ))
});
static NAMED: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"\b(?:named|called|nommée?|appelée?|prénommée?|llamad[ao])\s+{NAME}"
    ))
});

fn excerpt(text: &str) -> String {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_string(),
    }
}

/// A run of digits that is a phone number rather than an amount, a year range, a date or
/// part of a reference (`UNVTF-2026-0042`): eight to fifteen digits, not grouped in
/// thousands, not years, not a date, not glued to the letters or dashes before it.
fn is_phone(text: &str, start: usize, candidate: &str) -> bool {
    let glued = text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '/' | '_' | '.'));
    if glued {
        return false;
    }
    let digits = candidate.chars().filter(char::is_ascii_digit).count();
    if !(8..=15).contains(&digits) {
        return false;
    }
    let bare = candidate.trim();
    if bare.starts_with('+') {
        return true;
    }
    !(THOUSANDS.is_match(bare) || YEARS.is_match(bare) || DATE.is_match(bare))
}

/// Everything in `text` that looks like personal data, in the order found.
pub fn findings(text: &str) -> Vec<Finding> {
    let mut found: Vec<(usize, Finding)> = Vec::new();
    let mut push = |start: usize, kind: Kind, words: &str| {
        found.push((
            start,
            Finding {
                kind,
                excerpt: excerpt(words),
            },
        ))
    };
    for m in EMAIL.find_iter(text) {
        push(m.start(), Kind::Email, m.as_str());
    }
    for m in PHONE.find_iter(text) {
        // an email's digits are the email's finding
        if is_phone(text, m.start(), m.as_str())
            && !EMAIL
                .find_iter(text)
                .any(|e| e.range().contains(&m.start()))
        {
            push(m.start(), Kind::Phone, m.as_str());
        }
    }
    for m in ID_NUMBER.find_iter(text) {
        if m.as_str().chars().any(|c| c.is_ascii_digit()) {
            push(m.start(), Kind::IdNumber, m.as_str());
        }
    }
    for m in NAME_AND_AGE.find_iter(text) {
        push(m.start(), Kind::NameAndAge, m.as_str());
    }
    for m in NAME_AND_PLACE.find_iter(text) {
        push(m.start(), Kind::NameAndPlace, m.as_str());
    }
    for m in NAMED.find_iter(text) {
        push(m.start(), Kind::NamedPerson, m.as_str());
    }
    found.sort_by_key(|(start, _)| *start);
    found.into_iter().map(|(_, f)| f).collect()
}

/// The findings of one field as the field errors the organisation reads: what was found and
/// that it must go.
pub fn field_errors(field: &str, text: &str) -> Vec<FieldError> {
    findings(text)
        .into_iter()
        .map(|f| {
            FieldError::new(
                field,
                format!(
                    "looks like {}: \u{201c}{}\u{201d}; remove it, since this text may reach donors and the public: describe your work and give counts, never individuals",
                    f.kind.described(),
                    f.excerpt
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn kinds(text: &str) -> Vec<Kind> {
        findings(text).into_iter().map(|f| f.kind).collect()
    }

    #[test]
    fn what_identifies_a_person_is_found() {
        assert_eq!(
            kinds("Write to amina.b@example.org for details."),
            vec![Kind::Email]
        );
        assert_eq!(
            kinds("Her mother called +234 803 555 0101."),
            vec![Kind::Phone]
        );
        assert_eq!(kinds("Call 0803-555-0101 any time."), vec![Kind::Phone]);
        assert_eq!(
            kinds("Her passport no. A1234567 was returned."),
            vec![Kind::IdNumber]
        );
        assert_eq!(
            kinds("Son numéro de passeport: 12AB34567."),
            vec![Kind::IdNumber]
        );
        assert_eq!(
            kinds("Amina, 16 years old, was found in Lagos."),
            vec![Kind::NameAndAge]
        );
        assert_eq!(
            kinds("Amina Bello, aged 16, came back."),
            vec![Kind::NameAndAge]
        );
        assert_eq!(
            kinds("Marie, âgée de 14 ans, a été accueillie."),
            vec![Kind::NameAndAge]
        );
        assert_eq!(
            kinds("María, de 15 años, volvió a la escuela."),
            vec![Kind::NameAndAge]
        );
        assert_eq!(
            kinds("Esi from the village of Abor returned home."),
            vec![Kind::NameAndPlace]
        );
        assert_eq!(
            kinds("Fatou, du village de Kpalimé, a repris l'école."),
            vec![Kind::NameAndPlace]
        );
        assert_eq!(
            kinds("Una joven llamada Rosa pidió ayuda."),
            vec![Kind::NamedPerson]
        );
        assert_eq!(
            kinds("A girl named Joy, aged 14, from Benin City."),
            vec![Kind::NamedPerson, Kind::NameAndAge]
        );
    }

    #[test]
    fn an_account_of_the_work_passes() {
        for text in [
            "In 2024 the shelter took in 45 girls and 12 boys; 30 went back to school.",
            "Between 2023-2024 and 2024/2025 we trained 120 police officers in Edo State.",
            "We spent 12 500 000 FCFA (about USD 20,000) on rent and 1,250,000 on food.",
            "Overall, 14 survivors aged 12 to 17 received legal aid in Lagos and Abuja.",
            "Nous avons accueilli 45 filles de 12 à 17 ans à Cotonou.",
            "Atendimos a 30 mujeres de 18 a 25 años en Ciudad de Guatemala.",
            "The hotline in the report is the national one.",
            "Grant reference UNVTF-2026-0042 was paid on 2026-03-01.",
        ] {
            assert_eq!(findings(text), vec![], "{text}");
        }
    }

    #[test]
    fn the_message_names_the_field_and_the_words() {
        let errors = field_errors("narrative", "Write to amina@example.org.");
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "narrative");
        assert!(
            errors[0]
                .message
                .contains("an email address: \u{201c}amina@example.org\u{201d}")
        );
    }

    proptest! {
        /// Whatever surrounds it, an email address or a phone number in international form
        /// is found, and the checks never panic on any text.
        #[test]
        fn planted_contacts_are_found_anywhere(
            before in "[a-z ,.;]{0,40}",
            after in "[a-z ,.;]{0,40}",
            user in "[a-z]{2,10}",
            digits in "[1-9][0-9]{9}",
            noise in any::<String>(),
        ) {
            let _ = findings(&noise);
            let email = format!("{before} {user}@example.org {after}");
            prop_assert!(kinds(&email).contains(&Kind::Email), "{email}");
            let phone = format!("{before} +{digits} {after}");
            prop_assert!(kinds(&phone).contains(&Kind::Phone), "{phone}");
        }
    }
}
