//! The console, headless with egui_kittest, on a real temporary SQLite backend: widgets are
//! found by their labels and clicked, as a person (or a screen reader) would.

mod flows;
mod profiles;
#[path = "../support/server.rs"]
mod server;
#[path = "../support/smtp.rs"]
mod smtp;
mod world;
