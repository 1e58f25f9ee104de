//! One database, one server, one API key with every capability.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use keydesk::client::keymanager::{Envelope, KeyClient};
use keydesk::domain::endpoint::Capabilities;
use keydesk::domain::license::KeyState;
use keydesk::domain::product::ProductId;
use keydesk::service::keys::KeyTerms;
use keydesk::service::{Actor, ManualClock, Service};
use keydesk::store::{DataKey, GeneratorFields, ProductFields, Store};
use tempfile::TempDir;
use tokio::sync::oneshot;

pub struct World {
    pub service: Service,
    /// Public keys the responses may be signed with: the global one first, then products'.
    keys: std::sync::Mutex<Vec<String>>,
    pub clock: Arc<ManualClock>,
    pub client: KeyClient,
    pub base: String,
    pub db_path: std::path::PathBuf,
    _dir: TempDir,
    _stop: oneshot::Sender<()>,
}

impl World {
    /// A world whose server signs with a global key.
    pub async fn start() -> Self {
        Self::signed_with(keydesk::server::Options::default()).await
    }

    /// A signed world whose server takes webhooks to 127.0.0.1 (where the tests' receivers are).
    pub async fn with_local_webhooks() -> Self {
        let options = keydesk::server::Options {
            webhooks: keydesk::domain::webhook::WebhookReach::AnyAddress,
            ..Default::default()
        };
        Self::signed_with(options).await
    }

    /// A world with no signing key at all.
    pub async fn unsigned() -> Self {
        Self::with_options(keydesk::server::Options::default()).await
    }

    /// A signed world whose server has these integrations.
    pub async fn signed_with(options: keydesk::server::Options) -> Self {
        let world = Self::with_options(options).await;
        let pem = world.service.create_signing_key(&Actor::Owner, None).expect("global key");
        world.keys.lock().expect("lock").push(pem);
        world
    }

    /// Gives a product its own signing key; its responses are then checked against it.
    pub fn product_key(&self, product: ProductId) -> String {
        let pem = self.service.create_signing_key(&Actor::Owner, Some(product)).expect("product key");
        self.keys.lock().expect("lock").push(pem.clone());
        pem
    }

    /// Every signed envelope must verify with one of the published keys.
    fn check_signature(&self, envelope: &Envelope) {
        let keys = self.keys.lock().expect("lock");
        if envelope.signature == "Private key not set" {
            assert!(keys.is_empty(), "a signed world answered without a signature: {:?}", envelope.response);
            return;
        }
        let candidates: &[String] =
            if envelope.private_key_used == "global" { &keys[..1.min(keys.len())] } else { &keys[1.min(keys.len())..] };
        assert!(
            candidates.iter().any(|pem| envelope.verify(pem)),
            "the signature ({}) does not verify: {:?}",
            envelope.private_key_used,
            envelope.response
        );
    }

    async fn with_options(options: keydesk::server::Options) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let db_path = dir.path().join("keys.sqlite");
        let store = Store::open(&db_path, &DataKey::generate()).expect("store");
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("time")));
        let service = Service::new(Arc::new(store), clock.clone());
        let (_, key) = service.create_api_key(&Actor::Owner, "tests", Capabilities::All, &[]).expect("api key");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (stop, stopped) = oneshot::channel::<()>();
        let server = service.clone();
        tokio::spawn(async move {
            let _ = keydesk::server::serve_with(listener, server, options, async {
                let _ = stopped.await;
            })
            .await;
        });
        World {
            client: KeyClient::new(&base, key).expect("client"),
            service,
            keys: std::sync::Mutex::new(Vec::new()),
            clock,
            base,
            db_path,
            _dir: dir,
            _stop: stop,
        }
    }

    pub fn product(&self, name: &str) -> ProductId {
        let fields = ProductFields::named(name, &format!("{name} for tests"));
        self.service.create_product(&Actor::Owner, &fields).expect("product").id
    }

    pub fn generator(&self, product: ProductId, method: &str, charset: &str, chunks: u32, length: u32) -> i64 {
        let fields = GeneratorFields {
            product,
            method: method.into(),
            prefix: String::new(),
            suffix: String::new(),
            function_name: String::new(),
            number_of_chunks: chunks,
            chunk_length: length,
            charset: charset.into(),
            activation_limit: 2,
            validity_days: 365,
            active: true,
        };
        self.service.create_generator(&Actor::Owner, &fields).expect("generator").id.0
    }

    /// Stores keys of a product in a state, with an activation limit.
    pub fn keys(&self, product: ProductId, keys: &[&str], state: KeyState, limit: u32) {
        let terms = KeyTerms {
            product,
            owner_name: "Test Owner".into(),
            owner_email: "owner@example.com".into(),
            activation_limit: limit,
            validity_days: 0,
            state,
            assigned_at: None,
        };
        let keys: Vec<String> = keys.iter().map(|k| (*k).to_owned()).collect();
        self.service.create_keys(&Actor::Owner, &keys, &terms).expect("keys");
    }

    pub async fn post(&self, endpoint: &str, fields: &[(&str, &str)]) -> Envelope {
        let envelope = self.client.post(endpoint, fields).await.expect("an envelope");
        self.check_signature(&envelope);
        envelope
    }

    pub async fn get(&self, endpoint: &str, fields: &[(&str, &str)]) -> Envelope {
        let envelope = self.client.get(endpoint, fields).await.expect("an envelope");
        self.check_signature(&envelope);
        envelope
    }
}

/// Checks code, message and HTTP status, and that the envelope is whole.
pub fn assert_code(envelope: &Envelope, code: u16, message: &str) {
    assert_eq!((envelope.code(), envelope.message()), (code, message), "{:?}", envelope.response);
    let expected_status = match code {
        100..=103 => 401,
        150 => 403,
        _ => 200,
    };
    assert_eq!(envelope.status, expected_status, "HTTP status for {code}");
    let reencoded: serde_json::Value = serde_json::from_str(&envelope.signed_json).expect("signed json parses");
    assert_eq!(reencoded, envelope.response, "response_base64 decodes to response");
    assert!(envelope.response["timestamp"].is_i64(), "timestamp last");
}
