//! Licenses: create, read, assign, activate, upgrade, downgrade, use, cancel.

use keydesk::protocol::tdrs::request::Request;

use crate::world::{World, create_license, create_license_without_user};

#[tokio::test(flavor = "multi_thread")]
async fn createlicense_answers_intresult_and_the_number() {
    let w = World::start().await;
    w.user("alice");
    let mut request = create_license("alice", "client", "yearly", "professional", Some("5"));
    if let Request::CreateLicense { terms, .. } = &mut request {
        terms.licensereference = "ref-1".into();
        terms.contractnumber = "C-99".into();
        terms.changeid = "chg-1".into();
    }
    let reply = w.ok(request).await;
    assert_eq!(crate::world::int_result(&reply), Some(0));
    let created = reply.licenses()[0].clone();
    assert!(created.number.starts_with("ACME-"), "{}", created.number);
    let license = w.license_of("alice", &created.number).await;
    assert_eq!((license.productid, license.productname.as_str(), license.license_type), (1, "client", 3));
    assert_eq!((license.featurevalue, license.featuretext.as_str()), (8, "Professional"));
    assert_eq!((license.limit, license.used, license.status), (5, 0, 0));
    assert_eq!((license.licensereference.as_str(), license.contractnumber.as_str()), ("ref-1", "C-99"));
    assert_eq!((license.created.as_str(), license.validuntil.as_str()), ("15.01.2026", "15.01.2027"));
}

