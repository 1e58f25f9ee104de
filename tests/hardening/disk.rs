//! A full disk and a read-only database, on a real small file system: a tmpfs mounted for the
//! test (which needs root, as CI runs here; elsewhere the tests say so and pass without it).
//! A write that does not fit is refused whole with a sentence that says why, the server goes
//! on answering, and the same write succeeds once there is room; a read-only file is refused
//! at start with a clear message, before anything is written.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use keydesk::client::console::{ConsoleClient, ConsoleClientError, Retry};
use keydesk::domain::endpoint::Capabilities;
use keydesk::domain::limits::MAX_ORDER;
use keydesk::domain::reseller::Edition;
use keydesk::domain::staff::Role;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, GeneratorFields, LicenseQuery, ProductFields, Store};
use reqwest::Method;
use serde_json::json;

use super::binary;

/// A tmpfs of a given size on a temporary folder, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// `None` where this process may not mount (not root): the caller skips its test.
    fn mount(kib: u32) -> Option<Self> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .output()
            .is_ok_and(|out| out.status.success());
        if !mounted {
            eprintln!("skipped: mounting a tmpfs needs root (CI runs as root and runs this test)");
            return None;
        }
        Some(Self { dir })
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Fills what is left with one file; returns its path.
    fn fill(&self) -> PathBuf {
        let path = self.path("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let chunk = vec![0u8; 16 * 1024];
        while file.write_all(&chunk).is_ok() {}
        let _ = file.sync_all();
        path
    }

    fn remount_read_only(&self) {
        let status = Command::new("mount").args(["-o", "remount,ro"]).arg(self.dir.path()).status();
        assert!(status.is_ok_and(|s| s.success()), "remount read-only");
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(self.dir.path()).status();
    }
}

fn keys_of(service: &Service, product: keydesk::domain::product::ProductId) -> u64 {
    let query = LicenseQuery { product: Some(product), ..LicenseQuery::default() };
    service.licenses_window(&Actor::Owner, &query, 0, 1).expect("count").total
}

