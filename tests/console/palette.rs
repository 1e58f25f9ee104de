//! The command palette: Ctrl+K, a few letters, Enter or a click.

use std::time::{Duration, Instant};

use egui_kittest::kittest::Queryable;
use keydesk::backend::Backend;
use keydesk::console::View;
use keydesk::domain::user::Registration;

use crate::world::{Side, World, click, settle, type_into};

fn jump_to_a_view_and_to_a_user_by_typing(side: Side) {
    let world = World::on(side);
    let distributor = world.backend.distributors().expect("distributors")[0].id;
    let registration = Registration {
        username: "alice.walker".into(),
        email: "alice@example.com".into(),
        password: "a long password 1".into(),
        language: None,
        reference: String::new(),
        department: String::new(),
    };
    world.backend.register_user(distributor, &registration).expect("alice");
    let mut harness = world.harness();
    settle(&mut harness);

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    type_into(&mut harness, "Command palette", "lic");
    assert!(harness.query_by_label("Go to Licenses").is_some(), "the view matches by title");
    assert!(harness.query_by_label("Go to Users").is_none(), "and only what matches");
    harness.key_press(egui::Key::Enter);
    harness.run_steps(2);
    assert_eq!(harness.state().view(), View::Licenses, "Enter takes the highlighted entry");
    assert!(harness.query_by_label("Command palette").is_none(), "and closes the palette");

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    type_into(&mut harness, "Command palette", "alic");
    let entry = "User alice.walker <alice@example.com>";
    let started = Instant::now();
    while harness.query_by_label(entry).is_none() {
        assert!(started.elapsed() < Duration::from_secs(5), "the user is found by prefix");
        harness.run_steps(1);
        std::thread::sleep(Duration::from_millis(10));
    }
    click(&mut harness, entry);
    settle(&mut harness);
    assert_eq!(harness.state().view(), View::Users);
    assert!(harness.query_by_label("Resend activation").is_some(), "with the user's detail open");

    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    harness.key_press(egui::Key::Escape);
    harness.run_steps(2);
    assert!(harness.query_by_label("Command palette").is_none(), "Esc closes it");
}

on_both!(jump_to_a_view_and_to_a_user_by_typing);
