//! Views stay true: a change made in one view shows in the others without a refresh, a change
//! made by someone else shows within the change feed's interval, and a file dialog that is
//! open holds up no frame.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui_kittest::kittest::{NodeT, Queryable};
use keydesk::console::dialogs::{Chosen, Dialogs, FileChoice};
use keydesk::domain::user::Registration;
use keydesk::service::Actor;
use tokio::sync::oneshot;

use crate::world::{Side, World, click, generate_keys_for_ada, settle, type_into};

/// Runs frames until `label` is shown, for at most `limit`.
fn frames_until(harness: &mut egui_kittest::Harness<'_, keydesk::console::ConsoleApp>, label: &str, limit: Duration) {
    let started = Instant::now();
    while harness.query_by_label(label).is_none() {
        assert!(started.elapsed() < limit, "{label:?} did not show within {limit:?}");
        harness.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn a_key_generation_shows_in_the_licenses_view_without_a_refresh(side: Side) {
    let world = World::on(side);
    let product = world.product("FTP Synchronizer Professional");
    world.reseller(product, 100);
    let mut harness = world.harness();
    click(&mut harness, "Licenses");
    settle(&mut harness);
    assert!(harness.query_by_label("0 licenses").is_some(), "no license yet");
    assert!(harness.query_by_label("No licenses yet.").is_some(), "the empty state says so");
    click(&mut harness, "Generate keys…");
    assert_eq!(harness.state().view(), keydesk::console::View::KeyGeneration, "and offers the way out");
    settle(&mut harness);
    generate_keys_for_ada(&mut harness, "3");
    click(&mut harness, "Licenses");
    settle(&mut harness);
    assert!(harness.query_by_label("3 licenses").is_some(), "the new keys are listed at once");
}

fn a_user_registered_elsewhere_shows_within_the_feed_interval(side: Side) {
    let world = World::on(side);
    let mut harness = world.harness_with(|app| app.with_change_feed_every(Duration::from_millis(100)));
    settle(&mut harness);
    assert!(harness.query_by_label_contains("No users yet").is_some());
    // Someone else: straight into the database (the server's, on the remote side).
    let distributor = world.service().distributors(&Actor::Owner).expect("distributors")[0].id;
    let registration = Registration {
        username: "bea.elsewhere".into(),
        email: "bea@example.com".into(),
        password: "a long password 1".into(),
        language: None,
        reference: String::new(),
        department: String::new(),
    };
    world.service().register_user(&Actor::Owner, distributor, &registration).expect("registered");
    frames_until(&mut harness, "bea.elsewhere", Duration::from_secs(10));
}

/// A dialog that stays open until the test answers it.
struct HeldDialog {
    answer: Mutex<Option<oneshot::Receiver<Option<PathBuf>>>>,
}

impl Dialogs for HeldDialog {
    fn choose(&self, _choice: FileChoice) -> Chosen {
        let answer = self.answer.lock().expect("lock").take();
        Box::pin(async move {
            match answer {
                Some(answer) => answer.await.ok().flatten(),
                None => None,
            }
        })
    }
}

#[test]
fn an_open_file_dialog_holds_up_no_frame() {
    let world = World::start();
    let (send, answer) = oneshot::channel();
    let dialog = Arc::new(HeldDialog { answer: Mutex::new(Some(answer)) });
    let mut harness = world.harness_with(|app| app.with_dialogs(dialog));
    settle(&mut harness);
    click(&mut harness, "Browse…");
    // The dialog is open: frames go on, and the window answers typing.
    type_into(&mut harness, "Search users", "ali*");
    settle(&mut harness);
    let search = harness.get_by_label("Search users").value().unwrap_or_default();
    assert_eq!(search, "ali*", "frames ran while the dialog was open");
    assert!(harness.get_by_label("Browse…").accesskit_node().is_disabled(), "one dialog at a time");

    let chosen = world.dir.path().join("customers.csv");
    send.send(Some(chosen.clone())).expect("the dialog waits");
    frames_until(&mut harness, "Browse…", Duration::from_secs(5));
    let started = Instant::now();
    while harness.get_by_label("CSV file").value().unwrap_or_default() != chosen.display().to_string() {
        assert!(started.elapsed() < Duration::from_secs(5), "the chosen path fills the field");
        harness.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!harness.get_by_label("Browse…").accesskit_node().is_disabled());
}

fn sort_the_licenses_by_owner_and_turn_the_order_round(side: Side) {
    use keydesk::backend::Backend;
    use keydesk::domain::reseller::{Edition, KeyOrder};
    let world = World::on(side);
    let product = world.product("FTP Synchronizer Professional");
    world.reseller(product, 100);
    let shop = world.backend.resellers().expect("resellers")[0].reseller.id;
    for (first, last) in [("Zoe", "Adams"), ("ada", "Byron"), ("Mia", "Chen")] {
        let order = KeyOrder {
            first_name: first.into(),
            last_name: last.into(),
            email: format!("{}@customer.example", first.to_lowercase()),
            quantity: 1,
            edition: Some(Edition::Professional),
            test_mode: false,
        };
        world.backend.issue_keys(shop, &order).expect("a key");
    }
    let mut harness = world.harness();
    click(&mut harness, "Licenses");
    settle(&mut harness);
    let tops = |harness: &egui_kittest::Harness<'_, keydesk::console::ConsoleApp>| -> Vec<f32> {
        ["ada Byron", "Mia Chen", "Zoe Adams"].map(|owner| harness.get_by_label_contains(owner).rect().min.y).to_vec()
    };
    let newest_first = tops(&harness);
    assert!(newest_first[1] < newest_first[0] && newest_first[2] > newest_first[0], "newest first: {newest_first:?}");
    click(&mut harness, "Owner");
    settle(&mut harness);
    let by_owner = tops(&harness);
    assert!(by_owner[0] < by_owner[1] && by_owner[1] < by_owner[2], "A to Z, case aside: {by_owner:?}");
    assert!(harness.query_by_label("Owner ^").is_some(), "the header says how it sorts");
    click(&mut harness, "Owner ^");
    settle(&mut harness);
    let reversed = tops(&harness);
    assert!(reversed[0] > reversed[1] && reversed[1] > reversed[2], "Z to A: {reversed:?}");
}

on_both!(
    a_key_generation_shows_in_the_licenses_view_without_a_refresh,
    a_user_registered_elsewhere_shows_within_the_feed_interval,
    sort_the_licenses_by_owner_and_turn_the_order_round,
);
