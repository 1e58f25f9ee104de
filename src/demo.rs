//! Sample data for `keydesk --demo`, so that every console view has something to show.
//!
//! Users go in through the store in one transaction, sharing one password hash: the
//! registration path hashes each password with Argon2id (~18 ms), which for 10,000 users
//! would take minutes. Everything else goes through the service, so that the sample data
//! obeys the same rules (and leaves the same audit entries and mails) as real data.

use std::collections::HashSet;
use std::net::IpAddr;

use chrono::{DateTime, Days, Duration, Utc};
use rand::rngs::{OsRng, StdRng};
use rand::{Rng, SeedableRng};

use crate::domain::contract::{ContractRights, ContractTerms};
use crate::domain::distributor::{DistributorCode, DistributorId, DistributorSettings};
use crate::domain::generator::uuid_v4;
use crate::domain::license::{
    Feature, Features, KeyState, KeyTerms, LicenseStatus, LicenseType, ProductKind, SeatLimit,
};
use crate::domain::product::{ProductId, ProductSource};
use crate::domain::reseller::{Edition, KeyOrder};
use crate::domain::secret::{activation_code, license_number};
use crate::domain::telemetry::DataType;
use crate::domain::user::{Device, DeviceId, UserId, UserStatus, fold_key};
use crate::service::depots::DepotSpec;
use crate::service::licenses::LicenseTerms;
use crate::service::passwords::{hash_code, hash_password};
use crate::service::random::OsRandomBlocks;
use crate::service::resellers::Issuer;
use crate::service::telemetry::TelemetryInput;
use crate::service::{Actor, Service, ServiceError};
use crate::store::{Db, Downloadable, GeneratorFields, KeyFilter, LicenseChange, NewLicense, NewUser, ProductFields};

/// The password of every demo user and reseller, so that a newcomer can log in as any of them.
pub const DEMO_PASSWORD: &str = "demo-password";

/// How much the demo created, for the message shown when it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DemoSummary {
    pub distributors: usize,
    pub users: usize,
    /// Registration Server licenses: the users' and a few waiting for a user.
    pub licenses: usize,
    /// License keys of the products: stock, sold, drawn under contracts and issued by resellers.
    pub keys: usize,
    pub resellers: usize,
}

/// The same seed gives the same names, statuses and shares on every run ("keydesk" in ASCII).
const SEED: u64 = 0x006b_6579_6465_736b;
const USERS: usize = 10_000;
/// Percent of the users that belong to the default distributor.
const DEFAULT_SHARE: u32 = 70;
/// Users signed up evenly over this many days before now.
const HISTORY_DAYS: i64 = 730;
/// Licenses per distributor made without a user (volume orders not handed out yet).
const UNASSIGNED_LICENSES: usize = 25;
const RESERVED_PER_PRODUCT: usize = 10;
const TELEMETRY_KEYS: usize = 40;
const FLAGGED_KEYS: usize = 10;
const CHARSET: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

// Word lists, picked from by `pick`. Domains are reserved example domains: no demo mail can
// reach a real person, even when an SMTP relay is configured.
const FIRST_NAMES: &str = "Anna Ben Carla David Elena Felix Greta Hugo Ines Jonas Katrin Lars Maria Nils Olivia Paul \
    Rafael Sofia Tobias Ursula Victor Wendy Xavier Yasmin Zoe Liam Emma Noah Mia Lucas Chloe Mateo Aisha Kenji Priya";
const LAST_NAMES: &str = "Schmidt Mueller Garcia Rossi Dubois Jensen Novak Kowalski Smith Johnson Brown Tanaka Kim \
    Silva Costa Andersson Nielsen Weber Fischer Meyer Lopez Martin Moreau Wagner Becker Keller Huber Okafor Patel Chen";
const DOMAINS: &str = "example.com example.org example.net mail.example.com corp.example";
const LANGUAGES: &str = "en en en de fr es nl it";
const DEPARTMENTS: &str = "Sales IT Finance Marketing Support";
const DEVICE_KINDS: &str = "LAPTOP DESKTOP MACBOOK NAS OFFICE-PC";
const PLATFORMS: &str = "win mac linux";
const CLIENT_VERSIONS: &str = "4.2.0 4.1.3 4.0.9";

