//! Finding licenses fast: the typed filter (`product:Pro email:*@acme.com`) with its
//! completions, kept in step with the controls; a saved search in the side panel and the
//! palette; a license found by owner in the palette.

use egui_kittest::kittest::Queryable;
use keydesk::backend::Backend;
use keydesk::console::{ConsoleApp, View};
use keydesk::domain::reseller::{Edition, KeyOrder};

use crate::world::{Side, World, choose, click, settle, type_into};

type Harness = egui_kittest::Harness<'static, ConsoleApp>;

/// Keys of Pro for two customers: `acme` of them for ada@acme.com, one for bob@other.example.
/// The keys issued to Ada.
fn keys(world: &World, acme: u32) -> Vec<String> {
    let pro = world.product("Pro");
    world.reseller(pro, 20);
    let reseller = world.backend.resellers().expect("resellers").remove(0).reseller.id;
    let order = |email: &str, quantity| KeyOrder {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: email.into(),
        quantity,
        edition: Some(Edition::Professional),
        test_mode: false,
    };
    let issued = world.backend.issue_keys(reseller, &order("ada@acme.com", acme)).expect("ada").keys;
    world.backend.issue_keys(reseller, &order("bob@other.example", 1)).expect("bob");
    issued
}

fn filter_field(harness: &Harness) -> String {
    harness.get_by_label("Filter").value().unwrap_or_default()
}

fn shows(harness: &Harness, count: usize) {
    let line = format!("{count} licenses");
    assert!(harness.query_by_label(&line).is_some(), "the table counts {line}");
}

fn typed_filter_completes_and_follows_the_controls(side: Side) {
    let world = World::on(side);
    keys(&world, 2);
    let mut harness = world.harness();
    click(&mut harness, "Licenses");
    settle(&mut harness);
    shows(&harness, 3);

    type_into(&mut harness, "Filter", "product:pro email:*@acme.com");
    settle(&mut harness);
    shows(&harness, 2);

    // A field name, then a value, taken from the completions.
    type_into(&mut harness, "Filter", "product:Pro sta");
    harness.run_steps(2);
    click(&mut harness, "state: active, deactivated, available, assigned, reserved or blocked");
    harness.run_steps(1);
    assert_eq!(filter_field(&harness), "product:Pro state:", "the field name completed");
    harness.get_by_label("Filter").type_text("de");
    harness.run_steps(2);
    click(&mut harness, "state:deactivated");
    settle(&mut harness);
    assert_eq!(filter_field(&harness), "product:Pro state:deactivated ");
    assert!(harness.query_by_label("No licenses match these filters.").is_some(), "no Pro key is deactivated");

    // A control rewrites the text, which reads back as the same filter.
    click(&mut harness, "Clear filters");
    settle(&mut harness);
    assert_eq!(filter_field(&harness), "");
    choose(&mut harness, "Key state", "available");
    settle(&mut harness);
    assert_eq!(filter_field(&harness), "state:available");
    type_into(&mut harness, "Filter", "state:assigned");
    settle(&mut harness);
    shows(&harness, 3);

    // What cannot be read says why, and the table stays as it was.
    type_into(&mut harness, "Filter", "colour:red");
    settle(&mut harness);
    let refusal =
        "Filter not applied: `colour:` is not a filter; use state: product: type: expires: email: owner: by: key:.";
    assert!(harness.query_by_label(refusal).is_some(), "the refusal names the fields");
    shows(&harness, 3);
    type_into(&mut harness, "Filter", "product:Enterprise");
    harness.run_steps(2);
    assert!(harness.query_by_label("Filter not applied: no product is named `Enterprise`.").is_some());
}

fn save_a_search_and_run_it_from_the_side_panel_and_the_palette(side: Side) {
    let world = World::on(side);
    keys(&world, 2);
    let mut harness = world.harness();
    click(&mut harness, "Licenses");
    settle(&mut harness);
    assert!(harness.query_by_label("Type a filter in Licenses, then Save search…").is_some(), "the empty state");

    type_into(&mut harness, "Filter", "product:Pro email:*@acme.com");
    settle(&mut harness);
    click(&mut harness, "Save search…");
    harness.run_steps(2);
    harness.get_by_label("Search name").type_text("Acme Pro");
    click(&mut harness, "Save");
    settle(&mut harness);
    // The result pops up as a toast, then (hidden, or after a while) sits in the status line.
    let said = "Saved the search \"Acme Pro\": it is in the side panel and the palette.";
    assert!(harness.query_by_label(said).is_some(), "the toast says it");
    assert!(harness.query_by_label("Ready").is_some(), "and the status line leaves it to the toast");
    click(&mut harness, "Hide");
    harness.run_steps(2);
    assert!(harness.query_by_label(said).is_some(), "then the status line says it");
    assert!(harness.query_by_label("Hide").is_none());
    let saved: Vec<_> = harness.state().prefs.searches.iter().map(|s| (s.name.clone(), s.text.clone())).collect();
    assert_eq!(saved, [("Acme Pro".to_owned(), "product:Pro email:*@acme.com".to_owned())], "kept in the prefs");

    click(&mut harness, "Clear");
    settle(&mut harness);
    shows(&harness, 3);
    click(&mut harness, "Acme Pro");
    settle(&mut harness);
    shows(&harness, 2);
    assert_eq!(filter_field(&harness), "product:Pro email:*@acme.com");

    // From another view, by the palette.
    click(&mut harness, "Users");
    settle(&mut harness);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    type_into(&mut harness, "Command palette", "acme p");
    harness.run_steps(2);
    harness.key_press(egui::Key::Enter);
    settle(&mut harness);
    assert_eq!(harness.state().view(), View::Licenses);
    shows(&harness, 2);

    // Forgotten from its context menu.
    harness.get_by_label("Acme Pro").click_secondary();
    harness.run_steps(2);
    click(&mut harness, "Forget \"Acme Pro\"");
    settle(&mut harness);
    assert!(harness.state().prefs.searches.is_empty());
}

fn find_a_license_by_its_owner_in_the_palette(side: Side) {
    let world = World::on(side);
    let ada = keys(&world, 1).remove(0);
    let mut harness = world.harness();
    settle(&mut harness);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::K);
    harness.run_steps(2);
    type_into(&mut harness, "Command palette", "ada@acme");
    let entry = format!("License {ada} (ada@acme.com)");
    let started = std::time::Instant::now();
    while harness.query_by_label(&entry).is_none() {
        assert!(started.elapsed() < std::time::Duration::from_secs(5), "the license is found by its owner");
        harness.run_steps(1);
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    click(&mut harness, &entry);
    settle(&mut harness);
    assert_eq!(harness.state().view(), View::Licenses);
    shows(&harness, 1);
    assert_eq!(filter_field(&harness), format!("key:{ada}"), "the filter says which license is shown");
    assert!(harness.query_by_label("Deactivate license").is_some(), "with its detail open");
}

on_both!(
    typed_filter_completes_and_follows_the_controls,
    save_a_search_and_run_it_from_the_side_panel_and_the_palette,
    find_a_license_by_its_owner_in_the_palette
);
