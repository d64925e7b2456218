//! Numbers, money and dates as each language writes them, from the exact decimal (never a
//! float): `30,000.00 USD` in English, `30 000,00 USD` in French (a narrow no-break space
//! groups thousands, as in CLDR), `30.000,00 USD` in Spanish (which, like CLDR, does not
//! group a four-digit number: `3000,00 USD`).

use chrono::{Datelike, NaiveDate};
use rust_decimal::{Decimal, RoundingStrategy};

use super::i18n::Lang;
use crate::money::Currency;

/// U+202F NARROW NO-BREAK SPACE, French thousands separator.
const NARROW_NBSP: char = '\u{202f}';
/// U+00A0 NO-BREAK SPACE, between an amount and its currency.
const NBSP: char = '\u{a0}';

struct Style {
    group: char,
    decimal: char,
    /// Digits the integer part must have before it is grouped at all.
    min_grouping: usize,
}

fn style(lang: Lang) -> Style {
    match lang {
        Lang::En => Style {
            group: ',',
            decimal: '.',
            min_grouping: 4,
        },
        Lang::Fr => Style {
            group: NARROW_NBSP,
            decimal: ',',
            min_grouping: 4,
        },
        Lang::Es => Style {
            group: '.',
            decimal: ',',
            min_grouping: 5,
        },
    }
}

/// `value` with exactly `decimals` decimals (half away from zero), grouped for `lang`.
pub fn number(value: Decimal, decimals: u32, lang: Lang) -> String {
    let style = style(lang);
    let rounded = value.round_dp_with_strategy(decimals, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let digits = rounded.abs().to_string();
    let (integer, fraction) = match digits.split_once('.') {
        Some((i, f)) => (i.to_string(), f.to_string()),
        None => (digits, String::new()),
    };
    let fraction = format!("{fraction:0<width$}", width = decimals as usize);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if integer.len() >= style.min_grouping {
        for (i, digit) in integer.chars().enumerate() {
            if i > 0 && (integer.len() - i) % 3 == 0 {
                out.push(style.group);
            }
            out.push(digit);
        }
    } else {
        out.push_str(&integer);
    }
    if decimals > 0 {
        out.push(style.decimal);
        out.push_str(&fraction);
    }
    out
}

/// A whole number (a count), grouped for `lang`.
pub fn count(value: i64, lang: Lang) -> String {
    number(Decimal::from(value), 0, lang)
}

/// A suppressed count as a reader sees it: the number for the language, "<5", or the
/// language's word for a larger count withheld so that a small one cannot be worked out.
pub fn figure(figure: &crate::reports::rules::Figure, lang: Lang) -> String {
    use crate::reports::rules::{Figure, HIDDEN, WITHHELD};
    match figure {
        Figure::Exact(n) => count(*n, lang),
        Figure::Hidden(h) if h == HIDDEN => HIDDEN.to_string(),
        // every language has the message (`i18n`'s test); the API's word otherwise
        Figure::Hidden(_) => super::i18n::message(lang, "annual-count-withheld", &[])
            .unwrap_or_else(|| WITHHELD.to_string()),
    }
}

/// An amount with its currency's minor units and ISO code: `30 000,00 USD`.
pub fn money(amount: Decimal, currency: Currency, lang: Lang) -> String {
    format!(
        "{}{NBSP}{}",
        number(amount, currency.minor_units(), lang),
        currency.code()
    )
}

/// `money` of an amount the API gives as a decimal string (`"30000.00"`); anything else
/// is a bug of the caller, answered 500.
pub fn money_text(amount: &str, currency: Currency, lang: Lang) -> crate::error::AppResult<String> {
    let value: Decimal = amount.parse().map_err(|_| {
        crate::error::AppError::internal(format!("amount {amount:?} is not a decimal"))
    })?;
    Ok(money(value, currency, lang))
}

/// What an earmark names, for a reader: a theme or a country by its name in `lang`; an
/// unknown code as it is.
pub fn earmark(code: &str, lang: Lang) -> String {
    if crate::taxonomy::is_theme(code) {
        let key = format!("theme-{}", code.replace('.', "-"));
        if let Some(name) = super::i18n::message(lang, &key, &[]) {
            return name;
        }
    }
    country(code, lang)
}

/// A country's name in `lang` (`NG` → `Nigéria` in French), from the `country-XX`
/// messages that `scripts/country-names` writes; an unknown code as it is.
pub fn country(code: &str, lang: Lang) -> String {
    let known = code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase());
    known
        .then(|| super::i18n::message(lang, &format!("country-{code}"), &[]))
        .flatten()
        .unwrap_or_else(|| code.to_string())
}

