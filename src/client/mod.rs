//! Clients for the faces, built on their `wire` halves only. They are how the console
//! reaches a remote server, and how the tests talk to a running one.

pub mod console;
pub mod envato;
pub mod keygen;
pub mod keymanager;
pub mod remote;
pub mod tdrs;
