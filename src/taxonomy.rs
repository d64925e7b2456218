//! The shared vocabularies of `domain.md`: the themes of the Global Plan of Action (the four
//! Ps with their sub-themes) and the forms of exploitation. Calls, applications, grants and
//! the registry all validate against these lists, so they are defined once, here.

use crate::error::FieldError;

/// The four Ps: every theme is one of these or a dotted sub-theme of one.
pub const TOP_THEMES: &[&str] = &["prevention", "protection", "prosecution", "partnership"];

/// Every theme code a client may send: the four Ps and their sub-themes.
pub const THEMES: &[&str] = &[
    "prevention",
    "prevention.awareness",
    "prevention.education",
    "prevention.livelihoods",
    "prevention.safe-migration",
    "prevention.supply-chains",
    "protection",
    "protection.identification",
    "protection.shelter",
    "protection.medical",
    "protection.psychosocial",
    "protection.legal-aid",
    "protection.repatriation",
    "protection.family-reunification",
    "protection.reintegration",
    "prosecution",
    "prosecution.legislation",
    "prosecution.training",
    "prosecution.investigation",
    "prosecution.victim-witness",
    "partnership",
    "partnership.coordination",
    "partnership.research",
    "partnership.data",
];

/// Forms of exploitation, as used to disaggregate beneficiaries.
pub const FORMS_OF_EXPLOITATION: &[&str] = &[
    "sexual",
    "forced-labour",
    "domestic-servitude",
    "forced-criminality",
    "forced-marriage",
    "child-soldiers",
    "organ-removal",
    "begging",
    "other",
];

/// Whether `code` is a theme of the taxonomy.
pub fn is_theme(code: &str) -> bool {
    THEMES.contains(&code)
}

/// The top-level P of a theme: `protection.shelter` → `protection`.
pub fn top_theme(code: &str) -> &str {
    code.split_once('.').map_or(code, |(top, _)| top)
}

/// The theme and the themes it implies: a `protection.shelter` project is also a
/// `protection` project.
pub fn with_parents(code: &str) -> Vec<&str> {
    let top = top_theme(code);
    if top == code {
        vec![code]
    } else {
        vec![code, top]
    }
}

/// Checks a theme code, naming the field when it is unknown.
pub fn theme(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    if !is_theme(value) {
        errors.push(FieldError::new(
            field,
            format!(
                "{value:?} is not a theme: use one of the four Ps ({}) or a sub-theme such as protection.shelter",
                TOP_THEMES.join(", ")
            ),
        ));
    }
    value.to_string()
}

/// Checks a form of exploitation.
pub fn form_of_exploitation(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    if !FORMS_OF_EXPLOITATION.contains(&value) {
        errors.push(FieldError::new(
            field,
            format!(
                "{value:?} is not a form of exploitation: use one of {}",
                FORMS_OF_EXPLOITATION.join(", ")
            ),
        ));
    }
    value.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_belongs_to_one_of_the_four_ps() {
        for theme in THEMES {
            assert!(TOP_THEMES.contains(&top_theme(theme)), "{theme}");
        }
        for top in TOP_THEMES {
            assert!(is_theme(top));
        }
    }

    #[test]
    fn sub_themes_imply_their_parent() {
        assert_eq!(
            with_parents("protection.shelter"),
            vec!["protection.shelter", "protection"]
        );
        assert_eq!(with_parents("prevention"), vec!["prevention"]);
    }

    #[test]
    fn unknown_codes_are_named() {
        let mut errors = Vec::new();
        theme("themes[1]", "protection.teleportation", &mut errors);
        theme("themes[0]", "protection.shelter", &mut errors);
        form_of_exploitation("exploitation", "sexual", &mut errors);
        form_of_exploitation("exploitation", "boredom", &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["themes[1]", "exploitation"]);
    }
}
