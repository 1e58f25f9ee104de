//! License keys through the key manager's eyes: create, update, delete, list, assign,
//! and verify / activate / deactivate by identifier.

use chrono::{DateTime, Utc};

use super::random::OsRandomBlocks;
use super::{Actor, Service, ServiceError, audit};
pub use crate::domain::license::KeyTerms;
use crate::domain::license::{KeyState, License, LicenseStatus};
use crate::domain::limits::{self, MAX_ASSIGN, MAX_CREATE_KEYS, MAX_STOCK};
use crate::domain::product::{Meta, Product, ProductId};
use crate::domain::secret::redact_tail;
use crate::store::{Db, Downloadable, KeyFilter, NewKey, StockTerms};

/// How create-license-keys went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    pub created: u32,
    pub duplicate: u32,
}

/// A key with its metadata and product (get-license-key-details).
#[derive(Debug, Clone)]
pub struct KeyDetails {
    pub license: License,
    pub meta: Vec<Meta>,
    pub product: Product,
}

fn vendor(actor: &Actor) -> Result<(), ServiceError> {
    if actor.is_vendor() { Ok(()) } else { Err(ServiceError::AccessDenied) }
}

/// The checks verify, activate, deactivate and the details share, in the documented order:
/// unknown (210), not assigned (201), product inactive or gone (203), blocked (204),
/// expired (205), no identifier (215).
fn checked(db: &Db<'_>, key: &str, identifier: &str, now: DateTime<Utc>) -> Result<(License, Product), ServiceError> {
    checked_with(db, key, identifier, now, true)
}

/// The shared checks; `enforce_expiry` false lets an expired key through (downloads of a
/// product that does not require a current key).
fn checked_with(
    db: &Db<'_>,
    key: &str,
    identifier: &str,
    now: DateTime<Utc>,
    enforce_expiry: bool,
) -> Result<(License, Product), ServiceError> {
    let license =
        db.license_by_number(key)?.filter(|l| l.status != LicenseStatus::Deleted).ok_or(ServiceError::KeyUnknown)?;
    if matches!(license.key_state, KeyState::Available | KeyState::Reserved) {
        return Err(ServiceError::KeyNotAssigned);
    }
    let product = license.product_id.map(|p| db.product(p)).transpose()?.flatten();
    let product = product.filter(|p| p.active).ok_or(ServiceError::KeyProductInactive)?;
    // A license the Registration Server deactivated is blocked here too.
    // A test key (the keygen URL's test mode) counts against no pool, so it must never work:
    // it answers as a blocked key (docs/protocols/keygen.md).
    if license.key_state == KeyState::Blocked || license.status == LicenseStatus::Deactivated || license.is_test {
        return Err(ServiceError::KeyBlocked);
    }
    let expiry_matters = enforce_expiry || product.require_non_expired;
    if expiry_matters && license.is_expired(now) {
        return Err(ServiceError::KeyExpired);
    }
    if identifier.trim().is_empty() {
        return Err(ServiceError::IdentifierRequired);
    }
    Ok((license, product))
}

/// The shared checks, then an activation for this identifier (202 otherwise).
fn checked_active(
    db: &Db<'_>,
    key: &str,
    identifier: &str,
    now: DateTime<Utc>,
    enforce_expiry: bool,
) -> Result<(License, Product), ServiceError> {
    let (license, product) = checked_with(db, key, identifier, now, enforce_expiry)?;
    if !db.has_activation(license.id, identifier.trim())? {
        return Err(ServiceError::NoActivation);
    }
    Ok((license, product))
}

/// Gives an available key its owner, inside the caller's transaction (801 otherwise).
fn assign_in(db: &Db<'_>, key: &str, (name, email): (&str, &str), now: DateTime<Utc>) -> Result<License, ServiceError> {
    let license = db.license_by_number(key)?.filter(|l| l.key_state == KeyState::Available);
    let license = license.ok_or(ServiceError::AssignFailed)?;
    db.assign_key(license.id, name.trim(), email.trim(), now)?;
    db.license(license.id)?.ok_or(ServiceError::KeyUnknown)
}

