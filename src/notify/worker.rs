//! The background worker that empties the outbox: it claims due messages, renders them,
//! hands them to the transport (an SMTP server, or .eml files in a folder) and records the
//! outcome. A failed attempt is retried with exponential backoff; after `email.max_attempts`
//! the message is marked `failed` and kept.

use std::path::PathBuf;
use std::time::Duration;

use chrono::Utc;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::rules::{AfterFailure, after_failure};
use super::store::{self, OutboxRow};
use super::templates;
use crate::config::{EmailSettings, MailTransport, Settings, SmtpTls};
use crate::db::{self, DbPool};
use crate::error::AppError;

/// Where messages go.
pub enum Transport {
    /// One `<outbox id>.eml` file per message in this folder.
    File(PathBuf),
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

/// A configured sender: the transport and the `From` mailbox.
pub struct Mailer {
    pub transport: Transport,
    pub from: Mailbox,
    settings: EmailSettings,
}

/// Why an attempt failed, and whether trying again could help.
#[derive(Debug)]
pub struct SendFailure {
    pub permanent: bool,
    pub message: String,
}

impl SendFailure {
    fn permanent(message: impl Into<String>) -> Self {
        SendFailure {
            permanent: true,
            message: message.into(),
        }
    }

    fn transient(message: impl Into<String>) -> Self {
        SendFailure {
            permanent: false,
            message: message.into(),
        }
    }
}

impl Mailer {
    /// The mailer the settings describe; fails on settings no message could be sent with.
    pub fn from_settings(settings: &Settings) -> Result<Self, String> {
        let email = &settings.email;
        let from = email
            .from
            .parse::<Mailbox>()
            .map_err(|e| format!("email.from is not a mailbox: {e}"))?;
        let transport = match email.transport {
            MailTransport::File => Transport::File(email.file_dir(&settings.data_dir)),
            MailTransport::Smtp => Transport::Smtp(smtp_transport(email)?),
        };
        Ok(Mailer {
            transport,
            from,
            settings: email.clone(),
        })
    }

    /// How long a claimed message is reserved for one attempt before another worker may
    /// take it (a worker that died mid-send).
    fn lease(&self) -> Duration {
        Duration::from_secs((self.settings.smtp.timeout_secs * 6).max(60))
    }

