//! Pages for people: server-rendered HTML beside the JSON API, in English, French and
//! Spanish, working without JavaScript. A page handler reads its form, calls the same
//! function of its feature as the JSON handler (`auth::check_credentials`,
//! `accounts::confirm_email`, `accounts::reset_password`), and renders the outcome or the
//! field errors in the visitor's language. Nothing is decided here twice.
//!
//! - `i18n` the languages, negotiation and Fluent messages; `format` numbers, money and
//!   dates per language;
//! - `session` browser sessions (a refresh-token family of `auth`); `csrf` form tokens;
//! - `render` templates, style sheet, CSP; `Visitor` (below) is what every page knows of
//!   its reader;
//! - the pages: `landing` (`/`), `login` (`/login`, `/logout`), `second_factor` (the code
//!   of the secretariat's and finance's authenticator app, and its enrolment), `register`
//!   (an NGO registers itself and its first member), `home`, `account`
//!   (`/verify-email`, `/reset-password`), `language` (the switch), `verification` (the
//!   secretariat's queue of organisations to verify), `giving` (a donor's pledges, payments,
//!   statement download, what its earmarked money paid for and the people reached), `grants`
//!   (a grant with what each instalment waits for, and its signature), `payments` (finance's
//!   requests, approvals and payments, four eyes), `reports` (a report as its reader sees it;
//!   the secretariat's queue, accept, return and clear), `report_form` (the grantee sends a
//!   report), `applications` (the open calls; an NGO's draft saved at every step, its
//!   documents, the readiness checklist and the submission; the secretariat's screening
//!   queue, screening and return for changes), `reviews` (a reviewer's assignments: the conflict declaration first, then the
//!   application and its scoring, save and submit), `board` (the trustees' funds, a call's
//!   ranking with the funding line, a board session and its decisions; the secretariat
//!   holds a session there), `people` (the secretariat's list of everyone with an account
//!   and of the invitations waiting, and its invitation form), `registry` (the public
//!   registry website: search with facets, a project, an organisation, a country, the
//!   who-does-what-where matrix; cacheable, for everyone).
//!
//! Pages are routed through `app::endpoints` like the API (`app::page`), but are not part of
//! the OpenAPI document: they answer HTML forms, not JSON.

pub mod account;
pub mod applications;
pub mod board;
pub mod csrf;
pub mod format;
pub mod giving;
pub mod grants;
pub mod home;
pub mod i18n;
pub mod landing;
pub mod language;
pub mod login;
pub mod needs;
pub mod overdue;
pub mod overlaps;
pub mod payments;
pub mod people;
pub mod register;
pub mod registry;
pub mod registry_form;
pub mod render;
pub mod report_form;
pub mod reports;
pub mod reviews;
pub mod second_factor;
pub mod session;
pub mod verification;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::Cookie;
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use minijinja::Value;
use serde::Serialize;

use crate::auth::CurrentUser;
use crate::auth::policy::{self, Operation};
use crate::db;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use i18n::Lang;
use session::SignedIn;

/// What a page knows of its reader: the language, the session if signed in, and what the
/// forms' CSRF tokens are bound to.
pub struct Visitor {
    pub lang: Lang,
    /// Whether the reader chose `lang` with the language switch (its cookie), rather than
    /// the browser's `Accept-Language` saying it.
    pub lang_chosen: bool,
    pub user: Option<SignedIn>,
    pub state: AppState,
    /// The anonymous visitor's random value (`tf_csrf`), read or made now.
    nonce: String,
    nonce_is_new: bool,
    /// Path and query of this request: where the language switch comes back to.
    here: String,
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<AppState>().cloned();
        let lang = i18n::negotiate(
            req.cookie(session::LANG_COOKIE).as_ref().map(Cookie::value),
            req.headers()
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        );
        let lang_chosen = req
            .cookie(session::LANG_COOKIE)
            .is_some_and(|c| Lang::from_code(c.value()).is_some());
        let token = req
            .cookie(session::SESSION_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|t| !t.is_empty());
        let (nonce, nonce_is_new) = match req.cookie(session::NONCE_COOKIE) {
            Some(c) if c.value().len() >= 32 => (c.value().to_string(), false),
            _ => (crate::auth::tokens::new_opaque(), true),
        };
        let here = req
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            let user = match token {
                Some(token) => {
                    db::run_point(&state.pool, move |conn| session::find(conn, &token)).await?
                }
                None => None,
            };
            Ok(Visitor {
                lang,
                lang_chosen,
                user,
                state,
                nonce,
                nonce_is_new,
                here,
            })
        })
    }
}

