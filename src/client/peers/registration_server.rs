//! The console on a real Registration Server (XML API 1.0.005), as one distributor, through
//! [`TdrsClient`] alone. The API names users and licenses, it lists nothing whole: the
//! Users view works by search, the Licenses view per owner.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use super::registration_wire::{
    depots_in, devices_of, feature_value, license_request, licenses_in, limit_value, search_request, search_result,
    type_value, user_of, user_request,
};
use super::{keeps, refused, window};
use crate::backend::{
    Area, Backend, BackendError, BackendResult, LicenseAction, NewLicenseOrder, ResellerPools, UserAction,
};
use crate::client::blocking_runtime;
use crate::client::tdrs::{ClientError, TdrsClient};
use crate::domain::contract::{ContractId, ContractRights};
use crate::domain::distributor::{Distributor, DistributorCode, DistributorId, DistributorSettings};
use crate::domain::generator::Generator;
use crate::domain::license::{License, LicenseId};
use crate::domain::product::{Product, ProductId};
use crate::domain::reseller::{IssuedKeys, KeyOrder, ResellerId};
use crate::domain::telemetry::TelemetryRecord;
use crate::domain::user::Registration;
use crate::domain::user::{User, UserId};
use crate::protocol::tdrs::codes::ErrorCode;
use crate::protocol::tdrs::reply::{Block, Reply, SearchUserRecord};
use crate::protocol::tdrs::request::{LicenseFields, Request};
use crate::service::console::{UserOverview, Window};
use crate::service::import::{ImportReport, UserRecord};
use crate::store::{
    ActivationRow, AuditEntry, AuditQuery, Downloadable, GeneratorFields, LicenseQuery, OutboxEntry, ProductFields,
    TelemetryFilter, UserOrder,
};

const USERS_BY_SEARCH: &str =
    "A Registration Server lists users only by search: type at least 3 characters of a name or an e-mail address.";
const LICENSES_PER_USER: &str =
    "A Registration Server lists licenses per user: type the owner's username in the Owner filter.";
const CHECKSUM_REFUSED: &str = "The Registration Server refused the checksum: check the salt and the distributor code.";
const SEARCH_FIRST: &str = "Search for the user first: a Registration Server finds users by name, not by number.";
const NO_BULK: &str =
    "A Registration Server has no bulk import or export: keydesk would have to register users one by one.";
const NO_ACTIVATIONS: &str =
    "A Registration Server does not list a license's activations: open its owner in Users to see the devices.";
const MOVE_NOT_ALLOWED: &str = "Only the default distributor may move users to another distributor.";
const CREATED_UNNAMED: &str =
    "The Registration Server created the license without naming it: look it up under its owner.";
const REGISTERED_UNSEEN: &str =
    "The Registration Server registered the user but does not find them yet: search for them.";
/// The username a profile's first call searches for: nobody has it, so the answer is short.
const NEEDS_FEATURES: &str =
    "A Registration Server makes a license only with its features: name them, e.g. professional.";
const PROBE_USERNAME: &str = "keydesk-profile-check";

/// Why a Registration Server cannot serve an area of the console; `None` for Users and Licenses.
fn area_sentence(area: Area) -> Option<&'static str> {
    Some(match area {
        Area::Users | Area::Licenses => return None,
        Area::Products => "A Registration Server has no products: open a license key server profile.",
        Area::Contracts => "A Registration Server has no contracts: open a license key server profile.",
        Area::KeyGeneration => "A Registration Server has no resellers to make keys for: open keydesk's own profile.",
        Area::Outbox => "A Registration Server sends its mail itself; its API shows no outbox.",
        Area::Activity => "A Registration Server's API has no activity log for keydesk to read.",
        Area::Telemetry => "A Registration Server collects no telemetry: open a license key server profile.",
        Area::Mail => "A Registration Server's mail relay is set on the server itself, not through its API.",
        Area::Resellers => "A Registration Server has no resellers: open keydesk's own profile.",
        Area::Staff => "A Registration Server's staff accounts are managed on the server itself, not through its API.",
        Area::Overview => "A Registration Server's API gives no totals to build an overview from: open Users.",
    })
}

