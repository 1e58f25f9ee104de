//! The console on a real license key server (REST API v1) through [`KeyClient`] alone:
//! products and generators, license keys, contracts and telemetry. The API lists whole
//! tables without filters worth the name, so lists are read whole and filtered here.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::key_wire::{
    Field, StockTerms, contract_form, contract_of, flag, generator_of, int, key_of, key_query, key_update_form, list,
    pairs, product_form, product_of, response_of, stock_form, telemetry_of, telemetry_query, uint,
};
use super::{keeps, refused, window};
use crate::backend::{
    Area, Backend, BackendError, BackendResult, LicenseAction, NewLicenseOrder, ResellerPools, UserAction,
};
use crate::client::blocking_runtime;
use crate::client::keymanager::{KeyClient, KeyClientError};
use crate::domain::contract::{Contract, ContractId, ContractRights};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::endpoint::Endpoint;
use crate::domain::generator::Generator;
use crate::domain::license::{KeyState, License, LicenseId};
use crate::domain::product::{Product, ProductId};
use crate::domain::reseller::{Edition, IssuedKeys, KeyOrder, Pool, Reseller, ResellerId};
use crate::domain::telemetry::TelemetryRecord;
use crate::domain::user::Registration;
use crate::domain::user::{User, UserId};
use crate::protocol::keymanager::codes::Code;
use crate::service::console::{UserOverview, Window};
use crate::service::import::{ImportReport, UserRecord};
use crate::store::{
    ActivationRow, AuditEntry, AuditQuery, Downloadable, GeneratorFields, LicenseQuery, OutboxEntry, ProductFields,
    TelemetryFilter, UserOrder,
};

/// Keys made per round of stock generation (`generate`, then `create-license-keys`): far
/// under generate's 10,000 and the 8 MiB body, and often enough for the progress bar.
const STOCK_BATCH: u64 = 1_000;
/// Keys sent per create-license-keys when importing, for the same body limit.
const IMPORT_BATCH: usize = 1_000;
const NO_USERS: &str =
    "A license key server has no Registration Server users or devices: open a Registration Server profile.";
const NO_GENERATOR: &str = "The product has no active generator on the license key server.";

/// Why a license key server cannot serve an area; `None` for Products, Licenses, Contracts, Telemetry.
fn area_sentence(area: Area) -> Option<&'static str> {
    Some(match area {
        Area::Products | Area::Licenses | Area::Contracts | Area::Telemetry => return None,
        Area::Users => "A license key server has no Registration Server users: open a Registration Server profile.",
        Area::KeyGeneration => "A license key server has no resellers: its contracts are in Contracts.",
        Area::Outbox => "A license key server's API shows no outbox: its mail stays on the server.",
        Area::Activity => "A license key server's API has no activity log for keydesk to read.",
        Area::Mail => "A license key server's mail relay is set on the server itself, not through its API.",
        Area::Resellers => "A license key server has no resellers: its contracts are managed with their rights here.",
        Area::Staff => "A license key server's accounts are managed on the server itself, not through its API.",
        Area::Overview => "A license key server's API gives no totals to build an overview from: open Licenses.",
    })
}

fn refuse<T>(area: Area) -> BackendResult<T> {
    refused(area_sentence(area).unwrap_or("A license key server cannot do this."))
}

impl From<KeyClientError> for BackendError {
    fn from(error: KeyClientError) -> Self {
        Self::Failed(error.to_string())
    }
}

/// A license key server, reached with one API key.
pub struct KeyServerBackend {
    client: KeyClient,
    url: String,
    runtime: tokio::runtime::Runtime,
}

impl KeyServerBackend {
    /// The server at `url` (its root), checked with get-all-products: an unknown or inactive
    /// key is `Unauthorized`, an unreachable server `Failed`. A key that lacks that one
    /// capability (102) still opens the profile, and each view then says what it may not do.
    pub fn new(url: &str, api_key: &str) -> Result<Self, BackendError> {
        let url = url.trim().trim_end_matches('/').to_owned();
        let client = KeyClient::new(url.clone(), api_key.trim())?;
        let runtime = blocking_runtime("keydesk-keys")?;
        let backend = Self { client, url, runtime };
        let envelope = backend.runtime.block_on(backend.client.get(Endpoint::GetAllProducts.name(), &[]))?;
        if envelope.code() != Code::MissingCapability.number() {
            response_of(envelope, &[Code::AllProducts])?;
        }
        Ok(backend)
    }

