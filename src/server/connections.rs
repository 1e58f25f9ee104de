//! The connection loop under every face: a cap on open connections, and hyper's timers for
//! the request head (which also bounds an idle keep-alive connection) and a whole request,
//! so that slow or silent clients, plain or TLS, cannot hold the server's sockets or tasks.
//!
//! axum's own `serve` has no timers and no cap; this loop serves the same router through
//! hyper's HTTP/1.1 connection builder with them.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderValue, header};
use http_body::Body as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// How long clients may take, and how many may be connected at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Connections open at once; the next waits in the kernel's backlog until one closes.
    pub max_connections: usize,
    /// The most a client may take to send a request's head, and the longest a kept-alive
    /// connection may sit idle between requests.
    pub header_read: Duration,
    /// The most one request may take from its head to the end of its answer, body read
    /// included: a body trickled in a byte a minute is cut off here.
    pub request: Duration,
    /// The most a TLS client may take over its handshake.
    pub handshake: Duration,
    /// How long shutdown waits for the requests in flight.
    pub drain: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: 4096,
            header_read: Duration::from_secs(10),
            request: Duration::from_secs(60),
            handshake: Duration::from_secs(10),
            drain: Duration::from_secs(30),
        }
    }
}

/// Where connections come from: plain TCP, or TLS after its handshake.
pub(super) trait Accept: Send + 'static {
    type Io: AsyncRead + AsyncWrite + Unpin + Send + 'static;

    /// The next connection that is ready for HTTP, with its peer. `None` when the listener
    /// is gone for good. May hand back nothing for a while (a TLS handshake under way).
    fn next(&mut self) -> impl Future<Output = Option<(Self::Io, SocketAddr)>> + Send;
}

impl Accept for tokio::net::TcpListener {
    type Io = TcpStream;

    async fn next(&mut self) -> Option<(TcpStream, SocketAddr)> {
        loop {
            match self.accept().await {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    return Some((stream, peer));
                }
                // Out of file descriptors and the like: wait, as axum's own listener does.
                Err(error) => {
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }
}

/// Serves `router` on every connection `listener` yields, within `limits`, until `shutdown`
/// completes; then stops accepting, lets the requests in flight finish (at most
/// `limits.drain`), and returns.
pub(super) async fn serve(
    mut listener: impl Accept,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        // A slot first, then the connection: past the cap, clients wait in the backlog.
        let slot = tokio::select! {
            () = &mut shutdown => break,
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
        };
        let (io, peer) = tokio::select! {
            () = &mut shutdown => break,
            next = listener.next() => match next {
                Some(next) => next,
                None => break,
            },
        };
        let router = router.clone();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                let read = Arc::new(AtomicBool::new(request.body().is_end_stream()));
                let (parts, body) = request.into_parts();
                let body = ReadToEnd { inner: body, read: read.clone() };
                let answer = router.clone().oneshot(hyper::Request::from_parts(parts, axum::body::Body::new(body)));
                async move {
                    let mut answer = match tokio::time::timeout(limits.request, answer).await {
                        Ok(Ok(answer)) => answer,
                        Err(_) => {
                            tracing::warn!(%peer, "a request took longer than its limit; the connection is closed");
                            timed_out()
                        }
                    };
                    // Refused before its body was read (too large, no credentials): the rest of
                    // the body is still on the wire, so this connection cannot carry another
                    // request. Saying so keeps a client from sending its next one into it.
                    if !read.load(Ordering::Acquire) {
                        answer.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
                    }
                    Ok::<_, Infallible>(answer)
                }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read)
                .keep_alive(true)
                .serve_connection(TokioIo::new(io), service);
            tokio::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(error) = result {
                        tracing::debug!(%peer, %error, "connection ended");
                    }
                }
                () = async { drop(stopping.wait_for(|stop| *stop).await) } => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    let _ = stop.send(true);
    // Every slot back means every connection has ended.
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    let drained = tokio::time::timeout(limits.drain, slots.acquire_many(all)).await;
    if drained.is_err() {
        tracing::warn!("shutdown did not wait for the last connections to finish");
    }
    Ok(())
}

/// A request over its time: 408, and the connection closes.
fn timed_out() -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut response = (axum::http::StatusCode::REQUEST_TIMEOUT, "Request Timeout").into_response();
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A request body that notes when it has been read to its end.
struct ReadToEnd {
    inner: Incoming,
    read: Arc<AtomicBool>,
}

impl http_body::Body for ReadToEnd {
    type Data = hyper::body::Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.read.store(true, Ordering::Release);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