fn refuse<T>(area: Area) -> BackendResult<T> {
    refused(area_sentence(area).unwrap_or("A Registration Server cannot do this."))
}

impl From<ClientError> for BackendError {
    fn from(error: ClientError) -> Self {
        Self::Failed(error.to_string())
    }
}

/// An exception for the person at the console: a refused checksum means the profile's
/// secret or code is wrong, a short search gets the search rule; any other code is the
/// server's own sentence with its code.
fn refusal(primary: i32, message: &str) -> BackendError {
    if primary == ErrorCode::AccessDenied.code() {
        return BackendError::Unauthorized(CHECKSUM_REFUSED.into());
    }
    if primary == ErrorCode::SearchTooShort.code() {
        return BackendError::Refused(USERS_BY_SEARCH.into());
    }
    BackendError::Refused(format!("{} ({primary})", message.trim()))
}

/// Users found by a search, and how many match in all.
type Matches = (Vec<SearchUserRecord>, u64);

/// A Registration Server, as one distributor whose salt signs every request.
pub struct RegistrationServerBackend {
    client: TdrsClient,
    url: String,
    code: DistributorCode,
    runtime: tokio::runtime::Runtime,
    /// The username of each user a search has shown: the console asks for a user by id,
    /// the API only ever by name.
    usernames: Mutex<HashMap<i64, String>>,
}

impl RegistrationServerBackend {
    /// The endpoint `url` as distributor `distributor`, checked with one search: a wrong salt
    /// or code is `Unauthorized`, an unreachable server or a page that is no reply `Failed`.
    pub fn new(url: &str, distributor: &str, salt: &str) -> Result<Self, BackendError> {
        let code = DistributorCode::parse(distributor).map_err(|_| {
            BackendError::Refused("A distributor code is exactly 4 letters or digits, such as TMDR.".into())
        })?;
        let url = url.trim().to_owned();
        let client = TdrsClient::new(url.clone(), salt)?.acting_for(code.as_str());
        let runtime = blocking_runtime("keydesk-tdrs")?;
        let backend = Self { client, url, code, runtime, usernames: Mutex::default() };
        backend.check()?;
        Ok(backend)
    }

    fn send(&self, request: Request) -> BackendResult<Reply> {
        Ok(self.runtime.block_on(self.client.call(request))?)
    }

    /// One command: its blocks, or its exception as a refusal.
    fn call(&self, request: Request) -> BackendResult<Vec<Block>> {
        match self.send(request)? {
            Reply::Success(blocks) => Ok(blocks),
            Reply::Exception { primary, message, .. } => Err(refusal(primary, &message)),
        }
    }

    /// The cheapest signed call. Here -30114 (no such distributor) is the profile's code
    /// being wrong, so it counts like a refused checksum.
    fn check(&self) -> BackendResult<()> {
        match self.send(search_request(PROBE_USERNAME, "", None, false))? {
            Reply::Exception { primary, .. } if primary == ErrorCode::InvalidDistributor.code() => {
                Err(BackendError::Unauthorized(CHECKSUM_REFUSED.into()))
            }
            Reply::Exception { primary, message, .. } => Err(refusal(primary, &message)),
            Reply::Success(_) => Ok(()),
        }
    }

    /// searchuser a reply (at most 50 users) at a time, each after the last user of the one
    /// before, until `limit` users or the last match.
    fn search(&self, username: &str, email: &str, limit: u32, devices: bool) -> BackendResult<Matches> {
        let limit = limit as usize;
        let mut found: Vec<SearchUserRecord> = Vec::new();
        loop {
            let after = found.last().map(|user| user.userid);
            let (total, users) = search_result(self.call(search_request(username, email, after, devices))?);
            let before = found.len();
            // A server that ignored `startid` would send the same users again: only later ones count.
            found.extend(users.into_iter().filter(|user| after.is_none_or(|last| user.userid > last)));
            if found.len() == before || found.len() >= limit || found.len() as u64 >= total {
                found.truncate(limit);
                return Ok((found, total));
            }
        }
    }

