//! Users: records, secrets, and the searchuser query.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::distributor::{DistributorCode, DistributorId};
use crate::domain::user::{User, UserId, UserStatus};
use crate::domain::wildcard::SearchPattern;

/// What is needed to create a user. Keys are the folded forms (see `fold_key`).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub distributor: DistributorId,
    pub username: String,
    pub username_key: String,
    pub email: String,
    pub email_key: String,
    pub password_hash: String,
    pub status: UserStatus,
    pub language: String,
    pub reference: String,
    pub department: String,
    pub activation_code_hash: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A user's hashed secrets, read only where a check needs them.
#[derive(Debug, Clone, Default)]
pub struct UserSecrets {
    pub password_hash: String,
    pub activation_code_hash: Option<String>,
    pub temp_password_hash: Option<String>,
    pub temp_password_expires: Option<DateTime<Utc>>,
    pub pending_email_code: Option<String>,
    pub delete_code_hash: Option<String>,
}

/// A searchuser query: both patterns must match (AND); paging by id.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub username: Option<SearchPattern>,
    pub email: Option<SearchPattern>,
    pub only_distributor: Option<DistributorId>,
    /// Only users with a larger id (the highest id of the previous page).
    pub after: i64,
    pub limit: u32,
}

/// One page of matches and the number of all matches.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    pub users: Vec<User>,
    pub total: u64,
}

const SELECT_USER: &str = "SELECT u.id, u.distributor_id, d.code, u.username, u.email, u.status, u.language, \
     u.reference, u.department, u.pending_email, u.invited_by, u.created_at FROM users u \
     JOIN distributors d ON d.id = u.distributor_id";

fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<User, StoreError>> {
    let code: String = row.get(2)?;
    let status: String = row.get(5)?;
    let (Ok(code), Some(status)) = (DistributorCode::parse(&code), UserStatus::parse(&status)) else {
        return Ok(Err(StoreError::Corrupt(format!(
            "user row {} has code {code:?}, status {status:?}",
            row.get::<_, i64>(0)?
        ))));
    };
    Ok(Ok(User {
        id: UserId(row.get(0)?),
        distributor: DistributorId(row.get(1)?),
        distributor_code: code,
        username: row.get(3)?,
        email: row.get(4)?,
        status,
        language: row.get(6)?,
        reference: row.get(7)?,
        department: row.get(8)?,
        pending_email: row.get(9)?,
        invited_by: row.get::<_, Option<i64>>(10)?.map(UserId),
        created_at: from_millis(row.get(11)?),
    }))
}

/// The user columns the service may change one at a time.
#[derive(Debug, Clone, Copy)]
pub enum UserField {
    Status,
    PasswordHash,
    ActivationCodeHash,
    Email,
    EmailKey,
    Reference,
    Language,
    DeleteCodeHash,
    InvitedBy,
    Distributor,
}

impl UserField {
    fn column(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::PasswordHash => "password_hash",
            Self::ActivationCodeHash => "activation_code_hash",
            Self::Email => "email",
            Self::EmailKey => "email_key",
            Self::Reference => "reference",
            Self::Language => "language",
            Self::DeleteCodeHash => "delete_code_hash",
            Self::InvitedBy => "invited_by",
            Self::Distributor => "distributor_id",
        }
    }
}

