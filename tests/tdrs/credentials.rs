//! Passwords, e-mail addresses, reference and language.

use chrono::Duration;
use keydesk::protocol::tdrs::request::Request;

use crate::world::{PASSWORD, World};

fn login(name: &str, password: &str) -> Request {
    Request::LoginUser { username: Some(name.into()), useroremail: None, password: password.into() }
}

fn change(temporary: &str, new: &str) -> Request {
    Request::ChangePassword { username: "alice".into(), password: temporary.into(), newpassword: new.into() }
}

#[tokio::test(flavor = "multi_thread")]
async fn sendpassword_then_changepassword_within_ten_minutes() {
    let w = World::start().await;
    w.user("alice");
    w.ok(Request::SendPassword { username: "alice".into() }).await;
    let temporary = w.secret_in_last_mail("alice@example.com");
    w.expect(change("WRONGWRONG12", "brand-new-pass"), -30105, "Temporary password does not match").await;
    w.expect(change(&temporary, "short"), -30109, "Password invalid").await;
    w.clock.advance(Duration::minutes(9));
    w.ok(change(&temporary, "brand-new-pass")).await;
    w.ok(login("alice", "brand-new-pass")).await;
    w.expect(login("alice", PASSWORD), -30101, "Wrong password").await;
    // The temporary password works once.
    w.expect(change(&temporary, "another-pass"), -30105, "Temporary password does not match").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_password_older_than_ten_minutes_has_expired() {
    let w = World::start().await;
    w.user("alice");
    w.ok(Request::SendPassword { username: "alice".into() }).await;
    let temporary = w.secret_in_last_mail("alice@example.com");
    w.clock.advance(Duration::minutes(10) + Duration::seconds(1));
    w.expect(change(&temporary, "brand-new-pass"), -30113, "Temporary password expired").await;
    w.ok(login("alice", PASSWORD)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn resetpassword_sets_an_unknown_password() {
    let w = World::start().await;
    w.user("alice");
    w.ok(Request::ResetPassword { username: "alice".into() }).await;
    w.expect(login("alice", PASSWORD), -30101, "Wrong password").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn updatepassword_checks_the_minimum_length() {
    let w = World::start().await;
    w.user("alice");
    w.expect(
        Request::UpdatePassword { username: "alice".into(), newpassword: "1234567".into() },
        -30109,
        "Password invalid",
    )
    .await;
    w.ok(Request::UpdatePassword { username: "alice".into(), newpassword: "12345678".into() }).await;
    w.ok(login("alice", "12345678")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn passwords_are_stored_as_argon2id() {
    let w = World::start().await;
    w.user("alice");
    let conn = rusqlite::Connection::open(&w.db_path).expect("open raw");
    let hash: String =
        conn.query_row("SELECT password_hash FROM users WHERE username = 'alice'", [], |r| r.get(0)).expect("row");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test(flavor = "multi_thread")]
async fn setreference_and_changelanguage() {
    let w = World::start().await;
    w.user("alice");
    w.ok(Request::SetReference { username: "alice".into(), reference: "CRM-42".into() }).await;
    w.ok(Request::ChangeLanguage { username: "alice".into(), language: "FR".into() }).await;
    w.expect(
        Request::ChangeLanguage { username: "alice".into(), language: "klingon".into() },
        -30115,
        "Invalid language",
    )
    .await;
    let xml = w.ok(login("alice", PASSWORD)).await.to_xml();
    assert!(xml.contains("<language>fr</language><reference>CRM-42</reference>"), "{xml}");
}

#[tokio::test(flavor = "multi_thread")]
async fn setemail_changes_the_address_at_once() {
    let w = World::start().await;
    w.user("alice");
    w.expect(Request::SetEmail { username: "alice".into(), newemail: "broken".into() }, -30110, "Email invalid").await;
    w.ok(Request::SetEmail { username: "alice".into(), newemail: "alice@new.example".into() }).await;
    let xml = w.ok(login("alice", PASSWORD)).await.to_xml();
    assert!(xml.contains("<email>alice@new.example</email>"), "{xml}");
    assert!(w.mails_to("alice@new.example").is_empty(), "setemail sends no mail");
}

#[tokio::test(flavor = "multi_thread")]
async fn changeemail_waits_for_confirmnewemail() {
    let w = World::start().await;
    w.user("alice");
    w.user("bobby");
    let change = |email: &str| Request::ChangeEmail { username: "alice".into(), newemail: email.into() };
    w.expect(change("broken@"), -30110, "Email invalid").await;
    w.expect(change("bobby@example.com"), -30104, "Email already exists").await;
    w.expect(change("alice@example.com"), -30104, "Email already exists").await;
    w.ok(change("alice@new.example")).await;
    let xml = w.ok(login("alice", PASSWORD)).await.to_xml();
    assert!(xml.contains("<email>alice@example.com</email>"), "the old address shows until confirmed");
    let code = w.secret_in_last_mail("alice@new.example");
    let confirm = |code: &str| Request::ConfirmNewEmail { username: "alice".into(), activationcode: code.into() };
    w.expect(confirm("ABCDEFGHJKLMNPQRSTUV"), -30106, "Wrong activation code").await;
    w.ok(confirm(&code)).await;
    let xml = w.ok(login("alice", PASSWORD)).await.to_xml();
    assert!(xml.contains("<email>alice@new.example</email>"), "{xml}");
}

#[tokio::test(flavor = "multi_thread")]
async fn confirmnewemail_refuses_an_address_taken_meanwhile() {
    let w = World::start().await;
    w.user("alice");
    w.user("bobby");
    w.ok(Request::ChangeEmail { username: "alice".into(), newemail: "shared@example.com".into() }).await;
    let code = w.secret_in_last_mail("shared@example.com");
    w.ok(Request::SetEmail { username: "bobby".into(), newemail: "shared@example.com".into() }).await;
    w.expect(
        Request::ConfirmNewEmail { username: "alice".into(), activationcode: code },
        -30104,
        "Email already exists",
    )
    .await;
}
