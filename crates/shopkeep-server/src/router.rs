//! Every route, and the layers around them, in one place.

use std::time::Duration;

use axum::Router;
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, patch, post, put};
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::sensitive_headers::SetSensitiveHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::state::AppState;
use crate::{api, assets, auth, demo, ws};

/// Largest request body; REST bodies are small JSON documents.
const MAX_BODY: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/auth/login", post(auth::routes::login))
        .route("/auth/logout", post(auth::routes::logout))
        .route("/me", get(auth::routes::me).patch(auth::routes::update_me))
        .route("/setup", post(auth::routes::setup))
        .route(
            "/me/photo",
            put(api::photos::upload).delete(api::photos::remove),
        )
        .route("/conversations", get(api::conversations::list))
        .route("/conversations/search", get(api::conversations::search))
        .route(
            "/conversations/{id}/tags",
            put(api::conversations::set_tags),
        )
        .route(
            "/conversations/{id}/events",
            get(api::conversations::events),
        )
        .route(
            "/conversations/{id}/transcript",
            post(api::conversations::email_transcript),
        )
        .route("/visitors/{id}", get(api::visitors::profile))
        .route("/sites", get(api::sites::list))
        .route("/sites/{id}", patch(api::sites::update))
        .route(
            "/sites/{id}/rules",
            get(api::rules::list).post(api::rules::create),
        )
        .route("/sites/{id}/rules/preview", post(api::rules::preview))
        .route(
            "/rules/{id}",
            put(api::rules::update).delete(api::rules::delete),
        )
        .route(
            "/mail/settings",
            get(api::mail::settings).put(api::mail::update_settings),
        )
        .route(
            "/departments",
            get(api::departments::list).post(api::departments::create),
        )
        .route(
            "/departments/{id}",
            put(api::departments::update).delete(api::departments::delete),
        )
        .route("/staff", get(api::staff::list).post(api::staff::create))
        .route("/staff/{id}", patch(api::staff::update))
        .route("/canned", get(api::canned::list).post(api::canned::create))
        .route(
            "/canned/{id}",
            put(api::canned::update).delete(api::canned::delete),
        )
        .route("/audit", get(api::audit::list))
        .route("/mail/test", post(api::mail::test))
        .route("/mail/failures", get(api::mail::failures))
        .fallback(|| async { crate::error::ApiError::not_found() });

    Router::new()
        .nest("/api/v1", api)
        .route("/v1/visitor", get(ws::visitor::upgrade))
        .route("/v1/agent", get(ws::agent::upgrade))
        .route("/v1/staff/{id}/photo", get(api::photos::serve))
        .route("/demo/identity/{customer}", get(demo::identity))
        .route("/widget/{*path}", get(assets::widget))
        .route(
            "/console",
            get(|| async { Redirect::permanent("/console/") }),
        )
        .route("/console/", get(assets::console))
        .route("/console/{*path}", get(assets::console))
        .route("/demo", get(assets::demo_root))
        .route("/demo/", get(assets::demo))
        .route("/demo/{*path}", get(assets::demo))
        .route("/", get(|| async { Redirect::temporary("/console/") }))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetSensitiveHeadersLayer::new([
                    AUTHORIZATION,
                    COOKIE,
                    SET_COOKIE,
                ]))
                .layer(TraceLayer::new_for_http())
                .layer(CatchPanicLayer::new())
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    Duration::from_secs(30),
                ))
                .layer(RequestBodyLimitLayer::new(MAX_BODY))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("x-content-type-options"),
                    HeaderValue::from_static("nosniff"),
                ))
                .layer(SetResponseHeaderLayer::if_not_present(
                    HeaderName::from_static("referrer-policy"),
                    HeaderValue::from_static("same-origin"),
                )),
        )
}

/// Ready when the store answers.
async fn ready(axum::extract::State(state): axum::extract::State<AppState>) -> impl IntoResponse {
    match state.store.count_staff().await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "store unavailable"),
    }
}