/// Activates a key for an identifier, inside the caller's transaction: the shared checks,
/// then 301 (already active) and 302 (limit reached).
fn activate_in(
    db: &Db<'_>,
    key: &str,
    identifier: &str,
    post_url: &str,
    now: DateTime<Utc>,
) -> Result<License, ServiceError> {
    let (license, _) = checked(db, key, identifier, now)?;
    let identifier = identifier.trim();
    if db.has_activation(license.id, identifier)? {
        return Err(ServiceError::AlreadyActive);
    }
    if !license.limit.admits(license.used, 1) {
        return Err(ServiceError::ActivationLimit);
    }
    db.add_key_activation(license.id, identifier, post_url.trim(), now)?;
    Ok(license)
}

impl Service {
    /// The product a key belongs to (which key signs the answer about it).
    pub fn product_of_key(&self, key: &str) -> Result<Option<ProductId>, ServiceError> {
        self.store.read(|db| Ok(db.license_by_number(key)?.and_then(|l| l.product_id)))
    }

    /// verify: the key is good and active for this identifier.
    pub fn verify_key(&self, key: &str, identifier: &str) -> Result<License, ServiceError> {
        let now = self.now();
        self.store.read(|db| Ok(checked_active(db, key, identifier, now, true)?.0))
    }

