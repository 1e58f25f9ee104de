//! The assertions, written once against `dyn Backend`.

use keydesk::backend::{BackendError, LicenseAction, NewLicenseOrder, UserAction};
use keydesk::domain::contract::ContractRights;
use keydesk::domain::license::{LicenseStatus, LicenseType, ProductKind, SeatLimit};
use keydesk::domain::reseller::{
    Edition, KeyOrder, NewResellerAccount, PoolAction, PoolOrder, ResellerAction, ResellerId,
};
use keydesk::domain::staff::{NewStaff, Role, StaffAction};
use keydesk::domain::user::{UserId, UserStatus};
use keydesk::service::Actor;
use keydesk::service::import::UserRecord;
use keydesk::store::{AuditQuery, GeneratorFields, LicenseQuery, ProductFields, TelemetryFilter, UserOrder};

use super::Fixture;
use super::people::registration;

const CHARSET: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

fn order(owner: Option<&str>, seats: u32) -> NewLicenseOrder {
    NewLicenseOrder {
        distributor: keydesk::domain::distributor::DistributorId(0),
        owner: owner.map(str::to_owned),
        product: ProductKind::Client,
        license_type: LicenseType::Permanent,
        features: String::new(),
        seats,
        reference: "PO-1".into(),
    }
}

pub fn users_are_registered_listed_searched_and_changed(f: &Fixture) {
    let b = &f.backend;
    assert_eq!(b.distributors().expect("distributors").len(), 1);
    let alice = b.register_user(f.acme, &registration("alice")).expect("alice");
    b.register_user(f.acme, &registration("albert")).expect("albert");
    b.register_user(f.acme, &registration("zoe-user")).expect("zoe");
    let window = b.users(UserOrder::Username, false, 0, 2).expect("window");
    assert_eq!((window.total, window.rows.len()), (3, 2));
    assert_eq!(window.rows[0].username, "albert");
    let last = b.users(UserOrder::Username, true, 0, 1).expect("descending");
    assert_eq!(last.rows[0].username, "zoe-user");
    let found = b.search_users("", "*@example.com", 10).expect("search");
    assert_eq!(found.total, 3);
    assert_eq!(b.search_users("alb*", "", 10).expect("prefix").rows[0].username, "albert");
    let inactive = b.user_action("alice", &UserAction::SetReference("CRM-7".into()));
    assert_eq!(inactive.expect_err("not yet"), BackendError::Refused("Account not activated.".into()));
    b.user_action("alice", &UserAction::Activate).expect("activate");
    b.user_action("alice", &UserAction::SetReference("CRM-7".into())).expect("reference");
    let overview = b.user(alice.id).expect("overview");
    assert_eq!(overview.user.reference, "CRM-7");
    assert_eq!(overview.user.status, UserStatus::Activated);
    assert!(overview.licenses.is_empty() && overview.devices.is_empty());
}

pub fn users_are_imported_and_exported(f: &Fixture) {
    let b = &f.backend;
    let record = |name: &str| UserRecord {
        username: name.into(),
        email: format!("{name}@example.com"),
        language: "en".into(),
        status: "activated".into(),
        ..UserRecord::default()
    };
    let records = vec![record("imported-1"), record("imported-2"), record("no")];
    let report = b.import_users(f.acme, &records).expect("import");
    assert_eq!(report.created, 2);
    assert_eq!(report.refused.len(), 1, "a name too short is refused, not created");
    assert_eq!(report.refused[0].0, 3);
    let exported = b.export_users().expect("export");
    assert_eq!(exported, records[..2].to_vec());
    // More than one request's worth remotely: the refused line keeps its number in the file.
    let mut many: Vec<UserRecord> = (0..11_000).map(|i| record(&format!("bulk.user.{i:05}"))).collect();
    many[10_499].email = "not an address".into();
    let report = b.import_users(f.acme, &many).expect("bulk import");
    assert_eq!((report.created, report.refused.len()), (10_999, 1));
    assert_eq!(report.refused[0].0, 10_500);
}

