//! Bulk changes in the Licenses view: rows picked with click, Shift-click and Ctrl-click,
//! a change previewed with its count, applied, and undone (the values checked in the store);
//! "select all matching" across every page; a distributor's staff acting on their own only.

use egui_kittest::kittest::Queryable;
use keydesk::backend::{Backend, NewLicenseOrder};
use keydesk::console::{ConsoleApp, Prefs, View};
use keydesk::domain::distributor::DistributorId;
use keydesk::domain::license::{License, LicenseStatus, LicenseType, ProductKind};

use crate::world::{Side, World, choose, click, settle};

type Harness = egui_kittest::Harness<'static, ConsoleApp>;

fn monthly(distributor: DistributorId, reference: &str) -> NewLicenseOrder {
    NewLicenseOrder {
        distributor,
        owner: None,
        product: ProductKind::Client,
        license_type: LicenseType::Monthly,
        features: String::new(),
        seats: 1,
        reference: reference.into(),
    }
}

/// `count` monthly licenses of ACME (valid until 2026-07-01), oldest first.
fn licenses(world: &World, count: usize) -> Vec<License> {
    let acme = world.acme();
    (0..count).map(|n| world.backend.create_license(&monthly(acme, &format!("PO-{n}"))).expect("license")).collect()
}

fn valid_until(world: &World, license: &License) -> String {
    let stored = world.service().store().read(|db| db.license(license.id)).expect("read").expect("license");
    stored.valid_until.map(|d| d.to_string()).unwrap_or_default()
}

fn click_with(harness: &mut Harness, label: &str, modifiers: egui::Modifiers) {
    harness.run_steps(2);
    harness.get_by_label(label).click_modifiers(modifiers);
    harness.run_steps(1);
}

/// Chooses `change` for the selection, previews it, checks the preview's `line`, and applies
/// it to the `count` licenses it changes.
fn preview_and_apply(harness: &mut Harness, change: &str, line: &str, count: usize) {
    choose(harness, "Bulk change", change);
    click(harness, "Preview…");
    settle(harness);
    assert!(harness.query_by_label(line).is_some(), "the preview says what will change, with the count: {line}");
    click(harness, &format!("Apply to {count} licenses"));
    settle(harness);
}

fn open_licenses(harness: &mut Harness) {
    click(harness, "Licenses");
    settle(harness);
}

fn pick_extend_apply_and_undo(side: Side) {
    let world = World::on(side);
    let made = licenses(&world, 5);
    let mut harness = world.harness();
    open_licenses(&mut harness);
    // Newest first: rows 0..4 are made[4]..made[0].
    click(&mut harness, &made[4].number);
    click_with(&mut harness, &made[1].number, egui::Modifiers::SHIFT);
    settle(&mut harness);
    assert!(harness.query_by_label("4 selected").is_some(), "a Shift-click takes the rows between");
    click_with(&mut harness, &made[3].number, egui::Modifiers::COMMAND);
    settle(&mut harness);
    assert!(harness.query_by_label("3 selected").is_some(), "a Ctrl-click takes one out");
    choose(&mut harness, "Bulk change", "Extend validity");
    click(&mut harness, "Preview…");
    settle(&mut harness);
    assert!(
        harness.query_by_label("3 licenses: valid until 2026-07-01 -> valid until 2027-01-01").is_some(),
        "the preview says what will change, with the count"
    );
    assert_eq!(valid_until(&world, &made[4]), "2026-07-01", "nothing written by a preview");
    click(&mut harness, "Apply to 3 licenses");
    settle(&mut harness);
    let ends: Vec<String> = made.iter().map(|l| valid_until(&world, l)).collect();
    assert_eq!(ends, ["2026-07-01", "2027-01-01", "2027-01-01", "2026-07-01", "2027-01-01"]);
    click(&mut harness, "Undo extend by 6 months: 3 licenses");
    settle(&mut harness);
    let ends: Vec<String> = made.iter().map(|l| valid_until(&world, l)).collect();
    assert_eq!(ends, ["2026-07-01"; 5], "undo restores every value");
    assert!(harness.query_by_label_contains("Undone: 3 licenses put back").is_some());
    assert!(harness.query_by_label_contains("Undo extend").is_none(), "nothing more to undo");
}

/// All matching the filter, past the rows loaded (the console loads 400 at a time).
fn select_all_matching_and_deactivate(side: Side) {
    let world = World::on(side);
    let product = world.product("FTP Synchronizer Professional");
    world.backend.generate_stock(product, 450, &mut |_| true).expect("stock");
    let mut harness = world.harness();
    open_licenses(&mut harness);
    click(&mut harness, "Select all 450 matching");
    settle(&mut harness);
    assert!(harness.query_by_label("450 selected").is_some());
    preview_and_apply(&mut harness, "Deactivate", "450 licenses: active -> deactivated", 450);
    let deactivated = keydesk::store::LicenseQuery { status: Some(LicenseStatus::Deactivated), ..Default::default() };
    assert_eq!(
        world.backend.licenses(&deactivated, 0, 1).expect("window").total,
        450,
        "every page, not just the loaded"
    );
}

on_both!(pick_extend_apply_and_undo, select_all_matching_and_deactivate);

/// A distributor's staff on a shared server: "all matching" is their own licenses, and a
/// bulk change leaves every other distributor's as it was.
#[test]
fn a_distributors_staff_change_only_their_own_licenses_in_bulk() {
    let world = World::on(Side::Remote);
    let (acme, beta) = (world.acme(), world.beta());
    let ours: Vec<License> =
        (0..2).map(|n| world.backend.create_license(&monthly(acme, &format!("A-{n}"))).expect("acme")).collect();
    let theirs: Vec<License> =
        (0..3).map(|n| world.backend.create_license(&monthly(beta, &format!("B-{n}"))).expect("beta")).collect();
    let dan = world.distributor_staff(acme);
    let mut harness = world.harness_on(dan, Prefs { view: View::Licenses, ..Prefs::default() }, |app| app);
    settle(&mut harness);
    click(&mut harness, "Select all 2 matching");
    preview_and_apply(
        &mut harness,
        "Extend validity",
        "2 licenses: valid until 2026-07-01 -> valid until 2027-01-01",
        2,
    );
    assert!(ours.iter().all(|l| valid_until(&world, l) == "2027-01-01"), "ACME's are extended");
    assert!(theirs.iter().all(|l| valid_until(&world, l) == "2026-07-01"), "BETA's are not touched");
}
