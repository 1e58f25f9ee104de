//! The console's everyday flows, each driven through labelled widgets.

use egui_kittest::kittest::Queryable;
use keydesk::backend::Backend;
use keydesk::console::app::Status;
use keydesk::domain::license::LicenseStatus;
use keydesk::domain::reseller::{Edition, KeyOrder};
use keydesk::domain::staff::Role;
use keydesk::store::LicenseQuery;

use crate::world::{Side, World, choose, click, copied, generate_keys_for_ada, settle, type_into};

fn register_a_user_through_the_form_and_find_them_by_wildcard_search(side: Side) {
    let world = World::on(side);
    let mut harness = world.harness();
    settle(&mut harness);
    assert!(harness.query_by_label_contains("No users yet").is_some(), "an empty database says so");
    click(&mut harness, "Register…");
    type_into(&mut harness, "Username", "alice.walker");
    type_into(&mut harness, "User e-mail", "alice@example.com");
    type_into(&mut harness, "Password", "correct horse 1");
    click(&mut harness, "Register");
    settle(&mut harness);
    assert_eq!(*harness.state().status(), Status::Info("Registered alice.walker.".into()));
    type_into(&mut harness, "Search users", "ali*");
    settle(&mut harness);
    assert!(harness.query_by_label("alice.walker").is_some(), "the search finds the new user");
    assert!(harness.query_by_label("1 matching users").is_some());
    type_into(&mut harness, "Search users", "xx");
    settle(&mut harness);
    assert!(harness.query_by_label_contains("Type at least 3 characters").is_some());
}

fn create_a_product_and_a_generator_and_read_the_preview(side: Side) {
    let world = World::on(side);
    let mut harness = world.harness();
    click(&mut harness, "Products");
    settle(&mut harness);
    type_into(&mut harness, "Product name", "Suite 2026");
    click(&mut harness, "Create product");
    settle(&mut harness);
    click(&mut harness, "Suite 2026");
    settle(&mut harness);
    type_into(&mut harness, "Prefix", "SU-");
    let preview = harness.get_by_label_contains("Preview: SU-").value().unwrap_or_default();
    let first = preview.trim_start_matches("Preview: ").split_whitespace().next().unwrap_or_default().to_owned();
    assert_eq!(first.len(), "SU-".len() + 4 * 5 + 3, "{preview}");
    assert!(harness.query_by_label_contains("Keyspace: 2^100.0").is_some(), "4 chunks of 5 from 32 characters");
    click(&mut harness, "Add generator");
    settle(&mut harness);
    let generators = world.backend.generators().expect("generators");
    assert_eq!(generators.len(), 1);
    assert_eq!(generators[0].prefix, "SU-");
    assert!(harness.query_by_label_contains("Generator: chunk-system").is_some());
}

fn generate_five_keys_for_a_resellers_customer_and_see_the_pool_drop(side: Side) {
    let world = World::on(side);
    let product = world.product("FTP Synchronizer Professional");
    world.reseller(product, 100);
    let mut harness = world.harness();
    click(&mut harness, "Key generation");
    settle(&mut harness);
    assert!(harness.query_by_label("Left in the pool: 100 of 100").is_some());
    generate_keys_for_ada(&mut harness, "5");
    assert!(harness.query_by_label("5 key(s), Professional edition").is_some());
    assert!(harness.query_by_label("Left in the pool: 95 of 100").is_some(), "the pool dropped by 5");
    assert!(harness.query_by_label("Copy all").is_some());
    let keys = world.backend.licenses(&LicenseQuery::default(), 0, 100).expect("licenses").rows;
    assert_eq!(keys.len(), 5);
    for key in &keys {
        assert!(harness.query_by_label(&key.number).is_some(), "{} is listed", key.number);
        assert_eq!(key.owner_email, "ada@customer.example");
    }
}

