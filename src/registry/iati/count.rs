//! Counting lines: turns a byte position of the XML reader into a line number.

use std::io::{BufRead, Read};

const RING: usize = 64 * 1024;

fn record(consumed: &mut u64, newlines: &mut u64, ring: &mut [u8], bytes: &[u8]) {
    *newlines += bytes.iter().filter(|b| **b == b'\n').count() as u64;
    let tail = &bytes[bytes.len().saturating_sub(RING)..];
    let start = ((*consumed + (bytes.len() - tail.len()) as u64) % RING as u64) as usize;
    let first = tail.len().min(RING - start);
    ring[start..start + first].copy_from_slice(&tail[..first]);
    ring[..tail.len() - first].copy_from_slice(&tail[first..]);
    *consumed += bytes.len() as u64;
}

/// A `BufRead` that remembers how many lines it has handed out, and the last 64 KiB, so
/// that a byte position of the XML reader can be turned into a line number.
pub struct LineCounter<R> {
    inner: R,
    consumed: u64,
    newlines: u64,
    ring: Vec<u8>,
}

impl<R: BufRead> LineCounter<R> {
    pub fn new(inner: R) -> Self {
        LineCounter {
            inner,
            consumed: 0,
            newlines: 0,
            ring: vec![0; RING],
        }
    }

    fn record(&mut self, bytes: &[u8]) {
        record(
            &mut self.consumed,
            &mut self.newlines,
            &mut self.ring,
            bytes,
        );
    }

    /// The 1-based line of byte `position` (which must not be ahead of what was read).
    pub fn line_at(&self, position: u64) -> u64 {
        let position = position.min(self.consumed);
        let back = self.consumed - position;
        if back as usize > RING {
            return self.newlines + 1;
        }
        let later = (position..self.consumed)
            .filter(|p| self.ring[(p % RING as u64) as usize] == b'\n')
            .count() as u64;
        self.newlines - later + 1
    }
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.record(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        // The bytes being consumed are the head of the buffer just returned.
        let LineCounter {
            inner,
            consumed,
            newlines,
            ring,
        } = self;
        if let Ok(buf) = inner.fill_buf() {
            record(consumed, newlines, ring, &buf[..amount.min(buf.len())]);
        }
        inner.consume(amount);
    }
}
