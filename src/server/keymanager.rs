//! The license key API endpoint: `/api/v1/{endpoint}`. The API key (form field, query
//! parameter or `Authorization: Bearer`) and the blocklist are checked before the
//! endpoint runs; every answer is the signed JSON envelope.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, to_bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{AppState, ClientAddr};
use crate::domain::endpoint::Endpoint;
use crate::domain::product::ProductId;
use crate::protocol::keymanager::codes::Code;
use crate::protocol::keymanager::envelope::{self, KeyUsed, Signer};
use crate::protocol::keymanager::handle::{Answer, Context, handle, is_served, refusal};
use crate::protocol::keymanager::wire::{Params, request_params};
use crate::service::signing::SigningKey;
use crate::service::{Actor, Service, ServiceError};
use crate::store::ApiKeyRecord;

/// The largest body any endpoint reads: create-license-keys with its most keys
/// ([`crate::domain::limits::MAX_CREATE_KEYS`] of up to ~200 characters each).
pub const MAX_BODY: usize = 2 * 1024 * 1024;

/// The largest body an endpoint reads, before its API key is known: what its parameters
/// can need, so that a caller without a key costs the server kilobytes, not megabytes.
fn body_limit(endpoint: Endpoint) -> usize {
    match endpoint {
        Endpoint::CreateLicenseKeys => MAX_BODY,
        // Product descriptions and metadata values.
        Endpoint::CreateProduct
        | Endpoint::UpdateProduct
        | Endpoint::CreateProductMeta
        | Endpoint::UpdateProductMeta
        | Endpoint::CreateLicenseKeyMeta
        | Endpoint::UpdateLicenseKeyMeta => 64 * 1024,
        _ => 16 * 1024,
    }
}

