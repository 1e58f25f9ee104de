//! License key API requests to service calls, and service results to coded responses.
//! Codes depend on the endpoint (a missing product is 274, 374, 483, 551, 740 or 805), so
//! the one exhaustive `match` over service errors takes the endpoint into account.

use chrono::{NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value};

use super::codes::Code;
use super::envelope::Response;
use super::wire::{
    Params, contract_echo, contract_listing, download_url, downloadable_listing, generator_listing, key_assigned,
    key_details, key_listing, product_details, product_listing, telemetry_listing,
};
use crate::domain::contract::{ContractId, ContractRights, ContractTerms};
use crate::domain::endpoint::Endpoint;
use crate::domain::generator::GeneratorId;
use crate::domain::license::{KeyState, License};
use crate::domain::limits::MAX_VALIDITY_DAYS;
use crate::domain::product::{Product, ProductId, ProductSource};
use crate::domain::user::is_valid_email;
use crate::domain::validation::{FieldErrors, Problem};
use crate::domain::webhook::{WebhookReach, WebhookRefusal, check_url};
use crate::service::jobs::QueuedAssign;
use crate::service::keys::KeyTerms;
use crate::service::telemetry::TelemetryInput;
use crate::service::{Actor, Service, ServiceError};
use crate::store::{Job, KeyFilter, ProductFields, TelemetryFilter};

/// A coded response, and the product whose key (if it has one) signs it.
#[derive(Debug)]
pub struct Answer {
    pub response: Response,
    pub product: Option<ProductId>,
}

/// The request could not be answered with a code: the store failed. `unwritable` marks a
/// database that takes no writes now (a full or read-only disk), which the server answers
/// as unavailable rather than broken.
#[derive(Debug, thiserror::Error)]
#[error("internal failure: {detail}")]
pub struct Internal {
    pub detail: String,
    pub unwritable: bool,
}

impl Internal {
    fn new(detail: impl Into<String>) -> Self {
        Self { detail: detail.into(), unwritable: false }
    }
}

impl From<ServiceError> for Internal {
    fn from(error: ServiceError) -> Self {
        Self { detail: error.to_string(), unwritable: error.is_unwritable() }
    }
}

fn answer(code: Code, product: Option<ProductId>) -> Answer {
    Answer { response: Response::new(code), product }
}

fn errors_value(errors: &FieldErrors) -> Value {
    let mut map = Map::new();
    for error in &errors.0 {
        let entry = map.entry(error.field.to_owned()).or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(list) = entry {
            list.push(Value::from(error.message()));
        }
    }
    Value::Object(map)
}

fn invalid(code: Code, errors: FieldErrors, product: Option<ProductId>) -> Answer {
    Answer { response: Response::new(code).with("errors", errors_value(&errors)), product }
}

/// The code for a refusal on `endpoint`. Every service error is named here.
/// The refusal of a webhook to a loopback, private or link-local address.
const PRIVATE_HOOK: &str = "The webhook url must point to a public address.";

/// The refusal of a validity above [`MAX_VALIDITY_DAYS`].
const VALIDITY_TOO_LONG: &str = "The validity may be at most 36500 days.";

/// create-license-keys' refusal of an array above [`crate::domain::limits::MAX_CREATE_KEYS`].
const TOO_MANY_KEYS: &str = "The license keys may be at most 10000 per request.";

