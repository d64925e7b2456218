//! What every handler shares: the pool, the settings, the metrics and the export slots.
//! Features import this, never the application (`app.rs`) that assembles them.

use actix_web::web;

use crate::config::Settings;
use crate::db::DbPool;
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
    /// The public figures of each fund, computed once per change (`public::cache`).
    pub public_figures: crate::public::cache::PublicCache,
    /// Anonymous registry searches, by query string, kept the same way.
    pub registry_searches: crate::public::cache::PublicCache<crate::registry::model::SearchView>,
    /// Prints the yearly report to PDF (`annual_report.browser`), a few at a time.
    pub pdf: crate::platform::pdf::PdfPrinter,
}

pub type AppState = web::Data<Services>;
