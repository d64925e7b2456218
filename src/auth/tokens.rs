//! Tokens. Access tokens are short JWTs (HS256 pinned) with `iss`, `aud`, `exp`, `nbf`,
//! `iat`, `jti` and a token type; opaque tokens (refresh, one-time) are 256 random bits,
//! stored only as their SHA-256.

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::AuthSettings;

pub const ACCESS_TOKEN_TYPE: &str = "access";

#[derive(Debug, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    pub sub: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    /// Token type: only `access` is accepted as a bearer token.
    pub typ: String,
}

pub fn issue_access(settings: &AuthSettings, user_id: &str) -> Result<String, String> {
    let now = Utc::now().timestamp();
    let claims = AccessClaims {
        iss: settings.issuer.clone(),
        aud: settings.audience.clone(),
        sub: user_id.to_string(),
        exp: now + settings.access_token_ttl_secs,
        nbf: now,
        iat: now,
        jti: uuid::Uuid::new_v4().to_string(),
        typ: ACCESS_TOKEN_TYPE.to_string(),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(settings.jwt_secret.as_bytes()),
    )
    .map_err(|e| format!("signing the access token failed: {e}"))
}

/// The leeway, in seconds, given to a token's `exp`, `nbf` and `iat` for clocks that
/// disagree a little.
const LEEWAY_SECS: u64 = 5;

/// Verifies signature, algorithm (HS256 only: `none` and every other algorithm fail),
/// issuer, audience, expiry, not-before and type; returns the user id.
pub fn verify_access(settings: &AuthSettings, token: &str) -> Result<String, String> {
    verify_access_claims(settings, token).map(|claims| claims.sub)
}

fn verify_access_claims(settings: &AuthSettings, token: &str) -> Result<AccessClaims, String> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.algorithms = vec![Algorithm::HS256];
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = LEEWAY_SECS;
    let data = decode::<AccessClaims>(
        token,
        &DecodingKey::from_secret(settings.jwt_secret.as_bytes()),
        &validation,
    )
    .map_err(|e| e.to_string())?;
    // jsonwebtoken checks `exp` and `nbf` but not `iat`: a token issued in the future was
    // made by a clock that is wrong or a key that leaked, and is refused either way.
    if data.claims.iat > Utc::now().timestamp() + validation.leeway as i64 {
        return Err("the token is issued in the future".into());
    }
    if data.claims.typ != ACCESS_TOKEN_TYPE {
        return Err(format!(
            "token type {:?} is not an access token",
            data.claims.typ
        ));
    }
    Ok(data.claims)
}

/// How many verified tokens are kept; past this the memory starts again empty.
const MAX_VERIFIED_TOKENS: usize = 4096;

/// Access tokens this process has verified, with their user and expiry. A bearer sends
/// the same token with every request for its lifetime (minutes), and verifying it again
/// (base64, the HMAC, and the claims parsed twice by jsonwebtoken) was a seventh of a
/// signed-in read's time (`perf`). A token is the same string it was when verified, so
/// only its expiry can change the answer: that is checked at every use, with the same
/// leeway. Keyed by the whole token, so a token that differs in one byte (a forged
/// signature) is never found and goes through the full check. Whether the user behind it
/// may still act is not decided here: `authenticate` reads the user (`KeptUsers`), and a
/// deactivated account is refused there, as before.
pub struct VerifiedTokens {
    settings: AuthSettings,
    tokens: std::sync::RwLock<std::collections::HashMap<String, (String, i64)>>,
}

impl VerifiedTokens {
    /// Tokens verified with `settings` (key, issuer, audience), the only ones it will use.
    pub fn new(settings: AuthSettings) -> Self {
        VerifiedTokens {
            settings,
            tokens: Default::default(),
        }
    }

    /// `verify_access`, once per token.
    pub fn verify(&self, token: &str) -> Result<String, String> {
        let now = Utc::now().timestamp();
        let unexpired = |exp: i64| exp >= now - LEEWAY_SECS as i64;
        {
            let tokens = self.tokens.read().unwrap_or_else(|e| e.into_inner());
            if let Some((sub, _)) = tokens.get(token).filter(|(_, exp)| unexpired(*exp)) {
                return Ok(sub.clone());
            }
        }
        let claims = verify_access_claims(&self.settings, token)?;
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        if tokens.len() >= MAX_VERIFIED_TOKENS {
            // expired tokens are what fills it: start again rather than keep them
            tokens.clear();
        }
        tokens.insert(token.to_string(), (claims.sub.clone(), claims.exp));
        Ok(claims.sub)
    }
}

