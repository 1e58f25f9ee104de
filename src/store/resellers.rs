//! Resellers and their pools (contracts of one edition each).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::contracts::{COLUMNS as CONTRACT_COLUMNS, row as contract_row};
use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::contract::ContractId;
use crate::domain::distributor::DistributorId;
use crate::domain::reseller::{Edition, Pool, Reseller, ResellerId};
use crate::domain::user::fold_key;

const COLUMNS: &str = "id, email, name, distributor_id, created_at, disabled";

fn reseller(r: &Row<'_>) -> rusqlite::Result<Reseller> {
    Ok(Reseller {
        id: ResellerId(r.get(0)?),
        email: r.get(1)?,
        name: r.get(2)?,
        distributor: r.get::<_, Option<i64>>(3)?.map(DistributorId),
        created_at: from_millis(r.get(4)?),
        disabled: r.get(5)?,
    })
}

/// A new reseller's record; the password is already hashed.
pub struct NewReseller<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub distributor: Option<DistributorId>,
}

impl Db<'_> {
    /// Adds a reseller; `None` when the e-mail is taken.
    pub fn insert_reseller(&self, new: &NewReseller<'_>, now: DateTime<Utc>) -> Result<Option<ResellerId>, StoreError> {
        let inserted = self.conn.execute(
            "INSERT INTO resellers (email, email_key, name, password_hash, distributor_id, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (email_key) DO NOTHING",
            params![
                new.email.trim(),
                fold_key(new.email),
                new.name.trim(),
                new.password_hash,
                new.distributor.map(|d| d.0),
                to_millis(now)
            ],
        )?;
        Ok((inserted == 1).then(|| ResellerId(self.conn.last_insert_rowid())))
    }

    pub fn reseller(&self, id: ResellerId) -> Result<Option<Reseller>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM resellers WHERE id = ?1");
        Ok(self.conn.prepare_cached(&sql)?.query_row([id.0], reseller).optional()?)
    }

    /// The reseller with this e-mail (compared case-insensitively) and its password hash.
    pub fn reseller_by_email(&self, email: &str) -> Result<Option<(Reseller, String)>, StoreError> {
        let sql = format!("SELECT {COLUMNS}, password_hash FROM resellers WHERE email_key = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([fold_key(email)], |r| Ok((reseller(r)?, r.get(6)?)))
            .optional()?)
    }

    pub fn resellers(&self) -> Result<Vec<Reseller>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM resellers ORDER BY name, id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], reseller)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn reseller_password_hash(&self, id: ResellerId) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached("SELECT password_hash FROM resellers WHERE id = ?1")?
            .query_row([id.0], |r| r.get(0))
            .optional()?)
    }

    pub fn set_reseller_password(&self, id: ResellerId, password_hash: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute("UPDATE resellers SET password_hash = ?2 WHERE id = ?1", params![id.0, password_hash])?
            == 1)
    }

    /// Makes a contract the reseller's pool for an edition; false when the reseller already
    /// has a pool for it.
    /// Switches a reseller off or on; false when there is no such reseller.
    pub fn set_reseller_disabled(&self, id: ResellerId, disabled: bool) -> Result<bool, StoreError> {
        Ok(self.conn.execute("UPDATE resellers SET disabled = ?2 WHERE id = ?1", params![id.0, disabled])? == 1)
    }

    /// Keys drawn from the reseller's pools, test keys included.
    pub fn keys_issued_by(&self, id: ResellerId) -> Result<u64, StoreError> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM licenses l JOIN contracts c ON c.id = l.contract_id WHERE c.reseller_id = ?1",
            params![id.0],
            |r| r.get(0),
        )?;
        Ok(count.unsigned_abs())
    }

    /// Removes a reseller and its pools (the caller made sure no key came from them).
    pub fn delete_reseller(&self, id: ResellerId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM resellers WHERE id = ?1", params![id.0])? == 1)
    }

    pub fn make_pool(&self, contract: ContractId, reseller: ResellerId, edition: Edition) -> Result<bool, StoreError> {
        let taken: Option<i64> = self
            .conn
            .query_row(
                "SELECT id FROM contracts WHERE reseller_id = ?1 AND edition = ?2",
                params![reseller.0, edition.code()],
                |r| r.get(0),
            )
            .optional()?;
        if taken.is_some() {
            return Ok(false);
        }
        self.conn.execute(
            "UPDATE contracts SET reseller_id = ?2, edition = ?3 WHERE id = ?1",
            params![contract.0, reseller.0, edition.code()],
        )?;
        Ok(true)
    }

    /// The reseller and edition of the pool that is this contract; `None` for a contract
    /// that is no pool.
    pub fn pool_of_contract(&self, contract: ContractId) -> Result<Option<(ResellerId, Edition)>, StoreError> {
        let found = self
            .conn
            .prepare_cached("SELECT reseller_id, edition FROM contracts WHERE id = ?1 AND reseller_id IS NOT NULL")?
            .query_row([contract.0], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .optional()?;
        let Some((reseller, code)) = found else { return Ok(None) };
        let edition = Edition::from_code(&code)
            .ok_or_else(|| StoreError::Corrupt(format!("contract {}: edition {code:?}", contract.0)))?;
        Ok(Some((ResellerId(reseller), edition)))
    }

    /// The reseller's pools, by edition.
    pub fn pools(&self, reseller: ResellerId) -> Result<Vec<Pool>, StoreError> {
        let sql = format!(
            "SELECT {CONTRACT_COLUMNS}, c.edition FROM contracts c WHERE c.reseller_id = ?1 ORDER BY c.edition DESC"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([reseller.0], |r| {
            let edition: String = r.get(14)?;
            Ok((contract_row(r)?, edition))
        })?;
        let mut pools = Vec::new();
        for found in rows {
            let (contract, edition) = found?;
            let edition = Edition::from_code(&edition)
                .ok_or_else(|| StoreError::Corrupt(format!("contract {}: bad edition", contract.id.0)))?;
            pools.push(Pool { reseller, edition, contract });
        }
        Ok(pools)
    }
}
