//! Sample data for `keydesk --demo`, so that every console view has something to show.
//!
//! Users go in through the store in one transaction, sharing one password hash: the
//! registration path hashes each password with Argon2id (~18 ms), which for 10,000 users
//! would take minutes. Everything else goes through the service, so that the sample data
//! obeys the same rules (and leaves the same audit entries and mails) as real data.

mod keys;
mod telemetry;
mod users;

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
use crate::domain::staff::Role;
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

use keys::{contract_keys, resellers_with_pools, stock_keys};
use telemetry::record_telemetry;
use users::{insert_users, queue_account_mails};

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
    progress("staff");
    staff_accounts(service, &distributors)?;
    progress("telemetry");
    record_telemetry(service, &active, &mut rng)?;
    Ok(DemoSummary { distributors: distributors.len(), users: users.len(), licenses, keys, resellers: RESELLERS.len() })
}

/// Staff who would use a remote profile on this database's `keydesk serve`: an owner, a
/// distributor's desk, and a reseller's, all with [`DEMO_PASSWORD`] twice (staff passwords
/// are at least ten characters).
fn staff_accounts(service: &Service, distributors: &[DemoDistributor; 2]) -> Result<(), ServiceError> {
    let owner = &Actor::Owner;
    let password = format!("{DEMO_PASSWORD}-{DEMO_PASSWORD}");
    service.add_staff(owner, "olivia.owner", &password, Role::Owner)?;
    service.add_staff(owner, "beta.desk", &password, Role::Distributor(distributors[1].id))?;
    let first_reseller = service.resellers(owner)?.into_iter().next();
    if let Some(reseller) = first_reseller {
        let desk = service.add_staff(owner, "nordic.desk", &password, Role::Reseller(reseller.id))?;
        service.set_staff_disabled(owner, &desk.username, true)?;
    }
    Ok(())
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
