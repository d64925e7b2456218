//! HTML printed to PDF by a headless Chromium, where the machine has one: the document a
//! reader gets is the page they see, with its fonts for every language, and no second
//! layout to keep in step. The browser is a separate process, given a temporary folder of
//! its own (the page, its profile, the PDF), killed when it takes too long, and at most
//! `PdfPrinter::SLOTS` run at once, so that a flood of requests cannot start a browser each.
//!
//! The page printed is the service's own: every value in it is escaped by the templates,
//! and its Content-Security-Policy lets nothing load or run. That is why the browser runs
//! without its sandbox (`--no-sandbox`), which it cannot set up as root or in most
//! containers: the sandbox protects against hostile pages, and this one is not.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::error::{AppError, ErrorCode};

/// Why no PDF came out.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error(
        "no headless browser to print with: {0:?} cannot be started (install chromium, or set annual_report.browser)"
    )]
    NoBrowser(String),
    #[error("the browser could not print the document: {0}")]
    Failed(String),
    #[error("printing is busy; retry in a moment")]
    Busy,
}

impl From<PdfError> for AppError {
    fn from(e: PdfError) -> Self {
        let mut error = AppError::new(ErrorCode::ServiceUnavailable, e.to_string());
        error.retry_after = Some(match e {
            PdfError::NoBrowser(_) => 3600,
            PdfError::Failed(_) | PdfError::Busy => 5,
        });
        error
    }
}

/// Prints HTML documents, a few at a time.
#[derive(Clone)]
pub struct PdfPrinter {
    browser: String,
    timeout: Duration,
    slots: Arc<Semaphore>,
}

impl PdfPrinter {
    /// Browsers printing at once: each takes a core and some 100 MB for a second or two.
    pub const SLOTS: usize = 2;
    /// How long a request waits for a free slot before it is told to come back.
    const QUEUE_WAIT: Duration = Duration::from_secs(20);

    pub fn new(browser: impl Into<String>, timeout: Duration) -> Self {
        PdfPrinter {
            browser: browser.into(),
            timeout,
            slots: Arc::new(Semaphore::new(Self::SLOTS)),
        }
    }

    /// Prints `html` on the blocking pool once a slot is free.
    pub async fn print(&self, html: String) -> Result<Vec<u8>, PdfError> {
        let permit = tokio::time::timeout(Self::QUEUE_WAIT, self.slots.clone().acquire_owned())
            .await
            .map_err(|_| PdfError::Busy)?
            .map_err(|_| PdfError::Busy)?;
        let (browser, timeout) = (self.browser.clone(), self.timeout);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            print_html(&browser, &html, timeout)
        })
        .await
        .map_err(|e| PdfError::Failed(format!("the print task stopped: {e}")))?
    }
}

/// Prints `html` with the headless browser `browser` (a name on `PATH` or a path) and
/// returns the PDF's bytes.
pub fn print_html(browser: &str, html: &str, timeout: Duration) -> Result<Vec<u8>, PdfError> {
    let folder = tempfile::tempdir().map_err(|e| PdfError::Failed(format!("temp folder: {e}")))?;
    let page = folder.path().join("document.html");
    let pdf = folder.path().join("document.pdf");
    std::fs::write(&page, html).map_err(|e| PdfError::Failed(format!("writing the page: {e}")))?;
    // the browser's messages go to a file: a pipe nobody reads while it runs could fill up
    // and stop it
    let log = folder.path().join("browser.log");
    let log_file =
        std::fs::File::create(&log).map_err(|e| PdfError::Failed(format!("log file: {e}")))?;
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-pdf-header-footer",
        ])
        .arg(format!(
            "--user-data-dir={}",
            folder.path().join("profile").display()
        ))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log_file))
        .spawn()
        .map_err(|_| PdfError::NoBrowser(browser.to_string()))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(PdfError::Failed(format!(
                    "no PDF after {} s",
                    timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(e) => return Err(PdfError::Failed(format!("waiting for the browser: {e}"))),
        }
    };
    let bytes = std::fs::read(&pdf).unwrap_or_default();
    if !status.success() || !bytes.starts_with(b"%PDF-") {
        let said = std::fs::read_to_string(&log).unwrap_or_default();
        let said: String = said
            .lines()
            .last()
            .unwrap_or("")
            .chars()
            .take(300)
            .collect();
        return Err(PdfError::Failed(format!("exit {status}; {said}")));
    }
    Ok(bytes)
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path)
        .map(|u| u.to_string())
        .unwrap_or_else(|()| format!("file://{}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_browser_is_said_by_name_and_answers_503() {
        let error = print_html(
            "/nonexistent/chromium-for-trustfund",
            "<p>x</p>",
            Duration::from_secs(5),
        )
        .expect_err("no such browser");
        assert!(
            matches!(error, PdfError::NoBrowser(ref b) if b.contains("chromium-for-trustfund"))
        );
        let answer = AppError::from(error);
        assert_eq!(answer.code, ErrorCode::ServiceUnavailable);
        assert!(answer.detail.contains("annual_report.browser"));
    }
}
