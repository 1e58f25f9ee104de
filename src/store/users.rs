//! Users: records, secrets, and the searchuser query.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row, params, params_from_iter};

use super::{Db, StoreError, from_millis, to_millis};
use crate::domain::distributor::{DistributorCode, DistributorId};
use crate::domain::user::{User, UserId, UserStatus, fold_key};
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

pub(super) const SELECT_USER: &str = "SELECT u.id, u.distributor_id, d.code, u.username, u.email, u.status, u.language, \
     u.reference, u.department, u.pending_email, u.invited_by, u.created_at FROM users u \
     JOIN distributors d ON d.id = u.distributor_id";

pub(super) fn from_row(row: &Row<'_>) -> rusqlite::Result<Result<User, StoreError>> {
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
             language, reference, department, activation_code_hash, created_at, updated_at, email_rkey) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
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
                reversed(&new.email_key),
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

    /// Keeps a user's pending activation code: its hash (the lookup) and the code sealed (so
    /// a resend mails the same code); `None` clears both.
    pub fn set_activation_code(&self, id: UserId, code: Option<&str>, hash: Option<&str>) -> Result<(), StoreError> {
        let sealed = code.map(|code| self.sealer.seal(code));
        self.conn
            .prepare_cached("UPDATE users SET activation_code_hash = ?2, activation_code_sealed = ?3 WHERE id = ?1")?
            .execute(params![id.0, hash, sealed])?;
        Ok(())
    }

    /// The pending activation code, when one is kept sealed (users registered before keydesk
    /// kept it have only its hash).
    pub fn activation_code(&self, id: UserId) -> Result<Option<String>, StoreError> {
        let sealed: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT activation_code_sealed FROM users WHERE id = ?1")?
            .query_row(params![id.0], |r| r.get(0))
            .optional()?
            .flatten();
        Ok(sealed.map(|s| self.sealer.open(&s)).transpose()?)
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

    /// Sets the address with its folded and reversed search forms.
    pub fn set_user_email(&self, id: UserId, email: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let key = fold_key(email);
        self.conn.execute(
            "UPDATE users SET email = ?2, email_key = ?3, email_rkey = ?4, updated_at = ?5 WHERE id = ?1",
            params![id.0, email, key, reversed(&key), to_millis(now)],
        )?;
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

    /// The searchuser query. One term drives it through an index (see [`Driver`]); every
    /// other term is an exact check on the rows it yields.
    pub fn search_users(&self, query: &SearchQuery) -> Result<SearchPage, StoreError> {
        let mut filter = SearchFilter::default();
        let driver = Driver::choose(query);
        for (column, pattern) in [(Column::Username, &query.username), (Column::Email, &query.email)] {
            if let Some(pattern) = pattern {
                filter.add(column, pattern, driver == Some(Driver { column, kind: pattern_kind(pattern) }));
            }
        }
        let has_terms = !filter.conditions.is_empty();
        if let Some(d) = query.only_distributor {
            // With a term, the term's index is the selective one: `+` keeps the planner
            // from walking the distributor's index instead.
            filter.conditions.push(if has_terms { "+u.distributor_id = ?" } else { "u.distributor_id = ?" }.into());
            filter.args.push(Value::Integer(d.0));
        }
        let base = if filter.conditions.is_empty() { "1".to_owned() } else { filter.conditions.join(" AND ") };
        let from = match driver.and_then(Driver::index) {
            Some(index) => format!("users u INDEXED BY {index}"),
            None => "users u".to_owned(),
        };
        let total: i64 = match (has_terms, query.only_distributor) {
            (false, Some(d)) => {
                self.conn.query_row("SELECT user_count FROM distributors WHERE id = ?1", [d.0], |r| r.get(0))?
            }
            (false, None) => self.conn.query_row("SELECT count(*) FROM users", [], |r| r.get(0))?,
            (true, _) => self
                .conn
                .prepare_cached(&format!("SELECT count(*) FROM {from} WHERE {base}"))?
                .query_row(params_from_iter(filter.args.iter()), |r| r.get(0))?,
        };
        let mut page_args = filter.args.clone();
        page_args.push(Value::Integer(query.after));
        page_args.push(Value::Integer(i64::from(query.limit)));
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(&format!("SELECT u.id FROM {from} WHERE {base} AND u.id > ? ORDER BY u.id LIMIT ?"))?
            .query_map(params_from_iter(page_args.iter()), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut users = Vec::with_capacity(ids.len());
        for id in ids {
            users.extend(self.user(UserId(id))?);
        }
        Ok(SearchPage { users, total: total as u64 })
    }
}

/// A searchable column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Username,
    Email,
}

impl Column {
    fn key(self) -> &'static str {
        match self {
            Self::Username => "username_key",
            Self::Email => "email_key",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Exact,
    Prefix,
    Suffix,
    Contains,
}

fn pattern_kind(pattern: &SearchPattern) -> Kind {
    match pattern {
        SearchPattern::Exact(_) => Kind::Exact,
        SearchPattern::Prefix(_) => Kind::Prefix,
        SearchPattern::Suffix(_) => Kind::Suffix,
        SearchPattern::Contains(_) => Kind::Contains,
    }
}

/// The term whose index yields the candidate rows, in order of preference: a username
/// exact or prefix term (b-tree), an e-mail exact or prefix term (b-tree), an e-mail
/// suffix (the reversed column's b-tree), else a substring or username suffix term
/// (trigram index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Driver {
    column: Column,
    kind: Kind,
}

impl Driver {
    fn choose(query: &SearchQuery) -> Option<Self> {
        let user = query.username.as_ref().map(pattern_kind);
        let email = query.email.as_ref().map(pattern_kind);
        let (column, kind) = match (user, email) {
            (Some(k @ (Kind::Exact | Kind::Prefix)), _) => (Column::Username, k),
            (_, Some(k @ (Kind::Exact | Kind::Prefix | Kind::Suffix))) => (Column::Email, k),
            (Some(k), _) => (Column::Username, k),
            (None, Some(k)) => (Column::Email, k),
            (None, None) => return None,
        };
        Some(Self { column, kind })
    }

    /// The covering index the driver reads, named so the planner cannot prefer the
    /// unique username index (which lacks the distributor).
    fn index(self) -> Option<&'static str> {
        match (self.column, self.kind) {
            (Column::Username, Kind::Exact | Kind::Prefix) => Some("users_by_name"),
            (Column::Email, Kind::Exact | Kind::Prefix) => Some("users_by_email"),
            (Column::Email, Kind::Suffix) => Some("users_by_email_reversed"),
            _ => None,
        }
    }
}

