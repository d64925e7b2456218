//! Pure decisions of accounts: login throttling and what an invitation must name.

use chrono::{Duration, NaiveDateTime};

use super::Role;
use crate::error::FieldError;
use crate::organisations::model::OrgKind;

/// The limits of login throttling (from `auth.login_*` settings).
#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Failures of one account from one address, and of one account from anywhere.
    pub max_failures: usize,
    /// Failures from one address, whatever the account.
    pub max_failures_per_address: usize,
    pub window: Duration,
    /// Once the account-wide limit is reached: one attempt per this long from unknown
    /// addresses.
    pub slowdown: Duration,
}

/// One recorded attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastAttempt {
    pub at: NaiveDateTime,
    pub succeeded: bool,
    pub email: String,
}

/// What the database knows about recent attempts, each list newest first and inside the
/// window.
#[derive(Debug, Clone, Default)]
pub struct ThrottleFacts {
    /// This account from this address.
    pub pair: Vec<PastAttempt>,
    /// This address, any account.
    pub address: Vec<PastAttempt>,
    /// This account, any address.
    pub account: Vec<PastAttempt>,
    /// The account signed in from this address recently: the account-wide slowdown, which
    /// exists against attackers spreading guesses over many addresses, spares it.
    pub known_address: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allow,
    /// Answer 429 with `Retry-After` seconds.
    Refuse {
        retry_after_secs: u64,
    },
}

/// Failures after the most recent success (a success resets the count).
fn failures_since_success(attempts: &[PastAttempt]) -> Vec<NaiveDateTime> {
    attempts
        .iter()
        .take_while(|a| !a.succeeded)
        .map(|a| a.at)
        .collect()
}

/// Failures from one address, forgiving those of an account that later signed in from it:
/// a person's own typos are forgiven once they get in, but one valid account cannot
/// launder guesses at other accounts.
fn unforgiven_failures(attempts: &[PastAttempt]) -> Vec<NaiveDateTime> {
    let mut signed_in: Vec<&str> = Vec::new();
    let mut failures = Vec::new();
    for a in attempts {
        if a.succeeded {
            signed_in.push(&a.email);
        } else if !signed_in.contains(&a.email.as_str()) {
            failures.push(a.at);
        }
    }
    failures
}

/// When `failures` (newest first) will have fewer than `max` entries inside the window.
fn window_reopens(
    failures: &[NaiveDateTime],
    max: usize,
    window: Duration,
) -> Option<NaiveDateTime> {
    (max > 0 && failures.len() >= max).then(|| failures[max - 1] + window)
}

fn seconds_until(at: NaiveDateTime, now: NaiveDateTime) -> u64 {
    let millis = (at - now).num_milliseconds().max(0) as u64;
    millis.div_ceil(1000).max(1)
}

/// Decides whether a login attempt may go ahead.
///
/// - Five failures of an account from one address lock that pair until the oldest of them
///   leaves the window (a success in between resets the count).
/// - Five failures from one address, whatever the accounts, lock the address likewise; an
///   account's failures are forgiven once it signs in from there (not other accounts').
/// - Five failures of an account from anywhere (successes do not reset this) only slow it
///   down: addresses it has not signed in from recently may try once per `slowdown`; the
///   real user, from a known address, is never slowed, and the slowdown ends when the
///   failures leave the window.
pub fn decide(facts: &ThrottleFacts, limits: &ThrottleLimits, now: NaiveDateTime) -> Verdict {
    let mut until: Option<NaiveDateTime> = None;
    let mut later = |at: Option<NaiveDateTime>| {
        if let Some(at) = at.filter(|at| *at > now) {
            until = Some(until.map_or(at, |u| u.max(at)));
        }
    };
    later(window_reopens(
        &failures_since_success(&facts.pair),
        limits.max_failures,
        limits.window,
    ));
    later(window_reopens(
        &unforgiven_failures(&facts.address),
        limits.max_failures_per_address,
        limits.window,
    ));
    let account_failures = facts.account.iter().filter(|a| !a.succeeded).count();
    if !facts.known_address
        && account_failures >= limits.max_failures
        && let Some(last) = facts.account.first()
    {
        later(Some(last.at + limits.slowdown));
    }
    match until {
        Some(at) => Verdict::Refuse {
            retry_after_secs: seconds_until(at, now),
        },
        None => Verdict::Allow,
    }
}