pub fn licenses_are_made_filtered_changed_and_exported(f: &Fixture) {
    let b = &f.backend;
    b.register_user(f.acme, &registration("alice")).expect("alice");
    b.user_action("alice", &UserAction::Activate).expect("activate");
    let made = b.create_license(&NewLicenseOrder { distributor: f.acme, ..order(Some("alice"), 3) }).expect("license");
    b.create_license(&NewLicenseOrder { distributor: f.acme, ..order(None, 1) }).expect("spare");
    assert_eq!(b.licenses(&LicenseQuery::default(), 0, 50).expect("all").total, 2);
    let alices = LicenseQuery { owner: "alice".into(), ..LicenseQuery::default() };
    let window = b.licenses(&alices, 0, 50).expect("alice's");
    assert_eq!(window.rows.iter().map(|l| l.number.as_str()).collect::<Vec<_>>(), vec![made.number.as_str()]);
    b.license_action(&made.number, &LicenseAction::SetReference("PO-9".into())).expect("reference");
    let upgrade = LicenseAction::Upgrade { user: "alice".into(), features: String::new(), seats: Some(5) };
    b.license_action(&made.number, &upgrade).expect("upgrade");
    b.license_action(&made.number, &LicenseAction::Deactivate).expect("deactivate");
    let changed = &b.licenses(&alices, 0, 1).expect("changed").rows[0];
    assert_eq!(
        (changed.reference.as_str(), changed.limit, changed.status),
        ("PO-9", SeatLimit(5), LicenseStatus::Deactivated)
    );
    assert!(b.license_activations(made.id).expect("activations").is_empty());
    let deactivated = LicenseQuery { status: Some(LicenseStatus::Deactivated), ..LicenseQuery::default() };
    assert_eq!(b.export_licenses(&deactivated).expect("export").len(), 1);
}

pub fn products_generators_and_stock_keys(f: &Fixture) {
    let b = &f.backend;
    let product = b.create_product(&ProductFields::named("Suite", "The office suite")).expect("product");
    assert_eq!(b.products().expect("products").iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), vec!["Suite"]);
    let generator = GeneratorFields { prefix: "SU-".into(), ..GeneratorFields::chunks(product.id, CHARSET, 4, 5) };
    b.create_generator(&generator).expect("generator");
    assert_eq!(b.generators().expect("generators")[0].prefix, "SU-");
    assert!(b.releases(product.id).expect("releases").is_empty());
    let public = b.create_signing_key(product.id).expect("signing key");
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----"), "{public}");
    // More than one request's worth, so the remote side reports between requests.
    let mut seen = Vec::new();
    let count = 60_000;
    let stored = b
        .generate_stock(product.id, count, &mut |done| {
            seen.push(done);
            true
        })
        .expect("stock");
    assert_eq!(stored, count);
    assert!(!seen.is_empty() && seen.windows(2).all(|w| w[0] <= w[1]), "{seen:?}");
    let keys = vec!["IMPORTED-0001".to_owned(), "IMPORTED-0002".to_owned()];
    assert_eq!(b.import_keys(product.id, &keys).expect("import"), (2, 0));
    let again = b.import_keys(product.id, &keys).expect_err("nothing new");
    assert_eq!(again, BackendError::Refused("No license keys created.".into()));
    let of_product = LicenseQuery { product: Some(product.id), ..LicenseQuery::default() };
    assert_eq!(b.licenses(&of_product, 0, 10).expect("keys").total, count + 2);
}

