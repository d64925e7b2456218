//! trustfund: the back office of a voluntary trust fund for victims of human trafficking,
//! and a registry of every donor's anti-trafficking projects.

pub mod annual;
pub mod apidoc;
pub mod app;
pub mod applications;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod board;
pub mod cache;
pub mod calls;
pub mod change;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod disbursements;
pub mod documents;
pub mod donations;
pub mod earmarks;
pub mod error;
pub mod exchange;
pub mod funds;
pub mod grants;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod ids;
pub mod ledger;
pub mod loadtest;
pub mod money;
pub mod needs;
pub mod notify;
pub mod observe;
pub mod opendata;
pub mod organisations;
pub mod pace;
pub mod platform;
pub mod predictability;
pub mod public;
pub mod registry;
pub mod reports;
pub mod review;
pub mod state;
pub mod taxonomy;
pub mod telemetry;
pub mod web;
pub mod work;

use std::net::TcpListener;
use std::time::Duration;

use actix_web::HttpServer;
use actix_web::dev::Server;

use crate::app::build_app;
use crate::config::Settings;
use crate::db::{DbPool, PoolOptions};
use crate::observe::Metrics;
use crate::state::Services;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Database(#[from] db::DbSetupError),
    #[error("cannot listen on {address}: {reason}")]
    Listen { address: String, reason: String },
    #[error("loading demo data failed: {0}")]
    Demo(String),
    #[error(
        "--demo is refused when environment is production: it creates accounts with published passwords"
    )]
    DemoInProduction,
    #[error("email: {0}")]
    Mail(String),
    #[error("documents: {0}")]
    Documents(String),
}

/// Opens the pool and applies pending migrations; shared by `serve` and `migrate`.
pub fn open_database(settings: &Settings) -> Result<(DbPool, usize), StartError> {
    let pool = db::connect(
        &settings.database.url,
        &PoolOptions {
            max_size: settings.database.pool_size,
            connect_timeout: Duration::from_secs(settings.database.connect_timeout_secs),
        },
    )?;
    let applied = db::run_migrations(&pool)?;
    Ok((pool, applied))
}

/// A started (not yet running) server: the pool is open, migrations applied and the
/// listener bound, so `port` is known even when the configured port was 0.
pub struct Application {
    port: u16,
    pool: DbPool,
    server: Server,
    mailer: notify::worker::Mailer,
    settings: Settings,
    demo_accounts: Vec<demo::DemoAccount>,
    changes: std::sync::Arc<db::changes::ChangeWatch>,
}

impl Application {
    pub fn build(settings: Settings, demo: bool) -> Result<Self, StartError> {
        if demo && settings.environment == config::RunEnvironment::Production {
            return Err(StartError::DemoInProduction);
        }
        for warning in settings.startup_warnings() {
            tracing::warn!("{warning}");
            eprintln!("\n*** WARNING: {warning}\n");
        }
        let mailer = notify::worker::Mailer::from_settings(&settings).map_err(StartError::Mail)?;
        let documents = documents::store_for(&settings).map_err(StartError::Documents)?;
        let (pool, applied) = open_database(&settings)?;
        // answers to idempotent writes are kept 24 h; forget the expired ones at start
        match pool
            .get()
            .map(|mut conn| idempotency::store::purge_expired(&mut conn))
        {
            Ok(Ok(purged)) if purged > 0 => {
                tracing::info!(purged, "expired idempotency keys purged")
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "purging expired idempotency keys failed"),
            _ => {}
        }
        tracing::info!(applied, url = %db::mask_url(&settings.database.url), "database ready");
        let demo_accounts = if demo {
            demo::load(&pool, &settings).map_err(|e| StartError::Demo(e.to_string()))?
        } else {
            Vec::new()
        };
        // The registry's in-memory index and its word lists are loaded before the port
        // opens, not by the first request that needs them: that may be a submission, which
        // checks the application against the registry inside its write transaction, and a
        // load in the background would still be running when the first requests arrive
        // (0.4 s at 100,000 projects).
        if let Err(e) = pool
            .get()
            .map_err(error::AppError::from)
            .and_then(|mut conn| registry::index::warm(&mut conn))
        {
            tracing::warn!(error = %e, "the registry index was not loaded at start; the first search loads it");
        }
        let listener =
            TcpListener::bind(&settings.server.address).map_err(|e| StartError::Listen {
                address: settings.server.address.clone(),
                reason: e.to_string(),
            })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let workers = match settings.server.workers {
            0 => std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            n => n,
        };
        let changes = std::sync::Arc::new(db::changes::ChangeWatch::new(&settings.database.url)?);
        let max_staleness =
            std::time::Duration::from_millis(settings.server.public_figures_max_staleness_ms);
        let state = actix_web::web::Data::new(Services {
            pool: pool.clone(),
            settings: settings.clone(),
            metrics: Metrics::new(),
            export_slots: opendata::ExportSlots::default(),
            upload_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(
                match settings.documents.concurrent_stores {
                    0 => workers,
                    n => n,
                },
            )),
            documents,
            tokens: auth::tokens::VerifiedTokens::new(settings.auth.clone()),
            users: auth::KeptUsers::new(max_staleness),
            public_figures: cache::ReadCache::new(changes.clone(), max_staleness),
            registry_searches: cache::ReadCache::new(changes.clone(), max_staleness),
            // a matrix may weigh megabytes: a few dozen kept, not thousands
            registry_matrices: cache::ReadCache::with_capacity(changes.clone(), max_staleness, 64),
            applications: cache::ReadCache::new(changes.clone(), max_staleness),
            fund_statuses: cache::ReadCache::new(changes.clone(), max_staleness),
            changes: changes.clone(),
            pdf: settings.annual_report.printer(),
        });
        let server = HttpServer::new(move || build_app(state.clone()))
            .workers(workers)
            .listen(listener)
            .map_err(|e| StartError::Listen {
                address: "listener".into(),
                reason: e.to_string(),
            })?
            .run();
        Ok(Application {
            port,
            pool,
            server,
            mailer,
            settings,
            demo_accounts,
            changes,
        })
    }

    /// The demo accounts (`serve --demo`) with their passwords, to print at startup.
    pub fn demo_accounts(&self) -> &[demo::DemoAccount] {
        &self.demo_accounts
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> DbPool {
        self.pool.clone()
    }

    /// Serves until stopped, with the background work beside it: the outbox worker that
    /// sends email, and the housekeeping that prunes expired tokens and old login attempts.
    /// Both stop with the server.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let mail = tokio::spawn(notify::worker::run(self.pool.clone(), self.mailer));
        let housekeeping = tokio::spawn(auth::housekeeping(
            self.pool.clone(),
            self.settings.auth.clone(),
        ));
        let reminders = tokio::spawn(reports::reminders::run(
            self.pool.clone(),
            self.settings.grants.clone(),
            self.settings.email.clone(),
        ));
        let digests = tokio::spawn(reports::digest::run(
            self.pool.clone(),
            self.settings.donors.clone(),
            self.settings.email.clone(),
        ));
        let notices = tokio::spawn(work::run(
            self.pool.clone(),
            self.settings.staff.clone(),
            self.settings.email.clone(),
        ));
        // an instance nobody asks still reads the other instances' notifications, so that
        // PostgreSQL's queue never waits on it
        let changes = self.changes.clone();
        let watch = tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(10));
            loop {
                every.tick().await;
                changes.generation();
            }
        });
        let result = self.server.await;
        watch.abort();
        notices.abort();
        digests.abort();
        mail.abort();
        housekeeping.abort();
        reminders.abort();
        result
    }
}