/// The role of the first member of an organisation that registers itself, by its kind:
/// an NGO's member applies for grants (`ngo`); a government's, an agency's, a
/// foundation's or a company's keeps its registry projects (`registry`) and sees nothing
/// of the fund. Individuals and asset-recovery bodies do not register themselves (`None`):
/// the secretariat creates them.
pub fn registration_role(kind: OrgKind) -> Option<Role> {
    match kind {
        OrgKind::Ngo => Some(Role::Ngo),
        OrgKind::Government | OrgKind::Multilateral | OrgKind::Foundation | OrgKind::Company => {
            Some(Role::Registry)
        }
        OrgKind::Individual | OrgKind::AssetRecovery => None,
    }
}

/// What an invitation for `role` must and must not name: ngo, donor and registry users
/// belong to an organisation, trustees sit on a fund's board, the secretariat roles belong to neither.
pub fn invitation_shape(role: Role, has_organisation: bool, has_fund: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let needs_organisation = matches!(role, Role::Ngo | Role::Donor | Role::Registry);
    let needs_fund = role == Role::Trustee;
    if needs_organisation && !has_organisation {
        errors.push(FieldError::new(
            "organisation_id",
            format!("is required for the {} role", role.as_str()),
        ));
    }
    if !needs_organisation && has_organisation {
        errors.push(FieldError::new(
            "organisation_id",
            format!("must be absent for the {} role", role.as_str()),
        ));
    }
    if needs_fund && !has_fund {
        errors.push(FieldError::new(
            "fund_id",
            "is required for the trustee role",
        ));
    }
    if !needs_fund && has_fund {
        errors.push(FieldError::new(
            "fund_id",
            format!("must be absent for the {} role", role.as_str()),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t0() -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_800_000_000, 0)
            .expect("valid")
            .naive_utc()
    }

    fn limits() -> ThrottleLimits {
        ThrottleLimits {
            max_failures: 5,
            max_failures_per_address: 5,
            window: Duration::minutes(15),
            slowdown: Duration::seconds(60),
        }
    }

    fn attempt(at: NaiveDateTime, succeeded: bool, email: &str) -> PastAttempt {
        PastAttempt {
            at,
            succeeded,
            email: email.to_string(),
        }
    }

    /// `n` failures of a@x one minute apart ending at `last`, newest first.
    fn failures(n: i64, last: NaiveDateTime) -> Vec<PastAttempt> {
        (0..n)
            .map(|i| attempt(last - Duration::minutes(i), false, "a@x"))
            .collect()
    }

    #[test]
    fn four_failures_pass_and_the_fifth_locks_the_pair_until_the_oldest_leaves_the_window() {
        let now = t0();
        let mut facts = ThrottleFacts {
            pair: failures(4, now - Duration::seconds(10)),
            ..Default::default()
        };
        facts.address = facts.pair.clone();
        facts.account = facts.pair.clone();
        facts.known_address = true;
        assert_eq!(decide(&facts, &limits(), now), Verdict::Allow);
        facts.pair = failures(5, now - Duration::seconds(10));
        // the oldest (fifth newest) failed at now - 10 s - 4 min; it leaves the window 15 min later
        let expected = (15 * 60 - 4 * 60 - 10) as u64;
        assert_eq!(
            decide(&facts, &limits(), now),
            Verdict::Refuse {
                retry_after_secs: expected
            }
        );
        // once the window has passed, it opens again
        let later = now + Duration::minutes(16);
        assert_eq!(decide(&facts, &limits(), later), Verdict::Allow);
    }

    #[test]
    fn a_success_resets_the_pair_and_forgives_only_its_own_account_at_the_address() {
        let now = t0();
        let mut pair = failures(2, now - Duration::seconds(5));
        pair.push(attempt(now - Duration::minutes(3), true, "a@x"));
        pair.extend(failures(4, now - Duration::minutes(4)));
        let facts = ThrottleFacts {
            pair: pair.clone(),
            address: pair.clone(),
            known_address: true,
            ..Default::default()
        };
        assert_eq!(decide(&facts, &limits(), now), Verdict::Allow);
        // a valid account signing in does not forgive guesses at other accounts
        let mut address: Vec<PastAttempt> = (0..5)
            .map(|i| {
                attempt(
                    now - Duration::minutes(i + 1),
                    false,
                    &format!("victim{i}@x"),
                )
            })
            .collect();
        address.insert(0, attempt(now - Duration::seconds(1), true, "attacker@x"));
        let facts = ThrottleFacts {
            address,
            known_address: true,
            ..Default::default()
        };
        assert!(matches!(
            decide(&facts, &limits(), now),
            Verdict::Refuse { .. }
        ));
    }

    #[test]
    fn account_wide_failures_only_slow_unknown_addresses() {
        let now = t0();
        let mut account = failures(6, now - Duration::seconds(20));
        // the real user signing in elsewhere does not lift the slowdown for strangers
        account.insert(2, attempt(now - Duration::seconds(90), true, "a@x"));
        let facts = ThrottleFacts {
            account,
            known_address: false,
            ..Default::default()
        };
        assert_eq!(
            decide(&facts, &limits(), now),
            Verdict::Refuse {
                retry_after_secs: 40
            }
        );
        // a minute after the last attempt, one more try is allowed
        assert_eq!(
            decide(&facts, &limits(), now + Duration::seconds(41)),
            Verdict::Allow
        );
        // the real user's known address is not slowed at all
        let known = ThrottleFacts {
            known_address: true,
            ..facts
        };
        assert_eq!(decide(&known, &limits(), now), Verdict::Allow);
    }

    #[test]
    fn the_longest_wait_wins() {
        let now = t0();
        let facts = ThrottleFacts {
            pair: failures(5, now - Duration::minutes(1)),
            address: failures(5, now),
            ..Default::default()
        };
        let Verdict::Refuse { retry_after_secs } = decide(&facts, &limits(), now) else {
            panic!("refused")
        };
        assert_eq!(retry_after_secs, (15 * 60 - 4 * 60) as u64);
    }

    #[test]
    fn only_an_ngo_registers_for_the_fund_and_other_bodies_for_the_registry() {
        for kind in OrgKind::ALL {
            let expected = match kind {
                OrgKind::Ngo => Some(Role::Ngo),
                OrgKind::Individual | OrgKind::AssetRecovery => None,
                _ => Some(Role::Registry),
            };
            assert_eq!(registration_role(*kind), expected, "{kind}");
        }
    }

    #[test]
    fn invitations_name_exactly_what_the_role_needs() {
        assert!(invitation_shape(Role::Trustee, false, true).is_empty());
        assert!(invitation_shape(Role::Ngo, true, false).is_empty());
        assert!(invitation_shape(Role::Donor, true, false).is_empty());
        assert!(invitation_shape(Role::Registry, true, false).is_empty());
        assert!(invitation_shape(Role::Finance, false, false).is_empty());
        let fields = |e: Vec<FieldError>| e.into_iter().map(|f| f.field).collect::<Vec<_>>();
        assert_eq!(
            fields(invitation_shape(Role::Registry, false, false)),
            ["organisation_id"]
        );
        assert_eq!(
            fields(invitation_shape(Role::Trustee, true, false)),
            ["organisation_id", "fund_id"]
        );
        assert_eq!(
            fields(invitation_shape(Role::Ngo, false, true)),
            ["organisation_id", "fund_id"]
        );
        assert_eq!(
            fields(invitation_shape(Role::Admin, true, true)),
            ["organisation_id", "fund_id"]
        );
    }

    proptest! {
        /// Whatever happened, the wait never exceeds the window (pair and address) or the
        /// slowdown (account), so nobody is locked out for good.
        #[test]
        fn a_refusal_never_lasts_longer_than_the_window(
            pair in proptest::collection::vec((0i64..900, any::<bool>(), 0u8..3), 0..20),
            address in proptest::collection::vec((0i64..900, any::<bool>(), 0u8..3), 0..20),
            account in proptest::collection::vec((0i64..900, any::<bool>(), 0u8..3), 0..20),
            known in any::<bool>(),
        ) {
            let now = t0();
            let to_facts = |v: &Vec<(i64, bool, u8)>| {
                let mut v: Vec<PastAttempt> = v
                    .iter()
                    .map(|(ago, ok, who)| {
                        attempt(now - Duration::seconds(*ago), *ok, &format!("u{who}@x"))
                    })
                    .collect();
                v.sort_by_key(|a| std::cmp::Reverse(a.at));
                v
            };
            let facts = ThrottleFacts {
                pair: to_facts(&pair),
                address: to_facts(&address),
                account: to_facts(&account),
                known_address: known,
            };
            if let Verdict::Refuse { retry_after_secs } = decide(&facts, &limits(), now) {
                prop_assert!(retry_after_secs >= 1);
                prop_assert!(retry_after_secs <= 15 * 60);
                let after = now + Duration::seconds(retry_after_secs as i64);
                // after waiting, the refusal cannot come from the same attempts again
                let again = decide(&facts, &limits(), after);
                prop_assert_eq!(again, Verdict::Allow);
            }
        }
    }
}
