//! Email templates, built into the binary. Each email is three files under
//! `templates/email/<locale>/`: `<name>.subject`, `<name>.txt` and `<name>.html`, rendered with
//! minijinja (HTML auto-escaped). To add an email: write its three files in English, French and
//! Spanish and add one `template!` line per language to `TEMPLATES` (a unit test fails when an
//! English email lacks a translation). Values the code gives in English (`expires_in`, role
//! and kind codes) are put into words by the translated templates themselves.

use std::sync::OnceLock;

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, Value};

/// Languages every email is written in (a test checks that each English email has the
/// others); a locale outside this list renders in English.
pub const LOCALES: &[&str] = &["en", "fr", "es"];
pub const DEFAULT_LOCALE: &str = "en";

/// One email in one language.
pub struct Template {
    pub locale: &'static str,
    pub name: &'static str,
    pub subject: &'static str,
    pub text: &'static str,
    pub html: &'static str,
}

macro_rules! template {
    ($locale:literal, $name:literal) => {
        Template {
            locale: $locale,
            name: $name,
            subject: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/email/",
                $locale,
                "/",
                $name,
                ".subject"
            )),
            text: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/email/",
                $locale,
                "/",
                $name,
                ".txt"
            )),
            html: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/email/",
                $locale,
                "/",
                $name,
                ".html"
            )),
        }
    };
}

/// Every email the service sends, per language: the registry.
pub const TEMPLATES: &[Template] = &[
    template!("en", "verify_email"),
    template!("fr", "verify_email"),
    template!("es", "verify_email"),
    template!("en", "invitation"),
    template!("fr", "invitation"),
    template!("es", "invitation"),
    template!("en", "password_reset"),
    template!("fr", "password_reset"),
    template!("es", "password_reset"),
    template!("en", "password_changed"),
    template!("fr", "password_changed"),
    template!("es", "password_changed"),
    template!("en", "contribution_received"),
    template!("fr", "contribution_received"),
    template!("es", "contribution_received"),
    template!("en", "application_submitted"),
    template!("fr", "application_submitted"),
    template!("es", "application_submitted"),
    template!("en", "application_screened"),
    template!("fr", "application_screened"),
    template!("es", "application_screened"),
    template!("en", "application_returned"),
    template!("fr", "application_returned"),
    template!("es", "application_returned"),
    template!("en", "application_decided"),
    template!("fr", "application_decided"),
    template!("es", "application_decided"),
    template!("en", "report_reviewed"),
    template!("fr", "report_reviewed"),
    template!("es", "report_reviewed"),
    template!("en", "report_reminder"),
    template!("fr", "report_reminder"),
    template!("es", "report_reminder"),
    template!("en", "disbursement_paid"),
    template!("fr", "disbursement_paid"),
    template!("es", "disbursement_paid"),
    template!("en", "review_assigned"),
    template!("fr", "review_assigned"),
    template!("es", "review_assigned"),
    template!("en", "organisation_awaiting_verification"),
    template!("fr", "organisation_awaiting_verification"),
    template!("es", "organisation_awaiting_verification"),
    template!("en", "overlap_found"),
    template!("fr", "overlap_found"),
    template!("es", "overlap_found"),
    template!("en", "donor_digest"),
    template!("fr", "donor_digest"),
    template!("es", "donor_digest"),
    template!("en", "work_waiting"),
    template!("fr", "work_waiting"),
    template!("es", "work_waiting"),
    template!("en", "match_proposed"),
    template!("fr", "match_proposed"),
    template!("es", "match_proposed"),
    template!("en", "match_accepted"),
    template!("fr", "match_accepted"),
    template!("es", "match_accepted"),
];

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn environment() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        for t in TEMPLATES {
            for (part, source) in [("subject", t.subject), ("txt", t.text), ("html", t.html)] {
                // A template that does not parse is reported when it is rendered (and by the
                // unit test below, which renders every registered template).
                if let Err(e) =
                    env.add_template_owned(format!("{}/{}.{part}", t.locale, t.name), source)
                {
                    tracing::error!(template = t.name, locale = t.locale, part, error = %e, "email template does not parse");
                }
            }
        }
        env
    })
}

/// Whether an email called `name` exists (in English, which every email has).
pub fn exists(name: &str) -> bool {
    TEMPLATES
        .iter()
        .any(|t| t.name == name && t.locale == DEFAULT_LOCALE)
}

/// The language the email is rendered in: `locale` when it has this template, else English.
pub fn resolve_locale(locale: &str, name: &str) -> &'static str {
    TEMPLATES
        .iter()
        .find(|t| t.name == name && t.locale == locale)
        .map(|t| t.locale)
        .unwrap_or(DEFAULT_LOCALE)
}

