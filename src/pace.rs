//! Request bodies must keep coming. actix-web cuts slow *headers* (its client request
//! timeout, 408 after 5 s) but waits for a body forever: a client that announces a long
//! `Content-Length` and goes silent, or trickles a byte now and then, would hold a
//! connection and a worker's attention without end. Every request's body is therefore
//! wrapped, before routing, in a stream that fails with `TimedOut` when
//!
//! - nothing arrived for `server.body_idle_timeout_secs` (a silent client), or
//! - after `server.body_grace_secs`, less than `server.body_min_bytes_per_sec` arrived on
//!   average since the body was first awaited (a trickle).
//!
//! The extractors (`http::ValidJson`, the document upload, the IATI import) turn that into
//! a 408 `request_timeout` problem and the connection is closed. The clock starts when the
//! handler first waits for the body, so time a handler spends before reading it is never
//! the client's fault.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::HttpMessage;
use actix_web::dev::{Payload, ServiceRequest};
use actix_web::error::PayloadError;
use actix_web::web::Bytes;
use futures_util::Stream;
use tokio::time::{Instant, Sleep};

use crate::config::ServerSettings;

/// The pace a body must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    pub idle: Duration,
    pub min_bytes_per_sec: u64,
    pub grace: Duration,
}

impl Pace {
    pub fn from_settings(server: &ServerSettings) -> Self {
        Pace {
            idle: Duration::from_secs(server.body_idle_timeout_secs),
            min_bytes_per_sec: server.body_min_bytes_per_sec,
            grace: Duration::from_secs(server.body_grace_secs),
        }
    }

    /// The moment a body that started at `started`, last sent something at `last` and has
    /// sent `received` bytes so far is too slow (the pure rule, tested below).
    pub fn deadline(&self, started: Instant, last: Instant, received: u64) -> Instant {
        let idle = last + self.idle;
        if self.min_bytes_per_sec == 0 {
            return idle;
        }
        // received ≥ rate × (t − start − grace) holds until t = start + grace + received / rate
        let earned = Duration::from_secs_f64(received as f64 / self.min_bytes_per_sec as f64);
        idle.min(started + self.grace + earned)
    }
}

/// Wraps the request's body (called by the middleware in `app.rs` for every request).
pub fn guard(req: &mut ServiceRequest, pace: Pace) {
    let inner = req.take_payload();
    let paced: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(Paced {
        inner,
        pace,
        clock: None,
        last: None,
        received: 0,
        finished: false,
    });
    req.set_payload(Payload::from(paced));
}

/// Whether a payload error is this module's timeout.
pub fn is_timeout(error: &PayloadError) -> bool {
    matches!(error, PayloadError::Io(e) if e.kind() == std::io::ErrorKind::TimedOut)
}

struct Paced {
    inner: Payload,
    pace: Pace,
    /// Started on the first poll: (when, the sleep until the current deadline).
    clock: Option<(Instant, Pin<Box<Sleep>>)>,
    /// When the last chunk came.
    last: Option<Instant>,
    received: u64,
    finished: bool,
}

impl Stream for Paced {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.finished {
            return Poll::Ready(None);
        }
        let now = Instant::now();
        let pace = this.pace;
        let (started, sleep) = this.clock.get_or_insert_with(|| {
            (
                now,
                Box::pin(tokio::time::sleep_until(pace.deadline(now, now, 0))),
            )
        });
        let started = *started;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.received += chunk.len() as u64;
                let now = Instant::now();
                this.last = Some(now);
                sleep
                    .as_mut()
                    .reset(pace.deadline(started, now, this.received));
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(None) => {
                this.finished = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Pending => match sleep.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    this.finished = true;
                    let last = this.last.unwrap_or(started);
                    let why = if this.received == 0 || Instant::now() >= last + pace.idle {
                        format!(
                            "the body stopped arriving ({} bytes, then nothing)",
                            this.received
                        )
                    } else {
                        format!(
                            "the body arrived too slowly ({} bytes in {} s; at least {} bytes a second are needed)",
                            this.received,
                            started.elapsed().as_secs(),
                            pace.min_bytes_per_sec
                        )
                    };
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        why,
                    )))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pace() -> Pace {
        Pace {
            idle: Duration::from_secs(20),
            min_bytes_per_sec: 500,
            grace: Duration::from_secs(10),
        }
    }

    #[tokio::test]
    async fn a_silent_client_is_cut_at_the_idle_limit() {
        let t0 = Instant::now();
        assert_eq!(pace().deadline(t0, t0, 0), t0 + Duration::from_secs(10));
        let mut slow = pace();
        slow.min_bytes_per_sec = 0;
        assert_eq!(slow.deadline(t0, t0, 0), t0 + Duration::from_secs(20));
    }

    #[tokio::test]
    async fn a_2g_upload_is_never_cut() {
        // 10 MiB at 5 KB/s, a chunk a second: always ahead of the deadline
        let t0 = Instant::now();
        let mut received = 0u64;
        for second in 1..=2100u64 {
            received += 5_000;
            let now = t0 + Duration::from_secs(second);
            let deadline = pace().deadline(t0, now, received);
            assert!(
                deadline >= now + Duration::from_secs(19),
                "cut at {second} s"
            );
        }
    }

    #[tokio::test]
    async fn a_trickle_is_cut() {
        // 10 bytes a second: the average falls behind 500 B/s right after the grace
        let t0 = Instant::now();
        let now = t0 + Duration::from_secs(15);
        let deadline = pace().deadline(t0, now, 150);
        assert!(
            deadline < now,
            "a trickle of 10 B/s must be past its deadline at 15 s"
        );
    }
}
