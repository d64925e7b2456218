//! The public figures served from memory. Anyone can load the public page, and a newspaper
//! link can send thousands of readers at once, so the figures are computed once per change
//! and every other request is answered from here (with `304 Not Modified` when the reader
//! already holds them).
//!
//! An entry stays good while all three hold:
//! - no write has committed in this process since it was computed (`db::committed_writes`,
//!   bumped after every write transaction's commit, so a reader of this instance sees its
//!   own writes at once);
//! - the day is the one it was computed for (what is overdue depends on the date);
//! - it is younger than `public.max_staleness_ms`: this bounds how late a write made by
//!   *another* instance over the same database shows here (the answer's own
//!   `Cache-Control: max-age` already lets browsers keep it far longer).
//!
//! The ETag is a hash of the bytes, so every instance gives the same figures the same tag.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use serde::Serialize;

use super::rules::PublicFundView;
use crate::error::{AppError, AppResult};

/// How many funds' figures are kept: a fund has two keys (its id and its code), and a
/// trust-fund installation has a handful of funds. Unknown keys are never kept, so a flood
/// of made-up codes cannot grow this.
const MAX_ENTRIES: usize = 256;

/// One fund's figures as last computed.
pub struct Figures<V = PublicFundView> {
    pub view: V,
    /// The JSON answer, serialised once.
    pub json: Bytes,
    /// The strong ETag of `json`.
    pub json_etag: String,
    /// The HTML page, rendered on first request.
    page: OnceLock<(Bytes, String)>,
    generation: u64,
    as_of: NaiveDate,
    made: Instant,
    /// Set while one request recomputes figures that are only too old: the others keep
    /// serving these meanwhile instead of all recomputing at once.
    refreshing: AtomicBool,
}

impl<V: Serialize> Figures<V> {
    fn new(view: V, generation: u64, as_of: NaiveDate) -> AppResult<Self> {
        let json =
            Bytes::from(serde_json::to_vec(&view).map_err(|e| AppError::internal(e.to_string()))?);
        let json_etag = etag_of("j", &json);
        Ok(Figures {
            view,
            json,
            json_etag,
            page: OnceLock::new(),
            generation,
            as_of,
            made: Instant::now(),
            refreshing: AtomicBool::new(false),
        })
    }

    /// The page rendered by `render` once, with its ETag.
    pub fn page(&self, render: impl FnOnce(&V) -> AppResult<String>) -> AppResult<(Bytes, String)> {
        if let Some(page) = self.page.get() {
            return Ok(page.clone());
        }
        let html = Bytes::from(render(&self.view)?);
        let etag = etag_of("h", &html);
        Ok(self.page.get_or_init(|| (html, etag)).clone())
    }
}

/// `"<kind>-<first 16 bytes of SHA-256, hex>"`: the same bytes get the same tag on every
/// instance, and the two representations (JSON, HTML) never share one.
fn etag_of(kind: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{kind}-{}\"", hex::encode(&digest[..16]))
}

/// What a lookup found: figures good to serve, or the reason to recompute.
pub enum Lookup<V = PublicFundView> {
    Fresh(Arc<Figures<V>>),
    /// Too old, and this request was chosen to recompute; the others get `Fresh` of the
    /// old figures until it is done.
    Refresh,
    Missing,
}

pub struct PublicCache<V = PublicFundView> {
    entries: RwLock<HashMap<String, Arc<Figures<V>>>>,
    max_staleness: Duration,
}

impl<V: Serialize> PublicCache<V> {
    pub fn new(max_staleness: Duration) -> Self {
        PublicCache {
            entries: RwLock::new(HashMap::new()),
            max_staleness,
        }
    }

