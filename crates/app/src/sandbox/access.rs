//! Who may use the sandbox, and as whom.
//!
//! The sandbox runs the real bot against simulators, on the real database, so it must never be
//! reachable from elsewhere by accident. Unless asked for outright (`WELLNESS_SANDBOX=on`), a
//! request reaches it only from a loopback peer, with a loopback `Host` (a DNS-rebinding page
//! sends its own name) and without the headers a proxy adds (a TLS proxy in front of a
//! loopback-bound app is the documented deployment: its peer is loopback too). Everything else
//! gets the same 404 as a server with no sandbox.
//!
//! Each browser gets its own simulated Telegram user: a random session id in a cookie names it,
//! and the user's id is derived from it, so a browser is the same person after a restart.
//! The page carries a per-process token that every API call sends back, and the simulators'
//! own control endpoints demand the same token.

use std::net::IpAddr;

use actix_web::HttpRequest;
use actix_web::http::header::HOST;
use sha2::{Digest, Sha256};

/// The cookie that names a browser's sandbox session.
pub const SESSION_COOKIE: &str = "wellness_sandbox";
/// The header every API call carries the page's token in.
pub const TOKEN_HEADER: &str = "x-sandbox-token";
/// Headers a proxy adds: a request with one did not come from this machine's browser.
const PROXY_HEADERS: [&str; 6] = [
    "forwarded",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
    "via",
];
/// Simulated Telegram ids start here (far above the ids tests use, within JavaScript's exact
/// integers).
const FIRST_SANDBOX_ID: i64 = 1_000_000_000_000;

/// 128 random bits, URL-safe: the per-process token and session ids.
pub use crate::security::random_key as random_id;

/// Whether the request comes from a browser on this machine, addressed to this machine.
pub fn is_local(req: &HttpRequest) -> bool {
    let peer_local = req.peer_addr().is_some_and(|peer| peer.ip().is_loopback());
    let host = req
        .headers()
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    let proxied = PROXY_HEADERS
        .iter()
        .any(|name| req.headers().contains_key(*name));
    peer_local && host.is_some_and(is_loopback_host) && !proxied
}

/// `localhost`, `127.0.0.1:8080`, `[::1]:8080`: a name for this machine, with or without a port.
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((ip, tail)) if tail.is_empty() || tail.starts_with(':') => ip,
            _ => return false,
        },
        None => match host.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
            Some(_) => return false,
            None => host,
        },
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The browser's session id, when its cookie holds a well-formed one.
pub fn session(req: &HttpRequest) -> Option<String> {
    crate::security::cookie(req, SESSION_COOKIE).filter(|value| {
        value.len() == 22
            && value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    })
}

/// The `Set-Cookie` value that gives a browser a new session.
pub fn new_session_cookie(id: &str) -> String {
    // A year: the same browser stays the same person across restarts of the sandbox.
    format!("{SESSION_COOKIE}={id}; Path=/sandbox; Max-Age=31536000; HttpOnly; SameSite=Strict")
}

/// The simulated Telegram user id of a session.
pub fn telegram_id(session: &str) -> i64 {
    let digest = Sha256::digest(session.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    let spread = u64::from_be_bytes(first) % 1_000_000_000_000;
    FIRST_SANDBOX_ID + i64::try_from(spread).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::COOKIE;
    use actix_web::test::TestRequest;

    #[test]
    fn loopback_names_with_and_without_ports_are_local_and_others_are_not() {
        for host in [
            "localhost",
            "LOCALHOST:8080",
            "127.0.0.1",
            "127.0.0.1:8080",
            "[::1]",
            "[::1]:80",
            "127.5.6.7:1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "wellness.example",
            "wellness.example:443",
            "10.0.0.1:8080",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "[::1]x",
            "localhost:80x",
            "",
            "[2001:db8::1]:80",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    fn request(peer: &str, host: &str) -> TestRequest {
        TestRequest::default()
            .peer_addr(peer.parse().unwrap())
            .insert_header((HOST, host))
    }

    #[test]
    fn only_a_loopback_peer_naming_a_loopback_host_without_proxy_headers_is_local() {
        assert!(is_local(
            &request("127.0.0.1:50000", "127.0.0.1:8080").to_http_request()
        ));
        assert!(is_local(
            &request("[::1]:50000", "localhost:8080").to_http_request()
        ));
        // A page on another site whose name was rebound to 127.0.0.1.
        assert!(!is_local(
            &request("127.0.0.1:50000", "evil.example:8080").to_http_request()
        ));
        // Another machine.
        assert!(!is_local(
            &request("192.0.2.7:50000", "127.0.0.1:8080").to_http_request()
        ));
        // A proxy on this machine forwarding someone else, even with Host rewritten.
        for header in PROXY_HEADERS {
            let proxied = request("127.0.0.1:50000", "127.0.0.1:8080")
                .insert_header((header, "203.0.113.9"))
                .to_http_request();
            assert!(!is_local(&proxied), "{header}");
        }
    }

    #[test]
    fn a_session_is_read_only_from_a_well_formed_cookie() {
        let id = random_id();
        let req = TestRequest::default()
            .insert_header((COOKIE, format!("other=1; {SESSION_COOKIE}={id}; x=2")))
            .to_http_request();
        assert_eq!(session(&req).as_deref(), Some(id.as_str()));
        for bad in [
            "short",
            "has spaces in it......",
            "0123456789012345678901234",
        ] {
            let req = TestRequest::default()
                .insert_header((COOKIE, format!("{SESSION_COOKIE}={bad}")))
                .to_http_request();
            assert_eq!(session(&req), None, "{bad}");
        }
        assert_eq!(session(&TestRequest::default().to_http_request()), None);
    }

    #[test]
    fn each_session_is_its_own_telegram_user_and_stays_it() {
        let (a, b) = (random_id(), random_id());
        assert_ne!(telegram_id(&a), telegram_id(&b));
        assert_eq!(telegram_id(&a), telegram_id(&a));
        assert!(telegram_id(&a) >= FIRST_SANDBOX_ID);
        assert!(telegram_id(&a) < 2 * FIRST_SANDBOX_ID);
        assert_eq!(random_id().len(), 22);
        assert!(new_session_cookie(&a).contains("HttpOnly; SameSite=Strict"));
    }
}
