//! Languages of the pages: English, French and Spanish, with Project Fluent's message
//! files (`locales/<lang>/main.ftl`, compiled in). Which one a visitor reads is decided
//! here once: the `lang` cookie (set by the switch on every page), else `Accept-Language`,
//! else English.

use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_langneg::{NegotiationStrategy, negotiate_languages};
use serde::Serialize;
use unic_langid::LanguageIdentifier;

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Lang {
    #[serde(rename = "en")]
    En,
    #[serde(rename = "fr")]
    Fr,
    #[serde(rename = "es")]
    Es,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Fr, Lang::Es];

    /// The BCP 47 code, as in `<html lang>` and the `lang` cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    /// Its place in `ALL`.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The language's name in itself, as the switch shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Fr => "Français",
            Lang::Es => "Español",
        }
    }

    /// The language of a cookie value (`en`, `fr`, `es`; nothing else).
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code.trim())
    }

    fn source(self) -> &'static str {
        match self {
            Lang::En => include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/en/main.ftl")),
            Lang::Fr => include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/fr/main.ftl")),
            Lang::Es => include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/locales/es/main.ftl")),
        }
    }

    fn langid(self) -> LanguageIdentifier {
        self.code()
            .parse()
            .expect("en, fr and es are language identifiers")
    }
}

/// A link to the same page in one language, for a page's language switch.
#[derive(Debug, Serialize)]
pub struct LanguageLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

/// The links to the page at `path` in each language (`?lang=`), `current` marked.
pub fn language_links(path: &str, current: Lang) -> Vec<LanguageLink> {
    Lang::ALL
        .into_iter()
        .map(|l| LanguageLink {
            code: l.code(),
            name: l.own_name(),
            href: format!("{path}?lang={}", l.code()),
            current: l == current,
        })
        .collect()
}

/// The reader's language on a page anyone may read (the public fund page, the yearly
/// report): `?lang=` when it names one (the page's own links to its other languages), else
/// the language switch's cookie, else `Accept-Language` (`negotiate`).
pub fn of_request(req: &actix_web::HttpRequest) -> Lang {
    let asked = (!req.query_string().is_empty())
        .then(|| {
            form_urlencoded::parse(req.query_string().as_bytes())
                .find(|(name, _)| name == "lang")
                .and_then(|(_, value)| Lang::from_code(&value))
        })
        .flatten();
    asked.unwrap_or_else(|| {
        negotiate(
            req.cookie(crate::web::session::LANG_COOKIE)
                .as_ref()
                .map(actix_web::cookie::Cookie::value),
            req.headers()
                .get(actix_web::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    })
}

/// The language of a request: the `lang` cookie when it names one of ours, else the best
/// match of `Accept-Language` (its order by quality; `q=0` means "not this one"), else
/// English.
pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
    if let Some(lang) = cookie.and_then(Lang::from_code) {
        return lang;
    }
    let Some(header) = accept_language else {
        return Lang::En;
    };
    let requested = by_quality(header);
    let available: Vec<LanguageIdentifier> = Lang::ALL.iter().map(|l| l.langid()).collect();
    let default = Lang::En.langid();
    negotiate_languages(
        &requested,
        &available,
        Some(&default),
        NegotiationStrategy::Lookup,
    )
    .first()
    .and_then(|chosen| Lang::from_code(chosen.language.as_str()))
    .unwrap_or(Lang::En)
}

/// The languages of an `Accept-Language` header, most wanted first; unreadable entries and
/// those with `q=0` are left out. (fluent-langneg's own parser keeps the header's order and
/// ignores the weights.)
fn by_quality(header: &str) -> Vec<LanguageIdentifier> {
    let mut entries: Vec<(u16, usize, LanguageIdentifier)> = header
        .split(',')
        .enumerate()
        .filter_map(|(position, entry)| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let quality =
                parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map_or(Some(1000), |q| {
                        q.trim()
                            .parse::<f32>()
                            .ok()
                            .filter(|q| (0.0..=1.0).contains(q))
                            .map(|q| (q * 1000.0).round() as u16)
                    })?;
            let langid = tag.parse::<LanguageIdentifier>().ok()?;
            (quality > 0 && tag != "*").then_some((quality, position, langid))
        })
        .collect();
    entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    entries.into_iter().map(|(_, _, langid)| langid).collect()
}

type Bundle = FluentBundle<FluentResource>;