#[tokio::test(flavor = "multi_thread")]
async fn createlicense_errors() {
    let w = World::start().await;
    w.user("alice");
    let cases: [(Request, i32, &str); 7] = [
        (create_license("alice", "desktop", "permanent", "personal", None), -30203, "Productname unknown"),
        (create_license("alice", "client", "weekly", "personal", None), -30204, "Type unknown"),
        (create_license("alice", "client", "permanent", "gold", None), -30205, "Feature unknown"),
        (create_license("alice", "server", "permanent", "banner", None), -30205, "Feature unknown"),
        (create_license("alice", "client", "permanent", "personal", Some("many")), -30206, "Limit unknown"),
        (create_license("alice", "client", "permanent", "personal", Some("-1")), -30206, "Limit unknown"),
        (create_license("alice", "client", "permanent", "personal", Some("0")), -30206, "Limit unknown"),
    ];
    for (request, code, message) in cases {
        w.expect(request, code, message).await;
    }
    let mut dated = create_license("alice", "client", "permanent", "personal", None);
    if let Request::CreateLicense { terms, .. } = &mut dated {
        terms.validuntil = Some("2026-12-31".into());
    }
    w.expect(dated, -30122, "Invalid date").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn createlicensewithoutuser_errors_and_server_unlimited() {
    let w = World::start().await;
    w.expect(create_license_without_user("desktop", "permanent", "personal", None), -30203, "Productname unknown")
        .await;
    w.expect(create_license_without_user("client", "weekly", "personal", None), -30204, "Type unknown").await;
    w.expect(create_license_without_user("client", "permanent", "gold", None), -30205, "Feature unknown").await;
    w.expect(create_license_without_user("client", "permanent", "personal", Some("x")), -30206, "Limit unknown").await;
    let mut dated = create_license_without_user("client", "permanent", "personal", None);
    if let Request::CreateLicenseWithoutUser { terms } = &mut dated {
        terms.validuntil = Some("31.02.2026".into());
    }
    w.expect(dated, -30122, "Invalid date").await;
    let reply = w.ok(create_license_without_user("server", "monthly", "enterprise", Some("0000"))).await;
    let license = reply.licenses()[0].clone();
    assert_eq!((license.productid, license.limit, license.validuntil.as_str()), (2, 0, "15.02.2026"));
}

#[tokio::test(flavor = "multi_thread")]
async fn assignusertolicense_gives_an_unowned_license_an_owner() {
    let w = World::start().await;
    w.user("alice");
    let number = w.license(None, "enterprise", 10).await;
    let before = w.ok(Request::GetLicenseData { username: "alice".into() }).await;
    assert!(before.licenses().iter().all(|l| l.number != number));
    w.expect(
        Request::AssignUserToLicense { username: "alice".into(), number: "ACME-NOPE-NOPE-NOPE".into() },
        -30201,
        "Unknown License",
    )
    .await;
    w.ok(Request::AssignUserToLicense { username: "alice".into(), number: number.clone() }).await;
    assert_eq!(w.license_of("alice", &number).await.limit, 10);
}

#[tokio::test(flavor = "multi_thread")]
async fn assignlicensetoclient_puts_the_license_on_devices() {
    let w = World::start().await;
    w.user("alice");
    let number = w.license(Some("alice"), "professional", 2).await;
    let assign = |devices: Vec<String>| Request::AssignLicenseToClient {
        username: "alice".into(),
        number: number.clone(),
        devices,
    };
    w.expect(assign(vec![]), -30121, "Device not found").await;
    let laptop = w.device("alice", "laptop");
    let desktop = w.device("alice", "desktop");
    let phone = w.device("alice", "phone");
    w.expect(assign(vec!["4242".into()]), -30121, "Device not found").await;
    w.expect(
        Request::AssignLicenseToClient {
            username: "alice".into(),
            number: "ACME-NOPE-NOPE-NOPE".into(),
            devices: vec![],
        },
        -30201,
        "Unknown License",
    )
    .await;
    w.ok(assign(vec![laptop.to_string(), desktop.to_string()])).await;
    assert_eq!(w.license_of("alice", &number).await.used, 2);
    // Both seats are taken: a third device does not fit.
    w.expect(assign(vec![phone.to_string()]), -30206, "Limit unknown").await;
    // Assigning again to devices that hold it changes nothing.
    w.ok(assign(vec![laptop.to_string()])).await;
    // Removing a device frees its seat.
    w.ok(Request::RemoveDevice { username: "alice".into(), deviceid: desktop.to_string() }).await;
    assert_eq!(w.license_of("alice", &number).await.used, 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn removeuserfromlicense_and_its_errors() {
    let w = World::start().await;
    w.user("alice");
    w.user("bobby");
    let number = w.license(Some("alice"), "personal", 1).await;
    let remove =
        |user: &str, number: &str| Request::RemoveUserFromLicense { username: user.into(), number: number.into() };
    w.expect(remove("bobby", &number), -30201, "Unknown License").await;
    crate::world::expect(&w.acme.clone().acting_for("ZZZZ"), remove("alice", &number), -30114, "Invalid Distributor")
        .await;
    w.ok(remove("alice", &number)).await;
    w.expect(remove("alice", &number), -30201, "Unknown License").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn deactivatelicense_and_activatelicense() {
    let w = World::start().await;
    w.user("alice");
    let number = w.license(Some("alice"), "personal", 1).await;
    let off = || Request::DeactivateLicense { number: number.clone() };
    let on = || Request::ActivateLicense { number: number.clone() };
    w.expect(on(), -30210, "License not disabled").await;
    w.ok(off()).await;
    assert_eq!(w.license_of("alice", &number).await.status, 1);
    w.expect(off(), -30210, "License already disabled").await;
    w.ok(on()).await;
    assert_eq!(w.license_of("alice", &number).await.status, 0);
    w.expect(Request::DeactivateLicense { number: "ACME-NOPE-NOPE-NOPE".into() }, -30201, "Unknown License").await;
    w.expect(Request::ActivateLicense { number: "ACME-NOPE-NOPE-NOPE".into() }, -30201, "Unknown License").await;
    let unknown_distributor = w.acme.clone().acting_for("ZZZZ");
    crate::world::expect(&unknown_distributor, off(), -30114, "Invalid Distributor").await;
    crate::world::expect(&unknown_distributor, on(), -30114, "Invalid Distributor").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn upgradelicense_raises_edition_and_seats() {
    let w = World::start().await;
    w.user("alice");
    let number = w.license(Some("alice"), "personal,webdavs", 2).await;
    let upgrade = |feature: Option<&str>, limit: Option<&str>| Request::UpgradeLicense {
        username: "alice".into(),
        number: number.clone(),
        featurevalue: feature.map(Into::into),
        limit: limit.map(Into::into),
    };
    w.ok(upgrade(Some("enterprise"), Some("5"))).await;
    let license = w.license_of("alice", &number).await;
    assert_eq!((license.featurevalue, license.limit), (16 + 2, 5));
    w.expect(upgrade(Some("personal"), None), -30202, "License upgrade failed").await;
    w.expect(upgrade(None, Some("3")), -30202, "License upgrade failed").await;
    w.expect(
        Request::UpgradeLicense {
            username: "alice".into(),
            number: "ACME-NOPE-NOPE-NOPE".into(),
            featurevalue: None,
            limit: None,
        },
        -30201,
        "Unknown License",
    )
    .await;
    w.ok(Request::DeactivateLicense { number: number.clone() }).await;
    w.expect(upgrade(Some("enterprise"), None), -30202, "License upgrade failed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn downgradelicense_lowers_but_not_below_use() {
    let w = World::start().await;
    w.user("alice");
    let number = w.license(Some("alice"), "enterprise", 3).await;
    w.device("alice", "laptop");
    w.device("alice", "desktop");
    w.ok(Request::AssignLicenseToClient { username: "alice".into(), number: number.clone(), devices: vec![] }).await;
    let downgrade = |feature: Option<&str>, limit: Option<&str>| Request::DowngradeLicense {
        username: "alice".into(),
        number: number.clone(),
        featurevalue: feature.map(Into::into),
        limit: limit.map(Into::into),
    };
    w.ok(downgrade(Some("professional"), Some("2"))).await;
    let license = w.license_of("alice", &number).await;
    assert_eq!((license.featurevalue, license.limit, license.used), (8, 2, 2));
    w.expect(downgrade(None, Some("1")), -30208, "License downgrade failed").await;
    w.expect(downgrade(Some("enterprise"), None), -30208, "License downgrade failed").await;
    w.expect(
        Request::DowngradeLicense {
            username: "alice".into(),
            number: "ACME-NOPE-NOPE-NOPE".into(),
            featurevalue: None,
            limit: None,
        },
        -30201,
        "Unknown License",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn default_license_reads_upgrades_and_downgrades() {
    let w = World::start().await;
    w.user("alice");
    let reply = w.ok(Request::GetDefaultLicense { username: "alice".into() }).await;
    let license = reply.licenses()[0].clone();
    assert!(license.isdefault);
    assert_eq!(license.featurevalue, 4);
    w.ok(Request::UpgradeDefaultLicense {
        username: "alice".into(),
        featurevalue: Some("professional".into()),
        limit: None,
    })
    .await;
    w.expect(
        Request::UpgradeDefaultLicense { username: "alice".into(), featurevalue: Some("personal".into()), limit: None },
        -30202,
        "License upgrade failed",
    )
    .await;
    w.ok(Request::DowngradeDefaultLicense {
        username: "alice".into(),
        featurevalue: Some("personal".into()),
        limit: None,
    })
    .await;
    w.expect(
        Request::DowngradeDefaultLicense {
            username: "alice".into(),
            featurevalue: Some("enterprise".into()),
            limit: None,
        },
        -30208,
        "License downgrade failed",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_default_licenses_the_default_calls_find_none() {
    let w = World::start_with(|s| s.create_default_license = false).await;
    w.user("alice");
    w.expect(Request::GetDefaultLicense { username: "alice".into() }, -30201, "Unknown License").await;
    w.expect(Request::GetLicenseData { username: "alice".into() }, -30201, "Unknown License").await;
    w.expect(
        Request::UpgradeDefaultLicense {
            username: "alice".into(),
            featurevalue: Some("enterprise".into()),
            limit: None,
        },
        -30201,
        "Unknown License",
    )
    .await;
    w.expect(
        Request::DowngradeDefaultLicense {
            username: "alice".into(),
            featurevalue: Some("personal".into()),
            limit: None,
        },
        -30201,
        "Unknown License",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn getusedlicense_lists_who_uses_each_active_license() {
    let w = World::start_with(|s| s.create_default_license = false).await;
    w.user("owner");
    w.user("worker");
    w.expect(Request::GetUsedLicense { username: "owner".into(), number: None }, -30201, "Unknown License").await;
    let number = w.license(Some("owner"), "professional", 5).await;
    w.device("worker", "pc");
    w.ok(Request::AssignLicenseToClient { username: "worker".into(), number: number.clone(), devices: vec![] }).await;
    let reply = w.ok(Request::GetUsedLicense { username: "owner".into(), number: Some(number.clone()) }).await;
    let used = reply.licenses()[0].clone();
    assert_eq!((used.used, used.usernames.as_deref()), (1, Some("owner,worker")));
    w.ok(Request::DeactivateLicense { number: number.clone() }).await;
    w.expect(Request::GetUsedLicense { username: "owner".into(), number: None }, -30201, "Unknown License").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn setlicensereference() {
    let w = World::start().await;
    w.user("alice");
    let number = w.license(Some("alice"), "personal", 1).await;
    w.ok(Request::SetLicenseReference { number: number.clone(), licensereference: "order-7".into() }).await;
    assert_eq!(w.license_of("alice", &number).await.licensereference, "order-7");
    w.expect(
        Request::SetLicenseReference { number: "ACME-NOPE-NOPE-NOPE".into(), licensereference: "x".into() },
        -30201,
        "Unknown License",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn removelicense_takes_the_license_off_the_users_devices() {
    let w = World::start().await;
    w.user("alice");
    w.user_in("inactive", keydesk::domain::user::UserStatus::Inactive);
    let number = w.license(Some("alice"), "professional", 3).await;
    let laptop = w.device("alice", "laptop");
    w.device("alice", "desktop");
    w.ok(Request::AssignLicenseToClient { username: "alice".into(), number: number.clone(), devices: vec![] }).await;
    let remove = |users: &[&str], devices: Vec<String>| Request::RemoveLicense {
        number: number.clone(),
        usernames: users.iter().map(|u| (*u).to_owned()).collect(),
        devices,
    };
    w.expect(remove(&["nobody"], vec![]), -30100, "Username does not exists").await;
    w.expect(remove(&["inactive"], vec![]), -30102, "Account not Activated by activation mail").await;
    w.expect(
        Request::RemoveLicense {
            number: "ACME-NOPE-NOPE-NOPE".into(),
            usernames: vec!["alice".into()],
            devices: vec![],
        },
        -30201,
        "Unknown License",
    )
    .await;
    w.ok(remove(&["alice"], vec![laptop.to_string()])).await;
    assert_eq!(w.license_of("alice", &number).await.used, 1);
    w.ok(remove(&["alice"], vec![])).await;
    let reply = w.ok(Request::GetLicenseData { username: "alice".into() }).await;
    assert!(reply.licenses().iter().all(|l| l.number != number), "alice no longer owns it");
}

#[tokio::test(flavor = "multi_thread")]
async fn cancellicense_reduces_or_cancels_but_not_below_use() {
    let w = World::start().await;
    w.user("alice");
    w.user_in("inactive", keydesk::domain::user::UserStatus::Inactive);
    let number = w.license(Some("alice"), "professional", 5).await;
    w.device("alice", "laptop");
    w.ok(Request::AssignLicenseToClient { username: "alice".into(), number: number.clone(), devices: vec![] }).await;
    let cancel = |user: Option<&str>, limit: &str| Request::CancelLicense {
        username: user.map(Into::into),
        number: number.clone(),
        limit: Some(limit.into()),
    };
    w.expect(cancel(Some("nobody"), "2"), -30100, "Username does not exists").await;
    w.expect(cancel(Some("inactive"), "2"), -30102, "Account not Activated by activation mail").await;
    w.ok(cancel(Some("alice"), "2")).await;
    assert_eq!(w.license_of("alice", &number).await.limit, 2);
    w.expect(cancel(None, "0"), -30207, "Cancel license failed").await;
    w.ok(Request::RemoveLicense { number: number.clone(), usernames: vec!["alice".into()], devices: vec![] }).await;
    w.user("heiress");
    w.ok(Request::AssignUserToLicense { username: "heiress".into(), number: number.clone() }).await;
    w.ok(cancel(None, "0")).await;
    w.expect(cancel(None, "0"), -30201, "Unknown License").await;
    let other = w.license(Some("heiress"), "personal", 1).await;
    w.expect(Request::CancelLicense { username: None, number: other, limit: None }, -30206, "Limit unknown").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_former_default_license_can_be_given_to_a_user_who_has_one() {
    let w = World::start().await;
    w.user("leaver");
    w.user("stayer");
    w.device("stayer", "pc");
    let reply = w.ok(Request::GetDefaultLicense { username: "leaver".into() }).await;
    let number = reply.licenses()[0].number.clone();
    w.ok(Request::RemoveUser { username: "leaver".into(), deletelicense: false, deletedepot: false }).await;
    w.ok(Request::AssignUserToLicense { username: "stayer".into(), number: number.clone() }).await;
    assert!(!w.license_of("stayer", &number).await.isdefault);
    let default = w.ok(Request::GetDefaultLicense { username: "stayer".into() }).await;
    assert_ne!(default.licenses()[0].number, number);
    // Moving someone's default license to another user: it is not their default there.
    w.user("third");
    let stayer_default = default.licenses()[0].number.clone();
    w.ok(Request::AssignUserToLicense { username: "third".into(), number: stayer_default.clone() }).await;
    assert!(!w.license_of("third", &stayer_default).await.isdefault);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_upgrade_cannot_make_a_client_license_unlimited() {
    let w = World::start().await;
    w.user("alice");
    let number = w.license(Some("alice"), "personal", 2).await;
    let request =
        Request::UpgradeLicense { username: "alice".into(), number, featurevalue: None, limit: Some("0".into()) };
    w.expect(request, -30202, "License upgrade failed").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn getusedlicense_with_a_number_needs_the_users_own_license() {
    let w = World::start().await;
    w.user("alice");
    w.user("bobby");
    let number = w.license(Some("alice"), "personal", 2).await;
    w.expect(Request::GetUsedLicense { username: "bobby".into(), number: Some(number) }, -30201, "Unknown License")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_test_mode_key_of_the_distributors_product_is_no_license_here() {
    use keydesk::domain::reseller::{Edition, KeyOrder};
    use keydesk::service::Actor;
    use keydesk::service::resellers::Issuer;
    use keydesk::store::{GeneratorFields, ProductFields};
    let w = World::start().await;
    w.user("alice");
    let owner = &Actor::Owner;
    let fields =
        ProductFields { distributor: Some(w.acme_id), ..ProductFields::named("Acme Pro", "the distributor's") };
    let product = w.service.create_product(owner, &fields).expect("product").id;
    w.service.create_generator(owner, &GeneratorFields::chunks(product, "ABCDEFGH", 4, 4)).expect("generator");
    let reseller = w.service.add_reseller(owner, "shop@example.com", "Shop", "shop-secret-1", None).expect("r").id;
    w.service.add_pool(owner, reseller, Edition::Professional, product, 5).expect("pool");
    let order = |test_mode| KeyOrder {
        first_name: "A".into(),
        last_name: "B".into(),
        email: "alice@example.com".into(),
        quantity: 1,
        edition: None,
        test_mode,
    };
    let test_key = w.service.issue_keys(Issuer::Operator(owner), reseller, &order(true)).expect("test").keys[0].clone();
    let live_key =
        w.service.issue_keys(Issuer::Operator(owner), reseller, &order(false)).expect("live").keys[0].clone();
    w.expect(Request::AssignUserToLicense { username: "alice".into(), number: test_key }, -30201, "Unknown License")
        .await;
    w.ok(Request::AssignUserToLicense { username: "alice".into(), number: live_key }).await;
}