/// A database on `disk` with one product that has a generator.
fn service_with_a_product(disk: &SmallDisk) -> (Service, keydesk::domain::product::ProductId) {
    let store = Store::open(&disk.path("keydesk.sqlite"), &DataKey::generate()).expect("store");
    let service = Service::new(Arc::new(store), Arc::new(SystemClock));
    let owner = &Actor::Owner;
    let product = service.create_product(owner, &ProductFields::named("Full Disk Pro", "")).expect("product").id;
    let charset = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    service.create_generator(owner, &GeneratorFields::chunks(product, charset, 5, 5)).expect("generator");
    (service, product)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_refuses_a_write_whole_and_the_server_goes_on() {
    let Some(disk) = SmallDisk::mount(48 * 1024) else { return };
    let (service, product) = service_with_a_product(&disk);
    let owner = &Actor::Owner;
    service.add_staff(owner, "mara", "mara's long password", Role::Owner).expect("staff");
    let (_, api_key) = service.create_api_key(owner, "disk", Capabilities::All, &[]).expect("api key");
    let (base, _stop) = super::server::start(&service).await;
    let mut client = ConsoleClient::new(&base).expect("client");
    client.login("mara", "mara's long password").await.expect("login");
    let filler = disk.fill();

    // The license key API: 503 with Retry-After, as its framework answers while it cannot serve.
    // (First: a refused transaction leaves its grown WAL behind, room the next write may use.)
    let keys: Vec<String> = (0..10_000).map(|n| format!("FULL-DISK-KEY-{n:06}")).collect();
    let listed = serde_json::to_string(&keys).expect("json");
    let product_id = product.0.to_string();
    let form = [
        ("api_key", api_key.as_str()),
        ("product_id", product_id.as_str()),
        ("license_keys", listed.as_str()),
        ("activation_limit", "0"),
        ("validity", "0"),
        ("status", "available"),
    ];
    let answer = reqwest::Client::new()
        .post(format!("{base}/api/v1/create-license-keys"))
        .form(&form)
        .send()
        .await
        .expect("an answer");
    let status = answer.status();
    let retry_after = answer.headers().get("retry-after").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let body = answer.text().await.expect("body");
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(retry_after.as_deref(), Some("60"));
    assert_eq!(keys_of(&service, product), 0, "no key of the refused request was stored");

    // The console API: the sentence for the person at the console.
    let stock = json!({"count": 50_000});
    let path = format!("products/{}/stock", product.0);
    let refused = client.call::<_, serde_json::Value>(Method::POST, &path, Some(&stock), Retry::Write).await;
    match refused {
        Err(ConsoleClientError::Refused(message)) => {
            assert!(message.contains("disk that holds the database is full"), "{message}");
        }
        other => panic!("a full disk is said as such: {other:?}"),
    }
    assert_eq!(keys_of(&service, product), 0, "nothing of the refused transaction was written");
    assert!(service.store().check().expect("check").is_empty(), "the file is whole");
    client.whoami().await.expect("the server goes on answering");

    std::fs::remove_file(filler).expect("free the space");
    let made: serde_json::Value =
        client.call(Method::POST, &path, Some(&stock), Retry::Write).await.expect("the same write, with room");
    assert_eq!(made["count"], 50_000);
    assert_eq!(keys_of(&service, product), 50_000);
    assert!(service.store().check().expect("check").is_empty());
}

#[test]
fn a_read_only_database_is_refused_at_start_with_a_clear_message() {
    let Some(disk) = SmallDisk::mount(16 * 1024) else { return };
    let db = disk.path("keydesk.sqlite");
    let made = binary::keydesk().args(["admin", "--db"]).arg(&db).arg("verify").output().expect("admin");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let before = std::fs::read(&db).expect("the file");
    disk.remount_read_only();

    let served =
        binary::keydesk().args(["serve", "--db"]).arg(&db).args(["--listen", "127.0.0.1:0"]).output().expect("serve");
    let said = String::from_utf8_lossy(&served.stderr);
    assert!(!served.status.success(), "serve refuses a read-only file: {said}");
    assert!(said.to_lowercase().contains("read-only"), "the message names the cause: {said}");
    assert!(!said.contains("panicked"), "{said}");
    assert_eq!(std::fs::read(&db).expect("the file"), before, "nothing was written");
    assert!(!Path::new(&db.with_extension("sqlite-journal")).exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_full_disk_answers_a_reseller_order_unavailable_and_spends_nothing_of_the_pool() {
    let Some(disk) = SmallDisk::mount(48 * 1024) else { return };
    let (service, product) = service_with_a_product(&disk);
    let owner = &Actor::Owner;
    let shop = service
        .add_reseller(owner, "shop@reseller.example", "Shop", "the shop's long password", None)
        .expect("shop")
        .id;
    service.add_pool(owner, shop, Edition::Professional, product, MAX_ORDER).expect("pool");
    let (base, _stop) = super::server::start(&service).await;
    let left = || service.pools(owner, shop).expect("pools")[0].left();
    let quantity = MAX_ORDER.to_string();
    let order = [
        ("reselleremail", "shop@reseller.example"),
        ("pwd", "the shop's long password"),
        ("firstName", "Ada"),
        ("lastName", "Lovelace"),
        ("email", "ada@customer.example"),
        ("qty", quantity.as_str()),
    ];
    let http = reqwest::Client::new();
    let filler = disk.fill();

    let refused = http.post(format!("{base}/keygen")).form(&order).send().await.expect("an answer");
    assert_eq!(refused.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(refused.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("60"));
    let body = refused.text().await.expect("body");
    assert!(body.starts_with("ERR_INTERNAL") && body.contains("nothing was generated"), "{body}");
    assert_eq!(left(), MAX_ORDER, "nothing of the pool was spent");
    assert_eq!(keys_of(&service, product), 0);

    std::fs::remove_file(filler).expect("free the space");
    let made = http.post(format!("{base}/keygen")).form(&order).send().await.expect("an answer");
    assert_eq!(made.status(), reqwest::StatusCode::OK);
    assert_eq!(made.text().await.expect("body").lines().count(), MAX_ORDER as usize);
    assert_eq!(left(), 0);
    assert!(service.store().check().expect("check").is_empty());
}
