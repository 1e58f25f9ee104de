//! The test world: one database, one server, two distributors (ACME, the default one,
//! and BETA, which lets ACME act for it).

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use keydesk::client::tdrs::TdrsClient;
use keydesk::domain::distributor::{DistributorCode, DistributorId, DistributorSettings};
use keydesk::domain::user::Registration;
use keydesk::domain::user::UserStatus;
use keydesk::protocol::tdrs::reply::{Block, LicenseRecord, Reply};
use keydesk::protocol::tdrs::request::{LicenseFields, Request};
use keydesk::service::{Actor, ManualClock, Service};
use keydesk::store::{DataKey, OutboxEntry, Store};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const PASSWORD: &str = "correct-horse";

pub struct World {
    pub service: Service,
    pub clock: Arc<ManualClock>,
    pub acme: TdrsClient,
    pub beta: TdrsClient,
    pub acme_id: DistributorId,
    pub beta_id: DistributorId,
    pub url: String,
    pub acme_salt: String,
    pub db_path: std::path::PathBuf,
    _dir: TempDir,
    _stop: oneshot::Sender<()>,
}

impl World {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    /// Starts a world whose ACME distributor has the settings `configure` leaves.
    pub async fn start_with(configure: impl FnOnce(&mut DistributorSettings)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("keydesk.sqlite");
        let store = Store::open(&db_path, &DataKey::generate()).expect("store");
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 1, 15, 10, 0, 0).single().expect("time")));
        let service = Service::new(Arc::new(store), clock.clone());
        let local = vec!["127.0.0.1".parse().expect("ip")];
        let mut acme_settings = DistributorSettings {
            allowed_ips: local.clone(),
            redirect_url: Some("https://acme.example/login".into()),
            depot_host_url: Some("https://depots.acme.example".into()),
            ..DistributorSettings::default()
        };
        configure(&mut acme_settings);
        let (acme, acme_salt) = service
            .create_distributor(&Actor::Owner, code("ACME"), "Acme Distribution", true, acme_settings)
            .expect("acme");
        let beta_settings = DistributorSettings {
            allowed_ips: local,
            allow_select: true,
            redirect_url: Some("https://beta.example/login".into()),
            ..DistributorSettings::default()
        };
        let (beta, beta_salt) = service
            .create_distributor(&Actor::Owner, code("BETA"), "Beta Reseller", false, beta_settings)
            .expect("beta");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}/pbas/td2api/api/api.htm", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let server_service = service.clone();
        tokio::spawn(async move {
            let _ = keydesk::server::serve(listener, server_service, async {
                let _ = stopped.await;
            })
            .await;
        });
        World {
            acme: TdrsClient::new(&url, &acme_salt).expect("client"),
            beta: TdrsClient::new(&url, &beta_salt).expect("client"),
            acme_id: acme.id,
            beta_id: beta.id,
            service,
            clock,
            url,
            acme_salt,
            db_path,
            _dir: dir,
            _stop: stop,
        }
    }

    /// Sends as ACME and expects success.
    pub async fn ok(&self, request: Request) -> Reply {
        ok(&self.acme, request).await
    }

    /// Sends as ACME and expects the exception `code` with `message`.
    pub async fn expect(&self, request: Request, code: i32, message: &str) {
        expect(&self.acme, request, code, message).await;
    }

    /// Registers an activated ACME user `name` with e-mail `name@example.com`.
    pub fn user(&self, name: &str) {
        self.user_of(self.acme_id, name);
    }

    pub fn user_of(&self, distributor: DistributorId, name: &str) {
        let registration = Registration {
            username: name.into(),
            email: format!("{name}@example.com"),
            password: PASSWORD.into(),
            ..Registration::default()
        };
        let actor = Actor::Distributor(distributor);
        let user = self.service.register_user(&actor, distributor, &registration).expect("register");
        self.service.set_user_status(&actor, &user.username, UserStatus::Activated).expect("activate");
    }

    /// A user in `status` ("inactive", "disabled", "todelete").
    pub fn user_in(&self, name: &str, status: UserStatus) {
        self.user(name);
        self.service.set_user_status(&Actor::Distributor(self.acme_id), name, status).expect("status");
    }

    /// Gives the user a device and returns its id.
    pub fn device(&self, name: &str, device: &str) -> i64 {
        self.service
            .register_device(&Actor::Distributor(self.acme_id), name, device, "linux", "4.0")
            .expect("device")
            .id
            .0
    }

    pub fn mails_to(&self, address: &str) -> Vec<OutboxEntry> {
        self.service.outbox(None, 10_000).expect("outbox").into_iter().filter(|m| m.to == address).collect()
    }

    /// The code or password a mail carries on its indented line.
    pub fn secret_in_last_mail(&self, address: &str) -> String {
        let mails = self.mails_to(address);
        let mail = mails.last().unwrap_or_else(|| panic!("no mail to {address}"));
        mail.body.lines().find_map(|l| l.strip_prefix("    ")).expect("an indented code line").trim().to_owned()
    }

    /// Creates a client license for `owner` (or none) and returns its number.
    pub async fn license(&self, owner: Option<&str>, feature: &str, limit: u32) -> String {
        let request = match owner {
            Some(name) => create_license(name, "client", "permanent", feature, Some(&limit.to_string())),
            None => create_license_without_user("client", "permanent", feature, Some(&limit.to_string())),
        };
        let reply = self.ok(request).await;
        reply.licenses().first().map(|l| l.number.clone()).expect("a license number in the reply")
    }

    /// The license as getlicensedata shows it to its owner.
    pub async fn license_of(&self, owner: &str, number: &str) -> LicenseRecord {
        let reply = self.ok(Request::GetLicenseData { username: owner.into() }).await;
        reply.licenses().into_iter().find(|l| l.number == number).cloned().expect("the license in getlicensedata")
    }
}

pub fn code(text: &str) -> DistributorCode {
    DistributorCode::parse(text).expect("code")
}

pub async fn ok(client: &TdrsClient, request: Request) -> Reply {
    let command = request.command();
    let reply = client.call(request).await.expect("a reply");
    assert!(matches!(reply, Reply::Success(_)), "{command} failed: {reply:?}");
    reply
}

pub async fn expect(client: &TdrsClient, request: Request, code: i32, message: &str) {
    let command = request.command();
    let reply = client.call(request).await.expect("a reply");
    match reply {
        Reply::Exception { primary, secondary, message: got } => {
            assert_eq!((primary, got.as_str()), (code, message), "{command}");
            assert_eq!(secondary, "", "{command}: secondarycode is empty in every documented case");
        }
        other => panic!("{command}: expected exception {code}, got {other:?}"),
    }
}

pub fn int_result(reply: &Reply) -> Option<i64> {
    let Reply::Success(blocks) = reply else { return None };
    blocks.iter().find_map(|b| if let Block::IntResult(v) = b { Some(*v) } else { None })
}

pub fn terms(product: &str, license_type: &str, feature: &str, limit: Option<&str>) -> LicenseFields {
    LicenseFields {
        productname: product.into(),
        licensetype: license_type.into(),
        featurevalue: feature.into(),
        limit: limit.map(Into::into),
        ..LicenseFields::default()
    }
}

pub fn create_license(user: &str, product: &str, license_type: &str, feature: &str, limit: Option<&str>) -> Request {
    Request::CreateLicense { username: user.into(), terms: terms(product, license_type, feature, limit) }
}

pub fn create_license_without_user(product: &str, license_type: &str, feature: &str, limit: Option<&str>) -> Request {
    Request::CreateLicenseWithoutUser { terms: terms(product, license_type, feature, limit) }
}
