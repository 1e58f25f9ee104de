//! Turns a Registration Server request into a service call and its result into a reply.
//! Every service error maps to its code here, in one exhaustive `match`.

use super::codes::ErrorCode;
use super::reply::{Block, DepotRecord, DeviceRecord, LicenseRecord, Reply, SearchUserRecord, UserRecord};
use super::request::{DepotField, LicenseFields, Request};
use crate::domain::date::{format_dmy, format_user_created, parse_dmy};
use crate::domain::distributor::DistributorId;
use crate::domain::license::{Features, License, LicenseType, ProductKind, SeatLimit};
use crate::domain::user::Registration;
use crate::domain::user::{Depot, User};
use crate::service::accounts::{SearchResult, UserSearch};
use crate::service::depots::{DepotSpec, InvitationKind};
use crate::service::licenses::{LicenseTerms, TermsChange};
use crate::service::{Actor, Service, ServiceError};

/// Who a request acts for: the distributor whose users it sees and creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub actor: Actor,
    pub distributor: DistributorId,
}

impl Caller {
    pub fn distributor(distributor: DistributorId) -> Self {
        Self { actor: Actor::Distributor(distributor), distributor }
    }
}

/// The reply for an error code, with its documented message.
pub fn error_reply(code: ErrorCode) -> Reply {
    Reply::exception(code.code(), code.message())
}