    /// The user a search showed, remembered so that `user(id)` can name them.
    fn remember(&self, record: &SearchUserRecord) -> User {
        let mut names = self.usernames.lock().unwrap_or_else(PoisonError::into_inner);
        names.insert(record.userid, record.username.clone());
        user_of(record, &self.code)
    }

    fn username(&self, id: UserId) -> BackendResult<String> {
        let names = self.usernames.lock().unwrap_or_else(PoisonError::into_inner);
        names.get(&id.0).cloned().ok_or_else(|| BackendError::Refused(SEARCH_FIRST.into()))
    }

    /// The user registeruser just made (it answers only 0): the one with this name and
    /// address, or, where the server makes the names itself (e-mail as reference), the newest
    /// user with the address.
    fn registered(&self, registration: &Registration) -> BackendResult<User> {
        let (name, email) = (registration.username.trim(), registration.email.trim());
        let mut found = if name.is_empty() { Vec::new() } else { self.search(name, email, 1, false)?.0 };
        if found.is_empty() {
            found = self.search("", email, u32::MAX, false)?.0;
        }
        let newest = found.iter().max_by_key(|user| user.userid);
        Ok(self.remember(newest.ok_or_else(|| BackendError::Refused(REGISTERED_UNSEEN.into()))?))
    }

    /// getlicensedata of the owner the query names, then the rest of the query.
    fn licenses_of(&self, query: &LicenseQuery) -> BackendResult<Vec<License>> {
        let owner = query.owner.trim();
        if owner.is_empty() {
            return refused(LICENSES_PER_USER);
        }
        let blocks = self.call(Request::GetLicenseData { username: owner.to_owned() })?;
        Ok(licenses_in(&blocks, Some(owner), None).into_iter().filter(|license| keeps(query, license)).collect())
    }
}

impl Backend for RegistrationServerBackend {
    fn label(&self) -> String {
        format!("Registration Server: {} at {}", self.code, self.url)
    }

    fn unavailable(&self, area: Area) -> Option<String> {
        area_sentence(area).map(str::to_owned)
    }

    fn distributors(&self) -> BackendResult<Vec<Distributor>> {
        let (code, name) = (self.code.clone(), self.code.to_string());
        Ok(vec![Distributor {
            id: DistributorId(0),
            code,
            name,
            is_default: false,
            settings: DistributorSettings::default(),
        }])
    }

    fn users(&self, _order: UserOrder, _descending: bool, _offset: u64, _limit: u32) -> BackendResult<Window<User>> {
        refused(USERS_BY_SEARCH)
    }

    fn search_users(&self, username: &str, email: &str, limit: u32) -> BackendResult<Window<User>> {
        if username.trim().is_empty() && email.trim().is_empty() {
            return refused(USERS_BY_SEARCH);
        }
        let (found, total) = self.search(username.trim(), email.trim(), limit, false)?;
        Ok(Window { offset: 0, rows: found.iter().map(|record| self.remember(record)).collect(), total })
    }

    /// getuserdata for the licenses and depots; an exact search with devices for the rest
    /// (getuserdata has no status, date or devices).
    fn user(&self, id: UserId) -> BackendResult<UserOverview> {
        let username = self.username(id)?;
        let blocks = self.call(Request::GetUserData { username: username.clone() })?;
        let (found, _) = self.search(&username, "", 1, true)?;
        let record = found.into_iter().find(|record| record.userid == id.0);
        let record = record.ok_or_else(|| BackendError::Refused(format!("The server no longer finds {username}.")))?;
        Ok(UserOverview {
            user: self.remember(&record),
            licenses: licenses_in(&blocks, Some(username.as_str()), Some(id)),
            devices: devices_of(&record),
            depots: depots_in(&blocks, id),
        })
    }

    fn register_user(&self, _distributor: DistributorId, registration: &Registration) -> BackendResult<User> {
        let r = registration.clone();
        let (username, useremail, password) = (r.username.trim().to_owned(), r.email.trim().to_owned(), r.password);
        let (language, reference, department) = (r.language, r.reference, r.department);
        self.call(Request::RegisterUser { username, useremail, password, language, reference, department })?;
        self.registered(registration)
    }

