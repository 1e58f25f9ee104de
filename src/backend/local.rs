//! The embedded backend: the service on a SQLite file in this process, in one staff role (the
//! owner for the console's local profile; a session's role inside `keydesk serve`).

use std::sync::Arc;

use super::{Backend, BackendError, BackendResult, LicenseAction, NewLicenseOrder, ResellerPools, UserAction};
use crate::domain::bulk::{BatchId, BulkBatch, BulkChange, BulkPreview, UndoReport};
use crate::domain::contract::{ContractId, ContractRights};
use crate::domain::distributor::{Distributor, DistributorId};
use crate::domain::generator::Generator;
use crate::domain::license::{Feature, Features, License, LicenseId, SeatLimit};
use crate::domain::product::{Product, ProductId};
use crate::domain::reseller::{
    IssuedKeys, KeyOrder, NewResellerAccount, Pool, PoolAction, PoolOrder, Reseller, ResellerAction, ResellerId,
};
use crate::domain::secret::{CreatedAccount, FreshPassword, temporary_password};
use crate::domain::staff::{NewStaff, Role, Staff, StaffAction};
use crate::domain::telemetry::TelemetryRecord;
use crate::domain::user::Registration;
use crate::domain::user::{User, UserId};
use crate::service::console::{UserOverview, Window};
use crate::service::import::{ImportReport, UserRecord};
use crate::service::licenses::{LicenseTerms, TermsChange};
use crate::service::{Actor, Clock, Service, ServiceError, SystemClock};
use crate::store::{
    ActivationRow, AuditEntry, AuditQuery, DataKey, Downloadable, GeneratorFields, LicenseQuery, OutboxEntry,
    ProductFields, Store, StoreError, TelemetryFilter, UserOrder,
};

/// A first or reset password for an account, drawn from the OS's CSPRNG; the person at the
/// console sees it once and hands it on.
fn fresh_password() -> FreshPassword {
    FreshPassword(temporary_password(&mut rand::rngs::OsRng))
}

/// Feature names or bits as typed; `None` when blank.
fn features(text: &str) -> BackendResult<Option<Features>> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Features::parse(text).map(Some).map_err(|_| {
        let known: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
        BackendError::Refused(format!("Unknown feature in {text:?}; known: {}.", known.join(", ")))
    })
}

fn terms_change(text: &str, seats: Option<u32>) -> BackendResult<TermsChange> {
    Ok(TermsChange { features: features(text)?, limit: seats.map(SeatLimit) })
}

/// The service in this process, acting in one staff role: the owner of a local database
/// file, or (inside `keydesk serve`) the role of a console session. The role decides
/// nothing here: the service refuses what it does not allow.
#[derive(Clone)]
pub struct LocalBackend {
    service: Service,
    role: Role,
}

impl LocalBackend {
    pub fn new(service: Service) -> Self {
        Self::in_role(service, Role::Owner)
    }

    /// The service as a staff member with `role` sees it.
    pub fn in_role(service: Service, role: Role) -> Self {
        Self { service, role }
    }

    fn actor(&self) -> Result<Actor, ServiceError> {
        self.role.actor()
    }

    /// Opens (creating and migrating) a database file with its data key.
    pub fn open(path: &std::path::Path, key: &DataKey) -> Result<Self, StoreError> {
        Self::open_with_clock(path, key, Arc::new(SystemClock))
    }

    pub fn open_with_clock(path: &std::path::Path, key: &DataKey, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        let store = Store::open(path, key)?;
        Ok(Self::new(Service::new(Arc::new(store), clock)))
    }

    pub fn service(&self) -> &Service {
        &self.service
    }
}

impl Backend for LocalBackend {
    fn label(&self) -> String {
        format!("Local: {}", self.service.store().path().display())
    }

    fn console_delivers_mail(&self) -> bool {
        true
    }

    fn unavailable(&self, area: super::Area) -> Option<String> {
        area.closed_to(self.role)
    }

    /// Every committed write of this process. It says that something changed, never what,
    /// so it is the same for every role.
    fn change_mark(&self) -> BackendResult<Option<u64>> {
        Ok(Some(self.service.store().generation()))
    }

