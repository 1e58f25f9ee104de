//! Contracts (pools of keys a holder may draw) and the Contracts API their holders use.

use super::keys::{Draw, draw_keys};
use super::{Actor, Service, ServiceError, audit};
use crate::domain::contract::{Contract, ContractId, ContractRights, ContractTerms};
use crate::domain::license::License;
use crate::domain::limits::{self, MAX_CONTRACT_GENERATE, MAX_POOL};
use crate::domain::secret::redact_tail;
use crate::domain::validation::{FieldErrors, Problem};
use crate::store::Db;

fn vendor(actor: &Actor) -> Result<(), ServiceError> {
    if actor.is_vendor() { Ok(()) } else { Err(ServiceError::AccessDenied) }
}

/// A contract named by its key, active, and allowing `right`.
fn held(db: &Db<'_>, contract_key: &str, right: impl Fn(&Contract) -> bool) -> Result<Contract, ServiceError> {
    let contract =
        db.contract_by_key(contract_key.trim())?.filter(|c| c.terms.active).ok_or(ServiceError::ContractNotFound)?;
    if right(&contract) { Ok(contract) } else { Err(ServiceError::ContractRightMissing) }
}

/// The contract's product (active) and generator must exist for its keys to be made.
fn producible(db: &Db<'_>, contract: &Contract) -> Result<(), ServiceError> {
    db.product(contract.terms.product)?.filter(|p| p.active).ok_or(ServiceError::ProductNotFound)?;
    db.generator_of_product(contract.terms.product)?.ok_or(ServiceError::GeneratorNotFound)?;
    Ok(())
}

/// Keys to draw under a contract.
pub(crate) struct ContractDraw<'a> {
    pub quantity: u32,
    pub owner: Option<(&'a str, &'a str)>,
    pub is_test: bool,
    pub created_by: String,
}

