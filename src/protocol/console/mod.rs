//! The console's JSON API (`/console/v1/…`), which a console uses to drive a shared
//! `keydesk serve`. This module holds its wire format, shared by the server and the client.

pub mod wire;
