//! The Licenses view's filters: the values of its controls, and the typed filter that says
//! the same thing as text (`state:active product:Pro expires:<30d`), kept in step both ways:
//! typing sets the controls, a control rewrites the text. A saved search is that text.

use crate::console::navigation::Command;
use crate::console::theme::Tokens;
use crate::domain::license::{KeyState, LicenseStatus, LicenseType};
use crate::domain::product::{Product, ProductId};
use crate::domain::search::{self, LicenseSearch};
use crate::store::{LicenseOrder, LicenseQuery};

/// What the licenses table is asked for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct Filters {
    pub product: Option<ProductId>,
    pub license_type: Option<LicenseType>,
    pub status: Option<LicenseStatus>,
    pub key_state: Option<KeyState>,
    pub owner: String,
    pub email: String,
    pub number: String,
    pub made_by: String,
    pub expiring_days: u32,
    pub order: LicenseOrder,
    pub ascending: bool,
}

impl Filters {
    /// The filters without the sort: what decides which licenses match.
    pub fn matching(&self) -> Self {
        Self { order: LicenseOrder::default(), ascending: false, ..self.clone() }
    }

    pub fn query(&self) -> LicenseQuery {
        LicenseQuery {
            product: self.product,
            license_type: self.license_type,
            status: self.status,
            key_state: self.key_state,
            owner: self.owner.clone(),
            email: self.email.clone(),
            number: self.number.clone(),
            made_by: self.made_by.clone(),
            expiring_before: (self.expiring_days > 0)
                .then(|| chrono::Utc::now() + chrono::Duration::days(i64::from(self.expiring_days))),
            order: self.order,
            ascending: self.ascending,
            ..LicenseQuery::default()
        }
    }

    /// The filters as a typed search; `None` while a product is filtered whose name is not
    /// known yet (the products are still being read).
    fn search(&self, products: &[Product]) -> Option<LicenseSearch> {
        let product = match self.product {
            Some(id) => Some(products.iter().find(|p| p.id == id)?.name.clone()),
            None => None,
        };
        Some(LicenseSearch {
            status: self.status,
            key_state: self.key_state,
            license_type: self.license_type,
            product,
            email: self.email.clone(),
            owner: self.owner.clone(),
            made_by: self.made_by.clone(),
            number: self.number.clone(),
            expires_within_days: self.expiring_days,
        })
    }

    /// The filters a typed text asks for, the sort kept; why not, in a sentence.
    fn read(&self, text: &str, products: &[Product]) -> Result<Self, String> {
        let search: LicenseSearch = text.parse().map_err(|e: search::SearchError| e.to_string())?;
        let product = match &search.product {
            None => None,
            Some(_) if products.is_empty() => return Err("the products are not known yet".to_owned()),
            Some(typed) => {
                let name = search::resolve(typed, products.iter().map(|p| p.name.as_str()))?;
                products.iter().find(|p| p.name == name).map(|p| p.id)
            }
        };
        Ok(Self {
            product,
            license_type: search.license_type,
            status: search.status,
            key_state: search.key_state,
            owner: search.owner,
            email: search.email,
            number: search.number,
            made_by: search.made_by,
            expiring_days: search.expires_within_days,
            order: self.order,
            ascending: self.ascending,
        })
    }
}

/// The typed filter: its text, what it could not read, and the Save search form.
#[derive(Default)]
pub(super) struct Typed {
    text: String,
    problem: Option<String>,
    /// The (matching) filters the text says; when the filters move away from them, a control
    /// or a command changed them and the text is written anew.
    says: Filters,
    /// The name being typed for Save search, while its form is open.
    naming: Option<String>,
    focus: bool,
    focus_name: bool,
}

/// The typed filter's label, and its field's id (Ctrl+F focuses it).
pub(super) const LABEL: &str = "Filter";

