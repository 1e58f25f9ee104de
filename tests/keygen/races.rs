//! Concurrent keygen calls never sell the same license twice.

use std::collections::HashSet;

use keydesk::client::keygen::{Method, Reply};
use keydesk::domain::reseller::Edition;
use keydesk::protocol::keygen::Token;

use crate::world::World;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn forty_calls_of_three_against_a_pool_of_one_hundred() {
    let w = std::sync::Arc::new(World::with_pools(100, 5, 5).await);
    let calls = (0..40).map(|i| {
        let w = w.clone();
        let method = if i % 2 == 0 { Method::Get } else { Method::Post };
        tokio::spawn(async move { w.order(method, "3", &[("edition", "pro")]).await })
    });
    let mut issued = Vec::new();
    let mut refused = 0;
    for call in calls {
        match call.await.expect("task") {
            Reply::Keys(keys) => {
                assert_eq!(keys.len(), 3);
                issued.extend(keys);
            }
            other => {
                assert_eq!(other.token(), Some(Token::NotEnoughLicenses), "{other:?}");
                refused += 1;
            }
        }
    }
    assert_eq!((issued.len() / 3, refused), (33, 7));
    assert_eq!(issued.len(), 99);
    assert_eq!(issued.iter().collect::<HashSet<_>>().len(), 99, "no key is issued twice");
    assert_eq!(w.pool(w.shop, Edition::Professional).left(), 1);
    assert_eq!(w.outbox().len(), 33);
}
