//! The Mini App's page (`/app`) and its assets as a browser fetches them: types, caching and
//! the security headers; the page runs no inline script and loads scripts only from here and
//! from telegram.org.

use std::time::Duration;

use reqwest::header::HeaderMap;
use wellness_e2e::Server;
use wellness_postgres::test_support::TestDatabase;

const CSP: &str = "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; \
                   frame-ancestors https://web.telegram.org";

fn assert_secure(headers: &HeaderMap, what: &str) {
    assert_eq!(headers["content-security-policy"], CSP, "{what}");
    assert_eq!(headers["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(headers["referrer-policy"], "no-referrer", "{what}");
}

/// The address after `attribute="` for the first tag naming `file`.
fn address(html: &str, file: &str) -> String {
    let at = html
        .find(file)
        .unwrap_or_else(|| panic!("{file} not in {html}"));
    let end = at + html[at..].find('"').unwrap();
    html[at..end].to_owned()
}

#[tokio::test]
async fn the_mini_app_page_and_its_assets_come_with_their_types_caching_and_security_headers() {
    let db = TestDatabase::migrated().await.unwrap();
    let server = Server::start(&[("DATABASE_URL", db.url().to_owned())]);
    server
        .wait_for("/readyz", 200, Duration::from_secs(10))
        .await;
    let http = reqwest::Client::new();

    let page = http
        .get(format!("{}/app", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_secure(&headers, "/app");
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    assert!(
        headers.get("x-frame-options").is_none(),
        "Telegram Web frames it"
    );
    let html = page.text().await.unwrap();

    // Every script has a source (no inline code), each from here or Telegram.
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 2, "{html}");
    for script in scripts {
        let tag = &script[..script.find('>').unwrap()];
        assert!(
            tag.contains("src=\"/app/") || tag.contains("src=\"https://telegram.org/js/"),
            "{tag}"
        );
        assert!(script[tag.len() + 1..].starts_with("</script>"), "{script}");
    }
    assert!(!html.contains("style=\""), "no inline style: {html}");

    for (file, content_type) in [
        ("/app/app.js?v=", "text/javascript; charset=utf-8"),
        ("/app/style.css?v=", "text/css; charset=utf-8"),
    ] {
        let path = address(&html, file);
        let asset = http
            .get(format!("{}{path}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(asset.status(), 200, "{path}");
        let headers = asset.headers().clone();
        assert_secure(&headers, &path);
        assert_eq!(headers["content-type"], content_type, "{path}");
        assert_eq!(
            headers["cache-control"], "public, max-age=31536000, immutable",
            "{path}"
        );
        let etag = headers["etag"].to_str().unwrap().to_owned();
        assert!(!asset.bytes().await.unwrap().is_empty());

        // Asked for by another version, it is not kept; asked again, nothing is resent.
        let bare = path.split('?').next().unwrap();
        let stale = http
            .get(format!("{}{bare}?v=0", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(stale.headers()["cache-control"], "no-cache", "{bare}");
        let again = http
            .get(format!("{}{bare}", server.url))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{bare}");
        assert_secure(again.headers(), bare);
    }

    // What a phone downloads on the first visit, gzipped: within the budget of docs/mini-app.md.
    let mut weight = 0;
    for path in [
        "/app".to_owned(),
        address(&html, "/app/app.js?v="),
        address(&html, "/app/style.css?v="),
    ] {
        let gzipped = http
            .get(format!("{}{path}", server.url))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(gzipped.headers()["content-encoding"], "gzip", "{path}");
        assert_secure(gzipped.headers(), &path);
        weight += gzipped.bytes().await.unwrap().len();
    }
    assert!(
        weight < 150 * 1024,
        "the first load is {weight} bytes gzipped"
    );

    let missing = http
        .get(format!("{}/app/nothing.js", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
}
