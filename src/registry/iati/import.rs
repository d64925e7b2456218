//! Importing: mapped activities written to the database in batches, on one thread while
//! another reads the next batch.
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::io::{BufRead, Read};

use serde::Serialize;
use utoipa::ToSchema;

use super::mapping::{Mapped, OrgRef, kind_of, map_activity};
use super::reader::{ActivityReader, ParseError};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::change;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::http::Expected;
use crate::organisations::model::NewOrganisation;
use crate::platform::country;
use crate::registry::model::{Participant, ProjectDraft, ProjectSource};
use crate::registry::store::{self, ProjectRow};

/// Activities written per batch.
pub const BATCH: usize = 500;
/// Skips listed in full in the report; beyond that only counted.
pub const MAX_LISTED_SKIPS: usize = 10_000;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Skip {
    pub iati_identifier: Option<String>,
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub activities: u64,
    pub created: u64,
    pub updated: u64,
    /// Activities whose project already said the same.
    pub unchanged: u64,
    /// Activities that are grants of a fund here, from its own IATI file: the grant's
    /// project is already in the registry, so they are neither created again nor changed.
    pub grants_matched: u64,
    pub skipped: u64,
    pub organisations_created: u64,
    /// Why each activity was skipped (the first 10,000).
    pub skips: Vec<Skip>,
}

