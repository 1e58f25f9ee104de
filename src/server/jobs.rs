//! Runs queued work: each queued random assignment is carried out, and its answer, signed
//! as any response, is posted to the caller's webhook in the shape of a serialized
//! Laravel `JsonResponse` (`{"headers":{},"original":{…},"exception":null}`), which is
//! what existing webhook receivers read.

use std::time::Duration;

use serde_json::Value;

use super::keymanager::render_body;
use crate::protocol::keymanager::handle::run_queued;
use crate::service::Service;
use crate::service::jobs::{QueuedAssign, RANDOM_ASSIGN};
use crate::store::Job;

/// Jobs taken per round.
const BATCH: u32 = 50;

/// Runs every queued job once; returns how many were delivered.
pub async fn run_jobs_once(service: &Service, http: &reqwest::Client) -> usize {
    let lookup = service.clone();
    let Ok(Ok(jobs)) = tokio::task::spawn_blocking(move || lookup.due_jobs(BATCH)).await else {
        return 0;
    };
    let mut delivered = 0;
    for job in jobs {
        let outcome = run(service, http, &job).await;
        if outcome.is_ok() {
            delivered += 1;
        } else {
            tracing::warn!(job = job.id, attempts = job.attempts + 1, "queued job not delivered");
        }
        let recorder = service.clone();
        let _ = tokio::task::spawn_blocking(move || recorder.finish_job(&job, outcome)).await;
    }
    delivered
}

async fn run(service: &Service, http: &reqwest::Client, job: &Job) -> Result<(), String> {
    if job.kind != RANDOM_ASSIGN {
        return Err(format!("unknown job kind {:?}", job.kind));
    }
    let queued: QueuedAssign = serde_json::from_str(&job.payload).map_err(|e| e.to_string())?;
    // The assignment runs once: its signed answer is kept, and a retry posts it again.
    let body = match &job.result {
        Some(body) => body.clone(),
        None => {
            let worker = service.clone();
            let (task, job) = (queued.clone(), job.clone());
            tokio::task::spawn_blocking(move || {
                let answer = run_queued(&worker, &task).map_err(|e| e.to_string())?;
                let body = render_body(&worker, answer).ok_or_else(|| "could not sign the answer".to_owned())?;
                worker.set_job_result(&job, &body).map_err(|e| e.to_string())?;
                Ok::<_, String>(body)
            })
            .await
            .map_err(|e| e.to_string())??
        }
    };
    let original: Value = serde_json::from_str(&body).map_err(|e| e.to_string())?;
    let wrapped = serde_json::json!({"headers": {}, "original": original, "exception": null});
    let response = http
        .post(&queued.webhook_url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(wrapped.to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() { Ok(()) } else { Err(format!("webhook answered HTTP {}", response.status())) }
}

/// Runs queued jobs every `every`, until the process ends.
pub async fn run_jobs_forever(service: Service, every: Duration) {
    let Ok(http) = reqwest::Client::builder().timeout(Duration::from_secs(30)).build() else {
        tracing::error!("cannot build the webhook client; queued jobs will not run");
        return;
    };
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let delivered = run_jobs_once(&service, &http).await;
        if delivered > 0 {
            tracing::info!(delivered, "queued jobs delivered");
        }
    }
}
