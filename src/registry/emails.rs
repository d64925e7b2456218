//! Emails of the registry, written to the outbox in the transaction of the change that
//! causes them.
//!
//! - `overlap_found`: a grant entering the registry looks like another organisation's
//!   project. Every active member of that organisation with a confirmed address is told,
//!   so that the two sides can talk before money is spent twice; the email says where the
//!   pair waits in the review queue.

use serde::Serialize;

use super::store::{self, ProjectRow};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::notify::{self, Email};

pub const OVERLAP_FOUND: &str = "overlap_found";

#[derive(Debug, Serialize)]
pub struct OverlapContext<'a> {
    /// The member written to.
    pub name: &'a str,
    /// Their organisation and its project.
    pub organisation: &'a str,
    pub project_id: &'a str,
    pub project_title: &'a str,
    /// The grant's project, its grantee and the fund.
    pub grant_title: &'a str,
    pub grantee: &'a str,
    pub fund_name: &'a str,
    /// The overlap score in whole percent.
    pub score_percent: i64,
    pub review_id: &'a str,
}

/// What the grant that was just registered looks like to the others.
pub struct GrantProject<'a> {
    pub project: &'a ProjectRow,
    pub grantee: &'a str,
    pub fund_name: &'a str,
}

/// Countries whose organisations get the emails in French or Spanish: those where it is
/// the main official language. Organisations record no language, and a small NGO in
/// Bamako or Lima reads its own language more easily than English; everyone else gets
/// English. Used for members who never chose a language themselves (`overlap_found`) and
/// for donors' digests, which are written once per organisation.
pub fn locale_for_country(country: &str) -> &'static str {
    const FRENCH: &[&str] = &[
        "FR", "MC", "SN", "CI", "ML", "BF", "NE", "TG", "BJ", "GN", "CM", "CD", "CG", "GA", "TD",
        "CF", "MG", "HT", "DJ", "KM", "BI",
    ];
    const SPANISH: &[&str] = &[
        "ES", "MX", "GT", "HN", "SV", "NI", "CR", "PA", "CU", "DO", "CO", "VE", "EC", "PE", "BO",
        "PY", "CL", "AR", "UY", "GQ",
    ];
    if FRENCH.contains(&country) {
        "fr"
    } else if SPANISH.contains(&country) {
        "es"
    } else {
        notify::templates::DEFAULT_LOCALE
    }
}

/// Tells the organisation that registered `theirs` that the grant's project may overlap
/// with it (review entry `review_id`, `score` in [0, 1]).
pub fn overlap_found(
    conn: &mut DbConn,
    theirs: &ProjectRow,
    grant: &GrantProject<'_>,
    review_id: &str,
    score: f64,
) -> AppResult<()> {
    let Some((organisation, country)) =
        store::organisation_contact(conn, &theirs.reporting_org_id)?
    else {
        return Ok(());
    };
    let country_locale = locale_for_country(&country);
    for (to, name) in store::member_contacts(conn, &theirs.reporting_org_id)? {
        // a member's own choice of language beats the guess from the country
        let locale = notify::recipient_locale(conn, &to)?.unwrap_or(country_locale);
        notify::enqueue_in(
            conn,
            Email {
                to,
                template: OVERLAP_FOUND,
                context: OverlapContext {
                    name: &name,
                    organisation: &organisation,
                    project_id: &theirs.id,
                    project_title: &theirs.title,
                    grant_title: &grant.project.title,
                    grantee: grant.grantee,
                    fund_name: grant.fund_name,
                    score_percent: (score.clamp(0.0, 1.0) * 100.0).round() as i64,
                    review_id,
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
    fn the_overlap_email_names_both_projects_in_each_language() {
        let context = serde_json::to_value(OverlapContext {
            name: "Amina",
            organisation: "Shelter & Hope",
            project_id: "p-1",
            project_title: "Safe houses <Lagos>",
            grant_title: "Legal aid in Lagos",
            grantee: "Lagos Legal Aid",
            fund_name: "UN Trust Fund",
            score_percent: 72,
            review_id: "r-1",
        })
        .expect("serialises");
        for locale in ["en", "fr", "es"] {
            let email = render(locale, OVERLAP_FOUND, &context).expect("renders");
            assert!(
                email.subject.contains("Safe houses <Lagos>"),
                "{}",
                email.subject
            );
            assert!(email.text.contains("Legal aid in Lagos"), "{locale}");
            assert!(
                email.text.contains("r-1") && email.text.contains("72"),
                "{locale}"
            );
            assert!(email.html.contains("Safe houses &lt;Lagos&gt;"), "{locale}");
        }
        let fr = render("fr", OVERLAP_FOUND, &context).expect("renders");
        let es = render("es", OVERLAP_FOUND, &context).expect("renders");
        assert_ne!(fr.text, es.text);
    }

    #[test]
    fn french_and_spanish_speaking_countries_get_their_language() {
        assert_eq!(locale_for_country("SN"), "fr");
        assert_eq!(locale_for_country("PE"), "es");
        assert_eq!(locale_for_country("NG"), "en");
        assert_eq!(locale_for_country("XX"), "en");
    }
}