/// A language of the switch.
#[derive(Serialize)]
struct SwitchEntry {
    code: &'static str,
    name: &'static str,
    current: bool,
}

impl Visitor {
    /// What this visitor's forms are bound to: the session, else the anonymous nonce.
    fn binding(&self) -> String {
        match &self.user {
            Some(session) => format!("s:{}", session.token_hash),
            None => format!("a:{}", self.nonce),
        }
    }

    /// The CSRF token of this visitor's forms.
    pub fn csrf_token(&self) -> String {
        csrf::token(&self.state.settings.auth.jwt_secret, &self.binding())
    }

    /// Whether a posted form carries this visitor's CSRF token. A new nonce (no `tf_csrf`
    /// cookie came) never checks: that form was not made for this browser.
    pub fn csrf_ok(&self, form: &PostedForm) -> bool {
        if self.user.is_none() && self.nonce_is_new {
            return false;
        }
        csrf::check(
            &self.state.settings.auth.jwt_secret,
            &self.binding(),
            form.get("csrf"),
        )
    }

    /// Renders `template` with `ctx` and what the layout needs (language, switch, CSRF
    /// token, who is signed in).
    pub fn page(&self, status: StatusCode, template: &str, ctx: Value) -> AppResult<HttpResponse> {
        let switch: Vec<SwitchEntry> = Lang::ALL
            .into_iter()
            .map(|l| SwitchEntry {
                code: l.code(),
                name: l.own_name(),
                current: l == self.lang,
            })
            .collect();
        let common = minijinja::context! {
            lang => self.lang.code(),
            css => Value::from_safe_string(render::css().to_string()),
            csrf => self.csrf_token(),
            here => self.here.clone(),
            switch => minijinja::value::Serde(switch),
            signed_in => self.user.as_ref().map(|s| s.name.clone()),
        };
        let body = render::render(template, minijinja::context! { ..ctx, ..common })?;
        let mut response = render::html(status);
        if self.nonce_is_new && self.user.is_none() {
            response.cookie(session::cookie(
                &self.state,
                session::NONCE_COOKIE,
                self.nonce.clone(),
            ));
        }
        Ok(response.body(body))
    }

    /// A message in the visitor's language (for what a handler decides to say, such as a
    /// field error); a missing message is a bug, answered 500.
    pub fn text(&self, key: &str, args: &[(&str, i18n::Arg)]) -> AppResult<String> {
        i18n::text(self.lang, key, args)
    }

    /// The signed-in user whose role does `operation` (the access policy's word); else the
    /// answer to send instead: to `/login` when nobody is signed in, the 403 page for a
    /// role that does not. Every page that acts for a role starts here.
    pub fn user_for(&self, operation: Operation) -> AppResult<Result<CurrentUser, HttpResponse>> {
        let Some(signed_in) = &self.user else {
            return Ok(Err(render::see_other("/login").finish()));
        };
        if policy::authorize(&signed_in.user, operation).is_err() {
            return self.not_allowed().map(Err);
        }
        Ok(Ok(signed_in.user.clone()))
    }

    /// The user posting `form` for `operation`: the CSRF token checked first (403 page,
    /// nothing done), then `user_for`. Every page's POST starts here.
    pub fn form_user(
        &self,
        form: &PostedForm,
        operation: Operation,
    ) -> AppResult<Result<CurrentUser, HttpResponse>> {
        if !self.csrf_ok(form) {
            return self.refused().map(Err);
        }
        self.user_for(operation)
    }

