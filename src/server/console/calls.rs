//! The console API's calls onto the backend: each runs the console's own `Backend`
//! operation on a `LocalBackend` in the session's role, so the service decides what the
//! role may do and both sides of the wire share one meaning.

use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Extension, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::problem;
use crate::backend::{Backend, BackendError, BackendResult, LocalBackend, NewLicenseOrder, UserAction};
use crate::domain::bulk::BatchId;
use crate::domain::contract::{ContractId, ContractRights};
use crate::domain::license::LicenseId;
use crate::domain::product::ProductId;
use crate::domain::reseller::{NewResellerAccount, PoolAction, PoolOrder, ResellerAction, ResellerId};
use crate::domain::staff::{NewStaff, Staff, StaffAction};
use crate::domain::user::UserId;
use crate::protocol::console::wire::{
    BulkAsk, BulkStart, Count, IssuedView, KeyImport, KeyImportReport, KeyRequest, LicenseActionRequest,
    LicensesWindow, NewUser, OverviewWindow, STOCK_PER_REQUEST, SmtpRelay, UserImport, UserSearch, UsersWindow,
};
use crate::server::AppState;
use crate::store::{AuditQuery, GeneratorFields, LicenseQuery, ProductFields, TelemetryFilter};

/// The problem for a backend error, with its HTTP status.
pub(super) fn backend_refusal(error: BackendError) -> Response {
    match error {
        BackendError::Refused(message) => problem(StatusCode::UNPROCESSABLE_ENTITY, "refused", message),
        BackendError::Forbidden(message) => problem(StatusCode::FORBIDDEN, "forbidden", message),
        BackendError::Unauthorized(message) => problem(StatusCode::UNAUTHORIZED, "unauthorized", message),
        BackendError::Failed(detail) => {
            tracing::error!(%detail, "console request failed inside keydesk");
            problem(StatusCode::INTERNAL_SERVER_ERROR, "failed", "keydesk could not complete this.")
        }
    }
}

/// Runs `call` with the request's input on the backend as the request's session sees it,
/// off the async threads. The session was found before the body was read
/// ([`super::require_session`]): a caller without one learns nothing from how the rest of
/// the request is refused, and costs no body.
async fn run<I, T, F>(state: AppState, staff: Staff, input: Result<I, Response>, call: F) -> Response
where
    I: Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&LocalBackend, I) -> BackendResult<T> + Send + 'static,
{
    let input = match input {
        Ok(input) => input,
        Err(refused) => return refused,
    };
    let backend = LocalBackend::in_role(state.service.clone(), staff.role);
    match tokio::task::spawn_blocking(move || call(&backend, input)).await {
        Ok(Ok(value)) => Json(value).into_response(),
        Ok(Err(error)) => backend_refusal(error),
        Err(_) => backend_refusal(BackendError::Failed("the request's task ended early".into())),
    }
}

async fn as_session<T, F>(state: AppState, staff: Staff, call: F) -> Response
where
    T: Serialize + Send + 'static,
    F: FnOnce(&LocalBackend) -> BackendResult<T> + Send + 'static,
{
    run(state, staff, Ok(()), move |backend, ()| call(backend)).await
}

/// 400 for a body or query that is not the call's; a body too large (413) or not JSON (415)
/// keeps its own status, so a client can tell them apart.
fn bad_request(what: &str, status: StatusCode, rejection: impl std::fmt::Display) -> Response {
    let status = match status {
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNSUPPORTED_MEDIA_TYPE => status,
        _ => StatusCode::BAD_REQUEST,
    };
    problem(status, "refused", format!("The {what} is not this call's: {rejection}"))
}

async fn with_body<B, T, F>(state: AppState, staff: Staff, json: Result<Json<B>, JsonRejection>, call: F) -> Response
where
    B: Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&LocalBackend, B) -> BackendResult<T> + Send + 'static,
{
    let input =
        json.map(|Json(body)| body).map_err(|rejection| bad_request("JSON body", rejection.status(), rejection));
    run(state, staff, input, call).await
}

async fn with_query<Q, T, F>(
    state: AppState,
    staff: Staff,
    query: Result<Query<Q>, QueryRejection>,
    call: F,
) -> Response
where
    Q: Send + 'static,
    T: Serialize + Send + 'static,
    F: FnOnce(&LocalBackend, Q) -> BackendResult<T> + Send + 'static,
{
    let input =
        query.map(|Query(query)| query).map_err(|rejection| bad_request("query string", rejection.status(), rejection));
    run(state, staff, input, call).await
}

pub(super) async fn overview(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    query: Result<Query<OverviewWindow>, QueryRejection>,
) -> Response {
    with_query(s, staff, query, |b, q: OverviewWindow| b.overview(q.days)).await
}

pub(super) async fn changes(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.change_mark()).await
}

pub(super) async fn distributors(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.distributors()).await
}

