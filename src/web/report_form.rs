//! `GET/POST /grants/{id}/report`: the grantee sends an outcome report from a page. The
//! form asks what the API asks (kind, period, people assisted to date, people first helped
//! per sex, age group and form of exploitation, services, money spent per budget line of
//! the application, the narrative) and hands it to the API's own `reports::submit`, so the
//! same rules refuse the same things: counts only, nobody counted twice, no personal data in
//! the text. A refused form comes back with each problem beside its field, in the reader's
//! language, and everything typed kept. The form carries a key of its own (`once`), kept
//! as an idempotency key: sent twice on a poor connection, it reports once.
//!
//! "Save draft" keeps what was typed as the grant's report draft (`reports::drafts::save`,
//! the API's own), incomplete as it may be, for the next sitting: the form opens on it,
//! saying when it was saved. The form carries the draft's version (`draft_version`): a save
//! over a draft saved since (another tab, a colleague) is the 409 page, what was typed
//! kept; the same form saved twice changes nothing. What looks like personal data is
//! refused even in a draft, beside its field, and nothing is stored. Sending the report
//! deletes the draft; "Discard draft" does too, without sending.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use minijinja::context;
use minijinja::value::Serde;
use serde::Serialize;
use serde_json::{Value, json};

use super::render::see_other;
use super::{
    Choice, FieldMessage, FormPart, PostedForm, Visitor, choices, field_messages, message_of,
    query_param, quoted,
};
use crate::auth::policy::{self, Operation};
use crate::auth::{Actor, CurrentUser};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::http::Expected;
use crate::idempotency::{self, Answer};
use crate::reports::drafts::{self, ReportDraftView, rules::Form};
use crate::reports::model::CreateReport;
use crate::taxonomy::{AgeGroup, Exploitation, SERVICES, Sex};

/// Rows of the people-helped table: enough for a small project's groups; more can be sent
/// through the API. A draft keeps the same rows.
const GROUP_ROWS: usize = drafts::rules::GROUP_ROWS;

/// What the form shows: the grant, the choices, and what was typed.
#[derive(Serialize)]
struct FormPage {
    grant_id: String,
    grant_title: String,
    reference: String,
    currency: &'static str,
    once: String,
    /// The version of the draft this form was made from; empty when there was none.
    draft_version: String,
    /// When the grant's draft was last saved, in words; `None` when it has none.
    draft_saved: Option<String>,
    kind: String,
    period_start: String,
    period_end: String,
    people_to_date: String,
    narrative: String,
    groups: Vec<GroupRow>,
    services: Vec<CountRow>,
    spending: Vec<CountRow>,
    sexes: Vec<Choice>,
    ages: Vec<Choice>,
    forms: Vec<Choice>,
}

#[derive(Serialize, Default, Clone)]
struct GroupRow {
    sex: String,
    age_group: String,
    exploitation: String,
    count: String,
}

/// A labelled value: a service's count, or a budget line's amount.
#[derive(Serialize)]
struct CountRow {
    key: String,
    label: String,
    value: String,
}

/// The empty form.
#[utoipa::path(responses((status = 200, description = "the report form", content_type = "text/html"),
                         (status = 303, description = "not signed in: to /login"),
                         (status = 403, description = "only the grantee's members send reports", content_type = "text/html"),
                         (status = 404, description = "no such grant, or not yours", content_type = "text/html")))]
#[get("/grants/{id}/report")]
pub async fn report_form(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let user = match visitor.user_for(Operation::SubmitReport)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let notice = match query_param(&req, "draft").as_deref() {
        Some("saved") => Some(visitor.text("report-draft-saved-notice", &[])?),
        Some("discarded") => Some(visitor.text("report-draft-discarded-notice", &[])?),
        _ => None,
    };
    form_page(
        &visitor,
        &user,
        &id,
        Typed::Draft,
        Shown {
            errors: Vec::new(),
            notice,
            status: StatusCode::OK,
        },
    )
    .await
}

