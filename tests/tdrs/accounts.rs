//! Users: login, search, registration, activation, removal, referral, moving.

use keydesk::domain::user::UserStatus;
use keydesk::protocol::tdrs::reply::{Block, Reply};
use keydesk::protocol::tdrs::request::Request;

use crate::world::{PASSWORD, World, int_result};

fn login(name: &str, password: &str) -> Request {
    Request::LoginUser { username: Some(name.into()), useroremail: None, password: password.into() }
}

fn register(name: &str, email: &str, password: &str) -> Request {
    Request::RegisterUser {
        username: name.into(),
        useremail: email.into(),
        password: password.into(),
        language: Some("de".into()),
        reference: "crm-1".into(),
        department: "Sales".into(),
    }
}

fn search(username: &str, email: &str, only_own: bool, start: i64) -> Request {
    Request::SearchUser {
        username: username.into(),
        email: email.into(),
        startid: start.to_string(),
        showdevice: false,
        onlyownusers: only_own,
    }
}

fn search_of(reply: &Reply) -> (u32, u32, u64, Vec<String>) {
    let Reply::Success(blocks) = reply else { panic!("not a success: {reply:?}") };
    blocks
        .iter()
        .find_map(|b| match b {
            Block::Search { current, maximum, total, users } => {
                Some((*current, *maximum, *total, users.iter().map(|u| u.username.clone()).collect()))
            }
            _ => None,
        })
        .expect("a searchresult")
}

#[tokio::test(flavor = "multi_thread")]
async fn registeruser_creates_an_inactive_user_and_mails_the_activation_code() {
    let w = World::start().await;
    let reply = w.ok(register("alice", "alice@example.com", PASSWORD)).await;
    assert_eq!(int_result(&reply), Some(0));
    w.expect(login("alice", PASSWORD), -30102, "Account not Activated by activation mail").await;
    let code = w.secret_in_last_mail("alice@example.com");
    w.ok(Request::ActivateUser { username: "alice".into(), activationcode: code }).await;
    let reply = w.ok(login("alice", PASSWORD)).await;
    let Reply::Success(blocks) = reply else { unreachable!() };
    let Some(Block::UserData(user)) = blocks.first() else { panic!("no userdata") };
    assert_eq!(
        (user.username.as_str(), user.email.as_str(), user.language.as_str()),
        ("alice", "alice@example.com", "de")
    );
    assert_eq!((user.reference.as_str(), user.department.as_str()), ("crm-1", "Sales"));
}

