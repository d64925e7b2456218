//! Typed settings: the built-in `config/default.toml`, then an optional `--config FILE`,
//! then `TRUSTFUND__SECTION__KEY` environment variables, each overriding the one before.

use std::path::{Path, PathBuf};

use config::{Config, Environment, File, FileFormat};
use serde::{Deserialize, Serialize};

/// The defaults ship inside the binary, so `trustfund serve` works from any folder.
const DEFAULT_TOML: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunEnvironment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub environment: RunEnvironment,
    pub data_dir: PathBuf,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub documents: DocumentSettings,
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub email: EmailSettings,
    pub registry: RegistrySettings,
    pub grants: GrantSettings,
    #[serde(default)]
    pub review: ReviewSettings,
    #[serde(default)]
    pub exchange: ExchangeSettings,
    #[serde(default)]
    pub annual_report: AnnualReportSettings,
    #[serde(default)]
    pub donors: DonorSettings,
    #[serde(default)]
    pub staff: StaffSettings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub address: String,
    pub workers: usize,
    pub max_json_bytes: usize,
    pub metrics_enabled: bool,
    /// Whether a reverse proxy in front sets `X-Forwarded-For`; only then is its last entry
    /// taken as the client's address (for login throttling). Otherwise the peer address is.
    pub trust_forwarded_for: bool,
    /// Client addresses (IPs) that may read `GET /metrics`; in production, metrics answer
    /// only these addresses or a request bearing `metrics_token`.
    #[serde(default)]
    pub metrics_allowed_addresses: Vec<String>,
    /// A token a scraper sends as `Authorization: Bearer <token>` to read `/metrics` from
    /// anywhere; empty means none.
    #[serde(default)]
    pub metrics_token: String,
    /// A request body that sends nothing for this many seconds is cut (408).
    pub body_idle_timeout_secs: u64,
    /// After `body_grace_secs`, a body must have arrived at this many bytes per second on
    /// average since it started (408 otherwise).
    pub body_min_bytes_per_sec: u64,
    pub body_grace_secs: u64,
    /// What is served from memory (the public figures, anonymous registry searches, the
    /// signed-in reads of `cache`) is recomputed at least this often even when no change
    /// was seen: a last bound should one ever be missed. Changes, this instance's and other
    /// instances', show at once (`db::changes`).
    pub public_figures_max_staleness_ms: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
}

/// Limits on uploaded documents.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentSettings {
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
    /// Short names of the accepted types (see `documents::detect::KNOWN`).
    pub allowed_types: Vec<String>,
    /// Where the bytes live: `local` (under `data_dir`) or `s3`.
    pub storage: StorageKind,
    /// How many uploads are checked and written out at once; 0: one per HTTP worker.
    /// Receiving bodies is not limited (a slow connection holds no turn).
    pub concurrent_stores: usize,
    /// The bucket when `storage = "s3"`.
    pub s3: S3Settings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// `<data_dir>/documents/`: one machine (the default).
    Local,
    /// An S3-compatible bucket, which several instances can share.
    S3,
}

/// An S3-compatible bucket. Empty credentials fall back to the `AWS_*` environment
/// variables or the machine's role.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    pub bucket: String,
    /// Keys are stored under this prefix (e.g. `trustfund/documents`); empty for none.
    pub prefix: String,
    pub region: String,
    /// An S3-compatible server's URL (MinIO, Ceph, …); empty for AWS itself.
    pub endpoint: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Allow an `http://` endpoint (a server on the same machine or network only).
    pub allow_http: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    pub level: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    pub jwt_secret: String,
    pub access_token_ttl_secs: i64,
    pub refresh_token_ttl_days: i64,
    pub issuer: String,
    pub audience: String,
    /// Failed logins of one account from one address (and account-wide) within the window
    /// before the answer is 429.
    pub login_max_failures: u32,
    /// Failed logins from one address, whatever the account, within the window before 429.
    pub login_max_failures_per_address: u32,
    pub login_window_secs: i64,
    /// Once an account has `login_max_failures` failures from anywhere, addresses it has not
    /// signed in from before may try once per this many seconds (slowed, never locked).
    pub login_slowdown_secs: i64,
    /// An address the account signed in from within this many days is not slowed.
    pub known_address_days: i64,
    pub verification_ttl_hours: i64,
    pub invitation_ttl_hours: i64,
    pub password_reset_ttl_minutes: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MailTransport {
    /// Writes each message as an .eml file (development, demos, offline).
    File,
    Smtp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain text (a relay on localhost only).
    None,
    /// Connects in plain text, then requires STARTTLS (port 587).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSettings {
    pub transport: MailTransport,
    /// Folder for .eml files of the `file` transport; `<data_dir>/mail` when absent.
    pub file_dir: Option<PathBuf>,
    /// Sender, e.g. `Trust fund <noreply@fund.example>`.
    pub from: String,
    /// Start of the links in emails (the web client), e.g. `https://fund.example`.
    pub link_base_url: String,
    /// Attempts before a message is marked `failed` (it is kept, never deleted).
    pub max_attempts: i32,
    /// First retry delay; doubled after each failed attempt up to `retry_max_ms`.
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// How often the worker looks for due messages.
    pub poll_interval_ms: u64,
    pub smtp: SmtpSettings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password: String,
    /// Seconds to wait on the server at each step before the attempt counts as failed.
    pub timeout_secs: u64,
}