impl Db<'_> {
    pub fn insert_user(&self, new: &NewUser) -> Result<UserId, StoreError> {
        let now = to_millis(new.created_at);
        self.conn.execute(
            "INSERT INTO users (distributor_id, username, username_key, email, email_key, password_hash, status, \
             language, reference, department, activation_code_hash, created_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
            params![
                new.distributor.0,
                new.username,
                new.username_key,
                new.email,
                new.email_key,
                new.password_hash,
                new.status.as_str(),
                new.language,
                new.reference,
                new.department,
                new.activation_code_hash,
                now,
            ],
        )?;
        Ok(UserId(self.conn.last_insert_rowid()))
    }

    fn one_user(&self, filter: &str, args: impl rusqlite::Params) -> Result<Option<User>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT_USER} WHERE {filter}"))?;
        stmt.query_row(args, from_row).optional()?.transpose()
    }

    fn many_users(&self, filter: &str, args: impl rusqlite::Params) -> Result<Vec<User>, StoreError> {
        let mut stmt = self.conn.prepare_cached(&format!("{SELECT_USER} WHERE {filter}"))?;
        let rows = stmt.query_map(args, from_row)?;
        rows.map(|r| r?).collect()
    }

    pub fn user(&self, id: UserId) -> Result<Option<User>, StoreError> {
        self.one_user("u.id = ?1", [id.0])
    }

    /// Usernames are unique across all distributors; `key` is the folded name.
    pub fn user_by_username(&self, key: &str) -> Result<Option<User>, StoreError> {
        self.one_user("u.username_key = ?1", [key])
    }

    pub fn users_by_email(&self, distributor: DistributorId, email_key: &str) -> Result<Vec<User>, StoreError> {
        self.many_users("u.distributor_id = ?1 AND u.email_key = ?2 ORDER BY u.id", params![distributor.0, email_key])
    }

    pub fn user_by_activation_code(&self, distributor: DistributorId, hash: &str) -> Result<Option<User>, StoreError> {
        self.one_user("u.activation_code_hash = ?2 AND u.distributor_id = ?1", params![distributor.0, hash])
    }

    /// Whether another user of the distributor has this e-mail address (pending changes do not count).
    pub fn email_in_use(
        &self,
        distributor: DistributorId,
        email_key: &str,
        except: Option<UserId>,
    ) -> Result<bool, StoreError> {
        let except = except.map_or(0, |u| u.0);
        let found: Option<i64> = self
            .conn
            .prepare_cached("SELECT id FROM users WHERE distributor_id = ?1 AND email_key = ?2 AND id != ?3 LIMIT 1")?
            .query_row(params![distributor.0, email_key, except], |r| r.get(0))
            .optional()?;
        Ok(found.is_some())
    }

    pub fn user_secrets(&self, id: UserId) -> Result<UserSecrets, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT password_hash, activation_code_hash, temp_password_hash, temp_password_expires, \
             pending_email_code, delete_code_hash FROM users WHERE id = ?1",
        )?;
        Ok(stmt.query_row([id.0], |r| {
            Ok(UserSecrets {
                password_hash: r.get(0)?,
                activation_code_hash: r.get(1)?,
                temp_password_hash: r.get(2)?,
                temp_password_expires: r.get::<_, Option<i64>>(3)?.map(from_millis),
                pending_email_code: r.get(4)?,
                delete_code_hash: r.get(5)?,
            })
        })?)
    }

    /// Sets one column of a user and stamps the change.
    pub fn set_user_field(
        &self,
        id: UserId,
        field: UserField,
        value: impl rusqlite::ToSql,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = format!("UPDATE users SET {} = ?2, updated_at = ?3 WHERE id = ?1", field.column());
        self.conn.prepare_cached(&sql)?.execute(params![id.0, value, to_millis(now)])?;
        Ok(())
    }

    pub fn set_temp_password(
        &self,
        id: UserId,
        temp: Option<(&str, DateTime<Utc>)>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE users SET temp_password_hash = ?2, temp_password_expires = ?3, updated_at = ?4 WHERE id = ?1",
            params![id.0, temp.map(|t| t.0), temp.map(|t| to_millis(t.1)), to_millis(now)],
        )?;
        Ok(())
    }

    pub fn set_pending_email(
        &self,
        id: UserId,
        pending: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE users SET pending_email = ?2, pending_email_code = ?3, updated_at = ?4 WHERE id = ?1",
            params![id.0, pending.map(|p| p.0), pending.map(|p| p.1), to_millis(now)],
        )?;
        Ok(())
    }

    pub fn delete_user(&self, id: UserId) -> Result<(), StoreError> {
        // Licenses kept without an owner stop being anyone's default license.
        self.conn.execute("UPDATE licenses SET is_default = 0 WHERE user_id = ?1", [id.0])?;
        self.conn.execute("DELETE FROM users WHERE id = ?1", [id.0])?;
        Ok(())
    }

    pub fn count_users(&self, distributor: Option<DistributorId>) -> Result<u64, StoreError> {
        let count: i64 = match distributor {
            Some(d) => {
                self.conn.query_row("SELECT count(*) FROM users WHERE distributor_id = ?1", [d.0], |r| r.get(0))?
            }
            None => self.conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?,
        };
        Ok(count as u64)
    }

    /// The searchuser query. Exact and prefix terms use the b-tree indexes. Suffix and
    /// substring terms are checked exactly on each candidate; candidates come from the
    /// b-tree term when there is one, otherwise from the trigram index (see [`FTS_WINDOW`]).
    pub fn search_users(&self, query: &SearchQuery) -> Result<SearchPage, StoreError> {
        let terms = [("username_key", &query.username), ("email_key", &query.email)];
        let indexed = terms.iter().any(|(_, p)| matches!(p, Some(SearchPattern::Exact(_) | SearchPattern::Prefix(_))));
        let mut filter = SearchFilter::default();
        let mut fts = Vec::new();
        for (column, pattern) in terms {
            if let Some(pattern) = pattern {
                filter.add(column, pattern, if indexed { None } else { Some(&mut fts) });
            }
        }
        if !fts.is_empty() {
            filter.conditions.push("u.id IN (SELECT rowid FROM user_search WHERE user_search MATCH ?)".into());
            filter.args.push(Value::Text(fts.join(" AND ")));
        }
        let has_terms = !filter.conditions.is_empty();
        if let Some(d) = query.only_distributor {
            // With a term, the term's index is the selective one: `+` keeps the planner
            // from walking the distributor's index instead.
            filter.conditions.push(if has_terms { "+u.distributor_id = ?" } else { "u.distributor_id = ?" }.into());
            filter.args.push(Value::Integer(d.0));
        }
        let base = if filter.conditions.is_empty() { "1".to_owned() } else { filter.conditions.join(" AND ") };
        let total: i64 = match (has_terms, query.only_distributor) {
            (false, Some(d)) => {
                self.conn.query_row("SELECT user_count FROM distributors WHERE id = ?1", [d.0], |r| r.get(0))?
            }
            (false, None) => self.conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?,
            (true, _) => self
                .conn
                .prepare_cached(&format!("SELECT count(*) FROM users u WHERE {base}"))?
                .query_row(params_from_iter(filter.args.iter()), |r| r.get(0))?,
        };
        let mut page_args = filter.args.clone();
        page_args.push(Value::Integer(query.after));
        page_args.push(Value::Integer(i64::from(query.limit)));
        let users =
            self.many_users(&format!("{base} AND u.id > ? ORDER BY u.id LIMIT ?"), params_from_iter(page_args.iter()))?;
        Ok(SearchPage { users, total: total as u64 })
    }
}

