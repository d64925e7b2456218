//! Structured logs with tracing: human-readable by default, JSON for log collectors.
//!
//! Lines are handed to a writer thread of their own (`tracing_appender::non_blocking`),
//! which writes whatever has queued up in one buffered write. Writing every request's line
//! to stderr from the worker that served it, one system call each, cost the cheapest
//! requests about a third of their rate (`perf`, and A/B runs in the README's "Reads against
//! the machine's limit"). The queue is not lossy: when the writer falls behind, requests
//! wait for it rather than lines being dropped.

use std::io::BufWriter;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::EnvFilter;

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
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
    installed.ok().map(|()| guard)
}