impl EmailSettings {
    /// Where the `file` transport writes.
    pub fn file_dir(&self, data_dir: &Path) -> PathBuf {
        self.file_dir
            .clone()
            .unwrap_or_else(|| data_dir.join("mail"))
    }
}

/// The signing key shipped in `config/default.toml`; only acceptable in development.
pub const DEVELOPMENT_JWT_SECRET: &str = "development-only-secret-change-me-in-production";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySettings {
    /// Largest IATI file accepted by `POST /registry/import/iati`, in bytes (413 beyond).
    pub max_import_bytes: u64,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GrantSettings {
    /// Share of what was already paid that reported expenditure must reach before an
    /// instalment with a spend threshold is released (a decimal string, e.g. "0.7").
    pub spend_threshold_share: String,
    /// Days before a report's due date that a reminder is emailed (each once).
    pub reminder_days_before: Vec<u32>,
    /// Days after a missed due date that a reminder is emailed (each once).
    pub reminder_days_after: Vec<u32>,
    /// Seconds between two runs of the reminder job.
    pub reminder_interval_secs: u64,
}

impl GrantSettings {
    /// `spend_threshold_share` as a decimal between 0 and 1.
    pub fn spend_share(&self) -> Result<rust_decimal::Decimal, crate::error::AppError> {
        crate::money::parse_decimal(&self.spend_threshold_share)
            .ok()
            .filter(|s| *s >= rust_decimal::Decimal::ZERO && *s <= rust_decimal::Decimal::ONE)
            .ok_or_else(|| {
                crate::error::AppError::internal(
                    "grants.spend_threshold_share must be a decimal between 0 and 1",
                )
            })
    }
}

/// Review and ranking.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewSettings {
    /// Reviews of one application diverge when their weighted scores (0 to 100) are more
    /// than this many points apart; the ranking flags them `divergent`.
    pub divergence_threshold: u32,
    /// A review is due this many days after the reviewer is assigned, unless the secretariat
    /// gives another day (or the fund's board meets sooner: then the day before it).
    pub days_to_review: u32,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            divergence_threshold: 25,
            days_to_review: 14,
        }
    }
}

/// Exchange rates.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSettings {
    /// A rate is current for this many days after the day it is valid from; an older one is
    /// refused for a conversion (422 naming the currency and the day) unless the request
    /// gives its own rate, and leaves outstanding pledges unvalued in the fund status.
    pub max_rate_age_days: u32,
}

impl Default for ExchangeSettings {
    fn default() -> Self {
        ExchangeSettings {
            max_rate_age_days: 45,
        }
    }
}

impl ExchangeSettings {
    pub fn max_rate_age(&self) -> crate::exchange::MaxRateAge {
        crate::exchange::MaxRateAge::days(self.max_rate_age_days)
    }
}

/// The yearly fund report.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnnualReportSettings {
    /// The headless browser that prints the report to PDF: a name on `PATH` or a path.
    /// Without one, the PDF answers 503 saying so; the page and the JSON still work.
    pub browser: String,
    /// A print that takes longer than this is stopped.
    pub print_timeout_secs: u64,
}

impl Default for AnnualReportSettings {
    fn default() -> Self {
        AnnualReportSettings {
            browser: "chromium".into(),
            print_timeout_secs: 60,
        }
    }
}

impl AnnualReportSettings {
    pub fn printer(&self) -> crate::platform::pdf::PdfPrinter {
        crate::platform::pdf::PdfPrinter::new(
            self.browser.clone(),
            std::time::Duration::from_secs(self.print_timeout_secs.max(1)),
        )
    }
}

/// What donors are told without asking.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DonorSettings {
    /// A donor's members get a digest of newly accepted reports at most once in this many
    /// days (and only when there is something new).
    pub digest_every_days: u32,
    /// How often the digest job looks for digests owed.
    pub digest_interval_secs: u64,
}

impl Default for DonorSettings {
    fn default() -> Self {
        DonorSettings {
            digest_every_days: 7,
            digest_interval_secs: 3600,
        }
    }
}

