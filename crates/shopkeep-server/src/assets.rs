//! The widget, console and demo shop, built by Vite and embedded in the binary.
//! Text assets are gzipped once on first request and kept; hashed file names
//! are cached forever, entry points briefly.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, HOST,
    VARY,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use rust_embed::Embed;

use crate::sites::{self, DEMO_SLUG};
use crate::state::AppState;

#[derive(Embed)]
#[folder = "../../web/widget/dist"]
struct Widget;

#[derive(Embed)]
#[folder = "../../web/console/dist"]
struct Console;

#[derive(Embed)]
#[folder = "../../web/demo/dist"]
struct Demo;

const CONSOLE_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    connect-src 'self'; img-src 'self' data:; media-src 'self' data:; object-src 'none'; base-uri 'none'; \
    form-action 'self'; frame-ancestors 'none'";
/// The demo page runs the embed snippet inline, as a shop's page would.
const DEMO_CSP: &str = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; \
    connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The loader's URL is in every shop's snippet, so it cannot carry a hash.
const SHORT: &str = "public, max-age=300";
const NO_CACHE: &str = "no-cache";
const SNIPPET_MARK: &str = "<!--shopkeep-snippet-->";

static GZIPPED: LazyLock<Mutex<HashMap<String, Arc<[u8]>>>> = LazyLock::new(Mutex::default);

fn compressible(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.contains("javascript")
        || mime.contains("json")
        || mime.contains("svg")
}

fn gzip(key: &str, data: &[u8]) -> Arc<[u8]> {
    let mut cache = GZIPPED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(found) = cache.get(key) {
        return found.clone();
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let compressed: Arc<[u8]> = std::io::Write::write_all(&mut encoder, data)
        .and_then(|()| encoder.finish())
        .map(Arc::from)
        .unwrap_or_else(|_| Arc::from(data));
    cache.insert(key.to_owned(), compressed.clone());
    compressed
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|enc| enc.trim().starts_with("gzip")))
}

fn respond(
    key: &str,
    path: &str,
    data: Cow<'static, [u8]>,
    cache: &'static str,
    request: &HeaderMap,
) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let mime = mime.essence_str();
    let mut response = if compressible(mime) && data.len() > 512 && accepts_gzip(request) {
        let mut response = Body::from(gzip(key, &data).to_vec()).into_response();
        response
            .headers_mut()
            .insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        Body::from(data.into_owned()).into_response()
    };
    let headers = response.headers_mut();
    let content_type = if mime.starts_with("text/") || mime.contains("javascript") {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    if let Ok(value) = HeaderValue::from_str(&content_type) {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(VARY, HeaderValue::from_static("accept-encoding"));
    response
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// `/widget/*`: public, loaded by shop pages on other origins.
pub async fn widget(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Widget::get(&path) else {
        return not_found();
    };
    let cache = if path.starts_with("assets/") {
        IMMUTABLE
    } else {
        SHORT
    };
    let mut response = respond(&format!("widget/{path}"), &path, file.data, cache, &headers);
    let out = response.headers_mut();
    out.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    out.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    response
}

/// `/console/*`: the single-page app; unknown paths get `index.html` so deep links work.
pub async fn console(path: Option<Path<String>>, headers: HeaderMap) -> Response {
    let path = path.map(|Path(p)| p).unwrap_or_default();
    let (path, file) = match Console::get(&path) {
        Some(file) if !path.is_empty() => (path, file),
        _ if path.starts_with("assets/") => return not_found(),
        _ => match Console::get("index.html") {
            Some(file) => ("index.html".to_owned(), file),
            None => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "the console was not built into this binary",
                )
                    .into_response();
            }
        },
    };
    let cache = if path.starts_with("assets/") {
        IMMUTABLE
    } else {
        NO_CACHE
    };
    let mut response = respond(
        &format!("console/{path}"),
        &path,
        file.data,
        cache,
        &headers,
    );
    response.headers_mut().insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONSOLE_CSP),
    );
    response
        .headers_mut()
        .insert("x-frame-options", HeaderValue::from_static("DENY"));
    response
}

pub async fn demo_root() -> Redirect {
    Redirect::permanent("/demo/")
}

/// `/demo/*`: the demo shop, with the demo site's snippet in every page.
pub async fn demo(
    State(state): State<AppState>,
    path: Option<Path<String>>,
    headers: HeaderMap,
) -> Response {
    let path = path
        .map(|Path(p)| p)
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "index.html".into());
    let Some(file) = Demo::get(&path) else {
        return not_found();
    };
    if !path.ends_with(".html") {
        return respond(&format!("demo/{path}"), &path, file.data, SHORT, &headers);
    }
    let site = match state.store.site_by_slug(DEMO_SLUG).await {
        Ok(Some(site)) => site,
        Ok(None) => {
            return (
                StatusCode::NOT_FOUND,
                "no demo site: start with `shopkeep serve --demo`",
            )
                .into_response();
        }
        Err(error) => return crate::error::ApiError::from(error).into_response(),
    };
    let base = match (
        &state.settings.public_url,
        headers.get(HOST).and_then(|h| h.to_str().ok()),
    ) {
        (Some(url), _) => url.clone(),
        // The Host header is the client's to choose: allow only host-name characters into the page.
        (None, Some(host))
            if host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)) =>
        {
            format!("http://{host}")
        }
        (None, _) => return not_found(),
    };
    let html =
        String::from_utf8_lossy(&file.data).replace(SNIPPET_MARK, &sites::snippet(&site, &base));
    let mut response = respond(
        &format!("demo/{path}"),
        &path,
        Cow::Owned(Vec::new()),
        NO_CACHE,
        &HeaderMap::new(),
    );
    *response.body_mut() = Body::from(html);
    response
        .headers_mut()
        .insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(DEMO_CSP));
    response
}
