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
    pub log: LogSettings,
    pub auth: AuthSettings,
    pub registry: RegistrySettings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    pub address: String,
    pub workers: usize,
    pub max_json_bytes: usize,
    pub metrics_enabled: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub pool_size: u32,
    pub connect_timeout_secs: u64,
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
}

/// The signing key shipped in `config/default.toml`; only acceptable in development.
pub const DEVELOPMENT_JWT_SECRET: &str = "development-only-secret-change-me-in-production";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrySettings {
    /// Largest IATI file accepted by `POST /registry/import/iati`, in bytes (413 beyond).
    pub max_import_bytes: u64,
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
        if !(60..=3600).contains(&self.auth.access_token_ttl_secs) {
            return Err(ConfigError(
                "auth.access_token_ttl_secs must be between 60 and 3600".into(),
            ));
        }
        if self.database.pool_size == 0 {
            return Err(ConfigError("database.pool_size must be at least 1".into()));
        }
        Ok(())
    }

    /// The effective settings as TOML with secrets masked, for `check-config`.
    pub fn masked_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = crate::db::mask_url(&shown.database.url);
        shown.auth.jwt_secret = "***".into();
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot render: {e}"))
    }
}
