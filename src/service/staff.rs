//! Staff accounts of a shared server, and their console sessions: a login returns a token
//! once; only its SHA-256 is stored; a session expires after [`SESSION_HOURS`] and can be
//! revoked.

use rand::RngCore;
use rand::rngs::OsRng;
use sha2::{Digest, Sha256};

use std::net::IpAddr;
use std::time::Duration;

use super::passwords::{hash_new_password, hash_password, verify_nothing, verify_password};
use super::{Actor, Service, ServiceError, audit, audit_as};
use crate::domain::staff::{Role, SESSION_HOURS, Staff, StaffId};
use crate::store::Db;

/// Shortest staff password.
pub const MIN_PASSWORD_LENGTH: usize = 10;

/// The throttle's key for a username: its folded form's hash, so unknown names count too.
fn login_key(username: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    username.trim().to_lowercase().hash(&mut hasher);
    hasher.finish()
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

/// The distributor or reseller a role is scoped to must exist.
fn check_scope(db: &Db<'_>, role: Role) -> Result<(), ServiceError> {
    match role {
        Role::Owner => {}
        Role::Distributor(d) => {
            db.distributor(d)?.ok_or(ServiceError::InvalidDistributor)?;
        }
        Role::Reseller(r) => {
            db.reseller(r)?.ok_or(ServiceError::ResellerUnknown)?;
        }
    }
    Ok(())
}

/// Refuses a change that would leave no owner account able to log in: with none, nobody
/// could manage the server from a console again (only `keydesk admin staff` on its host).
fn keep_an_owner(db: &Db<'_>, staff: &Staff) -> Result<(), ServiceError> {
    if staff.role == Role::Owner && !staff.disabled && db.enabled_owners()? <= 1 {
        return Err(ServiceError::InUse(format!(
            "The account {} is the last owner that can log in: add or enable another owner first",
            staff.username
        )));
    }
    Ok(())
}

impl Role {
    /// The actor a role's calls run as. Reseller staff act only through the reseller-scoped
    /// calls (`resellers_for`, `issue_keys_as`), so every other call refuses them here.
    pub fn actor(self) -> Result<Actor, ServiceError> {
        match self {
            Role::Owner => Ok(Actor::Owner),
            Role::Distributor(d) => Ok(Actor::Distributor(d)),
            Role::Reseller(_) => Err(ServiceError::AccessDenied),
        }
    }
}

impl Service {
    /// Adds a staff account with an Argon2id password.
    pub fn add_staff(&self, actor: &Actor, username: &str, password: &str, role: Role) -> Result<Staff, ServiceError> {
        actor.require_owner()?;
        if username.trim().is_empty() {
            return Err(ServiceError::UsernameInvalid);
        }
        if password.chars().count() < MIN_PASSWORD_LENGTH {
            return Err(ServiceError::PasswordInvalid);
        }
        let hash = hash_password(password)?;
        let now = self.now();
        self.store.write(|db| {
            check_scope(db, role)?;
            let id = db.insert_staff(username, &hash, role, now)?.ok_or(ServiceError::UsernameTaken)?;
            audit(db, now, actor, "add-staff", username.trim(), role.kind())?;
            db.staff_list()?.into_iter().find(|s| s.id == id).ok_or(ServiceError::UserUnknown)
        })
    }

    pub fn staff(&self, actor: &Actor) -> Result<Vec<Staff>, ServiceError> {
        actor.require_owner()?;
        self.store.read(|db| Ok(db.staff_list()?))
    }

    /// Starts a login attempt for `username` from `ip`: counts it (a right password clears
    /// it) and returns how long it must wait first, by the keygen URL's rule. Known and
    /// unknown names alike, so the wait tells nothing; other names from the same address (a
    /// proxy's) are not slowed. Call it before [`Service::staff_login`].
    pub fn staff_login_attempt(&self, username: &str, ip: IpAddr) -> Duration {
        self.staff_logins.attempt(login_key(username), ip, self.now())
    }

    /// Checks a staff member's password and opens a session; the token is returned this
    /// once. An unknown name and a wrong password are refused alike, and cost the same time.
    pub fn staff_login(&self, username: &str, password: &str, ip: IpAddr) -> Result<(String, Staff), ServiceError> {
        let found = self.store.read(|db| Ok::<_, ServiceError>(db.staff_by_username(username)?))?;
        // A disabled account costs the same check and is refused like a wrong password.
        let matched = match &found {
            Some((staff, hash)) => verify_password(hash, password) && !staff.disabled,
            None => {
                verify_nothing(password);
                false
            }
        };
        let (Some((staff, hash)), true) = (found, matched) else {
            tracing::warn!(username = username.trim(), %ip, "refused console login");
            return Err(ServiceError::WrongPassword);
        };
        self.staff_logins.succeeded(login_key(username), ip);
        drop(hash);
        let mut bytes = [0u8; 32];
        OsRng.fill_bytes(&mut bytes);
        let token = hex::encode(bytes);
        let now = self.now();
        self.store.write(|db| {
            db.insert_session(staff.id, &token_hash(&token), now, now + chrono::Duration::hours(SESSION_HOURS))?;
            audit_as(db, now, &format!("staff:{}", staff.id.0), "login", &staff.username, "")
        })?;
        Ok((token, staff))
    }

    /// The staff member of a live session; `SessionInvalid` for an unknown, expired or
    /// revoked token.
    pub fn staff_session(&self, token: &str) -> Result<Staff, ServiceError> {
        let now = self.now();
        let found = self.store.read(|db| Ok::<_, ServiceError>(db.session_staff(&token_hash(token), now)?))?;
        found.ok_or(ServiceError::SessionInvalid)
    }

    /// Ends a session (logout).
    pub fn staff_logout(&self, token: &str) -> Result<(), ServiceError> {
        self.store
            .write(|db| if db.revoke_session(&token_hash(token))? { Ok(()) } else { Err(ServiceError::SessionInvalid) })
    }

    /// Switches a staff account off (its password logs in no more and its sessions end) or
    /// back on. Owner only.
    pub fn set_staff_disabled(&self, actor: &Actor, username: &str, disabled: bool) -> Result<Staff, ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            let staff = db.staff_named(username)?.ok_or(ServiceError::UserUnknown)?;
            if disabled {
                keep_an_owner(db, &staff)?;
            }
            db.set_staff_disabled(staff.id, disabled)?;
            if disabled {
                db.revoke_sessions_of(staff.id, now)?;
            }
            audit(db, now, actor, if disabled { "disable-staff" } else { "enable-staff" }, &staff.username, "")?;
            db.staff_named(username)?.ok_or(ServiceError::UserUnknown)
        })
    }

    /// Gives a staff account a new password and ends its sessions. Owner only.
    pub fn set_staff_password(&self, actor: &Actor, username: &str, password: &str) -> Result<(), ServiceError> {
        actor.require_owner()?;
        let hash = hash_new_password(password, MIN_PASSWORD_LENGTH)?;
        let now = self.now();
        self.store.write(|db| {
            let staff = db.staff_named(username)?.ok_or(ServiceError::UserUnknown)?;
            db.set_staff_password(staff.id, &hash)?;
            db.revoke_sessions_of(staff.id, now)?;
            audit(db, now, actor, "set-staff-password", &staff.username, "")
        })
    }

    /// Gives a staff account another role; its sessions see it on their next request.
    /// Owner only.
    pub fn set_staff_role(&self, actor: &Actor, username: &str, role: Role) -> Result<Staff, ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            let staff = db.staff_named(username)?.ok_or(ServiceError::UserUnknown)?;
            check_scope(db, role)?;
            if role != Role::Owner {
                keep_an_owner(db, &staff)?;
            }
            db.set_staff_role(staff.id, role)?;
            audit(db, now, actor, "set-staff-role", &staff.username, role.kind())?;
            db.staff_named(username)?.ok_or(ServiceError::UserUnknown)
        })
    }

    /// Removes a staff account and its sessions. Owner only.
    pub fn delete_staff(&self, actor: &Actor, username: &str) -> Result<(), ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            let staff = db.staff_named(username)?.ok_or(ServiceError::UserUnknown)?;
            keep_an_owner(db, &staff)?;
            db.delete_staff(staff.id)?;
            audit(db, now, actor, "delete-staff", &staff.username, "")
        })
    }

    /// Ends every session of a staff member (a lost laptop); how many were live.
    pub fn revoke_staff_sessions(&self, actor: &Actor, staff: StaffId) -> Result<usize, ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            let revoked = db.revoke_sessions_of(staff, now)?;
            audit(db, now, actor, "revoke-sessions", &staff.0.to_string(), &revoked.to_string())?;
            Ok(revoked)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::service::ManualClock;
    use crate::store::{DataKey, Store};

    const HERE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    fn service(dir: &tempfile::TempDir) -> (Service, Arc<ManualClock>) {
        let store = Store::open(&dir.path().join("s.sqlite"), &DataKey::generate()).expect("store");
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 7, 1, 8, 0, 0).single().expect("time")));
        (Service::new(Arc::new(store), clock.clone()), clock)
    }

    #[test]
    fn a_login_opens_a_session_that_expires_and_can_be_ended() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (service, clock) = service(&dir);
        let staff = service.add_staff(&Actor::Owner, "mara", "long enough 1", Role::Owner).expect("staff");
        assert!(matches!(service.staff_login("mara", "wrong password", HERE), Err(ServiceError::WrongPassword)));
        assert!(matches!(service.staff_login("nobody", "long enough 1", HERE), Err(ServiceError::WrongPassword)));
        let (token, _) = service.staff_login("MARA", "long enough 1", HERE).expect("login");
        assert_eq!(service.staff_session(&token).expect("live").id, staff.id);
        clock.advance(chrono::Duration::hours(SESSION_HOURS) + chrono::Duration::seconds(1));
        assert!(matches!(service.staff_session(&token), Err(ServiceError::SessionInvalid)), "expired");
        let (token, _) = service.staff_login("mara", "long enough 1", HERE).expect("login");
        service.staff_logout(&token).expect("logout");
        assert!(matches!(service.staff_session(&token), Err(ServiceError::SessionInvalid)), "revoked");
        let (token, _) = service.staff_login("mara", "long enough 1", HERE).expect("login");
        assert_eq!(service.revoke_staff_sessions(&Actor::Owner, staff.id).expect("revoke"), 1);
        assert!(service.staff_session(&token).is_err());
        // Tokens are stored hashed: the raw file never holds one.
        let raw = std::fs::read(dir.path().join("s.sqlite-wal")).unwrap_or_default();
        assert!(!raw.windows(token.len()).any(|w| w == token.as_bytes()));
    }

    #[test]
    fn only_the_owner_adds_staff_and_roles_need_their_target() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (service, _) = service(&dir);
        let role = Role::Distributor(crate::domain::distributor::DistributorId(99));
        assert!(matches!(
            service.add_staff(&Actor::Owner, "d", "long enough 1", role),
            Err(ServiceError::InvalidDistributor)
        ));
        assert!(matches!(
            service.add_staff(&Actor::ApiKey(1), "x", "long enough 1", Role::Owner),
            Err(ServiceError::AccessDenied)
        ));
        assert!(matches!(
            service.add_staff(&Actor::Owner, "x", "short", Role::Owner),
            Err(ServiceError::PasswordInvalid)
        ));
    }
}