pub fn refusal(endpoint: Endpoint, error: ServiceError, product: Option<ProductId>) -> Result<Answer, Internal> {
    use Endpoint as E;
    // Meta codes: [create, update, delete] for license keys, then for products.
    let meta = |key: [Code; 3], product: [Code; 3]| {
        let codes = if matches!(endpoint, E::CreateProductMeta | E::UpdateProductMeta | E::DeleteProductMeta) {
            product
        } else {
            key
        };
        match endpoint {
            E::CreateLicenseKeyMeta | E::CreateProductMeta => codes[0],
            E::UpdateLicenseKeyMeta | E::UpdateProductMeta => codes[1],
            _ => codes[2],
        }
    };
    let contracts_api =
        matches!(endpoint, E::ContractInfo | E::ContractGenerate | E::ContractDestroy | E::ContractDestroyAll);
    let code = match error {
        ServiceError::KeyUnknown => match endpoint {
            E::UpdateLicenseKey => Code::UpdateNotFound,
            E::DeleteLicenseKey => Code::DeleteNotFound,
            E::AssignLicenseKey => Code::AssignFailed,
            _ => Code::InvalidKey,
        },
        ServiceError::KeyNotAssigned => Code::NotAssigned,
        ServiceError::KeyProductInactive => Code::ProductInactive,
        ServiceError::KeyBlocked => Code::Blocked,
        ServiceError::KeyExpired => Code::Expired,
        ServiceError::IdentifierRequired => Code::IdentifierRequired,
        ServiceError::NoActivation => Code::NoActivation,
        ServiceError::AlreadyActive => Code::AlreadyActive,
        ServiceError::ActivationLimit => Code::LimitReached,
        ServiceError::AlreadyInactive => Code::AlreadyInactive,
        ServiceError::AssignFailed => Code::AssignFailed,
        ServiceError::InsufficientKeys(available) => {
            let response = Response::new(Code::InsufficientKeys).with("available_quantity", available);
            return Ok(Answer { response, product });
        }
        ServiceError::NoneCreated => Code::NoneCreated,
        // Above a ceiling of domain::limits. random-assign says how many one call may have.
        ServiceError::TooMany(most) => match endpoint {
            E::RandomAssign | E::RandomAssignQueued => {
                let response = Response::new(Code::InsufficientKeys).with("available_quantity", most);
                return Ok(Answer { response, product });
            }
            E::CreateLicenseKeys => {
                let errors = FieldErrors::one("license_keys", Problem::Message(TOO_MANY_KEYS));
                return Ok(invalid(Code::CreateIncorrect, errors, product));
            }
            _ => Code::ContractQuantity,
        },
        ServiceError::ProductNotFound if contracts_api => Code::ContractsApiNoProduct,
        ServiceError::ProductNotFound => match endpoint {
            E::CreateProductMeta => Code::ProductMetaCreateNoProduct,
            E::UpdateProductMeta => Code::ProductMetaUpdateNoProduct,
            E::DeleteProductMeta => Code::ProductMetaDeleteNoProduct,
            E::DeleteProduct => Code::ProductDeleteNotFound,
            E::AvailableCount => Code::CountNoProduct,
            E::UpdateProduct => {
                return Ok(invalid(
                    Code::ProductUpdateIncorrect,
                    FieldErrors::one("product_id", Problem::Invalid),
                    product,
                ));
            }
            E::CreateLicenseKeys => {
                return Ok(invalid(Code::CreateIncorrect, FieldErrors::one("product_id", Problem::Invalid), product));
            }
            E::UpdateLicenseKey => {
                return Ok(invalid(Code::UpdateIncorrect, FieldErrors::one("product_id", Problem::Invalid), product));
            }
            _ => Code::ProductNotFound,
        },
        ServiceError::GeneratorNotFound if contracts_api => Code::ContractsApiNoGenerator,
        ServiceError::GeneratorNotFound => Code::GeneratorNotFound,
        ServiceError::ContractNotFound if contracts_api => Code::ContractsApiNotFound,
        ServiceError::ContractNotFound => Code::ContractNotFound,
        ServiceError::ContractRightMissing => Code::MissingCapability,
        ServiceError::ContractLimitReached => Code::ContractLimitReached,
        ServiceError::ContractQuantity => Code::ContractQuantity,
        ServiceError::ContractKeyNotFound => Code::ContractKeyNotFound,
        ServiceError::ContractNoKeys => Code::ContractNoKeys,
        ServiceError::DownloadMissing => Code::FileMissing,
        ServiceError::DownloadForbidden => Code::NoPermission,
        ServiceError::KeyspaceTooSmall => {
            return Ok(invalid(Code::CreateIncorrect, FieldErrors::one("quantity", Problem::Invalid), product));
        }
        ServiceError::MetaKeyRequired => meta(
            [Code::KeyMetaCreateNoKey, Code::KeyMetaUpdateNoKey, Code::KeyMetaDeleteNoKey],
            [Code::ProductMetaCreateNoKey, Code::ProductMetaUpdateNoKey, Code::ProductMetaDeleteNoKey],
        ),
        ServiceError::MetaValueRequired => meta(
            [Code::KeyMetaCreateNoValue, Code::KeyMetaUpdateNoValue, Code::KeyMetaDeleteNoKey],
            [Code::ProductMetaCreateNoValue, Code::ProductMetaUpdateNoValue, Code::ProductMetaDeleteNoKey],
        ),
        ServiceError::MetaExists => meta(
            [Code::KeyMetaExists, Code::KeyMetaExists, Code::KeyMetaExists],
            [Code::ProductMetaExists, Code::ProductMetaExists, Code::ProductMetaExists],
        ),
        ServiceError::MetaMissing => meta(
            [Code::KeyMetaUpdateMissing, Code::KeyMetaUpdateMissing, Code::KeyMetaDeleteMissing],
            [Code::ProductMetaUpdateMissing, Code::ProductMetaUpdateMissing, Code::ProductMetaDeleteMissing],
        ),
        ServiceError::Invalid(errors) if matches!(endpoint, E::CreateContract | E::UpdateContract) => {
            // The contract endpoints write one message per field, as a string.
            let map: Map<String, Value> =
                errors.0.iter().map(|e| (e.field.to_owned(), Value::from(e.message()))).collect();
            return Ok(Answer { response: Response::new(Code::ContractIncorrect).with("errors", map), product });
        }
        ServiceError::Invalid(errors) => {
            let code = match endpoint {
                E::CreateProduct => Code::ProductCreateIncorrect,
                E::UpdateProduct => Code::ProductUpdateIncorrect,
                E::UpdateLicenseKey => Code::UpdateIncorrect,
                E::CreateContract | E::UpdateContract => Code::ContractIncorrect,
                _ => Code::CreateIncorrect,
            };
            return Ok(invalid(code, errors, product));
        }
        ServiceError::ApiKeyInvalid => Code::InvalidApiKey,
        ServiceError::ApiKeyInactive => Code::InactiveApiKey,
        ServiceError::ApiKeyCapability => Code::MissingCapability,
        ServiceError::ApiKeyAddress => Code::WrongIp,
        ServiceError::Blocked | ServiceError::AccessDenied => Code::AccessDenied,
        // Registration Server refusals cannot arise from a license key request.
        error @ (ServiceError::UserUnknown
        | ServiceError::WrongPassword
        | ServiceError::NotActivated
        | ServiceError::Disabled
        | ServiceError::InDeletion
        | ServiceError::Redirect(_)
        | ServiceError::UsernameTaken
        | ServiceError::EmailTaken
        | ServiceError::TempPasswordMismatch
        | ServiceError::TempPasswordExpired
        | ServiceError::WrongActivationCode
        | ServiceError::ActivationCodeNotFound
        | ServiceError::AlreadyActivated
        | ServiceError::UsernameInvalid
        | ServiceError::PasswordInvalid
        | ServiceError::EmailInvalid
        | ServiceError::InvalidLanguage
        | ServiceError::SearchTooShort
        | ServiceError::InvalidDistributor
        | ServiceError::DeviceNotFound
        | ServiceError::NoDefaultDepot
        | ServiceError::NoDepotHost
        | ServiceError::DepotExists
        | ServiceError::DepotDataInvalid
        | ServiceError::DepotNotFound
        | ServiceError::InvitationTypeUnknown
        | ServiceError::InvitedUserUnknown(_)
        | ServiceError::SetInvitedFailed
        | ServiceError::ResellerUnknown
        | ServiceError::ResellerNoPool
        | ServiceError::EditionRequired
        | ServiceError::PoolTooSmall(_)
        | ServiceError::PasswordSameAsOld
        | ServiceError::SessionInvalid
        | ServiceError::LicenseUnknown
        | ServiceError::ProductUnknown
        | ServiceError::TypeUnknown
        | ServiceError::FeatureUnknown
        | ServiceError::LimitInvalid
        | ServiceError::SeatsExhausted
        | ServiceError::InvalidDate
        | ServiceError::UpgradeFailed
        | ServiceError::DowngradeFailed
        | ServiceError::CancelFailed
        | ServiceError::LicenseAlreadyDisabled
        | ServiceError::LicenseNotDisabled
        | ServiceError::AlreadyExists(_)
        | ServiceError::InUse(_)
        | ServiceError::Store(_)
        | ServiceError::Hashing
        | ServiceError::TaskFailed
        | ServiceError::Cancelled
        | ServiceError::Bulk(_)) => return Err(Internal::from(error)),
    };
    Ok(answer(code, product))
}