pub fn resellers_issue_keys_and_pool_rights_change(f: &Fixture) {
    let b = &f.backend;
    let s = &f.service;
    let product = s.create_product(&Actor::Owner, &ProductFields::named("Suite", "")).expect("product").id;
    s.create_generator(&Actor::Owner, &GeneratorFields::chunks(product, CHARSET, 4, 5)).expect("generator");
    let shop = s.add_reseller(&Actor::Owner, "shop@example.com", "Shop", "shop-secret-1", None).expect("shop").id;
    s.add_pool(&Actor::Owner, shop, Edition::Professional, product, 10).expect("pool");
    let all = b.resellers().expect("resellers");
    assert_eq!((all.len(), all[0].pools.len(), all[0].pools[0].left()), (1, 1, 10));
    let customer = KeyOrder {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@customer.example".into(),
        quantity: 3,
        edition: None,
        test_mode: false,
    };
    let issued = b.issue_keys(shop, &customer).expect("keys");
    assert_eq!((issued.keys.len(), issued.edition, issued.left), (3, Edition::Professional, 7));
    assert_eq!(issued.mailed_to, "ada@customer.example");
    let contract = all[0].pools[0].contract.id;
    let rights = ContractRights { get_info: true, generate: true, destroy: false, destroy_all: false };
    b.set_contract_rights(contract, rights).expect("rights");
    let pool = &b.resellers().expect("again")[0].pools[0];
    assert_eq!((pool.contract.terms.rights, pool.left()), (rights, 7));
}

const HERE: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

pub fn resellers_and_pools_are_added_topped_up_closed_and_switched_off(f: &Fixture) {
    let b = &f.backend;
    let s = &f.service;
    let product = s.create_product(&Actor::Owner, &ProductFields::named("Suite", "")).expect("product").id;
    s.create_generator(&Actor::Owner, &GeneratorFields::chunks(product, CHARSET, 4, 5)).expect("generator");
    let new = NewResellerAccount { email: "shop@example.com".into(), name: "Shop".into(), distributor: Some(f.acme) };
    let created = b.add_reseller(&new).expect("added");
    let shop = created.account.id;
    assert_eq!((created.account.email.as_str(), created.account.distributor), ("shop@example.com", Some(f.acme)));
    s.authenticate_reseller("shop@example.com", &created.password.0, HERE).expect("the shown password logs in");
    assert_eq!(b.add_reseller(&new).expect_err("twice"), BackendError::Refused("E-mail already exists.".into()));
    let order = PoolOrder { reseller: shop, edition: Edition::Professional, product, quantity: 5 };
    let pool = b.add_pool(&order).expect("pool");
    let contract = pool.contract.id;
    assert_eq!(pool.left(), 5);
    assert_eq!(b.pool_action(contract, PoolAction::TopUp(20)).expect("topped up").left(), 25);
    let customer = KeyOrder {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@customer.example".into(),
        quantity: 3,
        edition: None,
        test_mode: false,
    };
    b.issue_keys(shop, &customer).expect("keys");
    let ledger = LicenseQuery { contract: Some(contract), ..LicenseQuery::default() };
    let issued = b.licenses(&ledger, 0, 10).expect("ledger");
    assert_eq!(issued.total, 3);
    assert!(issued.rows.iter().all(|k| k.owner_email == "ada@customer.example" && k.created_by.contains("reseller:")));
    let closed = b.pool_action(contract, PoolAction::Close).expect("closed");
    assert!(!closed.contract.terms.active);
    assert!(matches!(b.issue_keys(shop, &customer), Err(BackendError::Refused(_))), "a closed pool gives nothing");
    b.pool_action(contract, PoolAction::Reopen).expect("reopened");
    let too_many = b.pool_action(contract, PoolAction::TopUp(u32::MAX)).expect_err("ceiling");
    assert!(matches!(&too_many, BackendError::Refused(m) if m.contains("10000000")), "{too_many:?}");
    let reset = b.reseller_action(shop, ResellerAction::ResetPassword).expect("reset").expect("a new password");
    assert!(s.authenticate_reseller("shop@example.com", &created.password.0, HERE).is_err(), "the old one is gone");
    s.authenticate_reseller("shop@example.com", &reset.0, HERE).expect("the new password logs in");
    assert_eq!(b.reseller_action(shop, ResellerAction::Disable).expect("disabled"), None);
    assert!(b.resellers().expect("list")[0].reseller.disabled);
    assert!(s.authenticate_reseller("shop@example.com", &reset.0, HERE).is_err(), "disabled");
    b.reseller_action(shop, ResellerAction::Enable).expect("enabled");
    let sold = b.reseller_action(shop, ResellerAction::Delete).expect_err("keys were drawn");
    assert!(matches!(&sold, BackendError::Refused(m) if m.contains("disable the reseller instead")), "{sold:?}");
    let idle = b.add_reseller(&NewResellerAccount {
        email: "idle@example.com".into(),
        name: String::new(),
        distributor: None,
    });
    b.reseller_action(idle.expect("idle").account.id, ResellerAction::Delete).expect("an unused reseller goes");
    let audit = b.activity(&AuditQuery { what: "pool".into(), ..AuditQuery::default() }).expect("audit");
    assert!(audit.iter().filter(|e| e.action == "change-pool").count() >= 3, "{audit:?}");
}

