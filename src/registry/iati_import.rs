//! IATI 2.x activity files into the registry.
//!
//! The file is read as a stream (quick-xml over a `BufRead`), one activity at a time, and
//! written in batches of `BATCH` activities, so memory stays flat however large the file
//! is (the only thing that grows is an 8-byte hash per activity, to catch an identifier
//! that appears twice). A document type declaration is refused outright — it is how XML
//! bombs ("billion laughs") and external entities get in — and any entity reference other
//! than the five predefined ones and character references is refused too.
//!
//! Activities are upserted by `iati-identifier`: an activity whose project already says
//! the same is left alone, so importing the same file twice changes nothing. Organisations
//! with an org-id reference become registered organisations (created when missing); others
//! stay names on the project.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::io::{BufRead, Read};

use chrono::NaiveDate;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{
    Participant, ParticipantRole, ProjectDraft, ProjectSource, ProjectStatus, iati_identifier,
};
use super::store::{self, ProjectRow};
use crate::audit::{self, Change};
use crate::auth::Actor;
use crate::db::DbConn;
use crate::error::{AppError, FieldError};
use crate::money::{Currency, Money};
use crate::organisations::model::{NewOrganisation, OrgKind};
use crate::platform::{country, org_identifier};

/// Activities written per batch.
pub const BATCH: usize = 500;
/// Longest text kept from one element; the rest is dropped.
const MAX_TEXT: usize = 100_000;
/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 64;
/// Skips listed in full in the report; beyond that only counted.
pub const MAX_LISTED_SKIPS: usize = 10_000;

// ---------------------------------------------------------------------------------------
// Reading: lines, activities

const RING: usize = 64 * 1024;

fn record(consumed: &mut u64, newlines: &mut u64, ring: &mut [u8], bytes: &[u8]) {
    *newlines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
    let tail = &bytes[bytes.len().saturating_sub(RING)..];
    let start = ((*consumed + (bytes.len() - tail.len()) as u64) % RING as u64) as usize;
    let first = tail.len().min(RING - start);
    ring[start..start + first].copy_from_slice(&tail[..first]);
    ring[..tail.len() - first].copy_from_slice(&tail[first..]);
    *consumed += bytes.len() as u64;
}

/// A `BufRead` that remembers how many lines it has handed out, and the last 64 KiB, so
/// that a byte position of the XML reader can be turned into a line number.
pub struct LineCounter<R> {
    inner: R,
    consumed: u64,
    newlines: u64,
    ring: Vec<u8>,
}

impl<R: BufRead> LineCounter<R> {
    pub fn new(inner: R) -> Self {
        LineCounter {
            inner,
            consumed: 0,
            newlines: 0,
            ring: vec![0; RING],
        }
    }

    fn record(&mut self, bytes: &[u8]) {
        record(
            &mut self.consumed,
            &mut self.newlines,
            &mut self.ring,
            bytes,
        );
    }

    /// The 1-based line of byte `position` (which must not be ahead of what was read).
    pub fn line_at(&self, position: u64) -> u64 {
        let position = position.min(self.consumed);
        let back = self.consumed - position;
        if back as usize > RING {
            return self.newlines + 1;
        }
        let later = (position..self.consumed)
            .filter(|p| self.ring[(p % RING as u64) as usize] == b'\n')
            .count() as u64;
        self.newlines - later + 1
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.record(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // The bytes being consumed are the head of the buffer just returned.
        let LineCounter {
            inner,
            consumed,
            newlines,
            ring,
        } = self;
        if let Ok(buf) = inner.fill_buf() {
            record(consumed, newlines, ring, &buf[..amount.min(buf.len())]);
        }
        inner.consume(amount);
    }
}

/// Why a file is not imported at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// Not well-formed XML, or not an IATI 2.x activities file.
    Malformed { line: u64, message: String },
    /// Well-formed but dangerous: a DTD, an unknown entity, absurd nesting.
    Refused { line: u64, reason: String },
    /// The stream itself failed (a dropped upload, a body over the limit).
    Io(String),
}

impl ParseError {
    pub fn into_app_error(self) -> AppError {
        match self {
            ParseError::Malformed { line, message } => AppError::validation(vec![FieldError::new(
                "file",
                format!("line {line}: {message}"),
            )]),
            ParseError::Refused { line, reason } => AppError::validation(vec![FieldError::new(
                "file",
                format!("line {line}: refused: {reason}"),
            )]),
            ParseError::Io(message) => {
                AppError::malformed(format!("the file could not be read: {message}"))
            }
        }
    }
}

