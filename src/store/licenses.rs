//! Licenses and their activations. The number (the license key) is stored sealed and
//! found through its keyed hash; it never sits in the file in plain text.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, Sealer, StoreError, from_millis, to_millis};
use crate::domain::distributor::DistributorId;
use crate::domain::license::{
    Features, KeyState, License, LicenseId, LicenseStatus, LicenseType, ProductKind, SeatLimit,
};
use crate::domain::product::ProductId;
use crate::domain::user::{DeviceId, UserId};

/// What is needed to create a license.
#[derive(Debug, Clone)]
pub struct NewLicense {
    pub number: String,
    pub distributor: Option<DistributorId>,
    pub owner: Option<UserId>,
    pub product: ProductKind,
    pub license_type: LicenseType,
    pub features: Features,
    pub limit: SeatLimit,
    pub valid_until: Option<NaiveDate>,
    pub is_default: bool,
    pub reference: String,
    pub contract_number: String,
    pub change_id: String,
    pub created_at: DateTime<Utc>,
}

/// A change to a license's terms (the fields left `None` keep their value).
#[derive(Debug, Clone, Default)]
pub struct LicenseChange {
    pub features: Option<Features>,
    pub limit: Option<SeatLimit>,
    pub status: Option<LicenseStatus>,
    pub reference: Option<String>,
    pub change_id: Option<String>,
}

pub(super) const SELECT_LICENSE: &str = "SELECT l.id, l.key_sealed, l.distributor_id, l.user_id, u.username, l.product_kind, \
     l.license_type, l.features, l.seat_limit, (SELECT count(*) FROM activations a WHERE a.license_id = l.id), \
     l.valid_until, l.status, l.key_state, l.is_default, l.reference, l.contract_number, l.change_id, \
     l.owner_name, l.owner_email, l.created_at, l.product_id, l.contract_id, l.validity_days, l.assigned_at, \
     l.is_test, l.updated_at, l.created_by FROM licenses l LEFT JOIN users u ON u.id = l.user_id";

fn from_row(sealer: &Sealer, row: &Row<'_>) -> rusqlite::Result<Result<License, StoreError>> {
    let id: i64 = row.get(0)?;
    let sealed: Vec<u8> = row.get(1)?;
    let valid_until: Option<String> = row.get(10)?;
    let key_state: String = row.get(12)?;
    let corrupt = |what: &str| Ok(Err(StoreError::Corrupt(format!("license {id}: bad {what}"))));
    let number = match sealer.open(&sealed) {
        Ok(number) => number,
        Err(e) => return Ok(Err(e.into())),
    };
    let (Some(product), Some(license_type), Some(features), Some(status), Some(key_state)) = (
        ProductKind::from_id(row.get(5)?),
        LicenseType::from_code(row.get(6)?),
        Features::from_bits(row.get(7)?),
        LicenseStatus::from_code(row.get(11)?),
        KeyState::parse(&key_state),
    ) else {
        return corrupt("enumerated column");
    };
    let valid_until = match valid_until.map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d")) {
        None => None,
        Some(Ok(date)) => Some(date),
        Some(Err(_)) => return corrupt("valid_until"),
    };
    Ok(Ok(License {
        id: LicenseId(id),
        number,
        distributor: row.get::<_, Option<i64>>(2)?.map(DistributorId),
        owner: row.get::<_, Option<i64>>(3)?.map(UserId),
        owner_username: row.get(4)?,
        product,
        license_type,
        features,
        limit: SeatLimit(row.get(8)?),
        used: row.get(9)?,
        valid_until,
        status,
        key_state,
        is_default: row.get(13)?,
        reference: row.get(14)?,
        contract_number: row.get(15)?,
        change_id: row.get(16)?,
        owner_name: row.get(17)?,
        owner_email: row.get(18)?,
        created_at: from_millis(row.get(19)?),
        product_id: row.get::<_, Option<i64>>(20)?.map(ProductId),
        contract_id: row.get(21)?,
        validity_days: row.get(22)?,
        assigned_at: row.get::<_, Option<i64>>(23)?.map(from_millis),
        is_test: row.get(24)?,
        updated_at: from_millis(row.get(25)?),
        created_by: row.get(26)?,
    }))
}