pub fn staff_accounts_are_added_reset_switched_off_and_the_last_owner_kept(f: &Fixture) {
    let b = &f.backend;
    let s = &f.service;
    let before = b.staff().expect("staff").len();
    b.add_staff(&NewStaff { username: "otto".into(), role: Role::Owner }).expect("a second owner");
    let created = b.add_staff(&NewStaff { username: "dora".into(), role: Role::Distributor(f.acme) }).expect("dora");
    assert_eq!(created.account.role, Role::Distributor(f.acme));
    let (token, _) = s.staff_login("dora", &created.password.0, HERE).expect("the shown password logs in");
    assert_eq!(b.staff().expect("staff").len(), before + 2);
    let reset = b.staff_action("dora", &StaffAction::ResetPassword).expect("reset").expect("a password");
    assert!(s.staff_session(&token).is_err(), "a reset ends the sessions");
    let (token, _) = s.staff_login("dora", &reset.0, HERE).expect("the new password logs in");
    b.staff_action("dora", &StaffAction::SetRole(Role::Owner)).expect("promoted");
    assert_eq!(s.staff_session(&token).expect("still in").role, Role::Owner, "the session sees the new role");
    b.staff_action("dora", &StaffAction::Disable).expect("disabled");
    assert!(s.staff_session(&token).is_err(), "disabling ends the sessions");
    assert!(s.staff_login("dora", &reset.0, HERE).is_err());
    b.staff_action("dora", &StaffAction::Enable).expect("enabled");
    let no_scope = b.add_staff(&NewStaff { username: "ghost".into(), role: Role::Reseller(ResellerId(404)) });
    assert!(matches!(no_scope, Err(BackendError::Refused(_))), "{no_scope:?}");
    // Keep one owner who can log in: the last one cannot be disabled, demoted or removed.
    // On the remote side the session's own owner account is kept, so the calls go on.
    let owners: Vec<String> =
        b.staff().expect("staff").into_iter().filter(|m| m.role == Role::Owner).map(|m| m.username).collect();
    let keeper = owners.iter().find(|name| name.as_str() != "dora").unwrap_or(&owners[0]).clone();
    for other in owners.iter().filter(|name| **name != keeper) {
        b.staff_action(other, &StaffAction::Disable).expect("another owner remains");
    }
    for last in [StaffAction::Disable, StaffAction::Delete, StaffAction::SetRole(Role::Distributor(f.acme))] {
        let refused = b.staff_action(&keeper, &last).expect_err("the last owner stays");
        assert!(matches!(&refused, BackendError::Refused(m) if m.contains("last owner")), "{last:?}: {refused:?}");
    }
    let audit = b.activity(&AuditQuery { what: "staff".into(), ..AuditQuery::default() });
    assert!(audit.expect("audit").iter().any(|e| e.action == "set-staff-role"));
}