/// A text in one language.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Narrative {
    pub lang: Option<String>,
    pub text: String,
}

/// An organisation as an activity names it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgElement {
    pub reference: Option<String>,
    pub org_type: Option<String>,
    pub role: Option<String>,
    pub names: Vec<Narrative>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetElement {
    pub budget_type: Option<String>,
    pub period_start: Option<String>,
    pub currency: Option<String>,
    pub value: String,
}

/// The parts of one `iati-activity` the registry uses, as written in the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Activity {
    pub line: u64,
    pub identifier: Option<String>,
    pub default_currency: Option<String>,
    pub lang: Option<String>,
    pub reporting_org: Option<OrgElement>,
    pub titles: Vec<Narrative>,
    /// (description type, narratives)
    pub descriptions: Vec<(Option<String>, Vec<Narrative>)>,
    pub participants: Vec<OrgElement>,
    pub status_code: Option<String>,
    /// (date type, iso-date)
    pub dates: Vec<(String, String)>,
    pub countries: Vec<String>,
    /// (vocabulary, code)
    pub sectors: Vec<(Option<String>, String)>,
    pub tags: Vec<(Option<String>, String)>,
    pub budgets: Vec<BudgetElement>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Capture {
    Identifier,
    Narrative,
    BudgetValue,
}

/// Yields the activities of an IATI activities file one by one.
pub struct ActivityReader<R: BufRead> {
    reader: quick_xml::Reader<LineCounter<R>>,
    buf: Vec<u8>,
    stack: Vec<String>,
    activity: Option<Activity>,
    capture: Option<Capture>,
    text: String,
    narrative_lang: Option<String>,
    finished: bool,
    saw_root: bool,
}

fn attributes(e: &BytesStart<'_>, line: u64) -> Result<BTreeMap<String, String>, ParseError> {
    let mut out = BTreeMap::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| ParseError::Malformed {
            line,
            message: format!("bad attribute: {err}"),
        })?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|err| ParseError::Refused {
                line,
                reason: format!("attribute value with an entity that is not allowed: {err}"),
            })?;
        out.insert(attr.key.0.to_string(), value.trim().to_string());
    }
    Ok(out)
}

fn take(attrs: &mut BTreeMap<String, String>, key: &str) -> Option<String> {
    attrs.remove(key).filter(|v| !v.is_empty())
}

impl<R: BufRead> ActivityReader<R> {
    pub fn new(source: R) -> Self {
        let mut reader = quick_xml::Reader::from_reader(LineCounter::new(source));
        let config = reader.config_mut();
        config.check_end_names = true;
        config.expand_empty_elements = false;
        ActivityReader {
            reader,
            buf: Vec::with_capacity(16 * 1024),
            stack: Vec::new(),
            activity: None,
            capture: None,
            text: String::new(),
            narrative_lang: None,
            finished: false,
            saw_root: false,
        }
    }

    /// Bytes read so far.
    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    fn line_at(&self, position: u64) -> u64 {
        self.reader.get_ref().line_at(position)
    }

    fn current_line(&self) -> u64 {
        self.line_at(self.reader.buffer_position())
    }

    /// The element path inside the current activity (`["budget", "value"]`).
    fn inner_path(&self) -> Vec<&str> {
        self.stack.iter().skip(2).map(String::as_str).collect()
    }

    fn push_text(&mut self, piece: &str) {
        if self.capture.is_some() && self.text.len() + piece.len() <= MAX_TEXT {
            self.text.push_str(piece);
        }
    }

