//! What the database file holds of mails and jobs, and how long.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use keydesk::domain::reseller::{Edition, KeyOrder};
use keydesk::domain::staff::Role;
use keydesk::service::resellers::Issuer;
use keydesk::service::retention::Retention;
use keydesk::service::{Actor, ManualClock, Service};
use keydesk::store::{DataKey, GeneratorFields, ProductFields, Store};

#[test]
fn mail_bodies_are_sealed_at_rest_and_purged_after_their_retention() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("rest.sqlite");
    let store = Store::open(&path, &DataKey::generate()).expect("store");
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 8, 0, 0).single().expect("time")));
    let service = Service::new(Arc::new(store), clock.clone());
    let owner = &Actor::Owner;
    let product = service.create_product(owner, &ProductFields::named("Sealed", "keys by mail")).expect("product").id;
    service
        .create_generator(owner, &GeneratorFields::chunks(product, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 4, 5))
        .expect("gen");
    let reseller = service.add_reseller(owner, "shop@example.com", "Shop", "shop-secret-1", None).expect("reseller").id;
    service.add_pool(owner, reseller, Edition::Professional, product, 10).expect("pool");
    let order = KeyOrder {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        quantity: 2,
        edition: None,
        test_mode: false,
    };
    let issued = service.issue_keys(Issuer::Operator(owner), reseller, &order).expect("keys");

    // The outbox row holds no key; the service reads the mail back whole.
    let raw = rusqlite::Connection::open(&path).expect("raw");
    let body: String = raw.query_row("SELECT body FROM outbox", [], |r| r.get(0)).expect("row");
    assert!(body.starts_with("sealed:v1:"), "{body}");
    assert!(issued.keys.iter().all(|k| !body.contains(k.as_str())));
    let mails = service.outbox(None, 10).expect("outbox");
    assert!(issued.keys.iter().all(|k| mails[0].body.contains(k.as_str())), "{}", mails[0].body);

    // A dead session and a sent mail go after their retention; a queued mail stays.
    service.add_staff(owner, "mara", "a long enough password", Role::Owner).expect("staff");
    let (token, _) =
        service.staff_login("mara", "a long enough password", "127.0.0.1".parse().expect("ip")).expect("login");
    service.staff_logout(&token).expect("logout");
    raw.execute("UPDATE outbox SET state = 'sent'", []).expect("sent");
    service.issue_keys(Issuer::Operator(owner), reseller, &order).expect("more keys");
    assert_eq!(service.purge(owner, &Retention::default()).expect("purge").total(), 0, "nothing is old yet");
    clock.advance(chrono::Duration::days(31));
    let purged = service.purge(owner, &Retention::default()).expect("purge");
    assert_eq!((purged.mail, purged.sessions), (1, 1), "{purged:?}");
    assert_eq!(service.outbox(None, 10).expect("outbox").len(), 1, "the queued mail stays");
}
