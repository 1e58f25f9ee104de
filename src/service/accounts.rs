//! Accounts: registration, activation, login, search and the user's data.

use rand::rngs::OsRng;

use super::licenses::ensure_default_license;
use super::mail::queue;
use super::passwords::{hash_code, hash_password, verify_password};
use super::{Actor, Requires, Service, ServiceError, audit, require, resolve_user, user_for};
use crate::domain::distributor::DistributorId;
use crate::domain::language::normalize_language;
use crate::domain::license::License;
use crate::domain::mail::MailKind;
use crate::domain::secret::{activation_code, looks_like_activation_code};
use crate::domain::user::{Depot, Device, User, UserStatus, fold_key, is_valid_email};
use crate::domain::wildcard::SearchPattern;
use crate::store::{NewUser, SearchQuery, UserField};

/// Most users one searchuser reply carries.
pub const SEARCH_MAXIMUM: u32 = 50;

use crate::domain::user::Registration;

/// A searchuser request.
#[derive(Debug, Clone, Default)]
pub struct UserSearch {
    pub username: String,
    pub email: String,
    pub only_own: bool,
    pub show_devices: bool,
    pub start_id: i64,
}

/// One found user. For another distributor's user only the id, username, status,
/// distributor and creation date are filled in.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub user: User,
    pub devices: Option<Vec<Device>>,
}

/// A page of search hits.
#[derive(Debug, Clone)]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    pub total: u64,
    pub maximum: u32,
}

/// A user with their licenses and depots (getuserdata).
#[derive(Debug, Clone)]
pub struct UserData {
    pub user: User,
    pub licenses: Vec<License>,
    pub depots: Vec<Depot>,
}

impl Service {
    /// Checks a login. A user of another distributor answers with that distributor's
    /// redirect URL where it has one.
    pub fn login(&self, actor: &Actor, name: &str, password: &str, by_email: bool) -> Result<User, ServiceError> {
        let (user, hash) = self.store.read(|db| {
            let user = match db.user_by_username(&fold_key(name))? {
                Some(user) if !actor.may_act_for(user.distributor) => {
                    let home = self.distributor_in(db, user.distributor)?;
                    return Err(home.settings.redirect_url.map_or(ServiceError::UserUnknown, ServiceError::Redirect));
                }
                Some(user) => user,
                None => resolve_user(db, actor, name, by_email)?,
            };
            let hash = db.user_secrets(user.id)?.password_hash;
            Ok::<_, ServiceError>((user, hash))
        })?;
        if !verify_password(&hash, password) {
            return Err(ServiceError::WrongPassword);
        }
        require(&user, Requires::Usable)?;
        Ok(user)
    }

    /// Registers a user for `distributor`, and queues the activation mail unless the
    /// distributor activates without one.
    pub fn register_user(
        &self,
        actor: &Actor,
        distributor: DistributorId,
        reg: &Registration,
    ) -> Result<User, ServiceError> {
        if !actor.may_act_for(distributor) {
            return Err(ServiceError::AccessDenied);
        }
        let settings = self.store.read(|db| self.distributor_in(db, distributor))?.settings;
        let username = reg.username.trim();
        if !settings.email_as_reference && !settings.username_rules.allows(username) {
            return Err(ServiceError::UsernameInvalid);
        }
        if (reg.password.chars().count() as u32) < settings.min_password_length {
            return Err(ServiceError::PasswordInvalid);
        }
        let email = reg.email.trim();
        if !is_valid_email(email) {
            return Err(ServiceError::EmailInvalid);
        }
        let language = match &reg.language {
            Some(text) if !text.trim().is_empty() => normalize_language(text).ok_or(ServiceError::InvalidLanguage)?,
            _ => "en".to_owned(),
        };
        let password_hash = hash_password(&reg.password)?;
        let code = (!settings.activation_without_email).then(|| activation_code(&mut OsRng));
        let now = self.now();
        self.store.write(|db| {
            let home = self.distributor_in(db, distributor)?;
            let username = if settings.email_as_reference {
                format!("${}-{}", home.code, db.next_magic_number(distributor)?)
            } else {
                username.to_owned()
            };
            if db.user_by_username(&fold_key(&username))?.is_some() {
                return Err(ServiceError::UsernameTaken);
            }
            if settings.unique_email && db.email_in_use(distributor, &fold_key(email), None)? {
                return Err(ServiceError::EmailTaken);
            }
            let id = db.insert_user(&NewUser {
                distributor,
                username_key: fold_key(&username),
                username: username.clone(),
                email: email.to_owned(),
                email_key: fold_key(email),
                password_hash,
                status: if code.is_some() { UserStatus::Inactive } else { UserStatus::Activated },
                language,
                reference: reg.reference.clone(),
                department: reg.department.clone(),
                activation_code_hash: code.as_deref().map(hash_code),
                created_at: now,
            })?;
            if let Some(code) = &code {
                db.set_activation_code(id, Some(code), Some(&hash_code(code)))?;
            }
            if let Some(code) = &code {
                queue(
                    db,
                    now,
                    Some(distributor),
                    MailKind::Activation,
                    email,
                    &[("username", &username), ("code", code)],
                )?;
            }
            audit(db, now, actor, "register-user", &username, email)?;
            db.user(id)?.ok_or(ServiceError::UserUnknown)
        })
    }

