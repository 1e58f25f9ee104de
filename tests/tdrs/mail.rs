//! Queued mails are delivered through an SMTP relay: here a small SMTP server on
//! 127.0.0.1 that records what it receives.

use keydesk::protocol::tdrs::request::Request;
use keydesk::service::delivery::Relay;
use keydesk::store::OutboxState;
use tokio::net::TcpListener;

use crate::smtp::smtp_sink;
use crate::world::{PASSWORD, World};

#[tokio::test(flavor = "multi_thread")]
async fn queued_mail_is_delivered_through_the_relay() {
    let w = World::start().await;
    let request = Request::RegisterUser {
        username: "alice".into(),
        useremail: "alice@example.com".into(),
        password: PASSWORD.into(),
        language: None,
        reference: String::new(),
        department: String::new(),
    };
    w.ok(request).await;
    let code = w.secret_in_last_mail("alice@example.com");
    let (port, received) = smtp_sink().await;
    let relay = Relay::new(&format!("smtp://127.0.0.1:{port}"), "keydesk <noreply@keydesk.test>").expect("relay");
    let sent = w.service.deliver_queued(&relay).await.expect("delivery");
    assert_eq!(sent, 1);
    let messages = received.lock().expect("lock").clone();
    assert_eq!(messages.len(), 1);
    assert!(messages[0].contains("To: alice@example.com"), "{}", messages[0]);
    assert!(messages[0].contains(&code), "the activation code is in the delivered mail");
    let mails = w.service.outbox(Some(OutboxState::Sent), 10).expect("outbox");
    assert_eq!(mails.len(), 1);
    assert!(w.service.outbox(Some(OutboxState::Queued), 10).expect("outbox").is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_reachable_relay_mail_stays_queued() {
    let w = World::start().await;
    w.user("alice");
    // A port nothing listens on: bind one, then close it.
    let port = TcpListener::bind("127.0.0.1:0").await.expect("bind").local_addr().expect("addr").port();
    let relay = Relay::new(&format!("smtp://127.0.0.1:{port}"), "noreply@keydesk.test").expect("relay");
    assert_eq!(w.service.deliver_queued(&relay).await.expect("round"), 0);
    let queued = w.service.outbox(Some(OutboxState::Queued), 10).expect("outbox");
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].attempts, 1);
    assert!(queued[0].last_error.is_some());
}
