//! The reseller automatic key generation URL: `GET /keygen?reselleremail=…&pwd=…&…` (or
//! the same fields as a form POST). The answer is plain text: the keys, one per line, or
//! one of the documented tokens. docs/protocols/keygen.md has every choice made where the
//! seed is silent.

use std::net::IpAddr;

use super::form::Params;
use crate::domain::reseller::{Channel, Edition, KeyOrder};
use crate::domain::user::is_valid_email;
use crate::service::resellers::{Issuer, MIN_PASSWORD_LENGTH};
use crate::service::{Service, ServiceError};

/// Every token the keygen URL answers with, as documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token {
    NoResellerEmail,
    NoPassword,
    NoQuantity,
    NoFirstName,
    NoLastName,
    NoEmail,
    PasswordSameAsOld,
    WrongEdition,
    UpdatePasswordFailed,
    WrongPassword,
    NotEnoughLicenses,
    NoResellerFound,
    PasswordUpdated,
}

impl Token {
    pub const ALL: [Self; 13] = [
        Self::NoResellerEmail,
        Self::NoPassword,
        Self::NoQuantity,
        Self::NoFirstName,
        Self::NoLastName,
        Self::NoEmail,
        Self::PasswordSameAsOld,
        Self::WrongEdition,
        Self::UpdatePasswordFailed,
        Self::WrongPassword,
        Self::NotEnoughLicenses,
        Self::NoResellerFound,
        Self::PasswordUpdated,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoResellerEmail => "ERR_PARAM_NO_RESELLEREMAIL",
            Self::NoPassword => "ERR_PARAM_NO_PASSWORD",
            Self::NoQuantity => "ERR_PARAM_NO_QUANTITY",
            Self::NoFirstName => "ERR_PARAM_NO_FIRSTNAME",
            Self::NoLastName => "ERR_PARAM_NO_LASTNAME",
            Self::NoEmail => "ERR_PARAM_NO_EMAIL",
            Self::PasswordSameAsOld => "ERR_PARAM_PWD_SAMEAS_OLD",
            Self::WrongEdition => "ERR_PARAM_WRONG_EDITION",
            Self::UpdatePasswordFailed => "ERR_UPDATE_PWD_FAILED",
            Self::WrongPassword => "ERR_WRONG_PASSWORD",
            Self::NotEnoughLicenses => "ERR_NO_ENOUGH_LICENSE",
            Self::NoResellerFound => "ERR_NO_RESELLER_FOUND",
            Self::PasswordUpdated => "OK_PWD_UPDATED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// What the URL answers: a token (with detail text for `ERR_UPDATE_PWD_FAILED`), the keys,
/// or, when keydesk itself failed, a server error that still starts with `ERR_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Token(Token),
    TokenWithDetail(Token, String),
    Keys(Vec<String>),
    Internal,
    /// The database takes no writes now (a full or read-only disk): nothing was generated,
    /// try again later (HTTP 503).
    Unavailable,
    /// Every password slot stayed taken for the whole wait: try again shortly (HTTP 503).
    Busy,
}

impl Answer {
    /// The body: one line per key, or the token.
    pub fn body(&self) -> String {
        match self {
            Self::Token(token) => token.as_str().to_owned(),
            Self::TokenWithDetail(token, detail) => format!("{} {detail}", token.as_str()),
            Self::Keys(keys) => keys.iter().map(|k| format!("{k}\n")).collect(),
            Self::Internal => "ERR_INTERNAL keydesk could not complete the request; nothing was generated".to_owned(),
            Self::Busy => "ERR_INTERNAL keydesk is busy; nothing was generated, try again in a few seconds".to_owned(),
            Self::Unavailable => {
                "ERR_INTERNAL keydesk cannot store anything now; nothing was generated, try again later".to_owned()
            }
        }
    }

