//! A client of the console API: logs in, holds the session token, and tells an
//! unreachable server, a refused login and an incompatible server apart.

use std::time::Duration;

use crate::protocol::console::wire::{
    API_VERSION, IssuedView, KeyRequest, Login, Problem, ResellerView, Session, StaffView, Version,
};

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
    #[error("the server speaks console API {server}, this keydesk speaks {API_VERSION}; update one of them")]
    Incompatible { server: u32 },
    #[error("the server answered HTTP {status} with something that is not the console API")]
    NotConsoleApi { status: u16 },
}

/// A session with one server.
#[derive(Debug, Clone)]
pub struct ConsoleClient {
    base: String,
    http: reqwest::Client,
    token: Option<String>,
}

impl ConsoleClient {
    /// `base`: the server's root, e.g. `https://keys.example.com`.
    pub fn new(base: &str) -> Result<Self, ConsoleClientError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| ConsoleClientError::Unreachable { url: base.to_owned(), detail: e.to_string() })?;
        Ok(Self { base: base.trim_end_matches('/').to_owned(), http, token: None })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/console/v1/{path}", self.base)
    }

    fn unreachable(&self, error: &reqwest::Error) -> ConsoleClientError {
        ConsoleClientError::Unreachable { url: self.base.clone(), detail: error.to_string() }
    }

    async fn read<T: serde::de::DeserializeOwned>(&self, response: reqwest::Response) -> Result<T, ConsoleClientError> {
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| self.unreachable(&e))?;
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|_| ConsoleClientError::NotConsoleApi { status });
        }
        let problem: Problem =
            serde_json::from_slice(&bytes).map_err(|_| ConsoleClientError::NotConsoleApi { status })?;
        Err(match status {
            401 => ConsoleClientError::Unauthorized(problem.message),
            403 => ConsoleClientError::Forbidden(problem.message),
            _ => ConsoleClientError::Refused(problem.message),
        })
    }

    /// Checks that the server speaks this console API.
    pub async fn check_version(&self) -> Result<Version, ConsoleClientError> {
        let response = self.http.get(self.url("version")).send().await.map_err(|e| self.unreachable(&e))?;
        let version: Version = self.read(response).await?;
        if version.api != API_VERSION {
            return Err(ConsoleClientError::Incompatible { server: version.api });
        }
        Ok(version)
    }

    /// Logs in and keeps the session token.
    pub async fn login(&mut self, username: &str, password: &str) -> Result<StaffView, ConsoleClientError> {
        self.check_version().await?;
        let body = Login { username: username.to_owned(), password: password.to_owned() };
        let response = self.http.post(self.url("login")).json(&body).send().await.map_err(|e| self.unreachable(&e))?;
        let session: Session = self.read(response).await?;
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

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    pub async fn whoami(&self) -> Result<StaffView, ConsoleClientError> {
        let request = self.authorized(self.http.get(self.url("whoami")));
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        self.read(response).await
    }

    /// Ends the session on the server.
    pub async fn logout(&mut self) -> Result<(), ConsoleClientError> {
        let request = self.authorized(self.http.post(self.url("logout")));
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = response.status().as_u16();
        if status == 204 {
            self.token = None;
            return Ok(());
        }
        self.read::<serde_json::Value>(response).await.map(|_| ())
    }

    /// The resellers and pools this session's role may see.
    pub async fn resellers(&self) -> Result<Vec<ResellerView>, ConsoleClientError> {
        let request = self.authorized(self.http.get(self.url("resellers")));
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        self.read(response).await
    }

    /// Keys for a reseller's customer.
    pub async fn issue_keys(&self, order: &KeyRequest) -> Result<IssuedView, ConsoleClientError> {
        let request = self.authorized(self.http.post(self.url("keys")).json(order));
        let response = request.send().await.map_err(|e| self.unreachable(&e))?;
        self.read(response).await
    }
}