    /// A read, sent as GET with the query, as the API documents its reads.
    fn get(&self, endpoint: Endpoint, query: &[Field], success: &[Code]) -> BackendResult<Value> {
        response_of(self.runtime.block_on(self.client.get(endpoint.name(), &pairs(query)))?, success)
    }

    fn post(&self, endpoint: Endpoint, form: &[Field], success: &[Code]) -> BackendResult<Value> {
        response_of(self.runtime.block_on(self.client.post(endpoint.name(), &pairs(form)))?, success)
    }

    /// get-all-generators' list (under `products`, sic).
    fn generator_listing(&self) -> BackendResult<Vec<Value>> {
        Ok(list(&self.get(Endpoint::GetAllGenerators, &[], &[Code::AllGenerators])?, "products").to_vec())
    }

    /// The generator the server uses for a product: its first active one by id.
    fn generator_for(&self, product: ProductId) -> BackendResult<Option<Value>> {
        let listing = self.generator_listing()?.into_iter();
        Ok(listing.filter(|g| int(g, "product_id") == product.0 && flag(g, "status")).min_by_key(|g| int(g, "id")))
    }

    /// create-license-keys with `keys` as available stock: (created, duplicates). 902 (none
    /// created) is an answer here, not a refusal: every key was a duplicate.
    fn store_keys(&self, product: ProductId, keys: &[String], terms: StockTerms) -> BackendResult<(u32, u32)> {
        let form = stock_form(product, keys, terms)?;
        let response = self.post(Endpoint::CreateLicenseKeys, &form, &[Code::KeysCreated, Code::NoneCreated])?;
        if int(&response, "code") == i64::from(Code::NoneCreated.number()) {
            let sent = keys.iter().filter(|key| !key.trim().is_empty()).count();
            return Ok((0, u32::try_from(sent).unwrap_or(u32::MAX)));
        }
        Ok((uint(&response, "created"), uint(&response, "duplicate")))
    }

    /// Every key get-license-keys lists for the query's product and state, a page of 1,000
    /// at a time, then the filters the API lacks (a part of the owner, expiry, …).
    fn keys(&self, query: &LicenseQuery) -> BackendResult<Vec<License>> {
        let (mut all, mut seen) = (Vec::new(), HashSet::new());
        for page in 1.. {
            let response = self.get(Endpoint::GetLicenseKeys, &key_query(query, page), &[Code::LicenseKeys])?;
            let before = all.len();
            // No paging metadata: stop at an empty page, or one that only repeats (a server ignoring `page`).
            all.extend(list(&response, "license_keys").iter().map(key_of).filter(|key| seen.insert(key.id)));
            if all.len() == before {
                break;
            }
        }
        let owner = query.owner.trim().to_lowercase();
        Ok(all.into_iter().filter(|key| keeps(query, key) && owned_by(key, &owner)).collect())
    }

    /// update-license-key replaces every field, so the key's current ones are read and sent
    /// back with the new state: blocked, or unblocked to assigned (it has an owner) or available.
    fn set_blocked(&self, number: &str, blocked: bool) -> BackendResult<()> {
        let key = self.keys(&LicenseQuery::default())?.into_iter().find(|key| key.number == number.trim());
        let key =
            key.ok_or_else(|| BackendError::Refused(format!("The license key server does not list {number}.")))?;
        let owned = key.assigned_at.is_some() || !key.owner_email.is_empty() || !key.owner_name.is_empty();
        let state = match (blocked, owned) {
            (true, _) => KeyState::Blocked,
            (false, true) => KeyState::Assigned,
            (false, false) => KeyState::Available,
        };
        if key.key_state == state || (!blocked && key.key_state != KeyState::Blocked) {
            return Ok(());
        }
        self.post(Endpoint::UpdateLicenseKey, &key_update_form(&key, state), &[Code::KeyUpdated]).map(|_| ())
    }

