//! The license key API and the keygen URL: parameters as forms, queries and JSON bodies,
//! read as the server reads them and answered by every endpoint.

use std::sync::Arc;

use keydesk::domain::endpoint::{Capabilities, Endpoint};
use keydesk::domain::license::KeyState;
use keydesk::domain::reseller::Edition;
use keydesk::protocol::keygen::{self, Answer};
use keydesk::protocol::keymanager::handle::{Context, handle};
use keydesk::protocol::keymanager::wire::{Params, request_params};
use keydesk::service::keys::KeyTerms;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, GeneratorFields, ProductFields, Store};
use proptest::prelude::*;

use crate::inputs::{bytes, params};

/// A database with a product, its generator, a few keys, a contract and a reseller with a
/// pool: enough for every endpoint to get past its first check.
fn world(dir: &std::path::Path) -> (Service, i64) {
    let store = Store::open(&dir.join("fuzz-forms.sqlite"), &DataKey::generate()).expect("store");
    let service = Service::new(Arc::new(store), Arc::new(SystemClock));
    let owner = &Actor::Owner;
    let product = service.create_product(owner, &ProductFields::named("Fuzzed", "for the harness")).expect("p").id;
    service.create_generator(owner, &GeneratorFields::chunks(product, "ABCDEFGH", 4, 4)).expect("generator");
    let terms = KeyTerms {
        product,
        owner_name: "O".into(),
        owner_email: "o@example.com".into(),
        activation_limit: 2,
        validity_days: 30,
        state: KeyState::Assigned,
        assigned_at: None,
    };
    service.create_keys(owner, &["A".into(), "1".into(), "FUZZ-KEY".into()], &terms).expect("keys");
    service.create_signing_key(owner, None).expect("signing key");
    let reseller = service.add_reseller(owner, "a@b.c", "Fuzz shop", "fuzz-secret-1", None).expect("reseller").id;
    service.add_pool(owner, reseller, Edition::Professional, product, 50).expect("pool");
    let (record, _) = service.create_api_key(owner, "fuzz", Capabilities::All, &[]).expect("api key");
    (service, record.id)
}

/// Parameters as the server would read them from one of the three ways a client sends them.
fn request() -> impl Strategy<Value = Params> {
    let encode = |pairs: &[(String, String)]| {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs.iter()).finish().into_bytes()
    };
    prop_oneof![
        3 => params().prop_map(Params::new),
        1 => params().prop_map(move |pairs| request_params(None, None, &encode(&pairs))),
        1 => params().prop_map(|pairs| {
            let map: serde_json::Map<String, serde_json::Value> =
                pairs.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
            request_params(Some("application/json"), None, serde_json::Value::Object(map).to_string().as_bytes())
        }),
        1 => (bytes(4096), any::<bool>()).prop_map(|(body, json)| {
            request_params(json.then_some("application/json"), Some(&String::from_utf8_lossy(&body)), &body)
        }),
    ]
}

#[test]
fn license_key_requests_never_panic_or_fail_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (service, api_key) = world(dir.path());
    let actor = Actor::ApiKey(api_key);
    let context = Context { base_url: "http://127.0.0.1".into(), api_key: "fuzz".into(), ..Context::default() };
    crate::fuzz(
        "license-key-api",
        256,
        &(proptest::sample::select(Endpoint::ALL.to_vec()), request()),
        |(endpoint, params)| {
            let answered = handle(&service, &actor, endpoint, &params, &context);
            prop_assert!(
                answered.is_ok(),
                "{} answered 500 for {:?}: {:?}",
                endpoint.name(),
                params.pairs(),
                answered.err()
            );
            Ok(())
        },
    );
}

#[test]
fn keygen_requests_never_panic_or_fail_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (service, _) = world(dir.path());
    let ip = "127.0.0.1".parse().expect("ip");
    // The reseller's real credentials in half the inputs, so the order checks run too.
    let credentials = prop_oneof![
        Just(vec![("reselleremail".to_owned(), "a@b.c".to_owned()), ("pwd".to_owned(), "fuzz-secret-1".to_owned())]),
        Just(Vec::new()),
    ];
    let input = (credentials, params()).prop_map(|(mut pairs, more)| {
        pairs.extend(more);
        Params::new(pairs)
    });
    crate::fuzz("keygen-url", 32, &input, |params| {
        let answer = match keygen::credentials(&params) {
            Ok(_) => keygen::answer(&service, &params, ip),
            Err(refused) => refused,
        };
        prop_assert!(answer != Answer::Internal, "ERR_INTERNAL for {:?}", params.pairs());
        Ok(())
    });
}