/// The one mapping from service errors to this face's codes.
pub fn exception_for(error: &ServiceError) -> Reply {
    let code = match error {
        ServiceError::UserUnknown => ErrorCode::UserUnknown,
        ServiceError::WrongPassword => ErrorCode::WrongPassword,
        ServiceError::NotActivated => ErrorCode::NotActivated,
        ServiceError::Disabled => ErrorCode::Disabled,
        ServiceError::InDeletion => ErrorCode::InDeletion,
        ServiceError::Redirect(url) => return Reply::exception(ErrorCode::Redirect.code(), url.clone()),
        ServiceError::UsernameTaken => ErrorCode::UsernameExists,
        ServiceError::EmailTaken => ErrorCode::EmailExists,
        ServiceError::TempPasswordMismatch => ErrorCode::TempPasswordMismatch,
        ServiceError::TempPasswordExpired => ErrorCode::TempPasswordExpired,
        ServiceError::WrongActivationCode => ErrorCode::WrongActivationCode,
        ServiceError::ActivationCodeNotFound => ErrorCode::ActivationCodeNotFound,
        ServiceError::AlreadyActivated => ErrorCode::AlreadyActivated,
        ServiceError::UsernameInvalid => ErrorCode::UsernameInvalid,
        ServiceError::PasswordInvalid => ErrorCode::PasswordInvalid,
        ServiceError::EmailInvalid => ErrorCode::EmailInvalid,
        ServiceError::InvalidLanguage => ErrorCode::InvalidLanguage,
        ServiceError::SearchTooShort => ErrorCode::SearchTooShort,
        ServiceError::InvalidDistributor => ErrorCode::InvalidDistributor,
        ServiceError::AccessDenied => ErrorCode::AccessDenied,
        ServiceError::DeviceNotFound => ErrorCode::DeviceNotFound,
        ServiceError::NoDefaultDepot => ErrorCode::NoDefaultDepot,
        ServiceError::NoDepotHost => ErrorCode::NoDefaultDepotServer,
        ServiceError::DepotExists => ErrorCode::DepotExists,
        ServiceError::DepotDataInvalid => ErrorCode::DepotDataInvalid,
        ServiceError::DepotNotFound => ErrorCode::DepotNotFound,
        ServiceError::InvitationTypeUnknown => ErrorCode::InvitationTypeUnknown,
        ServiceError::InvitedUserUnknown(name) => {
            return Reply::exception(
                ErrorCode::UnknownUser.code(),
                format!("{}: {name}", ErrorCode::UnknownUser.message()),
            );
        }
        ServiceError::SetInvitedFailed => ErrorCode::SetInvitedFailed,
        ServiceError::LicenseUnknown => ErrorCode::UnknownLicense,
        ServiceError::ProductUnknown => ErrorCode::ProductUnknown,
        ServiceError::TypeUnknown => ErrorCode::TypeUnknown,
        ServiceError::FeatureUnknown => ErrorCode::FeatureUnknown,
        ServiceError::LimitInvalid | ServiceError::SeatsExhausted => ErrorCode::LimitUnknown,
        ServiceError::InvalidDate => ErrorCode::InvalidDate,
        ServiceError::UpgradeFailed => ErrorCode::UpgradeFailed,
        ServiceError::DowngradeFailed => ErrorCode::DowngradeFailed,
        ServiceError::CancelFailed => ErrorCode::CancelFailed,
        ServiceError::LicenseAlreadyDisabled => ErrorCode::LicenseAlreadyDisabled,
        ServiceError::LicenseNotDisabled => ErrorCode::LicenseNotDisabled,
        ServiceError::AlreadyExists(_) => ErrorCode::UsernameExists,
        // The license key face's own refusals never arise from a Registration Server command.
        ServiceError::ApiKeyInvalid
        | ServiceError::ApiKeyInactive
        | ServiceError::ApiKeyCapability
        | ServiceError::ApiKeyAddress
        | ServiceError::Blocked => ErrorCode::AccessDenied,
        ServiceError::ProductNotFound | ServiceError::GeneratorNotFound => ErrorCode::ProductUnknown,
        ServiceError::KeyspaceTooSmall
        | ServiceError::Invalid(_)
        | ServiceError::MetaExists
        | ServiceError::MetaMissing
        | ServiceError::MetaKeyRequired
        | ServiceError::MetaValueRequired
        | ServiceError::NoneCreated
        | ServiceError::TooMany(_)
        | ServiceError::InUse(_) => ErrorCode::Malformed,
        // Key manager outcomes concern key manager keys, which no distributor sees.
        ServiceError::KeyUnknown
        | ServiceError::KeyNotAssigned
        | ServiceError::KeyProductInactive
        | ServiceError::KeyBlocked
        | ServiceError::KeyExpired
        | ServiceError::IdentifierRequired
        | ServiceError::NoActivation
        | ServiceError::AlreadyActive
        | ServiceError::ActivationLimit
        | ServiceError::AlreadyInactive
        | ServiceError::AssignFailed
        | ServiceError::InsufficientKeys(_)
        | ServiceError::ContractNotFound
        | ServiceError::ContractRightMissing
        | ServiceError::ContractLimitReached
        | ServiceError::ContractQuantity
        | ServiceError::ContractKeyNotFound
        | ServiceError::ContractNoKeys
        | ServiceError::ResellerUnknown
        | ServiceError::ResellerNoPool
        | ServiceError::EditionRequired
        | ServiceError::PoolTooSmall(_)
        | ServiceError::PasswordSameAsOld
        | ServiceError::SessionInvalid
        | ServiceError::DownloadMissing
        | ServiceError::DownloadForbidden => ErrorCode::UnknownLicense,
        // Console-only refusals: no command of this face can meet them.
        ServiceError::Cancelled | ServiceError::Bulk(_) => ErrorCode::Internal,
        ServiceError::Store(_) | ServiceError::Hashing | ServiceError::TaskFailed => ErrorCode::Internal,
    };
    error_reply(code)
}

fn user_record(u: &User) -> UserRecord {
    UserRecord {
        username: u.username.clone(),
        email: u.email.clone(),
        language: u.language.clone(),
        reference: u.reference.clone(),
        department: u.department.clone(),
    }
}

fn license_record(l: &License) -> LicenseRecord {
    LicenseRecord {
        created: format_dmy(l.created_at.date_naive()),
        productid: l.product.id(),
        productname: l.product.name().to_owned(),
        license_type: l.license_type.code(),
        number: l.number.clone(),
        featurevalue: l.features.bits(),
        featuretext: l.features.text(),
        validuntil: l.valid_until.map(format_dmy).unwrap_or_default(),
        limit: l.limit.0,
        used: l.used,
        status: l.status.code(),
        isdefault: l.is_default,
        licensereference: l.reference.clone(),
        contractnumber: l.contract_number.clone(),
        usernames: None,
    }
}

