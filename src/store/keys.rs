//! License keys: the license rows as the key manager sees them, their activations by
//! identifier, and their metadata.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, ToSql, params, params_from_iter};

use super::{Db, StoreError, to_millis};
use crate::domain::license::{KeyState, KeyTerms, License, LicenseId};
use crate::domain::product::{Meta, ProductId};

/// A key to store.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub key: String,
    pub product: ProductId,
    pub owner_name: String,
    pub owner_email: String,
    pub activation_limit: u32,
    pub validity_days: u32,
    pub state: KeyState,
    pub assigned_at: Option<DateTime<Utc>>,
    pub contract: Option<i64>,
    pub is_test: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// get-license-keys filters; `page` counts from 1.
#[derive(Debug, Clone, Default)]
pub struct KeyFilter {
    pub product: Option<ProductId>,
    pub state: Option<KeyState>,
    pub owner_email: Option<String>,
    pub owner_name: Option<String>,
    pub page: u32,
    pub per_page: u32,
}

/// A key made ready for storage away from the writer: its lookup tag and sealed form.
#[derive(Debug, Clone)]
pub struct SealedKey {
    tag: i64,
    sealed: Vec<u8>,
}

impl SealedKey {
    /// Puts keys in the order of the unique index they go into. Consecutive inserts then
    /// land on the same or the next index page instead of a random one.
    pub fn sort_for_insert(keys: &mut [SealedKey]) {
        keys.sort_unstable_by_key(|key| key.tag);
    }
}

/// Rows per INSERT statement when keys are stored in bulk.
const STOCK_ROWS_PER_INSERT: usize = 64;

/// An INSERT of `rows` available keys: the shared terms are parameters 1 to 6, then each
/// row's tag and sealed key.
fn stock_insert(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|row| format!("(?{}, ?{}, ?1, ?2, ?3, 'available', ?4, ?5, ?5, ?6)", 7 + 2 * row, 8 + 2 * row))
        .collect();
    format!(
        "INSERT INTO licenses (key_tag, key_sealed, product_id, seat_limit, validity_days, key_state, created_by, \
         created_at, updated_at, distributor_id) VALUES {} ON CONFLICT (key_tag) DO NOTHING",
        values.join(", ")
    )
}

fn stock_params<'a>(shared: &[&'a dyn ToSql; 6], keys: &'a [SealedKey]) -> Vec<&'a dyn ToSql> {
    let mut params = shared.to_vec();
    for key in keys {
        params.push(&key.tag);
        params.push(&key.sealed);
    }
    params
}

/// The terms every key of a bulk insert shares.
#[derive(Debug, Clone)]
pub struct StockTerms {
    pub product: ProductId,
    pub activation_limit: u32,
    pub validity_days: u32,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Hashes and seals keys; it may be sent to another thread, so that bulk generation does
/// this work beside the writer.
#[derive(Clone, Copy)]
pub struct KeySealer<'a>(&'a super::Sealer);

impl KeySealer<'_> {
    /// Hashes and seals a key, its nonce drawn from `rng` (a CSPRNG).
    pub fn seal_key(&self, key: &str, rng: &mut (impl rand::RngCore + rand::CryptoRng)) -> SealedKey {
        SealedKey { tag: self.0.tag(key), sealed: self.0.seal_bytes_with(key.as_bytes(), rng) }
    }
}

