//! Links to pages elsewhere (a registry project's own pages): what the service accepts as
//! one. It stores and shows them and never fetches them, so the rule is about what a
//! reader's browser would do with the address, not about what the server could reach:
//! an absolute `https://` address with a host, no user name or password (a classic way to
//! dress up a deceptive host: `https://trusted.org@evil.example/`), no spaces or control
//! characters, and not longer than any browser or proxy reliably carries.

use crate::error::FieldError;

use super::text::{self, Lines};

/// Longest address accepted, in characters, before and after normalisation.
pub const MAX_URL: usize = 2_000;

/// `value` (trimmed) as an absolute `https://` URL, normalised the way a browser parses it
/// (WHATWG: host lower-cased, internationalised hosts in punycode, an empty path as `/`,
/// backslashes as slashes), so that what is stored and shown is the address that will be
/// followed. Anything else is an error on `field`, and `value` comes back unchanged.
pub fn https_url(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let trimmed = value.trim();
    match normalised(trimmed) {
        Ok(url) => url,
        Err(problem) => {
            errors.push(FieldError::new(field, problem));
            trimmed.to_string()
        }
    }
}

fn normalised(value: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err("must not be empty".into());
    }
    if value.chars().count() > MAX_URL {
        return Err(format!("must be at most {MAX_URL} characters"));
    }
    // before parsing: the WHATWG parser silently drops tabs and line breaks and trims
    // controls, so an address could be stored as something other than what was sent
    if let Some(problem) = text::problem(value, Lines::Single) {
        return Err(problem);
    }
    if value.chars().any(char::is_whitespace) {
        return Err("must not contain spaces (write them as %20)".into());
    }
    // the scheme and the two slashes as written: the parser would otherwise read
    // `https:example.org` or `https:/example.org` as `https://example.org/`
    let absolute = value
        .get(..8)
        .is_some_and(|start| start.eq_ignore_ascii_case("https://"));
    if !absolute {
        return Err("must be an absolute https:// address".into());
    }
    let url = url::Url::parse(value).map_err(|e| format!("is not a valid address ({e})"))?;
    if url.scheme() != "https" || url.host_str().is_none_or(str::is_empty) {
        return Err("must be an absolute https:// address".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not contain a user name or password".into());
    }
    let url = String::from(url);
    if url.chars().count() > MAX_URL {
        return Err(format!("must be at most {MAX_URL} characters"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: &str) -> Result<String, String> {
        let mut errors = Vec::new();
        let url = https_url("links[0].url", value, &mut errors);
        match errors.as_slice() {
            [] => Ok(url),
            [e] => {
                assert_eq!(e.field, "links[0].url");
                Err(e.message.clone())
            }
            more => panic!("one error expected: {more:?}"),
        }
    }

    #[test]
    fn absolute_https_addresses_are_kept_as_a_browser_reads_them() {
        let ok = |v: &str| check(v).unwrap_or_else(|e| panic!("{v:?}: {e}"));
        assert_eq!(
            ok("https://example.org/projects/1?lang=fr#results"),
            "https://example.org/projects/1?lang=fr#results"
        );
        assert_eq!(ok("  https://example.org  "), "https://example.org/");
        assert_eq!(ok("HTTPS://Example.ORG/Path"), "https://example.org/Path");
        assert_eq!(
            ok("https://bücher.example/"),
            "https://xn--bcher-kva.example/"
        );
        assert_eq!(ok("https://example.org/a%20b"), "https://example.org/a%20b");
        assert_eq!(ok("https://192.0.2.1:8443/x"), "https://192.0.2.1:8443/x");
        // a backslash is a slash to a browser: the host is the one before it
        assert_eq!(
            ok("https://evil.example\\@trusted.org/"),
            "https://evil.example/@trusted.org/"
        );
        // "https://e.org/" is 14 characters: 2,000 in all is the most
        assert_eq!(
            ok(&format!("https://e.org/{}", "a".repeat(1_986))).len(),
            2_000
        );
    }

    #[test]
    fn anything_else_is_refused_with_a_reason() {
        let refused = |v: &str| {
            check(v)
                .err()
                .unwrap_or_else(|| panic!("{v:?} should be refused"))
        };
        for not_https in [
            "http://example.org/",
            "javascript:alert(1)",
            "JavaScript://example.org/%0Aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "ftp://example.org/",
            "/relative/path",
            "example.org/page",
            "//example.org/page",
            "https:example.org",
            "https:/example.org",
            "https://",
        ] {
            let problem = refused(not_https);
            assert!(
                problem.contains("https://") || problem.contains("valid address"),
                "{not_https:?}: {problem}"
            );
        }
        assert!(refused("https://user:pass@example.org/").contains("user name"));
        assert!(refused("https://user@example.org/").contains("user name"));
        assert!(refused("https://exa mple.org/").contains("spaces"));
        assert!(refused("https://example.org/\u{a0}x").contains("spaces"));
        assert!(refused("https://example.org/\tx").contains("one line"));
        assert!(refused("https://example.org/\nx").contains("one line"));
        assert!(refused("https://example.org/\u{0}").contains("control character"));
        assert!(refused("https://example.org/\u{7f}").contains("control character"));
        assert!(refused("https://example.org/\u{202e}fdp.exe").contains("bidirectional"));
        assert!(refused("https://exa%zzmple.org/").contains("valid address"));
        assert!(refused("").contains("empty"));
        assert!(refused("   ").contains("empty"));
        let long = format!("https://e.org/{}", "a".repeat(1_987));
        assert!(refused(&long).contains("2000"));
        // short enough as sent, too long once the browser's percent-encoding is applied
        let grows = format!("https://e.org/{}", "é".repeat(1_000));
        assert!(refused(&grows).contains("2000"));
    }
}
