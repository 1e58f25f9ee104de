//! Windows onto whole tables for the console: all users, all licenses, the audit log,
//! sorted and filtered, read a window at a time so that a table of a million rows only
//! ever loads what is on screen.

use rusqlite::params_from_iter;
use rusqlite::types::Value;

use super::users::{SELECT_USER, from_row as user_row};
use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::distributor::DistributorId;
use crate::domain::license::License;
use crate::domain::tables::{ActivationRow, AuditEntry, AuditQuery, LicenseOrder, LicenseQuery, UserOrder};
use crate::domain::user::User;

impl LicenseOrder {
    fn column(self) -> &'static str {
        match self {
            Self::Made => "l.id",
            Self::Product => "l.product_id",
            Self::Owner => "l.owner_name COLLATE NOCASE",
            Self::Status => "l.status",
            Self::State => "l.key_state",
        }
    }
}

/// `text` with LIKE's own characters escaped (`ESCAPE '\\'`).
fn escaped(text: &str) -> String {
    text.trim().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

/// A substring as a LIKE pattern.
fn like(text: &str) -> Value {
    Value::Text(format!("%{}%", escaped(text)))
}

/// A glob (`*` for any characters) as a LIKE pattern; the rest is matched as typed.
fn glob(text: &str) -> Value {
    Value::Text(escaped(text).replace('*', "%"))
}

impl LicenseQuery {
    /// The WHERE clause and its arguments; `sealer` gives a typed number's lookup hash.
    pub(super) fn conditions(&self, sealer: &super::seal::Sealer) -> (String, Vec<Value>) {
        let mut conditions = vec!["l.status != 2".to_owned()];
        let mut args = Vec::new();
        if let Some(distributor) = self.distributor {
            conditions.push("l.distributor_id = ?".into());
            args.push(Value::Integer(distributor.0));
        }
        if let Some(product) = self.product {
            conditions.push("l.product_id = ?".into());
            args.push(Value::Integer(product.0));
        }
        if let Some(contract) = self.contract {
            conditions.push("l.contract_id = ?".into());
            args.push(Value::Integer(contract.0));
        }
        if !self.picked.is_empty() {
            conditions.push("l.id IN (SELECT value FROM json_each(?))".into());
            let ids: Vec<String> = self.picked.iter().map(|id| id.0.to_string()).collect();
            args.push(Value::Text(format!("[{}]", ids.join(","))));
        }
        if let Some(license_type) = self.license_type {
            conditions.push("l.license_type = ?".into());
            args.push(Value::Integer(i64::from(license_type.code())));
        }
        if let Some(status) = self.status {
            conditions.push("l.status = ?".into());
            args.push(Value::Integer(i64::from(status.code())));
        }
        if let Some(state) = self.key_state {
            conditions.push("l.key_state = ?".into());
            args.push(Value::Text(state.as_str().into()));
        }
        if !self.owner.trim().is_empty() {
            conditions.push(
                "(l.owner_name LIKE ?1x ESCAPE '\\' OR l.owner_email LIKE ?1x ESCAPE '\\' OR u.username LIKE ?1x ESCAPE '\\')"
                    .replace("?1x", "?"),
            );
            let pattern = like(&self.owner);
            args.extend([pattern.clone(), pattern.clone(), pattern]);
        }
        if !self.email.trim().is_empty() {
            conditions.push("l.owner_email LIKE ? ESCAPE '\\'".into());
            args.push(glob(&self.email));
        }
        if !self.number.trim().is_empty() {
            conditions.push("l.key_tag = ?".into());
            args.push(Value::Integer(sealer.tag(self.number.trim())));
        }
        if !self.made_by.trim().is_empty() {
            conditions.push("l.created_by LIKE ? ESCAPE '\\'".into());
            args.push(like(&self.made_by));
        }
        if let (Some(before), Some(now)) = (self.expiring_before, self.now) {
            // A registration license ends on its valid-until date; a key, validity days after assignment.
            conditions.push(
                "((l.valid_until IS NOT NULL AND l.valid_until >= ? AND l.valid_until <= ?) OR \
                 (l.validity_days > 0 AND l.assigned_at IS NOT NULL AND \
                  l.assigned_at + l.validity_days * 86400000 BETWEEN ? AND ?))"
                    .into(),
            );
            args.push(Value::Text(now.date_naive().to_string()));
            args.push(Value::Text(before.date_naive().to_string()));
            args.push(Value::Integer(to_millis(now)));
            args.push(Value::Integer(to_millis(before)));
        }
        (conditions.join(" AND "), args)
    }
}

impl Db<'_> {
    /// All users (or one distributor's), sorted, from `offset` on.
    pub fn users_window(
        &self,
        only: Option<DistributorId>,
        order: UserOrder,
        descending: bool,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<User>, StoreError> {
        let (column, index) = match order {
            UserOrder::Username => ("u.username_key", "users_by_name"),
            UserOrder::Email => ("u.email_key", "users_by_email"),
            UserOrder::Created => ("u.id", ""),
        };
        let direction = if descending { "DESC" } else { "ASC" };
        let indexed = if index.is_empty() { String::new() } else { format!(" INDEXED BY {index}") };
        let sql = SELECT_USER.replacen("FROM users u", &format!("FROM users u{indexed}"), 1);
        // `?3 IS NULL` keeps one cached statement for both cases.
        let sql = format!(
            "{sql} WHERE (?3 IS NULL OR u.distributor_id = ?3) ORDER BY {column} {direction} LIMIT ?1 OFFSET ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params![limit, offset as i64, only.map(|d| d.0)], user_row)?;
        rows.map(|r| r?).collect()
    }

    /// Licenses matching `query`, newest first, from `offset` on, and how many match.
    pub fn licenses_window(
        &self,
        query: &LicenseQuery,
        offset: u64,
        limit: u32,
    ) -> Result<(Vec<License>, u64), StoreError> {
        let (conditions, args) = query.conditions(self.sealer);
        let total: i64 = self
            .conn
            .prepare_cached(&format!(
                "SELECT count(*) FROM licenses l LEFT JOIN users u ON u.id = l.user_id WHERE {conditions}"
            ))?
            .query_row(params_from_iter(args.iter()), |r| r.get(0))?;
        let mut window_args = args;
        window_args.push(Value::Integer(i64::from(limit)));
        window_args.push(Value::Integer(offset as i64));
        let direction = if query.ascending { "ASC" } else { "DESC" };
        let order = match query.order {
            LicenseOrder::Made => format!("l.id {direction}"),
            other => format!("{} {direction}, l.id DESC", other.column()),
        };
        let rows = self.licenses_where(
            &format!("{conditions} ORDER BY {order} LIMIT ? OFFSET ?"),
            params_from_iter(window_args.iter()),
        )?;
        Ok((rows, total as u64))
    }

    /// Audit entries matching `query`, newest first.
    pub fn audit_window(&self, query: &AuditQuery, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        let mut conditions = vec!["1 = 1".to_owned()];
        let mut args = Vec::new();
        if !query.who.trim().is_empty() {
            conditions.push("actor LIKE ? ESCAPE '\\'".into());
            args.push(like(&query.who));
        }
        if !query.what.trim().is_empty() {
            conditions
                .push("(action LIKE ? ESCAPE '\\' OR subject LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\')".into());
            let pattern = like(&query.what);
            args.extend([pattern.clone(), pattern.clone(), pattern]);
        }
        if let Some(since) = query.since {
            conditions.push("at >= ?".into());
            args.push(Value::Integer(to_millis(since)));
        }
        args.push(Value::Integer(i64::from(limit)));
        let sql = format!(
            "SELECT id, at, actor, action, subject, detail FROM audit WHERE {} ORDER BY id DESC LIMIT ?",
            conditions.join(" AND ")
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args.iter()), |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: from_millis(r.get(1)?),
                actor: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
                detail: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

impl Db<'_> {
    /// The activations of a license, oldest first.
    pub fn activations_of(&self, license: crate::domain::license::LicenseId) -> Result<Vec<ActivationRow>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.identifier, d.name, a.created_at FROM activations a LEFT JOIN devices d ON d.id = a.device_id \
             WHERE a.license_id = ?1 ORDER BY a.id",
        )?;
        let rows = stmt.query_map([license.0], |r| {
            Ok(ActivationRow { identifier: r.get(0)?, device: r.get(1)?, created_at: from_millis(r.get(2)?) })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