impl ImportReport {
    fn skip(&mut self, iati_identifier: Option<String>, line: u64, reason: impl Into<String>) {
        self.skipped += 1;
        if self.skips.len() < MAX_LISTED_SKIPS {
            self.skips.push(Skip {
                iati_identifier,
                line,
                reason: reason.into(),
            });
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Skip activities that map to no anti-trafficking theme.
    pub themed_only: bool,
}

/// Why an import stopped: the file, or the database.
#[derive(Debug)]
pub enum ImportError {
    Parse(ParseError),
    App(AppError),
}

impl From<AppError> for ImportError {
    fn from(e: AppError) -> Self {
        ImportError::App(e)
    }
}

impl From<diesel::result::Error> for ImportError {
    fn from(e: diesel::result::Error) -> Self {
        ImportError::App(e.into())
    }
}

impl From<ParseError> for ImportError {
    fn from(e: ParseError) -> Self {
        ImportError::Parse(e)
    }
}

impl ImportError {
    pub fn into_app_error(self) -> AppError {
        match self {
            ImportError::Parse(p) => p.into_app_error(),
            ImportError::App(a) => a,
        }
    }
}

fn identifier_hash(identifier: &str) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    identifier.hash(&mut hasher);
    hasher.finish()
}

/// What the reading thread hands to the writing one: a mapped activity or a skip.
type Reading = Result<Mapped, Skip>;

/// Batches of activities in flight between the two threads; bounded, so memory stays flat.
const BATCHES_IN_FLIGHT: usize = 2;

/// Reads, checks and maps activities on its own thread, batch by batch.
fn read_batches<R: BufRead>(
    source: R,
    options: ImportOptions,
    out: &std::sync::mpsc::SyncSender<Result<Vec<Reading>, ParseError>>,
) {
    let mut reader = ActivityReader::new(source);
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut batch: Vec<Reading> = Vec::with_capacity(BATCH);
    loop {
        let activity = match reader.next_activity() {
            Ok(Some(activity)) => activity,
            Ok(None) => {
                let _ = out.send(Ok(batch));
                return;
            }
            Err(e) => {
                let _ = out.send(Err(e));
                return;
            }
        };
        let read = match map_activity(&activity, options.themed_only) {
            Err(reason) => Err(Skip {
                iati_identifier: activity.identifier.clone(),
                line: activity.line,
                reason,
            }),
            Ok(mapped) => match seen.insert(identifier_hash(&mapped.identifier), mapped.line) {
                Some(first) => Err(Skip {
                    iati_identifier: Some(mapped.identifier.clone()),
                    line: mapped.line,
                    reason: format!("the iati-identifier already appeared at line {first}"),
                }),
                None => Ok(mapped),
            },
        };
        batch.push(read);
        if batch.len() >= BATCH && out.send(Ok(std::mem::take(&mut batch))).is_err() {
            // the writer stopped (a database error): nothing more to do
            return;
        }
    }
}

/// Imports an activities file. Call it inside one write transaction: a file that turns
/// out malformed half-way leaves nothing behind. Reading and mapping run on a second
/// thread while this one writes the previous batch.
pub fn import<R: BufRead + Send>(
    conn: &mut DbConn,
    source: R,
    options: ImportOptions,
    actor: &Actor,
) -> Result<ImportReport, ImportError> {
    let (sender, receiver) = std::sync::mpsc::sync_channel(BATCHES_IN_FLIGHT);
    std::thread::scope(|scope| {
        scope.spawn(move || read_batches(source, options, &sender));
        let mut report = ImportReport::default();
        let mut organisations: HashMap<String, String> = HashMap::new();
        let grants = store::grant_activities(conn)?;
        for message in receiver {
            let mut batch = Vec::with_capacity(BATCH);
            for read in message? {
                report.activities += 1;
                match read {
                    Ok(mapped) => batch.push(mapped),
                    Err(skip) => report.skip(skip.iati_identifier, skip.line, skip.reason),
                }
            }
            write_batch(conn, batch, actor, &grants, &mut organisations, &mut report)?;
        }
        Ok(report)
    })
}

/// The id of the registered organisation an org-id reference names, creating it (with
/// an audit event) when it is missing.
fn organisation_for(
    conn: &mut DbConn,
    org: &OrgRef,
    reference: &str,
    actor: &Actor,
    known: &mut HashMap<String, String>,
    report: &mut ImportReport,
) -> Result<String, ImportError> {
    if let Some(id) = known.get(reference) {
        return Ok(id.clone());
    }
    let id = match crate::organisations::store::find_by_identifier(conn, reference)? {
        Some(row) => row.id,
        None => {
            // An org-id starts with the registering country (GB-CHC-...) unless it is an
            // international list (XM-DAC-..., XI-IATI-...): then the country is unknown.
            let prefix = reference.get(..2).unwrap_or_default();
            let mut errors = Vec::new();
            country("country", prefix, &mut errors);
            let new = NewOrganisation {
                name: org.name.clone().unwrap_or_else(|| reference.to_string()),
                kind: kind_of(org.org_type.as_deref()),
                country: if errors.is_empty() {
                    prefix.to_string()
                } else {
                    UNKNOWN_COUNTRY.to_string()
                },
                identifier: Some(reference.to_string()),
                verified: false,
                listed_anonymously: false,
                may_donate: false,
                protected: false,
            };
            let view =
                crate::organisations::create(conn, actor, &new, crate::audit::Action::Create)?;
            report.organisations_created += 1;
            view.id
        }
    };
    known.insert(reference.to_string(), id.clone());
    Ok(id)
}

/// The country given to an organisation created from an IATI reference that does not
/// start with a country code (ISO 3166's user-assigned "unknown").
pub const UNKNOWN_COUNTRY: &str = "XX";

fn write_batch(
    conn: &mut DbConn,
    batch: Vec<Mapped>,
    actor: &Actor,
    grants: &HashMap<String, String>,
    known: &mut HashMap<String, String>,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    let identifiers: Vec<String> = batch.iter().map(|m| m.identifier.clone()).collect();
    let existing: HashMap<String, ProjectRow> = store::find_by_iati(conn, &identifiers)?
        .into_iter()
        .filter_map(|row| row.iati_identifier.clone().map(|i| (i, row)))
        .collect();
    let mut new_rows = Vec::new();
    for mapped in batch {
        // A fund's own file describes its grants, whose projects the grants keep: the
        // grant is the record, the file's copy would count its money twice.
        let a_grant = match existing.get(&mapped.identifier) {
            Some(row) => row.source == ProjectSource::Grant,
            None => grants.contains_key(&mapped.identifier),
        };
        if a_grant {
            report.grants_matched += 1;
            continue;
        }
        let reporting_ref = mapped
            .reporting
            .org_id()
            .expect("map_activity only keeps activities whose reporting-org has an org-id")
            .to_string();
        let reporting_org_id = organisation_for(
            conn,
            &mapped.reporting,
            &reporting_ref,
            actor,
            known,
            report,
        )?;
        let mut participants = Vec::new();
        for (role, org) in &mapped.participants {
            let organisation_id = match org.org_id() {
                Some(reference) => Some(organisation_for(
                    conn, org, reference, actor, known, report,
                )?),
                None => None,
            };
            let participant = Participant {
                role: *role,
                name: if organisation_id.is_some() {
                    None
                } else {
                    org.name.clone()
                },
                reference: if organisation_id.is_some() {
                    None
                } else {
                    org.reference.clone()
                },
                organisation_id,
            };
            if (participant.organisation_id.is_some()
                || participant.name.is_some()
                || participant.reference.is_some())
                && !participants.contains(&participant)
            {
                participants.push(participant);
            }
        }
        let search_text = mapped.search_text;
        let current = existing.get(&mapped.identifier);
        let kept = current.map(ProjectRow::draft).transpose()?;
        let draft = ProjectDraft {
            title: mapped.title,
            description: mapped.description,
            reporting_org_id,
            participants,
            countries: mapped.countries,
            themes: mapped.themes,
            split: mapped.split,
            target_groups: kept
                .as_ref()
                .map(|k| k.target_groups.clone())
                .unwrap_or_default(),
            start_on: mapped.start_on,
            end_on: mapped.end_on,
            budget: mapped.budget,
            status: mapped.status,
            iati_identifier: Some(mapped.identifier.clone()),
            published: kept.as_ref().is_none_or(|k| k.published),
            // the file's document links are not read; links registered by hand stay
            links: kept.as_ref().map(|k| k.links.clone()).unwrap_or_default(),
        };
        match current {
            Some(row) => {
                let reimport = Reimport {
                    draft: &draft,
                    search_text,
                };
                let after =
                    change::apply_locked(conn, actor, &(), row.clone(), Expected::Any, &reimport)?;
                if after.version == row.version {
                    report.unchanged += 1;
                } else {
                    report.updated += 1;
                }
            }
            None => {
                let row = ProjectRow::with_search_text(
                    uuid::Uuid::now_v7().to_string(),
                    &draft,
                    ProjectSource::Iati,
                    1,
                    chrono::Utc::now().naive_utc(),
                    search_text,
                );
                new_rows.push(row);
            }
        }
    }
    store::insert_rows(conn, &new_rows)?;
    let orgs: Vec<String> = new_rows
        .iter()
        .map(|r| r.reporting_org_id.clone())
        .collect();
    let verified = store::verified_organisations(conn, &orgs)?;
    let views = new_rows
        .into_iter()
        .map(|row| {
            let standing = verified.contains(&row.reporting_org_id);
            row.into_view(standing)
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    audit::record_all(
        conn,
        actor,
        views.iter().map(|view| Change::<(), _> {
            entity: crate::registry::ENTITY,
            entity_id: &view.id,
            action: crate::audit::Action::Create,
            before: None,
            after: Some(view),
        }),
    )?;
    report.created += views.len() as u64;
    Ok(())
}

/// A project the file describes again: its content replaced by the file's, through the
/// registry's change mechanism (the row was read with its batch; the version check guards
/// the save). The same content again changes nothing.
struct Reimport<'a> {
    draft: &'a ProjectDraft,
    search_text: String,
}

impl change::Command<ProjectRow> for Reimport<'_> {
    fn action(&self) -> audit::Action {
        audit::Action::Update
    }

    fn decide(&self, _: &mut DbConn, _: &(), current: &ProjectRow) -> AppResult<ProjectRow> {
        Ok(ProjectRow::with_search_text(
            current.id.clone(),
            self.draft,
            current.source,
            current.version,
            current.created_at,
            self.search_text.clone(),
        ))
    }

    fn changes_nothing(&self, before: &ProjectRow, _: &ProjectRow) -> bool {
        before.same_content_as(self.draft, self.search_text.clone())
    }

    fn effects(&self, conn: &mut DbConn, _: &(), _: &ProjectRow, _: &ProjectRow) -> AppResult<()> {
        store::bump_generation(conn)?;
        Ok(())
    }
}

/// Reads a body that arrives in chunks from the async side, on the blocking thread that
/// imports it: the upload streams straight into the parser, never held whole in memory.
/// The channel is bounded, so a slow import slows the upload down.
pub struct ChannelReader {
    receiver: tokio::sync::mpsc::Receiver<std::io::Result<actix_web::web::Bytes>>,
    current: actix_web::web::Bytes,
}

impl ChannelReader {
    pub fn new(
        receiver: tokio::sync::mpsc::Receiver<std::io::Result<actix_web::web::Bytes>>,
    ) -> Self {
        ChannelReader {
            receiver,
            current: actix_web::web::Bytes::new(),
        }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.receiver.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}
