//! Queries of applications, their child rows, documents and frozen revisions.

use chrono::{DateTime, Datelike, NaiveDateTime, Utc};
use diesel::prelude::*;

use super::model::{
    ApplicationStatus, ApplicationSummary, ApplicationView, BeneficiaryCount, BudgetLine,
    BudgetLineView, Content, DocumentView, RevisionSummary, RevisionView, ScreeningView,
};
use super::rules::budget_total;
use crate::db::schema::{
    application_beneficiaries, application_budget_lines, application_countries,
    application_documents, application_reference_counters, application_revisions,
    application_themes, applications,
};
use crate::db::{DbConn, insert_rows};
use crate::error::{AppError, AppResult};
use crate::http::Page;
use crate::money::{Currency, Money};
use crate::taxonomy::{AgeGroup, Exploitation, Sex};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = applications, treat_none_as_null = true)]
pub struct ApplicationRow {
    pub id: String,
    pub call_id: String,
    pub fund_id: String,
    pub organisation_id: String,
    pub reference: Option<String>,
    pub title: String,
    pub summary: String,
    pub requested_amount: Option<i64>,
    pub currency: String,
    pub duration_months: Option<i32>,
    pub status: ApplicationStatus,
    pub revision: i32,
    pub version: i64,
    pub created_by: Option<String>,
    pub contact_email: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub screening_eligible: Option<bool>,
    pub screening_notes: Option<String>,
    pub screened_at: Option<NaiveDateTime>,
    pub return_reason: Option<String>,
    pub returned_at: Option<NaiveDateTime>,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The screening verdict on the current revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screening {
    pub eligible: bool,
    pub notes: String,
    pub screened_at: DateTime<Utc>,
}

/// An application with its content, as the handlers work with it.
#[derive(Debug, Clone)]
pub struct Application {
    pub id: String,
    pub call_id: String,
    pub fund_id: String,
    pub organisation_id: String,
    pub reference: Option<String>,
    pub content: Content,
    pub currency: Currency,
    pub status: ApplicationStatus,
    pub revision: i32,
    pub version: i64,
    pub created_by: Option<String>,
    pub contact_email: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub screening: Option<Screening>,
    pub return_reason: Option<String>,
    pub returned_at: Option<DateTime<Utc>>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn currency_of(id: &str, code: &str) -> AppResult<Currency> {
    Currency::parse(code).map_err(|e| AppError::internal(format!("application {id}: {e}")))
}

impl Application {
    fn to_row(&self) -> ApplicationRow {
        let c = &self.content;
        ApplicationRow {
            id: self.id.clone(),
            call_id: self.call_id.clone(),
            fund_id: self.fund_id.clone(),
            organisation_id: self.organisation_id.clone(),
            reference: self.reference.clone(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            requested_amount: c.requested_amount.map(|m| m.minor_units()),
            currency: self.currency.code().to_string(),
            duration_months: c.duration_months,
            status: self.status,
            revision: self.revision,
            version: self.version,
            created_by: self.created_by.clone(),
            contact_email: self.contact_email.clone(),
            submitted_at: self.submitted_at.map(|t| t.naive_utc()),
            screening_eligible: self.screening.as_ref().map(|s| s.eligible),
            screening_notes: self.screening.as_ref().map(|s| s.notes.clone()),
            screened_at: self.screening.as_ref().map(|s| s.screened_at.naive_utc()),
            return_reason: self.return_reason.clone(),
            returned_at: self.returned_at.map(|t| t.naive_utc()),
            withdrawn_at: self.withdrawn_at.map(|t| t.naive_utc()),
            created_at: self.created_at.naive_utc(),
            updated_at: self.updated_at.naive_utc(),
        }
    }

    pub fn view(&self, documents: &[DocumentRow]) -> ApplicationView {
        let c = &self.content;
        let zero = Money::zero(self.currency);
        ApplicationView {
            id: self.id.clone(),
            call_id: self.call_id.clone(),
            fund_id: self.fund_id.clone(),
            organisation_id: self.organisation_id.clone(),
            reference: self.reference.clone(),
            title: c.title.clone(),
            summary: c.summary.clone(),
            requested_amount: c.requested_amount.map(|m| m.amount_string()),
            currency: self.currency.code().to_string(),
            duration_months: c.duration_months,
            countries: c.countries.clone(),
            themes: c.themes.clone(),
            planned_beneficiaries: c.planned_beneficiaries.clone(),
            budget: c
                .budget
                .iter()
                .map(|l| BudgetLineView {
                    category: l.category.clone(),
                    description: l.description.clone(),
                    amount: l.amount.amount_string(),
                })
                .collect(),
            budget_total: budget_total(c, zero).amount_string(),
            documents: documents.iter().map(DocumentRow::view).collect(),
            status: self.status,
            revision: self.revision,
            version: self.version,
            submitted_at: self.submitted_at,
            screening: self.screening.as_ref().map(|s| ScreeningView {
                eligible: s.eligible,
                notes: s.notes.clone(),
                screened_at: s.screened_at,
            }),
            return_reason: self.return_reason.clone(),
            returned_at: self.returned_at,
            withdrawn_at: self.withdrawn_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
        }
    }
}

impl ApplicationRow {
    pub fn summary(self) -> AppResult<ApplicationSummary> {
        let currency = currency_of(&self.id, &self.currency)?;
        Ok(ApplicationSummary {
            status: self.status,
            requested_amount: self
                .requested_amount
                .map(|m| Money::from_minor(m, currency).amount_string()),
            id: self.id,
            call_id: self.call_id,
            fund_id: self.fund_id,
            organisation_id: self.organisation_id,
            reference: self.reference,
            title: self.title,
            currency: self.currency,
            revision: self.revision,
            version: self.version,
            submitted_at: self.submitted_at.map(|t| t.and_utc()),
            updated_at: self.updated_at.and_utc(),
        })
    }
}

/// A new, empty draft.
pub struct NewDraft<'a> {
    pub call_id: &'a str,
    pub fund_id: &'a str,
    pub organisation_id: &'a str,
    pub currency: Currency,
    pub created_by: Option<String>,
    pub content: Content,
    pub now: DateTime<Utc>,
}

pub fn insert_draft(conn: &mut DbConn, new: NewDraft<'_>) -> AppResult<Application> {
    let app = Application {
        id: uuid::Uuid::now_v7().to_string(),
        call_id: new.call_id.to_string(),
        fund_id: new.fund_id.to_string(),
        organisation_id: new.organisation_id.to_string(),
        reference: None,
        content: new.content,
        currency: new.currency,
        status: ApplicationStatus::Draft,
        revision: 1,
        version: 1,
        created_by: new.created_by,
        contact_email: None,
        submitted_at: None,
        screening: None,
        return_reason: None,
        returned_at: None,
        withdrawn_at: None,
        created_at: new.now,
        updated_at: new.now,
    };
    diesel::insert_into(applications::table)
        .values(app.to_row())
        .execute(conn)?;
    write_children(conn, &app.id, &app.content)?;
    Ok(app)
}

fn find_row(conn: &mut DbConn, id: &str) -> AppResult<Option<ApplicationRow>> {
    Ok(applications::table
        .find(id)
        .select(ApplicationRow::as_select())
        .get_result(conn)
        .optional()?)
}

/// The application's own row, without its content: enough to decide who may see it and
/// whether it may change. With `lock`, the row is locked as in `find_locked`.
pub fn find_row_only(conn: &mut DbConn, id: &str, lock: bool) -> AppResult<Option<ApplicationRow>> {
    if !lock {
        return find_row(conn, id);
    }
    Ok(crate::db::first_locked!(
        conn,
        applications::table
            .find(id)
            .select(ApplicationRow::as_select())
    )?)
}

pub fn find(conn: &mut DbConn, id: &str) -> AppResult<Option<Application>> {
    match find_row(conn, id)? {
        Some(row) => Ok(Some(load(conn, row)?)),
        None => Ok(None),
    }
}

/// Reads an application inside a write transaction, its row locked on PostgreSQL so that
/// every change to it (an edit, an upload, a submission) happens one after the other. On
/// SQLite the write transaction already holds the write lock.
pub fn find_locked(conn: &mut DbConn, id: &str) -> AppResult<Option<Application>> {
    match find_row_only(conn, id, true)? {
        Some(row) => Ok(Some(load(conn, row)?)),
        None => Ok(None),
    }
}

/// One child row of an application: `(table, position, text, text, text, number)`, the
/// four child tables in one answer, told apart by their first column.
type ChildRow = (
    String,
    i32,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
);

/// An application's countries, themes, budget lines and planned beneficiaries in one
/// statement (one round trip instead of four: reading an application is the busiest read),
/// built with diesel so that it is prepared once per connection and reused.
fn children(conn: &mut DbConn, id: &str) -> AppResult<Vec<ChildRow>> {
    use diesel::sql_types::{BigInt, Nullable, Text};
    let no_text = || None::<String>.into_sql::<Nullable<Text>>();
    let no_number = || None::<i64>.into_sql::<Nullable<BigInt>>();
    let countries = application_countries::table
        .filter(application_countries::application_id.eq(id))
        .select((
            "c".into_sql::<Text>(),
            application_countries::position,
            application_countries::country,
            no_text(),
            no_text(),
            no_number(),
        ));
    let themes = application_themes::table
        .filter(application_themes::application_id.eq(id))
        .select((
            "t".into_sql::<Text>(),
            application_themes::position,
            application_themes::theme,
            no_text(),
            no_text(),
            no_number(),
        ));
    let budget = application_budget_lines::table
        .filter(application_budget_lines::application_id.eq(id))
        .select((
            "b".into_sql::<Text>(),
            application_budget_lines::position,
            application_budget_lines::category,
            application_budget_lines::description.nullable(),
            no_text(),
            application_budget_lines::amount.nullable(),
        ));
    let beneficiaries = application_beneficiaries::table
        .filter(application_beneficiaries::application_id.eq(id))
        .select((
            "p".into_sql::<Text>(),
            application_beneficiaries::position,
            application_beneficiaries::sex,
            application_beneficiaries::age_group.nullable(),
            application_beneficiaries::exploitation.nullable(),
            application_beneficiaries::number.nullable(),
        ));
    let all = countries
        .union_all(themes)
        .union_all(budget)
        .union_all(beneficiaries);
    // diesel's union is written per backend, not for the connection over both
    let mut rows: Vec<ChildRow> = crate::db::with_backend!(conn, |c| all.load(c))?;
    // a union has no order of its own; each table's rows keep theirs
    rows.sort_by(|x, y| (&x.0, x.1).cmp(&(&y.0, y.1)));
    Ok(rows)
}

fn load(conn: &mut DbConn, row: ApplicationRow) -> AppResult<Application> {
    let id = row.id.clone();
    let currency = currency_of(&id, &row.currency)?;
    let (mut countries, mut themes, mut budget, mut planned_beneficiaries) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let malformed = || AppError::internal(format!("application {id}: a malformed child row"));
    for (table, _, a, b, c, n) in children(conn, &id)? {
        match table.as_str() {
            "c" => countries.push(a),
            "t" => themes.push(a),
            "b" => budget.push(BudgetLine {
                category: a,
                description: b.ok_or_else(malformed)?,
                amount: Money::from_minor(n.ok_or_else(malformed)?, currency),
            }),
            _ => planned_beneficiaries.push(BeneficiaryCount {
                sex: Sex::from_db(&a)?,
                age_group: AgeGroup::from_db(&b.ok_or_else(malformed)?)?,
                exploitation: Exploitation::from_db(&c.ok_or_else(malformed)?)?,
                count: n.ok_or_else(malformed)?,
            }),
        }
    }
    let screening = match (row.screening_eligible, row.screened_at) {
        (Some(eligible), Some(at)) => Some(Screening {
            eligible,
            notes: row.screening_notes.clone().unwrap_or_default(),
            screened_at: at.and_utc(),
        }),
        _ => None,
    };
    Ok(Application {
        content: Content {
            title: row.title,
            summary: row.summary,
            requested_amount: row.requested_amount.map(|m| Money::from_minor(m, currency)),
            duration_months: row.duration_months,
            countries,
            themes,
            planned_beneficiaries,
            budget,
        },
        status: row.status,
        id: row.id,
        call_id: row.call_id,
        fund_id: row.fund_id,
        organisation_id: row.organisation_id,
        reference: row.reference,
        currency,
        revision: row.revision,
        version: row.version,
        created_by: row.created_by,
        contact_email: row.contact_email,
        submitted_at: row.submitted_at.map(|t| t.and_utc()),
        screening,
        return_reason: row.return_reason,
        returned_at: row.returned_at.map(|t| t.and_utc()),
        withdrawn_at: row.withdrawn_at.map(|t| t.and_utc()),
        created_at: row.created_at.and_utc(),
        updated_at: row.updated_at.and_utc(),
    })
}

fn write_children(conn: &mut DbConn, id: &str, c: &Content) -> AppResult<()> {
    // One multi-row statement per list (`db::insert_rows`).
    let position = |i: usize| i32::try_from(i).expect("lists are bounded by validation");
    let countries: Vec<_> = (c.countries.iter().enumerate())
        .map(|(i, country)| {
            (
                application_countries::application_id.eq(id),
                application_countries::position.eq(position(i)),
                application_countries::country.eq(country),
            )
        })
        .collect();
    insert_rows!(conn, application_countries::table, countries)?;
    let themes: Vec<_> = (c.themes.iter().enumerate())
        .map(|(i, theme)| {
            (
                application_themes::application_id.eq(id),
                application_themes::position.eq(position(i)),
                application_themes::theme.eq(theme),
            )
        })
        .collect();
    insert_rows!(conn, application_themes::table, themes)?;
    let budget: Vec<_> = (c.budget.iter().enumerate())
        .map(|(i, line)| {
            (
                application_budget_lines::application_id.eq(id),
                application_budget_lines::position.eq(position(i)),
                application_budget_lines::category.eq(&line.category),
                application_budget_lines::description.eq(&line.description),
                application_budget_lines::amount.eq(line.amount.minor_units()),
            )
        })
        .collect();
    insert_rows!(conn, application_budget_lines::table, budget)?;
    let beneficiaries: Vec<_> = (c.planned_beneficiaries.iter().enumerate())
        .map(|(i, cell)| {
            (
                application_beneficiaries::application_id.eq(id),
                application_beneficiaries::position.eq(position(i)),
                application_beneficiaries::sex.eq(cell.sex.as_str()),
                application_beneficiaries::age_group.eq(cell.age_group.as_str()),
                application_beneficiaries::exploitation.eq(cell.exploitation.as_str()),
                application_beneficiaries::number.eq(cell.count),
            )
        })
        .collect();
    insert_rows!(conn, application_beneficiaries::table, beneficiaries)?;
    Ok(())
}

/// Replaces the child rows whose list changed between `before` and `after`.
fn rewrite_children(
    conn: &mut DbConn,
    id: &str,
    before: &Content,
    after: &Content,
) -> AppResult<()> {
    let mut changed = Content::empty();
    if before.countries != after.countries {
        diesel::delete(
            application_countries::table.filter(application_countries::application_id.eq(id)),
        )
        .execute(conn)?;
        changed.countries = after.countries.clone();
    }
    if before.themes != after.themes {
        diesel::delete(application_themes::table.filter(application_themes::application_id.eq(id)))
            .execute(conn)?;
        changed.themes = after.themes.clone();
    }
    if before.budget != after.budget {
        diesel::delete(
            application_budget_lines::table.filter(application_budget_lines::application_id.eq(id)),
        )
        .execute(conn)?;
        changed.budget = after.budget.clone();
    }
    if before.planned_beneficiaries != after.planned_beneficiaries {
        diesel::delete(
            application_beneficiaries::table
                .filter(application_beneficiaries::application_id.eq(id)),
        )
        .execute(conn)?;
        changed.planned_beneficiaries = after.planned_beneficiaries.clone();
    }
    write_children(conn, id, &changed)
}

/// Writes `next` (its version already advanced) over the stored application if that is
/// still at `expected_version`; content lists are rewritten only when they changed.
/// `None` when someone else changed it first.
pub fn save(conn: &mut DbConn, before: &Application, next: &Application) -> AppResult<Option<()>> {
    let updated = diesel::update(
        applications::table
            .filter(applications::id.eq(&next.id))
            .filter(applications::version.eq(before.version)),
    )
    .set(next.to_row())
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    rewrite_children(conn, &next.id, &before.content, &next.content)?;
    Ok(Some(()))
}

/// Who may see which applications; decided by the access policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// The secretariat.
    All,
    /// An organisation's members: its own applications, drafts included.
    Organisation(String),
    /// Trustees: submitted applications (never drafts) of the funds they serve.
    SubmittedInFunds(Vec<String>),
    /// Reviewers: the applications assigned to this user on which it declared no conflict
    /// of interest (assignment status `cleared`).
    AssignedTo(String),
    /// Nobody's (for example finance officers).
    Nothing,
}

impl Visibility {
    /// Whether an application of `organisation_id` in `fund_id` at `status` is visible;
    /// an invisible application answers 404.
    pub fn allows(&self, organisation_id: &str, fund_id: &str, status: ApplicationStatus) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Organisation(org) => org == organisation_id,
            Visibility::SubmittedInFunds(funds) => {
                funds.iter().any(|f| f == fund_id) && status != ApplicationStatus::Draft
            }
            // needs the assignments: `allows_application`
            Visibility::AssignedTo(_) => false,
            Visibility::Nothing => false,
        }
    }

    /// Like `allows`, for the application `id`; reads its assignments when the answer
    /// depends on them (one indexed lookup).
    pub fn allows_application(
        &self,
        conn: &mut DbConn,
        id: &str,
        organisation_id: &str,
        fund_id: &str,
        status: ApplicationStatus,
    ) -> AppResult<bool> {
        match self {
            Visibility::AssignedTo(user_id) => {
                crate::review::store::cleared_assignment_exists(conn, id, user_id)
            }
            other => Ok(other.allows(organisation_id, fund_id, status)),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub call_id: Option<String>,
    pub status: Option<ApplicationStatus>,
    pub country: Option<String>,
}

pub fn list(
    conn: &mut DbConn,
    visibility: &Visibility,
    filter: &ListFilter,
    page: &Page,
) -> AppResult<Vec<ApplicationSummary>> {
    let mut query = applications::table
        .select(ApplicationRow::as_select())
        .into_boxed();
    match visibility {
        Visibility::All => {}
        Visibility::Organisation(org) => {
            query = query.filter(applications::organisation_id.eq(org.clone()))
        }
        Visibility::SubmittedInFunds(funds) => {
            query = query
                .filter(applications::fund_id.eq_any(funds.clone()))
                .filter(applications::status.ne(ApplicationStatus::Draft))
        }
        Visibility::AssignedTo(user_id) => {
            query = query.filter(
                applications::id.eq_any(crate::review::store::cleared_application_ids(user_id)),
            )
        }
        Visibility::Nothing => return Ok(Vec::new()),
    }
    if let Some(call_id) = &filter.call_id {
        query = query.filter(applications::call_id.eq(call_id.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(applications::status.eq(status));
    }
    if let Some(country) = &filter.country {
        query = query.filter(
            applications::id.eq_any(
                application_countries::table
                    .filter(application_countries::country.eq(country.clone()))
                    .select(application_countries::application_id),
            ),
        );
    }
    if let Some(after) = &page.after {
        query = query.filter(applications::id.gt(after.clone()));
    }
    query
        .order(applications::id.asc())
        .limit(page.limit + 1)
        .load(conn)?
        .into_iter()
        .map(ApplicationRow::summary)
        .collect()
}

/// The next reference number of a fund in a year: `UNVTF-2026-00042`. The counter row is
/// updated in the submission's transaction, so numbers are unique and never reused.
pub fn next_reference(
    conn: &mut DbConn,
    fund_id: &str,
    fund_code: &str,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let year = now.year();
    diesel::sql_query(
        "INSERT INTO application_reference_counters (fund_id, year, last_number) \
         VALUES ($1, $2, 0) ON CONFLICT (fund_id, year) DO NOTHING",
    )
    .bind::<diesel::sql_types::Text, _>(fund_id)
    .bind::<diesel::sql_types::Integer, _>(year)
    .execute(conn)?;
    let counter = application_reference_counters::table
        .filter(application_reference_counters::fund_id.eq(fund_id))
        .filter(application_reference_counters::year.eq(year));
    diesel::update(counter)
        .set(
            application_reference_counters::last_number
                .eq(application_reference_counters::last_number + 1),
        )
        .execute(conn)?;
    let number: i64 = counter
        .select(application_reference_counters::last_number)
        .first(conn)?;
    Ok(format!("{fund_code}-{year}-{number:05}"))
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = application_documents)]
pub struct DocumentRow {
    pub id: String,
    pub application_id: String,
    pub kind: String,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
    pub added_in_revision: i32,
    pub removed_in_revision: Option<i32>,
    pub uploaded_by: Option<String>,
    pub created_at: NaiveDateTime,
}

impl DocumentRow {
    pub fn view(&self) -> DocumentView {
        DocumentView {
            id: self.id.clone(),
            kind: self.kind.clone(),
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            size_bytes: self.size_bytes,
            sha256: self.sha256.clone(),
            revision: self.added_in_revision,
            uploaded_at: self.created_at.and_utc(),
            href: format!(
                "/api/v1/applications/{}/documents/{}",
                self.application_id, self.id
            ),
        }
    }
}

pub fn insert_document(conn: &mut DbConn, row: &DocumentRow) -> AppResult<()> {
    diesel::insert_into(application_documents::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// The documents of the current revision, oldest first.
pub fn current_documents(conn: &mut DbConn, application_id: &str) -> AppResult<Vec<DocumentRow>> {
    Ok(application_documents::table
        .filter(application_documents::application_id.eq(application_id))
        .filter(application_documents::removed_in_revision.is_null())
        .order(application_documents::id.asc())
        .select(DocumentRow::as_select())
        .load(conn)?)
}

/// Any document ever attached to the application, current or of an earlier revision.
pub fn find_document(
    conn: &mut DbConn,
    application_id: &str,
    document_id: &str,
) -> AppResult<Option<DocumentRow>> {
    Ok(application_documents::table
        .filter(application_documents::application_id.eq(application_id))
        .filter(application_documents::id.eq(document_id))
        .select(DocumentRow::as_select())
        .first(conn)
        .optional()?)
}

/// Takes a document out of the current revision. One uploaded in this revision is
/// deleted (it was never submitted); one from an earlier revision stays readable there.
/// Returns whether the stored file may be deleted.
pub fn remove_document(conn: &mut DbConn, doc: &DocumentRow, revision: i32) -> AppResult<bool> {
    let target = application_documents::table.filter(application_documents::id.eq(&doc.id));
    if doc.added_in_revision >= revision {
        diesel::delete(target).execute(conn)?;
        Ok(true)
    } else {
        diesel::update(target)
            .set(application_documents::removed_in_revision.eq(Some(revision)))
            .execute(conn)?;
        Ok(false)
    }
}

pub fn insert_revision(
    conn: &mut DbConn,
    application_id: &str,
    revision: i32,
    snapshot: &ApplicationView,
    submitted_by: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let snapshot = serde_json::to_string(snapshot)
        .map_err(|e| AppError::internal(format!("cannot snapshot an application: {e}")))?;
    diesel::insert_into(application_revisions::table)
        .values((
            application_revisions::application_id.eq(application_id),
            application_revisions::revision.eq(revision),
            application_revisions::snapshot.eq(snapshot),
            application_revisions::submitted_at.eq(now.naive_utc()),
            application_revisions::submitted_by.eq(submitted_by),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn mark_revision_returned(
    conn: &mut DbConn,
    application_id: &str,
    revision: i32,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    diesel::update(
        application_revisions::table
            .filter(application_revisions::application_id.eq(application_id))
            .filter(application_revisions::revision.eq(revision)),
    )
    .set((
        application_revisions::returned_at.eq(Some(now.naive_utc())),
        application_revisions::return_reason.eq(Some(reason)),
    ))
    .execute(conn)?;
    Ok(())
}

type RevisionTuple = (
    i32,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
    Option<String>,
);

fn revision_columns() -> (
    application_revisions::revision,
    application_revisions::snapshot,
    application_revisions::submitted_at,
    application_revisions::returned_at,
    application_revisions::return_reason,
) {
    (
        application_revisions::revision,
        application_revisions::snapshot,
        application_revisions::submitted_at,
        application_revisions::returned_at,
        application_revisions::return_reason,
    )
}

pub fn list_revisions(conn: &mut DbConn, application_id: &str) -> AppResult<Vec<RevisionSummary>> {
    let rows: Vec<RevisionTuple> = application_revisions::table
        .filter(application_revisions::application_id.eq(application_id))
        .order(application_revisions::revision.asc())
        .select(revision_columns())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(revision, _, submitted_at, returned_at, return_reason)| RevisionSummary {
                revision,
                submitted_at: submitted_at.and_utc(),
                returned_at: returned_at.map(|t| t.and_utc()),
                return_reason,
                href: format!("/api/v1/applications/{application_id}/revisions/{revision}"),
            },
        )
        .collect())
}

pub fn find_revision(
    conn: &mut DbConn,
    application_id: &str,
    revision: i32,
) -> AppResult<Option<RevisionView>> {
    let row: Option<RevisionTuple> = application_revisions::table
        .filter(application_revisions::application_id.eq(application_id))
        .filter(application_revisions::revision.eq(revision))
        .select(revision_columns())
        .first(conn)
        .optional()?;
    row.map(
        |(revision, snapshot, submitted_at, returned_at, return_reason)| {
            let application = serde_json::from_str(&snapshot).map_err(|e| {
                AppError::internal(format!(
                    "revision {revision} of {application_id} unreadable: {e}"
                ))
            })?;
            Ok(RevisionView {
                revision,
                submitted_at: submitted_at.and_utc(),
                returned_at: returned_at.map(|t| t.and_utc()),
                return_reason,
                application,
            })
        },
    )
    .transpose()
}
