//! The console API: `/console/v1/…`, JSON, with staff sessions (`Authorization: Bearer`).
//! Roles are enforced in the service; this layer only finds the session.

mod calls;

pub(crate) use calls::routes as backend_routes;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::{AppState, ClientAddr};
use crate::backend::BackendError;
use crate::domain::staff::{SESSION_HOURS, Staff};
use crate::protocol::console::wire::{API_VERSION, Login, Problem, Session, StaffView, Version};
use crate::service::ServiceError;

/// The largest body a console API call reads, once its session is found (an import batch).
pub const MAX_BODY: usize = 8 * 1024 * 1024;

/// The largest login body: a username and a password, read before anyone is known.
pub const LOGIN_BODY: usize = 4 * 1024;

pub(super) fn problem(status: StatusCode, error: &str, message: impl Into<String>) -> Response {
    (status, Json(Problem { error: error.to_owned(), message: message.into() })).into_response()
}

/// The refusal for a service error, with its HTTP status: the backend's mapping, except that
/// a failed login reads exactly as an unknown session (401), so nothing tells which part was wrong.
pub(super) fn refusal(error: ServiceError) -> Response {
    let error = match error {
        ServiceError::WrongPassword => ServiceError::SessionInvalid,
        other => other,
    };
    calls::backend_refusal(BackendError::from(error))
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// The staff member of the request's session.
pub(super) async fn session(state: &AppState, headers: &HeaderMap) -> Result<Staff, Response> {
    let token = bearer(headers).ok_or_else(|| refusal(ServiceError::SessionInvalid))?;
    let service = state.service.clone();
    let found = tokio::task::spawn_blocking(move || service.staff_session(&token)).await;
    match found {
        Ok(result) => result.map_err(refusal),
        Err(_) => Err(refusal(ServiceError::TaskFailed)),
    }
}

/// Finds the request's session before any extractor reads its body, so a caller without
/// one costs a token lookup, whatever it sends; the staff member rides on the request
/// (`Extension<Staff>`) to the call.
pub(crate) async fn require_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    match session(&state, request.headers()).await {
        Ok(staff) => {
            request.extensions_mut().insert(staff);
            next.run(request).await
        }
        Err(refused) => refused,
    }
}

/// `GET /console/v1/version`: lets a client refuse a server it does not speak to.
pub(super) async fn version() -> Json<Version> {
    Json(Version { api: API_VERSION, keydesk: env!("CARGO_PKG_VERSION").to_owned() })
}

/// `POST /console/v1/login`: waits out the delay earned by wrong passwords for this name
/// from this address (in async land, no thread held), then checks the password in one of
/// the password slots.
pub(super) async fn login(
    State(state): State<AppState>,
    ClientAddr(peer): ClientAddr,
    body: Option<Json<Login>>,
) -> Response {
    let Some(Json(login)) = body else {
        return problem(StatusCode::BAD_REQUEST, "refused", "Send {\"username\": …, \"password\": …} as JSON.");
    };
    let ip = peer.ip();
    let delay = state.service.staff_login_attempt(&login.username, ip);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let Some(slot) = state.passwords.take().await else {
        return problem(StatusCode::SERVICE_UNAVAILABLE, "busy", "keydesk is busy; try again in a few seconds.");
    };
    let service = state.service.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        service.staff_login(&login.username, &login.password, ip)
    })
    .await;
    match outcome {
        Ok(Ok((token, staff))) => {
            Json(Session { token, expires_in_seconds: SESSION_HOURS * 3600, staff: StaffView::from(&staff) })
                .into_response()
        }
        Ok(Err(error)) => refusal(error),
        Err(_) => refusal(ServiceError::TaskFailed),
    }
}

/// `GET /console/v1/whoami`.
pub(super) async fn whoami(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match session(&state, &headers).await {
        Ok(staff) => Json(StaffView::from(&staff)).into_response(),
        Err(refused) => refused,
    }
}

/// `POST /console/v1/logout`: ends the request's session.
pub(super) async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else { return refusal(ServiceError::SessionInvalid) };
    let service = state.service.clone();
    match tokio::task::spawn_blocking(move || service.staff_logout(&token)).await {
        Ok(Ok(())) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(error)) => refusal(error),
        Err(_) => refusal(ServiceError::TaskFailed),
    }
}
