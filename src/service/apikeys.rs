//! API keys of the license key face, and the blocklist of addresses, domains and identifiers.

use std::net::IpAddr;

use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use super::{Actor, Service, ServiceError, audit};
use crate::domain::endpoint::{Capabilities, Endpoint};
use crate::domain::generator::uuid_v4;
use crate::domain::product::ProductId;
use crate::store::{ApiKeyRecord, BlockKind};

fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.trim().as_bytes()).to_vec()
}

/// Compares addresses so that an IPv4 caller seen as `::ffff:a.b.c.d` still matches.
pub(crate) fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The form a blocklist value is kept in: addresses canonical, the rest lower-cased.
fn blocked_value(kind: BlockKind, value: &str) -> String {
    let value = value.trim().to_lowercase();
    match (kind, value.parse::<IpAddr>()) {
        (BlockKind::Ip, Ok(ip)) => canonical_ip(ip).to_string(),
        _ => value,
    }
}

/// The longest domain name (RFC 1035).
const MAX_DOMAIN_LENGTH: usize = 253;

impl Service {
    /// Creates an API key and returns it with its record; the key is shown this once.
    pub fn create_api_key(
        &self,
        actor: &Actor,
        label: &str,
        capabilities: Capabilities,
        allowed_ips: &[IpAddr],
    ) -> Result<(ApiKeyRecord, String), ServiceError> {
        actor.require_owner()?;
        let key = uuid_v4(&mut OsRng);
        let now = self.now();
        let record = self.store.write(|db| {
            let id = db.insert_api_key(label, &key_hash(&key), &capabilities, allowed_ips, now)?;
            audit(db, now, actor, "create-api-key", label, &capabilities.to_text())?;
            db.api_keys()?.into_iter().find(|k| k.id == id).ok_or(ServiceError::ApiKeyInvalid)
        })?;
        Ok((record, key))
    }

    /// Every API key (never the keys themselves).
    pub fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, ServiceError> {
        self.store.read(|db| Ok(db.api_keys()?))
    }

    /// Confines an API key to some products (and so to their distributors' licenses); an
    /// empty list frees it. Every product must exist.
    pub fn set_api_key_products(&self, actor: &Actor, id: i64, products: &[ProductId]) -> Result<(), ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            for product in products {
                db.product(*product)?.ok_or(ServiceError::ProductNotFound)?;
            }
            if !db.set_api_key_products(id, products)? {
                return Err(ServiceError::ApiKeyInvalid);
            }
            let listed = products.iter().map(|p| p.0.to_string()).collect::<Vec<_>>().join(",");
            audit(db, now, actor, "scope-api-key", &id.to_string(), &listed)
        })
    }

    /// Turns an API key on or off.
    pub fn set_api_key_active(&self, actor: &Actor, id: i64, active: bool) -> Result<(), ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            if !db.set_api_key_active(id, active)? {
                return Err(ServiceError::ApiKeyInvalid);
            }
            audit(db, now, actor, if active { "enable-api-key" } else { "disable-api-key" }, &id.to_string(), "")
        })
    }

    /// Checks a key for an endpoint from an address, in the order of the documented codes:
    /// unknown (100), inactive (101), lacking the capability (102), wrong address (103).
    pub fn authorize_api_key(&self, key: &str, ip: IpAddr, endpoint: Endpoint) -> Result<ApiKeyRecord, ServiceError> {
        let record = self.store.read(|db| Ok::<_, ServiceError>(db.api_key_by_hash(&key_hash(key))?))?;
        let record = record.ok_or(ServiceError::ApiKeyInvalid)?;
        if !record.active {
            return Err(ServiceError::ApiKeyInactive);
        }
        if !record.capabilities.allows(endpoint) {
            return Err(ServiceError::ApiKeyCapability);
        }
        let ip = canonical_ip(ip);
        if !record.allowed_ips.is_empty() && !record.allowed_ips.iter().any(|a| canonical_ip(*a) == ip) {
            return Err(ServiceError::ApiKeyAddress);
        }
        Ok(record)
    }

    /// Refuses a blocked caller address, or a blocked identifier or domain (an identifier
    /// that is the domain or one of its subdomains).
    pub fn check_blocklist(&self, ip: IpAddr, identifier: Option<&str>) -> Result<(), ServiceError> {
        self.store.read(|db| {
            if db.is_blocked(BlockKind::Ip, &canonical_ip(ip).to_string())? {
                return Err(ServiceError::Blocked);
            }
            let Some(identifier) = identifier.map(|i| i.trim().to_lowercase()).filter(|i| !i.is_empty()) else {
                return Ok(());
            };
            if db.is_blocked(BlockKind::Identifier, &identifier)? {
                return Err(ServiceError::Blocked);
            }
            let host = identifier.split("://").last().unwrap_or(&identifier).split(['/', ':']).next().unwrap_or("");
            // A domain name has at most 253 characters: of a longer "host" only the labels
            // that fit are walked, so a blocked domain cannot hide behind a long prefix and a
            // caller cannot buy a query per label of whatever it sent.
            let mut domain = match host.len().checked_sub(MAX_DOMAIN_LENGTH) {
                None => host,
                Some(cut) => match host.match_indices('.').find(|(at, _)| *at >= cut) {
                    Some((at, _)) => &host[at + 1..],
                    None => return Ok(()),
                },
            };
            loop {
                if db.is_blocked(BlockKind::Domain, domain)? {
                    return Err(ServiceError::Blocked);
                }
                match domain.split_once('.') {
                    Some((_, parent)) if !parent.is_empty() => domain = parent,
                    _ => return Ok(()),
                }
            }
        })
    }

    /// Adds a value to the blocklist (stored lower-cased).
    pub fn block(&self, actor: &Actor, kind: BlockKind, value: &str) -> Result<(), ServiceError> {
        actor.require_owner()?;
        let value = blocked_value(kind, value);
        let now = self.now();
        self.store.write(|db| {
            db.block(kind, &value)?;
            audit(db, now, actor, "block", kind.as_str(), &value)
        })
    }

    /// Takes a value off the blocklist; false when it was not on it.
    pub fn unblock(&self, actor: &Actor, kind: BlockKind, value: &str) -> Result<bool, ServiceError> {
        actor.require_owner()?;
        let value = blocked_value(kind, value);
        let now = self.now();
        self.store.write(|db| {
            let removed = db.unblock(kind, &value)?;
            audit(db, now, actor, "unblock", kind.as_str(), &value)?;
            Ok(removed)
        })
    }
}
