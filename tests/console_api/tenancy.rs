//! Tenancy over the wire, for every endpoint of the console API: a reseller's staff reach
//! their own pools and key generation and nothing else (403), and a distributor's staff see
//! their own distributor's users and licenses only.

use keydesk::backend::ResellerPools;
use keydesk::client::console::{ConsoleClient, ConsoleClientError, Retry};
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::domain::product::ProductId;
use keydesk::domain::reseller::Edition;
use keydesk::domain::staff::Role;
use keydesk::domain::user::Registration;
use keydesk::domain::user::User;
use keydesk::service::Actor;
use keydesk::service::console::Window;
use keydesk::service::licenses::LicenseTerms;
use keydesk::store::{GeneratorFields, ProductFields};
use reqwest::Method;
use serde_json::{Value, json};

use super::{World, world};

/// Every console endpoint behind a session, with a body it would accept.
fn endpoints(ids: &Ids) -> Vec<(Method, String, Option<Value>)> {
    let (user, license, product, contract) = (ids.user, ids.license, ids.product, ids.contract);
    let get = |path: String| (Method::GET, path, None);
    let send = |method: Method, path: String, body: Value| (method, path, Some(body));
    let mut all = vec![
        get("distributors".into()),
        get("users?limit=10".into()),
        get("users/search?username=alice&limit=10".into()),
        get(format!("users/{user}")),
        get("users/export".into()),
        send(
            Method::POST,
            "users".into(),
            json!({"distributor": ids.acme, "registration": {
            "username": "mallory", "email": "mallory@example.com", "password": "", "language": null,
            "reference": "", "department": ""}}),
        ),
        send(Method::POST, "users/alice/actions".into(), json!({"SetReference": "x"})),
        send(Method::POST, "users/import".into(), json!({"distributor": ids.acme, "records": []})),
        send(Method::POST, "licenses/window".into(), json!({"limit": 10})),
        send(Method::POST, "licenses/export".into(), json!({})),
        get(format!("licenses/{license}/activations")),
        send(Method::POST, "licenses/bulk/preview".into(), json!({"selection": {}, "change": "Deactivate"})),
        send(Method::POST, "licenses/bulk".into(), json!({"change": "Deactivate", "previewed": 999})),
        get("licenses/bulk/last".into()),
        (Method::POST, "licenses/bulk/1/step".into(), None),
        (Method::POST, "licenses/bulk/1/undo".into(), None),
        send(
            Method::POST,
            "licenses".into(),
            json!({"distributor": ids.acme, "owner": null, "product": "Client",
            "license_type": "Permanent", "features": "", "seats": 1, "reference": ""}),
        ),
        send(Method::POST, "licenses/actions".into(), json!({"number": ids.license_number, "action": "Deactivate"})),
        get("products".into()),
        send(Method::POST, "products".into(), to_json(&ProductFields::named("Stolen", ""))),
        send(Method::POST, format!("products/{product}/keys"), json!({"keys": ["AAAA-BBBB"]})),
        send(Method::POST, format!("products/{product}/stock"), json!({"count": 1})),
        get(format!("products/{product}/releases")),
        (Method::POST, format!("products/{product}/signing-key"), None),
        get("generators".into()),
        send(Method::POST, "generators".into(), to_json(&GeneratorFields::chunks(ProductId(product), "ABCD", 4, 4))),
        send(
            Method::PUT,
            format!("contracts/{contract}/rights"),
            json!({"get_info": true, "generate": true,
            "destroy": true, "destroy_all": true}),
        ),
        get("mail".into()),
        (Method::POST, "mail/deliver".into(), None),
        (Method::POST, "mail/1/resend".into(), None),
        get("settings/smtp-relay".into()),
        send(Method::PUT, "settings/smtp-relay".into(), Value::Null),
        send(Method::POST, "activity".into(), json!({"who": "", "what": "", "since": null})),
        send(Method::POST, "telemetry".into(), json!({})),
    ];
    all.extend(account_endpoints(ids));
    all
}

/// The owner's account management: resellers, pools and staff.
fn account_endpoints(ids: &Ids) -> Vec<(Method, String, Option<Value>)> {
    let send = |path: String, body: Value| (Method::POST, path, Some(body));
    vec![
        send("resellers".into(), json!({"email": "mallory@shop.example", "name": "", "distributor": null})),
        send(format!("resellers/{}/actions", ids.other), json!("Disable")),
        send(
            "pools".into(),
            json!({"reseller": ids.other, "edition": "Enterprise", "product": ids.product, "quantity": 5}),
        ),
        send(format!("pools/{}/actions", ids.contract), json!({"TopUp": 5})),
        (Method::GET, "staff".into(), None),
        send("staff".into(), json!({"username": "eve", "role": {"Distributor": ids.acme}})),
        send("staff/bea/actions".into(), json!({"SetRole": "Owner"})),
    ]
}

fn to_json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).expect("json")
}