/// Characters of a suffix or substring term given to the trigram index. A phrase costs
/// the sum of its trigrams' posting lists, and long terms are mostly common pieces
/// (`@`, `.com`); the first few characters find the candidates, the exact check the rest.
const FTS_WINDOW: usize = 8;

#[derive(Default)]
struct SearchFilter {
    conditions: Vec<String>,
    args: Vec<Value>,
}

impl SearchFilter {
    /// Adds a term; a suffix or substring term also adds its trigram phrase to `fts`, unless
    /// another term already narrows the rows through a b-tree index (`fts` is `None`).
    fn add(&mut self, column: &str, pattern: &SearchPattern, fts: Option<&mut Vec<String>>) {
        let text = pattern.text().to_owned();
        match pattern {
            SearchPattern::Exact(_) => {
                self.conditions.push(format!("u.{column} = ?"));
                self.args.push(Value::Text(text));
            }
            SearchPattern::Prefix(_) => {
                self.conditions.push(format!("u.{column} >= ? AND u.{column} < ?"));
                self.args.push(Value::Text(text.clone()));
                self.args.push(Value::Text(format!("{text}{}", char::MAX)));
            }
            SearchPattern::Suffix(_) | SearchPattern::Contains(_) => {
                if let Some(fts) = fts {
                    let window: String = text.chars().take(FTS_WINDOW).collect();
                    fts.push(format!("{column} : \"{}\"", window.replace('"', "\"\"")));
                }
                if matches!(pattern, SearchPattern::Suffix(_)) {
                    self.conditions.push(format!("substr(u.{column}, -?) = ?"));
                    self.args.push(Value::Integer(text.chars().count() as i64));
                } else {
                    self.conditions.push(format!("instr(u.{column}, ?) > 0"));
                }
                self.args.push(Value::Text(text));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::user::fold_key;
    use crate::store::{DataKey, NewDistributor, Store};

    /// The SQL search agrees with `SearchPattern::matches` on awkward names.
    #[test]
    fn search_agrees_with_the_pattern_rules() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("s.sqlite"), &DataKey::generate()).expect("store");
        let names = [
            "alice",
            "Alicia",
            "malice",
            "bob_smith",
            "bob%smith",
            "bobxsmith",
            "quote\"name",
            "star*name",
            "jürgen",
            "JÜRGEN2",
            "ab",
            "aaaa",
            "aaab",
            "baaa",
            "x.y@z",
            "smith",
            "smithsmith",
        ];
        let distributor = store
            .write(|db| {
                let id = db.insert_distributor(&NewDistributor {
                    code: crate::domain::distributor::DistributorCode::parse("TEST").expect("code"),
                    name: "t".into(),
                    is_default: false,
                    salt: "s".into(),
                    settings: Default::default(),
                    created_at: Utc::now(),
                })?;
                for name in names {
                    let email = format!("{name}@mail.example");
                    db.insert_user(&NewUser {
                        distributor: id,
                        username: name.into(),
                        username_key: fold_key(name),
                        email_key: fold_key(&email),
                        email,
                        password_hash: String::new(),
                        status: UserStatus::Activated,
                        language: "en".into(),
                        reference: String::new(),
                        department: String::new(),
                        activation_code_hash: None,
                        created_at: Utc::now(),
                    })?;
                }
                Ok::<_, StoreError>(id)
            })
            .expect("seed");
        let terms = [
            "alice", "ali*", "*lice", "*lic*", "*b_s*", "*b%s*", "*e\"n*", "*r*n*", "jür*", "*ürg*", "*aaa", "*aaa*",
            "aaa*", "*smith", "*h@m*", "*zzz*", "smi*",
        ];
        for term in terms {
            let pattern = SearchPattern::parse(term).expect("pattern");
            let query = SearchQuery {
                username: Some(pattern.clone()),
                only_distributor: Some(distributor),
                limit: 100,
                ..SearchQuery::default()
            };
            let page = store.read(|db| db.search_users(&query)).expect("search");
            let mut found: Vec<String> = page.users.iter().map(|u| u.username.clone()).collect();
            found.sort();
            let mut expected: Vec<String> =
                names.iter().filter(|n| pattern.matches(&fold_key(n))).map(|n| (*n).to_owned()).collect();
            expected.sort();
            assert_eq!(found, expected, "{term}");
            assert_eq!(page.total as usize, expected.len(), "{term}");
            let email_query = SearchQuery {
                email: Some(SearchPattern::parse("*@mail.example").expect("pattern")),
                username: Some(pattern),
                limit: 100,
                ..SearchQuery::default()
            };
            assert_eq!(store.read(|db| db.search_users(&email_query)).expect("search").total as usize, expected.len());
        }
    }
}
