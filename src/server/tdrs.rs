//! The Registration Server endpoint: POST only, a bounded body, the caller found by
//! address and checksum salt, `<distributor>` honoured where allowed, then the command.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, ClientAddr};
use crate::domain::distributor::Distributor;
use crate::protocol::tdrs::checksum::verify;
use crate::protocol::tdrs::codes::ErrorCode;
use crate::protocol::tdrs::handle::{Caller, error_reply, exception_for, handle};
use crate::protocol::tdrs::reply::Reply;
use crate::protocol::tdrs::request::{Envelope, RequestError};

/// Largest request body accepted; the biggest documented request is far below this.
pub const MAX_BODY: usize = 256 * 1024;

fn xml(status: StatusCode, reply: &Reply) -> Response {
    (status, [(header::CONTENT_TYPE, "text/xml; charset=UTF-8")], reply.to_xml()).into_response()
}

fn reject(status: StatusCode, code: ErrorCode, ip: SocketAddr, why: &str) -> Response {
    tracing::warn!(face = "tdrs", ip = %ip.ip(), code = code.code(), why, "request rejected");
    let mut response = xml(status, &error_reply(code));
    if status == StatusCode::METHOD_NOT_ALLOWED {
        response.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("POST"));
    }
    response
}

pub(super) async fn endpoint(
    State(state): State<AppState>,
    ClientAddr(peer): ClientAddr,
    method: Method,
    Query(query): Query<HashMap<String, String>>,
    body: Body,
) -> Response {
    let started = Instant::now();
    if method != Method::POST {
        return reject(StatusCode::METHOD_NOT_ALLOWED, ErrorCode::OnlyPost, peer, "not a POST");
    }
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return reject(StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::TooLarge, peer, "body too large");
    };
    let Some(checksum) = query.get("checksum") else {
        return reject(StatusCode::FORBIDDEN, ErrorCode::AccessDenied, peer, "no checksum");
    };
    let service = state.service.clone();
    let ip = peer.ip();
    let candidates = match tokio::task::spawn_blocking(move || service.caller_candidates(ip)).await {
        Ok(Ok(candidates)) => candidates,
        _ => return reject(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, peer, "caller lookup failed"),
    };
    let Some(caller) = candidates.into_iter().find(|c| verify(&body, &c.salt, checksum)).map(|c| c.distributor) else {
        return reject(
            StatusCode::FORBIDDEN,
            ErrorCode::AccessDenied,
            peer,
            "no distributor with this address and checksum",
        );
    };
    let envelope = match Envelope::parse(&body) {
        Ok(envelope) => envelope,
        Err(RequestError::UnknownCommand(_)) => {
            return reject(StatusCode::BAD_REQUEST, ErrorCode::UnknownCommand, peer, "unknown command");
        }
        Err(_) => return reject(StatusCode::BAD_REQUEST, ErrorCode::Malformed, peer, "malformed request"),
    };
    if !within_window(&caller, envelope.request_time, state.service.now().timestamp()) {
        return reject(StatusCode::FORBIDDEN, ErrorCode::RequestExpired, peer, "request time outside window");
    }
    let command = envelope.request.command();
    let slot = match envelope.request.runs_argon2() {
        true => match state.passwords.take().await {
            Some(slot) => Some(slot),
            None => return reject(StatusCode::SERVICE_UNAVAILABLE, ErrorCode::Internal, peer, "password slots busy"),
        },
        false => None,
    };
    let service = state.service.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        let acting = match &envelope.distributor {
            Some(code) => service.select_distributor(&caller, code),
            None => Ok(caller.clone()),
        };
        match acting {
            Ok(acting) => {
                (acting.code.to_string(), handle(&service, &Caller::distributor(acting.id), envelope.request))
            }
            Err(error) => (caller.code.to_string(), exception_for(&error)),
        }
    })
    .await;
    let Ok((distributor, reply)) = outcome else {
        return reject(StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::Internal, peer, "handler failed");
    };
    let code = match &reply {
        Reply::Exception { primary, .. } => *primary,
        Reply::Success(_) => 0,
    };
    tracing::info!(face = "tdrs", ip = %ip, distributor, command, code, micros = started.elapsed().as_micros() as u64, "request");
    xml(StatusCode::OK, &reply)
}

/// `<requesttime>` must lie within the distributor's window of now, when it has one.
fn within_window(caller: &Distributor, request_time: Option<i64>, now: i64) -> bool {
    let window = i64::from(caller.settings.request_window_secs);
    // Checked: a `<requesttime>` near i64::MIN or MAX must not wrap into the window.
    window == 0 || request_time.and_then(|t| now.checked_sub(t)).and_then(i64::checked_abs).is_some_and(|d| d <= window)
}
