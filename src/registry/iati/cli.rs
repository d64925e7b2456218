//! The command line: `trustfund import iati FILE`, with a progress bar on a terminal.

use super::import::{ImportError, ImportOptions, ImportReport, import};
use crate::auth::Actor;
use crate::error::AppError;
use crate::registry::store;

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