/// What the secretariat and finance are told without asking.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaffSettings {
    /// A person hears of the work that arrived for them in one email at most this often
    /// (and never an empty one).
    pub notice_every_minutes: u32,
    /// How often the job looks for notices owed.
    pub notice_interval_secs: u64,
}

impl Default for StaffSettings {
    fn default() -> Self {
        StaffSettings {
            notice_every_minutes: 60,
            notice_interval_secs: 300,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {0}")]
pub struct ConfigError(String);

impl Settings {
    /// Loads the layered settings. `file` is the `--config` argument, if any.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut builder =
            Config::builder().add_source(File::from_str(DEFAULT_TOML, FileFormat::Toml));
        if let Some(path) = file {
            builder = builder.add_source(File::from(path).required(true));
        }
        builder = builder.add_source(
            Environment::with_prefix("TRUSTFUND")
                .prefix_separator("__")
                .separator("__")
                .try_parsing(true),
        );
        let settings: Settings = builder
            .build()
            .and_then(Config::try_deserialize)
            .map_err(|e| ConfigError(e.to_string()))?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        crate::db::Backend::of_url(&self.database.url).map_err(|e| ConfigError(e.to_string()))?;
        if self.environment == RunEnvironment::Production
            && (self.auth.jwt_secret == DEVELOPMENT_JWT_SECRET || self.auth.jwt_secret.len() < 32)
        {
            return Err(ConfigError(
                "auth.jwt_secret is the development default or shorter than 32 bytes; production refuses to start with it (set TRUSTFUND__AUTH__JWT_SECRET)".into(),
            ));
        }
        if self.auth.jwt_secret == DEVELOPMENT_JWT_SECRET
            && !listens_on_loopback(&self.server.address)
        {
            return Err(ConfigError(format!(
                "auth.jwt_secret is the published development default, which is only allowed on a loopback address; server.address is {} (set TRUSTFUND__AUTH__JWT_SECRET)",
                self.server.address
            )));
        }
        if !(1..=365).contains(&self.auth.refresh_token_ttl_days) {
            return Err(ConfigError(
                "auth.refresh_token_ttl_days must be between 1 and 365".into(),
            ));
        }
        if !(1..=365).contains(&self.review.days_to_review) {
            return Err(ConfigError(
                "review.days_to_review must be between 1 and 365".into(),
            ));
        }
        if !(1..=3660).contains(&self.exchange.max_rate_age_days) {
            return Err(ConfigError(
                "exchange.max_rate_age_days must be between 1 and 3660".into(),
            ));
        }
        if !(1..=120).contains(&self.database.connect_timeout_secs) {
            return Err(ConfigError(
                "database.connect_timeout_secs must be between 1 and 120".into(),
            ));
        }
        if !(60..=3600).contains(&self.auth.access_token_ttl_secs) {
            return Err(ConfigError(
                "auth.access_token_ttl_secs must be between 60 and 3600".into(),
            ));
        }
        if self.server.body_idle_timeout_secs == 0 {
            return Err(ConfigError(
                "server.body_idle_timeout_secs must be at least 1".into(),
            ));
        }
        for address in &self.server.metrics_allowed_addresses {
            if address.parse::<std::net::IpAddr>().is_err() {
                return Err(ConfigError(format!(
                    "server.metrics_allowed_addresses: {address:?} is not an IP address"
                )));
            }
        }
        if self.database.pool_size == 0 {
            return Err(ConfigError("database.pool_size must be at least 1".into()));
        }
        if self.documents.max_bytes == 0 {
            return Err(ConfigError("documents.max_bytes must be at least 1".into()));
        }
        if self.documents.storage == StorageKind::S3 {
            let s3 = &self.documents.s3;
            if s3.bucket.trim().is_empty() {
                return Err(ConfigError(
                    "documents.storage is s3 but documents.s3.bucket is empty".into(),
                ));
            }
            if s3.access_key_id.is_empty() != s3.secret_access_key.is_empty() {
                return Err(ConfigError(
                    "documents.s3.access_key_id and documents.s3.secret_access_key go together: set both or neither".into(),
                ));
            }
            if s3.endpoint.starts_with("http://") && !s3.allow_http {
                return Err(ConfigError(
                    "documents.s3.endpoint is plain http; set documents.s3.allow_http = true if that is really meant".into(),
                ));
            }
        }
        let known = crate::documents::detect::KNOWN;
        if let Some(unknown) = self
            .documents
            .allowed_types
            .iter()
            .find(|t| !known.iter().any(|k| k.name == t.as_str()))
        {
            return Err(ConfigError(format!(
                "documents.allowed_types: unknown type {unknown:?}; known: {}",
                known.iter().map(|k| k.name).collect::<Vec<_>>().join(", ")
            )));
        }
        self.check_login()?;
        self.check_email()
    }

    fn check_login(&self) -> Result<(), ConfigError> {
        let auth = &self.auth;
        if auth.login_max_failures == 0 || auth.login_max_failures_per_address == 0 {
            return Err(ConfigError(
                "auth.login_max_failures and auth.login_max_failures_per_address must be at least 1".into(),
            ));
        }
        for (name, value) in [
            ("auth.login_window_secs", auth.login_window_secs),
            ("auth.login_slowdown_secs", auth.login_slowdown_secs),
            ("auth.known_address_days", auth.known_address_days),
            ("auth.verification_ttl_hours", auth.verification_ttl_hours),
            ("auth.invitation_ttl_hours", auth.invitation_ttl_hours),
            (
                "auth.password_reset_ttl_minutes",
                auth.password_reset_ttl_minutes,
            ),
            ("auth.refresh_token_ttl_days", auth.refresh_token_ttl_days),
        ] {
            if value <= 0 {
                return Err(ConfigError(format!("{name} must be positive")));
            }
        }
        Ok(())
    }

    fn check_email(&self) -> Result<(), ConfigError> {
        let email = &self.email;
        email
            .from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| {
                ConfigError(format!("email.from {:?} is not a mailbox: {e}", email.from))
            })?;
        if !(email.link_base_url.starts_with("http://")
            || email.link_base_url.starts_with("https://"))
        {
            return Err(ConfigError(
                "email.link_base_url must start with http:// or https://".into(),
            ));
        }
        if email.max_attempts < 1 {
            return Err(ConfigError("email.max_attempts must be at least 1".into()));
        }
        if email.poll_interval_ms == 0
            || email.retry_base_ms == 0
            || email.retry_max_ms < email.retry_base_ms
        {
            return Err(ConfigError(
                "email.poll_interval_ms and email.retry_base_ms must be positive and email.retry_max_ms at least email.retry_base_ms".into(),
            ));
        }
        if email.transport == MailTransport::Smtp {
            if email.smtp.host.trim().is_empty() {
                return Err(ConfigError(
                    "email.transport is smtp but email.smtp.host is empty".into(),
                ));
            }
            if email.smtp.username.is_empty() != email.smtp.password.is_empty() {
                return Err(ConfigError(
                    "email.smtp.username and email.smtp.password go together: set both or neither"
                        .into(),
                ));
            }
        }
        Ok(())
    }

    /// The effective settings as TOML with secrets masked, for `check-config`.
    pub fn masked_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = crate::db::mask_url(&shown.database.url);
        shown.auth.jwt_secret = "***".into();
        if !shown.email.smtp.password.is_empty() {
            shown.email.smtp.password = "***".into();
        }
        if !shown.documents.s3.secret_access_key.is_empty() {
            shown.documents.s3.secret_access_key = "***".into();
        }
        if !shown.server.metrics_token.is_empty() {
            shown.server.metrics_token = "***".into();
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot render: {e}"))
    }
}

impl Settings {
    /// What must be said loudly at start: settings that are allowed but unsafe.
    pub fn startup_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.auth.jwt_secret == DEVELOPMENT_JWT_SECRET {
            warnings.push(format!(
                "auth.jwt_secret is the PUBLISHED development key: anyone can sign tokens for any account of this service (listening on {}). Set TRUSTFUND__AUTH__JWT_SECRET to at least 32 random bytes before real data goes in.",
                self.server.address
            ));
        }
        warnings
    }

    /// Whether `GET /metrics` answers a client at `address` that sent `bearer` (the token of
    /// its `Authorization` header, if any). In development: always (when enabled). In
    /// production: only the configured addresses or the configured token.
    pub fn metrics_allowed(&self, address: &str, bearer: Option<&str>) -> bool {
        if !self.server.metrics_enabled {
            return false;
        }
        if self.environment == RunEnvironment::Development {
            return true;
        }
        let by_address = self
            .server
            .metrics_allowed_addresses
            .iter()
            .any(|a| a == address);
        let token = self.server.metrics_token.as_bytes();
        let by_token = !token.is_empty()
            && bearer.is_some_and(|b| {
                use sha2::Digest;
                // compared as digests: the time taken says nothing about the token
                sha2::Sha256::digest(b.as_bytes()) == sha2::Sha256::digest(token)
            });
        by_address || by_token
    }
}

/// Whether `address` (host:port) binds only the local machine.
fn listens_on_loopback(address: &str) -> bool {
    let host = address.rsplit_once(':').map(|(h, _)| h).unwrap_or(address);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
