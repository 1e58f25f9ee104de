//! Formats of the random secrets keydesk hands out. The caller supplies the random
//! source (the service uses the OS CSPRNG), so these stay pure and testable.

use rand::{Rng, RngCore};

/// Letters and digits without look-alikes (no I, O, 0, 1), for codes people type.
pub const READABLE: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Length of activation codes (user activation, e-mail change, delete confirmation).
pub const ACTIVATION_CODE_LEN: usize = 20;

fn draw(rng: &mut impl RngCore, charset: &[u8], len: usize) -> String {
    (0..len).map(|_| charset[rng.gen_range(0..charset.len())] as char).collect()
}

/// An activation code: 20 readable characters.
pub fn activation_code(rng: &mut impl RngCore) -> String {
    draw(rng, READABLE, ACTIVATION_CODE_LEN)
}

/// Whether `text` has the shape of an activation code (so a typo can be told from an unknown code).
pub fn looks_like_activation_code(text: &str) -> bool {
    text.len() == ACTIVATION_CODE_LEN && text.bytes().all(|b| READABLE.contains(&b.to_ascii_uppercase()))
}

/// A temporary or reset password: 12 readable characters.
pub fn temporary_password(rng: &mut impl RngCore) -> String {
    draw(rng, READABLE, 12)
}

/// A password keydesk drew for an account, shown to the operator this once: only its
/// Argon2id hash is kept. Its `Debug` hides it, so it reaches no log.
#[derive(serde::Serialize, serde::Deserialize, Clone, PartialEq, Eq)]
pub struct FreshPassword(pub String);

impl std::fmt::Debug for FreshPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FreshPassword(…)")
    }
}

/// An account just made, and its first password.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct CreatedAccount<T> {
    pub account: T,
    pub password: FreshPassword,
}

/// A checksum salt for the Registration Server API: 32 lower-case hex digits.
pub fn checksum_salt(rng: &mut impl RngCore) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// A Registration Server license number: the distributor code and three groups of four.
pub fn license_number(rng: &mut impl RngCore, prefix: &str) -> String {
    let groups: Vec<String> = (0..3).map(|_| draw(rng, READABLE, 4)).collect();
    format!("{prefix}-{}", groups.join("-"))
}

/// The last four characters, for logs: `…WXYZ`.
pub fn redact_tail(secret: &str) -> String {
    let tail: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn codes_have_their_documented_shapes() {
        let mut rng = StdRng::seed_from_u64(7);
        let code = activation_code(&mut rng);
        assert!(looks_like_activation_code(&code));
        assert!(looks_like_activation_code(&code.to_lowercase()));
        assert!(!looks_like_activation_code("short"));
        assert_eq!(checksum_salt(&mut rng).len(), 32);
        let number = license_number(&mut rng, "TMDR");
        assert_eq!(number.len(), "TMDR-XXXX-XXXX-XXXX".len());
        assert!(number.starts_with("TMDR-"));
        assert_eq!(redact_tail("ABCDEFGH"), "…EFGH");
    }
}
