//! Resellers, their pools, and key generation for their customers: one call for the keygen
//! URL and the console's Key generation view alike.

use std::net::IpAddr;
use std::time::Duration;

use super::contracts::{ContractDraw, generate_in};
use super::mail::queue;
use super::passwords::{hash_new_password, hash_password, verify_password};
use super::{Actor, Service, ServiceError, audit, audit_as};
use crate::domain::contract::{ContractId, ContractRights, ContractTerms};
use crate::domain::distributor::DistributorId;
use crate::domain::generator::uuid_v4;
use crate::domain::limits::{self, MAX_ORDER, MAX_POOL};
use crate::domain::mail::MailKind;
use crate::domain::product::ProductId;
use crate::domain::reseller::{Channel, Edition, IssuedKeys, KeyOrder, Pool, PoolAction, Reseller, ResellerId};
use crate::domain::user::is_valid_email;
use crate::store::{Db, NewReseller};

/// Shortest reseller password.
pub const MIN_PASSWORD_LENGTH: usize = 8;

fn check_password(password: &str) -> Result<(), ServiceError> {
    if password.chars().count() < MIN_PASSWORD_LENGTH { Err(ServiceError::PasswordInvalid) } else { Ok(()) }
}

/// Who asks for keys: the reseller themself (the keygen URL, after their password), or an
/// operator of the console on the reseller's behalf.
#[derive(Debug, Clone, Copy)]
pub enum Issuer<'a> {
    Reseller(Channel),
    Operator(&'a Actor),
}

impl Issuer<'_> {
    fn label(&self, reseller: ResellerId) -> String {
        match self {
            Self::Reseller(channel) => format!("reseller:{} via {}", reseller.0, channel.as_str()),
            Self::Operator(actor) => format!("{} via console for reseller:{}", actor.label(), reseller.0),
        }
    }
}

/// The pool an order draws from: the named edition, or the only one the reseller holds.
fn pool_for(pools: Vec<Pool>, edition: Option<Edition>) -> Result<Pool, ServiceError> {
    let mut usable = pools.into_iter().filter(|p| p.contract.terms.active);
    let pool = match edition {
        Some(edition) => usable.find(|p| p.edition == edition),
        None => {
            let first = usable.next();
            if first.is_some() && usable.next().is_some() {
                return Err(ServiceError::EditionRequired);
            }
            first
        }
    };
    pool.ok_or(ServiceError::ResellerNoPool)
}

impl Service {
    /// Adds a reseller with an Argon2id password.
    pub fn add_reseller(
        &self,
        actor: &Actor,
        email: &str,
        name: &str,
        password: &str,
        distributor: Option<DistributorId>,
    ) -> Result<Reseller, ServiceError> {
        actor.require_owner()?;
        if !is_valid_email(email.trim()) {
            return Err(ServiceError::EmailInvalid);
        }
        check_password(password)?;
        let password_hash = hash_password(password)?;
        let now = self.now();
        self.store.write(|db| {
            if let Some(id) = distributor {
                self.distributor_in(db, id)?;
            }
            let new = NewReseller {
                email,
                name: if name.trim().is_empty() { email } else { name },
                password_hash: &password_hash,
                distributor,
            };
            let id = db.insert_reseller(&new, now)?.ok_or(ServiceError::EmailTaken)?;
            audit(db, now, actor, "add-reseller", email.trim(), "")?;
            db.reseller(id)?.ok_or(ServiceError::ResellerUnknown)
        })
    }

    pub fn resellers(&self, actor: &Actor) -> Result<Vec<Reseller>, ServiceError> {
        actor.require_owner()?;
        self.store.read(|db| Ok(db.resellers()?))
    }

    /// Gives a reseller a pool of `quantity` licenses of one edition: a contract on the
    /// edition's product. Its Contracts API rights start off.
    pub fn add_pool(
        &self,
        actor: &Actor,
        reseller: ResellerId,
        edition: Edition,
        product: ProductId,
        quantity: u32,
    ) -> Result<Pool, ServiceError> {
        actor.require_owner()?;
        limits::within(quantity.into(), MAX_POOL.into())?;
        let now = self.now();
        self.store.write(|db| {
            let holder = db.reseller(reseller)?.filter(|r| !r.disabled).ok_or(ServiceError::ResellerUnknown)?;
            db.product(product)?.ok_or(ServiceError::ProductNotFound)?;
            let terms = ContractTerms {
                contract_key: uuid_v4(&mut rand::rngs::OsRng),
                name: format!("{} {}", holder.name, edition.label()),
                information: format!("Pool of {} for {}", edition.label(), holder.email),
                product,
                quantity,
                active: true,
                rights: ContractRights::default(),
            };
            let contract = db.insert_contract(&terms, now)?;
            if !db.make_pool(contract, reseller, edition)? {
                return Err(ServiceError::AlreadyExists(format!("a {} pool of {}", edition.label(), holder.email)));
            }
            audit(db, now, actor, "add-pool", &holder.email, &format!("{} x{quantity}", edition.code()))?;
            pools_of(db, reseller)?.into_iter().find(|p| p.edition == edition).ok_or(ServiceError::ResellerNoPool)
        })
    }

