//! The pages' templates (`templates/pages/`, minijinja, compiled in), their shared layout
//! and style sheet, and the one way a page answers: HTML with the Content-Security-Policy
//! and no caching. Templates translate with `t("message-id", name=value)`; a test checks
//! every id they use against the English message file.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use actix_web::http::{StatusCode, header};
use minijinja::value::Kwargs;
use minijinja::{AutoEscape, Environment, ErrorKind, State, UndefinedBehavior, Value};
use sha2::{Digest, Sha256};

use super::i18n::{self, Arg, Lang};
use crate::error::{AppError, AppResult};

/// The templates, by name, as compiled in.
pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "registry_search.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_search.html"
        )),
    ),
    (
        "registry_project.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_project.html"
        )),
    ),
    (
        "registry_organisation.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_organisation.html"
        )),
    ),
    (
        "registry_country.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_country.html"
        )),
    ),
    (
        "registry_mine.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_mine.html"
        )),
    ),
    (
        "registry_post_form.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_post_form.html"
        )),
    ),
    (
        "registry_ranking.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_ranking.html"
        )),
    ),
    (
        "registry_posts.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_posts.html"
        )),
    ),
    (
        "registry_matrix.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_matrix.html"
        )),
    ),
    (
        "overlaps.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/overlaps.html"
        )),
    ),
    (
        "overdue_reviews.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/overdue_reviews.html"
        )),
    ),
    (
        "overdue_pledges.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/overdue_pledges.html"
        )),
    ),
    (
        "login_code.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/login_code.html"
        )),
    ),
    (
        "login_enrol.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/login_enrol.html"
        )),
    ),
    (
        "register.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/register.html"
        )),
    ),
    (
        "registry_project_form.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/registry_project_form.html"
        )),
    ),
    (
        "calls.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/calls.html"
        )),
    ),
    (
        "applications.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/applications.html"
        )),
    ),
    (
        "application.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/application.html"
        )),
    ),
    (
        "message.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/message.html"
        )),
    ),
    (
        "verification.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/verification.html"
        )),
    ),
    (
        "not_found.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/not_found.html"
        )),
    ),
    (
        "giving.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/giving.html"
        )),
    ),
    (
        "giving_donors.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/giving_donors.html"
        )),
    ),
    (
        "grants.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/grants.html"
        )),
    ),
    (
        "grant.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/grant.html"
        )),
    ),
    (
        "payments.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/payments.html"
        )),
    ),
    (
        "report.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/report.html"
        )),
    ),
    (
        "reports_to_review.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/reports_to_review.html"
        )),
    ),
    (
        "report_form.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/report_form.html"
        )),
    ),
    (
        "reviews.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/reviews.html"
        )),
    ),
    (
        "review.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/review.html"
        )),
    ),
    (
        "users.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/users.html"
        )),
    ),
    (
        "invite.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/invite.html"
        )),
    ),
    (
        "board.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/board.html"
        )),
    ),
    (
        "ranking.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/ranking.html"
        )),
    ),
    (
        "board_session.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/board_session.html"
        )),
    ),
    (
        "not_allowed.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/not_allowed.html"
        )),
    ),
    (
        "layout.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/layout.html"
        )),
    ),
    (
        "landing.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/landing.html"
        )),
    ),
    (
        "login.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/login.html"
        )),
    ),
    (
        "home.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/home.html"
        )),
    ),
    (
        "verify_email.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/verify_email.html"
        )),
    ),
    (
        "reset_password.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/reset_password.html"
        )),
    ),
    (
        "forgot_password.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/forgot_password.html"
        )),
    ),
    (
        "accept_invitation.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/accept_invitation.html"
        )),
    ),
    (
        "annual_report.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/annual_report.html"
        )),
    ),
    (
        "refused.html",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/templates/pages/refused.html"
        )),
    ),
];

