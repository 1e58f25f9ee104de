//! Products: their meta, signing key and generator, a form for a new product, and a
//! generator form whose preview and keyspace follow every change as it is typed.

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{Fetch, finished, labelled_edit};
use crate::backend::BackendResult;
use crate::console::desk::{Desk, Refresh, Topic};
use crate::console::jobs::Task;
use crate::console::theme::Tokens;
use crate::domain::generator::{CustomFormat, Generator, GeneratorId, KeyFormat};
use crate::domain::product::{Product, ProductId};
use crate::store::{Downloadable, GeneratorFields, ProductFields};

const METHODS: [&str; 3] = ["chunk-system", "uuid", "custom"];

struct GeneratorForm {
    method: String,
    charset: String,
    chunks: u32,
    chunk_length: u32,
    prefix: String,
    suffix: String,
    custom: String,
    activation_limit: u32,
    validity_days: u32,
}

impl Default for GeneratorForm {
    fn default() -> Self {
        Self {
            method: "chunk-system".into(),
            charset: "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".into(),
            chunks: 4,
            chunk_length: 5,
            prefix: String::new(),
            suffix: String::new(),
            custom: CustomFormat::ALL[0].name().into(),
            activation_limit: 1,
            validity_days: 365,
        }
    }
}

impl GeneratorForm {
    fn format(&self) -> Result<KeyFormat, String> {
        KeyFormat::from_fields(&self.method, &self.charset, self.chunks, self.chunk_length, &self.custom)
            .map_err(|e| e.to_string())
    }

    /// Three sample keys (from a fixed seed, so the preview holds still) and the keyspace.
    fn preview(&self) -> Result<(Vec<String>, f64), String> {
        let format = self.format()?;
        let generator = Generator {
            id: GeneratorId(0),
            product: ProductId(0),
            format,
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            activation_limit: self.activation_limit,
            validity_days: self.validity_days,
            active: true,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
        };
        let bits = generator.format.keyspace_bits();
        Ok((generator.preview(&mut StdRng::seed_from_u64(7), 3), bits))
    }

    fn fields(&self, product: ProductId) -> GeneratorFields {
        GeneratorFields {
            product,
            method: self.method.clone(),
            prefix: self.prefix.clone(),
            suffix: self.suffix.clone(),
            function_name: if self.method == "custom" { self.custom.clone() } else { String::new() },
            number_of_chunks: self.chunks,
            chunk_length: self.chunk_length,
            charset: self.charset.clone(),
            activation_limit: self.activation_limit,
            validity_days: self.validity_days,
            active: true,
        }
    }
}

/// "2^80 (1.2e24 keys)".
pub fn keyspace_text(bits: f64) -> String {
    format!("2^{bits:.1} ({:.2e} keys)", 2f64.powf(bits))
}

/// The products and every generator.
type Catalog = (Vec<Product>, Vec<Generator>);

#[derive(Default)]
pub struct ProductsView {
    products: Vec<Product>,
    generators: Vec<Generator>,
    loading: Fetch<Catalog>,
    selected: Option<ProductId>,
    name: String,
    description: String,
    generator: GeneratorForm,
    action: Option<Task<BackendResult<String>>>,
    releases: Option<(ProductId, Vec<Downloadable>)>,
    releases_task: Option<(ProductId, Task<BackendResult<Vec<Downloadable>>>)>,
    confirm_key: bool,
}

