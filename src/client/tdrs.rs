//! A Registration Server API client: signs each body with the salt and posts it.

use std::time::Duration;

use crate::protocol::tdrs::checksum::checksum;
use crate::protocol::tdrs::reply::Reply;
use crate::protocol::tdrs::request::{Envelope, Request};
use crate::protocol::xml::XmlError;

/// Why a call produced no reply.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("the server could not be reached: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the server's answer (HTTP {status}) is not a Registration Server reply: {error}")]
    NotAReply { status: u16, error: XmlError },
}

/// A reply with the HTTP status it came with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub reply: Reply,
}

/// Talks to one Registration Server endpoint as one distributor.
#[derive(Clone)]
pub struct TdrsClient {
    http: reqwest::Client,
    url: String,
    salt: String,
    distributor: Option<String>,
}

/// By hand: the checksum salt never reaches a log or a panic message.
impl std::fmt::Debug for TdrsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TdrsClient")
            .field("url", &self.url)
            .field("distributor", &self.distributor)
            .finish_non_exhaustive()
    }
}

impl TdrsClient {
    /// `url` is the full endpoint, e.g. `https://host/pbas/td2api/api/api.htm`.
    pub fn new(url: impl Into<String>, salt: impl Into<String>) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
        Ok(Self { http, url: url.into(), salt: salt.into(), distributor: None })
    }

    /// Sends `<distributor>` with every request, to act for that distributor.
    pub fn acting_for(mut self, code: impl Into<String>) -> Self {
        self.distributor = Some(code.into());
        self
    }

    /// The exact body and checksum this client sends for `request`.
    pub fn sign(&self, request: Request) -> (String, String) {
        let envelope = Envelope {
            request,
            request_time: Some(chrono::Utc::now().timestamp()),
            distributor: self.distributor.clone(),
        };
        let body = envelope.to_xml();
        let sum = checksum(body.as_bytes(), &self.salt);
        (body, sum)
    }

    /// Sends a request and reads the reply.
    pub async fn call(&self, request: Request) -> Result<Reply, ClientError> {
        let (body, sum) = self.sign(request);
        Ok(self.post_raw(body.into_bytes(), &sum).await?.reply)
    }

    /// Posts an arbitrary body with an arbitrary checksum (for tests of rejections).
    pub async fn post_raw(&self, body: Vec<u8>, checksum: &str) -> Result<Answer, ClientError> {
        let response = self
            .http
            .post(&self.url)
            .query(&[("checksum", checksum)])
            .header(reqwest::header::CONTENT_TYPE, "text/xml; charset=UTF-8")
            .body(body)
            .send()
            .await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let reply = Reply::parse(&bytes).map_err(|error| ClientError::NotAReply { status, error })?;
        Ok(Answer { status, reply })
    }
}
