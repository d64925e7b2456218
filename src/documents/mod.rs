//! Documents attached to applications: upload checks, storage and downloads.

pub mod detect;
pub mod storage;
pub mod upload;
