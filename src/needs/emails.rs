//! Emails of needs and offers, written to the outbox in the transaction of the change that
//! causes them, to every active member (address confirmed) of the organisation concerned,
//! in the member's own language, else the language of the organisation's country
//! (`registry::emails::locale_for_country`), else English.
//!
//! - `match_proposed`: the other side is told a match of its need (or offer) was proposed,
//!   and that it can accept or decline it;
//! - `match_accepted`: the side that proposed is told the other side accepted.

use serde::Serialize;

use crate::db::DbConn;
use crate::error::AppResult;
use crate::notify::{self, Email};
use crate::registry::emails::locale_for_country;
use crate::registry::store as registry_store;

pub const MATCH_PROPOSED: &str = "match_proposed";
pub const MATCH_ACCEPTED: &str = "match_accepted";

#[derive(Debug, Serialize)]
pub struct MatchContext<'a> {
    /// The member written to, and their organisation.
    pub name: &'a str,
    pub organisation: &'a str,
    /// The organisation on the other side.
    pub other_organisation: &'a str,
    pub need_title: &'a str,
    pub offer_title: &'a str,
    pub country: &'a str,
    /// The fit in whole percent.
    pub score_percent: i64,
    pub match_id: &'a str,
}

/// What an email about a match says, apart from who it is written to.
pub struct About<'a> {
    pub need_title: &'a str,
    pub offer_title: &'a str,
    pub country: &'a str,
    pub score: f64,
    pub match_id: &'a str,
}

/// Writes `template` to every member of `organisation_id` about the match `about`, whose
/// other side is `other_organisation_id`.
pub fn tell_organisation(
    conn: &mut DbConn,
    template: &'static str,
    organisation_id: &str,
    other_organisation_id: &str,
    about: &About<'_>,
) -> AppResult<()> {
    let Some((organisation, country)) =
        registry_store::organisation_contact(conn, organisation_id)?
    else {
        return Ok(());
    };
    let other = registry_store::organisation_contact(conn, other_organisation_id)?
        .map(|(name, _)| name)
        .unwrap_or_default();
    let country_locale = locale_for_country(&country);
    for (to, name) in registry_store::member_contacts(conn, organisation_id)? {
        let locale = notify::recipient_locale(conn, &to)?.unwrap_or(country_locale);
        notify::enqueue_in(
            conn,
            Email {
                to,
                template,
                context: MatchContext {
                    name: &name,
                    organisation: &organisation,
                    other_organisation: &other,
                    need_title: about.need_title,
                    offer_title: about.offer_title,
                    country: about.country,
                    score_percent: (about.score.clamp(0.0, 1.0) * 100.0).round() as i64,
                    match_id: about.match_id,
                },
            },
            locale,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::templates::render;

    #[test]
    fn both_match_emails_name_the_need_the_offer_and_the_match_in_each_language() {
        let context = serde_json::to_value(MatchContext {
            name: "Amina",
            organisation: "Ministry <of> Justice",
            other_organisation: "Nordic Aid",
            need_title: "Shelter <staff> training",
            offer_title: "Training for shelters",
            country: "NG",
            score_percent: 81,
            match_id: "m-1",
        })
        .expect("serialises");
        for template in [MATCH_PROPOSED, MATCH_ACCEPTED] {
            let mut texts = Vec::new();
            for locale in ["en", "fr", "es"] {
                let email = render(locale, template, &context).expect("renders");
                assert!(email.text.contains("Shelter <staff> training"), "{locale}");
                assert!(email.text.contains("Training for shelters"), "{locale}");
                assert!(email.text.contains("Nordic Aid"), "{locale}");
                assert!(email.text.contains("m-1"), "{locale}");
                assert!(
                    email.html.contains("Shelter &lt;staff&gt; training"),
                    "{locale}"
                );
                texts.push(email.text);
            }
            assert_ne!(texts[0], texts[1]);
            assert_ne!(texts[1], texts[2]);
        }
    }
}
