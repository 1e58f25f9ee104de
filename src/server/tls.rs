//! HTTPS for `keydesk serve --tls-cert FILE --tls-key FILE`: rustls (the same stack the
//! clients use), with each TLS handshake in its own task so that one slow or silent client
//! never holds up the connections behind it.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, mpsc};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::server::TlsStream;

use super::connections::Accept;

/// TLS handshakes under way at once. Each costs a task, a socket and rustls' buffers until
/// it ends or times out; past this, new clients wait in the kernel's backlog.
const MAX_HANDSHAKES: usize = 1024;

/// Why the certificate or key cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read the certificate chain {path}: {detail}")]
    Certificate { path: PathBuf, detail: String },
    #[error("{path} holds no certificate (a PEM file with -----BEGIN CERTIFICATE----- blocks)")]
    NoCertificate { path: PathBuf },
    #[error("cannot read the private key {path}: {detail}")]
    Key { path: PathBuf, detail: String },
    #[error("the certificate and the key do not go together: {0}")]
    Mismatch(String),
}

/// A server certificate chain and its key, ready to accept connections.
#[derive(Clone)]
pub struct Tls {
    acceptor: TlsAcceptor,
}

impl Tls {
    /// Reads a PEM certificate chain (leaf first) and a PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let chain = CertificateDer::pem_file_iter(cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .map_err(|e| TlsError::Certificate { path: cert.to_owned(), detail: e.to_string() })?;
        if chain.is_empty() {
            return Err(TlsError::NoCertificate { path: cert.to_owned() });
        }
        let private = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| TlsError::Key { path: key.to_owned(), detail: e.to_string() })?;
        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Mismatch(e.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, private)
            .map_err(|e| TlsError::Mismatch(e.to_string()))?;
        // The server speaks HTTP/1.1 only.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self { acceptor: TlsAcceptor::from(Arc::new(config)) })
    }

    /// A listener that yields connections once their handshake is done, within `handshake`.
    pub fn listen(&self, tcp: TcpListener, handshake: Duration) -> io::Result<TlsListener> {
        let local = tcp.local_addr()?;
        let (ready, incoming) = mpsc::channel(64);
        tokio::spawn(accept_forever(tcp, self.acceptor.clone(), handshake, ready));
        Ok(TlsListener { incoming, local })
    }
}

async fn accept_forever(
    mut tcp: TcpListener,
    acceptor: TlsAcceptor,
    handshake: Duration,
    ready: mpsc::Sender<(TlsStream<TcpStream>, SocketAddr)>,
) {
    let slots = Arc::new(Semaphore::new(MAX_HANDSHAKES));
    loop {
        let Ok(slot) = slots.clone().acquire_owned().await else { return };
        let Some((stream, peer)) = Accept::next(&mut tcp).await else { return };
        if ready.is_closed() {
            return;
        }
        let (acceptor, handed) = (acceptor.clone(), ready.clone());
        tokio::spawn(async move {
            let shaken = tokio::time::timeout(handshake, acceptor.accept(stream)).await;
            drop(slot);
            match shaken {
                Ok(Ok(tls)) => {
                    let _ = handed.send((tls, peer)).await;
                }
                Ok(Err(error)) => tracing::debug!(%peer, %error, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        });
    }
}

/// Connections whose TLS handshake has finished.
pub struct TlsListener {
    incoming: mpsc::Receiver<(TlsStream<TcpStream>, SocketAddr)>,
    local: SocketAddr,
}

impl TlsListener {
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }
}

impl Accept for TlsListener {
    type Io = TlsStream<TcpStream>;

    async fn next(&mut self) -> Option<(Self::Io, SocketAddr)> {
        self.incoming.recv().await
    }
}
