//! The Registration Server face: XML bodies, parsed and, when they parse, handled as the
//! distributor that sent them.

use std::sync::Arc;

use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::protocol::tdrs::codes::ErrorCode;
use keydesk::protocol::tdrs::handle::{Caller, handle};
use keydesk::protocol::tdrs::reply::Reply;
use keydesk::protocol::tdrs::request::{COMMANDS, Envelope};
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, Store};
use proptest::prelude::*;

use crate::inputs::{NASTY, bytes, value};

/// Element names the commands read.
const FIELDS: &[&str] = &[
    "username",
    "useroremail",
    "password",
    "email",
    "useremail",
    "startid",
    "showdevice",
    "onlyownusers",
    "language",
    "reference",
    "department",
    "activationcode",
    "code",
    "newpassword",
    "tmppassword",
    "newemail",
    "deletelicense",
    "deletedepot",
    "deviceid",
    "depot",
    "depotid",
    "hosturl",
    "sendinvitation",
    "type",
    "inviteduser",
    "productname",
    "featurevalue",
    "limit",
    "validuntil",
    "number",
    "devices",
    "licensereference",
    "usernames",
    "newdistributor",
    "contractnumber",
];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A request document: a command (real or not), fields (real or not, values from the
/// inputs), sometimes raw markup, sometimes a request time or a distributor.
fn document() -> impl Strategy<Value = Vec<u8>> {
    let command = prop_oneof![5 => proptest::sample::select(COMMANDS).prop_map(str::to_owned), 1 => "[a-z]{0,12}"];
    let field = (proptest::sample::select(FIELDS), value(), any::<bool>()).prop_map(|(name, value, raw)| {
        if raw { format!("<{name}>{value}</{name}>") } else { format!("<{name}>{}</{name}>", escape(&value)) }
    });
    let time = proptest::option::of(proptest::sample::select(NASTY));
    (command, proptest::collection::vec(field, 0..10), time).prop_map(|(command, fields, time)| {
        let time = time.map(|t| format!("<requesttime>{}</requesttime>", escape(t))).unwrap_or_default();
        format!(
            "<?xml version='1.0' encoding='UTF-8' ?><teamdrive><apiversion>1.0.005</apiversion>\
             <command>{command}</command>{time}{}</teamdrive>",
            fields.concat()
        )
        .into_bytes()
    })
}

#[test]
fn registration_server_requests_never_panic_or_fail_inside() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(&dir.path().join("fuzz-xml.sqlite"), &DataKey::generate()).expect("store");
    let service = Service::new(Arc::new(store), Arc::new(SystemClock));
    let code = DistributorCode::parse("FUZZ").expect("code");
    let settings = DistributorSettings { activation_without_email: false, ..DistributorSettings::default() };
    let (distributor, _) = service.create_distributor(&Actor::Owner, code, "Fuzz", true, settings).expect("d");
    let caller = Caller::distributor(distributor.id);

    let input = prop_oneof![4 => document(), 1 => bytes(4096)];
    crate::fuzz("registration-server", 64, &input, |body| {
        // Parsing never panics; what parses is handled and never fails inside keydesk.
        if let Ok(envelope) = Envelope::parse(&body) {
            let reply = handle(&service, &caller, envelope.request);
            if let Reply::Exception { primary, message, .. } = &reply {
                prop_assert_ne!(
                    *primary,
                    ErrorCode::Internal.code(),
                    "{}: {}",
                    message,
                    String::from_utf8_lossy(&body)
                );
            }
        }
        Ok(())
    });
}