struct Ids {
    acme: i64,
    user: i64,
    license: i64,
    license_number: String,
    product: i64,
    contract: i64,
    shop: i64,
    other: i64,
}

/// Two distributors (ACME with alice and a license, BETA with bob), two resellers with a
/// pool each, and staff of each role logged in.
async fn tenants(w: &World) -> (Ids, ConsoleClient, ConsoleClient, ConsoleClient) {
    let owner = &Actor::Owner;
    let s = &w.service;
    let settings = DistributorSettings::default;
    let (acme, _) = s
        .create_distributor(owner, DistributorCode::parse("ACME").expect("code"), "Acme", true, settings())
        .expect("acme");
    let (beta, _) = s
        .create_distributor(owner, DistributorCode::parse("BETA").expect("code"), "Beta", false, settings())
        .expect("beta");
    let registration = |name: &str| Registration {
        username: name.into(),
        email: format!("{name}@example.com"),
        password: "a password".into(),
        ..Registration::default()
    };
    let alice = s.register_user(owner, acme.id, &registration("alice")).expect("alice");
    s.register_user(owner, beta.id, &registration("bobby")).expect("bobby");
    s.set_user_status(owner, "alice", keydesk::domain::user::UserStatus::Activated).expect("activated");
    let license = s.create_license(owner, acme.id, Some("alice"), &LicenseTerms::default_license()).expect("license");
    let product = s.create_product(owner, &ProductFields::named("Suite", "")).expect("product").id;
    let charset = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    s.create_generator(owner, &GeneratorFields::chunks(product, charset, 4, 5)).expect("generator");
    let shop = s.add_reseller(owner, "shop@example.com", "Shop", "shop-secret-1", None).expect("shop").id;
    let other = s.add_reseller(owner, "other@example.com", "Other", "other-secret", None).expect("other").id;
    s.add_pool(owner, shop, Edition::Professional, product, 10).expect("pool");
    let contract = s.add_pool(owner, other, Edition::Professional, product, 10).expect("pool").contract.id;
    s.add_staff(owner, "rita", "rita's long password", Role::Reseller(shop)).expect("reseller staff");
    s.add_staff(owner, "bea", "bea's long password!", Role::Distributor(beta.id)).expect("distributor staff");
    let login = |name: &'static str, password: &'static str| {
        let base = w.base.clone();
        async move {
            let mut client = ConsoleClient::new(&base).expect("client");
            client.login(name, password).await.expect("login");
            client
        }
    };
    let ids = Ids {
        acme: acme.id.0,
        user: alice.id.0,
        license: license.id.0,
        license_number: license.number,
        product: product.0,
        contract: contract.0,
        shop: shop.0,
        other: other.0,
    };
    (
        ids,
        login("mara", "mara's long password").await,
        login("rita", "rita's long password").await,
        login("bea", "bea's long password!").await,
    )
}

async fn call(
    client: &ConsoleClient,
    method: &Method,
    path: &str,
    body: &Option<Value>,
) -> Result<Value, ConsoleClientError> {
    client.call(method.clone(), path, body.as_ref(), Retry::Write).await
}