/// A new opaque token: 32 random bytes, URL-safe base64 without padding.
pub fn new_opaque() -> String {
    use base64::Engine;
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored for an opaque token: its SHA-256 in hex. A leaked table reveals no token.
pub fn hash_opaque(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> AuthSettings {
        let mut settings = crate::config::Settings::load(None)
            .expect("built-in settings load")
            .auth;
        settings.jwt_secret = "a test secret that is long enough to use".into();
        settings
    }

    #[test]
    fn a_kept_token_answers_as_the_full_check_does() {
        let verified = VerifiedTokens::new(settings());
        let token = issue_access(&settings(), "user-1").expect("issued");
        for _ in 0..2 {
            assert_eq!(verified.verify(&token), Ok("user-1".to_string()));
        }
        // one byte changed in the signature: not the kept token, and refused
        let mut forged = token.clone().into_bytes();
        let last = forged.len() - 1;
        forged[last] = if forged[last] == b'A' { b'B' } else { b'A' };
        let forged = String::from_utf8(forged).expect("ascii");
        assert!(verified.verify(&forged).is_err());
        // a token made with another key is refused, however often it is sent
        let mut other = settings();
        other.jwt_secret = "another secret that is long enough to use".into();
        let foreign = issue_access(&other, "user-2").expect("issued");
        for _ in 0..2 {
            assert!(verified.verify(&foreign).is_err());
        }
    }

    #[test]
    fn a_kept_token_is_refused_once_it_expires() {
        let verified = VerifiedTokens::new(settings());
        let token = issue_access(&settings(), "user-1").expect("issued");
        assert_eq!(verified.verify(&token), Ok("user-1".to_string()));
        // as if its lifetime had passed: the kept expiry is moved back beyond the leeway
        verified
            .tokens
            .write()
            .expect("tokens")
            .get_mut(&token)
            .expect("kept")
            .1 = Utc::now().timestamp() - LEEWAY_SECS as i64 - 1;
        // the kept entry no longer answers; the full check decides (the real token has
        // not expired, so it passes again and is kept with its real expiry)
        assert_eq!(verified.verify(&token), Ok("user-1".to_string()));
        let kept = verified.tokens.read().expect("tokens")[&token].1;
        assert!(kept > Utc::now().timestamp());
    }

    #[test]
    fn an_issued_token_verifies_to_its_user() {
        let token = issue_access(&settings(), "user-1").expect("issued");
        assert_eq!(verify_access(&settings(), &token), Ok("user-1".to_string()));
    }

    #[test]
    fn another_key_issuer_or_audience_fails() {
        let token = issue_access(&settings(), "user-1").expect("issued");
        let mut other = settings();
        other.jwt_secret = "another secret that is long enough too".into();
        assert!(verify_access(&other, &token).is_err());
        let mut other = settings();
        other.issuer = "someone-else".into();
        assert!(verify_access(&other, &token).is_err());
        let mut other = settings();
        other.audience = "another-api".into();
        assert!(verify_access(&other, &token).is_err());
    }

    #[test]
    fn a_token_issued_in_the_future_is_refused() {
        let settings = settings();
        let now = Utc::now().timestamp();
        let sign = |iat: i64| {
            let claims = AccessClaims {
                iss: settings.issuer.clone(),
                aud: settings.audience.clone(),
                sub: "user-1".into(),
                exp: now + 3600,
                nbf: now - 10,
                iat,
                jti: "j".into(),
                typ: ACCESS_TOKEN_TYPE.into(),
            };
            encode(
                &Header::new(Algorithm::HS256),
                &claims,
                &EncodingKey::from_secret(settings.jwt_secret.as_bytes()),
            )
            .expect("signed")
        };
        assert!(
            verify_access(&settings, &sign(now + 3)).is_ok(),
            "within the leeway"
        );
        let err = verify_access(&settings, &sign(now + 600)).expect_err("future iat");
        assert!(err.contains("future"), "{err}");
    }

    #[test]
    fn opaque_tokens_are_random_and_hashed() {
        let (a, b) = (new_opaque(), new_opaque());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_opaque(&a).len(), 64);
        assert_ne!(hash_opaque(&a), a);
    }
}