impl Db<'_> {
    pub fn insert_license(&self, new: &NewLicense) -> Result<LicenseId, StoreError> {
        let now = to_millis(new.created_at);
        self.conn
            .prepare_cached(
                "INSERT INTO licenses (key_tag, key_sealed, distributor_id, user_id, product_kind, license_type, \
                 features, seat_limit, valid_until, is_default, reference, contract_number, change_id, assigned_at, \
                 created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
            )?
            .execute(params![
                self.sealer.tag(&new.number),
                self.sealer.seal(&new.number),
                new.distributor.map(|d| d.0),
                new.owner.map(|u| u.0),
                new.product.id(),
                new.license_type.code(),
                new.features.bits(),
                new.limit.0,
                new.valid_until.map(|d| d.format("%Y-%m-%d").to_string()),
                new.is_default,
                new.reference,
                new.contract_number,
                new.change_id,
                new.owner.map(|_| now),
                now,
            ])?;
        Ok(LicenseId(self.conn.last_insert_rowid()))
    }

    pub(super) fn licenses_where(&self, filter: &str, args: impl rusqlite::Params) -> Result<Vec<License>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT_LICENSE} WHERE {filter}"))?;
        let rows = stmt.query_map(args, |row| from_row(self.sealer, row))?;
        rows.map(|r| r?).collect()
    }

    pub fn license(&self, id: LicenseId) -> Result<Option<License>, StoreError> {
        Ok(self.licenses_where("l.id = ?1", [id.0])?.pop())
    }

    /// Finds a license by its number (key), whatever its status.
    pub fn license_by_number(&self, number: &str) -> Result<Option<License>, StoreError> {
        let number = number.trim();
        let found = self.licenses_where("l.key_tag = ?1", [self.sealer.tag(number)])?.pop();
        // Another key may share the tag; only the same key is this license.
        Ok(found.filter(|license| license.number == number))
    }

    /// Whether a new license with this number would collide with a stored one (the same
    /// key, or, about once in 2^64, another key with the same tag).
    pub fn license_number_taken(&self, number: &str) -> Result<bool, StoreError> {
        let found: Option<i64> = self
            .conn
            .prepare_cached("SELECT 1 FROM licenses WHERE key_tag = ?1")?
            .query_row([self.sealer.tag(number)], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    /// The user's licenses that are not deleted, oldest first.
    pub fn licenses_of_user(&self, user: UserId) -> Result<Vec<License>, StoreError> {
        self.licenses_where("l.user_id = ?1 AND l.status != 2 ORDER BY l.id", [user.0])
    }

    pub fn default_license(&self, user: UserId) -> Result<Option<License>, StoreError> {
        Ok(self.licenses_where("l.user_id = ?1 AND l.is_default = 1 AND l.status != 2", [user.0])?.pop())
    }

    pub fn set_license_owner(
        &self,
        id: LicenseId,
        owner: Option<UserId>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE licenses SET user_id = ?2, is_default = CASE WHEN user_id IS ?2 THEN is_default ELSE 0 END, \
             assigned_at = CASE WHEN ?2 IS NULL THEN assigned_at ELSE coalesce(assigned_at, ?3) END, updated_at = ?3 \
             WHERE id = ?1",
            params![id.0, owner.map(|u| u.0), to_millis(now)],
        )?;
        Ok(())
    }

    pub fn change_license(&self, id: LicenseId, change: &LicenseChange, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE licenses SET features = coalesce(?2, features), seat_limit = coalesce(?3, seat_limit), \
             status = coalesce(?4, status), reference = coalesce(?5, reference), change_id = coalesce(?6, change_id), \
             updated_at = ?7 WHERE id = ?1",
            params![
                id.0,
                change.features.map(Features::bits),
                change.limit.map(|l| l.0),
                change.status.map(LicenseStatus::code),
                change.reference,
                change.change_id,
                to_millis(now),
            ],
        )?;
        Ok(())
    }

    /// Marks the user's licenses deleted (when a user is removed with their licenses).
    pub fn delete_licenses_of_user(&self, user: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE licenses SET status = 2, is_default = 0, updated_at = ?2 WHERE user_id = ?1",
            params![user.0, to_millis(now)],
        )?;
        self.conn.execute(
            "DELETE FROM activations WHERE license_id IN (SELECT id FROM licenses WHERE user_id = ?1)",
            [user.0],
        )?;
        Ok(())
    }

    /// Records that `identifier` holds the license; false when it already did.
    pub fn add_activation(
        &self,
        license: LicenseId,
        identifier: &str,
        device: Option<DeviceId>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO activations (license_id, identifier, device_id, created_at) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT (license_id, identifier) DO NOTHING",
            )?
            .execute(params![license.0, identifier, device.map(|d| d.0), to_millis(now)])?;
        Ok(inserted == 1)
    }

    /// Removes the activations the given devices hold on a license; returns how many.
    pub fn remove_device_activations(&self, license: LicenseId, devices: &[DeviceId]) -> Result<usize, StoreError> {
        let mut stmt = self.conn.prepare_cached("DELETE FROM activations WHERE license_id = ?1 AND device_id = ?2")?;
        let mut removed = 0;
        for device in devices {
            removed += stmt.execute(params![license.0, device.0])?;
        }
        Ok(removed)
    }

    /// Usernames of everyone using a license: its owner and the owners of devices holding it.
    pub fn license_usernames(&self, license: LicenseId) -> Result<Vec<String>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.username FROM users u WHERE u.id IN ( \
                 SELECT user_id FROM licenses WHERE id = ?1 AND user_id IS NOT NULL \
                 UNION SELECT d.user_id FROM activations a JOIN devices d ON d.id = a.device_id WHERE a.license_id = ?1) \
             ORDER BY u.username_key",
        )?;
        let rows = stmt.query_map([license.0], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Db<'_> {
    /// Moves a user's licenses with them to another distributor.
    pub fn move_user_licenses(&self, user: UserId, to: DistributorId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE licenses SET distributor_id = ?2, updated_at = ?3 WHERE user_id = ?1",
            params![user.0, to.0, to_millis(now)],
        )?;
        Ok(())
    }

    /// Records the owner's name and e-mail on a license (the key manager's view of the owner).
    pub fn set_license_owner_contact(&self, id: LicenseId, name: &str, email: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE licenses SET owner_name = ?2, owner_email = ?3 WHERE id = ?1",
            params![id.0, name, email],
        )?;
        Ok(())
    }
}

impl Db<'_> {
    /// The devices holding a license.
    pub fn license_device_ids(&self, license: LicenseId) -> Result<Vec<DeviceId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT device_id FROM activations WHERE license_id = ?1 AND device_id IS NOT NULL")?;
        let rows = stmt.query_map([license.0], |r| Ok(DeviceId(r.get(0)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
