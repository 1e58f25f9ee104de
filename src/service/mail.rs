//! Rendering mails from templates and queueing them in the outbox.

use chrono::{DateTime, Utc};

use super::{Actor, Service, ServiceError, audit};
use crate::domain::distributor::DistributorId;
use crate::domain::mail::{Mail, MailKind, Template, render};
use crate::store::{Db, OutboxEntry, OutboxState};

/// Renders the distributor's template for `kind` (or the built-in one) and queues it.
pub(crate) fn queue(
    db: &Db<'_>,
    now: DateTime<Utc>,
    distributor: Option<DistributorId>,
    kind: MailKind,
    to: &str,
    values: &[(&str, &str)],
) -> Result<i64, ServiceError> {
    let template = match distributor {
        Some(id) => db.mail_template(id, kind)?,
        None => None,
    };
    let template = template.unwrap_or_else(|| kind.default_template());
    let distributor_name = match distributor {
        Some(id) => db.distributor(id)?.map(|d| d.name).unwrap_or_default(),
        None => String::new(),
    };
    let mut all: Vec<(&str, &str)> = vec![("distributor", distributor_name.as_str())];
    all.extend_from_slice(values);
    let mail =
        Mail { kind, to: to.to_owned(), subject: render(&template.subject, &all), body: render(&template.body, &all) };
    Ok(db.queue_mail(distributor, &mail, now)?)
}

impl Service {
    /// The outbox, oldest first, optionally of one state only.
    pub fn outbox(&self, state: Option<OutboxState>, limit: u32) -> Result<Vec<OutboxEntry>, ServiceError> {
        self.store.read(|db| Ok(db.outbox(state, limit)?))
    }

    /// Replaces a distributor's template for one kind of mail.
    pub fn set_mail_template(
        &self,
        actor: &Actor,
        distributor: DistributorId,
        kind: MailKind,
        template: &Template,
    ) -> Result<(), ServiceError> {
        if !actor.may_act_for(distributor) {
            return Err(ServiceError::AccessDenied);
        }
        let now = self.now();
        self.store.write(|db| {
            db.set_mail_template(distributor, kind, template)?;
            audit(db, now, actor, "set-mail-template", kind.as_str(), "")
        })
    }

    /// Records the outcome of a delivery attempt.
    pub fn mark_mail(&self, id: i64, state: OutboxState, error: Option<&str>) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| Ok(db.mark_mail(id, state, error, now)?))
    }
}