/// Sends the report (303 to the grant's page); a refused one comes back with its errors.
/// With `action=save` keeps the form as the grant's draft instead, with `action=discard`
/// deletes the draft (303 back to the form).
#[utoipa::path(responses((status = 303, description = "sent: to the grant's page; a draft saved or discarded: to the form"),
                         (status = 403, description = "no valid CSRF token, or not the grantee", content_type = "text/html"),
                         (status = 404, description = "no such grant, or not yours", content_type = "text/html"),
                         (status = 409, description = "the grant takes no such report now, or the draft was saved since the form was made", content_type = "text/html"),
                         (status = 422, description = "the report is not complete or not right", content_type = "text/html")))]
#[post("/grants/{id}/report")]
pub async fn send_report(
    visitor: Visitor,
    req: HttpRequest,
    id: web::Path<String>,
    form: PostedForm,
) -> AppResult<HttpResponse> {
    let user = match visitor.form_user(&form, Operation::SubmitReport)? {
        Ok(user) => user,
        Err(answer) => return Ok(answer),
    };
    let Ok(grant_id) = uuid::Uuid::parse_str(&id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    match form.get("action") {
        "save" => return save_draft(&visitor, &user, &grant_id, &form).await,
        "discard" => return discard_draft(&visitor, &user, &grant_id, &form).await,
        _ => {}
    }
    let refused = |errors, status| Shown {
        errors,
        notice: None,
        status,
    };
    let body = match report_json(&form) {
        Ok(body) => body,
        Err(errors) => {
            let errors = localise(&visitor, &errors)?;
            return form_page(
                &visitor,
                &user,
                &grant_id,
                Typed::Posted(&form),
                refused(errors, StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await;
        }
    };
    let input: CreateReport = match serde_json::from_value(body.clone()) {
        Ok(input) => input,
        Err(e) => return Err(AppError::internal(format!("the report form built {e}"))),
    };
    let Some(claim) = form.once(
        &user.id,
        format!("POST /grants/{grant_id}/report"),
        idempotency::canonical_json(&body).as_bytes(),
    ) else {
        return visitor.refused();
    };
    let actor = Actor::for_user(&req, &user);
    let (for_submit, submitter) = (grant_id.clone(), user.clone());
    let sent = db::run(&visitor.state.pool, move |conn| {
        idempotency::run_blocking(conn, Some(&claim), |conn| {
            let view = crate::reports::submit(
                conn,
                &actor,
                &submitter,
                &for_submit,
                |currency, categories| input.validate(currency, categories),
            )?;
            Answer::json(StatusCode::CREATED, &view, Some(view.version))
        })
    })
    .await;
    match sent {
        Ok(_) => Ok(see_other(&format!("{}/{grant_id}?reported=1", super::grants::PATH)).finish()),
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        Err(e) if e.code == ErrorCode::InvalidState => {
            let errors = vec![FieldMessage {
                field: "kind",
                message: visitor.text("report-form-not-now", &[])?,
            }];
            form_page(
                &visitor,
                &user,
                &grant_id,
                Typed::Posted(&form),
                refused(errors, StatusCode::CONFLICT),
            )
            .await
        }
        Err(e) if e.code.status().is_client_error() => {
            let errors = localise(&visitor, &e)?;
            form_page(
                &visitor,
                &user,
                &grant_id,
                Typed::Posted(&form),
                refused(errors, StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// "Save draft": what was typed kept as the grant's draft through `reports::drafts::save`,
/// then back to the form (303), which opens on it. Refused: what may not be kept even in a
/// draft, beside its field (422), and a save over a draft saved since (409); what was
/// typed is kept and nothing is stored.
async fn save_draft(
    visitor: &Visitor,
    user: &CurrentUser,
    grant_id: &str,
    form: &PostedForm,
) -> AppResult<HttpResponse> {
    let content = draft_of(form);
    let expected = match form.get("draft_version").trim() {
        "" => None,
        // a version that is not one matches no draft
        raw => Some(raw.parse::<i64>().unwrap_or(0)),
    };
    let (writer, for_save) = (user.clone(), grant_id.to_string());
    let saved = db::run(&visitor.state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            drafts::save(conn, &writer, &for_save, expected, content)
        })
    })
    .await;
    let (errors, status) = match saved {
        Ok(_) => {
            return Ok(see_other(&format!("/grants/{grant_id}/report?draft=saved")).finish());
        }
        Err(e) if e.code == ErrorCode::NotFound => return visitor.not_found(),
        Err(e) if e.code == ErrorCode::InvalidState => (
            vec![FieldMessage {
                field: "draft",
                message: visitor.text("report-draft-stale", &[])?,
            }],
            StatusCode::CONFLICT,
        ),
        Err(e) if e.code == ErrorCode::ValidationFailed => (
            draft_problems(visitor, &e)?,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => return Err(e),
    };
    form_page(
        visitor,
        user,
        grant_id,
        Typed::Posted(form),
        Shown {
            errors,
            notice: None,
            status,
        },
    )
    .await
}

/// "Discard draft": the grant's draft deleted through `reports::drafts::discard` with the
/// version the form was made from (a draft saved since is the 409 page), then back to the
/// empty form. A draft already gone (a second click) is nothing to do.
async fn discard_draft(
    visitor: &Visitor,
    user: &CurrentUser,
    grant_id: &str,
    form: &PostedForm,
) -> AppResult<HttpResponse> {
    let expected = Expected::from_form(form.get("draft_version"));
    let (writer, for_discard) = (user.clone(), grant_id.to_string());
    let discarded = db::run(&visitor.state.pool, move |conn| {
        db::write_transaction(conn, |conn| {
            drafts::discard(conn, &writer, &for_discard, expected)
        })
    })
    .await;
    match discarded {
        Ok(_) => Ok(see_other(&format!("/grants/{grant_id}/report?draft=discarded")).finish()),
        Err(e) if e.code == ErrorCode::NotFound => visitor.not_found(),
        Err(e) if e.code == ErrorCode::PreconditionFailed => {
            let errors = vec![FieldMessage {
                field: "draft",
                message: visitor.text("report-draft-stale-discard", &[])?,
            }];
            form_page(
                visitor,
                user,
                grant_id,
                Typed::Draft,
                Shown {
                    errors,
                    notice: None,
                    status: StatusCode::CONFLICT,
                },
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The report form's fields of the posted form, as a draft keeps them: every field of the
/// form (`drafts::rules::is_field`) that holds something.
fn draft_of(form: &PostedForm) -> Form {
    form.names()
        .filter(|name| drafts::rules::is_field(name))
        .filter(|name| !form.get(name).is_empty())
        .map(|name| (name.to_string(), form.get(name).to_string()))
        .collect()
}

/// The part of the form a draft's field belongs to.
fn part_of(field: &str) -> &'static str {
    match field {
        "kind" => "kind",
        "period_start" | "period_end" => "period",
        "people_to_date" => "people_to_date",
        "narrative" => "narrative",
        f if f.starts_with("service_") => "services",
        f if f.starts_with("spent_") => "expenditure",
        _ => "beneficiaries",
    }
}

/// Why a draft was not kept, beside each part of the form: what looks like personal data
/// with every word to remove, anything else (too long, not text) said plainly.
fn draft_problems(visitor: &Visitor, error: &AppError) -> AppResult<Vec<FieldMessage>> {
    let mut parts: Vec<(&'static str, Vec<String>)> = Vec::new();
    for problem in &error.errors {
        let field = part_of(&problem.field);
        let words = quoted(&problem.message);
        match parts.iter_mut().find(|(f, _)| *f == field) {
            Some((_, found)) => found.extend(words),
            None => parts.push((field, words)),
        }
    }
    let mut out = Vec::with_capacity(parts.len().max(1));
    for (field, words) in parts {
        let message = if words.is_empty() {
            visitor.text("report-draft-not-kept", &[])?
        } else {
            visitor.text(
                "report-draft-personal",
                &[("words", super::i18n::Arg::Text(words.join(", ")))],
            )?
        };
        out.push(FieldMessage { field, message });
    }
    if out.is_empty() {
        out.push(FieldMessage {
            field: "draft",
            message: visitor.text("report-draft-not-kept", &[])?,
        });
    }
    Ok(out)
}

/// The API's JSON of the posted form; a date that is not one is refused here, since the
/// JSON's dates must be dates.
fn report_json(form: &PostedForm) -> Result<Value, AppError> {
    let mut errors = Vec::new();
    let mut date = |field: &'static str| match form.get(field).trim().parse::<chrono::NaiveDate>() {
        Ok(day) => json!(day.to_string()),
        Err(_) => {
            errors.push(crate::error::FieldError::new(field, "is not a date"));
            Value::Null
        }
    };
    let (start, end) = (date("period_start"), date("period_end"));
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    // a whole number as a JSON number; anything else as typed, for the API to refuse
    let count = |raw: &str| match raw.trim().parse::<u64>() {
        Ok(n) => json!(n),
        Err(_) => json!(raw.trim()),
    };
    let groups: Vec<Value> = (0..GROUP_ROWS)
        .filter(|i| !form.get(&format!("count_{i}")).trim().is_empty())
        .map(|i| {
            json!({
                "sex": form.get(&format!("sex_{i}")),
                "age_group": form.get(&format!("age_{i}")),
                "exploitation": form.get(&format!("form_{i}")),
                "count": count(form.get(&format!("count_{i}"))),
            })
        })
        .collect();
    let services: Vec<Value> = SERVICES
        .iter()
        .filter(|s| !form.get(&format!("service_{s}")).trim().is_empty())
        .map(|s| json!({"service": s, "count": count(form.get(&format!("service_{s}")))}))
        .collect();
    let spending: Vec<Value> = (0..)
        .map(|i| {
            (
                form.get(&format!("line_{i}")),
                form.get(&format!("spent_{i}")),
            )
        })
        .take_while(|(line, _)| !line.is_empty())
        .filter(|(_, amount)| !amount.trim().is_empty())
        .map(|(line, amount)| json!({"category": line, "amount": amount.trim()}))
        .collect();
    Ok(json!({
        "kind": form.get("kind"),
        "period_start": start,
        "period_end": end,
        "narrative": form.get("narrative"),
        "people_reached_to_date": count(form.get("people_to_date")),
        "beneficiaries": groups,
        "services": services,
        "expenditure": spending,
    }))
}

/// The API's field errors said in the reader's language, one per part of the form; the
/// narrative's names what looks like personal data as the API quotes it.
fn localise(visitor: &Visitor, error: &AppError) -> AppResult<Vec<FieldMessage>> {
    const PARTS: &[FormPart] = &[
        FormPart::plain("kind", "kind", "report-form-kind-invalid"),
        FormPart::plain("period_start", "period", "report-form-period-invalid"),
        FormPart::plain("period_end", "period", "report-form-period-invalid"),
        FormPart::plain(
            "people_reached_to_date",
            "people_to_date",
            "report-form-people-invalid",
        ),
        FormPart::plain(
            "beneficiaries",
            "beneficiaries",
            "report-form-groups-invalid",
        ),
        FormPart::plain("services", "services", "report-form-services-invalid"),
        FormPart::plain("expenditure", "expenditure", "report-form-spending-invalid"),
        FormPart {
            api: "narrative",
            field: "narrative",
            key: "report-form-narrative-invalid",
            quote: true,
        },
    ];
    field_messages(visitor, error, PARTS, ("kind", "report-form-not-now"))
}

/// What the form shows in its fields.
enum Typed<'a> {
    /// The grant's draft if it has one (the form opened), else nothing.
    Draft,
    /// What was just posted (a refused form), with the draft version it was made from.
    Posted(&'a PostedForm),
}

/// What the page says beside the form, and its status.
struct Shown {
    errors: Vec<FieldMessage>,
    notice: Option<String>,
    status: StatusCode,
}

async fn form_page(
    visitor: &Visitor,
    user: &CurrentUser,
    raw_id: &str,
    typed: Typed<'_>,
    shown: Shown,
) -> AppResult<HttpResponse> {
    let Shown {
        errors,
        notice,
        status,
    } = shown;
    let Ok(grant_id) = uuid::Uuid::parse_str(raw_id).map(|u| u.to_string()) else {
        return visitor.not_found();
    };
    let reader = user.clone();
    let found = db::run(&visitor.state.pool, move |conn| {
        grant_of_member(conn, &reader, &grant_id)
    })
    .await?;
    let Some((grant, categories, draft)) = found else {
        return visitor.not_found();
    };
    let from_draft;
    let (typed, draft_version) = match typed {
        Typed::Posted(form) => (form, form.get("draft_version").to_string()),
        Typed::Draft => {
            from_draft = PostedForm::of(
                draft
                    .as_ref()
                    .map(|d| d.form.clone().into_iter().collect())
                    .unwrap_or_default(),
            );
            (
                &from_draft,
                draft
                    .as_ref()
                    .map(|d| d.version.to_string())
                    .unwrap_or_default(),
            )
        }
    };
    let draft_saved = draft
        .as_ref()
        .map(|d| super::format::date_time(d.updated_at, visitor.lang));
    let lang = visitor.lang;
    let label =
        |prefix: &str, code: &str| super::i18n::text(lang, &format!("{prefix}-{code}"), &[]);
    let groups = (0..GROUP_ROWS)
        .map(|i| GroupRow {
            sex: typed.get(&format!("sex_{i}")).to_string(),
            age_group: typed.get(&format!("age_{i}")).to_string(),
            exploitation: typed.get(&format!("form_{i}")).to_string(),
            count: typed.get(&format!("count_{i}")).to_string(),
        })
        .collect();
    let services = SERVICES
        .iter()
        .map(|s| {
            Ok(CountRow {
                key: s.to_string(),
                label: label("service", s)?,
                value: typed.get(&format!("service_{s}")).to_string(),
            })
        })
        .collect::<AppResult<_>>()?;
    let spending = categories
        .iter()
        .enumerate()
        .map(|(i, line)| CountRow {
            key: line.clone(),
            label: line.clone(),
            value: typed.get(&format!("spent_{i}")).to_string(),
        })
        .collect();
    let once = match typed.get("once") {
        "" => crate::auth::tokens::new_opaque(),
        kept => kept.to_string(),
    };
    let currency = crate::money::Currency::parse(&grant.currency)
        .map_err(|e| AppError::internal(e.to_string()))?
        .code();
    let page = FormPage {
        grant_id: grant.id.clone(),
        grant_title: grant.title.clone(),
        reference: grant.reference.clone(),
        currency,
        once,
        draft_version,
        draft_saved,
        kind: match typed.get("kind") {
            "" => "interim".into(),
            kind => kind.into(),
        },
        period_start: typed.get("period_start").to_string(),
        period_end: typed.get("period_end").to_string(),
        people_to_date: typed.get("people_to_date").to_string(),
        narrative: typed.get("narrative").to_string(),
        groups,
        services,
        spending,
        sexes: choices(lang, "sex", Sex::ALL.iter().map(|s| s.as_str()))?,
        ages: choices(lang, "age", AgeGroup::ALL.iter().map(|a| a.as_str()))?,
        forms: choices(
            lang,
            "exploitation",
            Exploitation::ALL.iter().map(|f| f.as_str()),
        )?,
    };
    let error_of = |field: &str| message_of(&errors, field);
    visitor.page(
        status,
        "report_form.html",
        context! {
            f => Serde(page),
            errors => Serde(&errors),
            notice => notice,
            draft_error => error_of("draft"),
            kind_error => error_of("kind"),
            period_error => error_of("period"),
            people_error => error_of("people_to_date"),
            groups_error => error_of("beneficiaries"),
            services_error => error_of("services"),
            spending_error => error_of("expenditure"),
            narrative_error => error_of("narrative"),
        },
    )
}

/// The grant of `user`'s organisation with its application's budget lines and its report
/// draft (`reports::drafts::read`); `None` when it is not a grant of theirs.
#[allow(clippy::type_complexity)]
fn grant_of_member(
    conn: &mut DbConn,
    user: &CurrentUser,
    grant_id: &str,
) -> AppResult<
    Option<(
        crate::grants::store::GrantRow,
        Vec<String>,
        Option<ReportDraftView>,
    )>,
> {
    let Some(grant) = crate::grants::store::find(conn, grant_id)? else {
        return Ok(None);
    };
    if policy::require_member(user, &grant.organisation_id, "grant").is_err() {
        return Ok(None);
    }
    let categories = crate::reports::store::budget_categories(conn, &grant.application_id)?;
    let draft = drafts::read(conn, user, &grant.id)?;
    Ok(Some((grant, categories, draft)))
}
