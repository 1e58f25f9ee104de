//! Sealing secrets at rest: XChaCha20-Poly1305 for the value, HMAC-SHA256 for a
//! lookup column, both keyed from one 32-byte data key kept outside the database.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The 32-byte key that seals a database's secrets.
#[derive(Clone)]
pub struct DataKey([u8; 32]);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// A new random key from the OS CSPRNG.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Reads the hex form written by [`DataKey::to_hex`].
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = hex::decode(text.trim()).ok()?;
        Some(Self(bytes.try_into().ok()?))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

/// Seals and opens values, and computes lookup hashes, under one data key.
pub struct Sealer {
    aead: XChaCha20Poly1305,
    lookup_key: [u8; 32],
}

/// A sealed value did not open: wrong key or damaged data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sealed value could not be opened (wrong data key or damaged data)")]
pub struct OpenError;

const NONCE_LEN: usize = 24;

fn derive(key: &[u8; 32], label: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

/// How a sealed value in a TEXT column begins (mail bodies, job results).
pub const SEALED_TEXT: &str = "sealed:v1:";

impl Sealer {
    pub fn new(key: &DataKey) -> Self {
        let seal_key = derive(&key.0, b"keydesk seal v1");
        Self { aead: XChaCha20Poly1305::new(&seal_key.into()), lookup_key: derive(&key.0, b"keydesk lookup v1") }
    }

    /// Encrypts `plain` under a fresh random nonce: nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        self.seal_bytes(plain.as_bytes())
    }

    /// Seals text for a TEXT column: [`SEALED_TEXT`] and the base64 of [`Sealer::seal`].
    pub fn seal_text(&self, plain: &str) -> String {
        use base64::Engine as _;
        format!("{SEALED_TEXT}{}", base64::engine::general_purpose::STANDARD.encode(self.seal(plain)))
    }

    /// Opens what [`Sealer::seal_text`] wrote; text without the prefix (written by a keydesk
    /// before it sealed that column) is returned as it is.
    pub fn open_text(&self, stored: String) -> Result<String, OpenError> {
        use base64::Engine as _;
        let Some(encoded) = stored.strip_prefix(SEALED_TEXT) else { return Ok(stored) };
        let sealed = base64::engine::general_purpose::STANDARD.decode(encoded).map_err(|_| OpenError)?;
        self.open(&sealed)
    }

    /// Encrypts bytes (a private key, say) the same way.
    pub fn seal_bytes(&self, plain: &[u8]) -> Vec<u8> {
        self.seal_bytes_with(plain, &mut rand::rngs::OsRng)
    }

    /// Seals with nonces from `rng` (a CSPRNG), for bulk work.
    pub fn seal_bytes_with(&self, plain: &[u8], rng: &mut (impl RngCore + rand::CryptoRng)) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let sealed = self
            .aead
            .encrypt(XNonce::from_slice(&nonce), plain)
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<String, OpenError> {
        String::from_utf8(self.open_bytes(sealed)?).map_err(|_| OpenError)
    }

    pub fn open_bytes(&self, sealed: &[u8]) -> Result<Vec<u8>, OpenError> {
        if sealed.len() < NONCE_LEN {
            return Err(OpenError);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        self.aead.decrypt(XNonce::from_slice(nonce), body).map_err(|_| OpenError)
    }

    /// The keyed hash a sealed value is found and kept unique by.
    pub fn lookup(&self, plain: &str) -> [u8; 32] {
        derive(&self.lookup_key, plain.as_bytes())
    }

    /// The 64-bit tag license keys are indexed by: the start of their lookup hash. Two
    /// keys share a tag about once in 2^64 pairs, so whoever finds a row by its tag
    /// compares the opened key before trusting it.
    pub fn tag(&self, plain: &str) -> i64 {
        let hash = self.lookup(plain);
        let mut start = [0u8; 8];
        start.copy_from_slice(&hash[..8]);
        i64::from_be_bytes(start)
    }
}

/// The tag of a lookup hash: its first 8 bytes, big-endian.
pub(crate) fn tag_of(lookup: &[u8]) -> Option<i64> {
    Some(i64::from_be_bytes(lookup.get(..8)?.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_under_their_key() {
        let sealer = Sealer::new(&DataKey::generate());
        let sealed = sealer.seal("TMDR-ABCD-EFGH-JKLM");
        assert!(!sealed.windows(4).any(|w| w == b"ABCD"));
        assert_eq!(sealer.open(&sealed).as_deref(), Ok("TMDR-ABCD-EFGH-JKLM"));
        assert_eq!(Sealer::new(&DataKey::generate()).open(&sealed), Err(OpenError));
        assert_eq!(sealer.lookup("x"), sealer.lookup("x"));
        assert_ne!(sealer.lookup("x"), sealer.lookup("y"));
        let key = DataKey::generate();
        assert_eq!(DataKey::from_hex(&key.to_hex()).map(|k| k.0), Some(key.0));
    }
}
