//! What never reaches a command: method, size, checksum, caller address, XML, command
//! name, request time. Each is refused clearly and changes nothing.

use keydesk::client::tdrs::TdrsClient;
use keydesk::protocol::tdrs::checksum::checksum;
use keydesk::protocol::tdrs::reply::Reply;
use keydesk::protocol::tdrs::request::{Envelope, Request};
use keydesk::service::Actor;

use crate::world::{PASSWORD, World};

fn register(name: &str) -> Request {
    Request::RegisterUser {
        username: name.into(),
        useremail: format!("{name}@example.com"),
        password: PASSWORD.into(),
        language: None,
        reference: String::new(),
        department: String::new(),
    }
}

fn exception(reply: &Reply) -> (i32, String) {
    match reply {
        Reply::Exception { primary, message, .. } => (*primary, message.clone()),
        other => panic!("expected an exception, got {other:?}"),
    }
}

fn user_count(w: &World) -> u64 {
    w.service.store().read(|db| db.count_users(None)).expect("count")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_checksum_vectors_authenticate() {
    let w = World::start().await;
    w.service.store().write(|db| db.set_distributor_salt(w.acme_id, "a1b2c3")).expect("salt");
    let head = "<?xml version='1.0' encoding='UTF-8' ?><teamdrive><apiversion>1.0.005</apiversion>";
    let vectors = [
        (
            "<command>getuserdata</command><requesttime>0</requesttime><username>foo</username></teamdrive>",
            "ed5ad65edd718cda603e1a24567408f7",
            -30100,
        ),
        (
            "<command>assignusertolicense</command><requesttime>0</requesttime><username>foo</username><number>12345</number></teamdrive>",
            "b6266e47a8fc75be2cc791e47621c4b7",
            -30100,
        ),
        (
            "<command>createlicensewithoutuser</command><requesttime>0</requesttime><productname>client</productname><type>permanent</type><featurevalue>enterprise</featurevalue></teamdrive>",
            "df78f7da006e99930a2b5e9c741b08a5",
            0,
        ),
    ];
    for (tail, sum, outcome) in vectors {
        let body = format!("{head}{tail}");
        assert_eq!(checksum(body.as_bytes(), "a1b2c3"), sum);
        let answer = w.acme.post_raw(body.into_bytes(), sum).await.expect("answer");
        assert_eq!(answer.status, 200);
        match (&answer.reply, outcome) {
            (Reply::Success(_), 0) => {}
            (Reply::Exception { primary, .. }, code) => assert_eq!(*primary, code),
            (reply, _) => panic!("unexpected {reply:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_or_missing_checksum_is_refused() {
    let w = World::start().await;
    let (body, sum) = w.acme.sign(register("alice"));
    let wrong = w.acme.post_raw(body.clone().into_bytes(), "0123456789abcdef0123456789abcdef").await.expect("answer");
    assert_eq!((wrong.status, exception(&wrong.reply)), (403, (-30000, "Access denied to specified Provider".into())));
    let tampered = body.replace("alice@", "mallory@");
    let answer = w.acme.post_raw(tampered.into_bytes(), &sum).await.expect("answer");
    assert_eq!(answer.status, 403);
    let http = reqwest::Client::new();
    let response = http.post(&w.url).body(body).send().await.expect("post");
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(user_count(&w), 0, "nothing was registered");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_checksum_is_lower_case_hex_but_compared_as_sent() {
    let w = World::start().await;
    let (body, sum) = w.acme.sign(register("alice"));
    let answer = w.acme.post_raw(body.into_bytes(), &sum.to_uppercase()).await.expect("answer");
    assert_eq!(answer.status, 403, "the documentation requires lower case");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_caller_address_is_refused() {
    let w = World::start_with(|s| s.allowed_ips = vec!["192.0.2.10".parse().expect("ip")]).await;
    let answer = {
        let (body, sum) = w.acme.sign(register("alice"));
        w.acme.post_raw(body.into_bytes(), &sum).await.expect("answer")
    };
    assert_eq!((answer.status, exception(&answer.reply).0), (403, -30000));
    assert_eq!(user_count(&w), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_post_is_accepted() {
    let w = World::start().await;
    let (body, sum) = w.acme.sign(register("alice"));
    let http = reqwest::Client::new();
    for method in [reqwest::Method::GET, reqwest::Method::PUT, reqwest::Method::DELETE] {
        let response = http
            .request(method.clone(), &w.url)
            .query(&[("checksum", &sum)])
            .body(body.clone())
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), 405, "{method}");
        assert_eq!(response.headers().get("allow").map(|v| v.as_bytes()), Some(&b"POST"[..]));
        let reply = Reply::parse(&response.bytes().await.expect("body")).expect("xml");
        assert_eq!(exception(&reply), (-30901, "Only HTTP POST requests are accepted".into()));
    }
    assert_eq!(user_count(&w), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_xml_and_other_documents_are_refused() {
    let w = World::start().await;
    let bodies: [&[u8]; 5] = [
        b"<teamdrive><command>registeruser</command>",
        b"not xml at all",
        b"<other><command>registeruser</command></other>",
        b"<teamdrive><apiversion>1.0.005</apiversion></teamdrive>",
        b"<!DOCTYPE teamdrive [<!ENTITY x 'y'>]><teamdrive><command>getuserdata</command></teamdrive>",
    ];
    for body in bodies {
        let sum = checksum(body, &w.acme_salt);
        let answer = w.acme.post_raw(body.to_vec(), &sum).await.expect("answer");
        assert_eq!((answer.status, exception(&answer.reply).0), (400, -30902), "{}", String::from_utf8_lossy(body));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_command_is_refused() {
    let w = World::start().await;
    let body = b"<?xml version='1.0' encoding='UTF-8' ?><teamdrive><apiversion>1.0.005</apiversion><command>dropalltables</command></teamdrive>";
    let answer = w.acme.post_raw(body.to_vec(), &checksum(body, &w.acme_salt)).await.expect("answer");
    assert_eq!((answer.status, exception(&answer.reply)), (400, (-30903, "Unknown command".into())));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oversized_body_is_refused() {
    let w = World::start().await;
    let mut request = register("alice");
    if let Request::RegisterUser { reference, .. } = &mut request {
        *reference = "x".repeat(300 * 1024);
    }
    let (body, sum) = w.acme.sign(request);
    let answer = w.acme.post_raw(body.into_bytes(), &sum).await.expect("answer");
    assert_eq!((answer.status, exception(&answer.reply).0), (413, -30904));
    assert_eq!(user_count(&w), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_outside_the_time_window_is_refused_where_one_is_set() {
    let w = World::start_with(|s| s.request_window_secs = 300).await;
    // The client stamps the real time; the server's clock says 2026-01-15.
    let answer = {
        let (body, sum) = w.acme.sign(register("alice"));
        w.acme.post_raw(body.into_bytes(), &sum).await.expect("answer")
    };
    assert_eq!((answer.status, exception(&answer.reply).0), (403, -30905));
    let envelope = Envelope {
        request: register("alice"),
        request_time: Some(w.service.now().timestamp() - 60),
        distributor: None,
    };
    let body = envelope.to_xml();
    let answer =
        w.acme.post_raw(body.clone().into_bytes(), &checksum(body.as_bytes(), &w.acme_salt)).await.expect("answer");
    assert_eq!(answer.status, 200, "{answer:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_request_time_at_the_edge_of_the_integers_is_outside_the_window_not_a_crash() {
    let w = World::start_with(|s| s.request_window_secs = 300).await;
    for at in [i64::MIN, i64::MIN + 1, i64::MAX] {
        let envelope = Envelope { request: register("edgy"), request_time: Some(at), distributor: None };
        let body = envelope.to_xml();
        let sum = checksum(body.as_bytes(), &w.acme_salt);
        let answer = w.acme.post_raw(body.into_bytes(), &sum).await.expect("answer");
        assert_eq!((answer.status, exception(&answer.reply).0), (403, -30905), "requesttime {at}");
    }
    assert_eq!(user_count(&w), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn both_endpoint_paths_and_any_content_type_work() {
    let w = World::start().await;
    let other = w.url.replace("td2api", "td2as");
    let salt = w.acme_salt.clone();
    let client = TdrsClient::new(&other, &salt).expect("client");
    let reply = client.call(register("alice")).await.expect("reply");
    assert!(matches!(reply, Reply::Success(_)), "{reply:?}");
    let (body, sum) = client.sign(register("bobby"));
    let http = reqwest::Client::new();
    let response = http
        .post(&w.url)
        .query(&[("checksum", &sum)])
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(w.service.store().read(|db| db.count_users(Some(w.acme_id))).expect("count"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn replies_escape_what_users_typed() {
    let w = World::start().await;
    w.user("alice");
    w.ok(Request::SetReference { username: "alice".into(), reference: "<b>&'\"".into() }).await;
    let service_user = w.service.user_data(&Actor::Distributor(w.acme_id), "alice").expect("data").user;
    assert_eq!(service_user.reference, "<b>&'\"");
    let reply =
        w.ok(Request::LoginUser { username: Some("alice".into()), useroremail: None, password: PASSWORD.into() }).await;
    assert!(reply.to_xml().contains("<reference>&lt;b&gt;&amp;&apos;&quot;</reference>"));
}
