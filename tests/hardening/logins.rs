//! Guessing staff passwords over the console API, from behind a reverse proxy.

use std::time::{Duration, Instant};

use keydesk::domain::staff::Role;
use keydesk::server::{Options, TrustedProxies};
use keydesk::service::Actor;

use crate::{fresh, server};

const PASSWORD: &str = "mara's long password";

async fn login(http: &reqwest::Client, base: &str, from: &str, username: &str, password: &str) -> u16 {
    let body = serde_json::json!({ "username": username, "password": password });
    let sent = http.post(format!("{base}/console/v1/login")).header("x-forwarded-for", from).json(&body).send();
    sent.await.expect("an answer").status().as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn thirty_wrong_passwords_are_slowed_while_the_right_one_from_elsewhere_works_at_once() {
    let world = fresh();
    world.service.add_staff(&Actor::Owner, "mara", PASSWORD, Role::Owner).expect("staff");
    world.service.add_staff(&Actor::Owner, "lena", PASSWORD, Role::Owner).expect("staff");
    // keydesk behind a proxy on 127.0.0.1, which names the client in X-Forwarded-For.
    let options =
        Options { trusted_proxies: TrustedProxies::new(["127.0.0.1".parse().expect("ip")]), ..Options::default() };
    let (base, _stop) = server::start_with(&world.service, options).await;
    let http = reqwest::Client::new();

    let started = Instant::now();
    let guesses: Vec<_> = (0..30)
        .map(|n| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move {
                let status = login(&http, &base, "198.51.100.7", "mara", &format!("guess {n}")).await;
                (status, started.elapsed())
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Meanwhile: mara from her own address, and another account from the guesser's.
    let right = Instant::now();
    assert_eq!(login(&http, &base, "203.0.113.20", "mara", PASSWORD).await, 200);
    let mara_waited = right.elapsed();
    let other = Instant::now();
    assert_eq!(login(&http, &base, "198.51.100.7", "lena", PASSWORD).await, 200);
    let lena_waited = other.elapsed();

    let mut slowest = Duration::ZERO;
    for guess in guesses {
        let (status, took) = guess.await.expect("guess");
        assert_eq!(status, 401, "every guess is refused");
        slowest = slowest.max(took);
    }
    assert!(mara_waited < Duration::from_secs(1), "the right password from elsewhere waited {mara_waited:?}");
    assert!(lena_waited < Duration::from_secs(1), "another account behind the same address waited {lena_waited:?}");
    // After three free failures each guess waits longer, up to 8 s: the last ones took seconds.
    assert!(slowest >= Duration::from_secs(4), "the guesses were not slowed: the slowest took {slowest:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_name_is_refused_like_a_wrong_password() {
    let world = fresh();
    world.service.add_staff(&Actor::Owner, "mara", PASSWORD, Role::Owner).expect("staff");
    let (base, _stop) = server::start(&world.service).await;
    let http = reqwest::Client::new();
    // Warm both paths once, then compare: an unknown name costs a full Argon2id check too.
    let mut costs = Vec::new();
    for name in ["nobody", "mara", "nobody", "mara"] {
        let started = Instant::now();
        assert_eq!(login(&http, &base, "ignored", name, "not the password").await, 401);
        costs.push(started.elapsed());
    }
    let (unknown, known) = (costs[2], costs[3]);
    assert!(unknown * 3 > known, "an unknown name answered in {unknown:?}, a known one in {known:?}");
}
