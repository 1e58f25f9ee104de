//! Delivering queued mails over an SMTP relay (lettre over rustls). Without a relay,
//! mails stay queued and visible in the outbox.

use std::time::Duration;

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::AsyncSmtpTransport;
use lettre::{AsyncTransport, Message, Tokio1Executor};

use super::{Actor, Service, ServiceError, audit};
use crate::domain::validation::{FieldErrors, Problem};
use crate::store::{OutboxEntry, OutboxState};

/// A configured relay: `smtp://host:port` (plain, for a local relay),
/// `smtp://host:port?tls=required` (STARTTLS) or `smtps://user:pass@host` (TLS).
pub struct Relay {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

/// The relay URL or sender address is not usable.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("the SMTP relay URL is not valid: {0}")]
    Url(String),
    #[error("the sender address is not valid: {0}")]
    From(String),
}

/// Mails a relay may fail on before they are marked failed.
const MAX_ATTEMPTS: u32 = 5;

impl Relay {
    pub fn new(url: &str, from: &str) -> Result<Self, RelayError> {
        // The URL may hold credentials: errors name the problem, never the URL.
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| RelayError::Url(e.to_string()))?
            .timeout(Some(Duration::from_secs(20)))
            .build();
        let from = from.parse().map_err(|e: lettre::address::AddressError| RelayError::From(e.to_string()))?;
        Ok(Self { transport, from })
    }

    async fn send(&self, entry: &OutboxEntry) -> Result<(), String> {
        let to: Mailbox = entry.to.parse().map_err(|e: lettre::address::AddressError| e.to_string())?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(entry.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(entry.body.clone())
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

impl Service {
    /// Sends every queued mail once; returns how many went out.
    pub async fn deliver_queued(&self, relay: &Relay) -> Result<usize, ServiceError> {
        let _round = self.delivering.lock().await;
        let service = self.clone();
        // One round at a time in this process: a mail still marked as being sent is one a
        // process that died was sending. Failed, not sent again: never twice.
        let interrupted = tokio::task::spawn_blocking(move || {
            let now = service.now();
            service.store.write(|db| Ok::<_, ServiceError>(db.fail_interrupted_mails(now)?))
        })
        .await
        .map_err(|_| ServiceError::TaskFailed)??;
        if interrupted > 0 {
            tracing::warn!(interrupted, "mails cut short by a crash were marked failed; resend them from the outbox");
        }
        let service = self.clone();
        let queued = tokio::task::spawn_blocking(move || service.outbox(Some(OutboxState::Queued), 100))
            .await
            .map_err(|_| ServiceError::TaskFailed)??;
        let mut sent = 0;
        for entry in queued {
            let service = self.clone();
            let id = entry.id;
            tokio::task::spawn_blocking(move || service.store.write(|db| Ok::<_, ServiceError>(db.claim_mail(id)?)))
                .await
                .map_err(|_| ServiceError::TaskFailed)??;
            let outcome = relay.send(&entry).await;
            let (state, error) = match &outcome {
                Ok(()) => (OutboxState::Sent, None),
                Err(e) if entry.attempts + 1 >= MAX_ATTEMPTS => (OutboxState::Failed, Some(e.as_str())),
                Err(e) => (OutboxState::Queued, Some(e.as_str())),
            };
            if outcome.is_ok() {
                sent += 1;
            } else {
                tracing::warn!(mail = entry.id, attempts = entry.attempts + 1, "mail delivery failed");
            }
            let service = self.clone();
            let error = error.map(str::to_owned);
            tokio::task::spawn_blocking(move || service.mark_mail(entry.id, state, error.as_deref()))
                .await
                .map_err(|_| ServiceError::TaskFailed)??;
        }
        Ok(sent)
    }
}

impl Service {
    /// Saves the SMTP relay this database's mail goes out through (sealed at rest), after
    /// checking that the URL is one lettre understands; `None` forgets it.
    pub fn set_smtp_relay(&self, actor: &Actor, relay: Option<(&str, &str)>) -> Result<(), ServiceError> {
        actor.require_owner()?;
        if let Some((url, from)) = relay {
            Relay::new(url, from).map_err(|_| ServiceError::Invalid(FieldErrors::one("smtp_url", Problem::Url)))?;
        }
        let now = self.now();
        self.store.write(|db| {
            db.set_smtp_relay(relay)?;
            // The URL may hold a password: the audit says that it changed, never what it is.
            audit(db, now, actor, if relay.is_some() { "set-smtp-relay" } else { "remove-smtp-relay" }, "", "")
        })
    }

    /// The saved relay, ready to send through; `None` when none is saved.
    pub fn smtp_relay(&self) -> Result<Option<(Relay, String)>, ServiceError> {
        let saved = self.store.read(|db| Ok::<_, ServiceError>(db.smtp_relay()?))?;
        let Some((url, from)) = saved else { return Ok(None) };
        let relay = Relay::new(&url, &from).map_err(|_| ServiceError::TaskFailed)?;
        Ok(Some((relay, from)))
    }
}