    fn contracts(&self) -> BackendResult<Vec<Contract>> {
        let response = self.get(Endpoint::GetAllContracts, &[], &[Code::AllContracts])?;
        Ok(list(&response, "contracts").iter().map(contract_of).collect())
    }
}

/// The console's owner filter: a part of the owner's name or address, in any case.
fn owned_by(key: &License, owner: &str) -> bool {
    owner.is_empty() || key.owner_name.to_lowercase().contains(owner) || key.owner_email.to_lowercase().contains(owner)
}

impl Backend for KeyServerBackend {
    fn label(&self) -> String {
        format!("License key server: {}", self.url)
    }

    fn unavailable(&self, area: Area) -> Option<String> {
        area_sentence(area).map(str::to_owned)
    }

    /// A license key server has no distributors; its products belong to nobody.
    fn distributors(&self) -> BackendResult<Vec<Distributor>> {
        Ok(Vec::new())
    }

    fn users(&self, _order: UserOrder, _descending: bool, _offset: u64, _limit: u32) -> BackendResult<Window<User>> {
        refuse(Area::Users)
    }

    fn search_users(&self, _username: &str, _email: &str, _limit: u32) -> BackendResult<Window<User>> {
        refuse(Area::Users)
    }

    fn user(&self, _id: UserId) -> BackendResult<UserOverview> {
        refuse(Area::Users)
    }

    fn register_user(&self, _distributor: DistributorId, _registration: &Registration) -> BackendResult<User> {
        refuse(Area::Users)
    }

    fn user_action(&self, _username: &str, _action: &UserAction) -> BackendResult<()> {
        refuse(Area::Users)
    }

    fn import_users(&self, _distributor: DistributorId, _records: &[UserRecord]) -> BackendResult<ImportReport> {
        refuse(Area::Users)
    }

    fn export_users(&self) -> BackendResult<Vec<UserRecord>> {
        refuse(Area::Users)
    }

    fn licenses(&self, query: &LicenseQuery, offset: u64, limit: u32) -> BackendResult<Window<License>> {
        Ok(window(self.keys(query)?, offset, limit))
    }

    fn license_activations(&self, _license: LicenseId) -> BackendResult<Vec<ActivationRow>> {
        refused("A license key server's API does not list a key's activations.")
    }

    fn create_license(&self, _order: &NewLicenseOrder) -> BackendResult<License> {
        refused("A license key server makes keys from a product's generator: use Generate stock or Import keys.")
    }

    /// Blocking is the key's state; everything else a license can have done to it needs
    /// Registration Server users.
    fn license_action(&self, number: &str, action: &LicenseAction) -> BackendResult<()> {
        match action {
            LicenseAction::Activate => self.set_blocked(number, false),
            LicenseAction::Deactivate => self.set_blocked(number, true),
            LicenseAction::SetReference(_) => refused("A license key on a license key server has no reference."),
            _ => refused(NO_USERS),
        }
    }

    fn export_licenses(&self, query: &LicenseQuery) -> BackendResult<Vec<License>> {
        self.keys(query)
    }

    fn import_keys(&self, product: ProductId, keys: &[String]) -> BackendResult<(u32, u32)> {
        let terms = StockTerms::of(self.generator_for(product)?.as_ref());
        let mut totals = (0, 0);
        for batch in keys.chunks(IMPORT_BATCH) {
            let (created, duplicates) = self.store_keys(product, batch, terms)?;
            totals = (totals.0 + created, totals.1 + duplicates);
        }
        Ok(totals)
    }

    fn products(&self) -> BackendResult<Vec<Product>> {
        let response = self.get(Endpoint::GetAllProducts, &[], &[Code::AllProducts])?;
        Ok(list(&response, "products").iter().map(product_of).collect())
    }

    /// Generators in a format keydesk knows; a `custom` one naming the server's own PHP
    /// function is left out.
    fn generators(&self) -> BackendResult<Vec<Generator>> {
        Ok(self.generator_listing()?.iter().filter_map(generator_of).collect())
    }