    /// activate: records the identifier, within the activation limit (0: unlimited). One
    /// transaction, so concurrent activations never exceed the limit.
    pub fn activate_key(
        &self,
        actor: &Actor,
        key: &str,
        identifier: &str,
        post_url: &str,
    ) -> Result<License, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let license = activate_in(db, key, identifier, post_url, now)?;
            audit(db, now, actor, "activate-key", &redact_tail(key), identifier.trim())?;
            Ok(license)
        })
    }

    /// assign-and-activate-license-key: both or neither, in one transaction.
    pub fn assign_and_activate(
        &self,
        actor: &Actor,
        key: &str,
        owner: (&str, &str),
        identifier: &str,
        post_url: &str,
    ) -> Result<License, ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            assign_in(db, key, owner, now)?;
            let license = activate_in(db, key, identifier, post_url, now)?;
            audit(db, now, actor, "assign-and-activate-key", &redact_tail(key), identifier.trim())?;
            Ok(license)
        })
    }

    /// deactivate: forgets the identifier's activation.
    pub fn deactivate_key(&self, actor: &Actor, key: &str, identifier: &str) -> Result<License, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let (license, _) = checked(db, key, identifier, now)?;
            if !db.remove_activation(license.id, identifier.trim())? {
                return Err(ServiceError::AlreadyInactive);
            }
            audit(db, now, actor, "deactivate-key", &redact_tail(key), identifier.trim())?;
            Ok(license)
        })
    }

    /// get-license-key-details: a key active for this identifier, with its meta and product.
    pub fn key_details(&self, key: &str, identifier: &str) -> Result<KeyDetails, ServiceError> {
        let now = self.now();
        self.store.read(|db| {
            let (license, product) = checked_active(db, key, identifier, now, true)?;
            Ok(KeyDetails { meta: db.license_meta(license.id)?, license, product })
        })
    }

    /// Whether a key is unknown to the store (verify and activate then ask Envato).
    pub fn key_unknown(&self, key: &str) -> Result<bool, ServiceError> {
        self.store.read(|db| Ok(db.license_by_number(key)?.is_none()))
    }

    /// Imports an Envato purchase code of item `item_id` as an assigned key of the Envato
    /// product sold as that item: owned by the buyer, with the e-mail the request gave.
    /// `None` when no product is sold as that item.
    pub fn import_purchase_code(
        &self,
        actor: &Actor,
        code: &str,
        item_id: &str,
        buyer: &str,
        email: &str,
    ) -> Result<Option<License>, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let Some(product) = db.envato_product(item_id)? else {
                return Ok(None);
            };
            let limit = db.generator_of_product(product)?.map_or(1, |g| g.activation_limit);
            let new = NewKey {
                key: code.trim().to_owned(),
                product,
                owner_name: buyer.to_owned(),
                owner_email: email.trim().to_owned(),
                activation_limit: limit,
                validity_days: 0,
                state: KeyState::Assigned,
                assigned_at: Some(now),
                contract: None,
                is_test: false,
                created_by: format!("envato:{item_id}"),
                created_at: now,
            };
            let Some(id) = db.insert_key(&new)? else {
                return Ok(db.license_by_number(code)?);
            };
            audit(db, now, actor, "import-envato-code", &redact_tail(code), item_id)?;
            Ok(db.license(id)?)
        })
    }

    /// access-downloadables: the published releases of the key's product, newest first, for
    /// an installation the key is active on. An expired key keeps its downloads unless the
    /// product requires a current key.
    pub fn downloadables(&self, key: &str, identifier: &str) -> Result<Vec<Downloadable>, ServiceError> {
        let now = self.now();
        self.store.read(|db| {
            let (_, product) = checked_active(db, key, identifier, now, false)?;
            Ok(db.published_downloadables(product.id)?)
        })
    }

    /// The download link: the release's file, counted, for an installation the key is active
    /// on (701 otherwise); 700 when there is no such published release or its file is gone.
    pub fn download(&self, key: &str, identifier: &str, numeric_version: u32) -> Result<Downloadable, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            // Any refusal is 701; a store failure stays a failure (500).
            let product = match checked_active(db, key, identifier, now, false) {
                Ok((_, product)) => product,
                Err(ServiceError::Store(e)) => return Err(ServiceError::Store(e)),
                Err(_) => return Err(ServiceError::DownloadForbidden),
            };
            let release = db.downloadable(product.id, numeric_version)?.filter(|d| d.published);
            let release = release
                .filter(|d| std::path::Path::new(&d.file_path).is_file())
                .ok_or(ServiceError::DownloadMissing)?;
            db.count_download(release.id)?;
            Ok(release)
        })
    }

    /// Adds a release of a product (operators, through `keydesk admin` and the console).
    pub fn add_downloadable(&self, actor: &Actor, release: &Downloadable) -> Result<i64, ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            db.product(release.product)?.ok_or(ServiceError::ProductNotFound)?;
            let id = db.insert_downloadable(release)?;
            audit(db, now, actor, "add-downloadable", &release.product.0.to_string(), &release.version)?;
            Ok(id)
        })
    }

    /// assign-license-key: an available key gets its owner, and its validity starts.
    pub fn assign_key(
        &self,
        actor: &Actor,
        key: &str,
        owner_name: &str,
        owner_email: &str,
    ) -> Result<License, ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            let license = assign_in(db, key, (owner_name, owner_email), now)?;
            audit(db, now, actor, "assign-key", &redact_tail(key), owner_email)?;
            Ok(license)
        })
    }

    /// Stores keys a vendor brings (a CSV import) as available stock of a product, with its
    /// generator's activation limit and validity (1 and never, without a generator).
    pub fn import_stock(&self, actor: &Actor, product: ProductId, keys: &[String]) -> Result<Created, ServiceError> {
        let generator = self.store.read(|db| Ok::<_, ServiceError>(db.generator_of_product(product)?))?;
        let terms = KeyTerms {
            product,
            owner_name: String::new(),
            owner_email: String::new(),
            activation_limit: generator.as_ref().map_or(1, |g| g.activation_limit),
            validity_days: generator.as_ref().map_or(0, |g| g.validity_days),
            state: KeyState::Available,
            assigned_at: None,
        };
        self.create_keys(actor, keys, &terms)
    }

    /// create-license-keys: stores each key not yet known; counts the others as duplicates.
    /// Creating none at all is an error.
    pub fn create_keys(&self, actor: &Actor, keys: &[String], terms: &KeyTerms) -> Result<Created, ServiceError> {
        vendor(actor)?;
        limits::within(keys.len() as u64, MAX_CREATE_KEYS as u64)?;
        let now = self.now();
        self.store.write(|db| {
            db.product(terms.product)?.ok_or(ServiceError::ProductNotFound)?;
            let mut outcome = Created { created: 0, duplicate: 0 };
            for key in keys.iter().map(|k| k.trim()).filter(|k| !k.is_empty()) {
                let new = NewKey {
                    key: key.to_owned(),
                    product: terms.product,
                    owner_name: terms.owner_name.clone(),
                    owner_email: terms.owner_email.clone(),
                    activation_limit: terms.activation_limit,
                    validity_days: terms.validity_days,
                    state: terms.state,
                    assigned_at: terms.assigned_at.or((terms.state == KeyState::Assigned).then_some(now)),
                    contract: None,
                    is_test: false,
                    created_by: actor.label(),
                    created_at: now,
                };
                match db.insert_key(&new)? {
                    Some(_) => outcome.created += 1,
                    None => outcome.duplicate += 1,
                }
            }
            if outcome.created == 0 {
                return Err(ServiceError::NoneCreated);
            }
            audit(
                db,
                now,
                actor,
                "create-keys",
                &terms.product.0.to_string(),
                &format!("{} created", outcome.created),
            )?;
            Ok(outcome)
        })
    }

    /// update-license-key: the key itself cannot change; everything else can.
    pub fn update_key(&self, actor: &Actor, key: &str, terms: &KeyTerms) -> Result<(), ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            let license = db.license_by_number(key)?.ok_or(ServiceError::KeyUnknown)?;
            db.product(terms.product)?.ok_or(ServiceError::ProductNotFound)?;
            let update = KeyTerms {
                // Becoming assigned starts the validity clock, as creating an assigned key does.
                assigned_at: terms
                    .assigned_at
                    .or(license.assigned_at)
                    .or((terms.state == KeyState::Assigned).then_some(now)),
                ..terms.clone()
            };
            db.update_key(license.id, &update, now)?;
            audit(db, now, actor, "update-key", &redact_tail(key), terms.state.as_str())
        })
    }

    /// delete-license-key: the key and its activations and metadata.
    pub fn delete_key(&self, actor: &Actor, key: &str) -> Result<(), ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            let license = db.license_by_number(key)?.ok_or(ServiceError::KeyUnknown)?;
            db.delete_license(license.id)?;
            audit(db, now, actor, "delete-key", &redact_tail(key), "")
        })
    }

    /// get-license-keys.
    pub fn keys(&self, filter: &KeyFilter) -> Result<Vec<License>, ServiceError> {
        self.store.read(|db| Ok(db.keys(filter)?))
    }

    /// get-available-license-keys-count.
    pub fn available_keys(&self, product: ProductId) -> Result<u64, ServiceError> {
        self.store.read(|db| {
            db.product(product)?.ok_or(ServiceError::ProductNotFound)?;
            Ok(db.available_count(product)?)
        })
    }

    /// random-assign-license-keys: `quantity` available keys of the product get the owner;
    /// with `generate`, the product's generator makes what the stock lacks.
    pub fn random_assign(
        &self,
        actor: &Actor,
        product: ProductId,
        owner: (&str, &str),
        quantity: u32,
        generate: bool,
    ) -> Result<Vec<License>, ServiceError> {
        let now = self.now();
        self.store.write(|db| random_assign_in(db, actor, product, owner, quantity, generate, now))
    }

    /// Fills a product's stock with `count` new available keys from its generator, in one
    /// transaction: one thread draws, hashes and seals keys while this one writes them.
    /// `progress` hears how many are stored so far and may return false to stop; then
    /// nothing is kept (no half batch). Returns how many were stored.
    pub fn generate_stock(
        &self,
        actor: &Actor,
        product: ProductId,
        count: u64,
        mut progress: impl FnMut(u64) -> bool,
    ) -> Result<u64, ServiceError> {
        vendor(actor)?;
        limits::within(count, MAX_STOCK)?;
        // Keys are sealed and sorted by chunk beside the writer; bigger chunks insert in
        // better index order (4,096: 4.4 s for a million, 16,384: 4.1 s).
        const CHUNK: usize = 16_384;
        let now = self.now();
        self.store.write(|db| {
            db.product(product)?.ok_or(ServiceError::ProductNotFound)?;
            let generator = db.generator_of_product(product)?.ok_or(ServiceError::GeneratorNotFound)?;
            if !generator.format.can_make(count) {
                return Err(ServiceError::KeyspaceTooSmall);
            }
            let terms = StockTerms {
                product,
                activation_limit: generator.activation_limit,
                validity_days: generator.validity_days,
                created_by: actor.label(),
                created_at: now,
            };
            let mut stored = 0u64;
            // Clashes with existing keys are drawn again, a bounded number of times.
            for _round in 0..8 {
                let wanted = count - stored;
                if wanted == 0 {
                    break;
                }
                let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<crate::store::SealedKey>>(4);
                let sealer = db.key_sealer();
                let outcome = std::thread::scope(|scope| {
                    let generator = &generator;
                    scope.spawn(move || {
                        let mut rng = OsRandomBlocks::default();
                        let mut left = wanted;
                        while left > 0 {
                            let n = left.min(CHUNK as u64) as usize;
                            let mut chunk: Vec<_> =
                                (0..n).map(|_| sealer.seal_key(&generator.draw(&mut rng), &mut rng)).collect();
                            crate::store::SealedKey::sort_for_insert(&mut chunk);
                            left -= n as u64;
                            if sender.send(chunk).is_err() {
                                return;
                            }
                        }
                    });
                    for chunk in receiver {
                        stored += db.insert_stock(&terms, &chunk)?;
                        if !progress(stored) {
                            return Err(ServiceError::Cancelled);
                        }
                    }
                    Ok(())
                });
                outcome?;
            }
            if stored < count {
                return Err(ServiceError::KeyspaceTooSmall);
            }
            audit(db, now, actor, "generate-stock", &product.0.to_string(), &stored.to_string())?;
            Ok(stored)
        })
    }

    /// create-license-key-meta: the key must be assigned.
    pub fn create_key_meta(&self, actor: &Actor, key: &str, meta_key: &str, value: &str) -> Result<i64, ServiceError> {
        self.key_meta(actor, key, meta_key, Some(value), |db, license| {
            db.insert_license_meta(license, meta_key.trim(), value)?.ok_or(ServiceError::MetaExists)
        })
    }

    /// update-license-key-meta.
    pub fn update_key_meta(&self, actor: &Actor, key: &str, meta_key: &str, value: &str) -> Result<i64, ServiceError> {
        self.key_meta(actor, key, meta_key, Some(value), |db, license| {
            db.update_license_meta(license, meta_key.trim(), value)?.ok_or(ServiceError::MetaMissing)
        })
    }

    /// delete-license-key-meta.
    pub fn delete_key_meta(&self, actor: &Actor, key: &str, meta_key: &str) -> Result<(), ServiceError> {
        self.key_meta(actor, key, meta_key, None, |db, license| {
            if db.delete_license_meta(license, meta_key.trim())? { Ok(()) } else { Err(ServiceError::MetaMissing) }
        })
    }

    /// Meta calls: key and value present, then a known, assigned key, then the change.
    fn key_meta<T>(
        &self,
        actor: &Actor,
        key: &str,
        meta_key: &str,
        value: Option<&str>,
        change: impl FnOnce(&Db<'_>, crate::domain::license::LicenseId) -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        super::products::meta_fields(meta_key, value)?;
        let now = self.now();
        self.store.write(|db| {
            let license = db.license_by_number(key)?.ok_or(ServiceError::KeyUnknown)?;
            if license.key_state != KeyState::Assigned {
                return Err(ServiceError::KeyNotAssigned);
            }
            let outcome = change(db, license.id)?;
            audit(db, now, actor, "key-meta", &redact_tail(key), meta_key)?;
            Ok(outcome)
        })
    }
}

