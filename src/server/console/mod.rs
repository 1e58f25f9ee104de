//! The console API: `/console/v1/…`, JSON, with staff sessions (`Authorization: Bearer`).
//! Roles are enforced in the service; this layer only finds the session.

mod calls;

pub(crate) use calls::routes as backend_routes;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::domain::reseller::{Edition, KeyOrder, ResellerId};
use crate::domain::staff::{SESSION_HOURS, Staff};
use crate::protocol::console::wire::{
    API_VERSION, IssuedView, KeyRequest, Login, Problem, Session, StaffView, Version,
};
use crate::service::ServiceError;

pub(super) fn problem(status: StatusCode, error: &str, message: impl Into<String>) -> Response {
    (status, Json(Problem { error: error.to_owned(), message: message.into() })).into_response()
}

/// The refusal for a service error, with its HTTP status.
pub(super) fn refusal(error: ServiceError) -> Response {
    match error {
        ServiceError::SessionInvalid | ServiceError::WrongPassword => {
            problem(StatusCode::UNAUTHORIZED, "unauthorized", "Log in again: the session is unknown, expired or ended.")
        }
        ServiceError::AccessDenied => problem(StatusCode::FORBIDDEN, "forbidden", "Your role does not allow this."),
        ServiceError::Store(_) | ServiceError::Hashing | ServiceError::TaskFailed => {
            tracing::error!(%error, "console request failed inside keydesk");
            problem(StatusCode::INTERNAL_SERVER_ERROR, "failed", "keydesk could not complete this.")
        }
        refused => problem(StatusCode::UNPROCESSABLE_ENTITY, "refused", refused.to_string()),
    }
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

/// `GET /console/v1/version`: lets a client refuse a server it does not speak to.
pub(super) async fn version() -> Json<Version> {
    Json(Version { api: API_VERSION, keydesk: env!("CARGO_PKG_VERSION").to_owned() })
}

/// `POST /console/v1/login`.
pub(super) async fn login(State(state): State<AppState>, body: Option<Json<Login>>) -> Response {
    let Some(Json(login)) = body else {
        return problem(StatusCode::BAD_REQUEST, "refused", "Send {\"username\": …, \"password\": …} as JSON.");
    };
    let service = state.service.clone();
    let outcome = tokio::task::spawn_blocking(move || service.staff_login(&login.username, &login.password)).await;
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

/// `POST /console/v1/keys`: keys for a reseller's customer, as the session's role allows.
pub(super) async fn issue_keys(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Option<Json<KeyRequest>>,
) -> Response {
    let staff = match session(&state, &headers).await {
        Ok(staff) => staff,
        Err(refused) => return refused,
    };
    let Some(Json(request)) = body else {
        return problem(StatusCode::BAD_REQUEST, "refused", "Send the order as JSON.");
    };
    let edition = match request.edition.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
        None => None,
        Some(code) => match Edition::from_code(code) {
            Some(edition) => Some(edition),
            None => return problem(StatusCode::UNPROCESSABLE_ENTITY, "refused", "The edition is pro or ent."),
        },
    };
    let order = KeyOrder {
        first_name: request.first_name,
        last_name: request.last_name,
        email: request.email,
        quantity: request.quantity,
        edition,
        test_mode: request.test_mode,
    };
    let (service, reseller) = (state.service.clone(), ResellerId(request.reseller));
    match tokio::task::spawn_blocking(move || service.issue_keys_as(staff.role, reseller, &order)).await {
        Ok(Ok(issued)) => Json(IssuedView {
            keys: issued.keys,
            edition: issued.edition.code().to_owned(),
            left: issued.left,
            mailed_to: issued.mailed_to,
        })
        .into_response(),
        Ok(Err(error)) => refusal(error),
        Err(_) => refusal(ServiceError::TaskFailed),
    }
}