pub fn mail_relay_activity_and_telemetry(f: &Fixture) {
    let b = &f.backend;
    b.register_user(f.acme, &registration("alice")).expect("alice");
    let outbox = b.outbox().expect("outbox");
    assert_eq!(outbox.len(), 1, "the activation mail is queued");
    assert_eq!(outbox[0].to, "alice@example.com");
    b.resend_mail(outbox[0].id).expect("resend");
    assert_eq!(b.smtp_sender().expect("no relay"), None);
    assert_eq!(b.deliver_mail().expect("nothing to send through"), 0);
    b.set_smtp_relay(Some(("smtp://127.0.0.1:2525", "keys@example.com"))).expect("relay");
    assert_eq!(b.smtp_sender().expect("relay"), Some("keys@example.com".to_owned()));
    b.set_smtp_relay(None).expect("forget");
    assert_eq!(b.smtp_sender().expect("forgotten"), None);
    let activity = b.activity(&AuditQuery::default()).expect("activity");
    assert!(activity.iter().any(|e| e.action == "set-smtp-relay"), "{activity:?}");
    let by_owner = AuditQuery { what: "smtp".into(), ..AuditQuery::default() };
    assert_eq!(b.activity(&by_owner).expect("filtered").len(), 2);
    assert!(b.telemetry(&TelemetryFilter::default()).expect("telemetry").is_empty());
}

pub fn refusals_read_the_same_on_both_sides(f: &Fixture) {
    let b = &f.backend;
    b.register_user(f.acme, &registration("alice")).expect("alice");
    let twice = b.register_user(f.acme, &registration("alice"));
    assert_eq!(twice.expect_err("taken"), BackendError::Refused("Username already exists.".into()));
    let nobody = b.user(UserId(9_999)).expect_err("unknown");
    assert!(matches!(&nobody, BackendError::Refused(m) if m.starts_with("User")), "{nobody:?}");
    let no_shop = b.issue_keys(
        ResellerId(77),
        &KeyOrder {
            first_name: "A".into(),
            last_name: "B".into(),
            email: "a@b.example".into(),
            quantity: 1,
            edition: None,
            test_mode: false,
        },
    );
    assert!(matches!(no_shop, Err(BackendError::Refused(_))), "{no_shop:?}");
    let bad_relay = b.set_smtp_relay(Some(("not a url", "keys@example.com")));
    assert_eq!(
        bad_relay.expect_err("bad url"),
        BackendError::Refused("The smtp url field must be a valid URL.".into())
    );
    let stranger = b.create_license(&NewLicenseOrder { distributor: f.acme, ..order(Some("nobody-here"), 1) });
    assert!(matches!(stranger, Err(BackendError::Refused(_))), "{stranger:?}");
}

/// A staged bulk change: the preview counts and groups, apply goes step by step, a change
/// made since the preview is caught, and undo puts back what nobody touched since.
pub fn bulk_changes_are_previewed_applied_and_undone(f: &Fixture) {
    use keydesk::domain::bulk::{BulkChange, BulkRefusal, ShiftUnit};
    let b = &f.backend;
    let monthly = |reference: &str| NewLicenseOrder {
        distributor: f.acme,
        license_type: LicenseType::Monthly,
        reference: reference.into(),
        ..order(None, 2)
    };
    let first = b.create_license(&monthly("M-1")).expect("monthly");
    let second = b.create_license(&monthly("M-2")).expect("monthly");
    b.create_license(&monthly("M-3")).expect("not picked");
    let permanent = b.create_license(&NewLicenseOrder { distributor: f.acme, ..order(None, 1) }).expect("permanent");
    let picked = LicenseQuery { picked: vec![first.id, second.id, permanent.id], ..LicenseQuery::default() };
    let six = BulkChange::Extend { amount: 6, unit: ShiftUnit::Months };
    let preview = b.bulk_preview(&picked, six).expect("preview");
    let lines: Vec<String> = preview.lines.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        ["2 licenses: valid until 2026-07-01 -> valid until 2027-01-01", "1 license: no end date, left as they are"]
    );
    assert_eq!((preview.selected, preview.changing), (3, 2));
    // The count is the preview's: a selection that changed since is refused, nothing written.
    let stale = b.bulk_apply(&picked, six, 4, &mut |_| true);
    let changed = BulkRefusal::SelectionChanged { previewed: 4, now: 3 }.to_string();
    assert!(matches!(&stale, Err(BackendError::Refused(m)) if m.to_lowercase().contains(&changed)), "{stale:?}");
    let mut steps = 0;
    let batch = b.bulk_apply(&picked, six, 3, &mut |_| {
        steps += 1;
        true
    });
    let batch = batch.expect("applied");
    assert!(steps >= 1 && batch.finished, "progress is told: {steps}");
    assert_eq!((batch.selected, batch.changed), (3, 2));
    let stored = |id| f.service.store().read(|db| db.license(id)).expect("read").expect("license");
    assert_eq!(stored(first.id).valid_until.map(|d| d.to_string()).as_deref(), Some("2027-01-01"));
    assert_eq!(b.bulk_last().expect("last"), Some(batch.clone()), "the last batch is the one to undo");
    // One of the two is changed again before the undo: its newer terms stay.
    f.clock.advance(chrono::Duration::seconds(5));
    b.license_action(&second.number, &LicenseAction::Deactivate).expect("deactivate");
    let undone = b.bulk_undo(batch.id).expect("undo");
    assert_eq!((undone.restored, undone.kept), (1, 1));
    assert_eq!(stored(first.id).valid_until.map(|d| d.to_string()).as_deref(), Some("2026-07-01"));
    assert_eq!(stored(second.id).valid_until.map(|d| d.to_string()).as_deref(), Some("2027-01-01"));
    let again = b.bulk_undo(batch.id);
    assert!(matches!(&again, Err(BackendError::Refused(m)) if m.contains("undone already")), "{again:?}");
    let audit = b.activity(&AuditQuery { what: "bulk".into(), ..AuditQuery::default() }).expect("audit");
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["licenses.bulk-undo", "licenses.bulk"], "both are in the audit log");
}