    /// The member acting for its own organisation (`form` posted, else a page read): the
    /// user `form_user`/`user_for` gives for `operation`, if the access policy's `acts`
    /// says it acts for its organisation here; with that organisation. Else the answer to
    /// send instead (the 403 page for one without an organisation, the secretariat).
    pub fn organisation_member(
        &self,
        form: Option<&PostedForm>,
        operation: Operation,
        acts: fn(&CurrentUser) -> bool,
    ) -> AppResult<Result<(CurrentUser, String), HttpResponse>> {
        let user = match form {
            Some(form) => self.form_user(form, operation)?,
            None => self.user_for(operation)?,
        };
        let user = match user {
            Ok(user) => user,
            Err(answer) => return Ok(Err(answer)),
        };
        match user.organisation_id.clone() {
            Some(organisation) if acts(&user) => Ok(Ok((user, organisation))),
            _ => self.not_allowed().map(Err),
        }
    }

    /// The answer to a signed-in user whose role does not do what the page does: 403.
    pub fn not_allowed(&self) -> AppResult<HttpResponse> {
        self.page(
            StatusCode::FORBIDDEN,
            "not_allowed.html",
            minijinja::context! {},
        )
    }

    /// The answer for a record that does not exist or is another organisation's: 404, the
    /// same page for both, so that it tells nothing of what others hold.
    pub fn not_found(&self) -> AppResult<HttpResponse> {
        self.page(
            StatusCode::NOT_FOUND,
            "not_found.html",
            minijinja::context! {},
        )
    }

    /// The answer to a form without this visitor's CSRF token: 403, nothing done.
    pub fn refused(&self) -> AppResult<HttpResponse> {
        self.page(
            StatusCode::FORBIDDEN,
            "refused.html",
            minijinja::context! {},
        )
    }
}

/// A posted `application/x-www-form-urlencoded` form; a field sent twice keeps its first
/// value, an absent one reads as empty.
pub struct PostedForm(HashMap<String, String>);

impl FromRequest for PostedForm {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = actix_web::web::Bytes::from_request(req, payload);
        Box::pin(async move { Ok(PostedForm::parse(&body.await?)) })
    }
}

impl PostedForm {
    pub fn parse(body: &[u8]) -> PostedForm {
        let mut fields = HashMap::new();
        for (name, value) in form_urlencoded::parse(body) {
            fields
                .entry(name.into_owned())
                .or_insert_with(|| value.into_owned());
        }
        PostedForm(fields)
    }

    /// The text fields read out of another kind of body (an upload's CSRF token).
    pub fn of(fields: HashMap<String, String>) -> PostedForm {
        PostedForm(fields)
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or_default()
    }

    /// Whether the form sent the field at all (a ticked checkbox, a row of a table).
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The names of the fields sent.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// The claim of a form that must change things once however often it is posted: its
    /// own `once` key (made when the form was) as an idempotency key of `user_id` on
    /// `route`, over `content`. `None` when the form has no valid key: it was not made here.
    pub fn once(
        &self,
        user_id: &str,
        route: String,
        content: &[u8],
    ) -> Option<crate::idempotency::Claim> {
        let key = self.get("once");
        let valid =
            !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic());
        valid.then(|| crate::idempotency::Claim {
            user_id: user_id.to_string(),
            route,
            key: key.to_string(),
            request_hash: crate::idempotency::sha256_hex(content),
        })
    }
}

/// An error beside a form's field, repeated in the summary at the top of the form.
#[derive(Debug, Clone, Serialize)]
pub struct FieldMessage {
    pub field: &'static str,
    pub message: String,
}

/// The message of `field` among `errors`, for the template (`none` when it has none).
pub fn message_of(errors: &[FieldMessage], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message.clone())
}

/// A part of a form for [`field_messages`]: the API's field (or the prefix of its fields,
/// `budget` for `budget[2].amount`), the form's field it is shown beside, and the message
/// said there. `quote`: the API's message quotes what to remove (personal data), and the
/// quotes are repeated after the message.
pub struct FormPart {
    pub api: &'static str,
    pub field: &'static str,
    pub key: &'static str,
    pub quote: bool,
}

impl FormPart {
    /// A part whose message is said as it is (no quotes repeated).
    pub const fn plain(api: &'static str, field: &'static str, key: &'static str) -> FormPart {
        FormPart {
            api,
            field,
            key,
            quote: false,
        }
    }
}

