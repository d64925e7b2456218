//! Structured logs with tracing: human-readable by default, JSON for log collectors.
//!
//! Lines are handed to a writer thread of their own (`tracing_appender::non_blocking`),
//! which writes whatever has queued up in one buffered write. Writing every request's line
//! to stderr from the worker that served it, one system call each, cost the cheapest
//! requests about a third of their rate (`perf`, and A/B runs in the README's "Reads against
//! the machine's limit"). The queue is not lossy: when the writer falls behind, requests
//! wait for it rather than lines being dropped.

use std::cell::RefCell;
use std::fmt;
use std::io::BufWriter;

use serde::ser::{SerializeMap, Serializer as _};
use tracing::{Event, Subscriber};
use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_log::NormalizeEvent;
use tracing_serde::AsSerde;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, FormattedFields};
use tracing_subscriber::registry::LookupSpan;

use crate::config::{LogFormat, LogSettings};

/// What the writer thread may gather into one write.
const WRITE_BUFFER_BYTES: usize = 64 * 1024;

/// Installs the global subscriber once; `RUST_LOG` overrides the configured level. Keep
/// the guard until the process ends: dropping it writes out what is still queued.
pub fn init(settings: &LogSettings) -> Option<WorkerGuard> {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(&settings.level));
    let (writer, guard) = NonBlockingBuilder::default()
        .lossy(false)
        // the writer thread flushes the buffer after each batch of lines
        .finish(BufWriter::with_capacity(
            WRITE_BUFFER_BYTES,
            std::io::stderr(),
        ));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let installed = match settings.format {
        // the current span (the request's id) but not the list of all: there is one span
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_span_list(false)
            .event_format(JsonLine)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.ok().map(|()| guard)
}

/// A log event as one JSON line, in the shape of tracing-subscriber's own JSON format with
/// `flatten_event(true)` and the current span (`timestamp`, `level`, the event's fields,
/// `target`, `span`), serialised with the same event serialiser (`tracing_serde`).
///
/// The difference is where it is written: into a buffer of the thread's, handed to the
/// writer once. The library's format writes each JSON token through a UTF-8 check of its
/// own, which made the request's log line a tenth of the public page's time (`perf`).
pub struct JsonLine;

thread_local! {
    static LINE: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(512));
}

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut timestamp = String::new();
        SystemTime.format_time(&mut Writer::new(&mut timestamp))?;
        let span = event
            .parent()
            .and_then(|id| ctx.span(id))
            .or_else(|| ctx.lookup_current());
        let span_fields: Option<(&'static str, serde_json::Map<String, serde_json::Value>)> =
            span.as_ref().map(|span| {
                let extensions = span.extensions();
                let fields = extensions
                    .get::<FormattedFields<N>>()
                    .and_then(|f| serde_json::from_str(&f.fields).ok())
                    .unwrap_or_default();
                (span.name(), fields)
            });
        // a `log` crate record names its own module and level, as in the library's format
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        LINE.with(|buffer| {
            // an event logged while another is being written (from a field's `Debug`)
            // gets a buffer of its own instead of a panic
            let mut own = Vec::new();
            let mut borrowed = buffer.try_borrow_mut();
            let line = match borrowed.as_mut() {
                Ok(kept) => &mut **kept,
                Err(_) => &mut own,
            };
            line.clear();
            let written = (|| -> Result<(), serde_json::Error> {
                let mut serializer = serde_json::Serializer::new(&mut *line);
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("timestamp", &timestamp)?;
                map.serialize_entry("level", &meta.level().as_serde())?;
                let mut visitor = tracing_serde::SerdeMapVisitor::new(map);
                event.record(&mut visitor);
                let mut map = visitor.take_serializer()?;
                map.serialize_entry("target", meta.target())?;
                if let Some((name, mut fields)) = span_fields {
                    fields.insert("name".into(), name.into());
                    map.serialize_entry("span", &fields)?;
                }
                map.end()
            })();
            written.map_err(|_| fmt::Error)?;
            writer.write_str(std::str::from_utf8(line).map_err(|_| fmt::Error)?)?;
            writeln!(writer)
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::fmt::MakeWriter;

    /// Log lines written into memory, for tests that read what was logged.
    #[derive(Clone, Default)]
    pub(crate) struct Lines(pub(crate) Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lines").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Lines {
        type Writer = Lines;
        fn make_writer(&'a self) -> Lines {
            self.clone()
        }
    }

    /// What `format` writes for one event inside a span and one outside, as JSON values.
    fn logged(ours: bool) -> Vec<serde_json::Value> {
        let lines = Lines::default();
        let builder = tracing_subscriber::fmt()
            .with_writer(lines.clone())
            .json()
            .flatten_event(true)
            .with_span_list(false);
        let emit = || {
            let span = tracing::info_span!("request", request_id = "r-1");
            span.in_scope(|| tracing::warn!(amount = 12_i64, who = "a \"quoted\" name", "inside"));
            tracing::info!(status = 200_u64, ok = true, "served");
        };
        if ours {
            tracing::subscriber::with_default(builder.event_format(JsonLine).finish(), emit);
        } else {
            tracing::subscriber::with_default(builder.finish(), emit);
        }
        let text = String::from_utf8(lines.0.lock().expect("lines").clone()).expect("utf-8");
        text.lines()
            .map(|l| serde_json::from_str(l).expect("a JSON line"))
            .collect()
    }

    #[test]
    fn a_line_has_the_shape_of_the_librarys_json_format() {
        let ours = logged(true);
        let theirs = logged(false);
        assert_eq!(ours.len(), 2);
        for (mut a, mut b) in ours.into_iter().zip(theirs) {
            assert!(
                a["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')),
                "{a}"
            );
            a.as_object_mut().expect("object").remove("timestamp");
            b.as_object_mut().expect("object").remove("timestamp");
            assert_eq!(a, b);
        }
        let inside = &logged(true)[0];
        assert_eq!(inside["span"]["request_id"], "r-1");
        assert_eq!(inside["span"]["name"], "request");
        assert_eq!(inside["who"], "a \"quoted\" name");
        assert_eq!(inside["message"], "inside");
    }
}