fn depot_record(d: &Depot) -> DepotRecord {
    DepotRecord {
        depotid: d.depot_id.clone(),
        hosturl: d.host_url.clone(),
        isdefault: d.is_default,
        created: format_dmy(d.created_at.date_naive()),
    }
}

fn search_blocks(result: SearchResult) -> Vec<Block> {
    let users: Vec<SearchUserRecord> = result
        .hits
        .into_iter()
        .map(|hit| SearchUserRecord {
            userid: hit.user.id.0,
            username: hit.user.username,
            email: hit.user.email,
            reference: hit.user.reference,
            department: hit.user.department,
            language: hit.user.language,
            distributor: hit.user.distributor_code.to_string(),
            usercreated: format_user_created(hit.user.created_at),
            status: hit.user.status.as_str().to_owned(),
            devices: hit.devices.map(|devices| {
                devices
                    .into_iter()
                    .map(|d| DeviceRecord {
                        deviceid: d.id.0,
                        name: d.name,
                        platform: d.platform,
                        version: d.version,
                        created: format_dmy(d.created_at.date_naive()),
                    })
                    .collect()
            }),
        })
        .collect();
    vec![Block::Search { current: users.len() as u32, maximum: result.maximum, total: result.total, users }]
}

fn depot_spec(field: Option<DepotField>) -> DepotSpec {
    field.map(|d| DepotSpec { depot_id: d.depot_id, host_url: d.host_url, raw: d.raw }).unwrap_or_default()
}

fn parse_limit(text: Option<&str>, default: SeatLimit) -> Result<SeatLimit, ServiceError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) if t.bytes().all(|b| b.is_ascii_digit()) => {
            t.parse().map(SeatLimit).map_err(|_| ServiceError::LimitInvalid)
        }
        Some(_) => Err(ServiceError::LimitInvalid),
    }
}

fn parse_features(text: Option<&str>) -> Result<Option<Features>, ServiceError> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Features::parse(t).map_err(|_| ServiceError::FeatureUnknown))
        .transpose()
}

fn terms_change(featurevalue: Option<&str>, limit: Option<&str>) -> Result<TermsChange, ServiceError> {
    let limit =
        limit.map(str::trim).filter(|t| !t.is_empty()).map(|t| parse_limit(Some(t), SeatLimit(0))).transpose()?;
    Ok(TermsChange { features: parse_features(featurevalue)?, limit })
}

/// The license terms of createlicense, in the order the errors are checked.
fn license_terms(fields: LicenseFields) -> Result<LicenseTerms, ServiceError> {
    let product = ProductKind::parse(&fields.productname).ok_or(ServiceError::ProductUnknown)?;
    let license_type = LicenseType::parse(&fields.licensetype).ok_or(ServiceError::TypeUnknown)?;
    let features = parse_features(Some(&fields.featurevalue))?.ok_or(ServiceError::FeatureUnknown)?;
    let default_limit = if product == ProductKind::Server { SeatLimit(0) } else { SeatLimit(1) };
    let limit = parse_limit(fields.limit.as_deref(), default_limit)?;
    let valid_until = match fields.validuntil.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(date) => Some(parse_dmy(date).ok_or(ServiceError::InvalidDate)?),
    };
    Ok(LicenseTerms {
        product,
        license_type,
        features,
        limit,
        valid_until,
        reference: fields.licensereference,
        contract_number: fields.contractnumber,
        change_id: fields.changeid,
    })
}

/// createlicense and createlicensewithoutuser: intresult and the new license.
fn create(
    service: &Service,
    caller: &Caller,
    owner: Option<&str>,
    fields: LicenseFields,
) -> Result<Vec<Block>, ServiceError> {
    let terms = license_terms(fields)?;
    let license = service.create_license(&caller.actor, caller.distributor, owner, &terms)?;
    Ok(vec![Block::IntResult(0), Block::License(license_record(&license))])
}

