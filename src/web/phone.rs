//! The assistants' phone app at `/app/`: an installable offline web app, served from files
//! embedded in the binary (`assets/app/`). It speaks only the public sync API, so the server
//! has nothing else to do for it than hand out its files.

use std::sync::OnceLock;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use crate::service::AppState;

/// The app's files: (name, content type, bytes). `sw.js` gets the release's version written in.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "index.html",
        "text/html; charset=utf-8",
        include_bytes!("../../assets/app/index.html"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/app/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/app/app.js"),
    ),
    (
        "store.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/app/store.js"),
    ),
    (
        "sync.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/app/sync.js"),
    ),
    (
        "words.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/app/words.js"),
    ),
    (
        "sw.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/app/sw.js"),
    ),
    (
        "manifest.webmanifest",
        "application/manifest+json",
        include_bytes!("../../assets/app/manifest.webmanifest"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../../assets/app/icon.svg"),
    ),
    (
        "icon-192.png",
        "image/png",
        include_bytes!("../../assets/app/icon-192.png"),
    ),
    (
        "icon-512.png",
        "image/png",
        include_bytes!("../../assets/app/icon-512.png"),
    ),
];

/// A digest of every file: it names the service worker's cache, so each release that changes
/// the app replaces the phones' cached copy.
pub fn version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let mut h = Sha256::new();
        for (name, _, bytes) in FILES {
            h.update(name.as_bytes());
            h.update(bytes);
        }
        h.finalize()[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/app", get(|| async { Redirect::to("/app/") }))
        .route("/app/", get(|| async { file("index.html") }))
        .route(
            "/app/{name}",
            get(|Path(name): Path<String>| async move { file(&name) }),
        )
}

fn file(name: &str) -> Response {
    let Some((_, kind, bytes)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body: Vec<u8> = if name == "sw.js" {
        String::from_utf8_lossy(bytes)
            .replace("__VERSION__", version())
            .into_bytes()
    } else {
        bytes.to_vec()
    };
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    // Always asked again (cheaply): the service worker keeps the offline copy.
    super::strict(
        h,
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
         connect-src 'self'; worker-src 'self'; manifest-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'",
        "no-cache",
    );
    if let Ok(tag) = HeaderValue::from_str(&format!("\"{}\"", version())) {
        h.insert(header::ETAG, tag);
    }
    r
}