    /// Always 200, as documented, except when keydesk itself failed or is busy.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Internal => 500,
            Self::Busy | Self::Unavailable => 503,
            _ => 200,
        }
    }

    /// Seconds a client should wait before it asks again, for the `Retry-After` header of a 503.
    pub fn retry_after(&self) -> Option<u32> {
        match self {
            Self::Busy => Some(5),
            Self::Unavailable => Some(60),
            _ => None,
        }
    }

    /// The token, or `OK` for keys; for the request log.
    pub fn log_code(&self) -> &'static str {
        match self {
            Self::Token(token) | Self::TokenWithDetail(token, _) => token.as_str(),
            Self::Keys(_) => "OK",
            Self::Internal => "ERR_INTERNAL",
            Self::Busy => "ERR_INTERNAL busy",
            Self::Unavailable => "ERR_INTERNAL unavailable",
        }
    }
}

/// Checks 1 and 2 of the documented order: the reseller's e-mail and password are given.
/// Returns them, so that the caller can wait out a login delay before the password check.
pub fn credentials(params: &Params) -> Result<(&str, &str), Answer> {
    let email = params.filled("reselleremail").ok_or(Answer::Token(Token::NoResellerEmail))?;
    // A password is taken as sent; only an empty one counts as missing.
    let password = params.get("pwd").filter(|p| !p.is_empty()).ok_or(Answer::Token(Token::NoPassword))?;
    Ok((email, password))
}

/// The customer's order from checks 6 and 7: names, e-mail, quantity, edition, test mode.
fn order(params: &Params) -> Result<KeyOrder, Token> {
    let first_name = params.filled("firstName").ok_or(Token::NoFirstName)?;
    let last_name = params.filled("lastName").ok_or(Token::NoLastName)?;
    let email = params.filled("email").filter(|e| is_valid_email(e)).ok_or(Token::NoEmail)?;
    let quantity = match params.get("qty") {
        None => 1,
        Some(text) => text.trim().parse::<u32>().ok().filter(|q| *q >= 1).ok_or(Token::NoQuantity)?,
    };
    let edition = match params.filled("edition") {
        None => None,
        Some(code) => Some(Edition::from_code(code).ok_or(Token::WrongEdition)?),
    };
    let test_mode = params.get("testMode").is_some_and(|v| v.trim().eq_ignore_ascii_case("y"));
    Ok(KeyOrder {
        first_name: first_name.to_owned(),
        last_name: last_name.to_owned(),
        email: email.to_owned(),
        quantity,
        edition,
        test_mode,
    })
}

/// The token for a refusal of the service.
fn refusal(error: ServiceError) -> Answer {
    let token = match error {
        ServiceError::ResellerUnknown | ServiceError::ResellerNoPool => Token::NoResellerFound,
        ServiceError::WrongPassword => Token::WrongPassword,
        ServiceError::PasswordSameAsOld => Token::PasswordSameAsOld,
        ServiceError::PasswordInvalid => {
            let detail = format!("The new password must have at least {MIN_PASSWORD_LENGTH} characters.");
            return Answer::TokenWithDetail(Token::UpdatePasswordFailed, detail);
        }
        ServiceError::EmailInvalid => Token::NoEmail,
        ServiceError::EditionRequired => Token::WrongEdition,
        // More than one order may have (domain::limits::MAX_ORDER): not a quantity we take.
        ServiceError::TooMany(_) => Token::NoQuantity,
        ServiceError::PoolTooSmall(_) | ServiceError::ContractLimitReached | ServiceError::ContractQuantity => {
            Token::NotEnoughLicenses
        }
        // The pool exists but cannot make keys: its product is gone or inactive, or it has
        // no generator. For the reseller that edition cannot be served; the log says why.
        error @ (ServiceError::ProductNotFound
        | ServiceError::GeneratorNotFound
        | ServiceError::KeyspaceTooSmall
        | ServiceError::ContractNotFound) => {
            tracing::warn!(%error, "a reseller pool cannot make keys");
            Token::NoResellerFound
        }
        error => return failure(&error),
    };
    Answer::Token(token)
}

