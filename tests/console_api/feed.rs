//! The change feed and the overview over the wire: the mark moves with every write, whoever
//! made it; both need a session; a query that is not the overview's is a 400.

use keydesk::client::console::{ConsoleClient, ConsoleClientError, Retry};
use keydesk::domain::overview::Overview;
use keydesk::service::Actor;
use keydesk::store::ProductFields;
use reqwest::Method;

use super::world;

#[tokio::test(flavor = "multi_thread")]
async fn the_change_mark_moves_with_every_write_and_needs_a_session() {
    let w = world().await;
    let mut client = ConsoleClient::new(&w.base).expect("client");
    let anonymous = client.call::<(), Option<u64>>(Method::GET, "changes", None, Retry::Read).await;
    assert!(matches!(anonymous, Err(ConsoleClientError::Unauthorized(_))), "{anonymous:?}");
    client.login("mara", "mara's long password").await.expect("login");
    let before = mark(&client).await.expect("a local server has a feed");
    assert_eq!(mark(&client).await, Some(before), "reads move nothing");
    w.service.create_product(&Actor::Owner, &ProductFields::named("Made elsewhere", "")).expect("product");
    let after = mark(&client).await.expect("mark");
    assert!(after > before, "a write by someone else moves the mark: {before} -> {after}");
}

async fn mark(client: &ConsoleClient) -> Option<u64> {
    client.call::<(), Option<u64>>(Method::GET, "changes", None, Retry::Read).await.expect("mark")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_overview_answers_its_window_and_refuses_another_query() {
    let w = world().await;
    let mut client = ConsoleClient::new(&w.base).expect("client");
    client.login("mara", "mara's long password").await.expect("login");
    let seen: Overview = client.call(Method::GET, "overview?days=90", None::<&()>, Retry::Read).await.expect("90 days");
    assert_eq!((seen.days, seen.activations_per_day.len()), (90, 90));
    let default: Overview = client.call(Method::GET, "overview", None::<&()>, Retry::Read).await.expect("default");
    assert_eq!(default.days, 30);
    let huge: Overview =
        client.call(Method::GET, "overview?days=4294967295", None::<&()>, Retry::Read).await.expect("clamped");
    assert_eq!(huge.days, keydesk::domain::overview::MAX_OVERVIEW_DAYS);
    let bad = client.call::<(), Overview>(Method::GET, "overview?days=many", None, Retry::Read).await;
    assert!(matches!(bad, Err(ConsoleClientError::Refused(_))), "{bad:?}");
}
