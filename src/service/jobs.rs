//! Queued work: random assignments whose result goes to a webhook.

use serde::{Deserialize, Serialize};

use super::keys::random_assign_in;
use super::{Actor, Service, ServiceError, audit};
use crate::domain::license::License;
use crate::domain::product::ProductId;
use crate::store::Job;

/// A random-assign-license-keys-queued request, kept until it is run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueuedAssign {
    pub product_id: Option<i64>,
    pub owner_name: String,
    pub owner_email: String,
    pub quantity: Option<u32>,
    pub generate: bool,
    pub webhook_url: String,
    /// The caller's reference (an order id), echoed to the webhook.
    pub identifier: String,
    /// The API key that asked, which the assignment runs as.
    pub api_key: i64,
}

/// The job kind of queued assignments.
pub const RANDOM_ASSIGN: &str = "random-assign";

/// Attempts at delivering a webhook before the job is marked failed.
pub const MAX_ATTEMPTS: u32 = 5;

impl Service {
    /// Queues an assignment; the server runs it and posts the result to its webhook.
    pub fn queue_assign(&self, actor: &Actor, request: &QueuedAssign) -> Result<i64, ServiceError> {
        // Refused now rather than failed later: a queued call gets the plain call's answer.
        if let Some(quantity) = request.quantity {
            crate::domain::limits::within(quantity.into(), crate::domain::limits::MAX_ASSIGN.into())?;
        }
        let payload = serde_json::to_string(request).map_err(|_| ServiceError::TaskFailed)?;
        let now = self.now();
        self.store.write(|db| {
            let id = db.insert_job(RANDOM_ASSIGN, &payload, now)?;
            audit(db, now, actor, "queue-random-assign", &request.identifier, &request.webhook_url)?;
            Ok(id)
        })
    }

    /// Queued jobs whose next attempt is due.
    pub fn due_jobs(&self, limit: u32) -> Result<Vec<Job>, ServiceError> {
        let now = self.now();
        self.store.read(|db| Ok(db.due_jobs(now, limit)?))
    }

    /// Runs a queued assignment exactly once: the keys are assigned and `render` turns the
    /// outcome (the keys, or the refusal) into the answer to deliver, and both commit in one
    /// transaction. A crash, or a `render` that fails (a signing key that cannot be read),
    /// leaves neither, so the retry assigns afresh; once committed, every later attempt gets
    /// the stored answer and assigns nothing.
    pub fn run_assignment_once(
        &self,
        job: &Job,
        queued: &QueuedAssign,
        render: impl FnOnce(Result<Vec<License>, ServiceError>) -> Option<String>,
    ) -> Result<String, ServiceError> {
        let actor = Actor::ApiKey(queued.api_key);
        let owner = (queued.owner_name.as_str(), queued.owner_email.as_str());
        let now = self.now();
        self.store.write(|db| {
            if let Some(done) = db.job_result(job.id)? {
                return Ok(done);
            }
            // The assignment in a savepoint: a refusal after some writes (a keyspace that ran
            // out mid-draw) is delivered as a refusal, with nothing of it kept.
            db.savepoint("assignment")?;
            let outcome = match (queued.product_id.map(ProductId), queued.quantity) {
                (None, _) => Err(ServiceError::ProductNotFound),
                (Some(product), None) => match db.product(product)? {
                    Some(_) => Err(ServiceError::InsufficientKeys(db.available_count(product)?)),
                    None => Err(ServiceError::ProductNotFound),
                },
                (Some(product), Some(quantity)) => {
                    random_assign_in(db, &actor, product, owner, quantity, queued.generate, now)
                }
            };
            match &outcome {
                Ok(_) => db.release("assignment")?,
                Err(_) => db.rollback_to("assignment")?,
            }
            let body = render(outcome).ok_or(ServiceError::TaskFailed)?;
            db.set_job_result(job.id, &body)?;
            Ok(body)
        })
    }

    /// Records the outcome of one attempt; a failed one is tried again after 2, 4, 8, 16 s.
    pub fn finish_job(&self, job: &Job, outcome: Result<(), String>) -> Result<(), ServiceError> {
        let now = self.now();
        let (state, error) = match &outcome {
            Ok(()) => ("done", None),
            Err(e) if job.attempts + 1 >= MAX_ATTEMPTS => ("failed", Some(e.as_str())),
            Err(e) => ("queued", Some(e.as_str())),
        };
        let next_try = now + chrono::Duration::seconds(2i64.pow(job.attempts.min(10) + 1));
        self.store.write(|db| Ok(db.finish_job(job.id, state, error, next_try, now)?))
    }
}
