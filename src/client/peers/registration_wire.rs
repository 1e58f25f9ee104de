//! The Registration Server's wire values for the console: replies read into keydesk's
//! domain values (users, devices, depots, licenses), and the console's actions written as
//! requests. Neither needs the server, so they are kept apart from the backend.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::refused;
use crate::backend::{BackendError, BackendResult, LicenseAction, UserAction};
use crate::domain::date::parse_dmy;
use crate::domain::distributor::{DistributorCode, DistributorId};
use crate::domain::license::{
    Feature, Features, KeyState, License, LicenseId, LicenseStatus, LicenseType, ProductKind, SeatLimit,
};
use crate::domain::user::{Depot, Device, DeviceId, User, UserId, UserStatus};
use crate::protocol::tdrs::reply::{Block, LicenseRecord, SearchUserRecord};
use crate::protocol::tdrs::request::Request;

const ACTIVATE_BY_MAIL: &str =
    "A Registration Server activates a user only with the code from their activation mail: resend it instead.";

/// searchuser among the distributor's own users; `after` is the last user id of the previous
/// reply (`startid`), since a reply holds at most 50.
pub(super) fn search_request(username: &str, email: &str, after: Option<i64>, devices: bool) -> Request {
    Request::SearchUser {
        username: username.to_owned(),
        email: email.to_owned(),
        startid: after.map(|id| id.to_string()).unwrap_or_default(),
        showdevice: devices,
        onlyownusers: true,
    }
}

/// The total and the users of a searchuser reply.
pub(super) fn search_result(blocks: Vec<Block>) -> (u64, Vec<SearchUserRecord>) {
    blocks
        .into_iter()
        .find_map(|block| match block {
            Block::Search { total, users, .. } => Some((total, users)),
            _ => None,
        })
        .unwrap_or_default()
}

/// searchuser's `usercreated`, `MM/DD/YYYY HH:MM:SS.cc` in UTC; the epoch when unreadable.
fn user_created(text: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(text.trim(), "%m/%d/%Y %H:%M:%S%.f")
        .map_or(DateTime::<Utc>::UNIX_EPOCH, |at| at.and_utc())
}

/// A `DD.MM.YYYY` date as its midnight UTC; the epoch when unreadable.
fn day(text: &str) -> DateTime<Utc> {
    parse_dmy(text).and_then(|date| date.and_hms_opt(0, 0, 0)).map_or(DateTime::<Utc>::UNIX_EPOCH, |at| at.and_utc())
}

pub(super) fn user_of(record: &SearchUserRecord, code: &DistributorCode) -> User {
    User {
        id: UserId(record.userid),
        distributor: DistributorId(0),
        distributor_code: DistributorCode::parse(&record.distributor).unwrap_or_else(|_| code.clone()),
        username: record.username.clone(),
        email: record.email.clone(),
        // A status word keydesk does not know shows the user as activated rather than hiding them.
        status: UserStatus::parse(record.status.trim()).unwrap_or(UserStatus::Activated),
        language: record.language.clone(),
        reference: record.reference.clone(),
        department: record.department.clone(),
        pending_email: None,
        invited_by: None,
        created_at: user_created(&record.usercreated),
    }
}

pub(super) fn devices_of(record: &SearchUserRecord) -> Vec<Device> {
    let user = UserId(record.userid);
    let devices = record.devices.iter().flatten();
    devices
        .map(|d| Device {
            id: DeviceId(d.deviceid),
            user,
            name: d.name.clone(),
            platform: d.platform.clone(),
            version: d.version.clone(),
            created_at: day(&d.created),
        })
        .collect()
}

/// getuserdata's depots; the ids are made up, in reply order.
pub(super) fn depots_in(blocks: &[Block], user: UserId) -> Vec<Depot> {
    let records = blocks.iter().flat_map(|block| match block {
        Block::Depots(depots) => depots.as_slice(),
        _ => &[],
    });
    records
        .enumerate()
        .map(|(index, d)| Depot {
            id: index as i64 + 1,
            user,
            depot_id: d.depotid.clone(),
            host_url: d.hosturl.clone(),
            is_default: d.isdefault,
            raw: String::new(),
            created_at: day(&d.created),
        })
        .collect()
}

/// Every license of a reply, in either shape. The API has no license ids: they are made
/// up, in reply order, and the number is what every action names.
pub(super) fn licenses_in(blocks: &[Block], username: Option<&str>, owner: Option<UserId>) -> Vec<License> {
    let records = blocks.iter().flat_map(|block| match block {
        Block::License(license) => std::slice::from_ref(license),
        Block::Licenses(licenses) => licenses.as_slice(),
        _ => &[],
    });
    records.enumerate().map(|(index, r)| license_of(r, LicenseId(index as i64 + 1), username, owner)).collect()
}

