//! Contracts and the keys drawn under them.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::contract::{Contract, ContractId, ContractRights, ContractTerms};
use crate::domain::license::License;
use crate::domain::product::ProductId;

pub(super) const COLUMNS: &str = "c.id, c.contract_key, c.name, c.information, c.product_id, c.license_keys_quantity, c.active, \
     c.can_get_info, c.can_generate, c.can_destroy, c.can_destroy_all, c.created_at, c.updated_at, \
     (SELECT count(*) FROM licenses l WHERE l.contract_id = c.id AND l.is_test = 0)";

pub(super) fn row(r: &Row<'_>) -> rusqlite::Result<Contract> {
    Ok(Contract {
        id: ContractId(r.get(0)?),
        terms: ContractTerms {
            contract_key: r.get(1)?,
            name: r.get(2)?,
            information: r.get(3)?,
            product: ProductId(r.get(4)?),
            quantity: r.get(5)?,
            active: r.get(6)?,
            rights: ContractRights {
                get_info: r.get(7)?,
                generate: r.get(8)?,
                destroy: r.get(9)?,
                destroy_all: r.get(10)?,
            },
        },
        created_at: from_millis(r.get(11)?),
        updated_at: from_millis(r.get(12)?),
        keys_count: r.get(13)?,
    })
}

impl Db<'_> {
    /// Inserts a contract; its terms are written by [`Db::update_contract`], so there is one
    /// place that maps them to columns.
    pub fn insert_contract(&self, terms: &ContractTerms, now: DateTime<Utc>) -> Result<ContractId, StoreError> {
        self.conn.execute(
            "INSERT INTO contracts (contract_key, name, product_id, license_keys_quantity, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![terms.contract_key, terms.name, terms.product.0, terms.quantity, to_millis(now)],
        )?;
        let id = ContractId(self.conn.last_insert_rowid());
        self.update_contract(id, terms, now)?;
        Ok(id)
    }

    pub fn update_contract(
        &self,
        id: ContractId,
        terms: &ContractTerms,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let r = &terms.rights;
        Ok(self.conn.execute(
            "UPDATE contracts SET contract_key = ?2, name = ?3, information = ?4, product_id = ?5, \
             license_keys_quantity = ?6, active = ?7, can_get_info = ?8, can_generate = ?9, can_destroy = ?10, \
             can_destroy_all = ?11, updated_at = ?12 WHERE id = ?1",
            params![
                id.0,
                terms.contract_key,
                terms.name,
                terms.information,
                terms.product.0,
                terms.quantity,
                terms.active,
                r.get_info,
                r.generate,
                r.destroy,
                r.destroy_all,
                to_millis(now)
            ],
        )? == 1)
    }

    /// Deletes a contract; its keys stay, no longer drawn from it.
    pub fn delete_contract(&self, id: ContractId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM contracts WHERE id = ?1", [id.0])? == 1)
    }

    pub fn contract(&self, id: ContractId) -> Result<Option<Contract>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM contracts c WHERE c.id = ?1"))?
            .query_row([id.0], row)
            .optional()?)
    }

    pub fn contract_by_key(&self, key: &str) -> Result<Option<Contract>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM contracts c WHERE c.contract_key = ?1"))?
            .query_row([key], row)
            .optional()?)
    }

    pub fn contracts(&self) -> Result<Vec<Contract>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM contracts c ORDER BY c.id"))?;
        let rows = stmt.query_map([], row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The keys drawn under a contract, oldest first.
    pub fn contract_keys(&self, id: ContractId) -> Result<Vec<License>, StoreError> {
        self.licenses_where("l.contract_id = ?1 ORDER BY l.id", [id.0])
    }

    /// Deletes every key drawn under a contract (test keys too); returns how many.
    pub fn delete_contract_keys(&self, id: ContractId) -> Result<usize, StoreError> {
        Ok(self.conn.execute("DELETE FROM licenses WHERE contract_id = ?1", [id.0])?)
    }
}
