//! The real server on 127.0.0.1 (a free port) for a test, stopped when the returned
//! sender is dropped.

use keydesk::service::Service;
use tokio::sync::oneshot;

/// Serves every face of `service`; returns its base URL (`http://127.0.0.1:port`).
pub async fn start(service: &Service) -> (String, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop, stopped) = oneshot::channel::<()>();
    let server = service.clone();
    tokio::spawn(async move {
        let _ = keydesk::server::serve(listener, server, async {
            let _ = stopped.await;
        })
        .await;
    });
    (base, stop)
}
