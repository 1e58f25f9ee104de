//! A license key API client: posts forms or queries with the API key, reads the envelope,
//! and can verify the signature with the server's published public key.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rsa::RsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::Value;
use sha2::Sha256;

/// Why a call produced no envelope.
#[derive(Debug, thiserror::Error)]
pub enum KeyClientError {
    #[error("the server could not be reached: {0}")]
    Http(reqwest::Error),
    #[error("the answer (HTTP {status}) is not a license key API envelope: {detail}")]
    NotAnEnvelope { status: u16, detail: String },
}

impl From<reqwest::Error> for KeyClientError {
    /// Without the URL: a GET carries the API key in its query, and this text reaches the screen.
    fn from(error: reqwest::Error) -> Self {
        Self::Http(error.without_url())
    }
}

/// One answer: the HTTP status and the envelope's parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope {
    pub status: u16,
    pub response: Value,
    /// The JSON string `response_base64` carries, decoded: the signed bytes.
    pub signed_json: String,
    pub private_key_used: String,
    pub signature: String,
}

impl Envelope {
    /// `code`, whether sent as a number or (deactivate) as a string.
    pub fn code(&self) -> u16 {
        match &self.response["code"] {
            Value::Number(n) => n.as_u64().unwrap_or_default() as u16,
            Value::String(s) => s.parse().unwrap_or_default(),
            _ => 0,
        }
    }

    pub fn message(&self) -> &str {
        self.response["message"].as_str().unwrap_or_default()
    }

    /// Whether the signature is a valid RSA PKCS#1 v1.5 SHA-256 signature of the signed
    /// JSON under the public key `pem` (SPKI PEM).
    pub fn verify(&self, pem: &str) -> bool {
        let (Ok(key), Ok(bytes)) = (RsaPublicKey::from_public_key_pem(pem), STANDARD.decode(&self.signature)) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        VerifyingKey::<Sha256>::new(key).verify(self.signed_json.as_bytes(), &signature).is_ok()
    }
}

/// Talks to one server's `/api/v1/` with one API key.
#[derive(Clone)]
pub struct KeyClient {
    http: reqwest::Client,
    base: String,
    api_key: String,
}

/// By hand: the API key never reaches a log or a panic message.
impl std::fmt::Debug for KeyClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyClient").field("base", &self.base).finish_non_exhaustive()
    }
}

impl KeyClient {
    /// `base` is the server root, e.g. `https://licenses.example.com`.
    pub fn new(base: impl Into<String>, api_key: impl Into<String>) -> Result<Self, KeyClientError> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
        Ok(Self { http, base: base.into().trim_end_matches('/').to_owned(), api_key: api_key.into() })
    }

    fn url(&self, endpoint: &str) -> String {
        format!("{}/api/v1/{endpoint}", self.base)
    }

    /// POSTs a form with `api_key` in it, as the API's clients do.
    pub async fn post(&self, endpoint: &str, fields: &[(&str, &str)]) -> Result<Envelope, KeyClientError> {
        let mut form: Vec<(&str, &str)> = vec![("api_key", self.api_key.as_str())];
        form.extend_from_slice(fields);
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let response = self
            .http
            .post(self.url(endpoint))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await?;
        read(response).await
    }

    /// GETs with every parameter, `api_key` too, in the query.
    pub async fn get(&self, endpoint: &str, fields: &[(&str, &str)]) -> Result<Envelope, KeyClientError> {
        let mut query: Vec<(&str, &str)> = vec![("api_key", self.api_key.as_str())];
        query.extend_from_slice(fields);
        read(self.http.get(self.url(endpoint)).query(&query).send().await?).await
    }

    /// The server's global public key, or a product's own.
    pub async fn public_key(&self, product: Option<i64>) -> Result<Option<String>, KeyClientError> {
        let url = match product {
            Some(id) => self.url(&format!("public-key/{id}")),
            None => self.url("public-key"),
        };
        let response = self.http.get(url).send().await?;
        if response.status().as_u16() == 404 {
            return Ok(None);
        }
        Ok(Some(response.error_for_status()?.text().await?))
    }
}

async fn read(response: reqwest::Response) -> Result<Envelope, KeyClientError> {
    let status = response.status().as_u16();
    let text = response.text().await?;
    let bad = |detail: &str| KeyClientError::NotAnEnvelope { status, detail: detail.to_owned() };
    let body: Value = serde_json::from_str(&text).map_err(|e| bad(&e.to_string()))?;
    let encoded = body["response_base64"].as_str().ok_or_else(|| bad("no response_base64"))?;
    let decoded = STANDARD.decode(encoded).map_err(|e| bad(&e.to_string()))?;
    Ok(Envelope {
        status,
        response: body["response"].clone(),
        signed_json: String::from_utf8(decoded).map_err(|e| bad(&e.to_string()))?,
        private_key_used: body["private_key_used"].as_str().unwrap_or_default().to_owned(),
        signature: body["signature"].as_str().unwrap_or_default().to_owned(),
    })
}