fn product_param(params: &Params, field: &'static str, errors: &mut FieldErrors) -> Option<ProductId> {
    match params.filled(field) {
        None => {
            errors.add(field, Problem::Required);
            None
        }
        Some(text) => match text.parse() {
            Ok(id) => Some(ProductId(id)),
            Err(_) => {
                errors.add(field, Problem::Integer);
                None
            }
        },
    }
}

fn count_param(params: &Params, field: &'static str, required: bool, errors: &mut FieldErrors) -> Option<u32> {
    match params.filled(field) {
        None if required => {
            errors.add(field, Problem::Required);
            None
        }
        None => Some(0),
        Some(text) => match text.parse::<u32>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.add(field, Problem::Integer);
                None
            }
        },
    }
}

/// The fields of create-product and update-product. `name` and `description` are required;
/// the others, when absent, keep the current product's values (`current`), or default to
/// internal, active and 0 for a new product.
fn product_fields(params: &Params, current: Option<&Product>, errors: &mut FieldErrors) -> ProductFields {
    let name = params.filled("name").unwrap_or_default().to_owned();
    let description = params.filled("description").unwrap_or_default().to_owned();
    if name.is_empty() {
        errors.add("name", Problem::Required);
    }
    if description.is_empty() {
        errors.add("description", Problem::Required);
    }
    let source = match params.filled("source") {
        None => current.map_or(ProductSource::Internal, |p| p.source),
        Some(text) => ProductSource::parse(&text.to_lowercase()).unwrap_or_else(|| {
            errors.add("source", Problem::Invalid);
            ProductSource::Internal
        }),
    };
    let require_non_expired = match params.filled("require_non_expired") {
        None => current.is_some_and(|p| p.require_non_expired),
        Some("0") => false,
        Some("1") => true,
        Some(_) => {
            errors.add("require_non_expired", Problem::Boolean);
            false
        }
    };
    let active = match params.filled("status") {
        None => current.is_none_or(|p| p.active),
        Some("active") => true,
        Some("inactive") => false,
        Some(_) => {
            errors.add("status", Problem::Invalid);
            true
        }
    };
    ProductFields {
        name,
        description,
        source,
        external_reference: params
            .get("external_reference")
            .map_or_else(|| current.map(|p| p.external_reference.clone()).unwrap_or_default(), |t| t.trim().to_owned()),
        active,
        require_non_expired,
        post_url: params
            .get("post_url")
            .map_or_else(|| current.map(|p| p.post_url.clone()).unwrap_or_default(), |t| t.trim().to_owned()),
        // The API cannot give a product to a distributor; an update keeps what the operator set.
        distributor: current.and_then(|p| p.distributor),
    }
}