    fn overview(&self, days: u32) -> BackendResult<crate::domain::overview::Overview> {
        Ok(self.service.overview_for(self.role, days)?)
    }

    fn distributors(&self) -> BackendResult<Vec<Distributor>> {
        Ok(self.service.distributors(&self.actor()?)?)
    }

    fn users(&self, order: UserOrder, descending: bool, offset: u64, limit: u32) -> BackendResult<Window<User>> {
        Ok(self.service.users_window(&self.actor()?, order, descending, offset, limit)?)
    }

    fn search_users(&self, username: &str, email: &str, limit: u32) -> BackendResult<Window<User>> {
        Ok(self.service.search_users_window(&self.actor()?, username, email, limit)?)
    }

    fn user(&self, id: UserId) -> BackendResult<UserOverview> {
        Ok(self.service.user_overview(&self.actor()?, id)?)
    }

    fn register_user(&self, distributor: DistributorId, registration: &Registration) -> BackendResult<User> {
        Ok(self.service.register_user(&self.actor()?, distributor, registration)?)
    }

    fn user_action(&self, username: &str, action: &UserAction) -> BackendResult<()> {
        let (service, actor) = (&self.service, &self.actor()?);
        match action {
            UserAction::ResendActivation => service.resend_activation(actor, username)?,
            UserAction::Activate => {
                service.set_user_status(actor, username, crate::domain::user::UserStatus::Activated)?
            }
            UserAction::ResetPassword => service.reset_password(actor, username)?,
            UserAction::SetEmail(email) => service.set_email(actor, username, email)?,
            UserAction::SetReference(reference) => service.set_reference(actor, username, reference)?,
            UserAction::ChangeLanguage(language) => service.change_language(actor, username, language)?,
            UserAction::RemoveDevice(device) => service.remove_device(actor, username, device)?,
            UserAction::Remove { with_licenses } => service.remove_user(actor, username, *with_licenses)?,
            UserAction::MoveTo(code) => service.set_distributor(actor, username, code)?,
        }
        Ok(())
    }

    fn import_users(&self, distributor: DistributorId, records: &[UserRecord]) -> BackendResult<ImportReport> {
        Ok(self.service.import_users(&self.actor()?, distributor, records)?)
    }

    fn export_users(&self) -> BackendResult<Vec<UserRecord>> {
        Ok(self.service.export_users(&self.actor()?, None)?)
    }

    fn licenses(&self, query: &LicenseQuery, offset: u64, limit: u32) -> BackendResult<Window<License>> {
        Ok(self.service.licenses_window(&self.actor()?, query, offset, limit)?)
    }

    fn license_activations(&self, license: LicenseId) -> BackendResult<Vec<ActivationRow>> {
        Ok(self.service.license_activations(&self.actor()?, license)?)
    }

    fn license_action(&self, number: &str, action: &LicenseAction) -> BackendResult<()> {
        let (service, actor) = (&self.service, &self.actor()?);
        match action {
            LicenseAction::Activate => service.set_license_active(actor, number, true)?,
            LicenseAction::Deactivate => service.set_license_active(actor, number, false)?,
            LicenseAction::SetReference(reference) => service.set_license_reference(actor, number, reference)?,
            LicenseAction::AssignUser(name) => service.assign_user_to_license(actor, name, number)?,
            LicenseAction::AssignDevices { user, devices } => {
                service.assign_license_to_devices(actor, user, number, devices)?
            }
            LicenseAction::Upgrade { user, features, seats } => {
                service.upgrade_license(actor, user, Some(number), terms_change(features, *seats)?)?
            }
            LicenseAction::Downgrade { user, features, seats } => {
                service.downgrade_license(actor, user, Some(number), terms_change(features, *seats)?)?
            }
            LicenseAction::Cancel { user, keep } => {
                service.cancel_license(actor, user.as_deref(), number, SeatLimit(*keep))?
            }
        }
        Ok(())
    }