fn ok(result: Result<(), ServiceError>) -> Result<Vec<Block>, ServiceError> {
    result.map(|()| vec![Block::IntResult(0)])
}

/// Answers one request for `caller`. Never panics; every failure is an `<exception>`.
pub fn handle(service: &Service, caller: &Caller, request: Request) -> Reply {
    match dispatch(service, caller, request) {
        Ok(blocks) => Reply::Success(blocks),
        Err(error) => {
            if matches!(error, ServiceError::Store(_) | ServiceError::Hashing | ServiceError::TaskFailed) {
                tracing::error!(%error, "registration request failed inside keydesk");
            }
            exception_for(&error)
        }
    }
}

fn dispatch(service: &Service, caller: &Caller, request: Request) -> Result<Vec<Block>, ServiceError> {
    let actor = &caller.actor;
    match request {
        Request::LoginUser { username, useroremail, password } => {
            let by_email = username.is_none() && useroremail.is_some();
            let name = username.or(useroremail).unwrap_or_default();
            let user = service.login(actor, &name, &password, by_email)?;
            Ok(vec![Block::UserData(user_record(&user))])
        }
        Request::SearchUser { username, email, startid, showdevice, onlyownusers } => {
            let search = UserSearch {
                username,
                email,
                only_own: onlyownusers,
                show_devices: showdevice,
                start_id: startid.trim().parse().unwrap_or(0),
            };
            Ok(search_blocks(service.search_users(actor, &search)?))
        }
        Request::GetUserData { username } => {
            let data = service.user_data(actor, &username)?;
            Ok(vec![
                Block::UserData(user_record(&data.user)),
                Block::Licenses(data.licenses.iter().map(license_record).collect()),
                Block::Depots(data.depots.iter().map(depot_record).collect()),
            ])
        }
        Request::RegisterUser { username, useremail, password, language, reference, department } => {
            let registration = Registration { username, email: useremail, password, language, reference, department };
            service.register_user(actor, caller.distributor, &registration).map(|_| vec![Block::IntResult(0)])
        }
        Request::ResendActivation { username } => ok(service.resend_activation(actor, &username)),
        Request::ActivateUser { username, activationcode } => {
            ok(service.activate_user(actor, &username, &activationcode))
        }
        Request::ActivateClient { activationcode } => ok(service.activate_client(actor, &activationcode)),
        Request::SendPassword { username } => ok(service.send_password(actor, &username)),
        Request::ResetPassword { username } => ok(service.reset_password(actor, &username)),
        Request::ChangePassword { username, password, newpassword } => {
            ok(service.change_password(actor, &username, &password, &newpassword))
        }
        Request::UpdatePassword { username, newpassword } => {
            ok(service.update_password(actor, &username, &newpassword))
        }
        Request::SetReference { username, reference } => ok(service.set_reference(actor, &username, &reference)),
        Request::SetEmail { username, newemail } => ok(service.set_email(actor, &username, &newemail)),
        Request::ChangeEmail { username, newemail } => ok(service.change_email(actor, &username, &newemail)),
        Request::ConfirmNewEmail { username, activationcode } => {
            ok(service.confirm_new_email(actor, &username, &activationcode))
        }
        Request::ChangeLanguage { username, language } => ok(service.change_language(actor, &username, &language)),
        Request::RemoveUser { username, deletelicense, deletedepot: _ } => {
            ok(service.remove_user(actor, &username, deletelicense))
        }
        Request::RemoveDevice { username, deviceid } => ok(service.remove_device(actor, &username, &deviceid)),
        Request::DeleteUser { username } => ok(service.delete_user(actor, &username)),
        Request::ConfirmUserDelete { username, password, activationcode, deletedepot: _, deletelicense } => {
            ok(service.confirm_user_delete(actor, &username, &password, &activationcode, deletelicense))
        }
        Request::GetLicenseData { username } => {
            let (user, licenses) = service.licenses_of(actor, &username)?;
            Ok(vec![
                Block::UserData(user_record(&user)),
                Block::Licenses(licenses.iter().map(license_record).collect()),
            ])
        }
        Request::GetDefaultLicense { username } => {
            let (user, license) = service.default_license_of(actor, &username)?;
            Ok(vec![Block::UserData(user_record(&user)), Block::License(license_record(&license))])
        }
        Request::GetDefaultDepotData { username } => {
            let (user, depot) = service.default_depot(actor, &username)?;
            Ok(vec![Block::UserData(user_record(&user)), Block::Depots(vec![depot_record(&depot)])])
        }
        Request::GetHostForDepot {} => Ok(vec![Block::HostUrl(service.depot_host(actor)?)]),
        Request::SetDepotForUser { username, depot, sendinvitation } => {
            ok(service.set_depot(actor, &username, &depot_spec(depot), sendinvitation))
        }
        Request::RemoveDepotFromUser { username, depot, sendinvitation } => {
            ok(service.remove_depot(actor, &username, &depot_spec(depot), sendinvitation))
        }
        Request::SendInvitation { username, invitationtype, depot } => {
            ok(service.send_invitation(actor, &username, InvitationKind::parse(&invitationtype), &depot_spec(depot)))
        }
        Request::SetInvitedUser { username, inviteduser } => {
            ok(service.set_invited_user(actor, &username, &inviteduser))
        }
        Request::CreateLicense { username, terms } => create(service, caller, Some(&username), terms),
        Request::CreateLicenseWithoutUser { terms } => create(service, caller, None, terms),
        Request::AssignUserToLicense { username, number } => {
            ok(service.assign_user_to_license(actor, &username, &number))
        }
        Request::AssignLicenseToClient { username, number, devices } => {
            ok(service.assign_license_to_devices(actor, &username, &number, &devices))
        }
        Request::RemoveUserFromLicense { username, number } => {
            ok(service.remove_user_from_license(actor, &username, &number))
        }
        Request::DeactivateLicense { number } => ok(service.set_license_active(actor, &number, false)),
        Request::ActivateLicense { number } => ok(service.set_license_active(actor, &number, true)),
        Request::UpgradeLicense { username, number, featurevalue, limit } => {
            let change = terms_change(featurevalue.as_deref(), limit.as_deref())?;
            ok(service.upgrade_license(actor, &username, Some(&number), change))
        }
        Request::UpgradeDefaultLicense { username, featurevalue, limit } => {
            let change = terms_change(featurevalue.as_deref(), limit.as_deref())?;
            ok(service.upgrade_license(actor, &username, None, change))
        }
        Request::DowngradeLicense { username, number, featurevalue, limit } => {
            let change = terms_change(featurevalue.as_deref(), limit.as_deref())?;
            ok(service.downgrade_license(actor, &username, Some(&number), change))
        }
        Request::DowngradeDefaultLicense { username, featurevalue, limit } => {
            let change = terms_change(featurevalue.as_deref(), limit.as_deref())?;
            ok(service.downgrade_license(actor, &username, None, change))
        }
        Request::GetUsedLicense { username, number } => {
            let number = number.filter(|n| !n.trim().is_empty());
            let used = service.used_licenses(actor, &username, number.as_deref())?;
            let records = used
                .into_iter()
                .map(|(license, names)| LicenseRecord { usernames: Some(names.join(",")), ..license_record(&license) })
                .collect();
            Ok(vec![Block::Licenses(records)])
        }
        Request::SetLicenseReference { number, licensereference } => {
            ok(service.set_license_reference(actor, &number, &licensereference))
        }
        Request::RemoveLicense { number, usernames, devices } => {
            ok(service.remove_license(actor, &number, &usernames, &devices))
        }
        Request::CancelLicense { username, number, limit } => {
            let limit = match limit.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                Some(text) => parse_limit(Some(text), SeatLimit(0))?,
                None => return Err(ServiceError::LimitInvalid),
            };
            ok(service.cancel_license(actor, username.as_deref(), &number, limit))
        }
        Request::SetDistributor { username, newdistributor } => {
            ok(service.set_distributor(actor, &username, &newdistributor))
        }
    }
}