fn too_large() -> Response {
    json(StatusCode::PAYLOAD_TOO_LARGE, r#"{"message":"Payload Too Large"}"#.into())
}

impl Signer for SigningKey {
    fn sign(&self, message: &[u8]) -> Option<Vec<u8>> {
        SigningKey::sign(self, message)
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json"), (header::CACHE_CONTROL, "no-cache, private")], body)
        .into_response()
}

fn not_found() -> Response {
    json(StatusCode::NOT_FOUND, r#"{"message":"Not Found"}"#.into())
}

fn server_error() -> Response {
    json(StatusCode::INTERNAL_SERVER_ERROR, r#"{"message":"Server Error"}"#.into())
}

/// The database takes no writes now (a full or read-only disk): 503 with a minute's
/// `Retry-After`, the answer the original's framework gives while it cannot serve, so a
/// client retries later instead of reporting a broken server.
fn unavailable() -> Response {
    let mut response = json(StatusCode::SERVICE_UNAVAILABLE, r#"{"message":"Service Unavailable"}"#.into());
    response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("60"));
    response
}

/// The product's own key when it has one, else the global key (or none).
fn signer_for(
    service: &Service,
    product: Option<ProductId>,
) -> Result<(KeyUsed, Option<Arc<SigningKey>>), ServiceError> {
    if let Some(product) = product
        && let Some(key) = service.product_signing_key(product)?
    {
        return Ok((KeyUsed::Product, Some(key)));
    }
    Ok((KeyUsed::Global, service.global_signing_key()?))
}

/// The signed body of an answer; `None` when the signing key could not be read.
pub(super) fn render_body(service: &Service, answer: Answer) -> Option<String> {
    let (used, key) = signer_for(service, answer.product).ok()?;
    let response = answer.response.finish(service.now().timestamp());
    Some(envelope::render(response, used, key.as_deref().map(|k| k as &dyn Signer)))
}

/// Renders an answer with the right key; runs on the blocking pool (signing is CPU work).
fn render(service: &Service, answer: Answer, status: StatusCode) -> Response {
    match render_body(service, answer) {
        Some(body) => json(status, body),
        None => server_error(),
    }
}

fn api_key<'a>(headers: &'a HeaderMap, params: &'a Params) -> &'a str {
    params
        .filled("api_key")
        .or_else(|| {
            headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
        })
        .unwrap_or_default()
}

pub(super) async fn endpoint(
    State(state): State<AppState>,
    ClientAddr(peer): ClientAddr,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Body,
) -> Response {
    let started = Instant::now();
    let raw_path = uri.path().to_owned();
    let path = percent_decode(raw_path.trim_start_matches("/api/v1/"));
    if let Some(rest) = path.strip_prefix("public-key") {
        return public_key(&state.service, rest.trim_start_matches('/')).await;
    }
    if path.starts_with("download/") {
        return download(state.service.clone(), peer, &raw_path).await;
    }
    let Some(endpoint) = Endpoint::parse(&path).filter(|e| is_served(*e)) else {
        return not_found();
    };
    if method != Method::GET && method != Method::POST {
        return json(StatusCode::METHOD_NOT_ALLOWED, r#"{"message":"Method Not Allowed"}"#.into());
    }
    let Ok(body) = to_bytes(body, body_limit(endpoint)).await else {
        tracing::warn!(face = "keymanager", ip = %peer.ip(), endpoint = endpoint.name(), "body too large");
        return too_large();
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let params = request_params(content_type, query.as_deref(), &body);
    let response = answer_request(&state, peer, endpoint, &headers, params).await;
    let (code, response) = response;
    tracing::info!(
        face = "keymanager",
        ip = %peer.ip(),
        endpoint = endpoint.name(),
        refused = code,
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}

/// `GET /api/v1/public-key` (the global key) and `/api/v1/public-key/{product_id}` (a
/// product's own key): the PEM to verify response signatures with. Public; no API key.
async fn public_key(service: &Service, product: &str) -> Response {
    let service = service.clone();
    let product = product.to_owned();
    let pem = tokio::task::spawn_blocking(move || match product.as_str() {
        "" => service.global_signing_key(),
        id => match id.parse() {
            Ok(id) => service.product_signing_key(ProductId(id)),
            Err(_) => Ok(None),
        },
    })
    .await;
    match pem {
        Ok(Ok(Some(key))) => {
            ([(header::CONTENT_TYPE, "application/x-pem-file")], key.public_key_pem().to_owned()).into_response()
        }
        Ok(Ok(None)) => not_found(),
        _ => server_error(),
    }
}

/// Scheme and host the caller used (a proxy's `X-Forwarded-Proto` and `-Host` win).
fn base_url(headers: &HeaderMap) -> String {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::trim).filter(|v| !v.is_empty());
    let scheme = get("x-forwarded-proto").unwrap_or("http");
    let host = get("x-forwarded-host").or_else(|| get("host")).unwrap_or("localhost");
    format!("{scheme}://{host}")
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `GET /api/v1/download/{api_key}/{license_key}/{urlencode(base64(identifier))}/{numeric_version}`:
/// the release's file, or the envelope with 700 (no such file) or 701 (not permitted).
async fn download(service: Service, peer: SocketAddr, raw_path: &str) -> Response {
    use base64::Engine;
    let segments: Vec<String> =
        raw_path.trim_start_matches("/api/v1/download/").split('/').map(percent_decode).collect();
    let [api_key, key, identifier, version] = segments.as_slice() else {
        return not_found();
    };
    let identifier = base64::engine::general_purpose::STANDARD
        .decode(identifier.as_bytes())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let (api_key, key, version) = (api_key.clone(), key.clone(), version.parse::<u32>().unwrap_or(0));
    let lookup = service.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let record = match lookup.authorize_api_key(&api_key, peer.ip(), Endpoint::Download) {
            Ok(record) => record,
            Err(error) => {
                let status = if matches!(error, ServiceError::Store(_)) {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::UNAUTHORIZED
                };
                return Err((error, status));
            }
        };
        // A key confined to some products downloads only their releases (keymanager.md 3.3.1).
        if !record.products.is_empty() {
            let own = lookup.product_of_key(&key).map_err(|e| (e, StatusCode::INTERNAL_SERVER_ERROR))?;
            if !own.is_some_and(|p| record.products.contains(&p)) {
                return Err((ServiceError::KeyUnknown, StatusCode::OK));
            }
        }
        if let Err(error) = lookup.check_blocklist(peer.ip(), Some(&identifier)) {
            let status = if matches!(error, ServiceError::Store(_)) {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::FORBIDDEN
            };
            return Err((error, status));
        }
        lookup.download(&key, &identifier, version).map_err(|e| (e, StatusCode::OK))
    })
    .await;
    let release = match outcome {
        Ok(Ok(release)) => release,
        Ok(Err((error, status))) => {
            let rendered = tokio::task::spawn_blocking(move || match refusal(Endpoint::Download, error, None) {
                Ok(answer) => render(&service, answer, status),
                Err(_) => server_error(),
            })
            .await;
            return rendered.unwrap_or_else(|_| server_error());
        }
        Err(_) => return server_error(),
    };
    let Ok(file) = tokio::fs::File::open(&release.file_path).await else {
        return server_error();
    };
    let name = std::path::Path::new(&release.file_path).file_name().and_then(|n| n.to_str()).unwrap_or("download");
    let disposition = format!("attachment; filename=\"{}\"", name.replace('"', ""));
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(file));
    ([(header::CONTENT_TYPE, "application/octet-stream".to_owned()), (header::CONTENT_DISPOSITION, disposition)], body)
        .into_response()
}

/// Runs a blocking step on the blocking pool; a panic there becomes a 500.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    tokio::task::spawn_blocking(f).await.ok()
}

/// The API key (100-103) and blocklist (150) checks: the key's record, or the refusal
/// (`None`: the store could not answer).
fn gate(
    service: &Service,
    key: &str,
    ip: IpAddr,
    endpoint: Endpoint,
    identifier: Option<&str>,
) -> Result<ApiKeyRecord, Option<(Code, StatusCode)>> {
    let record = service.authorize_api_key(key, ip, endpoint).map_err(|error| match error {
        ServiceError::ApiKeyInvalid => Some((Code::InvalidApiKey, StatusCode::UNAUTHORIZED)),
        ServiceError::ApiKeyInactive => Some((Code::InactiveApiKey, StatusCode::UNAUTHORIZED)),
        ServiceError::ApiKeyCapability => Some((Code::MissingCapability, StatusCode::UNAUTHORIZED)),
        ServiceError::ApiKeyAddress => Some((Code::WrongIp, StatusCode::UNAUTHORIZED)),
        _ => None,
    })?;
    match service.check_blocklist(ip, identifier) {
        Ok(()) => Ok(record),
        Err(ServiceError::Blocked) => Err(Some((Code::AccessDenied, StatusCode::FORBIDDEN))),
        Err(_) => Err(None),
    }
}

/// A refusal at the gate, rendered.
fn refused_at_gate(service: &Service, refusal: Option<(Code, StatusCode)>) -> (u16, Response) {
    match refusal {
        Some((code, status)) => {
            let answer = Answer { response: envelope::Response::new(code), product: None };
            (code.number(), render(service, answer, status))
        }
        // The store could not answer: a server error, never a guess either way.
        None => (500, server_error()),
    }
}

/// The endpoint itself, rendered.
fn run_endpoint(
    service: &Service,
    actor: &Actor,
    endpoint: Endpoint,
    params: &Params,
    context: &Context,
) -> (u16, Response) {
    match handle(service, actor, endpoint, params, context) {
        Ok(answer) => {
            let code = answer.response.code();
            let status = StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::OK);
            (if status == StatusCode::OK { 0 } else { code.number() }, render(service, answer, status))
        }
        Err(error) if error.unwritable => {
            tracing::error!(face = "keymanager", endpoint = endpoint.name(), %error, "the database takes no writes");
            (503, unavailable())
        }
        Err(error) => {
            tracing::error!(face = "keymanager", endpoint = endpoint.name(), %error, "request failed inside keydesk");
            (500, server_error())
        }
    }
}

/// The API key and blocklist checks, an Envato purchase code where one may be, then the
/// endpoint. Returns the refusal code (0 for an answer) for the log, and the response.
/// Without an Envato step the whole request is one trip to the blocking pool.
async fn answer_request(
    state: &AppState,
    peer: SocketAddr,
    endpoint: Endpoint,
    headers: &HeaderMap,
    params: Params,
) -> (u16, Response) {
    let service = state.service.clone();
    let key = api_key(headers, &params).to_owned();
    let context = Context {
        base_url: base_url(headers),
        api_key: key.clone(),
        webhooks: state.options.webhooks,
        products: Vec::new(),
    };
    let ip = peer.ip();
    let envato_step = state.options.envato.is_some() && matches!(endpoint, Endpoint::Verify | Endpoint::Activate);
    if !envato_step {
        let outcome = blocking(move || match gate(&service, &key, ip, endpoint, params.filled("identifier")) {
            Ok(record) => {
                let context = Context { products: record.products, ..context };
                run_endpoint(&service, &Actor::ApiKey(record.id), endpoint, &params, &context)
            }
            Err(refusal) => refused_at_gate(&service, refusal),
        })
        .await;
        return outcome.unwrap_or_else(|| (500, server_error()));
    }
    let gated = {
        let (service, identifier) = (service.clone(), params.filled("identifier").map(str::to_owned));
        blocking(move || gate(&service, &key, ip, endpoint, identifier.as_deref())).await
    };
    let mut context = context;
    let actor = match gated {
        Some(Ok(record)) => {
            context.products = record.products;
            Actor::ApiKey(record.id)
        }
        Some(Err(refusal)) => {
            return blocking(move || refused_at_gate(&service, refusal)).await.unwrap_or_else(|| (500, server_error()));
        }
        None => return (500, server_error()),
    };
    if let Some(answer) = envato_import(state, &actor, endpoint, &params).await {
        let code = answer.response.code().number();
        let rendered = blocking(move || render(&service, answer, StatusCode::OK)).await;
        return (code, rendered.unwrap_or_else(server_error));
    }
    blocking(move || run_endpoint(&service, &actor, endpoint, &params, &context))
        .await
        .unwrap_or_else(|| (500, server_error()))
}

/// Step 3 of verify and activate: a key the store does not know may be an Envato purchase
/// code of a product sold on Envato; then it is imported, owned by its buyer with the
/// request's `email`, and the answer is 206. `None`: carry on as usual.
async fn envato_import(state: &AppState, actor: &Actor, endpoint: Endpoint, params: &Params) -> Option<Answer> {
    let envato = state.options.envato.as_ref()?;
    if !matches!(endpoint, Endpoint::Verify | Endpoint::Activate) {
        return None;
    }
    let code = params.filled("license_key")?.to_owned();
    let service = state.service.clone();
    let lookup = code.clone();
    if !blocking(move || service.key_unknown(&lookup)).await?.ok()? {
        return None;
    }
    let sale = match envato.sale(&code).await {
        Ok(sale) => sale?,
        Err(error) => {
            tracing::warn!(%error, "Envato lookup failed; answering as for an unknown key");
            return None;
        }
    };
    let service = state.service.clone();
    let (actor, email) = (actor.clone(), params.text("email").to_owned());
    let imported =
        blocking(move || service.import_purchase_code(&actor, &code, &sale.item_id, &sale.buyer, &email)).await?;
    let license = imported.ok()??;
    Some(Answer { response: envelope::Response::new(Code::EnvatoAdded), product: license.product_id })
}