    pub fn lookup(&self, key: &str, generation: u64, today: NaiveDate) -> Lookup<V> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let Some(figures) = entries.get(key) else {
            return Lookup::Missing;
        };
        if figures.generation != generation || figures.as_of != today {
            return Lookup::Missing;
        }
        if figures.made.elapsed() < self.max_staleness {
            return Lookup::Fresh(figures.clone());
        }
        if figures.refreshing.swap(true, Ordering::AcqRel) {
            Lookup::Fresh(figures.clone())
        } else {
            Lookup::Refresh
        }
    }

    /// Keeps `view`, computed from a snapshot taken after `generation` was read, under `key`.
    pub fn store(
        &self,
        key: &str,
        view: V,
        generation: u64,
        today: NaiveDate,
    ) -> AppResult<Arc<Figures<V>>> {
        let figures = Arc::new(Figures::new(view, generation, today)?);
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES && !entries.contains_key(key) {
            entries.clear();
        }
        entries.insert(key.to_string(), figures.clone());
        Ok(figures)
    }

    /// The key names no fund (any more).
    pub fn forget(&self, key: &str) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.remove(key);
    }

    /// What is kept under `key` when it is still good, else what `compute` makes of the
    /// database now (on the blocking pool), kept for the next requests. `compute` answers
    /// `None` when the key names nothing: nothing is kept for it then.
    pub async fn get_or_compute<F>(
        &self,
        pool: &crate::db::DbPool,
        key: String,
        compute: F,
    ) -> AppResult<Option<Arc<Figures<V>>>>
    where
        F: FnOnce(&mut crate::db::DbConn, NaiveDate) -> AppResult<Option<V>> + Send + 'static,
        V: Send + 'static,
    {
        let today = crate::clock::today();
        // read before the database: a write committed after this makes the result stale
        let generation = crate::db::committed_writes();
        if let Lookup::Fresh(figures) = self.lookup(&key, generation, today) {
            return Ok(Some(figures));
        }
        match crate::db::run(pool, move |conn| compute(conn, today)).await {
            Ok(Some(view)) => self.store(&key, view, generation, today).map(Some),
            Ok(None) => {
                self.forget(&key);
                Ok(None)
            }
            Err(error) => {
                self.refresh_failed(&key);
                Err(error)
            }
        }
    }

    /// A recomputation chosen by `Refresh` failed: let the next request try again.
    pub fn refresh_failed(&self, key: &str) {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        if let Some(figures) = entries.get(key) {
            figures.refreshing.store(false, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).expect("date")
    }

    fn fresh(lookup: Lookup<Value>) -> Option<Value> {
        match lookup {
            Lookup::Fresh(figures) => Some(figures.view.clone()),
            _ => None,
        }
    }

    #[test]
    fn figures_are_kept_until_a_write_or_another_day() {
        let cache = PublicCache::new(Duration::from_secs(3600));
        assert!(matches!(cache.lookup("UNVTF", 7, day(3)), Lookup::Missing));
        cache
            .store("UNVTF", json!({"received": "10"}), 7, day(3))
            .expect("store");
        assert_eq!(
            fresh(cache.lookup("UNVTF", 7, day(3))),
            Some(json!({"received": "10"}))
        );
        assert!(
            matches!(cache.lookup("unvtf-id", 7, day(3)), Lookup::Missing),
            "per key"
        );
        assert!(
            matches!(cache.lookup("UNVTF", 8, day(3)), Lookup::Missing),
            "a write since"
        );
        assert!(
            matches!(cache.lookup("UNVTF", 7, day(4)), Lookup::Missing),
            "the next day"
        );
        cache.forget("UNVTF");
        assert!(matches!(cache.lookup("UNVTF", 7, day(3)), Lookup::Missing));
    }

    #[test]
    fn old_figures_are_recomputed_by_one_request_while_the_others_serve_them() {
        let cache = PublicCache::new(Duration::ZERO);
        cache.store("UNVTF", json!(1), 1, day(3)).expect("store");
        assert!(matches!(cache.lookup("UNVTF", 1, day(3)), Lookup::Refresh));
        assert_eq!(fresh(cache.lookup("UNVTF", 1, day(3))), Some(json!(1)));
        cache.refresh_failed("UNVTF");
        assert!(
            matches!(cache.lookup("UNVTF", 1, day(3)), Lookup::Refresh),
            "tried again"
        );
        cache.store("UNVTF", json!(2), 1, day(3)).expect("store");
        assert!(matches!(cache.lookup("UNVTF", 1, day(3)), Lookup::Refresh));
    }

    #[test]
    fn the_etag_follows_the_bytes_and_the_page_has_its_own() {
        let cache = PublicCache::new(Duration::from_secs(60));
        let a = cache.store("A", json!({"x": 1}), 1, day(3)).expect("store");
        let b = cache.store("B", json!({"x": 1}), 9, day(3)).expect("store");
        let c = cache.store("C", json!({"x": 2}), 1, day(3)).expect("store");
        assert_eq!(
            a.json_etag, b.json_etag,
            "same figures, same tag, whenever made"
        );
        assert_ne!(a.json_etag, c.json_etag);
        let (html, page_etag) = a.page(|v| Ok(format!("<p>{v}</p>"))).expect("page");
        assert_eq!(&html[..], b"<p>{\"x\":1}</p>");
        assert_ne!(page_etag, a.json_etag);
        let (_, again) = a.page(|_| panic!("rendered once")).expect("page");
        assert_eq!(again, page_etag);
    }

    #[test]
    fn unknown_keys_cannot_grow_the_cache_without_bound() {
        let cache = PublicCache::new(Duration::from_secs(60));
        for i in 0..(MAX_ENTRIES * 3) {
            cache
                .store(&format!("F{i}"), json!(i), 1, day(3))
                .expect("store");
        }
        let entries = cache.entries.read().expect("lock").len();
        assert!(entries <= MAX_ENTRIES, "{entries}");
    }
}
