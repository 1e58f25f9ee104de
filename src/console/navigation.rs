//! Where the console can go and what it can be asked to do: the views of the left
//! navigation, and the commands that shortcuts, menus and views produce.

use super::profiles::Profile;
use crate::backend::Area;

/// The views of the left navigation, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum View {
    #[default]
    Overview,
    Users,
    Licenses,
    Products,
    Contracts,
    KeyGeneration,
    Staff,
    Outbox,
    Activity,
    Telemetry,
    Settings,
}

impl View {
    pub const ALL: [Self; 11] = [
        Self::Overview,
        Self::Users,
        Self::Licenses,
        Self::Products,
        Self::Contracts,
        Self::KeyGeneration,
        Self::Staff,
        Self::Outbox,
        Self::Activity,
        Self::Telemetry,
        Self::Settings,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Self::Overview => "Overview",
            Self::Users => "Users",
            Self::Licenses => "Licenses",
            Self::Products => "Products",
            Self::Contracts => "Contracts",
            Self::KeyGeneration => "Key generation",
            Self::Staff => "Staff",
            Self::Outbox => "Outbox",
            Self::Activity => "Activity",
            Self::Telemetry => "Telemetry",
            Self::Settings => "Settings",
        }
    }

    /// The part of a backend the view needs (`None`: Settings, which every profile has).
    pub fn area(self) -> Option<Area> {
        Some(match self {
            Self::Overview => Area::Overview,
            Self::Users => Area::Users,
            Self::Licenses => Area::Licenses,
            Self::Products => Area::Products,
            Self::Contracts => Area::Contracts,
            Self::KeyGeneration => Area::KeyGeneration,
            Self::Staff => Area::Staff,
            Self::Outbox => Area::Outbox,
            Self::Activity => Area::Activity,
            Self::Telemetry => Area::Telemetry,
            Self::Settings => return None,
        })
    }

    /// A file-name-safe name (screenshots).
    pub fn slug(self) -> &'static str {
        match self {
            Self::Overview => "overview",
            Self::Users => "users",
            Self::Licenses => "licenses",
            Self::Products => "products",
            Self::Contracts => "contracts",
            Self::KeyGeneration => "keygen",
            Self::Staff => "staff",
            Self::Outbox => "outbox",
            Self::Activity => "activity",
            Self::Telemetry => "telemetry",
            Self::Settings => "settings",
        }
    }

    /// How the shortcut is written: "Ctrl+1", "Ctrl+,".
    pub fn shortcut(self) -> String {
        match self.key() {
            egui::Key::Comma => "Ctrl+,".to_owned(),
            key => format!("Ctrl+{key:?}").replace("Num", ""),
        }
    }

    /// Ctrl + this digit shows the view (the tenth is Ctrl+0); Settings is Ctrl+comma, as
    /// in most desktop programs.
    fn key(self) -> egui::Key {
        const KEYS: [egui::Key; 11] = [
            egui::Key::Num1,
            egui::Key::Num2,
            egui::Key::Num3,
            egui::Key::Num4,
            egui::Key::Num5,
            egui::Key::Num6,
            egui::Key::Num7,
            egui::Key::Num8,
            egui::Key::Num9,
            egui::Key::Num0,
            egui::Key::Comma,
        ];
        KEYS[Self::ALL.iter().position(|v| *v == self).unwrap_or(0)]
    }
}

/// What a shortcut, a menu or a view asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Show(View),
    /// The Licenses view, filtered to what an overview tile counted.
    ShowLicenses(LicenseFocus),
    /// The Users view with this user's detail open.
    OpenUser(crate::domain::user::UserId),
    /// The Licenses view with this license (alone) and its detail open.
    OpenLicense(Box<crate::domain::license::License>),
    /// The Licenses view filtered by this typed text (a saved search).
    Search(String),
    /// Keeps the typed filter under this name, for the active profile.
    SaveSearch {
        name: String,
        text: String,
    },
    /// Forgets the active profile's saved search of this name.
    ForgetSearch(String),
    /// The command palette (Ctrl+K).
    OpenPalette,
    Refresh,
    FocusSearch,
    ToggleTheme,
    /// Switch to this profile (opening it, or at once when it was opened before).
    OpenProfile(Profile),
}

/// What an overview tile counted, as a filter of the Licenses view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LicenseFocus {
    Status(crate::domain::license::LicenseStatus),
    KeyState(crate::domain::license::KeyState),
    ExpiringWithinDays(u32),
}

impl Command {
    /// The shortcuts, as the Settings view lists them.
    pub fn shortcuts() -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> =
            View::ALL.iter().map(|v| (v.shortcut(), format!("Go to {}", v.title()))).collect();
        all.push(("Ctrl+K".into(), "Command palette: a view, saved search, user or license by typing".into()));
        all.push(("Ctrl+R".into(), "Refresh the view".into()));
        all.push(("Ctrl+F".into(), "Search (Users), the typed filter (Licenses)".into()));
        all.push(("Tab / Enter".into(), "Take the highlighted completion of the typed filter".into()));
        all.push(("Ctrl+Shift+T".into(), "Dark or light theme".into()));
        all
    }

    pub(super) fn from_input(ctx: &egui::Context) -> Vec<Self> {
        ctx.input_mut(|input| {
            let mut commands = Vec::new();
            for view in View::ALL {
                if input.consume_key(egui::Modifiers::COMMAND, view.key()) {
                    commands.push(Self::Show(view));
                }
            }
            if input.consume_key(egui::Modifiers::COMMAND, egui::Key::K) {
                commands.push(Self::OpenPalette);
            }
            if input.consume_key(egui::Modifiers::COMMAND, egui::Key::R) {
                commands.push(Self::Refresh);
            }
            if input.consume_key(egui::Modifiers::COMMAND, egui::Key::F) {
                commands.push(Self::FocusSearch);
            }
            if input.consume_key(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, egui::Key::T) {
                commands.push(Self::ToggleTheme);
            }
            commands
        })
    }
}
