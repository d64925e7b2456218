//! Words of a text, the same way for the full-text index of both backends, for search
//! queries and for overlap detection: Unicode-decomposed and stripped of accents, lower
//! case, split on anything that is not a letter or digit, common words dropped, and
//! stemmed with the English Snowball stemmer (so `shelters` finds `shelter`).
//!
//! Doing this in the application rather than in the database means SQLite FTS5 and
//! PostgreSQL's `tsvector` index exactly the same words (`unicode61` and the `simple`
//! configuration then only split on spaces), so a search answers the same on both.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longest word kept; longer runs are noise (hashes, URLs).
const MAX_WORD_CHARS: usize = 40;

/// Function words of the languages IATI narratives most often use (English, Spanish,
/// French, Portuguese), already without accents.
const STOPWORDS: &[&str] = &[
    "a", "about", "after", "al", "all", "also", "an", "and", "any", "are", "as", "at", "au", "aux",
    "be", "been", "being", "but", "by", "can", "ce", "ces", "com", "como", "con", "d", "da",
    "dans", "das", "de", "del", "des", "do", "dos", "du", "e", "el", "em", "en", "entre", "es",
    "est", "et", "for", "from", "had", "has", "have", "he", "her", "his", "i", "if", "il", "in",
    "into", "is", "it", "its", "l", "la", "las", "le", "les", "lo", "los", "mas", "more", "no",
    "not", "o", "of", "on", "or", "os", "ou", "par", "para", "pas", "por", "pour", "que", "qui",
    "s", "se", "sin", "sobre", "su", "sur", "sus", "than", "that", "the", "their", "them", "there",
    "these", "they", "this", "those", "through", "to", "um", "uma", "un", "una", "une", "uno",
    "until", "upon", "was", "we", "were", "which", "while", "who", "will", "with", "within", "y",
];

fn stemmer() -> &'static Stemmer {
    static STEMMER: OnceLock<Stemmer> = OnceLock::new();
    STEMMER.get_or_init(|| Stemmer::create(Algorithm::English))
}

fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

/// The stem of a word, remembered: texts repeat their words, and the stemmer costs far
/// more than a lookup. The memory is bounded (forgotten wholesale past 100,000 words).
fn stem(word: &str, out: &mut String) {
    thread_local! {
        static STEMS: RefCell<HashMap<String, String>> = RefCell::new(HashMap::new());
    }
    STEMS.with(|stems| {
        let mut stems = stems.borrow_mut();
        if let Some(stem) = stems.get(word) {
            out.push_str(stem);
            return;
        }
        let stemmed = stemmer().stem(word).into_owned();
        out.push_str(&stemmed);
        if stems.len() >= 100_000 {
            stems.clear();
        }
        stems.insert(word.to_string(), stemmed);
    });
}

/// Calls `each` with every indexable word of `text` (its stem, then the word it came from,
/// in lower case and without accents), in order, repeats kept.
fn each_word(text: &str, mut each: impl FnMut(&str, &str)) {
    let mut current = String::new();
    let mut stemmed = String::new();
    let mut flush = |current: &mut String| {
        if !current.is_empty() {
            if current.chars().count() <= MAX_WORD_CHARS && !is_stopword(current) {
                stemmed.clear();
                stem(current, &mut stemmed);
                each(&stemmed, current);
            }
            current.clear();
        }
    };
    if text.is_ascii() {
        // the common case needs no Unicode decomposition
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() {
                current.push(char::from(b.to_ascii_lowercase()));
            } else {
                flush(&mut current);
            }
        }
    } else {
        for c in text.nfd() {
            if is_combining_mark(c) {
                continue;
            }
            if c.is_alphanumeric() {
                current.extend(c.to_lowercase());
            } else {
                flush(&mut current);
            }
        }
    }
    flush(&mut current);
}

/// The indexable words of `text`, in order, repeats kept.
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    each_word(text, |w, _| out.push(w.to_string()));
    out
}

/// Each stem of the words of `texts` with the first word that gave it, in lower case and
/// without accents: how a person is shown a word the index only knows by its stem
/// (`reintegration`, not `reintegr`).
pub fn written_forms(texts: &[&str]) -> HashMap<String, String> {
    let mut forms = HashMap::new();
    for text in texts {
        each_word(text, |stem, word| {
            if !forms.contains_key(stem) {
                forms.insert(stem.to_string(), word.to_string());
            }
        });
    }
    forms
}

/// What the full-text index holds for a project: its words separated by spaces.
pub fn search_text(title: &str, description: &str) -> String {
    let mut out = String::with_capacity(title.len() + description.len());
    for text in [title, description] {
        each_word(text, |w, _| {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
        });
    }
    out
}

/// The distinct words of a search query, in the order given.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut seen = BTreeSet::new();
    words(query)
        .into_iter()
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// Word counts of an indexed text (the space-separated `search_text`).
pub fn term_counts(search_text: &str) -> BTreeMap<&str, u32> {
    let mut counts = BTreeMap::new();
    for word in search_text.split_whitespace() {
        *counts.entry(word).or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stem_is_shown_as_the_first_word_that_gave_it() {
        let forms = written_forms(&[
            "Reintegration of survivors",
            "Survivor referrals; réintégration",
        ]);
        assert_eq!(forms["reintegr"], "reintegration");
        assert_eq!(forms["survivor"], "survivors");
        assert_eq!(forms["referr"], "referrals");
        assert!(!forms.contains_key("of"), "stopwords are not indexed");
        assert_eq!(forms.len(), 3);
    }

    #[test]
    fn stopwords_are_sorted_for_binary_search() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOPWORDS);
    }

    #[test]
    fn folds_case_accents_and_plurals() {
        assert_eq!(words("Shelters for Survivors"), vec!["shelter", "survivor"]);
        assert_eq!(
            words("Cooperación  técnica, niñas!"),
            words("cooperacion tecnica ninas")
        );
        assert_eq!(words("trafficking"), words("Trafficked"));
    }

    #[test]
    fn keeps_other_scripts_and_digits() {
        assert_eq!(
            words("Торговля людьми 2024"),
            vec!["торговля", "людьми", "2024"]
        );
    }

    #[test]
    fn drops_noise_and_function_words() {
        assert!(words("the of and de la").is_empty());
        assert!(words(&"x".repeat(60)).is_empty());
        assert!(words("--- ... !!!").is_empty());
    }

    #[test]
    fn query_terms_are_distinct_and_match_the_index() {
        let indexed = search_text("Legal aid for victims", "Legal clinics");
        for term in query_terms("LEGAL legal Aid") {
            assert!(indexed.split(' ').any(|w| w == term), "{term} in {indexed}");
        }
        assert_eq!(query_terms("legal Legal aid").len(), 2);
    }
}
