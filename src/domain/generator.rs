//! License key generators: how a product's keys look, how many distinct keys a format
//! allows, and drawing one from a random source.

use rand::{Rng, RngCore};

/// Database identity of a generator.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GeneratorId(pub i64);

/// The built-in formats a `custom` generator may name in `function_name`.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomFormat {
    /// Five groups of five readable letters and digits: `ABCDE-FGHJK-…`.
    Readable25,
    /// 32 lower-case hex digits.
    Hex32,
    /// Four groups of four digits: `1234-5678-…`.
    Numeric16,
    /// An upper-case UUID v4.
    UuidUpper,
}

impl CustomFormat {
    pub const ALL: [Self; 4] = [Self::Readable25, Self::Hex32, Self::Numeric16, Self::UuidUpper];

    pub fn name(self) -> &'static str {
        match self {
            Self::Readable25 => "readable-25",
            Self::Hex32 => "hex-32",
            Self::Numeric16 => "numeric-16",
            Self::UuidUpper => "uuid-upper",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == text.trim())
    }
}

/// How a generator builds keys.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub enum KeyFormat {
    /// A random UUID v4.
    Uuid,
    /// `chunks` groups of `chunk_length` characters drawn from `charset`, joined by `-`.
    Chunks {
        charset: Vec<char>,
        chunks: u32,
        chunk_length: u32,
    },
    Custom(CustomFormat),
}

/// Why a format cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    #[error("the charset needs at least 2 different characters")]
    Charset,
    #[error("chunks and chunk length must be between 1 and 64")]
    Shape,
    #[error("unknown custom format {0:?}; known: readable-25, hex-32, numeric-16, uuid-upper")]
    Custom(String),
    #[error("unknown method {0:?}; use uuid, chunk-system or custom")]
    Method(String),
}

const READABLE: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

impl KeyFormat {
    /// Builds a format from the generator fields of the key manager API.
    pub fn from_fields(
        method: &str,
        charset: &str,
        chunks: u32,
        chunk_length: u32,
        function: &str,
    ) -> Result<Self, FormatError> {
        match method.trim() {
            "uuid" => Ok(Self::Uuid),
            "chunk-system" => {
                let mut unique: Vec<char> = charset.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
                unique.sort_unstable();
                unique.dedup();
                if unique.len() < 2 {
                    return Err(FormatError::Charset);
                }
                if !(1..=64).contains(&chunks) || !(1..=64).contains(&chunk_length) {
                    return Err(FormatError::Shape);
                }
                Ok(Self::Chunks { charset: unique, chunks, chunk_length })
            }
            "custom" => {
                CustomFormat::parse(function).map(Self::Custom).ok_or_else(|| FormatError::Custom(function.to_owned()))
            }
            other => Err(FormatError::Method(other.to_owned())),
        }
    }

    /// The method name of the API.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Uuid => "uuid",
            Self::Chunks { .. } => "chunk-system",
            Self::Custom(_) => "custom",
        }
    }

    /// log2 of the number of distinct keys (before prefix and suffix, which are fixed).
    pub fn keyspace_bits(&self) -> f64 {
        match self {
            Self::Uuid | Self::Custom(CustomFormat::UuidUpper) => 122.0,
            Self::Chunks { charset, chunks, chunk_length } => {
                f64::from(chunks * chunk_length) * (charset.len() as f64).log2()
            }
            Self::Custom(CustomFormat::Readable25) => 25.0 * 5.0,
            Self::Custom(CustomFormat::Hex32) => 128.0,
            Self::Custom(CustomFormat::Numeric16) => 16.0 * 10f64.log2(),
        }
    }

    /// Whether `amount` distinct keys can come from this format at all.
    pub fn can_make(&self, amount: u64) -> bool {
        amount == 0 || (amount as f64).log2() <= self.keyspace_bits()
    }

    /// Draws one key body from `rng`.
    pub fn draw(&self, rng: &mut impl RngCore) -> String {
        match self {
            Self::Uuid => uuid_v4(rng),
            Self::Custom(CustomFormat::UuidUpper) => uuid_v4(rng).to_uppercase(),
            Self::Chunks { charset, chunks, chunk_length } => (0..*chunks)
                .map(|_| (0..*chunk_length).map(|_| charset[rng.gen_range(0..charset.len())]).collect::<String>())
                .collect::<Vec<_>>()
                .join("-"),
            Self::Custom(CustomFormat::Readable25) => groups(rng, READABLE, 5, 5),
            Self::Custom(CustomFormat::Hex32) => groups(rng, b"0123456789abcdef", 1, 32),
            Self::Custom(CustomFormat::Numeric16) => groups(rng, b"0123456789", 4, 4),
        }
    }
}

fn groups(rng: &mut impl RngCore, charset: &[u8], count: usize, length: usize) -> String {
    (0..count)
        .map(|_| (0..length).map(|_| charset[rng.gen_range(0..charset.len())] as char).collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A random (version 4) UUID in its usual lower-case form.
pub fn uuid_v4(rng: &mut impl RngCore) -> String {
    let mut b = [0u8; 16];
    rng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// A generator of one product.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Generator {
    pub id: GeneratorId,
    pub product: super::product::ProductId,
    pub format: KeyFormat,
    pub prefix: String,
    pub suffix: String,
    /// Copied to the keys it makes; 0 means unlimited activations.
    pub activation_limit: u32,
    /// Days a key is valid from its assignment; 0 means it never expires.
    pub validity_days: u32,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl Generator {
    /// One complete key: prefix, body, suffix.
    pub fn draw(&self, rng: &mut impl RngCore) -> String {
        format!("{}{}{}", self.prefix, self.format.draw(rng), self.suffix)
    }

    /// Up to five keys to show what the format looks like.
    pub fn preview(&self, rng: &mut impl RngCore, count: usize) -> Vec<String> {
        (0..count).map(|_| self.draw(rng)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    #[test]
    fn uuids_are_version_4() {
        let id = uuid_v4(&mut StdRng::seed_from_u64(1));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
    }

    #[test]
    fn chunk_system_keys_follow_the_charset_and_shape() {
        let format = KeyFormat::from_fields("chunk-system", "ABCD", 3, 4, "").expect("format");
        let key = format.draw(&mut StdRng::seed_from_u64(2));
        assert_eq!(key.len(), 14);
        assert!(key.split('-').all(|c| c.len() == 4 && c.chars().all(|ch| "ABCD".contains(ch))));
        // 4^12 = 16,777,216 keys.
        assert!(format.can_make(16_777_216));
        assert!(!format.can_make(16_777_217));
    }

    #[test]
    fn formats_are_validated() {
        assert_eq!(KeyFormat::from_fields("chunk-system", "AAAA", 3, 4, ""), Err(FormatError::Charset));
        assert_eq!(KeyFormat::from_fields("chunk-system", "AB", 0, 4, ""), Err(FormatError::Shape));
        assert!(matches!(KeyFormat::from_fields("custom", "", 0, 0, "nope"), Err(FormatError::Custom(_))));
        assert!(matches!(KeyFormat::from_fields("magic", "", 0, 0, ""), Err(FormatError::Method(_))));
        for format in CustomFormat::ALL {
            let key = KeyFormat::Custom(format).draw(&mut StdRng::seed_from_u64(3));
            assert!(!key.is_empty(), "{format:?}");
        }
    }
}