    fn open(&mut self, e: &BytesStart<'_>, start: u64) -> Result<(), ParseError> {
        let line = self.line_at(start);
        let name = String::from_utf8_lossy(e.local_name().as_ref().as_bytes()).into_owned();
        if self.stack.len() >= MAX_DEPTH {
            return Err(ParseError::Refused {
                line,
                reason: format!("elements nested deeper than {MAX_DEPTH}"),
            });
        }
        let mut attrs = attributes(e, line)?;
        if self.stack.is_empty() {
            if name != "iati-activities" {
                return Err(ParseError::Malformed {
                    line,
                    message: format!(
                        "not an IATI activities file: the root element is <{name}>, expected <iati-activities>"
                    ),
                });
            }
            self.saw_root = true;
            if let Some(version) = attrs.get("version")
                && !version.starts_with("2.")
            {
                return Err(ParseError::Malformed {
                    line,
                    message: format!("IATI version {version} is not supported; use 2.01 to 2.03"),
                });
            }
        } else if self.stack.len() == 1 && name == "iati-activity" {
            self.activity = Some(Activity {
                line,
                default_currency: take(&mut attrs, "default-currency"),
                lang: take(&mut attrs, "xml:lang"),
                ..Activity::default()
            });
        } else if let Some(activity) = self.activity.as_mut() {
            let path: Vec<&str> = self
                .stack
                .iter()
                .skip(2)
                .map(String::as_str)
                .chain(std::iter::once(name.as_str()))
                .collect();
            match path.as_slice() {
                ["iati-identifier"] => self.capture = Some(Capture::Identifier),
                ["reporting-org"] => {
                    activity.reporting_org = Some(OrgElement {
                        reference: take(&mut attrs, "ref"),
                        org_type: take(&mut attrs, "type"),
                        role: None,
                        names: Vec::new(),
                    })
                }
                ["participating-org"] => activity.participants.push(OrgElement {
                    reference: take(&mut attrs, "ref"),
                    org_type: take(&mut attrs, "type"),
                    role: take(&mut attrs, "role"),
                    names: Vec::new(),
                }),
                ["description"] => activity
                    .descriptions
                    .push((take(&mut attrs, "type"), Vec::new())),
                [
                    "title" | "description" | "reporting-org" | "participating-org",
                    "narrative",
                ] => {
                    self.capture = Some(Capture::Narrative);
                    self.narrative_lang = take(&mut attrs, "xml:lang");
                }
                ["activity-status"] => activity.status_code = take(&mut attrs, "code"),
                ["activity-date"] => {
                    if let (Some(kind), Some(date)) =
                        (take(&mut attrs, "type"), take(&mut attrs, "iso-date"))
                    {
                        activity.dates.push((kind, date));
                    }
                }
                ["recipient-country"] => {
                    if let Some(code) = take(&mut attrs, "code") {
                        activity.countries.push(code);
                    }
                }
                ["sector"] => {
                    if let Some(code) = take(&mut attrs, "code") {
                        activity
                            .sectors
                            .push((take(&mut attrs, "vocabulary"), code));
                    }
                }
                ["tag"] => {
                    if let Some(code) = take(&mut attrs, "code") {
                        activity.tags.push((take(&mut attrs, "vocabulary"), code));
                    }
                }
                ["budget"] => activity.budgets.push(BudgetElement {
                    budget_type: take(&mut attrs, "type"),
                    ..BudgetElement::default()
                }),
                ["budget", "period-start"] => {
                    if let Some(budget) = activity.budgets.last_mut() {
                        budget.period_start = take(&mut attrs, "iso-date");
                    }
                }
                ["budget", "value"] => {
                    if let Some(budget) = activity.budgets.last_mut() {
                        budget.currency = take(&mut attrs, "currency");
                    }
                    self.capture = Some(Capture::BudgetValue);
                }
                _ => {}
            }
        }
        self.stack.push(name);
        Ok(())
    }

