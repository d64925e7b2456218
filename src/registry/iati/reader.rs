//! Reading: activities streamed one at a time out of an IATI file by quick-xml.
use std::collections::BTreeMap;
use std::io::BufRead;

use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use super::count::LineCounter;
use crate::error::{AppError, FieldError};

/// Longest text kept from one element; the rest is dropped.
const MAX_TEXT: usize = 100_000;
/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 64;

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

/// A coded element that may carry a vocabulary and a share: `recipient-country`,
/// `recipient-region`, `sector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coded {
    pub code: String,
    pub vocabulary: Option<String>,
    /// `@percentage` as written.
    pub percentage: Option<String>,
}

impl Coded {
    pub fn new(code: &str) -> Self {
        Coded {
            code: code.to_string(),
            ..Coded::default()
        }
    }
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
    pub countries: Vec<Coded>,
    pub regions: Vec<Coded>,
    pub sectors: Vec<Coded>,
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
                [element @ ("recipient-country" | "recipient-region" | "sector")] => {
                    if let Some(code) = take(&mut attrs, "code") {
                        let coded = Coded {
                            code,
                            vocabulary: take(&mut attrs, "vocabulary"),
                            percentage: take(&mut attrs, "percentage"),
                        };
                        match *element {
                            "recipient-country" => activity.countries.push(coded),
                            "recipient-region" => activity.regions.push(coded),
                            _ => activity.sectors.push(coded),
                        }
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
