//! What a staff member may reach through the console API, decided here and not in the
//! router: the owner everything, reseller staff their own reseller's pools and key
//! generation, distributor staff no reseller at all.

use super::resellers::Issuer;
use super::{Actor, Service, ServiceError};
use crate::domain::reseller::{Channel, IssuedKeys, KeyOrder, Pool, Reseller, ResellerId};
use crate::domain::staff::Role;

impl Service {
    /// The resellers, with their pools, that a staff role may see.
    pub fn resellers_for(&self, role: Role) -> Result<Vec<(Reseller, Vec<Pool>)>, ServiceError> {
        let owner = &Actor::Owner;
        let visible: Vec<Reseller> = match role {
            Role::Owner => self.resellers(owner)?,
            Role::Reseller(own) => self.resellers(owner)?.into_iter().filter(|r| r.id == own).collect(),
            Role::Distributor(_) => return Err(ServiceError::AccessDenied),
        };
        visible
            .into_iter()
            .map(|reseller| {
                let mut pools = self.pools(owner, reseller.id)?;
                if role != Role::Owner {
                    // The pool's Contracts API key is the operator's to hand out, not the staff's.
                    pools.iter_mut().for_each(|pool| pool.contract.terms.contract_key.clear());
                }
                Ok((reseller, pools))
            })
            .collect()
    }

    /// Generates keys for a reseller's customer on behalf of a staff role: the owner for any
    /// reseller, reseller staff for their own only.
    pub fn issue_keys_as(
        &self,
        role: Role,
        reseller: ResellerId,
        order: &KeyOrder,
    ) -> Result<IssuedKeys, ServiceError> {
        match role {
            Role::Owner => self.issue_keys(Issuer::Operator(&Actor::Owner), reseller, order),
            Role::Reseller(own) if own == reseller => {
                self.issue_keys(Issuer::Reseller(Channel::Console), reseller, order)
            }
            Role::Reseller(_) | Role::Distributor(_) => Err(ServiceError::AccessDenied),
        }
    }
}
