//! The Shopkeep server: HTTP routes, the two WebSockets, the realtime hub and
//! the embedded UI. [`launch`] takes a bound listener and a shutdown future so
//! tests run it in-process on port 0.
//!
//! # Layout
//! - [`router`]: every route and layer, in one file.
//! - [`ws`]: the visitor and agent sockets; [`hub`]: fan-out and presence.
//! - [`auth`]: passwords, sessions, CSRF, login/setup routes; [`api`]: staff REST.
//! - [`assets`]: embedded widget, console and demo shop; [`sites`]: sites and snippets.
//! - [`tracking`]: live visitors, visits and pages, GeoIP, user agents, invitations.
//! - [`mail`]: mail templates and the SMTP sender that drains the outbox;
//!   [`transcripts`]: transcripts by mail; [`missed`]: the missed-chat check.
//! - [`team`]: the cached directory of departments and staff, access scopes;
//!   [`dispatch`]: routing and queue places; [`transfers`]: offered transfers;
//!   [`audit`]: refused actions.
//! - [`settings`], [`state`], [`origin`], [`tokens`], [`error`], [`i18n`]: plumbing.
#![forbid(unsafe_code)]

pub mod api;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod demo;
pub mod dispatch;
pub mod error;
pub mod hub;
pub mod i18n;
pub mod mail;
pub mod missed;
pub mod origin;
pub mod router;
pub mod settings;
pub mod sites;
pub mod state;
pub mod team;
pub mod tokens;
pub mod tracking;
pub mod transcripts;
pub mod transfers;
pub mod ws;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use shopkeep_store::Store;
use tokio::net::TcpListener;

pub use settings::ServerSettings;

use crate::hub::Hub;
use crate::origin::PublicOrigin;
use crate::state::{AppState, Limiters, SocketCounter};

/// How long open sockets get to say goodbye at shutdown before the store closes.
const DRAIN: Duration = Duration::from_secs(3);

/// Serves until `shutdown` resolves, then tells every socket to reconnect,
/// and flushes and closes the store.
pub async fn launch(
    settings: ServerSettings,
    store: Arc<dyn Store>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let public = PublicOrigin::new(settings.public_url.as_deref()).map_err(anyhow::Error::msg)?;
    let hub = Hub::new(settings.presence_grace);
    let hashing = std::thread::available_parallelism().map_or(2, usize::from);
    let geo = match &settings.tracking.geoip_database {
        Some(path) => Some(Arc::new(tracking::geo::GeoIp::open(path).map_err(
            |error| anyhow::anyhow!("cannot open the GeoIP database {}: {error}", path.display()),
        )?)),
        None => None,
    };
    let mailer =
        mail::Mailer::new(store.clone(), settings.mail.clone()).map_err(anyhow::Error::msg)?;
    let (stop_mail, mail_stopping) = tokio::sync::watch::channel(false);
    let sender = mailer.spawn(mail_stopping);
    let tracker =
        tracking::live::Tracker::new(store.clone(), hub.clone(), settings.tracking.leave_grace);
    let flusher = tracker.spawn_flusher(settings.tracking.flush_interval);
    let state = AppState {
        tracker: tracker.clone(),
        geo,
        store: store.clone(),
        hub: hub.clone(),
        limiters: Arc::new(Limiters::new(&settings)),
        sockets: SocketCounter::new(settings.limits.sockets_per_ip),
        hasher: auth::password::Hasher::new(hashing),
        public: Arc::new(public),
        mailer,
        settings: Arc::new(settings),
        team: Arc::new(team::TeamDirectory::new()),
        dispatch: Arc::new(dispatch::Dispatcher::new()),
        transfers: Arc::new(transfers::Transfers::default()),
    };
    team::reload(&state).await?;
    let routing = dispatch::spawn(state.clone());
    let team_frames = team::spawn_broadcaster(state.clone());
    let rules =
        tracking::invitations::spawn_rules(state.clone(), state.settings.tracking.rules_interval);
    let missed = missed::spawn(state.clone());
    let limiters = state.limiters.clone();
    let sweeper = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limiters.forget_idle();
        }
    });

    // The longest one send may take, and a little more.
    let mail_grace = state.settings.mail.timeout * 4 + Duration::from_secs(1);
    let app = router::router(state).into_make_service_with_connect_info::<SocketAddr>();
    let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
    let hub_for_signal = hub.clone();
    let signal = async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections; telling sockets to reconnect");
        // Upgraded sockets are not tracked by the HTTP server, so tell them directly.
        hub_for_signal.begin_shutdown();
        let _ = stopping_tx.send(());
    };
    axum::serve(listener, app)
        .with_graceful_shutdown(signal)
        .await?;
    let _ = stopping_rx.await;
    sweeper.abort();
    // Sockets finish their current frame (and its write) before they close.
    let deadline = tokio::time::Instant::now() + DRAIN;
    while hub.connected_visitors() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    rules.abort();
    missed.abort();
    routing.abort();
    team_frames.abort();
    flusher.abort();
    // The sender finishes the mail it is on, so it is recorded before the store closes.
    let _ = stop_mail.send(true);
    if tokio::time::timeout(mail_grace, sender).await.is_err() {
        tracing::warn!("the mail sender did not stop in time; its mail is retried after a restart");
    }
    // Page views gathered since the last tick.
    tracker.flush().await;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}