    /// What each of the reseller's pools holds and has left.
    pub fn pools(&self, actor: &Actor, reseller: ResellerId) -> Result<Vec<Pool>, ServiceError> {
        actor.require_owner()?;
        self.store.read(|db| pools_of(db, reseller))
    }

    /// The reseller with this e-mail and password: `ResellerUnknown` or `WrongPassword`
    /// otherwise. Wrong passwords from one address are counted there (see
    /// [`Service::reseller_login_delay`]) and logged.
    pub fn authenticate_reseller(&self, email: &str, password: &str, ip: IpAddr) -> Result<Reseller, ServiceError> {
        let found = self.store.read(|db| Ok::<_, ServiceError>(db.reseller_by_email(email.trim())?))?;
        let (reseller, hash) = found.ok_or(ServiceError::ResellerUnknown)?;
        let matched = verify_password(&hash, password);
        // A disabled reseller is refused as one that does not exist, after the same check.
        if matched && reseller.disabled {
            return Err(ServiceError::ResellerUnknown);
        }
        if matched {
            self.reseller_logins.succeeded(reseller.id, ip);
            return Ok(reseller);
        }
        tracing::warn!(reseller = reseller.id.0, %ip, "wrong reseller password");
        Err(ServiceError::WrongPassword)
    }

    /// Starts a password attempt for this e-mail from `ip`: counts it (a right password
    /// clears it) and returns how long it must wait first. Call it before
    /// [`Service::authenticate_reseller`], whose wrong passwords it counts.
    pub fn reseller_login_attempt(&self, email: &str, ip: IpAddr) -> Result<Duration, ServiceError> {
        let found = self.store.read(|db| Ok::<_, ServiceError>(db.reseller_by_email(email.trim())?))?;
        Ok(found.map_or(Duration::ZERO, |(reseller, _)| self.reseller_logins.attempt(reseller.id, ip, self.now())))
    }

    /// How long the next password attempt for this e-mail from `ip` would wait now.
    pub fn reseller_login_delay(&self, email: &str, ip: IpAddr) -> Result<Duration, ServiceError> {
        let found = self.store.read(|db| Ok::<_, ServiceError>(db.reseller_by_email(email.trim())?))?;
        Ok(found.map_or(Duration::ZERO, |(reseller, _)| self.reseller_logins.delay(reseller.id, ip, self.now())))
    }