/// Characters of a substring term given to the trigram index. A phrase costs the sum of
/// its trigrams' posting lists, and long terms are mostly common pieces (`@`, `.com`);
/// the first few characters find the candidates, the exact check the rest.
const FTS_WINDOW: usize = 8;

/// `text` with its characters in reverse order.
fn reversed(text: &str) -> String {
    text.chars().rev().collect()
}

fn upper_bound(prefix: &str) -> String {
    format!("{prefix}{}", char::MAX)
}

#[derive(Default)]
struct SearchFilter {
    conditions: Vec<String>,
    args: Vec<Value>,
}

impl SearchFilter {
    fn push(&mut self, condition: String, args: impl IntoIterator<Item = Value>) {
        self.conditions.push(condition);
        self.args.extend(args);
    }

    /// Adds a term: through its index when it `drives` the search, as an exact check otherwise.
    fn add(&mut self, column: Column, pattern: &SearchPattern, drives: bool) {
        let text = pattern.text().to_owned();
        let key = column.key();
        let len = Value::Integer(text.chars().count() as i64);
        match (pattern_kind(pattern), drives) {
            (Kind::Exact, _) => self.push(format!("u.{key} = ?"), [Value::Text(text)]),
            (Kind::Prefix, true) => {
                let upper = upper_bound(&text);
                self.push(format!("u.{key} >= ? AND u.{key} < ?"), [Value::Text(text), Value::Text(upper)]);
            }
            (Kind::Prefix, false) => self.push(format!("substr(u.{key}, 1, ?) = ?"), [len, Value::Text(text)]),
            (Kind::Suffix, true) if column == Column::Email => {
                let r = reversed(&text);
                self.push(
                    "u.email_rkey >= ? AND u.email_rkey < ?".into(),
                    [Value::Text(r.clone()), Value::Text(upper_bound(&r))],
                );
            }
            (Kind::Suffix, drives) => {
                if drives {
                    self.trigram(key, &text);
                }
                self.push(format!("substr(u.{key}, -?) = ?"), [len, Value::Text(text)]);
            }
            (Kind::Contains, drives) => {
                if drives {
                    self.trigram(key, &text);
                }
                self.push(format!("instr(u.{key}, ?) > 0"), [Value::Text(text)]);
            }
        }
    }

    fn trigram(&mut self, key: &str, text: &str) {
        let window: String = text.chars().take(FTS_WINDOW).collect();
        let phrase = format!("{key} : \"{}\"", window.replace('"', "\"\""));
        self.push("u.id IN (SELECT rowid FROM user_search WHERE user_search MATCH ?)".into(), [Value::Text(phrase)]);
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
            "alice",
            "ali*",
            "*lice",
            "*lic*",
            "*b_s*",
            "*b%s*",
            "*e\"n*",
            "*r*n*",
            "jür*",
            "*ürg*",
            "*aaa",
            "*aaa*",
            "aaa*",
            "*smith",
            "*h@m*",
            "*zzz*",
            "smi*",
            "*ail.example",
            "*@mail.example",
            "alice@mail.example",
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
            // The same term on the e-mail column alone, against each user's address.
            let pattern = SearchPattern::parse(term).expect("pattern");
            let email_only = SearchQuery { email: Some(pattern.clone()), limit: 100, ..SearchQuery::default() };
            let found = store.read(|db| db.search_users(&email_only)).expect("search").total as usize;
            let expected = names.iter().filter(|n| pattern.matches(&fold_key(&format!("{n}@mail.example")))).count();
            assert_eq!(found, expected, "e-mail {term}");
        }
    }
}
