//! The shared vocabulary of `domain.md`: themes (the four Ps of the Global Plan of Action
//! and their sub-themes), forms of exploitation, sex and age group. Calls, applications,
//! reports and the registry all speak it, so it lives in one place.

use crate::text_enum;

/// The four Ps.
pub const TOP_THEMES: &[&str] = &["prevention", "protection", "prosecution", "partnership"];

/// Sub-themes, each `<P>.<name>`.
/// How many themes the taxonomy has: the most a list of distinct themes can hold.
pub const THEME_COUNT: usize = TOP_THEMES.len() + SUB_THEMES.len();

pub const SUB_THEMES: &[&str] = &[
    "prevention.awareness",
    "prevention.education",
    "prevention.livelihoods",
    "prevention.research",
    "prevention.safe-migration",
    "prevention.supply-chains",
    "protection.identification",
    "protection.shelter",
    "protection.medical",
    "protection.psychosocial",
    "protection.legal-aid",
    "protection.repatriation",
    "protection.family-reunification",
    "protection.reintegration",
    "prosecution.training",
    "prosecution.legislation",
    "prosecution.investigation",
    "prosecution.victim-witness",
    "partnership.coordination",
    "partnership.data",
    "partnership.research",
];

/// Every theme code, the four Ps first.
pub fn themes() -> impl Iterator<Item = &'static str> {
    TOP_THEMES.iter().chain(SUB_THEMES.iter()).copied()
}

/// Whether `code` is a theme or sub-theme of the taxonomy.
pub fn is_theme(code: &str) -> bool {
    themes().any(|t| t == code)
}

/// The P a theme belongs to: `protection.shelter` → `protection`.
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
pub fn theme(field: &str, value: &str, errors: &mut Vec<crate::error::FieldError>) -> String {
    if !is_theme(value) {
        errors.push(crate::error::FieldError::new(
            field,
            format!(
                "{value:?} is not a theme: use one of the four Ps ({}) or a sub-theme such as protection.shelter",
                TOP_THEMES.join(", ")
            ),
        ));
    }
    value.to_string()
}

text_enum!(
    /// Forms of exploitation.
    Exploitation {
        Sexual => "sexual",
        ForcedLabour => "forced-labour",
        DomesticServitude => "domestic-servitude",
        ForcedCriminality => "forced-criminality",
        ForcedMarriage => "forced-marriage",
        ChildSoldiers => "child-soldiers",
        OrganRemoval => "organ-removal",
        Begging => "begging",
        Other => "other",
    }
);

text_enum!(
    /// Sex of beneficiaries, as counted.
    Sex {
        Female => "female",
        Male => "male",
        Other => "other",
        Unknown => "unknown",
    }
);

text_enum!(
    /// Age group of beneficiaries, as counted.
    AgeGroup {
        Child => "child",
        Adult => "adult",
        Unknown => "unknown",
    }
);

/// Services delivered to beneficiaries, as counted in outcome reports.
pub const SERVICES: &[&str] = &[
    "shelter",
    "medical-care",
    "psycho-social-care",
    "legal-aid",
    "repatriation",
    "family-reunification",
    "reintegration",
    "other",
];

/// Whether `code` is a service of `SERVICES`.
pub fn is_service(code: &str) -> bool {
    SERVICES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sub_theme_belongs_to_one_of_the_four_ps() {
        for sub in SUB_THEMES {
            let (parent, name) = sub.split_once('.').expect("sub-themes are P.name");
            assert!(TOP_THEMES.contains(&parent), "{sub}");
            assert!(!name.is_empty());
        }
    }

    #[test]
    fn themes_are_recognised_exactly() {
        assert!(is_theme("protection"));
        assert!(is_theme("protection.legal-aid"));
        assert!(!is_theme("Protection"));
        assert!(!is_theme("protection."));
        assert!(!is_theme("protection.unknown"));
        assert!(!is_theme(""));
        assert_eq!(themes().count(), 25);
    }

    #[test]
    fn sub_themes_imply_their_parent() {
        assert_eq!(top_theme("protection.shelter"), "protection");
        assert_eq!(
            with_parents("protection.shelter"),
            vec!["protection.shelter", "protection"]
        );
        assert_eq!(with_parents("prevention"), vec!["prevention"]);
        let mut errors = Vec::new();
        theme("themes[1]", "protection.teleportation", &mut errors);
        theme("themes[0]", "protection.shelter", &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["themes[1]"]);
    }

    #[test]
    fn wire_names_round_trip() {
        for e in Exploitation::ALL {
            assert_eq!(Exploitation::from_db(e.as_str()).ok(), Some(*e));
        }
        assert_eq!(Sex::ALL.len(), 4);
        assert_eq!(AgeGroup::ALL.len(), 3);
    }
}
