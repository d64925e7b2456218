//! Documents in S3-compatible object storage (`documents.storage = "s3"`): AWS S3, MinIO,
//! Ceph, R2 and the like, through Apache Arrow's `object_store`. Several instances of the
//! service can then share the documents, which a local folder cannot do across machines.
//!
//! The `DocumentStore` calls are blocking (they run on actix's blocking pool); this store
//! drives the asynchronous client on a small runtime of its own, so that it does not
//! depend on which runtime (an actix worker's, a test's, none in the command line) the
//! caller belongs to.
//!
//! Uploads are still received into a local spool file (checked, hashed) and only then
//! sent: a refused or interrupted upload never reaches the bucket. `put` sends small files
//! in one request and large ones as a multipart upload, which is aborted if anything
//! fails, so no parts are left behind. Keys are the service's fresh UUIDs, so an object is
//! never overwritten.

use std::io::{self, Cursor, Read};
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::StreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::buffered::BufWriter;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use tempfile::NamedTempFile;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::storage::{DocumentStore, check_key, spool_in};
use crate::config::S3Settings;

/// Bytes buffered before a multipart upload starts (S3 parts are at least 5 MiB); files up
/// to this size go in one request.
const PART_BYTES: usize = 8 * 1024 * 1024;

pub struct S3Store {
    client: Arc<dyn ObjectStore>,
    prefix: String,
    spool: PathBuf,
    /// Always `Some` until dropped (taken by `Drop` to shut it down without blocking).
    runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn to_io(e: object_store::Error) -> io::Error {
    match e {
        object_store::Error::NotFound { .. } => io::Error::new(io::ErrorKind::NotFound, e),
        other => io::Error::other(other),
    }
}

impl S3Store {
    /// A store for the bucket in `settings`; credentials not given there come from the
    /// usual `AWS_*` environment variables or the instance's role.
    pub fn new(settings: &S3Settings, spool: PathBuf) -> Result<Self, String> {
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(&settings.bucket)
            .with_allow_http(settings.allow_http);
        if !settings.region.is_empty() {
            builder = builder.with_region(&settings.region);
        }
        if !settings.endpoint.is_empty() {
            builder = builder.with_endpoint(&settings.endpoint);
        }
        if !settings.access_key_id.is_empty() {
            builder = builder
                .with_access_key_id(&settings.access_key_id)
                .with_secret_access_key(&settings.secret_access_key);
        }
        let client = builder.build().map_err(|e| format!("documents.s3: {e}"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("documents-s3")
            .enable_all()
            .build()
            .map_err(|e| format!("documents.s3: cannot start its runtime: {e}"))?;
        Ok(S3Store {
            client: Arc::new(client),
            prefix: settings.prefix.trim_matches('/').to_string(),
            spool,
            runtime: Some(runtime),
        })
    }

    fn path_of(&self, key: &str) -> io::Result<ObjectPath> {
        check_key(key)?;
        Ok(if self.prefix.is_empty() {
            ObjectPath::from(key)
        } else {
            ObjectPath::from(format!("{}/{key}", self.prefix))
        })
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime
            .as_ref()
            .expect("the runtime lives as long as the store")
            .block_on(future)
    }
}

impl Drop for S3Store {
    fn drop(&mut self) {
        // Dropping a runtime waits for its threads, which an async caller may not do.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl DocumentStore for S3Store {
    fn spool(&self) -> io::Result<NamedTempFile> {
        spool_in(&self.spool)
    }

    fn put(&self, key: &str, spooled: NamedTempFile) -> io::Result<()> {
        let path = self.path_of(key)?;
        let client = self.client.clone();
        let file = spooled.reopen()?;
        self.block_on(async move {
            let mut file = tokio::fs::File::from_std(file);
            let mut writer = BufWriter::with_capacity(client, path, PART_BYTES);
            let sent: io::Result<()> = async {
                let mut buffer = vec![0u8; 256 * 1024];
                loop {
                    let n = file.read(&mut buffer).await?;
                    if n == 0 {
                        break;
                    }
                    writer.write_all(&buffer[..n]).await?;
                }
                writer.shutdown().await
            }
            .await;
            if sent.is_err() {
                // a multipart upload begun is abandoned, not left as parts in the bucket
                let _ = writer.abort().await;
            }
            sent
        })?;
        // the spool file deletes itself
        drop(spooled);
        Ok(())
    }

    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>> {
        let path = self.path_of(key)?;
        let bytes = self.block_on(async {
            self.client
                .get(&path)
                .await
                .map_err(to_io)?
                .bytes()
                .await
                .map_err(to_io)
        })?;
        Ok(Box::new(Cursor::new(bytes)))
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        let path = self.path_of(key)?;
        match self.block_on(self.client.delete(&path)) {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other.map_err(to_io),
        }
    }

    fn is_empty(&self) -> io::Result<bool> {
        let prefix = (!self.prefix.is_empty()).then(|| ObjectPath::from(self.prefix.as_str()));
        self.block_on(async {
            let mut listing = self.client.list(prefix.as_ref());
            match listing.next().await {
                None => Ok(true),
                Some(Ok(_)) => Ok(false),
                Some(Err(e)) => Err(to_io(e)),
            }
        })
    }
}
