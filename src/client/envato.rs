//! Envato's Market API, to recognise purchase codes of products sold there
//! (`GET /v3/market/author/sale?code=…` with the author's personal token).

use std::time::Duration;

use serde::Deserialize;

/// What a purchase code was bought as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvatoSale {
    /// The Envato item id (a product's `external_reference`).
    pub item_id: String,
    /// The buyer's Envato username.
    pub buyer: String,
}

/// The Market API could not be asked.
#[derive(Debug, thiserror::Error)]
#[error("the Envato API could not be reached: {0}")]
pub struct EnvatoError(String);

/// Looks purchase codes up with an author's token.
#[derive(Clone)]
pub struct EnvatoClient {
    http: reqwest::Client,
    base_url: String,
    token: String,
}

impl std::fmt::Debug for EnvatoClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvatoClient").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Sale {
    item: Item,
    #[serde(default)]
    buyer: String,
}

#[derive(Deserialize)]
struct Item {
    id: serde_json::Value,
}

/// Envato's API root.
pub const ENVATO_API: &str = "https://api.envato.com";

impl EnvatoClient {
    pub fn new(base_url: impl Into<String>, token: impl Into<String>) -> Result<Self, EnvatoError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| EnvatoError(e.to_string()))?;
        Ok(Self { http, base_url: base_url.into().trim_end_matches('/').to_owned(), token: token.into() })
    }

    /// The sale behind a purchase code; `None` when Envato does not know the code.
    pub async fn sale(&self, code: &str) -> Result<Option<EnvatoSale>, EnvatoError> {
        let response = self
            .http
            .get(format!("{}/v3/market/author/sale", self.base_url))
            .query(&[("code", code)])
            .bearer_auth(&self.token)
            .send()
            .await
            // Without the URL: its query is the purchase code, which must never reach a log.
            .map_err(|e| EnvatoError(e.without_url().to_string()))?;
        match response.status().as_u16() {
            404 | 400 => return Ok(None),
            status if !(200..300).contains(&status) => return Err(EnvatoError(format!("HTTP {status}"))),
            _ => {}
        }
        let text = response.text().await.map_err(|e| EnvatoError(e.without_url().to_string()))?;
        let sale: Sale = serde_json::from_str(&text).map_err(|e| EnvatoError(e.to_string()))?;
        let item_id = match sale.item.id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        Ok(Some(EnvatoSale { item_id, buyer: sale.buyer }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn neither_the_purchase_code_nor_the_token_reaches_an_error_or_a_debug_line() {
        let client = EnvatoClient::new("http://127.0.0.1:9", "author-token-4711").expect("client");
        let error = client.sale("PURCHASE-CODE-1234").await.expect_err("nothing listens on port 9");
        assert!(!error.to_string().contains("PURCHASE-CODE"), "{error}");
        assert!(!format!("{client:?}").contains("author-token"), "{client:?}");
    }
}
