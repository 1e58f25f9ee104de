//! Products with their metadata and signing keys, and their generators.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::distributor::DistributorId;
use crate::domain::generator::{Generator, GeneratorId, KeyFormat};
use crate::domain::product::{Meta, Product, ProductId, ProductSource};

/// The fields of a product that the API creates and updates.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct ProductFields {
    pub name: String,
    pub description: String,
    pub source: ProductSource,
    pub external_reference: String,
    pub active: bool,
    pub require_non_expired: bool,
    pub post_url: String,
    /// The distributor the product (and so its keys) belongs to, if any.
    pub distributor: Option<DistributorId>,
}

/// The stored fields of a generator.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct GeneratorFields {
    pub product: ProductId,
    pub method: String,
    pub prefix: String,
    pub suffix: String,
    pub function_name: String,
    pub number_of_chunks: u32,
    pub chunk_length: u32,
    pub charset: String,
    pub activation_limit: u32,
    pub validity_days: u32,
    pub active: bool,
}

impl ProductFields {
    /// An active product of keydesk's own, with a name and a description and nothing else set.
    pub fn named(name: &str, description: &str) -> Self {
        Self {
            name: name.to_owned(),
            description: description.to_owned(),
            source: ProductSource::Internal,
            external_reference: String::new(),
            active: true,
            require_non_expired: false,
            post_url: String::new(),
            distributor: None,
        }
    }
}

impl GeneratorFields {
    /// An active chunk-system generator: `chunks` groups of `length` characters from
    /// `charset`, one activation per key, keys that never expire.
    pub fn chunks(product: ProductId, charset: &str, chunks: u32, length: u32) -> Self {
        Self {
            product,
            method: "chunk-system".into(),
            prefix: String::new(),
            suffix: String::new(),
            function_name: String::new(),
            number_of_chunks: chunks,
            chunk_length: length,
            charset: charset.to_owned(),
            activation_limit: 1,
            validity_days: 0,
            active: true,
        }
    }
}

const PRODUCT_COLUMNS: &str = "id, name, description, source, external_reference, active, require_non_expired, \
     post_url, signing_key_sealed IS NOT NULL, created_at, updated_at, distributor_id";

fn product_row(row: &Row<'_>) -> rusqlite::Result<Result<Product, StoreError>> {
    let source: String = row.get(3)?;
    let Some(source) = ProductSource::parse(&source) else {
        return Ok(Err(StoreError::Corrupt(format!("product source {source:?}"))));
    };
    Ok(Ok(Product {
        id: ProductId(row.get(0)?),
        name: row.get(1)?,
        description: row.get(2)?,
        source,
        external_reference: row.get(4)?,
        active: row.get(5)?,
        require_non_expired: row.get(6)?,
        post_url: row.get(7)?,
        has_signing_key: row.get(8)?,
        meta: Vec::new(),
        created_at: from_millis(row.get(9)?),
        updated_at: from_millis(row.get(10)?),
        distributor: row.get::<_, Option<i64>>(11)?.map(DistributorId),
    }))
}

const GENERATOR_COLUMNS: &str = "id, product_id, method, prefix, suffix, function_name, number_of_chunks, chunk_length, \
     charset, activation_limit, validity, active, created_at, updated_at";

fn generator_row(row: &Row<'_>) -> rusqlite::Result<Result<Generator, StoreError>> {
    let method: String = row.get(2)?;
    let function: String = row.get(5)?;
    let charset: String = row.get(8)?;
    let format = match KeyFormat::from_fields(&method, &charset, row.get(6)?, row.get(7)?, &function) {
        Ok(format) => format,
        Err(e) => return Ok(Err(StoreError::Corrupt(format!("generator {}: {e}", row.get::<_, i64>(0)?)))),
    };
    Ok(Ok(Generator {
        id: GeneratorId(row.get(0)?),
        product: ProductId(row.get(1)?),
        format,
        prefix: row.get(3)?,
        suffix: row.get(4)?,
        activation_limit: row.get(9)?,
        validity_days: row.get(10)?,
        active: row.get(11)?,
        created_at: from_millis(row.get(12)?),
        updated_at: from_millis(row.get(13)?),
    }))
}

