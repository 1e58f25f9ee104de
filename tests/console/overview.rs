//! The Overview: the console opens on it, its tiles count the signed-in scope, and a tile
//! opens the view that lists what it counts.

use egui_kittest::kittest::Queryable;
use keydesk::backend::{Backend, NewLicenseOrder};
use keydesk::console::{Prefs, View};
use keydesk::domain::license::{LicenseType, ProductKind};
use keydesk::domain::reseller::{Edition, KeyOrder};
use keydesk::domain::user::Registration;

use crate::world::{Side, World, click, settle};

fn order(quantity: u32) -> KeyOrder {
    KeyOrder {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@customer.example".into(),
        quantity,
        edition: Some(Edition::Professional),
        test_mode: false,
    }
}

fn user(name: &str) -> Registration {
    Registration {
        username: name.into(),
        email: format!("{name}@example.com"),
        password: "a long password 1".into(),
        language: None,
        reference: String::new(),
        department: String::new(),
    }
}

fn the_console_opens_on_the_overview_and_a_tile_opens_the_filtered_licenses(side: Side) {
    let world = World::on(side);
    let product = world.product("FTP Synchronizer Professional");
    world.reseller(product, 100);
    world.backend.generate_stock(product, 4, &mut |_| true).expect("stock");
    let shop = world.backend.resellers().expect("resellers")[0].reseller.id;
    world.backend.issue_keys(shop, &order(3)).expect("keys");
    let mut harness = world.harness_on(world.console.clone(), Prefs::default(), |app| app);
    settle(&mut harness);
    assert_eq!(harness.state().view(), View::Overview, "the first view");
    assert!(harness.query_by_label_contains("4\nKeys in stock").is_some(), "stock counted");
    assert!(has_tile(&harness, "Expiring in 7 days"));
    assert!(harness.query_by_label("Shop GmbH").is_some(), "the pool is listed");
    assert!(harness.query_by_label_contains("97 left").is_some(), "with what is left");
    assert!(harness.query_by_label_contains("Activations per day").is_some());

    click_tile(&mut harness, "Keys in stock");
    settle(&mut harness);
    assert_eq!(harness.state().view(), View::Licenses);
    assert!(harness.query_by_label("4 licenses").is_some(), "the stock, filtered");
}

fn has_tile(harness: &egui_kittest::Harness<'_, keydesk::console::ConsoleApp>, caption: &str) -> bool {
    harness.query_by_label_contains(&format!("\n{caption}")).is_some()
}

fn click_tile(harness: &mut egui_kittest::Harness<'_, keydesk::console::ConsoleApp>, caption: &str) {
    harness.run_steps(2);
    harness.get_by_label_contains(&format!("\n{caption}")).click();
    harness.run_steps(1);
}

on_both!(the_console_opens_on_the_overview_and_a_tile_opens_the_filtered_licenses);

/// A distributor's staff on a shared server: their own users and licenses, and nothing of
/// the owner's (mail, telemetry, pools, the activity log).
#[test]
fn a_distributors_staff_see_only_their_own_scope_in_the_overview() {
    let world = World::on(Side::Remote);
    let (acme, beta) = (world.acme(), world.beta());
    for name in ["ann.acme", "bob.acme"] {
        world.backend.register_user(acme, &user(name)).expect("acme user");
    }
    for name in ["cy.beta", "di.beta", "ed.beta"] {
        world.backend.register_user(beta, &user(name)).expect("beta user");
    }
    let license = |distributor| NewLicenseOrder {
        distributor,
        owner: None,
        product: ProductKind::Client,
        license_type: LicenseType::Permanent,
        features: String::new(),
        seats: 1,
        reference: String::new(),
    };
    world.backend.create_license(&license(acme)).expect("acme license");
    for _ in 0..5 {
        world.backend.create_license(&license(beta)).expect("beta license");
    }
    let product = world.product("Pro");
    world.reseller(product, 50);
    let dan = world.distributor_staff(acme);

    let seen = dan.overview(30).expect("overview");
    assert_eq!(seen.users, Some(2), "ACME's users only");
    assert_eq!(seen.licenses.as_ref().map(|l| l.active), Some(1), "ACME's license only");
    assert!(seen.mail.is_none() && seen.red_flags.is_none() && seen.recent.is_empty() && seen.pools.is_empty());

    let mut harness = world.harness_on(dan, Prefs::default(), |app| app);
    settle(&mut harness);
    assert!(harness.query_by_label_contains("2\nUsers").is_some(), "two users");
    assert!(!has_tile(&harness, "Mail queued"), "no outbox for a distributor's staff");
    assert!(harness.query_by_label("Reseller pools").is_none());
    click_tile(&mut harness, "Users");
    settle(&mut harness);
    assert!(harness.query_by_label("ann.acme").is_some());
    assert!(harness.query_by_label("cy.beta").is_none(), "nothing of BETA");
    click(&mut harness, "Overview");
    settle(&mut harness);
    assert_eq!(harness.state().view(), View::Overview);
}