fn deactivate_a_license_and_see_its_status_change(side: Side) {
    let world = World::on(side);
    let product = world.product("Backup Vault");
    world.reseller(product, 10);
    let reseller = world.backend.resellers().expect("resellers").remove(0).reseller.id;
    let order = KeyOrder {
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        email: "grace@customer.example".into(),
        quantity: 1,
        edition: Some(Edition::Professional),
        test_mode: false,
    };
    let key = world.backend.issue_keys(reseller, &order).expect("issued").keys.remove(0);
    let mut harness = world.harness();
    click(&mut harness, "Licenses");
    settle(&mut harness);
    assert!(harness.query_by_label("Active").is_some());
    click(&mut harness, &key);
    settle(&mut harness);
    click(&mut harness, "Deactivate license");
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Deactivate this license?").is_some(), "it asks first");
    click(&mut harness, "Deactivate");
    settle(&mut harness);
    let stored = world.backend.licenses(&LicenseQuery::default(), 0, 10).expect("licenses").rows.remove(0);
    assert_eq!(stored.status, LicenseStatus::Deactivated);
    let shown = harness.query_all_by_label("Deactivated").count();
    assert_eq!(shown, 2, "the table row and the detail pane show the new status");
    assert!(harness.query_by_label("Activate license").is_some());
}

fn import_a_csv_of_a_hundred_users_and_export_it_back_identically(side: Side) {
    let world = World::on(side);
    let source = world.dir.path().join("users.csv");
    let mut text = String::from("username,email,reference,department,language,status\n");
    for i in 0..100 {
        let status = if i % 10 == 0 { "inactive" } else { "activated" };
        text.push_str(&format!("user.{i:03},user{i}@example.com,REF-{i},Sales,de,{status}\n"));
    }
    std::fs::write(&source, &text).expect("write");
    let mut harness = world.harness();
    settle(&mut harness);
    type_into(&mut harness, "CSV file", &source.display().to_string());
    click(&mut harness, "Import CSV");
    settle(&mut harness);
    assert!(
        matches!(harness.state().status(), Status::Info(m) if m.starts_with("Imported 100 of 100 users")),
        "{:?}",
        harness.state().status()
    );
    assert!(harness.query_by_label("100 users").is_some());
    let target = world.dir.path().join("export.csv");
    type_into(&mut harness, "Export to", &target.display().to_string());
    click(&mut harness, "Export CSV");
    settle(&mut harness);
    assert_eq!(std::fs::read_to_string(&target).expect("exported"), text);
}

#[test]
fn the_demo_data_fills_every_view_without_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let backend =
        keydesk::backend::LocalBackend::open(&dir.path().join("demo.sqlite"), &keydesk::store::DataKey::generate())
            .expect("backend");
    let summary = keydesk::demo::seed(backend.service(), &mut |_| {}).expect("demo data");
    assert_eq!((summary.distributors, summary.users), (2, 10_000));
    assert!(summary.resellers >= 2 && summary.keys > 1_000 && summary.licenses > 1_000, "{summary:?}");
    let app = keydesk::console::ConsoleApp::new(std::sync::Arc::new(backend), keydesk::console::Prefs::default())
        .expect("console");
    let mut harness = egui_kittest::Harness::builder()
        .with_size(egui::vec2(1400.0, 900.0))
        .build_ui_state(|ui, app: &mut keydesk::console::ConsoleApp| app.ui(ui), app);
    for view in keydesk::console::View::ALL {
        harness.state_mut().apply(keydesk::console::app::Command::Show(view));
        settle(&mut harness);
        assert!(
            !matches!(harness.state().status(), Status::Error(_)),
            "{}: {:?}",
            view.title(),
            harness.state().status()
        );
    }
    assert!(harness.query_by_label("10000 users").is_none(), "the last view shown is Settings");
    click(&mut harness, "Users");
    settle(&mut harness);
    assert!(harness.query_by_label("10000 users").is_some());
}

#[test]
fn switch_to_another_local_profile_from_settings() {
    let world = World::start();
    let other = world.dir.path().join("other.sqlite");
    // A key file beside the new database: the profile uses it (no keyring in a test run).
    std::fs::write(keydesk::store::keyfile::default_key_path(&other), keydesk::store::DataKey::generate().to_hex())
        .expect("key file");
    let mut harness = world.harness();
    click(&mut harness, "Settings");
    settle(&mut harness);
    type_into(&mut harness, "Database file", &other.display().to_string());
    click(&mut harness, "Open file");
    settle(&mut harness);
    let expected = format!("Local: {}", other.display());
    assert!(harness.query_all_by_label(&expected).next().is_some(), "the top bar shows the new profile");
    assert!(matches!(harness.state().status(), Status::Info(m) if m.contains("the data key is in")));
    assert_eq!(
        harness.state().prefs.profiles,
        vec![keydesk::console::profiles::Profile::Local(other.clone())],
        "the profile is remembered (its path only)"
    );
    click(&mut harness, "Users");
    settle(&mut harness);
    assert!(harness.query_by_label_contains("No users yet").is_some(), "the views show the other database");
}

