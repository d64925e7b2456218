//! Pure rules of a report draft: which fields a draft holds and what it may never hold
//! (`check`), and whether a save writes, changes nothing, or comes too late (`decide`).
//!
//! A draft is kept incomplete on purpose: a missing period, a count that is not yet a
//! number or totals that do not add up are the report's rules, checked when it is sent. What
//! is refused even in a draft is what must never be stored at all: a survivor's personal
//! data (the report's own rule, `reports::rules::personal_data`, on every field typed), text
//! that is not text (`platform::text`), unknown fields and overlong values.

use std::collections::BTreeMap;

use crate::error::{AppError, FieldError};
use crate::platform::text::{self, Lines};
use crate::reports::model::{MAX_EXPENDITURE_LINES, MAX_NARRATIVE};
use crate::reports::rules::personal_data;
use crate::taxonomy::SERVICES;

/// A draft's content: the report form's fields by name, as typed.
pub type Form = BTreeMap<String, String>;

/// Lines of the people-helped table on the form.
pub const GROUP_ROWS: usize = 8;
/// The longest value of a field other than the narrative (a date, a count, an amount, a code).
pub const MAX_VALUE: usize = 200;

/// `is_field` as a regular expression, for the API's document.
pub static FIELD_PATTERN: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    // service codes are lowercase letters and hyphens, which a pattern reads as themselves
    let services: Vec<&str> = SERVICES.to_vec();
    format!(
        "^(?:kind|period_start|period_end|people_to_date|narrative|(?:sex|age|form|count)_[0-{}]|service_(?:{})|spent_(?:0|[1-9][0-9]?))$",
        GROUP_ROWS - 1,
        services.join("|")
    )
});

/// Whether `name` is a field of the report form: `kind`, `period_start`, `period_end`,
/// `people_to_date`, `narrative`; `sex_N`, `age_N`, `form_N`, `count_N` for the lines of the
/// people-helped table (N from 0 to 7); `service_<code>` for each service; `spent_N` for the
/// N-th budget line of the application.
pub fn is_field(name: &str) -> bool {
    if matches!(
        name,
        "kind" | "period_start" | "period_end" | "people_to_date" | "narrative"
    ) {
        return true;
    }
    if let Some(code) = name.strip_prefix("service_") {
        return SERVICES.contains(&code);
    }
    let indexed = |prefix: &str, below: usize| {
        name.strip_prefix(prefix).is_some_and(|n| {
            !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n == "0" || !n.starts_with('0'))
                && n.parse::<usize>().is_ok_and(|i| i < below)
        })
    };
    ["sex_", "age_", "form_", "count_"]
        .iter()
        .any(|p| indexed(p, GROUP_ROWS))
        || indexed("spent_", MAX_EXPENDITURE_LINES)
}

/// Every reason `form` may not be kept, even as a draft, each naming its field: unknown
/// fields, overlong values, what is not text, and what looks like personal data (quoting
/// the words to remove). Empty when the draft may be stored, however incomplete.
pub fn check(form: &Form) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (name, value) in form {
        if !is_field(name) {
            errors.push(FieldError::new(
                name.as_str(),
                "is not a field of the report form",
            ));
            continue;
        }
        let (max, lines) = if name == "narrative" {
            (MAX_NARRATIVE, Lines::Multi)
        } else {
            (MAX_VALUE, Lines::Single)
        };
        if value.chars().count() > max {
            errors.push(FieldError::new(
                name.as_str(),
                format!("must be at most {max} characters"),
            ));
            continue;
        }
        if let Some(problem) = text::problem(value, lines) {
            errors.push(FieldError::new(name.as_str(), problem));
            continue;
        }
        errors.extend(personal_data(name, value));
    }
    errors
}

/// What a save does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// No draft yet: the first, version 1.
    Insert,
    /// The draft of version `from` becomes version `from + 1`.
    Update { from: i64 },
    /// The draft already holds this content (a second click, a retry): nothing is written
    /// and the answer is the draft as it is.
    Unchanged { version: i64 },
}

