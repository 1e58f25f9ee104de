//! A distributor sees and touches only its own users and licenses.

use keydesk::protocol::tdrs::reply::{Block, Reply};
use keydesk::protocol::tdrs::request::{DepotField, Request};

use crate::world::{PASSWORD, World, create_license, expect, ok};

/// Every command, aimed at BETA's user `victim` and license `number`.
fn every_command(number: &str) -> Vec<Request> {
    let u = || "victim".to_owned();
    let n = || number.to_owned();
    let depot = Some(DepotField { depot_id: "d1".into(), host_url: "https://h".into(), raw: String::new() });
    vec![
        Request::GetUserData { username: u() },
        Request::ResendActivation { username: u() },
        Request::ActivateUser { username: u(), activationcode: "ABCDEFGHJKLMNPQRSTUV".into() },
        Request::SendPassword { username: u() },
        Request::ResetPassword { username: u() },
        Request::ChangePassword { username: u(), password: "x".into(), newpassword: "long-enough-1".into() },
        Request::UpdatePassword { username: u(), newpassword: "long-enough-1".into() },
        Request::SetReference { username: u(), reference: "x".into() },
        Request::SetEmail { username: u(), newemail: "x@example.com".into() },
        Request::ChangeEmail { username: u(), newemail: "x@example.com".into() },
        Request::ConfirmNewEmail { username: u(), activationcode: "x".into() },
        Request::ChangeLanguage { username: u(), language: "fr".into() },
        Request::RemoveUser { username: u(), deletelicense: true, deletedepot: true },
        Request::RemoveDevice { username: u(), deviceid: "1".into() },
        Request::DeleteUser { username: u() },
        Request::ConfirmUserDelete {
            username: u(),
            password: PASSWORD.into(),
            activationcode: "x".into(),
            deletedepot: true,
            deletelicense: true,
        },
        Request::GetLicenseData { username: u() },
        Request::GetDefaultLicense { username: u() },
        Request::GetDefaultDepotData { username: u() },
        Request::SetDepotForUser { username: u(), depot: depot.clone(), sendinvitation: false },
        Request::RemoveDepotFromUser { username: u(), depot: depot.clone(), sendinvitation: false },
        Request::SendInvitation { username: u(), invitationtype: "INV_TYPE_CREATEDEPOT".into(), depot },
        Request::SetInvitedUser { username: u(), inviteduser: u() },
        create_license("victim", "client", "permanent", "personal", None),
        Request::AssignUserToLicense { username: u(), number: n() },
        Request::AssignLicenseToClient { username: u(), number: n(), devices: vec![] },
        Request::RemoveUserFromLicense { username: u(), number: n() },
        Request::UpgradeLicense { username: u(), number: n(), featurevalue: Some("enterprise".into()), limit: None },
        Request::UpgradeDefaultLicense { username: u(), featurevalue: Some("enterprise".into()), limit: None },
        Request::DowngradeLicense { username: u(), number: n(), featurevalue: Some("personal".into()), limit: None },
        Request::DowngradeDefaultLicense { username: u(), featurevalue: Some("personal".into()), limit: None },
        Request::GetUsedLicense { username: u(), number: Some(n()) },
        Request::CancelLicense { username: Some(u()), number: n(), limit: Some("0".into()) },
    ]
}

