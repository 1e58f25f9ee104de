//! A Registration Server profile made in Settings, with its salt asked for once, and the
//! views it cannot serve closed with the reason.

use std::sync::Arc;
use std::time::Duration;

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use keydesk::backend::LocalBackend;
use keydesk::console::app::{Command, Status};
use keydesk::console::secrets::Secrets;
use keydesk::console::{ConsoleApp, Prefs, View};
use keydesk::service::Actor;
use keydesk::store::DataKey;

use super::{Peer, registration};

fn settle(harness: &mut Harness<'_, ConsoleApp>) {
    for _ in 0..2_000 {
        harness.run_steps(1);
        if !harness.state().busy() {
            harness.run_steps(3);
            if !harness.state().busy() {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    panic!("the console stayed busy");
}

fn type_into(harness: &mut Harness<'_, ConsoleApp>, label: &str, text: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(1);
}

fn click(harness: &mut Harness<'_, ConsoleApp>, label: &str) {
    harness.get_by_label(label).click();
    harness.run_steps(1);
}

#[test]
fn a_registration_server_profile_is_added_in_settings_and_searches_users() {
    let peer = Peer::start();
    let acme = peer.service.distributors(&Actor::Owner).expect("distributors")[0].id;
    peer.service.register_user(&Actor::Owner, acme, &registration("alice.walker")).expect("alice");
    let dir = tempfile::tempdir().expect("tempdir");
    let local = LocalBackend::open(&dir.path().join("own.sqlite"), &DataKey::generate()).expect("local");
    let app = ConsoleApp::new(Arc::new(local), Prefs::default())
        .expect("console")
        .with_secrets(Arc::new(Secrets::session_only()));
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app);
    click(&mut harness, "Settings");
    settle(&mut harness);
    click(&mut harness, "Registration Server");
    type_into(&mut harness, "Endpoint URL", &peer.registration_url());
    type_into(&mut harness, "Distributor code", "acme");
    click(&mut harness, "Add and connect");
    settle(&mut harness);
    assert!(harness.state().asking_for_secret(), "the salt is asked for, not typed into the form");
    type_into(&mut harness, "Checksum salt", &peer.salt);
    click(&mut harness, "Connect");
    settle(&mut harness);
    let label = format!("Registration Server: ACME at {}", peer.registration_url());
    assert!(harness.query_all_by_label(&label).next().is_some(), "{:?}", harness.state().status());
    harness.state_mut().apply(Command::Show(View::Products));
    settle(&mut harness);
    assert!(harness.query_by_label_contains("has no products").is_some(), "Products is closed, saying why");
    click(&mut harness, "Users");
    settle(&mut harness);
    assert!(harness.query_by_label_contains("lists users only by search").is_some());
    type_into(&mut harness, "Search users", "alice*");
    settle(&mut harness);
    assert!(harness.query_by_label("alice.walker").is_some(), "the peer's user is found");
    assert!(!matches!(harness.state().status(), Status::Error(_)), "{:?}", harness.state().status());
}
