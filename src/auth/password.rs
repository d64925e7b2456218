//! Passwords: argon2id at OWASP's minimum cost or above, a length floor, a refusal of the
//! commonest passwords, and a verification that costs the same for an unknown account.

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::FieldError;

/// OWASP Password Storage Cheat Sheet minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 128;

fn hasher() -> Argon2<'static> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .expect("the OWASP parameters are within argon2's limits");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) with a fresh random salt.
pub fn hash(password: &str) -> Result<String, String> {
    hasher()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| format!("hashing failed: {e}"))
}

/// Checks `password` against a stored PHC string. With `None` (no such account) the same
/// work is done against a fixed hash, so the answer time does not reveal which emails exist.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    let candidate = stored.unwrap_or(DUMMY_HASH);
    let Ok(parsed) = PasswordHash::new(candidate) else {
        return false;
    };
    let matches = hasher()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && stored.is_some()
}

/// The hash of a random string nobody knows, made with the same parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2Gq0F3v0tlo2P6bqQm8VYgHh8rqf3fwIY7LLpWbVK9Q";

/// The commonest passwords of public breach corpora that pass the length floor, lower-cased.
const COMMON: &[&str] = &[
    "123456789012",
    "1234567890123",
    "12345678901234",
    "123456789000",
    "password1234",
    "password12345",
    "password123456",
    "qwertyuiop12",
    "qwertyuiop123",
    "qwerty123456",
    "1q2w3e4r5t6y",
    "1qaz2wsx3edc",
    "iloveyou1234",
    "aaaaaaaaaaaa",
    "111111111111",
    "000000000000",
    "abcdefghijkl",
    "abc123456789",
    "passw0rd1234",
    "letmein12345",
    "welcome12345",
    "administrator",
    "admin1234567",
    "changeme1234",
    "trustno11234",
    "football1234",
    "baseball1234",
    "sunshine1234",
    "princess1234",
    "starwars1234",
    "superman1234",
    "monkey123456",
    "dragon123456",
    "master123456",
    "qwertyqwerty",
    "asdfghjkl123",
    "zxcvbnm12345",
    "passwordpassword",
    "password1password1",
    "correcthorsebatterystaple",
    "trustfund1234",
    "trustfund123",
];

/// What the password policy can find wrong with a proposed password. The API sends
/// `message()`; a page shows the same finding in the reader's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    TooShort,
    TooLong,
    TooEasy,
}

impl Weakness {
    pub const ALL: [Weakness; 3] = [Weakness::TooShort, Weakness::TooLong, Weakness::TooEasy];

    /// The field error's message in the API.
    pub fn message(self) -> String {
        match self {
            Weakness::TooShort => format!("must be at least {MIN_LENGTH} characters"),
            Weakness::TooLong => format!("must be at most {MAX_LENGTH} characters"),
            Weakness::TooEasy => "is too common or too easy to guess".to_string(),
        }
    }

    /// The finding a field error of the policy reports, read back from its message.
    pub fn of_message(message: &str) -> Option<Weakness> {
        Weakness::ALL.into_iter().find(|w| w.message() == message)
    }
}

/// **The password policy**: what is wrong with a proposed password (nothing when acceptable).
pub fn weaknesses(password: &str, email: &str) -> Vec<Weakness> {
    let mut found = Vec::new();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        found.push(Weakness::TooShort);
    } else if length > MAX_LENGTH {
        found.push(Weakness::TooLong);
    }
    let lower = password.to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default().to_lowercase();
    let one_repeated = lower.chars().all(|c| lower.starts_with(c));
    if COMMON.contains(&lower.as_str())
        || one_repeated
        || (local_part.len() >= 4 && lower.contains(&local_part))
    {
        found.push(Weakness::TooEasy);
    }
    found
}

/// Field errors for a proposed password (empty when acceptable).
pub fn check_strength(field: &str, password: &str, email: &str) -> Vec<FieldError> {
    weaknesses(password, email)
        .into_iter()
        .map(|w| FieldError::new(field, w.message()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_with_owasp_parameters_and_verifies() {
        let hashed = hash("a long enough passphrase").expect("hash");
        assert!(
            hashed.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hashed}"
        );
        assert!(verify("a long enough passphrase", Some(&hashed)));
        assert!(!verify("a wrong passphrase", Some(&hashed)));
        assert!(!verify("anything", None), "no account never verifies");
    }

    #[test]
    fn the_dummy_hash_is_well_formed_so_unknown_accounts_cost_the_same() {
        assert!(PasswordHash::new(DUMMY_HASH).is_ok());
    }

    #[test]
    fn refuses_short_common_and_personal_passwords() {
        assert!(!check_strength("password", "short", "a@b.org").is_empty());
        assert!(!check_strength("password", "Password1234", "a@b.org").is_empty());
        assert!(!check_strength("password", "aaaaaaaaaaaaaaa", "a@b.org").is_empty());
        assert!(!check_strength("password", "maria.lopez-2026!", "maria.lopez@ngo.org").is_empty());
        assert!(check_strength("password", "shelter lantern river 42", "a@b.org").is_empty());
    }

    #[test]
    fn each_finding_is_read_back_from_its_message() {
        for weakness in Weakness::ALL {
            assert_eq!(Weakness::of_message(&weakness.message()), Some(weakness));
        }
        assert_eq!(Weakness::of_message("is not correct"), None);
    }
}
