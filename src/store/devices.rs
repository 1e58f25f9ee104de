//! Devices (client installations) and depots of users.

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::user::{Depot, Device, DeviceId, UserId};

fn device_from_row(row: &Row<'_>) -> rusqlite::Result<Device> {
    Ok(Device {
        id: DeviceId(row.get(0)?),
        user: UserId(row.get(1)?),
        name: row.get(2)?,
        platform: row.get(3)?,
        version: row.get(4)?,
        created_at: from_millis(row.get(5)?),
    })
}

fn depot_from_row(row: &Row<'_>) -> rusqlite::Result<Depot> {
    Ok(Depot {
        id: row.get(0)?,
        user: UserId(row.get(1)?),
        depot_id: row.get(2)?,
        host_url: row.get(3)?,
        is_default: row.get(4)?,
        raw: row.get(5)?,
        created_at: from_millis(row.get(6)?),
    })
}

const DEPOT_COLUMNS: &str = "id, user_id, depot_id, host_url, is_default, raw, created_at";

impl Db<'_> {
    pub fn insert_device(
        &self,
        user: UserId,
        name: &str,
        platform: &str,
        version: &str,
        now: DateTime<Utc>,
    ) -> Result<DeviceId, StoreError> {
        self.conn.execute(
            "INSERT INTO devices (user_id, name, platform, version, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user.0, name, platform, version, to_millis(now)],
        )?;
        Ok(DeviceId(self.conn.last_insert_rowid()))
    }

    pub fn devices_of_user(&self, user: UserId) -> Result<Vec<Device>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, user_id, name, platform, version, created_at FROM devices WHERE user_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([user.0], device_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Deletes a device of the user (and the activations it held); false when there is none.
    pub fn delete_device(&self, user: UserId, device: DeviceId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM devices WHERE id = ?1 AND user_id = ?2", params![device.0, user.0])? == 1)
    }

    pub fn depots_of_user(&self, user: UserId) -> Result<Vec<Depot>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {DEPOT_COLUMNS} FROM depots WHERE user_id = ?1 ORDER BY created_at, id"
        ))?;
        let rows = stmt.query_map([user.0], depot_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn insert_depot(
        &self,
        user: UserId,
        depot_id: &str,
        host_url: &str,
        is_default: bool,
        raw: &str,
        now: DateTime<Utc>,
    ) -> Result<i64, StoreError> {
        self.conn.execute(
            "INSERT INTO depots (user_id, depot_id, host_url, is_default, raw, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![user.0, depot_id, host_url, is_default, raw, to_millis(now)],
        )?;
        Ok(self.conn.last_insert_rowid())
    }

    pub fn delete_depot(&self, id: i64) -> Result<(), StoreError> {
        self.conn.execute("DELETE FROM depots WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn set_default_depot(&self, user: UserId, id: i64) -> Result<(), StoreError> {
        self.conn.execute("UPDATE depots SET is_default = (id = ?2) WHERE user_id = ?1", params![user.0, id])?;
        Ok(())
    }
}
