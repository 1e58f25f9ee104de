//! The console, headless with egui_kittest, on a real temporary SQLite backend: widgets are
//! found by their labels and clicked, as a person (or a screen reader) would.

/// Each flow runs on the local file and, through a remote profile, on the same file behind
/// a real `keydesk serve`: the same clicks, the same assertions.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod local {
            $( #[test] fn $name() { super::$name(super::Side::Local); } )*
        }
        mod remote {
            $( #[test] fn $name() { super::$name(super::Side::Remote); } )*
        }
    };
}

mod bulk;
mod flows;
mod live;
mod overview;
mod palette;
mod profiles;
mod search;
#[path = "../support/server.rs"]
mod server;
#[path = "../support/smtp.rs"]
mod smtp;
mod tables;
mod world;