/// A product with its generator, releases and the fate of its stock.
struct ProductSpec {
    name: &'static str,
    description: &'static str,
    method: &'static str,
    function: &'static str,
    chunks: u32,
    prefix: &'static str,
    activation_limit: u32,
    validity_days: u32,
    stock: u64,
    sold: usize,
    releases: &'static [(u32, &'static str)],
    /// Whether the second distributor sells it (its keys are then that one's licenses).
    of_beta: bool,
}

const PRO: ProductSpec = ProductSpec {
    name: "FTP Synchronizer Professional",
    description: "Two-way folder synchronisation over FTP, FTPS and SFTP for one workstation.",
    method: "chunk-system",
    function: "",
    chunks: 4,
    prefix: "FSP-",
    activation_limit: 3,
    validity_days: 365,
    stock: 1_500,
    sold: 250,
    releases: &[(410, "4.1.0"), (420, "4.2.0")],
    of_beta: false,
};
const ENT: ProductSpec = ProductSpec {
    name: "FTP Synchronizer Enterprise",
    description: "Scheduled synchronisation jobs, a service mode and central logging for teams.",
    method: "custom",
    function: "readable-25",
    chunks: 0,
    prefix: "FSE-",
    activation_limit: 10,
    validity_days: 0,
    stock: 800,
    sold: 60,
    ..PRO
};
const VAULT: ProductSpec = ProductSpec {
    name: "Backup Vault",
    description: "Encrypted, versioned backups to a NAS or the cloud.",
    method: "uuid",
    chunks: 0,
    prefix: "BV-",
    activation_limit: 1,
    validity_days: 90,
    stock: 1_000,
    sold: 150,
    releases: &[(200, "2.0.0")],
    of_beta: true,
    ..PRO
};