    /// Switches a reseller off (the keygen URL and its staff generate nothing) or back on.
    pub fn set_reseller_disabled(&self, actor: &Actor, id: ResellerId, disabled: bool) -> Result<(), ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            let holder = db.reseller(id)?.ok_or(ServiceError::ResellerUnknown)?;
            db.set_reseller_disabled(id, disabled)?;
            audit(db, now, actor, if disabled { "disable-reseller" } else { "enable-reseller" }, &holder.email, "")
        })
    }

    /// An operator sets a reseller's password (a reset): no check of the old one.
    pub fn reset_reseller_password(&self, actor: &Actor, id: ResellerId, password: &str) -> Result<(), ServiceError> {
        actor.require_owner()?;
        let hash = hash_new_password(password, MIN_PASSWORD_LENGTH)?;
        let now = self.now();
        self.store.write(|db| {
            let holder = db.reseller(id)?.ok_or(ServiceError::ResellerUnknown)?;
            db.set_reseller_password(id, &hash)?;
            audit(db, now, actor, "reset-reseller-password", &holder.email, "")
        })
    }

    /// Removes a reseller and its pools, when no key was ever drawn from them (a reseller
    /// who sold keys is disabled instead, so the keys' history stays whole).
    pub fn delete_reseller(&self, actor: &Actor, id: ResellerId) -> Result<(), ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            let holder = db.reseller(id)?.ok_or(ServiceError::ResellerUnknown)?;
            let issued = db.keys_issued_by(id)?;
            if issued > 0 {
                return Err(ServiceError::InUse(format!(
                    "{issued} key(s) were drawn from the pools of {}: disable the reseller instead",
                    holder.email
                )));
            }
            db.delete_reseller(id)?;
            audit(db, now, actor, "delete-reseller", &holder.email, "")
        })
    }

    /// Changes what a pool holds: more licenses bought (`TopUp`), or closed and reopened.
    /// A closed pool gives no keys; those drawn from it keep working.
    pub fn change_pool(&self, actor: &Actor, contract: ContractId, action: PoolAction) -> Result<Pool, ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        self.store.write(|db| {
            let (reseller, edition) = db.pool_of_contract(contract)?.ok_or(ServiceError::ResellerNoPool)?;
            let current = db.contract(contract)?.ok_or(ServiceError::ResellerNoPool)?;
            let mut terms = current.terms.clone();
            let detail = match action {
                PoolAction::TopUp(more) => {
                    let total = u64::from(terms.quantity) + u64::from(more);
                    limits::within(total, MAX_POOL.into())?;
                    terms.quantity = u32::try_from(total).map_err(|_| ServiceError::TooMany(MAX_POOL.into()))?;
                    format!("+{more} = {total}")
                }
                PoolAction::Close => {
                    terms.active = false;
                    "closed".to_owned()
                }
                PoolAction::Reopen => {
                    terms.active = true;
                    "reopened".to_owned()
                }
            };
            db.update_contract(contract, &terms, now)?;
            let holder = db.reseller(reseller)?.map(|r| r.email).unwrap_or_default();
            audit(db, now, actor, "change-pool", &format!("{holder} {}", edition.code()), &detail)?;
            pools_of(db, reseller)?.into_iter().find(|p| p.edition == edition).ok_or(ServiceError::ResellerNoPool)
        })
    }

    /// Sets a reseller's new password: not the old one, and long enough.
    pub fn set_reseller_password(&self, reseller: ResellerId, new_password: &str) -> Result<(), ServiceError> {
        let current = self.store.read(|db| Ok::<_, ServiceError>(db.reseller_password_hash(reseller)?))?;
        let current = current.ok_or(ServiceError::ResellerUnknown)?;
        if verify_password(&current, new_password) {
            return Err(ServiceError::PasswordSameAsOld);
        }
        check_password(new_password)?;
        let hash = hash_password(new_password)?;
        let now = self.now();
        self.store.write(|db| {
            if !db.set_reseller_password(reseller, &hash)? {
                return Err(ServiceError::ResellerUnknown);
            }
            audit_as(db, now, &format!("reseller:{}", reseller.0), "set-reseller-password", "", "")
        })
    }

    /// Generates keys for a reseller's customer: draws them from the pool's generator,
    /// assigns them to the customer, counts them against the pool and queues the mail, all
    /// in one transaction. In test mode the keys are marked test, the pool is untouched and
    /// the mail goes to the reseller.
    pub fn issue_keys(
        &self,
        issuer: Issuer<'_>,
        reseller: ResellerId,
        order: &KeyOrder,
    ) -> Result<IssuedKeys, ServiceError> {
        if let Issuer::Operator(actor) = issuer {
            actor.require_owner()?;
        }
        limits::within(order.quantity.into(), MAX_ORDER.into())?;
        let customer_email = order.email.trim();
        if !is_valid_email(customer_email) {
            return Err(ServiceError::EmailInvalid);
        }
        let now = self.now();
        let created_by = issuer.label(reseller);
        self.store.write(|db| {
            let holder = db.reseller(reseller)?.ok_or(ServiceError::ResellerUnknown)?;
            let pool = pool_for(pools_of(db, reseller)?, order.edition)?;
            // A live order must fit what is left; a test order, what the pool holds at all
            // (so that test mode cannot be used to mint unbounded keys).
            let limit = if order.test_mode { pool.contract.terms.quantity } else { pool.left() };
            if order.quantity > limit {
                return Err(ServiceError::PoolTooSmall(pool.left()));
            }
            let name = order.customer_name();
            let draw = ContractDraw {
                quantity: order.quantity,
                owner: Some((&name, customer_email)),
                is_test: order.test_mode,
                created_by: created_by.clone(),
            };
            let keys: Vec<String> = generate_in(db, &pool.contract, &draw, now)?.into_iter().map(|l| l.number).collect();
            let product = db.product(pool.contract.terms.product)?.map(|p| p.name).unwrap_or_default();
            let mailed_to = if order.test_mode { holder.email.clone() } else { customer_email.to_owned() };
            let listed = keys.iter().map(|k| format!("    {k}")).collect::<Vec<_>>().join("\n");
            let quantity = keys.len().to_string();
            let test_note = if order.test_mode {
                format!("This is a test: in live mode this mail goes to {customer_email}. Test keys do not count against your pool.\n")
            } else {
                String::new()
            };
            let values = [
                ("first_name", order.first_name.trim()),
                ("last_name", order.last_name.trim()),
                ("customer_email", customer_email),
                ("product", product.as_str()),
                ("edition", pool.edition.label()),
                ("quantity", quantity.as_str()),
                ("keys", listed.as_str()),
                ("reseller", holder.name.as_str()),
                ("test", if order.test_mode { "[TEST] " } else { "" }),
                ("test_note", test_note.as_str()),
            ];
            queue(db, now, holder.distributor, MailKind::ResellerKeys, &mailed_to, &values)?;
            let detail = format!(
                "{quantity} {} key(s) for {customer_email}{}",
                pool.edition.code(),
                if order.test_mode { ", test" } else { "" }
            );
            audit_as(db, now, &created_by, "issue-keys", &holder.email, &detail)?;
            let left = db.contract(pool.contract.id)?.map_or(0, |c| c.remaining());
            Ok(IssuedKeys { keys, edition: pool.edition, left, mailed_to })
        })
    }
}

fn pools_of(db: &Db<'_>, reseller: ResellerId) -> Result<Vec<Pool>, ServiceError> {
    Ok(db.pools(reseller)?)
}