/// What to draw from a product's generator.
#[derive(Debug, Clone)]
pub(crate) struct Draw<'a> {
    pub product: ProductId,
    pub count: u32,
    /// Name and e-mail: the keys are assigned to them; `None`: the keys are available.
    pub owner: Option<(&'a str, &'a str)>,
    pub contract: Option<i64>,
    pub is_test: bool,
    /// Who made the keys, as recorded on them.
    pub created_by: String,
}

/// random-assign-license-keys inside the caller's transaction (the plain call's and a
/// queued job's, which commits its result with it).
pub(crate) fn random_assign_in(
    db: &Db<'_>,
    actor: &Actor,
    product: ProductId,
    (owner_name, owner_email): (&str, &str),
    quantity: u32,
    generate: bool,
    now: DateTime<Utc>,
) -> Result<Vec<License>, ServiceError> {
    vendor(actor)?;
    limits::within(quantity.into(), MAX_ASSIGN.into())?;
    db.product(product)?.ok_or(ServiceError::ProductNotFound)?;
    let mut chosen = db.random_available(product, quantity)?;
    let missing = quantity.saturating_sub(chosen.len() as u32);
    if missing > 0 {
        if !generate {
            return Err(ServiceError::InsufficientKeys(chosen.len() as u64));
        }
        let draw =
            Draw { product, count: missing, owner: None, contract: None, is_test: false, created_by: actor.label() };
        chosen.extend(draw_keys(db, &draw, now)?);
    }
    let mut assigned = Vec::with_capacity(chosen.len());
    for license in chosen {
        db.assign_key(license.id, owner_name.trim(), owner_email.trim(), now)?;
        assigned.extend(db.license(license.id)?);
    }
    audit(db, now, actor, "random-assign", &product.0.to_string(), &format!("{quantity} to {owner_email}"))?;
    Ok(assigned)
}

