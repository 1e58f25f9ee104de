//! The console's backend on a shared `keydesk serve`: every `Backend` call is one call of
//! the console API, made with the session of a staff login. The calls block, like the
//! local backend's: the console runs them off its UI thread, and this backend drives
//! them on a small runtime of its own, so it works from any thread that is not itself
//! running async tasks (tokio refuses to block one of those).

use std::path::PathBuf;

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::console::{ClientOptions, ConsoleClient, ConsoleClientError, Retry};
use crate::backend::{
    Area, Backend, BackendError, BackendResult, LicenseAction, NewLicenseOrder, ResellerPools, UserAction,
};
use crate::domain::bulk::{BatchId, BulkBatch, BulkChange, BulkPreview, UndoReport};
use crate::domain::contract::{ContractId, ContractRights};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::generator::Generator;
use crate::domain::license::{License, LicenseId};
use crate::domain::product::{Product, ProductId};
use crate::domain::reseller::{
    IssuedKeys, KeyOrder, NewResellerAccount, Pool, PoolAction, PoolOrder, Reseller, ResellerAction, ResellerId,
};
use crate::domain::secret::{CreatedAccount, FreshPassword};
use crate::domain::staff::{NewStaff, Staff, StaffAction};
use crate::domain::telemetry::TelemetryRecord;
use crate::domain::user::Registration;
use crate::domain::user::{User, UserId};
use crate::protocol::console::wire::{
    BulkAsk, BulkStart, Count, IssuedView, KeyImport, KeyImportReport, KeyRequest, LicenseActionRequest,
    LicensesWindow, NewUser, STOCK_PER_REQUEST, SmtpRelay, StaffView, UserImport, UserSearch, UsersWindow,
};
use crate::service::console::{UserOverview, Window};
use crate::service::import::{ImportReport, UserRecord};
use crate::store::{
    ActivationRow, AuditEntry, AuditQuery, Downloadable, GeneratorFields, LicenseQuery, OutboxEntry, ProductFields,
    TelemetryFilter, UserOrder,
};

/// Records or keys per import request: about 1 MiB of JSON, well under the server's 8 MiB.
const IMPORT_BATCH: usize = 5_000;

/// Where a remote profile's server is and who logs in to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteServer {
    /// The server's root, e.g. `https://keys.example.com`.
    pub url: String,
    pub username: String,
    /// A PEM certificate to trust besides the OS trust store.
    pub ca_file: Option<PathBuf>,
}

impl From<ConsoleClientError> for BackendError {
    fn from(error: ConsoleClientError) -> Self {
        match error {
            ConsoleClientError::Unauthorized(message) => Self::Unauthorized(message),
            ConsoleClientError::Forbidden(message) => Self::Forbidden(message),
            ConsoleClientError::Refused(message) => Self::Refused(message),
            ConsoleClientError::Failed(message) => Self::Failed(message),
            other => Self::Failed(other.to_string()),
        }
    }
}

/// A logged-in session with a shared server.
pub struct RemoteBackend {
    client: ConsoleClient,
    staff: StaffView,
    runtime: tokio::runtime::Runtime,
}

/// A runtime and a client for `server`, with the session `token` when one is kept.
fn connect(server: &RemoteServer, token: Option<&str>) -> BackendResult<(tokio::runtime::Runtime, ConsoleClient)> {
    let runtime = super::blocking_runtime("keydesk-remote")?;
    let options = ClientOptions { ca_file: server.ca_file.clone(), ..ClientOptions::default() };
    let client = ConsoleClient::with_options(&server.url, &options)?;
    Ok((
        runtime,
        match token {
            Some(token) => client.with_token(token),
            None => client,
        },
    ))
}

impl RemoteBackend {
    /// Logs in with a password; the session token is then [`RemoteBackend::token`].
    pub fn log_in(server: &RemoteServer, password: &str) -> BackendResult<Self> {
        let (runtime, mut client) = connect(server, None)?;
        let staff = runtime.block_on(client.login(&server.username, password))?;
        Ok(Self { client, staff, runtime })
    }