fn a_relay_saved_in_settings_sends_the_customer_mail_and_stays_sealed(side: Side) {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let (port, received) = runtime.block_on(crate::smtp::smtp_sink());
    let world = World::on(side);
    let product = world.product("FTP Synchronizer Professional");
    world.reseller(product, 10);
    let reseller = world.backend.resellers().expect("resellers").remove(0).reseller.id;
    let order = KeyOrder {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@customer.example".into(),
        quantity: 2,
        edition: None,
        test_mode: false,
    };
    let keys = world.backend.issue_keys(reseller, &order).expect("issued").keys;
    let mut harness = world.harness();
    click(&mut harness, "Settings");
    settle(&mut harness);
    assert!(harness.query_by_label_contains("No SMTP relay").is_some());
    let url = format!("smtp://relay-user:relay-secret@127.0.0.1:{port}");
    type_into(&mut harness, "SMTP relay URL", &url);
    type_into(&mut harness, "Sender", "keydesk <noreply@keydesk.test>");
    click(&mut harness, "Save relay");
    settle(&mut harness);
    assert_eq!(*harness.state().status(), Status::Info("The SMTP relay is saved.".into()));
    click(&mut harness, "Send queued mail now");
    settle(&mut harness);
    let outbox = world.backend.outbox().expect("outbox");
    assert_eq!(*harness.state().status(), Status::Info("1 mail(s) sent.".into()), "{:?}", outbox[0].last_error);
    let messages = received.lock().expect("lock").clone();
    assert_eq!(messages.len(), 1);
    assert!(keys.iter().all(|k| messages[0].contains(k.as_str())), "the mail carries the keys");
    // The relay's password is sealed in the database, never written in the clear.
    for file in ["console.sqlite", "console.sqlite-wal"] {
        let bytes = std::fs::read(world.dir.path().join(file)).unwrap_or_default();
        assert!(!bytes.windows(12).any(|w| w == b"relay-secret"), "{file} holds the relay password");
    }
}

const HERE: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

/// The password a "shown once" dialog copies, after which the dialog is closed.
fn copy_the_shown_password(harness: &mut egui_kittest::Harness<'_, keydesk::console::ConsoleApp>, who: &str) -> String {
    assert!(harness.query_by_label_contains(&format!("Password for {who}")).is_some(), "the password is shown");
    click(harness, "Copy password");
    let password = copied(harness).expect("the password was copied");
    click(harness, "Done");
    settle(harness);
    password
}