    /// Sends one message.
    pub async fn send(&self, row: &OutboxRow) -> Result<(), SendFailure> {
        let message = build_message(row, &self.from)?;
        match &self.transport {
            Transport::File(dir) => write_eml(dir, &row.id, &message.formatted())
                .await
                .map_err(|e| SendFailure::transient(format!("writing the .eml file failed: {e}"))),
            Transport::Smtp(smtp) => {
                smtp.send(message)
                    .await
                    .map(|_| ())
                    .map_err(|e| SendFailure {
                        permanent: e.is_permanent(),
                        message: format!("SMTP: {e}"),
                    })
            }
        }
    }
}

fn smtp_transport(email: &EmailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, String> {
    let smtp = &email.smtp;
    let tls_parameters = || {
        TlsParameters::new(smtp.host.clone())
            .map_err(|e| format!("TLS for email.smtp.host {:?}: {e}", smtp.host))
    };
    let tls = match smtp.tls {
        SmtpTls::None => Tls::None,
        SmtpTls::Starttls => Tls::Required(tls_parameters()?),
        SmtpTls::Tls => Tls::Wrapper(tls_parameters()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(smtp.timeout_secs.max(1))));
    if !smtp.username.is_empty() {
        builder = builder.credentials(Credentials::new(
            smtp.username.clone(),
            smtp.password.clone(),
        ));
    }
    Ok(builder.build())
}

/// Renders the outbox row into a MIME message: text and HTML alternatives, both
/// quoted-printable. Anything wrong here is permanent: retrying cannot fix it.
pub fn build_message(row: &OutboxRow, from: &Mailbox) -> Result<Message, SendFailure> {
    let context: serde_json::Value = serde_json::from_str(&row.context)
        .map_err(|e| SendFailure::permanent(format!("the stored context is not JSON: {e}")))?;
    let rendered =
        templates::render(&row.locale, &row.template, &context).map_err(SendFailure::permanent)?;
    let to = row.to_address.parse::<Mailbox>().map_err(|e| {
        SendFailure::permanent(format!("{:?} is not an address: {e}", row.to_address))
    })?;
    let part = |content_type: ContentType, body: String| {
        Body::new_with_encoding(body, ContentTransferEncoding::QuotedPrintable)
            .map(|body| SinglePart::builder().header(content_type).body(body))
            .map_err(|_| SendFailure::permanent("the body cannot be encoded"))
    };
    let domain = from.email.domain().to_string();
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(format!("<{}@{domain}>", row.id)))
        .multipart(
            MultiPart::alternative()
                .singlepart(part(ContentType::TEXT_PLAIN, rendered.text)?)
                .singlepart(part(ContentType::TEXT_HTML, rendered.html)?),
        )
        .map_err(|e| SendFailure::permanent(format!("building the message failed: {e}")))
}

/// Writes the message whole or not at all: to a temporary name, then renamed. A message
/// sent twice (a lease that ran out) overwrites its own file.
async fn write_eml(dir: &std::path::Path, id: &str, bytes: &[u8]) -> std::io::Result<()> {
    tokio::fs::create_dir_all(dir).await?;
    let temporary = dir.join(format!(".{id}.eml.tmp"));
    tokio::fs::write(&temporary, bytes).await?;
    tokio::fs::rename(&temporary, dir.join(format!("{id}.eml"))).await
}

/// One pass: claims every due message (up to `batch`), sends each and records the outcome.
/// Returns how many messages were attempted. Safe to run in several workers or instances at
/// once: each message is claimed by exactly one.
pub async fn deliver_due(pool: &DbPool, mailer: &Mailer, batch: i64) -> Result<usize, AppError> {
    let lease = chrono::Duration::from_std(mailer.lease())
        .map_err(|e| AppError::internal(e.to_string()))?;
    let claimed = db::run(pool, move |conn| {
        let now = Utc::now().naive_utc();
        let due = store::due_ids(conn, now, batch)?;
        if due.is_empty() {
            return Ok(Vec::new());
        }
        // One transaction for the batch: when a claim fails (a lock not granted in time),
        // none of the batch is claimed. Claims that had committed one by one would wait out
        // their lease (a minute or more) unsent while the pass reported the error.
        db::write_transaction(conn, |conn| {
            let mut claimed = Vec::new();
            for id in &due {
                if let Some(row) = store::claim(conn, id, now, now + lease)? {
                    claimed.push(row);
                }
            }
            Ok::<_, AppError>(claimed)
        })
    })
    .await?;
    let attempted = claimed.len();
    for row in claimed {
        let outcome = mailer.send(&row).await;
        record_outcome(pool, &mailer.settings, row, outcome).await?;
    }
    Ok(attempted)
}

async fn record_outcome(
    pool: &DbPool,
    settings: &EmailSettings,
    row: OutboxRow,
    outcome: Result<(), SendFailure>,
) -> Result<(), AppError> {
    let settings = settings.clone();
    db::run(pool, move |conn| {
        let now = Utc::now().naive_utc();
        match outcome {
            Ok(()) => {
                tracing::info!(id = %row.id, template = %row.template, attempts = row.attempts, "email sent");
                store::mark_sent(conn, &row.id, &row.context, now)?;
            }
            Err(failure) => {
                match after_failure(
                    row.attempts,
                    settings.max_attempts,
                    failure.permanent,
                    settings.retry_base_ms,
                    settings.retry_max_ms,
                ) {
                    AfterFailure::RetryIn(delay) => {
                        tracing::warn!(id = %row.id, attempts = row.attempts, retry_in_ms = delay.as_millis() as u64, error = %failure.message, "email not sent; will retry");
                        let delay = chrono::Duration::from_std(delay)
                            .unwrap_or_else(|_| chrono::Duration::hours(1));
                        store::mark_retry(conn, &row.id, now + delay, &failure.message)?;
                    }
                    AfterFailure::GiveUp => {
                        tracing::error!(id = %row.id, attempts = row.attempts, permanent = failure.permanent, error = %failure.message, "email failed; kept in the outbox as failed");
                        store::mark_failed(conn, &row.id, &failure.message)?;
                    }
                }
            }
        }
        Ok(())
    })
    .await
}

/// Runs the worker until the task is dropped: a pass whenever messages may be due, then a
/// pause of `email.poll_interval_ms`.
pub async fn run(pool: DbPool, mailer: Mailer) {
    let pause = Duration::from_millis(mailer.settings.poll_interval_ms);
    loop {
        match deliver_due(&pool, &mailer, 20).await {
            // A full batch: more may be waiting, go on at once.
            Ok(20) => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the outbox worker could not read the outbox"),
        }
        tokio::time::sleep(pause).await;
    }
}