    /// Resumes a session from a kept token; `Unauthorized` when it has ended.
    pub fn resume(server: &RemoteServer, token: &str) -> BackendResult<Self> {
        let (runtime, client) = connect(server, Some(token))?;
        let staff = runtime.block_on(async {
            client.check_version().await?;
            client.whoami().await
        })?;
        Ok(Self { client, staff, runtime })
    }

    /// Ends a kept session on the server without resuming it first (a removed profile).
    pub fn end_session(server: &RemoteServer, token: &str) -> BackendResult<()> {
        let (runtime, mut client) = connect(server, Some(token))?;
        Ok(runtime.block_on(client.logout())?)
    }

    /// The session token, to keep in the OS keyring.
    pub fn token(&self) -> Option<&str> {
        self.client.token()
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> BackendResult<T> {
        Ok(self.runtime.block_on(self.client.call(Method::GET, path, None::<&()>, Retry::Read))?)
    }

    fn get_query<Q: Serialize + Sync, T: DeserializeOwned>(&self, path: &str, query: &Q) -> BackendResult<T> {
        Ok(self.runtime.block_on(self.client.get_query(path, query))?)
    }

    /// A read sent as POST because its query is a structure (filters, windows).
    fn query<B: Serialize + Sync, T: DeserializeOwned>(&self, path: &str, body: &B) -> BackendResult<T> {
        Ok(self.runtime.block_on(self.client.call(Method::POST, path, Some(body), Retry::Read))?)
    }

    fn send<B: Serialize + Sync + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> BackendResult<T> {
        Ok(self.runtime.block_on(self.client.call(method, path, body, Retry::Write))?)
    }

    fn post<B: Serialize + Sync + ?Sized, T: DeserializeOwned>(&self, path: &str, body: &B) -> BackendResult<T> {
        self.send(Method::POST, path, Some(body))
    }
}

impl Backend for RemoteBackend {
    fn label(&self) -> String {
        format!("Remote: {}@{}", self.staff.username, self.client.base())
    }

    /// The views the session's role has; the server refuses the rest anyway (403), this
    /// only spares the person a view that can show nothing.
    fn unavailable(&self, area: Area) -> Option<String> {
        match self.staff.role() {
            Some(role) => area.closed_to(role),
            None => Some(format!("This server names a role ({}) this keydesk does not know.", self.staff.role)),
        }
    }

    fn overview(&self, days: u32) -> BackendResult<crate::domain::overview::Overview> {
        self.get_query("overview", &crate::protocol::console::wire::OverviewWindow { days })
    }

    fn change_mark(&self) -> BackendResult<Option<u64>> {
        self.get("changes")
    }

    fn distributors(&self) -> BackendResult<Vec<Distributor>> {
        self.get("distributors")
    }

    fn users(&self, order: UserOrder, descending: bool, offset: u64, limit: u32) -> BackendResult<Window<User>> {
        self.get_query("users", &UsersWindow { order, descending, offset, limit })
    }

    fn search_users(&self, username: &str, email: &str, limit: u32) -> BackendResult<Window<User>> {
        self.get_query("users/search", &UserSearch { username: username.to_owned(), email: email.to_owned(), limit })
    }

    fn user(&self, id: UserId) -> BackendResult<UserOverview> {
        self.get(&format!("users/{}", id.0))
    }

    fn register_user(&self, distributor: DistributorId, registration: &Registration) -> BackendResult<User> {
        self.post("users", &NewUser { distributor, registration: registration.clone() })
    }

    fn user_action(&self, username: &str, action: &UserAction) -> BackendResult<()> {
        self.post(&format!("users/{}/actions", segment(username)), action)
    }