/// The fields of create-license-keys and update-license-key.
fn key_terms(params: &Params, errors: &mut FieldErrors) -> Option<KeyTerms> {
    let product = product_param(params, "product_id", errors);
    let activation_limit = count_param(params, "activation_limit", true, errors);
    let validity_days = count_param(params, "validity", true, errors);
    if validity_days.is_some_and(|days| days > MAX_VALIDITY_DAYS) {
        errors.add("validity", Problem::Message(VALIDITY_TOO_LONG));
    }
    let state = match params.filled("status") {
        None => {
            errors.add("status", Problem::Required);
            None
        }
        Some(text) => KeyState::parse(text).or_else(|| {
            errors.add("status", Problem::Invalid);
            None
        }),
    };
    let owner_email = params.text("owner_email").trim().to_owned();
    if !owner_email.is_empty() && !is_valid_email(&owner_email) {
        errors.add("owner_email", Problem::Email);
    }
    let assigned_at = match params.filled("assigned_at") {
        None => None,
        Some(text) => match NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S") {
            Ok(at) => Some(Utc.from_utc_datetime(&at)),
            Err(_) => {
                errors.add("assigned_at", Problem::Date);
                None
            }
        },
    };
    Some(KeyTerms {
        product: product?,
        owner_name: params.text("owner_name").trim().to_owned(),
        owner_email,
        activation_limit: activation_limit?,
        validity_days: validity_days?,
        state: state?,
        assigned_at,
    })
}

/// The contract a Contracts API call names: `contract_key`, or `contract_uuid` as later clients send it.
fn contract_key(params: &Params) -> &str {
    params.filled("contract_key").or_else(|| params.filled("contract_uuid")).unwrap_or_default()
}

