//! Passwords, e-mail addresses, reference and language of a user.

use chrono::Duration;
use rand::rngs::OsRng;

use super::mail::queue;
use super::passwords::{hash_code, hash_password, verify_password};
use super::{Actor, Requires, Service, ServiceError, audit, user_for};
use crate::domain::language::normalize_language;
use crate::domain::mail::MailKind;
use crate::domain::secret::{activation_code, temporary_password};
use crate::domain::user::{User, fold_key, is_valid_email};
use crate::store::{Db, UserField};

/// How long a temporary password from sendpassword stays valid.
pub const TEMPORARY_PASSWORD_MINUTES: i64 = 10;

impl Service {
    fn min_password_length(&self, db: &Db<'_>, user: &User) -> Result<u32, ServiceError> {
        Ok(self.distributor_in(db, user.distributor)?.settings.min_password_length)
    }

    /// sendpassword: mails a temporary password, valid for ten minutes.
    pub fn send_password(&self, actor: &Actor, name: &str) -> Result<(), ServiceError> {
        let temp = temporary_password(&mut OsRng);
        let hash = hash_password(&temp)?;
        let now = self.now();
        let minutes = TEMPORARY_PASSWORD_MINUTES.to_string();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            db.set_temp_password(user.id, Some((&hash, now + Duration::minutes(TEMPORARY_PASSWORD_MINUTES))), now)?;
            let values = [("username", user.username.as_str()), ("password", &temp), ("minutes", &minutes)];
            queue(db, now, Some(user.distributor), MailKind::TemporaryPassword, &user.email, &values)?;
            audit(db, now, actor, "send-password", &user.username, "")
        })
    }

    /// resetpassword: sets the password to a random value nobody knows.
    pub fn reset_password(&self, actor: &Actor, name: &str) -> Result<(), ServiceError> {
        let hash = hash_password(&temporary_password(&mut OsRng))?;
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            db.set_user_field(user.id, UserField::PasswordHash, &hash, now)?;
            db.set_temp_password(user.id, None, now)?;
            audit(db, now, actor, "reset-password", &user.username, "")
        })
    }

    /// changepassword: the temporary password from sendpassword, then the new one.
    pub fn change_password(
        &self,
        actor: &Actor,
        name: &str,
        temporary: &str,
        new_password: &str,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        let (user, secrets, min) = self
            .store
            .read(|db| {
                let user = user_for(db, actor, name, Requires::Usable)?;
                let min = self.min_password_length(db, &user)?;
                Ok::<_, ServiceError>((db.user_secrets(user.id)?, user, min))
            })
            .map(|(secrets, user, min)| (user, secrets, min))?;
        let matches = secrets.temp_password_hash.as_deref().is_some_and(|hash| verify_password(hash, temporary));
        if !matches {
            return Err(ServiceError::TempPasswordMismatch);
        }
        if secrets.temp_password_expires.is_none_or(|expires| now > expires) {
            return Err(ServiceError::TempPasswordExpired);
        }
        if (new_password.chars().count() as u32) < min {
            return Err(ServiceError::PasswordInvalid);
        }
        let hash = hash_password(new_password)?;
        self.store.write(|db| {
            db.set_user_field(user.id, UserField::PasswordHash, &hash, now)?;
            db.set_temp_password(user.id, None, now)?;
            audit(db, now, actor, "change-password", &user.username, "")
        })
    }

    /// updatepassword: sets a new password for a user the caller has authenticated.
    pub fn update_password(&self, actor: &Actor, name: &str, new_password: &str) -> Result<(), ServiceError> {
        let min = self.store.read(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            self.min_password_length(db, &user)
        })?;
        if (new_password.chars().count() as u32) < min {
            return Err(ServiceError::PasswordInvalid);
        }
        let hash = hash_password(new_password)?;
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            db.set_user_field(user.id, UserField::PasswordHash, &hash, now)?;
            audit(db, now, actor, "update-password", &user.username, "")
        })
    }

    /// setreference: the user's external reference.
    pub fn set_reference(&self, actor: &Actor, name: &str, reference: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            db.set_user_field(user.id, UserField::Reference, reference, now)?;
            audit(db, now, actor, "set-reference", &user.username, reference)
        })
    }

    /// changelanguage: an ISO 639-1 language code.
    pub fn change_language(&self, actor: &Actor, name: &str, language: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            let language = normalize_language(language).ok_or(ServiceError::InvalidLanguage)?;
            db.set_user_field(user.id, UserField::Language, &language, now)?;
            audit(db, now, actor, "change-language", &user.username, &language)
        })
    }

    /// setemail: changes the address at once, without a confirmation mail.
    pub fn set_email(&self, actor: &Actor, name: &str, email: &str) -> Result<(), ServiceError> {
        let email = email.trim();
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            self.check_new_email(db, &user, email, false)?;
            self.store_email(db, actor, &user, email, now)
        })
    }

    /// changeemail: keeps the new address pending and mails it a confirmation code.
    pub fn change_email(&self, actor: &Actor, name: &str, email: &str) -> Result<(), ServiceError> {
        let email = email.trim();
        let code = activation_code(&mut OsRng);
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            self.check_new_email(db, &user, email, true)?;
            db.set_pending_email(user.id, Some((email, &hash_code(&code))), now)?;
            let values = [("username", user.username.as_str()), ("email", email), ("code", &code)];
            queue(db, now, Some(user.distributor), MailKind::EmailChange, email, &values)?;
            audit(db, now, actor, "change-email", &user.username, email)
        })
    }

    /// confirmnewemail: the code from the confirmation mail makes the pending address current.
    pub fn confirm_new_email(&self, actor: &Actor, name: &str, code: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            let stored = db.user_secrets(user.id)?.pending_email_code;
            let pending = user.pending_email.clone();
            let (Some(pending), Some(stored)) = (pending, stored) else {
                return Err(ServiceError::WrongActivationCode);
            };
            if stored != hash_code(code) {
                return Err(ServiceError::WrongActivationCode);
            }
            let unique = self.distributor_in(db, user.distributor)?.settings.unique_email;
            if unique && db.email_in_use(user.distributor, &fold_key(&pending), Some(user.id))? {
                return Err(ServiceError::EmailTaken);
            }
            self.store_email(db, actor, &user, &pending, now)
        })
    }

    /// A new address must look like one and, where addresses are unique, be free;
    /// for changeemail it must also differ from the current one.
    fn check_new_email(&self, db: &Db<'_>, user: &User, email: &str, must_differ: bool) -> Result<(), ServiceError> {
        if !is_valid_email(email) {
            return Err(ServiceError::EmailInvalid);
        }
        if must_differ && fold_key(email) == fold_key(&user.email) {
            return Err(ServiceError::EmailTaken);
        }
        let unique = self.distributor_in(db, user.distributor)?.settings.unique_email;
        if unique && db.email_in_use(user.distributor, &fold_key(email), Some(user.id))? {
            return Err(ServiceError::EmailTaken);
        }
        Ok(())
    }

    fn store_email(
        &self,
        db: &Db<'_>,
        actor: &Actor,
        user: &User,
        email: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), ServiceError> {
        db.set_user_email(user.id, email, now)?;
        db.set_pending_email(user.id, None, now)?;
        audit(db, now, actor, "set-email", &user.username, email)
    }
}