    /// create-product answers only the new id, so the product is read back from the listing.
    fn create_product(&self, fields: &ProductFields) -> BackendResult<Product> {
        if fields.distributor.is_some() {
            return refused("A license key server's API cannot give a product to a distributor.");
        }
        let answer = self.post(Endpoint::CreateProduct, &product_form(fields), &[Code::ProductCreated])?;
        let id = ProductId(int(&answer, "product_id"));
        let created = self.products()?.into_iter().find(|product| product.id == id);
        created.ok_or_else(|| {
            BackendError::Refused("The license key server made the product but does not list it.".into())
        })
    }

    fn create_generator(&self, _fields: &GeneratorFields) -> BackendResult<Generator> {
        refused("A license key server's API cannot create a generator: add it on the server.")
    }

    fn releases(&self, _product: ProductId) -> BackendResult<Vec<Downloadable>> {
        refused("A license key server's API shows releases only to a licensed installation.")
    }

    fn create_signing_key(&self, _product: ProductId) -> BackendResult<String> {
        refused("A license key server makes its signing keys itself; its API cannot create one.")
    }

    /// update-contract takes every field, so the contract's current ones are sent back with the
    /// new rights. The captured original answers an update with 841 "contract created".
    fn set_contract_rights(&self, contract: ContractId, rights: ContractRights) -> BackendResult<()> {
        let current = self.contracts()?.into_iter().find(|c| c.id == contract);
        let current =
            current.ok_or_else(|| BackendError::Refused("The server no longer lists this contract.".into()))?;
        let success = [Code::ContractUpdated, Code::ContractCreated];
        self.post(Endpoint::UpdateContract, &contract_form(&current, rights), &success).map(|_| ())
    }

    /// `generate` returns keys without storing them, so each round stores them with
    /// create-license-keys. Keys the server answers as duplicates count as made: a server
    /// whose `generate` stores its keys itself (the original may) holds them all the same.
    fn generate_stock(
        &self,
        product: ProductId,
        count: u64,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> BackendResult<u64> {
        let generator = self.generator_for(product)?.ok_or_else(|| BackendError::Refused(NO_GENERATOR.into()))?;
        let (id, terms) = (int(&generator, "id").to_string(), StockTerms::of(Some(&generator)));
        let mut stored = 0;
        while stored < count {
            let quantity = (count - stored).min(STOCK_BATCH).to_string();
            let form = [("generator_id", id.clone()), ("quantity", quantity)];
            let made = self.post(Endpoint::Generate, &form, &[Code::Generated])?;
            let keys: Vec<String> =
                list(&made, "licenseKeys").iter().filter_map(Value::as_str).map(str::to_owned).collect();
            if keys.is_empty() {
                return refused("The license key server's generator made no keys.");
            }
            let (created, duplicates) = self.store_keys(product, &keys, terms)?;
            stored += u64::from(created + duplicates);
            if !progress(stored) {
                return refused(&format!("Stopped; {stored} keys made before the stop are kept on the server."));
            }
        }
        Ok(stored)
    }

    /// The contracts, as the pools of one made-up reseller: the Contracts view lists pools
    /// by reseller, and a license key server's contracts have no holder it names.
    fn resellers(&self) -> BackendResult<Vec<ResellerPools>> {
        let reseller = Reseller {
            id: ResellerId(0),
            email: String::new(),
            name: format!("Contracts on {}", self.url),
            distributor: None,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            disabled: false,
        };
        let pools = self.contracts()?.into_iter();
        let pools = pools.map(|contract| Pool { reseller: ResellerId(0), edition: Edition::Professional, contract });
        Ok(vec![ResellerPools { reseller, pools: pools.collect() }])
    }

    // No peer protocol has resellers, an outbox or an activity log.
    super::refuse_what_no_peer_has!();

    /// get-telemetry-date, the route's spelling in the captured requests (keydesk answers both).
    fn telemetry(&self, filter: &TelemetryFilter) -> BackendResult<Vec<TelemetryRecord>> {
        let response = self.get(Endpoint::GetTelemetry, &telemetry_query(filter), &[Code::TelemetryFound])?;
        Ok(list(&response, "data").iter().map(telemetry_of).collect())
    }
}