/// How a reader looks a name up in a sorted list: accents and case ignored, so `Égypte`
/// comes among the E.
pub fn sort_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    use unicode_normalization::char::is_combining_mark;
    name.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Every country the API accepts (ISO 3166-1), named in `lang` and sorted as a reader of
/// `lang` looks for it: accents and case ignored, so `Égypte` comes among the E.
pub fn countries(lang: Lang) -> Vec<super::Choice> {
    let key = sort_key;
    let mut all: Vec<(String, super::Choice)> = isocountry::CountryCode::iter()
        .map(|code| {
            let label = country(code.alpha2(), lang);
            (
                key(&label),
                super::Choice {
                    code: code.alpha2(),
                    label,
                },
            )
        })
        .collect();
    all.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(b.1.code)));
    all.into_iter().map(|(_, choice)| choice).collect()
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_ES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

/// A date in words: `3 December 2026`, `1er décembre 2026`, `3 de diciembre de 2026`.
pub fn date(day: NaiveDate, lang: Lang) -> String {
    let month = day.month0() as usize;
    match lang {
        Lang::En => format!("{} {} {}", day.day(), MONTHS_EN[month], day.year()),
        Lang::Fr => {
            let d = if day.day() == 1 {
                "1er".to_string()
            } else {
                day.day().to_string()
            };
            format!("{d} {} {}", MONTHS_FR[month], day.year())
        }
        Lang::Es => format!("{} de {} de {}", day.day(), MONTHS_ES[month], day.year()),
    }
}

