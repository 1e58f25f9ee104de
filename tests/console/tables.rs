//! The tables by keyboard and by column: arrows move the highlighted row, Enter opens it,
//! Esc closes it (Licenses, Users); a click on a small table's column title sorts by it,
//! and the sort is remembered.

use egui_kittest::kittest::Queryable;
use keydesk::backend::Backend;
use keydesk::console::ConsoleApp;
use keydesk::domain::staff::Role;
use keydesk::domain::user::Registration;
use keydesk::service::Actor;

use crate::world::{Side, World, click, settle};

type Harness = egui_kittest::Harness<'static, ConsoleApp>;

fn press(harness: &mut Harness, key: egui::Key) {
    harness.key_press(key);
    harness.run_steps(1);
    settle(harness);
}

fn register(world: &World, username: &str) {
    let registration = Registration {
        username: username.into(),
        email: format!("{username}@example.com"),
        password: "a long password 1".into(),
        language: None,
        reference: String::new(),
        department: String::new(),
    };
    world.backend.register_user(world.acme(), &registration).expect("user");
}

fn arrows_move_enter_opens_esc_closes(side: Side) {
    let world = World::on(side);
    for name in ["ada.lovelace", "bob.stone", "cy.young"] {
        register(&world, name);
    }
    let mut harness = world.harness();
    settle(&mut harness);
    assert!(harness.query_by_label("Resend activation").is_none(), "no detail open yet");
    press(&mut harness, egui::Key::ArrowDown);
    press(&mut harness, egui::Key::ArrowDown);
    press(&mut harness, egui::Key::Enter);
    assert!(harness.query_by_label("Resend activation").is_some(), "Enter opens the highlighted user");
    assert_eq!(harness.query_all_by_label("bob.stone").count(), 2, "the second row's user: its row and its heading");
    press(&mut harness, egui::Key::Escape);
    assert!(harness.query_by_label("Resend activation").is_none(), "Esc closes the detail");

    let license = world
        .backend
        .create_license(&keydesk::backend::NewLicenseOrder {
            distributor: world.acme(),
            owner: None,
            product: keydesk::domain::license::ProductKind::Client,
            license_type: keydesk::domain::license::LicenseType::Permanent,
            features: String::new(),
            seats: 1,
            reference: "PO-1".into(),
        })
        .expect("license");
    click(&mut harness, "Licenses");
    settle(&mut harness);
    press(&mut harness, egui::Key::End);
    press(&mut harness, egui::Key::Enter);
    assert!(harness.query_by_label("Deactivate license").is_some(), "End then Enter opens the last license");
    assert!(harness.query_all_by_label(&license.number).count() >= 2, "its row and its detail");
    press(&mut harness, egui::Key::Escape);
    assert!(harness.query_by_label("Deactivate license").is_none());
}

on_both!(arrows_move_enter_opens_esc_closes);

#[test]
fn a_click_on_a_column_title_sorts_the_staff_and_the_sort_is_remembered() {
    let world = World::start();
    for name in ["zoe", "adam", "mia"] {
        world.service().add_staff(&Actor::Owner, name, "a long staff password", Role::Owner).expect("staff");
    }
    let mut harness = world.harness();
    click(&mut harness, "Staff");
    settle(&mut harness);
    let order = |harness: &Harness| {
        let mut names: Vec<(f32, &str)> =
            ["zoe", "adam", "mia"].iter().map(|n| (harness.get_by_label(n).rect().top(), *n)).collect();
        names.sort_by(|a, b| a.0.total_cmp(&b.0));
        names.into_iter().map(|(_, n)| n).collect::<Vec<_>>()
    };
    assert_eq!(order(&harness), ["adam", "mia", "zoe"], "by username, A first");
    click(&mut harness, "Username ^");
    harness.run_steps(2);
    assert_eq!(order(&harness), ["zoe", "mia", "adam"], "a second click turns it round");

    // A new console on the same egui memory (as eframe restores it) sorts the same way.
    let memory = harness.ctx.memory(|m| m.clone());
    let mut again = world.harness();
    again.ctx.memory_mut(|m| *m = memory);
    click(&mut again, "Staff");
    settle(&mut again);
    assert!(again.query_by_label("Username v").is_some(), "the sort outlives the console");
    assert_eq!(order(&again), ["zoe", "mia", "adam"]);
}
