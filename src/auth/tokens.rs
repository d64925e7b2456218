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

/// Verifies signature, algorithm (HS256 only: `none` and every other algorithm fail),
/// issuer, audience, expiry, not-before and type; returns the user id.
pub fn verify_access(settings: &AuthSettings, token: &str) -> Result<String, String> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.algorithms = vec![Algorithm::HS256];
    validation.set_issuer(&[&settings.issuer]);
    validation.set_audience(&[&settings.audience]);
    validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = 5;
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
    Ok(data.claims.sub)
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
