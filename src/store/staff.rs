//! Staff accounts and their sessions.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::distributor::DistributorId;
use crate::domain::reseller::ResellerId;
use crate::domain::staff::{Role, Staff, StaffId};
use crate::domain::user::fold_key;

const COLUMNS: &str = "s.id, s.username, s.role, s.distributor_id, s.reseller_id, s.created_at, s.disabled";

fn staff_row(r: &Row<'_>) -> rusqlite::Result<Result<Staff, StoreError>> {
    let id: i64 = r.get(0)?;
    let kind: String = r.get(2)?;
    let role = match (kind.as_str(), r.get::<_, Option<i64>>(3)?, r.get::<_, Option<i64>>(4)?) {
        ("owner", _, _) => Role::Owner,
        ("distributor", Some(d), _) => Role::Distributor(DistributorId(d)),
        ("reseller", _, Some(s)) => Role::Reseller(ResellerId(s)),
        _ => return Ok(Err(StoreError::Corrupt(format!("staff {id}: bad role")))),
    };
    Ok(Ok(Staff {
        id: StaffId(id),
        username: r.get(1)?,
        role,
        created_at: from_millis(r.get(5)?),
        disabled: r.get(6)?,
    }))
}

/// The distributor and reseller columns of a role.
fn role_scope(role: Role) -> (Option<i64>, Option<i64>) {
    match role {
        Role::Owner => (None, None),
        Role::Distributor(d) => (Some(d.0), None),
        Role::Reseller(r) => (None, Some(r.0)),
    }
}

impl Db<'_> {
    /// Adds a staff account; `None` when the username is taken.
    pub fn insert_staff(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
        now: DateTime<Utc>,
    ) -> Result<Option<StaffId>, StoreError> {
        let (distributor, reseller) = role_scope(role);
        let inserted = self.conn.execute(
            "INSERT INTO staff (username, username_key, password_hash, role, distributor_id, reseller_id, created_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (username_key) DO NOTHING",
            params![
                username.trim(),
                fold_key(username),
                password_hash,
                role.kind(),
                distributor,
                reseller,
                to_millis(now)
            ],
        )?;
        Ok((inserted == 1).then(|| StaffId(self.conn.last_insert_rowid())))
    }

    /// A staff account by username, with its password hash.
    pub fn staff_by_username(&self, username: &str) -> Result<Option<(Staff, String)>, StoreError> {
        let sql = format!("SELECT {COLUMNS}, s.password_hash FROM staff s WHERE s.username_key = ?1");
        let found = self
            .conn
            .prepare_cached(&sql)?
            .query_row([fold_key(username)], |r| Ok((staff_row(r)?, r.get::<_, String>(7)?)))
            .optional()?;
        found.map(|(staff, hash)| staff.map(|s| (s, hash))).transpose()
    }

    pub fn staff_list(&self) -> Result<Vec<Staff>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("SELECT {COLUMNS} FROM staff s ORDER BY s.username_key"))?;
        let rows = stmt.query_map([], staff_row)?;
        rows.map(|r| r?).collect()
    }

    pub fn insert_session(
        &self,
        staff: StaffId,
        token_hash: &[u8],
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO sessions (token_hash, staff_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, staff.0, to_millis(now), to_millis(expires)],
        )?;
        Ok(())
    }

    /// The staff member of a live session: not revoked, not expired at `now`.
    pub fn session_staff(&self, token_hash: &[u8], now: DateTime<Utc>) -> Result<Option<Staff>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sessions x JOIN staff s ON s.id = x.staff_id \
             WHERE x.token_hash = ?1 AND x.revoked = 0 AND x.expires_at > ?2 AND s.disabled = 0"
        );
        let found =
            self.conn.prepare_cached(&sql)?.query_row(params![token_hash, to_millis(now)], staff_row).optional()?;
        found.transpose()
    }

    /// Revokes one session; false when there was none.
    pub fn revoke_session(&self, token_hash: &[u8]) -> Result<bool, StoreError> {
        Ok(self.conn.execute("UPDATE sessions SET revoked = 1 WHERE token_hash = ?1 AND revoked = 0", [token_hash])?
            == 1)
    }

    /// Revokes every live session of a staff member (expired ones are dead already); how many.
    pub fn revoke_sessions_of(&self, staff: StaffId, now: DateTime<Utc>) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "UPDATE sessions SET revoked = 1 WHERE staff_id = ?1 AND revoked = 0 AND expires_at > ?2",
            params![staff.0, to_millis(now)],
        )?)
    }

    /// Switches an account off or on; false when there is no such account.
    pub fn set_staff_disabled(&self, staff: StaffId, disabled: bool) -> Result<bool, StoreError> {
        Ok(self.conn.execute("UPDATE staff SET disabled = ?2 WHERE id = ?1", params![staff.0, disabled])? == 1)
    }

    pub fn set_staff_password(&self, staff: StaffId, password_hash: &str) -> Result<bool, StoreError> {
        Ok(self.conn.execute("UPDATE staff SET password_hash = ?2 WHERE id = ?1", params![staff.0, password_hash])?
            == 1)
    }

    /// Gives an account another role (the scope columns follow it).
    pub fn set_staff_role(&self, staff: StaffId, role: Role) -> Result<bool, StoreError> {
        let (distributor, reseller) = role_scope(role);
        Ok(self.conn.execute(
            "UPDATE staff SET role = ?2, distributor_id = ?3, reseller_id = ?4 WHERE id = ?1",
            params![staff.0, role.kind(), distributor, reseller],
        )? == 1)
    }

    /// How many owner accounts can log in.
    pub fn enabled_owners(&self) -> Result<u64, StoreError> {
        let count: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM staff WHERE role = 'owner' AND disabled = 0")?
            .query_row([], |r| r.get(0))?;
        Ok(count.unsigned_abs())
    }

    /// Removes an account and, with it, its sessions.
    pub fn delete_staff(&self, staff: StaffId) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM staff WHERE id = ?1", params![staff.0])? == 1)
    }

    /// The account of this username, disabled or not.
    pub fn staff_named(&self, username: &str) -> Result<Option<Staff>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM staff s WHERE s.username_key = ?1");
        let found = self.conn.prepare_cached(&sql)?.query_row([fold_key(username)], staff_row).optional()?;
        found.transpose()
    }
}
