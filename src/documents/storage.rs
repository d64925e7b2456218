//! Where document bytes live. The service talks to a `DocumentStore`: by default a local
//! folder under `data_dir` (this file), or S3-compatible object storage (`s3.rs`), chosen
//! by `documents.storage`.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// Storage of uploaded documents under keys the service generates (never a client's
/// file name).
pub trait DocumentStore: Send + Sync {
    /// Where uploads are spooled while they are received and checked. For the local
    /// store it is on the same file system, so that `put` is a rename.
    fn spool(&self) -> io::Result<NamedTempFile>;

    /// Publishes a fully written and synced spool file under `key`, atomically: before it
    /// returns nobody can read the key, after it the whole content is there.
    fn put(&self, key: &str, spooled: NamedTempFile) -> io::Result<()>;

    /// The content stored under `key`.
    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>>;

    /// Removes `key`; a missing key is not an error.
    fn delete(&self, key: &str) -> io::Result<()>;

    /// Whether no document is stored (restore writes only into an empty store).
    fn is_empty(&self) -> io::Result<bool>;
}

/// Keys are the service's own UUIDs (36 characters of hex digits and dashes); anything
/// else is refused before it can name a path or an object.
pub fn is_storage_key(key: &str) -> bool {
    key.len() == 36 && key.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

pub(crate) fn check_key(key: &str) -> io::Result<()> {
    if is_storage_key(key) {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a storage key: {key:?}"),
        ))
    }
}

/// Files under `<data_dir>/documents/<last two characters of the key>/<key>`, spooled in
/// `<data_dir>/spool/`.
#[derive(Debug, Clone)]
pub struct LocalFolderStore {
    root: PathBuf,
    spool: PathBuf,
}

impl LocalFolderStore {
    pub fn new(data_dir: &Path) -> Self {
        LocalFolderStore {
            root: data_dir.join("documents"),
            spool: data_dir.join("spool"),
        }
    }

    fn path_of(&self, key: &str) -> io::Result<PathBuf> {
        check_key(key)?;
        Ok(self.root.join(&key[34..]).join(key))
    }
}

/// Makes a rename durable: the directory entry itself is flushed.
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

/// A spool file in `dir` (created if missing) that deletes itself unless published.
pub(crate) fn spool_in(dir: &Path) -> io::Result<NamedTempFile> {
    fs::create_dir_all(dir)?;
    tempfile::Builder::new()
        .prefix("upload-")
        .suffix(".part")
        .tempfile_in(dir)
}

impl DocumentStore for LocalFolderStore {
    fn spool(&self) -> io::Result<NamedTempFile> {
        spool_in(&self.spool)
    }

    fn put(&self, key: &str, spooled: NamedTempFile) -> io::Result<()> {
        let target = self.path_of(key)?;
        let dir = target
            .parent()
            .ok_or_else(|| io::Error::other("a storage path has a parent"))?;
        fs::create_dir_all(dir)?;
        spooled.as_file().sync_all()?;
        spooled.persist_noclobber(&target).map_err(|e| e.error)?;
        sync_dir(dir)
    }

    fn open(&self, key: &str) -> io::Result<Box<dyn Read + Send>> {
        Ok(Box::new(File::open(self.path_of(key)?)?))
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        match fs::remove_file(self.path_of(key)?) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn is_empty(&self) -> io::Result<bool> {
        let shards = match fs::read_dir(&self.root) {
            Ok(shards) => shards,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
            Err(e) => return Err(e),
        };
        for shard in shards {
            let shard = shard?;
            if !shard.file_type()?.is_dir() || fs::read_dir(shard.path())?.next().is_some() {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn put_publishes_atomically_and_keys_cannot_escape() {
        let dir = tempfile::tempdir().expect("dir");
        let store = LocalFolderStore::new(dir.path());
        let key = uuid::Uuid::now_v7().to_string();
        let mut spooled = store.spool().expect("spool");
        spooled.write_all(b"hello").expect("write");
        let spool_path = spooled.path().to_path_buf();
        assert!(store.open(&key).is_err(), "nothing before put");
        store.put(&key, spooled).expect("put");
        assert!(!spool_path.exists(), "the spool file moved");
        let mut read = String::new();
        store
            .open(&key)
            .expect("open")
            .read_to_string(&mut read)
            .expect("read");
        assert_eq!(read, "hello");
        // the same key is never overwritten
        let again = store.spool().expect("spool");
        assert!(store.put(&key, again).is_err());
        store.delete(&key).expect("delete");
        store.delete(&key).expect("deleting twice is fine");
        for bad in [
            "../../etc/passwd",
            "",
            "0192f3a4-0000-7000-8000-00000000000/",
            "/etc/passwd",
        ] {
            assert!(store.open(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_dropped_spool_file_leaves_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let store = LocalFolderStore::new(dir.path());
        let spooled = store.spool().expect("spool");
        let path = spooled.path().to_path_buf();
        assert!(path.exists());
        drop(spooled);
        assert!(!path.exists());
    }
}