/// The pages' additions to the public page's style sheet: header, language switch, forms.
/// A `table.stack` (a grant's instalments: what each waits for is the point) becomes one
/// block per row on a phone, each cell under its column's name (`data-label`, on a line of its own: no colon to
/// punctuate differently in French), instead of a
/// last column scrolled out of sight.
/// Fieldsets get `min-width:0` because their default (`min-content`) would let a wide table
/// push the form off a phone's screen instead of scrolling inside its `.scroll` box.
const PAGE_CSS: &str = "header.site{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;justify-content:space-between;border-bottom:2px solid #0072B2;padding:.6rem 0}\
.brand{font-weight:bold;color:#111;text-decoration:none;font-size:1.1rem}\
.switch{display:flex;gap:.25rem;margin:0;align-items:center;flex-wrap:wrap}.switch span{font-size:.9rem;color:#555}\
.switch button{background:none;border:1px solid transparent;color:#005a8c;text-decoration:underline;padding:.3rem .4rem;font:inherit;cursor:pointer;min-height:44px}\
.switch button[aria-current]{color:#111;font-weight:bold;text-decoration:none;border-color:#ccc;border-radius:4px}\
.who{display:flex;gap:.75rem;align-items:center;margin:0}\
form.stack{max-width:26rem}.field{margin:1rem 0}label{display:block;font-weight:bold;margin-bottom:.25rem}\
input[type=email],input[type=password],input[type=text],input[type=date],input[type=search],textarea{box-sizing:border-box;width:100%;font:inherit;padding:.55rem;border:2px solid #555;border-radius:4px}\
input[aria-invalid=true],textarea[aria-invalid=true]{border-color:#b00020}.hint{color:#444;font-size:.95rem;margin:.2rem 0}\
.error{color:#b00020;font-weight:bold;margin:.25rem 0}\
.summary{border:3px solid #b00020;padding:.5rem 1rem;margin:1rem 0;border-radius:4px}.summary h2{border:0;margin:.3rem 0;font-size:1.1rem}\
.notice{border-left:6px solid #0072B2;background:#eef6fb;padding:.6rem 1rem}\
.primary,.linkish{font:inherit;cursor:pointer;min-height:44px}.primary{background:#005a8c;color:#fff;border:0;border-radius:4px;padding:.6rem 1.2rem}\
.linkish{background:none;border:0;color:#005a8c;text-decoration:underline;padding:.2rem}\
.secondary{font:inherit;cursor:pointer;min-height:44px;background:#fff;color:#005a8c;border:2px solid #005a8c;border-radius:4px;padding:.5rem 1.1rem}\
a.primary{display:inline-flex;align-items:center;box-sizing:border-box;text-decoration:none;color:#fff}\
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.5rem}\
section.org{border:1px solid #ccc;border-radius:4px;padding:.2rem 1rem 1rem;margin:1rem 0}section.org h2{margin-top:.6rem}\
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dl.facts dt{font-weight:bold}dl.facts dd{margin:0;overflow-wrap:anywhere}\
nav.switch a{padding:.3rem .4rem;min-height:44px;display:inline-flex;align-items:center}nav.switch a[aria-current]{color:#111;font-weight:bold;text-decoration:none;border:1px solid #ccc;border-radius:4px}\
td.text{text-align:left}dl.facts dd.amount{overflow-wrap:normal;white-space:nowrap}@media (max-width:30rem){dl.facts{grid-template-columns:1fr;gap:0}dl.facts dd{margin-bottom:.5rem}}article.story{border-left:4px solid #0072B2;padding:0 1rem;margin:1.5rem 0}article.story h3{margin-bottom:.2rem}\
@media print{.skip,nav.switch,.download{display:none}body{max-width:none}a{color:#111;text-decoration:none}h2{break-after:avoid}tr,article.story{break-inside:avoid}}\
form.inline{margin:.5rem 0}\
.registry{display:flex;flex-wrap:wrap;gap:0 2rem;align-items:flex-start}.registry nav.facets{flex:1 1 14rem;max-width:20rem}.registry nav.facets h2{font-size:1.05rem;margin:1rem 0 .3rem}.registry nav.facets ul{list-style:none;padding:0;margin:0}.registry nav.facets li{margin:.1rem 0;min-height:30px}.registry nav.facets a{display:inline-block;padding:.2rem 0}.registry .results{flex:3 1 24rem;min-width:0}span.count{color:#555}\
article.project{border-top:1px solid #ccc;padding:.3rem 0 .6rem}article.project h3{margin:.5rem 0 .3rem}nav.pager{display:flex;gap:1.5rem;margin:1rem 0}nav.pager a{min-height:44px;display:inline-flex;align-items:center}\
div.scroll{overflow-x:auto;max-width:100%}table.matrix td{white-space:nowrap;vertical-align:top}table.matrix span.budget{color:#444;font-size:.9rem}p.prose{white-space:pre-line}\
.filters{display:flex;flex-wrap:wrap;gap:0 1rem;align-items:flex-end;margin:1rem 0}.filters .field{margin:.5rem 0;min-width:14rem}.filters button{margin:.5rem 0}fieldset{border:1px solid #ccc;border-radius:4px;margin:1rem 0;padding:.5rem 1rem;min-width:0}legend{font-weight:bold;padding:0 .3rem}\
label.choice{display:inline-block;font-weight:normal;margin:.3rem 1.5rem .3rem 0;min-height:44px}select{font:inherit;padding:.4rem;border:2px solid #555;border-radius:4px;max-width:100%}select.wide{width:100%;box-sizing:border-box}input.count{max-width:8rem}form.inline input{max-width:10rem;margin:0 .5rem .4rem 0}\
input.money{min-width:8rem;max-width:10rem}tr.line td{border-top:3px dashed #b00020;color:#b00020;font-weight:bold;text-align:left}.flag{color:#8a4b00;font-weight:bold;font-size:.9rem}ul.tasks{padding-left:1.2rem}ul.tasks li{margin:.4rem 0}footer{margin:3rem 0 1rem;color:#555;font-size:.9rem;border-top:1px solid #ccc;padding-top:.5rem}\
@media (max-width:36rem){table.stack thead{position:absolute;left:-9999px}table.stack tr{display:block;border-bottom:1px solid #ccc;padding:.4rem 0}table.stack th,table.stack td{display:block;text-align:left;border:0;padding:.15rem 0}table.stack td[data-label]::before{content:attr(data-label);display:block;font-weight:bold}}";