impl Db<'_> {
    /// Inserts a product; its fields are written by [`Db::update_product`], so there is one
    /// place that maps them to columns.
    pub fn insert_product(&self, fields: &ProductFields, now: DateTime<Utc>) -> Result<ProductId, StoreError> {
        self.conn.execute(
            "INSERT INTO products (name, created_at, updated_at, distributor_id) VALUES (?1, ?2, ?2, ?3)",
            params![fields.name, to_millis(now), fields.distributor.map(|d| d.0)],
        )?;
        let id = ProductId(self.conn.last_insert_rowid());
        self.update_product(id, fields, now)?;
        Ok(id)
    }

    /// Changes a product; false when there is none.
    pub fn update_product(
        &self,
        id: ProductId,
        fields: &ProductFields,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE products SET name = ?2, description = ?3, source = ?4, external_reference = ?5, active = ?6, \
             require_non_expired = ?7, post_url = ?8, updated_at = ?9 WHERE id = ?1",
            params![
                id.0,
                fields.name,
                fields.description,
                fields.source.as_str(),
                fields.external_reference,
                fields.active,
                fields.require_non_expired,
                fields.post_url,
                to_millis(now)
            ],
        )? == 1)
    }

    /// Deletes a product with its generators, metadata and contracts; its keys stay,
    /// without a product (the schema's ON DELETE rules).
    pub fn delete_product(&self, id: ProductId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM products WHERE id = ?1", [id.0])? == 1)
    }

    pub fn product(&self, id: ProductId) -> Result<Option<Product>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {PRODUCT_COLUMNS} FROM products WHERE id = ?1"))?;
        let Some(mut product) = stmt.query_row([id.0], product_row).optional()?.transpose()? else {
            return Ok(None);
        };
        product.meta = self.product_meta(id)?;
        Ok(Some(product))
    }

    /// The Envato product sold as this item.
    pub fn envato_product(&self, item_id: &str) -> Result<Option<ProductId>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM products WHERE source = 'envato' AND external_reference = ?1 ORDER BY id LIMIT 1",
            )?
            .query_row([item_id], |r| Ok(ProductId(r.get(0)?)))
            .optional()?)
    }

    pub fn products(&self) -> Result<Vec<Product>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {PRODUCT_COLUMNS} FROM products ORDER BY id"))?;
        let rows = stmt.query_map([], product_row)?;
        let mut products: Vec<Product> = rows.map(|r| r?).collect::<Result<_, StoreError>>()?;
        for product in &mut products {
            product.meta = self.product_meta(product.id)?;
        }
        Ok(products)
    }

    pub fn product_meta(&self, id: ProductId) -> Result<Vec<Meta>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached("SELECT id, key, value FROM product_meta WHERE product_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([id.0], |r| Ok(Meta { id: r.get(0)?, key: r.get(1)?, value: r.get(2)? }))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Adds a meta key; `None` when the product already has it.
    pub fn insert_product_meta(&self, id: ProductId, key: &str, value: &str) -> Result<Option<i64>, StoreError> {
        let inserted = self.conn.execute(
            "INSERT INTO product_meta (product_id, key, value) VALUES (?1, ?2, ?3) ON CONFLICT (product_id, key) DO NOTHING",
            params![id.0, key, value],
        )?;
        Ok((inserted == 1).then(|| self.conn.last_insert_rowid()))
    }

    /// Changes a meta value; false when the key is not there.
    pub fn update_product_meta(&self, id: ProductId, key: &str, value: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute(
            "UPDATE product_meta SET value = ?3 WHERE product_id = ?1 AND key = ?2",
            params![id.0, key, value],
        )? == 1)
    }

    pub fn delete_product_meta(&self, id: ProductId, key: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM product_meta WHERE product_id = ?1 AND key = ?2", params![id.0, key])? == 1)
    }

    pub fn product_signing_key(&self, id: ProductId) -> Result<Option<Vec<u8>>, StoreError> {
        let sealed: Option<Option<Vec<u8>>> = self
            .conn
            .prepare_cached("SELECT signing_key_sealed FROM products WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?;
        sealed.flatten().map(|s| Ok(self.sealer.open_bytes(&s)?)).transpose()
    }

    /// Sets a product's own key; false when there is no such product.
    pub fn set_product_signing_key(&self, id: ProductId, der: &[u8]) -> Result<bool, StoreError> {
        let sealed = self.sealer.seal_bytes(der);
        let changed =
            self.conn.execute("UPDATE products SET signing_key_sealed = ?2 WHERE id = ?1", params![id.0, sealed])? == 1;
        self.bump_signing_keys_version()?;
        Ok(changed)
    }

    /// Changes whenever a signing key is created or replaced, by any process.
    pub fn signing_keys_version(&self) -> Result<i64, StoreError> {
        let version: Option<i64> = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = 'signing_keys_version'")?
            .query_row([], |r| r.get(0))
            .optional()?;
        Ok(version.unwrap_or(0))
    }

    fn bump_signing_keys_version(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('signing_keys_version', 1) \
             ON CONFLICT (key) DO UPDATE SET value = value + 1",
            [],
        )?;
        Ok(())
    }

    pub fn global_signing_key(&self) -> Result<Option<Vec<u8>>, StoreError> {
        let sealed: Option<Vec<u8>> =
            self.conn.query_row("SELECT value FROM meta WHERE key = 'signing_key'", [], |r| r.get(0)).optional()?;
        sealed.map(|s| Ok(self.sealer.open_bytes(&s)?)).transpose()
    }

    pub fn set_global_signing_key(&self, der: &[u8]) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES ('signing_key', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [self.sealer.seal_bytes(der)],
        )?;
        self.bump_signing_keys_version()
    }

    pub fn insert_generator(&self, fields: &GeneratorFields, now: DateTime<Utc>) -> Result<GeneratorId, StoreError> {
        self.conn.execute(
            "INSERT INTO generators (product_id, method, prefix, suffix, function_name, number_of_chunks, chunk_length, \
             charset, activation_limit, validity, active, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
            params![
                fields.product.0,
                fields.method,
                fields.prefix,
                fields.suffix,
                fields.function_name,
                fields.number_of_chunks,
                fields.chunk_length,
                fields.charset,
                fields.activation_limit,
                fields.validity_days,
                fields.active,
                to_millis(now)
            ],
        )?;
        Ok(GeneratorId(self.conn.last_insert_rowid()))
    }

    pub fn generator(&self, id: GeneratorId) -> Result<Option<Generator>, StoreError> {
        let mut stmt =
            self.conn.prepare_cached(&format!("SELECT {GENERATOR_COLUMNS} FROM generators WHERE id = ?1"))?;
        stmt.query_row([id.0], generator_row).optional()?.transpose()
    }

    pub fn generators(&self) -> Result<Vec<Generator>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {GENERATOR_COLUMNS} FROM generators ORDER BY id"))?;
        let rows = stmt.query_map([], generator_row)?;
        rows.map(|r| r?).collect()
    }

    /// The product's first active generator.
    pub fn generator_of_product(&self, product: ProductId) -> Result<Option<Generator>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {GENERATOR_COLUMNS} FROM generators WHERE product_id = ?1 AND active = 1 ORDER BY id LIMIT 1"
        ))?;
        stmt.query_row([product.0], generator_row).optional()?.transpose()
    }
}