fn add_a_reseller_give_it_a_pool_top_it_up_and_read_the_ledger(side: Side) {
    let world = World::on(side);
    world.product("Suite Pro");
    let mut harness = world.harness();
    click(&mut harness, "Contracts");
    settle(&mut harness);
    assert!(harness.query_by_label_contains("No resellers yet").is_some(), "the empty state says what to do");
    click(&mut harness, "Add reseller…");
    type_into(&mut harness, "Reseller e-mail", "shop@reseller.example");
    type_into(&mut harness, "Company name", "Reseller Shop");
    click(&mut harness, "Add the reseller");
    settle(&mut harness);
    let password = copy_the_shown_password(&mut harness, "shop@reseller.example");
    world.service().authenticate_reseller("shop@reseller.example", &password, HERE).expect("the shown password");
    choose(&mut harness, "Pool product", "Suite Pro");
    type_into(&mut harness, "Licenses bought", "10");
    click(&mut harness, "Add the pool");
    settle(&mut harness);
    let pool = |world: &World| world.backend.resellers().expect("resellers").remove(0).pools.remove(0);
    assert_eq!((pool(&world).edition, pool(&world).contract.terms.quantity), (Edition::Professional, 10));
    type_into(&mut harness, "Top up by", "15");
    click(&mut harness, "Top up Professional");
    settle(&mut harness);
    assert_eq!(pool(&world).contract.terms.quantity, 25, "topped up");
    assert!(harness.query_by_label_contains("holds 25 now").is_some());
    // Keys drawn in Key generation appear in the pool's ledger, with whose and by whom.
    click(&mut harness, "Key generation");
    settle(&mut harness);
    generate_keys_for_ada(&mut harness, "2");
    click(&mut harness, "Contracts");
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::R);
    settle(&mut harness);
    click(&mut harness, "Professional ledger");
    settle(&mut harness);
    assert!(harness.query_by_label("Ledger: 2 key(s) issued").is_some());
    for key in world.backend.licenses(&LicenseQuery::default(), 0, 10).expect("keys").rows {
        assert!(harness.query_by_label(&key.number).is_some(), "{} is in the ledger", key.number);
    }
    assert_eq!(harness.query_all_by_label("Ada Lovelace <ada@customer.example>").count(), 2);
    // Closing asks first; the closed pool keeps its history.
    click(&mut harness, "Close Professional pool…");
    harness.run_steps(2);
    assert!(harness.query_by_label_contains("Close the pool Professional of shop@reseller.example?").is_some());
    click(&mut harness, "Close");
    settle(&mut harness);
    assert!(!pool(&world).contract.terms.active);
    assert!(harness.query_by_label("Reopen Professional pool").is_some());
    click(&mut harness, "Disable reseller");
    settle(&mut harness);
    assert!(world.backend.resellers().expect("resellers")[0].reseller.disabled);
    assert!(harness.query_by_label("Enable reseller").is_some());
    click(&mut harness, "Reset reseller password");
    settle(&mut harness);
    let reset = copy_the_shown_password(&mut harness, "shop@reseller.example");
    assert_ne!(reset, password);
}

fn add_a_staff_account_reset_its_password_and_change_its_role(side: Side) {
    let world = World::on(side);
    let mut harness = world.harness();
    click(&mut harness, "Staff");
    settle(&mut harness);
    click(&mut harness, "Add staff account…");
    type_into(&mut harness, "Staff username", "dora");
    choose(&mut harness, "Staff role", "Distributor: Acme Ltd");
    click(&mut harness, "Add the account");
    settle(&mut harness);
    let password = copy_the_shown_password(&mut harness, "dora");
    let service = world.service();
    let (token, dora) = service.staff_login("dora", &password, HERE).expect("the shown password logs in");
    assert_eq!(dora.role.kind(), "distributor");
    click(&mut harness, "dora");
    settle(&mut harness);
    click(&mut harness, "Reset staff password");
    settle(&mut harness);
    let reset = copy_the_shown_password(&mut harness, "dora");
    assert!(service.staff_session(&token).is_err(), "the reset ended dora's session");
    service.staff_login("dora", &reset, HERE).expect("the new password");
    choose(&mut harness, "New role", "Owner: everything");
    click(&mut harness, "Change role");
    settle(&mut harness);
    if side == Side::Local {
        // On the local file dora is now the only owner account: the console says why it stays.
        click(&mut harness, "Disable account");
        settle(&mut harness);
        let said = format!("{:?}", harness.state().status());
        assert!(said.contains("last owner that can log in"), "{said}");
        service.add_staff(&keydesk::service::Actor::Owner, "otto", "otto's long password", Role::Owner).expect("otto");
    }
    click(&mut harness, "Disable account");
    settle(&mut harness);
    let dora =
        service.staff(&keydesk::service::Actor::Owner).expect("staff").into_iter().find(|m| m.username == "dora");
    let dora = dora.expect("dora");
    assert_eq!((dora.role, dora.disabled), (Role::Owner, true));
    assert!(harness.query_by_label("Enable account").is_some());
}

on_both!(
    register_a_user_through_the_form_and_find_them_by_wildcard_search,
    create_a_product_and_a_generator_and_read_the_preview,
    generate_five_keys_for_a_resellers_customer_and_see_the_pool_drop,
    deactivate_a_license_and_see_its_status_change,
    import_a_csv_of_a_hundred_users_and_export_it_back_identically,
    a_relay_saved_in_settings_sends_the_customer_mail_and_stays_sealed,
    add_a_reseller_give_it_a_pool_top_it_up_and_read_the_ledger,
    add_a_staff_account_reset_its_password_and_change_its_role,
);
