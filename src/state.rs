//! What every handler shares: the pool, the settings, the metrics and the export slots.
//! Features import this, never the application (`app.rs`) that assembles them.

use actix_web::web;

use std::sync::Arc;

use crate::cache::ReadCache;
use crate::config::Settings;
use crate::db::DbPool;
use crate::db::changes::ChangeWatch;
use crate::observe::Metrics;

/// What handlers share: the pool, the settings and the metrics registry.
pub struct Services {
    pub pool: DbPool,
    pub settings: Settings,
    pub metrics: Metrics,
    /// Open-data exports streaming now (each holds a database connection).
    pub export_slots: crate::opendata::ExportSlots,
    /// How many uploads are checked and written out at once (`documents.concurrent_stores`).
    pub upload_slots: std::sync::Arc<tokio::sync::Semaphore>,
    /// Where document bytes live (`documents.storage`), built once at start.
    pub documents: std::sync::Arc<dyn crate::documents::storage::DocumentStore>,
    /// Whether the database has changed since a moment (`db::changes`): what the caches
    /// below and the signed-in users kept in memory are checked against.
    pub changes: Arc<ChangeWatch>,
    /// Access tokens already verified, with their user and expiry (`auth::tokens`).
    pub tokens: crate::auth::tokens::VerifiedTokens,
    /// The users behind access tokens, kept while nothing changes (`auth::KeptUsers`).
    pub users: crate::auth::KeptUsers,
    /// The public figures of each fund, computed once per change (`cache`).
    pub public_figures: ReadCache<crate::public::rules::PublicFundView>,
    /// Anonymous registry searches, by query string, kept the same way.
    pub registry_searches: ReadCache<crate::registry::model::SearchView>,
    /// Registry matrices, by the reader's scope and the query, kept the same way.
    pub registry_matrices: ReadCache<crate::registry::model::MatrixView>,
    /// Applications as each signed-in reader sees them, by reader and application.
    pub applications: ReadCache<crate::applications::model::ApplicationView>,
    /// Each fund's status (the same for every reader allowed it), by fund.
    pub fund_statuses: ReadCache<crate::ledger::model::FundStatusView>,
    /// Prints the yearly report to PDF (`annual_report.browser`), a few at a time.
    pub pdf: crate::platform::pdf::PdfPrinter,
}

pub type AppState = web::Data<Services>;