/// A moment in words, in UTC (the server's clock, as deadlines are said): `4 December 2026
/// at 23:41 UTC`, `4 décembre 2026 à 23 h 41 UTC`, `4 de diciembre de 2026 a las 23:41 UTC`.
pub fn date_time(at: chrono::DateTime<chrono::Utc>, lang: Lang) -> String {
    use chrono::Timelike;
    let day = date(at.date_naive(), lang);
    let (h, m) = (at.hour(), at.minute());
    match lang {
        Lang::En => format!("{day} at {h:02}:{m:02} UTC"),
        Lang::Fr => format!("{day} à {h} h {m:02} UTC"),
        Lang::Es => format!("{day} a las {h:02}:{m:02} UTC"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_are_said_in_the_language() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_opt(9, 5, 59))
            .map(|t| t.and_utc())
            .expect("a moment");
        assert_eq!(date_time(at, Lang::En), "1 December 2026 at 09:05 UTC");
        assert_eq!(date_time(at, Lang::Fr), "1er décembre 2026 à 9 h 05 UTC");
        assert_eq!(
            date_time(at, Lang::Es),
            "1 de diciembre de 2026 a las 09:05 UTC"
        );
    }

    #[test]
    fn countries_are_named_in_the_language() {
        assert_eq!(country("NG", Lang::Fr), "Nigéria");
        assert_eq!(country("KR", Lang::Es), "Corea del Sur");
        assert_eq!(country("CI", Lang::En), "Côte d’Ivoire");
        assert_eq!(earmark("KH", Lang::Fr), "Cambodge");
        assert_eq!(country("ZZ", Lang::Fr), "ZZ");
        assert_eq!(country("ng", Lang::Fr), "ng");
    }

    #[test]
    fn the_country_list_is_sorted_by_name_in_the_language() {
        let fr = countries(Lang::Fr);
        assert_eq!(fr.len(), isocountry::CountryCode::iter().count());
        let names: Vec<&str> = fr.iter().map(|c| c.label.as_str()).collect();
        let egypt = names.iter().position(|n| *n == "Égypte").expect("Égypte");
        let ecuador = names
            .iter()
            .position(|n| *n == "Équateur")
            .expect("Équateur");
        let spain = names.iter().position(|n| *n == "Espagne").expect("Espagne");
        let zambia = names.iter().position(|n| *n == "Zambie").expect("Zambie");
        assert!(
            egypt < ecuador && ecuador < spain && spain < zambia,
            "{names:?}"
        );
        assert_eq!(countries(Lang::En)[0].label, "Afghanistan");
    }

    /// Every country the API accepts has a name in every language.
    #[test]
    fn every_accepted_country_has_a_name() {
        for code in isocountry::CountryCode::iter() {
            let alpha2 = code.alpha2();
            for lang in Lang::ALL {
                assert_ne!(country(alpha2, lang), alpha2, "{alpha2} in {}", lang.code());
            }
        }
    }

    #[test]
    fn a_suppressed_count_reads_as_a_number_as_less_than_5_or_as_withheld() {
        use crate::reports::rules::Figure;
        assert_eq!(figure(&Figure::Exact(1234), Lang::Fr), "1\u{202f}234");
        assert_eq!(figure(&Figure::Hidden("<5".into()), Lang::Es), "<5");
        assert_eq!(
            figure(&Figure::Hidden("withheld".into()), Lang::En),
            "not shown"
        );
        assert_eq!(
            figure(&Figure::Hidden("withheld".into()), Lang::Fr),
            "non publié"
        );
    }

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    fn usd() -> Currency {
        Currency::parse("USD").expect("USD")
    }

    #[test]
    fn money_is_written_as_each_language_writes_it() {
        let amount = d("30000");
        assert_eq!(money(amount, usd(), Lang::En), "30,000.00\u{a0}USD");
        assert_eq!(money(amount, usd(), Lang::Fr), "30\u{202f}000,00\u{a0}USD");
        assert_eq!(money(amount, usd(), Lang::Es), "30.000,00\u{a0}USD");
    }

    #[test]
    fn grouping_starts_at_four_digits_and_at_five_in_spanish() {
        assert_eq!(number(d("3000"), 2, Lang::En), "3,000.00");
        assert_eq!(number(d("3000"), 2, Lang::Fr), "3\u{202f}000,00");
        assert_eq!(number(d("3000"), 2, Lang::Es), "3000,00");
        assert_eq!(number(d("999"), 0, Lang::En), "999");
        assert_eq!(number(d("1234567.5"), 2, Lang::En), "1,234,567.50");
        assert_eq!(number(d("1234567.5"), 2, Lang::Es), "1.234.567,50");
        assert_eq!(count(100_000, Lang::Fr), "100\u{202f}000");
    }

    #[test]
    fn minor_units_follow_the_currency_and_rounding_is_exact() {
        let jpy = Currency::parse("JPY").expect("JPY");
        assert_eq!(money(d("1500000"), jpy, Lang::En), "1,500,000\u{a0}JPY");
        let bhd = Currency::parse("BHD").expect("BHD");
        assert_eq!(money(d("12.5"), bhd, Lang::Fr), "12,500\u{a0}BHD");
        // 0.005 is exactly half a cent: a float would get this wrong
        assert_eq!(number(d("0.005"), 2, Lang::En), "0.01");
        assert_eq!(number(d("-0.005"), 2, Lang::En), "-0.01");
        assert_eq!(number(d("-1234.5"), 2, Lang::Fr), "-1\u{202f}234,50");
        assert_eq!(number(d("-0.001"), 2, Lang::En), "0.00", "no negative zero");
        assert_eq!(
            number(d("99999999999.99"), 2, Lang::En),
            "99,999,999,999.99",
            "100 billion minus a cent, the largest amount, exactly"
        );
    }

    #[test]
    fn dates_are_written_in_words() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 3).expect("date");
        assert_eq!(date(day, Lang::En), "3 December 2026");
        assert_eq!(date(day, Lang::Fr), "3 décembre 2026");
        assert_eq!(date(day, Lang::Es), "3 de diciembre de 2026");
        let first = NaiveDate::from_ymd_opt(2027, 8, 1).expect("date");
        assert_eq!(date(first, Lang::Fr), "1er août 2027");
    }

    #[test]
    fn every_theme_has_a_name_in_every_language() {
        for lang in Lang::ALL {
            for theme in crate::taxonomy::themes() {
                let name = earmark(theme, lang);
                assert_ne!(name, theme, "{theme} has no name in {}", lang.code());
            }
            assert_eq!(earmark("XY", lang), "XY");
        }
        assert_eq!(earmark("protection.shelter", Lang::Fr), "l’hébergement");
    }
}
