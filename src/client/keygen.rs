//! A client of the reseller keygen URL: sends the fields as a query (GET) or a form
//! (POST) and reads the plain-text answer back into keys or a token.

use std::net::IpAddr;
use std::time::Duration;

use crate::protocol::keygen::Token;

/// How the fields travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// What the URL answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Keys(Vec<String>),
    /// A documented token, and the detail text after it (`ERR_UPDATE_PWD_FAILED <detail>`).
    Token(Token, String),
    /// An answer that is neither (a server error, or not a keydesk at all).
    Other {
        status: u16,
        body: String,
    },
}

impl Reply {
    fn parse(status: u16, body: String) -> Self {
        let first = body.split_whitespace().next().unwrap_or_default();
        if let Some(token) = Token::parse(first) {
            let detail = body.trim()[first.len()..].trim().to_owned();
            return Self::Token(token, detail);
        }
        if status == 200 && !body.starts_with("ERR_") && !body.trim().is_empty() {
            return Self::Keys(body.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect());
        }
        Self::Other { status, body }
    }

    /// The token, if the answer is one.
    pub fn token(&self) -> Option<Token> {
        match self {
            Self::Token(token, _) => Some(*token),
            _ => None,
        }
    }
}

/// The keygen URL of one server.
#[derive(Debug, Clone)]
pub struct KeygenClient {
    url: String,
    http: reqwest::Client,
}

impl KeygenClient {
    /// `url`: the full keygen URL, e.g. `https://keys.example.com/keygen`.
    pub fn new(url: &str) -> Result<Self, reqwest::Error> {
        Self::build(url, None)
    }

    /// A client whose requests leave from `local` (another loopback address, say).
    pub fn from_address(url: &str, local: IpAddr) -> Result<Self, reqwest::Error> {
        Self::build(url, Some(local))
    }

    fn build(url: &str, local: Option<IpAddr>) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(60)).local_address(local).build()?;
        Ok(Self { url: url.to_owned(), http })
    }

    /// Sends the fields and reads the answer.
    pub async fn call(&self, method: Method, fields: &[(&str, &str)]) -> Result<Reply, reqwest::Error> {
        let request = match method {
            Method::Get => self.http.get(&self.url).query(fields),
            Method::Post => self.http.post(&self.url).form(fields),
        };
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok(Reply::parse(status, response.text().await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_keys_or_tokens() {
        assert_eq!(Reply::parse(200, "AAAA\nBBBB\n".into()), Reply::Keys(vec!["AAAA".into(), "BBBB".into()]));
        assert_eq!(Reply::parse(200, "ERR_WRONG_PASSWORD".into()).token(), Some(Token::WrongPassword));
        assert_eq!(
            Reply::parse(200, "ERR_UPDATE_PWD_FAILED too short".into()),
            Reply::Token(Token::UpdatePasswordFailed, "too short".into())
        );
        assert!(matches!(Reply::parse(500, "ERR_INTERNAL x".into()), Reply::Other { status: 500, .. }));
    }
}