impl ProductsView {
    fn poll(&mut self, desk: &mut Desk<'_>) {
        if let Some((products, generators)) = self.loading.finished(desk.status) {
            self.products = products;
            self.generators = generators;
        }
        if let Some((product, task)) = &self.releases_task
            && let Some(result) = task.take()
        {
            let product = *product;
            self.releases_task = None;
            match result {
                Ok(releases) => self.releases = Some((product, releases)),
                Err(error) => desk.status.backend_error(&error),
            }
        }
        if let Some(message) = finished(&mut self.action, desk.status) {
            desk.status.info(message);
            self.loading.again();
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        self.poll(desk);
        self.loading.start(desk, |backend| Ok((backend.products()?, backend.generators()?)));
        egui::Panel::right("product_forms").default_size(Tokens::DETAIL_WIDTH + 40.0).show(ui, |ui| {
            egui::ScrollArea::vertical().show(ui, |ui| {
                self.new_product(ui, desk);
                ui.separator();
                self.generator_form(ui, desk);
                ui.separator();
                self.releases_and_key(ui, desk);
            });
        });
        self.list(ui);
    }

    fn list(&mut self, ui: &mut egui::Ui) {
        ui.heading(format!("Products ({})", self.products.len()));
        if self.products.is_empty() {
            ui.label(if self.loading.running() { "Loading…" } else { "No products yet. Create one on the right." });
            return;
        }
        egui::ScrollArea::vertical().show(ui, |ui| {
            for product in &self.products {
                let generator = self.generators.iter().find(|g| g.product == product.id);
                let selected = self.selected == Some(product.id);
                egui::Frame::group(ui.style()).show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if ui.selectable_label(selected, egui::RichText::new(&product.name).strong()).clicked() {
                            self.selected = Some(product.id);
                        }
                        ui.weak(format!("#{}", product.id.0));
                        if !product.active {
                            ui.colored_label(Tokens::WARNING, "inactive");
                        }
                        if product.has_signing_key {
                            ui.label("own signing key");
                        }
                    });
                    if !product.description.is_empty() {
                        ui.label(&product.description);
                    }
                    match generator {
                        Some(g) => {
                            let sample = g.preview(&mut StdRng::seed_from_u64(7), 1).pop().unwrap_or_default();
                            ui.label(format!(
                                "Generator: {} · e.g. {sample} · keyspace {}",
                                g.format.method(),
                                keyspace_text(g.format.keyspace_bits())
                            ));
                        }
                        None => {
                            ui.weak("No generator: keys of this product cannot be generated yet.");
                        }
                    }
                    for meta in &product.meta {
                        ui.label(format!("{} = {}", meta.key, meta.value));
                    }
                });
            }
        });
    }

    fn new_product(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        ui.strong("New product");
        ui.horizontal(|ui| labelled_edit(ui, "Product name", &mut self.name, 200.0));
        ui.horizontal(|ui| labelled_edit(ui, "Description", &mut self.description, 200.0));
        if ui.button("Create product").clicked() {
            let fields = ProductFields::named(self.name.trim(), self.description.trim());
            self.action = Some(desk.change(&[Topic::Products], move |backend| {
                backend.create_product(&fields).map(|p| format!("Created product {} (#{}).", p.name, p.id.0))
            }));
            self.name.clear();
            self.description.clear();
        }
    }

    fn generator_form(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        let Some(product) = self.selected.and_then(|id| self.products.iter().find(|p| p.id == id)) else {
            ui.weak("Select a product to give it a generator.");
            return;
        };
        let (product_id, product_name) = (product.id, product.name.clone());
        ui.strong(format!("Generator for {product_name}"));
        let form = &mut self.generator;
        ui.horizontal(|ui| {
            let label = ui.label("Method");
            egui::ComboBox::from_id_salt("generator_method")
                .selected_text(form.method.clone())
                .show_ui(ui, |ui| {
                    for method in METHODS {
                        ui.selectable_value(&mut form.method, method.to_owned(), method);
                    }
                })
                .response
                .labelled_by(label.id);
        });
        match form.method.as_str() {
            "chunk-system" => {
                ui.horizontal(|ui| labelled_edit(ui, "Charset", &mut form.charset, 220.0));
                ui.horizontal(|ui| {
                    let label = ui.label("Chunks");
                    ui.add(egui::DragValue::new(&mut form.chunks).range(1..=64)).labelled_by(label.id);
                    let label = ui.label("Chunk length");
                    ui.add(egui::DragValue::new(&mut form.chunk_length).range(1..=64)).labelled_by(label.id);
                });
            }
            "custom" => {
                ui.horizontal(|ui| {
                    let label = ui.label("Format");
                    egui::ComboBox::from_id_salt("generator_custom")
                        .selected_text(form.custom.clone())
                        .show_ui(ui, |ui| {
                            for custom in CustomFormat::ALL {
                                ui.selectable_value(&mut form.custom, custom.name().to_owned(), custom.name());
                            }
                        })
                        .response
                        .labelled_by(label.id);
                });
            }
            _ => {}
        }
        ui.horizontal(|ui| {
            labelled_edit(ui, "Prefix", &mut form.prefix, 80.0);
            labelled_edit(ui, "Suffix", &mut form.suffix, 80.0);
        });
        ui.horizontal(|ui| {
            let label = ui.label("Activation limit");
            ui.add(egui::DragValue::new(&mut form.activation_limit).range(0..=100_000))
                .labelled_by(label.id)
                .on_hover_text("0: unlimited");
            let label = ui.label("Validity days");
            ui.add(egui::DragValue::new(&mut form.validity_days).range(0..=36_500))
                .labelled_by(label.id)
                .on_hover_text("Counted from assignment; 0: never expires");
        });
        match form.preview() {
            Ok((samples, bits)) => {
                ui.label(format!("Preview: {}", samples.join("  ")));
                ui.label(format!("Keyspace: {}", keyspace_text(bits)));
            }
            Err(problem) => {
                ui.colored_label(Tokens::ERROR, format!("Cannot make keys: {problem}"));
            }
        }
        let usable = form.format().is_ok();
        if ui.add_enabled(usable, egui::Button::new("Add generator")).clicked() {
            let fields = form.fields(product_id);
            self.action = Some(desk.change(&[Topic::Products], move |backend| {
                backend.create_generator(&fields).map(|_| format!("Generator added to {product_name}."))
            }));
        }
    }

    fn releases_and_key(&mut self, ui: &mut egui::Ui, desk: &mut Desk<'_>) {
        let Some(product) = self.selected else { return };
        let loaded = self.releases.as_ref().is_some_and(|(p, _)| *p == product);
        let loading = self.releases_task.as_ref().is_some_and(|(p, _)| *p == product);
        if !loaded && !loading {
            self.releases_task = Some((product, desk.read(move |backend| backend.releases(product))));
        }
        ui.strong("Downloadable releases");
        match &self.releases {
            Some((p, releases)) if *p == product => {
                if releases.is_empty() {
                    ui.weak("None published (`keydesk admin release`).");
                }
                for r in releases {
                    ui.label(format!(
                        "{} ({}), {} downloads: {}",
                        r.version,
                        r.release_date.format("%Y-%m-%d"),
                        r.download_counter,
                        r.update_summary
                    ));
                }
            }
            _ => {
                ui.spinner();
            }
        }
        ui.separator();
        ui.strong("Signing key");
        let has_own = self.products.iter().any(|p| p.id == product && p.has_signing_key);
        ui.weak(if has_own {
            "This product signs its responses with its own RSA-2048 key."
        } else {
            "This product's responses are signed with the global key."
        });
        let title = if has_own { "Replace signing key…" } else { "Create own signing key…" };
        if ui.button(title).clicked() {
            self.confirm_key = true;
        }
        if self.confirm_key {
            let question = "Give this product a new RSA-2048 signing key? Clients that check signatures need its new \
                            public key (published at /api/v1/public-key/<product>).";
            if let Some(confirmed) = super::confirm(ui.ctx(), "confirm_signing_key", question, "Create key") {
                self.confirm_key = false;
                if confirmed {
                    self.action = Some(desk.change(&[Topic::Products], move |backend| {
                        backend.create_signing_key(product).map(|_| "The product has a new signing key.".to_owned())
                    }));
                }
            }
        }
    }
}

impl Refresh for ProductsView {
    const SHOWS: &'static [Topic] = &[Topic::Products, Topic::Licenses];

    fn refresh(&mut self) {
        self.loading.again();
    }
}
