//! The interop profiles against keydesk's own faces on 127.0.0.1: the Registration Server
//! profile through the XML API client alone, the license key server profile through the
//! REST client alone. The same code would talk to a real peer.

mod console;

use std::sync::Arc;

use keydesk::backend::{Area, Backend, BackendError, LicenseAction, NewLicenseOrder, UserAction};
use keydesk::client::peers::{KeyServerBackend, RegistrationServerBackend};
use keydesk::domain::contract::ContractRights;
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::domain::endpoint::Capabilities;
use keydesk::domain::license::{KeyState, LicenseStatus, LicenseType, ProductKind};
use keydesk::domain::reseller::Edition;
use keydesk::domain::user::UserStatus;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, GeneratorFields, LicenseQuery, ProductFields, Store, TelemetryFilter, UserOrder};
use tempfile::TempDir;
use tokio::sync::oneshot;

#[path = "../support/people.rs"]
mod people;
#[path = "../support/server.rs"]
mod server;

pub use people::registration;

/// keydesk serving a database with one distributor (ACME, from 127.0.0.1) and an API key.
pub struct Peer {
    pub service: Service,
    pub base: String,
    pub salt: String,
    pub api_key: String,
    _stop: oneshot::Sender<()>,
    _runtime: tokio::runtime::Runtime,
    _dir: TempDir,
}

impl Peer {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("peer.sqlite"), &DataKey::generate()).expect("store");
        let service = Service::new(Arc::new(store), Arc::new(SystemClock));
        let settings = DistributorSettings {
            allowed_ips: vec!["127.0.0.1".parse().expect("ip")],
            ..DistributorSettings::default()
        };
        let code = DistributorCode::parse("ACME").expect("code");
        let (_, salt) = service.create_distributor(&Actor::Owner, code, "Acme", true, settings).expect("distributor");
        let (_, api_key) = service.create_api_key(&Actor::Owner, "console", Capabilities::All, &[]).expect("api key");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let (base, stop) = runtime.block_on(server::start(&service));
        Peer { service, base, salt, api_key, _stop: stop, _runtime: runtime, _dir: dir }
    }

    pub fn registration_url(&self) -> String {
        format!("{}{}", self.base, keydesk::server::TDRS_PATHS[0])
    }
}

#[test]
fn a_registration_server_profile_drives_users_and_licenses_through_the_xml_api() {
    let peer = Peer::start();
    let wrong = RegistrationServerBackend::new(&peer.registration_url(), "ACME", "not-the-salt");
    assert!(matches!(wrong, Err(BackendError::Unauthorized(_))), "a wrong salt is said at once");
    let rs = RegistrationServerBackend::new(&peer.registration_url(), "ACME", &peer.salt).expect("profile");
    assert!(rs.unavailable(Area::Users).is_none() && rs.unavailable(Area::Licenses).is_none());
    let products = rs.unavailable(Area::Products).expect("no products on a Registration Server");
    assert!(products.contains("Registration Server"), "{products}");
    assert!(matches!(rs.products(), Err(BackendError::Refused(_))));
    let acme = rs.distributors().expect("distributors")[0].id;
    assert!(
        matches!(rs.users(UserOrder::Username, false, 0, 50), Err(BackendError::Refused(m)) if m.contains("search"))
    );
    let alice = rs.register_user(acme, &registration("alice.walker")).expect("registered");
    rs.register_user(acme, &registration("albert.king")).expect("registered");
    assert_eq!(alice.username, "alice.walker");
    let found = rs.search_users("al*", "", 50);
    assert!(matches!(found, Err(BackendError::Refused(_))), "two characters are too few: {found:?}");
    let found = rs.search_users("", "*@example.com", 50).expect("search");
    assert_eq!(found.total, 2);
    assert_eq!(
        peer.service.user_named(&Actor::Owner, "alice.walker").expect("stored").email,
        "alice.walker@example.com"
    );
    let activate = rs.user_action("alice.walker", &UserAction::Activate);
    assert!(matches!(activate, Err(BackendError::Refused(_))), "activation needs the mailed code: {activate:?}");
    peer.service.set_user_status(&Actor::Owner, "alice.walker", UserStatus::Activated).expect("activated");
    rs.user_action("alice.walker", &UserAction::SetReference("CRM-7".into())).expect("reference");
    let alice = rs.search_users("alice.walker", "", 1).expect("exact").rows.remove(0);
    let overview = rs.user(alice.id).expect("overview");
    assert_eq!((overview.user.reference.as_str(), overview.user.status), ("CRM-7", UserStatus::Activated));
    let order = NewLicenseOrder {
        distributor: acme,
        owner: Some("alice.walker".into()),
        product: ProductKind::Client,
        license_type: LicenseType::Permanent,
        features: String::new(),
        seats: 3,
        reference: "PO-1".into(),
    };
    let featureless = rs.create_license(&order);
    assert!(matches!(&featureless, Err(BackendError::Refused(m)) if m.contains("features")), "{featureless:?}");
    let order = NewLicenseOrder { features: "professional".into(), ..order };
    let made = rs.create_license(&order).expect("license");
    let theirs = LicenseQuery { owner: "alice.walker".into(), ..LicenseQuery::default() };
    assert!(matches!(rs.licenses(&LicenseQuery::default(), 0, 50), Err(BackendError::Refused(_))));
    let window = rs.licenses(&theirs, 0, 50).expect("alice's licenses");
    // Activation gave alice her default license too.
    assert_eq!(window.total, 2);
    assert!(window.rows.iter().any(|l| l.number == made.number && l.limit.0 == 3), "{:?}", window.rows);
    rs.license_action(&made.number, &LicenseAction::Deactivate).expect("deactivate");
    let stored = peer.service.licenses_window(&Actor::Owner, &LicenseQuery::default(), 0, 10).expect("stored");
    let stored = stored.rows.iter().find(|l| l.number == made.number).map(|l| l.status);
    assert_eq!(stored, Some(LicenseStatus::Deactivated), "the peer itself changed");
    let again = rs.licenses(&theirs, 0, 50).expect("again").rows;
    assert_eq!(again.iter().find(|l| l.number == made.number).map(|l| l.status), Some(LicenseStatus::Deactivated));
}