pub(super) async fn users(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    query: Result<Query<UsersWindow>, QueryRejection>,
) -> Response {
    with_query(s, staff, query, |b, w: UsersWindow| b.users(w.order, w.descending, w.offset, w.limit)).await
}

pub(super) async fn search_users(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    query: Result<Query<UserSearch>, QueryRejection>,
) -> Response {
    with_query(s, staff, query, |b, q: UserSearch| b.search_users(&q.username, &q.email, q.limit)).await
}

pub(super) async fn user(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
) -> Response {
    as_session(s, staff, move |b| b.user(UserId(id))).await
}

pub(super) async fn register_user(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<NewUser>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, n: NewUser| b.register_user(n.distributor, &n.registration)).await
}

pub(super) async fn user_action(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(username): Path<String>,
    json: Result<Json<UserAction>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, move |b, action: UserAction| b.user_action(&username, &action)).await
}

pub(super) async fn import_users(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<UserImport>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, i: UserImport| b.import_users(i.distributor, &i.records)).await
}

pub(super) async fn export_users(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.export_users()).await
}

pub(super) async fn licenses(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<LicensesWindow>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, w: LicensesWindow| b.licenses(&w.query, w.offset, w.limit)).await
}

pub(super) async fn license_activations(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
) -> Response {
    as_session(s, staff, move |b| b.license_activations(LicenseId(id))).await
}

pub(super) async fn create_license(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<NewLicenseOrder>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, order: NewLicenseOrder| b.create_license(&order)).await
}

pub(super) async fn license_action(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<LicenseActionRequest>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, request: LicenseActionRequest| b.license_action(&request.number, &request.action))
        .await
}

pub(super) async fn bulk_preview(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<BulkAsk>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, ask: BulkAsk| b.bulk_preview(&ask.selection, ask.change)).await
}

pub(super) async fn bulk_start(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<BulkStart>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, start: BulkStart| b.bulk_start(&start.selection, start.change, start.previewed)).await
}

pub(super) async fn bulk_last(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.bulk_last()).await
}

/// `POST bulk/{id}/step`: the batch's next licenses changed.
pub(super) async fn bulk_step(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
) -> Response {
    as_session(s, staff, move |b| b.bulk_step(BatchId(id))).await
}

pub(super) async fn bulk_stop(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
) -> Response {
    as_session(s, staff, move |b| b.bulk_stop(BatchId(id))).await
}

pub(super) async fn bulk_undo(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
) -> Response {
    as_session(s, staff, move |b| b.bulk_undo(BatchId(id))).await
}

pub(super) async fn export_licenses(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<LicenseQuery>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, query: LicenseQuery| b.export_licenses(&query)).await
}

pub(super) async fn import_keys(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(product): Path<i64>,
    json: Result<Json<KeyImport>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, move |b, import: KeyImport| {
        let (created, duplicates) = b.import_keys(ProductId(product), &import.keys)?;
        Ok(KeyImportReport { created, duplicates })
    })
    .await
}

pub(super) async fn products(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.products()).await
}

pub(super) async fn generators(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.generators()).await
}

pub(super) async fn create_product(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<ProductFields>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, fields: ProductFields| b.create_product(&fields)).await
}

pub(super) async fn create_generator(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<GeneratorFields>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, fields: GeneratorFields| b.create_generator(&fields)).await
}

pub(super) async fn releases(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(product): Path<i64>,
) -> Response {
    as_session(s, staff, move |b| b.releases(ProductId(product))).await
}

pub(super) async fn create_signing_key(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(product): Path<i64>,
) -> Response {
    as_session(s, staff, move |b| b.create_signing_key(ProductId(product))).await
}

pub(super) async fn set_contract_rights(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(contract): Path<i64>,
    json: Result<Json<ContractRights>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, move |b, rights: ContractRights| b.set_contract_rights(ContractId(contract), rights))
        .await
}

/// Makes up to [`STOCK_PER_REQUEST`] keys in one transaction; the number stored.
pub(super) async fn generate_stock(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(product): Path<i64>,
    json: Result<Json<Count>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, move |b, count: Count| {
        if count.count > STOCK_PER_REQUEST {
            return Err(BackendError::Refused(format!("Ask for at most {STOCK_PER_REQUEST} keys per request.")));
        }
        b.generate_stock(ProductId(product), count.count, &mut |_| true).map(|stored| Count { count: stored })
    })
    .await
}

pub(super) async fn resellers(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.resellers()).await
}

/// `POST keys`: keys for a reseller's customer, as the session's role allows.
pub(super) async fn issue_keys(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<KeyRequest>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, request: KeyRequest| {
        let (reseller, order) = request.into_order().map_err(|refused| BackendError::Refused(refused.into()))?;
        b.issue_keys(reseller, &order).map(IssuedView::from)
    })
    .await
}