/// The fields of create-contract and update-contract, with the API's own messages.
fn contract_terms(params: &Params) -> Result<ContractTerms, ServiceError> {
    let mut errors = FieldErrors::default();
    let mut text = |field: &'static str, message: &'static str| {
        let value = params.filled(field).unwrap_or_default().to_owned();
        if value.is_empty() {
            errors.add(field, Problem::Message(message));
        }
        value
    };
    let contract_key = text("contract_key", "Contract key is required and must be unique.");
    let name = text("contract_name", "Contract name is required.");
    let information = text("contract_information", "Contract information is required.");
    let product = params.filled("product_id").and_then(|p| p.parse().ok()).map(ProductId);
    if product.is_none() {
        errors.add("product_id", Problem::Message("Product Id must be a valid product Id."));
    }
    let quantity = params.filled("license_keys_quantity").and_then(|q| q.parse::<u32>().ok()).filter(|q| *q >= 1);
    if quantity.is_none() {
        errors.add("license_keys_quantity", Problem::Message("License keys quantity must be 1 or more."));
    }
    let active = match params.filled("status") {
        Some("active") => Some(true),
        Some("inactive") => Some(false),
        _ => None,
    };
    if active.is_none() {
        errors.add("status", Problem::Message("Status must be active or inactive"));
    }
    let mut flag = |field: &'static str, message: &'static str| match params.filled(field) {
        Some("1") => true,
        Some("0") => false,
        _ => {
            errors.add(field, Problem::Message(message));
            false
        }
    };
    let rights = ContractRights {
        get_info: flag("can_get_info", "Can get info must be 1 for true or 0 for false"),
        generate: flag("can_generate", "Can generate must be 1 for true or 0 for false"),
        destroy: flag("can_destroy", "Can destroy must be 1 for true or 0 for false"),
        destroy_all: flag("can_destroy_all", "Can destroy all must be 1 for true or 0 for false"),
    };
    let (Some(product), Some(quantity), Some(active), true) = (product, quantity, active, errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    Ok(ContractTerms { contract_key, name, information, product, quantity, active, rights })
}

/// A random assignment as asked for (quantity `None`: present but not a whole number ≥ 1).
#[derive(Debug, Clone)]
pub struct AssignRequest {
    pub product: Option<ProductId>,
    pub owner_name: String,
    pub owner_email: String,
    pub quantity: Option<u32>,
    pub generate: bool,
}

fn assign_request(params: &Params) -> AssignRequest {
    AssignRequest {
        product: params.filled("product_id").and_then(|p| p.parse().ok()).map(ProductId),
        owner_name: params.text("owner_name").trim().to_owned(),
        owner_email: params.text("owner_email").trim().to_owned(),
        quantity: params.filled("quantity").map_or(Some(1), |q| q.parse::<u32>().ok().filter(|q| *q >= 1)),
        generate: params.filled("generate") == Some("1"),
    }
}

/// random-assign-license-keys.
fn assign(service: &Service, actor: &Actor, request: &AssignRequest) -> Result<Answer, ServiceError> {
    let product = request.product.ok_or(ServiceError::ProductNotFound)?;
    let Some(quantity) = request.quantity else {
        return Err(ServiceError::InsufficientKeys(service.available_keys(product)?));
    };
    let owner = (request.owner_name.as_str(), request.owner_email.as_str());
    Ok(assigned(&service.random_assign(actor, product, owner, quantity, request.generate)?))
}

/// 803 with the assigned keys.
fn assigned(keys: &[License]) -> Answer {
    let list: Vec<Value> = keys.iter().map(key_assigned).collect();
    Answer { response: Response::new(Code::KeysAssigned).with("license_keys", list), product: None }
}

/// Runs a queued assignment once (see `Service::run_assignment_once`) and returns the body
/// to post to its webhook: the answer random-assign-license-keys would have given, with the
/// caller's `identifier` added, as `sign` renders it. A retry gets the very same body.
pub fn run_queued(
    service: &Service,
    job: &Job,
    queued: &QueuedAssign,
    sign: impl FnOnce(Answer) -> Option<String>,
) -> Result<String, Internal> {
    let webhook_answer = |outcome: Result<Vec<License>, ServiceError>| {
        let answer = match outcome {
            Ok(keys) => assigned(&keys),
            Err(error) => refusal(Endpoint::RandomAssign, error, None)?,
        };
        Ok::<_, Internal>(Answer {
            response: answer.response.with("identifier", queued.identifier.clone()),
            product: answer.product,
        })
    };
    // The key that asked may have been switched off since: nothing is assigned.
    let still_active = service.api_keys().map_err(Internal::from)?.iter().any(|k| k.id == queued.api_key && k.active);
    if !still_active {
        let answer = webhook_answer(Err(ServiceError::ApiKeyInactive))?;
        return sign(answer).ok_or_else(|| Internal::new("could not sign the answer"));
    }
    service
        .run_assignment_once(job, queued, |outcome| webhook_answer(outcome).ok().and_then(sign))
        .map_err(Internal::from)
}

/// Whether this build answers the endpoint; the others are not routed yet.
pub fn is_served(endpoint: Endpoint) -> bool {
    use Endpoint as E;
    !matches!(endpoint, E::Download)
}

/// What the server knows of a request beyond its parameters.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// Scheme and host the caller reached, for links: `https://licenses.example.com`.
    pub base_url: String,
    /// The API key the request came with (download links carry it, as the original's do).
    pub api_key: String,
    /// Where a queued assignment's webhook may point.
    pub webhooks: WebhookReach,
    /// The products the request's API key is confined to; empty: every product.
    pub products: Vec<ProductId>,
}

/// Answers one license key API request for `actor`.
pub fn handle(
    service: &Service,
    actor: &Actor,
    endpoint: Endpoint,
    params: &Params,
    context: &Context,
) -> Result<Answer, Internal> {
    let key = params.text("license_key").trim();
    let identifier = params.text("identifier");
    // The product whose key signs the answer. An answer about a key is signed with the key's
    // own product's key, and a caller naming another product learns only that the key is no
    // key of it (210), so a valid key of one product never yields an answer signed for another.
    let named = params.filled("product_id").and_then(|p| p.parse().ok()).map(ProductId);
    let own = || service.product_of_key(key).map_err(Internal::from);
    let product = match named {
        _ if endpoint.judges_a_key() => {
            let own = if key.is_empty() { None } else { own()? };
            if named.is_some_and(|named| Some(named) != own) {
                return refusal(endpoint, ServiceError::KeyUnknown, own);
            }
            own
        }
        Some(id) => Some(id),
        None if !key.is_empty() => own()?,
        None => None,
    };
    // A key confined to some products touches only what resolves to one of them: a key of
    // another product is as unknown as a missing one, and anything else (a listing, a new
    // product, a contract) is refused. The refusal is signed with the global key.
    if !context.products.is_empty() && !product.is_some_and(|p| context.products.contains(&p)) {
        let refused = if key.is_empty() { ServiceError::AccessDenied } else { ServiceError::KeyUnknown };
        return refusal(endpoint, refused, None);
    }
    let outcome = dispatch(service, actor, endpoint, Call { params, key, identifier, product, context });
    match outcome {
        Ok(answer) => Ok(answer),
        Err(error) => refusal(endpoint, error, product),
    }
}

