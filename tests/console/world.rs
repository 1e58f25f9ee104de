//! A temporary database with a distributor, a product with a generator, and a reseller with
//! a pool; the console on it in a kittest harness.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use egui_kittest::Harness;
use keydesk::backend::LocalBackend;
use keydesk::console::{ConsoleApp, Prefs};
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::domain::product::ProductId;
use keydesk::domain::reseller::Edition;
use keydesk::service::{Actor, ManualClock, Service};
use keydesk::store::{DataKey, GeneratorFields, ProductFields};
use tempfile::TempDir;

pub struct World {
    pub backend: LocalBackend,
    pub dir: TempDir,
}

impl World {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 10, 0, 0).single().expect("time")));
        let backend = LocalBackend::open_with_clock(&dir.path().join("console.sqlite"), &DataKey::generate(), clock)
            .expect("backend");
        let service = backend.service();
        let code = DistributorCode::parse("ACME").expect("code");
        service
            .create_distributor(&Actor::Owner, code, "Acme Ltd", true, DistributorSettings::default())
            .expect("distributor");
        World { backend, dir }
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
        let app = ConsoleApp::new(Arc::new(self.backend.clone()), Prefs::default()).expect("console");
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

pub fn click(harness: &mut Harness<'_, ConsoleApp>, label: &str) {
    use egui_kittest::kittest::Queryable;
    harness.get_by_label(label).click();
    harness.run_steps(1);
}
