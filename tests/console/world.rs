//! A temporary database with a distributor, a product with a generator, and a reseller with
//! a pool; the console on it in a kittest harness.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use egui_kittest::Harness;
use keydesk::backend::{Backend, LocalBackend};
use keydesk::client::remote::{RemoteBackend, RemoteServer};
use keydesk::console::secrets::Secrets;
use keydesk::console::{ConsoleApp, Prefs, View};
use keydesk::domain::distributor::{DistributorCode, DistributorId, DistributorSettings};
use keydesk::domain::product::ProductId;
use keydesk::domain::reseller::Edition;
use keydesk::domain::staff::Role;
use keydesk::service::{Actor, ManualClock, Service};
use keydesk::store::{DataKey, GeneratorFields, ProductFields};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// Which backend the console under test drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The SQLite file in this process.
    Local,
    /// The same file behind a real `keydesk serve` on 127.0.0.1, through a remote profile.
    Remote,
}

/// A real server on its own runtime, serving the world's database; stops when dropped.
pub struct Serving {
    pub base: String,
    _stop: oneshot::Sender<()>,
    _runtime: tokio::runtime::Runtime,
}

pub struct World {
    /// The database itself (fixtures and assertions go straight to it).
    pub backend: LocalBackend,
    /// What the console drives: the local backend, or a remote profile on it.
    pub console: Arc<dyn Backend>,
    pub serving: Option<Serving>,
    pub dir: TempDir,
}

/// The owner's staff account on the world's server.
pub const STAFF: (&str, &str) = ("mara", "mara's long password");

impl World {
    pub fn start() -> Self {
        Self::on(Side::Local)
    }

    /// A world whose console drives `side`.
    pub fn on(side: Side) -> Self {
        let mut world = Self::bare();
        if side == Side::Remote {
            let serving = world.serve();
            let server = RemoteServer { url: serving.base.clone(), username: STAFF.0.into(), ca_file: None };
            world.console = Arc::new(RemoteBackend::log_in(&server, STAFF.1).expect("remote login"));
            world.serving = Some(serving);
        }
        world
    }

    /// Serves the world's database on 127.0.0.1 with an owner's staff account.
    pub fn serve(&self) -> Serving {
        self.service().add_staff(&Actor::Owner, STAFF.0, STAFF.1, Role::Owner).expect("staff");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let (base, stop) = runtime.block_on(crate::server::start(self.service()));
        Serving { base, _stop: stop, _runtime: runtime }
    }

