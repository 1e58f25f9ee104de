//! One database with two editions of a product line, two resellers and their pools, and
//! the real server on 127.0.0.1.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use keydesk::client::keygen::{KeygenClient, Method, Reply};
use keydesk::domain::license::License;
use keydesk::domain::product::ProductId;
use keydesk::domain::reseller::{Edition, Pool, ResellerId};
use keydesk::service::{Actor, ManualClock, Service};
use keydesk::store::{DataKey, GeneratorFields, OutboxEntry, ProductFields, Store};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// The reseller holding both editions.
pub const SHOP: &str = "sales@shop.example";
pub const SHOP_PASSWORD: &str = "shop-secret-1";
/// The reseller holding the Professional edition only.
pub const SOLO: &str = "solo@reseller.example";
pub const SOLO_PASSWORD: &str = "solo-secret-1";

pub struct World {
    pub service: Service,
    pub client: KeygenClient,
    pub url: String,
    pub shop: ResellerId,
    pub solo: ResellerId,
    _dir: TempDir,
    _stop: oneshot::Sender<()>,
}

fn product(service: &Service, name: &str) -> ProductId {
    let fields = ProductFields::named(name, &format!("{name} for tests"));
    let id = service.create_product(&Actor::Owner, &fields).expect("product").id;
    let generator = GeneratorFields {
        prefix: "FTPS-".into(),
        ..GeneratorFields::chunks(id, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 4, 5)
    };
    service.create_generator(&Actor::Owner, &generator).expect("generator");
    id
}

impl World {
    /// Shop: 100 Professional and 50 Enterprise licenses. Solo: 10 Professional.
    pub async fn start() -> Self {
        Self::with_pools(100, 50, 10).await
    }

    pub async fn with_pools(shop_pro: u32, shop_ent: u32, solo_pro: u32) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(&dir.path().join("keygen.sqlite"), &DataKey::generate()).expect("store");
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 5, 4, 9, 0, 0).single().expect("time")));
        let service = Service::new(Arc::new(store), clock);
        let owner = &Actor::Owner;
        let pro = product(&service, "FTP Synchronizer Professional");
        let ent = product(&service, "FTP Synchronizer Enterprise");
        let shop = service.add_reseller(owner, SHOP, "Shop GmbH", SHOP_PASSWORD, None).expect("shop").id;
        let solo = service.add_reseller(owner, SOLO, "Solo Ltd", SOLO_PASSWORD, None).expect("solo").id;
        service.add_pool(owner, shop, Edition::Professional, pro, shop_pro).expect("shop pro");
        service.add_pool(owner, shop, Edition::Enterprise, ent, shop_ent).expect("shop ent");
        service.add_pool(owner, solo, Edition::Professional, pro, solo_pro).expect("solo pro");
        let (base, stop) = crate::server::start(&service).await;
        let url = format!("{base}/keygen");
        World { client: KeygenClient::new(&url).expect("client"), service, url, shop, solo, _dir: dir, _stop: stop }
    }

    pub async fn call(&self, method: Method, fields: &[(&str, &str)]) -> Reply {
        self.client.call(method, fields).await.expect("an answer")
    }

    /// A full order of `qty` licenses for Ada Lovelace by the shop, plus `extra` fields.
    pub async fn order(&self, method: Method, qty: &str, extra: &[(&str, &str)]) -> Reply {
        let mut fields = vec![
            ("reselleremail", SHOP),
            ("pwd", SHOP_PASSWORD),
            ("firstName", "Ada"),
            ("lastName", "Lovelace"),
            ("email", "ada@customer.example"),
            ("qty", qty),
        ];
        fields.extend_from_slice(extra);
        self.call(method, &fields).await
    }

    pub fn pool(&self, reseller: ResellerId, edition: Edition) -> Pool {
        let pools = self.service.pools(&Actor::Owner, reseller).expect("pools");
        pools.into_iter().find(|p| p.edition == edition).expect("the pool")
    }

    pub fn license(&self, key: &str) -> License {
        let found = self.service.store().read(|db| db.license_by_number(key)).expect("read");
        found.expect("the key is stored")
    }

    pub fn outbox(&self) -> Vec<OutboxEntry> {
        self.service.outbox(None, 1000).expect("outbox")
    }
}

/// The keys of a reply; panics on anything else.
pub fn keys(reply: Reply) -> Vec<String> {
    match reply {
        Reply::Keys(keys) => keys,
        other => panic!("expected keys, got {other:?}"),
    }
}