impl Typed {
    /// Puts `text` in the field and applies it (a saved search, the palette).
    pub fn run(&mut self, text: &str, filters: &mut Filters, products: &[Product]) {
        self.text = text.to_owned();
        self.apply(filters, products);
    }

    pub fn focus(&mut self) {
        self.focus = true;
    }

    /// Reads the text into the filters, or keeps why it cannot.
    fn apply(&mut self, filters: &mut Filters, products: &[Product]) {
        match filters.read(&self.text, products) {
            Ok(read) => {
                *filters = read;
                self.says = filters.matching();
                self.problem = None;
            }
            Err(problem) => self.problem = Some(problem),
        }
    }

    /// The products came: a text that named one before they were known is read again.
    pub fn products_known(&mut self, filters: &mut Filters, products: &[Product]) {
        if self.problem.is_some() {
            self.apply(filters, products);
        }
    }

    /// After the controls: filters changed by anything but the text rewrite it.
    pub fn follow(&mut self, filters: &Filters, products: &[Product]) {
        if filters.matching() == self.says {
            return;
        }
        if let Some(search) = filters.search(products) {
            self.text = search.to_string();
            self.says = filters.matching();
            self.problem = None;
        }
    }

    /// The field with its completions, what it could not read, and Save search; the command
    /// to save, once named.
    pub fn ui(&mut self, ui: &mut egui::Ui, filters: &mut Filters, products: &[Product]) -> Option<Command> {
        let mut save = None;
        ui.horizontal(|ui| {
            let label = ui.label(LABEL);
            let names: Vec<String> = products.iter().map(|p| p.name.clone()).collect();
            let edit = egui::TextEdit::singleline(&mut self.text)
                .hint_text(crate::console::hints::for_label(LABEL))
                .desired_width(520.0);
            let output = egui::CompletionPopup::new(egui::Id::unique(LABEL)).show(ui, edit, |query| {
                search::completions(query.word, &names)
                    .into_iter()
                    .map(|c| egui::Suggestion::new(c.insert).content(c.label))
                    .collect()
            });
            let response = output.text_edit.response.response.labelled_by(label.id);
            let hover = "Fields: state: product: type: expires: email: owner: by: key:  — words alone search the owner";
            let response = response.on_hover_text(hover);
            if std::mem::take(&mut self.focus) {
                response.request_focus();
            }
            if response.changed() || output.accepted.is_some() {
                self.apply(filters, products);
            }
            if !self.text.is_empty() && ui.button("Clear").on_hover_text("Show every license").clicked() {
                self.text.clear();
                self.apply(filters, products);
            }
            save = self.save_form(ui);
        });
        if let Some(problem) = &self.problem {
            ui.colored_label(Tokens::ERROR, format!("Filter not applied: {problem}."));
        }
        save
    }

    fn save_form(&mut self, ui: &mut egui::Ui) -> Option<Command> {
        let Some(name) = self.naming.as_mut() else {
            let readable = self.problem.is_none() && !self.text.trim().is_empty();
            let button = ui.add_enabled(readable, egui::Button::new("Save search…"));
            if button.on_disabled_hover_text("Type a filter first").clicked() {
                self.naming = Some(String::new());
                self.focus_name = true;
            }
            return None;
        };
        let label = ui.label("Search name");
        let field = egui::TextEdit::singleline(name)
            .id(egui::Id::unique("Search name"))
            .hint_text(crate::console::hints::for_label("Search name"))
            .desired_width(140.0);
        let response = ui.add(field).labelled_by(label.id);
        if std::mem::take(&mut self.focus_name) {
            response.request_focus();
        }
        let entered = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        let named = !name.trim().is_empty();
        let mut command = None;
        if (ui.add_enabled(named, egui::Button::new("Save")).clicked() || entered) && named {
            command = Some(Command::SaveSearch { name: name.trim().to_owned(), text: self.text.trim().to_owned() });
        }
        if command.is_some() || ui.button("Cancel").clicked() {
            self.naming = None;
        }
        command
    }
}