    fn create_license(&self, order: &NewLicenseOrder) -> BackendResult<License> {
        let features = features(&order.features)?.unwrap_or_default();
        let terms = LicenseTerms {
            product: order.product,
            license_type: order.license_type,
            features,
            limit: SeatLimit(order.seats),
            valid_until: None,
            reference: order.reference.trim().to_owned(),
            contract_number: String::new(),
            change_id: String::new(),
        };
        let owner = order.owner.as_deref().map(str::trim).filter(|o| !o.is_empty());
        Ok(self.service.create_license(&self.actor()?, order.distributor, owner, &terms)?)
    }

    fn bulk_preview(&self, selection: &LicenseQuery, change: BulkChange) -> BackendResult<BulkPreview> {
        Ok(self.service.bulk_preview(&self.actor()?, selection, change)?)
    }

    fn bulk_start(&self, selection: &LicenseQuery, change: BulkChange, previewed: u64) -> BackendResult<BulkBatch> {
        Ok(self.service.bulk_start(&self.actor()?, selection, change, previewed)?)
    }

    fn bulk_step(&self, batch: BatchId) -> BackendResult<BulkBatch> {
        Ok(self.service.bulk_step(&self.actor()?, batch)?)
    }

    fn bulk_stop(&self, batch: BatchId) -> BackendResult<BulkBatch> {
        Ok(self.service.bulk_stop(&self.actor()?, batch)?)
    }

    fn bulk_last(&self) -> BackendResult<Option<BulkBatch>> {
        Ok(self.service.bulk_last(&self.actor()?)?)
    }

    fn bulk_undo(&self, batch: BatchId) -> BackendResult<UndoReport> {
        Ok(self.service.bulk_undo(&self.actor()?, batch)?)
    }

    fn export_licenses(&self, query: &LicenseQuery) -> BackendResult<Vec<License>> {
        const PAGE: u32 = 10_000;
        let mut all = Vec::new();
        loop {
            let window = self.service.licenses_window(&self.actor()?, query, all.len() as u64, PAGE)?;
            let done = window.rows.len() < PAGE as usize;
            all.extend(window.rows);
            if done {
                return Ok(all);
            }
        }
    }

    fn import_keys(&self, product: ProductId, keys: &[String]) -> BackendResult<(u32, u32)> {
        let created = self.service.import_stock(&self.actor()?, product, keys)?;
        Ok((created.created, created.duplicate))
    }

    fn products(&self) -> BackendResult<Vec<Product>> {
        Ok(self.service.products_for(&self.actor()?)?)
    }

    fn generators(&self) -> BackendResult<Vec<Generator>> {
        Ok(self.service.generators_for(&self.actor()?)?)
    }

    fn create_product(&self, fields: &ProductFields) -> BackendResult<Product> {
        Ok(self.service.create_product(&self.actor()?, fields)?)
    }

    fn create_generator(&self, fields: &GeneratorFields) -> BackendResult<Generator> {
        Ok(self.service.create_generator(&self.actor()?, fields)?)
    }

    fn releases(&self, product: ProductId) -> BackendResult<Vec<Downloadable>> {
        Ok(self.service.product_releases(&self.actor()?, product)?)
    }

    fn create_signing_key(&self, product: ProductId) -> BackendResult<String> {
        Ok(self.service.create_signing_key(&self.actor()?, Some(product))?)
    }

    fn set_contract_rights(&self, contract: ContractId, rights: ContractRights) -> BackendResult<()> {
        self.service.set_contract_rights(&self.actor()?, contract, rights)?;
        Ok(())
    }

    fn generate_stock(
        &self,
        product: ProductId,
        count: u64,
        progress: &mut dyn FnMut(u64) -> bool,
    ) -> BackendResult<u64> {
        Ok(self.service.generate_stock(&self.actor()?, product, count, progress)?)
    }

    fn resellers(&self) -> BackendResult<Vec<ResellerPools>> {
        let all = self.service.resellers_for(self.role)?;
        Ok(all.into_iter().map(|(reseller, pools)| ResellerPools { reseller, pools }).collect())
    }

    fn issue_keys(&self, reseller: ResellerId, order: &KeyOrder) -> BackendResult<IssuedKeys> {
        Ok(self.service.issue_keys_as(self.role, reseller, order)?)
    }

