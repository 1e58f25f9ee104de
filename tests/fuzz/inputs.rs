//! What attackers send: the names the faces read, the values that break parsers (edges of
//! the integers, dates that are no dates, addresses that point inwards, markup), and noise.

use proptest::prelude::*;

/// Parameter names the faces read, and a few they do not.
pub const NAMES: &[&str] = &[
    "api_key",
    "license_key",
    "identifier",
    "product_id",
    "quantity",
    "owner_name",
    "owner_email",
    "email",
    "generate",
    "webhook_url",
    "license_keys",
    "activation_limit",
    "validity",
    "status",
    "assigned_at",
    "contract_key",
    "contract_uuid",
    "contract_name",
    "contract_information",
    "license_keys_quantity",
    "can_get_info",
    "can_generate",
    "can_destroy",
    "can_destroy_all",
    "name",
    "description",
    "source",
    "require_non_expired",
    "external_reference",
    "key",
    "value",
    "data_type",
    "numeric_data_single_value",
    "numeric_data_x",
    "numeric_data_y",
    "text_data",
    "data_group",
    "user_identifier",
    "activation_identifier",
    "product_version",
    "page",
    "items_per_page",
    "post_url",
    "generator_id",
    "reselleremail",
    "pwd",
    "firstName",
    "lastName",
    "qty",
    "edition",
    "testMode",
    "newpwd",
    "unknown",
];

/// Values that have broken parsers somewhere.
pub const NASTY: &[&str] = &[
    "",
    " ",
    "0",
    "1",
    "-1",
    "4294967295",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "9223372036854775807",
    "1e309",
    "NaN",
    "inf",
    "0x10",
    "00000000000000000001",
    "[]",
    "[\"A\"]",
    "[1,2,3]",
    "{}",
    "null",
    "true",
    "2026-02-30 25:61:61",
    "9999-12-31 23:59:59",
    "0000-00-00 00:00:00",
    "http://127.0.0.1/hook",
    "https://[::1]/",
    "ftp://x",
    "javascript:alert(1)",
    "' OR 1=1 --",
    "%00",
    "\u{0}",
    "\u{feff}",
    "é",
    "日本語",
    "🔑",
    "=HYPERLINK(\"x\")",
    "pro",
    "ent",
    "Y",
    "active",
    "inactive",
    "available",
    "assigned",
    "reserved",
    "blocked",
    "internal",
    "envato",
    "uuid",
    "chunk-system",
    "custom",
    "numeric-single-value",
    "numeric-xy-axis",
    "text",
    "a@b.c",
    "@",
    "a@",
    "*",
    "%",
    "_",
    "\\",
    "<x>",
    "]]>",
    "&amp;",
    "&#0;",
];

/// A value: a nasty one, a long run, or arbitrary text.
pub fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(NASTY).prop_map(str::to_owned),
        1 => (1usize..20_000).prop_map(|n| "A".repeat(n)),
        3 => ".{0,64}",
    ]
}

/// A parameter name: one the faces read, or arbitrary.
pub fn name() -> impl Strategy<Value = String> {
    prop_oneof![6 => proptest::sample::select(NAMES).prop_map(str::to_owned), 1 => "[a-z_]{0,12}"]
}

/// A set of parameters, names repeated at times.
pub fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec((name(), value()), 0..12)
}

/// Raw bytes, text-like or not.
pub fn bytes(most: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![proptest::collection::vec(any::<u8>(), 0..most), ".{0,256}".prop_map(String::into_bytes),]
}
