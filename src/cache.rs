//! Reads served from memory: the public figures and anonymous registry searches (anyone
//! can load them, and a newspaper link can send thousands of readers at once), and the
//! signed-in reads asked most (an application, a fund's status). Each is computed once per
//! change and every other request is answered from here (with `304 Not Modified` when the
//! reader already holds it).
//!
//! An entry stays good while all three hold:
//! - the database has not changed since it was computed: [`ChangeWatch::generation`] has
//!   not moved, which it does after every write of this instance and, without a round
//!   trip, as soon as another instance over the same database has written (see
//!   `db::changes`);
//! - the day is the one it was computed for (what is overdue depends on the date);
//! - it is younger than its cache's `max_staleness`: a last bound, should a change ever
//!   be missed (an instance that stopped between its commit and its notification).
//!
//! The ETag is a hash of the bytes, so every instance gives the same answer the same tag.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

use serde::Serialize;

use crate::db::changes::ChangeWatch;
use crate::error::{AppError, AppResult};
use crate::web::i18n::Lang;

/// How many answers one cache keeps: past this it starts again empty. Unknown keys are
/// never kept (nothing is kept for a 404), so a flood of made-up ids cannot grow it.
const MAX_ENTRIES: usize = 4096;

/// One answer as last computed.
pub struct Kept<V> {
    pub view: V,
    /// The JSON answer, serialised once.
    pub json: Bytes,
    /// The strong ETag of `json`.
    pub json_etag: String,
    /// The HTML page in each language (`Lang::ALL`'s order), rendered on first request.
    pages: [OnceLock<KeptPage>; 3],
    generation: u64,
    as_of: NaiveDate,
    made: Instant,
    /// Set while one request recomputes an answer that is only too old: the others keep
    /// serving it meanwhile instead of all recomputing at once.
    refreshing: AtomicBool,
}

impl<V: Serialize> Kept<V> {
    fn new(view: V, generation: u64, as_of: NaiveDate) -> AppResult<Self> {
        let json =
            Bytes::from(serde_json::to_vec(&view).map_err(|e| AppError::internal(e.to_string()))?);
        let json_etag = etag_of("j", &json);
        Ok(Kept {
            view,
            json,
            json_etag,
            pages: Default::default(),
            generation,
            as_of,
            made: Instant::now(),
            refreshing: AtomicBool::new(false),
        })
    }

    /// The kept JSON as an answer to `req`: `304 Not Modified` when it holds the ETag
    /// already, else the JSON with its `ETag`.
    pub fn json_answer(&self, req: &actix_web::HttpRequest) -> actix_web::HttpResponse {
        use actix_web::http::header;
        if crate::http::if_none_match(req, &self.json_etag) {
            return actix_web::HttpResponse::NotModified()
                .insert_header((header::ETAG, self.json_etag.clone()))
                .finish();
        }
        actix_web::HttpResponse::Ok()
            .content_type("application/json")
            .insert_header((header::ETAG, self.json_etag.clone()))
            .body(self.json.clone())
    }

    /// The page in `lang` rendered by `render` once, and compressed once.
    pub fn page(
        &self,
        lang: Lang,
        render: impl FnOnce(&V, Lang) -> AppResult<String>,
    ) -> AppResult<KeptPage> {
        let kept = &self.pages[lang.index()];
        if let Some(page) = kept.get() {
            return Ok(page.clone());
        }
        let html = Bytes::from(render(&self.view, lang)?);
        let gzipped = Bytes::from(gzip(&html)?);
        let page = KeptPage {
            etag: etag_of("h", &html),
            gzipped_etag: etag_of("hz", &gzipped),
            html,
            gzipped,
        };
        Ok(kept.get_or_init(|| page).clone())
    }
}

/// A page rendered once per change, as HTML and as the same HTML gzip-compressed (about a
/// quarter of its size) for browsers that accept it: on a poor connection that is most of
/// the wait, and compressing once per change costs nothing per request, where compressing
/// each answer (actix's `Compress`) would cost every reader. Each form has its own ETag.
#[derive(Clone)]
pub struct KeptPage {
    pub html: Bytes,
    pub etag: String,
    pub gzipped: Bytes,
    pub gzipped_etag: String,
}

fn gzip(bytes: &[u8]) -> AppResult<Vec<u8>> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder
        .write_all(bytes)
        .and_then(|()| encoder.finish())
        .map_err(|e| AppError::internal(format!("compressing a page failed: {e}")))
}

/// `"<kind>-<first 16 bytes of SHA-256, hex>"`: the same bytes get the same tag on every
/// instance, and the two representations (JSON, HTML) never share one.
fn etag_of(kind: &str, bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("\"{kind}-{}\"", hex::encode(&digest[..16]))
}

/// What a lookup found: an answer good to serve, or the reason to recompute.
pub enum Lookup<V> {
    Fresh(Arc<Kept<V>>),
    /// Too old, and this request was chosen to recompute; the others get `Fresh` of the
    /// old answer until it is done.
    Refresh,
    Missing,
}