fn bundles() -> &'static [(Lang, Bundle)] {
    static BUNDLES: OnceLock<Vec<(Lang, Bundle)>> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        Lang::ALL
            .into_iter()
            .map(|lang| {
                let resource = FluentResource::try_new(lang.source().to_string()).unwrap_or_else(
                    |(_, errors)| {
                        panic!(
                            "locales/{}/main.ftl does not parse: {errors:?}",
                            lang.code()
                        )
                    },
                );
                let mut bundle = FluentBundle::new_concurrent(vec![lang.langid()]);
                // Pages are left-to-right only; no isolation marks around placeables.
                bundle.set_use_isolating(false);
                bundle
                    .add_resource(resource)
                    .unwrap_or_else(|errors| panic!("locales/{}: {errors:?}", lang.code()));
                (lang, bundle)
            })
            .collect()
    })
}

fn bundle(lang: Lang) -> &'static Bundle {
    &bundles()
        .iter()
        .find(|(l, _)| *l == lang)
        .expect("a bundle per language")
        .1
}

/// A message in `lang` with its arguments (text or whole numbers, the latter choosing the
/// plural form). `None` when the message does not exist or does not format cleanly.
pub fn message(lang: Lang, key: &str, args: &[(&str, Arg)]) -> Option<String> {
    let bundle = bundle(lang);
    let pattern = bundle.get_message(key)?.value()?;
    let mut fluent_args = FluentArgs::new();
    for (name, value) in args {
        match value {
            Arg::Text(text) => fluent_args.set(*name, FluentValue::from(text.clone())),
            Arg::Count(n) => fluent_args.set(*name, FluentValue::from(*n)),
        }
    }
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, Some(&fluent_args), &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

/// An argument of a message.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Count(i64),
}

/// A message in `lang` for what a page or a document says; a missing message is a bug,
/// answered 500 (the unit tests check that every message exists in every language).
pub fn text(lang: Lang, key: &str, args: &[(&str, Arg)]) -> crate::error::AppResult<String> {
    message(lang, key, args).ok_or_else(|| {
        crate::error::AppError::internal(format!("no message {key:?} in {}", lang.code()))
    })
}

