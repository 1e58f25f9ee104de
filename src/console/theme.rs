//! Colours and spacing in one table, and the dark and light themes.

use egui::Color32;

/// The theme the person chose; persisted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

impl Theme {
    pub fn apply(self, ctx: &egui::Context) {
        let preference = match self {
            Self::Dark => egui::ThemePreference::Dark,
            Self::Light => egui::ThemePreference::Light,
        };
        ctx.set_theme(preference);
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Dark => "Dark",
            Self::Light => "Light",
        }
    }
}

/// Design tokens: one place for the colours that carry meaning and the recurring sizes.
pub struct Tokens;

impl Tokens {
    pub const ROW_HEIGHT: f32 = 22.0;
    pub const NAV_WIDTH: f32 = 170.0;
    pub const DETAIL_WIDTH: f32 = 380.0;
    pub const GAP: f32 = 8.0;
    /// An overview tile: a count over its caption.
    pub const TILE_WIDTH: f32 = 150.0;
    pub const TILE_HEIGHT: f32 = 64.0;
    pub const ERROR: Color32 = Color32::from_rgb(0xE0, 0x4F, 0x4F);
    pub const WARNING: Color32 = Color32::from_rgb(0xE0, 0xA0, 0x30);
    pub const OK: Color32 = Color32::from_rgb(0x4C, 0xAF, 0x50);
    pub const ACCENT: Color32 = Color32::from_rgb(0xF2, 0xA9, 0x00);
}