    /// Sends the activation mail again, with the same code, so the first mail's code keeps
    /// working ("Will resend the activation mail"). A user registered before codes were kept
    /// sealed gets a new code (its old one is known only by its hash).
    pub fn resend_activation(&self, actor: &Actor, name: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            if user.status != UserStatus::Inactive {
                return Err(ServiceError::AlreadyActivated);
            }
            let code = match db.activation_code(user.id)? {
                Some(code) => code,
                None => {
                    let code = activation_code(&mut OsRng);
                    db.set_activation_code(user.id, Some(&code), Some(&hash_code(&code)))?;
                    code
                }
            };
            queue(
                db,
                now,
                Some(user.distributor),
                MailKind::Activation,
                &user.email,
                &[("username", &user.username), ("code", &code)],
            )?;
            audit(db, now, actor, "resend-activation", &user.username, "")
        })
    }

    /// Activates a user with the code from their activation mail.
    pub fn activate_user(&self, actor: &Actor, name: &str, code: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            if user.status == UserStatus::Activated {
                return Ok(());
            }
            let stored = db.user_secrets(user.id)?.activation_code_hash;
            if user.status != UserStatus::Inactive || stored.as_deref() != Some(hash_code(code).as_str()) {
                return Err(ServiceError::WrongActivationCode);
            }
            self.activate_in(db, actor, &user, now)
        })
    }

    /// Activates whichever user of the actor's distributor holds this activation code.
    pub fn activate_client(&self, actor: &Actor, code: &str) -> Result<(), ServiceError> {
        if !looks_like_activation_code(code.trim()) {
            return Err(ServiceError::WrongActivationCode);
        }
        let distributor = actor.distributor().ok_or(ServiceError::ActivationCodeNotFound)?;
        let now = self.now();
        self.store.write(|db| {
            let user = db
                .user_by_activation_code(distributor, &hash_code(code))?
                .ok_or(ServiceError::ActivationCodeNotFound)?;
            if user.status != UserStatus::Inactive {
                return Err(ServiceError::WrongActivationCode);
            }
            self.activate_in(db, actor, &user, now)
        })
    }

    fn activate_in(
        &self,
        db: &crate::store::Db<'_>,
        actor: &Actor,
        user: &User,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ServiceError> {
        db.set_user_field(user.id, UserField::Status, UserStatus::Activated.as_str(), now)?;
        db.set_activation_code(user.id, None, None)?;
        audit(db, now, actor, "activate-user", &user.username, "")
    }

    /// searchuser: wildcard terms on username and e-mail (AND), paged by user id.
    pub fn search_users(&self, actor: &Actor, search: &UserSearch) -> Result<SearchResult, ServiceError> {
        let pattern = |text: &str| {
            let text = text.trim();
            (!text.is_empty()).then(|| SearchPattern::parse(text).map_err(|_| ServiceError::SearchTooShort)).transpose()
        };
        let query = SearchQuery {
            username: pattern(&search.username)?,
            email: pattern(&search.email)?,
            // Other distributors' addresses are never searchable: a term on the e-mail
            // looks at the actor's own users only, so an address cannot be tied to a username.
            only_distributor: if search.only_own || !search.email.trim().is_empty() {
                actor.distributor()
            } else {
                None
            },
            after: search.start_id.max(0),
            limit: SEARCH_MAXIMUM,
        };
        let listing_own = search.only_own && actor.distributor().is_some();
        if query.username.is_none() && query.email.is_none() && !listing_own {
            return Err(ServiceError::SearchTooShort);
        }
        self.store.read(|db| {
            let page = db.search_users(&query)?;
            let hits = page
                .users
                .into_iter()
                .map(|mut user| {
                    let own = actor.may_act_for(user.distributor);
                    if !own {
                        user.email.clear();
                        user.reference.clear();
                        user.department.clear();
                        user.language.clear();
                        user.pending_email = None;
                    }
                    let devices = if search.show_devices && own { Some(db.devices_of_user(user.id)?) } else { None };
                    Ok(SearchHit { user, devices: devices.or_else(|| search.show_devices.then(Vec::new)) })
                })
                .collect::<Result<_, ServiceError>>()?;
            Ok(SearchResult { hits, total: page.total, maximum: SEARCH_MAXIMUM })
        })
    }

    /// getuserdata: the user, their licenses (a default one is created where the
    /// distributor wants one) and their depots.
    pub fn user_data(&self, actor: &Actor, name: &str) -> Result<UserData, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            ensure_default_license(db, &user, now)?;
            Ok(UserData { licenses: db.licenses_of_user(user.id)?, depots: db.depots_of_user(user.id)?, user })
        })
    }

    /// The user's devices.
    pub fn devices(&self, actor: &Actor, name: &str) -> Result<Vec<Device>, ServiceError> {
        self.store.read(|db| Ok(db.devices_of_user(user_for(db, actor, name, Requires::Exists)?.id)?))
    }

    /// Records a client installation of a user (the first one also gets the default license).
    pub fn register_device(
        &self,
        actor: &Actor,
        name: &str,
        device: &str,
        platform: &str,
        version: &str,
    ) -> Result<Device, ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            let id = db.insert_device(user.id, device, platform, version, now)?;
            ensure_default_license(db, &user, now)?;
            audit(db, now, actor, "register-device", &user.username, device)?;
            db.devices_of_user(user.id)?.into_iter().find(|d| d.id == id).ok_or(ServiceError::DeviceNotFound)
        })
    }
}
