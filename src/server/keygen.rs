//! The reseller keygen URL: `GET /keygen` with a query, or `POST /keygen` with the same
//! fields as a form. Plain-text answers; wrong passwords slow the guessing address down.

use std::net::SocketAddr;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{RawQuery, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, ClientAddr};
use crate::protocol::form::Params;
use crate::protocol::keygen::{self, Answer};

/// Largest keygen request body: a handful of short fields.
pub const MAX_BODY: usize = 16 * 1024;

fn text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], body)
        .into_response()
}

pub(super) async fn endpoint(
    State(state): State<AppState>,
    ClientAddr(peer): ClientAddr,
    method: Method,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let started = Instant::now();
    if method != Method::GET && method != Method::POST {
        return text(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed: use GET or POST".into());
    }
    // Read no further than a keygen form can need: a larger body is refused after 16 KiB.
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return text(StatusCode::PAYLOAD_TOO_LARGE, "Payload Too Large".into());
    };
    let params = Params::from_query_and_form(query.as_deref(), &body);
    let answer = answer(&state, &params, peer).await;
    tracing::info!(
        face = "keygen",
        ip = %peer.ip(),
        answer = answer.log_code(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    let status = StatusCode::from_u16(answer.http_status()).unwrap_or(StatusCode::OK);
    let mut response = text(status, answer.body());
    if let Some(seconds) = answer.retry_after() {
        response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(seconds));
    }
    response
}

/// Counts the attempt and waits out the delay earned by earlier wrong passwords from this
/// address (an async sleep, no thread held), then answers in a password slot on the
/// blocking pool (Argon2id and the store).
async fn answer(state: &AppState, params: &Params, peer: SocketAddr) -> Answer {
    let email = match keygen::credentials(params) {
        Ok((email, _)) => email.to_owned(),
        Err(refusal) => return refusal,
    };
    let service = state.service.clone();
    let ip = peer.ip();
    let delay = tokio::task::spawn_blocking(move || service.reseller_login_attempt(&email, ip)).await;
    match delay {
        Ok(Ok(delay)) if !delay.is_zero() => tokio::time::sleep(delay).await,
        Ok(Ok(_)) => {}
        Ok(Err(error)) => return keygen::failure(&error),
        Err(_) => return Answer::Internal,
    }
    let Some(slot) = state.passwords.take().await else { return Answer::Busy };
    let (service, params) = (state.service.clone(), params.clone());
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        keygen::answer(&service, &params, ip)
    })
    .await
    .unwrap_or(Answer::Internal)
}
