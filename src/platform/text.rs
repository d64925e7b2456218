//! What counts as text: the one rule every free-text value passes, whether it arrives in a
//! JSON body (checked for every string by `http::parse_json`) or as a field that must stay
//! on one line (`platform::required_line`).
//!
//! Refused everywhere: C0 and C1 control characters (NUL, ESC, DEL, …) other than line
//! breaks and tabs, and the bidirectional embeddings, overrides and isolates
//! (U+202A–U+202E, U+2066–U+2069) that make text read differently from what it stores
//! (e.g. a reference that shows as `INV-exe.pdf` but is `INV-<U+202E>fdp.exe`). Single-line fields refuse line breaks and tabs too.

/// Whether a field may span several lines (descriptions, narratives) or not (names,
/// titles, references).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    Single,
    Multi,
}

/// Why `value` is not acceptable text, or `None` when it is.
pub fn problem(value: &str, lines: Lines) -> Option<String> {
    for c in value.chars() {
        let refused = match c {
            '\n' | '\r' | '\t' => lines == Lines::Single,
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {
                return Some(format!(
                    "must not contain the bidirectional control character U+{:04X}",
                    c as u32
                ));
            }
            c => c.is_control(),
        };
        if refused {
            return Some(match c {
                '\n' | '\r' | '\t' => "must be one line, without line breaks or tabs".to_string(),
                c => format!("must not contain the control character U+{:04X}", c as u32),
            });
        }
    }
    None
}

/// `value` made acceptable text, for text that arrives from elsewhere and must not be
/// refused whole (an IATI file's titles and names): controls and bidirectional overrides are
/// dropped, and in a single-line field every run of line breaks and tabs becomes one space.
pub fn clean(value: &str, lines: Lines) -> String {
    let mut out = String::with_capacity(value.len());
    let mut pending_space = false;
    for c in value.chars() {
        match c {
            '\n' | '\r' | '\t' if lines == Lines::Single => pending_space = true,
            '\n' | '\r' | '\t' => out.push(c),
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => {}
            c if c.is_control() => {}
            c => {
                if pending_space && !out.is_empty() && !out.ends_with(' ') && c != ' ' {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_text_in_any_script_passes() {
        for ok in [
            "Shelter in Lagos – 2026",
            "Refuge à Abidjan, œuvre n°3",
            "ملجأ في عمّان",
            "מקלט",
            "Приют 🏠",
        ] {
            assert_eq!(problem(ok, Lines::Single), None, "{ok}");
        }
        assert_eq!(
            problem("line one\nline two\r\n\tindented", Lines::Multi),
            None
        );
    }

    #[test]
    fn controls_and_bidi_overrides_are_refused() {
        for bad in [
            "a\u{0}b",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}",
            "INV-\u{202E}fdp.exe",
            "\u{202A}x",
            "\u{2066}iso\u{2069}",
            "bell\u{7}",
        ] {
            assert!(problem(bad, Lines::Multi).is_some(), "{bad:?}");
            assert!(problem(bad, Lines::Single).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn line_breaks_only_where_a_field_is_multi_line() {
        for text in ["a\nb", "a\rb", "a\tb"] {
            assert!(problem(text, Lines::Single).is_some());
            assert_eq!(problem(text, Lines::Multi), None);
        }
    }

    #[test]
    fn cleaned_text_is_always_acceptable_and_keeps_what_was_readable() {
        let hostile = "Shelter\u{202E}fdp.exe\u{0}\u{1B}[31m in\r\n\tLagos\u{009B}";
        assert_eq!(clean(hostile, Lines::Single), "Shelterfdp.exe[31m in Lagos");
        assert_eq!(
            clean(hostile, Lines::Multi),
            "Shelterfdp.exe[31m in\r\n\tLagos"
        );
        for lines in [Lines::Single, Lines::Multi] {
            assert_eq!(problem(&clean(hostile, lines), lines), None);
            assert_eq!(clean("Refugio en Tánger", lines), "Refugio en Tánger");
        }
    }

    proptest::proptest! {
        #[test]
        fn whatever_arrives_cleans_into_text(value in "\\PC*|[\\x00-\\x1F\\u{202A}-\\u{202E}\\u{2066}-\\u{2069}a ]*") {
            for lines in [Lines::Single, Lines::Multi] {
                let cleaned = clean(&value, lines);
                proptest::prop_assert_eq!(problem(&cleaned, lines), None);
                proptest::prop_assert_eq!(clean(&cleaned, lines), cleaned.clone());
            }
        }
    }
}