/// keydesk itself failed: unavailable while the database takes no writes (a full or
/// read-only disk, which passes), else an internal failure.
pub fn failure(error: &ServiceError) -> Answer {
    if error.is_unwritable() {
        tracing::error!(%error, "keygen request refused: the database takes no writes");
        Answer::Unavailable
    } else {
        tracing::error!(%error, "keygen request failed inside keydesk");
        Answer::Internal
    }
}

/// Checks 3 to 9, after [`credentials`]: the reseller and password, then either the
/// password update (`newpwd`) or the order. Blocking: Argon2id and the store.
pub fn answer(service: &Service, params: &Params, ip: IpAddr) -> Answer {
    let (email, password) = match credentials(params) {
        Ok(found) => found,
        Err(answer) => return answer,
    };
    let reseller = match service.authenticate_reseller(email, password, ip) {
        Ok(reseller) => reseller,
        Err(error) => return refusal(error),
    };
    if let Some(new_password) = params.get("newpwd") {
        return match service.set_reseller_password(reseller.id, new_password) {
            Ok(()) => Answer::Token(Token::PasswordUpdated),
            Err(ServiceError::Hashing) => {
                Answer::TokenWithDetail(Token::UpdatePasswordFailed, "The password could not be stored.".into())
            }
            Err(error) => refusal(error),
        };
    }
    let order = match order(params) {
        Ok(order) => order,
        Err(token) => return Answer::Token(token),
    };
    match service.issue_keys(Issuer::Reseller(Channel::KeygenUrl), reseller.id, &order) {
        Ok(issued) => Answer::Keys(issued.keys),
        Err(error) => refusal(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params::new(pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
    }

    #[test]
    fn tokens_round_trip() {
        assert!(Token::ALL.iter().all(|t| Token::parse(t.as_str()) == Some(*t)));
        assert!(Token::ALL.iter().all(|t| t.as_str().starts_with("ERR_") || *t == Token::PasswordUpdated));
    }

    #[test]
    fn the_order_is_read_in_the_documented_order() {
        let full = [("firstName", "Ada"), ("lastName", "Lovelace"), ("email", "ada@example.com")];
        assert_eq!(order(&params(&[])), Err(Token::NoFirstName));
        assert_eq!(order(&params(&full[..1])), Err(Token::NoLastName));
        assert_eq!(order(&params(&full[..2])), Err(Token::NoEmail));
        assert_eq!(order(&params(&[full[0], full[1], ("email", "not-an-address")])), Err(Token::NoEmail));
        let ok = order(&params(&full)).expect("order");
        assert_eq!((ok.quantity, ok.edition, ok.test_mode), (1, None, false));
        for bad in ["", "0", "-1", "two", "1.5"] {
            assert_eq!(order(&params(&[full[0], full[1], full[2], ("qty", bad)])), Err(Token::NoQuantity), "{bad}");
        }
        let with = |k, v| order(&params(&[full[0], full[1], full[2], ("qty", "x"), (k, v)]));
        assert_eq!(with("edition", "pro"), Err(Token::NoQuantity), "quantity is checked before the edition");
        let with = |k, v| order(&params(&[full[0], full[1], full[2], (k, v)]));
        assert_eq!(with("edition", "basic"), Err(Token::WrongEdition));
        assert_eq!(with("edition", "ent").map(|o| o.edition), Ok(Some(Edition::Enterprise)));
        assert_eq!(with("testMode", "Y").map(|o| o.test_mode), Ok(true));
        assert_eq!(with("testMode", "N").map(|o| o.test_mode), Ok(false));
    }

    #[test]
    fn keys_are_one_per_line() {
        assert_eq!(Answer::Keys(vec!["A".into(), "B".into()]).body(), "A\nB\n");
        assert_eq!(
            Answer::TokenWithDetail(Token::UpdatePasswordFailed, "too short".into()).body(),
            "ERR_UPDATE_PWD_FAILED too short"
        );
    }
}