/// The API's field errors said in the reader's language, one per part of the form, in the
/// order of `parts`; when none matches, `fallback` beside its field.
pub fn field_messages(
    visitor: &Visitor,
    error: &AppError,
    parts: &[FormPart],
    fallback: (&'static str, &str),
) -> AppResult<Vec<FieldMessage>> {
    let mut out: Vec<FieldMessage> = Vec::new();
    for part in parts {
        let first = error.errors.iter().find(|e| {
            e.field == part.api
                || e.field.starts_with(&format!("{}[", part.api))
                || e.field.starts_with(&format!("{}.", part.api))
        });
        let Some(first) = first else { continue };
        if out.iter().any(|m| m.field == part.field) {
            continue;
        }
        let mut message = visitor.text(part.key, &[])?;
        let quotes = if part.quote {
            quoted(&first.message)
        } else {
            Vec::new()
        };
        if !quotes.is_empty() {
            message = format!("{message}: {}", quotes.join(", "));
        }
        out.push(FieldMessage {
            field: part.field,
            message,
        });
    }
    if out.is_empty() {
        out.push(FieldMessage {
            field: fallback.0,
            message: visitor.text(fallback.1, &[])?,
        });
    }
    Ok(out)
}

/// The parts of an API message between quotation marks (“…” or "…"): the words it found,
/// to be named in any language.
pub fn quoted(message: &str) -> Vec<String> {
    let curly: Vec<String> = message
        .split('“')
        .skip(1)
        .filter_map(|part| part.split_once('”').map(|(q, _)| format!("“{q}”")))
        .collect();
    if !curly.is_empty() {
        return curly;
    }
    message
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|q| format!("“{q}”"))
        .collect()
}

/// A coded value and its name in the reader's language, for a select or a checkbox.
#[derive(Serialize)]
pub struct Choice {
    pub code: &'static str,
    pub label: String,
}

/// The choices of `codes`, each named by the message `{prefix}-{code}`.
pub fn choices(
    lang: i18n::Lang,
    prefix: &str,
    codes: impl IntoIterator<Item = &'static str>,
) -> AppResult<Vec<Choice>> {
    codes
        .into_iter()
        .map(|code| {
            Ok(Choice {
                code,
                label: i18n::text(lang, &format!("{prefix}-{code}"), &[])?,
            })
        })
        .collect()
}

/// The first value of `name` in the request's query string, decoded; `None` when absent
/// or empty.
pub fn query_param(req: &HttpRequest, name: &str) -> Option<String> {
    form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}

/// A path of this site to go back to (`/…`, not `//host` nor `/\host`), else `/`.
pub fn local_path(candidate: &str) -> &str {
    // Browsers drop tabs and line breaks from a URL before reading it, so `/\t/evil.example`
    // would be followed as `//evil.example`: no control character or space is let through.
    let ok = candidate.starts_with('/')
        && !candidate.starts_with("//")
        && !candidate.starts_with("/\\")
        && !candidate
            .chars()
            .any(|c| c.is_control() || c.is_whitespace());
    if ok { candidate } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/login?x=1"), "/login?x=1");
        assert_eq!(local_path("//evil.example/"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path("https://evil.example/"), "/");
        assert_eq!(local_path(""), "/");
        assert_eq!(local_path("/a\r\nSet-Cookie: x"), "/");
        assert_eq!(local_path("/\t/evil.example"), "/");
        assert_eq!(local_path("/\n/evil.example"), "/");
        assert_eq!(local_path("/ /evil.example"), "/");
    }

    #[test]
    fn the_words_to_remove_are_the_quoted_ones() {
        assert_eq!(
            quoted("looks like a phone number: “+234 803 555 0199”; remove it"),
            ["“+234 803 555 0199”"]
        );
        assert_eq!(
            quoted("names \"Maria\" and \"Ana\" here"),
            ["“Maria”", "“Ana”"]
        );
        assert!(quoted("nothing quoted").is_empty());
    }

    #[test]
    fn a_form_keeps_the_first_value_of_a_field() {
        let form = PostedForm::parse(b"email=a%40b.org&csrf=1&csrf=2&name=J+D");
        assert_eq!(form.get("email"), "a@b.org");
        assert_eq!(form.get("csrf"), "1");
        assert_eq!(form.get("name"), "J D");
        assert_eq!(form.get("absent"), "");
    }
}