/// A reseller: e-mail, name, pools (edition, licenses), and whether it sells for the second distributor.
type ResellerSpec = (&'static str, &'static str, &'static [(Edition, u32)], bool);

const RESELLERS: [ResellerSpec; 3] = [
    ("sales@nordic.example", "Nordic Software AS", &[(Edition::Professional, 200), (Edition::Enterprise, 50)], false),
    ("orders@pacific-it.example", "Pacific IT Solutions", &[(Edition::Professional, 100)], false),
    ("lizenzen@datawerk.example", "Datawerk GmbH", &[(Edition::Enterprise, 40)], true),
];

struct DemoDistributor {
    id: DistributorId,
    code: &'static str,
    /// The depot server of the distributor's users.
    host: &'static str,
}

struct DemoProduct {
    id: ProductId,
    spec: &'static ProductSpec,
}

struct Products {
    pro: DemoProduct,
    ent: DemoProduct,
    vault: DemoProduct,
}

/// A user of the bulk phase, for the later phases that act on a few of them.
struct SeededUser {
    username: String,
    status: UserStatus,
    host: &'static str,
}

/// A buyer of license keys (not a registered user): the name and e-mail on the key.
struct Customer {
    first: &'static str,
    last: &'static str,
    email: String,
}

/// A sold key in use on an installation, which telemetry comes from.
struct ActiveKey {
    key: String,
    identifier: String,
    product: ProductId,
    version: &'static str,
    owner: Customer,
}

/// Fills an empty database with sample data. Deterministic (seeded RNG) apart from the keys themselves.
pub fn seed(service: &Service, progress: &mut dyn FnMut(&str)) -> Result<DemoSummary, ServiceError> {
    // Refused early: demo users mixed into real data could not be told apart again.
    if !service.distributors(&Actor::Owner)?.is_empty() {
        return Err(ServiceError::AlreadyExists("a distributor (the demo fills only an empty database)".into()));
    }
    let mut rng = StdRng::seed_from_u64(SEED);
    progress("distributors");
    let distributors = [
        create_distributor(service, "ACME", "Acme Software Distribution", "https://depot.acme.example")?,
        create_distributor(service, "BETA", "Beta Partners Europe", "https://depot.beta.example")?,
    ];
    progress("products");
    let beta = distributors[1].id;
    let products = Products {
        pro: create_product(service, &PRO, beta)?,
        ent: create_product(service, &ENT, beta)?,
        vault: create_product(service, &VAULT, beta)?,
    };
    progress("users");
    let (users, licenses) = insert_users(service, &distributors, &mut rng)?;
    progress("mails");
    queue_account_mails(service, &users)?;
    progress("license keys");
    let mut keys = 0;
    let mut active = Vec::new();
    for product in [&products.pro, &products.ent, &products.vault] {
        keys += stock_keys(service, product, &mut rng, &mut active)?;
    }
    progress("contracts");
    keys += contract_keys(service, &products, &mut rng)?;
    progress("resellers");
    keys += resellers_with_pools(service, &products, beta, &mut rng)?;
    progress("telemetry");
    record_telemetry(service, &active, &mut rng)?;
    Ok(DemoSummary { distributors: distributors.len(), users: users.len(), licenses, keys, resellers: RESELLERS.len() })
}

/// One word of a space-separated list.
fn pick(rng: &mut StdRng, words: &'static str) -> &'static str {
    let count = words.split_whitespace().count();
    words.split_whitespace().nth(rng.gen_range(0..count)).unwrap_or(words)
}

/// The first one is the default distributor; the other lets it act on its behalf. Both
/// answer API calls from this machine, so that a newcomer can try the XML API locally.
fn create_distributor(
    service: &Service,
    code: &'static str,
    name: &str,
    host: &'static str,
) -> Result<DemoDistributor, ServiceError> {
    let is_default = code == "ACME";
    let parsed = DistributorCode::parse(code).map_err(|_| ServiceError::InvalidDistributor)?;
    let settings = DistributorSettings {
        allowed_ips: vec![IpAddr::from([127, 0, 0, 1])],
        allow_select: !is_default,
        depot_host_url: Some(host.to_owned()),
        ..DistributorSettings::default()
    };
    let (distributor, _salt) = service.create_distributor(&Actor::Owner, parsed, name, is_default, settings)?;
    Ok(DemoDistributor { id: distributor.id, code, host })
}

/// A product with its generator, meta and published releases (whose files do not exist, so
/// that a download answers "missing").
fn create_product(
    service: &Service,
    spec: &'static ProductSpec,
    beta: DistributorId,
) -> Result<DemoProduct, ServiceError> {
    let owner = &Actor::Owner;
    let fields = ProductFields {
        name: spec.name.into(),
        description: spec.description.into(),
        source: ProductSource::Internal,
        external_reference: String::new(),
        active: true,
        require_non_expired: false,
        post_url: String::new(),
        distributor: spec.of_beta.then_some(beta),
    };
    let id = service.create_product(owner, &fields)?.id;
    let generator = GeneratorFields {
        product: id,
        method: spec.method.into(),
        prefix: spec.prefix.into(),
        suffix: String::new(),
        function_name: spec.function.into(),
        number_of_chunks: spec.chunks,
        chunk_length: if spec.chunks > 0 { 5 } else { 0 },
        charset: CHARSET.into(),
        activation_limit: spec.activation_limit,
        validity_days: spec.validity_days,
        active: true,
    };
    service.create_generator(owner, &generator)?;
    service.create_product_meta(owner, id, "support-email", "support@keydesk.example")?;
    service.create_product_meta(owner, id, "channel", "stable")?;
    for (age, (numeric_version, version)) in spec.releases.iter().rev().enumerate() {
        let release = Downloadable {
            id: 0,
            product: id,
            numeric_version: *numeric_version,
            version: (*version).into(),
            update_summary: format!("Release {version}"),
            changelog: "Faster transfers, and fixes for resumed uploads.".into(),
            published: true,
            release_date: service.now() - Duration::days(30 + 120 * age as i64),
            download_counter: 0,
            file_path: format!("releases/{}-{version}.zip", id.0),
        };
        service.add_downloadable(owner, &release)?;
    }
    Ok(DemoProduct { id, spec })
}

/// Inserts all users, with their devices, depots and licenses, in one write transaction.
/// Returns the users and how many licenses were made.
fn insert_users(
    service: &Service,
    distributors: &[DemoDistributor; 2],
    rng: &mut StdRng,
) -> Result<(Vec<SeededUser>, usize), ServiceError> {
    let password_hash = hash_password(DEMO_PASSWORD)?;
    let now = service.now();
    service.store().write(|db| {
        let numbers = OsRandomBlocks::default();
        UserSeeder { db, rng, numbers, password_hash, taken: HashSet::new(), now }.all_users(distributors)
    })
}

/// The bulk phase's state inside its transaction.
struct UserSeeder<'s, 'db> {
    db: &'s Db<'db>,
    rng: &'s mut StdRng,
    /// License numbers and activation codes are secrets: they come from the OS, not the seed.
    numbers: OsRandomBlocks,
    password_hash: String,
    taken: HashSet<String>,
    now: DateTime<Utc>,
}

/// A license's owner: id, username, e-mail.
type Holder<'a> = (UserId, &'a str, &'a str);

impl UserSeeder<'_, '_> {
    fn all_users(&mut self, distributors: &[DemoDistributor; 2]) -> Result<(Vec<SeededUser>, usize), ServiceError> {
        let (mut users, mut licenses) = (Vec::with_capacity(USERS), 0);
        for index in 0..USERS {
            let home = if self.rng.gen_range(0..100) < DEFAULT_SHARE { &distributors[0] } else { &distributors[1] };
            let age = Duration::seconds(HISTORY_DAYS * 86_400 * (USERS - index) as i64 / USERS as i64);
            let (user, held) = self.user(home, self.now - age)?;
            licenses += held;
            users.push(user);
        }
        for home in distributors {
            for _ in 0..UNASSIGNED_LICENSES {
                let terms = LicenseTerms {
                    features: Features::default().with(Feature::Professional),
                    limit: SeatLimit(5),
                    reference: "Volume order".into(),
                    ..LicenseTerms::default_license()
                };
                self.license(home, None, &terms, false, &[], self.now)?;
                licenses += 1;
            }
        }
        let detail = format!("{} users, {licenses} licenses", users.len());
        self.db.record_audit(self.now, &Actor::Owner.label(), "seed-demo", "users", &detail)?;
        Ok((users, licenses))
    }

    /// A user; unless never activated, with devices, maybe a depot, and licenses.
    fn user(&mut self, home: &DemoDistributor, created: DateTime<Utc>) -> Result<(SeededUser, usize), ServiceError> {
        let (first, last) = (pick(self.rng, FIRST_NAMES), pick(self.rng, LAST_NAMES));
        let username = self.unique_username(first, last);
        let email = format!("{username}@{}", pick(self.rng, DOMAINS));
        let status = match self.rng.gen_range(0..100) {
            0..85 => UserStatus::Activated,
            85..95 => UserStatus::Inactive,
            95..99 => UserStatus::Disabled,
            _ => UserStatus::ToDelete,
        };
        let inactive = status == UserStatus::Inactive;
        let id = self.db.insert_user(&NewUser {
            distributor: home.id,
            username_key: fold_key(&username),
            username: username.clone(),
            email_key: fold_key(&email),
            email: email.clone(),
            password_hash: self.password_hash.clone(),
            status,
            language: pick(self.rng, LANGUAGES).into(),
            reference: if self.rng.gen_bool(0.2) {
                format!("CRM-{}", self.rng.gen_range(10_000..100_000))
            } else {
                String::new()
            },
            department: if self.rng.gen_bool(0.5) { pick(self.rng, DEPARTMENTS).into() } else { String::new() },
            activation_code_hash: inactive.then(|| hash_code(&activation_code(&mut self.numbers))),
            created_at: created,
        })?;
        let mut held = 0;
        if !inactive {
            let devices = self.devices(id, first, created)?;
            if status == UserStatus::Activated && self.rng.gen_bool(0.15) {
                let depot_id = self.rng.gen_range(100_000..1_000_000).to_string();
                let raw = format!("<depot><id>{depot_id}</id><host>{}</host></depot>", home.host);
                self.db.insert_depot(id, &depot_id, home.host, true, &raw, created)?;
            }
            held = self.licenses(home, (id, &username, &email), &devices, created)?;
        }
        Ok((SeededUser { username, status, host: home.host }, held))
    }

    /// `first.last`, with a number when someone has that name already.
    fn unique_username(&mut self, first: &str, last: &str) -> String {
        let base = format!("{first}.{last}").to_lowercase();
        let mut name = base.clone();
        while !self.taken.insert(name.clone()) {
            name = format!("{base}{}", self.rng.gen_range(2..1000));
        }
        name
    }

    fn devices(&mut self, user: UserId, first: &str, created: DateTime<Utc>) -> Result<Vec<DeviceId>, ServiceError> {
        let mut devices = Vec::new();
        for _ in 0..self.rng.gen_range(0..=3) {
            let name = format!("{}-{}", first.to_uppercase(), pick(self.rng, DEVICE_KINDS));
            let (platform, version) = (pick(self.rng, PLATFORMS), pick(self.rng, CLIENT_VERSIONS));
            let at = (created + Duration::days(self.rng.gen_range(0..30))).min(self.now);
            devices.push(self.db.insert_device(user, &name, platform, version, at)?);
        }
        Ok(devices)
    }

    /// Most users hold the free personal license (their default), some a paid one, a few a server.
    fn licenses(
        &mut self,
        home: &DemoDistributor,
        holder: Holder<'_>,
        devices: &[DeviceId],
        created: DateTime<Utc>,
    ) -> Result<usize, ServiceError> {
        let offers = [
            (0.7, LicenseTerms::default_license(), true),
            (0.2, self.paid_terms(ProductKind::Client, LicenseType::Yearly, Feature::Professional, 3, 400), false),
            (0.03, self.paid_terms(ProductKind::Server, LicenseType::Monthly, Feature::Enterprise, 0, 45), false),
        ];
        let mut held = 0;
        for (share, terms, is_default) in offers {
            if self.rng.gen_bool(share) {
                self.license(home, Some(holder), &terms, is_default, devices, created)?;
                held += 1;
            }
        }
        Ok(held)
    }

    /// A license as the service makes it, held by the owner's devices up to its seats (the
    /// "used" count); a few are deactivated.
    fn license(
        &mut self,
        home: &DemoDistributor,
        holder: Option<Holder<'_>>,
        terms: &LicenseTerms,
        is_default: bool,
        devices: &[DeviceId],
        created_at: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let number = self.fresh_number(home.code)?;
        let id = self.db.insert_license(&NewLicense {
            number,
            distributor: Some(home.id),
            owner: holder.map(|h| h.0),
            product: terms.product,
            license_type: terms.license_type,
            features: terms.features,
            limit: terms.limit,
            valid_until: terms.valid_until,
            is_default,
            reference: terms.reference.clone(),
            contract_number: terms.contract_number.clone(),
            change_id: terms.change_id.clone(),
            created_at,
        })?;
        if let Some((_, username, email)) = holder {
            self.db.set_license_owner_contact(id, username, email)?;
        }
        let seats = if terms.product == ProductKind::Client { terms.limit.0 as usize } else { 0 };
        for device in devices.iter().take(seats) {
            self.db.add_activation(id, &Device::activation_identifier(*device), Some(*device), created_at)?;
        }
        if self.rng.gen_bool(0.03) {
            let change = LicenseChange { status: Some(LicenseStatus::Deactivated), ..LicenseChange::default() };
            self.db.change_license(id, &change, self.now)?;
        }
        Ok(())
    }

    /// A license number no other license has, drawn as the service draws them.
    fn fresh_number(&mut self, code: &str) -> Result<String, ServiceError> {
        loop {
            let candidate = license_number(&mut self.numbers, code);
            if !self.db.license_number_taken(&candidate)? {
                return Ok(candidate);
            }
        }
    }

    /// A paid license bought up to `max_age` days ago, so that some have run out.
    fn paid_terms(
        &mut self,
        product: ProductKind,
        license_type: LicenseType,
        edition: Feature,
        seats: u32,
        max_age: u64,
    ) -> LicenseTerms {
        let start = self.now.date_naive().checked_sub_days(Days::new(self.rng.gen_range(0..max_age)));
        LicenseTerms {
            product,
            license_type,
            features: Features::default().with(edition).with(Feature::WebDavs),
            limit: SeatLimit(seats),
            valid_until: start.and_then(|day| license_type.default_valid_until(day)),
            contract_number: format!("C-{}", self.rng.gen_range(100_000..1_000_000)),
            ..LicenseTerms::default_license()
        }
    }
}

/// Activation reminders, temporary passwords and depot invitations, so that the outbox
/// holds each kind of account mail.
fn queue_account_mails(service: &Service, users: &[SeededUser]) -> Result<(), ServiceError> {
    let owner = &Actor::Owner;
    for user in users.iter().filter(|u| u.status == UserStatus::Inactive).take(6) {
        service.resend_activation(owner, &user.username)?;
    }
    let active: Vec<&SeededUser> = users.iter().filter(|u| u.status == UserStatus::Activated).collect();
    for user in active.iter().step_by(997).take(3) {
        service.send_password(owner, &user.username)?;
    }
    for (n, user) in active.iter().skip(5).step_by(1499).take(4).enumerate() {
        let depot = DepotSpec { depot_id: format!("team-{}", n + 1), host_url: user.host.into(), raw: String::new() };
        service.set_depot(owner, &user.username, &depot, true)?;
    }
    Ok(())
}

impl Customer {
    fn draw(rng: &mut StdRng) -> Self {
        let (first, last) = (pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES));
        Self { first, last, email: format!("{first}.{last}@{}", pick(rng, DOMAINS)).to_lowercase() }
    }

    fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// A product's stock: some keys sold (most activated), some reserved; of the sold ones a few
/// carry an order number and a few are blocked. Returns how many keys were made.
fn stock_keys(
    service: &Service,
    product: &DemoProduct,
    rng: &mut StdRng,
    active: &mut Vec<ActiveKey>,
) -> Result<usize, ServiceError> {
    let owner = &Actor::Owner;
    let made = service.generate_stock(owner, product.id, product.spec.stock, |_| true)?;
    let wanted = (product.spec.sold + RESERVED_PER_PRODUCT) as u32;
    let filter = KeyFilter {
        product: Some(product.id),
        state: Some(KeyState::Available),
        page: 1,
        per_page: wanted,
        ..KeyFilter::default()
    };
    let available = service.keys(&filter)?;
    let (sold, reserved) = available.split_at(product.spec.sold.min(available.len()));
    let mut sales = Vec::new();
    for license in sold {
        sales.extend(sell_key(service, product, &license.number, rng)?);
    }
    for sale in sales.iter().take(20) {
        service.create_key_meta(owner, &sale.key, "order_id", &format!("ORD-{}", rng.gen_range(100_000..1_000_000)))?;
    }
    for sale in sales.iter().rev().take(5) {
        change_state(service, product, &sale.key, KeyState::Blocked, Some(&sale.owner))?;
    }
    for license in reserved {
        change_state(service, product, &license.number, KeyState::Reserved, None)?;
    }
    active.extend(sales);
    Ok(made as usize)
}

/// Sells a key: most buyers activate it on one to three machines, some never do.
fn sell_key(
    service: &Service,
    product: &DemoProduct,
    key: &str,
    rng: &mut StdRng,
) -> Result<Option<ActiveKey>, ServiceError> {
    let owner = &Actor::Owner;
    let customer = Customer::draw(rng);
    if rng.gen_bool(0.2) {
        service.assign_key(owner, key, &customer.name(), &customer.email)?;
        return Ok(None);
    }
    let identifier = format!("{}-{:04X}", customer.first.to_uppercase(), rng.gen_range(0..0x10000));
    let name = customer.name();
    service.assign_and_activate(owner, key, (name.as_str(), customer.email.as_str()), &identifier, "")?;
    let spare = product.spec.activation_limit.saturating_sub(1).min(2);
    for n in 0..rng.gen_range(0..=spare) {
        service.activate_key(owner, key, &format!("{identifier}-{}", n + 2), "")?;
    }
    let version = product.spec.releases.last().map_or("1.0.0", |release| release.1);
    Ok(Some(ActiveKey { key: key.into(), identifier, product: product.id, version, owner: customer }))
}

/// Puts a key in another state, keeping the product's terms and the owner given.
fn change_state(
    service: &Service,
    product: &DemoProduct,
    key: &str,
    state: KeyState,
    owner: Option<&Customer>,
) -> Result<(), ServiceError> {
    let terms = KeyTerms {
        product: product.id,
        owner_name: owner.map_or_else(String::new, Customer::name),
        owner_email: owner.map_or_else(String::new, |c| c.email.clone()),
        activation_limit: product.spec.activation_limit,
        validity_days: product.spec.validity_days,
        state,
        assigned_at: None,
    };
    service.update_key(&Actor::Owner, key, &terms)
}

/// A web shop and a hardware partner that draw keys themselves through the Contracts API.
/// Returns how many keys they drew.
fn contract_keys(service: &Service, products: &Products, rng: &mut StdRng) -> Result<usize, ServiceError> {
    let shop = ContractRights { get_info: true, generate: true, ..ContractRights::default() };
    let partner = ContractRights { get_info: true, generate: true, destroy: true, destroy_all: true };
    let mut drawn = 0;
    for (product, name, rights) in [(&products.pro, "Web shop", shop), (&products.vault, "NAS bundle partner", partner)]
    {
        let terms = ContractTerms {
            contract_key: uuid_v4(&mut OsRng),
            name: name.into(),
            information: format!("{} sold through the {name}", product.spec.name),
            product: product.id,
            quantity: 500,
            active: true,
            rights,
        };
        service.create_contract(&Actor::Owner, &terms)?;
        for n in 0..9 {
            let customer = Customer::draw(rng);
            let name = customer.name();
            // The last draw is left unassigned, for the holder to hand out later.
            let owner = (n < 8).then_some((name.as_str(), customer.email.as_str()));
            let quantity = if n < 8 { rng.gen_range(1..=3) } else { 10 };
            drawn += service.contract_generate(&Actor::Owner, &terms.contract_key, quantity, owner, false)?.1.len();
        }
    }
    Ok(drawn)
}

/// Resellers with their pools, and the keys they issued: a few orders each, the last one in
/// test mode (its mail goes to the reseller). Returns how many keys were issued.
fn resellers_with_pools(
    service: &Service,
    products: &Products,
    beta: DistributorId,
    rng: &mut StdRng,
) -> Result<usize, ServiceError> {
    let owner = &Actor::Owner;
    let mut issued = 0;
    for (email, name, pools, of_beta) in RESELLERS {
        let reseller = service.add_reseller(owner, email, name, DEMO_PASSWORD, of_beta.then_some(beta))?.id;
        for &(edition, quantity) in pools {
            let product = if edition == Edition::Professional { products.pro.id } else { products.ent.id };
            service.add_pool(owner, reseller, edition, product, quantity)?;
        }
        for (n, &(edition, _)) in pools.iter().cycle().take(4).enumerate() {
            let customer = Customer::draw(rng);
            let order = KeyOrder {
                first_name: customer.first.into(),
                last_name: customer.last.into(),
                email: customer.email,
                quantity: rng.gen_range(1..=5),
                edition: Some(edition),
                test_mode: n == 3,
            };
            issued += service.issue_keys(Issuer::Operator(owner), reseller, &order)?.keys.len();
        }
    }
    Ok(issued)
}

/// Series of usage numbers from installations, and from some of them an error text and
/// records that raise the red flag.
fn record_telemetry(service: &Service, active: &[ActiveKey], rng: &mut StdRng) -> Result<(), ServiceError> {
    for (n, key) in active.iter().take(TELEMETRY_KEYS).enumerate() {
        for _ in 0..5 {
            send(service, numeric(key, &format!("{:.1}", rng.gen_range(2.0..90.0))))?;
        }
        send(
            service,
            TelemetryInput {
                data_type: Some(DataType::NumericXy.as_str().into()),
                numeric_x: Some(rng.gen_range(10..5_000).to_string()),
                numeric_y: Some(rng.gen_range(1..600).to_string()),
                ..installation(key, "files-vs-seconds")
            },
        )?;
        if n < FLAGGED_KEYS {
            for record in oddities(key) {
                send(service, record)?;
            }
        }
    }
    Ok(())
}

/// An error text; an unknown key, an installation the key is not active on and an
/// unpublished version, each of which raises the red flag; and a malformed value.
fn oddities(key: &ActiveKey) -> [TelemetryInput; 5] {
    let text = Some("Connection reset by peer during upload".to_owned());
    [
        TelemetryInput { data_type: Some(DataType::Text.as_str().into()), text, ..installation(key, "errors") },
        TelemetryInput { license_key: Some(format!("{}-FORGED", key.key)), ..numeric(key, "12.5") },
        TelemetryInput { activation_identifier: Some("UNKNOWN-HOST".into()), ..numeric(key, "12.5") },
        TelemetryInput { product_version: Some("0.9.0-cracked".into()), ..numeric(key, "12.5") },
        numeric(key, "fast"),
    ]
}

/// A sync duration as the installation behind `key` reports it.
fn numeric(key: &ActiveKey, value: &str) -> TelemetryInput {
    TelemetryInput {
        data_type: Some(DataType::NumericSingle.as_str().into()),
        numeric_single: Some(value.into()),
        ..installation(key, "sync-duration-seconds")
    }
}

/// A record as the installation behind `key` sends it, before its value.
fn installation(key: &ActiveKey, group: &str) -> TelemetryInput {
    TelemetryInput {
        data_group: Some(group.into()),
        product_id: Some(key.product.0.to_string()),
        user_identifier: Some(key.owner.email.clone()),
        license_key: Some(key.key.clone()),
        activation_identifier: Some(key.identifier.clone()),
        product_version: Some(key.version.into()),
        ..TelemetryInput::default()
    }
}

fn send(service: &Service, input: TelemetryInput) -> Result<(), ServiceError> {
    service.record_telemetry(&Actor::Owner, &input).map(|_| ())
}
