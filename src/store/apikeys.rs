//! API keys of the license key face (stored as hashes) and the blocklist.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::endpoint::Capabilities;
use crate::domain::product::ProductId;

/// An API key as stored: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: i64,
    pub label: String,
    pub active: bool,
    pub capabilities: Capabilities,
    pub allowed_ips: Vec<IpAddr>,
    /// The products the key may touch (and so their distributors' licenses); empty: all.
    pub products: Vec<ProductId>,
    pub created_at: DateTime<Utc>,
}

/// What the blocklist holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Ip,
    Domain,
    Identifier,
}

impl BlockKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ip => "ip",
            Self::Domain => "domain",
            Self::Identifier => "identifier",
        }
    }
}

fn record(row: &rusqlite::Row<'_>) -> rusqlite::Result<Result<ApiKeyRecord, StoreError>> {
    let caps: String = row.get(3)?;
    let ips: String = row.get(4)?;
    let parsed =
        Capabilities::parse(&caps).map_err(|bad| StoreError::Corrupt(format!("capability {bad:?}"))).and_then(|caps| {
            let ips = ips
                .split(',')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().map_err(|_| StoreError::Corrupt(format!("address {s:?}"))))
                .collect::<Result<Vec<IpAddr>, _>>()?;
            Ok((caps, ips))
        });
    let (capabilities, allowed_ips) = match parsed {
        Ok(parts) => parts,
        Err(e) => return Ok(Err(e)),
    };
    let products: String = row.get(6)?;
    let products = match products.split(',').filter(|s| !s.is_empty()).map(str::parse).collect::<Result<Vec<i64>, _>>()
    {
        Ok(ids) => ids.into_iter().map(ProductId).collect(),
        Err(_) => return Ok(Err(StoreError::Corrupt(format!("products {products:?}")))),
    };
    Ok(Ok(ApiKeyRecord {
        id: row.get(0)?,
        label: row.get(1)?,
        active: row.get(2)?,
        capabilities,
        allowed_ips,
        products,
        created_at: from_millis(row.get(5)?),
    }))
}

const COLUMNS: &str = "id, label, active, capabilities, allowed_ips, created_at, products";

impl Db<'_> {
    pub fn insert_api_key(
        &self,
        label: &str,
        key_hash: &[u8],
        capabilities: &Capabilities,
        allowed_ips: &[IpAddr],
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        let ips = allowed_ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        self.conn.execute(
            "INSERT INTO api_keys (label, key_hash, capabilities, allowed_ips, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![label, key_hash, capabilities.to_text(), ips, to_millis(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn api_key_by_hash(&self, key_hash: &[u8]) -> Result<Option<ApiKeyRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_keys WHERE key_hash = ?1"))?;
        stmt.query_row([key_hash], record).optional()?.transpose()
    }

    pub fn api_keys(&self) -> Result<Vec<ApiKeyRecord>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM api_keys ORDER BY id"))?;
        let rows = stmt.query_map([], record)?;
        rows.map(|r| r?).collect()
    }

    /// Confines a key to these products (empty: every product); false when there is no key.
    pub fn set_api_key_products(&self, id: i64, products: &[ProductId]) -> Result<bool, StoreError> {
        let ids = products.iter().map(|p| p.0.to_string()).collect::<Vec<_>>().join(",");
        Ok(self.conn.execute("UPDATE api_keys SET products = ?2 WHERE id = ?1", params![id, ids])? == 1)
    }

    pub fn set_api_key_active(&self, id: i64, active: bool) -> Result<bool, StoreError> {
        Ok(self.conn.execute("UPDATE api_keys SET active = ?2 WHERE id = ?1", params![id, active])? == 1)
    }

    pub fn block(&self, kind: BlockKind, value: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO blocklist (kind, value) VALUES (?1, ?2) ON CONFLICT (kind, value) DO NOTHING",
            params![kind.as_str(), value],
        )?;
        Ok(())
    }

    pub fn unblock(&self, kind: BlockKind, value: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM blocklist WHERE kind = ?1 AND value = ?2", params![kind.as_str(), value])?
            == 1)
    }

    /// Whether a value of this kind is on the blocklist (values are stored lower-cased).
    pub fn is_blocked(&self, kind: BlockKind, value: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = self
            .conn
            .prepare_cached("SELECT 1 FROM blocklist WHERE kind = ?1 AND value = ?2")?
            .query_row(params![kind.as_str(), value], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }
}
