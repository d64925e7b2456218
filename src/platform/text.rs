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
}
