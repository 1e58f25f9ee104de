//! Runs queued work: each queued random assignment is carried out, and its answer, signed
//! as any response, is posted to the caller's webhook in the shape of a serialized
//! Laravel `JsonResponse` (`{"headers":{},"original":{…},"exception":null}`), which is
//! what existing webhook receivers read.
//!
//! Webhooks go only to public addresses (unless the server allows private ones): the URL
//! is checked when the request comes, and again here, after the name is resolved, by the
//! client's own resolver; redirects are not followed. Deliveries of one round run side by
//! side, each within its own timeout, so one slow receiver holds up no other tenant's.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinSet;

use super::keymanager::render_body;
use crate::domain::webhook::{WebhookReach, check_url, host_of};
use crate::protocol::keymanager::handle::run_queued;
use crate::service::Service;
use crate::service::jobs::{QueuedAssign, RANDOM_ASSIGN};
use crate::store::Job;

/// Jobs taken per round.
const BATCH: u32 = 50;

/// The longest one webhook delivery may take, connecting included.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// The client webhooks are posted with, and where it may post them.
#[derive(Clone, Debug)]
pub struct Webhooks {
    http: reqwest::Client,
    reach: WebhookReach,
}

impl Webhooks {
    pub fn new(reach: WebhookReach) -> Result<Self, reqwest::Error> {
        let mut builder = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .redirect(reqwest::redirect::Policy::none())
            // No HTTP(S)_PROXY from the environment: through a proxy the address rule would
            // see only the proxy.
            .no_proxy();
        if reach == WebhookReach::PublicOnly {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self { http: builder.build()?, reach })
    }
}

/// A resolver that drops every address a webhook may not reach; a name with none left
/// fails to resolve. (A URL with an address for a host never reaches a resolver: it is
/// checked by [`check_url`] before the post.)
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| WebhookReach::PublicOnly.admits(a.ip())).collect();
            if public.is_empty() {
                let refused = std::io::Error::other(format!("{host} resolves to no public address"));
                return Err(Box::new(refused) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Runs every due job once, side by side; returns how many were delivered.
pub async fn run_jobs_once(service: &Service, webhooks: &Webhooks) -> usize {
    let lookup = service.clone();
    let Ok(Ok(jobs)) = tokio::task::spawn_blocking(move || lookup.due_jobs(BATCH)).await else {
        return 0;
    };
    let mut running = JoinSet::new();
    for job in jobs {
        let (service, webhooks) = (service.clone(), webhooks.clone());
        running.spawn(async move {
            let outcome = run(&service, &webhooks, &job).await;
            let delivered = outcome.is_ok();
            if let Err(error) = &outcome {
                tracing::warn!(job = job.id, attempts = job.attempts + 1, %error, "queued job not delivered");
            }
            let _ = tokio::task::spawn_blocking(move || service.finish_job(&job, outcome)).await;
            delivered
        });
    }
    let mut delivered = 0;
    while let Some(done) = running.join_next().await {
        delivered += usize::from(done.unwrap_or(false));
    }
    delivered
}

async fn run(service: &Service, webhooks: &Webhooks, job: &Job) -> Result<(), String> {
    if job.kind != RANDOM_ASSIGN {
        return Err(format!("unknown job kind {:?}", job.kind));
    }
    let queued: QueuedAssign = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
    check_url(&queued.webhook_url, webhooks.reach).map_err(|e| e.to_string())?;
    // The assignment runs once: it commits with its signed answer, and a retry posts that.
    let body = match &job.result {
        Some(body) => body.clone(),
        None => {
            let worker = service.clone();
            let (task, job) = (queued.clone(), job.clone());
            tokio::task::spawn_blocking(move || {
                run_queued(&worker, &job, &task, |answer| render_body(&worker, answer)).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())??
        }
    };
    let original: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    let wrapped = serde_json::json!({"headers": {}, "original": original, "exception": null});
    let host = host_of(&queued.webhook_url).unwrap_or_default().to_owned();
    let response = webhooks
        .http
        .post(&queued.webhook_url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(wrapped.to_string())
        .send()
        .await
        // Without the URL: it may carry the receiver's secret in its query.
        .map_err(|e| format!("posting to {host} failed: {}", e.without_url()))?;
    if response.status().is_success() { Ok(()) } else { Err(format!("webhook answered HTTP {}", response.status())) }
}

/// Runs queued jobs every `every`, until the process ends.
pub async fn run_jobs_forever(service: Service, reach: WebhookReach, every: Duration) {
    let webhooks = match Webhooks::new(reach) {
        Ok(webhooks) => webhooks,
        Err(error) => {
            tracing::error!(%error, "cannot build the webhook client; queued jobs will not run");
            return;
        }
    };
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let delivered = run_jobs_once(&service, &webhooks).await;
        if delivered > 0 {
            tracing::info!(delivered, "queued jobs delivered");
        }
    }
}
