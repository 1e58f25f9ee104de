//! The console on real third-party peers, through the protocol clients alone: a
//! Registration Server (XML API 1.0.005) drives Users and Licenses, a license key server
//! (REST API v1) drives Products, Licenses, Contracts and Telemetry. What a peer's API
//! lacks is refused with a sentence, and `unavailable` names those areas up front.
//! docs/protocols/peers.md lists every choice made where the protocols are silent.

/// The `Backend` methods of what neither peer protocol has (key generation for resellers,
/// the outbox, the mail relay, the activity log, reseller and staff accounts), each refused with its area's sentence by
/// the invoking module's `refuse`.
macro_rules! refuse_what_no_peer_has {
    () => {
        fn issue_keys(&self, _reseller: ResellerId, _order: &KeyOrder) -> BackendResult<IssuedKeys> {
            refuse(Area::KeyGeneration)
        }

        fn outbox(&self) -> BackendResult<Vec<OutboxEntry>> {
            refuse(Area::Outbox)
        }

        fn smtp_sender(&self) -> BackendResult<Option<String>> {
            refuse(Area::Mail)
        }

        fn set_smtp_relay(&self, _relay: Option<(&str, &str)>) -> BackendResult<()> {
            refuse(Area::Mail)
        }

        fn deliver_mail(&self) -> BackendResult<usize> {
            refuse(Area::Mail)
        }

        fn resend_mail(&self, _id: i64) -> BackendResult<()> {
            refuse(Area::Outbox)
        }

        fn activity(&self, _query: &AuditQuery) -> BackendResult<Vec<AuditEntry>> {
            refuse(Area::Activity)
        }

        fn add_reseller(
            &self,
            _new: &crate::domain::reseller::NewResellerAccount,
        ) -> BackendResult<crate::domain::secret::CreatedAccount<crate::domain::reseller::Reseller>> {
            refuse(Area::Resellers)
        }

        fn reseller_action(
            &self,
            _reseller: ResellerId,
            _action: crate::domain::reseller::ResellerAction,
        ) -> BackendResult<Option<crate::domain::secret::FreshPassword>> {
            refuse(Area::Resellers)
        }

        fn add_pool(
            &self,
            _order: &crate::domain::reseller::PoolOrder,
        ) -> BackendResult<crate::domain::reseller::Pool> {
            refuse(Area::Resellers)
        }

        fn pool_action(
            &self,
            _contract: ContractId,
            _action: crate::domain::reseller::PoolAction,
        ) -> BackendResult<crate::domain::reseller::Pool> {
            refuse(Area::Resellers)
        }

        fn staff(&self) -> BackendResult<Vec<crate::domain::staff::Staff>> {
            refuse(Area::Staff)
        }

        fn add_staff(
            &self,
            _new: &crate::domain::staff::NewStaff,
        ) -> BackendResult<crate::domain::secret::CreatedAccount<crate::domain::staff::Staff>> {
            refuse(Area::Staff)
        }

        fn staff_action(
            &self,
            _username: &str,
            _action: &crate::domain::staff::StaffAction,
        ) -> BackendResult<Option<crate::domain::secret::FreshPassword>> {
            refuse(Area::Staff)
        }
    };
}
use refuse_what_no_peer_has;

mod key_server;
mod key_wire;
mod registration_server;
mod registration_wire;

pub use key_server::KeyServerBackend;
pub use registration_server::RegistrationServerBackend;

use chrono::{DateTime, Utc};

use crate::backend::{BackendError, BackendResult};
use crate::domain::license::License;
use crate::service::console::Window;
use crate::store::LicenseQuery;

fn refused<T>(sentence: &str) -> BackendResult<T> {
    Err(BackendError::Refused(sentence.to_owned()))
}

/// `limit` rows from `offset` on, with the number of all rows. A peer has no windows of
/// its own, so the whole (filtered) list is read and cut here.
fn window<T>(rows: Vec<T>, offset: u64, limit: u32) -> Window<T> {
    let total = rows.len() as u64;
    let skip = usize::try_from(offset).unwrap_or(usize::MAX);
    Window { offset, rows: rows.into_iter().skip(skip).take(limit as usize).collect(), total }
}

/// Whether a license passes the filters of `query` that no peer API applies: product,
/// contract, type, status, key state and expiry. The owner filter is each backend's own (a username
/// on a Registration Server, a part of a name or address on a license key server), and
/// `made_by` is not kept by any peer, so it is ignored.
fn keeps(query: &LicenseQuery, license: &License) -> bool {
    let expiring = match (query.expiring_before, query.now) {
        (Some(before), Some(now)) => ends_between(license, now, before),
        _ => true,
    };
    expiring
        && query.product.is_none_or(|product| license.product_id == Some(product))
        && query.contract.is_none_or(|contract| license.contract_id == Some(contract.0))
        && query.license_type.is_none_or(|license_type| license.license_type == license_type)
        && query.status.is_none_or(|status| license.status == status)
        && query.key_state.is_none_or(|state| license.key_state == state)
}

/// A registration license ends on its valid-until date, a key `validity` days after its
/// assignment (as the local store decides).
fn ends_between(license: &License, now: DateTime<Utc>, before: DateTime<Utc>) -> bool {
    let by_date = license.valid_until.is_some_and(|date| date >= now.date_naive() && date <= before.date_naive());
    let by_key = license.expires_at().is_some_and(|at| at >= now && at <= before);
    by_date || by_key
}
