//! CSRF tokens of the pages' forms. A token is the HMAC-SHA256 of what the visitor's
//! browser holds, under a key only the server knows (`auth.jwt_secret`, shared by every
//! instance): the session when signed in (a synchronizer token that needs no storage: it
//! dies with the session), else the random `tf_csrf` cookie of the anonymous visitor (a
//! signed double-submit cookie). Another site can make the browser send the cookie, but it
//! cannot read it, so it cannot write the matching token into its own form.

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Keeps these MACs apart from any other use of the same secret.
const DOMAIN: &[u8] = b"trustfund web form\0";

fn mac(secret: &str, binding: &str) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(DOMAIN);
    mac.update(binding.as_bytes());
    mac
}

/// The token a form carries for `binding` (`s:<session hash>` or `a:<anonymous nonce>`).
pub fn token(secret: &str, binding: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(mac(secret, binding).finalize().into_bytes())
}

/// Whether `submitted` is the token of `binding` (compared in constant time).
pub fn check(secret: &str, binding: &str, submitted: &str) -> bool {
    let Ok(bytes) = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(submitted.trim())
    else {
        return false;
    };
    mac(secret, binding).verify_slice(&bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_checks_only_for_its_binding_and_secret() {
        let t = token("secret", "a:nonce");
        assert!(check("secret", "a:nonce", &t));
        assert!(!check("secret", "a:other", &t));
        assert!(!check("another secret", "a:nonce", &t));
        assert!(!check("secret", "s:nonce", &t), "anonymous ≠ session");
        assert!(!check("secret", "a:nonce", ""));
        assert!(!check("secret", "a:nonce", "not base64 !"));
        assert!(!check("secret", "a:nonce", &t[..t.len() - 2]));
    }
}
