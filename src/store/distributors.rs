//! Distributors and their API settings.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, StoreError, to_millis};
use crate::domain::distributor::{
    Distributor, DistributorCode, DistributorId, DistributorSettings, UsernameCharset, UsernameRules,
};

/// What is needed to create a distributor.
#[derive(Debug, Clone)]
pub struct NewDistributor {
    pub code: DistributorCode,
    pub name: String,
    pub is_default: bool,
    pub salt: String,
    pub settings: DistributorSettings,
    pub created_at: DateTime<Utc>,
}

/// A change of name or settings.
#[derive(Debug, Clone)]
pub struct DistributorUpdate {
    pub name: String,
    pub settings: DistributorSettings,
}

const COLUMNS: &str = "id, code, name, is_default, allowed_ips, allow_select, redirect_url, create_default_license, \
     min_password_length, username_min_length, username_charset, email_as_reference, activation_without_email, \
     unique_email, depot_host_url, request_window_secs";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<Distributor, StoreError>> {
    let code: String = row.get(1)?;
    let ips: String = row.get(4)?;
    let charset: String = row.get(10)?;
    let parsed = (|| {
        let code = DistributorCode::parse(&code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let allowed_ips = ips
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| StoreError::Corrupt(format!("bad address {s:?}"))))
            .collect::<Result<_, _>>()?;
        let charset = UsernameCharset::parse(&charset)
            .ok_or_else(|| StoreError::Corrupt(format!("bad username charset {charset:?}")))?;
        Ok((code, allowed_ips, charset))
    })();
    let (code, allowed_ips, charset) = match parsed {
        Ok(parts) => parts,
        Err(e) => return Ok(Err(e)),
    };
    Ok(Ok(Distributor {
        id: DistributorId(row.get(0)?),
        code,
        name: row.get(2)?,
        is_default: row.get(3)?,
        settings: DistributorSettings {
            allowed_ips,
            allow_select: row.get(5)?,
            redirect_url: row.get(6)?,
            create_default_license: row.get(7)?,
            min_password_length: row.get(8)?,
            username_rules: UsernameRules { min_length: row.get(9)?, charset },
            email_as_reference: row.get(11)?,
            activation_without_email: row.get(12)?,
            unique_email: row.get(13)?,
            depot_host_url: row.get(14)?,
            request_window_secs: row.get(15)?,
        },
    }))
}

fn ips_text(settings: &DistributorSettings) -> String {
    settings.allowed_ips.iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
}

impl Db<'_> {
    /// Inserts a distributor; its settings are written by [`Db::update_distributor`], so
    /// there is one place that maps them to columns.
    pub fn insert_distributor(&self, new: &NewDistributor) -> Result<DistributorId, StoreError> {
        self.conn.execute(
            "INSERT INTO distributors (code, name, is_default, salt_sealed, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                new.code.as_str(),
                new.name,
                new.is_default,
                self.sealer.seal(&new.salt),
                to_millis(new.created_at)
            ],
        )?;
        let id = DistributorId(self.conn.last_insert_rowid());
        self.update_distributor(id, &DistributorUpdate { name: new.name.clone(), settings: new.settings.clone() })?;
        Ok(id)
    }

    pub fn update_distributor(&self, id: DistributorId, update: &DistributorUpdate) -> Result<(), StoreError> {
        let s = &update.settings;
        self.conn.execute(
            "UPDATE distributors SET name = ?2, allowed_ips = ?3, allow_select = ?4, redirect_url = ?5, \
             create_default_license = ?6, min_password_length = ?7, username_min_length = ?8, username_charset = ?9, \
             email_as_reference = ?10, activation_without_email = ?11, unique_email = ?12, depot_host_url = ?13, \
             request_window_secs = ?14 WHERE id = ?1",
            params![
                id.0,
                update.name,
                ips_text(s),
                s.allow_select,
                s.redirect_url,
                s.create_default_license,
                s.min_password_length,
                s.username_rules.min_length,
                s.username_rules.charset.as_str(),
                s.email_as_reference,
                s.activation_without_email,
                s.unique_email,
                s.depot_host_url,
                s.request_window_secs,
            ],
        )?;
        Ok(())
    }

    pub fn set_default_distributor(&self, id: DistributorId) -> Result<(), StoreError> {
        self.conn.execute("UPDATE distributors SET is_default = 0 WHERE is_default = 1 AND id != ?1", [id.0])?;
        self.conn.execute("UPDATE distributors SET is_default = 1 WHERE id = ?1", [id.0])?;
        Ok(())
    }

    pub fn distributors(&self) -> Result<Vec<Distributor>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM distributors ORDER BY code"))?;
        let rows = stmt.query_map([], from_row)?;
        rows.map(|r| r?).collect()
    }

    pub fn distributor(&self, id: DistributorId) -> Result<Option<Distributor>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM distributors WHERE id = ?1"))?;
        stmt.query_row([id.0], from_row).optional()?.transpose()
    }

    pub fn distributor_by_code(&self, code: &DistributorCode) -> Result<Option<Distributor>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM distributors WHERE code = ?1"))?;
        stmt.query_row([code.as_str()], from_row).optional()?.transpose()
    }

    /// The distributor's checksum salt, unsealed.
    pub fn distributor_salt(&self, id: DistributorId) -> Result<String, StoreError> {
        let sealed: Vec<u8> =
            self.conn.query_row("SELECT salt_sealed FROM distributors WHERE id = ?1", [id.0], |r| r.get(0))?;
        Ok(self.sealer.open(&sealed)?)
    }

    pub fn set_distributor_salt(&self, id: DistributorId, salt: &str) -> Result<(), StoreError> {
        self.conn
            .execute("UPDATE distributors SET salt_sealed = ?2 WHERE id = ?1", params![id.0, self.sealer.seal(salt)])?;
        Ok(())
    }

    /// Takes the next number for a generated (`$CODE-nnnn`) username.
    pub fn next_magic_number(&self, id: DistributorId) -> Result<i64, StoreError> {
        Ok(self.conn.query_row(
            "UPDATE distributors SET next_magic_number = next_magic_number + 1 WHERE id = ?1 RETURNING next_magic_number - 1",
            [id.0],
            |r| r.get(0),
        )?)
    }
}
