//! RSA-2048 signing keys for license key API responses: a global key, and optionally one
//! per product. Private keys are kept sealed (PKCS#8 DER) in the store; parsed keys are
//! cached, so a response costs one signature, not a key parse.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rand::rngs::OsRng;
use ring::rand::SystemRandom;
use ring::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use rsa::RsaPrivateKey;
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};

use super::{Actor, Service, ServiceError, audit};
use crate::domain::product::ProductId;

/// A private key ready to sign, with its public half as PEM.
pub struct SigningKey {
    pair: RsaKeyPair,
    public_pem: String,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(…)")
    }
}

/// Why a key could not be made or read.
#[derive(Debug, thiserror::Error)]
#[error("signing key: {0}")]
pub struct KeyError(String);

impl SigningKey {
    /// A new RSA-2048 key from the OS CSPRNG, and its PKCS#8 DER for storage.
    pub fn generate() -> Result<(Self, Vec<u8>), KeyError> {
        let private = RsaPrivateKey::new(&mut OsRng, 2048).map_err(|e| KeyError(e.to_string()))?;
        let der = private.to_pkcs8_der().map_err(|e| KeyError(e.to_string()))?.as_bytes().to_vec();
        Ok((Self::from_pkcs8(&der)?, der))
    }

    pub fn from_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        use rsa::pkcs8::DecodePrivateKey;
        let private = RsaPrivateKey::from_pkcs8_der(der).map_err(|e| KeyError(e.to_string()))?;
        let public_pem =
            private.to_public_key().to_public_key_pem(LineEnding::LF).map_err(|e| KeyError(e.to_string()))?;
        let pair = RsaKeyPair::from_pkcs8(der).map_err(|e| KeyError(e.to_string()))?;
        Ok(Self { pair, public_pem })
    }

    /// PKCS#1 v1.5 over SHA-256.
    pub fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        let mut signature = vec![0u8; self.pair.public().modulus_len()];
        self.pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message, &mut signature).ok()?;
        Some(signature)
    }

    /// The public key as an SPKI PEM ("-----BEGIN PUBLIC KEY-----").
    pub fn public_key_pem(&self) -> &str {
        &self.public_pem
    }
}

/// Parsed keys, kept until the store's signing-keys version changes (a key made by
/// `keydesk admin` in another process, say).
#[derive(Default)]
pub(crate) struct KeyCache {
    version: RwLock<i64>,
    global: RwLock<Option<Option<Arc<SigningKey>>>>,
    products: RwLock<HashMap<ProductId, Option<Arc<SigningKey>>>>,
}

/// Products whose signing key (or its absence) is kept parsed in memory at most.
const MAX_CACHED_PRODUCTS: usize = 4096;

impl Service {
    /// Forgets cached keys when the store says they changed.
    fn refresh_keys(&self) -> Result<(), ServiceError> {
        let version = self.store.read(|db| Ok::<_, ServiceError>(db.signing_keys_version()?))?;
        if *self.keys.version.read().map_err(|_| ServiceError::TaskFailed)? != version {
            *self.keys.global.write().map_err(|_| ServiceError::TaskFailed)? = None;
            self.keys.products.write().map_err(|_| ServiceError::TaskFailed)?.clear();
            *self.keys.version.write().map_err(|_| ServiceError::TaskFailed)? = version;
        }
        Ok(())
    }

    /// The global signing key, if one was created.
    pub fn global_signing_key(&self) -> Result<Option<Arc<SigningKey>>, ServiceError> {
        self.refresh_keys()?;
        if let Some(cached) = self.keys.global.read().map_err(|_| ServiceError::TaskFailed)?.clone() {
            return Ok(cached);
        }
        let der = self.store.read(|db| Ok::<_, ServiceError>(db.global_signing_key()?))?;
        let key = der
            .map(|der| SigningKey::from_pkcs8(&der).map(Arc::new))
            .transpose()
            .map_err(|_| ServiceError::TaskFailed)?;
        *self.keys.global.write().map_err(|_| ServiceError::TaskFailed)? = Some(key.clone());
        Ok(key)
    }

    /// The product's own signing key, if it has one.
    pub fn product_signing_key(&self, product: ProductId) -> Result<Option<Arc<SigningKey>>, ServiceError> {
        self.refresh_keys()?;
        if let Some(cached) = self.keys.products.read().map_err(|_| ServiceError::TaskFailed)?.get(&product) {
            return Ok(cached.clone());
        }
        let der = self.store.read(|db| Ok::<_, ServiceError>(db.product_signing_key(product)?))?;
        let key = der
            .map(|der| SigningKey::from_pkcs8(&der).map(Arc::new))
            .transpose()
            .map_err(|_| ServiceError::TaskFailed)?;
        let mut cached = self.keys.products.write().map_err(|_| ServiceError::TaskFailed)?;
        // Bounded: anyone may ask for `public-key/{n}` of any n, and a miss is cached too.
        if cached.len() >= MAX_CACHED_PRODUCTS {
            cached.clear();
        }
        cached.insert(product, key.clone());
        Ok(key)
    }

    /// Creates (or replaces) the global key, or a product's own key; returns its public PEM.
    pub fn create_signing_key(&self, actor: &Actor, product: Option<ProductId>) -> Result<String, ServiceError> {
        actor.require_owner()?;
        let (key, der) = SigningKey::generate().map_err(|_| ServiceError::TaskFailed)?;
        let now = self.now();
        self.store.write(|db| {
            match product {
                Some(id) => {
                    if !db.set_product_signing_key(id, &der)? {
                        return Err(ServiceError::ProductNotFound);
                    }
                }
                None => db.set_global_signing_key(&der)?,
            }
            let subject = product.map_or("global".to_owned(), |p| format!("product {}", p.0));
            audit(db, now, actor, "create-signing-key", &subject, "")
        })?;
        let pem = key.public_key_pem().to_owned();
        let key = Some(Arc::new(key));
        match product {
            Some(id) => {
                self.keys.products.write().map_err(|_| ServiceError::TaskFailed)?.insert(id, key);
            }
            None => *self.keys.global.write().map_err(|_| ServiceError::TaskFailed)? = Some(key),
        }
        Ok(pem)
    }
}
