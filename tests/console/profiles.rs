//! Remote profiles in the console: added in Settings, logged in to once through the
//! password prompt, switched to and from at once with each profile's views as they were.

use egui_kittest::kittest::Queryable;
use keydesk::console::app::{Command, Status};
use keydesk::console::profiles::Profile;
use keydesk::console::{ConsoleApp, View};
use keydesk::domain::staff::Role;
use keydesk::domain::user::Registration;
use keydesk::service::Actor;

use crate::world::{STAFF, World, click, settle, type_into};

fn local_profile(world: &World) -> Profile {
    Profile::Local(world.dir.path().join("console.sqlite"))
}

/// Adds a keydesk server profile in Settings and logs in through the prompt.
fn add_server_profile(harness: &mut egui_kittest::Harness<'_, ConsoleApp>, base: &str, user: &str, password: &str) {
    click(harness, "Settings");
    settle(harness);
    click(harness, "keydesk server");
    type_into(harness, "Server URL", base);
    type_into(harness, "Username", user);
    click(harness, "Add and connect");
    settle(harness);
    assert!(harness.state().asking_for_secret(), "a new remote profile asks for the password");
    assert!(harness.query_by_label_contains("Log in once").is_some(), "and says why");
    type_into(harness, "Password", password);
    click(harness, "Log in");
    settle(harness);
}

#[test]
fn add_a_server_profile_log_in_once_and_switch_back_and_forth_keeping_each_view() {
    let world = World::start();
    let serving = world.serve();
    let registration = Registration {
        username: "alice.walker".into(),
        email: "alice@example.com".into(),
        password: "correct horse 1".into(),
        ..Registration::default()
    };
    world
        .service()
        .register_user(&Actor::Owner, world.service().distributors(&Actor::Owner).expect("d")[0].id, &registration)
        .expect("alice");
    let mut harness = world.harness_with(|app| app.with_profile(local_profile(&world)));
    settle(&mut harness);
    type_into(&mut harness, "Search users", "ali*");
    settle(&mut harness);
    add_server_profile(&mut harness, &serving.base, STAFF.0, STAFF.1);
    let remote = format!("Remote: mara@{}", serving.base);
    assert!(harness.query_all_by_label(&remote).next().is_some(), "the top bar shows the remote profile");
    assert!(
        matches!(harness.state().status(), Status::Info(m) if m.contains("no OS keyring")),
        "without a keyring it says the password will be asked again: {:?}",
        harness.state().status()
    );
    click(&mut harness, "Users");
    settle(&mut harness);
    assert!(harness.query_by_label("alice.walker").is_some(), "the remote profile shows the server's users");
    assert_eq!(harness.get_by_label("Search users").value().as_deref(), Some(""), "a fresh view for a new profile");
    // Back to the local file: at once, with the search as it was left.
    harness.state_mut().apply(Command::OpenProfile(local_profile(&world)));
    harness.run_steps(2);
    assert!(!harness.state().busy(), "switching back opens nothing");
    assert_eq!(harness.state().active_profile(), Some(&local_profile(&world)));
    assert_eq!(harness.get_by_label("Search users").value().as_deref(), Some("ali*"));
    // And to the server again, without a second login.
    let saved = harness.state().prefs.profiles.clone();
    let server = saved.iter().find(|p| matches!(p, Profile::Remote { .. })).expect("saved").clone();
    harness.state_mut().apply(Command::OpenProfile(server));
    harness.run_steps(2);
    assert!(!harness.state().asking_for_secret());
    assert!(harness.query_all_by_label(&remote).next().is_some());
    let prefs = serde_json::to_string(&harness.state().prefs).expect("prefs");
    assert!(!prefs.contains(STAFF.1) && !prefs.to_lowercase().contains("token"), "no secret is saved: {prefs}");
}