pub(super) async fn add_reseller(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<NewResellerAccount>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, new: NewResellerAccount| b.add_reseller(&new)).await
}

pub(super) async fn reseller_action(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
    json: Result<Json<ResellerAction>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, move |b, action: ResellerAction| b.reseller_action(ResellerId(id), action)).await
}

pub(super) async fn add_pool(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<PoolOrder>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, order: PoolOrder| b.add_pool(&order)).await
}

pub(super) async fn pool_action(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(contract): Path<i64>,
    json: Result<Json<PoolAction>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, move |b, action: PoolAction| b.pool_action(ContractId(contract), action)).await
}

pub(super) async fn staff_list(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.staff()).await
}

pub(super) async fn add_staff(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<NewStaff>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, new: NewStaff| b.add_staff(&new)).await
}

pub(super) async fn staff_action(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(username): Path<String>,
    json: Result<Json<StaffAction>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, move |b, action: StaffAction| b.staff_action(&username, &action)).await
}

pub(super) async fn outbox(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.outbox()).await
}

pub(super) async fn smtp_sender(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.smtp_sender()).await
}

pub(super) async fn set_smtp_relay(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<Option<SmtpRelay>>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, relay: Option<SmtpRelay>| {
        b.set_smtp_relay(relay.as_ref().map(|r| (r.url.as_str(), r.from.as_str())))
    })
    .await
}

pub(super) async fn deliver_mail(State(s): State<AppState>, Extension(staff): Extension<Staff>) -> Response {
    as_session(s, staff, |b| b.deliver_mail()).await
}

pub(super) async fn resend_mail(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    Path(id): Path<i64>,
) -> Response {
    as_session(s, staff, move |b| b.resend_mail(id)).await
}

pub(super) async fn activity(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<AuditQuery>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, query: AuditQuery| b.activity(&query)).await
}

pub(super) async fn telemetry(
    State(s): State<AppState>,
    Extension(staff): Extension<Staff>,
    json: Result<Json<TelemetryFilter>, JsonRejection>,
) -> Response {
    with_body(s, staff, json, |b, filter: TelemetryFilter| b.telemetry(&filter)).await
}

/// Every backend call of the console API, by path.
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post, put};
    axum::Router::new()
        .route("/console/v1/changes", get(changes))
        .route("/console/v1/overview", get(overview))
        .route("/console/v1/distributors", get(distributors))
        .route("/console/v1/users", get(users).post(register_user))
        .route("/console/v1/users/search", get(search_users))
        .route("/console/v1/users/import", post(import_users))
        .route("/console/v1/users/export", get(export_users))
        .route("/console/v1/users/{id}", get(user))
        .route("/console/v1/users/{username}/actions", post(user_action))
        .route("/console/v1/licenses", post(create_license))
        .route("/console/v1/licenses/window", post(licenses))
        .route("/console/v1/licenses/export", post(export_licenses))
        .route("/console/v1/licenses/{id}/activations", get(license_activations))
        .route("/console/v1/licenses/bulk", post(bulk_start))
        .route("/console/v1/licenses/bulk/preview", post(bulk_preview))
        .route("/console/v1/licenses/bulk/last", get(bulk_last))
        .route("/console/v1/licenses/bulk/{id}/step", post(bulk_step))
        .route("/console/v1/licenses/bulk/{id}/stop", post(bulk_stop))
        .route("/console/v1/licenses/bulk/{id}/undo", post(bulk_undo))
        .route("/console/v1/licenses/actions", post(license_action))
        .route("/console/v1/products", get(products).post(create_product))
        .route("/console/v1/products/{id}/keys", post(import_keys))
        .route("/console/v1/products/{id}/stock", post(generate_stock))
        .route("/console/v1/products/{id}/releases", get(releases))
        .route("/console/v1/products/{id}/signing-key", post(create_signing_key))
        .route("/console/v1/generators", get(generators).post(create_generator))
        .route("/console/v1/contracts/{id}/rights", put(set_contract_rights))
        .route("/console/v1/resellers", get(resellers).post(add_reseller))
        .route("/console/v1/resellers/{id}/actions", post(reseller_action))
        .route("/console/v1/pools", post(add_pool))
        .route("/console/v1/pools/{contract}/actions", post(pool_action))
        .route("/console/v1/staff", get(staff_list).post(add_staff))
        .route("/console/v1/staff/{username}/actions", post(staff_action))
        .route("/console/v1/keys", post(issue_keys))
        .route("/console/v1/mail", get(outbox))
        .route("/console/v1/mail/deliver", post(deliver_mail))
        .route("/console/v1/mail/{id}/resend", post(resend_mail))
        .route("/console/v1/settings/smtp-relay", get(smtp_sender).put(set_smtp_relay))
        .route("/console/v1/activity", post(activity))
        .route("/console/v1/telemetry", post(telemetry))
}
