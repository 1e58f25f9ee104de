//! Importing users in bulk (the console's CSV import) and reading them back for export.

use chrono::{DateTime, Utc};

use super::{Actor, Service, ServiceError, audit};
use crate::domain::distributor::DistributorId;
use crate::domain::language::normalize_language;
use crate::domain::user::{UserStatus, fold_key, is_valid_email};
use crate::store::NewUser;

/// One user as a CSV file carries it. Passwords never travel: imported users choose one
/// through "reset password".
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct UserRecord {
    pub username: String,
    pub email: String,
    pub reference: String,
    pub department: String,
    pub language: String,
    pub status: String,
}

/// What an import did: how many users it created, and each refused line with the reason.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportReport {
    pub created: usize,
    /// (1-based record number, reason)
    pub refused: Vec<(usize, String)>,
}

/// A password hash no password matches: imported users log in after a reset.
const NO_PASSWORD_YET: &str = "!imported";

fn status_of(text: &str) -> Option<UserStatus> {
    if text.trim().is_empty() { Some(UserStatus::Activated) } else { UserStatus::parse(text.trim()) }
}

impl Service {
    /// Creates the users of `records` for a distributor in one transaction; a record that
    /// breaks a rule (name, address, duplicate, language, status) is reported, not created.
    pub fn import_users(
        &self,
        actor: &Actor,
        distributor: DistributorId,
        records: &[UserRecord],
    ) -> Result<ImportReport, ServiceError> {
        if !matches!(actor, Actor::Owner | Actor::Distributor(_)) || !actor.may_act_for(distributor) {
            return Err(ServiceError::AccessDenied);
        }
        let now: DateTime<Utc> = self.now();
        self.store.write(|db| {
            let home = self.distributor_in(db, distributor)?;
            let mut report = ImportReport::default();
            for (index, record) in records.iter().enumerate() {
                let number = index + 1;
                let username = record.username.trim();
                let email = record.email.trim();
                let refusal = if !home.settings.username_rules.allows(username) {
                    Some("the username breaks the distributor's rules".to_owned())
                } else if !is_valid_email(email) {
                    Some("the e-mail address is not valid".to_owned())
                } else if db.user_by_username(&fold_key(username))?.is_some() {
                    Some(format!("the username {username} exists already"))
                } else if home.settings.unique_email && db.email_in_use(distributor, &fold_key(email), None)? {
                    Some(format!("the e-mail address {email} is in use"))
                } else {
                    None
                };
                let language = if record.language.trim().is_empty() {
                    Some("en".to_owned())
                } else {
                    normalize_language(&record.language)
                };
                let (Some(language), Some(status), None) = (language, status_of(&record.status), &refusal) else {
                    let reason = refusal.unwrap_or_else(|| "the language or the status is not valid".to_owned());
                    report.refused.push((number, reason));
                    continue;
                };
                db.insert_user(&NewUser {
                    distributor,
                    username: username.to_owned(),
                    username_key: fold_key(username),
                    email: email.to_owned(),
                    email_key: fold_key(email),
                    password_hash: NO_PASSWORD_YET.to_owned(),
                    status,
                    language,
                    reference: record.reference.clone(),
                    department: record.department.clone(),
                    activation_code_hash: None,
                    created_at: now,
                })?;
                report.created += 1;
            }
            audit(db, now, actor, "import-users", &home.code.to_string(), &format!("{} created", report.created))?;
            Ok(report)
        })
    }

    /// Every user of a distributor (or of all), oldest first, as CSV records. A distributor
    /// gets its own users whatever it asks for.
    pub fn export_users(
        &self,
        actor: &Actor,
        distributor: Option<DistributorId>,
    ) -> Result<Vec<UserRecord>, ServiceError> {
        let distributor = match actor {
            Actor::Owner => distributor,
            Actor::Distributor(own) => Some(*own),
            Actor::ApiKey(_) => return Err(ServiceError::AccessDenied),
        };
        self.store.read(|db| {
            let mut records = Vec::new();
            let mut offset = 0;
            loop {
                let page = db.users_window(distributor, crate::store::UserOrder::Created, false, offset, 10_000)?;
                if page.is_empty() {
                    break;
                }
                offset += page.len() as u64;
                records.extend(page.into_iter().map(|u| UserRecord {
                    username: u.username,
                    email: u.email,
                    reference: u.reference,
                    department: u.department,
                    language: u.language,
                    status: u.status.as_str().to_owned(),
                }));
            }
            Ok(records)
        })
    }
}
