//! /app: the Telegram Mini App's page and its script and style, embedded in the binary. The page
//! reads everything through the data API (`/api/v1/`, [`super::api`]) with the init data
//! Telegram gave it; nothing here knows who is looking, so the page itself is the same for all.
//!
//! The assets are addressed with their content's hash (`/app/app.js?v=<hash>`): a browser keeps
//! them for a year, and a new binary's page names new ones. The page is revalidated every time.

use std::sync::OnceLock;

use actix_web::http::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};
use actix_web::middleware::Compress;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::pages::MINI_APP_HEADERS;

const PAGE: &str = include_str!("../../assets/mini-app/index.html");
const SCRIPT: &str = include_str!("../../assets/mini-app/app.js");
const STYLE: &str = include_str!("../../assets/mini-app/style.css");

/// Attaches the routes, gzipped for browsers that take it (a phone on a slow network opens
/// this first: the page weight in docs/mini-app.md is what travels).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::scope("/app")
            .wrap(Compress::default())
            .route("", web::get().to(page))
            .route("/app.js", web::get().to(script))
            .route("/style.css", web::get().to(style)),
    );
}

/// The first 16 hex digits of the SHA-256 of `body`: its version in addresses and its ETag.
fn version(body: &str) -> String {
    Sha256::digest(body.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

struct Versions {
    script: String,
    style: String,
    /// The page naming the assets' current versions.
    page: String,
    page_etag: String,
}

fn versions() -> &'static Versions {
    static VERSIONS: OnceLock<Versions> = OnceLock::new();
    VERSIONS.get_or_init(|| {
        let script = version(SCRIPT);
        let style = version(STYLE);
        let page = PAGE
            .replace("{{SCRIPT_VERSION}}", &script)
            .replace("{{STYLE_VERSION}}", &style);
        let page_etag = format!("\"{}\"", version(&page));
        Versions {
            script,
            style,
            page,
            page_etag,
        }
    })
}

#[derive(Deserialize)]
struct AssetQuery {
    v: Option<String>,
}

async fn page(req: HttpRequest) -> HttpResponse {
    let versions = versions();
    respond(
        &req,
        "text/html; charset=utf-8",
        &versions.page,
        &versions.page_etag,
        "no-cache",
    )
}

async fn script(req: HttpRequest, query: web::Query<AssetQuery>) -> HttpResponse {
    asset(
        &req,
        &query,
        "text/javascript; charset=utf-8",
        SCRIPT,
        &versions().script,
    )
}

async fn style(req: HttpRequest, query: web::Query<AssetQuery>) -> HttpResponse {
    asset(
        &req,
        &query,
        "text/css; charset=utf-8",
        STYLE,
        &versions().style,
    )
}

/// An asset: immutable for a year when asked for by its current version, else revalidated.
fn asset(
    req: &HttpRequest,
    query: &AssetQuery,
    content_type: &str,
    body: &'static str,
    current: &str,
) -> HttpResponse {
    let cache = if query.v.as_deref() == Some(current) {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    respond(req, content_type, body, &format!("\"{current}\""), cache)
}

fn respond(
    req: &HttpRequest,
    content_type: &str,
    body: &'static str,
    etag: &str,
    cache: &'static str,
) -> HttpResponse {
    let fresh = req
        .headers()
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    for header in MINI_APP_HEADERS {
        response.insert_header(header);
    }
    response
        .insert_header((CACHE_CONTROL, cache))
        .insert_header((ETAG, etag.to_owned()));
    if fresh {
        response.finish()
    } else {
        response.content_type(content_type).body(body)
    }
}
