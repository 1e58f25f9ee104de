//! Depots of users on host servers, and invitations to them.

use super::mail::queue;
use super::{Actor, Requires, Service, ServiceError, audit, user_for};
use crate::domain::mail::MailKind;
use crate::domain::user::{Depot, User};

/// A depot as a request names it: the host's depot file, or host URL and depot id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DepotSpec {
    pub depot_id: String,
    pub host_url: String,
    /// The depot file as sent, kept for the record.
    pub raw: String,
}

impl DepotSpec {
    fn is_complete(&self) -> bool {
        !self.depot_id.trim().is_empty() && !self.host_url.trim().is_empty()
    }
}

/// What an invitation announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationKind {
    CreateDepot,
    DeleteDepot,
}

impl InvitationKind {
    /// The documented values `INV_TYPE_CREATEDEPOT` and `INV_TYPE_DELETEDEPOT`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "INV_TYPE_CREATEDEPOT" => Some(Self::CreateDepot),
            "INV_TYPE_DELETEDEPOT" => Some(Self::DeleteDepot),
            _ => None,
        }
    }

    fn sentence(self) -> &'static str {
        match self {
            Self::CreateDepot => "You have been given access to a depot",
            Self::DeleteDepot => "Your access to a depot has been withdrawn",
        }
    }
}

fn invite(
    db: &crate::store::Db<'_>,
    now: chrono::DateTime<chrono::Utc>,
    user: &User,
    kind: InvitationKind,
    depot: &DepotSpec,
) -> Result<(), ServiceError> {
    let values = [
        ("username", user.username.as_str()),
        ("invitation", kind.sentence()),
        ("depot", depot.depot_id.as_str()),
        ("host", depot.host_url.as_str()),
    ];
    queue(db, now, Some(user.distributor), MailKind::Invitation, &user.email, &values)?;
    Ok(())
}

impl Service {
    /// getdefaultdepotdata: the user and their default depot.
    pub fn default_depot(&self, actor: &Actor, name: &str) -> Result<(User, Depot), ServiceError> {
        self.store.read(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            let depot =
                db.depots_of_user(user.id)?.into_iter().find(|d| d.is_default).ok_or(ServiceError::NoDefaultDepot)?;
            Ok((user, depot))
        })
    }

    /// gethostfordepot: the depot server new depots are created on.
    pub fn depot_host(&self, actor: &Actor) -> Result<String, ServiceError> {
        let own = actor.distributor().ok_or(ServiceError::NoDepotHost)?;
        self.store.read(|db| {
            self.distributor_in(db, own)?
                .settings
                .depot_host_url
                .filter(|u| !u.is_empty())
                .ok_or(ServiceError::NoDepotHost)
        })
    }

    /// setdepotforuser: records a depot; the first one becomes the default.
    pub fn set_depot(
        &self,
        actor: &Actor,
        name: &str,
        depot: &DepotSpec,
        send_invitation: bool,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            if !depot.is_complete() {
                return Err(ServiceError::DepotDataInvalid);
            }
            let existing = db.depots_of_user(user.id)?;
            if existing.iter().any(|d| d.depot_id == depot.depot_id.trim() && d.host_url == depot.host_url.trim()) {
                return Err(ServiceError::DepotExists);
            }
            db.insert_depot(
                user.id,
                depot.depot_id.trim(),
                depot.host_url.trim(),
                existing.is_empty(),
                &depot.raw,
                now,
            )?;
            if send_invitation {
                invite(db, now, &user, InvitationKind::CreateDepot, depot)?;
            }
            audit(db, now, actor, "set-depot", &user.username, &depot.depot_id)
        })
    }

    /// removedepotfromuser: forgets a depot; if it was the default, the oldest remaining one takes over.
    pub fn remove_depot(
        &self,
        actor: &Actor,
        name: &str,
        depot: &DepotSpec,
        send_invitation: bool,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            if !depot.is_complete() {
                return Err(ServiceError::DepotDataInvalid);
            }
            let depots = db.depots_of_user(user.id)?;
            let found = depots
                .iter()
                .find(|d| d.depot_id == depot.depot_id.trim() && d.host_url == depot.host_url.trim())
                .ok_or(ServiceError::DepotNotFound)?;
            db.delete_depot(found.id)?;
            if let Some(oldest) = depots.iter().find(|d| d.id != found.id).filter(|_| found.is_default) {
                db.set_default_depot(user.id, oldest.id)?;
            }
            if send_invitation {
                invite(db, now, &user, InvitationKind::DeleteDepot, depot)?;
            }
            audit(db, now, actor, "remove-depot", &user.username, &depot.depot_id)
        })
    }

    /// sendinvitation: mails the user about a depot given to or taken from them.
    pub fn send_invitation(
        &self,
        actor: &Actor,
        name: &str,
        kind: Option<InvitationKind>,
        depot: &DepotSpec,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            let kind = kind.ok_or(ServiceError::InvitationTypeUnknown)?;
            invite(db, now, &user, kind, depot)?;
            audit(db, now, actor, "send-invitation", &user.username, &depot.depot_id)
        })
    }
}