/// Draws keys under a contract inside the caller's transaction, so that the count and the
/// keys commit together and concurrent calls never draw more than the contract holds.
pub(crate) fn generate_in(
    db: &Db<'_>,
    contract: &Contract,
    order: &ContractDraw<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Vec<License>, ServiceError> {
    limits::within(order.quantity.into(), MAX_CONTRACT_GENERATE.into())?;
    producible(db, contract)?;
    if !order.is_test {
        if contract.remaining() == 0 {
            return Err(ServiceError::ContractLimitReached);
        }
        if order.quantity > contract.remaining() {
            return Err(ServiceError::ContractQuantity);
        }
    }
    if order.quantity == 0 {
        return Err(ServiceError::ContractQuantity);
    }
    let draw = Draw {
        product: contract.terms.product,
        count: order.quantity,
        owner: order.owner,
        contract: Some(contract.id.0),
        is_test: order.is_test,
        created_by: order.created_by.clone(),
    };
    draw_keys(db, &draw, now)
}

/// create-contract's refusal of a quantity above [`MAX_POOL`].
const QUANTITY_ABOVE_POOL: &str = "License keys quantity must be at most 10000000.";

impl Service {
    /// create-contract: the key must be unique and the product exist.
    pub fn create_contract(&self, actor: &Actor, terms: &ContractTerms) -> Result<Contract, ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            self.check_contract(db, terms, None)?;
            let id = db.insert_contract(terms, now)?;
            audit(db, now, actor, "create-contract", &terms.name, &terms.quantity.to_string())?;
            db.contract(id)?.ok_or(ServiceError::ContractNotFound)
        })
    }

    /// update-contract.
    pub fn update_contract(
        &self,
        actor: &Actor,
        id: ContractId,
        terms: &ContractTerms,
    ) -> Result<Contract, ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            db.contract(id)?.ok_or(ServiceError::ContractNotFound)?;
            self.check_contract(db, terms, Some(id))?;
            db.update_contract(id, terms, now)?;
            audit(db, now, actor, "update-contract", &terms.name, &terms.quantity.to_string())?;
            db.contract(id)?.ok_or(ServiceError::ContractNotFound)
        })
    }

    /// Turns a contract's Contracts API rights on or off, its other terms unchanged.
    pub fn set_contract_rights(
        &self,
        actor: &Actor,
        id: ContractId,
        rights: ContractRights,
    ) -> Result<Contract, ServiceError> {
        // The role first: whether a contract exists is not for everyone to learn.
        vendor(actor)?;
        let current = self.store.read(|db| Ok::<_, ServiceError>(db.contract(id)?))?;
        let current = current.ok_or(ServiceError::ContractNotFound)?;
        self.update_contract(actor, id, &ContractTerms { rights, ..current.terms })
    }

    fn check_contract(&self, db: &Db<'_>, terms: &ContractTerms, this: Option<ContractId>) -> Result<(), ServiceError> {
        let mut errors = FieldErrors::default();
        if db.contract_by_key(&terms.contract_key)?.is_some_and(|c| Some(c.id) != this) {
            errors.add("contract_key", Problem::Message("Contract key is required and must be unique."));
        }
        if db.product(terms.product)?.is_none() {
            errors.add("product_id", Problem::Message("Product Id must be a valid product Id."));
        }
        if terms.quantity > MAX_POOL {
            errors.add("license_keys_quantity", Problem::Message(QUANTITY_ABOVE_POOL));
        }
        errors.into_result(()).map_err(ServiceError::Invalid)
    }

    /// delete-contract: the contract goes; its keys stay.
    pub fn delete_contract(&self, actor: &Actor, id: ContractId) -> Result<(), ServiceError> {
        vendor(actor)?;
        let now = self.now();
        self.store.write(|db| {
            if !db.delete_contract(id)? {
                return Err(ServiceError::ContractNotFound);
            }
            audit(db, now, actor, "delete-contract", &id.0.to_string(), "")
        })
    }

    pub fn contracts(&self) -> Result<Vec<Contract>, ServiceError> {
        self.store.read(|db| Ok(db.contracts()?))
    }

    /// Contracts API get-info: the contract and the keys drawn under it.
    pub fn contract_info(&self, contract_key: &str) -> Result<(Contract, Vec<License>), ServiceError> {
        self.store.read(|db| {
            let contract = held(db, contract_key, |c| c.terms.rights.get_info)?;
            producible(db, &contract)?;
            Ok((db.contract_keys(contract.id)?, contract)).map(|(keys, contract)| (contract, keys))
        })
    }

    /// Contracts API generate: `quantity` new keys of the contract's product, in one
    /// transaction with the count. Keys for an `owner` are assigned to them; test keys do
    /// not count against the contract.
    pub fn contract_generate(
        &self,
        actor: &Actor,
        contract_key: &str,
        quantity: u32,
        owner: Option<(&str, &str)>,
        is_test: bool,
    ) -> Result<(Contract, Vec<License>), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let contract = held(db, contract_key, |c| c.terms.rights.generate)?;
            let order = ContractDraw { quantity, owner, is_test, created_by: actor.label() };
            let keys = generate_in(db, &contract, &order, now)?;
            let detail = format!("{quantity} key(s){}", if is_test { ", test" } else { "" });
            audit(db, now, actor, "contract-generate", &contract.terms.name, &detail)?;
            let contract = db.contract(contract.id)?.ok_or(ServiceError::ContractNotFound)?;
            Ok((contract, keys))
        })
    }

    /// Contracts API destroy: one key drawn under the contract.
    pub fn contract_destroy(&self, actor: &Actor, contract_key: &str, key: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let contract = held(db, contract_key, |c| c.terms.rights.destroy)?;
            let license = db.license_by_number(key)?.filter(|l| l.contract_id == Some(contract.id.0));
            let license = license.ok_or(ServiceError::ContractKeyNotFound)?;
            db.delete_license(license.id)?;
            audit(db, now, actor, "contract-destroy", &contract.terms.name, &redact_tail(key))
        })
    }

    /// Contracts API destroy-all: every key drawn under the contract.
    pub fn contract_destroy_all(&self, actor: &Actor, contract_key: &str) -> Result<usize, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let contract = held(db, contract_key, |c| c.terms.rights.destroy_all)?;
            let removed = db.delete_contract_keys(contract.id)?;
            if removed == 0 {
                return Err(ServiceError::ContractNoKeys);
            }
            audit(db, now, actor, "contract-destroy-all", &contract.terms.name, &removed.to_string())?;
            Ok(removed)
        })
    }
}