pub struct ReadCache<V> {
    entries: RwLock<HashMap<String, Arc<Kept<V>>>>,
    watch: Arc<ChangeWatch>,
    max_staleness: Duration,
    /// How many answers it keeps (`MAX_ENTRIES` unless made `with_capacity`).
    capacity: usize,
}

impl<V: Serialize> ReadCache<V> {
    pub fn new(watch: Arc<ChangeWatch>, max_staleness: Duration) -> Self {
        Self::with_capacity(watch, max_staleness, MAX_ENTRIES)
    }

    /// A cache of fewer answers, for answers that may be large (a registry matrix).
    pub fn with_capacity(
        watch: Arc<ChangeWatch>,
        max_staleness: Duration,
        capacity: usize,
    ) -> Self {
        ReadCache {
            entries: RwLock::new(HashMap::new()),
            watch,
            max_staleness,
            capacity,
        }
    }

    pub fn lookup(&self, key: &str, generation: u64, today: NaiveDate) -> Lookup<V> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let Some(kept) = entries.get(key) else {
            return Lookup::Missing;
        };
        if kept.generation != generation || kept.as_of != today {
            return Lookup::Missing;
        }
        if kept.made.elapsed() < self.max_staleness {
            return Lookup::Fresh(kept.clone());
        }
        if kept.refreshing.swap(true, Ordering::AcqRel) {
            Lookup::Fresh(kept.clone())
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
    ) -> AppResult<Arc<Kept<V>>> {
        let kept = Arc::new(Kept::new(view, generation, today)?);
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= self.capacity && !entries.contains_key(key) {
            entries.clear();
        }
        entries.insert(key.to_string(), kept.clone());
        Ok(kept)
    }

    /// The key names no fund (any more).
    pub fn forget(&self, key: &str) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.remove(key);
    }

    /// What is kept under `key` when it is still good, else what `compute` makes of the
    /// database now for the given day (on the worker or the blocking pool, as it chooses),
    /// kept for the next requests. `compute` answers `None` when the key names nothing (or
    /// nothing this reader may see): nothing is kept for it then.
    pub async fn get_or_compute<F, Fut>(
        &self,
        key: String,
        compute: F,
    ) -> AppResult<Option<Arc<Kept<V>>>>
    where
        F: FnOnce(NaiveDate) -> Fut,
        Fut: std::future::Future<Output = AppResult<Option<V>>>,
    {
        let today = crate::clock::today();
        // read before the database: a write committed after this makes the result stale
        let generation = self.watch.generation();
        if let Lookup::Fresh(kept) = self.lookup(&key, generation, today) {
            return Ok(Some(kept));
        }
        match compute(today).await {
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
        if let Some(kept) = entries.get(key) {
            kept.refreshing.store(false, Ordering::Release);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn alone() -> Arc<ChangeWatch> {
        Arc::new(ChangeWatch::new("sqlite://:memory:").expect("watch"))
    }

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
        let cache = ReadCache::new(alone(), Duration::from_secs(3600));
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
        let cache = ReadCache::new(alone(), Duration::ZERO);
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
        let cache = ReadCache::new(alone(), Duration::from_secs(60));
        let a = cache.store("A", json!({"x": 1}), 1, day(3)).expect("store");
        let b = cache.store("B", json!({"x": 1}), 9, day(3)).expect("store");
        let c = cache.store("C", json!({"x": 2}), 1, day(3)).expect("store");
        assert_eq!(
            a.json_etag, b.json_etag,
            "same figures, same tag, whenever made"
        );
        assert_ne!(a.json_etag, c.json_etag);
        let page = a
            .page(Lang::En, |v, lang| {
                Ok(format!("<p lang={}>{v}</p>", lang.code()))
            })
            .expect("page");
        assert_eq!(&page.html[..], b"<p lang=en>{\"x\":1}</p>");
        assert_ne!(page.etag, a.json_etag);
        assert_ne!(page.gzipped_etag, page.etag);
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::GzDecoder::new(&page.gzipped[..]),
            &mut unzipped,
        )
        .expect("gzip");
        assert_eq!(unzipped, page.html.to_vec());
        let again = a
            .page(Lang::En, |_, _| panic!("rendered once"))
            .expect("page");
        assert_eq!(again.etag, page.etag);
        assert_eq!(again.gzipped, page.gzipped);
        let french = a
            .page(Lang::Fr, |v, lang| {
                Ok(format!("<p lang={}>{v}</p>", lang.code()))
            })
            .expect("page");
        assert_ne!(
            french.etag, page.etag,
            "a page per language, each its own tag"
        );
    }

    #[test]
    fn unknown_keys_cannot_grow_the_cache_without_bound() {
        let cache = ReadCache::new(alone(), Duration::from_secs(60));
        for i in 0..(MAX_ENTRIES * 3) {
            cache
                .store(&format!("F{i}"), json!(i), 1, day(3))
                .expect("store");
        }
        let entries = cache.entries.read().expect("lock").len();
        assert!(entries <= MAX_ENTRIES, "{entries}");
    }
}