#[test]
fn a_license_key_server_profile_drives_products_licenses_and_contracts_through_the_rest_api() {
    let peer = Peer::start();
    let dead = KeyServerBackend::new("http://127.0.0.1:9", "secret-api-key-123");
    assert!(
        matches!(&dead, Err(BackendError::Failed(m)) if !m.contains("secret-api-key")),
        "no key in the text: {:?}",
        dead.err()
    );
    let wrong = KeyServerBackend::new(&peer.base, "not-a-key");
    assert!(matches!(wrong, Err(BackendError::Unauthorized(_))), "a wrong API key is said at once");
    let ks = KeyServerBackend::new(&peer.base, &peer.api_key).expect("profile");
    for area in [Area::Products, Area::Licenses, Area::Contracts] {
        assert!(ks.unavailable(area).is_none(), "{area:?}");
    }
    assert!(ks.unavailable(Area::Users).is_some());
    assert!(matches!(ks.users(UserOrder::Username, false, 0, 10), Err(BackendError::Refused(_))));
    let product = ks.create_product(&ProductFields::named("Suite", "The office suite")).expect("product");
    assert_eq!(ks.products().expect("products").iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["Suite"]);
    let charset = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let generator = GeneratorFields { prefix: "SU-".into(), ..GeneratorFields::chunks(product.id, charset, 4, 5) };
    peer.service.create_generator(&Actor::Owner, &generator).expect("generator");
    assert_eq!(ks.generators().expect("generators")[0].prefix, "SU-");
    let keys = vec!["IMPORTED-0001".to_owned(), "IMPORTED-0002".to_owned()];
    assert_eq!(ks.import_keys(product.id, &keys).expect("import").0, 2);
    let mut seen = Vec::new();
    let made = ks
        .generate_stock(product.id, 2_500, &mut |done| {
            seen.push(done);
            true
        })
        .expect("stock");
    assert_eq!(made, 2_500);
    assert!(seen.len() >= 3, "progress after each batch: {seen:?}");
    let of_product = LicenseQuery { product: Some(product.id), ..LicenseQuery::default() };
    assert_eq!(ks.licenses(&of_product, 0, 10).expect("keys").total, 2_502);
    ks.license_action("IMPORTED-0001", &LicenseAction::Deactivate).expect("block");
    let blocked = LicenseQuery { key_state: Some(KeyState::Blocked), ..LicenseQuery::default() };
    let window = ks.licenses(&blocked, 0, 10).expect("blocked");
    assert_eq!(window.rows.iter().map(|l| l.number.as_str()).collect::<Vec<_>>(), vec!["IMPORTED-0001"]);
    // Contracts: a reseller's pool is a contract the REST API lists.
    let shop =
        peer.service.add_reseller(&Actor::Owner, "shop@example.com", "Shop", "shop-secret-1", None).expect("shop");
    peer.service.add_pool(&Actor::Owner, shop.id, Edition::Professional, product.id, 10).expect("pool");
    let pools = ks.resellers().expect("contracts").remove(0).pools;
    assert_eq!(pools.len(), 1);
    let rights = ContractRights { get_info: true, generate: true, destroy: false, destroy_all: false };
    ks.set_contract_rights(pools[0].contract.id, rights).expect("rights");
    assert_eq!(ks.resellers().expect("again")[0].pools[0].contract.terms.rights, rights);
    assert!(ks.telemetry(&TelemetryFilter::default()).expect("telemetry").is_empty());
}