/// Every refusal of a bulk change, on both sides: a shift of nothing or of more than 100
/// years, too many licenses picked one by one, a batch that is not one's own, a stopped
/// batch that takes no more steps, and an undo of any batch but the last.
pub fn bulk_refusals_read_the_same_on_both_sides(f: &Fixture) {
    use keydesk::domain::bulk::{BatchId, BulkChange, ShiftUnit};
    use keydesk::domain::license::LicenseId;
    let b = &f.backend;
    let refused = |result: Result<_, BackendError>, words: &str| match result {
        Err(BackendError::Refused(message)) => {
            assert!(message.to_lowercase().contains(words), "{message:?} says {words:?}")
        }
        other => panic!("refused with {words:?}, not {other:?}"),
    };
    let license = b.create_license(&NewLicenseOrder { distributor: f.acme, ..order(None, 1) }).expect("license");
    let all = LicenseQuery::default();
    let days = |amount| BulkChange::Extend { amount, unit: ShiftUnit::Days };
    refused(b.bulk_preview(&all, days(0)).map(|_| ()), "shift of nothing");
    refused(b.bulk_start(&all, days(36_501), 1).map(|_| ()), "at most 100 years");
    let many = LicenseQuery { picked: (1..=10_001).map(LicenseId).collect(), ..LicenseQuery::default() };
    refused(b.bulk_preview(&many, BulkChange::Activate).map(|_| ()), "at most 10000");
    refused(b.bulk_step(BatchId(999)).map(|_| ()), "no such bulk change");
    // Stopped before its first step: it changed nothing, and a step changes nothing more.
    let first = b.bulk_start(&all, BulkChange::SetLimit(4), 1).expect("start");
    let stopped = b.bulk_stop(first.id).expect("stop");
    assert!(stopped.finished && stopped.changed == 0, "{stopped:?}");
    assert_eq!(b.bulk_step(first.id).expect("a finished batch"), stopped);
    let second = b.bulk_apply(&all, BulkChange::SetLimit(3), 1, &mut |_| true).expect("second");
    refused(b.bulk_undo(first.id).map(|_| ()), "only the last one");
    assert_eq!(b.bulk_undo(second.id).expect("the last").restored, 1);
    let stored = f.service.store().read(|db| db.license(license.id)).expect("read").expect("license");
    assert_eq!(stored.limit, SeatLimit(1), "the undo put the limit back");
}