/// One request's inputs, as `dispatch` reads them.
#[derive(Clone, Copy)]
struct Call<'a> {
    params: &'a Params,
    key: &'a str,
    identifier: &'a str,
    product: Option<ProductId>,
    context: &'a Context,
}

fn dispatch(service: &Service, actor: &Actor, endpoint: Endpoint, call: Call<'_>) -> Result<Answer, ServiceError> {
    let Call { params, key, identifier, product, context } = call;
    use Endpoint as E;
    let signed = |code| answer(code, product);
    match endpoint {
        E::Verify => service.verify_key(key, identifier).map(|_| signed(Code::ValidKey)),
        E::Activate => {
            service.activate_key(actor, key, identifier, params.text("post_url")).map(|_| signed(Code::Activated))
        }
        E::Deactivate => service
            .deactivate_key(actor, key, identifier)
            .map(|_| Answer { response: Response::new(Code::Deactivated).with_string_code(), product: None }),
        E::AssignAndActivate => {
            let owner = (params.text("owner_name"), params.text("owner_email"));
            service
                .assign_and_activate(actor, key, owner, identifier, params.text("post_url"))
                .map(|_| signed(Code::Activated))
        }
        E::LicenseKeyDetails => service.key_details(key, identifier).map(|d| Answer {
            response: Response::new(Code::DetailsFound)
                .with("licenseKey", key_details(&d.license, &d.meta))
                .with("product", product_details(&d.product)),
            product,
        }),
        E::AssignLicenseKey => service
            .assign_key(actor, key, params.text("owner_name"), params.text("email"))
            .map(|_| answer(Code::KeyAssigned, None)),
        E::RandomAssign => assign(service, actor, &assign_request(params)),
        E::RandomAssignQueued => {
            let webhook_url = params.filled("webhook_url").unwrap_or_default();
            match check_url(webhook_url, context.webhooks) {
                Ok(()) => {}
                Err(WebhookRefusal::NotHttp) => {
                    return Err(ServiceError::Invalid(FieldErrors::one("webhook_url", Problem::Url)));
                }
                Err(WebhookRefusal::PrivateAddress) => {
                    return Err(ServiceError::Invalid(FieldErrors::one("webhook_url", Problem::Message(PRIVATE_HOOK))));
                }
            }
            let request = assign_request(params);
            let Actor::ApiKey(api_key) = *actor else {
                return Err(ServiceError::AccessDenied);
            };
            let queued = QueuedAssign {
                product_id: request.product.map(|p| p.0),
                owner_name: request.owner_name,
                owner_email: request.owner_email,
                quantity: request.quantity,
                generate: request.generate,
                webhook_url: webhook_url.to_owned(),
                identifier: params.text("identifier").trim().to_owned(),
                api_key,
            };
            service.queue_assign(actor, &queued)?;
            Ok(answer(Code::Queued, None))
        }
        E::CreateLicenseKeys => {
            let mut errors = FieldErrors::default();
            let keys: Option<Vec<String>> = match params.filled("license_keys") {
                None => {
                    errors.add("license_keys", Problem::Required);
                    None
                }
                Some(text) => serde_json::from_str::<Vec<String>>(text).ok().or_else(|| {
                    errors.add("license_keys", Problem::Json);
                    None
                }),
            };
            let terms = key_terms(params, &mut errors);
            let (Some(keys), Some(terms), true) = (keys, terms, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            let created = service.create_keys(actor, &keys, &terms)?;
            Ok(Answer {
                response: Response::new(Code::KeysCreated)
                    .with("created", created.created)
                    .with("duplicate", created.duplicate),
                product,
            })
        }
        E::UpdateLicenseKey => {
            let mut errors = FieldErrors::default();
            if key.is_empty() {
                errors.add("license_key", Problem::Required);
            }
            let terms = key_terms(params, &mut errors);
            let (Some(terms), true) = (terms, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            service.update_key(actor, key, &terms).map(|()| signed(Code::KeyUpdated))
        }
        E::DeleteLicenseKey => service.delete_key(actor, key).map(|()| signed(Code::KeyDeleted)),
        E::CreateProduct => {
            let mut errors = FieldErrors::default();
            let fields = product_fields(params, None, &mut errors);
            errors.into_result(()).map_err(ServiceError::Invalid)?;
            let created = service.create_product(actor, &fields)?;
            Ok(Answer { response: Response::new(Code::ProductCreated).with("product_id", created.id.0), product: None })
        }
        E::UpdateProduct => {
            let mut errors = FieldErrors::default();
            let id = product_param(params, "product_id", &mut errors);
            let current = id.map(|id| service.product(id)).transpose().or_else(|e| match e {
                ServiceError::ProductNotFound => Ok(None),
                other => Err(other),
            })?;
            let fields = product_fields(params, current.as_ref(), &mut errors);
            let (Some(id), true) = (id, errors.is_empty()) else {
                return Err(ServiceError::Invalid(errors));
            };
            service.update_product(actor, id, &fields).map(|_| answer(Code::ProductUpdated, None))
        }
        E::DeleteProduct => {
            let id = params
                .filled("product_id")
                .and_then(|p| p.parse().ok())
                .map(ProductId)
                .ok_or(ServiceError::ProductNotFound)?;
            service.delete_product(actor, id).map(|()| answer(Code::ProductDeleted, None))
        }
        E::CreateProductMeta | E::UpdateProductMeta | E::DeleteProductMeta => {
            let id = product.ok_or(ServiceError::ProductNotFound)?;
            let (meta_key, value) = (params.text("key"), params.text("value"));
            match endpoint {
                E::CreateProductMeta => {
                    service.create_product_meta(actor, id, meta_key, value).map(|_| signed(Code::ProductMetaCreated))
                }
                E::UpdateProductMeta => {
                    service.update_product_meta(actor, id, meta_key, value).map(|()| signed(Code::ProductMetaUpdated))
                }
                _ => service.delete_product_meta(actor, id, meta_key).map(|()| signed(Code::ProductMetaDeleted)),
            }
        }
        E::CreateLicenseKeyMeta => service
            .create_key_meta(actor, key, params.text("key"), params.text("value"))
            .map(|id| Answer { response: Response::new(Code::KeyMetaCreated).with("meta_id", id), product }),
        E::UpdateLicenseKeyMeta => service
            .update_key_meta(actor, key, params.text("key"), params.text("value"))
            .map(|id| Answer { response: Response::new(Code::KeyMetaUpdated).with("meta_id", id), product }),
        E::DeleteLicenseKeyMeta => {
            service.delete_key_meta(actor, key, params.text("key")).map(|()| signed(Code::KeyMetaDeleted))
        }
        E::GetAllProducts => {
            let list: Vec<Value> = service.products()?.iter().map(product_listing).collect();
            Ok(Answer { response: Response::new(Code::AllProducts).with("products", list), product: None })
        }
        E::GetAllGenerators => {
            let list: Vec<Value> = service.generators()?.iter().map(generator_listing).collect();
            Ok(Answer { response: Response::new(Code::AllGenerators).with("products", list), product: None })
        }
        E::Generate => {
            let id = params
                .filled("generator_id")
                .and_then(|g| g.parse().ok())
                .map(GeneratorId)
                .ok_or(ServiceError::GeneratorNotFound)?;
            let quantity = params.filled("quantity").and_then(|q| q.parse::<u32>().ok()).unwrap_or(0);
            let (generator, keys) = service.generate_keys(actor, id, quantity)?;
            Ok(Answer {
                response: Response::new(Code::Generated).with("licenseKeys", keys),
                product: Some(generator.product),
            })
        }
        E::GetLicenseKeys => {
            let filter = KeyFilter {
                product: params.filled("product_id").and_then(|p| p.parse().ok()).map(ProductId),
                state: params.filled("status").and_then(KeyState::parse),
                owner_email: params.filled("owner_email").map(str::to_owned),
                owner_name: params.filled("owner_name").map(str::to_owned),
                page: params.filled("page").and_then(|p| p.parse().ok()).unwrap_or(1),
                per_page: params.filled("items_per_page").and_then(|p| p.parse().ok()).unwrap_or(10).clamp(1, 1000),
            };
            let list: Vec<Value> = service.keys(&filter)?.iter().map(key_listing).collect();
            Ok(Answer { response: Response::new(Code::LicenseKeys).with("license_keys", list), product: None })
        }
        E::AvailableCount => {
            let id = product.ok_or(ServiceError::ProductNotFound)?;
            let count = service.available_keys(id)?;
            Ok(Answer { response: Response::new(Code::AvailableCount).with("count", count), product: None })
        }
        // The download link is its own route (see `is_served`); refused here, should it arrive.
        E::AccessDownloadables => {
            let list: Vec<Value> = service
                .downloadables(key, identifier)?
                .iter()
                .map(|d| {
                    let url =
                        download_url(&context.base_url, &context.api_key, key, identifier.trim(), d.numeric_version);
                    downloadable_listing(d, url)
                })
                .collect();
            Ok(Answer { response: Response::new(Code::Downloads).with("downloadables", list), product })
        }
        // The download link is its own route (see the server).
        E::Download => Err(ServiceError::AccessDenied),
        E::SendTelemetry => {
            let field = |name: &str| params.get(name).map(str::to_owned);
            let input = TelemetryInput {
                data_type: field("data_type"),
                numeric_single: field("numeric_data_single_value"),
                numeric_x: field("numeric_data_x"),
                numeric_y: field("numeric_data_y"),
                text: field("text_data"),
                data_group: field("data_group"),
                product_id: field("product_id"),
                user_identifier: field("user_identifier"),
                license_key: field("license_key"),
                activation_identifier: field("activation_identifier"),
                product_version: field("product_version"),
            };
            let (_, errors) = service.record_telemetry(actor, &input)?;
            let response = if errors.is_empty() {
                Response::new(Code::TelemetrySaved).with("errors", Value::Array(Vec::new()))
            } else {
                Response::new(Code::TelemetryIncorrect).with("errors", errors_value(&errors))
            };
            Ok(Answer { response, product: None })
        }
        E::GetTelemetry => {
            let text = |name: &str| params.filled(name).map(str::to_owned);
            let flag = |name: &str| params.filled(name).map(|v| v == "1");
            let filter = TelemetryFilter {
                data_type: text("data_type"),
                data_group: text("data_group"),
                product_id: params.filled("product_id").and_then(|p| p.parse().ok()),
                user_identifier: text("user_identifier"),
                license_key: text("license_key"),
                activation_identifier: text("activation_identifier"),
                product_version: text("product_version"),
                correct_format: flag("is_correct_format"),
                license_key_exists: flag("license_key_exists"),
                product_exists: flag("product_exists"),
                product_version_exists: flag("product_version_exists"),
                red_flags: flag("has_red_flags"),
                limit: params.filled("limit").and_then(|l| l.parse().ok()).unwrap_or(1000).min(10_000),
            };
            let list: Vec<Value> = service.telemetry(&filter)?.iter().map(telemetry_listing).collect();
            Ok(Answer { response: Response::new(Code::TelemetryFound).with("data", list), product: None })
        }
        E::CreateContract | E::UpdateContract => {
            let id = match endpoint {
                E::UpdateContract => Some(
                    params
                        .filled("contract_id")
                        .and_then(|c| c.parse().ok())
                        .map(ContractId)
                        .ok_or(ServiceError::ContractNotFound)?,
                ),
                _ => None,
            };
            let terms = contract_terms(params)?;
            let (code, contract) = match id {
                Some(id) => (Code::ContractUpdated, service.update_contract(actor, id, &terms)?),
                None => (Code::ContractCreated, service.create_contract(actor, &terms)?),
            };
            Ok(Answer { response: Response::new(code).with("contract", contract_echo(&contract)), product: None })
        }
        E::DeleteContract => {
            let id = params
                .filled("contract_id")
                .and_then(|c| c.parse().ok())
                .map(ContractId)
                .ok_or(ServiceError::ContractNotFound)?;
            service.delete_contract(actor, id).map(|()| answer(Code::ContractDeleted, None))
        }
        E::GetAllContracts => {
            let list: Vec<Value> = service.contracts()?.iter().map(contract_listing).collect();
            Ok(Answer { response: Response::new(Code::AllContracts).with("contracts", list), product: None })
        }
        E::ContractInfo => {
            let (contract, keys) = service.contract_info(contract_key(params))?;
            let list: Vec<Value> = keys.iter().map(key_listing).collect();
            let response = Response::new(Code::ContractFound)
                .with("contract", contract_listing(&contract))
                .with("license_keys", list);
            Ok(Answer { response, product: Some(contract.terms.product) })
        }
        E::ContractGenerate => {
            let quantity = params
                .filled("quantity")
                .map_or(Some(1), |q| q.parse::<u32>().ok())
                .ok_or(ServiceError::ContractQuantity)?;
            let owner = params.filled("owner_email").map(|email| (params.text("owner_name"), email));
            let (contract, keys) = service.contract_generate(actor, contract_key(params), quantity, owner, false)?;
            let list: Vec<Value> = keys.iter().map(key_assigned).collect();
            let response = Response::new(Code::ContractGenerated)
                .with("license_keys", list)
                .with("license_keys_count", contract.keys_count)
                .with("remaining", contract.remaining());
            Ok(Answer { response, product: Some(contract.terms.product) })
        }
        E::ContractDestroy => service
            .contract_destroy(actor, contract_key(params), key)
            .map(|()| answer(Code::ContractKeyDeleted, product)),
        E::ContractDestroyAll => service.contract_destroy_all(actor, contract_key(params)).map(|removed| Answer {
            response: Response::new(Code::ContractKeysDeleted).with("deleted", removed),
            product: None,
        }),
    }
}