    fn user_action(&self, username: &str, action: &UserAction) -> BackendResult<()> {
        match self.call(user_request(username.to_owned(), action)?) {
            // setdistributor's -30000 says the caller is not the default distributor, not that the salt is wrong.
            Err(BackendError::Unauthorized(_)) if matches!(action, UserAction::MoveTo(_)) => {
                Err(BackendError::Forbidden(MOVE_NOT_ALLOWED.into()))
            }
            outcome => outcome.map(|_| ()),
        }
    }

    fn import_users(&self, _distributor: DistributorId, _records: &[UserRecord]) -> BackendResult<ImportReport> {
        refused(NO_BULK)
    }

    fn export_users(&self) -> BackendResult<Vec<UserRecord>> {
        refused(NO_BULK)
    }

    fn licenses(&self, query: &LicenseQuery, offset: u64, limit: u32) -> BackendResult<Window<License>> {
        Ok(window(self.licenses_of(query)?, offset, limit))
    }

    fn license_activations(&self, _license: LicenseId) -> BackendResult<Vec<ActivationRow>> {
        refused(NO_ACTIVATIONS)
    }

    /// createlicense (or createlicensewithoutuser) answers the new license in its
    /// `<licensedata>`, as keydesk's own server does and later clients read.
    fn create_license(&self, order: &NewLicenseOrder) -> BackendResult<License> {
        let terms = LicenseFields {
            productname: order.product.name().to_owned(),
            licensetype: type_value(order.license_type),
            // createlicense requires features (-30205 without): say so before asking.
            featurevalue: feature_value(&order.features)?
                .ok_or_else(|| BackendError::Refused(NEEDS_FEATURES.into()))?,
            limit: Some(limit_value(order.product, order.seats)),
            licensereference: order.reference.trim().to_owned(),
            ..LicenseFields::default()
        };
        let owner = order.owner.as_deref().map(str::trim).filter(|owner| !owner.is_empty());
        let request = match owner {
            Some(username) => Request::CreateLicense { username: username.to_owned(), terms },
            None => Request::CreateLicenseWithoutUser { terms },
        };
        let created = licenses_in(&self.call(request)?, owner, None).into_iter().next();
        created.ok_or_else(|| BackendError::Refused(CREATED_UNNAMED.into()))
    }

    fn license_action(&self, number: &str, action: &LicenseAction) -> BackendResult<()> {
        self.call(license_request(number.trim().to_owned(), action)?).map(|_| ())
    }

    fn export_licenses(&self, query: &LicenseQuery) -> BackendResult<Vec<License>> {
        self.licenses_of(query)
    }

    fn import_keys(&self, _product: ProductId, _keys: &[String]) -> BackendResult<(u32, u32)> {
        refuse(Area::Products)
    }

    fn products(&self) -> BackendResult<Vec<Product>> {
        refuse(Area::Products)
    }

    fn generators(&self) -> BackendResult<Vec<Generator>> {
        refuse(Area::Products)
    }

    fn create_product(&self, _fields: &ProductFields) -> BackendResult<Product> {
        refuse(Area::Products)
    }

    fn create_generator(&self, _fields: &GeneratorFields) -> BackendResult<Generator> {
        refuse(Area::Products)
    }

    fn releases(&self, _product: ProductId) -> BackendResult<Vec<Downloadable>> {
        refuse(Area::Products)
    }

    fn create_signing_key(&self, _product: ProductId) -> BackendResult<String> {
        refuse(Area::Products)
    }

    fn set_contract_rights(&self, _contract: ContractId, _rights: ContractRights) -> BackendResult<()> {
        refuse(Area::Contracts)
    }

    fn generate_stock(
        &self,
        _product: ProductId,
        _count: u64,
        _progress: &mut dyn FnMut(u64) -> bool,
    ) -> BackendResult<u64> {
        refuse(Area::Products)
    }

    fn resellers(&self) -> BackendResult<Vec<ResellerPools>> {
        refuse(Area::Contracts)
    }

    // No peer protocol has resellers, an outbox or an activity log.
    super::refuse_what_no_peer_has!();

    fn telemetry(&self, _filter: &TelemetryFilter) -> BackendResult<Vec<TelemetryRecord>> {
        refuse(Area::Telemetry)
    }
}