#[tokio::test(flavor = "multi_thread")]
async fn registeruser_errors() {
    let w = World::start().await;
    w.user("taken");
    w.expect(register("taken", "new@example.com", PASSWORD), -30103, "Username already exists").await;
    w.expect(register("other", "taken@example.com", PASSWORD), -30104, "Email already exists").await;
    w.expect(register("", "x@example.com", PASSWORD), -30108, "Username invalid").await;
    w.expect(register("shortpw", "y@example.com", "1234567"), -30109, "Password invalid").await;
    for bad in ["", "no-at.example.com", "nodot@example"] {
        w.expect(register("mailer", bad, PASSWORD), -30110, "Email invalid").await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn registeruser_with_email_as_reference_generates_the_username() {
    let w = World::start_with(|s| s.email_as_reference = true).await;
    w.ok(register("", "ref@example.com", PASSWORD)).await;
    let user = w.service.search_users(
        &keydesk::service::Actor::Owner,
        &keydesk::service::accounts::UserSearch { email: "ref@example.com".into(), ..Default::default() },
    );
    let name = user.expect("search").hits[0].user.username.clone();
    assert_eq!(name, "$ACME-1000");
    // The e-mail stands for the username in later requests.
    let code = w.secret_in_last_mail("ref@example.com");
    w.ok(Request::ActivateUser { username: "ref@example.com".into(), activationcode: code }).await;
    w.ok(login("ref@example.com", PASSWORD)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn registeruser_without_activation_mail_activates_at_once() {
    let w = World::start_with(|s| s.activation_without_email = true).await;
    w.ok(register("quick", "quick@example.com", PASSWORD)).await;
    assert!(w.mails_to("quick@example.com").is_empty());
    w.ok(login("quick", PASSWORD)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn loginuser_errors() {
    let w = World::start().await;
    w.user("alice");
    w.expect(login("nobody", PASSWORD), -30100, "Username does not exists").await;
    w.expect(login("alice", "wrong-password"), -30101, "Wrong password").await;
    w.user_in("inactive", UserStatus::Inactive);
    w.expect(login("inactive", PASSWORD), -30102, "Account not Activated by activation mail").await;
    w.user_in("disabled", UserStatus::Disabled);
    w.expect(login("disabled", PASSWORD), -30119, "Account is disabled").await;
    w.user_in("leaving", UserStatus::ToDelete);
    w.expect(login("leaving", PASSWORD), -30120, "Account will be deleted by the user").await;
    // A user of another distributor is sent to that distributor's website.
    w.user_of(w.beta_id, "betauser");
    w.expect(login("betauser", PASSWORD), -30004, "https://beta.example/login").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn loginuser_accepts_useroremail() {
    let w = World::start().await;
    w.user("alice");
    let request =
        Request::LoginUser { username: None, useroremail: Some("alice@example.com".into()), password: PASSWORD.into() };
    w.ok(request).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn searchuser_wildcards_paging_and_limits() {
    let w = World::start().await;
    for i in 0..60 {
        w.user(&format!("team{i:02}drive"));
    }
    w.user("zeta-teamdrive");
    let (current, maximum, total, names) = search_of(&w.ok(search("team*", "", true, 0)).await);
    assert_eq!((current, maximum, total), (50, 50, 60));
    assert_eq!(names.first().map(String::as_str), Some("team00drive"));
    // The next page starts after the highest user id of this one.
    let reply = w.ok(search("team*", "", true, 0)).await;
    let Reply::Success(blocks) = &reply else { unreachable!() };
    let last_id = blocks
        .iter()
        .find_map(|b| if let Block::Search { users, .. } = b { users.last().map(|u| u.userid) } else { None });
    let (current, _, total, _) = search_of(&w.ok(search("team*", "", true, last_id.expect("id"))).await);
    assert_eq!((current, total), (10, 60));
    assert_eq!(search_of(&w.ok(search("*drive", "", true, 0)).await).2, 61);
    assert_eq!(search_of(&w.ok(search("*-team*", "", true, 0)).await).3, vec!["zeta-teamdrive"]);
    assert_eq!(search_of(&w.ok(search("team07drive", "", true, 0)).await).3, vec!["team07drive"]);
    // Username AND e-mail.
    assert_eq!(search_of(&w.ok(search("team0*", "*07drive@example.com", true, 0)).await).3, vec!["team07drive"]);
    // No match: zero and no user list.
    let reply = w.ok(search("nomatch*", "", true, 0)).await;
    assert_eq!(search_of(&reply), (0, 50, 0, vec![]));
    assert!(!reply_has_userlist(&reply));
    // All own users with empty terms.
    assert_eq!(search_of(&w.ok(search("", "", true, 0)).await).2, 61);
}

fn reply_has_userlist(reply: &Reply) -> bool {
    reply.to_xml().contains("<userlist>")
}

#[tokio::test(flavor = "multi_thread")]
async fn searchuser_too_short() {
    let w = World::start().await;
    for term in ["ab", "*ab", "ab*", "*ab*", "*"] {
        w.expect(search(term, "", true, 0), -30116, "Search string to short").await;
    }
    w.expect(search("", "", false, 0), -30116, "Search string to short").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn searchuser_shows_devices_when_asked() {
    let w = World::start().await;
    w.user("alice");
    w.device("alice", "laptop");
    w.user("bobby");
    let request = Request::SearchUser {
        username: "*".repeat(0) + "alice",
        email: String::new(),
        startid: String::new(),
        showdevice: true,
        onlyownusers: true,
    };
    let reply = w.ok(request).await;
    let Reply::Success(blocks) = reply else { unreachable!() };
    let Some(Block::Search { users, .. }) = blocks.first() else { panic!("no search") };
    let devices = users[0].devices.as_ref().expect("devices block");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].name, "laptop");
    let reply = w.ok(search("bobby", "", true, 0)).await;
    assert!(!reply.to_xml().contains("<devices>"), "no device block unless asked");
}

#[tokio::test(flavor = "multi_thread")]
async fn getuserdata_returns_user_licenses_and_depots() {
    let w = World::start().await;
    w.user("alice");
    w.device("alice", "laptop");
    let reply = w.ok(Request::GetUserData { username: "alice".into() }).await;
    let xml = reply.to_xml();
    assert!(xml.contains("<userdata><username>alice</username>"), "{xml}");
    assert_eq!(reply.licenses().len(), 1, "the default license created with the first device");
    assert!(reply.licenses()[0].isdefault);
    assert!(xml.contains("<depotdata><count>0</count></depotdata>"), "{xml}");
}

#[tokio::test(flavor = "multi_thread")]
async fn resendactivation_resends_the_code_so_the_first_mail_still_activates() {
    let w = World::start().await;
    w.ok(register("alice", "alice@example.com", PASSWORD)).await;
    let first = w.secret_in_last_mail("alice@example.com");
    w.ok(Request::ResendActivation { username: "alice".into() }).await;
    let second = w.secret_in_last_mail("alice@example.com");
    assert_eq!(first, second, "the resent mail carries the same code");
    // The code of the first mail activates.
    w.ok(Request::ActivateUser { username: "alice".into(), activationcode: first }).await;
    w.expect(Request::ResendActivation { username: "alice".into() }, -30118, "Account already activated").await;
    w.expect(Request::ResendActivation { username: "nobody".into() }, -30100, "Username does not exists").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn activateuser_errors() {
    let w = World::start().await;
    w.expect(
        Request::ActivateUser { username: "nobody".into(), activationcode: "X".into() },
        -30100,
        "Username does not exists",
    )
    .await;
    w.ok(register("alice", "alice@example.com", PASSWORD)).await;
    let wrong = Request::ActivateUser { username: "alice".into(), activationcode: "ABCDEFGHJKLMNPQRSTUV".into() };
    w.expect(wrong, -30106, "Wrong activation code").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn activateclient_activates_by_code_alone() {
    let w = World::start().await;
    w.ok(register("alice", "alice@example.com", PASSWORD)).await;
    let code = w.secret_in_last_mail("alice@example.com");
    w.expect(Request::ActivateClient { activationcode: "not-a-code".into() }, -30106, "Wrong activation code").await;
    w.expect(
        Request::ActivateClient { activationcode: "ABCDEFGHJKLMNPQRSTUV".into() },
        -30117,
        "Activation code not found",
    )
    .await;
    w.ok(Request::ActivateClient { activationcode: code.to_lowercase() }).await;
    w.ok(login("alice", PASSWORD)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn removeuser_deletes_at_once_with_or_without_licenses() {
    let w = World::start().await;
    w.user("keeper");
    w.user("dropper");
    let kept = w.license(Some("keeper"), "professional", 3).await;
    let dropped = w.license(Some("dropper"), "professional", 3).await;
    w.ok(Request::RemoveUser { username: "keeper".into(), deletelicense: false, deletedepot: true }).await;
    w.ok(Request::RemoveUser { username: "dropper".into(), deletelicense: true, deletedepot: true }).await;
    w.expect(login("keeper", PASSWORD), -30100, "Username does not exists").await;
    w.expect(
        Request::RemoveUser { username: "keeper".into(), deletelicense: false, deletedepot: false },
        -30100,
        "Username does not exists",
    )
    .await;
    // The kept license can be given to someone else; the deleted one is gone.
    w.user("heiress");
    w.ok(Request::AssignUserToLicense { username: "heiress".into(), number: kept }).await;
    w.expect(Request::AssignUserToLicense { username: "heiress".into(), number: dropped }, -30201, "Unknown License")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn removedevice_errors_and_success() {
    let w = World::start().await;
    w.user("alice");
    let device = w.device("alice", "laptop");
    w.expect(
        Request::RemoveDevice { username: "nobody".into(), deviceid: device.to_string() },
        -30100,
        "Username does not exists",
    )
    .await;
    w.expect(Request::RemoveDevice { username: "alice".into(), deviceid: "999".into() }, -30121, "Device not found")
        .await;
    w.expect(Request::RemoveDevice { username: "alice".into(), deviceid: "laptop".into() }, -30121, "Device not found")
        .await;
    w.ok(Request::RemoveDevice { username: "alice".into(), deviceid: device.to_string() }).await;
    w.expect(
        Request::RemoveDevice { username: "alice".into(), deviceid: device.to_string() },
        -30121,
        "Device not found",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deleteuser_then_confirmuserdelete() {
    let w = World::start().await;
    w.user("alice");
    w.expect(Request::DeleteUser { username: "nobody".into() }, -30100, "Username does not exists").await;
    w.ok(Request::DeleteUser { username: "alice".into() }).await;
    w.expect(login("alice", PASSWORD), -30120, "Account will be deleted by the user").await;
    let code = w.secret_in_last_mail("alice@example.com");
    let confirm = |password: &str, code: &str| Request::ConfirmUserDelete {
        username: "alice".into(),
        password: password.into(),
        activationcode: code.into(),
        deletedepot: true,
        deletelicense: true,
    };
    w.expect(
        Request::ConfirmUserDelete {
            username: "nobody".into(),
            password: PASSWORD.into(),
            activationcode: code.clone(),
            deletedepot: true,
            deletelicense: true,
        },
        -30100,
        "Username does not exists",
    )
    .await;
    w.expect(confirm("wrong-password", &code), -30101, "Wrong password").await;
    w.expect(confirm(PASSWORD, "ABCDEFGHJKLMNPQRSTUV"), -30106, "Wrong activation code").await;
    w.ok(confirm(PASSWORD, &code)).await;
    w.expect(login("alice", PASSWORD), -30100, "Username does not exists").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn setinviteduser_records_a_referral_once() {
    let w = World::start().await;
    w.user("inviter");
    w.user("invitee");
    let invite = |invited: &str| Request::SetInvitedUser { username: "inviter".into(), inviteduser: invited.into() };
    w.expect(invite("ghost"), -30108, "Unknown user: ghost").await;
    w.ok(invite("invitee")).await;
    w.expect(invite("invitee"), -30209, "Setinvited user failed").await;
    w.expect(invite("inviter"), -30209, "Setinvited user failed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn setdistributor_moves_a_user_only_for_the_default_distributor() {
    let w = World::start().await;
    w.user("mover");
    let request = |target: &str| Request::SetDistributor { username: "mover".into(), newdistributor: target.into() };
    w.expect(request("ZZZZ"), -30114, "Invalid Distributor").await;
    w.expect(request("bad code"), -30114, "Invalid Distributor").await;
    w.ok(request("BETA")).await;
    // Now BETA's: ACME's login is redirected, BETA may not move users.
    w.expect(login("mover", PASSWORD), -30004, "https://beta.example/login").await;
    crate::world::ok(&w.beta, login("mover", PASSWORD)).await;
    crate::world::expect(&w.beta, request("ACME"), -30000, "Access denied to specified Provider").await;
}

/// Every command whose documentation cites the four user-state errors ("See above").
fn u4_commands(name: &str) -> Vec<Request> {
    let n = || name.to_owned();
    vec![
        Request::GetUserData { username: n() },
        Request::SendPassword { username: n() },
        Request::ResetPassword { username: n() },
        Request::ChangePassword { username: n(), password: "x".into(), newpassword: "long-enough-1".into() },
        Request::UpdatePassword { username: n(), newpassword: "long-enough-1".into() },
        Request::SetReference { username: n(), reference: "r".into() },
        Request::SetEmail { username: n(), newemail: "n@example.com".into() },
        Request::ChangeEmail { username: n(), newemail: "n@example.com".into() },
        Request::ConfirmNewEmail { username: n(), activationcode: "x".into() },
        Request::ChangeLanguage { username: n(), language: "fr".into() },
        Request::SetDepotForUser { username: n(), depot: None, sendinvitation: false },
        Request::RemoveDepotFromUser { username: n(), depot: None, sendinvitation: false },
        Request::SendInvitation { username: n(), invitationtype: "INV_TYPE_CREATEDEPOT".into(), depot: None },
        Request::SetInvitedUser { username: n(), inviteduser: "x".into() },
        crate::world::create_license(name, "client", "permanent", "personal", Some("1")),
        Request::AssignUserToLicense { username: n(), number: "x".into() },
        Request::AssignLicenseToClient { username: n(), number: "x".into(), devices: vec![] },
        Request::RemoveUserFromLicense { username: n(), number: "x".into() },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_citing_the_user_states_answer_them() {
    let w = World::start().await;
    w.user_in("inactive", UserStatus::Inactive);
    w.user_in("disabled", UserStatus::Disabled);
    w.user_in("leaving", UserStatus::ToDelete);
    let cases = [
        ("nobody", -30100, "Username does not exists"),
        ("inactive", -30102, "Account not Activated by activation mail"),
        ("disabled", -30119, "Account is disabled"),
        ("leaving", -30120, "Account will be deleted by the user"),
    ];
    for (name, code, message) in cases {
        for request in u4_commands(name) {
            w.expect(request, code, message).await;
        }
    }
}

/// Commands whose documentation cites only "User Unknown" and "Account not Activated".
#[tokio::test(flavor = "multi_thread")]
async fn license_changes_answer_unknown_and_inactive_users() {
    let w = World::start().await;
    w.user_in("inactive", UserStatus::Inactive);
    for (name, code, message) in [
        ("nobody", -30100, "Username does not exists"),
        ("inactive", -30102, "Account not Activated by activation mail"),
    ] {
        let n = || name.to_owned();
        let requests = vec![
            Request::UpgradeLicense {
                username: n(),
                number: "x".into(),
                featurevalue: Some("enterprise".into()),
                limit: None,
            },
            Request::UpgradeDefaultLicense { username: n(), featurevalue: Some("enterprise".into()), limit: None },
            Request::DowngradeLicense {
                username: n(),
                number: "x".into(),
                featurevalue: Some("personal".into()),
                limit: None,
            },
            Request::DowngradeDefaultLicense { username: n(), featurevalue: Some("personal".into()), limit: None },
            Request::GetUsedLicense { username: n(), number: None },
        ];
        for request in requests {
            w.expect(request, code, message).await;
        }
    }
    w.expect(Request::GetLicenseData { username: "nobody".into() }, -30100, "Username does not exists").await;
    w.expect(Request::GetDefaultLicense { username: "nobody".into() }, -30100, "Username does not exists").await;
    w.expect(Request::GetDefaultDepotData { username: "nobody".into() }, -30100, "Username does not exists").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn activateclient_does_not_activate_a_disabled_account() {
    let w = World::start().await;
    w.ok(register("alice", "alice@example.com", PASSWORD)).await;
    let code = w.secret_in_last_mail("alice@example.com");
    w.service
        .set_user_status(&keydesk::service::Actor::Distributor(w.acme_id), "alice", UserStatus::Disabled)
        .expect("disable");
    w.expect(Request::ActivateClient { activationcode: code }, -30106, "Wrong activation code").await;
    w.expect(login("alice", PASSWORD), -30119, "Account is disabled").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn setdistributor_keeps_addresses_unique_at_the_target() {
    let w = World::start().await;
    w.user("mover");
    w.user_of(w.beta_id, "twinuser");
    w.service
        .set_email(&keydesk::service::Actor::Distributor(w.beta_id), "twinuser", "mover@example.com")
        .expect("same address at BETA");
    let request = Request::SetDistributor { username: "mover".into(), newdistributor: "BETA".into() };
    w.expect(request, -30104, "Email already exists").await;
}