/// The whole style sheet of a page: the public page's, then the pages' own, so both look
/// like one product.
pub fn css() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| format!("{}{PAGE_CSS}", crate::public::page::CSS))
}

/// Nothing may load or run; the inline style sheet is allowed by its hash; forms post only
/// to this site.
pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        use base64::Engine;
        let hash =
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(css().as_bytes()));
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        )
    })
}

/// The language of the page being rendered: its `lang`.
pub(crate) fn page_language(state: &State) -> Result<Lang, minijinja::Error> {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Lang::from_code))
        .ok_or_else(|| minijinja::Error::new(ErrorKind::UndefinedError, "the page has no lang"))
}

/// `t("id", name=value, …)` in a template: the message in the page's language (`lang`).
/// Whole numbers are passed as numbers, so that they choose the plural form.
pub(crate) fn translate(
    state: &State,
    key: &str,
    kwargs: Kwargs,
) -> Result<String, minijinja::Error> {
    let lang = page_language(state)?;
    let mut args = Vec::new();
    for name in kwargs.args() {
        let value: Value = kwargs.get(name)?;
        let arg = match value.as_i64() {
            Some(n) => Arg::Count(n),
            None => Arg::Text(value.to_string()),
        };
        args.push((name, arg));
    }
    i18n::message(lang, key, &args).ok_or_else(|| {
        minijinja::Error::new(
            ErrorKind::UndefinedError,
            format!("no message {key:?} in {}", lang.code()),
        )
    })
}

fn environment() -> &'static Result<Environment<'static>, String> {
    static ENV: OnceLock<Result<Environment<'static>, String>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.add_function("t", translate);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)
                .map_err(|e| format!("template {name}: {e:#}"))?;
        }
        Ok(env)
    })
}

/// Renders template `name` with `ctx` (which must hold `lang`).
pub fn render(name: &str, ctx: Value) -> AppResult<String> {
    let env = environment().as_ref().map_err(AppError::internal)?;
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| AppError::internal(format!("rendering {name}: {e:#}")))
}

/// A page answer: HTML, the CSP, never cached or framed, no referrer (links may carry
/// tokens).
pub fn html(status: StatusCode) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::build(status);
    response
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, content_security_policy()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"));
    response
}

/// `303 See Other` to a path of this site.
pub fn see_other(location: &str) -> actix_web::HttpResponseBuilder {
    let mut response = HttpResponse::SeeOther();
    response
        .insert_header((header::LOCATION, location.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The message ids a template names in `t("…")`.
    fn used_keys(source: &str) -> Vec<String> {
        let mut keys = Vec::new();
        let mut rest = source;
        while let Some(start) = rest.find("t(\"") {
            let before = &rest[..start];
            rest = &rest[start + 3..];
            // `t(` as a call, not the end of another name (`list(`, `format(`)
            if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let end = rest.find('"').expect("a closed string");
            keys.push(rest[..end].to_string());
            rest = &rest[end..];
        }
        keys
    }

    #[test]
    fn every_message_a_template_uses_exists_in_english() {
        let english = i18n::keys(Lang::En);
        let mut used = 0;
        let public = crate::public::page::TEMPLATES;
        for (name, source) in TEMPLATES.iter().chain(public.iter()) {
            for key in used_keys(source) {
                used += 1;
                assert!(
                    english.contains(&key),
                    "{name} uses {key:?}, not in locales/en"
                );
            }
        }
        assert!(used > 30, "templates are scanned: {used} uses");
        assert_eq!(
            used_keys("{{ t(\"a-b\") }} {{ list(\"x\") }} {{t(\"c\", n=1)}}"),
            ["a-b", "c"]
        );
    }

    #[test]
    fn every_template_file_is_compiled_in() {
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/templates/pages");
        for entry in std::fs::read_dir(folder).expect("templates/pages") {
            let name = entry
                .expect("entry")
                .file_name()
                .into_string()
                .expect("name");
            assert!(
                TEMPLATES.iter().any(|(known, _)| *known == name),
                "templates/pages/{name} is not in TEMPLATES"
            );
        }
    }

    #[test]
    fn a_missing_message_fails_the_render_instead_of_showing_nothing() {
        let env = environment().as_ref().expect("templates compile");
        let template = env
            .template_from_str("{{ t(\"no-such-message\") }}")
            .expect("parses");
        let err = template
            .render(minijinja::context! { lang => "fr" })
            .expect_err("refused");
        assert!(err.to_string().contains("no-such-message"), "{err}");
    }

    #[test]
    fn the_policy_allows_exactly_the_style_sheet() {
        let csp = content_security_policy();
        assert!(csp.starts_with("default-src 'none';"));
        assert!(csp.contains("form-action 'self'"));
        assert!(!csp.contains("unsafe"));
        assert!(
            css().starts_with(crate::public::page::CSS),
            "the public page's look first"
        );
    }
}
