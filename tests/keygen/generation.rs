//! Successful orders: the keys, their owner, the pool, the record of who made them, the
//! customer mail (really delivered through an SMTP relay), and test mode.

use keydesk::client::keygen::Method;
use keydesk::domain::license::KeyState;
use keydesk::domain::mail::MailKind;
use keydesk::domain::reseller::{Channel, Edition, KeyOrder};
use keydesk::service::Actor;
use keydesk::service::delivery::Relay;
use keydesk::service::resellers::Issuer;

use crate::smtp::smtp_sink;
use crate::world::{SHOP, SOLO, SOLO_PASSWORD, World, keys};

#[tokio::test(flavor = "multi_thread")]
async fn an_order_issues_assigned_keys_counts_them_and_mails_the_customer() {
    let w = World::start().await;
    for (method, edition) in [(Method::Get, "pro"), (Method::Post, "ent")] {
        let issued = keys(w.order(method, "3", &[("edition", edition)]).await);
        assert_eq!(issued.len(), 3, "{method:?}");
        for key in &issued {
            assert!(key.starts_with("FTPS-") && key.len() == "FTPS-".len() + 4 * 5 + 3, "{key}");
            let license = w.license(key);
            assert_eq!(license.key_state, KeyState::Assigned);
            assert_eq!(
                (license.owner_name.as_str(), license.owner_email.as_str()),
                ("Ada Lovelace", "ada@customer.example")
            );
            assert!(!license.is_test);
            assert_eq!(license.created_by, format!("reseller:{} via keygen-url", w.shop.0));
        }
    }
    assert_eq!(w.pool(w.shop, Edition::Professional).left(), 97);
    assert_eq!(w.pool(w.shop, Edition::Enterprise).left(), 47);
    let mails = w.outbox();
    assert_eq!(mails.len(), 2);
    assert!(mails.iter().all(|m| m.kind == MailKind::ResellerKeys && m.to == "ada@customer.example"));
    assert!(mails[0].subject.contains("FTP Synchronizer Professional") && !mails[0].subject.contains("TEST"));
    assert!(mails[0].body.contains("Hello Ada Lovelace") && mails[0].body.contains("Shop GmbH"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_edition_may_be_left_out_by_a_reseller_of_one_edition_and_qty_defaults_to_one() {
    let w = World::start().await;
    let fields = [
        ("reselleremail", SOLO),
        ("pwd", SOLO_PASSWORD),
        ("firstName", "Grace"),
        ("lastName", "Hopper"),
        ("email", "grace@customer.example"),
        ("testMode", "N"),
        ("unknown", "ignored"),
    ];
    assert_eq!(keys(w.call(Method::Get, &fields).await).len(), 1);
    assert_eq!(w.pool(w.solo, Edition::Professional).left(), 9);
}

#[tokio::test(flavor = "multi_thread")]
async fn test_mode_mails_the_reseller_marks_the_keys_and_leaves_the_pool_alone() {
    let w = World::start().await;
    let issued = keys(w.order(Method::Post, "2", &[("edition", "pro"), ("testMode", "Y")]).await);
    assert_eq!(issued.len(), 2);
    assert!(issued.iter().all(|k| w.license(k).is_test));
    assert_eq!(w.pool(w.shop, Edition::Professional).left(), 100);
    let mails = w.outbox();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0].to, SHOP, "in test mode the reseller gets the mail");
    assert!(mails[0].subject.starts_with("[TEST] "));
    assert!(mails[0].body.contains("ada@customer.example"), "the mail says who would have received it");
    assert!(issued.iter().all(|k| mails[0].body.contains(k.as_str())));
    // Test mode cannot mint more than the pool holds in all.
    let reply = w.order(Method::Get, "101", &[("edition", "pro"), ("testMode", "Y")]).await;
    assert_eq!(reply.token(), Some(keydesk::protocol::keygen::Token::NotEnoughLicenses));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_console_path_is_the_same_call_and_records_the_operator() {
    let w = World::start().await;
    let order = KeyOrder {
        first_name: "Alan".into(),
        last_name: "Turing".into(),
        email: "alan@customer.example".into(),
        quantity: 5,
        edition: Some(Edition::Enterprise),
        test_mode: false,
    };
    let issued = w.service.issue_keys(Issuer::Operator(&Actor::Owner), w.shop, &order).expect("issued");
    assert_eq!((issued.keys.len(), issued.left, issued.mailed_to.as_str()), (5, 45, "alan@customer.example"));
    assert_eq!(w.license(&issued.keys[0]).created_by, format!("owner via console for reseller:{}", w.shop.0));
    let reseller = w.service.issue_keys(Issuer::Reseller(Channel::Console), w.shop, &order).expect("issued");
    assert_eq!(reseller.left, 40);
    assert_eq!(w.license(&reseller.keys[0]).created_by, format!("reseller:{} via console", w.shop.0));
    let denied = w.service.issue_keys(Issuer::Operator(&Actor::ApiKey(1)), w.shop, &order);
    assert!(denied.is_err(), "only the owner generates on a reseller's behalf");
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_relay_the_customer_mail_is_delivered_with_the_keys_in_it() {
    let w = World::start().await;
    let issued = keys(w.order(Method::Get, "2", &[("edition", "pro")]).await);
    let (port, received) = smtp_sink().await;
    let relay = Relay::new(&format!("smtp://127.0.0.1:{port}"), "keydesk <noreply@keydesk.test>").expect("relay");
    assert_eq!(w.service.deliver_queued(&relay).await.expect("delivery"), 1);
    let messages = received.lock().expect("lock").clone();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("To: ada@customer.example"), "{}", messages[0]);
    for key in &issued {
        assert!(messages[0].contains(key.as_str()), "the mail carries {key}: {}", messages[0]);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn test_mode_keys_never_verify_or_activate_so_repeated_tests_mint_nothing() {
    use keydesk::client::keymanager::KeyClient;
    use keydesk::domain::endpoint::Capabilities;
    let w = World::with_pools(3, 1, 1).await;
    let (_, api_key) = w.service.create_api_key(&Actor::Owner, "shop app", Capabilities::All, &[]).expect("key");
    let client = KeyClient::new(w.url.trim_end_matches("/keygen"), api_key).expect("client");
    let mut tested = Vec::new();
    for _ in 0..5 {
        tested.extend(keys(w.order(Method::Post, "3", &[("edition", "pro"), ("testMode", "Y")]).await));
    }
    assert_eq!(tested.len(), 15, "five test runs of the whole pool");
    let sold = keys(w.order(Method::Post, "3", &[("edition", "pro")]).await);
    let mut working = 0;
    for key in tested.iter().chain(&sold) {
        let fields = [("license_key", key.as_str()), ("identifier", "customer-pc")];
        let activated = client.post("activate", &fields).await.expect("an envelope");
        match activated.code() {
            300 => working += 1,
            204 => assert!(tested.contains(key), "only test keys answer as blocked"),
            other => panic!("activate answered {other}: {:?}", activated.response),
        }
        let verified = client.post("verify", &fields).await.expect("an envelope");
        assert_eq!(verified.code(), if tested.contains(key) { 204 } else { 200 }, "{:?}", verified.response);
    }
    assert_eq!(working, 3, "working licenses never exceed the pool");
    assert_eq!(w.pool(w.shop, Edition::Professional).left(), 0);
    // Above the per-order ceiling, test mode or not, the quantity is refused.
    let ceiling = (keydesk::domain::limits::MAX_ORDER + 1).to_string();
    let reply = w.order(Method::Get, &ceiling, &[("edition", "pro"), ("testMode", "Y")]).await;
    assert_eq!(reply.token(), Some(keydesk::protocol::keygen::Token::NoQuantity));
    let reply = w.order(Method::Get, "4294967295", &[("edition", "pro")]).await;
    assert_eq!(reply.token(), Some(keydesk::protocol::keygen::Token::NoQuantity));
}