    /// In requests of [`IMPORT_BATCH`] records, each its own transaction on the server (a whole
    /// file could exceed the server's body limit); refused lines keep their numbers in the file.
    fn import_users(&self, distributor: DistributorId, records: &[UserRecord]) -> BackendResult<ImportReport> {
        let mut report = ImportReport::default();
        for (index, batch) in records.chunks(IMPORT_BATCH).enumerate() {
            let part: ImportReport = self.post("users/import", &UserImport { distributor, records: batch.to_vec() })?;
            let before = index * IMPORT_BATCH;
            report.created += part.created;
            report.refused.extend(part.refused.into_iter().map(|(line, reason)| (line + before, reason)));
        }
        Ok(report)
    }

    fn export_users(&self) -> BackendResult<Vec<UserRecord>> {
        self.get("users/export")
    }

    fn licenses(&self, query: &LicenseQuery, offset: u64, limit: u32) -> BackendResult<Window<License>> {
        self.query("licenses/window", &LicensesWindow { query: query.clone(), offset, limit })
    }

    fn license_activations(&self, license: LicenseId) -> BackendResult<Vec<ActivationRow>> {
        self.get(&format!("licenses/{}/activations", license.0))
    }

    fn create_license(&self, order: &NewLicenseOrder) -> BackendResult<License> {
        self.post("licenses", order)
    }

    fn license_action(&self, number: &str, action: &LicenseAction) -> BackendResult<()> {
        self.post("licenses/actions", &LicenseActionRequest { number: number.to_owned(), action: action.clone() })
    }

    fn bulk_preview(&self, selection: &LicenseQuery, change: BulkChange) -> BackendResult<BulkPreview> {
        self.query("licenses/bulk/preview", &BulkAsk { selection: selection.clone(), change })
    }

    fn bulk_start(&self, selection: &LicenseQuery, change: BulkChange, previewed: u64) -> BackendResult<BulkBatch> {
        self.post("licenses/bulk", &BulkStart { selection: selection.clone(), change, previewed })
    }

    fn bulk_step(&self, batch: BatchId) -> BackendResult<BulkBatch> {
        self.send(Method::POST, &format!("licenses/bulk/{}/step", batch.0), None::<&()>)
    }

    fn bulk_stop(&self, batch: BatchId) -> BackendResult<BulkBatch> {
        self.send(Method::POST, &format!("licenses/bulk/{}/stop", batch.0), None::<&()>)
    }

    fn bulk_last(&self) -> BackendResult<Option<BulkBatch>> {
        self.get("licenses/bulk/last")
    }

    fn bulk_undo(&self, batch: BatchId) -> BackendResult<UndoReport> {
        self.send(Method::POST, &format!("licenses/bulk/{}/undo", batch.0), None::<&()>)
    }

    fn export_licenses(&self, query: &LicenseQuery) -> BackendResult<Vec<License>> {
        self.query("licenses/export", query)
    }

    /// In requests of [`IMPORT_BATCH`] keys, for the server's body limit.
    fn import_keys(&self, product: ProductId, keys: &[String]) -> BackendResult<(u32, u32)> {
        let path = format!("products/{}/keys", product.0);
        let (mut created, mut duplicates) = (0, 0);
        for batch in keys.chunks(IMPORT_BATCH) {
            let report: KeyImportReport = self.post(&path, &KeyImport { keys: batch.to_vec() })?;
            created += report.created;
            duplicates += report.duplicates;
        }
        Ok((created, duplicates))
    }

    fn products(&self) -> BackendResult<Vec<Product>> {
        self.get("products")
    }

    fn generators(&self) -> BackendResult<Vec<Generator>> {
        self.get("generators")
    }

    fn create_product(&self, fields: &ProductFields) -> BackendResult<Product> {
        self.post("products", fields)
    }

    fn create_generator(&self, fields: &GeneratorFields) -> BackendResult<Generator> {
        self.post("generators", fields)
    }

    fn releases(&self, product: ProductId) -> BackendResult<Vec<Downloadable>> {
        self.get(&format!("products/{}/releases", product.0))
    }

    fn create_signing_key(&self, product: ProductId) -> BackendResult<String> {
        self.send(Method::POST, &format!("products/{}/signing-key", product.0), None::<&()>)
    }

