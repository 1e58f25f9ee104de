//! `newpwd`: the reseller's password update, and the slowing down of password guessing.

use std::net::IpAddr;

use keydesk::client::keygen::{KeygenClient, Method, Reply};
use keydesk::protocol::keygen::Token;

use crate::world::{SOLO, SOLO_PASSWORD, World};

#[tokio::test(flavor = "multi_thread")]
async fn a_password_update_answers_each_documented_outcome() {
    let w = World::start().await;
    let update = |pwd: &'static str, new: &'static str| vec![("reselleremail", SOLO), ("pwd", pwd), ("newpwd", new)];
    for method in [Method::Get, Method::Post] {
        let same = w.call(method, &update(SOLO_PASSWORD, SOLO_PASSWORD)).await;
        assert_eq!(same.token(), Some(Token::PasswordSameAsOld), "{method:?}");
        let short = w.call(method, &update(SOLO_PASSWORD, "short")).await;
        assert_eq!(
            short,
            Reply::Token(Token::UpdatePasswordFailed, "The new password must have at least 8 characters.".into()),
            "{method:?}"
        );
        let empty = w.call(method, &update(SOLO_PASSWORD, "")).await;
        assert_eq!(empty.token(), Some(Token::UpdatePasswordFailed), "{method:?}");
    }
    let updated = w.call(Method::Post, &update(SOLO_PASSWORD, "a-new-secret-2")).await;
    assert_eq!(updated.token(), Some(Token::PasswordUpdated));
    let old = w.call(Method::Get, &[("reselleremail", SOLO), ("pwd", SOLO_PASSWORD), ("newpwd", "x")]).await;
    assert_eq!(old.token(), Some(Token::WrongPassword), "the old password no longer works");
    let back = w.call(Method::Get, &update("a-new-secret-2", SOLO_PASSWORD)).await;
    assert_eq!(back.token(), Some(Token::PasswordUpdated), "GET works too");
    // A wrong current password never reaches the update.
    let wrong = w.call(Method::Post, &update("not-it-at-all", "another-secret-3")).await;
    assert_eq!(wrong.token(), Some(Token::WrongPassword));
}

#[tokio::test(flavor = "multi_thread")]
async fn guessing_from_one_address_is_slowed_without_locking_out_the_others() {
    let w = World::start().await;
    let guesser: IpAddr = "127.0.0.1".parse().expect("ip");
    let owner_address: IpAddr = "127.0.0.2".parse().expect("ip");
    for attempt in 0..5 {
        let reply = w.call(Method::Post, &[("reselleremail", SOLO), ("pwd", &format!("guess-{attempt}"))]).await;
        assert_eq!(reply.token(), Some(Token::WrongPassword));
    }
    assert!(!w.service.reseller_login_delay(SOLO, guesser).expect("delay").is_zero(), "the guesser waits");
    assert!(w.service.reseller_login_delay(SOLO, owner_address).expect("delay").is_zero());
    // The reseller, from another address, is served at once and with the right answer.
    let elsewhere = KeygenClient::from_address(&w.url, owner_address).expect("client");
    let fields = [("reselleremail", SOLO), ("pwd", SOLO_PASSWORD), ("newpwd", SOLO_PASSWORD)];
    let reply = elsewhere.call(Method::Get, &fields).await.expect("answer");
    assert_eq!(reply.token(), Some(Token::PasswordSameAsOld));
    // And the right password from the guessing address, once it has waited, clears its count.
    let reply = w.call(Method::Get, &fields).await;
    assert_eq!(reply.token(), Some(Token::PasswordSameAsOld));
    assert!(w.service.reseller_login_delay(SOLO, guesser).expect("delay").is_zero());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_disabled_reseller_generates_nothing_and_one_that_sold_keys_cannot_be_deleted() {
    let w = World::start().await;
    let owner = &keydesk::service::Actor::Owner;
    let order = [
        ("reselleremail", SOLO),
        ("pwd", SOLO_PASSWORD),
        ("firstName", "A"),
        ("lastName", "B"),
        ("email", "c@d.example"),
    ];
    assert!(w.call(Method::Post, &order).await.token().is_none(), "keys while enabled");
    w.service.set_reseller_disabled(owner, w.solo, true).expect("disable");
    assert_eq!(w.call(Method::Post, &order).await.token(), Some(Token::NoResellerFound));
    let refused = w.service.delete_reseller(owner, w.solo);
    assert!(matches!(refused, Err(keydesk::service::ServiceError::InUse(_))), "{refused:?}");
    w.service.set_reseller_disabled(owner, w.solo, false).expect("enable");
    w.service.reset_reseller_password(owner, w.solo, "reset-secret-9").expect("reset");
    assert_eq!(w.call(Method::Post, &order).await.token(), Some(Token::WrongPassword), "the old password is gone");
    let renewed = [
        ("reselleremail", SOLO),
        ("pwd", "reset-secret-9"),
        ("firstName", "A"),
        ("lastName", "B"),
        ("email", "c@d.example"),
    ];
    assert!(w.call(Method::Post, &renewed).await.token().is_none(), "the new password works");
}
