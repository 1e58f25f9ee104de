//! A client of the console API: logs in, holds the session token, and tells an
//! unreachable server, a refused login and an incompatible server apart. Reads are retried
//! when the connection fails; writes never are, so nothing happens twice.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::protocol::console::wire::{API_VERSION, Login, Problem, Session, StaffView, Version};

/// Why a call to the console API did not work, in words for the person at the console.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleClientError {
    #[error("the server at {url} cannot be reached: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Refused(String),
    #[error("the server could not complete this: {0}")]
    Failed(String),
    #[error("the server speaks console API {server}, this keydesk speaks {API_VERSION}; update one of them")]
    Incompatible { server: u32 },
    #[error("the server answered HTTP {status} with something that is not the console API")]
    NotConsoleApi { status: u16 },
    #[error("the CA file {path} cannot be used: {detail}")]
    BadCaFile { path: PathBuf, detail: String },
}

/// How a client reaches its server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// A PEM certificate to trust besides the OS trust store (a self-signed server).
    pub ca_file: Option<PathBuf>,
    /// The longest a whole request may take.
    pub timeout: Duration,
    /// How many times a read is tried again after a failed connection or a 502/503/504.
    pub read_retries: u32,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self { ca_file: None, timeout: Duration::from_secs(30), read_retries: 2 }
    }
}

/// Whether a call may be sent again after a failure (reads), or must not be (writes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    Read,
    Write,
}

fn ca_certificate(path: &Path) -> Result<reqwest::Certificate, ConsoleClientError> {
    let bad = |detail: String| ConsoleClientError::BadCaFile { path: path.to_owned(), detail };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    reqwest::Certificate::from_pem(&pem).map_err(|e| bad(e.to_string()))
}

/// A session with one server.
#[derive(Clone)]
pub struct ConsoleClient {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
    read_retries: u32,
}

/// By hand: the session token never reaches a log or a panic message.
impl std::fmt::Debug for ConsoleClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleClient").field("base", &self.base).finish_non_exhaustive()
    }
}

impl ConsoleClient {
    /// `base`: the server's root, e.g. `https://keys.example.com`.
    pub fn new(base: &str) -> Result<Self, ConsoleClientError> {
        Self::with_options(base, &ClientOptions::default())
    }

    pub fn with_options(base: &str, options: &ClientOptions) -> Result<Self, ConsoleClientError> {
        // rustls with the OS trust store (and webpki's roots), plus the profile's own CA.
        let mut builder = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(Duration::from_secs(5))
            .user_agent(concat!("keydesk-console/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &options.ca_file {
            builder = builder.add_root_certificate(ca_certificate(path)?);
        }
        let http = builder
            .build()
            .map_err(|e| ConsoleClientError::Unreachable { url: base.to_owned(), detail: e.to_string() })?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), http, token: None, read_retries: options.read_retries })
    }

    /// The server's root, as given.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}/console/v1/{path}", self.base)
    }

    fn unreachable(&self, error: &reqwest::Error) -> ConsoleClientError {
        // reqwest's own text stops at "error sending request"; the cause says why.
        let mut detail = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            detail = format!("{detail}: {cause}");
            source = cause.source();
        }
        ConsoleClientError::Unreachable { url: self.base.clone(), detail }
    }

    async fn read<T: DeserializeOwned>(&self, response: reqwest::Response) -> Result<T, ConsoleClientError> {
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| self.unreachable(&e))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|_| ConsoleClientError::NotConsoleApi { status });
        }
        let problem: Problem = serde_json::from_slice(&bytes).map_err(|_| match status {
            // A proxy in front of a server that is down or restarting.
            502..=504 => ConsoleClientError::Unreachable {
                url: self.base.clone(),
                detail: format!("HTTP {status}: the server behind the proxy is not answering"),
            },
            _ => ConsoleClientError::NotConsoleApi { status },
        })?;
        Err(match (status, problem.error.as_str()) {
            (401, _) => ConsoleClientError::Unauthorized(problem.message),
            (403, _) => ConsoleClientError::Forbidden(problem.message),
            (_, "failed") => ConsoleClientError::Failed(problem.message),
            _ => ConsoleClientError::Refused(problem.message),
        })
    }

    /// Checks that the server speaks this console API.
    pub async fn check_version(&self) -> Result<Version, ConsoleClientError> {
        let version: Version = self.call(reqwest::Method::GET, "version", None::<&()>, Retry::Read).await?;
        if version.api != API_VERSION {
            return Err(ConsoleClientError::Incompatible { server: version.api });
        }
        Ok(version)
    }

    /// Logs in and keeps the session token.
    pub async fn login(&mut self, username: &str, password: &str) -> Result<StaffView, ConsoleClientError> {
        self.check_version().await?;
        let body = Login { username: username.to_owned(), password: password.to_owned() };
        let session: Session = self.call(reqwest::Method::POST, "login", Some(&body), Retry::Write).await?;
        self.token = Some(session.token);
        Ok(session.staff)
    }

    /// The session token (to keep in the OS keyring between runs).
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Uses a token kept from an earlier login.
    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    pub async fn whoami(&self) -> Result<StaffView, ConsoleClientError> {
        self.call(reqwest::Method::GET, "whoami", None::<&()>, Retry::Read).await
    }

    /// Ends the session on the server.
    pub async fn logout(&mut self) -> Result<(), ConsoleClientError> {
        let mut request = self.http.post(self.url("logout"));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        if response.status().as_u16() == 204 {
            self.token = None;
            return Ok(());
        }
        self.read::<serde_json::Value>(response).await.map(|_| ())
    }

    /// One call of the API: `path` under `/console/v1/`, an optional JSON body, the
    /// session's token.
    pub async fn call<B, T>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
        retry: Retry,
    ) -> Result<T, ConsoleClientError>
    where
        B: Serialize + ?Sized + Sync,
        T: DeserializeOwned,
    {
        self.send(method, path, retry, &|request| match body {
            Some(body) => request.json(body),
            None => request,
        })
        .await
    }

    /// A read with a query string (`?limit=400&offset=0`).
    pub async fn get_query<Q, T>(&self, path: &str, query: &Q) -> Result<T, ConsoleClientError>
    where
        Q: Serialize + ?Sized + Sync,
        T: DeserializeOwned,
    {
        self.send(reqwest::Method::GET, path, Retry::Read, &|request| request.query(query)).await
    }

    /// Sends a request that `build` completes. A read is sent again, after a short pause,
    /// when the connection failed or a proxy answered 502, 503 or 504.
    async fn send<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        retry: Retry,
        build: &(dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Sync),
    ) -> Result<T, ConsoleClientError> {
        let attempts = if retry == Retry::Read { 1 + self.read_retries } else { 1 };
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut request = build(self.http.request(method.clone(), self.url(path)));
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let again = attempt < attempts;
            match request.send().await {
                Ok(response) if again && matches!(response.status().as_u16(), 502..=504) => {}
                Ok(response) => return self.read(response).await,
                Err(error) if again && (error.is_connect() || error.is_timeout()) => {}
                Err(error) => return Err(self.unreachable(&error)),
            }
            tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
        }
    }
}
