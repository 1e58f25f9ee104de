//! One license, two faces: a key of a distributor's product is that distributor's license
//! on the Registration Server face, and its activations count as used.

use keydesk::client::tdrs::TdrsClient;
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::domain::product::ProductSource;
use keydesk::domain::user::Registration;
use keydesk::protocol::tdrs::reply::Reply;
use keydesk::protocol::tdrs::request::Request;
use keydesk::service::Actor;
use keydesk::store::ProductFields;

use crate::world::{World, assert_code};

#[tokio::test(flavor = "multi_thread")]
async fn a_key_of_a_distributors_product_is_its_license_there() {
    let w = World::start().await;
    let settings =
        DistributorSettings { allowed_ips: vec!["127.0.0.1".parse().expect("ip")], ..DistributorSettings::default() };
    let code = DistributorCode::parse("ACME").expect("code");
    let (acme, salt) =
        w.service.create_distributor(&Actor::Owner, code, "Acme", false, settings.clone()).expect("acme");
    let (_, beta_salt) = w
        .service
        .create_distributor(&Actor::Owner, DistributorCode::parse("BETA").expect("code"), "Beta", false, settings)
        .expect("beta");
    let fields = ProductFields {
        name: "Acme Suite".into(),
        description: "sold by Acme".into(),
        source: ProductSource::Internal,
        external_reference: String::new(),
        active: true,
        require_non_expired: false,
        post_url: String::new(),
        distributor: Some(acme.id),
    };
    let product = w.service.create_product(&Actor::Owner, &fields).expect("product").id.0.to_string();
    let create = [
        ("license_keys", r#"["SHARED-KEY-1"]"#),
        ("product_id", product.as_str()),
        ("activation_limit", "3"),
        ("validity", "0"),
        ("status", "assigned"),
    ];
    assert_code(&w.post("create-license-keys", &create).await, 900, "License keys creation result");
    for identifier in ["pc-1", "pc-2"] {
        let activate = [("license_key", "SHARED-KEY-1"), ("identifier", identifier)];
        assert_code(&w.post("activate", &activate).await, 300, "License key activated");
    }

    let registration = Registration {
        username: "alice".into(),
        email: "alice@example.com".into(),
        password: "correct-horse".into(),
        ..Default::default()
    };
    let actor = Actor::Distributor(acme.id);
    w.service.register_user(&actor, acme.id, &registration).expect("register");
    w.service.set_user_status(&actor, "alice", keydesk::domain::user::UserStatus::Activated).expect("activate");
    let tdrs = TdrsClient::new(format!("{}/pbas/td2api/api/api.htm", w.base), &salt).expect("client");
    let assigned = tdrs
        .call(Request::AssignUserToLicense { username: "alice".into(), number: "SHARED-KEY-1".into() })
        .await
        .expect("reply");
    assert!(matches!(assigned, Reply::Success(_)), "{assigned:?}");
    let data = tdrs.call(Request::GetLicenseData { username: "alice".into() }).await.expect("reply");
    let license =
        data.licenses().into_iter().find(|l| l.number == "SHARED-KEY-1").cloned().expect("the key as a license");
    assert_eq!((license.limit, license.used), (3, 2), "the key's activations count as used");

    // Deactivated there, blocked here.
    let off = tdrs.call(Request::DeactivateLicense { number: "SHARED-KEY-1".into() }).await.expect("reply");
    assert!(matches!(off, Reply::Success(_)), "{off:?}");
    assert_code(
        &w.post("verify", &[("license_key", "SHARED-KEY-1"), ("identifier", "pc-1")]).await,
        204,
        "License key blocked",
    );

    // Another distributor does not see it.
    let beta = TdrsClient::new(format!("{}/pbas/td2api/api/api.htm", w.base), &beta_salt).expect("client");
    let hidden = beta.call(Request::DeactivateLicense { number: "SHARED-KEY-1".into() }).await.expect("reply");
    assert!(matches!(hidden, Reply::Exception { primary: -30201, .. }), "{hidden:?}");
}
