//! Products with their metadata, and the generators that make their keys.

use super::{Actor, Service, ServiceError, audit};
use crate::domain::generator::{Generator, GeneratorId, KeyFormat};
use crate::domain::product::{Product, ProductId};
use crate::domain::validation::{FieldErrors, Problem};
use crate::store::{GeneratorFields, ProductFields};

/// Most keys one generate call returns.
pub const MAX_GENERATE: u32 = 10_000;

fn vendor(actor: &Actor) -> Result<(), ServiceError> {
    if actor.is_vendor() { Ok(()) } else { Err(ServiceError::AccessDenied) }
}

/// Why a meta call failed, before any product or key is looked at.
pub(crate) fn meta_fields(key: &str, value: Option<&str>) -> Result<(), ServiceError> {
    if key.trim().is_empty() {
        return Err(ServiceError::MetaKeyRequired);
    }
    if value.is_some_and(str::is_empty) {
        return Err(ServiceError::MetaValueRequired);
    }
    Ok(())
}

impl Service {
    /// create-product.
    pub fn create_product(&self, actor: &Actor, fields: &ProductFields) -> Result<Product, ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            let id = db.insert_product(fields, now)?;
            audit(db, now, actor, "create-product", &fields.name, &id.0.to_string())?;
            db.product(id)?.ok_or(ServiceError::ProductNotFound)
        })
    }

    /// update-product.
    pub fn update_product(
        &self,
        actor: &Actor,
        id: ProductId,
        fields: &ProductFields,
    ) -> Result<Product, ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            if !db.update_product(id, fields, now)? {
                return Err(ServiceError::ProductNotFound);
            }
            audit(db, now, actor, "update-product", &fields.name, &id.0.to_string())?;
            db.product(id)?.ok_or(ServiceError::ProductNotFound)
        })
    }

    /// delete-product: the product, its generators and metadata go; its keys stay, without a product.
    pub fn delete_product(&self, actor: &Actor, id: ProductId) -> Result<(), ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            if !db.delete_product(id)? {
                return Err(ServiceError::ProductNotFound);
            }
            audit(db, now, actor, "delete-product", &id.0.to_string(), "")
        })
    }

    pub fn products(&self) -> Result<Vec<Product>, ServiceError> {
        self.store.read(|db| Ok(db.products()?))
    }

    pub fn product(&self, id: ProductId) -> Result<Product, ServiceError> {
        self.store.read(|db| db.product(id)?.ok_or(ServiceError::ProductNotFound))
    }

    /// create-product-meta: `key` and `value` required, the product must exist, the key be new.
    pub fn create_product_meta(
        &self,
        actor: &Actor,
        id: ProductId,
        key: &str,
        value: &str,
    ) -> Result<i64, ServiceError> {
        vendor(actor)?;
        meta_fields(key, Some(value))?;
        let now = self.now();
        self.store.write(|db| {
            db.product(id)?.ok_or(ServiceError::ProductNotFound)?;
            let meta = db.insert_product_meta(id, key.trim(), value)?.ok_or(ServiceError::MetaExists)?;
            audit(db, now, actor, "create-product-meta", &id.0.to_string(), key)?;
            Ok(meta)
        })
    }

    /// update-product-meta.
    pub fn update_product_meta(
        &self,
        actor: &Actor,
        id: ProductId,
        key: &str,
        value: &str,
    ) -> Result<(), ServiceError> {
        vendor(actor)?;
        meta_fields(key, Some(value))?;
        let now = self.now();
        self.store.write(|db| {
            db.product(id)?.ok_or(ServiceError::ProductNotFound)?;
            if !db.update_product_meta(id, key.trim(), value)? {
                return Err(ServiceError::MetaMissing);
            }
            audit(db, now, actor, "update-product-meta", &id.0.to_string(), key)
        })
    }

    /// delete-product-meta.
    pub fn delete_product_meta(&self, actor: &Actor, id: ProductId, key: &str) -> Result<(), ServiceError> {
        vendor(actor)?;
        meta_fields(key, None)?;
        let now = self.now();
        self.store.write(|db| {
            db.product(id)?.ok_or(ServiceError::ProductNotFound)?;
            if !db.delete_product_meta(id, key.trim())? {
                return Err(ServiceError::MetaMissing);
            }
            audit(db, now, actor, "delete-product-meta", &id.0.to_string(), key)
        })
    }

    /// Creates a generator for a product (console and `keydesk admin`; the API only lists them).
    pub fn create_generator(&self, actor: &Actor, fields: &GeneratorFields) -> Result<Generator, ServiceError> {
        vendor(actor)?;
        KeyFormat::from_fields(
            &fields.method,
            &fields.charset,
            fields.number_of_chunks,
            fields.chunk_length,
            &fields.function_name,
        )
        .map_err(|_| ServiceError::Invalid(FieldErrors::one("method", Problem::Invalid)))?;
        if fields.validity_days > crate::domain::limits::MAX_VALIDITY_DAYS {
            return Err(ServiceError::Invalid(FieldErrors::one("validity", Problem::Invalid)));
        }
        let now = self.now();
        self.store.write(|db| {
            db.product(fields.product)?.ok_or(ServiceError::ProductNotFound)?;
            let id = db.insert_generator(fields, now)?;
            audit(db, now, actor, "create-generator", &fields.product.0.to_string(), &fields.method)?;
            db.generator(id)?.ok_or(ServiceError::GeneratorNotFound)
        })
    }

    pub fn generators(&self) -> Result<Vec<Generator>, ServiceError> {
        self.store.read(|db| Ok(db.generators()?))
    }

    /// generate: fresh keys from a generator, unique among themselves and against the store,
    /// returned and not stored. Refuses more than the format's keyspace allows.
    pub fn generate_keys(
        &self,
        actor: &Actor,
        id: GeneratorId,
        quantity: u32,
    ) -> Result<(Generator, Vec<String>), ServiceError> {
        vendor(actor)?;
        let generator =
            self.store.read(|db| db.generator(id)?.filter(|g| g.active).ok_or(ServiceError::GeneratorNotFound))?;
        if quantity == 0 || quantity > MAX_GENERATE {
            return Err(ServiceError::Invalid(FieldErrors::one("quantity", Problem::Invalid)));
        }
        if !generator.format.can_make(u64::from(quantity)) {
            return Err(ServiceError::KeyspaceTooSmall);
        }
        let keys = self.store.read(|db| {
            let mut rng = super::random::OsRandomBlocks::default();
            let mut keys = std::collections::BTreeSet::new();
            let mut attempts = 0u64;
            while keys.len() < quantity as usize {
                attempts += 1;
                if attempts > u64::from(quantity) * 20 + 100 {
                    return Err(ServiceError::KeyspaceTooSmall);
                }
                let key = generator.draw(&mut rng);
                if !db.license_number_taken(&key)? {
                    keys.insert(key);
                }
            }
            Ok::<_, ServiceError>(keys.into_iter().collect())
        })?;
        Ok((generator, keys))
    }
}
