//! The real server on 127.0.0.1 (a free port) for a test, stopped when the returned
//! sender is dropped.

use keydesk::service::Service;
use tokio::sync::oneshot;

/// Serves every face of `service`; returns its base URL (`http://127.0.0.1:port`).
pub async fn start(service: &Service) -> (String, oneshot::Sender<()>) {
    start_with(service, keydesk::server::Options::default()).await
}

/// [`start`] with server options (limits, trusted proxies).
#[allow(dead_code)]
pub async fn start_with(service: &Service, options: keydesk::server::Options) -> (String, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = service.clone();
    tokio::spawn(async move {
        let _ = keydesk::server::serve_with(listener, server, options, async {
            let _ = stopped.await;
        })
        .await;
    });
    (base, stop)
}