/// Whether a save of `new`, made from the draft of version `expected` (`None`: from no
/// draft), may be written over `current` (the stored draft's version and content). The same
/// content is never refused; other content over a draft the writer has not seen (saved
/// since in another tab or by a colleague, or sent or discarded since) is 409.
pub fn decide(
    current: Option<(i64, &Form)>,
    expected: Option<i64>,
    new: &Form,
) -> Result<Decision, AppError> {
    match (current, expected) {
        (Some((version, held)), _) if held == new => Ok(Decision::Unchanged { version }),
        (None, None) => Ok(Decision::Insert),
        (Some((version, _)), Some(seen)) if seen == version => {
            Ok(Decision::Update { from: version })
        }
        (Some((version, _)), Some(seen)) => Err(AppError::invalid_state(format!(
            "the draft changed since version {seen}: it is version {version} now, saved in another tab or by a colleague; read it again before saving over it"
        ))),
        (Some((version, _)), None) => Err(AppError::invalid_state(format!(
            "this grant has a draft already (version {version}); read it and send its version to save over it"
        ))),
        (None, Some(seen)) => Err(AppError::invalid_state(format!(
            "the draft of version {seen} is gone: the report was sent or the draft discarded since; save without a version to start a new draft"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use proptest::prelude::*;

    fn form(fields: &[(&str, &str)]) -> Form {
        fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_form_s_fields_are_known_and_nothing_else() {
        for name in [
            "kind",
            "period_start",
            "narrative",
            "sex_0",
            "count_7",
            "age_3",
            "form_5",
            "service_shelter",
            "service_legal-aid",
            "spent_0",
            "spent_99",
        ] {
            assert!(is_field(name), "{name}");
        }
        for name in [
            "csrf",
            "once",
            "version",
            "count_8",
            "count_",
            "count_01",
            "count_-1",
            "service_spa",
            "spent_100",
            "line_0",
            "Narrative",
        ] {
            assert!(!is_field(name), "{name}");
        }
    }

    #[test]
    fn the_document_s_pattern_says_what_is_field_says() {
        assert!(
            SERVICES
                .iter()
                .all(|s| s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'))
        );
        let pattern = regex::Regex::new(&FIELD_PATTERN).expect("a pattern");
        for name in [
            "kind",
            "narrative",
            "sex_0",
            "count_7",
            "count_8",
            "count_01",
            "spent_0",
            "spent_99",
            "spent_100",
            "service_shelter",
            "service_legal-aid",
            "service_spa",
            "csrf",
            "x",
        ] {
            assert_eq!(pattern.is_match(name), is_field(name), "{name}");
        }
    }

    #[test]
    fn an_incomplete_draft_is_kept() {
        // no period, a count that is not a number yet, totals that do not add up
        let draft = form(&[
            ("kind", "final"),
            ("count_0", "nine?"),
            ("people_to_date", "3"),
            ("count_1", "40"),
            (
                "narrative",
                "The shelter opened in March; numbers to check with Lagos.",
            ),
        ]);
        assert_eq!(check(&draft), vec![]);
    }

    #[test]
    fn personal_data_is_refused_in_a_draft_beside_its_field() {
        let draft = form(&[
            ("narrative", "Appeler Aminata au +234 803 555 0199."),
            ("count_2", "amina.b@example.org"),
        ]);
        let errors = check(&draft);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["count_2", "narrative"], "{errors:?}");
        assert!(
            errors[1].message.contains("+234 803 555 0199"),
            "{errors:?}"
        );
        // the very rule a sent report's narrative passes
        assert_eq!(
            personal_data("narrative", "Appeler Aminata au +234 803 555 0199."),
            errors[1..].to_vec()
        );
    }

    #[test]
    fn unknown_fields_overlong_values_and_controls_are_refused() {
        let long = "x".repeat(MAX_VALUE + 1);
        let draft = form(&[
            ("password", "x"),
            ("period_start", &long),
            ("kind", "interim\u{202E}"),
            ("people_to_date", "1\n2"),
        ]);
        let fields: Vec<String> = check(&draft).into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec!["kind", "password", "people_to_date", "period_start"]
        );
        let mut narrative = form(&[("narrative", "line one\nline two")]);
        assert_eq!(check(&narrative), vec![]);
        narrative.insert("narrative".into(), "y".repeat(MAX_NARRATIVE + 1));
        assert_eq!(check(&narrative).len(), 1);
    }

    #[test]
    fn a_save_writes_changes_nothing_or_is_stale() {
        let a = form(&[("kind", "interim")]);
        let b = form(&[("kind", "final")]);
        assert_eq!(decide(None, None, &a).ok(), Some(Decision::Insert));
        assert_eq!(
            decide(Some((3, &a)), Some(3), &b).ok(),
            Some(Decision::Update { from: 3 })
        );
        // the same content twice (a double click, a retry): harmless, whatever the version
        for expected in [None, Some(2), Some(3)] {
            assert_eq!(
                decide(Some((3, &a)), expected, &a).ok(),
                Some(Decision::Unchanged { version: 3 })
            );
        }
        // other content over a draft not seen: refused
        for (current, expected) in [
            (Some((3, &a)), Some(2)),
            (Some((3, &a)), None),
            (None, Some(2)),
        ] {
            let refused = decide(current, expected, &b).expect_err("stale");
            assert_eq!(refused.code, ErrorCode::InvalidState);
        }
    }

    proptest! {
        /// Whatever is stored, only a save from its own version or of its own content
        /// goes through.
        #[test]
        fn only_the_current_version_or_the_same_content_saves(
            held in 1i64..50, seen in proptest::option::of(1i64..50), same in any::<bool>()
        ) {
            let a = form(&[("kind", "interim")]);
            let b = if same { a.clone() } else { form(&[("kind", "final")]) };
            let decided = decide(Some((held, &a)), seen, &b);
            prop_assert_eq!(decided.is_ok(), same || seen == Some(held));
        }
    }
}