    fn set_contract_rights(&self, contract: ContractId, rights: ContractRights) -> BackendResult<()> {
        self.send(Method::PUT, &format!("contracts/{}/rights", contract.0), Some(&rights))
    }

    /// Asks for the keys in requests of at most [`STOCK_PER_REQUEST`], reporting after each.
    /// A stop keeps what earlier requests stored (each is its own transaction on the server).
    fn generate_stock(
        &self,
        product: ProductId,
        count: u64,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> BackendResult<u64> {
        let path = format!("products/{}/stock", product.0);
        let mut stored = 0;
        while stored < count {
            let batch = (count - stored).min(STOCK_PER_REQUEST);
            let made: Count = self.post(&path, &Count { count: batch })?;
            if made.count == 0 {
                // Asking again would loop for ever.
                return Err(BackendError::Failed(format!("the server made no keys after {stored}")));
            }
            stored += made.count;
            if !progress(stored) {
                return Err(BackendError::Refused(format!(
                    "Stopped. The {stored} keys made before the stop are kept on the server."
                )));
            }
        }
        Ok(stored)
    }

    fn resellers(&self) -> BackendResult<Vec<ResellerPools>> {
        self.get("resellers")
    }

    fn issue_keys(&self, reseller: ResellerId, order: &KeyOrder) -> BackendResult<IssuedKeys> {
        let issued: IssuedView = self.post("keys", &KeyRequest::new(reseller, order))?;
        let edition = issued.edition.clone();
        issued
            .into_issued()
            .ok_or_else(|| BackendError::Failed(format!("the server named an unknown edition {edition:?}")))
    }

    fn add_reseller(&self, new: &NewResellerAccount) -> BackendResult<CreatedAccount<Reseller>> {
        self.post("resellers", new)
    }

    fn reseller_action(&self, reseller: ResellerId, action: ResellerAction) -> BackendResult<Option<FreshPassword>> {
        self.post(&format!("resellers/{}/actions", reseller.0), &action)
    }

    fn add_pool(&self, order: &PoolOrder) -> BackendResult<Pool> {
        self.post("pools", order)
    }

    fn pool_action(&self, contract: ContractId, action: PoolAction) -> BackendResult<Pool> {
        self.post(&format!("pools/{}/actions", contract.0), &action)
    }

    fn staff(&self) -> BackendResult<Vec<Staff>> {
        self.get("staff")
    }

    fn add_staff(&self, new: &NewStaff) -> BackendResult<CreatedAccount<Staff>> {
        self.post("staff", new)
    }

    fn staff_action(&self, username: &str, action: &StaffAction) -> BackendResult<Option<FreshPassword>> {
        self.post(&format!("staff/{}/actions", segment(username)), action)
    }

    fn outbox(&self) -> BackendResult<Vec<OutboxEntry>> {
        self.get("mail")
    }

    fn smtp_sender(&self) -> BackendResult<Option<String>> {
        self.get("settings/smtp-relay")
    }

    fn set_smtp_relay(&self, relay: Option<(&str, &str)>) -> BackendResult<()> {
        let relay = relay.map(|(url, from)| SmtpRelay { url: url.to_owned(), from: from.to_owned() });
        self.send(Method::PUT, "settings/smtp-relay", Some(&relay))
    }

    fn deliver_mail(&self) -> BackendResult<usize> {
        self.send(Method::POST, "mail/deliver", None::<&()>)
    }

    fn resend_mail(&self, id: i64) -> BackendResult<()> {
        self.send(Method::POST, &format!("mail/{id}/resend"), None::<&()>)
    }

    fn activity(&self, query: &AuditQuery) -> BackendResult<Vec<AuditEntry>> {
        self.query("activity", query)
    }

    fn telemetry(&self, filter: &TelemetryFilter) -> BackendResult<Vec<TelemetryRecord>> {
        self.query("telemetry", filter)
    }
}

/// A name as one path segment: usernames and license numbers may hold `/`, `?` or spaces.
fn segment(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>().replace('+', "%20")
}
