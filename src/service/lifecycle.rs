//! Removing and deleting users and devices, referrals, and moving users between distributors.

use rand::rngs::OsRng;

use super::mail::queue;
use super::passwords::{hash_code, verify_password};
use super::{Actor, Requires, Service, ServiceError, audit, resolve_user, user_for};
use crate::domain::distributor::DistributorCode;
use crate::domain::mail::MailKind;
use crate::domain::secret::activation_code;
use crate::domain::user::{DeviceId, UserStatus, fold_key};
use crate::store::UserField;

impl Service {
    /// removeuser: deletes the account at once; its licenses too when asked, otherwise
    /// they stay, without an owner.
    pub fn remove_user(&self, actor: &Actor, name: &str, delete_licenses: bool) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            if delete_licenses {
                db.delete_licenses_of_user(user.id, now)?;
            }
            db.delete_user(user.id)?;
            let detail = if delete_licenses { "with licenses" } else { "licenses kept" };
            audit(db, now, actor, "remove-user", &user.username, detail)
        })
    }

    /// removedevice: deletes one of the user's devices and the licenses it held.
    pub fn remove_device(&self, actor: &Actor, name: &str, device: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            let id = device.trim().parse().map(DeviceId).map_err(|_| ServiceError::DeviceNotFound)?;
            if !db.delete_device(user.id, id)? {
                return Err(ServiceError::DeviceNotFound);
            }
            audit(db, now, actor, "remove-device", &user.username, device)
        })
    }

    /// deleteuser: marks the account for deletion and mails the user a confirmation code.
    pub fn delete_user(&self, actor: &Actor, name: &str) -> Result<(), ServiceError> {
        let code = activation_code(&mut OsRng);
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            db.set_user_field(user.id, UserField::DeleteCodeHash, hash_code(&code), now)?;
            db.set_user_field(user.id, UserField::Status, UserStatus::ToDelete.as_str(), now)?;
            let values = [("username", user.username.as_str()), ("code", &code)];
            queue(db, now, Some(user.distributor), MailKind::DeleteConfirmation, &user.email, &values)?;
            audit(db, now, actor, "delete-user-requested", &user.username, "")
        })
    }

    /// confirmuserdelete: the user's password and the code from the deletion mail
    /// delete the account; licenses go too when asked.
    pub fn confirm_user_delete(
        &self,
        actor: &Actor,
        name: &str,
        password: &str,
        code: &str,
        delete_licenses: bool,
    ) -> Result<(), ServiceError> {
        let (user, secrets) = self
            .store
            .read(|db| {
                let user = user_for(db, actor, name, Requires::Exists)?;
                Ok::<_, ServiceError>((db.user_secrets(user.id)?, user))
            })
            .map(|(s, u)| (u, s))?;
        if !verify_password(&secrets.password_hash, password) {
            return Err(ServiceError::WrongPassword);
        }
        if secrets.delete_code_hash.as_deref() != Some(hash_code(code).as_str()) {
            return Err(ServiceError::WrongActivationCode);
        }
        self.remove_user(actor, &user.username, delete_licenses)
    }

    /// setinviteduser: records that the user invited `invited` (referral program).
    pub fn set_invited_user(&self, actor: &Actor, name: &str, invited: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let inviter = user_for(db, actor, name, Requires::Usable)?;
            let invitee = resolve_user(db, actor, invited, false)
                .map_err(|_| ServiceError::InvitedUserUnknown(invited.trim().to_owned()))?;
            if invitee.id == inviter.id || invitee.invited_by.is_some() {
                return Err(ServiceError::SetInvitedFailed);
            }
            db.set_user_field(invitee.id, UserField::InvitedBy, inviter.id.0, now)?;
            audit(db, now, actor, "set-invited-user", &inviter.username, &invitee.username)
        })
    }

    /// setdistributor: moves a user to another distributor. Only the default distributor
    /// (or the owner) may, and it reaches every distributor's users for this.
    pub fn set_distributor(&self, actor: &Actor, name: &str, target: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let allowed = match actor.distributor() {
                None => true,
                Some(own) => self.distributor_in(db, own)?.is_default,
            };
            if !allowed {
                return Err(ServiceError::AccessDenied);
            }
            let code = DistributorCode::parse(target).map_err(|_| ServiceError::InvalidDistributor)?;
            let target = db.distributor_by_code(&code)?.ok_or(ServiceError::InvalidDistributor)?;
            let user = user_for(db, &Actor::Owner, name, Requires::Exists)?;
            if target.settings.unique_email && db.email_in_use(target.id, &fold_key(&user.email), Some(user.id))? {
                return Err(ServiceError::EmailTaken);
            }
            db.set_user_field(user.id, UserField::Distributor, target.id.0, now)?;
            db.move_user_licenses(user.id, target.id, now)?;
            audit(db, now, actor, "set-distributor", &user.username, code.as_str())
        })
    }
}

impl Service {
    /// Sets an account's state directly (the console's activate and disable).
    pub fn set_user_status(&self, actor: &Actor, name: &str, status: UserStatus) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            db.set_user_field(user.id, UserField::Status, status.as_str(), now)?;
            if status == UserStatus::Activated {
                db.set_activation_code(user.id, None, None)?;
            }
            audit(db, now, actor, "set-user-status", &user.username, status.as_str())
        })
    }
}
