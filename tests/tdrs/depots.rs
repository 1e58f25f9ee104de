//! Depots and invitations.

use keydesk::protocol::tdrs::reply::{Block, Reply};
use keydesk::protocol::tdrs::request::{DepotField, Request};

use crate::world::World;

fn depot(id: &str) -> Option<DepotField> {
    Some(DepotField { depot_id: id.into(), host_url: "https://host.example".into(), raw: String::new() })
}

fn invitations(w: &World, to: &str) -> Vec<keydesk::store::OutboxEntry> {
    w.mails_to(to).into_iter().filter(|m| m.kind == keydesk::domain::mail::MailKind::Invitation).collect()
}

fn depots_of(reply: &Reply) -> Vec<(String, bool)> {
    let Reply::Success(blocks) = reply else { panic!("{reply:?}") };
    blocks
        .iter()
        .find_map(|b| {
            if let Block::Depots(d) = b {
                Some(d.iter().map(|d| (d.depotid.clone(), d.isdefault)).collect())
            } else {
                None
            }
        })
        .expect("depotdata")
}

#[tokio::test(flavor = "multi_thread")]
async fn setdepotforuser_and_getdefaultdepotdata() {
    let w = World::start().await;
    w.user("alice");
    w.expect(Request::GetDefaultDepotData { username: "alice".into() }, -30107, "No Default Depot").await;
    w.ok(Request::SetDepotForUser { username: "alice".into(), depot: depot("d1"), sendinvitation: true }).await;
    w.ok(Request::SetDepotForUser { username: "alice".into(), depot: depot("d2"), sendinvitation: false }).await;
    w.expect(
        Request::SetDepotForUser { username: "alice".into(), depot: depot("d1"), sendinvitation: false },
        -30307,
        "Depot already exists",
    )
    .await;
    let reply = w.ok(Request::GetDefaultDepotData { username: "alice".into() }).await;
    assert_eq!(depots_of(&reply), vec![("d1".to_owned(), true)]);
    let all = w.ok(Request::GetUserData { username: "alice".into() }).await;
    assert_eq!(depots_of(&all), vec![("d1".to_owned(), true), ("d2".to_owned(), false)]);
    assert!(all.to_xml().contains("<depotdata><count>2</count>"));
    assert_eq!(invitations(&w, "alice@example.com").len(), 1, "one invitation mail");
}

#[tokio::test(flavor = "multi_thread")]
async fn setdepotforuser_accepts_the_host_servers_depot_file() {
    let w = World::start().await;
    w.user("alice");
    let body = String::from(
        "<?xml version='1.0' encoding='UTF-8' ?><teamdrive><apiversion>1.0.005</apiversion><command>setdepotforuser</command>\
         <requesttime>0</requesttime><username>alice</username><depot><depotid>77</depotid><hosturl>https://h.example</hosturl>\
         <disclimit>1024</disclimit></depot></teamdrive>",
    );
    let sum = keydesk::protocol::tdrs::checksum::checksum(body.as_bytes(), &w.acme_salt);
    let answer = w.acme.post_raw(body.into_bytes(), &sum).await.expect("answer");
    assert_eq!(crate::world::int_result(&answer.reply), Some(0), "{answer:?}");
    let reply = w.ok(Request::GetDefaultDepotData { username: "alice".into() }).await;
    assert_eq!(depots_of(&reply), vec![("77".to_owned(), true)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn removedepotfromuser_promotes_the_oldest_remaining_depot() {
    let w = World::start().await;
    w.user("alice");
    for id in ["d1", "d2", "d3"] {
        w.ok(Request::SetDepotForUser { username: "alice".into(), depot: depot(id), sendinvitation: false }).await;
    }
    let remove = |d: Option<DepotField>| Request::RemoveDepotFromUser {
        username: "alice".into(),
        depot: d,
        sendinvitation: false,
    };
    w.expect(remove(None), -30123, "Depot data missing or invalid").await;
    w.expect(
        remove(Some(DepotField { depot_id: "d1".into(), ..Default::default() })),
        -30123,
        "Depot data missing or invalid",
    )
    .await;
    w.expect(remove(depot("d9")), -30124, "Depot not found").await;
    w.ok(remove(depot("d1"))).await;
    let reply = w.ok(Request::GetDefaultDepotData { username: "alice".into() }).await;
    assert_eq!(depots_of(&reply), vec![("d2".to_owned(), true)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn gethostfordepot() {
    let w = World::start().await;
    let reply = w.ok(Request::GetHostForDepot {}).await;
    assert!(reply.to_xml().contains("<hosturl>https://depots.acme.example</hosturl>"));
    crate::world::expect(&w.beta, Request::GetHostForDepot {}, -30107, "No default depot server").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sendinvitation_needs_a_known_type() {
    let w = World::start().await;
    w.user("alice");
    let invite = |kind: &str| Request::SendInvitation {
        username: "alice".into(),
        invitationtype: kind.into(),
        depot: depot("d1"),
    };
    w.expect(invite("INV_TYPE_PARTY"), -30111, "Invitation type unknown").await;
    w.ok(invite("INV_TYPE_CREATEDEPOT")).await;
    w.ok(invite("INV_TYPE_DELETEDEPOT")).await;
    let mails = invitations(&w, "alice@example.com");
    assert_eq!(mails.len(), 2);
    assert!(mails[0].body.contains("given access") && mails[1].body.contains("withdrawn"));
}
