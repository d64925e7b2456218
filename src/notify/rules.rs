//! Pure decisions of the outbox: when to try a failed message again, and when to give up.

use std::time::Duration;

/// What happens to a message after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    /// Try again after this long.
    RetryIn(Duration),
    /// Mark it `failed` (it is kept, never deleted).
    GiveUp,
}

/// Exponential backoff: after the `attempts`-th failed attempt (1-based) wait
/// `base · 2^(attempts-1)`, never more than `max`.
pub fn retry_delay(attempts: i32, base_ms: u64, max_ms: u64) -> Duration {
    let exponent = attempts.saturating_sub(1).clamp(0, 62) as u32;
    let factor = 1u64.checked_shl(exponent).unwrap_or(u64::MAX);
    Duration::from_millis(base_ms.saturating_mul(factor).min(max_ms))
}

/// The decision after `attempts` attempts (this one included) failed. A permanent failure
/// (the server refused the address, the template cannot render) is not retried.
pub fn after_failure(
    attempts: i32,
    max_attempts: i32,
    permanent: bool,
    base_ms: u64,
    max_ms: u64,
) -> AfterFailure {
    if permanent || attempts >= max_attempts {
        AfterFailure::GiveUp
    } else {
        AfterFailure::RetryIn(retry_delay(attempts, base_ms, max_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn delays_double_from_the_base_up_to_the_cap() {
        let d = |n| retry_delay(n, 30_000, 3_600_000).as_secs();
        assert_eq!(
            (1..=9).map(d).collect::<Vec<_>>(),
            vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
        );
    }

    #[test]
    fn the_default_schedule_outlasts_a_mail_server_down_for_an_hour() {
        let total: Duration = (1..10).map(|n| retry_delay(n, 30_000, 3_600_000)).sum();
        assert!(total > Duration::from_secs(3 * 3600), "{total:?}");
    }

    #[test]
    fn gives_up_after_the_last_attempt_or_at_once_when_permanent() {
        assert_eq!(
            after_failure(1, 3, false, 100, 1000),
            AfterFailure::RetryIn(Duration::from_millis(100))
        );
        assert_eq!(
            after_failure(2, 3, false, 100, 1000),
            AfterFailure::RetryIn(Duration::from_millis(200))
        );
        assert_eq!(after_failure(3, 3, false, 100, 1000), AfterFailure::GiveUp);
        assert_eq!(after_failure(1, 3, true, 100, 1000), AfterFailure::GiveUp);
    }

    proptest! {
        #[test]
        fn delays_never_shrink_and_never_exceed_the_cap(
            n in -5i32..200, base in 1u64..100_000, extra in 0u64..10_000_000
        ) {
            let max = base + extra;
            let now = retry_delay(n, base, max);
            let next = retry_delay(n.saturating_add(1), base, max);
            prop_assert!(now <= next);
            prop_assert!(next <= Duration::from_millis(max));
            prop_assert!(now >= Duration::from_millis(base.min(max)));
        }
    }
}
