//! IATI 2.x activity files into the registry.
//!
//! The file is read as a stream (quick-xml over a `BufRead`), one activity at a time, and
//! written in batches of `BATCH` activities, so memory stays flat however large the file
//! is (the only thing that grows is an 8-byte hash per activity, to catch an identifier
//! that appears twice). A document type declaration is refused outright — it is how XML
//! bombs ("billion laughs") and external entities get in — and any entity reference other
//! than the five predefined ones and character references is refused too.
//!
//! Activities are upserted by `iati-identifier`: an activity whose project already says
//! the same is left alone, so importing the same file twice changes nothing. Organisations
//! with an org-id reference become registered organisations (created when missing); others
//! stay names on the project.

pub mod cli;
pub mod count;
pub mod import;
pub mod mapping;
pub mod reader;
#[cfg(test)]
mod tests;

pub use cli::import_path;
pub use import::{
    BATCH, ChannelReader, ImportError, ImportOptions, ImportReport, MAX_LISTED_SKIPS, Skip, import,
};
pub use mapping::{Mapped, map_activity};
pub use reader::{Activity, ActivityReader, Coded, ParseError};