    /// Ends the innermost element; returns a finished activity.
    fn close(&mut self) -> Result<Option<Activity>, ParseError> {
        let path: Vec<String> = self.inner_path().iter().map(|s| s.to_string()).collect();
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let capture = self.capture.take();
        let text = std::mem::take(&mut self.text);
        let text = text.trim();
        if let (Some(capture), Some(activity)) = (capture, self.activity.as_mut()) {
            match (capture, path.as_slice()) {
                (Capture::Identifier, _) => activity.identifier = Some(text.to_string()),
                (Capture::BudgetValue, _) => {
                    if let Some(budget) = activity.budgets.last_mut() {
                        budget.value = text.to_string();
                    }
                }
                (Capture::Narrative, [parent, "narrative"]) => {
                    let narrative = Narrative {
                        lang: self.narrative_lang.take(),
                        text: text.to_string(),
                    };
                    match *parent {
                        "title" => activity.titles.push(narrative),
                        "description" => {
                            if let Some((_, narratives)) = activity.descriptions.last_mut() {
                                narratives.push(narrative);
                            }
                        }
                        "reporting-org" => {
                            if let Some(org) = activity.reporting_org.as_mut() {
                                org.names.push(narrative);
                            }
                        }
                        "participating-org" => {
                            if let Some(org) = activity.participants.last_mut() {
                                org.names.push(narrative);
                            }
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let name = self.stack.pop();
        if self.stack.len() == 1 && name.as_deref() == Some("iati-activity") {
            return Ok(self.activity.take());
        }
        Ok(None)
    }

    fn malformed(&self, err: quick_xml::Error) -> ParseError {
        let line = self.line_at(self.reader.error_position());
        match err {
            quick_xml::Error::Io(io) => ParseError::Io(io.to_string()),
            quick_xml::Error::Escape(e) => ParseError::Refused {
                line,
                reason: format!(
                    "entity references other than the predefined ones are not allowed ({e})"
                ),
            },
            other => ParseError::Malformed {
                line,
                message: other.to_string(),
            },
        }
    }

    /// The next activity, `None` at the end of the file.
    pub fn next_activity(&mut self) -> Result<Option<Activity>, ParseError> {
        if self.finished {
            return Ok(None);
        }
        loop {
            self.buf.clear();
            let before = self.reader.buffer_position();
            let event = match self.reader.read_event_into(&mut self.buf) {
                Ok(event) => event.into_owned(),
                Err(err) => return Err(self.malformed(err)),
            };
            match event {
                Event::Start(e) => self.open(&e, before)?,
                Event::Empty(e) => {
                    self.open(&e, before)?;
                    if let Some(activity) = self.close()? {
                        return Ok(Some(activity));
                    }
                }
                Event::End(_) => {
                    if let Some(activity) = self.close()? {
                        return Ok(Some(activity));
                    }
                }
                Event::Text(t) => {
                    if self.capture.is_some() {
                        let piece = t.xml10_content();
                        self.push_text(&piece);
                    } else if self.stack.is_empty() && !t.xml10_content().trim().is_empty() {
                        return Err(ParseError::Malformed {
                            line: self.line_at(before),
                            message: "text outside the root element".into(),
                        });
                    }
                }
                Event::CData(t) => {
                    let piece = t.xml10_content();
                    self.push_text(&piece);
                }
                Event::GeneralRef(r) => {
                    let line = self.line_at(before);
                    let resolved = match r.resolve_char_ref() {
                        Ok(Some(c)) => c.to_string(),
                        Ok(None) => match quick_xml::escape::resolve_predefined_entity(&r) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err(ParseError::Refused {
                                    line,
                                    reason: format!(
                                        "the entity &{}; is not one of the five predefined ones; entities are not expanded",
                                        &*r
                                    ),
                                });
                            }
                        },
                        Err(e) => {
                            return Err(ParseError::Malformed {
                                line,
                                message: format!("bad character reference: {e}"),
                            });
                        }
                    };
                    self.push_text(&resolved);
                }
                Event::DocType(_) => {
                    return Err(ParseError::Refused {
                        line: self.line_at(before),
                        reason: "a DOCTYPE (document type definition) is not accepted: it can declare entities (XML bombs, external entities)".into(),
                    });
                }
                Event::Eof => {
                    self.finished = true;
                    if let Some(open) = self.stack.last() {
                        return Err(ParseError::Malformed {
                            line: self.current_line(),
                            message: format!("the file ends inside <{open}>"),
                        });
                    }
                    if !self.saw_root {
                        return Err(ParseError::Malformed {
                            line: self.current_line(),
                            message: "no <iati-activities> element".into(),
                        });
                    }
                    return Ok(None);
                }
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Mapping an activity to a project

/// Sector and tag codes that mark anti-trafficking work, and the themes they mean.
/// DAC 5-digit purpose codes (sector vocabulary 1, the default) and SDG targets (sector
/// vocabulary 8, tag vocabulary 3).
pub const DAC_THEMES: &[(&str, &[&str])] = &[
    // Facilitation of orderly, safe, regular and responsible migration and mobility
    ("15190", &["prevention.safe-migration"]),
    // Ending violence against women and girls
    ("15180", &["protection"]),
    // Human rights
    ("15160", &["protection"]),
];

pub const SDG_THEMES: &[(&str, &[&str])] = &[
    // Eliminate violence against women and girls, including trafficking
    ("5.2", &["protection"]),
    // End forced labour, modern slavery and human trafficking
    ("8.7", &["prevention"]),
    // End abuse, exploitation and trafficking of children
    ("16.2", &["protection", "prosecution"]),
];

fn themes_of(activity: &Activity) -> Vec<String> {
    let mut themes: Vec<String> = Vec::new();
    let mut add = |list: &[(&str, &[&str])], code: &str| {
        if let Some((_, mapped)) = list.iter().find(|(c, _)| *c == code) {
            for t in *mapped {
                if !themes.iter().any(|x| x == t) {
                    themes.push(t.to_string());
                }
            }
        }
    };
    for (vocabulary, code) in &activity.sectors {
        match vocabulary.as_deref() {
            None | Some("1") => add(DAC_THEMES, code),
            Some("8") => add(SDG_THEMES, code),
            _ => {}
        }
    }
    for (vocabulary, code) in &activity.tags {
        if vocabulary.as_deref() == Some("3") {
            add(SDG_THEMES, code);
        }
    }
    themes
}

/// IATI ActivityStatus codes: 1 pipeline, 2 implementation, 3 finalisation, 4 closed,
/// 5 cancelled, 6 suspended.
fn status_of(code: Option<&str>) -> Result<ProjectStatus, String> {
    match code {
        Some("1") => Ok(ProjectStatus::Pipeline),
        Some("2") => Ok(ProjectStatus::Active),
        Some("3" | "4") => Ok(ProjectStatus::Completed),
        Some("5") => Err("the activity is cancelled (activity-status 5)".into()),
        Some("6") => Err("the activity is suspended (activity-status 6)".into()),
        Some(other) => Err(format!("unknown activity-status code {other:?}")),
        None => Err("no activity-status".into()),
    }
}

/// IATI OrganisationType → the kind of a registered organisation.
fn kind_of(org_type: Option<&str>) -> OrgKind {
    match org_type {
        Some("10" | "11" | "15") => OrgKind::Government,
        Some("40") => OrgKind::Multilateral,
        Some("60") => OrgKind::Foundation,
        Some("30" | "70" | "71" | "72" | "73") => OrgKind::Company,
        _ => OrgKind::Ngo,
    }
}

fn role_of(code: Option<&str>) -> Option<ParticipantRole> {
    match code {
        Some("1") => Some(ParticipantRole::Funding),
        Some("2") => Some(ParticipantRole::Accountable),
        Some("3") => Some(ParticipantRole::Extending),
        Some("4") => Some(ParticipantRole::Implementing),
        _ => None,
    }
}

/// The narrative to show: English or the activity's language first, else the first one.
fn best(narratives: &[Narrative], activity_lang: Option<&str>) -> Option<String> {
    let usable: Vec<&Narrative> = narratives.iter().filter(|n| !n.text.is_empty()).collect();
    let preferred = usable.iter().find(|n| match n.lang.as_deref() {
        None => true,
        Some(l) => l.eq_ignore_ascii_case("en") || Some(l) == activity_lang,
    });
    preferred.or(usable.first()).map(|n| n.text.clone())
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut t: String = text.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn iso_date(value: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()
}

/// The activity's budget: per period the revised budget (type 2) over the original, all
/// summed; none when budgets are missing, in several currencies, or unreadable.
fn budget_of(activity: &Activity) -> Option<Money> {
    let mut per_period: BTreeMap<String, (bool, Decimal, String)> = BTreeMap::new();
    for (i, b) in activity.budgets.iter().enumerate() {
        let currency = b
            .currency
            .clone()
            .or_else(|| activity.default_currency.clone())?;
        let value = Decimal::from_str_exact(b.value.trim()).ok()?;
        let revised = b.budget_type.as_deref() == Some("2");
        let period = b.period_start.clone().unwrap_or_else(|| format!("#{i}"));
        match per_period.get(&period) {
            Some((was_revised, _, _)) if *was_revised && !revised => {}
            _ => {
                per_period.insert(period, (revised, value, currency));
            }
        }
    }
    let mut currencies = per_period.values().map(|(_, _, c)| c.clone());
    let code = currencies.next()?;
    if currencies.any(|c| c != code) {
        return None;
    }
    let currency = Currency::parse(&code).ok()?;
    let total = per_period
        .values()
        .try_fold(Decimal::ZERO, |sum, (_, v, _)| sum.checked_add(*v))?;
    if total < Decimal::ZERO {
        return None;
    }
    let rounded = total.round_dp_with_strategy(
        currency.minor_units(),
        RoundingStrategy::MidpointNearestEven,
    );
    Money::new(rounded, currency).ok()
}

/// An organisation as the project will record it: an org-id reference makes it a
/// registered organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgRef {
    pub reference: Option<String>,
    pub name: Option<String>,
    pub org_type: Option<String>,
}

impl OrgRef {
    fn of(org: &OrgElement, lang: Option<&str>) -> Self {
        OrgRef {
            reference: org.reference.clone(),
            name: best(&org.names, lang).map(|n| truncate(&n, 300)),
            org_type: org.org_type.clone(),
        }
    }

    /// The reference when it is an org-id identifier (`XM-DAC-41110`).
    pub fn org_id(&self) -> Option<&str> {
        let reference = self.reference.as_deref()?;
        let mut errors = Vec::new();
        org_identifier("ref", reference, &mut errors);
        errors.is_empty().then_some(reference)
    }
}

/// An activity mapped to the registry, before organisations are resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapped {
    pub identifier: String,
    pub line: u64,
    pub title: String,
    pub description: String,
    pub reporting: OrgRef,
    pub participants: Vec<(ParticipantRole, OrgRef)>,
    pub countries: Vec<String>,
    pub themes: Vec<String>,
    pub start_on: Option<NaiveDate>,
    pub end_on: Option<NaiveDate>,
    pub budget: Option<Money>,
    pub status: ProjectStatus,
    /// The words the full-text index will hold (worked out while reading).
    pub search_text: String,
}

/// Maps one activity, or says why it is skipped.
pub fn map_activity(activity: &Activity, themed_only: bool) -> Result<Mapped, String> {
    let identifier = activity
        .identifier
        .clone()
        .filter(|i| !i.is_empty())
        .ok_or("no iati-identifier")?;
    let mut errors = Vec::new();
    iati_identifier("iati-identifier", &identifier, &mut errors);
    if !errors.is_empty() {
        return Err(format!(
            "iati-identifier {identifier:?} is not usable: letters, digits and - _ . / : only, at most 200"
        ));
    }
    let lang = activity.lang.as_deref();
    let title = best(&activity.titles, lang).ok_or("no title")?;
    let description = activity
        .descriptions
        .iter()
        .find(|(kind, _)| kind.as_deref().is_none_or(|k| k == "1"))
        .or(activity.descriptions.first())
        .and_then(|(_, narratives)| best(narratives, lang))
        .unwrap_or_default();
    let reporting = activity
        .reporting_org
        .as_ref()
        .map(|o| OrgRef::of(o, lang))
        .ok_or("no reporting-org")?;
    if reporting.org_id().is_none() {
        return Err(format!(
            "reporting-org ref {:?} is not an organisation identifier such as XM-DAC-41110",
            reporting.reference.clone().unwrap_or_default()
        ));
    }
    let status = status_of(activity.status_code.as_deref())?;
    let mut countries: Vec<String> = Vec::new();
    for code in &activity.countries {
        let mut errors = Vec::new();
        let code = country("recipient-country", &code.to_ascii_uppercase(), &mut errors);
        if !errors.is_empty() {
            return Err(format!(
                "recipient-country {code:?} is not an ISO 3166-1 country"
            ));
        }
        if !countries.contains(&code) {
            countries.push(code);
        }
    }
    let themes = themes_of(activity);
    if themed_only && themes.is_empty() {
        return Err(
            "no anti-trafficking theme (DAC 15190, 15180, 15160 or SDG target 5.2, 8.7, 16.2)"
                .into(),
        );
    }
    let date = |kinds: [&str; 2]| {
        kinds.iter().find_map(|k| {
            activity
                .dates
                .iter()
                .find(|(kind, _)| kind == k)
                .and_then(|(_, d)| iso_date(d))
        })
    };
    let start_on = date(["2", "1"]);
    let end_on = date(["4", "3"]);
    if let (Some(s), Some(e)) = (start_on, end_on)
        && e < s
    {
        return Err(format!("the end date {e} is before the start date {s}"));
    }
    let participants = activity
        .participants
        .iter()
        .filter_map(|p| role_of(p.role.as_deref()).map(|r| (r, OrgRef::of(p, lang))))
        .collect();
    let title = truncate(&title, super::model::MAX_TITLE);
    let description = truncate(&description, super::model::MAX_DESCRIPTION);
    Ok(Mapped {
        identifier,
        line: activity.line,
        search_text: super::text::search_text(&title, &description),
        title,
        description,
        reporting,
        participants,
        countries,
        themes,
        start_on,
        end_on,
        budget: budget_of(activity),
        status,
    })
}

// ---------------------------------------------------------------------------------------
// Writing

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
        for message in receiver {
            let mut batch = Vec::with_capacity(BATCH);
            for read in message? {
                report.activities += 1;
                match read {
                    Ok(mapped) => batch.push(mapped),
                    Err(skip) => report.skip(skip.iati_identifier, skip.line, skip.reason),
                }
            }
            write_batch(conn, batch, actor, &mut organisations, &mut report)?;
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
            };
            let row = crate::organisations::store::insert(conn, &new)?;
            let view = row.into_view()?;
            audit::record(
                conn,
                actor,
                Change::<(), _> {
                    entity: crate::audit::Entity::Organisation,
                    entity_id: &view.id,
                    action: crate::audit::Action::Create,
                    before: None,
                    after: Some(&view),
                },
            )?;
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
        };
        match current {
            Some(row) if row.same_content_as(&draft, search_text.clone()) => report.unchanged += 1,
            Some(row) => {
                let before = row.clone().into_view()?;
                let source = ProjectSource::from_db(&row.source).unwrap_or(ProjectSource::Manual);
                let next = ProjectRow::with_search_text(
                    row.id.clone(),
                    &draft,
                    source,
                    row.version + 1,
                    row.created_at,
                    search_text,
                );
                if !store::save(conn, row, &next)? {
                    return Err(AppError::stale(row.version).into());
                }
                store::bump_generation(conn)?;
                let after = next.into_view()?;
                audit::record(
                    conn,
                    actor,
                    Change {
                        entity: super::ENTITY,
                        entity_id: &after.id,
                        action: crate::audit::Action::Update,
                        before: Some(&before),
                        after: Some(&after),
                    },
                )?;
                report.updated += 1;
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
    let views = new_rows
        .into_iter()
        .map(ProjectRow::into_view)
        .collect::<Result<Vec<_>, AppError>>()?;
    audit::record_all(
        conn,
        actor,
        views.iter().map(|view| Change::<(), _> {
            entity: super::ENTITY,
            entity_id: &view.id,
            action: crate::audit::Action::Create,
            before: None,
            after: Some(view),
        }),
    )?;
    report.created += views.len() as u64;
    Ok(())
}

/// Imports a file from disk in one transaction, with a progress bar on a terminal (the
/// `trustfund import iati FILE` command).
pub fn import_path(
    pool: &crate::db::DbPool,
    path: &std::path::Path,
    options: ImportOptions,
) -> Result<ImportReport, AppError> {
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::malformed(format!("cannot open {}: {e}", path.display())))?;
    let length = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(length);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] [{bar:40}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
        )
        .expect("the progress template is valid")
        .progress_chars("=> "),
    );
    let source = std::io::BufReader::with_capacity(64 * 1024, bar.wrap_read(file));
    let mut conn = pool.get()?;
    let actor = Actor::system();
    let result = store::with_bulk_cache(&mut conn, |conn| {
        crate::db::write_transaction(conn, |conn| {
            import(conn, source, options, &actor).map_err(ImportError::into_app_error)
        })
    });
    bar.finish_and_clear();
    result
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(xml: &str) -> Result<Vec<Activity>, ParseError> {
        let mut reader = ActivityReader::new(xml.as_bytes());
        let mut out = Vec::new();
        while let Some(a) = reader.next_activity()? {
            out.push(a);
        }
        Ok(out)
    }

    const ONE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity default-currency="EUR" xml:lang="en">
  <iati-identifier>XM-DAC-41110-T1</iati-identifier>
  <reporting-org ref="XM-DAC-41110" type="40"><narrative>UNODC</narrative></reporting-org>
  <title><narrative xml:lang="fr">Refuges</narrative><narrative>Shelters &amp; care &#233;</narrative></title>
  <description type="2"><narrative>Objectives</narrative></description>
  <description type="1"><narrative>General</narrative></description>
  <participating-org ref="GB-CHC-123" role="1" type="60"><narrative>Fund</narrative></participating-org>
  <participating-org role="4"><narrative>Local NGO</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <activity-date type="2" iso-date="2024-02-01"/>
  <activity-date type="3" iso-date="2025-12-31"/>
  <recipient-country code="ng"/>
  <recipient-country code="GH"/>
  <sector code="15190"/>
  <sector vocabulary="8" code="16.2"/>
  <tag vocabulary="3" code="8.7"/>
  <budget type="1"><period-start iso-date="2024-01-01"/><value currency="EUR">100.005</value></budget>
  <budget type="2"><period-start iso-date="2024-01-01"/><value>200</value></budget>
  <budget type="1"><period-start iso-date="2025-01-01"/><value>50.5</value></budget>
 </iati-activity>
</iati-activities>"#;

    #[test]
    fn reads_the_parts_of_an_activity() {
        let activities = read_all(ONE).expect("parses");
        assert_eq!(activities.len(), 1);
        let a = &activities[0];
        assert_eq!(a.line, 3);
        assert_eq!(a.identifier.as_deref(), Some("XM-DAC-41110-T1"));
        assert_eq!(a.titles[1].text, "Shelters & care é");
        let m = map_activity(a, false).expect("maps");
        assert_eq!(m.title, "Shelters & care é");
        assert_eq!(m.description, "General");
        assert_eq!(m.countries, vec!["NG", "GH"]);
        assert_eq!(
            m.themes,
            vec![
                "prevention.safe-migration",
                "protection",
                "prosecution",
                "prevention"
            ]
        );
        assert_eq!(m.status, ProjectStatus::Active);
        assert_eq!(m.start_on, NaiveDate::from_ymd_opt(2024, 2, 1));
        assert_eq!(m.end_on, NaiveDate::from_ymd_opt(2025, 12, 31));
        // the revised 2024 budget replaces the original; 200 + 50.50
        assert_eq!(m.budget.map(|b| b.to_string()), Some("250.50 EUR".into()));
        assert_eq!(m.participants.len(), 2);
        assert_eq!(m.participants[0].1.org_id(), Some("GB-CHC-123"));
        assert_eq!(m.participants[1].1.org_id(), None);
    }

    #[test]
    fn refuses_a_billion_laughs() {
        let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<iati-activities><iati-activity><title><narrative>&lol2;</narrative></title></iati-activity></iati-activities>"#;
        match read_all(bomb) {
            Err(ParseError::Refused { line, reason }) => {
                assert_eq!(line, 2);
                assert!(reason.contains("DOCTYPE"), "{reason}");
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn refuses_undeclared_entities() {
        let xxe = "<iati-activities>\n<iati-activity>\n<iati-identifier>&xxe;</iati-identifier></iati-activity></iati-activities>";
        assert!(matches!(
            read_all(xxe),
            Err(ParseError::Refused { line: 3, .. })
        ));
        let in_attr =
            "<iati-activities><iati-activity default-currency=\"&xxe;\"/></iati-activities>";
        assert!(matches!(read_all(in_attr), Err(ParseError::Refused { .. })));
    }

    #[test]
    fn names_the_line_of_malformed_xml() {
        let broken = "<iati-activities>\n<iati-activity>\n<title>\n</titel>\n</iati-activity>\n</iati-activities>";
        match read_all(broken) {
            Err(ParseError::Malformed { line, .. }) => assert_eq!(line, 4),
            other => panic!("{other:?}"),
        }
        let truncated = "<iati-activities>\n<iati-activity>\n<title>";
        assert!(matches!(
            read_all(truncated),
            Err(ParseError::Malformed { line: 3, .. })
        ));
        assert!(matches!(
            read_all("<html/>"),
            Err(ParseError::Malformed { .. })
        ));
        assert!(matches!(read_all(""), Err(ParseError::Malformed { .. })));
        assert!(matches!(
            read_all("<iati-activities version=\"1.05\"/>"),
            Err(ParseError::Malformed { .. })
        ));
    }

    #[test]
    fn refuses_absurd_nesting() {
        let deep = format!(
            "<iati-activities>{}{}</iati-activities>",
            "<a>".repeat(100),
            "</a>".repeat(100)
        );
        assert!(matches!(read_all(&deep), Err(ParseError::Refused { .. })));
    }

    #[test]
    fn says_why_an_activity_is_skipped() {
        let mut a = read_all(ONE).expect("parses").remove(0);
        let reason = |a: &Activity| map_activity(a, false).expect_err("skipped");
        let mut b = a.clone();
        b.identifier = None;
        assert_eq!(reason(&b), "no iati-identifier");
        let mut b = a.clone();
        b.status_code = Some("5".into());
        assert!(reason(&b).contains("cancelled"));
        let mut b = a.clone();
        b.countries.push("QQ".into());
        assert!(reason(&b).contains("QQ"));
        let mut b = a.clone();
        b.dates.push(("4".into(), "2023-01-01".into()));
        assert!(reason(&b).contains("before"));
        let mut b = a.clone();
        b.reporting_org = Some(OrgElement {
            reference: Some("35".into()),
            ..OrgElement::default()
        });
        assert!(reason(&b).contains("reporting-org"));
        a.sectors.clear();
        a.tags.clear();
        assert!(
            map_activity(&a, true)
                .expect_err("no theme")
                .contains("theme")
        );
        assert!(map_activity(&a, false).is_ok());
    }

    #[test]
    fn mixed_currencies_give_no_budget() {
        let mut a = read_all(ONE).expect("parses").remove(0);
        a.budgets[2].currency = Some("USD".into());
        assert_eq!(map_activity(&a, false).expect("maps").budget, None);
    }

    #[test]
    fn line_counter_counts_across_its_ring() {
        let text = "a\n".repeat(100_000);
        let mut counter = LineCounter::new(text.as_bytes());
        let mut sink = Vec::new();
        counter.read_to_end(&mut sink).expect("reads");
        assert_eq!(counter.line_at(200_000), 100_001);
        assert_eq!(counter.line_at(199_999), 100_000);
        assert_eq!(counter.line_at(199_990), 99_996);
    }
}
