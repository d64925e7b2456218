//! The server's clock: the one place that says what "now" and "today" are, at the precision
//! both backends store. Rules take the time as an argument; only this module reads the clock.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SubsecRound, Utc};

/// Timestamps are kept to the microsecond, the finest both backends store.
pub fn stored_time(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

/// Now, at stored precision.
pub fn now() -> DateTime<Utc> {
    stored_time(Utc::now())
}

/// Now as the naive UTC timestamp rows hold.
pub fn now_naive() -> NaiveDateTime {
    now().naive_utc()
}

/// Today in UTC: the day pledges are valued, overdue is decided and payments are dated.
pub fn today() -> NaiveDate {
    Utc::now().date_naive()
}