/// Renders email `name` in `locale` (falling back to English) with the values of `context`.
/// A missing template or a value the template needs but the context lacks is an error.
pub fn render(locale: &str, name: &str, context: &serde_json::Value) -> Result<Rendered, String> {
    if !exists(name) {
        return Err(format!("no email template called {name:?}"));
    }
    let locale = resolve_locale(locale, name);
    let env = environment();
    let ctx = Value::from(Serde(context));
    let part = |ext: &str| {
        env.get_template(&format!("{locale}/{name}.{ext}"))
            .and_then(|t| t.render(ctx.clone()))
            .map_err(|e| format!("rendering {locale}/{name}.{ext} failed: {e:#}"))
    };
    let subject = part("subject")?
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if subject.is_empty() {
        return Err(format!("{locale}/{name}.subject renders empty"));
    }
    Ok(Rendered {
        subject,
        text: part("txt")?,
        html: part("html")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> serde_json::Value {
        let mut sample = json!({
            "name": "Amina <b>Okafor</b>",
            "organisation": "Shelter & Hope",
            "link": "https://fund.example/verify-email?token=abc_DEF-123",
            "role": "trustee",
            "fund": "UNVTF",
            "expires_at": "2026-11-30 12:00 UTC",
            "expires_in": "60 minutes",
            "expires_hours": 48,
        });
        // contribution_received (an object of its own: one json! of every value passes
        // the macro's recursion limit)
        let money = json!({
            "donor_name": "Luxembourg",
            "fund_name": "Trust fund",
            "fund_code": "UNVTF",
            "amount": "30000.00",
            "currency": "EUR",
            "received_on": "2011-02-01",
            "reference": "LU-2011-1",
            "base_amount": "40500.00",
            "base_currency": "USD",
            "exchange_rate": "1.35",
            "pledge_id": "p-1",
            "pledge_outstanding": "0.00",
            "unpledged": null,
            "support_cost_percent": "13",
        });
        let applications = json!({
            // application_submitted, application_screened, application_returned
            "application_id": "a-1",
            "title": "Shelter <for> survivors",
            "call_title": "Emergency grants 2026",
            "revision": 2,
            "submitted_at": "2026-11-23T12:00:00Z",
            "eligible": false,
            "status": "ineligible",
            // application_decided
            "outcome": "approved",
            "approved_amount": "25000.00",
            "instalments": 2,
            "conditions": "Quarterly <updates>",
            // disbursement_paid (also amount, currency and reference above)
            "paid_on": "2026-12-01",
            "payment_reference": "WIRE-1",
            "notes": "Not registered",
            "reason": "Split the budget",
            "next_revision": 2,
            // review_assigned
            "assignment_id": "r-1",
        });
        // organisation_awaiting_verification (also organisation and link above)
        let organisations = json!({
            "organisation_kind": "ngo",
            "country": "NG",
            "registrant_name": "Amina <b>Okafor</b>",
            "registrant_email": "amina@shelter.example",
        });
        // report_reviewed, report_reminder
        let reports = json!({
            "report_id": "r-1",
            "grant_id": "g-1",
            "kind": "interim",
            "report_version": 2,
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "comment": "Split <legal> aid",
            "due_on": "2026-07-15",
            "offset_days": -3,
            "days_left": 3,
            "overdue_days": 0,
            "report_form": "https://fund.example/grants/g-1/report",
        });
        // overlap_found (also name, organisation and fund_name above)
        let registry = json!({
            "project_id": "p-1",
            "project_title": "Safe <houses>",
            "grant_title": "Legal aid in Lagos",
            "grantee": "Lagos Legal Aid",
            "score_percent": 72,
            "review_id": "o-1",
        });
        // donor_digest (also name, organisation and fund_name above)
        let digest = json!({
            "report_count": 2,
            "reports": [{"reference": "F-1", "title": "Shelter <Lagos>", "grantee": "Hope",
                         "kind": "final report", "period": "1 to 31 May 2026"}],
            "people_reached": "135",
            "people_this_year": "<5",
            "year": 2026,
            "every_days": 7,
            "by_sex": [{"label": "Women and girls", "count": "105"}],
            "by_age_group": [{"label": "Adults", "count": "withheld"}],
            "fund_page": "https://fund.example/funds/F",
            "annual_report": "https://fund.example/funds/F/annual-report/2026?lang=en",
            "sign_in": "https://fund.example/login",
        });
        // match_proposed, match_accepted (also name and organisation above)
        let matches = json!({
            "other_organisation": "Nordic <Aid>",
            "need_title": "Shelter <staff> training",
            "offer_title": "Training for shelters",
            "country": "NG",
            "match_id": "m-1",
        });
        // work_waiting (also name above)
        let work = json!({
            "total": 3,
            "payments_to_approve": 1,
            "payments_to_pay": 2,
            "reports_to_review": 0,
            "applications_to_screen": 4,
            "payments_link": "https://fund.example/payments",
            "home_link": "https://fund.example/home",
            "every_minutes": 60,
        });
        for more in [
            matches,
            work,
            money,
            applications,
            organisations,
            reports,
            registry,
            digest,
        ] {
            if let (Some(all), Some(more)) = (sample.as_object_mut(), more.as_object()) {
                all.extend(more.clone());
            }
        }
        sample
    }

    #[test]
    fn every_registered_template_renders_with_its_values() {
        for t in TEMPLATES {
            let rendered = render(t.locale, t.name, &sample())
                .unwrap_or_else(|e| panic!("{}/{}: {e}", t.locale, t.name));
            assert!(!rendered.subject.contains('\n'));
            assert!(!rendered.text.is_empty() && !rendered.html.is_empty());
        }
    }

    #[test]
    fn every_template_exists_in_english_and_locales_are_known() {
        for t in TEMPLATES {
            assert!(LOCALES.contains(&t.locale), "{}", t.locale);
            assert!(exists(t.name), "{} has no English version", t.name);
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let r = render("en", "verify_email", &sample()).expect("renders");
        assert!(
            r.html.contains("Amina &lt;b&gt;Okafor&lt;&#x2f;b&gt;"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("<b>Okafor"));
        assert!(r.text.contains("Amina <b>Okafor</b>"));
        assert!(r.text.contains("?token=abc_DEF-123"));
    }

    #[test]
    fn an_unknown_locale_falls_back_to_english_and_unknown_names_fail() {
        let en = render("en", "password_reset", &sample()).expect("en");
        let de = render("de", "password_reset", &sample()).expect("falls back");
        assert_eq!(en, de);
        assert!(render("en", "no_such_email", &sample()).is_err());
    }

    #[test]
    fn every_english_email_is_also_written_in_every_other_language() {
        let mut missing = Vec::new();
        for t in TEMPLATES.iter().filter(|t| t.locale == DEFAULT_LOCALE) {
            for locale in LOCALES {
                if !TEMPLATES
                    .iter()
                    .any(|other| other.name == t.name && other.locale == *locale)
                {
                    missing.push(format!("{locale}/{}", t.name));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "emails without a translation: {missing:?}"
        );
    }

    /// Every `https://` address in `text`, up to a space, a quote, `<` or `)`.
    fn urls(text: &str) -> Vec<&str> {
        text.match_indices("https://")
            .map(|(at, _)| {
                let rest = &text[at..];
                let end = rest
                    .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | ')'))
                    .unwrap_or(rest.len());
                &rest[..end]
            })
            .collect()
    }

    #[test]
    fn translations_are_in_their_language_and_keep_every_link_of_the_english_email() {
        for t in TEMPLATES.iter().filter(|t| t.locale != DEFAULT_LOCALE) {
            let en = render(DEFAULT_LOCALE, t.name, &sample()).expect("en");
            let tr = render(t.locale, t.name, &sample()).expect("translation");
            assert_ne!(en.subject, tr.subject, "{}/{} subject", t.locale, t.name);
            assert_ne!(en.text, tr.text, "{}/{} text", t.locale, t.name);
            for (en_part, tr_part, part) in
                [(&en.text, &tr.text, "txt"), (&en.html, &tr.html, "html")]
            {
                let (mut want, mut got) = (urls(en_part), urls(tr_part));
                want.sort_unstable();
                want.dedup();
                got.sort_unstable();
                got.dedup();
                assert_eq!(want, got, "links of {}/{}.{part}", t.locale, t.name);
            }
            if en.html.contains("<html lang=\"en\">") {
                let lang = format!("<html lang=\"{}\">", t.locale);
                assert!(tr.html.contains(&lang), "{}/{}.html", t.locale, t.name);
            }
        }
    }

    #[test]
    fn values_the_code_gives_in_english_are_put_into_words() {
        let mut ctx = sample();
        for (expires_in, fr, es) in [
            ("1 hour", "1 heure", "1 hora"),
            ("48 hours", "48 heures", "48 horas"),
            ("3 days", "3 jours", "3 días"),
            ("60 minutes", "60 minutes", "60 minutos"),
        ] {
            ctx["expires_in"] = json!(expires_in);
            let r = render("fr", "password_reset", &ctx).expect("fr");
            assert!(r.text.contains(&format!("délai de\n{fr} :")), "{}", r.text);
            let r = render("es", "invitation", &ctx).expect("es");
            assert!(r.text.contains(&format!("plazo de {es}:")), "{}", r.text);
        }
        let r = render("fr", "invitation", &sample()).expect("fr");
        assert!(
            r.text.contains("« membre du conseil d’administration »"),
            "{}",
            r.text
        );
        ctx["role"] = json!("some_new_role");
        let r = render("es", "invitation", &ctx).expect("an unknown code is shown as it is");
        assert!(r.text.contains("«some_new_role»"), "{}", r.text);
        let r = render("es", "report_reminder", &sample()).expect("es");
        assert!(r.subject.contains("informe intermedio"), "{}", r.subject);
        let r = render("fr", "organisation_awaiting_verification", &sample()).expect("fr");
        assert!(
            r.html.contains("organisation non gouvernementale (ONG)"),
            "{}",
            r.html
        );
    }

    #[test]
    fn a_value_the_template_needs_but_the_context_lacks_is_an_error() {
        let err = render("en", "verify_email", &json!({"name": "x"})).expect_err("no link");
        assert!(err.contains("verify_email"), "{err}");
    }
}