/// The ids of the messages of a language's file, in file order.
pub fn keys(lang: Lang) -> Vec<String> {
    let resource = FluentResource::try_new(lang.source().to_string())
        .unwrap_or_else(|_| panic!("locales/{}/main.ftl does not parse", lang.code()));
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_language_s_index_is_its_place_in_all() {
        for (place, lang) in Lang::ALL.into_iter().enumerate() {
            assert_eq!(lang.index(), place, "{}", lang.code());
        }
    }

    #[test]
    fn the_cookie_wins_then_accept_language_then_english() {
        assert_eq!(negotiate(Some("es"), Some("fr-FR,fr;q=0.9")), Lang::Es);
        assert_eq!(negotiate(None, Some("fr-FR,fr;q=0.9,en;q=0.5")), Lang::Fr);
        assert_eq!(
            negotiate(Some("de"), Some("es-MX")),
            Lang::Es,
            "unknown cookie"
        );
        assert_eq!(negotiate(None, Some("de-DE,pt;q=0.8")), Lang::En);
        assert_eq!(negotiate(None, None), Lang::En);
        assert_eq!(negotiate(None, Some("")), Lang::En);
        assert_eq!(negotiate(None, Some("garbage;;,q=,")), Lang::En);
    }

    #[test]
    fn accept_language_is_read_by_quality_not_order() {
        assert_eq!(negotiate(None, Some("fr;q=0.2, es;q=0.9")), Lang::Es);
        assert_eq!(
            negotiate(None, Some("fr;q=0, es;q=0.1")),
            Lang::Es,
            "q=0 refuses"
        );
        assert_eq!(
            negotiate(None, Some("de, es-419;q=0.8, en;q=0.5")),
            Lang::Es
        );
        assert_eq!(negotiate(None, Some("*")), Lang::En);
    }

    #[test]
    fn messages_take_arguments_and_plural_forms() {
        let one = message(Lang::En, "login-throttled", &[("minutes", Arg::Count(1))]);
        let many = message(Lang::En, "login-throttled", &[("minutes", Arg::Count(12))]);
        assert!(
            one.as_deref().is_some_and(|t| t.contains("1 minute.")),
            "{one:?}"
        );
        assert!(
            many.as_deref().is_some_and(|t| t.contains("12 minutes")),
            "{many:?}"
        );
        assert_eq!(message(Lang::Fr, "no-such-message", &[]), None);
        let hello = message(
            Lang::Fr,
            "home-greeting",
            &[("name", Arg::Text("Aïcha".into()))],
        );
        assert_eq!(hello.as_deref(), Some("Bonjour, Aïcha"));
    }

    /// Every message of the English file exists in every language, and no language has
    /// messages English does not; each formats without error.
    #[test]
    fn every_language_has_every_message() {
        let english = keys(Lang::En);
        assert!(
            english.len() > 40,
            "the English file is read: {}",
            english.len()
        );
        for lang in [Lang::Fr, Lang::Es] {
            let theirs = keys(lang);
            let missing: Vec<&String> = english.iter().filter(|k| !theirs.contains(k)).collect();
            let extra: Vec<&String> = theirs.iter().filter(|k| !english.contains(k)).collect();
            assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code());
            assert!(
                extra.is_empty(),
                "{}: not in English {extra:?}",
                lang.code()
            );
        }
        for lang in Lang::ALL {
            for key in keys(lang) {
                let args = [
                    ("name", Arg::Text("N".into())),
                    ("minutes", Arg::Count(2)),
                    ("count", Arg::Count(2)),
                    ("min", Arg::Count(12)),
                    ("max", Arg::Count(128)),
                    ("role", Arg::Text("R".into())),
                    ("organisation", Arg::Text("O".into())),
                    ("fund", Arg::Text("F".into())),
                    ("year", Arg::Text("2026".into())),
                    ("today", Arg::Text("4 December 2026".into())),
                    ("reference", Arg::Text("F-2026-00001".into())),
                    ("from", Arg::Text("1 May 2026".into())),
                    ("to", Arg::Text("31 May 2026".into())),
                    ("donor", Arg::Text("D".into())),
                    ("earmark", Arg::Text("TH".into())),
                    ("amount", Arg::Text("10 850,00 USD".into())),
                    ("received_on", Arg::Text("1 May 2026".into())),
                    ("restricted", Arg::Text("9 765,00 USD".into())),
                    ("available", Arg::Text("0,00 USD".into())),
                    ("this_year", Arg::Count(2026)),
                    ("last_year", Arg::Count(2025)),
                    ("accepted", Arg::Count(1)),
                    ("version", Arg::Count(2)),
                    ("kind", Arg::Text("interim report".into())),
                    ("date", Arg::Text("4 December 2026".into())),
                    ("currency", Arg::Text("USD".into())),
                    ("currencies", Arg::Text("GBP, JPY".into())),
                    ("code", Arg::Text("UNVTF".into())),
                    ("share", Arg::Text("70".into())),
                    ("spent", Arg::Text("100.00 USD".into())),
                    ("paid", Arg::Text("1,000.00 USD".into())),
                    ("months", Arg::Count(12)),
                    ("value", Arg::Text("V".into())),
                    ("account", Arg::Text("finance@fund.example".into())),
                    ("megabytes", Arg::Text("20".into())),
                    ("words", Arg::Text("“+234 803 555 0199”".into())),
                    ("maximum", Arg::Text("20 000,00 USD".into())),
                    ("country", Arg::Text("NG".into())),
                    ("theme", Arg::Text("magic".into())),
                    ("total", Arg::Text("9 000,00 USD".into())),
                    ("requested", Arg::Text("10 000,00 USD".into())),
                    ("call", Arg::Text("Grants 2026".into())),
                    ("weight", Arg::Text("0.4".into())),
                    ("score", Arg::Text("8".into())),
                    ("size", Arg::Text("12".into())),
                    ("spread", Arg::Text("30.00".into())),
                    ("advice", Arg::Text("Fund".into())),
                    ("label", Arg::Text("Relevance".into())),
                    ("message", Arg::Text("Give a whole number.".into())),
                    ("threshold", Arg::Count(25)),
                    ("conditions", Arg::Text("Quarterly updates.".into())),
                    ("email", Arg::Text("amina@shelter.example".into())),
                    ("hours", Arg::Count(48)),
                    ("title", Arg::Text("Legal aid for survivors".into())),
                    ("quorum", Arg::Text("A decision needs 3 trustees.".into())),
                    ("from", Arg::Text("1 January 2025".into())),
                    ("to", Arg::Text("31 December 2026".into())),
                    ("day", Arg::Text("5 December 2026".into())),
                    ("amount", Arg::Text("1,000.00 USD".into())),
                    ("countries", Arg::Text("Nigeria, Ghana".into())),
                    ("themes", Arg::Text("Shelter".into())),
                    ("names", Arg::Text("Lagos Shelter Network".into())),
                    ("percent", Arg::Text("82 %".into())),
                    ("weighing", Arg::Text("Co-financing agreed.".into())),
                    ("need", Arg::Text("Training for shelter staff".into())),
                    ("offer", Arg::Text("Trainers for shelter staff".into())),
                ];
                assert!(
                    message(lang, &key, &args).is_some(),
                    "{}: {key} does not format",
                    lang.code()
                );
            }
        }
    }
}
