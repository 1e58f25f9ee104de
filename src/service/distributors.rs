//! Distributors: creating them, their settings, and finding the caller of an API request.

use std::net::IpAddr;

use rand::rngs::OsRng;

use super::{Actor, Service, ServiceError, audit};
use crate::domain::distributor::{Distributor, DistributorCode, DistributorId, DistributorSettings};
use crate::domain::secret::checksum_salt;
use crate::store::{DistributorUpdate, NewDistributor};

/// A distributor that may be the sender of a request, with the salt to check it by.
#[derive(Debug, Clone)]
pub struct CallerCandidate {
    pub distributor: Distributor,
    pub salt: String,
}

impl Service {
    /// Creates a distributor and returns it with its new checksum salt (shown once).
    pub fn create_distributor(
        &self,
        actor: &Actor,
        code: DistributorCode,
        name: &str,
        is_default: bool,
        settings: DistributorSettings,
    ) -> Result<(Distributor, String), ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        let salt = checksum_salt(&mut OsRng);
        let new = NewDistributor {
            code: code.clone(),
            name: name.to_owned(),
            is_default: false,
            salt: salt.clone(),
            settings,
            created_at: now,
        };
        let distributor = self.store.write(|db| {
            if db.distributor_by_code(&code)?.is_some() {
                return Err(ServiceError::AlreadyExists(format!("distributor {code}")));
            }
            let id = db.insert_distributor(&new)?;
            if is_default {
                db.set_default_distributor(id)?;
            }
            audit(db, now, actor, "create-distributor", code.as_str(), name)?;
            self.distributor_in(db, id)
        })?;
        Ok((distributor, salt))
    }

    /// Changes a distributor's name and settings.
    pub fn update_distributor(
        &self,
        actor: &Actor,
        id: DistributorId,
        name: &str,
        settings: DistributorSettings,
    ) -> Result<Distributor, ServiceError> {
        if !actor.may_act_for(id) {
            return Err(ServiceError::AccessDenied);
        }
        let now = self.now();
        self.store.write(|db| {
            let current = self.distributor_in(db, id)?;
            db.update_distributor(id, &DistributorUpdate { name: name.to_owned(), settings })?;
            audit(db, now, actor, "update-distributor", current.code.as_str(), "")?;
            self.distributor_in(db, id)
        })
    }

    /// Replaces a distributor's checksum salt and returns the new one (shown once).
    pub fn rotate_salt(&self, actor: &Actor, id: DistributorId) -> Result<String, ServiceError> {
        actor.require_owner()?;
        let now = self.now();
        let salt = checksum_salt(&mut OsRng);
        self.store.write(|db| {
            let current = self.distributor_in(db, id)?;
            db.set_distributor_salt(id, &salt)?;
            audit(db, now, actor, "rotate-salt", current.code.as_str(), "")
        })?;
        Ok(salt)
    }

    /// Every distributor the actor may see.
    pub fn distributors(&self, actor: &Actor) -> Result<Vec<Distributor>, ServiceError> {
        let all = self.store.read(|db| Ok::<_, ServiceError>(db.distributors()?))?;
        Ok(all.into_iter().filter(|d| actor.may_act_for(d.id)).collect())
    }

    pub fn distributor_by_code(&self, code: &DistributorCode) -> Result<Option<Distributor>, ServiceError> {
        self.store.read(|db| Ok(db.distributor_by_code(code)?))
    }

    /// The distributors whose allowed addresses include `ip`, with their salts; the
    /// request's checksum tells which of them sent it.
    pub fn caller_candidates(&self, ip: IpAddr) -> Result<Vec<CallerCandidate>, ServiceError> {
        self.store.read(|db| {
            let mut found = Vec::new();
            for distributor in db.distributors()? {
                if distributor.settings.allowed_ips.iter().any(|allowed| same_address(*allowed, ip)) {
                    let salt = db.distributor_salt(distributor.id)?;
                    found.push(CallerCandidate { distributor, salt });
                }
            }
            Ok(found)
        })
    }

    /// Whether the authenticated `caller` may act as the distributor named by `<distributor>`.
    /// The tag selects another distributor only when that one allows it and the caller is
    /// the default distributor, which manages all others.
    pub fn select_distributor(&self, caller: &Distributor, requested: &str) -> Result<Distributor, ServiceError> {
        let code = DistributorCode::parse(requested).map_err(|_| ServiceError::InvalidDistributor)?;
        if code == caller.code {
            return Ok(caller.clone());
        }
        let target = self.distributor_by_code(&code)?.ok_or(ServiceError::InvalidDistributor)?;
        if caller.is_default && target.settings.allow_select { Ok(target) } else { Err(ServiceError::AccessDenied) }
    }
}

/// Compares addresses so that an IPv4 caller seen as `::ffff:a.b.c.d` still matches.
fn same_address(allowed: IpAddr, caller: IpAddr) -> bool {
    let canonical = |ip: IpAddr| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    canonical(allowed) == canonical(caller)
}
