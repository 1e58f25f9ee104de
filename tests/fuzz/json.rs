//! The console API's JSON bodies and queries: what deserialises is run on the backend in the
//! owner's role (the most a session can do), and never fails inside keydesk.

use std::sync::Arc;

use keydesk::backend::{Backend, BackendError, LocalBackend};
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::protocol::console::wire::{
    LicenseActionRequest, LicensesWindow, NewUser, UserImport, UserSearch, UsersWindow,
};
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, Store};
use proptest::prelude::*;
use serde_json::{Map, Value};

use crate::inputs::{NASTY, bytes};

/// Any JSON value, a few levels deep, leaning on the nasty strings and the integers' edges.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        // Small numbers and the names of orders, states and actions reach the calls most.
        3 => (0u64..2000).prop_map(Value::from),
        2 => proptest::sample::select(WORDS).prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::from),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<u64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        2 => proptest::sample::select(NASTY).prop_map(Value::from),
        1 => ".{0,24}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::vec(("[a-z_]{1,12}", inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// An object with the fields a call reads (each present or not) and a stray one.
fn object(fields: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    let doc = (proptest::collection::vec((proptest::sample::select(fields), json()), 0..8), json()).prop_map(
        |(pairs, stray)| {
            let mut map: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            map.insert("stray".into(), stray);
            Value::Object(map).to_string().into_bytes()
        },
    );
    prop_oneof![5 => doc, 1 => bytes(2048)]
}

/// Enum spellings the console's types use.
const WORDS: &[&str] = &[
    "Username",
    "Email",
    "Created",
    "Id",
    "ResendActivation",
    "Activate",
    "Disable",
    "Delete",
    "ResetPassword",
    "Deactivate",
    "Cancel",
    "Upgrade",
    "client",
    "server",
    "permanent",
    "monthly",
    "yearly",
    "active",
    "deactivated",
    "available",
    "assigned",
    "alice",
    "alice@example.com",
    "a long password",
    "FUZZ-KEY",
];

const CALLS: &[&str] = &["users", "search", "register", "import", "licenses", "license-action"];

fn no_failure<T>(call: &str, outcome: Result<T, BackendError>, body: &[u8]) -> Result<(), TestCaseError> {
    match outcome {
        Err(BackendError::Failed(detail)) => {
            Err(TestCaseError::fail(format!("{call} failed inside: {detail} for {}", String::from_utf8_lossy(body))))
        }
        _ => Ok(()),
    }
}

#[test]
fn console_api_bodies_never_panic_or_fail_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("fuzz-json.sqlite"), &DataKey::generate()).expect("store");
    let service = Service::new(Arc::new(store), Arc::new(SystemClock));
    let code = DistributorCode::parse("JSON").expect("code");
    service.create_distributor(&Actor::Owner, code, "Json", true, DistributorSettings::default()).expect("d");
    let backend = LocalBackend::new(service);

    let input = (proptest::sample::select(CALLS), proptest::sample::select(CALLS)).prop_flat_map(|(call, _)| {
        let fields: &'static [&'static str] = match call {
            "users" => &["order", "descending", "offset", "limit"],
            "search" => &["username", "email", "limit"],
            "register" => &["distributor", "registration", "username", "email", "password"],
            "import" => &["distributor", "records"],
            "licenses" => &["query", "offset", "limit"],
            _ => &["number", "action"],
        };
        (Just(call), object(fields))
    });
    crate::fuzz("console-api-json", 128, &input, |(call, body)| {
        match call {
            "users" => {
                if let Ok(w) = serde_json::from_slice::<UsersWindow>(&body) {
                    no_failure(call, backend.users(w.order, w.descending, w.offset, w.limit), &body)?;
                }
            }
            "search" => {
                if let Ok(q) = serde_json::from_slice::<UserSearch>(&body) {
                    no_failure(call, backend.search_users(&q.username, &q.email, q.limit), &body)?;
                }
            }
            "register" => {
                if let Ok(n) = serde_json::from_slice::<NewUser>(&body) {
                    no_failure(call, backend.register_user(n.distributor, &n.registration), &body)?;
                }
            }
            "import" => {
                if let Ok(i) = serde_json::from_slice::<UserImport>(&body) {
                    no_failure(call, backend.import_users(i.distributor, &i.records), &body)?;
                }
            }
            "licenses" => {
                if let Ok(w) = serde_json::from_slice::<LicensesWindow>(&body) {
                    no_failure(call, backend.licenses(&w.query, w.offset, w.limit), &body)?;
                }
            }
            _ => {
                if let Ok(r) = serde_json::from_slice::<LicenseActionRequest>(&body) {
                    no_failure(call, backend.license_action(&r.number, &r.action), &body)?;
                }
            }
        }
        Ok(())
    });
}