#[test]
fn a_wrong_password_is_said_in_the_prompt_and_an_unreachable_server_too() {
    let world = World::start();
    let serving = world.serve();
    let mut harness = world.harness();
    add_server_profile(&mut harness, &serving.base, STAFF.0, "not the password");
    assert!(harness.state().asking_for_secret(), "the prompt stays open");
    assert!(harness.query_by_label_contains("Log in again").is_some(), "it says the login was refused");
    click(&mut harness, "Cancel");
    settle(&mut harness);
    let mut harness = world.harness();
    add_server_profile(&mut harness, "http://127.0.0.1:9", STAFF.0, STAFF.1);
    assert!(harness.query_by_label_contains("cannot be reached").is_some(), "a dead server is named as such");
}

#[test]
fn reseller_staff_on_a_server_see_key_generation_and_why_the_rest_is_closed() {
    let world = World::start();
    let product = world.product("Backup Vault");
    world.reseller(product, 10);
    let serving = world.serve();
    let shop = world.service().resellers(&Actor::Owner).expect("resellers")[0].id;
    world.service().add_staff(&Actor::Owner, "rita", "rita's long password", Role::Reseller(shop)).expect("staff");
    let mut harness = world.harness();
    add_server_profile(&mut harness, &serving.base, "rita", "rita's long password");
    harness.state_mut().apply(Command::Show(View::Users));
    settle(&mut harness);
    assert!(harness.query_by_label_contains("does not include users").is_some(), "Users is closed, saying why");
    click(&mut harness, "Key generation");
    settle(&mut harness);
    assert!(harness.query_by_label("Left in the pool: 10 of 10").is_some(), "the own pool is there");
    assert!(!matches!(harness.state().status(), Status::Error(_)), "{:?}", harness.state().status());
}

#[test]
fn an_ended_session_asks_for_the_password_again_and_keeps_the_views() {
    let world = World::start();
    let serving = world.serve();
    let mut harness = world.harness();
    add_server_profile(&mut harness, &serving.base, STAFF.0, STAFF.1);
    click(&mut harness, "Users");
    settle(&mut harness);
    type_into(&mut harness, "Search users", "nobody*");
    settle(&mut harness);
    let mara = world.service().staff(&Actor::Owner).expect("staff").remove(0).id;
    world.service().revoke_staff_sessions(&Actor::Owner, mara).expect("revoked");
    harness.state_mut().apply(Command::Refresh);
    settle(&mut harness);
    assert!(harness.state().asking_for_secret(), "a revoked session brings the login back");
    assert!(harness.query_by_label_contains("Your views stay as they are").is_some());
    type_into(&mut harness, "Password", STAFF.1);
    let fields = harness.query_all_by_label("Password").count();
    click(&mut harness, "Log in");
    settle(&mut harness);
    let shown = harness.query_all_by_label_contains("unknown, expired").count();
    assert!(
        !harness.state().asking_for_secret(),
        "the prompt is gone: {:?} {fields} {shown}",
        harness.state().status()
    );
    assert_eq!(*harness.state().status(), Status::Info("Logged in again.".into()));
    assert_eq!(harness.get_by_label("Search users").value().as_deref(), Some("nobody*"));
}

#[test]
fn removing_a_server_profile_ends_its_session_on_the_server() {
    let world = World::start();
    let serving = world.serve();
    let mut harness = world.harness_with(|app| app.with_profile(local_profile(&world)));
    add_server_profile(&mut harness, &serving.base, STAFF.0, STAFF.1);
    harness.state_mut().apply(Command::OpenProfile(local_profile(&world)));
    click(&mut harness, "Settings");
    settle(&mut harness);
    let removes: Vec<_> = harness.query_all_by_label("Remove").collect();
    assert_eq!(removes.len(), 2, "a Remove button per profile");
    removes[1].click();
    harness.run_steps(2);
    click(&mut harness, "Remove profile");
    settle(&mut harness);
    assert_eq!(harness.state().prefs.profiles, vec![local_profile(&world)]);
    let mara = world.service().staff(&Actor::Owner).expect("staff").remove(0).id;
    let live = world.service().revoke_staff_sessions(&Actor::Owner, mara).expect("revoke");
    assert_eq!(live, 0, "the removed profile logged out");
}