impl Db<'_> {
    /// The sealer of this store, for work off the writer.
    pub fn key_sealer(&self) -> KeySealer<'_> {
        KeySealer(self.sealer)
    }

    /// Stores available keys in bulk (skipping ones that exist); returns how many were stored.
    /// Rows go in by [`STOCK_ROWS_PER_INSERT`] per statement: one statement per row spent a
    /// tenth of the time in stepping and resetting statements.
    pub fn insert_stock(&self, terms: &StockTerms, keys: &[SealedKey]) -> Result<u64, StoreError> {
        let distributor: Option<i64> =
            self.conn
                .query_row("SELECT distributor_id FROM products WHERE id = ?1", [terms.product.0], |r| r.get(0))?;
        let created = to_millis(terms.created_at);
        let shared: [&dyn ToSql; 6] = [
            &terms.product.0,
            &terms.activation_limit,
            &terms.validity_days,
            &terms.created_by,
            &created,
            &distributor,
        ];
        let mut stored = 0;
        let mut chunks = keys.chunks_exact(STOCK_ROWS_PER_INSERT);
        let mut many = self.conn.prepare_cached(&stock_insert(STOCK_ROWS_PER_INSERT))?;
        for chunk in &mut chunks {
            stored += many.execute(stock_params(&shared, chunk).as_slice())? as u64;
        }
        let mut one = self.conn.prepare_cached(&stock_insert(1))?;
        for key in chunks.remainder() {
            stored += one.execute(stock_params(&shared, std::slice::from_ref(key)).as_slice())? as u64;
        }
        Ok(stored)
    }

    /// Stores a key; `None` when the same key already exists (anywhere in the store).
    pub fn insert_key(&self, new: &NewKey) -> Result<Option<LicenseId>, StoreError> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO licenses (key_tag, key_sealed, product_id, owner_name, owner_email, seat_limit, \
                 validity_days, key_state, assigned_at, contract_id, is_test, created_by, created_at, updated_at, \
                 distributor_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, \
                 (SELECT distributor_id FROM products WHERE id = ?3)) ON CONFLICT (key_tag) DO NOTHING",
            )?
            .execute(params![
                self.sealer.tag(&new.key),
                self.sealer.seal(&new.key),
                new.product.0,
                new.owner_name,
                new.owner_email,
                new.activation_limit,
                new.validity_days,
                new.state.as_str(),
                new.assigned_at.map(to_millis),
                new.contract,
                new.is_test,
                new.created_by,
                to_millis(new.created_at),
            ])?;
        Ok((inserted == 1).then(|| LicenseId(self.conn.last_insert_rowid())))
    }

    pub fn update_key(&self, id: LicenseId, update: &KeyTerms, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE licenses SET product_id = ?2, owner_name = ?3, owner_email = ?4, seat_limit = ?5, validity_days = ?6, \
             key_state = ?7, assigned_at = ?8, updated_at = ?9, \
             distributor_id = (SELECT distributor_id FROM products WHERE id = ?2) WHERE id = ?1",
            params![
                id.0,
                update.product.0,
                update.owner_name,
                update.owner_email,
                update.activation_limit,
                update.validity_days,
                update.state.as_str(),
                update.assigned_at.map(to_millis),
                to_millis(now)
            ],
        )?;
        Ok(())
    }

    /// Gives an available key its owner: assigned from `now`.
    pub fn assign_key(
        &self,
        id: LicenseId,
        owner_name: &str,
        owner_email: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE licenses SET key_state = 'assigned', owner_name = ?2, owner_email = ?3, assigned_at = ?4, \
             updated_at = ?4 WHERE id = ?1",
            params![id.0, owner_name, owner_email, to_millis(now)],
        )?;
        Ok(())
    }

    pub fn delete_license(&self, id: LicenseId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM licenses WHERE id = ?1", [id.0])? == 1)
    }

    /// get-license-keys: the filtered keys, page by page, oldest first.
    pub fn keys(&self, filter: &KeyFilter) -> Result<Vec<License>, StoreError> {
        let mut conditions = vec!["l.product_id IS NOT NULL".to_owned()];
        let mut args: Vec<Value> = Vec::new();
        if let Some(product) = filter.product {
            conditions.push("l.product_id = ?".into());
            args.push(Value::Integer(product.0));
        }
        if let Some(state) = filter.state {
            conditions.push("l.key_state = ?".into());
            args.push(Value::Text(state.as_str().into()));
        }
        if let Some(email) = &filter.owner_email {
            conditions.push("l.owner_email = ?".into());
            args.push(Value::Text(email.clone()));
        }
        if let Some(name) = &filter.owner_name {
            conditions.push("l.owner_name = ?".into());
            args.push(Value::Text(name.clone()));
        }
        let per_page = filter.per_page.max(1);
        args.push(Value::Integer(i64::from(per_page)));
        args.push(Value::Integer(i64::from(filter.page.max(1) - 1) * i64::from(per_page)));
        let sql = format!("{} ORDER BY l.id LIMIT ? OFFSET ?", conditions.join(" AND "));
        self.licenses_where(&sql, params_from_iter(args.iter()))
    }

    /// Available keys of a product, not test keys.
    pub fn available_count(&self, product: ProductId) -> Result<u64, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM licenses WHERE product_id = ?1 AND key_state = 'available' AND is_test = 0",
            [product.0],
            |r| r.get(0),
        )?;
        Ok(count as u64)
    }

    /// Up to `limit` available keys of a product, in random order.
    pub fn random_available(&self, product: ProductId, limit: u32) -> Result<Vec<License>, StoreError> {
        self.licenses_where(
            "l.product_id = ?1 AND l.key_state = 'available' AND l.is_test = 0 ORDER BY random() LIMIT ?2",
            params![product.0, limit],
        )
    }

    pub fn has_activation(&self, license: LicenseId, identifier: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = self
            .conn
            .prepare_cached("SELECT 1 FROM activations WHERE license_id = ?1 AND identifier = ?2")?
            .query_row(params![license.0, identifier], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    /// Records an activation with the caller's deactivation URL; false when it existed.
    pub fn add_key_activation(
        &self,
        license: LicenseId,
        identifier: &str,
        post_url: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO activations (license_id, identifier, post_url, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (license_id, identifier) DO NOTHING",
            )?
            .execute(params![license.0, identifier, post_url, to_millis(now)])?;
        Ok(inserted == 1)
    }

    pub fn remove_activation(&self, license: LicenseId, identifier: &str) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached("DELETE FROM activations WHERE license_id = ?1 AND identifier = ?2")?
            .execute(params![license.0, identifier])?
            == 1)
    }

    pub fn license_meta(&self, id: LicenseId) -> Result<Vec<Meta>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, key, value FROM license_meta WHERE license_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([id.0], |r| Ok(Meta { id: r.get(0)?, key: r.get(1)?, value: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a meta key to a license; `None` when it already has it.
    pub fn insert_license_meta(&self, id: LicenseId, key: &str, value: &str) -> Result<Option<i64>, StoreError> {
        let inserted = self.conn.execute(
            "INSERT INTO license_meta (license_id, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (license_id, key) DO NOTHING",
            params![id.0, key, value],
        )?;
        Ok((inserted == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Changes a meta value; its id, or `None` when the key is not there.
    pub fn update_license_meta(&self, id: LicenseId, key: &str, value: &str) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "UPDATE license_meta SET value = ?3 WHERE license_id = ?1 AND key = ?2 RETURNING id",
                params![id.0, key, value],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn delete_license_meta(&self, id: LicenseId, key: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM license_meta WHERE license_id = ?1 AND key = ?2", params![id.0, key])? == 1)
    }
}