/// Makes and stores `count` new keys with the product's generator, inside the caller's
/// transaction. Keys are unique across the store (a clash is drawn again); a format too
/// small for the count is refused before anything is made.
pub(crate) fn draw_keys(db: &Db<'_>, draw: &Draw<'_>, now: DateTime<Utc>) -> Result<Vec<License>, ServiceError> {
    let generator = db.generator_of_product(draw.product)?.ok_or(ServiceError::GeneratorNotFound)?;
    if !generator.format.can_make(u64::from(draw.count)) {
        return Err(ServiceError::KeyspaceTooSmall);
    }
    let (state, owner_name, owner_email, assigned_at) = match draw.owner {
        Some((name, email)) => (KeyState::Assigned, name.trim(), email.trim(), Some(now)),
        None => (KeyState::Available, "", "", None),
    };
    // Every caller bounds the count (domain::limits); the vector still grows as keys are
    // made rather than trusting it for one allocation.
    let mut made = Vec::new();
    let mut clashes = 0u32;
    let mut rng = OsRandomBlocks::default();
    while made.len() < draw.count as usize {
        let new = NewKey {
            key: generator.draw(&mut rng),
            product: draw.product,
            owner_name: owner_name.to_owned(),
            owner_email: owner_email.to_owned(),
            activation_limit: generator.activation_limit,
            validity_days: generator.validity_days,
            state,
            assigned_at,
            contract: draw.contract,
            is_test: draw.is_test,
            created_by: draw.created_by.clone(),
            created_at: now,
        };
        match db.insert_key(&new)? {
            Some(id) => made.extend(db.license(id)?),
            None => {
                clashes += 1;
                if clashes > draw.count.saturating_mul(10) + 100 {
                    return Err(ServiceError::KeyspaceTooSmall);
                }
            }
        }
    }
    Ok(made)
}
