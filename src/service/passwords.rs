//! Argon2id password hashes (PHC strings), and SHA-256 for high-entropy codes.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use super::ServiceError;

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, ServiceError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ServiceError::Hashing)
}

/// Hashes a new password that an operator set, once it has at least `shortest` characters.
pub fn hash_new_password(password: &str, shortest: usize) -> Result<String, ServiceError> {
    if password.chars().count() < shortest {
        return Err(ServiceError::PasswordInvalid);
    }
    hash_password(password)
}

/// Whether `password` matches a stored PHC string; a malformed hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// Spends what checking a real password costs, for a name that has no account, so that a
/// caller cannot tell unknown names from wrong passwords by the time an answer takes.
pub fn verify_nothing(password: &str) {
    static DECOY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    if let Some(decoy) = DECOY.get_or_init(|| hash_password("keydesk: no such account").ok()) {
        let _ = verify_password(decoy, password);
    }
}

/// Codes are random with 100 bits or more, so a plain SHA-256 keeps them unrecoverable
/// while still allowing a lookup by code. Codes compare case-insensitively.
pub fn hash_code(code: &str) -> String {
    hex::encode(Sha256::digest(code.trim().to_ascii_uppercase().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_and_verify() {
        let hash = hash_password("correct horse").expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "wrong"));
        assert!(!verify_password("not a hash", "x"));
        assert_eq!(hash_code("abc"), hash_code(" ABC "));
    }
}