#[tokio::test(flavor = "multi_thread")]
async fn reseller_staff_get_403_from_every_endpoint_but_their_own_pools_and_keys() {
    let w = world().await;
    let (ids, owner, rita, _) = tenants(&w).await;
    for (method, path, body) in endpoints(&ids) {
        let answer = call(&rita, &method, &path, &body).await;
        assert!(matches!(answer, Err(ConsoleClientError::Forbidden(_))), "{method} {path}: {answer:?}");
    }
    let own: Vec<ResellerPools> = rita.call(Method::GET, "resellers", None::<&()>, Retry::Read).await.expect("own");
    assert_eq!(own.iter().map(|r| r.reseller.id.0).collect::<Vec<_>>(), vec![ids.shop], "no other reseller's pools");
    let order = |reseller: i64| {
        json!({"reseller": reseller, "first_name": "Ada", "last_name": "L",
        "email": "ada@example.com", "quantity": 1, "edition": null})
    };
    let keys = Some(order(ids.shop));
    call(&rita, &Method::POST, "keys", &keys).await.expect("keys from the own pool");
    let theirs = call(&rita, &Method::POST, "keys", &Some(order(ids.other))).await;
    assert!(matches!(theirs, Err(ConsoleClientError::Forbidden(_))), "{theirs:?}");
    // The owner reaches every endpoint: none of these answers is a 403.
    for (method, path, body) in endpoints(&ids) {
        let answer = call(&owner, &method, &path, &body).await;
        assert!(!matches!(answer, Err(ConsoleClientError::Forbidden(_))), "owner: {method} {path}: {answer:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn distributor_staff_see_their_own_users_and_licenses_only() {
    let w = world().await;
    let (ids, _, _, bea) = tenants(&w).await;
    let users: Window<User> = bea.get_query("users", &[("limit", "50")]).await.expect("own users");
    assert_eq!(users.rows.iter().map(|u| u.username.as_str()).collect::<Vec<_>>(), vec!["bobby"]);
    assert_eq!(users.total, 1);
    let found: Window<User> =
        bea.get_query("users/search", &[("email", "*@example.com"), ("limit", "50")]).await.expect("search");
    assert_eq!(found.rows.len(), 1, "a wildcard search stays inside the distributor");
    let alice = call(&bea, &Method::GET, &format!("users/{}", ids.user), &None).await;
    assert!(matches!(alice, Err(ConsoleClientError::Refused(_))), "another distributor's user is unknown: {alice:?}");
    let export = call(&bea, &Method::GET, "users/export", &None).await.expect("export");
    assert_eq!(export.as_array().map(Vec::len), Some(1));
    let licenses = call(&bea, &Method::POST, "licenses/window", &Some(json!({"limit": 50}))).await.expect("licenses");
    assert_eq!(licenses["total"], 0, "ACME's license is not BETA's");
    let activations = call(&bea, &Method::GET, &format!("licenses/{}/activations", ids.license), &None).await;
    assert!(matches!(activations, Err(ConsoleClientError::Refused(_))), "{activations:?}");
    // A bulk change reaches the distributor's own licenses only: ACME's is not in any selection.
    let everything = json!({"selection": {}, "change": "Deactivate"});
    let preview = call(&bea, &Method::POST, "licenses/bulk/preview", &Some(everything)).await.expect("preview");
    assert_eq!(preview["selected"], 0, "{preview}");
    let picked = json!({"selection": {"picked": [ids.license]}, "change": "Deactivate", "previewed": 1});
    let start = call(&bea, &Method::POST, "licenses/bulk", &Some(picked)).await;
    assert!(matches!(&start, Err(ConsoleClientError::Refused(m)) if m.contains("Nothing is selected")), "{start:?}");
    // A key of no distributor (made through the key face) is the owner's alone.
    let product = keydesk::domain::product::ProductId(ids.product);
    w.service.import_stock(&Actor::Owner, product, &["STOCK-KEY-0001".to_owned()]).expect("stock");
    let of_product = keydesk::store::LicenseQuery { product: Some(product), ..Default::default() };
    let key = w.service.licenses_window(&Actor::Owner, &of_product, 0, 1).expect("key").rows.remove(0).id;
    let activations = call(&bea, &Method::GET, &format!("licenses/{}/activations", key.0), &None).await;
    assert!(matches!(activations, Err(ConsoleClientError::Refused(_))), "a key's activations: {activations:?}");
    let register = json!({"distributor": ids.acme, "registration": {"username": "mallory",
        "email": "m@example.com", "password": "", "language": null, "reference": "", "department": ""}});
    let answer = call(&bea, &Method::POST, "users", &Some(register)).await;
    assert!(matches!(answer, Err(ConsoleClientError::Forbidden(_))), "no users for another distributor: {answer:?}");
    let deactivate = call(
        &bea,
        &Method::POST,
        "licenses/actions",
        &Some(json!({"number": ids.license_number, "action": "Deactivate"})),
    )
    .await;
    assert!(deactivate.is_err(), "ACME's license stays as it is: {deactivate:?}");
    for owners_only in ["products", "generators", "mail", "settings/smtp-relay", "resellers"] {
        let answer = call(&bea, &Method::GET, owners_only, &None).await;
        assert!(matches!(answer, Err(ConsoleClientError::Forbidden(_))), "{owners_only}: {answer:?}");
    }
    for (method, path, body) in account_endpoints(&ids) {
        let answer = call(&bea, &method, &path, &body).await;
        assert!(matches!(answer, Err(ConsoleClientError::Forbidden(_))), "{method} {path}: {answer:?}");
    }
    let bea_now = w.service.staff(&Actor::Owner).expect("staff").into_iter().find(|m| m.username == "bea");
    assert_eq!(bea_now.map(|m| m.role.kind()), Some("distributor"), "no staff member promotes themself");
}

#[test]
fn secrets_stay_out_of_debug_output() {
    use keydesk::protocol::console::wire::{Login, SmtpRelay};
    let login = format!("{:?}", Login { username: "mara".into(), password: "hunter2-long".into() });
    let relay = format!("{:?}", SmtpRelay { url: "smtps://u:relay-pass@mail".into(), from: "k@example.com".into() });
    let client = format!("{:?}", ConsoleClient::new("http://127.0.0.1:1").expect("client").with_token("t0ken-abc"));
    assert!(login.contains("mara") && !login.contains("hunter2"), "{login}");
    assert!(!relay.contains("relay-pass") && !client.contains("t0ken"), "{relay} {client}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_endpoint_asks_for_a_session_first() {
    let w = world().await;
    let (ids, _, _, _) = tenants(&w).await;
    let anonymous = ConsoleClient::new(&w.base).expect("client");
    for (method, path, body) in endpoints(&ids) {
        let answer = call(&anonymous, &method, &path, &body).await;
        assert!(matches!(answer, Err(ConsoleClientError::Unauthorized(_))), "{method} {path}: {answer:?}");
    }
}