fn license_of(r: &LicenseRecord, id: LicenseId, username: Option<&str>, owner: Option<UserId>) -> License {
    let created_at = day(&r.created);
    License {
        id,
        number: r.number.clone(),
        distributor: Some(DistributorId(0)),
        owner,
        owner_username: username.map(str::to_owned),
        product: ProductKind::from_id(i64::from(r.productid))
            .or_else(|| ProductKind::parse(&r.productname))
            .unwrap_or(ProductKind::Client),
        license_type: LicenseType::from_code(i64::from(r.license_type)).unwrap_or(LicenseType::Permanent),
        // Bits keydesk does not know (a later release's features) are dropped, not the license.
        features: Features::from_bits(r.featurevalue & Features::ALL_BITS).unwrap_or_default(),
        limit: SeatLimit(r.limit),
        used: r.used,
        valid_until: parse_dmy(&r.validuntil),
        status: LicenseStatus::from_code(i64::from(r.status)).unwrap_or(LicenseStatus::Active),
        key_state: KeyState::Assigned,
        is_default: r.isdefault,
        reference: r.licensereference.clone(),
        contract_number: r.contractnumber.clone(),
        change_id: String::new(),
        owner_name: String::new(),
        owner_email: String::new(),
        product_id: None,
        contract_id: None,
        validity_days: 0,
        assigned_at: None,
        is_test: false,
        created_by: String::new(),
        created_at,
        updated_at: created_at,
    }
}

/// `featurevalue`: one feature by its name, as TeamDrive's documentation shows it, several
/// as the sum of their bits; `None` when blank.
pub(super) fn feature_value(text: &str) -> BackendResult<Option<String>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let features = Features::parse(text).map_err(|_| {
        let known: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
        BackendError::Refused(format!("Unknown feature in {text:?}; known: {}.", known.join(", ")))
    })?;
    let single = Feature::ALL.into_iter().find(|f| f.bit() == features.bits());
    Ok(Some(single.map_or_else(|| features.bits().to_string(), |f| f.name().to_owned())))
}

/// createlicense's `type`: the documented names; not-for-resale has no documented name, so its code.
pub(super) fn type_value(license_type: LicenseType) -> String {
    match license_type {
        LicenseType::NotForResale => license_type.code().to_string(),
        other => other.name().to_owned(),
    }
}

/// createlicense's `limit`: an unlimited server license is written `0000`, as documented.
pub(super) fn limit_value(product: ProductKind, seats: u32) -> String {
    if product == ProductKind::Server && seats == 0 { "0000".to_owned() } else { seats.to_string() }
}

pub(super) fn license_request(number: String, action: &LicenseAction) -> BackendResult<Request> {
    Ok(match action {
        LicenseAction::Activate => Request::ActivateLicense { number },
        LicenseAction::Deactivate => Request::DeactivateLicense { number },
        LicenseAction::SetReference(text) => Request::SetLicenseReference { number, licensereference: text.clone() },
        LicenseAction::AssignUser(username) => Request::AssignUserToLicense { username: username.clone(), number },
        LicenseAction::AssignDevices { user, devices } => {
            Request::AssignLicenseToClient { username: user.clone(), number, devices: devices.clone() }
        }
        LicenseAction::Upgrade { user, features, seats } => Request::UpgradeLicense {
            username: user.clone(),
            number,
            featurevalue: feature_value(features)?,
            limit: seats.map(|seats| seats.to_string()),
        },
        LicenseAction::Downgrade { user, features, seats } => Request::DowngradeLicense {
            username: user.clone(),
            number,
            featurevalue: feature_value(features)?,
            limit: seats.map(|seats| seats.to_string()),
        },
        LicenseAction::Cancel { user, keep } => Request::CancelLicense {
            username: user.clone().filter(|name| !name.trim().is_empty()),
            number,
            limit: Some(keep.to_string()),
        },
    })
}

pub(super) fn user_request(username: String, action: &UserAction) -> BackendResult<Request> {
    Ok(match action {
        UserAction::ResendActivation => Request::ResendActivation { username },
        UserAction::Activate => return refused(ACTIVATE_BY_MAIL),
        UserAction::ResetPassword => Request::ResetPassword { username },
        UserAction::SetEmail(email) => Request::SetEmail { username, newemail: email.clone() },
        UserAction::SetReference(reference) => Request::SetReference { username, reference: reference.clone() },
        UserAction::ChangeLanguage(language) => Request::ChangeLanguage { username, language: language.clone() },
        UserAction::RemoveDevice(device) => Request::RemoveDevice { username, deviceid: device.clone() },
        UserAction::Remove { with_licenses } => {
            Request::RemoveUser { username, deletelicense: *with_licenses, deletedepot: false }
        }
        UserAction::MoveTo(code) => Request::SetDistributor { username, newdistributor: code.clone() },
    })
}