    fn bare() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).single().expect("time")));
        let backend = LocalBackend::open_with_clock(&dir.path().join("console.sqlite"), &DataKey::generate(), clock)
            .expect("backend");
        let service = backend.service();
        let code = DistributorCode::parse("ACME").expect("code");
        service
            .create_distributor(&Actor::Owner, code, "Acme Ltd", true, DistributorSettings::default())
            .expect("distributor");
        let console: Arc<dyn Backend> = Arc::new(backend.clone());
        World { backend, console, serving: None, dir }
    }

    /// The distributor every world starts with.
    pub fn acme(&self) -> DistributorId {
        self.service().distributors(&Actor::Owner).expect("distributors")[0].id
    }

    /// A second distributor, BETA.
    pub fn beta(&self) -> DistributorId {
        let code = DistributorCode::parse("BETA").expect("code");
        let settings = DistributorSettings::default();
        self.service().create_distributor(&Actor::Owner, code, "Beta", false, settings).expect("beta").0.id
    }

    /// Staff of `distributor` (dan), logged in to the world's server through a remote profile.
    pub fn distributor_staff(&self, distributor: DistributorId) -> Arc<dyn Backend> {
        const PASSWORD: &str = "dan's long password!";
        self.service().add_staff(&Actor::Owner, "dan", PASSWORD, Role::Distributor(distributor)).expect("staff");
        let base = self.serving.as_ref().expect("a remote world").base.clone();
        let server = RemoteServer { url: base, username: "dan".into(), ca_file: None };
        Arc::new(RemoteBackend::log_in(&server, PASSWORD).expect("login"))
    }

    pub fn service(&self) -> &Service {
        self.backend.service()
    }

    /// A product with a chunk-system generator.
    pub fn product(&self, name: &str) -> ProductId {
        let fields = ProductFields::named(name, "");
        let id = self.service().create_product(&Actor::Owner, &fields).expect("product").id;
        let generator = GeneratorFields {
            prefix: "KD-".into(),
            ..GeneratorFields::chunks(id, "ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 4, 5)
        };
        self.service().create_generator(&Actor::Owner, &generator).expect("generator");
        id
    }

    /// A reseller with a Professional pool of `quantity` licenses of `product`.
    pub fn reseller(&self, product: ProductId, quantity: u32) {
        let reseller = self
            .service()
            .add_reseller(&Actor::Owner, "sales@shop.example", "Shop GmbH", "shop-secret-1", None)
            .expect("reseller");
        self.service().add_pool(&Actor::Owner, reseller.id, Edition::Professional, product, quantity).expect("pool");
    }

    pub fn harness(&self) -> Harness<'static, ConsoleApp> {
        self.harness_with(|app| app)
    }

    /// The console on the world's backend, set up further by `setup` (a profile, secrets).
    pub fn harness_with(&self, setup: impl FnOnce(ConsoleApp) -> ConsoleApp) -> Harness<'static, ConsoleApp> {
        // The flows start where most of them work, on Users (the console opens on the
        // overview: tests/console/overview.rs).
        self.harness_on(self.console.clone(), Prefs { view: View::Users, ..Prefs::default() }, setup)
    }

    /// The console on `backend` with `prefs` as if remembered from the last run.
    pub fn harness_on(
        &self,
        backend: Arc<dyn Backend>,
        prefs: Prefs,
        setup: impl FnOnce(ConsoleApp) -> ConsoleApp,
    ) -> Harness<'static, ConsoleApp> {
        let app = ConsoleApp::new(backend, prefs).expect("console").with_secrets(Arc::new(Secrets::session_only()));
        let app = setup(app);
        Harness::builder()
            .with_size(egui::vec2(1400.0, 900.0))
            .build_ui_state(|ui, app: &mut ConsoleApp| app.ui(ui), app)
    }
}

/// Runs frames until no backend call is running and the views have taken the results.
pub fn settle(harness: &mut Harness<'_, ConsoleApp>) {
    let mut quiet = 0;
    for _ in 0..2_000 {
        harness.run_steps(1);
        if harness.state().busy() {
            quiet = 0;
            std::thread::sleep(Duration::from_millis(2));
        } else {
            quiet += 1;
            if quiet >= 4 {
                return;
            }
        }
    }
    panic!("the console stayed busy");
}

/// Clicks a labelled text field, selects what it holds, and types over it.
pub fn type_into(harness: &mut Harness<'_, ConsoleApp>, label: &str, text: &str) {
    use egui_kittest::kittest::Queryable;
    harness.get_by_label(label).click();
    harness.run_steps(1);
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    harness.run_steps(1);
    harness.get_by_label(label).type_text(text);
    harness.run_steps(1);
}

/// Clicks a labelled widget. Two frames first: egui hit-tests against the widgets of the
/// frame before, and a button enabled by the text just typed (or a pane that grew) may not
/// be there yet after one.
pub fn click(harness: &mut Harness<'_, ConsoleApp>, label: &str) {
    use egui_kittest::kittest::Queryable;
    harness.run_steps(2);
    harness.get_by_label(label).click();
    harness.run_steps(1);
}

/// What the last frame put on the clipboard (a "Copy" button's text).
pub fn copied(harness: &Harness<'_, ConsoleApp>) -> Option<String> {
    harness.output().platform_output.commands.iter().find_map(|command| match command {
        egui::OutputCommand::CopyText(text) => Some(text.clone()),
        _ => None,
    })
}

/// Opens the labelled drop-down and picks `choice`.
pub fn choose(harness: &mut Harness<'_, ConsoleApp>, combo: &str, choice: &str) {
    click(harness, combo);
    harness.run_steps(1);
    click(harness, choice);
    harness.run_steps(1);
}

/// In Key generation: an order of `quantity` keys for Ada Lovelace, generated.
pub fn generate_keys_for_ada(harness: &mut Harness<'_, ConsoleApp>, quantity: &str) {
    type_into(harness, "Quantity", quantity);
    type_into(harness, "First name", "Ada");
    type_into(harness, "Last name", "Lovelace");
    type_into(harness, "Customer e-mail", "ada@customer.example");
    click(harness, "Generate keys");
    settle(harness);
}
