//! The HTTP server: the axum router that mounts the faces, and request logging.
//! Thin: authentication and limits here, every rule in the service.

mod client_addr;
mod connections;
mod console;
mod jobs;
mod keygen;
mod keymanager;
mod password_slots;

pub use jobs::{Webhooks, run_jobs_forever, run_jobs_once};
mod tdrs;
mod tls;

pub use client_addr::{ClientAddr, TrustedProxies};
pub use connections::Limits;
pub use password_slots::PasswordSlots;
pub use tls::{Tls, TlsError, TlsListener};

use std::future::Future;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use crate::client::envato::EnvatoClient;
use crate::service::Service;
use crate::service::delivery::Relay;

/// What the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub service: Service,
    pub options: Options,
    /// Argon2id's bounded share of the machine.
    pub passwords: PasswordSlots,
}

/// Optional integrations of a server.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Recognises Envato purchase codes of products sold on Envato (verify/activate code 206).
    pub envato: Option<EnvatoClient>,
    /// Connection cap and timeouts.
    pub limits: Limits,
    /// Reverse proxies whose `X-Forwarded-For` / `Forwarded` name the client (`--trusted-proxy`).
    pub trusted_proxies: TrustedProxies,
    /// Where queued assignments may post their webhooks (`--allow-private-webhooks`).
    pub webhooks: crate::domain::webhook::WebhookReach,
}

/// Paths the Registration Server face answers on (API 1.0.005 and later releases).
pub const TDRS_PATHS: [&str; 2] = ["/pbas/td2api/api/api.htm", "/pbas/td2as/api/api.htm"];

/// The path of the reseller keygen URL.
pub const KEYGEN_PATH: &str = "/keygen";

/// The router with every face mounted.
pub fn router(service: Service, options: Options) -> Router {
    let state = AppState { service, options, passwords: PasswordSlots::for_this_machine() };
    let mut router = Router::new();
    for path in TDRS_PATHS {
        router = router.route(path, axum::routing::any(tdrs::endpoint));
    }
    router
        .route(KEYGEN_PATH, axum::routing::any(keygen::endpoint))
        .route("/console/v1/version", axum::routing::get(console::version))
        .route(
            "/console/v1/login",
            axum::routing::post(console::login).layer(axum::extract::DefaultBodyLimit::max(console::LOGIN_BODY)),
        )
        .route("/console/v1/logout", axum::routing::post(console::logout))
        .route("/console/v1/whoami", axum::routing::get(console::whoami))
        .merge(
            console::backend_routes()
                .route_layer(axum::middleware::from_fn_with_state(state.clone(), console::require_session)),
        )
        .route("/api/v1/{*endpoint}", axum::routing::any(keymanager::endpoint))
        // The faces read their bodies themselves, each to its own limit; this bounds what the
        // console API's extractors read, after the session was found.
        .layer(axum::extract::DefaultBodyLimit::max(console::MAX_BODY))
        .with_state(state)
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: TcpListener,
    service: Service,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, service, Options::default(), shutdown).await
}

/// [`serve`] with integrations.
pub async fn serve_with(
    listener: TcpListener,
    service: Service,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = options.limits;
    connections::serve(listener, router(service, options), limits, shutdown).await
}

/// [`serve_with`] over HTTPS.
pub async fn serve_tls_with(
    listener: TcpListener,
    tls: &Tls,
    service: Service,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = options.limits;
    let listener = tls.listen(listener, limits.handshake)?;
    connections::serve(listener, router(service, options), limits, shutdown).await
}

/// Delivers queued mail every `every`, until the process ends: through `relay` when one is
/// given (`--smtp-url`), otherwise through the relay saved in the database at that moment, so
/// a relay saved later from a console is used without a restart.
pub async fn deliver_mail_forever(service: Service, relay: Option<Relay>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let saved = match &relay {
            Some(_) => None,
            None => {
                let lookup = service.clone();
                match tokio::task::spawn_blocking(move || lookup.smtp_relay()).await {
                    Ok(Ok(Some((saved, _)))) => Some(saved),
                    Ok(Ok(None)) => continue,
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "the saved mail relay cannot be read");
                        continue;
                    }
                    Err(_) => continue,
                }
            }
        };
        let Some(round) = relay.as_ref().or(saved.as_ref()) else { continue };
        match service.deliver_queued(round).await {
            Ok(0) => {}
            Ok(sent) => tracing::info!(sent, "mail delivered"),
            Err(error) => tracing::warn!(%error, "mail delivery round failed"),
        }
    }
}

/// Purges what `retention` no longer keeps every `every`, until the process ends.
pub async fn purge_forever(service: Service, retention: crate::service::retention::Retention, every: Duration) {
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let worker = service.clone();
        match tokio::task::spawn_blocking(move || worker.purge(&crate::service::Actor::Owner, &retention)).await {
            Ok(Ok(purged)) if purged.total() > 0 => tracing::info!(?purged, "purged what the retention keeps no more"),
            Ok(Ok(_)) => {}
            Ok(Err(error)) => tracing::warn!(%error, "the purge failed"),
            Err(_) => tracing::warn!("the purge task ended early"),
        }
    }
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
