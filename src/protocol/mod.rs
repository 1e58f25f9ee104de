//! The faces keydesk speaks. Each has a `wire` half (typed messages to and from bytes,
//! shared by server and client) and a `handle` half (typed request to service call).

pub mod console;
pub mod form;
pub mod keygen;
pub mod keymanager;
pub mod tdrs;
pub mod xml;