    fn add_reseller(&self, new: &NewResellerAccount) -> BackendResult<CreatedAccount<Reseller>> {
        let password = fresh_password();
        let account = self.service.add_reseller(&self.actor()?, &new.email, &new.name, &password.0, new.distributor)?;
        Ok(CreatedAccount { account, password })
    }

    fn reseller_action(&self, reseller: ResellerId, action: ResellerAction) -> BackendResult<Option<FreshPassword>> {
        let actor = self.actor()?;
        match action {
            ResellerAction::Disable | ResellerAction::Enable => {
                self.service.set_reseller_disabled(&actor, reseller, action == ResellerAction::Disable)?;
            }
            ResellerAction::ResetPassword => {
                let password = fresh_password();
                self.service.reset_reseller_password(&actor, reseller, &password.0)?;
                return Ok(Some(password));
            }
            ResellerAction::Delete => self.service.delete_reseller(&actor, reseller)?,
        }
        Ok(None)
    }

    fn add_pool(&self, order: &PoolOrder) -> BackendResult<Pool> {
        Ok(self.service.add_pool(&self.actor()?, order.reseller, order.edition, order.product, order.quantity)?)
    }

    fn pool_action(&self, contract: ContractId, action: PoolAction) -> BackendResult<Pool> {
        Ok(self.service.change_pool(&self.actor()?, contract, action)?)
    }

    fn staff(&self) -> BackendResult<Vec<Staff>> {
        Ok(self.service.staff(&self.actor()?)?)
    }

    fn add_staff(&self, new: &NewStaff) -> BackendResult<CreatedAccount<Staff>> {
        let password = fresh_password();
        let account = self.service.add_staff(&self.actor()?, &new.username, &password.0, new.role)?;
        Ok(CreatedAccount { account, password })
    }

    fn staff_action(&self, username: &str, action: &StaffAction) -> BackendResult<Option<FreshPassword>> {
        let actor = self.actor()?;
        match action {
            StaffAction::Disable | StaffAction::Enable => {
                self.service.set_staff_disabled(&actor, username, *action == StaffAction::Disable)?;
            }
            StaffAction::ResetPassword => {
                let password = fresh_password();
                self.service.set_staff_password(&actor, username, &password.0)?;
                return Ok(Some(password));
            }
            StaffAction::SetRole(role) => {
                self.service.set_staff_role(&actor, username, *role)?;
            }
            StaffAction::Delete => self.service.delete_staff(&actor, username)?,
        }
        Ok(None)
    }

    fn outbox(&self) -> BackendResult<Vec<OutboxEntry>> {
        Ok(self.service.outbox_for(&self.actor()?, 10_000)?)
    }

    fn smtp_sender(&self) -> BackendResult<Option<String>> {
        Ok(self.service.smtp_relay_for(&self.actor()?)?.map(|(_, from)| from))
    }

    fn set_smtp_relay(&self, relay: Option<(&str, &str)>) -> BackendResult<()> {
        Ok(self.service.set_smtp_relay(&self.actor()?, relay)?)
    }

    fn deliver_mail(&self) -> BackendResult<usize> {
        let Some((relay, _)) = self.service.smtp_relay_for(&self.actor()?)? else { return Ok(0) };
        // Called on a blocking thread of a runtime (the console's jobs, the server's
        // spawn_blocking): wait here for the async send.
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| BackendError::Failed("mail can only be sent from a runtime's blocking thread".into()))?;
        Ok(runtime.block_on(self.service.deliver_queued(&relay))?)
    }

    fn resend_mail(&self, id: i64) -> BackendResult<()> {
        Ok(self.service.requeue_mail(&self.actor()?, id)?)
    }

    fn activity(&self, query: &AuditQuery) -> BackendResult<Vec<AuditEntry>> {
        Ok(self.service.activity(&self.actor()?, query, 5_000)?)
    }

    fn telemetry(&self, filter: &TelemetryFilter) -> BackendResult<Vec<TelemetryRecord>> {
        Ok(self.service.telemetry_for(&self.actor()?, filter)?)
    }
}