/// Commands that name only a license.
fn license_commands(number: &str) -> Vec<Request> {
    let n = || number.to_owned();
    vec![
        Request::DeactivateLicense { number: n() },
        Request::ActivateLicense { number: n() },
        Request::SetLicenseReference { number: n(), licensereference: "x".into() },
        Request::RemoveLicense { number: n(), usernames: vec!["owner1".into()], devices: vec![] },
        Request::CancelLicense { username: None, number: n(), limit: Some("0".into()) },
        Request::AssignUserToLicense { username: "owner1".into(), number: n() },
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn another_distributors_users_and_licenses_are_out_of_reach() {
    let w = World::start().await;
    w.user("owner1");
    w.user_of(w.beta_id, "victim");
    let device = w
        .service
        .register_device(&keydesk::service::Actor::Distributor(w.beta_id), "victim", "pc", "linux", "1")
        .expect("device");
    let reply = ok(&w.beta, create_license("victim", "client", "permanent", "professional", Some("3"))).await;
    let number = reply.licenses()[0].number.clone();
    ok(&w.beta, Request::AssignLicenseToClient { username: "victim".into(), number: number.clone(), devices: vec![] })
        .await;
    let before = ok(&w.beta, Request::GetUserData { username: "victim".into() }).await;

    for request in every_command(&number) {
        let command = request.command();
        let reply = w.acme.call(request).await.expect("reply");
        assert!(
            matches!(reply, Reply::Exception { primary: -30100, .. }),
            "{command} reached another distributor's user: {reply:?}"
        );
    }
    for request in license_commands(&number) {
        expect(&w.acme, request, -30201, "Unknown License").await;
    }
    // The login answer names BETA's website, nothing of the user.
    expect(
        &w.acme,
        Request::LoginUser { username: Some("victim".into()), useroremail: None, password: PASSWORD.into() },
        -30004,
        "https://beta.example/login",
    )
    .await;

    // searchuser: only own users with onlyownusers; across distributors, no e-mail, reference or devices.
    let own = w
        .ok(Request::SearchUser {
            username: "victim".into(),
            email: String::new(),
            startid: String::new(),
            showdevice: true,
            onlyownusers: true,
        })
        .await;
    assert!(own.to_xml().contains("<total>0</total>"));
    let all = w
        .ok(Request::SearchUser {
            username: "victim".into(),
            email: String::new(),
            startid: String::new(),
            showdevice: true,
            onlyownusers: false,
        })
        .await;
    let Reply::Success(blocks) = &all else { unreachable!() };
    let Some(Block::Search { users, .. }) = blocks.first() else { panic!("no search") };
    assert_eq!(users.len(), 1);
    assert_eq!((users[0].email.as_str(), users[0].reference.as_str(), users[0].distributor.as_str()), ("", "", "BETA"));
    assert_eq!(users[0].devices.as_deref(), Some(&[][..]));
    assert_eq!(users[0].language, "");
    for only_own in [true, false] {
        let by_mail = w
            .ok(Request::SearchUser {
                username: String::new(),
                email: "victim@example.com".into(),
                startid: String::new(),
                showdevice: false,
                onlyownusers: only_own,
            })
            .await;
        assert!(by_mail.to_xml().contains("<total>0</total>"), "an address never leads to another distributor's user");
    }

    // Nothing changed for BETA.
    let after = ok(&w.beta, Request::GetUserData { username: "victim".into() }).await;
    assert_eq!(before, after);
    let devices = w.service.devices(&keydesk::service::Actor::Distributor(w.beta_id), "victim").expect("devices");
    assert_eq!(devices.iter().map(|d| d.id).collect::<Vec<_>>(), vec![device.id]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_distributor_acts_for_a_distributor_that_allows_it() {
    let w = World::start().await;
    w.user_of(w.beta_id, "victim");
    let as_beta = w.acme.clone().acting_for("BETA");
    ok(&as_beta, Request::SetReference { username: "victim".into(), reference: "managed".into() }).await;
    let reply = ok(&w.beta, Request::GetUserData { username: "victim".into() }).await;
    assert!(reply.to_xml().contains("<reference>managed</reference>"));
    // BETA is not the default distributor: it may not act for ACME.
    w.user("owner1");
    expect(
        &w.beta.clone().acting_for("ACME"),
        Request::GetUserData { username: "owner1".into() },
        -30000,
        "Access denied to specified Provider",
    )
    .await;
    expect(
        &w.acme.clone().acting_for("NOPE"),
        Request::GetUserData { username: "owner1".into() },
        -30114,
        "Invalid Distributor",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_license_of_no_distributor_is_out_of_every_distributors_reach() {
    use keydesk::domain::license::{Features, LicenseType, ProductKind, SeatLimit};
    use keydesk::store::NewLicense;
    let w = World::start().await;
    w.user("owner1");
    let number = "KEY-WITHOUT-DISTRIBUTOR-0001".to_owned();
    let new = NewLicense {
        number: number.clone(),
        distributor: None,
        owner: None,
        product: ProductKind::Client,
        license_type: LicenseType::Permanent,
        features: Features::from_bits(8).expect("bits"),
        limit: SeatLimit(1),
        valid_until: None,
        is_default: false,
        reference: String::new(),
        contract_number: String::new(),
        change_id: String::new(),
        created_at: w.service.now(),
    };
    w.service.store().write(|db| db.insert_license(&new)).expect("insert");
    for request in license_commands(&number) {
        expect(&w.acme, request, -30201, "Unknown License").await;
    }
}
